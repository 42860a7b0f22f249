"""The import pre-creates web users for e-bill customers, once, in bulk."""

import pytest
from django.core.management import call_command

from accounts.models import User
from enrollment.importer import _upsert_generic, parse_extract
from enrollment.models import Enrollment
from enrollment.precreated import precreate_generic
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HEADER = "account_number,pin,first_name,last_name,service_address,ebill_email,balance,due_date\n"
ROWS = (
    "1000000001,1111,Rosa,Valdez,1 E Camelback Rd,Rosa.Valdez@Example.com,10.00,2026-12-01\n"
    "1000000002,2222,Rosa,Valdez,9 W Adams St,rosa.valdez@example.com,20.00,2026-12-01\n"
    "1000000003,3333,Tomas,Ortega,3 N 1st Ave,,30.00,2026-12-01\n"
    "1000000004,4444,Ana,Ruiz,4 S 2nd St,registered@example.com,40.00,2026-12-01\n"
)


def run_import(tmp_path, capsys, text=HEADER + ROWS):
    path = tmp_path / "extract.csv"
    path.write_text(text)
    try:
        call_command("import_accounts", str(path))
    except SystemExit as exit_:
        assert exit_.code == 0
    return capsys.readouterr().out


def test_one_precreated_user_per_new_ebill_address_holding_its_accounts(tmp_path, capsys):
    UserFactory(username="anaRuiz", email="Registered@example.com")
    out = run_import(tmp_path, capsys)
    assert "1 e-bill web users pre-created" in out
    assert "1 e-bill addresses already belong to registered users" in out
    user = User.objects.get(precreated=True)
    assert user.username == user.email == "rosa.valdez@example.com"
    assert not user.has_usable_password() and user.must_change_password and user.is_confirmed
    assert (user.first_name, user.last_name) == ("Rosa", "Valdez")
    held = set(
        Enrollment.objects.filter(user=user, role="holder").values_list(
            "account__account_number", flat=True
        )
    )
    assert held == {"1000000001", "1000000002"}
    # The registered user's address created nothing and enrolled nothing.
    assert not Enrollment.objects.filter(user__username="anaRuiz").exists()


def test_import_twice_creates_nothing_more(tmp_path, capsys):
    first = run_import(tmp_path, capsys)
    assert "2 e-bill web users pre-created" in first
    out = run_import(tmp_path, capsys)
    assert "0 e-bill web users pre-created" in out
    assert User.objects.filter(precreated=True).count() == 2
    assert Enrollment.objects.count() == 3


def test_a_new_account_for_an_existing_precreated_user_is_enrolled(tmp_path, capsys):
    run_import(tmp_path, capsys)
    more = (
        ROWS
        + "1000000005,5555,Rosa,Valdez,5 E Roosevelt St,rosa.valdez@example.com,5.00,2026-12-01\n"
    )
    run_import(tmp_path, capsys, HEADER + more)
    user = User.objects.get(precreated=True, email="rosa.valdez@example.com")
    assert user.enrollments.count() == 3


def test_dry_run_precreates_nothing(tmp_path, capsys):
    path = tmp_path / "extract.csv"
    path.write_text(HEADER + ROWS)
    call_command("import_accounts", str(path), "--dry-run")
    assert "2 e-bill web users pre-created" in capsys.readouterr().out
    assert not User.objects.exists()


@pytest.mark.parametrize(
    "registered",
    [
        {"username": "anaRuiz", "email": "registered@example.com"},
        # The defect: the generic (SQLite) path compared case-sensitively and pre-created a
        # second user for an address a registered user holds with other capitals.
        {"username": "anaRuiz", "email": "Registered@example.com"},
    ],
)
def test_the_generic_path_follows_the_same_rules(registered):
    UserFactory(**registered)
    rows, _rejected = parse_extract((HEADER + ROWS).encode())
    from django.utils import timezone

    _upsert_generic(rows, timezone.now())
    report = precreate_generic(rows=rows, now=timezone.now())
    assert (report.users_created, report.emails_of_registered_users) == (1, 1)
    user = User.objects.get(precreated=True)
    assert user.enrollments.count() == 2
    assert User.objects.filter(email__lower="registered@example.com").count() == 1


