"""Evaluations uploaded as a CSV file of metrics and thresholds (the issue: entered, uploaded, or
pushed by pipelines): API and page for an allowed role, a refused role (403), the other
organization (404), and a bad file refused with the row named."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from aims.lifecycle.models import Evaluation

pytestmark = pytest.mark.django_db

GOOD = b"metric,value,min,max\naccuracy,0.84,0.8,\nlatency_ms,120,,200\nf1,0.77,,\n"


def upload(content=GOOD):
    return SimpleUploadedFile("results.csv", content, content_type="text/csv")


def test_the_api_records_an_uploaded_evaluation_judged_against_its_thresholds(api, model):
    r = api("risk_team").post(
        "/api/v1/evaluations/upload",
        {"model_version_id": model.pk, "kind": "technical", "title": "Hold-out", "file": upload()},
    )
    assert r.status_code == 201, r.content
    ev = Evaluation.objects.get(pk=r.json()["id"])
    assert ev.source == "upload" and ev.passed and ev.title == "Hold-out"
    assert ev.metrics == {"accuracy": 0.84, "latency_ms": 120.0, "f1": 0.77}
    assert ev.thresholds == {"accuracy": {"min": 0.8}, "latency_ms": {"max": 200.0}}
    failing = api("technical_team").post(
        "/api/v1/evaluations/upload",
        {"model_version_id": model.pk, "file": upload(b"metric,value,min\nauc,0.6,0.7\n")},
    )
    assert failing.status_code == 201 and not failing.json()["passed"]
    assert failing.json()["failures"] == ["auc 0.6 < min 0.7"]


def test_a_bad_file_is_refused_naming_the_rows(api, model):
    bad = api("technical_team").post(
        "/api/v1/evaluations/upload",
        {
            "model_version_id": model.pk,
            "file": upload(b"metric,value,min\naccuracy,high,0.8\n,0.5,\nauc,0.7,x\n"),
        },
    )
    assert bad.status_code == 422
    messages = bad.json()["errors"][0]["messages"]
    assert bad.json()["errors"][0]["field"] == "file"
    assert any(m.startswith("Row 2: value 'high'") for m in messages)
    assert any(m.startswith("Row 3:") for m in messages) and any(
        m.startswith("Row 4: min 'x'") for m in messages
    )
    no_header = api("technical_team").post(
        "/api/v1/evaluations/upload", {"model_version_id": model.pk, "file": upload(b"a,b\n1,2\n")}
    )
    assert no_header.status_code == 422 and "metric and value" in no_header.json()["errors"][0]["messages"][0]
    assert not Evaluation.objects.exists()


def test_the_upload_refuses_a_role_without_the_right_and_another_organizations_model(api, model):
    body = {"model_version_id": model.pk, "file": upload()}
    assert api("operational_team").post("/api/v1/evaluations/upload", body).status_code == 403
    assert api("mallory").post("/api/v1/evaluations/upload", {**body, "file": upload()}).status_code == 404
    assert not Evaluation.objects.exists()


def test_the_model_page_uploads_an_evaluation(browser_client, model):
    url = f"/lifecycle/models/{model.pk}/evaluations/upload/"
    page = browser_client("technical_team").get(f"/lifecycle/models/{model.pk}/").content.decode()
    assert "Upload an evaluation (CSV)" in page
    r = browser_client("technical_team").post(
        url, {"kind": "robustness", "title": "Noise test", "file": upload()}
    )
    assert r.status_code == 302 and Evaluation.objects.get().kind == "robustness"
    bad = browser_client("technical_team").post(
        url, {"kind": "technical", "file": upload(b"metric,value\nx,y\n")}
    )
    assert bad.status_code == 422 and "Row 2: value" in bad.content.decode()
    assert (
        browser_client("operational_team").post(url, {"kind": "technical", "file": upload()}).status_code
        == 403
    )
    assert browser_client("mallory").post(url, {"kind": "technical", "file": upload()}).status_code == 404
    assert Evaluation.objects.count() == 1
