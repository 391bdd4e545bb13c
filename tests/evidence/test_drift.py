"""Drift statistics agree with scipy, and each pitfall of today's libraries (reference/evidence.md) is avoided."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from scipy.spatial import distance

from aims import evidence
from aims.evidence.drift import (
    DriftThresholds,
    categorical_drift,
    chi2_homogeneity,
    drift_report,
    jensen_shannon_distance,
    ks_2samp,
    numeric_drift,
    psi,
    wasserstein_distance,
)


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


# ------------------------------------------------------------------------------------------------
# agreement with scipy
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("n,m", [(300, 200), (10_000, 8_000), (60_000, 45_000)])
def test_ks_statistic_and_p_value_are_identical_to_scipy(n, m):
    r = rng(1).normal(size=n)
    x = rng(2).normal(0.03, 1.0, size=m)
    ours = ks_2samp(r, x)
    theirs = stats.ks_2samp(r, x)
    assert ours.statistic == theirs.statistic  # bit for bit
    assert ours.pvalue == theirs.pvalue
    assert ours.method == ("exact" if max(n, m) <= 10_000 else "asymp")


def test_ks_is_identical_to_scipy_on_heavily_tied_integers_with_missing_values():
    r = rng(3).poisson(3.0, size=50_000).astype(float)
    x = rng(4).poisson(3.1, size=40_000).astype(float)
    r[::97] = np.nan
    ours = ks_2samp(r, x)
    theirs = stats.ks_2samp(r[~np.isnan(r)], x)
    assert (ours.statistic, ours.pvalue) == (theirs.statistic, theirs.pvalue)


def test_german_credit_ks_and_wasserstein_match_scipy(german):
    # Credit amounts of women against men: a real, modest difference.
    a = german.loc[german["sex"] == "female", "credit_amount"].to_numpy(float)
    b = german.loc[german["sex"] == "male", "credit_amount"].to_numpy(float)
    res = numeric_drift(a, b)
    theirs = stats.ks_2samp(a, b)
    assert (res["statistic"], res["p_value"]) == (theirs.statistic, theirs.pvalue)
    assert res["wasserstein"] == pytest.approx(stats.wasserstein_distance(a, b), rel=1e-12)
    assert res["wasserstein_normed"] == pytest.approx(stats.wasserstein_distance(a, b) / a.std(), rel=1e-12)


@pytest.mark.filterwarnings("ignore:ks_2samp")  # scipy's own exact-to-asymptotic fallback notice
@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.integers(-5, 5), min_size=1, max_size=60),
    st.lists(st.integers(-5, 5), min_size=1, max_size=60),
)
def test_ks_and_wasserstein_agree_with_scipy_on_any_small_samples(a, b):
    a, b = np.array(a, float), np.array(b, float)
    ours, theirs = ks_2samp(a, b), stats.ks_2samp(a, b)
    assert ours.statistic == theirs.statistic and ours.pvalue == theirs.pvalue
    assert wasserstein_distance(a, b) == pytest.approx(stats.wasserstein_distance(a, b), rel=1e-12, abs=1e-12)


def test_chi_square_is_the_contingency_test_with_yates_at_one_degree_of_freedom(german):
    ref = german.loc[german.index < 500, "housing"].value_counts().sort_index()
    cur = german.loc[german.index >= 500, "housing"].value_counts().sort_index()
    ours = chi2_homogeneity(ref.to_numpy(), cur.to_numpy())
    theirs = stats.chi2_contingency(np.vstack([ref.to_numpy(), cur.to_numpy()]))
    assert ours["statistic"] == pytest.approx(theirs.statistic, rel=1e-12)
    assert ours["p_value"] == pytest.approx(theirs.pvalue, rel=1e-12)
    assert ours["dof"] == 2 and not ours["yates_correction"]
    two = chi2_homogeneity([40, 60], [55, 45])
    theirs2 = stats.chi2_contingency([[40, 60], [55, 45]])  # scipy corrects at dof = 1
    assert two["yates_correction"] and two["statistic"] == pytest.approx(theirs2.statistic, rel=1e-12)
    assert two["p_value"] == pytest.approx(theirs2.pvalue, rel=1e-12)


def test_jensen_shannon_uses_base_two_and_matches_scipy():
    p, q = np.array([10, 20, 30, 0]), np.array([5, 25, 20, 10])
    assert jensen_shannon_distance(p, q) == pytest.approx(distance.jensenshannon(p, q, base=2), rel=1e-12)
    # the natural-log distance is smaller by sqrt(ln 2): the same threshold would mean something else
    assert distance.jensenshannon(p, q) / jensen_shannon_distance(p, q) == pytest.approx(
        math.sqrt(math.log(2))
    )
    assert jensen_shannon_distance([1, 0], [0, 1]) == pytest.approx(1.0)


# ------------------------------------------------------------------------------------------------
# pitfalls of today's libraries
# ------------------------------------------------------------------------------------------------
def test_unchanged_categorical_column_is_not_flagged_by_the_homogeneity_test():
    # Two samples from the same distribution: the goodness-of-fit test against reference
    # proportions (Evidently, whylogs) treats the reference as exact and inflates the statistic.
    levels = np.array(["a", "b", "c", "d", "e"])
    p = [0.3, 0.25, 0.2, 0.15, 0.1]
    found_gof_false_alarm = False
    for seed in range(40):
        r = rng(seed).choice(levels, 2_000, p=p)
        x = rng(1000 + seed).choice(levels, 2_000, p=p)
        rc = pd.Series(r).value_counts().reindex(levels).to_numpy()
        xc = pd.Series(x).value_counts().reindex(levels).to_numpy()
        ours = chi2_homogeneity(rc, xc)
        gof = stats.chisquare(xc, rc / rc.sum() * xc.sum())
        assert gof.statistic == pytest.approx(2 * ours["statistic"], rel=0.25)  # roughly doubled
        if gof.pvalue < 0.05 <= ours["p_value"]:
            found_gof_false_alarm = True
        assert not categorical_drift(r, x)["drift"]
    assert found_gof_false_alarm  # the GOF test raises alarms the homogeneity test does not


def test_a_new_category_gives_a_finite_statistic_and_is_reported():
    r = np.array(["a"] * 500 + ["b"] * 500)
    x = np.array(["a"] * 480 + ["b"] * 480 + ["new"] * 40)
    res = categorical_drift(r, x)
    assert math.isfinite(res["statistic"]) and math.isfinite(res["psi"])
    assert res["unseen_categories"] == ["new"] and res["unseen_share"] == pytest.approx(0.04)
    assert res["drift"] and any("unseen_share" in reason for reason in res["reasons"])


def test_psi_uses_reference_deciles_so_an_outlier_does_not_hide_drift():
    r = rng(5).normal(size=20_000)
    x = rng(6).normal(0.5, 1.0, size=20_000)
    clean = numeric_drift(r, x)
    x_out = x.copy()
    x_out[0] = 1e6  # one wild value stretches equal-width bins until everything is in one bin
    with_outlier = numeric_drift(r, x_out)
    assert clean["psi"] > 0.2 and with_outlier["psi"] == pytest.approx(clean["psi"], rel=0.01)
    edges = np.quantile(r, np.linspace(0, 1, 11)[1:-1])
    cr = np.histogram(r, np.concatenate([[-np.inf], edges, [np.inf]]))[0]
    cx = np.histogram(x, np.concatenate([[-np.inf], edges, [np.inf]]))[0]
    assert clean["psi"] == pytest.approx(psi(cr, cx), rel=1e-9)
    equal_width = np.histogram(np.concatenate([r, x_out]), bins=10)[1]
    ew_r = np.histogram(r, equal_width)[0]
    ew_x = np.histogram(x_out, equal_width)[0]
    assert psi(ew_r, ew_x) < 0.01  # what equal-width binning would have reported


def test_a_jump_in_missing_values_is_drift_even_though_the_tests_drop_them():
    r = rng(7).normal(100, 15, size=50_000)
    x = rng(8).normal(100, 15, size=50_000)
    r[rng(9).random(r.size) < 0.02] = np.nan
    x[rng(10).random(x.size) < 0.06] = np.nan
    res = numeric_drift(r, x)
    assert res["p_value"] > 0.01  # the values themselves did not move
    assert res["drift"] and res["reasons"][0].startswith("missing share")
    assert res["missing_share_current"] == pytest.approx(0.06, abs=0.005)


def test_large_samples_decide_on_effect_size_not_p_value():
    # +0.02 sd at 400k rows: KS is "significant", but nothing that matters has moved.
    r = rng(11).normal(size=400_000)
    x = rng(12).normal(0.02, 1.0, size=400_000)
    res = numeric_drift(r, x)
    assert res["p_value"] < 1e-6
    assert res["wasserstein_normed"] < 0.05 and not res["drift"]
    big = numeric_drift(r, rng(13).normal(0.3, 1.0, size=400_000))
    assert big["drift"] and "wasserstein_normed" in big["reasons"][0]


def test_small_samples_need_significance_as_well_as_effect():
    # 20 rows each: a large-looking effect that is well within sampling noise.
    r = rng(14).normal(size=20)
    x = rng(15).normal(size=20)
    res = numeric_drift(r, x)
    assert res["wasserstein_normed"] > 0.1 and res["p_value"] > 0.05
    assert not res["drift"]


def test_out_of_range_glitches_are_drift():
    r = rng(16).random(100_000)
    x = rng(17).random(100_000)
    x[rng(18).random(x.size) < 0.005] = -999.0
    res = numeric_drift(r, x)
    assert res["out_of_range_share"] == pytest.approx(0.005, abs=0.001)
    assert res["drift"]


def test_every_report_records_the_definitions_behind_its_numbers(synthetic):
    rep = drift_report(synthetic.iloc[:10_000], synthetic.iloc[10_000:], columns=["x0", "sex"])
    method = rep["method"]
    assert "ks_2samp" in method["numeric_test"] and "Yates" in method["categorical_test"]
    assert "base 2" in method["jensen_shannon"] and "deciles" in method["psi"]
    assert "standard deviation" in method["wasserstein"]
    assert rep["thresholds"]["wasserstein_normed"] == 0.1


# ------------------------------------------------------------------------------------------------
# the report
# ------------------------------------------------------------------------------------------------
def test_drift_report_on_german_credit_halves_with_label_and_prediction_drift(german):
    shuffled = german.sample(frac=1.0, random_state=7)  # the file is not in random order
    ref, cur = shuffled.iloc[:500], shuffled.iloc[500:]
    rep = drift_report(
        ref,
        cur,
        columns=["credit_amount", "duration", "age", "purpose", "housing"],
        target="risk",
        prediction="pred",
        score="score",
    )
    assert rep["n_columns"] == 5 and set(rep["columns"]) == {
        "credit_amount",
        "duration",
        "age",
        "purpose",
        "housing",
    }
    assert rep["columns"]["purpose"]["kind"] == "categorical" and rep["columns"]["age"]["kind"] == "numeric"
    assert rep["label_drift"]["risk"]["kind"] == "categorical"
    assert set(rep["prediction_drift"]) == {"pred", "score"}
    assert rep["prediction_drift"]["score"]["kind"] == "numeric"
    # a random split of the same data: nothing should drift
    assert rep["n_drifted"] == 0 and rep["share_drifted"] == 0.0 and not rep["dataset_drift"]
    ks = stats.ks_2samp(ref["age"], cur["age"])
    assert rep["columns"]["age"]["statistic"] == ks.statistic


def test_a_drifted_subset_is_found(german):
    young = german[german["age"] < 30]
    rep = drift_report(german, young, columns=["age", "duration", "housing"])
    assert rep["columns"]["age"]["drift"]
    assert "age" in rep["drifted_columns"]


def test_thresholds_can_be_changed_globally_and_per_column():
    r = rng(19).normal(size=50_000)
    x = rng(20).normal(0.06, 1.0, size=50_000)
    frame_r, frame_x = {"a": r, "b": r}, {"a": x, "b": x}
    default = drift_report(frame_r, frame_x)
    assert not default["columns"]["a"]["drift"]
    strict = drift_report(frame_r, frame_x, column_thresholds={"a": {"wasserstein_normed": 0.04}})
    assert strict["columns"]["a"]["drift"] and not strict["columns"]["b"]["drift"]
    everywhere = evidence.drift(frame_r, frame_x, thresholds={"wasserstein_normed": 0.04})
    assert everywhere["n_drifted"] == 2
    with pytest.raises(evidence.EvidenceInputError, match="unknown drift threshold"):
        DriftThresholds().updated(p_value=0.01)


def test_missing_column_is_named():
    with pytest.raises(evidence.MissingColumnError, match="'zz'"):
        drift_report({"a": [1.0, 2.0]}, {"a": [1.0, 3.0]}, columns=["a", "zz"])


def test_constant_and_empty_columns_do_not_crash():
    res = numeric_drift(np.ones(100), np.ones(100))
    assert res["statistic"] == 0.0 and not res["drift"] and res["psi"] == 0.0
    empty = numeric_drift(np.full(10, np.nan), np.arange(10.0))
    assert empty["statistic"] is None and empty["missing_share_reference"] == 1.0
    assert empty["drift"]  # everything missing before, nothing missing now
    one = categorical_drift(np.array(["a"] * 10), np.array(["a"] * 12))
    assert one["statistic"] == 0.0 and one["p_value"] == 1.0 and not one["drift"]


# ------------------------------------------------------------------------------------------------
# choosing the statistics (stats=...)
# ------------------------------------------------------------------------------------------------
FIELDS = {
    "ks": ("statistic", "p_value", "ks_method"),
    "chi2": ("statistic", "p_value", "dof", "yates_correction"),
    "psi": ("psi",),
    "wasserstein": ("wasserstein", "wasserstein_normed"),
    "js": ("jensen_shannon",),
}
ALWAYS = (
    "kind",
    "n_reference",
    "n_current",
    "missing_share_reference",
    "missing_share_current",
    "missing_p_value",
    "out_of_range_share",
    "out_of_range_p_value",
    "reference_min",
    "reference_max",
    "unseen_share",
    "unseen_categories",
    "n_categories",
    "infinite_reference",
    "type_violations_current",
)


def drift_frames(n: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Numeric (with missing values, ties and a shift) and categorical (with a new category) columns."""
    g = rng(seed)
    ref = pd.DataFrame(
        {
            "shift": g.normal(size=n),
            "ties": g.poisson(3.0, n).astype(float),
            "cat": g.choice(list("abcd"), n),
            "pair": g.choice(["yes", "no"], n),
        }
    )
    cur = pd.DataFrame(
        {
            "shift": g.normal(0.2, 1.1, size=n),
            "ties": g.poisson(3.1, n).astype(float),
            "cat": g.choice(list("abcde"), n, p=[0.3, 0.2, 0.2, 0.2, 0.1]),
            "pair": g.choice(["yes", "no"], n, p=[0.45, 0.55]),
        }
    )
    ref.loc[ref.index[::37], "shift"] = np.nan
    cur.loc[cur.index[::11], "shift"] = np.nan
    return ref, cur


