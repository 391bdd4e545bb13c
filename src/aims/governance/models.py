"""Clauses 5, 6.2 and 7: the AI policy and controlled documents with their versions and
acknowledgements, roles and responsibilities (RACI), AI objectives, competence and training,
communication, and the resources given to the AIMS."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aims.core.base import OrgScopedModel
from aims.core.roles import Role

from .common import check_references

USER = settings.AUTH_USER_MODEL

# The AIMS processes a RACI assigns (clause 5.3, A.3.2), with our one-line description of each.
PROCESSES: dict[str, Any] = {
    "policy": _("AI policy and objectives"),
    "documents": _("Documented information"),
    "inventory": _("AI system inventory and scope"),
    "risk": _("AI risk assessment and treatment"),
    "impact": _("AI system impact assessment"),
    "soa": _("Statement of Applicability and controls"),
    "gates": _("Lifecycle gates and releases"),
    "data": _("Data management"),
    "suppliers": _("Suppliers and third parties"),
    "monitoring": _("Monitoring and measurement"),
    "incidents": _("Incidents and feedback"),
    "nonconformities": _("Nonconformities and corrective actions"),
    "audits": _("Internal audit"),
    "reviews": _("Management review"),
    "competence": _("Competence, training and awareness"),
    "communication": _("Communication"),
}
PROCESS_KEYS = list(PROCESSES)

TOP, CIO, AIM, AUD, RISK = "top_management", "cio_cdo", "ai_manager", "internal_audit", "risk_team"
TECH, OPS = "technical_team", "operational_team"
# Our default RACI, from the roles' descriptions in the seed: top management is accountable for
# direction (policy, review), the AI manager coordinates and oversees, the teams do the work, and
# internal audit stays independent of what it audits.
DEFAULT_RACI: dict[str, dict[str, str]] = {
    "policy": {TOP: "A", AIM: "R", CIO: "C", RISK: "C", AUD: "I", TECH: "I", OPS: "I"},
    "documents": {AIM: "A", CIO: "R", TECH: "R", OPS: "R", AUD: "I"},
    "inventory": {CIO: "A", AIM: "R", TECH: "R", OPS: "C", AUD: "I"},
    "risk": {TOP: "A", RISK: "R", AIM: "C", TECH: "C", OPS: "C", AUD: "I"},
    "impact": {AIM: "A", RISK: "R", TECH: "C", OPS: "C", AUD: "I"},
    "soa": {AIM: "A", RISK: "R", CIO: "C", TOP: "I", AUD: "I"},
    "gates": {CIO: "A", TECH: "R", AIM: "C", RISK: "C", OPS: "I"},
    "data": {CIO: "A", TECH: "R", AIM: "C", AUD: "I"},
    "suppliers": {CIO: "A", AIM: "R", RISK: "C", TECH: "C"},
    "monitoring": {AIM: "A", TECH: "R", OPS: "R", RISK: "I"},
    "incidents": {AIM: "A", OPS: "R", TECH: "R", RISK: "C", TOP: "I"},
    "nonconformities": {AIM: "A", OPS: "R", TECH: "R", AUD: "C", TOP: "I"},
    "audits": {TOP: "A", AUD: "R", AIM: "C"},
    "reviews": {TOP: "A", AIM: "R", CIO: "C", AUD: "C", RISK: "C"},
    "competence": {CIO: "A", AIM: "R", OPS: "I", TECH: "I"},
    "communication": {TOP: "A", AIM: "R", CIO: "C", OPS: "I"},
}


class Classification(models.TextChoices):
    PUBLIC = "public", _("Public")
    INTERNAL = "internal", _("Internal")
    CONFIDENTIAL = "confidential", _("Confidential")
    RESTRICTED = "restricted", _("Restricted")


def _user_fk(verbose: str, help_text: str, **kwargs: Any) -> models.ForeignKey:  # type: ignore[type-arg]
    return models.ForeignKey(
        USER,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=verbose,
        help_text=help_text,
        **kwargs,
    )


# --- documents --------------------------------------------------------------------------------------


class Document(OrgScopedModel):
    """A controlled document (7.5): a policy, procedure, work instruction, template, record or plan. Its
    versions go through draft → in review → approved → published → retired; people read the published one."""

    object_type = "document"

    class Kind(models.TextChoices):
        POLICY = "policy", _("Policy")
        PROCEDURE = "procedure", _("Procedure")
        WORK_INSTRUCTION = "work_instruction", _("Work instruction")
        TEMPLATE = "template", _("Template")
        RECORD = "record", _("Record")
        PLAN = "plan", _("Plan")

    title = models.CharField(_("title"), max_length=200, help_text=_("The document's name."))
    slug = models.SlugField(
        _("slug"), max_length=80, help_text=_("Short identifier, unique in the organization.")
    )
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=Kind.choices,
        default=Kind.PROCEDURE,
        help_text=_("A policy says what and why; a procedure how; a record proves it was done."),
    )
    is_ai_policy = models.BooleanField(
        _("this is the AI policy"),
        default=False,
        help_text=_(
            "The AI policy of clause 5.2: only top management may approve it, and every member acknowledges it."
        ),
    )
    owner = _user_fk(_("owner"), _("The person who keeps the document up to date."))
    approver = _user_fk(
        _("approver"), _("Who must approve new versions (leave empty for anyone allowed to approve).")
    )
    classification = models.CharField(
        _("classification"),
        max_length=16,
        choices=Classification.choices,
        default=Classification.INTERNAL,
        help_text=_("Who may see it outside the AIMS."),
    )
    retention_months = models.PositiveIntegerField(
        _("retention (months)"),
        default=36,
        help_text=_("How long retired versions are kept before disposal."),
    )
    review_interval_months = models.PositiveIntegerField(
        _("review every (months)"), default=12, help_text=_("How often the owner reviews the document.")
    )
    next_review = models.DateField(
        _("next review"), null=True, blank=True, help_text=_("When it is next due for review.")
    )
    requires_acknowledgement = models.BooleanField(
        _("members acknowledge it"),
        default=False,
        help_text=_("Whether every member must confirm they have read the published version (7.3)."),
    )
    published_version = models.ForeignKey(
        "DocumentVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("published version"),
        help_text=_("The version in force."),
    )

    protected_fields = OrgScopedModel.protected_fields | {"published_version", "published_version_id"}

    class Meta:
        ordering = ["kind", "title"]
        constraints = [models.UniqueConstraint(fields=["organization", "slug"], name="document_unique_slug")]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("governance:document-detail", args=[self.slug])

    def clean(self) -> None:
        errors = check_references(self, self.organization_id, user_fields=("owner", "approver"))
        if (
            self.slug
            and self.organization_id
            and Document.objects.filter(organization_id=self.organization_id, slug=self.slug)
            .exclude(pk=self.pk)
            .exists()
        ):
            errors["slug"] = _("Another document in this organization already uses this slug.")
        if self.is_ai_policy:
            if self.kind != self.Kind.POLICY:
                errors["kind"] = _("The AI policy is a policy.")
            self.requires_acknowledgement = True
            if (
                self.organization_id
                and Document.objects.filter(organization_id=self.organization_id, is_ai_policy=True)
                .exclude(pk=self.pk)
                .exists()
            ):
                errors["is_ai_policy"] = _(
                    "The organization already has an AI policy document: add a version to it."
                )
        if errors:
            raise ValidationError(errors)


class DocumentVersion(models.Model):
    """One version of a document. Only a draft is edited; every version is kept."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        APPROVED = "approved", _("Approved")
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Retired")

    FLOW: dict[str, tuple[str, ...]] = {
        "draft": ("in_review",),
        "in_review": ("approved", "draft"),
        "approved": ("published", "draft"),
        "published": ("retired",),
        "retired": (),
    }

    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="versions", verbose_name=_("document")
    )
    number = models.PositiveIntegerField(_("version"), help_text=_("1, 2, 3…"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=Status.choices,
        default=Status.DRAFT,
        help_text=_("draft, in review, approved, published, retired."),
    )
    content = models.TextField(
        _("content (Markdown)"),
        blank=True,
        help_text=_("The text, in Markdown: # headings, - lists, **bold**."),
    )
    change_note = models.CharField(
        _("what changed"), max_length=300, blank=True, help_text=_("A line for the version history.")
    )
    author = _user_fk(_("author"), _("Who wrote this version."))
    submitted_at = models.DateTimeField(
        _("submitted for review"), null=True, blank=True, help_text=_("When.")
    )
    approved_by = _user_fk(_("approved by"), _("Who approved it."))
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True, help_text=_("When."))
    published_at = models.DateTimeField(
        _("published"), null=True, blank=True, help_text=_("When it came into force.")
    )
    retired_at = models.DateTimeField(
        _("retired"), null=True, blank=True, help_text=_("When it stopped being in force.")
    )
    review_comment = models.TextField(_("review comment"), blank=True, help_text=_("The reviewer's remarks."))

    class Meta:
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="docversion_unique_number")
        ]
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"

    @property
    def html(self) -> str:
        from .markdown import render

        return render(self.content)


