"""Printable documents of the risk area (WeasyPrint, HTML templates to PDF): the risk register
(with the inherent and residual heat maps), the heat maps alone, the risk treatment plan for
approval by designated management (clause 6.1.3), and an impact assessment, which doubles as the
EU AI Act FRIA (Art. 27) with its GDPR DPIA link (Art. 35).

Each `*_pdf` function returns the PDF bytes and records one audit entry (action export); the web
pages, the API and the `aims risk export` command all call them."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

from aims.core import audit
from aims.core.actors import Actor
from aims.core.models import AuditEvent

from .models import ImpactAssessment, Risk

# The printed register lists at most this many risks (the heat maps count them all); a larger
# register is printed in parts with the list's filters, or exported as CSV or XLSX.
REGISTER_PDF_ROWS = 2000


def render_pdf(
    actor: Actor, template: str, context: dict[str, Any], filename: str, *, object_type: str
) -> bytes:
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
    return pdf


def response(pdf: bytes, filename: str) -> HttpResponse:
    answer = HttpResponse(pdf, content_type="application/pdf")
    answer["Content-Disposition"] = f'attachment; filename="{filename}"'
    return answer


def pdf_response(
    actor: Actor, template: str, context: dict[str, Any], filename: str, *, object_type: str
) -> HttpResponse:
    return response(render_pdf(actor, template, context, filename, object_type=object_type), filename)


def _stamp() -> str:
    return timezone.localdate().isoformat()


def register_filename() -> str:
    return f"risk-register-{_stamp()}.pdf"


def heatmap_filename() -> str:
    return f"risk-heat-map-{_stamp()}.pdf"


def treatment_plan_filename() -> str:
    return f"risk-treatment-plan-{_stamp()}.pdf"


def assessment_filename(assessment: ImpactAssessment) -> str:
    return f"impact-assessment-{assessment.ai_system.slug}-v{assessment.number}.pdf"


def register_pdf(actor: Actor, qs: QuerySet[Risk]) -> bytes:
    """The register (a filtered, sorted queryset of `services.register_queryset`) with its heat maps."""
    from . import services

    actor.require("risk", "export")
    heat = services.heatmap(actor, qs)
    total = qs.count()
    return render_pdf(
        actor,
        "risk/pdf/register.html",
        {
            **heat,
            "risks": list(qs[:REGISTER_PDF_ROWS]),
            "total": total,
            "truncated": total > REGISTER_PDF_ROWS,
            "limit": REGISTER_PDF_ROWS,
        },
        register_filename(),
        object_type="risk",
    )


def heatmap_pdf(actor: Actor, qs: QuerySet[Risk]) -> bytes:
    """The inherent and residual heat maps side by side, with the level legend."""
    from . import services

    actor.require("risk", "export")
    return render_pdf(
        actor, "risk/pdf/heatmap.html", services.heatmap(actor, qs), heatmap_filename(), object_type="risk"
    )


def treatment_plan_pdf(actor: Actor) -> bytes:
    from . import services

    actor.require("risk_treatment", "export")
    method = services.current_method(actor)
    qs = (
        services.register_queryset(actor)
        .exclude(treatment="")
        .exclude(status=Risk.Status.CLOSED)
        .prefetch_related("treatments__owner")
        .order_by("-rank", "number")
    )
    return render_pdf(
        actor,
        "risk/pdf/treatment_plan.html",
        {"risks": list(qs), "method": method, "appetite": (method.level(method.appetite) or {}).get("name")},
        treatment_plan_filename(),
        object_type="risk_treatment",
    )


def assessment_pdf(actor: Actor, assessment: ImpactAssessment) -> bytes:
    from . import services

    actor.require("impact_assessment", "export")
    return render_pdf(
        actor,
        "risk/pdf/assessment.html",
        {
            "a": assessment,
            "items": assessment.items.select_related("risk"),
            "method": services.current_method(actor),
        },
        assessment_filename(assessment),
        object_type="impact_assessment",
    )
