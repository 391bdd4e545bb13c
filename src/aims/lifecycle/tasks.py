"""Background work of the lifecycle area on django-tasks.

- `lapse_exceptions()`: daily; a gate exception past its expiry is recorded as lapsed in the audit
  trail (once), so the board and the auditor see that the missing criteria are now overdue.
  Vendor terms reviews, vendor re-assessments and expiring exceptions become tasks through
  `services.due_items()` (read by the assurance area's task generator).
- `review_due()`: daily; vendor terms reviews and re-assessments coming due and gate exceptions
  about to expire become tasks on the assignees' task lists (`services.review_tasks`), and tasks
  whose reason has gone are closed.
- `purge_event_logs()`: daily; the AI systems' own event-log records received through the API are
  deleted once older than their deployment's `log_retention_months` (one audit entry per
  deployment purged)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from aims.core.models import Organization


def lapse(organization: Organization, today: dt.date | None = None) -> int:
    from django.db import transaction
    from django.utils import timezone

    from aims.core import audit
    from aims.core.actors import Actor
    from aims.core.models import AuditEvent

    from .models import GateException

    today = today or timezone.localdate()
    actor = Actor.system(organization)
    n = 0
    for exc in GateException.objects.filter(
        organization=organization, revoked_at__isnull=True, expires_on__lt=today
    ):
        with transaction.atomic():
            # Claim the row (conditional update) so two workers never record it twice.
            if not GateException.objects.filter(pk=exc.pk, revoked_at__isnull=True).update(
                revoked_at=timezone.now()
            ):
                continue
            audit.record(
                actor,
                AuditEvent.Action.UPDATE,
                obj=exc,
                changes={
                    "status": ["active", "lapsed"],
                    "expires_on": [str(exc.expires_on), str(exc.expires_on)],
                },
            )
            n += 1
    return n


@task()
def lapse_exceptions(today: str | None = None) -> int:
    day = dt.date.fromisoformat(today) if today else None
    return sum(lapse(org, day) for org in Organization.objects.all())


@task()
def purge_event_logs() -> int:
    from .services import purge_logs

    return sum(purge_logs(org) for org in Organization.objects.all())


@task()
def review_due(today: str | None = None) -> dict[str, int]:
    from .services import review_tasks

    day = dt.date.fromisoformat(today) if today else None
    total = {"opened": 0, "closed": 0}
    for org in Organization.objects.all():
        for key, n in review_tasks(org, today=day).items():
            total[key] += n
    return total


# (task, seconds between runs) for the worker's scheduler.
PERIODIC = [(lapse_exceptions, 24 * 3600), (review_due, 24 * 3600), (purge_event_logs, 24 * 3600)]
