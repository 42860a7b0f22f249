"""The payment rules: starting one, applying what the processor says, refunds, the CIS file."""

import csv
import io
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from enrollment.models import BillingAccount
from enrollment.services import service_address_matches
from payments import messages
from payments.models import (
    ExportBatch,
    Payment,
    PaymentLine,
    ProcessorEvent,
    Status,
)
from payments.processors import ProcessorEvent as Event
from payments.processors import processor
from phxpay.audit import Kind, record
from phxpay.emails import queue_email

MINIMUM = Decimal("1.00")
CENT = Decimal("0.01")
# The states a processor may move a payment from, to each state it may report.
TRANSITIONS = {
    Status.STARTED: {Status.PENDING, Status.APPROVED, Status.DECLINED, Status.ABANDONED},
    Status.PENDING: {Status.APPROVED, Status.DECLINED, Status.ABANDONED},
    Status.ABANDONED: {Status.APPROVED, Status.DECLINED},
    Status.APPROVED: {Status.REFUNDED},
}
# A payment the processor has not answered about for this long is asked about (reconcile).
RECONCILE_AFTER = timedelta(minutes=10)
# A started payment never sent on to the processor is abandoned after this.
STARTED_EXPIRES = timedelta(hours=2)


class PaymentRefused(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def amount_check(amount: Decimal) -> Decimal:
    """At least $1.00, at most the per-account maximum, whole cents; else PaymentRefused."""
    if not amount.is_finite():
        raise PaymentRefused(messages.AMOUNT_INVALID)
    if amount != amount.quantize(CENT):
        raise PaymentRefused(messages.AMOUNT_CENTS)
    if amount < MINIMUM:
        raise PaymentRefused(messages.AMOUNT_TOO_SMALL)
    if amount > settings.PAYMENT_MAX_PER_ACCOUNT:
        from phxpay.formatting import money

        raise PaymentRefused(
            messages.AMOUNT_TOO_LARGE % {"maximum": money(settings.PAYMENT_MAX_PER_ACCOUNT)}
        )
    return amount.quantize(CENT)


def payment_start(
    *,
    user: User | None,
    accounts: list[BillingAccount],
    amounts: dict[int, Decimal],
    receipt_email: str,
    language: str,
    idempotency_key: uuid.UUID,
) -> tuple[Payment, bool]:
    """Record the payment the form asks for: (payment, created). The same form submitted again
    (same key) gives back the first payment and creates nothing. The caller has checked that the
    payer may pay `accounts` (enrolled, or a guest's matched account)."""
    if not accounts:
        raise PaymentRefused(messages.NO_ACCOUNT_CHOSEN)
    if set(amounts) != {account.pk for account in accounts}:
        raise PaymentRefused(messages.ACCOUNT_NOT_YOURS)
    checked = {account_id: amount_check(amount) for account_id, amount in amounts.items()}
    existing = Payment.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                idempotency_key=idempotency_key,
                user=user,
                receipt_email=receipt_email,
                language=language,
                total=sum(checked.values(), Decimal("0.00")),
                processor=settings.PAYMENT_PROVIDER,
            )
            PaymentLine.objects.bulk_create(
                [
                    PaymentLine(payment=payment, account_id=account_id, amount=amount)
                    for account_id, amount in sorted(checked.items())
                ]
            )
            if payment.total != sum(line.amount for line in payment.lines.all()):
                raise AssertionError("payment total differs from its lines")
            record(
                Kind.PAYMENT_CREATED,
                user=user,
                payment=payment.confirmation_number,
                total=str(payment.total),
                accounts=[f"****{account.last4}" for account in accounts],
            )
    except IntegrityError:
        # Two tabs, one key: the other request won the race; show its payment.
        return Payment.objects.get(idempotency_key=idempotency_key), False
    return payment, True


def guest_account_match(
    *, account_number: str, service_zip: str, house_number: str
) -> BillingAccount | None:
    """The account a guest payer names, if the ZIP code and house number of its service address
    match; None otherwise, whatever the reason (the caller answers every non-match alike)."""
    account = BillingAccount.objects.filter(account_number=account_number).first()
    if account is None or not service_address_matches(account, service_zip, house_number):
        return None
    return account


