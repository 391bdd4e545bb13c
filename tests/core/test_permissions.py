"""The permission matrix, cell by cell, through the API.

Every probe below is one (object type, action) cell reached through a real endpoint. For each role the
expected answer is read from `aims.core.permissions` (so the test follows the matrix when it changes):
allowed -> 2xx and exactly one audit entry; refused -> 403 and nothing written. Another organization's
member gets 404 on every object (never 403, whatever their role) and never sees a row of ours in a list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client

from aims.core import permissions, services
from aims.core.actors import Actor
from aims.core.models import ApiToken, AuditEvent, Membership
from aims.core.permissions import ACTIONS, ADD, APPROVE, CHANGE, DELETE, EXPORT, GRANTS, VIEW, allowed
from aims.core.roles import Role
from aims.inventory import services as inventory
from aims.inventory.models import AISystem, ContextIssue, InterestedParty, ScopeStatement
from tests.factories import (
    AISystemFactory,
    ContextIssueFactory,
    InterestedPartyFactory,
    MembershipFactory,
    UserFactory,
)

JSON = "application/json"
ROLES = Role.values
WRITES = {
    AuditEvent.Action.CREATE,
    AuditEvent.Action.UPDATE,
    AuditEvent.Action.DELETE,
    AuditEvent.Action.APPROVE,
    AuditEvent.Action.TOKEN,
    AuditEvent.Action.REVOKE,
}


@dataclass
class World:
    """acme's records that the probes read and change, and the persona doing it."""

    org: object
    role: str
    system: AISystem
    party: InterestedParty
    issue: ContextIssue
    member: Membership

    @property
    def operator(self) -> Actor:
        return Actor.system(self.org, source="test")  # type: ignore[arg-type]

    def draft_scope(self) -> ScopeStatement:
        return inventory.save_scope(self.operator, {"statement": "All AI systems of Acme.", "exclusions": []})

    def own_token(self) -> ApiToken:
        token, _raw = services.create_token(Actor.for_membership(self.member, source="test"), name="spare")
        return token


@dataclass(frozen=True)
class Probe:
    """One cell reached through one endpoint. `prepare` sets up what the request needs (a draft
    scope, a spare token) before the audit entries are counted; the path is formatted with the
    world and what `prepare` returned."""

    object_type: str
    action: str
    name: str
    method: str
    path: str
    body: dict | None = None
    success: int = 200
    prepare: Callable[[World], dict] = lambda w: {}

    @property
    def id(self) -> str:
        return f"{self.object_type}-{self.action}-{self.name}"

    def run(self, w: World, client: Client, prepared: dict):  # type: ignore[no-untyped-def]
        url = self.path.format(w=w, **prepared)
        if self.method == "GET":
            return client.get(url)
        if self.method == "DELETE":
            return client.delete(url)
        send = {"POST": client.post, "PUT": client.put, "PATCH": client.patch}[self.method]
        return send(url, self.body or {}, content_type=JSON)


def _draft(w: World) -> dict:
    return {"scope": w.draft_scope()}


def _spare_token(w: World) -> dict:
    return {"token": w.own_token()}


