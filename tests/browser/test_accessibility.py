"""WCAG 2.1 A and AA checks with axe-core (the engine browser vendors and auditors use) on the
main page of every area, the login page and the forms people fill in most. A serious or critical
violation fails the test with the rule, its help text and the elements at fault."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.browser

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}

PAGES = [
    "/",
    "/inventory/systems/",
    "/inventory/systems/credit-scoring/",
    "/inventory/systems/-/new/",
    "/inventory/parties/",
    "/inventory/scope/",
    "/audit/",
    "/tokens/",
    "/risk/risks/",
    "/risk/risks/new/",
    "/risk/methodology/",
    "/compliance/",
    "/compliance/frameworks/",
    "/compliance/controls/",
    "/lifecycle/",
    "/monitoring/",
    "/monitoring/alerts/",
    "/governance/documents/",
    "/assurance/",
    "/assurance/incidents/new/",
]


def _violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    results = Axe().run(page, options=WCAG_21_AA)
    found = []
    for violation in results.response["violations"]:
        if violation.get("impact") not in ("serious", "critical"):
            continue
        targets = [", ".join(node.get("target", [])) for node in violation["nodes"][:5]]
        found.append(f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
    return found


def test_the_login_page_meets_wcag_21_aa(watched):
    page = watched.page
    page.goto("/login/")
    assert _violations(page) == []


@pytest.mark.parametrize("path", PAGES)
def test_every_area_page_meets_wcag_21_aa(watched, log_in, path):
    page = watched.page
    log_in(page)
    response = page.goto(path)
    assert response is not None and response.status == 200, path
    page.wait_for_load_state("networkidle")
    assert _violations(page) == []


def test_the_check_finds_what_it_is_meant_to_find(watched):
    """A page with an unlabelled field and an image without a text alternative must fail."""
    page = watched.page
    page.set_content(
        '<!doctype html><html><head><title>t</title></head><body><main><img src="data:,">'
        '<input type="text"><p style="color:#bbb;background:#fff">faint</p></main></body></html>'
    )
    found = " ".join(_violations(page))
    assert "image-alt" in found and "label" in found and "color-contrast" in found
