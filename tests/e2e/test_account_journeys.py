"""Billing accounts through the browser: enrolling with a PIN (and the service address when asked),
the PIN lockout, inviting a new guest, and a pre-created e-bill customer's first sign-in with a PIN
and the link it mails. Each in English and in Spanish.
"""

import re
import uuid
from datetime import timedelta

import pytest
from django.utils.translation import gettext_lazy
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
    expect_signed_out_menu,
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
    PrecreatedUserFactory,
    UserFactory,
)

# Wrong, and not a PIN people commonly choose (enrollment.guessing.is_common_pin): a common one would
# be answered with the step-up (ZIP code and house number) before any PIN is checked.
WRONG_PIN = "5822"
ZIP = "ZIP code of the service address"
HOUSE_NUMBER = "House number of the service address"
# The header's language switch: each button reads the language's own name.
FIRST_SIGNIN_SUBJECT = gettext_lazy("PHX Pay Online: finish signing in for the first time")


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


def enroll_with(
    page: Page, lang: str, account_number: str, pin: str, *, service_zip="", house_number=""
) -> None:
    """Fill the Enroll form and send it; the ZIP code and house number only when they are given
    (their fields are there only once the step-up asked for them)."""
    field(page, lang, "Account Number").fill(account_number)
    if service_zip or house_number:
        field(page, lang, ZIP).fill(service_zip)
        field(page, lang, HOUSE_NUMBER).fill(house_number)
    field(page, lang, "Security PIN").fill(pin)
    submit(page, lang, "Enroll")


def expect_step_up(page: Page, lang: str, account_number: str) -> None:
    """The Enroll form again, asking for the service address's ZIP code and house number too."""
    expect(page).to_have_url(re.compile(rf"/{lang}/accounts/enroll/$"))
    expect_heading(page, lang, "Enroll")
    expect_notice(page, text(lang, messages.STEP_UP_REQUIRED))
    expect(field(page, lang, ZIP)).to_be_visible()
    expect(field(page, lang, ZIP)).to_have_value("")
    expect(field(page, lang, HOUSE_NUMBER)).to_be_visible()
    expect(field(page, lang, HOUSE_NUMBER)).to_have_value("")
    # The PIN must be typed again, with them; the account number is kept.
    expect(field(page, lang, "Account Number")).to_have_value(account_number)
    expect(field(page, lang, "Security PIN")).to_have_value("")


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
    expect(field(page, lang, ZIP)).to_have_count(0)

    # After a wrong PIN, the right one is not enough: the service address is asked for too.
    enroll_with(page, lang, account.account_number, DEFAULT_PIN)
    expect_step_up(page, lang, account.account_number)
    expect(accounts_table(page, lang)).to_have_count(0)

    enroll_with(
        page,
        lang,
        account.account_number,
        DEFAULT_PIN,
        service_zip=account.service_zip,
        house_number=account.house_number,
    )
    # Straight to the list, in the same session: no signing out and in again.
    expect(page).to_have_url(re.compile(rf"/{lang}/accounts/$"))
    expect_notice(page, text(lang, messages.ENROLLED) % {"account": account.account_number})
    expect_listed(page, lang, account.account_number)
    expect_signed_in(page, lang, user.username)


@pytest.mark.parametrize("lang", LANGS)
def test_five_wrong_pins_lock_the_account(page: Page, settings, lang):
    assert settings.PIN_ACCOUNT_FAILURE_LIMIT == 5
    user = UserFactory(preferred_language=lang)
    account = BillingAccountFactory()
    sign_in_from_login_page(page, lang, user.username, DEFAULT_PASSWORD)
    open_enroll(page, lang)

    address = {"service_zip": account.service_zip, "house_number": account.house_number}

    enroll_with(page, lang, account.account_number, WRONG_PIN)
    expect(error_summary(page, lang), "wrong PIN #1").to_contain_text(text(lang, messages.NO_MATCH))
    # After a wrong PIN every attempt needs the service address too: the PIN alone is not checked.
    enroll_with(page, lang, account.account_number, WRONG_PIN)
    expect_step_up(page, lang, account.account_number)

    for attempt in range(2, 5):
        enroll_with(page, lang, account.account_number, WRONG_PIN, **address)
        summary = error_summary(page, lang)
        expect(summary, f"wrong PIN #{attempt}").to_contain_text(text(lang, messages.NO_MATCH))
        # The ZIP code and house number are kept for the next try; the PIN is not.
        expect(field(page, lang, ZIP)).to_have_value(account.service_zip)
        expect(field(page, lang, HOUSE_NUMBER)).to_have_value(account.house_number)
        expect(field(page, lang, "Security PIN")).to_have_value("")

    enroll_with(page, lang, account.account_number, WRONG_PIN, **address)
    expect(error_summary(page, lang)).to_contain_text(message_prefix(lang, messages.ACCOUNT_LOCKED))

    # The right PIN is refused too, with the same message: the account is locked for everyone.
    enroll_with(page, lang, account.account_number, DEFAULT_PIN, **address)
    expect(error_summary(page, lang)).to_contain_text(message_prefix(lang, messages.ACCOUNT_LOCKED))
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
    expect_signed_in(page, lang, guest["username"])
    expect_listed(page, lang, account.account_number)
    expect(accounts_table(page, lang)).to_contain_text(text(lang, Role.MANAGE.label))


