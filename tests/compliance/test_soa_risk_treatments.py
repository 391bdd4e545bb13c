"""Clause 6.1.3 asks the SoA for the controls *and* the risk treatments that implement each Annex A
control: a treatment action of the risk register that names an Annex A control shows in the SoA
page and its XLSX and PDF exports."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from aims.compliance import exports, services
from aims.risk import services as risk_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def treatments(actor, system):
    team = actor("risk_team")
    risk = risk_services.create_risk(
        team,
        {"title": "Biased scores for young applicants", "category": "bias", "likelihood": 4, "impact": 4},
    )
    kept = risk_services.create_treatment(
        team,
        {"risk": risk.pk, "title": "Fairness test before release", "control_ref": "ISO/IEC 42001 A.6.2.4"},
    )
    risk_services.create_treatment(
        team, {"risk": risk.pk, "title": "Dropped idea", "control_ref": "A.7.4", "status": "cancelled"}
    )
    return risk, kept


def test_treatments_are_matched_to_their_annex_a_control(actor, treatments):
    risk, kept = treatments
    found = services.soa_risk_treatments(actor("ai_manager").organization)
    assert found == {"A.6.2.4": [kept]}


def test_the_soa_page_and_exports_list_the_risk_treatments(actor, browser_client, treatments):
    risk, kept = treatments
    soa = services.start_soa(actor("ai_manager"))
    page = browser_client("external_auditor").get(reverse("compliance:soa"))
    assert page.status_code == 200
    assert risk.ref.encode() in page.content and b"Fairness test before release" in page.content
    wb = load_workbook(io.BytesIO(exports.soa_xlsx(soa)))
    rows = list(wb["Statement of Applicability"].values)
    column = rows[0].index("Risk treatments")
    by_ref = {r[0]: r for r in rows[1:]}
    assert by_ref["A.6.2.4"][column] == f"{risk.ref} Fairness test before release (Planned)"
    assert not by_ref["A.7.4"][column]  # the cancelled action does not count
    from pypdf import PdfReader

    pdf = PdfReader(io.BytesIO(exports.soa_pdf(actor("ai_manager"), soa)))
    text = " ".join(" ".join(p.extract_text() for p in pdf.pages).split())  # table cells wrap
    assert "Risk treatments: R-0001 Fairness test" in text, text[:3000]


def test_another_organizations_treatments_stay_out(outsider, treatments):
    assert services.soa_risk_treatments(outsider.organization) == {}
