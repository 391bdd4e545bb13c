import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from aims.assurance import services
from aims.assurance.models import ManagementReview, Task
from aims.core import services as core
from tests.factories import AISystemFactory, ContextIssueFactory


def review(actor, days=10, **extra):
    return core.create(
        actor("ai_manager"),
        ManagementReview,
        {"title": "Review", "scheduled_for": timezone.localdate() + dt.timedelta(days=days), **extra},
    )


@pytest.mark.django_db
def test_the_pack_contains_every_input_clause_9_3_2_asks_for(actor, org):
    AISystemFactory(organization=org, eu_ai_act_tier="high")
    ContextIssueFactory(organization=org, title="AI Act in force")
    services.create_incident(actor("operational_team"), {"title": "Drift", "severity": "high"})
    services.raise_nonconformity(actor("ai_manager"), {"title": "NC", "grade": "major"})
    pack = services.compile_pack(actor("ai_manager"), review(actor))
    for required, section in services.REQUIRED_INPUTS.items():
        assert section in pack, required
    assert pack["incidents"]["in_period"] == 1 and pack["incidents"]["by_severity"] == {"high": 1}
    assert pack["nonconformities"]["open"] == 1 and pack["nonconformities"]["by_grade"] == {"major": 1}
    assert pack["ai_systems"]["total"] == 1 and pack["ai_systems"]["by_tier"] == {"high": 1}
    assert [i["title"] for i in pack["context_changes"]["issues"]] == ["AI Act in force"]


@pytest.mark.django_db
def test_previous_review_decisions_come_back_as_actions_to_report_on(actor, members):
    ceo, manager = actor("top_management"), actor("ai_manager")
    first = review(actor, days=-300)
    first = services.review_transition(manager, first, "held")
    services.add_decision(
        manager,
        first,
        text="Hire a monitoring engineer",
        owner_id=members["cio_cdo"].user_id,
        due_date=timezone.localdate() - dt.timedelta(days=5),
    )
    services.add_decision(manager, first, text="Note the good work")  # no owner, no date: no task
    assert Task.objects.filter(source_key__startswith=f"review:{first.pk}:").count() == 1
    with pytest.raises(ValidationError):
        services.review_transition(ceo, first, "closed")  # conclusions first
    first = core.update(manager, first, {"conclusions": "Suitable, adequate, effective"})
    with pytest.raises(PermissionDenied):
        services.review_transition(manager, first, "closed")
    assert (
        services.review_transition(ceo, first, "closed").approved_by_id == members["top_management"].user_id
    )
    pack = services.compile_pack(manager, review(actor))
    assert pack["previous_actions"]["total"] == 1 and pack["previous_actions"]["overdue"] == 1


@pytest.mark.django_db
def test_holding_the_meeting_freezes_the_pack(actor, api):
    manager = actor("ai_manager")
    r = services.review_transition(manager, review(actor), "held")
    assert r.inputs["incidents"]["in_period"] == 0
    services.create_incident(actor("operational_team"), {"title": "later"})
    assert (
        api("ai_manager").get(f"/api/v1/management-reviews/{r.pk}/pack").json()["incidents"]["in_period"] == 0
    )
    with pytest.raises(ValidationError):
        services.refresh_pack(manager, r)


@pytest.mark.django_db
def test_decisions_need_a_held_meeting(api, actor):
    r = review(actor)
    path = f"/api/v1/management-reviews/{r.pk}/decisions"
    refused = api("ai_manager").post(path, {"text": "x"}, content_type="application/json")
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "status"
    api("ai_manager").post(
        f"/api/v1/management-reviews/{r.pk}/transition", {"status": "held"}, content_type="application/json"
    )
    assert (
        api("ai_manager")
        .post(path, {"text": "x", "due_date": "2027-01-31"}, content_type="application/json")
        .json()["task_id"]
    )
    assert api("risk_team").post(path, {"text": "x"}, content_type="application/json").status_code == 403
    assert api("mallory").post(path, {"text": "x"}, content_type="application/json").status_code == 404


@pytest.mark.django_db
def test_the_review_prints_as_pdf(browser_client, actor):
    r = review(actor)
    response = browser_client("top_management").get(f"/assurance/reviews/{r.pk}/review.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert browser_client("mallory").get(f"/assurance/reviews/{r.pk}/review.pdf").status_code == 404
