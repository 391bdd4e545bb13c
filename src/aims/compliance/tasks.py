"""Background work of the compliance area on django-tasks (`aims worker` runs it).

- `obligation_tasks()`: daily; every open EU AI Act obligation becomes a task with its deadline
  (the date it applies from), once.
- `review_tasks()`: daily; register entries and controls due for review within 30 days, and AI
  systems whose facts changed since their classification, become tasks, once each.
- `sync_catalogs()`: daily; loads catalog files changed on disk (an amendment, a new date) and
  creates review tasks for the controls, obligations and register entries they touch.
`PERIODIC` lists them for the worker's scheduler."""

from __future__ import annotations

from django_tasks import task

from aims.core.models import Organization


@task()
def obligation_tasks() -> int:
    from .services import obligation_tasks as make

    return sum(make(org) for org in Organization.objects.all())


@task()
def review_tasks() -> int:
    from .services import review_tasks as make

    return sum(sum(make(org).values()) for org in Organization.objects.all())


@task()
def sync_catalogs() -> str:
    from .loader import sync_catalogs as sync
    from .services import review_catalog_change

    result = sync()
    for change in result.changes:
        review_catalog_change(change)
    return result.summary()


PERIODIC = [(obligation_tasks, 24 * 3600), (review_tasks, 24 * 3600), (sync_catalogs, 24 * 3600)]
