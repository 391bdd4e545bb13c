"""Printable documents of the risk area (WeasyPrint, HTML templates to PDF): the risk register,
the risk treatment plan for approval by designated management (clause 6.1.3), and an impact
assessment, which doubles as the EU AI Act FRIA (Art. 27) with its GDPR DPIA link (Art. 35)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

from aims.core import audit
from aims.core.actors import Actor
from aims.core.models import AuditEvent


def pdf_response(
    actor: Actor, template: str, context: dict[str, Any], filename: str, *, object_type: str
) -> HttpResponse:
    from weasyprint import HTML

    html = render_to_string(
        template, {**context, "organization": actor.organization, "printed": timezone.now()}
    )
    pdf = HTML(string=html).write_pdf()
    audit.record(
        actor,
        AuditEvent.Action.EXPORT,
        object_type=object_type,
        object_repr=filename,
        changes={"format": [None, "pdf"]},
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
