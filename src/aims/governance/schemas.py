"""API schemas for clauses 5, 6.2 and 7: XIn (create), XPatch (partial update), XOut (read), XList."""

from __future__ import annotations

import datetime as dt
import decimal

from ninja import Field, ModelSchema

from aims.core.api_helpers import Page
from aims.core.roles import Role
from aims.core.schema import Schema

from .models import (
    Classification,
    Communication,
    Competence,
    Document,
    DocumentVersion,
    Objective,
    ResourceAllocation,
    Responsibility,
    TrainingRecord,
)

COMMON = ["id", "version", "created_at", "updated_at"]


class DocumentIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    slug: str | None = Field(
        None, max_length=80, pattern=r"^[-a-zA-Z0-9_]+$", description="Made from the title when left out."
    )
    kind: Document.Kind = Document.Kind.PROCEDURE
    is_ai_policy: bool = False
    owner_id: int | None = None
    approver_id: int | None = None
    classification: Classification = Classification.INTERNAL
    retention_months: int = Field(36, ge=0, le=1200)
    review_interval_months: int = Field(12, ge=1, le=120)
    requires_acknowledgement: bool = False
    content: str = Field("", max_length=200_000, description="Markdown text of the first (draft) version.")


class DocumentPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    kind: Document.Kind | None = None
    owner_id: int | None = None
    approver_id: int | None = None
    classification: Classification | None = None
    retention_months: int | None = Field(None, ge=0, le=1200)
    review_interval_months: int | None = Field(None, ge=1, le=120)
    next_review: dt.date | None = None
    requires_acknowledgement: bool | None = None


class VersionOut(ModelSchema):
    author: str | None = Field(None, alias="author.email")
    approved_by: str | None = Field(None, alias="approved_by.email")

    class Meta:
        model = DocumentVersion
        fields = [
            "id",
            "number",
            "status",
            "content",
            "change_note",
            "submitted_at",
            "approved_at",
            "published_at",
            "retired_at",
            "review_comment",
        ]


class VersionIn(Schema):
    content: str | None = Field(
        None, max_length=200_000, description="Markdown; by default a copy of the published version."
    )
    change_note: str = Field("", max_length=300)


class VersionPatch(Schema):
    content: str = Field(..., max_length=200_000)
    change_note: str | None = Field(None, max_length=300)


class VersionTransition(Schema):
    status: DocumentVersion.Status
    comment: str = Field("", max_length=5000)


class DocumentOut(ModelSchema):
    owner_id: int | None
    approver_id: int | None
    published: int | None = Field(
        None, alias="published_version.number", description="The number of the published version."
    )

    class Meta:
        model = Document
        fields = [
            *COMMON,
            "title",
            "slug",
            "kind",
            "is_ai_policy",
            "classification",
            "retention_months",
            "review_interval_months",
            "next_review",
            "requires_acknowledgement",
        ]


class DocumentList(Page):
    items: list[DocumentOut]


class Person(Schema):
    email: str
    name: str
    role: str


class AckDone(Person):
    at: dt.datetime


class AckReport(Schema):
    version: int | None
    members: int
    acknowledged: int
    done: list[AckDone]
    missing: list[Person]


class RaciCell(Schema):
    process: str = Field(..., description="The AIMS process key.")
    role: Role
    letter: str = Field("", pattern=r"^[RACI]?$", description="R, A, C, I, or empty to clear.")
    note: str = Field("", max_length=300)


class RaciRow(Schema):
    process: str
    name: str
    cells: dict[str, str]


class RaciOut(Schema):
    default: bool = Field(description="True while the organization uses AIMS's default RACI.")
    roles: list[str]
    processes: list[RaciRow]


class ResponsibilityOut(ModelSchema):
    class Meta:
        model = Responsibility
        fields = ["id", "process", "role", "letter", "note"]


class ObjectiveIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    description: str = ""
    kpi_id: int | None = None
    target: float | None = None
    unit: str = Field("", max_length=16)
    owner_id: int | None = None
    due_date: dt.date | None = None
    plan: str = ""
    resources: str = ""
    evaluation: str = ""
    manual_status: Objective.Status = Objective.Status.NOT_STARTED


class ObjectivePatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = None
    kpi_id: int | None = None
    target: float | None = None
    unit: str | None = Field(None, max_length=16)
    owner_id: int | None = None
    due_date: dt.date | None = None
    plan: str | None = None
    resources: str | None = None
    evaluation: str | None = None
    manual_status: Objective.Status | None = None


