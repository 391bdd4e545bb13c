"""The pages that close issue 4: an organization adds its own frameworks and requirements, and marks
the EU AI Act obligations of its AI systems done. Each page: an allowed role, a refused role (403)
and another organization (404); a stale form is refused (422) with what changed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from aims.compliance import services
from aims.compliance.models import Framework, Obligation, Requirement
from aims.core.models import AuditEvent

pytestmark = pytest.mark.django_db


# --- own frameworks ---------------------------------------------------------------------------------


@pytest.fixture
def own_framework(actor):
    manager = actor("ai_manager")
    fw = services.create_framework(manager, {"slug": "model-risk-policy", "name": "Model risk policy"})
    services.add_requirement(manager, fw, {"ref_id": "MRP 1", "title": "Inventory of models"})
    return fw


@pytest.fixture
def foreign_framework(outsider):
    return services.create_framework(outsider, {"slug": "their-policy", "name": "Their policy"})


def test_a_manager_adds_a_framework_through_the_form(browser_client):
    client = browser_client("ai_manager")
    assert b"Add a framework" in client.get(reverse("compliance:framework-list")).content
    assert client.get(reverse("compliance:framework-create")).status_code == 200
    r = client.post(
        reverse("compliance:framework-create"),
        {
            "name": "EBA loan origination",
            "slug": "eba-loan-origination",
            "version": "2020",
            "kind": "guideline",
        },
    )
    assert r.status_code == 302
    fw = Framework.objects.get(slug="eba-loan-origination")
    assert fw.organization is not None and fw.kind == "guideline"
    assert r["Location"] == fw.get_absolute_url()
    assert AuditEvent.objects.filter(object_type="framework", action="create", object_repr=fw.name).exists()


def test_the_framework_form_names_the_field_in_error(browser_client, own_framework):
    client = browser_client("ai_manager")
    taken = client.post(
        reverse("compliance:framework-create"),
        {"name": "Again", "slug": own_framework.slug, "version": "1", "kind": "custom"},
    )
    assert taken.status_code == 422
    assert taken.context["form"].errors["slug"] == ["A framework with this slug already exists."]
    assert b'id="id_slug_error"' in taken.content
    # A shipped catalog's slug is taken too.
    builtin = client.post(
        reverse("compliance:framework-create"),
        {"name": "Mine", "slug": "iso-iec-42001-2023", "version": "1", "kind": "custom"},
    )
    assert builtin.status_code == 422 and "slug" in builtin.context["form"].errors
    empty = client.post(reverse("compliance:framework-create"), {"slug": "x y", "kind": "custom"})
    assert empty.status_code == 422
    assert {"name", "slug", "version"} <= set(empty.context["form"].errors)
    bad_url = client.post(
        reverse("compliance:framework-create"),
        {"name": "N", "slug": "n-policy", "version": "1", "kind": "custom", "url": "not a link"},
    )
    assert bad_url.status_code == 422 and "url" in bad_url.context["form"].errors


def test_it_refuses_the_framework_form_to_the_risk_team(browser_client):
    client = browser_client("risk_team")
    assert b"Add a framework" not in client.get(reverse("compliance:framework-list")).content
    assert client.get(reverse("compliance:framework-create")).status_code == 403
    r = client.post(
        reverse("compliance:framework-create"),
        {"name": "X", "slug": "x-policy", "version": "1", "kind": "custom"},
    )
    assert r.status_code == 403
    assert not Framework.objects.filter(slug="x-policy").exists()


def test_a_manager_adds_requirements_to_an_own_framework(browser_client, own_framework):
    client = browser_client("ai_manager")
    page = client.get(own_framework.get_absolute_url())
    assert b"Add a requirement" in page.content and b"MRP 1" in page.content
    url = reverse("compliance:requirement-create", args=[own_framework.slug])
    assert client.get(url).status_code == 200
    r = client.post(
        url,
        {"ref_id": "MRP 1.1", "title": "Each model has an owner", "parent": "MRP 1", "assessable": "on"},
    )
    assert r.status_code == 302
    child = Requirement.objects.get(framework=own_framework, ref_id="MRP 1.1")
    assert child.parent.ref_id == "MRP 1" and child.depth == 1 and child.assessable
    again = client.post(url, {"ref_id": "MRP 2", "title": "Validation", "another": "1"})
    assert again.status_code == 302 and again["Location"] == url
    assert not Requirement.objects.get(framework=own_framework, ref_id="MRP 2").assessable
    # The new requirement can be satisfied by a control and shows in the framework's page.
    assert b"Each model has an owner" in client.get(own_framework.get_absolute_url()).content


def test_the_requirement_form_names_the_field_in_error(browser_client, own_framework):
    client = browser_client("ai_manager")
    url = reverse("compliance:requirement-create", args=[own_framework.slug])
    dup = client.post(url, {"ref_id": "MRP 1", "title": "Again"})
    assert dup.status_code == 422
    assert dup.context["form"].errors["ref_id"] == ["This number is already used in the framework."]
    assert b'id="id_ref_id_error"' in dup.content
    empty = client.post(url, {"ref_id": "", "title": ""})
    assert empty.status_code == 422 and {"ref_id", "title"} <= set(empty.context["form"].errors)
    bad_parent = client.post(url, {"ref_id": "MRP 3", "title": "T", "parent": "nope"})
    assert bad_parent.status_code == 422 and "parent" in bad_parent.context["form"].errors


def test_shipped_catalogs_stay_read_only_in_the_pages(browser_client):
    client = browser_client("ai_manager")
    page = client.get(reverse("compliance:framework-detail", args=["iso-iec-42001-2023"]))
    assert b"Add a requirement" not in page.content
    url = reverse("compliance:requirement-create", args=["iso-iec-42001-2023"])
    assert client.get(url).status_code == 403
    assert client.post(url, {"ref_id": "A.99", "title": "Mine"}).status_code == 403
    assert client.get(reverse("compliance:framework-delete", args=["iso-iec-42001-2023"])).status_code == 403


def test_it_refuses_adding_requirements_to_the_risk_team(browser_client, own_framework):
    url = reverse("compliance:requirement-create", args=[own_framework.slug])
    client = browser_client("risk_team")
    assert client.get(url).status_code == 403
    assert client.post(url, {"ref_id": "MRP 9", "title": "X"}).status_code == 403
    assert b"Add a requirement" not in client.get(own_framework.get_absolute_url()).content


def test_another_organizations_framework_is_404(browser_client, foreign_framework):
    client = browser_client("ai_manager")
    slug = foreign_framework.slug
    assert client.get(reverse("compliance:framework-detail", args=[slug])).status_code == 404
    assert client.get(reverse("compliance:requirement-create", args=[slug])).status_code == 404
    assert (
        client.post(
            reverse("compliance:requirement-create", args=[slug]), {"ref_id": "1", "title": "x"}
        ).status_code
        == 404
    )
    assert client.post(reverse("compliance:framework-delete", args=[slug])).status_code == 404
    assert Framework.objects.filter(pk=foreign_framework.pk).exists()


def test_a_manager_deletes_an_own_framework(browser_client, own_framework):
    client = browser_client("ai_manager")
    url = reverse("compliance:framework-delete", args=[own_framework.slug])
    assert browser_client("risk_team").post(url).status_code == 403
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 302
    assert not Framework.objects.filter(pk=own_framework.pk).exists()


# --- AI Act obligations -----------------------------------------------------------------------------


@pytest.fixture
def obligation(actor, system):
    services.classify_system(
        actor("ai_manager"),
        system,
        {"is_ai_system": True, "roles": ["provider", "deployer"], "annex_iii": ["(5)(b)"], "profiling": True},
    )
    return Obligation.objects.filter(ai_system=system, requirement__ref_id="Art. 26").first()


def _edit_url(ob):
    return reverse("compliance:obligation-edit", args=[ob.ai_system.slug, ob.pk])


def test_the_classification_page_links_each_obligation_to_its_form(browser_client, obligation):
    page = browser_client("risk_team").get(
        reverse("compliance:classification", args=[obligation.ai_system.slug])
    )
    assert _edit_url(obligation).encode() in page.content
    read_only = browser_client("technical_team").get(
        reverse("compliance:classification", args=[obligation.ai_system.slug])
    )
    assert _edit_url(obligation).encode() not in read_only.content


def test_a_manager_marks_an_obligation_done_with_a_note(browser_client, obligation):
    client = browser_client("ai_manager")
    url = _edit_url(obligation)
    assert client.get(url).status_code == 200
    r = client.post(
        url, {"status": "done", "note": "Deployer procedure DP-4 in force.", "version": obligation.version}
    )
    assert r.status_code == 302
    assert r["Location"] == reverse("compliance:classification", args=[obligation.ai_system.slug])
    obligation.refresh_from_db()
    assert obligation.status == "done" and obligation.note == "Deployer procedure DP-4 in force."
    event = AuditEvent.objects.filter(object_type="classification", object_id=str(obligation.pk)).latest("id")
    assert event.action == "update" and event.changes["status"] == ["open", "done"]
    # The form shows the entry in its history, not the classification's entries with the same id.
    assert b"Deployer procedure DP-4 in force." in client.get(url).content
    listed = client.get(reverse("compliance:classification", args=[obligation.ai_system.slug]))
    assert b"Deployer procedure DP-4" in listed.content


def test_a_stale_obligation_form_is_refused_with_what_changed(browser_client, actor, obligation):
    client = browser_client("ai_manager")
    url = _edit_url(obligation)
    seen = obligation.version
    services.update_obligation(actor("risk_team"), obligation, {"status": "not_applicable", "note": "Sold."})
    r = client.post(url, {"status": "done", "note": "Mine", "version": seen})
    assert r.status_code == 422
    assert b"Someone else changed this obligation" in r.content
    assert ("Status", "No longer applicable") in r.context["stale"]
    obligation.refresh_from_db()
    assert obligation.status == "not_applicable"
    # The refused form carries the new version: saving again, deliberately, goes through.
    assert r.context["form"].data["version"] == str(obligation.version)
    again = client.post(url, {"status": "done", "note": "Mine", "version": obligation.version})
    assert again.status_code == 302
    obligation.refresh_from_db()
    assert obligation.status == "done"


def test_a_bad_obligation_status_is_shown_next_to_the_field(browser_client, obligation):
    r = browser_client("ai_manager").post(
        _edit_url(obligation), {"status": "finished", "version": obligation.version}
    )
    assert r.status_code == 422 and "status" in r.context["form"].errors
    assert b'id="id_status_error"' in r.content


def test_it_refuses_the_obligation_form_to_the_technical_team(browser_client, obligation):
    client = browser_client("technical_team")
    assert client.get(_edit_url(obligation)).status_code == 403
    assert (
        client.post(_edit_url(obligation), {"status": "done", "version": obligation.version}).status_code
        == 403
    )
    obligation.refresh_from_db()
    assert obligation.status == "open"


def test_another_organizations_obligation_is_404(browser_client, obligation):
    client = browser_client("mallory")
    assert client.get(_edit_url(obligation)).status_code == 404
    assert (
        client.post(_edit_url(obligation), {"status": "done", "version": obligation.version}).status_code
        == 404
    )
    obligation.refresh_from_db()
    assert obligation.status == "open"


def test_an_obligation_under_another_system_is_404(browser_client, obligation, org):
    from tests.factories import AISystemFactory

    other = AISystemFactory(organization=org, name="Other", slug="other-system")
    url = reverse("compliance:obligation-edit", args=[other.slug, obligation.pk])
    assert browser_client("ai_manager").get(url).status_code == 404


def test_the_framework_page_shows_how_iso_27701_relates_to_the_others(browser_client):
    client = browser_client("external_auditor")
    page = client.get(reverse("compliance:framework-detail", args=["iso-iec-27701-2025"]))
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="relations"' in text
    assert "Replaces" in text and reverse("compliance:framework-detail", args=["iso-iec-27701-2019"]) in text
    assert (
        "Integrates with" in text
        and reverse("compliance:framework-detail", args=["iso-iec-42001-2023"]) in text
    )
    old = client.get(reverse("compliance:framework-detail", args=["iso-iec-27701-2019"])).content.decode()
    assert "Extends" in old and "Replaced by" in old