class Acknowledgement(models.Model):
    """A member's confirmation that they have read a published version (awareness, 7.3)."""

    version = models.ForeignKey(
        DocumentVersion, on_delete=models.CASCADE, related_name="acknowledgements", verbose_name=_("version")
    )
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+", verbose_name=_("member"))
    acknowledged_at = models.DateTimeField(
        _("acknowledged"), default=timezone.now, help_text=_("When they confirmed.")
    )

    class Meta:
        ordering = ["-acknowledged_at"]
        constraints = [models.UniqueConstraint(fields=["version", "user"], name="ack_unique_version_user")]
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("acknowledgements")

    def __str__(self) -> str:
        return f"{self.user} · {self.version}"


# --- roles and responsibilities ---------------------------------------------------------------------


class Responsibility(OrgScopedModel):
    """One cell of the RACI (5.3, A.3.2): a role's part in an AIMS process — Responsible (does it),
    Accountable (answers for it, one per process), Consulted, or Informed."""

    object_type = "raci"

    class Letter(models.TextChoices):
        R = "R", _("Responsible")
        A = "A", _("Accountable")
        C = "C", _("Consulted")
        I = "I", _("Informed")  # noqa: E741

    process = models.CharField(
        _("process"), max_length=32, choices=list(PROCESSES.items()), help_text=_("The AIMS process.")
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, help_text=_("The role."))
    letter = models.CharField(
        _("part"),
        max_length=1,
        choices=Letter.choices,
        help_text=_("R does the work, A answers for it, C is asked, I is told."),
    )
    note = models.CharField(
        _("note"), max_length=300, blank=True, help_text=_("What exactly this role does here.")
    )

    class Meta:
        ordering = ["process", "role"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "process", "role"], name="raci_unique_cell")
        ]
        verbose_name = _("responsibility")
        verbose_name_plural = _("responsibilities")

    def __str__(self) -> str:
        return f"{self.process} · {self.role} · {self.letter}"

    def clean(self) -> None:
        if self.letter == "A" and self.organization_id:
            clash = Responsibility.objects.filter(
                organization_id=self.organization_id, process=self.process, letter="A"
            ).exclude(pk=self.pk)
            if clash.exists():
                raise ValidationError(
                    {
                        "letter": _("A process has one accountable role; %(r)s already is.")
                        % {"r": clash.first().get_role_display()}
                    }
                )  # type: ignore[union-attr]


