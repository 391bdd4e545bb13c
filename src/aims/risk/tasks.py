"""Background work of the risk area on django-tasks (the database queue; `aims worker` runs it).

- `recompute_levels(job_id)`: after a method change, recompute every risk (with progress).
- `mark_due_reviews()`: daily; expired acceptances lapse and passed review dates become "review
  due". `PERIODIC` lists it for the worker's scheduler."""

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


# (task, seconds between runs) for the worker's scheduler.
PERIODIC = [(mark_due_reviews, 24 * 3600)]
