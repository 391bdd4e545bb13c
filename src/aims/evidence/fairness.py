"""Group fairness: per-group metrics and disparity measures, with fairlearn's definitions and names.

Everything comes from one table of confusion counts per group: the sensitive attributes are
encoded once, combined into one group code per row (mixed radix), and one ``np.bincount`` over
``group * 4 + y_true * 2 + y_pred`` gives ``tn, fp, fn, tp`` for the finest cross-classification.
Every single attribute and every intersection is then a sum over that small table, so adding
attributes costs nothing per row.

Definitions (fairlearn 0.15, ``method="between_groups"``, ``agg="worst_case"``):

* ``demographic_parity_difference`` = max − min selection rate over groups;
  ``demographic_parity_ratio`` = min / max.
* ``equalized_odds_difference`` = the larger of the TPR difference and the FPR difference;
  ``equalized_odds_ratio`` = the smaller of the two ratios.
* ``equal_opportunity_difference`` = TPR difference; ``equal_opportunity_ratio`` = TPR ratio.
* ``disparate_impact_ratio`` = lowest / highest selection rate (the same number as the demographic
  parity ratio); the four-fifths rule holds when it is at least 0.8.

Two deliberate differences from fairlearn, both reported in the output:

* Groups with fewer rows than ``min_group_size`` are *suppressed*: listed with their count, but
  their rates are neither computed nor used in the disparity measures (a rate over 3 people is
  noise, and publishing it can identify them).
* A rate whose denominator is zero in a group (the TPR of a group with no positives) is undefined
  (``null``) and left out of the aggregate. fairlearn, through scikit-learn's ``normalize="true"``,
  reports 0 there, which turns "no data" into "worst possible rate".
* A difference or ratio needs two groups with a defined value; with fewer it is undefined
  (``null``), where fairlearn reports 0 ("no disparity").
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from .io import Categorical, EvidenceInputError, is_pandas, is_polars, to_categorical
from .performance import Labels, encode_labels

__all__ = [
    "GROUP_METRICS",
    "GroupTable",
    "demographic_parity_difference",
    "demographic_parity_ratio",
    "disparate_impact_ratio",
    "equal_opportunity_difference",
    "equal_opportunity_ratio",
    "equalized_odds_difference",
    "equalized_odds_ratio",
    "fairness_report",
    "group_table",
    "regression_fairness_report",
]

GROUP_METRICS = (
    "selection_rate",
    "accuracy",
    "true_positive_rate",
    "false_positive_rate",
    "false_negative_rate",
    "true_negative_rate",
    "prevalence",
)
DEFAULT_MIN_GROUP_SIZE = 30
FOUR_FIFTHS = 0.8
GROUP_SEPARATOR = "|"
Method = Literal["between_groups", "to_overall"]


class _Missing:
    """The key of rows whose sensitive value is missing (kept in fine tables so marginals are exact)."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __reduce__(self) -> str:
        return "MISSING"


MISSING = _Missing()


@dataclass
class GroupTable:
    """Binary confusion counts for every observed group of one or more sensitive attributes.

    ``counts[i]`` holds ``tn, fp, fn, tp`` of group ``keys[i]`` (a tuple with one value per
    attribute). Only groups with at least one row are kept. A key may contain :data:`MISSING` for
    rows without a value; :meth:`complete` moves those rows to ``n_missing``.
    """

    attributes: tuple[str, ...]
    keys: list[tuple[Any, ...]]
    counts: np.ndarray
    n_missing: int = 0
    overall: np.ndarray = field(default_factory=lambda: np.zeros(4, dtype=np.int64))

    def marginal(self, attributes: Sequence[str]) -> GroupTable:
        """The table for a subset of the attributes, by summing the finer groups."""
        index = [self.attributes.index(a) for a in attributes]
        merged: dict[tuple[Any, ...], np.ndarray] = {}
        for key, row in zip(self.keys, self.counts, strict=True):
            sub = tuple(key[i] for i in index)
            merged[sub] = merged[sub] + row if sub in merged else row.copy()
        keys = sorted(merged, key=_key_order)
        counts = np.array([merged[k] for k in keys], dtype=np.int64).reshape(-1, 4)
        return GroupTable(tuple(attributes), keys, counts, self.n_missing, self.overall)

    def complete(self) -> GroupTable:
        """The table without groups that have a missing value; their rows go to ``n_missing``."""
        has_missing = np.array([any(v is MISSING for v in key) for key in self.keys], dtype=bool)
        if not has_missing.any():
            return self
        keys = [k for k, m in zip(self.keys, has_missing, strict=True) if not m]
        n_missing = self.n_missing + int(self.counts[has_missing].sum())
        return GroupTable(self.attributes, keys, self.counts[~has_missing], n_missing, self.overall)

    def rates(self) -> dict[str, np.ndarray]:
        """Per-group rates (``nan`` where the denominator is zero), and ``count``."""
        return _rates(self.counts)

    def labels(self) -> list[str]:
        """Group names for reports: the value, or the values joined with ``|`` for intersections."""
        return [GROUP_SEPARATOR.join(_label(v) for v in key) for key in self.keys]


