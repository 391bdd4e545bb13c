"""REST resources of the risk area (clauses 6.1, 8.2-8.4): /risk-methodology, /risk-categories,
/risks, /risk-treatments, /risk-acceptances, /impact-assessments.

No `from __future__ import annotations`: django-ninja reads the handlers' annotations."""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Status

from aims.core.api_crud import Resource, crud
from aims.core.api_helpers import actor_of, expected_version, get_scoped, paginate, with_etag
from aims.core.schema import Schema

from . import exports, library, reports, services
from .models import (
    ImpactAssessment,
    RecomputeJob,
    Risk,
    RiskAcceptance,
    RiskCategory,
    RiskMethodology,
    RiskTreatment,
)
from .schemas import (
    AcceptanceIn,
    AcceptanceList,
    AcceptanceOut,
    ApprovePlanIn,
    AssessmentIn,
    AssessmentList,
    AssessmentOut,
    AssessmentPatch,
    CategoryIn,
    CategoryList,
    CategoryOut,
    CategoryPatch,
    DueOut,
    FromLibraryIn,
    HeatMapOut,
    MethodologyChanged,
    MethodologyIn,
    MethodologyOut,
    ReassessmentOut,
    RecomputeJobOut,
    RevokeIn,
    RiskIn,
    RiskLibraryEntry,
    RiskList,
    RiskOut,
    RiskPatch,
    RiskReviewIn,
    TreatmentIn,
    TreatmentList,
    TreatmentOut,
    TreatmentPatch,
)

# --- /risk-methodology ------------------------------------------------------------------------------

method_router = Router(tags=["risk methodology (clause 6.1.2)"])


@method_router.get(
    "", response=MethodologyOut, summary="The current risk method (a default 5 x 5 on first use)"
)
def read_method(request: HttpRequest, response: HttpResponse) -> Any:
    method = services.current_method(actor_of(request))
    with_etag(response, method)
    return method


@method_router.put(
    "",
    response=MethodologyChanged,
    summary="Change the method: saves a new version and recomputes every risk's levels in the background",
)
def change_method(request: HttpRequest, payload: MethodologyIn, response: HttpResponse) -> Any:
    actor = actor_of(request)
    current = services.current_method(actor)
    version = expected_version(request, current)
    data = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    method, job = services.change_method(actor, data, expected_version=version)
    with_etag(response, method)
    method.recomputation = job
    return method


@method_router.get(
    "/defaults/{size}", response=MethodologyIn, summary="The default method of a size (3, 4 or 5), not saved"
)
def method_defaults(request: HttpRequest, size: int) -> Any:
    actor_of(request).require("risk_methodology", "view")
    return services.method_defaults(size)


@method_router.get(
    "/versions", response=list[MethodologyOut], summary="Every version of the method, newest first"
)
def list_method_versions(request: HttpRequest) -> Any:
    actor = actor_of(request)
    services.current_method(actor)
    return RiskMethodology.objects.for_actor(actor).select_related("created_by")


@method_router.get("/versions/{number}", response=MethodologyOut, summary="One version of the method")
def read_method_version(request: HttpRequest, number: int) -> Any:
    found = RiskMethodology.objects.for_actor(actor_of(request)).filter(number=number).first()
    if found is None:
        raise Http404
    return found


@method_router.get(
    "/recomputations",
    response=list[RecomputeJobOut],
    summary="Level recomputations after method changes, newest first",
)
def list_recomputations(request: HttpRequest) -> Any:
    actor = actor_of(request)
    actor.require("risk_methodology", "view")
    return RecomputeJob.objects.filter(organization=actor.organization).select_related("methodology")[:50]


@method_router.get(
    "/recomputations/{job_id}", response=RecomputeJobOut, summary="Progress of one recomputation"
)
def read_recomputation(request: HttpRequest, job_id: int) -> Any:
    actor = actor_of(request)
    actor.require("risk_methodology", "view")
    job = (
        RecomputeJob.objects.filter(organization=actor.organization, pk=job_id)
        .select_related("methodology")
        .first()
    )
    if job is None:
        raise Http404
    return job


# --- /risk-categories -------------------------------------------------------------------------------


class CategoryFilters(Schema):
    q: str | None = None
    builtin: bool | None = None
    page: int = 1
    page_size: int = 100


def _filter_categories(qs: Any, params: dict[str, Any]) -> Any:
    if params.get("q"):
        qs = qs.filter(name__icontains=params["q"])
    if params.get("builtin") is not None:
        qs = qs.filter(builtin=params["builtin"])
    return qs


def _categories(actor: Any) -> Any:
    services.ensure_setup(actor.organization)
    return RiskCategory.objects.for_actor(actor)


