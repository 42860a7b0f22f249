"""Reads of bills for the customer's pages: a constant number of queries whatever the history."""

from dataclasses import dataclass

from django.shortcuts import get_object_or_404

from accounts.models import User
from billing import charts
from billing.models import Bill
from billing.services import MONTHS_SHOWN
from enrollment.models import BillingAccount, Enrollment
from enrollment.selectors import enrollment_of

# The chart compares each of the 24 periods shown with the same month a year earlier.
BILLS_FOR_USAGE = MONTHS_SHOWN + 12


@dataclass(frozen=True)
class AccountBills:
    history: list[Bill]  # newest first, at most MONTHS_SHOWN
    usage: list[charts.UsagePoint]  # oldest first

    @property
    def latest(self) -> Bill | None:
        return self.history[0] if self.history else None


def account_bills(*, account: BillingAccount) -> AccountBills:
    """One query: the bills Details shows, and the year before them for the usage comparison."""
    bills = list(
        Bill.objects.filter(account=account)
        .order_by("-bill_date")
        .only(
            "pk",
            "account_id",
            "bill_date",
            "due_date",
            "amount_due",
            "new_charges",
            "water_usage_units",
            "period_start",
            "period_end",
            "vendor_pdf",
        )[:BILLS_FOR_USAGE]
    )
    return AccountBills(history=bills[:MONTHS_SHOWN], usage=charts.usage_points(bills=bills))


def bill_of(*, user: User, account_id: int, bill_id: int) -> tuple[Enrollment, Bill]:
    """A bill of an account the user is enrolled on, with its lines; else 404 (another user's
    bill id, a bill of another account, a bill past the 24 months shown)."""
    enrollment = enrollment_of(user=user, account_id=account_id)
    shown = Bill.objects.filter(account_id=account_id).order_by("-bill_date")[:MONTHS_SHOWN]
    bill = get_object_or_404(
        Bill.objects.filter(pk__in=shown.values("pk")).prefetch_related("lines"), pk=bill_id
    )
    bill.account = enrollment.account
    return enrollment, bill


def year_earlier(*, bill: Bill) -> Bill | None:
    """The bill whose period ended in the same month a year before."""
    end = bill.period_end
    return (
        Bill.objects.filter(
            account_id=bill.account_id,
            period_end__year=end.year - 1,
            period_end__month=end.month,
        )
        .order_by("-period_end")
        .only("pk", "water_usage_units", "period_start", "period_end")
        .first()
    )


def statement(*, bill: Bill) -> dict:
    """What the bill page and the portal's PDF show: one statement, two renderings."""
    earlier = year_earlier(bill=bill)
    point = charts.UsagePoint(
        period_end=bill.period_end,
        units=bill.water_usage_units,
        last_year_units=earlier.water_usage_units if earlier else None,
    )
    return {
        "bill": bill,
        "account": bill.account,
        "lines": list(bill.lines.all()),
        "year_earlier": earlier,
        "usage_summary": charts.usage_summary(points=[point]),
    }
