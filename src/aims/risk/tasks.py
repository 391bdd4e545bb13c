"""Background work of the risk area on django-tasks (the database queue; `aims worker` runs it).

- `recompute_levels(job_id)`: after a method change, recompute every risk (with progress).
- `mark_due_reviews()`: expired acceptances lapse and passed review dates become "review due".
- `daily()`: `mark_due_reviews`, then the due reviews, treatment actions and expiring acceptances
  become tasks on their owners' task lists (closed again when done), and their owners get one
  reminder e-mail when a task is due within a week. `PERIODIC` lists it for the worker's scheduler."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from aims.core.models import Organization


@task()
def recompute_levels(job_id: int) -> dict[str, int]:
    from .services import recompute

    job = recompute(job_id)
    return {"total": job.total, "done": job.done, "changed": job.changed}


@task()
def mark_due_reviews(today: str | None = None) -> dict[str, int]:
    from .services import mark_due_reviews as mark

    day = dt.date.fromisoformat(today) if today else None
    totals: dict[str, int] = {}
    for org in Organization.objects.all():
        for key, n in mark(org, day).items():
            totals[key] = totals.get(key, 0) + n
    return totals


def run_daily(organization: Organization, today: dt.date | None = None) -> dict[str, int]:
    from . import services

    counts = services.mark_due_reviews(organization, today)
    tasks = services.review_tasks(organization, today=today)
    return {
        **counts,
        "tasks_opened": tasks["opened"],
        "tasks_closed": tasks["closed"],
        "reminders": services.send_reminders(organization),
    }


@task()
def daily(today: str | None = None, organization_id: int | None = None) -> dict[str, int]:
    """Reviews due, tasks and reminders for every organization (or one)."""
    day = dt.date.fromisoformat(today) if today else None
    orgs = Organization.objects.filter(pk=organization_id) if organization_id else Organization.objects.all()
    totals: dict[str, int] = {}
    for org in orgs:
        for key, n in run_daily(org, day).items():
            totals[key] = totals.get(key, 0) + n
    return totals


# (task, seconds between runs) for the worker's scheduler.
PERIODIC = [(daily, 24 * 3600)]
