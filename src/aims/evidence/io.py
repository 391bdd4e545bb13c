"""Inputs for the evidence engine: data frames, arrays and files, turned into numpy arrays fast.

Every metric in :mod:`aims.evidence` works on two internal shapes only:

* a numeric column: a ``float64`` numpy array where missing values are ``NaN``;
* a categorical column (:class:`Categorical`): integer codes (``-1`` = missing) into a sorted list of
  labels, so that group-wise counting is one ``np.bincount``.

This module converts whatever the user has (pandas or polars data frames and series, pyarrow tables
and arrays, numpy arrays, plain lists, or CSV / Parquet / Feather files) into those shapes. Files are
read with pyarrow, and only the columns a computation needs: a million-row Parquet file with ten
columns of which five are needed is read in about 0.1 s.

pandas and polars are never imported here: objects are recognised by their module name, so that the
command-line path (Parquet in, JSON out) does not pay pandas' import time.
"""

from __future__ import annotations

import csv
import gzip
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "Categorical",
    "EvidenceInputError",
    "MissingColumnError",
    "Table",
    "column_kind",
    "list_columns",
    "read_table",
    "to_categorical",
    "to_numeric",
    "unify",
]

PARQUET_SUFFIXES = (".parquet", ".pq", ".parq")
CSV_SUFFIXES = (".csv", ".tsv", ".txt", ".csv.gz", ".tsv.gz")
FEATHER_SUFFIXES = (".feather", ".arrow", ".ipc")


class EvidenceInputError(ValueError):
    """Input the engine cannot use: a missing column, an unreadable file, labels it cannot interpret.

    The message is written for the person who supplied the data: it names the column or file.
    """


class MissingColumnError(EvidenceInputError):
    """A requested column is not in the data."""

    def __init__(self, column: str, available: Sequence[str], source: str = "the data") -> None:
        shown = ", ".join(repr(c) for c in list(available)[:30])
        more = "" if len(available) <= 30 else f" and {len(available) - 30} more"
        super().__init__(f"column {column!r} is not in {source}; available columns: {shown}{more}")
        self.column = column


# ------------------------------------------------------------------------------------------------
# recognising objects without importing their libraries
# ------------------------------------------------------------------------------------------------
def _module(obj: Any) -> str:
    return type(obj).__module__ or ""


def is_pandas(obj: Any) -> bool:
    """True for pandas objects (DataFrame, Series, Index, Categorical)."""
    return _module(obj).startswith("pandas")


def is_polars(obj: Any) -> bool:
    """True for polars objects (DataFrame, LazyFrame, Series)."""
    return _module(obj).startswith("polars")


def is_arrow(obj: Any) -> bool:
    """True for pyarrow objects (Table, RecordBatch, Array, ChunkedArray)."""
    return _module(obj).startswith("pyarrow")


# ------------------------------------------------------------------------------------------------
# tables
# ------------------------------------------------------------------------------------------------
class Table(Mapping[str, Any]):
    """A read-only mapping of column name to column (any array-like the converters accept).

    ``names`` keeps every column the source has, including those not loaded, so that a
    missing column can be reported with the list of what is there.
    """

    def __init__(self, columns: Mapping[str, Any], n_rows: int, names: Sequence[str], source: str) -> None:
        self._columns = dict(columns)
        self.n_rows = int(n_rows)
        self.names = list(names)
        self.source = source

    def __getitem__(self, key: str) -> Any:
        try:
            return self._columns[key]
        except KeyError:
            raise MissingColumnError(key, self.names, self.source) from None

    def __iter__(self) -> Any:
        return iter(self._columns)

    def __len__(self) -> int:
        return len(self._columns)

    def __repr__(self) -> str:
        return f"Table({self.source}, {self.n_rows} rows, columns={list(self._columns)})"


def _is_path(source: Any) -> bool:
    return isinstance(source, (str, Path))


def _suffix(path: Path) -> str:
    name = path.name.lower()
    for suffix in PARQUET_SUFFIXES + CSV_SUFFIXES + FEATHER_SUFFIXES + (".json", ".json.gz"):
        if name.endswith(suffix):
            return suffix
    return path.suffix.lower()


def _csv_header(path: Path) -> list[str]:
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    delimiter = "\t" if ".tsv" in path.name.lower() else ","
    with opener(path, "rt", newline="", encoding="utf-8") as fh:  # type: ignore[operator]
        return next(csv.reader(fh, delimiter=delimiter), [])


