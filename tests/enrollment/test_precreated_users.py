"""Customers on e-bills before April 2017: sign in with the e-bill address and a PIN, then change it."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.management import CommandError, call_command
from django.test import Client

from accounts import messages as account_messages
from accounts.models import User
from tests.conftest import url
from tests.factories import DEFAULT_PIN, BillingAccountFactory, EnrollmentFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW = "Piestewa-Peak-Sunrise-88"


@pytest.fixture
def precreated(db):
    user = UserFactory(
        username="ebill.customer@example.com",
        email="ebill.customer@example.com",
        precreated=True,
        must_change_password=True,
    )
    user.set_unusable_password()
    user.must_change_password = True
    user.save()
    account = BillingAccountFactory(account_number="1234567890", ebill_email=user.email)
    EnrollmentFactory(user=user, account=account)
    return user


def login(client, username, password):
    return client.post(url("en", "accounts:login"), {"username": username, "password": password})


def test_pin_opens_a_session_restricted_to_the_password_change(client, precreated):
    response = login(client, "ebill.customer@example.com", DEFAULT_PIN)
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(precreated.pk)
    for name in ("enrollment:accounts", "accounts:profile", "home", "help"):
        redirected = client.get(url("en", name))
        assert redirected.status_code == 302
        assert redirected["Location"] == url("en", "accounts:password_set_required")
    page = client.get(url("en", "accounts:password_set_required")).content.decode()
    assert (
        "New Password" in page
        and "Confirm New Password" in page
        and ">Change Password</button>" in page
    )
    assert page.count('autocomplete="new-password"') == 2
    assert str(account_messages.PASSWORD_CHANGE_REQUIRED) in page


def test_pin_of_any_held_account_works_and_user_name_case_does_not_matter(client, precreated):
    second = BillingAccountFactory(ebill_email=precreated.email, pin="1357")
    EnrollmentFactory(user=precreated, account=second)
    assert login(client, "EBILL.Customer@example.com", "1357").status_code == 302


def test_after_the_change_the_pin_never_works_again(client, precreated):
    login(client, "ebill.customer@example.com", DEFAULT_PIN)
    session_before = client.session.session_key
    response = client.post(
        url("en", "accounts:password_set_required"), {"new_password1": NEW, "new_password2": NEW}
    )
    assert response.status_code == 302
    assert client.session.session_key != session_before  # rotated at the privilege change
    assert client.get(url("en", "enrollment:accounts")).status_code == 200
    precreated.refresh_from_db()
    assert not precreated.must_change_password and precreated.check_password(NEW)
    client.post(url("en", "accounts:logout"))
    failed = login(Client(), "ebill.customer@example.com", DEFAULT_PIN)
    assert failed.status_code == 200
    assert str(account_messages.LOGIN_FAILED) in failed.content.decode()
    assert login(Client(), "ebill.customer@example.com", NEW).status_code == 302


def test_new_password_follows_the_registration_rules(client, precreated):
    login(client, "ebill.customer@example.com", DEFAULT_PIN)
    response = client.post(
        url("en", "accounts:password_set_required"),
        {"new_password1": "short", "new_password2": "short"},
    )
    assert response.status_code == 200
    precreated.refresh_from_db()
    assert precreated.must_change_password


def test_wrong_pin_gets_the_generic_error_and_counts_toward_the_account_lockout(client, precreated):
    from enrollment.models import BillingAccount

    response = login(client, "ebill.customer@example.com", "0000")
    assert str(account_messages.LOGIN_FAILED) in response.content.decode()
    assert BillingAccount.objects.get(account_number="1234567890").failed_pin_attempts == 1
    for _ in range(4):
        login(client, "ebill.customer@example.com", "0000")
    account = BillingAccount.objects.get(account_number="1234567890")
    assert account.is_locked()
    # While locked, even the right PIN does not sign in.
    assert login(Client(), "ebill.customer@example.com", DEFAULT_PIN).status_code == 200


def test_wrong_pins_count_toward_the_login_throttle(client, precreated, settings):
    from axes.models import AccessAttempt

    login(client, "ebill.customer@example.com", "0000")
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
    client.force_login(UserFactory(username="cityStaff", is_staff=True, is_superuser=True))
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
