"""The evaluation and improvement part of the demo organization (clauses 9 and 10, A.3.3, A.8): a year
of incidents (one serious, reported under Art. 73), feedback from customers, an approved audit
programme with a reported audit and its findings, nonconformities with corrective actions (one closed
after its effectiveness check), last year's closed management review with its decisions and this
year's planned one, the KPIs with their history, and the tasks all of this falls due as.

Idempotent: records are matched by title; a workflow runs only when its record is first created, and
KPI history is written once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from aims.core.actors import Actor
from aims.core.demo import actor
from aims.core.models import Organization, User
from aims.inventory.models import AISystem

from . import services
from .models import (
    KPI,
    Audit,
    AuditProgramme,
    Feedback,
    Improvement,
    Incident,
    ManagementReview,
    Nonconformity,
)


def _system(org: Organization, slug: str) -> int | None:
    return AISystem.objects.filter(organization=org, slug=slug).values_list("pk", flat=True).first()


def _ago(days: int, hour: int = 9) -> dt.datetime:
    now = timezone.now()
    return (now - dt.timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


INCIDENTS: list[dict[str, Any]] = [
    {
        "title": "Credit scoring declines applicants under 25 far more often",
        "system": "retail-credit-scoring",
        "incident_type": "bias",
        "severity": "high",
        "detection_source": "monitor_alert",
        "days_ago": 240,
        "handler": "technical_team",
        "description": "The monthly fairness monitor showed the approval rate of applicants under 25 at 0.62 of the rate for "
        "25 and over, below the 0.80 threshold set at the deployment gate.",
        "affected_people": "Loan applicants under 25",
        "affected_count": 1840,
        "containment": "Applications under 25 declined by the model routed to manual review from day 2.",
        "root_cause": "The 2025 retraining added 'years at current address' as a feature, a strong proxy for age; the "
        "fairness check of the validation gate used the overall population only.",
        "impact": "Some young applicants were declined who would have been approved; 212 cases re-reviewed, 57 approved.",
        "lessons_learned": "Fairness checks at the validation gate are done per age band, not only overall; proxy analysis for new features.",
        "users_communication": "Letters to the 212 re-reviewed applicants with the new decision and a contact point.",
        "status": ["triaged", "investigating", "contained", "resolved", "closed"],
        "nc": "closed",
    },
    {
        "title": "Chatbot quoted an outdated account fee",
        "system": "customer-service-chatbot",
        "incident_type": "transparency",
        "severity": "medium",
        "detection_source": "user_feedback",
        "days_ago": 95,
        "handler": "operational_team",
        "from_feedback": True,
        "description": "A customer reported that the assistant quoted a 4.90 EUR monthly fee; the fee is 6.90 EUR since April.",
        "affected_people": "Customers asking about current-account fees",
        "affected_count": 430,
        "containment": "Fee answers switched to a link to the official price list.",
        "root_cause": "The retrieval index is rebuilt quarterly; the April price list was published after the last rebuild.",
        "impact": "Customers received wrong fee information; no charges were affected.",
        "status": ["triaged", "investigating", "contained", "resolved"],
        "nc": "open",
    },
    {
        "title": "Fraud model drift after card scheme message change",
        "system": "card-fraud-detection",
        "incident_type": "drift",
        "severity": "medium",
        "detection_source": "monitor_alert",
        "days_ago": 30,
        "handler": "technical_team",
        "description": "Population stability index of the merchant category feature above 0.25 for five days after the card "
        "scheme changed its message format; false positives up 18 %.",
        "containment": "Threshold raised temporarily; the feature mapping patched on day 3.",
        "status": ["triaged", "investigating", "contained"],
    },
    {
        "title": "Triage assistant under-prioritised a chest-pain case",
        "system": "telehealth-triage-assistant",
        "incident_type": "safety",
        "severity": "critical",
        "detection_source": "external",
        "days_ago": 6,
        "handler": "operational_team",
        "serious": True,
        "serious_category": "other",
        "description": "A partner clinic reported that a patient describing chest pain in colloquial terms was classed 'routine'; "
        "a nurse escalated the case after 40 minutes. The patient was treated and recovered.",
        "affected_people": "Telehealth patients describing cardiac symptoms in colloquial language",
        "containment": "All chest-related symptom descriptions routed to a nurse immediately; vendor informed.",
        "status": ["triaged", "investigating"],
        "report_days_ago": 3,
        "authority_reference": "MSA-2026-0412",
    },
    {
        "title": "Badge-free entry rejects some staff repeatedly",
        "system": "building-access-face-recognition",
        "incident_type": "bias",
        "severity": "high",
        "detection_source": "staff",
        "days_ago": 2,
        "handler": "operational_team",
        "description": "Several employees report being rejected at the entrance gates three to five times a week; "
        "they say colleagues with darker skin are affected most.",
        "status": ["triaged"],
    },
]


def _incidents(org: Organization, people: dict[str, User]) -> dict[str, Incident]:
    ops = actor(org, people["operational_team"])
    manager = actor(org, people["ai_manager"])
    out: dict[str, Incident] = {}
    for spec in INCIDENTS:
        found = Incident.objects.filter(organization=org, title=spec["title"]).first()
        if found is not None:
            out[spec["title"]] = found
            continue
        data = {
            "title": spec["title"],
            "description": spec["description"],
            "ai_system_id": _system(org, spec["system"]),
            "incident_type": spec["incident_type"],
            "severity": spec["severity"],
            "detection_source": spec["detection_source"],
            "owner_id": people[spec["handler"]].pk,
            "detected_at": _ago(spec["days_ago"]),
            "occurred_at": _ago(spec["days_ago"] + 1),
            "affected_people": spec.get("affected_people", ""),
            "affected_count": spec.get("affected_count"),
            "serious": spec.get("serious", False),
            "serious_category": spec.get("serious_category", ""),
        }
        if spec.get("from_feedback"):
            fb = services.create_feedback(
                ops,
                {
                    "ai_system_id": data["ai_system_id"],
                    "kind": "problem",
                    "channel": "public_form",
                    "message": "Your chat assistant told me the account costs 4.90 a month, but I was charged 6.90. Which is right?",
                },
            )
            incident = services.feedback_to_incident(ops, fb, data)
        else:
            incident = services.create_incident(ops, data)
        fields = {
            k: spec[k]
            for k in ("containment", "root_cause", "impact", "lessons_learned", "users_communication")
            if k in spec
        }
        if fields:
            incident = services.update_incident(ops, incident, fields)
        for status in spec["status"]:
            who = manager if status == "closed" else ops
            incident = services.incident_transition(who, incident, status)
        if spec.get("report_days_ago") is not None:
            incident = services.report_to_authority(
                manager, incident, reference=spec["authority_reference"], at=_ago(spec["report_days_ago"], 15)
            )
        out[spec["title"]] = incident
    return out


def _feedback(org: Organization, people: dict[str, User]) -> None:
    ops = actor(org, people["operational_team"])
    items = [
        (
            "next-best-offer",
            "concern",
            "I keep getting offers for a credit card I said I don't want. Does your AI ignore what I tell your staff?",
            "answered",
            "Opt-out now feeds the offer model's suppression list; customer informed by e-mail.",
        ),
        (
            "retail-credit-scoring",
            "question",
            "Was my loan application decided by a computer? I would like a person to look at it.",
            "in_review",
            "",
        ),
        (
            "customer-service-chatbot",
            "suggestion",
            "The chat assistant should say clearly that it is a bot before I type my account number.",
            "new",
            "",
        ),
    ]
    for slug, kind, message, status, note in items:
        if Feedback.objects.filter(organization=org, message=message).exists():
            continue
        fb = services.create_feedback(
            ops,
            {"ai_system_id": _system(org, slug), "kind": kind, "message": message, "channel": "public_form"},
        )
        if status in ("in_review", "answered"):
            fb = services.triage_feedback(ops, fb, "in_review")
        if status == "answered":
            services.triage_feedback(ops, fb, "answered", note=note)


def _nonconformities(org: Organization, people: dict[str, User], incidents: dict[str, Incident]) -> None:
    manager = actor(org, people["ai_manager"])
    tech = actor(org, people["technical_team"])
    auditor = actor(org, people["internal_audit"])
    today = timezone.localdate()
    bias = incidents[INCIDENTS[0]["title"]]
    if not bias.nonconformities.exists():
        nc = services.incident_to_nonconformity(
            manager,
            bias,
            {
                "requirement": "ISO/IEC 42001 A.6.2.4 (verification and validation)",
                "owner_id": people["technical_team"].pk,
                "correction": "Affected applications re-reviewed manually; 57 decisions reversed.",
                "five_whys": [
                    "Why were young applicants declined more often? The retrained model penalised short time at the current address.",
                    "Why did that pass validation? The fairness check compared approval rates over the whole population only.",
                    "Why only the whole population? The validation checklist did not name the groups to compare.",
                    "Why not? Fairness requirements were set per system in the gate, without a standard list of protected groups.",
                ],
                "root_cause": "No standard list of groups for fairness validation; checks compared the overall population only.",
                "effectiveness_after_days": 0,
            },
        )
        nc = services.nonconformity_transition(manager, nc, "analysed")
        for title, days in (
            ("Add age bands, sex and nationality to the validation fairness checklist", 200),
            ("Proxy analysis for every new feature before retraining", 180),
        ):
            action = services.create_action(
                tech,
                {
                    "nonconformity_id": nc.pk,
                    "title": title,
                    "owner_id": people["technical_team"].pk,
                    "due_date": today - dt.timedelta(days=days),
                },
            )
            services.action_transition(
                tech,
                action,
                "done",
                result="Checklist v3 in the model registry; applied to the March retraining.",
            )
        nc = services.nonconformity_transition(manager, nc, "action_planned")
        nc = services.nonconformity_transition(manager, nc, "verifying")
        services.verify_effectiveness(
            auditor,
            nc,
            effective=True,
            note="Six monthly fairness reports since the fix: approval-rate ratio under 25 between 0.86 and 0.91.",
        )
    fee = incidents[INCIDENTS[1]["title"]]
    if not fee.nonconformities.exists():
        nc = services.incident_to_nonconformity(
            manager,
            fee,
            {
                "requirement": "ISO/IEC 42001 A.8.2 (information for users)",
                "owner_id": people["operational_team"].pk,
                "due_date": today + dt.timedelta(days=20),
                "five_whys": [
                    "Why was the fee wrong? The index held the old price list.",
                    "Why? The index is rebuilt quarterly.",
                    "Why quarterly? Nobody tied index rebuilds to publications of customer information.",
                ],
            },
        )
        nc = services.nonconformity_transition(manager, nc, "analysed")
        action = services.create_action(
            actor(org, people["operational_team"]),
            {
                "nonconformity_id": nc.pk,
                "title": "Rebuild the chatbot index on every price list publication",
                "owner_id": people["operational_team"].pk,
                "due_date": today + dt.timedelta(days=14),
            },
        )
        services.action_transition(actor(org, people["operational_team"]), action, "in_progress")
        services.nonconformity_transition(manager, nc, "action_planned")
    title = "Monitoring thresholds not reviewed for two production models"
    if not Nonconformity.objects.filter(organization=org, title=title).exists():
        services.raise_nonconformity(
            manager,
            {
                "title": title,
                "source": "monitoring",
                "grade": "minor",
                "requirement": "ISO/IEC 42001 9.1",
                "description": "The cash demand forecast and the next-best-offer model still use the thresholds set at launch (2023).",
                "owner_id": people["technical_team"].pk,
                "due_date": today + dt.timedelta(days=45),
            },
        )


def _audits(org: Organization, people: dict[str, User]) -> None:
    ceo = actor(org, people["top_management"])
    auditor = actor(org, people["internal_audit"])
    today = timezone.localdate()
    from aims.core import services as core

    programme = AuditProgramme.objects.filter(
        organization=org, title__startswith="Internal audit programme"
    ).first()
    if programme is None:
        programme = core.create(
            auditor,
            AuditProgramme,
            {
                "title": f"Internal audit programme {today.year - 1}–{today.year + 1}",
                "start_year": today.year - 1,
                "end_year": today.year + 1,
                "objectives": "Cover every clause of ISO/IEC 42001 and every applicable Annex A control over the certification cycle, "
                "high-risk AI systems every year.",
                "method": "Risk-based: process audits with sampling of AI systems; ISO 19011 guidance; reports to the CEO and the board's audit committee.",
            },
        )
        services.approve_programme(ceo, programme)
    title = "Incident management, feedback and monitoring"
    if not Audit.objects.filter(organization=org, title=title).exists():
        audit = services.create_audit(
            auditor,
            {
                "programme_id": programme.pk,
                "title": title,
                "scope": "Incident and feedback handling and model monitoring for the credit scoring, chatbot and fraud systems.",
                "criteria": "ISO/IEC 42001 clauses 9.1 and 10.2, controls A.3.3, A.8.3, A.8.4; the AI incident management procedure.",
                "clauses": ["9.1", "10.2", "A.3.3", "A.8.3", "A.8.4"],
                "processes": ["incidents", "monitoring", "nonconformities"],
                "planned_start": today - dt.timedelta(days=60),
                "planned_end": today - dt.timedelta(days=57),
                "lead_auditor_id": people["internal_audit"].pk,
            },
        )
        audit = services.audit_transition(auditor, audit, "in_progress")
        notes = {
            "9.1": (
                "nonconforming",
                "Two production models still use launch thresholds (sampled 5 of 11 systems).",
            ),
            "A.8.4": ("observation", "Customer communication is decided case by case; no template."),
        }
        for item in audit.checklist.all():
            result, note = notes.get(item.ref, ("conforming", "Records sampled; conforming."))
            services.update_checklist_item(auditor, item, result=result, notes=note)
        services.create_finding(
            auditor,
            {
                "audit_id": audit.pk,
                "kind": "minor_nc",
                "requirement": "9.1",
                "title": "Monitoring thresholds are not reviewed after launch",
                "evidence": "Monitor configuration of cash-demand-forecasting and next-best-offer, unchanged since 2023.",
            },
        )
        services.create_finding(
            auditor,
            {
                "audit_id": audit.pk,
                "kind": "observation",
                "requirement": "A.8.4",
                "title": "No template for communicating incidents to customers",
            },
        )
        services.create_finding(
            auditor,
            {
                "audit_id": audit.pk,
                "kind": "opportunity",
                "requirement": "A.3.3",
                "title": "Show the feedback link inside the chatbot and the mobile app",
            },
        )
        audit = core.update(
            auditor,
            audit,
            {
                "summary": "Incident handling works and is well recorded; the serious-incident clock is "
                "tracked. Monitoring thresholds are not reviewed after launch (minor nonconformity)."
            },
        )
        services.audit_transition(auditor, audit, "reported")
    title = "Leadership, AI policy and documented information"
    if not Audit.objects.filter(organization=org, title=title).exists():
        services.create_audit(
            auditor,
            {
                "programme_id": programme.pk,
                "title": title,
                "clauses": ["5", "7.3", "7.5", "A.2"],
                "processes": ["policy", "documents"],
                "scope": "AI policy, its communication and acknowledgement, document control.",
                "criteria": "ISO/IEC 42001 clauses 5, 7.3, 7.5; A.2.",
                "planned_start": today + dt.timedelta(days=40),
                "planned_end": today + dt.timedelta(days=41),
                "lead_auditor_id": people["internal_audit"].pk,
            },
        )


def _reviews(org: Organization, people: dict[str, User]) -> None:
    from aims.core import services as core

    manager = actor(org, people["ai_manager"])
    ceo = actor(org, people["top_management"])
    today = timezone.localdate()
    attendees = [
        people[r].pk for r in ("top_management", "cio_cdo", "ai_manager", "risk_team", "internal_audit")
    ]
    last_title = f"Management review {today.year - 1}"
    if not ManagementReview.objects.filter(organization=org, title=last_title).exists():
        review = core.create(
            manager,
            ManagementReview,
            {
                "title": last_title,
                "scheduled_for": today - dt.timedelta(days=330),
                "chair_id": people["top_management"].pk,
                "attendees": attendees,
                "minutes": "First management review of the AIMS. The AI manager presented the inventory, the first risk assessments "
                "and the credit-scoring fairness incident.",
            },
        )
        review = services.review_transition(manager, review, "held")
        for text, role, days in (
            ("Extend fairness validation to age bands for all credit models", "technical_team", -200),
            ("Budget a second ML monitoring engineer", "cio_cdo", -150),
            ("Prepare for ISO/IEC 42001 certification next year", "ai_manager", 60),
        ):
            services.add_decision(
                manager,
                review,
                text=text,
                kind="improvement",
                owner_id=people[role].pk,
                due_date=today + dt.timedelta(days=days),
            )
        review = core.update(
            manager,
            review,
            {
                "conclusions": "The AIMS is suitable and adequate; effectiveness still to be shown "
                "in monitoring, where resources are short."
            },
        )
        services.review_transition(ceo, review, "closed")
    this_title = f"Management review {today.year}"
    if not ManagementReview.objects.filter(organization=org, title=this_title).exists():
        core.create(
            manager,
            ManagementReview,
            {
                "title": this_title,
                "scheduled_for": today + dt.timedelta(days=25),
                "chair_id": people["top_management"].pk,
                "attendees": attendees,
            },
        )
    # Two of last year's actions are done.
    from .models import Task

    for task in Task.objects.filter(
        organization=org, source_key__startswith="review:", status="open", due_date__lt=today
    ):
        services.complete_task(actor(org, task.assignee) if task.assignee else manager, task)


def _kpis(org: Organization) -> None:
    """A year of monthly history for the computed KPIs the first time, then today's computed value."""
    services.ensure_builtin_kpis(org)
    system = Actor.system(org, source="cli")
    history = {
        "coverage_owner_docs": [45, 50, 55, 55, 60, 64, 64, 70, 73, 73, 80, 82],
        "coverage_classified": [27, 36, 45, 55, 64, 73, 73, 82, 91, 91, 100, 100],
        "incidents_open": [1, 1, 2, 1, 0, 1, 1, 2, 1, 1, 2, 3],
        "actions_overdue": [0, 1, 1, 2, 1, 1, 0, 0, 1, 1, 0, 0],
        "training_current": [20, 20, 40, 40, 40, 60, 60, 60, 60, 60, 50, 50],
    }
    for kpi in KPI.objects.filter(organization=org):
        if kpi.measurements.exists():
            continue
        for i, value in enumerate(history.get(kpi.key, [])):
            services.record_measurement(
                system, kpi, value, at=_ago(30 * (12 - i), 6), note="monthly value (demo history)"
            )
    if not KPI.objects.filter(organization=org, measurements__note="computed by AIMS").exists():
        services.measure_kpis(org)
    custom = KPI.objects.filter(organization=org, key="complaints-answered-5-days").first()
    if custom is None:
        from aims.core import services as core

        custom = core.create(
            system,
            KPI,
            {
                "key": "complaints-answered-5-days",
                "name": "AI-related complaints answered within 5 working days",
                "category": "custom",
                "unit": "%",
                "target": 90,
                "direction": "higher",
                "description": "Measured monthly by customer service from the complaints system.",
            },
        )
        for i, value in enumerate([71, 74, 80, 78, 85, 88, 86, 90, 92, 89, 93, 94]):
            services.record_measurement(
                system, custom, value, at=_ago(30 * (12 - i), 6), note="customer service report"
            )


def load(org: Organization, people: dict[str, User]) -> None:
    incidents = _incidents(org, people)
    _feedback(org, people)
    _nonconformities(org, people, incidents)
    _audits(org, people)
    if not Improvement.objects.filter(
        organization=org, title="Explain credit decisions in the customer portal"
    ).exists():
        from aims.core import services as core

        core.create(
            actor(org, people["ai_manager"]),
            Improvement,
            {
                "title": "Explain credit decisions in the customer portal",
                "source": "Lesson learned from the under-25 incident",
                "description": "Show the main reasons behind an automated credit decision and how to ask for human review.",
                "status": "accepted",
                "owner_id": people["cio_cdo"].pk,
            },
        )
    _reviews(org, people)
    _kpis(org)
    services.generate_tasks(org)
