from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PhxpayConfig(AppConfig):
    name = "phxpay"
    verbose_name = _("PHX Pay Online")

    def ready(self):
        from phxpay import signals  # noqa: F401  (connects the audit receivers)
