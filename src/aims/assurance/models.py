"""Clauses 9 and 10, and Annex A.3.3 / A.8.3 / A.8.4: incidents and feedback, nonconformities and
corrective actions, internal audits and findings, management reviews, KPIs and the tracked tasks
that everything due turns into."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aims.core.base import OrgScopedModel
from aims.governance.common import check_references

DATA_DIR = Path(__file__).resolve().parent / "data"
USER = settings.AUTH_USER_MODEL


@lru_cache(maxsize=1)
def reporting_rules() -> list[dict[str, Any]]:
    """The regulatory reporting clocks (data/reporting_rules.yaml)."""
    return yaml.safe_load((DATA_DIR / "reporting_rules.yaml").read_text(encoding="utf-8"))


def serious_categories() -> dict[str, dict[str, Any]]:
    rule = reporting_rules()[0]
    return {
        c["key"]: {**c, "article": rule["article"], "authority": rule["authority"]}
        for c in rule["categories"]
    }


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


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class NumberedMixin(models.Model):
    """A per-organization sequence number, shown as PREFIX-n."""

    prefix = "X"
    number = models.PositiveIntegerField(
        _("number"), editable=False, default=0, help_text=_("Sequence number in the organization.")
    )

    class Meta:
        abstract = True

    @property
    def reference(self) -> str:
        return f"{self.prefix}-{self.number}"


# --- incidents and feedback ------------------------------------------------------------------------


class Incident(NumberedMixin, OrgScopedModel):
    """An AI incident: something an AI system did, or failed to do, that harmed or could harm people or
    the organization (A.8.4). Carries its timeline, root cause and, for EU AI Act serious incidents,
    the Art. 73 reporting clock."""

    object_type = "incident"
    prefix = "INC"

    class Type(models.TextChoices):
        BIAS = "bias", _("Bias or discrimination")
        PERFORMANCE = "performance", _("Performance degradation")
        DRIFT = "drift", _("Data or concept drift")
        SECURITY = "security", _("Security")
        PRIVACY = "privacy", _("Privacy")
        SAFETY = "safety", _("Safety")
        MISUSE = "misuse", _("Misuse")
        TRANSPARENCY = "transparency", _("Transparency")
        OTHER = "other", _("Other")

    class Source(models.TextChoices):
        MONITOR = "monitor_alert", _("Monitor alert")
        FEEDBACK = "user_feedback", _("User feedback")
        STAFF = "staff", _("Staff")
        EXTERNAL = "external", _("External (regulator, press, partner)")

    class Status(models.TextChoices):
        REPORTED = "reported", _("Reported")
        TRIAGED = "triaged", _("Triaged")
        INVESTIGATING = "investigating", _("Investigating")
        CONTAINED = "contained", _("Contained")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")
        DISMISSED = "dismissed", _("Dismissed (not an incident)")

    FLOW: dict[str, tuple[str, ...]] = {
        "reported": ("triaged", "dismissed"),
        "triaged": ("investigating", "contained", "dismissed"),
        "investigating": ("contained", "resolved"),
        "contained": ("investigating", "resolved"),
        "resolved": ("closed", "investigating"),
        "closed": ("investigating",),
        "dismissed": ("triaged",),
    }
    OPEN = ("reported", "triaged", "investigating", "contained")

    title = models.CharField(
        _("title"), max_length=200, help_text=_("A short description of what went wrong.")
    )
    description = models.TextField(
        _("description"), blank=True, help_text=_("What happened, as first reported.")
    )
    ai_system = models.ForeignKey(
        "inventory.AISystem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("AI system"),
        help_text=_("The AI system involved, when known."),
    )
    incident_type = models.CharField(
        _("type"),
        max_length=16,
        choices=Type.choices,
        default=Type.OTHER,
        help_text=_("The kind of harm or failure."),
    )
    severity = models.CharField(
        _("severity"),
        max_length=16,
        choices=Severity.choices,
        default=Severity.MEDIUM,
        help_text=_(
            "How much harm it did or could do: critical means serious harm to people or the organization."
        ),
    )
    detection_source = models.CharField(
        _("detected by"),
        max_length=16,
        choices=Source.choices,
        default=Source.STAFF,
        help_text=_("How the organization learned of it."),
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=Status.choices,
        default=Status.REPORTED,
        editable=False,
        help_text=_("Where the incident is in its handling, from reported to closed."),
    )
    owner = _user_fk(_("handler"), _("The person who coordinates the handling of this incident."))
    occurred_at = models.DateTimeField(
        _("occurred"), null=True, blank=True, help_text=_("When it started, if known.")
    )
    detected_at = models.DateTimeField(
        _("became aware"),
        default=timezone.now,
        help_text=_("When the organization became aware of it. Regulatory reporting clocks start here."),
    )
    contained_at = models.DateTimeField(
        _("contained"), null=True, blank=True, editable=False, help_text=_("When the harm stopped spreading.")
    )
    resolved_at = models.DateTimeField(
        _("resolved"), null=True, blank=True, editable=False, help_text=_("When the cause was fixed.")
    )
    closed_at = models.DateTimeField(
        _("closed"), null=True, blank=True, editable=False, help_text=_("When the handling was closed.")
    )
    affected_people = models.TextField(
        _("affected people and groups"),
        blank=True,
        help_text=_("Who was or may have been harmed, for example 'loan applicants over 60'."),
    )
    affected_count = models.PositiveIntegerField(
        _("number of people affected"),
        null=True,
        blank=True,
        help_text=_("An estimate is fine; leave empty when unknown."),
    )
    containment = models.TextField(
        _("containment"), blank=True, help_text=_("What was done to stop the harm quickly.")
    )
    root_cause = models.TextField(
        _("root cause"),
        blank=True,
        help_text=_("Why it happened, found by analysis (for example five whys)."),
    )
    impact = models.TextField(
        _("impact"), blank=True, help_text=_("The consequences for people and for the organization.")
    )
    lessons_learned = models.TextField(
        _("lessons learned"), blank=True, help_text=_("What the organization will do differently.")
    )
    users_communication = models.TextField(
        _("communication to users"),
        blank=True,
        help_text=_("What was told to users and affected people, and when (A.8.4)."),
    )
    serious = models.BooleanField(
        _("serious incident (EU AI Act)"),
        default=False,
        help_text=_(
            "A serious incident under the EU AI Act Art. 3(49): death or serious harm to health, serious disruption of "
            "critical infrastructure, infringement of fundamental rights, or serious harm to property or the environment. "
            "It must be reported to the authority (Art. 73)."
        ),
    )
    serious_category = models.CharField(
        _("serious incident category"),
        max_length=32,
        blank=True,
        help_text=_(
            "Sets the reporting deadline: death (10 days), widespread infringement or critical infrastructure (2 days), other (15 days)."
        ),
    )
    report_due_at = models.DateTimeField(
        _("report to authority due"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Computed from when the organization became aware and the category."),
    )
    authority_reported_at = models.DateTimeField(
        _("reported to authority"),
        null=True,
        blank=True,
        help_text=_("When the report was sent to the authority."),
    )
    authority_reference = models.CharField(
        _("authority reference"),
        max_length=120,
        blank=True,
        help_text=_("The case number the authority gave."),
    )

    protected_fields = OrgScopedModel.protected_fields | {
        "number",
        "status",
        "report_due_at",
        "contained_at",
        "resolved_at",
        "closed_at",
    }

    class Meta:
        ordering = ["-detected_at", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "number"], name="incident_unique_number")
        ]
        indexes = [
            models.Index(fields=["organization", "status"], name="incident_org_status_idx"),
            models.Index(fields=["organization", "report_due_at"], name="incident_org_due_idx"),
        ]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("assurance:incident-detail", args=[self.pk])

    def clean(self) -> None:
        errors: dict[str, Any] = check_references(self, self.organization_id, user_fields=("owner",))
        cats = serious_categories()
        if self.serious:
            if not self.serious_category:
                self.serious_category = "other"
            if self.serious_category not in cats:
                errors["serious_category"] = _("Choose one of: %(c)s") % {"c": ", ".join(cats)}
        elif self.serious_category:
            errors["serious_category"] = _(
                "Only a serious incident has a category: tick 'serious incident' or leave this empty."
            )
        if self.occurred_at and self.detected_at and self.occurred_at > self.detected_at:
            errors["occurred_at"] = _("It cannot have occurred after the organization became aware of it.")
        if self.authority_reported_at and not self.serious:
            errors["authority_reported_at"] = _("Only serious incidents are reported to the authority here.")
        if errors:
            raise ValidationError(errors)
        self.report_due_at = self.compute_report_due()

    def compute_report_due(self) -> dt.datetime | None:
        if not self.serious or not self.detected_at:
            return None
        days = serious_categories().get(self.serious_category or "other", {}).get("days", 15)
        return self.detected_at + dt.timedelta(days=int(days))

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def report_overdue(self) -> bool:
        return bool(
            self.report_due_at and not self.authority_reported_at and self.report_due_at < timezone.now()
        )

    @property
    def serious_rule(self) -> dict[str, Any] | None:
        return serious_categories().get(self.serious_category) if self.serious else None


class IncidentEvent(models.Model):
    """One entry of an incident's timeline: a status change, a containment step, a note."""

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="events", verbose_name=_("incident")
    )
    at = models.DateTimeField(_("time"), default=timezone.now, help_text=_("When it happened."))
    kind = models.CharField(
        _("kind"), max_length=32, default="note", help_text=_("note, status, containment, communication…")
    )
    text = models.TextField(_("what happened"), help_text=_("A sentence for the timeline."))
    author = _user_fk(_("author"), _("Who wrote this entry."))

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("incident timeline entry")
        verbose_name_plural = _("incident timeline entries")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.text[:60]}"