# --- objectives ---------------------------------------------------------------------------------------


class Objective(OrgScopedModel):
    """A measurable AI objective (6.2) with its plan: what, who, with what, by when, and how it is evaluated.
    When it is linked to a KPI that AIMS measures, its status follows the KPI."""

    object_type = "objective"

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        ON_TRACK = "on_track", _("On track")
        AT_RISK = "at_risk", _("At risk")
        ACHIEVED = "achieved", _("Achieved")
        MISSED = "missed", _("Missed")

    title = models.CharField(
        _("title"),
        max_length=200,
        help_text=_("The objective, for example 'Every high-risk system impact-assessed'."),
    )
    description = models.TextField(
        _("description"), blank=True, help_text=_("Why it matters and how it serves the AI policy.")
    )
    kpi = models.ForeignKey(
        "assurance.KPI",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="objectives",
        verbose_name=_("KPI"),
        help_text=_("The indicator that measures it; its status then follows the KPI."),
    )
    target = models.FloatField(
        _("target"), null=True, blank=True, help_text=_("The value to reach (by default the KPI's target).")
    )
    unit = models.CharField(_("unit"), max_length=16, blank=True, help_text=_("%, days, count…"))
    owner = _user_fk(_("owner"), _("Who answers for reaching it."))
    due_date = models.DateField(_("due"), null=True, blank=True, help_text=_("When it should be reached."))
    plan = models.TextField(_("plan"), blank=True, help_text=_("What will be done to reach it."))
    resources = models.TextField(
        _("resources"), blank=True, help_text=_("People, budget and tools it needs.")
    )
    evaluation = models.TextField(
        _("how results are evaluated"), blank=True, help_text=_("How and when progress is measured.")
    )
    manual_status = models.CharField(
        _("status"),
        max_length=16,
        choices=Status.choices,
        default=Status.NOT_STARTED,
        help_text=_("Used when the objective has no KPI measured by AIMS."),
    )

    class Meta:
        ordering = ["due_date", "title"]
        verbose_name = _("AI objective")
        verbose_name_plural = _("AI objectives")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors = check_references(self, self.organization_id, user_fields=("owner",))
        if errors:
            raise ValidationError(errors)

    @property
    def effective_target(self) -> float | None:
        if self.target is not None:
            return self.target
        return self.kpi.target if self.kpi else None

    @property
    def status(self) -> str:
        """From the KPI when it is measured: achieved when on target, missed after the due date, at risk
        when below target with less than a quarter of a year left, on track otherwise."""
        kpi = self.kpi
        target = self.effective_target
        if kpi is None or kpi.last_value is None or target is None:
            return self.manual_status
        higher = kpi.direction == "higher"
        reached = kpi.last_value >= target if higher else kpi.last_value <= target
        if reached:
            return self.Status.ACHIEVED
        today = timezone.localdate()
        if self.due_date and self.due_date < today:
            return self.Status.MISSED
        if self.due_date and (self.due_date - today).days < 90:
            return self.Status.AT_RISK
        return self.Status.ON_TRACK

    def get_status_display(self) -> str:
        return str(dict(self.Status.choices)[self.status])


