"""The KPIs of issue 7 that read other areas: fairness (monitoring), compliance and maturity
(compliance). Each is None while there is nothing to measure, and a share or an average otherwise."""

from __future__ import annotations

import pytest

from aims.assurance import kpis
from tests.factories import AISystemFactory


@pytest.mark.django_db
def test_they_measure_nothing_in_an_empty_organization(org):
    for key in (
        "controls_implemented",
        "ai_act_obligations_met",
        "fairness_within_thresholds",
        "maturity_score",
    ):
        assert kpis.BUILTINS[key].compute(org) is None


@pytest.mark.django_db
def test_fairness_counts_systems_whose_fairness_monitors_are_all_within_thresholds(org):
    from aims.monitoring.models import Monitor

    fair, unfair, other = (AISystemFactory(organization=org) for _ in range(3))
    metric = "fairness.sex.demographic_parity_difference"
    Monitor.objects.create(organization=org, ai_system=fair, name="a", metric=metric, last_status="ok")
    Monitor.objects.create(organization=org, ai_system=unfair, name="b", metric=metric, last_status="ok")
    Monitor.objects.create(
        organization=org, ai_system=unfair, name="c", metric=metric, last_status="critical"
    )
    Monitor.objects.create(
        organization=org, ai_system=other, name="d", metric="performance.accuracy", last_status="critical"
    )
    assert kpis.fairness_within_thresholds(org) == 50.0


@pytest.mark.django_db
def test_obligations_met_ignore_those_no_longer_applicable(org):
    from aims.compliance.models import Obligation, Requirement

    system = AISystemFactory(organization=org)
    requirements = list(Requirement.objects.all()[:4])
    if len(requirements) < 4:
        pytest.skip("no catalog loaded")
    for requirement, status in zip(requirements, ("done", "open", "open", "not_applicable"), strict=True):
        Obligation.objects.create(
            organization=org, ai_system=system, requirement=requirement, role="deployer", status=status
        )
    assert kpis.ai_act_obligations_met(org) == pytest.approx(33.3)


@pytest.mark.django_db
def test_measuring_creates_the_new_builtins(org):
    from aims.assurance import services
    from aims.assurance.models import KPI

    services.measure_kpis(org)
    keys = set(KPI.objects.filter(organization=org).values_list("builtin", flat=True))
    assert {
        "controls_implemented",
        "ai_act_obligations_met",
        "fairness_within_thresholds",
        "maturity_score",
    } <= keys
