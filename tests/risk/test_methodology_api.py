"""/api/v1/risk-methodology: served with its scales and appetite, versioned, recomputes on change."""

import pytest

from aims.core.models import AuditEvent
from aims.risk.models import RecomputeJob, Risk, RiskMethodology

URL = "/api/v1/risk-methodology"


def test_it_serves_a_default_5x5_method_on_first_use(api, members):
    got = api("external_auditor").get(URL)
    assert got.status_code == 200, got.content
    body = got.json()
    assert body["size"] == 5 and body["number"] == 1 and body["is_current"]
    assert [lvl["key"] for lvl in body["levels"]] == ["low", "medium", "high", "critical"]
    assert body["appetite"] == "medium" and body["above_appetite_roles"] == ["top_management"]
    assert len(body["likelihood_scale"]) == 5 and len(body["matrix"]) == 5
    assert "ETag" in got.headers


def test_it_refuses_a_method_change_to_a_role_without_rights(api, members):
    got = api("technical_team").put(URL, {"appetite": "low"}, content_type="application/json")
    assert got.status_code == 403


def test_another_organization_sees_its_own_method_only(api, members, method):
    api("ai_manager").put(URL, {"appetite": "high", "change_note": "x"}, content_type="application/json")
    theirs = api("mallory").get(URL).json()
    assert theirs["appetite"] == "medium" and theirs["number"] == 1
    assert api("mallory").get(f"{URL}/versions/2").status_code == 404
    assert api("ai_manager").get(f"{URL}/versions/2").status_code == 200


def test_a_change_is_a_new_version_and_the_old_one_stays_readable(api, members, method):
    client = api("risk_team")
    etag = client.get(URL).headers["ETag"]
    got = client.put(
        URL,
        {"appetite": "low", "change_note": "Tighter appetite"},
        content_type="application/json",
        HTTP_IF_MATCH=etag,
    )
    assert got.status_code == 200, got.content
    assert got.json()["number"] == 2 and got.json()["appetite"] == "low"
    assert got.json()["recomputation"]["status"] == "done"
    old = client.get(f"{URL}/versions/1").json()
    assert old["appetite"] == "medium" and old["is_current"] is False
    assert [v["number"] for v in client.get(f"{URL}/versions").json()] == [2, 1]
    # The old ETag is stale now.
    stale = client.put(URL, {"appetite": "high"}, content_type="application/json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412


def test_it_names_the_field_of_bad_input(api, members):
    got = api("risk_team").put(URL, {"appetite": "extreme"}, content_type="application/json")
    assert got.status_code == 422
    assert [e["field"] for e in got.json()["errors"]] == ["appetite"]
    got = api("risk_team").put(URL, {"matrix": [["low"]]}, content_type="application/json")
    assert got.status_code == 422 and got.json()["errors"][0]["field"] == "matrix"
    got = api("risk_team").put(URL, {"levels": [{"key": "a"}]}, content_type="application/json")
    assert got.status_code == 422 and got.json()["errors"][0]["field"].startswith("levels")
    assert RiskMethodology.objects.filter(number=2).count() == 0


def test_changing_the_size_alone_starts_from_the_default_of_that_size(api, members):
    got = api("risk_team").put(URL, {"size": 3}, content_type="application/json")
    assert got.status_code == 200, got.content
    assert got.json()["size"] == 3 and len(got.json()["matrix"]) == 3
    assert api("risk_team").get(f"{URL}/defaults/4").json()["size"] == 4


@pytest.mark.django_db
def test_a_method_change_recomputes_every_risk_with_an_audit_entry_each(api, actor, system, method):
    from aims.risk import services

    made = [
        services.create_risk(
            actor("risk_team"), {"title": f"r{i}", "category": "bias", "likelihood": li, "impact": im}
        )
        for i, (li, im) in enumerate([(1, 1), (3, 3), (5, 5), (2, 4)])
    ]
    assert [r.inherent_level for r in made] == ["low", "medium", "critical", "medium"]
    # Everything from likelihood 3 up is critical now; the rest low.
    matrix = [["low"] * 5, ["low"] * 5, ["critical"] * 5, ["critical"] * 5, ["critical"] * 5]
    got = api("ai_manager").put(
        URL, {"matrix": matrix, "levels": None, "change_note": "stricter"}, content_type="application/json"
    )
    assert got.status_code == 200, got.content
    job = RecomputeJob.objects.get()
    assert (job.status, job.total, job.done, job.changed) == ("done", 4, 4, 2)
    levels = dict(Risk.objects.values_list("title", "inherent_level"))
    assert levels == {"r0": "low", "r1": "critical", "r2": "critical", "r3": "low"}
    assert set(Risk.objects.values_list("methodology__number", flat=True)) == {2}
    for r in made:
        entry = AuditEvent.objects.filter(
            object_type="risk", object_id=str(r.pk), changes__reason=[None, "method v2"]
        ).get()
        assert entry.changes["methodology"] == [method.pk, method.pk + 1] or "methodology" in entry.changes
    from aims.core import audit

    assert audit.verify().ok  # the batched entries extend the same hash chain
    progress = api("ai_manager").get(f"{URL}/recomputations/{job.pk}").json()
    assert progress["percent"] == 100
    assert api("mallory").get(f"{URL}/recomputations/{job.pk}").status_code == 404
