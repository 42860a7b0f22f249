from django.urls import reverse
from django.utils import translation

from phxpay.emails import absolute_url, send_templated_email


def send_confirmation_email(*, user, token: str) -> None:
    """The PHXwelcome "ACTION REQUIRED!" email carrying the (only valid) confirmation link."""
    with translation.override(user.preferred_language):
        link = absolute_url(reverse("accounts:confirm_link", kwargs={"token": token}))
    send_templated_email(
        name="registration_confirmation",
        to=[user.email],
        language=user.preferred_language,
        context={"user": user, "link": link},
    )


def send_password_reset_email(*, user, uidb64: str, token: str) -> None:
    with translation.override(user.preferred_language):
        link = absolute_url(
            reverse("accounts:password_reset_confirm", kwargs={"uidb64": uidb64, "token": token})
        )
    send_templated_email(
        name="password_reset",
        to=[user.email],
        language=user.preferred_language,
        context={"user": user, "link": link},
    )


def send_email_change_link(*, user, new_email: str, token: str) -> None:
    with translation.override(user.preferred_language):
        link = absolute_url(reverse("accounts:email_change_link", kwargs={"token": token}))
    send_templated_email(
        name="email_change",
        to=[new_email],
        language=user.preferred_language,
        context={"user": user, "link": link, "new_email": new_email},
    )


def send_security_notice(*, user, event: str, to: str = "", **context) -> None:
    """A short "was this you?" email about a change to the user's security settings."""
    address = to or user.email
    if not address:
        return
    send_templated_email(
        name="security_notice",
        to=[address],
        language=user.preferred_language,
        context={"user": user, "event": event, **context},
    )
