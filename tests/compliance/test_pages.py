"""Every compliance page: an allowed role, a refused role (403) and the other organization (404)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from aims.compliance import services
from aims.compliance.models import SoA

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(actor, control):
    return services.start_soa(actor("ai_manager"))


READ_PAGES = [
    ("compliance:status", {}),
    ("compliance:framework-list", {}),
    ("compliance:framework-detail", {"slug": "iso-iec-42001-2023"}),
    ("compliance:framework-detail", {"slug": "eu-ai-act-2024-1689"}),
    ("compliance:control-list", {}),
    ("compliance:soa", {}),
    ("compliance:classification-list", {}),
    ("compliance:gap-list", {}),
    ("compliance:readiness", {}),
    ("compliance:regulation-list", {}),
]


@pytest.mark.parametrize(("name", "kwargs"), READ_PAGES)
def test_every_member_reads_the_pages(browser_client, draft, system, name, kwargs):
    r = browser_client("external_auditor").get(reverse(name, kwargs=kwargs))
    assert r.status_code == 200, r.content[:500]


def test_the_control_pages_show_the_control(browser_client, control):
    client = browser_client("ai_manager")
    assert control.ref.encode() in client.get(reverse("compliance:control-list")).content
    r = client.get(reverse("compliance:control-detail", args=[control.pk]))
    assert r.status_code == 200 and b"A.6.2.4" in r.content
    assert client.get(reverse("compliance:control-edit", args=[control.pk])).status_code == 200


def test_another_organizations_control_is_404(browser_client, foreign_control):
    client = browser_client("ai_manager")
    assert client.get(reverse("compliance:control-detail", args=[foreign_control.pk])).status_code == 404
    assert client.get(reverse("compliance:control-edit", args=[foreign_control.pk])).status_code == 404


def test_it_refuses_the_control_form_to_internal_audit(browser_client):
    assert browser_client("internal_audit").get(reverse("compliance:control-create")).status_code == 403


def test_a_manager_creates_a_control_and_a_bad_link_is_shown_next_to_the_field(browser_client, members):
    client = browser_client("ai_manager")
    iso = services.builtin(services.ISO_42001)
    req = iso.requirements.get(ref_id="A.7.4")
    ok = client.post(
        reverse("compliance:control-create"),
        {
            "name": "Data checks",
            "status": "planned",
            "requirements": [req.pk],
            "effectiveness": "not_reviewed",
            "evidence_links": "",
        },
    )
    assert ok.status_code == 302
    bad = client.post(
        reverse("compliance:control-create"),
        {"name": "X", "status": "planned", "effectiveness": "not_reviewed", "evidence_links": "not a url"},
    )
    assert bad.status_code == 422


def test_library_adds_typical_controls_once(browser_client):
    client = browser_client("ai_manager")
    client.post(reverse("compliance:control-library"), {"keys": ["ai-policy", "validation-gate"]})
    client.post(reverse("compliance:control-library"), {"keys": ["ai-policy"]})
    r = client.get(reverse("compliance:control-list"))
    assert r.content.count(b"AI policy approved and published") == 2  # the table row and the library list


def test_soa_pages_edit_and_approve(browser_client, draft, members):
    manager = browser_client("ai_manager")
    entry = draft.entries.get(requirement__ref_id="A.2.2")
    url = reverse("compliance:soa-entry-edit", args=[draft.number, entry.pk])
    assert manager.get(url).status_code == 200
    r = manager.post(
        url,
        {
            "applicable": "true",
            "justification": "",
            "implementation_status": "implemented",
            "version": entry.version,
        },
    )
    assert r.status_code == 422 and b"justification" in r.content.lower()
    r = manager.post(
        url,
        {
            "applicable": "true",
            "justification": "Policy needed",
            "implementation_status": "implemented",
            "version": entry.version,
        },
    )
    assert r.status_code == 302
    assert browser_client("technical_team").get(url).status_code == 403
    # approval is refused to the AI manager, and refused to top management while controls are undecided
    assert manager.post(reverse("compliance:soa-approve", args=[draft.number])).status_code == 403
    r = browser_client("top_management").post(reverse("compliance:soa-approve", args=[draft.number]))
    assert r.status_code == 302
    draft.refresh_from_db()
    assert draft.status == SoA.Status.DRAFT


def test_soa_version_of_another_organization_is_404(browser_client, draft):
    assert (
        browser_client("mallory").get(reverse("compliance:soa-version", args=[draft.number])).status_code
        == 404
    )


def test_soa_exports_download(browser_client, draft):
    client = browser_client("external_auditor")
    for fmt in ("xlsx", "pdf", "oscal"):
        r = client.get(reverse("compliance:soa-export", args=[draft.number, fmt]))
        assert r.status_code == 200, fmt
        assert "attachment" in r["Content-Disposition"]


def test_the_classification_page_classifies_a_system(browser_client, system):
    url = reverse("compliance:classification", args=[system.slug])
    client = browser_client("ai_manager")
    assert client.get(url).status_code == 200
    r = client.post(
        url,
        {"is_ai_system": "on", "roles": ["provider", "deployer"], "annex_iii": ["(5)(b)"], "profiling": "on"},
    )
    assert r.status_code == 302
    system.refresh_from_db()
    assert system.eu_ai_act_tier == "high"
    assert b"Art. 26" in client.get(url).content


def test_the_classification_page_refuses_a_role_that_may_not_classify(browser_client, system):
    url = reverse("compliance:classification", args=[system.slug])
    assert browser_client("technical_team").post(url, {"roles": ["deployer"]}).status_code == 403


def test_the_classification_page_of_another_organization_is_404(browser_client, foreign_system):
    url = reverse("compliance:classification", args=[foreign_system.slug])
    assert browser_client("ai_manager").get(url).status_code == 404


def test_gap_pages(browser_client):
    client = browser_client("internal_audit")
    r = client.post(
        reverse("compliance:gap-list"), {"title": "Initial", "assessed_on": "2026-01-15", "target_level": 3}
    )
    assert r.status_code == 302
    detail = r["Location"]
    page = client.get(detail)
    assert page.status_code == 200 and b"6.1.3" in page.content
    assert browser_client("mallory").get(detail).status_code == 404
    assert (
        browser_client("technical_team")
        .post(reverse("compliance:gap-list"), {"title": "x", "target_level": 3})
        .status_code
        == 403
    )
    assert client.get(detail.rstrip("/") + "/export/").status_code == 200


def test_readiness_pdf_downloads(browser_client):
    import io

    from pypdf import PdfReader

    r = browser_client("external_auditor").get(reverse("compliance:readiness-pdf"))
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages).split())
    assert "readiness" in text.lower() and "6.1.3" in text


def test_regulation_register(browser_client, members):
    client = browser_client("risk_team")
    r = client.post(
        reverse("compliance:regulation-list"), {"title": "EBA loan origination guidelines", "kind": "sector"}
    )
    assert r.status_code == 302
    assert (
        browser_client("technical_team")
        .post(reverse("compliance:regulation-list"), {"title": "x", "kind": "law"})
        .status_code
        == 403
    )
