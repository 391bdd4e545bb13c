"""The operations of the monitoring area: evidence in (profiles, metric points), monitors, their
evaluation, and alerts. The API, the pages, the CLI, the SDK (through the API) and the worker all
call these, so permission checks and audit entries are the same whichever door was used.

The loop (run by the worker, `tasks.py`):

    evidence arrives --> evaluate_system(system) --> evaluate(monitor) --> apply(monitor, result)
        breach     --> alert opened / escalated (audited) --> notifications, critical hooks
        back to ok --> open alert resolved by the worker (audited)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from aims.core import audit
from aims.core import services as core
from aims.core.actors import Actor
from aims.core.models import AuditEvent, Organization
from aims.inventory.models import AISystem

from .metrics import NAME, Metric, MetricError, extract, measure, parse_metric
from .models import Alert, EvidenceProfile, MetricPoint, Monitor, MonitorCheck, NotificationChannel

log = logging.getLogger(__name__)
MAX_POINTS_PER_BATCH = 10_000
_AUDIT_SKIP = {"document", "summary"}


# --- lookups --------------------------------------------------------------------------------------


def resolve_system(actor: Actor, key: Any, field_name: str = "ai_system") -> AISystem:
    """The actor's AI system by id or slug; a 422 naming the field otherwise (never another org's)."""
    if isinstance(key, AISystem):
        key = key.pk
    qs = AISystem.objects.filter(organization=actor.organization)
    found = None
    if isinstance(key, int) or (isinstance(key, str) and key.isdigit()):
        found = qs.filter(pk=int(key)).first()
    if found is None and isinstance(key, str) and key:
        found = qs.filter(slug=key).first()
    if found is None:
        raise ValidationError({field_name: _("No AI system %(k)s in this organization.") % {"k": key}})
    return found


def resolve_model_version(actor: Actor, system: AISystem, key: Any, field_name: str = "model_version") -> Any:
    """The system's model version by id or label (None when no key was given)."""
    if key in (None, ""):
        return None
    from aims.lifecycle.models import ModelVersion

    qs = ModelVersion.objects.filter(organization=actor.organization, ai_system=system)
    if isinstance(key, ModelVersion):
        key = key.pk
    if isinstance(key, int) or (isinstance(key, str) and key.isdigit()):
        found = list(qs.filter(pk=int(key))[:1]) or list(qs.filter(label=str(key))[:2])
    else:
        found = list(qs.filter(label=str(key))[:2])
    if len(found) != 1:
        msg = (
            _("No model version %(v)s of %(s)s.")
            if not found
            else _("Several models of %(s)s have version %(v)s: give its id.")
        )
        raise ValidationError({field_name: msg % {"v": key, "s": system.slug}})
    return found[0]


def _when(value: Any, field_name: str) -> dt.datetime:
    if value in (None, ""):
        return timezone.now()
    if isinstance(value, str):
        parsed = parse_datetime(value)
        if parsed is None:
            raise ValidationError({field_name: _("Give an ISO 8601 date and time.")})
        value = parsed
    if not isinstance(value, dt.datetime):
        raise ValidationError({field_name: _("Give an ISO 8601 date and time.")})
    if timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    if value > timezone.now() + dt.timedelta(days=1):
        raise ValidationError({field_name: _("Cannot be more than a day in the future.")})
    return value


def _after_commit(system_id: int, reason: str) -> None:
    from . import tasks

    transaction.on_commit(lambda: tasks.enqueue_system(system_id, reason))


# --- evidence in: profiles ------------------------------------------------------------------------


def latest_reference(system: AISystem, model_version: Any = None) -> EvidenceProfile | None:
    qs = EvidenceProfile.objects.filter(ai_system=system, role=EvidenceProfile.Role.REFERENCE)
    if model_version is not None:
        own = qs.filter(model_version=model_version).order_by("-observed_at", "-pk").first()
        if own is not None:
            return own
    return qs.order_by("-observed_at", "-pk").first()


def _load(document: Any) -> Any:
    from aims.evidence import EvidenceInputError, load_profile

    try:
        return load_profile(document)
    except EvidenceInputError as exc:
        raise ValidationError({"profile": str(exc)}) from exc
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ValidationError(
            {"profile": _("Not a valid AIMS evidence profile (%(e)s).") % {"e": exc}}
        ) from exc


