"""Step 1 of the seed's two-step registration, and the PHXwelcome email it sends."""

import threading

import pytest
from django.db import connection
from django.test import Client

from accounts import messages
from accounts.models import User
from tests.conftest import confirmation_link, open_link, url
from tests.factories import PendingUserFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_register_page_has_the_seed_fields_with_autocomplete(client):
    html = client.get(url("en", "accounts:register")).content.decode()
    for label in ("User Name", "First Name", "Last Name", "Email Address", "Confirm Email Address"):
        assert f"{label}</label>" in html or f"{label}<span" in html
    assert 'name="username"' in html and 'autocomplete="username"' in html
    assert 'autocomplete="given-name"' in html
    assert 'autocomplete="family-name"' in html
    assert html.count('autocomplete="email"') == 2
    assert '<button type="submit" class="usa-button">Register</button>' in html


def test_successful_registration_shows_almost_done_and_reserves_the_name(
    register, client, mailoutbox
):
    response = register()
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert str(messages.REGISTRATION_ALMOST_DONE) in page.content.decode()
    user = User.objects.get(username="testWilliamSample")
    assert not user.is_confirmed
    assert not user.has_usable_password()
    assert user.preferred_language == "en"
    assert len(mailoutbox) == 1


def test_confirmation_email_headers_parts_and_link(register, mailoutbox):
    register()
    (message,) = mailoutbox
    assert message.subject == "ACTION REQUIRED! Confirm Your PHX Pay Online Registration"
    assert message.from_email == "PHX Pay Online <PHXwelcome@phoenix.gov>"
    assert message.to == ["wstestphx10@gmail.com"]
    assert message.alternatives[0][1] == "text/html"
    link = confirmation_link(message)
    assert link.startswith("http://testserver/en/register/confirm/")
    assert "testWilliamSample" in message.body and "case-sensitive" in message.body
    user = User.objects.get(username="testWilliamSample")
    token = link.rstrip("/").rsplit("/", 1)[1]
    # Only a digest is stored, never the token itself.
    assert token not in user.confirmation_token_hash
    assert len(token) >= 43  # 32 random bytes, base64url


def test_spanish_registration_sends_spanish_email_with_spanish_link(register, mailoutbox, client):
    response = register(lang="es")
    page = client.get(response["Location"])
    assert page.content.decode().count("CASI") >= 1
    (message,) = mailoutbox
    assert message.subject == "¡ACCIÓN REQUERIDA! Confirme Su Registro en PHX Pay Online"
    assert confirmation_link(message).startswith("http://testserver/es/register/confirm/")
    assert User.objects.get(username="testWilliamSample").preferred_language == "es"


