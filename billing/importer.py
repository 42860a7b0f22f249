"""Loading the CIS bills extract (and its charge lines): validate every row, then upsert in bulk.

The same contract as the accounts import (phxpay.extracts): the rows go into temporary tables
(COPY on PostgreSQL, INSERTs on SQLite) and one set of set-based statements, the same on both
databases, updates, inserts, replaces changed lines and brings each account's balance and due
date up to its latest bill. A bill for an account the portal does not know is a reported reject.
"""

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import connection, transaction
from django.utils import timezone

from billing.models import Service
from enrollment.models import ExtractRun
from phxpay import extracts
from phxpay.extracts import ACCOUNT_RE, Progress

BILL_COLUMNS = (
    "account_number",
    "bill_date",
    "due_date",
    "previous_balance",
    "payments_received",
    "new_charges",
    "amount_due",
    "water_usage_units",
    "period_start",
    "period_end",
)
BILL_OPTIONAL = ("pdf_path",)
LINE_COLUMNS = ("account_number", "bill_date", "service", "description", "amount")
# Compared to decide "unchanged", in the staged order after account_number and bill_date.
BILL_FIELDS = (
    "due_date",
    "period_start",
    "period_end",
    "previous_balance",
    "payments_received",
    "new_charges",
    "amount_due",
    "water_usage_units",
    "vendor_pdf",
)
SERVICES = {choice.value for choice in Service}
MAX_UNITS = Decimal("9999999.99")
# A relative path inside the bill storage: no "..", no absolute path, a .pdf file.
PDF_PATH_RE = re.compile(r"(?!/)(?!.*(?:^|/)\.\.(?:/|$))[A-Za-z0-9._/-]{1,251}\.pdf")


@dataclass
class BillsReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    lines: int = 0
    rejected: list[tuple[str, int, str]] = field(default_factory=list)  # (file, line, reason)
    dry_run: bool = False
    accounts_updated: int = 0
    # The bills this run added, for the "your bill is ready" notices (billing.services).
    new_bill_ids: list[int] = field(default_factory=list)


def _bill_row(values: list[str], line: int, seen: dict) -> tuple:
    (number, raw_bill, raw_due, raw_prev, raw_paid, raw_new, raw_due_amount, raw_units) = values[:8]
    raw_start, raw_end, pdf_path = values[8:]
    if not ACCOUNT_RE.fullmatch(number):
        raise ValueError("account_number must be exactly 10 digits")
    bill_date = extracts.day(raw_bill, "bill_date")
    key = (number, bill_date)
    if key in seen:
        raise ValueError(
            f"duplicate bill for account {number} on {bill_date} (first on line {seen[key]})"
        )
    due_date = extracts.day(raw_due, "due_date")
    if due_date < bill_date:
        raise ValueError("due_date is before bill_date")
    period_start = extracts.day(raw_start, "period_start")
    period_end = extracts.day(raw_end, "period_end")
    if period_start > period_end:
        raise ValueError("period_start is after period_end")
    previous = extracts.money(raw_prev, "previous_balance")
    paid = extracts.money(raw_paid, "payments_received")
    new = extracts.money(raw_new, "new_charges")
    amount_due = extracts.money(raw_due_amount, "amount_due")
    if previous - paid + new != amount_due:
        raise ValueError(
            f"amount_due {amount_due} is not previous_balance - payments_received + new_charges "
            f"({previous - paid + new})"
        )
    try:
        units = Decimal(raw_units)
    except InvalidOperation:
        raise ValueError(f"water_usage_units {raw_units!r} is not a number") from None
    if (
        not units.is_finite()
        or units < 0
        or units > MAX_UNITS
        or units != units.quantize(extracts.CENT)
    ):
        raise ValueError(f"water_usage_units {raw_units!r} must be 0 to {MAX_UNITS}, to 2 decimals")
    if pdf_path and not PDF_PATH_RE.fullmatch(pdf_path):
        raise ValueError(
            f"pdf_path {pdf_path!r} must be a relative path to a .pdf file in the bill storage"
        )
    seen[key] = line
    return (
        number,
        bill_date,
        due_date,
        period_start,
        period_end,
        previous,
        paid,
        new,
        amount_due,
        units.quantize(extracts.CENT),
        pdf_path,
        line,
    )


