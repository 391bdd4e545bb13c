"""The monitoring pages: an allowed role, a refused role (403) and the other organization (404) for
each; the trend pages draw SVG with the thresholds and no inline style or script."""

from __future__ import annotations

import re

import pytest

from aims.monitoring import services
from aims.monitoring.models import Alert, Monitor, NotificationChannel
from tests.monitoring.conftest import credit_drift_monitor

pytestmark = pytest.mark.django_db


@pytest.fixture
def breached(actor, system, reference_doc, batch_docs):
    """Evidence for eight weeks, a drift monitor in critical, a fairness monitor, pushed latency."""
    tech = actor("technical_team")
    services.ingest_profile(
        tech, ai_system=system, profile=reference_doc, role="reference", observed_at="2024-05-01T00:00:00Z"
    )
    for week, doc in enumerate(batch_docs):
        services.ingest_profile(
            tech, ai_system=system, profile=doc, observed_at=f"2024-05-{week * 3 + 2:02d}T06:00:00Z"
        )
    services.push_points(
        actor("operational_team"),
        ai_system=system,
        points=[
            {"name": "latency_p95_ms", "value": 300.0 + d, "observed_at": f"2024-05-{d + 1:02d}T06:00:00Z"}
            for d in range(10)
        ],
    )
    ops = actor("operational_team")
    drift = credit_drift_monitor(ops, system)
    services.create_monitor(
        ops,
        {
            "ai_system": system.slug,
            "name": "Approval gap",
            "metric": "fairness.sex.demographic_parity_difference",
            "warning_threshold": 0.1,
            "critical_threshold": 0.2,
            "window_hours": 0,
        },
    )
    services.create_monitor(
        ops,
        {
            "ai_system": system.slug,
            "name": "Latency",
            "metric": "point.latency_p95_ms",
            "warning_threshold": 800,
            "window_hours": 0,
            "min_sample_size": 1,
        },
    )
    services.evaluate_all()
    return drift


def no_inline(html: str) -> None:
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "inline script"
    assert " style=" not in html, "inline style"