@pytest.mark.parametrize("n", [800, 30_000])  # scipy's exact KS below 10,000 rows, asymptotic above
@pytest.mark.parametrize(
    "chosen",
    [
        ("wasserstein", "js"),
        ("ks",),
        ("chi2", "psi"),
        ("psi", "js", "ks"),
        ("wasserstein",),
        ("ks", "chi2", "psi", "wasserstein", "js"),
    ],
)
def test_a_chosen_subset_of_statistics_gives_exactly_the_numbers_of_the_full_run(n, chosen):
    ref, cur = drift_frames(n, seed=21)
    full = drift_report(ref, cur)
    part = drift_report(ref, cur, stats=chosen)
    for col, whole in full["columns"].items():
        res = part["columns"][col]
        assert set(res) == set(whole)  # same shape: what was not computed is None
        test = "ks" if whole["kind"] == "numeric" else "chi2"
        for name, fields in FIELDS.items():
            if name in ("ks", "chi2") and name != test:
                continue
            for field in fields:
                if field not in whole:
                    continue
                if name in chosen:
                    assert res[field] == whole[field] or (
                        res[field] != res[field] and whole[field] != whole[field]
                    )
                else:
                    assert res[field] is None, (col, field)
        for field in ALWAYS:
            if field in whole:
                assert res[field] == whole[field] or (
                    isinstance(res[field], float) and math.isnan(res[field]) and math.isnan(whole[field])
                )
        assert res["test"] == (whole["test"] if test in chosen else None)
    assert part.get("statistics", list(evidence.DRIFT_STATISTICS)) == [
        s for s in ("ks", "chi2", "psi", "wasserstein", "js") if s in chosen
    ]


