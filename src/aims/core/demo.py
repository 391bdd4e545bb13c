"""The demo organization: `aims demo` loads, or refreshes, a believable organization to explore AIMS.

What it builds
    The organization with slug ``demo`` (Northwind Financial Group), one user per role with a
    generated password, and then each area's demo content, starting with the inventory (AI
    systems, interested parties, internal and external issues, an approved scope).

Idempotent
    Everything is matched by a natural key (the organization by slug, users by e-mail, AI systems by
    slug, other records by name or title) and written only when it differs from the demo's
    definition. Loading twice writes nothing the second time: no new rows, no new audit entries.
    Loading after someone edited a demo record puts the demo's values back (that is the "refresh").

Through the services, with the demo's people as actors
    Every write goes through the same service functions as the UI, the API and the CLI, with an
    `Actor` built from the demo user who would do it in real life (the organization admin adds the
    members, the AI manager lists the AI systems, the CEO approves the scope), so the audit trail is
    populated and `aims audit verify` passes.

Passwords
    Generated with `secrets`, checked against the password validators, stored hashed only, and
    returned once in `LoadResult.passwords` (the command prints them) when a user is created or
    when ``reset_passwords=True``.

The hook for the other areas
    After the inventory, `load()` imports ``aims.<area>.demo`` for each area in `AREAS`, in that order,
    and calls its ``load(org, people)``; an area without a ``demo`` module is skipped. ``people`` maps
    each role (``"ai_manager"``, ``"risk_team"``, ...) to its demo `User`. A module's ``load`` must be
    idempotent in the same way (use `ensure()`), write through its services with `actor()`, and may
    rely on the areas loaded before it. Everything runs in one transaction: an error anywhere
    leaves the database as it was. See docs/demo.md.

        # src/aims/risk/demo.py
        from aims.core.demo import actor, ensure

        def load(org, people):
            risk = actor(org, people["risk_team"])
            ensure(risk, Risk, {"title": "Credit model discriminates by age"}, {...})
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import import_module
from types import ModuleType
from typing import Any, TypeVar

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import models, transaction

from . import audit, services
from .actors import Actor
from .base import OrgScopedModel
from .models import AuditEvent, Membership, Organization, User
from .roles import Role

DEMO_SLUG = "demo"
DEMO_NAME = "Northwind Financial Group"
EMAIL_DOMAIN = "demo.aims.local"

# The areas whose `aims.<area>.demo.load(org, people)` runs, in this order: the clause order of
# ISO/IEC 42001 (context, leadership and support, planning, operation, evaluation, improvement), so
# that each area can use what the earlier ones loaded (risks reference AI systems, monitors
# reference model versions, the management review reads everything).
AREAS = ("inventory", "governance", "risk", "compliance", "lifecycle", "monitoring", "assurance", "reports")

M = TypeVar("M", bound=OrgScopedModel)


@dataclass(frozen=True)
class Person:
    role: str
    local_part: str
    full_name: str
    title: str

    @property
    def email(self) -> str:
        return f"{self.local_part}@{EMAIL_DOMAIN}"


# One person per role. The admin comes first: they add the other members.
PEOPLE: tuple[Person, ...] = (
    Person(Role.ORG_ADMIN, "admin", "Marco Bianchi", "Identity and access administrator"),
    Person(Role.TOP_MANAGEMENT, "ceo", "Elisabeth Brandt", "Chief Executive Officer"),
    Person(Role.CIO_CDO, "cio", "Tomás Herrera", "Chief Information and Data Officer"),
    Person(Role.AI_MANAGER, "ai.manager", "Priya Raman", "Head of AI Governance"),
    Person(Role.RISK_TEAM, "risk", "Jonas Weber", "Head of Model Risk Management"),
    Person(Role.TECHNICAL_TEAM, "ml", "Amira Haddad", "Lead Machine Learning Engineer"),
    Person(Role.OPERATIONAL_TEAM, "ops", "Lukas Novák", "AI Operations Manager"),
    Person(Role.INTERNAL_AUDIT, "audit", "Sophie Laurent", "Senior Internal Auditor, IT and AI"),
    Person(Role.EXTERNAL_AUDITOR, "auditor", "Daniel Whitaker", "Lead auditor, certification body"),
)

# Who to log in as first: the person who runs the management system.
FIRST_LOGIN = Role.AI_MANAGER


@dataclass
class LoadResult:
    organization: Organization
    people: dict[str, User]
    # True when this run created the organization (first load), False for a refresh.
    created: bool = False
    # e-mail -> the raw password, only for users created or reset by this run. Never stored.
    passwords: dict[str, str] = field(default_factory=dict)
    # (object type, action) -> number of audit entries this run wrote.
    changes: Counter[tuple[str, str]] = field(default_factory=Counter)

    @property
    def changed(self) -> bool:
        return bool(self.changes) or bool(self.passwords)


# --- helpers for every area's demo module ---------------------------------------------------------


def actor(org: Organization, user: User, *, source: str = "cli") -> Actor:
    """The actor of a demo user in the demo organization (their membership's role)."""
    membership = Membership.objects.select_related("user", "organization").get(user=user, organization=org)
    return Actor.for_membership(membership, source=source)


def _key(value: Any) -> Any:
    return value.pk if isinstance(value, models.Model) else value


def differences(obj: models.Model, data: Mapping[str, Any]) -> dict[str, Any]:
    """The items of `data` whose value differs from what `obj` holds (foreign keys and
    many-to-many fields compared by primary key, lists and dicts by value)."""
    changed: dict[str, Any] = {}
    for name, wanted in data.items():
        model_field = obj._meta.get_field(name)
        if model_field.many_to_many:
            current = set(getattr(obj, model_field.name).values_list("pk", flat=True)) if obj.pk else set()
            if current != {_key(v) for v in wanted or []}:
                changed[name] = wanted
        elif model_field.is_relation:
            if getattr(obj, model_field.attname) != _key(wanted):  # type: ignore[union-attr]
                changed[name] = wanted
        elif getattr(obj, name) != wanted:
            changed[name] = wanted
    return changed


def ensure(
    actor: Actor,
    model: type[M],
    lookup: Mapping[str, Any],
    data: Mapping[str, Any],
    *,
    create: Callable[[Actor, dict[str, Any]], M] | None = None,
    update: Callable[[Actor, M, dict[str, Any]], M] | None = None,
) -> M:
    """The record of the actor's organization matching `lookup`, created with `lookup` + `data` when
    missing, or updated with just the fields of `data` that differ. Writes nothing when it already
    matches. `create` and `update` default to the generic services; pass the app's own service
    functions when it has domain rules (numbering, slugs, state changes)."""
    obj = model.objects.filter(organization=actor.organization, **lookup).first()
    if obj is None:
        payload = {**lookup, **data}
        return create(actor, payload) if create else services.create(actor, model, payload)
    changed = differences(obj, data)
    if not changed:
        return obj
    return update(actor, obj, changed) if update else services.update(actor, obj, changed)


def new_password(user: User) -> str:
    """A random password that the configured validators accept (length, similarity, common, numeric)."""
    for _attempt in range(20):
        candidate = secrets.token_urlsafe(15)  # 20 characters, about 120 bits
        try:
            validate_password(candidate, user)
        except ValidationError:
            continue
        return candidate
    raise RuntimeError("could not generate a password the validators accept; check AUTH_PASSWORD_VALIDATORS")


def area_modules() -> Iterator[tuple[str, ModuleType]]:
    """(area, module) for each area that ships a `demo` module, in `AREAS` order."""
    for area in AREAS:
        name = f"aims.{area}.demo"
        try:
            module = import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name in (name, f"aims.{area}"):
                continue  # the area has no demo content (yet)
            raise  # the module exists but imports something missing: a real error
        yield area, module


# --- people ---------------------------------------------------------------------------------------


def demo_organization() -> Organization | None:
    return Organization.objects.filter(slug=DEMO_SLUG).first()


def people_of(org: Organization) -> dict[str, User]:
    """role -> the demo user who holds it in `org` (only the demo's own e-mail addresses)."""
    emails = {p.email: p.role for p in PEOPLE}
    found = Membership.objects.filter(organization=org, user__email__in=emails).select_related("user")
    return {str(emails[m.user.email]): m.user for m in found if m.role == emails[m.user.email]}


def _set_password(org: Organization, user: User, source: str) -> str:
    password = new_password(user)
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        audit.record(
            Actor.system(org, source=source),
            AuditEvent.Action.UPDATE,
            object_type="user",
            object_id=user.pk,
            object_repr=user.email,
            changes={"password": ["(hidden)", "(reset by aims demo --reset-passwords)"]},
        )
    return password


def _ensure_people(
    org: Organization, *, reset_passwords: bool, source: str
) -> tuple[dict[str, User], dict[str, str]]:
    people: dict[str, User] = {}
    passwords: dict[str, str] = {}
    operator = Actor.system(org, source=source)
    admin: Actor | None = None
    for person in PEOPLE:
        user = User.objects.filter(email=person.email).first()
        if user is None:
            password = new_password(User(email=person.email, full_name=person.full_name))
            user = services.create_user(
                email=person.email, password=password, full_name=person.full_name, source=source
            )
            passwords[user.email] = password
        elif reset_passwords:
            passwords[user.email] = _set_password(org, user, source)
        membership = Membership.objects.filter(user=user, organization=org).first()
        if membership is None or membership.role != person.role:
            # The operator makes the first admin; from then on the admin manages the members.
            services.add_member(admin or operator, user=user, role=person.role)
        if person.role == Role.ORG_ADMIN:
            admin = actor(org, user, source=source)
        people[str(person.role)] = user
    return people, passwords


def reset_passwords(org: Organization, *, source: str = "cli") -> dict[str, str]:
    """New passwords for the demo users of `org`; returns e-mail -> raw password (shown once)."""
    with transaction.atomic():
        return {user.email: _set_password(org, user, source) for user in people_of(org).values()}


# --- the orchestrator -----------------------------------------------------------------------------


def load(*, reset_passwords: bool = False, source: str = "cli") -> LoadResult:
    """Load or refresh the demo organization, in one transaction. See the module docstring."""
    start = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with transaction.atomic():
        org = demo_organization()
        created = org is None
        if org is None:
            org = services.create_organization(name=DEMO_NAME, slug=DEMO_SLUG, source=source)
        people, passwords = _ensure_people(org, reset_passwords=reset_passwords, source=source)
        for _area, module in area_modules():
            module.load(org, people)
    changes: Counter[tuple[str, str]] = Counter(
        AuditEvent.objects.filter(pk__gt=start).values_list("object_type", "action")
    )
    return LoadResult(organization=org, people=people, created=created, passwords=passwords, changes=changes)
