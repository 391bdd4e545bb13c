"""Demo content of the monitoring area: the retail credit-scoring model in production.

The demo's credit model (`aims.inventory.demo.credit_scoring_model()`, trained on the German credit
data) scores eight weekly batches of 250 applicants drawn (seeded) from the 1,000 applicants. The
training split, scored, is the reference profile. From week 7 the applicant mix shifts (more
young women apply, after a marketing campaign) and credit amounts rise by a third: the drift monitor
on the credit amount crosses its critical threshold, which raises a critical alert, notifies the ML
on-call e-mail channel and the incident desk's webhook, and marks the system's risks for review. The
other monitors (accuracy, approval-rate gap between women and men, input volume, scoring latency)
stay within their thresholds.

The webhook is delivered for real: while the monitors are evaluated, `demo_receiver()` runs the
receiver of `aims webhook-receiver` (`receiver.py`) in a background thread on the loopback interface,
points the demo channel at it and switches it on; the alert's delivery goes through `notify.deliver`
over HTTP (the SSRF guard lets through exactly that URL, `notify.allow_local`), the receiver checks
the signature and answers 200, and the delivery is recorded as sent with that answer. Then the
receiver stops and the channel goes back to how it was: on first load, switched off and pointing at
the default address of `aims webhook-receiver`, so later alerts are not sent to a receiver that is
gone (docs/monitoring.md, "Demo"). The e-mail is left to the worker, like any other.

Everything is computed by `aims.evidence` at load time, as a pipeline would with the SDK; profiles
are matched by name and dated relative to the day they are first loaded, so loading again writes
nothing. Called by aims.core.demo.load()."""

from __future__ import annotations

import contextlib
import datetime as dt
import secrets
from collections.abc import Iterator
from typing import Any

import numpy as np
from django.utils import timezone

from aims.core.demo import actor, ensure
from aims.inventory.models import AISystem

from . import notify, services
from .models import EvidenceProfile, MetricPoint, Monitor, Notification, NotificationChannel
from .receiver import DEFAULT_PATH, DEFAULT_PORT, WebhookReceiver

SYSTEM = "retail-credit-scoring"
WEEKS = 8
BATCH = 250
SEED = 7
SHIFT_FROM = 6  # weeks 7 and 8 (0-based 6, 7) see the shifted applicant mix
PROFILE_ARGS = {"target": "risk", "prediction": "approved", "score": "score", "sensitive": ["sex"]}
WEBHOOK_CHANNEL = "Incident desk webhook (demo receiver)"
WEBHOOK_URL = f"http://127.0.0.1:{DEFAULT_PORT}{DEFAULT_PATH}"  # where `aims webhook-receiver` listens
WEBHOOK_ABOUT = (
    "The demo's stand-in for an incident desk. While `aims demo` loaded the demo, it ran the receiver of "
    "`aims webhook-receiver` on this computer's loopback interface for this channel only: the critical drift "
    "alert was sent to it over HTTP, the receiver checked the HMAC-SHA256 signature with this channel's secret "
    'and answered 200 {"verified": true}. The receiver stopped when the demo finished, so the channel is '
    "switched off and points at the default address of `aims webhook-receiver`. To receive the demo's alerts "
    f'yourself, run `aims webhook-receiver --channel "{WEBHOOK_CHANNEL}" --org demo`, start the worker with '
    "AIMS_WEBHOOK_ALLOW_PRIVATE=true (it refuses local addresses otherwise) and switch the channel on; for a "
    "real endpoint, give its https URL and secret instead."
)


def _frame(model: Any, rows: list[dict[str, str]], index: Any, inflate: float = 1.0) -> dict[str, np.ndarray]:
    from aims.inventory.demo import THRESHOLD

    chosen = [dict(rows[i]) for i in index]
    for r in chosen:
        r["credit_amount"] = str(round(float(r["credit_amount"]) * inflate))
    scores = model.predict_proba(chosen)
    return {
        "risk": np.array([int(r["risk"]) for r in chosen]),
        "approved": (scores >= THRESHOLD).astype(int),
        "score": scores,
        "sex": np.array([r["sex"] for r in chosen]),
        "age": np.array([float(r["age"]) for r in chosen]),
        "credit_amount": np.array([float(r["credit_amount"]) for r in chosen]),
        "duration": np.array([float(r["duration"]) for r in chosen]),
        "purpose": np.array([r["purpose"] for r in chosen]),
        "housing": np.array([r["housing"] for r in chosen]),
        "checking_account": np.array([r["checking_account"] for r in chosen]),
    }


