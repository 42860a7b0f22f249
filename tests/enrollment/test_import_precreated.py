"""The import pre-creates web users for e-bill customers, once, in bulk."""

import pytest
from django.core.management import call_command

from accounts.models import User
from enrollment.importer import accounts_import
from enrollment.models import Enrollment
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
        # The defect: the SQLite path compared case-sensitively and pre-created a second user for
        # an address a registered user holds with other capitals.
        {"username": "anaRuiz", "email": "Registered@example.com"},
    ],
)
def test_an_address_a_registered_user_holds_in_any_case_is_not_precreated(registered):
    UserFactory(**registered)
    report = accounts_import(data=(HEADER + ROWS).encode())
    assert (report.users_created, report.emails_of_registered_users) == (1, 1)
    user = User.objects.get(precreated=True)
    assert user.enrollments.count() == 2
    assert User.objects.filter(email__lower="registered@example.com").count() == 1


def test_an_address_used_as_a_user_name_is_not_precreated():
    UserFactory(username="Registered@example.com", email="other@example.com")
    report = accounts_import(data=(HEADER + ROWS).encode())
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
        " confirmation_mismatches, confirmation_generation, precreated, must_change_password,"
        " language_chosen)"
        " VALUES ('anaRuiz', 'Registered@example.com', '!', 'Ana', 'Ruiz', 0, 0, 1,"
        " '2026-01-01 00:00:00', 'en', '', 0, 0, 0, 0, 1)"
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

    result = manage("import_accounts", str(extract))
    assert "4 unchanged" in result.stdout and "0 e-bill web users pre-created" in result.stdout
    extract.write_text(HEADER + ROWS.replace("40.00", "41.50"))
    result = manage("import_accounts", str(extract))
    assert "1 updated" in result.stdout, result.stdout
    balance = database.execute(
        "SELECT balance FROM enrollment_billingaccount WHERE account_number = '1000000004'"
    ).fetchone()
    assert str(balance[0]) == "41.5"


def test_precreation_runs_a_constant_number_of_queries(
    tmp_path, capsys, django_assert_max_num_queries
):
    many = "".join(
        f"{2000000000 + n},1234,First{n},Last{n},{n} W Main St,person{n}@example.com,1.00,2026-12-01\n"
        for n in range(1500)
    )
    path = tmp_path / "extract.csv"
    path.write_text(HEADER + many)
    with django_assert_max_num_queries(13):
        call_command("import_accounts", str(path))
    assert User.objects.filter(precreated=True).count() == 1500
    assert Enrollment.objects.count() == 1500


def test_a_precreated_user_takes_every_column_it_does_not_decide_from_the_model():
    """Adding a User field needs no change to the pre-creation statement."""
    accounts_import(data=(HEADER + ROWS).encode())
    user = User.objects.get(email="rosa.valdez@example.com")
    decided = {"id", "username", "email", "password", "first_name", "last_name", "date_joined"}
    decided |= {"confirmed_at", "precreated", "must_change_password"}
    fresh = User()
    for field in User._meta.concrete_fields:
        if field.attname not in decided:
            assert getattr(user, field.attname) == getattr(fresh, field.attname), field.attname
    assert (user.username, user.first_name, user.precreated) == (
        "rosa.valdez@example.com",
        "Rosa",
        True,
    )
    assert user.must_change_password and not user.has_usable_password()
    # Two unusable passwords are never equal, as with Django's own.
    assert user.password != User.objects.get(email="registered@example.com").password


def test_a_precreated_user_is_named_from_the_first_of_its_accounts_by_number():
    rows = (
        "1000000009,9999,Luis,Mendoza,9 W Adams St,family@example.com,10.00,2026-12-01\n"
        "1000000005,5555,Elena,Mendoza,5 E Camelback Rd,family@example.com,20.00,2026-12-01\n"
        "1000000007,7777,Raul,Mendoza,7 N 1st Ave,family@example.com,30.00,2026-12-01\n"
    )
    report = accounts_import(data=(HEADER + rows).encode())
    assert report.users_created == 1
    user = User.objects.get(precreated=True)
    assert (user.first_name, user.last_name) == ("Elena", "Mendoza")
    assert user.enrollments.count() == 3
