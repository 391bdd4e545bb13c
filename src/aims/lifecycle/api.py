"""REST resources of the lifecycle area: /lifecycle, /gates (+ /gates/criteria, /gates/evidence,
/gates/reviews, /gates/exceptions), /datasets, /models, /evaluations, /vendors, /deployments.

Custom routes of a router are declared before `crud()` adds its `/{key}` routes."""

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, File, Form, Query, Router, Status
from ninja.files import UploadedFile

from aims.core.api_crud import Resource, crud
from aims.core.api_helpers import actor_of, get_scoped, paginate
from aims.core.schema import Schema
from aims.inventory.models import AISystem

from . import gates, services
from .models import (
    Dataset,
    DatasetVersion,
    Deployment,
    DeploymentEvent,
    Evaluation,
    GateCriterion,
    GateEvidence,
    GateException,
    GateReview,
    ModelVersion,
    SlaBreach,
    StageProcedure,
    Vendor,
)
from .schemas import (
    AccessIn,
    AgreementIn,
    AutomaticCheckOut,
    BreachIn,
    BreachOut,
    CriterionIn,
    CriterionList,
    CriterionOut,
    CriterionPatch,
    DatasetIn,
    DatasetList,
    DatasetOut,
    DatasetPatch,
    DatasetVersionIn,
    DatasetVersionOut,
    DatasetVersionPatch,
    DeploymentIn,
    DeploymentList,
    DeploymentOut,
    DeploymentPatch,
    EvaluationIn,
    EvaluationList,
    EvaluationOut,
    EvaluationPatch,
    EventIn,
    EventLogBatchIn,
    EventLogList,
    EventLogReceipt,
    EventOut,
    EvidenceList,
    ExceptionIn,
    ExceptionOut,
    GateCheckOut,
    GateEvidenceIn,
    GateEvidenceOut,
    GateReviewList,
    GateReviewOut,
    ModelIn,
    ModelList,
    ModelOut,
    ModelPatch,
    MoveIn,
    QuestionOut,
    SampleIn,
    StageOut,
    StageProcedureHistoryOut,
    StageProcedureIn,
    StageProcedureOut,
    VendorIn,
    VendorList,
    VendorOut,
    VendorPatch,
)


def _params(p: dict[str, Any]) -> dict[str, Any]:
    return {k: getattr(v, "value", v) for k, v in p.items() if v not in (None, "")}


def _system(request: HttpRequest, key: str) -> AISystem:
    actor = actor_of(request)
    return get_scoped(actor, AISystem.objects.for_actor(actor), key, slug_field="slug")


def _system_filter(qs: Any, params: dict[str, Any], field: str = "ai_system") -> Any:
    system = params.get("ai_system")
    if system:
        qs = (
            qs.filter(**{f"{field}_id": int(system)})
            if str(system).isdigit()
            else qs.filter(**{f"{field}__slug": system})
        )
    return qs


def gate_check_out(result: services.GateResult) -> dict[str, Any]:
    return {
        "ai_system": result.system.slug,
        "stage": result.stage,
        "next_stage": result.to_stage,
        "final": result.final,
        "all_met": result.all_met,
        "holds": result.holds,
        "results": [r.as_dict() for r in result.results],
        "exception": result.exception,
    }


# --- /lifecycle -----------------------------------------------------------------------------------

lifecycle_router = Router(tags=["lifecycle (clause 8.1)"])


@lifecycle_router.get(
    "", response=list[StageOut], summary="The stages, in order, with the AI systems in each"
)
def stages(request: HttpRequest) -> Any:
    actor = actor_of(request)
    actor.require("gate_review", "view")
    return [
        {
            "stage": col["stage"],
            "label": col["label"],
            "next_stage": col["next"],
            "systems": [
                {
                    "id": i["system"].pk,
                    "slug": i["system"].slug,
                    "name": i["system"].name,
                    "last_review": i["review"].outcome if i["review"] else None,
                    "exception_expired": i["exception_expired"],
                }
                for i in col["items"]
            ],
        }
        for col in services.board(actor)
    ]


