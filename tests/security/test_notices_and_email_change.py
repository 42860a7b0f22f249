"""Requirement 5: security notices by email in the recipient's language, never carrying a secret;
changing the email address needs the password and a link opened by the signed-in owner.
"""

import re

import pytest
from django.test import Client
from django.utils import translation

from accounts import messages
from accounts.models import EmailChange
from enrollment.models import Invitation
from tests.conftest import url
from tests.factories import (
    DEFAULT_PASSWORD,
    DEFAULT_PIN,
    BillingAccountFactory,
    EnrollmentFactory,
    UserFactory,
)
from tests.security.conftest import signed_in

pytestmark = pytest.mark.django_db

NEW = "Camelback-Summit-Trail-19"


def whole_text(message) -> str:
    """Subject, every header and every part, decoded."""
    html = "".join(content for content, _type in message.alternatives)
    return "\n".join([message.message().as_string(), message.subject, message.body, html])


def notices(mailoutbox):
    return [m for m in mailoutbox if any(t.startswith("notice_") for t in getattr(m, "tags", []))]


def assert_notice(message, *, to, lang, subject_msgid, secrets=(), **params):
    assert message.to == [to]
    assert message.extra_headers["Content-Language"] == lang
    with translation.override(lang):
        assert message.subject == translation.gettext(subject_msgid) % params
    assert f'lang="{lang}"' in message.alternatives[0][0]
    text = whole_text(message)
    for secret in secrets:
        assert secret not in text


@pytest.mark.parametrize("lang", ["en", "es"])
def test_password_change_notice(mailing, mailoutbox, lang):
    user = UserFactory(preferred_language=lang)
    client = signed_in(user)
    with mailing():
        response = client.post(
            url("en", "accounts:password_change"),
            {"old_password": DEFAULT_PASSWORD, "new_password1": NEW, "new_password2": NEW},
        )
    assert response.status_code == 302
    (notice,) = notices(mailoutbox)
    assert_notice(
        notice,
        to=user.email,
        lang=lang,
        subject_msgid="PHX Pay Online: your password was changed",
        secrets=[NEW, DEFAULT_PASSWORD, user.password],
    )


def test_password_reset_notice_has_neither_token_nor_password(mailing, mailoutbox):
    user = UserFactory(preferred_language="es")
    browser = Client()
    with mailing():
        browser.post(url("en", "accounts:password_reset"), {"email": user.email})
    (link_email,) = mailoutbox
    link = re.search(r"http://testserver(/\S+/)", link_email.body).group(1)
    token = link.rstrip("/").split("/")[-1]
    form = browser.get(link, follow=True)
    with mailing():
        browser.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    (notice,) = notices(mailoutbox)
    assert_notice(
        notice,
        to=user.email,
        lang="es",
        subject_msgid="PHX Pay Online: your password was reset",
        secrets=[NEW, token, DEFAULT_PASSWORD],
    )


def request_change(client, new_email, password=DEFAULT_PASSWORD, lang="en"):
    return client.post(
        url(lang, "accounts:email_change"), {"new_email": new_email, "current_password": password}
    )


def change_link(mailoutbox) -> tuple[str, str]:
    (message,) = [m for m in mailoutbox if "email_change" in getattr(m, "tags", [])]
    path = re.search(r"http://testserver(/\S+/)", message.body).group(1)
    return path, path.rstrip("/").split("/")[-1]


def test_email_change_needs_the_current_password(mailing, mailoutbox):
    user = UserFactory()
    client = signed_in(user)
    with mailing():
        response = request_change(client, "new.address@example.com", password="wrong-password")
    assert response.status_code == 200
    assert "Your current password is not correct." in response.content.decode()
    assert not EmailChange.objects.exists()
    assert mailoutbox == []


def test_email_change_request_mails_a_link_to_the_new_address_and_a_notice_to_the_old(
    mailing, mailoutbox
):
    user = UserFactory(email="old.address@example.com", preferred_language="es")
    client = signed_in(user)
    with mailing():
        response = request_change(client, "new.address@example.com")
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.email == "old.address@example.com"  # nothing changes before the link is opened
    path, token = change_link(mailoutbox)
    (link_email,) = [m for m in mailoutbox if m.to == ["new.address@example.com"]]
    assert link_email.extra_headers["Content-Language"] == "es"
    (notice,) = notices(mailoutbox)
    assert_notice(
        notice,
        to="old.address@example.com",
        lang="es",
        subject_msgid="PHX Pay Online: a new email address was requested",
        secrets=[token, DEFAULT_PASSWORD],
    )
    assert "new.address@example.com" in notice.body
    # Only a digest of the link's token is stored.
    assert token not in str(EmailChange.objects.values_list().get())


@pytest.fixture
def pending_change(mailing, mailoutbox):
    user = UserFactory(email="old.address@example.com")
    client = signed_in(user)
    with mailing():
        request_change(client, "new.address@example.com")
    path, token = change_link(mailoutbox)
    mailoutbox.clear()
    return user, client, path, token