def test_the_generic_path_leaves_an_address_used_as_a_user_name_alone():
    UserFactory(username="Registered@example.com", email="other@example.com")
    rows, _rejected = parse_extract((HEADER + ROWS).encode())
    from django.utils import timezone

    _upsert_generic(rows, timezone.now())
    report = precreate_generic(rows=rows, now=timezone.now())
    assert report.users_created == 1
    assert not User.objects.filter(precreated=True, email="registered@example.com").exists()


def test_the_import_gives_the_same_result_on_sqlite(tmp_path):
    """`make run`'s database: the real command, end to end, in a process configured for SQLite."""
    import os
    import sqlite3
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    extract = tmp_path / "extract.csv"
    extract.write_text(HEADER + ROWS)
    env = {**os.environ, "DEBUG": "true", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}

    def manage(*args):
        return subprocess.run(
            [sys.executable, "manage.py", *args], cwd=root, env=env, capture_output=True, text=True
        )

    assert manage("migrate", "-v0").returncode == 0
    database = sqlite3.connect(tmp_path / "db.sqlite3")
    database.execute(
        "INSERT INTO accounts_user (username, email, password, first_name, last_name, is_superuser,"
        " is_staff, is_active, date_joined, preferred_language, confirmation_token_hash,"
        " confirmation_mismatches, confirmation_generation, precreated, must_change_password)"
        " VALUES ('anaRuiz', 'Registered@example.com', '!', 'Ana', 'Ruiz', 0, 0, 1,"
        " '2026-01-01 00:00:00', 'en', '', 0, 0, 0, 0)"
    )
    database.commit()
    result = manage("import_accounts", str(extract))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 e-bill web users pre-created" in result.stdout
    assert "1 e-bill addresses already belong to registered users" in result.stdout
    users = database.execute(
        "SELECT lower(email), precreated FROM accounts_user ORDER BY 1"
    ).fetchall()
    assert users == [("registered@example.com", 0), ("rosa.valdez@example.com", 1)]
    holdings = database.execute("SELECT count(*) FROM enrollment_enrollment").fetchone()
    assert holdings == (2,)


def test_precreation_runs_a_constant_number_of_queries(
    tmp_path, capsys, django_assert_max_num_queries
):
    many = "".join(
        f"{2000000000 + n},1234,First{n},Last{n},{n} W Main St,person{n}@example.com,1.00,2026-12-01\n"
        for n in range(1500)
    )
    path = tmp_path / "extract.csv"
    path.write_text(HEADER + many)
    with django_assert_max_num_queries(12):
        call_command("import_accounts", str(path))
    assert User.objects.filter(precreated=True).count() == 1500
    assert Enrollment.objects.count() == 1500


def test_both_paths_make_the_same_user_column_for_column(tmp_path, capsys):
    """The PostgreSQL statement takes every column it does not decide from the model's defaults,
    so it and the ORM path (SQLite) give identical users."""
    from django.utils import timezone

    def columns(user):
        return {f.attname: getattr(user, f.attname) for f in User._meta.concrete_fields}

    run_import(tmp_path, capsys)
    by_sql = User.objects.get(email="rosa.valdez@example.com")
    User.objects.all().delete()
    rows, _rejected = parse_extract((HEADER + ROWS).encode())
    precreate_generic(rows=rows, now=timezone.now())
    by_orm = User.objects.get(email="rosa.valdez@example.com")
    differ = {"id", "password", "date_joined", "confirmed_at"}
    first, second = columns(by_sql), columns(by_orm)
    assert {k: v for k, v in first.items() if k not in differ} == {
        k: v for k, v in second.items() if k not in differ
    }
    assert not by_sql.has_usable_password() and not by_orm.has_usable_password()
