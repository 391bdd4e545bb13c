"""Telling people about alerts: e-mail through Django's mail backend, and signed webhooks.

Webhook requests
    ``POST`` of a JSON document (``payload()``) with the headers

    ``X-AIMS-Signature: sha256=<hex>``   HMAC-SHA256 of the exact request body with the channel's secret
    ``X-AIMS-Event``                     ``alert.opened``, ``alert.escalated`` or ``alert.resolved``
    ``X-AIMS-Delivery``                  the delivery's id (the same on every retry: receivers de-duplicate)

    The body carries ``sent_at``, so a receiver can refuse replays. Verify like this::

        expected = "sha256=" + hmac.new(secret.encode(), request.body, hashlib.sha256).hexdigest()
        hmac.compare_digest(expected, request.headers["X-AIMS-Signature"])

    or with ``verify_delivery(secret, body, headers)`` below, which `aims webhook-receiver`
    (``receiver.py``) uses. The headers are not signed: after verifying, read the event and the
    delivery id from the body (``verify_delivery`` checks that the headers agree with it).

    A 2xx answer is a delivery. Anything else (an error status, a timeout, a refused connection)
    is retried by the worker after 30 s, 2 min, 10 min and 1 h; after the fifth attempt the delivery
    is marked failed. Redirects are not followed. Addresses on private, loopback and link-local
    networks are refused unless the setting ``AIMS_WEBHOOK_ALLOW_PRIVATE`` is true (so a webhook
    cannot be used to reach the server's own network). The one exception is ``allow_local(url)``: for
    the code inside it, and for exactly that URL on the loopback interface, deliveries are allowed
    (the demo's own receiver, started by `aims demo` for the length of one delivery).

    Each attempt records the signature header it sent and the start of the answer
    (``Notification.signature``, ``response_body``): the channel's deliveries page shows them.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import logging
import socket
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from .models import Alert, Notification, NotificationChannel

log = logging.getLogger(__name__)
RETRY_DELAYS = (30, 120, 600, 3600)  # seconds before attempts 2, 3, 4 and 5
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
TIMEOUT = 10.0
SIGNATURE_HEADER = "X-AIMS-Signature"
EVENT_HEADER = "X-AIMS-Event"
DELIVERY_HEADER = "X-AIMS-Delivery"
MAX_AGE = 300  # seconds: how old a delivery's sent_at may be before a receiver treats it as a replay
RESPONSE_KEPT = 300  # characters of the receiver's answer kept on the delivery
# URLs the SSRF guard lets through on the loopback interface, for the code inside allow_local() only.
_LOCAL_ALLOWED: contextvars.ContextVar[frozenset[str]] = contextvars.ContextVar(
    "aims_webhook_local_allowed", default=frozenset()
)


class DeliveryError(Exception):
    def __init__(self, message: str, *, permanent: bool = False, status: int | None = None) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.status = status


def payload(alert: Alert, event: str, delivery_id: int | None = None) -> dict[str, Any]:
    monitor = alert.monitor
    site = getattr(settings, "SITE_URL", "").rstrip("/")
    return {
        "event": event,
        "delivery": delivery_id,
        "sent_at": timezone.now().isoformat(),
        "organization": alert.ai_system.organization.slug,
        "alert": {
            "id": alert.pk,
            "severity": alert.severity,
            "status": alert.status,
            "value": alert.value,
            "threshold": alert.threshold,
            "message": alert.message,
            "occurrences": alert.occurrences,
            "opened_at": alert.created_at.isoformat(),
            "url": f"{site}{alert.get_absolute_url()}",
        },
        "monitor": {
            "id": monitor.pk,
            "name": monitor.name,
            "metric": monitor.metric,
            "comparison": monitor.comparison,
            "warning_threshold": monitor.warning_threshold,
            "critical_threshold": monitor.critical_threshold,
            "window_hours": monitor.window_hours,
        },
        "ai_system": {"id": alert.ai_system_id, "slug": alert.ai_system.slug, "name": alert.ai_system.name},
    }


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_signature(secret: str, body: bytes, signature: str | None) -> bool:
    """True when `signature` (the X-AIMS-Signature header) is the HMAC-SHA256 of exactly `body` with
    `secret`. Compared in constant time, so the answer's timing tells nothing about the secret."""
    if not secret or not signature:
        return False
    expected = sign(secret, body).encode()
    return hmac.compare_digest(expected, signature.strip().encode("utf-8", "replace"))


