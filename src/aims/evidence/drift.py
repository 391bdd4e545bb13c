"""Drift between a reference and a current data set, column by column.

Every number states its definition in the report's ``method`` block, so that an auditor comparing
AIMS with another tool can explain any difference:

* **Kolmogorov–Smirnov** (numeric): the two-sample test on the values present in both sets; the
  statistic ``D`` and the p-value are those of ``scipy.stats.ks_2samp`` (method ``auto``: exact up
  to 10,000 rows per side, Smirnov's asymptotic distribution above). For large samples ``D`` is
  computed here from one merge of the two sorted samples (scipy's own arithmetic, so the same
  float), and the p-value with scipy's ``kstwo.sf(D, round(n·m/(n+m)))``.
* **Chi-square** (categorical): the two-sample *homogeneity* test, ``scipy.stats.chi2_contingency``
  on the 2 × k table of counts over the categories seen in either set, with Yates's correction when
  there is one degree of freedom (scipy's default). Not a goodness-of-fit test against reference
  proportions, which treats the reference as exact and roughly doubles the statistic. A category new
  in the current set gives a finite statistic.
* **PSI**: ``Σ (c − r) ln(c / r)`` over the proportions ``r`` (reference) and ``c`` (current) in 10
  bins whose edges are the reference's deciles (numpy's linear quantiles, bins closed on the left),
  or over the categories. An empty bin counts as proportion 0.0001.
* **Jensen–Shannon distance**, log base 2 (so it lies in [0, 1]), over the same bins or categories.
* **Wasserstein-1 distance** (numeric): ``∫ |F_ref − F_cur| dx``, the quantity of
  ``scipy.stats.wasserstein_distance`` (equal to rounding, about 1e-15 relative), computed as the
  equal integral of the quantile functions ``∫₀¹ |Q_ref − Q_cur| du`` from the two sorted samples
  without merging them; ``wasserstein_normed`` divides it by the reference's standard deviation
  (population, floored at 0.001), which is what the threshold applies to.

Missing values are dropped before the tests (as every library does), so the missing share is a
drift signal of its own, and so are values outside the reference's range and unseen categories.

**Decision.** At a million rows every test is significant, so a column drifts when the test is
significant (p < ``alpha`` = 0.05) *and* an effect size reaches its threshold: for numeric columns
``wasserstein_normed`` ≥ 0.1 or ``psi`` ≥ 0.2; for categorical columns ``jensen_shannon`` ≥ 0.1,
``psi`` ≥ 0.2 or a share ≥ 0.001 of values in categories the reference never had. Two signals have
tests of their own: values outside the reference's range (share ≥ 0.001, tested against the
distribution-free null rate ``2/(n+1)``) and a change of the missing share by ≥ 0.01 (2 × 2
chi-square test). Every threshold can be changed globally or per column (:class:`DriftThresholds`).

**Choosing the statistics.** ``stats`` (:data:`STATISTICS`: ``ks``, ``chi2``, ``psi``,
``wasserstein``, ``js``; all by default) limits what is computed; what is left out is not computed
and is ``None``. Without a column's test, its effect sizes decide alone (as Evidently decides).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, replace
from typing import Any, NamedTuple

import numpy as np

from .io import (
    Categorical,
    EvidenceInputError,
    _sort_key,
    arrow_to_numpy,
    column_kind,
    is_arrow,
    is_pandas,
    is_polars,
    list_columns,
    read_table,
    to_categorical,
    to_numeric,
    unify,
)

__all__ = [
    "DEFAULT_THRESHOLDS",
    "STATISTICS",
    "DriftThresholds",
    "KSResult",
    "categorical_drift",
    "chi2_homogeneity",
    "decide",
    "drift_report",
    "jensen_shannon_distance",
    "ks_2samp",
    "numeric_drift",
    "psi",
    "select_statistics",
    "wasserstein_distance",
]

MAX_EXACT_KS = 10_000  # scipy's MAX_AUTO_N: above it, method="auto" uses the asymptotic distribution

#: The statistics a drift report can compute per column (all of them by default): ``ks`` is the
#: numeric columns' test (Kolmogorov–Smirnov statistic and exact p-value), ``chi2`` the categorical
#: columns' test (chi-square homogeneity), ``psi``, ``wasserstein`` (raw and normed; numeric only)
#: and ``js`` (Jensen–Shannon distance). The missing-share, out-of-range and unseen-category
#: signals are counts and are always computed.
STATISTICS: tuple[str, ...] = ("ks", "chi2", "psi", "wasserstein", "js")
_ALL_STATISTICS = frozenset(STATISTICS)


def select_statistics(chosen: str | Sequence[str] | None) -> frozenset[str]:
    """The set of statistics to compute: ``None`` means all of :data:`STATISTICS`.

    ``chosen`` is a sequence of names or one comma-separated string (``"wasserstein,js"``); names
    are case-insensitive. Unknown names and an empty choice are errors that list the valid names.
    """
    if chosen is None:
        return _ALL_STATISTICS
    if isinstance(chosen, str):
        chosen = chosen.split(",")
    names = [str(name).strip().lower() for name in chosen]
    names = [name for name in names if name]
    unknown = sorted(set(names) - _ALL_STATISTICS, key=names.index)
    if unknown:
        raise EvidenceInputError(
            f"unknown drift statistic(s): {', '.join(repr(u) for u in unknown)}; choose from {', '.join(STATISTICS)}"
        )
    if not names:
        raise EvidenceInputError(f"no drift statistic chosen; choose one or more of {', '.join(STATISTICS)}")
    return frozenset(names)


@dataclass(frozen=True)
class DriftThresholds:
    """Thresholds of the drift decision (see the module docstring for how they combine)."""

    alpha: float = 0.05
    wasserstein_normed: float = 0.1
    psi: float = 0.2
    jensen_shannon: float = 0.1
    out_of_range_share: float = 0.001
    unseen_share: float = 0.001
    missing_share_change: float = 0.01
    psi_bins: int = 10
    psi_floor: float = 1e-4
    dataset_drift_share: float = 0.5

    def updated(self, **changes: Any) -> DriftThresholds:
        """A copy with some thresholds changed; unknown names are an error."""
        unknown = set(changes) - set(asdict(self))
        if unknown:
            raise EvidenceInputError(f"unknown drift threshold(s): {', '.join(sorted(unknown))}")
        return replace(self, **changes)


DEFAULT_THRESHOLDS = DriftThresholds()


class KSResult(NamedTuple):
    """Two-sample Kolmogorov–Smirnov result: ``D``, its p-value and how the p-value was computed."""

    statistic: float
    pvalue: float
    method: str


# ------------------------------------------------------------------------------------------------
# primitive statistics
# ------------------------------------------------------------------------------------------------
def _finite_sorted(values: Any, name: str = "column") -> tuple[np.ndarray, int, int, int]:
    """Sorted finite values, the count of missing (NaN / null), of infinities and of type violations."""
    arr, violations = to_numeric(values, name=name)
    n_missing = int(np.count_nonzero(np.isnan(arr)))
    finite = np.isfinite(arr)
    n_finite = int(np.count_nonzero(finite))
    n_infinite = int(arr.size - n_missing - n_finite)
    # arr[finite] is a fresh copy (sorted in place); without missing values a plain sorted copy.
    out = arr[finite] if n_finite < arr.size else np.array(arr, dtype=np.float64, copy=True)
    return _sort_finite(out), n_missing, n_infinite, violations


#: Integer-valued columns whose range is at most this (and at most their size) are sorted by counting.
_COUNTING_SORT_RANGE = 1 << 20


def _sort_finite(values: np.ndarray) -> np.ndarray:
    """``values`` (a fresh float64 array of finite numbers, free to reuse) sorted: ``np.sort``'s result.

    The sort is most of a numeric column's time, so two common kinds of column take a cheaper road
    to the same array: integer values in a small range (counts, ages, codes) are counted
    (``bincount``) and written out in order, and values that are all exactly float32 (data stored
    as float32) are sorted as float32, half the bytes, and widened back exactly. Both are checked
    on a sample first, then on every value; a negative zero anywhere keeps the plain sort, so that
    the result is ``np.sort``'s to the bit.
    """
    n = values.size
    if n >= 4096:
        probe = values[:: n // 1024]
        integral = np.array_equal(probe, np.trunc(probe))
        narrow = np.array_equal(probe.astype(np.float32), probe)
        if (integral or narrow) and not np.any(np.signbit(values[values == 0])):
            if integral:
                low, high = float(values.min()), float(values.max())
                if high - low <= min(_COUNTING_SORT_RANGE, n) and np.array_equal(values, np.trunc(values)):
                    values -= low  # exact: integers below 2**53
                    counts = np.bincount(values.astype(np.intp), minlength=int(high - low) + 1)
                    return np.repeat(np.arange(counts.size, dtype=np.float64) + low, counts)
            if narrow:
                single = values.astype(np.float32)
                if np.array_equal(single, values):
                    single.sort()
                    return single.astype(np.float64)
    values.sort()
    return values


def _merged_cdf_differences(
    rs: np.ndarray, xs: np.ndarray, *, with_values: bool = False
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """``F_ref − F_cur`` at each distinct value of the two sorted samples, in increasing order
    (with ``with_values``, also those values: ``(values, differences)``).

    A stable argsort of the two concatenated sorted runs is a linear merge (timsort finds the two
    runs and gallops; on the project machine it beats ``searchsorted`` of one run into the other);
    a cumulative sum of "came from the reference" counts reference values up to each position, and
    the last position of each run of equal values holds the CDFs at that value. The differences are
    formed as scipy forms them (``i/n − j/m``), so ``max |·|`` is scipy's ``D`` to the last bit.
    """
    n, m = rs.size, xs.size
    total = n + m
    # Counts fit in int32 below 2**31 values: half the memory traffic of int64, and the same
    # quotients (int32 and int64 both convert exactly to float64 before the division).
    count_type = np.int32 if total < 2**31 else np.int64
    # Temporaries are released as soon as they are used: at a million rows each is 8-16 MB, and
    # several columns run at once in threads.
    both = np.concatenate([rs, xs])
    order = np.argsort(both, kind="stable")
    merged = both[order]
    del both
    cdf_ref = np.cumsum(order < n, dtype=count_type)
    del order
    # ends[k]: position k is the last of its run of equal values (where both CDFs are read)
    ends = np.empty(total, dtype=bool)
    np.not_equal(merged[1:], merged[:-1], out=ends[:-1])
    ends[-1] = True
    values = None
    if np.count_nonzero(ends) == total:  # no ties: every position is a distinct value
        if with_values:
            values = merged
        cdf_cur = np.arange(1, total + 1, dtype=count_type)
        cdf_cur -= cdf_ref
    else:
        last = np.flatnonzero(ends)
        if with_values:
            values = merged[last]
        cdf_ref = cdf_ref[last]
        last += 1
        cdf_cur = last
        cdf_cur -= cdf_ref
    del ends, merged
    diff = cdf_ref / n
    del cdf_ref
    diff -= cdf_cur / m  # the same two roundings as scipy's cdf1 - cdf2
    return (values, diff) if with_values else diff


def _ks_from_differences(diff: np.ndarray) -> float:
    # scipy: minS = clip(-min, 0, 1), maxS = max; two-sided D is the larger.
    return float(max(float(diff.max()), float(np.clip(-diff.min(), 0, 1))))


#: Above this many grid units (the least common multiple of the two sample sizes), the
#: Wasserstein distance is computed from the merged CDFs instead of the quantile grid (int64 room).
_MAX_QUANTILE_GRID = 2**62


def _wasserstein_sorted(rs: np.ndarray, xs: np.ndarray) -> float:
    """Wasserstein-1 distance of two non-empty sorted samples: ``∫₀¹ |Q_ref(u) − Q_cur(u)| du``.

    The same quantity as scipy's ``∫ |F_ref − F_cur| dx`` (for one dimension the two integrals are
    equal), computed without merging the samples: the quantile functions are steps at ``i/n`` and
    ``j/m``, so the breakpoints of both, in units of ``1/lcm(n, m)``, follow from ``n`` and ``m``
    alone, and each piece is ``|rs[a] − xs[b]| × width``. With ``n == m`` the grid is the samples'
    own index and the distance is ``Σ |rs − xs| / n`` (the same arithmetic as the general case,
    where every width is 1). It agrees with scipy to rounding (about 1e-15 relative).
    """
    n, m = rs.size, xs.size
    if n == m:
        gaps = np.subtract(rs, xs)
        np.abs(gaps, out=gaps)
        return float(np.sum(gaps) / n)
    g = math.gcd(n, m)
    step_r, step_c = m // g, n // g  # one step of each quantile function, in grid units
    whole = n * step_r  # lcm(n, m): the grid units in [0, 1]
    if whole > _MAX_QUANTILE_GRID:
        values, diff = _merged_cdf_differences(rs, xs, with_values=True)
        return float(np.sum(np.abs(diff[:-1]) * np.diff(values)))
    grid = np.empty(n + m, dtype=np.int64)
    # The reference's breakpoint a = (i + 1)·step_r comes after i reference ones and after the
    # (a − 1) // step_c current ones strictly below it; the current's b = (j + 1)·step_c after j
    # current ones and the b // step_r reference ones at or below it (a common breakpoint twice,
    # in adjacent positions).
    index = np.arange(n, dtype=np.int64)
    at = index + 1
    at *= step_r
    position = at - 1
    position //= step_c
    position += index
    grid[position] = at
    index = np.arange(m, dtype=np.int64)
    at = index + 1
    at *= step_c
    position = at // step_r
    position += index
    grid[position] = at
    del index, at, position
    distinct = np.empty(n + m, dtype=bool)
    distinct[0] = True
    np.not_equal(grid[1:], grid[:-1], out=distinct[1:])
    grid = grid[distinct]
    del distinct
    width = np.empty_like(grid)  # int64: multiplied into float64 exactly (widths < 2**53)
    width[0] = grid[0]
    np.subtract(grid[1:], grid[:-1], out=width[1:])
    grid -= 1  # the piece (p_prev, p] reads rs[(p − 1) // step_r] and xs[(p − 1) // step_c]
    gaps = rs[grid // step_r]
    grid //= step_c
    gaps -= xs[grid]
    del grid
    np.abs(gaps, out=gaps)
    gaps *= width
    return float(np.sum(gaps) / whole)


def _ks_asymptotic_p(d: float, n: int, m: int) -> float:
    from scipy.stats import kstwo

    big, small = sorted([float(n), float(m)], reverse=True)
    en = big * small / (big + small)
    return float(np.clip(kstwo.sf(d, np.round(en)), 0, 1))


def ks_2samp(reference: Any, current: Any) -> KSResult:
    """Two-sample two-sided KS test, identical to ``scipy.stats.ks_2samp`` on the non-missing values."""
    rs, *_ = _finite_sorted(reference, "reference")
    xs, *_ = _finite_sorted(current, "current")
    return _ks_sorted(rs, xs)


def _ks_sorted(rs: np.ndarray, xs: np.ndarray) -> KSResult:
    if rs.size == 0 or xs.size == 0:
        return KSResult(math.nan, math.nan, "none")
    if max(rs.size, xs.size) <= MAX_EXACT_KS:
        # Small samples: scipy's exact distribution; calling scipy is cheap here and identical.
        import warnings

        from scipy import stats

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            res = stats.ks_2samp(rs, xs)
        # scipy falls back to the asymptotic p-value when the exact computation fails; say which.
        fell_back = any("asymp" in str(w.message) for w in caught)
        return KSResult(float(res.statistic), float(res.pvalue), "asymp" if fell_back else "exact")
    d = _ks_from_differences(_merged_cdf_differences(rs, xs))
    return KSResult(d, _ks_asymptotic_p(d, rs.size, xs.size), "asymp")


def wasserstein_distance(reference: Any, current: Any) -> float:
    """Wasserstein-1 distance between the non-missing values (``scipy.stats.wasserstein_distance``)."""
    rs, *_ = _finite_sorted(reference, "reference")
    xs, *_ = _finite_sorted(current, "current")
    if rs.size == 0 or xs.size == 0:
        return math.nan
    return _wasserstein_sorted(rs, xs)


def psi(reference_counts: Any, current_counts: Any, *, floor: float = 1e-4) -> float:
    """Population stability index ``Σ (c − r) ln(c / r)`` over binned proportions.

    Proportions of empty bins are replaced by ``floor`` (no renormalisation), which keeps the index
    finite when a bin or category is new or has vanished.
    """
    r = np.asarray(reference_counts, dtype=np.float64)
    c = np.asarray(current_counts, dtype=np.float64)
    if r.sum() == 0 or c.sum() == 0:
        return math.nan
    p = np.maximum(r / r.sum(), floor)
    q = np.maximum(c / c.sum(), floor)
    return float(np.sum((q - p) * np.log(q / p)))


def jensen_shannon_distance(p: Any, q: Any, *, base: float = 2.0) -> float:
    """Jensen–Shannon distance (square root of the divergence) between two count or probability vectors.

    Base 2 by default, so the distance lies in [0, 1]; ``scipy.spatial.distance.jensenshannon``
    defaults to the natural log, whose distances are smaller by ``sqrt(ln 2)`` ≈ 0.83 (so a 0.1
    threshold on them is a 0.12 threshold here).
    """
    p = np.asarray(p, dtype=np.float64)
    q = np.asarray(q, dtype=np.float64)
    if p.sum() == 0 or q.sum() == 0:
        return math.nan
    p = p / p.sum()
    q = q / q.sum()
    m = (p + q) / 2.0
    with np.errstate(divide="ignore", invalid="ignore"):
        left = np.where(p > 0, p * np.log(p / m), 0.0).sum()
        right = np.where(q > 0, q * np.log(q / m), 0.0).sum()
    divergence = max((left + right) / 2.0 / math.log(base), 0.0)
    return float(math.sqrt(divergence))


def chi2_homogeneity(
    reference_counts: Any, current_counts: Any, *, correction: bool = True
) -> dict[str, Any]:
    """Chi-square homogeneity test on the 2 × k table (``scipy.stats.chi2_contingency``).

    Categories with zero counts in both rows are dropped (scipy refuses zero expected frequencies).
    Yates's continuity correction applies when ``correction`` and there is one degree of freedom.
    """
    from scipy.special import chdtrc

    table = np.vstack([np.asarray(reference_counts, np.float64), np.asarray(current_counts, np.float64)])
    table = table[:, table.sum(axis=0) > 0]
    k = table.shape[1]
    dof = max(k - 1, 0)
    if dof == 0 or table.sum(axis=1).min() == 0:
        return {"statistic": 0.0, "p_value": 1.0, "dof": dof, "yates_correction": False}
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / table.sum()
    observed = table
    corrected = bool(correction and dof == 1)
    if corrected:
        # scipy: move each observed count 0.5 towards its expected value (but not past it)
        diff = expected - observed
        observed = observed + np.minimum(0.5, np.abs(diff)) * np.sign(diff)
    stat = float(np.sum((observed - expected) ** 2 / expected))
    return {"statistic": stat, "p_value": float(chdtrc(dof, stat)), "dof": dof, "yates_correction": corrected}


def quantile_edges(sorted_reference: np.ndarray, bins: int) -> np.ndarray:
    """Interior bin edges at the reference's quantiles (numpy's linear method), duplicates removed."""
    if sorted_reference.size == 0:
        return np.empty(0)
    qs = np.linspace(0.0, 1.0, bins + 1)[1:-1]
    return np.unique(_sorted_quantiles(sorted_reference, qs))


def _sorted_quantiles(sorted_values: np.ndarray, qs: np.ndarray) -> np.ndarray:
    """``np.quantile(sorted_values, qs)`` (method ``linear``) of an already sorted array, to the bit.

    numpy's own steps (virtual index ``(n − 1)·q``, its floor and the next index, the top index for
    virtual indexes at or past the end, and its two-sided interpolation), without numpy's copy and
    partition of the whole array, which already is sorted: at a million values that is 5-10 ms per
    column for 9 numbers. A test compares the two on many sizes, ties and quantile levels.
    """
    n = sorted_values.size
    virtual = (n - 1) * qs
    previous = np.floor(virtual)
    following = previous + 1
    at_end = virtual >= n - 1
    previous[at_end] = -1
    following[at_end] = -1
    previous_index, following_index = previous.astype(np.intp), following.astype(np.intp)
    low, high = sorted_values[previous_index], sorted_values[following_index]
    gamma = virtual - previous_index
    step = high - low
    out = low + step * gamma
    np.subtract(high, step * (1 - gamma), out=out, where=gamma >= 0.5)
    return out


def _bin_counts(sorted_values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Counts in bins ``(-inf, e1), [e1, e2), ..., [ek, inf)`` of an already sorted array."""
    cut = np.searchsorted(sorted_values, edges, side="left")
    return np.diff(np.concatenate([[0], cut, [sorted_values.size]])).astype(np.int64)


