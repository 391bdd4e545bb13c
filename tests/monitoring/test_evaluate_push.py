"""`aims evaluate DATA ... --push SYSTEM --org ORG [--model-version V]`: prints the evaluation
document as before, and stores a profile of the data (and a lifecycle evaluation with the same
numbers) for the system; another organization's system is not found."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from aims import evidence
from aims.core.models import AuditEvent
from aims.monitoring.models import EvidenceProfile

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored_csv(tmp_path):
    path = tmp_path / "scored.csv"
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["y", "pred", "sex", "age"])
        for i in range(300):
            w.writerow([i % 2, (i // 2) % 2 if i % 5 else i % 2, "female" if i % 3 else "male", 20 + i % 50])
    return path


def args(path, *extra):
    return [
        str(path),
        "--target",
        "y",
        "--prediction",
        "pred",
        "--sensitive",
        "sex",
        "--format",
        "json",
        *extra,
    ]


def test_evaluate_push_stores_a_profile_of_the_data_with_the_same_numbers(scored_csv, org, system):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "evaluate", *args(scored_csv, "--push", system.slug, "--org", org.slug), stdout=out, stderr=err
    )
    doc = json.loads(out.getvalue())
    expected = evidence.evaluate(str(scored_csv), target="y", prediction="pred", sensitive=["sex"])
    assert doc["performance"]["accuracy"] == expected["performance"]["accuracy"]
    stored = EvidenceProfile.objects.get(ai_system=system)
    assert stored.role == "batch" and stored.n_rows == 300 and f"profile {stored.pk}" in err.getvalue()
    assert stored.summary["performance"]["accuracy"] == pytest.approx(
        expected["performance"]["accuracy"], abs=1e-12
    )
    assert stored.summary["fairness"]["sex"]["demographic_parity_difference"] == pytest.approx(
        expected["fairness"]["sex"]["demographic_parity_difference"], abs=1e-12
    )
    event = AuditEvent.objects.get(object_type="evidence_profile", object_id=str(stored.pk))
    assert event.source == "cli"


def test_evaluate_push_with_a_model_version_also_records_an_evaluation(scored_csv, org, system):
    from aims.lifecycle.models import Evaluation, ModelVersion

    ModelVersion.objects.create(organization=org, ai_system=system, name="scorer", label="2.0.0")
    call_command(
        "evaluate",
        *args(
            scored_csv,
            "--push",
            system.slug,
            "--org",
            org.slug,
            "--model-version",
            "2.0.0",
            "--name",
            "hold-out",
        ),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    expected = evidence.evaluate(str(scored_csv), target="y", prediction="pred", sensitive=["sex"])
    ev = Evaluation.objects.get(model_version__ai_system=system)
    assert ev.metrics["accuracy"] == expected["performance"]["accuracy"]
    assert ev.metrics["fairness.sex.demographic_parity_difference"] == pytest.approx(
        expected["fairness"]["sex"]["demographic_parity_difference"], abs=1e-15
    )
    assert set(ev.fairness["sex"]) == {"female", "male"} and ev.title == "hold-out"
    assert EvidenceProfile.objects.get(ai_system=system).model_version.label == "2.0.0"


def test_evaluate_push_refuses_another_organizations_system_and_stores_nothing(
    scored_csv, org, system, other_org
):
    with pytest.raises(CommandError, match="No AI system"):
        call_command(
            "evaluate",
            *args(scored_csv, "--push", system.slug, "--org", other_org.slug),
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    assert not EvidenceProfile.objects.exists()


def test_evaluate_push_needs_an_organization_and_an_existing_model_version(scored_csv, org, system):
    with pytest.raises(CommandError, match="--org"):
        call_command("evaluate", *args(scored_csv, "--push", system.slug), stdout=io.StringIO())
    with pytest.raises(CommandError, match="model version"):
        call_command(
            "evaluate",
            *args(scored_csv, "--push", system.slug, "--org", org.slug, "--model-version", "9.9"),
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    assert not EvidenceProfile.objects.exists()  # the profile is rolled back with the evaluation


def test_evaluate_push_accepts_a_profile_file(scored_csv, tmp_path, org, system):
    prof = tmp_path / "batch.json"
    call_command(
        "profile",
        str(scored_csv),
        "-o",
        str(prof),
        "--target",
        "y",
        "--prediction",
        "pred",
        "--sensitive",
        "sex",
        stdout=io.StringIO(),
    )
    call_command(
        "evaluate",
        *args(prof, "--push", system.slug, "--org", org.slug),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    assert EvidenceProfile.objects.get(ai_system=system).n_rows == 300
