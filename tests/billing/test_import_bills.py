"""`manage.py import_bills`: the CIS bills extract and its charge lines, the accounts import's contract."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command

from billing.importer import BILL_COLUMNS, LINE_COLUMNS
from billing.models import Bill, BillLine
from enrollment.models import BillingAccount
from tests.conftest import run_command
from tests.factories import BillFactory, BillingAccountFactory

pytestmark = pytest.mark.django_db

HEADER = ",".join(BILL_COLUMNS)
LINES_HEADER = ",".join(LINE_COLUMNS)


def bill(
    number="1000000001",
    bill_date="2026-11-24",
    due="2026-12-18",
    previous="105.74",
    paid="105.74",
    new="84.17",
    amount_due="84.17",
    units="10",
    start="2026-10-22",
    end="2026-11-21",
) -> str:
    return ",".join([number, bill_date, due, previous, paid, new, amount_due, units, start, end])


def charge(
    number="1000000001", bill_date="2026-11-24", service="water", text="Water", amount="84.17"
):
    return ",".join([number, bill_date, service, f'"{text}"', amount])


@pytest.fixture
def accounts():
    return [
        BillingAccountFactory(account_number="1000000001", balance="0", due_date=None),
        BillingAccountFactory(account_number="1000000002", balance="0", due_date=None),
    ]


@pytest.fixture
def files(tmp_path):
    count = 0

    def _write(content: str | bytes) -> str:
        nonlocal count
        count += 1
        path = tmp_path / f"file{count}.csv"
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
        return str(path)

    return _write


@pytest.fixture
def run(capsys):
    return lambda *args: run_command(capsys, "import_bills", *args)


def test_a_valid_extract_creates_bills_with_exit_status_0(accounts, files, run):
    content = "\n".join(
        [HEADER, bill(), bill(number="1000000002", amount_due="90.00", paid="99.91", new="84.17")]
    )
    result = run(files(content))
    assert result.code == 0, result.err
    assert "2 bills: 2 created, 0 updated, 0 unchanged, 0 rejected" in result.out
    stored = Bill.objects.get(account__account_number="1000000001")
    assert stored.bill_date == date(2026, 11, 24)
    assert stored.amount_due == Decimal("84.17")
    assert stored.period_start == date(2026, 10, 22)
    assert stored.water_usage_units == Decimal("10.00")


def test_the_latest_bill_sets_the_accounts_amount_due_and_due_date(accounts, files, run):
    older = bill(
        bill_date="2026-10-23",
        due="2026-11-16",
        amount_due="91.02",
        new="91.02",
        start="2026-09-22",
        end="2026-10-21",
    )
    run(files("\n".join([HEADER, bill(), older])))
    account = BillingAccount.objects.get(account_number="1000000001")
    assert (account.balance, account.due_date) == (Decimal("84.17"), date(2026, 12, 18))
    # A late-arriving older bill does not move the account back.
    run(
        files(
            "\n".join(
                [
                    HEADER,
                    bill(
                        bill_date="2026-09-23",
                        due="2026-10-16",
                        start="2026-08-22",
                        end="2026-09-21",
                    ),
                ]
            )
        )
    )
    account.refresh_from_db()
    assert (account.balance, account.due_date) == (Decimal("84.17"), date(2026, 12, 18))


def test_importing_the_same_files_twice_changes_nothing_the_second_time(accounts, files, run):
    bills = files("\n".join([HEADER, bill()]))
    lines = files(
        "\n".join(
            [
                LINES_HEADER,
                charge(amount="50.00"),
                charge(service="tax", text="Taxes", amount="34.17"),
            ]
        )
    )
    run(bills, "--lines", lines)
    first = list(BillLine.objects.values_list("pk", "service", "amount"))
    result = run(bills, "--lines", lines)
    assert result.code == 0
    assert (
        "1 bills: 0 created, 0 updated, 1 unchanged, 0 rejected; 0 charge lines written"
        in result.out
    )
    assert list(BillLine.objects.values_list("pk", "service", "amount")) == first


def test_a_changed_amount_updates_that_bill_only(accounts, files, run):
    run(files("\n".join([HEADER, bill(), bill(number="1000000002")])))
    result = run(
        files("\n".join([HEADER, bill(new="90.00", amount_due="90.00"), bill(number="1000000002")]))
    )
    assert "0 created, 1 updated, 1 unchanged" in result.out
    assert Bill.objects.get(account__account_number="1000000001").amount_due == Decimal("90.00")


def test_a_bill_for_an_unknown_account_is_a_reported_reject(accounts, files, run):
    result = run(files("\n".join([HEADER, bill(), bill(number="1999999999")])))
    assert result.code == 1
    assert "bills line 3: rejected: unknown account 1999999999" in result.err
    assert Bill.objects.count() == 1


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (bill(number="12345"), "account_number must be exactly 10 digits"),
        (bill(bill_date="2026-13-01"), "bill_date '2026-13-01' is not a date"),
        (bill(due="2026-11-01"), "due_date is before bill_date"),
        (bill(start="2026-11-30"), "period_start is after period_end"),
        (
            bill(amount_due="84.18"),
            "amount_due 84.18 is not previous_balance - payments_received + new_charges",
        ),
        (bill(previous="1e3"), "is not"),
        (bill(new="12.345", amount_due="12.345"), "fractions of a cent"),
        (bill(units="-1"), "water_usage_units '-1' must be 0 to"),
        (bill(units="ten"), "water_usage_units 'ten' is not a number"),
        (bill(paid="NaN"), "out of range"),
    ],
)
def test_a_bad_bill_row_is_reported_with_its_line_and_reason_and_skipped(
    accounts, files, run, row, reason
):
    result = run(files("\n".join([HEADER, bill(number="1000000002"), row])))
    assert result.code == 1
    assert "bills line 3: rejected:" in result.err and reason in result.err, result.err
    assert list(Bill.objects.values_list("account__account_number", flat=True)) == ["1000000002"]


@pytest.mark.parametrize(
    "path", ["../secrets.pdf", "/etc/passwd.pdf", "a/../../b.pdf", "bill.exe", "a b.pdf"]
)
def test_a_pdf_path_outside_the_bill_storage_is_refused(accounts, files, run, path):
    result = run(files(f"{HEADER},pdf_path\n{bill()},{path}"))
    assert result.code == 1
    assert "pdf_path" in result.err
    assert not Bill.objects.exists()


def test_a_pdf_path_inside_the_storage_is_kept(accounts, files, run):
    run(files(f"{HEADER},pdf_path\n{bill()},vendor/2026-11/1000000001.pdf"))
    assert Bill.objects.get().vendor_pdf == "vendor/2026-11/1000000001.pdf"


def test_a_duplicate_bill_rejects_the_second_occurrence_citing_the_first(accounts, files, run):
    result = run(files("\n".join([HEADER, bill(), bill(new="90.00", amount_due="90.00")])))
    assert (
        "bills line 3: rejected: duplicate bill for account 1000000001 on 2026-11-24 (first on line 2)"
        in result.err
    )
    assert Bill.objects.get().amount_due == Decimal("84.17")


def test_the_lines_give_each_bill_its_charges_in_file_order(accounts, files, run):
    lines = files(
        "\n".join(
            [
                LINES_HEADER,
                charge(text="Water: service charge + 10 units", amount="38.40"),
                charge(service="wastewater", text="Wastewater", amount="25.94"),
                charge(service="solid_waste", text="Solid waste service", amount="19.83"),
            ]
        )
    )
    result = run(files("\n".join([HEADER, bill()])), "--lines", lines)
    assert result.code == 0, result.err
    assert list(Bill.objects.get().lines.values_list("service", "amount")) == [
        ("water", Decimal("38.40")),
        ("wastewater", Decimal("25.94")),
        ("solid_waste", Decimal("19.83")),
    ]


def test_changed_lines_replace_the_stored_ones(accounts, files, run):
    bills = files("\n".join([HEADER, bill()]))
    run(bills, "--lines", files("\n".join([LINES_HEADER, charge()])))
    result = run(
        bills,
        "--lines",
        files(
            "\n".join(
                [
                    LINES_HEADER,
                    charge(amount="80.00"),
                    charge(service="other", text="Late payment charge", amount="4.17"),
                ]
            )
        ),
    )
    assert "2 charge lines written" in result.out
    assert list(Bill.objects.get().lines.values_list("service", "amount")) == [
        ("water", Decimal("80.00")),
        ("other", Decimal("4.17")),
    ]


def test_lines_that_do_not_add_up_to_the_new_charges_reject_the_bill(accounts, files, run):
    lines = files("\n".join([LINES_HEADER, charge(amount="80.00")]))
    result = run(files("\n".join([HEADER, bill()])), "--lines", lines)
    assert result.code == 1
    assert "bills line 2: rejected: its lines add up to 80.00, not new_charges 84.17" in result.err
    assert "lines line 2: rejected: its bill was rejected" in result.err
    assert not Bill.objects.exists()


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (charge(service="sewer"), "service 'sewer' is not one of"),
        (charge(text=""), "description must be 1 to 200 characters"),
        (charge(bill_date="2026-11-25"), "no bill for account 1000000001 on 2026-11-25"),
        (charge(amount="x"), "amount 'x' is not a decimal number"),
    ],
)
def test_a_bad_line_is_reported(accounts, files, run, row, reason):
    result = run(
        files("\n".join([HEADER, bill()])), "--lines", files("\n".join([LINES_HEADER, row]))
    )
    assert result.code == 1
    assert "lines line 2: rejected:" in result.err and reason in result.err, result.err


def test_a_bom_extra_columns_and_any_column_order_are_fine(accounts, files, run):
    columns = ["note", *reversed(BILL_COLUMNS)]
    values = ["hello", *reversed(bill().split(","))]
    result = run(files(("\ufeff" + ",".join(columns) + "\n" + ",".join(values)).encode()))
    assert result.code == 0, result.err
    assert Bill.objects.get().amount_due == Decimal("84.17")


@pytest.mark.parametrize(
    "content",
    [b"", b"\xff\xfe not utf-8", b"account_number,bill_date\n1000000001,2026-11-24"],
)
def test_an_unusable_file_exits_2_and_writes_nothing(accounts, files, run, content):
    BillFactory(account=accounts[0])
    before = list(Bill.objects.values_list("pk", "amount_due"))
    result = run(files(content))
    assert result.code == 2
    assert "unusable file, nothing written" in result.err
    assert list(Bill.objects.values_list("pk", "amount_due")) == before


def test_an_unusable_lines_file_writes_no_bills_either(accounts, files, run):
    result = run(files("\n".join([HEADER, bill()])), "--lines", files("service,amount\nwater,1"))
    assert result.code == 2
    assert not Bill.objects.exists()


def test_dry_run_reports_the_counts_and_writes_nothing(accounts, files, run):
    result = run(files("\n".join([HEADER, bill(), bill(number="1999999999")])), "--dry-run")
    assert result.code == 1
    assert "DRY RUN (nothing written): 2 bills: 1 created" in result.out
    assert not Bill.objects.exists()
    assert BillingAccount.objects.get(account_number="1000000001").balance == 0


def test_a_missing_file_exits_2(run, tmp_path):
    result = run(tmp_path / "nowhere.csv")
    assert result.code == 2
    assert "cannot read" in result.err


def test_help_documents_both_formats(capsys):
    with pytest.raises(SystemExit):
        call_command("import_bills", "--help")
    text = "".join(capsys.readouterr().out.split())  # argparse wraps the long header lines
    assert ",".join(BILL_COLUMNS) in text and ",".join(LINE_COLUMNS) in text


def test_the_database_refuses_a_bill_whose_amounts_do_not_add_up(accounts):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        BillFactory(account=accounts[0], amount_due=Decimal("1.00"))


def test_the_import_runs_a_constant_number_of_queries(
    accounts, files, run, django_assert_max_num_queries
):
    many = [
        bill(
            bill_date=f"2026-{month:02d}-10",
            due=f"2026-{month:02d}-28",
            start=f"2026-{month:02d}-01",
            end=f"2026-{month:02d}-05",
        )
        for month in range(1, 13)
    ]
    with django_assert_max_num_queries(25):
        result = run(files("\n".join([HEADER, *many])))
    assert "12 created" in result.out


def test_the_import_gives_the_same_result_on_sqlite(tmp_path):
    """`make run`'s database: the real command, end to end, in a process configured for SQLite."""
    import os
    import sqlite3
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "DEBUG": "true", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}

    def manage(*args):
        return subprocess.run(
            [sys.executable, "manage.py", *args], cwd=root, env=env, capture_output=True, text=True
        )

    assert manage("migrate", "-v0").returncode == 0
    accounts = root / "demo" / "cis_extract_demo.csv"
    assert manage("import_accounts", str(accounts)).returncode == 0
    bills = [
        str(root / "demo" / "cis_bills_demo.csv"),
        "--lines",
        str(root / "demo" / "cis_bill_lines_demo.csv"),
    ]
    first = manage("import_bills", *bills, "--no-notices")
    assert first.returncode == 0, first.stdout + first.stderr
    again = manage("import_bills", *bills, "--no-notices")
    assert "0 created, 0 updated, 96 unchanged, 0 rejected; 0 charge lines written" in again.stdout
    database = sqlite3.connect(tmp_path / "db.sqlite3")
    (count,) = database.execute("SELECT count(*) FROM billing_billline").fetchone()
    assert count == 458