category_router = Router(tags=["risk categories (Annex C)"])
crud(
    category_router,
    Resource(
        model=RiskCategory,
        name="risk category",
        schema_in=CategoryIn,
        schema_patch=CategoryPatch,
        schema_out=CategoryOut,
        schema_list=CategoryList,
        filters=CategoryFilters,
        filter=_filter_categories,
        queryset=_categories,
        create=services.create_category,
        update=services.update_category,
        delete=services.delete_category,
        slug_field="key",
    ),
)

# --- /risks -----------------------------------------------------------------------------------------


class RiskFilters(Schema):
    q: str | None = Field(
        None, description="Words to find in reference, title, description, causes, controls"
    )
    system: str | None = Field(None, description="AI system id or slug; 'none' for organization-wide risks")
    category: str | None = Field(None, description="Category key or id")
    level: str | None = Field(None, description="Current level key (residual when assessed, else inherent)")
    inherent_level: str | None = None
    residual_level: str | None = None
    owner: str | None = Field(None, description="Owner id or e-mail, 'me', or 'none'")
    status: Risk.Status | None = None
    treatment: str | None = None
    lifecycle_stage: str | None = None
    overdue: bool | None = Field(None, description="Only risks whose review is due or past")
    sort: str | None = Field(
        None,
        description="number, title, level, inherent, residual, next_review, status, updated; prefix - for descending",
    )
    page: int = 1
    page_size: int = 50


risk_router = Router(tags=["risk register (clauses 6.1.2, 8.2)"])


@risk_router.get(
    "/heatmap",
    response=HeatMapOut,
    summary="Inherent and residual heat maps (counts per cell), with the list's filters",
)
def risk_heatmap(request: HttpRequest, filters: Query[RiskFilters]) -> Any:
    actor = actor_of(request)
    qs = services.filter_risks(Risk.objects.for_actor(actor), filters.dict(), actor)
    data = services.heatmap(actor, qs)

    def flat(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            {
                "likelihood": c["likelihood"],
                "impact": c["impact"],
                "level": c["level"]["key"],
                "level_name": c["level"]["name"],
                "colour": c["level"]["colour"],
                "count": c["count"],
            }
            for row in rows
            for c in row["cells"]
        ]

    method = data["method"]
    return {
        "size": method.size,
        "likelihood_labels": [s["name"] for s in method.likelihood_scale],
        "impact_labels": data["impact_labels"],
        "inherent": flat(data["inherent"]),
        "residual": flat(data["residual"]),
    }


@risk_router.get(
    "/export",
    summary="The register (with the list's filters) as CSV, XLSX, JSON or PDF (with the heat maps)",
    response={200: None},
)
def export_risks(request: HttpRequest, filters: Query[RiskFilters], format: str = "csv") -> HttpResponse:
    actor = actor_of(request)
    actor.require("risk", "export")
    qs = services.filter_risks(services.register_queryset(actor), filters.dict(), actor)
    return exports.register_response(actor, qs, format)


@risk_router.get(
    "/heatmap/pdf",
    summary="The inherent and residual heat maps (with the list's filters) as a PDF",
    response={200: None},
)
def risk_heatmap_pdf(request: HttpRequest, filters: Query[RiskFilters]) -> HttpResponse:
    actor = actor_of(request)
    actor.require("risk", "export")
    qs = services.filter_risks(Risk.objects.for_actor(actor), filters.dict(), actor)
    return reports.response(reports.heatmap_pdf(actor, qs), reports.heatmap_filename())


