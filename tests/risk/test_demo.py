"""The risk demo: a realistic register (>= 10 risks on the demo AI systems), a methodology,
treatment actions, an above-appetite acceptance by the CEO and impact assessments; loading twice
writes nothing the second time."""

import pytest

from aims.core import demo as core_demo
from aims.core.models import AuditEvent, Organization
from aims.inventory import demo as inventory_demo
from aims.risk import demo
from aims.risk.models import ImpactAssessment, Risk, RiskAcceptance, RiskMethodology, RiskTreatment


@pytest.fixture
def demo_org(db):
    org = Organization.objects.create(name=core_demo.DEMO_NAME, slug=core_demo.DEMO_SLUG)
    people, _ = core_demo._ensure_people(org, reset_passwords=False, source="test")
    inventory_demo.load(org, people)
    return org, people


def test_the_demo_register_is_realistic_and_idempotent(demo_org):
    org, people = demo_org
    demo.load(org, people)
    risks = Risk.objects.filter(organization=org)
    assert risks.count() >= 12
    assert RiskMethodology.objects.filter(organization=org, is_current=True).get().size == 5
    assert risks.filter(ai_systems__slug="retail-credit-scoring").count() >= 3
    assert {r.status for r in risks} >= {"assessed", "treatment_planned", "in_treatment", "accepted"}
    ceo = RiskAcceptance.objects.get(organization=org, accepted_by=people["top_management"])
    assert ceo.above_appetite is True
    assert RiskTreatment.objects.filter(organization=org).count() == len(demo.ACTIONS)
    assessments = ImpactAssessment.objects.filter(organization=org)
    assert {a.status for a in assessments} == {"approved", "draft"}
    assert risks.filter(impact_assessment__isnull=False).exists()  # the approved assessment fed the register
    before = AuditEvent.objects.count()
    demo.load(org, people)
    assert AuditEvent.objects.count() == before


def test_the_demo_register_is_served_to_the_risk_team(demo_org, client):
    from aims.core import services
    from aims.core.actors import Actor
    from aims.core.models import Membership

    org, people = demo_org
    demo.load(org, people)
    membership = Membership.objects.get(user=people["risk_team"], organization=org)
    _token, raw = services.create_token(Actor.for_membership(membership, source="test"))
    got = client.get("/api/v1/risks?page_size=100", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert got.status_code == 200 and got.json()["count"] >= 10
    assert client.get("/api/v1/impact-assessments", HTTP_AUTHORIZATION=f"Bearer {raw}").json()["count"] == 2
