#!/usr/bin/env python3
"""Speed of ``aims.evidence`` against fairlearn and a plain numpy baseline, on seeded data.

Two data sets, both generated here with the generators of the project's reference benchmarks
(``../shared/benchmarks/anchors/bench_anchors.py`` and the acceptance check
``50-evidence-speed``), so that figures compare like for like:

* ``scored_N.parquet``: the acceptance check's scored rows (target ``y``, prediction ``pred``,
  score ``score``, sensitive ``sex`` (2 groups) and ``age_band`` (4 groups)).
* ``ref_N.parquet`` / ``cur_N.parquet``: the anchors' reference and drifted current sets (20 numeric
  and 5 categorical features, ``y_true``, ``y_score``, ``y_pred``, ``sex``, ``age_band``).

Tasks (each run in a fresh process; "compute" excludes imports and loading, as in the anchors):

  aims_evaluate      performance + fairness (sex, age_band, sex x age_band) on the scored set
  fairlearn_evaluate the acceptance check's fairlearn + scikit-learn script on the same data
  aims_all           performance + fairness + drift on all 25 columns (anchors' ref vs cur)
  aims_drift         drift on the 25 feature columns alone (every AIMS statistic; what Evidently's
                     data-drift report is compared with)
  aims_same_work     the same 25 columns computing only what Evidently computes at this size
                     (normed Wasserstein for numeric, Jensen-Shannon for categorical columns),
                     decided with Evidently's thresholds
  aims_same_work_serial  the same on one thread (threads=1): less CPU time, more wall time
  evidently_drift    Evidently's DataDriftPreset report on the same columns (EVIDENTLY_PYTHON)
  numpy_all          a plain numpy/scipy baseline doing the same arithmetic as aims_all
  fairlearn_all      MetricFrame (count, accuracy, selection rate, TPR, FPR) + DP/EO differences for
                     sex and age_band on the anchors' current set
  profile_merge      profile 1,000 batches (untimed), then time merging them and computing every
                     metric from the merged profile (performance, fairness, drift of 7 columns)
  cli_aims / cli_fairlearn   end to end, process start included, as the acceptance check does

Usage (from the repository root; data and results go to the current directory):

    .venv/bin/python benchmarks/evidence/bench_evidence.py gen --n 1000000
    .venv/bin/python benchmarks/evidence/bench_evidence.py run --n 1000000 --repeats 3
    .venv/bin/python benchmarks/evidence/bench_evidence.py report

Evidently needs ``pandas<3`` and about 1 GB of dependencies, so it is not in the project's
environment: ``evidently_drift`` runs with the interpreter named by ``EVIDENTLY_PYTHON``, a separate
virtual environment that ``compare_evidently.sh`` makes and uses.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = Path(os.environ.get("BENCH_DATA_DIR", Path.cwd() / "bench-data"))
RESULTS = Path(os.environ.get("BENCH_RESULTS", Path.cwd() / "bench-evidence.jsonl"))
SEED = 20240611  # the anchors' seed
NUM = [f"num_{i:02d}" for i in range(20)]
CAT = [f"cat_{i}" for i in range(5)]
AGE_LEVELS = ["18-29", "30-44", "45-59", "60+"]


# ------------------------------------------------------------------------------------------------
# data: copied from the acceptance check and the anchors so that the figures compare
# ------------------------------------------------------------------------------------------------
def gen_scored(n: int, path: Path) -> None:
    """The acceptance check's generator (50-evidence-speed), verbatim apart from n."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(20261127)
    sex = rng.choice(["female", "male"], n, p=[0.45, 0.55])
    age = rng.choice(["18-25", "26-40", "41-60", "60+"], n, p=[0.2, 0.4, 0.3, 0.1])
    x = rng.normal(size=(n, 5))
    z = x @ np.array([0.8, -0.5, 0.3, 0.2, 0.1]) + 0.3 * (sex == "male") - 0.2 * (age == "60+")
    y = (z + rng.normal(scale=1.0, size=n) > 0).astype(int)
    score = 1 / (1 + np.exp(-z))
    pred = (score > 0.5).astype(int)
    df = pd.DataFrame({f"x{i}": x[:, i] for i in range(5)})
    df["sex"] = sex
    df["age_band"] = age
    df["y"] = y
    df["score"] = score
    df["pred"] = pred
    df.to_parquet(path)


