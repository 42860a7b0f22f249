from django.db import migrations

from accounts.roles import roles_sync


class Migration(migrations.Migration):
    """Both staff roles learn the payment models' permissions (support: view only; administrators
    also refund)."""

    dependencies = [
        ("payments", "0001_initial"),
        ("billing", "0002_roles"),
    ]

    operations = [migrations.RunPython(roles_sync, migrations.RunPython.noop)]
