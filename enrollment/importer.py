"""Loading the CIS billing extract: validate every row, then upsert in bulk.

The rows go into a temporary table (COPY on PostgreSQL, INSERTs on SQLite); one set of set-based
statements then updates, inserts and pre-creates from it on either database, so the rules exist once.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.utils import timezone

from enrollment.models import BillingAccount, ExtractRun
from enrollment.pins import pin_digester
from enrollment.precreated import precreate_from_stage
from phxpay import extracts
from phxpay.extracts import ACCOUNT_RE, Progress

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
# Optional columns: an extract without them loads as before (the value is blank).
OPTIONAL_COLUMNS = ("service_zip", "paperless")
# The staged row, as _row_values returns it: (name, type) of the temporary table's columns.
STAGE_COLUMNS = (
    ("account_number", "text"),
    ("first_name", "text"),
    ("last_name", "text"),
    ("service_address", "text"),
    ("ebill_email", "text"),
    ("balance", "numeric(12, 2)"),
    ("due_date", "date"),
    ("pin_hash", "text"),
    ("service_zip", "text"),
    ("paperless", "boolean"),
)
# Columns compared to decide "unchanged": all but the key.
DATA_FIELDS = tuple(name for name, _kind in STAGE_COLUMNS[1:])
# The extract's paperless column: blank means "on e-bills when it has an e-bill address".
PAPERLESS_VALUES = {
    "true": True,
    "t": True,
    "yes": True,
    "y": True,
    "1": True,
    "false": False,
    "f": False,
    "no": False,
    "n": False,
    "0": False,
}
PIN_RE = re.compile(r"[0-9]{4}")
ZIP_RE = re.compile(r"[0-9]{5}(?:-[0-9]{4})?")
# Plain addresses (most of the extract), all of which Django's validate_email accepts too; anything
# else is checked by validate_email itself, so the outcome is validate_email's either way.
PLAIN_EMAIL_RE = re.compile(
    r"[a-z0-9_%+-]+(?:\.[a-z0-9_%+-]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}"
)
EMAIL_MAX_LENGTH = BillingAccount._meta.get_field("ebill_email").max_length


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    dry_run: bool = False
    # Pre-created web users for e-bill addresses (customers on e-bills before April 2017).
    users_created: int = 0
    emails_of_registered_users: int = 0


def _valid_email(email: str) -> bool:
    if len(email) > EMAIL_MAX_LENGTH:
        return False
    if PLAIN_EMAIL_RE.fullmatch(email):
        return True
    try:
        validate_email(email)
    except ValidationError:
        return False
    return True


def _row_values(
    values: list[str], line: int, seen: dict[str, int], digest: Callable[[str, str], str]
) -> tuple:
    """One validated staged row from the stripped COLUMNS + OPTIONAL_COLUMNS, or ValueError."""
    (
        number,
        pin,
        first_name,
        last_name,
        address,
        email,
        raw_balance,
        raw_date,
        zip_code,
        raw_paperless,
    ) = values
    if not ACCOUNT_RE.fullmatch(number):
        raise ValueError("account_number must be exactly 10 digits")
    if number in seen:
        raise ValueError(f"duplicate account_number {number} (first on line {seen[number]})")
    if not PIN_RE.fullmatch(pin):
        raise ValueError("pin must be exactly 4 digits")
    if len(first_name) > 150 or len(last_name) > 150:
        raise ValueError("first_name and last_name must be at most 150 characters")
    if not address or len(address) > 255:
        raise ValueError("service_address must be 1 to 255 characters")
    email = email.lower()
    if email and not _valid_email(email):
        if len(email) > EMAIL_MAX_LENGTH:
            raise ValueError(f"ebill_email must be at most {EMAIL_MAX_LENGTH} characters")
        raise ValueError(f"ebill_email {email!r} is not a valid email address")
    balance = extracts.money(raw_balance, "balance", default="0")
    due = extracts.day(raw_date, "due_date") if raw_date else None
    if zip_code and not ZIP_RE.fullmatch(zip_code):
        raise ValueError(f"service_zip {zip_code!r} is not a 5-digit ZIP code")
    if raw_paperless:
        paperless = PAPERLESS_VALUES.get(raw_paperless.lower())
        if paperless is None:
            raise ValueError(f"paperless {raw_paperless!r} is not true or false")
    else:
        paperless = bool(email)
    seen[number] = line
    return (
        number,
        first_name,
        last_name,
        address,
        email,
        balance,
        due,
        digest(number, pin),
        zip_code[:5],
        paperless,
    )


def parse_extract(
    data: bytes, progress: Progress | None = None
) -> tuple[list[tuple], list[tuple[int, str]], set[str]]:
    """Validate the whole file before anything is written: (rows, rejected lines, the optional
    columns the file has). Raises UnusableFile."""
    seen: dict[str, int] = {}
    digest = pin_digester()
    return extracts.parse_rows(
        data,
        columns=COLUMNS,
        optional=OPTIONAL_COLUMNS,
        row=lambda values, line: _row_values(values, line, seen, digest),
        progress=progress,
    )


def _stage(rows: list[tuple]) -> None:
    """Put the validated rows in the temporary `import_stage` table the set-based statements read."""
    with connection.cursor() as cursor:
        extracts.bulk_statements(cursor)
        extracts.stage(cursor, "import_stage", STAGE_COLUMNS, rows)


def _upsert_from_stage(now, *, fields: tuple[str, ...]) -> tuple[int, int]:
    """Update the accounts whose data changed, insert the new ones: (created, updated).

    UPDATE … FROM plus INSERT … WHERE NOT EXISTS (hash joins) rather than INSERT … ON CONFLICT: the
    latter probes the unique index and locks every existing row, changed or not, which made the
    all-unchanged re-run about 4 times slower. New rows go in account-number order, so the b-tree
    indexes on account_number are appended to rather than split at random.
    """
    changed = " OR ".join(f"t.{name} IS DISTINCT FROM s.{name}" for name in fields)
    assignments = ", ".join(f"{name} = s.{name}" for name in fields)
    columns = ", ".join(("account_number", *DATA_FIELDS))
    now = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE enrollment_billingaccount AS t SET {assignments}, updated_at = %s
            FROM import_stage AS s
            WHERE t.account_number = s.account_number AND ({changed})
            """,  # noqa: S608 (column names from DATA_FIELDS, values are parameters)
            [now],
        )
        updated = cursor.rowcount
        cursor.execute(
            f"""
            INSERT INTO enrollment_billingaccount (
                {columns}, failed_pin_attempts, lockouts, updated_at
            )
            SELECT {columns}, 0, 0, %s
            FROM import_stage AS s
            WHERE NOT EXISTS (
                SELECT 1 FROM enrollment_billingaccount AS t WHERE t.account_number = s.account_number
            )
            ORDER BY account_number
            """,  # noqa: S608
            [now],
        )
        created = cursor.rowcount
    return created, updated


