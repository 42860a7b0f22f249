"""A holder shares an account by email; the guest gets it at sign-in; the holder can revoke it."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone, translation

from enrollment import messages, services
from enrollment.models import BillingAccount, Enrollment, Invitation
from tests.conftest import staff_signed_in, url
from tests.factories import DEFAULT_PASSWORD, BillingAccountFactory, EnrollmentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def holding(user):
    account = BillingAccountFactory(
        account_number="1234567890", service_address="200 W Washington St"
    )
    return EnrollmentFactory(user=user, account=account)


def invite(client, holding, email, role="view", lang="en"):
    return client.post(
        url(lang, "enrollment:invite", account_id=holding.account_id),
        {"email": email, "role": role},
    )


def sign_in(username, password=DEFAULT_PASSWORD):
    client = Client()
    response = client.post(
        url("en", "accounts:login"), {"username": username, "password": password}
    )
    assert response.status_code == 302
    return client


def test_invite_form_labels(signed_in_client, holding):
    html = signed_in_client.get(
        url("en", "enrollment:invite", account_id=holding.account_id)
    ).content.decode()
    assert "Email Address" in html and "Access level" in html
    assert "View only" in html and "Manage" in html and ">Send Invitation</button>" in html
    assert (
        'value="view" class="usa-radio__input" id="id_role_0" required checked' in html
        or "checked" in html
    )


def test_invitation_email_to_a_new_address_is_bilingual_with_login_and_register_links(
    signed_in_client, holding, mailoutbox, django_capture_on_commit_callbacks, user
):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(signed_in_client, holding, "Guest@Example.com")
    assert response.status_code == 302
    (message,) = mailoutbox
    assert message.to == ["guest@example.com"]
    assert message.from_email == "PHX Pay Online <PHXwelcome@phoenix.gov>"
    assert " / " in message.subject and "7890" in message.subject
    body = message.body
    assert "W Washington St" in body and "200 W Washington" not in body and "1234567890" not in body
    assert "http://testserver/en/login/" in body and "http://testserver/es/login/" in body
    assert "http://testserver/en/register/?email=guest%40example.com" in body
    assert user.get_full_name() in body
    assert message.alternatives[0][1] == "text/html"


def test_invitation_to_a_known_user_is_in_their_language(
    signed_in_client, holding, mailoutbox, django_capture_on_commit_callbacks
):
    UserFactory(email="amigo@example.com", preferred_language="es")
    with django_capture_on_commit_callbacks(execute=True):
        invite(signed_in_client, holding, "amigo@example.com")
    (message,) = mailoutbox
    assert message.extra_headers["Content-Language"] == "es"
    assert "/es/login/" in message.body and "/en/login/" not in message.body


def test_register_link_prefills_the_email(client):
    html = client.get(
        url("en", "accounts:register") + "?email=guest%40example.com"
    ).content.decode()
    assert html.count('value="guest@example.com"') == 2


def test_guest_gets_the_account_at_sign_in_marked_as_shared(
    signed_in_client, holding, user, mailoutbox, django_capture_on_commit_callbacks
):
    invite(signed_in_client, holding, "guest@example.com", role="manage")
    guest = UserFactory(username="guestUser", email="GUEST@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        guest_client = sign_in("guestUser")
    enrollment = Enrollment.objects.get(user=guest, account=holding.account)
    assert enrollment.role == "manage" and enrollment.invitation.invited_by == user
    html = guest_client.get(url("en", "enrollment:accounts")).content.decode()
    assert "1234567890" in html and f"Shared by {user.get_full_name()}" in html
    # The holder is told.
    accepted = [m for m in mailoutbox if m.to == [user.email]]
    assert len(accepted) == 1 and "accepted" in accepted[0].subject


def test_a_new_registrant_gets_waiting_invitations_at_their_first_sign_in(
    signed_in_client, holding, register, client, mailoutbox
):
    invite(signed_in_client, holding, "wstestphx10@gmail.com")
    register()
    link = [m for m in mailoutbox if "register/confirm" in m.body][-1]
    from tests.conftest import confirmation_form_url, confirmation_link, open_link

    link = confirmation_link(link)
    password = "Desert-Monsoon-Rain-42"
    guest = Client()
    open_link(guest, link)
    guest.post(
        confirmation_form_url(link),
        {
            "username": "testWilliamSample",
            "email": "wstestphx10@gmail.com",
            "password1": password,
            "password2": password,
        },
    )
    shared = Enrollment.objects.filter(
        user__username="testWilliamSample", account=holding.account, role="view"
    )
    assert not shared.exists()  # "la próxima vez que Inicie Sesión": at the sign-in that follows
    guest.post(url("en", "accounts:login"), {"username": "testWilliamSample", "password": password})
    assert shared.exists()


def test_the_accounts_page_writes_nothing_an_invitation_waits_for_the_next_sign_in(
    signed_in_client, holding
):
    guest = UserFactory(username="alreadyIn", email="already.in@example.com")
    guest_client = Client()
    guest_client.force_login(guest)
    invite(signed_in_client, holding, "already.in@example.com")
    page = guest_client.get(url("en", "enrollment:accounts")).content.decode()
    assert holding.account.account_number not in page
    assert not guest.enrollments.exists()
    again = sign_in("alreadyIn")
    page = again.get(url("en", "enrollment:accounts")).content.decode()
    assert holding.account.account_number in page
    assert guest.enrollments.filter(account=holding.account).exists()


def test_expired_invitations_are_not_accepted(signed_in_client, holding):
    invite(signed_in_client, holding, "late@example.com")
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    guest = UserFactory(username="lateGuest", email="late@example.com")
    sign_in("lateGuest")
    assert not guest.enrollments.exists()


def test_invitations_expire_after_14_days(signed_in_client, holding, settings):
    assert settings.INVITATION_DAYS == 14
    invite(signed_in_client, holding, "g@example.com")
    invitation = Invitation.objects.get()
    assert (
        timedelta(days=13, hours=23) < invitation.expires_at - timezone.now() <= timedelta(days=14)
    )


def test_inviting_your_own_address_is_refused(signed_in_client, holding, user):
    response = invite(signed_in_client, holding, user.email.upper())
    assert str(messages.INVITE_SELF) in response.content.decode()
    assert not Invitation.objects.exists()


def test_inviting_someone_who_already_has_access_is_refused(signed_in_client, holding):
    other = UserFactory(email="has@example.com")
    EnrollmentFactory(user=other, account=holding.account)
    response = invite(signed_in_client, holding, "has@example.com")
    assert (messages.INVITE_HAS_ACCESS % {"email": "has@example.com"}) in response.content.decode()
    assert not Invitation.objects.exists()


def test_a_duplicate_resends_instead_of_piling_up(
    signed_in_client, holding, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(signed_in_client, holding, "dup@example.com")
        response = invite(signed_in_client, holding, "DUP@example.com")
    page = signed_in_client.get(response["Location"]).content.decode()
    assert (messages.INVITE_RESENT % {"email": "DUP@example.com"}) in page
    assert Invitation.objects.count() == 1
    assert len(mailoutbox) == 2


def test_one_open_invitation_per_address_in_the_database(holding):
    from django.db import IntegrityError

    now = timezone.now()
    Invitation.objects.create(
        account=holding.account, invited_by=holding.user, email="a@example.com", expires_at=now
    )
    with pytest.raises(IntegrityError):
        Invitation.objects.create(
            account=holding.account, invited_by=holding.user, email="A@example.com", expires_at=now
        )


def test_at_most_20_invitations_per_holder_per_day(signed_in_client, holding, settings):
    assert settings.INVITATIONS_PER_HOLDER_PER_DAY == 20
    for n in range(20):
        assert invite(signed_in_client, holding, f"g{n}@example.com").status_code == 302
    response = invite(signed_in_client, holding, "one-too-many@example.com")
    assert (messages.INVITE_LIMIT % {"limit": 20}) in response.content.decode()
    assert Invitation.objects.count() == 20


def test_holder_sees_pending_and_accepted_and_can_resend_and_revoke(
    signed_in_client, holding, mailoutbox, django_capture_on_commit_callbacks
):
    invite(signed_in_client, holding, "pending@example.com")
    invite(signed_in_client, holding, "accepted@example.com")
    guest = UserFactory(username="acceptingGuest", email="accepted@example.com")
    guest_client = sign_in("acceptingGuest")
    html = signed_in_client.get(
        url("en", "enrollment:invite", account_id=holding.account_id)
    ).content.decode()
    assert "pending@example.com" in html and "Pending" in html and "Accepted" in html
    pending = Invitation.objects.get(email="pending@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        signed_in_client.post(
            url(
                "en",
                "enrollment:invitation_resend",
                account_id=holding.account_id,
                invitation_id=pending.pk,
            )
        )
    assert mailoutbox[-1].to == ["pending@example.com"]
    accepted = Invitation.objects.get(email="accepted@example.com")
    signed_in_client.post(
        url(
            "en",
            "enrollment:invitation_revoke",
            account_id=holding.account_id,
            invitation_id=accepted.pk,
        )
    )
    # Revoking an accepted invitation removes the guest's access at once.
    assert not guest.enrollments.exists()
    assert (
        guest_client.get(url("en", "enrollment:details", account_id=holding.account_id)).status_code
        == 404
    )


def test_guest_can_remove_a_shared_account_from_their_list(signed_in_client, holding):
    invite(signed_in_client, holding, "leaver@example.com")
    guest = UserFactory(username="leaverGuest", email="leaver@example.com")
    guest_client = sign_in("leaverGuest")
    guest_client.post(url("en", "enrollment:remove", account_id=holding.account_id))
    assert not guest.enrollments.exists()
    assert holding.user.enrollments.exists()


@pytest.mark.parametrize("role", ["view", "manage"])
def test_guests_never_reach_invite_or_holder_pages(holding, role):
    guest = UserFactory(username="peekingGuest")
    EnrollmentFactory(user=guest, account=holding.account, role=role)
    invitation = Invitation.objects.create(
        account=holding.account,
        invited_by=holding.user,
        email="x@example.com",
        expires_at=timezone.now() + timedelta(days=1),
    )
    client = Client()
    client.force_login(guest)
    account_id = holding.account_id
    assert client.get(url("en", "enrollment:invite", account_id=account_id)).status_code == 403
    assert invite(client, holding, "friend@example.com").status_code == 403
    for name in ("enrollment:invitation_resend", "enrollment:invitation_revoke"):
        assert (
            client.post(
                url("en", name, account_id=account_id, invitation_id=invitation.pk)
            ).status_code
            == 403
        )
    assert Invitation.objects.get(pk=invitation.pk).revoked_at is None
    details = client.get(url("en", "enrollment:details", account_id=account_id)).content.decode()
    assert url("en", "enrollment:invite", account_id=account_id) not in details


def test_strangers_get_404_on_invite_pages(signed_in_client):
    theirs = EnrollmentFactory(user=UserFactory()).account
    assert (
        signed_in_client.get(url("en", "enrollment:invite", account_id=theirs.pk)).status_code
        == 404
    )


def test_view_only_guest_changes_nothing_and_manage_only_paperless(holding):
    BillingAccount.objects.filter(pk=holding.account_id).update(
        ebill_email="holder@example.com", paperless=False
    )
    for role, can in (("view", False), ("manage", True)):
        guest = UserFactory()
        EnrollmentFactory(user=guest, account=holding.account, role=role)
        client = Client()
        client.force_login(guest)
        client.post(
            url("en", "enrollment:settings", account_id=holding.account_id),
            {"nickname": "", "paperless": "on", "ebill_email": f"{role}@example.com"},
        )
        holding.account.refresh_from_db()
        assert holding.account.paperless is can
        # Only holders may change where bills go (red team: a manage guest did it silently).
        assert holding.account.ebill_email == "holder@example.com"


def test_admin_lists_invitations_by_state_and_revokes(client, holding):
    from django.urls import reverse

    staff_signed_in(client, UserFactory(is_staff=True, is_superuser=True))
    open_ = Invitation.objects.create(
        account=holding.account,
        invited_by=holding.user,
        email="open@example.com",
        expires_at=timezone.now() + timedelta(days=1),
    )
    with translation.override("en"):
        changelist = reverse("admin:enrollment_invitation_changelist")
    html = client.get(changelist, {"q": "1234567890", "state": "pending"}).content.decode()
    assert "open@example.com" in html
    client.post(changelist, {"action": "revoke", "_selected_action": [open_.pk]})
    open_.refresh_from_db()
    assert open_.revoked_at is not None


def test_service_refuses_non_holders(holding):
    guest = EnrollmentFactory(account=holding.account, role="manage")
    with pytest.raises(PermissionError):
        services.invitation_create(holder=guest, email="x@example.com", role="view")