def _out_of_range(rs: np.ndarray, xs: np.ndarray) -> dict[str, float]:
    """Share of current values outside the reference's [min, max], and its one-sided binomial p-value.

    With no drift, each current value falls outside the range of ``n`` reference values with
    probability exactly ``2 / (n + 1)`` (exchangeability), whatever the distribution; so the count
    outside is tested against Binomial(m, 2 / (n + 1)).
    """
    from scipy.special import bdtrc

    outside = int(
        np.searchsorted(xs, rs[0], side="left") + (xs.size - np.searchsorted(xs, rs[-1], side="right"))
    )
    p0 = min(2.0 / (rs.size + 1), 1.0)
    p_value = float(bdtrc(outside - 1, xs.size, p0)) if outside > 0 else 1.0
    return {"out_of_range_share": outside / xs.size, "out_of_range_p_value": p_value}


def _share(count: int, total: int) -> float:
    return count / total if total else math.nan


def _missing_change(miss_r: int, n_r: int, miss_c: int, n_c: int) -> dict[str, Any]:
    """Missing share in both sets and the 2 × 2 chi-square test of their difference."""
    share_r, share_c = _share(miss_r, n_r), _share(miss_c, n_c)
    p = math.nan
    if n_r and n_c and (miss_r or miss_c) and (miss_r < n_r or miss_c < n_c):
        p = chi2_homogeneity([miss_r, n_r - miss_r], [miss_c, n_c - miss_c])["p_value"]
    return {"missing_share_reference": share_r, "missing_share_current": share_c, "missing_p_value": p}


