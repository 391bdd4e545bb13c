"""Clause 6.1.3 and Annex A, and the law: framework catalogs and crosswalks (shared by every
organization, loaded from the data files in ``catalogs/``), an organization's own frameworks, its
control library, the Statement of Applicability, EU AI Act classifications and obligations, gap
assessments and the register of regulations that apply to it.

Catalog rows (`Framework` with ``organization=None``, their `Requirement` rows and the `Mapping`
rows of the crosswalks) are read-only for everyone: they change only when `aims catalog load` (or
the post-migrate hook) reads a new version of a file, which also records a `CatalogChange`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aims.core.base import OrgScopedModel
from aims.inventory.models import AISystem, validate_url_list

try:  # The risk register links its existing and additional controls to the control library.
    from aims.risk.models import Risk as _Risk  # noqa: F401

    RISK_MODEL: str | None = "risk.Risk"
except ImportError:  # pragma: no cover - the risk app is always installed in this project
    RISK_MODEL = None


# --- catalogs ---------------------------------------------------------------------------------------


class FrameworkQuerySet(models.QuerySet["Framework"]):
    def visible_to(self, actor: Any) -> FrameworkQuerySet:
        """The shipped catalogs and the actor's organization's own frameworks."""
        actor.require("framework", "view")
        return self.filter(Q(organization__isnull=True) | Q(organization=actor.organization))


class Framework(models.Model):
    """A standard, law, regulation or internal policy that the organization checks itself against.
    Shipped catalogs (``organization`` empty) are shared and read-only; an organization adds its own."""

    object_type = "framework"

    class Kind(models.TextChoices):
        STANDARD = "standard", _("Standard")
        REGULATION = "regulation", _("Regulation or law")
        FRAMEWORK = "framework", _("Framework")
        GUIDELINE = "guideline", _("Guideline")
        CUSTOM = "custom", _("Internal policy or sector rule")

    organization = models.ForeignKey(
        "core.Organization",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty for the catalogs that ship with AIMS; set for an organization's own frameworks."),
    )
    slug = models.SlugField(
        _("slug"), max_length=80, help_text=_("Short identifier used in URLs and the API.")
    )
    name = models.CharField(
        _("name"), max_length=200, help_text=_("The name people use, e.g. ISO/IEC 42001:2023.")
    )
    full_title = models.CharField(_("full title"), max_length=400, blank=True)
    version = models.CharField(_("version"), max_length=40, help_text=_("Edition or version, e.g. 2023."))
    publisher = models.CharField(_("publisher"), max_length=200, blank=True, help_text=_("Who issues it."))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.CUSTOM)
    jurisdiction = models.CharField(
        _("jurisdiction"), max_length=100, blank=True, help_text=_("Where it applies, e.g. EU.")
    )
    url = models.URLField(_("web address"), blank=True)
    status = models.CharField(_("status"), max_length=200, blank=True)
    description = models.TextField(
        _("description"), blank=True, help_text=_("What it is about, in plain words.")
    )
    licence = models.TextField(
        _("licence"), blank=True, help_text=_("Under which terms its text may be used.")
    )
    data = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text=_(
            "Roles, risk tiers, application dates, amendments and Annex C items from the catalog file."
        ),
    )
    content_hash = models.CharField(max_length=64, blank=True, editable=False)
    loaded_at = models.DateTimeField(default=timezone.now, editable=False)
    version_number = models.PositiveIntegerField(default=1, editable=False)

    objects = FrameworkQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["slug"], condition=Q(organization__isnull=True), name="framework_unique_global_slug"
            ),
            models.UniqueConstraint(fields=["organization", "slug"], name="framework_unique_org_slug"),
        ]
        verbose_name = _("framework")
        verbose_name_plural = _("frameworks")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("compliance:framework-detail", args=[self.slug])

    @property
    def builtin(self) -> bool:
        return self.organization_id is None

    @property
    def etag(self) -> str:
        return f'W/"{self.pk}-{self.version_number}"'


class Requirement(models.Model):
    """One numbered entry of a framework: a clause, an Annex A control, an article, a subcategory."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="requirements")
    ref_id = models.CharField(
        _("number"), max_length=60, help_text=_("The number as people cite it: 6.1.3, A.6.2.4, Art. 27.")
    )
    number = models.CharField(
        max_length=20, blank=True, help_text=_("The bare article or section number, for sorting.")
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=32)
    order = models.PositiveIntegerField(default=0)
    depth = models.PositiveSmallIntegerField(default=0)
    description = models.TextField(_("description"), blank=True)
    guidance = models.TextField(_("implementation guidance"), blank=True)
    objective = models.TextField(_("objective"), blank=True)
    note = models.TextField(_("note"), blank=True)
    assessable = models.BooleanField(
        _("assessable"), default=False, help_text=_("Whether a gap assessment or the SoA scores this entry.")
    )
    documented_information = models.JSONField(default=list, blank=True)
    annex_c_objectives = models.JSONField(default=list, blank=True)
    annex_c_risk_sources = models.JSONField(default=list, blank=True)
    roles = models.JSONField(default=list, blank=True)
    risk_tiers = models.JSONField(default=list, blank=True)
    applies_from = models.CharField(max_length=60, blank=True)
    added_by = models.CharField(max_length=60, blank=True)
    amended_by = models.JSONField(default=list, blank=True)
    deadline_days = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["framework", "order"]
        constraints = [models.UniqueConstraint(fields=["framework", "ref_id"], name="requirement_unique_ref")]
        indexes = [models.Index(fields=["framework", "kind"], name="requirement_fw_kind_idx")]
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")

    def __str__(self) -> str:
        return f"{self.ref_id} {self.title}"

    @property
    def parent_ref(self) -> str | None:
        return self.parent.ref_id if self.parent_id and self.parent else None

    @property
    def mandatory_documented_information(self) -> list[dict[str, Any]]:
        return [d for d in self.documented_information if d.get("mandatory")]