def summarize(profile: Any, reference_doc: Any = None) -> dict[str, Any]:
    """The stored measurements of a profile (with drift against a reference document, if given)."""
    reference = _load(reference_doc) if reference_doc is not None else None
    return measure(profile, reference)


def ingest_profile(
    actor: Actor,
    *,
    ai_system: Any,
    profile: Any,
    model_version: Any = None,
    name: str = "",
    role: str = EvidenceProfile.Role.BATCH,
    observed_at: Any = None,
) -> EvidenceProfile:
    """Store a profile made by `aims.evidence` (a `Profile` or its JSON document), measure it, and
    queue the system's monitors. The audit entry keeps the digest, not the document."""
    actor.require("evidence_profile", "add")
    system = resolve_system(actor, ai_system)
    mv = resolve_model_version(actor, system, model_version)
    if role not in EvidenceProfile.Role.values:
        raise ValidationError(
            {"role": _("Choose one of: %(c)s") % {"c": ", ".join(EvidenceProfile.Role.values)}}
        )
    if not isinstance(profile, dict) and not hasattr(profile, "to_dict"):
        raise ValidationError({"profile": _("Give the profile document made by aims.evidence.")})
    prof = profile if hasattr(profile, "to_dict") else _load(profile)
    document = prof.to_dict()
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), allow_nan=False)
    when = _when(observed_at, "observed_at")
    reference = latest_reference(system, mv) if role == EvidenceProfile.Role.BATCH else None
    summary = summarize(prof, reference.document if reference else None)
    if reference is not None:
        summary["reference_id"] = reference.pk
    with transaction.atomic():
        obj = EvidenceProfile(
            organization=actor.organization,
            created_by=actor.user,
            ai_system=system,
            model_version=mv,
            name=(name or "")[:200],
            role=role,
            observed_at=when,
            document=document,
            digest="sha256:" + hashlib.sha256(text.encode()).hexdigest(),
            n_rows=prof.n_rows,
            size_bytes=len(text),
            summary=summary,
        )
        obj.full_clean()
        obj.save()
        snap = {k: v for k, v in audit.snapshot(obj).items() if k not in _AUDIT_SKIP}
        audit.record(actor, AuditEvent.Action.CREATE, obj=obj, changes=audit.diff(None, snap))
        _after_commit(system.pk, "reference" if role == EvidenceProfile.Role.REFERENCE else "profile")
    return obj


def refresh_drift(system: AISystem) -> int:
    """Recompute the stored drift of a system's batch profiles against its current reference (after
    a new reference arrived). Measurements only: no audited field changes."""
    n = 0
    for p in EvidenceProfile.objects.filter(ai_system=system, role=EvidenceProfile.Role.BATCH).order_by("pk"):
        reference = latest_reference(system, p.model_version)
        if reference is None or (p.summary or {}).get("reference_id") == reference.pk:
            continue
        summary = summarize(_load(p.document), reference.document)
        summary["reference_id"] = reference.pk
        EvidenceProfile.objects.filter(pk=p.pk).update(summary=summary)
        n += 1
    return n


def delete_profile(actor: Actor, obj: EvidenceProfile, *, expected_version: int | None = None) -> None:
    actor.require("evidence_profile", "delete")
    if obj.organization_id != actor.organization.pk:
        raise PermissionDenied
    with transaction.atomic():
        audit.record(
            actor,
            AuditEvent.Action.DELETE,
            obj=obj,
            changes={"digest": [obj.digest, None], "n_rows": [obj.n_rows, None]},
        )
        obj.delete()


# --- evidence in: metric points -------------------------------------------------------------------


