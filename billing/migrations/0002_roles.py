from django.db import migrations

from accounts.roles import roles_sync


class Migration(migrations.Migration):
    """Both staff roles learn the bill models' permissions (support: view only)."""

    dependencies = [
        ("billing", "0001_initial"),
        ("accounts", "0011_roles_with_passkeys"),
    ]

    operations = [migrations.RunPython(roles_sync, migrations.RunPython.noop)]
