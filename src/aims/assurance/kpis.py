"""The KPIs AIMS computes from its own data (9.1). Each built-in is a function of the organization that
returns a number, or None when there is nothing to measure yet (no systems, no incidents).

Other apps add theirs with `register()` from their AppConfig.ready() (the compliance app for control
implementation and maturity, monitoring for fairness), so this file does not import them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Builtin:
    name: Any
    category: str
    unit: str
    direction: str
    target: float | None
    compute: Callable[[Any], float | None]
    description: Any = ""


BUILTINS: dict[str, Builtin] = {}


def register(key: str, spec: Builtin) -> None:
    BUILTINS[key] = spec


def _share(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _systems(org: Any) -> Any:
    from aims.inventory.models import AISystem

    return AISystem.objects.filter(organization=org).exclude(lifecycle_stage=AISystem.Stage.RETIRED)


def coverage_owner_docs(org: Any) -> float | None:
    from aims.inventory.models import AISystem

    agg = _systems(org).aggregate(
        n=Count("pk"),
        ok=Count(
            "pk", filter=Q(owner__isnull=False) & ~Q(documentation_status=AISystem.DocumentationStatus.NONE)
        ),
    )
    return _share(agg["ok"], agg["n"])


def coverage_classified(org: Any) -> float | None:
    from aims.inventory.models import AISystem

    agg = _systems(org).aggregate(
        n=Count("pk"), ok=Count("pk", filter=~Q(eu_ai_act_tier=AISystem.RiskTier.NOT_ASSESSED))
    )
    return _share(agg["ok"], agg["n"])


def _linked_share(org: Any, app: str, model: str) -> float | None:
    """Share of systems that at least one row of app.model points to through a field named ai_system."""
    try:
        other = apps.get_model(app, model)
        other._meta.get_field("ai_system")
    except Exception:  # noqa: BLE001 - that app has no such model (yet): nothing to measure
        return None
    systems = _systems(org)
    total = systems.count()
    covered = (
        other.objects.filter(organization=org, ai_system__in=systems).values("ai_system").distinct().count()
    )
    return _share(covered, total)


def coverage_risk_assessed(org: Any) -> float | None:
    return _linked_share(org, "risk", "Risk")


def coverage_impact_assessed(org: Any) -> float | None:
    return _linked_share(org, "risk", "ImpactAssessment")


def incidents_open(org: Any) -> float | None:
    from .models import Incident

    return float(Incident.objects.filter(organization=org, status__in=Incident.OPEN).count())


def incidents_days_to_close(org: Any) -> float | None:
    """Mean days from awareness to closure, over incidents closed in the last 365 days."""
    from .models import Incident

    since = timezone.now() - timezone.timedelta(days=365)
    rows = Incident.objects.filter(organization=org, closed_at__gte=since).values_list(
        "detected_at", "closed_at"
    )
    spans = [(closed - detected).total_seconds() / 86400 for detected, closed in rows if detected and closed]
    return round(sum(spans) / len(spans), 1) if spans else None


def serious_reported_on_time(org: Any) -> float | None:
    from .models import Incident

    rows = list(
        Incident.objects.filter(organization=org, serious=True).values_list(
            "report_due_at", "authority_reported_at"
        )
    )
    due = [(d, r) for d, r in rows if d and (r or d < timezone.now())]
    return _share(sum(1 for d, r in due if r and r <= d), len(due))


def actions_overdue(org: Any) -> float | None:
    from .models import CorrectiveAction

    return float(
        CorrectiveAction.objects.filter(
            organization=org, status__in=("planned", "in_progress"), due_date__lt=timezone.localdate()
        ).count()
    )


def nonconformities_open(org: Any) -> float | None:
    from .models import Nonconformity

    return float(Nonconformity.objects.filter(organization=org, status__in=Nonconformity.OPEN).count())


def training_current(org: Any) -> float | None:
    from aims.governance.services import competence_gaps

    report = competence_gaps(org)
    return _share(report["people_complete"], report["people_with_requirements"])


def policy_acknowledged(org: Any) -> float | None:
    from aims.governance.services import ai_policy_acknowledgement

    report = ai_policy_acknowledgement(org)
    return _share(report["acknowledged"], report["members"]) if report else None


def objectives_on_track(org: Any) -> float | None:
    from aims.governance.models import Objective

    objectives = list(Objective.objects.filter(organization=org).select_related("kpi"))
    return _share(sum(1 for o in objectives if o.status in ("on_track", "achieved")), len(objectives))


def _model(label: str) -> Any:
    """Another area's model, or None when that area is not installed."""
    try:
        return apps.get_model(label)
    except LookupError:
        return None


EVIDENCE_CURRENT_DAYS = 365


