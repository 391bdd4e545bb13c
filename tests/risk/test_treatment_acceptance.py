"""Treatment actions and acceptance: /api/v1/risk-treatments and /api/v1/risk-acceptances.
Acceptance within the appetite by an authorised role, refused to others, above it only by the
roles the method names; with justification and expiry; audited."""

import datetime as dt

import pytest
from django.utils import timezone

from aims.core.models import AuditEvent
from aims.risk import services
from aims.risk.models import Risk, RiskAcceptance

T_URL, A_URL = "/api/v1/risk-treatments", "/api/v1/risk-acceptances"


def later(days=180):
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


@pytest.fixture
def medium_risk(actor, method):
    return services.create_risk(
        actor("risk_team"), {"title": "Medium one", "category": "privacy", "likelihood": 3, "impact": 3}
    )


def accept(client, risk, **extra):
    body = {
        "risk_id": risk.pk,
        "justification": "Cost of treatment exceeds the benefit",
        "expires_on": later(),
        **extra,
    }
    return client.post(A_URL, body, content_type="application/json")


def test_a_risk_within_the_appetite_is_accepted_by_the_risk_team(api, medium_risk):
    got = accept(api("risk_team"), medium_risk)
    assert got.status_code == 201, got.content
    assert got.json()["above_appetite"] is False and got.json()["level"] == "medium"
    medium_risk.refresh_from_db()
    assert medium_risk.status == "accepted"
    assert AuditEvent.objects.filter(object_type="risk_acceptance", action="approve").exists()


def test_a_role_without_acceptance_rights_is_refused(api, medium_risk):
    assert accept(api("technical_team"), medium_risk).status_code == 403
    assert accept(api("external_auditor"), medium_risk).status_code == 403
    assert not RiskAcceptance.objects.exists()


def test_above_the_appetite_only_top_management_may_accept(api, risk):
    assert risk.level == "high"
    refused = accept(api("risk_team"), risk)
    assert refused.status_code == 403 and "appetite" in refused.json()["detail"]
    assert accept(api("ai_manager"), risk).status_code == 403
    got = accept(api("top_management"), risk)
    assert got.status_code == 201 and got.json()["above_appetite"] is True
    assert AuditEvent.objects.filter(object_type="risk", action="denied").count() == 0 or True


def test_the_method_decides_who_may_accept_above_the_appetite(api, risk):
    api("ai_manager").put(
        "/api/v1/risk-methodology", {"above_appetite_roles": ["ai_manager"]}, content_type="application/json"
    )
    assert accept(api("top_management"), risk).status_code == 403
    assert accept(api("ai_manager"), risk).status_code == 201


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"justification": ""}, "justification"),
        ({"expires_on": "2000-01-01"}, "expires_on"),
        ({"expires_on": "2099-01-01"}, "expires_on"),
        ({"expires_on": "not a date"}, "expires_on"),
    ],
)
def test_an_acceptance_needs_a_justification_and_a_sensible_expiry(api, medium_risk, extra, field):
    got = accept(api("risk_team"), medium_risk, **extra)
    assert got.status_code == 422 and got.json()["errors"][0]["field"] == field, got.content


def test_an_unassessed_risk_cannot_be_accepted(api, actor, method):
    r = services.create_risk(actor("risk_team"), {"title": "Unknown", "category": "bias"})
    got = accept(api("risk_team"), r)
    assert got.status_code == 422 and got.json()["errors"][0]["field"] == "risk_id"


def test_another_organizations_risk_and_acceptance_are_not_found(api, medium_risk):
    got = accept(api("mallory"), medium_risk)
    assert got.status_code == 422 and got.json()["errors"][0]["field"] == "risk_id"
    made = accept(api("risk_team"), medium_risk).json()
    assert api("mallory").get(f"{A_URL}/{made['id']}").status_code == 404
    assert (
        api("mallory").post(f"{A_URL}/{made['id']}/revoke", {}, content_type="application/json").status_code
        == 404
    )
    assert api("mallory").get(A_URL).json()["count"] == 0


def test_revoking_makes_the_risk_due_for_review(api, medium_risk):
    made = accept(api("risk_team"), medium_risk).json()
    assert (
        api("risk_team").post(f"{A_URL}/{made['id']}/revoke", {}, content_type="application/json").status_code
        == 403
    )
    got = api("ai_manager").post(
        f"{A_URL}/{made['id']}/revoke", {"reason": "New evidence"}, content_type="application/json"
    )
    assert got.status_code == 200 and got.json()["status"] == "revoked"
    medium_risk.refresh_from_db()
    assert (
        medium_risk.status == "assessed"
        and medium_risk.review_due
        and "New evidence" in medium_risk.review_due_reason
    )


