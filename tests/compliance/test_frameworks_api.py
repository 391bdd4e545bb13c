"""The catalogs in the database and on the API: /frameworks, /frameworks/{slug}/requirements, the tree,
OSCAL, crosswalks; an organization's own frameworks (added by managers, invisible to others)."""

from __future__ import annotations

import re

import pytest

from aims.compliance import catalog_files as cf
from aims.compliance import loader
from aims.compliance.models import CatalogChange, Framework, Mapping, Requirement

pytestmark = pytest.mark.django_db

ANNEX_A_COUNT = 38


def test_migrate_loaded_every_shipped_catalog_and_crosswalk():
    slugs = set(Framework.objects.filter(organization__isnull=True).values_list("slug", flat=True))
    assert slugs == set(cf.list_catalogs())
    for slug in slugs:
        assert Requirement.objects.filter(framework__slug=slug).count() == len(cf.load_catalog(slug))
    assert Mapping.objects.count() == sum(len(cf.load_crosswalk(s).mappings) for s in cf.list_crosswalks())


def test_loading_again_writes_nothing():
    result = loader.sync_catalogs()
    assert not result.changed
    assert CatalogChange.objects.count() == 0


def test_it_lists_frameworks_for_every_member(api):
    r = api("external_auditor").get("/api/v1/frameworks?page_size=100")
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == len(cf.list_catalogs())
    iso = next(f for f in body["items"] if f["slug"] == "iso-iec-42001-2023")
    assert iso["builtin"] and iso["requirement_count"] == len(cf.load_catalog("iso-iec-42001-2023"))


def test_it_refuses_without_a_token(api):
    assert api(None).get("/api/v1/frameworks").status_code == 401


def test_requirements_list_every_annex_a_control_with_its_exact_title(api):
    r = api("technical_team").get("/api/v1/frameworks/iso-iec-42001-2023/requirements?page_size=500")
    assert r.status_code == 200
    items = r.json()["items"]
    by_ref = {i["ref_id"]: i for i in items}
    controls = [i for i in items if re.fullmatch(r"A\.\d+(\.\d+)+", i["ref_id"]) and i["kind"] == "control"]
    assert len(controls) == ANNEX_A_COUNT
    assert by_ref["A.6.2.4"]["title"] == "AI system verification and validation"
    assert by_ref["A.6.2.4"]["parent"] == "A.6.2"
    assert by_ref["6.1.3"]["title"] == "AI risk treatment"
    assert by_ref["6.1.3"]["number"] == "6.1.3"


def test_requirements_are_paginated_with_page_and_page_size(api):
    client = api("ai_manager")
    first = client.get("/api/v1/frameworks/nist-ai-rmf-1-0/requirements?page=1&page_size=50").json()
    second = client.get("/api/v1/frameworks/nist-ai-rmf-1-0/requirements?page=2&page_size=50").json()
    assert first["count"] == 95 and first["pages"] == 2
    refs = [i["ref_id"] for i in first["items"] + second["items"]]
    assert len(refs) == len(set(refs)) == 95
    subcats = [r for r in refs if re.fullmatch(r"(GOVERN|MAP|MEASURE|MANAGE) \d+\.\d+", r)]
    assert len(subcats) == 72


def test_requirements_filter_by_kind_and_parent(api):
    r = api("ai_manager").get("/api/v1/frameworks/eu-ai-act-2024-1689/requirements?parent=Art.%205").json()
    assert [i["ref_id"] for i in r["items"]][:8] == [f"Art. 5(1)({c})" for c in "abcdefgh"]
    r = api("ai_manager").get("/api/v1/frameworks/eu-ai-act-2024-1689/requirements?kind=annex_area").json()
    assert r["count"] == 8


def test_an_unknown_framework_is_404(api):
    assert api("ai_manager").get("/api/v1/frameworks/nope/requirements").status_code == 404


def test_the_tree_nests_annex_a(api):
    tree = api("ai_manager").get("/api/v1/frameworks/iso-iec-42001-2023/tree").json()
    annex = next(n for n in tree if n["kind"] == "annex")
    a6 = next(n for n in annex["children"] if n["ref_id"] == "A.6")
    assert [c["ref_id"] for c in a6["children"]] == ["A.6.1", "A.6.2"]


def test_oscal_catalog_keeps_every_number_as_a_label(api):
    r = api("external_auditor").get("/api/v1/frameworks/iso-iec-42001-2023/oscal")
    assert r.status_code == 200
    doc = r.json()["catalog"]
    assert doc["metadata"]["oscal-version"] == "1.1.2"
    labels = set()

    def walk(nodes):
        for n in nodes:
            labels.update(p["value"] for p in n.get("props", []) if p["name"] == "label")
            assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]*", n["id"])
            walk(n.get("controls", []))

    walk(doc.get("groups", []))
    walk(doc.get("controls", []))
    assert {"A.6.2.4", "6.1.3", "A.10.4"} <= labels


