"""Monitors, their evaluation when evidence arrives, alerts (open, acknowledged, resolved) with audit
entries, and what a critical alert sets in motion (risks review due, an incident)."""

from __future__ import annotations

import pytest
from django.core import mail

from aims.core.models import AuditEvent
from aims.monitoring import services
from aims.monitoring.models import Alert, Monitor, MonitorCheck, NotificationChannel

pytestmark = pytest.mark.django_db
JSON = "application/json"


def fields(response):
    return {e["field"] for e in response.json()["errors"]}


def post(client, url, body):
    return client.post(url, body, content_type=JSON)


DRIFT_MONITOR = {
    "ai_system": "loan-scoring",
    "name": "Credit amount drift",
    "metric": "drift.credit_amount.psi",
    "comparison": "above",
    "warning_threshold": 0.1,
    "critical_threshold": 0.25,
    "window_hours": 0,
    "min_sample_size": 100,
}


@pytest.fixture
def ingest(actor, system):
    def push(doc, role="batch", **kw):
        return services.ingest_profile(
            actor("technical_team"), ai_system=system, profile=doc, role=role, **kw
        )

    return push


def test_monitors_are_created_listed_changed_and_scoped(api, system, other_system):
    created = post(api("operational_team"), "/api/v1/monitors", DRIFT_MONITOR)
    assert created.status_code == 201, created.content
    monitor = created.json()
    assert monitor["ai_system"] == "loan-scoring" and monitor["last_status"] in ("new", "error")
    assert api("external_auditor").get("/api/v1/monitors?ai_system=loan-scoring").json()["count"] == 1
    assert api("mallory").get(f"/api/v1/monitors/{monitor['id']}").status_code == 404
    assert api("mallory").get("/api/v1/monitors").json()["count"] == 0
    patch = api("technical_team").patch(
        f"/api/v1/monitors/{monitor['id']}", {"warning_threshold": 0.15}, content_type=JSON
    )
    assert patch.status_code == 200 and patch.json()["warning_threshold"] == 0.15
    assert (
        api("internal_audit")
        .patch(f"/api/v1/monitors/{monitor['id']}", {"warning_threshold": 0.2}, content_type=JSON)
        .status_code
        == 403
    )
    assert (
        api("mallory")
        .patch(f"/api/v1/monitors/{monitor['id']}", {"warning_threshold": 0.2}, content_type=JSON)
        .status_code
        == 404
    )
    assert AuditEvent.objects.filter(object_type="monitor", action="update").count() == 1
    assert api("technical_team").delete(f"/api/v1/monitors/{monitor['id']}").status_code == 403
    assert api("ai_manager").delete(f"/api/v1/monitors/{monitor['id']}").status_code == 204


def test_a_monitor_is_refused_to_an_auditor_and_for_another_organizations_system(api, system, other_system):
    assert post(api("external_auditor"), "/api/v1/monitors", DRIFT_MONITOR).status_code == 403
    assert post(api("internal_audit"), "/api/v1/monitors", DRIFT_MONITOR).status_code == 403
    theirs = post(api("ai_manager"), "/api/v1/monitors", {**DRIFT_MONITOR, "ai_system": "their-system"})
    assert theirs.status_code == 422 and "ai_system" in fields(theirs)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"metric": "accuracy"}, "metric"),
        ({"metric": "performance.happiness"}, "metric"),
        ({"metric": "fairness.sex.groups.female"}, "metric"),
        ({"metric": "drift.age.loudness"}, "metric"),
        ({"warning_threshold": None, "critical_threshold": None}, "warning_threshold"),
        ({"warning_threshold": 0.3, "critical_threshold": 0.2}, "critical_threshold"),
        ({"comparison": "sideways"}, "comparison"),
        ({"window_hours": -1}, "window_hours"),
        ({"channels": [999999]}, "channels"),
        ({"reference_profile": 999999}, "reference_profile"),
        ({"model_version": "7.7.7"}, "model_version"),
    ],
)
def test_bad_monitor_input_answers_422_naming_the_field(api, system, change, field):
    response = post(api("ai_manager"), "/api/v1/monitors", {**DRIFT_MONITOR, **change})
    assert response.status_code == 422 and field in fields(response), response.content
    assert not Monitor.objects.exists()


