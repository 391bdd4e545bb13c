"""Demo content of the risk area for Northwind Financial Group: the default 5 x 5 method, a register
of AI risks on the demo AI systems (assessed, some treated, one accepted above the appetite by the
CEO), treatment actions, and impact assessments (one approved, feeding the register; one draft).

Idempotent like the rest of `aims demo`: records are matched by title and written only when they
differ, through the risk services, by the person who would write them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from aims.core.demo import actor, ensure
from aims.core.models import Organization, User
from aims.inventory.models import AISystem, InterestedParty

from . import services
from .models import ImpactAssessment, Risk, RiskAcceptance, RiskCategory, RiskTreatment

# Each risk: systems by slug, category key, stage, likelihood/impact (l, i) and residual (rl, ri)
# on the default 5 x 5 scales, treatment, target status, owner role, and the register's texts.
RISKS: list[dict[str, Any]] = [
    {
        "title": "Credit scores disadvantage older and younger applicants",
        "systems": ["retail-credit-scoring"],
        "category": "bias",
        "stage": "operation",
        "l": 4,
        "i": 4,
        "rl": 2,
        "ri": 4,
        "treatment": "mitigate",
        "status": "in_treatment",
        "owner": "risk_team",
        "description": "Approval rates differ by age band beyond the tolerance set in the fairness policy; applicants "
        "under 25 and over 65 are referred or declined more often for similar repayment histories.",
        "root_causes": "Age correlates with credit history length and employment duration in the German credit data; "
        "the 2019 training sample under-represents applicants over 65.",
        "rationale": "Quarterly fairness report Q1 2026: demographic parity difference 0.14 for age under 25.",
        "existing": "Credit officers review every referred case; annual model validation.",
        "additional": "Monthly outcome monitoring by age band with alert thresholds; reweighting at next retraining.",
        "controls": ["A.5.4", "A.7.4", "A.6.2.6"],
        "parties": ["Loan applicants", "Consumer protection associations"],
        "plan": "Reweigh training data, add fairness gate to the release checklist, monitor monthly.",
    },
    {
        "title": "Declined applicants do not get the main reasons for the credit decision",
        "systems": ["retail-credit-scoring"],
        "category": "transparency",
        "stage": "operation",
        "l": 3,
        "i": 4,
        "rl": 2,
        "ri": 3,
        "treatment": "mitigate",
        "status": "treatment_planned",
        "owner": "ai_manager",
        "description": "Rejection letters state the outcome but not the main factors, so applicants cannot contest it "
        "(GDPR Art. 22(3), the SCHUFA judgment, AI Act Art. 86).",
        "root_causes": "The letter template predates the model; no reason codes are exported to the letter system.",
        "rationale": "Two complaints in 2025 and the data protection officer's review.",
        "existing": "Applicants may ask a credit officer for a review.",
        "additional": "Reason codes from the model in every decline letter; human review on request within 10 days.",
        "controls": ["A.8.2", "A.6.2.7"],
        "parties": ["Loan applicants"],
        "plan": "Export the top 4 reason codes; rewrite the letter template; train credit officers.",
    },
    {
        "title": "CV ranking penalises career gaps and non-German education",
        "systems": ["cv-screening"],
        "category": "bias",
        "stage": "operation",
        "l": 4,
        "i": 5,
        "rl": None,
        "ri": None,
        "treatment": "",
        "status": "assessed",
        "owner": "ai_manager",
        "description": "The vendor's ranking model may push down candidates with career breaks (often parental leave) "
        "or foreign degrees, excluding them before a recruiter reads their CV.",
        "root_causes": "Vendor model trained on historic hiring decisions; no access to its training data.",
        "rationale": "Vendor documentation admits no group-level testing; high-risk use under Annex III 4(a).",
        "existing": "Recruiters may view the full candidate list.",
        "additional": "Request the vendor's bias testing; disable knock-out on gaps; sample audits of rejected CVs.",
        "controls": ["A.10.3", "A.5.4"],
        "parties": ["Job applicants", "Employees and the works council"],
    },
    {
        "title": "Recruiters follow the ranking without real review",
        "systems": ["cv-screening"],
        "category": "accountability",
        "stage": "operation",
        "l": 4,
        "i": 3,
        "rl": None,
        "ri": None,
        "treatment": "",
        "status": "assessed",
        "owner": "ai_manager",
        "description": "With 25,000 applications a year, recruiters rarely look beyond the top of the list (automation bias).",
        "root_causes": "Time pressure; no named system owner; no oversight training.",
        "rationale": "Interviews with four recruiters, March 2026.",
        "existing": "None specific.",
        "additional": "Named owner; oversight training; monitor override rates.",
        "controls": ["A.3.2", "A.9.2"],
        "parties": ["Job applicants"],
    },
    {
        "title": "Chatbot gives wrong information about loan conditions",
        "systems": ["customer-service-chatbot"],
        "category": "robustness",
        "stage": "operation",
        "l": 3,
        "i": 3,
        "rl": 2,
        "ri": 3,
        "treatment": "mitigate",
        "status": "in_treatment",
        "owner": "operational_team",
        "description": "The language model invents interest rates or fees that do not exist, and customers rely on them.",
        "root_causes": "Generative model answering beyond the retrieved product sheets.",
        "rationale": "Red-team test found 3 of 200 answers with invented conditions.",
        "existing": "Answers limited to retrieved documents; hand-over to an agent on request.",
        "additional": "Refuse to quote figures not in the product sheet; weekly sampling of conversations.",
        "controls": ["A.6.2.4", "A.6.2.6"],
        "parties": ["Retail banking customers"],
        "plan": "Guardrail on numeric answers; sampling review by the operations team.",
    },
    {
        "title": "Prompt injection leaks customer data from the chatbot",
        "systems": ["customer-service-chatbot"],
        "category": "security",
        "stage": "operation",
        "l": 2,
        "i": 5,
        "rl": 1,
        "ri": 5,
        "treatment": "mitigate",
        "status": "in_treatment",
        "owner": "technical_team",
        "description": "A crafted message makes the assistant reveal another customer's data or its instructions.",
        "root_causes": "Account tools callable by the model; untrusted text mixed with instructions.",
        "rationale": "Known attack class; the assistant can read account data after login.",
        "existing": "Tools scoped to the logged-in customer; output filter for IBANs.",
        "additional": "Quarterly red-team exercise; least-privilege tool design review.",
        "controls": ["A.6.2.4", "A.6.2.6"],
        "parties": ["Retail banking customers", "Stratus AI Inc."],
        "plan": "Red-team exercise each quarter.",
    },
    {
        "title": "Fraud model misses new card fraud patterns",
        "systems": ["card-fraud-detection"],
        "category": "performance",
        "stage": "operation",
        "l": 3,
        "i": 3,
        "rl": 2,
        "ri": 3,
        "treatment": "mitigate",
        "status": "in_treatment",
        "owner": "technical_team",
        "description": "Fraudsters change tactics faster than the model is retrained, so recall falls.",
        "root_causes": "Concept drift; labels arrive weeks late from chargebacks.",
        "rationale": "Recall fell from 0.91 to 0.84 between retrainings in 2025.",
        "existing": "Rules engine as a second line; monthly retraining.",
        "additional": "Drift monitoring on transaction features; retraining trigger on recall drop.",
        "controls": ["A.6.2.6"],
        "parties": ["Retail banking customers"],
        "plan": "Drift monitor with alert at PSI 0.2.",
    },
    {
        "title": "Fraud model is overfitted to last year's merchants",
        "systems": ["card-fraud-detection"],
        "category": "fitting",
        "stage": "validation",
        "l": 2,
        "i": 3,
        "rl": None,
        "ri": None,
        "treatment": "",
        "status": "assessed",
        "owner": "technical_team",
        "description": "Merchant identifiers dominate the model, so it generalises poorly to new merchants.",
        "root_causes": "High-cardinality merchant features; validation split by time not used.",
        "rationale": "Validation on 2026 merchants shows 9 points lower precision.",
        "existing": "Holdout test set.",
        "additional": "Time-based validation split; feature importance review.",
        "controls": ["A.6.2.4", "A.7.4"],
        "parties": [],
    },
    {
        "title": "Triage assistant under-triages urgent symptoms",
        "systems": ["telehealth-triage-assistant"],
        "category": "unsafe_deployment",
        "stage": "operation",
        "l": 2,
        "i": 5,
        "rl": 2,
        "ri": 5,
        "treatment": "accept",
        "status": "accepted",
        "owner": "cio_cdo",
        "description": "The assistant may suggest a routine appointment for a condition that needs emergency care.",
        "root_causes": "Rare presentations under-represented; symptom descriptions by lay callers are vague.",
        "rationale": "Clinical safety case; 0.3 % under-triage in the 2025 audit, each caught by the nurse.",
        "existing": "A nurse decides on every call; red-flag symptom list overrides the model.",
        "additional": "None beyond existing: nurse oversight is the safeguard.",
        "controls": ["A.6.2.5", "A.9.4"],
        "parties": ["Health insurance policyholders"],
        "plan": "Accepted by the CEO with nurse-in-the-loop as the safeguard; review at each model update.",
        "acceptance": (
            "top_management",
            "Nurse oversight on every call keeps the residual risk tolerable; the service "
            "reduces waiting times for urgent cases overall.",
        ),
    },
    {
        "title": "Health data used for triage kept beyond the retention period",
        "systems": ["telehealth-triage-assistant"],
        "category": "privacy",
        "stage": "operation",
        "l": 3,
        "i": 3,
        "rl": 1,
        "ri": 3,
        "treatment": "mitigate",
        "status": "in_treatment",
        "owner": "technical_team",
        "description": "Call transcripts with health data stay in the training data lake after the 90-day limit.",
        "root_causes": "No automated deletion in the data lake; manual exports for retraining.",
        "rationale": "Data protection audit, January 2026.",
        "existing": "Access restricted to the triage team.",
        "additional": "Automated deletion job; pseudonymised training extracts.",
        "controls": ["A.7.2", "A.7.5"],
        "parties": [
            "Health insurance policyholders",
            "Hessian Commissioner for Data Protection and Freedom of Information",
        ],
        "plan": "Deletion job and pseudonymisation before the next retraining.",
    },
    {
        "title": "Face recognition fails more often for darker skin tones",
        "systems": ["building-access-face-recognition"],
        "category": "bias",
        "stage": "operation",
        "l": 3,
        "i": 3,
        "rl": 2,
        "ri": 2,
        "treatment": "mitigate",
        "status": "in_treatment",
        "owner": "org_admin",
        "description": "Employees are refused at the gate more often depending on skin tone, and must use a badge.",
        "root_causes": "Vendor model accuracy varies by demographic group; lighting at two entrances.",
        "rationale": "Vendor's published error rates by group; 11 complaints in 2025.",
        "existing": "Badge fallback at every gate.",
        "additional": "Lighting fix; vendor accuracy report by group.",
        "controls": ["A.10.3", "A.5.4"],
        "parties": ["People entering Northwind buildings", "Veridia Biometrics GmbH"],
        "plan": "Improve lighting; request group-level accuracy from the vendor.",
    },
    {
        "title": "Coding assistant suggests code under incompatible licences",
        "systems": ["internal-coding-assistant"],
        "category": "accountability",
        "stage": "deployment",
        "l": 3,
        "i": 2,
        "rl": 2,
        "ri": 2,
        "treatment": "accept",
        "status": "accepted",
        "owner": "cio_cdo",
        "description": "Suggestions reproduce open-source code whose licence conflicts with internal use.",
        "root_causes": "Vendor model trained on public repositories; no licence filter enabled.",
        "rationale": "Low exposure: internal tools only, code review on every merge.",
        "existing": "Code review; vendor's duplicate-detection filter.",
        "additional": "",
        "controls": ["A.10.3"],
        "parties": ["DevForge Ltd."],
        "acceptance": ("risk_team", "Internal use only and reviewed code: within the appetite."),
    },
    {
        "title": "Cash demand forecast fails after a regional disruption",
        "systems": ["cash-demand-forecasting"],
        "category": "robustness",
        "stage": "operation",
        "l": 2,
        "i": 2,
        "rl": None,
        "ri": None,
        "treatment": "",
        "status": "assessed",
        "owner": "operational_team",
        "description": "A strike or festival shifts cash demand so ATMs run empty or hold idle cash.",
        "root_causes": "The model learns from normal weeks; events are not features.",
        "rationale": "Two ATM outages during the 2025 transport strike.",
        "existing": "Operators may override the forecast.",
        "additional": "Event calendar as a feature.",
        "controls": ["A.6.2.4"],
        "parties": [],
    },
    {
        "title": "Shadow AI: staff paste customer data into public chatbots",
        "systems": [],
        "category": "privacy",
        "stage": "",
        "l": 4,
        "i": 4,
        "rl": None,
        "ri": None,
        "treatment": "mitigate",
        "status": "treatment_planned",
        "owner": "ai_manager",
        "description": "Employees use public generative AI services for work and paste personal or confidential data.",
        "root_causes": "No approved alternative for some teams; rules not known.",
        "rationale": "Proxy logs show 1,200 visits a week to public chatbot sites.",
        "existing": "Acceptable use policy (2024).",
        "additional": "Approved internal assistant; awareness campaign; web filter for unapproved services.",
        "controls": ["A.9.2", "A.2.3"],
        "parties": ["Employees and the works council"],
        "plan": "Roll out the approved assistant and the awareness campaign in Q2.",
    },
]

ACTIONS: list[tuple[str, str, str, int, str, str]] = [
    # (risk title, action, owner role, due in days (negative = overdue), status, control)
    (
        RISKS[0]["title"],
        "Reweigh training data by age band and retrain",
        "technical_team",
        45,
        "in_progress",
        "A.7.4",
    ),
    (
        RISKS[0]["title"],
        "Add a fairness gate to the release checklist",
        "ai_manager",
        30,
        "planned",
        "A.6.2.5",
    ),
    (
        RISKS[0]["title"],
        "Monthly outcome monitoring by age band",
        "operational_team",
        -10,
        "planned",
        "A.6.2.6",
    ),
    (
        RISKS[1]["title"],
        "Export the top four reason codes to the letter system",
        "technical_team",
        60,
        "planned",
        "A.8.2",
    ),
    (
        RISKS[4]["title"],
        "Guardrail: no figures that are not in the product sheet",
        "technical_team",
        -5,
        "in_progress",
        "A.6.2.4",
    ),
    (
        RISKS[6]["title"],
        "Drift monitor on transaction features",
        "technical_team",
        20,
        "in_progress",
        "A.6.2.6",
    ),
    (
        RISKS[9]["title"],
        "Automated deletion of transcripts after 90 days",
        "technical_team",
        15,
        "planned",
        "A.7.5",
    ),
    (RISKS[13]["title"], "Roll out the approved internal assistant", "cio_cdo", 75, "planned", "A.9.2"),
]

ASSESSMENTS: list[dict[str, Any]] = [
    {
        "system": "retail-credit-scoring",
        "approve": True,
        "title": "Retail credit scoring: impact assessment and FRIA 2026",
        "intended_purpose": "Recommend approval, or referral to a credit officer, of consumer loan applications up to "
        "EUR 50,000, and price approved loans by risk.",
        "foreseeable_misuse": "Using the score to target marketing or to decide on products it was not validated for.",
        "deployment_context": "Retail lending process, branch and online channels; every referral decided by a credit officer.",
        "period_and_frequency": "Continuous; about 40,000 applications a year.",
        "affected_individuals": "Loan applicants, co-applicants and guarantors.",
        "affected_groups": "Applicants by age band, sex, nationality and employment type.",
        "vulnerable_groups": "Young adults with thin credit files; elderly applicants; people in financial distress.",
        "societal_impacts": "Access to credit in regions with lower incomes; household over-indebtedness.",
        "human_oversight": "Credit officers decide every referred case and may override approvals.",
        "remedies": "Review on request by a credit officer; complaint to customer service and the ombudsman.",
        "processes_personal_data": True,
        "dpia_required": True,
        "dpia_reference": "DPIA-2025-014 (Legal, v3)",
        "overall_result": "Use may continue with monthly fairness monitoring and reason codes in decline letters.",
        "items": [
            {
                "area": "fairness",
                "affected": "groups",
                "description": "Applicants under 25 declined more often for similar repayment capacity",
                "severity": 4,
                "likelihood": 4,
                "reversibility": "difficult",
                "scale": "many",
                "mitigation": "Reweighting and monthly monitoring by age band",
            },
            {
                "area": "fundamental_rights",
                "affected": "individuals",
                "description": "Applicants cannot contest an automated decline",
                "severity": 4,
                "likelihood": 3,
                "reversibility": "difficult",
                "scale": "many",
                "mitigation": "Reason codes and human review on request",
            },
            {
                "area": "economy",
                "affected": "society",
                "description": "Reduced credit access in low-income regions",
                "severity": 3,
                "likelihood": 2,
                "reversibility": "reversible",
                "scale": "widespread",
                "mitigation": "",
            },
        ],
    },
    {
        "system": "cv-screening",
        "approve": False,
        "title": "CV screening: impact assessment (draft)",
        "intended_purpose": "Rank job applications against vacancy requirements to help recruiters shortlist.",
        "foreseeable_misuse": "Automatic rejection of lower-ranked candidates without human review.",
        "deployment_context": "HR recruitment process for all vacancies in Germany.",
        "period_and_frequency": "Continuous; about 25,000 applications a year.",
        "affected_individuals": "Job applicants.",
        "affected_groups": "Applicants with career gaps, foreign qualifications, disabilities; by age and gender.",
        "vulnerable_groups": "People returning from parental leave; refugees with foreign degrees.",
        "societal_impacts": "Labour-market exclusion if the same vendor model is used by many employers.",
        "human_oversight": "Recruiters see the full list; oversight training planned.",
        "remedies": "Applicants may ask HR for a manual review.",
        "processes_personal_data": True,
        "dpia_required": True,
        "dpia_reference": "",
        "overall_result": "",
        "items": [
            {
                "area": "fairness",
                "affected": "groups",
                "description": "Candidates with career gaps ranked lower",
                "severity": 5,
                "likelihood": 4,
                "reversibility": "irreversible",
                "scale": "many",
                "mitigation": "Disable gap knock-out; sample audits",
            },
        ],
    },
]


def _day(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def load(org: Organization, people: dict[str, User]) -> None:
    """Load or refresh the risk area's demo content of `org`; writes only what differs."""
    services.ensure_setup(org)
    risk_team = actor(org, people["risk_team"])
    systems = {s.slug: s for s in AISystem.objects.filter(organization=org)}
    parties = {p.name: p for p in InterestedParty.objects.filter(organization=org)}
    categories = {c.key: c for c in RiskCategory.objects.filter(organization=org)}
    made: dict[str, Risk] = {}
    for spec in RISKS:
        wanted_systems = [systems[s].pk for s in spec["systems"] if s in systems]
        if spec["systems"] and not wanted_systems:
            continue  # the inventory demo does not have this system (yet)
        data = {
            "description": spec["description"],
            "category": categories[spec["category"]],
            "ai_systems": wanted_systems,
            "lifecycle_stage": spec["stage"],
            "root_causes": spec["root_causes"],
            "likelihood": spec["l"],
            "impact": spec["i"],
            "rationale": spec["rationale"],
            "existing_controls": spec["existing"],
            "additional_controls": spec["additional"],
            "control_refs": spec["controls"],
            "owner": people.get(spec["owner"]),
            "treatment": spec["treatment"],
            "treatment_plan": spec.get("plan", ""),
            "residual_likelihood": spec["rl"],
            "residual_impact": spec["ri"],
            "interested_parties": [parties[p].pk for p in spec["parties"] if p in parties],
        }
        risk = ensure(
            risk_team,
            Risk,
            {"title": spec["title"]},
            data,
            create=services.create_risk,
            update=services.update_risk,
        )
        _ensure_status(org, people, risk_team, risk, spec)
        made[spec["title"]] = risk
    for title, text, role, days, status, control in ACTIONS:
        if title not in made:
            continue
        ensure(
            risk_team,
            RiskTreatment,
            {"risk": made[title], "title": text},
            {"owner": people.get(role), "status": status, "control_ref": control},
            create=services.create_treatment,
            update=services.update_treatment,
        )
        # Due dates are relative to today: set once, so a refresh does not move them every day.
        RiskTreatment.objects.filter(
            organization=org, risk=made[title], title=text, due_date__isnull=True
        ).update(due_date=_day(days))
    for spec in ASSESSMENTS:
        if spec["system"] in systems:
            _ensure_assessment(org, people, risk_team, systems[spec["system"]], spec)


