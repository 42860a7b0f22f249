import re

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.admin import PortalUserAdmin, SupportActionsMixin
from accounts.models import User
from enrollment import services, support
from enrollment.models import BillingAccount, Enrollment, Invitation, InvitationState
from phxpay import formatting
from phxpay.audit import Kind, record
from phxpay.models import AuditEvent


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
class BillingAccountAdmin(SupportActionsMixin, admin.ModelAdmin):
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

    change_form_template = "admin/enrollment/billingaccount/account_change_form.html"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        account = self.get_object(request, object_id)
        extra_context = extra_context or {}
        if account is not None:
            extra_context.update(
                locked=account.is_locked(),
                open_invitations=list(
                    account.invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True)
                    .select_related("invited_by")
                    .order_by("-sent_at")
                ),
                audit_events=list(
                    AuditEvent.objects.filter(detail__account_id=account.pk).order_by("-at")[:20]
                ),
                can_support=self.has_support_permission(request),
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        return [
            path(
                "<int:account_id>/support/<str:action>/",
                self.admin_site.admin_view(self.support_view),
                name="enrollment_billingaccount_support",
            ),
        ] + super().get_urls()

    def support_view(self, request, account_id, action):
        """POST only (the page's buttons): unlock enrollment, or resend / revoke an invitation."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_support_permission(request):
            raise PermissionDenied
        account = self.get_object(request, str(account_id))
        if account is None or action not in ("unlock", "resend", "revoke"):
            raise Http404
        back = reverse("admin:enrollment_billingaccount_change", args=[account.pk])
        if action == "unlock":
            services.account_unlock(account=account, by=request.user)
            self.log_change(request, account, _("Unlocked PIN enrollment"))
            self.message_user(request, _("PIN enrollment of this account is unlocked."))
            return redirect(back)
        raw = request.POST.get("invitation", "")
        still_open = account.invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True)
        invitation = still_open.filter(pk=int(raw)).first() if raw.isdigit() else None
        if invitation is None:
            self.message_user(request, _("That invitation is no longer open."), messages.WARNING)
            return redirect(back)
        if action == "resend":
            services.invitation_resend(invitation=invitation)
            record(
                Kind.STAFF_ACTION,
                user=request.user,
                action="invitation_resend",
                invitation=invitation.pk,
            )
            self.message_user(
                request,
                _("The invitation to %(email)s was sent again.") % {"email": invitation.email},
            )
        else:
            services.invitation_revoke(invitation=invitation, by=request.user)
            self.message_user(
                request, _("The invitation to %(email)s was revoked.") % {"email": invitation.email}
            )
        self.log_change(request, account, f"{action} invitation {invitation.pk}")
        return redirect(back)

    @admin.action(
        description=_("Unlock PIN enrollment of the selected accounts"), permissions=["support"]
    )
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
class InvitationAdmin(SupportActionsMixin, admin.ModelAdmin):
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

    @admin.action(
        description=_("Revoke the selected invitations (guests lose access at once)"),
        permissions=["support"],
    )
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


# The customer page: accounts' user admin, with what a support agent needs -----------------------


class CustomerEnrollmentInline(admin.TabularInline):
    """The customer's billing accounts and role on each (read-only: enrolling needs the PIN)."""

    model = Enrollment
    fk_name = "user"
    fields = ("account", "role", "nickname", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name = _("billing account")
    verbose_name_plural = _("billing accounts")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


admin.site.unregister(User)


@admin.register(User)
class CustomerAdmin(PortalUserAdmin):
    inlines = [CustomerEnrollmentInline]
    change_form_template = "admin/accounts/user/customer_change_form.html"
    # A 10-digit account number or a service address finds the customers enrolled on it.
    search_fields = (
        *PortalUserAdmin.search_fields,
        "=enrollments__account__account_number",
        "enrollments__account__service_address",
    )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        user = self.get_object(request, object_id)
        extra_context = extra_context or {}
        if user is not None:
            overview = support.customer_overview(user=user)
            extra_context["overview"] = overview
            if self.has_support_permission(request):
                extra_context["support_actions"] = support.support_actions_for(
                    user=user, signin_paused=overview.signin_paused
                )
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        return [
            path(
                "<int:user_id>/support/<str:action>/",
                self.admin_site.admin_view(self.support_action_view),
                name="accounts_user_support",
            ),
        ] + super().get_urls()

    def support_action_view(self, request, user_id, action):
        """GET asks to confirm; POST runs the action (audited) and returns to the customer page."""
        if not self.has_support_permission(request):
            raise PermissionDenied
        user = self.get_object(request, str(user_id))
        try:
            chosen = support.SupportAction(action)
        except ValueError:
            chosen = None
        if user is None or chosen is None:
            raise Http404
        back = reverse("admin:accounts_user_change", args=[user.pk])
        if request.method == "POST":
            if support.support_action_run(user=user, action=chosen, by=request.user):
                self.log_change(request, user, str(chosen.label))
                done = support.ACTION_DONE[chosen] % {
                    "email": user.email,
                    "username": user.username,
                }
                self.message_user(request, done, messages.SUCCESS)
            else:
                self.message_user(
                    request, _("That action does not apply to this customer now."), messages.WARNING
                )
            return redirect(back)
        context = {
            **self.admin_site.each_context(request),
            "title": chosen.label,
            "customer": user,
            "action": chosen,
            "back": back,
            "opts": self.opts,
        }
        return render(request, "admin/accounts/user/support_confirm.html", context)
