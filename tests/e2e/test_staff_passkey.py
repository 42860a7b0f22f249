"""A staff member adds a passkey after signing in with the app, then signs in with the passkey.

Chromium's virtual authenticator (DevTools' WebAuthn domain) stands in for a fingerprint reader:
the whole ceremony runs, browser script, signatures and py_webauthn's checks included."""

import re

import pytest
from django.utils import translation
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential
from playwright.sync_api import Page, expect

from phxpay.models import AuditEvent
from tests.e2e.helpers import LANGS, navigate, post_with, visit
from tests.factories import DEFAULT_PASSWORD, UserFactory


def add_virtual_authenticator(page: Page) -> None:
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )


def password_step(page: Page, lang: str, user) -> None:
    visit(page, f"/{lang}/staff-admin/")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(DEFAULT_PASSWORD)
    post_with(page, page.locator("input[type=submit]"))
    expect(page).to_have_url(re.compile(rf"/{lang}/staff-admin/second-factor/"))


@pytest.mark.parametrize("lang", LANGS)
def test_staff_member_adds_a_passkey_and_signs_in_with_it(page: Page, lang, site_url):
    add_virtual_authenticator(page)
    staff = UserFactory(username=f"passkeyStaff{lang}", is_staff=True, is_superuser=True)
    device = TOTPDevice.objects.create(user=staff, name="app", confirmed=True)
    with translation.override(lang):
        use_passkey = translation.gettext("Use your passkey")
        add_passkey = translation.gettext("Add a passkey")
        remove = translation.gettext("Remove")

    # With no passkey yet, the second step offers only the code.
    password_step(page, lang, staff)
    expect(page.get_by_role("button", name=use_passkey)).to_have_count(0)
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    page.locator("#id_code").fill(f"{code:06d}")
    post_with(page, page.locator("input[type=submit]"))

    visit(page, f"/{lang}/staff-admin/passkeys/mine/")
    navigate(page, page.get_by_role("button", name=add_passkey).click)
    expect(page.get_by_role("button", name=remove)).to_have_count(1)
    assert WebAuthnCredential.objects.filter(user=staff).count() == 1
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.PASSKEY_ADDED, user=staff).exists()

    page.context.clear_cookies()
    password_step(page, lang, staff)
    navigate(page, page.get_by_role("button", name=use_passkey).click)
    expect(page).to_have_url(re.compile(rf"/{lang}/staff-admin/$"))
    assert AuditEvent.objects.filter(
        kind=AuditEvent.Kind.SECOND_FACTOR_VERIFIED,
        user=staff,
        detail__device="WebAuthnCredential",
    ).exists()
    assert WebAuthnCredential.objects.get(user=staff).last_used_at is not None
