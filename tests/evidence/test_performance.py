"""Performance metrics agree with scikit-learn on real data, on ties, and on edge cases."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import metrics as skm

from aims.evidence import EvidenceInputError, classification_report, regression_report, roc_auc_score
from aims.evidence.performance import encode_labels

TOL = 1e-12


def nan_equal(a: float, b: float, tol: float = TOL) -> bool:
    return (math.isnan(a) and math.isnan(b)) or abs(a - b) <= tol


def test_binary_metrics_match_scikit_learn_on_german_credit(german):
    y, p, s = german["risk"], german["pred"], german["score"]
    rep = classification_report(y, p, s)
    assert rep["task"] == "binary" and rep["positive_label"] == 1
    assert rep["accuracy"] == pytest.approx(skm.accuracy_score(y, p), abs=TOL)
    assert rep["precision"] == pytest.approx(skm.precision_score(y, p), abs=TOL)
    assert rep["recall"] == pytest.approx(skm.recall_score(y, p), abs=TOL)
    assert rep["f1"] == pytest.approx(skm.f1_score(y, p), abs=TOL)
    assert rep["balanced_accuracy"] == pytest.approx(skm.balanced_accuracy_score(y, p), abs=TOL)
    assert rep["roc_auc"] == pytest.approx(skm.roc_auc_score(y, s), abs=TOL)
    tn, fp, fn, tp = skm.confusion_matrix(y, p).ravel()
    assert rep["confusion_matrix"]["matrix"] == [[tn, fp], [fn, tp]]
    assert rep["false_positive_rate"] == pytest.approx(fp / (fp + tn), abs=TOL)
    assert rep["false_negative_rate"] == pytest.approx(fn / (fn + tp), abs=TOL)
    # the model is better than chance and not perfect: the fixture is a real test case
    assert 0.6 < rep["roc_auc"] < 0.95


def test_roc_auc_counts_tied_scores_one_half_like_scikit_learn(german):
    # Rounding to one decimal creates massive ties: the Mann-Whitney form must still agree.
    y = german["risk"].to_numpy()
    s = np.round(german["score"].to_numpy(), 1)
    assert len(np.unique(s)) <= 11
    assert roc_auc_score(y, s) == pytest.approx(skm.roc_auc_score(y, s), abs=TOL)


def test_roc_auc_is_undefined_with_one_class():
    assert math.isnan(roc_auc_score(np.ones(10, dtype=int), np.linspace(0, 1, 10)))


def test_roc_auc_refuses_missing_scores():
    with pytest.raises(EvidenceInputError, match="missing"):
        roc_auc_score(np.array([0, 1, 1]), np.array([0.1, np.nan, 0.3]))


def test_string_labels_need_a_positive_label_and_then_agree(german):
    y = np.where(german["risk"] == 1, "good", "bad")
    p = np.where(german["pred"] == 1, "good", "bad")
    with pytest.raises(EvidenceInputError, match="positive label"):
        classification_report(y, p)
    rep = classification_report(y, p, german["score"], pos_label="good")
    assert rep["precision"] == pytest.approx(skm.precision_score(y, p, pos_label="good"), abs=TOL)
    assert rep["roc_auc"] == pytest.approx(skm.roc_auc_score(y == "good", german["score"]), abs=TOL)
    assert rep["confusion_matrix"]["labels"] == ["bad", "good"]


def test_positive_label_from_the_command_line_matches_integer_labels():
    labels = encode_labels(np.array([0, 2, 2]), np.array([2, 2, 0]), pos_label="2")
    assert labels.pos_label == 2
    assert labels.true.tolist() == [0, 1, 1]


def test_undefined_precision_is_nan_not_zero():
    # Nothing predicted positive: scikit-learn's default says 0.0, which reads like a measurement.
    y, p = np.array([0, 1, 1, 0]), np.zeros(4, dtype=int)
    rep = classification_report(y, p)
    assert math.isnan(rep["precision"])
    assert math.isnan(skm.precision_score(y, p, zero_division=np.nan))
    assert rep["recall"] == 0.0 and rep["f1"] == 0.0


def test_missing_labels_are_an_error_naming_the_side():
    with pytest.raises(EvidenceInputError, match="y_pred has 1 missing"):
        classification_report(np.array([0, 1, 1]), np.array([0.0, np.nan, 1.0]))


def test_multiclass_matches_scikit_learn_macro_weighted_and_ovr_auc(german):
    from sklearn.linear_model import LogisticRegression

    X = german[["credit_amount", "duration", "age"]].to_numpy(dtype=float)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    y = german["housing"].to_numpy()  # own / rent / free
    model = LogisticRegression(max_iter=1000).fit(X, y)
    p, proba = model.predict(X), model.predict_proba(X)
    rep = classification_report(y, p, proba)
    assert rep["task"] == "multiclass"
    assert rep["accuracy"] == pytest.approx(skm.accuracy_score(y, p), abs=TOL)
    for avg in ("macro", "weighted"):
        for name, fn in (
            ("precision", skm.precision_score),
            ("recall", skm.recall_score),
            ("f1", skm.f1_score),
        ):
            expected = fn(y, p, average=avg, zero_division=np.nan)
            assert nan_equal(rep[f"{name}_{avg}"], expected), (name, avg)
    assert rep["balanced_accuracy"] == pytest.approx(skm.balanced_accuracy_score(y, p), abs=TOL)
    assert rep["roc_auc_ovr_macro"] == pytest.approx(
        skm.roc_auc_score(y, proba, multi_class="ovr"), abs=1e-12
    )
    assert rep["confusion_matrix"]["matrix"] == skm.confusion_matrix(y, p, labels=sorted(set(y))).tolist()


def test_regression_matches_scikit_learn(german):
    from sklearn.linear_model import LinearRegression

    X = german[["duration", "age"]].to_numpy(dtype=float)
    y = german["credit_amount"].to_numpy(dtype=float)
    p = LinearRegression().fit(X, y).predict(X)
    rep = regression_report(y, p)
    assert rep["mae"] == pytest.approx(skm.mean_absolute_error(y, p), rel=1e-12)
    assert rep["rmse"] == pytest.approx(skm.root_mean_squared_error(y, p), rel=1e-12)
    assert rep["r2"] == pytest.approx(skm.r2_score(y, p), rel=1e-12)
    assert rep["max_abs_error"] == pytest.approx(skm.max_error(y, p), rel=1e-12)


def test_r2_of_a_constant_target_is_undefined():
    rep = regression_report(np.ones(5), np.arange(5.0))
    assert math.isnan(rep["r2"])
    # scikit-learn: 0.0 by default (looks measured), -inf with force_finite=False; both say "undefined"
    assert skm.r2_score(np.ones(5), np.arange(5.0)) == 0.0


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 1), st.integers(0, 1), st.integers(0, 20)), min_size=1, max_size=200)
)
def test_binary_metrics_agree_with_scikit_learn_on_any_input(rows):
    y = np.array([r[0] for r in rows])
    p = np.array([r[1] for r in rows])
    s = np.array([r[2] for r in rows], dtype=float)  # small integer scores: many ties
    rep = classification_report(y, p, s, pos_label=1)
    assert rep["accuracy"] == pytest.approx(skm.accuracy_score(y, p), abs=TOL)
    assert nan_equal(rep["precision"], skm.precision_score(y, p, zero_division=np.nan))
    assert nan_equal(rep["recall"], skm.recall_score(y, p, zero_division=np.nan))
    assert nan_equal(rep["f1"], skm.f1_score(y, p, zero_division=np.nan))
    if len(set(y.tolist())) == 2:
        assert rep["roc_auc"] == pytest.approx(skm.roc_auc_score(y, s), abs=TOL)
    else:
        assert math.isnan(rep["roc_auc"])
