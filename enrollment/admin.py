import re

from django import forms
from django.contrib import admin, messages
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from enrollment import services
from enrollment.models import BillingAccount, Enrollment, Invitation, InvitationState
from phxpay import formatting


class BillingAccountForm(forms.ModelForm):
    """Staff can give an account a new PIN; the PIN or its hash is never shown."""

    new_pin = forms.CharField(
        label=_("New security PIN"),
        required=False,
        max_length=4,
        help_text=_(
            "Leave empty to keep the current PIN. Exactly 4 digits; stored only as a keyed hash."
        ),
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )

    class Meta:
        model = BillingAccount
        fields = [
            "account_number",
            "first_name",
            "last_name",
            "service_address",
            "ebill_email",
            "paperless",
            "balance",
            "due_date",
        ]

    def clean_new_pin(self):
        pin = self.cleaned_data["new_pin"]
        if pin and not re.fullmatch(r"\d{4}", pin):
            raise forms.ValidationError(_("The PIN must be exactly 4 digits."))
        if not pin and not self.instance.pk:
            raise forms.ValidationError(_("A new account needs a PIN."))
        return pin


class EnrollmentInline(admin.TabularInline):
    model = Enrollment
    extra = 0
    fields = ("user", "role", "nickname", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("user",)


class LockFilter(admin.SimpleListFilter):
    title = _("lock state")
    parameter_name = "locked"

    def lookups(self, request, model_admin):
        return [("yes", _("Locked")), ("no", _("Not locked"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(locked_until__gt=timezone.now())
        if self.value() == "no":
            return queryset.exclude(locked_until__gt=timezone.now())
        return queryset


@admin.register(BillingAccount)
class BillingAccountAdmin(admin.ModelAdmin):
    form = BillingAccountForm
    list_display = (
        "account_number",
        "holder_name",
        "service_address",
        "ebill_email",
        "enrollment_count",
        "failed_pin_attempts",
        "lock_state",
    )
    list_filter = (LockFilter, "paperless")
    search_fields = ("account_number", "first_name", "last_name", "service_address", "ebill_email")
    readonly_fields = ("failed_pin_attempts", "lockouts", "locked_until", "updated_at")
    fieldsets = (
        (None, {"fields": ("account_number", "first_name", "last_name", "service_address")}),
        (_("Billing"), {"fields": ("balance", "due_date", "ebill_email", "paperless")}),
        (
            _("Security PIN"),
            {"fields": ("new_pin", "failed_pin_attempts", "lockouts", "locked_until")},
        ),
        (None, {"fields": ("updated_at",)}),
    )
    inlines = [EnrollmentInline]
    actions = ["unlock"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(enrollment_total=Count("enrollments"))

    @admin.display(description=_("holder"), ordering="last_name")
    def holder_name(self, obj):
        return obj.holder_name

    @admin.display(description=_("enrollments"), ordering="enrollment_total")
    def enrollment_count(self, obj):
        return obj.enrollment_total

    @admin.display(description=_("lock state"), boolean=False)
    def lock_state(self, obj):
        if obj.is_locked():
            return _("Locked until %(until)s") % {"until": formatting.moment(obj.locked_until)}
        return _("Not locked")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if form.cleaned_data.get("new_pin"):
            services.account_pin_set(account=obj, pin=form.cleaned_data["new_pin"])

    @admin.action(description=_("Unlock PIN enrollment of the selected accounts"))
    def unlock(self, request, queryset):
        count = 0
        for account in queryset:
            services.account_unlock(account=account, by=request.user)
            self.log_change(request, account, _("Unlocked PIN enrollment"))
            count += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d account was unlocked.",
                "%(count)d accounts were unlocked.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    list_display = ("account", "user", "role", "nickname", "created_at")
    list_filter = ("role",)
    search_fields = (
        "account__account_number",
        "user__username",
        "user__email",
        "user__first_name",
        "user__last_name",
    )
    list_select_related = ("account", "user")
    autocomplete_fields = ("user", "account")


class InvitationStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return InvitationState.choices

    def queryset(self, request, queryset):
        now = timezone.now()
        open_ = queryset.filter(accepted_at__isnull=True, revoked_at__isnull=True)
        return {
            InvitationState.PENDING: open_.filter(expires_at__gt=now),
            InvitationState.EXPIRED: open_.filter(expires_at__lte=now),
            InvitationState.ACCEPTED: queryset.filter(
                accepted_at__isnull=False, revoked_at__isnull=True
            ),
            InvitationState.REVOKED: queryset.filter(revoked_at__isnull=False),
        }.get(self.value(), queryset)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = (
        "email",
        "account",
        "invited_by",
        "role",
        "state_label",
        "sent_at",
        "expires_at",
    )
    list_filter = (InvitationStateFilter, "role")
    search_fields = ("email", "account__account_number", "invited_by__username")
    list_select_related = ("account", "invited_by")
    readonly_fields = (
        "account",
        "invited_by",
        "email",
        "role",
        "created_at",
        "sent_at",
        "expires_at",
        "accepted_at",
        "accepted_by",
        "revoked_at",
    )
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("state"))
    def state_label(self, obj):
        return obj.get_state_display()

    @admin.action(description=_("Revoke the selected invitations (guests lose access at once)"))
    def revoke(self, request, queryset):
        count = 0
        for invitation in queryset:
            services.invitation_revoke(invitation=invitation, by=request.user)
            self.log_change(request, invitation, _("Revoked the invitation"))
            count += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d invitation was revoked.",
                "%(count)d invitations were revoked.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
