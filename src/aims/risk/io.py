"""Import and export of the risk register as CSV, XLSX and JSON (and PDF, export only), for the
`aims risk export` / `aims risk import` commands.

The same pattern as the inventory's `aims.inventory.io`, on the same file machinery
(`aims.core.tabular`: size and row limits, UTF-8 decoding, XLSX container checks, formula
neutralisation, header mapping, result types, the all-or-nothing import loop):

- `export_risks(actor, queryset, fmt)` -> (content, content type, file name), one audit entry.
  One column per field (`COLUMNS`, codes as headers); the computed columns (`COMPUTED_COLUMNS`:
  levels, review dates) are exported for reading and ignored by an import. Cells a spreadsheet
  would run as a formula are quoted; the import removes the quote again, so export -> import
  changes nothing.
- `import_risks(actor, data, fmt, filename, dry_run=...)` -> `ImportResult`. All or nothing:
  every row goes through the risk services (`create_risk`, `update_risk`: permission, validation,
  level computation, audit entry) inside one transaction that is rolled back when any row fails;
  every error names its row (as a spreadsheet numbers it, the header being row 1; for JSON the
  object's position from 1) and its column.

A row whose `ref` (R-0007, or 7) names a risk of the organization updates it, only in the columns
the file has and only where a value differs; a row without a ref adds a risk. The headers may also
be the labels of the register export of the web page and the API ("Reference", "AI systems", ...),
and values may be given by code or by label ("Treatment planned", "Mitigate", a scale's level name
such as "Likely", an AI system's name or slug, a category's key or name, a member's e-mail).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError, IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aims.core import audit, tabular
from aims.core.actors import Actor
from aims.core.exceptions import error_dict
from aims.core.models import AuditEvent, Membership
from aims.core.tabular import MAX_CELL_CHARS, ErrorLog, ImportResult, RowError, blank, neutralise
from aims.inventory.models import AISystem, InterestedParty

from . import services
from .models import Risk, RiskCategory, RiskMethodology, TreatmentOption

__all__ = ["COLUMNS", "FORMATS", "ImportResult", "RowError", "export_risks", "import_risks"]

max_bytes = tabular.max_bytes  # the upload limit, for the CLI

# --- the columns ----------------------------------------------------------------------------------

COLUMNS: tuple[str, ...] = (
    "ref",
    "title",
    "description",
    "ai_systems",
    "category",
    "lifecycle_stage",
    "root_causes",
    "likelihood",
    "impact",
    "rationale",
    "existing_controls",
    "additional_controls",
    "control_refs",
    "owner",
    "treatment",
    "treatment_plan",
    "residual_likelihood",
    "residual_impact",
    "status",
    "interested_parties",
)
# Exported for reading; computed from the method, so an import ignores them.
COMPUTED_COLUMNS: tuple[str, ...] = (
    "inherent_level",
    "residual_level",
    "level",
    "last_assessed_on",
    "next_review_date",
    "review_due",
    "methodology",
)
EXPORT_COLUMNS = COLUMNS + COMPUTED_COLUMNS
# Columns of the web page's and the API's register export that an import ignores too.
IGNORED_LABELS = ("Annex C objectives and sources", "Last assessed", "Method version")

TEXT_FIELDS = frozenset(
    {
        "title",
        "description",
        "root_causes",
        "rationale",
        "existing_controls",
        "additional_controls",
        "treatment_plan",
    }
)
SCALE_FIELDS = ("likelihood", "impact", "residual_likelihood", "residual_impact")
CHOICES: dict[str, Any] = {
    "lifecycle_stage": AISystem.Stage,
    "treatment": TreatmentOption,
    "status": Risk.Status,
}
LIST_SEPARATOR = "; "
ORGANIZATION_WIDE = ("organization-wide", "organization wide", "organisation-wide", "organization")

FORMATS = ("csv", "xlsx", "json", "pdf")
IMPORT_FORMATS = tabular.FORMATS
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "pdf": "application/pdf",
}
SHEET_TITLE = "Risk register"
_REF = re.compile(r"^\s*(?:r\s*-?\s*)?0*(\d{1,9})\s*$", re.IGNORECASE)


# --- export ---------------------------------------------------------------------------------------


def _record(risk: Risk) -> dict[str, Any]:
    """A risk as plain JSON values, in column order (codes, not labels)."""
    return {
        "ref": risk.ref,
        "title": risk.title,
        "description": risk.description,
        "ai_systems": sorted(s.slug for s in risk.ai_systems.all()),
        "category": risk.category.key,
        "lifecycle_stage": risk.lifecycle_stage,
        "root_causes": risk.root_causes,
        "likelihood": risk.likelihood,
        "impact": risk.impact,
        "rationale": risk.rationale,
        "existing_controls": risk.existing_controls,
        "additional_controls": risk.additional_controls,
        "control_refs": list(risk.control_refs or []),
        "owner": risk.owner.email if risk.owner_id and risk.owner else "",
        "treatment": risk.treatment,
        "treatment_plan": risk.treatment_plan,
        "residual_likelihood": risk.residual_likelihood,
        "residual_impact": risk.residual_impact,
        "status": risk.status,
        "interested_parties": sorted(p.name for p in risk.interested_parties.all()),
        "inherent_level": risk.inherent_level,
        "residual_level": risk.residual_level,
        "level": risk.level,
        "last_assessed_on": risk.last_assessed_on.isoformat() if risk.last_assessed_on else "",
        "next_review_date": risk.next_review_date.isoformat() if risk.next_review_date else "",
        "review_due": bool(risk.overdue),
        "methodology": risk.methodology.number,
    }


def _cell(value: Any) -> Any:
    """A record value as a CSV or XLSX cell, neutralised against formula injection."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, int):
        return value
    if isinstance(value, list):
        value = LIST_SEPARATOR.join(str(v) for v in value)
    return neutralise(str(value))