# --- /gates ---------------------------------------------------------------------------------------

gates_router = Router(tags=["gates (clause 8.1)"])


@gates_router.get(
    "/checks", response=list[AutomaticCheckOut], summary="The automatic conditions AIMS can check"
)
def list_checks(request: HttpRequest) -> Any:
    actor_of(request).require("gate_criterion", "view")
    return [
        {"key": c.key, "title": str(c.title), "description": str(c.description)}
        for c in gates.CHECKS.values()
    ]


@gates_router.get(
    "/systems/{key}", response=GateCheckOut, summary="Judge a system's next gate, criterion by criterion"
)
def check_gate(request: HttpRequest, key: str) -> Any:
    return gate_check_out(services.evaluate(actor_of(request), _system(request, key)))


@gates_router.post(
    "/systems/{key}/move",
    response={200: GateReviewOut, 409: GateReviewOut},
    summary="Run the gate and move the system to its next stage when it holds (409 with the review when held back)",
)
def move_system(request: HttpRequest, key: str, payload: MoveIn) -> Any:
    actor = actor_of(request)
    system = _system(request, key)
    review = services.move(
        actor, system, note=payload.note, exception=payload.exception.dict() if payload.exception else None
    )
    return Status(200 if review.moved else 409, review)


@gates_router.post(
    "/systems/{key}/exceptions",
    response={201: ExceptionOut},
    summary="Record an exception to the system's next gate",
)
def add_exception(request: HttpRequest, key: str, payload: ExceptionIn) -> Any:
    actor = actor_of(request)
    exc = services.record_exception(
        actor, _system(request, key), justification=payload.justification, expires_on=payload.expires_on
    )
    return Status(201, exc)


@gates_router.get("/exceptions", response=list[ExceptionOut], summary="Gate exceptions, newest first")
def list_exceptions(request: HttpRequest, ai_system: str | None = None) -> Any:
    actor = actor_of(request)
    qs = GateException.objects.for_actor(actor).select_related("approved_by")
    return _system_filter(qs, {"ai_system": ai_system})


@gates_router.post("/exceptions/{pk}/revoke", response=ExceptionOut, summary="Revoke a gate exception")
def revoke_exception(request: HttpRequest, pk: int) -> Any:
    actor = actor_of(request)
    exc = get_object_or_404(GateException.objects.for_actor(actor), pk=pk)
    return services.revoke_exception(actor, exc)


@gates_router.get(
    "/procedures",
    response=list[StageProcedureOut],
    summary="The documented procedure of each stage, the version in force",
)
def list_procedures(request: HttpRequest, stage: AISystem.Stage | None = None) -> Any:
    actor = actor_of(request)
    actor.require("gate_criterion", "view")
    services.ensure_procedures(actor.organization, source=actor.source)
    return services.current_procedures(actor.organization, getattr(stage, "value", stage))


def _procedure_versions(request: HttpRequest, stage: str, key: str) -> list[StageProcedure]:
    actor = actor_of(request)
    actor.require("gate_criterion", "view")
    services.ensure_procedures(actor.organization, source=actor.source)
    versions = services.procedure_versions(actor.organization, stage, key)
    if not versions:
        raise Http404
    return versions


@gates_router.get(
    "/procedures/{stage}/{key}",
    response=StageProcedureHistoryOut,
    summary="A stage procedure: the version in force and the list of every version",
)
def read_procedure(request: HttpRequest, stage: str, key: str) -> Any:
    versions = _procedure_versions(request, stage, key)
    return {"current": versions[0], "versions": versions}


@gates_router.get(
    "/procedures/{stage}/{key}/versions/{number}",
    response=StageProcedureOut,
    summary="One version of a stage procedure (earlier versions stay readable)",
)
def read_procedure_version(request: HttpRequest, stage: str, key: str, number: int) -> Any:
    found = [p for p in _procedure_versions(request, stage, key) if p.number == number]
    if not found:
        raise Http404
    return found[0]


