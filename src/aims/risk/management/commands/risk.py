"""`aims risk export --org S [--format csv|xlsx|json|pdf] [-o FILE] [filters]` and
`aims risk import FILE --org S [--format csv|xlsx|json] [--dry-run]`: the risk register on the
command line (issue 3, section 6), through the same code as the web pages and the API
(`aims.risk.io`, `aims.risk.reports`, the risk services)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from aims.core.management.cli import fail_on, org_actor
from aims.core.management.tabular_cli import export_format, import_file, write_output

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
        fmt = export_format(
            options.get("format"), output, {".xlsx": "xlsx", ".json": "json", ".pdf": "pdf"}, ("xlsx", "pdf")
        )
        params: dict[str, Any] = {key: options[key] for key in FILTERS if options.get(key)}
        if options.get("overdue"):
            params["overdue"] = True
        qs = io.export_queryset(actor, params)
        content, _content_type, filename = io.export_risks(actor, qs, fmt)
        target = write_output(self, content, output, filename)
        if target is not None:
            self.stderr.write(f"wrote the risk register ({qs.count()} risks, {fmt}) to {target}")

    def import_(self, actor: Any, options: dict[str, Any]) -> None:
        from aims.risk import io

        import_file(self, options, lambda *args, **kw: io.import_risks(actor, *args, **kw))