class Crosswalk(models.Model):
    """A mapping between two shipped catalogs (e.g. ISO/IEC 42001 to the NIST AI RMF)."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    source = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="+")
    target = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="+")
    indicative = models.BooleanField(
        default=True, help_text=_("True for our own, non-authoritative mappings.")
    )
    description = models.TextField(blank=True)
    provenance = models.TextField(blank=True)
    content_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["slug"]
        verbose_name = _("crosswalk")

    def __str__(self) -> str:
        return self.name


class Mapping(models.Model):
    """One line of a crosswalk: the source requirement relates to the target requirement."""

    crosswalk = models.ForeignKey(Crosswalk, on_delete=models.CASCADE, related_name="mappings")
    source = models.ForeignKey(Requirement, on_delete=models.CASCADE, related_name="mapped_to")
    target = models.ForeignKey(Requirement, on_delete=models.CASCADE, related_name="mapped_from")
    relation = models.CharField(max_length=16)
    note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("crosswalk mapping")

    def __str__(self) -> str:
        return f"{self.source_id} {self.relation} {self.target_id}"


class CatalogChange(models.Model):
    """What changed when a new version of a catalog file was loaded (regulatory change, section 6)."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="changes")
    detected_at = models.DateTimeField(default=timezone.now)
    previous_hash = models.CharField(max_length=64, blank=True)
    new_hash = models.CharField(max_length=64)
    added = models.JSONField(default=list, blank=True)
    removed = models.JSONField(default=list, blank=True)
    changed = models.JSONField(
        default=list, blank=True, help_text=_("[{ref, fields}] for requirements whose text changed.")
    )
    dates = models.JSONField(default=list, blank=True, help_text=_("Application dates added or changed."))
    amendments = models.JSONField(
        default=list, blank=True, help_text=_("Amendments added or whose status changed.")
    )

    class Meta:
        ordering = ["-detected_at", "-pk"]
        verbose_name = _("catalog change")

    def __str__(self) -> str:
        return f"{self.framework} {self.detected_at:%Y-%m-%d}"

    @property
    def refs(self) -> list[str]:
        return list(self.added) + list(self.removed) + [c["ref"] for c in self.changed]


# --- the organization's controls --------------------------------------------------------------------


