"""A support agent's day: sign in with the authenticator app, find a customer by account number,
end their sign-in pause and resend their confirmation email, in English and in Spanish."""

import re

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import translation
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from accounts import roles
from enrollment.support import ACTION_DONE, SupportAction
from tests.conftest import url
from tests.e2e.helpers import LANGS, follow, post_with, visit
from tests.factories import (
    DEFAULT_PASSWORD,
    BillingAccountFactory,
    EnrollmentFactory,
    PendingUserFactory,
    UserFactory,
)


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.mark.parametrize("lang", LANGS)
def test_support_agent_unlocks_and_resends_for_a_customer_found_by_account_number(
    page: Page, lang, settings, wait_for_email
):
    # Browser tests empty the tables between tests, the migration's groups included.
    roles.roles_sync(django_apps)
    agent = UserFactory(username=f"agent{lang}", is_staff=True)
    agent.groups.set([Group.objects.get(name=roles.SUPPORT)])
    device = TOTPDevice.objects.create(user=agent, name="app", confirmed=True)
    customer = PendingUserFactory(username=f"pendingRosa{lang}", email=f"rosa.{lang}@example.com")
    account = BillingAccountFactory(account_number="4055555555")
    EnrollmentFactory(user=customer, account=account)
    attacker = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attacker.post(url("en", "accounts:login"), {"username": customer.username, "password": "x"})

    visit(page, f"/{lang}/staff-admin/")
    page.locator("#id_username").fill(agent.username)
    page.locator("#id_password").fill(DEFAULT_PASSWORD)
    post_with(page, page.locator("input[type=submit]"))
    expect(page).to_have_url(re.compile(rf"/{lang}/staff-admin/second-factor/"))
    page.locator("#id_code").fill(current_code(device))
    post_with(page, page.locator("input[type=submit]"))
    expect(page).to_have_url(re.compile(rf"/{lang}/staff-admin/$"))

    # The city's dashboard: every chart has its table (checked by axe like every page here).
    visit(page, f"/{lang}/staff-admin/dashboard/")
    expect(page.locator(".phx-series details")).to_have_count(5)

    visit(page, f"/{lang}/staff-admin/accounts/user/")
    page.locator("#searchbar").fill("4055555555")
    post_with_get = page.locator("#changelist-search input[type=submit]")
    follow(page, post_with_get)
    follow(page, page.get_by_role("link", name=customer.username, exact=True))
    with translation.override(lang):
        unlock_label = str(SupportAction.UNLOCK_SIGNIN.label)
        resend_label = str(SupportAction.RESEND_CONFIRMATION.label)
        paused = translation.gettext("Sign-in paused")
        unlocked = str(ACTION_DONE[SupportAction.UNLOCK_SIGNIN] % {"username": customer.username})
        resent = str(ACTION_DONE[SupportAction.RESEND_CONFIRMATION] % {"email": customer.email})
    expect(page.locator(".phx-customer")).to_contain_text(paused)

    follow(page, page.get_by_role("link", name=unlock_label, exact=True))
    post_with(page, page.locator("input[type=submit]"))
    expect(page.locator(".messagelist")).to_contain_text(unlocked)
    expect(page.locator(".phx-customer")).not_to_contain_text(paused)

    follow(page, page.get_by_role("link", name=resend_label, exact=True))
    post_with(page, page.locator("input[type=submit]"))
    expect(page.locator(".messagelist")).to_contain_text(resent)
    message = wait_for_email(1)
    assert message.to == [customer.email]

    # The account's page (users, PIN lock, invitations, audit events) passes axe too.
    visit(page, f"/{lang}/staff-admin/enrollment/billingaccount/{account.pk}/change/")
    expect(page.locator("#content")).to_contain_text(customer.username)
