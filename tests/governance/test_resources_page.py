"""Resources (7.1) have their pages: everyone sees the list; planners allocate and edit; another
organization's allocation is not found."""

from __future__ import annotations

import pytest

from aims.core import services as core
from aims.governance.models import ResourceAllocation


@pytest.mark.django_db
def test_everyone_sees_the_resources(browser_client):
    assert browser_client("external_auditor").get("/governance/resources/").status_code == 200


@pytest.mark.django_db
def test_planners_allocate_and_others_are_refused(browser_client):
    data = {
        "kind": "people",
        "description": "0.5 FTE ML engineer",
        "amount": "0.5",
        "unit": "FTE",
        "year": 2026,
    }
    assert browser_client("technical_team").get("/governance/resources/new/").status_code == 403
    assert browser_client("technical_team").post("/governance/resources/new/", data).status_code == 403
    response = browser_client("cio_cdo").post("/governance/resources/new/", {**data, "adequate": "on"})
    assert response.status_code == 302 and response["Location"] == "/governance/resources/"
    row = ResourceAllocation.objects.get()
    assert row.description == "0.5 FTE ML engineer" and row.adequate
    assert b"0.5 FTE ML engineer" in browser_client("external_auditor").get("/governance/resources/").content


@pytest.mark.django_db
def test_editing_is_scoped_and_needs_the_right(browser_client, actor):
    row = core.create(
        actor("ai_manager"), ResourceAllocation, {"kind": "budget", "description": "Audit budget"}
    )
    url = f"/governance/resources/{row.pk}/edit/"
    assert browser_client("mallory").get(url).status_code == 404
    assert browser_client("operational_team").get(url).status_code == 403
    response = browser_client("top_management").post(
        url, {"kind": "budget", "description": "Audit budget, raised", "version": row.version}
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.description == "Audit budget, raised" and not row.adequate
