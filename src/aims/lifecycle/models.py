"""Clause 8.1 and Annex A.4, A.6, A.7, A.10: the life of an AI system and what stands behind it.

- Gates: `GateCriterion` (what a stage's exit gate requires, per organization, seeded from
  `gates.DEFAULT_CRITERIA`), `GateEvidence` (a file, link or AIMS record for a checklist item),
  `GateException` (an authorized person lets a system pass a gate that does not hold, with a
  justification and an expiry) and `GateReview` (every gate run, kept, printable).
- Data: `Dataset` (provenance, personal data, preparation, labelling) and `DatasetVersion`
  (size, digest, sensitive-attribute profile against a reference population).
- Models: `ModelVersion` (algorithm, reasons, training set-up, datasets, code, artefact, approval)
  and `Evaluation` (metrics with thresholds, judged pass or fail).
- Suppliers: `Vendor` (questionnaire score, terms review, SLAs, compliance) and `SlaBreach`.
- Operation: `Deployment` (environment, model version, plan, approval, production access) and
  `DeploymentEvent` (rollbacks, patches, maintenance, access changes).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aims.core.base import OrgScopedModel
from aims.inventory.models import AISystem, validate_string_list

Stage = AISystem.Stage


def _user_fk(verbose: Any, help_text: Any = "", **kw: Any) -> models.ForeignKey:  # type: ignore[type-arg]
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=verbose,
        help_text=help_text,
        **kw,
    )


def upload_path(instance: models.Model, filename: str) -> str:
    # Server-generated name: never the uploader's (path traversal, overwrites).
    import uuid

    return f"lifecycle/{getattr(instance, 'organization_id', 0)}/{uuid.uuid4().hex}"


def _same_org(errors: dict[str, Any], obj: models.Model, *fields: str) -> None:
    """Every referenced governed object must belong to obj's organization."""
    org_id = getattr(obj, "organization_id", None)
    for name in fields:
        pk = getattr(obj, f"{name}_id", None)
        if pk and org_id:
            model = obj._meta.get_field(name).related_model
            if not any(f.name == "organization" for f in model._meta.fields):
                continue  # owned through its parent, which is checked itself
            other = model._base_manager.filter(pk=pk).values_list("organization_id", flat=True).first()
            if other != org_id:  # missing, or another organization's: the same answer
                errors[name] = _("Not found in this organization.")


# --- gates ----------------------------------------------------------------------------------------


class GateCriterion(OrgScopedModel):
    """One thing the exit gate of a lifecycle stage requires. A checklist item is met when evidence
    (a file, a link or an AIMS record) is attached for the system; an automatic condition is checked
    by AIMS itself from its own records (`gates.CHECKS`)."""

    object_type = "gate_criterion"

    class Kind(models.TextChoices):
        CHECKLIST = "checklist", _("Checklist item with evidence")
        AUTOMATIC = "automatic", _("Condition AIMS checks itself")

    stage = models.CharField(
        _("stage"),
        max_length=16,
        choices=Stage.choices,
        help_text=_(
            "The stage this criterion must be met in before the system may move on to the next stage."
        ),
    )
    key = models.SlugField(
        _("key"),
        max_length=60,
        help_text=_("Short identifier, unique within the stage, used by the API and the CLI."),
    )
    title = models.CharField(_("title"), max_length=200, help_text=_("What must be true, in one line."))
    guidance = models.TextField(
        _("guidance"),
        blank=True,
        help_text=_("What a good piece of evidence looks like, for someone doing this the first time."),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.CHECKLIST)
    condition = models.CharField(
        _("automatic check"),
        max_length=40,
        blank=True,
        help_text=_("For an automatic condition: which check AIMS runs (see the list on the criteria page)."),
    )
    params = models.JSONField(
        _("parameters"), default=dict, blank=True, help_text=_('Settings of the check, e.g. {"months": 12}.')
    )
    reference = models.CharField(
        _("reference"),
        max_length=60,
        blank=True,
        help_text=_("The clause or control it comes from, e.g. A.6.2.2."),
    )
    active = models.BooleanField(_("active"), default=True, help_text=_("Inactive criteria are not checked."))
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        ordering = ["stage", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "stage", "key"], name="gatecriterion_unique_key"),
        ]
        verbose_name = _("gate criterion")
        verbose_name_plural = _("gate criteria")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        from .gates import CHECKS, next_stage

        errors: dict[str, Any] = {}
        if self.stage and next_stage(self.stage) is None:
            errors["stage"] = _("A retired system has no further gate.")
        if self.kind == self.Kind.AUTOMATIC and self.condition not in CHECKS:
            errors["condition"] = _("Choose one of: %(c)s") % {"c": ", ".join(sorted(CHECKS))}
        if self.kind == self.Kind.CHECKLIST and self.condition:
            errors["condition"] = _("A checklist item has no automatic check.")
        if not isinstance(self.params, dict):
            errors["params"] = _('Give an object of settings, e.g. {"months": 12}.')
        if self.stage and self.key and self.organization_id:
            clash = GateCriterion.objects.filter(
                organization_id=self.organization_id, stage=self.stage, key=self.key
            )
            if clash.exclude(pk=self.pk).exists():
                errors["key"] = _("Another criterion of this stage already uses this key.")
        if errors:
            raise ValidationError(errors)


