"""The red team's smaller findings, each reproduced and now refused.

The two high findings (PIN guessing across accounts, pre-created users' PIN sign-in) have their own
files: tests/enrollment/test_guessing.py and tests/enrollment/test_precreated_users.py.
"""

import importlib.util
import re
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import messages as account_messages
from accounts.models import EmailChangeUndo, User
from accounts.validators import EMAIL_UNSTABLE, NAME_INVALID, USERNAME_ASCII
from enrollment import messages as enrollment_messages
from enrollment.models import BillingAccount, Invitation
from phxpay.models import AuditEvent
from tests.conftest import staff_signed_in, url
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


def register(client, **overrides):
    data = {
        "username": "newCustomer1",
        "first_name": "William",
        "last_name": "Sample",
        "email": "new.customer@example.com",
        "confirm_email": "new.customer@example.com",
        **overrides,
    }
    if "email" in overrides and "confirm_email" not in overrides:
        data["confirm_email"] = overrides["email"]
    return client.post(url("en", "accounts:register"), data)


# Attacker text in official emails ---------------------------------------------------------------


@pytest.mark.parametrize(
    "first_name",
    [
        "Customer. FINAL NOTICE: your water is shut off today. Pay now at https://phx-pay.example/x",
        "Visit evil.example",
        "Pay 500 dollars",
        "William\nBcc: x@example.com",
        "W" * 51,
        "William <b>",
    ],
)
def test_names_that_could_carry_a_message_are_refused(client, first_name):
    response = register(client, first_name=first_name)
    assert response.status_code == 200
    assert str(NAME_INVALID) in response.content.decode()
    assert not User.objects.filter(username="newCustomer1").exists()


@pytest.mark.parametrize("name", ["José", "Nguyễn Văn", "O'Brien", "Mary-Jane", "J. R.", "李"])
def test_real_names_in_any_script_are_accepted(client, name):
    assert register(client, first_name=name, last_name=name).status_code == 302


def test_user_profile_applies_the_same_name_rule(signed_in_client, user):
    response = signed_in_client.post(
        url("en", "accounts:profile"),
        {
            "first_name": "Pay at www.evil.example",
            "last_name": "Sample",
            "preferred_language": "en",
        },
    )
    assert str(NAME_INVALID) in response.content.decode()
    user.refresh_from_db()
    assert user.first_name == "William"


# Look-alike addresses and names ----------------------------------------------------------------


@pytest.mark.parametrize(
    "email",
    [
        "\u212aelly@example.com",  # KELVIN SIGN, which lower-cases to "k"
        "ｍary@example.com",  # fullwidth m
        "stra\u00dfe@example.com",  # ß folds to "ss"
    ],
)
def test_addresses_that_fold_into_another_are_refused(client, email):
    response = register(client, email=email)
    assert str(EMAIL_UNSTABLE) in response.content.decode()
    assert not User.objects.filter(username="newCustomer1").exists()


def test_the_kelvin_sign_cannot_squat_a_registered_address(client, mailoutbox):
    UserFactory(email="kelly@example.com")
    register(client, email="\u212aelly@example.com")
    assert User.objects.filter(email__lower="kelly@example.com").count() == 1


@pytest.mark.parametrize("username", ["\u0430lice01", "ａlice01", "alice\u00a001"])
def test_user_names_must_be_ascii(client, username):
    response = register(client, username=username)
    assert str(USERNAME_ASCII) in response.content.decode()
    assert not User.objects.filter(email="new.customer@example.com").exists()


@pytest.mark.parametrize("number, pin", [("١٢٣٤٥٦٧٨٩٠", DEFAULT_PIN), ("1234567890", "٥٨٢١")])
def test_account_numbers_and_pins_must_be_ascii_digits(signed_in_client, user, number, pin):
    BillingAccountFactory(account_number="1234567890")
    response = signed_in_client.post(
        url("en", "enrollment:enroll"), {"account_number": number, "pin": pin}
    )
    html = response.content.decode()
    assert str(enrollment_messages.ACCOUNT_NUMBER_FORMAT) in html or (
        str(enrollment_messages.PIN_FORMAT) in html
    )
    assert not user.enrollments.exists()


# Invitations die with the inviter's access -----------------------------------------------------


def invite(holding, email="guest@example.com"):
    return Invitation.objects.create(
        account=holding.account,
        invited_by=holding.user,
        email=email,
        expires_at=timezone.now() + timezone.timedelta(days=14),
    )