def test_crosswalks_are_listed_with_their_mappings(api):
    rows = api("ai_manager").get("/api/v1/crosswalks").json()
    assert {r["slug"] for r in rows} == set(cf.list_crosswalks())
    m = api("ai_manager").get("/api/v1/crosswalks/iso42001-nist-ai-rmf/mappings?page_size=500").json()
    assert m["count"] == len(cf.load_crosswalk("iso42001-nist-ai-rmf").mappings)


def test_a_manager_adds_an_own_framework_that_other_organizations_do_not_see(api):
    r = api("ai_manager").post(
        "/api/v1/frameworks",
        {"slug": "acme-ai-rules", "name": "Acme AI rules"},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    r = api("ai_manager").post(
        "/api/v1/frameworks/acme-ai-rules/requirements",
        {"ref_id": "P-1", "title": "Inventory"},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    assert api("ai_manager").get("/api/v1/frameworks/acme-ai-rules/requirements").json()["count"] == 1
    assert api("mallory").get("/api/v1/frameworks/acme-ai-rules").status_code == 404
    assert "acme-ai-rules" not in {
        f["slug"] for f in api("mallory").get("/api/v1/frameworks").json()["items"]
    }


def test_it_refuses_an_own_framework_to_the_technical_team(api):
    r = api("technical_team").post(
        "/api/v1/frameworks", {"slug": "x-rules", "name": "X"}, content_type="application/json"
    )
    assert r.status_code == 403


def test_a_bad_slug_is_422_naming_the_field(api):
    r = api("ai_manager").post(
        "/api/v1/frameworks", {"slug": "Bad Slug!", "name": "X"}, content_type="application/json"
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "slug"


def test_a_shipped_catalog_cannot_be_changed(api):
    r = api("ai_manager").post(
        "/api/v1/frameworks/iso-iec-42001-2023/requirements",
        {"ref_id": "A.99", "title": "Invented"},
        content_type="application/json",
    )
    assert r.status_code == 403
    assert api("ai_manager").delete("/api/v1/frameworks/iso-iec-42001-2023").status_code == 403


def _own(api):
    api("ai_manager").post(
        "/api/v1/frameworks",
        {"slug": "acme-ai-rules", "name": "Acme AI rules"},
        content_type="application/json",
    )
    api("ai_manager").post(
        "/api/v1/frameworks/acme-ai-rules/requirements",
        {"ref_id": "P-1", "title": "Inventory"},
        content_type="application/json",
    )


def test_a_taken_slug_and_bad_requirements_are_422_naming_the_field(api):
    _own(api)
    client = api("ai_manager")
    taken = client.post(
        "/api/v1/frameworks", {"slug": "acme-ai-rules", "name": "Again"}, content_type="application/json"
    )
    assert taken.status_code == 422 and taken.json()["errors"][0]["field"] == "slug"
    url = "/api/v1/frameworks/acme-ai-rules/requirements"
    dup = client.post(url, {"ref_id": "P-1", "title": "Again"}, content_type="application/json")
    assert dup.status_code == 422 and dup.json()["errors"][0]["field"] == "ref_id"
    orphan = client.post(
        url, {"ref_id": "P-2", "title": "T", "parent": "P-9"}, content_type="application/json"
    )
    assert orphan.status_code == 422 and orphan.json()["errors"][0]["field"] == "parent"
    empty = client.post(url, {"ref_id": "P-3", "title": ""}, content_type="application/json")
    assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "title"


def test_requirements_of_an_own_framework_are_refused_to_the_risk_team_and_hidden_from_others(api):
    _own(api)
    url = "/api/v1/frameworks/acme-ai-rules/requirements"
    body = {"ref_id": "P-2", "title": "Owner"}
    assert api("risk_team").post(url, body, content_type="application/json").status_code == 403
    assert api("mallory").post(url, body, content_type="application/json").status_code == 404
    assert api("mallory").delete("/api/v1/frameworks/acme-ai-rules").status_code == 404
    assert api("risk_team").delete("/api/v1/frameworks/acme-ai-rules").status_code == 403
    assert api("ai_manager").delete("/api/v1/frameworks/acme-ai-rules").status_code == 204
    assert api("ai_manager").get("/api/v1/frameworks/acme-ai-rules").status_code == 404