def list_columns(source: Any) -> list[str]:
    """The column names of a file or data frame, without reading its rows."""
    if _is_path(source):
        path = Path(source)
        suffix = _suffix(path)
        if suffix in PARQUET_SUFFIXES:
            import pyarrow.parquet as pq

            return list(pq.read_schema(path).names)
        if suffix in CSV_SUFFIXES:
            return _csv_header(path)
        if suffix in FEATHER_SUFFIXES:
            import pyarrow.ipc as ipc

            with ipc.open_file(path) as reader:
                return list(reader.schema.names)
        raise EvidenceInputError(f"{path}: unknown file type {suffix!r} (use .parquet, .csv or .feather)")
    if isinstance(source, Table):
        return list(source.names)
    if is_pandas(source) or is_polars(source):
        return [str(c) for c in source.columns]
    if is_arrow(source):
        return list(source.schema.names)
    if isinstance(source, np.ndarray) and source.dtype.names:
        return list(source.dtype.names)
    if isinstance(source, Mapping):
        return [str(c) for c in source]
    raise EvidenceInputError(f"cannot read columns from a {type(source).__name__}")


def read_table(source: Any, columns: Iterable[str] | None = None) -> Table:
    """Read ``columns`` (all when ``None``) of ``source`` into a :class:`Table`.

    ``source`` is a path (Parquet, CSV or TSV, optionally gzipped, Feather / Arrow IPC), a pandas,
    polars or pyarrow table, a numpy structured array or a mapping of name to array. A requested
    column that is missing raises :class:`MissingColumnError` naming it, before any row is read.
    """
    wanted = None if columns is None else list(dict.fromkeys(columns))
    if isinstance(source, Table):
        names = source.names
        _check_columns(wanted, names, source.source)
        keep = wanted if wanted is not None else list(source)
        return Table({c: source[c] for c in keep}, source.n_rows, names, source.source)
    if _is_path(source):
        return _read_file(Path(source), wanted)
    names = list_columns(source)
    label = f"the {type(source).__name__}"
    _check_columns(wanted, names, label)
    keep = wanted if wanted is not None else names
    if is_pandas(source):
        frame = source
        return Table({c: frame[c] for c in keep}, len(frame), names, label)
    if is_polars(source):
        frame = source.collect() if hasattr(source, "collect") else source
        return Table({c: frame.get_column(c) for c in keep}, frame.height, names, label)
    if is_arrow(source):
        return Table({c: source.column(c) for c in keep}, source.num_rows, names, label)
    if isinstance(source, np.ndarray):
        return Table({c: source[c] for c in keep}, len(source), names, label)
    if isinstance(source, Mapping):
        cols = {c: source[c] for c in keep}
        lengths = {len(v) for v in cols.values()} if cols else {0}
        if len(lengths) > 1:
            raise EvidenceInputError(f"columns of {label} have different lengths: {sorted(lengths)}")
        return Table(cols, lengths.pop(), names, label)
    raise EvidenceInputError(f"cannot read data from a {type(source).__name__}")


def _check_columns(wanted: Sequence[str] | None, names: Sequence[str], source: str) -> None:
    if wanted is None:
        return
    present = set(names)
    for column in wanted:
        if column not in present:
            raise MissingColumnError(column, names, source)


def _read_file(path: Path, wanted: list[str] | None) -> Table:
    if not path.exists():
        raise EvidenceInputError(f"{path}: no such file")
    suffix = _suffix(path)
    names = list_columns(path)
    _check_columns(wanted, names, str(path))
    if suffix in PARQUET_SUFFIXES:
        import pyarrow as pa
        import pyarrow.parquet as pq

        schema = pq.read_schema(path)
        strings = [
            f.name
            for f in schema
            if (wanted is None or f.name in wanted)
            and (pa.types.is_string(f.type) or pa.types.is_large_string(f.type))
        ]
        # ParquetFile.read, unlike pq.read_table, does not go through pyarrow.dataset, which imports
        # pandas (0.2 s). String columns come back dictionary-encoded: they are categorical for us,
        # and Parquet usually stores them as dictionaries already.
        table = pq.ParquetFile(path, read_dictionary=strings).read(columns=wanted)
    elif suffix in CSV_SUFFIXES:
        import pyarrow.csv as pacsv

        delimiter = "\t" if ".tsv" in path.name.lower() else ","
        table = pacsv.read_csv(
            path,
            parse_options=pacsv.ParseOptions(delimiter=delimiter),
            convert_options=pacsv.ConvertOptions(include_columns=wanted, strings_can_be_null=True),
        )
    else:
        import pyarrow.feather as feather

        table = feather.read_table(path, columns=wanted)
    keep = wanted if wanted is not None else names
    return Table({c: table.column(c) for c in keep}, table.num_rows, names, str(path))


