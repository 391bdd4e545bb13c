"""Profiles: merging partitions equals profiling the whole, and metrics from profiles equal (or bound) raw ones."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats

from aims import evidence
from aims.evidence import EvidenceInputError, load_profile, make_profile, merge_profiles
from aims.evidence.profile import LogHistogram, Profile, auc_from_histograms, evaluation_from_profile

from .conftest import make_scored

EVAL = {"target": "risk", "prediction": "pred", "score": "score", "sensitive": ["sex", "age_band"]}


def counts_of(profile: Profile) -> dict:
    """Everything in a profile that must be exactly additive (floats of moments excluded)."""
    out: dict = {"n_rows": profile.n_rows}
    for name, col in profile.columns.items():
        d = col.to_dict()
        d.pop("mean", None)
        d.pop("m2", None)
        out[name] = d
    if profile.evaluation is not None:
        ev = profile.evaluation.to_dict()
        if ev["regression"]:
            ev["regression"] = {k: v for k, v in ev["regression"].items() if k in ("n", "max_abs_error")}
        out["evaluation"] = ev
    return out


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.integers(1, 999), max_size=6, unique=True))
def test_merging_profiles_of_partitions_equals_the_profile_of_the_whole(german, cuts):
    bounds = [0, *sorted(cuts), len(german)]
    parts = [german.iloc[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    whole = make_profile(german, **EVAL)
    merged = merge_profiles(make_profile(p, **EVAL) for p in parts)
    assert counts_of(merged) == counts_of(whole)
    for name, col in whole.columns.items():
        if col.kind == "numeric":
            assert merged.columns[name].mean == pytest.approx(col.mean, rel=1e-12)
            assert merged.columns[name].m2 == pytest.approx(col.m2, rel=1e-9)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.one_of(st.floats(allow_nan=True, allow_infinity=True, width=64), st.just(0.0), st.just(-0.0)),
        min_size=0,
        max_size=80,
    ),
    st.integers(0, 80),
)
def test_numeric_profile_merge_is_exact_for_any_values_including_nan_inf_and_zero(values, cut):
    arr = np.array(values, dtype=float)
    cut = min(cut, arr.size)
    whole = make_profile({"v": arr})
    merged = make_profile({"v": arr[:cut]}) + make_profile({"v": arr[cut:]})
    assert counts_of(merged) == counts_of(whole)
    col = whole.columns["v"]
    finite = arr[np.isfinite(arr)]
    assert col.count == finite.size and col.missing == int(np.isnan(arr).sum())
    assert col.histogram.total == finite.size


def test_histogram_buckets_have_the_stated_relative_accuracy():
    values = np.geomspace(1e-6, 1e6, 10_000)
    values = np.concatenate([values, -values, [0.0]])
    hist = LogHistogram.from_values(values, alpha=0.01)
    gamma = (1 + 0.01) / (1 - 0.01)
    idx = np.ceil(np.log(np.abs(values[values != 0])) / np.log(gamma))
    centre = 2 * gamma**idx / (gamma + 1)
    assert np.max(np.abs(centre - np.abs(values[values != 0])) / np.abs(values[values != 0])) <= 0.01 + 1e-12
    assert hist.total == values.size and hist.zero == 1


def test_metrics_from_a_profile_equal_metrics_from_raw_data(german):
    raw = evidence.evaluate(german, **EVAL, min_group_size=1)
    prof = evidence.evaluate(make_profile(german, **EVAL), **EVAL, min_group_size=1)
    for key, value in raw["performance"].items():
        if key == "roc_auc":
            continue
        assert prof["performance"][key] == (
            pytest.approx(value, abs=1e-15) if isinstance(value, float) else value
        ), key
    assert prof["fairness"] == raw["fairness"]  # counts are exact, so every rate is the same float


def test_roc_auc_from_score_histograms_is_within_its_stated_bound(synthetic):
    prof = make_profile(synthetic, target="y", prediction="pred", score="score", sensitive=["sex"])
    ev = evaluation_from_profile(prof)["performance"]
    exact = stats.mannwhitneyu(
        synthetic.loc[synthetic.y == 1, "score"], synthetic.loc[synthetic.y == 0, "score"]
    ).statistic
    exact /= (synthetic.y == 1).sum() * (synthetic.y == 0).sum()
    assert abs(ev["roc_auc"] - exact) <= ev["roc_auc_error_bound"]
    assert ev["roc_auc_error_bound"] < 1e-3  # fine buckets: the approximation is useful
    coarse = make_profile(synthetic, target="y", prediction="pred", score="score", relative_accuracy=0.2)
    auc, bound = auc_from_histograms(coarse.evaluation.score_positive, coarse.evaluation.score_negative)
    assert abs(auc - exact) <= bound and bound > ev["roc_auc_error_bound"]


def test_numeric_drift_from_profiles_brackets_ks_and_approximates_wasserstein():
    rng = np.random.default_rng(3)
    ref = {"a": rng.normal(50, 10, 30_000), "b": rng.lognormal(3, 1, 30_000)}
    cur = {"a": rng.normal(52, 12, 30_000), "b": rng.lognormal(3.05, 1, 30_000)}
    exact = evidence.drift(ref, cur)
    approx = evidence.drift(make_profile(ref), make_profile(cur))
    assert approx["source"] == "profiles"
    for col in ("a", "b"):
        e, a = exact["columns"][col], approx["columns"][col]
        assert a["ks_statistic_lower"] <= e["statistic"] <= a["ks_statistic_upper"]
        assert a["ks_statistic_upper"] - a["ks_statistic_lower"] < 0.01
        assert a["wasserstein"] == pytest.approx(e["wasserstein"], rel=0.01)
        assert a["psi"] == pytest.approx(e["psi"], rel=0.1, abs=0.005)
        assert a["drift"] == e["drift"] and a["approximate"] is True
        assert "exact KS needs raw data" in a["test"]


def test_categorical_drift_from_profiles_is_exact(german):
    ref, cur = german.iloc[:600], german.iloc[600:]
    cols = ["purpose", "housing", "sex"]
    exact = evidence.drift(ref, cur, columns=cols)
    from_profiles = evidence.drift(make_profile(ref, columns=cols), make_profile(cur, columns=cols))
    for col in cols:
        for key in ("statistic", "p_value", "psi", "jensen_shannon", "unseen_share", "drift"):
            assert from_profiles["columns"][col][key] == exact["columns"][col][key], (col, key)


def test_a_raw_side_is_profiled_to_match_a_profile_side(german):
    prof = make_profile(german.iloc[:500], columns=["age", "housing"])
    rep = evidence.drift(prof, german.iloc[500:])
    assert set(rep["columns"]) == {"age", "housing"} and rep["source"] == "profiles"


def test_json_round_trip_plain_and_gzipped(tmp_path, german):
    prof = make_profile(german, **EVAL)
    for name in ("p.json", "p.json.gz"):
        prof.save(tmp_path / name)
        again = load_profile(tmp_path / name)
        assert again.to_dict() == prof.to_dict()
    doc = (tmp_path / "p.json").read_text()
    assert '"format":"aims.evidence.profile"' in doc
    assert "credit_amount" in doc and "1169" not in doc.split('"histogram"')[0]  # no raw rows


def test_a_profile_holds_no_raw_rows_and_is_small(synthetic):
    prof = make_profile(
        synthetic, target="y", prediction="pred", score="score", sensitive=["sex", "age_band"]
    )
    size = len(evidence.to_json(prof.to_dict(), indent=None))
    raw = synthetic.memory_usage(deep=True).sum()
    assert size < raw / 3


def test_multiclass_profiles_with_different_classes_merge(german):
    y = german["housing"].to_numpy()
    p = np.where(german["age"] > 40, "own", y)
    frame = pd.DataFrame({"y": y, "p": p, "sex": german["sex"]})
    first = frame[frame.y != "free"].iloc[:300]  # only two classes here
    rest = frame.drop(first.index)
    merged = make_profile(
        first, target="y", prediction="p", sensitive=["sex"], task="multiclass"
    ) + make_profile(rest, target="y", prediction="p", sensitive=["sex"], task="multiclass")
    whole = evidence.evaluate(
        pd.concat([first, rest]), target="y", prediction="p", sensitive=["sex"], min_group_size=1
    )
    from_profile = evidence.evaluate(merged, target="y", prediction="p", sensitive=["sex"], min_group_size=1)
    assert from_profile["performance"]["confusion_matrix"] == whole["performance"]["confusion_matrix"]
    assert from_profile["performance"]["f1_macro"] == pytest.approx(
        whole["performance"]["f1_macro"], abs=1e-15
    )
    assert from_profile["fairness"]["sex"]["groups"] == whole["fairness"]["sex"]["groups"]


def test_regression_profiles_merge_to_the_raw_metrics(german):
    frame = pd.DataFrame(
        {"y": german["credit_amount"].astype(float), "p": german["duration"] * 130.0 + 500.5}
    )
    merged = merge_profiles(
        make_profile(frame.iloc[i : i + 100], target="y", prediction="p", task="regression")
        for i in range(0, 1000, 100)
    )
    raw = evidence.regression_report(frame["y"], frame["p"])
    perf = evaluation_from_profile(merged)["performance"]
    for key in ("mae", "rmse", "r2", "mean_error", "max_abs_error"):
        assert perf[key] == pytest.approx(raw[key], rel=1e-9), key


def test_profiles_that_cannot_merge_say_why(german):
    with pytest.raises(EvidenceInputError, match="relative accuracies"):
        make_profile(german, relative_accuracy=0.01) + make_profile(german)
    with pytest.raises(EvidenceInputError, match="different set-ups"):
        make_profile(german, **EVAL) + make_profile(german, target="risk", prediction="pred")
    with pytest.raises(EvidenceInputError, match="numeric in some profiles"):
        make_profile({"c": np.arange(3.0)}) + make_profile({"c": np.array(["x", "y", "z"])})
    with pytest.raises(EvidenceInputError, match="not an AIMS evidence profile"):
        load_profile({"format": "whylogs"})


def test_merging_many_small_batches_stays_exact():
    batches = [make_scored(500, seed=s) for s in range(40)]
    setup = {"target": "y", "prediction": "pred", "score": "score", "sensitive": ["sex", "age_band"]}
    merged = merge_profiles(make_profile(b, **setup) for b in batches)
    whole = make_profile(pd.concat(batches, ignore_index=True), **setup)
    assert counts_of(merged) == counts_of(whole)
    assert merged.n_rows == 20_000
    assert not math.isnan(evaluation_from_profile(merged)["performance"]["roc_auc"])
