"""Pre-created web users for customers on e-bills before April 2017 (the seed's first section).

Pre-creation: for each e-bill address in the CIS extract that no user has yet, the import creates a user whose User
Name and email are that address (lower-cased), with no usable password, and enrolls it as holder of
every imported account carrying that address. Where a registered user already owns the address,
nothing is created: that customer enrolls with the PIN like anyone else.

First sign-in: the seed's User Name = e-bill address and Password = PIN, then proof of the mailbox.
A correct PIN never opens a session by itself (10,000 values are not a password): it sends a one-time
link to the e-bill address (the confirmation link's machinery), and only that link leads to choosing
a password. Wrong PINs count against every bound in enrollment/guessing.py, and against each
account the user holds.
"""

import enum
import logging
import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.backends import BaseBackend
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import User
from accounts.tokens import token_digest
from enrollment import guessing
from enrollment.models import BillingAccount, Role
from enrollment.pins import pin_matches
from enrollment.services import count_account_failure
from phxpay.audit import Kind, record
from phxpay.emails import queue_email
from phxpay.ratelimit import client_ip, normalized_identifier

logger = logging.getLogger(__name__)

PIN_RE = re.compile(r"[0-9]{4}")


@dataclass
class PrecreateReport:
    users_created: int = 0
    emails_of_registered_users: int = 0


# What pre-creation decides for each new user, as SQL over the `emails` row `e`. Every other
# column of accounts_user gets its model field's default (_user_columns), so adding a User field
# needs no change here.
_PRECREATED_USER_SQL = {
    "username": "e.ebill_email",
    "email": "e.ebill_email",
    "password": "%(unusable)s || {random}",
    "first_name": "substr(e.first_name, 1, 150)",
    "last_name": "substr(e.last_name, 1, 150)",
    "date_joined": "%(now)s",
    "confirmed_at": "%(now)s",
    "precreated": "true",
    "must_change_password": "true",
}
# The one thing the two databases spell differently: a random suffix, so that no two unusable
# passwords are equal (as Django's own make_password(None) does).
_RANDOM_TEXT_SQL = {"postgresql": "md5(random()::text)", "sqlite": "lower(hex(randomblob(16)))"}

# An address is taken when any user has it as email or as User Name, compared case-insensitively
# (the extract's addresses are already lower case).
_TAKEN_SQL = """
    EXISTS (SELECT 1 FROM accounts_user u WHERE lower(u.email) = e.ebill_email AND u.email <> '')
    OR EXISTS (SELECT 1 FROM accounts_user u WHERE lower(u.username) = e.ebill_email)
"""


def _user_columns() -> tuple[str, str, dict]:
    """The INSERT's column list, its SELECT list and the parameters for the defaulted columns."""
    columns, values, params = [], [], {}
    for field in User._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(connection.ops.quote_name(field.column))
        if field.name in _PRECREATED_USER_SQL:
            values.append(
                _PRECREATED_USER_SQL[field.name].replace(
                    "{random}", _RANDOM_TEXT_SQL[connection.vendor]
                )
            )
        else:
            key = f"default_{field.column}"
            default = field.get_default() if field.has_default() or not field.null else None
            params[key] = field.get_db_prep_save(default, connection)
            values.append(f"%({key})s")
    return ", ".join(columns), ", ".join(values), params


