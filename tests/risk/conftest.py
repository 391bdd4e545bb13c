import pytest
from django.test import override_settings

from aims.risk import services
from tests.factories import AISystemFactory, InterestedPartyFactory

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def immediate_tasks():
    with override_settings(TASKS=IMMEDIATE):
        yield


@pytest.fixture
def method(org):
    return services.ensure_setup(org)


@pytest.fixture
def system(org, members):
    return AISystemFactory(
        organization=org, name="Credit scoring", slug="credit-scoring", lifecycle_stage="operation"
    )


@pytest.fixture
def party(org):
    return InterestedPartyFactory(organization=org, name="Applicants", category="ai_subject")


@pytest.fixture
def risk(actor, system, method):
    return services.create_risk(
        actor("risk_team"),
        {
            "title": "Biased scores for young applicants",
            "category": "bias",
            "ai_systems": [system.pk],
            "likelihood": 4,
            "impact": 4,
        },
    )
