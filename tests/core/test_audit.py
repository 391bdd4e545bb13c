"""The audit trail: one entry per write, in the write's transaction; append-only in the database;
hash-chained so that `aims.core.audit.verify()` and `aims audit verify` find the first tampered entry.

Tampering tests play the attacker with direct database access: they drop the append-only trigger
first (inside the test's transaction, so it comes back afterwards) and then edit, delete, insert or
reorder rows."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from aims.core import audit, services
from aims.core.actors import Actor
from aims.core.models import AuditChainHead, AuditEvent
from aims.core.roles import Role
from aims.inventory import services as inventory
from aims.inventory.models import AISystem

JSON = "application/json"
REQUEST_ID = "req-0123456789abcdef"


def entries_since(last_id: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(pk__gt=last_id).order_by("pk"))


def last_id() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def drop_append_only_triggers() -> None:
    """What an attacker with the database password does first."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER core_auditevent_no_update")
            cursor.execute("DROP TRIGGER core_auditevent_no_delete")
        elif connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER core_auditevent_no_change ON core_auditevent")
        else:  # pragma: no cover
            pytest.skip(f"no append-only trigger on {connection.vendor}")


# --- one entry per write, with who, where, which request, before and after -------------------------


@pytest.mark.django_db
def test_an_api_create_records_one_entry_with_actor_org_request_id_and_values(api, members, org):
    client = api("ai_manager")
    start = last_id()
    response = client.post(
        "/api/v1/ai-systems",
        {"name": "Credit scoring", "criticality": "high", "tags": ["credit"]},
        content_type=JSON,
        HTTP_X_REQUEST_ID=REQUEST_ID,
    )
    assert response.status_code == 201, response.content
    assert response["X-Request-ID"] == REQUEST_ID
    [entry] = entries_since(start)
    user = members["ai_manager"].user
    assert (entry.action, entry.object_type, entry.object_id) == (
        "create",
        "ai_system",
        str(response.json()["id"]),
    )
    assert (entry.actor_id, entry.actor_email, entry.organization_id) == (user.pk, user.email, org.pk)
    assert (entry.request_id, entry.source, entry.object_repr) == (REQUEST_ID, "api", "Credit scoring")
    assert entry.changes["name"] == [None, "Credit scoring"]
    assert entry.changes["criticality"] == [None, "high"]
    assert entry.changes["tags"] == [None, ["credit"]]
    assert entry.created_at.tzinfo is not None


@pytest.mark.django_db
def test_an_api_update_records_only_the_changed_fields_before_and_after(api, org):
    client = api("ai_manager")
    made = client.post(
        "/api/v1/ai-systems", {"name": "Chatbot", "criticality": "low"}, content_type=JSON
    ).json()
    start = last_id()
    response = client.patch(
        f"/api/v1/ai-systems/{made['id']}",
        {"criticality": "critical", "name": "Chatbot"},
        content_type=JSON,
        HTTP_X_REQUEST_ID=REQUEST_ID,
    )
    assert response.status_code == 200, response.content
    [entry] = entries_since(start)
    assert entry.action == "update" and entry.request_id == REQUEST_ID
    assert entry.changes == {"criticality": ["low", "critical"], "version": [1, 2]}


@pytest.mark.django_db
def test_an_api_delete_records_the_values_that_were_deleted(api, org):
    client = api("ai_manager")
    made = client.post(
        "/api/v1/ai-systems", {"name": "Old model", "business_unit": "Risk"}, content_type=JSON
    ).json()
    start = last_id()
    response = client.delete(f"/api/v1/ai-systems/{made['id']}", HTTP_X_REQUEST_ID=REQUEST_ID)
    assert response.status_code == 204
    [entry] = entries_since(start)
    assert (entry.action, entry.object_id, entry.object_repr) == ("delete", str(made["id"]), "Old model")
    assert entry.organization_id == org.pk and entry.request_id == REQUEST_ID
    assert entry.changes["name"] == ["Old model", None]
    assert entry.changes["business_unit"] == ["Risk", None]
    assert not AISystem.objects.filter(pk=made["id"]).exists()


@pytest.mark.django_db
def test_an_api_approval_records_one_approve_entry(api, members, org):
    client = api("top_management")
    inventory.save_scope(Actor.system(org), {"statement": "All of Acme's AI."})
    start = last_id()
    response = client.post("/api/v1/scope/1/approve", HTTP_X_REQUEST_ID=REQUEST_ID)
    assert response.status_code == 200, response.content
    [entry] = entries_since(start)
    assert (entry.action, entry.object_type, entry.request_id) == ("approve", "scope", REQUEST_ID)
    assert entry.actor_email == members["top_management"].user.email
    assert entry.changes == {"status": ["draft", "approved"]}


