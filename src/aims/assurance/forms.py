"""Forms for incidents, feedback, nonconformities, audits and reviews. The public feedback form has its
own anti-spam defences: a honeypot field and a signed time stamp (too fast means a script)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aims.governance.forms import AimsForm, date_input

from .models import Audit, CorrectiveAction, Feedback, Finding, Incident, ManagementReview, Nonconformity


def datetime_input() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class IncidentForm(AimsForm):
    class Meta:
        model = Incident
        fields = [
            "title",
            "description",
            "ai_system",
            "incident_type",
            "severity",
            "detection_source",
            "owner",
            "occurred_at",
            "detected_at",
            "affected_people",
            "affected_count",
            "containment",
            "root_cause",
            "impact",
            "lessons_learned",
            "users_communication",
            "serious",
            "serious_category",
            "authority_reference",
        ]
        widgets = {"occurred_at": datetime_input(), "detected_at": datetime_input()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from .models import serious_categories

        self.fields["serious_category"] = forms.ChoiceField(
            label=_("Serious incident category"),
            required=False,
            choices=[("", "—")] + [(k, v["label"]) for k, v in serious_categories().items()],
            help_text=Incident._meta.get_field("serious_category").help_text,
            widget=forms.Select(attrs={"class": "form-select"}),
        )
        if self.instance.pk:
            self.fields["serious_category"].initial = self.instance.serious_category


class FeedbackTriageForm(forms.Form):
    note = forms.CharField(
        label=_("Triage note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
        help_text=_("What was answered, or why the report is dismissed."),
    )


class PublicFeedbackForm(forms.Form):
    """No login. The `website` field is a honeypot people never see; `stamp` proves the form was loaded
    more than a few seconds before it was sent."""

    MIN_SECONDS = 3
    MAX_SECONDS = 24 * 3600

    kind = forms.ChoiceField(
        label=_("What is it about?"),
        choices=Feedback.Kind.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    message = forms.CharField(
        label=_("Your report"),
        max_length=5000,
        min_length=10,
        widget=forms.Textarea(attrs={"rows": 6, "class": "form-control"}),
        help_text=_(
            "What happened, when, and how it affected you. Please do not include passwords or health details."
        ),
    )
    reporter_name = forms.CharField(
        label=_("Your name (optional)"),
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    reporter_email = forms.EmailField(
        label=_("Your e-mail (optional)"),
        required=False,
        widget=forms.EmailInput(attrs={"class": "form-control"}),
        help_text=_("Only if you would like an answer."),
    )
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1", "class": "form-control"}),
    )
    stamp = forms.CharField(widget=forms.HiddenInput)

    SALT = "aims.assurance.public-feedback"

    @classmethod
    def new_stamp(cls) -> str:
        return signing.TimestampSigner(salt=cls.SALT).sign(str(int(timezone.now().timestamp())))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["stamp"].initial = self.new_stamp()

    def clean_website(self) -> str:
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(_("This report looks automated and was not accepted."))
        return ""

    def clean_stamp(self) -> str:
        value = self.cleaned_data.get("stamp", "")
        try:
            sent = int(signing.TimestampSigner(salt=self.SALT).unsign(value, max_age=self.MAX_SECONDS))
        except (signing.BadSignature, ValueError) as exc:
            raise forms.ValidationError(_("The form expired: reload the page and send it again.")) from exc
        if timezone.now().timestamp() - sent < self.MIN_SECONDS:
            raise forms.ValidationError(
                _("This report was sent too fast to be typed by a person: wait a moment and send it again.")
            )
        return value


class NonconformityForm(AimsForm):
    five_whys_text = forms.CharField(
        label=_("Five whys"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "One answer per line: why did it happen? And why that? … The last line is the root cause."
        ),
    )

    class Meta:
        model = Nonconformity
        fields = [
            "title",
            "description",
            "requirement",
            "source",
            "grade",
            "ai_system",
            "incident",
            "owner",
            "due_date",
            "correction",
            "root_cause_method",
            "root_cause",
            "effectiveness_after_days",
        ]
        widgets = {"due_date": date_input()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["five_whys_text"].initial = "\n".join(self.instance.five_whys or [])

    def payload(self) -> dict[str, Any]:
        data = super().payload()
        data["five_whys"] = [
            line.strip()
            for line in (self.cleaned_data.get("five_whys_text") or "").splitlines()
            if line.strip()
        ]
        return data


class ActionForm(AimsForm):
    class Meta:
        model = CorrectiveAction
        fields = ["title", "description", "owner", "due_date"]
        widgets = {"due_date": date_input()}


class AuditForm(AimsForm):
    clauses_text = forms.CharField(
        label=_("Clauses and controls"),
        required=False,
        help_text=_("Numbers separated by commas, for example 9.1, 9.2, A.6.2.6. Empty: the whole standard."),
    )
    processes = forms.MultipleChoiceField(
        label=_("Processes audited"),
        required=False,
        widget=forms.SelectMultiple(attrs={"class": "form-select"}),
        help_text=_("Auditors may not be responsible for these processes."),
    )

    class Meta:
        model = Audit
        fields = [
            "programme",
            "title",
            "scope",
            "criteria",
            "planned_start",
            "planned_end",
            "lead_auditor",
            "auditors",
        ]
        widgets = {"planned_start": date_input(), "planned_end": date_input()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from aims.governance.models import PROCESSES

        super().__init__(*args, **kwargs)
        self.fields["processes"].choices = [(k, str(v)) for k, v in PROCESSES.items()]
        if self.instance.pk:
            self.fields["clauses_text"].initial = ", ".join(self.instance.clauses)
            self.fields["processes"].initial = self.instance.processes

    def payload(self) -> dict[str, Any]:
        data = super().payload()
        data["clauses"] = [
            c.strip() for c in (self.cleaned_data.get("clauses_text") or "").split(",") if c.strip()
        ]
        data["processes"] = list(self.cleaned_data.get("processes") or [])
        return data


class FindingForm(AimsForm):
    class Meta:
        model = Finding
        fields = ["kind", "requirement", "title", "description", "evidence"]


class ReviewForm(AimsForm):
    class Meta:
        model = ManagementReview
        fields = ["title", "scheduled_for", "period_start", "chair", "attendees", "minutes", "conclusions"]
        widgets = {"scheduled_for": date_input(), "period_start": date_input()}
