"""API schemas of the monitoring area: XIn (create), XPatch (partial update), XOut (read), XList."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import Field
from pydantic import BeforeValidator

from aims.core.api_helpers import Page
from aims.core.schema import Schema

from .models import Alert, EvidenceProfile, Monitor, NotificationChannel


def _key(value: Any) -> Any:
    """Ids may come as numbers or text; both name the same object."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


# An id (number or digits) or a slug / label.
SystemKey = Annotated[str, BeforeValidator(_key)]


# --- profiles -----------------------------------------------------------------------------------------


class ProfileIn(Schema):
    ai_system: SystemKey = Field(..., description="The AI system's id or slug.")
    model_version: SystemKey | None = Field(
        None, description="The model version's id or label (e.g. 2.0.0), when known."
    )
    name: str = Field(
        "", max_length=200, description="What the data is, e.g. 'scored applications, week 23'."
    )
    role: EvidenceProfile.Role = Field(
        EvidenceProfile.Role.BATCH,
        description="batch (production data, measured) or reference (drift baseline).",
    )
    observed_at: dt.datetime | None = Field(None, description="When the data was produced (default: now).")
    profile: dict[str, Any] = Field(
        ...,
        description="The profile document made by aims.evidence.make_profile(...).to_dict(); holds no raw rows.",
    )


class ProfileOut(Schema):
    id: int
    ai_system_id: int
    ai_system: str = Field(..., alias="ai_system.slug")
    model_version_id: int | None
    name: str
    role: str
    observed_at: dt.datetime
    n_rows: int
    digest: str
    size_bytes: int
    summary: dict[str, Any] = Field(
        ..., description="Performance, fairness, data quality and drift measured from the profile."
    )
    created_at: dt.datetime


class ProfileList(Page):
    items: list[ProfileOut]


class ProfileFilters(Schema):
    ai_system: str | None = Field(None, description="Id or slug.")
    role: EvidenceProfile.Role | None = None
    model_version: int | None = Field(None, description="Model version id.")
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    page: int = 1
    page_size: int = 50


# --- metric points ------------------------------------------------------------------------------------


class PointIn(Schema):
    name: str = Field(..., min_length=1, max_length=100, description="Letters, digits, '.', '_' or '-'.")
    value: float
    observed_at: dt.datetime | None = Field(None, description="Default: now.")
    sample_size: int | None = Field(None, ge=0, description="How many events the value summarises.")
    labels: dict[str, str] = Field(default_factory=dict)


class PointsIn(Schema):
    ai_system: SystemKey
    model_version: SystemKey | None = None
    points: list[PointIn] = Field(..., min_length=1, max_length=10_000)


class PointsCreated(Schema):
    created: int
    ai_system: str


class PointOut(Schema):
    id: int
    ai_system_id: int
    model_version_id: int | None
    name: str
    value: float
    observed_at: dt.datetime
    sample_size: int | None
    labels: dict[str, str]


class PointList(Page):
    items: list[PointOut]


class PointFilters(Schema):
    ai_system: str | None = None
    name: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    page: int = 1
    page_size: int = 100


# --- monitors -----------------------------------------------------------------------------------------


class MonitorIn(Schema):
    ai_system: SystemKey = Field(..., description="The AI system's id or slug.")
    model_version: SystemKey | None = Field(
        None, description="Only this model version's evidence (id or label)."
    )
    name: str = Field(..., min_length=1, max_length=200)
    metric: str = Field(
        ...,
        max_length=300,
        description="e.g. performance.accuracy, fairness.sex.demographic_parity_difference, drift.age.psi, point.latency_ms (docs/monitoring.md).",
    )
    comparison: Monitor.Comparison = Monitor.Comparison.ABOVE
    warning_threshold: float | None = None
    critical_threshold: float | None = None
    anomaly_method: Monitor.AnomalyMethod = Field(
        Monitor.AnomalyMethod.OFF,
        description="'' (off), 'robust_z' or 'ewma': also alert on an unusual latest value (docs/monitoring.md).",
    )
    anomaly_limit: float | None = Field(None, gt=0, le=100, description="Default 3.5 (robust_z) or 3 (ewma).")
    anomaly_baseline: int = Field(30, ge=8, le=1000, description="Earlier values that describe normal.")
    anomaly_severity: Monitor.AnomalySeverity = Monitor.AnomalySeverity.WARNING
    window_hours: int = Field(168, ge=0, le=24 * 366)
    min_sample_size: int = Field(100, ge=0)
    reference_profile: int | None = Field(
        None, description="Profile id to measure drift against (default: the latest reference)."
    )
    channels: list[int] = Field(default_factory=list, description="Notification channel ids.")
    open_incident: bool = False
    active: bool = True
    description: str = ""