class Control(OrgScopedModel):
    """A control the organization implements: a policy, process or technical measure. One control
    satisfies requirements of any framework; through the crosswalks it counts in all of them."""

    object_type = "control"

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        IMPLEMENTED = "implemented", _("Implemented")
        NOT_EFFECTIVE = "not_effective", _("Not effective")

    class Effectiveness(models.TextChoices):
        NOT_REVIEWED = "not_reviewed", _("Not reviewed yet")
        EFFECTIVE = "effective", _("Effective")
        PARTIALLY = "partially_effective", _("Partially effective")
        NOT_EFFECTIVE = "not_effective", _("Not effective")

    ref = models.CharField(
        _("reference"), max_length=30, help_text=_("Short unique id in the organization, e.g. CTL-007.")
    )
    name = models.CharField(_("name"), max_length=200, help_text=_("What the control is, in a few words."))
    description = models.TextField(
        _("description"),
        blank=True,
        help_text=_("What is done, by whom, how often, and what it prevents or detects."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
        help_text=_("The person accountable for the control working. Must be a member."),
    )
    status = models.CharField(
        _("implementation status"),
        max_length=16,
        choices=Status.choices,
        default=Status.PLANNED,
        help_text=_("Planned, in progress, implemented, or implemented but found not effective."),
    )
    requirements = models.ManyToManyField(
        Requirement,
        blank=True,
        related_name="controls",
        verbose_name=_("requirements satisfied"),
        help_text=_(
            "The requirements of any framework this control meets, e.g. ISO/IEC 42001 A.6.2.4 or AI Act Art. 15."
        ),
    )
    ai_systems = models.ManyToManyField(
        AISystem,
        blank=True,
        related_name="controls",
        verbose_name=_("AI systems covered"),
        help_text=_("Leave empty for a control that covers the whole organization."),
    )
    review_date = models.DateField(
        _("next effectiveness review"),
        null=True,
        blank=True,
        help_text=_("When someone next checks that it works."),
    )
    last_reviewed_on = models.DateField(_("last reviewed"), null=True, blank=True)
    effectiveness = models.CharField(
        _("effectiveness"),
        max_length=24,
        choices=Effectiveness.choices,
        default=Effectiveness.NOT_REVIEWED,
        help_text=_("The result of the last review: does the control achieve what it is for?"),
    )
    effectiveness_note = models.TextField(_("review notes"), blank=True)
    evidence_links = models.JSONField(
        _("evidence links"),
        default=list,
        blank=True,
        validators=[validate_url_list],
        help_text=_("Web addresses of records that show the control works: tickets, reports, dashboards."),
    )
    library_key = models.CharField(max_length=60, blank=True, editable=False)
    if RISK_MODEL:
        risks = models.ManyToManyField(
            RISK_MODEL,
            blank=True,
            related_name="controls",
            verbose_name=_("risks treated"),
            help_text=_(
                "Risks of the register this control reduces (their existing or additional controls)."
            ),
        )

    class Meta:
        ordering = ["ref"]
        constraints = [models.UniqueConstraint(fields=["organization", "ref"], name="control_unique_ref")]
        indexes = [models.Index(fields=["organization", "status"], name="control_org_status_idx")]
        verbose_name = _("control")
        verbose_name_plural = _("controls")

    def __str__(self) -> str:
        return f"{self.ref} {self.name}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("compliance:control-detail", args=[self.pk])

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.owner_id and self.organization_id:
            from aims.core.models import Membership

            if not Membership.objects.filter(
                user_id=self.owner_id, organization_id=self.organization_id
            ).exists():
                errors["owner"] = _("The owner must be a member of the organization.")
        if self.ref and self.organization_id:
            if (
                Control.objects.filter(organization_id=self.organization_id, ref=self.ref)
                .exclude(pk=self.pk)
                .exists()
            ):
                errors["ref"] = _("Another control already uses this reference.")
        if self.effectiveness != self.Effectiveness.NOT_REVIEWED and not self.last_reviewed_on:
            self.last_reviewed_on = timezone.localdate()
        if errors:
            raise ValidationError(errors)

    @property
    def has_evidence(self) -> bool:
        return bool(self.evidence_links) or bool(getattr(self, "evidence_count", 0))


def evidence_path(instance: Evidence, filename: str) -> str:
    # Server-generated name: never the uploader's (path traversal, overwrites).
    import uuid

    return f"evidence/{instance.organization_id}/{uuid.uuid4().hex}"


class Evidence(OrgScopedModel):
    """A record that shows a control works: an uploaded file (stored with its SHA-256) or a link."""

    object_type = "control"
    protected_fields = OrgScopedModel.protected_fields | {"sha256", "size", "content_type", "file"}

    control = models.ForeignKey(
        Control, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("control")
    )
    title = models.CharField(
        _("title"), max_length=200, help_text=_("What the record is, e.g. 'Q3 bias test report'.")
    )
    url = models.URLField(
        _("link"), blank=True, help_text=_("Where the record lives, when it is not uploaded.")
    )
    file = models.FileField(_("file"), upload_to=evidence_path, blank=True, editable=False)
    filename = models.CharField(_("file name"), max_length=200, blank=True, editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, editable=False)
    size = models.PositiveBigIntegerField(_("size"), default=0, editable=False)
    content_type = models.CharField(max_length=100, blank=True, editable=False)
    collected_on = models.DateField(
        _("collected on"), default=timezone.localdate, help_text=_("When the record was made.")
    )

    class Meta:
        ordering = ["-collected_on", "-pk"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if not self.url and not self.sha256:
            raise ValidationError({"url": _("Give a link or upload a file.")})


# --- Statement of Applicability ---------------------------------------------------------------------


class SoA(OrgScopedModel):
    """One version of the Statement of Applicability (clause 6.1.3 d): for every Annex A control,
    whether it applies, why, and how it is implemented. Approving a version freezes it; the next
    change starts a new draft."""

    object_type = "soa"
    protected_fields = OrgScopedModel.protected_fields | {
        "number",
        "status",
        "approved_by",
        "approved_at",
        "framework",
    }

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")
        SUPERSEDED = "superseded", _("Superseded")

    number = models.PositiveIntegerField(_("version number"), editable=False)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="+", editable=False)
    notes = models.TextField(_("notes"), blank=True, help_text=_("What changed in this version and why."))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True, editable=False)
    approval_note = models.TextField(_("approval note"), blank=True, editable=False)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["organization", "number"], name="soa_unique_number")]
        verbose_name = _("Statement of Applicability")
        verbose_name_plural = _("Statement of Applicability versions")

    def __str__(self) -> str:
        return f"SoA v{self.number} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("compliance:soa-version", args=[self.number])


