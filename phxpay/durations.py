"""Every duration a person reads, taken from the setting that decides it.

Messages and emails never spell out "24 hours" themselves: a city that changes a setting must not
leave the portal telling customers something else.
"""

from django.conf import settings


def confirmation_link_hours() -> int:
    """Registration, email-change and first sign-in links (CONFIRMATION_LINK_MAX_AGE)."""
    return int(settings.CONFIRMATION_LINK_MAX_AGE.total_seconds() // 3600)


def password_reset_hours() -> int:
    return max(1, settings.PASSWORD_RESET_TIMEOUT // 3600)


def session_absolute_hours() -> int:
    return max(1, settings.SESSION_ABSOLUTE_SECONDS // 3600)


def sign_in_pause_minutes() -> int:
    return max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))


def as_context() -> dict[str, int]:
    """For templates (pages and emails): {{ durations.confirmation_link_hours }} and so on."""
    return {
        "confirmation_link_hours": confirmation_link_hours(),
        "password_reset_hours": password_reset_hours(),
        "session_absolute_hours": session_absolute_hours(),
        "sign_in_pause_minutes": sign_in_pause_minutes(),
    }
