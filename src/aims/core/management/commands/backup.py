from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from aims.core import backup


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite online backup or PostgreSQL pg_dump) and the evidence files into one "
        "archive with a manifest of SHA-256 digests: `aims backup [-o FILE]`. Safe while AIMS is running."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "-o", "--output", help="Archive to write (default: var/backups/aims-<time>.tar.gz)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options.get("output"):
            output = Path(options["output"])
        else:
            folder = Path(settings.VAR_DIR) / "backups"
            folder.mkdir(parents=True, exist_ok=True)
            output = folder / f"aims-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}.tar.gz"
        manifest = backup.create(output)
        self.stdout.write(
            f"backup written to {output}: {manifest['vendor']} database, {len(manifest['files'])} evidence files, "
            f"audit chain of {manifest['audit_size']} entries"
        )