def test_the_link_changes_the_address_and_both_addresses_are_told(
    pending_change, mailing, mailoutbox
):
    user, client, path, token = pending_change
    page = client.get(path, follow=True)
    assert page.status_code == 200
    with mailing():
        response = client.post(page.redirect_chain[-1][0])
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.email == "new.address@example.com"
    sent = notices(mailoutbox) + [
        m for m in mailoutbox if "email_change_undo" in getattr(m, "tags", [])
    ]
    assert sorted(m.to[0] for m in sent) == ["new.address@example.com", "old.address@example.com"]
    for message in sent:
        assert_notice(
            message,
            to=message.to[0],
            lang="en",
            subject_msgid="PHX Pay Online: your email address was changed",
            secrets=[token, DEFAULT_PASSWORD],
        )
    (to_old,) = [m for m in sent if m.to == ["old.address@example.com"]]
    assert "/profile/email/undo/" in to_old.body  # the way back, for 7 days


def test_the_link_is_single_use(pending_change, mailing):
    user, client, path, _token = pending_change
    page = client.get(path, follow=True)
    with mailing():
        client.post(page.redirect_chain[-1][0])
    again = client.get(path)
    assert again.status_code == 404
    assert str(messages.EMAIL_CHANGE_LINK_INVALID) in again.content.decode()
    assert client.post(url("en", "accounts:email_change_confirm")).status_code == 404


def test_the_link_works_only_for_its_signed_in_owner(pending_change, mailing, mailoutbox):
    user, _client, path, _token = pending_change
    intruder = signed_in(UserFactory(email="intruder@example.com"))
    page = intruder.get(path, follow=True)
    assert page.status_code == 404
    with mailing():
        assert intruder.post(page.redirect_chain[-1][0]).status_code == 404
    anonymous = Client()
    response = anonymous.get(path, follow=True)
    assert response.redirect_chain[-1][0].startswith(url("en", "accounts:login"))
    user.refresh_from_db()
    assert user.email == "old.address@example.com"
    assert EmailChange.objects.filter(user=user).exists()
    assert mailoutbox == []


def test_an_address_taken_meanwhile_is_refused_at_confirmation(pending_change, mailing):
    user, client, path, _token = pending_change
    UserFactory(email="NEW.address@example.com")
    page = client.get(path, follow=True)
    response = client.post(page.redirect_chain[-1][0])
    assert response.status_code == 409
    user.refresh_from_db()
    assert user.email == "old.address@example.com"


@pytest.mark.parametrize("lang", ["en", "es"])
def test_enrolled_and_removed_notices_go_to_the_user(mailing, mailoutbox, lang):
    user = UserFactory(preferred_language=lang)
    account = BillingAccountFactory(account_number="7000001357")
    client = signed_in(user)
    with mailing():
        client.post(
            url("en", "enrollment:enroll"),
            {"account_number": account.account_number, "pin": DEFAULT_PIN},
        )
    (added,) = notices(mailoutbox)
    assert_notice(
        added,
        to=user.email,
        lang=lang,
        subject_msgid="PHX Pay Online: account …%(last4)s was added to your list",
        last4="1357",
        secrets=[DEFAULT_PIN, account.pin_hash, account.account_number],
    )
    mailoutbox.clear()
    with mailing():
        client.post(url("en", "enrollment:remove", account_id=account.pk))
    (removed,) = notices(mailoutbox)
    assert_notice(
        removed,
        to=user.email,
        lang=lang,
        subject_msgid="PHX Pay Online: account …%(last4)s was removed from your list",
        last4="1357",
        secrets=[DEFAULT_PIN, account.pin_hash, account.account_number],
    )


def test_invitation_accepted_notice_goes_to_the_holder_in_the_holders_language(mailing, mailoutbox):
    holder = EnrollmentFactory(
        user=UserFactory(preferred_language="es"),
        account=BillingAccountFactory(account_number="7000008642"),
    )
    guest = UserFactory(first_name="Rosa", last_name="Valdez", preferred_language="en")
    with mailing():
        signed_in(holder.user).post(
            url("en", "enrollment:invite", account_id=holder.account_id),
            {"email": guest.email, "role": "view"},
        )
    mailoutbox.clear()
    with mailing():
        Client().post(
            url("en", "accounts:login"), {"username": guest.username, "password": DEFAULT_PASSWORD}
        )
    assert Invitation.objects.get().accepted_by == guest
    (message,) = [m for m in mailoutbox if "invitation_accepted" in getattr(m, "tags", [])]
    assert message.to == [holder.user.email]
    assert message.extra_headers["Content-Language"] == "es"
    with translation.override("es"):
        expected = translation.gettext(
            "PHX Pay Online: your invitation to account …%(last4)s was accepted"
        ) % {"last4": "8642"}
    assert message.subject == expected
    text = whole_text(message)
    for secret in (DEFAULT_PASSWORD, DEFAULT_PIN, holder.account.account_number):
        assert secret not in text
