"""Every message the enrollment pages show, named so tests can import and assert on them."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

ACCOUNT_NUMBER_FORMAT = _(
    "Enter the 10-digit account number shown on your City Services bill (spaces and dashes are fine)."
)
PIN_FORMAT = _("Enter the 4-digit security PIN of the main account holder.")
NO_MATCH = _("The account number and PIN do not match our records.")
PIN_TRIES_LEFT = ngettext_lazy(
    "%(tries)d try left: after one more incorrect PIN, enrolling this account pauses for "
    "%(minutes)d minutes.",
    "%(tries)d tries left: after %(tries)d more incorrect PINs, enrolling this account pauses for "
    "%(minutes)d minutes.",
    "tries",
)
ALREADY_ENROLLED = _("Account %(account)s is already in your Account(s) list.")
ENROLLED = _("Account %(account)s was enrolled and is now in your Account(s) list.")
ACCOUNT_LOCKED = _(
    "Enrollment of this account is locked after too many incorrect PINs. Try again after "
    "%(until)s, or contact customer service at cityservicesbill@phoenix.gov or 602-262-6251."
)
USER_BLOCKED = _(
    "Too many incorrect PINs. For security, enrolling accounts is paused for your User Name until "
    "%(until)s. If you do not know the PIN, contact customer service at cityservicesbill@phoenix.gov "
    "or 602-262-6251."
)
SETTINGS_SAVED = _("Account settings saved.")
REMOVED = _("Account %(account)s was removed from your Account(s) list.")
VIEW_ONLY = _("You have view-only access to this account, so you cannot change its settings.")
INVITE_SELF = _("That is your own email address: you already have this account.")
INVITE_HAS_ACCESS = _("%(email)s already has access to this account.")
INVITE_LIMIT = _(
    "You have sent %(limit)d invitations in the last 24 hours, the most allowed. Please try again tomorrow."
)
INVITE_NOT_OPEN = _("This invitation was already accepted or revoked.")
INVITE_SENT = _("Invitation sent to %(email)s.")
INVITE_RESENT = _("%(email)s was already invited: we sent the invitation again.")
INVITE_REVOKED = _("The invitation to %(email)s was revoked.")
HOLDER_ONLY = _("Only the account holder can invite others or manage invitations.")
SHARED_ACCOUNTS_ADDED = _("New shared account(s) were added to your list: %(accounts)s.")
NETWORK_BLOCKED = _(
    "Too many incorrect PINs were entered from your internet connection. For security, enrolling "
    "accounts from it is paused until %(until)s. If you do not know the PIN, contact customer "
    "service at cityservicesbill@phoenix.gov or 602-262-6251."
)
STEP_UP_REQUIRED = _(
    "For your security, also enter the ZIP code and the house number of the service address, as "
    "shown on your bill, then enter the PIN again."
)
SERVICE_ZIP_FORMAT = _("Enter the 5-digit ZIP code of the service address.")
HOUSE_NUMBER_FORMAT = _("Enter the house number of the service address (digits only).")
BILLING_EMAIL_HOLDER_ONLY = _("Only the account holder can change the billing email.")
BILLING_EMAIL_COOLDOWN = _(
    "For your security, the billing email of a newly added account can be changed after %(until)s."
)
INVITE_COOLDOWN = _(
    "For your security, you can invite others to a newly added account after %(until)s."
)
FIRST_SIGNIN_LINK_SENT = _(
    "To finish signing in, we sent a link to the e-bill address on file. "
    "Open the newest email from PHXwelcome@phoenix.gov and click its link to choose "
    "your password. The link works once, for %(hours)d hours."
)
FIRST_SIGNIN_LINK_INVALID = _(
    "This sign-in link is no longer valid: it was already used, a newer one was sent, or it "
    "expired. Sign in again with your e-bill email address and PIN to get a new link."
)
FIRST_SIGNIN_DONE = _("Your password is set and you are signed in. Welcome to PHX Pay Online!")
PAGE_NUMBER = _("Page %(number)s")