def _make_frame(n: int, rng, drift: bool):  # noqa: ANN001 - the anchors' generator, verbatim
    import numpy as np
    import pandas as pd

    cols = {}
    sex = rng.choice(2, size=n, p=[0.48, 0.52])
    age = rng.choice(4, size=n, p=[0.22, 0.31, 0.27, 0.20])
    z = rng.standard_normal((n, 4))
    cols["num_00"] = z[:, 0] + (0.25 if drift else 0.0)
    cols["num_01"] = 50 + 10 * (1.5 if drift else 1.0) * rng.standard_normal(n)
    cols["num_02"] = rng.lognormal(mean=10.0, sigma=0.95 if drift else 0.8, size=n)
    cols["num_03"] = z[:, 1] + (0.03 if drift else 0.0)
    cols["num_04"] = rng.exponential(scale=2.0, size=n)
    x5 = 100 + 15 * rng.standard_normal(n)
    x5[rng.random(n) < (0.06 if drift else 0.02)] = np.nan
    cols["num_05"] = x5
    x6 = rng.random(n)
    if drift:
        x6[rng.random(n) < 0.005] = -999.0
    cols["num_06"] = x6
    cols["num_07"] = rng.poisson(3.0, size=n).astype(np.int64)
    cols["num_08"] = rng.poisson(20.0, size=n).astype(np.int64)
    cols["num_09"] = rng.beta(2.0, 5.0, size=n)
    prng = np.random.default_rng(7)
    load = prng.normal(size=(4, 10))
    mu = prng.uniform(-5, 5, size=10)
    sd = prng.uniform(0.5, 20, size=10)
    base = z @ load + rng.standard_normal((n, 10))
    base = base / np.sqrt((load**2).sum(0) + 1.0)
    for j in range(10):
        v = mu[j] + sd[j] * base[:, j]
        if j in (3, 7):
            v[rng.random(n) < 0.01] = np.nan
        cols[f"num_{10 + j:02d}"] = v

    def cat(levels, p, size):  # noqa: ANN001, ANN202
        codes = rng.choice(len(levels), size=size, p=p)
        return np.asarray(levels, dtype=object)[codes]

    cols["cat_0"] = cat(
        ["N", "S", "E", "W", "C"],
        [0.25, 0.25, 0.2, 0.2, 0.1] if not drift else [0.15, 0.30, 0.2, 0.2, 0.15],
        n,
    )
    cols["cat_1"] = cat(["web", "app", "store"], [0.5, 0.3, 0.2], n)
    c2 = cat([f"prod_{k}" for k in range(10)], list(np.full(10, 0.1)), n)
    c2[rng.random(n) < 0.01] = None
    cols["cat_2"] = c2
    cols["cat_3"] = cat(["yes", "no"], [0.35, 0.65], n)
    w = 1.0 / np.arange(1, 51) ** 0.8
    w = w / w.sum()
    states = [f"S{k:02d}" for k in range(50)]
    if drift:
        states = states + ["ZZ"]
        w = np.append(w * 0.99, 0.01)
    cols["cat_4"] = cat(states, list(w), n)
    cols["sex"] = np.asarray(["F", "M"], dtype=object)[sex]
    cols["age_band"] = np.asarray(AGE_LEVELS, dtype=object)[age]
    lin = (
        0.9 * z[:, 0]
        - 0.5 * z[:, 1]
        + 0.4 * (np.log(cols["num_02"]) - 10.0)
        + 0.3 * (cols["cat_3"] == "yes")
        + np.array([0.0, 0.25])[sex]
        + np.array([0.1, 0.3, 0.0, -0.4])[age]
        - 0.3
    )
    p_true = 1.0 / (1.0 + np.exp(-(lin + 0.8 * rng.standard_normal(n))))
    cols["y_true"] = (rng.random(n) < p_true).astype(np.int64)
    score_logit = 0.85 * lin + np.array([0.0, 0.15])[sex] + 0.6 * rng.standard_normal(n)
    cols["y_score"] = 1.0 / (1.0 + np.exp(-score_logit))
    cols["y_pred"] = (cols["y_score"] >= 0.5).astype(np.int64)
    return pd.DataFrame(cols)


