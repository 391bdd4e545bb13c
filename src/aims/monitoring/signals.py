"""Evidence that arrives through another area wakes the monitors too: a model evaluation recorded
in the lifecycle area (`/api/v1/evaluations`, the SDK's `log_evaluation`) queues the evaluation of
that system's monitors once the transaction commits."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import transaction
from django.db.models.signals import post_save


def _evaluation_saved(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    system_id = getattr(getattr(instance, "model_version", None), "ai_system_id", None)
    if system_id is None:
        return
    from . import tasks

    transaction.on_commit(lambda: tasks.enqueue_system(system_id, "evaluation"))


try:
    _Evaluation = apps.get_model("lifecycle", "Evaluation")
except LookupError:  # the lifecycle area is not installed
    _Evaluation = None
if _Evaluation is not None:
    post_save.connect(_evaluation_saved, sender=_Evaluation, dispatch_uid="monitoring-evaluation-saved")
