"""Builder of the payment receipt email, run by the delivery task (see phxpay.emails)."""

from payments.models import PAID, Payment
from phxpay.emails import EmailSpec


def payment_receipt(*, payment_id: int) -> EmailSpec | None:
    """The receipt, in the payer's language, to the address the payment was made with."""
    payment = Payment.objects.filter(pk=payment_id, status__in=PAID).first()
    if payment is None:
        return None
    lines = list(payment.lines.select_related("account"))
    return EmailSpec(
        name="payment_receipt",
        to=[payment.receipt_email],
        language=payment.language,
        context={"payment": payment, "lines": lines},
    )