def paths(n: int) -> dict[str, Path]:
    return {
        "scored": DATA / f"scored_{n}.parquet",
        "ref": DATA / f"ref_{n}.parquet",
        "cur": DATA / f"cur_{n}.parquet",
    }


def cmd_gen(n: int) -> None:
    import numpy as np

    DATA.mkdir(parents=True, exist_ok=True)
    p = paths(n)
    if not p["scored"].exists():
        gen_scored(n, p["scored"])
    if not (p["ref"].exists() and p["cur"].exists()):
        _make_frame(n, np.random.default_rng([SEED, n, 0]), drift=False).to_parquet(p["ref"], index=False)
        _make_frame(n, np.random.default_rng([SEED, n, 1]), drift=True).to_parquet(p["cur"], index=False)
    print(f"data for n={n} in {DATA}", file=sys.stderr)


# ------------------------------------------------------------------------------------------------
# tasks: load() then run(data); only run() is timed as compute
# ------------------------------------------------------------------------------------------------
def _status() -> dict[str, int]:
    out = {}
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(("VmHWM", "VmRSS")):
                key, value = line.split(":")
                out[key] = int(value.split()[0])
    return out


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


FAIR_METRICS_NAMES = ("count", "accuracy", "selection_rate", "tpr", "fpr")


def load_scored(n: int):  # noqa: ANN201
    import pandas as pd

    return pd.read_parquet(paths(n)["scored"])


def load_anchor(n: int):  # noqa: ANN201
    import pandas as pd

    return pd.read_parquet(paths(n)["ref"]), pd.read_parquet(paths(n)["cur"])


def run_aims_evaluate(df) -> dict:  # noqa: ANN001
    from aims.evidence import evaluate

    doc = evaluate(df, target="y", prediction="pred", score="score", sensitive=["sex", "age_band"])
    return {
        "dpd_sex": doc["fairness"]["sex"]["demographic_parity_difference"],
        "auc": doc["performance"]["roc_auc"],
    }


def run_fairlearn_evaluate(df) -> dict:  # noqa: ANN001
    """The acceptance check's reference script, as a function."""
    from fairlearn.metrics import (
        MetricFrame,
        demographic_parity_difference,
        equalized_odds_difference,
        false_positive_rate,
        selection_rate,
        true_positive_rate,
    )
    from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score, roc_auc_score

    y, p = df.y, df.pred
    perf = [f(y, p) for f in (accuracy_score, precision_score, recall_score, f1_score)] + [
        roc_auc_score(y, df.score)
    ]
    out = {"auc": perf[-1]}
    for a in ("sex", "age_band"):
        frame = MetricFrame(
            metrics={
                "accuracy": accuracy_score,
                "selection_rate": selection_rate,
                "tpr": true_positive_rate,
                "fpr": false_positive_rate,
            },
            y_true=y,
            y_pred=p,
            sensitive_features=df[a],
        )
        out[f"groups_{a}"] = len(frame.by_group)
        out[f"dpd_{a}"] = demographic_parity_difference(y, p, sensitive_features=df[a])
        equalized_odds_difference(y, p, sensitive_features=df[a])
    return out


