"""Background work on the django-tasks queue: every day, per organization, compute the KPIs, turn
every date AIMS knows into tasks, and send each reminder once. The worker's scheduler enqueues
`daily`; `aims worker --batch` runs what is queued."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from aims.core.models import Organization

from . import services


def run_daily(organization: Organization) -> dict[str, Any]:
    return {
        "kpis": services.measure_kpis(organization),
        "tasks": services.generate_tasks(organization),
        "reminders": services.send_reminders(organization),
    }


@task()
def daily(organization_id: int | None = None) -> dict[str, Any]:
    """KPIs, tasks and reminders for one organization (or all of them)."""
    orgs = Organization.objects.filter(pk=organization_id) if organization_id else Organization.objects.all()
    return {org.slug: run_daily(org) for org in orgs}


# Enqueued by the worker's scheduler (aims.core.scheduler).
PERIODIC = [(daily, 24 * 3600)]