@pytest.mark.parametrize("lang", LANGS)
def test_precreated_ebill_customer_signs_in_with_the_pin_and_chooses_a_password_from_the_link(
    page: Page, settings, email_to, site_url, lang
):
    email = f"ebill.{lang}.{uuid.uuid4().hex[:8]}@example.com"
    # Created by the import in English: the language they sign in with becomes theirs.
    user = PrecreatedUserFactory(username=email, preferred_language="en")
    account = BillingAccountFactory(ebill_email=email)
    EnrollmentFactory(user=user, account=account, role=Role.HOLDER)

    # A correct PIN signs nobody in: it mails a link to the e-bill address on file.
    sign_in_from_login_page(page, lang, email, DEFAULT_PIN)
    expect(page).to_have_url(re.compile(rf"/{lang}/accounts/first-sign-in/sent/$"))
    expect_heading(page, lang, "First sign-in sent")
    hours = settings.CONFIRMATION_LINK_MAX_AGE // timedelta(hours=1)
    expect_notice(page, text(lang, messages.FIRST_SIGNIN_LINK_SENT) % {"hours": hours})
    expect_signed_out_menu(page, lang)
    visit(page, f"/{lang}/accounts/")
    expect_heading(page, lang, "Login")
    expect_signed_out_menu(page, lang)

    # The email: in the language they signed in with, a link to the live site, never the PIN.
    message = email_to(email)
    assert message.tags == ["first_signin_link"], message.tags
    assert message.subject == text(lang, FIRST_SIGNIN_SUBJECT)
    assert message.extra_headers["Content-Language"] == lang
    assert DEFAULT_PIN not in message.body
    match = re.search(
        rf"{re.escape(site_url)}/{lang}/accounts/first-sign-in/[A-Za-z0-9_\-]+/", message.body
    )
    assert match, message.body
    link = match.group(0)

    # The link leads to choosing a password, in the same language.
    visit(page, link)
    expect(page).to_have_url(re.compile(rf"/{lang}/accounts/first-sign-in/password/$"))
    expect_heading(page, lang, "First sign-in password")
    expect(page.get_by_role("main")).to_contain_text(email)
    field(page, lang, "New Password").fill(NEW_PASSWORD)
    field(page, lang, "Confirm New Password").fill(NEW_PASSWORD)
    submit(page, lang, "Save password and sign in")
    expect(page).to_have_url(re.compile(rf"/{lang}/accounts/$"))
    expect_heading(page, lang, "Account(s)")
    expect_notice(page, text(lang, messages.FIRST_SIGNIN_DONE))
    expect_listed(page, lang, account.account_number)
    expect_signed_in(page, lang, user.username)
    expect(menu(page, lang).get_by_role("link")).to_have_text(
        [ui(lang, name) for name in UI[lang]["signed in menu"]]
    )

    # From now on the PIN is no longer a password; the new password is.
    sign_out(page, lang)
    sign_in_from_login_page(page, lang, email, DEFAULT_PIN)
    expect(error_summary(page, lang)).to_contain_text(text(lang, account_messages.LOGIN_FAILED))
    sign_in(page, lang, email, NEW_PASSWORD)
    expect(page).to_have_url(re.compile(rf"/{lang}/accounts/$"))
    expect_signed_in(page, lang, user.username)
