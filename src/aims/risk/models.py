"""Clauses 6.1 and 8.2-8.4: the risk method, the risk register, treatment actions, acceptances,
reassessments, and AI system impact assessments (A.5.2-A.5.5).

Levels are never typed in: a risk stores its likelihood and impact, and its levels are looked up in
the matrix of the organization's current method (`RiskMethodology.level_for`). Changing the method
creates a new version and recomputes every risk in a background task (`tasks.recompute_levels`)."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aims.core.base import OrgScopedModel
from aims.core.roles import Role
from aims.inventory.models import AISystem, InterestedParty

from . import taxonomy


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the 31st becomes the month's last day)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class TreatmentOption(models.TextChoices):
    MITIGATE = "mitigate", _("Mitigate (reduce likelihood or impact)")
    AVOID = "avoid", _("Avoid (stop or change the activity)")
    TRANSFER = "transfer", _("Transfer or share (insurance, contract, supplier)")
    ACCEPT = "accept", _("Accept (retain the risk knowingly)")


# --- the method -----------------------------------------------------------------------------------


class RiskMethodology(OrgScopedModel):
    """One version of the organization's AI risk method (clause 6.1.1-6.1.2): scales, matrix,
    levels, appetite, who may accept, how often to review. Only the latest version is current;
    older versions stay readable."""

    object_type = "risk_methodology"
    protected_fields = OrgScopedModel.protected_fields | {"number", "is_current"}

    number = models.PositiveIntegerField(_("version number"), editable=False)
    is_current = models.BooleanField(_("current"), default=True, editable=False)
    name = models.CharField(_("name"), max_length=200, default="AI risk method")
    size = models.PositiveSmallIntegerField(
        _("scale size"),
        choices=[(3, "3 × 3"), (4, "4 × 4"), (5, "5 × 5")],
        default=5,
        help_text=_("How many steps the likelihood and impact scales have."),
    )
    likelihood_scale = models.JSONField(
        _("likelihood scale"),
        default=list,
        help_text=_(
            "From least to most likely: a name and a description for each step, so that two people "
            "rating the same risk choose the same step."
        ),
    )
    impact_scale = models.JSONField(
        _("impact scale"),
        default=list,
        help_text=_(
            "From mildest to worst: a name and a description of the harm, to people and to the organization."
        ),
    )
    levels = models.JSONField(
        _("risk levels"),
        default=list,
        help_text=_(
            "From lowest to highest: key, name, colour, and how many months until a risk at this "
            "level must be reviewed again."
        ),
    )
    matrix = models.JSONField(
        _("risk matrix"),
        default=list,
        help_text=_("For each likelihood (row) and impact (column), the risk level that combination gives."),
    )
    appetite = models.CharField(
        _("risk appetite"),
        max_length=32,
        default="medium",
        help_text=_(
            "The highest level that may be accepted without treatment. Accepting a risk above it "
            "needs one of the roles named below."
        ),
    )
    acceptance_roles = models.JSONField(
        _("who may accept within the appetite"),
        default=list,
        help_text=_("Roles that may sign off a risk at or below the appetite."),
    )
    above_appetite_roles = models.JSONField(
        _("who may accept above the appetite"),
        default=list,
        help_text=_("Roles that may sign off a risk above the appetite (usually top management only)."),
    )
    treatment_options = models.JSONField(
        _("treatment options"),
        default=list,
        help_text=_(
            "The ways of dealing with a risk the organization uses: mitigate, avoid, transfer, accept."
        ),
    )
    impact_feed_level = models.CharField(
        _("impact level that creates a risk"),
        max_length=32,
        default="high",
        help_text=_("An impact assessed at this level or above creates (or updates) a risk in the register."),
    )
    change_note = models.TextField(
        _("reason for the change"), blank=True, help_text=_("Why this version differs from the previous one.")
    )

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "number"], name="riskmethod_unique_number"),
        ]
        verbose_name = _("risk methodology")
        verbose_name_plural = _("risk methodology versions")

    def __str__(self) -> str:
        return f"{self.name} v{self.number}"

    # The lookups every computation uses.

    def level_keys(self) -> list[str]:
        return [lvl["key"] for lvl in self.levels]

    def level(self, key: str) -> dict[str, Any] | None:
        return next((lvl for lvl in self.levels if lvl["key"] == key), None)

    def rank(self, key: str) -> int:
        """0 for the lowest level; -1 for an unknown key."""
        keys = self.level_keys()
        return keys.index(key) if key in keys else -1

    def level_for(self, likelihood: int, impact: int) -> dict[str, Any]:
        """The level of a likelihood x impact cell, exactly as the matrix says."""
        if not (1 <= likelihood <= self.size and 1 <= impact <= self.size):
            raise ValueError(f"likelihood and impact go from 1 to {self.size}")
        level = self.level(self.matrix[likelihood - 1][impact - 1])
        assert level is not None  # clean() guarantees every cell names a level
        return level

    def review_months(self, key: str) -> int:
        level = self.level(key)
        return int(level["review_months"]) if level else 12

    def above_appetite(self, key: str) -> bool:
        return self.rank(key) > self.rank(self.appetite)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        size = self.size
        if size not in (3, 4, 5):
            errors["size"] = _("Choose 3, 4 or 5.")
            raise ValidationError(errors)
        for field in ("likelihood_scale", "impact_scale"):
            scale = getattr(self, field)
            if not isinstance(scale, list) or len(scale) != size:
                errors[field] = _("Give exactly %(n)d steps.") % {"n": size}
            elif any(not isinstance(s, dict) or not str(s.get("name", "")).strip() for s in scale):
                errors[field] = _("Every step needs a name.")
            else:
                setattr(
                    self,
                    field,
                    [
                        {
                            "name": str(s["name"]).strip()[:80],
                            "description": str(s.get("description", "")).strip()[:500],
                        }
                        for s in scale
                    ],
                )
        levels = self.levels
        keys: list[str] = []
        if not isinstance(levels, list) or not 2 <= len(levels) <= 6:
            errors["levels"] = _("Give between 2 and 6 levels, lowest first.")
        else:
            for lvl in levels:
                if (
                    not isinstance(lvl, dict)
                    or not str(lvl.get("key", "")).strip()
                    or not str(lvl.get("name", "")).strip()
                ):
                    errors["levels"] = _("Every level needs a key and a name.")
                    break
                if lvl.get("colour") not in taxonomy.COLOUR_KEYS:
                    errors["levels"] = _("Colour of %(name)s: choose from %(c)s.") % {
                        "name": lvl.get("name"),
                        "c": ", ".join(taxonomy.COLOUR_KEYS),
                    }
                    break
                try:
                    months = int(lvl.get("review_months", 0))
                except (TypeError, ValueError):
                    months = 0
                if not 1 <= months <= 60:
                    errors["levels"] = _("Review frequency of %(name)s: between 1 and 60 months.") % {
                        "name": lvl.get("name")
                    }
                    break
                keys.append(str(lvl["key"]).strip())
            if len(set(keys)) != len(keys):
                errors["levels"] = _("Level keys must be different from each other.")
            if "levels" not in errors:
                self.levels = [
                    {
                        "key": str(lvl["key"]).strip()[:32],
                        "name": str(lvl["name"]).strip()[:60],
                        "colour": lvl["colour"],
                        "review_months": int(lvl["review_months"]),
                        "description": str(lvl.get("description", "")).strip()[:500],
                    }
                    for lvl in levels
                ]
        if "levels" not in errors:
            matrix = self.matrix
            if (
                not isinstance(matrix, list)
                or len(matrix) != size
                or any(not isinstance(row, list) or len(row) != size for row in matrix)
            ):
                errors["matrix"] = _("Give %(n)d rows of %(n)d levels (likelihood rows, impact columns).") % {
                    "n": size
                }
            elif any(cell not in keys for row in matrix for cell in row):
                errors["matrix"] = _("Every cell must name one of the levels: %(k)s.") % {
                    "k": ", ".join(keys)
                }
            for field in ("appetite", "impact_feed_level"):
                if getattr(self, field) not in keys:
                    errors[field] = _("Choose one of the levels: %(k)s.") % {"k": ", ".join(keys)}
        for field in ("acceptance_roles", "above_appetite_roles"):
            roles = getattr(self, field)
            if not isinstance(roles, list) or any(r not in Role.values for r in roles):
                errors[field] = _("Choose from: %(r)s.") % {"r": ", ".join(Role.values)}
            elif Role.EXTERNAL_AUDITOR in roles:
                errors[field] = _("The external auditor reads; it cannot accept risks.")
        if not self.above_appetite_roles and "above_appetite_roles" not in errors:
            errors["above_appetite_roles"] = _("Name at least one role that may accept above the appetite.")
        options = self.treatment_options
        if (
            not isinstance(options, list)
            or not options
            or any(o not in TreatmentOption.values for o in options)
        ):
            errors["treatment_options"] = _("Choose at least one of: %(o)s.") % {
                "o": ", ".join(TreatmentOption.values)
            }
        if errors:
            raise ValidationError(errors)


class RiskCategory(OrgScopedModel):
    """A kind of AI risk. The nine built-in ones (bias, transparency, privacy, ...) are created for
    every organization and mapped to ISO/IEC 42001 Annex C; an organization adds its own."""

    object_type = "risk_category"
    protected_fields = OrgScopedModel.protected_fields | {"builtin"}

    key = models.SlugField(
        _("key"), max_length=60, help_text=_("Short identifier, used in filters and imports.")
    )
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    builtin = models.BooleanField(_("built in"), default=False, editable=False)
    annex_c_objectives = models.JSONField(
        _("Annex C objectives"),
        default=list,
        blank=True,
        help_text=_(
            "The organizational objectives this kind of risk threatens (ISO/IEC 42001 Annex C.2), e.g. C.2.5 Fairness."
        ),
    )
    annex_c_sources = models.JSONField(
        _("Annex C risk sources"),
        default=list,
        blank=True,
        help_text=_(
            "Where this kind of risk comes from (ISO/IEC 42001 Annex C.3), e.g. C.3.4 machine learning."
        ),
    )
    controls = models.JSONField(
        _("typical controls"),
        default=list,
        blank=True,
        help_text=_("ISO/IEC 42001 Annex A controls that usually treat it, e.g. A.7.4."),
    )
    ai_act = models.CharField(_("EU AI Act references"), max_length=300, blank=True)

    class Meta:
        ordering = ["-builtin", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "key"], name="riskcategory_unique_key")
        ]
        verbose_name = _("risk category")
        verbose_name_plural = _("risk categories")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if not isinstance(self.annex_c_objectives, list) or any(
            o not in taxonomy.ANNEX_C_OBJECTIVES for o in self.annex_c_objectives
        ):
            errors["annex_c_objectives"] = _("Choose from: %(c)s.") % {
                "c": ", ".join(taxonomy.ANNEX_C_OBJECTIVES)
            }
        if not isinstance(self.annex_c_sources, list) or any(
            s not in taxonomy.ANNEX_C_SOURCES for s in self.annex_c_sources
        ):
            errors["annex_c_sources"] = _("Choose from: %(c)s.") % {"c": ", ".join(taxonomy.ANNEX_C_SOURCES)}
        if not isinstance(self.controls, list) or any(
            not isinstance(c, str) or len(c) > 20 for c in self.controls
        ):
            errors["controls"] = _("Give a list of control ids such as A.7.4.")
        if self.key and self.organization_id:
            clash = RiskCategory.objects.filter(organization_id=self.organization_id, key=self.key).exclude(
                pk=self.pk
            )
            if clash.exists():
                errors["key"] = _("Another category already uses this key.")
        if errors:
            raise ValidationError(errors)


# --- the register ---------------------------------------------------------------------------------


class Risk(OrgScopedModel):
    """One AI risk in the register (clauses 6.1.2 and 8.2): what can happen, why, how likely and how
    bad, what controls it, who owns it, how it is treated, and what is left afterwards."""

    object_type = "risk"
    protected_fields = OrgScopedModel.protected_fields | {
        "number",
        "methodology",
        "inherent_level",
        "inherent_rank",
        "residual_level",
        "residual_rank",
        "level",
        "rank",
        "next_review_date",
        "last_assessed_on",
        "review_due",
        "review_due_reason",
    }

    class Status(models.TextChoices):
        IDENTIFIED = "identified", _("Identified")
        ASSESSED = "assessed", _("Assessed")
        TREATMENT_PLANNED = "treatment_planned", _("Treatment planned")
        IN_TREATMENT = "in_treatment", _("In treatment")
        ACCEPTED = "accepted", _("Accepted")
        CLOSED = "closed", _("Closed")

    number = models.PositiveIntegerField(_("number"), editable=False)
    title = models.CharField(
        _("title"), max_length=200, help_text=_("The risk in a few words: what could go wrong.")
    )
    description = models.TextField(
        _("description"),
        blank=True,
        help_text=_("The event and its consequences, for people and for the organization."),
    )
    ai_systems = models.ManyToManyField(
        AISystem,
        blank=True,
        related_name="risks",
        verbose_name=_("AI systems"),
        help_text=_("The AI systems it concerns. Leave empty for a risk of the organization as a whole."),
    )
    category = models.ForeignKey(
        RiskCategory,
        on_delete=models.PROTECT,
        related_name="risks",
        verbose_name=_("category"),
        help_text=_(
            "The kind of AI risk; each is mapped to the objectives and risk sources of ISO/IEC 42001 Annex C."
        ),
    )
    lifecycle_stage = models.CharField(
        _("lifecycle stage"),
        max_length=16,
        choices=AISystem.Stage.choices,
        blank=True,
        help_text=_("The stage of the AI system's life where the risk arises."),
    )
    root_causes = models.TextField(
        _("root causes"), blank=True, help_text=_("Why it could happen: the sources of the risk.")
    )
    likelihood = models.PositiveSmallIntegerField(
        _("likelihood"),
        null=True,
        blank=True,
        help_text=_("How likely it is today, on the method's likelihood scale (1 = lowest)."),
    )
    impact = models.PositiveSmallIntegerField(
        _("impact"),
        null=True,
        blank=True,
        help_text=_("How bad it would be, on the method's impact scale (1 = mildest)."),
    )
    rationale = models.TextField(
        _("rationale"),
        blank=True,
        help_text=_("Why this likelihood and this impact: the evidence and reasoning."),
    )
    existing_controls = models.TextField(
        _("existing controls"), blank=True, help_text=_("What already reduces the risk today.")
    )
    additional_controls = models.TextField(
        _("additional controls required"),
        blank=True,
        help_text=_("What more is needed to bring the risk down to an acceptable level."),
    )
    control_refs = models.JSONField(
        _("related controls"),
        default=list,
        blank=True,
        help_text=_(
            "Ids of the controls (e.g. ISO/IEC 42001 A.7.4) that treat this risk; linked to the control library once it exists."
        ),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
        help_text=_("The person accountable for managing this risk. Must be a member."),
    )
    treatment = models.CharField(
        _("treatment decision"),
        max_length=16,
        choices=TreatmentOption.choices,
        blank=True,
        help_text=_("How the organization deals with the risk."),
    )
    treatment_plan = models.TextField(
        _("treatment plan"),
        blank=True,
        help_text=_("What will be done, by whom, by when (summary; actions below)."),
    )
    residual_likelihood = models.PositiveSmallIntegerField(
        _("residual likelihood"),
        null=True,
        blank=True,
        help_text=_("How likely it will be once the treatment is in place."),
    )
    residual_impact = models.PositiveSmallIntegerField(
        _("residual impact"),
        null=True,
        blank=True,
        help_text=_("How bad it will be once the treatment is in place."),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.IDENTIFIED)
    interested_parties = models.ManyToManyField(
        InterestedParty,
        blank=True,
        related_name="risks",
        verbose_name=_("interested parties"),
        help_text=_("Who is affected by the risk or cares about it."),
    )
    impact_assessment = models.ForeignKey(
        "ImpactAssessment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("from impact assessment"),
    )
    # Computed from the method; never typed in.
    methodology = models.ForeignKey(
        RiskMethodology, on_delete=models.PROTECT, related_name="+", editable=False
    )
    inherent_level = models.CharField(_("inherent level"), max_length=32, blank=True, editable=False)
    inherent_rank = models.SmallIntegerField(default=-1, editable=False)
    residual_level = models.CharField(_("residual level"), max_length=32, blank=True, editable=False)
    residual_rank = models.SmallIntegerField(default=-1, editable=False)
    level = models.CharField(_("current level"), max_length=32, blank=True, editable=False)
    rank = models.SmallIntegerField(default=-1, editable=False)
    last_assessed_on = models.DateField(_("last assessed"), null=True, blank=True, editable=False)
    next_review_date = models.DateField(_("next review"), null=True, blank=True, editable=False)
    review_due = models.BooleanField(_("review due"), default=False, editable=False)
    review_due_reason = models.CharField(_("why a review is due"), max_length=300, blank=True, editable=False)
    search_text = models.TextField(editable=False, blank=True, default="")

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "number"], name="risk_unique_number"),
        ]
        # One index per sort of the register (the number breaks ties in the same direction, so
        # SQLite and PostgreSQL walk the index instead of sorting 100,000 rows).
        indexes = [
            models.Index(fields=["organization", "status", "number"], name="risk_org_status_idx"),
            models.Index(fields=["organization", "rank", "number"], name="risk_org_rank_idx"),
            models.Index(fields=["organization", "inherent_rank", "number"], name="risk_org_inh_idx"),
            models.Index(fields=["organization", "residual_rank", "number"], name="risk_org_res_idx"),
            models.Index(fields=["organization", "next_review_date", "number"], name="risk_org_review_idx"),
            models.Index(fields=["organization", "category", "number"], name="risk_org_cat_idx"),
            models.Index(fields=["organization", "owner", "number"], name="risk_org_owner_idx"),
            models.Index(fields=["organization", "updated_at", "number"], name="risk_org_updated_idx"),
            models.Index(fields=["organization", "title", "number"], name="risk_org_title_idx"),
            # The heat maps count risks per cell: these cover their grouped queries (no table read).
            models.Index(fields=["organization", "likelihood", "impact"], name="risk_org_heat_idx"),
            models.Index(
                fields=["organization", "residual_likelihood", "residual_impact"], name="risk_org_resheat_idx"
            ),
        ]
        verbose_name = _("risk")
        verbose_name_plural = _("risks")

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_text = " ".join(
            [
                self.ref,
                self.title,
                self.description,
                self.root_causes,
                self.existing_controls,
                self.additional_controls,
            ]
        ).lower()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("risk:risk-detail", args=[self.number])

    @property
    def ref(self) -> str:
        return f"R-{self.number:04d}" if self.number else "R-new"

    @property
    def overdue(self) -> bool:
        return self.review_due or bool(self.next_review_date and self.next_review_date < timezone.localdate())

    def compute(self, method: RiskMethodology) -> None:
        """Set the levels and the next review date from the method (the only place levels are made)."""
        self.methodology = method

        def on_scale(*values: int | None) -> bool:
            # A method with a smaller scale leaves values above it without a level (to reassess).
            return all(v and 1 <= v <= method.size for v in values)

        if on_scale(self.likelihood, self.impact):
            lvl = method.level_for(self.likelihood, self.impact)  # type: ignore[arg-type]
            self.inherent_level, self.inherent_rank = lvl["key"], method.rank(lvl["key"])
        else:
            self.inherent_level, self.inherent_rank = "", -1
        if on_scale(self.residual_likelihood, self.residual_impact):
            lvl = method.level_for(self.residual_likelihood, self.residual_impact)  # type: ignore[arg-type]
            self.residual_level, self.residual_rank = lvl["key"], method.rank(lvl["key"])
        else:
            self.residual_level, self.residual_rank = "", -1
        self.level, self.rank = (
            (self.residual_level, self.residual_rank)
            if self.residual_level
            else (self.inherent_level, self.inherent_rank)
        )
        if self.level and self.last_assessed_on:
            self.next_review_date = add_months(self.last_assessed_on, method.review_months(self.level))
        elif not self.level:
            self.next_review_date = None

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        method = self.methodology if self.methodology_id else None
        size = method.size if method else 5
        for field in ("likelihood", "impact", "residual_likelihood", "residual_impact"):
            value = getattr(self, field)
            if value is not None and not 1 <= value <= size:
                errors[field] = _("Choose a value from 1 to %(n)d (the method's scale).") % {"n": size}
        if (self.likelihood is None) != (self.impact is None):
            errors["impact" if self.impact is None else "likelihood"] = _(
                "Give both likelihood and impact, or neither."
            )
        if (self.residual_likelihood is None) != (self.residual_impact is None):
            key = "residual_impact" if self.residual_impact is None else "residual_likelihood"
            errors[key] = _("Give both residual likelihood and residual impact, or neither.")
        if self.residual_likelihood and not self.likelihood:
            errors["likelihood"] = _("Assess the risk before its residual level.")
        if (
            self.status != self.Status.IDENTIFIED
            and not (self.likelihood and self.impact)
            and self.status != self.Status.CLOSED
        ):
            errors["status"] = _("A risk is assessed once it has a likelihood and an impact.")
        if self.status in (self.Status.TREATMENT_PLANNED, self.Status.IN_TREATMENT) and not self.treatment:
            errors["treatment"] = _("Choose a treatment decision before planning or starting treatment.")
        if method and self.treatment and self.treatment not in method.treatment_options:
            errors["treatment"] = _("The method allows: %(o)s.") % {"o": ", ".join(method.treatment_options)}
        if not isinstance(self.control_refs, list) or any(
            not isinstance(c, str) or not 0 < len(c) <= 40 for c in self.control_refs
        ):
            errors["control_refs"] = _("Give a list of control ids such as A.7.4.")
        if (
            self.category_id
            and self.organization_id
            and self.category.organization_id != self.organization_id
        ):
            errors["category"] = _("Not found in this organization.")
        if self.owner_id and self.organization_id:
            from aims.core.models import Membership

            if not Membership.objects.filter(
                user_id=self.owner_id, organization_id=self.organization_id
            ).exists():
                errors["owner"] = _("The owner must be a member of the organization.")
        if errors:
            raise ValidationError(errors)
        if method:
            self.compute(method)


class RiskReassessment(models.Model):
    """A review of a risk: the values before and after, so an earlier assessment stays visible."""

    organization = models.ForeignKey("core.Organization", on_delete=models.CASCADE, related_name="+")
    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="reassessments")
    assessed_at = models.DateTimeField(_("when"), default=timezone.now)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    note = models.TextField(_("note"), blank=True)
    previous = models.JSONField(_("before"), default=dict)
    current = models.JSONField(_("after"), default=dict)

    class Meta:
        ordering = ["-assessed_at", "-pk"]
        verbose_name = _("risk reassessment")
        verbose_name_plural = _("risk reassessments")

    def __str__(self) -> str:
        return f"{self.risk.ref} {self.assessed_at:%Y-%m-%d}"


class RiskTreatment(OrgScopedModel):
    """One action of a risk's treatment plan (clause 6.1.3 / 8.3): who does what by when, and the
    control it implements."""

    object_type = "risk_treatment"
    protected_fields = OrgScopedModel.protected_fields | {"completed_on"}

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    risk = models.ForeignKey(
        Risk, on_delete=models.CASCADE, related_name="treatments", verbose_name=_("risk")
    )
    title = models.CharField(_("action"), max_length=200, help_text=_("What will be done, in a few words."))
    description = models.TextField(_("details"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
        help_text=_("Who carries out the action. Must be a member."),
    )
    due_date = models.DateField(_("due"), null=True, blank=True, help_text=_("When it must be done."))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PLANNED)
    control_ref = models.CharField(
        _("control implemented"),
        max_length=40,
        blank=True,
        help_text=_(
            "The control this action puts in place, e.g. ISO/IEC 42001 A.7.4 (linked to the control library once it exists)."
        ),
    )
    completed_on = models.DateField(_("completed"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["organization", "status", "due_date"], name="risktreat_org_due_idx")]
        verbose_name = _("risk treatment action")
        verbose_name_plural = _("risk treatment actions")

    def __str__(self) -> str:
        return self.title

    @property
    def overdue(self) -> bool:
        return bool(
            self.due_date
            and self.due_date < timezone.localdate()
            and self.status in (self.Status.PLANNED, self.Status.IN_PROGRESS)
        )

    def clean(self) -> None:
        errors = {}
        if self.risk_id and self.organization_id and self.risk.organization_id != self.organization_id:
            errors["risk"] = _("Not found in this organization.")
        if self.owner_id and self.organization_id:
            from aims.core.models import Membership

            if not Membership.objects.filter(
                user_id=self.owner_id, organization_id=self.organization_id
            ).exists():
                errors["owner"] = _("The owner must be a member of the organization.")
        if errors:
            raise ValidationError(errors)
        if self.status == self.Status.DONE and not self.completed_on:
            self.completed_on = timezone.localdate()
        elif self.status != self.Status.DONE:
            self.completed_on = None


class RiskAcceptance(OrgScopedModel):
    """A signed-off decision to retain a risk at its current level (clause 6.1.3): by whom, at which
    level, why, and until when. Above the appetite only the roles the method names may sign."""

    object_type = "risk_acceptance"
    protected_fields = OrgScopedModel.protected_fields | {
        "risk",
        "level",
        "level_name",
        "above_appetite",
        "accepted_by",
        "accepted_at",
        "methodology",
        "status",
        "ended_at",
    }

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        EXPIRED = "expired", _("Expired")
        REVOKED = "revoked", _("Revoked")

    risk = models.ForeignKey(
        Risk, on_delete=models.CASCADE, related_name="acceptances", verbose_name=_("risk")
    )
    level = models.CharField(_("level accepted"), max_length=32, editable=False)
    level_name = models.CharField(_("level name"), max_length=60, editable=False)
    above_appetite = models.BooleanField(_("above the appetite"), default=False, editable=False)
    justification = models.TextField(
        _("justification"),
        help_text=_("Why the organization retains this risk rather than treating it further."),
    )
    expires_on = models.DateField(
        _("expires"), help_text=_("After this date the acceptance lapses and the risk is due for review.")
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    accepted_at = models.DateTimeField(_("accepted"), default=timezone.now, editable=False)
    methodology = models.ForeignKey(
        RiskMethodology, on_delete=models.PROTECT, related_name="+", editable=False
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE, editable=False
    )
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-accepted_at"]
        indexes = [
            models.Index(fields=["organization", "status", "expires_on"], name="riskaccept_org_exp_idx")
        ]
        verbose_name = _("risk acceptance")
        verbose_name_plural = _("risk acceptances")

    def __str__(self) -> str:
        return f"{self.risk.ref} accepted at {self.level_name}"

    def clean(self) -> None:
        if not self.justification or not self.justification.strip():
            raise ValidationError({"justification": _("Explain why the risk is accepted.")})
        if self.expires_on and self.expires_on <= timezone.localdate():
            raise ValidationError({"expires_on": _("The expiry date must be in the future.")})
        if self.expires_on and self.expires_on > add_months(timezone.localdate(), 36):
            raise ValidationError({"expires_on": _("An acceptance lasts at most three years.")})


# --- impact assessments ---------------------------------------------------------------------------


class ImpactAssessment(OrgScopedModel):
    """One version of an AI system impact assessment (clause 6.1.4 / 8.4, A.5.2-A.5.5): what the
    system may do to individuals, groups and society. It also answers the questions of an EU AI Act
    fundamental rights impact assessment (Art. 27) and records the link to the GDPR DPIA (Art. 35)."""

    object_type = "impact_assessment"
    protected_fields = OrgScopedModel.protected_fields | {
        "number",
        "status",
        "approved_by",
        "approved_at",
        "submitted_at",
        "overall_level",
        "overall_rank",
        "next_review_date",
        "review_due",
        "review_due_reason",
    }

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        SUPERSEDED = "superseded", _("Superseded")

    ai_system = models.ForeignKey(
        AISystem,
        on_delete=models.PROTECT,
        related_name="impact_assessments",
        verbose_name=_("AI system"),
        help_text=_("The system assessed."),
    )
    number = models.PositiveIntegerField(_("version number"), editable=False)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    intended_purpose = models.TextField(
        _("intended purpose"), help_text=_("What the system is for and how it is meant to be used.")
    )
    foreseeable_misuse = models.TextField(
        _("reasonably foreseeable misuse"),
        blank=True,
        help_text=_("How people could use it in ways it was not meant for, on purpose or by mistake."),
    )
    deployment_context = models.TextField(
        _("where and how it is used"),
        blank=True,
        help_text=_("The processes in which the system is used (EU AI Act Art. 27(1)(a))."),
    )
    period_and_frequency = models.TextField(
        _("period and frequency of use"),
        blank=True,
        help_text=_("How long and how often it is used (Art. 27(1)(b))."),
    )
    affected_individuals = models.TextField(
        _("individuals affected"),
        blank=True,
        help_text=_("The people its outputs concern, e.g. applicants, patients (A.5.4)."),
    )
    affected_groups = models.TextField(
        _("groups affected"),
        blank=True,
        help_text=_(
            "Groups that may be affected differently, e.g. by age, gender, origin (A.5.4, Art. 27(1)(c))."
        ),
    )
    vulnerable_groups = models.TextField(
        _("vulnerable groups"),
        blank=True,
        help_text=_(
            "People less able to protect their interests: minors, elderly, people with disabilities, people in distress."
        ),
    )
    affects_minors = models.BooleanField(
        _("affects minors"), default=False, help_text=_("Whether children may be affected.")
    )
    societal_impacts = models.TextField(
        _("societal impacts"),
        blank=True,
        help_text=_("Wider effects on society, environment, economy and democracy (A.5.5)."),
    )
    human_oversight = models.TextField(
        _("human oversight"),
        blank=True,
        help_text=_("How people supervise and can override the system (Art. 27(1)(e))."),
    )
    remedies = models.TextField(
        _("remedies and complaints"),
        blank=True,
        help_text=_(
            "What happens when harm occurs: internal governance, complaint and redress (Art. 27(1)(f))."
        ),
    )
    processes_personal_data = models.BooleanField(
        _("processes personal data"),
        default=False,
        help_text=_("Whether the system uses information about identifiable people."),
    )
    dpia_required = models.BooleanField(
        _("DPIA required"),
        default=False,
        help_text=_(
            "Whether a GDPR data protection impact assessment is needed (Art. 35), e.g. for profiling."
        ),
    )
    dpia_reference = models.CharField(
        _("DPIA reference"),
        max_length=300,
        blank=True,
        help_text=_("Where the DPIA is kept (document id or web address)."),
    )
    overall_result = models.TextField(
        _("overall result"),
        blank=True,
        help_text=_("The conclusion: may the system be used, and under which conditions?"),
    )
    overall_level = models.CharField(_("highest impact level"), max_length=32, blank=True, editable=False)
    overall_rank = models.SmallIntegerField(default=-1, editable=False)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True, editable=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True, editable=False)
    next_review_date = models.DateField(_("next review"), null=True, blank=True, editable=False)
    review_due = models.BooleanField(_("review due"), default=False, editable=False)
    review_due_reason = models.CharField(_("why a review is due"), max_length=300, blank=True, editable=False)

    class Meta:
        ordering = ["ai_system__name", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["ai_system", "number"], name="impact_unique_number"),
        ]
        indexes = [models.Index(fields=["organization", "status"], name="impact_org_status_idx")]
        verbose_name = _("impact assessment")
        verbose_name_plural = _("impact assessments")

    def __str__(self) -> str:
        return self.title or f"{self.ai_system.name} v{self.number}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("risk:assessment-detail", args=[self.pk])

    def clean(self) -> None:
        errors = {}
        if (
            self.ai_system_id
            and self.organization_id
            and self.ai_system.organization_id != self.organization_id
        ):
            errors["ai_system"] = _("Not found in this organization.")
        if self.dpia_required and not self.processes_personal_data:
            errors["dpia_required"] = _("A DPIA concerns personal data: tick 'processes personal data'.")
        if errors:
            raise ValidationError(errors)


class ImpactItem(models.Model):
    """One assessed impact: an area (rights, fairness, safety, ...), who is affected, how severe,
    how likely, how reversible, how widespread, and the mitigation."""

    class Affected(models.TextChoices):
        INDIVIDUALS = "individuals", _("Individuals")
        GROUPS = "groups", _("Groups of individuals")
        SOCIETY = "society", _("Society")

    class Reversibility(models.TextChoices):
        REVERSIBLE = "reversible", _("Easily reversible")
        DIFFICULT = "difficult", _("Reversible with difficulty")
        IRREVERSIBLE = "irreversible", _("Irreversible")

    class Scale(models.TextChoices):
        FEW = "few", _("A few people")
        MANY = "many", _("Many people")
        WIDESPREAD = "widespread", _("Widespread (a large part of the population)")

    assessment = models.ForeignKey(ImpactAssessment, on_delete=models.CASCADE, related_name="items")
    area = models.CharField(_("impact area"), max_length=32, choices=taxonomy.IMPACT_AREAS)
    affected = models.CharField(
        _("who is affected"), max_length=16, choices=Affected.choices, default=Affected.INDIVIDUALS
    )
    description = models.TextField(_("impact"), help_text=_("What could happen to them."))
    severity = models.PositiveSmallIntegerField(
        _("severity"), help_text=_("On the method's impact scale (1 = mildest).")
    )
    likelihood = models.PositiveSmallIntegerField(
        _("likelihood"), help_text=_("On the method's likelihood scale (1 = lowest).")
    )
    reversibility = models.CharField(
        _("reversibility"), max_length=16, choices=Reversibility.choices, default=Reversibility.REVERSIBLE
    )
    scale = models.CharField(_("scale"), max_length=16, choices=Scale.choices, default=Scale.FEW)
    mitigation = models.TextField(
        _("mitigation"), blank=True, help_text=_("What reduces or prevents the impact.")
    )
    level = models.CharField(_("level"), max_length=32, blank=True, editable=False)
    rank = models.SmallIntegerField(default=-1, editable=False)
    risk = models.ForeignKey(
        Risk, on_delete=models.SET_NULL, null=True, blank=True, related_name="impact_items", editable=False
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("assessed impact")
        verbose_name_plural = _("assessed impacts")

    def __str__(self) -> str:
        return f"{self.get_area_display()}: {self.description[:60]}"


class RecomputeJob(models.Model):
    """The background recomputation of every risk's levels after a method change, with progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    organization = models.ForeignKey("core.Organization", on_delete=models.CASCADE, related_name="+")
    methodology = models.ForeignKey(RiskMethodology, on_delete=models.CASCADE, related_name="recompute_jobs")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(_("risks to recompute"), default=0)
    done = models.PositiveIntegerField(_("risks recomputed"), default=0)
    changed = models.PositiveIntegerField(_("risks whose level changed"), default=0)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("level recomputation")
        verbose_name_plural = _("level recomputations")

    def __str__(self) -> str:
        return f"recompute to {self.methodology} ({self.status})"

    @property
    def percent(self) -> int:
        return 100 if not self.total else int(100 * self.done / self.total)
