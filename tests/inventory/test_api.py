"""The clause 4 REST resources: /ai-systems, /interested-parties, /context-issues, /scope.
Permissions by role and the other organization are in tests/core/test_permissions.py; errors,
ETags and tokens in tests/core/test_api_auth.py. Here: what each resource does."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aims.core.actors import Actor
from aims.core.roles import Role
from aims.inventory import services
from aims.inventory.models import AISystem, ContextIssue, ScopeStatement
from tests.factories import AISystemFactory, ContextIssueFactory, InterestedPartyFactory

JSON = "application/json"
pytestmark = pytest.mark.django_db


@pytest.fixture
def client(api):
    return api(Role.AI_MANAGER)


def queries(client, path: str, params: dict | None = None) -> int:
    client.get(path, params or {})  # warm: the token's last-use stamp is written once a minute
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, params or {})
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries)


# --- AI systems ---------------------------------------------------------------------------------------


FULL = {
    "name": "Credit scoring",
    "purpose": "Decide on consumer loans",
    "description": "Gradient boosting on application data",
    "function": "Approves or declines credit applications",
    "system_type": "predictive_ml",
    "business_unit": "Retail lending",
    "criticality": "high",
    "org_roles": ["provider", "deployer"],
    "eu_ai_act_tier": "high",
    "documentation_status": "partial",
    "lifecycle_stage": "operation",
    "project_status": "active",
    "processes_personal_data": True,
    "special_category_data": False,
    "affected_persons": "Loan applicants",
    "deployment_environments": ["production"],
    "third_party": False,
    "supplier": "",
    "tags": ["credit", "retail"],
    "links": ["https://git.example.com/credit"],
}


def test_an_ai_system_round_trips_every_field(client, members):
    owner = members[Role.TECHNICAL_TEAM].user
    made = client.post("/api/v1/ai-systems", {**FULL, "owner_id": owner.pk}, content_type=JSON)
    assert made.status_code == 201, made.content
    body = made.json()
    for key, value in FULL.items():
        assert body[key] == value, key
    assert (body["slug"], body["owner_id"], body["owner_email"], body["version"]) == (
        "credit-scoring",
        owner.pk,
        owner.email,
        1,
    )
    assert client.get("/api/v1/ai-systems/credit-scoring").json() == body
    assert client.get(f"/api/v1/ai-systems/{body['id']}").json() == body


def test_a_minimal_ai_system_gets_the_defaults(client):
    body = client.post("/api/v1/ai-systems", {"name": "Idea"}, content_type=JSON).json()
    assert (
        body["criticality"],
        body["lifecycle_stage"],
        body["eu_ai_act_tier"],
        body["documentation_status"],
    ) == ("medium", "idea", "not_assessed", "none")
    assert body["owner_id"] is None and body["owner_email"] is None and body["tags"] == []


def test_a_patch_changes_only_what_it_sends(client):
    made = client.post("/api/v1/ai-systems", FULL, content_type=JSON).json()
    changed = client.patch(
        f"/api/v1/ai-systems/{made['id']}", {"criticality": "critical", "tags": []}, content_type=JSON
    )
    assert changed.status_code == 200
    body = changed.json()
    assert body["criticality"] == "critical" and body["tags"] == [] and body["purpose"] == FULL["purpose"]
    assert body["version"] == 2


def test_a_patch_can_clear_the_owner(client, members):
    owner = members[Role.RISK_TEAM].user
    made = client.post("/api/v1/ai-systems", {"name": "X", "owner_id": owner.pk}, content_type=JSON).json()
    cleared = client.patch(f"/api/v1/ai-systems/{made['id']}", {"owner_id": None}, content_type=JSON)
    assert cleared.status_code == 200 and cleared.json()["owner_id"] is None


def test_a_slug_change_moves_the_address(client):
    made = client.post("/api/v1/ai-systems", {"name": "Old name"}, content_type=JSON).json()
    assert (
        client.patch("/api/v1/ai-systems/old-name", {"slug": "new-name"}, content_type=JSON).status_code
        == 200
    )
    assert client.get("/api/v1/ai-systems/old-name").status_code == 404
    assert client.get("/api/v1/ai-systems/new-name").json()["id"] == made["id"]


def test_delete_answers_204_and_the_system_is_gone(client):
    made = client.post("/api/v1/ai-systems", {"name": "Gone"}, content_type=JSON).json()
    response = client.delete(f"/api/v1/ai-systems/{made['id']}")
    assert response.status_code == 204 and response.content == b""
    assert client.get(f"/api/v1/ai-systems/{made['id']}").status_code == 404
    assert client.delete(f"/api/v1/ai-systems/{made['id']}").status_code == 404


def test_a_system_named_with_digits_is_reached_by_its_own_slug(client, org):
    first = client.post("/api/v1/ai-systems", {"name": "First"}, content_type=JSON).json()
    numeric = client.post("/api/v1/ai-systems", {"name": str(first["id"])}, content_type=JSON)
    assert numeric.status_code in (201, 422)
    if numeric.status_code == 201:
        slug = numeric.json()["slug"]
        assert client.get(f"/api/v1/ai-systems/{slug}").json()["id"] == numeric.json()["id"]


@pytest.fixture
def many(org, members) -> list[AISystem]:
    owner = members[Role.TECHNICAL_TEAM].user
    systems = [
        AISystemFactory(
            organization=org,
            name=f"System {i:02d}",
            slug=f"system-{i:02d}",
            criticality=["low", "medium", "high", "critical"][i % 4],
            owner=owner if i % 3 == 0 else None,
        )
        for i in range(30)
    ]
    for s in systems:
        s.save()  # fills the search text
    return systems


def test_the_list_is_paginated(client, many):
    first = client.get("/api/v1/ai-systems", {"page_size": 12}).json()
    assert (first["count"], first["page"], first["page_size"], first["pages"]) == (30, 1, 12, 3)
    assert [s["name"] for s in first["items"]][:2] == ["System 00", "System 01"]
    last = client.get("/api/v1/ai-systems", {"page_size": 12, "page": 3}).json()
    assert len(last["items"]) == 6 and last["items"][-1]["name"] == "System 29"
    beyond = client.get("/api/v1/ai-systems", {"page_size": 12, "page": 9}).json()
    assert beyond["items"] == [] and beyond["count"] == 30


def test_the_default_page_is_50_and_the_largest_500(client, many):
    assert client.get("/api/v1/ai-systems").json()["page_size"] == 50
    assert client.get("/api/v1/ai-systems", {"page_size": 10_000}).json()["page_size"] == 500


def test_the_list_filters_like_the_ui(client, many, members):
    owner = members[Role.TECHNICAL_TEAM].user
    assert client.get("/api/v1/ai-systems", {"criticality": "critical"}).json()["count"] == 7
    assert client.get("/api/v1/ai-systems", {"owner": "none"}).json()["count"] == 20
    assert client.get("/api/v1/ai-systems", {"owner": owner.email}).json()["count"] == 10
    assert client.get("/api/v1/ai-systems", {"owner": str(owner.pk)}).json()["count"] == 10
    assert client.get("/api/v1/ai-systems", {"q": "system 07"}).json()["count"] == 1
    sorted_desc = client.get("/api/v1/ai-systems", {"sort": "-name", "page_size": 1}).json()
    assert sorted_desc["items"][0]["name"] == "System 29"


@pytest.mark.parametrize("param", ["criticality", "type", "stage", "tier", "documentation"])
def test_an_unknown_filter_value_is_422_naming_it(param, client):
    response = client.get("/api/v1/ai-systems", {param: "bogus"})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [param]


def test_listing_ai_systems_uses_the_same_queries_for_3_or_60(client, org, members):
    owner = members[Role.TECHNICAL_TEAM].user
    AISystemFactory.create_batch(3, organization=org, owner=owner)
    small = queries(client, "/api/v1/ai-systems")
    AISystemFactory.create_batch(57, organization=org, owner=owner)
    assert queries(client, "/api/v1/ai-systems") == small
    assert small <= 5  # token, membership, count, page (owners joined)


# --- interested parties ---------------------------------------------------------------------------------


def test_an_interested_party_links_ai_systems(client, org):
    a, b = AISystemFactory(organization=org), AISystemFactory(organization=org)
    made = client.post(
        "/api/v1/interested-parties",
        {
            "name": "Loan applicants",
            "category": "ai_subject",
            "needs": "Fair decisions",
            "ai_systems": [a.pk],
        },
        content_type=JSON,
    )
    assert made.status_code == 201, made.content
    assert made.json()["ai_systems"] == [a.pk]
    patched = client.patch(
        f"/api/v1/interested-parties/{made.json()['id']}", {"ai_systems": [a.pk, b.pk]}, content_type=JSON
    )
    assert sorted(patched.json()["ai_systems"]) == sorted([a.pk, b.pk])
    assert patched.json()["version"] == 2


def test_the_party_list_names_the_missing_categories(client, org):
    InterestedPartyFactory(organization=org, category="regulator")
    body = client.get("/api/v1/interested-parties").json()
    assert "regulator" not in body["missing_categories"] and "ai_subject" in body["missing_categories"]
    assert "other" not in body["missing_categories"]


def test_the_party_list_filters_by_category_and_name(client, org):
    InterestedPartyFactory(organization=org, name="Data protection authority", category="authority")
    InterestedPartyFactory(organization=org, name="Customers", category="customer")
    assert [
        p["name"] for p in client.get("/api/v1/interested-parties", {"category": "authority"}).json()["items"]
    ] == ["Data protection authority"]
    assert client.get("/api/v1/interested-parties", {"q": "CUSTOM"}).json()["count"] == 1


def test_listing_parties_uses_the_same_queries_for_3_or_40(client, org):
    systems = AISystemFactory.create_batch(3, organization=org)

    def add(n: int) -> None:
        for party in InterestedPartyFactory.create_batch(n, organization=org):
            party.ai_systems.set(systems)

    add(3)
    small = queries(client, "/api/v1/interested-parties")
    add(37)
    assert queries(client, "/api/v1/interested-parties") == small


# --- internal and external issues -------------------------------------------------------------------------


def test_an_issue_round_trips_and_filters_by_kind(client, org):
    made = client.post(
        "/api/v1/context-issues",
        {
            "kind": "external",
            "title": "EU AI Act applies",
            "description": "From 2026",
            "impact": "High-risk duties",
        },
        content_type=JSON,
    )
    assert made.status_code == 201
    ContextIssueFactory(organization=org, kind="internal", title="Few ML engineers")
    assert [
        i["title"] for i in client.get("/api/v1/context-issues", {"kind": "external"}).json()["items"]
    ] == ["EU AI Act applies"]
    assert client.get("/api/v1/context-issues", {"q": "engineers"}).json()["count"] == 1
    assert (
        client.patch(
            f"/api/v1/context-issues/{made.json()['id']}", {"kind": "internal"}, content_type=JSON
        ).json()["kind"]
        == "internal"
    )
    assert client.delete(f"/api/v1/context-issues/{made.json()['id']}").status_code == 204
    assert ContextIssue.objects.count() == 1


def test_issues_are_read_by_id_only(client, org):
    issue = ContextIssueFactory(organization=org, title="t")
    assert client.get(f"/api/v1/context-issues/{issue.pk}").status_code == 200
    assert client.get("/api/v1/context-issues/t").status_code == 404


# --- scope --------------------------------------------------------------------------------------------------


def test_the_scope_through_the_api(client, api, org):
    assert client.get("/api/v1/scope/current").status_code == 404
    assert client.get("/api/v1/scope").json() == []
    system = AISystemFactory(organization=org)
    v1 = client.put(
        "/api/v1/scope",
        {
            "statement": "All credit AI",
            "included_systems": [system.pk],
            "exclusions": [{"item": "HR", "reason": "No AI"}],
        },
        content_type=JSON,
    )
    assert v1.status_code == 200, v1.content
    assert (v1.json()["number"], v1.json()["status"], v1.json()["included_systems"]) == (
        1,
        "draft",
        [system.pk],
    )
    assert v1.json()["exclusions"] == [{"item": "HR", "reason": "No AI"}]

    edited = client.put("/api/v1/scope", {"statement": "All AI"}, content_type=JSON).json()
    assert (edited["number"], edited["statement"], edited["version"]) == (1, "All AI", 2)

    approved = api(Role.TOP_MANAGEMENT).post("/api/v1/scope/1/approve")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert approved.json()["approved_by"] == "top_management@acme.example" and approved.json()["approved_at"]
    assert client.post("/api/v1/scope/1/approve").status_code == 422

    v2 = client.put("/api/v1/scope", {"statement": "All AI, and vendors"}, content_type=JSON).json()
    assert (v2["number"], v2["status"]) == (2, "draft")
    assert [s["number"] for s in client.get("/api/v1/scope").json()] == [2, 1]
    assert client.get("/api/v1/scope/current").json()["number"] == 2
    assert ScopeStatement.objects.get(number=1).statement == "All AI"
    assert client.post("/api/v1/scope/7/approve").status_code == 404


def test_the_scope_draft_from_the_inventory_is_not_saved(client, org):
    AISystemFactory(organization=org, name="Chatbot")
    draft = client.get("/api/v1/scope/draft-from-inventory")
    assert draft.status_code == 200
    assert draft.json()["statement"] and len(draft.json()["included_systems"]) == 1
    assert not ScopeStatement.objects.exists()
    saved = client.put("/api/v1/scope", draft.json(), content_type=JSON)
    assert saved.status_code == 200 and saved.json()["number"] == 1


def test_a_scope_cannot_include_another_organizations_system(client, outsider):
    theirs = services.create_system(outsider, {"name": "Theirs"})
    response = client.put(
        "/api/v1/scope", {"statement": "All", "included_systems": [theirs.pk]}, content_type=JSON
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["included_systems"]
    assert not ScopeStatement.objects.exists()


# --- the audit trail of the inventory ----------------------------------------------------------------------


def test_the_audit_events_endpoint_filters(client, api, members, org):
    made = client.post("/api/v1/ai-systems", {"name": "Audited"}, content_type=JSON).json()
    client.patch(f"/api/v1/ai-systems/{made['id']}", {"purpose": "p"}, content_type=JSON)
    services.create_issue(
        Actor.for_membership(members[Role.RISK_TEAM]), {"kind": "internal", "title": "Budget"}
    )
    auditor = api(Role.EXTERNAL_AUDITOR)
    by_object = auditor.get(
        "/api/v1/audit-events", {"object_type": "ai_system", "object_id": str(made["id"])}
    ).json()
    assert [e["action"] for e in by_object["items"]] == ["update", "create"]  # newest first
    assert by_object["items"][0]["changes"]["purpose"] == ["", "p"]
    by_actor = auditor.get("/api/v1/audit-events", {"actor": "RISK_TEAM@acme.example"}).json()
    assert [e["object_type"] for e in by_actor["items"]] == ["context_issue"]
    assert auditor.get("/api/v1/audit-events", {"action": "update"}).json()["count"] == 1
    everything = auditor.get("/api/v1/audit-events").json()["count"]
    assert auditor.get("/api/v1/audit-events", {"since": "2999-01-01T00:00:00Z"}).json()["count"] == 0
    assert (
        auditor.get("/api/v1/audit-events", {"until": "2999-01-01T00:00:00Z"}).json()["count"] == everything
    )
    assert auditor.get("/api/v1/audit-events", {"since": "yesterday"}).status_code == 422


def test_listing_audit_events_uses_the_same_queries_for_few_or_many(client, org):
    operator = Actor.system(org)
    for i in range(3):
        services.create_issue(operator, {"kind": "internal", "title": f"I{i}"})
    small = queries(client, "/api/v1/audit-events")
    for i in range(60):
        services.create_issue(operator, {"kind": "internal", "title": f"J{i}"})
    assert queries(client, "/api/v1/audit-events") == small


def test_every_clause_4_resource_is_in_the_openapi_document(client):
    doc = client.get("/api/v1/openapi.json").json()
    assert {
        "/api/v1/ai-systems",
        "/api/v1/interested-parties",
        "/api/v1/context-issues",
        "/api/v1/scope",
    } <= set(doc["paths"])
    summaries = [op["summary"] for ops in doc["paths"].values() for op in ops.values()]
    for name in ("AI system", "interested party", "internal or external issue"):
        assert any(s == f"Create a {name}" for s in summaries), name
