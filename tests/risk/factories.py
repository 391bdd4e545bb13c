"""Factories of the risk area (one per model). Risks go through the service so their levels are
computed exactly as in production; `RiskFactory` is for bulk rows in query-count tests."""

from __future__ import annotations

import factory

from aims.risk import services
from aims.risk.models import Risk, RiskCategory, RiskTreatment


def method(org):
    return services.ensure_setup(org)


class RiskCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RiskCategory

    organization = None
    key = factory.Sequence(lambda n: f"own-{n}")
    name = factory.Sequence(lambda n: f"Own category {n}")


class RiskFactory(factory.django.DjangoModelFactory):
    """A risk row with levels computed from the organization's current method."""

    class Meta:
        model = Risk

    organization = None
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Risk {n}")
    likelihood = 3
    impact = 3
    status = Risk.Status.ASSESSED

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        org = kwargs["organization"]
        m = method(org)
        kwargs.setdefault("category", RiskCategory.objects.get(organization=org, key="bias"))
        systems = kwargs.pop("ai_systems", [])
        obj = model_class(*args, **kwargs)
        obj.compute(m)
        obj.save()
        if systems:
            obj.ai_systems.set(systems)
        return obj


class RiskTreatmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RiskTreatment

    title = factory.Sequence(lambda n: f"Action {n}")