class InvalidDelivery(Exception):
    """A webhook request that a receiver must refuse; `status` is the HTTP answer to give."""

    def __init__(self, reason: str, status: int = 401) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


def verify_delivery(
    secret: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    max_age: float | None = MAX_AGE,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """What a receiver does with a request: check the signature, then that the (unsigned) event and
    delivery headers agree with the signed body, then that ``sent_at`` is at most `max_age` seconds
    away from now (a replayed old request is refused; None or 0 skips this). Returns the document;
    raises `InvalidDelivery` with the reason and the status to answer (401 or 400)."""
    lower = {k.lower(): v for k, v in headers.items()}
    if not verify_signature(secret, body, lower.get(SIGNATURE_HEADER.lower())):
        raise InvalidDelivery("signature does not match", 401)
    try:
        document = json.loads(body)
    except ValueError as exc:
        raise InvalidDelivery("the body is not JSON", 400) from exc
    if not isinstance(document, dict):
        raise InvalidDelivery("the body is not a JSON object", 400)
    event = lower.get(EVENT_HEADER.lower())
    if event is not None and event != document.get("event"):
        raise InvalidDelivery(f"{EVENT_HEADER} differs from the signed body", 400)
    delivery = lower.get(DELIVERY_HEADER.lower())
    if delivery is not None and delivery != str(document.get("delivery")):
        raise InvalidDelivery(f"{DELIVERY_HEADER} differs from the signed body", 400)
    if max_age:
        try:
            sent_at = dt.datetime.fromisoformat(str(document.get("sent_at")))
        except ValueError as exc:
            raise InvalidDelivery("sent_at is missing or not a date", 400) from exc
        if sent_at.tzinfo is None:
            raise InvalidDelivery("sent_at has no time zone", 400)
        age = ((now or timezone.now()) - sent_at).total_seconds()
        if abs(age) > max_age:
            raise InvalidDelivery(
                f"sent_at is {age:.0f} s away from now (more than {max_age:g}): a replay?", 401
            )
    return document


@contextlib.contextmanager
def allow_local(url: str) -> Iterator[None]:
    """Inside this block, and in this thread or task only, the SSRF guard lets a webhook reach exactly
    `url` when it is on the loopback interface. For the demo's own receiver; nothing else opens."""
    token = _LOCAL_ALLOWED.set(_LOCAL_ALLOWED.get() | {url})
    try:
        yield
    finally:
        _LOCAL_ALLOWED.reset(token)


def queue(alert: Alert, event: str) -> list[Notification]:
    """One delivery per active channel of the alert's monitor that wants this severity; each is sent
    by the worker once the transaction commits."""
    created = []
    for channel in alert.monitor.channels.filter(active=True):
        if (
            channel.min_severity == NotificationChannel.MinSeverity.CRITICAL
            and alert.severity != Alert.Severity.CRITICAL
        ):
            continue
        created.append(
            Notification.objects.create(
                organization_id=alert.organization_id, alert=alert, channel=channel, event=event
            )
        )
    if created:
        from . import tasks

        ids = [n.pk for n in created]
        transaction.on_commit(lambda: [tasks.deliver_notification.enqueue(i) for i in ids])
    return created


def _check_address(url: str) -> None:
    if getattr(settings, "AIMS_WEBHOOK_ALLOW_PRIVATE", False):
        return
    host = urlsplit(url).hostname or ""
    try:
        infos = socket.getaddrinfo(host, None)
    except socket.gaierror as exc:
        raise DeliveryError(f"cannot resolve {host}: {exc}") from exc
    local_ok = url in _LOCAL_ALLOWED.get()
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if local_ok and address.is_loopback:
            continue
        if (
            address.is_private
            or address.is_loopback
            or address.is_link_local
            or address.is_reserved
            or address.is_multicast
        ):
            raise DeliveryError(
                f"refused: {host} is on a private or local network ({address})", permanent=True
            )


def _send_webhook(n: Notification) -> int:
    import httpx

    channel = n.channel
    _check_address(channel.target)
    body = json.dumps(payload(n.alert, n.event, n.pk), sort_keys=True, separators=(",", ":")).encode()
    n.signature = sign(channel.secret, body)
    n.response_body = ""
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "AIMS-webhook/1",
        EVENT_HEADER: n.event,
        DELIVERY_HEADER: str(n.pk),
        SIGNATURE_HEADER: n.signature,
    }
    try:
        response = httpx.post(
            channel.target, content=body, headers=headers, timeout=TIMEOUT, follow_redirects=False
        )
    except httpx.HTTPError as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
    n.response_body = response.text[:RESPONSE_KEPT]
    if not 200 <= response.status_code < 300:
        raise DeliveryError(f"HTTP {response.status_code}", status=response.status_code)
    return response.status_code


