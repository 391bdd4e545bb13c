"""Inventory import and export at 10,000 rows (the figures in docs/import-export.md, "Speed").

Builds a fresh database in a temporary directory (SQLite by default, PostgreSQL with
--database-url), then times, in this process: importing N new AI systems from CSV (every row
through the inventory service: validation, insert, audit entry; one transaction), exporting them
as XLSX, and importing that XLSX again (every row unchanged). Prints CPU and wall-clock seconds for
each step; CPU is the figure that does not depend on what else the machine runs.

    .venv/bin/python benchmarks/inventory/bench_import.py [--rows 10000]
        [--database-url postgres://postgres@127.0.0.1:5432/aims_bench_import]
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from common import setup_django  # noqa: E402


def timed(label: str, step):  # type: ignore[no-untyped-def]
    cpu, wall = time.process_time(), time.perf_counter()
    result = step()
    print(f"{label:<44} {time.process_time() - cpu:7.1f} s CPU {time.perf_counter() - wall:7.1f} s wall")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        setup_django(Path(tmp), args.database_url)
        from django.core.management import call_command

        from aims.core.actors import Actor
        from aims.core.models import Membership, Organization, User
        from aims.core.roles import Role
        from aims.inventory.io import export_systems, import_systems
        from aims.inventory.models import AISystem

        call_command("migrate", verbosity=0, interactive=False)
        org = Organization.objects.create(name="Import Bench", slug="import-bench")
        user = User.objects.create_user(email="manager@import.example")
        manager = Actor.for_membership(
            Membership.objects.create(user=user, organization=org, role=Role.AI_MANAGER), source="cli"
        )
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["name", "slug", "criticality", "org_roles", "tags", "processes_personal_data"])
        for i in range(args.rows):
            writer.writerow([f"System {i}", f"system-{i}", "high", "provider; deployer", "a; b", "yes"])
        data = out.getvalue().encode()

        created = timed(
            f"import {args.rows:,} new systems (CSV)", lambda: import_systems(manager, data, "csv")
        )
        assert created.ok and created.created == args.rows, created.errors[:5]
        content, _ct, _fn = timed(
            f"export {args.rows:,} systems (XLSX)",
            lambda: export_systems(manager, AISystem.objects.filter(organization=org), "xlsx"),
        )
        again = timed(
            f"import that XLSX again ({args.rows:,} unchanged)",
            lambda: import_systems(manager, content, "xlsx"),
        )
        assert again.ok and again.unchanged == args.rows


if __name__ == "__main__":
    main()
