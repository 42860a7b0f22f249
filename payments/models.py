"""Payments made through the portal. The processor's hosted page takes the card or bank details;
here are only its reference, the status it reported and the amounts (PCI DSS SAQ A scope)."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from enrollment.models import BillingAccount

MONEY = {"max_digits": 12, "decimal_places": 2}
# No 0/O or 1/I/L: a confirmation number is read over the phone.
CONFIRMATION_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_confirmation_number() -> str:
    code = "".join(secrets.choice(CONFIRMATION_ALPHABET) for _ in range(10))
    return f"PHX-{code[:5]}-{code[5:]}"


class Status(models.TextChoices):
    STARTED = "started", _("Started")
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")
    ABANDONED = "abandoned", _("Not completed")
    REFUNDED = "refunded", _("Refunded")


# A payment counts as paid (for the account's amount due and the CIS file) in these states.
PAID = (Status.APPROVED, Status.REFUNDED)


class ExportBatch(models.Model):
    """One daily file for the CIS: every approved payment is in exactly one."""

    day = models.DateField(_("payment date"))
    file_name = models.CharField(_("file"), max_length=120)
    created_at = models.DateTimeField(_("exported"), auto_now_add=True)

    class Meta:
        verbose_name = _("CIS export")
        verbose_name_plural = _("CIS exports")
        ordering = ["-day", "-pk"]
        constraints = [models.UniqueConstraint(fields=["day"], name="export_once_per_day")]

    def __str__(self):
        return self.file_name


class Payment(models.Model):
    confirmation_number = models.CharField(
        _("Confirmation number"), max_length=16, unique=True, default=new_confirmation_number
    )
    # One payment per submitted form: a double submit, the back button or a second tab sends the
    # same key, and the database refuses a second payment with it.
    idempotency_key = models.UUIDField(_("form key"), unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="payments",
        verbose_name=_("web user"),
    )
    receipt_email = models.EmailField(_("receipt email"), max_length=254)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.STARTED
    )
    total = models.DecimalField(_("total"), **MONEY)
    processor = models.CharField(_("processor"), max_length=30)
    processor_reference = models.CharField(
        _("processor reference"), max_length=100, blank=True, default=""
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    approved_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    callbacks_received = models.PositiveIntegerField(_("processor callbacks"), default=0)
    refunded_amount = models.DecimalField(_("refunded"), default=0, **MONEY)
    export_batch = models.ForeignKey(
        ExportBatch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
        verbose_name=_("CIS export"),
    )

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-created_at", "-pk"]
        permissions = [("refund_payment", _("Can refund a payment through the processor"))]
        constraints = [
            models.CheckConstraint(condition=Q(total__gt=0), name="payment_total_positive"),
            models.UniqueConstraint(
                fields=["processor", "processor_reference"],
                name="payment_reference_once",
                condition=~Q(processor_reference=""),
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in PAID], approved_at__isnull=False)
                | (~Q(status__in=[s.value for s in PAID]) & Q(approved_at__isnull=True)),
                name="payment_paid_has_time",
            ),
            models.CheckConstraint(
                condition=Q(export_batch__isnull=True) | Q(status__in=[s.value for s in PAID]),
                name="payment_exported_only_when_paid",
            ),
            models.CheckConstraint(
                condition=Q(refunded_amount__gte=0, refunded_amount__lte=models.F("total")),
                name="payment_refund_within_total",
            ),
        ]
        indexes = [models.Index(fields=["status", "approved_at"], name="payment_status_idx")]

    def __str__(self):
        return self.confirmation_number

    @property
    def is_paid(self) -> bool:
        return self.status in PAID


class PaymentLine(models.Model):
    # Indexed by payment_line_once (payment, account), which begins with it.
    payment = models.ForeignKey(
        Payment,
        on_delete=models.CASCADE,
        related_name="lines",
        verbose_name=_("payment"),
        db_index=False,
    )
    account = models.ForeignKey(
        BillingAccount,
        on_delete=models.PROTECT,
        related_name="portal_payments",
        verbose_name=_("billing account"),
    )
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        verbose_name = _("payment line")
        verbose_name_plural = _("payment lines")
        ordering = ["payment", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["payment", "account"], name="payment_line_once"),
            models.CheckConstraint(condition=Q(amount__gte=1), name="payment_line_at_least_1"),
        ]

    def __str__(self):
        return f"{self.payment} {self.account.account_number} {self.amount}"


class ProcessorEvent(models.Model):
    """Every callback the processor sent, once each: a replayed callback is recognised by its id."""

    # Indexed by processor_event_once (payment, event_id), which begins with it.
    payment = models.ForeignKey(
        Payment,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("payment"),
        db_index=False,
    )
    event_id = models.CharField(_("event id"), max_length=100)
    status = models.CharField(_("status reported"), max_length=10, choices=Status.choices)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    source = models.CharField(_("source"), max_length=20)

    class Meta:
        verbose_name = _("processor event")
        verbose_name_plural = _("processor events")
        ordering = ["received_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["payment", "event_id"], name="processor_event_once"),
        ]

    def __str__(self):
        return f"{self.payment} {self.status}"


class DummyCharge(models.Model):
    """The test processor's own record of a charge (payments.processors.DummyProcessor): what a real
    processor keeps on its side, so that `reconcile_payments` has something to ask."""

    reference = models.CharField(max_length=40, unique=True)
    amount = models.DecimalField(**MONEY)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    refunded = models.DecimalField(default=0, **MONEY)

    class Meta:
        verbose_name = _("test processor charge")
        verbose_name_plural = _("test processor charges")

    def __str__(self):
        return self.reference
