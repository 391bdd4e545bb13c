"""Issue 2, section 10: a person logs in, adds an AI system through the form, finds it by search,
opens its history, exports the list and logs out, in a real Chromium against a real server. On
every page: no console error (a Content-Security-Policy violation shows up there) and a visible
keyboard focus."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def test_a_person_adds_finds_inspects_exports_an_ai_system_and_logs_out(watched, server, log_in, tmp_path):
    page = watched.page
    log_in(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Northwind Bank"

    # The menu leads to the inventory, where a new system is added through the form.
    page.get_by_role("button", name="Plan").click()
    page.locator(".dropdown-menu.show").get_by_role("link", name=re.compile(r"^AI systems")).click()
    page.wait_for_url(re.compile(r"/inventory/systems/$"))
    page.get_by_role("link", name="Add an AI system").click()
    page.get_by_label("Name").fill("Mortgage early-warning model")
    page.get_by_label("Purpose").fill(
        "Spot mortgage customers likely to fall behind on payments, to offer help early."
    )
    page.get_by_label("Function").fill("Flags accounts for a call from the collections team.")
    page.get_by_label(re.compile(r"^Type\b")).select_option("predictive_ml")
    page.get_by_label("Owner").select_option(label="Léa Martin <lea.martin@northwind.example>")
    page.get_by_label("Criticality").select_option("high")
    page.get_by_label("Deployer / user").check()
    page.get_by_label("Lifecycle stage").select_option("development")
    page.get_by_label("Processes personal data").check()
    page.get_by_label("Tags").fill("mortgage\nearly-warning")
    page.get_by_role("button", name="Add to the inventory").click()
    page.wait_for_url(re.compile(r"/inventory/systems/mortgage-early-warning-model/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Mortgage early-warning model"
    assert page.get_by_role("status").filter(has_text="added to the inventory").is_visible()

    # Found again by searching the list.
    page.goto("/inventory/systems/")
    search = page.get_by_role("search", name="Filter AI systems").get_by_label("Words to find")
    search.fill("collections")
    search.press("Enter")
    page.wait_for_url(re.compile(r"\?q=collections"))
    rows = page.locator("#systems tbody tr")
    assert rows.count() == 1
    rows.first.get_by_role("link", name="Mortgage early-warning model").click()

    # The history tab shows the creation, by whom, with the values.
    page.get_by_role("link", name="History").click()
    page.wait_for_url(re.compile(r"/history/$"))
    history = page.locator("table").first.inner_text()
    assert "created" in history and server.email in history and "Mortgage early-warning model" in history

    # Export the (filtered) list as CSV: the file holds the new system.
    page.goto("/inventory/systems/?q=mortgage")
    page.get_by_role("button", name="Export").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV", exact=True).click()
    download = download_info.value
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    assert target.suffix == ".csv"
    text = target.read_bytes().decode("utf-8-sig")
    rows_out = list(csv.DictReader(io.StringIO(text)))
    assert any("Mortgage early-warning model" in row.values() for row in rows_out), text[:500]
    assert not any("Credit scoring" in row.values() for row in rows_out)  # only the filtered systems

    # Log out through the user menu.
    page.get_by_role("button", name="Ana García").click()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r"/login/$"))
    assert page.get_by_text("You are logged out.").is_visible()
    page.goto("/inventory/systems/")
    assert "/login/" in page.url

    watched.assert_clean()


def test_a_form_error_is_shown_next_to_the_field_and_takes_the_focus(watched, log_in):
    page = watched.page
    log_in(page)
    page.goto("/inventory/systems/-/new/")
    page.get_by_label("Name").fill("Vendor-supplied scoring")
    page.get_by_label("Supplied by a third party").check()
    page.get_by_role("button", name="Add to the inventory").click()
    error = page.locator("#id_supplier_error")
    assert error.inner_text() == "Name the supplier of a third-party system."
    assert page.get_by_label("Supplier").get_attribute("aria-invalid") == "true"
    # The error summary takes the focus, so a screen reader reads it first.
    assert page.evaluate("document.activeElement.getAttribute('role')") == "alert"
    watched.assert_clean(allow=("status of 422",))  # the refused form answers 422 by design


def test_keyboard_focus_is_always_visible(watched, log_in):
    page = watched.page
    log_in(page)
    page.goto("/inventory/systems/")
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "(() => { const e = document.activeElement; const s = getComputedStyle(e);"
        " return {text: e.textContent.trim(), style: s.outlineStyle, width: parseFloat(s.outlineWidth)}; })()"
    )
    assert focused["text"] == "Skip to main content"
    assert focused["style"] != "none" and focused["width"] >= 2
    # Every control reached with Tab, for the first 40 stops, shows a focus outline.
    seen = set()
    for _ in range(40):
        page.keyboard.press("Tab")
        info = page.evaluate(
            "(() => { const e = document.activeElement; const s = getComputedStyle(e);"
            " return {tag: e.tagName, id: e.id, name: e.getAttribute('name') || e.textContent.trim().slice(0, 30),"
            " style: s.outlineStyle, width: parseFloat(s.outlineWidth), shadow: s.boxShadow}; })()"
        )
        if info["tag"] == "BODY":
            continue
        seen.add(info["tag"])
        visible = (info["style"] != "none" and info["width"] >= 2) or info["shadow"] not in ("none", "")
        assert visible, f"no visible focus on {info}"
    assert {"A", "INPUT", "SELECT", "BUTTON"} <= seen
    watched.assert_clean()


@pytest.mark.parametrize(
    "path",
    [
        "/inventory/",
        "/inventory/systems/",
        "/inventory/systems/credit-scoring/",
        "/inventory/systems/credit-scoring/history/",
        "/inventory/systems/credit-scoring/edit/",
        "/inventory/systems/-/new/",
        "/inventory/systems/-/import/",
        "/inventory/parties/",
        "/inventory/parties/new/",
        "/inventory/issues/",
        "/inventory/issues/new/",
        "/inventory/scope/",
        "/inventory/scope/generate/",
    ],
)
def test_every_inventory_page_loads_without_console_errors(watched, log_in, path):
    page = watched.page
    log_in(page)
    response = page.goto(path)
    assert response is not None and response.status == 200
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").count() == 1
    watched.assert_clean()


def test_screenshots_of_the_inventory_for_the_readme(watched, log_in):
    page = watched.page
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto("/inventory/systems/")
    assert page.locator("#systems tbody tr").count() >= 6
    page.screenshot(path=str(SCREENSHOTS / "inventory.png"), full_page=False)
    page.goto("/inventory/systems/credit-scoring/")
    assert page.get_by_role("heading", level=1).inner_text() == "Credit scoring"
    page.screenshot(path=str(SCREENSHOTS / "system-detail.png"), full_page=False)
    for name in ("inventory.png", "system-detail.png"):
        data = (SCREENSHOTS / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    watched.assert_clean()
