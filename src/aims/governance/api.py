"""REST resources for clauses 5, 6.2 and 7: /documents, /raci, /objectives, /competences, /trainings,
/communications, /resources."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, File, Form, Router, Status
from ninja.files import UploadedFile

from aims.core.api_crud import Resource, crud
from aims.core.api_helpers import actor_of, get_scoped
from aims.core.roles import Role
from aims.core.schema import Schema

from . import attachments, services
from .models import (
    PROCESSES,
    Attachment,
    Communication,
    Competence,
    Document,
    DocumentVersion,
    Objective,
    ResourceAllocation,
    Responsibility,
    TrainingRecord,
)
from .schemas import (
    AckReport,
    CommunicationIn,
    CommunicationList,
    CommunicationOut,
    CommunicationPatch,
    CompetenceIn,
    CompetenceList,
    CompetenceOut,
    CompetencePatch,
    DocumentIn,
    DocumentList,
    DocumentOut,
    DocumentPatch,
    GapReport,
    ObjectiveIn,
    ObjectiveList,
    ObjectiveOut,
    ObjectivePatch,
    RaciCell,
    RaciOut,
    ResourceIn,
    ResourceList,
    ResourceOut,
    ResourcePatch,
    ResponsibilityOut,
    TrainingIn,
    TrainingList,
    TrainingOut,
    TrainingPatch,
    VersionIn,
    VersionOut,
    VersionPatch,
    VersionTransition,
)


def _plain(params: dict[str, Any]) -> dict[str, Any]:
    return {k: getattr(v, "value", v) for k, v in params.items() if v not in (None, "")}


# --- documents --------------------------------------------------------------------------------------


class DocumentFilters(Schema):
    q: str | None = Field(None, description="Words in the title")
    kind: Document.Kind | None = None
    published: bool | None = Field(
        None, description="Only documents with (true) or without (false) a published version"
    )
    page: int = 1
    page_size: int = 50


def filter_documents(qs, params):  # type: ignore[no-untyped-def]
    p = _plain(params)
    if p.get("q"):
        qs = qs.filter(title__icontains=p["q"])
    if p.get("kind"):
        qs = qs.filter(kind=p["kind"])
    if params.get("published") is not None:
        qs = qs.filter(published_version__isnull=not params["published"])
    return qs.select_related("published_version")


documents_router = Router(tags=["documents and AI policy (5.2, 7.5)"])


def _doc(request: HttpRequest, key: str) -> Document:
    actor = actor_of(request)
    return get_scoped(
        actor, Document.objects.for_actor(actor).select_related("published_version"), key, slug_field="slug"
    )


def _version(doc: Document, number: int) -> DocumentVersion:
    version = doc.versions.filter(number=number).first()
    if version is None:
        raise Http404
    return version


@documents_router.post(
    "/ai-policy-template",
    response={201: DocumentOut},
    summary="Create the AI policy from the AIMS template (a draft)",
)
def create_ai_policy(request: HttpRequest) -> Any:
    return Status(201, services.ai_policy_from_template(actor_of(request)))


@documents_router.get(
    "/{key}/versions", response=list[VersionOut], summary="Every version of a document, newest first"
)
def list_versions(request: HttpRequest, key: str) -> Any:
    return list(_doc(request, key).versions.select_related("author", "approved_by"))


@documents_router.post("/{key}/versions", response={201: VersionOut}, summary="Start a new draft version")
def add_version(request: HttpRequest, key: str, payload: VersionIn) -> Any:
    return Status(
        201,
        services.new_version(
            actor_of(request), _doc(request, key), content=payload.content, change_note=payload.change_note
        ),
    )


@documents_router.patch("/{key}/versions/{number}", response=VersionOut, summary="Edit a draft version")
def edit_version(request: HttpRequest, key: str, number: int, payload: VersionPatch) -> Any:
    return services.edit_version(
        actor_of(request),
        _version(_doc(request, key), number),
        content=payload.content,
        change_note=payload.change_note,
    )


@documents_router.post(
    "/{key}/versions/{number}/transition",
    response=VersionOut,
    summary="Submit, approve, publish, retire a version, or send it back to draft",
)
def transition_version(request: HttpRequest, key: str, number: int, payload: VersionTransition) -> Any:
    return services.version_transition(
        actor_of(request), _version(_doc(request, key), number), payload.status.value, comment=payload.comment
    )


@documents_router.post(
    "/{key}/acknowledge", response={201: dict}, summary="Confirm you have read the published version"
)
def acknowledge(request: HttpRequest, key: str) -> Any:
    ack = services.acknowledge(actor_of(request), _doc(request, key))
    return Status(201, {"version": ack.version.number, "acknowledged_at": ack.acknowledged_at.isoformat()})


@documents_router.get(
    "/{key}/acknowledgements",
    response=AckReport,
    summary="Who has and who has not acknowledged the published version",
)
def acknowledgements(request: HttpRequest, key: str) -> Any:
    actor = actor_of(request)
    if not actor.can("document", "approve"):  # approvers, or those who may export the member list
        actor.require("membership", "export")
    return services.acknowledgement_report(actor.organization, _doc(request, key))


crud(
    documents_router,
    Resource(
        model=Document,
        name="document",
        schema_in=DocumentIn,
        schema_patch=DocumentPatch,
        schema_out=DocumentOut,
        schema_list=DocumentList,
        filters=DocumentFilters,
        filter=filter_documents,
        create=services.create_document,
        slug_field="slug",
    ),
)


# --- RACI -------------------------------------------------------------------------------------------

raci_router = Router(tags=["roles and responsibilities (5.3)"])
RACI_ROLES = [r for r in Role.values if r not in (Role.EXTERNAL_AUDITOR, Role.ORG_ADMIN)]


@raci_router.get("", response=RaciOut, summary="The RACI: for each AIMS process, each role's part")
def get_raci(request: HttpRequest) -> Any:
    actor = actor_of(request)
    actor.require("raci", "view")
    default = not Responsibility.objects.filter(organization=actor.organization).exists()
    matrix = services.raci_for(actor.organization.pk)
    return {
        "default": default,
        "roles": RACI_ROLES,
        "processes": [
            {"process": p, "name": str(name), "cells": matrix.get(p, {})} for p, name in PROCESSES.items()
        ],
    }


@raci_router.put(
    "/cell", response={200: ResponsibilityOut, 204: None}, summary="Set one cell (an empty letter clears it)"
)
def set_cell(request: HttpRequest, payload: RaciCell) -> Any:
    cell = services.set_responsibility(
        actor_of(request),
        process=payload.process,
        role=payload.role.value,
        letter=payload.letter,
        note=payload.note,
    )
    return cell if cell is not None else Status(204, None)


@raci_router.post(
    "/defaults", response={201: dict}, summary="Adopt AIMS's default RACI as the organization's own"
)
def adopt_defaults(request: HttpRequest) -> Any:
    return Status(201, {"cells": services.load_default_raci(actor_of(request))})


# --- objectives, competence, training, communication, resources ------------------------------------


class Paging(Schema):
    page: int = 1
    page_size: int = 50


objectives_router = Router(tags=["AI objectives (6.2)"])
crud(
    objectives_router,
    Resource(
        model=Objective,
        name="AI objective",
        schema_in=ObjectiveIn,
        schema_patch=ObjectivePatch,
        schema_out=ObjectiveOut,
        schema_list=ObjectiveList,
        filters=Paging,
        filter=lambda qs, p: qs.select_related("kpi"),
    ),
)

competences_router = Router(tags=["competence and training (7.2)"])
crud(
    competences_router,
    Resource(
        model=Competence,
        name="competence requirement",
        schema_in=CompetenceIn,
        schema_patch=CompetencePatch,
        schema_out=CompetenceOut,
        schema_list=CompetenceList,
        filters=Paging,
        filter=lambda qs, p: qs,
    ),
)


class TrainingFilters(Schema):
    person: int | None = Field(None, description="User id")
    current: bool | None = None
    page: int = 1
    page_size: int = 50


def filter_trainings(qs, params):  # type: ignore[no-untyped-def]
    from django.db.models import Q
    from django.utils import timezone

    if params.get("person"):
        qs = qs.filter(person_id=params["person"])
    if params.get("current") is not None:
        live = Q(expires_on__isnull=True) | Q(expires_on__gte=timezone.localdate())
        qs = qs.filter(live) if params["current"] else qs.exclude(live)
    return qs.select_related("person")


trainings_router = Router(tags=["competence and training (7.2)"])


@trainings_router.get(
    "/gaps", response=GapReport, summary="Who lacks a required competence, and whose training expires soon"
)
def training_gaps(request: HttpRequest) -> Any:
    actor = actor_of(request)
    actor.require("training", "view")
    return services.competence_gaps(actor.organization)


crud(
    trainings_router,
    Resource(
        model=TrainingRecord,
        name="training record",
        schema_in=TrainingIn,
        schema_patch=TrainingPatch,
        schema_out=TrainingOut,
        schema_list=TrainingList,
        filters=TrainingFilters,
        filter=filter_trainings,
        create=services.create_training,
        update=services.update_training,
    ),
)

communications_router = Router(tags=["communication (7.4)"])


class CommunicationFilters(Schema):
    record: bool | None = Field(
        None, description="Only records of communications that took place (true) or plan lines (false)"
    )
    external: bool | None = None
    page: int = 1
    page_size: int = 50


def filter_communications(qs, params):  # type: ignore[no-untyped-def]
    if params.get("record") is not None:
        qs = qs.filter(occurred_on__isnull=not params["record"])
    if params.get("external") is not None:
        qs = qs.filter(external=params["external"])
    return qs


crud(
    communications_router,
    Resource(
        model=Communication,
        name="communication",
        schema_in=CommunicationIn,
        schema_patch=CommunicationPatch,
        schema_out=CommunicationOut,
        schema_list=CommunicationList,
        filters=CommunicationFilters,
        filter=filter_communications,
    ),
)

resources_router = Router(tags=["resources (7.1)"])
crud(
    resources_router,
    Resource(
        model=ResourceAllocation,
        name="resource allocation",
        schema_in=ResourceIn,
        schema_patch=ResourcePatch,
        schema_out=ResourceOut,
        schema_list=ResourceList,
        filters=Paging,
        filter=lambda qs, p: qs,
    ),
)


# --- attachments ------------------------------------------------------------------------------------


class AttachmentOut(Schema):
    id: int
    owner_type: str = Field(description="document, incident, nonconformity or finding")
    owner_id: int
    filename: str
    content_type: str = Field(description="Read from the file's content, not from the upload")
    size: int
    sha256: str
    description: str
    created_at: Any
    download: str = Field(description="Where to download the file (GET; an attachment, never shown inline)")

    @staticmethod
    def resolve_download(obj: Attachment) -> str:
        return f"/api/v1/attachments/{obj.pk}"


def attachment_routes(router: Router, owner_type: str, lookup: Callable[[HttpRequest, str], Any]) -> None:
    """`GET` and `POST /{key}/attachments` on an owner's router (multipart: file, description)."""

    @router.get(
        "/{key}/attachments",
        response=list[AttachmentOut],
        summary=f"Files attached to a {owner_type}",
        operation_id=f"list_{owner_type}_attachments",
    )
    def list_attachments(request: HttpRequest, key: str) -> Any:
        return list(attachments.for_owner(actor_of(request), lookup(request, key)))

    @router.post(
        "/{key}/attachments",
        response={201: AttachmentOut},
        summary=f"Attach a file to a {owner_type} (multipart: file, description)",
        operation_id=f"add_{owner_type}_attachment",
    )
    def add_attachment(
        request: HttpRequest, key: str, file: File[UploadedFile], description: Form[str] = ""
    ) -> Any:
        owner = lookup(request, key)
        return Status(201, attachments.attach(actor_of(request), owner, file, description=description))


attachment_routes(documents_router, "document", _doc)
attachments_router = Router(tags=["documents and AI policy (5.2, 7.5)"])


@attachments_router.get(
    "/{key}",
    response={200: None},
    summary="Download an attached file (Content-Disposition: attachment)",
    operation_id="download_attachment",
)
def download_attachment(request: HttpRequest, key: str) -> Any:
    return attachments.download_response(attachments.get_attachment(actor_of(request), key))


@attachments_router.delete(
    "/{key}", response={204: None}, summary="Remove an attached file", operation_id="delete_attachment"
)
def delete_attachment(request: HttpRequest, key: str) -> Any:
    actor = actor_of(request)
    attachments.remove(actor, attachments.get_attachment(actor, key))
    return Status(204, None)


# Mounted under /api/v1/ by aims/urls.py.
ROUTERS = [
    ("/documents", documents_router),
    ("/raci", raci_router),
    ("/objectives", objectives_router),
    ("/competences", competences_router),
    ("/trainings", trainings_router),
    ("/communications", communications_router),
    ("/resources", resources_router),
    ("/attachments", attachments_router),
]