def test_email_is_sent_only_after_the_registration_commits(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(
            url("en", "accounts:register"),
            {
                "username": "commitCheck",
                "first_name": "A",
                "last_name": "B",
                "email": "commit@example.com",
                "confirm_email": "commit@example.com",
            },
        )
    assert mailoutbox == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert len(mailoutbox) == 1


@pytest.mark.parametrize("username", ["abc", "x" * 33])
def test_user_name_must_be_4_to_32_characters(register, username):
    response = register(username=username)
    assert response.status_code == 200
    assert str(messages.USERNAME_LENGTH) in response.content.decode()
    assert not User.objects.exists()


def test_emails_must_match(register, mailoutbox):
    response = register(email="a@example.com", confirm_email="b@example.com")
    assert str(messages.EMAILS_DO_NOT_MATCH) in response.content.decode()
    assert not User.objects.exists()
    assert mailoutbox == []


def test_errors_are_summarised_and_linked_to_their_fields(register):
    html = register(username="ab", email="not-an-email").content.decode()
    assert 'id="error-summary"' in html
    assert 'href="#id_username"' in html and 'href="#id_email"' in html
    assert 'aria-describedby="id_username_error' in html
    assert 'aria-invalid="true"' in html


def test_user_name_taken_by_another_registration(register, mailoutbox):
    UserFactory(username="testWilliamSample", email="someone.else@example.com")
    response = register()
    expected = messages.USERNAME_IN_USE % {"username": "testWilliamSample"}
    assert expected in response.content.decode()
    assert mailoutbox == []


def test_user_names_differing_only_in_case_are_refused(register):
    UserFactory(username="TESTWILLIAMSAMPLE", email="other@example.com")
    response = register()
    assert "is already in use. Please choose another name." in response.content.decode()
    assert User.objects.count() == 1


def test_user_name_case_variant_is_refused_by_the_database_too(db):
    UserFactory(username="CaseName")
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        UserFactory(username="casename")


def test_email_in_use_with_another_user_name_gives_the_seed_message(register, mailoutbox):
    UserFactory(username="someoneElse", email="WSTESTPHX10@gmail.com")
    response = register()
    html = response.content.decode()
    assert "Email address wstestphx10@gmail.com is already in use with another account." in html
    # Once, not twice: the short line at the field and in the summary, the guidance once.
    assert html.count("CUSTOMERS RECEIVING ELECTRONIC BILLS before Apr2017") == 1
    assert html.count("NEW CUSTOMERS") == 1
    assert "User Profile" in html and "Login Profile" not in html
    login, reset = url("en", "accounts:login"), url("en", "accounts:password_reset")
    assert f'href="{login}">Login</a>' in html and f'href="{reset}">Reset Password</a>' in html
    # The error links to its own Help entry.
    assert f'href="{url("en", "help")}#error-email-in-use"' in html
    assert User.objects.count() == 1
    assert mailoutbox == []


def test_email_uniqueness_is_case_insensitive_in_the_database(db):
    UserFactory(email="Same@Example.com")
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        UserFactory(email="same@example.com")


def test_already_confirmed_registration_points_to_login_and_reset(register, mailoutbox):
    UserFactory(username="testWilliamSample", email="wstestphx10@gmail.com")
    response = register()
    assert (
        messages.ALREADY_REGISTERED % {"username": "testWilliamSample"}
    ) in response.content.decode()
    assert mailoutbox == []


def test_re_registering_sends_a_new_link_and_kills_the_old_one(register, client, mailoutbox):
    register()
    register()
    assert User.objects.count() == 1
    first, second = (confirmation_link(m) for m in mailoutbox)
    assert first != second
    old = open_link(client, first)
    assert old.status_code == 404
    assert str(messages.CONFIRMATION_NOT_FOUND) in old.content.decode()
    new = open_link(client, second)
    assert new.status_code == 200


def test_re_registering_updates_names_and_language(register, mailoutbox):
    register()
    register(lang="es", first_name="Guillermo")
    user = User.objects.get()
    assert user.first_name == "Guillermo"
    assert user.preferred_language == "es"
    assert mailoutbox[-1].subject.startswith("¡ACCIÓN REQUERIDA!")


def test_registering_with_pending_name_but_other_email_is_refused(register, mailoutbox):
    PendingUserFactory(username="testWilliamSample", email="first@example.com")
    response = register()
    assert "is already in use. Please choose another name." in response.content.decode()
    assert mailoutbox == []


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_registrations_of_one_name_one_wins():
    """Both requests pass the form checks; the database constraint decides, the loser gets the error."""
    barrier = threading.Barrier(2)
    results = []

    from accounts import services

    original = services.registration_problems
    calls = {"n": 0}

    def racing_check(**kwargs):
        error = original(**kwargs)
        calls["n"] += 1
        if calls["n"] <= 2:
            barrier.wait(timeout=10)  # both have checked before either inserts
        return error

    services.registration_problems = racing_check
    try:

        def attempt(email):
            client = Client()
            try:
                response = client.post(
                    url("en", "accounts:register"),
                    {
                        "username": "raceName",
                        "first_name": "R",
                        "last_name": "C",
                        "email": email,
                        "confirm_email": email,
                    },
                )
                results.append(response)
            finally:
                connection.close()

        threads = [
            threading.Thread(target=attempt, args=(e,)) for e in ("a@race.test", "b@race.test")
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        services.registration_problems = original
    statuses = sorted(r.status_code for r in results)
    assert statuses == [200, 302]
    loser = next(r for r in results if r.status_code == 200)
    assert (messages.USERNAME_IN_USE % {"username": "raceName"}) in loser.content.decode()
    assert User.objects.filter(username="raceName").count() == 1
