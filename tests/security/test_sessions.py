"""Requirement 2: idle and absolute session limits, key rotation, server-side session ends."""

import time

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.test import Client

from accounts import messages
from tests.conftest import url
from tests.factories import (
    DEFAULT_PASSWORD,
    DEFAULT_PIN,
    BillingAccountFactory,
    EnrollmentFactory,
    PrecreatedUserFactory,
    UserFactory,
)
from tests.security.conftest import signed_in

pytestmark = pytest.mark.django_db

NEW = "Estrella-Mountain-Dawn-63"


def session_exists(key) -> bool:
    return Session.objects.filter(session_key=key).exists()


def login(client, username, password=DEFAULT_PASSWORD, lang="en"):
    return client.post(url(lang, "accounts:login"), {"username": username, "password": password})


def test_idle_timeout_is_30_minutes_renewed_once_a_minute_of_use_has_passed(signed_in_client):
    import time
    from datetime import timedelta

    from django.utils import timezone

    from accounts.middleware import SEEN_KEY

    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_REFRESH_SECONDS == 60
    key = signed_in_client.session.session_key
    # Five idle minutes left, and the last renewal over a minute ago…
    session = signed_in_client.session
    session[SEEN_KEY] = int(time.time()) - 61
    session.save()
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() + timedelta(minutes=5)
    )
    response = signed_in_client.get(url("en", "help"))
    # …so this request gives back the full 30, in the cookie and on the server.
    assert int(response.cookies[settings.SESSION_COOKIE_NAME]["max-age"]) == 30 * 60
    left = Session.objects.get(session_key=key).expire_date - timezone.now()
    assert timedelta(minutes=29) < left <= timedelta(minutes=30)
    # Within the minute, a request writes nothing: the timer is right to within that minute.
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() + timedelta(minutes=29, seconds=30)
    )
    response = signed_in_client.get(url("en", "help"))
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    left = Session.objects.get(session_key=key).expire_date - timezone.now()
    assert left < timedelta(minutes=29, seconds=31)


def test_an_idle_session_expires_on_the_server(signed_in_client):
    from datetime import timedelta

    from django.utils import timezone

    key = signed_in_client.session.session_key
    assert signed_in_client.get(url("en", "accounts:profile")).status_code == 200
    expiry = Session.objects.get(session_key=key).expire_date
    assert timedelta(minutes=29) < expiry - timezone.now() <= timedelta(minutes=30)
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    response = signed_in_client.get(url("en", "accounts:profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(url("en", "accounts:login"))


def test_absolute_limit_of_12_hours_signs_out(signed_in_client):
    assert settings.SESSION_ABSOLUTE_SECONDS == 12 * 60 * 60
    s = signed_in_client.session
    s["auth_at"] = int(time.time()) - settings.SESSION_ABSOLUTE_SECONDS + 120
    s.save()
    assert signed_in_client.get(url("en", "accounts:profile")).status_code == 200
    old_key = signed_in_client.session.session_key
    s = signed_in_client.session
    s["auth_at"] = 0
    s.save()
    response = signed_in_client.get(url("es", "accounts:profile"))
    assert response.status_code == 302
    assert response["Location"] == url("es", "accounts:login")
    assert not session_exists(old_key)
    page = signed_in_client.get(response["Location"])
    assert SESSION_KEY not in signed_in_client.session
    from django.utils import translation

    with translation.override("es"):
        assert (messages.SESSION_EXPIRED % {"hours": 12}) in page.content.decode()


def test_absolute_limit_counts_from_sign_in_not_from_activity(client):
    user = UserFactory()
    login(client, user.username)
    started = client.session["auth_at"]
    assert abs(started - time.time()) < 60
    client.get(url("en", "home"))
    assert client.session["auth_at"] == started  # activity does not extend it


def test_a_session_without_a_sign_in_time_is_ended(signed_in_client):
    s = signed_in_client.session
    del s["auth_at"]
    s.save()
    assert signed_in_client.get(url("en", "accounts:profile")).status_code == 302


def test_login_rotates_the_key_and_deletes_the_pre_login_session(client):
    user = UserFactory()
    client.get(url("en", "accounts:login"))
    s = client.session
    s["planted"] = "by an attacker"  # session fixation: a key known before sign-in
    s.save()
    before = s.session_key
    assert session_exists(before)
    assert login(client, user.username).status_code == 302
    assert client.session.session_key != before
    assert not session_exists(before)


@pytest.fixture
def precreated(db):
    user = PrecreatedUserFactory(username="legacy.ebill@example.com")
    EnrollmentFactory(user=user, account=BillingAccountFactory(ebill_email=user.email))
    return user


def test_first_sign_in_from_the_mailed_link_starts_a_new_session(
    client, precreated, mailoutbox, django_capture_on_commit_callbacks
):
    import re

    with django_capture_on_commit_callbacks(execute=True):
        # A correct PIN opens no session at all; it only mails the link.
        assert login(client, precreated.username, DEFAULT_PIN).status_code == 302
    assert "_auth_user_id" not in client.session
    (message,) = [m for m in mailoutbox if "first_signin_link" in m.tags]
    link = re.search(r"http://testserver(/\S+/first-sign-in/\S+/)", message.body).group(1)
    form = client.get(link)["Location"]
    link_key = client.session.session_key
    response = client.post(form, {"new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 302
    new_key = client.session.session_key
    assert new_key != link_key
    assert not session_exists(link_key)
    assert session_exists(new_key)
    assert client.get(url("en", "enrollment:accounts")).status_code == 200


def test_logout_deletes_the_session_on_the_server(signed_in_client):
    key = signed_in_client.session.session_key
    assert session_exists(key)
    signed_in_client.post(url("en", "accounts:logout"))
    assert not session_exists(key)
    # A copy of the old cookie is worth nothing.
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = key
    assert replay.get(url("en", "accounts:profile")).status_code == 302


def test_password_change_ends_every_other_session_and_keeps_this_one(user):
    here = signed_in(user)
    laptop, phone = signed_in(user), signed_in(user)
    stranger = signed_in(UserFactory())
    others = [laptop.session.session_key, phone.session.session_key]
    here_key = here.session.session_key
    response = here.post(
        url("en", "accounts:password_change"),
        {"old_password": DEFAULT_PASSWORD, "new_password1": NEW, "new_password2": NEW},
    )
    assert response.status_code == 302
    assert not any(session_exists(key) for key in others)
    assert not session_exists(here_key)  # rotated…
    assert session_exists(here.session.session_key)  # …and kept
    assert here.get(url("en", "accounts:profile")).status_code == 200
    assert stranger.get(url("en", "accounts:profile")).status_code == 200
    # An old cookie replayed after the change does not come back to life.
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = others[0]
    assert replay.get(url("en", "accounts:profile")).status_code == 302


def test_password_reset_ends_every_session(user, mailoutbox, django_capture_on_commit_callbacks):
    import re

    sessions = [signed_in(user) for _ in range(2)]
    keys = [c.session.session_key for c in sessions]
    browser = Client()
    with django_capture_on_commit_callbacks(execute=True):
        browser.post(url("en", "accounts:password_reset"), {"email": user.email})
    link = re.search(r"http://testserver(/\S+/)", mailoutbox[-1].body).group(1)
    form = browser.get(link, follow=True)
    set_url = form.redirect_chain[-1][0]
    response = browser.post(set_url, {"new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 302
    assert not any(session_exists(key) for key in keys)
    from accounts.models import UserSession

    assert not UserSession.objects.filter(user=user).exists()
    assert all(c.get(url("en", "accounts:profile")).status_code == 302 for c in sessions)
