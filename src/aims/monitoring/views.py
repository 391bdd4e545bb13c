"""Pages of the monitoring area, mounted at /monitoring/: monitors, alerts, notification channels,
and the trend pages of each AI system (metrics over time with thresholds, fairness per group over
time, drift per feature), drawn as SVG on the server."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from aims.core.actors import Actor
from aims.core.views import actor_required, object_history, paged
from aims.inventory.models import AISystem

from . import services
from .charts import Series, Threshold, line_chart
from .forms import AlertActionForm, ChannelForm, MonitorForm, apply_errors
from .models import (
    Alert,
    EvidenceProfile,
    MetricPoint,
    Monitor,
    MonitorCheck,
    Notification,
    NotificationChannel,
)

DEFAULT_PERFORMANCE = (
    "accuracy",
    "roc_auc",
    "f1",
    "selection_rate",
    "false_positive_rate",
    "mae",
    "rmse",
    "r2",
)


def _save(request: HttpRequest, form: Any, save: Callable[[dict[str, Any]], Any], success: str) -> Any:
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        obj = save(form.payload())
    except ValidationError as exc:
        apply_errors(form, exc)
        return None
    messages.success(request, success)
    return obj


def _form_page(request: HttpRequest, form: Any, title: str, back: str) -> HttpResponse:
    status = 422 if request.method == "POST" else 200
    return render(
        request, "monitoring/form.html", {"form": form, "title": title, "back": back}, status=status
    )


# --- monitors ------------------------------------------------------------------------------------------


@actor_required
def monitor_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    monitors = (
        Monitor.objects.for_actor(actor)
        .select_related("ai_system")
        .annotate(active_alerts=Count("alerts", filter=Q(alerts__status__in=Alert.ACTIVE)))
    )
    system = request.GET.get("system") or ""
    if system:
        monitors = monitors.filter(ai_system__slug=system)
    alerts = (
        Alert.objects.for_actor(actor)
        .filter(status__in=Alert.ACTIVE)
        .select_related("ai_system", "monitor")[:20]
    )
    with_evidence = (
        AISystem.objects.filter(organization=actor.organization)
        .filter(
            Q(evidence_profiles__isnull=False) | Q(metric_points__isnull=False) | Q(monitors__isnull=False)
        )
        .distinct()
        .order_by("name")
    )
    return render(
        request,
        "monitoring/monitor_list.html",
        {
            "monitors": monitors,
            "alerts": alerts,
            "systems": with_evidence,
            "system": system,
            "can_add": actor.can("monitor", "add"),
        },
    )


@actor_required
def monitor_create(request: HttpRequest, actor: Actor) -> HttpResponse:
    actor.require("monitor", "add")
    initial = {}
    if request.GET.get("system"):
        initial["ai_system"] = AISystem.objects.filter(
            organization=actor.organization, slug=request.GET["system"]
        ).first()
    form = MonitorForm(request.POST or None, actor=actor, initial=initial)
    obj = _save(
        request,
        form,
        lambda d: services.create_monitor(actor, d),
        _("Monitor created; it is evaluated in the background."),
    )
    if obj:
        return redirect(obj)
    return _form_page(request, form, _("New monitor"), "/monitoring/")


def _monitor(actor: Actor, pk: int) -> Monitor:
    return get_object_or_404(
        Monitor.objects.for_actor(actor).select_related("ai_system", "model_version", "reference_profile"),
        pk=pk,
    )


@actor_required
def monitor_edit(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    monitor = _monitor(actor, pk)
    actor.require("monitor", "change")
    form = MonitorForm(request.POST or None, actor=actor, instance=monitor)
    obj = _save(
        request,
        form,
        lambda d: services.update_monitor(actor, monitor, {k: v for k, v in d.items() if k != "ai_system"}),
        _("Monitor saved."),
    )
    if obj:
        return redirect(obj)
    return _form_page(request, form, _("Edit monitor"), monitor.get_absolute_url())


def _thresholds(monitor: Monitor) -> list[Threshold]:
    out = []
    if monitor.warning_threshold is not None:
        out.append(Threshold(monitor.warning_threshold, "warning", _("warning")))
    if monitor.critical_threshold is not None:
        out.append(Threshold(monitor.critical_threshold, "critical", _("critical")))
    return out


def _anomaly_chart(monitor: Monitor) -> dict[str, Any] | None:
    """For a monitor with anomaly detection: the metric's series (each point, batch or evaluation)
    with the current limits drawn, and the decision on the latest value."""
    if not monitor.anomaly_method:
        return None
    from django.utils import timezone

    from aims.evidence.anomaly import detect

    from .metrics import MetricError, parse_metric

    try:
        metric = parse_metric(monitor.metric)
    except MetricError:
        return None
    series = services.metric_series(monitor, metric, timezone.now(), 200)
    if not series:
        return None
    found = detect(
        [v for _t, v in series],
        monitor.anomaly_method,
        limit=monitor.anomaly_limit,
        baseline=monitor.anomaly_baseline,
    )
    limits = []
    if found["anomaly"] is not None:
        limits = [
            Threshold(found["lower"], "reference", _("anomaly limit")),
            Threshold(found["upper"], "reference", _("anomaly limit")),
        ]
    title = _("%(metric)s, each value, with the anomaly limits of the latest one") % {
        "metric": monitor.metric
    }
    return {
        "svg": line_chart(title, [Series(monitor.metric, series)], limits),
        "title": title,
        "found": found,
    }


@actor_required
def monitor_detail(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    monitor = _monitor(actor, pk)
    checks = list(MonitorCheck.objects.filter(monitor=monitor).order_by("-evaluated_at", "-pk")[:200])
    points = [((c.observed_at or c.evaluated_at), c.value) for c in reversed(checks) if c.value is not None]
    chart = line_chart(monitor.name, [Series(monitor.metric, points)], _thresholds(monitor))
    return render(
        request,
        "monitoring/monitor_detail.html",
        {
            "monitor": monitor,
            "chart": chart,
            "anomaly": _anomaly_chart(monitor),
            "checks": checks[:30],
            "alerts": monitor.alerts.order_by("-created_at")[:20],
            "channels": monitor.channels.all(),
            "can_change": actor.can("monitor", "change"),
            "events": object_history(actor, "monitor", monitor.pk),
        },
    )


@actor_required
@require_POST
def monitor_evaluate(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    monitor = _monitor(actor, pk)
    result = services.run_now(actor, monitor)
    messages.info(
        request, _("Evaluated: %(s)s. %(d)s") % {"s": Monitor.Status(result.status).label, "d": result.detail}
    )
    return redirect(monitor)


# --- alerts ------------------------------------------------------------------------------------------------


@actor_required
def alert_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    qs = Alert.objects.for_actor(actor).select_related("ai_system", "monitor")
    status = request.GET.get("status") or ""
    if status == "active":
        qs = qs.filter(status__in=Alert.ACTIVE)
    elif status in Alert.Status.values:
        qs = qs.filter(status=status)
    return render(
        request,
        "monitoring/alert_list.html",
        {
            "page": paged(request, qs),
            "status": status,
            "statuses": Alert.Status.choices,
        },
    )


def _alert(actor: Actor, pk: int) -> Alert:
    return get_object_or_404(
        Alert.objects.for_actor(actor).select_related(
            "ai_system", "monitor", "acknowledged_by", "resolved_by"
        ),
        pk=pk,
    )


@actor_required
def alert_detail(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    alert = _alert(actor, pk)
    return render(
        request,
        "monitoring/alert_detail.html",
        {
            "alert": alert,
            "form": AlertActionForm(),
            "can_change": actor.can("alert", "change"),
            "notifications": alert.notifications.select_related("channel"),
            "events": object_history(actor, "alert", alert.pk),
        },
    )


def _alert_action(
    request: HttpRequest, actor: Actor, pk: int, action: Callable[..., Alert], done: str
) -> HttpResponse:
    alert = _alert(actor, pk)
    actor.require("alert", "change")
    form = AlertActionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        action(actor, alert, note=note)
    except ValidationError as exc:
        messages.error(request, " ".join(m for ms in exc.message_dict.values() for m in ms))
    else:
        messages.success(request, done)
    return redirect(alert)


@actor_required
@require_POST
def alert_acknowledge(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    return _alert_action(request, actor, pk, services.acknowledge_alert, _("Alert acknowledged."))


@actor_required
@require_POST
def alert_resolve(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    return _alert_action(request, actor, pk, services.resolve_alert, _("Alert resolved."))


# --- channels -------------------------------------------------------------------------------------------------


@actor_required
def channel_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    deliveries = (
        Notification.objects.filter(channel=OuterRef("pk"))
        .order_by()
        .values("channel")
        .annotate(n=Count("pk"))
        .values("n")
    )
    channels = NotificationChannel.objects.for_actor(actor).annotate(
        n_monitors=Count("monitors"), n_deliveries=Coalesce(Subquery(deliveries), 0)
    )
    form = None
    if actor.can("notification_channel", "add"):
        form = ChannelForm(request.POST or None, actor=actor)
        if _save(request, form, lambda d: services.create_channel(actor, d), _("Channel added.")):
            return redirect("monitoring:channel-list")
    elif request.method == "POST":
        actor.require("notification_channel", "add")
    status = 422 if request.method == "POST" else 200
    return render(
        request, "monitoring/channel_list.html", {"channels": channels, "form": form}, status=status
    )


@actor_required
def channel_edit(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    channel = get_object_or_404(NotificationChannel.objects.for_actor(actor), pk=pk)
    actor.require("notification_channel", "change")
    form = ChannelForm(request.POST or None, actor=actor, instance=channel)
    if _save(request, form, lambda d: services.update_channel(actor, channel, d), _("Channel saved.")):
        return redirect("monitoring:channel-list")
    return _form_page(request, form, _("Edit notification channel"), "/monitoring/channels/")


@require_GET
@actor_required
def channel_deliveries(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    """Read-only: a channel's deliveries, newest first, with what was sent and what came back."""
    channel = get_object_or_404(NotificationChannel.objects.for_actor(actor), pk=pk)
    deliveries = (
        Notification.objects.filter(channel=channel, organization=actor.organization)
        .select_related("alert__ai_system")
        .order_by("-created_at", "-pk")
    )
    return render(
        request,
        "monitoring/channel_deliveries.html",
        {
            "channel": channel,
            "page": paged(request, deliveries),
            "can_change": actor.can("notification_channel", "change"),
        },
    )


