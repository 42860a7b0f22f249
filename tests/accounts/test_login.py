"""Login, Logout, throttling and the signed-in header."""

import pytest
from django.contrib.auth import SESSION_KEY

from accounts import messages
from tests.conftest import url
from tests.factories import DEFAULT_PASSWORD, PendingUserFactory, UserFactory

pytestmark = pytest.mark.django_db


def login(client, username, password=DEFAULT_PASSWORD, lang="en"):
    return client.post(url(lang, "accounts:login"), {"username": username, "password": password})


def test_login_form_labels_and_autocomplete(client):
    html = client.get(url("en", "accounts:login")).content.decode()
    assert "User Name" in html and "Password" in html
    assert 'autocomplete="username"' in html and 'autocomplete="current-password"' in html
    assert ">Sign In</button>" in html


def test_login_lands_on_accounts_in_the_language_of_the_login_page(client):
    UserFactory(username="testWilliamSample", first_name="William", preferred_language="es")
    response = login(client, "testWilliamSample")
    assert response.status_code == 302
    assert response["Location"] == url("en", "enrollment:accounts")
    html = client.get(response["Location"]).content.decode()
    assert '<html lang="en">' in html and 'action="/en/logout/"' in html


def test_welcome_shows_the_name_top_right(client):
    UserFactory(username="wstestphx", first_name="")
    login(client, "wstestphx")
    html = client.get(url("en", "home")).content.decode()
    assert "Welcome wstestphx" in html


def test_user_name_is_case_sensitive(client):
    UserFactory(username="testWilliamSample")
    response = login(client, "testwilliamsample")
    assert response.status_code == 200
    assert str(messages.LOGIN_FAILED) in response.content.decode()
    assert SESSION_KEY not in client.session


@pytest.mark.parametrize("case", ["unknown user", "wrong password", "pending user"])
def test_every_failure_gets_the_same_message(client, case):
    UserFactory(username="knownUser")
    PendingUserFactory(username="pendingUser")
    username, password = {
        "unknown user": ("nobodyHere", DEFAULT_PASSWORD),
        "wrong password": ("knownUser", "not-the-password"),
        "pending user": ("pendingUser", DEFAULT_PASSWORD),
    }[case]
    response = login(client, username, password)
    assert response.status_code == 200
    assert str(messages.LOGIN_FAILED) in response.content.decode()


def test_session_key_rotates_at_login(client):
    UserFactory(username="rotateMe")
    client.get(url("en", "accounts:login"))
    client.session.save()
    before = client.session.session_key
    login(client, "rotateMe")
    assert client.session.session_key != before


def test_logout_is_a_post_and_flushes_the_session(client):
    UserFactory(username="leaveNow")
    login(client, "leaveNow")
    assert client.get(url("en", "accounts:logout")).status_code == 405
    session_key = client.session.session_key
    response = client.post(url("en", "accounts:logout"))
    assert response.status_code == 302
    assert SESSION_KEY not in client.session
    assert client.session.session_key != session_key
    page = client.get(response["Location"])
    assert str(messages.LOGGED_OUT) in page.content.decode()


def test_repeated_failures_lock_the_user_name(client, settings):
    UserFactory(username="targetUser")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "targetUser", "wrong-password")
    # Now even the right password is refused, with a translated 429 page.
    response = login(client, "targetUser")
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    spanish = login(client, "targetUser", lang="es")
    assert spanish.status_code == 429
    assert 'lang="es"' in spanish.content.decode()


def test_signed_in_pages_are_not_cached(client, user):
    client.force_login(user)
    response = client.get(url("en", "accounts:profile"))
    assert "no-store" in response["Cache-Control"]


def test_signed_out_menu_and_signed_in_menu(client, user):
    html = client.get(url("en", "home")).content.decode()
    for item in ("Home", "Login", "Register", "Reset Password"):
        assert f"<span>{item}</span>" in html
    assert "<span>Account(s)</span>" not in html
    client.force_login(user)
    html = client.get(url("en", "home")).content.decode()
    for item in (
        "Home",
        "Account(s)",
        "Details",
        "Account Settings",
        "User Profile",
        "Links",
        "Help",
    ):
        assert f"<span>{item}</span>" in html
    assert ">Logout</button>" in html
    assert "<span>Register</span>" not in html


@pytest.mark.parametrize(
    "name", ["enrollment:accounts", "enrollment:details_first", "enrollment:settings_first"]
)
def test_account_pages_require_login(client, name):
    response = client.get(url("en", name))
    assert response.status_code == 302
    assert response["Location"].startswith(url("en", "accounts:login"))
