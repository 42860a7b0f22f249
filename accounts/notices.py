"""The "was this you?" security notices: one kind each, one set of templates each.

`queue_email("security_notice", user_id=…, notice=Notice.PASSWORD_CHANGED, …)`; the builder
(accounts.emails.security_notice) renders templates/emails/notice_<kind>_{subject,message}.*,
whose messages extend notice_base_message.* for the greeting and the "if this was not you" part.
"""

import enum


class Notice(enum.StrEnum):
    PASSWORD_CHANGED = "password_changed"
    PASSWORD_RESET = "password_reset"
    EMAIL_CHANGE_REQUESTED = "email_change_requested"
    EMAIL_CHANGED = "email_changed"
    ACCOUNT_ADDED = "account_added"  # to the user whose Account(s) list grew
    ACCOUNT_REMOVED = "account_removed"
