#!/usr/bin/env bash
# Evidently's data-drift report against aims.evidence's drift, side by side in one run, on the same
# seeded data (the anchors' reference and drifted current sets: 20 numeric + 5 categorical columns):
# aims_drift (the full AIMS report), aims_same_work (only what Evidently computes, with its
# thresholds) and evidently_drift.
#
# Evidently needs pandas<3, which the project's environment cannot have (it has pandas 3), so this
# script makes a separate virtual environment for it (once) and runs Evidently's task there; the
# AIMS task runs in the project's .venv. Evidently is never a dependency of the project.
#
#   benchmarks/evidence/compare_evidently.sh                 # 1M rows, one run of each
#   N=100000 REPEATS=3 benchmarks/evidence/compare_evidently.sh
#
# Environment: N (rows, default 1000000), REPEATS (default 1), EVIDENTLY_VENV (default
# var/bench/evidently-venv), AIMS_PYTHON (default .venv/bin/python), BENCH_DATA_DIR (default
# var/bench/data), BENCH_RESULTS (default var/bench/evidently-compare.jsonl).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
N=${N:-1000000}
REPEATS=${REPEATS:-1}
VENV=${EVIDENTLY_VENV:-$ROOT/var/bench/evidently-venv}
PY=${AIMS_PYTHON:-$ROOT/.venv/bin/python}
EVIDENTLY_VERSION=${EVIDENTLY_VERSION:-0.7.23}

if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import evidently, pyarrow" 2>/dev/null; then
    echo "making Evidently's environment in $VENV (about 1 GB)" >&2
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q "evidently==$EVIDENTLY_VERSION" 'pandas<3' pyarrow
fi
"$VENV/bin/python" -c "import evidently, pandas, numpy; print('evidently', evidently.__version__, 'pandas', pandas.__version__, 'numpy', numpy.__version__)" >&2

export BENCH_DATA_DIR=${BENCH_DATA_DIR:-$ROOT/var/bench/data}
export BENCH_RESULTS=${BENCH_RESULTS:-$ROOT/var/bench/evidently-compare.jsonl}
export EVIDENTLY_PYTHON="$VENV/bin/python"
mkdir -p "$(dirname "$BENCH_RESULTS")"

"$PY" benchmarks/evidence/bench_evidence.py run --n "$N" --repeats "$REPEATS" --tasks aims_drift aims_same_work evidently_drift
"$PY" benchmarks/evidence/bench_evidence.py report
