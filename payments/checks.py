"""System checks: the processor settings a deployment needs."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from payments.processors import PROVIDERS


@register(Tags.security)
def processor_configured(app_configs=None, **kwargs):
    errors = []
    if settings.PAYMENT_PROVIDER not in PROVIDERS:
        errors.append(
            Error(
                f"PAYMENT_PROVIDER={settings.PAYMENT_PROVIDER!r} is not one of {sorted(PROVIDERS)}.",
                id="payments.E001",
            )
        )
    if settings.PAYMENT_PROVIDER == "stripe" and not (
        settings.STRIPE_SECRET_KEY and settings.STRIPE_WEBHOOK_SECRET
    ):
        errors.append(
            Error(
                "PAYMENT_PROVIDER=stripe needs STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET.",
                id="payments.E002",
            )
        )
    return errors


@register(Tags.security, deploy=True)
def no_test_processor_in_production(app_configs=None, **kwargs):
    if settings.PAYMENT_PROVIDER == "dummy":
        return [
            Warning(
                "PAYMENT_PROVIDER=dummy: payments go to the test processor and no money moves.",
                hint="Set PAYMENT_PROVIDER=stripe with its keys in production.",
                id="payments.W001",
            )
        ]
    return []