def push_points(
    actor: Actor, *, ai_system: Any, points: Sequence[dict[str, Any]], model_version: Any = None
) -> list[MetricPoint]:
    """Store a batch of metric points, all or nothing; one audit entry for the batch."""
    actor.require("metric_point", "add")
    system = resolve_system(actor, ai_system)
    mv = resolve_model_version(actor, system, model_version)
    if not points:
        raise ValidationError({"points": _("Give at least one point.")})
    if len(points) > MAX_POINTS_PER_BATCH:
        raise ValidationError(
            {"points": _("At most %(n)d points per request.") % {"n": MAX_POINTS_PER_BATCH}}
        )
    rows: list[MetricPoint] = []
    errors: dict[str, list[str]] = {}
    for i, p in enumerate(points):
        name = str(p.get("name") or "")
        value = p.get("value")
        if not NAME.match(name):
            errors[f"points.{i}.name"] = [_("Letters, digits, '.', '_' or '-' (at most 100).")]
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            errors[f"points.{i}.value"] = [_("Give a finite number.")]
        try:
            when = _when(p.get("observed_at"), f"points.{i}.observed_at")
        except ValidationError as exc:
            errors.update(exc.message_dict)
            continue
        size = p.get("sample_size")
        if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 0):
            errors[f"points.{i}.sample_size"] = [_("Give a whole number of events (0 or more).")]
        labels = p.get("labels") or {}
        if (
            not isinstance(labels, dict)
            or any(not isinstance(v, str) or len(v) > 200 for v in labels.values())
            or len(labels) > 20
        ):
            errors[f"points.{i}.labels"] = [_("Give at most 20 name → short text pairs.")]
        if not errors:
            rows.append(
                MetricPoint(
                    organization=actor.organization,
                    created_by=actor.user,
                    ai_system=system,
                    model_version=mv,
                    name=name,
                    value=float(value),
                    observed_at=when,
                    sample_size=size,
                    labels=labels,  # type: ignore[arg-type]
                )
            )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        MetricPoint.objects.bulk_create(rows, batch_size=1000)
        times = [r.observed_at for r in rows]
        audit.record(
            actor,
            AuditEvent.Action.CREATE,
            object_type="metric_point",
            object_id=system.pk,
            object_repr=f"{len(rows)} metric point(s) for {system.name}"[:300],
            changes={
                "count": [None, len(rows)],
                "names": [None, sorted({r.name for r in rows})],
                "observed": [None, [min(times).isoformat(), max(times).isoformat()]],
            },
        )
        _after_commit(system.pk, "points")
    return rows


# --- monitors ---------------------------------------------------------------------------------------


def _monitor_data(actor: Actor, data: dict[str, Any], system: AISystem | None = None) -> dict[str, Any]:
    data = dict(data)
    if "ai_system" in data or "ai_system_id" in data:
        key = data.pop("ai_system", None) or data.pop("ai_system_id", None)
        key = key.pk if isinstance(key, AISystem) else key
        data.pop("ai_system_id", None)
        system = resolve_system(actor, key)
        data["ai_system"] = system
    for key in ("model_version", "model_version_id"):
        if key in data:
            value = data.pop(key)
            if system is None:
                raise ValidationError({"ai_system": _("Give the AI system.")})
            data["model_version"] = resolve_model_version(actor, system, value)
    for key in ("reference_profile", "reference_profile_id"):
        if key in data:
            value = data.pop(key)
            ref = None
            value = value.pk if isinstance(value, EvidenceProfile) else value
            if value not in (None, ""):
                ref = (
                    EvidenceProfile.objects.filter(organization=actor.organization, pk=value).first()
                    if str(value).isdigit()
                    else None
                )
                if ref is None:
                    raise ValidationError({"reference_profile": _("No such profile in this organization.")})
            data["reference_profile"] = ref
    if "channels" in data:
        ids = [c.pk if isinstance(c, NotificationChannel) else c for c in data["channels"] or []]
        found = set(
            NotificationChannel.objects.filter(organization=actor.organization, pk__in=ids).values_list(
                "pk", flat=True
            )
        )
        if missing := [i for i in ids if i not in found]:
            raise ValidationError(
                {"channels": _("Not found in this organization: %(ids)s") % {"ids": missing}}
            )
    return data


def create_monitor(actor: Actor, data: dict[str, Any]) -> Monitor:
    actor.require("monitor", "add")
    if not (data.get("ai_system") or data.get("ai_system_id")):
        raise ValidationError({"ai_system": _("Give the AI system (id or slug).")})
    monitor = core.create(actor, Monitor, _monitor_data(actor, data))
    transaction.on_commit(lambda: _queue_monitor(monitor.pk))
    return monitor


