"""Builders of the enrollment emails, run by the delivery task (see phxpay.emails)."""

import re

from django.urls import reverse
from django.utils import translation

from accounts.models import User
from accounts.tokens import new_token
from enrollment.models import BillingAccount, Invitation
from phxpay.emails import BILINGUAL, EmailSpec, absolute_url


def service_street(address: str) -> str:
    """The street without the house number: enough to recognise the account, not to locate a home."""
    return re.sub(r"^\s*\d+[A-Za-z]?\s+", "", address).strip()


def language_of(email: str) -> str | None:
    """The preferred language of the web user who owns this address, if any; else both languages."""
    language = (
        User.objects.filter(email__lower=email.lower())
        .values_list("preferred_language", flat=True)
        .first()
    )
    return language or BILINGUAL


def _recipient(account: BillingAccount, to_user_id: int | None, to_email: str | None):
    """(address, language) of a notice about `account`: a web user, an address, or its e-bill address."""
    if to_user_id is not None:
        user = User.objects.filter(pk=to_user_id).exclude(email="").first()
        return (user.email, user.preferred_language) if user else (None, None)
    email = to_email or account.ebill_email
    return (email, language_of(email)) if email else (None, None)


def account_enrolled(
    *, account_id: int, username: str, to_user_id: int | None = None
) -> EmailSpec | None:
    """To the e-bill address, or (to_user_id) to someone who already had the account."""
    account = BillingAccount.objects.filter(pk=account_id).first()
    if account is None:
        return None
    email, language = _recipient(account, to_user_id, None)
    if email is None:
        return None
    return EmailSpec(
        name="account_enrolled",
        to=[email],
        language=language,
        context={"account": account, "username": username},
    )


def billing_email_changed(
    *, account_id: int, to_user_id: int | None = None, to_email: str | None = None
) -> EmailSpec | None:
    """To the old billing address and to each holder: the billing email of an account changed."""
    account = BillingAccount.objects.filter(pk=account_id).first()
    if account is None:
        return None
    email, language = _recipient(account, to_user_id, to_email)
    if email is None:
        return None
    return EmailSpec(
        name="billing_email_changed",
        to=[email],
        language=language,
        context={"account": account},
    )


def account_locked(*, account_id: int) -> EmailSpec | None:
    account = BillingAccount.objects.filter(pk=account_id).first()
    if account is None or not account.ebill_email:
        return None
    return EmailSpec(
        name="account_locked",
        to=[account.ebill_email],
        language=language_of(account.ebill_email),
        context={"account": account},
    )


def invitation(*, invitation_id: int) -> EmailSpec | None:
    invitation = (
        Invitation.objects.select_related("account", "invited_by")
        .filter(pk=invitation_id, accepted_at__isnull=True, revoked_at__isnull=True)
        .first()
    )
    if invitation is None:  # accepted or revoked before the email went out
        return None
    inviter = invitation.invited_by
    return EmailSpec(
        name="invitation",
        to=[invitation.email],
        language=language_of(invitation.email),
        context={
            "invitation": invitation,
            "inviter_name": inviter.get_full_name() or inviter.username,
            "last4": invitation.account.last4,
            "street": service_street(invitation.account.service_address),
            "expires_at": invitation.expires_at,
        },
    )


def invitation_accepted(*, invitation_id: int, guest_id: int) -> EmailSpec | None:
    invitation = (
        Invitation.objects.select_related("account", "invited_by").filter(pk=invitation_id).first()
    )
    guest = User.objects.filter(pk=guest_id).first()
    if invitation is None or guest is None or not invitation.invited_by.email:
        return None
    holder = invitation.invited_by
    return EmailSpec(
        name="invitation_accepted",
        to=[holder.email],
        language=holder.preferred_language,
        context={
            "invitation": invitation,
            "guest_name": guest.get_full_name() or guest.username,
            "last4": invitation.account.last4,
        },
    )


def precreated_welcome(*, user_id: int) -> EmailSpec | None:
    """How a pre-created e-bill user signs in the first time; bilingual, they never chose a language."""
    user = User.objects.filter(pk=user_id, precreated=True).first()
    if user is None or not user.email:
        return None
    return EmailSpec(
        name="precreated_welcome", to=[user.email], language=BILINGUAL, context={"user": user}
    )


def first_signin_link(*, user_id: int, generation: int) -> EmailSpec | None:
    """The one-time link that proves a pre-created user owns the e-bill mailbox.

    Like the confirmation email, the token is made now and only for the newest request.
    """
    user = (
        User.objects.select_for_update()
        .filter(pk=user_id, precreated=True, must_change_password=True)
        .first()
    )
    if user is None or not user.email or user.confirmation_generation != generation:
        return None
    token, digest = new_token()
    user.confirmation_token_hash = digest
    user.save(update_fields=["confirmation_token_hash"])
    # In the language they signed in with (enrollment.precreated.first_signin_start saved it).
    with translation.override(user.preferred_language):
        link = absolute_url(reverse("enrollment:first_signin_link", kwargs={"token": token}))
    return EmailSpec(
        name="first_signin_link",
        to=[user.email],
        language=user.preferred_language,
        context={"link": link},
    )
