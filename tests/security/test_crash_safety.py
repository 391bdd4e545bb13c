"""Crash safety (reference §4 "Crash during normal writes"; ASVS 2.3.3): `python -m aims serve` on a
throw-away SQLite var directory, API writes from several client threads, `kill -9` of the server
in the middle, restart, again. Afterwards every write that was acknowledged (2xx) is present,
`PRAGMA integrity_check` says ok and `aims audit verify` exits 0. In the suite's PostgreSQL pass the
same runs against a fresh PostgreSQL database, checked with amcheck over every index.

20 kills per run of the suite (per database in its two passes), marked `slow`: `-m "not slow"` leaves
them out of a quick local run, and `AIMS_CRASH_KILLS=5` shortens them."""

from __future__ import annotations

import json
import os
import random
import threading
import urllib.error
import urllib.request

import pytest

from .conftest import CrashInstance, aims, crash_database, crash_instance, kill_repeatedly

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
    with crash_database() as url:
        _run_on(crash_instance(tmp_path, url), kills)


def _run_on(instance: CrashInstance, kills: int) -> None:
    env, token = instance.env, instance.token
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

    assert instance.integrity_problems() == []
    stored = {row[0] for row in instance.rows("SELECT name FROM inventory_aisystem")}
    lost = sorted(set(acknowledged) - stored)
    assert not lost, f"{len(lost)} acknowledged writes lost of {len(acknowledged)}: {lost[:10]}"
    verify = aims(env, "audit", "verify", check=False)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    backend = "PostgreSQL" if instance.database_url else "SQLite"
    print(
        f"{backend}: {kills} kills, {len(acknowledged)} acknowledged writes, 0 lost, integrity ok, audit chain ok"
    )


@pytest.mark.slow
def test_no_acknowledged_write_is_lost_over_twenty_kills(tmp_path):
    _run(tmp_path, kills=int(os.environ.get("AIMS_CRASH_KILLS", "20")))
