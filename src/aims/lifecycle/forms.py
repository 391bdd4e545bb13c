"""Forms of the lifecycle pages. They turn what a person typed into the plain values the services
take; the services validate, and their messages are put back on the form (`apply_errors`)."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from aims.core.actors import Actor
from aims.core.exceptions import error_dict
from aims.inventory.forms import BootstrapFormMixin, LinesField, members_of
from aims.inventory.models import AISystem

from . import gates
from .models import (
    Dataset,
    DatasetVersion,
    Deployment,
    DeploymentEvent,
    Evaluation,
    GateCriterion,
    GateEvidence,
    ModelVersion,
    SlaBreach,
    Vendor,
)


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """A service's field errors onto the form's fields (or at the top when the form has no such field)."""
    for field, messages in error_dict(exc).items():
        name = (
            field
            if field in form.fields
            else (field[:-3] if field.endswith("_id") and field[:-3] in form.fields else None)
        )
        for message in messages:
            form.add_error(name, message)


class JSONText(forms.JSONField):
    """A JSON value edited as text, shown indented."""

    widget = forms.Textarea(attrs={"rows": 4, "class": "font-monospace"})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dict | list):
            return json.dumps(value, indent=2, ensure_ascii=False)
        return super().prepare_value(value)


class Styled(BootstrapFormMixin):
    def __init__(self, *args: Any, actor: Actor | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        self.actor = actor
        if actor is not None:
            self.scope(actor)
        self.style_widgets()

    def scope(self, actor: Actor) -> None:
        """Limit the choices of related fields to the actor's organization."""
        for name, field in self.fields.items():
            qs = getattr(field, "queryset", None)
            if qs is None:
                continue
            model = qs.model
            if model is AISystem or hasattr(model, "object_type"):
                field.queryset = qs.filter(organization=actor.organization)  # type: ignore[attr-defined]
            elif name in ("production_access",):
                field.queryset = members_of(actor.organization)  # type: ignore[attr-defined]

    def _post_clean(self) -> None:
        """No model validation here: the services validate, once, for every door."""

    def payload(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)  # type: ignore[attr-defined]
        data.pop("version", None)
        return data


DATE = forms.DateInput(attrs={"type": "date"})
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"})