PROBES = [
    # AI systems (clause 4.1)
    Probe("ai_system", VIEW, "list", "GET", "/api/v1/ai-systems"),
    Probe("ai_system", VIEW, "read", "GET", "/api/v1/ai-systems/{w.system.pk}"),
    Probe("ai_system", ADD, "create", "POST", "/api/v1/ai-systems", {"name": "New system"}, 201),
    Probe(
        "ai_system", CHANGE, "patch", "PATCH", "/api/v1/ai-systems/{w.system.pk}", {"description": "changed"}
    ),
    Probe("ai_system", DELETE, "delete", "DELETE", "/api/v1/ai-systems/{w.system.pk}", success=204),
    Probe("ai_system", EXPORT, "export-json", "GET", "/api/v1/ai-systems/export?format=json"),
    Probe("ai_system", EXPORT, "export-csv", "GET", "/api/v1/ai-systems/export?format=csv"),
    # interested parties (clause 4.2)
    Probe("interested_party", VIEW, "list", "GET", "/api/v1/interested-parties"),
    Probe("interested_party", VIEW, "read", "GET", "/api/v1/interested-parties/{w.party.pk}"),
    Probe(
        "interested_party",
        ADD,
        "create",
        "POST",
        "/api/v1/interested-parties",
        {"name": "Regulator", "category": "regulator"},
        201,
    ),
    Probe(
        "interested_party",
        CHANGE,
        "patch",
        "PATCH",
        "/api/v1/interested-parties/{w.party.pk}",
        {"needs": "changed"},
    ),
    Probe(
        "interested_party", DELETE, "delete", "DELETE", "/api/v1/interested-parties/{w.party.pk}", success=204
    ),
    # internal and external issues (clause 4.1)
    Probe("context_issue", VIEW, "list", "GET", "/api/v1/context-issues"),
    Probe("context_issue", VIEW, "read", "GET", "/api/v1/context-issues/{w.issue.pk}"),
    Probe(
        "context_issue",
        ADD,
        "create",
        "POST",
        "/api/v1/context-issues",
        {"kind": "internal", "title": "Skills"},
        201,
    ),
    Probe(
        "context_issue",
        CHANGE,
        "patch",
        "PATCH",
        "/api/v1/context-issues/{w.issue.pk}",
        {"impact": "changed"},
    ),
    Probe("context_issue", DELETE, "delete", "DELETE", "/api/v1/context-issues/{w.issue.pk}", success=204),
    # AIMS scope (clause 4.3): a PUT with no draft starts a version (add), with a draft edits it (change)
    Probe("scope", VIEW, "list", "GET", "/api/v1/scope", prepare=_draft),
    Probe("scope", VIEW, "current", "GET", "/api/v1/scope/current", prepare=_draft),
    Probe("scope", VIEW, "draft-from-inventory", "GET", "/api/v1/scope/draft-from-inventory"),
    Probe("scope", ADD, "first-version", "PUT", "/api/v1/scope", {"statement": "Everything."}),
    Probe("scope", CHANGE, "edit-draft", "PUT", "/api/v1/scope", {"statement": "Less."}, prepare=_draft),
    Probe("scope", APPROVE, "approve", "POST", "/api/v1/scope/{scope.number}/approve", prepare=_draft),
    # the audit trail and API tokens
    Probe("audit_event", VIEW, "list", "GET", "/api/v1/audit-events"),
    Probe("api_token", VIEW, "list", "GET", "/api/v1/tokens"),
    Probe("api_token", ADD, "create", "POST", "/api/v1/tokens", {"name": "ci"}, 201),
    Probe(
        "api_token",
        DELETE,
        "revoke",
        "DELETE",
        "/api/v1/tokens/{token.pk}",
        success=204,
        prepare=_spare_token,
    ),
]
READS = [p for p in PROBES if p.action in (VIEW, EXPORT)]
WRITE_PROBES = [p for p in PROBES if p.action not in (VIEW, EXPORT)]


@pytest.fixture
def world(org, members) -> Callable[[str], World]:
    def make(role: str) -> World:
        return World(
            org=org,
            role=role,
            system=AISystemFactory(organization=org, name="Credit scoring", slug="credit-scoring"),
            party=InterestedPartyFactory(organization=org),
            issue=ContextIssueFactory(organization=org),
            member=members[role],
        )

    return make


def _written(org) -> int:
    return AuditEvent.objects.filter(organization=org, action__in=WRITES).count()