def _ensure_status(
    org: Organization, people: dict[str, User], risk_team: Any, risk: Risk, spec: dict[str, Any]
) -> None:
    wanted = spec["status"]
    risk.refresh_from_db()
    if wanted == Risk.Status.ACCEPTED:
        if not RiskAcceptance.objects.filter(risk=risk, status=RiskAcceptance.Status.ACTIVE).exists():
            role, why = spec["acceptance"]
            services.accept_risk(actor(org, people[role]), risk, justification=why, expires_on=_day(330))
        return
    if risk.status == wanted:
        return
    path = {
        Risk.Status.TREATMENT_PLANNED: [Risk.Status.TREATMENT_PLANNED],
        Risk.Status.IN_TREATMENT: [Risk.Status.TREATMENT_PLANNED, Risk.Status.IN_TREATMENT],
    }.get(wanted, [wanted])
    for step in path:
        if risk.status != step and step in services.TRANSITIONS.get(risk.status, set()):
            risk = services.update_risk(risk_team, risk, {"status": step})


def _ensure_assessment(
    org: Organization, people: dict[str, User], risk_team: Any, system: AISystem, spec: dict[str, Any]
) -> None:
    if ImpactAssessment.objects.filter(organization=org, ai_system=system, title=spec["title"]).exists():
        return
    data = {k: v for k, v in spec.items() if k not in ("system", "approve")}
    data["ai_system"] = system.pk
    assessment = services.create_assessment(risk_team, data)
    if spec["approve"]:
        services.submit_assessment(risk_team, assessment)
        services.approve_assessment(actor(org, people["ai_manager"]), assessment)
