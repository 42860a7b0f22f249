"""Paying a bill: a customer pays two accounts from Account(s) and gets a receipt (on the page and by
email) while the card number stays with the processor; a declined payment can be tried again; a
guest pays one account without signing in and sees only its last four digits and amount due."""

import re
from decimal import Decimal

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy
from playwright.sync_api import Page, expect

from payments import messages
from payments.models import Payment
from phxpay import formatting
from tests.e2e.helpers import (
    LANGS,
    error_summary,
    expect_notice,
    field,
    follow,
    message_prefix,
    post_with,
    sign_in_from_login_page,
    text,
    ui,
    visit,
)
from tests.factories import (
    DEFAULT_PASSWORD,
    BillingAccountFactory,
    EnrollmentFactory,
    UserFactory,
)

CARD_NUMBER = "4111 1111 1111 1111"
CARD_DIGITS = CARD_NUMBER.replace(" ", "")
# payments.models.CONFIRMATION_ALPHABET: no 0/O or 1/I/L.
CONFIRMATION_RE = re.compile(r"PHX-[A-HJKMNP-Z2-9]{5}-[A-HJKMNP-Z2-9]{5}")
PENDING = "Payment pending: %(amount)s on %(day)s"


def t(lang: str, msgid: str, **params) -> str:
    """A template's string as the page shows it in `lang` (a missing Spanish one is reported)."""
    shown = text(lang, gettext_lazy(msgid))
    return shown % params if params else shown


def same_in_both(lang: str, msgid: str) -> str:
    """A word Spanish writes as English does ("Total"): `text` would report it as untranslated."""
    with translation.override(lang):
        return translation.gettext(msgid)


def visible(markup: str) -> str:
    """A blocktranslate string with markup (a screen-reader-only span) as its accessible name."""
    return re.sub(r"<[^>]+>", "", markup)


def url(lang: str, name: str, *args) -> str:
    with translation.override(lang):
        return reverse(name, args=args)


def money(lang: str, amount) -> str:
    return formatting.money(Decimal(amount), language=lang)


def labelled(page: Page, lang: str, msgid: str):
    """The input labelled `msgid` in `lang`, with the required marker around it if it has one."""
    shown, required = re.escape(t(lang, msgid)), re.escape(ui(lang, "required"))
    return page.get_by_role("main").get_by_label(
        re.compile(rf"^(\*\s*)?{shown}(\s*\({required}\))?$")
    )


def main_button(page: Page, lang: str, msgid: str):
    return page.get_by_role("main").get_by_role("button", name=t(lang, msgid), exact=True)


