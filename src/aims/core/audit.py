"""Writing and verifying the hash-chained audit trail.

Services call `record()` inside their own transaction, so a change and its audit entry commit or
roll back together. Appends are serialised through the single AuditChainHead row (SELECT ... FOR
UPDATE on PostgreSQL; SQLite's IMMEDIATE transactions already serialise writers).
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from .models import AuditChainHead, AuditEvent

if TYPE_CHECKING:
    from .actors import Actor

GENESIS = "0" * 64


def _default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, set | frozenset | tuple):
        return sorted(value, key=str)
    if isinstance(value, models.Model):
        return value.pk
    return str(value)


def canonical_json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default)


def chain_hash(prev_hash: str, entry: dict[str, Any]) -> str:
    return hashlib.sha256(b"\x00" + bytes.fromhex(prev_hash) + canonical_json(entry).encode()).hexdigest()


def snapshot(obj: models.Model) -> dict[str, Any]:
    """The audited values of a model instance: concrete fields (FKs as ids) and many-to-many ids."""
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.name in {"id", "created_at", "updated_at", "search_text"}:
            continue
        data[field.name] = field.value_from_object(obj)
    if obj.pk:
        for field in obj._meta.many_to_many:
            data[field.name] = sorted(o.pk for o in getattr(obj, field.name).all())
    return json.loads(canonical_json(data))


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, Any]:
    """{field: [before, after]} for the fields that changed (all fields on create and delete)."""
    before, after = before or {}, after or {}
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def record(
    actor: Actor | None,
    action: str,
    *,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: Any = "",
    object_repr: str = "",
    changes: dict[str, Any] | None = None,
    organization_id: int | None = None,
) -> AuditEvent:
    """Append one entry to the chain, in the caller's transaction."""
    if obj is not None:
        object_id = object_id or obj.pk
        object_repr = object_repr or str(obj)
        object_type = object_type or getattr(obj, "object_type", obj._meta.model_name or "")
        if organization_id is None:
            organization_id = getattr(obj, "organization_id", None)
    if organization_id is None and actor is not None and actor.organization is not None:
        organization_id = actor.organization.pk
    entry = {
        "organization_id": organization_id,
        "object_type": object_type,
        "object_id": str(object_id or ""),
        "object_repr": str(object_repr),
        "changes": changes or {},
    }
    return record_many(actor, action, [entry])[0]


def record_many(actor: Actor | None, action: str, entries: list[dict[str, Any]]) -> list[AuditEvent]:
    """Append several entries under one lock of the chain head, in one INSERT: the same hashes and
    content as one `record()` each. Each entry: organization_id, object_type, object_id,
    object_repr, changes."""
    if not entries:
        return []
    # No savepoint: inside a service's transaction a failed append must fail the whole change
    # anyway, and the SAVEPOINT/RELEASE pair costs two round trips on every write.
    with transaction.atomic(savepoint=False):
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        prev, size, events = head.last_hash, head.size, []
        now = timezone.now()
        for entry in entries:
            size += 1
            event = AuditEvent(
                pk=size,
                organization_id=entry["organization_id"],
                actor_id=actor.user.pk if actor and actor.user else None,
                actor_email=(actor.user.email if actor and actor.user else ""),
                created_at=now,
                request_id=(actor.request_id if actor else "") or "",
                source=(actor.source if actor else "system"),
                action=action,
                object_type=entry["object_type"],
                object_id=str(entry["object_id"]),
                object_repr=str(entry["object_repr"])[:300],
                changes=json.loads(canonical_json(entry["changes"])),
                prev_hash=prev,
            )
            event.hash = chain_hash(prev, event.canonical())
            prev = event.hash
            events.append(event)
        AuditEvent.objects.bulk_create(events, batch_size=500)
        AuditChainHead.objects.filter(pk=1).update(last_hash=prev, size=size)
    return events


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    head: str
    first_bad_id: int | None = None
    reason: str = ""


def _iter_events(batch: int = 5000) -> Iterator[AuditEvent]:
    last: int | None = None  # no lower bound at first: a forged entry #0 or below must be read too
    while True:
        qs = AuditEvent.objects.order_by("pk")
        rows = list((qs if last is None else qs.filter(pk__gt=last))[:batch])
        if not rows:
            return
        yield from rows
        last = rows[-1].pk


def verify(events: Iterable[AuditEvent] | None = None) -> VerifyResult:
    """Walk the chain from the start; report the first entry whose content, link or position is wrong.

    Detects an edited entry (its hash no longer matches its content), a deleted or inserted entry
    (ids skip or the previous-hash link breaks), a reordering, and a truncated tail (the head row
    remembers the size and the last hash)."""
    prev, expected_id, checked = GENESIS, 1, 0
    for event in events if events is not None else _iter_events():
        if event.pk != expected_id:
            if event.pk < expected_id:  # a forged or reordered entry: name it
                return VerifyResult(
                    False,
                    checked,
                    prev,
                    event.pk,
                    f"entry #{event.pk} is out of place (expected #{expected_id})",
                )
            return VerifyResult(
                False, checked, prev, expected_id, f"entry #{expected_id} is missing (found #{event.pk} next)"
            )
        if event.prev_hash != prev:
            return VerifyResult(
                False, checked, prev, event.pk, f"entry #{event.pk} does not link to entry #{event.pk - 1}"
            )
        if chain_hash(prev, event.canonical()) != event.hash:
            return VerifyResult(
                False, checked, prev, event.pk, f"entry #{event.pk} was changed after it was written"
            )
        prev, expected_id, checked = event.hash, expected_id + 1, checked + 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.size != checked or head.last_hash != prev):
        return VerifyResult(
            False,
            checked,
            prev,
            min(checked, head.size) + 1,
            f"the chain ends at #{checked} but its head records #{head.size}",
        )
    return VerifyResult(True, checked, prev)
