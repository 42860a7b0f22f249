"""The support agent's customer page: find by account number, see everything, act in one click."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from accounts import roles
from accounts.models import User
from enrollment.models import Invitation
from enrollment.support import ACTION_DONE, SupportAction
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


@pytest.fixture
def agent():
    user = UserFactory(username="supportAgent", is_staff=True)
    user.groups.set([Group.objects.get(name=roles.SUPPORT)])
    return staff_signed_in(Client(), user)


def page(pk):
    return reverse("admin:accounts_user_change", args=[pk])


def action_url(pk, action):
    return reverse("admin:accounts_user_support", args=[pk, action.value])


def test_search_finds_a_customer_by_account_number_or_service_address(agent):
    holder = UserFactory(username="rosaHolder")
    EnrollmentFactory(
        user=holder,
        account=BillingAccountFactory(
            account_number="4012345678", service_address="1423 E Roosevelt St"
        ),
    )
    UserFactory(username="someoneElse")
    changelist = reverse("admin:accounts_user_changelist")
    for query in ("4012345678", "Roosevelt"):
        html = agent.get(changelist, {"q": query}).content.decode()
        assert "rosaHolder" in html and "someoneElse" not in html, query


def test_the_page_shows_state_accounts_invitations_audit_and_emails(agent, register, mailoutbox):
    customer = UserFactory(username="pageCustomer", email="page.customer@example.com")
    EnrollmentFactory(user=customer, account=BillingAccountFactory(account_number="4099999999"))
    holder = EnrollmentFactory(account=BillingAccountFactory(account_number="4088888888"))
    Invitation.objects.create(
        account=holder.account,
        invited_by=holder.user,
        email="Page.Customer@example.com",
        expires_at=holder.created_at.replace(year=2099),
    )
    AuditEvent.objects.create(
        kind=AuditEvent.Kind.LOGIN_SUCCEEDED, user=customer, username="pageCustomer"
    )
    response = agent.get(page(customer.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Confirmed" in html
    assert "4099999999" in html and "Account holder" in html
    assert "4088888888" in html  # the invitation
    assert "Sign-in succeeded" in html
    # A confirmed customer: a password reset, nothing to confirm or unlock.
    assert action_url(customer.pk, SupportAction.PASSWORD_RESET) in html
    assert action_url(customer.pk, SupportAction.RESEND_CONFIRMATION) not in html
    assert action_url(customer.pk, SupportAction.UNLOCK_SIGNIN) not in html


def test_resend_confirmation_asks_first_then_mails_a_new_link_and_is_audited(
    agent, mailoutbox, django_capture_on_commit_callbacks
):
    pending = PendingUserFactory(username="pendingOne", email="pending.one@example.com")
    target = action_url(pending.pk, SupportAction.RESEND_CONFIRMATION)
    confirm = agent.get(target)
    assert confirm.status_code == 200 and mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        response = agent.post(target, follow=True)
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["pending.one@example.com"]
    done = str(
        ACTION_DONE[SupportAction.RESEND_CONFIRMATION] % {"email": pending.email, "username": ""}
    )
    assert done in response.content.decode()
    event = AuditEvent.objects.get(
        kind=AuditEvent.Kind.STAFF_ACTION, detail__action="resend_confirmation"
    )
    assert event.user == pending and event.detail["by"] == "supportAgent"


def test_unlock_sign_in_from_the_page(agent, settings):
    customer = UserFactory(username="pausedHere")
    attacker = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attacker.post(url("en", "accounts:login"), {"username": "pausedHere", "password": "x"})
    html = agent.get(page(customer.pk)).content.decode()
    assert "Sign-in paused" in html
    agent.post(action_url(customer.pk, SupportAction.UNLOCK_SIGNIN))
    assert "Sign-in paused" not in agent.get(page(customer.pk)).content.decode()
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.SIGNIN_UNLOCKED, user=customer).exists()


def test_first_sign_in_instructions_for_a_precreated_customer(
    agent, mailoutbox, django_capture_on_commit_callbacks
):
    ebill = PrecreatedUserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        agent.post(action_url(ebill.pk, SupportAction.FIRST_SIGNIN))
    assert [m.to for m in mailoutbox] == [[ebill.email]]


def test_an_action_that_does_not_apply_does_nothing(agent, mailoutbox):
    confirmed = UserFactory()
    response = agent.post(action_url(confirmed.pk, SupportAction.RESEND_CONFIRMATION), follow=True)
    assert "does not apply" in response.content.decode()
    assert mailoutbox == []
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.STAFF_ACTION).exists()


def test_staff_without_the_support_role_cannot_act():
    plain = staff_signed_in(Client(), UserFactory(is_staff=True))
    pending = PendingUserFactory()
    assert plain.post(action_url(pending.pk, SupportAction.RESEND_CONFIRMATION)).status_code == 403
    assert (
        User.objects.get(pk=pending.pk).confirmation_generation == pending.confirmation_generation
    )


def test_the_customer_command_prints_the_page_as_text_and_json(capsys):
    import json

    from django.core.management import CommandError, call_command

    customer = UserFactory(username="shellCustomer", email="shell.customer@example.com")
    EnrollmentFactory(user=customer, account=BillingAccountFactory(account_number="4077777777"))
    call_command("customer", "4077777777")
    text = capsys.readouterr().out
    assert "shellCustomer" in text and "4077777777" in text and "Confirmed" in text
    call_command("customer", "SHELL.customer@example.com", "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["username"] == "shellCustomer"
    assert data["accounts"] == [
        {
            "account_number": "4077777777",
            "role": "holder",
            "service_address": data["accounts"][0]["service_address"],
        }
    ]
    with pytest.raises(CommandError, match="No customer"):
        call_command("customer", "nobody-at-all")


def test_the_account_page_unlocks_enrollment_and_resends_or_revokes_invitations(
    agent, mailoutbox, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    holder = EnrollmentFactory(account=BillingAccountFactory(account_number="4066666666"))
    account = holder.account
    account.locked_until = timezone.now() + timedelta(minutes=30)
    account.save(update_fields=["locked_until"])
    invitation = Invitation.objects.create(
        account=account,
        invited_by=holder.user,
        email="guest@example.com",
        expires_at=timezone.now() + timedelta(days=14),
    )
    change = reverse("admin:enrollment_billingaccount_change", args=[account.pk])
    html = agent.get(change).content.decode()
    assert "guest@example.com" in html and 'form="phx-unlock"' in html

    def support(action, **data):
        target = reverse("admin:enrollment_billingaccount_support", args=[account.pk, action])
        return agent.post(target, data)

    assert (
        agent.get(
            reverse("admin:enrollment_billingaccount_support", args=[account.pk, "unlock"])
        ).status_code
        == 405
    )
    support("unlock")
    account.refresh_from_db()
    assert account.locked_until is None
    with django_capture_on_commit_callbacks(execute=True):
        support("resend", invitation=str(invitation.pk))
    assert [m.to for m in mailoutbox] == [["guest@example.com"]]
    support("revoke", invitation=str(invitation.pk))
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert (
        "guest@example.com"
        not in agent.get(change).content.decode().split("Open invitations")[1][:400]
    )
