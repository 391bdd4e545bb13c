"""What the request benchmarks share: a Django set-up on a fresh database, the CPU contention probe
(how much a busy machine stretches the wall clock), and the timing of one kind of request with its
query count. Each benchmark adds `benchmarks/` to `sys.path` and imports from here."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def setup_django(var_dir: Path, database_url: str) -> None:
    """Django on AIMS's settings with its files in `var_dir`; SQLite there unless `database_url`."""
    os.environ["AIMS_VAR_DIR"] = str(var_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "aims.settings"
    os.environ["AIMS_ALLOWED_HOSTS"] = "testserver,localhost"
    os.environ.pop("AIMS_DEBUG", None)
    if database_url:
        os.environ["AIMS_DATABASE_URL"] = database_url
    else:
        os.environ.pop("AIMS_DATABASE_URL", None)
    import django

    django.setup()


def contention(rounds: int = 30) -> float:
    """How much longer than its CPU time a pure-Python job takes right now (1.0 on an idle machine).
    Divide a wall-clock figure by it to see what the same request costs on an idle machine."""
    ratios = []
    for _ in range(rounds):
        t0, c0 = time.perf_counter(), time.process_time()
        x = 0
        for i in range(200_000):
            x += i * i
        ratios.append((time.perf_counter() - t0) / max(time.process_time() - c0, 1e-6))
    return statistics.median(ratios)


def measure(call: Callable[[], Any], n: int, warmup: int) -> dict[str, float]:
    """Time `call` n times after `warmup` untimed calls: queries of one call (counted with an
    execute wrapper, since each request's start clears `connection.queries`), median, p95, min and
    max wall-clock ms, median CPU ms of this process, and what one call returned (e.g. its size)."""
    from django.db import connection

    for _ in range(warmup):
        call()
    count = [0]

    def counter(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        count[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        result = call()
    times, cpu = [], []
    for _ in range(n):
        t0, c0 = time.perf_counter(), time.process_time()
        call()
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    times.sort()
    return {
        "queries": count[0],
        "median": statistics.median(times),
        "cpu": statistics.median(cpu),
        "p95": times[max(0, int(round(0.95 * len(times))) - 1)],
        "min": times[0],
        "max": times[-1],
        "bytes": result,
    }


def get_ok(client, path: str) -> Callable[[], int]:  # type: ignore[no-untyped-def]
    """A call for `measure`: GET `path` with a Django test client, insist on 200, return the size."""

    def call() -> int:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return len(response.content)

    return call