# --- competence and training --------------------------------------------------------------------------


class Competence(OrgScopedModel):
    """A competence a role needs (7.2), and the training that gives it."""

    object_type = "competence"

    role = models.CharField(
        _("role"), max_length=32, choices=Role.choices, help_text=_("The role that needs it.")
    )
    name = models.CharField(
        _("competence"), max_length=200, help_text=_("For example 'Fairness metrics and bias testing'.")
    )
    description = models.TextField(
        _("description"), blank=True, help_text=_("What the person must know or be able to do.")
    )
    course = models.CharField(
        _("course that gives it"),
        max_length=200,
        blank=True,
        help_text=_("A training record with this course name counts as having it."),
    )
    validity_months = models.PositiveIntegerField(
        _("valid for (months)"),
        null=True,
        blank=True,
        help_text=_("How long the training stays current; empty for ever."),
    )

    class Meta:
        ordering = ["role", "name"]
        verbose_name = _("competence requirement")
        verbose_name_plural = _("competence requirements")

    def __str__(self) -> str:
        return self.name


class TrainingRecord(OrgScopedModel):
    """Evidence that a person completed a training (7.2): course, date, expiry and evidence."""

    object_type = "training"

    person = models.ForeignKey(
        USER,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("person"),
        help_text=_("Who was trained (a member)."),
    )
    competence = models.ForeignKey(
        Competence,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="records",
        verbose_name=_("competence"),
        help_text=_("The competence it gives, if any."),
    )
    course = models.CharField(_("course"), max_length=200, help_text=_("The training's name."))
    provider = models.CharField(_("provider"), max_length=200, blank=True, help_text=_("Who gave it."))
    completed_on = models.DateField(_("completed on"), help_text=_("When the person completed it."))
    expires_on = models.DateField(
        _("expires on"),
        null=True,
        blank=True,
        help_text=_("When it must be renewed; computed from the competence's validity when left empty."),
    )
    evidence = models.CharField(
        _("evidence"), max_length=300, blank=True, help_text=_("Certificate number or link.")
    )

    class Meta:
        ordering = ["-completed_on"]
        indexes = [models.Index(fields=["organization", "person"], name="training_org_person_idx")]
        verbose_name = _("training record")
        verbose_name_plural = _("training records")

    def __str__(self) -> str:
        return f"{self.course} · {self.person}"

    def clean(self) -> None:
        errors = check_references(self, self.organization_id, user_fields=("person",))
        if self.completed_on and self.completed_on > timezone.localdate():
            errors["completed_on"] = _("A training cannot be completed in the future.")
        if self.expires_on and self.completed_on and self.expires_on < self.completed_on:
            errors["expires_on"] = _("It cannot expire before it was completed.")
        if errors:
            raise ValidationError(errors)
        if self.expires_on is None and self.competence_id and self.completed_on:
            months = (
                Competence.objects.filter(pk=self.competence_id)
                .values_list("validity_months", flat=True)
                .first()
            )
            if months:
                from .dates import add_months

                self.expires_on = add_months(self.completed_on, months)

    @property
    def current(self) -> bool:
        return self.expires_on is None or self.expires_on >= timezone.localdate()