class GateEvidence(OrgScopedModel):
    """What shows a checklist item is done for one AI system: an uploaded file (kept with its
    SHA-256), a link, or a record in AIMS (a document, an impact assessment, a risk...)."""

    object_type = "gate_evidence"
    protected_fields = OrgScopedModel.protected_fields | {
        "file",
        "filename",
        "sha256",
        "size",
        "content_type",
    }

    class Kind(models.TextChoices):
        FILE = "file", _("File")
        LINK = "link", _("Link")
        RECORD = "record", _("Record in AIMS")

    ai_system = models.ForeignKey(
        AISystem, on_delete=models.CASCADE, related_name="+", verbose_name=_("AI system")
    )
    criterion = models.ForeignKey(
        GateCriterion, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("criterion")
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.LINK)
    title = models.CharField(
        _("title"),
        max_length=200,
        help_text=_("What the evidence is, e.g. 'Architecture decision record 7'."),
    )
    url = models.URLField(
        _("link"), blank=True, max_length=500, help_text=_("Where the evidence lives (for a link).")
    )
    record_type = models.CharField(
        _("record type"),
        max_length=40,
        blank=True,
        help_text=_("For a record in AIMS: its kind, e.g. document, risk, impact_assessment."),
    )
    record_id = models.CharField(
        _("record id"), max_length=40, blank=True, help_text=_("For a record in AIMS: its id or number.")
    )
    file = models.FileField(_("file"), upload_to=upload_path, blank=True, editable=False)
    filename = models.CharField(_("file name"), max_length=200, blank=True, editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, editable=False)
    size = models.PositiveBigIntegerField(_("size"), default=0, editable=False)
    content_type = models.CharField(max_length=100, blank=True, editable=False)
    note = models.TextField(_("note"), blank=True, help_text=_("Anything a reviewer should know."))

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["ai_system", "criterion"], name="gateevidence_sys_crit_idx")]
        verbose_name = _("gate evidence")
        verbose_name_plural = _("gate evidence")

    def __str__(self) -> str:
        return self.title

    def describe(self) -> str:
        if self.kind == self.Kind.FILE:
            return f"{self.title} (file {self.filename}, sha256 {self.sha256[:12]}…)"
        if self.kind == self.Kind.LINK:
            return f"{self.title} ({self.url})"
        return f"{self.title} ({self.record_type} #{self.record_id})"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        _same_org(errors, self, "ai_system", "criterion")
        if self.criterion_id and self.criterion.kind != GateCriterion.Kind.CHECKLIST:
            errors["criterion"] = _("AIMS checks this condition itself: it takes no evidence.")
        if self.kind == self.Kind.LINK and not self.url:
            errors["url"] = _("Give the link.")
        if self.kind == self.Kind.RECORD and not (self.record_type and self.record_id):
            errors["record_id"] = _("Give the record's type and id.")
        elif self.kind == self.Kind.RECORD and self.organization_id:
            from .gates import RECORD_TYPES, find_record

            try:
                found = find_record(self.organization_id, self.record_type, self.record_id)
            except LookupError:
                errors["record_type"] = _("Choose one of: %(t)s") % {"t": ", ".join(sorted(RECORD_TYPES))}
            else:
                if found is None:
                    errors["record_id"] = _("No %(t)s with id %(i)s in this organization.") % {
                        "t": self.record_type,
                        "i": self.record_id,
                    }
        if self.kind == self.Kind.FILE and not self.sha256:
            errors["file"] = _("Upload the file.")
        if errors:
            raise ValidationError(errors)