def test_the_default_report_is_every_statistic_and_unchanged_by_the_option():
    ref, cur = drift_frames(20_000, seed=22)
    default = evidence.drift(ref, cur)
    explicit = evidence.drift(ref, cur, stats="ks,chi2,psi,wasserstein,js")
    assert "statistics" not in default and "statistics" not in explicit
    assert evidence.to_json(default) == evidence.to_json(explicit)
    col = default["columns"]["shift"]
    assert col["test"] == "ks_2samp" and col["ks_method"] == "asymp"
    kept = stats.ks_2samp(ref["shift"].dropna(), cur["shift"].dropna())
    assert (col["statistic"], col["p_value"]) == (kept.statistic, kept.pvalue)  # still scipy's, bit for bit
    assert "(p = " in default["columns"]["cat"]["reasons"][0]


def test_ks_is_not_computed_when_not_requested(monkeypatch):
    import importlib

    drift_module = importlib.import_module("aims.evidence.drift")  # the attribute is the drift() function

    def refuse(*args, **kwargs):
        raise AssertionError("KS computed although not requested")

    monkeypatch.setattr(drift_module, "_ks_sorted", refuse)
    monkeypatch.setattr(drift_module, "_ks_asymptotic_p", refuse)
    ref, cur = drift_frames(30_000, seed=23)
    rep = drift_report(ref, cur, stats=["wasserstein", "js"])
    assert rep["columns"]["shift"]["wasserstein_normed"] > 0.1
    with pytest.raises(AssertionError, match="not requested"):
        drift_report(ref, cur, stats=["ks"])