# ------------------------------------------------------------------------------------------------
# the decision
# ------------------------------------------------------------------------------------------------
def decide(result: Mapping[str, Any], thresholds: DriftThresholds) -> tuple[bool, list[str]]:
    """Apply the drift rule to one column's measurements; returns the decision and its reasons."""
    reasons: list[str] = []
    p = result.get("p_value")
    # A column whose test was not requested (``test`` is None) is decided on effect sizes alone, as
    # Evidently and NannyML decide on distances; otherwise the test must be significant as well.
    tested = result.get("test") is not None
    significant = not tested or (p is not None and not math.isnan(p) and p < thresholds.alpha)
    if result.get("kind") == "numeric":
        effects = [("wasserstein_normed", thresholds.wasserstein_normed), ("psi", thresholds.psi)]
    else:
        effects = [
            ("jensen_shannon", thresholds.jensen_shannon),
            ("psi", thresholds.psi),
            ("unseen_share", thresholds.unseen_share),
        ]
    if significant:
        for name, limit in effects:
            value = result.get(name)
            if value is not None and not math.isnan(value) and value >= limit:
                reasons.append(
                    f"{name} {value:.4g} >= {limit:g} " + (f"(p = {p:.3g})" if tested else "(no test)")
                )
    oor, p_oor = result.get("out_of_range_share"), result.get("out_of_range_p_value")
    if (
        oor is not None
        and p_oor is not None
        and oor >= thresholds.out_of_range_share
        and p_oor < thresholds.alpha
    ):
        reasons.append(f"out_of_range_share {oor:.4g} >= {thresholds.out_of_range_share:g} (p = {p_oor:.3g})")
    share_r = result.get("missing_share_reference", math.nan)
    share_c = result.get("missing_share_current", math.nan)
    p_missing = result.get("missing_p_value", math.nan)
    if (
        not math.isnan(share_r)
        and not math.isnan(share_c)
        and abs(share_c - share_r) >= thresholds.missing_share_change
        and p_missing is not None
        and not math.isnan(p_missing)
        and p_missing < thresholds.alpha
    ):
        reasons.append(f"missing share {share_r:.4g} -> {share_c:.4g} (p = {p_missing:.3g})")
    return bool(reasons), reasons


