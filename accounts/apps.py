from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
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
