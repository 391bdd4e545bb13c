from __future__ import annotations

import threading
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from aims.core import scheduler


class Command(BaseCommand):
    help = (
        "Run a background worker on the database task queue (django-tasks): monitor evaluation, reminders, "
        "imports, reports, and the periodic jobs of every area (each enqueued once per interval however "
        "many workers run). Start as many as you like on PostgreSQL."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch", action="store_true", help="Enqueue due periodic jobs, process the queue, exit."
        )
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls of the queue.")
        parser.add_argument("--no-scheduler", action="store_true", help="Only process the queue.")

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        if options["batch"]:
            if not options["no_scheduler"]:
                for name in scheduler.run_due():
                    self.stdout.write(f"enqueued {name}")
            call_command("db_worker", "--interval", str(options["interval"]), "--batch")
            return
        if not options["no_scheduler"]:
            threading.Thread(target=scheduler.loop, args=(stop,), name="aims-scheduler", daemon=True).start()
        try:
            call_command("db_worker", "--interval", str(options["interval"]))
        finally:
            stop.set()
