from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandParser

from aims.core import demo, permissions
from aims.core.management.cli import fail_on
from aims.core.models import AuditEvent, Membership, Organization
from aims.core.roles import Role

HINT = (
    "passwords were printed when the demo was loaded and are stored hashed only; "
    "`aims demo --reset-passwords` prints new ones"
)


class Command(BaseCommand):
    help = (
        "Load or refresh the demo organization (slug 'demo', Northwind Financial Group): one user per role, "
        "AI systems, interested parties, issues, an approved scope, and each area's demo content. Idempotent: "
        "a second run changes nothing. New users' passwords are generated and printed once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Load only when the database has no organization yet; otherwise just print how to log in "
            "(this is what `make run` does).",
        )
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="Give every demo user a new password and print them (the old ones stop working).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        reset = options["reset_passwords"]
        if options["if_empty"] and Organization.objects.exists():
            self._already_there(reset)
            return
        try:
            result = demo.load(reset_passwords=reset)
        except ValidationError as exc:  # a demo definition the models refuse: name the field
            raise fail_on(exc) from exc
        org = result.organization
        if result.changes:
            verb = "Loaded" if result.created else "Refreshed"
            self.stdout.write(f"{verb} the demo organization {org.name} (slug {org.slug}).")
            self.stdout.write(_summary(result.changes.items()))
        else:
            self.stdout.write(
                f"The demo organization {org.name} (slug {org.slug}) is up to date; nothing changed."
            )
        self.stdout.write("")
        self._people(org, result.passwords)

    def _already_there(self, reset: bool) -> None:
        org = demo.demo_organization()
        if org is None:
            self.stdout.write(
                "The database already has organizations, so the demo was not loaded "
                "(`aims demo` adds it next to them). Log in with the accounts you created."
            )
            return
        self.stdout.write(f"The demo organization {org.name} (slug {org.slug}) is already loaded.")
        passwords = demo.reset_passwords(org) if reset else {}
        self.stdout.write("")
        self._people(org, passwords)

    def _people(self, org: Organization, passwords: dict[str, str]) -> None:
        members = {
            m.user.email: m
            for m in Membership.objects.filter(
                organization=org, user__email__in=[p.email for p in demo.PEOPLE]
            ).select_related("user")
        }
        first = next(p.email for p in demo.PEOPLE if p.role == demo.FIRST_LOGIN)
        rows = []
        for person in demo.PEOPLE:
            membership = members.get(person.email)
            if membership is None:
                continue
            row = [person.email, Role(membership.role).label, membership.user.display_name]
            if passwords:
                row.append(passwords.get(person.email, "(unchanged)"))
            rows.append(row)
        if passwords:
            self.stdout.write(
                "Demo users. Note the passwords now: they are shown only this once and stored hashed."
            )
            self.stdout.write(_table(["e-mail", "role", "name", "password"], rows))
            self.stdout.write("")
            self.stdout.write(
                f"Log in as {first} (the AI manager, who runs the AIMS) or as any user above. "
                "`aims demo --reset-passwords` prints new passwords."
            )
        else:
            self.stdout.write(_table(["e-mail", "role", "name"], rows))
            self.stdout.write("")
            self.stdout.write(f"Log in as {first} or any user above ({HINT}).")


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    rows = [list(map(str, r)) for r in rows]
    widths = [max(len(str(c)) for c in column) for column in zip(header, *rows, strict=False)]
    line = "  ".join("-" * w for w in widths)
    render = [
        "  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=False)).rstrip() for r in [header, *rows]
    ]
    return "\n".join([render[0], line, *render[1:]])


def _summary(changes: Iterable[tuple[tuple[str, str], int]]) -> str:
    """'Wrote 51 audit entries: AI system 11 created; AIMS scope 1 created, 1 approved; ...', wrapped."""
    names = {**permissions.OBJECT_TYPES, "user": "User"}
    verbs = dict(AuditEvent.Action.choices)
    grouped: dict[str, list[str]] = {}
    total = 0
    for (object_type, action), count in sorted(changes):
        total += count
        name = str(names.get(object_type, object_type or "other"))
        grouped.setdefault(name, []).append(f"{count} {verbs.get(action, action)}")
    parts = [
        f"{name} {', '.join(counts)}" for name, counts in sorted(grouped.items(), key=lambda i: i[0].lower())
    ]
    text = f"Wrote {total} audit entries: " + "; ".join(parts) + "."
    return textwrap.fill(text, width=100, subsequent_indent="  ", break_on_hyphens=False)
