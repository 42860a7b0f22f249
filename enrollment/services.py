"""Enrollment business rules: PIN checks with lockouts, the user's list, account settings."""

import enum
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import enrollment_notice
from enrollment import messages
from enrollment.models import BillingAccount, Enrollment, Invitation, PinGuard, Role
from enrollment.pins import pin_digest, pin_matches
from phxpay.audit import Kind, record
from phxpay.emails import queue_email

logger = logging.getLogger(__name__)

# Compared against when the account number is unknown, so that path costs the same HMAC work.
_NO_SUCH_ACCOUNT_DIGEST = "0" * 64


class EnrollmentOutcome(enum.Enum):
    ENROLLED = "enrolled"
    ALREADY_ENROLLED = "already_enrolled"
    NO_MATCH = "no_match"  # unknown account number or wrong PIN: deliberately one outcome
    ACCOUNT_LOCKED = "account_locked"
    USER_BLOCKED = "user_blocked"


@dataclass(frozen=True)
class EnrollmentResult:
    outcome: EnrollmentOutcome
    account: BillingAccount | None = None
    until: datetime | None = None


def normalize_account_number(value: str) -> str:
    """Customers type numbers as printed on bills: spaces and dashes are not part of the number."""
    return "".join(ch for ch in value if ch not in " -\t")


def _lock_duration(lockouts: int) -> timedelta:
    # 30 min, 1 h, 2 h, … with no cap: at most ~75 guesses per account per year.
    return timedelta(minutes=settings.PIN_ACCOUNT_LOCK_MINUTES) * (2 ** (lockouts - 1))


def _guard_for(user: User, now: datetime) -> PinGuard:
    PinGuard.objects.get_or_create(user=user)
    guard = PinGuard.objects.select_for_update().get(user=user)
    if now - guard.window_started_at >= timedelta(minutes=settings.PIN_USER_WINDOW_MINUTES):
        guard.window_started_at = now
        guard.failures = 0
    return guard


def _count_user_failure(guard: PinGuard, now: datetime) -> None:
    guard.failures += 1
    if guard.failures >= settings.PIN_USER_FAILURE_LIMIT:
        guard.blocked_until = now + timedelta(minutes=settings.PIN_USER_BLOCK_MINUTES)
        guard.failures = 0
        guard.window_started_at = now
        logger.warning(
            "pin guessing: user_id=%s blocked until %s", guard.user_id, guard.blocked_until
        )
        record(Kind.PIN_USER_BLOCKED, user=guard.user, until=guard.blocked_until.isoformat())
    guard.save()


def _count_account_failure(
    account: BillingAccount, now: datetime, user: User | None = None
) -> bool:
    """Record a wrong PIN on a row locked by the caller; True when this one locks the account."""
    account.failed_pin_attempts += 1
    record(Kind.PIN_FAILED, user=user, account=f"****{account.last4}", account_id=account.pk)
    if account.failed_pin_attempts < settings.PIN_ACCOUNT_FAILURE_LIMIT:
        account.save(update_fields=["failed_pin_attempts"])
        return False
    account.lockouts += 1
    account.failed_pin_attempts = 0
    account.locked_until = now + _lock_duration(account.lockouts)
    account.save(update_fields=["failed_pin_attempts", "lockouts", "locked_until"])
    queue_email("account_locked", account_id=account.pk)
    logger.warning("pin lockout: account ****%s until %s", account.last4, account.locked_until)
    record(
        Kind.PIN_LOCKOUT,
        account=f"****{account.last4}",
        account_id=account.pk,
        until=account.locked_until.isoformat(),
    )
    return True


def register_pin_failure(*, account_id: int, now: datetime, user: User | None = None) -> None:
    """A wrong PIN typed somewhere other than the Enroll form (the pre-created users' first sign-in)."""
    with transaction.atomic():
        account = BillingAccount.objects.select_for_update().get(pk=account_id)
        if not account.is_locked(now):
            _count_account_failure(account, now, user)