class SoAEntry(OrgScopedModel):
    """One Annex A control in one SoA version."""

    object_type = "soa"
    protected_fields = OrgScopedModel.protected_fields | {"soa", "requirement"}

    class Implementation(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        PLANNED = "planned", _("Planned")
        PARTIAL = "partial", _("Partially implemented")
        IMPLEMENTED = "implemented", _("Implemented")

    soa = models.ForeignKey(SoA, on_delete=models.CASCADE, related_name="entries", editable=False)
    requirement = models.ForeignKey(Requirement, on_delete=models.PROTECT, related_name="+", editable=False)
    applicable = models.BooleanField(
        _("applicable"),
        null=True,
        blank=True,
        help_text=_(
            "Whether the control is needed to treat the organization's AI risks (empty: not decided yet)."
        ),
    )
    justification = models.TextField(
        _("justification"),
        blank=True,
        help_text=_("Why it is included, or why it is excluded. Required either way (clause 6.1.3 d)."),
    )
    implementation_status = models.CharField(
        _("implementation status"),
        max_length=16,
        choices=Implementation.choices,
        default=Implementation.NOT_STARTED,
        help_text=_("How far the organization is in putting the control in place."),
    )
    controls = models.ManyToManyField(
        Control,
        blank=True,
        related_name="soa_entries",
        verbose_name=_("implementing controls"),
        help_text=_("The organization's controls that implement it."),
    )
    evidence_note = models.TextField(
        _("evidence"),
        blank=True,
        help_text=_("Where the evidence of implementation is, beyond the controls' own."),
    )

    class Meta:
        ordering = ["soa", "requirement__order"]
        constraints = [models.UniqueConstraint(fields=["soa", "requirement"], name="soaentry_unique_req")]
        verbose_name = _("SoA entry")
        verbose_name_plural = _("SoA entries")

    def __str__(self) -> str:
        return f"{self.requirement.ref_id} in {self.soa}"

    def clean(self) -> None:
        if self.applicable is not None and not self.justification.strip():
            raise ValidationError(
                {
                    "justification": _(
                        "Say why the control is included or excluded: the standard requires a justification either way."
                    )
                }
            )
        if self.applicable is False and self.implementation_status not in (
            self.Implementation.NOT_STARTED,
            "",
        ):
            self.implementation_status = self.Implementation.NOT_STARTED


# --- EU AI Act classification -----------------------------------------------------------------------


class Classification(OrgScopedModel):
    """One run of the EU AI Act questionnaire for one AI system: the answers, the resulting tier with
    its reasoning and article citations, and the obligations that follow. Versioned per system."""

    object_type = "classification"
    protected_fields = OrgScopedModel.protected_fields | {
        "number",
        "tier",
        "reasoning",
        "citations",
        "is_current",
        "facts",
        "obligations",
        "roles",
        "gpai",
    }

    class Tier(models.TextChoices):
        NOT_AI = "not_ai_system", _("Not an AI system")
        PROHIBITED = "prohibited", _("Prohibited practice")
        HIGH = "high", _("High risk")
        LIMITED = "limited", _("Limited risk (transparency)")
        MINIMAL = "minimal", _("Minimal risk")

    ai_system = models.ForeignKey(
        AISystem, on_delete=models.CASCADE, related_name="classifications", verbose_name=_("AI system")
    )
    number = models.PositiveIntegerField(_("version"), editable=False)
    is_current = models.BooleanField(default=True, editable=False)
    answers = models.JSONField(_("answers"), default=dict, help_text=_("The questionnaire's answers."))
    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices, editable=False)
    gpai = models.CharField(
        max_length=24,
        blank=True,
        editable=False,
        help_text=_("gpai or gpai_systemic_risk when a GPAI model."),
    )
    roles = models.JSONField(default=list, editable=False)
    reasoning = models.JSONField(default=list, editable=False)
    citations = models.JSONField(default=list, editable=False)
    obligations = models.JSONField(default=list, editable=False)
    facts = models.JSONField(
        default=dict, editable=False, help_text=_("The system's facts at classification time.")
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["ai_system", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["ai_system", "number"], name="classification_unique_number")
        ]
        verbose_name = _("EU AI Act classification")
        verbose_name_plural = _("EU AI Act classifications")

    def __str__(self) -> str:
        return f"{self.ai_system} v{self.number}: {self.get_tier_display()}"


