"""Forms for clauses 5, 6.2 and 7, and the small helpers the assurance forms share: Bootstrap classes,
organization-limited choices, and turning a service's ValidationError into form errors."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from aims.core.actors import Actor
from aims.core.base import OrgScopedModel
from aims.core.exceptions import error_dict
from aims.core.models import User

from .models import Communication, Document, Objective, ResourceAllocation, TrainingRecord


class AimsForm(forms.ModelForm):  # type: ignore[type-arg]
    """A ModelForm whose choices are limited to the actor's organization and whose `payload()` is what
    the service functions take (foreign keys as `<name>_id`)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        if self.instance.pk and "version" in self.fields:
            self.fields["version"].initial = getattr(self.instance, "version", None)
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField | forms.ModelMultipleChoiceField):
                model = field.queryset.model
                if model is User:
                    field.queryset = User.objects.filter(
                        memberships__organization=actor.organization
                    ).order_by("email")
                elif issubclass(model, OrgScopedModel):
                    field.queryset = model.objects.filter(organization=actor.organization)
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                widget.attrs.setdefault("class", "form-select")
            elif not isinstance(widget, forms.HiddenInput):
                widget.attrs.setdefault("class", "form-control")
            if isinstance(widget, forms.Textarea):
                widget.attrs.setdefault("rows", 3)

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for name in self._meta.fields or []:  # type: ignore[union-attr]
            value = self.cleaned_data.get(name)
            field = self.instance._meta.get_field(name)
            if field.many_to_many:
                data[name] = [v.pk for v in value or []]
            elif isinstance(field, models.ForeignKey):
                data[f"{name}_id"] = value.pk if value is not None else None
            else:
                data[name] = value if value is not None or field.null else ""
        return data

    def expected_version(self) -> int | None:
        return self.cleaned_data.get("version") or None

    def apply(self, exc: ValidationError) -> None:
        """Show a service's errors on the fields they name (or at the top)."""
        for field, messages in error_dict(exc).items():
            name = field[:-3] if field.endswith("_id") else field
            for message in messages:
                self.add_error(name if name in self.fields else None, message)


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DocumentForm(AimsForm):
    content = forms.CharField(
        label=_("Content (Markdown)"),
        widget=forms.Textarea(attrs={"rows": 12}),
        required=False,
        help_text=_("The text of the first version, in Markdown: # heading, - list item, **bold**."),
    )

    class Meta:
        model = Document
        fields = [
            "title",
            "kind",
            "owner",
            "approver",
            "classification",
            "retention_months",
            "review_interval_months",
            "requires_acknowledgement",
        ]

    def payload(self) -> dict[str, Any]:
        data = super().payload()
        if not self.instance.pk:
            data["content"] = self.cleaned_data.get("content") or ""
        return data


class VersionForm(forms.Form):
    content = forms.CharField(
        label=_("Content (Markdown)"),
        widget=forms.Textarea(attrs={"rows": 18, "class": "form-control"}),
        required=False,
        help_text=_(
            "Markdown: # heading, - list item, **bold**, [link](https://…). Scripts and styles are removed."
        ),
    )
    change_note = forms.CharField(
        label=_("What changed"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
        help_text=_("A line for the version history."),
    )


class ObjectiveForm(AimsForm):
    class Meta:
        model = Objective
        fields = [
            "title",
            "description",
            "kpi",
            "target",
            "unit",
            "owner",
            "due_date",
            "plan",
            "resources",
            "evaluation",
            "manual_status",
        ]
        widgets = {"due_date": date_input()}


class TrainingForm(AimsForm):
    class Meta:
        model = TrainingRecord
        fields = ["person", "competence", "course", "provider", "completed_on", "expires_on", "evidence"]
        widgets = {"completed_on": date_input(), "expires_on": date_input()}


class CommunicationForm(AimsForm):
    class Meta:
        model = Communication
        fields = [
            "topic",
            "audience",
            "timing",
            "channel",
            "external",
            "spokesperson_role",
            "occurred_on",
            "summary",
        ]
        widgets = {"occurred_on": date_input()}


class ResourceForm(AimsForm):
    class Meta:
        model = ResourceAllocation
        fields = ["kind", "ai_system", "description", "amount", "unit", "year", "adequate"]
