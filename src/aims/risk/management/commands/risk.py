"""`aims risk export --org S [--format csv|xlsx|json|pdf] [-o FILE] [filters]` and
`aims risk import FILE --org S [--format csv|xlsx|json] [--dry-run]`: the risk register on the
command line (issue 3, section 6), through the same code as the web pages and the API
(`aims.risk.io`, `aims.risk.reports`, the risk services)."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from aims.core.management.cli import fail_on, org_actor

FORMATS = ("csv", "xlsx", "json", "pdf")
FILTERS = ("q", "system", "category", "level", "owner", "status", "treatment", "lifecycle_stage", "sort")


class Command(BaseCommand):
    help = (
        "The AI risk register. `aims risk export --org S` writes it as CSV, XLSX, JSON or PDF (the printed "
        "register with its heat maps), with the register's filters. `aims risk import FILE --org S` adds and "
        "updates risks from a CSV, XLSX or JSON file with the export's columns: all or nothing, every error "
        "printed with its row and column, nothing written when one row fails (exit 1). Without --email the "
        "change is recorded as the operator's (source cli)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="Write the register to a file or standard output.")
        export.add_argument("--org", required=True, help="Organization slug.")
        export.add_argument("--email", help="Act as this member (their role's permissions apply).")
        export.add_argument("--format", choices=FORMATS, help="Default: from -o's extension, else CSV.")
        export.add_argument("-o", "--output", help="File to write (written whole, then moved into place).")
        export.add_argument("--q", help="Words to find in reference, title, description, causes, controls.")
        export.add_argument("--system", help="AI system slug or id; 'none' for organization-wide risks.")
        export.add_argument("--category", help="Category key.")
        export.add_argument("--level", help="Current level key (low, medium, high, critical, ...).")
        export.add_argument("--owner", help="Owner e-mail or id, or 'none'.")
        export.add_argument(
            "--status", help="identified, assessed, treatment_planned, in_treatment, accepted, closed."
        )
        export.add_argument("--treatment", help="mitigate, avoid, transfer, accept.")
        export.add_argument("--lifecycle-stage", dest="lifecycle_stage", help="Lifecycle stage.")
        export.add_argument("--overdue", action="store_true", help="Only risks whose review is due.")
        export.add_argument(
            "--sort", help="number, title, level, inherent, residual, next_review, status, updated."
        )

        imp = sub.add_parser("import", help="Add and update risks from a file; all or nothing.")
        imp.add_argument("file", help="The file to import ('-' reads standard input).")
        imp.add_argument("--org", required=True, help="Organization slug.")
        imp.add_argument("--email", help="Act as this member (their role's permissions apply).")
        imp.add_argument(
            "--format", choices=("csv", "xlsx", "json"), help="Default: from the file's extension."
        )
        imp.add_argument("--dry-run", action="store_true", help="Check every row, write nothing.")
        imp.add_argument("--no-progress", action="store_true", help="No progress bar on standard error.")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = org_actor(options["org"], options.get("email"))
        try:
            if options["action"] == "export":
                self.export(actor, options)
            else:
                self.import_(actor, options)
        except PermissionDenied as exc:
            raise CommandError(str(exc) or "permission denied") from exc
        except ValidationError as exc:
            raise fail_on(exc) from exc

    def export(self, actor: Any, options: dict[str, Any]) -> None:
        from aims.risk import io

        output = options.get("output")
        fmt = options.get("format")
        if not fmt and output:
            fmt = {".xlsx": "xlsx", ".json": "json", ".pdf": "pdf"}.get(Path(output).suffix.lower(), "csv")
        fmt = fmt or "csv"
        if fmt in ("xlsx", "pdf") and not output:
            raise CommandError(f"{fmt.upper()} is a binary format: give the file to write with -o FILE")
        params: dict[str, Any] = {key: options[key] for key in FILTERS if options.get(key)}
        if options.get("overdue"):
            params["overdue"] = True
        qs = io.export_queryset(actor, params)
        content, _content_type, filename = io.export_risks(actor, qs, fmt)
        if not output:
            self.stdout.write(content.decode("utf-8"), ending="")
            return
        target = Path(output)
        if target.is_dir():
            target = target / filename
        # A temporary file beside the target, then a rename: a reader never sees half a file.
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".aims-export-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(content)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self.stderr.write(f"wrote the risk register ({qs.count()} risks, {fmt}) to {target}")

    def import_(self, actor: Any, options: dict[str, Any]) -> None:
        from aims.risk import io

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

                stream = getattr(self.stderr, "_out", sys.stderr)
                bar = tqdm(total=total, unit="row", desc="importing", file=stream, disable=None, leave=False)
            bar.update(done - bar.n)

        try:
            result = io.import_risks(
                actor,
                data,
                options.get("format") or "",
                filename,
                dry_run=options["dry_run"],
                progress=progress,
            )
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
