"""The shared renderers produce real files: a PDF that pdf readers accept, an XLSX openpyxl reads
back, CSV with formula injection neutralised."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from aims.reports.renderers import safe_cell, to_csv, to_pdf, to_xlsx


@pytest.mark.parametrize("value", ["=1+2", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_it_neutralises_formulas(value):
    assert safe_cell(value) == "'" + value


def test_it_leaves_plain_text_and_numbers_alone():
    assert safe_cell("Credit scoring") == "Credit scoring"
    assert safe_cell(-3) == -3


def test_csv_round_trips_with_a_bom():
    data = to_csv(["name", "note"], [["A", "=HYPERLINK()"], ["B", None]])
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [["name", "note"], ["A", "'=HYPERLINK()"], ["B", ""]]


def test_xlsx_has_one_sheet_per_entry():
    data = to_xlsx({"Systems": (["name"], [["A"], ["=x"]]), "Risks": (["title"], [])})
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Systems", "Risks"]
    assert [c.value for c in book["Systems"]["A"]] == ["name", "A", "'=x"]


def test_pdf_is_a_real_pdf(settings):
    pdf = to_pdf("reports/base_pdf.html", {"organization": {"name": "Acme"}})
    assert pdf.startswith(b"%PDF-") and len(pdf) > 800