# ------------------------------------------------------------------------------------------------
# columns
# ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Categorical:
    """A categorical column: ``codes`` index into ``categories``; ``-1`` marks a missing value.

    ``categories`` are sorted (numbers numerically, strings lexically, mixed types by type name then
    value) so that groups come out in the same order as fairlearn's and reports are deterministic.
    """

    codes: np.ndarray
    categories: list[Any]

    def __len__(self) -> int:
        return len(self.codes)

    @property
    def n_missing(self) -> int:
        """Rows with no value."""
        return int(np.count_nonzero(self.codes < 0))

    def counts(self) -> np.ndarray:
        """Rows per category (missing values not counted), as int64."""
        valid = self.codes[self.codes >= 0] if self.n_missing else self.codes
        return np.bincount(valid, minlength=len(self.categories)).astype(np.int64)

    def take(self, mask: np.ndarray) -> Categorical:
        """The rows selected by a boolean mask, with the same categories."""
        return Categorical(self.codes[mask], self.categories)


def _py(value: Any) -> Any:
    """A numpy or arrow scalar as the plain Python value JSON and sorting understand."""
    if hasattr(value, "as_py"):
        value = value.as_py()
    if isinstance(value, np.generic):
        value = value.item()
    return value


def _sort_key(value: Any) -> tuple[int, str, Any]:
    # Booleans and numbers sort together numerically; strings after them; anything else by repr.
    if isinstance(value, (bool, int, float)):
        return (0, "", float(value))
    if isinstance(value, str):
        return (1, "", value)
    return (2, type(value).__name__, repr(value))


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return _module(value).startswith("pandas") and type(value).__name__ in {"NAType", "NaTType"}


def _sorted_categorical(codes: np.ndarray, labels: Sequence[Any]) -> Categorical:
    """Re-code so that categories are sorted, missing labels become code -1, duplicates merge."""
    labels = [_py(v) for v in labels]
    keep = [i for i, v in enumerate(labels) if not _is_missing(v)]
    unique = sorted({labels[i] for i in keep}, key=_sort_key)
    position = {v: i for i, v in enumerate(unique)}
    # One small lookup table over the (few) labels, then one gather over the (many) rows.
    remap = np.full(len(labels) + 1, -1, dtype=np.int64)
    for i in keep:
        remap[i] = position[labels[i]]
    codes = np.asarray(codes, dtype=np.int64)
    codes = np.where(codes < 0, len(labels), codes)  # route missing codes to the -1 slot
    return Categorical(remap[codes], unique)


def _arrow_to_categorical(arr: Any) -> Categorical:
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks != 1 else arr.chunk(0)
    if pa.types.is_string_view(arr.type):
        arr = arr.cast(pa.large_string())
    if pa.types.is_floating(arr.type):
        # NaN is a value for arrow's dictionary encoding; for us it is missing, like null.
        arr = pc.if_else(pc.is_nan(arr), pa.scalar(None, arr.type), arr)
    if not pa.types.is_dictionary(arr.type):
        arr = pc.dictionary_encode(arr)
    indices = arr.indices
    codes = _primitive_view(indices).astype(np.int64)
    if indices.null_count:
        codes[~_valid_mask(indices)] = -1
    return _sorted_categorical(codes, arr.dictionary.to_pylist())


def _numpy_to_categorical(values: np.ndarray) -> Categorical:
    if values.dtype.kind == "b":
        encoded = _integers_to_categorical(values.view(np.uint8))
        return Categorical(encoded.codes, [bool(v) for v in encoded.categories])
    if values.dtype.kind in "iu":
        return _integers_to_categorical(values)
    if values.dtype.kind == "f":
        missing = np.isnan(values)
        uniq, inverse = np.unique(values[~missing], return_inverse=True)
        codes = np.full(values.shape, -1, dtype=np.int64)
        codes[~missing] = inverse
        return Categorical(codes, [_py(v) for v in uniq])
    # Strings and objects: arrow's hash-based encoding is far faster than sorting Python objects.
    import pyarrow as pa

    try:
        return _arrow_to_categorical(pa.array(values, from_pandas=True))
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        # Mixed types (say 1 and "1"): fall back to a dictionary keyed on the Python values.
        lookup: dict[Any, int] = {}
        codes = np.empty(len(values), dtype=np.int64)
        labels: list[Any] = []
        for i, v in enumerate(values.tolist()):
            key = (type(v).__name__, v)
            code = lookup.get(key)
            if code is None:
                code = lookup[key] = len(labels)
                labels.append(v)
            codes[i] = code
        return _sorted_categorical(codes, labels)


