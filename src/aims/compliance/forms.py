"""Forms of the compliance pages. They turn what a person typed into the plain values the services
take; the services validate and their messages are put back onto the form by the views."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aims.core.models import Organization, User
from aims.inventory.forms import BootstrapFormMixin, LinesField

from . import classify as engine
from .models import Control, Framework, GapAssessment, Obligation, Regulation, Requirement, SoAEntry


def members_of(org: Organization) -> Any:
    return User.objects.filter(memberships__organization=org).order_by("full_name", "email")


class RequirementChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Requirement) -> str:
        return f"{obj.framework.name} · {obj.ref_id} {obj.title}"


class ControlForm(BootstrapFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    evidence_links = LinesField(
        label=_("Evidence links"),
        required=False,
        help_text=_("One web address per line: tickets, reports, dashboards that show the control works."),
    )

    class Meta:
        model = Control
        fields = [
            "ref",
            "name",
            "description",
            "owner",
            "status",
            "requirements",
            "ai_systems",
            "risks",
            "review_date",
            "effectiveness",
            "effectiveness_note",
            "evidence_links",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "effectiveness_note": forms.Textarea(attrs={"rows": 2}),
            "review_date": forms.DateInput(attrs={"type": "date"}),
            "requirements": forms.SelectMultiple(attrs={"size": 12}),
        }

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ref"].required = False
        self.fields["ref"].help_text = _("Leave empty to number it automatically (CTL-001, CTL-002, ...).")
        self.fields["owner"].queryset = members_of(organization)
        reqs = (
            Requirement.objects.filter(
                Q(framework__organization__isnull=True) | Q(framework__organization=organization)
            )
            .select_related("framework")
            .order_by("framework__name", "order")
        )
        self.fields["requirements"] = RequirementChoiceField(
            queryset=reqs,
            required=False,
            label=_("Requirements satisfied"),
            help_text=Control._meta.get_field("requirements").help_text,
            widget=forms.SelectMultiple(attrs={"size": 12}),
        )
        from aims.inventory.models import AISystem

        self.fields["ai_systems"].queryset = AISystem.objects.filter(organization=organization)
        if "risks" in self.fields:
            from aims.risk.models import Risk

            self.fields["risks"].queryset = Risk.objects.filter(organization=organization)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        self.style_widgets()

    def service_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        for name in ("requirements", "ai_systems", "risks"):
            if name in data:
                data[name] = [o.pk for o in data[name]]
        return data


class EvidenceForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label=_("What it is"), max_length=200, help_text=_("e.g. 'Q3 bias test report'."))
    url = forms.URLField(
        label=_("Link"),
        required=False,
        assume_scheme="https",
        help_text=_("Where the record lives; or upload the file below."),
    )
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("Stored with its SHA-256 fingerprint; always served as a download."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()


class LibraryForm(forms.Form):
    keys = forms.MultipleChoiceField(
        label=_("Typical controls"), widget=forms.CheckboxSelectMultiple, choices=[]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from .library import LIBRARY

        super().__init__(*args, **kwargs)
        self.fields["keys"].choices = [(e["key"], e["name"]) for e in LIBRARY]
        self.fields["keys"].widget.attrs["class"] = "form-check-input"


class SoAEntryForm(BootstrapFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    applicable = forms.NullBooleanField(
        label=_("Applicable"),
        widget=forms.Select(
            choices=[
                ("unknown", _("Not decided")),
                ("true", _("Yes, it applies")),
                ("false", _("No, excluded")),
            ]
        ),
        help_text=SoAEntry._meta.get_field("applicable").help_text,
    )

    class Meta:
        model = SoAEntry
        fields = ["applicable", "justification", "implementation_status", "controls", "evidence_note"]
        widgets = {
            "justification": forms.Textarea(attrs={"rows": 3}),
            "evidence_note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["controls"].queryset = Control.objects.filter(organization=organization).order_by("ref")
        self.fields["controls"].required = False
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        self.style_widgets()

    def service_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        data["controls"] = [c.pk for c in data.get("controls") or []]
        return data


class ClassificationForm(BootstrapFormMixin, forms.Form):
    """The EU AI Act questionnaire, in the order of the law."""

    is_ai_system = forms.BooleanField(
        label=_("It is an AI system"),
        required=False,
        initial=True,
        help_text=_(
            "A machine-based system that infers from its inputs how to produce outputs such as predictions, "
            "content, recommendations or decisions, with some autonomy (Art. 3(1)). Plain rules written by people "
            "are usually not."
        ),
    )
    roles = forms.MultipleChoiceField(
        label=_("Our role"),
        choices=[(r, r.capitalize()) for r in engine.ROLES],
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Provider: develops it (or has it developed) and puts it on the market under its name. Deployer: uses it. "
            "Importer and distributor: bring a non-EU system to the EU market or pass it on."
        ),
    )
    gpai_model = forms.BooleanField(
        label=_("We provide a general-purpose AI model"),
        required=False,
        help_text=_(
            "A model trained on broad data that can do many different tasks, such as a large language model (Art. 3(63))."
        ),
    )
    gpai_systemic_risk = forms.BooleanField(
        label=_("…with systemic risk"),
        required=False,
        help_text=_(
            "Trained with more than 10^25 floating-point operations, or designated by the Commission (Art. 51)."
        ),
    )
    prohibited = forms.MultipleChoiceField(
        label=_("Prohibited practices (Art. 5)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick any that the system does. Any one means it may not be used in the EU."),
    )
    emotion_recognition_medical_or_safety = forms.BooleanField(
        label=_("Emotion recognition is only for medical or safety reasons"),
        required=False,
        help_text=_(
            "The exception to the ban on emotion recognition at work and in education (Art. 5(1)(f))."
        ),
    )
    annex_i_product = forms.BooleanField(
        label=_("Safety component of a regulated product (Annex I)"),
        required=False,
        help_text=_(
            "Machinery, toys, medical devices, lifts, vehicles… when the product needs a third-party conformity assessment (Art. 6(1))."
        ),
    )
    annex_iii = forms.MultipleChoiceField(
        label=_("Annex III use cases"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The uses the AI Act calls high risk (Art. 6(2))."),
    )
    profiling = forms.BooleanField(
        label=_("It profiles natural persons"),
        required=False,
        help_text=_(
            "It evaluates personal aspects such as work performance, economic situation, health, preferences, "
            "behaviour or location. A profiling Annex III system is always high risk (Art. 6(3))."
        ),
    )
    derogation = forms.MultipleChoiceField(
        label=_("Art. 6(3) conditions: the system only…"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "If an Annex III system only does one of these and does not profile people, it is not high risk; the "
            "provider documents this and registers the system."
        ),
    )
    transparency = forms.MultipleChoiceField(
        label=_("Transparency triggers (Art. 50)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    public_body_or_public_service = forms.BooleanField(
        label=_("We are a public body or provide a public service"),
        required=False,
        help_text=_(
            "Such deployers carry out a fundamental rights impact assessment (Art. 27) and register their use (Art. 49(3))."
        ),
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from . import catalog_files as cf

        super().__init__(*args, **kwargs)
        catalog = cf.load_catalog(engine.ACT_SLUG)
        self.fields["prohibited"].choices = [
            (k, f"{ref} {catalog.get(ref).title}") for k, ref in engine.PROHIBITED.items() if ref in catalog
        ]
        self.fields["annex_iii"].choices = [
            (k, f"{ref}: {title}") for k, ref, title in engine.annex_iii_points(catalog)
        ]
        self.fields["derogation"].choices = [
            (k, f"{ref} {catalog.get(ref).title}") for k, ref in engine.DEROGATION.items()
        ]
        self.fields["transparency"].choices = [
            (k, f"{ref} {catalog.get(ref).title}") for k, (ref, _role) in engine.TRANSPARENCY.items()
        ]
        self.style_widgets()

    def answers(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "notes"}


class GapForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = GapAssessment
        fields = ["title", "assessed_on", "target_level", "notes"]
        widgets = {
            "assessed_on": forms.DateInput(attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()


class RegulationForm(BootstrapFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    url = forms.URLField(label=_("Web address"), required=False, assume_scheme="https")

    class Meta:
        model = Regulation
        fields = [
            "title",
            "kind",
            "framework",
            "jurisdiction",
            "applicability",
            "owner",
            "review_date",
            "url",
        ]
        widgets = {
            "review_date": forms.DateInput(attrs={"type": "date"}),
            "applicability": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = members_of(organization)
        self.fields["framework"].queryset = Framework.objects.filter(
            Q(organization__isnull=True) | Q(organization=organization)
        )
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        self.style_widgets()

    def service_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class ObligationForm(BootstrapFormMixin, forms.ModelForm):
    """Mark an EU AI Act obligation done (or no longer applicable), with a note."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Obligation
        fields = ["status", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        self.style_widgets()

    def service_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class FrameworkForm(BootstrapFormMixin, forms.Form):
    """An organization's own framework: an internal policy, a sector rule, a customer's requirements."""

    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        help_text=_("The name people use, e.g. 'Model risk policy' or 'EBA loan origination guidelines'."),
    )
    slug = forms.SlugField(
        label=_("Short identifier"),
        max_length=80,
        min_length=2,
        help_text=_(
            "Lower-case letters, digits and hyphens, e.g. model-risk-policy. Used in web addresses and the "
            "API; it cannot be changed later."
        ),
    )
    version = forms.CharField(
        label=_("Version"), max_length=40, initial="1", help_text=_("Edition or version, e.g. 2026 or 1.2.")
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=Framework.Kind.choices,
        initial=Framework.Kind.CUSTOM,
        help_text=_("A law, a standard, a framework, a guideline, or your own policy or sector rule."),
    )
    publisher = forms.CharField(
        label=_("Publisher"),
        max_length=200,
        required=False,
        help_text=_("Who issues it; empty for your own organization."),
    )
    jurisdiction = forms.CharField(
        label=_("Jurisdiction"), max_length=100, required=False, help_text=_("Where it applies, e.g. EU.")
    )
    url = forms.URLField(
        label=_("Web address"),
        required=False,
        assume_scheme="https",
        help_text=_("Where the text can be read."),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What it is about, in plain words."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()


class RequirementForm(BootstrapFormMixin, forms.Form):
    """One numbered requirement of an organization's own framework."""

    ref_id = forms.CharField(
        label=_("Number"),
        max_length=60,
        help_text=_("The number as people cite it, e.g. 4.2 or MRP-3. Unique within the framework."),
    )
    title = forms.CharField(
        label=_("Title"), max_length=300, help_text=_("A few words saying what is required.")
    )
    parent = forms.ChoiceField(
        label=_("Part of"),
        required=False,
        help_text=_("The section it belongs to; empty for a top-level entry."),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the requirement asks for, in plain words."),
    )
    guidance = forms.CharField(
        label=_("Implementation guidance"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("How it is usually met, and what records show it."),
    )
    assessable = forms.BooleanField(
        label=_("Counts in the compliance status"),
        required=False,
        initial=True,
        help_text=_("Untick for headings that only group other requirements."),
    )

    def __init__(self, *args: Any, framework: Framework, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [("", _("(top level)"))] + [
            (r.ref_id, f"{r.ref_id} {r.title}")
            for r in Requirement.objects.filter(framework=framework).order_by("order")
        ]
        self.style_widgets()

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["parent"] = data.get("parent") or None
        return data
