"""The gate criteria registry: the stage order, the default criteria of each stage's exit gate (from
the seed's lists for design, data management, development and training, third-party control and
deployment), and the automatic conditions AIMS checks itself.

A gate belongs to the stage a system is *in*: it must hold before the system moves to the next
stage. Every organization gets the defaults the first time a gate is used
(`services.ensure_criteria`) and may then add its own checklist items or switch defaults off.

An automatic check is a function `(system, params) -> (met, reason)`. When the records it reads
belong to an area that is not installed or not built yet, the check answers "not available yet"
and the criterion is not met: a gate never passes on missing information.

The inventory has no separate "data" stage, so the data-management criteria sit in the gate out of
development (data is prepared and documented while the model is developed)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aims.inventory.models import AISystem

Stage = AISystem.Stage
ORDER: list[str] = [
    Stage.IDEA,
    Stage.DESIGN,
    Stage.DEVELOPMENT,
    Stage.VALIDATION,
    Stage.DEPLOYMENT,
    Stage.OPERATION,
    Stage.RETIRED,
]


def next_stage(stage: str) -> str | None:
    if stage not in ORDER:
        return None
    i = ORDER.index(stage)
    return ORDER[i + 1] if i + 1 < len(ORDER) else None


def previous_stage(stage: str) -> str | None:
    if stage not in ORDER:
        return None
    i = ORDER.index(stage)
    return ORDER[i - 1] if i > 0 else None


def stage_label(stage: str | None) -> str:
    return str(Stage(stage).label) if stage in Stage.values else str(stage or "")


# --- the automatic conditions ---------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    key: str
    title: Any
    description: Any
    run: Callable[[AISystem, dict[str, Any]], tuple[bool, str]]


CHECKS: dict[str, Check] = {}
NOT_AVAILABLE = "not available yet"


def check(
    key: str, title: Any, description: Any
) -> Callable[[Callable[[AISystem, dict[str, Any]], tuple[bool, str]]], Any]:
    def register(fn: Callable[[AISystem, dict[str, Any]], tuple[bool, str]]) -> Any:
        CHECKS[key] = Check(key, title, description, fn)
        return fn

    return register


def run_check(key: str, system: AISystem, params: dict[str, Any]) -> tuple[bool, str]:
    found = CHECKS.get(key)
    if found is None:
        return False, f"unknown check {key!r}"
    try:
        return found.run(system, params or {})
    except (ImportError, LookupError, FieldError) as exc:  # the area behind it is not there (yet)
        return False, f"{NOT_AVAILABLE}: {exc}"


def _model(app_label: str, name: str) -> Any:
    from django.apps import apps

    return apps.get_model(app_label, name)  # LookupError when the app or model does not exist (yet)


@check(
    "owner_assigned",
    _("An accountable owner is named"),
    _("The AI system has an owner who is a member (A.3.2)."),
)
def _owner(system: AISystem, params: dict[str, Any]) -> tuple[bool, str]:
    if system.owner_id:
        return True, f"owner: {system.owner.display_name if system.owner else system.owner_id}"
    return False, "no owner is named in the inventory"


@check(
    "purpose_documented",
    _("Purpose and intended use documented"),
    _("The inventory states the system's purpose and function."),
)
def _purpose(system: AISystem, params: dict[str, Any]) -> tuple[bool, str]:
    missing = [n for n in ("purpose", "function") if not getattr(system, n).strip()]
    return (
        not missing,
        "purpose and function are documented"
        if not missing
        else f"missing in the inventory: {', '.join(missing)}",
    )


@check(
    "impact_assessment_current",
    _("Impact assessment approved and current"),
    _("An approved impact assessment of the system, no older than `months` (default 12)."),
)
def _impact(system: AISystem, params: dict[str, Any]) -> tuple[bool, str]:
    ia_model = _model("risk", "ImpactAssessment")
    months = int(params.get("months", 12))
    latest = ia_model.objects.filter(ai_system=system, status="approved").order_by("-approved_at").first()
    if latest is None:
        return False, "no approved impact assessment"
    limit = timezone.now() - dt.timedelta(days=round(months * 30.44))
    if latest.approved_at and latest.approved_at < limit:
        return (
            False,
            f"the approved impact assessment v{latest.number} of {latest.approved_at:%Y-%m-%d} is older than {months} months",
        )
    if getattr(latest, "review_due", False):
        return False, f"impact assessment v{latest.number} is due for review: {latest.review_due_reason}"
    return True, f"impact assessment v{latest.number} approved on {latest.approved_at:%Y-%m-%d}"


@check(
    "no_risk_above_appetite",
    _("No open risk above the risk appetite"),
    _(
        "No risk of the system that is not closed or accepted has a level above the appetite of the current risk method."
    ),
)
def _risks(system: AISystem, params: dict[str, Any]) -> tuple[bool, str]:
    risk_model = _model("risk", "Risk")
    method_model = _model("risk", "RiskMethodology")
    method = (
        method_model.objects.filter(organization_id=system.organization_id, is_current=True)
        .order_by("-number")
        .first()
    )
    if method is None:
        return False, f"{NOT_AVAILABLE}: the organization has no risk method"
    appetite = method.rank(method.appetite)
    open_risks = risk_model.objects.filter(ai_systems=system).exclude(status__in=["closed", "accepted"])
    above = [r for r in open_risks.order_by("number") if r.rank > appetite]
    if above:
        names = ", ".join(f"{r.ref} ({r.level})" for r in above[:5])
        return False, f"{len(above)} open risk(s) above the appetite '{method.appetite}': {names}"
    return (
        True,
        f"no open risk above the appetite '{method.appetite}' ({open_risks.count()} open risk(s) checked)",
    )


@check("soa_approved", _("Statement of Applicability approved"), _("The organization has an approved SoA."))
def _soa(system: AISystem, params: dict[str, Any]) -> tuple[bool, str]:
    soa_model = _model("compliance", "SoA")
    soa = (
        soa_model.objects.filter(organization_id=system.organization_id, status="approved")
        .order_by("-number")
        .first()
    )
    if soa is None:
        return False, "no approved Statement of Applicability"
    return True, f"SoA v{soa.number} approved" + (
        f" on {soa.approved_at:%Y-%m-%d}" if soa.approved_at else ""
    )


@check(
    "ai_act_classified",
    _("EU AI Act classification done"),
    _("The system has a current EU AI Act classification."),
)
def _classified(system: AISystem, params: dict[str, Any]) -> tuple[bool, str]:
    cls_model = _model("compliance", "Classification")
    found = cls_model.objects.filter(ai_system=system, is_current=True).order_by("-number").first()
    if found is None:
        return False, "the EU AI Act questionnaire has not been completed for this system"
    return True, f"classified v{found.number}: {found.get_tier_display()}"


def _datasets(system: AISystem) -> list[Any]:
    from .models import Dataset

    return list(Dataset.objects.filter(ai_systems=system).order_by("name"))


@check(
    "dataset_provenance",
    _("Datasets registered with their provenance"),
    _(
        "At least one dataset is linked, each with origin, acquisition, authorization, licence and (for personal data) legal basis."
    ),
)
def _provenance(system: AISystem, params: dict[str, Any]) -> tuple[bool, str]:
    datasets = _datasets(system)
    if not datasets:
        return False, "no dataset is linked to the system"
    gaps = [f"{d.name}: {', '.join(g)}" for d in datasets if (g := d.provenance_gaps())]
    if gaps:
        return False, "provenance missing for " + "; ".join(gaps)
    return True, f"{len(datasets)} dataset(s) with complete provenance"


@check(
    "representativeness_checked",
    _("Data representativeness checked"),
    _(
        "A version of each linked dataset has been compared with its reference population, with no group outside the tolerance."
    ),
)
def _representative(system: AISystem, params: dict[str, Any]) -> tuple[bool, str]:
    from .models import DatasetVersion

    datasets = _datasets(system)
    if not datasets:
        return False, "no dataset is linked to the system"
    problems = []
    for d in datasets:
        latest = (
            DatasetVersion.objects.filter(dataset=d)
            .exclude(representativeness={})
            .order_by("-created_at", "-pk")
            .first()
        )
        if latest is None:
            problems.append(f"{d.name}: not compared with a reference population")
        elif flagged := latest.representativeness.get("flagged"):
            problems.append(f"{d.name} {latest.label}: {', '.join(flagged)} outside ±{latest.tolerance:g}")
    if problems:
        return False, "; ".join(problems)
    return True, f"{len(datasets)} dataset(s) representative within tolerance"


def _current_model(system: AISystem) -> Any:
    from .models import ModelVersion

    return (
        ModelVersion.objects.filter(ai_system=system)
        .exclude(status="retired")
        .order_by("-created_at", "-pk")
        .first()
    )


@check(
    "model_version_documented",
    _("Model version registered and traceable"),
    _("The latest model version names its datasets, code repository, commit and artefact digest."),
)
def _model_documented(system: AISystem, params: dict[str, Any]) -> tuple[bool, str]:
    mv = _current_model(system)
    if mv is None:
        return False, "no model version is registered"
    missing = [
        n for n in ("algorithm", "code_repository", "code_commit", "artefact_digest") if not getattr(mv, n)
    ]
    if not mv.datasets.exists() and not mv.vendor_id:
        missing.append("datasets")
    if missing:
        return False, f"model {mv} lacks: {', '.join(missing)}"
    return True, f"model {mv}: code {mv.code_commit[:10]}, artefact {mv.artefact_digest[:19]}"


def _latest_evaluation(system: AISystem, kind: str) -> tuple[Any, Any]:
    mv = _current_model(system)
    if mv is None:
        return None, None
    return mv, mv.evaluations.filter(kind=kind).order_by("-evaluated_at", "-pk").first()


@check(
    "evaluation_passed",
    _("Model evaluation meets its thresholds"),
    _(
        "The latest technical evaluation of the current model version has thresholds, and every metric meets them."
    ),
)
def _evaluation(system: AISystem, params: dict[str, Any]) -> tuple[bool, str]:
    mv, ev = _latest_evaluation(system, "technical")
    if mv is None:
        return False, "no model version is registered"
    if ev is None:
        return False, f"model {mv} has no technical evaluation"
    if not ev.thresholds:
        return False, f"the evaluation of {mv} sets no thresholds"
    if not ev.passed:
        return False, f"model {mv} fails: {'; '.join(ev.failures)}"
    return True, f"model {mv} meets {len(ev.thresholds)} threshold(s) ({ev.evaluated_at:%Y-%m-%d})"


@check(
    "fairness_passed",
    _("Fairness evaluated and within thresholds"),
    _("The latest fairness evaluation of the current model version passes its thresholds."),
)
def _fairness(system: AISystem, params: dict[str, Any]) -> tuple[bool, str]:
    mv, ev = _latest_evaluation(system, "ethical")
    if mv is None:
        return False, "no model version is registered"
    if ev is None:
        return False, f"model {mv} has no fairness evaluation"
    if not ev.thresholds:
        return False, f"the fairness evaluation of {mv} sets no thresholds"
    if not ev.passed:
        return False, f"model {mv} fails fairness: {'; '.join(ev.failures)}"
    return True, f"model {mv} meets its fairness thresholds ({ev.evaluated_at:%Y-%m-%d})"


@check("model_approved", _("Model version approved"), _("The current model version has been approved."))
def _approved(system: AISystem, params: dict[str, Any]) -> tuple[bool, str]:
    mv = _current_model(system)
    if mv is None:
        return False, "no model version is registered"
    if mv.status != "approved":
        return False, f"model {mv} is not approved"
    return True, f"model {mv} approved" + (f" on {mv.approved_at:%Y-%m-%d}" if mv.approved_at else "")


@check(
    "vendor_assessment_current",
    _("Vendor assessments current"),
    _(
        "Every vendor the system depends on was assessed within `months` (default 12) with a score of at least `min_score` (default 60), and its terms review is not overdue."
    ),
)
def _vendors(system: AISystem, params: dict[str, Any]) -> tuple[bool, str]:
    from .models import Vendor

    months, min_score = int(params.get("months", 12)), int(params.get("min_score", 60))
    vendors = list(Vendor.objects.filter(ai_systems=system).order_by("name"))
    if not vendors:
        if system.third_party:
            return (
                False,
                f"the system is supplied by {system.supplier or 'a third party'}, but no vendor is linked",
            )
        return True, "no third-party vendor involved"
    today = timezone.localdate()
    limit = today - dt.timedelta(days=round(months * 30.44))
    problems = []
    for v in vendors:
        if v.assessed_on is None or v.score is None:
            problems.append(f"{v.name}: not assessed")
        elif v.assessed_on < limit:
            problems.append(f"{v.name}: assessed {v.assessed_on}, more than {months} months ago")
        elif v.score < min_score:
            problems.append(f"{v.name}: score {v.score} < {min_score}")
        if v.terms_next_review and v.terms_next_review < today:
            problems.append(f"{v.name}: terms review overdue since {v.terms_next_review}")
    if problems:
        return False, "; ".join(problems)
    return True, f"{len(vendors)} vendor(s) assessed and current"


def _production(system: AISystem) -> list[Any]:
    from .models import Deployment

    return list(
        Deployment.objects.filter(ai_system=system, environment="production")
        .exclude(status__in=["retired", "rolled_back"])
        .order_by("-created_at")
    )


@check(
    "deployment_planned",
    _("Production deployment planned and approved"),
    _("A production deployment with a plan and a rollback procedure, approved."),
)
def _deployment(system: AISystem, params: dict[str, Any]) -> tuple[bool, str]:
    found = _production(system)
    if not found:
        return False, "no production deployment is recorded"
    d = found[0]
    missing = [
        label
        for attr, label in (
            ("plan", "plan"),
            ("rollback_procedure", "rollback procedure"),
            ("approved_by_id", "approval"),
        )
        if not getattr(d, attr)
    ]
    if missing:
        return False, f"the production deployment lacks: {', '.join(missing)}"
    return True, f"production deployment approved by {d.approved_by.display_name if d.approved_by else '?'}"


@check(
    "environments_separated",
    _("Separate development, test and production"),
    _("Deployments exist in production and in at least one of development, test or staging."),
)
def _separated(system: AISystem, params: dict[str, Any]) -> tuple[bool, str]:
    from .models import Deployment

    envs = set(
        Deployment.objects.filter(ai_system=system)
        .exclude(status="retired")
        .values_list("environment", flat=True)
    )
    if "production" not in envs:
        return False, "no production deployment is recorded"
    if not envs & {"development", "test", "staging"}:
        return False, "only a production environment is recorded"
    return True, "environments: " + ", ".join(sorted(envs))


@check(
    "production_access_restricted",
    _("Production access restricted to named people"),
    _("The production deployment names who has access, at most `max_people` (default 10)."),
)
def _access(system: AISystem, params: dict[str, Any]) -> tuple[bool, str]:
    found = _production(system)
    if not found:
        return False, "no production deployment is recorded"
    n = found[0].production_access.count()
    limit = int(params.get("max_people", 10))
    if n == 0:
        return False, "nobody is named with production access: access is not restricted"
    if n > limit:
        return False, f"{n} people have production access (more than {limit})"
    return True, f"{n} named people with production access"


@check(
    "access_logging",
    _("Event and access logging on, retained long enough"),
    _(
        "The production deployment says where its logs are kept, or sends them to AIMS; high-risk systems keep them at least 6 months (AI Act Art. 19)."
    ),
)
def _logging(system: AISystem, params: dict[str, Any]) -> tuple[bool, str]:
    found = _production(system)
    if not found:
        return False, "no production deployment is recorded"
    d = found[0]
    latest = d.log_records.order_by("-occurred_at").values_list("occurred_at", flat=True).first()
    if not d.log_location and latest is None:
        return False, "the production deployment does not say where its logs are kept, and none were received"
    minimum = int(params.get("months", 6 if system.eu_ai_act_tier == "high" else 0))
    if minimum and (d.log_retention_months or 0) < minimum:
        return False, f"logs are kept {d.log_retention_months or 0} months; at least {minimum} are required"
    where = d.log_location or "AIMS"
    received = f"; latest event received in AIMS {latest:%Y-%m-%d %H:%M}" if latest else ""
    return True, f"logs at {where}, kept {d.log_retention_months or '?'} months{received}"


@check(
    "monitoring_configured",
    _("Monitoring and alert thresholds configured"),
    _("At least one active monitor watches the system (from the monitoring area)."),
)
def _monitoring(system: AISystem, params: dict[str, Any]) -> tuple[bool, str]:
    monitor_model = _model("monitoring", "Monitor")
    qs = monitor_model.objects.filter(ai_system=system)
    if "active" in {f.name for f in monitor_model._meta.get_fields()}:
        qs = qs.filter(active=True)
    n = qs.count()
    return (n > 0, f"{n} monitor(s) configured" if n else "no monitor watches the system")


@check(
    "production_decommissioned",
    _("Production deployment decommissioned"),
    _("No production deployment of the system is still active."),
)
def _decommissioned(system: AISystem, params: dict[str, Any]) -> tuple[bool, str]:
    from .models import Deployment

    active = Deployment.objects.filter(ai_system=system, environment="production", status="active").count()
    return (
        active == 0,
        "no active production deployment"
        if not active
        else f"{active} production deployment(s) still active",
    )


# --- records in AIMS that a checklist item may point to -------------------------------------------

# record type (as typed on the evidence) -> "app_label.Model"; found by id, or by slug where it has one.
RECORD_TYPES: dict[str, str] = {
    "ai_system": "inventory.AISystem",
    "document": "governance.Document",
    "objective": "governance.Objective",
    "risk": "risk.Risk",
    "impact_assessment": "risk.ImpactAssessment",
    "control": "compliance.Control",
    "soa": "compliance.SoA",
    "classification": "compliance.Classification",
    "dataset": "lifecycle.Dataset",
    "model_version": "lifecycle.ModelVersion",
    "evaluation": "lifecycle.Evaluation",
    "vendor": "lifecycle.Vendor",
    "deployment": "lifecycle.Deployment",
    "gate_review": "lifecycle.GateReview",
    "finding": "assurance.Finding",
    "corrective_action": "assurance.CorrectiveAction",
}


def find_record(organization_id: int, record_type: str, record_id: str) -> Any:
    """The organization's record of that type and id (or slug), or None. LookupError when the type
    is unknown or its area is not installed."""
    label = RECORD_TYPES.get(record_type)
    if label is None:
        raise LookupError(record_type)
    model = _model(*label.split("."))
    qs = model._base_manager.filter(organization_id=organization_id)
    key = str(record_id).strip()
    if key.isdigit() and int(key) < 2**63:
        found = qs.filter(pk=int(key)).first()
        if found is not None:
            return found
    if any(f.name == "slug" for f in model._meta.fields):
        return qs.filter(slug=key).first()
    return None


# --- the default criteria of each stage's exit gate -----------------------------------------------

C, A = "checklist", "automatic"

# stage -> [(key, kind, title, guidance / check, reference)]
DEFAULT_CRITERIA: dict[str, list[dict[str, Any]]] = {
    Stage.IDEA: [
        {"key": "owner", "kind": A, "check": "owner_assigned", "reference": "A.3.2"},
        {"key": "purpose", "kind": A, "check": "purpose_documented", "reference": "A.6.2.2"},
        {
            "key": "business-case",
            "kind": C,
            "title": _("Business case and sponsor agreed"),
            "guidance": _("Who wants the system, what problem it solves, and who pays for it."),
            "reference": "8.1",
        },
    ],
    Stage.DESIGN: [
        {
            "key": "objectives",
            "kind": C,
            "title": _("Objectives and success metrics defined"),
            "guidance": _("What the system must achieve, measured how, with target values."),
            "reference": "A.6.1.2",
        },
        {
            "key": "requirements",
            "kind": C,
            "title": _("Functional and non-functional requirements, including safety and fairness"),
            "guidance": _(
                "What it must do, and how well: accuracy, latency, safety limits, fairness targets."
            ),
            "reference": "A.6.2.2",
        },
        {
            "key": "architecture",
            "kind": C,
            "title": _("Architecture chosen, with the alternatives considered"),
            "guidance": _("An architecture decision record: options, trade-offs, why this one."),
            "reference": "A.6.2.3",
        },
        {
            "key": "data-map",
            "kind": C,
            "title": _("Data entity map: sources, transformations, destinations"),
            "guidance": _("Where each piece of data comes from, what happens to it, where it goes."),
            "reference": "A.7.2",
        },
        {
            "key": "interfaces",
            "kind": C,
            "title": _("Boundaries and interfaces described"),
            "guidance": _("What the system connects to, who uses it, what is out of its scope."),
            "reference": "A.6.2.3",
        },
        {
            "key": "assumptions",
            "kind": C,
            "title": _("Assumptions and known limitations written down"),
            "guidance": _("What must hold for the system to work, and where it is known to fail."),
            "reference": "A.6.2.3",
        },
        {
            "key": "security-plan",
            "kind": C,
            "title": _("Security planned: authentication, authorization, encryption"),
            "guidance": _(
                "How users and services authenticate, who may do what, how data is encrypted at rest and in transit."
            ),
            "reference": "A.6.2.3",
        },
        {
            "key": "impact",
            "kind": A,
            "check": "impact_assessment_current",
            "params": {"months": 12},
            "reference": "A.5.2",
        },
        {"key": "ai-act", "kind": A, "check": "ai_act_classified", "reference": "EU AI Act Art. 6"},
    ],
    Stage.DEVELOPMENT: [
        {"key": "data-provenance", "kind": A, "check": "dataset_provenance", "reference": "A.7.5"},
        {
            "key": "data-quality",
            "kind": C,
            "title": _("Data quality requirements defined and checked"),
            "guidance": _(
                "Completeness, accuracy, missing values and outliers: the checks run and their results."
            ),
            "reference": "A.7.4",
        },
        {"key": "representativeness", "kind": A, "check": "representativeness_checked", "reference": "A.7.4"},
        {
            "key": "data-preparation",
            "kind": C,
            "title": _("Data preparation and labelling documented"),
            "guidance": _(
                "The cleaning, transformation and labelling steps, and how label quality was checked."
            ),
            "reference": "A.7.6",
        },
        {"key": "model-documented", "kind": A, "check": "model_version_documented", "reference": "A.6.2.3"},
        {
            "key": "training-record",
            "kind": C,
            "title": _("Training approach and hyperparameter choices recorded"),
            "guidance": _("Experiments run, why the final configuration was chosen."),
            "reference": "A.6.2.3",
        },
        {
            "key": "vendors",
            "kind": A,
            "check": "vendor_assessment_current",
            "params": {"months": 12, "min_score": 60},
            "reference": "A.10.3",
        },
    ],
    Stage.VALIDATION: [
        {"key": "evaluation", "kind": A, "check": "evaluation_passed", "reference": "A.6.2.4"},
        {"key": "fairness", "kind": A, "check": "fairness_passed", "reference": "A.6.2.4"},
        {
            "key": "robustness",
            "kind": C,
            "title": _("Robustness tested (perturbation, out-of-distribution)"),
            "guidance": _("How the model behaves on noisy, missing or unusual inputs, with results."),
            "reference": "A.6.2.4",
        },
        {"key": "risks", "kind": A, "check": "no_risk_above_appetite", "reference": "6.1.2"},
        {"key": "soa", "kind": A, "check": "soa_approved", "reference": "6.1.3"},
        {"key": "model-approved", "kind": A, "check": "model_approved", "reference": "A.6.2.5"},
        {
            "key": "vendors",
            "kind": A,
            "check": "vendor_assessment_current",
            "params": {"months": 12, "min_score": 60},
            "reference": "A.10.3",
        },
    ],
    Stage.DEPLOYMENT: [
        {"key": "deployment-plan", "kind": A, "check": "deployment_planned", "reference": "A.6.2.5"},
        {
            "key": "access",
            "kind": A,
            "check": "production_access_restricted",
            "params": {"max_people": 10},
            "reference": "A.6.2.5",
        },
        {"key": "environments", "kind": A, "check": "environments_separated", "reference": "A.6.2.5"},
        {
            "key": "rollback-tested",
            "kind": C,
            "title": _("Rollback procedure tested"),
            "guidance": _("A record of a rollback drill: when, how long it took, what was learned."),
            "reference": "A.6.2.5",
        },
        {"key": "monitoring", "kind": A, "check": "monitoring_configured", "reference": "A.6.2.6"},
        {"key": "logging", "kind": A, "check": "access_logging", "reference": "A.6.2.8"},
        {
            "key": "user-information",
            "kind": C,
            "title": _("Users informed: instructions for use and transparency notices"),
            "guidance": _("What users and affected people are told about the system (AI Act Art. 13, 50)."),
            "reference": "A.8.2",
        },
    ],
    Stage.OPERATION: [
        {
            "key": "retirement-plan",
            "kind": C,
            "title": _("Retirement plan approved"),
            "guidance": _("Why the system is retired, what replaces it, and the timetable."),
            "reference": "A.6.2.2",
        },
        {
            "key": "data-disposal",
            "kind": C,
            "title": _("Data and model retention or deletion settled"),
            "guidance": _("What is kept (for how long, for whom) and what is deleted."),
            "reference": "A.7.2",
        },
        {
            "key": "stakeholders",
            "kind": C,
            "title": _("Users and affected people informed"),
            "guidance": _("Who was told, when, and how they are supported."),
            "reference": "A.8.3",
        },
        {"key": "decommissioned", "kind": A, "check": "production_decommissioned", "reference": "A.6.2.2"},
    ],
}


# --- the vendor risk questionnaire -----------------------------------------------------------------

QUESTIONNAIRE: list[dict[str, Any]] = [
    {
        "key": "security_certified",
        "weight": 15,
        "text": _("Holds a current security certification (ISO/IEC 27001, SOC 2 Type II)."),
    },
    {
        "key": "ai_governance",
        "weight": 10,
        "text": _("Has an AI management system or published AI governance (e.g. ISO/IEC 42001)."),
    },
    {"key": "dpa", "weight": 15, "text": _("Signs a data processing agreement (GDPR Art. 28).")},
    {
        "key": "eu_data_location",
        "weight": 10,
        "text": _("Processes and stores our data in the EU/EEA or under an adequacy decision."),
    },
    {
        "key": "no_training_on_our_data",
        "weight": 10,
        "text": _("Does not train its models on our data without permission."),
    },
    {
        "key": "model_documentation",
        "weight": 10,
        "text": _("Documents its models: intended use, limitations, evaluation (model cards)."),
    },
    {
        "key": "incident_notification",
        "weight": 10,
        "text": _("Notifies us of security and AI incidents within an agreed time."),
    },
    {"key": "change_notice", "weight": 10, "text": _("Gives notice before changing models or terms.")},
    {
        "key": "exit_support",
        "weight": 10,
        "text": _("Supports exit: data return and deletion, transition time."),
    },
]


def questionnaire_score(answers: dict[str, Any]) -> int:
    """0-100: the weighted share of questions answered 'yes'; unanswered questions count as 'no'."""
    total = sum(q["weight"] for q in QUESTIONNAIRE)
    got = sum(q["weight"] for q in QUESTIONNAIRE if answers.get(q["key"]) is True)
    return round(100 * got / total)


def default_title(spec: dict[str, Any]) -> str:
    if spec.get("title"):
        return str(spec["title"])
    return str(CHECKS[spec["check"]].title)


def default_guidance(spec: dict[str, Any]) -> str:
    if spec.get("guidance"):
        return str(spec["guidance"])
    return str(CHECKS[spec["check"]].description) if spec.get("check") else ""
