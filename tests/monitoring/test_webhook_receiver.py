"""`aims webhook-receiver` and the verification it shares with everyone (`notify.verify_delivery`):
a good signature is accepted, a tampered body or a wrong secret is refused with 401, over a real
socket, and AIMS's own delivery path records what the receiver answered."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import httpx
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.utils import timezone

from aims.monitoring import notify, services
from aims.monitoring.models import Notification, NotificationChannel
from aims.monitoring.receiver import WebhookReceiver
from tests.monitoring.conftest import credit_drift_monitor

SECRET = "a-shared-secret-of-some-length"


def signed(document: dict, secret: str = SECRET) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(document, sort_keys=True, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json",
        notify.SIGNATURE_HEADER: notify.sign(secret, body),
        notify.EVENT_HEADER: document["event"],
        notify.DELIVERY_HEADER: str(document["delivery"]),
    }
    return body, headers


def document(delivery: int = 42, sent_at: dt.datetime | None = None) -> dict:
    return {
        "event": "alert.opened",
        "delivery": delivery,
        "sent_at": (sent_at or timezone.now()).isoformat(),
        "organization": "acme",
        "alert": {"id": 7, "severity": "critical"},
        "ai_system": {"slug": "loan-scoring"},
    }


def test_verify_signature_accepts_only_the_exact_body_and_secret():
    body, headers = signed(document())
    signature = headers[notify.SIGNATURE_HEADER]
    assert signature.startswith("sha256=") and len(signature) == 71
    assert notify.verify_signature(SECRET, body, signature)
    assert not notify.verify_signature(SECRET, body + b" ", signature)
    assert not notify.verify_signature("another-secret-of-some-length", body, signature)
    assert not notify.verify_signature(SECRET, body, None)
    assert not notify.verify_signature("", body, signature)
    assert not notify.verify_signature(SECRET, body, "sha256=é")


def test_verify_delivery_refuses_headers_that_disagree_with_the_body_and_old_requests():
    body, headers = signed(document())
    assert notify.verify_delivery(SECRET, body, headers)["delivery"] == 42
    lowercase = {k.lower(): v for k, v in headers.items()}
    assert notify.verify_delivery(SECRET, body, lowercase)["event"] == "alert.opened"
    with pytest.raises(notify.InvalidDelivery, match="X-AIMS-Event") as exc:
        notify.verify_delivery(SECRET, body, {**headers, notify.EVENT_HEADER: "alert.resolved"})
    assert exc.value.status == 400
    with pytest.raises(notify.InvalidDelivery, match="X-AIMS-Delivery"):
        notify.verify_delivery(SECRET, body, {**headers, notify.DELIVERY_HEADER: "43"})
    old_body, old_headers = signed(document(sent_at=timezone.now() - dt.timedelta(hours=1)))
    with pytest.raises(notify.InvalidDelivery, match="replay") as exc:
        notify.verify_delivery(SECRET, old_body, old_headers)
    assert exc.value.status == 401
    assert notify.verify_delivery(SECRET, old_body, old_headers, max_age=None)["delivery"] == 42


def test_the_receiver_answers_200_for_a_good_signature_and_401_for_a_tampered_body_or_wrong_secret():
    lines = []
    with WebhookReceiver(SECRET, on_request=lambda r: lines.append(r.line())) as receiver:
        assert receiver.url.startswith("http://127.0.0.1:") and receiver.url.endswith("/aims/webhook")
        body, headers = signed(document())
        good = httpx.post(receiver.url, content=body, headers=headers)
        again = httpx.post(receiver.url, content=body, headers=headers)
        tampered = httpx.post(receiver.url, content=body.replace(b"critical", b"warning"), headers=headers)
        wrong_body, wrong_headers = signed(document(43), secret="not-the-channel-secret-at-all")
        wrong = httpx.post(receiver.url, content=wrong_body, headers=wrong_headers)
        unsigned = httpx.post(receiver.url, content=body, headers={"Content-Type": "application/json"})
        status = httpx.get(receiver.url)
    assert good.status_code == 200
    assert good.json() == {"verified": True, "delivery": 42, "event": "alert.opened"}
    assert again.status_code == 200 and again.json()["repeat"] is True
    assert tampered.status_code == 401 and tampered.json() == {
        "verified": False,
        "reason": "signature does not match",
    }
    assert wrong.status_code == 401 and unsigned.status_code == 401
    assert status.status_code == 200 and status.json()["received"] == 5
    assert [r.verified for r in receiver.received] == [True, True, False, False, False]
    assert (
        "delivery=42 event=alert.opened alert=7 severity=critical system=loan-scoring verified=yes -> 200"
        in (lines[0])
    )
    assert lines[1].endswith("verified=yes repeat -> 200")
    assert lines[2].endswith('verified=no reason="signature does not match" -> 401')
    assert "delivery=43" in lines[3]


def test_the_receiver_refuses_a_body_too_large():
    with WebhookReceiver(SECRET) as receiver:
        answer = httpx.post(receiver.url, content=b"x" * 1_000_001)
    assert answer.status_code == 413 and not receiver.received[0].verified


@pytest.mark.django_db
@override_settings(AIMS_WEBHOOK_ALLOW_PRIVATE=True)
def test_aims_delivery_records_the_receivers_answer_and_the_signature_it_sent(
    actor, system, reference_doc, batch_docs, django_capture_on_commit_callbacks
):
    with WebhookReceiver(SECRET) as good, WebhookReceiver("a-different-secret-altogether") as bad:
        for name, url in (("Good desk", good.url), ("Wrong secret", bad.url)):
            services.create_channel(
                actor("ai_manager"), {"name": name, "kind": "webhook", "target": url, "secret": SECRET}
            )
        monitor = credit_drift_monitor(
            actor("operational_team"),
            system,
            channels=list(NotificationChannel.objects.values_list("pk", flat=True)),
        )
        tech = actor("technical_team")
        services.ingest_profile(tech, ai_system=system, profile=reference_doc, role="reference")
        services.ingest_profile(tech, ai_system=system, profile=batch_docs[-1])
        with django_capture_on_commit_callbacks(execute=True):
            services.evaluate_monitor(monitor)
    sent = Notification.objects.get(channel__name="Good desk")
    assert sent.status == "sent" and sent.response_code == 200 and sent.attempts == 1
    assert json.loads(sent.response_body) == {"verified": True, "delivery": sent.pk, "event": "alert.opened"}
    assert good.received[0].verified and good.received[0].delivery == str(sent.pk)
    assert sent.signature.startswith("sha256=") and len(sent.signature) == 71
    refused = Notification.objects.get(channel__name="Wrong secret")
    assert (
        refused.status == "failed"
        and refused.response_code == 401
        and refused.attempts == notify.MAX_ATTEMPTS
    )
    assert refused.last_error == "HTTP 401" and "signature does not match" in refused.response_body
    assert len(bad.received) == notify.MAX_ATTEMPTS and not any(r.verified for r in bad.received)


def test_the_command_serves_verifies_and_logs_one_line_per_delivery(tmp_path):
    log = tmp_path / "deliveries.log"
    env = {**os.environ, "AIMS_VAR_DIR": str(tmp_path / "var"), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "aims", "webhook-receiver", "--port", "0", "--log", str(log)],
        env={**env, "AIMS_WEBHOOK_SECRET": SECRET},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = process.stdout.readline()
        assert first.startswith("Receiving AIMS webhooks on http://127.0.0.1:"), (
            first + process.stderr.read() if process.poll() is not None else first
        )
        url = first.split(" on ", 1)[1].split(" ", 1)[0]
        body, headers = signed(document())
        assert httpx.post(url, content=body, headers=headers).status_code == 200
        assert httpx.post(url, content=body + b"\n", headers=headers).status_code == 401
    finally:
        process.terminate()
        process.wait(timeout=10)
    lines = log.read_text().splitlines()
    assert len(lines) == 2 and lines[0].endswith("verified=yes -> 200") and lines[1].endswith("-> 401")


@pytest.mark.django_db
def test_the_command_reads_the_secret_of_a_named_channel(actor, org, monkeypatch):
    from importlib import import_module

    command = import_module("aims.monitoring.management.commands.webhook-receiver").Command()
    services.create_channel(
        actor("ai_manager"),
        {"name": "Desk", "kind": "webhook", "target": "https://hooks.example/aims", "secret": SECRET},
    )
    services.create_channel(actor("ai_manager"), {"name": "Mail", "kind": "email", "target": "a@b.example"})
    assert command._secret({"channel": "Desk", "org": "acme"})[0] == SECRET
    assert command._secret({"secret": "given"})[0] == "given"
    for options, message in (
        ({"channel": "Desk"}, "needs --org"),
        ({"channel": "Desk", "org": "nope"}, "no organization"),
        ({"channel": "Nope", "org": "acme"}, "no notification channel"),
        ({"channel": "Mail", "org": "acme"}, "not a webhook"),
    ):
        with pytest.raises(CommandError, match=message):
            command._secret(options)
    monkeypatch.delenv("AIMS_WEBHOOK_SECRET", raising=False)
    with pytest.raises(CommandError, match="signing secret"):
        call_command("webhook-receiver", "--port", "0")
