"""Reads about payments for the customer's pages: a constant number of queries per page."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Exists, Max, OuterRef, Q, Sum

from enrollment.models import BillingAccount, ExtractRun
from payments.models import Payment, PaymentLine, Status


@dataclass(frozen=True)
class Pending:
    amount: Decimal
    at: datetime


def _not_yet_posted() -> Q:
    """Waiting at the processor, or approved and not yet in a CIS extract loaded after its file."""
    extract_after_file = ExtractRun.objects.filter(
        started_at__gt=OuterRef("payment__export_batch__created_at")
    )
    return Q(payment__status__in=[Status.PENDING, Status.APPROVED]) & ~Q(
        Exists(extract_after_file), payment__export_batch__isnull=False
    )


def pending_by_account(*, account_ids: list[int]) -> dict[int, Pending]:
    """Each account's payments the CIS has not posted yet: their sum and the latest one's time."""
    rows = (
        PaymentLine.objects.filter(_not_yet_posted(), account_id__in=account_ids)
        .values("account_id")
        .annotate(amount=Sum("amount"), at=Max("payment__created_at"))
    )
    return {row["account_id"]: Pending(amount=row["amount"], at=row["at"]) for row in rows}


def amount_to_pay(*, account: BillingAccount, pending: Pending | None) -> Decimal:
    """What is still owed once the payments on their way are counted; never below zero."""
    owed = account.balance - (pending.amount if pending else Decimal("0"))
    return max(owed, Decimal("0.00"))


def portal_payments_for(*, account_id: int, limit: int = 24) -> list[PaymentLine]:
    return list(
        PaymentLine.objects.filter(account_id=account_id)
        .exclude(payment__status=Status.STARTED)
        .select_related("payment")
        .order_by("-payment__created_at")[:limit]
    )


def payment_for(*, user, confirmation_number: str) -> Payment | None:
    """A signed-in payer's own payment, with its lines and accounts."""
    return (
        Payment.objects.filter(user=user, confirmation_number=confirmation_number)
        .prefetch_related("lines__account")
        .first()
    )


def by_account(lines) -> dict[int, list]:
    grouped = defaultdict(list)
    for line in lines:
        grouped[line.account_id].append(line)
    return grouped
