"""Shared pieces of the `aims` commands: finding the organization, user and actor by name, and
turning service errors into one clear line and a non-zero exit."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from aims.core.actors import Actor
from aims.core.exceptions import error_dict
from aims.core.models import Membership, Organization, User


def organization(slug: str) -> Organization:
    org = Organization.objects.filter(slug=slug).first()
    if org is None:
        raise CommandError(f"no organization with slug {slug!r} (see `aims createorg`)")
    return org


def user(email: str) -> User:
    found = User.objects.filter(email=email.strip().lower()).first()
    if found is None:
        raise CommandError(f"no user with e-mail {email!r} (see `aims createuser`)")
    return found


def member_actor(email: str, org_slug: str) -> Actor:
    org, person = organization(org_slug), user(email)
    membership = (
        Membership.objects.filter(user=person, organization=org)
        .select_related("user", "organization")
        .first()
    )
    if membership is None:
        raise CommandError(f"{email} is not a member of {org_slug}")
    return Actor.for_membership(membership, source="cli")


def org_actor(org_slug: str, email: str | None = None) -> Actor:
    """A member's actor when --email is given, else the operator acting for the organization."""
    if email:
        return member_actor(email, org_slug)
    return Actor.system(organization(org_slug), source="cli")


def fail_on(exc: ValidationError) -> CommandError:
    parts = [f"{field}: {' '.join(messages)}" for field, messages in error_dict(exc).items()]
    return CommandError("; ".join(parts))