def _untouched(w: World) -> bool:
    """acme's records are as the world made them (no partial write slipped past a refusal)."""
    return (
        AISystem.objects.filter(pk=w.system.pk, description=w.system.description, version=1).exists()
        and InterestedParty.objects.filter(pk=w.party.pk, needs=w.party.needs, version=1).exists()
        and ContextIssue.objects.filter(pk=w.issue.pk, impact=w.issue.impact, version=1).exists()
        and not ScopeStatement.objects.filter(
            organization=w.org, status=ScopeStatement.Status.APPROVED
        ).exists()
        and AISystem.objects.filter(organization=w.org).count() == 1
    )


def _assert_cell(response, probe: Probe, expected: bool, org, before: int, w: World) -> None:
    status = response.status_code
    if expected:
        assert status == probe.success, (
            f"{probe.id}: expected {probe.success}, got {status} {response.content[:300]!r}"
        )
        if probe.action not in (VIEW, EXPORT):
            assert _written(org) == before + 1, (
                f"{probe.id}: an allowed write records exactly one audit entry"
            )
    else:
        assert status == 403, f"{probe.id}: expected 403, got {status} {response.content[:300]!r}"
        assert response.json()["detail"]
        assert _written(org) == before, f"{probe.id}: a refused request writes nothing"
        assert _untouched(w), f"{probe.id}: a refused request changes nothing"


# Granted cells that no API endpoint reaches yet (each one is covered again when its endpoint lands).
NO_ENDPOINT = {
    ("scope", DELETE),  # scope versions are kept: there is no endpoint to delete a draft
    ("interested_party", EXPORT),
    ("context_issue", EXPORT),
    ("scope", EXPORT),
    ("audit_event", EXPORT),
}


def test_every_cell_of_the_matrix_is_probed_through_the_api():
    """A new grant on an object type listed here without a probe makes this test fail."""
    probed = {(p.object_type, p.action) for p in PROBES}
    for object_type in {p.object_type for p in PROBES}:
        for action, roles in GRANTS[object_type].items():
            if roles and (object_type, action) not in NO_ENDPOINT:
                assert (object_type, action) in probed, f"no API probe for {object_type}.{action}"
    assert not NO_ENDPOINT & probed, "a probe exists now: drop it from NO_ENDPOINT"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("probe", PROBES, ids=lambda p: p.id)
def test_a_session_on_the_api_gets_what_the_matrix_grants(probe, role, world, browser_client, org):
    w = world(role)
    client = browser_client(role)
    prepared = probe.prepare(w)
    before = _written(org)
    response = probe.run(w, client, prepared)
    _assert_cell(response, probe, allowed(role, probe.object_type, probe.action), org, before, w)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("probe", PROBES, ids=lambda p: p.id)
def test_a_bearer_token_gets_what_the_matrix_grants(probe, role, world, api, org):
    w = world(role)
    client = api(role)
    token_read_only = ApiToken.objects.filter(user=w.member.user, organization=org).first().read_only
    # An external auditor's token is read-only whatever was asked (services.create_token).
    assert token_read_only == (role == Role.EXTERNAL_AUDITOR)
    expected = allowed(role, probe.object_type, probe.action) and (
        probe.action in (VIEW, EXPORT) or not token_read_only
    )
    prepared = probe.prepare(w)
    before = _written(org)
    response = probe.run(w, client, prepared)
    _assert_cell(response, probe, expected, org, before, w)


# --- another organization: 404 on objects, never 403; lists never show our rows --------------------


@pytest.fixture
def stranger(other_org) -> Callable[[str], Client]:
    """A member of `other` with the given role, as an API client with a write-capable token."""

    def make(role: str) -> Client:
        membership = MembershipFactory(
            user=UserFactory(email=f"{role}@other.example"), organization=other_org, role=role
        )
        _token, raw = services.create_token(Actor.for_membership(membership, source="test"))
        return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    return make


