"""Payments in the staff admin: found by confirmation number, account number or processor
reference; read-only; administrators may refund through the processor."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from payments import services
from payments.models import ExportBatch, Payment, PaymentLine, ProcessorEvent, Status
from phxpay.admin import ReadOnlyAdmin, ReadOnlyInline


class PaymentLineInline(ReadOnlyInline):
    model = PaymentLine
    fields = ("account", "amount")
    readonly_fields = fields


class ProcessorEventInline(ReadOnlyInline):
    model = ProcessorEvent
    fields = ("received_at", "source", "status", "event_id")
    readonly_fields = fields


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = (
        "confirmation_number",
        "created_at",
        "total",
        "status",
        "callbacks_received",
        "export_batch",
    )
    list_filter = ("status", "processor")
    search_fields = (
        "=confirmation_number",
        "=processor_reference",
        "=lines__account__account_number",
    )
    search_help_text = _(
        "Search by confirmation number, 10-digit account number or processor reference."
    )
    list_select_related = ("export_batch",)
    show_full_result_count = False
    inlines = (PaymentLineInline, ProcessorEventInline)
    fields = (
        "confirmation_number",
        "status",
        "total",
        "refunded_amount",
        "user",
        "receipt_email",
        "language",
        "processor",
        "processor_reference",
        "created_at",
        "approved_at",
        "callbacks_received",
        "export_batch",
    )
    actions = ("refund",)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.has_perm("payments.refund_payment"):
            actions.pop("refund", None)
        return actions

    @admin.action(description=_("Refund the selected payments through the processor"))
    def refund(self, request, queryset):
        if not request.user.has_perm("payments.refund_payment"):
            return
        done = 0
        for payment in queryset.filter(status=Status.APPROVED):
            services.payment_refund(payment=payment, by=request.user)
            done += 1
        self.message_user(
            request,
            _("%(count)d payments refunded; only approved payments can be.") % {"count": done},
            messages.SUCCESS if done else messages.WARNING,
        )


@admin.register(ExportBatch)
class ExportBatchAdmin(ReadOnlyAdmin):
    list_display = ("day", "file_name", "created_at")
