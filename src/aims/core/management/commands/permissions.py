from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from aims.core.permissions import matrix_markdown


class Command(BaseCommand):
    help = "Print the permission matrix (role x object type x action) as Markdown: docs/permissions.md."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--markdown", action="store_true", help="Markdown (the only format for now).")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(matrix_markdown(), ending="")
