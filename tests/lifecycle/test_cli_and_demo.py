"""`aims gate check` (exit 0 when the gate holds, 1 when not) and the demo's lifecycle content."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from aims.core import demo
from aims.lifecycle.models import Deployment, Evaluation, EventLogRecord, ModelVersion, Vendor

pytestmark = pytest.mark.django_db


def gate_check(*args):
    out = StringIO()
    try:
        call_command("gate", "check", *args, stdout=out)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, out.getvalue()


def test_gate_check_prints_every_criterion_and_exits_1_when_held(system):
    code, out = gate_check("loan-scoring", "--org", "acme")
    assert code == 1 and "HELD BACK" in out and len(out.strip().splitlines()) >= 4
    assert "[NOT MET] Model evaluation meets its thresholds: no model version is registered" in out


def test_gate_check_exits_0_when_the_gate_holds(org, system, actor):
    from aims.lifecycle import services
    from aims.lifecycle.models import GateCriterion

    services.ensure_criteria(org)
    GateCriterion.objects.filter(organization=org, stage="validation").exclude(key="soa").update(active=False)
    GateCriterion.objects.filter(organization=org, stage="validation", key="soa").update(
        condition="owner_assigned"
    )
    code, out = gate_check("loan-scoring", "--org", "acme")
    assert code == 0 and "HOLDS" in out


def test_gate_check_refuses_an_unknown_system_or_organization(system):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("gate", "check", "nope", "--org", "acme")
    with pytest.raises(CommandError):
        call_command("gate", "check", "loan-scoring", "--org", "nope")


@pytest.fixture
def demo_org(monkeypatch):
    monkeypatch.setattr(demo, "AREAS", ("inventory", "governance", "risk", "compliance", "lifecycle"))
    return demo.load().organization


def test_the_demo_judges_every_system_and_holds_the_recommender_back_on_fairness(demo_org):
    from aims.inventory.models import AISystem

    codes = {}
    for system in AISystem.objects.filter(organization=demo_org):
        code, out = gate_check(system.slug, "--org", "demo")
        assert code in (0, 1) and len(out.strip().splitlines()) >= 3
        if code == 1:  # held back: at least one criterion says why
            assert "[NOT MET]" in out and "HELD BACK" in out
        codes[system.slug] = code
    assert codes["telehealth-triage-assistant"] == 0
    assert sorted(slug for slug, code in codes.items() if code == 1) and list(codes.values()).count(1) >= 5
    code, out = gate_check("next-best-offer", "--org", "demo")
    assert code == 1 and "fails fairness: offer_rate_ratio_age_60_plus 0.71 < min 0.8" in out
    assert Vendor.objects.filter(
        organization=demo_org, slug="stratus-ai", ai_systems__slug="customer-service-chatbot"
    ).exists()
    assert Evaluation.objects.filter(organization=demo_org, passed=False).exists()
    assert (
        Deployment.objects.filter(organization=demo_org, environment="production", status="active").count()
        >= 2
    )
    assert EventLogRecord.objects.filter(
        organization=demo_org, deployment__ai_system__slug="retail-credit-scoring", action="override"
    ).exists()
    credit = ModelVersion.objects.get(organization=demo_org, label="2.0.0")
    technical = credit.evaluations.get(kind="technical")
    assert technical.passed and abs(technical.metrics["roc_auc"] - 0.712) < 0.001


def test_the_demo_loads_twice_without_a_write(demo_org):
    from aims.core.models import AuditEvent

    before = AuditEvent.objects.count()
    again = demo.load()
    assert AuditEvent.objects.count() == before and not again.changed


def test_the_demo_triage_assistant_passes_its_development_gate_and_is_then_held_on_sensitivity(demo_org):
    from aims.core.actors import Actor
    from aims.core.models import Membership
    from aims.inventory.models import AISystem
    from aims.lifecycle import services

    code, out = gate_check("telehealth-triage-assistant", "--org", "demo")
    assert code == 0 and "HOLDS: 7/7 criteria met" in out and "[NOT MET]" not in out
    assert "1 dataset(s) with complete provenance" in out and "representative within tolerance" in out
    manager = Actor.for_membership(
        Membership.objects.filter(organization=demo_org, role="ai_manager").first(), source="test"
    )
    system = AISystem.objects.get(organization=demo_org, slug="telehealth-triage-assistant")
    review = services.move(manager, system, note="Data and model documented")
    assert review.moved and review.outcome == "passed"
    code, out = gate_check("telehealth-triage-assistant", "--org", "demo")
    assert code == 1 and "sensitivity_urgent 0.91 < min 0.95" in out
