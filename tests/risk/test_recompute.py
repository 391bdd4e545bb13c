"""Recomputing every risk after a method change: the values are exactly what the new method says,
each risk gets its audit entry and a new version, the work is a fixed number of queries per batch
whatever the register's size, and a smaller scale leaves out-of-scale values to reassess."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aims.core import audit
from aims.core.actors import Actor
from aims.core.models import AuditEvent
from aims.risk import services
from aims.risk.models import RecomputeJob, Risk, add_months
from tests.risk.factories import RiskFactory

pytestmark = pytest.mark.django_db


def _queued_change(org, data):
    """Change the method without running the job (as the database queue would), return the job."""
    actor = Actor.system(org, source="cli")
    from django.test import override_settings

    with override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}):
        _method, job = services.change_method(actor, data)
    assert job.status == RecomputeJob.Status.QUEUED
    return job


def _stricter(org):
    matrix = [["critical" if c == "high" else c for c in row] for row in services.ensure_setup(org).matrix]
    return _queued_change(org, {"matrix": matrix, "change_note": "stricter"})


def test_the_new_levels_review_dates_versions_and_audit_entries_are_exactly_the_methods(org, method):
    assessed = dt.date(2026, 1, 31)
    high = RiskFactory(organization=org, likelihood=4, impact=3, last_assessed_on=assessed)
    treated = RiskFactory(
        organization=org,
        likelihood=5,
        impact=4,
        residual_likelihood=2,
        residual_impact=2,
        last_assessed_on=assessed,
    )
    low = RiskFactory(organization=org, likelihood=1, impact=1, last_assessed_on=assessed)
    unassessed = RiskFactory(organization=org, likelihood=None, impact=None, status="identified")
    assert (high.inherent_level, treated.inherent_level, treated.level) == ("high", "critical", "low")
    versions = dict(Risk.objects.values_list("pk", "version"))
    job = _stricter(org)

    job = services.recompute(job.pk)

    assert (job.status, job.total, job.done, job.changed) == ("done", 4, 4, 1)
    high.refresh_from_db()
    assert (high.inherent_level, high.level, high.rank) == ("critical", "critical", 3)
    assert high.next_review_date == add_months(assessed, 1) == dt.date(2026, 2, 28)
    assert high.methodology.number == 2 and high.methodology.is_current
    for risk in Risk.objects.all():
        assert risk.version == versions[risk.pk] + 1
        assert risk.methodology.number == 2
    treated.refresh_from_db()
    assert (treated.inherent_level, treated.residual_level, treated.level) == ("critical", "low", "low")
    assert Risk.objects.get(pk=unassessed.pk).level == ""
    entries = AuditEvent.objects.filter(object_type="risk", changes__reason=[None, "method v2"])
    assert sorted(int(e.object_id) for e in entries) == sorted([high.pk, treated.pk, low.pk, unassessed.pk])
    entry = entries.get(object_id=str(high.pk))
    assert entry.changes["inherent_level"] == ["high", "critical"]
    assert entry.changes["next_review_date"] == ["2026-04-30", "2026-02-28"]
    assert entry.object_repr == f"{high.ref} {high.title}" and entry.source == "worker"
    assert "inherent_level" not in entries.get(object_id=str(low.pk)).changes
    assert audit.verify().ok


def test_the_recompute_makes_the_same_number_of_queries_for_10_or_60_risks(org, method):
    def queries(n):
        Risk.objects.all().delete()
        for i in range(n):
            RiskFactory(organization=org, likelihood=i % 5 + 1, impact=i // 5 % 5 + 1, last_assessed_on=None)
        job = _queued_change(org, {"appetite": "low" if n % 2 else "medium", "change_note": str(n)})
        with CaptureQueriesContext(connection) as ctx:
            assert services.recompute(job.pk).done == n
        return len(ctx.captured_queries)

    assert queries(10) == queries(60)


def test_it_works_in_batches_and_reports_progress(org, method):
    for i in range(7):
        RiskFactory(organization=org, likelihood=i % 5 + 1, impact=3)
    job = _stricter(org)
    job = services.recompute(job.pk, batch=3)
    assert (job.status, job.done, job.total) == ("done", 7, 7)
    assert set(Risk.objects.values_list("methodology__number", flat=True)) == {2}


def test_a_smaller_scale_leaves_the_values_above_it_without_a_level_to_reassess(org, method):
    inside = RiskFactory(organization=org, likelihood=2, impact=3, last_assessed_on=timezone.localdate())
    outside = RiskFactory(
        organization=org,
        likelihood=5,
        impact=2,
        residual_likelihood=1,
        residual_impact=1,
        last_assessed_on=timezone.localdate(),
    )
    job = _queued_change(org, {"size": 3, "change_note": "simpler"})
    job = services.recompute(job.pk)
    assert job.status == "done"
    inside.refresh_from_db()
    outside.refresh_from_db()
    assert inside.inherent_level == "high"  # 3 x 3 default: likelihood 2, impact 3
    assert (outside.inherent_level, outside.inherent_rank) == ("", -1)
    assert outside.residual_level == "low" and outside.level == "low"
