"""Requirement 6: the audit log records who did what from where, never a secret, and is append-only."""

import json
import re
from datetime import timedelta
from unittest import mock

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from accounts.tokens import new_token
from enrollment.models import Invitation
from phxpay.models import AuditEvent
from tests.conftest import staff_signed_in, url
from tests.factories import (
    BillingAccountFactory,
    EnrollmentFactory,
    PendingUserFactory,
    PrecreatedUserFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

Kind = AuditEvent.Kind
IP = "198.51.100.23"
AGENT = "PHX-Security-Suite/1.0 (audit)"
PASSWORD = "Sonoran-Secret-Pass-771"
NEW_PASSWORD = "Sonoran-Secret-New-772"
WRONG_PASSWORD = "Sonoran-Wrong-Guess-773"
PIN = "8135"
WRONG_PIN = "5318"


def browser(user=None):
    client = Client(REMOTE_ADDR=IP, HTTP_USER_AGENT=AGENT)
    if user is not None:
        client.force_login(user)
    return client


def events(kind):
    return list(AuditEvent.objects.filter(kind=kind))


def assert_attributed(event, user=None, username=None):
    assert event.ip == IP
    assert event.user_agent == AGENT
    if user is not None:
        assert event.user == user
        assert event.username == user.username
    if username is not None:
        assert event.username == username


def admin_url(name, *args):
    with translation.override("en"):
        return reverse(f"admin:{name}", args=args)


def test_sign_in_success_failure_and_lockout(settings):
    user = UserFactory(password=PASSWORD)
    client = browser()
    client.post(url("en", "accounts:login"), {"username": user.username, "password": PASSWORD})
    (ok,) = events(Kind.LOGIN_SUCCEEDED)
    assert_attributed(ok, user=user)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        browser().post(
            url("en", "accounts:login"), {"username": user.username, "password": WRONG_PASSWORD}
        )
    failed = events(Kind.LOGIN_FAILED)
    assert len(failed) == settings.AXES_FAILURE_LIMIT
    for event in failed:
        assert_attributed(event, username=user.username)
    (locked,) = events(Kind.LOGIN_LOCKED_OUT)
    # The pause is kept under the one spelling every sign-in path counts (phxpay.ratelimit).
    assert_attributed(locked, username=user.username.lower())


def test_logout_is_recorded(user):
    client = browser(user)
    client.post(url("en", "accounts:logout"))
    (event,) = events(Kind.LOGGED_OUT)
    assert_attributed(event, user=user)


def test_pin_failures_and_lockout(user):
    account = BillingAccountFactory(account_number="8000000001", pin=PIN)
    client = browser(user)
    for _ in range(5):
        client.post(
            url("en", "enrollment:enroll"),
            {
                "account_number": account.account_number,
                "pin": WRONG_PIN,
                "service_zip": account.service_zip,
                "house_number": account.house_number,
            },
        )
    failures = events(Kind.PIN_FAILED)
    assert len(failures) == 5
    for event in failures:
        assert_attributed(event, user=user)
        assert event.detail["account"] == "****0001"
    (lockout,) = events(Kind.PIN_LOCKOUT)
    assert lockout.ip == IP and lockout.detail["account_id"] == account.pk


def test_the_per_user_pin_block_is_recorded(user):
    from enrollment import guessing
    from enrollment.models import PinFailure

    PinFailure.objects.bulk_create(
        PinFailure(at=timezone.now(), user=user, network="203.0.113.0/24")
        for _ in range(guessing.WRONG_PINS_PER_USER_PER_HOUR)
    )
    client = browser(user)
    account = BillingAccountFactory(pin=PIN)
    client.post(
        url("en", "enrollment:enroll"),
        {
            "account_number": account.account_number,
            "pin": PIN,
            "service_zip": account.service_zip,
            "house_number": account.house_number,
        },
    )
    assert not user.enrollments.exists()  # the block held
    (blocked,) = events(Kind.PIN_USER_BLOCKED)
    assert_attributed(blocked, user=user)


def test_password_change_and_reset(mailing, mailoutbox):
    user = UserFactory(password=PASSWORD)
    browser(user).post(
        url("en", "accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    (changed,) = events(Kind.PASSWORD_CHANGED)
    assert_attributed(changed, user=user)
    client = browser()
    with mailing():
        client.post(url("en", "accounts:password_reset"), {"email": user.email})
    (requested,) = events(Kind.PASSWORD_RESET_REQUESTED)
    assert_attributed(requested, user=user)
    link = re.search(r"http://testserver(/\S+/)", mailoutbox[0].body).group(1)
    form = client.get(link, follow=True)
    client.post(form.redirect_chain[-1][0], {"new_password1": PASSWORD, "new_password2": PASSWORD})
    (reset,) = events(Kind.PASSWORD_RESET)
    assert_attributed(reset, user=user)


def test_email_change_requested_and_done(mailing, mailoutbox):
    user = UserFactory(password=PASSWORD)
    client = browser(user)
    with mailing():
        client.post(
            url("en", "accounts:email_change"),
            {"new_email": "moved@example.com", "current_password": PASSWORD},
        )
    (requested,) = events(Kind.EMAIL_CHANGE_REQUESTED)
    assert_attributed(requested, user=user)
    (message,) = [m for m in mailoutbox if m.to == ["moved@example.com"]]
    page = client.get(re.search(r"http://testserver(/\S+/)", message.body).group(1), follow=True)
    client.post(page.redirect_chain[-1][0])
    (changed,) = events(Kind.EMAIL_CHANGED)
    assert_attributed(changed, user=user)


def test_enrollment_and_removal(user):
    account = BillingAccountFactory(account_number="8000000002", pin=PIN)
    client = browser(user)
    client.post(
        url("en", "enrollment:enroll"), {"account_number": account.account_number, "pin": PIN}
    )
    (enrolled,) = events(Kind.ENROLLED)
    assert_attributed(enrolled, user=user)
    assert enrolled.detail["account_id"] == account.pk
    client.post(url("en", "enrollment:remove", account_id=account.pk))
    (removed,) = events(Kind.ENROLLMENT_REMOVED)
    assert_attributed(removed, user=user)


def test_invitation_sent_and_accepted(user):
    holding = EnrollmentFactory(user=user)
    guest = UserFactory(password=PASSWORD)
    browser(user).post(
        url("en", "enrollment:invite", account_id=holding.account_id),
        {"email": guest.email, "role": "view"},
    )
    (sent,) = events(Kind.INVITATION_SENT)
    assert_attributed(sent, user=user)
    browser().post(url("en", "accounts:login"), {"username": guest.username, "password": PASSWORD})
    (accepted,) = events(Kind.INVITATION_ACCEPTED)
    assert_attributed(accepted, user=guest)


def test_invitation_revoked_names_the_holder(user):
    holding = EnrollmentFactory(user=user)
    client = browser(user)
    client.post(
        url("en", "enrollment:invite", account_id=holding.account_id),
        {"email": "guest@example.com", "role": "view"},
    )
    invitation = holding.account.invitations.get()
    client.post(
        url(
            "en",
            "enrollment:invitation_revoke",
            account_id=holding.account_id,
            invitation_id=invitation.pk,
        )
    )
    (revoked,) = events(Kind.INVITATION_REVOKED)
    assert_attributed(revoked, user=user)


def staff_browser():
    staff = UserFactory(username="auditStaff", is_staff=True, is_superuser=True)
    return staff, staff_signed_in(browser(), staff)


def test_a_change_in_the_admin_is_a_staff_action():
    staff, client = staff_browser()
    account = BillingAccountFactory(account_number="8000000003", pin=PIN)
    response = client.post(
        admin_url("enrollment_billingaccount_change", account.pk),
        {
            "account_number": account.account_number,
            "first_name": "Rosa",
            "last_name": "Valdez",
            "service_address": account.service_address,
            "ebill_email": "",
            "balance": "10.00",
            "due_date": "",
            "new_pin": "9753",
            "enrollments-TOTAL_FORMS": "0",
            "enrollments-INITIAL_FORMS": "0",
            "enrollments-MIN_NUM_FORMS": "0",
            "enrollments-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    (action,) = events(Kind.STAFF_ACTION)
    assert_attributed(action, user=staff)
    assert action.detail["action"] == "change"
    assert action.detail["object"] == f"enrollment.billingaccount:{account.pk}"
    assert "9753" not in json.dumps(action.detail)


def changelist_action(client, model: str, action: str, obj):
    return client.post(
        admin_url(f"{model}_changelist"), {"action": action, "_selected_action": [obj.pk]}
    )


def test_admin_actions_are_attributed_to_the_staff_member(mailing):
    staff, client = staff_browser()
    account = BillingAccountFactory(locked_until=timezone.now() + timedelta(hours=1))
    changelist_action(client, "enrollment_billingaccount", "unlock", account)
    account.refresh_from_db()
    assert account.locked_until is None
    (unlocked,) = events(Kind.ACCOUNT_UNLOCKED)
    assert_attributed(unlocked, user=staff)
    holding = EnrollmentFactory()
    invitation = Invitation.objects.create(
        account=holding.account,
        invited_by=holding.user,
        email="guest@example.com",
        expires_at=timezone.now() + timedelta(days=1),
    )
    changelist_action(client, "enrollment_invitation", "revoke", invitation)
    pending = PendingUserFactory(confirmation_sent_at=timezone.now())
    with mailing():
        changelist_action(client, "accounts_user", "resend_confirmation", pending)
    actions = events(Kind.STAFF_ACTION)
    assert {event.detail["object"] for event in actions} == {
        f"enrollment.billingaccount:{account.pk}",
        f"enrollment.invitation:{invitation.pk}",
        f"accounts.user:{pending.pk}",
    }
    for event in actions:
        assert_attributed(event, user=staff)


def test_retrying_failed_emails_is_a_staff_action():
    staff, client = staff_browser()
    outbound = apps.get_model("phxpay", "OutboundEmail").objects.create(
        kind="security_notice",
        params={"user_id": staff.pk, "event": "password_changed"},
        status="failed",
    )
    changelist_action(client, "phxpay_outboundemail", "retry", outbound)
    (event,) = events(Kind.STAFF_ACTION)
    assert_attributed(event, user=staff)


def row_texts(model) -> list[str]:
    texts = []
    for row in model.objects.values():
        row.pop("at", None)  # a timestamp's digits are not a secret
        texts.append(json.dumps(row, default=str))
    return texts


def test_no_password_pin_or_token_is_ever_logged(settings, mailing, mailoutbox):
    """A whole journey with distinctive secrets; then every log row is searched for them."""
    # Registration with its emailed token, confirmation, sign-in with typos.
    token, digest = new_token()
    PendingUserFactory(
        username="auditUser",
        email="audit.user@example.com",
        confirmation_token_hash=digest,
        confirmation_sent_at=timezone.now(),
    )
    client = browser()
    client.get(url("en", "accounts:confirm_link", token=token))
    client.post(
        url("en", "accounts:confirm"),
        {
            "username": "auditUser",
            "email": "audit.user@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    client.post(url("en", "accounts:login"), {"username": "auditUser", "password": WRONG_PASSWORD})
    client.post(url("en", "accounts:login"), {"username": "auditUser", "password": PASSWORD})
    # PINs: a wrong one, then the right one.
    account = BillingAccountFactory(account_number="8000000004", pin=PIN)
    for pin in (WRONG_PIN, PIN):
        client.post(
            url("en", "enrollment:enroll"),
            {
                "account_number": account.account_number,
                "pin": pin,
                "service_zip": account.service_zip,
                "house_number": account.house_number,
            },
        )
    # Email change with its token.
    with mailing():
        client.post(
            url("en", "accounts:email_change"),
            {"new_email": "audit.moved@example.com", "current_password": PASSWORD},
        )
    change_link = re.search(
        r"http://testserver(/\S+/)",
        next(m for m in mailoutbox if m.to == ["audit.moved@example.com"]).body,
    ).group(1)
    page = client.get(change_link, follow=True)
    client.post(page.redirect_chain[-1][0])
    # Password change, then a reset with its token.
    client.post(
        url("en", "accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    with mailing():
        browser().post(url("en", "accounts:password_reset"), {"email": "audit.moved@example.com"})
    reset_link = re.search(r"http://testserver(/\S+/)", mailoutbox[-1].body).group(1)
    reset = browser()
    form = reset.get(reset_link, follow=True)
    reset.post(form.redirect_chain[-1][0], {"new_password1": PASSWORD, "new_password2": PASSWORD})
    # A pre-created user's PIN sign-in.
    precreated = PrecreatedUserFactory(username="audit.ebill@example.com")
    EnrollmentFactory(user=precreated, account=BillingAccountFactory(pin=PIN))
    for pin in (WRONG_PIN, PIN):
        browser().post(
            url("en", "accounts:login"), {"username": "audit.ebill@example.com", "password": pin}
        )

    secrets = {
        "password": PASSWORD,
        "new password": NEW_PASSWORD,
        "wrong password": WRONG_PASSWORD,
        "PIN": PIN,
        "wrong PIN": WRONG_PIN,
        "confirmation token": token,
        "email change token": change_link.rstrip("/").split("/")[-1],
        "reset token": reset_link.rstrip("/").split("/")[-1],
    }
    kinds = set(AuditEvent.objects.values_list("kind", flat=True))
    assert {Kind.REGISTRATION_CONFIRMED, Kind.LOGIN_FAILED, Kind.PIN_FAILED, Kind.ENROLLED} <= kinds
    assert {Kind.EMAIL_CHANGED, Kind.PASSWORD_CHANGED, Kind.PASSWORD_RESET} <= kinds
    logs = [
        AuditEvent,
        apps.get_model("phxpay", "OutboundEmail"),
        *apps.get_app_config("axes").get_models(),
    ]
    for model in logs:
        for text in row_texts(model):
            for name, secret in secrets.items():
                assert secret not in text, f"{name} in {model.__name__}: {text}"


def test_events_cannot_be_changed():
    user = UserFactory()
    browser(user).post(url("en", "accounts:logout"))
    event = AuditEvent.objects.get(kind=Kind.LOGGED_OUT)
    event.kind = Kind.LOGIN_FAILED
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(username="someone-else")
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE phxpay_auditevent SET ip = '203.0.113.9' WHERE id = %s", [event.pk])
    event.refresh_from_db()
    assert (event.kind, event.username, event.ip) == (Kind.LOGGED_OUT, user.username, IP)


def test_the_admin_shows_events_read_only(staff_client):
    UserFactory()
    browser().post(url("en", "accounts:login"), {"username": "nobody", "password": "x"})
    event = AuditEvent.objects.get(kind=Kind.LOGIN_FAILED)
    changelist = staff_client.get(admin_url("phxpay_auditevent_changelist"))
    assert changelist.status_code == 200
    html = changelist.content.decode()
    assert admin_url("phxpay_auditevent_add") not in html
    assert 'value="delete_selected"' not in html
    assert staff_client.get(admin_url("phxpay_auditevent_add")).status_code == 403
    change = staff_client.get(admin_url("phxpay_auditevent_change", event.pk))
    assert change.status_code == 200
    assert 'name="_save"' not in change.content.decode()
    response = staff_client.post(
        admin_url("phxpay_auditevent_change", event.pk), {"username": "rewritten"}
    )
    assert response.status_code == 403
    assert staff_client.get(admin_url("phxpay_auditevent_delete", event.pk)).status_code == 403
    assert (
        staff_client.post(
            admin_url("phxpay_auditevent_delete", event.pk), {"post": "yes"}
        ).status_code
        == 403
    )
    event.refresh_from_db()
    assert event.username == "nobody"


def make_event(age_days: int, username: str):
    moment = timezone.now() - timedelta(days=age_days)
    with mock.patch("django.utils.timezone.now", return_value=moment):
        AuditEvent.objects.create(kind=Kind.LOGIN_FAILED, username=username)


def test_prune_deletes_only_events_older_than_the_days_given(capsys):
    make_event(400, "ancient")
    make_event(91, "old")
    make_event(89, "recent")
    make_event(0, "today")
    call_command("prune_audit_log", "--days", "90")
    assert sorted(AuditEvent.objects.values_list("username", flat=True)) == ["recent", "today"]
    assert "Deleted 2" in capsys.readouterr().out


def test_prune_refuses_to_keep_less_than_30_days():
    make_event(40, "kept")
    with pytest.raises(CommandError):
        call_command("prune_audit_log", "--days", "7")
    assert AuditEvent.objects.filter(username="kept").exists()