@gates_router.post(
    "/procedures/{stage}/{key}",
    response={201: StageProcedureOut},
    summary="Add the next version of a stage procedure (or the first version of a new one)",
)
def revise_procedure(request: HttpRequest, stage: str, key: str, payload: StageProcedureIn) -> Any:
    data = payload.dict(exclude={"based_on"}, exclude_none=True)
    return Status(
        201, services.revise_procedure(actor_of(request), stage, key, data, based_on=payload.based_on)
    )


class ReviewFilters(Schema):
    ai_system: str | None = None
    outcome: GateReview.Outcome | None = None
    page: int = 1
    page_size: int = 50


@gates_router.get("/reviews", response=GateReviewList, summary="Gate reviews, newest first")
def list_reviews(request: HttpRequest, filters: Query[ReviewFilters]) -> Any:
    actor = actor_of(request)
    params = _params(filters.dict())
    qs = _system_filter(GateReview.objects.for_actor(actor).select_related("ai_system", "created_by"), params)
    if params.get("outcome"):
        qs = qs.filter(outcome=params["outcome"])
    items, page = paginate(qs, params.get("page", 1), params.get("page_size", 50))
    return {"items": items, **page}


@gates_router.get("/reviews/{pk}", response=GateReviewOut, summary="Read a gate review")
def read_review(request: HttpRequest, pk: int) -> Any:
    actor = actor_of(request)
    return get_object_or_404(
        GateReview.objects.for_actor(actor).select_related("ai_system", "created_by"), pk=pk
    )


@gates_router.get("/reviews/{pk}/pdf", summary="A gate review as PDF", response={200: None})
def review_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    from .views import review_pdf_response

    actor = actor_of(request)
    actor.require("gate_review", "export")
    review = get_object_or_404(
        GateReview.objects.for_actor(actor).select_related("ai_system", "created_by", "exception"), pk=pk
    )
    return review_pdf_response(actor, review)


class CriterionFilters(Schema):
    stage: AISystem.Stage | None = None
    kind: GateCriterion.Kind | None = None
    page: int = 1
    page_size: int = 100


def _criteria_queryset(actor: Any) -> Any:
    services.ensure_criteria(actor.organization, source=actor.source)
    return GateCriterion.objects.for_actor(actor)


def _filter_criteria(qs: Any, params: dict[str, Any]) -> Any:
    params = _params(params)
    for key in ("stage", "kind"):
        if params.get(key):
            qs = qs.filter(**{key: params[key]})
    return qs.order_by("stage", "order", "pk")


criteria_router = Router(tags=["gates (clause 8.1)"])
crud(
    criteria_router,
    Resource(
        model=GateCriterion,
        name="gate criterion",
        schema_in=CriterionIn,
        schema_patch=CriterionPatch,
        schema_out=CriterionOut,
        schema_list=CriterionList,
        filters=CriterionFilters,
        filter=_filter_criteria,
        queryset=_criteria_queryset,
        create=services.create_criterion,
    ),
)


class EvidenceFilters(Schema):
    ai_system: str | None = None
    criterion_id: int | None = None
    page: int = 1
    page_size: int = 50


evidence_router = Router(tags=["gates (clause 8.1)"])


@evidence_router.get("", response=EvidenceList, summary="Evidence attached to checklist criteria")
def list_evidence(request: HttpRequest, filters: Query[EvidenceFilters]) -> Any:
    actor = actor_of(request)
    params = _params(filters.dict())
    qs = _system_filter(GateEvidence.objects.for_actor(actor), params)
    if params.get("criterion_id"):
        qs = qs.filter(criterion_id=params["criterion_id"])
    items, page = paginate(qs, params.get("page", 1), params.get("page_size", 50))
    return {"items": items, **page}