def update_monitor(
    actor: Actor, monitor: Monitor, data: dict[str, Any], *, expected_version: int | None = None
) -> Monitor:
    actor.require("monitor", "change")
    monitor = core.update(
        actor, monitor, _monitor_data(actor, data, monitor.ai_system), expected_version=expected_version
    )
    transaction.on_commit(lambda: _queue_monitor(monitor.pk))
    return monitor


def delete_monitor(actor: Actor, monitor: Monitor, *, expected_version: int | None = None) -> None:
    core.delete(actor, monitor, expected_version=expected_version)


def _queue_monitor(monitor_id: int) -> None:
    from . import tasks

    tasks.enqueue_monitor(monitor_id)


def create_channel(actor: Actor, data: dict[str, Any]) -> NotificationChannel:
    return core.create(actor, NotificationChannel, data)


def update_channel(
    actor: Actor, channel: NotificationChannel, data: dict[str, Any], *, expected_version: int | None = None
) -> NotificationChannel:
    if not data.get("secret"):
        data = {k: v for k, v in data.items() if k != "secret"}  # an empty secret keeps the one set
    return core.update(actor, channel, data, expected_version=expected_version)


# --- evaluating a monitor -------------------------------------------------------------------------


@dataclass
class Result:
    status: str
    value: float | None = None
    sample_size: int | None = None
    detail: str = ""
    observed_at: dt.datetime | None = None
    evidence_key: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _window(monitor: Monitor, qs: QuerySet[Any], now: dt.datetime) -> QuerySet[Any]:
    if monitor.model_version_id:
        qs = qs.filter(model_version_id=monitor.model_version_id)
    qs = qs.filter(observed_at__lte=now)
    if monitor.window_hours:
        return qs.filter(observed_at__gte=now - dt.timedelta(hours=monitor.window_hours))
    latest = qs.order_by("-observed_at", "-pk").first()
    return qs.filter(pk=latest.pk) if latest else qs.none()


def _point_result(monitor: Monitor, metric: Metric, now: dt.datetime) -> Result:
    qs = _window(
        monitor, MetricPoint.objects.filter(ai_system_id=monitor.ai_system_id, name=metric.parts[0]), now
    )
    rows = list(qs.values_list("pk", "value", "sample_size", "observed_at"))
    if not rows:
        return Result(
            Monitor.Status.NO_DATA, detail=_("No point named %(n)s in the window.") % {"n": metric.parts[0]}
        )
    sizes = [r[2] for r in rows]
    if all(s is not None for s in sizes) and sum(sizes):
        value = sum(r[1] * r[2] for r in rows) / sum(sizes)
        sample = int(sum(sizes))
    else:
        value, sample = sum(r[1] for r in rows) / len(rows), len(rows)
    key = f"p:{len(rows)}:{max(r[0] for r in rows)}"
    return Result("", value, sample, observed_at=max(r[3] for r in rows), evidence_key=key)


def _evaluation_result(monitor: Monitor, metric: Metric, now: dt.datetime) -> Result:
    from aims.lifecycle.models import Evaluation

    qs = Evaluation.objects.filter(
        organization_id=monitor.organization_id, model_version__ai_system_id=monitor.ai_system_id
    )
    if monitor.model_version_id:
        qs = qs.filter(model_version_id=monitor.model_version_id)
    qs = qs.filter(evaluated_at__lte=now)
    if monitor.window_hours:
        qs = qs.filter(evaluated_at__gte=now - dt.timedelta(hours=monitor.window_hours))
    for ev in qs.order_by("-evaluated_at", "-pk")[:50]:
        value = (ev.metrics or {}).get(metric.parts[0])
        if isinstance(value, int | float):
            return Result(
                "", float(value), None, observed_at=ev.evaluated_at, evidence_key=f"v:{ev.pk}:{ev.version}"
            )
    return Result(
        Monitor.Status.NO_DATA, detail=_("No evaluation with %(n)s in the window.") % {"n": metric.parts[0]}
    )


