"""`manage.py import_accounts`: loading and updating billing accounts from the CIS extract."""

import hashlib
import hmac
import io
import sys
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection

from enrollment import importer
from enrollment.importer import COLUMNS
from enrollment.models import BillingAccount
from enrollment.pins import pin_digest, pin_matches
from tests.conftest import run_command

pytestmark = pytest.mark.django_db

HEADER = ",".join(COLUMNS)


def line(
    number="1000000001",
    pin="1234",
    first="Maria",
    last="Lopez",
    address="200 W Washington St, Phoenix AZ 85003",
    email="",
    balance="45.10",
    due="2026-12-18",
) -> str:
    return ",".join([number, pin, first, last, f'"{address}"', email, balance, due])


# Three valid rows; they are lines 2-4 of the file (the header is line 1).
ROWS = [
    line("1000000001", "1234", "Maria", "Lopez", email="Maria.Lopez@Example.com"),
    line("1000000002", "5678", "William", "Sample", "1 E Main St", "", "0", ""),
    line("1000000003", "0042", "Ana", "Núñez", "Calle 5, Unit 3", "ana@example.org", "-12.5"),
]


def csv_text(*rows, header=HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


@pytest.fixture
def extract(tmp_path):
    """Write an extract (text or raw bytes) to a file and return its path."""
    count = 0

    def _extract(content: str | bytes, encoding="utf-8"):
        nonlocal count
        count += 1
        path = tmp_path / f"extract{count}.csv"
        path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
        return path

    return _extract


@pytest.fixture
def run(capsys):
    return lambda *args: run_command(capsys, "import_accounts", *args)


def summary(rows, created=0, updated=0, unchanged=0, rejected=0) -> str:
    return (
        f"{rows} rows: {created} created, {updated} updated, {unchanged} unchanged, "
        f"{rejected} rejected"
    )


def stored() -> dict[str, BillingAccount]:
    return {account.account_number: account for account in BillingAccount.objects.all()}


# --- the format -----------------------------------------------------------------------------


def test_imports_every_row_of_a_valid_extract_with_exit_status_0(extract, run):
    result = run(extract(csv_text(*ROWS)))

    assert result.code == 0
    assert summary(3, created=3) in result.out
    assert result.err == ""
    accounts = stored()
    assert set(accounts) == {"1000000001", "1000000002", "1000000003"}
    maria = accounts["1000000001"]
    assert (maria.first_name, maria.last_name) == ("Maria", "Lopez")
    assert maria.service_address == "200 W Washington St, Phoenix AZ 85003"
    assert maria.ebill_email == "maria.lopez@example.com"
    assert maria.balance == Decimal("45.10")
    assert maria.due_date == date(2026, 12, 18)
    assert maria.paperless is True  # she has an e-bill address
    assert maria.failed_pin_attempts == 0
    william = accounts["1000000002"]
    assert william.ebill_email == "" and william.balance == Decimal("0.00")
    assert william.due_date is None
    ana = accounts["1000000003"]
    assert ana.last_name == "Núñez" and ana.balance == Decimal("-12.50")


def test_accepts_a_utf8_byte_order_mark(extract, run):
    result = run(extract(b"\xef\xbb\xbf" + csv_text(*ROWS).encode()))

    assert result.code == 0
    assert summary(3, created=3) in result.out
    assert BillingAccount.objects.count() == 3


def test_accepts_windows_line_endings(extract, run):
    result = run(extract(csv_text(*ROWS).replace("\n", "\r\n")))

    assert result.code == 0
    assert summary(3, created=3) in result.out


def test_ignores_extra_columns(extract, run):
    text = csv_text(
        "X1," + line("1000000001", first="Maria") + ",internal note",
        "X2," + line("1000000002", first="Jose") + ",",
        header="cis_id," + HEADER + ",notes",
    )

    result = run(extract(text))

    assert result.code == 0
    assert summary(2, created=2) in result.out
    assert stored()["1000000002"].first_name == "Jose"


def test_reads_columns_by_header_name_in_any_order(extract, run):
    header = "due_date,balance,ebill_email,service_address,last_name,first_name,pin,account_number"
    text = csv_text(
        "2027-01-05,99.99,a@example.com,9 N 1st Ave,Sample,William,4321,1000000009", header=header
    )

    result = run(extract(text))

    assert result.code == 0
    account = BillingAccount.objects.get()
    assert account.account_number == "1000000009"
    assert (account.first_name, account.last_name) == ("William", "Sample")
    assert account.service_address == "9 N 1st Ave"
    assert account.ebill_email == "a@example.com"
    assert account.balance == Decimal("99.99")
    assert account.due_date == date(2027, 1, 5)
    assert pin_matches(account_number="1000000009", pin="4321", digest=account.pin_hash)


def test_an_extract_with_only_a_header_imports_nothing_with_exit_status_0(extract, run):
    result = run(extract(HEADER + "\n"))

    assert result.code == 0
    assert summary(0) in result.out


# --- rejected rows --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bad_row", "reason"),
    [
        pytest.param(line("100000000"), "account_number must be exactly 10 digits", id="9-digits"),
        pytest.param(
            line("10000000001"), "account_number must be exactly 10 digits", id="11-digits"
        ),
        pytest.param(line("10000000AB"), "account_number must be exactly 10 digits", id="letters"),
        pytest.param(line("1000-00001"), "account_number must be exactly 10 digits", id="dash"),
        pytest.param(
            line("١٠٠٠٠٠٠٠٠٩"), "account_number must be exactly 10 digits", id="non-ascii-digits"
        ),
        pytest.param(line(pin="123"), "pin must be exactly 4 digits", id="3-digit-pin"),
        pytest.param(line(pin="12345"), "pin must be exactly 4 digits", id="5-digit-pin"),
        pytest.param(line(pin="12a4"), "pin must be exactly 4 digits", id="pin-letters"),
        pytest.param(line(pin="١٢٣٤"), "pin must be exactly 4 digits", id="pin-non-ascii-digits"),
        pytest.param(
            line(due="2026-13-01"),
            "due_date '2026-13-01' is not a date in YYYY-MM-DD form",
            id="month-13",
        ),
        pytest.param(
            line(due="12/18/2026"),
            "due_date '12/18/2026' is not a date in YYYY-MM-DD form",
            id="us-date",
        ),
        pytest.param(
            line(due="2026-02-30"),
            "due_date '2026-02-30' is not a date in YYYY-MM-DD form",
            id="feb-30",
        ),
        pytest.param(
            line(email="maria@@example"),
            "ebill_email 'maria@@example' is not a valid email",
            id="email",
        ),
        pytest.param(
            line(email="a" * 250 + "@x.com"),
            "ebill_email must be at most 254 characters",
            id="email-longer-than-the-column",
        ),
        pytest.param(
            line(balance="12.50.1"), "balance '12.50.1' is not a decimal number", id="balance-text"
        ),
        pytest.param(line(balance="NaN"), "balance 'NaN' is out of range", id="balance-nan"),
        pytest.param(line(balance="1e12"), "balance '1e12' is out of range", id="balance-too-big"),
        pytest.param(
            line(address=""), "service_address must be 1 to 255 characters", id="no-address"
        ),
        pytest.param(
            line(first="x" * 151),
            "first_name and last_name must be at most 150 characters",
            id="name-too-long",
        ),
        pytest.param(
            "1000000001,1234,Maria",
            "missing values: the row has fewer columns than the header",
            id="short-row",
        ),
        pytest.param(
            line(first="Ma\x00ria"), "the row contains a NUL character", id="nul-character"
        ),
    ],
)
def test_a_bad_row_is_reported_with_its_line_and_reason_and_skipped(extract, run, bad_row, reason):
    text = csv_text(line("2000000001"), bad_row, line("2000000003"))

    result = run(extract(text))

    assert result.code == 1
    assert f"line 3: rejected: {reason}" in result.err
    assert summary(3, created=2, rejected=1) in result.out
    assert set(stored()) == {"2000000001", "2000000003"}


