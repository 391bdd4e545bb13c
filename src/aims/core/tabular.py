"""Tabular files (CSV, XLSX, JSON) in and out: the format-level machinery shared by the importers
and exporters of the apps (`aims.inventory.io`, `aims.risk.io`).

An app describes its file with a `TableSpec` (its column codes, the header aliases a person may
type, the messages that name its kind of file) and keeps only what is its own: the conversion of
its records to cells and of cells to values, and the import of one row through its services.

Safety properties, for files from anyone:

- Bounded before parsing: the upload size (`max_bytes()`, setting `AIMS_MAX_UPLOAD_BYTES`), the
  data rows (`max_rows()`, setting `AIMS_IMPORT_MAX_ROWS`; `EXCEL_MAX_ROWS` worksheet rows),
  the header width (`MAX_COLUMNS`) and the cell length (`MAX_CELL_CHARS`, all formats).
- Text must be UTF-8 (with or without a BOM); UTF-16, undecodable bytes and NUL characters are
  refused with the line at fault (`decode`).
- XLSX: the ZIP container is checked before openpyxl expands anything (`check_xlsx_container`):
  member count, total expanded size, per-member compression ratio (ZIP bombs), every XML part
  UTF-8 and without a document type declaration (so no entity expansion or external entities
  whatever the XML parser does); the worksheet's declared dimensions are never trusted.
- JSON: NaN and Infinity are refused, deep nesting is refused, the top level must be a list.
- Formula injection: cells a spreadsheet would run as a formula (= + - @ tab CR, and a leading
  quote so the rule is reversible) are written with a leading single quote (`neutralise`) and read
  back without it (`unneutralise`), so export -> import changes nothing.
- Every problem is a `RowError` with the row number a spreadsheet shows (the header is row 1; for
  JSON the object's position from 1; 0 for the file as a whole) and the column; a file that cannot
  be read at all raises `Rejected` inside the readers and ends as a one-error `ImportResult`.
  `ErrorLog` keeps the first `MAX_REPORTED_ERRORS` and counts the rest.
- All or nothing: `run_import` imports every row inside one transaction, rolled back when any row
  failed (or for a dry run), and records one audit entry when it commits.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

# --- formats and limits ---------------------------------------------------------------------------

FORMATS = ("csv", "xlsx", "json")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
EXTENSIONS = {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".json": "json"}

DEFAULT_MAX_ROWS = 50_000
MAX_COLUMNS = 100  # the widest file (the risk register export) has 27
MAX_CELL_CHARS = 131_072  # Python's csv field limit, applied to every format
MAX_REPORTED_ERRORS = 1_000  # the rest are counted in one closing line
XLSX_MAX_MEMBERS = 1_000
XLSX_MAX_EXPANDED_BYTES = 256 * 1024 * 1024
XLSX_MAX_RATIO = 200
EXCEL_MAX_ROWS = 1_048_576

# A cell that starts with one of these is a formula (or becomes one) in Excel, LibreOffice and
# Google Sheets (OWASP "CSV injection"). A leading quote is escaped too, so the rule is reversible.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_ESCAPED_STARTS = (*FORMULA_TRIGGERS, "'")
# Control characters XML 1.0 (so XLSX) cannot hold.
XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_XML_ENCODING = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")


def max_rows() -> int:
    return int(getattr(settings, "AIMS_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS))


def max_bytes() -> int:
    return int(getattr(settings, "AIMS_MAX_UPLOAD_BYTES", 20 * 1024 * 1024))


def neutralise(value: str) -> str:
    """The text a spreadsheet shows as typed: a formula-like start gets a leading single quote."""
    return "'" + value if value.startswith(_ESCAPED_STARTS) else value


def unneutralise(value: str) -> str:
    """Undo `neutralise` on a cell read from a CSV or XLSX file."""
    if len(value) >= 2 and value[0] == "'" and value[1] in _ESCAPED_STARTS:
        return value[1:]
    return value


# --- results --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """One problem: `row` as a spreadsheet numbers it (header = 1; for JSON the object's position
    in the list, from 1; 0 for the file as a whole), the column at fault ('' for the row or file)."""

    row: int
    field: str
    message: str
    code: str = "invalid"  # "too_large" when the file exceeds a size or row limit

    def __str__(self) -> str:
        where = _("file") if self.row == 0 else _("row %(n)s") % {"n": self.row}
        return f"{where}, {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


@dataclass
class ImportResult:
    created: int
    updated: int
    errors: list[RowError]
    unchanged: int = 0
    rows: int = 0
    dry_run: bool = False
    format: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def too_large(self) -> bool:
        return any(e.code == "too_large" for e in self.errors)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "dry_run": self.dry_run,
            "format": self.format,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": [{"row": e.row, "field": e.field, "message": e.message} for e in self.errors],
        }


class Rejected(Exception):
    """The file as a whole cannot be read: nothing in it is imported."""

    def __init__(self, message: str, *, row: int = 0, field: str = "", code: str = "invalid") -> None:
        super().__init__(message)
        self.error = RowError(row, field, message, code)


class ErrorLog:
    """The errors of an import: the first `limit` are kept, the rest counted in a closing line."""

    def __init__(self, limit: int = MAX_REPORTED_ERRORS) -> None:
        self.items: list[RowError] = []
        self.total = 0
        self.limit = limit

    def add(self, error: RowError) -> None:
        self.total += 1
        if len(self.items) < self.limit:
            self.items.append(error)

    def result(self) -> list[RowError]:
        if self.total > len(self.items):
            more = self.total - len(self.items)
            return [
                *self.items,
                RowError(0, "", _("… and %(n)s more errors not shown.") % {"n": f"{more:,}"}),
            ]
        return list(self.items)


# --- what an app says about its file --------------------------------------------------------------

HeaderCheck = Callable[[dict[str, str], list[RowError], int], list[RowError]]


@dataclass(frozen=True)
class TableSpec:
    """How an app's file is read. Messages are lazy translations (they are shown per request).

    `aliases` maps a normalised header (see `normalise`) to a column code, or to None for a known
    column an import ignores. `listed_columns` are named when a header or JSON field is unknown.
    `check_header(seen, errors, row)` returns the header's further errors (a required column
    missing); `seen` maps each column found to the header text that named it."""

    aliases: Mapping[str, str | None]
    listed_columns: Sequence[str]
    sheet_title: str
    check_header: HeaderCheck
    too_many_columns: Any  # "The header has more than %(n)s columns: this is not ... file."
    json_not_a_list: Any
    json_empty: Any
    json_not_an_object: Any
    normalise: Callable[[str], str]
    # A header cell whose text normalises to nothing ("-") counts as blank (else it is unknown).
    punctuation_header_is_blank: bool = False
    # A value under a blank header cell inside the header's width is an error (else ignored).
    report_values_under_blank_headers: bool = True
    # JSON: an unknown key is reported once per file (else on every object that has it), and two
    # keys naming the same column are an error (else the last wins).
    json_unknown_once: bool = True
    json_duplicates_are_errors: bool = True


def normalise_header(text: str, separators: str = r"[\s\-./]+") -> str:
    """Header text as a lookup key: lower case, runs of spaces and punctuation as one '_'."""
    return re.sub(separators, "_", text.strip().lower()).strip("_")


# --- reading files --------------------------------------------------------------------------------


@dataclass
class Table:
    """What a reader found: (row number, {column: raw value}) for every non-blank data row."""

    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def detect_format(fmt: str, filename: str, data: bytes, *, xls_format_hint: bool = True) -> str:
    """The format asked for, else the file name's extension, else a look at the first bytes.
    `xls_format_hint`: an explicit format "xls" is told to save as .xlsx (else it is unknown)."""
    fmt = (fmt or "").strip().lower().lstrip(".")
    if fmt:
        if fmt == "xls" and xls_format_hint:
            raise Rejected(_("Old Excel .xls files are not supported: save the workbook as .xlsx."))
        if fmt not in FORMATS:
            raise Rejected(_("Unknown format “%(fmt)s”: choose csv, xlsx or json.") % {"fmt": fmt[:20]})
        return fmt
    lowered = (filename or "").lower()
    for ext, found in EXTENSIONS.items():
        if lowered.endswith(ext):
            return found
    if lowered.endswith(".xls"):
        raise Rejected(_("Old Excel .xls files are not supported: save the workbook as .xlsx."))
    if data.startswith(b"PK\x03\x04"):
        return "xlsx"
    if data.lstrip(codecs.BOM_UTF8 + b" \t\r\n")[:1] in (b"[", b"{"):
        return "json"
    return "csv"


def decode(data: bytes) -> str:
    """UTF-8 text (a BOM is dropped); anything else is refused naming the line at fault."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise Rejected(
            _("The file is UTF-16 text. Save it as UTF-8 (in Excel: “CSV UTF-8”) and import it again.")
        )
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise Rejected(
            _(
                "The file is not UTF-8 text: byte 0x%(byte)02x on line %(line)s cannot be read. Save the file as "
                "UTF-8 (in Excel: “CSV UTF-8”) and import it again."
            )
            % {"byte": data[exc.start], "line": line},
            row=line,
        ) from None
    if "\x00" in text:
        raise Rejected(_("The file contains NUL characters: it is not a text file (or it is not UTF-8)."))
    if not text.strip():
        raise Rejected(_("The file is empty."))
    return text


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def map_header(spec: TableSpec, cells: list[Any], row: int) -> tuple[list[str | None], list[RowError]]:
    """Header cells -> column codes (None for a blank or ignored header cell), and the header's errors."""
    aliases = spec.aliases
    mapped: list[str | None] = []
    errors: list[RowError] = []
    seen: dict[str, str] = {}
    for raw in cells:
        text = unneutralise(("" if raw is None else str(raw)).lstrip("\ufeff"))
        key = spec.normalise(text)
        if not text.strip() or (spec.punctuation_header_is_blank and not key):
            mapped.append(None)
            continue
        if key not in aliases:
            errors.append(
                RowError(
                    row,
                    text[:80],
                    _("Unknown column “%(col)s”. The columns are: %(all)s.")
                    % {"col": text[:80], "all": ", ".join(spec.listed_columns)},
                )
            )
            mapped.append(None)
            continue
        column = aliases[key]
        if column is not None and column in seen:
            errors.append(
                RowError(
                    row,
                    column,
                    _("Duplicate column: “%(a)s” and “%(b)s” are both %(col)s.")
                    % {"a": seen[column], "b": text[:80], "col": column},
                )
            )
            mapped.append(None)
            continue
        if column is not None:
            seen[column] = text[:80]
        mapped.append(column)
    errors.extend(spec.check_header(seen, errors, row))
    return mapped, errors