def run_aims_all(data) -> dict:  # noqa: ANN001
    from aims.evidence import drift, evaluate

    ref, cur = data
    doc = evaluate(cur, target="y_true", prediction="y_pred", score="y_score", sensitive=["sex", "age_band"])
    d = drift(ref, cur, columns=NUM + CAT)
    return {
        "dpd": doc["fairness"]["sex|age_band"]["demographic_parity_difference"],
        "drifted": d["drifted_columns"],
    }


def run_aims_drift(data) -> dict:  # noqa: ANN001
    """Drift of the 25 feature columns alone: the work Evidently's data-drift report does."""
    from aims.evidence import drift

    d = drift(*data, columns=NUM + CAT)
    cols = d["columns"]
    return {
        "n_drifted": d["n_drifted"],
        "drifted_columns": sorted(d["drifted_columns"]),
        "wasserstein_normed": {c: cols[c].get("wasserstein_normed") for c in NUM},
        "jensen_shannon": {c: cols[c].get("jensen_shannon") for c in CAT},
    }


EVIDENTLY_THRESHOLD = 0.1  # Evidently's default threshold of both wasserstein (normed) and jensenshannon


def run_aims_same_work(data, threads: int | None = None) -> dict:  # noqa: ANN001
    """Exactly the work of Evidently's ``DataDriftPreset`` on these columns at this size, and its decision.

    Evidently's default method above 1,000 reference rows (``_get_default_stattest``) is the normed
    Wasserstein distance for numeric columns with more than 5 distinct values (all 20 here) and the
    Jensen–Shannon distance (natural log) for categorical columns, each drifting at >= 0.1, with no
    test. AIMS computes the same two (``stats=("wasserstein", "js")``: no KS, chi-square or PSI), its
    JS in log base 2, so the threshold is 0.1 / sqrt(ln 2). Missing, out-of-range and unseen shares
    are counts AIMS always takes; their thresholds are set to infinity, as Evidently has no such signal.
    """
    from aims.evidence import drift

    limits = {
        "wasserstein_normed": EVIDENTLY_THRESHOLD,
        "jensen_shannon": EVIDENTLY_THRESHOLD / math.sqrt(math.log(2)),
        "out_of_range_share": math.inf,
        "unseen_share": math.inf,
        "missing_share_change": math.inf,
    }
    d = drift(*data, columns=NUM + CAT, stats=("wasserstein", "js"), thresholds=limits, threads=threads)
    cols = d["columns"]
    w = {c: cols[c]["wasserstein_normed"] for c in NUM}
    js = {c: cols[c]["jensen_shannon"] for c in CAT}
    # Evidently's rule applied to AIMS's numbers directly (natural-log JS), as a cross-check of the decision.
    rule = [c for c in NUM if w[c] >= EVIDENTLY_THRESHOLD]
    rule += [c for c in CAT if js[c] * math.sqrt(math.log(2)) >= EVIDENTLY_THRESHOLD]
    return {
        "n_drifted": d["n_drifted"],
        "drifted_columns": sorted(d["drifted_columns"]),
        "evidently_rule_drifted": sorted(rule),
        "statistics": d["statistics"],
        "wasserstein_normed": w,
        "jensen_shannon": js,
    }


def run_aims_same_work_serial(data) -> dict:  # noqa: ANN001
    """``aims_same_work`` on one thread (``threads=1``): the CPU time without two threads sharing the cores'
    caches and memory bandwidth, at the price of the wall time."""
    return run_aims_same_work(data, threads=1)


