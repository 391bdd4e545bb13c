"""Issue 7: the AI manager reports an incident through the form, raises a nonconformity from it, finds
the root cause with five whys, plans a corrective action and attaches an evidence file, in a real
Chromium against a real server; the executive dashboard then counts the open work. On every page: no
console error (a Content-Security-Policy violation shows up there)."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

WHYS = [
    "The model declined applicants from one postcode far more often.",
    "The postcode was a strong feature after the last retraining.",
    "The retraining data over-represented old defaults from that area.",
    "Nobody compared the new training data with the reference population.",
    "The data review step of the release gate had no bias check.",
]


def test_an_incident_becomes_a_nonconformity_with_five_whys_and_a_corrective_action(
    watched, server, log_in, tmp_path
):
    page = watched.page
    log_in(page)

    # Report the incident through the form.
    page.goto("/assurance/incidents/")
    page.get_by_role("link", name=re.compile("Report an incident")).first.click()
    page.wait_for_url(re.compile(r"/assurance/incidents/new/$"))
    page.get_by_label(re.compile(r"^Title")).fill("Declines concentrated in one postcode")
    page.get_by_label(re.compile(r"^Description")).fill(
        "Complaints and the fairness monitor show a skew by postcode."
    )
    page.get_by_label("AI system").select_option(label="Credit scoring")
    page.get_by_label("Severity").select_option("high")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/assurance/incidents/\d+/$"))
    heading = page.get_by_role("heading", level=1).inner_text()
    assert "Declines concentrated in one postcode" in heading
    assert page.get_by_role("status").filter(has_text="Saved").is_visible()

    # Raise a nonconformity from it.
    page.get_by_role("button", name="Raise a nonconformity").click()
    page.wait_for_url(re.compile(r"/assurance/nonconformities/\d+/$"))
    nc_url = page.url
    nc_heading = page.get_by_role("heading", level=1).inner_text()
    assert nc_heading.startswith("NC-") and "Declines concentrated in one postcode" in nc_heading

    # Record the five whys; the last one is the root cause.
    page.get_by_role("link", name="Edit", exact=True).click()
    page.wait_for_url(re.compile(r"/edit/$"))
    page.get_by_label("Five whys").fill("\n".join(WHYS))
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(nc_url)
    whys = page.locator("dd ol li")
    assert whys.count() == 5 and whys.nth(4).inner_text() == WHYS[4]
    page.get_by_role("button", name="Move to: Root cause found").click()
    page.wait_for_url(nc_url)
    assert "Root cause found" in page.locator("p strong").first.inner_text()
    assert WHYS[4] in page.locator("dl").inner_text()  # the root cause, taken from the last why

    # Plan a corrective action.
    page.get_by_text("Plan a corrective action").click()
    action_form = page.locator("form[action$='/actions/']")
    action_form.get_by_label(re.compile(r"^Title")).fill("Add a bias check to the data review gate")
    owner = action_form.get_by_label("Owner")
    owner.select_option(owner.locator("option", has_text="Tom Becker").get_attribute("value"))
    action_form.get_by_label("Due").fill("2030-03-31")
    action_form.get_by_role("button", name="Add").click()
    page.wait_for_url(nc_url)
    actions = page.get_by_role("table", name="Corrective actions").locator("tbody tr")
    assert actions.count() == 1
    assert "Add a bias check to the data review gate" in actions.first.inner_text()
    assert "Tom Becker" in actions.first.inner_text()

    # Attach the analysis as an evidence file.
    evidence = tmp_path / "five-whys.txt"
    evidence.write_text("\n".join(WHYS), encoding="utf-8")
    page.get_by_label("Attach a file").set_input_files(str(evidence))
    page.get_by_label("What it is").fill("Five whys worksheet")
    page.get_by_role("button", name="Upload").click()
    page.wait_for_url(nc_url)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="five-whys.txt").click()
    assert download_info.value.suggested_filename == "five-whys.txt"

    # The executive dashboard counts it.
    page.goto("/assurance/")
    summary = page.locator("#summary").inner_text()
    assert "Open incidents" in summary and "Open nonconformities" in summary
    assert page.locator("#summary a[href$='/assurance/incidents/?status=open']").inner_text() != "0"
    watched.assert_clean()


def test_a_users_report_goes_through_incident_nonconformity_and_action_to_the_management_review(
    watched, server, log_in
):
    import datetime as dt

    page = watched.page

    # A user of the credit scoring system reports a problem on its public page, without logging in.
    page.goto("/assurance/report/northwind/credit-scoring/")
    page.get_by_label("What is it about?").select_option(index=1)
    page.get_by_label("Your report").fill("My loan was declined and nobody at the branch could tell me why.")
    page.wait_for_timeout(3200)  # the form refuses what is sent faster than a person types
    page.get_by_role("button", name="Send the report").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Thank you: your report was received."

    # Staff triage it into an incident, raise a nonconformity and plan a corrective action.
    log_in(page)
    page.goto("/assurance/feedback/")
    row = page.locator("tbody tr", has_text="nobody at the branch could tell me why")
    row.get_by_role("button", name="Incident").click()
    page.wait_for_url(re.compile(r"/assurance/incidents/\d+/$"))
    assert "nobody at the branch" in page.locator("dl").first.inner_text()
    page.get_by_role("button", name="Raise a nonconformity").click()
    page.wait_for_url(re.compile(r"/assurance/nonconformities/\d+/$"))
    nc_url = page.url
    page.get_by_text("Plan a corrective action").click()
    action_form = page.locator("form[action$='/actions/']")
    action_form.get_by_label(re.compile(r"^Title")).fill("Give declined applicants the main reasons")
    action_form.get_by_role("button", name="Add").click()
    page.wait_for_url(nc_url)
    assert page.get_by_role("table", name="Corrective actions").locator("tbody tr").count() == 1

    # The management review's input pack, compiled by AIMS, counts them.
    page.goto("/assurance/reviews/new/")
    page.get_by_label(re.compile(r"^Title")).fill("Management review")
    page.get_by_label(re.compile(r"^Scheduled for")).fill(
        (dt.date.today() + dt.timedelta(days=7)).isoformat()
    )
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/assurance/reviews/\d+/$"))
    text = page.locator("main").inner_text()
    assert re.search(r"Incidents: [1-9]\d* in the period", text), text[:2000]
    assert re.search(r"Nonconformities and corrective actions: [1-9]\d* raised in the period", text)
    assert re.search(r"Corrective actions: [1-9]\d*,", text)
    watched.assert_clean()