def test_a_duplicate_account_number_rejects_the_second_occurrence_citing_the_first(extract, run):
    text = csv_text(
        line("1000000001", first="First"),
        line("1000000002"),
        line("1000000001", first="Second"),
    )

    result = run(extract(text))

    assert result.code == 1
    assert "line 4: rejected: duplicate account_number 1000000001 (first on line 2)" in result.err
    assert "line 2" not in result.err.replace("(first on line 2)", "")
    assert summary(3, created=2, rejected=1) in result.out
    assert stored()["1000000001"].first_name == "First"


def test_every_bad_row_is_reported_in_file_order(extract, run):
    text = csv_text(line("1"), line("1000000002"), line(pin="1"), line("1000000004", due="x"))

    result = run(extract(text))

    assert result.code == 1
    lines = [entry for entry in result.err.splitlines() if "rejected" in entry]
    assert [entry.split(":")[0] for entry in lines] == ["line 2", "line 4", "line 5"]
    assert summary(4, created=1, rejected=3) in result.out


def test_blank_lines_are_skipped_and_line_numbers_stay_those_of_the_file(extract, run):
    text = csv_text(line("1000000001"), "", line("1000000003"), "", line("1000000005", pin="1"))

    result = run(extract(text))

    assert result.code == 1
    assert "line 6: rejected: pin must be exactly 4 digits" in result.err
    assert summary(3, created=2, rejected=1) in result.out


