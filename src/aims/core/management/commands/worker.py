from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Run a background worker on the database task queue (django-tasks): monitor evaluation, reminders, "
        "imports, reports. Start as many as you like on PostgreSQL."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", action="store_true", help="Process what is queued, then exit.")
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls.")

    def handle(self, *args: Any, **options: Any) -> None:
        extra = ["--batch"] if options["batch"] else []
        call_command("db_worker", "--interval", str(options["interval"]), *extra)
