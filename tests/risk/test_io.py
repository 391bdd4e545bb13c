"""`aims risk export` / `aims risk import`: the register in and out as CSV, XLSX, JSON (and PDF out),
all or nothing, every error naming its row and column, every write through the risk services
(permission, validation, computed levels, audit entry)."""

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from aims.core.actors import Actor
from aims.core.models import AuditEvent
from aims.risk import io as risk_io
from aims.risk.models import Risk, RiskReassessment

pytestmark = pytest.mark.django_db


def run(*args, **options):
    out, err = io.StringIO(), io.StringIO()
    call_command("risk", *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def csv_bytes(rows):
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def state(org):
    """Everything an import could write."""
    return (
        list(Risk.objects.filter(organization=org).order_by("pk").values()),
        AuditEvent.objects.count(),
        RiskReassessment.objects.count(),
    )


@pytest.fixture
def register(risk, actor, system, party, members):
    from aims.risk import services

    services.update_risk(
        actor("risk_team"),
        risk,
        {
            "owner_id": members["risk_team"].user.pk,
            "treatment": "mitigate",
            "treatment_plan": '=HYPERLINK("x") Reweigh the training data',
            "residual_likelihood": 2,
            "residual_impact": 3,
            "control_refs": ["A.7.4", "A.5.4"],
            "interested_parties": [party.pk],
            "status": "treatment_planned",
        },
    )
    services.create_risk(actor("risk_team"), {"title": "Chatbot leaks personal data", "category": "privacy"})
    return Risk.objects.order_by("number")


def test_the_export_reimports_without_a_change_in_every_format(tmp_path, org, register):
    for fmt in ("csv", "xlsx", "json"):
        target = tmp_path / f"register.{fmt}"
        _out, err = run("export", org="acme", output=str(target))
        assert f"2 risks, {fmt}" in err
        before = state(org)
        out, _err = run("import", str(target), org="acme")
        assert "0 created, 0 updated, 2 unchanged (2 rows)" in out, fmt
        rows, events, reassessments = state(org)
        assert (rows, reassessments) == before[::2] and events == before[1] + 1  # the import's own entry


def test_the_csv_export_has_codes_computed_columns_and_quoted_formulas(org, register):
    out, _err = run("export", org="acme", format="csv")
    rows = list(csv.DictReader(io.StringIO(out.lstrip("\ufeff"))))
    first = rows[0]
    assert (
        first["ref"] == "R-0001" and first["category"] == "bias" and first["ai_systems"] == "credit-scoring"
    )
    assert (first["likelihood"], first["inherent_level"], first["residual_level"]) == ("4", "high", "medium")
    assert first["owner"] == "risk_team@acme.example" and first["control_refs"] == "A.7.4; A.5.4"
    assert first["interested_parties"] == "Applicants" and first["status"] == "treatment_planned"
    assert first["treatment_plan"].startswith("'=HYPERLINK")
    assert rows[1]["ai_systems"] == "" and rows[1]["level"] == ""
    event = AuditEvent.objects.filter(action="export", object_type="risk").latest("pk")
    assert event.changes == {"format": "csv", "rows": 2} and event.source == "cli"


def test_the_export_takes_the_registers_filters(org, register):
    out, _err = run("export", org="acme", format="json", category="privacy")
    assert [r["title"] for r in json.loads(out)] == ["Chatbot leaks personal data"]
    out, _err = run("export", org="acme", format="json", system="credit-scoring", sort="-number")
    assert [r["ref"] for r in json.loads(out)] == ["R-0001"]


def test_an_import_adds_risks_through_the_services_with_values_by_code_or_label(
    tmp_path, org, members, system, party, method
):
    path = tmp_path / "new.csv"
    path.write_bytes(
        csv_bytes(
            [
                [
                    "Title",
                    "Category",
                    "AI systems",
                    "Likelihood",
                    "Impact",
                    "Owner",
                    "Treatment",
                    "status",
                    "residual_likelihood",
                    "residual_impact",
                    "control_refs",
                    "interested_parties",
                ],
                [
                    "Model drift",
                    "Performance",
                    "Credit scoring",
                    "Likely",
                    "5",
                    "RISK_TEAM@acme.example",
                    "Mitigate",
                    "Treatment planned",
                    "2",
                    "2",
                    "A.6.2.6; A.9.4",
                    "applicants",
                ],
                ["Prompt injection", "security", "", "", "", "", "", "", "", "", "", ""],
            ]
        )
    )
    out, _err = run("import", str(path), org="acme", email="risk_team@acme.example")
    assert "2 created, 0 updated, 0 unchanged (2 rows)" in out
    drift = Risk.objects.get(title="Model drift")
    assert (drift.likelihood, drift.impact, drift.inherent_level, drift.residual_level) == (
        4,
        5,
        "critical",
        "low",
    )
    assert drift.status == "treatment_planned" and drift.treatment == "mitigate"
    assert list(drift.ai_systems.all()) == [system] and list(drift.interested_parties.all()) == [party]
    assert drift.owner == members["risk_team"].user and drift.control_refs == ["A.6.2.6", "A.9.4"]
    assert drift.category.key == "performance" and drift.next_review_date is not None
    injection = Risk.objects.get(title="Prompt injection")
    assert (injection.status, injection.level, injection.ref) == ("identified", "", "R-0002")
    created = AuditEvent.objects.filter(action="create", object_type="risk")
    assert created.count() == 2 and {e.source for e in created} == {"cli"}
    assert AuditEvent.objects.filter(object_type="risk", object_id=str(drift.pk), action="update").exists()
    summary = AuditEvent.objects.get(action="import", object_type="risk")
    assert summary.changes["created"] == 2 and summary.actor_email == "risk_team@acme.example"


def test_an_import_updates_the_risks_its_refs_name_as_a_reassessment(tmp_path, org, risk):
    path = tmp_path / "update.json"
    path.write_text(json.dumps([{"ref": "R-0001", "likelihood": 2, "rationale": "Reweighed in March"}]))
    out, _err = run("import", str(path), org="acme", email="risk_team@acme.example")
    assert "0 created, 1 updated" in out
    risk.refresh_from_db()
    assert (risk.likelihood, risk.inherent_level, risk.rationale) == (2, "medium", "Reweighed in March")
    again = RiskReassessment.objects.get(risk=risk)
    assert again.previous["likelihood"] == 4 and again.note == "Imported"


def test_a_failing_row_writes_nothing_and_every_error_names_its_row_and_column(tmp_path, org, risk, system):
    before = state(org)
    path = tmp_path / "bad.csv"
    path.write_bytes(
        csv_bytes(
            [
                ["ref", "title", "category", "likelihood", "impact", "owner", "ai_systems", "status"],
                ["", "Fine risk", "bias", "3", "3", "", "", ""],
                ["", "Off the scale", "bias", "7", "3", "", "", ""],
                ["", "Nobody", "astrology", "3", "", "nobody@example.com", "", ""],
                ["R-0099", "Ghost", "bias", "", "", "", "", ""],
                ["", "Half assessed", "bias", "3", "", "", "credit-scoring; mystery", ""],
                ["", "Accepted at once", "bias", "3", "3", "", "", "accepted"],
                ["", "", "bias", "", "", "", "", ""],
            ]
        )
    )
    with pytest.raises(CommandError, match="nothing was written"):
        run("import", str(path), org="acme")
    _out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError):
        call_command("risk", "import", str(path), org="acme", stdout=_out, stderr=err)
    lines = err.getvalue().splitlines()
    assert lines[0].startswith("row 3, likelihood: Choose a value from 1 to 5"), lines
    assert any(line.startswith("row 4, category: Unknown category “astrology”") for line in lines)
    assert any(line.startswith("row 4, owner: No member of this organization") for line in lines)
    assert any(line.startswith("row 5, ref: There is no risk R-0099") for line in lines)
    assert any(
        line.startswith("row 6, ai_systems: No AI system of this organization has the slug or name “mystery”")
        for line in lines
    )
    assert any(line.startswith("row 7, status:") for line in lines)
    assert any(line.startswith("row 8, title: A new risk needs a title") for line in lines)
    assert not any(line.startswith("row 2") for line in lines)
    assert state(org) == before


