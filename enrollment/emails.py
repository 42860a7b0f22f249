"""Builders of the enrollment emails, run by the delivery task (see phxpay.emails)."""

import re

from accounts.models import User
from enrollment.models import BillingAccount, Invitation
from phxpay.emails import BILINGUAL, EmailSpec, builder


def service_street(address: str) -> str:
    """The street without the house number: enough to recognise the account, not to locate a home."""
    return re.sub(r"^\s*\d+[A-Za-z]?\s+", "", address).strip()


def _language_of(email: str) -> str | None:
    """The preferred language of the web user who owns this address, if any; else both languages."""
    language = (
        User.objects.filter(email__iexact=email)
        .values_list("preferred_language", flat=True)
        .first()
    )
    return language or BILINGUAL


@builder("account_enrolled")
def account_enrolled(*, account_id: int, username: str) -> EmailSpec | None:
    account = BillingAccount.objects.filter(pk=account_id).first()
    if account is None or not account.ebill_email:
        return None
    return EmailSpec(
        name="account_enrolled",
        to=[account.ebill_email],
        language=_language_of(account.ebill_email),
        context={"account": account, "username": username},
    )


@builder("account_locked")
def account_locked(*, account_id: int) -> EmailSpec | None:
    account = BillingAccount.objects.filter(pk=account_id).first()
    if account is None or not account.ebill_email:
        return None
    return EmailSpec(
        name="account_locked",
        to=[account.ebill_email],
        language=_language_of(account.ebill_email),
        context={"account": account},
    )


@builder("invitation")
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
        language=_language_of(invitation.email),
        context={
            "invitation": invitation,
            "inviter_name": inviter.get_full_name() or inviter.username,
            "last4": invitation.account.last4,
            "street": service_street(invitation.account.service_address),
            "expires_at": invitation.expires_at,
        },
    )


@builder("invitation_accepted")
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


@builder("precreated_welcome")
def precreated_welcome(*, user_id: int) -> EmailSpec | None:
    """How a pre-created e-bill user signs in the first time; bilingual, they never chose a language."""
    user = User.objects.filter(pk=user_id, precreated=True).first()
    if user is None or not user.email:
        return None
    return EmailSpec(
        name="precreated_welcome", to=[user.email], language=BILINGUAL, context={"user": user}
    )
