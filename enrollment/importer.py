"""Loading the CIS billing extract: validate every row, then upsert in bulk.

PostgreSQL takes the rows through COPY into a temporary table and one INSERT … ON CONFLICT statement
(the 450,000-account extract must load in a small multiple of a plain `\\copy`); other databases
(SQLite for `make run`) use batched bulk upserts.
"""

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.utils import timezone

from enrollment.models import BillingAccount
from enrollment.pins import pin_digest

COLUMNS = (
    "account_number",
    "pin",
    "first_name",
    "last_name",
    "service_address",
    "ebill_email",
    "balance",
    "due_date",
)
# Columns compared to decide "unchanged", in the order of the staged rows after account_number.
DATA_FIELDS = (
    "first_name",
    "last_name",
    "service_address",
    "ebill_email",
    "balance",
    "due_date",
    "pin_hash",
)
MAX_BALANCE = Decimal("9999999999.99")
BATCH = 5000

ACCOUNT_RE = re.compile(r"\d{10}")
PIN_RE = re.compile(r"\d{4}")
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


class UnusableFile(Exception):
    """The file as a whole cannot be imported: nothing is written."""


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    dry_run: bool = False


Progress = Callable[[str, int, int], None]


def _row_values(row: dict, line: int, seen: dict[str, int]) -> tuple:
    """One validated staged row, or ValueError with the reason it is rejected."""
    if None in row.values():
        raise ValueError("missing values: the row has fewer columns than the header")
    number = row["account_number"].strip()
    if not ACCOUNT_RE.fullmatch(number):
        raise ValueError("account_number must be exactly 10 digits")
    if number in seen:
        raise ValueError(f"duplicate account_number {number} (first on line {seen[number]})")
    pin = row["pin"].strip()
    if not PIN_RE.fullmatch(pin):
        raise ValueError("pin must be exactly 4 digits")
    first_name, last_name = row["first_name"].strip(), row["last_name"].strip()
    if len(first_name) > 150 or len(last_name) > 150:
        raise ValueError("first_name and last_name must be at most 150 characters")
    address = row["service_address"].strip()
    if not address or len(address) > 255:
        raise ValueError("service_address must be 1 to 255 characters")
    email = row["ebill_email"].strip().lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ValueError(f"ebill_email {email!r} is not a valid email address") from None
    try:
        balance = Decimal(row["balance"].strip() or "0")
    except InvalidOperation:
        raise ValueError(f"balance {row['balance']!r} is not a decimal number") from None
    if not balance.is_finite() or abs(balance) > MAX_BALANCE:
        raise ValueError(f"balance {row['balance']!r} is out of range")
    balance = balance.quantize(Decimal("0.01"))
    raw_date = row["due_date"].strip()
    due = None
    if raw_date:
        try:
            if not DATE_RE.fullmatch(raw_date):
                raise ValueError
            due = date.fromisoformat(raw_date)
        except ValueError:
            raise ValueError(f"due_date {raw_date!r} is not a date in YYYY-MM-DD form") from None
    seen[number] = line
    return (
        number,
        first_name,
        last_name,
        address,
        email,
        balance,
        due,
        pin_digest(account_number=number, pin=pin),
    )


