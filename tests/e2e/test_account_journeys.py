"""Billing accounts through the browser: enrolling with a PIN, the PIN lockout, inviting a new guest,
and a pre-created e-bill customer's first sign-in with a PIN. Each in English and in Spanish.
"""

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from accounts import messages as account_messages
from enrollment import messages
from enrollment.models import Role
from tests.e2e.helpers import (
    LANGS,
    NEW_PASSWORD,
    UI,
    check_confirmation_email,
    confirm,
    error_summary,
    expect_heading,
    expect_notice,
    expect_signed_in,
    field,
    follow,
    menu,
    message_prefix,
    new_person,
    open_menu_item,
    sign_in,
    sign_in_from_login_page,
    sign_out,
    submit,
    text,
    ui,
    visit,
)
from tests.factories import (
    DEFAULT_PASSWORD,
    DEFAULT_PIN,
    BillingAccountFactory,
    EnrollmentFactory,
    UserFactory,
)

WRONG_PIN = "1357"


def accounts_table(page: Page, lang: str):
    return page.get_by_role("table", name=ui(lang, "accounts caption"))


def expect_listed(page: Page, lang: str, *account_numbers: str) -> None:
    rows = accounts_table(page, lang).get_by_role("rowheader")
    expect(rows).to_have_count(len(account_numbers))
    for number, row in zip(account_numbers, rows.all(), strict=True):
        expect(row).to_contain_text(number)


def main_link(page: Page, lang: str, name: str):
    return page.get_by_role("main").get_by_role("link", name=ui(lang, name), exact=True)


def radio(page: Page, lang: str, label: str):
    return page.get_by_role("main").get_by_role("radio", name=ui(lang, label), exact=True)


def choose(page: Page, lang: str, label: str) -> None:
    """Click a radio button's label, as a person does (USWDS draws the button over its label)."""
    page.get_by_role("main").locator("label", has_text=ui(lang, label)).click()
    expect(radio(page, lang, label)).to_be_checked()


def open_enroll(page: Page, lang: str) -> None:
    """Account(s) → Enroll."""
    open_menu_item(page, lang, "Account(s)")
    expect_heading(page, lang, "Account(s)")
    follow(page, main_link(page, lang, "Enroll"))
    expect(page).to_have_url(re.compile(rf"/{lang}/accounts/enroll/$"))
    expect_heading(page, lang, "Enroll")


def enroll_with(page: Page, lang: str, account_number: str, pin: str) -> None:
    field(page, lang, "Account Number").fill(account_number)
    field(page, lang, "Security PIN").fill(pin)
    submit(page, lang, "Enroll")


@pytest.mark.parametrize("lang", LANGS)
def test_enroll_with_a_wrong_then_the_right_pin(page: Page, lang):
    user = UserFactory(preferred_language=lang)
    account = BillingAccountFactory()
    sign_in_from_login_page(page, lang, user.username, DEFAULT_PASSWORD)
    expect(page).to_have_url(re.compile(rf"/{lang}/accounts/$"))
    expect(accounts_table(page, lang)).to_have_count(0)

    open_enroll(page, lang)
    enroll_with(page, lang, account.account_number, WRONG_PIN)
    summary = error_summary(page, lang)
    expect(summary).to_contain_text(text(lang, messages.NO_MATCH))
    expect(summary).to_be_focused()
    # The account number is kept; the PIN, like a password, is not sent back.
    expect(field(page, lang, "Account Number")).to_have_value(account.account_number)
    expect(field(page, lang, "Security PIN")).to_have_value("")

    enroll_with(page, lang, account.account_number, DEFAULT_PIN)
    # Straight to the list, in the same session: no signing out and in again.
    expect(page).to_have_url(re.compile(rf"/{lang}/accounts/$"))
    expect_notice(page, text(lang, messages.ENROLLED) % {"account": account.account_number})
    expect_listed(page, lang, account.account_number)
    expect_signed_in(page, lang, user.first_name)


@pytest.mark.parametrize("lang", LANGS)
def test_five_wrong_pins_lock_the_account(page: Page, settings, lang):
    assert settings.PIN_ACCOUNT_FAILURE_LIMIT == 5
    user = UserFactory(preferred_language=lang)
    account = BillingAccountFactory()
    sign_in_from_login_page(page, lang, user.username, DEFAULT_PASSWORD)
    open_enroll(page, lang)

    for attempt in range(1, 5):
        enroll_with(page, lang, account.account_number, WRONG_PIN)
        summary = error_summary(page, lang)
        expect(summary, f"wrong PIN #{attempt}").to_contain_text(text(lang, messages.NO_MATCH))

    enroll_with(page, lang, account.account_number, WRONG_PIN)
    locked = message_prefix(lang, messages.ACCOUNT_LOCKED)
    expect(error_summary(page, lang)).to_contain_text(locked)

    # Locked means locked: the right PIN is refused too, with the same message.
    enroll_with(page, lang, account.account_number, DEFAULT_PIN)
    expect(error_summary(page, lang)).to_contain_text(locked)
    expect(page).to_have_url(re.compile(rf"/{lang}/accounts/enroll/$"))
    open_menu_item(page, lang, "Account(s)")
    expect(accounts_table(page, lang)).to_have_count(0)


