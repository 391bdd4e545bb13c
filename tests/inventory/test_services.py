"""The clause 4 operations, below the doors: slugs, validation rules, search and filters, the
dashboard's counts, interested-party coverage, and the scope's draft / approve / new-draft cycle."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aims.core import services as core
from aims.core.actors import Actor
from aims.core.exceptions import PreconditionFailed
from aims.core.models import AuditEvent
from aims.core.roles import Role
from aims.inventory import services
from aims.inventory.models import AISystem, InterestedParty, ScopeStatement
from tests.factories import AISystemFactory, InterestedPartyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(actor) -> Actor:
    return actor(Role.AI_MANAGER)


def messages_of(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


# --- slugs ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Credit scoring", "credit-scoring"),
        ("Über Modell 2", "uber-modell-2"),
        ("!!!", "ai-system"),
        ("x" * 150, "x" * 70),
    ],
)
def test_a_slug_is_made_from_the_name(name, slug, manager):
    assert services.create_system(manager, {"name": name}).slug == slug


def test_a_taken_slug_gets_a_number(manager):
    slugs = [services.create_system(manager, {"name": "Chatbot"}).slug for _ in range(3)]
    assert slugs == ["chatbot", "chatbot-2", "chatbot-3"]


def test_slugs_are_unique_per_organization_only(manager, outsider):
    assert services.create_system(manager, {"name": "Chatbot"}).slug == "chatbot"
    assert services.create_system(outsider, {"name": "Chatbot"}).slug == "chatbot"


def test_a_given_slug_that_is_taken_is_refused_not_renumbered(manager):
    services.create_system(manager, {"name": "A", "slug": "taken"})
    with pytest.raises(ValidationError) as info:
        services.create_system(manager, {"name": "B", "slug": "taken"})
    assert list(messages_of(info)) == ["slug"]


# --- validation rules ----------------------------------------------------------------------------------


def test_a_supplier_makes_the_system_third_party(manager):
    system = services.create_system(manager, {"name": "Chatbot", "supplier": "LLM Corp"})
    assert system.third_party is True


def test_a_third_party_system_names_its_supplier(manager):
    with pytest.raises(ValidationError) as info:
        services.create_system(manager, {"name": "Chatbot", "third_party": True, "supplier": "  "})
    assert "supplier" in messages_of(info)


def test_special_category_data_requires_personal_data(manager):
    with pytest.raises(ValidationError) as info:
        services.create_system(manager, {"name": "Triage", "special_category_data": True})
    assert "special_category_data" in messages_of(info)
    ok = services.create_system(
        manager, {"name": "Triage", "special_category_data": True, "processes_personal_data": True}
    )
    assert ok.special_category_data


def test_the_owner_must_be_a_member(manager, mallory, members):
    with pytest.raises(ValidationError) as info:
        services.create_system(manager, {"name": "X", "owner_id": mallory.user.pk})
    assert messages_of(info)["owner"] == ["The owner must be a member of the organization."]
    owned = services.create_system(manager, {"name": "X", "owner_id": members[Role.RISK_TEAM].user.pk})
    assert owned.owner == members[Role.RISK_TEAM].user


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"links": ["ftp://files.example.com/x"]}, "links"),
        ({"links": ["not a url"]}, "links"),
        ({"links": "https://example.com"}, "links"),
        ({"tags": [1, 2]}, "tags"),
        ({"tags": ["x" * 201]}, "tags"),
        ({"org_roles": ["king"]}, "org_roles"),
        ({"deployment_environments": ["moon"]}, "deployment_environments"),
        ({"criticality": "bogus"}, "criticality"),
        ({"system_type": "quantum"}, "system_type"),
    ],
)
def test_bad_values_are_refused_naming_the_field_and_nothing_is_written(data, field, manager):
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as info:
        services.create_system(manager, {"name": "X", **data})
    assert field in messages_of(info)
    assert not AISystem.objects.exists() and AuditEvent.objects.count() == before


@pytest.mark.parametrize(
    ("data", "field", "expected"),
    [
        ({"links": ["not a url"]}, "links", "not a url"),
        ({"tags": [1, 2]}, "tags", "short texts"),
        ({"org_roles": ["king"]}, "org_roles", "provider, deployer, importer, distributor"),
        ({"deployment_environments": ["moon"]}, "deployment_environments", "production"),
    ],
)
def test_list_fields_explain_what_is_wrong(data, field, expected, manager):
    with pytest.raises(ValidationError) as info:
        services.create_system(manager, {"name": "X", **data})
    text = " ".join(messages_of(info)[field])
    assert expected in text and "%(" not in text and "valid JSON" not in text, text


def test_good_list_values_are_kept(manager):
    system = services.create_system(
        manager,
        {
            "name": "X",
            "links": ["https://git.example.com/x", "http://wiki.example.com/x"],
            "tags": ["credit", "retail"],
            "org_roles": ["provider", "deployer"],
            "deployment_environments": ["test", "production"],
        },
    )
    system.refresh_from_db()
    assert system.org_roles == ["provider", "deployer"] and system.tags == ["credit", "retail"]


# --- updates and deletes through the generic services -----------------------------------------------


def test_an_update_bumps_the_version_and_a_stale_one_is_refused(manager):
    system = services.create_system(manager, {"name": "X"})
    updated = services.update_system(manager, system, {"purpose": "p"}, expected_version=1)
    assert updated.version == 2 and updated.updated_at >= system.updated_at
    with pytest.raises(PreconditionFailed) as info:
        services.update_system(manager, system, {"purpose": "q"}, expected_version=1)
    assert info.value.current_version == 2
    assert AISystem.objects.get().purpose == "p"


def test_another_organizations_object_cannot_be_changed_or_deleted_even_by_id(manager, outsider):
    system = services.create_system(manager, {"name": "X"})
    with pytest.raises(PermissionDenied):
        services.update_system(outsider, system, {"purpose": "mine"})
    with pytest.raises(PermissionDenied):
        services.delete_system(outsider, system)
    assert AISystem.objects.get().purpose == ""


def test_a_role_without_the_grant_is_refused_before_anything_happens(actor):
    with pytest.raises(PermissionDenied):
        services.create_system(actor(Role.EXTERNAL_AUDITOR), {"name": "X"})
    with pytest.raises(PermissionDenied):
        services.create_system(actor(Role.OPERATIONAL_TEAM), {"name": "X"})
    assert not AISystem.objects.exists()


def test_deleting_a_system_unlinks_it_from_parties(manager):
    system = services.create_system(manager, {"name": "X"})
    party = services.create_party(
        manager, {"name": "Applicants", "category": "ai_subject", "ai_systems": [system.pk]}
    )
    assert list(party.ai_systems.all()) == [system]
    services.delete_system(manager, system)
    assert list(InterestedParty.objects.get().ai_systems.all()) == []


def test_a_party_cannot_link_another_organizations_system(manager, outsider):
    theirs = services.create_system(outsider, {"name": "Theirs"})
    with pytest.raises(ValidationError) as info:
        services.create_party(manager, {"name": "P", "category": "customer", "ai_systems": [theirs.pk]})
    assert "ai_systems" in messages_of(info)
    assert not InterestedParty.objects.exists()


# --- search and filters ---------------------------------------------------------------------------------


@pytest.fixture
def inventory(manager, members) -> dict[str, AISystem]:
    owner = members[Role.TECHNICAL_TEAM].user
    make = services.create_system
    return {
        "credit": make(
            manager,
            {
                "name": "Credit scoring",
                "purpose": "Approve LOANS",
                "criticality": "high",
                "lifecycle_stage": "operation",
                "eu_ai_act_tier": "high",
                "owner_id": owner.pk,
                "documentation_status": "complete",
                "tags": ["retail"],
                "business_unit": "Lending",
            },
        ),
        "chat": make(
            manager,
            {
                "name": "Support chatbot",
                "system_type": "generative",
                "supplier": "LLM Corp",
                "criticality": "low",
                "eu_ai_act_tier": "limited",
                "lifecycle_stage": "deployment",
            },
        ),
        "fraud": make(
            manager,
            {
                "name": "Fraud detection",
                "purpose": "Flag card payments 100%",
                "criticality": "critical",
                "documentation_status": "partial",
            },
        ),
        "old": make(
            manager,
            {
                "name": "Old rules",
                "system_type": "rule_based",
                "lifecycle_stage": "retired",
                "business_unit": "Lending",
            },
        ),
    }


def names(qs) -> list[str]:
    return [s.name for s in qs]


def find(params: dict) -> list[str]:
    return names(services.filter_systems(AISystem.objects.all(), params))


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("credit", ["Credit scoring"]),
        ("loans", ["Credit scoring"]),  # case-insensitive, in the purpose
        ("RETAIL", ["Credit scoring"]),  # a tag
        ("lending", ["Credit scoring", "Old rules"]),  # the business unit
        ("llm corp", ["Support chatbot"]),  # every word, in the supplier
        ("credit chatbot", []),  # every word must match the same system
        ("100%", ["Fraud detection"]),
        ("%", ["Fraud detection"]),  # a literal percent sign, not a wildcard
        ("_", []),
        ("", ["Credit scoring", "Fraud detection", "Old rules", "Support chatbot"]),
    ],
)
def test_search_finds_every_word_anywhere(q, expected, inventory):
    assert find({"q": q}) == expected


def test_search_follows_an_edit(manager, inventory):
    services.update_system(manager, inventory["old"], {"description": "Legacy mainframe scorecard"})
    assert find({"q": "mainframe"}) == ["Old rules"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"type": "generative"}, ["Support chatbot"]),
        ({"criticality": "critical"}, ["Fraud detection"]),
        ({"stage": "retired"}, ["Old rules"]),
        ({"tier": "limited"}, ["Support chatbot"]),
        ({"documentation": "partial"}, ["Fraud detection"]),
        ({"owner": "none"}, ["Fraud detection", "Old rules", "Support chatbot"]),
        ({"owner": "TECHNICAL_TEAM@acme.example"}, ["Credit scoring"]),
        ({"criticality": "high", "stage": "operation"}, ["Credit scoring"]),
        ({"criticality": "high", "stage": "idea"}, []),
    ],
)
def test_filters_combine(params, expected, inventory):
    assert find(params) == expected


def test_the_owner_filter_takes_an_id(inventory, members):
    assert find({"owner": str(members[Role.TECHNICAL_TEAM].user.pk)}) == ["Credit scoring"]


@pytest.mark.parametrize(
    ("sort", "first", "last"),
    [
        ("name", "Credit scoring", "Support chatbot"),
        ("-name", "Support chatbot", "Credit scoring"),
        ("stage", "Support chatbot", "Old rules"),  # stored values sort alphabetically: deployment < retired
        ("nonsense", "Credit scoring", "Support chatbot"),
        (None, "Credit scoring", "Support chatbot"),
    ],
)
def test_sorting(sort, first, last, inventory):
    found = find({"sort": sort})
    assert (found[0], found[-1]) == (first, last)


def test_sorting_is_stable_for_equal_names(manager):
    for _ in range(3):
        services.create_system(manager, {"name": "Same"})
    ids = [s.pk for s in services.filter_systems(AISystem.objects.all(), {"sort": "name"})]
    assert ids == sorted(ids)


# --- dashboard -------------------------------------------------------------------------------------------


def test_the_dashboard_counts_the_inventory(manager, inventory):
    stats = services.dashboard(manager)
    assert stats["total"] == 4
    assert stats["no_owner"] == 3 and stats["no_docs"] == 2 and stats["high_risk"] == 1
    assert dict((v, n) for v, _label, n in stats["by_criticality"]) == {
        "low": 1,
        "medium": 1,
        "high": 1,
        "critical": 1,
    }
    assert sum(n for *_x, n in stats["by_stage"]) == 4
    assert [s.name for s in stats["without_documentation"]] == ["Old rules", "Support chatbot"]
    assert "Credit scoring" not in [s.name for s in stats["without_owner"]]


def test_the_dashboard_ignores_another_organization(outsider, inventory):
    stats = services.dashboard(outsider)
    assert stats["total"] == 0 and stats["without_owner"] == []


def test_the_dashboard_uses_the_same_queries_whatever_the_size(manager, org):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            services.dashboard(manager)
        return len(ctx.captured_queries)

    AISystemFactory.create_batch(3, organization=org)
    small = count()
    AISystemFactory.create_batch(40, organization=org)
    assert count() == small


# --- interested parties ------------------------------------------------------------------------------------


def test_missing_party_categories_shrink_as_parties_are_added(manager, outsider):
    everything = [c for c, _label in services.missing_party_categories(manager)]
    assert everything == InterestedParty.MINIMUM_CATEGORIES and "other" not in everything
    services.create_party(manager, {"name": "Regulator", "category": "regulator"})
    services.create_party(manager, {"name": "Misc", "category": "other"})
    InterestedPartyFactory(organization=outsider.organization, category="supplier")
    missing = [c for c, _label in services.missing_party_categories(manager)]
    assert "regulator" not in missing and "supplier" in missing and len(missing) == len(everything) - 1


# --- scope ---------------------------------------------------------------------------------------------------


def test_the_scope_cycle_draft_edit_approve_new_draft_approve(manager, actor, inventory):
    leader = actor(Role.TOP_MANAGEMENT)
    first = services.save_scope(manager, {"statement": "v1", "included_systems": [inventory["credit"].pk]})
    assert (first.number, first.status, first.version) == (1, "draft", 1)
    edited = services.save_scope(manager, {"statement": "v1 edited"}, expected_version=1)
    assert (edited.pk, edited.number, edited.version, edited.statement) == (first.pk, 1, 2, "v1 edited")

    approved = services.approve_scope(leader, edited)
    assert approved.status == "approved" and approved.approved_by == leader.user and approved.approved_at

    second = services.save_scope(manager, {"objectives": "More"})
    assert (second.number, second.status) == (2, "draft")
    assert second.statement == "v1 edited", "a new draft starts from the approved version"
    assert list(second.included_systems.values_list("pk", flat=True)) == [inventory["credit"].pk]
    assert ScopeStatement.objects.get(number=1).status == "approved", "an approved version is frozen"

    services.approve_scope(leader, second)
    assert dict(ScopeStatement.objects.values_list("number", "status")) == {1: "superseded", 2: "approved"}
    assert services.approved_scope(manager).number == 2
    assert services.current_scope(manager).number == 2


def test_only_a_draft_can_be_approved(manager):
    scope = services.save_scope(manager, {"statement": "v1"})
    services.approve_scope(manager, scope)
    with pytest.raises(ValidationError) as info:
        services.approve_scope(manager, scope)
    assert "status" in messages_of(info)


def test_an_empty_statement_cannot_be_approved(manager):
    scope = services.save_scope(manager, {"statement": "   "})
    with pytest.raises(ValidationError) as info:
        services.approve_scope(manager, scope)
    assert "statement" in messages_of(info)
    assert ScopeStatement.objects.get().status == "draft"


@pytest.mark.parametrize("role", [r for r in Role.values if r not in (Role.TOP_MANAGEMENT, Role.AI_MANAGER)])
def test_only_leaders_approve(role, actor, manager):
    scope = services.save_scope(manager, {"statement": "v1"})
    with pytest.raises(PermissionDenied):
        services.approve_scope(actor(role), scope)
    assert ScopeStatement.objects.get().status == "draft"


def test_a_stale_scope_save_is_refused(manager):
    services.save_scope(manager, {"statement": "v1"})
    services.save_scope(manager, {"statement": "v1 by someone else"})
    with pytest.raises(PreconditionFailed):
        services.save_scope(manager, {"statement": "mine"}, expected_version=1)


def test_an_exclusion_needs_a_reason(manager):
    with pytest.raises(ValidationError) as info:
        services.save_scope(manager, {"statement": "All", "exclusions": [{"item": "Legacy", "reason": ""}]})
    assert "exclusions" in messages_of(info)


def test_the_draft_from_the_inventory_lists_live_systems_and_excludes_retired_ones(manager, inventory):
    services.create_party(manager, {"name": "Applicants", "category": "ai_subject"})
    draft = services.draft_scope_from_inventory(manager)
    live = {inventory[k].pk for k in ("credit", "chat", "fraud")}
    assert set(draft["included_systems"]) == live
    assert draft["exclusions"] == [
        {"item": "Old rules", "reason": "Retired: no longer developed, provided or used."}
    ]
    assert "Acme Bank" in draft["statement"] and "3 AI systems" in draft["statement"]
    assert draft["included_units"] == "Lending"
    assert "AI subject (1)" in draft["boundaries"]
    saved = services.save_scope(manager, draft)
    assert saved.number == 1 and saved.included_systems.count() == 3


def test_every_scope_write_is_audited(manager):
    scope = services.save_scope(manager, {"statement": "v1"})
    services.save_scope(manager, {"statement": "v1b"})
    services.approve_scope(manager, scope)
    actions = list(
        AuditEvent.objects.filter(object_type="scope").order_by("pk").values_list("action", flat=True)
    )
    assert actions == ["create", "update", "approve"]


def test_the_generic_update_refuses_protected_scope_fields(manager):
    scope = services.save_scope(manager, {"statement": "v1"})
    for field in ("status", "number", "approved_by", "approved_at"):
        with pytest.raises(ValidationError):
            core.update(manager, scope, {field: None})
    assert ScopeStatement.objects.get().status == "draft"