def _label(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _key_order(key: tuple[Any, ...]) -> tuple[Any, ...]:
    from .io import _sort_key

    return tuple(_sort_key(v) for v in key)


def _rates(counts: np.ndarray) -> dict[str, np.ndarray]:
    c = counts.astype(np.float64)
    tn, fp, fn, tp = c[:, 0], c[:, 1], c[:, 2], c[:, 3]
    n = tn + fp + fn + tp
    with np.errstate(divide="ignore", invalid="ignore"):
        return {
            "count": n,
            "selection_rate": np.where(n > 0, (tp + fp) / n, np.nan),
            "accuracy": np.where(n > 0, (tp + tn) / n, np.nan),
            "true_positive_rate": np.where(tp + fn > 0, tp / (tp + fn), np.nan),
            "false_positive_rate": np.where(fp + tn > 0, fp / (fp + tn), np.nan),
            "false_negative_rate": np.where(tp + fn > 0, fn / (tp + fn), np.nan),
            "true_negative_rate": np.where(fp + tn > 0, tn / (fp + tn), np.nan),
            "prevalence": np.where(n > 0, (tp + fn) / n, np.nan),
        }


# ------------------------------------------------------------------------------------------------
# building group tables
# ------------------------------------------------------------------------------------------------
def _sensitive_columns(sensitive_features: Any) -> dict[str, Categorical]:
    """Name → encoded column, from a 1-D array, a data frame, a mapping or a list of arrays."""
    if isinstance(sensitive_features, Mapping):
        items = list(sensitive_features.items())
    elif is_pandas(sensitive_features) and hasattr(sensitive_features, "columns"):
        items = [(str(c), sensitive_features[c]) for c in sensitive_features.columns]
    elif is_polars(sensitive_features) and hasattr(sensitive_features, "columns"):
        items = [(c, sensitive_features.get_column(c)) for c in sensitive_features.columns]
    elif isinstance(sensitive_features, np.ndarray) and sensitive_features.ndim == 2:
        items = [
            (f"sensitive_feature_{i}", sensitive_features[:, i]) for i in range(sensitive_features.shape[1])
        ]
    elif (
        isinstance(sensitive_features, (list, tuple))
        and sensitive_features
        and not np.isscalar(sensitive_features[0])
    ):
        items = [(f"sensitive_feature_{i}", col) for i, col in enumerate(sensitive_features)]
    else:
        name = getattr(sensitive_features, "name", None)
        items = [(str(name) if name is not None else "sensitive_feature_0", sensitive_features)]
    if not items:
        raise EvidenceInputError("no sensitive features given")
    return {str(name): to_categorical(col) for name, col in items}


def group_table(
    true01: np.ndarray, pred01: np.ndarray, columns: Mapping[str, Categorical], *, keep_missing: bool = False
) -> GroupTable:
    """Confusion counts for the cross-classification of all ``columns`` in one ``np.bincount``.

    A missing value is one more level of its attribute (code ``k``), so that a marginal of the fine
    table is exact; unless ``keep_missing``, groups with a missing value are then dropped and their
    rows counted in ``n_missing``.
    """
    names = tuple(columns)
    cats = [columns[n] for n in names]
    n = len(true01)
    for name, cat in zip(names, cats, strict=True):
        if len(cat) != n:
            raise EvidenceInputError(f"sensitive feature {name!r} has {len(cat)} rows, the labels have {n}")
    sizes = [len(c.categories) + 1 for c in cats]  # the extra level is "missing"
    outcome = true01 * 2 + pred01
    overall = np.bincount(outcome, minlength=4).astype(np.int64)
    combined = np.zeros(n, dtype=np.int64)
    for cat, size in zip(cats, sizes, strict=True):
        combined *= size
        combined += np.where(cat.codes < 0, size - 1, cat.codes) if cat.n_missing else cat.codes
    total = math.prod(sizes)
    if total * 4 <= 16_000_000:
        flat = np.bincount(combined * 4 + outcome, minlength=total * 4).reshape(total, 4)
        cells = np.flatnonzero(flat.sum(axis=1))
        counts = flat[cells]
    else:
        # Too many possible combinations for a dense table: count only the observed ones.
        cells, inverse = np.unique(combined, return_inverse=True)
        counts = np.bincount(inverse * 4 + outcome, minlength=len(cells) * 4).reshape(len(cells), 4)
    keys = []
    for cell in cells.tolist():
        digits = []
        for size in reversed(sizes):
            cell, digit = divmod(cell, size)
            digits.append(digit)
        keys.append(
            tuple(
                MISSING if d == len(cat.categories) else cat.categories[d]
                for cat, d in zip(cats, reversed(digits), strict=True)
            )
        )
    table = GroupTable(names, keys, np.asarray(counts, dtype=np.int64), 0, overall)
    return table if keep_missing else table.complete()


def _prepare(y_true: Any, y_pred: Any, sensitive_features: Any, pos_label: Any) -> GroupTable:
    labels = encode_labels(y_true, y_pred, pos_label=pos_label, task="binary")
    return group_table(labels.true, labels.pred, _sensitive_columns(sensitive_features))


# ------------------------------------------------------------------------------------------------
# aggregation
# ------------------------------------------------------------------------------------------------
def _aggregate(
    values: np.ndarray, overall: float, method: Method
) -> tuple[float, float, int | None, int | None]:
    """(difference, ratio, index of the lowest group, index of the highest) over defined values."""
    ok = np.flatnonzero(~np.isnan(values))
    if ok.size == 0:
        return math.nan, math.nan, None, None
    lo = int(ok[np.argmin(values[ok])])
    hi = int(ok[np.argmax(values[ok])])
    if method == "between_groups":
        if ok.size < 2:
            # One group with a defined rate: there is nothing to compare it with, which is not "0".
            return math.nan, math.nan, lo, hi
        diff = float(values[hi] - values[lo])
        ratio = float(values[lo] / values[hi]) if values[hi] != 0 else math.nan
        return diff, ratio, lo, hi
    if method == "to_overall":
        v = values[ok]
        diff = float(np.max(np.abs(v - overall)))
        with np.errstate(divide="ignore", invalid="ignore"):
            r = v / overall
            r = np.where(r > 1, 1 / r, r)
        ratio = float(np.nanmin(r)) if not np.all(np.isnan(r)) else math.nan
        return diff, ratio, lo, hi
    raise ValueError(f"method must be 'between_groups' or 'to_overall', got {method!r}")


def _disparities(table: GroupTable, keep: np.ndarray, method: Method = "between_groups") -> dict[str, Any]:
    rates = table.rates()
    overall = {k: float(v[0]) for k, v in _rates(table.overall.reshape(1, 4)).items()}

    def agg(metric: str) -> tuple[float, float, int | None, int | None]:
        values = np.where(keep, rates[metric], np.nan)
        return _aggregate(values, overall[metric], method)

    sr_d, sr_r, sr_lo, sr_hi = agg("selection_rate")
    tpr_d, tpr_r, _, _ = agg("true_positive_rate")
    fpr_d, fpr_r, _, _ = agg("false_positive_rate")
    acc_d, acc_r, _, _ = agg("accuracy")
    labels = table.labels()
    return {
        "demographic_parity_difference": sr_d,
        "demographic_parity_ratio": sr_r,
        "equalized_odds_difference": _nanmax(tpr_d, fpr_d),
        "equalized_odds_ratio": _nanmin(tpr_r, fpr_r),
        "equal_opportunity_difference": tpr_d,
        "equal_opportunity_ratio": tpr_r,
        "accuracy_difference": acc_d,
        "accuracy_ratio": acc_r,
        "true_positive_rate_difference": tpr_d,
        "false_positive_rate_difference": fpr_d,
        "disparate_impact_ratio": sr_r,
        "lowest_selection_rate_group": None if sr_lo is None else labels[sr_lo],
        "highest_selection_rate_group": None if sr_hi is None else labels[sr_hi],
    }


def _nanmax(a: float, b: float) -> float:
    # fairlearn's worst case is Python's max() over the two differences; a NaN side is "no data".
    values = [v for v in (a, b) if not math.isnan(v)]
    return max(values) if values else math.nan


def _nanmin(a: float, b: float) -> float:
    values = [v for v in (a, b) if not math.isnan(v)]
    return min(values) if values else math.nan


def _kept(table: GroupTable, min_group_size: int) -> np.ndarray:
    return table.counts.sum(axis=1) >= max(min_group_size, 1)


# ------------------------------------------------------------------------------------------------
# fairlearn-compatible functions (same argument names and defaults; no suppression by default)
# ------------------------------------------------------------------------------------------------
def demographic_parity_difference(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    method: Method = "between_groups",
    pos_label: Any = None,
    min_group_size: int = 1,
) -> float:
    """Largest minus smallest group selection rate (fairlearn's ``demographic_parity_difference``)."""
    table = _prepare(y_true, y_pred, sensitive_features, pos_label)
    return float(_disparities(table, _kept(table, min_group_size), method)["demographic_parity_difference"])


def demographic_parity_ratio(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    method: Method = "between_groups",
    pos_label: Any = None,
    min_group_size: int = 1,
) -> float:
    """Smallest over largest group selection rate (fairlearn's ``demographic_parity_ratio``)."""
    table = _prepare(y_true, y_pred, sensitive_features, pos_label)
    return float(_disparities(table, _kept(table, min_group_size), method)["demographic_parity_ratio"])


def disparate_impact_ratio(
    y_true: Any, y_pred: Any, *, sensitive_features: Any, pos_label: Any = None, min_group_size: int = 1
) -> float:
    """Lowest over highest group selection rate; the four-fifths rule holds when it is ≥ 0.8."""
    return demographic_parity_ratio(
        y_true,
        y_pred,
        sensitive_features=sensitive_features,
        pos_label=pos_label,
        min_group_size=min_group_size,
    )


def equalized_odds_difference(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    method: Method = "between_groups",
    agg: Literal["worst_case", "mean"] = "worst_case",
    pos_label: Any = None,
    min_group_size: int = 1,
) -> float:
    """The larger (``agg="worst_case"``) or the mean of the TPR and FPR differences."""
    table = _prepare(y_true, y_pred, sensitive_features, pos_label)
    d = _disparities(table, _kept(table, min_group_size), method)
    if agg == "worst_case":
        return float(d["equalized_odds_difference"])
    if agg == "mean":
        return float(np.mean([d["true_positive_rate_difference"], d["false_positive_rate_difference"]]))
    raise ValueError(f"agg must be one of 'worst_case' or 'mean', got {agg}")


def equalized_odds_ratio(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    method: Method = "between_groups",
    agg: Literal["worst_case", "mean"] = "worst_case",
    pos_label: Any = None,
    min_group_size: int = 1,
) -> float:
    """The smaller (``agg="worst_case"``) or the mean of the TPR and FPR ratios."""
    table = _prepare(y_true, y_pred, sensitive_features, pos_label)
    keep = _kept(table, min_group_size)
    rates = table.rates()
    overall = _rates(table.overall.reshape(1, 4))
    ratios = [
        _aggregate(np.where(keep, rates[m], np.nan), float(overall[m][0]), method)[1]
        for m in ("true_positive_rate", "false_positive_rate")
    ]
    if agg == "worst_case":
        return _nanmin(*ratios)
    if agg == "mean":
        return float(np.mean(ratios))
    raise ValueError(f"agg must be one of 'worst_case' or 'mean', got {agg}")


def equal_opportunity_difference(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    method: Method = "between_groups",
    pos_label: Any = None,
    min_group_size: int = 1,
) -> float:
    """Largest minus smallest group true positive rate."""
    table = _prepare(y_true, y_pred, sensitive_features, pos_label)
    return float(_disparities(table, _kept(table, min_group_size), method)["equal_opportunity_difference"])


def equal_opportunity_ratio(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    method: Method = "between_groups",
    pos_label: Any = None,
    min_group_size: int = 1,
) -> float:
    """Smallest over largest group true positive rate."""
    table = _prepare(y_true, y_pred, sensitive_features, pos_label)
    return float(_disparities(table, _kept(table, min_group_size), method)["equal_opportunity_ratio"])


# ------------------------------------------------------------------------------------------------
# the report
# ------------------------------------------------------------------------------------------------
def partition_report(
    table: GroupTable, *, min_group_size: int = DEFAULT_MIN_GROUP_SIZE, four_fifths: float = FOUR_FIFTHS
) -> dict[str, Any]:
    """Per-group metrics and disparity measures for one attribute or one intersection."""
    keep = _kept(table, min_group_size)
    rates = table.rates()
    labels = table.labels()
    groups: dict[str, dict[str, Any]] = {}
    for i, label in enumerate(labels):
        entry: dict[str, Any] = {"count": int(rates["count"][i]), "suppressed": not bool(keep[i])}
        for metric in GROUP_METRICS:
            entry[metric] = float(rates[metric][i]) if keep[i] else None
        groups[label] = entry
    out: dict[str, Any] = {
        "attributes": list(table.attributes),
        "groups": groups,
        "n_groups": len(labels),
        "suppressed_groups": [label for label, k in zip(labels, keep, strict=True) if not k],
        "min_group_size": min_group_size,
        "rows_missing_attribute": table.n_missing,
    }
    if int(keep.sum()) >= 2:
        out.update(_disparities(table, keep))
    else:
        # One comparable group or none: a disparity is not measurable, and saying 0 would be false.
        out.update({k: None for k in _disparities(table, np.zeros(len(keep), dtype=bool))})
        out["not_measurable"] = "fewer than two groups reach the minimum group size"
    di = out.get("disparate_impact_ratio")
    out["four_fifths_rule"] = {
        "threshold": four_fifths,
        "passed": None
        if di is None or (isinstance(di, float) and math.isnan(di))
        else bool(di >= four_fifths),
    }
    return out


def multiclass_partition_report(
    labels: Labels, columns: Mapping[str, Categorical], attributes: Sequence[str], min_group_size: int
) -> dict[str, Any]:
    """Multiclass without a positive label: per-group count and accuracy, and their disparity."""
    correct = (labels.true == labels.pred).astype(np.int64)
    # Every row "truly positive", predicted positive when correct: correct rows land in tp, wrong
    # ones in fn, so the binary machinery's accuracy (tp + tn) / n is the multiclass accuracy.
    table = group_table(np.ones_like(correct), correct, {a: columns[a] for a in attributes})
    keep = _kept(table, min_group_size)
    rates = table.rates()
    names = table.labels()
    groups = {
        name: {
            "count": int(rates["count"][i]),
            "suppressed": not bool(keep[i]),
            "accuracy": float(rates["accuracy"][i]) if keep[i] else None,
        }
        for i, name in enumerate(names)
    }
    acc = np.where(keep, rates["accuracy"], np.nan)
    diff, ratio, _, _ = _aggregate(acc, math.nan, "between_groups") if keep.sum() >= 2 else (None, None, 0, 0)
    return {
        "attributes": list(attributes),
        "groups": groups,
        "n_groups": len(names),
        "suppressed_groups": [n for n, k in zip(names, keep, strict=True) if not k],
        "min_group_size": min_group_size,
        "rows_missing_attribute": table.n_missing,
        "accuracy_difference": diff,
        "accuracy_ratio": ratio,
        "note": "multiclass without a positive label: selection-rate metrics need --positive-label",
    }


def fairness_report(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    pos_label: Any = None,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
    intersections: bool = True,
    four_fifths: float = FOUR_FIFTHS,
    labels: Labels | None = None,
) -> dict[str, dict[str, Any]]:
    """Fairness for each sensitive attribute and, with ``intersections``, each combination of them.

    Returns ``{partition name: report}`` where the name is the attribute, or attributes joined by
    ``|`` for an intersection, and each report has ``groups`` (per-group ``count``,
    ``selection_rate``, ``accuracy``, ``true_positive_rate``, ``false_positive_rate``,
    ``false_negative_rate``, ``true_negative_rate``, ``prevalence``, ``suppressed``) and the
    disparity measures. Groups below ``min_group_size`` rows are suppressed.
    """
    if labels is None:
        labels = encode_labels(y_true, y_pred, pos_label=pos_label)
    columns = _sensitive_columns(sensitive_features)
    names = list(columns)
    partitions: list[tuple[str, ...]] = [(n,) for n in names]
    if intersections:
        for size in range(2, len(names) + 1):
            partitions.extend(itertools.combinations(names, size))
    out: dict[str, dict[str, Any]] = {}
    if labels.task == "multiclass" and labels.pos_label is None:
        for part in partitions:
            out[GROUP_SEPARATOR.join(part)] = multiclass_partition_report(
                labels, columns, part, min_group_size
            )
        return out
    if labels.task == "multiclass":
        pos = labels.classes.index(labels.pos_label)
        true01, pred01 = (labels.true == pos).astype(np.int64), (labels.pred == pos).astype(np.int64)
    else:
        true01, pred01 = labels.true, labels.pred
    # One pass over the rows for the finest cross-classification; every partition is a sum over it.
    finest = group_table(true01, pred01, columns, keep_missing=True)
    return partitions_report(finest, partitions, min_group_size=min_group_size, four_fifths=four_fifths)


def partitions_report(
    finest: GroupTable,
    partitions: Sequence[tuple[str, ...]],
    *,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
    four_fifths: float = FOUR_FIFTHS,
) -> dict[str, dict[str, Any]]:
    """Reports for several partitions from one fine table (with missing levels kept)."""
    return {
        GROUP_SEPARATOR.join(part): partition_report(
            finest.marginal(part).complete(), min_group_size=min_group_size, four_fifths=four_fifths
        )
        for part in partitions
    }


def _partition_codes(
    columns: Mapping[str, Categorical], attributes: Sequence[str]
) -> tuple[np.ndarray, list[str]]:
    """One dense code per row for the groups of ``attributes`` (-1 when a value is missing), and labels."""
    cats = [columns[a] for a in attributes]
    sizes = [len(c.categories) for c in cats]
    codes = np.zeros(len(cats[0]), dtype=np.int64)
    missing = np.zeros(len(cats[0]), dtype=bool)
    for cat, size in zip(cats, sizes, strict=True):
        missing |= cat.codes < 0
        codes = codes * size + np.maximum(cat.codes, 0)
    labels = [
        GROUP_SEPARATOR.join(_label(v) for v in key)
        for key in itertools.product(*(c.categories for c in cats))
    ]
    codes[missing] = -1
    return codes, labels


def regression_fairness_report(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
    intersections: bool = True,
) -> dict[str, dict[str, Any]]:
    """Error parity for a regression model: per-group ``count``, ``mae``, ``rmse``, ``mean_error``.

    Disparities are ``mae_difference`` / ``mae_ratio`` and ``rmse_difference`` / ``rmse_ratio``
    (max − min and min / max over non-suppressed groups), and ``mean_error_difference`` (a model that
    over-predicts for one group and under-predicts for another). One weighted ``np.bincount`` per sum.
    """
    from .io import to_numeric

    t, _ = to_numeric(y_true, name="y_true")
    p, _ = to_numeric(y_pred, name="y_pred")
    err = p - t
    columns = _sensitive_columns(sensitive_features)
    names = list(columns)
    partitions: list[tuple[str, ...]] = [(n,) for n in names]
    if intersections:
        for size in range(2, len(names) + 1):
            partitions.extend(itertools.combinations(names, size))
    out: dict[str, dict[str, Any]] = {}
    for part in partitions:
        codes, labels = _partition_codes(columns, part)
        ok = codes >= 0
        g = len(labels)
        count = np.bincount(codes[ok], minlength=g)
        with np.errstate(divide="ignore", invalid="ignore"):
            mae = np.bincount(codes[ok], weights=np.abs(err[ok]), minlength=g) / count
            rmse = np.sqrt(np.bincount(codes[ok], weights=err[ok] ** 2, minlength=g) / count)
            bias = np.bincount(codes[ok], weights=err[ok], minlength=g) / count
        present = np.flatnonzero(count)
        keep = count >= max(min_group_size, 1)
        groups = {
            labels[i]: {
                "count": int(count[i]),
                "suppressed": not bool(keep[i]),
                "mae": float(mae[i]) if keep[i] else None,
                "rmse": float(rmse[i]) if keep[i] else None,
                "mean_error": float(bias[i]) if keep[i] else None,
            }
            for i in present
        }
        entry: dict[str, Any] = {
            "attributes": list(part),
            "groups": groups,
            "n_groups": len(present),
            "suppressed_groups": [labels[i] for i in present if not keep[i]],
            "min_group_size": min_group_size,
            "rows_missing_attribute": int((~ok).sum()),
        }
        for name, values in (("mae", mae), ("rmse", rmse), ("mean_error", bias)):
            diff, ratio, _, _ = _aggregate(
                np.where(keep & (count > 0), values, np.nan), math.nan, "between_groups"
            )
            entry[f"{name}_difference"] = diff
            if name != "mean_error":
                entry[f"{name}_ratio"] = ratio
        out[GROUP_SEPARATOR.join(part)] = entry
    return out
