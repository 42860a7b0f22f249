"""A customer reads their bills on Details: the latest bill, water use (chart and table), the bill
history, one bill's page, its PDF and the history as CSV; someone else's bill is not found."""

import csv
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy, ngettext_lazy
from playwright.sync_api import Page, expect

from billing.models import Service
from phxpay import formatting
from tests.e2e.a11y import check_a11y
from tests.e2e.helpers import LANGS, follow, sign_in_from_login_page, text, visit
from tests.factories import (
    DEFAULT_PASSWORD,
    BillingAccountFactory,
    BillLineFactory,
    EnrollmentFactory,
    UserFactory,
    monthly_bills,
)

BILLS = 24
# The factory's pattern (8 … 19 units, repeating yearly), but the latest period used 15 units
# against 19 a year earlier: 21% less.
USAGE = [Decimal(8 + month % 12) for month in range(BILLS - 1)] + [Decimal(15)]
LESS_PERCENT = "21"
# The latest bill's charges: they add up to BillFactory's new_charges (84.17).
LINES = [
    ("water", "Water: service charge $9.60 + 10 units at $2.88", Decimal("38.40")),
    ("wastewater", "Wastewater: 10 units at $3.012", Decimal("30.12")),
    ("solid_waste", "Solid waste: one container", Decimal("15.65")),
]


def t(lang: str, msgid: str) -> str:
    """A template's string as the page shows it in `lang` (a missing Spanish one is reported)."""
    return text(lang, gettext_lazy(msgid))


def url(lang: str, name: str, *args) -> str:
    with translation.override(lang):
        return reverse(name, args=args)


def day(lang: str, value) -> str:
    return formatting.day(value, language=lang)


def money(lang: str, amount) -> str:
    return formatting.money(amount, language=lang)


def account_with_bills():
    account = BillingAccountFactory()
    bills = monthly_bills(account, BILLS, units=USAGE)
    latest = bills[-1]
    for position, (service, description, amount) in enumerate(LINES):
        BillLineFactory(
            bill=latest, position=position, service=service, description=description, amount=amount
        )
    assert sum(amount for *_, amount in LINES) == latest.new_charges
    return account, latest


def history_table(page: Page, lang: str):
    caption = text(lang, ngettext_lazy("Your last bill", "Your last %(bills)s bills", BILLS))
    return page.get_by_role("table", name=caption % {"bills": BILLS})


def view_bill_link(page: Page, lang: str, bill):
    """The history row's "View bill" link, named for screen readers with the bill's date."""
    of_day = t(lang, "of %(day)s") % {"day": day(lang, bill.bill_date)}
    row = history_table(page, lang).locator("tbody tr").filter(has_text=day(lang, bill.bill_date))
    return row.get_by_role("link", name=f"{t(lang, 'View bill')} {of_day}", exact=True)


def download(page: Page, link):
    with page.expect_download() as started:
        link.click()
    downloaded = started.value
    assert downloaded.failure() is None, downloaded.failure()
    return downloaded, Path(downloaded.path()).read_bytes()


