"""REST resources for clause 4: /ai-systems, /interested-parties, /context-issues, /scope."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Router

from aims.core.api_crud import Resource, crud
from aims.core.api_helpers import actor_of, get_scoped
from aims.core.schema import Schema

from . import services
from .api_io import io_router
from .models import AISystem, ContextIssue, InterestedParty, ScopeStatement
from .schemas import (
    AISystemIn,
    AISystemList,
    AISystemOut,
    AISystemPatch,
    ContextIssueIn,
    ContextIssueList,
    ContextIssueOut,
    ContextIssuePatch,
    InterestedPartyIn,
    InterestedPartyList,
    InterestedPartyOut,
    InterestedPartyPatch,
    ScopeIn,
    ScopeOut,
)


class SystemFilters(Schema):
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
    page: int = 1
    page_size: int = 50


class PartyFilters(Schema):
    q: str | None = None
    category: InterestedParty.Category | None = None
    page: int = 1
    page_size: int = 50


class IssueFilters(Schema):
    q: str | None = None
    kind: ContextIssue.Kind | None = None
    page: int = 1
    page_size: int = 50


def _plain_params(params: dict[str, Any]) -> dict[str, Any]:
    return {k: getattr(v, "value", v) for k, v in params.items() if v not in (None, "")}


def filter_parties(qs, params):  # type: ignore[no-untyped-def]
    params = _plain_params(params)
    if params.get("q"):
        qs = qs.filter(name__icontains=params["q"])
    if params.get("category"):
        qs = qs.filter(category=params["category"])
    return qs.prefetch_related("ai_systems")


def filter_issues(qs, params):  # type: ignore[no-untyped-def]
    params = _plain_params(params)
    if params.get("q"):
        qs = qs.filter(title__icontains=params["q"])
    if params.get("kind"):
        qs = qs.filter(kind=params["kind"])
    return qs


systems_router = Router(tags=["AI systems (clause 4.1)"])
crud(
    systems_router,
    Resource(
        model=AISystem,
        name="AI system",
        schema_in=AISystemIn,
        schema_patch=AISystemPatch,
        schema_out=AISystemOut,
        schema_list=AISystemList,
        filters=SystemFilters,
        filter=lambda qs, p: services.filter_systems(qs, _plain_params(p)),
        # The owner's e-mail is part of every answer: one join, not a second query per read or write.
        queryset=lambda actor: AISystem.objects.for_actor(actor).select_related("owner"),
        create=services.create_system,
        update=services.update_system,
        delete=services.delete_system,
        slug_field="slug",
    ),
)

parties_router = Router(tags=["interested parties (clause 4.2)"])
crud(
    parties_router,
    Resource(
        model=InterestedParty,
        name="interested party",
        schema_in=InterestedPartyIn,
        schema_patch=InterestedPartyPatch,
        schema_out=InterestedPartyOut,
        schema_list=InterestedPartyList,
        filters=PartyFilters,
        filter=filter_parties,
        extra_list=lambda actor: {
            "missing_categories": [c for c, _ in services.missing_party_categories(actor)]
        },
    ),
)

issues_router = Router(tags=["internal and external issues (clause 4.1)"])
crud(
    issues_router,
    Resource(
        model=ContextIssue,
        name="internal or external issue",
        schema_in=ContextIssueIn,
        schema_patch=ContextIssuePatch,
        schema_out=ContextIssueOut,
        schema_list=ContextIssueList,
        filters=IssueFilters,
        filter=filter_issues,
    ),
)

scope_router = Router(tags=["AIMS scope (clause 4.3)"])


@scope_router.get("", response=list[ScopeOut], summary="Every version of the AIMS scope, newest first")
def list_scope_versions(request: HttpRequest) -> Any:
    actor = actor_of(request)
    return (
        ScopeStatement.objects.for_actor(actor)
        .select_related("approved_by")
        .prefetch_related("included_systems")
    )


@scope_router.get("/current", response=ScopeOut, summary="The latest scope version (draft or approved)")
def current_scope(request: HttpRequest) -> Any:
    scope = services.current_scope(actor_of(request))
    if scope is None:
        raise Http404
    return scope


@scope_router.get("/draft-from-inventory", response=ScopeIn, summary="A generated first draft (not saved)")
def draft_scope(request: HttpRequest) -> Any:
    actor = actor_of(request)
    actor.require("scope", "view")
    return services.draft_scope_from_inventory(actor)


@scope_router.put("", response=ScopeOut, summary="Save the draft; after an approval this starts a new draft")
def save_scope(request: HttpRequest, payload: ScopeIn) -> Any:
    actor = actor_of(request)
    return services.save_scope(actor, payload.dict())


@scope_router.post("/{number}/approve", response=ScopeOut, summary="Approve a draft version (freezes it)")
def approve_scope(request: HttpRequest, number: int) -> Any:
    actor = actor_of(request)
    scope = ScopeStatement.objects.for_actor(actor).filter(number=number).first()
    if scope is None:
        raise Http404
    return services.approve_scope(actor, scope)


__all__ = ["systems_router", "parties_router", "issues_router", "scope_router", "get_scoped"]

# Mounted under /api/v1/ by aims/urls.py.
# The import/export router comes first so /ai-systems/export and /import are not read as slugs.
ROUTERS = [
    ("/ai-systems", io_router),
    ("/ai-systems", systems_router),
    ("/interested-parties", parties_router),
    ("/context-issues", issues_router),
    ("/scope", scope_router),
]