def _profile_result(monitor: Monitor, metric: Metric, now: dt.datetime) -> Result:
    from aims.evidence import merge_profiles

    qs = _window(
        monitor,
        EvidenceProfile.objects.filter(ai_system_id=monitor.ai_system_id, role=EvidenceProfile.Role.BATCH),
        now,
    )
    rows = list(qs.order_by("observed_at", "pk").values_list("pk", "document", "observed_at"))
    if not rows:
        return Result(Monitor.Status.NO_DATA, detail=_("No profile of this system in the window."))
    reference, ref_pk = None, 0
    if metric.needs_reference:
        ref = monitor.reference_profile or latest_reference(monitor.ai_system, monitor.model_version)
        if ref is None:
            return Result(
                Monitor.Status.ERROR,
                detail=_("Drift needs a reference profile: upload one with role 'reference'."),
            )
        reference, ref_pk = _load(ref.document), ref.pk
    try:
        profiles = [_load(r[1]) for r in rows]
        merged = profiles[0] if len(profiles) == 1 else merge_profiles(profiles)
    except Exception as exc:  # noqa: BLE001 - profiles that do not merge are a finding, not a crash
        return Result(Monitor.Status.ERROR, detail=str(exc)[:500])
    sections = {"drift": ("drift",), "quality": ("quality",), "volume": ()}.get(
        metric.kind, ("performance", "fairness")
    )
    value, sample, why = extract(measure(merged, reference, sections=sections), metric)
    ids = ",".join(str(r[0]) for r in rows)
    key = f"e:{len(rows)}:{hashlib.sha256(ids.encode()).hexdigest()[:16]}:{ref_pk}"
    result = Result("", value, sample, why, observed_at=rows[-1][2], evidence_key=key)
    if value is None:
        result.status = Monitor.Status.ERROR
    return result


def evaluate(monitor: Monitor, now: dt.datetime | None = None) -> Result:
    """Measure a monitor's metric over its window; decide ok / warning / critical (no writes)."""
    now = now or timezone.now()
    try:
        metric = parse_metric(monitor.metric)
    except MetricError as exc:
        return Result(Monitor.Status.ERROR, detail=str(exc))
    if metric.kind == "point":
        result = _point_result(monitor, metric, now)
    elif metric.kind == "evaluation":
        result = _evaluation_result(monitor, metric, now)
    else:
        result = _profile_result(monitor, metric, now)
    if result.status:
        return result
    assert result.value is not None
    if result.sample_size is not None and result.sample_size < monitor.min_sample_size:
        result.status = Monitor.Status.INSUFFICIENT
        result.detail = _("%(n)d rows or events, fewer than the minimum of %(m)d.") % {
            "n": result.sample_size,
            "m": monitor.min_sample_size,
        }
        return result
    severity = monitor.severity_of(result.value)
    result.status = severity or Monitor.Status.OK
    if monitor.anomaly_method:
        _check_anomaly(monitor, metric, now, result, severity)
        if result.status != (severity or Monitor.Status.OK):
            return result
    if severity:
        threshold = monitor.critical_threshold if severity == "critical" else monitor.warning_threshold
        result.extra["threshold"] = threshold
        word = _("above") if monitor.comparison == Monitor.Comparison.ABOVE else _("below")
        result.detail = _("%(metric)s = %(v).4g, %(word)s the %(sev)s threshold %(t).4g") % {
            "metric": monitor.metric,
            "v": result.value,
            "word": word,
            "sev": severity,
            "t": threshold,
        }
    return result


# --- anomalies on the metric's series --------------------------------------------------------------

_RANK = {Monitor.Status.OK: 0, Monitor.Status.WARNING: 1, Monitor.Status.CRITICAL: 2}


