"""`aims export ai-systems --org S [--email E] [--format csv|xlsx|json] [-o FILE] [filters]`."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from aims.core.management.cli import fail_on, org_actor
from aims.core.management.tabular_cli import export_format, write_output

KINDS = ("ai-systems",)
FORMATS = ("csv", "xlsx", "json")


class Command(BaseCommand):
    help = (
        "Export the AI system inventory as CSV, XLSX or JSON, with the inventory list's filters. Writes to "
        "standard output unless -o FILE is given (XLSX needs -o). The format defaults to the output file's "
        "extension, else CSV. The export is recorded in the audit trail."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        from aims.inventory.models import AISystem

        parser.add_argument("kind", choices=KINDS, help="What to export.")
        parser.add_argument("--org", required=True, help="Organization slug.")
        parser.add_argument("--email", help="Act as this member (their role's permissions apply).")
        parser.add_argument("--format", choices=FORMATS)
        parser.add_argument("-o", "--output", help="File to write (written whole, then moved into place).")
        parser.add_argument("--q", help="Words to find in name, purpose, description, function, unit, tags.")
        parser.add_argument("--type", choices=AISystem.Type.values)
        parser.add_argument("--criticality", choices=AISystem.Criticality.values)
        parser.add_argument("--stage", choices=AISystem.Stage.values)
        parser.add_argument("--tier", choices=AISystem.RiskTier.values)
        parser.add_argument("--documentation", choices=AISystem.DocumentationStatus.values)
        parser.add_argument("--owner", help="Owner e-mail or id, or 'none' for systems without an owner.")
        parser.add_argument("--sort", help="name, criticality, stage, updated; prefix - for descending.")

    def handle(self, *args: Any, **options: Any) -> None:
        from aims.inventory import io, services
        from aims.inventory.models import AISystem

        actor = org_actor(options["org"], options.get("email"))
        output = options.get("output")
        fmt = export_format(options.get("format"), output, {".xlsx": "xlsx", ".json": "json"}, ("xlsx",))
        params = {
            key: options[key]
            for key in ("q", "type", "criticality", "stage", "tier", "documentation", "owner", "sort")
            if options.get(key)
        }
        try:
            qs = services.filter_systems(AISystem.objects.for_actor(actor, "export"), params)
            content, _content_type, filename = io.export_systems(actor, qs, fmt)
            rows = qs.count()
        except ValidationError as exc:
            raise fail_on(exc) from exc
        except PermissionDenied as exc:
            raise CommandError(str(exc) or "permission denied") from exc
        target = write_output(self, content, output, filename)
        if target is not None:
            self.stderr.write(f"wrote {rows} AI systems to {target}")
