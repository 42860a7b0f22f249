"""Builders of the accounts emails, run by the delivery task (see phxpay.emails)."""

from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import EmailChange, EmailChangeUndo, User
from accounts.notices import Notice
from accounts.services import EMAIL_CHANGE_UNDO_DAYS
from accounts.tokens import new_token
from phxpay.emails import EmailSpec, absolute_url


def _link(user: User, name: str, **kwargs) -> str:
    with translation.override(user.preferred_language):
        return absolute_url(reverse(name, kwargs=kwargs))


def registration_confirmation(*, user_id: int, generation: int) -> EmailSpec | None:
    """The PHXwelcome "ACTION REQUIRED!" email with the only valid confirmation link.

    The token is made now, at sending, and only for the newest registration: a delayed or retried
    email for an older one is skipped rather than killing the newer link.
    """
    user = User.objects.select_for_update().filter(pk=user_id).first()
    if user is None or user.is_confirmed or user.confirmation_generation != generation:
        return None
    token, digest = new_token()
    user.confirmation_token_hash = digest
    user.save(update_fields=["confirmation_token_hash"])
    return EmailSpec(
        name="registration_confirmation",
        to=[user.email],
        language=user.preferred_language,
        context={"user": user, "link": _link(user, "accounts:confirm_link", token=token)},
    )


def password_reset(*, email: str) -> EmailSpec | None:
    user = (
        User.objects.exclude(email="")
        .filter(email__lower=email.lower(), is_active=True, confirmed_at__isnull=False)
        .first()
    )
    if user is None:  # no account uses this address: nothing to send
        return None
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = _link(user, "accounts:password_reset_confirm", uidb64=uidb64, token=token)
    return EmailSpec(
        name="password_reset",
        to=[user.email],
        language=user.preferred_language,
        context={"user": user, "link": link},
    )


def _link_token(row) -> str:
    """A new token for the pending change `row` (locked by the caller); only its digest is kept.

    Made now, at sending: a retried or delayed email never mails a token a newer one replaced.
    """
    token, digest = new_token()
    row.token_hash = digest
    row.save(update_fields=["token_hash"])
    return token


def email_change(*, user_id: int, new_email: str) -> EmailSpec | None:
    change = (
        EmailChange.objects.select_for_update()
        .select_related("user")
        .filter(user_id=user_id, new_email=new_email)
        .first()
    )
    if change is None:
        return None
    token = _link_token(change)
    return EmailSpec(
        name="email_change",
        to=[new_email],
        language=change.user.preferred_language,
        context={
            "user": change.user,
            "new_email": new_email,
            "link": _link(change.user, "accounts:email_change_link", token=token),
        },
    )


def email_change_undo(*, user_id: int, old_email: str) -> EmailSpec | None:
    """To the old address after an email change: what happened, and a link that undoes it."""
    undo = (
        EmailChangeUndo.objects.select_for_update()
        .select_related("user")
        .filter(user_id=user_id, old_email=old_email)
        .first()
    )
    if undo is None:
        return None
    token = _link_token(undo)
    return EmailSpec(
        name="email_change_undo",
        to=[old_email],
        language=undo.user.preferred_language,
        context={
            "user": undo.user,
            "new_email": undo.user.email,
            "link": _link(undo.user, "accounts:email_change_undo_link", token=token),
            "undo_days": EMAIL_CHANGE_UNDO_DAYS,
        },
    )


def security_notice(
    *, user_id: int, notice: str = "", to: str = "", event: str = "", **context
) -> EmailSpec | None:
    """A short "was this you?" email about a change to the user's security settings.

    `notice` is an accounts.notices.Notice (`event` is its name in rows queued before it existed).
    """
    kind = Notice(notice or event)
    user = User.objects.filter(pk=user_id).first()
    address = to or (user.email if user else "")
    if user is None or not address:
        return None
    return EmailSpec(
        name=f"notice_{kind}",
        to=[address],
        language=user.preferred_language,
        context={"user": user, **context},
    )
