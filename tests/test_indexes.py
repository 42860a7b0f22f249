"""The portal's tables carry no index that another index of the same table already provides.

A foreign key gets its own index by default; where a unique constraint begins with that column,
the constraint's index serves the same lookups, and the second one only costs writes (450,000
bills a month, each written to every index of its table).
"""

import pytest
from django.apps import apps
from django.db import connection

pytestmark = pytest.mark.django_db

PORTAL_APPS = ("accounts", "enrollment", "billing", "payments", "phxpay")

# An index is redundant when another index of its table starts with the same columns, in the same
# operator classes (a varchar_pattern_ops index for LIKE is not covered by a plain one).
REDUNDANT_INDEXES = """
    SELECT a.indexrelid::regclass::text, b.indexrelid::regclass::text
    FROM pg_index a
    JOIN pg_index b ON b.indrelid = a.indrelid AND b.indexrelid <> a.indexrelid
    WHERE a.indrelid = ANY(%s::regclass[])
      AND NOT a.indisunique
      AND a.indpred IS NULL AND b.indpred IS NULL
      AND a.indexprs IS NULL AND b.indexprs IS NULL
      AND (b.indkey::text || ' ') LIKE (a.indkey::text || ' %%')
      AND (b.indclass::text || ' ') LIKE (a.indclass::text || ' %%')
"""


def _portal_tables() -> list[str]:
    """The tables of the portal's own models (not the many-to-many tables Django's auth adds)."""
    return [
        model._meta.db_table
        for label in PORTAL_APPS
        for model in apps.get_app_config(label).get_models()
        if not model._meta.auto_created
    ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="reads PostgreSQL's catalogue")
def test_no_index_repeats_the_start_of_another():
    with connection.cursor() as cursor:
        cursor.execute(REDUNDANT_INDEXES, [_portal_tables()])
        redundant = cursor.fetchall()
    assert redundant == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="reads PostgreSQL's catalogue")
def test_an_accounts_bills_are_still_found_by_an_index():
    """Dropping the foreign key's own index leaves the account's bills on an index scan."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN SELECT * FROM billing_bill WHERE account_id = 1")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "bill_once_per_date" in plan
