"""Vendor reviews and expiring gate exceptions come due as tasks on the assignees' task lists (the
assurance area's Task), once per reason, and close when the reason has gone; the daily task of the
scheduler runs it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from aims.assurance.models import Task
from aims.core import services as core
from aims.lifecycle import services, tasks

pytestmark = pytest.mark.django_db


def test_due_vendor_reviews_and_exceptions_become_tasks_once_and_close_when_done(org, actor, system, vendor):
    today = timezone.localdate()
    core.update(actor("ai_manager"), vendor, {"terms_next_review": today + dt.timedelta(days=5)})
    services.record_exception(
        actor("ai_manager"), system, justification="Pilot", expires_on=today + dt.timedelta(days=3)
    )
    assert services.review_tasks(org) == {"opened": 2, "closed": 0}
    assert services.review_tasks(org) == {"opened": 0, "closed": 0}
    terms = Task.objects.get(organization=org, source_key__startswith="vendor-terms:")
    assert "Review the terms of service of Stratus AI" in terms.title and terms.assignee_role == "ai_manager"
    assert terms.link == vendor.get_absolute_url() and terms.due_date == today + dt.timedelta(days=5)
    exception_task = Task.objects.get(organization=org, source_key__startswith="gate-exception:")
    assert exception_task.assignee_id == system.owner_id and exception_task.kind == "action"
    # The terms are reviewed: the next review is a year away, so the task is done.
    vendor.refresh_from_db()
    core.update(
        actor("ai_manager"),
        vendor,
        {"terms_reviewed_on": today, "terms_next_review": today + dt.timedelta(days=365)},
    )
    assert services.review_tasks(org) == {"opened": 0, "closed": 1}
    terms.refresh_from_db()
    assert terms.status == Task.Status.DONE and terms.completed_at is not None


def test_the_daily_scheduled_task_opens_the_tasks_of_every_organization(org, actor, vendor):
    core.update(
        actor("ai_manager"), vendor, {"terms_next_review": timezone.localdate() + dt.timedelta(days=2)}
    )
    assert tasks.review_due.call()["opened"] == 1
    assert any(t is tasks.review_due for t, _interval in tasks.PERIODIC)