# --- communication and resources --------------------------------------------------------------------


class Communication(OrgScopedModel):
    """A line of the communication plan (7.4) — what, when, to whom, how, who speaks — or, when
    `occurred_on` is set, a record of a communication that took place."""

    object_type = "communication"

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        INTRANET = "intranet", _("Intranet")
        MEETING = "meeting", _("Meeting")
        WEBSITE = "website", _("Website")
        REPORT = "report", _("Formal report")
        LETTER = "letter", _("Letter")

    topic = models.CharField(_("what"), max_length=200, help_text=_("What is communicated."))
    audience = models.CharField(
        _("to whom"), max_length=200, help_text=_("Employees, users, customers, regulator…")
    )
    timing = models.CharField(
        _("when"),
        max_length=200,
        blank=True,
        help_text=_("For example 'after each publication', 'quarterly'."),
    )
    channel = models.CharField(
        _("how"), max_length=16, choices=Channel.choices, default=Channel.EMAIL, help_text=_("The channel.")
    )
    external = models.BooleanField(
        _("external"), default=False, help_text=_("Whether it goes outside the organization.")
    )
    spokesperson_role = models.CharField(
        _("who may communicate"),
        max_length=32,
        choices=Role.choices,
        blank=True,
        help_text=_("The role authorised to speak; external communication needs one."),
    )
    occurred_on = models.DateField(
        _("took place on"),
        null=True,
        blank=True,
        help_text=_("Set for a record of a communication that happened; empty for a plan line."),
    )
    summary = models.TextField(_("summary"), blank=True, help_text=_("What was said."))

    class Meta:
        ordering = ["-occurred_on", "topic"]
        verbose_name = _("communication")
        verbose_name_plural = _("communications")

    def __str__(self) -> str:
        return self.topic

    def clean(self) -> None:
        if self.external and not self.spokesperson_role:
            raise ValidationError(
                {"spokesperson_role": _("Name the role authorised to communicate externally.")}
            )