OBJECT_PROBES = [
    ("GET", "/api/v1/ai-systems/{w.system.pk}"),
    ("GET", "/api/v1/ai-systems/{w.system.slug}"),
    ("PATCH", "/api/v1/ai-systems/{w.system.pk}"),
    ("DELETE", "/api/v1/ai-systems/{w.system.pk}"),
    ("GET", "/api/v1/interested-parties/{w.party.pk}"),
    ("PATCH", "/api/v1/interested-parties/{w.party.pk}"),
    ("DELETE", "/api/v1/interested-parties/{w.party.pk}"),
    ("GET", "/api/v1/context-issues/{w.issue.pk}"),
    ("PATCH", "/api/v1/context-issues/{w.issue.pk}"),
    ("DELETE", "/api/v1/context-issues/{w.issue.pk}"),
    ("POST", "/api/v1/scope/{scope.number}/approve"),
    ("DELETE", "/api/v1/tokens/{token.pk}"),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path"), OBJECT_PROBES, ids=[f"{m} {p}" for m, p in OBJECT_PROBES])
def test_another_organizations_member_gets_404_never_403(method, path, role, world, stranger, org):
    w = world(Role.AI_MANAGER)
    scope, token = w.draft_scope(), w.own_token()
    client = stranger(role)
    before = _written(org)
    body = {"description": "mine now", "needs": "mine now", "impact": "mine now"}
    url = path.format(w=w, scope=scope, token=token)
    response = {
        "GET": lambda: client.get(url),
        "PATCH": lambda: client.patch(url, body, content_type=JSON),
        "DELETE": lambda: client.delete(url),
        "POST": lambda: client.post(url),
    }[method]()
    assert response.status_code == 404, response.content
    assert _written(org) == before
    assert AISystem.objects.get(pk=w.system.pk).description == w.system.description
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
    assert ScopeStatement.objects.get(pk=scope.pk).status == ScopeStatement.Status.DRAFT


LISTS = [
    ("/api/v1/ai-systems", "items"),
    ("/api/v1/interested-parties", "items"),
    ("/api/v1/context-issues", "items"),
    ("/api/v1/audit-events", "items"),
    ("/api/v1/scope", None),
    ("/api/v1/tokens", None),
]


@pytest.fixture
def two_orgs(world, mallory, outsider):
    """acme and other both hold one record of every kind, and both have audit entries."""
    w = world(Role.AI_MANAGER)
    w.draft_scope()
    w.own_token()
    theirs = World(
        org=mallory.organization,
        role=Role.AI_MANAGER,
        system=inventory.create_system(outsider, {"name": "Their system"}),
        party=inventory.create_party(outsider, {"name": "Their party", "category": "customer"}),
        issue=inventory.create_issue(outsider, {"kind": "external", "title": "Their issue"}),
        member=mallory,
    )
    theirs.draft_scope()
    theirs.own_token()
    return w, theirs


def _ids(client: Client, path: str, key: str | None) -> set[int]:
    response = client.get(path, {"page_size": 500} if key else {})
    assert response.status_code == 200, response.content
    rows = response.json()[key] if key else response.json()
    return {row["id"] for row in rows}


@pytest.mark.parametrize(("path", "key"), LISTS, ids=[p for p, _ in LISTS])
def test_lists_never_show_another_organizations_rows(path, key, two_orgs, api, mallory):
    ours, theirs = two_orgs
    model = {
        "/api/v1/ai-systems": AISystem,
        "/api/v1/interested-parties": InterestedParty,
        "/api/v1/context-issues": ContextIssue,
        "/api/v1/audit-events": AuditEvent,
        "/api/v1/scope": ScopeStatement,
    }.get(path)
    for client, org, other in (
        (api("ai_manager"), ours.org, theirs.org),
        (api("mallory"), theirs.org, ours.org),
    ):
        seen = _ids(client, path, key)
        assert seen, f"{path}: the organization's own rows are listed"
        if model is not None:
            assert seen == set(model.objects.filter(organization=org).values_list("pk", flat=True))
            assert not seen & set(model.objects.filter(organization=other).values_list("pk", flat=True))
        else:
            assert seen <= set(ApiToken.objects.filter(organization=org).values_list("pk", flat=True))


@pytest.mark.parametrize("role", ROLES)
def test_a_filter_cannot_reach_into_another_organization(role, two_orgs, api):
    ours, theirs = two_orgs
    client = api(role)
    assert client.get("/api/v1/ai-systems", {"q": "their"}).json()["count"] == 0
    assert client.get("/api/v1/ai-systems", {"owner": theirs.member.user.email}).json()["count"] == 0
    if allowed(role, "audit_event", VIEW):
        found = client.get(
            "/api/v1/audit-events", {"object_id": str(theirs.system.pk), "object_type": "ai_system"}
        )
        assert all(e["object_repr"] != "Their system" for e in found.json()["items"])


# --- read-only tokens ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_a_read_only_actor_can_only_view_and_export_what_its_role_allows(role, members):
    read_only = Actor.for_membership(members[role], source="api", read_only=True)
    read_write = Actor.for_membership(members[role], source="api")
    for object_type in GRANTS:
        for action in ACTIONS:
            granted = allowed(role, object_type, action)
            assert read_write.can(object_type, action) is granted
            assert read_only.can(object_type, action) is (granted and action in (VIEW, EXPORT)), (
                object_type,
                action,
            )


def test_a_read_only_actor_is_refused_with_a_message_saying_why(members):
    read_only = Actor.for_membership(members[Role.ORG_ADMIN], source="api", read_only=True)
    with pytest.raises(Exception, match="read-only"):
        read_only.require("ai_system", ADD)


def test_the_operator_may_do_everything_inside_its_organization(org):
    operator = Actor.system(org)
    assert operator.is_system
    assert all(operator.can(t, a) for t in GRANTS for a in ACTIONS)


@pytest.mark.parametrize("probe", WRITE_PROBES, ids=lambda p: p.id)
def test_a_read_only_token_is_refused_every_write(probe, world, api, org):
    w = world(Role.ORG_ADMIN)  # the widest role: only read-only-ness can refuse
    client = api(Role.ORG_ADMIN, read_only=True)
    prepared = probe.prepare(w)
    before = _written(org)
    response = probe.run(w, client, prepared)
    assert response.status_code == 403, response.content
    assert "read-only" in response.json()["detail"]
    assert _written(org) == before


@pytest.mark.parametrize("probe", READS, ids=lambda p: p.id)
def test_a_read_only_token_reads(probe, world, api):
    w = world(Role.ORG_ADMIN)
    response = probe.run(w, api(Role.ORG_ADMIN, read_only=True), probe.prepare(w))
    assert response.status_code == 200, response.content


# --- the matrix itself ----------------------------------------------------------------------------


def test_the_external_auditor_changes_nothing_but_their_own_tokens():
    for object_type, grants in GRANTS.items():
        for action, roles in grants.items():
            if Role.EXTERNAL_AUDITOR in roles and action not in (VIEW, EXPORT):
                assert object_type == "api_token", f"external auditor may {action} {object_type}"


def test_every_role_may_view_every_inventory_object():
    for object_type in ("ai_system", "interested_party", "context_issue", "scope"):
        assert all(allowed(role, object_type, VIEW) for role in ROLES)


def test_only_leaders_approve_the_scope():
    assert {r for r in ROLES if allowed(r, "scope", APPROVE)} == {Role.TOP_MANAGEMENT, Role.AI_MANAGER}


def test_an_unknown_object_type_or_action_is_an_error_not_a_refusal():
    with pytest.raises(KeyError):
        allowed(Role.AI_MANAGER, "no_such_thing", VIEW)
    with pytest.raises(KeyError):
        allowed(Role.AI_MANAGER, "ai_system", "destroy")


def test_every_grant_names_known_roles_and_actions():
    assert set(permissions.OBJECT_TYPES) == set(GRANTS)
    for grants in GRANTS.values():
        assert set(grants) <= set(ACTIONS)
        for roles in grants.values():
            assert set(roles) <= set(ROLES)