class GateException(OrgScopedModel):
    """Permission, given by an authorized person, for a system to pass one gate although not every
    criterion is met: why, and until when. After the expiry the gap must be closed."""

    object_type = "gate_exception"
    protected_fields = OrgScopedModel.protected_fields | {"approved_by", "unmet", "revoked_at"}

    ai_system = models.ForeignKey(
        AISystem, on_delete=models.CASCADE, related_name="+", verbose_name=_("AI system")
    )
    stage = models.CharField(
        _("gate of stage"),
        max_length=16,
        choices=Stage.choices,
        help_text=_("The stage whose exit gate is excepted."),
    )
    justification = models.TextField(
        _("justification"),
        help_text=_(
            "Why the system may move on although the gate does not hold, and what reduces the risk meanwhile."
        ),
    )
    expires_on = models.DateField(
        _("expires on"), help_text=_("The date by which the missing criteria must be met.")
    )
    approved_by = _user_fk(_("approved by"), editable=False)
    unmet = models.JSONField(_("criteria not met"), default=list, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("gate exception")
        verbose_name_plural = _("gate exceptions")

    def __str__(self) -> str:
        return f"{self.ai_system} · {self.get_stage_display()} · {self.expires_on}"

    @property
    def active(self) -> bool:
        return self.revoked_at is None and self.expires_on >= timezone.localdate()

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        _same_org(errors, self, "ai_system")
        if not (self.justification or "").strip():
            errors["justification"] = _("Explain why the exception is justified.")
        if self.expires_on and self.expires_on <= timezone.localdate() and not self.pk:
            errors["expires_on"] = _("The expiry must be in the future.")
        elif (
            self.expires_on
            and self.expires_on > timezone.localdate() + dt.timedelta(days=366)
            and not self.pk
        ):
            errors["expires_on"] = _("An exception lasts at most a year.")
        if errors:
            raise ValidationError(errors)


class GateReview(OrgScopedModel):
    """One run of a gate for one AI system: every criterion with met or not and why, the outcome,
    and whether the system moved. Kept for ever; printable as PDF."""

    object_type = "gate_review"

    class Outcome(models.TextChoices):
        PASSED = "passed", _("Passed: every criterion met")
        EXCEPTION = "exception", _("Passed with an exception")
        HELD = "held", _("Held back")

    ai_system = models.ForeignKey(
        AISystem, on_delete=models.CASCADE, related_name="+", verbose_name=_("AI system")
    )
    from_stage = models.CharField(_("from stage"), max_length=16, choices=Stage.choices)
    to_stage = models.CharField(_("to stage"), max_length=16, choices=Stage.choices)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    moved = models.BooleanField(
        _("moved"), default=False, help_text=_("Whether the system moved to the next stage.")
    )
    results = models.JSONField(
        _("results"), default=list, help_text=_("Each criterion: met or not, with the reason.")
    )
    exception = models.ForeignKey(
        GateException,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviews",
        verbose_name=_("exception"),
    )
    note = models.TextField(_("note"), blank=True)
    procedures = models.JSONField(
        _("procedures in force"),
        default=list,
        blank=True,
        help_text=_("The stage's procedures and their versions when the gate ran."),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organization", "ai_system"], name="gatereview_org_sys_idx")]
        verbose_name = _("gate review")
        verbose_name_plural = _("gate reviews")

    def __str__(self) -> str:
        return f"{self.ai_system} · {self.get_from_stage_display()} → {self.get_to_stage_display()} · {self.get_outcome_display()}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("lifecycle:review-detail", args=[self.pk])

    @property
    def met_count(self) -> int:
        return sum(1 for r in self.results if r.get("met"))


# --- datasets -------------------------------------------------------------------------------------


class Dataset(OrgScopedModel):
    """A data set used to train, validate, test or run AI (A.4.3, A.7): where it comes from, on which
    right it is used, what personal data it holds, how it was prepared and labelled, who may use it."""

    object_type = "dataset"

    class Purpose(models.TextChoices):
        TRAINING = "training", _("Training")
        VALIDATION = "validation", _("Validation")
        TEST = "test", _("Test")
        PRODUCTION = "production", _("Production input")
        MIXED = "mixed", _("Several of these")

    class LegalBasis(models.TextChoices):
        NONE = "", _("No personal data")
        CONSENT = "consent", _("Consent (Art. 6(1)(a))")
        CONTRACT = "contract", _("Contract (Art. 6(1)(b))")
        LEGAL_OBLIGATION = "legal_obligation", _("Legal obligation (Art. 6(1)(c))")
        VITAL = "vital_interests", _("Vital interests (Art. 6(1)(d))")
        PUBLIC_TASK = "public_task", _("Public task (Art. 6(1)(e))")
        LEGITIMATE = "legitimate_interests", _("Legitimate interests (Art. 6(1)(f))")

    name = models.CharField(_("name"), max_length=200, help_text=_("What people call the data set."))
    slug = models.SlugField(
        _("slug"), max_length=80, help_text=_("Short unique identifier, used in URLs and the API.")
    )
    description = models.TextField(
        _("description"), blank=True, help_text=_("What it contains, in plain words.")
    )
    purpose = models.CharField(
        _("used for"), max_length=16, choices=Purpose.choices, default=Purpose.TRAINING
    )
    origin = models.TextField(
        _("origin"),
        blank=True,
        help_text=_("Where the data comes from: which system, supplier or public source."),
    )
    acquisition = models.TextField(
        _("how it was obtained"),
        blank=True,
        help_text=_("Collected by us, bought, licensed, scraped, generated..."),
    )
    authorization = models.TextField(
        _("authorization for use"),
        blank=True,
        help_text=_(
            "What entitles the organization to use it for AI: contract, licence, consent, internal approval."
        ),
    )
    licence = models.CharField(
        _("licence"),
        max_length=200,
        blank=True,
        help_text=_("The licence it is used under, e.g. CC BY 4.0, DbCL 1.0, proprietary."),
    )
    copyright = models.CharField(_("copyright holder"), max_length=200, blank=True)
    personal_data = models.BooleanField(
        _("contains personal data"),
        default=False,
        help_text=_("Information about identifiable people (GDPR Art. 4)."),
    )
    special_categories = models.JSONField(
        _("special categories"),
        default=list,
        blank=True,
        validators=[validate_string_list],
        help_text=_("Special categories of personal data it holds (GDPR Art. 9), e.g. health, ethnicity."),
    )
    legal_basis = models.CharField(
        _("legal basis"),
        max_length=24,
        choices=LegalBasis.choices,
        blank=True,
        help_text=_("The GDPR Art. 6 basis for processing it."),
    )
    consent_notes = models.TextField(
        _("consent"),
        blank=True,
        help_text=_("How consent was obtained and can be withdrawn, when consent is the basis."),
    )
    collected_from = models.DateField(_("collected from"), null=True, blank=True)
    collected_to = models.DateField(_("collected to"), null=True, blank=True)
    transformations = models.TextField(
        _("transformations"),
        blank=True,
        help_text=_("How the raw data became this data set: joins, filters, feature engineering."),
    )
    cleaning = models.TextField(
        _("cleaning"), blank=True, help_text=_("How missing values, outliers and errors were handled.")
    )
    labelling = models.TextField(
        _("labelling process"),
        blank=True,
        help_text=_("Who labelled the data, how, with which instructions and checks."),
    )
    label_agreement = models.FloatField(
        _("inter-annotator agreement"),
        null=True,
        blank=True,
        help_text=_(
            "Cohen's kappa between two annotators (1 = perfect, 0 = chance); computed when two label sets are uploaded."
        ),
    )
    retention = models.CharField(
        _("retention"), max_length=200, blank=True, help_text=_("How long it is kept, and what happens then.")
    )
    storage_location = models.CharField(
        _("storage location"),
        max_length=300,
        blank=True,
        help_text=_("Where it is stored (system, bucket, region)."),
    )
    access = models.TextField(
        _("who may access it"), blank=True, help_text=_("The people or roles allowed to read it.")
    )
    ai_systems = models.ManyToManyField(
        AISystem,
        blank=True,
        related_name="datasets",
        verbose_name=_("AI systems"),
        help_text=_("The AI systems that use it."),
    )

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organization", "slug"], name="dataset_unique_slug")]
        verbose_name = _("dataset")
        verbose_name_plural = _("datasets")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("lifecycle:dataset-detail", args=[self.slug])

    def provenance_gaps(self) -> list[str]:
        """The provenance facts still missing (what the data-provenance gate criterion looks at)."""
        gaps = [
            str(label)
            for field, label in (
                ("origin", _("origin")),
                ("acquisition", _("how it was obtained")),
                ("authorization", _("authorization for use")),
                ("licence", _("licence")),
            )
            if not str(getattr(self, field) or "").strip()
        ]
        if self.personal_data and not self.legal_basis:
            gaps.append(str(_("legal basis")))
        return gaps

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.special_categories and not self.personal_data:
            errors["special_categories"] = _(
                "Special categories are personal data: tick 'contains personal data'."
            )
        if self.legal_basis and not self.personal_data:
            errors["legal_basis"] = _("A legal basis concerns personal data: tick 'contains personal data'.")
        if self.collected_from and self.collected_to and self.collected_from > self.collected_to:
            errors["collected_to"] = _("The end of the collection period is before its start.")
        if self.label_agreement is not None and not -1 <= self.label_agreement <= 1:
            errors["label_agreement"] = _("Cohen's kappa lies between -1 and 1.")
        if self.slug and self.organization_id:
            if (
                Dataset.objects.filter(organization_id=self.organization_id, slug=self.slug)
                .exclude(pk=self.pk)
                .exists()
            ):
                errors["slug"] = _("Another dataset in this organization already uses this slug.")
        if errors:
            raise ValidationError(errors)


class DatasetVersion(OrgScopedModel):
    """One version of a data set: size, digest, and the distribution of its sensitive attributes
    compared with the population it should represent."""

    object_type = "dataset"
    protected_fields = OrgScopedModel.protected_fields | {"dataset", "representativeness"}

    dataset = models.ForeignKey(
        Dataset, on_delete=models.CASCADE, related_name="versions", verbose_name=_("dataset")
    )
    label = models.CharField(
        _("version"), max_length=40, help_text=_("The version label, e.g. 2024-06 or 1.2.")
    )
    changes = models.TextField(_("what changed"), blank=True)
    rows = models.PositiveIntegerField(_("rows"), null=True, blank=True, help_text=_("Number of records."))
    digest = models.CharField(
        _("digest"),
        max_length=100,
        blank=True,
        help_text=_("A content hash, e.g. sha256:…, to show which data exactly."),
    )
    location = models.CharField(
        _("location"), max_length=300, blank=True, help_text=_("Where this version is stored.")
    )
    profile = models.JSONField(
        _("sensitive attribute profile"),
        default=dict,
        blank=True,
        help_text=_(
            'For each sensitive attribute, the number of records per group, e.g. {"sex": {"female": 310, "male": 690}}.'
        ),
    )
    reference = models.JSONField(
        _("reference population"),
        default=dict,
        blank=True,
        help_text=_(
            'For each attribute, the share of each group in the population the data should represent, e.g. {"sex": {"female": 0.51, "male": 0.49}}.'
        ),
    )
    tolerance = models.FloatField(
        _("tolerance"),
        default=0.05,
        help_text=_(
            "The largest acceptable difference between a group's share in the data and in the population (0.05 = 5 points)."
        ),
    )
    representativeness = models.JSONField(_("representativeness"), default=dict, blank=True, editable=False)

    class Meta:
        ordering = ["dataset", "-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["dataset", "label"], name="datasetversion_unique")]
        verbose_name = _("dataset version")
        verbose_name_plural = _("dataset versions")

    def __str__(self) -> str:
        return f"{self.dataset.name} {self.label}"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        _same_org(errors, self, "dataset")
        for name in ("profile", "reference"):
            value = getattr(self, name)
            ok = isinstance(value, dict) and all(
                isinstance(groups, dict)
                and all(
                    isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) and v >= 0
                    for v in groups.values()
                )
                for groups in value.values()
            )
            if not ok:
                errors[name] = _("Give {attribute: {group: number}} with numbers of zero or more.")
        if isinstance(self.reference, dict) and "reference" not in errors:
            for attribute, groups in (self.reference or {}).items():
                if isinstance(groups, dict) and groups and abs(sum(groups.values()) - 1) > 0.02:
                    errors["reference"] = _("The shares of %(a)s add up to %(s).2f, not 1.") % {
                        "a": attribute,
                        "s": sum(groups.values()),
                    }
        if not 0 < (self.tolerance or 0) < 1:
            errors["tolerance"] = _("Give a share between 0 and 1, e.g. 0.05.")
        if errors:
            raise ValidationError(errors)


# --- vendors --------------------------------------------------------------------------------------


class Vendor(OrgScopedModel):
    """A supplier of AI: pre-trained models, third-party AI APIs, cloud AI services, data (A.10): what
    they supply, how they were assessed, the terms and when to review them, SLAs, compliance,
    and the plan if they become unavailable."""

    object_type = "vendor"
    protected_fields = OrgScopedModel.protected_fields | {"score"}

    class Kind(models.TextChoices):
        MODEL = "model", _("Pre-trained or foundation model")
        API = "api", _("Third-party AI API")
        CLOUD = "cloud", _("Cloud AI service")
        SAAS = "saas", _("AI software as a service")
        DATA = "data", _("Data supplier")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(
        _("slug"), max_length=80, help_text=_("Short unique identifier, used in URLs and the API.")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.API)
    services = models.TextField(
        _("services and models supplied"),
        blank=True,
        help_text=_("What exactly they supply, with model names and versions."),
    )
    ai_systems = models.ManyToManyField(
        AISystem,
        blank=True,
        related_name="vendors",
        verbose_name=_("AI systems"),
        help_text=_("The AI systems that depend on this vendor."),
    )
    questionnaire = models.JSONField(
        _("risk questionnaire"),
        default=dict,
        blank=True,
        help_text=_(
            "Answers to the vendor risk questionnaire (true/false per question); AIMS computes the score."
        ),
    )
    score = models.PositiveSmallIntegerField(
        _("questionnaire score"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("0 to 100; higher is safer."),
    )
    assessed_on = models.DateField(
        _("assessed on"), null=True, blank=True, help_text=_("When the questionnaire was last answered.")
    )
    terms_reviewed_on = models.DateField(
        _("terms reviewed on"),
        null=True,
        blank=True,
        help_text=_("When the terms of service and licence were last reviewed."),
    )
    terms_next_review = models.DateField(
        _("next terms review"),
        null=True,
        blank=True,
        help_text=_("When the terms must be reviewed again; AIMS makes it a task."),
    )
    permitted_use = models.TextField(
        _("permitted use and restrictions"),
        blank=True,
        help_text=_("What the terms allow and forbid, e.g. no training on our data."),
    )
    slas = models.JSONField(
        _("SLAs"),
        default=list,
        blank=True,
        help_text=_(
            'Service levels: a list of {"name": "availability", "target": "99.9%"} (availability, security, support).'
        ),
    )
    dpa_signed = models.BooleanField(
        _("data processing agreement signed"), default=False, help_text=_("GDPR Art. 28 agreement in place.")
    )
    data_location = models.CharField(
        _("data location"),
        max_length=200,
        blank=True,
        help_text=_("Where the vendor processes and stores our data."),
    )
    certifications = models.JSONField(
        _("certifications"),
        default=list,
        blank=True,
        validators=[validate_string_list],
        help_text=_("e.g. ISO/IEC 27001, ISO/IEC 42001, SOC 2 Type II."),
    )
    contingency_plan = models.TextField(
        _("contingency plan"),
        blank=True,
        help_text=_("What we do if the vendor is unavailable or changes its terms."),
    )

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organization", "slug"], name="vendor_unique_slug")]
        verbose_name = _("vendor")
        verbose_name_plural = _("vendors")

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        from .gates import questionnaire_score

        self.score = questionnaire_score(self.questionnaire) if self.questionnaire else None
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("lifecycle:vendor-detail", args=[self.slug])

    def clean(self) -> None:
        from .gates import QUESTIONNAIRE

        errors: dict[str, Any] = {}
        keys = {q["key"] for q in QUESTIONNAIRE}
        if not isinstance(self.questionnaire, dict) or any(
            k not in keys or not isinstance(v, bool) for k, v in self.questionnaire.items()
        ):
            errors["questionnaire"] = _("Answer true or false to the questions: %(k)s.") % {
                "k": ", ".join(sorted(keys))
            }
        if not isinstance(self.slas, list) or any(
            not isinstance(s, dict)
            or not str(s.get("name", "")).strip()
            or set(s) - {"name", "target", "notes"}
            for s in self.slas
        ):
            errors["slas"] = _('Give a list of {"name", "target"} items.')
        if (
            self.terms_reviewed_on
            and self.terms_next_review
            and self.terms_next_review < self.terms_reviewed_on
        ):
            errors["terms_next_review"] = _("The next review comes after the last one.")
        if self.slug and self.organization_id:
            if (
                Vendor.objects.filter(organization_id=self.organization_id, slug=self.slug)
                .exclude(pk=self.pk)
                .exists()
            ):
                errors["slug"] = _("Another vendor in this organization already uses this slug.")
        if errors:
            raise ValidationError(errors)


class SlaBreach(OrgScopedModel):
    """A time a vendor missed a service level."""

    object_type = "vendor"
    protected_fields = OrgScopedModel.protected_fields | {"vendor"}

    vendor = models.ForeignKey(
        Vendor, on_delete=models.CASCADE, related_name="breaches", verbose_name=_("vendor")
    )
    sla = models.CharField(
        _("service level"), max_length=100, help_text=_("Which SLA was missed, e.g. availability.")
    )
    occurred_on = models.DateField(_("occurred on"))
    description = models.TextField(_("what happened"), blank=True)
    impact = models.TextField(_("effect on our AI systems"), blank=True)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        verbose_name = _("SLA breach")
        verbose_name_plural = _("SLA breaches")

    def __str__(self) -> str:
        return f"{self.vendor} · {self.sla} · {self.occurred_on}"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        _same_org(errors, self, "vendor")
        if self.resolved_on and self.occurred_on and self.resolved_on < self.occurred_on:
            errors["resolved_on"] = _("It cannot be resolved before it occurred.")
        if errors:
            raise ValidationError(errors)


# --- models and evaluations -----------------------------------------------------------------------


class ModelVersion(OrgScopedModel):
    """One version of the model behind an AI system (A.6.2.3, A.4.4): what it is, why it was chosen,
    how it was trained and on which data, where its code and artefact are, and who approved it."""

    object_type = "model_version"
    protected_fields = OrgScopedModel.protected_fields | {"status", "approved_by", "approved_at"}

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")
        RETIRED = "retired", _("Retired")

    ai_system = models.ForeignKey(
        AISystem, on_delete=models.CASCADE, related_name="model_versions", verbose_name=_("AI system")
    )
    name = models.CharField(_("model name"), max_length=120, help_text=_("e.g. credit-scoring-logreg."))
    label = models.CharField(_("version"), max_length=40, help_text=_("e.g. 1.4.0 or 2024-06-01."))
    algorithm = models.CharField(
        _("algorithm"),
        max_length=200,
        blank=True,
        help_text=_("e.g. L2-regularised logistic regression, gradient boosting, a hosted LLM."),
    )
    framework = models.CharField(
        _("framework"), max_length=120, blank=True, help_text=_("e.g. scikit-learn 1.5, PyTorch 2.3.")
    )
    rationale = models.TextField(
        _("why this approach"),
        blank=True,
        help_text=_("The reasons for the choice (accuracy, explainability, cost...)."),
    )
    alternatives = models.TextField(
        _("alternatives considered"),
        blank=True,
        help_text=_("What else was considered, and why it was not chosen."),
    )
    training_config = models.TextField(
        _("training configuration"),
        blank=True,
        help_text=_("How it was trained: split, cross-validation, stopping, hardware."),
    )
    hyperparameters = models.JSONField(
        _("hyperparameters"), default=dict, blank=True, help_text=_("Name → value.")
    )
    datasets = models.ManyToManyField(
        DatasetVersion,
        blank=True,
        related_name="model_versions",
        verbose_name=_("dataset versions"),
        help_text=_("The exact dataset versions it was trained, validated and tested on."),
    )
    code_repository = models.CharField(
        _("code repository"), max_length=300, blank=True, help_text=_("Where its code lives.")
    )
    code_commit = models.CharField(
        _("commit"), max_length=64, blank=True, help_text=_("The commit the artefact was built from.")
    )
    artefact_digest = models.CharField(
        _("artefact digest"), max_length=100, blank=True, help_text=_("The model file's hash, e.g. sha256:…")
    )
    vendor = models.ForeignKey(
        Vendor,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="model_versions",
        verbose_name=_("vendor"),
        help_text=_("For an external model: who supplies it."),
    )
    intended_use = models.TextField(_("intended use"), blank=True)
    limitations = models.TextField(_("known limitations"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    approved_by = _user_fk(_("approved by"), editable=False)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["ai_system", "-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["ai_system", "name", "label"], name="modelversion_unique")
        ]
        verbose_name = _("model version")
        verbose_name_plural = _("model versions")

    def __str__(self) -> str:
        return f"{self.name} {self.label}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("lifecycle:model-detail", args=[self.pk])

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        _same_org(errors, self, "ai_system", "vendor")
        if not isinstance(self.hyperparameters, dict):
            errors["hyperparameters"] = _("Give an object of name → value.")
        if errors:
            raise ValidationError(errors)


class Evaluation(OrgScopedModel):
    """The result of evaluating one model version: metrics ({name: value}) against thresholds
    ({name: {"min": x, "max": y}}), optionally by group for fairness. AIMS judges pass or fail."""

    object_type = "evaluation"
    protected_fields = OrgScopedModel.protected_fields | {"passed", "failures"}

    class Kind(models.TextChoices):
        TECHNICAL = "technical", _("Technical performance")
        ETHICAL = "ethical", _("Fairness by group")
        LEGAL = "legal", _("Legal review")
        ROBUSTNESS = "robustness", _("Robustness")

    class Source(models.TextChoices):
        MANUAL = "manual", _("Entered")
        UPLOAD = "upload", _("Uploaded")
        PIPELINE = "pipeline", _("Pushed by a pipeline")

    model_version = models.ForeignKey(
        ModelVersion, on_delete=models.CASCADE, related_name="evaluations", verbose_name=_("model version")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.TECHNICAL)
    title = models.CharField(
        _("title"), max_length=200, blank=True, help_text=_("e.g. hold-out test, Q3 fairness review.")
    )
    dataset_version = models.ForeignKey(
        DatasetVersion,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("evaluated on"),
    )
    metrics = models.JSONField(
        _("metrics"), default=dict, blank=True, help_text=_('Metric name → value, e.g. {"accuracy": 0.81}.')
    )
    thresholds = models.JSONField(
        _("thresholds"),
        default=dict,
        blank=True,
        help_text=_(
            'Metric name → {"min": x} and/or {"max": y}. A metric outside its threshold fails the evaluation.'
        ),
    )
    fairness = models.JSONField(
        _("results by group"),
        default=dict,
        blank=True,
        help_text=_(
            'Optional: attribute → group → metric → value, e.g. {"sex": {"female": {"approval_rate": 0.62}}}.'
        ),
    )
    conclusion = models.TextField(
        _("conclusion"), blank=True, help_text=_("What the results mean; for a legal review, its findings.")
    )
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.MANUAL)
    evaluated_at = models.DateTimeField(_("evaluated at"), default=timezone.now)
    passed = models.BooleanField(_("passed"), default=False, editable=False)
    failures = models.JSONField(_("failures"), default=list, blank=True, editable=False)

    class Meta:
        ordering = ["-evaluated_at", "-pk"]
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")

    def __str__(self) -> str:
        return f"{self.model_version} · {self.get_kind_display()} · {'pass' if self.passed else 'fail'}"

    def judge(self) -> None:
        """Set passed and failures from metrics and thresholds (a missing metric fails its threshold)."""
        failures: list[str] = []
        for name, bounds in sorted((self.thresholds or {}).items()):
            value = (self.metrics or {}).get(name)
            if value is None:
                failures.append(f"{name}: not measured")
                continue
            if "min" in bounds and value < bounds["min"]:
                failures.append(f"{name} {value:.4g} < min {bounds['min']:g}")
            if "max" in bounds and value > bounds["max"]:
                failures.append(f"{name} {value:.4g} > max {bounds['max']:g}")
        self.failures = failures
        self.passed = not failures

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.judge()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        _same_org(errors, self, "model_version", "dataset_version")

        def number(v: Any) -> bool:
            return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)

        if not isinstance(self.metrics, dict) or any(
            not isinstance(k, str) or not number(v) for k, v in self.metrics.items()
        ):
            errors["metrics"] = _("Give {metric name: number}.")
        if not isinstance(self.thresholds, dict) or any(
            not isinstance(b, dict)
            or not b
            or set(b) - {"min", "max"}
            or not all(number(x) for x in b.values())
            for b in self.thresholds.values()
        ):
            errors["thresholds"] = _('Give {metric name: {"min": number, "max": number}} (either or both).')
        if not isinstance(self.fairness, dict) or any(
            not isinstance(groups, dict)
            or any(not isinstance(m, dict) or not all(number(x) for x in m.values()) for m in groups.values())
            for groups in self.fairness.values()
        ):
            errors["fairness"] = _("Give {attribute: {group: {metric: number}}}.")
        if errors:
            raise ValidationError(errors)


# --- deployments ----------------------------------------------------------------------------------


class Deployment(OrgScopedModel):
    """An AI system running in one environment with one model version: the plan, who approved it,
    the gate it passed, who has production access, and where its event logs are kept."""

    object_type = "deployment"
    protected_fields = OrgScopedModel.protected_fields | {"approved_by", "approved_at", "status"}

    class Environment(models.TextChoices):
        DEVELOPMENT = "development", _("Development")
        TEST = "test", _("Test")
        STAGING = "staging", _("Staging")
        PRODUCTION = "production", _("Production")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ACTIVE = "active", _("Active")
        ROLLED_BACK = "rolled_back", _("Rolled back")
        RETIRED = "retired", _("Retired")

    ai_system = models.ForeignKey(
        AISystem, on_delete=models.CASCADE, related_name="deployments", verbose_name=_("AI system")
    )
    environment = models.CharField(_("environment"), max_length=16, choices=Environment.choices)
    model_version = models.ForeignKey(
        ModelVersion,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deployments",
        verbose_name=_("model version"),
    )
    plan = models.TextField(
        _("deployment plan"),
        blank=True,
        help_text=_("How it is rolled out: steps, checks, communication, fallback."),
    )
    rollback_procedure = models.TextField(
        _("rollback procedure"),
        blank=True,
        help_text=_("How to go back to the previous version, and who decides."),
    )
    deployed_at = models.DateTimeField(_("deployed at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PLANNED, editable=False
    )
    approved_by = _user_fk(_("approved by"), editable=False)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True, editable=False)
    gate_review = models.ForeignKey(
        GateReview,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("gate passed"),
        help_text=_("The gate review that let the system into deployment."),
    )
    production_access = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        verbose_name=_("people with production access"),
        help_text=_(
            "Who may change or operate it in this environment. Every change is kept in the audit trail."
        ),
    )
    log_location = models.CharField(
        _("event and access logs"),
        max_length=300,
        blank=True,
        help_text=_(
            "Where the system's logs of who used it, when and what it did are kept (A.6.2.8, AI Act Art. 12, 19)."
        ),
    )
    log_retention_months = models.PositiveSmallIntegerField(
        _("log retention (months)"),
        null=True,
        blank=True,
        help_text=_("How long the logs are kept; at least 6 months for high-risk systems."),
    )
    monitoring = models.TextField(
        _("monitoring and alert thresholds"),
        blank=True,
        help_text=_("What is watched in operation and when it alerts."),
    )

    class Meta:
        ordering = ["ai_system", "environment", "-created_at"]
        verbose_name = _("deployment")
        verbose_name_plural = _("deployments")

    def __str__(self) -> str:
        return f"{self.ai_system} · {self.get_environment_display()}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("lifecycle:deployment-detail", args=[self.pk])

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        _same_org(errors, self, "ai_system", "model_version", "gate_review")
        if (
            "model_version" not in errors
            and self.model_version_id
            and self.ai_system_id
            and self.model_version.ai_system_id != self.ai_system_id
        ):
            errors["model_version"] = _("This model version belongs to another AI system.")
        if self.log_retention_months is not None and self.log_retention_months > 1200:
            errors["log_retention_months"] = _("Give a number of months up to 1200.")
        if errors:
            raise ValidationError(errors)


class DeploymentEvent(OrgScopedModel):
    """Something that happened to a deployment: a rollback (when, why, to which version), a patch,
    maintenance, or a change of who has production access."""

    object_type = "deployment"
    protected_fields = OrgScopedModel.protected_fields | {"deployment"}

    class Kind(models.TextChoices):
        ROLLBACK = "rollback", _("Rollback")
        PATCH = "patch", _("Patch")
        MAINTENANCE = "maintenance", _("Maintenance")
        ACCESS = "access", _("Production access change")

    deployment = models.ForeignKey(
        Deployment, on_delete=models.CASCADE, related_name="events", verbose_name=_("deployment")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    description = models.TextField(_("what and why"), help_text=_("For a rollback: why it was rolled back."))
    from_version = models.ForeignKey(
        ModelVersion,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("from version"),
    )
    to_version = models.ForeignKey(
        ModelVersion,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("to version"),
    )

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name = _("deployment event")
        verbose_name_plural = _("deployment events")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.occurred_at:%Y-%m-%d}"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        _same_org(errors, self, "deployment", "to_version", "from_version")
        if not (self.description or "").strip():
            errors["description"] = _("Say what happened and why.")
        if self.kind == self.Kind.ROLLBACK and not self.to_version_id:
            errors["to_version"] = _("Name the model version rolled back to.")
        if (
            not {"to_version", "deployment"} & errors.keys()
            and self.to_version_id
            and self.deployment_id
            and self.to_version.ai_system_id != self.deployment.ai_system_id
        ):
            errors["to_version"] = _("This model version belongs to another AI system.")
        if errors:
            raise ValidationError(errors)


# --- stage procedures -----------------------------------------------------------------------------


class StageProcedure(OrgScopedModel):
    """One version of the documented procedure for a lifecycle stage (clause 8.1): what people do in
    that stage, who does it, and which records they keep. Per organization, seeded from
    `procedures.DEFAULT_PROCEDURES`. Versioned like documents: a change adds a version, and every
    earlier version stays readable; the highest number is the one in force."""

    # Procedures are part of a gate's definition: the people who edit the gate criteria edit them.
    object_type = "gate_criterion"
    protected_fields = OrgScopedModel.protected_fields | {"stage", "key", "number"}

    stage = models.CharField(
        _("stage"),
        max_length=16,
        choices=Stage.choices,
        help_text=_("The lifecycle stage this procedure is followed in."),
    )
    key = models.SlugField(
        _("key"),
        max_length=60,
        help_text=_("Short identifier of the procedure within the stage, e.g. data-management."),
    )
    number = models.PositiveIntegerField(_("version"), default=1, help_text=_("1, 2, 3…"))
    title = models.CharField(
        _("title"), max_length=200, help_text=_("The name of the procedure, e.g. 'Data management'.")
    )
    body = models.TextField(
        _("procedure"),
        help_text=_(
            "What is done in this stage, step by step: who does it, what they check, which records they keep. "
            "Plain text; a line starting with '- ' is a list item."
        ),
    )
    change_note = models.CharField(
        _("what changed"), max_length=300, blank=True, help_text=_("A line for the version history.")
    )

    class Meta:
        ordering = ["stage", "key", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "stage", "key", "number"], name="stageprocedure_unique_version"
            ),
        ]
        verbose_name = _("stage procedure")
        verbose_name_plural = _("stage procedures")

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("lifecycle:procedure-detail", args=[self.stage, self.key])

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if not (self.title or "").strip():
            errors["title"] = _("Give the procedure a title.")
        if not (self.body or "").strip():
            errors["body"] = _("Write the procedure.")
        if len(self.body or "") > 50_000:
            errors["body"] = _("Keep a procedure under 50,000 characters; link longer manuals.")
        if errors:
            raise ValidationError(errors)


