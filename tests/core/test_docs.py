"""The documents generated from code, or describing it, stay in step with it."""

from __future__ import annotations

import io
import re
from pathlib import Path

from django.core.management import call_command
from django.utils import timezone

from aims.core.models import AuditEvent
from aims.core.permissions import OBJECT_TYPES, matrix_markdown

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_docs_permissions_md_is_the_generated_matrix():
    """Regenerate with `make docs` (aims permissions --markdown > docs/permissions.md)."""
    assert (DOCS / "permissions.md").read_text(encoding="utf-8") == matrix_markdown()


def test_the_permissions_command_prints_the_matrix():
    out = io.StringIO()
    call_command("permissions", "--markdown", stdout=out)
    assert out.getvalue() == matrix_markdown()


def test_the_matrix_has_one_row_per_object_type_and_action():
    rows = [line for line in matrix_markdown().splitlines() if line.startswith("| ") and "(`" in line]
    assert len(rows) == len(OBJECT_TYPES) * 6
    assert all(line.count("|") == 2 + 1 + 9 for line in rows)  # type, action and nine roles


def test_the_audit_trail_guide_names_every_hashed_field_and_every_action():
    guide = (DOCS / "audit-trail.md").read_text(encoding="utf-8")
    covered = set(AuditEvent(created_at=timezone.now()).canonical())
    start = guide.index("`canonical_json` is the entry's fields (")
    listed = guide[start : guide.index(") as JSON", start)]
    assert covered == set(re.findall(r"`([a-z_]+)`", listed)) - {"canonical_json"}, listed
    actions_row = next(line for line in guide.splitlines() if line.startswith("| action |"))
    assert set(re.findall(r"`([a-z_]+)`", actions_row)) == set(AuditEvent.Action.values)


def test_the_audit_trail_guide_explains_verify_and_its_limits():
    guide = (DOCS / "audit-trail.md").read_text(encoding="utf-8")
    for needle in (
        "aims audit verify",
        "exits with status 1",
        "tail truncation",
        "checkpoint",
        "recomputes every later hash",
    ):
        assert needle in guide.lower() or needle in guide, needle
    assert "(permissions.md)" in guide and (DOCS / "permissions.md").exists()
