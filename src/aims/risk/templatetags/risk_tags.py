"""Template helpers of the risk area: a level badge coloured by the method's palette (CSS classes,
never inline styles)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def level_badge(method: Any, key: str) -> str:
    if not key:
        return format_html('<span class="text-body-secondary">{}</span>', "—")
    level = method.level(key) if method is not None else None
    if level is None:
        return format_html('<span class="badge text-bg-secondary">{}</span>', key)
    return format_html('<span class="badge risk-colour-{}">{}</span>', level["colour"], level["name"])


@register.filter
def tens(value: int) -> int:
    """A percentage rounded down to tens, for the progress bar's CSS class."""
    return max(0, min(100, int(value) // 10 * 10))


@register.filter
def get(mapping: Any, key: Any) -> Any:
    try:
        return mapping[key]
    except (KeyError, IndexError, TypeError):
        return None


@register.inclusion_tag("risk/_field.html")
def field(bound: Any, compact: bool = False) -> dict[str, Any]:
    """One form field the Bootstrap way: label, control, help text and errors, the help and errors
    tied to the control with aria-describedby."""
    from django import forms

    widget = bound.field.widget
    css = "form-control"
    if isinstance(widget, forms.Select | forms.SelectMultiple) and not isinstance(
        widget, forms.CheckboxSelectMultiple
    ):
        css = widget.attrs.get("class", "form-select")
    elif isinstance(widget, forms.CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, forms.CheckboxSelectMultiple):
        css = "form-check-input"
    describedby = " ".join(
        x
        for x in [
            f"{bound.auto_id}_help" if bound.help_text else "",
            f"{bound.auto_id}_errors" if bound.errors else "",
        ]
        if x
    )
    attrs = {"class": css + (" is-invalid" if bound.errors else "")}
    if describedby:
        attrs["aria-describedby"] = describedby
    if bound.errors:
        attrs["aria-invalid"] = "true"
    return {
        "f": bound,
        "widget": bound.as_widget(attrs=attrs),
        "compact": compact,
        "checkbox": isinstance(widget, forms.CheckboxInput),
        "multi": isinstance(widget, forms.CheckboxSelectMultiple),
        "required": bound.field.required,
    }


@register.filter
def level_name(method: Any, key: str) -> str:
    level = method.level(key) if method is not None and key else None
    return level["name"] if level else (key or "")


@register.filter
def level_colour(method: Any, key: str) -> str:
    level = method.level(key) if method is not None and key else None
    return level["colour"] if level else ""
