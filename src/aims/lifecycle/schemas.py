"""API schemas of the lifecycle area: XIn (create), XPatch (partial update), XOut (read), XList.

The evaluation schema is the contract pipelines push to (see docs/lifecycle.md):

    POST /api/v1/evaluations
    {"ai_system": "retail-credit-scoring", "model_version": "2.0.0",   # or "model_version_id": 12
     "kind": "technical",                                               # technical | ethical | legal | robustness
     "metrics": {"accuracy": 0.74, "roc_auc": 0.71},                    # {name: number}
     "thresholds": {"accuracy": {"min": 0.70}, "roc_auc": {"min": 0.70}},  # {name: {"min"|"max": number}}
     "fairness": {"sex": {"female": {"approval_rate": 0.62}, "male": {"approval_rate": 0.71}}}}  # optional

AIMS answers with `passed` and `failures` (each metric outside its threshold, or not measured)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field

from aims.core.api_helpers import Page
from aims.core.schema import Schema

from .models import (
    Dataset,
    Deployment,
    DeploymentEvent,
    Evaluation,
    GateCriterion,
    GateEvidence,
    GateReview,
    ModelVersion,
    Vendor,
)

# --- gates ----------------------------------------------------------------------------------------


class CriterionIn(Schema):
    stage: str = Field(
        ...,
        description="The stage whose exit gate this criterion belongs to (idea, design, development, validation, deployment, operation).",
    )
    key: str | None = Field(
        None, max_length=60, description="Short identifier; made from the title when left out."
    )
    title: str = Field(..., min_length=1, max_length=200)
    guidance: str = ""
    kind: GateCriterion.Kind = GateCriterion.Kind.CHECKLIST
    condition: str = Field(
        "", description="For kind=automatic: the check AIMS runs (GET /gates/checks lists them)."
    )
    params: dict[str, Any] = Field(default_factory=dict)
    reference: str = ""
    active: bool = True
    order: int = 100


class CriterionPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    guidance: str | None = None
    params: dict[str, Any] | None = None
    reference: str | None = None
    active: bool | None = None
    order: int | None = None


class CriterionOut(Schema):
    id: int
    stage: str
    key: str
    title: str
    guidance: str
    kind: str
    condition: str
    params: dict[str, Any]
    reference: str
    active: bool
    order: int
    version: int


class CriterionList(Page):
    items: list[CriterionOut]


class AutomaticCheckOut(Schema):
    key: str
    title: str
    description: str


class CriterionResultOut(Schema):
    key: str
    title: str
    kind: str
    met: bool
    reason: str
    reference: str = ""
    criterion_id: int | None = None
    evidence: list[dict[str, Any]] = Field(default_factory=list)


class ExceptionOut(Schema):
    id: int
    ai_system_id: int
    stage: str
    justification: str
    expires_on: dt.date
    approved_by: str | None = None
    unmet: list[str]
    active: bool
    revoked_at: dt.datetime | None = None
    created_at: dt.datetime

    @staticmethod
    def resolve_approved_by(obj: Any) -> str | None:
        return obj.approved_by.email if obj.approved_by_id else None


class GateCheckOut(Schema):
    ai_system: str
    stage: str
    next_stage: str
    final: bool = Field(
        ..., description="True when the system is in its last stage: the gate that led into it is shown."
    )
    all_met: bool
    holds: bool = Field(
        ..., description="The system may pass: every criterion met, or an active exception covers the gate."
    )
    results: list[CriterionResultOut]
    exception: ExceptionOut | None = None


class ExceptionIn(Schema):
    justification: str = Field(..., min_length=1)
    expires_on: dt.date


class MoveIn(Schema):
    note: str = ""
    exception: ExceptionIn | None = Field(
        None, description="Record an exception first (needs the right to add gate exceptions)."
    )


class GateReviewOut(Schema):
    id: int
    ai_system_id: int
    ai_system: str
    from_stage: str
    to_stage: str
    outcome: str
    moved: bool
    results: list[CriterionResultOut]
    exception_id: int | None = None
    note: str
    procedures: list[dict[str, Any]] = Field(
        default_factory=list,
        description="The stage's procedures in force when the gate ran: key, title, number.",
    )
    created_by: str | None = None
    created_at: dt.datetime

    @staticmethod
    def resolve_ai_system(obj: GateReview) -> str:
        return obj.ai_system.slug

    @staticmethod
    def resolve_created_by(obj: GateReview) -> str | None:
        return obj.created_by.email if obj.created_by_id else None


class GateReviewList(Page):
    items: list[GateReviewOut]


class GateEvidenceIn(Schema):
    ai_system: str = Field(..., description="The AI system's slug or id.")
    criterion_id: int
    kind: GateEvidence.Kind = GateEvidence.Kind.LINK
    title: str = Field(..., min_length=1, max_length=200)
    url: str = ""
    record_type: str = Field(
        "",
        max_length=40,
        description="For kind=record: ai_system, document, objective, risk, impact_assessment, control, soa, "
        "classification, dataset, model_version, evaluation, vendor, deployment, gate_review, finding, "
        "corrective_action.",
    )
    record_id: str = Field("", max_length=40, description="For kind=record: its id (or slug).")
    note: str = ""


class GateEvidenceOut(Schema):
    id: int
    ai_system_id: int
    criterion_id: int
    kind: str
    title: str
    url: str
    record_type: str
    record_id: str
    filename: str
    sha256: str
    size: int
    note: str
    created_at: dt.datetime


class EvidenceList(Page):
    items: list[GateEvidenceOut]


class StageOut(Schema):
    stage: str
    label: str
    next_stage: str | None
    systems: list[dict[str, Any]]


# --- datasets -------------------------------------------------------------------------------------


class DatasetIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    slug: str | None = Field(None, max_length=80)
    description: str = ""
    purpose: Dataset.Purpose = Dataset.Purpose.TRAINING
    origin: str = ""
    acquisition: str = ""
    authorization: str = ""
    licence: str = ""
    copyright: str = ""
    personal_data: bool = False
    special_categories: list[str] = Field(default_factory=list)
    legal_basis: Dataset.LegalBasis = Dataset.LegalBasis.NONE
    consent_notes: str = ""
    collected_from: dt.date | None = None
    collected_to: dt.date | None = None
    transformations: str = ""
    cleaning: str = ""
    labelling: str = ""
    retention: str = ""
    storage_location: str = ""
    access: str = ""
    ai_systems: list[int] = Field(default_factory=list, description="Ids of the AI systems that use it.")


class DatasetPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = None
    purpose: Dataset.Purpose | None = None
    origin: str | None = None
    acquisition: str | None = None
    authorization: str | None = None
    licence: str | None = None
    copyright: str | None = None
    personal_data: bool | None = None
    special_categories: list[str] | None = None
    legal_basis: Dataset.LegalBasis | None = None
    consent_notes: str | None = None
    collected_from: dt.date | None = None
    collected_to: dt.date | None = None
    transformations: str | None = None
    cleaning: str | None = None
    labelling: str | None = None
    retention: str | None = None
    storage_location: str | None = None
    access: str | None = None
    ai_systems: list[int] | None = None


class DatasetOut(Schema):
    id: int
    slug: str
    name: str
    description: str
    purpose: str
    origin: str
    acquisition: str
    authorization: str
    licence: str
    copyright: str
    personal_data: bool
    special_categories: list[str]
    legal_basis: str
    consent_notes: str
    collected_from: dt.date | None
    collected_to: dt.date | None
    transformations: str
    cleaning: str
    labelling: str
    label_agreement: float | None
    retention: str
    storage_location: str
    access: str
    ai_systems: list[int]
    model_versions: list[int] = Field(
        ..., description="The model versions trained, validated or tested on a version of it."
    )
    provenance_gaps: list[str]
    version: int

    @staticmethod
    def resolve_ai_systems(obj: Dataset) -> list[int]:
        return [s.pk for s in obj.ai_systems.all()]

    @staticmethod
    def resolve_model_versions(obj: Dataset) -> list[int]:
        return sorted({mv.pk for v in obj.versions.all() for mv in v.model_versions.all()})

    @staticmethod
    def resolve_provenance_gaps(obj: Dataset) -> list[str]:
        return obj.provenance_gaps()


class DatasetList(Page):
    items: list[DatasetOut]


class DatasetVersionIn(Schema):
    label: str = Field(..., min_length=1, max_length=40)
    changes: str = ""
    rows: int | None = Field(None, ge=0)
    digest: str = ""
    location: str = ""
    profile: dict[str, dict[str, float]] = Field(
        default_factory=dict, description="{attribute: {group: count}}"
    )
    reference: dict[str, dict[str, float]] = Field(
        default_factory=dict, description="{attribute: {group: share}}; shares add up to 1"
    )
    tolerance: float = 0.05


class DatasetVersionPatch(Schema):
    changes: str | None = None
    rows: int | None = Field(None, ge=0)
    digest: str | None = None
    location: str | None = None
    profile: dict[str, dict[str, float]] | None = None
    reference: dict[str, dict[str, float]] | None = None
    tolerance: float | None = None


class DatasetVersionOut(Schema):
    id: int
    dataset_id: int
    label: str
    changes: str
    rows: int | None
    digest: str
    location: str
    profile: dict[str, Any]
    reference: dict[str, Any]
    tolerance: float
    representativeness: dict[str, Any]
    created_at: dt.datetime


class SampleIn(Schema):
    csv: str = Field(..., min_length=1, description="The sample as CSV text with a header row.")
    attributes: list[str] = Field(
        ..., min_length=1, description="The sensitive attribute columns to profile."
    )


class AgreementIn(Schema):
    labels_a: list[str | int | float | bool] = Field(
        ..., description="The first annotator's labels, item by item."
    )
    labels_b: list[str | int | float | bool] = Field(
        ..., description="The second annotator's labels of the same items."
    )


# --- models and evaluations -----------------------------------------------------------------------


class ModelIn(Schema):
    ai_system_id: int
    name: str = Field(..., min_length=1, max_length=120)
    label: str = Field(..., min_length=1, max_length=40, description="The version label, e.g. 2.0.0.")
    algorithm: str = ""
    framework: str = ""
    rationale: str = ""
    alternatives: str = ""
    training_config: str = ""
    hyperparameters: dict[str, Any] = Field(default_factory=dict)
    datasets: list[int] = Field(default_factory=list, description="Ids of dataset versions.")
    code_repository: str = ""
    code_commit: str = ""
    artefact_digest: str = ""
    vendor_id: int | None = None
    intended_use: str = ""
    limitations: str = ""


class ModelPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    algorithm: str | None = None
    framework: str | None = None
    rationale: str | None = None
    alternatives: str | None = None
    training_config: str | None = None
    hyperparameters: dict[str, Any] | None = None
    datasets: list[int] | None = None
    code_repository: str | None = None
    code_commit: str | None = None
    artefact_digest: str | None = None
    vendor_id: int | None = None
    intended_use: str | None = None
    limitations: str | None = None


class ModelOut(Schema):
    id: int
    ai_system_id: int
    ai_system: str
    name: str
    label: str
    algorithm: str
    framework: str
    rationale: str
    alternatives: str
    training_config: str
    hyperparameters: dict[str, Any]
    datasets: list[int]
    code_repository: str
    code_commit: str
    artefact_digest: str
    vendor_id: int | None
    intended_use: str
    limitations: str
    status: str
    approved_by: str | None = None
    approved_at: dt.datetime | None
    created_at: dt.datetime

    @staticmethod
    def resolve_ai_system(obj: ModelVersion) -> str:
        return obj.ai_system.slug

    @staticmethod
    def resolve_datasets(obj: ModelVersion) -> list[int]:
        return [d.pk for d in obj.datasets.all()]

    @staticmethod
    def resolve_approved_by(obj: ModelVersion) -> str | None:
        return obj.approved_by.email if obj.approved_by_id else None


class ModelList(Page):
    items: list[ModelOut]


Thresholds = dict[str, dict[str, float]]


class EvaluationIn(Schema):
    model_version_id: int | None = Field(
        None, description="The model version's id; or give ai_system and model_version."
    )
    ai_system: str | None = Field(
        None, description="The AI system's slug (with model_version, instead of model_version_id)."
    )
    model_version: str | None = Field(
        None, description="The model version's label, e.g. 2.0.0 (with ai_system)."
    )
    model: str | None = Field(
        None, description="The model name, when the system has several models with that version."
    )
    kind: Evaluation.Kind = Evaluation.Kind.TECHNICAL
    title: str = ""
    dataset_version_id: int | None = None
    metrics: dict[str, float] = Field(default_factory=dict, description="{metric name: value}")
    thresholds: Thresholds = Field(default_factory=dict, description='{metric name: {"min": x, "max": y}}')
    fairness: dict[str, dict[str, dict[str, float]]] = Field(
        default_factory=dict, description="{attribute: {group: {metric: value}}}"
    )
    conclusion: str = ""
    source: Evaluation.Source | None = None
    evaluated_at: dt.datetime | None = None


class EvaluationPatch(Schema):
    title: str | None = None
    metrics: dict[str, float] | None = None
    thresholds: Thresholds | None = None
    fairness: dict[str, dict[str, dict[str, float]]] | None = None
    conclusion: str | None = None


class EvaluationOut(Schema):
    id: int
    model_version_id: int
    kind: str
    title: str
    dataset_version_id: int | None
    metrics: dict[str, float]
    thresholds: dict[str, dict[str, float]]
    fairness: dict[str, Any]
    conclusion: str
    source: str
    evaluated_at: dt.datetime
    passed: bool
    failures: list[str]


class EvaluationList(Page):
    items: list[EvaluationOut]


# --- vendors --------------------------------------------------------------------------------------


class Sla(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    target: str = ""
    notes: str = ""


class VendorIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    slug: str | None = Field(None, max_length=80)
    kind: Vendor.Kind = Vendor.Kind.API
    services: str = ""
    ai_systems: list[int] = Field(default_factory=list)
    questionnaire: dict[str, bool] = Field(
        default_factory=dict, description="Answers by question key (GET /vendors/-/questionnaire)."
    )
    assessed_on: dt.date | None = None
    terms_reviewed_on: dt.date | None = None
    terms_next_review: dt.date | None = None
    permitted_use: str = ""
    slas: list[Sla] = Field(default_factory=list)
    dpa_signed: bool = False
    data_location: str = ""
    certifications: list[str] = Field(default_factory=list)
    contingency_plan: str = ""


class VendorPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    kind: Vendor.Kind | None = None
    services: str | None = None
    ai_systems: list[int] | None = None
    questionnaire: dict[str, bool] | None = None
    assessed_on: dt.date | None = None
    terms_reviewed_on: dt.date | None = None
    terms_next_review: dt.date | None = None
    permitted_use: str | None = None
    slas: list[Sla] | None = None
    dpa_signed: bool | None = None
    data_location: str | None = None
    certifications: list[str] | None = None
    contingency_plan: str | None = None


class VendorOut(Schema):
    id: int
    slug: str
    name: str
    kind: str
    services: str
    ai_systems: list[int]
    questionnaire: dict[str, bool]
    score: int | None
    assessed_on: dt.date | None
    terms_reviewed_on: dt.date | None
    terms_next_review: dt.date | None
    permitted_use: str
    slas: list[dict[str, Any]]
    dpa_signed: bool
    data_location: str
    certifications: list[str]
    contingency_plan: str
    version: int

    @staticmethod
    def resolve_ai_systems(obj: Vendor) -> list[int]:
        return [s.pk for s in obj.ai_systems.all()]


class VendorList(Page):
    items: list[VendorOut]


class BreachIn(Schema):
    sla: str = Field(..., min_length=1, max_length=100)
    occurred_on: dt.date
    description: str = ""
    impact: str = ""
    resolved_on: dt.date | None = None


class BreachOut(BreachIn):
    id: int
    vendor_id: int


class QuestionOut(Schema):
    key: str
    weight: int
    text: str


# --- deployments ----------------------------------------------------------------------------------


class DeploymentIn(Schema):
    ai_system_id: int
    environment: Deployment.Environment
    model_version_id: int | None = None
    plan: str = ""
    rollback_procedure: str = ""
    deployed_at: dt.datetime | None = None
    production_access: list[int] = Field(
        default_factory=list, description="User ids of the people with access."
    )
    log_location: str = ""
    log_retention_months: int | None = Field(None, ge=0)
    monitoring: str = ""


class DeploymentPatch(Schema):
    model_version_id: int | None = None
    plan: str | None = None
    rollback_procedure: str | None = None
    deployed_at: dt.datetime | None = None
    production_access: list[int] | None = None
    log_location: str | None = None
    log_retention_months: int | None = Field(None, ge=0)
    monitoring: str | None = None


class DeploymentOut(Schema):
    id: int
    ai_system_id: int
    ai_system: str
    environment: str
    model_version_id: int | None
    plan: str
    rollback_procedure: str
    deployed_at: dt.datetime | None
    status: str
    approved_by: str | None = None
    approved_at: dt.datetime | None
    gate_review_id: int | None
    production_access: list[int]
    log_location: str
    log_retention_months: int | None
    monitoring: str
    version: int

    @staticmethod
    def resolve_ai_system(obj: Deployment) -> str:
        return obj.ai_system.slug

    @staticmethod
    def resolve_production_access(obj: Deployment) -> list[int]:
        return [u.pk for u in obj.production_access.all()]

    @staticmethod
    def resolve_approved_by(obj: Deployment) -> str | None:
        return obj.approved_by.email if obj.approved_by_id else None


class DeploymentList(Page):
    items: list[DeploymentOut]


class EventIn(Schema):
    kind: DeploymentEvent.Kind
    description: str = Field(..., min_length=1)
    occurred_at: dt.datetime | None = None
    to_version_id: int | None = Field(None, description="For a rollback: the model version rolled back to.")


class EventOut(Schema):
    id: int
    kind: str
    description: str
    occurred_at: dt.datetime
    from_version_id: int | None
    to_version_id: int | None
    created_by: str | None = None

    @staticmethod
    def resolve_created_by(obj: Any) -> str | None:
        return obj.created_by.email if obj.created_by_id else None


class AccessIn(Schema):
    grant: list[int] = Field(default_factory=list, description="User ids to give production access.")
    revoke: list[int] = Field(default_factory=list, description="User ids to take it from.")


# --- stage procedures -----------------------------------------------------------------------------


class StageProcedureOut(Schema):
    id: int
    stage: str
    key: str
    number: int = Field(..., description="The version number; the highest is in force.")
    title: str
    body: str
    change_note: str
    created_at: dt.datetime
    created_by: str | None = None

    @staticmethod
    def resolve_created_by(obj: Any) -> str | None:
        return obj.created_by.email if obj.created_by_id else None


class StageProcedureVersionOut(Schema):
    number: int
    title: str
    change_note: str
    created_at: dt.datetime
    created_by: str | None = None

    @staticmethod
    def resolve_created_by(obj: Any) -> str | None:
        return obj.created_by.email if obj.created_by_id else None


class StageProcedureHistoryOut(Schema):
    current: StageProcedureOut
    versions: list[StageProcedureVersionOut] = Field(..., description="Every version, newest first.")


class StageProcedureIn(Schema):
    title: str | None = Field(
        None, min_length=1, max_length=200, description="Required for a new procedure; kept when left out."
    )
    body: str = Field(..., min_length=1, max_length=50_000, description="The procedure text.")
    change_note: str = Field("", max_length=300, description="A line for the version history.")
    based_on: int | None = Field(
        None,
        ge=1,
        description="The version you edited; when another version was added since, 412 and nothing is saved.",
    )


# --- event logs of the AI system (A.6.2.8) --------------------------------------------------------


class EventLogRecordIn(Schema):
    model_config = {"extra": "forbid"}

    occurred_at: dt.datetime = Field(
        ..., description="When it happened (ISO 8601; without a time zone, UTC is assumed)."
    )
    action: str = Field(
        ..., min_length=1, max_length=100, description="What was done, e.g. login, score, override."
    )
    actor: str = Field("", max_length=200, description="Who did it: preferably a pseudonymous user id.")
    outcome: str = Field("", max_length=40, description="e.g. success, failure, denied.")
    subject: str = Field("", max_length=200, description="What it concerned, e.g. a case number.")
    event_id: str = Field(
        "", max_length=100, description="The system's own id of the event: a record sent again is skipped."
    )
    detail: dict[str, Any] = Field(
        default_factory=dict, description="Further fields (at most 4,000 characters)."
    )


class EventLogBatchIn(Schema):
    records: list[EventLogRecordIn] = Field(
        ..., description="1 to 1,000 records; one invalid record refuses the batch (422 naming it)."
    )


class EventLogReceipt(Schema):
    received: int = Field(..., description="Records stored.")
    duplicates: int = Field(..., description="Records skipped because their event_id was already received.")
    retention_months: int
    total: int = Field(..., description="Records of this deployment now kept.")


class EventLogOut(Schema):
    id: int
    occurred_at: dt.datetime
    received_at: dt.datetime
    event_id: str
    actor: str
    action: str
    outcome: str
    subject: str
    detail: dict[str, Any]

    @staticmethod
    def resolve_received_at(obj: Any) -> dt.datetime:
        return obj.created_at


class EventLogList(Page):
    items: list[EventLogOut]
