"""/api/v1/impact-assessments (A.5.2-A.5.5): per AI system, versioned, approved by someone other
than the author, and feeding significant impacts into the risk register."""

import pytest

from aims.core.models import AuditEvent
from aims.risk.models import ImpactAssessment, Risk

URL = "/api/v1/impact-assessments"

BODY = {
    "ai_system": "credit-scoring",
    "title": "Credit scoring impact assessment",
    "intended_purpose": "Recommend approval or referral of consumer loan applications.",
    "foreseeable_misuse": "Using the score for marketing eligibility.",
    "affected_groups": "Applicants by age, gender, nationality",
    "affects_minors": False,
    "processes_personal_data": True,
    "dpia_required": True,
    "dpia_reference": "DPIA-2026-007",
    "overall_result": "Acceptable with monitoring of outcomes by group.",
    "items": [
        {
            "area": "fairness",
            "affected": "groups",
            "description": "Older applicants refused more often",
            "severity": 4,
            "likelihood": 4,
            "reversibility": "difficult",
            "scale": "many",
            "mitigation": "Outcome monitoring",
        },
        {
            "area": "privacy",
            "affected": "individuals",
            "description": "Scores kept longer than needed",
            "severity": 2,
            "likelihood": 2,
        },
        {
            "area": "economy",
            "affected": "society",
            "description": "Credit access shrinks in a region",
            "severity": 5,
            "likelihood": 4,
            "scale": "widespread",
        },
    ],
}


def create(client, **changes):
    return client.post(URL, {**BODY, **changes}, content_type="application/json")


def test_it_creates_an_assessment_with_levelled_impacts(api, system, method):
    got = create(api("risk_team"))
    assert got.status_code == 201, got.content
    body = got.json()
    assert body["number"] == 1 and body["status"] == "draft" and body["ai_system_slug"] == "credit-scoring"
    assert [i["level"] for i in body["items"]] == ["high", "low", "critical"]
    assert body["overall_level"] == "critical"


def test_it_refuses_roles_and_other_organizations(api, system, method):
    assert create(api("internal_audit")).status_code == 403
    made = create(api("risk_team")).json()
    assert api("mallory").get(f"{URL}/{made['id']}").status_code == 404
    assert api("mallory").post(f"{URL}/{made['id']}/submit").status_code == 404
    assert (
        api("mallory")
        .patch(f"{URL}/{made['id']}", {"title": "x"}, content_type="application/json")
        .status_code
        == 404
    )
    got = create(api("mallory"))
    assert got.status_code == 422 and got.json()["errors"][0]["field"] == "ai_system"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            {"items": [{"area": "weather", "description": "x", "severity": 1, "likelihood": 1}]},
            "items.0.area",
        ),
        (
            {"items": [{"area": "privacy", "description": "x", "severity": 9, "likelihood": 1}]},
            "items.0.severity",
        ),
        ({"intended_purpose": ""}, "intended_purpose"),
        ({"processes_personal_data": False}, "dpia_required"),
    ],
)
def test_bad_input_names_the_field(api, system, method, change, field):
    got = create(api("risk_team"), **change)
    assert got.status_code == 422, got.content
    assert got.json()["errors"][0]["field"] == field
    assert not ImpactAssessment.objects.exists()


def test_approval_feeds_significant_impacts_into_the_register(api, system, method):
    made = create(api("risk_team")).json()
    path = f"{URL}/{made['id']}"
    assert api("ai_manager").post(f"{path}/approve").status_code == 422  # submit first
    assert api("risk_team").post(f"{path}/submit").status_code == 200
    assert (
        api("risk_team").patch(path, {"title": "x"}, content_type="application/json").status_code == 422
    )  # frozen
    assert api("technical_team").post(f"{path}/approve").status_code == 403
    got = api("ai_manager").post(f"{path}/approve")
    assert got.status_code == 200, got.content
    body = got.json()
    assert body["status"] == "approved" and body["next_review_date"]
    fed = {i["description"]: i["risk_id"] for i in body["items"]}
    assert fed["Scores kept longer than needed"] is None  # low: below the "high" threshold
    fairness = Risk.objects.get(pk=fed["Older applicants refused more often"])
    economy = Risk.objects.get(pk=fed["Credit access shrinks in a region"])
    assert (fairness.category.key, fairness.inherent_level, fairness.impact_assessment_id) == (
        "bias",
        "high",
        made["id"],
    )
    assert economy.inherent_level == "critical" and list(
        economy.ai_systems.values_list("slug", flat=True)
    ) == ["credit-scoring"]
    assert AuditEvent.objects.filter(object_type="impact_assessment", action="approve").exists()
    assert AuditEvent.objects.filter(object_type="risk", action="create", object_id=str(fairness.pk)).exists()


def test_the_author_does_not_approve_their_own_assessment(api, system, method):
    made = create(api("ai_manager")).json()
    api("ai_manager").post(f"{URL}/{made['id']}/submit")
    assert api("ai_manager").post(f"{URL}/{made['id']}/approve").status_code == 403
    assert api("cio_cdo").post(f"{URL}/{made['id']}/approve").status_code == 200


def test_a_new_version_updates_the_linked_risks_and_supersedes_the_old(api, system, method):
    made = create(api("risk_team")).json()
    api("risk_team").post(f"{URL}/{made['id']}/submit")
    api("ai_manager").post(f"{URL}/{made['id']}/approve")
    risks_before = Risk.objects.count()
    new = api("risk_team").post(f"{URL}/{made['id']}/new-version")
    assert new.status_code == 201 and new.json()["number"] == 2
    items = new.json()["items"]
    items[0]["likelihood"] = 5  # the fairness impact got worse
    items = [{k: v for k, v in i.items() if k not in ("id", "level", "risk_id")} for i in items]
    assert (
        api("risk_team")
        .patch(f"{URL}/{new.json()['id']}", {"items": items}, content_type="application/json")
        .status_code
        == 200
    )
    api("risk_team").post(f"{URL}/{new.json()['id']}/submit")
    assert api("ai_manager").post(f"{URL}/{new.json()['id']}/approve").status_code == 200
    assert Risk.objects.count() == risks_before  # updated, not duplicated
    fairness = Risk.objects.get(title__startswith="Fairness")
    assert (fairness.likelihood, fairness.inherent_level) == (5, "critical")
    assert fairness.reassessments.count() == 1
    assert ImpactAssessment.objects.get(pk=made["id"]).status == "superseded"
    assert api("external_auditor").get(URL, {"system": "credit-scoring"}).json()["count"] == 2
    assert api("external_auditor").get(URL, {"status": "approved"}).json()["count"] == 1


def test_a_returned_assessment_is_editable_again(api, system, method):
    made = create(api("risk_team")).json()
    api("risk_team").post(f"{URL}/{made['id']}/submit")
    assert api("top_management").post(f"{URL}/{made['id']}/return").json()["status"] == "draft"
    assert (
        api("risk_team")
        .patch(f"{URL}/{made['id']}", {"title": "Revised"}, content_type="application/json")
        .status_code
        == 200
    )


def test_the_list_keeps_a_bounded_number_of_queries(api, system, method, django_assert_max_num_queries):
    client = api("risk_team")
    for _ in range(20):
        made = create(client).json()
        ImpactAssessment.objects.filter(pk=made["id"]).update(status="superseded")
    with django_assert_max_num_queries(10):
        got = client.get(URL, {"page_size": 100})
    assert got.json()["count"] == 20 and len(got.json()["items"][0]["items"]) == 3
