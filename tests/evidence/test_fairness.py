"""Fairness metrics agree with fairlearn to the last bit, with suppression and undefined rates handled."""

from __future__ import annotations

import math

import fairlearn.metrics as flm
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import accuracy_score

from aims import evidence
from aims.evidence.fairness import fairness_report

FL_METRICS = {
    "count": flm.count,
    "selection_rate": flm.selection_rate,
    "accuracy": accuracy_score,
    "true_positive_rate": flm.true_positive_rate,
    "false_positive_rate": flm.false_positive_rate,
}


def metric_frame(y, p, sf) -> flm.MetricFrame:
    return flm.MetricFrame(metrics=FL_METRICS, y_true=y, y_pred=p, sensitive_features=sf)


@pytest.mark.parametrize("attributes", [["sex"], ["age_band"], ["sex", "age_band"], ["housing", "sex"]])
def test_group_metrics_equal_fairlearn_metricframe_exactly(german, attributes):
    y, p = german["risk"], german["pred"]
    sf = german[attributes[0]] if len(attributes) == 1 else german[attributes]
    mf = metric_frame(y, p, sf)
    rep = fairness_report(y, p, sensitive_features={a: german[a] for a in attributes}, min_group_size=1)
    part = rep["|".join(attributes)]
    assert part["n_groups"] == len(mf.by_group)
    for key, row in mf.by_group.iterrows():
        label = "|".join(key) if isinstance(key, tuple) else str(key)
        group = part["groups"][label]
        assert group["count"] == row["count"]
        for metric in ("selection_rate", "accuracy", "true_positive_rate", "false_positive_rate"):
            assert group[metric] == row[metric], (label, metric)  # exactly: same arithmetic


@pytest.mark.parametrize("attributes", [["sex"], ["age_band"], ["sex", "age_band"]])
@pytest.mark.parametrize("method", ["between_groups", "to_overall"])
def test_disparities_equal_fairlearn_functions(german, attributes, method):
    y, p = german["risk"], german["pred"]
    sf = german[attributes[0]] if len(attributes) == 1 else german[attributes]
    pairs = [
        (evidence.demographic_parity_difference, flm.demographic_parity_difference),
        (evidence.demographic_parity_ratio, flm.demographic_parity_ratio),
        (evidence.equalized_odds_difference, flm.equalized_odds_difference),
        (evidence.equalized_odds_ratio, flm.equalized_odds_ratio),
        (evidence.equal_opportunity_difference, flm.equal_opportunity_difference),
        (evidence.equal_opportunity_ratio, flm.equal_opportunity_ratio),
    ]
    for ours, theirs in pairs:
        expected = theirs(y, p, sensitive_features=sf, method=method)
        assert ours(y, p, sensitive_features=sf, method=method) == pytest.approx(expected, abs=1e-15), (
            ours.__name__
        )


def test_equalized_odds_mean_aggregation_equals_fairlearn(german):
    y, p, sf = german["risk"], german["pred"], german["age_band"]
    for agg in ("worst_case", "mean"):
        assert evidence.equalized_odds_difference(y, p, sensitive_features=sf, agg=agg) == pytest.approx(
            flm.equalized_odds_difference(y, p, sensitive_features=sf, agg=agg), abs=1e-15
        )


def test_report_disparities_and_four_fifths_rule(german):
    y, p = german["risk"], german["pred"]
    rep = fairness_report(y, p, sensitive_features={"sex": german["sex"]}, min_group_size=1)["sex"]
    dpr = flm.demographic_parity_ratio(y, p, sensitive_features=german["sex"])
    assert rep["disparate_impact_ratio"] == pytest.approx(dpr, abs=1e-15)
    assert rep["demographic_parity_ratio"] == rep["disparate_impact_ratio"]
    assert rep["four_fifths_rule"] == {"threshold": 0.8, "passed": dpr >= 0.8}
    rates = {g: v["selection_rate"] for g, v in rep["groups"].items()}
    assert rep["lowest_selection_rate_group"] == min(rates, key=rates.get)


def test_small_groups_are_suppressed_and_left_out_of_the_disparities(german):
    y, p = german["risk"], german["pred"]
    sf = {"sex": german["sex"], "age_band": german["age_band"]}
    counts = german.groupby(["sex", "age_band"]).size()
    limit = int(counts.sort_values().iloc[1]) + 1  # suppresses the two smallest intersections
    part = fairness_report(y, p, sensitive_features=sf, min_group_size=limit)["sex|age_band"]
    suppressed = {g for g, v in part["groups"].items() if v["suppressed"]}
    assert len(suppressed) == 2 and set(part["suppressed_groups"]) == suppressed
    for g in suppressed:
        assert part["groups"][g]["selection_rate"] is None and part["groups"][g]["count"] < limit
    kept = (
        german.set_index(["sex", "age_band"])
        .index.map("|".join)
        .isin([g for g in part["groups"] if g not in suppressed])
    )
    expected = flm.demographic_parity_difference(
        y[kept], p[kept], sensitive_features=german.loc[kept, ["sex", "age_band"]]
    )
    assert part["demographic_parity_difference"] == pytest.approx(expected, abs=1e-15)


def test_disparity_is_not_measurable_with_one_group_left():
    y = np.array([1, 0, 1, 0, 1, 1])
    p = np.array([1, 0, 0, 0, 1, 1])
    part = fairness_report(y, p, sensitive_features={"g": np.array(["a"] * 5 + ["b"])}, min_group_size=2)["g"]
    assert part["demographic_parity_difference"] is None
    assert part["four_fifths_rule"]["passed"] is None
    assert "not_measurable" in part