# --- trends ------------------------------------------------------------------------------------------------------


def _monitor_thresholds(monitors: list[Monitor], path: str) -> list[Threshold]:
    out: list[Threshold] = []
    for m in monitors:
        if m.metric == path or (path.endswith(".") and m.metric.startswith(path)):
            out.extend(_thresholds(m))
    return out


def _table(series: list[Series]) -> dict[str, Any]:
    """The numbers behind a chart, as rows (time, value per series) for a table."""
    times = sorted({t for s in series for t, _v in s.points})
    lookup = [{t: v for t, v in s.points} for s in series]
    return {
        "names": [s.name for s in series],
        "rows": [(t, [lk.get(t) for lk in lookup]) for t in times[-50:]],
    }


def _chart(title: str, series: list[Series], thresholds: list[Threshold]) -> dict[str, Any]:
    return {"title": title, "svg": line_chart(title, series, thresholds), "table": _table(series)}


@actor_required
def system_trends(request: HttpRequest, actor: Actor, slug: str) -> HttpResponse:
    actor.require("evidence_profile", "view")
    system = get_object_or_404(AISystem.objects.filter(organization=actor.organization), slug=slug)
    monitors = list(Monitor.objects.filter(ai_system=system).order_by("name"))
    latest = (
        EvidenceProfile.objects.filter(ai_system=system, role=EvidenceProfile.Role.BATCH)
        .order_by("-observed_at", "-pk")
        .first()
    )
    summary = latest.summary if latest else {}

    perf_names = [n for n in DEFAULT_PERFORMANCE if (summary.get("performance") or {}).get(n) is not None]
    perf_names += [
        m.metric.split(".", 1)[1]
        for m in monitors
        if m.metric.startswith("performance.") and m.metric.split(".", 1)[1] not in perf_names
    ]
    paths = [f"performance.{n}" for n in perf_names] + ["volume.n_rows"]

    fairness_attrs = [a for a in (summary.get("fairness") or {}) if "|" not in a]
    group_paths: dict[str, list[tuple[str, str]]] = {}
    for attr in fairness_attrs:
        groups = summary["fairness"][attr].get("groups") or {}
        group_paths[attr] = [(g, f"fairness.{attr}.groups.{g}.selection_rate") for g in groups]
        paths += [p for _g, p in group_paths[attr]] + [f"fairness.{attr}.demographic_parity_difference"]

    drift_cols = list((summary.get("drift") or {}).get("columns") or {})
    paths += [f"drift.{c}.psi" for c in drift_cols] + ["drift.share_drifted"]
    series = services.profile_series(system, paths)

    performance = [
        _chart(n, [Series(n, series[f"performance.{n}"])], _monitor_thresholds(monitors, f"performance.{n}"))
        for n in perf_names
    ]
    volume = _chart(
        _("rows per batch"),
        [Series(_("rows"), series["volume.n_rows"])],
        _monitor_thresholds(monitors, "volume.n_rows"),
    )
    fairness = []
    for attr in fairness_attrs:
        by_group = [Series(g, series[p]) for g, p in group_paths[attr]]
        fairness.append(
            {
                "attribute": attr,
                "groups": _chart(
                    _("selection rate by %(a)s") % {"a": attr},
                    by_group,
                    _monitor_thresholds(monitors, f"fairness.{attr}.groups."),
                ),
                "gap": _chart(
                    _("demographic parity difference (%(a)s)") % {"a": attr},
                    [Series(_("difference"), series[f"fairness.{attr}.demographic_parity_difference"])],
                    _monitor_thresholds(monitors, f"fairness.{attr}.demographic_parity_difference"),
                ),
            }
        )
    drift = []
    for col in drift_cols:
        limits = _monitor_thresholds(monitors, f"drift.{col}.psi") or [
            Threshold(0.2, "reference", _("PSI 0.2"))
        ]
        entry = _chart(f"PSI · {col}", [Series(col, series[f"drift.{col}.psi"])], limits)
        entry["latest"] = summary["drift"]["columns"][col]
        entry["column"] = col
        drift.append(entry)
    pushed = [
        _chart(name, [Series(name, pts)], _monitor_thresholds(monitors, f"point.{name}"))
        for name, pts in services.point_series(system).items()
    ]
    return render(
        request,
        "monitoring/system_trends.html",
        {
            "system": system,
            "monitors": monitors,
            "latest": latest,
            "performance": performance,
            "volume": volume,
            "fairness": fairness,
            "drift": drift,
            "pushed": pushed,
            "share_drifted": _chart(
                _("share of drifted features"),
                [Series(_("share"), series["drift.share_drifted"])],
                _monitor_thresholds(monitors, "drift.share_drifted"),
            )
            if drift_cols
            else None,
            "n_profiles": EvidenceProfile.objects.filter(ai_system=system).count(),
            "n_points": MetricPoint.objects.filter(ai_system=system).count(),
        },
    )
