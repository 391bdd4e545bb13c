import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from aims.assurance import kpis, services
from aims.assurance.models import KPI, Task
from aims.assurance.tasks import run_daily
from tests.factories import AISystemFactory


@pytest.mark.django_db
def test_coverage_kpis_count_owned_documented_and_classified_systems(org, members):
    owner = members["ai_manager"].user
    AISystemFactory(organization=org, owner=owner, documentation_status="complete", eu_ai_act_tier="high")
    AISystemFactory(organization=org, owner=owner, documentation_status="none")
    AISystemFactory(organization=org, documentation_status="partial", eu_ai_act_tier="minimal")
    AISystemFactory(
        organization=org, owner=owner, documentation_status="complete", lifecycle_stage="retired"
    )  # not counted
    assert kpis.coverage_owner_docs(org) == pytest.approx(33.3)
    assert kpis.coverage_classified(org) == pytest.approx(66.7)


@pytest.mark.django_db
def test_incident_kpis_count_open_and_mean_days_to_close(org, actor):
    manager = actor("ai_manager")
    assert kpis.incidents_days_to_close(org) is None
    inc = services.create_incident(
        manager,
        {
            "title": "a",
            "containment": "c",
            "root_cause": "r",
            "lessons_learned": "l",
            "detected_at": timezone.now() - dt.timedelta(days=4),
        },
    )
    services.create_incident(manager, {"title": "b"})
    for s in ("triaged", "investigating", "resolved", "closed"):
        inc = services.incident_transition(manager, inc, s)
    assert kpis.incidents_open(org) == 1
    assert kpis.incidents_days_to_close(org) == pytest.approx(4.0, abs=0.01)


@pytest.mark.django_db
def test_measuring_creates_the_builtin_kpis_and_appends_to_their_series(org):
    first = services.measure_kpis(org)
    assert set(first) == set(kpis.BUILTINS)
    services.measure_kpis(org)
    kpi = KPI.objects.get(organization=org, key="incidents_open")
    assert kpi.measurements.count() == 2 and kpi.last_value == 0 and kpi.on_target is True


@pytest.mark.django_db
def test_custom_kpis_take_measurements_through_the_api(api):
    client = api("ai_manager")
    made = client.post(
        "/api/v1/kpis",
        {"key": "complaints", "name": "Complaints answered", "target": 90},
        content_type="application/json",
    )
    assert made.status_code == 201
    assert (
        client.post(
            "/api/v1/kpis/complaints/measurements", {"value": 85}, content_type="application/json"
        ).status_code
        == 201
    )
    assert client.get("/api/v1/kpis/complaints").json()["last_value"] == 85
    assert client.get("/api/v1/kpis/complaints").json()["on_target"] is False
    assert (
        api("risk_team")
        .post("/api/v1/kpis/complaints/measurements", {"value": 1}, content_type="application/json")
        .status_code
        == 403
    )
    assert api("mallory").get("/api/v1/kpis/complaints/measurements").status_code == 404
    dup = client.post("/api/v1/kpis", {"key": "complaints", "name": "again"}, content_type="application/json")
    assert dup.status_code == 422 and dup.json()["errors"][0]["field"] == "key"
    bad = client.post(
        "/api/v1/kpis", {"key": "x", "name": "x", "builtin": "magic"}, content_type="application/json"
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "builtin"


@pytest.mark.django_db
def test_dates_become_tasks_once_and_close_when_done(org, actor, members):
    ops = actor("operational_team")
    inc = services.create_incident(
        ops, {"title": "Harm", "serious": True, "owner_id": members["operational_team"].user_id}
    )
    first = services.generate_tasks(org)
    assert first.get("art73") == 1
    again = services.generate_tasks(org)
    assert again.get("art73", 0) == 0
    task = Task.objects.get(source_key=f"art73:{inc.pk}")
    assert task.assignee_id == members["operational_team"].user_id and task.kind == "report"
    services.report_to_authority(actor("ai_manager"), inc)
    services.generate_tasks(org)
    task.refresh_from_db()
    assert task.status == "done"


@pytest.mark.django_db
def test_reminders_are_sent_once(org, actor, members):
    services.create_incident(
        actor("operational_team"),
        {"title": "Harm", "serious": True, "serious_category": "widespread_infringement"},
    )
    result = run_daily(org)
    assert result["reminders"] >= 1
    sent = len(mail.outbox)
    assert any("Art. 73" in m.subject for m in mail.outbox)
    assert run_daily(org)["reminders"] == 0 and len(mail.outbox) == sent


@pytest.mark.django_db
def test_my_tasks_lists_mine_and_my_roles(api, members, org):
    Task.objects.create(organization=org, title="mine", assignee=members["risk_team"].user)
    Task.objects.create(organization=org, title="role", assignee_role="risk_team")
    Task.objects.create(organization=org, title="other", assignee=members["ai_manager"].user)
    got = api("risk_team").get("/api/v1/tasks?mine=true").json()
    assert sorted(t["title"] for t in got["items"]) == ["mine", "role"]
    other = Task.objects.get(title="other")
    assert (
        api("risk_team")
        .post(f"/api/v1/tasks/{other.pk}/complete", {"status": "done"}, content_type="application/json")
        .status_code
        == 403
    )
    assert (
        api("ai_manager")
        .post(f"/api/v1/tasks/{other.pk}/complete", {"status": "done"}, content_type="application/json")
        .json()["status"]
        == "done"
    )
    assert api("mallory").get(f"/api/v1/tasks/{other.pk}").status_code == 404