def _write(fmt: str, records: list[dict[str, Any]]) -> bytes:
    if fmt == "json":
        return tabular.write_json(records)
    if fmt == "xlsx":
        # A second sheet explains the columns; the import reads the register sheet only.
        return tabular.write_xlsx(
            EXPORT_COLUMNS, records, _cell, sheet_title=SHEET_TITLE, column_help=column_help()
        )
    return tabular.write_csv(EXPORT_COLUMNS, records, _cell)


def column_help() -> list[tuple[str, str, str]]:
    """(column, meaning, accepted values) for every column: the XLSX help sheet and the docs."""
    rows = []
    with translation.override("en"):
        for column in EXPORT_COLUMNS:
            if column == "ref":
                meaning = "The risk's reference (R-0007)."
                accepted = "empty for a new risk; an existing reference updates that risk"
            elif column in COMPUTED_COLUMNS:
                meaning = "Computed from the method; exported for reading, ignored by an import."
                accepted = "(ignored)"
            else:
                model_field = Risk._meta.get_field(column)
                meaning = str(model_field.help_text or model_field.verbose_name)
                if column in CHOICES:
                    accepted = ", ".join(f"{c} ({label})" for c, label in CHOICES[column].choices)
                elif column in SCALE_FIELDS:
                    accepted = "1 to the method's size, or the scale's level name; empty: not assessed"
                elif column == "ai_systems":
                    accepted = "slugs or names separated by ';'; empty: the organization as a whole"
                elif column == "category":
                    accepted = "a category key (bias, privacy, ...) or name"
                elif column == "owner":
                    accepted = "the e-mail address of a member of the organization, or empty"
                elif column == "control_refs":
                    accepted = "control ids separated by ';' (A.7.4; A.6.2.4)"
                elif column == "interested_parties":
                    accepted = "names of interested parties separated by ';'"
                elif column == "title":
                    accepted = "required for a new risk"
                else:
                    accepted = "any text"
            rows.append((column, meaning, accepted))
    return rows


def export_queryset(actor: Actor, params: dict[str, Any] | None = None) -> QuerySet[Risk]:
    """The register of the actor's organization with the list's filters (export permission)."""
    actor.require("risk", "export")
    return services.filter_risks(services.register_queryset(actor), params or {}, actor)


def export_risks(actor: Actor, queryset: QuerySet[Risk], fmt: str) -> tuple[bytes, str, str]:
    """The risks of `queryset` (restricted to the actor's organization) as a file: (content,
    content type, file name). CSV, XLSX and JSON record one audit entry (action export, with the
    format and the row count); the PDF is the printed register (`reports.register_pdf`)."""
    actor.require("risk", "export")
    fmt = (fmt or "csv").strip().lower()
    if fmt not in FORMATS:
        raise ValidationError(
            {"format": _("Unknown format “%(fmt)s”: choose csv, xlsx, json or pdf.") % {"fmt": fmt[:20]}}
        )
    qs = queryset.filter(organization_id=actor.organization.pk)
    if fmt == "pdf":
        from . import reports

        return reports.register_pdf(actor, qs), CONTENT_TYPES["pdf"], reports.register_filename()
    records = [_record(r) for r in qs.iterator(chunk_size=2000)]
    content = _write(fmt, records)
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    filename = f"risk-register-{actor.organization.slug}-{stamp}.{fmt}"
    audit.record(
        actor,
        AuditEvent.Action.EXPORT,
        object_type="risk",
        object_repr=filename,
        changes={"format": fmt, "rows": len(records)},
    )
    return content, CONTENT_TYPES[fmt], filename


