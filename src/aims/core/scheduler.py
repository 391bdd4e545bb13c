"""The periodic jobs of every area, run by `aims worker`.

Each area's `tasks.py` may declare `PERIODIC = [(task, interval_seconds), ...]` where `task` is a
django-tasks task taking no required argument. The scheduler enqueues a job when its interval has
passed; the workers then run it like any other task. Claiming a run is one conditional UPDATE on
`ScheduledRun`, so several workers never enqueue the same run twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.db import IntegrityError, close_old_connections
from django.db.models import Q
from django.utils import timezone

from .models import ScheduledRun

log = logging.getLogger(__name__)
AREAS = [
    "core",
    "inventory",
    "governance",
    "risk",
    "compliance",
    "lifecycle",
    "monitoring",
    "assurance",
    "reports",
]


def periodic_jobs() -> list[tuple[str, Any, int]]:
    jobs = []
    for area in AREAS:
        name = f"aims.{area}.tasks"
        if find_spec(name):
            for task, interval in getattr(import_module(name), "PERIODIC", []):
                jobs.append((f"{area}.{task.name}", task, int(interval)))
    return jobs


def claim(name: str, interval: int, now: dt.datetime | None = None) -> bool:
    """True when this process may enqueue `name` now (its interval has passed since the last run)."""
    now = now or timezone.now()
    try:
        ScheduledRun.objects.get_or_create(name=name)
    except IntegrityError:
        pass  # another worker created it first
    due = Q(last_run_at__isnull=True) | Q(last_run_at__lte=now - dt.timedelta(seconds=interval))
    return ScheduledRun.objects.filter(due, name=name).update(last_run_at=now) == 1


def run_due(now: dt.datetime | None = None) -> list[str]:
    enqueued = []
    for name, task, interval in periodic_jobs():
        if claim(name, interval, now):
            task.enqueue()
            enqueued.append(name)
    return enqueued


def loop(stop: threading.Event, tick: float = 30.0) -> None:
    while not stop.is_set():
        try:
            close_old_connections()
            for name in run_due():
                log.info("enqueued periodic job %s", name)
        except Exception:  # keep scheduling whatever one job did
            log.exception("scheduler tick failed")
        finally:
            close_old_connections()
        stop.wait(tick)