def expect_h1(page: Page, shown: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(shown)


def account_row(page: Page, account):
    return (
        page.get_by_role("main")
        .locator("table.phx-accounts tbody tr")
        .filter(has_text=account.account_number)
    )


def amount_field(page: Page, lang: str, account):
    """The pay page's amount for one account: in the fieldset named "Account ending NNNN"."""
    legend = t(lang, "Account ending %(last4)s", last4=account.last4)
    group = page.get_by_role("main").get_by_role("group", name=legend, exact=True)
    return group.get_by_label(t(lang, "Amount to pay (dollars)"), exact=True)


def continue_to_processor(page: Page, lang: str, total) -> Payment:
    """Continue to payment: the test processor's page, for the whole total; its Payment."""
    post_with(page, main_button(page, lang, "Continue to payment"))
    expect(page).to_have_url(re.compile(r"/test-processor/dummy_[0-9a-f]+/$"))
    expect_h1(page, t(lang, "Test payment processor"))
    payment = Payment.objects.get(processor_reference=page.url.rstrip("/").rsplit("/", 1)[1])
    expect(page.get_by_role("main")).to_contain_text(
        t(
            lang,
            "Payment %(number)s: %(total)s",
            number=payment.confirmation_number,
            total=money(lang, total),
        )
    )
    return payment


def expect_receipt(page: Page, lang: str, payment: Payment, outcome, lines, total) -> str:
    """The receipt of `payment`: its outcome, confirmation number, each account and the total."""
    expect(page).to_have_url(
        re.compile(re.escape(url(lang, "payments:receipt", payment.confirmation_number)) + "$")
    )
    expect_h1(page, t(lang, "Payment receipt"))
    expect_notice(page, text(lang, outcome))
    main = page.get_by_role("main")
    facts = main.locator("dl.phx-receipt")
    expect(facts).to_contain_text(t(lang, "Confirmation number"))
    expect(facts).to_contain_text(CONFIRMATION_RE)
    shown_number = CONFIRMATION_RE.search(facts.inner_text()).group(0)
    assert shown_number == payment.confirmation_number
    paid = main.get_by_role("table", name=t(lang, "Accounts paid"))
    rows = paid.locator("tbody tr")
    expect(rows).to_have_count(len(lines))
    for account, amount in lines:
        row = rows.filter(
            has=page.get_by_role(
                "rowheader", name=t(lang, "Account ending %(last4)s", last4=account.last4)
            )
        )
        expect(row).to_contain_text(money(lang, amount))
        expect(main).not_to_contain_text(account.account_number)
    total_row = paid.locator("tfoot tr")
    expect(total_row.get_by_role("rowheader")).to_have_text(same_in_both(lang, "Total"))
    expect(total_row).to_contain_text(money(lang, total))
    return shown_number


def expect_receipt_email(message, lang: str, payment: Payment, lines, total) -> None:
    assert message.to == [payment.receipt_email]
    assert message.subject == text(lang, messages.RECEIPT_SUBJECT) % {
        "number": payment.confirmation_number
    }
    assert message.extra_headers.get("Content-Language") == lang
    html = message.alternatives[0][0]
    for part in (message.body, html):
        assert text(lang, messages.APPROVED) in part
        assert payment.confirmation_number in part
        for account, amount in lines:
            assert t(lang, "Account ending %(last4)s", last4=account.last4) in part
            assert money(lang, amount) in part
        assert money(lang, total) in part


def database_dump() -> str:
    """Every row of every model, as text (the live server's writes are committed)."""
    return "\n".join(
        f"{model._meta.label}: {row}"
        for model in apps.get_models()
        for row in model._default_manager.values()
    )


@pytest.mark.parametrize("lang", LANGS)
def test_customer_pays_two_accounts_and_gets_a_receipt(page: Page, lang, email_to):
    user = UserFactory(username=f"payer{lang}", preferred_language=lang)
    first = BillingAccountFactory(balance=Decimal("84.17"))
    second = BillingAccountFactory(balance=Decimal("126.40"))
    for account in (first, second):
        EnrollmentFactory(user=user, account=account)
    accounts_url = url(lang, "enrollment:accounts")

    sign_in_from_login_page(page, lang, user.username, DEFAULT_PASSWORD)
    expect(page).to_have_url(re.compile(re.escape(accounts_url) + "$"))
    main = page.get_by_role("main")
    expect(main.get_by_role("button", name=t(lang, "Pay selected accounts"))).to_be_visible()
    for account in (first, second):
        select = t(lang, 'Select<span class="usa-sr-only"> account ending %(last4)s to pay</span>')
        name = visible(select % {"last4": account.last4})
        # USWDS hides the input itself off-screen; a person clicks its label ("Select").
        account_row(page, account).locator("label").filter(has_text=name).click()
        expect(main.get_by_role("checkbox", name=name, exact=True)).to_be_checked()
    follow(page, main_button(page, lang, "Pay selected accounts"))

    expect(page).to_have_url(re.compile(re.escape(url(lang, "payments:pay")) + r"\?"))
    expect_h1(page, t(lang, "Pay"))
    expect(amount_field(page, lang, first)).to_have_value("84.17")
    expect(amount_field(page, lang, second)).to_have_value("126.40")
    expect(main.locator(".phx-pay-total")).to_contain_text(money(lang, "210.57"))
    amount_field(page, lang, second).fill("100.00")
    payment = continue_to_processor(page, lang, "184.17")

    labelled(page, lang, "Card number (test; not stored)").fill(CARD_NUMBER)
    post_with(page, main_button(page, lang, "Approve"))
    lines = [(first, "84.17"), (second, "100.00")]
    number = expect_receipt(page, lang, payment, messages.APPROVED, lines, "184.17")
    expect(main_button(page, lang, "Try again")).to_have_count(0)
    receipt_html = page.content()

    receipt = email_to(user.email)
    payment.refresh_from_db()
    assert payment.confirmation_number == number
    assert payment.language == lang
    expect_receipt_email(receipt, lang, payment, lines, "184.17")

    follow(page, main.get_by_role("link", name=t(lang, "Back to Account(s)"), exact=True))
    expect(page).to_have_url(re.compile(re.escape(accounts_url) + "$"))
    paid_on = formatting.day(payment.created_at, language=lang)
    for account, amount in lines:
        pending = t(lang, PENDING, amount=money(lang, amount), day=paid_on)
        expect(account_row(page, account)).to_contain_text(pending)
    # The first account is paid in full: nothing left to select. The second still owes $26.40.
    expect(account_row(page, first).get_by_role("checkbox")).to_have_count(0)
    expect(account_row(page, second).get_by_role("checkbox")).to_have_count(1)

    # The card number went to the processor's page only: the portal kept it nowhere.
    dump = database_dump()
    assert Payment._meta.label in dump and number in dump  # the dump does see the payment
    for kept, where in (
        (dump, "the database"),
        (receipt.subject + receipt.body + receipt.alternatives[0][0], "the receipt email"),
        (receipt_html, "the receipt page"),
    ):
        assert CARD_DIGITS not in kept, f"the card number is in {where}"
        assert CARD_NUMBER not in kept, f"the card number (as typed) is in {where}"


@pytest.mark.parametrize("lang", LANGS)
def test_declined_payment_can_be_tried_again(page: Page, lang):
    user = UserFactory(username=f"declined{lang}", preferred_language=lang)
    account = BillingAccountFactory(balance=Decimal("84.17"))
    EnrollmentFactory(user=user, account=account)
    pending_prefix = message_prefix(lang, gettext_lazy(PENDING))

    sign_in_from_login_page(page, lang, user.username, DEFAULT_PASSWORD)
    expect(page).to_have_url(re.compile(re.escape(url(lang, "enrollment:accounts")) + "$"))
    pay = t(lang, 'Pay<span class="usa-sr-only"> account ending %(last4)s</span>')
    pay_link = account_row(page, account).get_by_role(
        "link", name=visible(pay % {"last4": account.last4}), exact=True
    )
    follow(page, pay_link)
    expect_h1(page, t(lang, "Pay"))
    expect(amount_field(page, lang, account)).to_have_value("84.17")
    payment = continue_to_processor(page, lang, "84.17")

    post_with(page, main_button(page, lang, "Decline"))
    expect_receipt(page, lang, payment, messages.DECLINED, [(account, "84.17")], "84.17")
    payment.refresh_from_db()
    assert payment.status == "declined"
    follow(page, main_button(page, lang, "Try again"))

    expect(page).to_have_url(re.compile(re.escape(url(lang, "payments:pay")) + r"\?account="))
    expect_h1(page, t(lang, "Pay"))
    expect(amount_field(page, lang, account)).to_have_value("84.17")
    expect(page.get_by_role("main")).not_to_contain_text(pending_prefix)

    # Nor on Account(s): a declined payment is not on its way.
    visit(page, url(lang, "enrollment:accounts"))
    expect(account_row(page, account)).not_to_contain_text(pending_prefix)
    expect(pay_link).to_be_visible()


@pytest.mark.parametrize("lang", LANGS)
def test_guest_pays_without_signing_in(page: Page, lang, email_to):
    account = BillingAccountFactory(balance=Decimal("126.40"))
    guest_email = f"guest.payer.{lang}@example.com"

    visit(page, f"/{lang}/")
    follow(
        page, page.get_by_role("main").get_by_role("link", name=t(lang, "Pay without signing in"))
    )
    expect(page).to_have_url(re.compile(re.escape(url(lang, "payments:guest_start")) + "$"))
    expect_h1(page, t(lang, "Pay without signing in"))

    def look_up(house_number: str) -> None:
        field(page, lang, "Account Number").fill(account.account_number)
        field(page, lang, "ZIP code of the service address").fill(account.service_zip)
        field(page, lang, "House number of the service address").fill(house_number)
        post_with(page, main_button(page, lang, "Continue"))

    look_up(str(int(account.house_number) + 1))
    expect(page).to_have_url(re.compile(re.escape(url(lang, "payments:guest_start")) + "$"))
    expect(error_summary(page, lang)).to_contain_text(text(lang, messages.GUEST_NO_MATCH))

    look_up(account.house_number)
    expect(page).to_have_url(re.compile(re.escape(url(lang, "payments:guest_pay")) + "$"))
    expect_h1(page, t(lang, "Pay without signing in"))
    main = page.get_by_role("main")
    expect(main).to_contain_text(t(lang, "Account ending %(last4)s", last4=account.last4))
    expect(main).to_contain_text(t(lang, "Amount due"))
    expect(main).to_contain_text(money(lang, account.balance))
    body = page.locator("body")
    for private in (
        account.service_address,
        f"{account.first_name} {account.last_name}",
        account.last_name,
        account.account_number,
    ):
        expect(body).not_to_contain_text(private)
    expect(labelled(page, lang, "Amount to pay (dollars)")).to_have_value("126.40")
    labelled(page, lang, "Email address for the receipt").fill(guest_email)
    payment = continue_to_processor(page, lang, "126.40")
    assert payment.user is None and payment.receipt_email == guest_email

    post_with(page, main_button(page, lang, "Approve"))
    lines = [(account, "126.40")]
    expect_receipt(page, lang, payment, messages.APPROVED, lines, "126.40")

    receipt = email_to(guest_email)
    payment.refresh_from_db()
    expect_receipt_email(receipt, lang, payment, lines, "126.40")
