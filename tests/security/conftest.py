"""Shared fixtures of the security suite: the demo organization with a bearer token per role, and
helpers that run `python -m aims ...` as a real process on a throw-away var directory."""

from __future__ import annotations

import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

PASSWORD = "Correct-Horse-Battery-9"


@dataclass
class DemoWorld:
    org: object
    people: dict  # role -> User
    tokens: dict  # role -> raw bearer token


@pytest.fixture
def demo_world(db) -> DemoWorld:
    """The demo organization (every area's demo content) and one API token per role."""
    from django.db import transaction

    from aims.core import demo, services
    from aims.core.actors import Actor
    from aims.core.models import Membership

    try:
        demo.load(source="test")
        org = demo.demo_organization()
    except Exception as exc:  # an area's demo is broken: load the others, each on its own
        import warnings

        from aims.core.demo import DEMO_NAME, DEMO_SLUG, _ensure_people, area_modules

        org = services.create_organization(name=DEMO_NAME, slug=DEMO_SLUG, source="test")
        people, _passwords = _ensure_people(org, reset_passwords=False, source="test")
        for area, module in area_modules():
            try:
                with transaction.atomic():
                    module.load(org, people)
            except Exception as area_exc:
                warnings.warn(f"demo of {area} skipped: {area_exc!r} (after {exc!r})", stacklevel=1)
    people = demo.people_of(org)
    tokens = {}
    for role, user in people.items():
        membership = Membership.objects.get(user=user, organization=org)
        _token, raw = services.create_token(Actor.for_membership(membership, source="test"))
        tokens[role] = raw
    return DemoWorld(org=org, people=people, tokens=tokens)


# --- real server processes -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def aims_env(var_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIMS_")}
    env.update(AIMS_VAR_DIR=str(var_dir), AIMS_PASSWORD=PASSWORD, PYTHONUNBUFFERED="1")
    env.update(extra)
    return env


def aims(
    env: dict[str, str], *args: str, check: bool = True, timeout: float = 300
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "aims", *args],
        env=env,
        capture_output=True,
        text=True,
        check=check,
        timeout=timeout,
    )


def wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"the server exited with {proc.returncode}: {proc.stderr.read() if proc.stderr else ''}"
            )
        with socket.socket() as s:
            s.settimeout(0.5)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on port {port} after {timeout} s")


@contextmanager
def running_server(
    env: dict[str, str], port: int, threads: int = 4, args: tuple[str, ...] = ()
) -> Iterator[subprocess.Popen]:
    """`python -m aims serve` in its own process group; killed (SIGKILL) on exit if still alive."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "aims", "serve", "--port", str(port), "--threads", str(threads), *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        wait_for_port(port, proc)
        yield proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)  # the server and its gunicorn worker processes
        proc.wait(timeout=30)
        if proc.stderr:
            proc.stderr.close()


# --- crash tests: kill -9 of a real server under load ----------------------------------------------


@dataclass
class CrashInstance:
    env: dict[str, str]
    var: Path
    token: str  # bearer token of an AI manager of org "crash"
    database_url: str | None = None  # None: SQLite in the var directory

    def rows(self, sql: str) -> list[tuple]:
        """The rows of a query on the instance's database, read from outside the server."""
        if self.database_url is None:
            db = sqlite3.connect(self.var / "aims.sqlite3")
            try:
                return list(db.execute(sql))
            finally:
                db.close()
        import psycopg

        with psycopg.connect(self.database_url) as db:
            return list(db.execute(sql))

    def integrity_problems(self) -> list[str]:
        """`PRAGMA integrity_check` on SQLite, amcheck over every index on PostgreSQL: [] when sound."""
        if self.database_url is None:
            result = sqlite_integrity(self.var)
            return [] if result == "ok" else [result]
        return postgres_integrity(self.database_url)


@contextmanager
def crash_database() -> Iterator[str | None]:
    """Where a crash test's server keeps its data: SQLite in its var directory on the suite's SQLite
    pass (None), a fresh PostgreSQL database on the PostgreSQL pass (its URL), dropped afterwards."""
    server = suite_database_url()
    if server is None:
        yield None
        return
    with fresh_postgres_database(server) as url:
        yield url


def crash_instance(tmp_path: Path, database_url: str | None = None, **env_extra: str) -> CrashInstance:
    """A migrated throw-away instance with org `crash` and an AI manager's API token."""
    var = tmp_path / "var"
    if database_url:
        env_extra["AIMS_DATABASE_URL"] = database_url
    env = aims_env(var, **env_extra)
    aims(env, "migrate", "-v0")
    aims(env, "createorg", "--name", "Crash Test", "--slug", "crash")
    aims(env, "createuser", "--email", "writer@crash.example", "--org", "crash", "--role", "ai_manager")
    token = (
        aims(env, "token", "create", "--email", "writer@crash.example", "--org", "crash")
        .stdout.strip()
        .split()[-1]
    )
    return CrashInstance(env=env, var=var, token=token, database_url=database_url)


def kill_repeatedly(
    env: dict[str, str],
    kills: int,
    client: Callable[[int, int, int, threading.Event], None],
    *,
    clients: int = 3,
    rng: random.Random,
    before_start: Callable[[int], None] | None = None,
    after_start: Callable[[int, int], None] | None = None,
) -> None:
    """`kills` times: start `aims serve`, run `client(run, index, port, stop)` in `clients` threads (each
    loops until `stop` is set or the server is gone), `kill -9` the server's process group after 1 to
    3 s, wait for the threads. `before_start(run)` / `after_start(run, port)` look at the var directory
    between a kill and the next start, and once the restarted server listens."""
    for run in range(kills):
        if before_start:
            before_start(run)
        port = free_port()
        with running_server(env, port) as server:
            if after_start:
                after_start(run, port)
            stop = threading.Event()
            threads = [
                threading.Thread(target=client, args=(run, i, port, stop), daemon=True)
                for i in range(clients)
            ]
            for t in threads:
                t.start()
            time.sleep(rng.uniform(1.0, 3.0))
            os.killpg(server.pid, signal.SIGKILL)  # no clean shutdown, mid-transaction / mid-file
            server.wait(timeout=30)
            stop.set()
            for t in threads:
                t.join(timeout=60)


def suite_database_url() -> str | None:
    """The PostgreSQL server this test run uses (the suite's PostgreSQL pass), or None on SQLite."""
    url = os.environ.get("AIMS_DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


@contextmanager
def fresh_postgres_database(server_url: str) -> Iterator[str]:
    """A new, empty database on the suite's PostgreSQL server for a server process of its own (the
    test database belongs to the test transaction); dropped afterwards."""
    import psycopg

    base, _, _ = server_url.rpartition("/")
    name = f"aims_crash_{os.getpid()}_{random.getrandbits(32):08x}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def postgres_integrity(url: str) -> list[str]:
    """amcheck over every B-tree index of the database: the problems found (none when healthy)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as db:
        db.execute("CREATE EXTENSION IF NOT EXISTS amcheck")
        indexes = db.execute(
            "SELECT c.oid, c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_am am ON am.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE am.amname = 'btree' AND n.nspname = 'public'"
        ).fetchall()
        problems = []
        for oid, relname in indexes:
            try:
                db.execute("SELECT bt_index_check(%s, true)", (oid,))
            except psycopg.Error as exc:
                problems.append(f"{relname}: {exc}")
        assert indexes, "no index checked: the check proved nothing"
        return problems


def sqlite_integrity(var: Path) -> str:
    db = sqlite3.connect(var / "aims.sqlite3")
    try:
        return str(db.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        db.close()
