"""Pictures of the main pages for docs/screenshots: desktop (1280 px) and phone (390 px), English and
Spanish. Run on demand with `python scripts/screenshots.py` (it sets SCREENSHOTS=1); skipped otherwise.

The pages are the real ones, through the live server, and axe checks each of them like any journey.
"""

import os
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from enrollment import messages
from tests.e2e.helpers import (
    LANGS,
    error_summary,
    field,
    fill_registration,
    post_with,
    sign_in_from_login_page,
    sign_out,
    submit,
    text,
    visit,
)
from tests.factories import (
    DEFAULT_PASSWORD,
    DEFAULT_PIN,
    BillingAccountFactory,
    BillLineFactory,
    EnrollmentFactory,
    PrecreatedUserFactory,
    UserFactory,
    monthly_bills,
)

pytestmark = [
    pytest.mark.screenshots,
    pytest.mark.skipif(
        os.environ.get("SCREENSHOTS") != "1",
        reason="regenerates docs/screenshots: run scripts/screenshots.py (SCREENSHOTS=1)",
    ),
]

# SCREENSHOTS_DIR: somewhere else than docs/, to look at a change without touching the committed ones.
OUT = Path(
    os.environ.get("SCREENSHOTS_DIR")
    or Path(__file__).resolve().parents[2] / "docs" / "screenshots"
)
DEVICES = {
    "desktop": {"width": 1280, "height": 800},
    "phone": {"width": 390, "height": 844},
}
ACCOUNTS = [
    ("4012345678", "1423 E Roosevelt St", "84.17", "Casa"),
    ("4023456789", "2207 N 7th Ave", "126.40", "Rental on 7th Ave"),
    ("4034567890", "5530 W Thomas Rd", "0.00", ""),
]


# Two Phoenix years: summer use about twice winter's, and a little less this year.
SEASONAL_UNITS = [
    Decimal(units)
    for units in (
        8,
        8,
        8,
        9,
        11,
        13,
        15,
        16,
        16,
        16,
        13,
        10,
        8,
        7,
        8,
        8,
        10,
        12,
        15,
        16,
        15,
        14,
        12,
        10,
    )
]
LATEST_LINES = [
    ("water", "Water: service charge $9.60 + 10 units at $2.88", Decimal("38.40")),
    ("wastewater", "Wastewater: service charge $6.50 + winter average 8 units", Decimal("25.94")),
    ("solid_waste", "Solid waste service", Decimal("17.00")),
    ("environmental", "Environmental fee", Decimal("2.83")),
]


def shoot(page: Page, lang: str, name: str, at: str = "") -> None:
    """The page as it is now, on both devices (viewport only: the first screenful, or the one
    starting at the element `at` selects)."""
    OUT.mkdir(parents=True, exist_ok=True)
    for device, viewport in DEVICES.items():
        page.set_viewport_size(viewport)
        if at:
            page.locator(at).evaluate("element => element.scrollIntoView()")
        else:
            page.evaluate("() => window.scrollTo(0, 0)")
        page.screenshot(path=str(OUT / f"{lang}-{device}-{name}.png"))
    page.set_viewport_size(DEVICES["desktop"])


@pytest.mark.parametrize("lang", LANGS)
def test_screenshots(page: Page, lang):
    for name, path in (("home", ""), ("register", "register/"), ("login", "login/")):
        visit(page, f"/{lang}/{path}")
        shoot(page, lang, name)

    user = UserFactory(
        username=f"GuadalupeM{lang}",
        first_name="Guadalupe",
        last_name="Montoya",
        preferred_language=lang,
    )
    first = None
    for number, address, balance, nickname in ACCOUNTS:
        account = BillingAccountFactory(
            account_number=number,
            service_address=address,
            balance=balance,
            due_date=date(2026, 12, 15),
            first_name="Guadalupe",
            last_name="Montoya",
            ebill_email="guadalupe.montoya@example.com",
            paperless=True,
        )
        EnrollmentFactory(user=user, account=account, nickname=nickname)
        first = first or account
    sign_in_from_login_page(page, lang, user.username, DEFAULT_PASSWORD)
    shoot(page, lang, "accounts")

    bills = monthly_bills(first, 24, units=SEASONAL_UNITS)
    latest = bills[-1]
    for service, description, amount in LATEST_LINES:
        BillLineFactory(bill=latest, service=service, description=description, amount=amount)
    visit(page, f"/{lang}/accounts/{first.pk}/")
    shoot(page, lang, "details")
    shoot(page, lang, "details-bills", at="#bills-heading")

    visit(page, f"/{lang}/accounts/{first.pk}/bills/{latest.pk}/")
    shoot(page, lang, "bill")

    visit(page, f"/{lang}/accounts/enroll/")
    field(page, lang, "Account Number").fill("4099999999")
    field(page, lang, "Security PIN").fill("5822")
    submit(page, lang, "Enroll")
    expect(error_summary(page, lang)).to_contain_text(text(lang, messages.NO_MATCH))
    shoot(page, lang, "enroll-error")

    # After a wrong PIN, the next try also asks for the service address.
    field(page, lang, "Security PIN").fill("5821")
    submit(page, lang, "Enroll")
    expect(page.get_by_role("main")).to_contain_text(text(lang, messages.STEP_UP_REQUIRED))
    shoot(page, lang, "enroll-step-up")

    # Paying two accounts: the payment page, the test processor, the receipt.
    second = user.enrollments.order_by("pk")[1].account
    visit(page, f"/{lang}/payments/pay/?account={first.pk}&account={second.pk}")
    shoot(page, lang, "pay")
    post_with(page, page.locator("main form button[type=submit]").first)
    shoot(page, lang, "test-processor")
    post_with(page, page.locator("button[value=approve]"))
    expect(page.get_by_role("main")).to_contain_text("PHX-")
    shoot(page, lang, "receipt")

    visit(page, f"/{lang}/help/")
    shoot(page, lang, "help")

    # A pre-created e-bill customer's correct PIN: the page that says where the link went.
    sign_out(page, lang)
    ebill = PrecreatedUserFactory(username=f"rosa.valdez.{lang}@example.com")
    EnrollmentFactory(user=ebill, account=BillingAccountFactory(ebill_email=ebill.email))
    sign_in_from_login_page(page, lang, ebill.username, DEFAULT_PIN)
    expect(page).to_have_url(re.compile(rf"/{lang}/accounts/first-sign-in/sent/$"))
    shoot(page, lang, "first-sign-in-sent")

    # Registering with a taken User Name and email: every error at once, the seed's guidance once.
    UserFactory(username=f"takenName{lang}", email=f"taken.{lang}@example.com")
    visit(page, f"/{lang}/register/")
    fill_registration(
        page,
        lang,
        {
            "username": f"TakenName{lang}",
            "first_name": "Ana",
            "last_name": "Ruiz",
            "email": f"TAKEN.{lang}@example.com",
        },
    )
    submit(page, lang, "Register button")
    shoot(page, lang, "register-errors")
