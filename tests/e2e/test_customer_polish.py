"""What a Phoenix customer meets: the language kept at sign-in, and errors laid out to act on."""

import re

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from accounts import messages
from tests.e2e.helpers import (
    LANGS,
    error_summary,
    expect_signed_in,
    fill_registration,
    follow,
    new_person,
    sign_in_from_login_page,
    submit,
    text,
    visit,
)
from tests.factories import DEFAULT_PASSWORD, UserFactory


def test_signing_in_on_a_spanish_page_stays_in_spanish(page: Page):
    # This user chose English (for emails): the Spanish page they sign in on decides what they see.
    user = UserFactory(username="rosaValdez", preferred_language="en")
    sign_in_from_login_page(page, "es", user.username, DEFAULT_PASSWORD)
    expect(page).to_have_url(re.compile(r"/es/accounts/$"))
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect_signed_in(page, "es", user.username)


@pytest.mark.parametrize("lang", LANGS)
def test_registration_errors_come_all_at_once_each_with_its_help_entry(page: Page, lang):
    person = new_person(lang, "taken")
    UserFactory(username=person["username"], email="other@example.com")
    UserFactory(username="someoneElse", email=person["email"])
    visit(page, f"/{lang}/register/")
    fill_registration(page, lang, person)
    submit(page, lang, "Register button")

    summary = error_summary(page, lang)
    expect(summary).to_be_visible()
    with translation.override(lang):
        taken = str(messages.USERNAME_IN_USE % {"username": person["username"]})
        in_use = str(messages.EMAIL_IN_USE % {"email": person["email"]})
        new_customers = translation.gettext("NEW CUSTOMERS")
        what_to_do = translation.gettext("What to do")
    expect(summary).to_contain_text(taken)
    expect(summary).to_contain_text(in_use)
    # The seed's guidance once, as steps, with working links.
    expect(summary.get_by_text(new_customers, exact=True)).to_have_count(1)
    expect(page.get_by_role("main").get_by_text(new_customers, exact=True)).to_have_count(1)
    expect(summary.get_by_role("listitem").filter(has_text=in_use)).to_have_count(1)

    follow(page, summary.get_by_role("link", name=re.compile(f"^{what_to_do}")).nth(1))
    expect(page).to_have_url(re.compile(rf"/{lang}/help/#error-email-in-use$"))
    with translation.override(lang):
        entry = translation.gettext("Email address … is already in use")
    expect(page.locator("#error-email-in-use")).to_have_text(entry)
    expect(page.locator("#error-email-in-use")).to_be_in_viewport()


@pytest.mark.parametrize("lang", LANGS)
def test_check_your_email_names_the_address(page: Page, lang):
    person = new_person(lang, "named")
    visit(page, f"/{lang}/register/")
    fill_registration(page, lang, person)
    submit(page, lang, "Register button")
    expect(page).to_have_url(re.compile(rf"/{lang}/register/sent/$"))
    with translation.override(lang):
        sent_to = str(messages.REGISTRATION_SENT_TO % {"email": person["email"]})
    expect(page.get_by_role("status")).to_contain_text(sent_to)
    expect(page.get_by_role("status")).to_contain_text(
        text(lang, messages.REGISTRATION_ALMOST_DONE)
    )
