"""Personas: one user per role in the organization `acme`, and `mallory`, the AI manager of
another organization (`other`), who must never see or touch acme's records (404).

    def test_it_lists(api, systems): api("ai_manager").get("/api/v1/ai-systems")
"""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from django.test import Client

os.environ.setdefault("AIMS_TESTING", "1")

from aims.core.actors import Actor  # noqa: E402
from aims.core.models import Membership, Organization, User  # noqa: E402
from aims.core.roles import Role  # noqa: E402

from .factories import MembershipFactory, OrganizationFactory, UserFactory  # noqa: E402

PASSWORD = "Correct-Horse-Battery-9"


@pytest.fixture(autouse=True)
def quick_hashing(request, settings):
    """Argon2 costs a few hundred milliseconds per password by design; with nine personas per test
    it would dominate the run. Tests that check stored hashes ask for the real one with `argon2`."""
    if "argon2" not in request.fixturenames:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def argon2(settings):
    """The production hasher, for tests that check how passwords are stored."""
    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


@pytest.fixture
def org(db) -> Organization:
    return OrganizationFactory(name="Acme Bank", slug="acme")


@pytest.fixture
def other_org(db) -> Organization:
    return OrganizationFactory(name="Other Corp", slug="other")


@pytest.fixture
def members(org) -> dict[str, Membership]:
    """role -> membership in acme, one per role."""
    return {
        role: MembershipFactory(user=UserFactory(email=f"{role}@acme.example"), organization=org, role=role)
        for role in Role.values
    }


@pytest.fixture
def mallory(other_org) -> Membership:
    return MembershipFactory(
        user=UserFactory(email="mallory@other.example"), organization=other_org, role=Role.AI_MANAGER
    )


@pytest.fixture
def actor(members) -> Callable[[str], Actor]:
    """actor("risk_team") -> the Actor of that persona (source 'test')."""
    return lambda role: Actor.for_membership(members[role], source="test")


@pytest.fixture
def outsider(mallory) -> Actor:
    return Actor.for_membership(mallory, source="test")


def _token_for(membership: Membership, read_only: bool = False) -> str:
    from aims.core import services

    _token, raw = services.create_token(Actor.for_membership(membership, source="test"), read_only=read_only)
    return raw


@pytest.fixture
def api(members, mallory) -> Callable[..., Client]:
    """api("ai_manager") -> a test client that sends that persona's bearer token; api("mallory")
    for the outsider; api(None) sends no token."""
    cache: dict[tuple[str | None, bool], Client] = {}

    def make(role: str | None, read_only: bool = False) -> Client:
        key = (role, read_only)
        if key not in cache:
            if role is None:
                cache[key] = Client()
            else:
                membership = mallory if role == "mallory" else members[role]
                cache[key] = Client(HTTP_AUTHORIZATION=f"Bearer {_token_for(membership, read_only)}")
        return cache[key]

    return make


@pytest.fixture
def browser_client(members, mallory) -> Callable[[str], Client]:
    """browser_client("ai_manager") -> a logged-in web session for that persona."""

    def make(role: str) -> Client:
        user: User = mallory.user if role == "mallory" else members[role].user
        client = Client()
        client.force_login(user)
        return client

    return make
