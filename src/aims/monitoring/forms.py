"""Forms of the monitoring pages. They collect what a person typed; the services validate, and
their messages are put back on the form."""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from aims.core.actors import Actor
from aims.core.exceptions import error_dict
from aims.inventory.forms import BootstrapFormMixin

from .models import EvidenceProfile, Monitor, NotificationChannel


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    for name, messages in error_dict(exc).items():
        target = name if name in form.fields else None
        for message in messages:
            form.add_error(target, message)


class _Scoped(BootstrapFormMixin):
    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        for field in self.fields.values():
            qs = getattr(field, "queryset", None)
            if qs is not None:
                field.queryset = qs.filter(organization=actor.organization)  # type: ignore[attr-defined]
        self.style_widgets()

    def _post_clean(self) -> None:
        """The services validate, once, for every door."""


class MonitorForm(_Scoped, forms.ModelForm):
    class Meta:
        model = Monitor
        fields = [
            "ai_system",
            "model_version",
            "name",
            "metric",
            "comparison",
            "warning_threshold",
            "critical_threshold",
            "anomaly_method",
            "anomaly_limit",
            "anomaly_baseline",
            "anomaly_severity",
            "window_hours",
            "min_sample_size",
            "reference_profile",
            "channels",
            "open_incident",
            "active",
            "description",
        ]
        widgets = {"channels": forms.CheckboxSelectMultiple, "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ref = self.fields["reference_profile"]
        ref.queryset = ref.queryset.filter(role=EvidenceProfile.Role.REFERENCE).select_related("ai_system")  # type: ignore[attr-defined]
        ref.label_from_instance = lambda p: f"{p.ai_system.name} · {p}"  # type: ignore[attr-defined]
        self.fields["model_version"].queryset = self.fields["model_version"].queryset.select_related(
            "ai_system"
        )  # type: ignore[attr-defined]
        for name in ("anomaly_baseline", "anomaly_severity"):
            self.fields[name].required = False  # empty keeps the current value (the default when new)

    def payload(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["ai_system"] = data["ai_system"].pk if data.get("ai_system") else None
        data["model_version"] = data["model_version"].pk if data.get("model_version") else None
        data["reference_profile"] = data["reference_profile"].pk if data.get("reference_profile") else None
        data["channels"] = [c.pk for c in data.get("channels") or []]
        for name in ("anomaly_baseline", "anomaly_severity"):
            if data.get(name) in (None, ""):
                data.pop(name, None)
        return data


class ChannelForm(_Scoped, forms.ModelForm):
    class Meta:
        model = NotificationChannel
        fields = ["name", "kind", "target", "secret", "min_severity", "active", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["secret"].widget = forms.TextInput(
            attrs={"class": "form-control font-monospace", "autocomplete": "off"}
        )
        if self.instance.pk:
            self.initial["secret"] = ""
            self.fields["secret"].help_text = _("Leave empty to keep the current secret.")
        else:
            self.initial.setdefault("secret", secrets.token_urlsafe(24))

    def payload(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class AlertActionForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(
        label=_("note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What you found or did (kept with the alert)."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()
