"""Registration, confirmation, password and email-change rules for web users.

Views and commands call these. Users are also written by the CIS import (pre-created e-bill users,
enrollment/precreated.py), by the pre-created users' first sign-in and by the admin.
"""

import enum
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import NamedTuple

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts import messages
from accounts.models import EmailChange, EmailChangeUndo, User, UserSession
from accounts.notices import Notice
from accounts.tokens import new_token, token_digest
from phxpay.audit import Kind, record
from phxpay.emails import queue_email

logger = logging.getLogger(__name__)

# How long the old address can undo an email change (accounts.models.EmailChangeUndo).
EMAIL_CHANGE_UNDO_DAYS = 7


class RegistrationProblem(NamedTuple):
    field: str  # the form field the message belongs to
    code: str  # phxpay.help.HELP_FOR_ERROR names its Help entry
    message: str


class RegistrationError(Exception):
    """Step 1 refused, with every problem at once."""

    def __init__(self, problems: list[RegistrationProblem]):
        super().__init__("; ".join(str(problem.message) for problem in problems))
        self.problems = problems


class RegistrationOutcome(enum.Enum):
    CREATED = "created"
    RESENT = "resent"  # the seed's "Volver a Registrarse": new link, earlier ones dead


class ConfirmationResult(enum.Enum):
    CONFIRMED = "confirmed"
    MISMATCH = "mismatch"
    BURNED = "burned"  # this mismatch was the last one the link allows: it works no more
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class Registration:
    outcome: RegistrationOutcome
    user: User
    # The previous email to this address bounced: the customer should check it.
    previous_email_bounced: bool = False


def _new_link_requested(user: User) -> None:
    """Kill every earlier link now; the email (queued by the caller) makes the new one."""
    user.confirmation_token_hash = ""
    user.confirmation_generation += 1
    user.confirmation_sent_at = timezone.now()
    user.confirmation_mismatches = 0


def _queue_link_email(user: User) -> None:
    queue_email(
        "registration_confirmation", user_id=user.pk, generation=user.confirmation_generation
    )


def registration_problems(*, username: str | None, email: str | None) -> list[RegistrationProblem]:
    """The seed's step-1 errors, all of them (either value may be missing when the form already
    refused it): the User Name's, then the Email Address's."""
    same_name = User.objects.filter(username__lower=username.lower()).first() if username else None
    if (
        same_name is not None
        and email
        and same_name.username == username
        and same_name.email.lower() == email.lower()
    ):
        if not same_name.is_confirmed:
            return []  # registering again: a new link (the seed's "Volver a Registrarse")
        message = messages.ALREADY_REGISTERED % {"username": username}
        return [RegistrationProblem("username", "already_registered", message)]
    problems = []
    if same_name is not None:
        message = messages.USERNAME_IN_USE % {"username": username}
        problems.append(RegistrationProblem("username", "username_in_use", message))
    if email and User.objects.exclude(email="").filter(email__lower=email.lower()).exists():
        message = messages.EMAIL_IN_USE % {"email": email}
        problems.append(RegistrationProblem("email", "email_in_use", message))
    return problems


def registration_start(
    *, username: str, first_name: str, last_name: str, email: str, language: str
) -> Registration:
    """Step 1: reserve the User Name and Email Address and email a confirmation link.

    Registering again with the same User Name and Email Address before confirming sends a new link and
    kills every earlier one. Raises RegistrationError with the seed's message otherwise.
    """
    problems = registration_problems(username=username, email=email)
    if problems:
        raise RegistrationError(problems)
    try:
        with transaction.atomic():
            user = (
                User.objects.select_for_update()
                .filter(username=username, email__lower=email.lower(), confirmed_at__isnull=True)
                .first()
            )
            outcome = RegistrationOutcome.RESENT
            bounced = user is not None and user.email_bounced_at is not None
            if user is None:
                user = User(username=username)
                user.set_unusable_password()
                outcome = RegistrationOutcome.CREATED
            user.first_name = first_name
            user.last_name = last_name
            # The newest registration's casing is what step 2 will ask for, and what the email shows.
            user.email = email
            user.preferred_language = language
            user.language_chosen = True
            user.email_bounced_at = None
            _new_link_requested(user)
            user.save()
            _queue_link_email(user)
    except IntegrityError:
        # A simultaneous registration took the name or address between our check and our insert.
        problems = registration_problems(username=username, email=email)
        if not problems:  # pragma: no cover - the constraint that fired is always one of the two
            raise
        raise RegistrationError(problems) from None
    logger.info("registration %s user_id=%s", outcome.value, user.pk)
    record(Kind.REGISTERED, user=user, outcome=outcome.value)
    return Registration(outcome=outcome, user=user, previous_email_bounced=bounced)