# ------------------------------------------------------------------------------------------------
# one column
# ------------------------------------------------------------------------------------------------
def numeric_drift(
    reference: Any,
    current: Any,
    *,
    thresholds: DriftThresholds = DEFAULT_THRESHOLDS,
    name: str = "column",
    stats: str | Sequence[str] | None = None,
) -> dict[str, Any]:
    """KS test, PSI, Jensen–Shannon, Wasserstein, out-of-range and missing shares, and the decision.

    ``stats`` chooses the statistics (:data:`STATISTICS`, all by default); the others are not
    computed and are ``None`` in the result. Without ``ks`` there is no test (``test`` is ``None``)
    and the decision rests on the effect sizes alone.
    """
    out, _ = _numeric_measurements(reference, current, thresholds, name, select_statistics(stats))
    out["drift"], out["reasons"] = decide(out, thresholds)
    return out


def _numeric_measurements(
    reference: Any,
    current: Any,
    thresholds: DriftThresholds,
    name: str,
    chosen: frozenset[str],
    *,
    p_value_later: bool = False,
) -> tuple[dict[str, Any], tuple[float, int, int] | None]:
    """A numeric column's measurements, without the decision.

    With ``p_value_later``, a large-sample KS p-value is not computed but returned as its arguments
    ``(D, n, m)`` for :func:`_ks_asymptotic_p`: scipy's ``kstwo.sf`` holds the GIL for up to half a
    second per column, which would stall every other column's thread, so :func:`drift_report`
    computes those after the threads' work.
    """
    rs, miss_r, inf_r, bad_r = _finite_sorted(reference, name)
    xs, miss_c, inf_c, bad_c = _finite_sorted(current, name)
    n_r, n_c = rs.size + miss_r + inf_r, xs.size + miss_c + inf_c
    out: dict[str, Any] = {
        "kind": "numeric",
        "test": "ks_2samp" if "ks" in chosen else None,
        "statistic": None,
        "p_value": None,
        "ks_method": None,
        "psi": None,
        "jensen_shannon": None,
        "wasserstein": None,
        "wasserstein_normed": None,
        "n_reference": n_r,
        "n_current": n_c,
        "out_of_range_share": None,
        "infinite_reference": inf_r,
        "infinite_current": inf_c,
        "type_violations_current": bad_c,
    }
    # Type violations are counted as missing for the missing-share signal: the value is unusable.
    out.update(_missing_change(miss_r, n_r, miss_c, n_c))
    pending = None
    if rs.size and xs.size:
        if "ks" in chosen and p_value_later and max(rs.size, xs.size) > MAX_EXACT_KS:
            d = _ks_from_differences(_merged_cdf_differences(rs, xs))
            out.update(statistic=d, ks_method="asymp")
            pending = (d, rs.size, xs.size)
        elif "ks" in chosen:
            ks = _ks_sorted(rs, xs)
            out.update(statistic=ks.statistic, p_value=ks.pvalue, ks_method=ks.method)
        binned = "psi" in chosen or "js" in chosen
        if binned:
            edges = quantile_edges(rs, thresholds.psi_bins)
            cr, cc = _bin_counts(rs, edges), _bin_counts(xs, edges)
            if "psi" in chosen:
                out["psi"] = psi(cr, cc, floor=thresholds.psi_floor)
            if "js" in chosen:
                out["jensen_shannon"] = jensen_shannon_distance(cr, cc)
        if "wasserstein" in chosen:
            w = _wasserstein_sorted(rs, xs)
            out.update(wasserstein=w, wasserstein_normed=w / max(float(rs.std()), 0.001))
        out.update(
            **_out_of_range(rs, xs),
            reference_min=float(rs[0]),
            reference_max=float(rs[-1]),
            bins=len(edges) + 1 if binned else None,
        )
    return out, pending


