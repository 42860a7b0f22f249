"""Bills from the CIS (the city's billing system, the source of truth): one per account and bill
date, with its charge lines. The portal never changes a bill; `import_bills` loads them and
`prune_bills` ages them out."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Round
from django.utils.translation import gettext_lazy as _

from enrollment.models import BillingAccount

MONEY = {"max_digits": 12, "decimal_places": 2}
# The city bills water in units of 748 gallons (100 cubic feet).
GALLONS_PER_UNIT = 748


class Bill(models.Model):
    # No index of its own: bill_once_per_date (account, bill_date) serves it, and one index fewer
    # is one fewer to write for each of the nightly import's bills.
    account = models.ForeignKey(
        BillingAccount,
        on_delete=models.CASCADE,
        related_name="bills",
        verbose_name=_("billing account"),
        db_index=False,
    )
    bill_date = models.DateField(_("bill date"))
    due_date = models.DateField(_("due date"))
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    previous_balance = models.DecimalField(_("previous balance"), **MONEY)
    payments_received = models.DecimalField(_("payments received"), **MONEY)
    new_charges = models.DecimalField(_("new charges"), **MONEY)
    amount_due = models.DecimalField(_("amount due"), **MONEY)
    water_usage_units = models.DecimalField(
        _("water use (units of 748 gallons)"), max_digits=9, decimal_places=2
    )
    # The print vendor's PDF, in the portal's file storage (a path relative to its root).
    vendor_pdf = models.CharField(_("vendor PDF"), max_length=255, blank=True)
    # What the lines of the last import were (billing.importer.lines_digest): a re-import compares
    # it instead of every line.
    lines_digest = models.CharField(max_length=64, blank=True, default="", editable=False)
    imported_at = models.DateTimeField(_("imported"))

    class Meta:
        verbose_name = _("bill")
        verbose_name_plural = _("bills")
        ordering = ["-bill_date", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["account", "bill_date"], name="bill_once_per_date"),
            models.CheckConstraint(
                condition=Q(period_start__lte=F("period_end")), name="bill_period_in_order"
            ),
            models.CheckConstraint(
                condition=Q(due_date__gte=F("bill_date")), name="bill_due_after_bill_date"
            ),
            models.CheckConstraint(
                # Rounded: SQLite (make run) does this arithmetic in binary floating point.
                condition=Q(
                    amount_due=Round(
                        F("previous_balance") - F("payments_received") + F("new_charges"), 2
                    )
                ),
                name="bill_amount_due_adds_up",
            ),
            models.CheckConstraint(
                condition=Q(water_usage_units__gte=0), name="bill_usage_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["bill_date"], name="bill_date_idx")]

    def __str__(self):
        return f"{self.account.account_number} {self.bill_date:%Y-%m-%d}"

    @property
    def gallons(self) -> int:
        return int(self.water_usage_units * GALLONS_PER_UNIT)


class Service(models.TextChoices):
    WATER = "water", _("Water")
    WASTEWATER = "wastewater", _("Wastewater")
    SOLID_WASTE = "solid_waste", _("Solid waste")
    ENVIRONMENTAL = "environmental", _("Environmental")
    TAX = "tax", _("Taxes")
    OTHER = "other", _("Other charges")


class BillLine(models.Model):
    bill = models.ForeignKey(
        Bill, on_delete=models.CASCADE, related_name="lines", verbose_name=_("bill")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    service = models.CharField(_("service"), max_length=20, choices=Service.choices)
    description = models.CharField(_("description"), max_length=200)
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        verbose_name = _("charge line")
        verbose_name_plural = _("charge lines")
        ordering = ["bill", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(service__in=[choice.value for choice in Service]),
                name="bill_line_service_known",
            ),
        ]

    def __str__(self):
        return f"{self.get_service_display()}: {self.amount}"


class NoticeKind(models.TextChoices):
    READY = "ready", _("Your bill is ready")
    REMINDER = "reminder", _("Due date reminder")


class BillNotice(models.Model):
    """One row per email about a bill and address: the database keeps a re-import or a second
    reminder run from mailing anyone twice."""

    # Indexed by bill_notice_once_per_address, which begins with it.
    bill = models.ForeignKey(
        Bill,
        on_delete=models.CASCADE,
        related_name="notices",
        verbose_name=_("bill"),
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=10, choices=NoticeKind.choices)
    email = models.EmailField(_("email address"), max_length=254)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("web user"),
    )
    queued_at = models.DateTimeField(_("queued"), auto_now_add=True)

    class Meta:
        verbose_name = _("bill notice")
        verbose_name_plural = _("bill notices")
        constraints = [
            models.UniqueConstraint(
                fields=["bill", "kind", "email"], name="bill_notice_once_per_address"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.email}"