def confirmation_user(*, token: str) -> User | None:
    """The pending user whose *current*, unexpired link this is; None for any other link."""
    user = User.objects.filter(
        confirmation_token_hash=token_digest(token), confirmed_at__isnull=True
    ).first()
    if user is None or user.confirmation_link_expired():
        return None
    return user


class Confirmation(NamedTuple):
    result: ConfirmationResult
    user: User | None = None
    # After a MISMATCH: how many more tries this link allows before it stops working.
    tries_left: int = 0


def registration_confirm(*, token: str, username: str, email: str, password: str) -> Confirmation:
    """Step 2: check User Name and Email exactly as registered, then set the password.

    Too many mismatches burn the link. The password must already have passed validation.
    """
    with transaction.atomic():
        user = (
            User.objects.select_for_update()
            .filter(confirmation_token_hash=token_digest(token), confirmed_at__isnull=True)
            .first()
        )
        if user is None or user.confirmation_link_expired():
            return Confirmation(ConfirmationResult.NOT_FOUND)
        if user.username != username or user.email != email:
            user.confirmation_mismatches += 1
            burned = user.confirmation_mismatches >= settings.CONFIRMATION_MAX_MISMATCHES
            if burned:
                user.confirmation_token_hash = ""
            user.save(update_fields=["confirmation_mismatches", "confirmation_token_hash"])
            if burned:
                return Confirmation(ConfirmationResult.BURNED)
            return Confirmation(
                ConfirmationResult.MISMATCH,
                tries_left=settings.CONFIRMATION_MAX_MISMATCHES - user.confirmation_mismatches,
            )
        user.set_password(password)
        user.confirmed_at = timezone.now()
        user.confirmation_token_hash = ""
        user.confirmation_mismatches = 0
        user.save()
    logger.info("registration confirmed user_id=%s", user.pk)
    record(Kind.REGISTRATION_CONFIRMED, user=user)
    return Confirmation(ConfirmationResult.CONFIRMED, user)


class NothingToResend(Exception):
    pass


def confirmation_resend(*, user: User) -> None:
    """Support/staff: mail a pending user a new link; every earlier link stops working."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.is_confirmed or not user.email:
            raise NothingToResend(user.username)
        _new_link_requested(user)
        user.save(
            update_fields=[
                "confirmation_token_hash",
                "confirmation_generation",
                "confirmation_sent_at",
                "confirmation_mismatches",
            ]
        )
        _queue_link_email(user)


def find_pending_user(*, identifier: str) -> User | None:
    """A user by exact User Name, else by Email Address (case-insensitive)."""
    return (
        User.objects.filter(username=identifier).first()
        or User.objects.exclude(email="").filter(email__lower=identifier.lower()).first()
    )


def unconfirmed_purge(*, older_than_days: int) -> int:
    """Delete registrations never confirmed whose latest link is older than the given days."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    stale = User.objects.annotate(
        last_activity=Coalesce("confirmation_sent_at", "date_joined")
    ).filter(
        confirmed_at__isnull=True,
        is_staff=False,
        is_superuser=False,
        last_activity__lt=cutoff,
    )
    _total, per_model = stale.delete()
    return per_model.get(User._meta.label, 0)


def password_reset_request(*, email: str) -> None:
    """Queue a reset email for this address; the same work whether or not an account uses it.

    The builder looks the address up when sending and skips an unknown one, so neither the answer
    nor its timing tells anyone whether the address is registered.
    """
    user = (
        User.objects.exclude(email="")
        .filter(email__lower=email.lower(), is_active=True, confirmed_at__isnull=False)
        .first()
    )
    record(Kind.PASSWORD_RESET_REQUESTED, user=user, username="" if user else "(unknown)")
    queue_email("password_reset", email=email)