class MonitorPatch(Schema):
    model_version: SystemKey | None = None
    name: str | None = Field(None, min_length=1, max_length=200)
    metric: str | None = Field(None, max_length=300)
    comparison: Monitor.Comparison | None = None
    warning_threshold: float | None = None
    critical_threshold: float | None = None
    anomaly_method: Monitor.AnomalyMethod | None = None
    anomaly_limit: float | None = Field(None, gt=0, le=100)
    anomaly_baseline: int | None = Field(None, ge=8, le=1000)
    anomaly_severity: Monitor.AnomalySeverity | None = None
    window_hours: int | None = Field(None, ge=0, le=24 * 366)
    min_sample_size: int | None = Field(None, ge=0)
    reference_profile: int | None = None
    channels: list[int] | None = None
    open_incident: bool | None = None
    active: bool | None = None
    description: str | None = None


class MonitorOut(Schema):
    id: int
    ai_system_id: int
    ai_system: str = Field(..., alias="ai_system.slug")
    model_version_id: int | None
    name: str
    metric: str
    comparison: str
    warning_threshold: float | None
    critical_threshold: float | None
    anomaly_method: str
    anomaly_limit: float | None
    anomaly_baseline: int
    anomaly_severity: str
    window_hours: int
    min_sample_size: int
    reference_profile_id: int | None
    channels: list[int]
    open_incident: bool
    active: bool
    description: str
    last_evaluated_at: dt.datetime | None
    last_value: float | None
    last_sample_size: int | None
    last_status: str
    last_detail: str
    version: int

    @staticmethod
    def resolve_channels(obj: Monitor) -> list[int]:
        return [c.pk for c in obj.channels.all()]


class MonitorList(Page):
    items: list[MonitorOut]


class MonitorFilters(Schema):
    ai_system: str | None = None
    status: Monitor.Status | None = None
    active: bool | None = None
    page: int = 1
    page_size: int = 50


class CheckOut(Schema):
    evaluated_at: dt.datetime
    observed_at: dt.datetime | None
    value: float | None
    sample_size: int | None
    status: str
    detail: str


class EvaluateOut(Schema):
    status: str
    value: float | None
    sample_size: int | None
    detail: str


# --- alerts -------------------------------------------------------------------------------------------


class AlertOut(Schema):
    id: int
    monitor_id: int
    monitor: str = Field(..., alias="monitor.name")
    ai_system_id: int
    ai_system: str = Field(..., alias="ai_system.slug")
    severity: str
    status: str
    value: float | None
    threshold: float | None
    message: str
    occurrences: int
    created_at: dt.datetime
    last_seen_at: dt.datetime
    acknowledged_at: dt.datetime | None
    resolved_at: dt.datetime | None
    note: str
    links: dict[str, Any]
    version: int


class AlertList(Page):
    items: list[AlertOut]


class AlertFilters(Schema):
    status: Alert.Status | None = None
    active: bool | None = Field(None, description="true: open or acknowledged.")
    severity: Alert.Severity | None = None
    ai_system: str | None = None
    monitor: int | None = None
    page: int = 1
    page_size: int = 50


class AlertAction(Schema):
    note: str = Field("", max_length=2000)


class NotificationOut(Schema):
    id: int
    channel_id: int
    channel: str = Field(..., alias="channel.name")
    event: str
    status: str
    attempts: int
    last_error: str
    response_code: int | None
    signature: str = Field(..., description="Webhooks: the X-AIMS-Signature header of the last attempt.")
    response_body: str = Field(..., description="Webhooks: the start of the receiver's answer.")
    created_at: dt.datetime
    sent_at: dt.datetime | None
    next_attempt_at: dt.datetime | None


# --- notification channels -----------------------------------------------------------------------------


class ChannelIn(Schema):
    name: str = Field(..., min_length=1, max_length=120)
    kind: NotificationChannel.Kind = NotificationChannel.Kind.EMAIL
    target: str = Field(
        ...,
        min_length=1,
        max_length=1000,
        description="E-mail addresses (comma-separated) or the webhook URL.",
    )
    secret: str = Field(
        "", max_length=200, description="Webhook signing secret (at least 16 characters); never shown again."
    )
    min_severity: NotificationChannel.MinSeverity = NotificationChannel.MinSeverity.WARNING
    active: bool = True
    description: str = Field("", max_length=2000, description="Who is behind the channel.")


class ChannelPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    kind: NotificationChannel.Kind | None = None
    target: str | None = Field(None, min_length=1, max_length=1000)
    secret: str | None = Field(None, max_length=200)
    min_severity: NotificationChannel.MinSeverity | None = None
    active: bool | None = None
    description: str | None = Field(None, max_length=2000)


class ChannelOut(Schema):
    id: int
    name: str
    kind: str
    target: str
    has_secret: bool
    min_severity: str
    active: bool
    description: str
    version: int

    @staticmethod
    def resolve_has_secret(obj: NotificationChannel) -> bool:
        return bool(obj.secret)


class ChannelList(Page):
    items: list[ChannelOut]


class ChannelFilters(Schema):
    kind: NotificationChannel.Kind | None = None
    page: int = 1
    page_size: int = 50