def test_the_monitor_list_shows_monitors_and_active_alerts(browser_client, breached):
    response = browser_client("external_auditor").get("/monitoring/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Credit amount drift" in html and "Approval gap" in html and "Critical" in html
    assert "New monitor" not in html  # an auditor cannot add one
    no_inline(html)
    assert "Credit amount drift" not in browser_client("mallory").get("/monitoring/").content.decode()


def test_the_trend_page_draws_each_metric_fairness_per_group_and_drift_per_feature(
    browser_client, breached, django_assert_max_num_queries
):
    client = browser_client("internal_audit")
    with django_assert_max_num_queries(30):
        response = client.get("/monitoring/systems/loan-scoring/")
    assert response.status_code == 200
    html = response.content.decode()
    no_inline(html)
    assert html.count('<svg class="trend-chart"') >= 10
    assert "selection rate by sex" in html and ">female<" in html and ">male<" in html
    assert "PSI · credit_amount" in html and "PSI · age" in html
    assert 'class="threshold threshold-critical"' in html and 'class="threshold threshold-warning"' in html
    assert "latency_p95_ms" in html
    assert 'href="/static/monitoring/monitoring.css"' in html
    assert browser_client("mallory").get("/monitoring/systems/loan-scoring/").status_code == 404


def test_the_monitor_page_charts_its_checks_and_only_builders_evaluate_it(browser_client, breached):
    url = f"/monitoring/monitors/{breached.pk}/"
    html = browser_client("risk_team").get(url).content.decode()
    assert "threshold-critical" in html and "Evaluate now" not in html
    no_inline(html)
    assert browser_client("internal_audit").post(f"{url}evaluate/").status_code == 403
    assert browser_client("operational_team").post(f"{url}evaluate/").status_code == 302
    assert browser_client("mallory").get(url).status_code == 404
    assert browser_client("mallory").post(f"{url}evaluate/").status_code == 404


def test_a_monitor_is_created_and_edited_through_the_form(browser_client, system):
    form = {
        "ai_system": system.pk,
        "name": "Accuracy",
        "metric": "performance.accuracy",
        "comparison": "below",
        "warning_threshold": "0.7",
        "critical_threshold": "0.6",
        "window_hours": "168",
        "min_sample_size": "100",
        "active": "on",
    }
    assert browser_client("internal_audit").get("/monitoring/monitors/new/").status_code == 403
    assert browser_client("internal_audit").post("/monitoring/monitors/new/", form).status_code == 403
    page = browser_client("technical_team").get("/monitoring/monitors/new/")
    assert page.status_code == 200 and "<label" in page.content.decode()
    bad = browser_client("technical_team").post(
        "/monitoring/monitors/new/", {**form, "metric": "performance.vibes"}
    )
    assert bad.status_code == 422 and "unknown performance metric" in bad.content.decode()
    created = browser_client("technical_team").post("/monitoring/monitors/new/", form)
    monitor = Monitor.objects.get(name="Accuracy")
    assert created.status_code == 302 and created["Location"] == monitor.get_absolute_url()
    edited = browser_client("operational_team").post(
        f"/monitoring/monitors/{monitor.pk}/edit/", {**form, "warning_threshold": "0.72"}
    )
    assert edited.status_code == 302
    monitor.refresh_from_db()
    assert monitor.warning_threshold == 0.72 and monitor.version == 2
    assert browser_client("mallory").get(f"/monitoring/monitors/{monitor.pk}/edit/").status_code == 404
    assert (
        browser_client("external_auditor").get(f"/monitoring/monitors/{monitor.pk}/edit/").status_code == 403
    )


def test_an_alert_is_acknowledged_and_resolved_from_its_page(browser_client, breached):
    alert = Alert.objects.get()
    url = f"/monitoring/alerts/{alert.pk}/"
    html = browser_client("operational_team").get(url).content.decode()
    assert "Acknowledge" in html and alert.message in html
    no_inline(html)
    assert browser_client("external_auditor").post(f"{url}acknowledge/", {"note": "x"}).status_code == 403
    assert browser_client("mallory").get(url).status_code == 404
    assert browser_client("mallory").post(f"{url}resolve/").status_code == 404
    assert browser_client("operational_team").post(f"{url}acknowledge/", {"note": "On it"}).status_code == 302
    assert browser_client("risk_team").post(f"{url}resolve/", {"note": "Recalibrated"}).status_code == 302
    alert.refresh_from_db()
    assert alert.status == "resolved" and "On it" in alert.note and "Recalibrated" in alert.note
    listing = browser_client("internal_audit").get("/monitoring/alerts/?status=resolved").content.decode()
    assert "Credit amount drift" in listing


def test_notification_channels_are_managed_by_managers_only(browser_client):
    form = {
        "name": "On call",
        "kind": "email",
        "target": "ml@acme.example",
        "min_severity": "warning",
        "active": "on",
        "secret": "",
    }
    assert (
        "Add a channel"
        not in browser_client("operational_team").get("/monitoring/channels/").content.decode()
    )
    assert browser_client("operational_team").post("/monitoring/channels/", form).status_code == 403
    assert browser_client("ai_manager").post("/monitoring/channels/", form).status_code == 302
    channel = NotificationChannel.objects.get()
    assert (
        browser_client("ai_manager")
        .post("/monitoring/channels/", {**form, "target": "not an address"})
        .status_code
        == 422
    )
    assert browser_client("mallory").get(f"/monitoring/channels/{channel.pk}/").status_code == 404
    assert browser_client("operational_team").get(f"/monitoring/channels/{channel.pk}/").status_code == 403
    assert browser_client("ai_manager").get(f"/monitoring/channels/{channel.pk}/").status_code == 200


@pytest.fixture
def deliveries(actor, breached):
    """A webhook channel with one delivery answered 200 and one waiting for its second attempt."""
    from django.utils import timezone

    from aims.monitoring.models import Notification

    channel = services.create_channel(
        actor("ai_manager"),
        {
            "name": "Incident desk",
            "kind": "webhook",
            "target": "https://hooks.example/aims",
            "secret": "a-shared-secret-of-some-length",
            "description": "The incident desk's ticketing system.",
        },
    )
    alert = Alert.objects.get()
    common = {"organization": alert.organization, "alert": alert, "channel": channel}
    Notification.objects.create(
        **common,
        event="alert.opened",
        status="sent",
        attempts=1,
        response_code=200,
        signature="sha256=" + "ab" * 32,
        response_body='{"verified": true}',
        sent_at=timezone.now(),
    )
    Notification.objects.create(
        **common,
        event="alert.escalated",
        status="retrying",
        attempts=1,
        response_code=503,
        last_error="HTTP 503",
        signature="sha256=" + "cd" * 32,
        next_attempt_at=timezone.now(),
    )
    return channel


def test_a_channels_deliveries_page_shows_status_response_attempts_retry_and_signature(
    browser_client, deliveries, django_assert_max_num_queries
):
    url = f"/monitoring/channels/{deliveries.pk}/deliveries/"
    client = browser_client("external_auditor")  # every role may see where alerts went; no secret shown
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    no_inline(html)
    assert "sha256=" + "ab" * 32 in html and "sha256=" + "cd" * 32 in html
    assert "{&quot;verified&quot;: true}" in html and "HTTP 503" in html and "retry at" in html
    assert "The incident desk&#x27;s ticketing system." in html
    assert "a-shared-secret-of-some-length" not in html
    assert "Edit the channel" not in html  # an auditor reads only
    assert "Edit the channel" in browser_client("ai_manager").get(url).content.decode()
    assert browser_client("operational_team").post(url).status_code == 405
    assert browser_client("mallory").get(url).status_code == 404
    assert browser_client("mallory").get("/monitoring/channels/999999/deliveries/").status_code == 404


def test_the_deliveries_page_is_refused_without_a_membership_and_asks_strangers_to_log_in(client, deliveries):
    from django.test import Client

    from tests.factories import UserFactory

    url = f"/monitoring/channels/{deliveries.pk}/deliveries/"
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]
    stranger = Client()
    stranger.force_login(UserFactory())
    assert stranger.get(url).status_code == 403


def test_the_alert_and_channel_pages_link_to_the_deliveries(browser_client, deliveries):
    url = f"/monitoring/channels/{deliveries.pk}/deliveries/"
    alert = Alert.objects.get()
    alert_page = browser_client("risk_team").get(f"/monitoring/alerts/{alert.pk}/").content.decode()
    assert f'href="{url}"' in alert_page and "{&quot;verified&quot;: true}" in alert_page
    channels = browser_client("risk_team").get("/monitoring/channels/").content.decode()
    assert f'href="{url}"' in channels and "2 deliveries" in channels
