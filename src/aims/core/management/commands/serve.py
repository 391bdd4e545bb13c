from __future__ import annotations

import gc
import os
import subprocess
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "Serve AIMS with a production WSGI server: `aims serve [--host H] [--port P] [--workers N] "
        "[--threads T] [--with-worker]`: gunicorn with N worker processes of T threads each (about "
        "one process per core), or one waitress process where gunicorn does not run (Windows)."
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
            if _has_gunicorn():
                _gunicorn(application, bind=f"{host}:{port}", workers=workers, threads=threads)
            elif workers == 1:  # Windows: one waitress process
                from waitress import serve

                serve(application, host=host, port=port, threads=threads, ident="aims")
            else:
                raise CommandError("--workers above 1 needs gunicorn (Linux, macOS); use --workers 1")
        finally:
            if worker is not None:
                worker.terminate()
                try:
                    worker.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    worker.kill()


def _has_gunicorn() -> bool:
    try:
        import gunicorn  # noqa: F401
    except ImportError:  # Windows has no gunicorn (no fork)
        return False
    return True


def _close_connections(server: Any, worker: Any) -> None:
    # A connection opened before the fork (system checks, say) must not be shared by the workers.
    from django.db import connections

    connections.close_all()


def _settle_memory(server: Any, worker: Any) -> None:
    # Everything loaded before the fork (Django, the apps, the URL and schema tables) lives as long
    # as the worker: frozen, the cyclic collector no longer scans it. A request allocates thousands
    # of short-lived objects (ORM rows, schemas), so collecting every 700 allocations (Python's
    # default) ran the collector many times per request; every 20,000 it runs about once.
    # Measured with benchmarks/load (one worker of 8 threads on one core, PostgreSQL, saturating
    # load): 114 requests/s as Python ships, 124 frozen, 140 frozen with these thresholds; memory
    # stays flat over ten minutes (docs/security.md, "Load figures").
    gc.freeze()
    gc.set_threshold(20_000, 50, 100)


def _gunicorn(application: Any, **settings: Any) -> None:
    from gunicorn.app.base import BaseApplication

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
                # gunicorn 27 opens a control socket under the user's home by default: nothing of
                # AIMS uses it, and a management endpoint nobody asked for is better left closed.
                "control_socket_disable": True,
                "pre_fork": _close_connections,
                "post_fork": _settle_memory,
                # Request-smuggling and oversize protection are gunicorn's defaults; keep its
                # header limits, which are stricter than the body limit Django enforces itself.
            }.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return application

    Server().run()
