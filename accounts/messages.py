"""Every message the accounts flows show a person, named so tests can import and assert on them.

English wording is the legacy portal's own (quoted in the city's customer guide); the Spanish lives in
locale/es and follows the guide's Spanish text.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

REGISTRATION_ALMOST_DONE = _(
    "ALMOST DONE!! 1) Find email sent from PHXwelcome and click the confirmation link "
    "2) Enter User Name, Email Address and Password. 3) Click Submit, 4) Login. "
    "Thank You for using PHX Pay Online."
)
REGISTRATION_SENT_TO = _(
    "We sent the email to %(email)s. Not your address? Register again with the right one."
)
USERNAME_IN_USE = _("User Name %(username)s is already in use. Please choose another name.")
# The seed's first sentence; the rest of its text is laid out as steps in the error summary
# (templates/includes/email_in_use_help.html).
EMAIL_IN_USE = _("Email address %(email)s is already in use with another account.")
ALREADY_REGISTERED = _(
    "User Name %(username)s is already registered and confirmed with this Email Address, so no new "
    "link was sent. Click Login to sign in, or Reset Password if you do not remember your password."
)
EMAILS_DO_NOT_MATCH = _("The Email Address and Confirm Email Address do not match.")
PASSWORDS_DO_NOT_MATCH = _("The two passwords do not match.")
USERNAME_LENGTH = _("User Name must be between 4 and 32 characters.")
CONFIRMATION_NOT_FOUND = _("No user found with the generated confirmation ID.")
CONFIRMATION_MISMATCH = _("Information provided in the form does not match our records.")
CONFIRMATION_TRIES_LEFT = ngettext_lazy(
    "You can try %(tries)d more time with this link; after that it stops working and you register "
    "again for a new one.",
    "You can try %(tries)d more times with this link; after that it stops working and you register "
    "again for a new one.",
    "tries",
)
CONFIRMED_GET_STARTED = _(
    "Get Started!! Click Login and Enroll your account(s) with your ten-digit account number(s) and "
    "four-digit security PIN. Thank You for using PHX Pay Online."
)
LOGIN_FAILED = _(
    "The User Name or Password is not correct. Both are case-sensitive: enter them exactly as you "
    "registered them."
)
LOGGED_OUT = _("You are signed out. Thank You for using PHX Pay Online.")
PASSWORD_RESET_SENT = _(
    "If a confirmed PHX Pay Online account uses that Email Address, we have sent it an email from "
    "PHXwelcome with a link to set a new password. The link works once and expires in %(hours)d "
    "hours."
)
PASSWORD_RESET_DONE = _("Your password has been changed. You can now Login with your new password.")
PASSWORD_RESET_LINK_INVALID = _(
    "This password reset link is not valid: it was already used, a newer one was sent, or it "
    "expired. Ask for a new one below."
)
PASSWORD_CHANGED = _("Your password has been changed.")
PROFILE_UPDATED = _("Your User Profile has been updated.")
TWO_STEP_ON = _(
    "Two-step verification is on: signing in will also ask for a code from your authenticator app."
)
TWO_STEP_OFF = _("Two-step verification is off.")
TWO_STEP_CODE_WRONG = _(
    "That code is not correct. Enter the current 6-digit code from your app, or a recovery code."
)
CURRENT_PASSWORD_WRONG = _("Your current password is not correct.")
LANGUAGE_CHANGED = _("Your preferred language has been saved.")

CONFIRMATION_SUBJECT = _("ACTION REQUIRED! Confirm Your PHX Pay Online Registration")
EMAIL_CHANGE_SENT = _(
    "We sent a confirmation link to %(email)s. Your email address changes when you open that link; "
    "until then your current address stays."
)
EMAIL_CHANGED = _("Your email address is now %(email)s.")
EMAIL_CHANGE_LINK_INVALID = _(
    "This email change link is not valid: it expired, was already used, or belongs to another User "
    "Name. Ask for a new one from User Profile."
)
EMAIL_IN_USE_SHORT = _("That email address is already used by another PHX Pay Online account.")
EMAIL_SAME = _("That is already your email address.")
SESSION_EXPIRED = _(
    "For your security you were signed out after %(hours)d hours. Please sign in again."
)
EMAIL_BOUNCED_HINT = _(
    "Our last email to %(email)s could not be delivered. Please check that the address is spelled "
    "correctly; if it is not, register again with the right one."
)
EMAIL_UNDO_LINK_INVALID = _(
    "This link to undo an email change is not valid: it was already used or is more than %(days)d "
    "days old. Contact customer service at cityservicesbill@phoenix.gov or 602-262-6251 for help."
)
EMAIL_UNDONE = _(
    "Your email address is %(email)s again. For your security every session was signed out and the "
    "password stopped working: we sent a link to %(email)s to choose a new one."
)

# Passkeys (accounts.passkeys): the answers the browser script shows beside the passkey button.
PASSKEY_STAFF_ONLY = _("Passkeys are for City staff sign-in.")
PASSKEY_VERIFY_FIRST = _(
    "Enter a code from your authenticator app first; then you can add a passkey."
)
PASSKEY_REFUSED = _(
    "That passkey was not accepted. Try again, or enter a code from your authenticator app."
)
PASSKEY_REMOVED = _("The passkey was removed. Your authenticator app still works.")
