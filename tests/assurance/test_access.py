"""Every assurance resource: an allowed role reads and writes, a refused role gets 403, another
organization gets 404, bad input answers 422 naming the field, and lists run in bounded queries."""

import pytest

from aims.assurance import services
from aims.core import services as core

# resource, role allowed to create, role refused, a valid body, a bad body and the field it names
CASES = [
    ("incidents", "operational_team", "external_auditor", {"title": "x"}, {"title": ""}, "title"),
    (
        "feedback",
        "operational_team",
        "external_auditor",
        {"message": "x"},
        {"message": "x", "kind": "rant"},
        "kind",
    ),
    (
        "nonconformities",
        "ai_manager",
        "external_auditor",
        {"title": "x"},
        {"title": "x", "grade": "huge"},
        "grade",
    ),
    (
        "improvements",
        "risk_team",
        "external_auditor",
        {"title": "x"},
        {"title": "x", "owner_id": 999999},
        "owner",
    ),
    (
        "audit-programmes",
        "internal_audit",
        "ai_manager",
        {"title": "P", "start_year": 2026, "end_year": 2028},
        {"title": "P", "start_year": 2026, "end_year": 2020},
        "end_year",
    ),
    (
        "audits",
        "internal_audit",
        "ai_manager",
        {"title": "A", "planned_start": "2026-06-01"},
        {"title": "A", "planned_start": "2026-06-01", "planned_end": "2026-05-01"},
        "planned_end",
    ),
    (
        "management-reviews",
        "top_management",
        "risk_team",
        {"title": "R", "scheduled_for": "2026-12-01"},
        {"title": "R", "scheduled_for": "someday"},
        "scheduled_for",
    ),
    (
        "kpis",
        "ai_manager",
        "technical_team",
        {"key": "k1", "name": "K"},
        {"key": "bad key!", "name": "K"},
        "key",
    ),
    (
        "tasks",
        "risk_team",
        "external_auditor",
        {"title": "T"},
        {"title": "T", "assignee_role": "wizard"},
        "assignee_role",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("resource", "allowed", "refused", "body", "bad", "field"), CASES)
def test_each_resource_allows_refuses_and_hides(api, resource, allowed, refused, body, bad, field):
    made = api(allowed).post(f"/api/v1/{resource}", body, content_type="application/json")
    assert made.status_code == 201, made.content
    path = f"/api/v1/{resource}/{made.json()['id']}"
    assert api("external_auditor").get(path).status_code == 200
    assert api(refused).post(f"/api/v1/{resource}", body, content_type="application/json").status_code == 403
    assert api("mallory").get(path).status_code == 404
    assert api("mallory").patch(path, {}, content_type="application/json").status_code == 404
    assert api("mallory").get(f"/api/v1/{resource}").json()["count"] == 0
    wrong = api(allowed).post(f"/api/v1/{resource}", bad, content_type="application/json")
    assert wrong.status_code == 422, wrong.content
    assert wrong.json()["errors"][0]["field"].removesuffix("_id") == field
    assert api(None).get(f"/api/v1/{resource}").status_code == 401


@pytest.mark.django_db
def test_the_read_only_external_auditor_cannot_write_anything(api):
    assert (
        api("external_auditor")
        .post("/api/v1/incidents", {"title": "x"}, content_type="application/json")
        .status_code
        == 403
    )


def _fill(actor, members, n):
    ops, manager, auditor = actor("operational_team"), actor("ai_manager"), actor("internal_audit")
    for i in range(n):
        inc = services.create_incident(
            ops, {"title": f"i{i}", "owner_id": members["operational_team"].user_id}
        )
        services.add_timeline_entry(ops, inc, text="note")
        nc = services.incident_to_nonconformity(manager, inc)
        services.create_action(ops, {"nonconformity_id": nc.pk, "title": "a"})
        services.create_feedback(ops, {"message": f"m{i}"})
        audit = services.create_audit(
            auditor,
            {
                "title": f"a{i}",
                "planned_start": "2026-06-01",
                "clauses": ["9.2"],
                "auditors": [members["risk_team"].user_id],
            },
        )
        audit = services.audit_transition(auditor, audit, "in_progress")
        services.create_finding(auditor, {"audit_id": audit.pk, "kind": "opportunity", "title": "o"})
        from aims.assurance.models import ManagementReview

        review = core.create(
            manager,
            ManagementReview,
            {
                "title": f"r{i}",
                "scheduled_for": "2026-12-01",
                "attendees": [members["top_management"].user_id],
            },
        )
        review = services.review_transition(manager, review, "held")
        services.add_decision(manager, review, text="d", due_date=None, owner_id=members["cio_cdo"].user_id)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "resource",
    [
        "incidents",
        "feedback",
        "nonconformities",
        "corrective-actions",
        "audits",
        "findings",
        "management-reviews",
        "kpis",
        "tasks",
        "improvements",
    ],
)
def test_lists_run_in_a_bounded_number_of_queries(
    api, actor, members, org, resource, django_assert_max_num_queries
):
    _fill(actor, members, 6)
    services.measure_kpis(org)
    client = api("ai_manager")
    client.get("/api/v1/incidents")  # warm the token's last-used stamp
    with django_assert_max_num_queries(10):
        r = client.get(f"/api/v1/{resource}")
    assert r.status_code == 200 and r.json()["count"] >= 1
