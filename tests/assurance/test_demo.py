import pytest

from aims.assurance.models import (
    KPI,
    Audit,
    CorrectiveAction,
    Finding,
    Incident,
    ManagementReview,
    Nonconformity,
)
from aims.governance.models import Document, Objective, TrainingRecord


@pytest.mark.slow
@pytest.mark.django_db(transaction=False)
def test_the_demo_has_a_year_of_records_and_loads_idempotently():
    from aims.core.demo import load

    first = load()
    org = first.organization
    for model in (
        Document,
        Objective,
        TrainingRecord,
        Incident,
        Audit,
        Finding,
        Nonconformity,
        CorrectiveAction,
        ManagementReview,
        KPI,
    ):
        assert model.objects.filter(organization=org).exists(), model.__name__
    assert Incident.objects.filter(
        organization=org, serious=True, authority_reported_at__isnull=False
    ).exists()
    assert Nonconformity.objects.filter(
        organization=org, status="closed", effectiveness_result="effective"
    ).exists()
    assert Document.objects.filter(
        organization=org, is_ai_policy=True, published_version__isnull=False
    ).exists()
    assert ManagementReview.objects.filter(organization=org, status="closed").exists()
    second = load()
    assert not {
        k: v
        for k, v in second.changes.items()
        if k[0]
        in {
            "incident",
            "feedback",
            "nonconformity",
            "corrective_action",
            "audit",
            "finding",
            "management_review",
            "kpi",
            "task",
            "document",
            "objective",
            "training",
            "raci",
            "competence",
            "communication",
            "resource",
        }
    }
