"""Evidence in: /api/v1/profiles and /api/v1/metric-points. An allowed role, a refused role (403),
the other organization (404), bad input (422 naming the field), the audit entry."""

from __future__ import annotations

import pytest

from aims.core.models import AuditEvent
from aims.monitoring.models import EvidenceProfile, MetricPoint

pytestmark = pytest.mark.django_db
JSON = "application/json"


def fields(response):
    return {e["field"] for e in response.json()["errors"]}


def post(client, url, body):
    return client.post(url, body, content_type=JSON)


def test_the_openapi_document_lists_the_monitoring_resources(api):
    paths = api("ai_manager").get("/api/v1/openapi.json").json()["paths"]
    for prefix in (
        "/api/v1/profiles",
        "/api/v1/metric-points",
        "/api/v1/monitors",
        "/api/v1/alerts",
        "/api/v1/notification-channels",
    ):
        assert any(p.startswith(prefix) for p in paths), prefix


def test_a_pipeline_stores_a_profile_and_gets_its_measurements(
    api, system, batch_docs, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            api("technical_team"),
            "/api/v1/profiles",
            {
                "ai_system": "loan-scoring",
                "name": "week 1",
                "profile": batch_docs[0],
                "observed_at": "2024-06-01T12:00:00Z",
            },
        )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["ai_system"] == "loan-scoring" and body["n_rows"] == 250 and body["role"] == "batch"
    assert body["digest"].startswith("sha256:")
    perf = body["summary"]["performance"]
    assert 0.5 < perf["accuracy"] < 1 and "roc_auc" in perf
    assert set(body["summary"]["fairness"]["sex"]["groups"]) == {"female", "male"}
    assert body["summary"]["drift"] is None  # no reference yet
    event = AuditEvent.objects.filter(object_type="evidence_profile").latest("pk")
    assert event.action == "create" and "document" not in event.changes and "digest" in event.changes
    assert event.source == "api"


def test_a_batch_after_a_reference_carries_drift_per_feature(api, system, reference_doc, batch_docs):
    client = api("technical_team")
    assert (
        post(
            client,
            "/api/v1/profiles",
            {"ai_system": system.pk, "role": "reference", "profile": reference_doc},
        ).status_code
        == 201
    )
    body = post(client, "/api/v1/profiles", {"ai_system": "loan-scoring", "profile": batch_docs[-1]}).json()
    drift = body["summary"]["drift"]
    assert (
        drift["columns"]["credit_amount"]["psi"] > 0.25 and drift["columns"]["credit_amount"]["drift"] == 1.0
    )
    assert drift["columns"]["approved"]["role"] == "output"
    assert "credit_amount" in drift["drifted_columns"]


def test_profiles_are_listed_read_and_refused_across_organizations(api, system, batch_docs):
    created = post(
        api("technical_team"), "/api/v1/profiles", {"ai_system": "loan-scoring", "profile": batch_docs[0]}
    ).json()
    listing = api("external_auditor").get("/api/v1/profiles?ai_system=loan-scoring").json()
    assert listing["count"] == 1 and listing["items"][0]["id"] == created["id"]
    assert api("internal_audit").get(f"/api/v1/profiles/{created['id']}").status_code == 200
    document = api("internal_audit").get(f"/api/v1/profiles/{created['id']}/document").json()
    assert document["format"] == "aims.evidence.profile" and document["n_rows"] == 250
    assert api("mallory").get(f"/api/v1/profiles/{created['id']}").status_code == 404
    assert api("mallory").get(f"/api/v1/profiles/{created['id']}/document").status_code == 404
    assert api("mallory").get("/api/v1/profiles").json()["count"] == 0
    assert api("technical_team").delete(f"/api/v1/profiles/{created['id']}").status_code == 403
    assert api("mallory").delete(f"/api/v1/profiles/{created['id']}").status_code == 404
    assert api("ai_manager").delete(f"/api/v1/profiles/{created['id']}").status_code == 204


