"""Issue 3, section 6: a risk manager assesses a risk end to end in a real Chromium against a real
server: registers a risk for an AI system through the form, sees its level computed from the
method's matrix, adds a treatment action, and finds the risk on the heat map. On every page: no
console error (a Content-Security-Policy violation shows up there)."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

LEA = "lea.martin@northwind.example"  # risk team
TOM = "tom.becker@northwind.example"  # technical team


def test_a_risk_manager_registers_assesses_treats_and_finds_a_risk_on_the_heat_map(watched, server, log_in):
    method = server.api("GET", "/api/v1/risk-methodology", as_email=LEA)
    likelihood, impact = 4, 5
    expected = method["matrix"][likelihood - 1][impact - 1]  # the level key the matrix names
    level_name = next(lvl["name"] for lvl in method["levels"] if lvl["key"] == expected)

    ids = {email: server.api("GET", "/api/v1/me", as_email=email)["id"] for email in (LEA, TOM)}

    page = watched.page
    log_in(page, LEA)

    # From the register, through the form.
    page.goto("/risk/risks/")
    page.get_by_role("link", name=re.compile(r"^Register a risk")).first.click()
    page.wait_for_url(re.compile(r"/risk/risks/new/$"))
    page.get_by_label("Title").fill("Older applicants refused more often")
    page.get_by_label("Description").fill(
        "The score penalises short credit histories, which correlate with age."
    )
    page.get_by_label("Category").select_option(label="Bias and discrimination")
    page.get_by_label("Credit scoring").check()
    page.get_by_label("Likelihood", exact=True).select_option(str(likelihood))
    page.get_by_label("Impact", exact=True).select_option(str(impact))
    page.get_by_label("Rationale").fill(
        "Validation showed a 9-point gap in approval rates for applicants over 60."
    )
    page.get_by_label("Owner").select_option(str(ids[LEA]))
    page.get_by_label("Treatment decision").select_option("mitigate")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/risk/risks/(\d+)/$"))
    number = int(re.search(r"/risk/risks/(\d+)/$", page.url).group(1))
    ref = f"R-{number:04d}"
    assert page.get_by_role("heading", level=1).inner_text() == f"{ref} Older applicants refused more often"
    assert page.get_by_role("status").filter(has_text=f"{ref} registered").is_visible()

    # The inherent level is the one the method's matrix names for likelihood 4 x impact 5.
    levels = page.locator("table").filter(has_text="Levels (method v")
    inherent = levels.get_by_role("row", name=re.compile(r"^Inherent"))
    assert inherent.get_by_role("cell").nth(0).inner_text() == str(likelihood)
    assert inherent.get_by_role("cell").nth(1).inner_text() == str(impact)
    assert inherent.get_by_role("cell").nth(2).inner_text() == level_name
    assert page.locator("dd").filter(has_text="Assessed").count() >= 1

    # Add a treatment action.
    page.get_by_text("Add an action").click()
    action_form = page.locator("form").filter(has=page.get_by_role("button", name="Add", exact=True))
    action_form.get_by_label("Action").fill("Reweigh the training data by age band")
    action_form.get_by_label("Owner").select_option(str(ids[TOM]))
    action_form.get_by_label("Due").fill("2027-03-31")
    action_form.get_by_label("Control implemented").fill("A.7.4")
    action_form.get_by_role("button", name="Add", exact=True).click()
    page.wait_for_url(re.compile(rf"/risk/risks/{number}/$"))
    assert page.get_by_role("status").filter(has_text="Action added to the treatment plan.").is_visible()
    actions = page.locator("table").filter(has_text="Control").first
    row = actions.get_by_role("row").filter(has_text="Reweigh the training data by age band")
    assert "Tom Becker" in row.inner_text() and "A.7.4" in row.inner_text()

    # The heat map counts the risk in its cell; the number leads back to it.
    page.goto("/risk/risks/")
    page.get_by_role("link", name="Heat maps").click()
    page.wait_for_url(re.compile(r"/risk/risks/heatmap/"))
    inherent_map = page.locator("table.heatmap").filter(has_text="Inherent risk")
    cell = inherent_map.get_by_role(
        "link", name=re.compile(rf"\d+ risks at likelihood {likelihood}, impact {impact} \({level_name}\)")
    )
    assert cell.inner_text() == "1"
    cell.click()
    page.wait_for_url(re.compile(rf"likelihood={likelihood}.*impact={impact}"))
    assert page.get_by_role("link", name=re.compile(ref)).count() >= 1

    # The API agrees: one risk in that cell.
    heat = server.api("GET", "/api/v1/risks/heatmap", as_email=LEA)
    (counted,) = [c for c in heat["inherent"] if (c["likelihood"], c["impact"]) == (likelihood, impact)]
    assert counted["count"] == 1 and counted["level"] == expected

    watched.assert_clean()