def _criterion(actor: Any, pk: int) -> GateCriterion:
    from django.core.exceptions import ValidationError

    found = GateCriterion.objects.filter(organization=actor.organization, pk=pk).first()
    if found is None:
        raise ValidationError({"criterion_id": "Not found in this organization."})
    return found


@evidence_router.post(
    "", response={201: GateEvidenceOut}, summary="Attach a link or an AIMS record to a checklist criterion"
)
def add_evidence(request: HttpRequest, payload: GateEvidenceIn) -> Any:
    actor = actor_of(request)
    actor.require("gate_evidence", "add")
    system = _system(request, payload.ai_system)
    data = payload.dict(exclude={"ai_system", "criterion_id"})
    data["kind"] = getattr(data["kind"], "value", data["kind"])
    return Status(201, services.add_evidence(actor, system, _criterion(actor, payload.criterion_id), data))


@evidence_router.post(
    "/upload",
    response={201: GateEvidenceOut},
    summary="Upload a file as evidence (multipart: ai_system, criterion_id, title, file)",
)
def upload_evidence(
    request: HttpRequest,
    ai_system: Form[str],
    criterion_id: Form[int],
    file: File[UploadedFile],
    title: Form[str] = "",
    note: Form[str] = "",
) -> Any:
    actor = actor_of(request)
    actor.require("gate_evidence", "add")
    system = _system(request, ai_system)
    data = {"title": title or file.name or "file", "note": note}
    return Status(
        201, services.add_evidence(actor, system, _criterion(actor, criterion_id), data, upload=file)
    )


@evidence_router.delete("/{pk}", response={204: None}, summary="Remove a piece of evidence")
def delete_evidence(request: HttpRequest, pk: int) -> Any:
    from aims.core import services as core

    actor = actor_of(request)
    ev = get_object_or_404(GateEvidence.objects.for_actor(actor), pk=pk)
    core.delete(actor, ev)
    return Status(204, None)


# --- /datasets ------------------------------------------------------------------------------------


class DatasetFilters(Schema):
    q: str | None = None
    ai_system: str | None = None
    personal_data: bool | None = None
    page: int = 1
    page_size: int = 50


def _filter_datasets(qs: Any, params: dict[str, Any]) -> Any:
    params = _params(params)
    if params.get("q"):
        qs = qs.filter(name__icontains=params["q"])
    if "personal_data" in params:
        qs = qs.filter(personal_data=params["personal_data"])
    if params.get("ai_system"):
        qs = _system_filter(qs, params, "ai_systems").distinct()
    return qs.prefetch_related("ai_systems", "versions__model_versions")


datasets_router = Router(tags=["datasets (A.4.3, A.7)"])


def _dataset(request: HttpRequest, key: str) -> Dataset:
    actor = actor_of(request)
    return get_scoped(actor, Dataset.objects.for_actor(actor), key, slug_field="slug")


@datasets_router.get(
    "/{key}/versions", response=list[DatasetVersionOut], summary="A dataset's versions, newest first"
)
def list_dataset_versions(request: HttpRequest, key: str) -> Any:
    return _dataset(request, key).versions.order_by("-created_at", "-pk")


@datasets_router.post(
    "/{key}/versions",
    response={201: DatasetVersionOut},
    summary="Add a version (with profile and reference population, representativeness is computed)",
)
def add_dataset_version(request: HttpRequest, key: str, payload: DatasetVersionIn) -> Any:
    return Status(
        201, services.create_dataset_version(actor_of(request), _dataset(request, key), payload.dict())
    )


def _dataset_version(request: HttpRequest, key: str, version: str) -> DatasetVersion:
    return get_object_or_404(_dataset(request, key).versions, label=version)


@datasets_router.patch(
    "/{key}/versions/{version}",
    response=DatasetVersionOut,
    summary="Change a version (profile, reference, tolerance...)",
)
def update_dataset_version(request: HttpRequest, key: str, version: str, payload: DatasetVersionPatch) -> Any:
    return services.update_dataset_version(
        actor_of(request), _dataset_version(request, key, version), payload.dict(exclude_unset=True)
    )