def parse_extract(
    data: bytes, progress: Progress | None = None
) -> tuple[list[tuple], list[tuple[int, str]]]:
    """Validate the whole file before anything is written. Raises UnusableFile."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnusableFile(f"the file is not UTF-8 text (byte {error.start})") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = reader.fieldnames
    except csv.Error as error:
        raise UnusableFile(f"not a readable CSV file: {error}") from None
    if not header:
        raise UnusableFile("the file is empty: it needs a header row")
    missing = [name for name in COLUMNS if name not in {h.strip() for h in header}]
    if missing:
        raise UnusableFile(f"missing columns: {', '.join(missing)} (expected {','.join(COLUMNS)})")
    reader.fieldnames = [h.strip() for h in header]
    rows, rejected, seen = [], [], {}
    total_lines = text.count("\n")
    try:
        for row in reader:
            line = reader.line_num
            try:
                rows.append(_row_values(row, line, seen))
            except ValueError as reason:
                rejected.append((line, str(reason)))
            if progress and reader.line_num % 50_000 == 0:
                progress("validated", reader.line_num, total_lines)
    except csv.Error as error:
        raise UnusableFile(f"not a readable CSV file at line {reader.line_num}: {error}") from None
    return rows, rejected


def _upsert_postgresql(rows: list[tuple], now) -> tuple[int, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE TEMP TABLE import_stage (
                account_number text, first_name text, last_name text, service_address text,
                ebill_email text, balance numeric(12, 2), due_date date, pin_hash text
            ) ON COMMIT DROP
            """
        )
        with cursor.copy(
            "COPY import_stage (account_number, first_name, last_name, service_address, "
            "ebill_email, balance, due_date, pin_hash) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            """
            WITH upserted AS (
                INSERT INTO enrollment_billingaccount AS t (
                    account_number, first_name, last_name, service_address, ebill_email, balance,
                    due_date, pin_hash, paperless, failed_pin_attempts, lockouts, updated_at
                )
                SELECT account_number, first_name, last_name, service_address, ebill_email, balance,
                       due_date, pin_hash, false, 0, 0, %s
                FROM import_stage
                ON CONFLICT (account_number) DO UPDATE SET
                    first_name = EXCLUDED.first_name,
                    last_name = EXCLUDED.last_name,
                    service_address = EXCLUDED.service_address,
                    ebill_email = EXCLUDED.ebill_email,
                    balance = EXCLUDED.balance,
                    due_date = EXCLUDED.due_date,
                    pin_hash = EXCLUDED.pin_hash,
                    updated_at = EXCLUDED.updated_at
                WHERE (t.first_name, t.last_name, t.service_address, t.ebill_email, t.balance,
                       t.due_date, t.pin_hash)
                      IS DISTINCT FROM
                      (EXCLUDED.first_name, EXCLUDED.last_name, EXCLUDED.service_address,
                       EXCLUDED.ebill_email, EXCLUDED.balance, EXCLUDED.due_date, EXCLUDED.pin_hash)
                RETURNING (xmax = 0) AS inserted
            )
            SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM upserted
            """,
            [now],
        )
        created, updated = cursor.fetchone()
    return created, updated


def _upsert_generic(rows: list[tuple], now) -> tuple[int, int]:
    created = updated = 0
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        existing = {
            values[0]: values[1:]
            for values in BillingAccount.objects.filter(
                account_number__in=[row[0] for row in batch]
            ).values_list("account_number", *DATA_FIELDS)
        }
        changed = []
        for row in batch:
            before = existing.get(row[0])
            if before is None:
                created += 1
            elif tuple(before) != row[1:]:
                updated += 1
            else:
                continue
            changed.append(
                BillingAccount(
                    **dict(zip(("account_number", *DATA_FIELDS), row, strict=True)), updated_at=now
                )
            )
        BillingAccount.objects.bulk_create(
            changed,
            update_conflicts=True,
            unique_fields=["account_number"],
            update_fields=[*DATA_FIELDS, "updated_at"],
        )
    return created, updated


def accounts_import(
    *, data: bytes, dry_run: bool = False, progress: Progress | None = None
) -> ImportReport:
    """Validate the extract, then create/update its accounts in one transaction (none if dry_run)."""
    rows, rejected = parse_extract(data, progress)
    report = ImportReport(rows=len(rows) + len(rejected), rejected=rejected, dry_run=dry_run)
    now = timezone.now()
    with transaction.atomic():
        if progress:
            progress("writing", 0, len(rows))
        if connection.vendor == "postgresql":
            report.created, report.updated = _upsert_postgresql(rows, now)
        else:
            report.created, report.updated = _upsert_generic(rows, now)
        report.unchanged = len(rows) - report.created - report.updated
        if dry_run:
            # Same statements, same counts, nothing kept.
            transaction.set_rollback(True)
    return report