def enrollment_create(*, user: User, account_number: str, pin: str) -> EnrollmentResult:
    """Link a billing account to `user` when they know its PIN, enforcing both lockouts atomically."""
    now = timezone.now()
    with transaction.atomic():
        # Locking the user's guard row serialises this user's attempts; locking the account row
        # serialises every user's attempts on that account. Always in this order: no deadlock.
        guard = _guard_for(user, now)
        if guard.blocked_until and guard.blocked_until > now:
            return EnrollmentResult(EnrollmentOutcome.USER_BLOCKED, until=guard.blocked_until)
        account = (
            BillingAccount.objects.select_for_update().filter(account_number=account_number).first()
        )
        if account is not None and Enrollment.objects.filter(user=user, account=account).exists():
            return EnrollmentResult(EnrollmentOutcome.ALREADY_ENROLLED, account=account)
        if account is not None and account.is_locked(now):
            return EnrollmentResult(EnrollmentOutcome.ACCOUNT_LOCKED, until=account.locked_until)
        correct = pin_matches(
            account_number=account_number,
            pin=pin,
            digest=account.pin_hash if account is not None else _NO_SUCH_ACCOUNT_DIGEST,
        )
        if not correct:
            _count_user_failure(guard, now)
            if account is None:
                record(Kind.PIN_FAILED, user=user, account="unknown")
                return EnrollmentResult(EnrollmentOutcome.NO_MATCH)
            if _count_account_failure(account, now, user):
                return EnrollmentResult(
                    EnrollmentOutcome.ACCOUNT_LOCKED, account=account, until=account.locked_until
                )
            return EnrollmentResult(EnrollmentOutcome.NO_MATCH)
        account.failed_pin_attempts = 0
        account.lockouts = 0
        account.locked_until = None
        account.save(update_fields=["failed_pin_attempts", "lockouts", "locked_until"])
        try:
            with transaction.atomic():
                Enrollment.objects.create(user=user, account=account, role=Role.HOLDER)
        except IntegrityError:
            # The same user enrolled it in a parallel request.
            return EnrollmentResult(EnrollmentOutcome.ALREADY_ENROLLED, account=account)
        queue_email("account_enrolled", account_id=account.pk, username=user.username)
        enrollment_notice(user=user, event="account_added", last4=account.last4)
    logger.info("enrolled: user_id=%s account ****%s", user.pk, account.last4)
    record(Kind.ENROLLED, user=user, account=f"****{account.last4}", account_id=account.pk)
    return EnrollmentResult(EnrollmentOutcome.ENROLLED, account=account)


def enrollments_for(*, user: User):
    """The user's Account(s) list: one query, however many accounts."""
    return (
        Enrollment.objects.filter(user=user)
        .select_related("account", "invitation__invited_by")
        .order_by("created_at", "pk")
    )


def enrollment_settings_update(
    *, enrollment: Enrollment, nickname: str, paperless: bool, ebill_email: str
) -> None:
    with transaction.atomic():
        enrollment.nickname = nickname
        enrollment.save(update_fields=["nickname"])
        if enrollment.can_change_settings:
            account = BillingAccount.objects.select_for_update().get(pk=enrollment.account_id)
            account.paperless = paperless
            account.ebill_email = ebill_email
            account.save(update_fields=["paperless", "ebill_email", "updated_at"])
            enrollment.account = account


def enrollment_remove(*, enrollment: Enrollment) -> None:
    account = enrollment.account
    enrollment.delete()
    enrollment_notice(user=enrollment.user, event="account_removed", last4=account.last4)
    record(
        Kind.ENROLLMENT_REMOVED,
        user=enrollment.user,
        account=f"****{account.last4}",
        account_id=account.pk,
    )


def account_unlock(*, account: BillingAccount, by: User | None = None) -> None:
    """Support/staff: clear the lock and the counters (the next lockout starts at 30 minutes again)."""
    BillingAccount.objects.filter(pk=account.pk).update(
        failed_pin_attempts=0, lockouts=0, locked_until=None, updated_at=timezone.now()
    )
    record(Kind.ACCOUNT_UNLOCKED, user=by, account=f"****{account.last4}", account_id=account.pk)


def account_pin_set(*, account: BillingAccount, pin: str) -> None:
    account.pin_hash = pin_digest(account_number=account.account_number, pin=pin)
    account.save(update_fields=["pin_hash", "updated_at"])


# Invitations ---------------------------------------------------------------------------------------


class InvitationError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


class InvitationOutcome(enum.Enum):
    SENT = "sent"
    RESENT = "resent"  # a duplicate of an open invitation refreshes and resends it


def _open_invitations():
    return Invitation.objects.filter(accepted_at__isnull=True, revoked_at__isnull=True)


def _mail_invitation_after_commit(invitation: Invitation) -> None:
    queue_email("invitation", invitation_id=invitation.pk)


