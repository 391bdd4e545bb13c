import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from aims.assurance import services
from aims.assurance.models import Incident
from aims.core.models import AuditEvent
from tests.factories import AISystemFactory

AWARE = dt.datetime(2026, 3, 1, 10, 0, tzinfo=dt.UTC)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("category", "days"),
    [("other", 15), ("death", 10), ("widespread_infringement", 2), ("critical_infrastructure", 2)],
)
def test_it_computes_the_art73_deadline_from_awareness_and_category(actor, category, days):
    incident = services.create_incident(
        actor("operational_team"),
        {"title": "x", "serious": True, "serious_category": category, "detected_at": AWARE},
    )
    assert incident.report_due_at == AWARE + dt.timedelta(days=days)


@pytest.mark.django_db
def test_it_defaults_a_serious_incident_to_the_15_day_clock_and_clears_it_when_not_serious(actor):
    ops = actor("operational_team")
    incident = services.create_incident(ops, {"title": "x", "serious": True, "detected_at": AWARE})
    assert incident.serious_category == "other" and incident.report_due_at == AWARE + dt.timedelta(days=15)
    incident = services.update_incident(ops, incident, {"serious": False, "serious_category": ""})
    assert incident.report_due_at is None


@pytest.mark.django_db
def test_it_refuses_a_category_on_a_non_serious_incident(actor):
    with pytest.raises(ValidationError) as exc:
        services.create_incident(actor("operational_team"), {"title": "x", "serious_category": "death"})
    assert "serious_category" in exc.value.message_dict


@pytest.mark.django_db
def test_it_numbers_incidents_per_organization_and_starts_the_timeline(actor, outsider):
    a = services.create_incident(actor("operational_team"), {"title": "a"})
    b = services.create_incident(actor("operational_team"), {"title": "b"})
    c = services.create_incident(outsider, {"title": "c"})
    assert (a.reference, b.reference, c.reference) == ("INC-1", "INC-2", "INC-1")
    assert a.events.count() == 1


@pytest.mark.django_db
def test_it_walks_the_workflow_and_refuses_skipping_steps_with_a_clear_message(actor):
    ops, manager = actor("operational_team"), actor("ai_manager")
    incident = services.create_incident(ops, {"title": "Drift"})
    with pytest.raises(ValidationError) as exc:
        services.incident_transition(ops, incident, "resolved")
    assert "Cannot go from Reported to Resolved" in exc.value.message_dict["status"][0]
    assert "Triaged" in exc.value.message_dict["status"][0]
    incident = services.incident_transition(ops, incident, "triaged")
    incident = services.incident_transition(ops, incident, "investigating")
    with pytest.raises(ValidationError) as exc:
        services.incident_transition(ops, incident, "contained")
    assert "containment" in exc.value.message_dict
    incident = services.update_incident(
        ops, incident, {"containment": "Rolled back", "root_cause": "Bad feature"}
    )
    incident = services.incident_transition(ops, incident, "resolved")
    assert incident.resolved_at and incident.contained_at
    with pytest.raises(PermissionDenied):
        services.incident_transition(ops, incident, "closed")  # closing needs the approve right
    with pytest.raises(ValidationError) as exc:
        services.incident_transition(manager, incident, "closed")
    assert "lessons_learned" in exc.value.message_dict
    incident = services.update_incident(ops, incident, {"lessons_learned": "Test features"})
    incident = services.incident_transition(manager, incident, "closed")
    assert incident.status == "closed" and incident.closed_at
    assert [e.kind for e in incident.events.all()].count("status") == 5


@pytest.mark.django_db
def test_it_keeps_a_serious_incident_open_until_reported_to_the_authority(actor):
    ops, manager = actor("operational_team"), actor("ai_manager")
    incident = services.create_incident(
        ops, {"title": "Harm", "serious": True, "containment": "c", "root_cause": "r", "lessons_learned": "l"}
    )
    for status in ("triaged", "investigating", "resolved"):
        incident = services.incident_transition(ops, incident, status)
    with pytest.raises(ValidationError) as exc:
        services.incident_transition(manager, incident, "closed")
    assert "authority_reported_at" in exc.value.message_dict
    incident = services.report_to_authority(manager, incident, reference="MSA-1")
    assert incident.events.filter(kind="regulatory").exists()
    with pytest.raises(ValidationError):
        services.report_to_authority(manager, incident)
    assert services.incident_transition(manager, incident, "closed").status == "closed"


@pytest.mark.django_db
def test_it_refuses_an_ai_system_of_another_organization(actor, other_org):
    foreign = AISystemFactory(organization=other_org)
    with pytest.raises(ValidationError) as exc:
        services.create_incident(actor("operational_team"), {"title": "x", "ai_system_id": foreign.pk})
    assert "ai_system" in exc.value.message_dict


@pytest.mark.django_db
def test_it_raises_a_nonconformity_from_an_incident_and_audits_everything(actor, org):
    ops = actor("operational_team")
    system = AISystemFactory(organization=org)
    incident = services.create_incident(
        ops, {"title": "Bias", "severity": "critical", "ai_system_id": system.pk, "root_cause": "proxy"}
    )
    nc = services.incident_to_nonconformity(actor("ai_manager"), incident)
    assert (
        nc.incident_id == incident.pk
        and nc.grade == "major"
        and nc.ai_system_id == system.pk
        and nc.root_cause == "proxy"
    )
    types = set(AuditEvent.objects.filter(organization=org).values_list("object_type", flat=True))
    assert {"incident", "nonconformity"} <= types


@pytest.mark.django_db
def test_the_api_runs_the_incident_workflow_and_answers_422_naming_the_field(api):
    client = api("operational_team")
    made = client.post(
        "/api/v1/incidents", {"title": "x", "severity": "high"}, content_type="application/json"
    ).json()
    path = f"/api/v1/incidents/{made['id']}"
    bad = client.post(f"{path}/transition", {"status": "resolved"}, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "status"
    ok = client.post(
        f"{path}/transition", {"status": "triaged", "note": "seen"}, content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["status"] == "triaged"
    entry = client.post(f"{path}/timeline", {"text": "Vendor called"}, content_type="application/json")
    assert entry.status_code == 201
    assert len(client.get(path).json()["timeline"]) == 3
    wrong = client.post(
        "/api/v1/incidents", {"title": "x", "severity": "apocalyptic"}, content_type="application/json"
    )
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "severity"
    assert (
        api("mallory")
        .post(f"{path}/transition", {"status": "investigating"}, content_type="application/json")
        .status_code
        == 404
    )
    assert (
        api("external_auditor")
        .post(f"{path}/timeline", {"text": "x"}, content_type="application/json")
        .status_code
        == 403
    )


@pytest.mark.django_db
def test_the_incident_report_prints_as_pdf(browser_client, actor):
    incident = services.create_incident(
        actor("operational_team"), {"title": "Harm", "serious": True, "serious_category": "death"}
    )
    response = browser_client("ai_manager").get(f"/assurance/incidents/{incident.pk}/report.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert browser_client("mallory").get(f"/assurance/incidents/{incident.pk}/report.pdf").status_code == 404


def test_the_reporting_rules_are_data():
    from aims.assurance.models import serious_categories

    assert {k: v["days"] for k, v in serious_categories().items()} == {
        "other": 15,
        "widespread_infringement": 2,
        "critical_infrastructure": 2,
        "death": 10,
    }
    assert Incident.FLOW["closed"] == ("investigating",)
