"""The two staff roles, as Django groups. Migrations create them and keep them in step (never by hand).

Customer support finds and views customers, accounts, invitations, emails and audit events, and runs
the support actions; it edits nothing else (no passwords, PIN digests, staff flags or permissions).
Administrator has every permission except changing the audit log, which nobody has.
A migration that adds a model calls `roles_sync` again (tests/accounts/test_roles.py checks).
"""

from django.utils.translation import gettext_noop

SUPPORT = gettext_noop("Customer support")
ADMINISTRATOR = gettext_noop("Administrator")

SUPPORT_PERMISSIONS = (
    "accounts.view_user",
    "accounts.support_user",
    "enrollment.view_billingaccount",
    "enrollment.view_enrollment",
    "enrollment.view_invitation",
    "phxpay.view_auditevent",
    "phxpay.view_outboundemail",
    "billing.view_bill",
    "billing.view_billline",
    "billing.view_billnotice",
    "payments.view_payment",
    "payments.view_paymentline",
    "payments.view_exportbatch",
    "payments.view_processorevent",
)
# Nobody may change the audit log (the database refuses UPDATE too).
NEVER = ("phxpay.add_auditevent", "phxpay.change_auditevent", "phxpay.delete_auditevent")


def roles_sync(apps, schema_editor=None) -> None:
    """Create or refresh both groups (a data migration passes its historical `apps`)."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        # A migration's app configs have no models module, and create_permissions skips those.
        original = getattr(app_config, "models_module", None)
        app_config.models_module = original or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = original
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    everything = permission_model.objects.select_related("content_type")

    def key(permission):
        return f"{permission.content_type.app_label}.{permission.codename}"

    support, _created = group_model.objects.get_or_create(name=SUPPORT)
    support.permissions.set([p for p in everything if key(p) in SUPPORT_PERMISSIONS])
    administrator, _created = group_model.objects.get_or_create(name=ADMINISTRATOR)
    administrator.permissions.set([p for p in everything if key(p) not in NEVER])