class Obligation(OrgScopedModel):
    """A duty the AI Act puts on the organization for one AI system, from its classification, with the
    date from which it applies. Closed when done or no longer applicable."""

    object_type = "classification"
    protected_fields = OrgScopedModel.protected_fields | {
        "ai_system",
        "requirement",
        "classification",
        "due_date",
        "role",
    }

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        NOT_APPLICABLE = "not_applicable", _("No longer applicable")

    ai_system = models.ForeignKey(AISystem, on_delete=models.CASCADE, related_name="ai_act_obligations")
    classification = models.ForeignKey(Classification, on_delete=models.SET_NULL, null=True, related_name="+")
    requirement = models.ForeignKey(Requirement, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=40)
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=Status.choices,
        default=Status.OPEN,
        help_text=_(
            "Open until the duty is met; done once it is; no longer applicable when the system no longer "
            "falls under it."
        ),
    )
    note = models.TextField(
        _("note"),
        blank=True,
        help_text=_(
            "How the duty is met and where the records are, e.g. a link to the technical documentation."
        ),
    )

    class Meta:
        ordering = ["due_date", "requirement__order"]
        constraints = [
            models.UniqueConstraint(fields=["ai_system", "requirement", "role"], name="obligation_unique"),
        ]
        verbose_name = _("AI Act obligation")
        verbose_name_plural = _("AI Act obligations")

    def __str__(self) -> str:
        return f"{self.requirement.ref_id} ({self.role}) for {self.ai_system}"


# --- gap assessment ---------------------------------------------------------------------------------


DEFAULT_SCALE = [
    {"level": 0, "name": "Absent", "description": "Nothing is in place."},
    {"level": 1, "name": "Initial", "description": "Done ad hoc, depends on individuals, not documented."},
    {
        "level": 2,
        "name": "Repeatable",
        "description": "Done the same way most of the time; partly documented.",
    },
    {"level": 3, "name": "Defined", "description": "Documented, approved and followed; records exist."},
    {"level": 4, "name": "Managed", "description": "Measured and reviewed; deviations are corrected."},
    {
        "level": 5,
        "name": "Optimising",
        "description": "Improved continually from measurements and lessons learned.",
    },
]


def default_scale() -> list[dict[str, Any]]:
    return [dict(step) for step in DEFAULT_SCALE]


