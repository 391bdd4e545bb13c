"""API schemas of the compliance area: XIn (create), XPatch (partial update), XOut (read), XList."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field

from aims.core.api_helpers import Page
from aims.core.schema import Schema

from .models import Control, Framework, GapAssessment, Obligation, Regulation, SoAEntry

# --- frameworks -------------------------------------------------------------------------------------


class FrameworkOut(Schema):
    slug: str
    name: str
    full_title: str
    version: str
    publisher: str
    kind: str
    jurisdiction: str
    url: str
    status: str
    published: str = ""
    description: str
    licence: str
    builtin: bool
    requirement_count: int = 0

    @staticmethod
    def resolve_published(obj: Framework) -> str:
        return str((obj.data or {}).get("published") or "")

    @staticmethod
    def resolve_requirement_count(obj: Framework) -> int:
        return int(getattr(obj, "requirement_count", 0) or 0)


class FrameworkDetail(FrameworkOut):
    roles: list[str] = []
    risk_tiers: list[str] = []
    application_dates: list[dict[str, Any]] = []
    amendments: list[dict[str, Any]] = []
    annex_c: list[dict[str, Any]] = []
    relations: list[dict[str, Any]] = []

    @staticmethod
    def resolve_roles(obj: Framework) -> list[str]:
        return list((obj.data or {}).get("roles", []))

    @staticmethod
    def resolve_risk_tiers(obj: Framework) -> list[str]:
        return list((obj.data or {}).get("risk_tiers", []))

    @staticmethod
    def resolve_application_dates(obj: Framework) -> list[dict[str, Any]]:
        return list((obj.data or {}).get("application_dates", []))

    @staticmethod
    def resolve_amendments(obj: Framework) -> list[dict[str, Any]]:
        return list((obj.data or {}).get("amendments", []))

    @staticmethod
    def resolve_annex_c(obj: Framework) -> list[dict[str, Any]]:
        return list((obj.data or {}).get("annex_c", []))

    @staticmethod
    def resolve_relations(obj: Framework) -> list[dict[str, Any]]:
        return list((obj.data or {}).get("relations", []))


class FrameworkList(Page):
    items: list[FrameworkOut]


class FrameworkIn(Schema):
    slug: str = Field(
        ...,
        min_length=2,
        max_length=80,
        pattern=r"^[a-z0-9][a-z0-9-]*[a-z0-9]$",
        description="Lower-case letters, digits and hyphens; unique.",
    )
    name: str = Field(..., min_length=1, max_length=200)
    version: str = Field("1", min_length=1, max_length=40)
    publisher: str = ""
    kind: Framework.Kind = Framework.Kind.CUSTOM
    jurisdiction: str = ""
    url: str = ""
    description: str = ""
    licence: str = ""


class RequirementOut(Schema):
    ref_id: str = Field(description="The number as people cite it: 6.1.3, A.6.2.4, GOVERN 1.1, Art. 27.")
    number: str | None = Field(None, description="The bare article or section number (27 for Art. 27).")
    title: str
    kind: str
    parent: str | None = Field(None, description="ref_id of the parent in the tree.")
    depth: int
    order: int
    assessable: bool
    description: str
    guidance: str
    objective: str
    note: str
    documented_information: list[dict[str, Any]]
    annex_c_objectives: list[str]
    annex_c_risk_sources: list[str]
    roles: list[str]
    risk_tiers: list[str]
    applies_from: str | None
    added_by: str | None
    amended_by: list[str]
    deadline_days: int | None

    @staticmethod
    def resolve_number(obj: Any) -> str | None:
        return obj.number or None

    @staticmethod
    def resolve_parent(obj: Any) -> str | None:
        return obj.parent.ref_id if obj.parent_id else None

    @staticmethod
    def resolve_applies_from(obj: Any) -> str | None:
        return obj.applies_from or None

    @staticmethod
    def resolve_added_by(obj: Any) -> str | None:
        return obj.added_by or None


class RequirementList(Page):
    framework: str
    items: list[RequirementOut]


class RequirementIn(Schema):
    ref_id: str = Field(..., min_length=1, max_length=60)
    title: str = Field(..., min_length=1, max_length=300)
    parent: str | None = None
    kind: str = "requirement"
    description: str = ""
    guidance: str = ""
    assessable: bool = True


class RequirementRef(Schema):
    id: int
    framework: str
    ref_id: str
    title: str

    @staticmethod
    def resolve_framework(obj: Any) -> str:
        return obj.framework.slug


class MappingOut(Schema):
    source: str
    target: str
    relation: str
    note: str

    @staticmethod
    def resolve_source(obj: Any) -> str:
        return obj.source.ref_id

    @staticmethod
    def resolve_target(obj: Any) -> str:
        return obj.target.ref_id


class CrosswalkOut(Schema):
    slug: str
    name: str
    source: str
    target: str
    indicative: bool
    description: str
    provenance: str
    mapping_count: int = 0

    @staticmethod
    def resolve_source(obj: Any) -> str:
        return obj.source.slug

    @staticmethod
    def resolve_target(obj: Any) -> str:
        return obj.target.slug


class MappingList(Page):
    items: list[MappingOut]


# --- controls ---------------------------------------------------------------------------------------


class ControlIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    ref: str | None = Field(None, max_length=30, description="Made as CTL-nnn when left out.")
    description: str = ""
    owner_id: int | None = Field(None, description="User id of the accountable owner (a member).")
    status: Control.Status = Control.Status.PLANNED
    requirements: list[int] = Field(
        default_factory=list, description="Ids of the requirements satisfied, in any framework."
    )
    ai_systems: list[int] = Field(default_factory=list, description="Ids of the AI systems covered.")
    risks: list[int] = Field(default_factory=list, description="Ids of the risks treated.")
    review_date: dt.date | None = None
    effectiveness: Control.Effectiveness = Control.Effectiveness.NOT_REVIEWED
    effectiveness_note: str = ""
    evidence_links: list[str] = Field(default_factory=list)


class ControlPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    ref: str | None = Field(None, max_length=30)
    description: str | None = None
    owner_id: int | None = None
    status: Control.Status | None = None
    requirements: list[int] | None = None
    ai_systems: list[int] | None = None
    risks: list[int] | None = None
    review_date: dt.date | None = None
    last_reviewed_on: dt.date | None = None
    effectiveness: Control.Effectiveness | None = None
    effectiveness_note: str | None = None
    evidence_links: list[str] | None = None


class ControlOut(Schema):
    id: int
    ref: str
    name: str
    description: str
    owner_id: int | None
    owner_email: str | None = Field(None, alias="owner.email")
    status: str
    requirements: list[RequirementRef]
    ai_systems: list[int]
    risks: list[int]
    review_date: dt.date | None
    last_reviewed_on: dt.date | None
    effectiveness: str
    effectiveness_note: str
    evidence_links: list[str]
    evidence_count: int = 0
    library_key: str
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_requirements(obj: Control) -> list[Any]:
        return list(obj.requirements.all())

    @staticmethod
    def resolve_ai_systems(obj: Control) -> list[int]:
        return [s.pk for s in obj.ai_systems.all()]

    @staticmethod
    def resolve_risks(obj: Control) -> list[int]:
        return [r.pk for r in obj.risks.all()] if hasattr(obj, "risks") else []

    @staticmethod
    def resolve_evidence_count(obj: Control) -> int:
        return int(getattr(obj, "evidence_count", 0) or 0)


class ControlList(Page):
    items: list[ControlOut]


class LibraryIn(Schema):
    keys: list[str] = Field(..., min_length=1, description="Keys from GET /controls/library.")
    owner_id: int | None = None


class EvidenceIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    url: str = Field(..., min_length=1, max_length=200, description="Where the record lives (http or https).")
    collected_on: dt.date | None = None


class EvidenceOut(Schema):
    id: int
    title: str
    url: str
    filename: str
    sha256: str
    size: int
    collected_on: dt.date
    created_at: dt.datetime


# --- SoA --------------------------------------------------------------------------------------------


class SoAOut(Schema):
    id: int
    number: int
    status: str
    framework: str
    notes: str
    approved_by: str | None = Field(None, alias="approved_by.email")
    approved_at: dt.datetime | None
    approval_note: str
    version: int
    created_at: dt.datetime

    @staticmethod
    def resolve_framework(obj: Any) -> str:
        return obj.framework.slug


class SoAEntryOut(Schema):
    id: int
    ref_id: str
    title: str
    objective: str
    applicable: bool | None
    justification: str
    implementation_status: str
    controls: list[str]
    evidence_note: str
    version: int

    @staticmethod
    def resolve_ref_id(obj: SoAEntry) -> str:
        return obj.requirement.ref_id

    @staticmethod
    def resolve_title(obj: SoAEntry) -> str:
        return obj.requirement.title

    @staticmethod
    def resolve_objective(obj: SoAEntry) -> str:
        parent = obj.requirement.parent
        return f"{parent.ref_id} {parent.title}" if parent else ""

    @staticmethod
    def resolve_controls(obj: SoAEntry) -> list[str]:
        return [c.ref for c in obj.controls.all()]


class SoADetail(SoAOut):
    entries: list[SoAEntryOut]

    @staticmethod
    def resolve_entries(obj: Any) -> list[Any]:
        from .services import soa_entries

        return list(soa_entries(obj))


class SoAEntryPatch(Schema):
    applicable: bool | None = None
    justification: str | None = None
    implementation_status: SoAEntry.Implementation | None = None
    controls: list[int] | None = Field(None, description="Ids of the implementing controls.")
    evidence_note: str | None = None


class ApproveIn(Schema):
    note: str = ""


class MissingOut(Schema):
    undecided: list[str]
    unjustified: list[str]
    no_implementation: list[str]
    no_evidence: list[str]
    risks: list[dict[str, Any]]
    count: int


# --- classification ---------------------------------------------------------------------------------


class ClassificationIn(Schema):
    ai_system: str = Field(..., description="The AI system's slug or id.")
    answers: dict[str, Any] = Field(
        ...,
        description="The questionnaire: is_ai_system, roles, gpai_model, gpai_systemic_risk, prohibited, "
        "emotion_recognition_medical_or_safety, annex_i_product, annex_iii, derogation, profiling, transparency, "
        "public_body_or_public_service. See GET /classifications/questions.",
    )
    notes: str = ""


class ClassificationOut(Schema):
    id: int
    ai_system: str
    number: int
    is_current: bool
    tier: str
    gpai: str
    roles: list[str]
    answers: dict[str, Any]
    reasoning: list[dict[str, Any]]
    citations: list[str]
    obligations: list[dict[str, Any]]
    notes: str
    created_at: dt.datetime
    created_by: str | None = Field(None, alias="created_by.email")
    needs_reclassification: list[str] = []

    @staticmethod
    def resolve_ai_system(obj: Any) -> str:
        return obj.ai_system.slug

    @staticmethod
    def resolve_needs_reclassification(obj: Any) -> list[str]:
        from .services import needs_reclassification

        return needs_reclassification(obj.ai_system, obj) if obj.is_current else []


class ClassificationList(Page):
    items: list[ClassificationOut]


class ObligationOut(Schema):
    id: int
    ai_system: str
    ref_id: str
    title: str
    role: str
    due_date: dt.date | None
    status: str
    note: str
    version: int

    @staticmethod
    def resolve_ai_system(obj: Obligation) -> str:
        return obj.ai_system.slug

    @staticmethod
    def resolve_ref_id(obj: Obligation) -> str:
        return obj.requirement.ref_id

    @staticmethod
    def resolve_title(obj: Obligation) -> str:
        return obj.requirement.title


class ObligationList(Page):
    items: list[ObligationOut]


class ObligationPatch(Schema):
    status: Obligation.Status | None = None
    note: str | None = Field(None, description="Free text; null clears it.")


# --- gap assessment ---------------------------------------------------------------------------------


class GapIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    assessed_on: dt.date | None = None
    target_level: int = Field(3, ge=0, le=5)
    notes: str = ""


class GapPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    assessed_on: dt.date | None = None
    status: GapAssessment.Status | None = None
    target_level: int | None = Field(None, ge=0, le=5)
    scale: list[dict[str, Any]] | None = None
    notes: str | None = None


class GapOut(Schema):
    id: int
    title: str
    framework: str
    assessed_on: dt.date
    status: str
    target_level: int
    scale: list[dict[str, Any]]
    notes: str
    average: float | None = None
    version: int

    @staticmethod
    def resolve_framework(obj: Any) -> str:
        return obj.framework.slug

    @staticmethod
    def resolve_average(obj: Any) -> float | None:
        return getattr(obj, "average", None)


class GapList(Page):
    items: list[GapOut]


class GapScoreOut(Schema):
    id: int
    ref_id: str
    title: str
    maturity: int | None
    notes: str
    evidence: str
    version: int

    @staticmethod
    def resolve_ref_id(obj: Any) -> str:
        return obj.requirement.ref_id

    @staticmethod
    def resolve_title(obj: Any) -> str:
        return obj.requirement.title


class GapScorePatch(Schema):
    maturity: int | None = Field(None, ge=0, le=5)
    notes: str | None = None
    evidence: str | None = None


class GapReportOut(Schema):
    assessment: GapOut
    average: float | None
    scored: int
    total: int
    target: int
    sections: list[dict[str, Any]]
    roadmap: list[dict[str, Any]]
    scores: list[GapScoreOut]


class StatusOut(Schema):
    framework: str
    name: str
    total: int
    evidenced: int
    implemented: int
    in_progress: int
    not_effective: int
    not_covered: int
    score: float


# --- regulatory register ----------------------------------------------------------------------------


class RegulationIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    kind: Regulation.Kind = Regulation.Kind.LAW
    framework_id: int | None = Field(None, description="Id of the catalog that holds its requirements.")
    jurisdiction: str = ""
    applicability: str = ""
    owner_id: int | None = None
    review_date: dt.date | None = None
    url: str = ""


class RegulationPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    kind: Regulation.Kind | None = None
    framework_id: int | None = None
    jurisdiction: str | None = None
    applicability: str | None = None
    owner_id: int | None = None
    review_date: dt.date | None = None
    url: str | None = None


class RegulationOut(Schema):
    id: int
    title: str
    kind: str
    framework: str | None = None
    jurisdiction: str
    applicability: str
    owner_id: int | None
    review_date: dt.date | None
    url: str
    version: int

    @staticmethod
    def resolve_framework(obj: Any) -> str | None:
        return obj.framework.slug if obj.framework_id else None


class RegulationList(Page):
    items: list[RegulationOut]


class CatalogChangeOut(Schema):
    id: int
    framework: str
    detected_at: dt.datetime
    added: list[str]
    removed: list[str]
    changed: list[dict[str, Any]]
    dates: list[dict[str, Any]]
    amendments: list[dict[str, Any]]

    @staticmethod
    def resolve_framework(obj: Any) -> str:
        return obj.framework.slug
