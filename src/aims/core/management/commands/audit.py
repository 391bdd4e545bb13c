from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from aims.core import audit, checkpoints


class Command(BaseCommand):
    help = (
        "The audit trail. `aims audit verify [--checkpoint FILE]` walks the hash chain and exits 0 when it is "
        "intact, 1 naming the first entry that was changed, removed, inserted or reordered (and, with a "
        "checkpoint, when the chain was truncated or recomputed since). `aims audit checkpoint [-o FILE]` "
        "writes a signed checkpoint for an auditor to keep; `aims audit public-key` prints the key to verify it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="Check the whole chain.")
        verify.add_argument(
            "--checkpoint", action="append", default=[], help="A checkpoint file to check against."
        )
        checkpoint = sub.add_parser("checkpoint", help="Write a signed checkpoint of the chain.")
        checkpoint.add_argument("-o", "--output", help="File to write (default: standard output).")
        sub.add_parser("public-key", help="Print the Ed25519 public key that signs checkpoints (base64).")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "checkpoint":
            text = checkpoints.make()
            if options.get("output"):
                Path(options["output"]).write_text(text)
                self.stderr.write(f"checkpoint written to {options['output']}")
            else:
                self.stdout.write(text, ending="")
            return
        if action == "public-key":
            self.stdout.write(checkpoints.public_key_text(checkpoints.load_key().public_key()))
            return
        result = audit.verify()
        if not result.ok:
            self.stderr.write(
                f"audit trail BROKEN at entry #{result.first_bad_id}: {result.reason} "
                f"({result.checked} entries verified before it)"
            )
            sys.exit(1)
        for path in options["checkpoint"]:
            try:
                point = checkpoints.parse_and_check(Path(path).read_text())
            except (OSError, ValueError) as exc:
                raise CommandError(f"{path}: {exc}") from exc
            problem = checkpoints.compare(point)
            if problem:
                self.stderr.write(f"audit trail BROKEN against checkpoint {path}: {problem}")
                sys.exit(1)
        self.stdout.write(f"audit trail intact: {result.checked} entries, head {result.head[:16]}…")