def categorical_drift(
    reference: Any,
    current: Any,
    *,
    thresholds: DriftThresholds = DEFAULT_THRESHOLDS,
    name: str = "column",
    stats: str | Sequence[str] | None = None,
) -> dict[str, Any]:
    """Chi-square homogeneity test, PSI, Jensen–Shannon, unseen categories, missing shares, decision.

    ``stats`` as in :func:`numeric_drift` (``chi2`` is this kind's test)."""
    counted_r, counted_c = _arrow_string_counts(reference), _arrow_string_counts(current)
    if counted_r is not None and counted_c is not None:
        # Arrow strings (Parquet, polars, pandas' "str" columns): one hash count per side.
        (labels_r, per_r, missing_r), (labels_c, per_c, missing_c) = counted_r, counted_c
        categories = sorted(set(labels_r) | set(labels_c), key=_sort_key)
        position = {label: i for i, label in enumerate(categories)}
        counts_r = np.zeros(len(categories), dtype=np.int64)
        counts_c = np.zeros(len(categories), dtype=np.int64)
        for counts, labels, per in ((counts_r, labels_r, per_r), (counts_c, labels_c, per_c)):
            counts[[position[label] for label in labels]] = per
        return categorical_drift_from_counts(
            categories, counts_r, counts_c, missing_r, missing_c, thresholds=thresholds, stats=stats
        )
    rc = reference if isinstance(reference, Categorical) else to_categorical(reference)
    cc = current if isinstance(current, Categorical) else to_categorical(current)
    codes_r, codes_c, categories = unify(rc, cc)
    k = len(categories)
    counts_r = np.bincount(codes_r[codes_r >= 0], minlength=k).astype(np.int64)
    counts_c = np.bincount(codes_c[codes_c >= 0], minlength=k).astype(np.int64)
    return categorical_drift_from_counts(
        categories, counts_r, counts_c, rc.n_missing, cc.n_missing, thresholds=thresholds, stats=stats
    )


