"""Reads that the admin's customer page and the `customer` command share (accounts' part)."""

from axes.models import AccessAttempt
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from phxpay.models import AuditEvent, OutboundEmail
from phxpay.ratelimit import normalized_identifier

RECENT = 20


def signin_paused(*, user: User) -> bool:
    """django-axes holds as many failures as pause a sign-in, for this User Name's spelling."""
    return AccessAttempt.objects.filter(
        username=normalized_identifier(user.username)[:255],
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
    ).exists()


def customer_states(*, user: User, paused: bool) -> list[str]:
    """What a support agent reads first: pending / confirmed / pre-created e-bill / paused / staff."""
    states = [str(user.get_state_display())]
    if user.precreated:
        waiting = user.must_change_password
        states.append(
            str(_("Pre-created e-bill user, first sign-in pending"))
            if waiting
            else str(_("Pre-created e-bill user"))
        )
    if paused:
        states.append(str(_("Sign-in paused")))
    if not user.is_active:
        states.append(str(_("Inactive")))
    return states


def recent_audit_events(*, user: User):
    return AuditEvent.objects.filter(user=user).order_by("-at")[:RECENT]


def recent_emails(*, user: User):
    """Queued, sent and failed emails to the user's address (the queue keeps recipients as text)."""
    if not user.email:
        return OutboundEmail.objects.none()
    return OutboundEmail.objects.filter(to__icontains=user.email).order_by("-created_at")[:RECENT]