def metric_series(
    monitor: Monitor, metric: Metric, now: dt.datetime, limit: int
) -> list[tuple[dt.datetime, float]]:
    """The last ``limit`` values of a monitor's metric as a time series, oldest first: each pushed
    point (``point.``), each lifecycle evaluation (``evaluation.``), or each batch profile's stored
    measurement (every other metric; drift against the reference of its arrival)."""
    from .metrics import series_value

    if metric.kind == "point":
        qs = MetricPoint.objects.filter(ai_system_id=monitor.ai_system_id, name=metric.parts[0])
        if monitor.model_version_id:
            qs = qs.filter(model_version_id=monitor.model_version_id)
        rows = list(
            qs.filter(observed_at__lte=now)
            .order_by("-observed_at", "-pk")
            .values_list("observed_at", "value")[:limit]
        )
        return rows[::-1]
    if metric.kind == "evaluation":
        from aims.lifecycle.models import Evaluation

        qs = Evaluation.objects.filter(
            organization_id=monitor.organization_id, model_version__ai_system_id=monitor.ai_system_id
        )
        if monitor.model_version_id:
            qs = qs.filter(model_version_id=monitor.model_version_id)
        out = []
        for when, metrics in (
            qs.filter(evaluated_at__lte=now)
            .order_by("-evaluated_at", "-pk")
            .values_list("evaluated_at", "metrics")[: limit * 2]
        ):
            value = (metrics or {}).get(metric.parts[0])
            if isinstance(value, int | float) and not isinstance(value, bool):
                out.append((when, float(value)))
        return out[:limit][::-1]
    qs = EvidenceProfile.objects.filter(ai_system_id=monitor.ai_system_id, role=EvidenceProfile.Role.BATCH)
    if monitor.model_version_id:
        qs = qs.filter(model_version_id=monitor.model_version_id)
    out = []
    for when, summary in (
        qs.filter(observed_at__lte=now)
        .order_by("-observed_at", "-pk")
        .values_list("observed_at", "summary")[:limit]
    ):
        value = series_value(summary or {}, metric.path)
        if value is not None:
            out.append((when, value))
    return out[::-1]


def _check_anomaly(
    monitor: Monitor, metric: Metric, now: dt.datetime, result: Result, severity: str | None
) -> None:
    """Look for an anomaly in the latest value of the metric's series; raise the result's status to
    the monitor's anomaly severity when there is one (a worse threshold breach wins)."""
    from aims.evidence.anomaly import detect

    series = metric_series(monitor, metric, now, monitor.anomaly_baseline + 1)
    if not series:
        return
    found = detect(
        [v for _w, v in series],
        monitor.anomaly_method,
        limit=monitor.anomaly_limit,
        baseline=monitor.anomaly_baseline,
    )
    result.extra["anomaly"] = {k: v for k, v in found.items() if not isinstance(v, float) or math.isfinite(v)}
    if not found["anomaly"] or _RANK[monitor.anomaly_severity] <= _RANK[severity or Monitor.Status.OK]:
        return
    high = (
        found["value"] > found["center"] if found["method"] == "robust_z" else found["ewma"] > found["center"]
    )
    bound = found["upper"] if high else found["lower"]
    result.status = monitor.anomaly_severity
    result.extra["threshold"] = bound
    result.extra["alert_value"] = found["value"]
    when = series[-1][0]
    if found["method"] == "robust_z":
        score = (
            _("robust z-score %(z).2f") % {"z": found["score"]}
            if math.isfinite(found["score"])
            else _("after a constant series")
        )
        result.detail = _(
            "Anomaly: %(metric)s = %(v).4g at %(when)s, %(score)s beyond ±%(k).3g "
            "(median %(c).4g of the %(n)d values before; limit %(b).4g)"
        ) % {
            "metric": monitor.metric,
            "v": found["value"],
            "when": when.strftime("%Y-%m-%d %H:%M"),
            "score": score,
            "k": found["limit"],
            "c": found["center"],
            "n": found["n_baseline"],
            "b": bound,
        }
    else:
        result.detail = _(
            "Anomaly: %(metric)s = %(v).4g at %(when)s moves its EWMA to %(e).4g, outside the control "
            "limits %(lo).4g to %(hi).4g (mean %(c).4g of the %(n)d values before)"
        ) % {
            "metric": monitor.metric,
            "v": found["value"],
            "when": when.strftime("%Y-%m-%d %H:%M"),
            "e": found["ewma"],
            "lo": found["lower"],
            "hi": found["upper"],
            "c": found["center"],
            "n": found["n_baseline"],
        }