def test_a_service_validation_error_is_reported_on_its_row_and_field(tmp_path, org, method):
    path = tmp_path / "half.json"
    path.write_text(
        json.dumps(
            [{"title": "ok", "category": "bias"}, {"title": "Half", "category": "bias", "likelihood": 3}]
        )
    )
    result = risk_io.import_risks(Actor.system(org), path.read_bytes(), "json")
    assert not result.ok and [(e.row, e.field) for e in result.errors] == [(2, "impact")]
    assert not Risk.objects.exists()


def test_a_dry_run_checks_everything_and_writes_nothing(tmp_path, org, method):
    before = state(org)
    path = tmp_path / "new.json"
    path.write_text(
        json.dumps([{"title": "Model drift", "category": "performance", "likelihood": 3, "impact": 3}])
    )
    out, _err = run("import", str(path), org="acme", dry_run=True)
    assert out.startswith("dry run, nothing written: would have 1 created")
    assert state(org) == before


def test_the_import_refuses_a_role_that_may_not_write_risks(tmp_path, org, risk):
    path = tmp_path / "new.json"
    path.write_text(json.dumps([{"title": "Model drift", "category": "performance"}]))
    with pytest.raises(CommandError, match="(?i)permission|not allowed|may not"):
        run("import", str(path), org="acme", email="external_auditor@acme.example")
    # The technical team may raise risks, not change them: rows with a ref are refused.
    out, _err = run("import", str(path), org="acme", email="technical_team@acme.example")
    assert "1 created" in out
    update = tmp_path / "update.json"
    update.write_text(json.dumps([{"ref": "R-0001", "likelihood": 1}]))
    with pytest.raises(CommandError):
        run("import", str(update), org="acme", email="technical_team@acme.example")
    assert Risk.objects.get(number=1).likelihood == 4


