import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from aims.assurance import services
from aims.assurance.models import AuditProgramme
from aims.core import services as core

START = dt.date(2026, 6, 1)


def plan(actor, members, **extra):
    data = {
        "title": "Incidents",
        "planned_start": START,
        "clauses": ["9.1", "A.8.4"],
        "processes": ["incidents"],
        "lead_auditor_id": members["internal_audit"].user_id,
        **extra,
    }
    return services.create_audit(actor("internal_audit"), data)


@pytest.mark.django_db
def test_the_checklist_comes_from_the_catalog_for_the_selected_clauses(actor, members):
    audit = plan(actor, members)
    assert list(audit.checklist.values_list("ref", flat=True)) == ["9.1", "A.8.4"]
    whole = plan(actor, members, clauses=[])
    refs = set(whole.checklist.values_list("ref", flat=True))
    assert {"4.1", "10.2", "A.2.2", "A.10.4"} <= refs and "A.6.1" not in refs and "9" not in refs


@pytest.mark.django_db
def test_an_auditor_may_not_audit_their_own_area(actor, members):
    with pytest.raises(ValidationError) as exc:
        plan(
            actor, members, auditors=[members["operational_team"].user_id]
        )  # operations is responsible for incidents
    assert "auditors" in exc.value.message_dict and "own area" in exc.value.message_dict["auditors"][0]
    with pytest.raises(ValidationError) as exc:
        plan(actor, members, lead_auditor_id=members["ai_manager"].user_id)  # accountable for incidents
    assert "lead_auditor" in exc.value.message_dict
    assert plan(
        actor, members, auditors=[members["risk_team"].user_id]
    ).pk  # consulted only: independent enough


@pytest.mark.django_db
def test_an_auditor_may_not_audit_the_audit_process_itself(actor, members):
    with pytest.raises(ValidationError):
        plan(actor, members, processes=["audits"])


@pytest.mark.django_db
def test_unknown_clauses_are_refused_by_name(api, members):
    r = api("internal_audit").post(
        "/api/v1/audits",
        {"title": "x", "planned_start": "2026-06-01", "clauses": ["A.5.1", "9.2"]},
        content_type="application/json",
    )
    assert (
        r.status_code == 422
        and r.json()["errors"][0]["field"] == "clauses"
        and "A.5.1" in r.json()["errors"][0]["messages"][0]
    )


@pytest.mark.django_db
def test_findings_raise_nonconformities_and_improvements(actor, members, api):
    auditor = actor("internal_audit")
    audit = plan(actor, members)
    with pytest.raises(ValidationError):  # not in progress yet
        services.create_finding(auditor, {"audit_id": audit.pk, "kind": "minor_nc", "title": "x"})
    audit = services.audit_transition(auditor, audit, "in_progress")
    minor = services.create_finding(
        auditor, {"audit_id": audit.pk, "kind": "minor_nc", "title": "Thresholds", "requirement": "9.1"}
    )
    assert (
        minor.nonconformity.source == "audit"
        and minor.nonconformity.grade == "minor"
        and minor.nonconformity.requirement == "9.1"
    )
    ofi = services.create_finding(
        auditor, {"audit_id": audit.pk, "kind": "opportunity", "title": "Feedback link"}
    )
    assert ofi.improvement is not None and ofi.nonconformity is None
    obs = services.create_finding(auditor, {"audit_id": audit.pk, "kind": "observation", "title": "Template"})
    assert obs.nonconformity is None and obs.improvement is None
    listed = api("external_auditor").get(f"/api/v1/findings?audit={audit.pk}").json()
    assert listed["count"] == 3 and {f["kind"] for f in listed["items"]} == {
        "minor_nc",
        "opportunity",
        "observation",
    }


@pytest.mark.django_db
def test_an_audit_is_reported_only_with_a_summary_and_a_full_checklist(actor, members):
    auditor = actor("internal_audit")
    audit = services.audit_transition(auditor, plan(actor, members), "in_progress")
    audit = core.update(auditor, audit, {"summary": "Fine"})
    with pytest.raises(ValidationError) as exc:
        services.audit_transition(auditor, audit, "reported")
    assert "checklist" in exc.value.message_dict
    for item in audit.checklist.all():
        services.update_checklist_item(auditor, item, result="conforming")
    assert services.audit_transition(auditor, audit, "reported").reported_at


@pytest.mark.django_db
def test_only_internal_audit_runs_audits_and_only_top_management_approves_the_programme(actor, api):
    with pytest.raises(PermissionDenied):
        services.create_audit(actor("ai_manager"), {"title": "x", "planned_start": START})
    programme = core.create(
        actor("internal_audit"), AuditProgramme, {"title": "P", "start_year": 2026, "end_year": 2028}
    )
    with pytest.raises(PermissionDenied):
        services.approve_programme(actor("internal_audit"), programme)
    assert (
        api("top_management").post(f"/api/v1/audit-programmes/{programme.pk}/approve").json()["status"]
        == "approved"
    )
    assert api("mallory").get(f"/api/v1/audit-programmes/{programme.pk}/coverage").status_code == 404


@pytest.mark.django_db
def test_programme_coverage_lists_what_no_audit_covers(actor, members):
    programme = core.create(
        actor("internal_audit"), AuditProgramme, {"title": "P", "start_year": 2026, "end_year": 2028}
    )
    plan(actor, members, programme_id=programme.pk, clauses=["9", "10"])
    cov = services.programme_coverage(programme, actor("internal_audit"))
    assert (
        "9.2" not in cov["missing"]
        and "10.1" not in cov["missing"]
        and "4.1" in cov["missing"]
        and "A.2.2" in cov["missing"]
    )
    assert cov["required"] == 27 + 38 and cov["covered"] == 5


@pytest.mark.django_db
def test_the_audit_report_prints_as_pdf(browser_client, actor, members):
    audit = plan(actor, members)
    response = browser_client("external_auditor").get(f"/assurance/audits/{audit.pk}/report.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert timezone.localdate()  # the report carries the print date