def credit_profiles() -> tuple[Any, list[Any]]:
    """(reference profile, [weekly batch profiles]) of the demo credit model; deterministic."""
    from aims import evidence
    from aims.inventory.demo import credit_scoring_model, load_german_credit

    model = credit_scoring_model()
    rows = load_german_credit()
    reference = evidence.make_profile(_frame(model, rows, model.train_index), **PROFILE_ARGS)
    rng = np.random.default_rng(SEED)
    ages = np.array([float(r["age"]) for r in rows])
    sex = np.array([r["sex"] for r in rows])
    shifted = np.where((ages < 30) & (sex == "female"), 4.0, 1.0)
    shifted /= shifted.sum()
    batches = []
    for week in range(WEEKS):
        if week < SHIFT_FROM:
            index, inflate = rng.choice(len(rows), BATCH, replace=True), 1.0
        else:
            index, inflate = rng.choice(len(rows), BATCH, replace=True, p=shifted), 1.35
        batches.append(evidence.make_profile(_frame(model, rows, index, inflate), **PROFILE_ARGS))
    return reference, batches


def _model_version(system: AISystem) -> Any:
    try:
        from aims.lifecycle.models import ModelVersion
    except ImportError:
        return None
    return ModelVersion.objects.filter(ai_system=system, name="credit-scoring-logreg", label="2.0.0").first()


def _listen(secret: str) -> WebhookReceiver:
    """The receiver on the documented port when it is free (the channel's URL then stays the same),
    else on any free loopback port."""
    try:
        return WebhookReceiver(secret, port=DEFAULT_PORT)
    except OSError:
        return WebhookReceiver(secret, port=0)


@contextlib.contextmanager
def demo_receiver(actor: Any, channel: NotificationChannel) -> Iterator[WebhookReceiver]:
    """Run a webhook receiver for `channel` in a background thread, point the channel at it and
    switch it on (an audited change by `actor`); afterwards stop it and put the channel's URL and
    on/off back as they were (audited too)."""
    before = {"target": channel.target, "active": channel.active}
    with _listen(channel.secret) as receiver:
        during = {"target": receiver.url, "active": True}
        if during != before:
            channel = services.update_channel(actor, channel, during)
        yield receiver
    channel.refresh_from_db()
    if before != {"target": channel.target, "active": channel.active}:
        services.update_channel(actor, channel, before)


def deliver_webhooks(channel: NotificationChannel, receiver: WebhookReceiver) -> list[Notification]:
    """Send the channel's waiting deliveries now, through the worker's own code path, to the demo
    receiver (the only address the SSRF guard lets through here)."""
    done = []
    waiting = Notification.objects.filter(
        channel=channel, status__in=(Notification.Status.PENDING, Notification.Status.RETRYING)
    ).order_by("pk")
    with notify.allow_local(receiver.url):
        for pk in waiting.values_list("pk", flat=True):
            n = notify.deliver(pk)
            if n is not None:
                done.append(n)
    return done


