"""The compliance demo: believable content, through the services, and a second load writes nothing."""

from __future__ import annotations

import pytest

from aims.compliance.models import Classification, Control, GapAssessment, Regulation, SoA
from aims.core import demo
from aims.core.models import AuditEvent

pytestmark = pytest.mark.django_db(transaction=False)


def test_the_demo_has_controls_an_approved_soa_classifications_and_a_gap_trend():
    result = demo.load()
    org = result.organization
    assert Control.objects.filter(organization=org).count() >= 20
    soa = SoA.objects.get(organization=org, status="approved")
    assert soa.entries.filter(applicable=False).count() == 1
    assert not soa.entries.filter(applicable__isnull=True).exists()
    credit = Classification.objects.get(
        organization=org, ai_system__slug="retail-credit-scoring", is_current=True
    )
    assert credit.tier == "high" and "Annex III(5)(b)" in credit.citations
    assert GapAssessment.objects.filter(organization=org).count() == 2
    assert Regulation.objects.filter(organization=org).count() == 4
    before = AuditEvent.objects.count()
    again = demo.load()
    assert AuditEvent.objects.count() == before, again.changes
