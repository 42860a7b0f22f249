from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Web users")

    def ready(self):
        from accounts import (
            emails,  # noqa: F401  (registers the email builders)
            signals,
        )

        signals.connect()