# --- reading files --------------------------------------------------------------------------------


def _normalise_header(text: str) -> str:
    return tabular.normalise_header(text, r"[\s\-./()]+")


def _header_aliases() -> dict[str, str | None]:
    """Header text -> column code (None: a known column an import ignores)."""
    from .exports import COLUMNS as REGISTER_COLUMNS

    aliases: dict[str, str | None] = {c: c for c in COLUMNS}
    aliases.update({c: None for c in COMPUTED_COLUMNS})
    with translation.override("en"):
        for column in COLUMNS[1:]:
            aliases.setdefault(_normalise_header(str(Risk._meta.get_field(column).verbose_name)), column)
        for code, label in REGISTER_COLUMNS:  # the headers of the web page's and the API's export
            target = code if code in COLUMNS else None
            aliases.setdefault(_normalise_header(label), target)
    for label in IGNORED_LABELS:
        aliases.setdefault(_normalise_header(label), None)
    aliases.update({"reference": "ref", "owner_email": "owner", "category_key": "category"})
    return aliases


def _check_header(seen: dict[str, str], errors: list[RowError], row: int) -> list[RowError]:
    if "title" not in seen and "ref" not in seen and not errors:
        return [RowError(row, "title", _("The file needs a title column (or a ref column to update)."))]
    return []


def _spec() -> tabular.TableSpec:
    return tabular.TableSpec(
        aliases=_header_aliases(),
        listed_columns=EXPORT_COLUMNS,
        sheet_title=SHEET_TITLE,
        check_header=_check_header,
        normalise=_normalise_header,
        too_many_columns=gettext_lazy(
            "The header has more than %(n)s columns: this is not a risk register file."
        ),
        json_not_a_list=gettext_lazy(
            'The JSON must be a list of objects, one per risk: [{"title": ...}, ...].'
        ),
        json_empty=gettext_lazy("The file has no risks: the list is empty."),
        json_not_an_object=gettext_lazy("Expected an object ({...}) for each risk."),
        # The register's ignored columns map to None: values under them (or under a blank
        # header) are dropped; a JSON key may repeat (the last wins) and unknown keys are
        # reported on every object.
        punctuation_header_is_blank=True,
        report_values_under_blank_headers=False,
        json_unknown_once=False,
        json_duplicates_are_errors=False,
    )


# --- converting values ----------------------------------------------------------------------------


class _CellError(Exception):
    pass


_KEEP = object()  # an empty status: unchanged (the default for a new risk)


def _squash(text: str) -> str:
    return " ".join(str(text).lower().split())


class _Lookups:
    """Everything a row's conversion needs, read once per import."""

    def __init__(self, actor: Actor, method: RiskMethodology, *, with_risks: bool = True) -> None:
        org = actor.organization
        self.method = method
        self.choices: dict[str, dict[str, str]] = {}
        with translation.override("en"):
            for column, choices in CHOICES.items():
                lookup: dict[str, str] = {}
                for code, label in choices.choices:
                    lookup[code.lower()] = code
                    lookup.setdefault(_squash(label), code)
                    lookup.setdefault(_squash(str(label).split(" (")[0]), code)  # "Mitigate"
                self.choices[column] = lookup
        self.scales = {
            field: {_squash(s["name"]): i for i, s in enumerate(getattr(method, scale), 1)}
            for field, scale in (
                ("likelihood", "likelihood_scale"),
                ("impact", "impact_scale"),
                ("residual_likelihood", "likelihood_scale"),
                ("residual_impact", "impact_scale"),
            )
        }
        self.categories: dict[str, int] = {}
        for pk, key, name in RiskCategory.objects.filter(organization=org).values_list("pk", "key", "name"):
            self.categories[key.lower()] = pk
            self.categories.setdefault(_squash(name), pk)
        self.systems: dict[str, int] = {}
        for pk, slug, name in AISystem.objects.filter(organization=org).values_list("pk", "slug", "name"):
            self.systems[slug.lower()] = pk
            self.systems.setdefault(_squash(name), pk)
        self.parties: dict[str, list[int]] = {}
        for pk, name in InterestedParty.objects.filter(organization=org).values_list("pk", "name"):
            self.parties.setdefault(_squash(name), []).append(pk)
        self.members = {
            email.lower(): user_id
            for email, user_id in Membership.objects.filter(organization=org).values_list(
                "user__email", "user_id"
            )
        }
        # The risks a ref may name; read only when the file has refs (an import of new risks
        # into a register of 100,000 does not load it).
        self.risks: dict[int, Risk] = {}
        if with_risks:
            self.risks = {
                r.number: r for r in Risk.objects.filter(organization=org).iterator(chunk_size=2000)
            }


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
    return value


