"""``aims evaluate``: performance and fairness of a model's outputs, from a file or a profile.

A thin wrapper: arguments and computation live in :mod:`aims.evidence.cli`, so this command and
``python -m aims.evidence evaluate`` behave identically. ``--push SYSTEM --org ORG`` also stores the
evidence in AIMS: a profile of the data (a batch, so monitors and trend pages see it; never raw rows)
and, with ``--model-version``, a lifecycle evaluation of that model version with the same numbers.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from aims.evidence.cli import add_evaluate_arguments, evaluate_document, run_evaluate
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
        parser.add_argument(
            "--push",
            metavar="SYSTEM",
            help="also store the evidence for this AI system (slug): a profile of the data, and with "
            "--model-version an evaluation of that model version",
        )
        parser.add_argument("--org", help="organization slug (with --push)")
        parser.add_argument("--model-version", help="with --push: the model version's label, e.g. 2.0.0")
        parser.add_argument("--name", default="", help="with --push: what the data is, e.g. 'hold-out set'")

    def handle(self, *args: Any, **options: Any) -> None:
        if options.get("push") and not options.get("org"):
            raise CommandError("--push needs --org ORGANIZATION")
        try:
            doc = evaluate_document(options)
            text = run_evaluate(options, doc)
        except EvidenceInputError as exc:
            raise CommandError(str(exc)) from exc
        if text:
            self.stdout.write(text, ending="")
        if options.get("push"):
            self._push(options, doc)

    def _push(self, options: dict[str, Any], doc: dict[str, Any]) -> None:
        from django.db import transaction

        from aims.client import evaluation_fields
        from aims.core.actors import Actor
        from aims.core.models import Organization
        from aims.evidence import load_profile, make_profile
        from aims.evidence.profile import is_profile_source
        from aims.monitoring import services

        org = Organization.objects.filter(slug=options["org"]).first()
        if org is None:
            raise CommandError(f"no organization {options['org']!r}")
        actor = Actor.system(org, source="cli")
        data = options["data"]
        try:
            if is_profile_source(data):
                profile = load_profile(data)
            else:
                profile = make_profile(
                    data,
                    target=options["target"],
                    prediction=options["prediction"],
                    score=options.get("score"),
                    sensitive=options.get("sensitive") or [],
                    positive_label=options.get("positive_label"),
                    task=options.get("task") or "auto",
                )
        except EvidenceInputError as exc:
            raise CommandError(str(exc)) from exc
        try:
            with transaction.atomic():
                stored = services.ingest_profile(
                    actor,
                    ai_system=options["push"],
                    profile=profile,
                    model_version=options.get("model_version"),
                    name=options.get("name") or "",
                )
                evaluation = None
                if options.get("model_version"):
                    from aims.lifecycle import services as lifecycle

                    metrics, fairness = evaluation_fields(doc)
                    evaluation = lifecycle.create_evaluation(
                        actor,
                        {
                            "ai_system": stored.ai_system.slug,
                            "model_version": options["model_version"],
                            "kind": "ethical" if fairness else "technical",
                            "title": (options.get("name") or "aims evaluate")[:200],
                            "metrics": metrics,
                            "fairness": fairness,
                            "source": "upload",
                        },
                    )
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from exc
        message = f"stored as profile {stored.pk} of {stored.ai_system.slug} ({stored.digest})"
        if evaluation is not None:
            message += f" and evaluation {evaluation.pk} of model version {options['model_version']}"
        self.stderr.write(message)
