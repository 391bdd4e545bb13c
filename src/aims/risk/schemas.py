"""API schemas of the risk area: XIn (create), XPatch (partial update), XOut (read), XList."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field

from aims.core.api_helpers import Page
from aims.core.schema import Schema

from .models import ImpactAssessment, Risk, RiskAcceptance, RiskTreatment


def _level_name(method: Any, key: str) -> str | None:
    if not key or method is None:
        return None
    level = method.level(key)
    return level["name"] if level else key


# --- method ---------------------------------------------------------------------------------------


class ScaleStep(Schema):
    name: str = Field(..., min_length=1, max_length=80)
    description: str = ""


class Level(Schema):
    key: str = Field(..., min_length=1, max_length=32, description="Stable identifier, e.g. 'high'.")
    name: str = Field(..., min_length=1, max_length=60, description="What people see, e.g. 'High'.")
    colour: str = Field(..., description="green, yellow, amber, orange, red, darkred, blue, purple or grey.")
    review_months: int = Field(
        ..., ge=1, le=60, description="Months until a risk at this level is reviewed again."
    )
    description: str = ""


class MethodologyIn(Schema):
    """Every field is optional: what is left out keeps its current value. Changing `size` alone
    starts the scales and matrix from the default of that size."""

    name: str | None = Field(None, min_length=1, max_length=200)
    size: int | None = Field(None, description="3, 4 or 5.")
    likelihood_scale: list[ScaleStep] | None = None
    impact_scale: list[ScaleStep] | None = None
    levels: list[Level] | None = Field(None, description="From lowest to highest.")
    matrix: list[list[str]] | None = Field(None, description="matrix[likelihood-1][impact-1] = level key.")
    appetite: str | None = Field(None, description="Key of the highest level acceptable without treatment.")
    acceptance_roles: list[str] | None = None
    above_appetite_roles: list[str] | None = None
    treatment_options: list[str] | None = None
    impact_feed_level: str | None = None
    change_note: str = Field("", description="Why the method changes.")


class MethodologyOut(Schema):
    id: int
    number: int
    is_current: bool
    name: str
    size: int
    likelihood_scale: list[ScaleStep]
    impact_scale: list[ScaleStep]
    levels: list[Level]
    matrix: list[list[str]]
    appetite: str
    acceptance_roles: list[str]
    above_appetite_roles: list[str]
    treatment_options: list[str]
    impact_feed_level: str
    change_note: str
    version: int
    created_at: dt.datetime
    created_by: str | None = Field(None, alias="created_by.email")


class RecomputeJobOut(Schema):
    id: int
    methodology_number: int = Field(..., alias="methodology.number")
    status: str
    total: int
    done: int
    changed: int
    percent: int
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    error: str


class MethodologyChanged(MethodologyOut):
    recomputation: RecomputeJobOut


# --- categories -----------------------------------------------------------------------------------


class CategoryIn(Schema):
    key: str = Field(..., min_length=1, max_length=60, pattern=r"^[-a-z0-9_]+$")
    name: str = Field(..., min_length=1, max_length=120)
    description: str = ""
    annex_c_objectives: list[str] = Field(default_factory=list, description="e.g. ['C.2.5']")
    annex_c_sources: list[str] = Field(default_factory=list, description="e.g. ['C.3.4']")
    controls: list[str] = Field(default_factory=list, description="e.g. ['A.7.4']")
    ai_act: str = ""


class CategoryPatch(Schema):
    key: str | None = Field(None, min_length=1, max_length=60, pattern=r"^[-a-z0-9_]+$")
    name: str | None = Field(None, min_length=1, max_length=120)
    description: str | None = None
    annex_c_objectives: list[str] | None = None
    annex_c_sources: list[str] | None = None
    controls: list[str] | None = None
    ai_act: str | None = None


class CategoryOut(Schema):
    id: int
    key: str
    name: str
    description: str
    builtin: bool
    annex_c_objectives: list[str]
    annex_c_sources: list[str]
    controls: list[str]
    ai_act: str
    version: int


class CategoryList(Page):
    items: list[CategoryOut]


# --- risks ----------------------------------------------------------------------------------------


class SystemRef(Schema):
    id: int
    slug: str
    name: str


class RiskIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    description: str = ""
    category: str = Field(..., description="Category key (e.g. 'bias') or id.")
    ai_systems: list[int | str] = Field(
        default_factory=list, description="AI system ids or slugs; empty = the whole organization."
    )
    lifecycle_stage: str = Field(
        "", description="idea, design, development, validation, deployment, operation, retired."
    )
    root_causes: str = ""
    likelihood: int | None = Field(None, ge=1, le=5, description="1 to the method's size.")
    impact: int | None = Field(None, ge=1, le=5, description="1 to the method's size.")
    rationale: str = ""
    existing_controls: str = ""
    additional_controls: str = ""
    control_refs: list[str] = Field(default_factory=list, description="Control ids such as 'A.7.4'.")
    owner_id: int | None = Field(None, description="User id of the risk owner (a member).")
    treatment: str = Field("", description="mitigate, avoid, transfer or accept.")
    treatment_plan: str = ""
    residual_likelihood: int | None = Field(None, ge=1, le=5)
    residual_impact: int | None = Field(None, ge=1, le=5)
    status: Risk.Status | None = Field(
        None, description="identified or assessed for a new risk (default from the values)."
    )
    interested_parties: list[int] = Field(default_factory=list)


class RiskPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = None
    category: str | None = None
    ai_systems: list[int | str] | None = None
    lifecycle_stage: str | None = None
    root_causes: str | None = None
    likelihood: int | None = Field(None, ge=1, le=5)
    impact: int | None = Field(None, ge=1, le=5)
    rationale: str | None = None
    existing_controls: str | None = None
    additional_controls: str | None = None
    control_refs: list[str] | None = None
    owner_id: int | None = None
    treatment: str | None = None
    treatment_plan: str | None = None
    residual_likelihood: int | None = Field(None, ge=1, le=5)
    residual_impact: int | None = Field(None, ge=1, le=5)
    status: Risk.Status | None = None
    interested_parties: list[int] | None = None


class RiskOut(Schema):
    id: int
    number: int
    ref: str
    title: str
    description: str
    category: str = Field(..., alias="category.key")
    category_name: str = Field(..., alias="category.name")
    ai_systems: list[SystemRef]
    lifecycle_stage: str
    root_causes: str
    likelihood: int | None
    impact: int | None
    rationale: str
    inherent_level: str
    inherent_level_name: str | None = None
    existing_controls: str
    additional_controls: str
    control_refs: list[str]
    owner_id: int | None
    owner_email: str | None = Field(None, alias="owner.email")
    treatment: str
    treatment_plan: str
    residual_likelihood: int | None
    residual_impact: int | None
    residual_level: str
    residual_level_name: str | None = None
    level: str = Field(..., description="The current level: residual when assessed, else inherent.")
    status: str
    last_assessed_on: dt.date | None
    next_review_date: dt.date | None
    review_due: bool
    review_due_reason: str
    overdue: bool
    interested_parties: list[int]
    impact_assessment_id: int | None
    methodology_version: int = Field(..., alias="methodology.number")
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_ai_systems(obj: Risk) -> list[dict[str, Any]]:
        return [{"id": s.pk, "slug": s.slug, "name": s.name} for s in obj.ai_systems.all()]

    @staticmethod
    def resolve_interested_parties(obj: Risk) -> list[int]:
        return [p.pk for p in obj.interested_parties.all()]

    @staticmethod
    def resolve_inherent_level_name(obj: Risk) -> str | None:
        return _level_name(obj.methodology, obj.inherent_level)

    @staticmethod
    def resolve_residual_level_name(obj: Risk) -> str | None:
        return _level_name(obj.methodology, obj.residual_level)


class RiskList(Page):
    items: list[RiskOut]


class RiskReviewIn(Schema):
    note: str = Field("", description="What the review found.")


class ReassessmentOut(Schema):
    id: int
    assessed_at: dt.datetime
    assessed_by: str | None = Field(None, alias="assessed_by.email")
    reason: str
    note: str
    previous: dict[str, Any]
    current: dict[str, Any]


class RiskLibraryEntry(Schema):
    key: str
    category: str
    title: str
    description: str
    causes: str
    controls_text: str
    controls: list[str]


class FromLibraryIn(Schema):
    ai_system: int | str = Field(..., description="AI system id or slug.")
    keys: list[str] = Field(..., min_length=1, description="Library entry keys (GET /risks/library).")


class HeatCell(Schema):
    likelihood: int
    impact: int
    level: str
    level_name: str
    colour: str
    count: int


class HeatMapOut(Schema):
    size: int
    likelihood_labels: list[str]
    impact_labels: list[str]
    inherent: list[HeatCell]
    residual: list[HeatCell]


class DueOut(Schema):
    risks: list[RiskOut]
    overdue_actions: list[TreatmentOut]  # noqa: F821 (defined below; resolved by model_rebuild)
    assessments: list[AssessmentSummary]  # noqa: F821


# --- treatment ------------------------------------------------------------------------------------


class TreatmentIn(Schema):
    risk_id: int
    title: str = Field(..., min_length=1, max_length=200)
    description: str = ""
    owner_id: int | None = None
    due_date: dt.date | None = None
    status: RiskTreatment.Status = RiskTreatment.Status.PLANNED
    control_ref: str = Field("", max_length=40, description="The control it implements, e.g. 'A.7.4'.")


class TreatmentPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = None
    owner_id: int | None = None
    due_date: dt.date | None = None
    status: RiskTreatment.Status | None = None
    control_ref: str | None = Field(None, max_length=40)


class TreatmentOut(Schema):
    id: int
    risk_id: int
    risk_ref: str = Field(..., alias="risk.ref")
    title: str
    description: str
    owner_id: int | None
    owner_email: str | None = Field(None, alias="owner.email")
    due_date: dt.date | None
    status: str
    control_ref: str
    completed_on: dt.date | None
    overdue: bool
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class TreatmentList(Page):
    items: list[TreatmentOut]


class ApprovePlanIn(Schema):
    note: str = ""


# --- acceptance -----------------------------------------------------------------------------------


class AcceptanceIn(Schema):
    risk_id: int
    justification: str = Field(..., min_length=1)
    expires_on: dt.date = Field(..., description="Until when the acceptance holds (at most three years).")


class AcceptanceOut(Schema):
    id: int
    risk_id: int
    risk_ref: str = Field(..., alias="risk.ref")
    level: str
    level_name: str
    above_appetite: bool
    justification: str
    expires_on: dt.date
    accepted_by: str = Field(..., alias="accepted_by.email")
    accepted_at: dt.datetime
    methodology_version: int = Field(..., alias="methodology.number")
    status: str
    ended_at: dt.datetime | None
    version: int


class AcceptanceList(Page):
    items: list[AcceptanceOut]


class RevokeIn(Schema):
    reason: str = ""


# --- impact assessments ---------------------------------------------------------------------------


class ImpactItemIn(Schema):
    area: str = Field(
        ...,
        description="fundamental_rights, fairness, safety_health, privacy, autonomy, environment, economy, democracy.",
    )
    affected: str = Field("individuals", description="individuals, groups or society.")
    description: str = Field(..., min_length=1)
    severity: int = Field(..., ge=1, le=5, description="On the method's impact scale.")
    likelihood: int = Field(..., ge=1, le=5, description="On the method's likelihood scale.")
    reversibility: str = Field("reversible", description="reversible, difficult or irreversible.")
    scale: str = Field("few", description="few, many or widespread.")
    mitigation: str = ""


class ImpactItemOut(ImpactItemIn):
    id: int
    level: str
    risk_id: int | None


class AssessmentIn(Schema):
    ai_system: int | str = Field(..., description="AI system id or slug.")
    title: str = ""
    intended_purpose: str = Field(..., min_length=1)
    foreseeable_misuse: str = ""
    deployment_context: str = ""
    period_and_frequency: str = ""
    affected_individuals: str = ""
    affected_groups: str = ""
    vulnerable_groups: str = ""
    affects_minors: bool = False
    societal_impacts: str = ""
    human_oversight: str = ""
    remedies: str = ""
    processes_personal_data: bool = False
    dpia_required: bool = False
    dpia_reference: str = ""
    overall_result: str = ""
    items: list[ImpactItemIn] = Field(default_factory=list)


class AssessmentPatch(Schema):
    title: str | None = None
    intended_purpose: str | None = Field(None, min_length=1)
    foreseeable_misuse: str | None = None
    deployment_context: str | None = None
    period_and_frequency: str | None = None
    affected_individuals: str | None = None
    affected_groups: str | None = None
    vulnerable_groups: str | None = None
    affects_minors: bool | None = None
    societal_impacts: str | None = None
    human_oversight: str | None = None
    remedies: str | None = None
    processes_personal_data: bool | None = None
    dpia_required: bool | None = None
    dpia_reference: str | None = None
    overall_result: str | None = None
    items: list[ImpactItemIn] | None = None


class AssessmentSummary(Schema):
    id: int
    ai_system_id: int
    ai_system_slug: str = Field(..., alias="ai_system.slug")
    number: int
    status: str
    title: str
    overall_level: str
    next_review_date: dt.date | None
    review_due: bool


class AssessmentOut(AssessmentSummary):
    intended_purpose: str
    foreseeable_misuse: str
    deployment_context: str
    period_and_frequency: str
    affected_individuals: str
    affected_groups: str
    vulnerable_groups: str
    affects_minors: bool
    societal_impacts: str
    human_oversight: str
    remedies: str
    processes_personal_data: bool
    dpia_required: bool
    dpia_reference: str
    overall_result: str
    review_due_reason: str
    submitted_at: dt.datetime | None
    approved_by: str | None = Field(None, alias="approved_by.email")
    approved_at: dt.datetime | None
    items: list[ImpactItemOut]
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_items(obj: ImpactAssessment) -> list[Any]:
        return list(obj.items.all())


class AssessmentList(Page):
    items: list[AssessmentOut]


DueOut.model_rebuild()

__all__ = ["RiskAcceptance"]
