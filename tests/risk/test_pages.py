"""Every risk page: allowed role, refused role (403), another organization (404), and the main
forms end to end."""

import datetime as dt

import pytest
from django.utils import timezone

from aims.risk import services
from aims.risk.models import ImpactAssessment, Risk, RiskAcceptance, RiskMethodology, RiskTreatment


@pytest.fixture
def assessment(actor, system, method):
    return services.create_assessment(
        actor("risk_team"),
        {
            "ai_system": system.pk,
            "title": "Credit scoring FRIA",
            "intended_purpose": "Score loans",
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


READ_PAGES = [
    "/risk/methodology/",
    "/risk/methodology/versions/1/",
    "/risk/risks/",
    "/risk/risks/heatmap/",
    "/risk/reviews/",
    "/risk/reviews/?mine=1",
    "/risk/assessments/",
    "/risk/risks/?q=biased&level=high&overdue=1&sort=-level",
]


@pytest.mark.parametrize("url", READ_PAGES)
def test_every_member_reads_the_risk_pages(browser_client, risk, url):
    got = browser_client("external_auditor").get(url)
    assert got.status_code == 200, url
    assert "style=" not in got.content.decode()


def test_the_register_shows_levels_as_coloured_badges(browser_client, risk):
    html = browser_client("ai_manager").get("/risk/risks/").content.decode()
    assert "R-0001" in html and "risk-colour-orange" in html


def test_the_heat_map_draws_every_cell_with_a_level_class(browser_client, risk):
    html = browser_client("ai_manager").get("/risk/risks/heatmap/").content.decode()
    assert html.count("risk-colour-") >= 50  # two 5 x 5 grids
    assert "likelihood=4&amp;impact=4" in html


def test_detail_pages_of_another_organization_are_404(browser_client, risk, assessment, mallory):
    client = browser_client("mallory")
    for url in (
        f"/risk/risks/{risk.number}/",
        f"/risk/risks/{risk.number}/edit/",
        f"/risk/assessments/{assessment.pk}/",
        f"/risk/assessments/{assessment.pk}/edit/",
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        f"/risk/risks/{risk.number}/review/",
        f"/risk/risks/{risk.number}/accept/",
        f"/risk/risks/{risk.number}/treatments/",
        f"/risk/assessments/{assessment.pk}/submit/",
    ):
        assert client.post(url, {}).status_code == 404, url
    assert "R-0001" not in client.get("/risk/risks/").content.decode()


@pytest.mark.parametrize(
    "url", ["/risk/risks/new/", "/risk/risks/library/", "/risk/methodology/edit/", "/risk/assessments/new/"]
)
def test_write_pages_refuse_a_read_only_role(browser_client, members, url):
    assert browser_client("external_auditor").get(url).status_code == 403


def test_the_risk_form_registers_and_reassesses_a_risk(browser_client, members, system, method):
    client = browser_client("risk_team")
    assert client.get("/risk/risks/new/").status_code == 200
    got = client.post(
        "/risk/risks/new/",
        {
            "title": "Chatbot invents loan terms",
            "category": method.organization and _cat(method, "transparency"),
            "ai_systems": [system.pk],
            "likelihood": "3",
            "impact": "4",
            "status": "",
        },
    )
    assert got.status_code == 302, got.content.decode()[:2000]
    risk = Risk.objects.get(title="Chatbot invents loan terms")
    assert (risk.inherent_level, risk.status) == ("high", "assessed")
    edit = client.get(f"/risk/risks/{risk.number}/edit/")
    assert edit.status_code == 200
    got = client.post(
        f"/risk/risks/{risk.number}/edit/",
        {
            "title": risk.title,
            "category": risk.category_id,
            "likelihood": "3",
            "impact": "4",
            "treatment": "mitigate",
            "residual_likelihood": "2",
            "residual_impact": "2",
            "status": "treatment_planned",
            "version": risk.version,
        },
    )
    assert got.status_code == 302
    risk.refresh_from_db()
    assert (risk.residual_level, risk.status) == ("low", "treatment_planned")
    detail = client.get(f"/risk/risks/{risk.number}/").content.decode()
    assert "History" in detail and "treatment_planned" in detail


def _cat(method, key):
    return (
        method.organization.pk
        and __import__("aims.risk.models", fromlist=["RiskCategory"])
        .RiskCategory.objects.get(organization=method.organization, key=key)
        .pk
    )


def test_the_risk_form_shows_field_errors(browser_client, members, method):
    got = browser_client("risk_team").post("/risk/risks/new/", {"title": "", "likelihood": "3"})
    assert got.status_code == 422
    assert "is-invalid" in got.content.decode()
    assert Risk.objects.count() == 0


def test_a_stale_edit_is_detected(browser_client, risk):
    got = browser_client("risk_team").post(
        f"/risk/risks/{risk.number}/edit/",
        {
            "title": "new",
            "category": risk.category_id,
            "likelihood": "4",
            "impact": "4",
            "version": risk.version - 1 or 99,
        },
    )
    assert got.status_code == 200 and "changed this record" in got.content.decode()
    risk.refresh_from_db()
    assert risk.title != "new"


def test_treatment_review_and_acceptance_from_the_detail_page(browser_client, members, risk):
    client = browser_client("risk_team")
    due = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    got = client.post(
        f"/risk/risks/{risk.number}/treatments/",
        {"title": "Reweigh training data", "status": "planned", "due_date": due, "control_ref": "A.7.4"},
    )
    assert got.status_code == 302 and RiskTreatment.objects.filter(risk=risk, control_ref="A.7.4").exists()
    action = RiskTreatment.objects.get()
    assert client.get(f"/risk/treatments/{action.pk}/edit/").status_code == 200
    assert (
        client.post(f"/risk/treatments/{action.pk}/edit/", {"title": "Reweigh", "status": "done"}).status_code
        == 302
    )
    action.refresh_from_db()
    assert action.completed_on == timezone.localdate()
    assert client.post(f"/risk/risks/{risk.number}/review/", {"note": "ok"}).status_code == 302
    # high is above the default appetite: the risk team cannot accept it, top management can
    client.post(f"/risk/risks/{risk.number}/accept/", {"justification": "x", "expires_on": due})
    assert not RiskAcceptance.objects.exists()
    got = browser_client("top_management").post(
        f"/risk/risks/{risk.number}/accept/", {"justification": "Business need", "expires_on": due}
    )
    assert got.status_code == 302
    assert RiskAcceptance.objects.get().above_appetite is True
    risk.refresh_from_db()
    assert risk.status == "accepted"


def test_the_method_form_saves_a_new_version(browser_client, members, method, risk):
    client = browser_client("risk_team")
    page = client.get("/risk/methodology/edit/")
    assert page.status_code == 200
    form = page.context["form"]
    data = {k: v for k, v in form.initial.items() if not isinstance(v, list)}
    data.update(
        {
            "acceptance_roles": ["risk_team"],
            "above_appetite_roles": ["top_management"],
            "treatment_options": ["mitigate", "accept"],
            "version": method.version,
            "size": 5,
            "change_note": "Critical from 4x4",
            "cell_4_4": "critical",
        }
    )
    got = client.post("/risk/methodology/edit/", data)
    assert got.status_code == 302, got.content.decode()[:3000]
    assert RiskMethodology.objects.get(is_current=True).number == 2
    risk.refresh_from_db()
    assert risk.inherent_level == "critical" and risk.methodology.number == 2
    assert client.get("/risk/methodology/edit/?size=3").context["form"].values["size"] == 3
    assert browser_client("technical_team").post("/risk/methodology/edit/", data).status_code == 403


def test_the_library_page_adds_risks(browser_client, members, system, method):
    got = browser_client("ai_manager").post(
        "/risk/risks/library/", {"ai_system": system.pk, "keys": ["deploy-no-gate", "privacy-excess-data"]}
    )
    assert got.status_code == 302
    assert Risk.objects.filter(ai_systems=system).count() == 2


def test_exports_from_the_page(browser_client, risk):
    got = browser_client("internal_audit").get("/risk/risks/export/xlsx/?level=high")
    assert got.status_code == 200 and got.content[:2] == b"PK"
    assert browser_client("internal_audit").get("/risk/risks/export/pdf-not/").status_code == 404


def test_the_assessment_pages_run_the_approval_workflow(browser_client, members, system, method):
    author = browser_client("risk_team")
    got = author.post(
        "/risk/assessments/new/",
        {
            "ai_system": system.pk,
            "title": "DPIA-linked FRIA",
            "intended_purpose": "Score consumer loans",
            "processes_personal_data": "on",
            "dpia_required": "on",
            "dpia_reference": "DPIA-2026-04",
            "overall_result": "Use with safeguards",
            "items-TOTAL_FORMS": "2",
            "items-INITIAL_FORMS": "0",
            "items-MIN_NUM_FORMS": "0",
            "items-MAX_NUM_FORMS": "1000",
            "items-0-area": "fairness",
            "items-0-affected": "groups",
            "items-0-description": "Older applicants refused more",
            "items-0-severity": "4",
            "items-0-likelihood": "4",
            "items-0-reversibility": "difficult",
            "items-0-scale": "many",
            "items-0-mitigation": "Monitor outcome rates by age",
            "items-1-area": "fundamental_rights",
            "items-1-affected": "individuals",
            "items-1-description": "",
            "items-1-severity": "1",
            "items-1-likelihood": "1",
            "items-1-reversibility": "reversible",
            "items-1-scale": "few",
        },
    )
    assert got.status_code == 302, got.content.decode()[:3000]
    a = ImpactAssessment.objects.get()
    assert a.items.count() == 1 and a.overall_level == "high"
    assert author.get(f"/risk/assessments/{a.pk}/edit/").status_code == 200
    assert author.post(f"/risk/assessments/{a.pk}/submit/").status_code == 302
    assert browser_client("technical_team").post(f"/risk/assessments/{a.pk}/approve/").status_code == 403
    assert browser_client("ai_manager").post(f"/risk/assessments/{a.pk}/approve/").status_code == 302
    a.refresh_from_db()
    assert a.status == "approved"
    risk = a.items.get().risk
    assert risk is not None and risk.category.key == "bias" and risk.inherent_level == "high"
    assert "R-0001" in browser_client("external_auditor").get(f"/risk/assessments/{a.pk}/").content.decode()


def test_the_register_treatment_plan_and_assessment_print_as_pdf(browser_client, risk, assessment, mallory):
    services.update_risk(
        services_actor(risk), risk, {"treatment": "mitigate", "residual_likelihood": 2, "residual_impact": 2}
    )
    client = browser_client("external_auditor")
    for url in (
        "/risk/risks/register.pdf",
        "/risk/risks/treatment-plan.pdf",
        f"/risk/assessments/{assessment.pk}/report.pdf",
    ):
        got = client.get(url)
        assert got.status_code == 200, url
        assert got["Content-Type"] == "application/pdf" and got.content[:4] == b"%PDF"
    assert browser_client("mallory").get(f"/risk/assessments/{assessment.pk}/report.pdf").status_code == 404


def services_actor(risk):
    from aims.core.actors import Actor

    return Actor.system(risk.organization, source="test")
