"""Risk register speed at 100,000 risks (issue 3, Speed).

Builds a fresh database in a temporary directory (SQLite by default, PostgreSQL with
--database-url), fills one organization with N risks (varied categories, likelihoods, impacts,
residual values, owners, statuses, AI systems), then times through Django's full request stack
(the test client: middleware, session or bearer-token authentication, templates or JSON):

- the register page (GET /risk/risks/) and the heat map page (GET /risk/risks/heatmap/), logged in;
- GET /api/v1/risks (a page of 50, a later page sorted by level, a search) and the heat map API;

and finally a method change: the time to recompute every risk's levels (with one audit entry per
risk), by running the recompute job the method change queues.

    .venv/bin/python benchmarks/risk/bench_risk.py [--risks 100000] [--requests 15]
        [--database-url postgres://...] [--profile FILE] [--skip-requests]

Prints one row per request kind (queries, median, p95, min, max wall-clock ms, median CPU ms of
this process) and the recompute time. Targets: requests under 200 ms median, recompute under 30 s.
Exits 1 when one is missed. --profile FILE writes a cProfile of the recompute to FILE.
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

REQUEST_TARGET_MS = 200.0
RECOMPUTE_TARGET_S = 30.0


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--risks", type=int, default=100_000, help="risks in the organization (100000)")
    parser.add_argument("--requests", type=int, default=15, help="timed requests per kind (15)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed requests per kind first (2)")
    parser.add_argument("--database-url", default="", help="a PostgreSQL URL; an empty database is migrated")
    parser.add_argument("--profile", default="", help="write a cProfile of the recompute to this file")
    parser.add_argument("--skip-requests", action="store_true", help="only time the recompute")
    parser.add_argument("--skip-recompute", action="store_true", help="only time the requests")
    parser.add_argument("--only", default="", help="only the requests whose label contains this text")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (print its path)")
    return parser.parse_args()


def build(n_risks: int) -> tuple[object, str, object]:
    """Migrate, one organization with a member per role, 50 AI systems and N risks.
    Returns (the AI manager's user, a raw API token, the organization)."""
    import datetime as dt

    from django.core.management import call_command
    from django.utils import timezone

    from aims.core import services as core_services
    from aims.core.actors import Actor
    from aims.core.models import Membership, Organization, User
    from aims.core.roles import Role
    from aims.inventory.models import AISystem
    from aims.risk import services
    from aims.risk.models import Risk, RiskCategory

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    org = Organization.objects.create(name="Bench Bank", slug="bench")
    users = []
    for role in Role.values:
        user = User.objects.create_user(email=f"{role}@bench.example")  # no password: force_login below
        Membership.objects.create(user=user, organization=org, role=role)
        users.append(user)
    manager = Membership.objects.get(organization=org, role=Role.AI_MANAGER)
    _token, raw = core_services.create_token(Actor.for_membership(manager, source="cli"), name="bench")
    method = services.ensure_setup(org)
    categories = list(RiskCategory.objects.filter(organization=org))
    systems = AISystem.objects.bulk_create(
        [
            AISystem(
                organization=org, name=f"System {i:02d}", slug=f"system-{i:02d}", search_text=f"system {i}"
            )
            for i in range(50)
        ]
    )
    statuses = [
        Risk.Status.ASSESSED,
        Risk.Status.TREATMENT_PLANNED,
        Risk.Status.IN_TREATMENT,
        Risk.Status.CLOSED,
    ]
    today = timezone.localdate()
    words = [
        "bias",
        "drift",
        "privacy",
        "leak",
        "opacity",
        "outage",
        "poisoning",
        "misuse",
        "fairness",
        "error",
    ]
    batch: list[Risk] = []
    links = []
    through = Risk.ai_systems.through
    for i in range(n_risks):
        lk, im = i % method.size + 1, (i // method.size) % method.size + 1
        treated = i % 3 != 0
        risk = Risk(
            organization=org,
            number=i + 1,
            title=f"Risk {i:06d}: {words[i % 10]} in {words[(i // 10) % 10]}",
            description=f"What could go wrong number {i}, {words[(i * 7) % 10]} affecting applicants.",
            root_causes=f"cause {i % 97}",
            category=categories[i % len(categories)],
            likelihood=lk,
            impact=im,
            residual_likelihood=max(1, lk - 1) if treated else None,
            residual_impact=max(1, im - 1) if treated else None,
            treatment="mitigate" if treated else "",
            status=statuses[i % len(statuses)] if treated else Risk.Status.ASSESSED,
            owner=users[i % len(users)] if i % 4 else None,
            last_assessed_on=today - dt.timedelta(days=i % 400),
        )
        risk.compute(method)
        risk.search_text = " ".join([risk.ref, risk.title, risk.description, risk.root_causes]).lower()
        batch.append(risk)
        if len(batch) == 5000:
            made = Risk.objects.bulk_create(batch)
            links += [
                through(risk_id=r.pk, aisystem_id=systems[r.number % 50].pk) for r in made if r.number % 5
            ]
            batch = []
    if batch:
        made = Risk.objects.bulk_create(batch)
        links += [through(risk_id=r.pk, aisystem_id=systems[r.number % 50].pk) for r in made if r.number % 5]
    through.objects.bulk_create(links, batch_size=5000)
    print(f"built {n_risks} risks in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return manager.user, raw, org


CASES = [
    ("register page", "session", "/risk/risks/"),
    ("register page, page 100, by level", "session", "/risk/risks/?sort=-level&page=100"),
    ("heat map page", "session", "/risk/risks/heatmap/"),
    ("API list, page of 50", "token", "/api/v1/risks?page_size=50"),
    ("API list, page 100, by level", "token", "/api/v1/risks?page_size=50&page=100&sort=-level"),
    ("API search", "token", "/api/v1/risks?page_size=50&q=privacy+leak"),
    ("API heat map", "token", "/api/v1/risks/heatmap"),
]


def recompute(org, profile: str) -> tuple[float, float, object]:
    """Change the method (the 'high' cells of the matrix become 'critical') the job is queued,
    then run the job as the worker does, timed. Returns (wall s, CPU s, job)."""
    from aims.core.actors import Actor
    from aims.risk import services

    actor = Actor.system(org, source="cli")
    current = services.ensure_setup(org)
    matrix = [["critical" if cell == "high" else cell for cell in row] for row in current.matrix]
    # The default database queue only records the job; it is run here, as the worker would.
    _method, job = services.change_method(actor, {"matrix": matrix, "change_note": "benchmark"})
    t0, c0 = time.perf_counter(), time.process_time()
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    job = services.recompute(job.pk)
    if profile:
        profiler.disable()
        profiler.dump_stats(profile)
    return time.perf_counter() - t0, time.process_time() - c0, job


def main() -> int:
    args = parse()
    tmp = Path(tempfile.mkdtemp(prefix="aims-bench-risk-"))
    setup_django(tmp / "var", args.database_url)
    import platform

    import django
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    user, raw, org = build(args.risks)
    session = Client()
    session.force_login(user)
    clients = {"session": session, "token": Client(HTTP_AUTHORIZATION=f"Bearer {raw}")}
    print(
        f"\nAIMS risk benchmark: {args.risks} risks, {args.requests} timed requests per row ({args.warmup} "
        f"warm-up), {connection.vendor}, Django {django.get_version()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}\n"
    )
    ok = True
    before = contention()
    if not args.skip_requests:
        header = (
            f"| {'request':<36} | {'queries':>7} | {'median ms':>9} | {'p95 ms':>7} | {'min ms':>7} "
            f"| {'max ms':>7} | {'CPU ms':>6} |"
        )
        print(header)
        print("|" + "|".join("-" * len(c) for c in header.split("|")[1:-1]) + "|")
        for label, door, path in CASES:
            if args.only and args.only not in label:
                continue
            r = measure(get_ok(clients[door], path), args.requests, args.warmup)
            ok = ok and r["median"] < REQUEST_TARGET_MS
            print(
                f"| {label:<36} | {r['queries']:>7} | {r['median']:>9.1f} | {r['p95']:>7.1f} | {r['min']:>7.1f} "
                f"| {r['max']:>7.1f} | {r['cpu']:>6.1f} |"
            )
    if not args.skip_recompute:
        wall, cpu, job = recompute(org, args.profile)
        ok = ok and wall < RECOMPUTE_TARGET_S
        print(
            f"\nrecompute after a method change: {job.done} risks ({job.changed} changed level), "
            f"{wall:.1f} s wall-clock, {cpu:.1f} s CPU, status {job.status}"
        )
    print(
        f"\nCPU contention (wall / CPU time of a pure-Python loop): {before:.1f}x before, {contention():.1f}x "
        "after the runs; 1.0x means an idle machine"
    )
    print(
        f"targets: requests < {REQUEST_TARGET_MS:.0f} ms median, recompute < {RECOMPUTE_TARGET_S:.0f} s: "
        + ("met" if ok else "MISSED")
    )
    if args.keep:
        print(f"kept {tmp}", file=sys.stderr)
    else:
        import shutil

        connection.close()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
