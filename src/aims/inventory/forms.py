"""Forms for the clause 4 pages. They turn what a person typed into the plain values the services
take; the services validate (model.full_clean) and their messages are put back onto the form by the
views, so the web form, the API, the CLI and imports give the same answer for the same input."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from aims.core.models import Organization, User

from .models import AISystem, ContextIssue, InterestedParty, ScopeStatement

# --- shared pieces --------------------------------------------------------------------------------


class BootstrapFormMixin:
    """Bootstrap classes on every widget, and `is-invalid` on a field as soon as it has an error
    (whether from the form's own cleaning or from a service's ValidationError added afterwards)."""

    fields: dict[str, forms.Field]

    def style_widgets(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput):
                continue
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple | forms.RadioSelect):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = css

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)  # type: ignore[misc]
        for name in self.errors:  # type: ignore[attr-defined]
            if name in self.fields:
                widget = self.fields[name].widget
                classes = widget.attrs.get("class", "")
                if "is-invalid" not in classes.split():
                    widget.attrs["class"] = f"{classes} is-invalid".strip()


class LinesField(forms.CharField):
    """A list of short texts edited one per line (tags, links). Empty lines and repeats are dropped."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return "\n".join(str(v) for v in value)
        return value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value)
        seen: list[str] = []
        for line in str(text or "").splitlines():
            item = line.strip()
            if item and item not in seen:
                seen.append(item)
        return seen


