"""Issue 5: a person opens an AI system's gate page, sees the criteria that are not met with the
reason, reads the stage's procedure, attaches evidence to a checklist criterion, runs the gate and
moves the system when it holds; at the next gate, which does not hold, the AI manager records an
exception and the system moves on with it; after the later gates (passed with exceptions through
the API, as a pipeline would) its production deployment is recorded, approved and goes live, and
the system's event log arrives. In a real Chromium against a real server; no console error."""

from __future__ import annotations

import datetime as dt
import re

import pytest

pytestmark = pytest.mark.browser

SLUG = "claims-fraud-summariser"


@pytest.fixture(scope="module")
def idea_system(server):
    """A system at its idea stage, with an owner, purpose and function: only the business case
    (a checklist item) is missing from its first gate."""
    me = server.api("GET", "/api/v1/me")
    server.api(
        "POST",
        "/api/v1/ai-systems",
        {
            "name": "Claims fraud summariser",
            "purpose": "Summarise suspicious insurance claims for the fraud investigators.",
            "function": "Reads a claim file and writes a one-page summary with the red flags it found.",
            "system_type": "generative",
            "lifecycle_stage": "idea",
            "owner_id": me["id"],  # type: ignore[index]
        },
    )
    return SLUG


def test_a_system_moves_through_a_gate_on_evidence_and_through_the_next_with_an_exception(
    watched, server, log_in, idea_system
):
    page = watched.page
    page.on("dialog", lambda dialog: dialog.accept())  # the "Run the gate and move?" confirmation
    log_in(page)

    # The gate page: the business case is not met, and says why; the stage's procedure is shown.
    page.goto(f"/lifecycle/systems/{idea_system}/")
    status = page.locator("#gate-status")
    assert "1 criterion is not met" in status.inner_text()
    row = page.locator("#criteria tbody tr", has_text="Business case and sponsor agreed")
    assert "not met" in row.inner_text() and "no evidence yet" in row.inner_text()
    owner_row = page.locator("#criteria tbody tr", has_text="An accountable owner is named")
    assert "met" in owner_row.inner_text() and "owner:" in owner_row.inner_text()
    procedures = page.locator("#procedures")
    assert "Intake and business case" in procedures.inner_text()
    assert "business case" in procedures.inner_text()

    # Attach a link as evidence to the checklist criterion.
    row.get_by_text("Add evidence").click()
    row.get_by_label(re.compile(r"^kind\b")).select_option("link")
    row.get_by_label(re.compile(r"^title\b")).fill("Business case approved by the claims director, 3 March")
    row.get_by_label(re.compile(r"^link\b")).fill(
        "https://wiki.northwind.example/claims/fraud-summariser/business-case"
    )
    row.get_by_role("button", name="Add").click()
    page.wait_for_url(re.compile(rf"/lifecycle/systems/{idea_system}/$"))
    assert page.get_by_role("status").filter(has_text="Evidence added").is_visible()

    # Re-checked: every criterion is met, so the gate holds and the system moves.
    assert "Every criterion is met" in page.locator("#gate-status").inner_text()
    row = page.locator("#criteria tbody tr", has_text="Business case and sponsor agreed")
    assert "Business case approved by the claims director" in row.inner_text()
    move = page.locator("form", has=page.get_by_role("heading", name="Move to Design"))
    move.get_by_label(re.compile(r"^note\b")).fill("Sponsor agreed; design may start.")
    move.get_by_role("button", name="Run the gate and move").click()
    page.wait_for_url(re.compile(r"/lifecycle/reviews/\d+/$"))
    assert "Passed: every criterion met" in page.locator("#outcome").inner_text()
    assert "the system moved" in page.locator("#outcome").inner_text()

    # The design gate does not hold: several criteria are not met, each with its reason.
    page.get_by_role("link", name="Back to the gate").click()
    page.wait_for_url(re.compile(rf"/lifecycle/systems/{idea_system}/$"))
    assert "Next gate: from Design to Development" in page.locator("main").inner_text()
    assert "criteria are not met" in page.locator("#gate-status").inner_text()
    impact = page.locator("#criteria tbody tr", has_text="Impact assessment approved and current")
    assert (
        "not met" in impact.inner_text() and "impact assessment" in impact.inner_text().split("not met", 1)[1]
    )
    assert "Design and architecture" in page.locator("#procedures").inner_text()

    # The AI manager records an exception with a justification and an expiry; the gate now holds.
    expires = (dt.date.today() + dt.timedelta(days=60)).isoformat()
    page.get_by_label(re.compile(r"^justification\b")).fill(
        "Design work runs in parallel with the impact assessment for the pilot; no production data is used."
    )
    page.get_by_label(re.compile(r"^expires on\b")).fill(expires)
    page.get_by_role("button", name="Record the exception").click()
    page.wait_for_url(re.compile(rf"/lifecycle/systems/{idea_system}/$"))
    assert "an exception covers this gate" in page.locator("#gate-status").inner_text()
    page.get_by_role("button", name="Run the gate and move").click()
    page.wait_for_url(re.compile(r"/lifecycle/reviews/\d+/$"))
    assert "Passed with an exception" in page.locator("#outcome").inner_text()

    # The system is now in development, on the board and through the API.
    system = server.api("GET", f"/api/v1/ai-systems/{idea_system}")
    assert system["lifecycle_stage"] == "development"  # type: ignore[index]
    reviews = server.api("GET", f"/api/v1/gates/reviews?ai_system={idea_system}")
    assert [r["outcome"] for r in reviews["items"]] == ["exception", "passed"]  # type: ignore[index]

    # A pipeline takes it through development and validation with exceptions (the API's move).
    for _gate in ("development", "validation"):
        review = server.api(
            "POST",
            f"/api/v1/gates/systems/{idea_system}/move",
            {
                "note": "pilot",
                "exception": {"justification": "Pilot with synthetic claims only", "expires_on": expires},
            },
        )
        assert review["moved"]  # type: ignore[index]
    page.goto("/lifecycle/")
    assert "Claims fraud summariser" in page.locator("main").inner_text()

    # Into production: the deployment is recorded, its plan approved, and it goes live after its gate.
    page.goto("/lifecycle/deployments/new/")
    page.get_by_label(re.compile(r"^AI system\b")).select_option(label="Claims fraud summariser")
    page.get_by_label(re.compile(r"^environment\b", re.I)).select_option("production")
    page.get_by_label(re.compile(r"^deployment plan\b", re.I)).fill(
        "Shadow mode for two weeks, then all new claims."
    )
    page.get_by_label(re.compile(r"^rollback procedure\b", re.I)).fill(
        "Switch the feature flag off; investigators work as before."
    )
    page.get_by_label(re.compile(r"^Tom Becker")).check()
    page.get_by_label(re.compile(r"^log retention", re.I)).fill("12")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/lifecycle/deployments/\d+/$"))
    page.get_by_role("button", name="Approve the plan").click()
    page.wait_for_url(re.compile(r"/lifecycle/deployments/\d+/$"))
    page.get_by_role("button", name="Go live").click()
    page.wait_for_url(re.compile(r"/lifecycle/deployments/\d+/$"))
    details = page.locator("main dl").first.inner_text()
    assert "Active" in details and "tom.becker@northwind.example" in details
    assert "Verification and validation → Deployment" in details  # the gate it passed

    # The system sends its event log; the deployment page shows it.
    deployment_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    receipt = server.api(
        "POST",
        f"/api/v1/deployments/{deployment_id}/logs",
        {
            "records": [
                {"occurred_at": dt.datetime.now(dt.UTC).isoformat(), "actor": "inv-17", "action": "summarise"}
            ]
        },
    )
    assert receipt["received"] == 1  # type: ignore[index]
    page.reload()
    assert "inv-17" in page.locator("#log-records").inner_text()
    watched.assert_clean()
