"""The shipped catalogs checked against the project's reference notes themselves,
`../shared/reference/standards.md` (beside the repository, as on the developers' machines and in
CI; or the file named by AIMS_REFERENCE). The tables of the reference are parsed here, so a
correction there shows up as a failing test until the catalog follows.

The reference abridges some official titles (GDPR "Special categories of personal data" for Art. 9
"Processing of special categories of personal data"); those are compared by containment. ISO
numbers and titles are compared exactly."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest

from aims.compliance.catalog_files import load_catalog

REPO = Path(__file__).resolve().parents[2]


def _reference_file() -> Path | None:
    candidates = [Path(os.environ["AIMS_REFERENCE"])] if os.environ.get("AIMS_REFERENCE") else []
    candidates.append(REPO.parent / "shared" / "reference" / "standards.md")
    return next((p for p in candidates if p.is_file()), None)


REFERENCE = _reference_file()
pytestmark = pytest.mark.skipif(REFERENCE is None, reason="../shared/reference/standards.md not found")


@pytest.fixture(scope="module")
def ref() -> str:
    assert REFERENCE is not None
    return REFERENCE.read_text(encoding="utf-8")


def _section(text: str, number: int) -> str:
    match = re.search(rf"^## {number}\. .*?(?=^## \d+\. |\Z)", text, flags=re.M | re.S)
    assert match, f"section {number} of the reference not found"
    return match.group(0)


def _rows(section: str) -> list[list[str]]:
    """The cells of every markdown table row that is not a header or a rule."""
    rows = []
    for line in section.splitlines():
        if not line.startswith("|") or re.match(r"^\|[-\s|]+\|$", line):
            continue
        rows.append([c.strip() for c in line.strip().strip("|").split("|")])
    return rows


def _words(text: str) -> set[str]:
    text = re.sub(r"\(.*?\)", "", text).replace("'", "").replace("’", "").lower()
    return set(re.findall(r"[a-z0-9]+", text))


# --- ISO/IEC 42001 ----------------------------------------------------------------------------------


def test_42001_clauses_and_mandatory_documented_information_match_the_reference(ref):
    iso = load_catalog("iso-iec-42001-2023")
    rows = [r for r in _rows(_section(ref, 1)) if re.fullmatch(r"\d+(\.\d+)+", r[0])]
    assert len(rows) >= 25
    for number, title, _what, di in rows:
        # "Documented information (7.5.1 General; 7.5.2 ...)": the title, then its sub-clauses.
        main = re.sub(r"\s*\(.*\)$", "", title)
        assert iso.get(number).title == main, number
        for sub in re.findall(r"(\d+\.\d+\.\d+)", title):
            assert iso.get(sub).parent == number, sub
        if "**M:" in di:
            assert iso.get(number).mandatory_documented_information, f"{number} has mandatory DI"


def test_42001_annex_a_matches_the_reference(ref):
    iso = load_catalog("iso-iec-42001-2023")
    section = _section(ref, 2)
    controls, objectives = {}, {}
    for cells in _rows(section):
        number = cells[0].strip("*")
        if not re.fullmatch(r"A\.\d+(\.\d+)*", number):
            continue
        title = cells[1].strip("*")
        if number.count(".") == 1 or number in ("A.6.1", "A.6.2"):
            objectives[number] = title
        else:
            controls[number] = title
    assert len(controls) == 38 and len(objectives) == 11  # A.2-A.10, and A.6.1, A.6.2 under A.6
    assert {r.ref_id: r.title for r in iso.of_kind("control")} == controls
    for number, title in objectives.items():
        assert iso.get(number).title == title, number
    # Annex C objectives and risk sources.
    lists = [x for x in section.splitlines() if re.match(r"\s*- C\.[23] (objectives|risk sources):", x)]
    annex_c = dict(re.findall(r"(C\.[23]\.\d+) ([^;]+?)(?=;|\.(?:\s|$))", " ".join(x.strip() for x in lists)))
    assert len(annex_c) == 18
    assert {item.ref_id: item.title for item in iso.annex_c} == annex_c


# --- EU AI Act --------------------------------------------------------------------------------------


def test_ai_act_articles_areas_and_dates_match_the_reference(ref):
    act = load_catalog("eu-ai-act-2024-1689")
    section = _section(ref, 3)
    # The articles the issue and the reference name (provider table: "18 / 19", "47 / 48 / 49").
    wanted = {4, 5, 6, 26, 27, 50, 53, 55, 86, 99, 101, 113}
    for cells in _rows(section):
        if re.fullmatch(r"\d+( / \d+)*( \+ Annex [IVX]+)?", cells[0]):
            wanted |= {int(n) for n in re.findall(r"\d+", cells[0].split("+")[0])}
    wanted |= set(range(9, 18))
    missing = sorted(n for n in wanted if f"Art. {n}" not in act)
    assert missing == []
    # Each prohibited practice (a)-(h) of Art. 5(1).
    letters = re.findall(r"^- \(([a-h])\) ", section, flags=re.M)
    assert letters == list("abcdefgh")
    for letter in letters:
        assert f"Art. 5(1)({letter})" in act, letter
    # The eight Annex III areas.
    areas = re.findall(r"^(\d)\. (.+)$", section.split("The eight Annex III areas:")[1], flags=re.M)[:8]
    assert [n for n, _t in areas] == [str(i) for i in range(1, 9)]
    for n, title in areas:
        assert _words(title) <= _words(act.get(f"Annex III({n})").title), n
    # Art. 73 deadlines: 15, 2 and 10 days.
    days = {r.deadline_days for r in act.walk("Art. 73") if r.deadline_days}
    assert days == {15, 2, 10}
    # The application dates of Art. 113, and the Omnibus dates marked as an amendment.
    dates = {d.date for d in act.application_dates if d.amendment is None}
    for cells in _rows(section):
        if re.fullmatch(r"\*?\*?\d{4}-\d\d-\d\d\*?\*?", cells[0]):
            assert dt.date.fromisoformat(cells[0].strip("*")) in dates, cells[0]
    omnibus = {d.date for d in act.application_dates if d.amendment == "digital-omnibus-ai"}
    assert {dt.date(2027, 12, 2), dt.date(2028, 8, 2), dt.date(2026, 12, 2)} <= omnibus
    # "Publication in the OJ was not verified": the amendment is not applied by default.
    assert act.amendment("digital-omnibus-ai").status not in ("published", "in_force")


# --- NIST AI RMF ------------------------------------------------------------------------------------


def test_nist_categories_and_subcategory_counts_match_the_reference(ref):
    nist = load_catalog("nist-ai-rmf-1-0")
    counts = {}
    for cells in _rows(_section(ref, 4)):
        m = re.fullmatch(r"((?:GOVERN|MAP|MEASURE|MANAGE) \d+) \((\d+)(?: subcat\.)?\)", cells[0])
        if m:
            counts[m.group(1)] = int(m.group(2))
    assert len(counts) == 19 and sum(counts.values()) == 72
    assert {r.ref_id: len(nist.children(r.ref_id)) for r in nist.of_kind("category")} == counts
    assert [r.ref_id for r in nist.of_kind("function")] == ["GOVERN", "MAP", "MEASURE", "MANAGE"]


# --- related regimes --------------------------------------------------------------------------------


def test_gdpr_articles_match_the_reference(ref):
    gdpr = load_catalog("gdpr-2016-679")
    section = _section(ref, 5)
    seen = 0
    for cells in _rows(section.split("**CCPA")[0]):
        numbers = re.findall(r"\d+", cells[0])
        if not numbers:
            continue
        for n in numbers:
            assert f"Art. {n}" in gdpr, n
        if len(numbers) == 1:  # "13 / 14" shares one abridged title
            assert cells[1].lower() in gdpr.get(f"Art. {numbers[0]}").title.lower(), numbers[0]
        seen += len(numbers)
    assert seen == 10
    for point in ("13(2)(f)", "14(2)(g)", "15(1)(h)"):
        assert f"Art. {point}" in gdpr
    assert "Art. 36" in gdpr  # prior consultation, named after Art. 35


def test_ccpa_sections_and_dates_match_the_reference(ref):
    ccpa = load_catalog("ccpa-cpra-admt")
    assert "§§ 7200–7222" in ccpa and "§§ 7150–7157" in ccpa and "§ 7220" in ccpa
    dates = {d.date for d in ccpa.application_dates}
    assert {dt.date(2026, 1, 1), dt.date(2027, 1, 1), dt.date(2028, 4, 1)} <= dates
    assert {dt.date(2029, 4, 1), dt.date(2030, 4, 1)} <= dates  # cybersecurity audits by revenue tier


def test_iso27001_themes_match_the_reference(ref):
    iso = load_catalog("iso-iec-27001-2022")
    line = next(x for x in _section(ref, 5).splitlines() if x.startswith("**ISO/IEC 27001:2022 Annex A**"))
    themes = re.findall(r"(A\.\d) (\w+) \((\d+)\)", line)
    assert len(themes) == 4 and sum(int(n) for *_x, n in themes) == 93
    for number, word, count in themes:
        assert iso.get(number).title.startswith(word), number
        assert len(iso.children(number)) == int(count), number


def test_iso27701_editions_and_relations_match_the_reference(ref):
    section = _section(ref, 5)
    assert "standalone" in section and "27706:2025" in section  # what the catalogs below rely on
    old, new = load_catalog("iso-iec-27701-2019"), load_catalog("iso-iec-27701-2025")
    relations = {(r.kind, r.catalog) for r in old.relations}
    assert ("extends", "iso-iec-27001-2022") in relations
    assert ("superseded_by", "iso-iec-27701-2025") in relations
    assert old.status == "superseded"
    # 2025: standalone, its own clauses 4 to 10 in the harmonized structure shared with 42001.
    iso42001 = load_catalog("iso-iec-42001-2023")
    assert [r.ref_id for r in new.roots()] == [str(n) for n in range(4, 11)]
    assert [r.title for r in new.roots()] == [iso42001.get(str(n)).title for n in range(4, 11)]
    assert "standalone" in new.description and "27706:2025" in new.description
    new_relations = {(r.kind, r.catalog) for r in new.relations}
    assert {
        ("replaces", "iso-iec-27701-2019"),
        ("integrates_with", "iso-iec-42001-2023"),
        ("integrates_with", "iso-iec-27001-2022"),
    } <= new_relations
    # And from the AIMS side: 42001 integrates with both (Annex D, shared clauses).
    assert {("integrates_with", "iso-iec-27701-2025"), ("integrates_with", "iso-iec-27001-2022")} <= {
        (r.kind, r.catalog) for r in iso42001.relations
    }