@pytest.mark.django_db
def test_many_to_many_links_are_recorded_as_ids(actor, org):
    manager = actor("ai_manager")
    system = inventory.create_system(manager, {"name": "Fraud detection"})
    party = inventory.create_party(manager, {"name": "Customers", "category": "customer"})
    start = last_id()
    services.update(manager, party, {"ai_systems": [system.pk]})
    [entry] = entries_since(start)
    assert entry.changes["ai_systems"] == [[], [system.pk]]


@pytest.mark.django_db
def test_a_request_without_a_sane_request_id_gets_a_generated_one(api):
    response = api("ai_manager").post(
        "/api/v1/ai-systems", {"name": "X"}, content_type=JSON, HTTP_X_REQUEST_ID="bad id; drop table"
    )
    entry = AuditEvent.objects.order_by("-pk").first()
    assert entry.request_id == response["X-Request-ID"]
    assert len(entry.request_id) == 32 and entry.request_id.isalnum()


@pytest.mark.django_db
def test_the_cli_and_the_worker_record_their_source(org):
    start = last_id()
    call_command("createorg", "--name", "Globex", "--slug", "globex", stdout=io.StringIO())
    inventory.create_system(Actor.system(org), {"name": "Nightly job"})
    cli, worker = entries_since(start)
    assert (cli.source, cli.object_type, cli.actor_email) == ("cli", "organization", "")
    assert (worker.source, worker.actor_id) == ("worker", None)


@pytest.mark.django_db
def test_refused_and_invalid_writes_write_no_change_entry(api, org):
    auditor, manager = api("external_auditor"), api("ai_manager")
    start = last_id()
    refused = auditor.post("/api/v1/ai-systems", {"name": "X"}, content_type=JSON)
    invalid = manager.post("/api/v1/ai-systems", {"name": "X", "links": ["not a url"]}, content_type=JSON)
    assert (refused.status_code, invalid.status_code) == (403, 422)
    assert [e.action for e in entries_since(start)] == ["denied"]  # the refusal itself is evidence
    assert not AISystem.objects.exists()


# --- the same transaction --------------------------------------------------------------------------


@pytest.fixture
def failing_after_record(monkeypatch):
    """Make the write fail right after its audit entry was appended (as a crash at commit would)."""
    real = audit.record

    def record_then_fail(*args, **kwargs):
        real(*args, **kwargs)
        raise RuntimeError("disk full")

    monkeypatch.setattr(audit, "record", record_then_fail)


@pytest.mark.django_db
def test_a_failed_create_leaves_neither_the_object_nor_an_entry(actor, failing_after_record):
    start, head = last_id(), AuditChainHead.objects.filter(pk=1).values_list("size", flat=True).first()
    with pytest.raises(RuntimeError):
        inventory.create_system(actor("ai_manager"), {"name": "Ghost"})
    assert not AISystem.objects.filter(name="Ghost").exists()
    assert entries_since(start) == []
    assert AuditChainHead.objects.filter(pk=1).values_list("size", flat=True).first() == head
    assert audit.verify().ok


@pytest.mark.django_db
def test_a_failed_update_through_the_api_leaves_the_object_and_the_trail_as_they_were(api, monkeypatch):
    client = api("ai_manager")
    made = client.post("/api/v1/ai-systems", {"name": "Stable"}, content_type=JSON).json()
    start = last_id()
    real = audit.record

    def record_then_fail(*args, **kwargs):
        real(*args, **kwargs)
        raise RuntimeError("disk full")

    monkeypatch.setattr(audit, "record", record_then_fail)
    response = client.patch(f"/api/v1/ai-systems/{made['id']}", {"name": "Changed"}, content_type=JSON)
    assert response.status_code == 500
    assert "Traceback" not in response.content.decode() and response.json()["request_id"]
    system = AISystem.objects.get(pk=made["id"])
    assert (system.name, system.version) == ("Stable", 1)
    assert entries_since(start) == []
    assert audit.verify().ok


# --- append-only in the database ---------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE core_auditevent SET object_repr = 'forged'",
        "UPDATE core_auditevent SET hash = prev_hash WHERE id = 1",
        "DELETE FROM core_auditevent",
        "DELETE FROM core_auditevent WHERE id = 1",
    ],
)
def test_the_database_refuses_to_change_or_delete_an_entry(sql, actor):
    inventory.create_system(actor("ai_manager"), {"name": "Anything"})
    before = list(AuditEvent.objects.order_by("pk").values_list("pk", "object_repr", "hash"))
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert list(AuditEvent.objects.order_by("pk").values_list("pk", "object_repr", "hash")) == before


