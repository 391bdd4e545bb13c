"""Load test of AIMS (reference §5 "Load"): authenticated API users, 80 % reads / 20 % writes.

    AIMS_TOKENS=tok1,tok2,... locust -f benchmarks/load/locustfile.py --host http://127.0.0.1:8000 \\
        --headless -u 50 -r 10 -t 10m --csv var/load/run

Each simulated user takes one of the bearer tokens (round robin; `make_tokens.py` creates them).
Reads: AI system list (paginated, filtered, searched), one AI system, risks, audit trail. Writes:
create an AI system, PATCH it with If-Match (a 412 from a concurrent writer is expected and not
an error), create a risk-free context issue.
"""

from __future__ import annotations

import itertools
import os
import random

from locust import between, task
from locust.contrib.fasthttp import FastHttpUser

TOKENS = [t for t in os.environ.get("AIMS_TOKENS", "").split(",") if t]
# Seconds each user waits between requests, "min,max" (AIMS_THINK). The pace decides what is
# measured: 0.3-0.55 s offers about 100-110 requests/s (latency at the target load);
# 0.05-0.3 s offers more than one core can serve (the saturation throughput, and queueing).
THINK = tuple(float(x) for x in os.environ.get("AIMS_THINK", "0.3,0.55").split(","))
_next = itertools.count()


class AimsUser(FastHttpUser):
    # FastHttpUser (geventhttpclient) costs the load generator several times less CPU per request
    # than HttpUser (requests): on a 2-core machine the generator shares the cores with the server.
    wait_time = between(*THINK)

    def on_start(self) -> None:
        if not TOKENS:
            raise RuntimeError("set AIMS_TOKENS (comma-separated bearer tokens)")
        self.client.auth_header = f"Bearer {TOKENS[next(_next) % len(TOKENS)]}"  # sent with every request
        self.mine: list[str] = []
        listing = self.client.get("/api/v1/ai-systems?page_size=100", name="GET ai-systems (warm-up)").json()
        self.keys = [item["slug"] for item in listing.get("items", [])] or ["missing"]

    # --- reads (80 %) ---
    @task(30)
    def list_systems(self) -> None:
        page = random.randint(1, 20)
        self.client.get(f"/api/v1/ai-systems?page={page}&page_size=50", name="GET ai-systems?page")

    @task(10)
    def search_systems(self) -> None:
        self.client.get(
            f"/api/v1/ai-systems?q={random.choice(['credit', 'fraud', 'chat', 'x'])}", name="GET ai-systems?q"
        )

    @task(20)
    def read_system(self) -> None:
        self.client.get(f"/api/v1/ai-systems/{random.choice(self.keys)}", name="GET ai-systems/{key}")

    @task(15)
    def list_risks(self) -> None:
        self.client.get(f"/api/v1/risks?page={random.randint(1, 50)}&page_size=50", name="GET risks?page")

    @task(5)
    def audit_trail(self) -> None:
        self.client.get("/api/v1/audit-events?page_size=50", name="GET audit-events")

    # --- writes (20 %) ---
    @task(10)
    def create_system(self) -> None:
        name = f"load {random.getrandbits(48):x}"
        with self.client.post(
            "/api/v1/ai-systems",
            json={"name": name, "purpose": "load test"},
            name="POST ai-systems",
            catch_response=True,
        ) as r:
            if r.status_code == 201:
                self.mine.append(r.json()["slug"])
                r.success()
            else:
                r.failure(f"{r.status_code}")

    @task(10)
    def update_system(self) -> None:
        if not self.mine:
            return
        key = random.choice(self.mine)
        read = self.client.get(f"/api/v1/ai-systems/{key}", name="GET ai-systems/{key}")
        etag = read.headers.get("ETag", "*")
        with self.client.patch(
            f"/api/v1/ai-systems/{key}",
            json={"description": "changed under load"},
            headers={"If-Match": etag},
            name="PATCH ai-systems/{key}",
            catch_response=True,
        ) as r:
            if r.status_code in (200, 412):
                r.success()
            else:
                r.failure(f"{r.status_code}")
