"""Robustness: metric drops under perturbations and out of distribution, with a real model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import accuracy_score, roc_auc_score

from aims.evidence import (
    CategoryFlip,
    EvidenceInputError,
    FeatureShuffle,
    GaussianNoise,
    MissingValues,
    robustness_report,
)


@pytest.fixture(scope="module")
def credit_model(german):
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    features = ["duration", "credit_amount", "age"]
    X = german[features].astype(float)
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(X, german["risk"])
    return model, X, german["risk"]


def test_noise_degrades_more_as_it_grows(credit_model):
    model, X, y = credit_model
    rep = robustness_report(
        model.predict,
        X,
        y,
        perturbations=[GaussianNoise(scale=0.05), GaussianNoise(scale=1.0)],
        n_repeats=5,
        seed=1,
    )
    assert rep["baseline"] == pytest.approx(accuracy_score(y, model.predict(X)))
    small = rep["perturbations"]["gaussian_noise(scale=0.05)"]
    large = rep["perturbations"]["gaussian_noise(scale=1)"]
    assert large["drop"] > small["drop"] and large["drop"] > 0.01
    assert large["runs"] == 5 and rep["worst"] == "gaussian_noise(scale=1)"
    assert large["relative_drop"] == pytest.approx(large["drop"] / rep["baseline"])


def test_shuffling_the_feature_the_model_relies_on_hurts_most(credit_model):
    model, X, y = credit_model
    rep = robustness_report(
        model.predict_proba, X, y, metric="roc_auc", perturbations=[FeatureShuffle()], n_repeats=3, seed=2
    )
    assert rep["baseline"] == pytest.approx(roc_auc_score(y, model.predict_proba(X)[:, 1]), abs=1e-12)
    drops = {k: v["drop"] for k, v in rep["perturbations"].items()}
    assert set(drops) == {"shuffle(duration)", "shuffle(credit_amount)", "shuffle(age)"}
    assert max(drops, key=drops.get) == "shuffle(duration)"  # the strongest predictor of risk here


def test_out_of_distribution_set(credit_model):
    model, X, y = credit_model
    ood_X = X.copy()
    ood_X["duration"] = ood_X["duration"] * 4  # loans four times as long as anything seen
    rep = robustness_report(model.predict, X, y, perturbations=[], ood=(ood_X, y))
    assert rep["ood"]["value"] == pytest.approx(accuracy_score(y, model.predict(ood_X)))
    assert rep["ood"]["drop"] == pytest.approx(rep["baseline"] - rep["ood"]["value"])
    assert rep["ood"]["n_rows"] == len(y)


def test_error_metrics_count_an_increase_as_a_drop(german):
    X = german[["duration"]].to_numpy(dtype=float)
    y = german["credit_amount"].to_numpy(dtype=float)
    model = LinearRegression().fit(X, y)
    rep = robustness_report(
        model.predict, X, y, metric="mae", perturbations=[GaussianNoise(scale=0.5)], seed=3
    )
    entry = rep["perturbations"]["gaussian_noise(scale=0.5)"]
    assert rep["greater_is_better"] is False
    assert entry["value"] > rep["baseline"] and entry["drop"] == pytest.approx(
        entry["value"] - rep["baseline"]
    )


def test_missing_values_and_category_flips_on_a_pipeline(german):
    from sklearn.compose import make_column_transformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    X = german[["duration", "credit_amount", "housing", "purpose"]]
    pipe = make_pipeline(
        make_column_transformer(
            (make_pipeline(SimpleImputer(), StandardScaler()), ["duration", "credit_amount"]),
            (OneHotEncoder(handle_unknown="ignore"), ["housing", "purpose"]),
        ),
        LogisticRegression(max_iter=1000),
    ).fit(X, german["risk"])
    rep = robustness_report(
        pipe.predict,
        X,
        german["risk"],
        seed=4,
        n_repeats=2,
        perturbations=[
            MissingValues(rate=0.3, columns=["duration"]),
            CategoryFlip(rate=0.5, columns=["purpose"]),
        ],
    )
    assert set(rep["perturbations"]) == {"missing_values(rate=0.3)", "category_flip(rate=0.5)"}
    assert all(np.isfinite(v["value"]) for v in rep["perturbations"].values())
    # the default perturbations include a category flip because X has string columns
    default = robustness_report(pipe.predict, X, german["risk"], n_repeats=1)
    assert "category_flip(rate=0.05)" in default["perturbations"]


def test_perturbations_do_not_modify_the_callers_data(credit_model):
    model, X, y = credit_model
    before = X.copy()
    rep = robustness_report(
        model.predict, X, y, perturbations=[GaussianNoise(), FeatureShuffle(), MissingValues()], n_repeats=1
    )
    pd.testing.assert_frame_equal(X, before)
    # a model without imputation breaks on missing values: reported as a failure, not a crash
    failed = rep["perturbations"]["missing_values(rate=0.1)"]
    assert failed["failed"] and "NaN" in failed["error"] and rep["failed"] == ["missing_values(rate=0.1)"]
    assert rep["worst"] != "missing_values(rate=0.1)"


def test_unknown_metric_and_column_are_errors(credit_model):
    model, X, y = credit_model
    with pytest.raises(EvidenceInputError, match="unknown metric"):
        robustness_report(model.predict, X, y, metric="kappa")
    with pytest.raises(EvidenceInputError, match="unknown column"):
        robustness_report(model.predict, X, y, perturbations=[FeatureShuffle(columns=["salary"])])