def table_from_rows(spec: TableSpec, rows: Iterator[tuple[int, list[Any]]]) -> Table:
    """Shared by CSV and XLSX: the first non-blank row is the header, then one record per row."""
    table = Table()
    header: list[str | None] | None = None
    limit = max_rows()
    for number, cells in rows:
        if all(blank(c) for c in cells):
            continue
        if header is None:
            last = max(i for i, c in enumerate(cells) if not blank(c))
            if last + 1 > MAX_COLUMNS:
                raise Rejected(str(spec.too_many_columns) % {"n": MAX_COLUMNS}, row=number)
            header, errors = map_header(spec, list(cells[: last + 1]), number)
            if errors:
                table.errors = errors
                return table
            continue
        if len(table.rows) >= limit:
            raise Rejected(
                _("The file has more than %(n)s rows: split it into smaller files.") % {"n": f"{limit:,}"},
                code="too_large",
            )
        values: dict[str, Any] = {}
        stray = False
        for i, cell in enumerate(cells):
            column = header[i] if i < len(header) else None
            if column is None:
                reportable = i >= len(header) or spec.report_values_under_blank_headers
                if reportable and not blank(cell) and not stray:
                    stray = True
                    table.errors.append(
                        RowError(number, "", _("Column %(n)s has a value but no header.") % {"n": i + 1})
                    )
                continue
            values[column] = cell
        table.rows.append((number, values))
    if header is None:
        raise Rejected(_("The file is empty."))
    if not table.rows and not table.errors:
        raise Rejected(_("The file has a header but no rows: there is nothing to import."))
    return table


