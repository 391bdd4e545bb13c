from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "Serve AIMS with a production WSGI server: `aims serve [--host H] [--port P] [--workers N] "
        "[--threads T]`. One worker (the default) runs waitress in this process; more run gunicorn "
        "with N worker processes of T threads each (Linux and macOS), which is how a multi-core "
        "machine is used."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("AIMS_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("AIMS_WORKERS", "1")),
            help="worker processes (AIMS_WORKERS); about one per core for gunicorn",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=int(os.environ.get("AIMS_THREADS", "8")),
            help="threads per worker process (AIMS_THREADS)",
        )
        parser.add_argument(
            "--with-worker",
            action="store_true",
            help="also run `aims worker` (the task queue and periodic jobs) beside the server, stopped "
            "with it: one command for a trial or a small installation (`make run` uses it)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host, port, workers, threads = (
            options["host"],
            options["port"],
            options["workers"],
            options["threads"],
        )
        if workers < 1 or threads < 1:
            raise CommandError("--workers and --threads must be at least 1")
        from aims.wsgi import application

        self.stdout.write(
            f"AIMS serving on http://{host}:{port}/ with {workers} worker(s) x {threads} thread(s) (Ctrl-C stops)"
        )
        # The task worker runs as its own process, as in production: it polls the database queue
        # and must not share the server's threads or die with one of its workers.
        worker = (
            subprocess.Popen([sys.executable, "-m", "aims", "worker"])  # noqa: S603 - our own command
            if options["with_worker"]
            else None
        )
        try:
            if workers == 1:
                from waitress import serve

                serve(application, host=host, port=port, threads=threads, ident="aims")
            else:
                _gunicorn(application, bind=f"{host}:{port}", workers=workers, threads=threads)
        finally:
            if worker is not None:
                worker.terminate()
                try:
                    worker.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    worker.kill()


def _close_connections(server: Any, worker: Any) -> None:
    # A connection opened before the fork (system checks, say) must not be shared by the workers.
    from django.db import connections

    connections.close_all()


def _gunicorn(application: Any, **settings: Any) -> None:
    try:
        from gunicorn.app.base import BaseApplication
    except ImportError as exc:  # Windows has no gunicorn: one waitress process is what it gets.
        raise CommandError("--workers above 1 needs gunicorn (Linux, macOS); use --workers 1") from exc

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            # gthread workers: threads answer requests while another waits for the database. The
            # application is loaded once before forking (preload), so workers share its memory;
            # database connections are opened lazily per thread, after the fork.
            for key, value in {
                **settings,
                "worker_class": "gthread",
                "preload_app": True,
                "timeout": 60,
                "graceful_timeout": 20,
                "accesslog": None,
                "proc_name": "aims",
                "pre_fork": _close_connections,
                # Request-smuggling and oversize protection are gunicorn's defaults; keep its
                # header limits, which are stricter than the body limit Django enforces itself.
            }.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return application

    Server().run()