def preferred_language_set(*, user: User, language: str) -> None:
    """The person chose a language (User Profile or the language switch): their emails use it."""
    if language not in dict(settings.LANGUAGES):
        return
    if (user.preferred_language, user.language_chosen) != (language, True):
        user.preferred_language, user.language_chosen = language, True
        user.save(update_fields=["preferred_language", "language_chosen"])


def preferred_language_adopt(*, user: User, language: str) -> None:
    """At sign-in: someone who never chose a language (a pre-created e-bill user, a user staff
    created) gets the one they signed in with, so their emails match the pages they use."""
    if not user.language_chosen:
        preferred_language_set(user=user, language=language)


def profile_update(*, user: User, first_name: str, last_name: str, language: str) -> User:
    """User Profile's form (its field choices are settings.LANGUAGES)."""
    user.first_name, user.last_name = first_name, last_name
    user.preferred_language, user.language_chosen = language, True
    user.save(update_fields=["first_name", "last_name", "preferred_language", "language_chosen"])
    return user


# Sessions and security notices --------------------------------------------------------------------


def session_started(*, user: User, session_key: str) -> None:
    if session_key:
        UserSession.objects.get_or_create(session_key=session_key, defaults={"user": user})


def sessions_end_others(*, user: User, keep_session_key: str | None) -> int:
    """End, server-side, every session of `user` except the one given (None: end them all)."""
    from django.contrib.sessions.models import Session

    others = UserSession.objects.filter(user=user)
    if keep_session_key:
        others = others.exclude(session_key=keep_session_key)
    keys = list(others.values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    others.delete()
    return len(keys)


def password_reset_complete(*, user_id: int, token: str, password: str) -> User | None:
    """Set the new password from a reset link, once: None when the link no longer holds.

    Two posts of one link at once: the row lock makes the second wait, and its token, tied to the
    password hash the first one replaced, then fails the check. The password must already have
    passed validation.
    """
    from django.contrib.auth.tokens import default_token_generator

    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user_id).first()
        if user is None or not default_token_generator.check_token(user, token):
            return None
        user.set_password(password)
        user.save(update_fields=["password"])
        password_changed(user=user, keep_session_key=None, reset=True)
    return user


def password_changed(*, user: User, keep_session_key: str | None, reset: bool = False) -> None:
    """After any password change: end the other sessions, record it, tell the user by email.

    A real password also ends a pre-created user's PIN sign-in for good (a reset can be how they
    first set one).
    """
    if user.must_change_password:
        user.must_change_password = False
        user.save(update_fields=["must_change_password"])
    if keep_session_key:
        session_started(user=user, session_key=keep_session_key)
    sessions_end_others(user=user, keep_session_key=keep_session_key)
    record(Kind.PASSWORD_RESET if reset else Kind.PASSWORD_CHANGED, user=user)
    notice = Notice.PASSWORD_RESET if reset else Notice.PASSWORD_CHANGED
    queue_email("security_notice", user_id=user.pk, notice=notice)


# Email address change -----------------------------------------------------------------------------


class EmailChangeError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def email_change_request(*, user: User, new_email: str) -> None:
    """Mail a link to the new address and a notice to the current one; nothing changes yet."""
    new_email = new_email.strip()
    if new_email.lower() == user.email.lower():
        raise EmailChangeError(messages.EMAIL_SAME)
    if (
        User.objects.exclude(email="")
        .filter(email__lower=new_email.lower())
        .exclude(pk=user.pk)
        .exists()
    ):
        raise EmailChangeError(messages.EMAIL_IN_USE_SHORT)
    # A placeholder digest until the email is sent: the link's token is made only then.
    _unused, placeholder = new_token()
    with transaction.atomic():
        EmailChange.objects.update_or_create(
            user=user,
            defaults={
                "new_email": new_email,
                "token_hash": placeholder,
                "created_at": timezone.now(),
            },
        )
        record(Kind.EMAIL_CHANGE_REQUESTED, user=user)
        queue_email("email_change", user_id=user.pk, new_email=new_email)
        if user.email:
            queue_email(
                "security_notice",
                user_id=user.pk,
                notice=Notice.EMAIL_CHANGE_REQUESTED,
                new_email=new_email,
            )


