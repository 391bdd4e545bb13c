"""The REST resources: an allowed role, a refused role (403), the other organization (404), and bad
input (422 naming the field), for every resource of the area."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from aims.lifecycle import services
from aims.lifecycle.models import Evaluation, GateReview

from .conftest import passing

pytestmark = pytest.mark.django_db


def fields(response):
    return {e["field"] for e in response.json()["errors"]}


def test_the_openapi_document_lists_every_resource_of_the_area(api):
    paths = api("ai_manager").get("/api/v1/openapi.json").json()["paths"]
    for prefix in (
        "/api/v1/lifecycle",
        "/api/v1/gates",
        "/api/v1/datasets",
        "/api/v1/models",
        "/api/v1/evaluations",
        "/api/v1/vendors",
        "/api/v1/deployments",
    ):
        assert any(p.startswith(prefix) for p in paths), prefix


def test_the_lifecycle_board_lists_systems_by_stage_and_only_the_actors(api, system, other_system):
    stages = api("external_auditor").get("/api/v1/lifecycle").json()
    assert [s["stage"] for s in stages][:2] == ["idea", "design"]
    validation = next(s for s in stages if s["stage"] == "validation")
    assert [x["slug"] for x in validation["systems"]] == ["loan-scoring"]


def test_a_gate_check_shows_every_criterion_and_the_move_answers_409_when_held(api, system, other_system):
    body = api("technical_team").get("/api/v1/gates/systems/loan-scoring").json()
    assert body["stage"] == "validation" and body["next_stage"] == "deployment" and not body["holds"]
    assert all({"met", "reason", "title"} <= set(r) for r in body["results"]) and len(body["results"]) >= 3
    response = api("technical_team").post(
        "/api/v1/gates/systems/loan-scoring/move", {"note": "try"}, content_type="application/json"
    )
    assert response.status_code == 409 and response.json()["outcome"] == "held"
    assert (
        api("internal_audit")
        .post("/api/v1/gates/systems/loan-scoring/move", {}, content_type="application/json")
        .status_code
        == 403
    )
    assert api("mallory").get("/api/v1/gates/systems/loan-scoring").status_code == 404
    assert api("technical_team").get("/api/v1/gates/systems/their-system").status_code == 404


def test_a_move_with_an_exception_by_an_authorized_role_passes_and_the_review_prints(api, system):
    expires = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    response = api("ai_manager").post(
        "/api/v1/gates/systems/loan-scoring/move",
        {"exception": {"justification": "Pilot", "expires_on": expires}},
        content_type="application/json",
    )
    assert (
        response.status_code == 200 and response.json()["moved"] and response.json()["outcome"] == "exception"
    )
    review_id = response.json()["id"]
    assert (
        api("external_auditor").get(f"/api/v1/gates/reviews/{review_id}").json()["ai_system"]
        == "loan-scoring"
    )
    pdf = api("external_auditor").get(f"/api/v1/gates/reviews/{review_id}/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert api("mallory").get(f"/api/v1/gates/reviews/{review_id}").status_code == 404
    assert api("mallory").get(f"/api/v1/gates/reviews/{review_id}/pdf").status_code == 404
    assert api("ai_manager").get("/api/v1/gates/reviews?ai_system=loan-scoring").json()["count"] == 1


def test_an_exception_is_refused_to_a_builder_and_needs_a_future_expiry(api, system):
    url = "/api/v1/gates/systems/loan-scoring/exceptions"
    future = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    assert (
        api("technical_team")
        .post(url, {"justification": "x", "expires_on": future}, content_type="application/json")
        .status_code
        == 403
    )
    bad = api("top_management").post(
        url, {"justification": "x", "expires_on": "2001-01-01"}, content_type="application/json"
    )
    assert bad.status_code == 422 and "expires_on" in fields(bad)
    ok = api("top_management").post(
        url, {"justification": "Board decision", "expires_on": future}, content_type="application/json"
    )
    assert ok.status_code == 201 and ok.json()["active"]
    assert (
        api("mallory")
        .post(url, {"justification": "x", "expires_on": future}, content_type="application/json")
        .status_code
        == 404
    )


def test_gate_criteria_are_listed_and_only_managers_add_them(api, system):
    assert api("internal_audit").get("/api/v1/gates/criteria?stage=design").json()["count"] >= 8
    new = {"stage": "design", "title": "Works council consulted"}
    assert (
        api("technical_team").post("/api/v1/gates/criteria", new, content_type="application/json").status_code
        == 403
    )
    created = api("ai_manager").post("/api/v1/gates/criteria", new, content_type="application/json")
    assert created.status_code == 201 and created.json()["key"] == "works-council-consulted"
    bad = api("ai_manager").post(
        "/api/v1/gates/criteria",
        {"stage": "design", "title": "x", "kind": "automatic", "condition": "nope"},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "condition" in fields(bad)
    assert api("mallory").get(f"/api/v1/gates/criteria/{created.json()['id']}").status_code == 404


def test_evidence_is_attached_by_link_or_upload(api, system):
    from django.core.files.uploadedfile import SimpleUploadedFile

    criterion = api("ai_manager").get("/api/v1/gates/criteria?stage=validation").json()["items"]
    robustness = next(c for c in criterion if c["key"] == "robustness")["id"]
    link = {
        "ai_system": "loan-scoring",
        "criterion_id": robustness,
        "kind": "link",
        "title": "Report",
        "url": "https://x.example/r",
    }
    assert (
        api("technical_team")
        .post("/api/v1/gates/evidence", link, content_type="application/json")
        .status_code
        == 201
    )
    assert (
        api("internal_audit")
        .post("/api/v1/gates/evidence", link, content_type="application/json")
        .status_code
        == 403
    )
    assert (
        api("mallory").post("/api/v1/gates/evidence", link, content_type="application/json").status_code
        == 404
    )
    bad = api("technical_team").post(
        "/api/v1/gates/evidence", {**link, "url": ""}, content_type="application/json"
    )
    assert bad.status_code == 422 and "url" in fields(bad)
    up = api("technical_team").post(
        "/api/v1/gates/evidence/upload",
        {
            "ai_system": "loan-scoring",
            "criterion_id": robustness,
            "file": SimpleUploadedFile("r.txt", b"results"),
        },
    )
    assert up.status_code == 201 and len(up.json()["sha256"]) == 64
    assert api("ai_manager").get("/api/v1/gates/evidence?ai_system=loan-scoring").json()["count"] == 2


def test_datasets_with_versions_representativeness_sample_and_agreement(api, system, other_system):
    body = {"name": "Applications", "origin": "core banking", "ai_systems": [system.pk]}
    assert (
        api("internal_audit").post("/api/v1/datasets", body, content_type="application/json").status_code
        == 403
    )
    created = api("technical_team").post("/api/v1/datasets", body, content_type="application/json")
    assert created.status_code == 201 and "licence" in created.json()["provenance_gaps"]
    slug = created.json()["slug"]
    bad = api("technical_team").post(
        "/api/v1/datasets", {**body, "ai_systems": [other_system.pk]}, content_type="application/json"
    )
    assert bad.status_code == 422 and "ai_systems" in fields(bad)
    bad = api("technical_team").post(
        "/api/v1/datasets", {"name": "x", "legal_basis": "consent"}, content_type="application/json"
    )
    assert bad.status_code == 422 and "legal_basis" in fields(bad)
    version = api("technical_team").post(
        f"/api/v1/datasets/{slug}/versions",
        {"label": "v1", "reference": {"sex": {"female": 0.5, "male": 0.5}}},
        content_type="application/json",
    )
    assert version.status_code == 201
    sampled = api("technical_team").post(
        f"/api/v1/datasets/{slug}/versions/v1/sample",
        {"csv": "sex,age\nfemale,30\nmale,40\nmale,50\nmale,20\n", "attributes": ["sex"]},
        content_type="application/json",
    )
    assert sampled.status_code == 200
    rep = sampled.json()["representativeness"]
    assert sampled.json()["profile"] == {"sex": {"female": 1, "male": 3}} and rep["flagged"] == [
        "sex=female",
        "sex=male",
    ]
    bad = api("technical_team").post(
        f"/api/v1/datasets/{slug}/versions/v1/sample",
        {"csv": "a\n1\n", "attributes": ["sex"]},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "attributes" in fields(bad)
    bad = api("technical_team").post(
        f"/api/v1/datasets/{slug}/versions",
        {"label": "v2", "reference": {"sex": {"female": 0.9, "male": 0.9}}},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "reference" in fields(bad)
    kappa = api("technical_team").post(
        f"/api/v1/datasets/{slug}/agreement",
        {"labels_a": [1, 1, 0, 0], "labels_b": [1, 0, 0, 0]},
        content_type="application/json",
    )
    assert kappa.status_code == 200 and kappa.json()["label_agreement"] == 0.5
    assert api("mallory").get(f"/api/v1/datasets/{slug}").status_code == 404
    assert api("mallory").get(f"/api/v1/datasets/{slug}/versions").status_code == 404


def test_cohen_kappa_agrees_with_scikit_learn():
    from sklearn.metrics import cohen_kappa_score

    a = ["x", "y", "y", "z", "x", "x", "z", "y", "y", "x"]
    b = ["x", "y", "z", "z", "x", "y", "z", "y", "x", "x"]
    assert services.cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b))


def test_model_versions_are_registered_approved_and_scoped(api, system, other_system):
    body = {"ai_system_id": system.pk, "name": "scorer", "label": "1.0.0", "hyperparameters": {"C": 1.0}}
    assert (
        api("operational_team").post("/api/v1/models", body, content_type="application/json").status_code
        == 403
    )
    created = api("technical_team").post("/api/v1/models", body, content_type="application/json")
    assert created.status_code == 201 and created.json()["status"] == "draft"
    pk = created.json()["id"]
    assert api("technical_team").post(f"/api/v1/models/{pk}/approve").status_code == 403
    assert api("ai_manager").post(f"/api/v1/models/{pk}/approve").json()["status"] == "approved"
    bad = api("technical_team").post(
        "/api/v1/models",
        {**body, "ai_system_id": other_system.pk, "label": "2"},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "ai_system" in fields(bad)
    bad = api("technical_team").post(
        "/api/v1/models", {**body, "hyperparameters": "x"}, content_type="application/json"
    )
    assert bad.status_code == 422 and "hyperparameters" in fields(bad)
    assert api("mallory").get(f"/api/v1/models/{pk}").status_code == 404
    card = api("external_auditor").get(f"/api/v1/models/{pk}/card?format=md")
    assert card.status_code == 200 and b"# Model card: scorer 1.0.0" in card.content


def test_a_pipeline_pushes_an_evaluation_by_slug_and_version_and_aims_judges_it(api, model):
    push = {
        "ai_system": "loan-scoring",
        "model_version": "1.0.0",
        "metrics": {"accuracy": 0.62, "f1": 0.7},
        "thresholds": {"accuracy": {"min": 0.7}, "f1": {"min": 0.6, "max": 1.0}},
        "fairness": {"sex": {"female": {"tpr": 0.6}, "male": {"tpr": 0.7}}},
    }
    response = api("technical_team").post("/api/v1/evaluations", push, content_type="application/json")
    assert response.status_code == 201
    body = response.json()
    assert (
        body["passed"] is False
        and body["failures"] == ["accuracy 0.62 < min 0.7"]
        and body["source"] == "pipeline"
    )
    assert (
        api("operational_team").post("/api/v1/evaluations", push, content_type="application/json").status_code
        == 403
    )
    assert (
        api("mallory").post("/api/v1/evaluations", push, content_type="application/json").status_code == 422
    )
    bad = api("technical_team").post(
        "/api/v1/evaluations",
        {**push, "thresholds": {"accuracy": {"low": 1}}},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "thresholds" in fields(bad)
    bad = api("technical_team").post(
        "/api/v1/evaluations", {**push, "model_version": "9.9"}, content_type="application/json"
    )
    assert bad.status_code == 422 and "model_version_id" in fields(bad)
    assert api("mallory").get(f"/api/v1/evaluations/{body['id']}").status_code == 404
    assert (
        api("ai_manager").get("/api/v1/evaluations?ai_system=loan-scoring&passed=false").json()["count"] == 1
    )


def test_vendors_with_questionnaire_score_and_sla_breaches(api, system):
    questions = api("internal_audit").get("/api/v1/vendors/-/questionnaire").json()
    body = {
        "name": "Stratus AI",
        "questionnaire": {q["key"]: True for q in questions},
        "ai_systems": [system.pk],
        "slas": [{"name": "availability", "target": "99.9%"}],
    }
    assert (
        api("technical_team").post("/api/v1/vendors", body, content_type="application/json").status_code
        == 403
    )
    created = api("ai_manager").post("/api/v1/vendors", body, content_type="application/json")
    assert created.status_code == 201 and created.json()["score"] == 100
    bad = api("ai_manager").post(
        "/api/v1/vendors", {"name": "X", "questionnaire": {"made_up": True}}, content_type="application/json"
    )
    assert bad.status_code == 422 and "questionnaire" in fields(bad)
    breach = api("risk_team").post(
        "/api/v1/vendors/stratus-ai/breaches",
        {"sla": "availability", "occurred_on": "2025-01-02"},
        content_type="application/json",
    )
    assert breach.status_code == 201
    bad = api("risk_team").post(
        "/api/v1/vendors/stratus-ai/breaches",
        {"sla": "availability", "occurred_on": "2025-01-02", "resolved_on": "2024-01-01"},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "resolved_on" in fields(bad)
    assert api("mallory").get("/api/v1/vendors/stratus-ai").status_code == 404
    assert api("mallory").get("/api/v1/vendors/stratus-ai/breaches").status_code == 404


def test_vendor_reviews_and_expiring_exceptions_come_due(org, actor, system, vendor):
    from aims.core import services as core

    items = services.due_items(org, timezone.localdate() + dt.timedelta(days=30))
    assert [i["key"].split(":")[0] for i in items] == ["vendor-terms"]
    core.update(actor("ai_manager"), vendor, {"assessed_on": timezone.localdate() - dt.timedelta(days=400)})
    services.record_exception(
        actor("ai_manager"), system, justification="x", expires_on=timezone.localdate() + dt.timedelta(days=3)
    )
    kinds = {
        i["key"].split(":")[0] for i in services.due_items(org, timezone.localdate() + dt.timedelta(days=30))
    }
    assert kinds == {"vendor-terms", "vendor-assess", "gate-exception"}


def test_deployments_with_rollbacks_and_audited_access_changes(api, members, system, model, other_system):
    from aims.core.models import AuditEvent

    body = {
        "ai_system_id": system.pk,
        "environment": "production",
        "model_version_id": model.pk,
        "plan": "canary",
    }
    assert (
        api("internal_audit").post("/api/v1/deployments", body, content_type="application/json").status_code
        == 403
    )
    created = api("operational_team").post("/api/v1/deployments", body, content_type="application/json")
    assert created.status_code == 201
    pk = created.json()["id"]
    user = members["technical_team"].user.pk
    granted = api("operational_team").post(
        f"/api/v1/deployments/{pk}/access", {"grant": [user]}, content_type="application/json"
    )
    assert granted.json()["production_access"] == [user]
    entry = AuditEvent.objects.filter(object_type="deployment", action="update").latest("id")
    assert entry.changes["production_access"] == [[], [user]]
    bad = api("operational_team").post(
        f"/api/v1/deployments/{pk}/access", {"grant": [999999]}, content_type="application/json"
    )
    assert bad.status_code == 422 and "grant" in fields(bad)
    older = services.create_model_version(
        services.Actor.system(system.organization), {"ai_system": system, "name": "scorer", "label": "0.9"}
    )
    rollback = api("operational_team").post(
        f"/api/v1/deployments/{pk}/events",
        {"kind": "rollback", "description": "accuracy dropped", "to_version_id": older.pk},
        content_type="application/json",
    )
    assert rollback.status_code == 201 and rollback.json()["from_version_id"] == model.pk
    assert api("ai_manager").get(f"/api/v1/deployments/{pk}").json()["model_version_id"] == older.pk
    kinds = [e["kind"] for e in api("ai_manager").get(f"/api/v1/deployments/{pk}/events").json()]
    assert sorted(kinds) == ["access", "rollback"]
    bad = api("operational_team").post(
        f"/api/v1/deployments/{pk}/events",
        {"kind": "rollback", "description": "x"},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "to_version" in fields(bad)
    bad = api("operational_team").post(
        "/api/v1/deployments", {**body, "environment": "mars"}, content_type="application/json"
    )
    assert bad.status_code == 422 and "environment" in fields(bad)
    live = api("operational_team").post(f"/api/v1/deployments/{pk}/go-live")
    assert live.status_code == 422 and "environment" in fields(live)
    assert api("mallory").get(f"/api/v1/deployments/{pk}").status_code == 404
    assert (
        api("mallory")
        .post(f"/api/v1/deployments/{pk}/access", {"grant": []}, content_type="application/json")
        .status_code
        == 404
    )


def test_the_gate_list_endpoints_do_not_grow_queries_with_rows(
    api, actor, system, model, django_assert_max_num_queries
):
    for _i in range(5):
        passing(actor, model)
    client = api("ai_manager")
    client.get("/api/v1/evaluations")
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/evaluations").json()["count"] == 5
    assert Evaluation.objects.count() == 5 and GateReview.objects.count() == 0


def test_a_dataset_names_the_model_versions_that_use_it(api, browser_client, actor, dataset, model):
    version = services.create_dataset_version(actor("technical_team"), dataset, {"label": "v1"})
    model.datasets.add(version)
    body = api("external_auditor").get(f"/api/v1/datasets/{dataset.slug}").json()
    assert body["model_versions"] == [model.pk]
    listed = api("external_auditor").get("/api/v1/datasets").json()["items"]
    assert listed[0]["model_versions"] == [model.pk]
    page = browser_client("external_auditor").get(f"/lifecycle/datasets/{dataset.slug}/").content.decode()
    assert "scorer 1.0.0" in page and "Loan scoring" in page