def test_without_a_test_the_effect_sizes_decide_alone():
    # The small-sample case above: an effect within sampling noise is not drift with the test...
    r, x = rng(14).normal(size=20), rng(15).normal(size=20)
    assert not numeric_drift(r, x)["drift"]
    # ...but without a test the distance decides, as in Evidently; the reason says there was no test.
    res = numeric_drift(r, x, stats=("wasserstein",))
    assert res["test"] is None and res["p_value"] is None and res["drift"]
    assert res["reasons"] == [f"wasserstein_normed {res['wasserstein_normed']:.4g} >= 0.1 (no test)"]
    rep = drift_report({"a": r}, {"a": x}, stats="wasserstein")
    assert "effect sizes alone" in rep["method"]["decision"] and "ks" in rep["method"]["statistics"]


@pytest.mark.parametrize(
    "bad,message",
    [
        (
            ["ks", "kolmogorov"],
            "unknown drift statistic.*'kolmogorov'.*choose from ks, chi2, psi, wasserstein, js",
        ),
        ("wasserstein,jensen_shannon", "unknown drift statistic.*'jensen_shannon'"),
        ("", "no drift statistic chosen"),
        ([], "no drift statistic chosen"),
    ],
)
def test_unknown_statistics_are_refused_with_the_valid_names(bad, message):
    ref, cur = drift_frames(200, seed=24)
    with pytest.raises(evidence.EvidenceInputError, match=message):
        drift_report(ref, cur, stats=bad)
    with pytest.raises(evidence.EvidenceInputError, match=message):
        evidence.drift(ref, cur, stats=bad)
    with pytest.raises(evidence.EvidenceInputError, match=message):
        numeric_drift(ref["shift"], cur["shift"], stats=bad)


