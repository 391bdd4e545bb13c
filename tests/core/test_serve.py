"""`aims serve`: gunicorn with several worker processes, and the task worker beside it
(`--with-worker`, what `make run` uses). Real processes on a throw-away SQLite var directory."""

from __future__ import annotations

import json
import signal
import sqlite3
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.security.conftest import aims, aims_env, free_port, running_server

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="gunicorn runs on POSIX systems only")


def _children(pid: int) -> dict[int, str]:
    """Direct child processes of `pid` and their command lines (Linux /proc)."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, IndexError):
            continue  # the process ended while we looked
        if int(fields[1]) == pid:
            found[int(stat.parent.name)] = cmdline
    return found


def _get(port: int, token: str) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/ai-systems", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback only
        json.loads(response.read())
        return response.status


def _finished_tasks(var: Path) -> int:
    with sqlite3.connect(var / "aims.sqlite3") as db:
        return db.execute(
            "SELECT COUNT(*) FROM django_tasks_database_dbtaskresult WHERE status = 'SUCCESSFUL'"
        ).fetchone()[0]


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process tree from /proc")
def test_serve_runs_gunicorn_workers_and_the_task_worker_and_stops_them_all(tmp_path):
    var = tmp_path / "var"
    env = aims_env(var, HOME=str(tmp_path), XDG_RUNTIME_DIR=str(tmp_path / "run"))
    aims(env, "migrate", "-v0")
    aims(env, "createorg", "--name", "Serve Test", "--slug", "serve")
    aims(env, "createuser", "--email", "reader@serve.example", "--org", "serve", "--role", "ai_manager")
    token = aims(env, "token", "create", "--email", "reader@serve.example", "--org", "serve").stdout.split()[
        -1
    ]
    port = free_port()
    with running_server(env, port, threads=2, args=("--workers", "2", "--with-worker")) as proc:
        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(lambda _: _get(port, token), range(40)))
        assert statuses == [200] * 40
        children = _children(proc.pid)
        task_workers = [c for c in children.values() if "aims worker" in c]
        servers = [c for c in children.values() if "aims worker" not in c]
        assert len(task_workers) == 1, children
        assert len(servers) == 2, children  # gunicorn's two worker processes, forked from this one
        # The task worker runs: its scheduler enqueues the periodic jobs at start, and it runs them.
        deadline = time.monotonic() + 60
        while _finished_tasks(var) == 0 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert _finished_tasks(var) > 0
        # gunicorn's control socket (a management endpoint in the user's home) stays closed.
        assert not (tmp_path / ".gunicorn").exists() and not (tmp_path / "run").exists()
        proc.send_signal(signal.SIGTERM)  # a clean stop ends the workers and the task worker too
        proc.wait(timeout=30)
        for pid in children:
            assert (
                not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]
            )


def test_serve_refuses_nonsense_counts(tmp_path):
    result = aims(aims_env(tmp_path / "var"), "serve", "--workers", "0", check=False)
    assert result.returncode != 0
    assert "--workers and --threads must be at least 1" in result.stderr
