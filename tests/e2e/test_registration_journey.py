"""Registration, confirmation, sign-in/out, language switch and password reset, through the browser.

Every journey runs in English and in Spanish and finds fields and buttons by their visible labels in
that language (written out in helpers.UI, not taken from gettext, so a missing translation shows).
"""

import re

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from accounts import messages
from tests.e2e.helpers import (
    LANGS,
    NEW_PASSWORD,
    button,
    check_confirmation_email,
    confirm,
    error_summary,
    expect_notice,
    expect_signed_in,
    expect_signed_out_menu,
    field,
    fill_confirmation,
    new_person,
    open_menu_item,
    post_with,
    register,
    sign_in,
    sign_out,
    submit,
    text,
    visit,
)
from tests.factories import DEFAULT_PASSWORD, UserFactory

# --- journeys -------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_register_confirm_sign_in_and_out(page: Page, wait_for_email, site_url, lang):
    person = new_person(lang, "journey")
    password = NEW_PASSWORD

    register(page, lang, person)
    message = wait_for_email(1)
    link = check_confirmation_email(message, lang, person, site_url)

    confirm(page, lang, link, person, password)
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect_signed_out_menu(page, lang)

    sign_in(page, lang, person["username"], password)
    expect(page).to_have_url(re.compile(rf"/{lang}/accounts/$"))
    expect_signed_in(page, lang, person["username"])

    sign_out(page, lang)
    expect(page).to_have_url(re.compile(rf"/{lang}/$"))


@pytest.mark.parametrize("lang", LANGS)
def test_registering_again_only_the_newest_link_works(page: Page, wait_for_email, site_url, lang):
    person = new_person(lang, "again")

    register(page, lang, person)
    first_link = check_confirmation_email(wait_for_email(1), lang, person, site_url)
    register(page, lang, person)
    second_link = check_confirmation_email(wait_for_email(2), lang, person, site_url)
    assert first_link != second_link

    visit(page, first_link)
    expect_notice(page, text(lang, messages.CONFIRMATION_NOT_FOUND), role="alert")
    expect(field(page, lang, "User Name")).to_have_count(0)

    confirm(page, lang, second_link, person, NEW_PASSWORD)
    sign_in(page, lang, person["username"], NEW_PASSWORD)
    expect_signed_in(page, lang, person["username"])


@pytest.mark.parametrize("lang", LANGS)
def test_wrong_case_user_name_is_refused_then_exact_case_confirms(
    page: Page, wait_for_email, site_url, lang
):
    person = new_person(lang, "case")
    register(page, lang, person)
    link = check_confirmation_email(wait_for_email(1), lang, person, site_url)

    visit(page, link)
    fill_confirmation(
        page,
        lang,
        username=person["username"].lower(),
        email=person["email"],
        password=NEW_PASSWORD,
    )
    summary = error_summary(page, lang)
    expect(summary).to_be_visible()
    expect(summary).to_contain_text(text(lang, messages.CONFIRMATION_MISMATCH))
    # Still on the confirmation page (the token left the address bar for the session), which
    # keeps what was typed except the passwords.
    expect(page).to_have_url(re.compile(rf"/{lang}/register/confirm/$"))
    expect(field(page, lang, "User Name")).to_have_value(person["username"].lower())
    expect(field(page, lang, "Password")).to_have_value("")

    fill_confirmation(
        page, lang, username=person["username"], email=person["email"], password=NEW_PASSWORD
    )
    expect(page).to_have_url(re.compile(rf"/{lang}/login/$"))
    expect_notice(page, text(lang, messages.CONFIRMED_GET_STARTED))
    sign_in(page, lang, person["username"], NEW_PASSWORD)
    expect_signed_in(page, lang, person["username"])


def test_language_switch_keeps_the_page(page: Page):
    visit(page, "/en/register/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(field(page, "en", "User Name")).to_be_visible()

    post_with(page, page.get_by_role("button", name="Español", exact=True))
    expect(page).to_have_url(re.compile(r"/es/register/$"))
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(field(page, "es", "User Name")).to_be_visible()
    expect(button(page, "es", "Register button")).to_be_visible()

    post_with(page, page.get_by_role("button", name="English", exact=True))
    expect(page).to_have_url(re.compile(r"/en/register/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(field(page, "en", "User Name")).to_be_visible()


@pytest.mark.parametrize("lang", LANGS)
def test_reset_password_then_sign_in_with_the_new_one(
    page: Page, settings, wait_for_email, site_url, lang
):
    person = new_person(lang, "reset")
    UserFactory(
        username=person["username"],
        first_name=person["first_name"],
        email=person["email"],
        preferred_language=lang,
    )

    visit(page, f"/{lang}/")
    open_menu_item(page, lang, "Reset Password")
    expect(page).to_have_url(re.compile(rf"/{lang}/password-reset/$"))
    field(page, lang, "Email Address").fill(person["email"])
    submit(page, lang, "Send Reset Link")
    # The notice says how long the link works: PASSWORD_RESET_TIMEOUT, in hours.
    hours = settings.PASSWORD_RESET_TIMEOUT // 3600
    expect_notice(page, text(lang, messages.PASSWORD_RESET_SENT) % {"hours": hours})

    message = wait_for_email(1)
    assert message.to == [person["email"]]
    with translation.override(lang):
        assert message.subject == translation.gettext("Reset your PHX Pay Online password")
    match = re.search(rf"{re.escape(site_url)}/{lang}/password-reset/\S+/\S+/", message.body)
    assert match, message.body

    visit(page, match.group(0))
    field(page, lang, "New Password").fill(NEW_PASSWORD)
    field(page, lang, "Confirm New Password").fill(NEW_PASSWORD)
    submit(page, lang, "Change Password")
    expect(page).to_have_url(re.compile(rf"/{lang}/login/$"))
    expect_notice(page, text(lang, messages.PASSWORD_RESET_DONE))

    # The old password no longer works; the new one does.
    sign_in(page, lang, person["username"], DEFAULT_PASSWORD)
    expect(error_summary(page, lang)).to_contain_text(text(lang, messages.LOGIN_FAILED))
    sign_in(page, lang, person["username"], NEW_PASSWORD)
    expect_signed_in(page, lang, person["username"])