@datasets_router.post(
    "/{key}/versions/{version}/sample",
    response=DatasetVersionOut,
    summary="Profile a CSV sample's sensitive attributes (counts replace the version's profile)",
)
def profile_sample(request: HttpRequest, key: str, version: str, payload: SampleIn) -> Any:
    actor = actor_of(request)
    dv = _dataset_version(request, key, version)
    actor.require("dataset", "change")
    profile = services.profile_from_csv(payload.csv, payload.attributes)
    return services.update_dataset_version(actor, dv, {"profile": profile})


@datasets_router.post(
    "/{key}/agreement",
    response=DatasetOut,
    summary="Compute inter-annotator agreement (Cohen's kappa) from two label sets",
)
def label_agreement(request: HttpRequest, key: str, payload: AgreementIn) -> Any:
    return services.record_agreement(
        actor_of(request), _dataset(request, key), payload.labels_a, payload.labels_b
    )


crud(
    datasets_router,
    Resource(
        model=Dataset,
        name="dataset",
        schema_in=DatasetIn,
        schema_patch=DatasetPatch,
        schema_out=DatasetOut,
        schema_list=DatasetList,
        filters=DatasetFilters,
        filter=_filter_datasets,
        create=services.create_dataset,
        slug_field="slug",
    ),
)


# --- /models --------------------------------------------------------------------------------------


class ModelFilters(Schema):
    ai_system: str | None = None
    status: ModelVersion.Status | None = None
    page: int = 1
    page_size: int = 50


def _filter_models(qs: Any, params: dict[str, Any]) -> Any:
    params = _params(params)
    qs = _system_filter(qs, params)
    if params.get("status"):
        qs = qs.filter(status=params["status"])
    return qs.select_related("ai_system", "approved_by").prefetch_related("datasets")


models_router = Router(tags=["models and evaluations (A.6.2)"])


@models_router.post("/{pk}/approve", response=ModelOut, summary="Approve a draft model version")
def approve_model(request: HttpRequest, pk: int) -> Any:
    actor = actor_of(request)
    return services.approve_model(actor, get_object_or_404(ModelVersion.objects.for_actor(actor), pk=pk))


@models_router.get(
    "/{pk}/card", summary="The model card: ?format=md (default), html or pdf", response={200: None}
)
def model_card(request: HttpRequest, pk: int, format: str = "md") -> HttpResponse:
    from .views import model_card_response

    actor = actor_of(request)
    mv = get_object_or_404(
        ModelVersion.objects.for_actor(actor).select_related("ai_system", "vendor", "approved_by"), pk=pk
    )
    return model_card_response(request, actor, mv, format)


crud(
    models_router,
    Resource(
        model=ModelVersion,
        name="model version",
        schema_in=ModelIn,
        schema_patch=ModelPatch,
        schema_out=ModelOut,
        schema_list=ModelList,
        filters=ModelFilters,
        filter=_filter_models,
        create=services.create_model_version,
    ),
)


# --- /evaluations ---------------------------------------------------------------------------------


class EvaluationFilters(Schema):
    ai_system: str | None = None
    model_version_id: int | None = None
    kind: Evaluation.Kind | None = None
    passed: bool | None = None
    page: int = 1
    page_size: int = 50


def _filter_evaluations(qs: Any, params: dict[str, Any]) -> Any:
    params = _params(params)
    qs = _system_filter(qs, params, "model_version__ai_system")
    for key in ("model_version_id", "kind", "passed"):
        if key in params:
            qs = qs.filter(**{key: params[key]})
    return qs


evaluations_router = Router(tags=["models and evaluations (A.6.2)"])