class Feedback(NumberedMixin, OrgScopedModel):
    """A report or concern from a user, an affected person or staff about an AI system (A.3.3, A.8.3),
    triaged into an incident when it describes one."""

    object_type = "feedback"
    prefix = "FB"

    class Kind(models.TextChoices):
        PROBLEM = "problem", _("A problem with a decision or output")
        CONCERN = "concern", _("A concern about how AI is used")
        QUESTION = "question", _("A question")
        SUGGESTION = "suggestion", _("A suggestion")

    class Channel(models.TextChoices):
        PUBLIC = "public_form", _("Public form")
        API = "api", _("API")
        STAFF = "staff", _("Entered by staff")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        IN_REVIEW = "in_review", _("In review")
        INCIDENT = "incident", _("Turned into an incident")
        ANSWERED = "answered", _("Answered")
        DISMISSED = "dismissed", _("Dismissed")

    FLOW: dict[str, tuple[str, ...]] = {
        "new": ("in_review", "answered", "dismissed", "incident"),
        "in_review": ("answered", "dismissed", "incident"),
        "answered": ("in_review",),
        "dismissed": ("in_review",),
        "incident": (),
    }

    ai_system = models.ForeignKey(
        "inventory.AISystem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("AI system"),
        help_text=_("The AI system it is about, when known."),
    )
    kind = models.CharField(
        _("kind"),
        max_length=16,
        choices=Kind.choices,
        default=Kind.PROBLEM,
        help_text=_("What sort of report this is."),
    )
    message = models.TextField(
        _("message"), max_length=5000, help_text=_("What the person reported, in their words.")
    )
    reporter_name = models.CharField(
        _("name"), max_length=120, blank=True, help_text=_("Optional: who reported it.")
    )
    reporter_email = models.EmailField(_("e-mail"), blank=True, help_text=_("Optional: where to answer."))
    channel = models.CharField(
        _("channel"),
        max_length=16,
        choices=Channel.choices,
        default=Channel.STAFF,
        help_text=_("How it reached us."),
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=Status.choices,
        default=Status.NEW,
        editable=False,
        help_text=_("Where it is in triage."),
    )
    triage_note = models.TextField(_("triage note"), blank=True, help_text=_("What was decided and why."))
    incident = models.ForeignKey(
        Incident,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="feedback",
        verbose_name=_("incident"),
        help_text=_("The incident this report became."),
    )
    address_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)

    protected_fields = OrgScopedModel.protected_fields | {
        "number",
        "status",
        "incident",
        "incident_id",
        "address_hash",
    }

    class Meta:
        ordering = ["-created_at", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "number"], name="feedback_unique_number")
        ]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")

    def __str__(self) -> str:
        return f"{self.reference} {self.message[:60]}"

    def clean(self) -> None:
        errors = check_references(self, self.organization_id)
        if not (self.message or "").strip():
            errors["message"] = _("Write what you want to report.")
        if errors:
            raise ValidationError(errors)


