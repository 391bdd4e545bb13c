"""Evidence that points to a record in AIMS must name a record that exists in the organization: a
typo, an unknown kind of record or another organization's record is refused (422 naming the field)."""

from __future__ import annotations

import pytest

from aims.lifecycle import services
from aims.lifecycle.models import GateCriterion, GateEvidence

pytestmark = pytest.mark.django_db

J = "application/json"


@pytest.fixture
def checklist(org, system):
    services.ensure_criteria(org)
    return GateCriterion.objects.get(organization=org, stage="validation", key="robustness")


def post(api, role, checklist, **record):
    body = {
        "ai_system": "loan-scoring",
        "criterion_id": checklist.pk,
        "kind": "record",
        "title": "Report",
        **record,
    }
    return api(role).post("/api/v1/gates/evidence", body, content_type=J)


def errors(response):
    return {e["field"] for e in response.json()["errors"]}


def test_a_record_of_the_organization_is_accepted_by_id_or_slug_and_meets_the_criterion(
    api, actor, system, checklist, dataset, model
):
    ok = post(api, "technical_team", checklist, record_type="dataset", record_id=dataset.slug)
    assert ok.status_code == 201
    assert (
        post(api, "risk_team", checklist, record_type="model_version", record_id=str(model.pk)).status_code
        == 201
    )
    result = next(r for r in services.evaluate(actor("ai_manager"), system).results if r.key == "robustness")
    assert result.met and f"dataset #{dataset.slug}" in result.reason


def test_a_missing_record_an_unknown_type_and_another_organizations_record_are_refused(
    api, checklist, other_system, dataset
):
    missing = post(api, "technical_team", checklist, record_type="dataset", record_id="no-such-data")
    assert missing.status_code == 422 and errors(missing) == {"record_id"}
    assert "No dataset with id no-such-data" in missing.json()["errors"][0]["messages"][0]
    unknown = post(api, "technical_team", checklist, record_type="spreadsheet", record_id="1")
    assert unknown.status_code == 422 and errors(unknown) == {"record_type"}
    theirs = post(api, "technical_team", checklist, record_type="ai_system", record_id=str(other_system.pk))
    assert theirs.status_code == 422 and errors(theirs) == {"record_id"}
    assert not GateEvidence.objects.exists()
