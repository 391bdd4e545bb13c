"""`aims evaluate` / `aims drift` and `python -m aims.evidence`: the JSON contract, formats and errors."""

from __future__ import annotations

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import fairlearn.metrics as flm
import pytest
from sklearn import metrics as skm

from aims.evidence import EvidenceInputError
from aims.evidence.cli import DriftFound, run_drift, run_evaluate

from .conftest import make_scored

ROOT = Path(__file__).resolve().parents[2]
DISPARITIES = (
    "demographic_parity_difference",
    "demographic_parity_ratio",
    "equalized_odds_difference",
    "equal_opportunity_difference",
    "disparate_impact_ratio",
)


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "scored.parquet"
    df = make_scored(5_000, seed=11)
    df.to_parquet(path)
    return path, df


def evaluate_options(path, **extra):
    return {
        "data": str(path),
        "target": "y",
        "prediction": "pred",
        "score": "score",
        "sensitive": ["sex", "age_band"],
        "format": "json",
        **extra,
    }


def test_evaluate_json_follows_the_contract_and_agrees_with_the_reference_libraries(scored):
    path, df = scored
    doc = json.loads(run_evaluate(evaluate_options(path)))
    perf = doc["performance"]
    for name, fn in (
        ("accuracy", skm.accuracy_score),
        ("precision", skm.precision_score),
        ("recall", skm.recall_score),
        ("f1", skm.f1_score),
    ):
        assert perf[name] == pytest.approx(fn(df.y, df.pred), abs=1e-12)
    assert perf["roc_auc"] == pytest.approx(skm.roc_auc_score(df.y, df.score), abs=1e-12)
    assert {"false_positive_rate", "false_negative_rate", "confusion_matrix"} <= set(perf)
    assert set(doc["fairness"]) == {"sex", "age_band", "sex|age_band"}
    for attr in ("sex", "age_band"):
        part = doc["fairness"][attr]
        assert set(DISPARITIES) <= set(part)
        assert part["demographic_parity_difference"] == pytest.approx(
            flm.demographic_parity_difference(df.y, df.pred, sensitive_features=df[attr]), abs=1e-15
        )
        assert part["equalized_odds_difference"] == pytest.approx(
            flm.equalized_odds_difference(df.y, df.pred, sensitive_features=df[attr]), abs=1e-15
        )
        for group in part["groups"].values():
            assert {
                "count",
                "selection_rate",
                "true_positive_rate",
                "false_positive_rate",
                "accuracy",
            } <= set(group)


def test_evaluate_table_and_html_formats(scored, tmp_path):
    path, _ = scored
    table = run_evaluate(evaluate_options(path, format="table"))
    assert "Fairness by sex|age_band" in table and "four-fifths rule" in table and "roc_auc" in table
    out = tmp_path / "report.html"
    assert run_evaluate(evaluate_options(path, format="html", output=str(out))) == ""
    html = out.read_text()
    assert html.startswith("<!doctype html>") and "<svg" in html and "selection rate by sex" in html


def test_evaluate_names_a_missing_column(scored):
    path, _ = scored
    with pytest.raises(EvidenceInputError, match="column 'gender' is not in"):
        run_evaluate(evaluate_options(path, sensitive=["gender"]))


def test_drift_json_has_per_column_decisions_and_the_drifted_share(tmp_path):
    ref, cur = make_scored(4_000, seed=1), make_scored(4_000, seed=2)
    cur["x0"] = cur["x0"] + 0.5  # a real shift in one feature
    ref.to_parquet(tmp_path / "ref.parquet")
    cur.to_csv(tmp_path / "cur.csv", index=False)  # mixed file types on purpose
    doc = json.loads(
        run_drift(
            {
                "reference": str(tmp_path / "ref.parquet"),
                "current": str(tmp_path / "cur.csv"),
                "columns": ["x0", "x1", "sex", "age_band"],
                "target": "y",
                "prediction": "pred",
                "format": "json",
            }
        )
    )
    for col in ("x0", "x1", "sex", "age_band"):
        assert {"kind", "test", "statistic", "p_value", "psi", "drift"} <= set(doc["columns"][col])
    assert doc["drifted_columns"] == ["x0"] and doc["share_drifted"] == 0.25
    assert doc["label_drift"]["y"]["kind"] == "categorical"
    html = run_drift(
        {
            "reference": str(tmp_path / "ref.parquet"),
            "current": str(tmp_path / "cur.csv"),
            "columns": ["x0", "x1", "sex"],
            "format": "html",
        }
    )
    assert "<svg" in html and "threshold 0.2" in html and 'class="drift"' in html
    with pytest.raises(DriftFound) as found:
        run_drift(
            {
                "reference": str(tmp_path / "ref.parquet"),
                "current": str(tmp_path / "cur.csv"),
                "columns": ["x0"],
                "fail_on_drift": True,
                "format": "table",
            }
        )
    assert "x0" in str(found.value) and "DRIFT" in found.value.output