@pytest.mark.parametrize("lang", LANGS)
def test_holder_invites_a_new_guest_who_registers_and_sees_the_account(
    page: Page, email_to, site_url, lang
):
    holder = UserFactory(preferred_language=lang, first_name="Maria", last_name="Holder")
    account = BillingAccountFactory()
    EnrollmentFactory(user=holder, account=account, role=Role.HOLDER)
    guest = new_person(lang, "guest")

    # The holder: Details → Invite, the form, the confirmation and the list of invitations.
    sign_in_from_login_page(page, lang, holder.username, DEFAULT_PASSWORD)
    open_menu_item(page, lang, "Details")
    expect_heading(page, lang, "Details")
    follow(page, main_link(page, lang, "Invite"))
    expect(page).to_have_url(re.compile(rf"/{lang}/accounts/{account.pk}/invite/$"))
    expect_heading(page, lang, "Invite")
    field(page, lang, "Email Address").fill(guest["email"])
    expect(radio(page, lang, "View only")).to_be_checked()
    choose(page, lang, "Manage")
    submit(page, lang, "Send Invitation")
    expect(page).to_have_url(re.compile(rf"/{lang}/accounts/{account.pk}/invite/$"))
    expect_notice(page, text(lang, messages.INVITE_SENT) % {"email": guest["email"]})
    expect(page.get_by_role("main").get_by_role("rowheader")).to_have_text([guest["email"]])
    sign_out(page, lang)

    # The guest: the invitation's Register link (in their language), with the address filled in.
    invitation = email_to(guest["email"])
    match = re.search(rf"{re.escape(site_url)}/{lang}/register/\?email=\S+", invitation.body)
    assert match, invitation.body
    visit(page, match.group(0))
    expect(field(page, lang, "Email Address")).to_have_value(guest["email"])
    expect(field(page, lang, "Confirm Email Address")).to_have_value(guest["email"])
    field(page, lang, "User Name").fill(guest["username"])
    field(page, lang, "First Name").fill(guest["first_name"])
    field(page, lang, "Last Name").fill(guest["last_name"])
    submit(page, lang, "Register button")
    expect(page).to_have_url(re.compile(rf"/{lang}/register/sent/$"))
    expect_notice(page, text(lang, account_messages.REGISTRATION_ALMOST_DONE))

    link = check_confirmation_email(email_to(guest["email"], n=2), lang, guest, site_url)
    confirm(page, lang, link, guest, NEW_PASSWORD)
    sign_in(page, lang, guest["username"], NEW_PASSWORD)
    expect(page).to_have_url(re.compile(rf"/{lang}/accounts/$"))
    expect_signed_in(page, lang, guest["first_name"])
    expect_listed(page, lang, account.account_number)
    expect(accounts_table(page, lang)).to_contain_text(text(lang, Role.MANAGE.label))


@pytest.mark.parametrize("lang", LANGS)
def test_precreated_ebill_customer_signs_in_with_the_pin_and_must_change_the_password(
    page: Page, lang
):
    email = f"ebill.{lang}.{uuid.uuid4().hex[:8]}@example.com"
    user = UserFactory(
        username=email,
        email=email,
        precreated=True,
        must_change_password=True,
        preferred_language=lang,
    )
    user.set_unusable_password()
    user.must_change_password = True
    user.save()
    account = BillingAccountFactory(ebill_email=email)
    EnrollmentFactory(user=user, account=account, role=Role.HOLDER)
    new_password_page = re.compile(rf"/{lang}/profile/new-password/$")

    sign_in_from_login_page(page, lang, email, DEFAULT_PIN)
    expect(page).to_have_url(new_password_page)
    expect_heading(page, lang, "Change Password")
    expect(page.get_by_role("main")).to_contain_text(
        text(lang, account_messages.PASSWORD_CHANGE_REQUIRED)
    )
    # The menu offers only Home (which leads back here) and the password change.
    expect(menu(page, lang).get_by_role("link")).to_have_text(
        [ui(lang, "Home"), ui(lang, "Change Password")]
    )

    # Every other page, menu item or typed address, redirects to the password change.
    open_menu_item(page, lang, "Home")
    expect(page).to_have_url(new_password_page)
    for path in (
        "accounts/",
        "accounts/enroll/",
        "accounts/details/",
        f"accounts/{account.pk}/settings/",
        "profile/",
        "help/",
        "links/",
    ):
        visit(page, f"/{lang}/{path}")
        expect(page, f"/{lang}/{path}").to_have_url(new_password_page)

    field(page, lang, "New Password").fill(NEW_PASSWORD)
    field(page, lang, "Confirm New Password").fill(NEW_PASSWORD)
    submit(page, lang, "Change Password")
    expect(page).to_have_url(re.compile(rf"/{lang}/accounts/$"))
    expect_heading(page, lang, "Account(s)")
    expect_notice(page, text(lang, account_messages.PASSWORD_SET_WELCOME))
    expect_listed(page, lang, account.account_number)
    expect(menu(page, lang).get_by_role("link")).to_have_text(
        [ui(lang, name) for name in UI[lang]["signed in menu"]]
    )

    # From now on the PIN is no longer a password; the new password is.
    sign_out(page, lang)
    sign_in_from_login_page(page, lang, email, DEFAULT_PIN)
    expect(error_summary(page, lang)).to_contain_text(text(lang, account_messages.LOGIN_FAILED))
    sign_in(page, lang, email, NEW_PASSWORD)
    expect(page).to_have_url(re.compile(rf"/{lang}/accounts/$"))