class CriterionForm(Styled, forms.ModelForm):
    class Meta:
        model = GateCriterion
        fields = ["stage", "title", "guidance", "reference", "order"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [(s, gates.stage_label(s)) for s in gates.ORDER if gates.next_stage(s)]


class EvidenceForm(Styled, forms.Form):
    kind = forms.ChoiceField(
        label=_("kind"), choices=GateEvidence.Kind.choices, initial=GateEvidence.Kind.LINK
    )
    title = forms.CharField(
        label=_("title"),
        max_length=200,
        help_text=_("What the evidence is, e.g. 'Architecture decision record 7'."),
    )
    url = forms.URLField(
        label=_("link"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("For a link: where the evidence lives."),
    )
    record_type = forms.CharField(
        label=_("record type"),
        required=False,
        max_length=40,
        help_text=_("For a record in AIMS: e.g. document, risk, impact_assessment."),
    )
    record_id = forms.CharField(label=_("record id"), required=False, max_length=40)
    file = forms.FileField(
        label=_("file"), required=False, help_text=_("For a file: it is stored with its SHA-256 fingerprint.")
    )
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ExceptionForm(Styled, forms.Form):
    justification = forms.CharField(
        label=_("justification"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Why the system may move on although the gate does not hold, and what reduces the risk meanwhile."
        ),
    )
    expires_on = forms.DateField(
        label=_("expires on"),
        widget=DATE,
        help_text=_("By this date the missing criteria must be met (at most a year)."),
    )


class MoveForm(Styled, forms.Form):
    note = forms.CharField(
        label=_("note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept with the gate review."),
    )


class DatasetForm(Styled, forms.ModelForm):
    special_categories = LinesField(
        label=_("special categories"), required=False, help_text=_("One per line, e.g. health.")
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Dataset
        fields = [
            "name",
            "slug",
            "description",
            "purpose",
            "ai_systems",
            "origin",
            "acquisition",
            "authorization",
            "licence",
            "copyright",
            "personal_data",
            "special_categories",
            "legal_basis",
            "consent_notes",
            "collected_from",
            "collected_to",
            "transformations",
            "cleaning",
            "labelling",
            "retention",
            "storage_location",
            "access",
        ]
        widgets = {"collected_from": DATE, "collected_to": DATE, "ai_systems": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False


class DatasetVersionForm(Styled, forms.ModelForm):
    profile = JSONText(
        label=_("sensitive attribute profile"),
        required=False,
        initial=dict,
        help_text=_('Records per group, e.g. {"sex": {"female": 310, "male": 690}}.'),
    )
    reference = JSONText(
        label=_("reference population"),
        required=False,
        initial=dict,
        help_text=_('Shares per group that add up to 1, e.g. {"sex": {"female": 0.51, "male": 0.49}}.'),
    )

    class Meta:
        model = DatasetVersion
        fields = ["label", "changes", "rows", "digest", "location", "profile", "reference", "tolerance"]

    def payload(self) -> dict[str, Any]:
        data = super().payload()
        data["profile"] = data.get("profile") or {}
        data["reference"] = data.get("reference") or {}
        return data


class ModelVersionForm(Styled, forms.ModelForm):
    hyperparameters = JSONText(
        label=_("hyperparameters"), required=False, initial=dict, help_text=_("Name → value, as JSON.")
    )

    class Meta:
        model = ModelVersion
        fields = [
            "ai_system",
            "name",
            "label",
            "algorithm",
            "framework",
            "rationale",
            "alternatives",
            "training_config",
            "hyperparameters",
            "datasets",
            "code_repository",
            "code_commit",
            "artefact_digest",
            "vendor",
            "intended_use",
            "limitations",
        ]
        widgets = {"datasets": forms.CheckboxSelectMultiple}

    def payload(self) -> dict[str, Any]:
        data = super().payload()
        data["hyperparameters"] = data.get("hyperparameters") or {}
        return data


class EvaluationForm(Styled, forms.ModelForm):
    metrics = JSONText(
        label=_("metrics"),
        required=False,
        initial=dict,
        help_text=_('Metric → value, e.g. {"accuracy": 0.81}.'),
    )
    thresholds = JSONText(
        label=_("thresholds"), required=False, initial=dict, help_text=_('Metric → {"min": x} or {"max": y}.')
    )
    fairness = JSONText(
        label=_("results by group"),
        required=False,
        initial=dict,
        help_text=_("Optional: attribute → group → metric → value."),
    )

    class Meta:
        model = Evaluation
        fields = ["kind", "title", "dataset_version", "metrics", "thresholds", "fairness", "conclusion"]

    def payload(self) -> dict[str, Any]:
        data = super().payload()
        for key in ("metrics", "thresholds", "fairness"):
            data[key] = data.get(key) or {}
        return data


class VendorForm(Styled, forms.ModelForm):
    answers = forms.MultipleChoiceField(
        label=_("risk questionnaire: the statements that are true"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(q["key"], q["text"]) for q in gates.QUESTIONNAIRE],
        help_text=_("Tick what the vendor shows evidence for; AIMS computes the score (0-100)."),
    )
    certifications = LinesField(label=_("certifications"), required=False, help_text=_("One per line."))
    slas = JSONText(
        label=_("SLAs"),
        required=False,
        initial=list,
        help_text=_('A list of {"name": "availability", "target": "99.9%"}.'),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Vendor
        fields = [
            "name",
            "slug",
            "kind",
            "services",
            "ai_systems",
            "answers",
            "assessed_on",
            "terms_reviewed_on",
            "terms_next_review",
            "permitted_use",
            "slas",
            "dpa_signed",
            "data_location",
            "certifications",
            "contingency_plan",
        ]
        widgets = {
            "assessed_on": DATE,
            "terms_reviewed_on": DATE,
            "terms_next_review": DATE,
            "ai_systems": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        if self.instance and self.instance.pk:
            self.initial["answers"] = [k for k, v in (self.instance.questionnaire or {}).items() if v]

    def payload(self) -> dict[str, Any]:
        data = super().payload()
        answers = set(data.pop("answers", []) or [])
        data["questionnaire"] = {q["key"]: q["key"] in answers for q in gates.QUESTIONNAIRE}
        data["slas"] = data.get("slas") or []
        return data


class BreachForm(Styled, forms.ModelForm):
    class Meta:
        model = SlaBreach
        fields = ["sla", "occurred_on", "description", "impact", "resolved_on"]
        widgets = {"occurred_on": DATE, "resolved_on": DATE}


class DeploymentForm(Styled, forms.ModelForm):
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Deployment
        fields = [
            "ai_system",
            "environment",
            "model_version",
            "plan",
            "rollback_procedure",
            "deployed_at",
            "production_access",
            "log_location",
            "log_retention_months",
            "monitoring",
        ]
        widgets = {"deployed_at": DATETIME, "production_access": forms.CheckboxSelectMultiple}

    def payload(self) -> dict[str, Any]:
        data = super().payload()
        data["production_access"] = [u.pk for u in data.get("production_access") or []]
        return data


class EventForm(Styled, forms.ModelForm):
    class Meta:
        model = DeploymentEvent
        fields = ["kind", "description", "to_version", "occurred_at"]
        widgets = {"occurred_at": DATETIME}

    def __init__(self, *args: Any, deployment: Deployment | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            c for c in DeploymentEvent.Kind.choices if c[0] != DeploymentEvent.Kind.ACCESS
        ]
        if deployment is not None:
            self.fields["to_version"].queryset = ModelVersion.objects.filter(ai_system=deployment.ai_system)  # type: ignore[attr-defined]


class ProcedureForm(Styled, forms.Form):
    """A new version of a stage procedure (the editor starts from the version in force)."""

    title = forms.CharField(label=_("title"), max_length=200, help_text=_("The name of the procedure."))
    body = forms.CharField(
        label=_("procedure"),
        max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_(
            "What is done in this stage, step by step: who does it, what they check, which records they keep. "
            "A line starting with '- ' is a list item."
        ),
    )
    change_note = forms.CharField(
        label=_("what changed"),
        max_length=300,
        required=False,
        help_text=_("A line for the version history."),
    )
    based_on = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def payload(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("based_on", None)
        return data


class NewProcedureForm(ProcedureForm):
    """An organization's own procedure for a stage, besides the defaults."""

    stage = forms.ChoiceField(label=_("stage"), help_text=_("The stage it is followed in."))
    field_order = ["stage", "title", "body", "change_note"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [(s, gates.stage_label(s)) for s in gates.ORDER if gates.next_stage(s)]
        self.fields.pop("based_on")
        self.order_fields(self.field_order)


class LogFilterForm(Styled, forms.Form):
    """Filters of a deployment's event-log records."""

    actor = forms.CharField(label=_("who"), required=False, max_length=200)
    action = forms.CharField(label=_("what"), required=False, max_length=100)
    since = forms.DateTimeField(label=_("from"), required=False, widget=DATETIME)
    until = forms.DateTimeField(label=_("until"), required=False, widget=DATETIME)


class EvaluationUploadForm(Styled, forms.Form):
    """An evaluation uploaded as a CSV file of metrics and thresholds."""

    kind = forms.ChoiceField(
        label=_("kind"), choices=Evaluation.Kind.choices, initial=Evaluation.Kind.TECHNICAL
    )
    title = forms.CharField(
        label=_("title"),
        required=False,
        max_length=200,
        help_text=_("e.g. hold-out test, Q3 fairness review."),
    )
    file = forms.FileField(
        label=_("results file (CSV)"),
        help_text=_(
            "One row per metric, with the columns metric and value, and optionally min and max (its threshold)."
        ),
    )


class SampleUploadForm(Styled, forms.Form):
    """A CSV sample of a dataset version, profiled on its sensitive attributes."""

    file = forms.FileField(
        label=_("sample (CSV)"),
        help_text=_("A CSV file with a header row; only the named columns are counted."),
    )
    attributes = forms.CharField(
        label=_("sensitive attributes"),
        max_length=500,
        help_text=_("The columns to count, separated by commas, e.g. sex, age_band."),
    )


class AgreementUploadForm(Styled, forms.Form):
    """Two annotators' labels of the same items, to compute Cohen's kappa."""

    file = forms.FileField(
        label=_("labels of two annotators (CSV)"),
        help_text=_(
            "A header row, then one row per item: the first column is the first annotator's label, the second the other's."
        ),
    )
