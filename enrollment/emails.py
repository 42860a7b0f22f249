import re

from accounts.models import User
from enrollment.models import BillingAccount, Invitation
from phxpay.emails import BILINGUAL, send_templated_email


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


def send_enrolled_notice(*, account: BillingAccount, user: User) -> None:
    if not account.ebill_email:
        return
    send_templated_email(
        name="account_enrolled",
        to=[account.ebill_email],
        language=_language_of(account.ebill_email),
        context={"account": account, "username": user.username},
    )


def send_locked_notice(*, account: BillingAccount) -> None:
    if not account.ebill_email:
        return
    send_templated_email(
        name="account_locked",
        to=[account.ebill_email],
        language=_language_of(account.ebill_email),
        context={"account": account},
    )


def send_invitation_email(*, invitation: Invitation) -> None:
    language = _language_of(invitation.email)
    inviter = invitation.invited_by
    send_templated_email(
        name="invitation",
        to=[invitation.email],
        language=language,
        context={
            "invitation": invitation,
            "inviter_name": inviter.get_full_name() or inviter.username,
            "last4": invitation.account.last4,
            "street": service_street(invitation.account.service_address),
            "expires_at": invitation.expires_at,
        },
    )


def send_invitation_accepted_email(*, invitation: Invitation, guest: User) -> None:
    holder = invitation.invited_by
    if not holder.email:
        return
    send_templated_email(
        name="invitation_accepted",
        to=[holder.email],
        language=holder.preferred_language,
        context={
            "invitation": invitation,
            "guest_name": guest.get_full_name() or guest.username,
            "last4": invitation.account.last4,
        },
    )


def send_precreated_welcome(*, user: User) -> None:
    """How a pre-created e-bill user signs in the first time; bilingual, they never chose a language."""
    send_templated_email(
        name="precreated_welcome",
        to=[user.email],
        language=BILINGUAL,
        context={"user": user},
    )
