"""`aims import ai-systems FILE --org S [--email E] [--format csv|xlsx|json] [--dry-run]`."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from aims.core.management.cli import org_actor
from aims.core.management.tabular_cli import import_file

KINDS = ("ai-systems",)


class Command(BaseCommand):
    help = (
        "Import the AI system inventory from a CSV, XLSX or JSON file (the columns of `aims export`). All or "
        "nothing: every row is validated first; when any row fails, each error is printed with its row number, "
        "nothing is written and the command exits 1. A row whose slug names an existing system updates it, any "
        "other row creates one. Without --email the change is recorded as the operator's (source cli)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=KINDS, help="What to import.")
        parser.add_argument("file", help="The file to import ('-' reads standard input).")
        parser.add_argument("--org", required=True, help="Organization slug.")
        parser.add_argument("--email", help="Act as this member (their role's permissions apply).")
        parser.add_argument(
            "--format", choices=("csv", "xlsx", "json"), help="Default: from the file's extension."
        )
        parser.add_argument("--dry-run", action="store_true", help="Validate every row, write nothing.")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar on standard error.")

    def handle(self, *args: Any, **options: Any) -> None:
        from aims.inventory import io

        actor = org_actor(options["org"], options.get("email"))
        try:
            import_file(self, options, lambda *args, **kw: io.import_systems(actor, *args, **kw))
        except PermissionDenied as exc:
            raise CommandError(str(exc) or "permission denied") from exc
