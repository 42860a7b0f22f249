from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from phxpay.models import AuditEvent, OutboundEmail


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records staff look at and nobody edits: the audit log, the CIS's bills, the processor's
    payments."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only: staff can search the record, never change or delete it."""

    list_display = ("at", "kind", "username", "ip", "user_agent_short")
    list_filter = ("kind",)
    search_fields = ("username", "ip", "user_agent", "detail")
    date_hierarchy = "at"
    list_per_page = 100
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    @admin.display(description=_("user agent"))
    def user_agent_short(self, obj):
        return obj.user_agent[:60]


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    """What the portal mailed, what it is still retrying and what failed for good."""

    list_display = (
        "created_at",
        "kind",
        "to",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
    )
    list_filter = ("status", "kind")
    search_fields = ("to", "kind", "esp_message_id")
    date_hierarchy = "created_at"
    actions = ["retry"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Send the selected failed emails again"), permissions=["change"])
    def retry(self, request, queryset):
        from django.contrib import messages
        from django.db import transaction
        from django.utils.translation import ngettext

        from phxpay.tasks import deliver_email

        failed_rows = list(queryset.filter(status=OutboundEmail.Status.FAILED))
        for outbound in failed_rows:
            self.log_change(request, outbound, _("Queued the email again"))
        failed = [outbound.pk for outbound in failed_rows]
        OutboundEmail.objects.filter(pk__in=failed).update(status=OutboundEmail.Status.QUEUED)
        for pk in failed:
            transaction.on_commit(lambda pk=pk: deliver_email.enqueue(pk))
        self.message_user(
            request,
            ngettext("%(count)d email queued again.", "%(count)d emails queued again.", len(failed))
            % {"count": len(failed)},
            messages.SUCCESS,
        )
