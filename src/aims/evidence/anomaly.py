"""Anomaly detection on a metric's time series (numpy only).

A monitor's metric forms a series over time: pushed metric points (latency, error rate), or one
value per batch profile (rows, missing share, selection rate, PSI). An *anomaly* is a latest value
unusually far from the recent past, with no threshold set by hand. Two methods, both two-sided:

``robust_z`` (modified z-score, Iglewicz and Hoaglin 1993)
    ``z = (x - median(b)) / (1.4826 * MAD(b))`` over the baseline ``b`` (the values before ``x``);
    an anomaly when ``|z| > limit`` (default 3.5). ``1.4826 * MAD`` is the normal-consistent MAD,
    ``scipy.stats.median_abs_deviation(b, scale="normal")``. When the MAD is 0 (more than half the
    baseline is one value), the scale is ``1.253314 * mean(|b - median(b)|)``; when that is 0 too
    (a constant baseline), any value other than the constant is an anomaly (``z`` is infinite).
    Outliers in the baseline barely move the median and the MAD, so earlier anomalies do not hide
    later ones.

``ewma`` (exponentially weighted moving average control chart, Roberts 1959)
    The baseline gives the centre ``mu = mean(b)`` and ``sigma = std(b, ddof=1)``; the statistic
    ``z_t = lam * v_t + (1 - lam) * z_(t-1)``, ``z_0 = mu``, runs over the baseline then ``x``
    (``t = len(b) + 1``), with the exact control limits
    ``mu +/- limit * sigma * sqrt(lam / (2 - lam) * (1 - (1 - lam)^(2t)))``; an anomaly when
    ``z_t`` is outside them. Defaults ``lam = 0.3``, ``limit = 3``. EWMA reacts to a sustained
    shift sooner than a point test does, and an isolated spike less.

The baseline is the ``baseline`` values just before the latest one (30 by default); fewer than
``min_baseline`` (8) values give no decision (``anomaly`` is None) rather than a guess.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

METHODS = ("robust_z", "ewma")
DEFAULT_LIMITS = {"robust_z": 3.5, "ewma": 3.0}
DEFAULT_BASELINE = 30
MIN_BASELINE = 8
EWMA_LAMBDA = 0.3
_MAD_NORMAL = 1.482602218505602  # 1 / Phi^-1(3/4), scipy's scale="normal"
_MEANAD_NORMAL = 1.2533141373155001  # sqrt(pi / 2)


def _finite(values: Sequence[float] | np.ndarray) -> np.ndarray:
    arr = np.asarray(values, dtype=float).ravel()
    return arr[np.isfinite(arr)]


def _undecided(method: str, value: float, limit: float, n: int, min_baseline: int) -> dict[str, Any]:
    return {
        "method": method,
        "value": value,
        "anomaly": None,
        "score": None,
        "center": None,
        "lower": None,
        "upper": None,
        "limit": limit,
        "n_baseline": n,
        "reason": f"{n} earlier values, fewer than the {min_baseline} needed for a baseline",
    }


def robust_zscore(
    baseline: Sequence[float] | np.ndarray,
    value: float,
    *,
    limit: float = DEFAULT_LIMITS["robust_z"],
    min_baseline: int = MIN_BASELINE,
) -> dict[str, Any]:
    """Modified z-score of ``value`` against ``baseline`` (see the module docstring).

    Returns ``method``, ``value``, ``anomaly`` (bool, or None with too short a baseline),
    ``score`` (z; ``inf``/``-inf`` for a different value after a constant baseline), ``center``
    (median), ``scale``, ``lower`` / ``upper`` (the values at which ``|z| = limit``), ``limit``,
    ``n_baseline``."""
    b = _finite(baseline)
    value = float(value)
    if b.size < min_baseline:
        return _undecided("robust_z", value, limit, int(b.size), min_baseline)
    center = float(np.median(b))
    dev = np.abs(b - center)
    scale = _MAD_NORMAL * float(np.median(dev))
    scale_kind = "mad"
    if scale == 0.0:
        scale = _MEANAD_NORMAL * float(np.mean(dev))
        scale_kind = "mean_absolute_deviation"
    diff = value - center
    if scale == 0.0:
        score = 0.0 if diff == 0 else math.copysign(math.inf, diff)
        scale_kind = "constant"
    else:
        score = diff / scale
    return {
        "method": "robust_z",
        "value": value,
        "anomaly": bool(abs(score) > limit),
        "score": score,
        "center": center,
        "scale": scale,
        "scale_kind": scale_kind,
        "lower": center - limit * scale,
        "upper": center + limit * scale,
        "limit": float(limit),
        "n_baseline": int(b.size),
    }


def ewma_chart(
    baseline: Sequence[float] | np.ndarray,
    value: float,
    *,
    limit: float = DEFAULT_LIMITS["ewma"],
    lam: float = EWMA_LAMBDA,
    min_baseline: int = MIN_BASELINE,
) -> dict[str, Any]:
    """EWMA control chart decision for ``value`` after ``baseline`` (see the module docstring).

    Returns the same keys as :func:`robust_zscore`, with ``score`` the EWMA statistic's distance
    from the centre in units of its own standard deviation, ``ewma`` the statistic, and ``sigma``."""
    if not 0 < lam <= 1:
        raise ValueError("lam must be in (0, 1]")
    b = _finite(baseline)
    value = float(value)
    if b.size < min_baseline:
        return _undecided("ewma", value, limit, int(b.size), min_baseline)
    mu = float(np.mean(b))
    sigma = float(np.std(b, ddof=1))
    seq = np.append(b, value)
    t = seq.size
    # z_t = sum_i lam (1-lam)^(t-i) v_i + (1-lam)^t mu, evaluated without a Python loop
    weights = lam * (1.0 - lam) ** np.arange(t - 1, -1, -1, dtype=float)
    z = float(np.dot(weights, seq) + (1.0 - lam) ** t * mu)
    width = sigma * math.sqrt(lam / (2.0 - lam) * (1.0 - (1.0 - lam) ** (2 * t)))
    diff = z - mu
    if width == 0.0:
        score = 0.0 if diff == 0 else math.copysign(math.inf, diff)
    else:
        score = diff / width
    return {
        "method": "ewma",
        "value": value,
        "anomaly": bool(abs(score) > limit),
        "score": score,
        "ewma": z,
        "center": mu,
        "sigma": sigma,
        "lambda": float(lam),
        "lower": mu - limit * width,
        "upper": mu + limit * width,
        "limit": float(limit),
        "n_baseline": int(b.size),
    }


def detect(
    series: Sequence[float] | np.ndarray,
    method: str = "robust_z",
    *,
    limit: float | None = None,
    baseline: int = DEFAULT_BASELINE,
    min_baseline: int = MIN_BASELINE,
    lam: float = EWMA_LAMBDA,
) -> dict[str, Any]:
    """Is the last value of ``series`` (oldest first) an anomaly against the ``baseline`` values
    before it? Non-finite values are dropped first."""
    if method not in METHODS:
        raise ValueError(f"unknown anomaly method {method!r}; choose one of: {', '.join(METHODS)}")
    if baseline < 1:
        raise ValueError("baseline must be at least 1")
    s = _finite(series)
    if s.size == 0:
        raise ValueError("the series has no finite value")
    limit = DEFAULT_LIMITS[method] if limit is None else float(limit)
    history = s[:-1][-baseline:]
    if method == "robust_z":
        return robust_zscore(history, s[-1], limit=limit, min_baseline=min_baseline)
    return ewma_chart(history, s[-1], limit=limit, lam=lam, min_baseline=min_baseline)


def scan(
    series: Sequence[float] | np.ndarray,
    method: str = "robust_z",
    *,
    limit: float | None = None,
    baseline: int = DEFAULT_BASELINE,
    min_baseline: int = MIN_BASELINE,
    lam: float = EWMA_LAMBDA,
) -> list[bool | None]:
    """:func:`detect` at every position of ``series`` (each point against the points before it):
    True, False, or None where the baseline is too short. For marking anomalies on a chart."""
    s = _finite(series)
    return [
        detect(s[: i + 1], method, limit=limit, baseline=baseline, min_baseline=min_baseline, lam=lam)[
            "anomaly"
        ]
        for i in range(s.size)
    ]
