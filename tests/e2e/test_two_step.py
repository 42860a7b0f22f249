"""A customer turns on two-step verification from User Profile and signs in with a second step."""

import re
from base64 import b32decode

import pytest
from django.utils import translation
from django_otp.oath import TOTP
from playwright.sync_api import Page, expect

from tests.e2e.helpers import LANGS, follow, post_with, sign_in_from_login_page, visit
from tests.factories import DEFAULT_PASSWORD, UserFactory


@pytest.mark.parametrize("lang", LANGS)
def test_customer_turns_on_two_step_and_signs_in_with_a_code(page: Page, lang):
    user = UserFactory(username=f"twoStep{lang}")
    sign_in_from_login_page(page, lang, user.username, DEFAULT_PASSWORD)
    visit(page, f"/{lang}/profile/")
    with translation.override(lang):
        turn_on = translation.gettext("Turn on two-step verification")
        code_label = translation.gettext("Code")
    follow(page, page.get_by_role("link", name=turn_on))
    secret = page.locator("figcaption code").inner_text().replace(" ", "")
    key = b32decode(secret + "=" * (-len(secret) % 8))
    main = page.get_by_role("main")
    main.get_by_label(re.compile(rf"{code_label}")).fill(f"{TOTP(key).token():06d}")
    post_with(page, main.get_by_role("button", name=turn_on))
    expect(page.locator(".phx-recovery-codes li")).to_have_count(10)
    recovery = page.locator(".phx-recovery-codes li").first.inner_text()

    page.context.clear_cookies()
    sign_in_from_login_page(page, lang, user.username, DEFAULT_PASSWORD)
    expect(page).to_have_url(re.compile(rf"/{lang}/login/code/$"))
    # The app's code was just used to turn it on (a code works once), so: a recovery code.
    main.get_by_label(re.compile(rf"{code_label}")).fill(recovery)
    with translation.override(lang):
        sign_in_label = translation.gettext("Sign In")
    post_with(page, main.get_by_role("button", name=sign_in_label))
    expect(page).to_have_url(re.compile(rf"/{lang}/accounts/$"))
