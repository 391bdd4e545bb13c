"""The risk register as the web page and the API download it: CSV and XLSX with labelled columns
(streamed row by row, so a large register does not sit in memory), JSON (the import's columns) and
the printed PDF register."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from aims.core import audit
from aims.core.actors import Actor
from aims.core.models import AuditEvent

from .models import Risk

COLUMNS = [
    ("ref", "Reference"),
    ("title", "Title"),
    ("description", "Description"),
    ("ai_systems", "AI systems"),
    ("category", "Category"),
    ("annex_c", "Annex C objectives and sources"),
    ("lifecycle_stage", "Lifecycle stage"),
    ("root_causes", "Root causes"),
    ("likelihood", "Likelihood"),
    ("impact", "Impact"),
    ("rationale", "Rationale"),
    ("inherent_level", "Inherent level"),
    ("existing_controls", "Existing controls"),
    ("additional_controls", "Additional controls required"),
    ("control_refs", "Related controls"),
    ("owner", "Owner"),
    ("treatment", "Treatment"),
    ("treatment_plan", "Treatment plan"),
    ("residual_likelihood", "Residual likelihood"),
    ("residual_impact", "Residual impact"),
    ("residual_level", "Residual level"),
    ("status", "Status"),
    ("last_assessed_on", "Last assessed"),
    ("next_review_date", "Next review"),
    ("review_due", "Review due"),
    ("methodology", "Method version"),
]


def _level_name(risk: Risk, key: str) -> str:
    if not key:
        return ""
    level = risk.methodology.level(key)
    return level["name"] if level else key


def row(risk: Risk) -> list[Any]:
    cat = risk.category
    values = {
        "ref": risk.ref,
        "title": risk.title,
        "description": risk.description,
        "ai_systems": "; ".join(s.name for s in risk.ai_systems.all()) or _("Organization-wide"),
        "category": cat.name,
        "annex_c": "; ".join([*cat.annex_c_objectives, *cat.annex_c_sources]),
        "lifecycle_stage": risk.get_lifecycle_stage_display() if risk.lifecycle_stage else "",
        "root_causes": risk.root_causes,
        "likelihood": risk.likelihood,
        "impact": risk.impact,
        "rationale": risk.rationale,
        "inherent_level": _level_name(risk, risk.inherent_level),
        "existing_controls": risk.existing_controls,
        "additional_controls": risk.additional_controls,
        "control_refs": "; ".join(risk.control_refs),
        "owner": risk.owner.email if risk.owner else "",
        "treatment": risk.get_treatment_display() if risk.treatment else "",
        "treatment_plan": risk.treatment_plan,
        "residual_likelihood": risk.residual_likelihood,
        "residual_impact": risk.residual_impact,
        "residual_level": _level_name(risk, risk.residual_level),
        "status": risk.get_status_display(),
        "last_assessed_on": risk.last_assessed_on.isoformat() if risk.last_assessed_on else "",
        "next_review_date": risk.next_review_date.isoformat() if risk.next_review_date else "",
        "review_due": "yes" if risk.overdue else "",
        "methodology": risk.methodology.number,
    }
    return [values[key] for key, _label in COLUMNS]


def _rows(qs: QuerySet[Risk]) -> Iterator[list[Any]]:
    # Chunks keep prefetching bounded: one query for the risks and one per chunk for the systems.
    yield from (row(r) for r in qs.iterator(chunk_size=2000))


class _Echo:
    def write(self, value: str) -> str:
        return value


def _safe(value: Any) -> Any:
    """Cells starting with = + - @ are read as formulas by spreadsheets: quote them (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


REGISTER_FORMATS = ("csv", "xlsx", "json", "pdf")


def register_response(actor: Actor, qs: QuerySet[Risk], fmt: str) -> HttpResponse:
    """The register as a download: CSV or XLSX with the labelled columns above (streamed), JSON
    with the import's columns (`io.export_risks`), or the printed register with its heat maps
    (`reports.register_pdf`). One audit entry each."""
    actor.require("risk", "export")
    fmt = (fmt or "").strip().lower()
    if fmt not in REGISTER_FORMATS:
        raise ValidationError({"format": _("Choose csv, xlsx, json or pdf.")})
    if fmt in ("json", "pdf"):
        from . import io as register_io

        content, content_type, filename = register_io.export_risks(actor, qs, fmt)
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    stamp = timezone.localdate().isoformat()
    audit.record(
        actor,
        AuditEvent.Action.EXPORT,
        object_type="risk",
        object_repr=f"risk register ({fmt})",
        changes={"format": [None, fmt]},
    )
    if fmt == "csv":
        writer = csv.writer(_Echo())

        def stream() -> Iterator[str]:
            yield "\ufeff"
            yield writer.writerow([label for _key, label in COLUMNS])
            for values in _rows(qs):
                yield writer.writerow([_safe(v) for v in values])

        response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="risk-register-{stamp}.csv"'
        return response
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Risk register"))
    ws.append([label for _key, label in COLUMNS])
    for values in _rows(qs):
        ws.append([_safe(v) for v in values])
    buffer = io.BytesIO()
    wb.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="risk-register-{stamp}.xlsx"'
    return response