class ObjectiveOut(ModelSchema):
    kpi_id: int | None
    owner_id: int | None
    status: str = Field(description="From the KPI when AIMS measures it, else the status set by hand.")
    effective_target: float | None
    kpi_value: float | None = Field(None, alias="kpi.last_value")

    class Meta:
        model = Objective
        fields = [
            *COMMON,
            "title",
            "description",
            "target",
            "unit",
            "due_date",
            "plan",
            "resources",
            "evaluation",
            "manual_status",
        ]


class ObjectiveList(Page):
    items: list[ObjectiveOut]


class CompetenceIn(Schema):
    role: Role
    name: str = Field(..., min_length=1, max_length=200)
    description: str = ""
    course: str = Field("", max_length=200)
    validity_months: int | None = Field(None, ge=1, le=240)


class CompetencePatch(Schema):
    role: Role | None = None
    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = None
    course: str | None = Field(None, max_length=200)
    validity_months: int | None = Field(None, ge=1, le=240)


class CompetenceOut(ModelSchema):
    class Meta:
        model = Competence
        fields = [*COMMON, "role", "name", "description", "course", "validity_months"]


class CompetenceList(Page):
    items: list[CompetenceOut]


class TrainingIn(Schema):
    person_id: int | None = Field(None, description="User id of the person trained; yourself when left out.")
    competence_id: int | None = None
    course: str = Field(..., min_length=1, max_length=200)
    provider: str = Field("", max_length=200)
    completed_on: dt.date
    expires_on: dt.date | None = None
    evidence: str = Field("", max_length=300)


class TrainingPatch(Schema):
    competence_id: int | None = None
    course: str | None = Field(None, min_length=1, max_length=200)
    provider: str | None = Field(None, max_length=200)
    completed_on: dt.date | None = None
    expires_on: dt.date | None = None
    evidence: str | None = Field(None, max_length=300)


class TrainingOut(ModelSchema):
    person_id: int
    person_email: str | None = Field(None, alias="person.email")
    competence_id: int | None
    current: bool

    class Meta:
        model = TrainingRecord
        fields = [*COMMON, "course", "provider", "completed_on", "expires_on", "evidence"]


class TrainingList(Page):
    items: list[TrainingOut]


class Gap(Schema):
    email: str
    role: str
    competence: str
    status: str


class Expiring(Schema):
    email: str
    course: str
    expires_on: dt.date


class GapReport(Schema):
    people_with_requirements: int
    people_complete: int
    gaps: list[Gap]
    expiring: list[Expiring]


class CommunicationIn(Schema):
    topic: str = Field(..., min_length=1, max_length=200)
    audience: str = Field(..., min_length=1, max_length=200)
    timing: str = Field("", max_length=200)
    channel: Communication.Channel = Communication.Channel.EMAIL
    external: bool = False
    spokesperson_role: str = Field("", description="Role authorised to communicate (required when external).")
    occurred_on: dt.date | None = None
    summary: str = ""


class CommunicationPatch(Schema):
    topic: str | None = Field(None, min_length=1, max_length=200)
    audience: str | None = Field(None, min_length=1, max_length=200)
    timing: str | None = Field(None, max_length=200)
    channel: Communication.Channel | None = None
    external: bool | None = None
    spokesperson_role: str | None = None
    occurred_on: dt.date | None = None
    summary: str | None = None


class CommunicationOut(ModelSchema):
    class Meta:
        model = Communication
        fields = [
            *COMMON,
            "topic",
            "audience",
            "timing",
            "channel",
            "external",
            "spokesperson_role",
            "occurred_on",
            "summary",
        ]


class CommunicationList(Page):
    items: list[CommunicationOut]


class ResourceIn(Schema):
    kind: ResourceAllocation.Kind
    ai_system_id: int | None = None
    description: str = Field(..., min_length=1, max_length=300)
    amount: decimal.Decimal | None = Field(None, max_digits=14, decimal_places=2)
    unit: str = Field("", max_length=16)
    year: int | None = Field(None, ge=2000, le=2100)
    adequate: bool = True


class ResourcePatch(Schema):
    kind: ResourceAllocation.Kind | None = None
    ai_system_id: int | None = None
    description: str | None = Field(None, min_length=1, max_length=300)
    amount: decimal.Decimal | None = Field(None, max_digits=14, decimal_places=2)
    unit: str | None = Field(None, max_length=16)
    year: int | None = Field(None, ge=2000, le=2100)
    adequate: bool | None = None


class ResourceOut(ModelSchema):
    ai_system_id: int | None

    class Meta:
        model = ResourceAllocation
        fields = [*COMMON, "kind", "description", "amount", "unit", "year", "adequate"]


class ResourceList(Page):
    items: list[ResourceOut]
