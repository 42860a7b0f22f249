"""Enrollment business rules: PIN checks with lockouts, the user's list, account settings."""

import enum
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from accounts.notices import Notice
from enrollment import guessing, messages
from enrollment.models import BillingAccount, Enrollment, Invitation, ReminderDays, Role
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
    NETWORK_BLOCKED = "network_blocked"  # the address's wrong-PIN budget is spent
    # The ZIP code and house number must come with this PIN (enrollment/guessing.py).
    STEP_UP_REQUIRED = "step_up_required"


@dataclass(frozen=True)
class EnrollmentResult:
    outcome: EnrollmentOutcome
    account: BillingAccount | None = None
    until: datetime | None = None
    # NO_MATCH on an existing account: wrong PINs left before it locks, and for how long it would.
    tries_left: int | None = None
    pause: timedelta | None = None


def _enrollment_notice(*, user: User, notice: Notice, last4: str) -> None:
    """The "was this you?" email to a user whose Account(s) list changed."""
    queue_email("security_notice", user_id=user.pk, notice=notice, last4=last4)


def normalize_account_number(value: str) -> str:
    """Customers type numbers as printed on bills: spaces and dashes are not part of the number."""
    return "".join(ch for ch in value if ch not in " -\t")


def _lock_duration(lockouts: int) -> timedelta:
    # 30 min, 1 h, 2 h, … with no cap: at most ~75 guesses per account per year.
    return timedelta(minutes=settings.PIN_ACCOUNT_LOCK_MINUTES) * (2 ** (lockouts - 1))


def count_account_failure(account: BillingAccount, now: datetime, user: User | None = None) -> bool:
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


def _refused(standing: guessing.Standing, user: User | None) -> EnrollmentResult:
    if standing.refusal is guessing.Refusal.NETWORK_BLOCKED:
        logger.warning("pin guessing: network budget spent until %s", standing.until)
        record(Kind.PIN_USER_BLOCKED, user=user, scope="network", until=standing.until.isoformat())
        return EnrollmentResult(EnrollmentOutcome.NETWORK_BLOCKED, until=standing.until)
    record(Kind.PIN_USER_BLOCKED, user=user, scope="user", until=standing.until.isoformat())
    return EnrollmentResult(EnrollmentOutcome.USER_BLOCKED, until=standing.until)


def service_address_matches(account: BillingAccount, service_zip: str, house_number: str) -> bool:
    house = account.house_number.lstrip("0") or "0"
    return bool(account.service_zip and account.house_number) and (
        account.service_zip == service_zip.strip()[:5] and house == house_number.strip()
    )


def pin_check(
    *,
    account_number: str,
    pin: str,
    user: User | None,
    ip: str,
    service_zip: str = "",
    house_number: str = "",
    now: datetime,
) -> EnrollmentResult:
    """Check one PIN against every bound in enrollment/guessing.py (call in a transaction).

    Returns ENROLLED for a match (the caller acts on it) with the account row locked; any other
    outcome is final. Wrong PINs are counted against the user, the address and the account.
    """
    guessing.serialize(ip=ip, user=user)
    standing = guessing.standing(user=user, ip=ip, now=now)
    if standing.refusal is not None:
        return _refused(standing, user)
    step_up = guessing.needs_step_up(standing=standing, pin=pin)
    if step_up and not (service_zip.strip() and house_number.strip()):
        # Nothing is checked yet: the answer depends only on what was typed and who typed it.
        return EnrollmentResult(EnrollmentOutcome.STEP_UP_REQUIRED)
    account = (
        BillingAccount.objects.select_for_update().filter(account_number=account_number).first()
    )
    if (
        account is not None
        and user is not None
        and Enrollment.objects.filter(user=user, account=account).exists()
    ):
        return EnrollmentResult(EnrollmentOutcome.ALREADY_ENROLLED, account=account)
    if account is not None and account.is_locked(now):
        return EnrollmentResult(EnrollmentOutcome.ACCOUNT_LOCKED, until=account.locked_until)
    correct = pin_matches(
        account_number=account_number,
        pin=pin,
        digest=account.pin_hash if account is not None else _NO_SUCH_ACCOUNT_DIGEST,
    )
    if correct and step_up:
        correct = service_address_matches(account, service_zip, house_number)
    if not correct:
        guessing.failure_record(
            user=user,
            ip=ip,
            account_id=account.pk if account else None,
            now=now,
            account_number=account_number,
        )
        if account is None:
            record(Kind.PIN_FAILED, user=user, account="unknown")
            misses = guessing.misses_on_unknown_number(
                user=user, ip=ip, account_number=account_number, now=now
            )
            return EnrollmentResult(
                EnrollmentOutcome.NO_MATCH,
                tries_left=max(1, settings.PIN_ACCOUNT_FAILURE_LIMIT - misses),
                pause=_lock_duration(1),
            )
        if count_account_failure(account, now, user):
            return EnrollmentResult(
                EnrollmentOutcome.ACCOUNT_LOCKED, account=account, until=account.locked_until
            )
        return EnrollmentResult(
            EnrollmentOutcome.NO_MATCH,
            tries_left=settings.PIN_ACCOUNT_FAILURE_LIMIT - account.failed_pin_attempts,
            pause=_lock_duration(account.lockouts + 1),
        )
    account.failed_pin_attempts = 0
    account.lockouts = 0
    account.locked_until = None
    account.save(update_fields=["failed_pin_attempts", "lockouts", "locked_until"])
    return EnrollmentResult(EnrollmentOutcome.ENROLLED, account=account)


