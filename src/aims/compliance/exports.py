"""Exports of the compliance area: the SoA as XLSX, PDF and OSCAL JSON, the certification readiness
PDF and the gap report. The formats themselves live in aims.reports.renderers."""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext as _

from aims.core.actors import Actor
from aims.reports.renderers import to_pdf, to_xlsx

from . import oscal, readiness, services
from .models import SoA

SOA_HEADERS = [
    "Control",
    "Title",
    "Control objective",
    "Applicable",
    "Justification",
    "Implementation status",
    "Implementing controls",
    "Risk treatments",
    "Evidence",
]


def _applicable(value: bool | None) -> str:
    return "" if value is None else ("Yes" if value else "No")


def soa_rows(soa: SoA) -> list[list[Any]]:
    rows = []
    treatments = services.soa_risk_treatments(soa.organization)
    for e in services.soa_entries(soa):
        parent = e.requirement.parent
        rows.append(
            [
                e.requirement.ref_id,
                e.requirement.title,
                f"{parent.ref_id} {parent.title}" if parent else "",
                _applicable(e.applicable),
                e.justification,
                e.get_implementation_status_display(),
                "; ".join(f"{c.ref} {c.name}" for c in e.controls.all()),
                "; ".join(
                    f"{t.risk.ref} {t.title} ({t.get_status_display()})"
                    for t in treatments.get(e.requirement.ref_id, [])
                ),
                e.evidence_note,
            ]
        )
    return rows


def soa_xlsx(soa: SoA) -> bytes:
    meta = [
        ["Organization", soa.organization.name],
        ["Version", soa.number],
        ["Status", soa.get_status_display()],
        ["Approved by", soa.approved_by.email if soa.approved_by else ""],
        ["Approved at", soa.approved_at.isoformat() if soa.approved_at else ""],
        ["Framework", soa.framework.name],
    ]
    return to_xlsx(
        {"Statement of Applicability": (SOA_HEADERS, soa_rows(soa)), "About": (["Field", "Value"], meta)}
    )


def soa_pdf(actor: Actor, soa: SoA) -> bytes:
    entries = list(services.soa_entries(soa))
    treatments = services.soa_risk_treatments(soa.organization)
    for e in entries:
        e.treatments = treatments.get(e.requirement.ref_id, [])
    return to_pdf(
        "compliance/soa_pdf.html",
        {
            "organization": soa.organization,
            "soa": soa,
            "entries": entries,
            "missing": services.soa_missing(actor, soa),
            "generated_by": actor.user.email if actor.user else "AIMS",
            "applicable": sum(1 for e in entries if e.applicable),
            "excluded": sum(1 for e in entries if e.applicable is False),
        },
    )


def soa_oscal(soa: SoA) -> bytes:
    return json.dumps(
        oscal.soa_plan(soa, list(services.soa_entries(soa))), indent=2, ensure_ascii=False
    ).encode()


def readiness_pdf(actor: Actor) -> bytes:
    ctx = readiness.report(actor)
    ctx["generated_by"] = actor.user.email if actor.user else "AIMS"
    ctx["title"] = _("Certification readiness")
    return to_pdf("compliance/readiness_pdf.html", ctx)


def gap_xlsx(report: dict[str, Any]) -> bytes:
    rows = [
        [s.requirement.ref_id, s.requirement.title, s.maturity, s.notes, s.evidence] for s in report["scores"]
    ]
    roadmap = [
        [
            i + 1,
            r["score"].requirement.ref_id,
            r["score"].requirement.title,
            r["score"].maturity,
            r["gap"],
            "yes" if r["mandatory"] else "",
        ]
        for i, r in enumerate(report["roadmap"])
    ]
    return to_xlsx(
        {
            "Scores": (["Ref", "Title", "Maturity (0-5)", "Notes", "Evidence"], rows),
            "Roadmap": (
                ["Priority", "Ref", "Title", "Maturity", "Gap to target", "Mandatory documented information"],
                roadmap,
            ),
        }
    )