# --- unusable files: exit status 2, nothing written -----------------------------------------


def test_a_file_that_is_not_utf8_exits_2_and_writes_nothing(extract, run):
    text = csv_text(line("1000000001"), line("1000000002", first="José"), line("1000000003"))

    result = run(extract(text, encoding="latin-1"))

    assert result.code == 2
    assert "not UTF-8" in result.err and "nothing written" in result.err
    assert result.out == ""
    assert BillingAccount.objects.count() == 0


def test_missing_columns_exit_2_and_write_nothing(extract, run):
    header = "account_number,pin,first_name,last_name,service_address,balance"
    text = csv_text("1000000001,1234,Maria,Lopez,1 Main St,10.00", header=header)

    result = run(extract(text))

    assert result.code == 2
    assert "missing columns: ebill_email, due_date" in result.err
    assert BillingAccount.objects.count() == 0


def test_a_column_named_twice_exits_2(extract, run):
    text = csv_text(line() + ",9999", header=HEADER + ",pin")

    result = run(extract(text))

    assert result.code == 2
    assert "columns named more than once: pin" in result.err
    assert BillingAccount.objects.count() == 0


def test_an_empty_file_exits_2(extract, run):
    result = run(extract(b""))

    assert result.code == 2
    assert "empty" in result.err


def test_a_file_that_cannot_be_opened_exits_2(tmp_path, run):
    result = run(tmp_path / "no-such-extract.csv")

    assert result.code == 2
    assert "cannot read" in result.err


def test_an_unusable_file_leaves_existing_accounts_untouched(extract, run):
    run(extract(csv_text(*ROWS)))
    before = {a.account_number: (a.balance, a.updated_at) for a in BillingAccount.objects.all()}
    changed = csv_text(line("1000000001", balance="1.00"), line("1000000099", first="Zoë"))

    result = run(extract(changed, encoding="latin-1"))

    assert result.code == 2
    assert {
        a.account_number: (a.balance, a.updated_at) for a in BillingAccount.objects.all()
    } == before


# --- updates and idempotency ----------------------------------------------------------------


