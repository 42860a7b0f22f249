from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts import second_factor, services
from accounts.models import User, UserState

# The Customer support role's own permission (accounts.roles): the support actions.
SUPPORT_PERMISSION = "accounts.support_user"


class SupportActionsMixin:
    """Admin actions and buttons marked permissions=["support"] need the Customer support role."""

    def has_support_permission(self, request) -> bool:
        return request.user.has_perm(SUPPORT_PERMISSION)


class StateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return UserState.choices

    def queryset(self, request, queryset):
        if self.value() == UserState.PENDING:
            return queryset.filter(confirmed_at__isnull=True, is_staff=False)
        if self.value() == UserState.CONFIRMED:
            return queryset.filter(confirmed_at__isnull=False, is_staff=False)
        if self.value() == UserState.STAFF:
            return queryset.filter(is_staff=True)
        return queryset


class PrecreatedFilter(admin.SimpleListFilter):
    title = _("pre-created e-bill users")
    parameter_name = "precreated"

    def lookups(self, request, model_admin):
        return [
            ("never", _("Pre-created, never signed in")),
            ("active", _("Pre-created, has signed in")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "never":
            return queryset.filter(precreated=True, last_login__isnull=True)
        if self.value() == "active":
            return queryset.filter(precreated=True, last_login__isnull=False)
        return queryset


@admin.register(User)
class PortalUserAdmin(SupportActionsMixin, UserAdmin):
    # Six columns fit 1280 px beside the menu and filters, nothing cut off.
    list_display = (
        "username",
        "email",
        "full_name",
        "state_label",
        "confirmation_sent_at",
        "email_problem",
    )
    list_filter = (StateFilter, PrecreatedFilter, "preferred_language", "is_active", "is_superuser")
    search_fields = ("username", "email", "first_name", "last_name")
    ordering = ("-date_joined",)
    readonly_fields = (
        "confirmed_at",
        "confirmation_sent_at",
        "precreated",
        "must_change_password",
        "email_bounced_at",
        "email_complained_at",
        "last_login",
        "date_joined",
    )
    actions = ["resend_confirmation", "unlock_signin", "reset_second_factor"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            _("Personal info"),
            {"fields": ("first_name", "last_name", "email", "preferred_language")},
        ),
        (
            _("Registration"),
            {
                "fields": (
                    "confirmed_at",
                    "confirmation_sent_at",
                    "precreated",
                    "must_change_password",
                )
            },
        ),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )

    @admin.display(description=_("name"), ordering="last_name")
    def full_name(self, obj):
        return obj.get_full_name()

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and not self.has_change_permission(request, obj):
            # View only (Customer support): no "Set password" button that leads to a 403.
            first, *rest = fieldsets
            fields = tuple(f for f in first[1]["fields"] if f != "password")
            fieldsets = [(first[0], {**first[1], "fields": fields}), *rest]
        return fieldsets

    @admin.display(description=_("state"))
    def state_label(self, obj):
        return obj.get_state_display()

    @admin.display(description=_("email delivery"))
    def email_problem(self, obj):
        if obj.email_bounced_at and not obj.is_confirmed:
            return _("Confirmation email bounced")
        if obj.email_bounced_at:
            return _("Email bounced")
        if obj.email_complained_at:
            return _("Marked as spam")
        return ""

    def has_reset_factor_permission(self, request) -> bool:
        # Administrators: the Customer support role cannot remove a staff member's devices.
        return request.user.has_perm("otp_totp.delete_totpdevice")

    @admin.action(
        description=_("Resend the confirmation email (new link; earlier links stop working)"),
        permissions=["support"],
    )
    def resend_confirmation(self, request, queryset):
        sent = skipped = 0
        for user in queryset:
            try:
                services.confirmation_resend(user=user)
            except services.NothingToResend:
                skipped += 1
            else:
                self.log_change(request, user, _("Resent the confirmation email"))
                sent += 1
        if sent:
            self.message_user(
                request,
                ngettext(
                    "A new confirmation link was emailed to %(count)d pending user.",
                    "New confirmation links were emailed to %(count)d pending users.",
                    sent,
                )
                % {"count": sent},
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d user was skipped: already confirmed or without an email address.",
                    "%(count)d users were skipped: already confirmed or without an email address.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )

    @admin.action(
        description=_("Unlock sign-in (end the pause after failed sign-ins)"),
        permissions=["support"],
    )
    def unlock_signin(self, request, queryset):
        count = 0
        for user in queryset:
            if services.signin_unlock(username=user.username, by=request.user):
                self.log_change(request, user, _("Unlocked sign-in"))
                count += 1
        self.message_user(
            request,
            ngettext(
                "Sign-in was unlocked for %(count)d user.",
                "Sign-in was unlocked for %(count)d users.",
                count,
            )
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )

    @admin.action(
        description=_("Reset the second factor (the next sign-in sets up a new authenticator app)"),
        permissions=["reset_factor"],
    )
    def reset_second_factor(self, request, queryset):
        count = 0
        for user in queryset.filter(is_staff=True):
            second_factor.second_factor_reset(user=user, by=request.user)
            self.log_change(request, user, _("Reset the second factor"))
            count += 1
        self.message_user(
            request,
            ngettext(
                "The second factor of %(count)d staff member was reset.",
                "The second factors of %(count)d staff members were reset.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
