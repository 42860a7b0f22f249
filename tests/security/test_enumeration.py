"""Requirement 4: failures never tell whether a User Name, email address or account exists.

Answers are compared whole (HTML with the per-request CSRF token, nonce and echoed input removed).
The number of password hashes per sign-in attempt, the expensive step that a timing attack measures,
is counted exactly rather than timed: a count does not depend on how loaded the machine is.
"""

import re

import pytest
from axes.utils import reset as axes_reset
from django.core.cache import cache
from django.test import Client

from enrollment import messages as enrollment_messages
from enrollment.models import BillingAccount, PinFailure
from tests.conftest import url
from tests.factories import (
    BillingAccountFactory,
    EnrollmentFactory,
    PrecreatedUserFactory,
    UserFactory,
)
from tests.security.conftest import signed_in
from tests.security.hashers import CountingArgon2PasswordHasher

pytestmark = pytest.mark.django_db

PRECREATED = "ebill.timing@example.com"


def normalized(html: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    html = re.sub(r'nonce="[^"]*"', "", html)
    html = re.sub(
        r'(<input[^>]*name="(?:username|email|account_number)"[^>]*?) value="[^"]*"', r"\1", html
    )
    return html


@pytest.fixture
def people(db):
    UserFactory(username="knownUser")
    precreated = PrecreatedUserFactory(username=PRECREATED)
    EnrollmentFactory(user=precreated, account=BillingAccountFactory(account_number="5000000001"))


LOGIN_CASES = {
    "unknown user": ("nobodyAtAll", "Some-Password-1"),
    "known user, wrong password": ("knownUser", "Some-Password-1"),
    "pre-created user, wrong PIN": (PRECREATED, "5822"),
    "pre-created user, not a PIN": (PRECREATED, "Some-Password-1"),
}


def fresh_attempt_state():
    """Between attempts: no rate-limit counters, no Axes records, no PIN lock or wrong-PIN count."""
    cache.clear()
    axes_reset()
    BillingAccount.objects.update(failed_pin_attempts=0, lockouts=0, locked_until=None)
    PinFailure.objects.all().delete()


def test_every_sign_in_failure_gets_the_same_page(people, client):
    pages = {}
    for case, (username, password) in LOGIN_CASES.items():
        fresh_attempt_state()
        response = client.post(
            url("en", "accounts:login"), {"username": username, "password": password}
        )
        assert response.status_code == 200, case
        pages[case] = normalized(response.content.decode())
    assert len(set(pages.values())) == 1, list(pages)


@pytest.mark.parametrize(
    "case",
    ["known user, wrong password", "pre-created user, wrong PIN", "pre-created user, not a PIN"],
)
def test_every_sign_in_failure_costs_the_same_number_of_password_hashes(people, settings, case):
    settings.PASSWORD_HASHERS = ["tests.security.hashers.CountingArgon2PasswordHasher"]
    UserFactory(username="knownUser2")  # hashed with the counting hasher
    counts = {}
    for name in ("unknown user", case):
        username, password = LOGIN_CASES[name]
        if username == "knownUser":
            username = "knownUser2"
        fresh_attempt_state()
        client = Client()
        CountingArgon2PasswordHasher.calls = 0
        client.post(url("en", "accounts:login"), {"username": username, "password": password})
        counts[name] = CountingArgon2PasswordHasher.calls
    assert counts["unknown user"] == 1
    assert counts[case] == counts["unknown user"]


def test_reset_request_gets_the_same_answer_for_any_address(client, mailoutbox):
    UserFactory(email="known@example.com")
    answers = set()
    for email in ("known@example.com", "KNOWN@example.com", "unknown@example.com"):
        response = client.post(url("en", "accounts:password_reset"), {"email": email})
        assert response.status_code == 302
        page = client.get(response["Location"])
        answers.add((response["Location"], normalized(page.content.decode())))
    assert len(answers) == 1


@pytest.fixture
def enroller(db):
    BillingAccountFactory(account_number="6000000001")
    return signed_in(UserFactory())


def enroll(client, number, pin):
    return client.post(url("en", "enrollment:enroll"), {"account_number": number, "pin": pin})


def test_unknown_account_and_wrong_pin_get_the_same_page(enroller):
    unknown = enroll(enroller, "6000000999", "5822")
    fresh_attempt_state()
    wrong = enroll(enroller, "6000000001", "5822")
    assert unknown.status_code == wrong.status_code == 200
    assert str(enrollment_messages.NO_MATCH) in unknown.content.decode()
    assert normalized(unknown.content.decode()) == normalized(wrong.content.decode())
