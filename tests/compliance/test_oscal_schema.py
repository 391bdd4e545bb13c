"""The OSCAL exports are valid against NIST's published OSCAL JSON schema (the complete schema of
the OSCAL 1.2.3 release, vendored under tests/compliance/data/, see its SOURCE.md), and keep the
identifier rules the schema cannot express (ids unique within a document)."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from aims.compliance import catalog_files as cf
from aims.compliance import exports, oscal, services
from aims.compliance.models import Framework

jsonschema_rs = pytest.importorskip("jsonschema_rs")  # installed with schemathesis (the test extra)

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
SCHEMA_FILE = DATA / "oscal_complete_schema.json"
SCHEMA_SHA256 = "384324105c7a817af0f65b120a963146caa0e0d55d969cf0daf60e063b87a206"


@pytest.fixture(scope="module")
def validator() -> Any:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    # The schema's token patterns use \p{L} and \p{N}: jsonschema_rs (Rust regex) understands them,
    # Python's `re` (and so the `jsonschema` package) does not.
    return jsonschema_rs.Draft7Validator(schema, validate_formats=True)


def _errors(validator: Any, document: dict[str, Any]) -> list[str]:
    return [f"{'/'.join(map(str, e.instance_path))}: {e.message}" for e in validator.iter_errors(document)][
        :20
    ]


def _ids(node: Any, key: str = "id") -> list[str]:
    found: list[str] = []
    if isinstance(node, dict):
        for k, v in node.items():
            if k == key and isinstance(v, str):
                found.append(v)
            else:
                found += _ids(v, key)
    elif isinstance(node, list):
        for item in node:
            found += _ids(item, key)
    return found


def test_the_vendored_schema_is_the_unmodified_nist_file():
    assert hashlib.sha256(SCHEMA_FILE.read_bytes()).hexdigest() == SCHEMA_SHA256


def test_the_schema_catches_a_broken_document(validator):
    """A guard against a validator that accepts anything."""
    broken = {"catalog": {"uuid": "not-a-uuid", "metadata": {"title": "x"}, "controls": [{"id": "1 bad"}]}}
    messages = _errors(validator, broken)
    assert messages, "an invalid catalog passed"
    assert not validator.is_valid({"catalog": {"uuid": "00000000-0000-4000-8000-000000000000"}})


@pytest.mark.parametrize("slug", cf.list_catalogs())
def test_every_shipped_catalog_exports_as_valid_oscal(validator, slug):
    framework = services.builtin(slug)
    document = oscal.catalog(framework)
    assert _errors(validator, document) == []
    ids = Counter(_ids(document["catalog"].get("groups", [])) + _ids(document["catalog"].get("controls", [])))
    assert [i for i, n in ids.items() if n > 1] == [], "OSCAL ids must be unique within the catalog"


def test_an_organizations_own_framework_exports_as_valid_oscal(validator, actor):
    manager = actor("ai_manager")
    fw = services.create_framework(
        manager, {"slug": "bank-model-policy", "name": "Model risk policy", "version": "2026"}
    )
    services.add_requirement(manager, fw, {"ref_id": "MRP 1", "title": "Model inventory"})
    services.add_requirement(
        manager, fw, {"ref_id": "MRP 1.1", "title": "Owner named", "parent": "MRP 1", "description": "Each."}
    )
    services.add_requirement(manager, fw, {"ref_id": "9", "title": "A number first"})
    document = oscal.catalog(Framework.objects.get(pk=fw.pk))
    assert _errors(validator, document) == []


def test_the_soa_exports_as_a_valid_system_security_plan(validator, actor, control):
    manager = actor("ai_manager")
    soa = services.start_soa(manager)
    entries = list(soa.entries.select_related("requirement").order_by("requirement__order"))
    services.update_entry(
        manager,
        entries[0],
        {"applicable": True, "justification": "Needed.\nSecond line.", "implementation_status": "partial"},
    )
    services.update_entry(manager, entries[1], {"applicable": False, "justification": "Not relevant."})
    document = json.loads(exports.soa_oscal(soa))
    assert _errors(validator, document) == []
    ssp = document["system-security-plan"]
    uuids = Counter(_ids(ssp, "uuid"))
    assert [u for u, n in uuids.items() if n > 1] == [], "OSCAL uuids must be unique"
