from django.db import migrations

from accounts.roles import roles_sync


class Migration(migrations.Migration):
    """The Customer support and Administrator groups, with every model's permissions as of now."""

    dependencies = [
        ("accounts", "0009_support_permission"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("sessions", "0001_initial"),
        ("enrollment", "0005_pin_failure_number"),
        ("phxpay", "0006_signin_unlocked"),
        ("axes", "0010_accessattemptexpiration"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
        ("otp_totp", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(roles_sync, migrations.RunPython.noop)]
