"""Every message the enrollment pages show, named so tests can import and assert on them."""

from django.utils.translation import gettext_lazy as _

ACCOUNT_NUMBER_FORMAT = _(
    "Enter the 10-digit account number shown on your City Services bill (spaces and dashes are fine)."
)
PIN_FORMAT = _("Enter the 4-digit security PIN of the main account holder.")
NO_MATCH = _("The account number and PIN do not match our records.")
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
