"""A webhook receiver that checks AIMS's signatures the way a customer's endpoint should.

`aims webhook-receiver` runs it in the foreground, to try a webhook channel before pointing it at a
real endpoint; `aims demo` runs it in a background thread for the one delivery of its demo alert.
Standard library only (``http.server``); it never touches the database.

For each ``POST`` it calls `notify.verify_delivery` (HMAC-SHA256 of the exact body with the shared
secret, compared in constant time; the event and delivery headers must agree with the signed body;
``sent_at`` at most `notify.MAX_AGE` seconds away) and answers

- ``200`` ``{"verified": true, "delivery": 42, "event": "alert.opened"}`` for a good delivery (also
  for a repeat of a delivery id already seen: AIMS retries only what was not answered with 2xx, so a
  repeat is a retry whose answer was lost; it is marked ``repeat`` and should not be acted on twice);
- ``401`` ``{"verified": false, "reason": ...}`` for a bad signature or a stale ``sent_at``;
- ``400`` for a body that is not the signed JSON document, ``413`` above `MAX_BODY` bytes.

and writes one line per request (`Received.line()`), to standard output and to the log file if given.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from . import notify

DEFAULT_PORT = 8765
DEFAULT_PATH = "/aims/webhook"
MAX_BODY = 1_000_000


@dataclass
class Received:
    """One request the receiver answered."""

    status: int
    verified: bool
    reason: str = ""
    delivery: str = ""
    event: str = ""
    alert: Any = None
    severity: str = ""
    system: str = ""
    path: str = ""
    repeat: bool = False
    received_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    def line(self) -> str:
        when = self.received_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        parts = [when, f"delivery={self.delivery or '-'}", f"event={self.event or '-'}"]
        if self.verified:
            parts += [f"alert={self.alert}", f"severity={self.severity}", f"system={self.system}"]
            parts.append("verified=yes" + (" repeat" if self.repeat else ""))
        else:
            parts.append(f'verified=no reason="{self.reason}"')
        return " ".join(parts) + f" -> {self.status}"


class WebhookReceiver:
    """``with WebhookReceiver(secret) as r: ... r.url ...`` serves in a background thread;
    `serve_forever()` in the foreground. `received` lists every request answered."""

    def __init__(
        self,
        secret: str,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        path: str = DEFAULT_PATH,
        max_age: float | None = notify.MAX_AGE,
        on_request: Callable[[Received], None] | None = None,
    ) -> None:
        if not secret:
            raise ValueError("a webhook receiver needs the channel's signing secret")
        self.secret = secret
        self.path = path if path.startswith("/") else "/" + path
        self.max_age = max_age
        self.on_request = on_request
        self.received: list[Received] = []
        self._seen: set[str] = set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.server = ThreadingHTTPServer((host, port), self._handler())
        self.server.daemon_threads = True

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        shown = f"[{host}]" if ":" in str(host) else host
        return f"http://{shown}:{port}{self.path}"

    def handle(self, body: bytes, headers: Any, path: str) -> tuple[int, dict[str, Any]]:
        """Verify one request; record it; return (status, JSON answer)."""
        claimed = {
            "delivery": headers.get(notify.DELIVERY_HEADER) or "",
            "event": headers.get(notify.EVENT_HEADER) or "",
        }
        try:
            document = notify.verify_delivery(self.secret, body, headers, max_age=self.max_age)
        except notify.InvalidDelivery as exc:
            entry = Received(exc.status, False, exc.reason, path=path, **claimed)
            answer: dict[str, Any] = {"verified": False, "reason": exc.reason}
        else:
            alert = document.get("alert") or {}
            delivery = str(document.get("delivery"))
            with self._lock:
                repeat = delivery in self._seen
                self._seen.add(delivery)
            entry = Received(
                200,
                True,
                delivery=delivery,
                event=str(document.get("event")),
                alert=alert.get("id"),
                severity=str(alert.get("severity")),
                system=str((document.get("ai_system") or {}).get("slug")),
                path=path,
                repeat=repeat,
            )
            answer = {"verified": True, "delivery": document.get("delivery"), "event": entry.event}
            if repeat:
                answer["repeat"] = True
        self._record(entry)
        return entry.status, answer

    def _record(self, entry: Received) -> None:
        with self._lock:
            self.received.append(entry)
        if self.on_request is not None:
            self.on_request(entry)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            server_version = "aims-webhook-receiver/1"

            def _answer(self, status: int, answer: dict[str, Any]) -> None:
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                try:
                    length = int(self.headers.get("Content-Length") or 0)
                except ValueError:
                    length = -1
                if not 0 <= length <= MAX_BODY:
                    reason = "no Content-Length" if length < 0 else f"body above {MAX_BODY} bytes"
                    receiver._record(Received(413, False, reason, path=self.path))
                    self.close_connection = True
                    self._answer(413, {"verified": False, "reason": reason})
                    return
                body = self.rfile.read(length)
                self._answer(*receiver.handle(body, self.headers, self.path))

            def do_GET(self) -> None:  # noqa: N802
                self._answer(
                    200,
                    {
                        "receiver": "AIMS webhook receiver",
                        "post_to": receiver.url,
                        "received": len(receiver.received),
                    },
                )

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                """One line per delivery is written by the receiver instead."""

        return Handler

    def start(self) -> WebhookReceiver:
        self._thread = threading.Thread(target=self.server.serve_forever, name="aims-webhook-receiver")
        self._thread.daemon = True
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self.server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self.server.server_close()

    def serve_forever(self) -> None:
        try:
            self.server.serve_forever()
        finally:
            self.server.server_close()

    def __enter__(self) -> WebhookReceiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
