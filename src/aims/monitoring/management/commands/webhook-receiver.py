"""``aims webhook-receiver``: receive AIMS's signed webhooks and check them, as your endpoint should.

aims webhook-receiver [--host 127.0.0.1] [--port 8765] [--path /aims/webhook]
                      (--secret S | --channel NAME --org ORG) [--max-age 300] [--log FILE]

The secret comes from --secret, else from the webhook channel named --channel in the organization
--org (read from the database), else from the environment variable AIMS_WEBHOOK_SECRET. One line
per request on standard output (and appended to --log): delivery, event, alert, severity, system,
verified or the reason it was refused, and the status answered (200, or 401 for a bad signature).
See docs/monitoring.md, "Trying a webhook channel".
"""

from __future__ import annotations

import os
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Run a small HTTP server that receives AIMS's webhooks, verifies each signature (HMAC-SHA256 "
        "of the body with the channel's secret) and prints one line per delivery (docs/monitoring.md)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        from aims.monitoring.receiver import DEFAULT_PATH, DEFAULT_PORT

        parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
        parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"default {DEFAULT_PORT}")
        parser.add_argument("--path", default=DEFAULT_PATH, help=f"shown in the URL (default {DEFAULT_PATH})")
        parser.add_argument(
            "--secret", help="the channel's signing secret (or set AIMS_WEBHOOK_SECRET, or use --channel)"
        )
        parser.add_argument("--channel", help="name of a webhook channel: its secret is used")
        parser.add_argument("--org", help="organization slug of --channel")
        parser.add_argument(
            "--max-age",
            type=float,
            default=None,
            help="refuse deliveries whose sent_at is further than this many seconds from now "
            "(default 300; 0 turns the check off)",
        )
        parser.add_argument("--log", help="also append each line to this file")

    def _secret(self, options: dict[str, Any]) -> tuple[str, str]:
        if options.get("secret"):
            return options["secret"], "--secret"
        if options.get("channel"):
            from aims.core.models import Organization
            from aims.monitoring.models import NotificationChannel

            if not options.get("org"):
                raise CommandError("--channel needs --org")
            org = Organization.objects.filter(slug=options["org"]).first()
            if org is None:
                raise CommandError(f"no organization {options['org']!r}")
            channel = NotificationChannel.objects.filter(organization=org, name=options["channel"]).first()
            if channel is None:
                raise CommandError(f"no notification channel {options['channel']!r} in {org.slug}")
            if channel.kind != NotificationChannel.Kind.WEBHOOK or not channel.secret:
                raise CommandError(f"the channel {channel.name!r} is not a webhook with a secret")
            return channel.secret, f"the channel {channel.name!r} of {org.slug}"
        if os.environ.get("AIMS_WEBHOOK_SECRET"):
            return os.environ["AIMS_WEBHOOK_SECRET"], "AIMS_WEBHOOK_SECRET"
        raise CommandError(
            "give the signing secret: --secret, AIMS_WEBHOOK_SECRET, or --channel NAME --org ORG"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from aims.monitoring import notify
        from aims.monitoring.receiver import Received, WebhookReceiver

        secret, source = self._secret(options)
        log_path = Path(options["log"]) if options.get("log") else None
        max_age = notify.MAX_AGE if options.get("max_age") is None else options["max_age"]

        def report(entry: Received) -> None:
            line = entry.line()
            self.stdout.write(line)
            self.stdout.flush()
            if log_path is not None:
                with log_path.open("a", encoding="utf-8") as fh:
                    fh.write(line + "\n")

        try:
            receiver = WebhookReceiver(
                secret,
                host=options["host"],
                port=options["port"],
                path=options["path"],
                max_age=max_age or None,
                on_request=report,
            )
        except OSError as exc:
            raise CommandError(f"cannot listen on {options['host']}:{options['port']}: {exc}") from exc
        self.stdout.write(
            f"Receiving AIMS webhooks on {receiver.url} (secret from {source}); Ctrl-C stops.\n"
            "Point a webhook channel at this URL. AIMS refuses loopback and private addresses unless "
            "AIMS_WEBHOOK_ALLOW_PRIVATE=true is set for the worker."
        )
        self.stdout.flush()
        try:
            receiver.serve_forever()
        except KeyboardInterrupt:
            self.stdout.write(f"Stopped after {len(receiver.received)} request(s).")