def test_undefined_rate_is_null_where_fairlearn_reports_zero():
    # Group "b" has no positive rows: its TPR is undefined. fairlearn (scikit-learn's normalize="true")
    # reports 0 and so doubles the equal-opportunity difference; AIMS leaves the group out.
    y = np.array([1, 1, 0, 0, 0, 0])
    p = np.array([1, 0, 0, 1, 0, 1])
    g = np.array(["a", "a", "a", "b", "b", "b"])
    part = fairness_report(y, p, sensitive_features={"g": g}, min_group_size=1)["g"]
    assert math.isnan(part["groups"]["b"]["true_positive_rate"])  # null in JSON
    assert math.isnan(part["equal_opportunity_difference"])  # one defined TPR: nothing to compare
    assert part["demographic_parity_difference"] == pytest.approx(1 / 3)  # selection rates are defined
    fl = flm.MetricFrame(metrics=flm.true_positive_rate, y_true=y, y_pred=p, sensitive_features=g)
    assert fl.by_group["b"] == 0.0
    assert flm.equal_opportunity_difference(y, p, sensitive_features=g) == 0.5


def test_rows_with_a_missing_sensitive_value_are_counted_not_grouped():
    y = np.array([1, 0, 1, 0, 1, 0])
    p = np.array([1, 0, 0, 0, 1, 1])
    g = pd.Series(["a", "b", None, "a", "b", np.nan])
    part = fairness_report(y, p, sensitive_features={"g": g}, min_group_size=1)["g"]
    assert part["rows_missing_attribute"] == 2
    assert sum(v["count"] for v in part["groups"].values()) == 4
    assert set(part["groups"]) == {"a", "b"}


def test_intersections_are_exact_marginals_of_one_table(german):
    rep = fairness_report(
        german["risk"],
        german["pred"],
        sensitive_features={
            "sex": german["sex"],
            "age_band": german["age_band"],
            "housing": german["housing"],
        },
        min_group_size=1,
    )
    assert set(rep) == {
        "sex",
        "age_band",
        "housing",
        "sex|age_band",
        "sex|housing",
        "age_band|housing",
        "sex|age_band|housing",
    }
    by_sex = german.groupby("sex").size().to_dict()
    assert {g: v["count"] for g, v in rep["sex"]["groups"].items()} == by_sex
    assert sum(v["count"] for v in rep["sex|age_band|housing"]["groups"].values()) == len(german)


def test_multiclass_without_positive_label_reports_group_accuracy(german):
    y = german["housing"].to_numpy()
    p = np.where(german["age"] > 40, "own", y)  # a crude "model"
    part = fairness_report(y, p, sensitive_features={"sex": german["sex"]}, min_group_size=1)["sex"]
    for group, entry in part["groups"].items():
        mask = (german["sex"] == group).to_numpy()
        assert entry["accuracy"] == accuracy_score(y[mask], p[mask])
        assert "selection_rate" not in entry
    mask_f = (german["sex"] == "female").to_numpy()
    expected = abs(accuracy_score(y[mask_f], p[mask_f]) - accuracy_score(y[~mask_f], p[~mask_f]))
    assert part["accuracy_difference"] == pytest.approx(expected, abs=1e-15)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 1), st.integers(0, 1), st.sampled_from("abcd")), min_size=4, max_size=120
    )
)
def test_demographic_parity_and_equalized_odds_agree_with_fairlearn_on_any_groups(rows):
    y = np.array([r[0] for r in rows])
    p = np.array([r[1] for r in rows])
    g = np.array([r[2] for r in rows])
    dpd = evidence.demographic_parity_difference(y, p, sensitive_features=g)
    if len(set(g.tolist())) == 1:
        # One group: nothing to compare. fairlearn says 0 ("no disparity"); AIMS says undefined.
        assert math.isnan(dpd) and flm.demographic_parity_difference(y, p, sensitive_features=g) == 0
        return
    assert dpd == pytest.approx(flm.demographic_parity_difference(y, p, sensitive_features=g), abs=1e-15)
    # Equalized odds agrees whenever every group has both classes (otherwise see the undefined-rate test).
    if all(len(set(y[g == k].tolist())) == 2 for k in set(g.tolist())):
        eod = evidence.equalized_odds_difference(y, p, sensitive_features=g)
        assert eod == pytest.approx(flm.equalized_odds_difference(y, p, sensitive_features=g), abs=1e-15)
    assert 0.0 <= dpd <= 1.0 and not math.isnan(dpd)


def test_regression_error_parity_per_group(german):
    from aims.evidence.fairness import regression_fairness_report

    y = german["credit_amount"].astype(float)
    p = german["duration"] * 130.0 + 500.0
    rep = regression_fairness_report(y, p, sensitive_features={"sex": german["sex"]}, min_group_size=1)["sex"]
    for group, entry in rep["groups"].items():
        mask = german["sex"] == group
        err = (p - y)[mask]
        assert entry["count"] == int(mask.sum())
        assert entry["mae"] == pytest.approx(err.abs().mean(), rel=1e-12)
        assert entry["rmse"] == pytest.approx(float(np.sqrt((err**2).mean())), rel=1e-12)
        assert entry["mean_error"] == pytest.approx(err.mean(), rel=1e-12)
    maes = [g["mae"] for g in rep["groups"].values()]
    assert rep["mae_difference"] == pytest.approx(max(maes) - min(maes), rel=1e-12)
    doc = evidence.evaluate(
        german.assign(p=p), target="credit_amount", prediction="p", sensitive=["sex"], task="regression"
    )
    assert doc["task"] == "regression" and set(doc["fairness"]["sex"]["groups"]) == {"female", "male"}
