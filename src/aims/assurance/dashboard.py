"""The executive dashboard (9.1): the AIMS at a glance for top management — KPIs with their trend,
open incidents and Art. 73 clocks, open nonconformities and overdue corrective actions, overdue tasks,
objectives, the next audit and management review, and certification readiness.

Every section is a fixed number of queries whatever the size of the organization (aggregates, and
lists cut to a few rows), so the page answers in the same time for 10 or 10,000 records; the test pins
the count."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from aims.core.actors import Actor

from .models import (
    KPI,
    Audit,
    CorrectiveAction,
    Incident,
    KPIMeasurement,
    ManagementReview,
    Nonconformity,
    Severity,
    Task,
)

LIST_ROWS = 8
TREND_POINTS = 12
TREND_DAYS = 400


def _kpis(actor: Actor) -> list[dict[str, Any]]:
    kpis = list(KPI.objects.for_actor(actor))
    since = timezone.now() - dt.timedelta(days=TREND_DAYS)
    series: dict[int, list[float]] = defaultdict(list)
    for kpi_id, value in (
        KPIMeasurement.objects.filter(kpi__organization=actor.organization, at__gte=since)
        .order_by("at", "pk")
        .values_list("kpi_id", "value")
    ):
        series[kpi_id].append(value)
    rows = []
    for k in kpis:
        points = series.get(k.pk, [])[-TREND_POINTS:]
        previous = points[-2] if len(points) >= 2 else None
        trend = None
        if previous is not None and k.last_value is not None and k.last_value != previous:
            better = (k.last_value > previous) == (k.direction == KPI.Direction.HIGHER)
            trend = "better" if better else "worse"
        rows.append(
            {"kpi": k, "points": points, "previous": previous, "trend": trend, "spark": _spark(points)}
        )
    return rows


def _spark(points: list[float]) -> dict[str, Any] | None:
    """Bars of an inline SVG (no script, no style attribute: the CSP allows it)."""
    if len(points) < 2:
        return None
    top = max(abs(v) for v in points) or 1.0
    bars = []
    for i, v in enumerate(points):
        h = max(2, int(24 * abs(v) / top))
        bars.append({"x": i * 6, "y": 26 - h, "h": h, "value": v})
    return {"bars": bars, "width": len(points) * 6}


def _incidents(actor: Actor) -> dict[str, Any]:
    qs = Incident.objects.for_actor(actor)
    now = timezone.now()
    by_severity = {
        row["severity"]: row["n"]
        for row in qs.filter(status__in=Incident.OPEN).values("severity").annotate(n=Count("pk"))
    }
    clocks = list(
        qs.filter(serious=True, authority_reported_at__isnull=True, report_due_at__isnull=False)
        .exclude(status="dismissed")
        .order_by("report_due_at")
        .select_related("ai_system")[:LIST_ROWS]
    )
    return {
        "by_severity": [(value, label, by_severity.get(value, 0)) for value, label in Severity.choices],
        "open": sum(by_severity.values()),
        "clocks": [(i, i.report_due_at < now) for i in clocks],
    }


def _nonconformities(actor: Actor) -> dict[str, Any]:
    today = timezone.localdate()
    by_status = {
        row["status"]: row["n"]
        for row in Nonconformity.objects.for_actor(actor)
        .filter(status__in=Nonconformity.OPEN)
        .values("status")
        .annotate(n=Count("pk"))
    }
    labels = dict(Nonconformity.Status.choices)
    overdue = CorrectiveAction.objects.for_actor(actor).filter(
        status__in=("planned", "in_progress"), due_date__lt=today
    )
    return {
        "by_status": [(s, labels[s], by_status.get(s, 0)) for s in Nonconformity.OPEN],
        "open": sum(by_status.values()),
        "overdue_actions": overdue.count(),
        "overdue_list": list(
            overdue.select_related("nonconformity", "owner").order_by("due_date", "pk")[:LIST_ROWS]
        ),
    }


def _tasks(actor: Actor) -> dict[str, Any]:
    today = timezone.localdate()
    qs = Task.objects.for_actor(actor).filter(status=Task.Status.OPEN)
    mine = Q(assignee=actor.user) if actor.user else Q(pk__in=[])
    counts = qs.aggregate(
        overdue=Count("pk", filter=Q(due_date__lt=today)),
        week=Count("pk", filter=Q(due_date__gte=today, due_date__lte=today + dt.timedelta(days=7))),
        mine=Count("pk", filter=mine | Q(assignee__isnull=True, assignee_role=actor.role)),
    )
    return {
        **counts,
        "overdue_list": list(
            qs.filter(due_date__lt=today).select_related("assignee").order_by("due_date", "pk")[:LIST_ROWS]
        ),
    }


def _objectives(actor: Actor) -> dict[str, Any]:
    if not actor.can("objective", "view"):
        return {"rows": [], "by_status": []}
    from aims.governance.models import Objective

    objectives = list(Objective.objects.for_actor(actor).select_related("kpi", "owner"))
    counts: dict[str, int] = defaultdict(int)
    for o in objectives:
        counts[o.status] += 1
    labels = dict(Objective.Status.choices)
    worst = {"missed": 0, "at_risk": 1, "not_started": 2, "on_track": 3, "achieved": 4}
    objectives.sort(key=lambda o: (worst.get(o.status, 2), o.due_date or dt.date.max))
    return {
        "rows": objectives[:LIST_ROWS],
        "total": len(objectives),
        "by_status": [(s, labels[s], counts[s]) for s in labels if counts.get(s)],
    }


def _calendar(actor: Actor) -> dict[str, Any]:
    today = timezone.localdate()
    reviews = ManagementReview.objects.for_actor(actor)
    last = reviews.filter(status__in=("held", "closed")).order_by("-scheduled_for").first()
    upcoming = reviews.filter(status="planned", scheduled_for__gte=today).order_by("scheduled_for").first()
    audit = (
        Audit.objects.for_actor(actor)
        .filter(status__in=("planned", "in_progress"))
        .order_by("planned_start")
        .first()
    )
    return {
        "last_review": last,
        "next_review": upcoming,
        "review_overdue": last is None or (today - last.scheduled_for).days > 365,
        "next_audit": audit,
    }


READINESS_SECONDS = 120


def _readiness(actor: Actor) -> dict[str, Any] | None:
    """The certification readiness summary from the compliance app, when installed and visible. It is
    most of the page's cost (a check per documented-information item), so it is kept two minutes per
    organization (and per whether the role sees the gap assessments)."""
    from django.core.cache import cache

    try:
        from aims.compliance import readiness  # noqa: F401
    except ImportError:
        return None
    if not actor.can("control", "view"):
        return None
    key = f"aims:dashboard:readiness:{actor.organization.pk}:{int(actor.can('gap_assessment', 'view'))}"
    found = cache.get(key)
    if found is None:
        found = _readiness_now(actor)
        if found is not None:
            cache.set(key, found, READINESS_SECONDS)
    return found


def _readiness_now(actor: Actor) -> dict[str, Any] | None:
    from aims.compliance import readiness

    try:
        report = readiness.report(actor)
    except Exception:  # another area in the middle of a change must not take the dashboard down
        return None
    total = report["total_items"] or 0
    return {
        "ready": report["ready"],
        "items": report["ready_items"],
        "total": total,
        "share": round(100.0 * report["ready_items"] / total) if total else None,
        "soa_status": str(report["soa_status"]),
        "gap": report["gap"]["average"] if report["gap"] else None,
    }


def build(actor: Actor) -> dict[str, Any]:
    """Everything the dashboard shows, for the actor's organization."""
    actor.require("kpi", "view")
    return {
        "kpis": _kpis(actor),
        "incidents": _incidents(actor),
        "nonconformities": _nonconformities(actor),
        "tasks": _tasks(actor),
        "objectives": _objectives(actor),
        "calendar": _calendar(actor),
        "readiness": _readiness(actor),
        "today": timezone.localdate(),
    }
