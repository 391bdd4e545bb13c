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
expanded size, no XML document type declarations, so no entity expansion bombs). The file-level
machinery (limits, readers, writers, result types) is `aims.core.tabular`, shared with the risk
register; this module keeps the inventory's columns and the conversion of its values.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import DataError, IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aims.core import audit, tabular
from aims.core.actors import Actor
from aims.core.exceptions import error_dict
from aims.core.models import AuditEvent, Membership
from aims.core.tabular import (  # noqa: F401 - re-exported: the inventory's io API predates core.tabular
    CONTENT_TYPES,
    DEFAULT_MAX_ROWS,
    EXCEL_MAX_ROWS,
    EXTENSIONS,
    FORMATS,
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_REPORTED_ERRORS,
    XLSX_MAX_EXPANDED_BYTES,
    XLSX_MAX_MEMBERS,
    XLSX_MAX_RATIO,
    ImportResult,
    RowError,
    detect_format,
    max_bytes,
    max_rows,
    neutralise,
    unneutralise,
)
from aims.core.tabular import ErrorLog as _ErrorLog
from aims.core.tabular import Rejected as _Rejected  # noqa: F401

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

SHEET_TITLE = "AI systems"
_SURROGATES = re.compile(r"[\ud800-\udfff]")


class _CellError(Exception):
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


_WIDTHS = {
    "name": 32,
    "slug": 24,
    "purpose": 40,
    "description": 50,
    "function": 40,
    "owner": 28,
    "affected_persons": 30,
}


def _write(fmt: str, records: list[dict[str, Any]]) -> bytes:
    if fmt == "json":
        return tabular.write_json(records)
    if fmt == "xlsx":
        return tabular.write_xlsx(
            COLUMNS,
            records,
            _sheet_cell,
            sheet_title=SHEET_TITLE,
            column_help=column_help(),
            widths=_WIDTHS,
            auto_filter=True,
        )
    return tabular.write_csv(COLUMNS, records, _sheet_cell)


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
    content = _write(fmt, records)
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


def _normalise_header(text: str) -> str:
    return tabular.normalise_header(text, r"[\s\-./]+")


def _header_aliases() -> dict[str, str | None]:
    """Column codes, plus the English field names a person would type ('EU AI Act risk tier')."""
    aliases: dict[str, str | None] = {c: c for c in COLUMNS}
    with translation.override("en"):
        for column in COLUMNS:
            aliases.setdefault(_normalise_header(str(AISystem._meta.get_field(column).verbose_name)), column)
    aliases.setdefault("type", "system_type")
    aliases.setdefault("owner_email", "owner")
    return aliases


def _check_header(seen: dict[str, str], errors: list[RowError], row: int) -> list[RowError]:
    return [
        RowError(row, required, _("The required column “%(col)s” is missing.") % {"col": required})
        for required in REQUIRED_COLUMNS
        if required not in seen and not any(e.field == required for e in errors)
    ]


def _spec() -> tabular.TableSpec:
    return tabular.TableSpec(
        aliases=_header_aliases(),
        listed_columns=COLUMNS,
        sheet_title=SHEET_TITLE,
        check_header=_check_header,
        normalise=_normalise_header,
        too_many_columns=gettext_lazy(
            "The header has more than %(n)s columns: this is not an AI system inventory file."
        ),
        json_not_a_list=gettext_lazy(
            'The JSON must be a list of objects, one per AI system: [{"name": ...}, ...].'
        ),
        json_empty=gettext_lazy("The file has no AI systems: the list is empty."),
        json_not_an_object=gettext_lazy("Expected an object ({...}) for each AI system."),
    )


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
    table, result = tabular.read_upload(_spec(), data, fmt, filename, dry_run=dry_run)
    if table is None:
        return result
    lookups = _Lookups(actor)
    slug_rows: dict[str, int] = {}

    def start() -> tabular.RowImporter:
        existing = {s.slug: s for s in AISystem.objects.filter(organization=actor.organization)}

        def import_row(number: int, raw: dict[str, Any], log: _ErrorLog, result: ImportResult) -> None:
            _import_row(actor, number, raw, lookups, existing, slug_rows, log, result)

        return import_row

    return tabular.run_import(
        actor, table, result, object_type="ai_system", filename=filename, start=start, progress=progress
    )


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
