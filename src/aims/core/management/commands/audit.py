from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from aims.core import audit


class Command(BaseCommand):
    help = (
        "The audit trail. `aims audit verify` walks the hash chain and exits 0 when it is intact, 1 naming "
        "the first entry that was changed, removed, inserted or reordered."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="Check the whole chain.")

    def handle(self, *args: Any, **options: Any) -> None:
        result = audit.verify()
        if result.ok:
            self.stdout.write(f"audit trail intact: {result.checked} entries, head {result.head[:16]}…")
            return
        self.stderr.write(
            f"audit trail BROKEN at entry #{result.first_bad_id}: {result.reason} ({result.checked} entries verified before it)"
        )
        sys.exit(1)
