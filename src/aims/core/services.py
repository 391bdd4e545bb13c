"""The operations of the framework layer, and the generic create/update/delete every app reuses.

Each write: checks the actor's permission, validates (model.full_clean, so the UI, API, CLI and
imports get the same messages), saves, and records the audit entry, all in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit
from .actors import Actor
from .base import OrgScopedModel
from .exceptions import PreconditionFailed
from .models import ApiToken, AuditEvent, Membership, Organization, User
from .roles import Role

M = TypeVar("M", bound=OrgScopedModel)


# --- generic CRUD for governed objects ------------------------------------------------------------


def _assign(obj: models.Model, data: Mapping[str, Any]) -> dict[str, Any]:
    """Set plain fields on obj; return the many-to-many values to set after saving."""
    m2m: dict[str, Any] = {}
    names = {f.name for f in obj._meta.get_fields()}
    protected = getattr(obj, "protected_fields", frozenset())
    for key, value in data.items():
        if key in protected:
            raise ValidationError({key: _("This field cannot be set.")})
        if key not in names and not key.endswith("_id"):
            raise ValidationError({key: _("Unknown field.")})
        field = obj._meta.get_field(key[:-3] if key.endswith("_id") and key not in names else key)
        if field.many_to_many:
            m2m[field.name] = value
        else:
            setattr(obj, key, value)
    return m2m


def _set_m2m(actor: Actor, obj: models.Model, m2m: dict[str, Any]) -> None:
    for name, values in m2m.items():
        field = obj._meta.get_field(name)
        related = field.related_model
        ids = [v.pk if isinstance(v, models.Model) else v for v in values or []]
        found = related.objects.filter(pk__in=ids)
        if hasattr(related, "organization_id"):
            found = found.filter(organization=actor.organization)
        found_ids = set(found.values_list("pk", flat=True))
        missing = [i for i in ids if i not in found_ids]
        if missing:
            raise ValidationError({name: _("Not found in this organization: %(ids)s") % {"ids": missing}})
        getattr(obj, name).set(found_ids)


def create(
    actor: Actor,
    model: type[M],
    data: Mapping[str, Any],
    *,
    before_save: Callable[[M], None] | None = None,
) -> M:
    actor.require(model.object_type, "add")
    with transaction.atomic():
        obj = model(organization=actor.organization, created_by=actor.user)
        m2m = _assign(obj, data)
        if before_save:
            before_save(obj)
        obj.full_clean()
        obj.save()
        _set_m2m(actor, obj, m2m)
        audit.record(actor, AuditEvent.Action.CREATE, obj=obj, changes=audit.diff(None, audit.snapshot(obj)))
    return obj


def update(
    actor: Actor,
    obj: M,
    data: Mapping[str, Any],
    *,
    expected_version: int | None = None,
    before_save: Callable[[M], None] | None = None,
    action: str = "change",
) -> M:
    actor.require(obj.object_type, action)
    if obj.organization_id != actor.organization.pk:
        raise PermissionDenied
    with transaction.atomic():
        # Re-read under a row lock so two writers cannot both pass the version check.
        current = type(obj).objects.select_for_update().get(pk=obj.pk)
        if expected_version is not None and current.version != expected_version:
            raise PreconditionFailed(current.version)
        before = audit.snapshot(current)
        m2m = _assign(current, data)
        if before_save:
            before_save(current)
        current.full_clean()
        current.version = current.version + 1
        current.updated_at = timezone.now()
        current.save()
        _set_m2m(actor, current, m2m)
        changes = audit.diff(before, audit.snapshot(current))
        audit.record(actor, AuditEvent.Action.UPDATE, obj=current, changes=changes)
    return current


def delete(actor: Actor, obj: M, *, expected_version: int | None = None) -> None:
    actor.require(obj.object_type, "delete")
    if obj.organization_id != actor.organization.pk:
        raise PermissionDenied
    with transaction.atomic():
        current = type(obj).objects.select_for_update().get(pk=obj.pk)
        if expected_version is not None and current.version != expected_version:
            raise PreconditionFailed(current.version)
        before = audit.snapshot(current)
        pk, text = current.pk, str(current)
        current.delete()
        audit.record(
            actor,
            AuditEvent.Action.DELETE,
            object_type=obj.object_type,
            object_id=pk,
            object_repr=text,
            changes=audit.diff(before, None),
            organization_id=actor.organization.pk,
        )


def record_denied(actor: Actor, object_type: str, action: str, detail: str = "") -> None:
    """A refused access is itself evidence (ASVS 16.3): keep who tried what."""
    with transaction.atomic():
        audit.record(
            actor,
            AuditEvent.Action.DENIED,
            object_type=object_type,
            object_repr=detail[:300],
            changes={"action": action},
        )


# --- organizations, users, memberships -----------------------------------------------------------


def create_organization(*, name: str, slug: str, source: str = "cli") -> Organization:
    """Operators create organizations (CLI or Django admin); the entry has no person behind it."""
    org = Organization(name=name.strip(), slug=slug.strip())
    with transaction.atomic():
        org.full_clean()
        org.save()
        audit.record(
            Actor.system(org, source=source),
            AuditEvent.Action.CREATE,
            obj=org,
            object_type="organization",
            changes=audit.diff(None, audit.snapshot(org)),
        )
    return org


def create_user(*, email: str, password: str | None, full_name: str = "", source: str = "cli") -> User:
    email = (email or "").strip().lower()
    user = User(email=email, full_name=full_name)
    errors: dict[str, list[str]] = {}
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            errors["password"] = list(exc.messages)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
    return user


def add_member(actor: Actor, *, user: User, role: str) -> Membership:
    actor.require("membership", "add")
    if role not in Role.values:
        raise ValidationError(
            {
                "role": _("Unknown role %(role)s. Choose one of: %(roles)s")
                % {"role": role, "roles": ", ".join(Role.values)}
            }
        )
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(
            user=user, organization=actor.organization, defaults={"role": role}
        )
        before = {"role": None} if created else {"role": membership.role}
        if not created and membership.role != role:
            _guard_last_admin(actor, membership, role)
            membership.role = role
            membership.save(update_fields=["role"])
        audit.record(
            actor,
            AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
            obj=membership,
            object_type="membership",
            object_repr=f"{user.email} · {role}",
            changes=audit.diff(before, {"role": role}),
        )
    return membership


def _guard_last_admin(actor: Actor, membership: Membership, new_role: str | None) -> None:
    if membership.role == Role.ORG_ADMIN and new_role != Role.ORG_ADMIN:
        admins = Membership.objects.filter(organization=membership.organization, role=Role.ORG_ADMIN)
        if admins.count() <= 1 and not actor.is_system:
            raise ValidationError({"role": _("An organization keeps at least one organization admin.")})


def remove_member(actor: Actor, membership: Membership) -> None:
    actor.require("membership", "delete")
    if membership.organization_id != actor.organization.pk:
        raise PermissionDenied
    with transaction.atomic():
        _guard_last_admin(actor, membership, None)
        ApiToken.objects.filter(
            user=membership.user, organization=membership.organization, revoked_at=None
        ).update(revoked_at=timezone.now())
        audit.record(
            actor,
            AuditEvent.Action.DELETE,
            obj=membership,
            object_type="membership",
            object_repr=f"{membership.user.email} · {membership.role}",
            changes={"role": [membership.role, None]},
        )
        membership.delete()


# --- API tokens -----------------------------------------------------------------------------------


def create_token(
    actor: Actor, *, name: str = "", read_only: bool = False, expires_days: int | None = None
) -> tuple[ApiToken, str]:
    """A token for the actor themself in the actor's organization. Returns (token, raw value)."""
    actor.require("api_token", "add")
    if actor.user is None:
        raise ValidationError({"user": _("A token belongs to a person.")})
    if expires_days is not None and expires_days <= 0:
        raise ValidationError({"expires_days": _("Must be a positive number of days.")})
    if actor.role == Role.EXTERNAL_AUDITOR:
        read_only = True  # an external auditor's token can never write, whatever was asked
    raw, prefix, digest = ApiToken.generate()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=actor.user,
            organization=actor.organization,
            name=name,
            key_prefix=prefix,
            key_hash=digest,
            read_only=read_only,
            expires_at=timezone.now() + dt.timedelta(days=expires_days) if expires_days else None,
        )
        audit.record(
            actor,
            AuditEvent.Action.TOKEN,
            obj=token,
            object_type="api_token",
            object_repr=f"{prefix}… {name}".strip(),
            changes={"read_only": [None, read_only], "expires_at": [None, token.expires_at]},
        )
    return token, raw


def revoke_token(actor: Actor, token: ApiToken) -> None:
    actor.require("api_token", "delete")
    own = actor.user is not None and token.user_id == actor.user.pk
    if token.organization_id != actor.organization.pk or not (
        own or actor.role == Role.ORG_ADMIN or actor.is_system
    ):
        raise PermissionDenied(_("You may revoke only your own tokens."))
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(
            actor,
            AuditEvent.Action.REVOKE,
            obj=token,
            object_type="api_token",
            object_repr=f"{token.key_prefix}…",
        )
