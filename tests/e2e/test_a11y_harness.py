"""The axe harness itself: a violation fails the test with a readable report, and a page loaded
without being checked does not slip through."""

import pytest
from playwright.sync_api import Page

from tests.e2e.a11y import _audits, check_a11y
from tests.e2e.helpers import visit


def test_a_violation_fails_with_rule_impact_target_and_help(page: Page):
    visit(page, "/en/help/")
    # Break the page on purpose (through the DOM: the CSP forbids inline markup with scripts).
    page.evaluate(
        """() => {
          const img = document.createElement("img");
          img.id = "no-alt";
          img.src = "data:image/gif;base64,R0lGODlhAQABAAAAACw=";
          document.querySelector("main").append(img);
        }"""
    )
    with pytest.raises(pytest.fail.Exception) as failed:
        check_a11y(page)
    report = str(failed.value)
    assert "image-alt (critical)" in report
    assert "#no-alt" in report
    assert "Images must have alternative text" in report
    assert "/en/help/" in report
    page.evaluate("() => document.getElementById('no-alt').remove()")
    check_a11y(page)


def test_a_page_loaded_without_a_check_is_reported(page: Page):
    audit = _audits[page]
    visit(page, "/en/")
    page.goto("/en/links/")
    page.goto("/en/help/")
    links = page.url.replace("/help/", "/links/")
    assert audit.unchecked() == sorted([links, page.url])
    check_a11y(page)
    # The current page is checked now; the one left behind can no longer be.
    assert audit.unchecked() == [links]
    # Left unchecked on purpose here: forget it, or the `page` fixture fails this test at the end.
    audit.loaded.remove(links)
    assert audit.unchecked() == []