def test_a_changed_balance_updates_that_account_only(extract, run):
    run(extract(csv_text(*ROWS)))
    before = {number: account.updated_at for number, account in stored().items()}
    changed = [ROWS[0].replace(",45.10,", ",60.00,"), ROWS[1], ROWS[2]]

    result = run(extract(csv_text(*changed)))

    assert result.code == 0
    assert summary(3, updated=1, unchanged=2) in result.out
    after = stored()
    assert after["1000000001"].balance == Decimal("60.00")
    assert after["1000000001"].updated_at > before["1000000001"]
    assert after["1000000002"].updated_at == before["1000000002"]
    assert after["1000000003"].updated_at == before["1000000003"]


def test_a_changed_pin_updates_the_account(extract, run):
    run(extract(csv_text(*ROWS)))

    result = run(extract(csv_text(ROWS[0].replace(",1234,", ",9999,"), ROWS[1], ROWS[2])))

    assert summary(3, updated=1, unchanged=2) in result.out
    digest = stored()["1000000001"].pin_hash
    assert pin_matches(account_number="1000000001", pin="9999", digest=digest)


def test_the_import_keeps_enrollment_state_it_does_not_own(extract, run):
    run(extract(csv_text(*ROWS)))
    BillingAccount.objects.filter(account_number="1000000001").update(
        paperless=True, failed_pin_attempts=2, lockouts=1
    )

    run(extract(csv_text(ROWS[0].replace(",45.10,", ",1.00,"), ROWS[1], ROWS[2])))

    account = stored()["1000000001"]
    assert account.balance == Decimal("1.00")
    assert (account.paperless, account.failed_pin_attempts, account.lockouts) == (True, 2, 1)


def test_running_the_same_extract_twice_changes_nothing_the_second_time(extract, run):
    path = extract(csv_text(*ROWS))
    first = run(path)
    before = {number: account.updated_at for number, account in stored().items()}

    second = run(path)

    assert summary(3, created=3) in first.out
    assert second.code == 0
    assert summary(3, unchanged=3) in second.out
    assert {number: account.updated_at for number, account in stored().items()} == before


def test_an_email_differing_only_in_case_is_unchanged(extract, run):
    run(extract(csv_text(*ROWS)))

    result = run(
        extract(
            csv_text(
                ROWS[0].replace("Maria.Lopez@Example.com", "maria.lopez@example.COM"), *ROWS[1:]
            )
        )
    )

    assert summary(3, unchanged=3) in result.out


# --- dry run --------------------------------------------------------------------------------


def test_dry_run_writes_nothing_but_reports_the_counts_of_the_real_run(extract, run):
    run(extract(csv_text(*ROWS)))
    before = {a.account_number: (a.balance, a.updated_at) for a in BillingAccount.objects.all()}
    path = extract(
        csv_text(
            ROWS[0].replace(",45.10,", ",60.00,"),  # updated
            ROWS[1],  # unchanged
            line("1000000004"),  # created
            line("1000000005", pin="12"),  # rejected
        )
    )

    dry = run(path, "--dry-run")

    assert dry.code == 1
    assert "DRY RUN" in dry.out
    assert summary(4, created=1, updated=1, unchanged=1, rejected=1) in dry.out
    assert "line 5: rejected: pin must be exactly 4 digits" in dry.err
    assert {
        a.account_number: (a.balance, a.updated_at) for a in BillingAccount.objects.all()
    } == before

    real = run(path)

    assert real.code == 1
    assert "DRY RUN" not in real.out
    assert summary(4, created=1, updated=1, unchanged=1, rejected=1) in real.out
    assert BillingAccount.objects.count() == 4


def test_dry_run_on_an_empty_table_creates_nothing(extract, run):
    result = run(extract(csv_text(*ROWS)), "--dry-run")

    assert result.code == 0
    assert summary(3, created=3) in result.out
    assert BillingAccount.objects.count() == 0