def run_evidently_drift(data) -> dict:  # noqa: ANN001
    """Evidently's data-drift report (``DataDriftPreset``, default methods) on the 25 feature
    columns, as the anchors run it: building the two datasets and ``Report.run`` are timed,
    ``snapshot.dict()`` too (it is how the numbers are read). Runs in its own virtual environment
    (``compare_evidently.sh``): Evidently needs pandas<3."""
    from evidently import DataDefinition, Dataset, Report
    from evidently.presets import DataDriftPreset

    ref, cur = data
    dd = DataDefinition(numerical_columns=NUM, categorical_columns=CAT)
    ref_ds = Dataset.from_pandas(ref[NUM + CAT], data_definition=dd)
    cur_ds = Dataset.from_pandas(cur[NUM + CAT], data_definition=dd)
    snap = Report([DataDriftPreset()]).run(cur_ds, ref_ds)
    out: dict = {"per_column": {}, "methods": {}}
    for m in snap.dict()["metrics"]:
        cfg = m.get("config", {}) or {}
        typ = cfg.get("type", "")
        if typ.endswith("ValueDrift"):
            out["per_column"][cfg.get("column")] = float(m["value"])
            out["methods"][cfg.get("column")] = f"{cfg.get('method')} > {cfg.get('threshold')}"
        elif typ.endswith("DriftedColumnsCount"):
            out["n_drifted"] = m["value"]["count"] if isinstance(m["value"], dict) else m["value"]
    out["drifted_columns"] = sorted(
        c for c, v in out["per_column"].items() if v >= float(out["methods"][c].rsplit(" ", 1)[-1])
    )
    return out


def run_fairlearn_all(data) -> dict:  # noqa: ANN001
    from fairlearn.metrics import (
        MetricFrame,
        count,
        demographic_parity_difference,
        equalized_odds_difference,
        false_positive_rate,
        selection_rate,
        true_positive_rate,
    )
    from sklearn.metrics import accuracy_score

    _, cur = data
    y, p = cur["y_true"], cur["y_pred"]
    metrics = {
        "count": count,
        "accuracy": accuracy_score,
        "selection_rate": selection_rate,
        "tpr": true_positive_rate,
        "fpr": false_positive_rate,
    }
    out = {}
    for a in ("sex", "age_band"):
        out[f"groups_{a}"] = len(
            MetricFrame(metrics=metrics, y_true=y, y_pred=p, sensitive_features=cur[a]).by_group
        )
        out[f"dpd_{a}"] = demographic_parity_difference(y, p, sensitive_features=cur[a])
        out[f"eod_{a}"] = equalized_odds_difference(y, p, sensitive_features=cur[a])
    return out


def run_numpy_all(data) -> dict:  # noqa: ANN001
    """The 'physical limit': hand-written numpy for the same arithmetic (the anchors' baseline)."""
    import numpy as np
    import pandas as pd
    from scipy import stats

    ref, cur = data
    y = cur["y_true"].to_numpy(np.int64)
    p = cur["y_pred"].to_numpy(np.int64)
    s = cur["y_score"].to_numpy(np.float64)
    tn, fp, fn, tp = np.bincount(y * 2 + p, minlength=4).tolist()
    pos, neg = np.sort(s[y == 1]), np.sort(s[y == 0])
    auc = (np.searchsorted(neg, pos, "left").sum() + np.searchsorted(neg, pos, "right").sum()) / (
        2 * pos.size * neg.size
    )
    c1, _ = pd.factorize(cur["sex"], sort=True)
    c2, u2 = pd.factorize(cur["age_band"], sort=True)
    cm = (
        np.bincount((c1 * len(u2) + c2) * 4 + y * 2 + p, minlength=2 * len(u2) * 4)
        .reshape(-1, 4)
        .astype(float)
    )
    sr = (cm[:, 1] + cm[:, 3]) / cm.sum(axis=1)
    out = {"auc": auc, "dpd": sr.max() - sr.min(), "acc": (tp + tn) / len(y)}
    for c in NUM:
        r = np.sort(ref[c].to_numpy(np.float64))
        x = np.sort(cur[c].to_numpy(np.float64))
        r, x = r[~np.isnan(r)], x[~np.isnan(x)]
        both = np.concatenate([r, x])
        allv = np.sort(both)
        d = np.searchsorted(r, allv, "right") / r.size - np.searchsorted(x, allv, "right") / x.size
        out[c] = float(np.abs(d).max())
        stats.kstwo.sf(out[c], round(r.size * x.size / (r.size + x.size)))
        np.sum(np.abs(d[:-1]) * np.diff(allv))
        edges = np.quantile(r, np.linspace(0, 1, 11)[1:-1])
        np.histogram(x, np.concatenate([[-np.inf], edges, [np.inf]]))
    for c in CAT:
        codes, uniq = pd.factorize(pd.concat([ref[c], cur[c]], ignore_index=True))
        rc = np.bincount(codes[: len(ref)][codes[: len(ref)] >= 0], minlength=len(uniq))
        cc = np.bincount(codes[len(ref) :][codes[len(ref) :] >= 0], minlength=len(uniq))
        out[c] = float(stats.chi2_contingency(np.vstack([rc, cc])).statistic)
    return out