def payment_checkout(*, payment: Payment, return_url: str) -> str:
    """Hand the payment to the processor: the URL of its hosted page."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        url = processor(payment.processor).checkout_url(payment=payment, return_url=return_url)
        if payment.status == Status.STARTED:
            payment.status = Status.PENDING
            payment.save(update_fields=["status", "updated_at"])
    return url


def payment_event_apply(*, event: Event) -> Payment | None:
    """What the processor said, applied once: a replayed or out-of-order event changes nothing.
    None if no payment has that reference."""
    with transaction.atomic():
        payment = (
            Payment.objects.select_for_update().filter(processor_reference=event.reference).first()
        )
        if payment is None:
            return None
        if event.source == "callback":
            payment.callbacks_received += 1
            payment.save(update_fields=["callbacks_received", "updated_at"])
        _event, new = ProcessorEvent.objects.get_or_create(
            payment=payment,
            event_id=event.event_id,
            defaults={"status": event.status, "source": event.source},
        )
        if not new or event.status not in TRANSITIONS.get(payment.status, set()):
            return payment
        payment.status = event.status
        fields = ["status", "updated_at"]
        if event.status == Status.APPROVED:
            payment.approved_at = timezone.now()
            fields.append("approved_at")
        payment.save(update_fields=fields)
        _announce(payment)
    return payment


def _announce(payment: Payment) -> None:
    detail = {"payment": payment.confirmation_number, "total": str(payment.total)}
    if payment.status == Status.APPROVED:
        record(Kind.PAYMENT_APPROVED, user=payment.user, **detail)
        queue_email("payment_receipt", payment_id=payment.pk)
    elif payment.status in (Status.DECLINED, Status.ABANDONED):
        record(Kind.PAYMENT_DECLINED, user=payment.user, status=payment.status, **detail)
    elif payment.status == Status.REFUNDED:
        record(Kind.PAYMENT_REFUNDED, user=payment.user, **detail)


def payment_callback_receive(*, body: bytes, headers) -> Payment | None:
    """A processor's callback: verified, then applied once. Raises InvalidCallback."""
    event = processor().parse_callback(body=body, headers=headers)
    return payment_event_apply(event=event)


def payments_reconcile(*, now: datetime | None = None) -> dict[str, int]:
    """Ask the processor about payments it has not answered for; abandon stale unsent ones."""
    now = now or timezone.now()
    counts = {"checked": 0, "changed": 0, "abandoned": 0}
    waiting = Payment.objects.filter(
        status=Status.PENDING, updated_at__lt=now - RECONCILE_AFTER
    ).exclude(processor_reference="")
    for payment in waiting.iterator():
        before = payment.status
        event = processor(payment.processor).status_of(payment=payment)
        counts["checked"] += 1
        applied = payment_event_apply(event=event)
        if applied is not None and applied.status != before:
            counts["changed"] += 1
    stale = Payment.objects.filter(status=Status.STARTED, created_at__lt=now - STARTED_EXPIRES)
    for payment in stale:
        with transaction.atomic():
            locked = Payment.objects.select_for_update().get(pk=payment.pk)
            if locked.status == Status.STARTED:
                locked.status = Status.ABANDONED
                locked.save(update_fields=["status", "updated_at"])
                _announce(locked)
                counts["abandoned"] += 1
    return counts


def payment_refund(*, payment: Payment, by: User) -> Payment:
    """An administrator refunds the whole payment through the processor (audited)."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if payment.status != Status.APPROVED:
            raise PaymentRefused(messages.REFUNDED)
        processor(payment.processor).refund(payment=payment, amount=payment.total)
        payment.status = Status.REFUNDED
        payment.refunded_amount = payment.total
        payment.save(update_fields=["status", "refunded_amount", "updated_at"])
        record(
            Kind.PAYMENT_REFUNDED,
            user=payment.user,
            payment=payment.confirmation_number,
            total=str(payment.total),
            by=by.get_username(),
        )
    return payment


# --- the CIS file ------------------------------------------------------------------------------

EXPORT_COLUMNS = (
    "confirmation_number",
    "account_number",
    "amount",
    "paid_at",
    "processor_reference",
)


@dataclass(frozen=True)
class Export:
    batch: ExportBatch
    content: str
    new: bool


def _export_file(batch: ExportBatch) -> str:
    lines = (
        PaymentLine.objects.filter(payment__export_batch=batch)
        .select_related("payment", "account")
        .order_by("payment__approved_at", "payment__confirmation_number", "account__account_number")
    )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    for line in lines:
        paid_at = timezone.localtime(line.payment.approved_at)
        writer.writerow(
            [
                line.payment.confirmation_number,
                line.account.account_number,
                f"{line.amount:.2f}",
                paid_at.isoformat(timespec="seconds"),
                line.payment.processor_reference,
            ]
        )
    return out.getvalue()


def payments_export(*, day: date) -> Export:
    """The day's file for the CIS: every approved payment up to the end of `day` not yet in a file,
    exactly once; asking for a day already exported gives back the same file."""
    with transaction.atomic():
        batch = ExportBatch.objects.select_for_update().filter(day=day).first()
        if batch is not None:
            return Export(batch=batch, content=_export_file(batch), new=False)
        end = timezone.make_aware(datetime.combine(day + timedelta(days=1), datetime.min.time()))
        # Locked, so a callback approving a payment now waits for this file, or lands in the next.
        due = list(
            Payment.objects.select_for_update()
            .filter(status=Status.APPROVED, export_batch__isnull=True, approved_at__lt=end)
            .values_list("pk", flat=True)
        )
        batch = ExportBatch.objects.create(day=day, file_name=f"phxpay-payments-{day:%Y-%m-%d}.csv")
        Payment.objects.filter(pk__in=due).update(export_batch=batch)
        content = _export_file(batch)
        record(
            Kind.PAYMENTS_EXPORTED,
            file=batch.file_name,
            payments=len(due),
        )
    return Export(batch=batch, content=content, new=True)
