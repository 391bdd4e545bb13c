"""Every assurance page: an allowed role sees it, a refused role gets 403 where the page writes, and
another organization's record is 404."""

import datetime as dt

import pytest
from django.utils import timezone

from aims.assurance import services
from aims.assurance.models import ManagementReview
from aims.core import services as core

LISTS = ["incidents/", "feedback/", "nonconformities/", "audits/", "reviews/", "kpis/", "tasks/", "calendar/"]


@pytest.mark.django_db
@pytest.mark.parametrize("page", LISTS)
def test_list_pages_open_for_every_member(browser_client, page):
    assert browser_client("external_auditor").get(f"/assurance/{page}").status_code == 200
    assert browser_client("mallory").get(f"/assurance/{page}").status_code == 200


@pytest.mark.django_db
def test_list_pages_log_in_first(client):
    assert client.get("/assurance/incidents/").status_code == 302


@pytest.fixture
def records(actor, members):
    ops, manager, auditor = actor("operational_team"), actor("ai_manager"), actor("internal_audit")
    incident = services.create_incident(ops, {"title": "Drift", "serious": True})
    nc = services.incident_to_nonconformity(manager, incident)
    services.create_action(ops, {"nonconformity_id": nc.pk, "title": "Fix"})
    audit = services.create_audit(auditor, {"title": "A", "planned_start": "2026-06-01", "clauses": ["9.1"]})
    review = core.create(
        manager,
        ManagementReview,
        {"title": "R", "scheduled_for": timezone.localdate() + dt.timedelta(days=3)},
    )
    return {"incidents": incident.pk, "nonconformities": nc.pk, "audits": audit.pk, "reviews": review.pk}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["incidents", "nonconformities", "audits", "reviews"])
def test_detail_pages_are_scoped(browser_client, records, kind):
    url = f"/assurance/{kind}/{records[kind]}/"
    assert browser_client("external_auditor").get(url).status_code == 200
    assert browser_client("mallory").get(url).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "allowed", "refused"),
    [
        ("incidents/new/", "operational_team", "external_auditor"),
        ("nonconformities/new/", "ai_manager", "external_auditor"),
        ("audits/new/", "internal_audit", "ai_manager"),
        ("reviews/new/", "top_management", "risk_team"),
    ],
)
def test_create_pages_allow_and_refuse(browser_client, url, allowed, refused):
    assert browser_client(allowed).get(f"/assurance/{url}").status_code == 200
    assert browser_client(refused).get(f"/assurance/{url}").status_code == 403


@pytest.mark.django_db
def test_reporting_an_incident_through_the_form(browser_client, members):
    client = browser_client("operational_team")
    bad = client.post(
        "/assurance/incidents/new/",
        {
            "title": "",
            "incident_type": "bias",
            "severity": "high",
            "detection_source": "staff",
            "detected_at": "2026-05-01T10:00",
        },
    )
    assert bad.status_code == 422 and b"This field is required" in bad.content
    ok = client.post(
        "/assurance/incidents/new/",
        {
            "title": "Bias seen",
            "incident_type": "bias",
            "severity": "high",
            "detection_source": "staff",
            "detected_at": "2026-05-01T10:00",
            "serious": "on",
            "serious_category": "death",
        },
    )
    assert ok.status_code == 302
    detail = client.get(ok["Location"])
    assert b"Serious incident" in detail.content and b"2026-05-11" in detail.content


@pytest.mark.django_db
def test_a_refused_transition_button_shows_the_reason(browser_client, records):
    client = browser_client("operational_team")
    r = client.post(
        f"/assurance/incidents/{records['incidents']}/transition/", {"status": "resolved"}, follow=True
    )
    assert r.status_code == 200 and b"Cannot go from Reported to Resolved" in r.content
    assert (
        browser_client("mallory")
        .post(f"/assurance/incidents/{records['incidents']}/transition/", {"status": "triaged"})
        .status_code
        == 404
    )
    assert (
        browser_client("external_auditor")
        .post(f"/assurance/incidents/{records['incidents']}/transition/", {"status": "triaged"})
        .status_code
        == 403
    )


@pytest.mark.django_db
def test_detail_pages_run_in_bounded_queries(browser_client, records, django_assert_max_num_queries):
    client = browser_client("ai_manager")
    for kind in ("incidents", "nonconformities", "audits", "reviews"):
        client.get(f"/assurance/{kind}/{records[kind]}/")
        with django_assert_max_num_queries(60):
            assert client.get(f"/assurance/{kind}/{records[kind]}/").status_code == 200