class ExclusionsField(forms.CharField):
    """Exclusions from the scope, one per line as `what is excluded | why`."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "\n".join(
                f"{item.get('item', '')} | {item.get('reason', '')}" if isinstance(item, dict) else str(item)
                for item in value
            )
        return value

    def to_python(self, value: Any) -> list[dict[str, str]]:  # type: ignore[override]
        text = super().to_python(value)
        out: list[dict[str, str]] = []
        problems: list[str] = []
        for number, line in enumerate(str(text or "").splitlines(), start=1):
            if not line.strip():
                continue
            item, sep, reason = line.partition("|")
            if not sep or not item.strip() or not reason.strip():
                problems.append(
                    str(
                        _(
                            "Line %(n)s: write what is excluded, then '|', then the reason, for example 'Legacy chatbot | retired in 2023'."
                        )
                    )
                    % {"n": number}
                )
                continue
            out.append({"item": item.strip(), "reason": reason.strip()})
        if problems:
            raise ValidationError(problems, code="invalid")
        return out


def _model_text(model: type, name: str) -> tuple[str, str]:
    """The label and help text of a model field, so a plain form stays in step with the model."""
    field = model._meta.get_field(name)  # type: ignore[attr-defined]
    return capfirst(str(field.verbose_name)), str(field.help_text)


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:  # type: ignore[override]
        return f"{obj.full_name} <{obj.email}>" if obj.full_name else obj.email


def members_of(organization: Organization) -> Any:
    return User.objects.filter(memberships__organization=organization, is_active=True).order_by(
        "full_name", "email"
    )


# --- AI systems -----------------------------------------------------------------------------------


class AISystemForm(BootstrapFormMixin, forms.ModelForm):
    """Create or edit an AI system. `version` is the version the person started editing from: a
    save against a newer version is refused as stale instead of overwriting someone else's change."""

    org_roles = forms.MultipleChoiceField(
        choices=AISystem.OrgRole.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    deployment_environments = forms.MultipleChoiceField(
        choices=AISystem.Environment.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    tags = LinesField(required=False)
    links = LinesField(required=False)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = AISystem
        fields = [
            "name",
            "slug",
            "purpose",
            "description",
            "function",
            "system_type",
            "owner",
            "business_unit",
            "criticality",
            "org_roles",
            "eu_ai_act_tier",
            "documentation_status",
            "lifecycle_stage",
            "project_status",
            "processes_personal_data",
            "special_category_data",
            "affected_persons",
            "deployment_environments",
            "third_party",
            "supplier",
            "tags",
            "links",
        ]
        field_classes = {"owner": OwnerChoiceField}
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 2}),
            "description": forms.Textarea(attrs={"rows": 3}),
            "function": forms.Textarea(attrs={"rows": 2}),
            "affected_persons": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "project_status": _(
                "Where the project delivering or changing the system stands: proposed, active, on hold, completed or cancelled."
            ),
            "tags": _(
                "Free words to group and find systems, one per line, for example 'credit' or 'customer-facing'."
            ),
        }

    # Sections of the form (and of the detail page), so a long form reads in a sensible order.
    SECTIONS: list[tuple[Any, list[str]]] = [
        (_("What it is"), ["name", "slug", "system_type", "purpose", "function", "description"]),
        (_("Who is accountable"), ["owner", "business_unit", "project_status"]),
        (
            _("Risk and regulation"),
            ["criticality", "org_roles", "eu_ai_act_tier", "documentation_status", "lifecycle_stage"],
        ),
        (_("People and data"), ["processes_personal_data", "special_category_data", "affected_persons"]),
        (_("Where it runs and who supplies it"), ["deployment_environments", "third_party", "supplier"]),
        (_("Tags and links"), ["tags", "links"]),
    ]

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        creating = self.instance.pk is None
        owner = self.fields["owner"]
        assert isinstance(owner, OwnerChoiceField)
        owner.queryset = members_of(organization)
        owner.empty_label = _("— no owner yet —")
        for name in ("org_roles", "deployment_environments", "tags", "links"):
            model_field = AISystem._meta.get_field(name)
            self.fields[name].label = capfirst(str(model_field.verbose_name))
            self.fields[name].help_text = self.fields[name].help_text or model_field.help_text
        self.fields["tags"].help_text = self.Meta.help_texts["tags"]
        self.fields["links"].help_text = _("%(help)s One per line, starting with https:// or http://.") % {
            "help": AISystem._meta.get_field("links").help_text
        }
        slug = self.fields["slug"]
        slug.required = not creating
        if creating:
            slug.help_text = _("%(help)s Leave empty to derive it from the name.") % {"help": slug.help_text}
        if not creating:
            if not self.is_bound:
                self.initial["version"] = self.instance.version
            # An existing system changes stage only through its lifecycle gate (aims.lifecycle), where
            # the evidence for the move is checked; the form shows the stage without offering it.
            stage = self.fields["lifecycle_stage"]
            stage.disabled = True
            stage.help_text = _(
                "%(help)s It changes through the system's lifecycle gate (Do → Lifecycle and gates), "
                "where the evidence for the move is checked."
            ) % {"help": AISystem._meta.get_field("lifecycle_stage").help_text}
        self.style_widgets()

    def _post_clean(self) -> None:
        # The service validates the whole object (model.full_clean) in its transaction; running the
        # model's validation here as well would check the same rules twice, once outside it.
        pass

    def clean_links(self) -> list[str]:
        links: list[str] = self.cleaned_data.get("links") or []
        check = URLValidator(schemes=["http", "https"])
        bad = []
        for number, link in enumerate(links, start=1):
            try:
                check(link)
            except ValidationError:
                bad.append(
                    str(_("Line %(n)s (%(link)s) is not a web address starting with https:// or http://."))
                    % {"n": number, "link": link[:80]}
                )
        if bad:
            raise ValidationError(bad)
        return links

    def clean_tags(self) -> list[str]:
        tags: list[str] = self.cleaned_data.get("tags") or []
        long = [t for t in tags if len(t) > 200]
        if long:
            raise ValidationError(
                _("Each tag must be at most 200 characters: %(tag)s…") % {"tag": long[0][:40]}
            )
        return tags

    def sections(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]

    def service_data(self) -> dict[str, Any]:
        data = {
            name: self.cleaned_data[name]
            for name in self.Meta.fields
            if name in self.cleaned_data and not self.fields[name].disabled
        }
        if self.instance.pk is None and not data.get("slug"):
            data.pop("slug", None)  # the service derives a unique slug from the name
        return data


# --- interested parties and issues ----------------------------------------------------------------


class InterestedPartyForm(BootstrapFormMixin, forms.ModelForm):
    """An interested party (clause 4.2) and the AI systems it has a stake in."""

    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = InterestedParty
        fields = ["name", "category", "needs", "addressed_needs", "ai_systems"]
        widgets = {
            "needs": forms.Textarea(attrs={"rows": 3}),
            "addressed_needs": forms.Textarea(attrs={"rows": 3}),
            "ai_systems": forms.SelectMultiple(attrs={"size": 8}),
        }
        help_texts = {
            "name": _(
                "Who they are, for example 'Loan applicants', 'National data protection authority' or 'Cloud LLM vendor'."
            ),
            "ai_systems": _(
                "The AI systems this party has a stake in. Hold Ctrl (Cmd on a Mac) to choose several."
            ),
        }

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        systems = self.fields["ai_systems"]
        assert isinstance(systems, forms.ModelMultipleChoiceField)
        systems.queryset = AISystem.objects.filter(organization=organization).order_by("name")
        if self.instance.pk is not None and not self.is_bound:
            self.initial["version"] = self.instance.version
        self.style_widgets()

    def _post_clean(self) -> None:
        pass  # validated by the service, see AISystemForm._post_clean

    def service_data(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.cleaned_data}
        data["ai_systems"] = [s.pk for s in data.get("ai_systems") or []]
        return data