def _arrow_string_counts(values: Any) -> tuple[list[str], np.ndarray, int] | None:
    """Labels, their counts and the missing count of a column of arrow strings; ``None`` otherwise.

    Arrow string columns (pyarrow, polars, pandas' arrow-backed ``str`` columns) are counted with
    arrow's hash ``value_counts`` directly: the same counts as :func:`to_categorical`'s codes, without
    a million-row code array to build, re-map and count. Other columns return ``None`` (the caller
    encodes them). Labels are distinct, so no two need merging.
    """
    if is_polars(values):
        values = values.to_arrow()
    elif is_pandas(values):
        array = getattr(values, "array", None)
        if type(array).__name__ not in {
            "ArrowStringArray",
            "ArrowStringArrayNumpySemantics",
            "ArrowExtensionArray",
        }:
            return None
        values = array.__arrow_array__()
    if not is_arrow(values) or not hasattr(values, "type"):
        return None
    import pyarrow as pa
    import pyarrow.compute as pc

    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        return None
    counted = pc.value_counts(values)
    labels = counted.field("values").to_pylist()
    counts = arrow_to_numpy(counted.field("counts")).astype(np.int64)
    present = [i for i, label in enumerate(labels) if label is not None]
    missing = int(counts.sum() - counts[present].sum())
    return [labels[i] for i in present], counts[present], missing


