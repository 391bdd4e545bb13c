"""The engine is usable without Django: nothing under aims/evidence imports it, at import or run time."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import aims.evidence

PACKAGE = Path(aims.evidence.__file__).resolve().parent


def test_no_module_of_the_engine_mentions_a_django_import():
    pattern = re.compile(r"^\s*(import|from)\s+django\b", re.MULTILINE)
    offenders = [p.name for p in PACKAGE.rglob("*.py") if pattern.search(p.read_text())]
    assert offenders == []


def test_using_the_engine_loads_neither_django_nor_pandas_on_the_parquet_path(tmp_path):
    import pandas as pd

    path = tmp_path / "d.parquet"
    pd.DataFrame({"y": [0, 1, 1, 0], "p": [0, 1, 0, 0], "s": ["a", "b", "a", "b"]}).to_parquet(path)
    code = (
        "import sys; from aims.evidence import evaluate; "
        f"evaluate({str(path)!r}, target='y', prediction='p', sensitive=['s']); "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'django', 'pandas'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    # pandas costs 0.2 s of start-up: the command-line path reads Parquet through pyarrow alone
    assert out.stdout.strip() == "[]"


def test_the_german_credit_data_and_its_licence_ship_with_the_package():
    readme = (PACKAGE / "data" / "README.md").read_text()
    assert "Database Contents License" in readme
    lines = (PACKAGE / "data" / "german_credit.csv").read_text().splitlines()
    assert lines[0].startswith("risk,sex,job") and len(lines) == 1001
