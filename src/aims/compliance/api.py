"""REST resources of the compliance area: /frameworks (catalogs and requirements, OSCAL), /crosswalks,
/controls, /soa, /classifications and /obligations (EU AI Act), /gap-assessments,
/compliance-status, /regulations and /catalog-changes."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Query, Router, Status

from aims.core.api_crud import Resource, crud
from aims.core.api_helpers import actor_of, expected_version, get_scoped, paginate, with_etag
from aims.core.schema import Schema

from . import classify as engine
from . import exports, oscal, readiness, services, status
from .library import LIBRARY
from .models import (
    CatalogChange,
    Classification,
    Control,
    Crosswalk,
    Evidence,
    Framework,
    GapAssessment,
    GapScore,
    Mapping,
    Obligation,
    Regulation,
    SoA,
    SoAEntry,
)
from .schemas import (
    ApproveIn,
    CatalogChangeOut,
    ClassificationIn,
    ClassificationList,
    ClassificationOut,
    ControlIn,
    ControlList,
    ControlOut,
    ControlPatch,
    CrosswalkOut,
    EvidenceIn,
    EvidenceOut,
    FrameworkDetail,
    FrameworkIn,
    FrameworkList,
    GapIn,
    GapList,
    GapOut,
    GapPatch,
    GapReportOut,
    GapScoreOut,
    GapScorePatch,
    LibraryIn,
    MappingList,
    MissingOut,
    ObligationList,
    ObligationOut,
    ObligationPatch,
    RegulationIn,
    RegulationList,
    RegulationOut,
    RegulationPatch,
    RequirementIn,
    RequirementList,
    RequirementOut,
    SoADetail,
    SoAEntryOut,
    SoAEntryPatch,
    SoAOut,
    StatusOut,
)


def _plain(params: dict[str, Any]) -> dict[str, Any]:
    return {k: getattr(v, "value", v) for k, v in params.items() if v not in (None, "")}


# --- /frameworks ------------------------------------------------------------------------------------

frameworks_router = Router(tags=["frameworks and requirements (catalogs)"])


class FrameworkFilters(Schema):
    q: str | None = Field(None, description="Words in the name or description")
    kind: Framework.Kind | None = None
    page: int = 1
    page_size: int = 50


class RequirementFilters(Schema):
    kind: str | None = Field(None, description="clause, subclause, control, article, subcategory, ...")
    assessable: bool | None = Field(None, description="Only entries a gap assessment or the SoA scores")
    parent: str | None = Field(None, description="Children of this ref_id")
    q: str | None = Field(None, description="Text in the number or title")
    page: int = 1
    page_size: int = 500


@frameworks_router.get(
    "",
    response=FrameworkList,
    summary="The catalogs that ship with AIMS and the organization's own frameworks",
)
def list_frameworks(request: HttpRequest, filters: Query[FrameworkFilters]) -> dict[str, Any]:
    actor = actor_of(request)
    params = _plain(filters.dict())
    qs = services.frameworks(actor).order_by("name", "pk")
    if params.get("q"):
        qs = qs.filter(name__icontains=params["q"]) | qs.filter(description__icontains=params["q"])
    if params.get("kind"):
        qs = qs.filter(kind=params["kind"])
    items, page = paginate(qs, filters.page, filters.page_size)
    return {"items": items, **page}


@frameworks_router.post(
    "",
    response={201: FrameworkDetail},
    summary="Add an organization's own framework (internal policy, sector rule)",
)
def create_framework(request: HttpRequest, payload: FrameworkIn) -> Status[Any]:
    actor = actor_of(request)
    fw = services.create_framework(actor, _plain(payload.dict()))
    return Status(201, services.get_framework(actor, fw.slug))


@frameworks_router.get(
    "/{slug}", response=FrameworkDetail, summary="One framework with its roles, tiers, dates and amendments"
)
def read_framework(request: HttpRequest, slug: str, response: HttpResponse) -> Any:
    fw = services.get_framework(actor_of(request), slug)
    response["ETag"] = fw.etag
    return fw


@frameworks_router.delete(
    "/{slug}", response={204: None}, summary="Delete one of the organization's own frameworks"
)
def delete_framework(request: HttpRequest, slug: str) -> Status[None]:
    actor = actor_of(request)
    services.delete_framework(actor, services.get_framework(actor, slug))
    return Status(204, None)


@frameworks_router.get(
    "/{slug}/requirements",
    response=RequirementList,
    summary="Every requirement of a framework in document order, with its number (ref_id), title and parent",
)
def list_requirements(request: HttpRequest, slug: str, filters: Query[RequirementFilters]) -> dict[str, Any]:
    fw = services.get_framework(actor_of(request), slug)
    params = filters.dict()
    qs = services.requirements(fw, {k: v for k, v in params.items() if k not in ("page", "page_size")})
    items, page = paginate(qs, filters.page, filters.page_size)
    return {"framework": fw.slug, "items": items, **page}


@frameworks_router.post(
    "/{slug}/requirements",
    response={201: RequirementOut},
    summary="Add a requirement to one of the organization's own frameworks",
)
def add_requirement(request: HttpRequest, slug: str, payload: RequirementIn) -> Status[Any]:
    actor = actor_of(request)
    req = services.add_requirement(actor, services.get_framework(actor, slug), payload.dict())
    return Status(201, req)


@frameworks_router.get(
    "/{slug}/requirements/{ref_id}", response=RequirementOut, summary="One requirement by its number"
)
def read_requirement(request: HttpRequest, slug: str, ref_id: str) -> Any:
    fw = services.get_framework(actor_of(request), slug)
    req = services.requirements(fw).filter(ref_id=ref_id).first()
    if req is None:
        raise Http404
    return req


@frameworks_router.get(
    "/{slug}/tree", response=list[dict[str, Any]], summary="The requirements as a nested tree"
)
def requirement_tree(request: HttpRequest, slug: str) -> Any:
    return services.tree(services.get_framework(actor_of(request), slug))


@frameworks_router.get(
    "/{slug}/oscal", response=dict[str, Any], summary="The framework as an OSCAL 1.1.2 catalog (JSON)"
)
def framework_oscal(request: HttpRequest, slug: str) -> Any:
    actor = actor_of(request)
    actor.require("framework", "export")
    return oscal.catalog(services.get_framework(actor, slug))


# --- /crosswalks ------------------------------------------------------------------------------------

crosswalks_router = Router(tags=["frameworks and requirements (catalogs)"])


@crosswalks_router.get(
    "", response=list[CrosswalkOut], summary="Crosswalks between catalogs (one control counts in both)"
)
def list_crosswalks(request: HttpRequest) -> Any:
    actor_of(request).require("framework", "view")
    return Crosswalk.objects.select_related("source", "target").annotate(mapping_count=Count("mappings"))


@crosswalks_router.get("/{slug}/mappings", response=MappingList, summary="The mappings of one crosswalk")
def list_mappings(request: HttpRequest, slug: str, page: int = 1, page_size: int = 500) -> dict[str, Any]:
    actor_of(request).require("framework", "view")
    cw = Crosswalk.objects.filter(slug=slug).first()
    if cw is None:
        raise Http404
    qs = (
        Mapping.objects.filter(crosswalk=cw)
        .select_related("source", "target")
        .order_by("source__order", "target__order")
    )
    items, meta = paginate(qs, page, page_size)
    return {"items": items, **meta}


# --- /controls --------------------------------------------------------------------------------------

controls_router = Router(tags=["controls"])


class ControlFilters(Schema):
    q: str | None = None
    status: Control.Status | None = None
    owner: int | None = None
    framework: str | None = Field(
        None, description="Controls linked to a requirement of this framework (slug)"
    )
    requirement: str | None = Field(None, description="Controls linked to this ref_id, e.g. A.6.2.4")
    ai_system: str | None = Field(None, description="Controls covering this AI system (slug)")
    page: int = 1
    page_size: int = 50


class ControlLibraryEntry(Schema):
    key: str
    name: str
    description: str
    requirements: dict[str, list[str]]


@controls_router.get(
    "/library", response=list[ControlLibraryEntry], summary="Typical AI controls to start the library from"
)
def control_library(request: HttpRequest) -> Any:
    actor_of(request).require("control", "view")
    return LIBRARY


@controls_router.post(
    "/from-library", response={201: list[ControlOut]}, summary="Create controls from the library"
)
def controls_from_library(request: HttpRequest, payload: LibraryIn) -> Status[Any]:
    actor = actor_of(request)
    made = services.add_from_library(actor, payload.keys, owner=payload.owner_id)
    return Status(201, list(services.controls_queryset(actor).filter(pk__in=[c.pk for c in made])))


crud(
    controls_router,
    Resource(
        model=Control,
        name="control",
        schema_in=ControlIn,
        schema_patch=ControlPatch,
        schema_out=ControlOut,
        schema_list=ControlList,
        filters=ControlFilters,
        filter=lambda qs, p: services.filter_controls(qs, p),
        queryset=services.controls_queryset,
        create=services.create_control,
        update=services.update_control,
        delete=services.delete_control,
        slug_field="ref",
    ),
)


@controls_router.get("/{key}/evidence", response=list[EvidenceOut], summary="Evidence of a control")
def list_evidence(request: HttpRequest, key: str) -> Any:
    actor = actor_of(request)
    control = get_scoped(actor, services.controls_queryset(actor), key, slug_field="ref")
    return Evidence.objects.filter(control=control)


@controls_router.post(
    "/{key}/evidence", response={201: EvidenceOut}, summary="Add a link as evidence of a control"
)
def add_evidence(request: HttpRequest, key: str, payload: EvidenceIn) -> Status[Any]:
    actor = actor_of(request)
    control = get_scoped(actor, services.controls_queryset(actor), key, slug_field="ref")
    ev = services.add_evidence(
        actor, control, title=payload.title, url=payload.url, collected_on=payload.collected_on
    )
    return Status(201, ev)


# --- /soa -------------------------------------------------------------------------------------------

soa_router = Router(tags=["Statement of Applicability (6.1.3)"])


def _soa(actor: Any, number: str) -> SoA:
    qs = SoA.objects.for_actor(actor).select_related("framework", "approved_by")
    if number == "current":
        soa = qs.order_by("-number").first()
    elif number.isdigit():
        soa = qs.filter(number=int(number)).first()
    else:
        soa = None
    if soa is None:
        raise Http404
    return soa


@soa_router.get("", response=list[SoAOut], summary="Every version of the SoA, newest first")
def list_soa(request: HttpRequest) -> Any:
    return SoA.objects.for_actor(actor_of(request)).select_related("framework", "approved_by")


@soa_router.post(
    "/draft",
    response={201: SoADetail},
    summary="The draft to edit (a new version copied from the latest when it is approved)",
)
def start_draft(request: HttpRequest, response: HttpResponse) -> Status[Any]:
    actor = actor_of(request)
    soa = services.start_soa(actor)
    with_etag(response, soa)
    return Status(201, soa)


@soa_router.get(
    "/{number}",
    response=SoADetail,
    summary="One SoA version (number or 'current') with every Annex A control",
)
def read_soa(request: HttpRequest, number: str, response: HttpResponse) -> Any:
    soa = _soa(actor_of(request), number)
    with_etag(response, soa)
    return soa


@soa_router.patch(
    "/{number}/entries/{ref_id}",
    response=SoAEntryOut,
    summary="Decide and justify one control (If-Match: 412 when stale)",
)
def update_entry(
    request: HttpRequest, number: str, ref_id: str, payload: SoAEntryPatch, response: HttpResponse
) -> Any:
    actor = actor_of(request)
    soa = _soa(actor, number)
    entry = (
        SoAEntry.objects.for_actor(actor)
        .filter(soa=soa, requirement__ref_id=ref_id)
        .select_related("soa", "requirement")
        .first()
    )
    if entry is None:
        raise Http404
    version = expected_version(request, entry)
    data = {k: getattr(v, "value", v) for k, v in payload.dict(exclude_unset=True).items()}
    entry = services.update_entry(actor, entry, data, expected_version=version)
    entry = services.soa_entries(soa).get(pk=entry.pk)
    with_etag(response, entry)
    return entry


@soa_router.post("/{number}/approve", response=SoAOut, summary="Approve a complete draft (top management)")
def approve(request: HttpRequest, number: str, payload: ApproveIn) -> Any:
    actor = actor_of(request)
    return services.approve_soa(actor, _soa(actor, number), note=payload.note)


@soa_router.get(
    "/{number}/missing",
    response=MissingOut,
    summary="What is missing: undecided, unjustified, unimplemented, unevidenced, risks",
)
def missing(request: HttpRequest, number: str) -> Any:
    actor = actor_of(request)
    m = services.soa_missing(actor, _soa(actor, number))
    refs = {k: [r.ref_id for r in v] for k, v in m.items() if k not in ("risks", "count")}
    return {
        **refs,
        "risks": [{"risk": x["risk"].ref, "title": x["risk"].title, "refs": x["refs"]} for x in m["risks"]],
        "count": m["count"],
    }


@soa_router.get(
    "/{number}/export", summary="Export the SoA: format=xlsx, pdf or oscal (JSON)", response={200: None}
)
def export_soa(request: HttpRequest, number: str, format: str = "xlsx") -> HttpResponse:
    actor = actor_of(request)
    actor.require("soa", "export")
    soa = _soa(actor, number)
    return soa_download(actor, soa, format)


def soa_download(actor: Any, soa: SoA, fmt: str) -> HttpResponse:
    from django.core.exceptions import ValidationError

    from aims.core import audit
    from aims.core.models import AuditEvent

    if fmt == "xlsx":
        body, ctype, ext = (
            exports.soa_xlsx(soa),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        )
    elif fmt == "pdf":
        body, ctype, ext = exports.soa_pdf(actor, soa), "application/pdf", "pdf"
    elif fmt in ("oscal", "json"):
        body, ctype, ext = exports.soa_oscal(soa), "application/json", "oscal.json"
    else:
        raise ValidationError({"format": "Choose xlsx, pdf or oscal."})
    audit.record(actor, AuditEvent.Action.EXPORT, obj=soa, changes={"format": [None, fmt]})
    response = HttpResponse(body, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="soa-v{soa.number}.{ext}"'
    return response


# --- /classifications and /obligations --------------------------------------------------------------

classifications_router = Router(tags=["EU AI Act classification"])


class ClassificationFilters(Schema):
    ai_system: str | None = Field(None, description="Slug of the AI system (all versions)")
    tier: Classification.Tier | None = None
    current: bool = Field(True, description="Only each system's current classification")
    page: int = 1
    page_size: int = 50


def _classifications(actor: Any) -> Any:
    return Classification.objects.for_actor(actor).select_related("ai_system", "created_by")


@classifications_router.get(
    "/questions",
    response=dict[str, Any],
    summary="The questionnaire: practices, Annex III points, conditions, triggers",
)
def questions(request: HttpRequest) -> Any:
    actor_of(request).require("classification", "view")
    from . import catalog_files as cf

    catalog = cf.load_catalog(engine.ACT_SLUG)
    return {
        "roles": list(engine.ROLES),
        "prohibited": {
            k: {"ref": v, "title": catalog.get(v).title} for k, v in engine.PROHIBITED.items() if v in catalog
        },
        "annex_iii": {k: {"ref": ref, "title": title} for k, ref, title in engine.annex_iii_points(catalog)},
        "derogation": {k: {"ref": v, "title": catalog.get(v).title} for k, v in engine.DEROGATION.items()},
        "transparency": {
            k: {"ref": v[0], "title": catalog.get(v[0]).title} for k, v in engine.TRANSPARENCY.items()
        },
        "fields": engine.Answers().to_dict(),
    }


@classifications_router.get(
    "", response=ClassificationList, summary="Classifications of the organization's AI systems"
)
def list_classifications(request: HttpRequest, filters: Query[ClassificationFilters]) -> dict[str, Any]:
    actor = actor_of(request)
    qs = _classifications(actor)
    if filters.ai_system:
        qs = qs.filter(ai_system__slug=filters.ai_system)
    elif filters.current:
        qs = qs.filter(is_current=True)
    if filters.tier:
        qs = qs.filter(tier=getattr(filters.tier, "value", filters.tier))
    items, page = paginate(qs.order_by("ai_system__name", "-number"), filters.page, filters.page_size)
    return {"items": items, **page}


@classifications_router.post(
    "",
    response={201: ClassificationOut},
    summary="Classify an AI system: tier, reasoning, citations, obligations",
)
def create_classification(request: HttpRequest, payload: ClassificationIn) -> Status[Any]:
    actor = actor_of(request)
    from aims.inventory.models import AISystem

    system = get_scoped(actor, AISystem.objects.for_actor(actor), payload.ai_system, slug_field="slug")
    c = services.classify_system(actor, system, payload.answers, notes=payload.notes)
    return Status(201, _classifications(actor).get(pk=c.pk))


@classifications_router.get("/{key}", response=ClassificationOut, summary="One classification")
def read_classification(request: HttpRequest, key: int) -> Any:
    actor = actor_of(request)
    return get_scoped(actor, _classifications(actor), key, slug_field=None)


obligations_router = Router(tags=["EU AI Act classification"])


class ObligationFilters(Schema):
    ai_system: str | None = None
    status: Obligation.Status | None = None
    page: int = 1
    page_size: int = 100


def _obligations(actor: Any) -> Any:
    return Obligation.objects.for_actor(actor).select_related("ai_system", "requirement")


@obligations_router.get(
    "", response=ObligationList, summary="AI Act obligations per AI system, with the dates they apply from"
)
def list_obligations(request: HttpRequest, filters: Query[ObligationFilters]) -> dict[str, Any]:
    actor = actor_of(request)
    qs = _obligations(actor)
    if filters.ai_system:
        qs = qs.filter(ai_system__slug=filters.ai_system)
    if filters.status:
        qs = qs.filter(status=getattr(filters.status, "value", filters.status))
    items, page = paginate(qs, filters.page, filters.page_size)
    return {"items": items, **page}


@obligations_router.patch(
    "/{key}", response=ObligationOut, summary="Mark an obligation done (If-Match: 412 when stale)"
)
def update_obligation(
    request: HttpRequest, key: int, payload: ObligationPatch, response: HttpResponse
) -> Any:
    actor = actor_of(request)
    ob = get_scoped(actor, _obligations(actor), key, slug_field=None)
    version = expected_version(request, ob)
    data = {k: getattr(v, "value", v) for k, v in payload.dict(exclude_unset=True).items()}
    if "note" in data and data["note"] is None:
        data["note"] = ""
    if "status" in data and data["status"] is None:
        del data["status"]
    services.update_obligation(actor, ob, data, expected_version=version)
    ob = _obligations(actor).get(pk=ob.pk)
    with_etag(response, ob)
    return ob


# --- /gap-assessments -------------------------------------------------------------------------------

gap_router = Router(tags=["gap assessment"])


def _gaps(actor: Any) -> Any:
    return GapAssessment.objects.for_actor(actor).select_related("framework")


@gap_router.get("", response=GapList, summary="Gap assessments, newest first")
def list_gaps(request: HttpRequest, page: int = 1, page_size: int = 50) -> dict[str, Any]:
    actor = actor_of(request)
    trend = {row["assessment"].pk: row["average"] for row in services.gap_trend(actor)}
    items, meta = paginate(_gaps(actor), page, page_size)
    for a in items:
        a.average = trend.get(a.pk)
    return {"items": items, **meta}


@gap_router.get(
    "/trend", response=list[dict[str, Any]], summary="Average maturity of every assessment, oldest first"
)
def gap_trend(request: HttpRequest) -> Any:
    return [
        {
            "id": r["assessment"].pk,
            "title": r["assessment"].title,
            "date": r["date"].isoformat(),
            "average": r["average"],
            "scored": r["scored"],
        }
        for r in services.gap_trend(actor_of(request))
    ]


@gap_router.post(
    "", response={201: GapOut}, summary="Start a gap assessment (clauses and applicable Annex A controls)"
)
def create_gap(request: HttpRequest, payload: GapIn) -> Status[Any]:
    actor = actor_of(request)
    data = {k: v for k, v in payload.dict().items() if v is not None}
    return Status(201, services.create_gap_assessment(actor, data))


@gap_router.get(
    "/{key}", response=GapReportOut, summary="An assessment with its scores, averages and prioritised roadmap"
)
def read_gap(request: HttpRequest, key: int, response: HttpResponse) -> Any:
    actor = actor_of(request)
    a = get_scoped(actor, _gaps(actor), key, slug_field=None)
    with_etag(response, a)
    report = services.gap_report(a)
    a.average = report["average"]
    return {
        **report,
        "assessment": a,
        "roadmap": [
            {
                "ref_id": r["score"].requirement.ref_id,
                "title": r["score"].requirement.title,
                "maturity": r["score"].maturity,
                "gap": r["gap"],
                "mandatory_documented_information": r["mandatory"],
            }
            for r in report["roadmap"]
        ],
    }


@gap_router.patch("/{key}", response=GapOut, summary="Change an assessment (If-Match: 412 when stale)")
def update_gap(request: HttpRequest, key: int, payload: GapPatch, response: HttpResponse) -> Any:
    from aims.core import services as core

    actor = actor_of(request)
    a = get_scoped(actor, _gaps(actor), key, slug_field=None)
    data = {k: getattr(v, "value", v) for k, v in payload.dict(exclude_unset=True).items()}
    a = core.update(actor, a, data, expected_version=expected_version(request, a))
    with_etag(response, a)
    return a


@gap_router.patch("/{key}/scores/{ref_id}", response=GapScoreOut, summary="Score one clause or control (0-5)")
def update_score(
    request: HttpRequest, key: int, ref_id: str, payload: GapScorePatch, response: HttpResponse
) -> Any:
    actor = actor_of(request)
    a = get_scoped(actor, _gaps(actor), key, slug_field=None)
    item = (
        GapScore.objects.for_actor(actor)
        .filter(assessment=a, requirement__ref_id=ref_id)
        .select_related("assessment", "requirement")
        .first()
    )
    if item is None:
        raise Http404
    item = services.score(
        actor, item, payload.dict(exclude_unset=True), expected_version=expected_version(request, item)
    )
    with_etag(response, item)
    return item


# --- /compliance-status, /readiness ------------------------------------------------------------------

status_router = Router(tags=["compliance status"])


@status_router.get(
    "",
    response=list[StatusOut],
    summary="Compliance per framework, through the crosswalks, from controls and evidence",
)
def compliance_status(request: HttpRequest) -> Any:
    actor = actor_of(request)
    actor.require("control", "view")
    return [
        {
            **{k: v for k, v in row.items() if k != "framework"},
            "framework": row["framework"].slug,
            "name": row["framework"].name,
        }
        for row in status.summary(actor)
    ]


@status_router.get(
    "/readiness",
    response=dict[str, Any],
    summary="Certification readiness: mandatory documented information, SoA, nonconformities",
)
def readiness_json(request: HttpRequest) -> Any:
    actor = actor_of(request)
    actor.require("soa", "view")
    r = readiness.report(actor)
    return {
        "ready": r["ready"],
        "ready_items": r["ready_items"],
        "total_items": r["total_items"],
        "items": [
            {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in i.items()} for i in r["items"]
        ],
        "soa_status": str(r["soa_status"]),
        "open_nonconformities": [str(n) for n in r["nonconformities"]],
    }


# --- /regulations, /catalog-changes ------------------------------------------------------------------

regulations_router = Router(tags=["regulatory register"])


class RegulationFilters(Schema):
    q: str | None = None
    kind: Regulation.Kind | None = None
    page: int = 1
    page_size: int = 50


def _filter_regulations(qs: Any, p: dict[str, Any]) -> Any:
    p = _plain(p)
    if p.get("q"):
        qs = qs.filter(title__icontains=p["q"])
    if p.get("kind"):
        qs = qs.filter(kind=p["kind"])
    return qs.select_related("framework")


crud(
    regulations_router,
    Resource(
        model=Regulation,
        name="regulation",
        schema_in=RegulationIn,
        schema_patch=RegulationPatch,
        schema_out=RegulationOut,
        schema_list=RegulationList,
        filters=RegulationFilters,
        filter=_filter_regulations,
    ),
)

changes_router = Router(tags=["regulatory register"])


@changes_router.get(
    "",
    response=list[CatalogChangeOut],
    summary="What changed in catalogs loaded since (new versions, amendments, dates)",
)
def list_changes(request: HttpRequest) -> Any:
    actor = actor_of(request)
    visible = Framework.objects.visible_to(actor)
    return CatalogChange.objects.filter(framework__in=visible).select_related("framework")[:200]


ROUTERS = [
    ("/frameworks", frameworks_router),
    ("/crosswalks", crosswalks_router),
    ("/controls", controls_router),
    ("/soa", soa_router),
    ("/classifications", classifications_router),
    ("/obligations", obligations_router),
    ("/gap-assessments", gap_router),
    ("/compliance-status", status_router),
    ("/regulations", regulations_router),
    ("/catalog-changes", changes_router),
]