class ContextIssueForm(BootstrapFormMixin, forms.ModelForm):
    """An internal or external issue that affects what the AIMS can achieve (clause 4.1)."""

    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = ContextIssue
        fields = ["kind", "title", "description", "impact"]
        widgets = {
            "kind": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 3}),
            "impact": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "title": _(
                "A short name, for example 'EU AI Act obligations for high-risk systems' or 'Few staff trained in ML testing'."
            ),
            "description": _("What the issue is and where it comes from."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = ContextIssue.Kind.choices  # no empty choice for radio buttons
        if self.instance.pk is not None and not self.is_bound:
            self.initial["version"] = self.instance.version
        self.style_widgets()

    def _post_clean(self) -> None:
        pass  # validated by the service, see AISystemForm._post_clean

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.cleaned_data}


# --- scope ----------------------------------------------------------------------------------------


class ScopeForm(BootstrapFormMixin, forms.Form):
    """The AIMS scope statement (clause 4.3). Saving edits the draft, or starts a new draft when the
    latest version is approved."""

    statement = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}))
    included_systems = forms.ModelMultipleChoiceField(
        queryset=AISystem.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    included_units = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    exclusions = ExclusionsField(required=False)
    boundaries = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    objectives = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    HELP = {
        "statement": _(
            "What the AI management system covers, in a paragraph: which AI activities, where, and in which "
            "roles (provider, deployer…). An auditor checks everything else against it."
        ),
        "included_systems": _(
            "Tick every AI system the management system governs. Leave unticked what is outside."
        ),
        "included_units": _("Departments, sites or processes inside the scope, one per line."),
        "exclusions": _(
            "Anything left out of the scope, one per line as 'what | why', for example "
            "'Marketing copy generator | pilot ends in March, not used for decisions'. Clause 4.3 asks for a reason for each."
        ),
    }

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in (
            "statement",
            "included_systems",
            "included_units",
            "exclusions",
            "boundaries",
            "objectives",
        ):
            label, help_text = _model_text(ScopeStatement, name)
            self.fields[name].label = label
            self.fields[name].help_text = self.HELP.get(name, help_text)
        systems = self.fields["included_systems"]
        assert isinstance(systems, forms.ModelMultipleChoiceField)
        systems.queryset = AISystem.objects.filter(organization=organization).order_by("name")
        self.style_widgets()

    def service_data(self) -> dict[str, Any]:
        data = {
            name: self.cleaned_data[name]
            for name in self.fields
            if name != "version" and name in self.cleaned_data
        }
        data["included_systems"] = [s.pk for s in data.get("included_systems") or []]
        return data


class ImportForm(BootstrapFormMixin, forms.Form):
    """Upload of an inventory file (CSV, XLSX or JSON); the import module reads and checks it."""

    FORMATS = [("", _("Detect from the file")), ("csv", "CSV"), ("xlsx", "XLSX (Excel)"), ("json", "JSON")]

    file = forms.FileField(
        label=_("File"),
        help_text=_("A CSV, XLSX or JSON file with one AI system per row, in the columns listed below."),
    )
    fmt = forms.ChoiceField(
        label=_("Format"),
        choices=FORMATS,
        required=False,
        help_text=_(
            "Usually found from the file's name or content; choose it when the name has no extension."
        ),
    )
    dry_run = forms.BooleanField(
        label=_("Only check the file"),
        required=False,
        help_text=_("Reports every problem, and what would be added or updated, without writing anything."),
    )

    def __init__(self, *args: Any, max_bytes: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes
        self.fields["file"].widget.attrs["accept"] = ".csv,.xlsx,.json,text/csv,application/json"
        self.style_widgets()

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload is not None and upload.size > self.max_bytes:
            raise ValidationError(
                _("The file is %(size)s MB; the limit is %(limit)s MB.")
                % {"size": round(upload.size / 1_048_576, 1), "limit": round(self.max_bytes / 1_048_576, 1)}
            )
        return upload
