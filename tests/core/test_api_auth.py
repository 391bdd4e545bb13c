"""The API's front door: bearer tokens (and the browser session), ETags, error answers, the OpenAPI
document, and mass assignment. A careful API answers 401 for who-are-you, 403 for not-allowed, 404
for not-yours-or-not-there, 412 for a stale write, 422 naming the field, and never 500 for bad input."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from django.test import Client
from django.utils import timezone

from aims.core import services
from aims.core.actors import Actor
from aims.core.models import ApiToken, AuditEvent, Membership
from aims.core.roles import Role
from aims.inventory.models import AISystem, ScopeStatement
from tests.factories import AISystemFactory, MembershipFactory, UserFactory

JSON = "application/json"
pytestmark = pytest.mark.django_db


@pytest.fixture
def token(members) -> tuple[ApiToken, str]:
    """A live, write-capable token of the AI manager: (row, raw value)."""
    return services.create_token(Actor.for_membership(members[Role.AI_MANAGER], source="test"), name="ci")


def bearer(raw: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def assert_401(response) -> None:
    assert response.status_code == 401, response.content
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["detail"]


# --- who are you: 401 --------------------------------------------------------------------------


def test_a_request_without_a_token_gets_401_with_www_authenticate():
    assert_401(Client().get("/api/v1/ai-systems"))
    assert_401(Client().post("/api/v1/ai-systems", {"name": "x"}, content_type=JSON))
    assert_401(Client().get("/api/v1/me"))


@pytest.mark.parametrize(
    "header",
    [
        "Bearer garbage",
        "Bearer aims_" + "A" * 43,
        "Bearer ",
        "Bearer",
        "Token aims_whatever",
        "Basic YWxpY2U6c2VjcmV0",
        "aims_no_scheme",
    ],
)
def test_a_garbage_authorization_header_gets_401(header, token):
    assert_401(Client(HTTP_AUTHORIZATION=header).get("/api/v1/me"))


def test_a_tampered_token_gets_401(token):
    _row, raw = token
    flipped = raw[:-1] + ("A" if raw[-1] != "A" else "B")
    assert_401(bearer(flipped).get("/api/v1/me"))
    assert bearer(raw).get("/api/v1/me").status_code == 200


def test_a_revoked_token_gets_401_at_once(token, members):
    row, raw = token
    client = bearer(raw)
    assert client.get("/api/v1/me").status_code == 200
    services.revoke_token(Actor.for_membership(members[Role.AI_MANAGER]), row)
    assert_401(client.get("/api/v1/me"))
    assert_401(client.post("/api/v1/ai-systems", {"name": "x"}, content_type=JSON))


def test_a_revoked_token_cannot_revoke_itself_again_or_anything_else(token, members):
    row, raw = token
    services.revoke_token(Actor.for_membership(members[Role.AI_MANAGER]), row)
    assert_401(bearer(raw).delete(f"/api/v1/tokens/{row.pk}"))


def test_an_expired_token_gets_401(members):
    row, raw = services.create_token(Actor.for_membership(members[Role.AI_MANAGER]), expires_days=1)
    assert bearer(raw).get("/api/v1/me").status_code == 200
    ApiToken.objects.filter(pk=row.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert_401(bearer(raw).get("/api/v1/me"))


def test_a_token_that_expires_in_the_future_works_and_says_when(members):
    row, raw = services.create_token(Actor.for_membership(members[Role.AI_MANAGER]), expires_days=30)
    assert bearer(raw).get("/api/v1/me").status_code == 200
    assert dt.timedelta(days=29) < row.expires_at - timezone.now() <= dt.timedelta(days=30)


@pytest.mark.parametrize("param", ["token", "access_token", "api_key", "key", "bearer", "Authorization"])
def test_a_token_in_the_query_string_is_not_accepted(param, token):
    _row, raw = token
    assert_401(Client().get("/api/v1/me", {param: raw}))
    assert_401(Client().get("/api/v1/ai-systems", {param: f"Bearer {raw}"}))


def test_a_token_in_a_cookie_is_not_accepted(token):
    _row, raw = token
    client = Client()
    client.cookies["sessionid"] = raw
    client.cookies["token"] = raw
    assert_401(client.get("/api/v1/me"))


def test_an_inactive_users_token_gets_401(token, members):
    _row, raw = token
    user = members[Role.AI_MANAGER].user
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert_401(bearer(raw).get("/api/v1/me"))


def test_a_token_stops_working_when_its_membership_is_deleted(token, members):
    _row, raw = token
    Membership.objects.filter(pk=members[Role.AI_MANAGER].pk).delete()
    assert_401(bearer(raw).get("/api/v1/me"))
    assert_401(bearer(raw).get("/api/v1/ai-systems"))


def test_removing_a_member_revokes_their_tokens(token, members, org):
    row, raw = token
    services.remove_member(Actor.system(org), members[Role.AI_MANAGER])
    assert_401(bearer(raw).get("/api/v1/me"))
    row.refresh_from_db()
    assert row.revoked_at is not None


def test_a_token_keeps_its_organization_when_the_user_joins_another(token, other_org):
    _row, raw = token
    user = ApiToken.objects.get(pk=_row.pk).user
    MembershipFactory(user=user, organization=other_org, role=Role.ORG_ADMIN)
    me = bearer(raw).get("/api/v1/me").json()
    assert (me["organization"]["slug"], me["role"]) == ("acme", Role.AI_MANAGER)


def test_a_token_is_stored_only_as_a_hash_and_shown_once(members):
    client = Client(
        HTTP_AUTHORIZATION=f"Bearer {services.create_token(Actor.for_membership(members['org_admin']))[1]}"
    )
    made = client.post("/api/v1/tokens", {"name": "pipeline", "read_only": True}, content_type=JSON)
    assert made.status_code == 201
    raw = made.json()["token"]
    row = ApiToken.objects.get(pk=made.json()["id"])
    assert raw.startswith("aims_") and len(raw) > 40
    assert row.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in json.dumps(list(ApiToken.objects.values()), default=str)
    assert raw not in json.dumps(list(AuditEvent.objects.values()), default=str)
    listed = client.get("/api/v1/tokens").json()
    assert all("token" not in t for t in listed)
    assert {t["key_prefix"] for t in listed} >= {raw[:12]}


def test_last_used_is_touched_at_most_once_a_minute(token):
    row, raw = token
    client = bearer(raw)
    client.get("/api/v1/me")
    first = ApiToken.objects.get(pk=row.pk).last_used_at
    client.get("/api/v1/me")
    assert first is not None and ApiToken.objects.get(pk=row.pk).last_used_at == first


# --- /me --------------------------------------------------------------------------------------------


def test_me_says_who_the_token_belongs_to(token, members, org):
    _row, raw = token
    response = bearer(raw).get("/api/v1/me")
    assert response.status_code == 200
    user = members[Role.AI_MANAGER].user
    assert response.json() == {
        "id": user.pk,
        "email": user.email,
        "full_name": user.full_name,
        "organization": {"id": org.pk, "name": "Acme Bank", "slug": "acme"},
        "role": "ai_manager",
        "read_only": False,
    }


def test_me_tells_a_read_only_token(api):
    assert api(Role.RISK_TEAM, read_only=True).get("/api/v1/me").json()["read_only"] is True
    # An external auditor's token is read-only even when a writable one was asked for.
    assert api(Role.EXTERNAL_AUDITOR).get("/api/v1/me").json()["read_only"] is True


def test_a_read_only_token_gets_403_on_writes_and_reads_fine(api, org):
    system = AISystemFactory(organization=org)
    client = api(Role.AI_MANAGER, read_only=True)
    assert client.get(f"/api/v1/ai-systems/{system.pk}").status_code == 200
    for response in (
        client.post("/api/v1/ai-systems", {"name": "x"}, content_type=JSON),
        client.patch(f"/api/v1/ai-systems/{system.pk}", {"name": "x"}, content_type=JSON),
        client.delete(f"/api/v1/ai-systems/{system.pk}"),
        client.post("/api/v1/tokens", {"name": "escalate"}, content_type=JSON),
    ):
        assert response.status_code == 403
        assert "read-only" in response.json()["detail"]
    assert AISystem.objects.get(pk=system.pk).name == system.name


# --- the browser session on the API ----------------------------------------------------------------


def test_a_logged_in_session_may_use_the_api(browser_client):
    response = browser_client(Role.AI_MANAGER).get("/api/v1/me")
    assert response.status_code == 200 and response.json()["role"] == "ai_manager"


def test_a_session_write_without_the_csrf_token_is_refused(members):
    client = Client(enforce_csrf_checks=True)
    client.force_login(members[Role.AI_MANAGER].user)
    response = client.post("/api/v1/ai-systems", {"name": "csrf"}, content_type=JSON)
    assert response.status_code in (401, 403)
    assert not AISystem.objects.exists()


# --- ETag / If-Match ------------------------------------------------------------------------------


@pytest.fixture
def system_path(api) -> str:
    made = api(Role.AI_MANAGER).post("/api/v1/ai-systems", {"name": "Credit scoring"}, content_type=JSON)
    assert made.status_code == 201
    assert made["ETag"] == f'W/"{made.json()["id"]}-1"'
    return f"/api/v1/ai-systems/{made.json()['id']}"


def test_a_write_with_the_current_etag_succeeds_and_returns_the_next(api, system_path):
    client = api(Role.AI_MANAGER)
    etag = client.get(system_path)["ETag"]
    response = client.patch(system_path, {"purpose": "Score"}, content_type=JSON, HTTP_IF_MATCH=etag)
    assert response.status_code == 200
    assert response["ETag"] != etag and response["ETag"] == client.get(system_path)["ETag"]
    assert response.json()["version"] == 2


def test_a_stale_if_match_gets_412_and_changes_nothing(api, system_path):
    alice, bob = api(Role.AI_MANAGER), api(Role.TECHNICAL_TEAM)
    etag = alice.get(system_path)["ETag"]
    assert (
        bob.patch(system_path, {"purpose": "Bob's"}, content_type=JSON, HTTP_IF_MATCH=etag).status_code == 200
    )
    stale = alice.patch(system_path, {"purpose": "Alice's"}, content_type=JSON, HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert stale.json()["version"] == 2 and stale.json()["detail"]
    assert alice.get(system_path).json()["purpose"] == "Bob's"
    assert alice.delete(system_path, HTTP_IF_MATCH=etag).status_code == 412
    assert AISystem.objects.count() == 1


@pytest.mark.parametrize(
    "if_match", ['"nonsense"', "W/1-1", "garbage", '"1-x"', 'W/"999999-1"', '"1-1", "1-2"', "-1"]
)
def test_a_malformed_or_foreign_if_match_gets_412(if_match, api, system_path):
    client = api(Role.AI_MANAGER)
    client.patch(system_path, {"purpose": "v2"}, content_type=JSON)  # the object is at version 2 now
    response = client.patch(system_path, {"purpose": "x"}, content_type=JSON, HTTP_IF_MATCH=if_match)
    assert response.status_code == 412, response.content
    assert client.get(system_path).json()["purpose"] == "v2"


def test_a_write_without_if_match_or_with_star_is_allowed(api, system_path):
    client = api(Role.AI_MANAGER)
    assert client.patch(system_path, {"purpose": "no header"}, content_type=JSON).status_code == 200
    assert (
        client.patch(system_path, {"purpose": "star"}, content_type=JSON, HTTP_IF_MATCH="*").status_code
        == 200
    )
    assert client.get(system_path).json()["version"] == 3


def test_the_etag_of_a_strong_or_weak_form_is_accepted(api, system_path):
    client = api(Role.AI_MANAGER)
    weak = client.get(system_path)["ETag"]
    strong = weak.removeprefix("W/")
    assert (
        client.patch(system_path, {"purpose": "s"}, content_type=JSON, HTTP_IF_MATCH=strong).status_code
        == 200
    )


# --- 422: the field at fault, nothing written -------------------------------------------------------


def errors_of(response) -> dict[str, list[str]]:
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["detail"]
    return {e["field"]: e["messages"] for e in body["errors"]}


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "x", "criticality": "bogus"}, "criticality"),
        ({"name": "x", "system_type": "quantum"}, "system_type"),
        ({"name": "x", "org_roles": ["king"]}, "org_roles.0"),
        ({"name": "x", "deployment_environments": ["moon"]}, "deployment_environments.0"),
        ({"name": "x", "links": ["not a url"]}, "links"),
        ({"name": "x", "links": ["javascript:alert(1)"]}, "links"),
        ({"name": "x", "tags": ["t" * 201]}, "tags"),
        ({"name": ""}, "name"),
        ({"purpose": "no name"}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "x", "third_party": True}, "supplier"),
        ({"name": "x", "special_category_data": True}, "special_category_data"),
        ({"name": "x", "slug": "not a slug!"}, "slug"),
        ({"name": "x", "owner_id": 987654}, "owner"),
    ],
)
def test_a_bad_ai_system_gets_422_naming_the_field(payload, field, api):
    client = api(Role.AI_MANAGER)
    before = AuditEvent.objects.count()
    errors = errors_of(client.post("/api/v1/ai-systems", payload, content_type=JSON))
    assert field in errors, errors
    assert all(errors[field]), errors
    assert not AISystem.objects.exists()
    assert AuditEvent.objects.count() == before


def test_an_owner_from_another_organization_is_refused(api, mallory):
    errors = errors_of(
        api(Role.AI_MANAGER).post(
            "/api/v1/ai-systems", {"name": "x", "owner_id": mallory.user.pk}, content_type=JSON
        )
    )
    assert "The owner must be a member of the organization." in errors["owner"]


def test_an_owner_who_is_a_member_is_accepted(api, members):
    owner = members[Role.TECHNICAL_TEAM].user
    made = api(Role.AI_MANAGER).post(
        "/api/v1/ai-systems", {"name": "x", "owner_id": owner.pk}, content_type=JSON
    )
    assert made.status_code == 201 and made.json()["owner_email"] == owner.email


def test_a_duplicate_slug_gets_422_on_create_and_on_change(api):
    client = api(Role.AI_MANAGER)
    client.post("/api/v1/ai-systems", {"name": "A", "slug": "taken"}, content_type=JSON)
    other = client.post("/api/v1/ai-systems", {"name": "B", "slug": "free"}, content_type=JSON).json()
    errors = errors_of(client.post("/api/v1/ai-systems", {"name": "C", "slug": "taken"}, content_type=JSON))
    assert errors == {"slug": ["Another AI system in this organization already uses this slug."]}
    errors = errors_of(
        client.patch(f"/api/v1/ai-systems/{other['id']}", {"slug": "taken"}, content_type=JSON)
    )
    assert "slug" in errors
    assert AISystem.objects.get(pk=other["id"]).slug == "free"


def test_the_same_slug_in_another_organization_is_fine(api):
    assert (
        api(Role.AI_MANAGER)
        .post("/api/v1/ai-systems", {"name": "A", "slug": "shared"}, content_type=JSON)
        .status_code
        == 201
    )
    assert (
        api("mallory")
        .post("/api/v1/ai-systems", {"name": "A", "slug": "shared"}, content_type=JSON)
        .status_code
        == 201
    )


def test_a_bad_patch_gets_422_and_changes_nothing(api, system_path):
    client = api(Role.AI_MANAGER)
    errors = errors_of(
        client.patch(system_path, {"criticality": "bogus", "name": "Renamed"}, content_type=JSON)
    )
    assert "criticality" in errors
    assert client.get(system_path).json()["name"] == "Credit scoring"


@pytest.mark.parametrize(
    ("path", "payload", "field"),
    [
        ("/api/v1/interested-parties", {"name": "x", "category": "aliens"}, "category"),
        ("/api/v1/interested-parties", {"name": "x"}, "category"),
        (
            "/api/v1/interested-parties",
            {"name": "x", "category": "customer", "ai_systems": [987654]},
            "ai_systems",
        ),
        ("/api/v1/context-issues", {"title": "x", "kind": "sideways"}, "kind"),
        ("/api/v1/tokens", {"expires_days": 0}, "expires_days"),
        ("/api/v1/tokens", {"expires_days": 100000}, "expires_days"),
    ],
)
def test_other_resources_name_the_field_too(path, payload, field, api):
    errors = errors_of(api(Role.ORG_ADMIN).post(path, payload, content_type=JSON))
    assert field in errors, errors


def test_a_scope_exclusion_without_a_reason_names_the_field(api):
    response = api(Role.AI_MANAGER).put(
        "/api/v1/scope",
        {"statement": "All", "exclusions": [{"item": "Legacy", "reason": " "}]},
        content_type=JSON,
    )
    assert "exclusions" in errors_of(response)
    assert not ScopeStatement.objects.exists()


def test_an_unparseable_body_is_a_4xx_not_a_500(api):
    response = api(Role.AI_MANAGER).post("/api/v1/ai-systems", "{not json", content_type=JSON)
    assert 400 <= response.status_code < 500


# --- bad ids and parameters: 404 / 422, never 500 ----------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        "abc!",
        "1.5",
        "%00",
        "-1",
        "0",
        "%20",
        "a" * 200,
        "99999999999999999999",
        "1;DROP TABLE x",
        "%2e%2e",
        "1e3",
    ],
)
def test_a_malformed_id_in_the_path_is_404(key, api, org):
    AISystemFactory(organization=org)
    client = api(Role.AI_MANAGER)
    for response in (
        client.get(f"/api/v1/ai-systems/{key}"),
        client.patch(f"/api/v1/ai-systems/{key}", {"name": "x"}, content_type=JSON),
        client.delete(f"/api/v1/ai-systems/{key}"),
        client.get(f"/api/v1/interested-parties/{key}"),
        client.get(f"/api/v1/context-issues/{key}"),
    ):
        assert response.status_code == 404, (key, response.status_code, response.content[:200])


@pytest.mark.parametrize("digits", ["superscript", "arabic-indic"])
def test_a_unicode_digit_in_the_path_is_404(digits, api, org):
    system = AISystemFactory(organization=org)
    table = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹" if digits == "superscript" else "٠١٢٣٤٥٦٧٨٩")
    key = str(system.pk).translate(table)
    assert api(Role.AI_MANAGER).get(f"/api/v1/ai-systems/{key}").status_code == 404


@pytest.mark.parametrize("path", ["/api/v1/tokens/abc", "/api/v1/scope/abc/approve"])
def test_a_typed_path_parameter_gets_4xx_not_500(path, api):
    client = api(Role.AI_MANAGER)
    response = client.delete(path) if "tokens" in path else client.post(path)
    assert 400 <= response.status_code < 500


@pytest.mark.parametrize(
    "query",
    [
        {"page": "0", "page_size": "100000"},
        {"page": "-5"},
        {"page": "abc"},
        {"criticality": "bogus"},
        {"sort": "password"},
        {"owner": "nobody@nowhere.example"},
        {"q": "%_\\' OR 1=1 --"},
    ],
)
def test_odd_list_parameters_never_give_500(query, api, org):
    AISystemFactory(organization=org)
    response = api(Role.AI_MANAGER).get("/api/v1/ai-systems", query)
    assert response.status_code in (200, 422), response.content
    if response.status_code == 200:
        assert response.json()["page_size"] <= 500


def test_a_huge_page_number_is_not_a_500(api, org):
    AISystemFactory(organization=org)
    response = api(Role.AI_MANAGER).get("/api/v1/ai-systems", {"page": "99999999999999999999"})
    assert response.status_code in (200, 422)


def test_a_huge_owner_id_filter_is_not_a_500(api, org):
    AISystemFactory(organization=org)
    response = api(Role.AI_MANAGER).get("/api/v1/ai-systems", {"owner": "99999999999999999999"})
    assert response.status_code == 200 and response.json()["count"] == 0


# --- the OpenAPI document ---------------------------------------------------------------------------

REQUIRED_PATHS = {
    "/api/v1/ai-systems": {"get", "post"},
    "/api/v1/ai-systems/{key}": {"get", "patch", "delete"},
    "/api/v1/interested-parties": {"get", "post"},
    "/api/v1/interested-parties/{key}": {"get", "patch", "delete"},
    "/api/v1/context-issues": {"get", "post"},
    "/api/v1/context-issues/{key}": {"get", "patch", "delete"},
    "/api/v1/scope": {"get", "put"},
    "/api/v1/scope/current": {"get"},
    "/api/v1/scope/{number}/approve": {"post"},
    "/api/v1/audit-events": {"get"},
    "/api/v1/me": {"get"},
    "/api/v1/tokens": {"get", "post"},
    "/api/v1/tokens/{token_id}": {"delete"},
}


def test_the_openapi_document_lists_the_required_paths():
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = json.loads(response.content)
    assert doc["openapi"].startswith("3.")
    assert doc["info"]["title"] == "AIMS API"
    for path, methods in REQUIRED_PATHS.items():
        assert path in doc["paths"], path
        assert methods <= set(doc["paths"][path]), (path, set(doc["paths"][path]))


def test_every_operation_has_a_unique_id_a_summary_and_requires_auth():
    doc = Client().get("/api/v1/openapi.json").json()
    schemes = doc["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())
    ids = []
    for path, operations in doc["paths"].items():
        for method, op in operations.items():
            ids.append(op["operationId"])
            assert op.get("summary"), (method, path)
            assert op.get("security"), (method, path)
    assert len(ids) == len(set(ids))


def test_the_interactive_docs_are_served():
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200 and b"openapi.json" in response.content


# --- mass assignment ---------------------------------------------------------------------------------

FORBIDDEN = {
    "id": 4242,
    "organization": 4242,
    "organization_id": 4242,
    "version": 99,
    "created_by": 4242,
    "created_by_id": 4242,
    "created_at": "2000-01-01T00:00:00Z",
    "updated_at": "2000-01-01T00:00:00Z",
    "search_text": "planted",
}


def test_a_create_ignores_organization_version_and_creator(api, members, org, other_org):
    response = api(Role.AI_MANAGER).post(
        "/api/v1/ai-systems",
        {"name": "Honest", **FORBIDDEN, "organization_id": other_org.pk},
        content_type=JSON,
    )
    assert response.status_code in (201, 422)
    if response.status_code == 201:
        system = AISystem.objects.get(pk=response.json()["id"])
        assert system.pk != 4242 and system.organization_id == org.pk and system.version == 1
        assert system.created_by_id == members[Role.AI_MANAGER].user.pk
        assert system.created_at.year > 2000 and "planted" not in system.search_text
    assert not AISystem.objects.filter(organization=other_org).exists()


def test_a_patch_ignores_organization_version_and_creator(api, members, org, other_org, system_path):
    client = api(Role.TECHNICAL_TEAM)
    response = client.patch(
        system_path, {**FORBIDDEN, "organization_id": other_org.pk, "purpose": "p"}, content_type=JSON
    )
    assert response.status_code in (200, 422)
    system = AISystem.objects.get()
    assert system.organization_id == org.pk
    assert system.created_by_id == members[Role.AI_MANAGER].user.pk
    assert system.version == (2 if response.status_code == 200 else 1)
    assert system.created_at.year > 2000


def test_a_scope_save_cannot_set_its_status_number_or_approver(api, members):
    client = api(Role.AI_MANAGER)
    response = client.put(
        "/api/v1/scope",
        {
            "statement": "All",
            "status": "approved",
            "number": 7,
            "approved_by": members[Role.TOP_MANAGEMENT].user.pk,
            "approved_at": "2020-01-01T00:00:00Z",
        },
        content_type=JSON,
    )
    assert response.status_code in (200, 422)
    for scope in ScopeStatement.objects.all():
        assert (scope.status, scope.number, scope.approved_by_id, scope.approved_at) == (
            "draft",
            1,
            None,
            None,
        )


def test_a_token_cannot_be_made_for_someone_else(api, members):
    client = api(Role.ORG_ADMIN)
    victim = members[Role.TOP_MANAGEMENT].user
    response = client.post(
        "/api/v1/tokens", {"name": "x", "user_id": victim.pk, "user": victim.pk}, content_type=JSON
    )
    assert response.status_code in (201, 422)
    assert not ApiToken.objects.filter(user=victim).exists()


def test_the_generic_service_refuses_protected_fields(actor, org):
    from django.core.exceptions import ValidationError

    manager = actor(Role.AI_MANAGER)
    for field in ("organization", "organization_id", "version", "created_by", "created_by_id", "id"):
        with pytest.raises(ValidationError) as info:
            services.create(manager, AISystem, {"name": "x", "slug": "x", field: 1})
        assert field in info.value.message_dict
    with pytest.raises(ValidationError):
        services.create(manager, AISystem, {"name": "x", "slug": "x", "no_such_field": 1})
    assert not AISystem.objects.exists()


def test_another_organizations_member_cannot_write_through_a_user_in_both(members, other_org):
    """A person in two organizations acts in the token's organization only."""
    user = UserFactory(email="both@example.com")
    MembershipFactory(user=user, organization=other_org, role=Role.AI_MANAGER)
    external = MembershipFactory(
        user=user, organization=members[Role.AI_MANAGER].organization, role=Role.EXTERNAL_AUDITOR
    )
    _row, raw = services.create_token(Actor.for_membership(external))
    response = bearer(raw).post("/api/v1/ai-systems", {"name": "x"}, content_type=JSON)
    assert response.status_code == 403