def _integers_to_categorical(values: np.ndarray) -> Categorical:
    """Integer labels: a bincount over the value range when it is small, else a sort."""
    if values.size == 0:
        return Categorical(values.astype(np.int64), [])
    lo, hi = int(values.min()), int(values.max())
    if hi - lo <= max(1_000_000, 2 * values.size):
        shifted = (values - lo).astype(np.int64) if lo != 0 or values.dtype != np.int64 else values
        present = np.bincount(shifted, minlength=hi - lo + 1) > 0
        rank = np.cumsum(present) - 1
        uniq = np.flatnonzero(present) + lo
        return Categorical(rank[shifted], [int(v) for v in uniq])
    uniq, inverse = np.unique(values, return_inverse=True)
    return Categorical(inverse.astype(np.int64), [int(v) for v in uniq])


def to_categorical(values: Any) -> Categorical:
    """Encode any column as a :class:`Categorical` (sorted categories, ``-1`` for missing values).

    Accepts numpy arrays, lists, pandas Series / Categorical, polars Series and pyarrow arrays.
    """
    if isinstance(values, Categorical):
        return values
    if is_polars(values):
        values = values.to_arrow()
    if is_arrow(values):
        import pyarrow as pa

        typ = values.type
        if values.null_count == 0 and (pa.types.is_integer(typ) or pa.types.is_boolean(typ)):
            # Integer labels and flags: numpy's bincount path beats arrow's hash encoding.
            return _numpy_to_categorical(arrow_to_numpy(values))
        return _arrow_to_categorical(values)
    if is_pandas(values):
        dtype = getattr(values, "dtype", None)
        if dtype is not None and getattr(dtype, "name", "") == "category":
            cat = values.cat if hasattr(values, "cat") else values
            return _sorted_categorical(np.asarray(cat.codes), list(cat.categories))
        if dtype is not None and dtype.kind in "biuf" and not getattr(values, "hasnans", False):
            return _numpy_to_categorical(np.asarray(values))
        import pandas as pd

        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        return _sorted_categorical(codes, list(uniques))
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise EvidenceInputError(f"expected a one-dimensional column, got shape {arr.shape}")
    return _numpy_to_categorical(arr)


def to_numeric(values: Any, *, name: str = "column") -> tuple[np.ndarray, int]:
    """A column as ``float64`` with ``NaN`` for missing values, and the count of type violations.

    A type violation is a present value that is not a number (a string such as ``"n/a"`` in a
    numeric column read from CSV). Violations become ``NaN`` too, but are counted separately so that
    data-quality checks can tell "missing" from "wrong".
    """
    if is_polars(values):
        values = values.to_arrow()
    if is_arrow(values):
        import pyarrow as pa
        import pyarrow.compute as pc

        arr = values
        typ = arr.type
        if pa.types.is_dictionary(typ):
            arr = arr.cast(typ.value_type) if isinstance(arr, pa.Array) else pc.cast(arr, typ.value_type)
            typ = arr.type
        if (
            pa.types.is_integer(typ)
            or pa.types.is_floating(typ)
            or pa.types.is_boolean(typ)
            or pa.types.is_decimal(typ)
        ):
            return arrow_to_numpy(pc.cast(arr, pa.float64())).astype(np.float64, copy=False), 0
        if pa.types.is_string(typ) or pa.types.is_large_string(typ) or pa.types.is_string_view(typ):
            return _parse_strings(np.asarray(arr.to_pylist(), dtype=object), name)
        raise EvidenceInputError(f"column {name!r} has type {typ}, which is not numeric")
    if is_pandas(values):
        dtype = values.dtype
        if dtype.kind in "biuf":
            return values.to_numpy(dtype=np.float64, na_value=np.nan), 0
        return _parse_strings(np.asarray(values.to_numpy(dtype=object), dtype=object), name)
    arr = np.asarray(values)
    if arr.dtype.kind in "biuf":
        return arr.astype(np.float64, copy=False), 0
    if arr.dtype.kind in "OUS":
        return _parse_strings(arr.astype(object), name)
    raise EvidenceInputError(f"column {name!r} has dtype {arr.dtype}, which is not numeric")


