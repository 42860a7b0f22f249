"""Requirement 8 (property-based): no form answers 500, and a refused form writes nothing.

Each example starts from a valid submission and replaces one or more fields with hostile input:
arbitrary Unicode, control characters and NUL bytes, 10,000-character strings, several values for
one field (a list). The answer must be the form again (200) or a redirect (302); when it is the
form again, the users, accounts, enrollments, invitations and email changes are exactly as before.
"""

import pytest
from axes.utils import reset as axes_reset
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accounts.models import User
from accounts.tokens import new_token
from enrollment.models import BillingAccount, Enrollment
from tests.conftest import url
from tests.factories import (
    DEFAULT_PASSWORD,
    DEFAULT_PIN,
    BillingAccountFactory,
    EnrollmentFactory,
    PendingUserFactory,
    UserFactory,
)
from tests.security.conftest import domain_state, signed_in

pytestmark = pytest.mark.django_db

STRONG = "Saguaro-Blossom-Ridge-58"

FUZZ = hypothesis_settings(
    max_examples=20,
    deadline=None,
    database=None,  # nothing written into the work tree
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

HOSTILE_WORDS = [
    "",
    " ",
    "\x00",
    "admin\x00",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "' OR '1'='1' --",
    "Robert'); DROP TABLE accounts_user;--",
    "%00%0d%0a",
    "William\r\nBcc: victim@evil.example",
    "\u202egnp.exe",
    "🏜️" * 60,
    "٤٠٠٠٠٠٠٠٠١",  # Arabic-Indic digits
    "４０００００００００１",  # full-width digits
    "0" * 300,
    "a@b",
    "x@" + "y" * 250 + ".com",
    "null",
    "{{ 7*7 }}",
]

hostile = st.one_of(
    st.text(max_size=40),
    st.text(st.characters(max_codepoint=0x1F), max_size=20),  # control characters, NUL included
    st.builds(lambda a, b: f"{a}\x00{b}", st.text(max_size=8), st.text(max_size=8)),
    st.builds(lambda c: c * 10_000, st.characters()),
    st.sampled_from(HOSTILE_WORDS),
    st.lists(st.sampled_from(HOSTILE_WORDS) | st.text(max_size=10), max_size=3),  # several values
)


def corruption(*fields):
    """Hostile values for one or more of the form's fields."""
    return st.dictionaries(st.sampled_from(fields), hostile, min_size=1)


def check(client, path, data):
    cache.clear()  # rate-limit counters must not turn every later example into a 429
    before = domain_state()
    response = client.post(path, data)
    assert response.status_code in (200, 302), (response.status_code, data)
    if response.status_code == 200:
        assert domain_state() == before, data
    return response


@FUZZ
@given(bad=corruption("username", "first_name", "last_name", "email", "confirm_email"))
def test_register(db, bad):
    valid = {
        "username": "fuzzWilliam",
        "first_name": "William",
        "last_name": "Sample",
        "email": "fuzz.william@example.com",
        "confirm_email": "fuzz.william@example.com",
    }
    check(Client(), url("en", "accounts:register"), {**valid, **bad})


@FUZZ
@given(bad=corruption("username", "email", "password1", "password2"))
def test_confirm(db, settings, bad):
    settings.CONFIRMATION_MAX_MISMATCHES = 10**6  # keep the link alive across examples
    token, digest = new_token()
    pending = PendingUserFactory(
        confirmation_token_hash=digest, confirmation_sent_at=timezone.now()
    )
    client = Client()
    client.get(url("en", "accounts:confirm_link", token=token))
    valid = {
        "username": pending.username,
        "email": pending.email,
        "password1": STRONG,
        "password2": STRONG,
    }
    check(client, url("en", "accounts:confirm"), {**valid, **bad})


def fits_axes(value) -> bool:
    """User Names Axes can store (see test_an_overlong_user_name_is_refused_not_a_500)."""
    values = value if isinstance(value, list) else [value]
    return all(len(item) <= 255 for item in values)


@FUZZ
@given(
    bad=st.fixed_dictionaries(
        {}, optional={"username": hostile.filter(fits_axes), "password": hostile}
    ).filter(bool)
)
def test_login(db, bad):
    axes_reset()
    user = User.objects.filter(username="fuzzLogin").first() or UserFactory(username="fuzzLogin")
    valid = {"username": user.username, "password": DEFAULT_PASSWORD}
    check(Client(), url("en", "accounts:login"), {**valid, **bad})


@FUZZ
@given(bad=corruption("email"))
def test_reset_request(db, bad):
    User.objects.filter(email="fuzz.reset@example.com").exists() or UserFactory(
        email="fuzz.reset@example.com"
    )
    valid = {"email": "fuzz.reset@example.com"}
    check(Client(), url("en", "accounts:password_reset"), {**valid, **bad})


@FUZZ
@given(bad=corruption("new_password1", "new_password2"))
def test_reset_set_password(db, bad):
    user = UserFactory()
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    client = Client()
    link = url("en", "accounts:password_reset_confirm", uidb64=uidb64, token=token)
    form_url = client.get(link)["Location"]
    valid = {"new_password1": STRONG, "new_password2": STRONG}
    check(client, form_url, {**valid, **bad})


@pytest.fixture
def member(db):
    """A signed-in holder of one account, shared by every example of a test."""
    holding = EnrollmentFactory(
        user=UserFactory(username="fuzzMember", email="fuzz.member@example.com"),
        account=BillingAccountFactory(account_number="4100000001"),
    )
    BillingAccountFactory(account_number="4100000002")
    return holding, signed_in(holding.user)


@FUZZ
@given(bad=corruption("first_name", "last_name", "preferred_language"))
def test_profile(member, bad):
    _holding, client = member
    valid = {"first_name": "William", "last_name": "Sample", "preferred_language": "en"}
    check(client, url("en", "accounts:profile"), {**valid, **bad})


@FUZZ
@given(bad=corruption("old_password", "new_password1", "new_password2"))
def test_password_change(member, bad):
    holding, client = member
    valid = {"old_password": DEFAULT_PASSWORD, "new_password1": STRONG, "new_password2": STRONG}
    response = check(client, url("en", "accounts:password_change"), {**valid, **bad})
    if response.status_code == 302:  # a valid change: put things back for the next example
        holding.user.refresh_from_db()
        holding.user.set_password(DEFAULT_PASSWORD)
        holding.user.save()
        client.force_login(holding.user)


@FUZZ
@given(bad=corruption("new_email", "current_password"))
def test_email_change(member, bad):
    _holding, client = member
    valid = {"new_email": "fuzz.new@example.com", "current_password": DEFAULT_PASSWORD}
    check(client, url("en", "accounts:email_change"), {**valid, **bad})


@FUZZ
@given(bad=corruption("account_number", "pin"))
def test_enroll(member, bad):
    _holding, client = member
    valid = {"account_number": "4100000002", "pin": DEFAULT_PIN}
    check(client, url("en", "enrollment:enroll"), {**valid, **bad})
    Enrollment.objects.filter(account__account_number="4100000002").delete()
    BillingAccount.objects.update(failed_pin_attempts=0, lockouts=0, locked_until=None)
    from enrollment.models import PinFailure

    PinFailure.objects.all().delete()


@FUZZ
@given(bad=corruption("nickname", "paperless", "ebill_email"))
def test_account_settings(member, bad):
    holding, client = member
    valid = {"nickname": "Home", "paperless": "on", "ebill_email": "bills@example.com"}
    check(
        client,
        url("en", "enrollment:settings", account_id=holding.account_id),
        {**valid, **bad},
    )


@FUZZ
@given(bad=corruption("email", "role"))
def test_invite(member, bad):
    holding, client = member
    valid = {"email": "fuzz.guest@example.com", "role": "view"}
    check(
        client,
        url("en", "enrollment:invite", account_id=holding.account_id),
        {**valid, **bad},
    )


@pytest.mark.parametrize(
    "body",
    [
        b"username=%FF%FE%00&password=%C0%AF",  # invalid UTF-8
        b"username=" + b"A" * 2_000_000,  # near the upload limit
        b"&&&===&username&password=",
    ],
)
def test_raw_bodies_never_give_a_500(db, body):
    response = Client().post(
        url("en", "accounts:login"), body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code in (200, 400, 403)


@pytest.mark.parametrize("where", ["accounts:login", "admin:login"])
def test_an_overlong_user_name_is_refused_not_a_500(db, where):
    client = Client()
    client.raise_request_exception = False
    response = client.post(url("en", where), {"username": "u" * 256, "password": "whatever"})
    assert response.status_code == 200


@pytest.mark.parametrize("forwarded", ["203.0.113.7:54321", "[2001:db8::7]:443", "unknown"])
def test_a_malformed_forwarded_address_is_not_a_500(db, settings, forwarded):
    settings.CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    settings.TRUSTED_PROXY_COUNT = 1
    client = Client()
    client.raise_request_exception = False
    response = client.post(
        url("en", "accounts:login"),
        {"username": "someone", "password": "wrong"},
        HTTP_X_FORWARDED_FOR=forwarded,
    )
    assert response.status_code == 200


def test_a_huge_user_agent_is_stored_truncated_not_a_500(db):
    client = Client(HTTP_USER_AGENT="A" * 5000)
    response = client.post(url("en", "accounts:login"), {"username": "someone", "password": "x"})
    assert response.status_code == 200
    from phxpay.models import AuditEvent

    assert len(AuditEvent.objects.get().user_agent) <= 300
