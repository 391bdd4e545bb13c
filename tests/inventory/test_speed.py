"""Issue 2, Speed: with 10,000 AI systems the inventory page and a page of 50 from the API use a
number of queries that does not grow with the inventory. Each case counts the queries of one
request at 100 systems, grows the inventory to 10,000 and asserts the very same count (an N+1
would add one query per row shown; an unbounded query would show up in the timings of
benchmarks/inventory/bench_inventory.py)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aims.core.roles import Role
from aims.inventory.models import AISystem

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

SMALL, LARGE = 100, 10_000
CRITICALITY = AISystem.Criticality.values
STAGES = AISystem.Stage.values
TYPES = AISystem.Type.values


def grow(org, owners, upto: int) -> None:
    """bulk_create up to `upto` systems: varied enough to exercise every column and the owner join."""
    start = AISystem.objects.filter(organization=org).count()
    rows = []
    for i in range(start, upto):
        name = f"System {i:05d}"
        rows.append(
            AISystem(
                organization=org,
                name=name,
                slug=f"system-{i:05d}",
                purpose=f"Purpose of system {i}",
                system_type=TYPES[i % len(TYPES)],
                criticality=CRITICALITY[i % len(CRITICALITY)],
                lifecycle_stage=STAGES[i % len(STAGES)],
                owner=owners[i % len(owners)] if i % 5 else None,
                tags=["batch", f"t{i % 10}"],
                search_text=f"{name} system-{i:05d} purpose of system {i} batch t{i % 10}".lower(),
            )
        )
    AISystem.objects.bulk_create(rows, batch_size=2000)
    assert AISystem.objects.filter(organization=org).count() == upto


def count_queries(client, path: str) -> tuple[int, bytes]:
    client.get(path)  # warm: session, token last-use stamp
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, response.content[:500]
    return len(ctx.captured_queries), response.content


@pytest.fixture
def owners(members):
    return [m.user for m in members.values()]


PAGES = [
    "/inventory/systems/",
    "/inventory/systems/?page=2",
    "/inventory/systems/?sort=-criticality&stage=operation",
    "/inventory/systems/?q=batch+t7",
    "/inventory/",
]
API = [
    "/api/v1/ai-systems?page_size=50",
    "/api/v1/ai-systems?page_size=50&page=2",  # a later page that exists at 100 systems too
    "/api/v1/ai-systems?page_size=50&sort=-updated&criticality=high",
    "/api/v1/ai-systems?page_size=50&q=batch%20t3",
    "/api/v1/ai-systems?page_size=50&owner=none",
]


def assert_flat(client, paths: list[str], org, owners) -> dict[str, bytes]:
    """Same query count per path at SMALL and at LARGE; returns the LARGE responses."""
    grow(org, owners, SMALL)
    small = {path: count_queries(client, path)[0] for path in paths}
    grow(org, owners, LARGE)
    large = {path: count_queries(client, path) for path in paths}
    assert {path: n for path, (n, _body) in large.items()} == small, "queries grew with the inventory"
    return {path: body for path, (_n, body) in large.items()}


def test_the_inventory_pages_use_the_same_queries_for_100_or_10000_systems(org, owners, browser_client):
    pages = assert_flat(browser_client(Role.AI_MANAGER), PAGES, org, owners)
    assert pages["/inventory/systems/"].count(b'href="/inventory/systems/system-') >= 50


def test_the_api_list_uses_the_same_queries_for_100_or_10000_systems(
    org, owners, api, django_assert_max_num_queries
):
    client = api(Role.AI_MANAGER)
    bodies = assert_flat(client, API, org, owners)
    for path in API:
        # token, membership, count and one page with the owners joined
        with django_assert_max_num_queries(5):
            body = client.get(path).json()
        assert len(body["items"]) == 50 and body["count"] >= 50, path
    assert b'"owner_email": "' in bodies["/api/v1/ai-systems?page_size=50"]
