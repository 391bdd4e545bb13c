from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from aims.core import backup


class Command(BaseCommand):
    help = (
        "Restore an archive made by `aims backup`, replacing the database and evidence files: "
        "`aims restore FILE --yes`. Stop the server and workers first. Every digest is checked before "
        "anything is replaced, and the audit chain is verified after."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive")
        parser.add_argument("--yes", action="store_true", help="Confirm that the current data is replaced.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["yes"]:
            raise CommandError("restoring replaces all current data: add --yes to confirm")
        try:
            manifest = backup.restore(Path(options["archive"]))
        except (OSError, ValueError, RuntimeError) as exc:
            raise CommandError(str(exc)) from exc
        if not manifest["audit_ok"]:
            self.stderr.write(f"restored, but the audit chain does not verify: {manifest['audit_reason']}")
            sys.exit(1)
        self.stdout.write(
            f"restored the backup of {manifest['created_at']}: {len(manifest['files'])} evidence files, "
            f"audit chain verified ({manifest['audit_size']} entries at backup time)"
        )