def _items(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        items = []
        for item in value:
            if not isinstance(item, str | int):
                raise _CellError(_("Every item of the list must be text."))
            items.append(_text(str(item)).strip())
        return [i for i in items if i]
    return [i.strip() for i in re.split(r"[;\n]", _text(value)) if i.strip()]


def _convert(column: str, value: Any, lookups: _Lookups) -> Any:
    if column in TEXT_FIELDS:
        text = _text(value)
        return text.strip() if column == "title" else text
    if column in SCALE_FIELDS:
        if isinstance(value, bool):
            raise _CellError(_("Expected a number, got true/false."))
        if isinstance(value, int):
            number = value
        else:
            text = _squash(_text(value))
            if not text:
                return None
            if text in lookups.scales[column]:
                return lookups.scales[column][text]
            try:
                number = int(float(text))
            except ValueError:
                names = ", ".join(f"{i} ({n})" for n, i in lookups.scales[column].items())
                raise _CellError(
                    _("“%(v)s” is not on the scale. Give a number or a level name: %(names)s.")
                    % {"v": str(value)[:80], "names": names}
                ) from None
            if float(text) != number:
                raise _CellError(_("Give a whole number."))
        if not 1 <= number <= lookups.method.size:
            raise _CellError(
                _("Choose a value from 1 to %(n)d (the method's scale).") % {"n": lookups.method.size}
            )
        return number
    if column in CHOICES:
        text = _squash(_text(value))
        if not text:
            return _KEEP if column == "status" else ""
        found = lookups.choices[column].get(text)
        if found is None:
            accepted = ", ".join(f"{c} ({label})" for c, label in CHOICES[column].choices)
            raise _CellError(
                _("“%(v)s” is not allowed. Choose one of: %(accepted)s.")
                % {"v": str(value)[:80], "accepted": accepted}
            )
        return found
    if column == "category":
        text = _squash(_text(value))
        if not text:
            raise _CellError(_("Choose a category."))
        found = lookups.categories.get(text)
        if found is None:
            keys = ", ".join(sorted(k for k in lookups.categories if " " not in k))
            raise _CellError(
                _("Unknown category “%(v)s”. Choose one of: %(keys)s.") % {"v": str(value)[:80], "keys": keys}
            )
        return found
    if column == "ai_systems":
        items = _items(value)
        if len(items) == 1 and _squash(items[0]) in ORGANIZATION_WIDE:
            return []
        ids = []
        for item in items:
            found = lookups.systems.get(_squash(item))
            if found is None:
                raise _CellError(
                    _("No AI system of this organization has the slug or name “%(v)s”.") % {"v": item[:120]}
                )
            if found not in ids:
                ids.append(found)
        return sorted(ids)
    if column == "interested_parties":
        ids = []
        for item in _items(value):
            found = lookups.parties.get(_squash(item), [])
            if not found:
                raise _CellError(
                    _("No interested party of this organization is called “%(v)s”.") % {"v": item[:120]}
                )
            if len(found) > 1:
                raise _CellError(_("Several interested parties are called “%(v)s”.") % {"v": item[:120]})
            if found[0] not in ids:
                ids.append(found[0])
        return sorted(ids)
    if column == "control_refs":
        return _items(value)
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


def _ref(value: Any) -> int | None:
    """The risk number of a ref cell (None when empty); raises _CellError when unreadable."""
    text = _text(value).strip()
    if not text:
        return None
    match = _REF.match(text)
    if not match or int(match.group(1)) == 0:
        raise _CellError(_("“%(v)s” is not a risk reference such as R-0007.") % {"v": text[:40]})
    return int(match.group(1))


def _current(risk: Risk, column: str) -> Any:
    if column == "category":
        return risk.category_id
    if column == "owner":
        return risk.owner_id
    if column in ("ai_systems", "interested_parties"):
        return sorted(getattr(risk, column).values_list("pk", flat=True))
    return getattr(risk, column)


# --- import ---------------------------------------------------------------------------------------


def import_risks(
    actor: Actor,
    data: bytes,
    fmt: str = "",
    filename: str = "",
    *,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Add or update risks from a CSV, XLSX or JSON file; all or nothing.

    Raises PermissionDenied when the actor may not add risks (rows without a ref) or change them
    (rows with one). Every problem with the file comes back in `ImportResult.errors` (row and
    column) and then nothing is written; with `dry_run` everything is checked and nothing written."""
    actor.require("risk", "view")
    table, result = tabular.read_upload(_spec(), data, fmt, filename, dry_run=dry_run, xls_format_hint=False)
    if table is None:
        return result
    # Who may do what is checked before anything is read into the database.
    refs = [raw.get("ref") for _n, raw in table.rows]
    if any(blank(r) for r in refs):
        actor.require("risk", "add")
    if any(not blank(r) for r in refs):
        actor.require("risk", "change")

    def start() -> tabular.RowImporter:
        lookups = _Lookups(
            actor, services.ensure_setup(actor.organization), with_risks=any(not blank(r) for r in refs)
        )
        seen: dict[int, int] = {}

        def import_row(number: int, raw: dict[str, Any], log: ErrorLog, result: ImportResult) -> None:
            _import_row(actor, number, raw, lookups, seen, log, result)

        return import_row

    return tabular.run_import(
        actor, table, result, object_type="risk", filename=filename, start=start, progress=progress
    )


def _field_of(key: str) -> str:
    return {"owner_id": "owner", "__all__": "", "category_id": "category"}.get(key, key)


def _import_row(
    actor: Actor,
    number: int,
    raw: dict[str, Any],
    lookups: _Lookups,
    seen: dict[int, int],
    log: ErrorLog,
    result: ImportResult,
) -> None:
    data: dict[str, Any] = {}
    failed = False
    risk: Risk | None = None
    for column, value in raw.items():
        try:
            if column == "ref":
                ref = _ref(value)
                if ref is None:
                    continue
                if ref in seen:
                    raise _CellError(
                        _("R-%(n)04d is already on row %(row)s of this file.") % {"n": ref, "row": seen[ref]}
                    )
                seen[ref] = number
                risk = lookups.risks.get(ref)
                if risk is None:
                    raise _CellError(
                        _("There is no risk R-%(n)04d in this organization; leave ref empty to add a risk.")
                        % {"n": ref}
                    )
            else:
                data[column] = _convert(column, value, lookups)
        except _CellError as exc:
            log.add(RowError(number, column, str(exc)))
            failed = True
    if failed:
        return
    status = data.pop("status", _KEEP)
    values = {("owner_id" if k == "owner" else k): v for k, v in data.items()}
    try:
        if risk is None:
            if not values.get("title"):
                log.add(RowError(number, "title", _("A new risk needs a title.")))
                return
            if "category" not in values:
                log.add(RowError(number, "category", _("A new risk needs a category.")))
                return
            first = status if status in (Risk.Status.IDENTIFIED, Risk.Status.ASSESSED) else _KEEP
            if first is not _KEEP:
                values["status"] = first
            with transaction.atomic():
                risk = services.create_risk(actor, values)
                if status is not _KEEP and status != risk.status:
                    _set_status(actor, risk, status)
            result.created += 1
            return
        changes = {
            key: value
            for key, value in values.items()
            if _current(risk, "owner" if key == "owner_id" else key) != value
        }
        if status is not _KEEP and status != risk.status:
            changes["status"] = status
        if not changes:
            result.unchanged += 1
            return
        services.update_risk(actor, risk, changes, note=_("Imported"))
        result.updated += 1
    except ValidationError as exc:
        for key, messages in error_dict(exc).items():
            for message in messages:
                log.add(RowError(number, _field_of(key), message))
    except PermissionDenied as exc:
        log.add(RowError(number, "", str(exc) or _("Permission denied.")))
    except (IntegrityError, DataError):
        log.add(
            RowError(number, "", _("The database refused this row (a value is out of range or clashes)."))
        )


def _set_status(actor: Actor, risk: Risk, status: str) -> None:
    """A new risk starts as identified or assessed; a later status in the file is a second,
    audited step through the same rules as a change in the register."""
    try:
        services.update_risk(actor, risk, {"status": status})
    except ValidationError as exc:
        messages = [m for ms in error_dict(exc).values() for m in ms]
        raise ValidationError({"status": messages}) from None
