"""Anomaly detection wired into monitors: an unusual latest value raises an alert like a threshold
breach does, and resolves when the series is back to normal. Expected limits are computed here
independently (scipy's normal-consistent MAD, scipy.signal.lfilter for the EWMA recursion)."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from django.utils import timezone
from scipy import signal, stats

from aims.core.models import AuditEvent
from aims.evidence import make_profile
from aims.monitoring import services
from aims.monitoring.models import Alert, Monitor

pytestmark = pytest.mark.django_db
JSON = "application/json"
T0 = timezone.now().replace(microsecond=0) - dt.timedelta(days=10)


def latency(seed: int = 3, n: int = 30) -> list[float]:
    return [round(v, 3) for v in np.random.default_rng(seed).normal(120.0, 8.0, n)]


@pytest.fixture
def push(actor, system):
    state = {"i": 0}

    def push_values(values, name="latency_ms"):
        points = []
        for v in values:
            points.append(
                {
                    "name": name,
                    "value": float(v),
                    "observed_at": (T0 + dt.timedelta(hours=state["i"])).isoformat(),
                }
            )
            state["i"] += 1
        services.push_points(actor("operational_team"), ai_system=system, points=points)

    return push_values


@pytest.fixture
def anomaly_monitor(actor, system):
    def make(method="robust_z", **extra):
        data = {
            "ai_system": system.slug,
            "name": f"Latency anomalies ({method})",
            "metric": "point.latency_ms",
            "anomaly_method": method,
            "window_hours": 0,
            "min_sample_size": 1,
            **extra,
        }
        return services.create_monitor(actor("technical_team"), data)

    return make


def test_a_spike_in_pushed_points_opens_an_alert_with_the_robust_limit_and_resolves_after(
    push, anomaly_monitor
):
    base = latency()
    push(base)
    monitor = anomaly_monitor()
    assert services.evaluate_monitor(monitor).status == "ok"
    assert not monitor.alerts.exists()

    push([190.0])
    result = services.evaluate_monitor(monitor)
    assert result.status == "warning", result.detail
    alert = Alert.objects.get(monitor=monitor)
    upper = np.median(base) + 3.5 * stats.median_abs_deviation(base, scale="normal")
    assert alert.status == "open" and alert.severity == "warning"
    assert alert.value == 190.0
    assert alert.threshold == pytest.approx(upper, rel=1e-12)
    z = (190.0 - np.median(base)) / stats.median_abs_deviation(base, scale="normal")
    assert f"{z:.2f}" in alert.message and "Anomaly" in alert.message
    assert AuditEvent.objects.filter(object_type="alert", object_id=str(alert.pk), action="create").exists()

    push([121.0])
    assert services.evaluate_monitor(monitor).status == "ok"
    alert.refresh_from_db()
    assert alert.status == "resolved"


def test_a_value_inside_the_robust_limits_raises_nothing(push, anomaly_monitor):
    base = latency(seed=4)
    limit = np.median(base) + 3.5 * stats.median_abs_deviation(base, scale="normal")
    push([*base, float(limit) - 0.01])
    monitor = anomaly_monitor()
    assert services.evaluate_monitor(monitor).status == "ok"
    base = [*base, float(limit) - 0.01][-30:]  # the baseline moves on by one value
    limit = np.median(base) + 3.5 * stats.median_abs_deviation(base, scale="normal")
    push([float(limit) + 0.01])
    assert services.evaluate_monitor(monitor).status == "warning"


def test_an_ewma_monitor_flags_a_sustained_shift_where_the_recursion_leaves_its_limits(push, anomaly_monitor):
    base = latency(seed=5)
    shifted = [round(v, 3) for v in np.random.default_rng(6).normal(132.0, 8.0, 12)]
    push(base)
    monitor = anomaly_monitor("ewma", anomaly_severity="critical")
    assert services.evaluate_monitor(monitor).status == "ok"
    series = list(base)
    expected_first = None
    for k, v in enumerate(shifted):
        b = np.array(series[-30:])
        mu, sd = b.mean(), b.std(ddof=1)
        z, _ = signal.lfilter([0.3], [1, -0.7], np.append(b, v), zi=[0.7 * mu])
        width = 3 * sd * math.sqrt(0.3 / 1.7 * (1 - 0.7 ** (2 * (len(b) + 1))))
        flagged = abs(z[-1] - mu) > width
        push([v])
        status = services.evaluate_monitor(monitor).status
        assert status == ("critical" if flagged else "ok"), (k, z[-1], mu, width)
        if flagged and expected_first is None:
            expected_first = k
        series.append(v)
    assert expected_first is not None, "the shift should be detected by the oracle too"
    alert = Alert.objects.filter(monitor=monitor).order_by("pk").first()
    assert alert is not None and alert.severity == "critical" and "EWMA" in alert.message


def test_a_threshold_breach_worse_than_the_anomaly_severity_wins(push, anomaly_monitor):
    push([*latency(seed=7), 400.0])
    monitor = anomaly_monitor(critical_threshold=300.0)
    result = services.evaluate_monitor(monitor)
    assert result.status == "critical" and "critical threshold" in result.detail
    assert Alert.objects.get(monitor=monitor).threshold == 300.0


def test_too_short_a_history_gives_no_anomaly(push, anomaly_monitor):
    push([120.0, 121.0, 119.0, 500.0])
    monitor = anomaly_monitor()
    result = services.evaluate_monitor(monitor)
    assert result.status == "ok" and result.extra["anomaly"]["anomaly"] is None
    assert not monitor.alerts.exists()


def test_a_volume_anomaly_is_found_in_the_series_of_batch_profiles(actor, system, anomaly_monitor):
    rng = np.random.default_rng(8)
    sizes = [int(s) for s in rng.normal(1000, 20, 12)] + [400]
    for i, n in enumerate(sizes):
        services.ingest_profile(
            actor("technical_team"),
            ai_system=system,
            profile=make_profile(pd.DataFrame({"x": rng.normal(size=n)})),
            observed_at=T0 + dt.timedelta(days=i / 2),
        )
    monitor = anomaly_monitor(metric="volume.n_rows", name="Volume")
    result = services.evaluate_monitor(monitor)
    base = np.array(sizes[:-1], dtype=float)
    expected = (400 - np.median(base)) / stats.median_abs_deviation(base, scale="normal")
    assert result.status == "warning"
    assert result.extra["anomaly"]["score"] == pytest.approx(expected, rel=1e-12)
    assert Alert.objects.get(monitor=monitor).threshold == pytest.approx(
        np.median(base) - 3.5 * stats.median_abs_deviation(base, scale="normal"), rel=1e-12
    )


def test_only_the_monitors_model_version_counts_in_the_series(actor, system, push, anomaly_monitor):
    from aims.lifecycle.models import ModelVersion

    mv = ModelVersion.objects.create(
        organization=system.organization, ai_system=system, name="m", label="2.0.0"
    )
    push(latency(seed=9))
    services.push_points(
        actor("operational_team"),
        ai_system=system,
        model_version=mv.pk,
        points=[{"name": "latency_ms", "value": 900.0}],
    )
    unscoped = anomaly_monitor()
    assert services.evaluate_monitor(unscoped).status == "warning"
    scoped = anomaly_monitor(model_version=mv.pk, name="v2 only")
    assert services.evaluate_monitor(scoped).extra["anomaly"]["anomaly"] is None


# --- through the API, with the usual roles and organizations ---------------------------------------


def test_the_api_creates_an_anomaly_monitor_without_thresholds_for_an_allowed_role(api, system):
    body = {
        "ai_system": "loan-scoring",
        "name": "Latency",
        "metric": "point.latency_ms",
        "anomaly_method": "ewma",
    }
    created = api("operational_team").post("/api/v1/monitors", body, content_type=JSON)
    assert created.status_code == 201, created.content
    out = created.json()
    assert out["anomaly_method"] == "ewma" and out["anomaly_baseline"] == 30 and out["anomaly_limit"] is None
    assert out["anomaly_severity"] == "warning"
    patched = api("technical_team").patch(
        f"/api/v1/monitors/{out['id']}", {"anomaly_limit": 4.0}, content_type=JSON
    )
    assert patched.status_code == 200 and patched.json()["anomaly_limit"] == 4.0


def test_the_api_refuses_a_role_that_may_not_add_monitors(api, system):
    body = {
        "ai_system": "loan-scoring",
        "name": "Latency",
        "metric": "point.latency_ms",
        "anomaly_method": "ewma",
    }
    assert api("external_auditor").post("/api/v1/monitors", body, content_type=JSON).status_code == 403


def test_another_organization_neither_sees_nor_targets_the_anomaly_monitor(api, system, anomaly_monitor):
    monitor = anomaly_monitor()
    assert api("mallory").get(f"/api/v1/monitors/{monitor.pk}").status_code == 404
    assert (
        api("mallory")
        .patch(f"/api/v1/monitors/{monitor.pk}", {"anomaly_limit": 9.0}, content_type=JSON)
        .status_code
        == 404
    )
    body = {
        "ai_system": "loan-scoring",
        "name": "x",
        "metric": "point.latency_ms",
        "anomaly_method": "robust_z",
    }
    assert api("mallory").post("/api/v1/monitors", body, content_type=JSON).status_code == 422


def test_it_refuses_a_monitor_with_neither_thresholds_nor_anomaly_detection_and_a_short_baseline(api, system):
    body = {"ai_system": "loan-scoring", "name": "x", "metric": "point.latency_ms"}
    r = api("operational_team").post("/api/v1/monitors", body, content_type=JSON)
    assert r.status_code == 422 and "anomaly detection" in r.content.decode()
    r = api("operational_team").post(
        "/api/v1/monitors", {**body, "anomaly_method": "robust_z", "anomaly_baseline": 5}, content_type=JSON
    )
    assert r.status_code == 422


def test_the_monitor_page_shows_the_anomaly_settings(browser_client, anomaly_monitor):
    monitor = anomaly_monitor("ewma")
    page = browser_client("external_auditor").get(monitor.get_absolute_url())
    assert page.status_code == 200
    assert "EWMA control chart" in page.content.decode()
    assert browser_client("mallory").get(monitor.get_absolute_url()).status_code == 404


def test_the_monitor_page_charts_the_series_with_the_anomaly_limits(browser_client, push, anomaly_monitor):
    base = latency(seed=12)
    push(base)
    monitor = anomaly_monitor()
    page = browser_client("internal_audit").get(monitor.get_absolute_url()).content.decode()
    assert "The latest value is an anomaly" not in page
    push([300.0])
    page = browser_client("internal_audit").get(monitor.get_absolute_url()).content.decode()
    base = base[-30:]
    scale = stats.median_abs_deviation(base, scale="normal")
    assert "The latest value is an anomaly." in page
    assert page.count('class="threshold threshold-reference"') == 2
    assert f"{np.median(base) + 3.5 * scale:.4g}" in page


def test_the_monitor_page_says_when_the_history_is_too_short(browser_client, push, anomaly_monitor):
    push([120.0, 121.0, 500.0])
    page = browser_client("operational_team").get(anomaly_monitor().get_absolute_url()).content.decode()
    assert "Only 2 earlier values" in page and "threshold-reference" not in page


def test_the_monitor_form_offers_anomaly_detection(browser_client, system):
    page = browser_client("technical_team").get("/monitoring/monitors/new/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="anomaly_method"' in html and 'name="anomaly_baseline"' in html


def test_the_alert_page_of_an_anomaly_lets_the_operational_team_acknowledge_it(
    browser_client, push, anomaly_monitor
):
    push([*latency(seed=10), 260.0])
    monitor = anomaly_monitor()
    services.evaluate_monitor(monitor)
    alert = Alert.objects.get(monitor=monitor)
    assert alert.monitor.anomaly_method == Monitor.AnomalyMethod.ROBUST_Z
    page = browser_client("operational_team").get(alert.get_absolute_url())
    assert page.status_code == 200 and "Anomaly" in page.content.decode()