def precreate_from_stage(*, now) -> PrecreateReport:
    """Pre-create and enroll from the `import_stage` table the import just filled (any database).

    One user per new address, named from its first account by number; then every staged account
    carrying a pre-created user's address is enrolled to it as holder.
    """
    columns, values, defaults = _user_columns()
    now = connection.ops.adapt_datetimefield_value(now)

    def numbered(where: str) -> str:
        # The rows of the addresses that pass `where`, each address's accounts numbered from 1 in
        # account-number order. Whether an address passes is the same for all its rows, so
        # filtering before numbering keeps the same first rows, and spares the sort of every
        # address when none passes (a re-run of the extract).
        return f"""
            SELECT e.ebill_email, e.first_name, e.last_name,
                   row_number() OVER (PARTITION BY e.ebill_email ORDER BY e.account_number) AS n
            FROM import_stage e WHERE e.ebill_email <> '' AND ({where})
        """  # noqa: S608 (fixed SQL of this module)

    registered_address = """
        EXISTS (
            SELECT 1 FROM accounts_user u
            WHERE lower(u.email) = e.ebill_email AND u.email <> '' AND NOT u.precreated
        )
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM ({numbered(registered_address)}) e WHERE e.n = 1"  # noqa: S608
        )
        (registered,) = cursor.fetchone()
        # The WHERE also keeps SQLite from reading ON CONFLICT as part of the join.
        cursor.execute(
            f"""
            INSERT INTO accounts_user ({columns})
            SELECT {values} FROM ({numbered(f"NOT ({_TAKEN_SQL})")}) e WHERE e.n = 1
            ON CONFLICT DO NOTHING
            """,  # noqa: S608 (column names from the model, values are parameters)
            {"unusable": UNUSABLE_PASSWORD_PREFIX, "now": now, **defaults},
        )
        created = cursor.rowcount
        cursor.execute(
            """
            INSERT INTO enrollment_enrollment (user_id, account_id, role, nickname, created_at)
            SELECT u.id, a.id, %s, '', %s
            FROM import_stage s
            JOIN enrollment_billingaccount a ON a.account_number = s.account_number
            JOIN accounts_user u
                ON lower(u.email) = s.ebill_email AND u.email <> '' AND u.precreated
            WHERE s.ebill_email <> ''
              AND NOT EXISTS (
                  SELECT 1 FROM enrollment_enrollment AS e
                  WHERE e.user_id = u.id AND e.account_id = a.id
              )
            ON CONFLICT (user_id, account_id) DO NOTHING
            """,
            [Role.HOLDER, now],
        )
    return PrecreateReport(users_created=created, emails_of_registered_users=registered)


# First sign-in -------------------------------------------------------------------------------------


def first_signin_instructions_send(*, user: User) -> None:
    """The welcome email telling a pre-created user how to sign in the first time (both languages)."""
    queue_email("precreated_welcome", user_id=user.pk)


class FirstSignIn(enum.Enum):
    NOT_APPLICABLE = "not_applicable"  # not a pre-created user waiting for a password, or no PIN
    LINK_SENT = "link_sent"
    NO_MATCH = "no_match"  # wrong PIN, or a guessing bound refused to check it


def _waiting_user(username: str) -> User | None:
    return User.objects.filter(
        username=normalized_identifier(username),
        precreated=True,
        must_change_password=True,
        is_active=True,
    ).first()


def first_signin_start(*, username: str, pin: str, ip: str, language: str) -> FirstSignIn:
    """Step 1 of a pre-created user's first sign-in: a correct PIN mails the one-time link.

    They never chose a language (the import cannot know it): the one they sign in with becomes their
    preference, and the link and what follows are in it.
    """
    if not PIN_RE.fullmatch(pin or ""):
        return FirstSignIn.NOT_APPLICABLE
    user = _waiting_user(username or "")
    if user is None:
        return FirstSignIn.NOT_APPLICABLE
    now = timezone.now()
    with transaction.atomic():
        guessing.serialize(ip=ip, user=user)
        standing = guessing.standing(user=user, ip=ip, now=now)
        if standing.refusal is not None:
            record(Kind.PIN_USER_BLOCKED, user=user, scope=standing.refusal.value)
            return FirstSignIn.NO_MATCH
        held = list(
            BillingAccount.objects.select_for_update()
            .filter(enrollments__user=user, enrollments__role=Role.HOLDER)
            .order_by("pk")
        )
        if any(
            not account.is_locked(now)
            and pin_matches(account_number=account.account_number, pin=pin, digest=account.pin_hash)
            for account in held
        ):
            user = User.objects.get(pk=user.pk)
            user.confirmation_token_hash = ""
            user.confirmation_generation += 1
            user.confirmation_sent_at = now
            if language in dict(settings.LANGUAGES):
                user.preferred_language, user.language_chosen = language, True
            user.save(
                update_fields=[
                    "confirmation_token_hash",
                    "confirmation_generation",
                    "confirmation_sent_at",
                    "preferred_language",
                    "language_chosen",
                ]
            )
            queue_email(
                "first_signin_link", user_id=user.pk, generation=user.confirmation_generation
            )
            record(Kind.FIRST_SIGNIN_LINK_SENT, user=user)
            return FirstSignIn.LINK_SENT
        guessing.failure_record(user=user, ip=ip, account_id=None, now=now)
        # A wrong PIN here is a PIN guess against each account the user holds.
        for account in held:
            if not account.is_locked(now):
                count_account_failure(account, now, user)
    return FirstSignIn.NO_MATCH


def first_signin_user(*, token: str) -> User | None:
    """The pre-created user whose current, unexpired first sign-in link this is."""
    if not token:
        return None
    user = User.objects.filter(
        confirmation_token_hash=token_digest(token), precreated=True, must_change_password=True
    ).first()
    if user is None or user.confirmation_link_expired():
        return None
    return user


def first_signin_complete(*, token: str, password: str) -> User | None:
    """Step 2, from the mailed link: set the password; the PIN never signs this user in again.

    Returns the user, or None when the link is no longer valid. The password must already have
    passed validation.
    """
    with transaction.atomic():
        user = (
            User.objects.select_for_update()
            .filter(
                confirmation_token_hash=token_digest(token),
                precreated=True,
                must_change_password=True,
            )
            .first()
        )
        if user is None or user.confirmation_link_expired():
            return None
        user.set_password(password)
        user.must_change_password = False
        user.confirmation_token_hash = ""
        user.save(update_fields=["password", "must_change_password", "confirmation_token_hash"])
        record(Kind.PASSWORD_CHANGED, user=user, first_signin=True)
    logger.info("first sign-in completed user_id=%s", user.pk)
    return user


class FirstSignInBackend(BaseBackend):
    """The login form's hook for the seed's "Usuario = e-bill email, Clave = PIN".

    Never returns a user: a correct PIN only mails the link, and the login page then shows where it
    went (accounts.views.LoginView follows `request.login_next_step`).
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        outcome = first_signin_start(
            username=username,
            pin=password,
            ip=client_ip(request),
            language=translation.get_language(),
        )
        if outcome is FirstSignIn.LINK_SENT:
            request.login_next_step = reverse("enrollment:first_signin_sent")
        return None
