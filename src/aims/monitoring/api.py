"""REST resources of the monitoring area (9.1, A.6.2.6): /profiles, /metric-points, /monitors,
/alerts, /notification-channels. Evidence comes in from pipelines (the SDK `aims.client` posts
here); raw rows are never needed.

No `from __future__ import annotations`: django-ninja reads the handlers' annotations."""

from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Status

from aims.core.actors import Actor
from aims.core.api_crud import Resource, crud
from aims.core.api_helpers import actor_of, get_scoped, paginate

from . import services
from .models import Alert, EvidenceProfile, MetricPoint, Monitor, MonitorCheck, NotificationChannel
from .schemas import (
    AlertAction,
    AlertFilters,
    AlertList,
    AlertOut,
    ChannelFilters,
    ChannelIn,
    ChannelList,
    ChannelOut,
    ChannelPatch,
    CheckOut,
    EvaluateOut,
    MonitorFilters,
    MonitorIn,
    MonitorList,
    MonitorOut,
    MonitorPatch,
    NotificationOut,
    PointFilters,
    PointList,
    PointsCreated,
    PointsIn,
    ProfileFilters,
    ProfileIn,
    ProfileList,
    ProfileOut,
)


def _plain(params: dict[str, Any]) -> dict[str, Any]:
    return {k: getattr(v, "value", v) for k, v in params.items() if v not in (None, "")}


def _by_system(qs: QuerySet[Any], key: str | None) -> QuerySet[Any]:
    if not key:
        return qs
    return qs.filter(
        Q(ai_system__slug=key) | Q(ai_system_id=int(key)) if key.isdigit() else Q(ai_system__slug=key)
    )


# --- /profiles ------------------------------------------------------------------------------------------

profiles_router = Router(tags=["monitoring: evidence (9.1)"])


@profiles_router.post(
    "", response={201: ProfileOut}, summary="Store a profile of a batch (or of the reference data)"
)
def create_profile(request: HttpRequest, payload: ProfileIn) -> Any:
    """The profile made by `aims.evidence` where the data lives (no raw rows). AIMS measures it,
    keeps the measurements for the trend pages, and evaluates the system's monitors."""
    actor = actor_of(request)
    data = payload.dict()
    obj = services.ingest_profile(
        actor,
        ai_system=data["ai_system"],
        profile=data["profile"],
        model_version=data.get("model_version"),
        name=data.get("name") or "",
        role=getattr(data.get("role"), "value", data.get("role")) or "batch",
        observed_at=data.get("observed_at"),
    )
    return Status(201, EvidenceProfile.objects.select_related("ai_system").get(pk=obj.pk))


@profiles_router.get("", response=ProfileList, summary="List stored profiles")
def list_profiles(request: HttpRequest, filters: Query[ProfileFilters]) -> Any:
    actor = actor_of(request)
    p = _plain(filters.dict())
    qs = _by_system(EvidenceProfile.objects.for_actor(actor).select_related("ai_system"), p.get("ai_system"))
    if p.get("role"):
        qs = qs.filter(role=p["role"])
    if p.get("model_version"):
        qs = qs.filter(model_version_id=p["model_version"])
    if p.get("since"):
        qs = qs.filter(observed_at__gte=p["since"])
    if p.get("until"):
        qs = qs.filter(observed_at__lte=p["until"])
    items, page = paginate(qs.defer("document"), p.get("page", 1), p.get("page_size", 50))
    return {"items": items, **page}


@profiles_router.get("/{key}", response=ProfileOut, summary="Read a profile's measurements")
def read_profile(request: HttpRequest, key: int) -> Any:
    actor = actor_of(request)
    return get_scoped(
        actor,
        EvidenceProfile.objects.for_actor(actor).select_related("ai_system").defer("document"),
        key,
        slug_field=None,
    )


@profiles_router.get("/{key}/document", response=dict[str, Any], summary="The stored profile document itself")
def profile_document(request: HttpRequest, key: int) -> Any:
    actor = actor_of(request)
    return get_scoped(actor, EvidenceProfile.objects.for_actor(actor), key, slug_field=None).document


@profiles_router.delete("/{key}", response={204: None}, summary="Delete a profile")
def delete_profile(request: HttpRequest, key: int) -> Any:
    actor = actor_of(request)
    obj = get_scoped(actor, EvidenceProfile.objects.for_actor(actor), key, slug_field=None)
    services.delete_profile(actor, obj)
    return Status(204, None)


# --- /metric-points ----------------------------------------------------------------------------------------

points_router = Router(tags=["monitoring: evidence (9.1)"])


@points_router.post(
    "", response={201: PointsCreated}, summary="Push a batch of metric points (all or nothing)"
)
def push_points(request: HttpRequest, payload: PointsIn) -> Any:
    """Latency, error rates, business figures: up to 10,000 points per request, one audit entry."""
    actor = actor_of(request)
    data = payload.dict()
    rows = services.push_points(
        actor, ai_system=data["ai_system"], points=data["points"], model_version=data.get("model_version")
    )
    return Status(201, {"created": len(rows), "ai_system": rows[0].ai_system.slug})


@points_router.get("", response=PointList, summary="List metric points, newest first")
def list_points(request: HttpRequest, filters: Query[PointFilters]) -> Any:
    actor = actor_of(request)
    p = _plain(filters.dict())
    qs = _by_system(MetricPoint.objects.for_actor(actor), p.get("ai_system"))
    if p.get("name"):
        qs = qs.filter(name=p["name"])
    if p.get("since"):
        qs = qs.filter(observed_at__gte=p["since"])
    if p.get("until"):
        qs = qs.filter(observed_at__lte=p["until"])
    items, page = paginate(qs, p.get("page", 1), p.get("page_size", 100))
    return {"items": items, **page}


