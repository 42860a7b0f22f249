"""Customers may turn on two-step verification from User Profile; then sign-in asks for a code."""

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import messages, second_factor
from phxpay.models import AuditEvent
from tests.conftest import url
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def code_for(key: str) -> str:
    from binascii import unhexlify

    return f"{TOTP(unhexlify(key)).token():06d}"


def sign_in(client, user):
    return client.post(
        url("en", "accounts:login"), {"username": user.username, "password": DEFAULT_PASSWORD}
    )


def test_turning_it_on_needs_a_code_from_the_app_and_shows_recovery_codes(signed_in_client, user):
    page = signed_in_client.get(url("en", "accounts:two_step"))
    assert page.status_code == 200 and "<svg" in page.content.decode()
    assert not TOTPDevice.objects.exists()  # showing the key writes nothing
    wrong = signed_in_client.post(url("en", "accounts:two_step"), {"code": "000000"})
    assert str(messages.TWO_STEP_CODE_WRONG) in wrong.content.decode()
    key = signed_in_client.session["_totp_candidate"]
    done = signed_in_client.post(url("en", "accounts:two_step"), {"code": code_for(key)})
    assert len(done.context["recovery_codes"]) == 10
    assert second_factor.has_second_factor(user=user)
    assert AuditEvent.objects.filter(
        kind=AuditEvent.Kind.SECOND_FACTOR_ENROLLED, user=user
    ).exists()


def test_with_it_on_the_password_alone_opens_no_session():
    user = UserFactory(username="careful")
    key = second_factor.totp_new_key()
    TOTPDevice.objects.create(user=user, name="app", key=key, confirmed=True)
    client = Client()
    response = sign_in(client, user)
    assert response["Location"] == url("en", "accounts:login_code")
    assert "_auth_user_id" not in client.session
    assert client.get(url("en", "enrollment:accounts")).status_code == 302
    right = client.post(url("en", "accounts:login_code"), {"code": code_for(key)})
    assert right.status_code == 302 and right["Location"] == url("en", "enrollment:accounts")
    assert client.get(url("en", "enrollment:accounts")).status_code == 200


def test_a_wrong_code_opens_no_session():
    user = UserFactory(username="wrongCode")
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    client = Client()
    sign_in(client, user)
    wrong = client.post(url("en", "accounts:login_code"), {"code": "123456"})
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    assert str(messages.TWO_STEP_CODE_WRONG) in wrong.content.decode()


def test_a_recovery_code_signs_in_once():
    user = UserFactory(username="lostPhone")
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    (code,) = second_factor.recovery_codes_issue(user=user, count=1)
    first = Client()
    sign_in(first, user)
    assert first.post(url("en", "accounts:login_code"), {"code": code}).status_code == 302
    again = Client()
    sign_in(again, user)
    assert again.post(url("en", "accounts:login_code"), {"code": code}).status_code == 200


def test_turning_it_off_needs_the_password(signed_in_client, user):
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    refused = signed_in_client.post(
        url("en", "accounts:two_step_off"), {"current_password": "nope"}
    )
    assert refused.status_code == 200 and second_factor.has_second_factor(user=user)
    signed_in_client.post(
        url("en", "accounts:two_step_off"), {"current_password": DEFAULT_PASSWORD}
    )
    assert not second_factor.has_second_factor(user=user)


def test_the_code_page_without_a_password_first_goes_back_to_login(client):
    response = client.get(url("en", "accounts:login_code"))
    assert response.status_code == 302 and response["Location"] == url("en", "accounts:login")