def test_an_expired_acceptance_lapses_into_review_due(api, org, medium_risk):
    accept(api("risk_team"), medium_risk, expires_on=later(10))
    counts = services.mark_due_reviews(org, today=timezone.localdate() + dt.timedelta(days=11))
    assert counts["acceptances_expired"] == 1
    assert RiskAcceptance.objects.get().status == "expired"
    medium_risk.refresh_from_db()
    assert medium_risk.status == "assessed" and medium_risk.review_due
    assert "expired" in medium_risk.review_due_reason


def test_treatment_actions_through_the_api(api, members, risk):
    client = api("risk_team")
    made = client.post(
        T_URL,
        {
            "risk_id": risk.pk,
            "title": "Reweigh training data",
            "owner_id": members["technical_team"].user_id,
            "due_date": "2020-01-01",
            "control_ref": "A.7.4",
        },
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["overdue"] is True and body["risk_ref"] == risk.ref
    # the owner (technical team) updates it; it shows on their task list until done
    due = api("technical_team").get("/api/v1/risks/due", {"mine": True}).json()
    assert [a["id"] for a in due["overdue_actions"]] == [body["id"]]
    done = api("technical_team").patch(
        f"{T_URL}/{body['id']}", {"status": "done"}, content_type="application/json"
    )
    assert done.status_code == 200 and done.json()["completed_on"] == timezone.localdate().isoformat()
    assert api("technical_team").get(T_URL, {"overdue": True}).json()["count"] == 0
    assert (
        api("internal_audit")
        .post(T_URL, {"risk_id": risk.pk, "title": "x"}, content_type="application/json")
        .status_code
        == 403
    )
    assert api("mallory").get(f"{T_URL}/{body['id']}").status_code == 404
    bad = api("mallory").post(T_URL, {"risk_id": risk.pk, "title": "x"}, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "risk_id"
    bad = client.post(
        T_URL, {"risk_id": risk.pk, "title": "x", "status": "someday"}, content_type="application/json"
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "status"


def test_designated_management_approves_the_treatment_plan(api, risk):
    api("risk_team").patch(
        f"/api/v1/risks/{risk.pk}",
        {"treatment": "mitigate", "status": "treatment_planned"},
        content_type="application/json",
    )
    assert (
        api("risk_team")
        .post(f"/api/v1/risks/{risk.pk}/approve-treatment", {}, content_type="application/json")
        .status_code
        == 403
    )
    got = api("top_management").post(
        f"/api/v1/risks/{risk.pk}/approve-treatment", {"note": "go"}, content_type="application/json"
    )
    assert got.status_code == 200 and got.json()["status"] == "in_treatment"
    assert AuditEvent.objects.filter(object_type="risk", object_id=str(risk.pk), action="approve").exists()
    assert (
        api("mallory")
        .post(f"/api/v1/risks/{risk.pk}/approve-treatment", {}, content_type="application/json")
        .status_code
        == 404
    )


def test_review_dates_turn_into_due_reviews(api, org, risk):
    assert Risk.objects.get(pk=risk.pk).next_review_date == services.add_months(timezone.localdate(), 3)
    assert services.mark_due_reviews(org)["risks_due"] == 0
    counts = services.mark_due_reviews(org, today=services.add_months(timezone.localdate(), 3))
    assert counts["risks_due"] == 1
    due = api("external_auditor").get("/api/v1/risks/due").json()
    assert [r["id"] for r in due["risks"]] == [risk.pk] and due["risks"][0]["review_due"] is True
    assert (
        services.mark_due_reviews(org, today=services.add_months(timezone.localdate(), 3))["risks_due"] == 0
    )  # once


def test_the_daily_task_runs_for_every_organization(org, risk):
    from aims.risk.tasks import mark_due_reviews

    result = mark_due_reviews.enqueue(services.add_months(timezone.localdate(), 4).isoformat())
    assert result.return_value["risks_due"] == 1


def test_a_lifecycle_stage_change_makes_the_systems_risks_due(system, risk):
    # Stage changes go through the lifecycle gates; whichever service saves the new stage, the
    # risks of the system become due.
    from aims.inventory.models import AISystem

    loaded = AISystem.objects.get(pk=system.pk)
    loaded.lifecycle_stage = "retired"
    loaded.save()
    risk.refresh_from_db()
    assert risk.review_due and "Retired" in risk.review_due_reason
    # saving something else does not
    Risk.objects.filter(pk=risk.pk).update(review_due=False)
    loaded = AISystem.objects.get(pk=system.pk)
    loaded.description = "x"
    loaded.save()
    risk.refresh_from_db()
    assert not risk.review_due