def invitation_create(
    *, holder: Enrollment, email: str, role: str
) -> tuple[InvitationOutcome, Invitation]:
    """A holder shares the account with an email address. Raises InvitationError with the reason."""
    if not holder.is_holder:
        raise PermissionError("only the account holder can invite")
    email = email.strip()
    now = timezone.now()
    inviter = holder.user
    if inviter.email and inviter.email.lower() == email.lower():
        raise InvitationError(messages.INVITE_SELF)
    if Enrollment.objects.filter(account_id=holder.account_id, user__email__iexact=email).exists():
        raise InvitationError(messages.INVITE_HAS_ACCESS % {"email": email})
    with transaction.atomic():
        # Serialise one holder's invitations so the daily limit holds under parallel requests.
        User.objects.select_for_update().filter(pk=inviter.pk).first()
        existing = (
            _open_invitations()
            .select_for_update()
            .filter(account_id=holder.account_id, email__iexact=email)
            .first()
        )
        sent_today = Invitation.objects.filter(
            invited_by=inviter, sent_at__gte=now - timedelta(days=1)
        ).count()
        if sent_today >= settings.INVITATIONS_PER_HOLDER_PER_DAY:
            raise InvitationError(
                messages.INVITE_LIMIT % {"limit": settings.INVITATIONS_PER_HOLDER_PER_DAY}
            )
        expires = now + timedelta(days=settings.INVITATION_DAYS)
        if existing is not None:
            existing.role = role
            existing.sent_at = now
            existing.expires_at = expires
            existing.save(update_fields=["role", "sent_at", "expires_at"])
            _mail_invitation_after_commit(existing)
            return InvitationOutcome.RESENT, existing
        invitation = Invitation.objects.create(
            account_id=holder.account_id,
            invited_by=inviter,
            email=email.lower(),
            role=role,
            sent_at=now,
            expires_at=expires,
        )
        _mail_invitation_after_commit(invitation)
    logger.info("invitation sent: account ****%s", holder.account.last4)
    record(
        Kind.INVITATION_SENT,
        user=inviter,
        account_id=holder.account_id,
        invitation_id=invitation.pk,
    )
    return InvitationOutcome.SENT, invitation


def invitation_resend(*, invitation: Invitation) -> None:
    if invitation.accepted_at or invitation.revoked_at:
        raise InvitationError(messages.INVITE_NOT_OPEN)
    now = timezone.now()
    invitation.sent_at = now
    invitation.expires_at = now + timedelta(days=settings.INVITATION_DAYS)
    with transaction.atomic():
        invitation.save(update_fields=["sent_at", "expires_at"])
        _mail_invitation_after_commit(invitation)


def invitation_revoke(*, invitation: Invitation, by: User | None = None) -> None:
    """Close the invitation; if it was accepted, the guest loses access at once."""
    with transaction.atomic():
        Enrollment.objects.filter(invitation=invitation).delete()
        if invitation.revoked_at is None:
            invitation.revoked_at = timezone.now()
            invitation.save(update_fields=["revoked_at"])
            record(
                Kind.INVITATION_REVOKED,
                user=by,
                account_id=invitation.account_id,
                invitation_id=invitation.pk,
            )


def invitations_accept_for(*, user: User) -> list[Invitation]:
    """Give a confirmed user every account openly invited to their email address."""
    if not user.email or not user.is_confirmed:
        return []
    now = timezone.now()
    accepted = []
    waiting = _open_invitations().filter(email__lower=user.email.lower(), expires_at__gt=now)
    # One cheap query on every Account(s) page; the locking transaction only when there is work.
    if not waiting.exists():
        return accepted
    with transaction.atomic():
        invitations = list(
            _open_invitations()
            .select_for_update(skip_locked=True)
            .filter(email__lower=user.email.lower(), expires_at__gt=now)
            .select_related("account", "invited_by")
        )
        for invitation in invitations:
            invitation.accepted_at = now
            invitation.accepted_by = user
            invitation.save(update_fields=["accepted_at", "accepted_by"])
            _enrollment, created = Enrollment.objects.get_or_create(
                user=user,
                account=invitation.account,
                defaults={"role": invitation.role, "invitation": invitation},
            )
            if created:
                accepted.append(invitation)
                record(
                    Kind.INVITATION_ACCEPTED,
                    user=user,
                    account_id=invitation.account_id,
                    invitation_id=invitation.pk,
                )
                queue_email("invitation_accepted", invitation_id=invitation.pk, guest_id=user.pk)
    return accepted