class ResourceAllocation(OrgScopedModel):
    """Budget, people and tools given to the AIMS or to one AI system (7.1, A.4), reviewed by management."""

    object_type = "resource"

    class Kind(models.TextChoices):
        BUDGET = "budget", _("Budget")
        PEOPLE = "people", _("People")
        TOOLS = "tools", _("Tools")
        COMPUTE = "compute", _("Computing")
        DATA = "data", _("Data")

    kind = models.CharField(
        _("kind"), max_length=16, choices=Kind.choices, help_text=_("What sort of resource.")
    )
    ai_system = models.ForeignKey(
        "inventory.AISystem",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("AI system"),
        help_text=_("Empty for resources of the AIMS as a whole."),
    )
    description = models.CharField(
        _("description"), max_length=300, help_text=_("For example '0.5 FTE ML engineer for monitoring'.")
    )
    amount = models.DecimalField(
        _("amount"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Money or full-time equivalents."),
    )
    unit = models.CharField(_("unit"), max_length=16, blank=True, help_text=_("EUR, FTE, licences…"))
    year = models.PositiveIntegerField(
        _("year"), null=True, blank=True, help_text=_("The year it is allocated for.")
    )
    adequate = models.BooleanField(
        _("adequate"), default=True, help_text=_("Whether the owner judges it sufficient.")
    )

    class Meta:
        ordering = ["-year", "kind"]
        verbose_name = _("resource allocation")
        verbose_name_plural = _("resource allocations")

    def __str__(self) -> str:
        return self.description

    def clean(self) -> None:
        errors = check_references(self, self.organization_id)
        if errors:
            raise ValidationError(errors)


# --- attachments ------------------------------------------------------------------------------------

# What may carry attachments: object type -> model label. The owner's permissions apply: its `view`
# right to list and download, its `change` right to attach and remove.
ATTACHABLE: dict[str, str] = {
    "document": "governance.Document",
    "incident": "assurance.Incident",
    "nonconformity": "assurance.Nonconformity",
    "finding": "assurance.Finding",
}


def attachment_path(instance: models.Model, filename: str) -> str:
    # Server-generated name, never the uploader's (path traversal, overwrites, odd characters).
    import uuid

    return f"governance/{getattr(instance, 'organization_id', 0)}/{uuid.uuid4().hex}"


class Attachment(OrgScopedModel):
    """A file kept with a document (7.5) or as evidence of an incident, a nonconformity or an audit
    finding. The content type is read from the file's first bytes, not from what the browser said;
    the SHA-256 is kept here and in the audit entry, so a replaced file is noticed."""

    object_type = "attachment"  # not in the matrix: the owner's rights apply (see ATTACHABLE)
    protected_fields = OrgScopedModel.protected_fields | {
        "file",
        "filename",
        "content_type",
        "size",
        "sha256",
        "owner_type",
        "owner_id",
    }

    owner_type = models.CharField(
        _("attached to"),
        max_length=20,
        choices=[(k, k) for k in ATTACHABLE],
        help_text=_("The kind of record the file belongs to."),
    )
    owner_id = models.PositiveBigIntegerField(_("record"), help_text=_("The id of the record."))
    file = models.FileField(_("file"), upload_to=attachment_path, editable=False, max_length=200)
    filename = models.CharField(
        _("file name"), max_length=150, editable=False, help_text=_("The name it is downloaded under.")
    )
    content_type = models.CharField(
        _("content type"), max_length=100, editable=False, help_text=_("Read from the file's content.")
    )
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0, editable=False)
    sha256 = models.CharField(
        _("SHA-256"), max_length=64, editable=False, help_text=_("The file's fingerprint.")
    )
    description = models.CharField(
        _("description"),
        max_length=300,
        blank=True,
        help_text=_("What the file is or shows, e.g. 'Signed approval minutes'."),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organization", "owner_type", "owner_id"], name="attachment_owner")]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("governance:attachment-download", args=[self.pk])

    def summary(self) -> dict[str, Any]:
        """What the audit entry records of the file."""
        return {
            "filename": self.filename,
            "content_type": self.content_type,
            "size": self.size,
            "sha256": self.sha256,
            "description": self.description,
        }
