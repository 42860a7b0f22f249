"""Pre-created web users for customers on e-bills before April 2017 (the seed's first section).

For each e-bill address in the CIS extract that no user has yet, the import creates a user whose User
Name and email are that address (lower-cased), with no usable password, and enrolls it as holder of
every imported account carrying that address. Where a registered user already owns the address,
nothing is created: that customer enrolls with the PIN like anyone else.
"""

from dataclasses import dataclass
from secrets import token_urlsafe

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import connection

from accounts.models import User
from enrollment.models import BillingAccount, Enrollment, Role


@dataclass
class PrecreateReport:
    users_created: int = 0
    emails_of_registered_users: int = 0


def precreate_postgresql(*, now) -> PrecreateReport:
    """Runs against the `import_stage` temporary table the bulk import just filled."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH emails AS (
                SELECT DISTINCT ON (ebill_email) ebill_email, first_name, last_name
                FROM import_stage WHERE ebill_email <> ''
                ORDER BY ebill_email, account_number
            ), created AS (
                INSERT INTO accounts_user (
                    username, email, password, first_name, last_name, is_superuser, is_staff,
                    is_active, date_joined, preferred_language, confirmed_at,
                    confirmation_token_hash, confirmation_mismatches, confirmation_generation,
                    precreated, must_change_password
                )
                SELECT e.ebill_email, e.ebill_email,
                       %s || md5(random()::text || e.ebill_email),
                       left(e.first_name, 150), left(e.last_name, 150), false, false,
                       true, %s, 'en', %s, '', 0, 0, true, true
                FROM emails e
                WHERE NOT EXISTS (
                    SELECT 1 FROM accounts_user u
                    WHERE lower(u.email) = e.ebill_email AND u.email <> ''
                ) AND NOT EXISTS (
                    SELECT 1 FROM accounts_user u WHERE lower(u.username) = e.ebill_email
                )
                ON CONFLICT DO NOTHING
                RETURNING 1
            )
            SELECT
                (SELECT count(*) FROM created),
                (SELECT count(*) FROM emails e WHERE EXISTS (
                    SELECT 1 FROM accounts_user u
                    WHERE lower(u.email) = e.ebill_email AND u.email <> '' AND NOT u.precreated
                ))
            """,
            [UNUSABLE_PASSWORD_PREFIX, now, now],
        )
        created, registered = cursor.fetchone()
        cursor.execute(
            """
            INSERT INTO enrollment_enrollment (user_id, account_id, role, nickname, created_at)
            SELECT u.id, a.id, %s, '', %s
            FROM import_stage s
            JOIN enrollment_billingaccount a ON a.account_number = s.account_number
            JOIN accounts_user u
                ON lower(u.email) = s.ebill_email AND u.email <> '' AND u.precreated
            WHERE s.ebill_email <> ''
            ON CONFLICT (user_id, account_id) DO NOTHING
            """,
            [Role.HOLDER, now],
        )
    return PrecreateReport(users_created=created, emails_of_registered_users=registered)


def precreate_generic(*, rows: list[tuple], now) -> PrecreateReport:
    """The same rules with the ORM, for SQLite (`make run`); rows are the importer's staged tuples."""
    by_email: dict[str, list[str]] = {}
    names: dict[str, tuple[str, str]] = {}
    for number, first_name, last_name, _address, email, *_rest in rows:
        if email:
            by_email.setdefault(email, []).append(number)
            names.setdefault(email, (first_name, last_name))
    report = PrecreateReport()
    if not by_email:
        return report
    existing = {
        email.lower(): precreated
        for email, precreated in User.objects.filter(email__in=list(by_email)).values_list(
            "email", "precreated"
        )
    }
    report.emails_of_registered_users = sum(1 for flag in existing.values() if not flag)
    new_users = []
    for email in sorted(set(by_email) - set(existing)):
        first_name, last_name = names[email]
        new_users.append(
            User(
                username=email,
                email=email,
                password=UNUSABLE_PASSWORD_PREFIX + token_urlsafe(30),
                first_name=first_name[:150],
                last_name=last_name[:150],
                date_joined=now,
                confirmed_at=now,
                precreated=True,
                must_change_password=True,
            )
        )
    User.objects.bulk_create(new_users, ignore_conflicts=True)
    report.users_created = len(new_users)
    holders = dict(
        User.objects.filter(email__in=list(by_email), precreated=True).values_list("email", "pk")
    )
    accounts = dict(
        BillingAccount.objects.filter(
            account_number__in=[n for numbers in by_email.values() for n in numbers]
        ).values_list("account_number", "pk")
    )
    Enrollment.objects.bulk_create(
        [
            Enrollment(user_id=holders[email], account_id=accounts[number], role=Role.HOLDER)
            for email, numbers in by_email.items()
            if email in holders
            for number in numbers
        ],
        ignore_conflicts=True,
    )
    return report
