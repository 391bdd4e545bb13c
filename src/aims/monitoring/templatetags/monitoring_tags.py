"""Template helpers of the monitoring pages."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

register = template.Library()

BADGE = {
    "ok": "text-bg-success",
    "warning": "text-bg-warning",
    "critical": "text-bg-danger",
    "error": "text-bg-secondary",
    "no_data": "text-bg-light",
    "insufficient_data": "text-bg-light",
    "new": "text-bg-light",
    "open": "text-bg-danger",
    "acknowledged": "text-bg-warning",
    "resolved": "text-bg-success",
    "sent": "text-bg-success",
    "failed": "text-bg-danger",
    "retrying": "text-bg-warning",
    "pending": "text-bg-light",
}


@register.simple_tag
def status_badge(value: str, label: str = "") -> str:
    """A coloured badge for a monitor, alert or delivery status (the label is the text shown)."""
    return format_html('<span class="badge {}">{}</span>', BADGE.get(value, "text-bg-light"), label or value)


@register.filter
def number(value: object) -> str:
    """A measured value in 4 significant digits, or a dash."""
    if value is None:
        return "—"
    try:
        return f"{float(value):.4g}"  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value)
