"""No parallel scans of enrollments on PostgreSQL.

The portal reads enrollments one user at a time. Once the statistics know that a landlord holds
1,000 accounts, PostgreSQL costed a parallel sequential scan of every enrollment below the index
on (user, account): 21 ms against 3 ms at 126,000 enrollments, and growing with the city. A
table with parallel_workers = 0 is never scanned in parallel, whatever the server's settings.
"""

from django.db import migrations


def no_parallel_scans(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE enrollment_enrollment SET (parallel_workers = 0)")


def parallel_scans_again(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE enrollment_enrollment RESET (parallel_workers)")


class Migration(migrations.Migration):
    dependencies = [("enrollment", "0008_fk_indexes_in_unique_constraints")]

    operations = [migrations.RunPython(no_parallel_scans, parallel_scans_again, elidable=False)]