def load(org: Any, people: dict[str, Any]) -> None:
    system = AISystem.objects.filter(organization=org, slug=SYSTEM).first()
    if system is None:
        return
    ml = actor(org, people["technical_team"])
    ops = actor(org, people["operational_team"])
    manager = actor(org, people["ai_manager"])
    mv = _model_version(system)
    created = False

    existing = set(EvidenceProfile.objects.filter(ai_system=system).values_list("name", flat=True))
    today = timezone.localdate()
    start = dt.datetime.combine(today, dt.time(6, 0), tzinfo=dt.UTC) - dt.timedelta(days=7 * WEEKS)
    if "Training data, scored (700 applicants)" not in existing or any(
        f"Week {w + 1}: scored applications" not in existing for w in range(WEEKS)
    ):
        reference, batches = credit_profiles()
        if "Training data, scored (700 applicants)" not in existing:
            services.ingest_profile(
                ml,
                ai_system=system,
                profile=reference,
                model_version=mv,
                role="reference",
                name="Training data, scored (700 applicants)",
                observed_at=start - dt.timedelta(days=7),
            )
            created = True
        for week, batch in enumerate(batches):
            name = f"Week {week + 1}: scored applications"
            if name not in existing:
                services.ingest_profile(
                    ml,
                    ai_system=system,
                    profile=batch,
                    model_version=mv,
                    name=name,
                    observed_at=start + dt.timedelta(days=7 * (week + 1)),
                )
                created = True

    if not MetricPoint.objects.filter(ai_system=system, name="latency_p95_ms").exists():
        rng = np.random.default_rng(SEED + 1)
        points = [
            {
                "name": "latency_p95_ms",
                "value": float(round(320 + 60 * rng.standard_normal(), 1)),
                "observed_at": start + dt.timedelta(days=d + 1),
                "sample_size": int(1800 + rng.integers(0, 400)),
            }
            for d in range(7 * WEEKS)
        ]
        services.push_points(ops, ai_system=system, points=points)
        created = True

    channel = ensure(
        manager,
        NotificationChannel,
        {"name": "ML on-call (e-mail)"},
        {
            "kind": NotificationChannel.Kind.EMAIL,
            "target": "ml@demo.aims.local, ops@demo.aims.local",
            "min_severity": NotificationChannel.MinSeverity.WARNING,
            "active": True,
        },
        create=services.create_channel,
    )
    webhook = ensure(
        manager,
        NotificationChannel,
        {"name": WEBHOOK_CHANNEL},
        {
            "kind": NotificationChannel.Kind.WEBHOOK,
            "min_severity": NotificationChannel.MinSeverity.CRITICAL,
            "description": WEBHOOK_ABOUT,
        },
        # Off until a receiver listens (see demo_receiver); the secret is the demo's own.
        create=lambda a, d: services.create_channel(
            a, {**d, "target": WEBHOOK_URL, "secret": secrets.token_urlsafe(24), "active": False}
        ),
    )

    specs = [
        (
            "Credit amount drift (PSI)",
            "drift.credit_amount.psi",
            "above",
            0.1,
            0.25,
            0,
            "Loan sizes drive the model's largest coefficient; a shift means the validation no longer describes production (risk R: model drift).",
        ),
        (
            "Approval-rate gap between women and men",
            "fairness.sex.demographic_parity_difference",
            "above",
            0.1,
            0.2,
            0,
            "Sex is not an input, but approvals must not differ by sex (AGG, EU Consumer Credit Directive).",
        ),
        (
            "Accuracy on repaid / defaulted loans",
            "performance.accuracy",
            "below",
            0.68,
            0.6,
            0,
            "The credit committee agreed a minimum accuracy of 0.68 on the hold-out set.",
        ),
        (
            "Applications scored per week",
            "volume.n_rows",
            "below",
            150,
            50,
            0,
            "A sudden drop in volume means the scoring service or its data feed is failing.",
        ),
        (
            "Scoring latency (p95)",
            "point.latency_p95_ms",
            "above",
            800,
            1500,
            0,
            "Branch staff wait for the score during the interview.",
        ),
    ]
    anomaly_name = "Scoring latency anomalies"
    if not Monitor.objects.filter(organization=org, name=anomaly_name).exists():
        created = True
    ensure(
        ops,
        Monitor,
        {"name": anomaly_name},
        {
            "ai_system": system,
            "metric": "point.latency_p95_ms",
            "anomaly_method": Monitor.AnomalyMethod.ROBUST_Z,
            "anomaly_baseline": 30,
            "window_hours": 0,
            "min_sample_size": 1,
            "description": "No fixed threshold: a day whose p95 latency is far outside the last 30 days' "
            "is worth a look before it becomes a breach.",
            "active": True,
            "channels": [channel],
        },
        create=lambda a, d: services.core.create(a, Monitor, d),
    )
    for name, metric, comparison, warning, critical, window, why in specs:
        data = {
            "ai_system": system,
            "model_version": mv if not metric.startswith("point.") else None,
            "metric": metric,
            "comparison": comparison,
            "warning_threshold": float(warning),
            "critical_threshold": float(critical),
            "window_hours": window,
            "min_sample_size": 1 if metric.startswith("point.") else 100,
            "description": why,
            "active": True,
            "channels": [channel, webhook] if metric == "drift.credit_amount.psi" else [channel],
        }
        if not Monitor.objects.filter(organization=org, name=name).exists():
            created = True
        ensure(ops, Monitor, {"name": name}, data, create=lambda a, d: services.core.create(a, Monitor, d))

    if created:
        with demo_receiver(manager, webhook) as receiver:
            for monitor in Monitor.objects.filter(organization=org, ai_system=system, active=True):
                services.evaluate_monitor(monitor)
            deliver_webhooks(webhook, receiver)