def arrow_to_numpy(arr: Any) -> np.ndarray:
    """An arrow Array or ChunkedArray as numpy (nulls become NaN for numbers).

    pyarrow's own ``to_numpy(zero_copy_only=False)`` goes through its pandas shim and so imports
    pandas (0.2 s of start-up the command line does not need); numbers are therefore converted
    with arrow casts and zero-copy views, chunk by chunk.
    """
    import pyarrow as pa

    if isinstance(arr, pa.ChunkedArray):
        parts = [_chunk_to_numpy(chunk) for chunk in arr.chunks]
        if not parts:
            return np.empty(0, dtype=np.float64)
        return parts[0] if len(parts) == 1 else np.concatenate(parts)
    return _chunk_to_numpy(arr)


def _chunk_to_numpy(chunk: Any) -> np.ndarray:
    import pyarrow as pa
    import pyarrow.compute as pc

    typ = chunk.type
    numeric = pa.types.is_integer(typ) or pa.types.is_floating(typ) or pa.types.is_boolean(typ)
    if not numeric:
        return np.asarray(chunk.to_pylist(), dtype=object)
    boolean = pa.types.is_boolean(typ)
    if boolean:
        chunk = pc.cast(chunk, pa.uint8())  # arrow packs booleans into bits: unpack to bytes
    values = _primitive_view(chunk)
    if chunk.null_count:
        out = values.astype(np.float64)
        out[~_valid_mask(chunk)] = np.nan
        return out
    return values.astype(bool) if boolean else values


def _valid_mask(chunk: Any) -> np.ndarray:
    """True where an arrow array has a value (from ``is_valid``, avoiding arrow scalars)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    return _primitive_view(pc.cast(pc.is_valid(chunk), pa.uint8())).astype(bool)


def _primitive_view(chunk: Any) -> np.ndarray:
    """A zero-copy numpy view of a null-free fixed-width numeric arrow array (read from its buffer)."""
    import pyarrow as pa

    typ = chunk.type
    kind = "f" if pa.types.is_floating(typ) else "u" if pa.types.is_unsigned_integer(typ) else "i"
    dtype = np.dtype(f"{kind}{typ.bit_width // 8}")
    return np.frombuffer(
        chunk.buffers()[1], dtype=dtype, count=len(chunk), offset=chunk.offset * dtype.itemsize
    )


def _parse_strings(values: np.ndarray, name: str) -> tuple[np.ndarray, int]:
    """Parse an object column to float; unparseable present values are type violations."""
    out = np.full(len(values), np.nan)
    violations = 0
    # Parse each distinct value once: categorical-looking columns have few distinct strings.
    cache: dict[Any, float] = {}
    for i, v in enumerate(values.tolist()):
        if _is_missing(v) or (isinstance(v, str) and not v.strip()):
            continue
        parsed = cache.get(v)
        if parsed is None:
            try:
                parsed = float(v)
            except (TypeError, ValueError):
                parsed = math.nan
            cache[v] = parsed
        if math.isnan(parsed):
            violations += 1
        else:
            out[i] = parsed
    return out, violations


def column_kind(values: Any) -> str:
    """``"numeric"`` for integer and float columns, ``"categorical"`` for everything else.

    Booleans, strings, pandas categoricals and arrow dictionaries are categorical. Integer columns
    are numeric (counts, amounts, ages); pass a column explicitly as categorical to override.
    """
    if is_polars(values):
        values = values.to_arrow()
    if is_arrow(values):
        import pyarrow as pa

        typ = values.type
        return (
            "numeric"
            if (pa.types.is_integer(typ) or pa.types.is_floating(typ) or pa.types.is_decimal(typ))
            else "categorical"
        )
    if isinstance(values, Categorical):
        return "categorical"
    dtype = getattr(values, "dtype", None)
    if dtype is None:
        dtype = np.asarray(values).dtype
    kind = getattr(dtype, "kind", "O")
    if getattr(dtype, "name", "") == "category":
        return "categorical"
    return "numeric" if kind in "iuf" else "categorical"


def unify(first: Categorical, second: Categorical) -> tuple[np.ndarray, np.ndarray, list[Any]]:
    """Codes of two categorical columns over the sorted union of their categories."""
    if first.categories == second.categories:
        return first.codes, second.codes, list(first.categories)
    union = sorted(set(first.categories) | set(second.categories), key=_sort_key)
    position = {v: i for i, v in enumerate(union)}
    out = []
    for col in (first, second):
        remap = np.array([position[v] for v in col.categories] + [-1], dtype=np.int64)
        # code -1 indexes the trailing -1: missing stays missing.
        out.append(remap[col.codes])
    return out[0], out[1], union
