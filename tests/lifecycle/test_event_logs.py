"""The AI system's own event logs (A.6.2.8; EU AI Act Art. 12, 19): received in batches through the
API for a deployment, kept for the deployment's log retention and purged by the daily task, listed
with filters and pages; an allowed role, a refused role (403), the other organization (404), and
batches refused with a 422 that names the bad record."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from aims.core.models import AuditEvent
from aims.lifecycle import services, tasks
from aims.lifecycle.models import EventLogRecord

pytestmark = pytest.mark.django_db

J = "application/json"


@pytest.fixture
def deployment(actor, system):
    return services.create_deployment(
        actor("operational_team"),
        {
            "ai_system": system,
            "environment": "production",
            "log_retention_months": 6,
            "plan": "Blue-green",
            "rollback_procedure": "Switch back",
        },
    )


def at(days_ago: float) -> str:
    return (timezone.now() - dt.timedelta(days=days_ago)).isoformat()


def batch(n: int, start: int = 0, **extra):
    return {
        "records": [
            {
                "occurred_at": at(1 + i / 1000),
                "actor": f"user-{i % 3}",
                "action": "score" if i % 2 else "login",
                "outcome": "success",
                "event_id": f"e{start + i}",
                **extra,
            }
            for i in range(n)
        ]
    }


def fields(response):
    return {e["field"]: e["messages"] for e in response.json()["errors"]}


def test_a_batch_is_stored_with_one_audit_entry_and_a_retry_is_skipped(api, deployment):
    url = f"/api/v1/deployments/{deployment.pk}/logs"
    r = api("operational_team").post(url, batch(5), content_type=J)
    assert r.status_code == 201 and r.json() == {
        "received": 5,
        "duplicates": 0,
        "retention_months": 6,
        "total": 5,
    }
    again = api("operational_team").post(url, batch(6), content_type=J)
    assert again.json() == {"received": 1, "duplicates": 5, "retention_months": 6, "total": 6}
    entries = AuditEvent.objects.filter(
        object_type="deployment", object_id=str(deployment.pk), action="import"
    )
    assert [e.changes["event_log"]["received"] for e in entries.order_by("pk")] == [5, 1]
    record = EventLogRecord.objects.get(event_id="e0")
    assert (
        record.organization_id == deployment.organization_id
        and record.created_by.email == "operational_team@acme.example"
    )


def test_records_without_an_event_id_are_all_kept(actor, deployment):
    rows = [{"occurred_at": at(1), "action": "view"}] * 3
    assert services.receive_logs(actor("technical_team"), deployment, rows)["received"] == 3


def test_a_refused_batch_names_each_bad_record_and_stores_nothing(api, deployment):
    url = f"/api/v1/deployments/{deployment.pk}/logs"
    rows = batch(4)["records"]
    rows[1]["occurred_at"] = (timezone.now() + dt.timedelta(days=1)).isoformat()
    rows[2]["occurred_at"] = at(400)
    rows[3]["detail"] = {"blob": "x" * 5000}
    r = api("operational_team").post(url, {"records": rows}, content_type=J)
    assert r.status_code == 422
    errors = fields(r)
    assert set(errors) == {"records.1.occurred_at", "records.2.occurred_at", "records.3.detail"}
    assert (
        "Record 1:" in errors["records.1.occurred_at"][0] and "future" in errors["records.1.occurred_at"][0]
    )
    assert "retention" in errors["records.2.occurred_at"][0]
    assert EventLogRecord.objects.count() == 0


def test_the_schema_refuses_a_record_without_an_action_or_with_an_unknown_field_naming_it(api, deployment):
    url = f"/api/v1/deployments/{deployment.pk}/logs"
    rows = batch(3)["records"]
    del rows[2]["action"]
    rows[0]["colour"] = "red"
    errors = fields(api("operational_team").post(url, {"records": rows}, content_type=J))
    assert "records.2.action" in errors and "records.0.colour" in errors


def test_a_batch_is_bounded_and_must_not_be_empty(api, deployment):
    url = f"/api/v1/deployments/{deployment.pk}/logs"
    too_many = api("operational_team").post(url, batch(services.MAX_LOG_BATCH + 1), content_type=J)
    assert (
        too_many.status_code == 422
        and "At most 1000 records per batch; this one has 1001" in fields(too_many)["records"][0]
    )
    assert api("operational_team").post(url, {"records": []}, content_type=J).status_code == 422
    assert EventLogRecord.objects.count() == 0


def test_a_deployment_without_a_log_retention_refuses_logs(api, actor, system):
    d = services.create_deployment(actor("operational_team"), {"ai_system": system, "environment": "test"})
    r = api("operational_team").post(f"/api/v1/deployments/{d.pk}/logs", batch(1), content_type=J)
    assert r.status_code == 422 and "log_retention_months" in fields(r)


def test_sending_logs_needs_the_event_log_add_right_and_the_same_organization(api, deployment):
    url = f"/api/v1/deployments/{deployment.pk}/logs"
    assert api("risk_team").post(url, batch(1), content_type=J).status_code == 403
    assert api("operational_team", read_only=True).post(url, batch(1), content_type=J).status_code == 403
    assert api("mallory").post(url, batch(1), content_type=J).status_code == 404
    assert api("mallory").get(url).status_code == 404
    assert api(None).post(url, batch(1), content_type=J).status_code == 401
    assert EventLogRecord.objects.count() == 0


def test_the_list_pages_and_filters(api, deployment):
    url = f"/api/v1/deployments/{deployment.pk}/logs"
    api("operational_team").post(url, batch(30), content_type=J)
    reader = api("internal_audit")
    first = reader.get(url + "?page_size=10").json()
    assert first["count"] == 30 and first["pages"] == 3 and len(first["items"]) == 10
    assert first["items"][0]["occurred_at"] >= first["items"][-1]["occurred_at"]
    assert reader.get(url + "?action=login&actor=user-0").json()["count"] == 5
    since = (timezone.now() - dt.timedelta(days=1, seconds=30)).isoformat().replace("+00:00", "Z")
    assert reader.get(url, {"since": since}).json()["count"] == 1
    assert reader.get(url + "?since=yesterday").status_code == 422
    assert api("risk_team").get(url).status_code == 403
    assert api("top_management").get(url).status_code == 403


def test_the_purge_deletes_what_is_older_than_the_retention_and_records_it(actor, deployment, org):
    services.receive_logs(
        actor("operational_team"),
        deployment,
        [{"occurred_at": at(10), "action": "recent"}, {"occurred_at": at(170), "action": "old"}],
    )
    assert services.purge_logs(org) == 0
    later = timezone.now() + dt.timedelta(days=20)  # the 170-day-old record is now past 6 months
    assert services.purge_logs(org, now=later) == 1
    assert list(EventLogRecord.objects.values_list("action", flat=True)) == ["recent"]
    entry = AuditEvent.objects.filter(object_type="deployment", action="delete").get()
    assert entry.changes["event_log_purged"]["records"] == 1 and entry.actor_id is None


def test_the_purge_follows_a_changed_retention_and_runs_as_a_scheduled_task(actor, deployment, org):
    services.receive_logs(actor("operational_team"), deployment, [{"occurred_at": at(100), "action": "a"}])
    services.update_deployment(actor("ai_manager"), deployment, {"log_retention_months": 3})
    assert tasks.purge_event_logs.call() == 1
    assert EventLogRecord.objects.count() == 0
    assert any(t is tasks.purge_event_logs for t, _interval in tasks.PERIODIC)


def test_months_before_handles_the_end_of_a_month():
    moment = dt.datetime(2025, 3, 31, 12, tzinfo=dt.UTC)
    assert services.months_before(moment, 1) == dt.datetime(2025, 2, 28, 12, tzinfo=dt.UTC)
    assert services.months_before(moment, 15) == dt.datetime(2023, 12, 31, 12, tzinfo=dt.UTC)


def test_received_logs_satisfy_the_logging_criterion_without_a_log_location(actor, deployment, system):
    system.lifecycle_stage = "deployment"
    system.save(update_fields=["lifecycle_stage"])
    res = services.evaluate(actor("ai_manager"), system)
    r = next(x for x in res.results if x.key == "logging")
    assert not r.met and "none were received" in r.reason
    services.receive_logs(actor("operational_team"), deployment, [{"occurred_at": at(1), "action": "login"}])
    r = next(x for x in services.evaluate(actor("ai_manager"), system).results if x.key == "logging")
    assert r.met and "received in AIMS" in r.reason


def test_the_deployment_pages_show_the_received_logs(browser_client, actor, deployment):
    services.receive_logs(
        actor("operational_team"), deployment, [{"occurred_at": at(1), "actor": "u-77", "action": "override"}]
    )
    page = browser_client("internal_audit").get(f"/lifecycle/deployments/{deployment.pk}/").content.decode()
    assert "u-77" in page and "Kept 6 months" in page and "1 event record received" in page
    logs = browser_client("internal_audit").get(f"/lifecycle/deployments/{deployment.pk}/logs/?actor=u-77")
    assert logs.status_code == 200 and "override" in logs.content.decode()
    assert (
        "override"
        not in browser_client("internal_audit")
        .get(f"/lifecycle/deployments/{deployment.pk}/logs/?actor=someone")
        .content.decode()
    )
    assert browser_client("mallory").get(f"/lifecycle/deployments/{deployment.pk}/logs/").status_code == 404
    # The records name the people who used the system: not every member reads them.
    assert browser_client("risk_team").get(f"/lifecycle/deployments/{deployment.pk}/logs/").status_code == 403
    detail = browser_client("risk_team").get(f"/lifecycle/deployments/{deployment.pk}/").content.decode()
    assert "u-77" not in detail and "1 event record received" in detail
    from django.test import Client

    assert Client().get(f"/lifecycle/deployments/{deployment.pk}/logs/").status_code == 302
