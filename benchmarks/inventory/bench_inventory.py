"""Inventory speed at 10,000 AI systems (issue 2, Speed).

Builds a fresh database in a temporary directory (SQLite by default, the production PostgreSQL
with --database-url), fills one organization with N AI systems, and times the inventory page
(GET /inventory/systems/, logged in) and the API list (GET /api/v1/ai-systems?page_size=50,
bearer token) through Django's full request stack (middleware, session or token authentication,
templates or JSON) with the test client: no network and no WSGI server, which add about a
millisecond on loopback. Each request opens its database connection as in production
(CONN_MAX_AGE=0 on SQLite).

    .venv/bin/python benchmarks/inventory/bench_inventory.py [--systems 10000] [--requests 50]
        [--database-url postgres://postgres@127.0.0.1:5432/aims_bench]

Prints one row per request kind: queries per request, median, p95, min and max wall-clock
milliseconds, and the median CPU milliseconds of this process (the figure that does not depend on
what else the machine is running). Target: median under 100 ms on SQLite. Exits 1 when missed.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from common import contention, get_ok, measure, setup_django  # noqa: E402


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--systems", type=int, default=10_000, help="AI systems in the organization (10000)")
    parser.add_argument("--requests", type=int, default=50, help="timed requests per kind (50)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests per kind first (5)")
    parser.add_argument("--database-url", default="", help="a PostgreSQL URL; an empty database is migrated")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (print its path)")
    return parser.parse_args()


def build(n_systems: int) -> tuple[object, str]:
    """Migrate, then one organization with a member per role, N systems; returns (user, raw token)."""
    from django.core.management import call_command

    from aims.core import services
    from aims.core.actors import Actor
    from aims.core.models import Membership, Organization, User
    from aims.core.roles import Role
    from aims.inventory.models import AISystem

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    org = Organization.objects.create(name="Bench Bank", slug="bench")
    users = []
    for role in Role.values:
        user = User.objects.create_user(email=f"{role}@bench.example")  # no password: force_login below
        Membership.objects.create(user=user, organization=org, role=role)
        users.append(user)
    manager = Membership.objects.get(organization=org, role=Role.AI_MANAGER)
    _token, raw = services.create_token(Actor.for_membership(manager, source="cli"), name="bench")

    types, crit, stages, tiers = (
        AISystem.Type.values,
        AISystem.Criticality.values,
        AISystem.Stage.values,
        AISystem.RiskTier.values,
    )
    rows = []
    for i in range(n_systems):
        name = f"System {i:05d}"
        rows.append(
            AISystem(
                organization=org,
                name=name,
                slug=f"system-{i:05d}",
                purpose=f"Purpose of system {i}: decides something for business unit {i % 40}",
                business_unit=f"Unit {i % 40}",
                system_type=types[i % len(types)],
                criticality=crit[i % len(crit)],
                lifecycle_stage=stages[i % len(stages)],
                eu_ai_act_tier=tiers[i % len(tiers)],
                owner=users[i % len(users)] if i % 5 else None,
                tags=["bench", f"t{i % 10}"],
                search_text=f"{name} system-{i:05d} purpose of system {i} unit {i % 40} bench t{i % 10}".lower(),
            )
        )
    AISystem.objects.bulk_create(rows, batch_size=2000)
    print(f"built {n_systems} AI systems in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return manager.user, raw


CASES = [
    ("inventory page", "session", "/inventory/systems/"),
    ("inventory page, page 100", "session", "/inventory/systems/?page=100"),
    (
        "inventory page, search + filter + sort",
        "session",
        "/inventory/systems/?q=unit+7&criticality=high&sort=-name",
    ),
    ("API list, page of 50", "token", "/api/v1/ai-systems?page_size=50"),
    ("API list, page 100 of 50", "token", "/api/v1/ai-systems?page_size=50&page=100"),
    (
        "API list, search + filter + sort",
        "token",
        "/api/v1/ai-systems?page_size=50&q=unit%207&criticality=high&sort=-name",
    ),
]


def main() -> int:
    args = parse()
    tmp = Path(tempfile.mkdtemp(prefix="aims-bench-"))
    setup_django(tmp / "var", args.database_url)
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    user, raw = build(args.systems)
    session = Client()
    session.force_login(user)
    clients = {"session": session, "token": Client(HTTP_AUTHORIZATION=f"Bearer {raw}")}

    vendor = connection.vendor
    import platform

    import django

    print(
        f"\nAIMS inventory benchmark: {args.systems} AI systems, {args.requests} timed requests per row "
        f"({args.warmup} warm-up), {vendor}, Django {django.get_version()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}\n"
    )
    header = (
        f"| {'request':<40} | {'queries':>7} | {'median ms':>9} | {'p95 ms':>7} | {'min ms':>7} | {'max ms':>7} "
        f"| {'CPU ms':>6} |"
    )
    print(header)
    print("|" + "|".join("-" * (len(c)) for c in header.split("|")[1:-1]) + "|")
    worst = 0.0
    before = contention()
    for label, door, path in CASES:
        r = measure(get_ok(clients[door], path), args.requests, args.warmup)
        worst = max(worst, r["median"]) if label in ("inventory page", "API list, page of 50") else worst
        print(
            f"| {label:<40} | {r['queries']:>7} | {r['median']:>9.1f} | {r['p95']:>7.1f} | {r['min']:>7.1f} "
            f"| {r['max']:>7.1f} | {r['cpu']:>6.1f} |"
        )
    print(
        f"\nCPU contention (wall / CPU time of a pure-Python loop): {before:.1f}x before, {contention():.1f}x after "
        "the runs; 1.0x means an idle machine"
    )
    target = 100.0
    verdict = "meets" if worst < target else "MISSES"
    print(f"\nworst median of the two target requests: {worst:.1f} ms: {verdict} the {target:.0f} ms target")
    if args.keep:
        print(f"kept {tmp}", file=sys.stderr)
    else:
        import shutil

        connection.close()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0 if worst < target else 1


if __name__ == "__main__":
    sys.exit(main())
