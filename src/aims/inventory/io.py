"""Import and export of the AI system inventory as CSV, XLSX and JSON.

One column per field of `AISystem` (`COLUMNS`). The UI, the API and the CLI all call the two
functions of this module:

- `export_systems(actor, queryset, fmt)` -> (content, content type, file name). Cells of CSV and
  XLSX files that a spreadsheet would run as a formula (= + - @ tab CR) are prefixed with a single
  quote; an import removes that quote again, so export -> import changes nothing.
- `import_systems(actor, data, fmt, filename)` -> `ImportResult`. All or nothing: every row goes
  through the inventory services (permissions, `full_clean`, audit trail) inside one transaction
  that is rolled back when any row fails, and the result lists every row's errors with the row
  number a spreadsheet shows (the header is row 1).

Untrusted input is bounded before it is parsed: size (`AIMS_MAX_UPLOAD_BYTES`), rows
(`AIMS_IMPORT_MAX_ROWS`), columns, cell length, and for XLSX the ZIP container (member count,
expanded size, no XML document type declarations, so no entity expansion bombs).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import DataError, IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from aims.core import audit
from aims.core.actors import Actor
from aims.core.exceptions import error_dict
from aims.core.models import AuditEvent, Membership

from . import services
from .models import AISystem

# --- the columns ----------------------------------------------------------------------------------

COLUMNS: tuple[str, ...] = (
    "name",
    "slug",
    "purpose",
    "description",
    "function",
    "system_type",
    "owner",
    "business_unit",
    "criticality",
    "org_roles",
    "eu_ai_act_tier",
    "documentation_status",
    "lifecycle_stage",
    "project_status",
    "processes_personal_data",
    "special_category_data",
    "affected_persons",
    "deployment_environments",
    "third_party",
    "supplier",
    "tags",
    "links",
)
REQUIRED_COLUMNS = ("name",)

TEXT_FIELDS = frozenset(
    {"name", "purpose", "description", "function", "business_unit", "affected_persons", "supplier"}
)
# Single-line texts: surrounding spaces typed into a spreadsheet are dropped.
STRIPPED_FIELDS = frozenset({"name", "business_unit", "supplier"})
CHOICE_FIELDS: dict[str, type] = {
    "system_type": AISystem.Type,
    "criticality": AISystem.Criticality,
    "eu_ai_act_tier": AISystem.RiskTier,
    "documentation_status": AISystem.DocumentationStatus,
    "lifecycle_stage": AISystem.Stage,
    "project_status": AISystem.ProjectStatus,
}
CHOICE_LIST_FIELDS: dict[str, type] = {
    "org_roles": AISystem.OrgRole,
    "deployment_environments": AISystem.Environment,
}
BOOLEAN_FIELDS = frozenset({"processes_personal_data", "special_category_data", "third_party"})
STRING_LIST_FIELDS = frozenset({"tags", "links"})
LIST_FIELDS = frozenset(CHOICE_LIST_FIELDS) | STRING_LIST_FIELDS

LIST_SEPARATOR = "; "  # in CSV and XLSX cells; JSON uses arrays
TRUE_WORDS = frozenset({"yes", "true", "1", "y"})
FALSE_WORDS = frozenset({"no", "false", "0", "n"})

# --- formats and limits ---------------------------------------------------------------------------

FORMATS = ("csv", "xlsx", "json")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
EXTENSIONS = {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".json": "json"}
SHEET_TITLE = "AI systems"

DEFAULT_MAX_ROWS = 50_000
MAX_COLUMNS = 100  # the inventory has 22; anything wider is not an inventory file
MAX_CELL_CHARS = 131_072  # Python's csv field limit, applied to every format
MAX_REPORTED_ERRORS = 1_000  # the rest are counted in one closing line
XLSX_MAX_MEMBERS = 1_000
XLSX_MAX_EXPANDED_BYTES = 256 * 1024 * 1024
XLSX_MAX_RATIO = 200
EXCEL_MAX_ROWS = 1_048_576

# A cell that starts with one of these is a formula (or becomes one) in Excel, LibreOffice and
# Google Sheets (OWASP "CSV injection"). A leading quote is escaped too, so the rule is reversible.
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_ESCAPED_STARTS = (*_FORMULA_TRIGGERS, "'")
# Control characters XML 1.0 (so XLSX) cannot hold.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SURROGATES = re.compile(r"[\ud800-\udfff]")
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


class _Rejected(Exception):
    """The file as a whole cannot be read: nothing in it is imported."""

    def __init__(self, message: str, *, row: int = 0, field: str = "", code: str = "invalid") -> None:
        super().__init__(message)
        self.error = RowError(row, field, message, code)


class _CellError(Exception):
    pass


class _Rollback(Exception):
    pass


# --- export ---------------------------------------------------------------------------------------


def _english_labels(choices: type) -> dict[str, str]:
    with translation.override("en"):
        return {value: str(label) for value, label in choices.choices}  # type: ignore[attr-defined]


def _record(system: AISystem) -> dict[str, Any]:
    """A system as plain JSON values, in column order."""
    return {
        "name": system.name,
        "slug": system.slug,
        "purpose": system.purpose,
        "description": system.description,
        "function": system.function,
        "system_type": system.system_type,
        "owner": system.owner.email if system.owner_id and system.owner else "",
        "business_unit": system.business_unit,
        "criticality": system.criticality,
        "org_roles": list(system.org_roles or []),
        "eu_ai_act_tier": system.eu_ai_act_tier,
        "documentation_status": system.documentation_status,
        "lifecycle_stage": system.lifecycle_stage,
        "project_status": system.project_status,
        "processes_personal_data": bool(system.processes_personal_data),
        "special_category_data": bool(system.special_category_data),
        "affected_persons": system.affected_persons,
        "deployment_environments": list(system.deployment_environments or []),
        "third_party": bool(system.third_party),
        "supplier": system.supplier,
        "tags": list(system.tags or []),
        "links": list(system.links or []),
    }


def _sheet_cell(value: Any) -> str:
    """A record value as the text of a CSV or XLSX cell, neutralised against formula injection."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        value = LIST_SEPARATOR.join(str(v) for v in value)
    return neutralise(str(value))


