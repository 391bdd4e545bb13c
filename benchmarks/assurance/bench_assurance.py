"""Executive dashboard and management review pack at scale (issue 7, Speed).

Builds a fresh database in a temporary directory (SQLite by default, PostgreSQL with --database-url)
with one organization of 100 AI systems, 10,000 risks and a year of records: incidents, feedback,
nonconformities and corrective actions, internal audits with findings, a previous management review
with its decisions, thousands of tasks, a daily year of every built-in KPI, objectives, training
records and documents. Then times through Django's full request stack (the test client: middleware,
session or bearer-token authentication, templates or JSON):

- the executive dashboard (GET /assurance/) — target: median under 300 ms;
- the management review page, whose input pack is compiled live while the review is planned;
- the input pack through the API (GET /api/v1/management-reviews/{id}/pack);
- the management review record as PDF (GET /assurance/reviews/{id}/review.pdf) — target: under 10 s;
- the incident register exported as XLSX (`aims assurance export incidents`).

    .venv/bin/python benchmarks/assurance/bench_assurance.py [--risks 10000] [--systems 100]
        [--requests 15] [--database-url postgres://...]

Prints one row per request kind: queries, median, p95, min and max wall-clock ms, and the median CPU
ms of this process (the figure that does not depend on what else the machine runs). Exits 1 when a
target is missed.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from common import contention, measure, setup_django  # noqa: E402

DASHBOARD_TARGET_MS = 300.0
PDF_TARGET_MS = 10_000.0


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--risks", type=int, default=10_000, help="risks in the organization (10000)")
    parser.add_argument("--systems", type=int, default=100, help="AI systems (100)")
    parser.add_argument("--days", type=int, default=365, help="days of records (365)")
    parser.add_argument(
        "--requests", type=int, default=15, help="timed requests per page (15; the PDF: a third)"
    )
    parser.add_argument("--warmup", type=int, default=2, help="untimed requests per kind first (2)")
    parser.add_argument("--database-url", default="", help="a PostgreSQL URL; an empty database is migrated")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (print its path)")
    return parser.parse_args()


def build(args: argparse.Namespace) -> dict[str, object]:
    """Migrate, then the organization and its year. Returns the top manager's user, a raw API token
    and the planned review."""
    import datetime as dt

    from django.core.management import call_command
    from django.utils import timezone

    from aims.assurance import services as assurance
    from aims.assurance.models import (
        KPI,
        Audit,
        CorrectiveAction,
        Feedback,
        Finding,
        Incident,
        KPIMeasurement,
        ManagementReview,
        Nonconformity,
        Task,
    )
    from aims.core import services as core_services
    from aims.core.actors import Actor
    from aims.core.models import Membership, Organization, User
    from aims.core.roles import Role
    from aims.governance import services as governance
    from aims.governance.models import Document, DocumentVersion, Objective, TrainingRecord
    from aims.inventory.models import AISystem

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    org = Organization.objects.create(name="Bench Bank", slug="bench")
    users = []
    for role in Role.values:
        user = User.objects.create_user(
            email=f"{role}@bench.example", full_name=role.replace("_", " ").title()
        )
        Membership.objects.create(user=user, organization=org, role=role)
        users.append(user)
    top = Membership.objects.get(organization=org, role=Role.TOP_MANAGEMENT)
    _token, raw = core_services.create_token(Actor.for_membership(top, source="cli"), name="bench")
    operator = Actor.system(org, source="cli")
    now, today = timezone.now(), timezone.localdate()
    days = args.days

    stages = AISystem.Stage.values
    systems = AISystem.objects.bulk_create(
        [
            AISystem(
                organization=org,
                name=f"System {i:03d}",
                slug=f"system-{i:03d}",
                purpose=f"Purpose {i}",
                owner=users[i % len(users)] if i % 4 else None,
                lifecycle_stage=stages[i % len(stages)],
                search_text=f"system {i}",
            )
            for i in range(args.systems)
        ]
    )
    _risks(org, systems, users, args.risks)

    # A year of incidents, a tenth of them serious, most closed.
    incident_statuses = ["closed"] * 6 + ["investigating", "contained", "reported", "resolved"]
    incidents = []
    for i in range(days):
        at = now - dt.timedelta(days=days - i, hours=i % 24)
        status = incident_statuses[i % len(incident_statuses)]
        incidents.append(
            Incident(
                organization=org,
                number=i + 1,
                title=f"Incident {i}: {['drift', 'bias', 'outage', 'misuse'][i % 4]}",
                ai_system=systems[i % len(systems)],
                incident_type=Incident._meta.get_field("incident_type").choices[i % 5][0],
                severity=["low", "medium", "high", "critical"][i % 4],
                status=status,
                owner=users[i % len(users)],
                detected_at=at,
                created_at=at,
                closed_at=at + dt.timedelta(days=3 + i % 20) if status == "closed" else None,
                root_cause="A cause" if status in ("closed", "resolved") else "",
                lessons_learned="A lesson" if status == "closed" else "",
                serious=i % 10 == 0,
                serious_category="other" if i % 10 == 0 else "",
                report_due_at=at + dt.timedelta(days=15) if i % 10 == 0 else None,
                authority_reported_at=at + dt.timedelta(days=5) if i % 20 == 0 else None,
            )
        )
    incidents = Incident.objects.bulk_create(incidents, batch_size=1000)
    Feedback.objects.bulk_create(
        [
            Feedback(
                organization=org,
                number=i + 1,
                ai_system=systems[i % len(systems)],
                message=f"Report {i}: the answer was wrong.",
                status=["new", "answered", "dismissed", "incident"][i % 4],
                created_at=now - dt.timedelta(hours=i * 17),
            )
            for i in range(days * 2)
        ],
        batch_size=1000,
    )

    # Nonconformities with two corrective actions each, in every status.
    nc_statuses = ["closed", "closed", "verifying", "action_planned", "analysed", "open"]
    ncs = Nonconformity.objects.bulk_create(
        [
            Nonconformity(
                organization=org,
                number=i + 1,
                title=f"Nonconformity {i}",
                requirement=f"{8 + i % 3}.{1 + i % 3}",
                status=nc_statuses[i % len(nc_statuses)],
                owner=users[i % len(users)],
                incident=incidents[i * 2] if i * 2 < len(incidents) else None,
                five_whys=["why 1", "why 2", "why 3"],
                root_cause="why 3",
                created_at=now - dt.timedelta(days=(days - i * 2) % days),
            )
            for i in range(days // 2)
        ],
        batch_size=1000,
    )
    CorrectiveAction.objects.bulk_create(
        [
            CorrectiveAction(
                organization=org,
                nonconformity=nc,
                title=f"Action {j} for {nc.number}",
                owner=users[(nc.number + j) % len(users)],
                due_date=today + dt.timedelta(days=(nc.number * 7 + j) % 120 - 60),
                status=["done", "in_progress", "planned"][(nc.number + j) % 3],
            )
            for nc in ncs
            for j in range(2)
        ],
        batch_size=1000,
    )

    # Twelve audits over the year, with findings.
    audits = Audit.objects.bulk_create(
        [
            Audit(
                organization=org,
                number=i + 1,
                title=f"Internal audit {i + 1}",
                clauses=[f"{4 + i % 7}.{1 + i % 3}"],
                planned_start=today - dt.timedelta(days=30 * (12 - i)),
                status="closed" if i < 10 else "planned",
                summary="Summary" if i < 10 else "",
            )
            for i in range(12)
        ]
    )
    Finding.objects.bulk_create(
        [
            Finding(
                organization=org,
                audit=a,
                kind=["observation", "opportunity", "minor_nc"][j % 3],
                title=f"Finding {j} of {a.number}",
                created_at=now - dt.timedelta(days=30 * (12 - a.number)),
            )
            for a in audits[:10]
            for j in range(4)
        ]
    )

    # Last year's review with decisions (tracked as tasks), and this year's, planned.
    previous = ManagementReview.objects.create(
        organization=org,
        title="Management review, last year",
        scheduled_for=today - dt.timedelta(days=days),
        status="held",
        chair=top.user,
    )
    for j in range(10):
        assurance.add_decision(
            operator,
            previous,
            text=f"Decision {j}",
            kind="improvement",
            owner_id=users[j % len(users)].pk,
            due_date=today - dt.timedelta(days=60 - j * 10),
        )
    review = ManagementReview.objects.create(
        organization=org,
        title="Management review",
        scheduled_for=today + dt.timedelta(days=7),
        chair=top.user,
    )

    # Thousands of tasks, a fifth of them overdue.
    roles = Role.values
    Task.objects.bulk_create(
        [
            Task(
                organization=org,
                title=f"Task {i}",
                assignee=users[i % len(users)] if i % 3 else None,
                assignee_role=roles[i % len(roles)],
                due_date=today + dt.timedelta(days=(i % 100) - 20),
                status="open" if i % 4 else "done",
                source_key=f"bench:{i}",
                created_at=now - dt.timedelta(hours=i),
            )
            for i in range(days * 10)
        ],
        batch_size=2000,
    )

    # Every built-in KPI measured daily for the year.
    assurance.measure_kpis(org)
    measurements = []
    for k in KPI.objects.filter(organization=org):
        for d in range(days):
            measurements.append(
                KPIMeasurement(kpi=k, at=now - dt.timedelta(days=days - d), value=float((d * 7 + k.pk) % 100))
            )
    KPIMeasurement.objects.bulk_create(measurements, batch_size=5000)

    kpis = list(KPI.objects.filter(organization=org))
    Objective.objects.bulk_create(
        [
            Objective(
                organization=org,
                title=f"Objective {i}",
                kpi=kpis[i % len(kpis)] if i % 2 else None,
                target=80.0 if i % 2 else None,
                owner=users[i % len(users)],
                due_date=today + dt.timedelta(days=i * 9 - 60),
            )
            for i in range(40)
        ]
    )
    TrainingRecord.objects.bulk_create(
        [
            TrainingRecord(
                organization=org,
                person=users[i % len(users)],
                course=f"Course {i % 12}",
                completed_on=today - dt.timedelta(days=i % days),
                expires_on=today + dt.timedelta(days=(i * 13) % 700 - 200),
            )
            for i in range(500)
        ]
    )
    manager = Actor.for_membership(
        Membership.objects.get(organization=org, role=Role.AI_MANAGER), source="cli"
    )
    policy = governance.ai_policy_from_template(manager)
    version = policy.versions.get()
    DocumentVersion.objects.filter(pk=version.pk).update(status="published", published_at=now)
    Document.objects.filter(pk=policy.pk).update(published_version=version)
    for i in range(30):
        governance.create_document(
            manager, {"title": f"Procedure {i}", "content": f"# Procedure {i}\n\nSteps."}
        )

    print(f"built the organization in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return {"user": top.user, "token": raw, "review": review}


def _risks(org, systems, users, n: int) -> None:  # type: ignore[no-untyped-def]
    """N risks on the organization's risk method, linked to the systems (as the risk benchmark does)."""
    import datetime as dt

    from django.utils import timezone

    from aims.risk import services
    from aims.risk.models import Risk, RiskCategory

    method = services.ensure_setup(org)
    categories = list(RiskCategory.objects.filter(organization=org))
    statuses = [
        Risk.Status.ASSESSED,
        Risk.Status.TREATMENT_PLANNED,
        Risk.Status.IN_TREATMENT,
        Risk.Status.CLOSED,
    ]
    today = timezone.localdate()
    through = Risk.ai_systems.through
    batch, links = [], []
    for i in range(n):
        lk, im = i % method.size + 1, (i // method.size) % method.size + 1
        treated = i % 3 != 0
        risk = Risk(
            organization=org,
            number=i + 1,
            title=f"Risk {i:06d}",
            description=f"What could go wrong number {i}.",
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
        risk.search_text = f"{risk.title} {risk.description}".lower()
        batch.append(risk)
        if len(batch) == 5000 or i == n - 1:
            made = Risk.objects.bulk_create(batch)
            links += [through(risk_id=r.pk, aisystem_id=systems[r.number % len(systems)].pk) for r in made]
            batch = []
    through.objects.bulk_create(links, batch_size=5000)


def main() -> int:
    args = parse()
    tmp = Path(tempfile.mkdtemp(prefix="aims-bench-"))
    setup_django(tmp / "var", args.database_url)
    import platform

    import django
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    world = build(args)
    session = Client()
    session.force_login(world["user"])
    token = Client(HTTP_AUTHORIZATION=f"Bearer {world['token']}")
    review = world["review"]

    def get(client, path):  # type: ignore[no-untyped-def]
        def run() -> int:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            return len(response.content)

        return run

    def export_xlsx() -> int:
        from aims.assurance.exports import export
        from aims.core.actors import Actor

        return len(export(Actor.system(review.organization, source="cli"), "incidents", "xlsx")[0])

    def dashboard_cold() -> int:
        from django.core.cache import cache

        cache.clear()  # the readiness summary recomputed, as on the first view in two minutes
        return get(session, "/assurance/")()

    n = args.requests
    cases = [
        ("executive dashboard", get(session, "/assurance/"), n, DASHBOARD_TARGET_MS),
        ("executive dashboard, readiness cold", dashboard_cold, n, DASHBOARD_TARGET_MS),
        ("management review page (live pack)", get(session, f"/assurance/reviews/{review.pk}/"), n, None),
        ("review input pack, API", get(token, f"/api/v1/management-reviews/{review.pk}/pack"), n, None),
        (
            "management review record, PDF",
            get(session, f"/assurance/reviews/{review.pk}/review.pdf"),
            max(3, n // 3),
            PDF_TARGET_MS,
        ),
        ("incident register, XLSX export", export_xlsx, max(3, n // 3), None),
    ]
    print(
        f"\nAIMS assurance benchmark: {args.systems} AI systems, {args.risks} risks, {args.days} days of records, "
        f"{connection.vendor}, Django {django.get_version()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}\n"
    )
    header = (
        f"| {'request':<36} | {'queries':>7} | {'median ms':>9} | {'p95 ms':>7} | {'min ms':>7} | {'max ms':>7} "
        f"| {'CPU ms':>6} | {'KiB':>5} | target |"
    )
    print(header)
    print("|" + "|".join("-" * len(c) for c in header.split("|")[1:-1]) + "|")
    before = contention()
    missed = []
    for label, fn, count, target in cases:
        r = measure(fn, count, args.warmup)
        verdict = "—" if target is None else ("meets" if r["median"] < target else "MISSES")
        if verdict == "MISSES":
            missed.append(label)
        print(
            f"| {label:<36} | {r['queries']:>7} | {r['median']:>9.1f} | {r['p95']:>7.1f} | {r['min']:>7.1f} "
            f"| {r['max']:>7.1f} | {r['cpu']:>6.1f} | {r['bytes'] / 1024:>5.0f} | {verdict} |"
        )
    print(
        f"\nCPU contention (wall / CPU time of a pure-Python loop): {before:.1f}x before, {contention():.1f}x after "
        "the runs; 1.0x means an idle machine"
    )
    print(
        f"targets: dashboard median under {DASHBOARD_TARGET_MS:.0f} ms, review PDF under {PDF_TARGET_MS / 1000:.0f} s: "
        + ("met" if not missed else "MISSED by " + ", ".join(missed))
    )
    if args.keep:
        print(f"kept {tmp}", file=sys.stderr)
    else:
        import shutil

        connection.close()
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
