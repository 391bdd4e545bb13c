"""The printed documents through the API and the pages: the risk register (with its heat maps), the
heat maps alone, the treatment plan and the impact assessment, opened and read back with pypdf.
Everyone in the organization may export (the matrix's view / export column); a request without a
token is refused, and another organization prints only its own records or gets 404."""

import io

import pytest
from pypdf import PdfReader

from aims.core.models import AuditEvent
from aims.risk import services

URL = "/api/v1/risks"


def pdf_text(response) -> str:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    assert response.content[:5] == b"%PDF-"
    assert "attachment; filename=" in response["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


@pytest.fixture
def treated(risk, actor, members):
    services.update_risk(
        actor("risk_team"),
        risk,
        {
            "treatment": "mitigate",
            "residual_likelihood": 2,
            "residual_impact": 2,
            "treatment_plan": "Reweigh",
        },
    )
    services.create_treatment(
        actor("risk_team"),
        {
            "risk_id": risk.pk,
            "title": "Reweigh the training data",
            "owner_id": members["technical_team"].user.pk,
        },
    )
    risk.refresh_from_db()
    return risk


@pytest.fixture
def assessment(actor, system, method):
    return services.create_assessment(
        actor("risk_team"),
        {
            "ai_system": system.pk,
            "title": "Credit scoring FRIA",
            "intended_purpose": "Score consumer loan applications",
            "items": [
                {
                    "area": "fairness",
                    "description": "Older applicants refused more",
                    "severity": 4,
                    "likelihood": 4,
                }
            ],
        },
    )


def test_the_register_prints_as_pdf_with_its_heat_maps_through_the_api(api, treated):
    text = pdf_text(api("external_auditor").get(f"{URL}/export", {"format": "pdf"}))
    assert "AI risk register" in text and "Acme Bank" in text
    assert "R-0001" in text and "Biased scores for young applicants" in text
    assert "Inherent risk (before treatment)" in text and "Residual risk (after treatment)" in text
    assert "1 risk" in text
    event = AuditEvent.objects.filter(action="export", object_type="risk").latest("pk")
    assert event.object_repr.endswith(".pdf") and event.source == "api"


def test_the_register_pdf_follows_the_lists_filters(api, treated, actor):
    services.create_risk(actor("risk_team"), {"title": "Chatbot leaks personal data", "category": "privacy"})
    text = pdf_text(api("ai_manager").get(f"{URL}/export", {"format": "pdf", "category": "privacy"}))
    assert "Chatbot leaks personal data" in text and "Biased scores" not in text


def test_the_heat_maps_print_alone(api, treated):
    text = pdf_text(api("technical_team").get(f"{URL}/heatmap/pdf"))
    assert "AI risk heat map" in text and "Inherent risk" in text and "Residual risk" in text
    assert "Critical" in text and "review every" in text


def test_the_treatment_plan_prints_through_the_api(api, treated):
    text = pdf_text(api("top_management").get(f"{URL}/treatment-plan/pdf"))
    assert "AI risk treatment plan" in text and "Reweigh the training data" in text and "Approval" in text


def test_an_impact_assessment_prints_through_the_api(api, assessment):
    text = pdf_text(api("internal_audit").get(f"/api/v1/impact-assessments/{assessment.pk}/pdf"))
    assert "Credit scoring" in text and "Older applicants refused more" in text


def test_the_json_export_has_the_imports_columns(api, treated):
    got = api("external_auditor").get(f"{URL}/export", {"format": "json"})
    assert got.status_code == 200 and got["Content-Type"] == "application/json"
    (row,) = got.json()
    assert row["ref"] == "R-0001" and row["residual_level"] == "low" and row["treatment"] == "mitigate"


def test_a_request_without_a_token_is_refused(api, treated, assessment):
    for path in (
        f"{URL}/export?format=pdf",
        f"{URL}/heatmap/pdf",
        f"{URL}/treatment-plan/pdf",
        f"/api/v1/impact-assessments/{assessment.pk}/pdf",
    ):
        assert api(None).get(path).status_code == 401, path


def test_an_unknown_format_is_a_422(api, treated):
    got = api("ai_manager").get(f"{URL}/export", {"format": "docx"})
    assert got.status_code == 422 and got.json()["errors"][0]["field"] == "format"
    assert not AuditEvent.objects.filter(action="export").exists()


def test_another_organization_prints_only_its_own_records(api, treated, assessment):
    theirs = pdf_text(api("mallory").get(f"{URL}/export", {"format": "pdf"}))
    assert "Other Corp" in theirs and "Biased scores" not in theirs and "0 risks" in theirs
    assert "Reweigh" not in pdf_text(api("mallory").get(f"{URL}/treatment-plan/pdf"))
    assert "(1 risk)" not in pdf_text(api("mallory").get(f"{URL}/heatmap/pdf"))
    assert api("mallory").get(f"/api/v1/impact-assessments/{assessment.pk}/pdf").status_code == 404


def test_the_heat_map_page_prints_as_pdf(browser_client, treated, mallory):
    page = browser_client("operational_team").get("/risk/risks/heatmap/")
    assert b"/risk/risks/heatmap.pdf" in page.content
    text = pdf_text(
        browser_client("operational_team").get("/risk/risks/heatmap.pdf?status=treatment_planned")
    )
    assert "AI risk heat map" in text
    assert "(1 risk)" not in pdf_text(browser_client("mallory").get("/risk/risks/heatmap.pdf"))
    from django.test import Client

    assert Client().get("/risk/risks/heatmap.pdf").status_code == 302  # to the login page
