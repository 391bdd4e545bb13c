"""/api/v1/risks: the register through the API, scoped, validated, computed, filtered, exported."""

import datetime as dt

import pytest
from django.utils import timezone

from aims.core.models import AuditEvent
from aims.risk import services
from aims.risk.models import Risk, RiskReassessment

from .factories import RiskFactory

URL = "/api/v1/risks"


def post(client, body):
    return client.post(URL, body, content_type="application/json")


def test_it_registers_an_assessed_risk_with_computed_levels(api, members, system, party):
    got = post(
        api("risk_team"),
        {
            "title": "Unequal approval rates",
            "category": "bias",
            "ai_systems": ["credit-scoring"],
            "likelihood": 4,
            "impact": 5,
            "rationale": "Audit of 2025 decisions",
            "residual_likelihood": 2,
            "residual_impact": 3,
            "treatment": "mitigate",
            "owner_id": members["risk_team"].user_id,
            "interested_parties": [party.pk],
            "lifecycle_stage": "operation",
            "control_refs": ["A.7.4"],
        },
    )
    assert got.status_code == 201, got.content
    body = got.json()
    assert body["ref"] == "R-0001" and body["status"] == "assessed"
    assert (body["inherent_level"], body["inherent_level_name"]) == ("critical", "Critical")
    assert (body["residual_level"], body["level"]) == ("medium", "medium")
    # next review from the method: medium is reviewed every 6 months, from today
    assert body["next_review_date"] == services.add_months(timezone.localdate(), 6).isoformat()
    assert body["ai_systems"] == [{"id": system.pk, "slug": "credit-scoring", "name": "Credit scoring"}]
    assert body["category_name"] == "Bias and discrimination"
    assert AuditEvent.objects.filter(object_type="risk", action="create", object_id=str(body["id"])).exists()


def test_a_risk_without_values_is_identified(api, members):
    got = post(api("technical_team"), {"title": "Model may drift", "category": "performance"})
    assert got.status_code == 201 and got.json()["status"] == "identified" and got.json()["level"] == ""


def test_it_refuses_roles_without_rights(api, members, risk):
    assert post(api("internal_audit"), {"title": "x", "category": "bias"}).status_code == 403
    assert (
        api("external_auditor")
        .patch(f"{URL}/{risk.pk}", {"title": "y"}, content_type="application/json")
        .status_code
        == 403
    )
    assert api("technical_team").delete(f"{URL}/{risk.pk}").status_code == 403
    assert api("external_auditor").get(f"{URL}/{risk.pk}").status_code == 200


def test_another_organization_gets_404(api, members, risk):
    for call in (
        lambda c: c.get(f"{URL}/{risk.pk}"),
        lambda c: c.patch(f"{URL}/{risk.pk}", {"title": "x"}, content_type="application/json"),
        lambda c: c.delete(f"{URL}/{risk.pk}"),
        lambda c: c.post(f"{URL}/{risk.pk}/review", {}, content_type="application/json"),
        lambda c: c.get(f"{URL}/{risk.pk}/reassessments"),
    ):
        assert call(api("mallory")).status_code == 404
    assert api("mallory").get(URL).json()["count"] == 0


def test_it_does_not_link_another_organizations_system(api, members, mallory):
    from tests.factories import AISystemFactory

    theirs = AISystemFactory(organization=mallory.organization, slug="their-system")
    got = post(api("risk_team"), {"title": "x", "category": "bias", "ai_systems": [theirs.pk]})
    assert got.status_code == 422 and got.json()["errors"][0]["field"] == "ai_systems"
    assert Risk.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "x", "category": "nope"}, "category"),
        ({"title": "", "category": "bias"}, "title"),
        ({"title": "x", "category": "bias", "likelihood": 6, "impact": 1}, "likelihood"),
        ({"title": "x", "category": "bias", "likelihood": 3}, "impact"),
        ({"title": "x", "category": "bias", "treatment": "ignore"}, "treatment"),
        ({"title": "x", "category": "bias", "status": "accepted"}, "status"),
        ({"title": "x", "category": "bias", "lifecycle_stage": "someday"}, "lifecycle_stage"),
        ({"title": "x", "category": "bias", "owner_id": 999999}, "owner"),
    ],
)
def test_bad_input_gives_422_naming_the_field(api, members, body, field):
    got = post(api("risk_team"), body)
    assert got.status_code == 422, got.content
    assert field in [e["field"] for e in got.json()["errors"]] or any(
        e["field"].startswith(field) for e in got.json()["errors"]
    ), got.json()
    assert Risk.objects.count() == 0


