"""``aims drift``: per-column drift between a reference and a current data set (files or profiles).

A thin wrapper over :mod:`aims.evidence.cli`; ``--fail-on-drift`` makes the exit status 3 when a
column drifted, for pipelines that should stop.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from aims.evidence.cli import DriftFound, add_drift_arguments, run_drift
from aims.evidence.io import EvidenceInputError


class Command(BaseCommand):
    help = (
        "Compare a current data set with a reference, column by column: KS (numeric) or chi-square "
        "(categorical) test, PSI, Jensen-Shannon, Wasserstein, missing and out-of-range shares, and a "
        "drift decision per column with documented thresholds. See docs/evidence.md."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        add_drift_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            text = run_drift(options)
        except DriftFound as found:
            self.stdout.write(found.output, ending="")
            raise CommandError(str(found), returncode=DriftFound.exit_code) from found
        except EvidenceInputError as exc:
            raise CommandError(str(exc)) from exc
        if text:
            self.stdout.write(text, ending="")
