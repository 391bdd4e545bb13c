"""Audit checklists from the ISO/IEC 42001 catalog (the compliance app's data file) and the Statement
of Applicability: one question per assessable clause and per applicable Annex A control."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

CATALOG = "iso-iec-42001-2023"


@lru_cache(maxsize=1)
def _requirements() -> list[Any]:
    from aims.compliance.catalog_files import load_catalog

    return [r for r in load_catalog(CATALOG).requirements if r.assessable]


@lru_cache(maxsize=1)
def known_refs() -> frozenset[str]:
    from aims.compliance.catalog_files import load_catalog

    return frozenset(load_catalog(CATALOG).ref_ids)


def assessable() -> list[Any]:
    return _requirements()


def clause_refs() -> list[str]:
    return [r.ref_id for r in _requirements() if not r.ref_id.startswith("A.")]


def control_refs() -> list[str]:
    return [r.ref_id for r in _requirements() if r.ref_id.startswith("A.")]


def excluded_controls(actor: Any) -> set[str]:
    """Annex A controls the Statement of Applicability excludes, when the compliance app can say so
    (`aims.compliance.services.excluded_controls(actor)`); none otherwise."""
    try:
        from aims.compliance import services as compliance
    except ImportError:
        return set()
    fn = getattr(compliance, "excluded_controls", None)
    return set(fn(actor)) if fn else set()


def covers(ref: str, selected: list[str]) -> bool:
    """A selection covers a requirement when it names it or one of its parents ('9' covers '9.2')."""
    return any(ref == s or ref.startswith(s + ".") for s in selected)


def items_for(actor: Any, selected: list[str]) -> list[dict[str, str]]:
    """Checklist rows for the selected clauses and controls (everything when none is selected)."""
    excluded = excluded_controls(actor)
    rows = []
    for r in _requirements():
        if r.ref_id in excluded:
            continue
        if selected and not covers(r.ref_id, selected):
            continue
        evidence = "; ".join(d.item for d in r.documented_information)
        question = r.description or r.title
        rows.append(
            {
                "ref": r.ref_id,
                "title": r.title,
                "question": f"Is this in place and effective? {question}",
                "evidence_expected": evidence,
            }
        )
    return rows
