"""Inputs: every supported container and file type gives the same numbers; bad input is named."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.feather as feather
import pytest

from aims import evidence
from aims.evidence import EvidenceInputError, MissingColumnError
from aims.evidence.io import read_table, to_categorical, to_numeric

SETUP = {"target": "y", "prediction": "pred", "score": "score", "sensitive": ["sex", "age_band"]}


def numbers(doc: dict) -> dict:
    return {"performance": doc["performance"], "fairness": doc["fairness"]}


@pytest.fixture(scope="module")
def frame(synthetic) -> pd.DataFrame:
    return synthetic.iloc[:3000].reset_index(drop=True)


@pytest.fixture(scope="module")
def expected(frame) -> dict:
    return numbers(evidence.evaluate(frame, **SETUP))


def test_files_of_every_type_give_the_same_numbers(tmp_path, frame, expected):
    frame.to_parquet(tmp_path / "d.parquet")
    frame.to_csv(tmp_path / "d.csv", index=False)
    frame.to_csv(tmp_path / "d.csv.gz", index=False)
    frame.to_csv(tmp_path / "d.tsv", index=False, sep="\t")
    feather.write_feather(pa.Table.from_pandas(frame), tmp_path / "d.feather")
    for name in ("d.parquet", "d.csv", "d.csv.gz", "d.tsv", "d.feather"):
        doc = evidence.evaluate(tmp_path / name, **SETUP)
        assert doc["performance"]["accuracy"] == expected["performance"]["accuracy"], name
        assert doc["fairness"] == expected["fairness"], name
        # CSV stores floats as decimal text; the score round-trips exactly with pandas' repr
        assert doc["performance"]["roc_auc"] == pytest.approx(
            expected["performance"]["roc_auc"], abs=1e-15
        ), name


def test_in_memory_containers_give_the_same_numbers(frame, expected):
    containers = {
        "dict of arrays": {c: frame[c].to_numpy() for c in frame.columns},
        "dict of lists": {c: frame[c].tolist() for c in frame.columns},
        "arrow table": pa.Table.from_pandas(frame),
        "pandas categoricals": frame.astype({"sex": "category", "age_band": "category"}),
        "pandas nullable strings": frame.astype({"sex": "string", "age_band": "string"}),
        "numpy structured": frame[["y", "pred", "score"]]
        .assign(sex=frame["sex"].astype("U6"), age_band=frame["age_band"].astype("U5"))
        .to_records(index=False),
    }
    for name, data in containers.items():
        assert numbers(evidence.evaluate(data, **SETUP)) == expected, name


def test_polars_frames_are_read_without_conversion_by_the_caller(frame, expected):
    pl = pytest.importorskip("polars")
    assert numbers(evidence.evaluate(pl.from_pandas(frame), **SETUP)) == expected


def test_a_missing_column_is_named_with_the_available_ones(tmp_path, frame):
    frame.to_parquet(tmp_path / "d.parquet")
    for source in (frame, tmp_path / "d.parquet", {"y": [1]}):
        with pytest.raises(MissingColumnError) as info:
            evidence.evaluate(source, target="y", prediction="prediction")
        assert info.value.column == "prediction"
        assert "'prediction' is not in" in str(info.value) and "'y'" in str(info.value)


def test_unreadable_sources_are_explained(tmp_path):
    with pytest.raises(EvidenceInputError, match="no such file"):
        read_table(tmp_path / "nope.parquet")
    (tmp_path / "d.xlsx").write_text("x")
    with pytest.raises(EvidenceInputError, match="unknown file type"):
        read_table(tmp_path / "d.xlsx")
    with pytest.raises(EvidenceInputError, match="different lengths"):
        read_table({"a": [1, 2], "b": [1]})


def test_categorical_encoding_sorts_and_marks_missing_values():
    cat = to_categorical(pd.Series(["b", None, "a", "b", np.nan]))
    assert cat.categories == ["a", "b"] and cat.codes.tolist() == [1, -1, 0, 1, -1]
    assert to_categorical(np.array([3, 1, 3, 10])).categories == [1, 3, 10]
    assert to_categorical(np.array([True, False, True])).categories == [False, True]
    assert to_categorical(pa.chunked_array([["x", None], ["y", "x"]])).codes.tolist() == [0, -1, 1, 0]
    mixed = to_categorical(np.array([1, "1", 2.5], dtype=object))
    assert len(mixed.categories) == 3  # 1 and "1" are different values


def test_numeric_conversion_counts_type_violations_separately_from_missing():
    values, bad = to_numeric(pd.Series(["1.5", "", None, "x", "3"], dtype=object))
    assert bad == 1
    assert np.isnan(values).sum() == 3 and values[0] == 1.5 and values[4] == 3.0
    ints, bad = to_numeric(pa.array([1, None, 3]))
    assert bad == 0 and np.isnan(ints[1]) and ints[2] == 3.0
