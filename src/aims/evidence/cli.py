"""Command-line front end shared by ``aims evaluate`` / ``aims drift`` and ``python -m aims.evidence``.

The Django management commands only declare these arguments and call :func:`run_evaluate` or
:func:`run_drift`; everything else (reading, computing, rendering) lives here, so the commands are
testable without Django and ``python -m aims.evidence`` works where no AIMS server is configured
(on an ML platform, next to the data).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .io import EvidenceInputError

__all__ = [
    "DriftFound",
    "add_drift_arguments",
    "add_evaluate_arguments",
    "add_profile_arguments",
    "main",
    "run_drift",
    "run_evaluate",
    "run_profile",
]


class DriftFound(Exception):
    """Raised by :func:`run_drift` with ``--fail-on-drift`` when a column drifted (after writing output)."""

    exit_code = 3

    def __init__(self, output: str, drifted: Sequence[str]) -> None:
        super().__init__(f"drift detected in {len(drifted)} column(s): {', '.join(drifted)}")
        self.output = output


def add_evaluate_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``aims evaluate``."""
    parser.add_argument(
        "data", help="Parquet, CSV or Feather file with the model's outputs, or a profile (.json)"
    )
    parser.add_argument(
        "--target", required=True, help="column with the true label (or value, for regression)"
    )
    parser.add_argument("--prediction", required=True, help="column with the model's predicted label")
    parser.add_argument("--score", help="column with the positive-class score, for ROC AUC")
    parser.add_argument(
        "--sensitive",
        action="append",
        default=[],
        metavar="COLUMN",
        help="sensitive attribute column; repeat for several (their intersection is reported too)",
    )
    parser.add_argument(
        "--positive-label", help="the label that means 'selected' (default: 1 for 0/1 labels)"
    )
    parser.add_argument("--task", choices=["auto", "binary", "multiclass", "regression"], default="auto")
    parser.add_argument(
        "--min-group-size",
        type=int,
        default=30,
        help="groups with fewer rows are reported as suppressed (default: 30)",
    )
    parser.add_argument(
        "--no-intersections", action="store_true", help="report each sensitive attribute alone only"
    )
    parser.add_argument(
        "--format", choices=["json", "table", "html"], default="json", help="output format (default json)"
    )
    parser.add_argument("-o", "--output", help="write the report to this file instead of standard output")


def add_drift_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``aims drift``."""
    parser.add_argument("reference", help="reference data (Parquet, CSV, Feather) or profile (.json)")
    parser.add_argument("current", help="current data or profile")
    parser.add_argument(
        "--columns", nargs="+", metavar="COLUMN", help="columns to compare (default: all shared)"
    )
    parser.add_argument(
        "--categorical",
        action="append",
        default=[],
        metavar="COLUMN",
        help="treat this column as categorical (default: by data type)",
    )
    parser.add_argument(
        "--numeric", action="append", default=[], metavar="COLUMN", help="treat this column as numeric"
    )
    parser.add_argument("--target", help="label column: reported as label drift")
    parser.add_argument("--prediction", help="prediction column: reported as prediction drift")
    parser.add_argument("--score", help="score column: reported as prediction drift")
    parser.add_argument(
        "--threshold",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="change a default threshold, e.g. psi=0.25 (see docs/evidence.md)",
    )
    parser.add_argument(
        "--column-threshold",
        action="append",
        default=[],
        metavar="COLUMN:NAME=VALUE",
        help="change a threshold for one column, e.g. income:wasserstein_normed=0.2",
    )
    parser.add_argument(
        "--stats",
        metavar="NAME,...",
        help="statistics to compute per column, comma-separated, from ks, chi2, psi, wasserstein, js "
        "(default: all); e.g. wasserstein,js skips the exact KS p-value and decides on the distances",
    )
    parser.add_argument(
        "--fail-on-drift", action="store_true", help="exit with status 3 when any column drifted"
    )
    parser.add_argument(
        "--format", choices=["json", "table", "html"], default="json", help="output format (default json)"
    )
    parser.add_argument("-o", "--output", help="write the report to this file instead of standard output")


def add_profile_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``profile`` (``python -m aims.evidence profile``)."""
    parser.add_argument("data", help="Parquet, CSV or Feather file")
    parser.add_argument("-o", "--output", required=True, help="profile file to write (.json or .json.gz)")
    parser.add_argument("--columns", nargs="+", metavar="COLUMN", help="columns to profile (default: all)")
    parser.add_argument("--target")
    parser.add_argument("--prediction")
    parser.add_argument("--score")
    parser.add_argument("--sensitive", action="append", default=[], metavar="COLUMN")
    parser.add_argument("--positive-label")
    parser.add_argument("--task", choices=["auto", "binary", "multiclass", "regression"], default="auto")
    parser.add_argument(
        "--relative-accuracy", type=float, default=0.001, help="histogram bucket accuracy (default 0.001)"
    )


