"""Deleting a user detaches their audit events instead of failing.

`AuditEvent.user` is SET_NULL, but the append-only trigger refused every UPDATE, so deleting any user
with an audit event (`purge_unconfirmed`, the admin) raised "audit events are append-only". The one
UPDATE now allowed sets `user_id` to NULL and changes nothing else: the row keeps the User Name as
text, and every other column (including any added later) stays as written.
"""

from django.db import migrations

DETACH_ONLY_SQL = """
CREATE OR REPLACE FUNCTION phxpay_audit_event_no_update() RETURNS trigger AS $$
BEGIN
    IF NEW.user_id IS NULL AND OLD.user_id IS NOT NULL
       AND to_jsonb(NEW) - 'user_id' = to_jsonb(OLD) - 'user_id' THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit events are append-only';
END;
$$ LANGUAGE plpgsql;
"""
REFUSE_ALL_SQL = """
CREATE OR REPLACE FUNCTION phxpay_audit_event_no_update() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only';
END;
$$ LANGUAGE plpgsql;
"""


def detach_only(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DETACH_ONLY_SQL)


def refuse_all(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REFUSE_ALL_SQL)


class Migration(migrations.Migration):
    dependencies = [("phxpay", "0003_audit_kinds_for_guessing")]

    operations = [migrations.RunPython(detach_only, refuse_all)]