def test_another_organizations_refs_are_not_found(tmp_path, org, risk, mallory):
    path = tmp_path / "update.json"
    path.write_text(json.dumps([{"ref": "R-0001", "title": "Hijacked"}]))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "risk",
            "import",
            str(path),
            org="other",
            email="mallory@other.example",
            stdout=io.StringIO(),
            stderr=err,
        )
    assert "row 1, ref: There is no risk R-0001 in this organization" in err.getvalue()
    risk.refresh_from_db()
    assert risk.title != "Hijacked"
    out, _err = run("export", org="other", format="json", email="mallory@other.example")
    assert json.loads(out) == []


def test_the_register_export_of_the_web_page_imports_too(api, org, register):
    body = b"".join(api("risk_team").get("/api/v1/risks/export", {"format": "csv"}).streaming_content)
    result = risk_io.import_risks(Actor.system(org), body, "csv", "register.csv")
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)


def test_unreadable_files_are_refused_whole(tmp_path, org, method):
    for name, content, message in [
        ("empty.csv", b"", "file: The file is empty."),
        ("header.csv", b"title,colour\nx,red\n", "row 1, colour: Unknown column"),
        ("list.json", b'{"title": "x"}', "The JSON must be a list"),
        ("old.xls", b"\xd0\xcf\x11\xe0", "Old Excel .xls files are not supported"),
    ]:
        path = tmp_path / name
        path.write_bytes(content)
        err = io.StringIO()
        with pytest.raises(CommandError):
            call_command("risk", "import", str(path), org="acme", stdout=io.StringIO(), stderr=err)
        assert message in err.getvalue(), (name, err.getvalue())


def test_the_xlsx_export_has_a_register_sheet_and_a_column_help_sheet(tmp_path, org, register):
    target = tmp_path / "register.xlsx"
    run("export", org="acme", output=str(target))
    wb = load_workbook(target)
    assert wb.sheetnames == ["Risk register", "Columns"]
    header = [c.value for c in wb["Risk register"][1]]
    assert header[: len(risk_io.COLUMNS)] == list(risk_io.COLUMNS)
    assert wb["Risk register"]["H2"].value == 4  # likelihood, a number


def test_binary_formats_need_an_output_file(org, method):
    with pytest.raises(CommandError, match="-o FILE"):
        run("export", org="acme", format="pdf")


def test_the_pdf_export_is_the_printed_register_with_its_heat_maps(tmp_path, org, register):
    from pypdf import PdfReader

    target = tmp_path / "register.pdf"
    _out, err = run("export", org="acme", output=str(target))
    content = target.read_bytes()
    assert content[:5] == b"%PDF-"
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())
    assert "AI risk register" in text and "Biased scores for young applicants" in text
    assert "Inherent risk" in text and "Residual risk" in text and "R-0002" in text
    assert AuditEvent.objects.filter(
        action="export", object_type="risk", object_repr__endswith=".pdf"
    ).exists()
