"""Forms of the risk pages. They only collect and shape input; the services validate it, compute
levels and write (so the UI, the API and the CLI give the same answers)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from aims.core.actors import Actor
from aims.core.exceptions import error_dict
from aims.core.models import User
from aims.core.roles import Role
from aims.inventory.models import AISystem, InterestedParty

from . import taxonomy
from .models import ImpactItem, Risk, RiskCategory, RiskMethodology, RiskTreatment, TreatmentOption


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's field errors on the form's fields (or at the top when the form has no such field)."""
    for field, messages in error_dict(exc).items():
        name = (
            field
            if field in form.fields
            else (field[:-3] if field.endswith("_id") and field[:-3] in form.fields else None)
        )
        for message in messages:
            form.add_error(name, message)


def _members(actor: Actor) -> Any:
    return User.objects.filter(memberships__organization=actor.organization).order_by("full_name", "email")


def _scale_choices(scale: list[dict[str, str]]) -> list[tuple[str, str]]:
    return [("", "—")] + [(str(i), f"{i} · {step['name']}") for i, step in enumerate(scale, start=1)]


def _int_or_none(value: Any) -> int | None:
    return int(value) if value not in (None, "") else None


class RiskForm(forms.Form):
    title = forms.CharField(
        label=_("Title"), max_length=200, help_text=Risk._meta.get_field("title").help_text
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=Risk._meta.get_field("description").help_text,
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=RiskCategory.objects.none(),
        help_text=Risk._meta.get_field("category").help_text,
    )
    ai_systems = forms.ModelMultipleChoiceField(
        label=_("AI systems"),
        queryset=AISystem.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=Risk._meta.get_field("ai_systems").help_text,
    )
    lifecycle_stage = forms.ChoiceField(
        label=_("Lifecycle stage"),
        required=False,
        choices=[("", "—"), *AISystem.Stage.choices],
        help_text=Risk._meta.get_field("lifecycle_stage").help_text,
    )
    root_causes = forms.CharField(
        label=_("Root causes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=Risk._meta.get_field("root_causes").help_text,
    )
    likelihood = forms.ChoiceField(
        label=_("Likelihood"), required=False, help_text=Risk._meta.get_field("likelihood").help_text
    )
    impact = forms.ChoiceField(
        label=_("Impact"), required=False, help_text=Risk._meta.get_field("impact").help_text
    )
    rationale = forms.CharField(
        label=_("Rationale"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=Risk._meta.get_field("rationale").help_text,
    )
    existing_controls = forms.CharField(
        label=_("Existing controls"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=Risk._meta.get_field("existing_controls").help_text,
    )
    additional_controls = forms.CharField(
        label=_("Additional controls required"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=Risk._meta.get_field("additional_controls").help_text,
    )
    control_refs = forms.CharField(
        label=_("Related controls"),
        required=False,
        help_text=_("Control ids separated by commas, e.g. A.7.4, A.5.4."),
    )
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=User.objects.none(),
        required=False,
        help_text=Risk._meta.get_field("owner").help_text,
    )
    treatment = forms.ChoiceField(
        label=_("Treatment decision"), required=False, help_text=Risk._meta.get_field("treatment").help_text
    )
    treatment_plan = forms.CharField(
        label=_("Treatment plan"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=Risk._meta.get_field("treatment_plan").help_text,
    )
    residual_likelihood = forms.ChoiceField(
        label=_("Residual likelihood"),
        required=False,
        help_text=Risk._meta.get_field("residual_likelihood").help_text,
    )
    residual_impact = forms.ChoiceField(
        label=_("Residual impact"),
        required=False,
        help_text=Risk._meta.get_field("residual_impact").help_text,
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("(unchanged)"))] + [c for c in Risk.Status.choices if c[0] != Risk.Status.ACCEPTED],
        help_text=_("Accepted is set by signing an acceptance."),
    )
    interested_parties = forms.ModelMultipleChoiceField(
        label=_("Interested parties"),
        queryset=InterestedParty.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=Risk._meta.get_field("interested_parties").help_text,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, actor: Actor, method: RiskMethodology, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        org = actor.organization
        self.fields["category"].queryset = RiskCategory.objects.filter(organization=org)
        self.fields["ai_systems"].queryset = AISystem.objects.filter(organization=org).order_by("name")
        self.fields["interested_parties"].queryset = InterestedParty.objects.filter(organization=org)
        self.fields["owner"].queryset = _members(actor)
        for name in ("likelihood", "residual_likelihood"):
            self.fields[name].choices = _scale_choices(method.likelihood_scale)
        for name in ("impact", "residual_impact"):
            self.fields[name].choices = _scale_choices(method.impact_scale)
        labels = dict(TreatmentOption.choices)
        self.fields["treatment"].choices = [("", "—")] + [(o, labels[o]) for o in method.treatment_options]

    @classmethod
    def initial_from(cls, risk: Risk) -> dict[str, Any]:
        return {
            "title": risk.title,
            "description": risk.description,
            "category": risk.category_id,
            "ai_systems": list(risk.ai_systems.all()),
            "lifecycle_stage": risk.lifecycle_stage,
            "root_causes": risk.root_causes,
            "likelihood": risk.likelihood,
            "impact": risk.impact,
            "rationale": risk.rationale,
            "existing_controls": risk.existing_controls,
            "additional_controls": risk.additional_controls,
            "control_refs": ", ".join(risk.control_refs),
            "owner": risk.owner_id,
            "treatment": risk.treatment,
            "treatment_plan": risk.treatment_plan,
            "residual_likelihood": risk.residual_likelihood,
            "residual_impact": risk.residual_impact,
            "status": "" if risk.status == Risk.Status.ACCEPTED else risk.status,
            "interested_parties": list(risk.interested_parties.all()),
            "version": risk.version,
        }

    def payload(self, *, creating: bool) -> dict[str, Any]:
        d = self.cleaned_data
        data = {
            "title": d["title"],
            "description": d["description"],
            "category": d["category"],
            "ai_systems": [s.pk for s in d["ai_systems"]],
            "lifecycle_stage": d["lifecycle_stage"],
            "root_causes": d["root_causes"],
            "likelihood": _int_or_none(d["likelihood"]),
            "impact": _int_or_none(d["impact"]),
            "rationale": d["rationale"],
            "existing_controls": d["existing_controls"],
            "additional_controls": d["additional_controls"],
            "control_refs": [c.strip() for c in d["control_refs"].split(",") if c.strip()],
            "owner": d["owner"],
            "treatment": d["treatment"],
            "treatment_plan": d["treatment_plan"],
            "residual_likelihood": _int_or_none(d["residual_likelihood"]),
            "residual_impact": _int_or_none(d["residual_impact"]),
            "interested_parties": [p.pk for p in d["interested_parties"]],
        }
        if d.get("status"):
            data["status"] = d["status"]
        if creating and data.get("status") not in (Risk.Status.IDENTIFIED, Risk.Status.ASSESSED):
            data.pop("status", None)
        return data


class ReviewForm(forms.Form):
    note = forms.CharField(
        label=_("What did the review find?"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AcceptanceForm(forms.Form):
    justification = forms.CharField(
        label=_("Justification"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why the organization retains this risk rather than treating it further."),
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_(
            "After this date the acceptance lapses and the risk is due for review (at most three years)."
        ),
    )


class TreatmentForm(forms.Form):
    title = forms.CharField(
        label=_("Action"), max_length=200, help_text=RiskTreatment._meta.get_field("title").help_text
    )
    description = forms.CharField(
        label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=User.objects.none(),
        required=False,
        help_text=RiskTreatment._meta.get_field("owner").help_text,
    )
    due_date = forms.DateField(
        label=_("Due"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=RiskTreatment._meta.get_field("due_date").help_text,
    )
    status = forms.ChoiceField(label=_("Status"), choices=RiskTreatment.Status.choices)
    control_ref = forms.CharField(
        label=_("Control implemented"),
        max_length=40,
        required=False,
        help_text=RiskTreatment._meta.get_field("control_ref").help_text,
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _members(actor)


class ApprovePlanForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False)


class FromLibraryForm(forms.Form):
    ai_system = forms.ModelChoiceField(
        label=_("AI system"),
        queryset=AISystem.objects.none(),
        help_text=_("The system whose register to start."),
    )
    keys = forms.MultipleChoiceField(
        label=_("Typical risks"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick the risks that apply; you assess them afterwards."),
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        from . import library

        super().__init__(*args, **kwargs)
        self.fields["ai_system"].queryset = AISystem.objects.filter(organization=actor.organization).order_by(
            "name"
        )
        self.fields["keys"].choices = [(e["key"], e["title"]) for e in library.ENTRIES]


class MethodologyForm(forms.Form):
    """The whole method on one page: scales, levels, matrix, appetite, roles, options. Adding or
    removing levels is done through the API (`PUT /api/v1/risk-methodology`)."""

    name = forms.CharField(label=_("Name"), max_length=200)
    size = forms.TypedChoiceField(
        label=_("Scale size"),
        coerce=int,
        choices=[(3, "3 × 3"), (4, "4 × 4"), (5, "5 × 5")],
        help_text=_("Changing the size resets scales and matrix to that size's default."),
    )
    appetite = forms.ChoiceField(
        label=_("Risk appetite"), help_text=RiskMethodology._meta.get_field("appetite").help_text
    )
    impact_feed_level = forms.ChoiceField(
        label=_("Impact level that creates a risk"),
        help_text=RiskMethodology._meta.get_field("impact_feed_level").help_text,
    )
    acceptance_roles = forms.MultipleChoiceField(
        label=_("Who may accept within the appetite"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        choices=[c for c in Role.choices if c[0] != Role.EXTERNAL_AUDITOR],
    )
    above_appetite_roles = forms.MultipleChoiceField(
        label=_("Who may accept above the appetite"),
        widget=forms.CheckboxSelectMultiple,
        choices=[c for c in Role.choices if c[0] != Role.EXTERNAL_AUDITOR],
    )
    treatment_options = forms.MultipleChoiceField(
        label=_("Treatment options"), widget=forms.CheckboxSelectMultiple, choices=TreatmentOption.choices
    )
    change_note = forms.CharField(
        label=_("Reason for the change"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=RiskMethodology._meta.get_field("change_note").help_text,
    )

    def __init__(self, *args: Any, values: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.values = values
        size, levels = values["size"], values["levels"]
        keys = [(lvl["key"], lvl["name"]) for lvl in levels]
        self.fields["appetite"].choices = keys
        self.fields["impact_feed_level"].choices = keys
        for prefix in ("l", "i"):
            for n in range(1, size + 1):
                self.fields[f"{prefix}{n}_name"] = forms.CharField(
                    label=_("Name of step %(n)d") % {"n": n}, max_length=80
                )
                self.fields[f"{prefix}{n}_desc"] = forms.CharField(
                    label=_("Description of step %(n)d") % {"n": n}, required=False, max_length=500
                )
        for lvl in levels:
            k = lvl["key"]
            self.fields[f"lvl_{k}_name"] = forms.CharField(label=_("Name"), max_length=60)
            self.fields[f"lvl_{k}_colour"] = forms.ChoiceField(label=_("Colour"), choices=taxonomy.COLOURS)
            self.fields[f"lvl_{k}_months"] = forms.IntegerField(
                label=_("Review every (months)"), min_value=1, max_value=60
            )
            self.fields[f"lvl_{k}_desc"] = forms.CharField(label=_("Meaning"), required=False, max_length=500)
        for li in range(1, size + 1):
            for im in range(1, size + 1):
                self.fields[f"cell_{li}_{im}"] = forms.ChoiceField(
                    label=_("Likelihood %(l)d, impact %(i)d") % {"l": li, "i": im},
                    choices=keys,
                    widget=forms.Select(attrs={"class": "form-select form-select-sm matrix-select"}),
                )
        if not self.is_bound:
            self.initial.update(self.initial_values(values))

    @staticmethod
    def initial_values(values: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {
            f: values[f]
            for f in (
                "name",
                "size",
                "appetite",
                "impact_feed_level",
                "acceptance_roles",
                "above_appetite_roles",
                "treatment_options",
            )
        }
        for prefix, scale_name in (("l", "likelihood_scale"), ("i", "impact_scale")):
            for n, step in enumerate(values[scale_name], start=1):
                out[f"{prefix}{n}_name"], out[f"{prefix}{n}_desc"] = step["name"], step.get("description", "")
        for lvl in values["levels"]:
            k = lvl["key"]
            out.update(
                {
                    f"lvl_{k}_name": lvl["name"],
                    f"lvl_{k}_colour": lvl["colour"],
                    f"lvl_{k}_months": lvl["review_months"],
                    f"lvl_{k}_desc": lvl.get("description", ""),
                }
            )
        for li, row in enumerate(values["matrix"], start=1):
            for im, key in enumerate(row, start=1):
                out[f"cell_{li}_{im}"] = key
        return out

    def payload(self) -> dict[str, Any]:
        d, size = self.cleaned_data, self.values["size"]
        return {
            "name": d["name"],
            "size": size,
            "likelihood_scale": [
                {"name": d[f"l{n}_name"], "description": d[f"l{n}_desc"]} for n in range(1, size + 1)
            ],
            "impact_scale": [
                {"name": d[f"i{n}_name"], "description": d[f"i{n}_desc"]} for n in range(1, size + 1)
            ],
            "levels": [
                {
                    "key": lvl["key"],
                    "name": d[f"lvl_{lvl['key']}_name"],
                    "colour": d[f"lvl_{lvl['key']}_colour"],
                    "review_months": d[f"lvl_{lvl['key']}_months"],
                    "description": d[f"lvl_{lvl['key']}_desc"],
                }
                for lvl in self.values["levels"]
            ],
            "matrix": [[d[f"cell_{li}_{im}"] for im in range(1, size + 1)] for li in range(1, size + 1)],
            "appetite": d["appetite"],
            "impact_feed_level": d["impact_feed_level"],
            "acceptance_roles": list(d["acceptance_roles"]),
            "above_appetite_roles": list(d["above_appetite_roles"]),
            "treatment_options": list(d["treatment_options"]),
            "change_note": d["change_note"],
        }

    def scale_rows(self) -> list[tuple[int, Any, Any, Any, Any]]:
        return [
            (n, self[f"l{n}_name"], self[f"l{n}_desc"], self[f"i{n}_name"], self[f"i{n}_desc"])
            for n in range(1, self.values["size"] + 1)
        ]

    def level_rows(self) -> list[tuple[str, Any, Any, Any, Any]]:
        return [
            (
                lvl["key"],
                self[f"lvl_{lvl['key']}_name"],
                self[f"lvl_{lvl['key']}_colour"],
                self[f"lvl_{lvl['key']}_months"],
                self[f"lvl_{lvl['key']}_desc"],
            )
            for lvl in self.values["levels"]
        ]

    def matrix_rows(self) -> list[tuple[int, list[Any]]]:
        size = self.values["size"]
        return [(li, [self[f"cell_{li}_{im}"] for im in range(1, size + 1)]) for li in range(size, 0, -1)]


ASSESSMENT_TEXT_FIELDS = [
    "title",
    "intended_purpose",
    "foreseeable_misuse",
    "deployment_context",
    "period_and_frequency",
    "affected_individuals",
    "affected_groups",
    "vulnerable_groups",
    "societal_impacts",
    "human_oversight",
    "remedies",
    "dpia_reference",
    "overall_result",
]


class AssessmentForm(forms.Form):
    ai_system = forms.ModelChoiceField(
        label=_("AI system"), queryset=AISystem.objects.none(), help_text=_("The system assessed.")
    )
    affects_minors = forms.BooleanField(label=_("Affects minors"), required=False)
    processes_personal_data = forms.BooleanField(label=_("Processes personal data"), required=False)
    dpia_required = forms.BooleanField(label=_("A GDPR DPIA is required (Art. 35)"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, actor: Actor, editing: bool = False, **kwargs: Any) -> None:
        from .models import ImpactAssessment

        super().__init__(*args, **kwargs)
        self.fields["ai_system"].queryset = AISystem.objects.filter(organization=actor.organization).order_by(
            "name"
        )
        if editing:
            del self.fields["ai_system"]
        for name in ASSESSMENT_TEXT_FIELDS:
            field = ImpactAssessment._meta.get_field(name)
            widget = (
                forms.TextInput if name in ("title", "dpia_reference") else forms.Textarea(attrs={"rows": 2})
            )
            self.fields[name] = forms.CharField(
                label=str(field.verbose_name).capitalize(),
                required=name == "intended_purpose",
                help_text=field.help_text,
                widget=widget,
                max_length=getattr(field, "max_length", None),
            )

    def payload(self) -> dict[str, Any]:
        d = dict(self.cleaned_data)
        d.pop("version", None)
        return d


class ImpactItemForm(forms.Form):
    area = forms.ChoiceField(label=_("Impact area"), choices=taxonomy.IMPACT_AREAS)
    affected = forms.ChoiceField(label=_("Who is affected"), choices=ImpactItem.Affected.choices)
    description = forms.CharField(
        label=_("Impact"), widget=forms.Textarea(attrs={"rows": 2}), help_text=_("What could happen to them.")
    )
    severity = forms.ChoiceField(label=_("Severity"))
    likelihood = forms.ChoiceField(label=_("Likelihood"))
    reversibility = forms.ChoiceField(label=_("Reversibility"), choices=ImpactItem.Reversibility.choices)
    scale = forms.ChoiceField(label=_("Scale"), choices=ImpactItem.Scale.choices)
    mitigation = forms.CharField(
        label=_("Mitigation"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, method: RiskMethodology, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["severity"].choices = _scale_choices(method.impact_scale)[1:]
        self.fields["likelihood"].choices = _scale_choices(method.likelihood_scale)[1:]

    def has_changed(self) -> bool:
        # A row whose description is empty is an unused row, whatever its selects show.
        if not str(self.data.get(self.add_prefix("description"), "") or "").strip() and self.empty_permitted:
            return False
        return super().has_changed()

    def payload(self) -> dict[str, Any]:
        d = dict(self.cleaned_data)
        d["severity"], d["likelihood"] = int(d["severity"]), int(d["likelihood"])
        return d


ImpactItemFormSet = forms.formset_factory(ImpactItemForm, extra=1, can_delete=True)
