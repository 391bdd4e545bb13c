"""The PDCA calendar also shows risk reviews (one line per day, however many risks) and vendor reviews."""

from __future__ import annotations

import datetime as dt

import pytest

from aims.assurance.calendar import events
from aims.risk.models import Risk
from tests.risk.factories import RiskFactory


@pytest.mark.django_db
def test_risk_and_vendor_reviews_are_on_the_calendar(org, actor, outsider):
    from aims.lifecycle.models import Vendor

    day = dt.date(2030, 5, 14)
    for _ in range(3):
        risk = RiskFactory(organization=org)
        Risk.objects.filter(pk=risk.pk).update(next_review_date=day)
    closed = RiskFactory(organization=org, status=Risk.Status.CLOSED)
    Risk.objects.filter(pk=closed.pk).update(next_review_date=day)
    Vendor.objects.create(organization=org, name="Model vendor", slug="model-vendor", terms_next_review=day)
    titles = [e["title"] for e in events(actor("top_management"), 2030) if e["date"] == day]
    assert "Risk reviews: 3 risks" in titles and "Vendor review: Model vendor" in titles
    assert not [e for e in events(outsider, 2030) if e["date"] == day]