def test_evidence_arrival_evaluates_monitors_and_a_breach_opens_one_critical_alert(
    api, actor, system, ingest, reference_doc, batch_docs, django_capture_on_commit_callbacks
):
    monitor = services.create_monitor(actor("operational_team"), dict(DRIFT_MONITOR))
    ingest(reference_doc, role="reference")
    with django_capture_on_commit_callbacks(execute=True):
        ingest(batch_docs[0])  # before the shift: PSI ~0.04
    monitor.refresh_from_db()
    assert monitor.last_status == "ok" and monitor.last_value < 0.1
    assert not Alert.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        ingest(batch_docs[-1])  # after the shift: PSI ~0.35
    monitor.refresh_from_db()
    assert monitor.last_status == "critical" and monitor.last_value > 0.25
    alert = Alert.objects.get()
    assert alert.severity == "critical" and alert.status == "open" and alert.threshold == 0.25
    assert "drift.credit_amount.psi" in alert.message
    event = AuditEvent.objects.filter(object_type="alert").latest("pk")
    assert event.action == "create" and event.source == "worker"
    # The same evidence evaluated again (the schedule) changes nothing.
    services.evaluate_all()
    assert Alert.objects.count() == 1 and Alert.objects.get().occurrences == 1
    assert MonitorCheck.objects.filter(monitor=monitor).count() == 2
    # The API shows it to everyone in acme, and to nobody else.
    listing = api("external_auditor").get("/api/v1/alerts?active=true").json()
    assert listing["count"] == 1 and listing["items"][0]["severity"] == "critical"
    assert api("mallory").get(f"/api/v1/alerts/{alert.pk}").status_code == 404
    assert api("mallory").get("/api/v1/alerts").json()["count"] == 0
    checks = api("internal_audit").get(f"/api/v1/monitors/{monitor.pk}/checks").json()
    assert [c["status"] for c in checks] == ["critical", "ok"]


def test_an_alert_is_acknowledged_then_resolved_with_audit_entries(
    api, actor, system, ingest, reference_doc, batch_docs
):
    services.create_monitor(actor("operational_team"), dict(DRIFT_MONITOR))
    ingest(reference_doc, role="reference")
    ingest(batch_docs[-1])
    services.evaluate_all()
    alert = Alert.objects.get()
    url = f"/api/v1/alerts/{alert.pk}"
    assert post(api("internal_audit"), f"{url}/acknowledge", {"note": "x"}).status_code == 403
    assert post(api("mallory"), f"{url}/acknowledge", {}).status_code == 404
    ack = post(
        api("operational_team"), f"{url}/acknowledge", {"note": "Looking at the new campaign's applicants."}
    )
    assert ack.status_code == 200 and ack.json()["status"] == "acknowledged"
    again = post(api("operational_team"), f"{url}/acknowledge", {})
    assert again.status_code == 422 and "status" in fields(again)
    resolved = post(api("risk_team"), f"{url}/resolve", {"note": "Model recalibrated on the new mix."})
    assert resolved.status_code == 200 and resolved.json()["status"] == "resolved"
    assert "recalibrated" in resolved.json()["note"]
    actions = list(
        AuditEvent.objects.filter(object_type="alert").order_by("pk").values_list("action", "source")
    )
    assert actions[0] == ("create", "worker") and actions[1:] == [("update", "api"), ("update", "api")]


def test_the_worker_resolves_an_alert_when_the_metric_comes_back(
    actor, system, ingest, reference_doc, batch_docs
):
    monitor = services.create_monitor(actor("operational_team"), dict(DRIFT_MONITOR))
    ingest(reference_doc, role="reference")
    ingest(batch_docs[-1])
    services.evaluate_monitor(monitor)
    assert Alert.objects.get().status == "open"
    ingest(batch_docs[1])  # the latest batch is back to normal
    services.evaluate_monitor(monitor)
    alert = Alert.objects.get()
    assert alert.status == "resolved" and alert.resolved_by is None and "back within" in alert.note


def test_a_warning_escalates_to_critical_and_too_little_data_never_alerts(
    actor, system, ingest, reference_doc, batch_docs
):
    monitor = services.create_monitor(
        actor("operational_team"), {**DRIFT_MONITOR, "critical_threshold": 0.9, "warning_threshold": 0.2}
    )
    ingest(reference_doc, role="reference")
    ingest(batch_docs[-1])
    services.evaluate_monitor(monitor)
    assert Alert.objects.get().severity == "warning"
    services.update_monitor(actor("operational_team"), monitor, {"critical_threshold": 0.3})
    monitor.refresh_from_db()
    services.evaluate_monitor(monitor)
    alert = Alert.objects.get()
    assert alert.severity == "critical" and alert.occurrences == 2
    strict = services.create_monitor(
        actor("operational_team"), {**DRIFT_MONITOR, "name": "strict", "min_sample_size": 10_000}
    )
    services.evaluate_monitor(strict)
    strict.refresh_from_db()
    assert strict.last_status == "insufficient_data" and not strict.alerts.exists()


