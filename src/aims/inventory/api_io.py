"""REST endpoints to export and import the AI system inventory (CSV, XLSX, JSON).

Mounted under /api/v1/ai-systems *before* the CRUD routes (otherwise GET /ai-systems/export would
be read as the system whose slug is "export"):

    GET  /api/v1/ai-systems/export?format=csv|xlsx|json&<the list's filters>
    POST /api/v1/ai-systems/import[?format=...&dry_run=true]   multipart field "file", or the raw
         file as the body with its Content-Type (text/csv, application/json, the XLSX type)

No `from __future__ import annotations` here: django-ninja reads the handlers' annotations.
"""

from typing import Any, Literal

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.http.request import RawPostDataException
from django.utils.http import content_disposition_header
from ninja import Field, Query, Router, Status

from aims.core.api_helpers import actor_of
from aims.core.schema import Schema

from . import io, services
from .models import AISystem

io_router = Router(tags=["AI systems (clause 4.1)"])

# Room for the multipart envelope around a file of the maximum size.
MULTIPART_OVERHEAD = 64 * 1024

_BODY_TYPES = {
    "text/csv": "csv",
    "text/tab-separated-values": "csv",
    "application/csv": "csv",
    "application/json": "json",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
}


class ExportFilters(Schema):
    format: Literal["csv", "xlsx", "json"] = Field("csv", description="File format")
    q: str | None = Field(
        None, description="Words to find in name, purpose, description, function, unit, tags"
    )
    type: AISystem.Type | None = None
    criticality: AISystem.Criticality | None = None
    stage: AISystem.Stage | None = None
    tier: AISystem.RiskTier | None = None
    documentation: AISystem.DocumentationStatus | None = None
    owner: str | None = Field(None, description="Owner id or e-mail, or 'none' for systems without an owner")
    sort: str | None = Field(None, description="name, criticality, stage, updated; prefix - for descending")


class ImportRowError(Schema):
    row: int = Field(
        description="Row as a spreadsheet numbers it (header = 1); JSON: position in the list; 0: the file"
    )
    field: str = Field(description="The column at fault, or '' for the whole row or file")
    messages: list[str]


class ImportOut(Schema):
    dry_run: bool
    format: str
    rows: int
    created: int
    updated: int
    unchanged: int


class ImportErrorOut(Schema):
    detail: str
    errors: list[ImportRowError]


class Detail(Schema):
    detail: str


_FILE_RESPONSES = {
    200: {
        "description": "The inventory as a file (attachment)",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                "schema": {"type": "string", "format": "binary"}
            },
            "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
        },
    }
}


@io_router.get(
    "/export",
    response={200: None, 403: Detail, 422: Detail},
    summary="Export AI systems as CSV, XLSX or JSON (same filters as the list)",
    operation_id="export_ai_systems",
    openapi_extra={"responses": _FILE_RESPONSES},
)
def export_ai_systems(request: HttpRequest, filters: Query[ExportFilters]) -> HttpResponse:
    """One column per field; CSV and XLSX cells that a spreadsheet would run as a formula are
    prefixed with a single quote. The export is recorded in the audit trail."""
    actor = actor_of(request)
    params = {k: getattr(v, "value", v) for k, v in filters.dict().items() if v not in (None, "")}
    fmt = params.pop("format", "csv")
    qs = services.filter_systems(AISystem.objects.for_actor(actor, "export"), params)
    content, content_type, filename = io.export_systems(actor, qs, fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["Cache-Control"] = "no-store"
    return response


def _error_body(result: io.ImportResult) -> dict[str, Any]:
    grouped: dict[tuple[int, str], list[str]] = {}
    for error in result.errors:
        grouped.setdefault((error.row, error.field), []).append(error.message)
    return {
        "detail": "The file was not imported: nothing was written. Correct the rows listed and import it again.",
        "errors": [
            {"row": row, "field": field, "messages": messages} for (row, field), messages in grouped.items()
        ],
    }


def _too_large(limit: int) -> dict[str, Any]:
    message = f"The file is larger than the limit of {round(limit / 1_048_576, 1)} MB."
    return {"detail": message, "errors": [{"row": 0, "field": "", "messages": [message]}]}


@io_router.post(
    "/import",
    response={200: ImportOut, 403: Detail, 413: ImportErrorOut, 422: ImportErrorOut},
    summary="Import AI systems from CSV, XLSX or JSON (all or nothing)",
    operation_id="import_ai_systems",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}},
                        "required": ["file"],
                    }
                },
                "text/csv": {"schema": {"type": "string"}},
                "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                    "schema": {"type": "string", "format": "binary"}
                },
            },
        }
    },
)
def import_ai_systems(
    request: HttpRequest,
    format: Literal["csv", "xlsx", "json"] | None = None,
    dry_run: bool = False,
) -> Status[Any]:
    """A row whose slug names an existing system updates it; any other row creates one. Every row
    is validated first; when any fails, nothing is written and the answer (422) lists each row's
    errors. `dry_run=true` validates without writing. Needs the add and change permissions."""
    actor = actor_of(request)
    actor.require("ai_system", "add")
    actor.require("ai_system", "change")
    limit = io.max_bytes()
    content_type = (request.content_type or "").lower()
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    multipart = content_type.startswith("multipart/")
    if declared > limit + (MULTIPART_OVERHEAD if multipart else 0):
        return Status(413, _too_large(limit))
    filename = ""
    if multipart:
        try:
            upload = request.FILES.get("file")
        except RequestDataTooBig:
            return Status(413, _too_large(limit))
        except (MultiPartParserError, SuspiciousOperation):
            message = "The multipart body cannot be read."
            return Status(
                422, {"detail": message, "errors": [{"row": 0, "field": "file", "messages": [message]}]}
            )
        if upload is None:
            message = "Send the file in a form field named 'file'."
            return Status(
                422, {"detail": message, "errors": [{"row": 0, "field": "file", "messages": [message]}]}
            )
        if upload.size is not None and upload.size > limit:
            return Status(413, _too_large(limit))
        data = upload.read()
        filename = upload.name or ""
        fmt = format or ""
    else:
        try:
            data = request.body
        except RawPostDataException:  # pragma: no cover - the body was already consumed as a form
            data = b""
        fmt = format or _BODY_TYPES.get(content_type, "")
    result = io.import_systems(actor, data, fmt, filename, dry_run=dry_run)
    if not result.ok:
        return Status(413 if result.too_large else 422, _error_body(result))
    return Status(
        200,
        {
            "dry_run": result.dry_run,
            "format": result.format,
            "rows": result.rows,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
        },
    )
