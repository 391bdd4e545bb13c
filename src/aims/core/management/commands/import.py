"""`aims import ai-systems FILE --org S [--email E] [--format csv|xlsx|json] [--dry-run]`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from aims.core.management.cli import org_actor

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
        path = options["file"]
        if path == "-":
            data, filename = sys.stdin.buffer.read(io.max_bytes() + 1), ""
        else:
            source = Path(path)
            if not source.is_file():
                raise CommandError(f"no such file: {path}")
            size = source.stat().st_size
            if size > io.max_bytes():
                raise CommandError(
                    f"{path} is {size / 1_048_576:.1f} MB; the limit is {io.max_bytes() / 1_048_576:.1f} MB "
                    "(AIMS_MAX_UPLOAD_BYTES)"
                )
            data, filename = source.read_bytes(), source.name

        bar = None

        def progress(done: int, total: int) -> None:
            nonlocal bar
            if options["no_progress"]:
                return
            if bar is None:
                from tqdm import tqdm

                # tqdm needs the raw stream: Django's OutputWrapper adds a newline to every write.
                stream = getattr(self.stderr, "_out", sys.stderr)
                bar = tqdm(total=total, unit="row", desc="importing", file=stream, disable=None, leave=False)
            bar.update(done - bar.n)

        try:
            result = io.import_systems(
                actor,
                data,
                options.get("format") or "",
                filename,
                dry_run=options["dry_run"],
                progress=progress,
            )
        except PermissionDenied as exc:
            raise CommandError(str(exc) or "permission denied") from exc
        finally:
            if bar is not None:
                bar.close()
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(
                "import refused, nothing was written: correct the problems listed above and run it again"
            )
        summary = f"{result.created} created, {result.updated} updated, {result.unchanged} unchanged ({result.rows} rows)"
        if result.dry_run:
            self.stdout.write(f"dry run, nothing written: would have {summary}")
        else:
            self.stdout.write(f"imported {summary}")
