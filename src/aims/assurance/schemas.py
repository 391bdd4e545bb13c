"""API schemas for clauses 9 and 10: XIn (create), XPatch (partial update), XOut (read), XList."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, ModelSchema

from aims.core.api_helpers import Page
from aims.core.schema import Schema

from .models import (
    KPI,
    Audit,
    AuditProgramme,
    ChecklistItem,
    CorrectiveAction,
    Feedback,
    Finding,
    Improvement,
    Incident,
    KPIMeasurement,
    ManagementReview,
    Nonconformity,
    ReviewDecision,
    Severity,
    Task,
)

COMMON = ["id", "version", "created_at", "updated_at"]


class StatusChange(Schema):
    status: str = Field(..., description="The status to move to.")
    note: str = Field("", max_length=5000, description="Why, for the timeline or the record.")


# --- incidents -------------------------------------------------------------------------------------


class IncidentIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    description: str = ""
    ai_system_id: int | None = Field(None, description="Id of the AI system involved.")
    incident_type: Incident.Type = Incident.Type.OTHER
    severity: Severity = Severity.MEDIUM
    detection_source: Incident.Source = Incident.Source.STAFF
    owner_id: int | None = Field(None, description="User id of the handler (a member).")
    occurred_at: dt.datetime | None = None
    detected_at: dt.datetime | None = Field(
        None, description="When the organization became aware (default now); Art. 73 clocks start here."
    )
    affected_people: str = ""
    affected_count: int | None = Field(None, ge=0)
    containment: str = ""
    root_cause: str = ""
    impact: str = ""
    lessons_learned: str = ""
    users_communication: str = ""
    serious: bool = Field(
        False, description="A serious incident under the EU AI Act (Art. 3(49)), reportable under Art. 73."
    )
    serious_category: str = Field(
        "",
        description="death, widespread_infringement, critical_infrastructure or other (default when serious).",
    )


class IncidentPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = None
    ai_system_id: int | None = None
    incident_type: Incident.Type | None = None
    severity: Severity | None = None
    detection_source: Incident.Source | None = None
    owner_id: int | None = None
    occurred_at: dt.datetime | None = None
    detected_at: dt.datetime | None = None
    affected_people: str | None = None
    affected_count: int | None = Field(None, ge=0)
    containment: str | None = None
    root_cause: str | None = None
    impact: str | None = None
    lessons_learned: str | None = None
    users_communication: str | None = None
    serious: bool | None = None
    serious_category: str | None = None
    authority_reference: str | None = None


class TimelineEntryOut(Schema):
    at: dt.datetime
    kind: str
    text: str
    author: str | None = Field(None, alias="author.email")


class TimelineEntryIn(Schema):
    text: str = Field(..., min_length=1, max_length=5000)
    kind: str = Field("note", max_length=32)
    at: dt.datetime | None = None


class AuthorityReportIn(Schema):
    reference: str = Field("", max_length=120, description="The authority's case number.")
    at: dt.datetime | None = Field(None, description="When the report was sent (default now).")


class IncidentOut(ModelSchema):
    reference: str
    ai_system_id: int | None
    owner_id: int | None
    owner_email: str | None = Field(None, alias="owner.email")
    report_overdue: bool
    timeline: list[TimelineEntryOut] = Field(default_factory=list, alias="events")

    class Meta:
        model = Incident
        fields = [
            *COMMON,
            "number",
            "title",
            "description",
            "incident_type",
            "severity",
            "detection_source",
            "status",
            "occurred_at",
            "detected_at",
            "contained_at",
            "resolved_at",
            "closed_at",
            "affected_people",
            "affected_count",
            "containment",
            "root_cause",
            "impact",
            "lessons_learned",
            "users_communication",
            "serious",
            "serious_category",
            "report_due_at",
            "authority_reported_at",
            "authority_reference",
        ]

    @staticmethod
    def resolve_timeline(obj: Incident) -> list[Any]:
        return list(obj.events.all())


class IncidentList(Page):
    items: list[IncidentOut]


class FeedbackIn(Schema):
    ai_system_id: int | None = None
    kind: Feedback.Kind = Feedback.Kind.PROBLEM
    message: str = Field(..., min_length=1, max_length=5000)
    reporter_name: str = Field("", max_length=120)
    reporter_email: str = Field("", max_length=254)


class FeedbackPatch(Schema):
    ai_system_id: int | None = None
    kind: Feedback.Kind | None = None
    triage_note: str | None = None


class FeedbackOut(ModelSchema):
    reference: str
    ai_system_id: int | None
    incident_id: int | None

    class Meta:
        model = Feedback
        fields = [
            *COMMON,
            "number",
            "kind",
            "message",
            "reporter_name",
            "reporter_email",
            "channel",
            "status",
            "triage_note",
        ]


class FeedbackList(Page):
    items: list[FeedbackOut]


# --- nonconformities -------------------------------------------------------------------------------


class NonconformityIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    description: str = ""
    requirement: str = Field("", max_length=120)
    source: Nonconformity.Source = Nonconformity.Source.OTHER
    grade: Nonconformity.Grade = Nonconformity.Grade.MINOR
    ai_system_id: int | None = None
    incident_id: int | None = None
    owner_id: int | None = None
    due_date: dt.date | None = None
    correction: str = ""
    root_cause_method: Nonconformity.Method = Nonconformity.Method.FIVE_WHYS
    five_whys: list[str] = Field(default_factory=list, max_length=10)
    root_cause: str = ""
    effectiveness_after_days: int = Field(30, ge=0, le=730)


class NonconformityPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = None
    requirement: str | None = Field(None, max_length=120)
    source: Nonconformity.Source | None = None
    grade: Nonconformity.Grade | None = None
    ai_system_id: int | None = None
    incident_id: int | None = None
    owner_id: int | None = None
    due_date: dt.date | None = None
    correction: str | None = None
    root_cause_method: Nonconformity.Method | None = None
    five_whys: list[str] | None = Field(None, max_length=10)
    root_cause: str | None = None
    effectiveness_after_days: int | None = Field(None, ge=0, le=730)


class NonconformityOut(ModelSchema):
    reference: str
    ai_system_id: int | None
    incident_id: int | None
    owner_id: int | None
    verified_by_id: int | None
    actions: list[int] = Field(default_factory=list)
    # JSON list columns: declared here, or ModelSchema documents them as objects.
    five_whys: list[str] = Field(default_factory=list)

    class Meta:
        model = Nonconformity
        fields = [
            *COMMON,
            "number",
            "title",
            "description",
            "requirement",
            "source",
            "grade",
            "status",
            "due_date",
            "correction",
            "root_cause_method",
            "five_whys",
            "root_cause",
            "effectiveness_after_days",
            "effectiveness_due",
            "effectiveness_result",
            "effectiveness_note",
            "verified_at",
            "closed_at",
        ]

    @staticmethod
    def resolve_actions(obj: Nonconformity) -> list[int]:
        return [a.pk for a in obj.actions.all()]


class NonconformityList(Page):
    items: list[NonconformityOut]


class EffectivenessIn(Schema):
    effective: bool = Field(
        ..., description="Did the actions remove the cause (the problem has not come back)?"
    )
    note: str = Field(..., min_length=1, max_length=5000, description="The evidence for that conclusion.")


class ActionIn(Schema):
    nonconformity_id: int
    title: str = Field(..., min_length=1, max_length=200)
    description: str = ""
    owner_id: int | None = None
    due_date: dt.date | None = None


class ActionPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = None
    owner_id: int | None = None
    due_date: dt.date | None = None
    result: str | None = None


class ActionTransition(Schema):
    status: CorrectiveAction.Status
    result: str = Field(
        "", max_length=5000, description="What was done, with evidence (required to mark it done)."
    )


class ActionOut(ModelSchema):
    nonconformity_id: int
    owner_id: int | None
    overdue: bool

    class Meta:
        model = CorrectiveAction
        fields = [*COMMON, "title", "description", "due_date", "status", "completed_at", "result"]


class ActionList(Page):
    items: list[ActionOut]


class ImprovementIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    description: str = ""
    source: str = Field("", max_length=120)
    status: Improvement.Status = Improvement.Status.PROPOSED
    owner_id: int | None = None


class ImprovementPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = None
    source: str | None = Field(None, max_length=120)
    status: Improvement.Status | None = None
    owner_id: int | None = None


class ImprovementOut(ModelSchema):
    owner_id: int | None

    class Meta:
        model = Improvement
        fields = [*COMMON, "title", "description", "source", "status"]


class ImprovementList(Page):
    items: list[ImprovementOut]


# --- audits ----------------------------------------------------------------------------------------


class ProgrammeIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    start_year: int = Field(..., ge=2000, le=2100)
    end_year: int = Field(..., ge=2000, le=2100)
    objectives: str = ""
    method: str = ""


class ProgrammePatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    start_year: int | None = Field(None, ge=2000, le=2100)
    end_year: int | None = Field(None, ge=2000, le=2100)
    objectives: str | None = None
    method: str | None = None


class ProgrammeOut(ModelSchema):
    approved_by_id: int | None

    class Meta:
        model = AuditProgramme
        fields = [*COMMON, "title", "start_year", "end_year", "objectives", "method", "status", "approved_at"]


class ProgrammeList(Page):
    items: list[ProgrammeOut]


class CoverageOut(Schema):
    required: int
    covered: int
    share: float
    missing: list[str]


class AuditIn(Schema):
    programme_id: int | None = None
    title: str = Field(..., min_length=1, max_length=200)
    scope: str = ""
    criteria: str = ""
    clauses: list[str] = Field(
        default_factory=list,
        description="Clause and control numbers covered; empty covers the whole standard.",
    )
    processes: list[str] = Field(
        default_factory=list, description="AIMS processes audited (auditors may not be responsible for them)."
    )
    planned_start: dt.date
    planned_end: dt.date | None = None
    lead_auditor_id: int | None = None
    auditors: list[int] = Field(default_factory=list, description="User ids of the other auditors.")


class AuditPatch(Schema):
    programme_id: int | None = None
    title: str | None = Field(None, min_length=1, max_length=200)
    scope: str | None = None
    criteria: str | None = None
    clauses: list[str] | None = None
    processes: list[str] | None = None
    planned_start: dt.date | None = None
    planned_end: dt.date | None = None
    lead_auditor_id: int | None = None
    auditors: list[int] | None = None
    summary: str | None = None


class AuditOut(ModelSchema):
    reference: str
    programme_id: int | None
    lead_auditor_id: int | None
    auditors: list[int] = Field(default_factory=list)
    findings: int = 0
    # JSON list columns: declared here, or ModelSchema documents them as objects.
    clauses: list[str] = Field(default_factory=list)
    processes: list[str] = Field(default_factory=list)

    class Meta:
        model = Audit
        fields = [
            *COMMON,
            "number",
            "title",
            "scope",
            "criteria",
            "clauses",
            "processes",
            "planned_start",
            "planned_end",
            "status",
            "summary",
            "reported_at",
        ]

    @staticmethod
    def resolve_auditors(obj: Audit) -> list[int]:
        return [u.pk for u in obj.auditors.all()]

    @staticmethod
    def resolve_findings(obj: Audit) -> int:
        return len(obj.findings.all())


class AuditList(Page):
    items: list[AuditOut]


class ChecklistItemOut(ModelSchema):
    class Meta:
        model = ChecklistItem
        fields = ["id", "ref", "title", "question", "evidence_expected", "result", "notes"]


class ChecklistItemPatch(Schema):
    result: ChecklistItem.Result
    notes: str = Field("", max_length=5000)


class FindingIn(Schema):
    audit_id: int
    kind: Finding.Kind
    requirement: str = Field("", max_length=120)
    title: str = Field(..., min_length=1, max_length=200)
    description: str = ""
    evidence: str = ""


class FindingPatch(Schema):
    requirement: str | None = Field(None, max_length=120)
    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = None
    evidence: str | None = None


class FindingOut(ModelSchema):
    audit_id: int
    nonconformity_id: int | None
    improvement_id: int | None

    class Meta:
        model = Finding
        fields = [*COMMON, "kind", "requirement", "title", "description", "evidence"]


class FindingList(Page):
    items: list[FindingOut]


# --- management review -----------------------------------------------------------------------------


class ReviewIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    scheduled_for: dt.date
    period_start: dt.date | None = None
    chair_id: int | None = None
    attendees: list[int] = Field(default_factory=list)
    minutes: str = ""
    conclusions: str = ""


class ReviewPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    scheduled_for: dt.date | None = None
    period_start: dt.date | None = None
    chair_id: int | None = None
    attendees: list[int] | None = None
    minutes: str | None = None
    conclusions: str | None = None


class DecisionIn(Schema):
    text: str = Field(..., min_length=1, max_length=5000)
    kind: ReviewDecision.Kind = ReviewDecision.Kind.IMPROVEMENT
    owner_id: int | None = None
    due_date: dt.date | None = None


class DecisionOut(ModelSchema):
    owner_id: int | None
    task_id: int | None

    class Meta:
        model = ReviewDecision
        fields = ["id", "kind", "text", "due_date"]


class ReviewOut(ModelSchema):
    chair_id: int | None
    approved_by_id: int | None
    attendees: list[int] = Field(default_factory=list)
    decisions: list[DecisionOut] = Field(default_factory=list)

    class Meta:
        model = ManagementReview
        fields = [
            *COMMON,
            "title",
            "scheduled_for",
            "period_start",
            "held_on",
            "status",
            "minutes",
            "conclusions",
            "closed_at",
        ]

    @staticmethod
    def resolve_attendees(obj: ManagementReview) -> list[int]:
        return [u.pk for u in obj.attendees.all()]

    @staticmethod
    def resolve_decisions(obj: ManagementReview) -> list[Any]:
        return list(obj.decisions.all())


class ReviewList(Page):
    items: list[ReviewOut]


# --- KPIs and tasks --------------------------------------------------------------------------------


class KPIIn(Schema):
    key: str = Field(..., min_length=1, max_length=64, pattern=r"^[-a-zA-Z0-9_]+$")
    name: str = Field(..., min_length=1, max_length=200)
    description: str = ""
    category: KPI.Category = KPI.Category.CUSTOM
    builtin: str = Field("", description="Name of an AIMS computation; empty for a KPI you measure yourself.")
    unit: str = Field("%", max_length=16)
    target: float | None = None
    direction: KPI.Direction = KPI.Direction.HIGHER


class KPIPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = None
    category: KPI.Category | None = None
    unit: str | None = Field(None, max_length=16)
    target: float | None = None
    direction: KPI.Direction | None = None


class KPIOut(ModelSchema):
    on_target: bool | None

    class Meta:
        model = KPI
        fields = [
            *COMMON,
            "key",
            "name",
            "description",
            "category",
            "builtin",
            "unit",
            "target",
            "direction",
            "last_value",
            "last_measured_at",
        ]


class KPIList(Page):
    items: list[KPIOut]


class MeasurementIn(Schema):
    value: float
    at: dt.datetime | None = None
    note: str = Field("", max_length=200)


class MeasurementOut(ModelSchema):
    class Meta:
        model = KPIMeasurement
        fields = ["id", "at", "value", "note"]


class TaskIn(Schema):
    title: str = Field(..., min_length=1, max_length=300)
    kind: Task.Kind = Task.Kind.ACTION
    assignee_id: int | None = None
    assignee_role: str = ""
    due_date: dt.date | None = None
    link: str = Field("", max_length=300)


class TaskPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=300)
    kind: Task.Kind | None = None
    assignee_id: int | None = None
    assignee_role: str | None = None
    due_date: dt.date | None = None
    link: str | None = Field(None, max_length=300)


class TaskOut(ModelSchema):
    assignee_id: int | None
    assignee_email: str | None = Field(None, alias="assignee.email")
    overdue: bool

    class Meta:
        model = Task
        fields = [
            *COMMON,
            "title",
            "kind",
            "assignee_role",
            "due_date",
            "status",
            "link",
            "source_key",
            "reminded_at",
            "completed_at",
        ]


class TaskList(Page):
    items: list[TaskOut]
