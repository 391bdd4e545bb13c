"""factory_boy factories for the assurance models (one per model)."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from aims.assurance.models import (
    KPI,
    Audit,
    CorrectiveAction,
    Feedback,
    Incident,
    ManagementReview,
    Nonconformity,
    Task,
)
from tests.factories import OrganizationFactory


class IncidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Incident

    organization = factory.SubFactory(OrganizationFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Incident {n}")


class FeedbackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Feedback

    organization = factory.SubFactory(OrganizationFactory)
    number = factory.Sequence(lambda n: n + 1)
    message = "The model declined me without a reason."


class NonconformityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Nonconformity

    organization = factory.SubFactory(OrganizationFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Nonconformity {n}")


class CorrectiveActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CorrectiveAction

    nonconformity = factory.SubFactory(NonconformityFactory)
    organization = factory.SelfAttribute("nonconformity.organization")
    title = factory.Sequence(lambda n: f"Action {n}")


class AuditFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Audit

    organization = factory.SubFactory(OrganizationFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Audit {n}")
    planned_start = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=10))


class ManagementReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ManagementReview

    organization = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Review {n}")
    scheduled_for = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=30))


class KPIFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KPI

    organization = factory.SubFactory(OrganizationFactory)
    key = factory.Sequence(lambda n: f"kpi-{n}")
    name = factory.Sequence(lambda n: f"KPI {n}")
    target = 90


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    organization = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Task {n}")