# --- nonconformities and corrective actions ---------------------------------------------------------


class Nonconformity(NumberedMixin, OrgScopedModel):
    """A requirement not met (10.2): from an audit, an incident, monitoring or anyone. It is corrected,
    its root cause found, corrective actions taken, and their effectiveness verified before closure."""

    object_type = "nonconformity"
    prefix = "NC"

    class Source(models.TextChoices):
        AUDIT = "audit", _("Internal audit")
        INCIDENT = "incident", _("Incident")
        MONITORING = "monitoring", _("Monitoring")
        FEEDBACK = "feedback", _("Feedback")
        REVIEW = "review", _("Management review")
        OTHER = "other", _("Other")

    class Grade(models.TextChoices):
        MAJOR = "major", _("Major")
        MINOR = "minor", _("Minor")

    class Method(models.TextChoices):
        FIVE_WHYS = "five_whys", _("Five whys")
        FISHBONE = "fishbone", _("Cause-and-effect (fishbone) diagram")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ANALYSED = "analysed", _("Root cause found")
        ACTION_PLANNED = "action_planned", _("Actions planned")
        VERIFYING = "verifying", _("Awaiting effectiveness check")
        CLOSED = "closed", _("Closed")

    FLOW: dict[str, tuple[str, ...]] = {
        "open": ("analysed",),
        "analysed": ("action_planned", "open"),
        "action_planned": ("verifying", "analysed"),
        "verifying": ("closed", "action_planned"),
        "closed": (),
    }
    OPEN = ("open", "analysed", "action_planned", "verifying")

    title = models.CharField(_("title"), max_length=200, help_text=_("The requirement not met, in a line."))
    description = models.TextField(
        _("description"), blank=True, help_text=_("What was found, with the evidence.")
    )
    requirement = models.CharField(
        _("requirement concerned"),
        max_length=120,
        blank=True,
        help_text=_(
            "The clause, control or internal rule not met, for example 'ISO/IEC 42001 9.1' or 'A.6.2.6'."
        ),
    )
    source = models.CharField(
        _("source"),
        max_length=16,
        choices=Source.choices,
        default=Source.OTHER,
        help_text=_("Where it was found."),
    )
    grade = models.CharField(
        _("grade"),
        max_length=8,
        choices=Grade.choices,
        default=Grade.MINOR,
        help_text=_(
            "Major: the requirement is not met at all or the system's outcomes are at risk. Minor: a lapse."
        ),
    )
    ai_system = models.ForeignKey(
        "inventory.AISystem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("AI system"),
        help_text=_("The AI system concerned, if any."),
    )
    incident = models.ForeignKey(
        Incident,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="nonconformities",
        verbose_name=_("incident"),
        help_text=_("The incident that revealed it, if any."),
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=Status.choices,
        default=Status.OPEN,
        editable=False,
        help_text=_("From open to closed after the effectiveness check."),
    )
    owner = _user_fk(_("owner"), _("The person responsible for handling it."))
    due_date = models.DateField(
        _("due"), null=True, blank=True, help_text=_("When the corrective actions should be done.")
    )
    correction = models.TextField(
        _("correction"), blank=True, help_text=_("What was done straight away to fix the situation itself.")
    )
    root_cause_method = models.CharField(
        _("root cause method"),
        max_length=16,
        choices=Method.choices,
        default=Method.FIVE_WHYS,
        help_text=_("How the root cause was found."),
    )
    five_whys = models.JSONField(
        _("five whys"),
        default=list,
        blank=True,
        help_text=_("The chain of 'why?' answers, first to last; the last one is the root cause."),
    )
    root_cause = models.TextField(
        _("root cause"), blank=True, help_text=_("Why it happened: the cause the actions must remove.")
    )
    effectiveness_after_days = models.PositiveIntegerField(
        _("check effectiveness after (days)"),
        default=30,
        help_text=_("How long after the actions are done to check that the problem has not come back."),
    )
    effectiveness_due = models.DateField(
        _("effectiveness check due"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Set when all actions are done."),
    )
    effectiveness_result = models.CharField(
        _("effectiveness"),
        max_length=16,
        blank=True,
        editable=False,
        help_text=_("effective or ineffective, from the last check."),
    )
    effectiveness_note = models.TextField(
        _("effectiveness evidence"),
        blank=True,
        editable=False,
        help_text=_("What showed the actions worked, or did not."),
    )
    verified_by = _user_fk(_("verified by"), _("Who checked the effectiveness."), editable=False)
    verified_at = models.DateTimeField(
        _("verified"), null=True, blank=True, editable=False, help_text=_("When effectiveness was checked.")
    )
    closed_at = models.DateTimeField(
        _("closed"), null=True, blank=True, editable=False, help_text=_("When it was closed.")
    )

    protected_fields = OrgScopedModel.protected_fields | {
        "number",
        "status",
        "effectiveness_due",
        "effectiveness_result",
        "effectiveness_note",
        "verified_by",
        "verified_by_id",
        "verified_at",
        "closed_at",
    }

    class Meta:
        ordering = ["-created_at", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "number"], name="nonconformity_unique_number")
        ]
        indexes = [models.Index(fields=["organization", "status"], name="nc_org_status_idx")]
        verbose_name = _("nonconformity")
        verbose_name_plural = _("nonconformities")

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("assurance:nonconformity-detail", args=[self.pk])

    def clean(self) -> None:
        errors = check_references(self, self.organization_id, user_fields=("owner",))
        if not isinstance(self.five_whys, list) or any(not isinstance(w, str) for w in self.five_whys):
            errors["five_whys"] = _("Give a list of answers, one per 'why?'.")
        elif len(self.five_whys) > 10:
            errors["five_whys"] = _("Ten answers at most.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class CorrectiveAction(OrgScopedModel):
    """An action that removes the cause of a nonconformity so it does not recur (10.2)."""

    object_type = "corrective_action"

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    FLOW: dict[str, tuple[str, ...]] = {
        "planned": ("in_progress", "done", "cancelled"),
        "in_progress": ("done", "cancelled", "planned"),
        "done": ("in_progress",),
        "cancelled": ("planned",),
    }

    nonconformity = models.ForeignKey(
        Nonconformity,
        on_delete=models.CASCADE,
        related_name="actions",
        verbose_name=_("nonconformity"),
        help_text=_("The nonconformity whose cause this action removes."),
    )
    title = models.CharField(_("title"), max_length=200, help_text=_("What will be done, in a line."))
    description = models.TextField(
        _("description"), blank=True, help_text=_("How, and what done looks like.")
    )
    owner = _user_fk(_("owner"), _("The person who carries it out."))
    due_date = models.DateField(_("due"), null=True, blank=True, help_text=_("When it should be done."))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=Status.choices,
        default=Status.PLANNED,
        editable=False,
        help_text=_("planned, in progress, done or cancelled."),
    )
    completed_at = models.DateTimeField(
        _("completed"), null=True, blank=True, editable=False, help_text=_("When it was done.")
    )
    result = models.TextField(_("result"), blank=True, help_text=_("What was actually done, with evidence."))

    protected_fields = OrgScopedModel.protected_fields | {"status", "completed_at"}

    class Meta:
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["organization", "status"], name="ca_org_status_idx")]
        verbose_name = _("corrective action")
        verbose_name_plural = _("corrective actions")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors = check_references(self, self.organization_id, user_fields=("owner",))
        if errors:
            raise ValidationError(errors)

    @property
    def overdue(self) -> bool:
        return bool(
            self.due_date
            and self.status in ("planned", "in_progress")
            and self.due_date < timezone.localdate()
        )


