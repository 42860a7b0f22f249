from django.db import migrations

from accounts.roles import roles_sync


class Migration(migrations.Migration):
    """Administrators also get the passkey models' permissions (support agents none of them)."""

    dependencies = [
        ("accounts", "0010_staff_roles"),
        ("phxpay", "0007_passkey_audit_kinds"),
        ("django_otp_webauthn", "0004_webauthnuserhandle"),
    ]

    operations = [migrations.RunPython(roles_sync, migrations.RunPython.noop)]