@risk_router.get(
    "/treatment-plan/pdf",
    summary="The risk treatment plan for approval by designated management (clause 6.1.3), as a PDF",
    response={200: None},
)
def treatment_plan_pdf(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    return reports.response(reports.treatment_plan_pdf(actor), reports.treatment_plan_filename())


@risk_router.get(
    "/library", response=list[RiskLibraryEntry], summary="Typical AI risks to start a register from"
)
def risk_library(request: HttpRequest) -> Any:
    actor_of(request).require("risk", "view")
    return library.ENTRIES


@risk_router.post(
    "/from-library", response={201: list[RiskOut]}, summary="Add library risks to an AI system's register"
)
def risks_from_library(request: HttpRequest, payload: FromLibraryIn) -> Any:
    actor = actor_of(request)
    made = services.add_from_library(actor, ai_system=payload.ai_system, keys=payload.keys)
    return Status(201, list(services.register_queryset(actor).filter(pk__in=[r.pk for r in made])))


@risk_router.get(
    "/due", response=DueOut, summary="Risks and impact assessments due for review, overdue treatment actions"
)
def due(request: HttpRequest, mine: bool = False) -> Any:
    actor = actor_of(request)
    actor.require("risk", "view")
    found = services.due_reviews(actor, mine=mine)
    return {
        "risks": list(found["risks"][:500]),
        "overdue_actions": list(found["actions"][:500]),
        "assessments": list(found["assessments"][:500]),
    }


@risk_router.post(
    "/{key}/review", response=RiskOut, summary="Record a review that confirms the current values"
)
def review(request: HttpRequest, key: str, payload: RiskReviewIn, response: HttpResponse) -> Any:
    actor = actor_of(request)
    risk = _risk(actor, key)
    services.review_risk(actor, risk, note=payload.note, expected_version=expected_version(request, risk))
    risk = services.register_queryset(actor).get(pk=risk.pk)
    with_etag(response, risk)
    return risk


@risk_router.get(
    "/{key}/reassessments",
    response=list[ReassessmentOut],
    summary="Earlier assessments of a risk, newest first",
)
def reassessments(request: HttpRequest, key: str) -> Any:
    actor = actor_of(request)
    return _risk(actor, key).reassessments.select_related("assessed_by")


@risk_router.post(
    "/{key}/approve-treatment",
    response=RiskOut,
    summary="Approve the risk's treatment plan (designated management)",
)
def approve_treatment(request: HttpRequest, key: str, payload: ApprovePlanIn) -> Any:
    actor = actor_of(request)
    risk = services.approve_treatment_plan(actor, _risk(actor, key), note=payload.note)
    return services.register_queryset(actor).get(pk=risk.pk)


def _risk(actor: Any, key: str) -> Risk:
    # Risks are addressed by their number (R-0007 -> 7) or by id; both are digits, so ids win.
    return get_scoped(actor, services.register_queryset(actor), key, slug_field=None)


crud(
    risk_router,
    Resource(
        model=Risk,
        name="risk",
        schema_in=RiskIn,
        schema_patch=RiskPatch,
        schema_out=RiskOut,
        schema_list=RiskList,
        filters=RiskFilters,
        filter=services.filter_risks,
        queryset=services.register_queryset,
        create=services.create_risk,
        update=services.update_risk,
        delete=services.delete_risk,
        slug_field=None,
    ),
)


# --- /risk-treatments --------------------------------------------------------------------------------


class TreatmentFilters(Schema):
    risk: int | None = Field(None, description="Risk id")
    owner: str | None = Field(None, description="Owner id or e-mail, 'none'")
    status: RiskTreatment.Status | None = None
    overdue: bool | None = None
    page: int = 1
    page_size: int = 50


def _filter_treatments(qs: Any, params: dict[str, Any]) -> Any:
    from django.utils import timezone

    params = {k: getattr(v, "value", v) for k, v in params.items() if v not in (None, "")}
    if params.get("risk"):
        qs = qs.filter(risk_id=params["risk"])
    owner = params.get("owner")
    if owner == "none":
        qs = qs.filter(owner__isnull=True)
    elif owner:
        qs = qs.filter(owner_id=owner) if str(owner).isdigit() else qs.filter(owner__email__iexact=owner)
    if params.get("status"):
        qs = qs.filter(status=params["status"])
    if params.get("overdue"):
        qs = qs.filter(due_date__lt=timezone.localdate(), status__in=["planned", "in_progress"])
    return qs.order_by("due_date", "pk")


treatment_router = Router(tags=["risk treatment (clauses 6.1.3, 8.3)"])
crud(
    treatment_router,
    Resource(
        model=RiskTreatment,
        name="risk treatment action",
        schema_in=TreatmentIn,
        schema_patch=TreatmentPatch,
        schema_out=TreatmentOut,
        schema_list=TreatmentList,
        filters=TreatmentFilters,
        filter=_filter_treatments,
        queryset=lambda actor: RiskTreatment.objects.for_actor(actor).select_related("risk", "owner"),
        create=services.create_treatment,
        update=services.update_treatment,
        delete=services.delete_treatment,
        slug_field=None,
    ),
)

# --- /risk-acceptances -------------------------------------------------------------------------------

acceptance_router = Router(tags=["risk acceptance (clause 6.1.3)"])


class AcceptanceFilters(Schema):
    risk: int | None = None
    status: RiskAcceptance.Status | None = None
    page: int = 1
    page_size: int = 50


def _acceptances(actor: Any) -> Any:
    return RiskAcceptance.objects.for_actor(actor).select_related("risk", "accepted_by", "methodology")


@acceptance_router.get("", response=AcceptanceList, summary="Risk acceptances, newest first")
def list_acceptances(request: HttpRequest, filters: Query[AcceptanceFilters]) -> Any:
    actor = actor_of(request)
    qs = _acceptances(actor)
    if filters.risk:
        qs = qs.filter(risk_id=filters.risk)
    if filters.status:
        qs = qs.filter(status=filters.status)
    items, page = paginate(qs, filters.page, filters.page_size)
    return {"items": items, **page}


@acceptance_router.post(
    "",
    response={201: AcceptanceOut},
    summary="Accept a risk at its current level (above the appetite only the roles the method names)",
)
def create_acceptance(request: HttpRequest, payload: AcceptanceIn) -> Any:
    actor = actor_of(request)
    risk = Risk.objects.for_actor(actor).filter(pk=payload.risk_id).first()
    if risk is None:
        raise ValidationError({"risk_id": _("Not found in this organization.")})
    acceptance = services.accept_risk(
        actor, risk, justification=payload.justification, expires_on=payload.expires_on
    )
    return Status(201, _acceptances(actor).get(pk=acceptance.pk))


@acceptance_router.get("/{acceptance_id}", response=AcceptanceOut, summary="One risk acceptance")
def read_acceptance(request: HttpRequest, acceptance_id: int) -> Any:
    actor = actor_of(request)
    return get_scoped(actor, _acceptances(actor), str(acceptance_id), slug_field=None)


@acceptance_router.post(
    "/{acceptance_id}/revoke",
    response=AcceptanceOut,
    summary="Revoke an active acceptance (the risk becomes due for review)",
)
def revoke_acceptance(request: HttpRequest, acceptance_id: int, payload: RevokeIn) -> Any:
    actor = actor_of(request)
    acceptance = get_scoped(actor, _acceptances(actor), str(acceptance_id), slug_field=None)
    services.revoke_acceptance(actor, acceptance, reason=payload.reason)
    return _acceptances(actor).get(pk=acceptance.pk)


# --- /impact-assessments -----------------------------------------------------------------------------


class AssessmentFilters(Schema):
    system: str | None = Field(None, description="AI system id or slug")
    status: ImpactAssessment.Status | None = None
    q: str | None = None
    page: int = 1
    page_size: int = 50


assessment_router = Router(tags=["AI system impact assessments (clauses 6.1.4, 8.4, A.5)"])


def _assessment(actor: Any, key: int) -> ImpactAssessment:
    return get_scoped(actor, services.assessments_queryset(actor), str(key), slug_field=None)


@assessment_router.get(
    "/{key}/pdf",
    summary="The impact assessment report (EU AI Act FRIA, Art. 27; GDPR DPIA link) as a PDF",
    response={200: None},
)
def assessment_pdf(request: HttpRequest, key: int) -> HttpResponse:
    actor = actor_of(request)
    assessment = _assessment(actor, key)
    return reports.response(
        reports.assessment_pdf(actor, assessment), reports.assessment_filename(assessment)
    )


@assessment_router.post("/{key}/submit", response=AssessmentOut, summary="Submit a draft for approval")
def submit_assessment(request: HttpRequest, key: int) -> Any:
    actor = actor_of(request)
    services.submit_assessment(actor, _assessment(actor, key))
    return _assessment(actor, key)


@assessment_router.post(
    "/{key}/approve",
    response=AssessmentOut,
    summary="Approve (feeds significant impacts into the risk register)",
)
def approve_assessment(request: HttpRequest, key: int) -> Any:
    actor = actor_of(request)
    services.approve_assessment(actor, _assessment(actor, key))
    return _assessment(actor, key)


@assessment_router.post(
    "/{key}/return", response=AssessmentOut, summary="Send an assessment awaiting approval back to draft"
)
def return_assessment(request: HttpRequest, key: int) -> Any:
    actor = actor_of(request)
    services.return_assessment(actor, _assessment(actor, key))
    return _assessment(actor, key)


@assessment_router.post(
    "/{key}/new-version", response={201: AssessmentOut}, summary="Start a new draft version (reassessment)"
)
def new_assessment_version(request: HttpRequest, key: int) -> Any:
    actor = actor_of(request)
    new = services.new_assessment_version(actor, _assessment(actor, key))
    return Status(201, _assessment(actor, new.pk))


crud(
    assessment_router,
    Resource(
        model=ImpactAssessment,
        name="impact assessment",
        schema_in=AssessmentIn,
        schema_patch=AssessmentPatch,
        schema_out=AssessmentOut,
        schema_list=AssessmentList,
        filters=AssessmentFilters,
        filter=services.filter_assessments,
        queryset=services.assessments_queryset,
        create=services.create_assessment,
        update=services.update_assessment,
        delete=services.delete_assessment,
        slug_field=None,
    ),
)

# Mounted under /api/v1/ by aims/urls.py.
ROUTERS = [
    ("/risk-methodology", method_router),
    ("/risk-categories", category_router),
    ("/risks", risk_router),
    ("/risk-treatments", treatment_router),
    ("/risk-acceptances", acceptance_router),
    ("/impact-assessments", assessment_router),
]
