"""The governance part of the demo organization (clauses 5, 6.2, 7): the AI policy approved by the CEO
and acknowledged by most members, controlled procedures, the RACI, competences and training records
(with gaps), AI objectives, the communication plan and the AIMS resources. Called by
`aims.core.demo.load()` after the inventory; idempotent (records are matched by slug, title or name,
and workflows run only when their record is first created)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from aims.core.demo import actor, ensure
from aims.core.models import Organization, User

from . import services
from .models import (
    Communication,
    Competence,
    Document,
    Objective,
    ResourceAllocation,
    Responsibility,
    TrainingRecord,
)

PROCEDURES = [
    # slug, title, kind, author role, approver role, final status, content
    (
        "incident-procedure",
        "AI incident management procedure",
        "procedure",
        "operational_team",
        "ai_manager",
        "published",
        """
# AI incident management procedure

## Purpose
How Northwind detects, contains, analyses and learns from AI incidents, and how it meets the EU AI Act's
reporting duty for serious incidents (Art. 73).

## Steps
1. **Report.** Anyone reports an incident in AIMS (staff), or through the public feedback page of each AI
   system (customers). Monitor alerts open incidents automatically.
2. **Triage within one working day.** The AI operations manager sets type, severity and handler, and decides
   whether it is a *serious incident*. If so, the reporting deadline shown in AIMS applies (15 days; 10 days
   after a death; 2 days for a widespread infringement or critical-infrastructure disruption).
3. **Contain.** Stop the harm: roll back the model, switch to manual decisions, or suspend the system.
4. **Analyse.** Find the root cause with five whys; record it in the incident.
5. **Correct.** Raise a nonconformity and corrective actions where a requirement was not met.
6. **Communicate.** Inform affected customers and, for serious incidents, the market surveillance authority.
7. **Close** once lessons learned are recorded (AI manager).
""",
    ),
    (
        "impact-assessment-procedure",
        "AI system impact assessment procedure",
        "procedure",
        "risk_team",
        "ai_manager",
        "published",
        """
# AI system impact assessment procedure

Every AI system that decides about, or interacts with, people gets an impact assessment before it goes into
production and after any significant change. The assessment covers individuals (rights, fairness, safety,
privacy) and society (environment, access to services), uses the risk criteria of the AI risk methodology,
and is approved by the AI manager. Results feed the risk register.
""",
    ),
    (
        "model-card-template",
        "Model documentation template",
        "template",
        "technical_team",
        "ai_manager",
        "draft",
        """
# Model card: <system name>

- **Intended use and users**
- **Out-of-scope uses**
- **Training data** (sources, period, known gaps)
- **Evaluation** (metrics, thresholds, fairness by group)
- **Limitations and risks**
- **Human oversight**
- **Version history**
""",
    ),
    (
        "monitoring-procedure",
        "Model monitoring and alerting procedure",
        "procedure",
        "technical_team",
        "ai_manager",
        "in_review",
        """
# Model monitoring and alerting procedure

