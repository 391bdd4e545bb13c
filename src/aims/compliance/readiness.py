"""Certification readiness (seed phase 5): every mandatory documented information item of
ISO/IEC 42001 with where it lives in AIMS, whether it exists and whether it is current; the open
nonconformities; the SoA's status; and the gap assessment's average.

Each check reads another area's records through the app registry and answers "unknown" when that
area is not installed or its records cannot be read, so this report never breaks a page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.utils import timezone

from .models import Requirement, SoA

CURRENT_MONTHS = 12


def _model(label: str) -> Any:
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def _latest(label: str, **filters: Any) -> Callable[[Any], tuple[bool | None, Any]]:
    def check(org: Any) -> tuple[bool | None, Any]:
        model = _model(label)
        if model is None:
            return None, None
        try:
            qs = model.objects.filter(organization=org, **filters)
            field = "updated_at" if any(f.name == "updated_at" for f in model._meta.fields) else None
            row = qs.order_by(f"-{field}").first() if field else qs.first()
        except Exception:  # an area in the middle of a change: say we do not know
            return None, None
        if row is None:
            return False, None
        return True, getattr(row, "updated_at", None)

    return check


# (ISO/IEC 42001 ref, documented information item) -> (where in AIMS, URL name, check)
WHERE: dict[tuple[str, str], tuple[str, str, Callable[[Any], tuple[bool | None, Any]]]] = {
    ("4.3", "AIMS scope"): (
        "Inventory → AIMS scope (approved version)",
        "inventory:scope",
        _latest("inventory.ScopeStatement", status="approved"),
    ),
    ("5.2", "AI policy"): (
        "Governance → AI policy (published)",
        "governance:document-list",
        _latest("governance.Document", is_ai_policy=True, published_version__isnull=False),
    ),
    ("6.1.2", "AI risk assessment process"): (
        "Risk → methodology",
        "risk:methodology",
        _latest("risk.RiskMethodology", is_current=True),
    ),
    ("6.1.3", "AI risk treatment process"): (
        "Risk → methodology (treatment options)",
        "risk:methodology",
        _latest("risk.RiskMethodology", is_current=True),
    ),
    ("6.1.3", "Statement of Applicability"): (
        "Compliance → Statement of Applicability (approved)",
        "compliance:soa",
        _latest("compliance.SoA", status="approved"),
    ),
    ("6.1.3", "AI risk treatment plan"): (
        "Risk → register → treatment actions",
        "risk:risk-list",
        _latest("risk.RiskTreatment"),
    ),
    ("6.1.4", "AI system impact assessment process"): (
        "Risk → impact assessments",
        "risk:assessment-list",
        _latest("risk.ImpactAssessment"),
    ),
    ("6.2", "AI objectives"): (
        "Governance → AI objectives",
        "governance:objective-list",
        _latest("governance.Objective"),
    ),
    ("7.2", "Evidence of competence"): (
        "Governance → competence and training records",
        "governance:training-list",
        _latest("governance.TrainingRecord"),
    ),
    ("8.1", "Records showing that processes were carried out as planned"): (
        "Compliance → controls with evidence",
        "compliance:control-list",
        _latest("compliance.Evidence"),
    ),
    ("8.2", "Results of all AI risk assessments"): (
        "Risk → register (assessed risks)",
        "risk:risk-list",
        _latest("risk.Risk", likelihood__isnull=False),
    ),
    ("8.3", "Results of AI risk treatment"): (
        "Risk → treatment actions done",
        "risk:risk-list",
        _latest("risk.RiskTreatment", status="done"),
    ),
    ("8.4", "Results of all AI system impact assessments"): (
        "Risk → impact assessments",
        "risk:assessment-list",
        _latest("risk.ImpactAssessment"),
    ),
    ("9.1", "Monitoring and measurement results"): (
        "Assurance → KPIs and measurements",
        "assurance:kpi-list",
        _latest("assurance.KPI"),
    ),
    ("9.2", "Audit programme"): (
        "Assurance → audit programme",
        "assurance:audit-list",
        _latest("assurance.AuditProgramme"),
    ),
    ("9.2", "Audit results"): (
        "Assurance → internal audits",
        "assurance:audit-list",
        _latest("assurance.Audit"),
    ),
    ("9.3", "Management review results"): (
        "Assurance → management reviews",
        "assurance:review-list",
        _latest("assurance.ManagementReview"),
    ),
    ("10.2", "Nature of nonconformities and actions taken"): (
        "Assurance → nonconformities",
        "assurance:nonconformity-list",
        _latest("assurance.Nonconformity"),
    ),
    ("10.2", "Results of corrective actions"): (
        "Assurance → corrective actions",
        "assurance:nonconformity-list",
        _latest("assurance.CorrectiveAction"),
    ),
}


def _url(name: str) -> str | None:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def report(actor: Any) -> dict[str, Any]:
    from . import services

    org = actor.organization
    framework = services.builtin(services.ISO_42001)
    cutoff = timezone.now() - dt.timedelta(days=CURRENT_MONTHS * 31)
    items = []
    for req in Requirement.objects.filter(framework=framework, kind__in=("clause", "subclause")).order_by(
        "order"
    ):
        for di in req.mandatory_documented_information:
            where, url_name, check = WHERE.get(
                (req.ref_id, di["item"]), ("Not tracked in AIMS yet", "", lambda o: (None, None))
            )
            exists, when = check(org)
            current = None if exists is None else bool(exists and (when is None or when >= cutoff))
            items.append(
                {
                    "ref_id": req.ref_id,
                    "clause": req.title,
                    "item": di["item"],
                    "where": where,
                    "url": _url(url_name) if url_name else None,
                    "exists": exists,
                    "current": current,
                    "updated": when,
                }
            )
    soa = services.current_soa(actor)
    approved = services.approved_soa(actor)
    missing = services.soa_missing(actor, soa) if soa else None
    nonconformities = []
    model = _model("assurance.Nonconformity")
    if model is not None:
        try:
            nonconformities = list(
                model.objects.filter(organization=org).exclude(status="closed").order_by("pk")[:200]
            )
        except Exception:
            nonconformities = []
    trend = services.gap_trend(actor) if actor.can("gap_assessment", "view") else []
    done = sum(1 for i in items if i["exists"] and i["current"])
    return {
        "organization": org,
        "items": items,
        "ready_items": done,
        "total_items": len(items),
        "soa": soa,
        "approved_soa": approved,
        "soa_missing": missing,
        "nonconformities": nonconformities,
        "gap": trend[-1] if trend else None,
        "ready": done == len(items)
        and approved is not None
        and not nonconformities
        and (missing is None or missing["count"] == 0),
        "soa_status": approved.get_status_display()
        if approved
        else (soa.get_status_display() if soa else "—"),
        "SoA": SoA,
    }