def _line_row(values: list[str], line: int) -> tuple:
    number, raw_bill, service, description, raw_amount = values
    if not ACCOUNT_RE.fullmatch(number):
        raise ValueError("account_number must be exactly 10 digits")
    bill_date = extracts.day(raw_bill, "bill_date")
    if service not in SERVICES:
        raise ValueError(f"service {service!r} is not one of {', '.join(sorted(SERVICES))}")
    if not description or len(description) > 200:
        raise ValueError("description must be 1 to 200 characters")
    return (number, bill_date, service, description, extracts.money(raw_amount, "amount"), line)


def lines_digest(charges: list[tuple]) -> str:
    """What a bill's lines are, in one value: the import compares it with the stored bill's to
    rewrite only the lines that changed (none, when the same file comes again)."""
    text = "\n".join(f"{charge[2]}\t{charge[3]}\t{charge[4]}" for charge in charges)
    return hashlib.sha256(text.encode()).hexdigest()


def parse_bills(
    bills: bytes, lines: bytes | None, progress: Progress | None = None
) -> tuple[list[tuple], list[tuple], list[tuple[str, int, str]]]:
    """Both files validated, and each bill's lines checked against its new charges:
    (bill rows, the kept bills' line rows, rejects). Raises UnusableFile."""
    seen: dict = {}
    bill_rows, bill_rejects, optional = extracts.parse_rows(
        bills,
        columns=BILL_COLUMNS,
        optional=BILL_OPTIONAL,
        row=lambda values, line: _bill_row(values, line, seen),
        progress=progress,
    )
    rejected = [("bills", line, reason) for line, reason in bill_rejects]
    if lines is None:
        return [(*row, None) for row in bill_rows], [], rejected
    line_rows, line_rejects, _optional = extracts.parse_rows(
        lines, columns=LINE_COLUMNS, row=_line_row, progress=progress
    )
    rejected += [("lines", line, reason) for line, reason in line_rejects]
    with extracts.cyclic_gc_paused():
        kept_bills, staged_lines = _matched(bill_rows, line_rows, rejected)
    rejected.sort(key=lambda reject: (reject[0] != "bills", reject[1]))
    return kept_bills, staged_lines, rejected


def _matched(bill_rows: list[tuple], line_rows: list[tuple], rejected: list) -> tuple[list, list]:
    """The bills whose lines add up, with their digests, and those bills' lines; rejects the rest."""
    by_bill: dict[tuple[str, date], list[tuple]] = defaultdict(list)
    for row in line_rows:
        by_bill[(row[0], row[1])].append(row)
    bills_by_key = {(row[0], row[1]): row for row in bill_rows}
    kept_bills, staged_lines = [], []
    for key, charges in by_bill.items():
        if key not in bills_by_key:
            rejected += [
                ("lines", row[5], f"no bill for account {key[0]} on {key[1]} in the bills file")
                for row in charges
            ]
    for row in bill_rows:
        charges = by_bill.get((row[0], row[1]), [])
        total = sum((charge[4] for charge in charges), Decimal("0.00"))
        if charges and total != row[7]:
            rejected.append(
                ("bills", row[11], f"its lines add up to {total}, not new_charges {row[7]}")
            )
            rejected += [
                ("lines", charge[5], "its bill was rejected (lines do not add up)")
                for charge in charges
            ]
            continue
        kept_bills.append((*row, lines_digest(charges)))
        staged_lines += charges
    return kept_bills, staged_lines


# The staged rows, as parse_bills returns them: (name, type) of the temporary tables' columns.
BILL_STAGE = (
    ("account_number", "text"),
    ("bill_date", "date"),
    ("due_date", "date"),
    ("period_start", "date"),
    ("period_end", "date"),
    ("previous_balance", "numeric(12, 2)"),
    ("payments_received", "numeric(12, 2)"),
    ("new_charges", "numeric(12, 2)"),
    ("amount_due", "numeric(12, 2)"),
    ("water_usage_units", "numeric(9, 2)"),
    ("vendor_pdf", "text"),
    ("line", "integer"),
    ("lines_digest", "text"),
)
LINE_STAGE = (
    ("account_number", "text"),
    ("bill_date", "date"),
    ("service", "text"),
    ("description", "text"),
    ("amount", "numeric(12, 2)"),
    # The line's line in the file: its position on the bill follows it (_write_lines).
    ("line", "integer"),
)