# --- the AI system's own event logs ---------------------------------------------------------------


class EventLogRecord(OrgScopedModel):
    """One event of a deployed AI system's own log, received through the API (A.6.2.8; EU AI Act
    Art. 12, 19, 26(6)): who used it, when, and what they did or what it did. Kept for the
    deployment's `log_retention_months`, then purged by the daily `purge_event_logs` task."""

    object_type = "deployment"
    protected_fields = OrgScopedModel.protected_fields | {"deployment"}

    deployment = models.ForeignKey(
        Deployment, on_delete=models.CASCADE, related_name="log_records", verbose_name=_("deployment")
    )
    occurred_at = models.DateTimeField(
        _("when"), help_text=_("When the event happened, by the system's clock.")
    )
    event_id = models.CharField(
        _("event id"),
        max_length=100,
        blank=True,
        help_text=_("The system's own id of the event; a record sent twice with the same id is kept once."),
    )
    actor = models.CharField(
        _("who"),
        max_length=200,
        blank=True,
        help_text=_("Who used the system: preferably a pseudonymous user id, or a service name."),
    )
    action = models.CharField(
        _("what"), max_length=100, help_text=_("What was done, e.g. login, score, override, export.")
    )
    outcome = models.CharField(
        _("outcome"), max_length=40, blank=True, help_text=_("e.g. success, failure, denied.")
    )
    subject = models.CharField(
        _("on what"),
        max_length=200,
        blank=True,
        help_text=_("What the action concerned, e.g. an application or case number."),
    )
    detail = models.JSONField(
        _("detail"), default=dict, blank=True, help_text=_("Further fields of the event.")
    )

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            models.Index(fields=["deployment", "occurred_at"], name="eventlog_dep_time_idx"),
            models.Index(fields=["deployment", "actor"], name="eventlog_dep_actor_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["deployment", "event_id"],
                condition=~models.Q(event_id=""),
                name="eventlog_unique_event_id",
            ),
        ]
        verbose_name = _("event log record")
        verbose_name_plural = _("event log records")

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.actor} {self.action}"