@evaluations_router.post(
    "/upload",
    response={201: EvaluationOut},
    summary="Upload an evaluation as CSV (multipart: model_version_id, kind, title, file with columns metric, value, min, max)",
)
def upload_evaluation(
    request: HttpRequest,
    model_version_id: Form[int],
    file: File[UploadedFile],
    kind: Form[Evaluation.Kind] = Evaluation.Kind.TECHNICAL,
    title: Form[str] = "",
) -> Any:
    actor = actor_of(request)
    actor.require("evaluation", "add")
    mv = get_object_or_404(ModelVersion.objects.for_actor(actor), pk=model_version_id)
    data = {"kind": getattr(kind, "value", kind), "title": title}
    return Status(201, services.upload_evaluation(actor, mv, file, data))


crud(
    evaluations_router,
    Resource(
        model=Evaluation,
        name="evaluation",
        schema_in=EvaluationIn,
        schema_patch=EvaluationPatch,
        schema_out=EvaluationOut,
        schema_list=EvaluationList,
        filters=EvaluationFilters,
        filter=_filter_evaluations,
        create=services.create_evaluation,
        update=services.update_evaluation,
    ),
)


# --- /vendors -------------------------------------------------------------------------------------


class VendorFilters(Schema):
    q: str | None = None
    kind: Vendor.Kind | None = None
    ai_system: str | None = None
    page: int = 1
    page_size: int = 50


def _filter_vendors(qs: Any, params: dict[str, Any]) -> Any:
    params = _params(params)
    if params.get("q"):
        qs = qs.filter(name__icontains=params["q"])
    if params.get("kind"):
        qs = qs.filter(kind=params["kind"])
    if params.get("ai_system"):
        qs = _system_filter(qs, params, "ai_systems").distinct()
    return qs.prefetch_related("ai_systems")


vendors_router = Router(tags=["vendors (A.10)"])


@vendors_router.get("/-/questionnaire", response=list[QuestionOut], summary="The vendor risk questionnaire")
def questionnaire(request: HttpRequest) -> Any:
    actor_of(request).require("vendor", "view")
    return [{"key": q["key"], "weight": q["weight"], "text": str(q["text"])} for q in gates.QUESTIONNAIRE]


def _vendor(request: HttpRequest, key: str) -> Vendor:
    actor = actor_of(request)
    return get_scoped(actor, Vendor.objects.for_actor(actor), key, slug_field="slug")


@vendors_router.get("/{key}/breaches", response=list[BreachOut], summary="A vendor's recorded SLA breaches")
def list_breaches(request: HttpRequest, key: str) -> Any:
    return SlaBreach.objects.filter(vendor=_vendor(request, key))


@vendors_router.post("/{key}/breaches", response={201: BreachOut}, summary="Record an SLA breach")
def add_breach(request: HttpRequest, key: str, payload: BreachIn) -> Any:
    return Status(201, services.add_breach(actor_of(request), _vendor(request, key), payload.dict()))


crud(
    vendors_router,
    Resource(
        model=Vendor,
        name="vendor",
        schema_in=VendorIn,
        schema_patch=VendorPatch,
        schema_out=VendorOut,
        schema_list=VendorList,
        filters=VendorFilters,
        filter=_filter_vendors,
        create=services.create_vendor,
        slug_field="slug",
    ),
)


# --- /deployments ---------------------------------------------------------------------------------


class DeploymentFilters(Schema):
    ai_system: str | None = None
    environment: Deployment.Environment | None = None
    status: Deployment.Status | None = None
    page: int = 1
    page_size: int = 50


def _filter_deployments(qs: Any, params: dict[str, Any]) -> Any:
    params = _params(params)
    qs = _system_filter(qs, params)
    for key in ("environment", "status"):
        if params.get(key):
            qs = qs.filter(**{key: params[key]})
    return qs.select_related("ai_system", "approved_by").prefetch_related("production_access")


deployments_router = Router(tags=["deployments (A.6.2.5)"])


def _deployment(request: HttpRequest, pk: int) -> Deployment:
    actor = actor_of(request)
    return get_object_or_404(Deployment.objects.for_actor(actor).select_related("ai_system"), pk=pk)


