import datetime as dt

import pytest
from django.utils import timezone

from aims.assurance.models import KPI
from aims.core import services as core
from aims.governance import services
from aims.governance.dates import add_months
from aims.governance.models import Competence, Objective


def test_months_are_added_to_the_end_of_short_months():
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2026, 11, 15), 24) == dt.date(2028, 11, 15)


@pytest.mark.django_db
def test_the_default_raci_has_one_accountable_role_per_process_and_can_be_adopted(api, actor):
    got = api("risk_team").get("/api/v1/raci").json()
    assert got["default"] is True
    for row in got["processes"]:
        assert list(row["cells"].values()).count("A") == 1, row["process"]
    assert api("risk_team").post("/api/v1/raci/defaults").status_code == 403
    assert api("ai_manager").post("/api/v1/raci/defaults").status_code == 201
    assert api("ai_manager").get("/api/v1/raci").json()["default"] is False
    clash = api("ai_manager").put(
        "/api/v1/raci/cell",
        {"process": "risk", "role": "cio_cdo", "letter": "A"},
        content_type="application/json",
    )
    assert clash.status_code == 422 and clash.json()["errors"][0]["field"] == "letter"
    assert (
        api("ai_manager")
        .put(
            "/api/v1/raci/cell",
            {"process": "risk", "role": "cio_cdo", "letter": "C"},
            content_type="application/json",
        )
        .json()["letter"]
        == "C"
    )
    assert (
        api("mallory").get("/api/v1/raci").json()["default"] is True
    )  # the other organization's RACI is its own


@pytest.mark.django_db
def test_people_record_their_own_training_and_managers_anyone(api, members):
    me = api("technical_team").post(
        "/api/v1/trainings",
        {"course": "Fairness", "completed_on": "2026-01-10"},
        content_type="application/json",
    )
    assert me.status_code == 201 and me.json()["person_id"] == members["technical_team"].user_id
    other = api("technical_team").post(
        "/api/v1/trainings",
        {"course": "x", "completed_on": "2026-01-10", "person_id": members["risk_team"].user_id},
        content_type="application/json",
    )
    assert other.status_code == 403
    assert (
        api("ai_manager")
        .post(
            "/api/v1/trainings",
            {"course": "x", "completed_on": "2026-01-10", "person_id": members["risk_team"].user_id},
            content_type="application/json",
        )
        .status_code
        == 201
    )
    future = api("ai_manager").post(
        "/api/v1/trainings", {"course": "x", "completed_on": "2999-01-01"}, content_type="application/json"
    )
    assert future.status_code == 422 and future.json()["errors"][0]["field"] == "completed_on"
    assert api("mallory").get(f"/api/v1/trainings/{me.json()['id']}").status_code == 404
    assert (
        api("external_auditor")
        .post(
            "/api/v1/trainings",
            {"course": "x", "completed_on": "2026-01-10"},
            content_type="application/json",
        )
        .status_code
        == 403
    )


@pytest.mark.django_db
def test_competence_gaps_and_expiry(actor, members, org):
    manager = actor("ai_manager")
    comp = core.create(
        manager,
        Competence,
        {"role": "technical_team", "name": "Fairness testing", "course": "Fairness", "validity_months": 12},
    )
    report = services.competence_gaps(org)
    assert (
        report["people_with_requirements"] == 1
        and report["people_complete"] == 0
        and report["gaps"][0]["status"] == "missing"
    )
    today = timezone.localdate()
    record = services.create_training(
        manager,
        {
            "person_id": members["technical_team"].user_id,
            "course": "fairness",
            "completed_on": today - dt.timedelta(days=400),
            "competence_id": comp.pk,
        },
    )
    assert record.expires_on == add_months(today - dt.timedelta(days=400), 12)
    assert services.competence_gaps(org)["gaps"][0]["status"] == "expired"
    services.create_training(
        manager,
        {
            "person_id": members["technical_team"].user_id,
            "course": "Fairness",
            "completed_on": today - dt.timedelta(days=350),
        },
    )
    report = services.competence_gaps(org)  # matched by course name; expiry from the competence's validity
    assert report["people_complete"] == 1 and report["gap_count"] == 0
    assert report["expiring"][0]["expires_on"] == add_months(today - dt.timedelta(days=350), 12).isoformat()