def apply(monitor: Monitor, result: Result, *, actor: Actor | None = None) -> Alert | None:
    """Record a monitor's result, and open, escalate or resolve its alert. Returns the active alert."""
    actor = actor or Actor.system(monitor.organization, source="worker")
    now = timezone.now()
    follow_up: list[tuple[str, Alert]] = []
    with transaction.atomic():
        last = MonitorCheck.objects.filter(monitor=monitor).order_by("-evaluated_at", "-pk").first()
        new_evidence = last is None or last.evidence_key != result.evidence_key
        if new_evidence or last is None or last.status != result.status:
            MonitorCheck.objects.create(
                organization_id=monitor.organization_id,
                monitor=monitor,
                evaluated_at=now,
                observed_at=result.observed_at,
                value=result.value,
                sample_size=result.sample_size,
                status=result.status,
                detail=result.detail[:500],
                evidence_key=result.evidence_key,
            )
        Monitor.objects.filter(pk=monitor.pk).update(
            last_evaluated_at=now,
            last_value=result.value,
            last_sample_size=result.sample_size,
            last_status=result.status,
            last_detail=result.detail[:500],
        )
        alert = Alert.objects.select_for_update().filter(monitor=monitor, status__in=Alert.ACTIVE).first()
        if result.status in (Monitor.Status.WARNING, Monitor.Status.CRITICAL):
            threshold = result.extra.get("threshold")
            value = result.extra.get("alert_value", result.value)
            if alert is None:
                alert = Alert(
                    organization_id=monitor.organization_id,
                    monitor=monitor,
                    ai_system_id=monitor.ai_system_id,
                    severity=result.status,
                    value=value,
                    threshold=threshold,
                    message=result.detail[:500],
                    last_seen_at=now,
                )
                alert.full_clean(exclude=["created_by"])
                alert.save()
                audit.record(
                    actor,
                    AuditEvent.Action.CREATE,
                    obj=alert,
                    changes=audit.diff(None, audit.snapshot(alert)),
                )
                follow_up.append(("alert.opened", alert))
            elif alert.severity != result.status or new_evidence:
                before = audit.snapshot(alert)
                escalated = (
                    alert.severity == Alert.Severity.WARNING and result.status == Alert.Severity.CRITICAL
                )
                alert.severity, alert.value, alert.threshold = result.status, value, threshold
                alert.message, alert.last_seen_at = result.detail[:500], now
                alert.occurrences += 1
                alert.version += 1
                alert.updated_at = now
                alert.save()
                audit.record(
                    actor,
                    AuditEvent.Action.UPDATE,
                    obj=alert,
                    changes=audit.diff(before, audit.snapshot(alert)),
                )
                if escalated:
                    follow_up.append(("alert.escalated", alert))
        elif result.status == Monitor.Status.OK and alert is not None:
            alert = _resolve(
                actor,
                alert,
                _("Resolved by the worker: %(m)s is back within its thresholds (%(v).4g).")
                % {"m": monitor.metric, "v": result.value},
            )
            follow_up.append(("alert.resolved", alert))
            alert = None
        for event, a in follow_up:
            _follow_up(event, a)
    return alert


def _follow_up(event: str, alert: Alert) -> None:
    from . import hooks, notify

    notify.queue(alert, event)
    if event in ("alert.opened", "alert.escalated") and alert.severity == Alert.Severity.CRITICAL:
        hooks.run_critical(alert)


def evaluate_monitor(monitor: Monitor, now: dt.datetime | None = None) -> Result:
    result = evaluate(monitor, now)
    apply(monitor, result)
    return result


def evaluate_system(system_id: int, now: dt.datetime | None = None) -> dict[str, int]:
    counts: dict[str, int] = {}
    for monitor in Monitor.objects.filter(ai_system_id=system_id, active=True).select_related(
        "ai_system", "organization", "model_version"
    ):
        status = evaluate_monitor(monitor, now).status
        counts[status] = counts.get(status, 0) + 1
    return counts