def _send_email(n: Notification) -> None:
    data = payload(n.alert, n.event, n.pk)
    a, m, s = data["alert"], data["monitor"], data["ai_system"]
    what = {"alert.opened": "opened", "alert.escalated": "became critical", "alert.resolved": "resolved"}.get(
        n.event, n.event
    )
    subject = f"[AIMS] {a['severity']}: {m['name']} on {s['name']} ({what})"
    lines = [
        f"The monitor '{m['name']}' on the AI system {s['name']} {what}.",
        "",
        a["message"],
        "",
        f"Metric: {m['metric']} (warning {m['warning_threshold']}, critical {m['critical_threshold']}, {m['comparison']})",
        f"Alert: {a['url']}",
        "",
        "You receive this because you are on the notification channel " + f"'{n.channel.name}' in AIMS.",
    ]
    send_mail(subject[:200], "\n".join(lines), None, n.channel.recipients)


def deliver(notification_id: int) -> Notification | None:
    """One attempt; on failure, schedule the next (see the module docstring)."""
    n = (
        Notification.objects.select_related("channel", "alert__monitor", "alert__ai_system__organization")
        .filter(pk=notification_id)
        .first()
    )
    if n is None or n.status in (Notification.Status.SENT, Notification.Status.FAILED):
        return n
    n.attempts += 1
    try:
        if n.channel.kind == NotificationChannel.Kind.WEBHOOK:
            n.response_code = _send_webhook(n)
        else:
            _send_email(n)
    except Exception as exc:  # noqa: BLE001 - every failure is recorded on the delivery
        n.last_error = str(exc)[:500]
        n.response_code = getattr(exc, "status", None)
        permanent = getattr(exc, "permanent", False)
        if permanent or n.attempts >= MAX_ATTEMPTS:
            n.status = Notification.Status.FAILED
            n.next_attempt_at = None
            n.save()
            log.warning("notification %s failed for good: %s", n.pk, n.last_error)
            return n
        delay = RETRY_DELAYS[n.attempts - 1]
        n.status = Notification.Status.RETRYING
        n.next_attempt_at = timezone.now() + dt.timedelta(seconds=delay)
        n.save()
        _retry(n)
        return Notification.objects.get(pk=n.pk)
    n.status = Notification.Status.SENT
    n.sent_at = timezone.now()
    n.last_error = ""
    n.next_attempt_at = None
    n.save()
    return n


def _retry(n: Notification) -> None:
    from . import tasks

    task = tasks.deliver_notification
    if task.get_backend().supports_defer:
        task.using(run_after=n.next_attempt_at).enqueue(n.pk)
    else:
        # A backend without deferred runs (the immediate one used in development): retry now.
        task.enqueue(n.pk)
