"""``aims evaluate``: performance and fairness of a model's outputs, from a file or a profile.

A thin wrapper: arguments and computation live in :mod:`aims.evidence.cli`, so this command and
``python -m aims.evidence evaluate`` behave identically.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from aims.evidence.cli import add_evaluate_arguments, run_evaluate
from aims.evidence.io import EvidenceInputError


class Command(BaseCommand):
    help = (
        "Evaluate a model's predictions: performance (accuracy, precision, recall, F1, FPR, FNR, ROC AUC; "
        "MAE, RMSE, R2) and fairness per sensitive attribute and intersection (fairlearn definitions). "
        "Prints JSON (default), a table or HTML. See docs/evidence.md."
    )
    # The computation needs no database and no system checks; skipping them keeps start-up short.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        add_evaluate_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            text = run_evaluate(options)
        except EvidenceInputError as exc:
            raise CommandError(str(exc)) from exc
        if text:
            self.stdout.write(text, ending="")