@pytest.mark.parametrize("lang", LANGS)
def test_customer_reads_bills_views_one_and_downloads_pdf_and_csv(page: Page, lang):
    user = UserFactory(username=f"billReader{lang}", preferred_language=lang)
    account, latest = account_with_bills()
    EnrollmentFactory(user=user, account=account)
    details = url(lang, "enrollment:details", account.pk)

    sign_in_from_login_page(page, lang, user.username, DEFAULT_PASSWORD)
    expect(page).to_have_url(re.compile(rf"/{lang}/accounts/$"))
    visit(page, details)
    main = page.get_by_role("main")
    expect(main.get_by_role("heading", name=t(lang, "Bills"), level=2)).to_be_visible()
    latest_box = main.get_by_role(
        "region",
        name=t(lang, "Latest bill, %(day)s") % {"day": day(lang, latest.bill_date)},
    )
    expect(latest_box).to_contain_text(money(lang, latest.amount_due))

    history = history_table(page, lang)
    expect(history.locator("tbody tr")).to_have_count(BILLS)
    expect(history.locator("tbody tr").first).to_contain_text(day(lang, latest.bill_date))

    less = t(lang, "You used %(percent)s%% less water than in the same period last year.")
    summary = less % {"percent": LESS_PERCENT}
    expect(main.locator(".phx-usage-summary")).to_have_text(summary)
    chart_title = t(lang, "Water use per bill period, in units of 748 gallons")
    expect(main.get_by_role("img", name=chart_title)).to_be_visible()

    # The chart's numbers as a table, behind a disclosure: closed at first, then checked open.
    usage_table = main.get_by_role("table", name=chart_title)
    expect(usage_table).to_be_hidden()
    main.get_by_text(t(lang, "Water use as a table"), exact=True).click()
    expect(usage_table).to_be_visible()
    expect(usage_table.locator("tbody tr")).to_have_count(BILLS)
    expect(usage_table.locator("tbody tr").first).to_contain_text(day(lang, latest.period_end))
    check_a11y(page, " (with the water use table open)")

    follow(page, view_bill_link(page, lang, latest))
    expect(page).to_have_url(
        re.compile(re.escape(url(lang, "billing:bill", account.pk, latest.pk)))
    )
    bill_heading = t(lang, "Bill of %(day)s") % {"day": day(lang, latest.bill_date)}
    expect(page.get_by_role("heading", level=1)).to_have_text(bill_heading)
    statement = main.get_by_role("table", name=t(lang, "Account summary"))
    amount_due_row = statement.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name=t(lang, "Amount due"), exact=True)
    )
    expect(amount_due_row).to_contain_text(money(lang, latest.amount_due))
    charges = statement.locator("tbody tr.phx-charge")
    expect(charges).to_have_count(len(LINES))
    service, description, amount = LINES[1]
    service_label = text(lang, Service(service).label)
    wastewater = charges.filter(has_text=description)
    expect(wastewater).to_contain_text(service_label)
    expect(wastewater).to_contain_text(money(lang, amount))

    pdf, content = download(page, main.get_by_role("link", name=t(lang, "Download PDF")))
    assert pdf.suggested_filename == f"phx-bill-{account.last4}-{latest.bill_date:%Y-%m-%d}.pdf"
    assert content.startswith(b"%PDF"), content[:16]

    follow(page, main.get_by_role("link", name=t(lang, "Back to Details")))
    expect(page).to_have_url(re.compile(re.escape(details) + "$"))
    csv_file, content = download(
        page, main.get_by_role("link", name=t(lang, "Download history (CSV)"))
    )
    assert csv_file.suggested_filename == f"phx-bills-{account.last4}.csv"
    header, *rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert header == [
        t(lang, "Bill date"),
        t(lang, "Period start"),
        t(lang, "Period end"),
        t(lang, "New charges"),
        t(lang, "Amount due"),
        t(lang, "Due date"),
        t(lang, "Water use (units of 748 gallons)"),
    ]
    assert len(rows) == BILLS
    assert rows[0][0] == latest.bill_date.isoformat()
    assert rows[0][4] == str(latest.amount_due)


@pytest.mark.parametrize("lang", LANGS)
def test_view_only_invitee_reads_bills_and_a_stranger_finds_none(page: Page, lang):
    account, latest = account_with_bills()
    EnrollmentFactory(account=account)  # the holder
    viewer = UserFactory(username=f"billViewer{lang}", preferred_language=lang)
    EnrollmentFactory(user=viewer, account=account, role="view")
    bill_url = url(lang, "billing:bill", account.pk, latest.pk)

    sign_in_from_login_page(page, lang, viewer.username, DEFAULT_PASSWORD)
    visit(page, url(lang, "enrollment:details", account.pk))
    expect(history_table(page, lang).locator("tbody tr")).to_have_count(BILLS)
    follow(page, view_bill_link(page, lang, latest))
    expect(page).to_have_url(re.compile(re.escape(bill_url) + "$"))
    bill_heading = t(lang, "Bill of %(day)s") % {"day": day(lang, latest.bill_date)}
    expect(page.get_by_role("heading", level=1)).to_have_text(bill_heading)

    page.context.clear_cookies()
    stranger = UserFactory(username=f"billStranger{lang}", preferred_language=lang)
    sign_in_from_login_page(page, lang, stranger.username, DEFAULT_PASSWORD)
    response = page.goto(bill_url)
    assert response.status == 404
    check_a11y(page, " (a stranger's 404 for someone else's bill)")
    expect(page.get_by_role("heading", level=1)).to_have_text(t(lang, "Page not found"))
    expect(page.get_by_role("main")).not_to_contain_text(money(lang, latest.amount_due))
    # Nor the bill's PDF, nor the account's history (fetched with the stranger's cookies).
    for other in (
        url(lang, "billing:bill_pdf", account.pk, latest.pk),
        url(lang, "billing:bills_csv", account.pk),
    ):
        assert page.request.get(other).status == 404, other