class Improvement(OrgScopedModel):
    """An opportunity for improvement or a lesson learned (10.1), from audits, reviews, incidents or anyone."""

    object_type = "improvement"

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACCEPTED = "accepted", _("Accepted")
        IMPLEMENTED = "implemented", _("Implemented")
        REJECTED = "rejected", _("Rejected")

    title = models.CharField(_("title"), max_length=200, help_text=_("The improvement, in a line."))
    description = models.TextField(
        _("description"), blank=True, help_text=_("What would be better, and why.")
    )
    source = models.CharField(
        _("source"),
        max_length=120,
        blank=True,
        help_text=_("Where it came from: audit, review, incident, idea."),
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=Status.choices,
        default=Status.PROPOSED,
        help_text=_("proposed, accepted, implemented or rejected."),
    )
    owner = _user_fk(_("owner"), _("Who takes it forward."))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("improvement")
        verbose_name_plural = _("improvements")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors = check_references(self, self.organization_id, user_fields=("owner",))
        if errors:
            raise ValidationError(errors)


# --- internal audit --------------------------------------------------------------------------------


class AuditProgramme(OrgScopedModel):
    """The plan of internal audits for a cycle (9.2.2): over the cycle every clause and every applicable
    control is audited at least once."""

    object_type = "audit_programme"

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")

    title = models.CharField(
        _("title"), max_length=200, help_text=_("For example 'Internal audit programme 2025-2027'.")
    )
    start_year = models.PositiveIntegerField(_("first year"), help_text=_("The first year of the cycle."))
    end_year = models.PositiveIntegerField(
        _("last year"), help_text=_("The last year of the cycle (a certification cycle is three years).")
    )
    objectives = models.TextField(_("objectives"), blank=True, help_text=_("What the programme must show."))
    method = models.TextField(
        _("method"), blank=True, help_text=_("How audits are planned, performed and reported.")
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=Status.choices,
        default=Status.DRAFT,
        editable=False,
        help_text=_("An approved programme is the plan top management agreed."),
    )
    approved_by = _user_fk(_("approved by"), _("Who approved the programme."), editable=False)
    approved_at = models.DateTimeField(
        _("approved"), null=True, blank=True, editable=False, help_text=_("When it was approved.")
    )

    protected_fields = OrgScopedModel.protected_fields | {
        "status",
        "approved_by",
        "approved_by_id",
        "approved_at",
    }

    class Meta:
        ordering = ["-start_year"]
        verbose_name = _("audit programme")
        verbose_name_plural = _("audit programmes")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.start_year and self.end_year and self.end_year < self.start_year:
            raise ValidationError({"end_year": _("The last year cannot be before the first year.")})


