"""Signed webhooks against a real local HTTP server (HMAC-SHA256 over the body, retried with
backoff), and the worker's scheduler of periodic tasks."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import override_settings
from django.utils import timezone

from aims.monitoring import notify, services
from aims.monitoring.models import Alert, Notification
from tests.monitoring.conftest import credit_drift_monitor

pytestmark = pytest.mark.django_db
SECRET = "a-shared-secret-of-some-length"


class Receiver:
    """A real HTTP server on 127.0.0.1 that records requests and answers the queued status codes."""

    def __init__(self, statuses=(200,)):
        self.requests: list[dict] = []
        self.statuses = list(statuses)
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.requests.append({"headers": dict(self.headers), "body": body, "path": self.path})
                status = outer.statuses.pop(0) if len(outer.statuses) > 1 else outer.statuses[0]
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/aims"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def critical_alert(actor, system, reference_doc, batch_docs):
    """A monitor with a webhook channel, and evidence that breaches it (not yet evaluated)."""

    def make(url):
        channel = services.create_channel(
            actor("ai_manager"), {"name": "Incident desk", "kind": "webhook", "target": url, "secret": SECRET}
        )
        monitor = credit_drift_monitor(actor("operational_team"), system, channels=[channel.pk])
        services.ingest_profile(
            actor("technical_team"), ai_system=system, profile=reference_doc, role="reference"
        )
        services.ingest_profile(actor("technical_team"), ai_system=system, profile=batch_docs[-1])
        return monitor

    return make


@override_settings(AIMS_WEBHOOK_ALLOW_PRIVATE=True)
def test_a_breach_posts_a_signed_webhook(critical_alert, django_capture_on_commit_callbacks):
    with Receiver() as receiver:
        monitor = critical_alert(receiver.url)
        with django_capture_on_commit_callbacks(execute=True):
            services.evaluate_monitor(monitor)
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    expected = "sha256=" + hmac.new(SECRET.encode(), request["body"], hashlib.sha256).hexdigest()
    assert hmac.compare_digest(request["headers"]["X-AIMS-Signature"], expected)
    assert request["headers"]["X-AIMS-Event"] == "alert.opened" and request["path"] == "/hooks/aims"
    body = json.loads(request["body"])
    assert body["alert"]["severity"] == "critical" and body["ai_system"]["slug"] == "loan-scoring"
    assert body["monitor"]["metric"] == "drift.credit_amount.psi" and body["organization"] == "acme"
    delivery = Notification.objects.get()
    assert delivery.status == "sent" and delivery.attempts == 1 and delivery.response_code == 200
    assert request["headers"]["X-AIMS-Delivery"] == str(delivery.pk)


@override_settings(AIMS_WEBHOOK_ALLOW_PRIVATE=True)
def test_a_failing_webhook_is_retried_until_it_succeeds(critical_alert, django_capture_on_commit_callbacks):
    with Receiver(statuses=(500, 503, 200)) as receiver:
        monitor = critical_alert(receiver.url)
        with django_capture_on_commit_callbacks(execute=True):
            services.evaluate_monitor(monitor)
    assert len(receiver.requests) == 3
    assert (
        len({r["headers"]["X-AIMS-Delivery"] for r in receiver.requests}) == 1
    )  # one delivery, three attempts
    delivery = Notification.objects.get()
    assert delivery.status == "sent" and delivery.attempts == 3


@override_settings(AIMS_WEBHOOK_ALLOW_PRIVATE=True)
def test_a_webhook_that_keeps_failing_is_marked_failed_after_five_attempts(
    critical_alert, django_capture_on_commit_callbacks
):
    with Receiver(statuses=(500,)) as receiver:
        monitor = critical_alert(receiver.url)
        with django_capture_on_commit_callbacks(execute=True):
            services.evaluate_monitor(monitor)
    assert len(receiver.requests) == notify.MAX_ATTEMPTS == 5
    delivery = Notification.objects.get()
    assert delivery.status == "failed" and delivery.last_error == "HTTP 500" and delivery.response_code == 500


@override_settings(
    AIMS_WEBHOOK_ALLOW_PRIVATE=True,
    TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}},
)
def test_on_a_queue_that_defers_the_retry_waits_with_backoff(critical_alert):
    from django_tasks import default_task_backend

    with Receiver(statuses=(502,)) as receiver:
        monitor = critical_alert(receiver.url)
        services.evaluate_monitor(monitor)
        delivery = Notification.objects.get()
        before = timezone.now()
        notify.deliver(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == "retrying" and delivery.attempts == 1
    assert before + dt.timedelta(seconds=29) < delivery.next_attempt_at < before + dt.timedelta(seconds=40)
    queued = [r for r in default_task_backend.results if r.task.name == "deliver_notification"]
    assert queued and queued[-1].task.run_after == delivery.next_attempt_at


def test_webhooks_to_private_addresses_are_refused_by_default(
    critical_alert, django_capture_on_commit_callbacks
):
    with Receiver() as receiver:
        monitor = critical_alert(receiver.url)
        with django_capture_on_commit_callbacks(execute=True):
            services.evaluate_monitor(monitor)
    assert receiver.requests == []
    delivery = Notification.objects.get()
    assert (
        delivery.status == "failed"
        and "private or local network" in delivery.last_error
        and delivery.attempts == 1
    )


def test_a_webhook_channel_needs_an_url_and_a_secret(api):
    bad = api("ai_manager").post(
        "/api/v1/notification-channels",
        {"name": "x", "kind": "webhook", "target": "ftp://x", "secret": "short"},
        content_type="application/json",
    )
    assert bad.status_code == 422 and {e["field"] for e in bad.json()["errors"]} == {"target", "secret"}
    ok = api("ai_manager").post(
        "/api/v1/notification-channels",
        {"name": "x", "kind": "webhook", "target": "https://hooks.example/aims", "secret": SECRET},
        content_type="application/json",
    )
    assert ok.status_code == 201 and ok.json()["has_secret"] and "secret" not in ok.json()
    assert (
        api("operational_team")
        .post(
            "/api/v1/notification-channels",
            {"name": "y", "kind": "email", "target": "a@b.example"},
            content_type="application/json",
        )
        .status_code
        == 403
    )
    assert api("mallory").get(f"/api/v1/notification-channels/{ok.json()['id']}").status_code == 404
    assert api("external_auditor").get(f"/api/v1/notification-channels/{ok.json()['id']}").status_code == 200


def test_the_scheduled_evaluation_runs_every_active_monitor(actor, system, reference_doc, batch_docs):
    from aims.monitoring.tasks import evaluate_all_monitors

    services.create_monitor(
        actor("operational_team"),
        {
            "ai_system": system.slug,
            "name": "d",
            "metric": "drift.credit_amount.psi",
            "warning_threshold": 0.1,
            "window_hours": 0,
        },
    )
    services.create_monitor(
        actor("operational_team"),
        {
            "ai_system": system.slug,
            "name": "off",
            "metric": "volume.n_rows",
            "warning_threshold": 1,
            "comparison": "below",
            "active": False,
        },
    )
    services.ingest_profile(
        actor("technical_team"), ai_system=system, profile=reference_doc, role="reference"
    )
    services.ingest_profile(actor("technical_team"), ai_system=system, profile=batch_docs[-1])
    result = evaluate_all_monitors.enqueue()
    assert result.return_value == {"warning": 1}
    assert Alert.objects.get().severity == "warning"


def test_allow_local_opens_the_guard_for_exactly_one_loopback_url_and_only_inside_the_block():
    url = "http://127.0.0.1:8765/aims/webhook"
    with pytest.raises(notify.DeliveryError, match="private or local network"):
        notify._check_address(url)
    with notify.allow_local(url):
        notify._check_address(url)  # let through
        for other in (
            "http://127.0.0.1:8766/aims/webhook",  # another port
            "http://127.0.0.1:8765/admin/",  # another path
        ):
            with pytest.raises(notify.DeliveryError, match="private or local network"):
                notify._check_address(other)
        seen_by_another_thread = []
        thread = threading.Thread(target=lambda: seen_by_another_thread.append(notify._LOCAL_ALLOWED.get()))
        thread.start()
        thread.join()
        assert seen_by_another_thread == [frozenset()]  # a worker thread is not let through
    with pytest.raises(notify.DeliveryError, match="private or local network"):
        notify._check_address(url)
    with notify.allow_local("http://10.1.2.3/aims/webhook"), pytest.raises(notify.DeliveryError):
        notify._check_address("http://10.1.2.3/aims/webhook")  # private, not loopback: still refused
