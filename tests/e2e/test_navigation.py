"""The menus, signed out and signed in, and the keyboard-only journey (skip link, visible focus)."""

import re

import pytest
from playwright.sync_api import Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from accounts import messages
from tests.e2e.helpers import (
    LANGS,
    NEW_PASSWORD,
    UI,
    check_confirmation_email,
    expect_heading,
    expect_notice,
    expect_signed_in,
    expect_signed_out_menu,
    field,
    menu,
    menu_link,
    navigate,
    new_person,
    open_menu_item,
    sign_in_from_login_page,
    text,
    ui,
    visit,
)
from tests.factories import DEFAULT_PASSWORD, EnrollmentFactory, UserFactory


def expect_current(page: Page, lang: str, name: str) -> None:
    """The menu marks the page being shown, for sight and for screen readers."""
    expect(menu_link(page, lang, name)).to_have_attribute("aria-current", "page")
    expect(menu(page, lang).locator("[aria-current='page']")).to_have_count(1)


@pytest.mark.parametrize("lang", LANGS)
def test_every_menu_item_signed_out_and_signed_in(page: Page, lang):
    visit(page, f"/{lang}/")
    expect_signed_out_menu(page, lang)
    for name in UI[lang]["signed out menu"]:
        open_menu_item(page, lang, name)
        expect_heading(page, lang, name)
        expect_current(page, lang, name)

    user = UserFactory(preferred_language=lang, first_name="Rosa")
    first = EnrollmentFactory(user=user).account
    EnrollmentFactory(user=user, nickname="Rental")
    sign_in_from_login_page(page, lang, user.username, DEFAULT_PASSWORD)
    expect_signed_in(page, lang, user.username)
    for name in UI[lang]["signed in menu"]:
        open_menu_item(page, lang, name)
        expect_heading(page, lang, name)
        expect_current(page, lang, name)
        if name in ("Details", "Account Settings"):
            # The menu opens the first account; its number heads the page.
            number = page.get_by_role("heading", level=2, name=re.compile(first.account_number))
            expect(number).to_be_visible()


# --- keyboard only ---------------------------------------------------------------------------------

_FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const rect = el.getBoundingClientRect();
  return {
    tag: el.tagName.toLowerCase(),
    id: el.id,
    name: (el.getAttribute("aria-label") || el.innerText || el.value || "").trim().slice(0, 60),
    outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
    shadow: style.boxShadow !== "none" && style.boxShadow !== "",
    onscreen: rect.width > 0 && rect.height > 0 && rect.bottom > 0 && rect.right > 0
      && rect.top < innerHeight && rect.left < innerWidth,
  };
}"""


def focused(page: Page) -> dict | None:
    return page.evaluate(_FOCUS)


def has_focus(locator: Locator) -> bool:
    return locator.evaluate("el => el === document.activeElement")


def press(page: Page, key: str) -> dict:
    """Press a key that moves focus; the focused control must show it (WCAG 2.4.7) on screen.

    Waits a moment for it: the skip link slides in with a short CSS transition.
    """
    page.keyboard.press(key)
    try:
        page.wait_for_function(
            f"() => {{ const f = ({_FOCUS})(); return f && (f.outline || f.shadow) && f.onscreen; }}",
            timeout=2000,
        )
    except PlaywrightTimeoutError:
        pytest.fail(f"{key}: focus is not visibly on screen: {focused(page)}", pytrace=False)
    return focused(page)


def tab_to(page: Page, target: Locator, *, limit: int = 40) -> None:
    """Tab forward, as a person does, until `target` has focus."""
    seen = []
    for _ in range(limit):
        seen.append(press(page, "Tab"))
        if has_focus(target):
            return
    pytest.fail(f"Tab never reached {target}; focus went through {seen}")


def tab_next(page: Page, target: Locator) -> None:
    """One Tab must land on `target`: the focus order follows the form."""
    where = press(page, "Tab")
    assert has_focus(target), f"Tab went to {where}, not to {target}"


def skip_to_main(page: Page, lang: str) -> None:
    """The first Tab stop is the skip link; Enter on it moves focus to <main>."""
    where = press(page, "Tab")
    skip = page.get_by_role("link", name=ui(lang, "Skip to main content"))
    assert has_focus(skip), f"the first Tab stop is {where}, not the skip link"
    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_be_focused()


def type_into(page: Page, target: Locator, value: str) -> None:
    assert has_focus(target), f"typing into {target}, but focus is on {focused(page)}"
    page.keyboard.type(value)
    expect(target).to_have_value(value)


def press_to_leave(page: Page, key: str = "Enter") -> None:
    """Press a key on a link or a submit button: a new page loads (and is checked with axe)."""
    navigate(page, lambda: page.keyboard.press(key))


@pytest.mark.parametrize("lang", LANGS)
def test_register_confirm_and_sign_in_with_the_keyboard_only(
    page: Page, wait_for_email, site_url, lang
):
    person = new_person(lang, "keys")
    main = page.get_by_role("main")

    # Home: skip link, then the Register button in the page.
    visit(page, f"/{lang}/")
    skip_to_main(page, lang)
    tab_to(page, main.get_by_role("link", name=ui(lang, "Register"), exact=True))
    press_to_leave(page)
    expect(page).to_have_url(re.compile(rf"/{lang}/register/$"))

    skip_to_main(page, lang)
    tab_to(page, field(page, lang, "User Name"))
    type_into(page, field(page, lang, "User Name"), person["username"])
    tab_next(page, field(page, lang, "First Name"))
    # Back with Shift+Tab, and forward again: the order is the same both ways.
    press(page, "Shift+Tab")
    assert has_focus(field(page, lang, "User Name"))
    tab_next(page, field(page, lang, "First Name"))
    type_into(page, field(page, lang, "First Name"), person["first_name"])
    tab_next(page, field(page, lang, "Last Name"))
    type_into(page, field(page, lang, "Last Name"), person["last_name"])
    tab_next(page, field(page, lang, "Email Address"))
    type_into(page, field(page, lang, "Email Address"), person["email"])
    tab_next(page, field(page, lang, "Confirm Email Address"))
    type_into(page, field(page, lang, "Confirm Email Address"), person["email"])
    tab_next(page, main.get_by_role("button", name=ui(lang, "Register button"), exact=True))
    press_to_leave(page)
    expect(page).to_have_url(re.compile(rf"/{lang}/register/sent/$"))
    expect_notice(page, text(lang, messages.REGISTRATION_ALMOST_DONE))

    # The emailed link opens the confirmation form.
    visit(page, check_confirmation_email(wait_for_email(1), lang, person, site_url))
    skip_to_main(page, lang)
    tab_to(page, field(page, lang, "User Name"))
    type_into(page, field(page, lang, "User Name"), person["username"])
    tab_next(page, field(page, lang, "Email Address"))
    type_into(page, field(page, lang, "Email Address"), person["email"])
    password = field(page, lang, "Password")
    tab_next(page, password)
    type_into(page, password, NEW_PASSWORD)
    # Space on "Show password" shows what was typed, and hides it again.
    show = main.get_by_role("button", name=ui(lang, "Show password")).first
    tab_next(page, show)
    page.keyboard.press("Space")
    expect(password).to_have_attribute("type", "text")
    page.keyboard.press("Space")
    expect(password).to_have_attribute("type", "password")
    tab_next(page, field(page, lang, "Confirm Password"))
    type_into(page, field(page, lang, "Confirm Password"), NEW_PASSWORD)
    tab_to(page, main.get_by_role("button", name=ui(lang, "Submit"), exact=True))
    press_to_leave(page)
    expect(page).to_have_url(re.compile(rf"/{lang}/login/$"))
    expect_notice(page, text(lang, messages.CONFIRMED_GET_STARTED))

    # Sign in, then out, from the keyboard. Django's login form autofocuses the User Name.
    expect(field(page, lang, "User Name")).to_be_focused()
    type_into(page, field(page, lang, "User Name"), person["username"])
    tab_next(page, field(page, lang, "Password"))
    type_into(page, field(page, lang, "Password"), NEW_PASSWORD)
    tab_to(page, main.get_by_role("button", name=ui(lang, "Sign In"), exact=True))
    press_to_leave(page)
    expect(page).to_have_url(re.compile(rf"/{lang}/accounts/$"))
    expect_signed_in(page, lang, person["username"])

    tab_to(page, page.get_by_role("banner").get_by_role("button", name=ui(lang, "Logout")))
    press_to_leave(page, "Space")
    expect_notice(page, text(lang, messages.LOGGED_OUT))
    expect_signed_out_menu(page, lang)