def categorical_drift_from_counts(
    categories: Sequence[Any],
    counts_r: np.ndarray,
    counts_c: np.ndarray,
    missing_r: int,
    missing_c: int,
    *,
    thresholds: DriftThresholds = DEFAULT_THRESHOLDS,
    stats: str | Sequence[str] | None = None,
) -> dict[str, Any]:
    """The categorical drift measurements from category counts (shared with profiles)."""
    chosen = select_statistics(stats)
    counts_r = np.asarray(counts_r, dtype=np.int64)
    counts_c = np.asarray(counts_c, dtype=np.int64)
    n_r, n_c = int(counts_r.sum()) + missing_r, int(counts_c.sum()) + missing_c
    out: dict[str, Any] = {
        "kind": "categorical",
        "test": "chi2_contingency" if "chi2" in chosen else None,
        "statistic": None,
        "p_value": None,
        "dof": None,
        "yates_correction": None,
        "psi": None,
        "jensen_shannon": None,
        "n_reference": n_r,
        "n_current": n_c,
        "unseen_share": None,
        "unseen_categories": [],
    }
    out.update(_missing_change(missing_r, n_r, missing_c, n_c))
    if counts_r.sum() and counts_c.sum():
        if "chi2" in chosen:
            chi = chi2_homogeneity(counts_r, counts_c)
            out.update(
                statistic=chi["statistic"],
                p_value=chi["p_value"],
                dof=chi["dof"],
                yates_correction=chi["yates_correction"],
            )
        if "psi" in chosen:
            out["psi"] = psi(counts_r, counts_c, floor=thresholds.psi_floor)
        if "js" in chosen:
            out["jensen_shannon"] = jensen_shannon_distance(counts_r, counts_c)
        unseen = np.flatnonzero((counts_r == 0) & (counts_c > 0))
        # The most frequent unseen categories first; 20 are enough to recognise the problem.
        unseen = unseen[np.argsort(-counts_c[unseen], kind="stable")]
        out.update(
            unseen_share=float(counts_c[unseen].sum()) / float(counts_c.sum()),
            unseen_categories=[_plain(categories[i]) for i in unseen[:20]],
            n_categories=int(np.count_nonzero((counts_r + counts_c) > 0)),
        )
    out["drift"], out["reasons"] = decide(out, thresholds)
    return out


def _plain(value: Any) -> Any:
    return value if isinstance(value, (str, int, float, bool)) or value is None else str(value)


# ------------------------------------------------------------------------------------------------
# the report
# ------------------------------------------------------------------------------------------------
METHOD = {
    "numeric_test": "scipy.stats.ks_2samp, two-sided, method auto (exact up to 10,000 rows per side)",
    "categorical_test": "scipy.stats.chi2_contingency on the 2 x k table (homogeneity), Yates correction when dof = 1",
    "psi": "sum((c - r) ln(c / r)); numeric: 10 bins at reference deciles (numpy linear quantiles, "
    "left-closed); categorical: categories; empty-bin proportion floored at 0.0001",
    "jensen_shannon": "distance (sqrt of divergence), log base 2, same bins as PSI",
    "wasserstein": "Wasserstein-1 as scipy.stats.wasserstein_distance; wasserstein_normed divides by the "
    "reference population standard deviation floored at 0.001",
    "missing_values": "dropped before tests; missing share compared separately (2 x 2 chi-square)",
    "out_of_range": "share of current values outside the reference [min, max]; one-sided binomial test "
    "against the null rate 2 / (n_reference + 1)",
    "decision": "drift when the test is significant (p < alpha) and an effect size reaches its threshold, "
    "or when the out-of-range share or the missing share passes its threshold with p < alpha",
}


def _one_column(
    name: str, kind: str, reference: Any, current: Any, thresholds: DriftThresholds, stats: frozenset[str]
) -> tuple[dict[str, Any], tuple[float, int, int] | None]:
    """One column's result, or its measurements and the KS p-value still to compute (then undecided)."""
    if kind == "numeric":
        out, pending = _numeric_measurements(reference, current, thresholds, name, stats, p_value_later=True)
        if pending is None:
            out["drift"], out["reasons"] = decide(out, thresholds)
        return out, pending
    return categorical_drift(reference, current, thresholds=thresholds, name=name, stats=stats), None


def method_for(stats: frozenset[str]) -> dict[str, str]:
    """The report's ``method`` block, saying which statistics were left out when not all were computed."""
    if stats == _ALL_STATISTICS:
        return METHOD
    left_out = [s for s in STATISTICS if s not in stats]
    return {
        **METHOD,
        "statistics": f"computed: {', '.join(s for s in STATISTICS if s in stats)}; not computed (null): "
        f"{', '.join(left_out)}; missing, out-of-range and unseen shares always",
        "decision": METHOD["decision"] + "; a column whose test was not computed is decided on the effect "
        "sizes alone",
    }


