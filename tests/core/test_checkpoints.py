"""Signed checkpoints catch what a hash chain alone cannot: a truncated tail, a recomputed chain."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

from aims.core import audit, checkpoints
from aims.core.models import AuditChainHead, AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def key_file(tmp_path, monkeypatch):
    monkeypatch.setenv("AIMS_CHECKPOINT_KEY_FILE", str(tmp_path / "key.pem"))


def _writes(actor, n):
    from aims.inventory import services

    for i in range(n):
        services.create_system(actor, {"name": f"System {i}"})


def _drop_triggers():
    with connection.cursor() as c:
        if connection.vendor == "sqlite":
            c.execute("DROP TRIGGER IF EXISTS core_auditevent_no_update")
            c.execute("DROP TRIGGER IF EXISTS core_auditevent_no_delete")
        else:
            c.execute("DROP TRIGGER IF EXISTS core_auditevent_no_change ON core_auditevent")


def test_a_checkpoint_verifies_against_an_intact_and_a_grown_chain(actor, tmp_path):
    _writes(actor("ai_manager"), 3)
    path = tmp_path / "cp.txt"
    call_command("audit", "checkpoint", "-o", str(path))
    _writes(actor("ai_manager"), 2)
    call_command("audit", "verify", "--checkpoint", str(path))  # does not exit
    point = checkpoints.parse_and_check(path.read_text())
    assert point.size == AuditEvent.objects.count() - 2


def test_a_forged_checkpoint_is_refused(actor, tmp_path):
    _writes(actor("ai_manager"), 1)
    text = checkpoints.make()
    lines = text.split("\n")
    lines[1] = str(int(lines[1]) + 5)
    with pytest.raises(ValueError, match="signature"):
        checkpoints.parse_and_check("\n".join(lines))


def test_a_truncated_tail_is_detected_by_the_checkpoint(actor):
    _writes(actor("ai_manager"), 4)
    point = checkpoints.parse_and_check(checkpoints.make())
    _drop_triggers()
    last = AuditEvent.objects.order_by("-pk").first()
    # An attacker removes the last entry and rewinds the head row to match.
    AuditEvent.objects.filter(pk=last.pk).delete()
    AuditChainHead.objects.filter(pk=1).update(size=last.pk - 1, last_hash=last.prev_hash)
    assert audit.verify().ok  # the chain alone looks fine ...
    assert "truncated" in checkpoints.compare(point)  # ... the checkpoint does not


def test_a_recomputed_chain_is_detected_by_the_checkpoint(actor):
    _writes(actor("ai_manager"), 3)
    point = checkpoints.parse_and_check(checkpoints.make())
    _drop_triggers()
    # An attacker edits an old entry and recomputes every hash after it.
    events = list(AuditEvent.objects.order_by("pk"))
    events[1].object_repr = "forged"
    prev = audit.GENESIS
    for event in events:
        event.prev_hash = prev
        event.hash = audit.chain_hash(prev, event.canonical())
        AuditEvent.objects.filter(pk=event.pk).update(
            object_repr=event.object_repr, prev_hash=event.prev_hash, hash=event.hash
        )
        prev = event.hash
    AuditChainHead.objects.filter(pk=1).update(last_hash=prev)
    assert audit.verify().ok
    assert "rewritten" in checkpoints.compare(point)
