"""The framework layer's models: organizations, users, memberships, API tokens and the audit trail."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .roles import Role


class Organization(models.Model):
    """A legal entity that runs its own AI management system. Everything governed belongs to one."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(
        _("slug"), max_length=60, unique=True, help_text=_("Short name used in URLs and on the command line.")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    mfa_policy = models.CharField(
        _("two-factor authentication"),
        max_length=16,
        choices=[
            ("optional", _("Optional")),
            ("privileged", _("Required for privileged roles")),
            ("all", _("Required for every member")),
        ],
        default="optional",
        help_text=_(
            "Whether members must confirm their login with a code from an authenticator app. Privileged roles: "
            "organization admin, AI manager, top management, CIO/CDO."
        ),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("an e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with their e-mail address. What they may do comes from memberships."""

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive users cannot log in and their tokens stop working.")
    )
    is_staff = models.BooleanField(_("staff"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def display_name(self) -> str:
        return self.full_name or self.email


class Membership(models.Model):
    """One user's one role in one organization."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["organization__name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="membership_unique_user_org")
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} · {self.organization} · {self.get_role_display()}"


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def find(self, raw: str) -> ApiToken | None:
        """The live token matching a raw bearer value, or None (expired, revoked, unknown).

        ``member_role`` carries the user's current role in the token's organization (None when the
        membership is gone), read in the same query: every API request starts here."""
        role = (
            Membership.objects.filter(
                user_id=models.OuterRef("user_id"), organization_id=models.OuterRef("organization_id")
            )
            .order_by()
            .values("role")[:1]
        )
        token = (
            self.select_related("user", "organization")
            .annotate(member_role=models.Subquery(role))
            .filter(key_hash=_hash_token(raw), revoked_at__isnull=True)
            .first()
        )
        if token is None or not token.is_live:
            return None
        return token


class ApiToken(models.Model):
    """A bearer token for the API, SDK and CLI: one user in one organization, stored only as a hash."""

    PREFIX = "aims_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True, help_text=_("What the token is for."))
    key_prefix = models.CharField(
        _("prefix"), max_length=16, help_text=_("First characters, to recognise it.")
    )
    key_hash = models.CharField(max_length=64, unique=True)
    read_only = models.BooleanField(
        _("read-only"), default=False, help_text=_("A read-only token cannot write.")
    )
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.key_prefix}… ({self.user})"

    @classmethod
    def generate(cls) -> tuple[str, str, str]:
        """(raw token, prefix, hash). The raw value is shown once and never stored."""
        raw = cls.PREFIX + secrets.token_urlsafe(32)
        return raw, raw[:12], _hash_token(raw)

    @property
    def is_live(self) -> bool:
        if self.revoked_at is not None or not self.user.is_active:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()


class MfaDevice(models.Model):
    """A user's authenticator app (TOTP, RFC 6238). The shared secret is stored encrypted with a key
    derived from the installation's secret key."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="mfa_device")
    secret_encrypted = models.TextField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_used_step = models.BigIntegerField(default=0, help_text=_("Refuses a code that was already used."))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("two-factor device")

    def __str__(self) -> str:
        return f"TOTP for {self.user}"


class RecoveryCode(models.Model):
    """A single-use code for when the authenticator is lost; stored as a hash."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("recovery code")

    def __str__(self) -> str:
        return f"recovery code of {self.user}"


class LoginFailure(models.Model):
    """A failed login, kept in the database so throttling holds across every web process."""

    email = models.CharField(max_length=254, db_index=True)
    address = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("login failure")

    def __str__(self) -> str:
        return f"{self.email} from {self.address} at {self.created_at:%Y-%m-%d %H:%M}"


class AuditChainHead(models.Model):
    """The single row that serialises appends to the audit chain and remembers its last hash."""

    last_hash = models.CharField(max_length=64, default="0" * 64)
    size = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"{self.size} entries, head {self.last_hash[:16]}"


class AuditEvent(models.Model):
    """One entry of the append-only, hash-chained audit trail (a database trigger refuses UPDATE and
    DELETE). `hash` = SHA-256(0x00 || previous hash || canonical JSON of the entry)."""

    class Action(models.TextChoices):
        CREATE = "create", _("created")
        UPDATE = "update", _("updated")
        DELETE = "delete", _("deleted")
        APPROVE = "approve", _("approved")
        LOGIN = "login", _("logged in")
        LOGIN_FAILED = "login_failed", _("login failed")
        LOGOUT = "logout", _("logged out")
        DENIED = "denied", _("access denied")
        IMPORT = "import", _("imported")
        EXPORT = "export", _("exported")
        TOKEN = "token", _("token issued")
        REVOKE = "revoke", _("revoked")

    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
        db_constraint=False,
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        db_constraint=False,
        related_name="+",
    )
    actor_email = models.CharField(_("actor"), max_length=254, blank=True)
    created_at = models.DateTimeField(_("time (UTC)"), default=timezone.now, db_index=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    source = models.CharField(_("source"), max_length=16, blank=True, help_text=_("ui, api, cli, worker"))
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=300, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["organization", "object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["organization", "-id"], name="audit_org_recent_idx"),
        ]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_email} {self.action} {self.object_type} {self.object_repr}"

    def canonical(self) -> dict[str, Any]:
        """The content the hash covers: every field but the hashes themselves."""
        return {
            "id": self.pk,
            "organization": self.organization_id,
            "actor": self.actor_id,
            "actor_email": self.actor_email,
            "created_at": self.created_at.astimezone(dt.UTC).isoformat(),
            "request_id": self.request_id,
            "source": self.source,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object_repr": self.object_repr,
            "changes": self.changes,
        }


class ScheduledRun(models.Model):
    """When each periodic job was last enqueued. Workers claim a run with a conditional UPDATE, so
    with several workers each job still runs once per interval (Healthchecks' pattern)."""

    name = models.CharField(max_length=200, unique=True)
    last_run_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("scheduled run")

    def __str__(self) -> str:
        return f"{self.name} (last {self.last_run_at:%Y-%m-%d %H:%M})" if self.last_run_at else self.name