def drift_report(
    reference: Any,
    current: Any,
    *,
    columns: Sequence[str] | None = None,
    categorical: Sequence[str] = (),
    numeric: Sequence[str] = (),
    target: str | None = None,
    prediction: str | None = None,
    score: str | None = None,
    thresholds: DriftThresholds | None = None,
    column_thresholds: Mapping[str, Mapping[str, Any]] | None = None,
    threads: int | None = None,
    stats: str | Sequence[str] | None = None,
) -> dict[str, Any]:
    """Drift of every feature column, and of the label (``target``) and the model output.

    ``reference`` and ``current`` are anything :func:`aims.evidence.io.read_table` reads (files,
    data frames, arrays). ``columns`` defaults to the columns present in both, minus the target,
    prediction and score. Column kind follows the data type (numbers numeric, everything else
    categorical) unless listed in ``categorical`` or ``numeric``; the target and an integer or
    string prediction are categorical, a score is numeric. Columns are processed in parallel
    threads (numpy's sorts release the GIL); large-sample KS p-values, whose scipy function holds the
    GIL, are computed after the threads' work.

    ``stats`` chooses the statistics computed per column (:data:`STATISTICS`; all by default, e.g.
    ``stats=("wasserstein", "js")`` for the distances alone, without the KS p-value); the report then
    lists them in ``statistics`` and the others are ``null``.
    """
    chosen = select_statistics(stats)
    thresholds = thresholds or DEFAULT_THRESHOLDS
    column_thresholds = dict(column_thresholds or {})
    ref_names, cur_names = list_columns(reference), list_columns(current)
    roles = {
        col: role for role, col in (("label", target), ("prediction", prediction), ("score", score)) if col
    }
    if columns is None:
        cur_set = set(cur_names)
        columns = [c for c in ref_names if c in cur_set and c not in roles]
    else:
        columns = [c for c in columns if c not in roles]
    wanted = list(dict.fromkeys([*columns, *roles]))
    ref = read_table(reference, wanted)
    cur = read_table(current, wanted)
    forced_cat, forced_num = set(categorical), set(numeric)
    kinds: dict[str, str] = {}
    for col in wanted:
        if col in forced_cat:
            kinds[col] = "categorical"
        elif col in forced_num:
            kinds[col] = "numeric"
        elif roles.get(col) == "score":
            kinds[col] = "numeric"
        elif roles.get(col) in ("label", "prediction"):
            kind = column_kind(ref[col])
            # Integer labels are classes; float targets are regression values.
            kinds[col] = "numeric" if kind == "numeric" and _is_float(ref[col]) else "categorical"
        else:
            kinds[col] = column_kind(ref[col])

    def limits(col: str) -> DriftThresholds:
        return thresholds.updated(**column_thresholds[col]) if col in column_thresholds else thresholds

    unknown = set(column_thresholds) - set(wanted)
    if unknown:
        raise EvidenceInputError(f"thresholds given for unknown column(s): {', '.join(sorted(unknown))}")
    workers = threads or min(os.cpu_count() or 1, max(len(wanted), 1))
    if workers > 1 and len(wanted) > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = {
                c: pool.submit(_one_column, c, kinds[c], ref[c], cur[c], limits(c), chosen) for c in wanted
            }
            results = {c: f.result() for c, f in futures.items()}
    else:
        results = {c: _one_column(c, kinds[c], ref[c], cur[c], limits(c), chosen) for c in wanted}
    # The large-sample KS p-values last, one after the other: each holds the GIL (see _numeric_measurements).
    for col, (out, pending) in results.items():
        if pending is not None:
            out["p_value"] = _ks_asymptotic_p(*pending)
            out["drift"], out["reasons"] = decide(out, limits(col))
    results = {c: out for c, (out, _) in results.items()}
    features = {c: results[c] for c in columns}
    drifted = [c for c, r in features.items() if r["drift"]]
    share = len(drifted) / len(features) if features else math.nan
    doc = {
        "kind": "drift",
        "n_reference": ref.n_rows,
        "n_current": cur.n_rows,
        "columns": features,
        "n_columns": len(features),
        "n_drifted": len(drifted),
        "drifted_columns": drifted,
        "share_drifted": share,
        "dataset_drift": bool(features) and share >= thresholds.dataset_drift_share,
        "label_drift": {target: results[target]} if target else None,
        "prediction_drift": {c: results[c] for c in (prediction, score) if c} or None,
        "columns_only_in_reference": [c for c in ref_names if c not in set(cur_names)],
        "columns_only_in_current": [c for c in cur_names if c not in set(ref_names)],
        "thresholds": asdict(thresholds),
        "column_thresholds": column_thresholds,
        "method": method_for(chosen),
    }
    if chosen != _ALL_STATISTICS:
        doc["statistics"] = [s for s in STATISTICS if s in chosen]
    return doc


def _is_float(values: Any) -> bool:
    from .io import is_arrow, is_polars

    if is_polars(values):
        values = values.to_arrow()
    if is_arrow(values):
        import pyarrow as pa

        return bool(pa.types.is_floating(values.type))
    dtype = getattr(values, "dtype", None)
    return getattr(dtype, "kind", np.asarray(values).dtype.kind) == "f"