def test_a_holder_who_removes_the_account_takes_their_open_invitations_with_them(holding):
    other_holder = EnrollmentFactory(account=holding.account)
    mine, theirs = invite(holding), invite(other_holder, "friend@example.com")
    signed_in(holding.user).post(url("en", "enrollment:remove", account_id=holding.account_id))
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.revoked_at is not None
    assert theirs.revoked_at is None  # someone still holds the account and invited them


def test_when_nobody_holds_the_account_every_open_invitation_dies(holding):
    manager = EnrollmentFactory(account=holding.account, role="manage")
    waiting = invite(holding)
    signed_in(holding.user).post(url("en", "enrollment:remove", account_id=holding.account_id))
    waiting.refresh_from_db()
    assert waiting.revoked_at is not None
    # The manage guest keeps their own access; the dead invitation gives nobody anything.
    guest = UserFactory(email="guest@example.com")
    Client().post(
        url("en", "accounts:login"), {"username": guest.username, "password": DEFAULT_PASSWORD}
    )
    assert not guest.enrollments.exists()
    assert manager.user.enrollments.exists()


def test_an_invitation_whose_inviter_lost_access_is_not_accepted(holding):
    waiting = invite(holding)
    holding.delete()  # e.g. staff removed the holder in the admin
    guest = UserFactory(email="guest@example.com")
    Client().post(
        url("en", "accounts:login"), {"username": guest.username, "password": DEFAULT_PASSWORD}
    )
    waiting.refresh_from_db()
    assert not guest.enrollments.exists() and waiting.revoked_at is not None


# The billing (e-bill) address ------------------------------------------------------------------


def test_a_holders_billing_email_change_is_told_to_the_old_address_and_every_holder(
    holding, mailing, mailoutbox
):
    BillingAccount.objects.filter(pk=holding.account_id).update(ebill_email="old.bills@example.com")
    co_holder = EnrollmentFactory(
        account=holding.account, user=UserFactory(preferred_language="es")
    )
    with mailing():
        signed_in(holding.user).post(
            url("en", "enrollment:settings", account_id=holding.account_id),
            {"nickname": "", "paperless": "on", "ebill_email": "new.bills@example.com"},
        )
    holding.account.refresh_from_db()
    assert holding.account.ebill_email == "new.bills@example.com"
    told = {m.to[0]: m for m in mailoutbox if "billing_email_changed" in m.tags}
    assert set(told) == {"old.bills@example.com", holding.user.email, co_holder.user.email}
    assert told[co_holder.user.email].extra_headers["Content-Language"] == "es"
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.BILLING_EMAIL_CHANGED).count() == 1


# Email change: undo from the old address -------------------------------------------------------


def change_email(client, mailing, mailoutbox, new_email):
    with mailing():
        client.post(
            url("en", "accounts:email_change"),
            {"new_email": new_email, "current_password": DEFAULT_PASSWORD},
        )
    (message,) = [m for m in mailoutbox if "email_change" in m.tags]
    link = re.search(r"http://testserver(/\S+/)", message.body).group(1)
    with mailing():
        client.post(client.get(link)["Location"])


def test_the_old_address_can_undo_an_email_change_and_lock_the_changer_out(
    user, mailing, mailoutbox
):
    old = user.email
    attacker = signed_in(user)
    change_email(attacker, mailing, mailoutbox, "attacker@example.com")
    user.refresh_from_db()
    assert user.email == "attacker@example.com"
    (notice,) = [m for m in mailoutbox if "email_change_undo" in m.tags]
    assert notice.to == [old]
    undo_link = re.search(r"http://testserver(/\S+/undo/\S+/)", notice.body).group(1)
    assert EmailChangeUndo.objects.get(user=user).token_hash not in notice.body
    mailoutbox.clear()
    owner = Client()
    page = owner.get(owner.get(undo_link)["Location"])
    assert "attacker@example.com" in page.content.decode()
    with mailing():
        done = owner.post(url("en", "accounts:email_change_undo"))
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.email == old
    assert not user.has_usable_password()  # the attacker's password stopped working
    assert attacker.get(url("en", "enrollment:accounts")).status_code == 302  # signed out
    (reset,) = [m for m in mailoutbox if "password_reset" in m.tags]
    assert reset.to == [old]
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.EMAIL_CHANGE_UNDONE, user=user).exists()
    # The link works once.
    assert Client().get(undo_link).status_code == 404


def test_the_undo_link_expires_after_7_days(user, mailing, mailoutbox):
    change_email(signed_in(user), mailing, mailoutbox, "moved@example.com")
    (notice,) = [m for m in mailoutbox if "email_change_undo" in m.tags]
    undo_link = re.search(r"http://testserver(/\S+/undo/\S+/)", notice.body).group(1)
    EmailChangeUndo.objects.update(created_at=timezone.now() - timezone.timedelta(days=7, hours=1))
    response = Client().get(undo_link)
    assert response.status_code == 404
    assert (account_messages.EMAIL_UNDO_LINK_INVALID % {"days": 7}) in response.content.decode()


