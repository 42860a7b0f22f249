"""A landlord's Account(s): 55 accounts, two pages, a search box; a choice made on page 1 is still
there after page 2, and "Pay selected accounts" takes both. Axe checks every page, both languages."""

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Page, expect

from tests.e2e.helpers import LANGS, navigate, sign_in_from_login_page, visit
from tests.factories import DEFAULT_PASSWORD, BillingAccountFactory, EnrollmentFactory, UserFactory


@pytest.mark.parametrize("lang", LANGS)
def test_a_landlord_pages_searches_and_pays_across_pages(page: Page, lang):
    user = UserFactory(username=f"landlord{lang}", preferred_language=lang)
    for n in range(55):
        EnrollmentFactory(
            user=user,
            nickname=f"Unit {n}",
            account=BillingAccountFactory(service_address=f"{100 + n} N Central Ave"),
        )
    with translation.override(lang):
        gettext = translation.gettext
        accounts_url = reverse("enrollment:accounts")
        page_two, search, pay = (
            gettext("Page %(number)s") % {"number": 2},
            gettext("Search"),
            gettext("Pay selected accounts"),
        )
    sign_in_from_login_page(page, lang, user.username, DEFAULT_PASSWORD)
    visit(page, accounts_url)
    main = page.get_by_role("main")
    expect(main.locator("tbody tr")).to_have_count(50)
    first_box = main.locator("input[name=account][type=checkbox]").first
    main.locator("label.usa-checkbox__label").first.click()
    expect(first_box).to_be_checked()
    navigate(page, main.get_by_role("button", name=page_two).click)
    expect(main.locator("tbody tr")).to_have_count(5)
    main.locator("label.usa-checkbox__label").first.click()
    navigate(page, main.get_by_role("button", name=pay).click)
    expect(page.locator("fieldset.phx-pay-account")).to_have_count(2)

    visit(page, accounts_url)
    page.locator("#accounts-search").fill("Unit 42")
    navigate(page, main.get_by_role("button", name=search).click)
    expect(main.locator("tbody tr")).to_have_count(1)
    expect(main.locator("tbody")).to_contain_text("Unit 42")