def _announce_enrollment(*, account: BillingAccount, user: User) -> None:
    """Tell everyone who already has the account, and its e-bill address, who just added it."""
    queue_email("account_enrolled", account_id=account.pk, username=user.username)
    others = (
        Enrollment.objects.filter(account=account)
        .exclude(user=user)
        .exclude(user__email="")
        .values_list("user_id", flat=True)
    )
    for other_id in others:
        queue_email(
            "account_enrolled", account_id=account.pk, username=user.username, to_user_id=other_id
        )


def enrollment_create(
    *,
    user: User,
    account_number: str,
    pin: str,
    ip: str,
    service_zip: str = "",
    house_number: str = "",
) -> EnrollmentResult:
    """Link a billing account to `user` when they know its PIN, within every guessing bound."""
    now = timezone.now()
    with transaction.atomic():
        result = pin_check(
            account_number=account_number,
            pin=pin,
            user=user,
            ip=ip,
            service_zip=service_zip,
            house_number=house_number,
            now=now,
        )
        if result.outcome is not EnrollmentOutcome.ENROLLED:
            return result
        account = result.account
        try:
            with transaction.atomic():
                Enrollment.objects.create(user=user, account=account, role=Role.HOLDER)
        except IntegrityError:
            # The same user enrolled it in a parallel request.
            return EnrollmentResult(EnrollmentOutcome.ALREADY_ENROLLED, account=account)
        _announce_enrollment(account=account, user=user)
        _enrollment_notice(user=user, notice=Notice.ACCOUNT_ADDED, last4=account.last4)
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


class SettingsError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _cooldown_check(enrollment: Enrollment, message) -> None:
    """A new enrollee may not yet silence or share the account (guessing.NEW_ENROLLMENT_COOLDOWN)."""
    if enrollment.role != Role.HOLDER or enrollment.invitation_id is not None:
        return
    until = guessing.cooldown_until(enrolled_at=enrollment.created_at)
    if until > timezone.now():
        raise SettingsError(message % {"until": until})


def enrollment_settings_update(
    *,
    enrollment: Enrollment,
    nickname: str,
    paperless: bool,
    ebill_email: str,
    bill_ready_email: bool = False,
    due_reminder_days: int = ReminderDays.OFF,
) -> None:
    """Nickname and one's own bill emails (new bill, due date reminder): anyone; paperless: holder
    and manage; the billing (e-bill) email: holders only.

    A changed billing email is announced to the old address and to every holder.
    """
    with transaction.atomic():
        enrollment.nickname = nickname
        enrollment.bill_ready_email = bill_ready_email
        enrollment.due_reminder_days = ReminderDays(due_reminder_days)
        enrollment.save(update_fields=["nickname", "bill_ready_email", "due_reminder_days"])
        if not enrollment.can_change_settings:
            return
        account = BillingAccount.objects.select_for_update().get(pk=enrollment.account_id)
        old_email = account.ebill_email
        email_changed = ebill_email.strip().lower() != old_email.lower()
        if email_changed:
            if not enrollment.is_holder:
                raise SettingsError(messages.BILLING_EMAIL_HOLDER_ONLY)
            _cooldown_check(enrollment, messages.BILLING_EMAIL_COOLDOWN)
            account.ebill_email = ebill_email.strip()
        account.paperless = paperless
        account.save(update_fields=["paperless", "ebill_email", "updated_at"])
        enrollment.account = account
        if email_changed:
            record(
                Kind.BILLING_EMAIL_CHANGED,
                user=enrollment.user,
                account=f"****{account.last4}",
                account_id=account.pk,
            )
            if old_email:
                queue_email("billing_email_changed", account_id=account.pk, to_email=old_email)
            holders = Enrollment.objects.filter(account=account, role=Role.HOLDER).exclude(
                user__email=""
            )
            for holder_id in holders.values_list("user_id", flat=True):
                queue_email("billing_email_changed", account_id=account.pk, to_user_id=holder_id)


def enrollment_remove(*, enrollment: Enrollment) -> None:
    """Remove an account from a list. A holder's open invitations die with their access, and so
    does every open invitation once nobody holds the account."""
    account = enrollment.account
    with transaction.atomic():
        enrollment.delete()
        if enrollment.is_holder:
            dead = _open_invitations().filter(account=account)
            if Enrollment.objects.filter(account=account, role=Role.HOLDER).exists():
                dead = dead.filter(invited_by_id=enrollment.user_id)
            dead.update(revoked_at=timezone.now())
        _enrollment_notice(user=enrollment.user, notice=Notice.ACCOUNT_REMOVED, last4=account.last4)
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
    try:
        _cooldown_check(holder, messages.INVITE_COOLDOWN)
    except SettingsError as error:
        raise InvitationError(error.message) from None
    email = email.strip()
    now = timezone.now()
    inviter = holder.user
    if inviter.email and inviter.email.lower() == email.lower():
        raise InvitationError(messages.INVITE_SELF)
    if Enrollment.objects.filter(
        account_id=holder.account_id, user__email__lower=email.lower()
    ).exists():
        raise InvitationError(messages.INVITE_HAS_ACCESS % {"email": email})
    with transaction.atomic():
        # Serialise one holder's invitations so the daily limit holds under parallel requests.
        User.objects.select_for_update().filter(pk=inviter.pk).first()
        existing = (
            _open_invitations()
            .select_for_update()
            .filter(account_id=holder.account_id, email__lower=email.lower())
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
        holding = set(
            Enrollment.objects.filter(
                account_id__in=[invitation.account_id for invitation in invitations],
                role=Role.HOLDER,
            ).values_list("user_id", "account_id")
        )
        for invitation in invitations:
            if (invitation.invited_by_id, invitation.account_id) not in holding:
                # The inviter no longer holds the account: the invitation died with their access.
                invitation.revoked_at = now
                invitation.save(update_fields=["revoked_at"])
                continue
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
