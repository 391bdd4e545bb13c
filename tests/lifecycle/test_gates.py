"""Gates: each automatic criterion passing and failing, checklist evidence, the move, exceptions
(allowed role, refused role, expiry), gate reviews kept and printable."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from aims.core.models import AuditEvent
from aims.inventory.models import AISystem
from aims.lifecycle import gates, services
from aims.lifecycle.models import Deployment, GateCriterion, GateReview

from ..factories import AISystemFactory
from .conftest import passing

pytestmark = pytest.mark.django_db


def result_of(actor, system, key):
    res = services.evaluate(actor("ai_manager"), system)
    return next(r for r in res.results if r.key == key)


def test_the_default_criteria_cover_every_stage_but_the_last_and_are_seeded_once(org, actor, system):
    assert services.ensure_criteria(org) > 30
    assert services.ensure_criteria(org) == 0
    stages = set(GateCriterion.objects.filter(organization=org).values_list("stage", flat=True))
    assert stages == {s for s in gates.ORDER if gates.next_stage(s)}
    design = set(GateCriterion.objects.filter(organization=org, stage="design").values_list("key", flat=True))
    assert {
        "objectives",
        "requirements",
        "architecture",
        "data-map",
        "interfaces",
        "assumptions",
        "impact",
        "security-plan",
    } <= design
    deployment = set(
        GateCriterion.objects.filter(organization=org, stage="deployment").values_list("key", flat=True)
    )
    assert {
        "deployment-plan",
        "access",
        "environments",
        "rollback-tested",
        "monitoring",
        "logging",
    } <= deployment


def test_the_evaluation_criterion_fails_without_an_evaluation_and_when_a_threshold_is_missed(
    actor, system, model
):
    r = result_of(actor, system, "evaluation")
    assert not r.met and "no technical evaluation" in r.reason
    services.create_evaluation(
        actor("technical_team"),
        {
            "model_version_id": model.pk,
            "metrics": {"accuracy": 0.62, "auc": 0.8},
            "thresholds": {"accuracy": {"min": 0.7}, "auc": {"min": 0.75}, "recall": {"min": 0.5}},
        },
    )
    r = result_of(actor, system, "evaluation")
    assert not r.met and "accuracy 0.62 < min 0.7" in r.reason and "recall: not measured" in r.reason


def test_the_evaluation_criterion_passes_when_every_metric_meets_its_threshold(actor, system, model):
    passing(actor, model)
    assert result_of(actor, system, "evaluation").met


def test_the_fairness_criterion_reads_the_latest_ethical_evaluation(actor, system, model):
    services.create_evaluation(
        actor("technical_team"),
        {
            "model_version_id": model.pk,
            "kind": "ethical",
            "metrics": {"ratio": 0.7},
            "thresholds": {"ratio": {"min": 0.8}},
            "fairness": {"age": {"young": {"rate": 0.5}, "old": {"rate": 0.7}}},
        },
    )
    assert not result_of(actor, system, "fairness").met
    passing(actor, model, kind="ethical")
    assert result_of(actor, system, "fairness").met


def test_the_model_approval_criterion_follows_the_approval(actor, system, model):
    assert not result_of(actor, system, "model-approved").met
    services.approve_model(actor("ai_manager"), model)
    assert result_of(actor, system, "model-approved").met


def test_only_managers_approve_a_model_version(actor, model):
    with pytest.raises(PermissionDenied):
        services.approve_model(actor("technical_team"), model)


def test_the_vendor_criterion_needs_a_current_assessment_with_a_good_score(actor, system, vendor):
    r = result_of(actor, system, "vendors")
    assert not r.met and "score 30 < 60" in r.reason
    from aims.core import services as core

    core.update(actor("ai_manager"), vendor, {"questionnaire": {q["key"]: True for q in gates.QUESTIONNAIRE}})
    assert result_of(actor, system, "vendors").met
    core.update(actor("ai_manager"), vendor, {"assessed_on": dt.date.today() - dt.timedelta(days=500)})
    assert "more than 12 months ago" in result_of(actor, system, "vendors").reason


def test_a_third_party_system_without_a_vendor_fails_the_vendor_criterion(actor, system):
    AISystem.objects.filter(pk=system.pk).update(third_party=True, supplier="Acme Models")
    system.refresh_from_db()
    r = result_of(actor, system, "vendors")
    assert not r.met and "Acme Models" in r.reason


def test_the_soa_criterion_needs_an_approved_soa(actor, system):
    r = result_of(actor, system, "soa")
    assert not r.met and "no approved Statement of Applicability" in r.reason


def test_the_risk_criterion_fails_for_an_open_risk_above_the_appetite_and_passes_without(actor, system):
    from aims.risk import services as risk

    assert "no risk method" in result_of(actor, system, "risks").reason
    risk.ensure_setup(system.organization)
    assert result_of(actor, system, "risks").met
    category = risk.RiskCategory.objects.filter(organization=system.organization).first()
    risk.create_risk(
        actor("risk_team"),
        {
            "title": "Bias",
            "ai_systems": [system.pk],
            "category": category.pk,
            "likelihood": 5,
            "impact": 5,
            "status": "assessed",
        },
    )
    r = result_of(actor, system, "risks")
    assert not r.met and "above the appetite" in r.reason


def test_the_provenance_and_representativeness_criteria_of_the_development_gate(actor, system, dataset):
    AISystem.objects.filter(pk=system.pk).update(lifecycle_stage="development")
    system.refresh_from_db()
    assert result_of(actor, system, "data-provenance").met
    r = result_of(actor, system, "representativeness")
    assert not r.met and "not compared" in r.reason
    services.create_dataset_version(
        actor("technical_team"),
        dataset,
        {
            "label": "v1",
            "profile": {"sex": {"female": 300, "male": 700}},
            "reference": {"sex": {"female": 0.5, "male": 0.5}},
        },
    )
    r = result_of(actor, system, "representativeness")
    assert not r.met and "sex=female" in r.reason
    services.create_dataset_version(
        actor("technical_team"),
        dataset,
        {
            "label": "v2",
            "profile": {"sex": {"female": 480, "male": 520}},
            "reference": {"sex": {"female": 0.5, "male": 0.5}},
        },
    )
    assert result_of(actor, system, "representativeness").met
    from aims.core import services as core

    core.update(actor("technical_team"), dataset, {"licence": "", "personal_data": True})
    r = result_of(actor, system, "data-provenance")
    assert not r.met and "licence" in r.reason and "legal basis" in r.reason


def test_the_deployment_criteria_read_the_production_deployment(actor, members, system):
    AISystem.objects.filter(pk=system.pk).update(lifecycle_stage="deployment", eu_ai_act_tier="high")
    system.refresh_from_db()
    assert not result_of(actor, system, "deployment-plan").met
    ops = actor("operational_team")
    d = services.create_deployment(
        ops,
        {
            "ai_system": system,
            "environment": "production",
            "plan": "canary",
            "rollback_procedure": "flip the flag",
            "log_location": "splunk",
            "log_retention_months": 3,
        },
    )
    assert "approval" in result_of(actor, system, "deployment-plan").reason
    services.approve_deployment(actor("ai_manager"), d)
    assert result_of(actor, system, "deployment-plan").met
    assert "access is not restricted" in result_of(actor, system, "access").reason
    services.change_access(ops, d, grant=[members["operational_team"].user.pk])
    assert result_of(actor, system, "access").met
    assert "at least 6" in result_of(actor, system, "logging").reason
    assert "only a production" in result_of(actor, system, "environments").reason
    services.create_deployment(ops, {"ai_system": system, "environment": "test"})
    assert result_of(actor, system, "environments").met
    assert (
        "not available yet" in result_of(actor, system, "monitoring").reason
        or result_of(actor, system, "monitoring").met is False
    )


def test_a_checklist_item_is_met_by_evidence_a_link_a_record_or_a_file(org, actor, system):
    from django.core.files.uploadedfile import SimpleUploadedFile

    services.ensure_criteria(org)
    criterion = GateCriterion.objects.get(organization=org, stage="validation", key="robustness")
    assert not result_of(actor, system, "robustness").met
    ev = services.add_evidence(
        actor("technical_team"),
        system,
        criterion,
        {},
        upload=SimpleUploadedFile("report.pdf", b"%PDF robustness", content_type="application/pdf"),
    )
    assert ev.kind == "file" and len(ev.sha256) == 64
    r = result_of(actor, system, "robustness")
    assert r.met and "report.pdf" in r.reason
    with pytest.raises(ValidationError) as exc:
        services.add_evidence(actor("technical_team"), system, criterion, {"kind": "link", "title": "x"})
    assert "url" in exc.value.message_dict
    automatic = GateCriterion.objects.get(organization=org, stage="validation", key="soa")
    with pytest.raises(ValidationError) as exc:
        services.add_evidence(
            actor("technical_team"),
            system,
            automatic,
            {"kind": "link", "title": "x", "url": "https://x.example"},
        )
    assert "criterion" in exc.value.message_dict


def test_a_gate_that_does_not_hold_keeps_the_system_and_the_review(actor, system):
    review = services.move(actor("technical_team"), system, note="try")
    system.refresh_from_db()
    assert system.lifecycle_stage == "validation"
    assert review.outcome == GateReview.Outcome.HELD and not review.moved
    assert any(not r["met"] for r in review.results)
    assert AuditEvent.objects.filter(object_type="gate_review", action="create").count() == 1


def test_a_gate_that_holds_moves_the_system_through_the_inventory_service(org, actor, system):
    services.ensure_criteria(org)
    GateCriterion.objects.filter(organization=org, stage="validation").update(active=False)
    services.create_criterion(
        actor("ai_manager"),
        {"stage": "validation", "title": "Sign-off", "kind": "automatic", "condition": "owner_assigned"},
    )
    review = services.move(actor("technical_team"), system)
    system.refresh_from_db()
    assert review.moved and review.outcome == "passed" and system.lifecycle_stage == "deployment"
    change = AuditEvent.objects.filter(object_type="ai_system", action="update").latest("id")
    assert change.changes["lifecycle_stage"] == ["validation", "deployment"]


def test_an_authorized_role_records_an_exception_and_the_system_moves(actor, system):
    expires = timezone.localdate() + dt.timedelta(days=30)
    review = services.move(
        actor("ai_manager"), system, exception={"justification": "Pilot with 50 users", "expires_on": expires}
    )
    system.refresh_from_db()
    assert review.moved and review.outcome == "exception" and system.lifecycle_stage == "deployment"
    assert review.exception.approved_by == actor("ai_manager").user and review.exception.unmet


def test_top_management_may_record_an_exception_that_a_builder_then_uses(actor, system):
    services.record_exception(
        actor("top_management"),
        system,
        justification="Board decision 12",
        expires_on=timezone.localdate() + dt.timedelta(days=10),
    )
    assert services.evaluate(actor("technical_team"), system).holds
    assert services.move(actor("technical_team"), system).outcome == "exception"


def test_a_refused_role_cannot_record_an_exception_or_run_a_gate(actor, system):
    with pytest.raises(PermissionDenied):
        services.record_exception(
            actor("technical_team"),
            system,
            justification="x",
            expires_on=timezone.localdate() + dt.timedelta(days=5),
        )
    with pytest.raises(PermissionDenied):
        services.move(actor("internal_audit"), system)


def test_an_exception_needs_a_justification_and_a_future_expiry_within_a_year(actor, system):
    for kwargs, field in (
        ({"justification": "", "expires_on": timezone.localdate() + dt.timedelta(days=5)}, "justification"),
        ({"justification": "x", "expires_on": timezone.localdate()}, "expires_on"),
        ({"justification": "x", "expires_on": timezone.localdate() + dt.timedelta(days=400)}, "expires_on"),
    ):
        with pytest.raises(ValidationError) as exc:
            services.record_exception(actor("ai_manager"), system, **kwargs)
        assert field in exc.value.message_dict


def test_an_expired_exception_no_longer_lets_the_system_pass_and_lapses(org, actor, system):
    from aims.lifecycle import tasks
    from aims.lifecycle.models import GateException

    exc = services.record_exception(
        actor("ai_manager"), system, justification="x", expires_on=timezone.localdate() + dt.timedelta(days=2)
    )
    GateException.objects.filter(pk=exc.pk).update(expires_on=timezone.localdate() - dt.timedelta(days=1))
    assert not services.evaluate(actor("ai_manager"), system).holds
    assert tasks.lapse(org) == 1 and tasks.lapse(org) == 0


def test_production_cannot_go_live_before_the_system_passed_its_gate(actor, system):
    d = services.create_deployment(
        actor("operational_team"), {"ai_system": system, "environment": "production", "plan": "p"}
    )
    d = services.approve_deployment(actor("ai_manager"), d)
    with pytest.raises(ValidationError) as exc:
        services.go_live(actor("operational_team"), d)
    assert "environment" in exc.value.message_dict
    services.move(
        actor("ai_manager"),
        system,
        exception={"justification": "pilot", "expires_on": timezone.localdate() + dt.timedelta(days=9)},
    )
    d.refresh_from_db()
    d = services.go_live(actor("operational_team"), d)
    assert d.status == Deployment.Status.ACTIVE and d.gate_review is not None


def test_the_last_stage_re_judges_the_gate_into_it(actor, org):
    retired = AISystemFactory(organization=org, slug="old", lifecycle_stage="retired")
    res = services.evaluate(actor("ai_manager"), retired)
    assert res.final and res.stage == "operation" and res.to_stage == "retired" and len(res.results) >= 3
    with pytest.raises(ValidationError):
        services.move(actor("ai_manager"), retired)