def test_values_beyond_a_smaller_scale_are_refused(api, members):
    api("risk_team").put("/api/v1/risk-methodology", {"size": 3}, content_type="application/json")
    got = post(api("risk_team"), {"title": "x", "category": "bias", "likelihood": 4, "impact": 1})
    assert got.status_code == 422 and got.json()["errors"][0]["field"] == "likelihood"


def test_the_status_follows_the_workflow(api, members, risk):
    client = api("risk_team")
    path = f"{URL}/{risk.pk}"
    assert client.patch(path, {"status": "in_treatment"}, content_type="application/json").status_code == 422
    assert (
        client.patch(
            path, {"treatment": "mitigate", "status": "treatment_planned"}, content_type="application/json"
        ).status_code
        == 200
    )
    assert (
        client.patch(path, {"status": "in_treatment"}, content_type="application/json").json()["status"]
        == "in_treatment"
    )
    refused = client.patch(path, {"status": "accepted"}, content_type="application/json")
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "status"
    assert (
        client.patch(path, {"status": "closed"}, content_type="application/json").json()["status"] == "closed"
    )
    assert client.patch(path, {"status": "in_treatment"}, content_type="application/json").status_code == 422


def test_a_reassessment_keeps_the_previous_values(api, members, risk):
    client = api("risk_team")
    got = client.patch(f"{URL}/{risk.pk}", {"likelihood": 2}, content_type="application/json")
    assert got.status_code == 200 and got.json()["inherent_level"] == "medium"
    again = RiskReassessment.objects.get(risk=risk)
    assert again.previous["likelihood"] == 4 and again.previous["inherent_level"] == "high"
    assert again.current["likelihood"] == 2 and again.current["inherent_level"] == "medium"
    listed = client.get(f"{URL}/{risk.pk}/reassessments").json()
    assert listed[0]["previous"]["inherent_level"] == "high"


def test_a_review_clears_review_due_and_restarts_the_clock(api, members, risk):
    Risk.objects.filter(pk=risk.pk).update(
        review_due=True, review_due_reason="stage change", last_assessed_on=dt.date(2020, 1, 1)
    )
    got = api("risk_team").post(
        f"{URL}/{risk.pk}/review", {"note": "still valid"}, content_type="application/json"
    )
    assert got.status_code == 200, got.content
    assert got.json()["review_due"] is False
    assert got.json()["next_review_date"] == services.add_months(timezone.localdate(), 3).isoformat()
    assert (
        api("technical_team").post(f"{URL}/{risk.pk}/review", {}, content_type="application/json").status_code
        == 403
    )


def test_filters_search_and_sorting(api, members, org, system, risk):
    client = api("viewer" if False else "external_auditor")
    services.create_risk(
        services_actor(members, "risk_team"),
        {"title": "Privacy leak in logs", "category": "privacy", "likelihood": 1, "impact": 2},
    )
    assert client.get(URL, {"q": "privacy leak"}).json()["count"] == 1
    assert client.get(URL, {"system": "credit-scoring"}).json()["count"] == 1
    assert client.get(URL, {"system": "none"}).json()["count"] == 1
    assert client.get(URL, {"category": "bias"}).json()["count"] == 1
    assert client.get(URL, {"level": "high"}).json()["items"][0]["id"] == risk.pk
    assert [r["level"] for r in client.get(URL, {"sort": "-level"}).json()["items"]] == ["high", "low"]
    assert client.get(URL, {"status": "assessed"}).json()["count"] == 2
    assert client.get(URL, {"overdue": "true"}).json()["count"] == 0
    Risk.objects.filter(pk=risk.pk).update(next_review_date=dt.date(2020, 1, 1))
    assert client.get(URL, {"overdue": "true"}).json()["count"] == 1
    assert client.get(URL, {"owner": "none"}).json()["count"] == 2


def services_actor(members, role):
    from aims.core.actors import Actor

    return Actor.for_membership(members[role], source="test")


