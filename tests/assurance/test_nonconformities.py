import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from aims.assurance import services


def nc_with_done_action(actor, members, *, after_days=0):
    manager, tech = actor("ai_manager"), actor("technical_team")
    nc = services.raise_nonconformity(
        manager,
        {
            "title": "Thresholds not reviewed",
            "owner_id": members["technical_team"].user_id,
            "effectiveness_after_days": after_days,
            "five_whys": ["No calendar", "Nobody owns it"],
        },
    )
    nc = services.nonconformity_transition(manager, nc, "analysed")
    assert nc.root_cause == "Nobody owns it"  # the last why is the root cause
    action = services.create_action(
        tech,
        {
            "nonconformity_id": nc.pk,
            "title": "Yearly review task",
            "owner_id": members["technical_team"].user_id,
        },
    )
    nc = services.nonconformity_transition(manager, nc, "action_planned")
    with pytest.raises(ValidationError) as exc:
        services.nonconformity_transition(manager, nc, "verifying")
    assert "actions" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.action_transition(tech, action, "done")
    assert "result" in exc.value.message_dict
    services.action_transition(tech, action, "done", result="Task scheduled")
    return services.nonconformity_transition(manager, nc, "verifying")


@pytest.mark.django_db
def test_a_nonconformity_closes_only_after_an_effective_check_by_someone_else(actor, members):
    nc = nc_with_done_action(actor, members)
    assert nc.effectiveness_due == timezone.localdate()
    with pytest.raises(ValidationError):
        services.nonconformity_transition(actor("ai_manager"), nc, "closed")
    with pytest.raises(PermissionDenied):
        services.verify_effectiveness(actor("technical_team"), nc, effective=True, note="fine")
    closed = services.verify_effectiveness(
        actor("internal_audit"), nc, effective=True, note="No recurrence in 3 months"
    )
    assert closed.status == "closed" and closed.effectiveness_result == "effective" and closed.closed_at
    with pytest.raises(ValidationError):
        services.create_action(actor("technical_team"), {"nonconformity_id": nc.pk, "title": "late"})


@pytest.mark.django_db
def test_the_owner_may_not_verify_their_own_actions(actor, members):
    manager = actor("ai_manager")
    nc = services.raise_nonconformity(
        manager,
        {
            "title": "x",
            "owner_id": members["ai_manager"].user_id,
            "root_cause": "r",
            "effectiveness_after_days": 0,
        },
    )
    nc = services.nonconformity_transition(manager, nc, "analysed")
    action = services.create_action(manager, {"nonconformity_id": nc.pk, "title": "a"})
    services.action_transition(manager, action, "done", result="done")
    nc = services.nonconformity_transition(
        manager, services.nonconformity_transition(manager, nc, "action_planned"), "verifying"
    )
    with pytest.raises(ValidationError) as exc:
        services.verify_effectiveness(manager, nc, effective=True, note="ok")
    assert "verified_by" in exc.value.message_dict


@pytest.mark.django_db
def test_verifying_before_the_set_time_is_refused(actor, members):
    nc = nc_with_done_action(actor, members, after_days=30)
    assert nc.effectiveness_due == timezone.localdate() + dt.timedelta(days=30)
    with pytest.raises(ValidationError) as exc:
        services.verify_effectiveness(actor("internal_audit"), nc, effective=True, note="ok")
    assert "effectiveness_due" in exc.value.message_dict


@pytest.mark.django_db
def test_an_ineffective_check_sends_the_nonconformity_back_to_planning(actor, members):
    nc = nc_with_done_action(actor, members)
    nc = services.verify_effectiveness(
        actor("internal_audit"), nc, effective=False, note="It happened again in May"
    )
    assert (
        nc.status == "action_planned"
        and nc.effectiveness_result == "ineffective"
        and nc.effectiveness_due is None
    )


@pytest.mark.django_db
def test_the_api_runs_the_nonconformity_lifecycle(api, members):
    manager = api("ai_manager")
    nc = manager.post(
        "/api/v1/nonconformities",
        {
            "title": "x",
            "root_cause": "r",
            "effectiveness_after_days": 0,
            "owner_id": members["technical_team"].user_id,
        },
        content_type="application/json",
    ).json()
    base = f"/api/v1/nonconformities/{nc['id']}"
    assert (
        manager.post(
            f"{base}/transition", {"status": "verifying"}, content_type="application/json"
        ).status_code
        == 422
    )
    assert (
        manager.post(
            f"{base}/transition", {"status": "analysed"}, content_type="application/json"
        ).status_code
        == 200
    )
    action = api("technical_team").post(
        "/api/v1/corrective-actions",
        {"nonconformity_id": nc["id"], "title": "fix"},
        content_type="application/json",
    )
    assert action.status_code == 201
    done = api("technical_team").post(
        f"/api/v1/corrective-actions/{action.json()['id']}/transition",
        {"status": "done", "result": "fixed"},
        content_type="application/json",
    )
    assert done.status_code == 200 and done.json()["completed_at"]
    manager.post(f"{base}/transition", {"status": "action_planned"}, content_type="application/json")
    manager.post(f"{base}/transition", {"status": "verifying"}, content_type="application/json")
    assert (
        api("mallory")
        .post(f"{base}/verify", {"effective": True, "note": "ok"}, content_type="application/json")
        .status_code
        == 404
    )
    assert (
        api("operational_team")
        .post(f"{base}/verify", {"effective": True, "note": "ok"}, content_type="application/json")
        .status_code
        == 403
    )
    assert (
        api("internal_audit")
        .post(f"{base}/verify", {"effective": True}, content_type="application/json")
        .status_code
        == 422
    )
    closed = api("internal_audit").post(
        f"{base}/verify", {"effective": True, "note": "ok"}, content_type="application/json"
    )
    assert closed.status_code == 200 and closed.json()["status"] == "closed"


@pytest.mark.django_db
def test_a_corrective_action_needs_a_nonconformity_of_the_organization(api, outsider):
    foreign = services.raise_nonconformity(outsider, {"title": "theirs"})
    r = api("technical_team").post(
        "/api/v1/corrective-actions",
        {"nonconformity_id": foreign.pk, "title": "x"},
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "nonconformity_id"