def test_a_profile_is_refused_to_a_read_only_role_and_for_another_organizations_system(
    api, system, other_system, batch_docs
):
    assert (
        post(
            api("internal_audit"), "/api/v1/profiles", {"ai_system": "loan-scoring", "profile": batch_docs[0]}
        ).status_code
        == 403
    )
    assert (
        post(
            api("external_auditor"),
            "/api/v1/profiles",
            {"ai_system": "loan-scoring", "profile": batch_docs[0]},
        ).status_code
        == 403
    )
    theirs = post(
        api("technical_team"), "/api/v1/profiles", {"ai_system": "their-system", "profile": batch_docs[0]}
    )
    assert theirs.status_code == 422 and fields(theirs) == {"ai_system"}
    assert (
        post(
            api("mallory"), "/api/v1/profiles", {"ai_system": "loan-scoring", "profile": batch_docs[0]}
        ).status_code
        == 422
    )
    assert EvidenceProfile.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"profile": {"format": "something else"}}, "profile"),
        ({"profile": {"format": "aims.evidence.profile", "version": 1}}, "profile"),
        ({"profile": "not an object"}, "profile"),
        ({"role": "golden"}, "role"),
        ({"observed_at": "yesterday"}, "observed_at"),
        ({"observed_at": "2999-01-01T00:00:00Z"}, "observed_at"),
        ({"model_version": "9.9.9"}, "model_version"),
        ({"ai_system": None}, "ai_system"),
    ],
)
def test_bad_profile_input_answers_422_naming_the_field(api, system, batch_docs, change, field):
    body = {"ai_system": "loan-scoring", "profile": batch_docs[0], **change}
    response = post(api("technical_team"), "/api/v1/profiles", body)
    assert response.status_code == 422 and field in fields(response), response.content
    assert EvidenceProfile.objects.count() == 0


def test_metric_points_are_pushed_in_a_batch_with_one_audit_entry(api, system):
    points = [
        {
            "name": "latency_p95_ms",
            "value": 300 + i,
            "observed_at": f"2024-06-0{i + 1}T10:00:00Z",
            "sample_size": 1000,
        }
        for i in range(5)
    ]
    response = post(
        api("operational_team"), "/api/v1/metric-points", {"ai_system": "loan-scoring", "points": points}
    )
    assert response.status_code == 201 and response.json() == {"created": 5, "ai_system": "loan-scoring"}
    event = AuditEvent.objects.filter(object_type="metric_point").latest("pk")
    assert event.changes["count"] == [None, 5] and event.changes["names"] == [None, ["latency_p95_ms"]]
    listing = (
        api("external_auditor").get("/api/v1/metric-points?ai_system=loan-scoring&name=latency_p95_ms").json()
    )
    assert listing["count"] == 5 and listing["items"][0]["value"] == 304
    assert api("mallory").get("/api/v1/metric-points").json()["count"] == 0


def test_metric_points_are_refused_to_a_read_only_role_and_bad_points_name_the_row(api, system):
    ok = {"name": "errors", "value": 1}
    assert (
        post(
            api("external_auditor"), "/api/v1/metric-points", {"ai_system": "loan-scoring", "points": [ok]}
        ).status_code
        == 403
    )
    assert (
        post(
            api("mallory"), "/api/v1/metric-points", {"ai_system": "loan-scoring", "points": [ok]}
        ).status_code
        == 422
    )
    bad = post(
        api("technical_team"),
        "/api/v1/metric-points",
        {"ai_system": "loan-scoring", "points": [ok, {"name": "bad name!", "value": 1}]},
    )
    assert bad.status_code == 422 and "points.1.name" in fields(bad)
    missing = post(
        api("technical_team"),
        "/api/v1/metric-points",
        {"ai_system": "loan-scoring", "points": [{"name": "x"}]},
    )
    assert missing.status_code == 422 and any(f.startswith("points.0") for f in fields(missing))
    empty = post(api("technical_team"), "/api/v1/metric-points", {"ai_system": "loan-scoring", "points": []})
    assert empty.status_code == 422 and "points" in fields(empty)
    assert MetricPoint.objects.count() == 0
