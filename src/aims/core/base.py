"""The base model every governed object inherits: organization, version, timestamps, creator.

`OrgQuerySet.for_actor(actor)` is the one way views and API handlers list governed objects: it
restricts to the actor's organization, so another organization's row is simply not found (404).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Self

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from .actors import Actor


class OrgQuerySet(models.QuerySet[Any]):
    def for_actor(self, actor: Actor, action: str = "view") -> Self:
        model = self.model
        actor.require(model.object_type, action)
        return self.filter(organization=actor.organization)


class OrgScopedModel(models.Model):
    """Abstract base: belongs to one organization, carries an optimistic-concurrency version."""

    object_type: ClassVar[str] = ""
    # Fields the generic service never takes from user input (mass-assignment protection).
    protected_fields: ClassVar[frozenset[str]] = frozenset(
        {
            "id",
            "organization",
            "organization_id",
            "version",
            "created_at",
            "updated_at",
            "created_by",
            "created_by_id",
        }
    )

    organization = models.ForeignKey("core.Organization", on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("created by"),
    )

    objects = OrgQuerySet.as_manager()

    class Meta:
        abstract = True

    def clean_fields(self, exclude: Any = None) -> None:
        # The organization and the creator come from the signed-in actor, never from input
        # (protected_fields), so they need no "does it exist" query on every write. Uniqueness
        # and constraints that involve them are still checked (those use their own exclude).
        super().clean_fields(exclude={*(exclude or ()), "organization", "created_by"})

    @property
    def etag(self) -> str:
        return f'W/"{self.pk}-{self.version}"'
