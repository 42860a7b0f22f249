import re

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

ACCOUNT_NUMBER_VALIDATOR = RegexValidator(r"^\d{10}$", _("Enter exactly 10 digits."))


class BillingAccount(models.Model):
    """A City Services billing account, as loaded from the city's billing system (CIS)."""

    account_number = models.CharField(
        _("Account Number"), max_length=10, unique=True, validators=[ACCOUNT_NUMBER_VALIDATOR]
    )
    first_name = models.CharField(_("holder first name"), max_length=150, blank=True)
    last_name = models.CharField(_("holder last name"), max_length=150, blank=True)
    service_address = models.CharField(_("service address"), max_length=255)
    # With the house number (the address's first word), the second identifier asked when enrolling
    # looks like guessing (enrollment/guessing.py).
    service_zip = models.CharField(_("service ZIP code"), max_length=5, blank=True)
    ebill_email = models.EmailField(_("e-bill email"), max_length=254, blank=True)
    paperless = models.BooleanField(_("paperless (e-bill)"), default=False)
    balance = models.DecimalField(_("balance"), max_digits=12, decimal_places=2, default=0)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    # HMAC-SHA256 keyed with PIN_PEPPER (enrollment/pins.py); never the PIN itself.
    pin_hash = models.CharField(max_length=64, editable=False)
    failed_pin_attempts = models.PositiveSmallIntegerField(_("consecutive wrong PINs"), default=0)
    lockouts = models.PositiveSmallIntegerField(_("lockouts since the last correct PIN"), default=0)
    locked_until = models.DateTimeField(_("enrollment locked until"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("billing account")
        verbose_name_plural = _("billing accounts")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(account_number__regex=r"^[0-9]{10}$"),
                name="enrollment_account_number_10_digits",
            ),
        ]

    def __str__(self):
        return self.account_number

    @property
    def holder_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def house_number(self) -> str:
        match = re.match(r"\s*([0-9]+)", self.service_address)
        return match.group(1) if match else ""

    @property
    def last4(self) -> str:
        return self.account_number[-4:]

    @property
    def is_past_due(self) -> bool:
        """A balance still owed after its due date (the latest bill's, kept here by import_bills)."""
        return (
            self.balance > 0 and self.due_date is not None and self.due_date < timezone.localdate()
        )

    def is_locked(self, now=None) -> bool:
        return self.locked_until is not None and self.locked_until > (now or timezone.now())


class Role(models.TextChoices):
    HOLDER = "holder", _("Account holder")
    MANAGE = "manage", _("Manage")
    VIEW = "view", _("View only")


class ReminderDays(models.IntegerChoices):
    OFF = 0, _("Off")
    THREE = 3, _("3 days before the due date")
    SEVEN = 7, _("7 days before the due date")


class Enrollment(models.Model):
    """A web user's link to a billing account: what they may see in Account(s)."""

    # Indexed by enrollment_once_per_user (user, account), which begins with it.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="enrollments",
        verbose_name=_("user"),
        db_index=False,
    )
    account = models.ForeignKey(
        BillingAccount,
        on_delete=models.CASCADE,
        related_name="enrollments",
        verbose_name=_("billing account"),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.HOLDER)
    nickname = models.CharField(_("Nickname"), max_length=60, blank=True)
    # Each person's own bill emails (billing/): opted in, never assumed.
    # db_default too: the import's set-based INSERT (enrollment.precreated) names no new columns.
    bill_ready_email = models.BooleanField(
        _("email me when a new bill is ready"), default=False, db_default=False
    )
    due_reminder_days = models.PositiveSmallIntegerField(
        _("due date reminder"),
        choices=ReminderDays.choices,
        default=ReminderDays.OFF,
        db_default=ReminderDays.OFF,
    )
    created_at = models.DateTimeField(_("enrolled"), auto_now_add=True)
    # Set when the link came from a holder's invitation: revoking it removes this enrollment.
    invitation = models.OneToOneField(
        "Invitation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="enrollment",
        verbose_name=_("invitation"),
    )

    class Meta:
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "account"], name="enrollment_once_per_user"),
            models.CheckConstraint(
                condition=models.Q(due_reminder_days__in=[0, 3, 7]),
                name="enrollment_reminder_days_known",
            ),
        ]

    def __str__(self):
        return f"{self.user} → {self.account}"

    @property
    def can_change_settings(self) -> bool:
        return self.role in (Role.HOLDER, Role.MANAGE)

    @property
    def is_holder(self) -> bool:
        return self.role == Role.HOLDER


class PinFailure(models.Model):
    """One wrong PIN (or wrong second identifier): what enrollment/guessing.py counts, by window."""

    at = models.DateTimeField(db_index=True)
    # Indexed by enrollment_pinfail_user (user, at), which begins with it.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        related_name="+",
        db_index=False,
    )
    ip = models.GenericIPAddressField(null=True)
    network = models.CharField(max_length=49)
    account = models.ForeignKey(
        BillingAccount, on_delete=models.CASCADE, null=True, related_name="+"
    )
    # As typed (normalized), also when no account has it: an unknown number then counts its
    # tries left like a real one, so the message tells nothing about which numbers exist.
    account_number = models.CharField(max_length=10, blank=True, default="")

    class Meta:
        verbose_name = _("wrong PIN")
        verbose_name_plural = _("wrong PINs")
        indexes = [
            models.Index(fields=["network", "at"], name="enrollment_pinfail_network"),
            models.Index(fields=["user", "at"], name="enrollment_pinfail_user"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.network}"


class InvitationState(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")


class Invitation(models.Model):
    """A holder shares an account with whoever owns (or will register) an email address."""

    account = models.ForeignKey(
        BillingAccount, on_delete=models.CASCADE, related_name="invitations"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations_sent"
    )
    email = models.EmailField(_("Email Address"), max_length=254)
    role = models.CharField(
        _("access level"),
        max_length=10,
        choices=[(Role.VIEW, Role.VIEW.label), (Role.MANAGE, Role.MANAGE.label)],
        default=Role.VIEW,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("last sent"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations_accepted",
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One open invitation per account and address: a second one is a resend.
            models.UniqueConstraint(
                "account",
                models.functions.Lower("email"),
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="enrollment_one_open_invitation",
            ),
        ]
        indexes = [
            models.Index(
                models.functions.Lower("email"),
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="enrollment_open_invite_email",
            ),
        ]

    def __str__(self):
        return f"{self.email} → {self.account}"

    @property
    def state(self) -> str:
        if self.revoked_at:
            return InvitationState.REVOKED
        if self.accepted_at:
            return InvitationState.ACCEPTED
        if self.expires_at <= timezone.now():
            return InvitationState.EXPIRED
        return InvitationState.PENDING

    def get_state_display(self) -> str:
        return InvitationState(self.state).label


class ExtractRun(models.Model):
    """When a CIS extract was loaded (accounts or bills). The CIS posts the portal's payment file
    before it writes its next extract, so an exported payment is in every extract loaded after it."""

    class Kind(models.TextChoices):
        ACCOUNTS = "accounts", _("Accounts extract")
        BILLS = "bills", _("Bills extract")

    kind = models.CharField(_("extract"), max_length=10, choices=Kind.choices)
    started_at = models.DateTimeField(_("started"), db_index=True)

    class Meta:
        verbose_name = _("CIS extract loaded")
        verbose_name_plural = _("CIS extracts loaded")
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.kind} {self.started_at:%Y-%m-%d %H:%M}"
