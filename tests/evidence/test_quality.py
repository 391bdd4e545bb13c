"""Data quality against a schema inferred from the reference: missing, wrong types, range, unseen."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from aims.evidence import Schema, check_quality, infer_schema


def test_schema_is_inferred_from_the_reference(german):
    schema = infer_schema(german, ["age", "credit_amount", "housing", "saving_accounts", "risk"])
    age = schema.columns["age"]
    assert (age.kind, age.value_type, age.minimum, age.maximum) == ("numeric", "integer", 19.0, 75.0)
    housing = schema.columns["housing"]
    assert housing.kind == "categorical" and housing.categories == ["free", "own", "rent"]
    assert schema.columns["risk"].kind == "numeric"  # integers are numeric unless declared categorical
    again = Schema.from_dict(schema.to_dict())
    assert again == schema


def test_a_clean_current_set_has_no_issues(german):
    rep = check_quality(german.iloc[500:], infer_schema(german))
    assert rep["issues"] == [] and rep["missing_columns"] == []


def test_every_kind_of_problem_is_counted_and_described(german):
    schema = infer_schema(german, ["age", "credit_amount", "housing", "duration"])
    cur = german[["age", "credit_amount", "housing", "duration"]].iloc[:100].copy()
    cur["age"] = cur["age"].astype(float)
    cur.loc[cur.index[:3], "age"] = np.nan  # missing (the reference had none)
    cur.loc[cur.index[3:5], "age"] = 120.0  # above the maximum
    cur.loc[cur.index[5], "age"] = 30.5  # not an integer
    cur["housing"] = cur["housing"].astype(object)
    cur.loc[cur.index[:4], "housing"] = "castle"  # unseen category
    cur.loc[cur.index[4], "housing"] = 7  # wrong type in a string column
    cur["extra"] = 1
    cur = cur.drop(columns=["duration"])
    rep = check_quality(cur, schema)
    age = rep["columns"]["age"]
    assert (age["missing"], age["above_maximum"], age["below_minimum"], age["type_violations"]) == (
        3,
        2,
        0,
        1,
    )
    housing = rep["columns"]["housing"]
    assert housing["unseen"] == 5 and housing["unseen_examples"][0] == "castle"
    assert housing["type_violations"] == 1
    assert rep["missing_columns"] == ["duration"] and rep["extra_columns"] == ["extra"]
    text = "\n".join(rep["issues"])
    for expected in (
        "'duration' is missing",
        "3 (3.00 %) missing",
        "above the reference maximum 75",
        "categories the reference never had ('castle'",
        "wrong type (expected integer)",
    ):
        assert expected in text


def test_unparseable_values_in_a_numeric_csv_column_are_type_violations(tmp_path):
    ref = tmp_path / "ref.csv"
    cur = tmp_path / "cur.csv"
    ref.write_text("amount,city\n10,Oslo\n20,Bergen\n30,Oslo\n")
    cur.write_text("amount,city\n15,Oslo\ntwelve,Bergen\n,Oslo\n25,Paris\n")
    rep = check_quality(cur, ref)  # the schema is inferred from the reference file
    amount = rep["columns"]["amount"]
    assert amount["type_violations"] == 1 and amount["missing"] == 1
    assert rep["columns"]["city"]["unseen_examples"] == ["Paris"]


def test_high_cardinality_columns_are_not_checked_for_unseen_values():
    ref = pd.DataFrame({"id": [f"u{i}" for i in range(50)]})
    schema = infer_schema(ref, max_categories=10)
    assert schema.columns["id"].categories is None
    rep = check_quality(pd.DataFrame({"id": ["new1", "new2"]}), schema)
    assert rep["columns"]["id"]["unseen"] == 0


def test_a_missing_share_within_the_reference_rate_is_not_an_issue():
    ref = pd.DataFrame({"x": [1.0, np.nan] * 50})
    cur = pd.DataFrame({"x": [1.0, np.nan] * 5})
    rep = check_quality(cur, ref)
    assert rep["columns"]["x"]["missing_share"] == pytest.approx(0.5)
    assert rep["issues"] == []


def test_a_few_values_beyond_the_reference_range_are_expected_by_chance():
    rng = np.random.default_rng(0)
    ref = pd.DataFrame({"x": rng.normal(size=5_000)})
    cur = pd.DataFrame({"x": rng.normal(size=5_000)})
    rep = check_quality(cur, ref)
    assert rep["columns"]["x"]["out_of_range"] <= 10  # counted ...
    assert rep["issues"] == []  # ... but not raised: about 2 in 5,000 is what chance gives
    cur.loc[:50, "x"] = 99.0
    assert any("above the reference maximum" in i for i in check_quality(cur, ref)["issues"])