def accounts_import(
    *, data: bytes, dry_run: bool = False, progress: Progress | None = None
) -> ImportReport:
    """Validate the extract, then create/update its accounts in one transaction (none if dry_run)."""
    rows, rejected, optional = parse_extract(data, progress)
    # Without a paperless column, an existing account keeps what its holder chose in Account
    # Settings; new accounts start paperless when they have an e-bill address.
    updated_fields = tuple(f for f in DATA_FIELDS if f != "paperless" or "paperless" in optional)
    report = ImportReport(rows=len(rows) + len(rejected), rejected=rejected, dry_run=dry_run)
    now = timezone.now()
    with transaction.atomic():
        if progress:
            progress("writing", 0, len(rows))
        _stage(rows)
        report.created, report.updated = _upsert_from_stage(now, fields=updated_fields)
        precreated = precreate_from_stage(now=now)
        with connection.cursor() as cursor:
            # The caller's transaction may go on (a second import in it would find the table).
            cursor.execute("DROP TABLE import_stage")
        report.users_created = precreated.users_created
        report.emails_of_registered_users = precreated.emails_of_registered_users
        report.unchanged = len(rows) - report.created - report.updated
        ExtractRun.objects.create(kind=ExtractRun.Kind.ACCOUNTS, started_at=now)
        if dry_run:
            # Same statements, same counts, nothing kept.
            transaction.set_rollback(True)
    return report