def test_the_list_keeps_a_bounded_number_of_queries(
    api, members, org, system, method, django_assert_max_num_queries
):
    for i in range(300):
        RiskFactory(organization=org, likelihood=1 + i % 5, impact=1 + (i // 5) % 5, ai_systems=[system])
    client = api("risk_team")
    client.get(URL)  # warm the token lookup
    with django_assert_max_num_queries(12):
        got = client.get(URL, {"page_size": 200, "sort": "-level"})
    assert got.status_code == 200 and len(got.json()["items"]) == 200
    with django_assert_max_num_queries(10):
        assert client.get(f"{URL}/heatmap").status_code == 200


def test_the_heat_map_counts_each_cell(api, members, org, method):
    for li, im in [(5, 5), (5, 5), (1, 2)]:
        RiskFactory(organization=org, likelihood=li, impact=im, residual_likelihood=1, residual_impact=1)
    body = api("external_auditor").get(f"{URL}/heatmap").json()
    cells = {(c["likelihood"], c["impact"]): c for c in body["inherent"]}
    assert (
        cells[(5, 5)]["count"] == 2
        and cells[(5, 5)]["level"] == "critical"
        and cells[(5, 5)]["colour"] == "darkred"
    )
    assert cells[(1, 2)]["count"] == 1 and len(body["inherent"]) == 25
    assert {(c["likelihood"], c["impact"]): c["count"] for c in body["residual"] if c["count"]} == {(1, 1): 3}


def test_exports_csv_and_xlsx(api, members, risk):
    got = api("external_auditor").get(f"{URL}/export", {"format": "csv"})
    assert got.status_code == 200 and got["Content-Type"].startswith("text/csv")
    text = b"".join(got.streaming_content).decode()
    assert "R-0001" in text and "Biased scores" in text and "C.2.5" in text
    got = api("external_auditor").get(f"{URL}/export", {"format": "xlsx"})
    assert got.status_code == 200 and got.content[:2] == b"PK"
    bad = api("external_auditor").get(f"{URL}/export", {"format": "doc"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "format"
    assert api("mallory").get(f"{URL}/export").status_code == 200  # their own (empty) register
    assert "R-0001" not in b"".join(api("mallory").get(f"{URL}/export").streaming_content).decode()


def test_the_library_starts_a_register_for_a_system(api, members, system):
    entries = api("risk_team").get(f"{URL}/library").json()
    assert {e["category"] for e in entries} >= {"bias", "privacy", "security", "fitting", "unsafe_deployment"}
    got = api("risk_team").post(
        f"{URL}/from-library",
        {"ai_system": "credit-scoring", "keys": ["bias-training-data", "performance-drift"]},
        content_type="application/json",
    )
    assert got.status_code == 201, got.content
    assert [r["category"] for r in got.json()] == ["bias", "performance"]
    bad = api("risk_team").post(
        f"{URL}/from-library",
        {"ai_system": "credit-scoring", "keys": ["nope"]},
        content_type="application/json",
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "keys"
    assert (
        api("internal_audit")
        .post(
            f"{URL}/from-library",
            {"ai_system": system.pk, "keys": ["performance-drift"]},
            content_type="application/json",
        )
        .status_code
        == 403
    )
    assert (
        api("mallory")
        .post(
            f"{URL}/from-library",
            {"ai_system": system.pk, "keys": ["performance-drift"]},
            content_type="application/json",
        )
        .status_code
        == 422
    )


def test_categories_carry_the_annex_c_mapping_and_accept_the_organizations_own(api, members, method):
    cats = {c["key"]: c for c in api("external_auditor").get("/api/v1/risk-categories").json()["items"]}
    assert len([c for c in cats.values() if c["builtin"]]) == 9
    assert cats["bias"]["annex_c_objectives"] == ["C.2.5", "C.2.3"] and cats["bias"]["annex_c_sources"] == [
        "C.3.4",
        "C.3.3",
    ]
    assert cats["transparency"]["annex_c_sources"] == ["C.3.2"]
    made = api("risk_team").post(
        "/api/v1/risk-categories",
        {"key": "vendor-lockin", "name": "Vendor lock-in", "annex_c_sources": ["C.3.6"]},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    bad = api("risk_team").post(
        "/api/v1/risk-categories",
        {"key": "x", "name": "X", "annex_c_sources": ["C.9.9"]},
        content_type="application/json",
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "annex_c_sources"
    fixed = api("risk_team").patch(
        f"/api/v1/risk-categories/{cats['bias']['id']}",
        {"annex_c_sources": []},
        content_type="application/json",
    )
    assert fixed.status_code == 422
    assert (
        api("technical_team")
        .post("/api/v1/risk-categories", {"key": "y", "name": "Y"}, content_type="application/json")
        .status_code
        == 403
    )
    assert api("mallory").get(f"/api/v1/risk-categories/{cats['bias']['id']}").status_code == 404
