"""Anomaly detection on a metric's time series, checked against independent computations: scipy's
normal-consistent MAD for the modified z-score, and scipy.signal.lfilter running the EWMA
recursion (with the textbook control limits written out here)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import signal, stats

from aims.evidence import detect_anomaly
from aims.evidence.anomaly import ewma_chart, robust_zscore, scan


def _series(seed: int, n: int = 40, loc: float = 120.0, scale: float = 8.0) -> np.ndarray:
    return np.random.default_rng(seed).normal(loc, scale, n)


def _oracle_robust_z(baseline: np.ndarray, x: float) -> float:
    return (x - np.median(baseline)) / stats.median_abs_deviation(baseline, scale="normal")


def _oracle_ewma(baseline: np.ndarray, x: float, lam: float, limit: float) -> tuple[float, float, float]:
    mu, sigma = baseline.mean(), baseline.std(ddof=1)
    seq = np.append(baseline, x)
    z, _ = signal.lfilter([lam], [1.0, -(1.0 - lam)], seq, zi=[(1.0 - lam) * mu])
    t = len(seq)
    width = limit * sigma * math.sqrt(lam / (2 - lam) * (1 - (1 - lam) ** (2 * t)))
    return float(z[-1]), mu - width, mu + width


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("x", [120.0, 131.0, 150.0, 60.0])
def test_the_robust_z_score_equals_scipys_normal_mad(seed: int, x: float) -> None:
    base = _series(seed, 30)
    out = robust_zscore(base, x)
    expected = _oracle_robust_z(base, x)
    assert out["score"] == pytest.approx(expected, rel=1e-12, abs=1e-12)
    assert out["center"] == pytest.approx(np.median(base), rel=1e-15)
    assert out["anomaly"] is bool(abs(expected) > 3.5)
    assert out["lower"] < out["center"] < out["upper"]
    assert out["upper"] == pytest.approx(
        np.median(base) + 3.5 * stats.median_abs_deviation(base, scale="normal")
    )


@pytest.mark.parametrize("seed", [11, 12, 13])
@pytest.mark.parametrize("x", [118.0, 128.0, 160.0, 90.0])
@pytest.mark.parametrize("lam", [0.2, 0.3, 1.0])
def test_the_ewma_statistic_and_limits_equal_the_textbook_recursion(seed: int, x: float, lam: float) -> None:
    base = _series(seed, 30)
    out = ewma_chart(base, x, lam=lam, limit=3.0)
    z, lower, upper = _oracle_ewma(base, x, lam, 3.0)
    assert out["ewma"] == pytest.approx(z, rel=1e-12)
    assert out["lower"] == pytest.approx(lower, rel=1e-12)
    assert out["upper"] == pytest.approx(upper, rel=1e-12)
    assert out["anomaly"] is bool(z < lower or z > upper)


def test_a_spike_after_a_steady_series_is_an_anomaly_and_a_usual_value_is_not() -> None:
    base = _series(7, 30)
    assert detect_anomaly([*base, 122.0])["anomaly"] is False
    spike = detect_anomaly([*base, 200.0])
    assert spike["anomaly"] is True
    assert spike["score"] == pytest.approx(_oracle_robust_z(base, 200.0), rel=1e-12)
    drop = detect_anomaly([*base, 40.0], "ewma")
    assert drop["anomaly"] is True and drop["ewma"] < drop["lower"]


def test_only_the_last_baseline_values_form_the_baseline() -> None:
    old = np.full(50, 1000.0)  # far in the past: must be ignored with baseline=30
    recent = _series(8, 30)
    out = detect_anomaly([*old, *recent, 121.0], baseline=30)
    assert out["n_baseline"] == 30
    assert out["score"] == pytest.approx(_oracle_robust_z(recent, 121.0), rel=1e-12)


def test_too_short_a_baseline_gives_no_decision() -> None:
    out = detect_anomaly([1.0, 2.0, 3.0, 100.0])
    assert out["anomaly"] is None and out["n_baseline"] == 3 and "fewer than" in out["reason"]


def test_a_constant_baseline_flags_any_other_value_and_not_the_constant() -> None:
    assert detect_anomaly([5.0] * 10 + [5.0])["anomaly"] is False
    out = detect_anomaly([5.0] * 10 + [5.5])
    assert out["anomaly"] is True and out["score"] == math.inf
    assert detect_anomaly([5.0] * 10 + [4.0], "ewma")["score"] == -math.inf


def test_a_zero_mad_falls_back_to_the_mean_absolute_deviation() -> None:
    base = np.array([10.0] * 6 + [11.0, 13.0, 9.0])  # median 10, MAD 0
    out = robust_zscore(base, 12.0)
    expected = (12.0 - 10.0) / (math.sqrt(math.pi / 2) * np.mean(np.abs(base - 10.0)))
    assert out["scale_kind"] == "mean_absolute_deviation"
    assert out["score"] == pytest.approx(expected, rel=1e-12)


def test_non_finite_values_are_dropped() -> None:
    base = list(_series(9, 20))
    with_nan = [*base[:5], float("nan"), *base[5:], float("inf"), 119.0]
    assert detect_anomaly(with_nan)["score"] == pytest.approx(
        _oracle_robust_z(np.array(base), 119.0), rel=1e-12
    )


def test_scan_marks_the_spike_only() -> None:
    s = [*_series(10, 20), 250.0, *_series(11, 5)]
    flags = scan(s)
    assert flags[:8] == [None] * 8
    assert flags[20] is True
    assert sum(bool(f) for f in flags) == 1


def test_it_refuses_an_unknown_method_and_an_empty_series() -> None:
    with pytest.raises(ValueError, match="unknown anomaly method"):
        detect_anomaly([1.0] * 10, "iforest")
    with pytest.raises(ValueError, match="no finite value"):
        detect_anomaly([float("nan")])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=8, max_size=60),
    st.floats(-1e6, 1e6, allow_nan=False),
)
def test_the_decision_agrees_with_the_oracles_for_any_series(base: list[float], x: float) -> None:
    b = np.array(base)
    out = robust_zscore(b, x)
    mad = stats.median_abs_deviation(b, scale="normal")
    if mad > 1e-9 * max(1.0, np.abs(b).max()):
        assert (
            out["anomaly"] is bool(abs(_oracle_robust_z(b, x)) > 3.5)
            or abs(abs(_oracle_robust_z(b, x)) - 3.5) < 1e-9
        )
    ew = ewma_chart(b, x)
    if b.std(ddof=1) > 1e-9 * max(1.0, np.abs(b).max()):
        z, lo, hi = _oracle_ewma(b, x, 0.3, 3.0)
        assert ew["ewma"] == pytest.approx(z, rel=1e-9, abs=1e-6)
        assert ew["upper"] == pytest.approx(hi, rel=1e-9, abs=1e-6)
