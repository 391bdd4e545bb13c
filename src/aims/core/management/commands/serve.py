from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve AIMS with a production WSGI server (waitress): `aims serve [--host H] [--port P] [--threads N]`."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("AIMS_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("AIMS_THREADS", "8")))

    def handle(self, *args: Any, **options: Any) -> None:
        from waitress import serve

        from aims.wsgi import application

        self.stdout.write(f"AIMS serving on http://{options['host']}:{options['port']}/ (Ctrl-C stops)")
        serve(
            application, host=options["host"], port=options["port"], threads=options["threads"], ident="aims"
        )