class Audit(NumberedMixin, OrgScopedModel):
    """One internal audit (9.2): scope, criteria, dates, auditors, checklist, findings and report."""

    object_type = "audit"
    prefix = "AUD"

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        REPORTED = "reported", _("Reported")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    FLOW: dict[str, tuple[str, ...]] = {
        "planned": ("in_progress", "cancelled"),
        "in_progress": ("reported", "planned"),
        "reported": ("closed", "in_progress"),
        "closed": (),
        "cancelled": ("planned",),
    }

    programme = models.ForeignKey(
        AuditProgramme,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audits",
        verbose_name=_("programme"),
        help_text=_("The audit programme this audit belongs to."),
    )
    title = models.CharField(
        _("title"), max_length=200, help_text=_("For example 'Incident management and monitoring'.")
    )
    scope = models.TextField(
        _("scope"), blank=True, help_text=_("What is audited: processes, AI systems, units, sites.")
    )
    criteria = models.TextField(
        _("criteria"),
        blank=True,
        help_text=_("What it is audited against: ISO/IEC 42001, the AI policy, procedures."),
    )
    clauses = models.JSONField(
        _("clauses and controls"),
        default=list,
        blank=True,
        help_text=_("The clause and Annex A control numbers covered, for example ['9.1', 'A.6.2.6']."),
    )
    processes = models.JSONField(
        _("processes audited"),
        default=list,
        blank=True,
        help_text=_(
            "The AIMS processes audited (inventory, risk, incidents…); auditors may not be responsible for them."
        ),
    )
    planned_start = models.DateField(_("planned start"), help_text=_("First day of the audit."))
    planned_end = models.DateField(
        _("planned end"), null=True, blank=True, help_text=_("Last day of the audit.")
    )
    lead_auditor = _user_fk(_("lead auditor"), _("The person who leads the audit and signs the report."))
    auditors = models.ManyToManyField(
        USER,
        blank=True,
        related_name="+",
        verbose_name=_("auditors"),
        help_text=_("The other members of the audit team."),
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=Status.choices,
        default=Status.PLANNED,
        editable=False,
        help_text=_("planned, in progress, reported, closed."),
    )
    summary = models.TextField(
        _("summary"), blank=True, help_text=_("The audit report's summary and conclusion.")
    )
    reported_at = models.DateTimeField(
        _("reported"), null=True, blank=True, editable=False, help_text=_("When the report was issued.")
    )

    protected_fields = OrgScopedModel.protected_fields | {"number", "status", "reported_at"}

    class Meta:
        ordering = ["-planned_start", "-number"]
        constraints = [models.UniqueConstraint(fields=["organization", "number"], name="audit_unique_number")]
        verbose_name = _("audit")
        verbose_name_plural = _("audits")

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("assurance:audit-detail", args=[self.pk])

    def clean(self) -> None:
        from aims.governance.models import PROCESS_KEYS

        errors = check_references(self, self.organization_id, user_fields=("lead_auditor",))
        if self.planned_end and self.planned_start and self.planned_end < self.planned_start:
            errors["planned_end"] = _("The end cannot be before the start.")
        if not isinstance(self.clauses, list) or any(not isinstance(c, str) for c in self.clauses):
            errors["clauses"] = _("Give a list of clause or control numbers.")
        else:
            from .checklists import known_refs

            unknown = [c for c in self.clauses if c not in known_refs()]
            if unknown:
                errors["clauses"] = _("Not in ISO/IEC 42001: %(u)s") % {"u": ", ".join(unknown)}
        if not isinstance(self.processes, list) or any(p not in PROCESS_KEYS for p in self.processes):
            errors["processes"] = _("Choose from: %(p)s") % {"p": ", ".join(PROCESS_KEYS)}
        if errors:
            raise ValidationError(errors)


