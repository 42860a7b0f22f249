from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from phxpay.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
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

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
