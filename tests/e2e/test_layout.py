"""Reflow (WCAG 1.4.10) and text spacing (WCAG 1.4.12) on every main page, in both languages.

Reflow: at 320 CSS px wide, and at 640 px (a 1280 px window zoomed to 200%), nothing scrolls
sideways. Text spacing: with line height 1.5, paragraph spacing 2em, letter spacing 0.12em and word
spacing 0.16em, no text is cut off by a box that hides its overflow, and nothing scrolls sideways.
Each page is also checked with axe at 320 px, where the header turns into the mobile menu.
"""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.a11y import check_a11y
from tests.e2e.helpers import (
    LANGS,
    error_summary,
    sign_in_from_login_page,
    submit,
    ui,
    visit,
)
from tests.factories import DEFAULT_PASSWORD, EnrollmentFactory, UserFactory

DESKTOP = {"width": 1280, "height": 900}
WIDTHS = [
    ("320 px", {"width": 320, "height": 640}),
    ("1280 px at 200% zoom", {"width": 640, "height": 450}),
]

# The last one is the "Page not found" page (the error pages share its layout).
SIGNED_OUT = ["", "register/", "login/", "password-reset/", "help/", "links/", "no-such-page/"]

_DESCRIBE = """(el) => {
  let name = el.tagName.toLowerCase();
  if (el.id) name += "#" + el.id;
  if (el.classList.length) name += "." + Array.from(el.classList).join(".");
  const text = (el.innerText || "").trim().replace(/\\s+/g, " ").slice(0, 50);
  return text ? `${name} "${text}"` : name;
}"""

_SIDEWAYS = f"""() => {{
  const describe = {_DESCRIBE};
  const root = document.documentElement;
  const width = root.clientWidth;
  if (root.scrollWidth <= width) return null;
  const wide = [];
  for (const el of document.body.querySelectorAll("*")) {{
    const rect = el.getBoundingClientRect();
    if (rect.width > 0 && rect.right > width + 1) wide.push(describe(el) + ` right=${{Math.round(rect.right)}}`);
  }}
  return {{scrollWidth: root.scrollWidth, clientWidth: width, wide: wide.slice(-8)}};
}}"""

_CLIPPED = f"""() => {{
  const describe = {_DESCRIBE};
  const hides = (value) => value === "hidden" || value === "clip";
  const clipped = [];
  for (const el of document.body.querySelectorAll("*")) {{
    // Visually hidden text (usa-sr-only: 1 px boxes) and closed dialogs are not shown at all.
    if (el.clientWidth <= 1 || el.clientHeight <= 1) continue;
    const style = getComputedStyle(el);
    if (style.visibility === "hidden") continue;
    if ((hides(style.overflowY) && el.scrollHeight > el.clientHeight + 1)
        || (hides(style.overflowX) && el.scrollWidth > el.clientWidth + 1)) {{
      clipped.push(describe(el) + ` ${{el.scrollWidth}}x${{el.scrollHeight}} in ${{el.clientWidth}}x${{el.clientHeight}}`);
    }}
  }}
  return clipped;
}}"""

# WCAG 1.4.12's values, added through the CSSOM: the CSP (style-src 'self') refuses a <style>
# element, but rules inserted into the site's own stylesheet are allowed.
_TEXT_SPACING = """() => {
  const sheet = Array.from(document.styleSheets).find((s) => s.href && s.href.includes("/css/site."));
  const rules = [
    "* { line-height: 1.5 !important; letter-spacing: 0.12em !important; word-spacing: 0.16em !important; }",
    "p { margin-bottom: 2em !important; }",
  ];
  for (const rule of rules) sheet.insertRule(rule, sheet.cssRules.length);
  const style = getComputedStyle(document.querySelector("main h1"));
  return {letterSpacing: parseFloat(style.letterSpacing), fontSize: parseFloat(style.fontSize)};
}"""


def expect_no_sideways_scroll(page: Page, where: str) -> None:
    sideways = page.evaluate(_SIDEWAYS)
    assert sideways is None, f"{page.url} scrolls sideways at {where}: {sideways}"


def expect_nothing_clipped(page: Page, where: str) -> None:
    clipped = page.evaluate(_CLIPPED)
    assert not clipped, f"{page.url} cuts text off at {where}: {clipped}"


def check_layout(page: Page, path: str | None = None) -> None:
    """The page at `path` (else the current one, already checked by axe at desktop width)."""
    if path is not None:
        visit(page, path)
    for where, viewport in WIDTHS:
        page.set_viewport_size(viewport)
        expect_no_sideways_scroll(page, where)
        if viewport["width"] == 320:
            check_a11y(page, " at 320 px")
    spacing = page.evaluate(_TEXT_SPACING)
    assert spacing["letterSpacing"] == pytest.approx(0.12 * spacing["fontSize"], abs=0.1), spacing
    for where, viewport in [("320 px", WIDTHS[0][1]), ("1280 px", DESKTOP)]:
        page.set_viewport_size(viewport)
        expect_no_sideways_scroll(page, f"{where} with WCAG text spacing")
        expect_nothing_clipped(page, f"{where} with WCAG text spacing")
    page.set_viewport_size(DESKTOP)


@pytest.mark.parametrize("lang", LANGS)
def test_signed_out_pages_reflow_and_take_text_spacing(page: Page, lang):
    for path in SIGNED_OUT:
        check_layout(page, f"/{lang}/{path}")
    # A form with every error showing.
    visit(page, f"/{lang}/register/")
    submit(page, lang, "Register button")
    expect(error_summary(page, lang)).to_be_visible()
    check_layout(page)


@pytest.mark.parametrize("lang", LANGS)
def test_signed_in_pages_reflow_and_take_text_spacing(page: Page, lang):
    user = UserFactory(preferred_language=lang, first_name="Guadalupe", last_name="Montoya")
    enrollments = [
        EnrollmentFactory(user=user, nickname="Casa"),
        EnrollmentFactory(user=user, nickname="Rental on 5th St"),
        EnrollmentFactory(user=user),
    ]
    account = enrollments[0].account
    sign_in_from_login_page(page, lang, user.username, DEFAULT_PASSWORD)
    for path in (
        "accounts/",
        "accounts/enroll/",
        f"accounts/{account.pk}/",
        f"accounts/{account.pk}/settings/",
        f"accounts/{account.pk}/invite/",
        "profile/",
        "help/",
    ):
        check_layout(page, f"/{lang}/{path}")

    # The phone menu: opened with its button, it fits and passes axe too.
    page.set_viewport_size(WIDTHS[0][1])
    visit(page, f"/{lang}/accounts/")
    page.get_by_role("button", name=ui(lang, "Menu"), exact=True).click()
    nav = page.get_by_role("navigation", name=ui(lang, "Main menu"))
    expect(nav.get_by_role("link", name=ui(lang, "Account Settings"))).to_be_visible()
    expect_no_sideways_scroll(page, "320 px with the menu open")
    check_a11y(page, " at 320 px with the menu open")
    page.keyboard.press("Escape")
    expect(nav.get_by_role("link", name=ui(lang, "Account Settings"))).to_be_hidden()
    page.set_viewport_size(DESKTOP)
