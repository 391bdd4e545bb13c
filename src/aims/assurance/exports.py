"""Exports of the registers of clauses 9 and 10 (and the objectives and training of 6.2 and 7.2) as CSV,
XLSX or PDF, through the shared renderers (`aims.reports.renderers`: formula injection neutralised).

One table per kind: `KINDS[kind]` names the object type whose `export` right is needed, the columns,
and how a row is read. `export()` checks the right, renders, and records one audit entry (action
export, with the kind, the format and the number of rows) — used by `aims assurance export`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aims.core import audit
from aims.core.actors import Actor
from aims.core.models import AuditEvent
from aims.reports.renderers import to_csv, to_pdf, to_xlsx

FORMATS = ("csv", "xlsx", "pdf")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def _d(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _who(user: Any) -> str:
    return user.email if user else ""


def _num(value: float | None) -> Any:
    return "" if value is None else round(value, 2)


@dataclass(frozen=True)
class Kind:
    title: Any
    object_type: str
    headers: tuple[Any, ...]
    queryset: Callable[[Actor], Any]
    row: Callable[[Any], list[Any]]


def _incidents(actor: Actor) -> Any:
    from .models import Incident

    return Incident.objects.for_actor(actor, "export").select_related("ai_system", "owner").order_by("number")


def _incident_row(i: Any) -> list[Any]:
    return [
        i.reference,
        i.title,
        i.ai_system.name if i.ai_system else "",
        i.get_incident_type_display(),
        i.get_severity_display(),
        i.get_status_display(),
        i.get_detection_source_display(),
        _who(i.owner),
        _d(i.detected_at),
        "yes" if i.serious else "no",
        _d(i.report_due_at),
        _d(i.authority_reported_at),
        _d(i.closed_at),
        i.root_cause,
    ]


def _nonconformities(actor: Actor) -> Any:
    from .models import Nonconformity

    return (
        Nonconformity.objects.for_actor(actor, "export")
        .select_related("owner", "incident", "verified_by")
        .order_by("number")
    )


def _nc_row(n: Any) -> list[Any]:
    return [
        n.reference,
        n.title,
        n.requirement,
        n.get_source_display(),
        n.get_grade_display(),
        n.get_status_display(),
        _who(n.owner),
        n.incident.reference if n.incident else "",
        _d(n.due_date),
        n.root_cause,
        _d(n.effectiveness_due),
        n.get_effectiveness_result_display() if n.effectiveness_result else "",
        _who(n.verified_by),
        _d(n.closed_at),
    ]


def _actions(actor: Actor) -> Any:
    from .models import CorrectiveAction

    return (
        CorrectiveAction.objects.for_actor(actor, "export")
        .select_related("nonconformity", "owner")
        .order_by("nonconformity__number", "pk")
    )


def _action_row(a: Any) -> list[Any]:
    return [
        a.nonconformity.reference,
        a.title,
        _who(a.owner),
        _d(a.due_date),
        a.get_status_display(),
        _d(a.completed_at),
        a.result,
    ]


def _audits(actor: Actor) -> Any:
    from django.db.models import Count

    from .models import Audit

    return (
        Audit.objects.for_actor(actor, "export")
        .select_related("lead_auditor", "programme")
        .annotate(n_findings=Count("findings"))
        .order_by("planned_start", "number")
    )


def _audit_row(a: Any) -> list[Any]:
    return [
        a.reference,
        a.title,
        str(a.programme) if a.programme else "",
        ", ".join(a.clauses or []),
        ", ".join(a.processes or []),
        _d(a.planned_start),
        _d(a.planned_end),
        _who(a.lead_auditor),
        a.get_status_display(),
        a.n_findings,
        _d(a.reported_at),
    ]


def _findings(actor: Actor) -> Any:
    from .models import Finding

    return (
        Finding.objects.for_actor(actor, "export")
        .select_related("audit", "nonconformity")
        .order_by("audit__number", "pk")
    )


def _finding_row(f: Any) -> list[Any]:
    return [
        f.audit.reference,
        f.get_kind_display(),
        f.requirement,
        f.title,
        f.evidence,
        f.nonconformity.reference if f.nonconformity else "",
    ]


def _kpis(actor: Actor) -> Any:
    from .models import KPI

    return KPI.objects.for_actor(actor, "export").order_by("category", "name")


def _kpi_row(k: Any) -> list[Any]:
    return [
        k.key,
        str(k.name),
        k.get_category_display(),
        k.unit,
        _num(k.target),
        k.get_direction_display(),
        _num(k.last_value),
        _d(k.last_measured_at),
        {True: "yes", False: "no", None: ""}[k.on_target],
    ]


def _objectives(actor: Actor) -> Any:
    from aims.governance.models import Objective

    return (
        Objective.objects.for_actor(actor, "export").select_related("kpi", "owner").order_by("due_date", "pk")
    )


def _objective_row(o: Any) -> list[Any]:
    return [
        o.title,
        str(o.kpi.name) if o.kpi else "",
        _num(o.effective_target),
        _who(o.owner),
        _d(o.due_date),
        o.get_status_display(),
    ]


KINDS: dict[str, Kind] = {
    "incidents": Kind(
        _("AI incidents"),
        "incident",
        (
            _("Reference"),
            _("Title"),
            _("AI system"),
            _("Type"),
            _("Severity"),
            _("Status"),
            _("Detected by"),
            _("Owner"),
            _("Detected"),
            _("Serious (Art. 73)"),
            _("Report due"),
            _("Reported"),
            _("Closed"),
            _("Root cause"),
        ),
        _incidents,
        _incident_row,
    ),
    "nonconformities": Kind(
        _("Nonconformities"),
        "nonconformity",
        (
            _("Reference"),
            _("Title"),
            _("Requirement"),
            _("Source"),
            _("Grade"),
            _("Status"),
            _("Owner"),
            _("Incident"),
            _("Due"),
            _("Root cause"),
            _("Effectiveness check due"),
            _("Effectiveness"),
            _("Verified by"),
            _("Closed"),
        ),
        _nonconformities,
        _nc_row,
    ),
    "corrective-actions": Kind(
        _("Corrective actions"),
        "corrective_action",
        (_("Nonconformity"), _("Action"), _("Owner"), _("Due"), _("Status"), _("Completed"), _("Result")),
        _actions,
        _action_row,
    ),
    "audits": Kind(
        _("Internal audits"),
        "audit",
        (
            _("Reference"),
            _("Title"),
            _("Programme"),
            _("Clauses and controls"),
            _("Processes"),
            _("Planned start"),
            _("Planned end"),
            _("Lead auditor"),
            _("Status"),
            _("Findings"),
            _("Reported"),
        ),
        _audits,
        _audit_row,
    ),
    "findings": Kind(
        _("Audit findings"),
        "finding",
        (_("Audit"), _("Kind"), _("Requirement"), _("Finding"), _("Evidence"), _("Nonconformity")),
        _findings,
        _finding_row,
    ),
    "kpis": Kind(
        _("KPIs"),
        "kpi",
        (
            _("Key"),
            _("KPI"),
            _("Category"),
            _("Unit"),
            _("Target"),
            _("Better when"),
            _("Latest"),
            _("Measured"),
            _("On target"),
        ),
        _kpis,
        _kpi_row,
    ),
    "objectives": Kind(
        _("AI objectives"),
        "objective",
        (_("Objective"), _("KPI"), _("Target"), _("Owner"), _("Due"), _("Status")),
        _objectives,
        _objective_row,
    ),
}


def export(actor: Actor, kind: str, fmt: str) -> tuple[bytes, str, str, int]:
    """(content, content type, file name, rows) for one register; the actor's `export` right on its
    object type; one audit entry."""
    spec = KINDS[kind]
    if fmt not in FORMATS:
        raise ValueError(fmt)
    qs = spec.queryset(actor)  # for_actor(actor, "export") checks the right
    rows = [spec.row(obj) for obj in qs.iterator(chunk_size=2000)]
    headers = [str(h) for h in spec.headers]
    if fmt == "csv":
        content = to_csv(headers, rows)
    elif fmt == "xlsx":
        content = to_xlsx({str(spec.title): (headers, rows)})
    else:
        content = to_pdf(
            "assurance/print/register.html",
            {
                "title": spec.title,
                "headers": headers,
                "rows": rows,
                "organization": actor.organization,
                "generated_by": actor.user.email if actor.user else "",
            },
        )
    stamp = timezone.localdate().isoformat()
    filename = f"{actor.organization.slug}-{kind}-{stamp}.{fmt}"
    with transaction.atomic():
        audit.record(
            actor,
            AuditEvent.Action.EXPORT,
            object_type=spec.object_type,
            object_repr=str(spec.title),
            changes={"kind": kind, "format": fmt, "rows": len(rows)},
        )
    return content, CONTENT_TYPES[fmt], filename, len(rows)