# --- /monitors ------------------------------------------------------------------------------------------------


def _filter_monitors(qs: QuerySet[Any], params: dict[str, Any]) -> QuerySet[Any]:
    p = _plain(params)
    qs = _by_system(qs, p.get("ai_system"))
    if p.get("status"):
        qs = qs.filter(last_status=p["status"])
    if "active" in p:
        qs = qs.filter(active=p["active"])
    return qs


def _monitors(actor: Actor) -> QuerySet[Any]:
    return Monitor.objects.for_actor(actor).select_related("ai_system").prefetch_related("channels")


monitors_router = Router(tags=["monitoring: monitors and alerts (9.1)"])


@monitors_router.post("/{key}/evaluate", response=EvaluateOut, summary="Evaluate a monitor now")
def evaluate_monitor(request: HttpRequest, key: int) -> Any:
    actor = actor_of(request)
    monitor = get_scoped(actor, _monitors(actor), key, slug_field=None)
    result = services.run_now(actor, monitor)
    return {
        "status": result.status,
        "value": result.value,
        "sample_size": result.sample_size,
        "detail": result.detail,
    }


@monitors_router.get(
    "/{key}/checks", response=list[CheckOut], summary="The monitor's evaluations, newest first"
)
def monitor_checks(request: HttpRequest, key: int, limit: int = 100) -> Any:
    actor = actor_of(request)
    monitor = get_scoped(actor, _monitors(actor), key, slug_field=None)
    return MonitorCheck.objects.filter(monitor=monitor)[: max(1, min(limit, 1000))]


crud(
    monitors_router,
    Resource(
        model=Monitor,
        name="monitor",
        schema_in=MonitorIn,
        schema_patch=MonitorPatch,
        schema_out=MonitorOut,
        schema_list=MonitorList,
        filters=MonitorFilters,
        filter=_filter_monitors,
        queryset=_monitors,
        create=services.create_monitor,
        update=services.update_monitor,
        delete=services.delete_monitor,
    ),
)

# --- /alerts ------------------------------------------------------------------------------------------------

alerts_router = Router(tags=["monitoring: monitors and alerts (9.1)"])


def _alerts(actor: Actor) -> QuerySet[Any]:
    return Alert.objects.for_actor(actor).select_related("monitor", "ai_system")


@alerts_router.get("", response=AlertList, summary="List alerts, newest first")
def list_alerts(request: HttpRequest, filters: Query[AlertFilters]) -> Any:
    actor = actor_of(request)
    p = _plain(filters.dict())
    qs = _by_system(_alerts(actor), p.get("ai_system"))
    if p.get("status"):
        qs = qs.filter(status=p["status"])
    if p.get("active") is True:
        qs = qs.filter(status__in=Alert.ACTIVE)
    elif p.get("active") is False:
        qs = qs.filter(status=Alert.Status.RESOLVED)
    if p.get("severity"):
        qs = qs.filter(severity=p["severity"])
    if p.get("monitor"):
        qs = qs.filter(monitor_id=p["monitor"])
    items, page = paginate(qs, p.get("page", 1), p.get("page_size", 50))
    return {"items": items, **page}


@alerts_router.get("/{key}", response=AlertOut, summary="Read an alert")
def read_alert(request: HttpRequest, key: int) -> Any:
    actor = actor_of(request)
    return get_scoped(actor, _alerts(actor), key, slug_field=None)


@alerts_router.get(
    "/{key}/notifications", response=list[NotificationOut], summary="Who was told about the alert, and how"
)
def alert_notifications(request: HttpRequest, key: int) -> Any:
    actor = actor_of(request)
    alert = get_scoped(actor, _alerts(actor), key, slug_field=None)
    return alert.notifications.select_related("channel")


@alerts_router.post("/{key}/acknowledge", response=AlertOut, summary="Acknowledge an open alert")
def acknowledge_alert(request: HttpRequest, key: int, payload: AlertAction) -> Any:
    actor = actor_of(request)
    alert = get_scoped(actor, _alerts(actor), key, slug_field=None)
    services.acknowledge_alert(actor, alert, note=payload.note)
    return _alerts(actor).get(pk=alert.pk)


@alerts_router.post("/{key}/resolve", response=AlertOut, summary="Resolve an alert")
def resolve_alert(request: HttpRequest, key: int, payload: AlertAction) -> Any:
    actor = actor_of(request)
    alert = get_scoped(actor, _alerts(actor), key, slug_field=None)
    services.resolve_alert(actor, alert, note=payload.note)
    return _alerts(actor).get(pk=alert.pk)


# --- /notification-channels ------------------------------------------------------------------------------------

channels_router = Router(tags=["monitoring: monitors and alerts (9.1)"])
crud(
    channels_router,
    Resource(
        model=NotificationChannel,
        name="notification channel",
        schema_in=ChannelIn,
        schema_patch=ChannelPatch,
        schema_out=ChannelOut,
        schema_list=ChannelList,
        filters=ChannelFilters,
        filter=lambda qs, p: qs.filter(kind=_plain(p)["kind"]) if _plain(p).get("kind") else qs,
        create=services.create_channel,
        update=services.update_channel,
    ),
)

# Mounted under /api/v1/ by aims/urls.py.
ROUTERS = [
    ("/profiles", profiles_router),
    ("/metric-points", points_router),
    ("/monitors", monitors_router),
    ("/alerts", alerts_router),
    ("/notification-channels", channels_router),
]
