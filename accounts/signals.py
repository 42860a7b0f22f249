"""Plumbing that must follow every sign-in however it happens (including tests' force_login), and the
email provider's tracking webhook. No business rule lives here."""


def _on_login(sender, request, user, **kwargs):
    import time

    from accounts.services import session_started

    # Start of the absolute session lifetime (SESSION_ABSOLUTE_SECONDS), whatever the activity.
    request.session["auth_at"] = int(time.time())
    request.session.save()
    session_started(user=user, session_key=request.session.session_key)


def _on_tracking(sender, event, esp_name, **kwargs):
    """Anymail tracking webhook: remember bounces and complaints on the user with that address."""
    from django.utils import timezone

    from accounts.models import User

    field = {
        "bounced": "email_bounced_at",
        "rejected": "email_bounced_at",
        "complained": "email_complained_at",
    }.get(event.event_type)
    if field and event.recipient:
        User.objects.filter(email__lower=event.recipient.lower()).update(
            **{field: event.timestamp or timezone.now()}
        )


def connect():
    from anymail.signals import tracking
    from django.contrib.auth.signals import user_logged_in

    user_logged_in.connect(_on_login, dispatch_uid="accounts.session_started")
    tracking.connect(_on_tracking, dispatch_uid="accounts.email_tracking")
