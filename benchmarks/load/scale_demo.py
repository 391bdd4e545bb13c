"""Scale the demo organization up to N AI systems and M risks (defaults 10,000 and 100,000) with
bulk inserts, for the load test. Audit entries are not written for the generated rows (it is test
data, and the chain stays valid: nothing is written to it).
    .venv/bin/python benchmarks/load/scale_demo.py --systems 10000 --risks 100000"""

from __future__ import annotations

import argparse
import os

import django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--systems", type=int, default=10_000)
    parser.add_argument("--risks", type=int, default=100_000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aims.settings")
    django.setup()
    from aims.core import demo
    from aims.inventory.models import AISystem
    from aims.risk.models import Risk

    org = demo.demo_organization()
    if org is None:
        raise SystemExit("load the demo first: aims demo")
    have = AISystem.objects.filter(organization=org).count()
    AISystem.objects.bulk_create(
        (
            AISystem(
                organization=org,
                name=f"Scaled system {i}",
                slug=f"scaled-{i}",
                purpose="generated for the load test",
            )
            for i in range(have, args.systems)
        ),
        batch_size=2000,
    )
    systems = list(AISystem.objects.filter(organization=org).values_list("pk", flat=True))
    template = Risk.objects.filter(organization=org).first()
    if template is None:
        raise SystemExit("the demo has no risk to copy")
    have = Risk.objects.filter(organization=org).count()
    batch = []
    for i in range(have, args.risks):
        template.pk = None
        template.id = None
        template.title = f"Scaled risk {i}"
        if hasattr(template, "ai_system_id"):
            template.ai_system_id = systems[i % len(systems)]
        for f in ("reference", "number", "slug"):
            if hasattr(template, f) and isinstance(getattr(template, f), int):
                setattr(template, f, i + 100_000)
        batch.append(
            Risk(
                **{
                    f.attname: getattr(template, f.attname)
                    for f in Risk._meta.concrete_fields
                    if f.attname != "id"
                }
            )
        )
        if len(batch) >= 2000:
            Risk.objects.bulk_create(batch)
            batch = []
    Risk.objects.bulk_create(batch)
    # Fresh statistics (and, on PostgreSQL, the visibility map that lets COUNT use an index-only
    # scan), as autovacuum would give a production database after a bulk load: without them the
    # first minutes of a run measure a planner that has never seen the data.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    print(
        f"{AISystem.objects.filter(organization=org).count()} AI systems, {Risk.objects.filter(organization=org).count()} risks"
    )


if __name__ == "__main__":
    main()