def test_names_are_case_and_space_insensitive():
    ref, cur = drift_frames(500, seed=25)
    assert drift_report(ref, cur, stats=" Wasserstein , JS ")["statistics"] == ["wasserstein", "js"]


def test_profiles_honour_the_chosen_statistics():
    ref, cur = drift_frames(5_000, seed=26)
    p_ref, p_cur = evidence.make_profile(ref), evidence.make_profile(cur)
    full = evidence.drift(p_ref, p_cur)
    part = evidence.drift(p_ref, p_cur, stats=("wasserstein", "js"))
    assert part["statistics"] == ["wasserstein", "js"]
    for col, whole in full["columns"].items():
        res = part["columns"][col]
        assert res["jensen_shannon"] == whole["jensen_shannon"]
        assert res.get("wasserstein_normed") == whole.get("wasserstein_normed")
        assert res["test"] is None and res["statistic"] is None and res["psi"] is None
        assert res.get("ks_statistic_lower") is None


# ------------------------------------------------------------------------------------------------
# the fast paths of the numeric statistics: the KS merge and the Wasserstein quantile grid
# ------------------------------------------------------------------------------------------------
def _pairs() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Samples covering every branch: sizes equal, coprime, with a common divisor, one a multiple of
    the other, one value alone; continuous values, ties within and across the samples, heavy ties of
    a few discrete values, equal samples, signed zeros."""
    g = rng(40)
    normal = g.normal(size=12_000)
    return {
        "equal sizes": (g.normal(size=12_000), g.normal(0.05, 1.1, size=12_000)),
        "coprime sizes": (g.normal(size=12_007), g.normal(0.02, 1.0, size=11_003)),
        "common divisor": (g.lognormal(3, 1, size=12_000), g.lognormal(3.1, 1, size=10_500)),
        "one size a multiple of the other": (g.normal(size=15_000), g.normal(size=30_000)),
        "ties across the samples": (normal, g.choice(normal, size=11_000)),
        "heavy ties, discrete values": (
            g.poisson(3.0, size=20_000).astype(float),
            g.poisson(3.2, size=17_000).astype(float),
        ),
        "a few values, equal sizes": (
            g.integers(0, 4, size=13_000).astype(float),
            g.integers(0, 5, size=13_000).astype(float),
        ),
        "equal samples": (normal, normal[::-1].copy()),
        "same values, different sizes": (np.repeat(normal[:4_000], 3), np.repeat(normal[:4_000], 4)),
        "one value against many": (np.array([0.3]), g.normal(size=11_000)),
        "signed zeros": (
            np.concatenate([np.zeros(6_000), -np.zeros(6_000), g.normal(size=100)]),
            np.concatenate([-np.zeros(7_000), np.zeros(4_000), g.normal(size=300)]),
        ),
    }


@pytest.mark.parametrize("case", list(_pairs()))
def test_ks_merge_is_identical_to_scipy_on_every_kind_of_sample(case):
    # Above 10,000 rows per side D comes from AIMS's own merge of the sorted samples: bit for bit scipy's.
    a, b = _pairs()[case]
    ours, theirs = ks_2samp(a, b), stats.ks_2samp(a, b, method="asymp")
    assert ours.method == "asymp"
    assert (ours.statistic, ours.pvalue) == (theirs.statistic, theirs.pvalue)


@pytest.mark.parametrize("case", list(_pairs()))
def test_wasserstein_from_the_quantile_grid_matches_scipy_on_every_kind_of_sample(case):
    a, b = _pairs()[case]
    ours, theirs = wasserstein_distance(a, b), stats.wasserstein_distance(a, b)
    assert ours == pytest.approx(theirs, rel=1e-12, abs=1e-15)
    assert wasserstein_distance(b, a) == ours  # symmetric, to the bit
    if case == "equal samples":
        assert ours == 0.0 and theirs == 0.0


def test_wasserstein_is_exact_on_integer_values_where_scipy_rounds():
    # Integer values: every piece |rs[i] - xs[j]| x width is an exact integer, so the distance is the
    # exact rational value rounded once. scipy's CDF form rounds i/n - j/m at each value.
    from fractions import Fraction

    g = rng(41)
    a, b = g.integers(0, 1_000, size=2_571).astype(float), g.integers(3, 1_010, size=1_777).astype(float)
    values = np.union1d(a, b)
    cdf_a = np.searchsorted(np.sort(a), values, side="right")
    cdf_b = np.searchsorted(np.sort(b), values, side="right")
    exact = sum(
        abs(Fraction(int(i), a.size) - Fraction(int(j), b.size)) * Fraction(int(hi - lo))
        for i, j, lo, hi in zip(cdf_a[:-1], cdf_b[:-1], values[:-1], values[1:], strict=True)
    )
    assert wasserstein_distance(a, b) == float(exact)
    assert stats.wasserstein_distance(a, b) == pytest.approx(float(exact), rel=1e-12)


def test_wasserstein_drops_missing_values_and_is_nan_with_an_empty_side():
    g = rng(42)
    a, b = g.normal(size=5_000), g.normal(0.1, 1, size=4_000)
    holes = a.copy()
    holes[::7] = np.nan
    assert wasserstein_distance(holes, b) == pytest.approx(
        stats.wasserstein_distance(holes[~np.isnan(holes)], b), rel=1e-12
    )
    assert math.isnan(wasserstein_distance(np.array([np.nan, np.nan]), b))
    assert math.isnan(wasserstein_distance(a, np.array([], dtype=float)))
    res = numeric_drift(np.array([np.nan] * 10), b)
    assert res["wasserstein"] is None and res["statistic"] is None


def test_wasserstein_falls_back_to_the_merged_cdfs_when_the_grid_would_overflow(monkeypatch):
    # lcm(n, m) above 2**62 grid units (beyond two billion rows a side) cannot index in int64: the
    # distance then comes from the merged CDFs, scipy's own form.
    import importlib

    drift_module = importlib.import_module("aims.evidence.drift")
    a, b = _pairs()["coprime sizes"]
    grid = wasserstein_distance(a, b)
    monkeypatch.setattr(drift_module, "_MAX_QUANTILE_GRID", 0)
    merged = wasserstein_distance(a, b)
    assert merged == pytest.approx(stats.wasserstein_distance(a, b), rel=1e-12)
    assert merged == pytest.approx(grid, rel=1e-12)


def test_quantiles_of_the_sorted_reference_are_numpys_to_the_bit():
    import importlib

    drift_module = importlib.import_module("aims.evidence.drift")
    g = rng(43)
    levels = [
        np.linspace(0.0, 1.0, 11)[1:-1],
        np.linspace(0.0, 1.0, 5)[1:-1],
        np.linspace(0.0, 1.0, 101)[1:-1],
        np.array([0.0, 1e-9, 0.5, 1 - 1e-12, 1.0]),
    ]
    samples = [np.array([2.5]), np.array([1.0, 2.0]), np.array([-0.0, 0.0, 0.0])]
    samples += [np.sort(g.normal(size=n)) for n in (3, 7, 10, 11, 99, 1_001, 123_457)]
    samples += [np.sort(g.integers(0, 3, size=n).astype(float)) for n in (5, 20, 10_000)]
    samples += [np.sort(g.lognormal(0, 3, size=50_001))]
    for values in samples:
        for qs in levels:
            ours = drift_module._sorted_quantiles(values, qs)
            assert ours.tobytes() == np.quantile(values, qs).tobytes(), (values.size, qs)  # signed zeros too
        expected = np.unique(np.quantile(values, np.linspace(0.0, 1.0, 11)[1:-1]))
        assert np.array_equal(drift_module.quantile_edges(values, 10), expected)


def test_arrow_string_columns_are_counted_directly_with_the_same_result():
    # pyarrow arrays (one chunk or several), pandas' arrow-backed "str" columns: counted with arrow's
    # value_counts; the report must be exactly the one from the same labels as Python objects.
    import pyarrow as pa

    g = rng(44)
    levels = np.array(["b", "a", "", "ZZ", "c"], dtype=object)
    ref = levels[g.integers(0, 3, size=5_000)]
    cur = levels[g.choice(5, size=4_000, p=[0.3, 0.3, 0.2, 0.1, 0.1])]
    ref[::11] = None
    cur[::5] = None
    expected = categorical_drift(ref, cur)
    assert sorted(expected["unseen_categories"]) == ["ZZ", "c"] and expected["missing_share_current"] == 0.2
    as_arrow = [
        (pa.array(ref.tolist()), pa.array(cur.tolist())),
        (
            pa.chunked_array([ref[:100].tolist(), ref[100:].tolist()]),
            pa.array(cur.tolist(), pa.large_string()),
        ),
        (pd.Series(ref, dtype="str"), pd.Series(cur, dtype="str")),
        (pd.Series(ref, dtype="string[pyarrow]"), pd.Series(cur, dtype="string[pyarrow]")),
    ]
    for r, x in as_arrow:
        assert categorical_drift(r, x) == expected
    # one side arrow, the other not; a side with nothing but missing values
    assert categorical_drift(pa.array(ref.tolist()), cur) == expected
    empty = pa.array([None] * 50, pa.string())
    assert categorical_drift(empty, pa.array(cur.tolist())) == categorical_drift(np.array([None] * 50), cur)


@pytest.mark.parametrize("threads", [1, 2])
def test_the_report_computes_large_sample_p_values_after_the_columns_with_the_same_result(threads):
    # drift_report leaves scipy's kstwo.sf (it holds the GIL) until the columns' threads are done;
    # each column must still be exactly numeric_drift's, p-value and decision included.
    g = rng(45)
    ref = {"same": g.normal(size=20_000), "shift": g.normal(size=20_000), "exact": g.normal(size=20_000)}
    cur = {
        "same": g.normal(size=15_000),
        "shift": g.normal(0.05, 1, size=15_000),
        "exact": g.normal(size=15_000),
    }
    # one column below scipy's exact-KS size once its missing values are dropped: computed in place
    ref["exact"][9_000:] = np.nan
    cur["exact"][8_000:] = np.nan
    limits = {"shift": {"wasserstein_normed": 0.01}}
    rep = drift_report(ref, cur, threads=threads, column_thresholds=limits)
    for col in ref:
        alone = numeric_drift(ref[col], cur[col], thresholds=DriftThresholds().updated(**limits.get(col, {})))
        assert rep["columns"][col] == alone
        assert list(rep["columns"][col]) == list(alone)  # the same fields in the same order
    kept = stats.ks_2samp(ref["shift"], cur["shift"])
    assert (rep["columns"]["shift"]["statistic"], rep["columns"]["shift"]["p_value"]) == (
        kept.statistic,
        kept.pvalue,
    )
    assert rep["columns"]["shift"]["drift"] and not rep["columns"]["same"]["drift"]


def test_counting_and_float32_sorts_give_numpys_sorted_array_to_the_bit():
    # Integer values in a small range are sorted by counting, float32 values as float32: the result
    # must be np.sort's, bit for bit; anything else (or a negative zero) takes np.sort itself.
    import importlib

    drift_module = importlib.import_module("aims.evidence.drift")
    g = rng(46)
    poisson = g.poisson(3.0, size=50_000).astype(float)
    almost_integers = g.integers(-50, 50, size=50_000).astype(float)
    almost_integers[12_345] = 0.5  # not in the sample the shortcut looks at first
    almost_single = g.normal(size=50_000).astype(np.float32).astype(float)
    almost_single[23_457] = 0.1  # not a float32
    with_negative_zero = g.integers(-3, 3, size=50_000).astype(float)
    with_negative_zero[::1000] = -0.0
    cases = {
        "small counts": poisson,
        "negative integers": g.integers(-1_000, 1_000, size=60_000).astype(float),
        "integers in a range wider than the size": g.integers(0, 10**9, size=60_000).astype(float),
        "integers above float32": g.integers(2**40, 2**40 + 100, size=60_000).astype(float),
        "one integer value": np.full(10_000, 7.0),
        "not all integers": almost_integers,
        "float32 values": g.normal(size=60_000).astype(np.float32).astype(float),
        "float32 and integers": np.concatenate([poisson, [2.5**20, 0.25]]),
        "not all float32": almost_single,
        "negative zeros": with_negative_zero,
        "float32 with negative zeros": np.concatenate([almost_single[:-1].astype(np.float32), [-0.0]]).astype(
            float
        ),
        "small arrays": g.integers(0, 5, size=100).astype(float),
    }
    for case, values in cases.items():
        expected = np.sort(values)
        assert drift_module._sort_finite(values.copy()).tobytes() == expected.tobytes(), case
    # and through the public statistics: heavy ties of counts, KS identical to scipy
    a, b = g.poisson(3.0, size=30_000).astype(float), g.poisson(3.1, size=25_000).astype(float)
    ours, theirs = ks_2samp(a, b), stats.ks_2samp(a, b)
    assert (ours.statistic, ours.pvalue) == (theirs.statistic, theirs.pvalue)
    assert wasserstein_distance(a, b) == pytest.approx(stats.wasserstein_distance(a, b), rel=1e-12)
