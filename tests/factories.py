"""factory_boy factories, one per model."""

from __future__ import annotations

import factory

from aims.core.models import Membership, Organization, User
from aims.inventory.models import AISystem, ContextIssue, InterestedParty


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Organization {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Faker("name")
    password = factory.django.Password("Correct-Horse-Battery-9")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = "ai_manager"


class AISystemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AISystem

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"AI system {n}")
    slug = factory.Sequence(lambda n: f"ai-system-{n}")
    purpose = "Decide things"


class InterestedPartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InterestedParty

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Party {n}")
    category = "customer"


class ContextIssueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContextIssue

    organization = factory.SubFactory(OrganizationFactory)
    kind = "external"
    title = factory.Sequence(lambda n: f"Issue {n}")
