"""Issue 6, section 4, in a real Chromium against a real server: a pipeline has pushed scoring
latencies for the credit-scoring system; the AI manager opens the system's trend page and sees the
points with the monitor's thresholds drawn, evaluates the monitor, finds the critical alert the
breach raised, and acknowledges it with a note. No console error on any page."""

from __future__ import annotations

import datetime as dt
import re

import pytest

pytestmark = pytest.mark.browser

SYSTEM = "credit-scoring"
METRIC = "latency_p95_ms"
VALUES = [112.0, 118.5, 121.0, 109.0, 125.5, 119.0, 131.0, 116.0, 122.5, 127.0, 114.0, 120.0, 480.0]


def test_a_breach_on_the_trend_page_raises_an_alert_that_is_acknowledged(watched, server, log_in):
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    points = [
        {"name": METRIC, "value": v, "observed_at": (now - dt.timedelta(hours=len(VALUES) - i)).isoformat()}
        for i, v in enumerate(VALUES)
    ]
    server.api("POST", "/api/v1/metric-points", {"ai_system": SYSTEM, "points": points})
    monitor = server.api(
        "POST",
        "/api/v1/monitors",
        {
            "ai_system": SYSTEM,
            "name": "Scoring latency (p95)",
            "metric": f"point.{METRIC}",
            "comparison": "above",
            "warning_threshold": 250,
            "critical_threshold": 400,
            "window_hours": 0,
            "min_sample_size": 1,
        },
    )
    page = watched.page
    log_in(page)

    # The trend page charts every pushed point, with the monitor's two thresholds drawn.
    page.goto(f"/monitoring/systems/{SYSTEM}/")
    section = page.get_by_role("region", name="Pushed metrics")
    figure = section.locator("figure").filter(has=page.locator("figcaption", has_text=METRIC))
    chart = figure.locator("svg.trend-chart")
    assert chart.is_visible()
    assert chart.locator("circle.dot").count() == len(VALUES)
    assert chart.locator("line.threshold-warning").count() == 1
    assert chart.locator("line.threshold-critical").count() == 1
    figure.get_by_text("The numbers").click()
    assert "480.0000" in figure.locator("table").inner_text()

    # The monitor is evaluated from its page: the latest point breaches the critical threshold.
    page.get_by_role("link", name="Scoring latency (p95)").click()
    page.wait_for_url(re.compile(rf"/monitoring/monitors/{monitor['id']}/$"))  # type: ignore[index]
    page.get_by_role("button", name="Evaluate now").click()
    page.wait_for_url(re.compile(rf"/monitoring/monitors/{monitor['id']}/$"))  # type: ignore[index]
    assert "Critical" in page.get_by_role("heading", level=1).inner_text()
    alerts = page.locator("ul.list-group").first
    assert "above the critical threshold 400" in alerts.inner_text()
    alerts.get_by_role("link").first.click()
    page.wait_for_url(re.compile(r"/monitoring/alerts/\d+/$"))
    alert_id = int(re.search(r"/alerts/(\d+)/$", page.url).group(1))  # type: ignore[union-attr]
    heading = page.get_by_role("heading", level=1).inner_text()
    assert "Critical" in heading and "Open" in heading
    assert "480" in page.locator("p.lead").inner_text()

    # Acknowledged with a note: the page and the API say so, and who did it.
    ack = page.locator("form").filter(has=page.get_by_role("button", name="Acknowledge"))
    ack.get_by_label("Note").fill("Batch scoring job ran on the small node; moving it back.")
    ack.get_by_role("button", name="Acknowledge").click()
    page.wait_for_url(re.compile(rf"/monitoring/alerts/{alert_id}/$"))
    assert page.get_by_role("status").filter(has_text="Alert acknowledged").is_visible()
    assert "Acknowledged" in page.get_by_role("heading", level=1).inner_text()
    assert page.get_by_role("button", name="Acknowledge").count() == 0
    assert "moving it back" in page.locator("dl").inner_text()
    stored = server.api("GET", f"/api/v1/alerts/{alert_id}")
    assert stored["status"] == "acknowledged" and stored["severity"] == "critical"  # type: ignore[index]
    watched.assert_clean()