class ChecklistItem(models.Model):
    """One question of an audit's checklist, generated from the catalog and the Statement of Applicability."""

    class Result(models.TextChoices):
        NOT_CHECKED = "not_checked", _("Not checked yet")
        CONFORMING = "conforming", _("Conforming")
        NONCONFORMING = "nonconforming", _("Nonconforming")
        OBSERVATION = "observation", _("Observation")
        NOT_APPLICABLE = "not_applicable", _("Not applicable")

    audit = models.ForeignKey(
        Audit, on_delete=models.CASCADE, related_name="checklist", verbose_name=_("audit")
    )
    ref = models.CharField(_("reference"), max_length=32, help_text=_("Clause or control number."))
    title = models.CharField(_("title"), max_length=300, help_text=_("Its title."))
    question = models.TextField(_("question"), help_text=_("What the auditor checks."))
    evidence_expected = models.TextField(
        _("evidence expected"), blank=True, help_text=_("The records an auditor asks for.")
    )
    order = models.PositiveIntegerField(default=0)
    result = models.CharField(
        _("result"),
        max_length=16,
        choices=Result.choices,
        default=Result.NOT_CHECKED,
        help_text=_("What the auditor concluded."),
    )
    notes = models.TextField(
        _("notes"), blank=True, help_text=_("What was seen: documents, records, interviews.")
    )

    class Meta:
        ordering = ["order", "pk"]
        constraints = [models.UniqueConstraint(fields=["audit", "ref"], name="checklist_unique_ref")]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"


