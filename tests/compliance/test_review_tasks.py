"""Issue 4, sections 4 and 6: register entries and controls due for review, and AI systems whose
facts changed since their EU AI Act classification, become tasks (once each) for the worker's day."""

from __future__ import annotations

import datetime as dt

import pytest

from aims.assurance.models import Task
from aims.compliance import services, tasks
from aims.compliance.models import Regulation
from aims.core import services as core
from aims.inventory import services as inventory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 27)


def test_due_register_entries_and_controls_become_review_tasks_once(actor, org, members, control):
    manager = actor("ai_manager")
    owner = members["risk_team"].user
    due = core.create(
        manager,
        Regulation,
        {"title": "EBA loan origination", "kind": "sector", "owner": owner, "review_date": TODAY},
    )
    core.create(
        manager, Regulation, {"title": "Later", "kind": "law", "review_date": TODAY + dt.timedelta(days=90)}
    )
    services.update_control(manager, control, {"review_date": TODAY + dt.timedelta(days=10)})
    made = services.review_tasks(org, today=TODAY)
    assert made == {"regulations": 1, "controls": 1, "reclassifications": 0}
    reg_task = Task.objects.get(organization=org, source_key__startswith="regreview:")
    assert reg_task.assignee_id == owner.pk and reg_task.due_date == TODAY and "EBA" in reg_task.title
    assert reg_task.link == f"/compliance/regulations/{due.pk}/"
    ctl_task = Task.objects.get(organization=org, source_key__startswith="ctlreview:")
    assert ctl_task.assignee_role == "ai_manager" and control.ref in ctl_task.title
    assert services.review_tasks(org, today=TODAY) == {
        "regulations": 0,
        "controls": 0,
        "reclassifications": 0,
    }
    # A new review date is a new reminder.
    core.update(manager, due, {"review_date": TODAY + dt.timedelta(days=20)})
    assert services.review_tasks(org, today=TODAY)["regulations"] == 1


def test_a_system_whose_facts_changed_gets_a_reclassification_task(actor, org, system):
    manager = actor("ai_manager")
    services.classify_system(manager, system, {"roles": ["deployer"]})
    assert services.review_tasks(org, today=TODAY)["reclassifications"] == 0
    inventory.update_system(manager, system, {"purpose": "Now also decides on mortgages"})
    assert services.review_tasks(org, today=TODAY)["reclassifications"] == 1
    task = Task.objects.get(organization=org, source_key__startswith="reclassify:")
    assert "purpose" in task.title and task.link.endswith(f"/systems/{system.slug}/classification/")
    assert services.review_tasks(org, today=TODAY)["reclassifications"] == 0


def test_another_organizations_reminders_stay_there(actor, org, other_org, outsider):
    core.create(outsider, Regulation, {"title": "Theirs", "kind": "law", "review_date": TODAY})
    assert services.review_tasks(org, today=TODAY)["regulations"] == 0
    assert not Task.objects.filter(organization=org, source_key__startswith="regreview:").exists()
    assert services.review_tasks(other_org, today=TODAY)["regulations"] == 1


def test_the_worker_runs_the_reminders_daily():
    assert any(t is tasks.review_tasks for t, interval in tasks.PERIODIC if interval == 24 * 3600)
