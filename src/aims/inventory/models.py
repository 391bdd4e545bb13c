"""Clause 4, context of the organization: the AI system inventory, interested parties, internal and
external issues, and the AIMS scope statement."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from aims.core.base import OrgScopedModel


@deconstructible
class ChoiceListValidator:
    """A JSON list whose every item is one of the allowed values (several roles, environments)."""

    def __init__(self, allowed: list[str]) -> None:
        self.allowed = list(allowed)

    def __call__(self, value: object) -> None:
        if not isinstance(value, list) or any(v not in self.allowed for v in value):
            raise ValidationError(
                _("Choose from: %(choices)s") % {"choices": ", ".join(self.allowed)}, code="invalid_choices"
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ChoiceListValidator) and other.allowed == self.allowed


def validate_string_list(value: object) -> None:
    if not isinstance(value, list) or any(not isinstance(v, str) or len(v) > 200 for v in value):
        raise ValidationError(_("Give a list of short texts."), code="invalid_list")


def validate_url_list(value: object) -> None:
    from django.core.validators import URLValidator

    validate_string_list(value)
    check = URLValidator(schemes=["http", "https"])
    for item in value:  # type: ignore[union-attr]
        try:
            check(item)
        except ValidationError as exc:
            raise ValidationError(
                _("%(link)s is not a web address (http:// or https://).") % {"link": item[:100]},
                code="invalid_link",
            ) from exc


# Path segments of the API and pages that a slug must not shadow.
RESERVED_SLUGS = frozenset({"export", "import"})


class AISystem(OrgScopedModel):
    """An AI system the organization develops, provides, deploys, imports or distributes (clause 4.1)."""

    object_type = "ai_system"

    class Type(models.TextChoices):
        PREDICTIVE_ML = "predictive_ml", _("Predictive ML model")
        GENERATIVE = "generative", _("Generative AI or LLM application")
        AGENT = "agent", _("AI agent")
        COMPUTER_VISION = "computer_vision", _("Computer vision")
        RECOMMENDER = "recommender", _("Recommender")
        RULE_BASED = "rule_based", _("Rule-based or expert system")
        OTHER = "other", _("Other")

    class Criticality(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")
        CRITICAL = "critical", _("Critical")

    class OrgRole(models.TextChoices):
        PROVIDER = "provider", _("Developer / provider")
        DEPLOYER = "deployer", _("Deployer / user")
        IMPORTER = "importer", _("Importer")
        DISTRIBUTOR = "distributor", _("Distributor")

    class RiskTier(models.TextChoices):
        NOT_ASSESSED = "not_assessed", _("Not assessed")
        PROHIBITED = "prohibited", _("Prohibited")
        HIGH = "high", _("High risk")
        LIMITED = "limited", _("Limited risk (transparency)")
        MINIMAL = "minimal", _("Minimal risk")

    class DocumentationStatus(models.TextChoices):
        NONE = "none", _("None")
        PARTIAL = "partial", _("Partial")
        COMPLETE = "complete", _("Complete")

    class Stage(models.TextChoices):
        IDEA = "idea", _("Idea")
        DESIGN = "design", _("Design")
        DEVELOPMENT = "development", _("Development")
        VALIDATION = "validation", _("Verification and validation")
        DEPLOYMENT = "deployment", _("Deployment")
        OPERATION = "operation", _("Operation and monitoring")
        RETIRED = "retired", _("Retired")

    class ProjectStatus(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACTIVE = "active", _("Active")
        ON_HOLD = "on_hold", _("On hold")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    class Environment(models.TextChoices):
        DEVELOPMENT = "development", _("Development")
        TEST = "test", _("Test")
        STAGING = "staging", _("Staging")
        PRODUCTION = "production", _("Production")

    name = models.CharField(_("name"), max_length=200, help_text=_("What people call the system."))
    slug = models.SlugField(
        _("slug"),
        max_length=80,
        help_text=_("Short unique identifier within the organization, used in URLs, the CLI and the SDK."),
    )
    purpose = models.TextField(
        _("purpose"),
        blank=True,
        help_text=_("Why the organization uses this system: the business need it serves."),
    )
    description = models.TextField(_("description"), blank=True, help_text=_("How it works, in plain words."))
    function = models.TextField(
        _("function"),
        blank=True,
        help_text=_(
            "What it decides, recommends or produces, for example 'approves or declines credit applications'."
        ),
    )
    system_type = models.CharField(
        _("type"),
        max_length=32,
        choices=Type.choices,
        default=Type.PREDICTIVE_ML,
        help_text=_("The kind of AI technique."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
        help_text=_("The person accountable for this system (ISO/IEC 42001 A.3.2). Must be a member."),
    )
    business_unit = models.CharField(
        _("business unit"),
        max_length=120,
        blank=True,
        help_text=_("The department that runs or sponsors it."),
    )
    criticality = models.CharField(
        _("criticality"),
        max_length=16,
        choices=Criticality.choices,
        default=Criticality.MEDIUM,
        help_text=_("How much harm a failure could do to people or to the organization."),
    )
    org_roles = models.JSONField(
        _("our roles"),
        default=list,
        blank=True,
        validators=[ChoiceListValidator(OrgRole.values)],
        help_text=_(
            "The organization's roles toward the system, in the sense of the EU AI Act: provider (develops it or "
            "has it developed and puts it on the market), deployer (uses it), importer, distributor. Several allowed."
        ),
    )
    eu_ai_act_tier = models.CharField(
        _("EU AI Act risk tier"),
        max_length=16,
        choices=RiskTier.choices,
        default=RiskTier.NOT_ASSESSED,
        help_text=_(
            "The EU AI Act's category: prohibited practices (Art. 5), high-risk systems (Art. 6, Annex III), "
            "limited risk with transparency duties (Art. 50), or minimal risk."
        ),
    )
    documentation_status = models.CharField(
        _("documentation status"),
        max_length=16,
        choices=DocumentationStatus.choices,
        default=DocumentationStatus.NONE,
        help_text=_("Whether the technical documentation an auditor expects exists (A.6.2.7)."),
    )
    lifecycle_stage = models.CharField(
        _("lifecycle stage"),
        max_length=16,
        choices=Stage.choices,
        default=Stage.IDEA,
        help_text=_("Where the system is in its life, from idea to retirement (clause 8.1)."),
    )
    project_status = models.CharField(
        _("project status"), max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.ACTIVE
    )
    processes_personal_data = models.BooleanField(
        _("processes personal data"),
        default=False,
        help_text=_("Whether it uses information about identifiable people (GDPR Art. 4)."),
    )
    special_category_data = models.BooleanField(
        _("special category data"),
        default=False,
        help_text=_(
            "Health, ethnicity, religion, biometrics, sexual orientation and the like (GDPR Art. 9)."
        ),
    )
    affected_persons = models.TextField(
        _("who is affected"),
        blank=True,
        help_text=_(
            "The people its outputs affect, for example applicants, patients, employees, the public."
        ),
    )
    deployment_environments = models.JSONField(
        _("deployment environments"),
        default=list,
        blank=True,
        validators=[ChoiceListValidator(Environment.values)],
        help_text=_("Where it runs: development, test, staging, production."),
    )
    third_party = models.BooleanField(
        _("supplied by a third party"),
        default=False,
        help_text=_("Whether another company supplies the system or model."),
    )
    supplier = models.CharField(
        _("supplier"),
        max_length=200,
        blank=True,
        help_text=_("Who supplies it, when a third party does (A.10.3)."),
    )
    tags = models.JSONField(_("tags"), default=list, blank=True, validators=[validate_string_list])
    links = models.JSONField(
        _("links"),
        default=list,
        blank=True,
        validators=[validate_url_list],
        help_text=_("Web addresses of its repository, documentation or model card."),
    )
    # Lower-cased concatenation of the searchable texts, kept by save(): one indexed column to search.
    search_text = models.TextField(editable=False, blank=True, default="")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "slug"], name="aisystem_unique_slug_per_org"),
        ]
        indexes = [
            models.Index(fields=["organization", "name"], name="aisystem_org_name_idx"),
            models.Index(fields=["organization", "criticality"], name="aisystem_org_crit_idx"),
            models.Index(fields=["organization", "lifecycle_stage"], name="aisystem_org_stage_idx"),
        ]
        verbose_name = _("AI system")
        verbose_name_plural = _("AI systems")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.search_text = " ".join(
            [
                self.name,
                self.slug,
                self.purpose,
                self.description,
                self.function,
                self.business_unit,
                self.supplier,
            ]
            + list(self.tags or [])
        ).lower()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("inventory:system-detail", args=[self.slug])

    def clean(self) -> None:
        errors = {}
        if self.supplier and not self.third_party:
            self.third_party = True
        if self.third_party and not self.supplier.strip():
            errors["supplier"] = _("Name the supplier of a third-party system.")
        if self.special_category_data and not self.processes_personal_data:
            errors["special_category_data"] = _(
                "Special category data is personal data: tick 'processes personal data'."
            )
        if self.owner_id and self.organization_id:
            from aims.core.models import Membership

            if not Membership.objects.filter(
                user_id=self.owner_id, organization_id=self.organization_id
            ).exists():
                errors["owner"] = _("The owner must be a member of the organization.")
        if self.slug and self.slug.isdigit():
            errors["slug"] = _("A slug needs at least one letter: digits alone would read as an id.")
        elif self.slug in RESERVED_SLUGS:
            errors["slug"] = _("'%(slug)s' is reserved; choose another slug.") % {"slug": self.slug}
        elif self.slug and self.organization_id:
            clash = AISystem.objects.filter(organization_id=self.organization_id, slug=self.slug).exclude(
                pk=self.pk
            )
            if clash.exists():
                errors["slug"] = _("Another AI system in this organization already uses this slug.")
        if errors:
            raise ValidationError(errors)


class InterestedParty(OrgScopedModel):
    """A person or group that affects, or is affected by, the organization's AI (clause 4.2)."""

    object_type = "interested_party"

    class Category(models.TextChoices):
        SUPPLIER = "supplier", _("Supplier")
        AI_DEVELOPER = "ai_developer", _("AI developer")
        CUSTOMER = "customer", _("Customer or user")
        EMPLOYEE = "employee", _("Employee")
        AI_SUBJECT = "ai_subject", _("AI subject")
        AUTHORITY = "authority", _("Authority")
        LEGISLATOR = "legislator", _("Legislator")
        REGULATOR = "regulator", _("Regulator")
        OTHER = "other", _("Other")

    # The categories an organization is expected to have considered (our reading of clause 4.2).
    MINIMUM_CATEGORIES = [c for c in Category.values if c != "other"]

    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(
        _("category"),
        max_length=16,
        choices=Category.choices,
        help_text=_("An AI subject is a person the AI system makes decisions about, such as an applicant."),
    )
    needs = models.TextField(
        _("needs and expectations"),
        blank=True,
        help_text=_("What they require or expect from the organization's AI."),
    )
    addressed_needs = models.TextField(
        _("addressed by the AIMS"),
        blank=True,
        help_text=_(
            "Which of those needs the management system takes on as its own requirements (clause 4.2 c)."
        ),
    )
    ai_systems = models.ManyToManyField(
        AISystem, blank=True, related_name="interested_parties", verbose_name=_("AI systems")
    )

    class Meta:
        ordering = ["category", "name"]
        verbose_name = _("interested party")
        verbose_name_plural = _("interested parties")

    def __str__(self) -> str:
        return self.name