def _number(text: str, what: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise EvidenceInputError(f"{what}: {text!r} is not a number") from None


def _thresholds(items: Sequence[str]) -> dict[str, float]:
    out = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep:
            raise EvidenceInputError(f"--threshold expects NAME=VALUE, got {item!r}")
        number = _number(value, f"threshold {name}")
        out[name.strip()] = int(number) if name.strip() == "psi_bins" else number
    return out


def _column_thresholds(items: Sequence[str]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for item in items:
        column, sep, rest = item.partition(":")
        if not sep:
            raise EvidenceInputError(f"--column-threshold expects COLUMN:NAME=VALUE, got {item!r}")
        out.setdefault(column, {}).update(_thresholds([rest]))
    return out


def _emit(text: str, output: str | None) -> str:
    if output:
        Path(output).write_text(text, encoding="utf-8")
        return ""
    return text


def run_evaluate(options: Mapping[str, Any], doc: dict[str, Any] | None = None) -> str:
    """Run ``evaluate`` for parsed ``options`` (or render ``doc``, already computed from them);
    returns what to print (empty when written to a file)."""
    from .report import render

    if doc is None:
        doc = evaluate_document(options)
    return _emit(render(doc, options.get("format") or "json"), options.get("output"))


def evaluate_document(options: Mapping[str, Any]) -> dict[str, Any]:
    """The evaluation document for parsed ``evaluate`` options."""
    from .report import evaluate

    return evaluate(
        options["data"],
        target=options["target"],
        prediction=options["prediction"],
        score=options.get("score"),
        sensitive=options.get("sensitive") or [],
        positive_label=options.get("positive_label"),
        task=options.get("task") or "auto",
        min_group_size=int(options.get("min_group_size") or 30),
        intersections=not options.get("no_intersections", False),
    )


def run_drift(options: Mapping[str, Any]) -> str:
    """Run ``drift`` for parsed ``options``; raises :class:`DriftFound` with ``fail_on_drift``."""
    from .report import drift, render

    doc = drift(
        options["reference"],
        options["current"],
        columns=options.get("columns"),
        categorical=options.get("categorical") or [],
        numeric=options.get("numeric") or [],
        target=options.get("target"),
        prediction=options.get("prediction"),
        score=options.get("score"),
        thresholds=_thresholds(options.get("threshold") or []),
        column_thresholds=_column_thresholds(options.get("column_threshold") or []),
        stats=options.get("stats"),
    )
    text = _emit(render(doc, options.get("format") or "json"), options.get("output"))
    if options.get("fail_on_drift") and doc["n_drifted"]:
        raise DriftFound(text, doc["drifted_columns"])
    return text


def run_profile(options: Mapping[str, Any]) -> str:
    """Profile a data file and write the profile; returns a one-line summary."""
    from .profile import make_profile

    prof = make_profile(
        options["data"],
        columns=options.get("columns"),
        target=options.get("target"),
        prediction=options.get("prediction"),
        score=options.get("score"),
        sensitive=options.get("sensitive") or [],
        positive_label=options.get("positive_label"),
        task=options.get("task") or "auto",
        relative_accuracy=float(options.get("relative_accuracy") or 0.001),
    )
    prof.save(options["output"])
    return f"profiled {prof.n_rows:,} rows, {len(prof.columns)} columns -> {options['output']}\n"


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m aims.evidence {evaluate,drift,profile} ...``: the engine's CLI without Django."""
    parser = argparse.ArgumentParser(prog="python -m aims.evidence", description="AIMS evidence engine")
    sub = parser.add_subparsers(dest="command", required=True)
    add_evaluate_arguments(sub.add_parser("evaluate", help="performance and fairness of predictions"))
    add_drift_arguments(sub.add_parser("drift", help="drift between a reference and a current data set"))
    add_profile_arguments(sub.add_parser("profile", help="write a mergeable profile of a data set"))
    args = parser.parse_args(argv)
    runner = {"evaluate": run_evaluate, "drift": run_drift, "profile": run_profile}[args.command]
    try:
        sys.stdout.write(runner(vars(args)))
    except DriftFound as found:
        sys.stdout.write(found.output)
        print(f"aims: {found}", file=sys.stderr)
        return DriftFound.exit_code
    except EvidenceInputError as exc:
        print(f"aims: error: {exc}", file=sys.stderr)
        return 2
    return 0
