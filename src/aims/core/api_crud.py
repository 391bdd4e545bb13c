"""One declaration gives a governed object its five REST operations (list, create, read, update,
delete) with scoping, pagination, ETags and the shared services. Apps describe a resource; they
do not rewrite the handlers (NetBox's "views as configuration", for the API).

No `from __future__ import annotations` here: django-ninja reads the handlers' annotations at
definition time, and they are the schema classes passed in."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from aims.core.schema import Schema

from . import services
from .actors import Actor
from .api_helpers import actor_of, expected_version, get_scoped, paginate, with_etag


@dataclass
class Resource:
    model: type
    name: str  # e.g. "AI system", used in summaries
    schema_in: type[Schema]
    schema_patch: type[Schema]
    schema_out: type[Schema]
    schema_list: type[Schema]
    filters: type[Schema]
    filter: Callable[[QuerySet[Any], dict[str, Any]], QuerySet[Any]]
    queryset: Callable[[Actor], QuerySet[Any]] | None = None
    create: Callable[[Actor, dict[str, Any]], Any] | None = None
    update: Callable[..., Any] | None = None
    delete: Callable[..., Any] | None = None
    slug_field: str | None = None
    extra_list: Callable[[Actor], dict[str, Any]] = field(default=lambda actor: {})

    def base_queryset(self, actor: Actor) -> QuerySet[Any]:
        if self.queryset is not None:
            return self.queryset(actor)
        return self.model.objects.for_actor(actor)


def crud(router: Router, res: Resource) -> None:
    Filters, In, Patch, Out, ListOut = (
        res.filters,
        res.schema_in,
        res.schema_patch,
        res.schema_out,
        res.schema_list,
    )
    plural = str(res.model._meta.verbose_name_plural)
    slug = res.model._meta.model_name  # distinct operation ids per resource keep the OpenAPI valid

    def _payload(schema: Schema, *, partial: bool) -> dict[str, Any]:
        data = schema.dict(exclude_unset=partial)
        # Enum members to their plain values, nested schemas to dicts (model fields store plain JSON).
        return {k: _plain(v) for k, v in data.items()}

    @router.get("", response=ListOut, summary=f"List {plural}", operation_id=f"list_{slug}")
    def list_objects(request: HttpRequest, filters: Query[Filters]) -> dict[str, Any]:  # type: ignore[valid-type]
        actor = actor_of(request)
        params = filters.dict()  # type: ignore[attr-defined]
        qs = res.filter(res.base_queryset(actor), params)
        items, page = paginate(qs, params.get("page") or 1, params.get("page_size") or 50)
        return {"items": items, **page, **res.extra_list(actor)}

    @router.post("", response={201: Out}, summary=f"Create a {res.name}", operation_id=f"create_{slug}")
    def create_object(request: HttpRequest, payload: In, response: HttpResponse) -> Status[Any]:  # type: ignore[valid-type]
        actor = actor_of(request)
        data = _payload(payload, partial=False)
        obj = res.create(actor, data) if res.create else services.create(actor, res.model, data)
        obj = res.base_queryset(actor).get(pk=obj.pk)
        with_etag(response, obj)
        return Status(201, obj)

    @router.get(
        "/{key}", response=Out, summary=f"Read a {res.name} (sends an ETag)", operation_id=f"read_{slug}"
    )
    def read_object(request: HttpRequest, key: str, response: HttpResponse) -> Any:
        actor = actor_of(request)
        obj = get_scoped(actor, res.base_queryset(actor), key, slug_field=res.slug_field)
        with_etag(response, obj)
        return obj

    @router.patch(
        "/{key}",
        response=Out,
        summary=f"Change a {res.name} (If-Match: 412 when stale)",
        operation_id=f"update_{slug}",
    )
    def update_object(request: HttpRequest, key: str, payload: Patch, response: HttpResponse) -> Any:  # type: ignore[valid-type]
        actor = actor_of(request)
        obj = get_scoped(actor, res.base_queryset(actor), key, slug_field=res.slug_field)
        version = expected_version(request, obj)
        data = _payload(payload, partial=True)
        if res.update:
            obj = res.update(actor, obj, data, expected_version=version)
        else:
            obj = services.update(actor, obj, data, expected_version=version)
        obj = res.base_queryset(actor).get(pk=obj.pk)
        with_etag(response, obj)
        return obj

    @router.delete(
        "/{key}",
        response={204: None},
        summary=f"Delete a {res.name} (If-Match: 412 when stale)",
        operation_id=f"delete_{slug}",
    )
    def delete_object(request: HttpRequest, key: str) -> Status[None]:
        actor = actor_of(request)
        obj = get_scoped(actor, res.base_queryset(actor), key, slug_field=res.slug_field)
        version = expected_version(request, obj)
        if res.delete:
            res.delete(actor, obj, expected_version=version)
        else:
            services.delete(actor, obj, expected_version=version)
        return Status(204, None)


def _plain(value: Any) -> Any:
    import enum

    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value
