"""``aims profile DATA -o FILE``: write a mergeable profile of a data set (no raw rows).

The same arguments as ``python -m aims.evidence profile``; ``--push SYSTEM`` also stores the profile
for that AI system of ``--org`` (as the operator, through the same service as the API), so a batch
job on the AIMS host needs no token.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from aims.evidence.cli import add_profile_arguments, run_profile
from aims.evidence.io import EvidenceInputError


class Command(BaseCommand):
    help = (
        "Profile a data file (Parquet, CSV, Feather) into a compact, mergeable profile: counts, fixed-edge "
        "histograms and, with --target/--prediction, confusion counts per sensitive group. The profile holds no "
        "raw rows; `aims evaluate` and `aims drift` read it, and AIMS stores it (--push). See docs/monitoring.md."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        add_profile_arguments(parser)
        parser.add_argument(
            "--push", metavar="SYSTEM", help="also store the profile for this AI system (slug) in AIMS"
        )
        parser.add_argument("--org", help="organization slug (with --push)")
        parser.add_argument(
            "--role",
            choices=["batch", "reference"],
            default="batch",
            help="with --push: batch (default) or reference",
        )
        parser.add_argument("--model-version", help="with --push: the model version's label")
        parser.add_argument("--name", default="", help="with --push: what the data is")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            text = run_profile(options)
        except EvidenceInputError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(text, ending="")
        if options.get("push"):
            self._push(options)

    def _push(self, options: dict[str, Any]) -> None:
        from aims.core.actors import Actor
        from aims.core.models import Organization
        from aims.evidence import load_profile
        from aims.monitoring import services

        if not options.get("org"):
            raise CommandError("--push needs --org ORGANIZATION")
        org = Organization.objects.filter(slug=options["org"]).first()
        if org is None:
            raise CommandError(f"no organization {options['org']!r}")
        try:
            obj = services.ingest_profile(
                Actor.system(org, source="cli"),
                ai_system=options["push"],
                profile=load_profile(options["output"]),
                model_version=options.get("model_version"),
                name=options.get("name") or "",
                role=options["role"],
            )
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from exc
        self.stdout.write(f"stored as profile {obj.pk} of {obj.ai_system.slug} ({obj.digest})\n")
