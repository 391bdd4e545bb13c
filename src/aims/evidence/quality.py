"""Data quality of a current data set against a schema inferred from the reference.

The schema records, per column, its kind (numeric or categorical), its value type, whether the
reference had missing values, its range (numeric) and its categories (categorical). Checking a
current set against it counts, per column:

* missing values (null, NaN, empty string in a numeric CSV column);
* type violations: present values of the wrong type (``"n/a"`` in a numeric column, a fraction in an
  integer column, a number in a string column);
* values below the reference minimum or above the reference maximum (an issue when more than
  chance explains: ``2 / (n + 1)`` of new values fall outside the range of ``n`` reference values);
* unseen categories, with the most frequent examples;

and lists missing and unexpected columns. These are drift signals the statistical tests cannot see:
every test drops missing values first, so a jump from 2 % to 6 % missing is invisible to them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np

from .io import (
    EvidenceInputError,
    column_kind,
    is_arrow,
    is_pandas,
    is_polars,
    list_columns,
    read_table,
    to_categorical,
    to_numeric,
)

__all__ = ["ColumnSchema", "Schema", "check_quality", "infer_schema"]

ValueType = Literal["integer", "float", "boolean", "string", "other"]
MAX_CATEGORIES = 1000


@dataclass
class ColumnSchema:
    """What the reference says a column looks like."""

    name: str
    kind: Literal["numeric", "categorical"]
    value_type: ValueType
    nullable: bool
    missing_share: float
    minimum: float | None = None
    maximum: float | None = None
    categories: list[Any] | None = None


@dataclass
class Schema:
    """A data set's schema, inferred from a reference by :func:`infer_schema`; JSON-serialisable."""

    columns: dict[str, ColumnSchema] = field(default_factory=dict)
    n_rows: int = 0

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON."""
        return {"n_rows": self.n_rows, "columns": {n: asdict(c) for n, c in self.columns.items()}}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Schema:
        """Inverse of :meth:`to_dict`."""
        return cls({n: ColumnSchema(**c) for n, c in data["columns"].items()}, int(data.get("n_rows", 0)))


def _value_type(values: Any) -> ValueType:
    """The declared type of a column (from its dtype, or from its values for object columns)."""
    if is_polars(values):
        values = values.to_arrow()
    if is_arrow(values):
        import pyarrow as pa

        typ = values.type
        if pa.types.is_dictionary(typ):
            typ = typ.value_type
        if pa.types.is_boolean(typ):
            return "boolean"
        if pa.types.is_integer(typ):
            return "integer"
        if pa.types.is_floating(typ) or pa.types.is_decimal(typ):
            return "float"
        if pa.types.is_string(typ) or pa.types.is_large_string(typ) or pa.types.is_string_view(typ):
            return "string"
        return "other"
    dtype = getattr(values, "dtype", None)
    if dtype is None:
        dtype = np.asarray(values).dtype
    if getattr(dtype, "name", "") == "category":
        cats = list(values.cat.categories) if is_pandas(values) else []
        return _python_type(cats)
    kind = getattr(dtype, "kind", "O")
    if kind == "b":
        return "boolean"
    if kind in "iu":
        return "integer"
    if kind == "f":
        return "float"
    if kind in "US" or str(dtype) in {"string", "str"}:
        return "string"
    return _python_type(to_categorical(values).categories)


def _python_type(values: Sequence[Any]) -> ValueType:
    types = {_family(v) for v in values}
    return types.pop() if len(types) == 1 else ("other" if types else "string")


def _family(value: Any) -> ValueType:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, np.integer)):
        return "integer"
    if isinstance(value, (float, np.floating)):
        return "float"
    if isinstance(value, str):
        return "string"
    return "other"


def infer_schema(
    reference: Any,
    columns: Sequence[str] | None = None,
    *,
    categorical: Sequence[str] = (),
    numeric: Sequence[str] = (),
    max_categories: int = MAX_CATEGORIES,
) -> Schema:
    """Infer a :class:`Schema` from reference data (any input :func:`~aims.evidence.io.read_table` reads).

    Categorical columns with more than ``max_categories`` distinct values (identifiers, free text)
    keep no category list, so they are not checked for unseen values.
    """
    table = read_table(reference, columns)
    schema = Schema(n_rows=table.n_rows)
    for name in table:
        values = table[name]
        kind = "categorical" if name in categorical else "numeric" if name in numeric else column_kind(values)
        vtype = _value_type(values)
        if kind == "numeric":
            arr, _ = to_numeric(values, name=name)
            missing = int(np.count_nonzero(np.isnan(arr)))
            finite = arr[np.isfinite(arr)]
            col = ColumnSchema(
                name,
                "numeric",
                vtype,
                missing > 0,
                missing / max(len(arr), 1),
                float(finite.min()) if finite.size else None,
                float(finite.max()) if finite.size else None,
            )
        else:
            cat = to_categorical(values)
            cats = cat.categories if len(cat.categories) <= max_categories else None
            col = ColumnSchema(
                name,
                "categorical",
                vtype,
                cat.n_missing > 0,
                cat.n_missing / max(len(cat), 1),
                categories=cats,
            )
        schema.columns[name] = col
    return schema


def _pct(count: int, total: int) -> str:
    return f"{count} ({100.0 * count / total:.2f} %)" if total else str(count)


def check_quality(
    current: Any, schema: Schema | Any, *, columns: Sequence[str] | None = None
) -> dict[str, Any]:
    """Check ``current`` against ``schema`` (a :class:`Schema`, or reference data to infer it from).

    Returns ``{"columns": {name: counts}, "missing_columns", "extra_columns", "issues", ...}`` where
    ``issues`` are one-line, human-readable findings.
    """
    if not isinstance(schema, Schema):
        schema = infer_schema(schema, columns)
    names = list(columns) if columns is not None else list(schema.columns)
    present = set(list_columns(current))
    missing_columns = [c for c in names if c not in present]
    extra_columns = [c for c in list_columns(current) if c not in schema.columns]
    table = read_table(current, [c for c in names if c in present])
    n = table.n_rows
    out: dict[str, Any] = {}
    issues = [f"column {c!r} is missing" for c in missing_columns]
    for name in table:
        spec = schema.columns.get(name)
        if spec is None:
            raise EvidenceInputError(f"column {name!r} is not in the schema")
        values = table[name]
        if spec.kind == "numeric":
            entry = _check_numeric(values, spec)
        else:
            entry = _check_categorical(values, spec)
        entry["missing_share"] = entry["missing"] / n if n else math.nan
        out[name] = entry
        if entry["missing"] and (not spec.nullable or entry["missing_share"] > spec.missing_share + 0.01):
            issues.append(
                f"column {name!r}: {_pct(entry['missing'], n)} missing values "
                f"(reference: {100.0 * spec.missing_share:.2f} %)"
            )
        if entry["type_violations"]:
            issues.append(
                f"column {name!r}: {_pct(entry['type_violations'], n)} values of the wrong type "
                f"(expected {spec.value_type})"
            )
        if entry.get("out_of_range") and _beyond_chance(entry["out_of_range"], n, schema.n_rows):
            if entry["below_minimum"]:
                issues.append(
                    f"column {name!r}: {_pct(entry['below_minimum'], n)} values below the reference minimum {spec.minimum:g}"
                )
            if entry["above_maximum"]:
                issues.append(
                    f"column {name!r}: {_pct(entry['above_maximum'], n)} values above the reference maximum {spec.maximum:g}"
                )
        if entry.get("unseen"):
            shown = ", ".join(map(repr, entry["unseen_examples"][:5]))
            issues.append(
                f"column {name!r}: {_pct(entry['unseen'], n)} values in categories the reference never had ({shown})"
            )
    return {
        "kind": "quality",
        "n_rows": n,
        "columns": out,
        "missing_columns": missing_columns,
        "extra_columns": extra_columns,
        "issues": issues,
        "n_issues": len(issues),
    }


def _beyond_chance(outside: int, n: int, n_reference: int, alpha: float = 0.05) -> bool:
    """Whether ``outside`` values beyond the reference range are more than chance explains.

    From the same distribution, a new value falls outside the range of ``n_reference`` values with
    probability ``2 / (n_reference + 1)``; a handful of such values in a large batch is expected,
    and reporting them would train people to ignore the report.
    """
    if n_reference <= 0:
        return True
    from scipy.special import bdtrc

    p0 = min(2.0 / (n_reference + 1), 1.0)
    return bool(bdtrc(outside - 1, n, p0) < alpha)


def _check_numeric(values: Any, spec: ColumnSchema) -> dict[str, Any]:
    arr, violations = to_numeric(values, name=spec.name)
    nan = np.isnan(arr)
    # to_numeric turns violations into NaN too; they are wrong, not missing.
    missing = int(np.count_nonzero(nan)) - violations
    present = arr[~nan]
    infinite = int(np.count_nonzero(np.isinf(present)))
    if spec.value_type == "integer":
        finite = present[np.isfinite(present)]
        violations += int(np.count_nonzero(finite != np.floor(finite)))
    below = int(np.count_nonzero(present < spec.minimum)) if spec.minimum is not None else 0
    above = int(np.count_nonzero(present > spec.maximum)) if spec.maximum is not None else 0
    return {
        "kind": "numeric",
        "missing": missing,
        "type_violations": violations,
        "infinite": infinite,
        "below_minimum": below,
        "above_maximum": above,
        "out_of_range": below + above,
    }


def _check_categorical(values: Any, spec: ColumnSchema) -> dict[str, Any]:
    cat = to_categorical(values)
    counts = cat.counts()
    families = [_family(v) for v in cat.categories]
    expected = spec.value_type
    # Integers in a float column and the like are the same kind of value; strings are not numbers.
    compatible = {
        "integer": {"integer"},
        "float": {"float", "integer"},
        "boolean": {"boolean"},
        "string": {"string"},
        "other": {"integer", "float", "boolean", "string", "other"},
    }[expected]
    wrong = np.array([f not in compatible for f in families], dtype=bool)
    violations = int(counts[wrong].sum()) if wrong.size else 0
    unseen_count, examples = 0, []
    if spec.categories is not None:
        known = set(spec.categories)
        unseen = np.array([v not in known for v in cat.categories], dtype=bool)
        if unseen.any():
            idx = np.flatnonzero(unseen)
            idx = idx[np.argsort(-counts[idx], kind="stable")]
            unseen_count = int(counts[idx].sum())
            examples = [
                v if isinstance(v, (str, int, float, bool)) else str(v)
                for v in (cat.categories[i] for i in idx[:20])
            ]
    return {
        "kind": "categorical",
        "missing": cat.n_missing,
        "type_violations": violations,
        "unseen": unseen_count,
        "unseen_examples": examples,
    }