# Requests nobody should be able to turn into a 500 ---------------------------------------------


def test_only_the_configured_esps_webhook_is_served(client, settings):
    assert settings.EMAIL_ESP == "postmark"
    assert client.post("/anymail/postmark/tracking/").status_code in (400, 401, 403)
    for esp in ("mailgun", "sendgrid", "amazon_ses", "mandrill", "sparkpost", "resend"):
        for kind in ("tracking", "inbound"):
            assert client.post(f"/anymail/{esp}/{kind}/").status_code == 404, esp
    assert client.post("/anymail/postmark/inbound/").status_code == 404


@pytest.mark.parametrize("path", ["/en/?q=%00", "/en/login/%00/", "/en/help/?email=a%00b"])
def test_a_nul_character_anywhere_is_a_400(client, path):
    assert client.get(path).status_code == 400


def test_a_nul_character_in_a_form_is_a_400_and_changes_nothing(client):
    response = client.post(
        url("en", "accounts:register"),
        "username=nul%00user&first_name=A&last_name=B&email=a%40example.com&confirm_email=a%40example.com",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert not User.objects.exists()


@pytest.mark.parametrize(
    "query",
    ["email=%00", "created_at__year=99999", "date_joined__year=0", "at__month=13", "at__day=x"],
)
def test_admin_filters_refuse_nul_and_impossible_dates(query):
    staff = staff_signed_in(Client(), UserFactory(is_staff=True, is_superuser=True))
    for name in (
        "admin:accounts_user_changelist",
        "admin:phxpay_auditevent_changelist",
        "admin:enrollment_invitation_changelist",
    ):
        assert staff.get(f"{reverse(name)}?{query}").status_code == 400, (name, query)


def test_pre_created_users_with_quote_or_percent_can_be_edited_in_the_admin():
    staff = staff_signed_in(Client(), UserFactory(is_staff=True, is_superuser=True))
    for address in ("o'neil@example.com", "100%pure@example.com"):
        user = PrecreatedUserFactory(username=address, email=address)
        change = reverse("admin:accounts_user_change", args=[user.pk])
        page = staff.get(change)
        assert page.status_code == 200
        form = {
            "username": address,
            "first_name": "Rosa",
            "last_name": "Valdez",
            "email": address,
            "preferred_language": "es",
            "is_active": "on",
            "precreated": "on",
            "must_change_password": "on",
            "date_joined_0": "2017-03-30",
            "date_joined_1": "08:00:00",
            # The customer page's read-only billing accounts (enrollment.admin.CustomerAdmin).
            "enrollments-TOTAL_FORMS": "0",
            "enrollments-INITIAL_FORMS": "0",
        }
        response = staff.post(change, form)
        assert response.status_code == 302, response.content.decode()[:3000]
        user.refresh_from_db()
        assert user.preferred_language == "es"


def test_junk_confirmation_links_create_no_session(client):
    for n in range(5):
        response = client.get(url("en", "accounts:confirm_link", token=f"junk-token-{n}" * 3))
        assert response.status_code == 404
    assert Session.objects.count() == 0


def _gunicorn_config():
    spec = importlib.util.spec_from_file_location(
        "gunicorn_conf", Path(__file__).resolve().parents[2] / "gunicorn.conf.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    "path",
    [
        "/en/register/%63onfirm/SECRET-TOKEN/",
        "/en/register%2Fconfirm/SECRET-TOKEN/",
        "/es/profile/email/%63onfirm/SECRET-TOKEN/",
        "/en/profile/email/undo/SECRET-TOKEN/",
        "/en/accounts/first-sign-in/SECRET-TOKEN/",
        "/en/accounts/first-sign-in/%53ECRET-TOKEN/",
    ],
)
def test_the_access_log_redacts_tokens_on_the_decoded_path(path):
    assert "SECRET-TOKEN" not in _gunicorn_config().redact_uri(path)
    assert "ECRET-TOKEN" not in _gunicorn_config().redact_uri(path)


def test_a_percent_encoded_link_still_reaches_its_view(client):
    """Why the log must decode: Django routes the decoded path."""
    response = client.get("/en/register/%63onfirm/some-token/")
    assert response.status_code == 404  # the token view's "not valid" page, not a missing URL
    assert str(account_messages.CONFIRMATION_NOT_FOUND) in response.content.decode()