class ContextIssue(OrgScopedModel):
    """An internal or external issue relevant to the AIMS (clause 4.1), such as a new law."""

    object_type = "context_issue"

    class Kind(models.TextChoices):
        INTERNAL = "internal", _("Internal")
        EXTERNAL = "external", _("External")

    kind = models.CharField(
        _("internal or external"),
        max_length=16,
        choices=Kind.choices,
        help_text=_("External: law, market, technology, society. Internal: culture, resources, processes."),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    impact = models.TextField(
        _("effect on the AIMS"), blank=True, help_text=_("How it affects the intended outcomes.")
    )

    class Meta:
        ordering = ["kind", "title"]
        verbose_name = _("internal or external issue")
        verbose_name_plural = _("internal and external issues")

    def __str__(self) -> str:
        return self.title


class ScopeStatement(OrgScopedModel):
    """One version of the AIMS scope (clause 4.3). Approving a version freezes it; later edits
    start a new draft version."""

    object_type = "scope"

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")
        SUPERSEDED = "superseded", _("Superseded")

    number = models.PositiveIntegerField(_("version number"), editable=False)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    statement = models.TextField(
        _("scope statement"), help_text=_("What the AI management system covers, in a paragraph.")
    )
    included_systems = models.ManyToManyField(
        AISystem, blank=True, related_name="+", verbose_name=_("AI systems included")
    )
    included_units = models.TextField(
        _("units included"), blank=True, help_text=_("Departments, sites, processes.")
    )
    exclusions = models.JSONField(
        _("exclusions"),
        default=list,
        blank=True,
        help_text=_("Each excluded AI system or unit with the reason it is excluded."),
    )
    boundaries = models.TextField(
        _("boundaries"),
        blank=True,
        help_text=_("Interfaces and dependencies with what lies outside the scope."),
    )
    objectives = models.TextField(
        _("objectives"), blank=True, help_text=_("What the AIMS is meant to achieve.")
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True, editable=False)

    protected_fields = OrgScopedModel.protected_fields | {"number", "status", "approved_by", "approved_at"}

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["organization", "number"], name="scope_unique_number")]
        verbose_name = _("AIMS scope")
        verbose_name_plural = _("AIMS scope versions")

    def __str__(self) -> str:
        return f"Scope v{self.number} ({self.get_status_display()})"

    def clean(self) -> None:
        if not isinstance(self.exclusions, list):
            raise ValidationError({"exclusions": _("Give a list of {item, reason}.")})
        for i, item in enumerate(self.exclusions, start=1):
            if (
                not isinstance(item, dict)
                or not str(item.get("item", "")).strip()
                or not str(item.get("reason", "")).strip()
            ):
                raise ValidationError(
                    {
                        "exclusions": _("Exclusion %(n)s needs both what is excluded and the reason.")
                        % {"n": i}
                    }
                )
