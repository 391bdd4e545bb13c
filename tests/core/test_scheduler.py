"""The worker's scheduler enqueues each area's periodic jobs once per interval, even with several workers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from aims.core import scheduler
from aims.core.models import ScheduledRun

pytestmark = pytest.mark.django_db


def test_it_finds_the_periodic_jobs_of_the_areas():
    names = [name for name, _task, _interval in scheduler.periodic_jobs()]
    assert any(n.startswith("lifecycle.") for n in names)
    assert all(interval > 0 for _n, _t, interval in scheduler.periodic_jobs())


def test_a_run_is_claimed_once_per_interval():
    now = timezone.now()
    assert scheduler.claim("job", 3600, now)
    assert not scheduler.claim("job", 3600, now + dt.timedelta(minutes=30))  # a second worker, too early
    assert scheduler.claim("job", 3600, now + dt.timedelta(minutes=61))
    assert ScheduledRun.objects.get(name="job").last_run_at == now + dt.timedelta(minutes=61)


def test_run_due_enqueues_every_job_the_first_time_and_none_right_after(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django_tasks import default_task_backend

    first = scheduler.run_due()
    assert first and set(first) == {name for name, _t, _i in scheduler.periodic_jobs()}
    assert scheduler.run_due() == []
    assert len(default_task_backend.results) >= len(first)
