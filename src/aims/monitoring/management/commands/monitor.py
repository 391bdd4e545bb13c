"""``aims monitor``: evaluate monitors and run the periodic scheduler from the command line.

aims monitor evaluate [--org SLUG] [--system SLUG]   evaluate active monitors now
aims monitor tick                                     enqueue the periodic tasks that are due (for cron)
aims monitor scheduler [--interval 30]                run the scheduler alone, in the foreground
"""

from __future__ import annotations

import threading
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Evaluate monitors now, or run the scheduler of periodic tasks (docs/monitoring.md)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        ev = sub.add_parser("evaluate", help="evaluate active monitors now")
        ev.add_argument("--org", help="organization slug (default: all)")
        ev.add_argument("--system", help="AI system slug (needs --org)")
        sub.add_parser("tick", help="enqueue the periodic tasks that are due, once")
        sch = sub.add_parser("scheduler", help="run the scheduler in the foreground")
        sch.add_argument("--interval", type=float, default=30.0)

    def handle(self, *args: Any, **options: Any) -> None:
        from aims.core import scheduler
        from aims.monitoring import services

        action = options["action"]
        if action == "tick":
            ran = scheduler.run_due()
            self.stdout.write(("enqueued: " + ", ".join(ran)) if ran else "nothing due")
        elif action == "scheduler":
            self.stdout.write(f"scheduler running every {options['interval']} s (Ctrl-C stops)")
            stop = threading.Event()
            try:
                scheduler.loop(stop, options["interval"])
            except KeyboardInterrupt:
                stop.set()
        else:
            from aims.core.models import Organization
            from aims.inventory.models import AISystem

            org = None
            if options.get("org"):
                org = Organization.objects.filter(slug=options["org"]).first()
                if org is None:
                    raise CommandError(f"no organization {options['org']!r}")
            if options.get("system"):
                if org is None:
                    raise CommandError("--system needs --org")
                system = AISystem.objects.filter(organization=org, slug=options["system"]).first()
                if system is None:
                    raise CommandError(f"no AI system {options['system']!r} in {org.slug}")
                counts = services.evaluate_system(system.pk)
            else:
                counts = services.evaluate_all(org)
            summary = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "no active monitor"
            self.stdout.write(summary)
