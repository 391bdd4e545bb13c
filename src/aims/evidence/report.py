"""The engine's front door: evaluation and drift documents, and their JSON, text and HTML renderings.

:func:`evaluate` and :func:`drift` take files, data frames, arrays or profiles and return plain
dicts whose shape is documented in ``docs/evidence.md`` and kept stable (``version``); the
renderers turn them into JSON (``null`` for undefined values, never ``NaN``), an aligned text table
for a terminal, or a self-contained HTML page with SVG charts.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .drift import DriftThresholds, drift_report, select_statistics
from .fairness import (
    DEFAULT_MIN_GROUP_SIZE,
    FOUR_FIFTHS,
    MISSING,
    fairness_report,
    regression_fairness_report,
)
from .io import EvidenceInputError, read_table, to_numeric
from .performance import classification_report, encode_labels, regression_report
from .profile import (
    Profile,
    drift_from_profiles,
    evaluation_from_profile,
    is_profile_source,
    load_profile,
    make_profile,
)

__all__ = ["DEFINITIONS", "drift", "evaluate", "render", "to_json"]

REPORT_VERSION = 1

DEFINITIONS = {
    "accuracy": "share of rows where prediction == target (scikit-learn accuracy_score)",
    "precision": "tp / (tp + fp); null when nothing is predicted positive",
    "recall": "tp / (tp + fn), the true positive rate; null when no row is positive",
    "f1": "2 tp / (2 tp + fp + fn), harmonic mean of precision and recall",
    "false_positive_rate": "fp / (fp + tn)",
    "false_negative_rate": "fn / (fn + tp)",
    "roc_auc": "probability that a random positive scores above a random negative, ties counted 1/2 "
    "(scikit-learn roc_auc_score)",
    "selection_rate": "share of rows predicted positive (fairlearn selection_rate)",
    "demographic_parity_difference": "max - min selection rate over non-suppressed groups (fairlearn)",
    "demographic_parity_ratio": "min / max selection rate over non-suppressed groups (fairlearn)",
    "equalized_odds_difference": "max of the TPR difference and the FPR difference (fairlearn, agg=worst_case)",
    "equal_opportunity_difference": "max - min true positive rate (fairlearn)",
    "disparate_impact_ratio": "lowest / highest selection rate; the four-fifths rule passes at >= 0.8",
    "suppressed": "groups with fewer rows than min_group_size: counted, not measured, not in the disparities",
    "undefined_rates": "a rate whose denominator is 0 in a group is null and left out of the disparities "
    "(fairlearn reports 0)",
}


# ------------------------------------------------------------------------------------------------
# evaluation
# ------------------------------------------------------------------------------------------------
def _is_regression_target(values: Any, task: str) -> bool:
    if task == "regression":
        return True
    if task != "auto":
        return False
    from .io import column_kind, is_arrow, is_polars

    if is_polars(values):
        values = values.to_arrow()
    if column_kind(values) != "numeric":
        return False
    if is_arrow(values):
        import pyarrow as pa

        if not pa.types.is_floating(values.type):
            return False  # integer labels: classes, and no need to convert a million of them
    elif getattr(values, "dtype", np.dtype("f8")).kind in "iub":
        return False
    arr, _ = to_numeric(values)
    finite = arr[np.isfinite(arr)]
    return arr.dtype.kind == "f" and bool(np.any(finite != np.floor(finite)))


def evaluate(
    data: Any,
    *,
    target: str,
    prediction: str,
    score: str | None = None,
    sensitive: Sequence[str] = (),
    positive_label: Any = None,
    task: str = "auto",
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
    intersections: bool = True,
    four_fifths: float = FOUR_FIFTHS,
) -> dict[str, Any]:
    """Performance and fairness of a model's predictions in ``data``.

    ``data`` is a file (Parquet, CSV, Feather), a data frame, a mapping of arrays, or a profile
    (:class:`~aims.evidence.profile.Profile` or its JSON file). Only the named columns are read.
    ``task`` is ``auto`` (binary for up to two labels, multiclass above, regression for a float
    target with fractional values), ``binary``, ``multiclass`` or ``regression``.
    """
    sensitive = list(sensitive)
    columns = {"target": target, "prediction": prediction, "score": score, "sensitive": sensitive}
    if is_profile_source(data):
        prof = data if isinstance(data, Profile) else load_profile(data)
        ev = prof.evaluation
        if ev is None:
            raise EvidenceInputError(
                "the profile has no evaluation part (it was made without target and prediction)"
            )
        for role, wanted, have in (("target", target, ev.target), ("prediction", prediction, ev.prediction)):
            if wanted and wanted != have:
                raise EvidenceInputError(f"the profile's {role} column is {have!r}, not {wanted!r}")
        missing = [s for s in sensitive if s not in ev.sensitive]
        if missing:
            raise EvidenceInputError(
                f"sensitive column {missing[0]!r} is not in the profile (it has: {ev.sensitive})"
            )
        result = evaluation_from_profile(
            prof, min_group_size=min_group_size, intersections=intersections, four_fifths=four_fifths
        )
        if sensitive and set(sensitive) != set(ev.sensitive):
            wanted = {"|".join(p) for p in _partitions(sensitive, intersections)}
            result["fairness"] = {k: v for k, v in result["fairness"].items() if k in wanted}
        columns = {
            "target": ev.target,
            "prediction": ev.prediction,
            "score": ev.score,
            "sensitive": ev.sensitive,
        }
        return _document(
            result.pop("task"),
            result.pop("n"),
            columns,
            result.get("positive_label"),
            result["performance"],
            result["fairness"],
            source="profile",
            min_group_size=min_group_size,
        )
    wanted_cols = [c for c in (target, prediction, score, *sensitive) if c]
    table = read_table(data, wanted_cols)
    if _is_regression_target(table[target], task):
        perf = regression_report(table[target], table[prediction])
        perf.pop("task")
        n = int(perf.pop("n"))
        fairness = {}
        if sensitive:
            fairness = regression_fairness_report(
                table[target],
                table[prediction],
                sensitive_features={s: table[s] for s in sensitive},
                min_group_size=min_group_size,
                intersections=intersections,
            )
        return _document(
            "regression", n, columns, None, perf, fairness, source=table.source, min_group_size=min_group_size
        )
    labels = encode_labels(
        table[target],
        table[prediction],
        pos_label=positive_label,
        task=task if task in ("binary", "multiclass") else "auto",
    )
    y_score = None
    if score:
        y_score, bad = to_numeric(table[score], name=score)
        if bad or np.isnan(y_score).any():
            raise EvidenceInputError(
                f"column {score!r} has {bad + int(np.isnan(y_score).sum())} missing or non-numeric scores"
            )
    perf = classification_report(None, None, y_score, labels=labels)
    for key in ("task", "n", "positive_label"):
        perf.pop(key, None)
    fairness = {}
    if sensitive:
        fairness = fairness_report(
            None,
            None,
            sensitive_features={s: table[s] for s in sensitive},
            labels=labels,
            min_group_size=min_group_size,
            intersections=intersections,
            four_fifths=four_fifths,
        )
    return _document(
        labels.task,
        len(labels.true),
        columns,
        labels.pos_label,
        perf,
        fairness,
        source=table.source,
        min_group_size=min_group_size,
    )


def _partitions(names: Sequence[str], intersections: bool) -> list[tuple[str, ...]]:
    import itertools

    parts: list[tuple[str, ...]] = [(n,) for n in names]
    if intersections:
        for size in range(2, len(names) + 1):
            parts.extend(itertools.combinations(names, size))
    return parts


def _document(
    task: str,
    n: int,
    columns: Mapping[str, Any],
    positive_label: Any,
    performance: Mapping[str, Any],
    fairness: Mapping[str, Any],
    *,
    source: str,
    min_group_size: int,
) -> dict[str, Any]:
    return {
        "kind": "evaluation",
        "version": REPORT_VERSION,
        "source": source,
        "task": task,
        "n_rows": n,
        "columns": dict(columns),
        "positive_label": positive_label,
        "min_group_size": min_group_size,
        "performance": dict(performance),
        "fairness": dict(fairness),
        "definitions": DEFINITIONS,
    }


# ------------------------------------------------------------------------------------------------
# drift
# ------------------------------------------------------------------------------------------------
def drift(
    reference: Any,
    current: Any,
    *,
    columns: Sequence[str] | None = None,
    categorical: Sequence[str] = (),
    numeric: Sequence[str] = (),
    target: str | None = None,
    prediction: str | None = None,
    score: str | None = None,
    thresholds: DriftThresholds | Mapping[str, Any] | None = None,
    column_thresholds: Mapping[str, Mapping[str, Any]] | None = None,
    threads: int | None = None,
    stats: str | Sequence[str] | None = None,
) -> dict[str, Any]:
    """Per-column drift of ``current`` against ``reference`` (data or profiles), with decisions.

    ``stats`` chooses the statistics computed per column (``ks``, ``chi2``, ``psi``,
    ``wasserstein``, ``js``; all by default), e.g. ``stats=("wasserstein", "js")`` to skip the
    exact KS p-value on large data; see :func:`aims.evidence.drift.drift_report`.

    Raw data on both sides gives exact tests; when either side is a profile, the other side is
    profiled with the same relative accuracy and the numeric measures are the profile ones
    (approximate, with bounds; see :mod:`aims.evidence.profile`).
    """
    if isinstance(thresholds, Mapping):
        thresholds = DriftThresholds().updated(**thresholds)
    if stats is not None:
        stats = select_statistics(stats)  # unknown names fail before any data is read
    if is_profile_source(reference) or is_profile_source(current):
        ref_p = _as_profile(reference, None, categorical, numeric)
        cur_p = _as_profile(current, ref_p, categorical, numeric)
        doc = drift_from_profiles(
            ref_p,
            cur_p,
            columns=columns,
            thresholds=thresholds,
            column_thresholds=column_thresholds,
            target=target,
            prediction=prediction,
            score=score,
            stats=stats,
        )
    else:
        doc = drift_report(
            reference,
            current,
            columns=columns,
            categorical=categorical,
            numeric=numeric,
            target=target,
            prediction=prediction,
            score=score,
            thresholds=thresholds,
            column_thresholds=column_thresholds,
            threads=threads,
            stats=stats,
        )
        doc["source"] = "data"
    doc["version"] = REPORT_VERSION
    return doc


def _as_profile(
    source: Any, like: Profile | None, categorical: Sequence[str], numeric: Sequence[str]
) -> Profile:
    if isinstance(source, Profile):
        return source
    if is_profile_source(source):
        return load_profile(source)
    alpha = like.relative_accuracy if like is not None else 0.001
    if like is not None:
        # Profile the raw side with the other side's column kinds, so that the two agree.
        cats = [*categorical, *(n for n, c in like.columns.items() if c.kind == "categorical")]
        nums = [*numeric, *(n for n, c in like.columns.items() if c.kind == "numeric")]
        return make_profile(
            source, columns=[c for c in like.columns], categorical=cats, numeric=nums, relative_accuracy=alpha
        )
    return make_profile(source, categorical=categorical, numeric=numeric, relative_accuracy=alpha)


# ------------------------------------------------------------------------------------------------
# rendering
# ------------------------------------------------------------------------------------------------
def _clean(value: Any) -> Any:
    """JSON-safe copy: NaN and infinities to null, numpy scalars to Python, MISSING to null."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, np.ndarray):
        return _clean(value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is MISSING:
        return None
    return value


def to_json(document: Mapping[str, Any], *, indent: int | None = 2) -> str:
    """The document as JSON, with ``null`` for undefined values (strict JSON: no ``NaN``)."""
    return json.dumps(_clean(document), indent=indent, allow_nan=False, ensure_ascii=False)


def _fmt(value: Any, digits: int = 4) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value != 0 and (abs(value) < 10**-digits or abs(value) >= 10**7):
            return f"{value:.{digits - 1}e}"
        return f"{value:.{digits}f}"
    return str(value)


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    cells = [[str(h) for h in headers]] + [[_fmt(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = []
    for j, row in enumerate(cells):
        lines.append(
            "  "
            + "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
        if j == 0:
            lines.append("  " + "  ".join("-" * w for w in widths))
    return lines


_DISPARITIES = (
    "demographic_parity_difference",
    "demographic_parity_ratio",
    "equalized_odds_difference",
    "equal_opportunity_difference",
    "disparate_impact_ratio",
)


def render_text(document: Mapping[str, Any]) -> str:
    """An aligned plain-text rendering for a terminal."""
    doc = _clean(document)
    lines: list[str] = []
    if doc.get("kind") == "evaluation":
        pos = f", positive label {doc['positive_label']!r}" if doc.get("positive_label") is not None else ""
        lines.append(f"Evaluation of {doc['source']}: {doc['n_rows']:,} rows, {doc['task']}{pos}")
        lines.append("")
        lines.append("Performance")
        perf = doc["performance"]
        rows = [(k, v) for k, v in perf.items() if not isinstance(v, (dict, list))]
        lines += _table(["metric", "value"], rows)
        cm = perf.get("confusion_matrix")
        if cm:
            lines.append("")
            lines.append("Confusion matrix (rows: target, columns: prediction)")
            labels = [str(v) for v in cm["labels"]]
            lines += _table(
                ["", *labels], [[lab, *row] for lab, row in zip(labels, cm["matrix"], strict=True)]
            )
        for name, part in doc["fairness"].items():
            lines.append("")
            lines.append(
                f"Fairness by {name} ({part['n_groups']} groups, minimum group size {part['min_group_size']})"
            )
            metrics = [
                m
                for m in ("selection_rate", "accuracy", "true_positive_rate", "false_positive_rate")
                if any(m in g for g in part["groups"].values())
            ]
            rows = [
                [
                    g,
                    v["count"],
                    *(
                        ("suppressed" if v["suppressed"] and i == 0 else v.get(m))
                        for i, m in enumerate(metrics)
                    ),
                ]
                for g, v in part["groups"].items()
            ]
            lines += _table(["group", "count", *metrics], rows)
            for key in (*_DISPARITIES, "accuracy_difference"):
                if key in part:
                    lines.append(f"  {key.replace('_', ' ')}: {_fmt(part[key])}")
            rule = part.get("four_fifths_rule")
            if rule:
                verdict = {True: "passed", False: "FAILED", None: "not measurable"}[rule["passed"]]
                lines.append(f"  four-fifths rule (ratio >= {rule['threshold']}): {verdict}")
            if part.get("rows_missing_attribute"):
                lines.append(f"  rows without a value for {name}: {part['rows_missing_attribute']:,}")
    elif doc.get("kind") == "drift":
        lines.append(
            f"Drift: {doc['n_reference']:,} reference rows, {doc['n_current']:,} current rows; "
            f"{doc['n_drifted']} of {doc['n_columns']} columns drifted ({_fmt(doc['share_drifted'], 2)})"
        )
        lines.append("")
        sections = [("Features", doc["columns"])]
        if doc.get("label_drift"):
            sections.append(("Label", doc["label_drift"]))
        if doc.get("prediction_drift"):
            sections.append(("Model output", doc["prediction_drift"]))
        for title, cols in sections:
            lines.append(title)
            rows = [
                [
                    c,
                    r["kind"],
                    r["statistic"],
                    r["p_value"],
                    r["psi"],
                    r["jensen_shannon"],
                    r.get("wasserstein_normed"),
                    "DRIFT" if r["drift"] else "ok",
                ]
                for c, r in cols.items()
            ]
            lines += _table(
                ["column", "kind", "statistic", "p_value", "psi", "js", "w_normed", "drift"], rows
            )
            reasons = [(c, r["reasons"]) for c, r in cols.items() if r["reasons"]]
            for c, rs in reasons:
                lines.append(f"  {c}: {'; '.join(rs)}")
            lines.append("")
    else:
        return to_json(doc)
    return "\n".join(lines).rstrip() + "\n"


def _bars(
    title: str,
    items: Sequence[tuple[str, float | None]],
    *,
    limit: float | None = None,
    maximum: float | None = None,
) -> str:
    """A horizontal SVG bar chart; ``limit`` draws a threshold line."""
    values = [v for _, v in items if v is not None]
    top = maximum if maximum is not None else max([*values, limit or 0.0, 1e-12])
    row, label_w, bar_w = 22, 170, 360
    height = row * len(items) + 30
    parts = [
        f'<svg role="img" aria-label="{html.escape(title)}" width="{label_w + bar_w + 90}" height="{height}" '
        'xmlns="http://www.w3.org/2000/svg" font-family="sans-serif" font-size="12">'
    ]
    for i, (label, value) in enumerate(items):
        y = 10 + i * row
        parts.append(f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end">{html.escape(label)}</text>')
        if value is None:
            parts.append(f'<text x="{label_w + 4}" y="{y + 14}" fill="#777">suppressed / undefined</text>')
            continue
        w = max(bar_w * value / top, 1) if top > 0 else 1
        colour = "#c0392b" if limit is not None and value >= limit else "#2c7fb8"
        parts.append(f'<rect x="{label_w}" y="{y + 2}" width="{w:.1f}" height="{row - 6}" fill="{colour}"/>')
        parts.append(f'<text x="{label_w + w + 4:.1f}" y="{y + 14}">{_fmt(value, 3)}</text>')
    if limit is not None and top > 0:
        x = label_w + bar_w * limit / top
        parts.append(
            f'<line x1="{x:.1f}" y1="4" x2="{x:.1f}" y2="{height - 16}" stroke="#555" stroke-dasharray="4 3"/>'
        )
        parts.append(
            f'<text x="{x:.1f}" y="{height - 4}" text-anchor="middle" fill="#555">threshold {limit:g}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def render_html(document: Mapping[str, Any]) -> str:
    """A self-contained HTML report (no external assets) with SVG charts and the full tables."""
    doc = _clean(document)
    esc = html.escape
    body: list[str] = []
    if doc.get("kind") == "evaluation":
        title = f"Evaluation: {doc['source']}"
        body.append(
            f"<p>{doc['n_rows']:,} rows, task {esc(doc['task'])}"
            + (
                f", positive label {esc(repr(doc['positive_label']))}"
                if doc.get("positive_label") is not None
                else ""
            )
            + "</p>"
        )
        perf = doc["performance"]
        body.append("<h2>Performance</h2><table><tr><th>metric</th><th>value</th></tr>")
        body += [
            f"<tr><td>{esc(k)}</td><td>{_fmt(v)}</td></tr>"
            for k, v in perf.items()
            if not isinstance(v, (dict, list))
        ]
        body.append("</table>")
        for name, part in doc["fairness"].items():
            body.append(f"<h2>Fairness by {esc(name)}</h2>")
            if any("selection_rate" in g for g in part["groups"].values()):
                items = [(g, v.get("selection_rate")) for g, v in part["groups"].items()]
                body.append(_bars(f"selection rate by {name}", items, maximum=1.0))
            cols = [
                "count",
                "suppressed",
                "selection_rate",
                "accuracy",
                "true_positive_rate",
                "false_positive_rate",
            ]
            body.append("<table><tr><th>group</th>" + "".join(f"<th>{c}</th>" for c in cols) + "</tr>")
            for g, v in part["groups"].items():
                body.append(
                    f"<tr><td>{esc(g)}</td>" + "".join(f"<td>{_fmt(v.get(c))}</td>" for c in cols) + "</tr>"
                )
            body.append("</table><ul>")
            body += [
                f"<li>{k.replace('_', ' ')}: <b>{_fmt(part.get(k))}</b></li>"
                for k in _DISPARITIES
                if k in part
            ]
            rule = part.get("four_fifths_rule")
            if rule:
                verdict = {True: "passed", False: "failed", None: "not measurable"}[rule["passed"]]
                body.append(f"<li>four-fifths rule: <b>{verdict}</b></li>")
            body.append("</ul>")
    elif doc.get("kind") == "drift":
        title = "Drift report"
        body.append(
            f"<p>{doc['n_reference']:,} reference rows, {doc['n_current']:,} current rows: "
            f"<b>{doc['n_drifted']} of {doc['n_columns']}</b> columns drifted.</p>"
        )
        items = [(c, r.get("psi")) for c, r in doc["columns"].items()]
        body.append(
            "<h2>PSI per column</h2>" + _bars("PSI per column", items, limit=doc["thresholds"]["psi"])
        )
        items = [
            (c, r.get("wasserstein_normed")) for c, r in doc["columns"].items() if r["kind"] == "numeric"
        ]
        if items:
            body.append(
                "<h2>Normalised Wasserstein distance (numeric columns)</h2>"
                + _bars("normalised Wasserstein", items, limit=doc["thresholds"]["wasserstein_normed"])
            )
        cols = [
            "kind",
            "test",
            "statistic",
            "p_value",
            "psi",
            "jensen_shannon",
            "wasserstein_normed",
            "drift",
        ]
        body.append(
            "<h2>All columns</h2><table><tr><th>column</th>"
            + "".join(f"<th>{c}</th>" for c in cols)
            + "<th>reasons</th></tr>"
        )
        for c, r in doc["columns"].items():
            cls = ' class="drift"' if r["drift"] else ""
            body.append(
                f"<tr{cls}><td>{esc(c)}</td>"
                + "".join(f"<td>{esc(_fmt(r.get(k)))}</td>" for k in cols)
                + f"<td>{esc('; '.join(r['reasons']))}</td></tr>"
            )
        body.append("</table>")
        body.append(
            "<h2>Method</h2><ul>"
            + "".join(f"<li><b>{esc(k)}</b>: {esc(str(v))}</li>" for k, v in doc["method"].items())
            + "</ul>"
        )
    else:
        raise EvidenceInputError(f"cannot render a {doc.get('kind')!r} document as HTML")
    style = (
        "body{font-family:sans-serif;max-width:60rem;margin:2rem auto;color:#222}"
        "table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:right}"
        "td:first-child,th:first-child{text-align:left}tr.drift{background:#fdecea}"
    )
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{esc(title)}</title>'
        f"<style>{style}</style></head><body><h1>{esc(title)}</h1>{''.join(body)}</body></html>\n"
    )


def render(document: Mapping[str, Any], fmt: str = "json") -> str:
    """Render a document as ``json``, ``table`` (plain text) or ``html``."""
    if fmt == "json":
        return to_json(document) + "\n"
    if fmt in ("table", "text"):
        return render_text(document)
    if fmt == "html":
        return render_html(document)
    raise EvidenceInputError(f"unknown format {fmt!r} (use json, table or html)")
