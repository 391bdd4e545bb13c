"""`aims gate check SYSTEM [--org SLUG] [--json]`: judge a system's next gate, criterion by criterion.

Prints one line per criterion (met or not, with the reason) and exits 0 when the gate holds (every
criterion met, or an active exception covers it) and 1 when it does not, so a CI pipeline can call
it before a release. A system in its last stage has no next gate: the gate that led into it is
judged again. Reading the gate writes nothing (except, once, the organization's default criteria)."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from aims.core.management.cli import org_actor
from aims.inventory.models import AISystem


class Command(BaseCommand):
    help = "Lifecycle gates: `aims gate check SYSTEM --org SLUG` judges the system's next gate (exit 0 holds, 1 held back)."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("check", help="Judge the next gate of an AI system.")
        check.add_argument("system", help="The AI system's slug (or id).")
        check.add_argument("--org", required=True, help="The organization's slug.")
        check.add_argument("--email", help="Judge as this member (default: the operator).")
        check.add_argument("--json", action="store_true", help="Print the result as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        from aims.lifecycle import gates, services

        actor = org_actor(options["org"], options.get("email"))
        key = str(options["system"])
        qs = AISystem.objects.filter(organization=actor.organization)
        system = qs.filter(pk=int(key)).first() if key.isdigit() else qs.filter(slug=key).first()
        if system is None:
            raise CommandError(f"no AI system {key!r} in organization {options['org']!r}")
        result = services.evaluate(actor, system)
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "ai_system": system.slug,
                        "stage": result.stage,
                        "next_stage": result.to_stage,
                        "final": result.final,
                        "all_met": result.all_met,
                        "holds": result.holds,
                        "results": [r.as_dict() for r in result.results],
                    },
                    indent=2,
                    default=str,
                )
            )
        else:
            heading = f"{system.name} ({system.slug}): stage {gates.stage_label(system.lifecycle_stage)}"
            if result.final:
                heading += f"; last stage, re-judging the gate {gates.stage_label(result.stage)} -> {gates.stage_label(result.to_stage)}"
            else:
                heading += (
                    f"; next gate {gates.stage_label(result.stage)} -> {gates.stage_label(result.to_stage)}"
                )
            self.stdout.write(heading)
            for r in result.results:
                mark = "MET    " if r.met else "NOT MET"
                self.stdout.write(f"  [{mark}] {r.title}: {r.reason}")
            met = sum(1 for r in result.results if r.met)
            if result.all_met:
                verdict = f"HOLDS: {met}/{len(result.results)} criteria met"
            elif result.holds and result.exception is not None:
                verdict = (
                    f"HOLDS with an exception until {result.exception.expires_on}: "
                    f"{met}/{len(result.results)} criteria met"
                )
            else:
                verdict = f"HELD BACK: {met}/{len(result.results)} criteria met"
            self.stdout.write(verdict)
        sys.stdout.flush()
        if not result.holds:
            raise SystemExit(1)