@pytest.mark.django_db
def test_the_orm_cannot_change_or_delete_an_entry_either(actor):
    inventory.create_system(actor("ai_manager"), {"name": "Anything"})
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.update(object_repr="forged")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.count() == 1


# --- tamper detection ----------------------------------------------------------------------------------


def build_history(manager: Actor, n_systems: int = 4) -> int:
    """Creates, updates, deletes and an approval: a realistic chain. Returns its length."""
    systems = [inventory.create_system(manager, {"name": f"System {i}"}) for i in range(n_systems)]
    services.update(manager, systems[0], {"criticality": "high"})
    services.delete(manager, systems[-1])
    inventory.create_party(manager, {"name": "Applicants", "category": "ai_subject"})
    scope = inventory.save_scope(manager, {"statement": "Everything."})
    inventory.approve_scope(manager, scope)
    assert audit.verify().ok
    return AuditEvent.objects.count()


@pytest.fixture
def chain(actor) -> int:
    n = build_history(actor("ai_manager"))
    drop_append_only_triggers()
    return n


@pytest.mark.django_db
def test_an_intact_chain_verifies(actor):
    n = build_history(actor("ai_manager"))
    result = audit.verify()
    assert (result.ok, result.checked, result.first_bad_id) == (True, n, None)
    assert result.head == AuditEvent.objects.get(pk=n).hash == AuditChainHead.objects.get().last_hash


@pytest.mark.django_db
def test_an_empty_chain_verifies():
    result = audit.verify()
    assert result.ok and result.checked == 0 and result.head == audit.GENESIS


@pytest.mark.django_db
def test_each_hash_covers_the_previous_hash_and_the_canonical_entry(actor):
    build_history(actor("ai_manager"))
    prev = audit.GENESIS
    for entry in AuditEvent.objects.order_by("pk"):
        assert entry.prev_hash == prev
        assert entry.hash == audit.chain_hash(prev, entry.canonical())
        prev = entry.hash
    assert audit.canonical_json({"b": 1, "a": [1, 2]}) == '{"a":[1,2],"b":1}'


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("object_repr", "Nothing to see"),
        ("actor_email", "someone.else@acme.example"),
        ("request_id", "another-request"),
        ("action", "delete"),
        ("object_id", "999"),
        ("changes", {"criticality": ["low", "low"]}),
        ("created_at", dt.datetime(2020, 1, 1, tzinfo=dt.UTC)),
        ("organization_id", 424242),
        ("actor_id", 424242),
        ("prev_hash", "f" * 64),
        ("hash", "e" * 64),
    ],
)
def test_an_edited_field_is_found_at_its_entry(field, value, chain):
    AuditEvent.objects.filter(pk=3).update(**{field: value})
    result = audit.verify()
    assert not result.ok and result.first_bad_id == 3, result
    assert result.checked == 2


@pytest.mark.django_db
def test_an_edit_with_sql_is_found(chain):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET object_repr = 'Harmless' WHERE id = %s", [chain - 1])
    result = audit.verify()
    assert (result.ok, result.first_bad_id) == (False, chain - 1)
    assert "changed" in result.reason


@pytest.mark.django_db
def test_a_deleted_entry_is_named_by_its_own_id(chain):
    AuditEvent.objects.filter(pk=3).delete()
    result = audit.verify()
    assert (result.ok, result.first_bad_id) == (False, 3), result


@pytest.mark.django_db
def test_a_deleted_entry_is_detected(chain):
    AuditEvent.objects.filter(pk=3).delete()
    result = audit.verify()
    assert not result.ok and "#3 is missing" in result.reason
    assert result.checked == 2


@pytest.mark.django_db
def test_two_swapped_entries_are_found_at_the_first(chain):
    AuditEvent.objects.filter(pk=2).update(id=-2)
    AuditEvent.objects.filter(pk=5).update(id=2)
    AuditEvent.objects.filter(pk=-2).update(id=5)
    result = audit.verify()
    assert (result.ok, result.first_bad_id) == (False, 2), result


@pytest.mark.django_db
def test_swapped_contents_under_the_same_ids_are_found(chain):
    a, b = AuditEvent.objects.get(pk=2), AuditEvent.objects.get(pk=3)
    for src, dst in ((a, 3), (b, 2)):
        AuditEvent.objects.filter(pk=dst).update(
            **{f: getattr(src, f) for f in ("object_repr", "object_id", "action", "changes", "created_at")}
        )
    result = audit.verify()
    assert (result.ok, result.first_bad_id) == (False, 2), result