class GapAssessment(OrgScopedModel):
    """A gap analysis against ISO/IEC 42001: every clause and applicable Annex A control scored on a
    0-5 maturity scale. Repeated over time, the assessments show the trend."""

    object_type = "gap_assessment"
    protected_fields = OrgScopedModel.protected_fields | {"framework"}

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")

    title = models.CharField(_("title"), max_length=200, help_text=_("e.g. 'Initial gap analysis, Q1'."))
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="+", editable=False)
    assessed_on = models.DateField(_("assessed on"), default=timezone.localdate)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.IN_PROGRESS)
    target_level = models.PositiveSmallIntegerField(
        _("target maturity"),
        default=3,
        help_text=_("The maturity the organization aims for (3 = defined and followed)."),
    )
    scale = models.JSONField(
        _("maturity scale"),
        default=default_scale,
        help_text=_("What each level from 0 to 5 means; editable."),
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-assessed_on", "-pk"]
        verbose_name = _("gap assessment")
        verbose_name_plural = _("gap assessments")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("compliance:gap-detail", args=[self.pk])

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if not 0 <= (self.target_level or 0) <= 5:
            errors["target_level"] = _("Choose a level from 0 to 5.")
        scale = self.scale
        if (
            not isinstance(scale, list)
            or len(scale) != 6
            or any(not isinstance(s, dict) or not str(s.get("name", "")).strip() for s in scale)
        ):
            errors["scale"] = _("Give six levels (0 to 5), each with a name and a description.")
        else:
            self.scale = [
                {
                    "level": i,
                    "name": str(s["name"]).strip()[:60],
                    "description": str(s.get("description", "")).strip()[:500],
                }
                for i, s in enumerate(scale)
            ]
        if errors:
            raise ValidationError(errors)


class GapScore(OrgScopedModel):
    """The maturity of one clause or Annex A control in one gap assessment."""

    object_type = "gap_assessment"
    protected_fields = OrgScopedModel.protected_fields | {"assessment", "requirement"}

    assessment = models.ForeignKey(
        GapAssessment, on_delete=models.CASCADE, related_name="scores", editable=False
    )
    requirement = models.ForeignKey(Requirement, on_delete=models.PROTECT, related_name="+", editable=False)
    maturity = models.PositiveSmallIntegerField(
        _("maturity"),
        null=True,
        blank=True,
        help_text=_("0 (absent) to 5 (optimising); empty when not scored yet."),
    )
    notes = models.TextField(_("notes"), blank=True, help_text=_("What exists, what is missing."))
    evidence = models.TextField(
        _("evidence"), blank=True, help_text=_("What was looked at: documents, records, interviews.")
    )

    class Meta:
        ordering = ["assessment", "requirement__order"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "requirement"], name="gapscore_unique_req")
        ]
        verbose_name = _("gap score")
        verbose_name_plural = _("gap scores")

    def __str__(self) -> str:
        return f"{self.requirement.ref_id}: {self.maturity}"

    def clean(self) -> None:
        if self.maturity is not None and not 0 <= self.maturity <= 5:
            raise ValidationError({"maturity": _("Choose a level from 0 to 5.")})


# --- regulatory register ----------------------------------------------------------------------------


class Regulation(OrgScopedModel):
    """A law, regulation, standard or sector rule that applies to the organization, with an owner who
    watches it and a review date (section 6 of the compliance issue; clause 4.1 external issues)."""

    object_type = "regulation"

    class Kind(models.TextChoices):
        LAW = "law", _("Law or regulation")
        STANDARD = "standard", _("Standard")
        SECTOR = "sector", _("Sector rule (finance, health, public safety...)")
        CONTRACT = "contract", _("Contract or customer requirement")
        GUIDANCE = "guidance", _("Regulator guidance")

    title = models.CharField(
        _("title"), max_length=200, help_text=_("e.g. 'EU AI Act', 'EBA guidelines on loan origination'.")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.LAW)
    framework = models.ForeignKey(
        Framework,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("catalog"),
        help_text=_("The catalog in AIMS that holds its requirements, when there is one."),
    )
    jurisdiction = models.CharField(_("jurisdiction"), max_length=100, blank=True)
    applicability = models.TextField(
        _("why it applies"),
        blank=True,
        help_text=_("Which activities, AI systems or markets bring it into play."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
        help_text=_("Who follows changes to it. Must be a member."),
    )
    review_date = models.DateField(
        _("next review"), null=True, blank=True, help_text=_("When to check it for changes next.")
    )
    url = models.URLField(_("web address"), blank=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("regulation")
        verbose_name_plural = _("regulatory register")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.owner_id and self.organization_id:
            from aims.core.models import Membership

            if not Membership.objects.filter(
                user_id=self.owner_id, organization_id=self.organization_id
            ).exists():
                errors["owner"] = _("The owner must be a member of the organization.")
        if self.framework_id and self.organization_id:
            fw = self.framework
            if fw is not None and fw.organization_id not in (None, self.organization_id):
                errors["framework"] = _("Not found in this organization.")
        if errors:
            raise ValidationError(errors)