def test_every_kind_of_metric_is_measured(actor, system, ingest, reference_doc, batch_docs):
    ingest(reference_doc, role="reference")
    for doc in batch_docs[:3]:
        ingest(doc)
    services.push_points(
        actor("operational_team"),
        ai_system=system,
        points=[
            {"name": "latency_p95_ms", "value": 300.0, "sample_size": 100},
            {"name": "latency_p95_ms", "value": 600.0, "sample_size": 300},
        ],
    )
    expectations = {
        "performance.accuracy": (0.5, 1.0),
        "performance.roc_auc": (0.5, 1.0),
        "fairness.sex.demographic_parity_difference": (0.0, 0.3),
        "fairness.sex.groups.female.selection_rate": (0.3, 1.0),
        "drift.age.psi": (0.0, 0.2),
        "drift.share_drifted": (0.0, 0.5),
        "quality.age.missing_share": (0.0, 0.0),
        "volume.n_rows": (750, 750),
        "point.latency_p95_ms": (525.0, 525.0),
    }
    for metric, (lo, hi) in expectations.items():
        monitor = services.create_monitor(
            actor("operational_team"),
            {
                "ai_system": system.slug,
                "name": metric,
                "metric": metric,
                "warning_threshold": 1e9,
                "window_hours": 24 * 365 * 5,
                "min_sample_size": 1,
            },
        )
        result = services.evaluate(monitor)
        assert result.status == "ok", (metric, result)
        assert lo <= result.value <= hi, (metric, result.value)
    # A merged window is the profile of the union: volume adds up, accuracy is the pooled one.
    assert services.evaluate(Monitor.objects.get(name="point.latency_p95_ms")).sample_size == 400


def test_a_drift_monitor_without_a_reference_says_so(actor, system, ingest, batch_docs):
    ingest(batch_docs[0])
    monitor = services.create_monitor(actor("operational_team"), dict(DRIFT_MONITOR))
    result = services.evaluate(monitor)
    assert result.status == "error" and "reference" in result.detail


def test_a_critical_alert_marks_the_systems_risks_review_due_and_opens_an_incident(
    actor, org, system, ingest, reference_doc, batch_docs
):
    from aims.assurance.models import Incident
    from aims.risk.models import Risk
    from tests.risk.factories import RiskFactory

    risk = RiskFactory(organization=org, title="Model drift goes unnoticed", ai_systems=[system])
    closed = RiskFactory(organization=org, title="Old one", ai_systems=[system], status=Risk.Status.CLOSED)
    unrelated = RiskFactory(organization=org, title="Elsewhere")
    monitor = services.create_monitor(actor("operational_team"), {**DRIFT_MONITOR, "open_incident": True})
    ingest(reference_doc, role="reference")
    ingest(batch_docs[-1])
    services.evaluate_monitor(monitor)
    alert = Alert.objects.get()
    risk.refresh_from_db(), closed.refresh_from_db(), unrelated.refresh_from_db()
    assert risk.review_due and "Critical monitoring alert" in risk.review_due_reason
    assert not closed.review_due and not unrelated.review_due
    assert alert.links["risks_review_due"] == [risk.pk]
    incident = Incident.objects.get(organization=org)
    assert (
        incident.ai_system == system
        and incident.detection_source == "monitor_alert"
        and incident.incident_type == "drift"
    )
    assert alert.links["incident"]["id"] == incident.pk
    assert AuditEvent.objects.filter(object_type="risk", object_id=str(risk.pk), action="update").exists()


def test_a_failing_hook_is_recorded_and_does_not_undo_the_alert(
    actor, system, ingest, reference_doc, batch_docs, monkeypatch
):
    from aims.monitoring import hooks

    def broken(alert):
        raise RuntimeError("incident desk down")

    monkeypatch.setattr(hooks, "CRITICAL_HOOKS", [broken])
    monitor = services.create_monitor(actor("operational_team"), dict(DRIFT_MONITOR))
    ingest(reference_doc, role="reference")
    ingest(batch_docs[-1])
    services.evaluate_monitor(monitor)
    alert = Alert.objects.get()
    assert alert.severity == "critical" and "incident desk down" in alert.links["errors"][0]


def test_an_alert_sends_an_email_to_the_channel(
    actor, system, ingest, reference_doc, batch_docs, django_capture_on_commit_callbacks
):
    channel = services.create_channel(
        actor("ai_manager"),
        {"name": "On call", "kind": "email", "target": "ml@acme.example, ops@acme.example"},
    )
    critical_only = services.create_channel(
        actor("ai_manager"),
        {"name": "Board", "kind": "email", "target": "ceo@acme.example", "min_severity": "critical"},
    )
    monitor = services.create_monitor(
        actor("operational_team"),
        {**DRIFT_MONITOR, "critical_threshold": 0.9, "channels": [channel.pk, critical_only.pk]},
    )
    ingest(reference_doc, role="reference")
    ingest(batch_docs[-1])
    with django_capture_on_commit_callbacks(execute=True):
        services.evaluate_monitor(monitor)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ml@acme.example", "ops@acme.example"] and "Credit amount drift" in message.subject
    assert "/monitoring/alerts/" in message.body
    assert Alert.objects.get().notifications.get().status == "sent"
    assert NotificationChannel.objects.get(name="Board").notifications.count() == 0