@pytest.mark.django_db
@pytest.mark.parametrize("keep", [0, 1, 5])
def test_a_truncated_tail_is_caught_by_the_head_row(keep, chain):
    AuditEvent.objects.filter(pk__gt=keep).delete()
    result = audit.verify()
    assert (result.ok, result.first_bad_id, result.checked) == (False, keep + 1, keep), result
    assert f"records #{chain}" in result.reason


def forge(after: AuditEvent | None, pk: int, **fields) -> AuditEvent:
    """An entry that chains correctly onto `after`: an attacker who knows the (public) scheme."""
    prev = after.hash if after else audit.GENESIS
    entry = AuditEvent(
        pk=pk,
        organization_id=after.organization_id if after else None,
        actor_email="mallory@other.example",
        created_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
        action="delete",
        object_type="ai_system",
        object_id="1",
        object_repr="Credit scoring",
        changes={},
        prev_hash=prev,
        **fields,
    )
    entry.hash = audit.chain_hash(prev, entry.canonical())
    entry.save(force_insert=True)
    return entry


@pytest.mark.django_db
def test_a_forged_entry_appended_after_the_head_is_detected(chain):
    forge(AuditEvent.objects.get(pk=chain), chain + 1)
    result = audit.verify()
    assert not result.ok
    assert f"records #{chain}" in result.reason


@pytest.mark.django_db
def test_a_forged_entry_appended_after_the_head_is_named(chain):
    forge(AuditEvent.objects.get(pk=chain), chain + 1)
    result = audit.verify()
    assert (result.ok, result.first_bad_id) == (False, chain + 1), result


@pytest.mark.django_db
def test_a_forged_entry_inserted_in_the_middle_is_found_where_the_chain_breaks(chain):
    # Make room at #3 by moving #3..#n up one (from the top, so ids stay unique), then forge #3.
    for pk in range(chain, 2, -1):
        AuditEvent.objects.filter(pk=pk).update(id=pk + 1)
    forge(AuditEvent.objects.get(pk=2), 3)
    result = audit.verify()
    # The forged #3 links correctly; the displaced entry (now #4) no longer does.
    assert (result.ok, result.first_bad_id) == (False, 4), result


@pytest.mark.django_db
def test_a_naive_forgery_is_found_at_the_forged_entry(chain):
    for pk in range(chain, 2, -1):
        AuditEvent.objects.filter(pk=pk).update(id=pk + 1)
    real = AuditEvent.objects.get(pk=2)
    AuditEvent.objects.create(
        pk=3,
        action="create",
        object_type="ai_system",
        prev_hash=real.hash,
        hash="a" * 64,
        created_at=real.created_at,
    )
    result = audit.verify()
    assert (result.ok, result.first_bad_id) == (False, 3), result


@pytest.mark.django_db
@pytest.mark.parametrize("pk", [0, -7])
def test_a_forged_entry_with_an_id_below_one_is_detected(pk, chain):
    forge(None, pk)
    assert AuditEvent.objects.filter(organization__isnull=True, pk=pk).exists()  # the audit log would list it
    result = audit.verify()
    assert not result.ok and result.first_bad_id == pk, result


@pytest.mark.django_db
def test_a_recomputed_chain_with_a_matching_head_is_not_detectable_without_checkpoints(chain):
    """The documented limit: rewrite an entry, recompute every later hash and the head row, and the
    chain alone verifies. Exported, signed checkpoints (the security issue) close this."""
    rows = list(AuditEvent.objects.order_by("pk"))
    rows[2].object_repr = "Rewritten history"
    prev = rows[1].hash
    for row in rows[2:]:
        row.prev_hash = prev
        row.hash = audit.chain_hash(prev, row.canonical())
        AuditEvent.objects.filter(pk=row.pk).update(
            object_repr=row.object_repr, prev_hash=row.prev_hash, hash=row.hash
        )
        prev = row.hash
    AuditChainHead.objects.filter(pk=1).update(last_hash=prev)
    assert audit.verify().ok


# --- the command -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_audit_verify_exits_0_on_an_intact_chain(actor):
    n = build_history(actor("ai_manager"))
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)  # returns normally: exit status 0
    assert f"intact: {n} entries" in out.getvalue()


