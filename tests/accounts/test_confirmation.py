"""Step 2: the emailed link, exact User Name and Email, password rules, single use and expiry."""

from datetime import timedelta

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.utils import timezone

from accounts import messages
from accounts.models import User
from tests.conftest import confirmation_form_url, confirmation_link, link_path, open_link, url

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "Desert-Monsoon-Rain-42"


@pytest.fixture
def link(register, mailoutbox):
    register()
    return link_path(confirmation_link(mailoutbox[-1]))


def submit(client, link, **overrides):
    """Open the emailed link (which keeps its token in the session), then post the form."""
    open_link(client, link)
    data = {
        "username": "testWilliamSample",
        "email": "wstestphx10@gmail.com",
        "password1": GOOD_PASSWORD,
        "password2": GOOD_PASSWORD,
    }
    data.update(overrides)
    return client.post(confirmation_form_url(link), data)


def test_confirm_page_fields_and_autocomplete(client, link):
    first = client.get(link)
    # The URL with the token only redirects, and tells the browser not to pass it on.
    assert first.status_code == 302 and first["Location"] == url("en", "accounts:confirm")
    assert first["Referrer-Policy"] == "no-referrer"
    response = client.get(first["Location"])
    html = response.content.decode()
    assert response.status_code == 200
    assert link.split("/")[-2] not in html
    assert 'autocomplete="username"' in html and 'autocomplete="email"' in html
    assert html.count('autocomplete="new-password"') == 2
    assert ">Submit</button>" in html
    assert "no-store" in response["Cache-Control"]


def test_confirming_sets_an_argon2_password_and_shows_get_started(client, link):
    response = submit(client, link)
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert str(messages.CONFIRMED_GET_STARTED) in page.content.decode()
    user = User.objects.get(username="testWilliamSample")
    assert user.is_confirmed
    assert user.check_password(GOOD_PASSWORD)
    assert identify_hasher(user.password).algorithm == "argon2"
    assert user.confirmation_token_hash == ""


def test_link_is_single_use(client, link):
    submit(client, link)
    again = open_link(client, link)
    assert again.status_code == 404
    assert str(messages.CONFIRMATION_NOT_FOUND) in again.content.decode()


@pytest.mark.parametrize(
    "field,value",
    [("username", "testwilliamsample"), ("email", "WSTESTPHX10@gmail.com"), ("username", "nobody")],
)
def test_user_name_and_email_must_match_exactly_case_included(client, link, field, value):
    response = submit(client, link, **{field: value})
    assert response.status_code == 200
    assert str(messages.CONFIRMATION_MISMATCH) in response.content.decode()
    user = User.objects.get(username="testWilliamSample")
    assert not user.is_confirmed and not user.has_usable_password()


def test_five_mismatches_burn_the_link(client, link, settings):
    assert settings.CONFIRMATION_MAX_MISMATCHES == 5
    for _ in range(4):
        assert submit(client, link, username="wrongName").status_code == 200
    burned = submit(client, link, username="wrongName")
    assert burned.status_code == 404
    # Even the right details no longer work on a burned link.
    assert submit(client, link).status_code == 404
    assert not User.objects.get(username="testWilliamSample").is_confirmed


def test_expired_link_stops_working(client, link, settings):
    User.objects.update(confirmation_sent_at=timezone.now() - timedelta(hours=24, minutes=1))
    response = open_link(client, link)
    assert response.status_code == 404
    assert submit(client, link).status_code == 404


def test_unknown_link_shows_the_seed_guidance(client):
    response = client.get("/en/register/confirm/not-a-real-token/", follow=True)
    html = response.content.decode()
    assert response.status_code == 404
    assert str(messages.CONFIRMATION_NOT_FOUND) in html
    assert "most recent" in html and "Register" in html


@pytest.mark.parametrize("password", ["short7!", "password123", "testWilliamSample"])
def test_weak_passwords_are_refused(client, link, password):
    response = submit(client, link, password1=password, password2=password)
    assert response.status_code == 200
    assert not User.objects.get(username="testWilliamSample").is_confirmed


def test_long_passphrase_of_64_characters_is_accepted(client, link):
    long = "cactus wren " * 5 + "sky!"
    assert len(long) == 64
    assert submit(client, link, password1=long, password2=long).status_code == 302


def test_passwords_must_match(client, link):
    response = submit(client, link, password2=GOOD_PASSWORD + "x")
    assert str(messages.PASSWORDS_DO_NOT_MATCH) in response.content.decode()


def test_no_composition_rules(client, link):
    # All lower case, no digits or symbols: accepted when long and uncommon (NIST 800-63B).
    password = "saguaroblossomsatdawn"
    assert submit(client, link, password1=password, password2=password).status_code == 302
