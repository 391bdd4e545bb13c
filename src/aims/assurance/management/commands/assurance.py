"""`aims assurance export KIND --org SLUG [--email E] [--format csv|xlsx|pdf] [-o FILE]`.

KIND: incidents, nonconformities, corrective-actions, audits, findings, kpis, objectives. Acting as a
member (--email) applies their role's `export` right; without it the operator exports. CSV goes to
standard output unless -o is given; XLSX and PDF need -o. The file is written whole, then moved into
place. Each export is recorded in the audit trail."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from aims.core.management.cli import org_actor
from aims.core.management.tabular_cli import write_output


class Command(BaseCommand):
    help = (
        "Performance evaluation and improvement registers: `aims assurance export KIND --org SLUG` writes "
        "incidents, nonconformities, corrective actions, audits, findings, KPIs or objectives as CSV, XLSX or PDF."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        from aims.assurance.exports import FORMATS, KINDS

        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="Export a register.")
        export.add_argument("kind", choices=sorted(KINDS), help="What to export.")
        export.add_argument("--org", required=True, help="Organization slug.")
        export.add_argument("--email", help="Act as this member (their role's permissions apply).")
        export.add_argument(
            "--format", choices=FORMATS, help="Default: the output file's extension, else CSV."
        )
        export.add_argument("-o", "--output", help="File or folder to write.")

    def handle(self, *args: Any, **options: Any) -> None:
        from aims.assurance.exports import FORMATS, export

        actor = org_actor(options["org"], options.get("email"))
        output = options.get("output")
        fmt = options.get("format")
        if not fmt and output:
            suffix = Path(output).suffix.lower().lstrip(".")
            fmt = suffix if suffix in FORMATS else "csv"
        fmt = fmt or "csv"
        if fmt != "csv" and not output:
            raise CommandError(f"{fmt.upper()} is a binary format: give the file to write with -o FILE")
        try:
            content, _type, filename, rows = export(actor, options["kind"], fmt)
        except PermissionDenied as exc:
            raise CommandError(str(exc) or "permission denied") from exc
        if not output:
            self.stdout.write(content.decode("utf-8-sig"), ending="")
            return
        target = write_output(self, content, output, filename)
        self.stderr.write(f"wrote {rows} {options['kind']} to {target}")
