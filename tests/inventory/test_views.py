"""The clause 4 web pages: the AI system inventory, the dashboard, interested parties, internal and
external issues and the scope. Each page for a role that may, a role that may not (403) and the
other organization (404)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.text import capfirst

from aims.core.models import AuditEvent
from aims.inventory import services
from aims.inventory.models import AISystem, ContextIssue, InterestedParty, ScopeStatement
from tests.factories import AISystemFactory, ContextIssueFactory, InterestedPartyFactory

pytestmark = pytest.mark.django_db

LIST = reverse("inventory:system-list")
CREATE = reverse("inventory:system-create")


def system_form(**overrides):
    """A complete, valid POST of the AI system form."""
    data = {
        "name": "Credit scoring",
        "slug": "",
        "purpose": "Decide on consumer loans",
        "description": "Gradient boosting on application data",
        "function": "Approves or declines credit applications",
        "system_type": "predictive_ml",
        "owner": "",
        "business_unit": "Retail lending",
        "criticality": "high",
        "org_roles": ["provider", "deployer"],
        "eu_ai_act_tier": "high",
        "documentation_status": "partial",
        "lifecycle_stage": "operation",
        "project_status": "active",
        "processes_personal_data": "on",
        "affected_persons": "Loan applicants",
        "deployment_environments": ["production"],
        "supplier": "",
        "tags": "credit\nretail",
        "links": "https://git.example.com/credit",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def system(actor):
    return services.create_system(
        actor("ai_manager"),
        {"name": "Fraud detection", "purpose": "Flag suspicious card payments", "criticality": "high"},
    )


@pytest.fixture
def foreign_system(other_org, mallory):
    return AISystemFactory(organization=other_org, name="Mallory's secret model", slug="secret-model")


# --- AI system list ------------------------------------------------------------------------------


def test_it_lists_the_organizations_systems_and_never_another_organizations(
    browser_client, system, foreign_system
):
    response = browser_client("external_auditor").get(LIST)
    assert response.status_code == 200
    assert b"Fraud detection" in response.content
    assert b"Mallory" not in response.content


def test_it_finds_systems_by_search_and_filters(browser_client, org, members):
    AISystemFactory(
        organization=org, name="Credit scoring", slug="credit", purpose="loans", criticality="high"
    )
    AISystemFactory(
        organization=org,
        name="Chatbot",
        slug="chatbot",
        purpose="answers customers",
        criticality="low",
        owner=members["ai_manager"].user,
    )
    client = browser_client("risk_team")
    found = client.get(LIST, {"q": "customers"}).content.decode()
    assert "Chatbot" in found and "Credit scoring" not in found
    high = client.get(LIST, {"criticality": "high"}).content.decode()
    assert "Credit scoring" in high and "Chatbot" not in high
    assert '<option value="high" selected>' in high
    unowned = client.get(LIST, {"owner": "none"}).content.decode()
    assert "Credit scoring" in unowned and "Chatbot" not in unowned
    owned = client.get(LIST, {"owner": str(members["ai_manager"].user.pk)}).content.decode()
    assert "Chatbot" in owned and "Credit scoring" not in owned


def test_its_column_headings_sort_both_ways(browser_client, org):
    AISystemFactory(organization=org, name="Alpha", slug="alpha")
    AISystemFactory(organization=org, name="Zulu", slug="zulu")
    client = browser_client("ai_manager")
    ascending = client.get(LIST, {"sort": "name"}).content.decode()
    assert ascending.index("Alpha") < ascending.index("Zulu")
    assert 'aria-sort="ascending"' in ascending and "?sort=-name" in ascending
    descending = client.get(LIST, {"sort": "-name"}).content.decode()
    assert descending.index("Zulu") < descending.index("Alpha")
    assert 'aria-sort="descending"' in descending


def test_it_pages_the_list_and_keeps_the_filter_in_the_page_links(browser_client, org):
    for i in range(55):
        AISystemFactory(organization=org, name=f"Model {i:02d}", slug=f"model-{i:02d}", criticality="high")
    response = browser_client("ai_manager").get(LIST, {"criticality": "high"})
    html = response.content.decode()
    assert "Page 1 of 2" in html
    assert "criticality=high&amp;page=2" in html
    second = browser_client("ai_manager").get(LIST, {"criticality": "high", "page": 2}).content.decode()
    assert "Model 54" in second and "Model 00" not in second


def test_an_empty_inventory_invites_to_add_the_first_system_only_for_roles_that_may(browser_client, members):
    manager = browser_client("ai_manager").get(LIST).content.decode()
    assert "The inventory is empty." in manager and reverse("inventory:system-create") in manager
    auditor = browser_client("external_auditor").get(LIST).content.decode()
    assert "The inventory is empty." in auditor and reverse("inventory:system-create") not in auditor


def test_the_export_menu_carries_the_current_filter(browser_client, system):
    html = browser_client("external_auditor").get(LIST, {"criticality": "high", "page": "1"}).content.decode()
    export = reverse("inventory:system-export")
    for fmt in ("csv", "xlsx", "json"):
        assert f"{export}?criticality=high&amp;format={fmt}" in html


def test_the_list_uses_a_number_of_queries_that_does_not_grow_with_the_inventory(
    browser_client, org, members, django_assert_max_num_queries
):
    owners = [m.user for m in members.values()]

    def add(start, stop):
        for i in range(start, stop):
            AISystemFactory(
                organization=org,
                owner=owners[i % len(owners)],
                name=f"System {i:03d}",
                slug=f"system-{i:03d}",
            )

    client = browser_client("ai_manager")
    client.get(LIST)  # the first request after logging in settles the session
    add(0, 5)
    with CaptureQueriesContext(connection) as few:
        assert client.get(LIST).status_code == 200
    add(5, 60)
    with django_assert_max_num_queries(12):
        response = client.get(LIST, {"sort": "-criticality"})
    assert response.content.decode().count('class="fw-semibold"') == 50
    with CaptureQueriesContext(connection) as many:
        client.get(LIST)
    assert len(many) == len(few)


def test_the_list_asks_for_a_login(client):
    response = client.get(LIST)
    assert response.status_code == 302 and reverse("login") in response["Location"]


# --- AI system detail ------------------------------------------------------------------------------


def test_the_detail_shows_every_field_with_its_label_and_help(browser_client, system):
    html = browser_client("external_auditor").get(system.get_absolute_url()).content.decode()
    for name in ("purpose", "eu_ai_act_tier", "org_roles", "deployment_environments", "supplier", "links"):
        field = AISystem._meta.get_field(name)
        assert capfirst(str(field.verbose_name)) in html
        assert str(field.help_text)[:30].replace("'", "&#x27;") in html
    assert "No owner yet" in html


def test_the_detail_offers_edit_and_delete_only_to_roles_that_may(browser_client, system):
    edit = reverse("inventory:system-edit", args=[system.slug])
    delete = reverse("inventory:system-delete", args=[system.slug])
    manager = browser_client("ai_manager").get(system.get_absolute_url()).content.decode()
    assert edit in manager and delete in manager
    operations = browser_client("operational_team").get(system.get_absolute_url()).content.decode()
    assert edit in operations and delete not in operations
    auditor = browser_client("external_auditor").get(system.get_absolute_url()).content.decode()
    assert edit not in auditor and delete not in auditor


def test_the_history_tab_shows_the_creation_with_its_values(browser_client, system):
    response = browser_client("internal_audit").get(reverse("inventory:system-history", args=[system.slug]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "ai_manager@acme.example" in html and "created" in html
    assert "Flag suspicious card payments" in html


@pytest.mark.parametrize("name", ["system-detail", "system-history", "system-edit", "system-delete"])
def test_another_organizations_system_is_not_found(browser_client, system, name):
    assert browser_client("mallory").get(reverse(f"inventory:{name}", args=[system.slug])).status_code == 404


# --- create -------------------------------------------------------------------------------------------


def test_an_ai_manager_adds_a_system_through_the_form(browser_client, members, org):
    owner = members["technical_team"].user
    response = browser_client("ai_manager").post(CREATE, system_form(owner=str(owner.pk)))
    system = AISystem.objects.get(organization=org, name="Credit scoring")
    assert response.status_code == 302 and response["Location"] == system.get_absolute_url()
    assert system.slug == "credit-scoring"
    assert system.owner == owner
    assert system.org_roles == ["provider", "deployer"]
    assert system.deployment_environments == ["production"]
    assert system.tags == ["credit", "retail"]
    assert system.links == ["https://git.example.com/credit"]
    assert system.processes_personal_data is True
    event = AuditEvent.objects.get(object_type="ai_system", object_id=str(system.pk))
    assert (
        event.action == "create" and event.source == "ui" and event.actor_email == "ai_manager@acme.example"
    )


def test_the_create_form_explains_each_field(browser_client, members):
    html = browser_client("technical_team").get(CREATE).content.decode()
    assert 'id="id_name_helptext"' in html and 'aria-describedby="id_name_helptext"' in html
    assert "Leave empty to derive it from the name." in html
    assert '<legend class="form-label fs-6 mb-1">Our roles' in html  # checkbox group with a legend
    assert 'name="tags"' in html and "<textarea" in html


@pytest.mark.parametrize("role", ["external_auditor", "top_management", "risk_team"])
def test_roles_without_the_add_permission_are_refused(browser_client, role):
    client = browser_client(role)
    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, system_form()).status_code == 403
    assert not AISystem.objects.exists()
    assert AuditEvent.objects.filter(action="denied", actor_email=f"{role}@acme.example").exists()


def test_a_service_validation_error_is_shown_next_to_the_field_it_names(browser_client):
    response = browser_client("ai_manager").post(CREATE, system_form(third_party="on", supplier=""))
    html = response.content.decode()
    assert response.status_code == 422
    assert not AISystem.objects.exists()
    assert 'id="id_supplier_error"' in html and "Name the supplier of a third-party system." in html
    assert 'href="#id_supplier">Supplier</a>: Name the supplier' in html
    assert 'aria-invalid="true"' in html and "is-invalid" in html


def test_special_category_data_without_personal_data_is_refused_on_that_field(browser_client):
    response = browser_client("ai_manager").post(
        CREATE, system_form(processes_personal_data=None, special_category_data="on")
    )
    assert response.status_code == 422
    assert "Special category data is personal data" in response.content.decode()
    assert 'id="id_special_category_data_error"' in response.content.decode()


def test_a_bad_link_is_named_by_its_line(browser_client):
    response = browser_client("ai_manager").post(
        CREATE, system_form(links="https://ok.example\njavascript:alert(1)")
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "Line 2 (javascript:alert(1)) is not a web address" in html
    assert not AISystem.objects.exists()


def test_a_missing_name_and_a_taken_slug_are_named(browser_client, system):
    response = browser_client("ai_manager").post(CREATE, system_form(name="", slug=system.slug))
    html = response.content.decode()
    assert response.status_code == 422
    assert 'id="id_name_error"' in html
    # The form's own check (required name) stops before the service; a second try names the slug.
    response = browser_client("ai_manager").post(CREATE, system_form(slug=system.slug))
    assert "Another AI system in this organization already uses this slug." in response.content.decode()
    assert AISystem.objects.count() == 1


def test_the_owner_must_be_a_member_of_the_organization(browser_client, mallory):
    response = browser_client("ai_manager").post(CREATE, system_form(owner=str(mallory.user.pk)))
    assert response.status_code == 422
    assert 'id="id_owner_error"' in response.content.decode()
    assert not AISystem.objects.exists()
    form_html = browser_client("ai_manager").get(CREATE).content.decode()
    assert "mallory@other.example" not in form_html and "technical_team@acme.example" in form_html


# --- edit --------------------------------------------------------------------------------------------


def test_an_edit_saves_and_records_the_before_and_after(browser_client, system):
    url = reverse("inventory:system-edit", args=[system.slug])
    client = browser_client("operational_team")
    form = client.get(url).content.decode()
    assert f'name="version" value="{system.version}"' in form
    response = client.post(
        url,
        system_form(name="Fraud detection", slug=system.slug, criticality="critical", version=system.version),
    )
    assert response.status_code == 302
    system.refresh_from_db()
    assert system.criticality == "critical" and system.version == 2
    event = AuditEvent.objects.filter(object_type="ai_system", action="update").get()
    assert event.changes["criticality"] == ["high", "critical"]


def test_a_stale_edit_is_detected_instead_of_overwriting(browser_client, system, actor):
    url = reverse("inventory:system-edit", args=[system.slug])
    services.update_system(actor("cio_cdo"), system, {"criticality": "low"})  # someone else, meanwhile
    response = browser_client("ai_manager").post(
        url, system_form(name="Fraud detection", slug=system.slug, criticality="critical", version=1)
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "Someone else changed this AI system while you were editing it" in html
    assert "version 2" in html
    assert "Criticality</dt>" in html  # the differing saved value is listed
    system.refresh_from_db()
    assert system.criticality == "low" and system.version == 2
    # The form now carries the current version: a deliberate second save goes through.
    assert 'name="version" value="2"' in html
    again = browser_client("ai_manager").post(
        url, system_form(name="Fraud detection", slug=system.slug, criticality="critical", version=2)
    )
    assert again.status_code == 302
    system.refresh_from_db()
    assert system.criticality == "critical"


def test_the_edit_form_shows_the_lifecycle_stage_but_leaves_it_to_the_gate(browser_client, system):
    url = reverse("inventory:system-edit", args=[system.slug])
    client = browser_client("ai_manager")
    html = client.get(url).content.decode()
    assert 'name="lifecycle_stage"' in html and "disabled" in html.split('name="lifecycle_stage"')[1][:200]
    assert "lifecycle gate" in html
    response = client.post(
        url, system_form(name="Fraud detection", slug=system.slug, lifecycle_stage="retired", version=1)
    )
    assert response.status_code == 302
    system.refresh_from_db()
    assert system.lifecycle_stage == "idea" and system.criticality == "high"


def test_internal_audit_may_read_but_not_edit(browser_client, system):
    url = reverse("inventory:system-edit", args=[system.slug])
    client = browser_client("internal_audit")
    assert client.get(url).status_code == 403
    assert client.post(url, system_form(slug=system.slug, version=1)).status_code == 403
    system.refresh_from_db()
    assert system.version == 1


def test_an_edit_with_an_emptied_slug_is_refused_on_the_slug(browser_client, system):
    url = reverse("inventory:system-edit", args=[system.slug])
    response = browser_client("ai_manager").post(url, system_form(slug="", version=1))
    assert response.status_code == 422 and 'id="id_slug_error"' in response.content.decode()


# --- delete -------------------------------------------------------------------------------------------


def test_delete_asks_first_then_deletes(browser_client, system, org):
    party = InterestedPartyFactory(organization=org, name="Card holders", category="ai_subject")
    party.ai_systems.add(system)
    url = reverse("inventory:system-delete", args=[system.slug])
    client = browser_client("ai_manager")
    confirm = client.get(url)
    html = confirm.content.decode()
    assert confirm.status_code == 200 and "Delete “Fraud detection”?" in html and "Card holders" in html
    assert AISystem.objects.filter(pk=system.pk).exists()
    response = client.post(url, {"version": system.version})
    assert response.status_code == 302 and response["Location"] == LIST
    assert not AISystem.objects.filter(pk=system.pk).exists()
    assert AuditEvent.objects.filter(
        object_type="ai_system", action="delete", object_id=str(system.pk)
    ).exists()


def test_delete_of_a_changed_system_is_refused(browser_client, system, actor):
    services.update_system(actor("ai_manager"), system, {"description": "changed"})
    response = browser_client("ai_manager").post(
        reverse("inventory:system-delete", args=[system.slug]), {"version": 1}
    )
    assert response.status_code == 302
    assert AISystem.objects.filter(pk=system.pk).exists()


@pytest.mark.parametrize("role", ["technical_team", "external_auditor"])
def test_delete_is_refused_to_roles_without_the_delete_permission(browser_client, system, role):
    url = reverse("inventory:system-delete", args=[system.slug])
    assert browser_client(role).get(url).status_code == 403
    assert browser_client(role).post(url, {"version": 1}).status_code == 403
    assert AISystem.objects.filter(pk=system.pk).exists()


# --- dashboard ------------------------------------------------------------------------------------------


def test_the_dashboard_counts_and_lists_the_gaps(browser_client, org, members, django_assert_max_num_queries):
    AISystemFactory(
        organization=org, name="Orphan", slug="orphan", criticality="critical", documentation_status="none"
    )
    AISystemFactory(
        organization=org,
        name="Documented",
        slug="documented",
        owner=members["ai_manager"].user,
        documentation_status="complete",
        criticality="low",
    )
    client = browser_client("top_management")
    with django_assert_max_num_queries(14):
        response = client.get(reverse("inventory:dashboard"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Systems without an owner" in html and ">Orphan</a>" in html
    assert 'class="bar-fill bar-criticality-critical" x="0" y="0" width="100"' in html
    assert f"{LIST}?criticality=critical" in html
    assert "Documented</a>" not in html.split("Systems without documentation")[1]


def test_the_dashboard_of_another_organization_shows_only_its_own_systems(
    browser_client, system, foreign_system
):
    html = browser_client("mallory").get(reverse("inventory:dashboard")).content.decode()
    assert "Fraud detection" not in html and "secret model" in html


# --- interested parties -----------------------------------------------------------------------------------


def test_the_party_register_shows_the_missing_categories(
    browser_client, org, system, django_assert_max_num_queries
):
    for i in range(30):
        party = InterestedPartyFactory(organization=org, name=f"Customer group {i}", category="customer")
        party.ai_systems.add(system)
    client = browser_client("external_auditor")
    client.get(reverse("inventory:party-list"))  # the first request after logging in settles the session
    with django_assert_max_num_queries(9):
        response = client.get(reverse("inventory:party-list"))
    html = response.content.decode()
    assert response.status_code == 200
    panel = html.split('id="missing-title"')[1]
    assert (
        "Regulator" in panel
        and "AI subject" in panel
        and "Customer or user" not in panel.split("</aside>")[0]
    )
    assert "Fraud detection" in html
    assert reverse("inventory:party-create") not in html  # the auditor cannot add


def test_the_party_register_filters_by_category(browser_client, org):
    InterestedPartyFactory(organization=org, name="Applicants", category="ai_subject")
    InterestedPartyFactory(organization=org, name="Data protection authority", category="regulator")
    html = (
        browser_client("risk_team")
        .get(reverse("inventory:party-list"), {"category": "regulator"})
        .content.decode()
    )
    assert "Data protection authority" in html and "Applicants" not in html


def test_a_party_is_added_with_its_linked_systems(browser_client, org, system):
    response = browser_client("risk_team").post(
        reverse("inventory:party-create"),
        {
            "name": "Card holders",
            "category": "ai_subject",
            "needs": "Fair treatment",
            "ai_systems": [system.pk],
        },
    )
    assert response.status_code == 302
    party = InterestedParty.objects.get(organization=org, name="Card holders")
    assert list(party.ai_systems.all()) == [system]
    assert AuditEvent.objects.filter(object_type="interested_party", action="create").exists()


def test_a_party_cannot_be_linked_to_another_organizations_system(browser_client, foreign_system):
    response = browser_client("ai_manager").post(
        reverse("inventory:party-create"),
        {"name": "X", "category": "customer", "ai_systems": [foreign_system.pk]},
    )
    assert response.status_code == 422 and 'id="id_ai_systems_error"' in response.content.decode()
    assert not InterestedParty.objects.exists()


def test_a_party_without_name_or_category_is_refused_naming_both(browser_client):
    response = browser_client("ai_manager").post(
        reverse("inventory:party-create"), {"name": "", "category": ""}
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert 'href="#id_name">Name</a>' in html and 'href="#id_category">Category</a>' in html


def test_the_party_create_link_preselects_a_missing_category(browser_client):
    html = (
        browser_client("ai_manager")
        .get(reverse("inventory:party-create"), {"category": "regulator"})
        .content.decode()
    )
    assert '<option value="regulator" selected>' in html


@pytest.mark.parametrize("role", ["technical_team", "external_auditor"])
def test_roles_without_the_right_cannot_add_or_edit_parties(browser_client, org, role):
    party = InterestedPartyFactory(organization=org)
    client = browser_client(role)
    assert client.get(reverse("inventory:party-create")).status_code == 403
    assert (
        client.post(reverse("inventory:party-create"), {"name": "X", "category": "customer"}).status_code
        == 403
    )
    assert client.get(reverse("inventory:party-edit", args=[party.pk])).status_code == 403
    assert client.post(reverse("inventory:party-delete", args=[party.pk])).status_code == 403
    assert InterestedParty.objects.count() == 1


def test_a_party_is_edited_with_stale_detection(browser_client, org, actor):
    party = InterestedPartyFactory(organization=org, name="Customers", category="customer")
    url = reverse("inventory:party-edit", args=[party.pk])
    client = browser_client("cio_cdo")
    assert "History" in client.get(url).content.decode()
    ok = client.post(url, {"name": "Retail customers", "category": "customer", "version": 1})
    assert ok.status_code == 302
    party.refresh_from_db()
    assert party.name == "Retail customers" and party.version == 2
    stale = client.post(url, {"name": "Old idea", "category": "customer", "version": 1})
    assert stale.status_code == 422 and "Someone else changed this interested party" in stale.content.decode()
    party.refresh_from_db()
    assert party.name == "Retail customers"


def test_a_party_is_deleted_after_confirmation(browser_client, org):
    party = InterestedPartyFactory(organization=org, name="Suppliers")
    url = reverse("inventory:party-delete", args=[party.pk])
    client = browser_client("org_admin")
    assert "Delete “Suppliers”?" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert not InterestedParty.objects.exists()


@pytest.mark.parametrize("name", ["party-edit", "party-delete"])
def test_another_organizations_party_is_not_found(browser_client, org, name):
    party = InterestedPartyFactory(organization=org)
    assert browser_client("mallory").get(reverse(f"inventory:{name}", args=[party.pk])).status_code == 404
    assert browser_client("mallory").post(reverse(f"inventory:{name}", args=[party.pk])).status_code == 404
    assert InterestedParty.objects.filter(pk=party.pk).exists()


# --- internal and external issues ---------------------------------------------------------------------------


def test_issues_are_listed_by_kind(browser_client, org, other_org):
    ContextIssueFactory(organization=org, kind="external", title="EU AI Act obligations")
    ContextIssueFactory(organization=org, kind="internal", title="Few ML testers")
    ContextIssueFactory(organization=other_org, kind="internal", title="Other org secret")
    client = browser_client("external_auditor")
    html = client.get(reverse("inventory:issue-list")).content.decode()
    assert "External issues" in html and "Internal issues" in html
    assert "EU AI Act obligations" in html and "Other org secret" not in html
    internal = client.get(reverse("inventory:issue-list"), {"kind": "internal"}).content.decode()
    assert "Few ML testers" in internal and "EU AI Act obligations" not in internal


def test_an_issue_is_added_edited_and_deleted(browser_client, org):
    client = browser_client("top_management")
    created = client.post(
        reverse("inventory:issue-create"),
        {"kind": "external", "title": "New AI law", "impact": "More documentation"},
    )
    assert created.status_code == 302
    issue = ContextIssue.objects.get(organization=org)
    edited = client.post(
        reverse("inventory:issue-edit", args=[issue.pk]),
        {"kind": "external", "title": "EU AI Act", "version": 1},
    )
    assert edited.status_code == 302
    issue.refresh_from_db()
    assert issue.title == "EU AI Act"
    # top management may add and change issues, not delete them
    assert client.post(reverse("inventory:issue-delete", args=[issue.pk])).status_code == 403
    manager = browser_client("ai_manager")
    assert (
        "Delete “EU AI Act”?"
        in manager.get(reverse("inventory:issue-delete", args=[issue.pk])).content.decode()
    )
    assert manager.post(reverse("inventory:issue-delete", args=[issue.pk])).status_code == 302
    assert not ContextIssue.objects.exists()
    actions = list(AuditEvent.objects.filter(object_type="context_issue").values_list("action", flat=True))
    assert sorted(actions) == ["create", "delete", "update"]


def test_an_issue_needs_a_kind_and_a_title(browser_client):
    response = browser_client("risk_team").post(reverse("inventory:issue-create"), {"kind": "", "title": ""})
    html = response.content.decode()
    assert response.status_code == 422
    assert 'href="#id_kind_0">Internal or external</a>' in html and 'href="#id_title">Title</a>' in html
    assert not ContextIssue.objects.exists()


def test_technical_team_cannot_add_issues(browser_client):
    client = browser_client("technical_team")
    assert client.get(reverse("inventory:issue-create")).status_code == 403
    assert (
        client.post(reverse("inventory:issue-create"), {"kind": "internal", "title": "x"}).status_code == 403
    )


@pytest.mark.parametrize("name", ["issue-edit", "issue-delete"])
def test_another_organizations_issue_is_not_found(browser_client, org, name):
    issue = ContextIssueFactory(organization=org)
    assert browser_client("mallory").get(reverse(f"inventory:{name}", args=[issue.pk])).status_code == 404


# --- scope ----------------------------------------------------------------------------------------------------

SCOPE = reverse("inventory:scope")


def scope_form(system=None, **overrides):
    data = {
        "statement": "The AIMS covers all AI systems of Acme Bank.",
        "included_systems": [system.pk] if system else [],
        "included_units": "Retail lending",
        "exclusions": "Old chatbot | retired in 2023",
        "boundaries": "Cloud hosting is provided by a supplier.",
        "objectives": "Responsible AI.",
    }
    data.update(overrides)
    return data


def test_an_empty_scope_page_offers_to_write_or_generate_it(browser_client, members):
    html = browser_client("ai_manager").get(SCOPE).content.decode()
    assert "The scope has not been written yet." in html
    assert reverse("inventory:scope-generate") in html and reverse("inventory:scope-edit") in html
    reader = browser_client("technical_team").get(SCOPE).content.decode()
    assert reverse("inventory:scope-generate") not in reader


def test_the_generated_draft_prefills_the_form_without_saving(browser_client, org, system):
    AISystemFactory(organization=org, name="Legacy bot", slug="legacy", lifecycle_stage="retired")
    response = browser_client("ai_manager").get(reverse("inventory:scope-generate"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "This draft was written from the AI system inventory" in html
    assert "The AI management system of Acme Bank covers" in html
    assert f'value="{system.pk}"' in html and "checked" in html
    assert "Legacy bot | Retired" in html
    assert not ScopeStatement.objects.exists()


def test_saving_the_scope_creates_version_one_then_edits_the_draft(browser_client, org, system):
    client = browser_client("ai_manager")
    assert client.post(reverse("inventory:scope-edit"), scope_form(system)).status_code == 302
    scope = ScopeStatement.objects.get(organization=org)
    assert scope.number == 1 and scope.status == "draft"
    assert scope.exclusions == [{"item": "Old chatbot", "reason": "retired in 2023"}]
    assert list(scope.included_systems.all()) == [system]
    form = client.get(reverse("inventory:scope-edit")).content.decode()
    assert "Old chatbot | retired in 2023" in form and 'name="version" value="1"' in form
    assert (
        client.post(
            reverse("inventory:scope-edit"), scope_form(system, objectives="Better", version=1)
        ).status_code
        == 302
    )
    assert ScopeStatement.objects.count() == 1
    scope.refresh_from_db()
    assert scope.objectives == "Better" and scope.version == 2


def test_an_exclusion_without_a_reason_is_named_by_its_line(browser_client):
    response = browser_client("ai_manager").post(
        reverse("inventory:scope-edit"), scope_form(exclusions="Chatbot | retired\nMarketing tool")
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "Line 2: write what is excluded, then" in html and 'id="id_exclusions_error"' in html
    assert not ScopeStatement.objects.exists()


def test_approval_freezes_the_version_and_a_later_edit_starts_a_new_draft(browser_client, org, system):
    browser_client("ai_manager").post(reverse("inventory:scope-edit"), scope_form(system))
    approve = reverse("inventory:scope-approve", args=[1])
    boss = browser_client("top_management")
    page = boss.get(SCOPE).content.decode()
    assert approve in page
    confirm = boss.get(approve).content.decode()
    assert "Approve version 1 of the AIMS scope?" in confirm and "frozen" in confirm
    assert boss.post(approve).status_code == 302
    scope = ScopeStatement.objects.get(number=1)
    assert scope.status == "approved" and scope.approved_by.email == "top_management@acme.example"
    assert AuditEvent.objects.filter(object_type="scope", action="approve").exists()
    html = boss.get(SCOPE).content.decode()
    assert f"Approved by {scope.approved_by.display_name}" in html

    manager = browser_client("ai_manager")
    assert "Start a new draft" in manager.get(SCOPE).content.decode()
    response = manager.post(
        reverse("inventory:scope-edit"),
        scope_form(system, objectives="Next year", version=scope.version),
        follow=True,
    )
    assert (
        "Version 1 is approved and stays as it was; your changes start draft version 2."
        in response.content.decode()
    )
    scope.refresh_from_db()
    assert scope.status == "approved" and scope.objectives == "Responsible AI."
    draft = ScopeStatement.objects.get(number=2)
    assert draft.status == "draft" and draft.objectives == "Next year"
    assert "Version 1 is the approved scope in force" in response.content.decode()


def test_approving_twice_is_refused_with_a_message(browser_client, system):
    browser_client("ai_manager").post(reverse("inventory:scope-edit"), scope_form(system))
    client = browser_client("ai_manager")
    client.post(reverse("inventory:scope-approve", args=[1]))
    again = client.post(reverse("inventory:scope-approve", args=[1]), follow=True)
    assert "Only a draft can be approved" in again.content.decode()


def test_a_stale_scope_edit_is_detected(browser_client, system, actor):
    browser_client("ai_manager").post(reverse("inventory:scope-edit"), scope_form(system))
    services.save_scope(actor("org_admin"), {"objectives": "Changed meanwhile"}, expected_version=1)
    response = browser_client("ai_manager").post(
        reverse("inventory:scope-edit"), scope_form(system, version=1)
    )
    assert response.status_code == 422 and "Someone else changed this scope" in response.content.decode()
    assert ScopeStatement.objects.get().objectives == "Changed meanwhile"


@pytest.mark.parametrize("role", ["risk_team", "external_auditor"])
def test_roles_that_may_not_edit_or_approve_the_scope_are_refused(browser_client, system, role):
    browser_client("ai_manager").post(reverse("inventory:scope-edit"), scope_form(system))
    client = browser_client(role)
    assert client.get(SCOPE).status_code == 200
    assert client.get(reverse("inventory:scope-edit")).status_code == 403
    assert client.get(reverse("inventory:scope-generate")).status_code == 403
    assert (
        client.post(
            reverse("inventory:scope-edit"), scope_form(system, objectives="x", version=1)
        ).status_code
        == 403
    )
    assert client.post(reverse("inventory:scope-approve", args=[1])).status_code == 403
    assert ScopeStatement.objects.get().status == "draft"


def test_the_org_admin_edits_but_may_not_approve(browser_client, system):
    admin = browser_client("org_admin")
    assert admin.post(reverse("inventory:scope-edit"), scope_form(system)).status_code == 302
    assert reverse("inventory:scope-approve", args=[1]) not in admin.get(SCOPE).content.decode()
    assert admin.post(reverse("inventory:scope-approve", args=[1])).status_code == 403


def test_each_scope_version_has_its_page_with_history(browser_client, system):
    browser_client("ai_manager").post(reverse("inventory:scope-edit"), scope_form(system))
    response = browser_client("internal_audit").get(reverse("inventory:scope-version", args=[1]))
    html = response.content.decode()
    assert response.status_code == 200 and "AIMS scope, version 1" in html and "Old chatbot" in html
    assert "History of this version" in html and "ai_manager@acme.example" in html


@pytest.mark.parametrize("name", ["scope-version", "scope-approve"])
def test_another_organizations_scope_version_is_not_found(browser_client, system, name):
    browser_client("ai_manager").post(reverse("inventory:scope-edit"), scope_form(system))
    assert browser_client("mallory").get(reverse(f"inventory:{name}", args=[1])).status_code == 404
    assert browser_client("mallory").post(reverse(f"inventory:{name}", args=[1])).status_code == 404
    assert ScopeStatement.objects.get().status == "draft"


def test_the_scope_form_offers_only_the_organizations_systems(browser_client, system, foreign_system):
    html = browser_client("ai_manager").get(reverse("inventory:scope-edit")).content.decode()
    assert "Fraud detection" in html and "secret model" not in html


# --- every page answers for every role that may read --------------------------------------------------------


@pytest.mark.parametrize("name", ["system-list", "dashboard", "party-list", "issue-list", "scope"])
@pytest.mark.parametrize("role", ["external_auditor", "operational_team", "org_admin"])
def test_every_register_page_opens_for_every_reader(browser_client, system, name, role):
    response = browser_client(role).get(reverse(f"inventory:{name}"))
    assert response.status_code == 200
    assert "Content-Security-Policy" in response
    assert b"style=" not in response.content and b"<script>" not in response.content


# --- export and import ------------------------------------------------------------------------------------------

EXPORT = reverse("inventory:system-export")
IMPORT = reverse("inventory:system-import")


def test_the_export_downloads_the_filtered_systems_as_csv(browser_client, org, system, foreign_system):
    AISystemFactory(organization=org, name="Chatbot", slug="chatbot", criticality="low")
    response = browser_client("external_auditor").get(EXPORT, {"format": "csv", "criticality": "high"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="ai-systems-acme-')
    text = response.content.decode("utf-8-sig")
    assert "Fraud detection" in text and "Chatbot" not in text and "secret" not in text
    assert AuditEvent.objects.filter(action="export", actor_email="external_auditor@acme.example").exists()


@pytest.mark.parametrize("fmt, magic", [("json", b"["), ("xlsx", b"PK")])
def test_the_export_offers_json_and_xlsx(browser_client, system, fmt, magic):
    response = browser_client("risk_team").get(EXPORT, {"format": fmt})
    assert response.status_code == 200
    assert response.content.lstrip()[:2].startswith(magic)
    assert response["Content-Disposition"].endswith(f'.{fmt}"')


def test_an_unknown_export_format_is_named(browser_client, system):
    response = browser_client("ai_manager").get(EXPORT, {"format": "pdf"}, follow=True)
    assert "Unknown export format “pdf”: choose CSV, XLSX or JSON." in response.content.decode()


def test_the_other_organizations_export_holds_only_its_own_systems(browser_client, system, foreign_system):
    text = browser_client("mallory").get(EXPORT, {"format": "csv"}).content.decode("utf-8-sig")
    assert "secret" in text and "Fraud detection" not in text


def _upload(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content.encode("utf-8"), content_type="text/csv")


def test_an_import_adds_and_updates_systems(browser_client, org, system):
    csv_text = (
        "name,slug,criticality,eu_ai_act_tier\n"
        "Loan triage,loan-triage,high,high\n"
        f"Fraud detection,{system.slug},critical,\n"
    )
    page = browser_client("ai_manager").get(IMPORT).content.decode()
    assert "<code>eu_ai_act_tier</code>" in page  # the column reference
    response = browser_client("ai_manager").post(
        IMPORT, {"file": _upload("inventory.csv", csv_text)}, follow=True
    )
    assert "Import done: 1 AI systems added, 1 updated, 0 unchanged." in response.content.decode()
    assert AISystem.objects.get(organization=org, slug="loan-triage").eu_ai_act_tier == "high"
    system.refresh_from_db()
    assert system.criticality == "critical"


def test_a_bad_import_writes_nothing_and_lists_each_problem_by_row_and_column(browser_client, org, system):
    csv_text = "name,criticality\nGood one,low\nBad one,extreme\n,high\n"
    response = browser_client("ai_manager").post(IMPORT, {"file": _upload("inventory.csv", csv_text)})
    html = response.content.decode()
    assert response.status_code == 422
    assert "Nothing was imported: the file has" in html
    assert "<td>3</td><td>criticality</td>" in html
    assert "<td>4</td><td>name</td>" in html
    assert AISystem.objects.filter(organization=org).count() == 1


def test_a_dry_run_reports_without_writing(browser_client, org):
    response = browser_client("ai_manager").post(
        IMPORT, {"file": _upload("inventory.csv", "name\nLoan triage\n"), "dry_run": "on"}
    )
    assert response.status_code == 200
    assert "Importing it would add 1 AI systems" in response.content.decode()
    assert not AISystem.objects.exists()


def test_an_import_without_a_file_names_the_file_field(browser_client):
    response = browser_client("ai_manager").post(IMPORT, {})
    assert response.status_code == 422 and 'id="id_file_error"' in response.content.decode()


@pytest.mark.parametrize("role", ["external_auditor", "risk_team"])
def test_roles_that_may_not_add_systems_cannot_import(browser_client, role):
    client = browser_client(role)
    assert client.get(IMPORT).status_code == 403
    assert client.post(IMPORT, {"file": _upload("x.csv", "name\nX\n")}).status_code == 403
    assert not AISystem.objects.exists()
