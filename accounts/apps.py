from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class StaffAdminConfig(admin_apps.AdminConfig):
    """Django's admin, served by the site that also asks staff for the second factor."""

    default = False
    default_site = "accounts.admin_site.StaffAdminSite"


class AccountsConfig(AppConfig):
    default = True  # this module also holds StaffAdminConfig, named in INSTALLED_APPS
    name = "accounts"
    verbose_name = _("Web users")

    def ready(self):
        from django.db.models import CharField
        from django.db.models.functions import Lower

        # `field__lower=value.lower()` compiles to LOWER(field) = %s, which the lower() indexes
        # (accounts_user_*_ci_unique, enrollment_open_invite_email) serve; `__iexact` compiles to
        # UPPER(field) = UPPER(%s), which no index serves: a sequential scan of the whole table.
        CharField.register_lookup(Lower)

        from accounts import signals

        signals.connect()
