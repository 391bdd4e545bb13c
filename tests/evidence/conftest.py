"""Shared data for the evidence tests: the German credit data with a deterministically trained model,
and seeded synthetic data. Nothing here needs Django or a database."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from aims.evidence.datasets import load_german_credit

AGE_BANDS = ["18-25", "26-40", "41-60", "60+"]


def age_band(age: pd.Series) -> pd.Series:
    """Age in the four bands used throughout the tests (as strings, like most real exports)."""
    return pd.cut(age, [0, 25, 40, 60, 200], labels=AGE_BANDS).astype(str)


@pytest.fixture(scope="session")
def german() -> pd.DataFrame:
    """German credit with a logistic-regression model's prediction and score (trained on rows 0-699).

    lbfgs on standardised one-hot features is deterministic, so every number below is reproducible.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    df = load_german_credit()
    X = pd.get_dummies(df.drop(columns=["risk"]), dtype=float)
    X = StandardScaler().fit(X.iloc[:700]).transform(X)
    model = LogisticRegression(max_iter=1000).fit(X[:700], df["risk"].iloc[:700])
    out = df.copy()
    out["score"] = model.predict_proba(X)[:, 1]
    out["pred"] = model.predict(X)
    out["age_band"] = age_band(df["age"])
    return out


@pytest.fixture(scope="session")
def synthetic() -> pd.DataFrame:
    """Seeded scored data in the shape of the acceptance check (20,000 rows)."""
    return make_scored(20_000, seed=20261127)


def make_scored(n: int, seed: int) -> pd.DataFrame:
    """The acceptance check's generator (binary target, score, prediction, sex, age band)."""
    rng = np.random.default_rng(seed)
    sex = rng.choice(["female", "male"], n, p=[0.45, 0.55])
    age = rng.choice(AGE_BANDS, n, p=[0.2, 0.4, 0.3, 0.1])
    x = rng.normal(size=(n, 5))
    z = x @ np.array([0.8, -0.5, 0.3, 0.2, 0.1]) + 0.3 * (sex == "male") - 0.2 * (age == "60+")
    y = (z + rng.normal(scale=1.0, size=n) > 0).astype(int)
    score = 1 / (1 + np.exp(-z))
    df = pd.DataFrame({f"x{i}": x[:, i] for i in range(5)})
    df["sex"], df["age_band"], df["y"], df["score"] = sex, age, y, score
    df["pred"] = (score > 0.5).astype(int)
    return df