def read_csv(spec: TableSpec, data: bytes) -> Table:
    text = decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)  # ties keep the comma
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        number = 0
        while True:
            number += 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                if "field larger than field limit" in str(exc):
                    message = _("A cell is longer than %(n)s characters.") % {"n": f"{MAX_CELL_CHARS:,}"}
                else:
                    message = _("This row cannot be read as CSV (%(reason)s); check its quotes.") % {
                        "reason": exc
                    }
                raise Rejected(message, row=number) from None
            yield number, [unneutralise(c) for c in cells]

    return table_from_rows(spec, rows())


def check_xlsx_container(data: bytes) -> None:
    """Refuse what is not a plain workbook before openpyxl expands anything."""
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise Rejected(
            _(
                "This is an old Excel .xls file or a password-protected workbook: save it as an unprotected .xlsx."
            )
        )
    if not data.startswith(b"PK"):
        raise Rejected(_("The file is not a valid XLSX workbook."))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except Exception:  # BadZipFile, NotImplementedError (unknown ZIP version), ValueError, OSError, ...
        raise Rejected(_("The file is not a valid XLSX workbook (the ZIP container is damaged).")) from None
    with archive:
        if len(members) > XLSX_MAX_MEMBERS:
            raise Rejected(
                _("The workbook has too many parts (%(n)s).") % {"n": len(members)}, code="too_large"
            )
        if sum(m.file_size for m in members) > XLSX_MAX_EXPANDED_BYTES:
            raise Rejected(
                _(
                    "The workbook expands to more than %(mb)s MB: too large for a register file (or it is a ZIP bomb)."
                )
                % {"mb": XLSX_MAX_EXPANDED_BYTES // (1024 * 1024)},
                code="too_large",
            )
        for member in members:
            # A real worksheet compresses 5-20 times; a ZIP bomb thousands of times.
            if member.file_size > 10 * 1024 * 1024 and member.file_size > XLSX_MAX_RATIO * max(
                member.compress_size, 1
            ):
                raise Rejected(
                    _("The workbook part %(part)s expands %(ratio)s times: this looks like a ZIP bomb.")
                    % {
                        "part": member.filename[:80],
                        "ratio": member.file_size // max(member.compress_size, 1),
                    },
                    code="too_large",
                )
        if "[Content_Types].xml" not in {m.filename for m in members}:
            raise Rejected(_("The file is not a valid XLSX workbook."))
        for member in members:
            if member.filename.lower().endswith((".xml", ".rels", ".vml")):
                _check_xml_part(archive, member)


def _check_xml_part(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
    """Workbook XML never needs a document type declaration; refusing one rules out entity
    expansion ('billion laughs') and external entities whatever the XML parser does."""
    try:
        with archive.open(member) as part:
            tail = b""
            first = True
            while chunk := part.read(1024 * 1024):
                if first:
                    start = chunk.lstrip(codecs.BOM_UTF8)[:200]
                    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in start[:4]:
                        raise Rejected(
                            _("The workbook has an XML part that is not UTF-8 (%(part)s).")
                            % {"part": member.filename[:80]}
                        )
                    declared = _XML_ENCODING.match(start)
                    if declared and declared.group(1).lower() not in (
                        b"utf-8",
                        b"utf8",
                        b"us-ascii",
                        b"ascii",
                    ):
                        raise Rejected(
                            _("The workbook has an XML part that is not UTF-8 (%(part)s).")
                            % {"part": member.filename[:80]}
                        )
                    first = False
                window = tail + chunk
                if b"<!DOCTYPE" in window or b"<!ENTITY" in window:
                    raise Rejected(
                        _(
                            "The workbook contains an XML document type declaration (%(part)s); workbooks never need one."
                        )
                        % {"part": member.filename[:80]}
                    )
                tail = window[-16:]
    except Rejected:
        raise
    except Exception:  # BadZipFile (bad CRC), zlib.error, NotImplementedError (compression), EOFError, ...
        raise Rejected(_("The file is not a valid XLSX workbook (a part cannot be read).")) from None


def xlsx_value(value: Any) -> Any:
    """A worksheet cell as the text a CSV would hold (numbers without a trailing .0, dates ISO)."""
    if value is None or isinstance(value, str):
        return unneutralise(value) if isinstance(value, str) else None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)


def read_xlsx(spec: TableSpec, data: bytes) -> Table:
    """The sheet named `spec.sheet_title`, else the first one."""
    check_xlsx_container(data)
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds (KeyError, ValueError, InvalidFileException, ...)
        raise Rejected(_("The file is not a valid XLSX workbook.")) from None
    try:
        sheets = wb.worksheets
        if not sheets:
            raise Rejected(_("The workbook has no worksheet."))
        ws = wb[spec.sheet_title] if spec.sheet_title in wb.sheetnames else sheets[0]
        ws.reset_dimensions()  # never trust the declared size: rows are read as they come

        def rows() -> Iterator[tuple[int, list[Any]]]:
            try:
                for number, cells in enumerate(
                    ws.iter_rows(min_row=1, max_col=MAX_COLUMNS + 1, values_only=True), 1
                ):
                    if number > EXCEL_MAX_ROWS:
                        raise Rejected(_("The worksheet has more rows than Excel allows."), code="too_large")
                    if cells.count(None) == len(cells):  # blank (also the rows openpyxl fills into gaps)
                        yield number, []
                    else:
                        yield number, [xlsx_value(c) for c in cells]
            except Rejected:
                raise
            except Exception:  # a damaged sheet part surfaces while it is read
                raise Rejected(
                    _("The file is not a valid XLSX workbook (a worksheet cannot be read).")
                ) from None

        return table_from_rows(spec, rows())
    finally:
        wb.close()


def reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def read_json(spec: TableSpec, data: bytes) -> Table:
    """A list of objects, one per record; keys are headers."""
    text = decode(data)
    try:
        parsed = json.loads(text, parse_constant=reject_constant)
    except RecursionError:
        raise Rejected(_("The JSON is nested too deeply.")) from None
    except ValueError as exc:
        where = ""
        if isinstance(exc, json.JSONDecodeError):
            where = _(" (line %(line)s, column %(col)s)") % {"line": exc.lineno, "col": exc.colno}
        raise Rejected(_("The file is not valid JSON%(where)s.") % {"where": where}) from None
    if not isinstance(parsed, list):
        raise Rejected(str(spec.json_not_a_list))
    if not parsed:
        raise Rejected(str(spec.json_empty))
    limit = max_rows()
    if len(parsed) > limit:
        raise Rejected(
            _("The file has more than %(n)s rows: split it into smaller files.") % {"n": f"{limit:,}"},
            code="too_large",
        )
    aliases = spec.aliases
    unknown = object()
    table = Table()
    reported: set[str] = set()
    known: dict[str, Any] = {}  # key -> column (None: ignored), normalised once per distinct key
    for number, item in enumerate(parsed, 1):
        if not isinstance(item, dict):
            table.errors.append(RowError(number, "", str(spec.json_not_an_object)))
            continue
        values: dict[str, Any] = {}
        for key, value in item.items():
            if key not in known:
                known[key] = aliases.get(spec.normalise(str(key)), unknown)
            column = known[key]
            if column is unknown:
                if not spec.json_unknown_once or key not in reported:
                    reported.add(key)
                    table.errors.append(
                        RowError(
                            number,
                            str(key)[:80],
                            _("Unknown field “%(col)s”. The fields are: %(all)s.")
                            % {"col": str(key)[:80], "all": ", ".join(spec.listed_columns)},
                        )
                    )
                continue
            if column is None:
                continue
            if spec.json_duplicates_are_errors and column in values:
                table.errors.append(
                    RowError(number, column, _("The field %(col)s is given twice.") % {"col": column})
                )
                continue
            values[column] = value
        table.rows.append((number, values))
    return table


READERS: dict[str, Callable[[TableSpec, bytes], Table]] = {
    "csv": read_csv,
    "xlsx": read_xlsx,
    "json": read_json,
}


def read_upload(
    spec: TableSpec,
    data: bytes,
    fmt: str,
    filename: str = "",
    *,
    dry_run: bool = False,
    xls_format_hint: bool = True,
) -> tuple[Table | None, ImportResult]:
    """Check the size, detect the format and read the file. Returns the table and an empty result
    to fill; or (None, the result with the errors) when the file or its header cannot be used."""
    try:
        if len(data) > max_bytes():
            raise Rejected(
                _("The file is %(size)s MB; the limit is %(limit)s MB.")
                % {"size": round(len(data) / 1_048_576, 1), "limit": round(max_bytes() / 1_048_576, 1)},
                code="too_large",
            )
        fmt = detect_format(fmt, filename, data, xls_format_hint=xls_format_hint)
        if not data.strip():
            raise Rejected(_("The file is empty."))
        table = READERS[fmt](spec, data)
    except Rejected as exc:
        return None, ImportResult(0, 0, [exc.error], dry_run=dry_run, format=fmt if fmt in FORMATS else "")
    result = ImportResult(0, 0, [], rows=len(table.rows), dry_run=dry_run, format=fmt)
    if table.errors and not table.rows:
        result.errors = table.errors
        return None, result
    return table, result


class _Rollback(Exception):
    pass


RowImporter = Callable[[int, dict[str, Any], ErrorLog, ImportResult], None]


def run_import(
    actor: Any,
    table: Table,
    result: ImportResult,
    *,
    object_type: str,
    filename: str,
    start: Callable[[], RowImporter],
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Import every row of `table`, all or nothing, and fill `result`.

    Inside one transaction `start()` prepares the import (lookups, existing records) and returns
    the function that imports one row (number, raw values, error log, result). When any row
    failed, or for a dry run, the transaction is rolled back; else one audit entry (action import)
    records the file. `progress(done, total)` is called as rows are processed."""
    from aims.core import audit
    from aims.core.models import AuditEvent

    log = ErrorLog()
    for error in table.errors:
        log.add(error)
    total = len(table.rows)
    if progress is not None:
        progress(0, total)
    try:
        with transaction.atomic():
            import_row = start()
            for done, (number, raw) in enumerate(table.rows, 1):
                import_row(number, raw, log, result)
                if progress is not None:
                    progress(done, total)
            if log.total or result.dry_run:
                raise _Rollback
            audit.record(
                actor,
                AuditEvent.Action.IMPORT,
                object_type=object_type,
                object_repr=(filename or f"{result.format} upload")[:300],
                changes={
                    "format": result.format,
                    "filename": filename[:200],
                    "rows": total,
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                },
            )
    except _Rollback:
        pass
    result.errors = log.result()
    return result


# --- writing files --------------------------------------------------------------------------------

CellFunction = Callable[[Any], Any]


def write_csv(columns: Sequence[str], records: Iterable[dict[str, Any]], cell: CellFunction) -> bytes:
    """RFC 4180 with a UTF-8 BOM (so Excel reads UTF-8; the import accepts files with or without it).
    `cell` turns a record value into a cell and must neutralise text (see `neutralise`)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for record in records:
        writer.writerow([cell(record[c]) for c in columns])
    return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")


def write_json(records: Iterable[dict[str, Any]]) -> bytes:
    return (json.dumps(list(records), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def write_xlsx(
    columns: Sequence[str],
    records: Iterable[dict[str, Any]],
    cell: CellFunction,
    *,
    sheet_title: str,
    column_help: Iterable[tuple[str, str, str]],
    widths: Mapping[str, int] | None = None,
    default_width: int = 18,
    auto_filter: bool = False,
) -> bytes:
    """A workbook: the records on `sheet_title` (bold frozen header; with `widths`, column widths;
    with `auto_filter`, a filter over the table) and a second sheet "Columns" explaining each
    column from `column_help` (column, meaning, accepted values). The import reads the first
    sheet only. Control characters XML cannot hold are dropped (CSV and JSON keep them)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet_title)
    if widths is not None:
        for i, column in enumerate(columns, 1):
            ws.column_dimensions[get_column_letter(i)].width = widths.get(column, default_width)
    ws.freeze_panes = "A2"
    header = []
    for column in columns:
        header_cell = WriteOnlyCell(ws, value=column)
        header_cell.font = Font(bold=True)
        header.append(header_cell)
    ws.append(header)
    count = 0
    for record in records:
        ws.append(
            [XML_ILLEGAL.sub("", v) if isinstance(v, str) else v for v in (cell(record[c]) for c in columns)]
        )
        count += 1
    if auto_filter:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"

    help_sheet = wb.create_sheet(_("Columns"))
    if widths is not None:
        help_sheet.column_dimensions["A"].width = 26
        help_sheet.column_dimensions["B"].width = 80
        help_sheet.column_dimensions["C"].width = 80
    help_header = []
    for title in (_("column"), _("meaning"), _("accepted values")):
        title_cell = WriteOnlyCell(help_sheet, value=title)
        title_cell.font = Font(bold=True)
        help_header.append(title_cell)
    help_sheet.append(help_header)
    wrap = Alignment(wrap_text=True, vertical="top")
    for column, meaning, accepted in column_help:
        row = []
        for text in (column, meaning, accepted):
            help_cell = WriteOnlyCell(help_sheet, value=neutralise(str(text)))
            help_cell.alignment = wrap
            row.append(help_cell)
        help_sheet.append(row)

    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