def _stage(bill_rows: list[tuple], line_rows: list[tuple]) -> None:
    with connection.cursor() as cursor:
        extracts.bulk_statements(cursor)
        extracts.stage(cursor, "bill_stage", BILL_STAGE, bill_rows)
        extracts.stage(cursor, "bill_line_stage", LINE_STAGE, line_rows)
        if connection.vendor == "postgresql":
            # Without statistics PostgreSQL plans the joins on the stage as if it held a few rows.
            cursor.execute("ANALYZE bill_stage")
            cursor.execute("ANALYZE bill_line_stage")
        cursor.execute("CREATE INDEX bill_stage_key ON bill_stage (account_number, bill_date)")


def _unknown_accounts(cursor) -> list[tuple[str, int, str]]:
    """Bills for accounts the portal does not have: reported, and taken out of the stage."""
    cursor.execute(
        """
        SELECT s.line, s.account_number FROM bill_stage AS s
        WHERE NOT EXISTS (
            SELECT 1 FROM enrollment_billingaccount AS a WHERE a.account_number = s.account_number
        )
        ORDER BY s.line
        """
    )
    unknown = [("bills", line, f"unknown account {number}") for line, number in cursor.fetchall()]
    if unknown:
        cursor.execute(
            """
            DELETE FROM bill_stage WHERE NOT EXISTS (
                SELECT 1 FROM enrollment_billingaccount AS a
                WHERE a.account_number = bill_stage.account_number
            )
            """
        )
    return unknown


def _upsert(cursor, now, *, with_lines: bool) -> tuple[int, int]:
    """Update the bills whose data changed, insert the new ones: (created, updated). Without a
    lines file a stored bill keeps its lines and their digest."""
    fields = (*BILL_FIELDS, "lines_digest") if with_lines else BILL_FIELDS
    changed = " OR ".join(f"t.{name} IS DISTINCT FROM s.{name}" for name in fields)
    assignments = ", ".join(f"{name} = s.{name}" for name in fields)
    cursor.execute(
        f"""
        UPDATE billing_bill AS t SET {assignments}
        FROM bill_stage AS s, enrollment_billingaccount AS a
        WHERE a.account_number = s.account_number AND t.account_id = a.id
          AND t.bill_date = s.bill_date AND ({changed})
        """  # noqa: S608 (column names from BILL_FIELDS)
    )
    updated = cursor.rowcount
    cursor.execute(
        f"""
        INSERT INTO billing_bill (account_id, bill_date, {", ".join(BILL_FIELDS)}, lines_digest,
                                  imported_at)
        SELECT a.id, s.bill_date, {", ".join(f"s.{name}" for name in BILL_FIELDS)},
               COALESCE(s.lines_digest, ''), %s
        FROM bill_stage AS s JOIN enrollment_billingaccount AS a
          ON a.account_number = s.account_number
        WHERE NOT EXISTS (
            SELECT 1 FROM billing_bill AS t WHERE t.account_id = a.id AND t.bill_date = s.bill_date
        )
        ORDER BY a.id, s.bill_date
        """,  # noqa: S608
        [now],
    )
    return cursor.rowcount, updated


def _bills_with_changed_lines(cursor) -> None:
    """Before the upsert: the stored bills whose lines in the file differ (by digest)."""
    cursor.execute("DROP TABLE IF EXISTS bill_lines_changed")
    cursor.execute(
        """
        CREATE TEMP TABLE bill_lines_changed AS
        SELECT t.id AS bill_id
        FROM bill_stage AS s
        JOIN enrollment_billingaccount AS a ON a.account_number = s.account_number
        JOIN billing_bill AS t ON t.account_id = a.id AND t.bill_date = s.bill_date
        WHERE t.lines_digest IS DISTINCT FROM s.lines_digest
        """
    )
    if connection.vendor == "postgresql":
        # Without statistics PostgreSQL plans the IN (…) below as if this table were tiny, which
        # made a 5,000-bill import compare 62 million rows.
        cursor.execute("ANALYZE bill_lines_changed")


