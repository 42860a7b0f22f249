"""The official look in the browser: the USWDS banner opens and closes from the keyboard, the phone
header keeps the language switch and the account tools in view, /favicon.ico answers, and no page
opens scrolled past its heading on a phone."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.a11y import check_a11y
from tests.e2e.helpers import (
    LANGS,
    field,
    heading,
    menu_link,
    post_with,
    sign_in_from_login_page,
    ui,
    visit,
)
from tests.factories import DEFAULT_PASSWORD, EnrollmentFactory, UserFactory

PHONE = {"width": 390, "height": 844}
SMALL_PHONE = {"width": 320, "height": 640}
LANGUAGE_NAMES = {"en": "English", "es": "Español"}


def other(lang: str) -> str:
    return "es" if lang == "en" else "en"


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, PHONE])
def test_the_banner_opens_and_closes_from_the_keyboard(page: Page, viewport):
    page.set_viewport_size(viewport)
    visit(page, "/en/help/")
    button = page.locator(".usa-banner__button")
    explanation = page.locator("#gov-banner")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(explanation).to_be_hidden()

    # Right after the skip link: the second Tab stop.
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(button).to_be_focused()
    page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(explanation).to_be_visible()
    expect(explanation).to_contain_text("phoenix.gov")
    expect(explanation.get_by_role("img", name="Locked padlock icon")).to_be_visible()
    check_a11y(page, " with the banner open")

    page.keyboard.press("Space")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(explanation).to_be_hidden()


@pytest.mark.parametrize("lang", LANGS)
def test_phone_header_shows_the_language_switch_and_the_account(page: Page, lang):
    page.set_viewport_size(PHONE)
    visit(page, f"/{lang}/register/")
    header = page.get_by_role("banner")
    expect(header.get_by_role("link", name="PHX Pay Online")).to_be_visible()
    switch = header.get_by_role("button", name=LANGUAGE_NAMES[other(lang)], exact=True)
    # In view with the menu panel closed: no need to open Menu to change the language.
    expect(menu_link(page, lang, "Register")).to_be_hidden()
    expect(switch).to_be_visible()
    expect(switch).to_have_attribute("lang", other(lang))
    post_with(page, switch)
    expect(page).to_have_url(re.compile(rf"/{other(lang)}/register/$"))
    expect(page.locator("html")).to_have_attribute("lang", other(lang))

    user = UserFactory(username=f"wstestphx{lang}", first_name="William", preferred_language=lang)
    EnrollmentFactory(user=user)
    sign_in_from_login_page(page, lang, user.username, DEFAULT_PASSWORD)
    expect(page).to_have_url(re.compile(rf"/{lang}/accounts/$"))
    expect(header.get_by_text(ui(lang, "Welcome").format(name=user.username))).to_be_visible()
    expect(header.get_by_role("button", name=ui(lang, "Logout"))).to_be_visible()
    expect(header.get_by_role("button", name=LANGUAGE_NAMES[other(lang)])).to_be_visible()
    expect(menu_link(page, lang, "User Profile")).to_be_hidden()


@pytest.mark.parametrize("viewport", [PHONE, SMALL_PHONE])
@pytest.mark.parametrize("lang", LANGS)
def test_pages_open_at_their_heading_on_a_phone(page: Page, lang, viewport):
    page.set_viewport_size(viewport)
    h1 = page.get_by_role("heading", level=1)

    # The Login form is the page's only task: its User Name has focus and is in view with the heading.
    visit(page, f"/{lang}/login/")
    expect(field(page, lang, "User Name")).to_be_focused()
    expect(h1).to_have_text(heading(lang, "Login"))
    expect(h1).to_be_in_viewport()
    assert page.evaluate("() => scrollY") == 0

    # User Profile has two forms below facts about the user: nothing takes focus or scrolls.
    user = UserFactory(preferred_language=lang)
    sign_in_from_login_page(page, lang, user.username, DEFAULT_PASSWORD)
    visit(page, f"/{lang}/profile/")
    expect(h1).to_have_text(heading(lang, "User Profile"))
    expect(h1).to_be_in_viewport()
    assert page.evaluate("() => scrollY") == 0
    assert page.evaluate("() => document.activeElement === document.body")


def test_favicon_ico_is_served(page: Page):
    response = page.request.get("/favicon.ico")
    assert response.ok
    assert response.body()[:4] == b"\x00\x00\x01\x00"
    assert response.url.endswith(".ico") and "/static/img/favicon." in response.url
