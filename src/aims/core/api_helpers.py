"""What every app's API router shares: authentication to an Actor, error answers, pagination,
ETag handling and organization-scoped lookups."""

from __future__ import annotations

import re
from typing import Annotated, Any, TypeVar

from django.db import models
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field
from ninja.security import APIKeyCookie, HttpBearer

from aims.core.schema import Schema

from .actors import Actor
from .exceptions import PreconditionFailed
from .models import ApiToken

M = TypeVar("M", bound=models.Model)
MAX_PAGE_SIZE = 500

# A primary key in a request body: positive and within the databases' 64-bit integer range.
ObjectId = Annotated[int, Field(ge=1, le=2**63 - 1)]


class BearerAuth(HttpBearer):
    """`Authorization: Bearer aims_…`. Never from the query string (it would land in logs)."""

    def authenticate(self, request: HttpRequest, token: str) -> Actor | None:
        found = ApiToken.objects.find(token)
        if found is None or found.member_role is None:  # no token, or no membership any more
            return None
        # Touch at most once a minute: a write per request would serialise readers on SQLite.
        now = timezone.now()
        if found.last_used_at is None or (now - found.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        return Actor(
            user=found.user,
            organization=found.organization,
            role=found.member_role,
            source="api",
            request_id=getattr(request, "request_id", ""),
            read_only=found.read_only,
        )


class SessionAuth(APIKeyCookie):
    """The logged-in browser session, in the organization selected in the UI (CSRF-checked)."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> Actor | None:
        actor = getattr(request, "actor", None)
        return actor if isinstance(actor, Actor) else None


AUTH = [BearerAuth(), SessionAuth(csrf=True)]


def actor_of(request: HttpRequest) -> Actor:
    return request.auth  # type: ignore[attr-defined,no-any-return]


class Page(Schema):
    count: int
    page: int
    page_size: int
    pages: int


def paginate(qs: QuerySet[Any], page: int, page_size: int) -> tuple[list[Any], dict[str, int]]:
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    count = qs.count()
    pages = max(1, -(-count // page_size))
    page = max(1, min(page, pages + 1))  # past the end: an empty page, never an SQL overflow
    items = list(qs[(page - 1) * page_size : page * page_size]) if page <= pages else []
    return items, {"count": count, "page": page, "page_size": page_size, "pages": pages}


def get_scoped(actor: Actor, qs: QuerySet[M], key: str | int, *, slug_field: str | None = "slug") -> M:
    """The object in the actor's organization by id (digits) or slug; 404 for anything else,
    including another organization's object, so its existence is not revealed."""
    key = str(key)
    qs = qs.filter(organization=actor.organization)
    if key.isascii() and key.isdigit() and len(key) <= 18:
        obj = qs.filter(pk=int(key)).first()
    elif slug_field and re.fullmatch(r"[-a-zA-Z0-9_]{1,80}", key):
        obj = qs.filter(**{slug_field: key}).first()
    else:
        obj = None
    if obj is None:
        raise Http404
    return obj


_ETAG = re.compile(r'^\s*(?:W/)?"(\d+)-(\d+)"\s*$')


def expected_version(request: HttpRequest, obj: Any) -> int | None:
    """The version the client says it is changing (If-Match), or None when it sent none."""
    header = request.headers.get("If-Match")
    if not header or header.strip() == "*":
        return None
    match = _ETAG.match(header)
    if not match or int(match.group(1)) != obj.pk:
        raise PreconditionFailed(obj.version)
    return int(match.group(2))


def with_etag(response: HttpResponse, obj: Any) -> None:
    response["ETag"] = obj.etag
