"""The REST API under /api/v1/: one NinjaAPI, error handlers, and the framework's own resources
(/me, /audit-events, /tokens). Each app adds its router in aims/urls.py."""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError, InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.functional import Promise
from ninja import Field, NinjaAPI, Query, Router, Status
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError

from aims.core.schema import Schema

from . import services
from .api_helpers import AUTH, Page, actor_of, paginate
from .errors import outage_response
from .exceptions import PreconditionFailed, error_dict
from .models import ApiToken, AuditEvent
from .openapi import document_error_responses

log = logging.getLogger(__name__)


def _force_text(node: object) -> object:
    """Lazy translations (help texts become descriptions) to plain strings, in place."""
    if isinstance(node, dict):
        for key, value in node.items():
            node[key] = _force_text(value)
    elif isinstance(node, list):
        node[:] = [_force_text(v) for v in node]
    elif isinstance(node, Promise):
        return str(node)
    return node


class AimsAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        # Model help texts are lazy translations; the OpenAPI document must be plain JSON for
        # every client (schemathesis, code generators), not only for Django's encoder.
        return document_error_responses(_force_text(super().get_openapi_schema(*args, **kwargs)))


api = AimsAPI(
    title="AIMS API",
    version="1",
    description=(
        "The REST API of AIMS, an AI management system for ISO/IEC 42001. Authenticate with "
        "`Authorization: Bearer <token>` (create one with `aims token create` or on your profile page). "
        "Every object belongs to the token's organization; another organization's object answers 404. "
        "Writes accept `If-Match` with the ETag from a read and answer 412 when the object changed since."
    ),
    auth=AUTH,
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = error_dict(exc)
    return api.create_response(
        request,
        {"detail": "Invalid input.", "errors": [{"field": k, "messages": v} for k, v in errors.items()]},
        status=422,
    )


@api.exception_handler(NinjaValidationError)
def on_schema_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = []
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "payload", "query", "path")]
        errors.append({"field": ".".join(loc) or "__all__", "messages": [err.get("msg", "invalid")]})
    return api.create_response(request, {"detail": "Invalid input.", "errors": errors}, status=422)


@api.exception_handler(PermissionDenied)
def on_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    actor = getattr(request, "auth", None)
    if actor is not None:
        services.record_denied(
            actor, request.resolver_match.url_name or "", request.method or "", request.path
        )
    return api.create_response(request, {"detail": str(exc) or "Permission denied."}, status=403)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": "Not found."}, status=404)


@api.exception_handler(PreconditionFailed)
def on_stale(request: HttpRequest, exc: PreconditionFailed) -> HttpResponse:
    return api.create_response(
        request,
        {
            "detail": "The object was changed since you read it: read it again and reapply your change.",
            "version": exc.current_version,
        },
        status=412,
    )


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(
        request, {"detail": "Authentication required: send a valid bearer token."}, status=401
    )
    response["WWW-Authenticate"] = 'Bearer realm="aims"'
    return response


@api.exception_handler(OperationalError)
def on_database_unavailable(request: HttpRequest, exc: Exception) -> HttpResponse:
    # The API catches every exception itself, so no middleware would see an outage: answer 503 here.
    return outage_response(request, exc)


api.add_exception_handler(InterfaceError, on_database_unavailable)


