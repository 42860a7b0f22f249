"""Requirement 8: one-time actions stay one-time when two requests race (PostgreSQL row locks).

Each test fires the same request from two browsers at once (threads released by a barrier) through
the real views. Parallel wrong PINs are covered in tests/enrollment/test_lockout.py.
"""

import contextlib
import threading
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.auth.tokens import default_token_generator
from django.db import connection
from django.test import Client
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import EmailChange, User
from accounts.tokens import new_token
from enrollment.models import Enrollment
from phxpay.models import AuditEvent
from tests.conftest import url
from tests.factories import DEFAULT_PIN, BillingAccountFactory, PendingUserFactory, UserFactory
from tests.security.conftest import signed_in

pytestmark = pytest.mark.django_db(transaction=True)

STRONG = "Papago-Park-Arches-47"
TWICE = 2


def race(*actions):
    """Run the actions at the same instant in threads; return their results in order."""
    barrier = threading.Barrier(len(actions))
    results = [None] * len(actions)
    errors = []

    def run(index, action):
        try:
            barrier.wait(timeout=10)
            results[index] = action()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


def queued(kind: str) -> int:
    try:
        model = apps.get_model("phxpay", "OutboundEmail")
    except LookupError:
        return 1
    return model.objects.filter(kind=kind).count()


def test_one_confirmation_link_confirmed_twice_at_once_confirms_once():
    token, digest = new_token()
    pending = PendingUserFactory(
        confirmation_token_hash=digest, confirmation_sent_at=timezone.now()
    )
    browsers = [Client() for _ in range(TWICE)]
    for browser in browsers:
        browser.get(url("en", "accounts:confirm_link", token=token))
    data = {
        "username": pending.username,
        "email": pending.email,
        "password1": STRONG,
        "password2": STRONG,
    }
    responses = race(*[lambda b=b: b.post(url("en", "accounts:confirm"), data) for b in browsers])
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [302, 404]
    pending.refresh_from_db()
    assert pending.is_confirmed and pending.check_password(STRONG)
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.REGISTRATION_CONFIRMED).count() == 1


def test_one_account_enrolled_twice_at_once_by_one_user_gives_one_enrollment():
    user = UserFactory()
    account = BillingAccountFactory(account_number="4400000001")
    browsers = [signed_in(user) for _ in range(TWICE)]
    data = {"account_number": account.account_number, "pin": DEFAULT_PIN}
    responses = race(*[lambda b=b: b.post(url("en", "enrollment:enroll"), data) for b in browsers])
    assert [response.status_code for response in responses] == [302, 302]
    assert Enrollment.objects.filter(user=user, account=account).count() == 1
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.ENROLLED).count() == 1
    assert queued("account_enrolled") == 1


def test_one_email_change_link_confirmed_twice_at_once_changes_once():
    user = UserFactory(email="before@example.com")
    token, digest = new_token()
    EmailChange.objects.create(user=user, new_email="after@example.com", token_hash=digest)
    browsers = [signed_in(user) for _ in range(TWICE)]
    for browser in browsers:
        browser.get(url("en", "accounts:email_change_link", token=token))
    responses = race(
        *[lambda b=b: b.post(url("en", "accounts:email_change_confirm")) for b in browsers]
    )
    statuses = sorted(response.status_code for response in responses)
    assert statuses[0] == 302 and statuses[1] in (404, 409)
    user.refresh_from_db()
    assert user.email == "after@example.com"
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.EMAIL_CHANGED).count() == 1


def test_one_reset_link_used_twice_at_once_sets_one_password():
    """Both posts are held just before saving until both got there (or 3 s passed): with the link
    checked and used under a lock, the second one never gets there and finds the link spent."""
    from unittest import mock

    from accounts.forms import NewPasswordForm

    user = UserFactory()
    link = url(
        "en",
        "accounts:password_reset_confirm",
        uidb64=urlsafe_base64_encode(force_bytes(user.pk)),
        token=default_token_generator.make_token(user),
    )
    browsers = [Client() for _ in range(TWICE)]
    form_urls = [browser.get(link)["Location"] for browser in browsers]
    passwords = [STRONG, "Squaw-Peak-Sunset-83"]
    rendezvous = threading.Barrier(TWICE)
    original_save = NewPasswordForm.save

    def save_when_both_are_here(form, *args, **kwargs):
        with contextlib.suppress(threading.BrokenBarrierError):
            rendezvous.wait(timeout=3)
        return original_save(form, *args, **kwargs)

    with mock.patch.object(NewPasswordForm, "save", save_when_both_are_here):
        responses = race(
            *[
                lambda b=b, f=f, p=p: b.post(f, {"new_password1": p, "new_password2": p})
                for b, f, p in zip(browsers, form_urls, passwords, strict=True)
            ]
        )
    assert sorted(response.status_code for response in responses) == [200, 302]
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.PASSWORD_RESET).count() == 1
    user = User.objects.get(pk=user.pk)
    assert sum(user.check_password(p) for p in passwords) == 1


def test_an_expired_confirmation_link_cannot_be_raced_back_to_life():
    token, digest = new_token()
    pending = PendingUserFactory(
        confirmation_token_hash=digest,
        confirmation_sent_at=timezone.now() - timedelta(hours=25),
    )
    browsers = [Client() for _ in range(TWICE)]
    for browser in browsers:
        browser.get(url("en", "accounts:confirm_link", token=token))
    data = {
        "username": pending.username,
        "email": pending.email,
        "password1": STRONG,
        "password2": STRONG,
    }
    responses = race(*[lambda b=b: b.post(url("en", "accounts:confirm"), data) for b in browsers])
    assert [response.status_code for response in responses] == [404, 404]
    pending.refresh_from_db()
    assert not pending.is_confirmed
