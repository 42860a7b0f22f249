"""Passkeys: staff only, added only from a session the app verified, refusals answered (and audited)
without a 500; removing and resetting them. The ceremony itself runs in the browser journey
(tests/e2e/test_staff_passkey.py), against Chromium's virtual authenticator."""

import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django_otp_webauthn.models import WebAuthnCredential

from accounts import messages
from accounts.second_factor import second_factor_reset
from phxpay.models import AuditEvent
from tests.conftest import staff_signed_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def passkey_url(name, lang="en"):
    with translation.override(lang):
        return reverse(f"otp_webauthn:{name}")


def admin_url(name, lang="en"):
    with translation.override(lang):
        return reverse(f"admin:{name}")


def a_passkey(user, n=1):
    return WebAuthnCredential.objects.create(
        user=user,
        name=user.username,
        credential_id=bytes([n]) * 32,
        public_key=b"\x00" * 77,
        sign_count=0,
        confirmed=True,
    )


@pytest.fixture
def staff():
    return UserFactory(username="cityStaff", is_staff=True, is_superuser=True)


@pytest.fixture
def https_site(settings):
    """Passkeys are offered at the relying party's own host, over https."""
    settings.SITE_URL = "https://testserver"


def test_a_customer_cannot_add_a_passkey():
    client = Client()
    client.force_login(UserFactory())
    response = client.post(passkey_url("credential-registration-begin", "es"))
    assert response.status_code == 403
    with translation.override("es"):
        assert response.json()["detail"] == str(messages.PASSKEY_STAFF_ONLY)
    assert "otp_webauthn_register_state" not in client.session


@pytest.mark.parametrize("has_app", [True, False])
def test_the_password_alone_cannot_add_a_passkey(staff, has_app):
    """Not even for a staff member with no factor yet: a stolen password must not plant one."""
    if has_app:
        from django_otp.plugins.otp_totp.models import TOTPDevice

        TOTPDevice.objects.create(user=staff, name="app", confirmed=True)
    client = Client()
    client.force_login(staff)
    response = client.post(passkey_url("credential-registration-begin"))
    assert response.status_code == 403
    assert response.json()["detail"] == str(messages.PASSKEY_VERIFY_FIRST)


def test_a_verified_staff_member_gets_the_ceremony_scoped_to_the_site(staff, settings):
    settings.SITE_URL = "https://payonline.phoenix.gov"
    client = staff_signed_in(Client(), staff)
    response = client.post(passkey_url("credential-registration-begin"))
    assert response.status_code == 200
    options = response.json()
    assert options["rp"] == {"name": "PHX Pay Online", "id": "payonline.phoenix.gov"}
    assert options["user"]["name"] == staff.username
    assert "otp_webauthn_register_state" in client.session


def test_a_passkey_is_never_a_way_in_without_the_password(staff):
    a_passkey(staff)
    response = Client().post(passkey_url("credential-authentication-begin"))
    assert response.status_code in (401, 403)
    assert "_auth_user_id" not in Client().session


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[]", b'{"id": "x"}', json.dumps({"rawId": 5, "response": []}).encode()],
)
def test_a_malformed_answer_is_refused_without_a_500_and_audited(staff, body):
    a_passkey(staff)
    client = Client()
    client.force_login(staff)
    client.post(passkey_url("credential-authentication-begin"))
    response = client.post(
        passkey_url("credential-authentication-complete"), body, content_type="application/json"
    )
    assert 400 <= response.status_code < 500
    assert response.json()["detail"] == str(messages.PASSKEY_REFUSED)
    assert AuditEvent.objects.filter(
        kind=AuditEvent.Kind.SECOND_FACTOR_FAILED, user=staff, detail__step="passkey"
    ).exists()
    # Still not past the second step.
    assert client.get(admin_url("index")).status_code == 302


def test_a_replayed_answer_finds_no_challenge(staff):
    """The challenge is used up by the first answer, right or wrong."""
    a_passkey(staff)
    client = Client()
    client.force_login(staff)
    client.post(passkey_url("credential-authentication-begin"))
    url = passkey_url("credential-authentication-complete")
    client.post(url, b"{}", content_type="application/json")
    second = client.post(url, b"{}", content_type="application/json")
    assert second.status_code == 422 or second.status_code == 400
    assert second.json()["code"] == "invalid_state"


def test_the_second_step_offers_the_passkey_only_to_who_has_one(staff, https_site):
    client = Client()
    client.force_login(staff)
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=staff, name="app", confirmed=True)
    page = client.get(admin_url("second_factor"))
    assert page.context["passkey_offered"] is False
    a_passkey(staff)
    page = client.get(admin_url("second_factor"))
    assert page.context["passkey_offered"] is True
    assert b"passkey-verification-available-template" in page.content


@pytest.mark.parametrize(
    "site_url", ["http://testserver", "https://127.0.0.1", "https://payonline.phoenix.gov"]
)
def test_no_passkey_where_the_browser_would_refuse_it(staff, settings, site_url):
    """Plain http (except localhost), an IP address, or a host other than the relying party's."""
    settings.SITE_URL = site_url
    client = staff_signed_in(Client(), staff)
    page = client.get(admin_url("passkeys"))
    assert page.status_code == 200
    assert page.context["passkeys_available"] is False
    assert b"passkey-register-button" not in page.content


def test_staff_remove_their_own_passkeys_only(staff):
    other = UserFactory(is_staff=True)
    mine, theirs = a_passkey(staff, 1), a_passkey(other, 2)
    client = staff_signed_in(Client(), staff)
    client.post(admin_url("passkeys"), {"remove": theirs.pk})
    assert WebAuthnCredential.objects.filter(pk=theirs.pk).exists()
    for junk in ("", "abc", "-1", "9" * 30):
        assert client.post(admin_url("passkeys"), {"remove": junk}).status_code == 302
    response = client.post(admin_url("passkeys"), {"remove": mine.pk}, follow=True)
    assert not WebAuthnCredential.objects.filter(pk=mine.pk).exists()
    assert str(messages.PASSKEY_REMOVED) in response.content.decode()
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.PASSKEY_REMOVED, user=staff).count() == 1


def test_the_passkeys_page_needs_the_second_factor(staff):
    client = Client()
    client.force_login(staff)
    assert client.get(admin_url("passkeys")).status_code == 302


def test_an_administrators_reset_removes_the_passkeys_too(staff):
    a_passkey(staff)
    second_factor_reset(user=staff, by=None, operator="ops")
    assert not WebAuthnCredential.objects.filter(user=staff).exists()


def test_the_browser_script_speaks_the_citys_spanish():
    catalogue = Client().get(passkey_url("js-i18n-catalog", "es")).content.decode()
    assert "Verificar con llave de acceso" in catalogue
    assert "clave de acceso" not in catalogue.lower()
