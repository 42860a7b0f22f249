"""Support ends a sign-in pause: from the shell (unlock_signin) or the admin, audited."""

import pytest
from axes.models import AccessAttempt
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from phxpay.models import AuditEvent
from tests.conftest import staff_signed_in, url
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def pause(settings, user):
    attacker = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attacker.post(url("en", "accounts:login"), {"username": user.username, "password": "wrong"})


def signs_in(user) -> bool:
    response = Client().post(
        url("en", "accounts:login"), {"username": user.username, "password": DEFAULT_PASSWORD}
    )
    return response.status_code == 302


def test_unlock_signin_ends_the_pause_and_is_audited_with_the_operator(settings, capsys):
    user = UserFactory(username="pausedCustomer")
    pause(settings, user)
    assert not signs_in(user)
    call_command("unlock_signin", "pausedCustomer")
    assert "can sign in again" in capsys.readouterr().out
    assert signs_in(user)
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.SIGNIN_UNLOCKED)
    assert event.user == user and event.detail["operator"]


def test_unlock_signin_says_so_when_nothing_is_paused():
    UserFactory(username="fineCustomer")
    with pytest.raises(CommandError, match="not paused"):
        call_command("unlock_signin", "fineCustomer")
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.SIGNIN_UNLOCKED).exists()


def test_the_admin_action_unlocks_sign_in(settings):
    user = UserFactory(username="pausedToo")
    pause(settings, user)
    staff = staff_signed_in(Client(), UserFactory(is_staff=True, is_superuser=True))
    response = staff.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "unlock_signin", "_selected_action": [user.pk]},
        follow=True,
    )
    assert "Sign-in was unlocked for 1 user." in response.content.decode()
    assert not AccessAttempt.objects.exists()
    assert signs_in(user)
