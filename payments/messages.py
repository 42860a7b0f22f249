"""Every sentence the payments pages show, as constants tests import."""

from django.utils.translation import gettext_lazy as _

AMOUNT_TOO_SMALL = _("Enter at least $1.00.")
AMOUNT_TOO_LARGE = _("Enter at most %(maximum)s for one account.")
AMOUNT_CENTS = _("Enter dollars and cents, like 84.17.")
AMOUNT_INVALID = _("Enter an amount in dollars and cents, like 84.17.")
NO_ACCOUNT_CHOSEN = _("Choose at least one account to pay.")
ACCOUNT_NOT_YOURS = _(
    "One of the accounts is not on your Account(s) list any more. Start the payment again."
)
PAYMENT_FORM_USED = _("This payment was already submitted. Here is where it stands.")
PROCESSOR_UNAVAILABLE = _(
    "The payment service could not be reached. Nothing was charged. Please try again in a few "
    "minutes."
)
APPROVED = _("Thank you. Your payment was approved.")
DECLINED = _(
    "Your payment was declined and nothing was charged. You can try again with another card or "
    "bank account."
)
ABANDONED = _("The payment was not completed and nothing was charged. You can try again.")
PENDING = _(
    "We are waiting for the payment service to confirm this payment. This page shows the result "
    "when it arrives; you do not need to pay again."
)
REFUNDED = _("This payment was refunded.")
RECEIPT_SUBJECT = _("Your City of Phoenix payment receipt %(number)s")
GUEST_NO_MATCH = _(
    "We could not find an account with that account number, ZIP code and house number. Check them "
    "on your bill and try again."
)