class Finding(OrgScopedModel):
    """What an audit found (9.2): a major or minor nonconformity (which raises a nonconformity record), an
    observation, or an opportunity for improvement."""

    object_type = "finding"

    class Kind(models.TextChoices):
        MAJOR = "major_nc", _("Major nonconformity")
        MINOR = "minor_nc", _("Minor nonconformity")
        OBSERVATION = "observation", _("Observation")
        OPPORTUNITY = "opportunity", _("Opportunity for improvement")

    audit = models.ForeignKey(
        Audit,
        on_delete=models.CASCADE,
        related_name="findings",
        verbose_name=_("audit"),
        help_text=_("The audit that found it."),
    )
    kind = models.CharField(
        _("kind"),
        max_length=16,
        choices=Kind.choices,
        help_text=_(
            "Major: a requirement is not met at all or its failure puts outcomes at risk. Minor: a lapse. Observation: "
            "a weakness that could become a nonconformity. Opportunity: something that could be better."
        ),
    )
    requirement = models.CharField(
        _("requirement"),
        max_length=120,
        blank=True,
        help_text=_("The clause or control concerned, for example '9.1'."),
    )
    title = models.CharField(_("title"), max_length=200, help_text=_("The finding, in a line."))
    description = models.TextField(
        _("description"), blank=True, help_text=_("What was found and what was expected.")
    )
    evidence = models.TextField(
        _("evidence"), blank=True, help_text=_("What the auditor saw: records, samples, interviews.")
    )
    nonconformity = models.OneToOneField(
        Nonconformity,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="finding",
        verbose_name=_("nonconformity"),
        help_text=_("The nonconformity raised by this finding."),
    )
    improvement = models.OneToOneField(
        Improvement,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="finding",
        verbose_name=_("improvement"),
        help_text=_("The improvement logged from this finding."),
    )

    protected_fields = OrgScopedModel.protected_fields | {
        "nonconformity",
        "nonconformity_id",
        "improvement",
        "improvement_id",
    }

    class Meta:
        ordering = ["audit", "pk"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors = check_references(self, self.organization_id)
        if errors:
            raise ValidationError(errors)

    @property
    def is_nonconformity(self) -> bool:
        return self.kind in (self.Kind.MAJOR, self.Kind.MINOR)


# --- management review -----------------------------------------------------------------------------


class ManagementReview(OrgScopedModel):
    """Top management's review of the AIMS (9.3): the input pack AIMS compiles, the meeting, and its
    decisions and actions."""

    object_type = "management_review"

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        CLOSED = "closed", _("Closed (minutes approved)")

    FLOW: dict[str, tuple[str, ...]] = {"planned": ("held",), "held": ("closed", "planned"), "closed": ()}

    title = models.CharField(_("title"), max_length=200, help_text=_("For example 'Management review 2025'."))
    scheduled_for = models.DateField(
        _("scheduled for"), help_text=_("The date of the meeting. Hold one at least yearly.")
    )
    period_start = models.DateField(
        _("period from"),
        null=True,
        blank=True,
        help_text=_("The start of the period reviewed; by default the previous review's date."),
    )
    held_on = models.DateField(
        _("held on"), null=True, blank=True, editable=False, help_text=_("When the meeting took place.")
    )
    chair = _user_fk(_("chair"), _("The member of top management who chairs it."))
    attendees = models.ManyToManyField(
        USER, blank=True, related_name="+", verbose_name=_("attendees"), help_text=_("Who took part.")
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=Status.choices,
        default=Status.PLANNED,
        editable=False,
        help_text=_("planned, held, closed."),
    )
    inputs = models.JSONField(
        _("input pack"),
        default=dict,
        blank=True,
        editable=False,
        help_text=_("The inputs AIMS compiled (frozen when the meeting is held)."),
    )
    minutes = models.TextField(_("minutes"), blank=True, help_text=_("What was discussed."))
    conclusions = models.TextField(
        _("conclusions"),
        blank=True,
        help_text=_("Top management's conclusion on whether the AIMS is suitable, adequate and effective."),
    )
    approved_by = _user_fk(_("approved by"), _("Who approved the minutes."), editable=False)
    closed_at = models.DateTimeField(
        _("closed"), null=True, blank=True, editable=False, help_text=_("When the minutes were approved.")
    )

    protected_fields = OrgScopedModel.protected_fields | {
        "status",
        "held_on",
        "inputs",
        "approved_by",
        "approved_by_id",
        "closed_at",
    }

    class Meta:
        ordering = ["-scheduled_for"]
        verbose_name = _("management review")
        verbose_name_plural = _("management reviews")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("assurance:review-detail", args=[self.pk])

    def clean(self) -> None:
        errors = check_references(self, self.organization_id, user_fields=("chair",))
        if self.period_start and self.scheduled_for and self.period_start > self.scheduled_for:
            errors["period_start"] = _("The period starts before the meeting.")
        if errors:
            raise ValidationError(errors)


class ReviewDecision(models.Model):
    """A decision of a management review (9.3.3); one with an owner and a due date becomes a tracked task."""

    class Kind(models.TextChoices):
        IMPROVEMENT = "improvement", _("Continual improvement opportunity")
        CHANGE = "change", _("Change to the AIMS")
        RESOURCES = "resources", _("Resources")
        OTHER = "other", _("Other")

    review = models.ForeignKey(
        ManagementReview, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("review")
    )
    kind = models.CharField(
        _("kind"),
        max_length=16,
        choices=Kind.choices,
        default=Kind.IMPROVEMENT,
        help_text=_("What it decides about."),
    )
    text = models.TextField(_("decision"), help_text=_("What was decided."))
    owner = _user_fk(_("owner"), _("Who carries out the resulting action."))
    due_date = models.DateField(
        _("due"), null=True, blank=True, help_text=_("When the action should be done.")
    )
    task = models.OneToOneField(
        "Task",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("task"),
        help_text=_("The tracked action."),
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("review decision")
        verbose_name_plural = _("review decisions")

    def __str__(self) -> str:
        return self.text[:80]


# --- KPIs and tasks --------------------------------------------------------------------------------


class KPI(OrgScopedModel):
    """A key performance indicator (9.1): computed by AIMS from its data (built-in) or measured by the
    organization (custom), with a target and a trend."""

    object_type = "kpi"

    class Category(models.TextChoices):
        COVERAGE = "coverage", _("Coverage")
        COMPLIANCE = "compliance", _("Compliance")
        INCIDENTS = "incidents", _("Incidents")
        FAIRNESS = "fairness", _("Fairness")
        MATURITY = "maturity", _("Maturity")
        TRAINING = "training", _("Training and awareness")
        IMPROVEMENT = "improvement", _("Improvement")
        CUSTOM = "custom", _("Custom")

    class Direction(models.TextChoices):
        HIGHER = "higher", _("Higher is better")
        LOWER = "lower", _("Lower is better")

    key = models.SlugField(
        _("key"), max_length=64, help_text=_("Short identifier, unique in the organization.")
    )
    name = models.CharField(_("name"), max_length=200, help_text=_("What is measured."))
    description = models.TextField(
        _("description"), blank=True, help_text=_("How it is computed and why it matters.")
    )
    category = models.CharField(
        _("category"),
        max_length=16,
        choices=Category.choices,
        default=Category.CUSTOM,
        help_text=_("The area it measures."),
    )
    builtin = models.CharField(
        _("computed by AIMS"),
        max_length=64,
        blank=True,
        help_text=_(
            "The name of the AIMS computation behind it; empty for a KPI the organization measures itself."
        ),
    )
    unit = models.CharField(_("unit"), max_length=16, blank=True, default="%", help_text=_("%, days, count…"))
    target = models.FloatField(_("target"), null=True, blank=True, help_text=_("The value to reach."))
    direction = models.CharField(
        _("direction"),
        max_length=8,
        choices=Direction.choices,
        default=Direction.HIGHER,
        help_text=_("Whether a higher or a lower value is better."),
    )
    last_value = models.FloatField(
        _("latest value"), null=True, blank=True, editable=False, help_text=_("The latest measurement.")
    )
    last_measured_at = models.DateTimeField(
        _("last measured"), null=True, blank=True, editable=False, help_text=_("When.")
    )

    protected_fields = OrgScopedModel.protected_fields | {"last_value", "last_measured_at"}

    class Meta:
        ordering = ["category", "name"]
        constraints = [models.UniqueConstraint(fields=["organization", "key"], name="kpi_unique_key")]
        verbose_name = _("KPI")
        verbose_name_plural = _("KPIs")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from .kpis import BUILTINS

        if self.builtin and self.builtin not in BUILTINS:
            raise ValidationError({"builtin": _("Choose one of: %(b)s") % {"b": ", ".join(BUILTINS)}})
        if (
            self.key
            and self.organization_id
            and KPI.objects.filter(organization_id=self.organization_id, key=self.key)
            .exclude(pk=self.pk)
            .exists()
        ):
            raise ValidationError({"key": _("Another KPI in this organization already uses this key.")})

    @property
    def on_target(self) -> bool | None:
        if self.target is None or self.last_value is None:
            return None
        return (
            self.last_value >= self.target
            if self.direction == self.Direction.HIGHER
            else self.last_value <= self.target
        )


class KPIMeasurement(models.Model):
    """One value of a KPI at a time: the series behind its trend."""

    kpi = models.ForeignKey(KPI, on_delete=models.CASCADE, related_name="measurements", verbose_name=_("KPI"))
    at = models.DateTimeField(
        _("measured"), default=timezone.now, help_text=_("When the value was measured.")
    )
    value = models.FloatField(_("value"), help_text=_("The measured value."))
    note = models.CharField(_("note"), max_length=200, blank=True, help_text=_("Where it came from."))

    class Meta:
        ordering = ["kpi", "at"]
        indexes = [models.Index(fields=["kpi", "at"], name="kpi_measure_at_idx")]
        verbose_name = _("KPI measurement")
        verbose_name_plural = _("KPI measurements")

    def __str__(self) -> str:
        return f"{self.kpi_id} {self.at:%Y-%m-%d} {self.value}"


class Task(OrgScopedModel):
    """Something someone must do by a date: a review, an approval, an action, an acknowledgement. The worker
    creates tasks from every date AIMS knows and reminds the assignee once."""

    object_type = "task"

    class Kind(models.TextChoices):
        REVIEW = "review", _("Review")
        APPROVAL = "approval", _("Approval")
        ACTION = "action", _("Action")
        ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement")
        REPORT = "report", _("Report to an authority")
        TRAINING = "training", _("Training")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    title = models.CharField(_("title"), max_length=300, help_text=_("What to do."))
    kind = models.CharField(
        _("kind"), max_length=16, choices=Kind.choices, default=Kind.ACTION, help_text=_("What sort of task.")
    )
    assignee = _user_fk(_("assignee"), _("The person who must do it."))
    assignee_role = models.CharField(
        _("role"),
        max_length=32,
        blank=True,
        help_text=_("When no one person is named: the role whose members may do it."),
    )
    due_date = models.DateField(_("due"), null=True, blank=True, help_text=_("When it is due."))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=Status.choices,
        default=Status.OPEN,
        help_text=_("open, done or cancelled."),
    )
    link = models.CharField(_("link"), max_length=300, blank=True, help_text=_("Where in AIMS to do it."))
    source_key = models.CharField(
        max_length=120,
        blank=True,
        editable=False,
        help_text=_("For tasks AIMS generates: what they come from, so each is created once."),
    )
    reminded_at = models.DateTimeField(
        _("reminded"), null=True, blank=True, editable=False, help_text=_("When the reminder was sent.")
    )
    completed_at = models.DateTimeField(
        _("completed"), null=True, blank=True, editable=False, help_text=_("When it was done.")
    )

    protected_fields = OrgScopedModel.protected_fields | {"source_key", "reminded_at", "completed_at"}

    class Meta:
        ordering = ["due_date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "source_key"],
                condition=~models.Q(source_key=""),
                name="task_unique_source",
            )
        ]
        indexes = [
            models.Index(fields=["organization", "status", "due_date"], name="task_org_status_due_idx")
        ]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        from aims.core.roles import Role

        errors = check_references(self, self.organization_id, user_fields=("assignee",))
        if self.assignee_role and self.assignee_role not in Role.values:
            errors["assignee_role"] = _("Choose one of: %(r)s") % {"r": ", ".join(Role.values)}
        if errors:
            raise ValidationError(errors)

    @property
    def overdue(self) -> bool:
        return bool(
            self.status == self.Status.OPEN and self.due_date and self.due_date < timezone.localdate()
        )
