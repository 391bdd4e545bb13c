"""The PDCA calendar (9.1): every dated thing AIMS knows in one list — audits, management reviews,
document, risk and vendor reviews, training expiry, corrective action and effectiveness-check dates, Art. 73 reporting
deadlines, and the regulation's application dates from the compliance catalogs."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from aims.core.actors import Actor

from .models import Audit, CorrectiveAction, Incident, ManagementReview, Nonconformity


def events(actor: Actor, year: int) -> list[dict[str, Any]]:
    from aims.governance.models import Document, TrainingRecord

    org = actor.organization
    out: list[dict[str, Any]] = []

    def add(day: dt.date | None, phase: str, title: str, url: str = "") -> None:
        if day and day.year == year:
            out.append({"date": day, "phase": phase, "title": title, "url": url})

    for a in Audit.objects.filter(organization=org).exclude(status="cancelled"):
        add(
            a.planned_start,
            "check",
            _("Internal audit %(ref)s: %(t)s") % {"ref": a.reference, "t": a.title},
            a.get_absolute_url(),
        )
    for r in ManagementReview.objects.filter(organization=org):
        add(r.scheduled_for, "check", _("Management review: %(t)s") % {"t": r.title}, r.get_absolute_url())
    for d in Document.objects.filter(organization=org, next_review__isnull=False):
        add(d.next_review, "plan", _("Document review: %(t)s") % {"t": d.title}, d.get_absolute_url())
    for t in TrainingRecord.objects.filter(organization=org, expires_on__isnull=False).select_related(
        "person"
    ):
        add(
            t.expires_on,
            "do",
            _("Training expires: %(c)s (%(p)s)") % {"c": t.course, "p": t.person.display_name},
        )
    for ca in CorrectiveAction.objects.filter(
        organization=org, status__in=("planned", "in_progress")
    ).select_related("nonconformity"):
        add(
            ca.due_date,
            "act",
            _("Corrective action due: %(t)s") % {"t": ca.title},
            ca.nonconformity.get_absolute_url(),
        )
    for nc in Nonconformity.objects.filter(organization=org, status="verifying"):
        add(
            nc.effectiveness_due,
            "act",
            _("Effectiveness check: %(ref)s") % {"ref": nc.reference},
            nc.get_absolute_url(),
        )
    for inc in Incident.objects.filter(organization=org, serious=True, report_due_at__isnull=False):
        add(
            inc.report_due_at.date(),
            "check",
            _("Art. 73 report due: %(ref)s") % {"ref": inc.reference},
            inc.get_absolute_url(),
        )
    _other_areas(org, year, add)
    for day, title in regulation_dates():
        add(day, "plan", title)
    out.sort(key=lambda e: e["date"])
    return out


def _other_areas(org: Any, year: int, add: Any) -> None:
    """Risk reviews (one line per day, however many risks fall due) and vendor reviews, when those
    areas are installed."""
    from django.apps import apps
    from django.db.models import Count
    from django.urls import NoReverseMatch, reverse

    try:
        risk_model = apps.get_model("risk.Risk")
    except LookupError:
        risk_model = None
    if risk_model is not None:
        try:
            url = reverse("risk:risk-list")
        except NoReverseMatch:
            url = ""
        due = (
            risk_model.objects.filter(organization=org, next_review_date__year=year)
            .exclude(status="closed")
            .values("next_review_date")
            .annotate(n=Count("pk"))
        )
        for row in due:
            add(
                row["next_review_date"],
                "plan",
                ngettext("Risk review: %(n)d risk", "Risk reviews: %(n)d risks", row["n"]) % {"n": row["n"]},
                url,
            )
    try:
        vendor_model = apps.get_model("lifecycle.Vendor")
    except LookupError:
        return
    for v in vendor_model.objects.filter(organization=org, terms_next_review__year=year):
        add(v.terms_next_review, "check", _("Vendor review: %(v)s") % {"v": v.name}, v.get_absolute_url())


@lru_cache(maxsize=1)
def regulation_dates() -> list[tuple[dt.date, str]]:
    """Application dates of the regulations in the catalogs (the EU AI Act's), as data."""
    try:
        from aims.compliance.catalog_files import load_all_catalogs
    except ImportError:
        return []
    out = []
    for catalog in load_all_catalogs().values():
        for d in getattr(catalog, "application_dates", ()):
            day = getattr(d, "date", None)
            if isinstance(day, dt.date):
                label = getattr(d, "label", "") or getattr(d, "description", "") or getattr(d, "id", "")
                out.append((day, f"{catalog.name}: {label}"))
    return out