def evaluate_all(organization: Organization | None = None, now: dt.datetime | None = None) -> dict[str, int]:
    counts: dict[str, int] = {}
    qs = Monitor.objects.filter(active=True).select_related("ai_system", "organization", "model_version")
    if organization is not None:
        qs = qs.filter(organization=organization)
    for monitor in qs:
        try:
            status = evaluate_monitor(monitor, now).status
        except Exception:  # noqa: BLE001 - one broken monitor must not stop the others
            log.exception("monitor %s failed", monitor.pk)
            status = "failed"
        counts[status] = counts.get(status, 0) + 1
    return counts


def run_now(actor: Actor, monitor: Monitor) -> Result:
    """Evaluate a monitor at once for someone who may change it (the 'evaluate now' button)."""
    actor.require("monitor", "change")
    if monitor.organization_id != actor.organization.pk:
        raise PermissionDenied
    result = evaluate(monitor)
    apply(monitor, result)
    return result


# --- alerts ------------------------------------------------------------------------------------------


def _resolve(actor: Actor, alert: Alert, note: str) -> Alert:
    before = audit.snapshot(alert)
    alert.status = Alert.Status.RESOLVED
    alert.resolved_at = timezone.now()
    alert.resolved_by = actor.user
    alert.note = "\n".join(x for x in (alert.note, note) if x)
    alert.version += 1
    alert.updated_at = timezone.now()
    alert.save()
    audit.record(
        actor, AuditEvent.Action.UPDATE, obj=alert, changes=audit.diff(before, audit.snapshot(alert))
    )
    return alert


def acknowledge_alert(actor: Actor, alert: Alert, *, note: str = "") -> Alert:
    """Someone has seen the alert and is on it (open → acknowledged)."""
    if alert.status != Alert.Status.OPEN:
        raise ValidationError(
            {
                "status": _("Only an open alert can be acknowledged; this one is %(s)s.")
                % {"s": alert.get_status_display()}
            }
        )

    def mark(obj: Alert) -> None:
        obj.status = Alert.Status.ACKNOWLEDGED
        obj.acknowledged_at = timezone.now()
        obj.acknowledged_by = actor.user
        if note:
            obj.note = "\n".join(x for x in (obj.note, note) if x)

    return core.update(actor, alert, {}, before_save=mark)


def resolve_alert(actor: Actor, alert: Alert, *, note: str = "") -> Alert:
    """The cause was handled (open or acknowledged → resolved)."""
    if alert.status == Alert.Status.RESOLVED:
        raise ValidationError({"status": _("This alert is already resolved.")})

    def mark(obj: Alert) -> None:
        obj.status = Alert.Status.RESOLVED
        obj.resolved_at = timezone.now()
        obj.resolved_by = actor.user
        if note:
            obj.note = "\n".join(x for x in (obj.note, note) if x)

    return core.update(actor, alert, {}, before_save=mark)


# --- trends ----------------------------------------------------------------------------------------


def profile_series(
    system: AISystem, paths: Iterable[str], *, limit: int = 200
) -> dict[str, list[tuple[dt.datetime, float]]]:
    """path -> [(observed_at, value)] over the system's batch profiles, oldest first."""
    from .metrics import series_value

    rows = list(
        EvidenceProfile.objects.filter(ai_system=system, role=EvidenceProfile.Role.BATCH)
        .order_by("-observed_at", "-pk")
        .values_list("observed_at", "summary")[:limit]
    )[::-1]
    out: dict[str, list[tuple[dt.datetime, float]]] = {}
    for path in paths:
        points = [(when, v) for when, summary in rows if (v := series_value(summary or {}, path)) is not None]
        out[path] = points
    return out


def point_series(system: AISystem, *, limit: int = 500) -> dict[str, list[tuple[dt.datetime, float]]]:
    names = list(
        MetricPoint.objects.filter(ai_system=system)
        .values_list("name", flat=True)
        .distinct()
        .order_by("name")[:30]
    )
    out = {}
    for name in names:
        rows = list(
            MetricPoint.objects.filter(ai_system=system, name=name)
            .order_by("-observed_at", "-pk")
            .values_list("observed_at", "value")[:limit]
        )
        out[name] = rows[::-1]
    return out


def last_point_time(system: AISystem) -> dt.datetime | None:
    return MetricPoint.objects.filter(ai_system=system).aggregate(t=Max("observed_at"))["t"]