def test_dry_run_of_an_unusable_file_exits_2(extract, run):
    result = run(extract(csv_text(*ROWS, header="account_number,pin")), "--dry-run")

    assert result.code == 2
    assert BillingAccount.objects.count() == 0


# --- stdin, help, progress ------------------------------------------------------------------


def test_reads_standard_input_when_the_file_is_a_dash(monkeypatch, run):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(csv_text(*ROWS).encode())))

    result = run("-")

    assert result.code == 0
    assert summary(3, created=3) in result.out
    assert BillingAccount.objects.count() == 3


def test_help_documents_the_format(run):
    result = run("--help")

    assert result.code == 0
    text = " ".join(result.out.split())  # argparse wraps the text
    for column in COLUMNS:
        assert column in text
    for fragment in ("UTF-8", "BOM", "YYYY-MM-DD", "10 digits", "4 digits", "--dry-run", "'-'"):
        assert fragment in text
    assert "Exit status: 0" in text and "1 some rows rejected" in text and "2 the file" in text


def test_large_files_show_progress_on_stderr(extract, run):
    rows = [line(f"{3_000_000_000 + n}", f"{n % 10_000:04d}") for n in range(60_000)]

    result = run(extract(csv_text(*rows)), "--dry-run")

    assert result.code == 0
    assert "validated 50000/60001 lines (83%)" in result.err
    assert "writing 60000 valid rows" in result.err


# --- PINs -----------------------------------------------------------------------------------


def test_the_pin_is_stored_only_as_a_keyed_hash(extract, run):
    run(extract(csv_text(line("1000000001", pin="8642", first="Maria"))))

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT * FROM enrollment_billingaccount WHERE account_number = %s", ["1000000001"]
        )
        columns = [column.name for column in cursor.description]
        (values,) = cursor.fetchall()
    raw = dict(zip(columns, values, strict=True))
    for column, value in raw.items():
        assert value != "8642" and value != 8642, column
        if isinstance(value, str):
            assert "8642" not in value, column
    assert raw["pin_hash"] == pin_digest(account_number="1000000001", pin="8642")
    assert len(raw["pin_hash"]) == 64
    unkeyed = hashlib.sha256(b"1000000001:8642").hexdigest()
    assert raw["pin_hash"] != unkeyed


def test_the_pin_hash_depends_on_the_pin_pepper(extract, run, settings):
    run(extract(csv_text(line("1000000001", pin="8642"))))
    digest = BillingAccount.objects.get().pin_hash

    settings.PIN_PEPPER = "another-deployments-pepper-0123456789"

    assert pin_digest(account_number="1000000001", pin="8642") != digest
    assert not pin_matches(account_number="1000000001", pin="8642", digest=digest)


def test_importing_with_another_pin_pepper_stores_that_peppers_digest(extract, run, settings):
    settings.PIN_PEPPER = "another-deployments-pepper-0123456789"

    run(extract(csv_text(line("1000000001", pin="8642"))))

    digest = BillingAccount.objects.get().pin_hash
    assert digest == pin_digest(account_number="1000000001", pin="8642")
    settings.PIN_PEPPER = "tests-only-pin-pepper-0123456789"
    assert digest != pin_digest(account_number="1000000001", pin="8642")


@pytest.mark.parametrize(
    "pepper", ["short", "tests-only-pin-pepper-0123456789", "p" * 64, "ñ" * 80]
)
def test_the_pin_digest_is_hmac_sha256_of_number_and_pin_so_stored_hashes_keep_matching(
    settings, pepper
):
    settings.PIN_PEPPER = pepper

    expected = hmac.new(pepper.encode(), b"1000000001:8642", hashlib.sha256).hexdigest()

    assert pin_digest(account_number="1000000001", pin="8642") == expected
    assert pin_matches(account_number="1000000001", pin="8642", digest=expected)


# --- e-mail addresses: a fast path for plain ones, Django's validate_email for the rest ------


