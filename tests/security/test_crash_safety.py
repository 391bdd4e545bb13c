"""Crash safety (reference §4 "Crash during normal writes"; ASVS 2.3.3): `python -m aims serve` on a
throw-away SQLite var directory, API writes from several client threads, `kill -9` of the server
in the middle, restart, again. Afterwards every write that was acknowledged (2xx) is present,
`PRAGMA integrity_check` says ok and `aims audit verify` exits 0.

5 kills in the normal suite, 20 in the slow one (`-m slow`)."""

from __future__ import annotations

import json
import os
import random
import sqlite3
import threading
import urllib.error
import urllib.request

import pytest

from .conftest import aims, crash_instance, kill_repeatedly, sqlite_integrity

WRITERS = 3


def _post(port: int, token: str, body: dict) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/ai-systems",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback only
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _run(tmp_path, kills: int) -> None:
    instance = crash_instance(tmp_path)
    env, var, token = instance.env, instance.var, instance.token
    acknowledged: list[str] = []
    lock = threading.Lock()
    rng = random.Random(int(os.environ.get("AIMS_CRASH_SEED", "7")))

    def writer(run: int, w: int, port: int, stop: threading.Event) -> None:
        i = 0
        while not stop.is_set():
            name = f"crash r{run} w{w} n{i}"
            i += 1
            try:
                status = _post(port, token, {"name": name, "purpose": "kill -9 durability"})
            except OSError:
                return  # the server is gone: this write was never acknowledged
            if 200 <= status < 300:
                with lock:
                    acknowledged.append(name)

    kill_repeatedly(env, kills, writer, clients=WRITERS, rng=rng)
    assert len(acknowledged) >= kills, "the writers never got an answer: the test proved nothing"

    assert sqlite_integrity(var) == "ok"
    db = sqlite3.connect(var / "aims.sqlite3")
    stored = {row[0] for row in db.execute("SELECT name FROM inventory_aisystem")}
    db.close()
    lost = sorted(set(acknowledged) - stored)
    assert not lost, f"{len(lost)} acknowledged writes lost of {len(acknowledged)}: {lost[:10]}"
    verify = aims(env, "audit", "verify", check=False)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    print(f"{kills} kills, {len(acknowledged)} acknowledged writes, 0 lost, integrity ok, audit chain ok")


def test_no_acknowledged_write_is_lost_when_the_server_is_killed(tmp_path):
    _run(tmp_path, kills=int(os.environ.get("AIMS_CRASH_KILLS", "5")))


@pytest.mark.slow
def test_no_acknowledged_write_is_lost_over_twenty_kills(tmp_path):
    _run(tmp_path, kills=20)
