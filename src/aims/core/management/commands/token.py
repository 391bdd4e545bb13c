from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from aims.core import services
from aims.core.management.cli import fail_on, member_actor, org_actor, organization
from aims.core.models import ApiToken


class Command(BaseCommand):
    help = (
        "API tokens. `aims token create --email E --org S [--read-only] [--expires-days N]` prints the new "
        "token and nothing else on stdout (it is shown once); `aims token list --org S [--email E]`; "
        "`aims token revoke --org S PREFIX`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a token for a member (printed once).")
        create.add_argument("--email", required=True)
        create.add_argument("--org", required=True)
        create.add_argument("--name", default="")
        create.add_argument("--read-only", action="store_true")
        create.add_argument("--expires-days", type=int)
        listing = sub.add_parser("list", help="List tokens (prefix, owner, state).")
        listing.add_argument("--org", required=True)
        listing.add_argument("--email")
        revoke = sub.add_parser("revoke", help="Revoke a token by its prefix (as shown by `list`).")
        revoke.add_argument("--org", required=True)
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            actor = member_actor(options["email"], options["org"])
            try:
                _token, raw = services.create_token(
                    actor,
                    name=options["name"],
                    read_only=options["read_only"],
                    expires_days=options["expires_days"],
                )
            except ValidationError as exc:
                raise fail_on(exc) from exc
            self.stdout.write(raw)
        elif action == "list":
            org = organization(options["org"])
            tokens = ApiToken.objects.filter(organization=org).select_related("user")
            if options.get("email"):
                tokens = tokens.filter(user__email=options["email"].lower())
            for t in tokens:
                state = "revoked" if t.revoked_at else ("live" if t.is_live else "expired")
                expires = t.expires_at.date().isoformat() if t.expires_at else "never"
                ro = "read-only" if t.read_only else "read-write"
                self.stdout.write(
                    f"{t.key_prefix}\t{t.user.email}\t{ro}\texpires {expires}\t{state}\t{t.name}"
                )
        elif action == "revoke":
            org = organization(options["org"])
            matches = list(
                ApiToken.objects.filter(
                    organization=org, key_prefix__startswith=options["prefix"][:12], revoked_at=None
                )
            )
            if len(matches) != 1:
                raise CommandError(
                    f"{len(matches)} live tokens match {options['prefix']!r}; give the prefix from `aims token list`"
                )
            services.revoke_token(org_actor(options["org"]), matches[0])
            self.stdout.write(f"revoked {matches[0].key_prefix}")
