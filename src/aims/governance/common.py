"""Helpers the governance and assurance apps share: cross-organization reference checks, per-organization
numbering, and status workflows whose refused transitions say what is possible instead."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from aims.core import audit
from aims.core.actors import Actor
from aims.core.base import OrgScopedModel
from aims.core.models import AuditEvent, Membership

M = TypeVar("M", bound=OrgScopedModel)


def check_references(
    obj: models.Model, organization_id: int | None, *, user_fields: tuple[str, ...] = ()
) -> dict[str, str]:
    """Errors for foreign keys that point into another organization, and for people who are not members.

    Full_clean only checks that a referenced row exists; in a multi-organization installation it must
    also be this organization's row, or an id guessed by a client would link across organizations."""
    errors: dict[str, str] = {}
    if organization_id is None:
        return errors
    for field in obj._meta.concrete_fields:
        if not field.is_relation or field.name in ("organization", "created_by"):
            continue
        value = getattr(obj, field.attname)
        if value is None:
            continue
        related = field.related_model
        if isinstance(related, type) and issubclass(related, OrgScopedModel):
            if not related.objects.filter(pk=value, organization_id=organization_id).exists():
                errors[field.name] = _("Not found in this organization.")
    for name in user_fields:
        value = getattr(obj, f"{name}_id", None)
        if (
            value is not None
            and not Membership.objects.filter(user_id=value, organization_id=organization_id).exists()
        ):
            errors[name] = _("Must be a member of the organization.")
    return errors


def next_number(model: type[models.Model], organization_id: int) -> int:
    """The next per-organization sequence number (INC-7, NC-12 …)."""
    found = model.objects.filter(organization_id=organization_id).aggregate(n=Max("number"))["n"]  # type: ignore[attr-defined]
    return (found or 0) + 1


def numbered(model: type[models.Model], organization_id: int) -> Callable[[Any], None]:
    def set_number(obj: Any) -> None:
        obj.number = next_number(model, organization_id)

    return set_number


def transition(
    actor: Actor,
    obj: M,
    target: str,
    *,
    flow: Mapping[str, tuple[str, ...]],
    action: str = "change",
    before_save: Callable[[M], None] | None = None,
    audit_action: str = AuditEvent.Action.UPDATE,
    status_field: str = "status",
    expected_version: int | None = None,
) -> M:
    """Move obj to the target status when the flow allows it; otherwise a 422 naming `status` that lists
    the statuses reachable from here. `before_save` may set dates and check preconditions (raising
    ValidationError). One transaction, with the audit entry."""
    from aims.core.exceptions import PreconditionFailed

    actor.require(obj.object_type, action)
    if obj.organization_id != actor.organization.pk:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    field = obj._meta.get_field(status_field)
    labels = dict(field.choices or [])
    with transaction.atomic():
        current = type(obj).objects.select_for_update().get(pk=obj.pk)
        if expected_version is not None and current.version != expected_version:
            raise PreconditionFailed(current.version)
        now_status = getattr(current, status_field)
        if target not in labels:
            raise ValidationError({status_field: _("Unknown status %(s)s.") % {"s": target}})
        allowed = flow.get(now_status, ())
        if target not in allowed:
            possible = ", ".join(str(labels[s]) for s in allowed) or _("none: this is a final status")
            raise ValidationError(
                {
                    status_field: _("Cannot go from %(a)s to %(b)s. Possible next statuses: %(p)s.")
                    % {"a": labels.get(now_status, now_status), "b": labels[target], "p": possible}
                }
            )
        before = audit.snapshot(current)
        setattr(current, status_field, target)
        if before_save:
            before_save(current)
        current.full_clean()
        current.version += 1
        current.updated_at = timezone.now()
        current.save()
        audit.record(actor, audit_action, obj=current, changes=audit.diff(before, audit.snapshot(current)))
    return current


def record_change(
    actor: Actor, obj: models.Model, before: dict[str, Any] | None, *, action: str = AuditEvent.Action.UPDATE
) -> None:
    """Audit entry for a write that does not go through the generic services (call inside the transaction)."""
    audit.record(actor, action, obj=obj, changes=audit.diff(before, audit.snapshot(obj)))


def member_ids(organization_id: int) -> list[int]:
    return list(Membership.objects.filter(organization_id=organization_id).values_list("user_id", flat=True))
