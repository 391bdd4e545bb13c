"""Issue 4, section 7: in a real Chromium against a real server, the AI manager classifies an AI system
under the EU AI Act and sees its tier and obligations, marks one obligation done, then edits a
Statement of Applicability entry (its justification) and sees the "what is missing" panel change.
No console error on the way (a Content-Security-Policy violation would show up there)."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


def _missing(page, heading: str) -> str:  # type: ignore[no-untyped-def]
    """The refs listed under one heading of the "What is missing" panel ('' when the heading is gone)."""
    section = page.locator("section[aria-labelledby='missing-h']")
    items = section.locator(f"h3:text-is('{heading}') + p")
    return items.inner_text() if items.count() else ""


def test_a_manager_classifies_a_system_and_updates_the_soa(watched, server, log_in):
    page = watched.page
    log_in(page)

    # The EU AI Act list leads to the system's questionnaire.
    page.goto("/compliance/systems/")
    page.get_by_role("link", name="Credit scoring", exact=True).click()
    page.wait_for_url(re.compile(r"/compliance/systems/credit-scoring/classification/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Credit scoring"

    # Answer: an AI system, provided and deployed by us, scoring creditworthiness, profiling people.
    page.get_by_label("It is an AI system").check()
    page.get_by_label("Provider", exact=True).check()
    page.get_by_label("Deployer", exact=True).check()
    page.get_by_label(re.compile(r"^Annex III\(5\)\(b\)")).check()
    page.get_by_label("It profiles natural persons").check()
    page.get_by_role("button", name="Classify").click()
    page.wait_for_url(re.compile(r"/compliance/systems/credit-scoring/classification/$"))
    assert page.get_by_role("status").filter(has_text="Credit scoring classified: High risk").is_visible()

    # The tier with its reasoning and citations, and the obligations for both roles.
    assert page.locator("#tier").inner_text() == "High risk"
    reasoning = page.locator("section[aria-labelledby='result-h'] ol").inner_text()
    assert "Annex III" in reasoning and "6(3)" in reasoning  # profiling: the derogation cannot apply
    obligations = page.locator("#obligations tbody")
    text = obligations.inner_text()
    for ref in ("Art. 9", "Art. 11", "Art. 14", "Art. 26"):
        assert ref in text, ref
    assert "provider" in text and "deployer" in text

    # Mark the deployer's Art. 26 duty done, with a note.
    row = obligations.locator("tr", has=page.locator("td", has_text=re.compile(r"^Art\. 26$")))
    row.first.get_by_role("link", name=re.compile(r"^Update Art\. 26")).click()
    page.wait_for_url(re.compile(r"/compliance/systems/credit-scoring/obligations/\d+/$"))
    page.get_by_label("Status").select_option("done")
    page.get_by_label("Note").fill("Deployer procedure DP-4 approved; logs kept six months.")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/compliance/systems/credit-scoring/classification/$"))
    done = page.locator("#obligations tbody tr", has_text="Deployer procedure DP-4")
    assert done.count() == 1 and "Done" in done.inner_text()

    # The system's tier in the inventory follows the classification.
    page.goto("/inventory/systems/credit-scoring/")
    assert "High risk" in page.locator("main").inner_text()

    # Start the Statement of Applicability: every Annex A control is undecided.
    page.goto("/compliance/soa/")
    page.get_by_role("button", name="Start the SoA").click()
    page.wait_for_url(re.compile(r"/compliance/soa/$"))
    assert "A.2.2" in _missing(page, "Not decided")
    badge_before = int(page.locator("#missing-h .badge").inner_text())

    # Edit A.2.2: deciding without a justification is refused next to the field.
    page.get_by_role("link", name="Edit A.2.2", exact=True).click()
    page.wait_for_url(re.compile(r"/compliance/soa/v1/entries/\d+/$"))
    page.get_by_label("Applicable").select_option("false")
    page.get_by_role("button", name="Save").click()
    error = page.locator("#id_justification_error")
    assert "justification" in error.inner_text()
    assert page.get_by_label("Justification").get_attribute("aria-invalid") == "true"

    # With the justification the exclusion is saved, and the panel no longer lists A.2.2.
    page.get_by_label("Applicable").select_option("false")
    page.get_by_label("Justification").fill(
        "Covered by the group's AI policy, which this entity adopts unchanged; no separate policy is kept."
    )
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/compliance/soa/v1/#e-\d+$"))
    assert "A.2.2" not in _missing(page, "Not decided")
    assert int(page.locator("#missing-h .badge").inner_text()) == badge_before - 1
    entry = page.locator("#soa tbody tr", has_text="A.2.2")
    assert "Covered by the group's AI policy" in entry.inner_text()

    # Including A.2.3 with a justification moves it from "Not decided" to "not implemented".
    page.get_by_role("link", name="Edit A.2.3", exact=True).click()
    page.get_by_label("Applicable").select_option("true")
    page.get_by_label("Justification").fill("Needed: the policy must line up with the risk policy.")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/compliance/soa/v1/#e-\d+$"))
    assert "A.2.3" not in _missing(page, "Not decided")
    assert "A.2.3" in _missing(page, "Applicable but not implemented")

    watched.assert_clean(allow=("status of 422",))  # the refused form answers 422 by design