@pytest.mark.django_db
def test_an_objective_follows_its_kpi(actor, org):
    manager = actor("ai_manager")
    kpi = core.create(manager, KPI, {"key": "cov", "name": "Coverage", "target": 100})
    obj = core.create(
        manager,
        Objective,
        {"title": "All covered", "kpi_id": kpi.pk, "due_date": timezone.localdate() + dt.timedelta(days=200)},
    )
    assert obj.status == "not_started"  # not measured yet: the manual status
    KPI.objects.filter(pk=kpi.pk).update(last_value=80)
    obj.refresh_from_db()
    assert obj.status == "on_track"
    Objective.objects.filter(pk=obj.pk).update(due_date=timezone.localdate() + dt.timedelta(days=30))
    obj.refresh_from_db()
    assert obj.status == "at_risk"
    KPI.objects.filter(pk=kpi.pk).update(last_value=100)
    obj.refresh_from_db()
    assert obj.status == "achieved"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("resource", "allowed", "refused", "body", "bad", "field"),
    [
        (
            "objectives",
            "top_management",
            "technical_team",
            {"title": "x"},
            {"title": "x", "manual_status": "meh"},
            "manual_status",
        ),
        (
            "competences",
            "cio_cdo",
            "risk_team",
            {"role": "risk_team", "name": "x"},
            {"role": "jester", "name": "x"},
            "role",
        ),
        (
            "communications",
            "ai_manager",
            "operational_team",
            {"topic": "x", "audience": "y"},
            {"topic": "x", "audience": "y", "external": True},
            "spokesperson_role",
        ),
        (
            "resources",
            "top_management",
            "technical_team",
            {"kind": "budget", "description": "x"},
            {"kind": "budget", "description": "x", "year": 1900},
            "year",
        ),
    ],
)
def test_each_governance_resource_allows_refuses_and_hides(
    api, resource, allowed, refused, body, bad, field, django_assert_max_num_queries
):
    made = api(allowed).post(f"/api/v1/{resource}", body, content_type="application/json")
    assert made.status_code == 201, made.content
    path = f"/api/v1/{resource}/{made.json()['id']}"
    assert api("external_auditor").get(path).status_code == 200
    assert api(refused).post(f"/api/v1/{resource}", body, content_type="application/json").status_code == 403
    assert api("mallory").get(path).status_code == 404
    wrong = api(allowed).post(f"/api/v1/{resource}", bad, content_type="application/json")
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == field
    for _ in range(5):
        api(allowed).post(f"/api/v1/{resource}", body, content_type="application/json")
    with django_assert_max_num_queries(8):
        assert api(allowed).get(f"/api/v1/{resource}").json()["count"] == 6


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["documents/", "raci/", "objectives/", "training/", "communication/"])
def test_governance_pages_open_for_members(browser_client, page):
    assert browser_client("external_auditor").get(f"/governance/{page}").status_code == 200
    assert browser_client("mallory").get(f"/governance/{page}").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("page", "allowed", "refused"),
    [
        ("objectives/new/", "top_management", "technical_team"),
        ("training/new/", "technical_team", "external_auditor"),
        ("communication/new/", "ai_manager", "risk_team"),
    ],
)
def test_governance_forms_allow_and_refuse(browser_client, page, allowed, refused):
    assert browser_client(allowed).get(f"/governance/{page}").status_code == 200
    assert browser_client(refused).get(f"/governance/{page}").status_code == 403


@pytest.mark.django_db
def test_setting_a_raci_cell_from_the_page(browser_client):
    assert (
        browser_client("risk_team")
        .post("/governance/raci/", {"process": "risk", "role": "cio_cdo", "letter": "C"})
        .status_code
        == 403
    )
    r = browser_client("ai_manager").post(
        "/governance/raci/", {"process": "risk", "role": "cio_cdo", "letter": "I"}, follow=True
    )
    assert r.status_code == 200 and b"Responsibility saved" in r.content