def _write_csv(records: Iterable[dict[str, Any]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180
    writer.writerow(COLUMNS)
    for record in records:
        writer.writerow([_sheet_cell(record[c]) for c in COLUMNS])
    # The BOM makes Excel read the file as UTF-8; the import accepts files with or without it.
    return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")


def _write_json(records: Iterable[dict[str, Any]]) -> bytes:
    return (json.dumps(list(records), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


_WIDTHS = {
    "name": 32,
    "slug": 24,
    "purpose": 40,
    "description": 50,
    "function": 40,
    "owner": 28,
    "affected_persons": 30,
}


def _write_xlsx(records: Iterable[dict[str, Any]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(SHEET_TITLE)
    for i, column in enumerate(COLUMNS, 1):
        ws.column_dimensions[get_column_letter(i)].width = _WIDTHS.get(column, 18)
    ws.freeze_panes = "A2"
    header = []
    for column in COLUMNS:
        cell = WriteOnlyCell(ws, value=column)
        cell.font = Font(bold=True)
        header.append(cell)
    ws.append(header)
    count = 0
    for record in records:
        # XML cannot carry most control characters; they are dropped from XLSX (CSV and JSON keep them).
        ws.append([_XML_ILLEGAL.sub("", _sheet_cell(record[c])) for c in COLUMNS])
        count += 1
    ws.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{count + 1}"

    # A second sheet explains the columns; the import reads the first sheet only.
    help_sheet = wb.create_sheet(_("Columns"))
    help_sheet.column_dimensions["A"].width = 26
    help_sheet.column_dimensions["B"].width = 80
    help_sheet.column_dimensions["C"].width = 80
    help_header = []
    for title in (_("column"), _("meaning"), _("accepted values")):
        cell = WriteOnlyCell(help_sheet, value=title)
        cell.font = Font(bold=True)
        help_header.append(cell)
    help_sheet.append(help_header)
    wrap = Alignment(wrap_text=True, vertical="top")
    for column, meaning, accepted in column_help():
        row = []
        for text in (column, meaning, accepted):
            cell = WriteOnlyCell(help_sheet, value=neutralise(str(text)))
            cell.alignment = wrap
            row.append(cell)
        help_sheet.append(row)

    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def column_help() -> list[tuple[str, str, str]]:
    """(column, meaning, accepted values) for every column: the XLSX help sheet and the docs."""
    rows = []
    for column in COLUMNS:
        model_field = AISystem._meta.get_field(column)
        meaning = str(model_field.help_text or model_field.verbose_name)
        if column in CHOICE_FIELDS or column in CHOICE_LIST_FIELDS:
            choices = CHOICE_FIELDS.get(column) or CHOICE_LIST_FIELDS[column]
            accepted = ", ".join(f"{code} ({label})" for code, label in _english_labels(choices).items())
            if column in CHOICE_LIST_FIELDS:
                accepted = _("several, separated by ';': ") + accepted
        if column in CHOICE_FIELDS:
            accepted += _("; empty: unchanged (the default for a new system)")
        elif column in BOOLEAN_FIELDS:
            accepted = "yes / no (also true / false, y / n, 1 / 0); empty: unchanged"
        elif column == "links":
            accepted = _("http:// or https:// addresses, separated by '; ' or line breaks")
        elif column == "tags":
            accepted = _("several, separated by ';' (in CSV and XLSX a tag cannot contain ';')")
        elif column == "owner":
            accepted = _("the e-mail address of a member of the organization, or empty")
        elif column == "slug":
            accepted = _(
                "letters, digits, - and _; matches an existing system to update it; empty: made from the name"
            )
        elif column == "name":
            accepted = _("required")
        else:
            accepted = _("any text")
        rows.append((column, meaning, accepted))
    return rows


def export_systems(actor: Actor, queryset: QuerySet[AISystem], fmt: str) -> tuple[bytes, str, str]:
    """The systems of `queryset` (restricted to the actor's organization) as a file.

    Returns (content, content type, file name) and records one audit entry (action export, with
    the format and the row count)."""
    actor.require("ai_system", "export")
    fmt = (fmt or "csv").strip().lower()
    if fmt not in FORMATS:
        raise ValidationError(
            {"format": _("Unknown format “%(fmt)s”: choose csv, xlsx or json.") % {"fmt": fmt[:20]}}
        )
    org_id = actor.organization.pk
    if queryset.query.is_sliced:  # a sliced queryset cannot be filtered further: check each row
        records = [_record(s) for s in queryset if s.organization_id == org_id]
    else:
        qs = queryset.filter(organization_id=org_id).select_related("owner")
        records = [_record(s) for s in qs.iterator(chunk_size=2000)]
    writer = {"csv": _write_csv, "xlsx": _write_xlsx, "json": _write_json}[fmt]
    content = writer(records)
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    filename = f"ai-systems-{actor.organization.slug}-{stamp}.{fmt}"
    with transaction.atomic():
        audit.record(
            actor,
            AuditEvent.Action.EXPORT,
            object_type="ai_system",
            object_repr=filename,
            changes={"format": fmt, "rows": len(records)},
        )
    return content, CONTENT_TYPES[fmt], filename


# --- reading files --------------------------------------------------------------------------------


@dataclass
class _Table:
    """What a reader found: (row number, {column: raw value}) for every non-blank data row."""

    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def detect_format(fmt: str, filename: str, data: bytes) -> str:
    """The format asked for, else the file name's extension, else a look at the first bytes."""
    fmt = (fmt or "").strip().lower().lstrip(".")
    if fmt:
        if fmt == "xls":
            raise _Rejected(_("Old Excel .xls files are not supported: save the workbook as .xlsx."))
        if fmt not in FORMATS:
            raise _Rejected(_("Unknown format “%(fmt)s”: choose csv, xlsx or json.") % {"fmt": fmt[:20]})
        return fmt
    lowered = (filename or "").lower()
    for ext, found in EXTENSIONS.items():
        if lowered.endswith(ext):
            return found
    if lowered.endswith(".xls"):
        raise _Rejected(_("Old Excel .xls files are not supported: save the workbook as .xlsx."))
    if data.startswith(b"PK\x03\x04"):
        return "xlsx"
    if data.lstrip(codecs.BOM_UTF8 + b" \t\r\n")[:1] in (b"[", b"{"):
        return "json"
    return "csv"


def _decode(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise _Rejected(
            _("The file is UTF-16 text. Save it as UTF-8 (in Excel: “CSV UTF-8”) and import it again.")
        )
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise _Rejected(
            _(
                "The file is not UTF-8 text: byte 0x%(byte)02x on line %(line)s cannot be read. Save the file as "
                "UTF-8 (in Excel: “CSV UTF-8”) and import it again."
            )
            % {"byte": data[exc.start], "line": line},
            row=line,
        ) from None
    if "\x00" in text:
        raise _Rejected(_("The file contains NUL characters: it is not a text file (or it is not UTF-8)."))
    if not text.strip():
        raise _Rejected(_("The file is empty."))
    return text


def _normalise_header(text: str) -> str:
    return re.sub(r"[\s\-./]+", "_", text.strip().lower()).strip("_")


def _header_aliases() -> dict[str, str]:
    """Column codes, plus the English field names a person would type ('EU AI Act risk tier')."""
    aliases = {c: c for c in COLUMNS}
    with translation.override("en"):
        for column in COLUMNS:
            aliases.setdefault(_normalise_header(str(AISystem._meta.get_field(column).verbose_name)), column)
    aliases.setdefault("type", "system_type")
    aliases.setdefault("owner_email", "owner")
    return aliases


def _map_header(cells: list[Any], row: int) -> tuple[list[str | None], list[RowError]]:
    """Header cells -> column codes (None for a blank header cell), and the header's errors."""
    aliases = _header_aliases()
    mapped: list[str | None] = []
    errors: list[RowError] = []
    seen: dict[str, str] = {}
    for raw in cells:
        text = "" if raw is None else str(raw)
        text = unneutralise(text.lstrip("\ufeff"))
        if not text.strip():
            mapped.append(None)
            continue
        column = aliases.get(_normalise_header(text))
        if column is None:
            errors.append(
                RowError(
                    row,
                    text[:80],
                    _("Unknown column “%(col)s”. The columns are: %(all)s.")
                    % {"col": text[:80], "all": ", ".join(COLUMNS)},
                )
            )
            mapped.append(None)
            continue
        if column in seen:
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
        seen[column] = text[:80]
        mapped.append(column)
    for required in REQUIRED_COLUMNS:
        if required not in seen and not any(e.field == required for e in errors):
            errors.append(
                RowError(row, required, _("The required column “%(col)s” is missing.") % {"col": required})
            )
    return mapped, errors


def _table_from_rows(rows: Iterator[tuple[int, list[Any]]]) -> _Table:
    """Shared by CSV and XLSX: the first non-blank row is the header, then one system per row."""
    table = _Table()
    header: list[str | None] | None = None
    limit = max_rows()
    for number, cells in rows:
        if all(_blank(c) for c in cells):
            continue
        if header is None:
            last = max(i for i, c in enumerate(cells) if not _blank(c))
            if last + 1 > MAX_COLUMNS:
                raise _Rejected(
                    _("The header has more than %(n)s columns: this is not an AI system inventory file.")
                    % {"n": MAX_COLUMNS},
                    row=number,
                )
            header, errors = _map_header(list(cells[: last + 1]), number)
            if errors:
                table.errors = errors
                return table
            continue
        if len(table.rows) >= limit:
            raise _Rejected(
                _("The file has more than %(n)s rows: split it into smaller files.") % {"n": f"{limit:,}"},
                code="too_large",
            )
        values: dict[str, Any] = {}
        stray = False
        for i, cell in enumerate(cells):
            column = header[i] if i < len(header) else None
            if column is None:
                if not _blank(cell) and not stray:
                    stray = True
                    table.errors.append(
                        RowError(number, "", _("Column %(n)s has a value but no header.") % {"n": i + 1})
                    )
                continue
            values[column] = cell
        table.rows.append((number, values))
    if header is None:
        raise _Rejected(_("The file is empty."))
    if not table.rows and not table.errors:
        raise _Rejected(_("The file has a header but no rows: there is nothing to import."))
    return table


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _read_csv(data: bytes) -> _Table:
    text = _decode(data)
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
                raise _Rejected(message, row=number) from None
            yield number, [unneutralise(c) for c in cells]

    return _table_from_rows(rows())


def _check_xlsx_container(data: bytes) -> None:
    """Refuse what is not a plain workbook before openpyxl expands anything."""
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise _Rejected(
            _(
                "This is an old Excel .xls file or a password-protected workbook: save it as an unprotected .xlsx."
            )
        )
    if not data.startswith(b"PK"):
        raise _Rejected(_("The file is not a valid XLSX workbook."))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except Exception:  # BadZipFile, NotImplementedError (unknown ZIP version), ValueError, OSError, ...
        raise _Rejected(_("The file is not a valid XLSX workbook (the ZIP container is damaged).")) from None
    with archive:
        if len(members) > XLSX_MAX_MEMBERS:
            raise _Rejected(
                _("The workbook has too many parts (%(n)s).") % {"n": len(members)}, code="too_large"
            )
        if sum(m.file_size for m in members) > XLSX_MAX_EXPANDED_BYTES:
            raise _Rejected(
                _(
                    "The workbook expands to more than %(mb)s MB: it is not an inventory file (or it is a ZIP bomb)."
                )
                % {"mb": XLSX_MAX_EXPANDED_BYTES // (1024 * 1024)},
                code="too_large",
            )
        for member in members:
            # A real worksheet compresses 5-20 times; a ZIP bomb thousands of times.
            if member.file_size > 10 * 1024 * 1024 and member.file_size > XLSX_MAX_RATIO * max(
                member.compress_size, 1
            ):
                raise _Rejected(
                    _("The workbook part %(part)s expands %(ratio)s times: this looks like a ZIP bomb.")
                    % {
                        "part": member.filename[:80],
                        "ratio": member.file_size // max(member.compress_size, 1),
                    },
                    code="too_large",
                )
        if "[Content_Types].xml" not in {m.filename for m in members}:
            raise _Rejected(_("The file is not a valid XLSX workbook."))
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
                        raise _Rejected(
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
                        raise _Rejected(
                            _("The workbook has an XML part that is not UTF-8 (%(part)s).")
                            % {"part": member.filename[:80]}
                        )
                    first = False
                window = tail + chunk
                if b"<!DOCTYPE" in window or b"<!ENTITY" in window:
                    raise _Rejected(
                        _(
                            "The workbook contains an XML document type declaration (%(part)s); workbooks never need one."
                        )
                        % {"part": member.filename[:80]}
                    )
                tail = window[-16:]
    except _Rejected:
        raise
    except Exception:  # BadZipFile (bad CRC), zlib.error, NotImplementedError (compression), EOFError, ...
        raise _Rejected(_("The file is not a valid XLSX workbook (a part cannot be read).")) from None


def _xlsx_value(value: Any) -> Any:
    if value is None or isinstance(value, str):
        return unneutralise(value) if isinstance(value, str) else None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _read_xlsx(data: bytes) -> _Table:
    _check_xlsx_container(data)
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds (KeyError, ValueError, InvalidFileException, ...)
        raise _Rejected(_("The file is not a valid XLSX workbook.")) from None
    try:
        sheets = wb.worksheets
        if not sheets:
            raise _Rejected(_("The workbook has no worksheet."))
        ws = wb[SHEET_TITLE] if SHEET_TITLE in wb.sheetnames else sheets[0]
        ws.reset_dimensions()  # never trust the declared size: rows are read as they come

        def rows() -> Iterator[tuple[int, list[Any]]]:
            try:
                for number, cells in enumerate(
                    ws.iter_rows(min_row=1, max_col=MAX_COLUMNS + 1, values_only=True), 1
                ):
                    if number > EXCEL_MAX_ROWS:
                        raise _Rejected(_("The worksheet has more rows than Excel allows."), code="too_large")
                    if cells.count(None) == len(cells):  # blank (also the rows openpyxl fills into gaps)
                        yield number, []
                    else:
                        yield number, [_xlsx_value(c) for c in cells]
            except _Rejected:
                raise
            except Exception:  # a damaged sheet part surfaces while it is read
                raise _Rejected(
                    _("The file is not a valid XLSX workbook (a worksheet cannot be read).")
                ) from None

        return _table_from_rows(rows())
    finally:
        wb.close()


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _read_json(data: bytes) -> _Table:
    text = _decode(data)
    try:
        parsed = json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise _Rejected(_("The JSON is nested too deeply.")) from None
    except ValueError as exc:
        where = ""
        if isinstance(exc, json.JSONDecodeError):
            where = _(" (line %(line)s, column %(col)s)") % {"line": exc.lineno, "col": exc.colno}
        raise _Rejected(_("The file is not valid JSON%(where)s.") % {"where": where}) from None
    if not isinstance(parsed, list):
        raise _Rejected(_('The JSON must be a list of objects, one per AI system: [{"name": ...}, ...].'))
    if not parsed:
        raise _Rejected(_("The file has no AI systems: the list is empty."))
    limit = max_rows()
    if len(parsed) > limit:
        raise _Rejected(
            _("The file has more than %(n)s rows: split it into smaller files.") % {"n": f"{limit:,}"},
            code="too_large",
        )
    aliases = _header_aliases()
    table = _Table()
    reported: set[str] = set()
    known: dict[str, str | None] = {}  # key -> column, normalised once per distinct key
    for number, item in enumerate(parsed, 1):
        if not isinstance(item, dict):
            table.errors.append(RowError(number, "", _("Expected an object ({...}) for each AI system.")))
            continue
        values: dict[str, Any] = {}
        for key, value in item.items():
            if key not in known:
                known[key] = aliases.get(_normalise_header(str(key)))
            column = known[key]
            if column is None:
                if key not in reported:
                    reported.add(key)
                    table.errors.append(
                        RowError(
                            number,
                            str(key)[:80],
                            _("Unknown field “%(col)s”. The fields are: %(all)s.")
                            % {"col": str(key)[:80], "all": ", ".join(COLUMNS)},
                        )
                    )
                continue
            if column in values:
                table.errors.append(
                    RowError(number, column, _("The field %(col)s is given twice.") % {"col": column})
                )
                continue
            values[column] = value
        table.rows.append((number, values))
    return table


READERS: dict[str, Callable[[bytes], _Table]] = {"csv": _read_csv, "xlsx": _read_xlsx, "json": _read_json}


# --- converting values ------------------------------------------------------------------------------

_KEEP = object()  # an empty choice or yes/no cell: keep the current value (the default for a new system)


class _Lookups:
    """Everything a row's conversion needs, computed once per import."""

    def __init__(self, actor: Actor) -> None:
        self.choices: dict[str, dict[str, str]] = {}
        self.labels: dict[str, dict[str, str]] = {}
        for column, choices in {**CHOICE_FIELDS, **CHOICE_LIST_FIELDS}.items():
            english = _english_labels(choices)
            lookup = {code.lower(): code for code in english}
            for code, label in english.items():
                lookup.setdefault(_squash(label), code)
            self.choices[column] = lookup
            self.labels[column] = english
        self.members = {
            email.lower(): user_id
            for email, user_id in Membership.objects.filter(organization=actor.organization).values_list(
                "user__email", "user_id"
            )
        }
        self.url = URLValidator(schemes=["http", "https"])


def _squash(text: str) -> str:
    return " ".join(text.lower().split())


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        raise _CellError(_("Expected text, got true/false."))
    if isinstance(value, int | float):
        return str(value)
    if not isinstance(value, str):
        raise _CellError(_("Expected text, got a list or an object."))
    if len(value) > MAX_CELL_CHARS:
        raise _CellError(_("Longer than %(n)s characters.") % {"n": f"{MAX_CELL_CHARS:,}"})
    if "\x00" in value:
        raise _CellError(_("Contains a NUL character."))
    if _SURROGATES.search(value):
        raise _CellError(_("Contains an invalid Unicode character."))
    return value


# Items of a list cell are separated by ';' or line breaks. A web address may itself contain ';',
# so between links only a line break, or a ';' followed by a space or the next http(s)://, separates.
_ITEM_SEPARATOR = re.compile(r"[;\n]")
_LINK_SEPARATOR = re.compile(r"\n|;(?=\s|https?://|$)")


def _items(value: Any, separator: re.Pattern[str] = _ITEM_SEPARATOR) -> list[str]:
    """A list cell: a JSON array, or text separated by ';' (or line breaks)."""
    if value is None:
        return []
    if isinstance(value, list):
        items = []
        for item in value:
            if not isinstance(item, str):
                raise _CellError(_("Every item of the list must be text."))
            items.append(_text(item).strip())
        return [i for i in items if i]
    return [i.strip() for i in separator.split(_text(value)) if i.strip()]


def _convert(column: str, value: Any, lookups: _Lookups) -> Any:
    if column in TEXT_FIELDS:
        text = _text(value)
        return text.strip() if column in STRIPPED_FIELDS else text
    if column == "slug":
        return _text(value).strip()
    if column in CHOICE_FIELDS:
        text = _squash(_text(value))
        if not text:
            return _KEEP
        found = lookups.choices[column].get(text)
        if found is None:
            raise _CellError(_choice_message(str(value), column, lookups))
        return found
    if column in CHOICE_LIST_FIELDS:
        result: list[str] = []
        for item in _items(value):
            found = lookups.choices[column].get(_squash(item))
            if found is None:
                raise _CellError(_choice_message(item, column, lookups))
            if found not in result:
                result.append(found)
        return result
    if column in BOOLEAN_FIELDS:
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        text = _text(value).strip().lower()
        if not text:
            return _KEEP
        if text in TRUE_WORDS:
            return True
        if text in FALSE_WORDS:
            return False
        raise _CellError(
            _("“%(v)s” is not yes or no (accepted: yes/no, true/false, 1/0).") % {"v": str(value)[:80]}
        )
    if column == "tags":
        tags = _items(value)
        for tag in tags:
            if len(tag) > 200:
                raise _CellError(_("The tag “%(t)s…” is longer than 200 characters.") % {"t": tag[:40]})
        return tags
    if column == "links":
        links = _items(value, _LINK_SEPARATOR)
        for link in links:
            try:
                lookups.url(link)
            except ValidationError:
                raise _CellError(
                    _("“%(v)s” is not a web address (http:// or https://).") % {"v": link[:120]}
                ) from None
            if len(link) > 200:
                raise _CellError(_("The link “%(v)s…” is longer than 200 characters.") % {"v": link[:60]})
        return links
    if column == "owner":
        email = _text(value).strip().lower()
        if not email:
            return None
        user_id = lookups.members.get(email)
        if user_id is None:
            raise _CellError(
                _("No member of this organization has the e-mail address “%(e)s”.") % {"e": email[:120]}
            )
        return user_id
    raise _CellError(_("Unknown column."))  # pragma: no cover - headers are mapped before


def _choice_message(value: str, column: str, lookups: _Lookups) -> str:
    accepted = ", ".join(f"{code} ({label})" for code, label in lookups.labels[column].items())
    return _("“%(v)s” is not allowed. Choose one of: %(accepted)s.") % {"v": value[:80], "accepted": accepted}


def _current(system: AISystem, column: str) -> Any:
    return system.owner_id if column == "owner" else getattr(system, column)


class _ErrorLog:
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


# --- import ---------------------------------------------------------------------------------------


def import_systems(
    actor: Actor,
    data: bytes,
    fmt: str,
    filename: str = "",
    *,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Create or update AI systems from a CSV, XLSX or JSON file; all or nothing.

    A row whose slug names a system of the actor's organization updates it (only the columns
    present in the file, and only when a value differs); any other row creates a system. `fmt`
    may be "" to detect the format from `filename` (or the content). `progress(done, total)` is
    called as rows are processed. Raises PermissionDenied when the actor may not add and change
    AI systems; every problem with the file comes back in `ImportResult.errors` and then nothing
    is written. With `dry_run` everything is validated and nothing is written either.
    """
    actor.require("ai_system", "add")
    actor.require("ai_system", "change")
    try:
        if len(data) > max_bytes():
            raise _Rejected(
                _("The file is %(size)s MB; the limit is %(limit)s MB.")
                % {"size": round(len(data) / 1_048_576, 1), "limit": round(max_bytes() / 1_048_576, 1)},
                code="too_large",
            )
        fmt = detect_format(fmt, filename, data)
        if not data.strip():
            raise _Rejected(_("The file is empty."))
        table = READERS[fmt](data)
    except _Rejected as exc:
        return ImportResult(0, 0, [exc.error], dry_run=dry_run, format=fmt if fmt in FORMATS else "")
    result = ImportResult(0, 0, [], rows=len(table.rows), dry_run=dry_run, format=fmt)
    if table.errors and not table.rows:
        result.errors = table.errors
        return result
    log = _ErrorLog()
    for error in table.errors:
        log.add(error)
    lookups = _Lookups(actor)
    slug_rows: dict[str, int] = {}
    total = len(table.rows)
    if progress is not None:
        progress(0, total)
    try:
        with transaction.atomic():
            existing = {s.slug: s for s in AISystem.objects.filter(organization=actor.organization)}
            for done, (number, raw) in enumerate(table.rows, 1):
                _import_row(actor, number, raw, lookups, existing, slug_rows, log, result)
                if progress is not None:
                    progress(done, total)
            if log.total or dry_run:
                raise _Rollback
            audit.record(
                actor,
                AuditEvent.Action.IMPORT,
                object_type="ai_system",
                object_repr=(filename or f"{fmt} upload")[:300],
                changes={
                    "format": fmt,
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


def _import_row(
    actor: Actor,
    number: int,
    raw: dict[str, Any],
    lookups: _Lookups,
    existing: dict[str, AISystem],
    slug_rows: dict[str, int],
    log: _ErrorLog,
    result: ImportResult,
) -> None:
    data: dict[str, Any] = {}
    failed = False
    for column, value in raw.items():
        try:
            data[column] = _convert(column, value, lookups)
        except _CellError as exc:
            log.add(RowError(number, column, str(exc)))
            failed = True
    slug = data.get("slug") or ""
    if slug:
        if slug in slug_rows:
            log.add(
                RowError(
                    number,
                    "slug",
                    _("The slug “%(s)s” is already used on row %(row)s of this file.")
                    % {"s": slug, "row": slug_rows[slug]},
                )
            )
            failed = True
        else:
            slug_rows[slug] = number
    if failed:
        return
    values = {("owner_id" if k == "owner" else k): v for k, v in data.items() if v is not _KEEP}
    system = existing.get(slug) if slug else None
    try:
        if system is None:
            services.create_system(actor, values)
            result.created += 1
            return
        changes = {
            key: value
            for key, value in values.items()
            if _current(system, "owner" if key == "owner_id" else key) != value
        }
        if not changes:
            result.unchanged += 1
            return
        services.update_system(actor, system, changes)
        result.updated += 1
    except ValidationError as exc:
        for column, messages in error_dict(exc).items():
            column = "owner" if column == "owner_id" else ("" if column == "__all__" else column)
            for message in messages:
                log.add(RowError(number, column, message))
    except (IntegrityError, DataError):
        # Validation should have caught it; the service's savepoint was rolled back, so the
        # import's transaction is still usable and the other rows are still checked.
        log.add(
            RowError(number, "", _("The database refused this row (a value is out of range or clashes)."))
        )
