"""`aims assurance export`: the registers of clauses 9 and 10 as CSV, XLSX and PDF, through the shared
renderers, scoped to the organization, each export in the audit trail."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import CommandError, call_command

from aims.assurance import exports, services
from aims.core.models import AuditEvent


@pytest.fixture
def registers(actor):
    ops, manager, auditor = actor("operational_team"), actor("ai_manager"), actor("internal_audit")
    incident = services.create_incident(ops, {"title": '=HYPERLINK("http://evil")', "severity": "high"})
    nc = services.incident_to_nonconformity(manager, incident)
    services.create_action(ops, {"nonconformity_id": nc.pk, "title": "Retrain with the new data"})
    audit = services.create_audit(
        auditor, {"title": "Clause 9", "planned_start": "2026-06-01", "clauses": ["9.1"]}
    )
    services.audit_transition(auditor, audit, "in_progress")
    services.create_finding(auditor, {"audit_id": audit.pk, "kind": "observation", "title": "Thin records"})
    services.measure_kpis(manager.organization)
    return {"incident": incident, "nc": nc, "audit": audit}


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("assurance", "export", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize("kind", sorted(exports.KINDS))
def test_every_register_exports_as_csv_xlsx_and_pdf(org, members, registers, kind, tmp_path):
    from openpyxl import load_workbook

    email = members["external_auditor"].user.email
    rows = list(csv.reader(io.StringIO(run(kind, "--org", org.slug, "--email", email))))
    assert rows[0] == [str(h) for h in exports.KINDS[kind].headers]
    if kind != "objectives":
        assert len(rows) > 1
    xlsx = tmp_path / f"{kind}.xlsx"
    run(kind, "--org", org.slug, "-o", str(xlsx))
    sheet = load_workbook(xlsx).active
    assert sheet.max_row == len(rows)
    pdf = tmp_path / f"{kind}.pdf"
    run(kind, "--org", org.slug, "--format", "pdf", "-o", str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF")
    events = AuditEvent.objects.filter(action="export", object_type=exports.KINDS[kind].object_type)
    assert [e.changes["format"] for e in events.order_by("id")] == ["csv", "xlsx", "pdf"]


@pytest.mark.django_db
def test_the_incident_export_has_the_record_and_no_formula(org, registers):
    rows = list(csv.DictReader(io.StringIO(run("incidents", "--org", org.slug))))
    assert rows[0]["Reference"] == registers["incident"].reference
    assert rows[0]["Title"].startswith("'=")  # neutralised for spreadsheets
    assert rows[0]["Severity"] == "High"


@pytest.mark.django_db
def test_another_organization_exports_none_of_ours(org, other_org, members, mallory, registers):
    with pytest.raises(CommandError):
        run("incidents", "--org", org.slug, "--email", mallory.user.email)
    rows = list(csv.reader(io.StringIO(run("incidents", "--org", other_org.slug))))
    assert rows[1:] == []


@pytest.mark.django_db
def test_it_refuses_a_role_without_the_export_right(org, members, monkeypatch):
    from aims.core import permissions

    monkeypatch.setitem(
        permissions.GRANTS["incident"], "export", frozenset({"ai_manager"})
    )  # a stricter matrix: the command follows it
    with pytest.raises(CommandError):
        run("incidents", "--org", org.slug, "--email", members["risk_team"].user.email)
    assert not AuditEvent.objects.filter(action="export").exists()


@pytest.mark.django_db
def test_binary_formats_need_a_file(org):
    with pytest.raises(CommandError):
        run("kpis", "--org", org.slug, "--format", "xlsx")
