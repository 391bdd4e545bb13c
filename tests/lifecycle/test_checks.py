"""Each automatic gate condition, passing and failing, with the reason it gives (the conditions not
covered in test_gates.py: owner, purpose, impact assessment, AI Act classification, model
documentation, monitoring, decommissioning)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from aims.lifecycle import gates, services
from aims.lifecycle.models import Deployment

from ..factories import AISystemFactory

pytestmark = pytest.mark.django_db


def run(key, system, **params):
    return gates.run_check(key, system, params)


def test_the_owner_and_purpose_conditions(org, members):
    bare = AISystemFactory(organization=org, owner=None, purpose="", function="")
    assert run("owner_assigned", bare) == (False, "no owner is named in the inventory")
    met, reason = run("purpose_documented", bare)
    assert not met and reason == "missing in the inventory: purpose, function"
    bare.owner = members["technical_team"].user
    bare.purpose, bare.function = "Scores loans", "Outputs a score"
    assert run("owner_assigned", bare)[0] and run("purpose_documented", bare)[0]


def test_the_impact_assessment_condition_wants_an_approved_and_recent_one(org, system):
    from aims.risk.models import ImpactAssessment

    assert run("impact_assessment_current", system) == (False, "no approved impact assessment")
    ia = ImpactAssessment.objects.create(
        organization=org,
        ai_system=system,
        number=1,
        status="approved",
        approved_at=timezone.now() - dt.timedelta(days=30),
    )
    met, reason = run("impact_assessment_current", system, months=12)
    assert met and reason.startswith("impact assessment v1 approved on")
    ImpactAssessment.objects.filter(pk=ia.pk).update(approved_at=timezone.now() - dt.timedelta(days=400))
    met, reason = run("impact_assessment_current", system, months=12)
    assert not met and "older than 12 months" in reason
    ImpactAssessment.objects.filter(pk=ia.pk).update(
        approved_at=timezone.now(), review_due=True, review_due_reason="the system changed"
    )
    met, reason = run("impact_assessment_current", system)
    assert not met and "due for review: the system changed" in reason


def test_the_ai_act_condition_wants_a_current_classification(org, system):
    from aims.compliance.models import Classification

    met, reason = run("ai_act_classified", system)
    assert not met and "has not been completed" in reason
    Classification.objects.create(organization=org, ai_system=system, number=1, is_current=True, tier="high")
    assert run("ai_act_classified", system) == (True, "classified v1: High risk")


def test_the_model_documentation_condition_names_what_is_missing(actor, system, model, dataset):
    met, reason = run("model_version_documented", system)
    assert not met and reason == "model scorer 1.0.0 lacks: datasets"
    version = services.create_dataset_version(actor("technical_team"), dataset, {"label": "v1"})
    model.datasets.add(version)
    met, reason = run("model_version_documented", system)
    assert met and "code abc123" in reason


def test_the_model_documentation_condition_fails_without_a_model(system):
    assert run("model_version_documented", system) == (False, "no model version is registered")


def test_the_monitoring_condition_counts_the_systems_monitors(org, system):
    from aims.monitoring.models import Monitor

    assert run("monitoring_configured", system) == (False, "no monitor watches the system")
    Monitor.objects.create(organization=org, ai_system=system, name="drift", metric="performance.accuracy")
    assert run("monitoring_configured", system) == (True, "1 monitor(s) configured")


def test_the_decommissioning_condition_wants_no_active_production_deployment(actor, system):
    assert run("production_decommissioned", system) == (True, "no active production deployment")
    d = services.create_deployment(
        actor("operational_team"), {"ai_system": system, "environment": "production"}
    )
    Deployment.objects.filter(pk=d.pk).update(status="active")
    assert run("production_decommissioned", system) == (False, "1 production deployment(s) still active")
    services.retire_deployment(actor("operational_team"), Deployment.objects.get(pk=d.pk))
    assert run("production_decommissioned", system)[0]


def test_an_unknown_check_never_passes(system):
    assert run("no_such_check", system) == (False, "unknown check 'no_such_check'")