@api.exception_handler(OverflowError)
def on_number_out_of_range(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Schemas bound their ids, but a number past the database's integer range must never be a 500
    # (SQLite raises OverflowError, PostgreSQL a DataError).
    return api.create_response(
        request, {"detail": "Invalid input: a number is out of range.", "errors": []}, status=422
    )


api.add_exception_handler(DataError, on_number_out_of_range)


@api.exception_handler(Exception)
def on_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    log.exception("API error on %s %s", request.method, request.path)
    rid = getattr(request, "request_id", "")
    return api.create_response(request, {"detail": "Internal error.", "request_id": rid}, status=500)


# --- /me --------------------------------------------------------------------------------------------

core_router = Router(tags=["account"])


class OrganizationOut(Schema):
    id: int
    name: str
    slug: str


class MeOut(Schema):
    id: int
    email: str
    full_name: str
    organization: OrganizationOut
    role: str
    read_only: bool


@core_router.get("/me", response=MeOut, summary="Who the token belongs to, in which organization and role")
def me(request: HttpRequest) -> dict:
    actor = actor_of(request)
    user = actor.user
    assert user is not None
    return {
        "id": user.pk,
        "email": user.email,
        "full_name": user.full_name,
        "organization": actor.organization,
        "role": actor.role,
        "read_only": actor.read_only,
    }


# --- /audit-events ----------------------------------------------------------------------------------

audit_router = Router(tags=["audit trail"])


class AuditEventOut(Schema):
    id: int
    created_at: dt.datetime
    actor_email: str
    request_id: str
    source: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    changes: dict
    hash: str


class AuditEventList(Page):
    items: list[AuditEventOut]


class AuditFilters(Schema):
    actor: str | None = Field(None, description="Actor e-mail address (exact, case-insensitive)")
    object_type: str | None = None
    object_id: str | None = None
    action: str | None = None
    since: dt.datetime | None = Field(None, description="From this time (inclusive, ISO 8601)")
    until: dt.datetime | None = Field(None, description="Before this time (exclusive, ISO 8601)")
    page: int = 1
    page_size: int = 50


def filter_audit(qs, f: AuditFilters):  # type: ignore[no-untyped-def]
    if f.actor:
        qs = qs.filter(actor_email__iexact=f.actor)
    if f.object_type:
        qs = qs.filter(object_type=f.object_type)
    if f.object_id:
        qs = qs.filter(object_id=f.object_id)
    if f.action:
        qs = qs.filter(action=f.action)
    if f.since:
        qs = qs.filter(created_at__gte=f.since)
    if f.until:
        qs = qs.filter(created_at__lt=f.until)
    return qs


@audit_router.get("", response=AuditEventList, summary="The organization's audit trail, newest first")
def list_audit_events(request: HttpRequest, filters: Query[AuditFilters]) -> dict:
    actor = actor_of(request)
    actor.require("audit_event", "view")
    qs = filter_audit(AuditEvent.objects.filter(organization=actor.organization).order_by("-id"), filters)
    items, page = paginate(qs, filters.page, filters.page_size)
    return {"items": items, **page}


# --- /tokens ----------------------------------------------------------------------------------------

token_router = Router(tags=["account"])


class TokenIn(Schema):
    name: str = ""
    read_only: bool = False
    expires_days: int | None = Field(None, ge=1, le=3650)


class TokenOut(Schema):
    id: int
    name: str
    key_prefix: str
    read_only: bool
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None
    created_at: dt.datetime


class TokenCreated(TokenOut):
    token: str = Field(description="The secret value, shown this once only.")


@token_router.get("", response=list[TokenOut], summary="Your API tokens in this organization")
def list_tokens(request: HttpRequest) -> list[ApiToken]:
    actor = actor_of(request)
    actor.require("api_token", "view")
    return list(ApiToken.objects.filter(user=actor.user, organization=actor.organization))


@token_router.post("", response={201: TokenCreated}, summary="Create an API token for yourself (shown once)")
def create_token(request: HttpRequest, payload: TokenIn) -> Status[dict]:
    actor = actor_of(request)
    token, raw = services.create_token(
        actor, name=payload.name, read_only=payload.read_only, expires_days=payload.expires_days
    )
    out = TokenOut.from_orm(token).dict()
    return Status(201, {**out, "token": raw})


@token_router.delete("/{token_id}", response={204: None}, summary="Revoke one of your API tokens")
def revoke_token(request: HttpRequest, token_id: int) -> Status[None]:
    actor = actor_of(request)
    token = get_object_or_404(ApiToken, pk=token_id, organization=actor.organization, user=actor.user)
    services.revoke_token(actor, token)
    return Status(204, None)
