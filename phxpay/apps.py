from django.apps import AppConfig


class PhxpayConfig(AppConfig):
    name = "phxpay"
    verbose_name = "PHX Pay Online"
