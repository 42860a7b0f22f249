"""The bills' rules: importing them, "your bill is ready", due date reminders, retention."""

from contextlib import suppress
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone

from billing.importer import BillsReport, bills_import, months_before
from billing.models import Bill, BillNotice, NoticeKind
from billing.storage import bill_files
from enrollment.models import Enrollment
from phxpay.emails import queue_email
from phxpay.extracts import Progress

# A bill older than this when it arrives is history being loaded, not news: no "bill is ready".
READY_NOTICE_WINDOW = timedelta(days=31)
# Customers see 24 months of bills (as the legacy PHX Pay Online did); the portal keeps 36.
MONTHS_SHOWN = 24
MONTHS_KEPT = 36


def bills_import_and_notify(
    *,
    bills: bytes,
    lines: bytes | None = None,
    dry_run: bool = False,
    notify: bool = True,
    progress: Progress | None = None,
) -> tuple[BillsReport, int]:
    """Import the CIS bills; then queue "your bill is ready" for each new latest bill: (report,
    notices queued). One transaction: a failed import mails nobody."""
    with transaction.atomic():
        report = bills_import(bills=bills, lines=lines, dry_run=dry_run, progress=progress)
        queued = 0
        if notify and report.new_bill_ids:
            queued = bill_ready_notices_queue(bill_ids=report.new_bill_ids)
    return report, queued


def _recipients(bill: Bill, enrollments: list[Enrollment]) -> dict[str, int | None]:
    """Lower-cased address → web user id (None for the account's e-bill address alone)."""
    recipients: dict[str, int | None] = {}
    account = bill.account
    if account.paperless and account.ebill_email:
        recipients[account.ebill_email.lower()] = None
    for enrollment in enrollments:
        email = enrollment.user.email.lower()
        if email and enrollment.user.is_active:
            recipients[email] = enrollment.user_id
    return recipients


def bill_ready_notices_queue(*, bill_ids: list[int], now=None) -> int:
    """ "Your City of Phoenix bill is ready", once per bill and address, for bills that are their
    account's latest and recent, on paperless accounts: to the e-bill address and to every enrolled
    user who asked for it (Account Settings)."""
    now = now or timezone.now()
    latest = (
        Bill.objects.filter(account=OuterRef("account"))
        .order_by()
        .values("account")
        .annotate(latest=Max("bill_date"))
        .values("latest")
    )
    bills = list(
        Bill.objects.filter(
            pk__in=bill_ids,
            account__paperless=True,
            bill_date__gte=timezone.localdate(now) - READY_NOTICE_WINDOW,
        )
        .annotate(latest=Subquery(latest))
        .select_related("account")
    )
    bills = [bill for bill in bills if bill.bill_date == bill.latest]
    if not bills:
        return 0
    opted_in: dict[int, list[Enrollment]] = {}
    for enrollment in Enrollment.objects.filter(
        account_id__in=[bill.account_id for bill in bills], bill_ready_email=True
    ).select_related("user"):
        opted_in.setdefault(enrollment.account_id, []).append(enrollment)
    already = set(
        BillNotice.objects.filter(bill__in=bills, kind=NoticeKind.READY).values_list(
            "bill_id", "email"
        )
    )
    notices = [
        BillNotice(bill=bill, kind=NoticeKind.READY, email=email, user_id=user_id)
        for bill in bills
        for email, user_id in _recipients(bill, opted_in.get(bill.account_id, [])).items()
        if (bill.pk, email) not in already
    ]
    with transaction.atomic():
        created = BillNotice.objects.bulk_create(notices)
        for notice in created:
            queue_email("bill_ready", notice_id=notice.pk)
    return len(created)


def due_reminders_send(*, today: date | None = None) -> int:
    """The daily run: each enrolled user who chose a reminder gets one per bill, from that many
    days before the due date until the due date (a missed day still sends it), only while the
    account owes money. Returns the number queued."""
    today = today or timezone.localdate()
    latest = (
        Bill.objects.filter(account=OuterRef("account")).order_by("-bill_date").values("pk")[:1]
    )
    enrollments = (
        Enrollment.objects.filter(
            due_reminder_days__gt=0,
            account__balance__gt=0,
            user__is_active=True,
        )
        .exclude(user__email="")
        .annotate(latest_bill=Subquery(latest))
        .filter(latest_bill__isnull=False)
        .select_related("user")
    )
    candidates = []
    bills = Bill.objects.in_bulk(
        [enrollment.latest_bill for enrollment in enrollments], field_name="pk"
    )
    for enrollment in enrollments:
        bill = bills[enrollment.latest_bill]
        if bill.amount_due <= 0:
            continue
        if bill.due_date - timedelta(days=enrollment.due_reminder_days) <= today <= bill.due_date:
            candidates.append((bill, enrollment.user))
    already = set(
        BillNotice.objects.filter(
            bill__in=[bill for bill, _user in candidates], kind=NoticeKind.REMINDER
        ).values_list("bill_id", "email")
    )
    notices = []
    for bill, user in candidates:
        key = (bill.pk, user.email.lower())
        if key not in already:
            already.add(key)
            notices.append(BillNotice(bill=bill, kind=NoticeKind.REMINDER, email=key[1], user=user))
    with transaction.atomic():
        created = BillNotice.objects.bulk_create(notices)
        for notice in created:
            queue_email("due_reminder", notice_id=notice.pk)
    return len(created)


def bills_prune(*, months: int = MONTHS_KEPT, today: date | None = None) -> tuple[int, int]:
    """Delete bills dated before the retention, and their files: (bills, files) removed."""
    cutoff = months_before(today or timezone.localdate(), months)
    old = Bill.objects.filter(bill_date__lt=cutoff)
    storage = bill_files()
    files = 0
    with transaction.atomic():
        for bill_id, pdf in old.values_list("pk", "vendor_pdf").iterator():
            rendered = f"rendered/{bill_id}"
            names = [pdf] if pdf else []
            with suppress(FileNotFoundError):  # never rendered
                names += [f"{rendered}/{name}" for name in storage.listdir(rendered)[1]]
            for name in names:
                if storage.exists(name):
                    storage.delete(name)
                    files += 1
        deleted, by_model = old.delete()
    return by_model.get("billing.Bill", 0), files
