"""Fixtures of the lifecycle tests: an AI system of acme in each interesting stage, built through the
services (so the audit trail and permissions are exercised like in production)."""

from __future__ import annotations

import datetime as dt

import pytest

from aims.lifecycle import services

from ..factories import AISystemFactory


@pytest.fixture
def system(org, members):
    """An acme system in verification and validation, owned by the technical team's member."""
    return AISystemFactory(
        organization=org,
        name="Loan scoring",
        slug="loan-scoring",
        lifecycle_stage="validation",
        owner=members["technical_team"].user,
        function="Scores loan applications",
    )


@pytest.fixture
def other_system(other_org, mallory):
    return AISystemFactory(
        organization=other_org, name="Their system", slug="their-system", lifecycle_stage="validation"
    )


@pytest.fixture
def model(actor, system):
    return services.create_model_version(
        actor("technical_team"),
        {
            "ai_system": system,
            "name": "scorer",
            "label": "1.0.0",
            "algorithm": "logistic regression",
            "code_repository": "https://git.example/scorer",
            "code_commit": "abc123",
            "artefact_digest": "sha256:00ff",
        },
    )


@pytest.fixture
def dataset(actor, system):
    return services.create_dataset(
        actor("technical_team"),
        {
            "name": "Applications 2024",
            "origin": "core banking",
            "acquisition": "collected by us",
            "authorization": "contract",
            "licence": "internal",
            "ai_systems": [system.pk],
        },
    )


@pytest.fixture
def vendor(actor, system):
    return services.create_vendor(
        actor("ai_manager"),
        {
            "name": "Stratus AI",
            "ai_systems": [system.pk],
            "questionnaire": {"dpa": True, "security_certified": True},
            "assessed_on": dt.date.today() - dt.timedelta(days=10),
            "terms_next_review": dt.date.today() + dt.timedelta(days=20),
        },
    )


def passing(actor, model, kind="technical"):
    return services.create_evaluation(
        actor("technical_team"),
        {
            "model_version_id": model.pk,
            "kind": kind,
            "metrics": {"accuracy": 0.9},
            "thresholds": {"accuracy": {"min": 0.8}},
        },
    )