Every production model has monitors for performance, fairness and drift with thresholds agreed at the
deployment gate. Alerts are reviewed daily by the on-call ML engineer; a threshold breached for three
consecutive days opens an incident. Thresholds are reviewed at least yearly.
""",
    ),
]

COMPETENCES = [
    # role, name, course, validity months
    ("ai_manager", "Running an ISO/IEC 42001 management system", "ISO/IEC 42001 Lead Implementer", 36),
    ("internal_audit", "Auditing an AI management system", "ISO/IEC 42001 Internal Auditor", 36),
    ("risk_team", "AI risk and impact assessment", "AI risk assessment workshop", 24),
    ("technical_team", "Fairness metrics and bias testing", "Fairness and bias testing for ML", 24),
    ("operational_team", "Handling AI incidents", "AI incident handling drill", 12),
    ("top_management", "AI literacy for leaders (EU AI Act Art. 4)", "AI literacy for executives", 24),
]

TRAININGS = [
    # role, course, provider, completed days ago, evidence
    ("ai_manager", "ISO/IEC 42001 Lead Implementer", "TÜV Academy", 300, "Certificate LI-42001-88213"),
    ("internal_audit", "ISO/IEC 42001 Internal Auditor", "BSI Training", 200, "Certificate IA-5521"),
    (
        "technical_team",
        "Fairness and bias testing for ML",
        "Northwind AI Academy",
        120,
        "Course record NAA-FB-17",
    ),
    ("operational_team", "AI incident handling drill", "Northwind AI Academy", 400, "Drill report 2025-Q3"),
    ("top_management", "AI literacy for executives", "Northwind AI Academy", 90, "Attendance list 2026-08"),
]

OBJECTIVES = [
    # title, kpi key, target, unit, owner role, due (days from now), plan
    (
        "Every AI system in production has an owner and technical documentation",
        "coverage_owner_docs",
        100,
        "%",
        "ai_manager",
        120,
        "System owners complete the model card template for each system; the AI manager checks coverage monthly.",
    ),
    (
        "Every member knows the AI policy",
        "policy_acknowledged",
        100,
        "%",
        "ai_manager",
        60,
        "Publish the policy, ask every member to acknowledge it in AIMS, remind those who have not after 30 days.",
    ),
    (
        "Serious incidents reported to the authority on time",
        "serious_reported_on_time",
        100,
        "%",
        "operational_team",
        365,
        "Art. 73 deadlines tracked in AIMS with reminders; incident drill twice a year.",
    ),
    (
        "People have the competence their role requires",
        "training_current",
        95,
        "%",
        "cio_cdo",
        180,
        "Competence requirements per role; training plan; expiring training becomes a task.",
    ),
]

COMMUNICATIONS = [
    # topic, audience, timing, channel, external, spokesperson role, occurred days ago (None = plan), summary
    (
        "AI policy and its changes",
        "All employees",
        "On each publication",
        "intranet",
        False,
        "ai_manager",
        None,
        "",
    ),
    (
        "AIMS performance and incidents",
        "Board of directors",
        "Quarterly",
        "report",
        False,
        "top_management",
        None,
        "",
    ),
    (
        "Serious AI incidents",
        "Market surveillance authority (BaFin / national MSA)",
        "Within the Art. 73 deadline",
        "report",
        True,
        "ai_manager",
        None,
        "",
    ),
    (
        "How we use AI in credit decisions",
        "Customers",
        "Yearly and on request",
        "website",
        True,
        "top_management",
        None,
        "",
    ),
    (
        "AI policy published",
        "All employees",
        "",
        "intranet",
        False,
        "ai_manager",
        20,
        "Intranet article and e-mail with a link to acknowledge the policy in AIMS.",
    ),
]

RESOURCES = [
    # kind, description, amount, unit, adequate
    ("budget", "AIMS operating budget (tools, training, external audit)", "420000", "EUR", True),
    ("people", "AI governance office (head, two analysts)", "3", "FTE", True),
    ("people", "ML monitoring on-call rotation", "1.5", "FTE", False),
    ("tools", "AIMS, model registry and monitoring platform licences", "85000", "EUR", True),
]


def _person(people: dict[str, User], role: str) -> User:
    return people[role]


def _drive(
    org: Organization, people: dict[str, User], doc: Document, author: str, approver: str, final: str
) -> None:
    """Take the first version of a new document to its demo status, each step by the person who does it."""
    version = doc.versions.order_by("number").first()
    assert version is not None
    steps = {
        "in_review": ["in_review"],
        "approved": ["in_review", "approved"],
        "published": ["in_review", "approved", "published"],
    }
    for step in steps.get(final, []):
        who = author if step == "in_review" else approver
        services.version_transition(actor(org, people[who]), version, step)
        version.refresh_from_db()


def load(org: Organization, people: dict[str, User]) -> None:
    manager = actor(org, people["ai_manager"])
    ceo = actor(org, people["top_management"])

    # The AI policy: drafted from the template by the AI manager, approved and published by the CEO.
    policy = services.ai_policy(org)
    if policy is None:
        policy = services.ai_policy_from_template(manager, owner_id=people["ai_manager"].pk)
        version = policy.versions.get(number=1)
        services.version_transition(manager, version, "in_review")
        services.version_transition(ceo, version, "approved", comment="Approved at the board meeting.")
        services.version_transition(ceo, version, "published")
        policy.refresh_from_db()
        # Most members acknowledge it; the ML lead and the operations manager have not yet (7.3).
        for role in ("top_management", "cio_cdo", "ai_manager", "risk_team", "internal_audit", "org_admin"):
            services.acknowledge(actor(org, people[role]), policy)

    for slug, title, kind, author, approver, final, content in PROCEDURES:
        if Document.objects.filter(organization=org, slug=slug).exists():
            continue
        who = actor(org, people[author])
        doc = services.create_document(
            who,
            {
                "title": title,
                "slug": slug,
                "kind": kind,
                "owner_id": people[author].pk,
                "approver_id": people[approver].pk,
                "content": content.strip() + "\n",
                "requires_acknowledgement": kind == "procedure",
            },
        )
        _drive(org, people, doc, author, approver, final)

    if not Responsibility.objects.filter(organization=org).exists():
        services.load_default_raci(manager)

    competences: dict[str, Competence] = {}
    for role, name, course, months in COMPETENCES:
        competences[course] = ensure(
            manager, Competence, {"role": role, "name": name}, {"course": course, "validity_months": months}
        )

    today = timezone.localdate()
    for role, course, provider, days_ago, evidence in TRAININGS:
        person = people[role]
        ensure(
            manager,
            TrainingRecord,
            {"person": person, "course": course},
            {
                "provider": provider,
                "completed_on": today - dt.timedelta(days=days_ago),
                "evidence": evidence,
                "competence": competences[course],
            },
            create=services.create_training,
        )

    from aims.assurance.models import KPI
    from aims.assurance.services import ensure_builtin_kpis

    ensure_builtin_kpis(org)
    for title, key, target, unit, owner, due_days, plan in OBJECTIVES:
        kpi = KPI.objects.filter(organization=org, key=key).first()
        ensure(
            manager,
            Objective,
            {"title": title},
            {
                "kpi": kpi,
                "target": float(target),
                "unit": unit,
                "owner": people[owner],
                "plan": plan,
                "due_date": _due(org, title, today + dt.timedelta(days=due_days)),
                "evaluation": "Measured by AIMS from its own records; reviewed at each management review.",
                "resources": "AI governance office; system owners' time.",
            },
        )

    for topic, audience, timing, channel, external, role, days_ago, summary in COMMUNICATIONS:
        data: dict[str, Any] = {
            "timing": timing,
            "channel": channel,
            "external": external,
            "spokesperson_role": role,
            "summary": summary,
        }
        if days_ago is not None:
            data["occurred_on"] = _due(
                org, topic, today - dt.timedelta(days=days_ago), model=Communication, field="topic"
            )
        ensure(manager, Communication, {"topic": topic, "audience": audience}, data)

    for kind, description, amount, unit, adequate in RESOURCES:
        ensure(
            ceo,
            ResourceAllocation,
            {"description": description},
            {
                "kind": kind,
                "amount": _decimal(amount),
                "unit": unit,
                "year": today.year,
                "adequate": adequate,
            },
        )


def _due(
    org: Organization, title: str, default: dt.date, *, model: Any = Objective, field: str = "title"
) -> dt.date:
    """Dates relative to today are fixed when first loaded, so a later refresh does not move them."""
    existing = model.objects.filter(organization=org, **{field: title}).first()
    value = (
        getattr(existing, "due_date", None) or getattr(existing, "occurred_on", None) if existing else None
    )
    return value or default


def _decimal(text: str) -> Any:
    import decimal

    return decimal.Decimal(text)
