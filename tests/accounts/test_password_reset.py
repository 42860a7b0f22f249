"""Reset Password: no enumeration, a single-use link in the user's language, other sessions end."""

import re

import pytest
from django.test import Client

from accounts import messages
from tests.conftest import url
from tests.factories import PendingUserFactory, UserFactory

pytestmark = pytest.mark.django_db

RESET_LINK = re.compile(r"http://testserver(/(en|es)/password-reset/[^/\s]+/[^/\s]+/)")
NEW = "Mesa-Verde-Lantern-77"


@pytest.fixture
def request_reset(client, django_capture_on_commit_callbacks):
    """POST Reset Password, delivering the queued email as a committed request would."""

    def _request(client, email, lang="en"):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url(lang, "accounts:password_reset"), {"email": email})

    return _request


def reset_path(message):
    match = RESET_LINK.search(message.body)
    assert match, message.body
    return match.group(1)


def test_form_asks_for_email_with_autocomplete(client):
    html = client.get(url("en", "accounts:password_reset")).content.decode()
    assert "Email Address" in html and 'autocomplete="email"' in html


@pytest.mark.parametrize(
    "email", ["known@example.com", "unknown@example.com", "pending@example.com"]
)
def test_same_answer_whether_or_not_the_account_exists(client, email, request_reset):
    UserFactory(email="known@example.com")
    PendingUserFactory(email="pending@example.com")
    response = request_reset(client, email)
    assert response.status_code == 302
    assert response["Location"] == url("en", "accounts:password_reset_sent")
    page = client.get(response["Location"])
    assert (messages.PASSWORD_RESET_SENT % {"hours": 2}) in page.content.decode()


def test_only_a_confirmed_user_gets_an_email(client, mailoutbox, request_reset):
    UserFactory(email="known@example.com")
    PendingUserFactory(email="pending@example.com")
    request_reset(client, "unknown@example.com")
    request_reset(client, "pending@example.com")
    assert mailoutbox == []
    request_reset(client, "KNOWN@example.com")
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["known@example.com"]


def test_email_in_users_language_and_link_sets_new_password_once(client, mailoutbox, request_reset):
    user = UserFactory(email="es@example.com", preferred_language="es")
    request_reset(client, "es@example.com")
    (message,) = mailoutbox
    assert message.subject == "Restablezca su clave de PHX Pay Online"
    path = reset_path(message)
    assert path.startswith("/es/")
    form_page = client.get(path, follow=True)
    html = form_page.content.decode()
    assert 'autocomplete="new-password"' in html
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW)
    # The same link cannot be used twice.
    again = Client().get(path, follow=True)
    assert str(messages.PASSWORD_RESET_LINK_INVALID) in again.content.decode()


def test_reset_ends_other_sessions(client, mailoutbox, request_reset):
    user = UserFactory(email="sessions@example.com")
    other = Client()
    other.force_login(user)
    assert other.get(url("en", "accounts:profile")).status_code == 200
    request_reset(client, "sessions@example.com")
    form_page = client.get(reset_path(mailoutbox[0]), follow=True)
    client.post(form_page.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    assert other.get(url("en", "accounts:profile")).status_code == 302


def test_reset_page_does_not_leak_the_token(client, mailoutbox, request_reset):
    UserFactory(email="leak@example.com")
    request_reset(client, "leak@example.com")
    response = client.get(reset_path(mailoutbox[0]))
    assert response.status_code == 302
    assert response["Referrer-Policy"] == "no-referrer"
    form_page = client.get(response["Location"])
    assert "no-store" in form_page["Cache-Control"]
    assert reset_path(mailoutbox[0]).split("/")[-2] not in response["Location"]
