"""Who is acting, in which organization, with which role, from where.

Every service function takes an `Actor` first. The web UI builds one from the session and the
selected organization, the API from the bearer token, the CLI and the worker explicitly, so the
permission checks and the audit entries are the same whichever door a change came through.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from . import permissions
from .models import Membership, Organization, User
from .roles import Role


@dataclass(frozen=True)
class Actor:
    user: User | None
    organization: Organization
    role: str
    source: str = "ui"  # ui, api, cli, worker
    request_id: str = ""
    read_only: bool = False
    address: str = field(default="", compare=False)

    @classmethod
    def for_membership(cls, membership: Membership, **kwargs: object) -> Actor:
        return cls(user=membership.user, organization=membership.organization, role=membership.role, **kwargs)  # type: ignore[arg-type]

    @classmethod
    def system(cls, organization: Organization, source: str = "worker") -> Actor:
        """The background worker and migrations: full rights inside one organization, no person."""
        return cls(user=None, organization=organization, role=Role.ORG_ADMIN, source=source)

    @property
    def is_system(self) -> bool:
        return self.user is None

    def can(self, object_type: str, action: str) -> bool:
        if self.read_only and action != permissions.VIEW and action != permissions.EXPORT:
            return False
        if self.is_system:
            return True
        return permissions.allowed(self.role, object_type, action)

    def require(self, object_type: str, action: str) -> None:
        """Raise PermissionDenied (recorded in the audit trail by the caller's error handler)."""
        if not self.can(object_type, action):
            name = permissions.OBJECT_TYPES.get(object_type, object_type)
            if self.read_only and action not in (permissions.VIEW, permissions.EXPORT):
                raise PermissionDenied(_("This token is read-only."))
            raise PermissionDenied(
                _("Your role (%(role)s) may not %(action)s: %(object)s.")
                % {"role": Role(self.role).label, "action": action, "object": name}
            )
