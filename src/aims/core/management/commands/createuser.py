from __future__ import annotations

import getpass
import os
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from aims.core import services
from aims.core.actors import Actor
from aims.core.management.cli import fail_on, organization
from aims.core.models import User
from aims.core.roles import Role


class Command(BaseCommand):
    help = (
        "Create a user (or reuse one by e-mail) and give them a role in an organization. "
        "The password comes from AIMS_PASSWORD or a prompt; roles: " + ", ".join(Role.values)
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--org", required=True, help="Organization slug.")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--name", default="", help="Full name.")

    def handle(self, *args: Any, **options: Any) -> None:
        org = organization(options["org"])
        email = options["email"].strip().lower()
        existing = User.objects.filter(email=email).first()
        with transaction.atomic():
            if existing is None:
                password = os.environ.get("AIMS_PASSWORD")
                if password is None:
                    if not os.isatty(0):
                        raise CommandError(
                            "set AIMS_PASSWORD, or run in a terminal to be asked for the password"
                        )
                    password = getpass.getpass("Password: ")
                    if password != getpass.getpass("Password (again): "):
                        raise CommandError("the passwords differ")
                try:
                    person = services.create_user(email=email, password=password, full_name=options["name"])
                except ValidationError as exc:
                    raise fail_on(exc) from exc
            else:
                person = existing
            try:
                services.add_member(Actor.system(org, source="cli"), user=person, role=options["role"])
            except ValidationError as exc:
                raise fail_on(exc) from exc
        self.stdout.write(
            f"{'created' if existing is None else 'updated'} {email}: {options['role']} in {org.slug}"
        )
