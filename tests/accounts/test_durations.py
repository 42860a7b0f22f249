"""Every duration a customer reads comes from the setting that decides it (phxpay/durations.py)."""

from datetime import timedelta

import pytest
from axes.utils import reset as axes_reset

from accounts import messages
from tests.conftest import url
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_confirmation_email_states_the_configured_link_lifetime(settings, register, mailoutbox):
    settings.CONFIRMATION_LINK_MAX_AGE = timedelta(hours=48)
    register()
    (message,) = mailoutbox
    assert "expires in 48 hours" in message.body
    assert "expires in 48 hours" in message.alternatives[0][0]
    assert "24 hours" not in message.body


def test_the_reset_page_and_email_state_the_configured_lifetime(
    settings, client, mailing, mailoutbox
):
    settings.PASSWORD_RESET_TIMEOUT = 3 * 60 * 60
    user = UserFactory()
    with mailing():
        response = client.post(url("en", "accounts:password_reset"), {"email": user.email})
    page = client.get(response["Location"]).content.decode()
    assert (messages.PASSWORD_RESET_SENT % {"hours": 3}) in page
    (message,) = mailoutbox
    assert "expires in 3 hours" in message.body


def test_the_sign_in_pause_page_gives_the_real_duration(settings, client):
    settings.AXES_COOLOFF_TIME = timedelta(minutes=45)
    UserFactory(username="pausedUser")
    axes_reset()
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        response = client.post(
            url("en", "accounts:login"), {"username": "pausedUser", "password": "wrong-password-1"}
        )
    assert response.status_code == 429
    assert "paused for 45 minutes" in response.content.decode()


def test_the_session_limit_message_gives_the_configured_hours(settings, client):
    import time

    settings.SESSION_ABSOLUTE_SECONDS = 8 * 60 * 60
    client.force_login(UserFactory())
    session = client.session
    session["auth_at"] = int(time.time()) - 9 * 60 * 60
    session.save()
    page = client.get(url("en", "enrollment:accounts"), follow=True).content.decode()
    assert (messages.SESSION_EXPIRED % {"hours": 8}) in page
