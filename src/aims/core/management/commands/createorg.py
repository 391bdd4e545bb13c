from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandParser

from aims.core import services
from aims.core.management.cli import fail_on


class Command(BaseCommand):
    help = "Create an organization: `aims createorg --name 'Acme Bank' --slug acme`."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True, help="The organization's name.")
        parser.add_argument(
            "--slug", required=True, help="Short name for URLs and the CLI (letters, digits, -)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            org = services.create_organization(name=options["name"], slug=options["slug"])
        except ValidationError as exc:
            raise fail_on(exc) from exc
        self.stdout.write(f"created organization {org.slug} ({org.name})")
