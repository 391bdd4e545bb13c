"""Robustness: how much a model's metric drops when its inputs are perturbed, or out of distribution.

Given a model callable (``predict(X) -> predictions``, or scores for ROC AUC) and labelled data,
:func:`robustness_report` measures the metric on the data as given, then on perturbed copies:

* :class:`GaussianNoise` adds noise with a standard deviation of ``scale`` × the column's own
  standard deviation to numeric columns;
* :class:`FeatureShuffle` permutes one column at a time (breaking its relation to the target while
  keeping its distribution; the drop is the model's reliance on that column);
* :class:`MissingValues` blanks a share of the values (tests the model's missing-value handling);
* :class:`CategoryFlip` replaces a share of a categorical column's values with other observed
  categories;

and on a user-supplied out-of-distribution set. Every perturbation is seeded, repeated
``n_repeats`` times, and reported as the mean metric, its spread, the drop from the baseline
(positive = worse, for error metrics too) and the relative drop. A model that raises on perturbed
input (say, on missing values) is reported as ``failed`` with the error: that is a finding too.

Inputs are pandas data frames or 2-D numpy arrays (columns named by position), because those are
what trained models accept; the model sees the same type it was given.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .io import EvidenceInputError, is_pandas, to_categorical
from .performance import classification_report, encode_labels, regression_report, roc_auc_score

__all__ = [
    "CategoryFlip",
    "FeatureShuffle",
    "GaussianNoise",
    "MissingValues",
    "Perturbation",
    "robustness_report",
]

HIGHER_IS_BETTER = {"accuracy", "balanced_accuracy", "precision", "recall", "f1", "roc_auc", "r2"}
LOWER_IS_BETTER = {"mae", "mse", "rmse"}


# ------------------------------------------------------------------------------------------------
# column access that works for data frames and arrays alike
# ------------------------------------------------------------------------------------------------
def _columns(X: Any) -> list[Any]:
    if is_pandas(X):
        return list(X.columns)
    arr = np.asarray(X)
    if arr.ndim != 2:
        raise EvidenceInputError(f"X must be a data frame or a 2-D array, got shape {arr.shape}")
    return list(range(arr.shape[1]))


def _get(X: Any, col: Any) -> np.ndarray:
    return X[col].to_numpy() if is_pandas(X) else np.asarray(X)[:, col]


def _copy(X: Any) -> Any:
    return X.copy() if is_pandas(X) else np.array(X, copy=True)


def _set(X: Any, col: Any, values: np.ndarray) -> None:
    if is_pandas(X):
        X[col] = values
    else:
        X[:, col] = values


def _is_numeric(values: np.ndarray) -> bool:
    return values.dtype.kind in "iuf"


# ------------------------------------------------------------------------------------------------
# perturbations
# ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Perturbation(ABC):
    """Base class: ``apply`` returns perturbed copies of ``X``, each with a name."""

    columns: Sequence[Any] | None = None

    def targets(self, X: Any) -> list[Any]:
        """The columns this perturbation touches (all suitable ones by default)."""
        cols = _columns(X)
        if self.columns is None:
            return cols
        unknown = [c for c in self.columns if c not in cols]
        if unknown:
            raise EvidenceInputError(f"perturbation names unknown column(s): {unknown}")
        return list(self.columns)

    @abstractmethod
    def apply(self, X: Any, rng: np.random.Generator) -> list[tuple[str, Any]]:
        """Perturbed copies of ``X`` with their names."""


@dataclass(frozen=True)
class GaussianNoise(Perturbation):
    """Add N(0, (scale × column sd)²) to every targeted numeric column at once."""

    scale: float = 0.1

    def apply(self, X: Any, rng: np.random.Generator) -> list[tuple[str, Any]]:
        out = _copy(X)
        touched = 0
        for col in self.targets(X):
            values = _get(X, col)
            if not _is_numeric(values):
                continue
            v = values.astype(np.float64)
            sd = float(np.nanstd(v))
            _set(out, col, v + rng.normal(0.0, self.scale * sd, size=v.shape) if sd > 0 else v)
            touched += 1
        if not touched:
            raise EvidenceInputError("gaussian noise needs at least one numeric column")
        return [(f"gaussian_noise(scale={self.scale:g})", out)]


@dataclass(frozen=True)
class FeatureShuffle(Perturbation):
    """Permute each targeted column in turn (one perturbed copy per column)."""

    def apply(self, X: Any, rng: np.random.Generator) -> list[tuple[str, Any]]:
        results = []
        for col in self.targets(X):
            out = _copy(X)
            _set(out, col, rng.permutation(_get(X, col)))
            results.append((f"shuffle({col})", out))
        return results


@dataclass(frozen=True)
class MissingValues(Perturbation):
    """Set a share ``rate`` of the values of every targeted column to missing."""

    rate: float = 0.1

    def apply(self, X: Any, rng: np.random.Generator) -> list[tuple[str, Any]]:
        out = _copy(X)
        for col in self.targets(X):
            values = _get(X, col)
            mask = rng.random(len(values)) < self.rate
            if _is_numeric(values):
                v = values.astype(np.float64)
                v[mask] = np.nan
            else:
                v = values.astype(object)
                v[mask] = None
            _set(out, col, v)
        return [(f"missing_values(rate={self.rate:g})", out)]


@dataclass(frozen=True)
class CategoryFlip(Perturbation):
    """Replace a share ``rate`` of each targeted categorical column with a different observed category."""

    rate: float = 0.05

    def apply(self, X: Any, rng: np.random.Generator) -> list[tuple[str, Any]]:
        out = _copy(X)
        touched = 0
        for col in self.targets(X):
            values = _get(X, col)
            if _is_numeric(values) and self.columns is None:
                continue  # by default only non-numeric columns are categorical
            cat = to_categorical(values)
            k = len(cat.categories)
            if k < 2:
                continue
            mask = (rng.random(len(values)) < self.rate) & (cat.codes >= 0)
            # shifting the code by 1..k-1 (mod k) always lands on a different category
            shifted = (cat.codes[mask] + rng.integers(1, k, size=int(mask.sum()))) % k
            new = np.array(values, dtype=object)
            new[mask] = np.asarray(cat.categories, dtype=object)[shifted]
            _set(out, col, new.astype(values.dtype) if values.dtype.kind != "O" else new)
            touched += 1
        if not touched:
            raise EvidenceInputError(
                "category flip needs at least one categorical column with two or more categories"
            )
        return [(f"category_flip(rate={self.rate:g})", out)]


# ------------------------------------------------------------------------------------------------
# the report
# ------------------------------------------------------------------------------------------------
def _metric_fn(metric: str | Callable[[Any, Any], float], pos_label: Any) -> Callable[[Any, Any], float]:
    if callable(metric):
        return metric
    if metric in LOWER_IS_BETTER or metric == "r2":
        return lambda y, p: float(regression_report(y, p)[metric])
    if metric == "roc_auc":

        def auc(y: Any, s: Any) -> float:
            labels = encode_labels(y, y, pos_label=pos_label, task="binary")
            scores = np.asarray(s, dtype=np.float64)
            return roc_auc_score(labels.true, scores[:, -1] if scores.ndim == 2 else scores)

        return auc
    if metric in HIGHER_IS_BETTER:

        def score(y: Any, p: Any) -> float:
            rep = classification_report(y, p, pos_label=pos_label)
            key = metric if metric in rep else f"{metric}_macro"
            return float(rep[key])

        return score
    raise EvidenceInputError(
        f"unknown metric {metric!r}; use one of {sorted(HIGHER_IS_BETTER | LOWER_IS_BETTER)} or a callable"
    )


def robustness_report(
    predict: Callable[[Any], Any],
    X: Any,
    y: Any,
    *,
    metric: str | Callable[[Any, Any], float] = "accuracy",
    greater_is_better: bool | None = None,
    perturbations: Sequence[Perturbation] | None = None,
    ood: tuple[Any, Any] | None = None,
    n_repeats: int = 3,
    seed: int = 0,
    pos_label: Any = None,
) -> dict[str, Any]:
    """Metric drop of ``predict`` under perturbations of ``X`` and on an out-of-distribution set.

    ``predict`` returns labels (or scores, for ``metric="roc_auc"``). The default perturbations
    are Gaussian noise at 0.1 and 0.5 standard deviations on numeric columns and a 5 % category
    flip when ``X`` has non-numeric columns. ``ood`` is ``(X_ood, y_ood)``.
    """
    fn = _metric_fn(metric, pos_label)
    name = metric if isinstance(metric, str) else getattr(metric, "__name__", "metric")
    if greater_is_better is None:
        greater_is_better = not (isinstance(metric, str) and metric in LOWER_IS_BETTER)
    baseline = fn(y, predict(X))
    if perturbations is None:
        perturbations = [GaussianNoise(scale=0.1), GaussianNoise(scale=0.5)]
        if any(not _is_numeric(_get(X, c)) for c in _columns(X)):
            perturbations = [*perturbations, CategoryFlip(rate=0.05)]

    def drop(value: float) -> float:
        return (baseline - value) if greater_is_better else (value - baseline)

    rng = np.random.default_rng(seed)
    results: dict[str, dict[str, Any]] = {}
    for perturbation in perturbations:
        runs: dict[str, list[float]] = {}
        errors: dict[str, str] = {}
        for _ in range(max(n_repeats, 1)):
            for label, Xp in perturbation.apply(X, rng):
                if label in errors:
                    continue
                try:
                    runs.setdefault(label, []).append(fn(y, predict(Xp)))
                except Exception as exc:  # a model that breaks on perturbed input is a finding, not a crash
                    errors[label] = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        for label, message in errors.items():
            results[label] = {
                "value": None,
                "std": None,
                "runs": 0,
                "drop": None,
                "relative_drop": None,
                "failed": True,
                "error": message,
            }
        for label, values in runs.items():
            if label in errors:
                continue
            mean = float(np.mean(values))
            results[label] = _entry(mean, float(np.std(values)), len(values), drop(mean), baseline)
    measured = {k: v for k, v in results.items() if not v.get("failed")}
    out: dict[str, Any] = {
        "kind": "robustness",
        "metric": name,
        "greater_is_better": greater_is_better,
        "baseline": baseline,
        "n_rows": len(y),
        "n_repeats": n_repeats,
        "seed": seed,
        "perturbations": results,
        "worst": max(measured, key=lambda k: measured[k]["drop"]) if measured else None,
        "failed": sorted(k for k, v in results.items() if v.get("failed")),
        "ood": None,
    }
    if ood is not None:
        X_ood, y_ood = ood
        value = fn(y_ood, predict(X_ood))
        out["ood"] = _entry(value, 0.0, 1, drop(value), baseline) | {"n_rows": len(y_ood)}
    return out


def _entry(value: float, spread: float, runs: int, dropped: float, baseline: float) -> dict[str, Any]:
    return {
        "failed": False,
        "value": value,
        "std": spread,
        "runs": runs,
        "drop": dropped,
        "relative_drop": dropped / abs(baseline) if baseline and not math.isnan(baseline) else math.nan,
    }
