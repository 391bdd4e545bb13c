"""Triggers from other areas. An AI system that changes lifecycle stage makes its risks and
impact assessments due for reassessment (clause 8.2: significant changes)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_init, post_save
from django.dispatch import receiver

from aims.inventory.models import AISystem


@receiver(post_init, sender=AISystem, dispatch_uid="risk-stage-loaded")
def remember_stage(sender: type[AISystem], instance: AISystem, **kwargs: Any) -> None:
    # The value as loaded (no query: a deferred field is simply not remembered).
    instance._risk_loaded_stage = instance.__dict__.get("lifecycle_stage")  # type: ignore[attr-defined]


@receiver(post_save, sender=AISystem, dispatch_uid="risk-stage-saved")
def stage_changed(sender: type[AISystem], instance: AISystem, created: bool, **kwargs: Any) -> None:
    old = getattr(instance, "_risk_loaded_stage", None)
    new = instance.__dict__.get("lifecycle_stage")
    instance._risk_loaded_stage = new  # type: ignore[attr-defined]
    if not created and old and new and old != new:
        from .services import system_changed_stage

        system_changed_stage(instance, old, new)
