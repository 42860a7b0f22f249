"""Customers on e-bills before April 2017: the e-bill address and a PIN, then the mailbox's link.

A correct PIN never signs anyone in by itself: it mails a one-time link to the e-bill address, and
only that link leads to choosing a password (red team: 10,000 PINs are not a password).
"""

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.management import CommandError, call_command
from django.test import Client

from accounts import messages as account_messages
from accounts.models import User
from enrollment import messages as enrollment_messages
from tests.conftest import staff_signed_in, url
from tests.factories import (
    DEFAULT_PIN,
    BillingAccountFactory,
    EnrollmentFactory,
    PrecreatedUserFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NEW = "Piestewa-Peak-Sunrise-88"
LINK_RE = re.compile(r"http://testserver(/(?:en|es)/accounts/first-sign-in/[A-Za-z0-9_\-]+/)")


@pytest.fixture
def precreated(db):
    user = PrecreatedUserFactory(username="ebill.customer@example.com")
    account = BillingAccountFactory(account_number="1234567890", ebill_email=user.email)
    EnrollmentFactory(user=user, account=account)
    return user


def login(client, username, password, lang="en"):
    return client.post(url(lang, "accounts:login"), {"username": username, "password": password})


@pytest.fixture
def pin_sign_in(client, mailoutbox, django_capture_on_commit_callbacks):
    """Sign in with the e-bill address and PIN; returns (response, path of the mailed link)."""

    def _sign_in(username="ebill.customer@example.com", pin=DEFAULT_PIN, browser=None, lang="en"):
        mailoutbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            response = login(browser or client, username, pin, lang)
        links = [LINK_RE.search(m.body) for m in mailoutbox if "first_signin_link" in m.tags]
        return response, (links[0].group(1) if links and links[0] else None)

    return _sign_in


def test_a_correct_pin_opens_no_session_and_mails_a_link_to_the_ebill_address(
    client, precreated, pin_sign_in, mailoutbox
):
    response, link = pin_sign_in()
    assert response.status_code == 302
    assert response["Location"] == url("en", "enrollment:first_signin_sent")
    assert SESSION_KEY not in client.session
    assert client.get(url("en", "enrollment:accounts")).status_code == 302  # still signed out
    (message,) = [m for m in mailoutbox if "first_signin_link" in m.tags]
    assert message.to == ["ebill.customer@example.com"]
    assert message.extra_headers["Content-Language"] == "en"  # the language they signed in with
    assert link and DEFAULT_PIN not in message.body
    page = client.get(response["Location"]).content.decode()
    assert "we sent a link to the e-bill address on file" in page
    precreated.refresh_from_db()
    assert precreated.must_change_password and not precreated.has_usable_password()


def test_the_link_leads_to_choosing_a_password_and_signs_in(client, precreated, pin_sign_in):
    _response, link = pin_sign_in()
    opened = client.get(link)
    assert opened.status_code == 302
    assert opened["Location"] == url("en", "enrollment:first_signin_password")
    assert opened["Referrer-Policy"] == "no-referrer"
    page = client.get(opened["Location"]).content.decode()
    assert "New Password" in page and page.count('autocomplete="new-password"') == 2
    done = client.post(opened["Location"], {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302 and done["Location"] == url("en", "enrollment:accounts")
    assert client.session[SESSION_KEY] == str(precreated.pk)
    landing = client.get(done["Location"]).content.decode()
    assert str(enrollment_messages.FIRST_SIGNIN_DONE) in landing
    precreated.refresh_from_db()
    assert not precreated.must_change_password and precreated.check_password(NEW)


def test_the_link_works_once_and_only_the_newest(client, precreated, pin_sign_in):
    _response, first = pin_sign_in()
    _response, second = pin_sign_in(browser=Client())
    assert client.get(first).status_code == 404  # a newer link replaced it
    opened = client.get(second)
    client.post(opened["Location"], {"new_password1": NEW, "new_password2": NEW})
    again = Client().get(second)
    assert again.status_code == 404
    assert str(enrollment_messages.FIRST_SIGNIN_LINK_INVALID) in again.content.decode()


def test_a_junk_link_creates_no_session(client, precreated):
    from django.contrib.sessions.models import Session

    response = client.get(url("en", "enrollment:first_signin_link", token="x" * 43))
    assert response.status_code == 404
    assert Session.objects.count() == 0


def test_after_the_password_is_set_the_pin_never_works_again(client, precreated, pin_sign_in):
    _response, link = pin_sign_in()
    opened = client.get(link)
    client.post(opened["Location"], {"new_password1": NEW, "new_password2": NEW})
    response, again = pin_sign_in(browser=Client())
    assert response.status_code == 200 and again is None
    assert str(account_messages.LOGIN_FAILED) in response.content.decode()
    assert login(Client(), "ebill.customer@example.com", NEW).status_code == 302


def test_the_pin_of_any_held_account_works_whatever_the_spelling(precreated, pin_sign_in):
    second = BillingAccountFactory(ebill_email=precreated.email, pin="7394")
    EnrollmentFactory(user=precreated, account=second)
    for spelling in (
        "EBILL.Customer@example.com",
        " ebill.customer@example.com",
        "ｅbill.customer@example.com",
    ):
        response, link = pin_sign_in(username=spelling, pin="7394", browser=Client())
        assert response.status_code == 302 and link, spelling


def test_the_new_password_follows_the_registration_rules(client, precreated, pin_sign_in):
    _response, link = pin_sign_in()
    opened = client.get(link)
    response = client.post(opened["Location"], {"new_password1": "short", "new_password2": "short"})
    assert response.status_code == 200
    precreated.refresh_from_db()
    assert precreated.must_change_password and SESSION_KEY not in client.session


def test_wrong_pin_gets_the_generic_error_and_counts_toward_the_account_lockout(client, precreated):
    from enrollment.models import BillingAccount

    response = login(client, "ebill.customer@example.com", "5822")
    assert str(account_messages.LOGIN_FAILED) in response.content.decode()
    assert BillingAccount.objects.get(account_number="1234567890").failed_pin_attempts == 1
    for _ in range(4):
        login(client, "ebill.customer@example.com", "5822")
    account = BillingAccount.objects.get(account_number="1234567890")
    assert account.is_locked()
    # While locked, even the right PIN sends no link.
    assert login(Client(), "ebill.customer@example.com", DEFAULT_PIN).status_code == 200


def test_wrong_pins_count_toward_the_login_throttle(client, precreated, settings):
    from axes.models import AccessAttempt

    login(client, "ebill.customer@example.com", "5822")
    assert AccessAttempt.objects.filter(username="ebill.customer@example.com").exists()


def test_a_registered_users_password_is_not_replaced_by_a_pin(client):
    user = UserFactory(username="regular@example.com", email="regular@example.com")
    EnrollmentFactory(user=user, account=BillingAccountFactory())
    assert login(client, "regular@example.com", DEFAULT_PIN).status_code == 200


def test_registering_with_a_precreated_email_gives_the_seeds_message(register, precreated):
    response = register(email="ebill.customer@example.com")
    html = response.content.decode()
    assert (
        "Email address ebill.customer@example.com is already in use with another account." in html
    )
    assert "CUSTOMERS RECEIVING ELECTRONIC BILLS before Apr2017" in html


def test_spellings_of_the_user_name_share_one_sign_in_pause(client, precreated, settings):
    """Red team: "EBILL5@…", " ebill5@…" and fullwidth "ｅbill5@…" each got their own count."""
    spellings = [
        "EBILL.customer@example.com",
        " ebill.customer@example.com",
        "ｅbill.customer@example.com",
    ]
    for n in range(settings.AXES_FAILURE_LIMIT):
        Client().post(
            url("en", "accounts:login"),
            {"username": spellings[n % 3], "password": "Not-the-password-1"},
        )
    paused = login(Client(), "ebill.customer@example.com", DEFAULT_PIN)
    assert paused.status_code == 429


def test_reset_password_works_for_a_precreated_user(
    client, precreated, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("en", "accounts:password_reset"), {"email": "ebill.customer@example.com"})
    (message,) = mailoutbox
    import re

    path = re.search(r"http://testserver(/en/password-reset/\S+/)", message.body).group(1)
    form = client.get(path, follow=True)
    client.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    precreated.refresh_from_db()
    assert precreated.check_password(NEW) and not precreated.must_change_password


def test_admin_filter_pre_created_never_signed_in(client, precreated):
    from django.urls import reverse
    from django.utils import timezone

    UserFactory(username="signedInBefore", precreated=True, last_login=timezone.now())
    staff_signed_in(client, UserFactory(username="cityStaff", is_staff=True, is_superuser=True))
    html = client.get(
        reverse("admin:accounts_user_changelist"), {"precreated": "never"}
    ).content.decode()
    assert "ebill.customer@example.com" in html and "signedInBefore" not in html


def test_send_legacy_welcome_to_one_or_all(
    precreated, mailoutbox, capsys, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_legacy_welcome", "EBILL.customer@example.com")
    (message,) = mailoutbox
    assert message.to == ["ebill.customer@example.com"]
    assert " / " in message.subject  # both languages
    assert "ebill.customer@example.com" in message.body and "PIN" in message.body
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_legacy_welcome", "--all")
    assert len(mailoutbox) == 2
    with pytest.raises(CommandError):
        call_command("send_legacy_welcome", "nobody@example.com")


def test_precreated_user_state(precreated):
    assert User.objects.get(pk=precreated.pk).precreated


def test_the_password_page_does_not_look_signed_in(client, precreated, pin_sign_in):
    _response, link = pin_sign_in()
    page = client.get(client.get(link)["Location"]).content.decode()
    assert "ebill.customer@example.com" in page
    assert "Logout" not in page and f'href="{url("en", "enrollment:accounts")}"' not in page


def test_signing_in_from_spanish_keeps_the_customer_in_spanish(
    client, precreated, pin_sign_in, mailoutbox
):
    """They never chose a language: the one they sign in with becomes their preference."""
    response, link = pin_sign_in(lang="es")
    assert response["Location"] == url("es", "enrollment:first_signin_sent")
    (message,) = [m for m in mailoutbox if "first_signin_link" in m.tags]
    assert message.extra_headers["Content-Language"] == "es"
    assert link.startswith("/es/")
    opened = client.get(link)
    assert opened["Location"] == url("es", "enrollment:first_signin_password")
    done = client.post(opened["Location"], {"new_password1": NEW, "new_password2": NEW})
    assert done["Location"] == url("es", "enrollment:accounts")
    precreated.refresh_from_db()
    assert precreated.preferred_language == "es"
