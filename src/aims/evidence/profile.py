"""Mergeable profiles: compact summaries of data that hold no raw rows.

A profile is made in one pass over a data set (or a batch, or a partition). It holds, per column:

* numeric: counts of missing / infinite values, exact min and max, mean and sum of squared
  deviations (merged with Chan's parallel formula), and a **fixed-edge logarithmic histogram**;
* categorical: the count of each category and of missing values;

and, when the data has model outputs, an evaluation part: the binary or multiclass confusion
counts of every cell of the cross-classification of the sensitive attributes, histograms of the
positive-class score for the true positives and negatives, or the sums a regression needs.

**Merging is addition.** The histogram edges are fixed for everyone in advance: bucket ``i`` of
the positive values is ``(γ^(i−1), γ^i]``, of the negative values ``[−γ^i, −γ^(i−1))``, plus one bucket
for zero, with ``γ = (1 + α) / (1 − α)`` for a relative accuracy ``α`` (0.001 by default; the
DDSketch layout). Two profiles made anywhere, at any time, merge by adding counts bucket by bucket,
and the merged profile is exactly the profile of the union of the data. Counts of categories and
confusion cells add the same way.

**What a profile can give.** Exactly as from raw data: every count-based metric (accuracy,
precision, recall, F1, FPR, FNR, confusion matrix, every fairness metric, MAE, RMSE, R², mean,
standard deviation, missing shares, category shares, the categorical chi-square test, PSI and
Jensen–Shannon on categories, unseen categories). Approximately, with the error bound stated next
to the value: ROC AUC (ties within a score bucket count one half; the bound is the share of
positive–negative pairs that share a bucket), and for numeric drift the KS statistic (a lower
and an upper bound), the Wasserstein distance (values moved to bucket centres, relative error ≤ α),
PSI and Jensen–Shannon on decile bins snapped to bucket edges, and the out-of-range share. The
exact KS p-value needs raw data: profile-based numeric drift uses the chi-square homogeneity test on
the decile bins instead, and says so.

Limitation: logarithmic buckets resolve values relative to their distance from zero. A column like
a calendar year (2024 ± 3) falls into a handful of buckets at α = 0.001; centre such columns
before profiling, or treat them as categorical.
"""

from __future__ import annotations

import gzip
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .drift import (
    DEFAULT_THRESHOLDS,
    DriftThresholds,
    categorical_drift_from_counts,
    chi2_homogeneity,
    decide,
    jensen_shannon_distance,
    psi,
)
from .fairness import (
    DEFAULT_MIN_GROUP_SIZE,
    FOUR_FIFTHS,
    MISSING,
    GroupTable,
    _key_order,
    partitions_report,
)
from .io import EvidenceInputError, _sort_key, column_kind, read_table, to_categorical, to_numeric
from .performance import binary_metrics, encode_labels, multiclass_metrics

__all__ = [
    "CategoricalProfile",
    "EvaluationProfile",
    "LogHistogram",
    "NumericProfile",
    "Profile",
    "load_profile",
    "make_profile",
    "merge_profiles",
]

FORMAT = "aims.evidence.profile"
VERSION = 1
DEFAULT_RELATIVE_ACCURACY = 0.001


# ------------------------------------------------------------------------------------------------
# the logarithmic histogram
# ------------------------------------------------------------------------------------------------
def _gamma(alpha: float) -> float:
    return (1.0 + alpha) / (1.0 - alpha)


