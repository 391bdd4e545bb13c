"""REST resources for clauses 9 and 10: /incidents, /feedback, /nonconformities, /corrective-actions,
/improvements, /audit-programmes, /audits, /findings, /management-reviews, /kpis, /tasks."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Status

from aims.core.api_crud import Resource, crud
from aims.core.api_helpers import actor_of, get_scoped
from aims.core.schema import Schema
from aims.governance.api import attachment_routes

from . import services
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
    ManagementReview,
    Nonconformity,
    Severity,
    Task,
)
from .schemas import (
    ActionIn,
    ActionList,
    ActionOut,
    ActionPatch,
    ActionTransition,
    AuditIn,
    AuditList,
    AuditOut,
    AuditPatch,
    AuthorityReportIn,
    ChecklistItemOut,
    ChecklistItemPatch,
    CoverageOut,
    DecisionIn,
    DecisionOut,
    EffectivenessIn,
    FeedbackIn,
    FeedbackList,
    FeedbackOut,
    FeedbackPatch,
    FindingIn,
    FindingList,
    FindingOut,
    FindingPatch,
    ImprovementIn,
    ImprovementList,
    ImprovementOut,
    ImprovementPatch,
    IncidentIn,
    IncidentList,
    IncidentOut,
    IncidentPatch,
    KPIIn,
    KPIList,
    KPIOut,
    KPIPatch,
    MeasurementIn,
    MeasurementOut,
    NonconformityIn,
    NonconformityList,
    NonconformityOut,
    NonconformityPatch,
    ProgrammeIn,
    ProgrammeList,
    ProgrammeOut,
    ProgrammePatch,
    ReviewIn,
    ReviewList,
    ReviewOut,
    ReviewPatch,
    StatusChange,
    TaskIn,
    TaskList,
    TaskOut,
    TaskPatch,
    TimelineEntryIn,
    TimelineEntryOut,
)


def _plain(params: dict[str, Any]) -> dict[str, Any]:
    return {k: getattr(v, "value", v) for k, v in params.items() if v not in (None, "")}


def _scoped(request: HttpRequest, model: type, key: str) -> Any:
    actor = actor_of(request)
    return get_scoped(actor, model.objects.for_actor(actor), key, slug_field=None)  # type: ignore[attr-defined]


def _drop_nones(data: dict[str, Any], keep: tuple[str, ...] = ()) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None or k in keep}


# --- incidents -------------------------------------------------------------------------------------


class IncidentFilters(Schema):
    q: str | None = Field(None, description="Words in the title")
    status: Incident.Status | None = None
    severity: Severity | None = None
    type: Incident.Type | None = None
    system: int | None = Field(None, description="AI system id")
    serious: bool | None = None
    open: bool | None = Field(None, description="Only open (true) or only finished (false) incidents")
    page: int = 1
    page_size: int = 50


def filter_incidents(qs, params):  # type: ignore[no-untyped-def]
    p = _plain(params)
    if p.get("q"):
        qs = qs.filter(title__icontains=p["q"])
    for key, field in {
        "status": "status",
        "severity": "severity",
        "type": "incident_type",
        "system": "ai_system_id",
    }.items():
        if p.get(key):
            qs = qs.filter(**{field: p[key]})
    if params.get("serious") is not None:
        qs = qs.filter(serious=params["serious"])
    if params.get("open") is not None:
        qs = qs.filter(status__in=Incident.OPEN) if params["open"] else qs.exclude(status__in=Incident.OPEN)
    return qs.select_related("owner").prefetch_related("events__author")


incidents_router = Router(tags=["incidents (A.8.4)"])


@incidents_router.post(
    "/{key}/transition", response=IncidentOut, summary="Move an incident to another status"
)
def incident_transition(request: HttpRequest, key: str, payload: StatusChange) -> Any:
    actor = actor_of(request)
    obj = services.incident_transition(
        actor, _scoped(request, Incident, key), payload.status, note=payload.note
    )
    return filter_incidents(Incident.objects.for_actor(actor), {}).get(pk=obj.pk)


@incidents_router.post(
    "/{key}/timeline", response={201: TimelineEntryOut}, summary="Add an entry to an incident's timeline"
)
def incident_timeline(request: HttpRequest, key: str, payload: TimelineEntryIn) -> Any:
    event = services.add_timeline_entry(
        actor_of(request),
        _scoped(request, Incident, key),
        text=payload.text,
        kind=payload.kind,
        at=payload.at,
    )
    return Status(201, event)


@incidents_router.post(
    "/{key}/authority-report",
    response=IncidentOut,
    summary="Record that a serious incident was reported to the authority (Art. 73)",
)
def incident_authority_report(request: HttpRequest, key: str, payload: AuthorityReportIn) -> Any:
    actor = actor_of(request)
    obj = services.report_to_authority(
        actor, _scoped(request, Incident, key), reference=payload.reference, at=payload.at
    )
    return filter_incidents(Incident.objects.for_actor(actor), {}).get(pk=obj.pk)


@incidents_router.post(
    "/{key}/nonconformity", response={201: NonconformityOut}, summary="Raise a nonconformity from an incident"
)
def incident_nonconformity(request: HttpRequest, key: str) -> Any:
    return Status(201, services.incident_to_nonconformity(actor_of(request), _scoped(request, Incident, key)))


crud(
    incidents_router,
    Resource(
        model=Incident,
        name="incident",
        schema_in=IncidentIn,
        schema_patch=IncidentPatch,
        schema_out=IncidentOut,
        schema_list=IncidentList,
        filters=IncidentFilters,
        filter=filter_incidents,
        create=lambda actor, data: services.create_incident(
            actor, _drop_nones(data, keep=("ai_system_id", "owner_id"))
        ),
        update=services.update_incident,
    ),
)


# --- feedback --------------------------------------------------------------------------------------


class FeedbackFilters(Schema):
    status: Feedback.Status | None = None
    system: int | None = None
    page: int = 1
    page_size: int = 50


def filter_feedback(qs, params):  # type: ignore[no-untyped-def]
    p = _plain(params)
    if p.get("status"):
        qs = qs.filter(status=p["status"])
    if p.get("system"):
        qs = qs.filter(ai_system_id=p["system"])
    return qs


feedback_router = Router(tags=["feedback and concerns (A.3.3, A.8.3)"])


@feedback_router.post(
    "/{key}/triage", response=FeedbackOut, summary="Triage a report: in review, answered or dismissed"
)
def feedback_triage(request: HttpRequest, key: str, payload: StatusChange) -> Any:
    return services.triage_feedback(
        actor_of(request), _scoped(request, Feedback, key), payload.status, note=payload.note
    )


@feedback_router.post(
    "/{key}/incident", response={201: IncidentOut}, summary="Turn a report into an incident"
)
def feedback_incident(request: HttpRequest, key: str) -> Any:
    actor = actor_of(request)
    incident = services.feedback_to_incident(actor, _scoped(request, Feedback, key))
    return Status(201, filter_incidents(Incident.objects.for_actor(actor), {}).get(pk=incident.pk))


crud(
    feedback_router,
    Resource(
        model=Feedback,
        name="feedback report",
        schema_in=FeedbackIn,
        schema_patch=FeedbackPatch,
        schema_out=FeedbackOut,
        schema_list=FeedbackList,
        filters=FeedbackFilters,
        filter=filter_feedback,
        create=services.create_feedback,
    ),
)


# --- nonconformities and corrective actions ---------------------------------------------------------


class NCFilters(Schema):
    status: Nonconformity.Status | None = None
    source: Nonconformity.Source | None = None
    grade: Nonconformity.Grade | None = None
    open: bool | None = None
    page: int = 1
    page_size: int = 50


def filter_ncs(qs, params):  # type: ignore[no-untyped-def]
    p = _plain(params)
    for key in ("status", "source", "grade"):
        if p.get(key):
            qs = qs.filter(**{key: p[key]})
    if params.get("open") is not None:
        qs = (
            qs.filter(status__in=Nonconformity.OPEN)
            if params["open"]
            else qs.exclude(status__in=Nonconformity.OPEN)
        )
    return qs.prefetch_related("actions")


nonconformities_router = Router(tags=["nonconformities (10.2)"])


@nonconformities_router.post(
    "/{key}/transition", response=NonconformityOut, summary="Move a nonconformity to another status"
)
def nc_transition(request: HttpRequest, key: str, payload: StatusChange) -> Any:
    return services.nonconformity_transition(
        actor_of(request), _scoped(request, Nonconformity, key), payload.status
    )


@nonconformities_router.post(
    "/{key}/verify", response=NonconformityOut, summary="Record the effectiveness check (effective closes it)"
)
def nc_verify(request: HttpRequest, key: str, payload: EffectivenessIn) -> Any:
    return services.verify_effectiveness(
        actor_of(request),
        _scoped(request, Nonconformity, key),
        effective=payload.effective,
        note=payload.note,
    )


crud(
    nonconformities_router,
    Resource(
        model=Nonconformity,
        name="nonconformity",
        schema_in=NonconformityIn,
        schema_patch=NonconformityPatch,
        schema_out=NonconformityOut,
        schema_list=NonconformityList,
        filters=NCFilters,
        filter=filter_ncs,
        create=lambda actor, data: services.raise_nonconformity(actor, _drop_nones(data)),
    ),
)


class ActionFilters(Schema):
    status: CorrectiveAction.Status | None = None
    nonconformity: int | None = None
    overdue: bool | None = None
    page: int = 1
    page_size: int = 50


def filter_actions(qs, params):  # type: ignore[no-untyped-def]
    from django.utils import timezone

    p = _plain(params)
    if p.get("status"):
        qs = qs.filter(status=p["status"])
    if p.get("nonconformity"):
        qs = qs.filter(nonconformity_id=p["nonconformity"])
    if params.get("overdue"):
        qs = qs.filter(status__in=("planned", "in_progress"), due_date__lt=timezone.localdate())
    return qs


actions_router = Router(tags=["corrective actions (10.2)"])


@actions_router.post(
    "/{key}/transition",
    response=ActionOut,
    summary="Move a corrective action to another status (done needs the result)",
)
def action_transition(request: HttpRequest, key: str, payload: ActionTransition) -> Any:
    return services.action_transition(
        actor_of(request),
        _scoped(request, CorrectiveAction, key),
        payload.status.value,
        result=payload.result,
    )


crud(
    actions_router,
    Resource(
        model=CorrectiveAction,
        name="corrective action",
        schema_in=ActionIn,
        schema_patch=ActionPatch,
        schema_out=ActionOut,
        schema_list=ActionList,
        filters=ActionFilters,
        filter=filter_actions,
        create=services.create_action,
    ),
)


class SimpleFilters(Schema):
    status: str | None = None
    page: int = 1
    page_size: int = 50


def filter_status(qs, params):  # type: ignore[no-untyped-def]
    return qs.filter(status=params["status"]) if params.get("status") else qs


improvements_router = Router(tags=["continual improvement (10.1)"])
crud(
    improvements_router,
    Resource(
        model=Improvement,
        name="improvement",
        schema_in=ImprovementIn,
        schema_patch=ImprovementPatch,
        schema_out=ImprovementOut,
        schema_list=ImprovementList,
        filters=SimpleFilters,
        filter=filter_status,
    ),
)


# --- internal audit --------------------------------------------------------------------------------

programmes_router = Router(tags=["internal audit (9.2)"])


@programmes_router.post(
    "/{key}/approve", response=ProgrammeOut, summary="Approve an audit programme (top management)"
)
def programme_approve(request: HttpRequest, key: str) -> Any:
    return services.approve_programme(actor_of(request), _scoped(request, AuditProgramme, key))


@programmes_router.get(
    "/{key}/coverage",
    response=CoverageOut,
    summary="Clauses and applicable controls the programme covers, and those it misses",
)
def programme_coverage(request: HttpRequest, key: str) -> Any:
    return services.programme_coverage(_scoped(request, AuditProgramme, key), actor_of(request))


crud(
    programmes_router,
    Resource(
        model=AuditProgramme,
        name="audit programme",
        schema_in=ProgrammeIn,
        schema_patch=ProgrammePatch,
        schema_out=ProgrammeOut,
        schema_list=ProgrammeList,
        filters=SimpleFilters,
        filter=filter_status,
    ),
)


class AuditProgrammeFilters(Schema):
    status: Audit.Status | None = None
    programme: int | None = None
    page: int = 1
    page_size: int = 50


def filter_audits(qs, params):  # type: ignore[no-untyped-def]
    p = _plain(params)
    if p.get("status"):
        qs = qs.filter(status=p["status"])
    if p.get("programme"):
        qs = qs.filter(programme_id=p["programme"])
    return qs.prefetch_related("auditors", "findings")


audits_router = Router(tags=["internal audit (9.2)"])


@audits_router.post("/{key}/transition", response=AuditOut, summary="Move an audit to another status")
def audit_transition(request: HttpRequest, key: str, payload: StatusChange) -> Any:
    return services.audit_transition(actor_of(request), _scoped(request, Audit, key), payload.status)


@audits_router.get("/{key}/checklist", response=list[ChecklistItemOut], summary="The audit's checklist")
def audit_checklist(request: HttpRequest, key: str) -> Any:
    return list(_scoped(request, Audit, key).checklist.all())


@audits_router.patch(
    "/{key}/checklist/{item_id}", response=ChecklistItemOut, summary="Record a checklist result"
)
def audit_checklist_item(request: HttpRequest, key: str, item_id: int, payload: ChecklistItemPatch) -> Any:
    from django.shortcuts import get_object_or_404

    audit_obj = _scoped(request, Audit, key)
    item = get_object_or_404(ChecklistItem, pk=item_id, audit=audit_obj)
    return services.update_checklist_item(
        actor_of(request), item, result=payload.result.value, notes=payload.notes
    )


crud(
    audits_router,
    Resource(
        model=Audit,
        name="audit",
        schema_in=AuditIn,
        schema_patch=AuditPatch,
        schema_out=AuditOut,
        schema_list=AuditList,
        filters=AuditProgrammeFilters,
        filter=filter_audits,
        create=services.create_audit,
        update=services.update_audit,
    ),
)


class FindingFilters(Schema):
    audit: int | None = None
    kind: Finding.Kind | None = None
    page: int = 1
    page_size: int = 50


def filter_findings(qs, params):  # type: ignore[no-untyped-def]
    p = _plain(params)
    if p.get("audit"):
        qs = qs.filter(audit_id=p["audit"])
    if p.get("kind"):
        qs = qs.filter(kind=p["kind"])
    return qs


findings_router = Router(tags=["internal audit (9.2)"])
crud(
    findings_router,
    Resource(
        model=Finding,
        name="finding",
        schema_in=FindingIn,
        schema_patch=FindingPatch,
        schema_out=FindingOut,
        schema_list=FindingList,
        filters=FindingFilters,
        filter=filter_findings,
        create=services.create_finding,
    ),
)


# --- management review -----------------------------------------------------------------------------

reviews_router = Router(tags=["management review (9.3)"])


def _reviews(actor: Any) -> Any:
    return ManagementReview.objects.for_actor(actor).prefetch_related("attendees", "decisions")


@reviews_router.get(
    "/{key}/pack", response=dict, summary="The input pack (compiled now while planned; frozen once held)"
)
def review_pack(request: HttpRequest, key: str) -> Any:
    review = _scoped(request, ManagementReview, key)
    return (
        review.inputs
        if review.status != ManagementReview.Status.PLANNED
        else services.compile_pack(actor_of(request), review)
    )


@reviews_router.post(
    "/{key}/transition",
    response=ReviewOut,
    summary="Hold the meeting (freezes the pack) or close the minutes (top management)",
)
def review_transition(request: HttpRequest, key: str, payload: StatusChange) -> Any:
    actor = actor_of(request)
    obj = services.review_transition(actor, _scoped(request, ManagementReview, key), payload.status)
    return _reviews(actor).get(pk=obj.pk)


@reviews_router.post(
    "/{key}/decisions",
    response={201: DecisionOut},
    summary="Record a decision (with an owner or due date it becomes a task)",
)
def review_decision(request: HttpRequest, key: str, payload: DecisionIn) -> Any:
    d = services.add_decision(
        actor_of(request),
        _scoped(request, ManagementReview, key),
        text=payload.text,
        kind=payload.kind.value,
        owner_id=payload.owner_id,
        due_date=payload.due_date,
    )
    return Status(201, d)


crud(
    reviews_router,
    Resource(
        model=ManagementReview,
        name="management review",
        schema_in=ReviewIn,
        schema_patch=ReviewPatch,
        schema_out=ReviewOut,
        schema_list=ReviewList,
        filters=SimpleFilters,
        filter=filter_status,
        queryset=_reviews,
    ),
)


# --- KPIs and tasks --------------------------------------------------------------------------------

kpis_router = Router(tags=["KPIs (9.1)"])


@kpis_router.get(
    "/{key}/measurements", response=list[MeasurementOut], summary="A KPI's series of values, oldest first"
)
def kpi_measurements(request: HttpRequest, key: str) -> Any:
    actor = actor_of(request)
    kpi = get_scoped(actor, KPI.objects.for_actor(actor), key, slug_field="key")
    return list(kpi.measurements.order_by("at")[:1000])


@kpis_router.post(
    "/{key}/measurements",
    response={201: MeasurementOut},
    summary="Record a value of a KPI you measure yourself",
)
def kpi_measure(request: HttpRequest, key: str, payload: MeasurementIn) -> Any:
    from django.core.exceptions import ValidationError

    actor = actor_of(request)
    kpi = get_scoped(actor, KPI.objects.for_actor(actor), key, slug_field="key")
    if kpi.builtin:
        raise ValidationError(
            {"value": "AIMS computes this KPI itself; record values only for your own KPIs."}
        )
    return Status(
        201, services.record_measurement(actor, kpi, payload.value, at=payload.at, note=payload.note)
    )


class KPIFilters(Schema):
    category: KPI.Category | None = None
    page: int = 1
    page_size: int = 50


crud(
    kpis_router,
    Resource(
        model=KPI,
        name="KPI",
        schema_in=KPIIn,
        schema_patch=KPIPatch,
        schema_out=KPIOut,
        schema_list=KPIList,
        filters=KPIFilters,
        filter=lambda qs, p: qs.filter(category=p["category"].value) if p.get("category") else qs,
        slug_field="key",
    ),
)


class TaskFilters(Schema):
    mine: bool | None = Field(None, description="Only open tasks for me (assigned to me or to my role)")
    status: Task.Status | None = None
    kind: Task.Kind | None = None
    overdue: bool | None = None
    page: int = 1
    page_size: int = 50


tasks_router = Router(tags=["tasks and reminders (9.1)"])


def _tasks(actor: Any) -> Any:
    return Task.objects.for_actor(actor).select_related("assignee")


def filter_tasks(qs, params):  # type: ignore[no-untyped-def]
    from django.db.models import Q
    from django.utils import timezone

    p = _plain(params)
    if params.get("mine"):
        actor = params["_actor"]
        qs = qs.filter(
            Q(assignee=actor.user) | Q(assignee__isnull=True, assignee_role=actor.role), status="open"
        )
    if p.get("status"):
        qs = qs.filter(status=p["status"])
    if p.get("kind"):
        qs = qs.filter(kind=p["kind"])
    if params.get("overdue"):
        qs = qs.filter(status="open", due_date__lt=timezone.localdate())
    return qs


class _TaskResource(Resource):
    """The 'mine' filter needs the actor: pass it through the params."""

    def base_queryset(self, actor: Any) -> Any:
        qs = _tasks(actor)
        qs._aims_actor = actor  # type: ignore[attr-defined]
        return qs


@tasks_router.post(
    "/{key}/complete", response=TaskOut, summary="Mark a task done (status=done), cancelled or open again"
)
def task_complete(request: HttpRequest, key: str, payload: StatusChange) -> Any:
    actor = actor_of(request)
    task = services.complete_task(actor, _scoped(request, Task, key), status=payload.status)
    return _tasks(actor).get(pk=task.pk)


crud(
    tasks_router,
    _TaskResource(
        model=Task,
        name="task",
        schema_in=TaskIn,
        schema_patch=TaskPatch,
        schema_out=TaskOut,
        schema_list=TaskList,
        filters=TaskFilters,
        filter=lambda qs, p: filter_tasks(qs, {**p, "_actor": getattr(qs, "_aims_actor", None)}),
    ),
)


# Evidence files (multipart upload, list); download and removal at /attachments/{id}.
attachment_routes(incidents_router, "incident", lambda request, key: _scoped(request, Incident, key))
attachment_routes(
    nonconformities_router, "nonconformity", lambda request, key: _scoped(request, Nonconformity, key)
)
attachment_routes(findings_router, "finding", lambda request, key: _scoped(request, Finding, key))

# Mounted under /api/v1/ by aims/urls.py.
ROUTERS = [
    ("/incidents", incidents_router),
    ("/feedback", feedback_router),
    ("/nonconformities", nonconformities_router),
    ("/corrective-actions", actions_router),
    ("/improvements", improvements_router),
    ("/audit-programmes", programmes_router),
    ("/audits", audits_router),
    ("/findings", findings_router),
    ("/management-reviews", reviews_router),
    ("/kpis", kpis_router),
    ("/tasks", tasks_router),
]