@pytest.mark.parametrize(
    "email",
    [
        "maria.lopez@example.com",
        "w_sample+bills@sub.domain.example.org",
        "a%b@example.co",
        "x@a-b.example.com",
        "o'brien@example.com",
        "josé@example.com",
        "maria@exämple.com",
        "maria@localhost",
        "maria@[192.168.0.1]",
        '"maria lopez"@example.com',
        "maria@example.c0m",
        "maria@xn--bcher-kva.example",
        "maria@example",
        "maria@@example.com",
        "maria@-example.com",
        "maria@example-.com",
        ".maria@example.com",
        "maria.@example.com",
        "ma..ria@example.com",
        "maria@example..com",
        "maria@example.com.",
        "maria@" + "a" * 64 + ".com",
        "maria @example.com",
        "maria@example.com\n",
        "@example.com",
        "maria@",
        "a" * 240 + "@example.com",
    ],
)
def test_email_check_agrees_with_djangos_validate_email(email):
    try:
        validate_email(email)
        django_accepts = len(email) <= 254
    except ValidationError:
        django_accepts = False

    assert importer._valid_email(email) is django_accepts


# --- speed: bulk statements, not a query per row --------------------------------------------


def many_rows(count: int, start: int = 4_000_000_000) -> list[str]:
    return [
        line(
            f"{start + n}",
            f"{n % 10_000:04d}",
            f"First{n}",
            f"Last{n}",
            f"{n} W Van Buren St",
            f"user{n}@example.com" if n % 3 == 0 else "",
            f"{n % 500}.25",
            "2026-12-18",
        )
        for n in range(count)
    ]


def test_the_import_runs_a_constant_number_of_queries(extract, run, django_assert_max_num_queries):
    path = extract(csv_text(*many_rows(2_000)))

    with django_assert_max_num_queries(13):
        first = run(path)
    with django_assert_max_num_queries(13):
        second = run(path)

    assert summary(2_000, created=2_000) in first.out
    assert summary(2_000, unchanged=2_000) in second.out
    assert BillingAccount.objects.count() == 2_000


def paperless_of(number):
    return BillingAccount.objects.get(account_number=number).paperless


def test_an_account_with_an_ebill_address_is_imported_paperless():
    text = csv_text(line("1000000001", email="rosa@example.com"), line("1000000002", email=""))
    importer.accounts_import(data=text.encode())
    assert paperless_of("1000000001") is True
    assert paperless_of("1000000002") is False


def test_the_paperless_column_says_otherwise_and_is_cis_truth():
    header = ",".join((*importer.COLUMNS, "paperless"))
    text = "\n".join(
        [
            header,
            line("1000000001", email="rosa@example.com") + ",false",
            line("1000000002", email="") + ",yes",
            line("1000000003", email="ana@example.com") + ",",
        ]
    )
    report = importer.accounts_import(data=text.encode())
    assert report.rejected == []
    assert [paperless_of(n) for n in ("1000000001", "1000000002", "1000000003")] == [
        False,
        True,
        True,
    ]
    BillingAccount.objects.filter(account_number="1000000001").update(paperless=True)
    importer.accounts_import(data=text.encode())
    assert paperless_of("1000000001") is False


def test_without_the_column_a_re_import_keeps_the_holders_choice():
    text = csv_text(line("1000000001", email="rosa@example.com"))
    importer.accounts_import(data=text.encode())
    BillingAccount.objects.filter(account_number="1000000001").update(paperless=False)
    report = importer.accounts_import(data=text.encode())
    assert report.unchanged == 1 and paperless_of("1000000001") is False


def test_a_paperless_value_that_is_not_true_or_false_is_rejected():
    header = ",".join((*importer.COLUMNS, "paperless"))
    report = importer.accounts_import(data=f"{header}\n{line('1000000001')},maybe".encode())
    assert report.rejected == [(2, "paperless 'maybe' is not true or false")]
    assert not BillingAccount.objects.exists()
