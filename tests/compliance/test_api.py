"""The compliance REST resources: /controls, /soa, /classifications, /obligations, /gap-assessments,
/compliance-status, /regulations. Each for an allowed role, a refused role (403), the other
organization (404) and bad input (422 naming the field)."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import load_workbook

from aims.compliance import services
from aims.compliance.models import Control, Obligation, SoA
from aims.core.models import AuditEvent

pytestmark = pytest.mark.django_db
J = "application/json"


def req_id(slug, ref):
    return services.builtin(slug).requirements.get(ref_id=ref).pk


# --- controls ---------------------------------------------------------------------------------------


def test_a_control_is_created_with_requirements_in_several_frameworks(api):
    body = {
        "name": "Bias testing",
        "requirements": [req_id("iso-iec-42001-2023", "A.7.4"), req_id("eu-ai-act-2024-1689", "Art. 10")],
    }
    r = api("risk_team").post("/api/v1/controls", body, content_type=J)
    assert r.status_code == 201, r.content
    out = r.json()
    assert out["ref"] == "CTL-001"
    assert {(x["framework"], x["ref_id"]) for x in out["requirements"]} == {
        ("iso-iec-42001-2023", "A.7.4"),
        ("eu-ai-act-2024-1689", "Art. 10"),
    }
    assert AuditEvent.objects.filter(object_type="control", action="create").count() == 1


def test_it_refuses_creating_a_control_to_the_external_auditor(api):
    assert api("external_auditor").post("/api/v1/controls", {"name": "x"}, content_type=J).status_code == 403


def test_another_organizations_control_is_404(api, foreign_control):
    assert api("ai_manager").get(f"/api/v1/controls/{foreign_control.pk}").status_code == 404
    assert (
        api("ai_manager")
        .patch(f"/api/v1/controls/{foreign_control.pk}", {"name": "y"}, content_type=J)
        .status_code
        == 404
    )
    assert api("ai_manager").get("/api/v1/controls").json()["count"] == 0


def test_bad_control_input_is_422_naming_the_field(api):
    r = api("ai_manager").post("/api/v1/controls", {"name": "x", "status": "done"}, content_type=J)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "status"
    r = api("ai_manager").post("/api/v1/controls", {"name": "x", "requirements": [999999]}, content_type=J)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "requirements"
    r = api("ai_manager").post("/api/v1/controls", {"name": "x", "evidence_links": ["nope"]}, content_type=J)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "evidence_links"


def test_a_control_cannot_link_another_organizations_framework(api, outsider):
    fw = services.create_framework(outsider, {"slug": "other-rules", "name": "Other rules"})
    theirs = services.add_requirement(outsider, fw, {"ref_id": "R-1", "title": "Secret"})
    r = api("ai_manager").post("/api/v1/controls", {"name": "x", "requirements": [theirs.pk]}, content_type=J)
    assert r.status_code == 422


def test_a_stale_control_update_is_412(api, control):
    client = api("ai_manager")
    etag = client.get(f"/api/v1/controls/{control.pk}")["ETag"]
    assert (
        client.patch(
            f"/api/v1/controls/{control.pk}", {"name": "New"}, content_type=J, HTTP_IF_MATCH=etag
        ).status_code
        == 200
    )
    assert (
        client.patch(
            f"/api/v1/controls/{control.pk}", {"name": "Newer"}, content_type=J, HTTP_IF_MATCH=etag
        ).status_code
        == 412
    )


def test_controls_link_to_risks_of_the_register(api, actor, control, org):
    from aims.risk import services as risk_services

    risk_services.ensure_setup(org)
    risk = risk_services.create_risk(
        actor("risk_team"), {"title": "Biased scores", "category": "bias", "likelihood": 3, "impact": 4}
    )
    r = api("ai_manager").patch(f"/api/v1/controls/{control.pk}", {"risks": [risk.pk]}, content_type=J)
    assert r.status_code == 200 and r.json()["risks"] == [risk.pk]
    assert list(risk.controls.all()) == [control]


def test_library_and_evidence(api):
    client = api("ai_manager")
    assert any(e["key"] == "fairness-testing" for e in client.get("/api/v1/controls/library").json())
    r = client.post("/api/v1/controls/from-library", {"keys": ["fairness-testing"]}, content_type=J)
    assert r.status_code == 201
    ref = r.json()[0]["ref"]
    assert client.post("/api/v1/controls/from-library", {"keys": ["nope"]}, content_type=J).status_code == 422
    r = client.post(
        f"/api/v1/controls/{ref}/evidence",
        {"title": "Q3 report", "url": "https://wiki.example/q3"},
        content_type=J,
    )
    assert r.status_code == 201
    assert client.get(f"/api/v1/controls/{ref}").json()["evidence_count"] == 1
    assert (
        api("external_auditor")
        .post(f"/api/v1/controls/{ref}/evidence", {"title": "x", "url": "https://x.example"}, content_type=J)
        .status_code
        == 403
    )


def test_control_list_query_count_is_flat(api, actor, django_assert_max_num_queries):
    for i in range(15):
        services.create_control(
            actor("ai_manager"), {"name": f"C{i}", "requirements": [req_id("iso-iec-42001-2023", "A.6.2.4")]}
        )
    client = api("ai_manager")
    client.get("/api/v1/controls")
    with django_assert_max_num_queries(12):
        assert client.get("/api/v1/controls").json()["count"] == 15


def test_uploaded_evidence_keeps_its_sha256(actor, control, settings, tmp_path):
    import hashlib

    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    data = b"validation report"
    ev = services.add_evidence(
        actor("ai_manager"), control, title="Report", upload=SimpleUploadedFile("r.pdf", data)
    )
    assert ev.sha256 == hashlib.sha256(data).hexdigest() and ev.size == len(data)
    assert AuditEvent.objects.filter(object_type="control", changes__sha256__1=ev.sha256).exists()


# --- SoA --------------------------------------------------------------------------------------------


def _decide_all(client, number, justification="Needed to treat our AI risks"):
    soa = client.get(f"/api/v1/soa/{number}").json()
    for e in soa["entries"]:
        r = client.patch(
            f"/api/v1/soa/{number}/entries/{e['ref_id']}",
            {"applicable": True, "justification": justification},
            content_type=J,
        )
        assert r.status_code == 200, r.content


def test_soa_draft_lists_all_38_annex_a_controls_with_mapped_controls_suggested(api, control):
    r = api("ai_manager").post("/api/v1/soa/draft")
    assert r.status_code == 201
    entries = {e["ref_id"]: e for e in r.json()["entries"]}
    assert len(entries) == 38
    assert entries["A.6.2.4"]["controls"] == [control.ref]
    assert entries["A.6.2.4"]["objective"].startswith("A.6.2")


def test_justification_is_required_either_way(api):
    client = api("ai_manager")
    client.post("/api/v1/soa/draft")
    r = client.patch("/api/v1/soa/1/entries/A.10.4", {"applicable": False}, content_type=J)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "justification"
    r = client.patch(
        "/api/v1/soa/1/entries/A.10.4",
        {"applicable": False, "justification": "We have no customers for AI products"},
        content_type=J,
    )
    assert r.status_code == 200 and r.json()["applicable"] is False


def test_only_top_management_approves_and_only_a_complete_soa(api):
    manager, ceo = api("ai_manager"), api("top_management")
    manager.post("/api/v1/soa/draft")
    assert manager.post("/api/v1/soa/1/approve", {}, content_type=J).status_code == 403
    r = ceo.post("/api/v1/soa/1/approve", {}, content_type=J)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "applicable"
    _decide_all(manager, 1)
    r = ceo.post("/api/v1/soa/1/approve", {"note": "Approved in the board"}, content_type=J)
    assert r.status_code == 200 and r.json()["status"] == "approved"
    # frozen: an edit is refused; a new draft copies the decisions
    r = manager.patch("/api/v1/soa/1/entries/A.2.2", {"justification": "x"}, content_type=J)
    assert r.status_code == 422
    r = manager.post("/api/v1/soa/draft")
    assert r.json()["number"] == 2 and all(e["applicable"] for e in r.json()["entries"])
    assert ceo.post("/api/v1/soa/2/approve", {}, content_type=J).status_code == 200
    assert SoA.objects.get(number=1).status == "superseded"


def test_the_soa_of_another_organization_is_404(api):
    api("ai_manager").post("/api/v1/soa/draft")
    assert api("mallory").get("/api/v1/soa/1").status_code == 404
    assert (
        api("mallory")
        .patch("/api/v1/soa/1/entries/A.2.2", {"justification": "x"}, content_type=J)
        .status_code
        == 404
    )


def test_it_refuses_editing_the_soa_to_the_risk_team(api):
    api("ai_manager").post("/api/v1/soa/draft")
    assert (
        api("risk_team")
        .patch("/api/v1/soa/1/entries/A.2.2", {"justification": "x"}, content_type=J)
        .status_code
        == 403
    )
    assert api("risk_team").post("/api/v1/soa/draft").status_code == 403


def test_missing_panel_names_risks_whose_controls_are_excluded(api, actor, org):
    from aims.risk import services as risk_services

    risk_services.ensure_setup(org)
    risk_services.create_risk(
        actor("risk_team"), {"title": "Poor data", "category": "bias", "control_refs": ["A.7.4"]}
    )
    client = api("ai_manager")
    client.post("/api/v1/soa/draft")
    client.patch(
        "/api/v1/soa/1/entries/A.7.4", {"applicable": False, "justification": "Not relevant"}, content_type=J
    )
    m = client.get("/api/v1/soa/1/missing").json()
    assert m["risks"] and m["risks"][0]["refs"] == ["A.7.4"]
    assert "A.2.2" in m["undecided"]
    client.patch(
        "/api/v1/soa/1/entries/A.2.2",
        {"applicable": True, "justification": "Policy", "implementation_status": "planned"},
        content_type=J,
    )
    assert "A.2.2" in client.get("/api/v1/soa/1/missing").json()["no_implementation"]


def test_soa_exports_open_in_openpyxl_a_pdf_reader_and_json(api, control):
    client = api("ai_manager")
    client.post("/api/v1/soa/draft")
    xlsx = client.get("/api/v1/soa/1/export?format=xlsx")
    wb = load_workbook(io.BytesIO(xlsx.content))
    rows = list(wb["Statement of Applicability"].values)
    assert rows[0][0] == "Control" and len(rows) == 39
    pdf = client.get("/api/v1/soa/1/export?format=pdf")
    from pypdf import PdfReader  # the test extra's PDF reader

    reader = PdfReader(io.BytesIO(pdf.content))
    text = "".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) >= 2 and "Statement of Applicability" in text and "A.10.4" in text
    doc = json.loads(client.get("/api/v1/soa/1/export?format=oscal").content)
    reqs = doc["system-security-plan"]["control-implementation"]["implemented-requirements"]
    assert len(reqs) == 38 and reqs[0]["control-id"] == "a.2.2"
    assert client.get("/api/v1/soa/1/export?format=doc").status_code == 422


# --- classification ---------------------------------------------------------------------------------


def test_classifying_sets_the_tier_and_creates_obligations(api, system):
    answers = {"roles": ["provider", "deployer"], "annex_iii": ["(5)(b)"], "profiling": True}
    r = api("risk_team").post(
        "/api/v1/classifications", {"ai_system": system.slug, "answers": answers}, content_type=J
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["tier"] == "high" and "Annex III(5)(b)" in body["citations"]
    system.refresh_from_db()
    assert system.eu_ai_act_tier == "high"
    obligations = api("ai_manager").get(f"/api/v1/obligations?ai_system={system.slug}").json()
    refs = {o["ref_id"] for o in obligations["items"]}
    assert {"Art. 9", "Art. 26", "Art. 27"} <= refs
    assert all(o["due_date"] for o in obligations["items"])
    # reclassified without the use case: the high-risk duties are no longer applicable, the version grows
    r = api("risk_team").post(
        "/api/v1/classifications",
        {"ai_system": system.slug, "answers": {"roles": ["deployer"]}},
        content_type=J,
    )
    assert r.json()["tier"] == "minimal" and r.json()["number"] == 2
    assert (
        Obligation.objects.get(ai_system=system, requirement__ref_id="Art. 26", role="deployer").status
        == "not_applicable"
    )
    assert api("ai_manager").get(f"/api/v1/classifications?ai_system={system.slug}").json()["count"] == 2


def test_a_change_of_facts_asks_for_reclassification(api, actor, system):
    from aims.inventory import services as inventory

    api("ai_manager").post(
        "/api/v1/classifications",
        {"ai_system": system.slug, "answers": {"roles": ["deployer"]}},
        content_type=J,
    )
    inventory.update_system(actor("ai_manager"), system, {"function": "Now also sets interest rates"})
    current = api("ai_manager").get("/api/v1/classifications").json()["items"][0]
    assert current["needs_reclassification"] == ["function"]


def test_it_refuses_classification_to_the_technical_team(api, system):
    r = api("technical_team").post(
        "/api/v1/classifications", {"ai_system": system.slug, "answers": {}}, content_type=J
    )
    assert r.status_code == 403


def test_classifying_another_organizations_system_is_404(api, foreign_system):
    r = api("ai_manager").post(
        "/api/v1/classifications", {"ai_system": foreign_system.slug, "answers": {}}, content_type=J
    )
    assert r.status_code == 404


def test_bad_answers_are_422_naming_the_question(api, system):
    r = api("ai_manager").post(
        "/api/v1/classifications",
        {"ai_system": system.slug, "answers": {"annex_iii": ["(9)(z)"]}},
        content_type=J,
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "annex_iii"
    r = api("ai_manager").post(
        "/api/v1/classifications", {"ai_system": system.slug, "answers": {"colour": "red"}}, content_type=J
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "colour"


def test_the_questionnaire_is_served(api):
    q = api("external_auditor").get("/api/v1/classifications/questions").json()
    assert q["annex_iii"]["(5)(b)"]["ref"] == "Annex III(5)(b)" and "h" in q["prohibited"]


def test_obligations_become_tasks_with_deadlines(api, system, org):
    from aims.assurance.models import Task

    api("ai_manager").post(
        "/api/v1/classifications",
        {"ai_system": system.slug, "answers": {"roles": ["deployer"], "annex_iii": ["(4)(a)"]}},
        content_type=J,
    )
    made = services.obligation_tasks(org)
    assert made == Obligation.objects.filter(ai_system=system, status="open").count() > 0
    assert services.obligation_tasks(org) == 0
    assert (
        Task.objects.filter(organization=org, source_key__startswith="aiact:", due_date__isnull=False).count()
        == made
    )


def test_an_obligation_is_marked_done_with_if_match(api, system):
    client = api("ai_manager")
    client.post(
        "/api/v1/classifications",
        {"ai_system": system.slug, "answers": {"roles": ["deployer"]}},
        content_type=J,
    )
    ob = client.get("/api/v1/obligations").json()["items"][0]
    r = client.patch(f"/api/v1/obligations/{ob['id']}", {"status": "done"}, content_type=J)
    assert r.status_code == 200 and r.json()["status"] == "done"
    assert (
        api("mallory")
        .patch(f"/api/v1/obligations/{ob['id']}", {"status": "done"}, content_type=J)
        .status_code
        == 404
    )


# --- gap assessment, status, readiness, regulations ------------------------------------------------


def test_gap_assessment_scores_trend_and_roadmap(api):
    auditor = api("internal_audit")
    r = auditor.post(
        "/api/v1/gap-assessments", {"title": "Initial", "assessed_on": "2026-01-10"}, content_type=J
    )
    assert r.status_code == 201
    first = r.json()["id"]
    assert (
        auditor.patch(
            f"/api/v1/gap-assessments/{first}/scores/6.1.3", {"maturity": 1}, content_type=J
        ).status_code
        == 200
    )
    r = auditor.patch(f"/api/v1/gap-assessments/{first}/scores/6.1.3", {"maturity": 7}, content_type=J)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "maturity"
    report = auditor.get(f"/api/v1/gap-assessments/{first}").json()
    assert report["total"] == 27 + 38
    first_item = report["roadmap"][0]  # unscored counts as 0: a mandatory clause leads
    assert (
        first_item["gap"] == 3
        and first_item["mandatory_documented_information"]
        and not first_item["ref_id"].startswith("A.")
    )
    assert {r["ref_id"]: r["gap"] for r in report["roadmap"]}["6.1.3"] == 2
    r = auditor.post(
        "/api/v1/gap-assessments", {"title": "Six months on", "assessed_on": "2026-07-10"}, content_type=J
    )
    second = r.json()["id"]
    auditor.patch(f"/api/v1/gap-assessments/{second}/scores/6.1.3", {"maturity": 3}, content_type=J)
    trend = auditor.get("/api/v1/gap-assessments/trend").json()
    assert [t["average"] for t in trend] == [1.0, 3.0]
    assert (
        api("technical_team").post("/api/v1/gap-assessments", {"title": "x"}, content_type=J).status_code
        == 403
    )
    assert api("mallory").get(f"/api/v1/gap-assessments/{first}").status_code == 404


def test_gap_assessment_leaves_out_controls_excluded_in_the_soa(api):
    client = api("ai_manager")
    client.post("/api/v1/soa/draft")
    client.patch(
        "/api/v1/soa/1/entries/A.10.4", {"applicable": False, "justification": "No customers"}, content_type=J
    )
    r = client.post("/api/v1/gap-assessments", {"title": "x"}, content_type=J)
    assert client.get(f"/api/v1/gap-assessments/{r.json()['id']}").json()["total"] == 27 + 37


def test_compliance_status_counts_a_control_in_every_framework_it_maps_to(api, actor):
    client = api("ai_manager")
    before = {r["framework"]: r for r in client.get("/api/v1/compliance-status").json()}
    services.create_control(
        actor("ai_manager"),
        {"name": "V&V", "status": "implemented", "requirements": [req_id("iso-iec-42001-2023", "A.6.2.4")]},
    )
    after = {r["framework"]: r for r in client.get("/api/v1/compliance-status").json()}
    assert after["iso-iec-42001-2023"]["implemented"] == before["iso-iec-42001-2023"]["implemented"] + 1
    assert after["nist-ai-rmf-1-0"]["implemented"] > 0  # through the NIST crosswalk
    assert after["eu-ai-act-2024-1689"]["implemented"] > 0  # through the indicative AI Act crosswalk
    assert after["gdpr-2016-679"]["implemented"] == 0
    assert api("mallory").get("/api/v1/compliance-status").json()[0]["implemented"] == 0


def test_readiness_lists_the_mandatory_documented_information(api):
    r = api("external_auditor").get("/api/v1/compliance-status/readiness").json()
    items = {(i["ref_id"], i["item"]) for i in r["items"]}
    assert ("6.1.3", "Statement of Applicability") in items and ("4.3", "AIMS scope") in items
    assert r["ready"] is False


def test_regulations_register(api, members):
    client = api("risk_team")
    fw = services.builtin(services.AI_ACT)
    r = client.post(
        "/api/v1/regulations",
        {"title": "EU AI Act", "framework_id": fw.pk, "owner_id": members["risk_team"].user.pk},
        content_type=J,
    )
    assert r.status_code == 201 and r.json()["framework"] == fw.slug
    assert (
        api("technical_team").post("/api/v1/regulations", {"title": "x"}, content_type=J).status_code == 403
    )
    assert api("mallory").get(f"/api/v1/regulations/{r.json()['id']}").status_code == 404
    r = client.post("/api/v1/regulations", {"title": "x", "kind": "treaty"}, content_type=J)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "kind"


def test_the_api_lists_nothing_of_another_organization(api, control):
    assert Control.objects.count() == 1
    assert api("mallory").get("/api/v1/controls").json()["count"] == 0
