"""What a monitor can measure, and how a profile becomes measurements.

A monitor names its metric as a dotted path into the *measurements* of the evidence in its window
(`measure()` computes them from a profile with `aims.evidence`):

==========================================================  =============================================
path                                                        value
==========================================================  =============================================
``performance.<name>``                                      accuracy, precision, recall, f1, roc_auc,
                                                            false_positive_rate, selection_rate, mae, rmse,
                                                            r2, ... (``docs/evidence.md``)
``fairness.<attribute>.<measure>``                          demographic_parity_difference / _ratio,
                                                            equalized_odds_difference, disparate_impact_ratio,
                                                            ... for a sensitive attribute or an intersection
                                                            (``sex|age_band``)
``fairness.<attribute>.groups.<group>.<rate>``              one group's selection_rate, accuracy,
                                                            true_positive_rate, false_positive_rate, ...
``drift.<column>.<statistic>``                              psi, jensen_shannon, wasserstein_normed,
                                                            statistic, drift (1 or 0), missing_share_current,
                                                            out_of_range_share, unseen_share, against the
                                                            reference profile (prediction and label columns too)
``drift.share_drifted``, ``drift.n_drifted``                the share / number of drifted feature columns
``quality.<column>.<statistic>``                            missing_share, mean, std, min, max
``volume.n_rows``                                           rows in the window (input volume anomalies)
``evaluation.<metric>``                                     the latest evaluation (lifecycle) of the system's
                                                            model versions that has the metric
``point.<name>``                                            a pushed metric point (mean over the window,
                                                            weighted by sample size when every point has one)
==========================================================  =============================================
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

KINDS = ("performance", "fairness", "drift", "quality", "volume", "evaluation", "point")
PERFORMANCE = (
    "accuracy",
    "balanced_accuracy",
    "precision",
    "recall",
    "f1",
    "true_positive_rate",
    "true_negative_rate",
    "false_positive_rate",
    "false_negative_rate",
    "selection_rate",
    "prevalence",
    "roc_auc",
    "precision_macro",
    "recall_macro",
    "f1_macro",
    "precision_weighted",
    "recall_weighted",
    "f1_weighted",
    "false_positive_rate_macro",
    "false_negative_rate_macro",
    "mae",
    "mse",
    "rmse",
    "r2",
    "mean_error",
    "max_abs_error",
)
FAIRNESS = (
    "demographic_parity_difference",
    "demographic_parity_ratio",
    "equalized_odds_difference",
    "equalized_odds_ratio",
    "equal_opportunity_difference",
    "equal_opportunity_ratio",
    "accuracy_difference",
    "accuracy_ratio",
    "true_positive_rate_difference",
    "false_positive_rate_difference",
    "disparate_impact_ratio",
)
GROUP_RATES = (
    "count",
    "selection_rate",
    "accuracy",
    "true_positive_rate",
    "false_positive_rate",
    "false_negative_rate",
    "true_negative_rate",
    "prevalence",
)
DRIFT = (
    "psi",
    "jensen_shannon",
    "wasserstein",
    "wasserstein_normed",
    "statistic",
    "p_value",
    "drift",
    "missing_share_current",
    "out_of_range_share",
    "unseen_share",
    "ks_statistic_lower",
    "ks_statistic_upper",
)
DRIFT_DATASET = ("share_drifted", "n_drifted")
QUALITY = ("missing_share", "mean", "std", "min", "max")
NAME = re.compile(r"^[A-Za-z0-9_.\-]{1,100}$")


class MetricError(ValueError):
    """A metric path that names nothing a monitor can measure (the message says what would)."""


@dataclass(frozen=True)
class Metric:
    kind: str
    parts: tuple[str, ...]
    path: str

    @property
    def needs_reference(self) -> bool:
        return self.kind == "drift"

    @property
    def group(self) -> tuple[str, str] | None:
        """(attribute, group) for a per-group fairness rate."""
        if self.kind == "fairness" and len(self.parts) == 4:
            return self.parts[0], self.parts[2]
        return None


def _choose(value: str, allowed: tuple[str, ...], what: str) -> None:
    if value not in allowed:
        raise MetricError(f"unknown {what} {value!r}; choose one of: {', '.join(allowed)}")


def parse_metric(path: str) -> Metric:
    """Check a metric path (see the module docstring) and split it."""
    path = (path or "").strip()
    kind, _, rest = path.partition(".")
    if kind not in KINDS or not rest:
        raise MetricError(
            f"a metric starts with one of {', '.join(k + '.' for k in KINDS)} (for example performance.accuracy)"
        )
    if kind in ("point", "evaluation"):
        if not NAME.match(rest):
            raise MetricError("a metric name has letters, digits, '.', '_' or '-' (at most 100)")
        return Metric(kind, (rest,), path)
    parts = tuple(rest.split("."))
    if any(not p for p in parts):
        raise MetricError("empty part in the metric path")
    if kind == "performance":
        if len(parts) != 1:
            raise MetricError("performance.<name>, for example performance.accuracy")
        _choose(parts[0], PERFORMANCE, "performance metric")
    elif kind == "fairness":
        if len(parts) == 2:
            _choose(parts[1], FAIRNESS, "fairness measure")
        elif len(parts) == 4 and parts[1] == "groups":
            _choose(parts[3], GROUP_RATES, "group rate")
        else:
            raise MetricError("fairness.<attribute>.<measure> or fairness.<attribute>.groups.<group>.<rate>")
    elif kind == "drift":
        if len(parts) == 1:
            _choose(parts[0], DRIFT_DATASET, "data-set drift measure")
        elif len(parts) == 2:
            _choose(parts[1], DRIFT, "drift statistic")
        else:
            raise MetricError("drift.<column>.<statistic> or drift.share_drifted")
    elif kind == "quality":
        if len(parts) != 2:
            raise MetricError("quality.<column>.<statistic>, for example quality.age.missing_share")
        _choose(parts[1], QUALITY, "data-quality statistic")
    elif kind == "volume":
        if parts != ("n_rows",):
            raise MetricError("volume.n_rows")
    return Metric(kind, parts, path)


# --- measurements of a profile ---------------------------------------------------------------------


def _num(value: Any) -> float | None:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float) and math.isfinite(float(value)):
        return float(value)
    return None


def measure(
    profile: Any,
    reference: Any = None,
    *,
    sections: tuple[str, ...] = ("performance", "fairness", "quality", "drift"),
) -> dict[str, Any]:
    """The measurements of one profile (`aims.evidence.Profile`): plain JSON, numbers or null.

    ``reference`` (a profile) adds the drift section. Errors in one section (say, a profile without
    an evaluation part) leave that section empty and are listed under ``errors``."""
    from aims.evidence.io import EvidenceInputError
    from aims.evidence.profile import NumericProfile, drift_from_profiles, evaluation_from_profile

    out: dict[str, Any] = {
        "n_rows": int(profile.n_rows),
        "performance": {},
        "fairness": {},
        "quality": {},
        "drift": None,
        "errors": {},
    }
    ev = profile.evaluation
    if ev is not None and ("performance" in sections or "fairness" in sections):
        try:
            doc = evaluation_from_profile(profile)
        except (EvidenceInputError, ValueError, KeyError) as exc:
            out["errors"]["performance"] = str(exc)
        else:
            out["performance"] = {
                k: _num(v) for k, v in doc["performance"].items() if not isinstance(v, dict | list)
            }
            for attr, rep in (doc.get("fairness") or {}).items():
                entry: dict[str, Any] = {k: _num(rep.get(k)) for k in FAIRNESS if k in rep}
                entry["groups"] = {
                    str(g): {k: _num(v) for k, v in vals.items() if k in GROUP_RATES}
                    for g, vals in rep.get("groups", {}).items()
                }
                out["fairness"][attr] = entry
    if "quality" in sections:
        for name, col in profile.columns.items():
            n = col.n if hasattr(col, "n") else 0
            missing = getattr(col, "missing", 0) + getattr(col, "type_violations", 0)
            q: dict[str, Any] = {"missing_share": (missing / n) if n else None}
            if isinstance(col, NumericProfile) and col.count:
                q.update(mean=_num(col.mean), std=_num(col.std), min=_num(col.minimum), max=_num(col.maximum))
            out["quality"][name] = q
    if reference is not None and "drift" in sections:
        roles = {}
        if ev is not None and reference.evaluation is not None:
            roles = {"target": ev.target, "prediction": ev.prediction, "score": ev.score}
            roles = {k: v for k, v in roles.items() if v and v in profile.columns and v in reference.columns}
        common = [c for c in reference.columns if c in profile.columns and c not in roles.values()]
        try:
            rep = drift_from_profiles(reference, profile, columns=common, **roles)
        except (EvidenceInputError, ValueError) as exc:
            out["errors"]["drift"] = str(exc)
        else:
            cols: dict[str, Any] = {}
            extra = {**(rep.get("label_drift") or {}), **(rep.get("prediction_drift") or {})}
            for name, res in {**rep["columns"], **extra}.items():
                cols[name] = {k: _num(res.get(k)) for k in DRIFT if k in res}
                cols[name]["role"] = "feature" if name in rep["columns"] else "output"
            out["drift"] = {
                "columns": cols,
                "share_drifted": _num(rep["share_drifted"]),
                "n_drifted": rep["n_drifted"],
                "drifted_columns": rep["drifted_columns"],
            }
    return out


def extract(measurements: dict[str, Any], metric: Metric) -> tuple[float | None, int | None, str]:
    """(value, sample size, why there is no value) of a metric from `measure()`'s output."""
    n = measurements.get("n_rows")
    p = metric.parts
    if metric.kind == "volume":
        return float(n or 0), n, ""
    if metric.kind == "performance":
        if not measurements.get("performance"):
            return None, n, "the evidence has no model outputs (profile made without target and prediction)"
        value = measurements["performance"].get(p[0])
        return value, n, "" if value is not None else f"{p[0]} is not defined for this evidence"
    if metric.kind == "fairness":
        rep = (measurements.get("fairness") or {}).get(p[0])
        if rep is None:
            return None, n, f"no sensitive attribute {p[0]!r} in the evidence"
        if len(p) == 2:
            value = rep.get(p[1])
            return (
                value,
                n,
                "" if value is not None else f"{p[1]} is not measurable (too few comparable groups)",
            )
        group = rep.get("groups", {}).get(p[2])
        if group is None:
            return None, 0, f"no group {p[2]!r} of {p[0]!r} in the evidence"
        value = group.get(p[3])
        size = int(group.get("count") or 0)
        return value, size, "" if value is not None else f"{p[3]} of {p[2]!r} is suppressed or undefined"
    if metric.kind == "quality":
        col = (measurements.get("quality") or {}).get(p[0])
        if col is None:
            return None, n, f"no column {p[0]!r} in the evidence"
        value = col.get(p[1])
        return value, n, "" if value is not None else f"{p[1]} of {p[0]!r} is undefined"
    if metric.kind == "drift":
        drift = measurements.get("drift")
        if drift is None:
            return (
                None,
                n,
                (measurements.get("errors") or {}).get("drift") or "no reference profile to compare with",
            )
        if len(p) == 1:
            return _num(drift.get(p[0])), n, ""
        col = drift["columns"].get(p[0])
        if col is None:
            return None, n, f"column {p[0]!r} is not in both the reference and the current evidence"
        value = col.get(p[1])
        return value, n, "" if value is not None else f"{p[1]} of {p[0]!r} is undefined"
    return None, None, "not a profile metric"


def series_value(summary: dict[str, Any], path: str) -> float | None:
    """A stored profile's measurement at a metric path, or None (for trend charts)."""
    try:
        metric = parse_metric(path)
    except MetricError:
        return None
    if metric.kind in ("point", "evaluation"):
        return None
    value, _n, _why = extract(summary, metric)
    return value
