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
    # The load test's users write AI systems and read the audit trail: only the roles the permission
    # matrix allows both (a 403 for the others would be the right answer, not a load error).
    from aims.core import permissions

    writers = [
        role
        for role in demo.people_of(org)
        if permissions.allowed(role, "ai_system", "add") and permissions.allowed(role, "audit_event", "view")
    ]
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