def run_profile_merge(data) -> dict:  # noqa: ANN001
    """Merge the 1,000 batch profiles, then compute every metric: evaluation and drift."""
    from aims.evidence import drift, merge_profiles
    from aims.evidence.profile import evaluation_from_profile

    batches, reference = data
    merged = merge_profiles(batches)
    doc = evaluation_from_profile(merged)
    d = drift(reference, merged, columns=["x0", "x1", "x2", "x3", "x4", "sex", "age_band"])
    return {"n_rows": merged.n_rows, "auc": doc["performance"]["roc_auc"], "drifted": d["n_drifted"]}


def load_profile_batches(n: int):  # noqa: ANN201
    """1,000 profiles of the scored set in equal batches, and a reference profile of the whole."""
    import pyarrow as pa

    from aims.evidence import make_profile
    from aims.evidence.io import read_table

    table = read_table(paths(n)["scored"])
    full = pa.table({c: table[c] for c in table})
    setup = {"target": "y", "prediction": "pred", "score": "score", "sensitive": ["sex", "age_band"]}
    step = max(full.num_rows // 1000, 1)
    batches = [make_profile(full.slice(i, step), **setup) for i in range(0, full.num_rows, step)]
    return batches, make_profile(full, **setup)


TASKS = {
    "aims_evaluate": (load_scored, run_aims_evaluate),
    "fairlearn_evaluate": (load_scored, run_fairlearn_evaluate),
    "aims_all": (load_anchor, run_aims_all),
    "aims_drift": (load_anchor, run_aims_drift),
    "aims_same_work": (load_anchor, run_aims_same_work),
    "aims_same_work_serial": (load_anchor, run_aims_same_work_serial),
    "evidently_drift": (load_anchor, run_evidently_drift),
    "numpy_all": (load_anchor, run_numpy_all),
    "fairlearn_all": (load_anchor, run_fairlearn_all),
    "profile_merge": (load_profile_batches, run_profile_merge),
}


def _numpy_sort_probe() -> dict:
    """How fast this process's numpy sorts a million float64 values, after the timed part.

    On AMD Zen 4 numpy's AVX-512 sort (x86-simd-sort) is 4 to 6x slower than its AVX2 sort, as the
    memory form of ``vcompress`` is microcoded there (numpy/x86-simd-sort#6); the AVX2 path is
    taken when ``NPY_DISABLE_CPU_FEATURES="X86_V4 AVX512_ICL AVX512_SPR"`` is set before numpy is
    imported. The record keeps the setting and the measured speed so that figures are read right.
    """
    import numpy as np

    values = np.random.default_rng(0).standard_normal(1_000_000)
    best = math.inf
    for _ in range(3):
        copy = values.copy()
        t = time.perf_counter()
        copy.sort()
        best = min(best, time.perf_counter() - t)
    return {
        "npy_disable_cpu_features": os.environ.get("NPY_DISABLE_CPU_FEATURES", ""),
        "numpy_sort_1m_ms": round(best * 1e3, 1),
    }


def cmd_task(name: str, n: int) -> None:
    import warnings

    warnings.filterwarnings("ignore")
    loader, run = TASKS[name]
    t0 = time.perf_counter()
    data = loader(n)
    t1 = time.perf_counter()
    before = _status()
    reset = _reset_peak()
    t2 = time.perf_counter()
    c2 = time.process_time()
    out = run(data)
    t3 = time.perf_counter()
    c3 = time.process_time()
    after = _status()
    rec = {
        **_numpy_sort_probe(),
        "task": name,
        "n": n,
        "load_s": t1 - t0,
        "compute_s": t3 - t2,
        "compute_cpu_s": c3 - c2,
        "compute_peak_delta_mb": (after["VmHWM"] - before["VmRSS"]) / 1024 if reset else None,
        "check": {
            k: v
            for k, v in out.items()
            if not isinstance(v, list) or k in ("drifted_columns", "evidently_rule_drifted", "statistics")
        },
    }
    print("RESULT " + json.dumps(rec, default=float), flush=True)


def _cli(name: str, n: int) -> float:
    """Wall time of one process, as the acceptance check measures it."""
    p = paths(n)["scored"]
    if name == "cli_aims":
        cmd = [
            sys.executable,
            "-m",
            "aims",
            "evaluate",
            str(p),
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
        ]
    else:
        code = (
            f"import sys; sys.path.insert(0, {str(HERE)!r}); import bench_evidence as b, pandas as pd; "
            f"b.run_fairlearn_evaluate(pd.read_parquet({str(p)!r}))"
        )
        cmd = [sys.executable, "-c", code]
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t


def cmd_run(n: int, repeats: int, tasks: list[str]) -> None:
    with RESULTS.open("a") as fh:
        for task in tasks:
            for _ in range(repeats):
                if task.startswith("cli_"):
                    rec = {"task": task, "n": n, "wall_s": _cli(task, n)}
                else:
                    python = sys.executable
                    if task.startswith("evidently"):
                        python = os.environ.get("EVIDENTLY_PYTHON", "")
                        if not python:
                            print(
                                "evidently_drift needs EVIDENTLY_PYTHON (see compare_evidently.sh); skipped",
                                file=sys.stderr,
                            )
                            break
                    t = time.perf_counter()
                    proc = subprocess.run(
                        [python, __file__, "task", task, "--n", str(n)],
                        capture_output=True,
                        text=True,
                        check=True,
                    )
                    line = next(x for x in proc.stdout.splitlines() if x.startswith("RESULT "))
                    rec = json.loads(line[7:]) | {"wall_s": time.perf_counter() - t}
                rec["load_avg"] = os.getloadavg()[0]
                fh.write(json.dumps(rec) + "\n")
                print(json.dumps(rec), flush=True)


def cmd_report() -> None:
    rows: dict[tuple[str, int], list[dict]] = {}
    for line in RESULTS.read_text().splitlines():
        rec = json.loads(line)
        # Runs with numpy's AVX-512 dispatch switched off (see _numpy_sort_probe) are a row of their own.
        task = rec["task"] + (" (AVX2 sort)" if rec.get("npy_disable_cpu_features") else "")
        rows.setdefault((task, rec["n"]), []).append(rec)

    def med(recs: list[dict], key: str) -> float | None:
        vals = [r[key] for r in recs if r.get(key) is not None]
        return statistics.median(vals) if vals else None

    print(
        "| task | n | compute s (median) | compute CPU s | process wall s | compute peak ΔRSS MB | load avg "
        "| numpy sort 1M ms | runs |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for (task, n), recs in sorted(rows.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        c, w, m = med(recs, "compute_s"), med(recs, "wall_s"), med(recs, "compute_peak_delta_mb")
        cpu, load, sort_ms = med(recs, "compute_cpu_s"), med(recs, "load_avg"), med(recs, "numpy_sort_1m_ms")

        def f(v: float | None, d: int) -> str:
            return "" if v is None else f"{v:.{d}f}"

        print(
            f"| {task} | {n:,} | {f(c, 3)} | {f(cpu, 3)} | {w:.2f} | {f(m, 0)} | {f(load, 1)} | {f(sort_ms, 0)} "
            f"| {len(recs)} |"
        )
    for n in sorted({k[1] for k in rows}):

        def c(task: str, key: str = "compute_s", n: int = n) -> float | None:
            return med(rows.get((task, n), []), key)

        print(f"\nn = {n:,}:")
        for a, b, key, label in (
            ("aims_evaluate", "fairlearn_evaluate", "compute_s", "compute, acceptance workload"),
            ("cli_aims", "cli_fairlearn", "wall_s", "end to end, acceptance workload"),
            (
                "aims_all",
                "fairlearn_all",
                "compute_s",
                "compute, perf + fairness + 25-column drift vs fairlearn fairness only",
            ),
        ):
            if c(a, key) and c(b, key):
                print(
                    f"- {label}: aims {c(a, key):.3f} s, other {c(b, key):.3f} s, {c(b, key) / c(a, key):.0f}x"
                )
        if c("aims_all") and c("numpy_all"):
            print(f"- aims_all / numpy baseline: {c('aims_all') / c('numpy_all'):.2f}x the baseline's time")
        for aims, label in (
            ("aims_drift", "25-column drift, full AIMS report"),
            ("aims_same_work", "25-column drift, same work as Evidently"),
        ):
            if not (c(aims) and c("evidently_drift")):
                continue
            for key, unit in (("compute_s", "wall"), ("compute_cpu_s", "CPU")):
                if c(aims, key) and c("evidently_drift", key):
                    print(
                        f"- {label}, {unit}: aims {c(aims, key):.3f} s, Evidently "
                        f"{c('evidently_drift', key):.3f} s, {c('evidently_drift', key) / c(aims, key):.0f}x"
                    )
            a = rows[(aims, n)][-1]["check"]
            e = rows[("evidently_drift", n)][-1]["check"]
            if "wasserstein_normed" in a and "per_column" in e:
                diffs = [
                    abs(a["wasserstein_normed"][col] - e["per_column"][col])
                    for col in NUM
                    if a["wasserstein_normed"].get(col) is not None and col in e["per_column"]
                ]
                print(
                    f"  - numeric columns, AIMS wasserstein_normed vs Evidently's default: max |diff| = {max(diffs):.3g}"
                )
                js = [
                    abs(a["jensen_shannon"][col] * math.sqrt(math.log(2)) - e["per_column"][col])
                    for col in CAT
                    if a["jensen_shannon"].get(col) is not None and col in e["per_column"]
                ]
                print(
                    "  - categorical columns, AIMS jensen_shannon (log base 2) x sqrt(ln 2) vs Evidently's (natural log): "
                    f"max |diff| = {max(js):.3g}"
                )
                print(
                    f"  - drifted columns: AIMS {a.get('drifted_columns')}; Evidently {e.get('drifted_columns')}"
                )
        if c("profile_merge"):
            print(f"- merging 1,000 batch profiles and computing every metric: {c('profile_merge'):.3f} s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("gen")
    g.add_argument("--n", type=int, default=1_000_000)
    t = sub.add_parser("task")
    t.add_argument("name", choices=sorted(TASKS))
    t.add_argument("--n", type=int, default=1_000_000)
    r = sub.add_parser("run")
    r.add_argument("--n", type=int, default=1_000_000)
    r.add_argument("--repeats", type=int, default=3)
    r.add_argument("--tasks", nargs="+", default=[*TASKS, "cli_aims", "cli_fairlearn"])
    sub.add_parser("report")
    a = ap.parse_args()
    if a.cmd == "gen":
        cmd_gen(a.n)
    elif a.cmd == "task":
        cmd_task(a.name, a.n)
    elif a.cmd == "run":
        cmd_gen(a.n)
        cmd_run(a.n, a.repeats, a.tasks)
    else:
        cmd_report()


if __name__ == "__main__":
    main()
