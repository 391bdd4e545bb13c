"""`aims catalog list|show|load|export`: the framework catalogs on the command line.

aims catalog list                          the catalogs and crosswalks, files and database
aims catalog show iso-iec-42001-2023       the requirement tree (--kind control, --json)
aims catalog load                          load new files, upgrade changed ones (as migrate does)
aims catalog load FILE --org acme          check a file and load it as acme's own framework
aims catalog load FILE --check             only validate the file (every problem, one per line)
aims catalog export SLUG [--oscal] [-o F]  the catalog as JSON (AIMS shape) or OSCAL catalog JSON
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from aims.compliance import catalog_files as cf


class Command(BaseCommand):
    help = "List, show, load and export the framework catalogs (ISO/IEC 42001, EU AI Act, NIST AI RMF, ...)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="Catalogs and crosswalks, with requirement counts")
        show = sub.add_parser("show", help="The requirements of one catalog as a tree")
        show.add_argument("slug")
        show.add_argument("--kind", help="Only requirements of this kind (control, subclause, article, ...)")
        show.add_argument("--json", action="store_true", help="The nested tree as JSON")
        load = sub.add_parser("load", help="Load or upgrade catalogs in the database")
        load.add_argument(
            "file", nargs="?", help="A catalog file of the organization's own (else: every shipped file)"
        )
        load.add_argument("--org", help="Load FILE as this organization's own framework")
        load.add_argument("--check", action="store_true", help="Only validate FILE")
        export = sub.add_parser("export", help="Export one catalog as JSON")
        export.add_argument("slug")
        export.add_argument(
            "--oscal", action="store_true", help="OSCAL 1.1.2 catalog JSON instead of AIMS's shape"
        )
        export.add_argument("--org", help="Organization slug, for an organization's own framework")
        export.add_argument("-o", "--output", help="Write to this file instead of standard output")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            getattr(self, f"do_{opts['action']}")(opts)
        except cf.CatalogError as exc:
            raise CommandError(str(exc)) from exc
        except KeyError as exc:
            raise CommandError(str(exc).strip("'\"")) from exc

    def do_list(self, opts: dict[str, Any]) -> None:
        from aims.compliance.models import Crosswalk, Framework

        loaded = {f.slug: f for f in Framework.objects.filter(organization__isnull=True)}
        self.stdout.write(f"{'slug':28} {'requirements':>12} {'assessable':>10}  loaded  name")
        for slug in cf.list_catalogs():
            c = cf.load_catalog(slug)
            state = "yes" if slug in loaded else "no"
            self.stdout.write(f"{slug:28} {len(c):>12} {len(c.assessable()):>10}  {state:6}  {c.name}")
        for f in Framework.objects.filter(organization__isnull=False).select_related("organization"):
            self.stdout.write(
                f"{f.slug:28} {f.requirements.count():>12} {'':>10}  {f.organization.slug:6}  {f.name} (own)"
            )
        self.stdout.write("")
        rows = {c.slug: c for c in Crosswalk.objects.all()}
        for slug in cf.list_crosswalks():
            x = cf.load_crosswalk(slug)
            kind = "indicative" if x.indicative else "authoritative"
            self.stdout.write(
                f"{slug:28} {len(x.mappings):>12} mappings  {x.source} -> {x.target} ({kind}){'' if slug in rows else ' not loaded'}"
            )

    def do_show(self, opts: dict[str, Any]) -> None:
        c = cf.load_catalog(opts["slug"])
        if opts["json"]:
            self.stdout.write(json.dumps(c.tree(), indent=2, ensure_ascii=False))
            return
        self.stdout.write(f"{c.name} — {c.full_title or c.description}")
        for r in c.walk():
            if opts.get("kind") and r.kind != opts["kind"]:
                continue
            indent = "" if opts.get("kind") else "  " * len(c.ancestors(r.ref_id))
            self.stdout.write(f"{indent}{r.ref_id}  {r.title}")

    def do_load(self, opts: dict[str, Any]) -> None:
        from aims.compliance import loader

        if opts.get("file"):
            catalog = cf.load_catalog_file(opts["file"])
            if opts["check"]:
                self.stdout.write(f"{opts['file']}: valid, {len(catalog)} requirements")
                return
            if not opts.get("org"):
                raise CommandError(
                    "name the organization (--org SLUG) that owns this framework, or put the file in "
                    "AIMS_CATALOG_PATH to share it with every organization"
                )
            from aims.core.management.cli import organization

            org = organization(opts["org"])
            fw, change = loader.load_catalog_into(catalog, organization=org)
            verb = "upgraded" if change else "loaded"
            self.stdout.write(
                self.style.SUCCESS(f"{fw.slug}: {verb} for {org.slug} ({len(catalog)} requirements)")
            )
            return
        result = loader.sync_catalogs()
        from aims.compliance.services import review_catalog_change

        for change in result.changes:
            made = review_catalog_change(change)
            self.stdout.write(
                f"{change.framework.slug}: {len(change.added)} added, {len(change.removed)} removed, "
                f"{len(change.changed)} changed; review tasks {made}"
            )
        self.stdout.write(self.style.SUCCESS(result.summary()))

    def do_export(self, opts: dict[str, Any]) -> None:
        from aims.compliance import oscal
        from aims.compliance.models import Framework

        qs = Framework.objects.filter(slug=opts["slug"])
        qs = (
            qs.filter(organization__slug=opts["org"])
            if opts.get("org")
            else qs.filter(organization__isnull=True)
        )
        fw = qs.first()
        if opts["oscal"]:
            if fw is None:
                raise CommandError(f"no catalog {opts['slug']!r} in the database (run `aims catalog load`)")
            data: Any = oscal.catalog(fw)
        elif fw is not None and fw.organization_id is not None:
            from aims.compliance.schemas import FrameworkDetail, RequirementOut

            data = {
                **FrameworkDetail.from_orm(fw).dict(),
                "requirements": [
                    RequirementOut.from_orm(r).dict() for r in fw.requirements.select_related("parent")
                ],
            }
        else:
            c = cf.load_catalog(opts["slug"])
            data = {**c.to_dict(), "requirements": [cf.requirement_to_dict(r) for r in c.requirements]}
        text = json.dumps(data, indent=2, ensure_ascii=False, default=str)
        if opts.get("output"):
            with open(opts["output"], "w", encoding="utf-8") as fh:
                fh.write(text + "\n")
            self.stdout.write(self.style.SUCCESS(f"written to {opts['output']}"))
        else:
            self.stdout.write(text)