def test_drift_threshold_options_are_parsed_and_checked(tmp_path):
    ref, cur = make_scored(2_000, seed=3), make_scored(2_000, seed=4)
    ref.to_parquet(tmp_path / "ref.parquet")
    cur.to_parquet(tmp_path / "cur.parquet")
    base = {
        "reference": str(tmp_path / "ref.parquet"),
        "current": str(tmp_path / "cur.parquet"),
        "columns": ["x0"],
        "format": "json",
    }
    doc = json.loads(run_drift({**base, "threshold": ["psi=0.3"], "column_threshold": ["x0:alpha=0.01"]}))
    assert doc["thresholds"]["psi"] == 0.3 and doc["column_thresholds"] == {"x0": {"alpha": 0.01}}
    with pytest.raises(EvidenceInputError, match="NAME=VALUE"):
        run_drift({**base, "threshold": ["psi"]})
    with pytest.raises(EvidenceInputError, match="not a number"):
        run_drift({**base, "threshold": ["psi=high"]})


def test_engine_cli_without_django_exits_with_a_message(scored):
    path, _ = scored
    ok = subprocess.run(
        [
            sys.executable,
            "-m",
            "aims.evidence",
            "evaluate",
            str(path),
            "--target",
            "y",
            "--prediction",
            "pred",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert ok.returncode == 0 and json.loads(ok.stdout)["task"] == "binary"
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "aims.evidence",
            "evaluate",
            str(path),
            "--target",
            "label",
            "--prediction",
            "pred",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert bad.returncode == 2 and "column 'label' is not in" in bad.stderr and "Traceback" not in bad.stderr


def test_django_evaluate_command_prints_the_same_json(scored):
    from django.core.management import call_command

    path, _ = scored
    out = StringIO()
    call_command(
        "evaluate",
        str(path),
        "--target",
        "y",
        "--prediction",
        "pred",
        "--score",
        "score",
        "--sensitive",
        "sex",
        "--sensitive",
        "age_band",
        "--format",
        "json",
        stdout=out,
    )
    assert json.loads(out.getvalue()) == json.loads(run_evaluate(evaluate_options(path)))


def test_django_commands_fail_with_the_column_name(scored):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    path, _ = scored
    with pytest.raises(CommandError, match="column 'nope' is not in"):
        call_command("evaluate", str(path), "--target", "nope", "--prediction", "pred", stdout=StringIO())
    with pytest.raises(CommandError, match="column 'nope' is not in"):
        call_command("drift", str(path), str(path), "--columns", "nope", stdout=StringIO())


def test_aims_evaluate_process_exits_non_zero_on_a_missing_column(scored):
    path, _ = scored
    proc = subprocess.run(
        [sys.executable, "-m", "aims", "evaluate", str(path), "--target", "y", "--prediction", "predicted"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode != 0
    assert "column 'predicted' is not in" in proc.stderr and "Traceback" not in proc.stderr


def test_drift_stats_option_chooses_the_statistics_and_refuses_unknown_names(tmp_path):
    ref, cur = make_scored(3_000, seed=5), make_scored(3_000, seed=6)
    cur["x0"] = cur["x0"] + 0.5
    ref.to_parquet(tmp_path / "ref.parquet")
    cur.to_parquet(tmp_path / "cur.parquet")
    base = {
        "reference": str(tmp_path / "ref.parquet"),
        "current": str(tmp_path / "cur.parquet"),
        "columns": ["x0", "x1", "sex"],
        "format": "json",
    }
    full = json.loads(run_drift(base))
    part = json.loads(run_drift({**base, "stats": "wasserstein,js"}))
    assert part["statistics"] == ["wasserstein", "js"] and "statistics" not in full
    for col in ("x0", "x1", "sex"):
        assert part["columns"][col]["jensen_shannon"] == full["columns"][col]["jensen_shannon"]
        assert part["columns"][col]["p_value"] is None and part["columns"][col]["psi"] is None
    assert part["columns"]["x0"]["wasserstein_normed"] == full["columns"]["x0"]["wasserstein_normed"]
    assert part["drifted_columns"] == ["x0"]
    assert "(no test)" in run_drift({**base, "stats": "wasserstein,js", "format": "table"})
    with pytest.raises(EvidenceInputError, match="unknown drift statistic.*'kstest'.*choose from"):
        run_drift({**base, "stats": "kstest,js"})
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "aims.evidence",
            "drift",
            base["reference"],
            base["current"],
            "--columns",
            "x0",
            "--stats",
            "ks,nope",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert (
        bad.returncode == 2
        and "unknown drift statistic(s): 'nope'" in bad.stderr
        and "Traceback" not in bad.stderr
    )


def test_django_drift_command_takes_the_stats_option(tmp_path):
    from django.core.management import call_command

    ref, cur = make_scored(1_000, seed=7), make_scored(1_000, seed=8)
    ref.to_parquet(tmp_path / "ref.parquet")
    cur.to_parquet(tmp_path / "cur.parquet")
    out = StringIO()
    call_command(
        "drift",
        str(tmp_path / "ref.parquet"),
        str(tmp_path / "cur.parquet"),
        "--columns",
        "x0",
        "sex",
        "--stats",
        "wasserstein,js",
        stdout=out,
    )
    doc = json.loads(out.getvalue())
    assert doc["statistics"] == ["wasserstein", "js"] and doc["columns"]["x0"]["statistic"] is None
