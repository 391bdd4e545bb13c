"""The worker's daily risk job: reviews that fall due, treatment actions due and acceptances about to
expire become tasks on their owners' task lists (once each, closed again when done), and the
owners get one reminder e-mail (issue 3, section 5)."""

import datetime as dt

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aims.assurance import services as assurance
from aims.assurance.models import Task
from aims.core import scheduler
from aims.core.actors import Actor
from aims.core.models import AuditEvent
from aims.risk import services, tasks
from aims.risk.models import Risk
from tests.risk.factories import RiskFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _past_review(risk, days=1):
    """The risk was last assessed long ago: its review date passed `days` ago."""
    Risk.objects.filter(pk=risk.pk).update(
        last_assessed_on=TODAY() - dt.timedelta(days=100), next_review_date=TODAY() - dt.timedelta(days=days)
    )
    risk.refresh_from_db()
    return risk


@pytest.fixture
def owned(risk, actor, members):
    services.update_risk(actor("risk_team"), risk, {"owner_id": members["technical_team"].user.pk})
    return _past_review(risk)


def test_a_risk_past_its_review_date_becomes_a_task_for_its_owner_with_one_reminder(owned, members, actor):
    result = tasks.daily.enqueue().return_value
    assert result["risks_due"] == 1 and result["tasks_opened"] == 1 and result["reminders"] == 1
    owned.refresh_from_db()
    assert owned.review_due
    task = Task.objects.get(source_key__startswith="riskreview:")
    assert task.organization == owned.organization and task.assignee == members["technical_team"].user
    assert task.kind == "review" and task.due_date == owned.next_review_date and task.status == "open"
    assert "R-0001" in task.title and task.link == f"/risk/risks/{owned.number}/"
    assert list(assurance.my_tasks(actor("technical_team"))) == [task]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["technical_team@acme.example"]
    assert "R-0001" in mail.outbox[0].subject
    created = AuditEvent.objects.get(action="create", object_type="task")
    assert created.source == "worker"

    # The next day: no second task, no second e-mail.
    again = tasks.daily.enqueue().return_value
    assert (again["tasks_opened"], again["reminders"]) == (0, 0)
    assert Task.objects.count() == 1 and len(mail.outbox) == 1


def test_reviewing_the_risk_closes_its_task(owned, actor):
    tasks.daily.enqueue()
    services.review_risk(actor("risk_team"), Risk.objects.get(pk=owned.pk), note="Still valid")
    result = tasks.daily.enqueue().return_value
    assert (result["tasks_opened"], result["tasks_closed"]) == (0, 1)
    task = Task.objects.get(source_key__startswith="riskreview:")
    assert task.status == "done" and task.completed_at is not None


def test_a_risk_without_an_owner_goes_to_the_risk_team(risk, members):
    _past_review(risk)
    tasks.daily.enqueue()
    task = Task.objects.get()
    assert task.assignee is None and task.assignee_role == "risk_team"
    assert mail.outbox[0].to == ["risk_team@acme.example"]


def test_a_stage_change_makes_a_review_task_due_today(system, risk):
    from aims.inventory.models import AISystem

    loaded = AISystem.objects.get(pk=system.pk)
    loaded.lifecycle_stage = "retired"
    loaded.save()
    tasks.daily.enqueue()
    assert Task.objects.get(source_key__startswith="riskreview:").due_date == TODAY()


def test_treatment_actions_due_and_acceptances_expiring_become_tasks(risk, actor, members):
    action = services.create_treatment(
        actor("risk_team"),
        {
            "risk_id": risk.pk,
            "title": "Reweigh the training data",
            "owner_id": members["technical_team"].user.pk,
            "due_date": TODAY() + dt.timedelta(days=3),
        },
    )
    services.create_treatment(
        actor("risk_team"),
        {"risk_id": risk.pk, "title": "Later", "due_date": TODAY() + dt.timedelta(days=200)},
    )
    services.accept_risk(
        actor("top_management"),
        Risk.objects.get(pk=risk.pk),
        justification="Within budget for a quarter",
        expires_on=TODAY() + dt.timedelta(days=10),
    )
    result = tasks.daily.enqueue().return_value
    assert result["tasks_opened"] == 2
    todo = Task.objects.get(source_key__startswith="riskaction:")
    assert (
        todo.assignee == members["technical_team"].user and todo.kind == "action" and "Reweigh" in todo.title
    )
    renew = Task.objects.get(source_key__startswith="riskaccept:")
    assert renew.due_date == TODAY() + dt.timedelta(days=10) and renew.assignee_role == "risk_team"

    services.update_treatment(actor("technical_team"), action, {"status": "done"})
    assert tasks.daily.enqueue().return_value["tasks_closed"] == 1
    assert Task.objects.get(pk=todo.pk).status == "done"


def test_each_organization_gets_its_own_tasks(owned, other_org, mallory):
    theirs = RiskFactory(organization=other_org, number=1, title="Their risk")
    _past_review(theirs)
    tasks.daily.enqueue()
    assert set(Task.objects.values_list("organization__slug", flat=True)) == {"acme", "other"}
    assert Task.objects.get(organization=other_org).assignee_role == "risk_team"
    assert not assurance.my_tasks(Actor.for_membership(mallory, source="test")).filter(
        organization=owned.organization
    )


def test_due_items_read_a_fixed_number_of_queries_whatever_the_number_due(org, method):
    def count(n):
        Risk.objects.all().delete()
        for _ in range(n):
            _past_review(RiskFactory(organization=org))
        with CaptureQueriesContext(connection) as ctx:
            items = services.due_items(org, TODAY() + dt.timedelta(days=14))
        assert len(items) == n
        return len(ctx.captured_queries)

    assert count(2) == count(12)


def test_the_worker_schedules_the_daily_job():
    assert ("risk.daily", tasks.daily, 24 * 3600) in scheduler.periodic_jobs()
