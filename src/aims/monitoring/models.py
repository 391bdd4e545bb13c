"""Clause 9.1 and A.6.2.6, operation and monitoring: the evidence that flows in from AI systems
(stored profiles and pushed metric points), the monitors that watch it, the alerts they raise, and
the channels that notify people.

Evidence never holds raw rows: a `EvidenceProfile` is the mergeable profile `aims.evidence` makes
next to the data (counts, fixed-edge histograms, confusion counts per group), and a `MetricPoint`
is one number (latency, error rate, a business figure)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aims.core.base import OrgScopedModel


def _same_org(errors: dict[str, Any], obj: models.Model, *names: str) -> None:
    for name in names:
        related = getattr(obj, name, None)
        if related is not None and related.organization_id != obj.organization_id:  # type: ignore[attr-defined]
            errors[name] = _("Not found in this organization.")


class EvidenceProfile(OrgScopedModel):
    """A profile of one batch of an AI system's data and outputs (or of its reference data), made
    by `aims.evidence` where the data lives. Profiles of the same system merge into the profile of
    a whole window, which is what monitors measure."""

    object_type = "evidence_profile"
    protected_fields = OrgScopedModel.protected_fields | {"digest", "n_rows", "summary", "size_bytes"}

    class Role(models.TextChoices):
        BATCH = "batch", _("Production batch")
        REFERENCE = "reference", _("Reference (what the model was validated on)")

    ai_system = models.ForeignKey(
        "inventory.AISystem",
        on_delete=models.CASCADE,
        related_name="evidence_profiles",
        verbose_name=_("AI system"),
        help_text=_("The AI system whose data this profile summarises."),
    )
    model_version = models.ForeignKey(
        "lifecycle.ModelVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="evidence_profiles",
        verbose_name=_("model version"),
        help_text=_("The model version that produced the predictions, when known."),
    )
    name = models.CharField(
        _("name"),
        max_length=200,
        blank=True,
        help_text=_("What the data is, for example 'scored applications, week 23' or 'validation set'."),
    )
    role = models.CharField(
        _("role"),
        max_length=16,
        choices=Role.choices,
        default=Role.BATCH,
        help_text=_("A production batch is measured; a reference is what drift is measured against."),
    )
    observed_at = models.DateTimeField(
        _("observed at"),
        default=timezone.now,
        db_index=True,
        help_text=_("When the data was produced (the end of the batch). Trends and windows use this time."),
    )
    document = models.JSONField(
        _("profile"), help_text=_("The profile document made by aims.evidence (no raw rows).")
    )
    digest = models.CharField(
        _("SHA-256"), max_length=71, editable=False, help_text=_("Digest of the profile document.")
    )
    n_rows = models.PositiveBigIntegerField(_("rows"), default=0, editable=False)
    size_bytes = models.PositiveIntegerField(_("size"), default=0, editable=False)
    summary = models.JSONField(
        _("measurements"),
        default=dict,
        blank=True,
        editable=False,
        help_text=_(
            "Performance, fairness, data quality and drift computed from this profile when it arrived."
        ),
    )

    class Meta:
        ordering = ["-observed_at", "-pk"]
        verbose_name = _("evidence profile")
        verbose_name_plural = _("evidence profiles")
        indexes = [models.Index(fields=["ai_system", "role", "observed_at"], name="monitoring_profile_idx")]

    def __str__(self) -> str:
        return self.name or f"{self.get_role_display()} {self.observed_at:%Y-%m-%d %H:%M}"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        _same_org(errors, self, "ai_system", "model_version")
        if (
            self.model_version is not None
            and self.ai_system_id
            and self.model_version.ai_system_id != self.ai_system_id
        ):
            errors["model_version"] = _("This model version belongs to another AI system.")
        if errors:
            raise ValidationError(errors)


class MetricPoint(OrgScopedModel):
    """One measured number pushed by a pipeline or an application: latency, error rate, complaints,
    approvals per day. Monitors watch these like any evidence metric."""

    object_type = "metric_point"

    ai_system = models.ForeignKey(
        "inventory.AISystem",
        on_delete=models.CASCADE,
        related_name="metric_points",
        verbose_name=_("AI system"),
    )
    model_version = models.ForeignKey(
        "lifecycle.ModelVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="metric_points",
        verbose_name=_("model version"),
    )
    name = models.CharField(
        _("metric"),
        max_length=100,
        help_text=_("A short name: letters, digits, '.', '_' or '-', for example latency_p95_ms."),
    )
    value = models.FloatField(_("value"))
    observed_at = models.DateTimeField(_("observed at"), default=timezone.now, db_index=True)
    sample_size = models.PositiveBigIntegerField(
        _("sample size"),
        null=True,
        blank=True,
        help_text=_("How many events the value summarises, when it is an average or a rate."),
    )
    labels = models.JSONField(
        _("labels"), default=dict, blank=True, help_text=_('Optional name → text, e.g. {"region": "EU"}.')
    )

    class Meta:
        ordering = ["-observed_at", "-pk"]
        verbose_name = _("metric point")
        verbose_name_plural = _("metric points")
        indexes = [models.Index(fields=["ai_system", "name", "observed_at"], name="monitoring_point_idx")]

    def __str__(self) -> str:
        return f"{self.name} = {self.value:g}"


class NotificationChannel(OrgScopedModel):
    """Where alerts go: e-mail addresses, or a webhook that receives a signed JSON document."""

    object_type = "notification_channel"

    class Kind(models.TextChoices):
        EMAIL = "email", _("E-mail")
        WEBHOOK = "webhook", _("Webhook (signed JSON)")

    class MinSeverity(models.TextChoices):
        WARNING = "warning", _("Warnings and critical alerts")
        CRITICAL = "critical", _("Critical alerts only")

    name = models.CharField(
        _("name"), max_length=120, help_text=_("For example 'ML on-call' or 'Incident desk webhook'.")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.EMAIL)
    target = models.CharField(
        _("send to"),
        max_length=1000,
        help_text=_(
            "For e-mail: addresses separated by commas. For a webhook: the https URL that receives the alert."
        ),
    )
    secret = models.CharField(
        _("signing secret"),
        max_length=200,
        blank=True,
        help_text=_(
            "Webhooks only: the shared secret. Each request carries X-AIMS-Signature: sha256=HMAC-SHA256(secret, body) "
            "so the receiver can check that AIMS sent it. At least 16 characters."
        ),
    )
    min_severity = models.CharField(
        _("send"),
        max_length=16,
        choices=MinSeverity.choices,
        default=MinSeverity.WARNING,
    )
    active = models.BooleanField(_("active"), default=True)
    description = models.TextField(
        _("about this channel"),
        blank=True,
        help_text=_("Who is behind it and what they do with an alert; shown with the channel's deliveries."),
    )

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("notification channel")
        verbose_name_plural = _("notification channels")

    def __str__(self) -> str:
        return self.name

    @property
    def recipients(self) -> list[str]:
        return [a.strip() for a in self.target.split(",") if a.strip()]

    def clean(self) -> None:
        from django.core.validators import URLValidator, validate_email

        errors: dict[str, Any] = {}
        if self.kind == self.Kind.EMAIL:
            if not self.recipients:
                errors["target"] = _("Give at least one e-mail address.")
            for address in self.recipients:
                try:
                    validate_email(address)
                except ValidationError:
                    errors["target"] = _("%(a)s is not an e-mail address.") % {"a": address}
        else:
            try:
                URLValidator(schemes=["http", "https"])(self.target)
            except ValidationError:
                errors["target"] = _("Give an http or https URL.")
            if len(self.secret or "") < 16:
                errors["secret"] = _("A webhook needs a signing secret of at least 16 characters.")
        if errors:
            raise ValidationError(errors)


class Monitor(OrgScopedModel):
    """A rule that watches one metric of one AI system: when the value crosses the warning or the
    critical threshold, with enough data behind it, it raises an alert."""

    object_type = "monitor"
    protected_fields = OrgScopedModel.protected_fields | {
        "last_evaluated_at",
        "last_value",
        "last_status",
        "last_sample_size",
        "last_detail",
    }

    class Comparison(models.TextChoices):
        ABOVE = "above", _("Alert when the value rises above the threshold")
        BELOW = "below", _("Alert when the value falls below the threshold")

    class AnomalyMethod(models.TextChoices):
        OFF = "", _("No anomaly detection")
        ROBUST_Z = "robust_z", _("Robust z-score (median and MAD of the recent values)")
        EWMA = "ewma", _("EWMA control chart (sustained shifts)")

    class AnomalySeverity(models.TextChoices):
        WARNING = "warning", _("Warning")
        CRITICAL = "critical", _("Critical")

    class Status(models.TextChoices):
        NEW = "new", _("Not evaluated yet")
        OK = "ok", _("Within thresholds")
        WARNING = "warning", _("Warning")
        CRITICAL = "critical", _("Critical")
        INSUFFICIENT = "insufficient_data", _("Too little data")
        NO_DATA = "no_data", _("No data in the window")
        ERROR = "error", _("Cannot be measured")

    ai_system = models.ForeignKey(
        "inventory.AISystem",
        on_delete=models.CASCADE,
        related_name="monitors",
        verbose_name=_("AI system"),
    )
    model_version = models.ForeignKey(
        "lifecycle.ModelVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="monitors",
        verbose_name=_("model version"),
        help_text=_("Only evidence of this model version counts; leave empty for all."),
    )
    name = models.CharField(
        _("name"), max_length=200, help_text=_("For example 'Approval-rate gap between women and men'.")
    )
    metric = models.CharField(
        _("metric"),
        max_length=300,
        help_text=_(
            "What to measure, as a path: performance.accuracy, fairness.sex.demographic_parity_difference, "
            "fairness.sex.groups.female.selection_rate, drift.age.psi, drift.share_drifted, "
            "quality.age.missing_share, volume.n_rows, or point.<name> for a pushed metric."
        ),
    )
    comparison = models.CharField(
        _("comparison"), max_length=8, choices=Comparison.choices, default=Comparison.ABOVE
    )
    warning_threshold = models.FloatField(_("warning threshold"), null=True, blank=True)
    critical_threshold = models.FloatField(_("critical threshold"), null=True, blank=True)
    window_hours = models.PositiveIntegerField(
        _("window (hours)"),
        default=168,
        help_text=_(
            "The evidence of this many hours back from now is merged and measured. 0 means the latest batch only."
        ),
    )
    min_sample_size = models.PositiveIntegerField(
        _("minimum sample size"),
        default=100,
        help_text=_(
            "Below this many rows (or events, for pushed metrics) the monitor reports 'too little data' instead of alerting."
        ),
    )
    reference_profile = models.ForeignKey(
        EvidenceProfile,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reference"),
        help_text=_(
            "Drift metrics compare with this profile; by default the system's latest reference profile."
        ),
    )
    anomaly_method = models.CharField(
        _("anomaly detection"),
        max_length=16,
        choices=AnomalyMethod.choices,
        default=AnomalyMethod.OFF,
        blank=True,
        help_text=_(
            "Also alert when the latest value is unusually far, up or down, from the values before it, "
            "without a threshold set by hand. Robust z-score: a single odd value; EWMA: a sustained shift."
        ),
    )
    anomaly_limit = models.FloatField(
        _("anomaly limit"),
        null=True,
        blank=True,
        help_text=_(
            "How far from normal counts as an anomaly, in standard deviations; empty for the usual "
            "3.5 (robust z-score) or 3 (EWMA). Larger means fewer alerts."
        ),
    )
    anomaly_baseline = models.PositiveIntegerField(
        _("anomaly baseline"),
        default=30,
        help_text=_(
            "How many earlier values (metric points, batches or evaluations) describe normal. "
            "With fewer than 8 the monitor does not look for anomalies yet."
        ),
    )
    anomaly_severity = models.CharField(
        _("anomaly severity"),
        max_length=16,
        choices=AnomalySeverity.choices,
        default=AnomalySeverity.WARNING,
        help_text=_("The severity of the alert an anomaly raises."),
    )
    channels = models.ManyToManyField(
        NotificationChannel,
        blank=True,
        related_name="monitors",
        verbose_name=_("notify"),
        help_text=_("Who is told when an alert opens or becomes critical."),
    )
    open_incident = models.BooleanField(
        _("open an incident when critical"),
        default=False,
        help_text=_("A critical alert opens an incident in the incident register (A.8.4)."),
    )
    active = models.BooleanField(_("active"), default=True)
    description = models.TextField(
        _("why this is watched"), blank=True, help_text=_("The risk or objective behind it.")
    )
    last_evaluated_at = models.DateTimeField(_("last evaluated"), null=True, blank=True, editable=False)
    last_value = models.FloatField(_("last value"), null=True, blank=True, editable=False)
    last_sample_size = models.PositiveBigIntegerField(
        _("last sample size"), null=True, blank=True, editable=False
    )
    last_status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW, editable=False
    )
    last_detail = models.CharField(_("detail"), max_length=500, blank=True, editable=False)

    class Meta:
        ordering = ["ai_system__name", "name", "pk"]
        verbose_name = _("monitor")
        verbose_name_plural = _("monitors")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("monitoring:monitor-detail", args=[self.pk])

    def clean(self) -> None:
        from .metrics import MetricError, parse_metric

        errors: dict[str, Any] = {}
        _same_org(errors, self, "ai_system", "model_version", "reference_profile")
        try:
            parse_metric(self.metric or "")
        except MetricError as exc:
            errors["metric"] = str(exc)
        if self.warning_threshold is None and self.critical_threshold is None and not self.anomaly_method:
            errors["warning_threshold"] = _(
                "Give a warning threshold, a critical threshold, or both, or turn on anomaly detection."
            )
        elif self.warning_threshold is not None and self.critical_threshold is not None:
            above = self.comparison == self.Comparison.ABOVE
            if (above and self.critical_threshold < self.warning_threshold) or (
                not above and self.critical_threshold > self.warning_threshold
            ):
                errors["critical_threshold"] = _(
                    "The critical threshold must be further from normal than the warning threshold."
                )
        if self.anomaly_limit is not None and not (0 < self.anomaly_limit <= 100):
            errors["anomaly_limit"] = _("Give a number above 0 (at most 100), or leave it empty.")
        if not (8 <= (self.anomaly_baseline or 0) <= 1000):
            errors["anomaly_baseline"] = _("Between 8 and 1000 earlier values.")
        if (
            self.reference_profile is not None
            and self.ai_system_id
            and self.reference_profile.ai_system_id != self.ai_system_id
        ):
            errors["reference_profile"] = _("The reference must be a profile of the same AI system.")
        if errors:
            raise ValidationError(errors)

    def severity_of(self, value: float) -> str | None:
        """'critical', 'warning' or None for a value, by the comparison and thresholds."""

        def beyond(threshold: float | None) -> bool:
            if threshold is None:
                return False
            return value > threshold if self.comparison == self.Comparison.ABOVE else value < threshold

        if beyond(self.critical_threshold):
            return "critical"
        if beyond(self.warning_threshold):
            return "warning"
        return None


class MonitorCheck(models.Model):
    """One evaluation of a monitor: the value, how much data it rests on, and the status. The
    series a monitor's chart draws."""

    organization = models.ForeignKey("core.Organization", on_delete=models.CASCADE, related_name="+")
    monitor = models.ForeignKey(Monitor, on_delete=models.CASCADE, related_name="checks")
    evaluated_at = models.DateTimeField(_("evaluated"), default=timezone.now, db_index=True)
    observed_at = models.DateTimeField(_("evidence up to"), null=True, blank=True)
    value = models.FloatField(_("value"), null=True, blank=True)
    sample_size = models.PositiveBigIntegerField(_("sample size"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Monitor.Status.choices)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    evidence_key = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-evaluated_at", "-pk"]
        verbose_name = _("monitor check")
        verbose_name_plural = _("monitor checks")

    def __str__(self) -> str:
        return f"{self.monitor} · {self.status}"


class Alert(OrgScopedModel):
    """A monitor found its metric beyond a threshold. Open until someone acknowledges it, resolved
    when handled or when the metric comes back (the worker resolves it then, and says so)."""

    object_type = "alert"
    protected_fields = OrgScopedModel.protected_fields | {
        "monitor",
        "ai_system",
        "severity",
        "status",
        "value",
        "threshold",
        "message",
        "occurrences",
        "last_seen_at",
        "acknowledged_at",
        "acknowledged_by",
        "resolved_at",
        "resolved_by",
        "links",
    }

    class Severity(models.TextChoices):
        WARNING = "warning", _("Warning")
        CRITICAL = "critical", _("Critical")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        RESOLVED = "resolved", _("Resolved")

    ACTIVE = ("open", "acknowledged")

    monitor = models.ForeignKey(
        Monitor, on_delete=models.CASCADE, related_name="alerts", verbose_name=_("monitor")
    )
    ai_system = models.ForeignKey(
        "inventory.AISystem",
        on_delete=models.CASCADE,
        related_name="alerts",
        verbose_name=_("AI system"),
    )
    severity = models.CharField(_("severity"), max_length=16, choices=Severity.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    value = models.FloatField(_("value"), null=True, blank=True)
    threshold = models.FloatField(_("threshold"), null=True, blank=True)
    message = models.CharField(_("message"), max_length=500)
    occurrences = models.PositiveIntegerField(_("times seen"), default=1)
    last_seen_at = models.DateTimeField(_("last seen"), default=timezone.now)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    note = models.TextField(_("note"), blank=True, help_text=_("What was found or done."))
    links = models.JSONField(
        _("follow-up"),
        default=dict,
        blank=True,
        help_text=_("What the alert set in motion: risks marked for review, the incident it opened."),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        indexes = [models.Index(fields=["organization", "status", "severity"], name="monitoring_alert_idx")]

    def __str__(self) -> str:
        return f"{self.get_severity_display()}: {self.message}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("monitoring:alert-detail", args=[self.pk])


class Notification(models.Model):
    """One delivery of one alert to one channel, with its attempts (webhooks are retried with
    backoff). The log a reviewer reads to see who was told, and when."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RETRYING = "retrying", _("Retrying")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    organization = models.ForeignKey("core.Organization", on_delete=models.CASCADE, related_name="+")
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="notifications")
    channel = models.ForeignKey(NotificationChannel, on_delete=models.CASCADE, related_name="notifications")
    event = models.CharField(_("event"), max_length=40)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    response_code = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    signature = models.CharField(
        _("signature sent"),
        max_length=80,
        blank=True,
        help_text=_("Webhooks: the X-AIMS-Signature header of the last attempt (never the secret)."),
    )
    response_body = models.CharField(
        _("answer"),
        max_length=300,
        blank=True,
        help_text=_("Webhooks: the start of what the receiver answered to the last attempt."),
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"{self.event} → {self.channel} ({self.status})"