def _write_lines(cursor, now) -> int:
    """After the upsert: new bills get their lines; changed ones lose theirs and get the file's."""
    cursor.execute(
        "DELETE FROM billing_billline WHERE bill_id IN (SELECT bill_id FROM bill_lines_changed)"
    )
    cursor.execute(
        """
        INSERT INTO billing_billline (bill_id, position, service, description, amount)
        SELECT b.id, row_number() OVER (PARTITION BY b.id ORDER BY l.line) - 1,
               l.service, l.description, l.amount
        FROM bill_line_stage AS l
        JOIN enrollment_billingaccount AS a ON a.account_number = l.account_number
        JOIN billing_bill AS b ON b.account_id = a.id AND b.bill_date = l.bill_date
        WHERE b.imported_at = %s OR b.id IN (SELECT bill_id FROM bill_lines_changed)
        ORDER BY b.id, l.line
        """,
        [now],
    )
    inserted = cursor.rowcount
    cursor.execute("DROP TABLE bill_lines_changed")
    return inserted


def _accounts_follow_latest_bill(cursor, now) -> int:
    """Each account in the file shows its latest bill's amount due and due date on Account(s):
    the file's newest bill of the account, unless a newer one is already stored."""
    cursor.execute(
        """
        UPDATE enrollment_billingaccount AS a
        SET balance = s.amount_due, due_date = s.due_date, updated_at = %s
        FROM (
            SELECT account_number, bill_date, amount_due, due_date,
                   row_number() OVER (PARTITION BY account_number ORDER BY bill_date DESC) AS n
            FROM bill_stage
        ) AS s
        WHERE s.n = 1 AND a.account_number = s.account_number
          AND NOT EXISTS (
              SELECT 1 FROM billing_bill AS b
              WHERE b.account_id = a.id AND b.bill_date > s.bill_date
          )
          AND (a.balance IS DISTINCT FROM s.amount_due OR a.due_date IS DISTINCT FROM s.due_date)
        """,
        [now],
    )
    return cursor.rowcount


def bills_import(
    *,
    bills: bytes,
    lines: bytes | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> BillsReport:
    """Validate both files, then create/update the bills in one transaction (none if dry_run)."""
    bill_rows, line_rows, rejected = parse_bills(bills, lines, progress)
    report = BillsReport(dry_run=dry_run)
    report.rows = len(bill_rows) + sum(1 for reject in rejected if reject[0] == "bills")
    now = timezone.now()
    adapted = connection.ops.adapt_datetimefield_value(now)
    with transaction.atomic(), connection.cursor() as cursor:
        if progress:
            progress("writing", 0, len(bill_rows))
        _stage(bill_rows, line_rows)
        unknown = _unknown_accounts(cursor)
        if lines is not None:
            _bills_with_changed_lines(cursor)
        report.created, report.updated = _upsert(cursor, adapted, with_lines=lines is not None)
        if lines is not None:
            report.lines = _write_lines(cursor, adapted)
        report.accounts_updated = _accounts_follow_latest_bill(cursor, adapted)
        cursor.execute("SELECT id FROM billing_bill WHERE imported_at = %s", [adapted])
        report.new_bill_ids = [bill_id for (bill_id,) in cursor.fetchall()]
        cursor.execute("DROP TABLE bill_stage")
        cursor.execute("DROP TABLE bill_line_stage")
        report.rejected = sorted(rejected + unknown, key=lambda r: (r[0] != "bills", r[1]))
        report.unchanged = len(bill_rows) - len(unknown) - report.created - report.updated
        ExtractRun.objects.create(kind=ExtractRun.Kind.BILLS, started_at=now)
        if dry_run:
            transaction.set_rollback(True)
            report.new_bill_ids = []
    return report


def months_before(day: date, months: int) -> date:
    """The same day `months` months earlier (the month's last day when it has fewer days)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    for candidate in range(day.day, 27, -1):
        try:
            return date(year, month, candidate)
        except ValueError:
            continue
    return date(year, month, min(day.day, 28))
