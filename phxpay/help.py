"""Which Help entry (templates/help.html, by anchor) explains each error a form can report.

Forms raise or add errors with a `code`; the error summary links each error to its entry. Help's own
table of contents is the page's headings, so an entry added there needs only its code here.
"""

HELP_FOR_ERROR = {
    # Registration, step 1 and step 2 (the seed's "Errores en el Registro").
    "email_in_use": "error-email-in-use",
    "username_in_use": "error-username-in-use",
    "already_registered": "error-already-registered",
    "confirmation_mismatch": "error-mismatch",
    "confirmation_tries_left": "error-mismatch",
    # Sign-in and passwords.
    "invalid_login": "sign-in-failed",
    "password_mismatch": "passwords",
    "password_too_short": "passwords",
    "password_too_common": "passwords",
    "password_entirely_numeric": "passwords",
    "password_too_similar": "passwords",
    # Enrolling with the PIN.
    "pin_no_match": "pin-wrong",
    "pin_tries_left": "pin-wrong",
    "pin_locked": "pin-paused",
    "pin_user_blocked": "pin-paused",
    "pin_network_blocked": "pin-paused",
}
