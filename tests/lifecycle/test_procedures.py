"""Stage procedures (clause 8.1: a documented procedure for every stage): seeded per organization from
the seed's lists, edited as new versions (earlier versions stay readable), shown on the gate page;
API and pages for an allowed role, a refused role (403) and the other organization (404)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from aims.core.exceptions import PreconditionFailed
from aims.core.models import AuditEvent
from aims.lifecycle import services
from aims.lifecycle.models import StageProcedure
from aims.lifecycle.procedures import DEFAULT_PROCEDURES

pytestmark = pytest.mark.django_db

J = "application/json"


def test_every_stage_with_a_gate_gets_its_default_procedures_once(org):
    assert services.ensure_procedures(org) == sum(len(v) for v in DEFAULT_PROCEDURES.values())
    assert services.ensure_procedures(org) == 0
    titles = [p.title for p in services.current_procedures(org)]
    for expected in (
        "Design and architecture",
        "Data management",
        "Development and training",
        "Third-party vendor and external model control",
        "Deployment and monitoring",
    ):
        assert expected in titles
    design = services.current_procedures(org, "design")[0].body
    assert "alternatives considered" in design and "data entity map" in design and "encryption" in design
    assert [p.key for p in services.current_procedures(org, "development")] == [
        "data-management",
        "development-training",
        "third-party-control",
    ]


def test_a_revision_adds_a_version_and_keeps_the_earlier_one_readable(org, actor):
    services.ensure_procedures(org)
    v2 = services.revise_procedure(
        actor("ai_manager"),
        "design",
        "design-architecture",
        {"body": "Step 1: write it down.", "change_note": "Shorter"},
        based_on=1,
    )
    assert (
        v2.number == 2 and v2.title == "Design and architecture" and v2.created_by == actor("ai_manager").user
    )
    versions = services.procedure_versions(org, "design", "design-architecture")
    assert [v.number for v in versions] == [2, 1] and "encryption" in versions[1].body
    assert services.current_procedures(org, "design")[0].pk == v2.pk
    entry = AuditEvent.objects.filter(object_type="gate_criterion", object_id=str(v2.pk)).get()
    assert entry.action == "create" and entry.changes["body"][1] == "Step 1: write it down."


def test_a_revision_from_a_stale_version_is_refused(org, actor):
    services.ensure_procedures(org)
    services.revise_procedure(
        actor("ai_manager"), "design", "design-architecture", {"body": "v2"}, based_on=1
    )
    with pytest.raises(PreconditionFailed):
        services.revise_procedure(
            actor("cio_cdo"), "design", "design-architecture", {"body": "v3"}, based_on=1
        )
    assert StageProcedure.objects.filter(organization=org, key="design-architecture").count() == 2


def test_only_the_people_who_edit_the_gates_edit_procedures(org, actor):
    with pytest.raises(PermissionDenied):
        services.revise_procedure(actor("technical_team"), "design", "design-architecture", {"body": "mine"})


def test_the_api_lists_reads_versions_and_revises(api, org):
    listed = api("external_auditor").get("/api/v1/gates/procedures?stage=development")
    assert listed.status_code == 200 and [p["key"] for p in listed.json()][0] == "data-management"
    r = api("ai_manager").post(
        "/api/v1/gates/procedures/development/data-management",
        {"body": "New text", "change_note": "Simplified", "based_on": 1},
        content_type=J,
    )
    assert (
        r.status_code == 201
        and r.json()["number"] == 2
        and r.json()["created_by"] == "ai_manager@acme.example"
    )
    history = api("technical_team").get("/api/v1/gates/procedures/development/data-management").json()
    assert history["current"]["body"] == "New text" and [v["number"] for v in history["versions"]] == [2, 1]
    old = api("technical_team").get("/api/v1/gates/procedures/development/data-management/versions/1")
    assert old.status_code == 200 and "provenance" in old.json()["body"]
    assert (
        api("ai_manager")
        .post(
            "/api/v1/gates/procedures/development/data-management",
            {"body": "x", "based_on": 1},
            content_type=J,
        )
        .status_code
        == 412
    )


def test_the_api_adds_a_new_procedure_and_refuses_bad_input(api, org):
    r = api("cio_cdo").post(
        "/api/v1/gates/procedures/deployment/canary-release",
        {"title": "Canary release", "body": "Release to 5% first."},
        content_type=J,
    )
    assert r.status_code == 201 and r.json()["number"] == 1
    assert (
        api("cio_cdo")
        .post("/api/v1/gates/procedures/retired/x", {"title": "T", "body": "B"}, content_type=J)
        .status_code
        == 422
    )
    bad = api("cio_cdo").post("/api/v1/gates/procedures/design/new-one", {"body": "B"}, content_type=J)
    assert bad.status_code == 422 and {e["field"] for e in bad.json()["errors"]} == {"title"}
    assert api("cio_cdo").post(
        "/api/v1/gates/procedures/design/Bad Key", {"title": "T", "body": "B"}, content_type=J
    ).status_code in (404, 422)


def test_the_api_refuses_a_role_without_the_right_and_hides_other_organizations(api, org, other_org):
    assert (
        api("technical_team")
        .post("/api/v1/gates/procedures/design/design-architecture", {"body": "x"}, content_type=J)
        .status_code
        == 403
    )
    api("mallory").get("/api/v1/gates/procedures")  # seeds the other organization's own
    r = api("ai_manager").post(
        "/api/v1/gates/procedures/design/acme-only", {"title": "Acme only", "body": "B"}, content_type=J
    )
    assert r.status_code == 201
    assert api("mallory").get("/api/v1/gates/procedures/design/acme-only").status_code == 404
    assert api("mallory").get("/api/v1/gates/procedures/design/acme-only/versions/1").status_code == 404
    assert "acme-only" not in {p["key"] for p in api("mallory").get("/api/v1/gates/procedures").json()}
    assert api(None).get("/api/v1/gates/procedures").status_code == 401


def test_the_gate_page_shows_the_procedure_of_the_systems_stage(browser_client, system):
    page = browser_client("technical_team").get("/lifecycle/systems/loan-scoring/").content.decode()
    assert 'id="procedures"' in page and "Verification and validation" in page and "version 1" in page


def test_the_procedure_pages_show_versions_and_take_a_new_one(browser_client, org, actor):
    client = browser_client("ai_manager")
    listing = client.get("/lifecycle/procedures/")
    assert (
        listing.status_code == 200
        and "Third-party vendor and external model control" in listing.content.decode()
    )
    url = "/lifecycle/procedures/development/third-party-control/"
    page = client.get(url)
    assert page.status_code == 200 and "Write a new version" in page.content.decode()
    r = client.post(
        url,
        {
            "title": "Vendor control",
            "body": "Assess every vendor.",
            "change_note": "Renamed",
            "based_on": "1",
        },
    )
    assert r.status_code == 302
    page = client.get(url).content.decode()
    assert "Vendor control" in page and "Assess every vendor." in page and "Renamed" in page
    old = client.get(url + "?v=1").content.decode()
    assert 'id="old-version"' in old and "questionnaire" in old
    stale = client.post(url, {"title": "T", "body": "B", "based_on": "1"})
    assert stale.status_code == 422 and "Someone changed this record" in stale.content.decode()
    added = client.post(
        "/lifecycle/procedures/", {"stage": "design", "title": "Threat modelling", "body": "STRIDE."}
    )
    assert added.status_code == 302 and added["Location"] == "/lifecycle/procedures/design/threat-modelling/"


def test_the_procedure_pages_refuse_a_role_without_the_right_and_other_organizations(browser_client, org):
    url = "/lifecycle/procedures/design/design-architecture/"
    reader = browser_client("technical_team")
    page = reader.get(url)
    assert page.status_code == 200 and "Write a new version" not in page.content.decode()
    assert reader.post(url, {"title": "T", "body": "B", "based_on": "1"}).status_code == 403
    assert (
        reader.post("/lifecycle/procedures/", {"stage": "design", "title": "T", "body": "B"}).status_code
        == 403
    )
    browser_client("ai_manager").post(
        "/lifecycle/procedures/", {"stage": "design", "title": "Acme only", "body": "B"}
    )
    assert browser_client("mallory").get("/lifecycle/procedures/design/acme-only/").status_code == 404
    assert browser_client("ai_manager").get(url + "?v=9").status_code == 404


def test_a_gate_review_records_the_procedures_in_force(api, browser_client, actor, org, system):
    services.ensure_procedures(org)
    services.revise_procedure(
        actor("ai_manager"), "validation", "verification-validation", {"body": "v2 text"}
    )
    review = services.move(actor("technical_team"), system, note="try")
    assert review.procedures == [
        {"key": "verification-validation", "title": "Verification and validation", "number": 2}
    ]
    body = api("external_auditor").get(f"/api/v1/gates/reviews/{review.pk}").json()
    assert body["procedures"][0]["number"] == 2
    page = browser_client("external_auditor").get(f"/lifecycle/reviews/{review.pk}/").content.decode()
    assert "Verification and validation v2" in page