def email_change_link_valid(*, token: str) -> bool:
    """Whether an email change link is current, before anything about it is kept in a session."""
    change = EmailChange.objects.filter(token_hash=token_digest(token)).first()
    return change is not None and not change.expired()


def email_change_pending(*, user: User, token: str) -> EmailChange | None:
    change = EmailChange.objects.filter(user=user, token_hash=token_digest(token)).first()
    if change is None or change.expired():
        return None
    return change


def email_change_confirm(*, user: User, token: str) -> str:
    """Apply the new address (the link's owner must be the signed-in user). Returns it."""
    with transaction.atomic():
        change = (
            EmailChange.objects.select_for_update()
            .filter(user=user, token_hash=token_digest(token))
            .first()
        )
        if change is None or change.expired():
            raise EmailChangeError(messages.EMAIL_CHANGE_LINK_INVALID)
        old_email = user.email
        user.email = change.new_email
        try:
            with transaction.atomic():
                user.save(update_fields=["email"])
        except IntegrityError:
            raise EmailChangeError(messages.EMAIL_IN_USE_SHORT) from None
        change.delete()
        record(Kind.EMAIL_CHANGED, user=user)
        queue_email(
            "security_notice",
            user_id=user.pk,
            notice=Notice.EMAIL_CHANGED,
            to=user.email,
            new_email=user.email,
        )
        if old_email:
            # The old address learns of it with a link that undoes it (EMAIL_CHANGE_UNDO_DAYS).
            _unused, placeholder = new_token()
            EmailChangeUndo.objects.update_or_create(
                user=user,
                defaults={
                    "old_email": old_email,
                    "token_hash": placeholder,
                    "created_at": timezone.now(),
                },
            )
            queue_email("email_change_undo", user_id=user.pk, old_email=old_email)
    return user.email


def email_change_undo_pending(*, token: str) -> EmailChangeUndo | None:
    if not token:
        return None
    undo = (
        EmailChangeUndo.objects.select_related("user")
        .filter(token_hash=token_digest(token))
        .first()
    )
    if undo is None or timezone.now() - undo.created_at > timedelta(days=EMAIL_CHANGE_UNDO_DAYS):
        return None
    return undo


def email_change_undo(*, token: str) -> User:
    """Put the old address back and lock whoever changed it out.

    Every session ends and the password stops working; a reset link goes to the restored address,
    so only its owner can sign in again.
    """
    with transaction.atomic():
        undo = (
            EmailChangeUndo.objects.select_for_update()
            .select_related("user")
            .filter(token_hash=token_digest(token))
            .first()
        )
        if undo is None or timezone.now() - undo.created_at > timedelta(
            days=EMAIL_CHANGE_UNDO_DAYS
        ):
            raise EmailChangeError(
                messages.EMAIL_UNDO_LINK_INVALID % {"days": EMAIL_CHANGE_UNDO_DAYS}
            )
        user = User.objects.select_for_update().get(pk=undo.user_id)
        taken = (
            User.objects.filter(email__lower=undo.old_email.lower()).exclude(pk=user.pk).exists()
        )
        if taken:
            raise EmailChangeError(messages.EMAIL_IN_USE_SHORT)
        user.email = undo.old_email
        user.set_unusable_password()
        user.save(update_fields=["email", "password"])
        undo.delete()
        EmailChange.objects.filter(user=user).delete()
        sessions_end_others(user=user, keep_session_key=None)
        record(Kind.EMAIL_CHANGE_UNDONE, user=user)
        queue_email("password_reset", email=user.email)
    return user


# Support ----------------------------------------------------------------------------------------


def signin_unlock(*, username: str, by: User | None = None, operator: str = "") -> int:
    """Support: end the sign-in pause of a User Name (django-axes' failures for every spelling of
    it). Returns how many recorded failures were cleared; 0 means it was not paused."""
    from axes.utils import reset

    from phxpay.ratelimit import normalized_identifier

    cleared = reset(username=normalized_identifier(username)[:255])
    if cleared:
        user = User.objects.filter(username=username).first()
        record(
            Kind.SIGNIN_UNLOCKED,
            user=user,
            username=username,
            by=by.get_username() if by else "",
            operator=operator,
            cleared=cleared,
        )
    return cleared