def _combine(index: np.ndarray, count: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sum counts of equal bucket indices; indices sorted. Linear when the index range is small."""
    if index.size == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    lo, hi = int(index.min()), int(index.max())
    if hi - lo <= 4 * index.size + 1_000_000:
        dense = np.bincount(index - lo, weights=count, minlength=hi - lo + 1)
        nz = np.flatnonzero(dense)
        return nz.astype(np.int64) + lo, np.rint(dense[nz]).astype(np.int64)
    uniq, inverse = np.unique(index, return_inverse=True)
    return uniq.astype(np.int64), np.bincount(inverse, weights=count).round().astype(np.int64)


@dataclass
class LogHistogram:
    """Counts of finite values in fixed logarithmic buckets (see the module docstring)."""

    alpha: float = DEFAULT_RELATIVE_ACCURACY
    zero: int = 0
    pos_index: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    pos_count: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    neg_index: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    neg_count: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))

    @classmethod
    def from_values(cls, values: np.ndarray, alpha: float = DEFAULT_RELATIVE_ACCURACY) -> LogHistogram:
        """Histogram of finite float values."""
        inv_log_gamma = 1.0 / math.log(_gamma(alpha))
        pos = values[values > 0]
        neg = -values[values < 0]
        zero = int(values.size - pos.size - neg.size)
        out = cls(alpha, zero)
        for part, attr in ((pos, "pos"), (neg, "neg")):
            if part.size:
                index = np.ceil(np.log(part) * inv_log_gamma).astype(np.int64)
                lo = int(index.min())
                counts = np.bincount(index - lo)
                nz = np.flatnonzero(counts)
                setattr(out, f"{attr}_index", nz.astype(np.int64) + lo)
                setattr(out, f"{attr}_count", counts[nz].astype(np.int64))
        return out

    @property
    def total(self) -> int:
        """Number of values counted."""
        return int(self.zero + self.pos_count.sum() + self.neg_count.sum())

    @staticmethod
    def merge_all(histograms: Sequence[LogHistogram]) -> LogHistogram:
        """The histogram of the union: counts added bucket by bucket (one pass over all buckets)."""
        if not histograms:
            return LogHistogram()
        alpha = histograms[0].alpha
        if any(h.alpha != alpha for h in histograms):
            raise EvidenceInputError("cannot merge histograms with different relative accuracies")
        out = LogHistogram(alpha, sum(h.zero for h in histograms))
        out.pos_index, out.pos_count = _combine(
            np.concatenate([h.pos_index for h in histograms]),
            np.concatenate([h.pos_count for h in histograms]),
        )
        out.neg_index, out.neg_count = _combine(
            np.concatenate([h.neg_index for h in histograms]),
            np.concatenate([h.neg_count for h in histograms]),
        )
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON form: bucket indices and counts as integer lists."""
        return {
            "relative_accuracy": self.alpha,
            "zero": self.zero,
            "positive": {"index": self.pos_index.tolist(), "count": self.pos_count.tolist()},
            "negative": {"index": self.neg_index.tolist(), "count": self.neg_count.tolist()},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LogHistogram:
        """Inverse of :meth:`to_dict`."""
        return cls(
            float(data["relative_accuracy"]),
            int(data["zero"]),
            np.asarray(data["positive"]["index"], np.int64),
            np.asarray(data["positive"]["count"], np.int64),
            np.asarray(data["negative"]["index"], np.int64),
            np.asarray(data["negative"]["count"], np.int64),
        )


@dataclass
class _Grid:
    """Buckets of several histograms on one ascending axis: edges, centres and aligned counts."""

    lower: np.ndarray
    upper: np.ndarray
    centre: np.ndarray
    counts: list[np.ndarray]


def _grid(histograms: Sequence[LogHistogram]) -> _Grid:
    alpha = histograms[0].alpha
    gamma = _gamma(alpha)
    neg = np.unique(np.concatenate([h.neg_index for h in histograms]))[::-1]  # ascending values
    pos = np.unique(np.concatenate([h.pos_index for h in histograms]))
    lower = np.concatenate([-(gamma ** neg.astype(np.float64)), [0.0], gamma ** (pos - 1.0)])
    upper = np.concatenate([-(gamma ** (neg - 1.0)), [0.0], gamma ** pos.astype(np.float64)])
    # DDSketch's representative value: within relative error alpha of every value in the bucket
    centre_pos = 2.0 * gamma ** pos.astype(np.float64) / (gamma + 1.0)
    centre_neg = -2.0 * gamma ** neg.astype(np.float64) / (gamma + 1.0)
    centre = np.concatenate([centre_neg, [0.0], centre_pos])
    counts = []
    for h in histograms:
        c = np.zeros(lower.size, np.int64)
        if neg.size and h.neg_index.size:
            # neg is descending; positions in it of h's indices
            c[neg.size - 1 - np.searchsorted(neg[::-1], h.neg_index)] = h.neg_count
        c[neg.size] = h.zero
        if pos.size and h.pos_index.size:
            c[neg.size + 1 + np.searchsorted(pos, h.pos_index)] = h.pos_count
        counts.append(c)
    return _Grid(lower, upper, centre, counts)


# ------------------------------------------------------------------------------------------------
# column profiles
# ------------------------------------------------------------------------------------------------
@dataclass
class NumericProfile:
    """Summary of a numeric column."""

    count: int = 0  # finite values
    missing: int = 0
    infinite: int = 0
    type_violations: int = 0
    mean: float = 0.0
    m2: float = 0.0  # sum of squared deviations from the mean
    minimum: float = math.inf
    maximum: float = -math.inf
    histogram: LogHistogram = field(default_factory=LogHistogram)
    kind: str = "numeric"

    @classmethod
    def from_values(cls, values: Any, alpha: float, name: str = "column") -> NumericProfile:
        """Profile one column of raw values."""
        arr, violations = to_numeric(values, name=name)
        nan = np.isnan(arr)
        finite_mask = np.isfinite(arr)
        finite = arr[finite_mask]
        missing = int(np.count_nonzero(nan))
        # Values near the float maximum overflow the moments to inf; that is the honest answer.
        with np.errstate(over="ignore", invalid="ignore"):
            mean = float(finite.mean()) if finite.size else 0.0
            m2 = float(np.square(finite - mean).sum()) if finite.size else 0.0
        return cls(
            count=int(finite.size),
            missing=missing,
            infinite=int(arr.size - missing - finite.size),
            type_violations=violations,
            mean=mean,
            m2=m2,
            minimum=float(finite.min()) if finite.size else math.inf,
            maximum=float(finite.max()) if finite.size else -math.inf,
            histogram=LogHistogram.from_values(finite, alpha),
        )

    @property
    def n(self) -> int:
        """All rows, including missing and infinite values."""
        return self.count + self.missing + self.infinite

    @property
    def std(self) -> float:
        """Population standard deviation of the finite values."""
        return math.sqrt(self.m2 / self.count) if self.count else math.nan

    @staticmethod
    def merge_all(parts: Sequence[NumericProfile]) -> NumericProfile:
        """Exact merge: counts add, histograms add, moments combine (Chan et al.'s parallel formula).

        For many parts at once the formula is ``M2 = Σ m2_i + Σ n_i (mean_i − mean)²`` with
        ``mean = Σ n_i mean_i / n``, which is the pairwise update applied to all parts together.
        """
        counts = np.array([p.count for p in parts], dtype=np.float64)
        n = int(counts.sum())
        out = NumericProfile(
            count=n,
            missing=sum(p.missing for p in parts),
            infinite=sum(p.infinite for p in parts),
            type_violations=sum(p.type_violations for p in parts),
            minimum=min((p.minimum for p in parts), default=math.inf),
            maximum=max((p.maximum for p in parts), default=-math.inf),
            histogram=LogHistogram.merge_all([p.histogram for p in parts]),
        )
        if n:
            means = np.array([p.mean for p in parts], dtype=np.float64)
            m2s = np.array([p.m2 for p in parts], dtype=np.float64)
            with np.errstate(over="ignore", invalid="ignore"):
                out.mean = float(np.dot(counts, means) / n)
                out.m2 = float(m2s.sum() + np.dot(counts, np.square(means - out.mean)))
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON form (infinite min/max of an empty column become null)."""
        return {
            "kind": "numeric",
            "count": self.count,
            "missing": self.missing,
            "infinite": self.infinite,
            "type_violations": self.type_violations,
            "mean": self.mean,
            "m2": self.m2,
            "min": self.minimum if self.count else None,
            "max": self.maximum if self.count else None,
            "histogram": self.histogram.to_dict(),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> NumericProfile:
        """Inverse of :meth:`to_dict`."""
        return cls(
            int(d["count"]),
            int(d["missing"]),
            int(d["infinite"]),
            int(d.get("type_violations", 0)),
            float(d["mean"]),
            float(d["m2"]),
            math.inf if d["min"] is None else float(d["min"]),
            -math.inf if d["max"] is None else float(d["max"]),
            LogHistogram.from_dict(d["histogram"]),
        )


@dataclass
class CategoricalProfile:
    """Summary of a categorical column: the count of every category, and of missing values."""

    counts: dict[Any, int] = field(default_factory=dict)
    missing: int = 0
    kind: str = "categorical"

    @classmethod
    def from_values(cls, values: Any) -> CategoricalProfile:
        """Profile one column of raw values."""
        cat = to_categorical(values)
        counts = cat.counts()
        return cls({c: int(k) for c, k in zip(cat.categories, counts, strict=True) if k}, cat.n_missing)

    @property
    def n(self) -> int:
        """All rows, including missing values."""
        return sum(self.counts.values()) + self.missing

    @staticmethod
    def merge_all(parts: Sequence[CategoricalProfile]) -> CategoricalProfile:
        """Exact merge: counts add per category."""
        out = CategoricalProfile()
        for p in parts:
            for c, k in p.counts.items():
                out.counts[c] = out.counts.get(c, 0) + k
            out.missing += p.missing
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON form: categories and counts as parallel lists (categories need not be strings)."""
        cats = sorted(self.counts, key=_sort_key)
        return {
            "kind": "categorical",
            "categories": cats,
            "counts": [self.counts[c] for c in cats],
            "missing": self.missing,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> CategoricalProfile:
        """Inverse of :meth:`to_dict`."""
        return cls(dict(zip(d["categories"], (int(k) for k in d["counts"]), strict=True)), int(d["missing"]))


ColumnProfile = NumericProfile | CategoricalProfile


# ------------------------------------------------------------------------------------------------
# the evaluation part
# ------------------------------------------------------------------------------------------------
@dataclass
class EvaluationProfile:
    """Confusion counts per sensitive-attribute cell, score histograms, or regression sums."""

    task: str
    target: str
    prediction: str
    score: str | None = None
    sensitive: list[str] = field(default_factory=list)
    classes: list[Any] = field(default_factory=list)  # binary: [negative, positive]
    positive_label: Any = None
    cells: dict[tuple[Any, ...], np.ndarray] = field(default_factory=dict)  # key -> k*k confusion
    score_positive: LogHistogram | None = None
    score_negative: LogHistogram | None = None
    regression: dict[str, float] | None = None

    def signature(self) -> tuple[Any, ...]:
        """What must agree for two evaluation profiles to merge."""
        return (
            self.task,
            self.target,
            self.prediction,
            self.score,
            tuple(self.sensitive),
            self.positive_label,
        )

    def confusion(self) -> np.ndarray:
        """The overall confusion matrix (sum over cells)."""
        k = len(self.classes)
        total = np.zeros(k * k, np.int64)
        for counts in self.cells.values():
            total += counts
        return total.reshape(k, k)

    def group_table(self, positive_index: int | None = None) -> GroupTable:
        """The cells as a fairness :class:`GroupTable` (``MISSING`` kept in keys).

        Binary, or multiclass one-vs-rest on ``positive_index``; multiclass without a positive
        label gives ``[0, 0, incorrect, correct]`` rows (accuracy only).
        """
        k = len(self.classes)
        keys = sorted(self.cells, key=_key_order)
        rows = []
        for key in keys:
            cm = self.cells[key].reshape(k, k)
            if self.task == "binary":
                rows.append(cm.ravel())
            elif positive_index is not None:
                p = positive_index
                tp = cm[p, p]
                fn, fp = cm[p].sum() - tp, cm[:, p].sum() - tp
                rows.append([cm.sum() - tp - fn - fp, fp, fn, tp])
            else:
                correct = int(np.trace(cm))
                rows.append([0, 0, cm.sum() - correct, correct])  # as fairness.multiclass_partition_report
        counts = np.asarray(rows, np.int64).reshape(-1, 4)
        return GroupTable(tuple(self.sensitive), keys, counts, 0, counts.sum(axis=0))

    @staticmethod
    def merge_all(parts: Sequence[EvaluationProfile]) -> EvaluationProfile:
        """Exact merge; class lists are united (confusion matrices re-indexed when they differ)."""
        first = parts[0]
        for p in parts[1:]:
            if p.signature() != first.signature():
                raise EvidenceInputError(
                    "cannot merge evaluation profiles of different set-ups: "
                    f"{first.signature()} vs {p.signature()}"
                )
        classes = (
            sorted({c for p in parts for c in p.classes}, key=_sort_key)
            if first.task != "binary"
            else first.classes
        )
        k = len(classes)
        out = EvaluationProfile(
            first.task,
            first.target,
            first.prediction,
            first.score,
            list(first.sensitive),
            classes,
            first.positive_label,
        )
        # Stack every cell of every part once, then add rows with the same key in one np.add.at:
        # thousands of batch profiles merge without a Python-level numpy call per cell.
        index: dict[tuple[Any, ...], int] = {}
        rows: list[np.ndarray] = []
        where: list[int] = []
        for p in parts:
            if first.task == "binary" and p.classes != first.classes:
                raise EvidenceInputError(
                    f"binary profiles with different classes: {first.classes} vs {p.classes}"
                )
            remap = first.task != "binary" and p.classes != classes
            if remap:
                pos = [classes.index(c) for c in p.classes]
                kp = len(p.classes)
            for key, counts in p.cells.items():
                if remap:
                    full = np.zeros((k, k), np.int64)
                    full[np.ix_(pos, pos)] = counts.reshape(kp, kp)
                    counts = full.ravel()
                where.append(index.setdefault(key, len(index)))
                rows.append(counts)
        total = np.zeros((len(index), k * k), np.int64)
        if rows:
            np.add.at(total, np.asarray(where), np.stack(rows))
        out.cells = {key: total[i] for key, i in index.items()}
        if first.score_positive is not None:
            out.score_positive = LogHistogram.merge_all([p.score_positive for p in parts if p.score_positive])
            out.score_negative = LogHistogram.merge_all([p.score_negative for p in parts if p.score_negative])
        if first.regression is not None:
            out.regression = _merge_regression([p.regression for p in parts if p.regression])
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON form; a missing sensitive value is ``null`` in a cell key."""
        return {
            "task": self.task,
            "target": self.target,
            "prediction": self.prediction,
            "score": self.score,
            "sensitive": self.sensitive,
            "classes": self.classes,
            "positive_label": self.positive_label,
            "cells": [
                {"key": [None if v is MISSING else v for v in key], "confusion": counts.tolist()}
                for key, counts in sorted(self.cells.items(), key=lambda kv: _key_order(kv[0]))
            ],
            "score_histograms": None
            if self.score_positive is None
            else {
                "positive": self.score_positive.to_dict(),
                "negative": self.score_negative.to_dict() if self.score_negative else None,
            },
            "regression": self.regression,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> EvaluationProfile:
        """Inverse of :meth:`to_dict`."""
        out = cls(
            d["task"],
            d["target"],
            d["prediction"],
            d.get("score"),
            list(d.get("sensitive", [])),
            list(d.get("classes", [])),
            d.get("positive_label"),
        )
        for cell in d.get("cells", []):
            key = tuple(MISSING if v is None else v for v in cell["key"])
            out.cells[key] = np.asarray(cell["confusion"], np.int64)
        hist = d.get("score_histograms")
        if hist:
            out.score_positive = LogHistogram.from_dict(hist["positive"])
            out.score_negative = LogHistogram.from_dict(hist["negative"]) if hist.get("negative") else None
        out.regression = d.get("regression")
        return out


def _merge_regression(parts: Sequence[Mapping[str, float]]) -> dict[str, float]:
    out = {
        "n": 0,
        "sum_abs_error": 0.0,
        "sum_squared_error": 0.0,
        "sum_error": 0.0,
        "max_abs_error": 0.0,
        "target_mean": 0.0,
        "target_m2": 0.0,
    }
    for p in parts:
        n = out["n"] + p["n"]
        if p["n"]:
            delta = p["target_mean"] - out["target_mean"]
            out["target_mean"] += delta * p["n"] / n
            out["target_m2"] += p["target_m2"] + delta * delta * out["n"] * p["n"] / n
        out["n"] = n
        for k in ("sum_abs_error", "sum_squared_error", "sum_error"):
            out[k] += p[k]
        out["max_abs_error"] = max(out["max_abs_error"], p["max_abs_error"])
    return out


# ------------------------------------------------------------------------------------------------
# the profile
# ------------------------------------------------------------------------------------------------
@dataclass
class Profile:
    """A data set's profile: column summaries and, optionally, an evaluation part."""

    n_rows: int = 0
    columns: dict[str, ColumnProfile] = field(default_factory=dict)
    evaluation: EvaluationProfile | None = None
    relative_accuracy: float = DEFAULT_RELATIVE_ACCURACY

    def __add__(self, other: Profile) -> Profile:
        return merge_profiles([self, other])

    def to_dict(self) -> dict[str, Any]:
        """The JSON document (see ``docs/evidence.md`` for the format)."""
        return {
            "format": FORMAT,
            "version": VERSION,
            "n_rows": self.n_rows,
            "relative_accuracy": self.relative_accuracy,
            "columns": {name: col.to_dict() for name, col in self.columns.items()},
            "evaluation": None if self.evaluation is None else self.evaluation.to_dict(),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Profile:
        """Inverse of :meth:`to_dict`; refuses documents of another format or a newer version."""
        if d.get("format") != FORMAT:
            raise EvidenceInputError(f"not an AIMS evidence profile (format {d.get('format')!r})")
        if int(d.get("version", 0)) > VERSION:
            raise EvidenceInputError(
                f"profile version {d['version']} is newer than this AIMS understands ({VERSION})"
            )
        columns: dict[str, ColumnProfile] = {}
        for name, col in d["columns"].items():
            columns[name] = (
                NumericProfile.from_dict(col)
                if col["kind"] == "numeric"
                else CategoricalProfile.from_dict(col)
            )
        evaluation = EvaluationProfile.from_dict(d["evaluation"]) if d.get("evaluation") else None
        return cls(
            int(d["n_rows"]),
            columns,
            evaluation,
            float(d.get("relative_accuracy", DEFAULT_RELATIVE_ACCURACY)),
        )

    def save(self, path: str | Path) -> None:
        """Write the JSON document (gzipped when the name ends in ``.gz``)."""
        text = json.dumps(self.to_dict(), separators=(",", ":"), allow_nan=False)
        path = Path(path)
        if path.name.endswith(".gz"):
            with gzip.open(path, "wt", encoding="utf-8") as fh:
                fh.write(text)
        else:
            path.write_text(text, encoding="utf-8")


def load_profile(source: str | Path | Mapping[str, Any]) -> Profile:
    """A profile from a JSON file (``.json`` or ``.json.gz``) or an already parsed document."""
    if isinstance(source, Mapping):
        return Profile.from_dict(source)
    path = Path(source)
    try:
        if path.name.endswith(".gz"):
            with gzip.open(path, "rt", encoding="utf-8") as fh:
                data = json.load(fh)
        else:
            data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise EvidenceInputError(f"{path}: cannot read a profile ({exc})") from exc
    return Profile.from_dict(data)


def is_profile_source(source: Any) -> bool:
    """True for a :class:`Profile`, a profile document, or a ``.json`` / ``.json.gz`` path."""
    if isinstance(source, Profile):
        return True
    if isinstance(source, Mapping) and source.get("format") == FORMAT:
        return True
    return isinstance(source, (str, Path)) and str(source).lower().endswith((".json", ".json.gz"))


def make_profile(
    data: Any,
    *,
    columns: Sequence[str] | None = None,
    target: str | None = None,
    prediction: str | None = None,
    score: str | None = None,
    sensitive: Sequence[str] = (),
    positive_label: Any = None,
    task: str = "auto",
    categorical: Sequence[str] = (),
    numeric: Sequence[str] = (),
    relative_accuracy: float = DEFAULT_RELATIVE_ACCURACY,
) -> Profile:
    """Profile ``data`` (anything :func:`~aims.evidence.io.read_table` reads) in one pass per column.

    ``columns`` defaults to all columns. With ``target`` and ``prediction`` the profile also holds
    the evaluation part; ``task="regression"`` (or a float target with non-integer values) makes it
    a regression profile.
    """
    if not 0 < relative_accuracy < 1:
        raise EvidenceInputError("relative_accuracy must be between 0 and 1")
    roles = [c for c in (target, prediction, score, *sensitive) if c]
    wanted = None if columns is None else list(dict.fromkeys([*columns, *roles]))
    table = read_table(data, wanted)
    names = list(table) if columns is None else list(columns)
    cat_set, num_set = set(categorical), set(numeric)
    profile = Profile(n_rows=table.n_rows, relative_accuracy=relative_accuracy)
    for name in names:
        values = table[name]
        kind = "categorical" if name in cat_set else "numeric" if name in num_set else column_kind(values)
        if kind == "numeric":
            profile.columns[name] = NumericProfile.from_values(values, relative_accuracy, name)
        else:
            profile.columns[name] = CategoricalProfile.from_values(values)
    if target and prediction:
        profile.evaluation = _evaluation_profile(
            table, target, prediction, score, list(sensitive), positive_label, task, relative_accuracy
        )
    return profile


def _is_regression(values: Any, task: str) -> bool:
    if task == "regression":
        return True
    if task != "auto":
        return False
    arr, _ = to_numeric(values) if column_kind(values) == "numeric" else (None, 0)
    return arr is not None and arr.dtype.kind == "f" and bool(np.any(arr[np.isfinite(arr)] % 1 != 0))


def _evaluation_profile(
    table: Any,
    target: str,
    prediction: str,
    score: str | None,
    sensitive: list[str],
    positive_label: Any,
    task: str,
    alpha: float,
) -> EvaluationProfile:
    if _is_regression(table[target], task):
        t, _ = to_numeric(table[target], name=target)
        p, _ = to_numeric(table[prediction], name=prediction)
        ok = ~(np.isnan(t) | np.isnan(p))
        if not ok.all():
            raise EvidenceInputError(f"{int((~ok).sum())} rows have a missing target or prediction")
        err = p - t
        mean = float(t.mean()) if t.size else 0.0
        reg = {
            "n": int(t.size),
            "sum_abs_error": float(np.abs(err).sum()),
            "sum_squared_error": float(np.dot(err, err)),
            "sum_error": float(err.sum()),
            "max_abs_error": float(np.abs(err).max()) if err.size else 0.0,
            "target_mean": mean,
            "target_m2": float(np.square(t - mean).sum()),
        }
        return EvaluationProfile("regression", target, prediction, None, sensitive, regression=reg)
    labels = encode_labels(
        table[target],
        table[prediction],
        pos_label=positive_label,
        task=task if task in ("binary", "multiclass") else "auto",
    )
    k = labels.n_classes
    outcome = labels.true * k + labels.pred
    cats = [to_categorical(table[s]) for s in sensitive]
    sizes = [len(c.categories) + 1 for c in cats]  # last level = missing
    combined = np.zeros(len(outcome), np.int64)
    for cat, size in zip(cats, sizes, strict=True):
        combined *= size
        combined += np.where(cat.codes < 0, size - 1, cat.codes)
    cells_idx, inverse = np.unique(combined, return_inverse=True)
    flat = np.bincount(inverse * (k * k) + outcome, minlength=len(cells_idx) * k * k).reshape(-1, k * k)
    cells: dict[tuple[Any, ...], np.ndarray] = {}
    for cell, counts in zip(cells_idx.tolist(), flat, strict=True):
        digits = []
        for size in reversed(sizes):
            cell, d = divmod(cell, size)
            digits.append(d)
        key = tuple(
            MISSING if d == len(c.categories) else c.categories[d]
            for c, d in zip(cats, reversed(digits), strict=True)
        )
        cells[key] = counts.astype(np.int64)
    out = EvaluationProfile(
        labels.task, target, prediction, score, sensitive, list(labels.classes), labels.pos_label, cells
    )
    if score and labels.task == "binary":
        s, _ = to_numeric(table[score], name=score)
        if np.isnan(s).any():
            raise EvidenceInputError(f"column {score!r} has {int(np.isnan(s).sum())} missing scores")
        positive = labels.true.astype(bool)
        out.score_positive = LogHistogram.from_values(s[positive], alpha)
        out.score_negative = LogHistogram.from_values(s[~positive], alpha)
    return out


def merge_profiles(profiles: Iterable[Profile]) -> Profile:
    """The profile of the union of the data behind ``profiles`` (exact; order does not matter).

    All profiles need the same relative accuracy and the same kind per column; a column absent from
    some profiles is merged over those that have it.
    """
    profiles = list(profiles)
    if not profiles:
        raise EvidenceInputError("no profiles to merge")
    alpha = profiles[0].relative_accuracy
    if any(p.relative_accuracy != alpha for p in profiles):
        raise EvidenceInputError("cannot merge profiles made with different relative accuracies")
    names = list(dict.fromkeys(n for p in profiles for n in p.columns))
    out = Profile(sum(p.n_rows for p in profiles), relative_accuracy=alpha)
    for name in names:
        parts = [p.columns[name] for p in profiles if name in p.columns]
        kinds = {part.kind for part in parts}
        if len(kinds) > 1:
            raise EvidenceInputError(f"column {name!r} is numeric in some profiles and categorical in others")
        if parts[0].kind == "numeric":
            out.columns[name] = NumericProfile.merge_all(parts)  # type: ignore[arg-type]
        else:
            out.columns[name] = CategoricalProfile.merge_all(parts)  # type: ignore[arg-type]
    evaluations = [p.evaluation for p in profiles if p.evaluation is not None]
    if evaluations:
        if len(evaluations) != len(profiles):
            raise EvidenceInputError("some profiles have an evaluation part and others do not")
        out.evaluation = EvaluationProfile.merge_all(evaluations)
    return out


# ------------------------------------------------------------------------------------------------
# metrics from profiles
# ------------------------------------------------------------------------------------------------
def auc_from_histograms(positive: LogHistogram, negative: LogHistogram) -> tuple[float, float]:
    """ROC AUC from score histograms, and the largest possible error.

    Pairs in different buckets are ordered exactly; pairs sharing a bucket count one half, so the
    true AUC is within ``0.5 × (pairs sharing a bucket) / (all pairs)`` of the value.
    """
    grid = _grid([positive, negative])
    pos, neg = grid.counts[0].astype(np.float64), grid.counts[1].astype(np.float64)
    n1, n0 = pos.sum(), neg.sum()
    if n1 == 0 or n0 == 0:
        return math.nan, math.nan
    below = np.concatenate([[0.0], np.cumsum(neg)[:-1]])
    auc = float(np.sum(pos * (below + 0.5 * neg)) / (n1 * n0))
    bound = float(0.5 * np.sum(pos * neg) / (n1 * n0))
    return auc, bound


def evaluation_from_profile(
    profile: Profile | EvaluationProfile,
    *,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
    intersections: bool = True,
    four_fifths: float = FOUR_FIFTHS,
) -> dict[str, Any]:
    """``performance`` and ``fairness`` sections from a profile, as :func:`aims.evidence.evaluate` gives."""
    ev = profile.evaluation if isinstance(profile, Profile) else profile
    if ev is None:
        raise EvidenceInputError("the profile has no evaluation part (made without target and prediction)")
    out: dict[str, Any] = {"task": ev.task, "source": "profile"}
    if ev.task == "regression":
        r = ev.regression or {}
        n = r.get("n", 0)
        out["n"] = n
        out["performance"] = {
            "mae": r["sum_abs_error"] / n if n else math.nan,
            "mse": r["sum_squared_error"] / n if n else math.nan,
            "rmse": math.sqrt(r["sum_squared_error"] / n) if n else math.nan,
            "r2": 1.0 - r["sum_squared_error"] / r["target_m2"] if r.get("target_m2") else math.nan,
            "mean_error": r["sum_error"] / n if n else math.nan,
            "max_abs_error": r["max_abs_error"],
        }
        out["fairness"] = {}
        return out
    cm = ev.confusion()
    out["n"] = int(cm.sum())
    if ev.task == "binary":
        (tn, fp), (fn, tp) = cm.tolist()
        perf: dict[str, Any] = dict(binary_metrics(tn, fp, fn, tp))
        if ev.score_positive is not None and ev.score_negative is not None:
            auc, bound = auc_from_histograms(ev.score_positive, ev.score_negative)
            perf["roc_auc"] = auc
            perf["roc_auc_error_bound"] = bound
        out["positive_label"] = ev.positive_label
    else:
        perf = dict(multiclass_metrics(cm, ev.classes))
    perf["confusion_matrix"] = {"labels": list(ev.classes), "matrix": cm.tolist()}
    out["performance"] = perf
    if ev.sensitive:
        import itertools

        partitions: list[tuple[str, ...]] = [(s,) for s in ev.sensitive]
        if intersections:
            for size in range(2, len(ev.sensitive) + 1):
                partitions.extend(itertools.combinations(ev.sensitive, size))
        pos_index = (
            ev.classes.index(ev.positive_label)
            if ev.task == "multiclass" and ev.positive_label is not None
            else None
        )
        table = ev.group_table(pos_index)
        fairness = partitions_report(
            table, partitions, min_group_size=min_group_size, four_fifths=four_fifths
        )
        if ev.task == "multiclass" and pos_index is None:
            for rep in fairness.values():
                _accuracy_only(rep)
        out["fairness"] = fairness
    else:
        out["fairness"] = {}
    return out


def _accuracy_only(report: dict[str, Any]) -> None:
    """Strip a partition report to what a multiclass evaluation without positive label supports."""
    for group in report["groups"].values():
        for key in list(group):
            if key not in ("count", "suppressed", "accuracy"):
                del group[key]
    keep = {
        "attributes",
        "groups",
        "n_groups",
        "suppressed_groups",
        "min_group_size",
        "rows_missing_attribute",
        "accuracy_difference",
        "accuracy_ratio",
        "not_measurable",
    }
    for key in list(report):
        if key not in keep:
            del report[key]
    report["note"] = "multiclass without a positive label: selection-rate metrics need a positive label"


def numeric_drift_from_profiles(
    ref: NumericProfile,
    cur: NumericProfile,
    *,
    thresholds: DriftThresholds = DEFAULT_THRESHOLDS,
    stats: str | Sequence[str] | None = None,
) -> dict[str, Any]:
    """Numeric drift from two profiles (approximate where stated; see the module docstring).

    ``stats`` as in :func:`aims.evidence.drift.numeric_drift`; ``ks`` stands for this kind's test
    (here chi-square on the decile bins, with the KS statistic's bounds)."""
    from .drift import _missing_change, select_statistics

    chosen = select_statistics(stats)
    out: dict[str, Any] = {
        "kind": "numeric",
        "test": "chi2_contingency on reference-decile bins (from profiles; exact KS needs raw data)"
        if "ks" in chosen
        else None,
        "statistic": None,
        "p_value": None,
        "psi": None,
        "jensen_shannon": None,
        "wasserstein": None,
        "wasserstein_normed": None,
        "ks_statistic_lower": None,
        "ks_statistic_upper": None,
        "n_reference": ref.n,
        "n_current": cur.n,
        "out_of_range_share": None,
        "approximate": True,
    }
    out.update(
        _missing_change(ref.missing + ref.type_violations, ref.n, cur.missing + cur.type_violations, cur.n)
    )
    if ref.count and cur.count:
        grid = _grid([ref.histogram, cur.histogram])
        r, c = grid.counts
        fr, fc = np.cumsum(r) / ref.count, np.cumsum(c) / cur.count
        d = fr - fc
        prev = np.concatenate([[0.0], d[:-1]])
        ks_low = float(np.max(np.abs(d)))
        ks_high = float(
            max(np.max(np.abs(prev + r / ref.count)), np.max(np.abs(prev - c / cur.count)), ks_low)
        )
        # Wasserstein between the bucket-centre distributions: |F_r - F_c| integrated between centres.
        w = float(np.sum(np.abs(d[:-1]) * np.diff(grid.centre)))
        # Decile edges snapped to bucket boundaries: exact counts on both sides for those bins.
        targets = np.linspace(0, 1, thresholds.psi_bins + 1)[1:-1] * ref.count
        cum_r = np.cumsum(r)
        cut = np.unique(np.searchsorted(cum_r, targets, side="left"))
        cut = cut[cut < len(r) - 1]
        bins_r = np.add.reduceat(r, np.concatenate([[0], cut + 1])) if r.size else r
        bins_c = np.add.reduceat(c, np.concatenate([[0], cut + 1])) if c.size else c
        # Buckets wholly outside the reference range: a lower bound of the out-of-range count.
        outside = int(c[(grid.upper < ref.minimum) | (grid.lower > ref.maximum)].sum())
        from scipy.special import bdtrc

        p0 = min(2.0 / (ref.count + 1), 1.0)
        if "ks" in chosen:
            chi = chi2_homogeneity(bins_r, bins_c)
            out.update(
                statistic=chi["statistic"],
                p_value=chi["p_value"],
                dof=chi["dof"],
                ks_statistic_lower=ks_low,
                ks_statistic_upper=ks_high,
            )
        if "psi" in chosen:
            out["psi"] = psi(bins_r, bins_c, floor=thresholds.psi_floor)
        if "js" in chosen:
            out["jensen_shannon"] = jensen_shannon_distance(bins_r, bins_c)
        if "wasserstein" in chosen:
            out.update(wasserstein=w, wasserstein_normed=w / max(ref.std, 0.001))
        out.update(
            out_of_range_share=outside / cur.count,
            out_of_range_p_value=float(bdtrc(outside - 1, cur.count, p0)) if outside else 1.0,
            reference_min=ref.minimum,
            reference_max=ref.maximum,
            bins=len(bins_r),
        )
    out["drift"], out["reasons"] = decide(out, thresholds)
    return out


def drift_from_profiles(
    reference: Profile,
    current: Profile,
    *,
    columns: Sequence[str] | None = None,
    thresholds: DriftThresholds | None = None,
    column_thresholds: Mapping[str, Mapping[str, Any]] | None = None,
    target: str | None = None,
    prediction: str | None = None,
    score: str | None = None,
    stats: str | Sequence[str] | None = None,
) -> dict[str, Any]:
    """The drift report of :func:`aims.evidence.drift.drift_report`, from two profiles."""
    from .drift import STATISTICS, method_for, select_statistics

    chosen = select_statistics(stats)
    thresholds = thresholds or DEFAULT_THRESHOLDS
    column_thresholds = dict(column_thresholds or {})
    roles = [c for c in (target, prediction, score) if c]
    common = [c for c in reference.columns if c in current.columns]
    if columns is None:
        columns = [c for c in common if c not in roles]
    for c in [*columns, *roles]:
        for side, prof in (("reference", reference), ("current", current)):
            if c not in prof.columns:
                raise EvidenceInputError(
                    f"column {c!r} is not in the {side} profile; profiled columns: {', '.join(prof.columns)}"
                )
    results: dict[str, dict[str, Any]] = {}
    for name in [*columns, *roles]:
        limits = thresholds.updated(**column_thresholds[name]) if name in column_thresholds else thresholds
        r, c = reference.columns[name], current.columns[name]
        if r.kind != c.kind:
            raise EvidenceInputError(
                f"column {name!r} is {r.kind} in the reference profile but {c.kind} in the current one"
            )
        if isinstance(r, NumericProfile) and isinstance(c, NumericProfile):
            results[name] = numeric_drift_from_profiles(r, c, thresholds=limits, stats=chosen)
        elif isinstance(r, CategoricalProfile) and isinstance(c, CategoricalProfile):
            cats = sorted(set(r.counts) | set(c.counts), key=_sort_key)
            results[name] = categorical_drift_from_counts(
                cats,
                np.array([r.counts.get(k, 0) for k in cats], np.int64),
                np.array([c.counts.get(k, 0) for k in cats], np.int64),
                r.missing,
                c.missing,
                thresholds=limits,
                stats=chosen,
            )
    features = {c: results[c] for c in columns}
    drifted = [c for c, res in features.items() if res["drift"]]
    share = len(drifted) / len(features) if features else math.nan
    doc = {
        "kind": "drift",
        "source": "profiles",
        "n_reference": reference.n_rows,
        "n_current": current.n_rows,
        "columns": features,
        "n_columns": len(features),
        "n_drifted": len(drifted),
        "drifted_columns": drifted,
        "share_drifted": share,
        "dataset_drift": bool(features) and share >= thresholds.dataset_drift_share,
        "label_drift": {target: results[target]} if target else None,
        "prediction_drift": {c: results[c] for c in (prediction, score) if c} or None,
        "columns_only_in_reference": [c for c in reference.columns if c not in current.columns],
        "columns_only_in_current": [c for c in current.columns if c not in reference.columns],
        "thresholds": {k: getattr(thresholds, k) for k in thresholds.__dataclass_fields__},
        "column_thresholds": column_thresholds,
        "method": {
            **method_for(chosen),
            "profiles": "numeric columns from fixed-edge logarithmic histograms (relative "
            f"accuracy {reference.relative_accuracy}); KS statistic given as bounds, test is chi-square on "
            "decile bins snapped to bucket edges; categorical columns exact",
        },
    }
    if len(chosen) < len(STATISTICS):
        doc["statistics"] = [s for s in STATISTICS if s in chosen]
    return doc
