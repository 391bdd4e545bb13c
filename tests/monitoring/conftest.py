"""Fixtures of the monitoring tests: an AI system in acme and one in the other organization, profiles
of the demo credit model's data (German credit), and a task queue that runs tasks at once."""

from __future__ import annotations

import pytest
from django.test import override_settings

from aims.monitoring import demo as monitoring_demo
from aims.monitoring import services
from tests.factories import AISystemFactory

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def immediate_tasks():
    with override_settings(TASKS=IMMEDIATE):
        yield


@pytest.fixture
def system(org):
    return AISystemFactory(organization=org, name="Loan scoring", slug="loan-scoring")


@pytest.fixture
def other_system(other_org):
    return AISystemFactory(organization=other_org, name="Their system", slug="their-system")


@pytest.fixture(scope="session")
def credit():
    """(reference profile, 8 weekly batch profiles): the last two drifted (credit amounts up 35%)."""
    return monitoring_demo.credit_profiles()


@pytest.fixture
def reference_doc(credit):
    return credit[0].to_dict()


@pytest.fixture
def batch_docs(credit):
    return [b.to_dict() for b in credit[1]]


def credit_drift_monitor(actor, system, **extra):
    """The tests' usual monitor: PSI drift of the credit amount, warning 0.1, critical 0.25, every batch."""
    return services.create_monitor(
        actor,
        {
            "ai_system": system.slug,
            "name": "Credit amount drift",
            "metric": "drift.credit_amount.psi",
            "warning_threshold": 0.1,
            "critical_threshold": 0.25,
            "window_hours": 0,
            **extra,
        },
    )
