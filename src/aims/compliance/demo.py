"""Demo content of the compliance area for the demo organization (see aims.core.demo): controls
from the library with owners, statuses and evidence, linked to the demo risks that name their
Annex A controls; an SoA approved by the CEO; EU AI Act classifications of the demo AI systems
(those the inventory has already tiered, so both stay in step; the two marked "not assessed" are
left for the visitor to classify); two gap assessments for a trend; the regulatory register.

Idempotent like every area's demo: a second load writes nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from aims.core.demo import actor, ensure
from aims.core.models import Organization, User
from aims.inventory.models import AISystem

from . import services
from .library import BY_KEY
from .models import Classification, Control, GapAssessment, GapScore, Regulation, SoA, SoAEntry

# library key -> (owner role, status, effectiveness, evidence links)
CONTROLS: dict[str, tuple[str, str, str, list[str]]] = {
    "ai-policy": (
        "ai_manager",
        "implemented",
        "effective",
        ["https://intranet.northwind.example/policies/ai-policy-v2.pdf"],
    ),
    "ai-roles": ("ai_manager", "implemented", "effective", ["https://intranet.northwind.example/ai/raci"]),
    "concern-reporting": ("ai_manager", "implemented", "not_reviewed", []),
    "ai-inventory": (
        "ai_manager",
        "implemented",
        "effective",
        ["https://aims.northwind.example/inventory/systems/"],
    ),
    "dataset-datasheets": ("technical_team", "in_progress", "not_reviewed", []),
    "ai-competence": (
        "cio_cdo",
        "implemented",
        "partially_effective",
        ["https://lms.northwind.example/reports/ai-literacy-2025"],
    ),
    "impact-assessment": (
        "risk_team",
        "implemented",
        "effective",
        ["https://jira.northwind.example/browse/AIGOV-112"],
    ),
    "risk-assessment": (
        "risk_team",
        "implemented",
        "effective",
        ["https://jira.northwind.example/browse/AIGOV-87"],
    ),
    "responsible-dev-process": ("technical_team", "implemented", "not_reviewed", []),
    "validation-gate": (
        "technical_team",
        "implemented",
        "effective",
        ["https://mlflow.northwind.example/experiments/credit/validation"],
    ),
    "fairness-testing": (
        "technical_team",
        "implemented",
        "partially_effective",
        ["https://mlflow.northwind.example/reports/fairness-q4"],
    ),
    "production-monitoring": ("operational_team", "in_progress", "not_reviewed", []),
    "technical-docs": ("technical_team", "in_progress", "not_reviewed", []),
    "event-logging": (
        "operational_team",
        "implemented",
        "effective",
        ["https://grafana.northwind.example/d/ai-logs"],
    ),
    "data-quality": ("technical_team", "planned", "not_reviewed", []),
    "user-information": ("operational_team", "in_progress", "not_reviewed", []),
    "incident-response": (
        "operational_team",
        "implemented",
        "effective",
        ["https://confluence.northwind.example/ai-incident-runbook"],
    ),
    "human-oversight": ("operational_team", "implemented", "partially_effective", []),
    "supplier-assessment": ("cio_cdo", "in_progress", "not_reviewed", []),
    "ai-transparency-notice": (
        "operational_team",
        "implemented",
        "effective",
        ["https://www.northwind.example/ai-notice"],
    ),
    "management-review": ("top_management", "implemented", "effective", []),
    "internal-audit": ("internal_audit", "planned", "not_reviewed", []),
}

EXCLUDED = {
    "A.10.4": "Northwind supplies no AI system or component to other organizations; the AI its retail customers use "
    "(the service chatbot) is covered by A.8.2 information for users and the A.9 controls on responsible use.",
}

# slug -> the questionnaire; only systems the inventory demo has tiered (the result matches its tier)
CLASSIFICATIONS: dict[str, dict[str, Any]] = {
    "retail-credit-scoring": {"roles": ["provider", "deployer"], "annex_iii": ["(5)(b)"], "profiling": True},
    "cv-screening": {"roles": ["deployer"], "annex_iii": ["(4)(a)"], "profiling": True},
    "customer-service-chatbot": {
        "roles": ["provider", "deployer"],
        "transparency": ["interacts_with_people"],
    },
    "card-fraud-detection": {"roles": ["provider", "deployer"]},
    "cash-demand-forecasting": {"roles": ["provider", "deployer"]},
    "telehealth-triage-assistant": {
        "roles": ["provider", "deployer"],
        "annex_iii": ["(5)(d)"],
        "profiling": True,
        "transparency": ["interacts_with_people"],
    },
    "building-access-face-recognition": {"roles": ["deployer"], "annex_iii": ["(1)(a)"]},
    "internal-coding-assistant": {"roles": ["deployer"]},
    "next-best-offer": {"roles": ["provider", "deployer"]},
}

REGULATIONS = [
    (
        "EU AI Act",
        "law",
        "eu-ai-act-2024-1689",
        "EU",
        "Northwind provides and deploys AI systems in the EU, two of them high risk (credit scoring, triage).",
        "risk_team",
    ),
    (
        "GDPR",
        "law",
        "gdpr-2016-679",
        "EU",
        "Every AI system that uses customer or employee data; Art. 22 for automated credit decisions.",
        "cio_cdo",
    ),
    (
        "ISO/IEC 42001:2023",
        "standard",
        "iso-iec-42001-2023",
        "",
        "Certification targeted for the retail bank's AI management system.",
        "ai_manager",
    ),
    (
        "EBA Guidelines on loan origination and monitoring",
        "sector",
        None,
        "EU",
        "Use of automated models in creditworthiness assessment (section 4.3.4).",
        "risk_team",
    ),
]

GAP_DATES = [
    ("Initial gap analysis", dt.date(2025, 3, 14), 0),
    ("Pre-certification gap review", dt.date(2026, 1, 19), 2),
]


def _level(ref: str, boost: int) -> int:
    base = int(hashlib.sha256(ref.encode()).hexdigest(), 16) % 3  # 0..2, stable across runs
    return min(5, base + boost)


def _controls(org: Organization, people: dict[str, User]) -> dict[str, Control]:
    manager = actor(org, people["ai_manager"])
    out = {}
    risk_model = (
        Control._meta.get_field("risks").related_model
        if any(f.name == "risks" for f in Control._meta.get_fields())
        else None
    )
    for key, (role, status, effectiveness, links) in CONTROLS.items():
        control = Control.objects.filter(organization=org, library_key=key).first()
        if control is None:
            entry = BY_KEY[key]
            control = services.create_control_with_key(
                manager,
                {
                    "name": entry["name"],
                    "description": entry["description"],
                    "requirements": services.resolve_refs(manager, entry["requirements"]),
                },
                key,
            )
        data: dict[str, Any] = {
            "owner": people[role],
            "status": status,
            "effectiveness": effectiveness,
            "evidence_links": links,
        }
        if effectiveness != "not_reviewed":
            data["last_reviewed_on"] = dt.date(2025, 11, 28)
            data["review_date"] = dt.date(2026, 11, 28)
        if risk_model is not None:
            refs = set(
                control.requirements.filter(framework__slug=services.ISO_42001).values_list(
                    "ref_id", flat=True
                )
            )
            data["risks"] = [
                r.pk for r in risk_model.objects.filter(organization=org) if refs & set(r.control_refs or [])
            ]
        out[key] = ensure(manager, Control, {"library_key": key}, data, update=services.update_control)
    return out


def _soa(org: Organization, people: dict[str, User]) -> None:
    manager = actor(org, people["ai_manager"])
    if services.approved_soa(manager) is not None:
        return
    draft = services.start_soa(manager)
    rank = {"implemented": 3, "in_progress": 2, "planned": 1, "not_effective": 0}
    for entry in services.soa_entries(draft):
        ref = entry.requirement.ref_id
        controls = list(entry.controls.all())
        if ref in EXCLUDED:
            data: dict[str, Any] = {"applicable": False, "justification": EXCLUDED[ref], "controls": []}
        else:
            best = max((rank[c.status] for c in controls), default=-1)
            state = {3: "implemented", 2: "partial", 1: "planned", 0: "partial"}.get(best, "planned")
            data = {
                "applicable": True,
                "justification": (
                    f"Needed to treat the AI risks of the register ({entry.requirement.title.lower()}); "
                    "required for the high-risk credit scoring and triage systems."
                ),
                "implementation_status": state,
            }
        services.update_entry(manager, entry, data)
    services.approve_soa(
        actor(org, people["top_management"]),
        draft,
        note="Approved at the AI steering committee, January 2026.",
    )


def _classifications(org: Organization, people: dict[str, User]) -> None:
    risk = actor(org, people["risk_team"])
    for slug, answers in CLASSIFICATIONS.items():
        system = AISystem.objects.filter(organization=org, slug=slug).first()
        if system is None:
            continue
        current = Classification.objects.filter(ai_system=system, is_current=True).first()
        full = {**services.engine.Answers().to_dict(), **answers}
        if current is not None and current.answers == full:
            continue
        services.classify_system(
            risk, system, full, notes="Classified with the AI Act questionnaire during the 2026 gap review."
        )
    services.obligation_tasks(org)


def _gaps(org: Organization, people: dict[str, User]) -> None:
    auditor = actor(org, people["internal_audit"])
    for title, day, boost in GAP_DATES:
        if GapAssessment.objects.filter(organization=org, title=title).exists():
            continue
        assessment = services.create_gap_assessment(auditor, {"title": title, "assessed_on": day})
        for item in GapScore.objects.filter(assessment=assessment).select_related(
            "assessment", "requirement"
        ):
            services.score(auditor, item, {"maturity": _level(item.requirement.ref_id, boost)})
        if boost == 0:
            from aims.core import services as core

            core.update(auditor, assessment, {"status": GapAssessment.Status.COMPLETED})


def _register(org: Organization, people: dict[str, User]) -> None:
    manager = actor(org, people["ai_manager"])
    for title, kind, slug, where, why, role in REGULATIONS:
        data: dict[str, Any] = {
            "kind": kind,
            "jurisdiction": where,
            "applicability": why,
            "owner": people[role],
            "review_date": dt.date(2026, 6, 30),
        }
        if slug:
            data["framework"] = services.builtin(slug)
        ensure(manager, Regulation, {"title": title}, data)


def load(org: Organization, people: dict[str, User]) -> None:
    _controls(org, people)
    _soa(org, people)
    _classifications(org, people)
    _gaps(org, people)
    _register(org, people)


__all__ = ["load", "SoA", "SoAEntry"]
