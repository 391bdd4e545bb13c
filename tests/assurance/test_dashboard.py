"""The executive dashboard: status at a glance, trends and what is overdue, in a fixed number of
queries whatever the organization's size, and only the organization's own records."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from aims.assurance import dashboard, services
from aims.assurance.models import KPI, KPIMeasurement
from aims.governance.models import Objective
from tests.assurance.factories import (
    CorrectiveActionFactory,
    IncidentFactory,
    NonconformityFactory,
    TaskFactory,
)

URL = "/assurance/"
MAX_QUERIES = 45  # 41 measured with the readiness summary computed, 16 when it comes from the cache


@pytest.fixture(autouse=True)
def fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def populate(org, n: int) -> None:
    """n of everything the dashboard summarises, some of it late."""
    today = timezone.localdate()
    for i in range(n):
        IncidentFactory(organization=org, severity=["low", "high", "critical"][i % 3], status="investigating")
        nc = NonconformityFactory(organization=org, status="action_planned")
        CorrectiveActionFactory(nonconformity=nc, status="planned", due_date=today - dt.timedelta(days=i + 1))
        TaskFactory(organization=org, due_date=today - dt.timedelta(days=i + 1), assignee_role="ai_manager")
        Objective.objects.create(
            organization=org, title=f"Objective {i}", due_date=today + dt.timedelta(days=i)
        )


@pytest.fixture
def busy(org, members):
    services.measure_kpis(org)
    kpi = KPI.objects.filter(organization=org).first()
    now = timezone.now()
    KPIMeasurement.objects.bulk_create(
        KPIMeasurement(kpi=kpi, at=now - dt.timedelta(days=30 * i), value=float(50 + i)) for i in range(1, 6)
    )
    populate(org, 3)
    return org


@pytest.mark.django_db
def test_every_member_sees_the_dashboard_with_the_open_and_overdue_work(browser_client, busy):
    response = browser_client("external_auditor").get(URL)
    assert response.status_code == 200
    text = response.content.decode()
    for words in ("Open incidents", "Open nonconformities", "Overdue tasks", "AI objectives", "KPIs"):
        assert words in text
    ctx = response.context
    assert ctx["incidents"]["open"] == 3 and ctx["nonconformities"]["open"] == 3
    assert ctx["nonconformities"]["overdue_actions"] == 3 and ctx["tasks"]["overdue"] == 3
    assert ctx["objectives"]["total"] == 3
    assert any(row["points"] for row in ctx["kpis"])


@pytest.mark.django_db
def test_the_dashboard_asks_for_a_login_and_a_membership(client, browser_client, django_user_model):
    assert client.get(URL).status_code == 302
    lonely = django_user_model.objects.create_user(email="nobody@example.com", password="x-Very-long-42")
    client.force_login(lonely)
    assert client.get(URL).status_code == 403


@pytest.mark.django_db
def test_another_organization_sees_none_of_our_records(browser_client, busy):
    response = browser_client("mallory")
    page = response.get(URL)
    assert page.status_code == 200
    ctx = page.context
    assert ctx["incidents"]["open"] == 0 and ctx["nonconformities"]["open"] == 0
    assert ctx["tasks"]["overdue"] == 0 and ctx["objectives"]["total"] == 0
    assert all(row["kpi"].organization_id != busy.pk for row in ctx["kpis"])


@pytest.mark.django_db
def test_readiness_shows_only_to_roles_that_see_controls(actor, busy):
    from aims.core.permissions import allowed

    for role in ("ai_manager", "top_management", "external_auditor", "operational_team"):
        board = dashboard.build(actor(role))
        if allowed(role, "control", "view"):
            assert board["readiness"] is not None and board["readiness"]["total"] > 0
        else:
            assert board["readiness"] is None


@pytest.mark.django_db
def test_the_dashboard_query_count_does_not_grow_with_the_records(
    browser_client, busy, django_assert_max_num_queries
):
    client = browser_client("top_management")
    with django_assert_max_num_queries(MAX_QUERIES):
        assert client.get(URL).status_code == 200
    populate(busy, 25)
    from django.core.cache import cache

    cache.clear()
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(URL)
    assert response.context["tasks"]["overdue"] == 28
    assert len(response.context["tasks"]["overdue_list"]) == dashboard.LIST_ROWS


@pytest.mark.django_db
def test_a_late_art_73_report_is_flagged(browser_client, actor):
    incident = services.create_incident(
        actor("operational_team"),
        {"title": "Harm", "serious": True, "detected_at": timezone.now() - dt.timedelta(days=20)},
    )
    page = browser_client("top_management").get(URL)
    clocks = page.context["incidents"]["clocks"]
    assert [c[0].pk for c in clocks] == [incident.pk] and clocks[0][1] is True
    assert "overdue since" in page.content.decode()


@pytest.mark.django_db
def test_the_readiness_summary_is_kept_briefly(browser_client, busy, django_assert_max_num_queries):
    client = browser_client("ai_manager")
    client.get(URL)
    with django_assert_max_num_queries(MAX_QUERIES - 20):
        assert client.get(URL).context["readiness"] is not None