@pytest.mark.django_db
def test_audit_verify_exits_1_naming_the_changed_entry(chain):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET changes = changes WHERE id = 4")  # a no-op stays intact
    call_command("audit", "verify", stdout=io.StringIO())
    AuditEvent.objects.filter(pk=4).update(actor_email="nobody@acme.example")
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("audit", "verify", stdout=io.StringIO(), stderr=err)
    assert exit_info.value.code == 1
    assert "entry #4" in err.getvalue() and "BROKEN" in err.getvalue()


@pytest.mark.django_db
def test_audit_verify_exits_1_after_a_truncation(chain):
    AuditEvent.objects.filter(pk__gt=2).delete()
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("audit", "verify", stdout=io.StringIO(), stderr=err)
    assert exit_info.value.code == 1 and "#3" in err.getvalue()


# --- property: any single mutation of any history is detected -------------------------------------------

WRITES = st.lists(
    st.sampled_from(["system", "update", "delete", "party", "issue", "scope", "token"]),
    min_size=1,
    max_size=8,
)
MUTATIONS = ["edit", "delete", "swap", "truncate", "append", "insert"]
EDITABLE = {
    "object_repr": "tampered",
    "actor_email": "x@y.example",
    "request_id": "forged-request",
    "object_id": "31337",
    "changes": {"forged": [None, True]},
    "created_at": dt.datetime(1999, 12, 31, tzinfo=dt.UTC),
    "hash": "b" * 64,
    "prev_hash": "c" * 64,
}


def apply_writes(manager: Actor, writes: list[str]) -> None:
    systems: list[AISystem] = []
    for i, write in enumerate(writes):
        if write == "system" or not systems and write in ("update", "delete"):
            systems.append(inventory.create_system(manager, {"name": f"S{i}"}))
        elif write == "update":
            systems[-1] = services.update(manager, systems[-1], {"description": f"v{i}"})
        elif write == "delete":
            services.delete(manager, systems.pop())
        elif write == "party":
            inventory.create_party(manager, {"name": f"P{i}", "category": "customer"})
        elif write == "issue":
            inventory.create_issue(manager, {"kind": "internal", "title": f"I{i}"})
        elif write == "scope":
            inventory.save_scope(manager, {"statement": f"Scope {i}"})
        elif write == "token":
            services.create_token(manager, name=f"t{i}")


@pytest.mark.django_db
@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(writes=WRITES, mutation=st.sampled_from(MUTATIONS), data=st.data())
def test_any_single_mutation_of_any_history_is_detected(actor, writes, mutation, data):
    manager = actor(Role.AI_MANAGER)
    with transaction.atomic():
        apply_writes(manager, writes)
        n = AuditEvent.objects.count()
        assert audit.verify().ok
        drop_append_only_triggers()
        k = data.draw(st.integers(1, n), label="entry")
        if mutation == "edit":
            field = data.draw(st.sampled_from(sorted(EDITABLE)), label="field")
            AuditEvent.objects.filter(pk=k).update(**{field: EDITABLE[field]})
            expected = k
        elif mutation == "delete":
            AuditEvent.objects.filter(pk=k).delete()
            expected = k
        elif mutation == "swap":
            if n < 2:
                k, j = 1, None
            else:
                j = data.draw(st.integers(1, n).filter(lambda x: x != k), label="other")
                k, j = min(k, j), max(k, j)
            if j is None:  # a one-entry chain: reorder against a forged neighbour instead
                forge(AuditEvent.objects.get(pk=1), 2)
                AuditEvent.objects.filter(pk=1).update(id=-1)
                AuditEvent.objects.filter(pk=2).update(id=1)
                AuditEvent.objects.filter(pk=-1).update(id=2)
            else:
                AuditEvent.objects.filter(pk=k).update(id=-1)
                AuditEvent.objects.filter(pk=j).update(id=k)
                AuditEvent.objects.filter(pk=-1).update(id=j)
            expected = k
        elif mutation == "truncate":
            AuditEvent.objects.filter(pk__gte=k).delete()
            expected = k
        elif mutation == "append":
            forge(AuditEvent.objects.get(pk=n), n + 1)
            expected = n + 1
        else:  # insert a correctly chained forgery at k, displacing k..n
            for pk in range(n, k - 1, -1):
                AuditEvent.objects.filter(pk=pk).update(id=pk + 1)
            forge(AuditEvent.objects.filter(pk=k - 1).first(), k)
            expected = k + 1
        result = audit.verify()
        transaction.set_rollback(True)
    assert not result.ok, (writes, mutation, k)
    assert result.first_bad_id == expected, (writes, mutation, k, result)
