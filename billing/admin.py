"""Bills in the staff admin: read-only, because the CIS is their source of truth."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from billing.models import Bill, BillLine, BillNotice
from phxpay.admin import ReadOnlyAdmin, ReadOnlyInline


class BillLineInline(ReadOnlyInline):
    model = BillLine
    fields = ("service", "description", "amount")
    readonly_fields = fields


@admin.register(Bill)
class BillAdmin(ReadOnlyAdmin):
    list_display = ("account", "bill_date", "amount_due", "due_date", "water_usage_units")
    list_filter = ("bill_date",)
    date_hierarchy = "bill_date"
    search_fields = ("account__account_number",)
    search_help_text = _("Search by the 10-digit account number.")
    list_select_related = ("account",)
    show_full_result_count = False
    inlines = (BillLineInline,)
    fields = (
        "account",
        "bill_date",
        "period_start",
        "period_end",
        "previous_balance",
        "payments_received",
        "new_charges",
        "amount_due",
        "due_date",
        "water_usage_units",
        "vendor_pdf",
        "imported_at",
    )


@admin.register(BillNotice)
class BillNoticeAdmin(ReadOnlyAdmin):
    list_display = ("bill", "kind", "email", "queued_at")
    list_filter = ("kind",)
    search_fields = ("email", "bill__account__account_number")
    list_select_related = ("bill__account",)
