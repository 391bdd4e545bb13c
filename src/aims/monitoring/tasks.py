"""Background work of the monitoring area on django-tasks (the database queue; `aims worker` runs it).

- `evaluate_system_monitors(system_id, reason)`: queued when evidence arrives (a profile, metric
  points, a lifecycle evaluation); evaluates that system's active monitors.
- `evaluate_all_monitors()`: on schedule (`PERIODIC`), so windows move on and stale data shows.
- `deliver_notification(id)`: one e-mail or webhook attempt; failed webhooks queue their own retry
  with backoff (see `notify.py`).
"""

from __future__ import annotations

import logging

from django_tasks import task

log = logging.getLogger(__name__)


@task()
def evaluate_system_monitors(system_id: int, reason: str = "") -> dict[str, int]:
    from . import services
    from .models import EvidenceProfile

    if reason == "reference":
        from aims.inventory.models import AISystem

        system = AISystem.objects.filter(pk=system_id).first()
        if system is not None and EvidenceProfile.objects.filter(ai_system=system).exists():
            services.refresh_drift(system)
    return services.evaluate_system(system_id)


@task()
def evaluate_monitor(monitor_id: int) -> str:
    from . import services
    from .models import Monitor

    monitor = (
        Monitor.objects.select_related("ai_system", "organization", "model_version")
        .filter(pk=monitor_id, active=True)
        .first()
    )
    if monitor is None:
        return "inactive"
    return services.evaluate_monitor(monitor).status


@task()
def evaluate_all_monitors() -> dict[str, int]:
    from . import services

    return services.evaluate_all()


@task()
def deliver_notification(notification_id: int) -> str:
    from . import notify

    n = notify.deliver(notification_id)
    return n.status if n else "missing"


def _enqueue(t: object, *args: object) -> None:
    try:
        t.enqueue(*args)  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - evidence is stored; the schedule evaluates it later anyway
        log.exception("could not queue %s%s", getattr(t, "name", t), args)


def enqueue_system(system_id: int, reason: str = "") -> None:
    _enqueue(evaluate_system_monitors, system_id, reason)


def enqueue_monitor(monitor_id: int) -> None:
    _enqueue(evaluate_monitor, monitor_id)


# (task, seconds between runs) for the worker's scheduler (`aims.core.scheduler`).
PERIODIC = [(evaluate_all_monitors, 15 * 60)]