@deployments_router.post("/{pk}/approve", response=DeploymentOut, summary="Approve the deployment plan")
def approve_deployment(request: HttpRequest, pk: int) -> Any:
    return services.approve_deployment(actor_of(request), _deployment(request, pk))


@deployments_router.post(
    "/{pk}/go-live",
    response=DeploymentOut,
    summary="Mark the deployment active (production: only after its gate)",
)
def go_live(request: HttpRequest, pk: int) -> Any:
    return services.go_live(actor_of(request), _deployment(request, pk))


@deployments_router.post(
    "/{pk}/access", response=DeploymentOut, summary="Grant or revoke production access (audited)"
)
def change_access(request: HttpRequest, pk: int, payload: AccessIn) -> Any:
    return services.change_access(
        actor_of(request), _deployment(request, pk), grant=payload.grant, revoke=payload.revoke
    )


@deployments_router.get(
    "/{pk}/events", response=list[EventOut], summary="Rollbacks, patches, maintenance and access changes"
)
def list_events(request: HttpRequest, pk: int) -> Any:
    return DeploymentEvent.objects.filter(deployment=_deployment(request, pk)).select_related("created_by")


class EventLogFilters(Schema):
    since: dt.datetime | None = Field(None, description="Events at or after this time.")
    until: dt.datetime | None = Field(None, description="Events before this time.")
    actor: str | None = Field(None, max_length=200, description="Exactly this actor.")
    action: str | None = Field(None, max_length=100, description="Exactly this action.")
    outcome: str | None = Field(None, max_length=40)
    subject: str | None = Field(None, max_length=200)
    page: int = 1
    page_size: int = 50


@deployments_router.post(
    "/{pk}/logs",
    response={201: EventLogReceipt},
    summary="Send the AI system's own event-log records (a batch of 1 to 1,000) for this deployment",
)
def receive_logs(request: HttpRequest, pk: int, payload: EventLogBatchIn) -> Any:
    records = [r.dict() for r in payload.records]
    return Status(201, services.receive_logs(actor_of(request), _deployment(request, pk), records))


@deployments_router.get(
    "/{pk}/logs",
    response=EventLogList,
    summary="The event-log records received for this deployment, newest first, with filters",
)
def list_logs(request: HttpRequest, pk: int, filters: Query[EventLogFilters]) -> Any:
    d = _deployment(request, pk)
    actor_of(request).require("event_log", "view")
    params = _params(filters.dict())
    items, page = paginate(
        services.filter_logs(d, params), params.get("page", 1), params.get("page_size", 50)
    )
    return {"items": items, **page}


@deployments_router.post(
    "/{pk}/events", response={201: EventOut}, summary="Record a rollback, a patch or maintenance"
)
def add_event(request: HttpRequest, pk: int, payload: EventIn) -> Any:
    data = {k: v for k, v in payload.dict().items() if v is not None}
    data["kind"] = getattr(data["kind"], "value", data["kind"])
    return Status(201, services.record_event(actor_of(request), _deployment(request, pk), data))


crud(
    deployments_router,
    Resource(
        model=Deployment,
        name="deployment",
        schema_in=DeploymentIn,
        schema_patch=DeploymentPatch,
        schema_out=DeploymentOut,
        schema_list=DeploymentList,
        filters=DeploymentFilters,
        filter=_filter_deployments,
        create=services.create_deployment,
        update=services.update_deployment,
    ),
)


# Mounted under /api/v1/ by aims/urls.py.
ROUTERS = [
    ("/lifecycle", lifecycle_router),
    ("/gates/criteria", criteria_router),
    ("/gates/evidence", evidence_router),
    ("/gates", gates_router),
    ("/datasets", datasets_router),
    ("/models", models_router),
    ("/evaluations", evaluations_router),
    ("/vendors", vendors_router),
    ("/deployments", deployments_router),
]