def controls_implemented(org: Any) -> float | None:
    """Share of the applicable Annex A controls of the latest Statement of Applicability that are
    implemented by a control with evidence collected within the last year."""
    soa_model, entry_model = _model("compliance.SoA"), _model("compliance.SoAEntry")
    if soa_model is None or entry_model is None:
        return None
    soa = soa_model.objects.filter(organization=org).order_by("-number").first()
    if soa is None:
        return None
    since = timezone.localdate() - timezone.timedelta(days=EVIDENCE_CURRENT_DAYS)
    applicable = entry_model.objects.filter(soa=soa, applicable=True)
    current = (
        applicable.filter(implementation_status="implemented", controls__evidence__collected_on__gte=since)
        .values("pk")
        .distinct()
        .count()
    )
    return _share(current, applicable.count())


def ai_act_obligations_met(org: Any) -> float | None:
    """Share of the EU AI Act obligations of the organization's systems that are done."""
    model = _model("compliance.Obligation")
    if model is None:
        return None
    agg = (
        model.objects.filter(organization=org)
        .exclude(status="not_applicable")
        .aggregate(n=Count("pk"), done=Count("pk", filter=Q(status="done")))
    )
    return _share(agg["done"], agg["n"])


def fairness_within_thresholds(org: Any) -> float | None:
    """Share of the monitored AI systems whose fairness monitors are all within their thresholds."""
    model = _model("monitoring.Monitor")
    if model is None:
        return None
    rows = model.objects.filter(organization=org, metric__startswith="fairness.").values_list(
        "ai_system_id", "last_status"
    )
    systems: dict[Any, bool] = {}
    for system_id, status in rows:
        systems[system_id] = systems.get(system_id, True) and status not in ("warning", "critical")
    return _share(sum(1 for ok in systems.values() if ok), len(systems))


def maturity_score(org: Any) -> float | None:
    """Average maturity (0-5) of the latest gap assessment."""
    assessment_model, score_model = _model("compliance.GapAssessment"), _model("compliance.GapScore")
    if assessment_model is None or score_model is None:
        return None
    latest = assessment_model.objects.filter(organization=org).order_by("-assessed_on", "-pk").first()
    if latest is None:
        return None
    from django.db.models import Avg

    value = score_model.objects.filter(assessment=latest, maturity__isnull=False).aggregate(
        a=Avg("maturity")
    )["a"]
    return round(value, 2) if value is not None else None


for _key, _spec in {
    "coverage_owner_docs": Builtin(
        _("AI systems with an owner and documentation"), "coverage", "%", "higher", 100, coverage_owner_docs
    ),
    "coverage_classified": Builtin(
        _("AI systems classified under the EU AI Act"), "coverage", "%", "higher", 100, coverage_classified
    ),
    "coverage_risk_assessed": Builtin(
        _("AI systems with a risk assessment"), "coverage", "%", "higher", 100, coverage_risk_assessed
    ),
    "coverage_impact_assessed": Builtin(
        _("AI systems with an impact assessment"), "coverage", "%", "higher", 100, coverage_impact_assessed
    ),
    "incidents_open": Builtin(_("Open incidents"), "incidents", "count", "lower", 0, incidents_open),
    "incidents_days_to_close": Builtin(
        _("Mean days to close an incident"), "incidents", "days", "lower", 30, incidents_days_to_close
    ),
    "serious_reported_on_time": Builtin(
        _("Serious incidents reported on time"), "incidents", "%", "higher", 100, serious_reported_on_time
    ),
    "actions_overdue": Builtin(
        _("Corrective actions overdue"), "improvement", "count", "lower", 0, actions_overdue
    ),
    "nonconformities_open": Builtin(
        _("Open nonconformities"), "improvement", "count", "lower", 0, nonconformities_open
    ),
    "training_current": Builtin(
        _("People with their required training current"), "training", "%", "higher", 95, training_current
    ),
    "policy_acknowledged": Builtin(
        _("Members who acknowledged the AI policy"), "training", "%", "higher", 100, policy_acknowledged
    ),
    "controls_implemented": Builtin(
        _("Applicable controls implemented with current evidence"),
        "compliance",
        "%",
        "higher",
        100,
        controls_implemented,
    ),
    "ai_act_obligations_met": Builtin(
        _("EU AI Act obligations met"), "compliance", "%", "higher", 100, ai_act_obligations_met
    ),
    "fairness_within_thresholds": Builtin(
        _("Monitored AI systems within their fairness thresholds"),
        "fairness",
        "%",
        "higher",
        100,
        fairness_within_thresholds,
    ),
    "maturity_score": Builtin(
        _("Average maturity in the latest gap assessment (0-5)"),
        "maturity",
        "level",
        "higher",
        3,
        maturity_score,
    ),
    "objectives_on_track": Builtin(
        _("AI objectives on track or achieved"), "improvement", "%", "higher", 80, objectives_on_track
    ),
}.items():
    register(_key, _spec)
