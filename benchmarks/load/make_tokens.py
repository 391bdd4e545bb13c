"""Print a comma-separated list of bearer tokens, one per role of the demo organization:
AIMS_TOKENS=$(.venv/bin/python benchmarks/load/make_tokens.py)"""

from __future__ import annotations

import os

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aims.settings")
    django.setup()
    from aims.core import demo, services
    from aims.core.actors import Actor
    from aims.core.models import Membership

    org = demo.demo_organization()
    if org is None:
        raise SystemExit("load the demo first: aims demo")
    writers = ["ai_manager", "risk_team", "technical_team", "operational_team", "org_admin"]
    tokens = []
    for role, user in demo.people_of(org).items():
        if role in writers:
            m = Membership.objects.get(user=user, organization=org)
            tokens.append(
                services.create_token(
                    Actor.for_membership(m, source="cli"), name="load test", expires_days=1
                )[1]
            )
    print(",".join(tokens))


if __name__ == "__main__":
    main()
