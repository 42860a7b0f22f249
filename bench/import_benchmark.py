"""Benchmark `manage.py import_accounts` against a plain `psql \\copy` of the same CSV file.

    DEBUG=true DATABASE_URL=postgres://postgres@127.0.0.1:5432/phxpay_bench_import \\
        .venv/bin/python bench/import_benchmark.py --rows 500000

Creates the database if it is missing and migrates it, writes N synthetic CIS rows (30% with an
e-bill email) to a CSV file, empties the accounts and users tables, then times (each in its own
process, as an operator runs them):

1. `psql -c "\\copy bench_plain_copy FROM FILE CSV HEADER"` into a plain table with the same eight
   columns, no indexes or constraints, emptied first: the floor for loading this file;
2. `manage.py import_accounts FILE` on the empty tables (every account created, a web user
   pre-created and enrolled for every e-bill address);
3. the same command again (every row unchanged, no user created).

and prints a Markdown table with the ratios against the target of at most 3 × the plain \\copy.
An import still running after max(10 × the \\copy, 60 s) is stopped (its database session too) and
reported as "> N s", a FAIL: a quadratic step would otherwise run for hours.
Never point it at a database holding real accounts or users: it empties both tables.
"""

import argparse
import csv
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import benchlib

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 3.0
PLAIN_TABLE = "bench_plain_copy"
EBILL_SHARE = 0.30
# Of the e-bill rows, this share reuses an earlier row's address (a customer with several accounts).
SHARED_EMAIL_SHARE = 0.10
# An import slower than this many times the \copy (and than GIVE_UP_FLOOR seconds) is stopped.
GIVE_UP_RATIO = 10.0
GIVE_UP_FLOOR = 60.0

FIRST_NAMES = [
    "Maria",
    "Jose",
    "Juan",
    "Guadalupe",
    "Ana",
    "Luis",
    "Carlos",
    "Jesus",
    "Rosa",
    "Francisco",
    "William",
    "James",
    "Mary",
    "Patricia",
    "Robert",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "Sofia",
    "Diego",
    "Camila",
    "Mateo",
    "Valentina",
    "Emily",
    "Daniel",
    "Olivia",
    "Noah",
    "Ava",
    "Ethan",
    "Mia",
    "Alejandro",
    "Lucia",
    "Miguel",
    "Isabella",
    "Fernando",
    "Carmen",
    "Ricardo",
    "Yolanda",
    "Nguyen",
    "Aiyana",
    "Dakota",
    "Ayasha",
    "Kai",
    "Zoë",
    "Renée",
    "André",
    "José",
    "Ángel",
    "Nuñez",
]
LAST_NAMES = [
    "Garcia",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Rodriguez",
    "Perez",
    "Sanchez",
    "Ramirez",
    "Flores",
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Miller",
    "Davis",
    "Wilson",
    "Anderson",
    "Taylor",
    "Thomas",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Nguyen",
    "Tran",
    "Begay",
    "Yazzie",
    "Tsosie",
    "Benally",
    "Chee",
    "O'Brien",
    "McAllister",
    "De",
    "La",
    "Cruz",
    "Van",
    "Buren",
    "St.",
    "John",
    "Muñoz",
    "Peña",
    "Ibáñez",
    "Núñez-Ortiz",
    "Castillo",
    "Romero",
    "Vasquez",
    "Torres",
    "Rivera",
    "Gomez",
    "Diaz",
    "Reyes",
    "Cruz",
]
STREETS = [
    "Washington St",
    "Jefferson St",
    "Van Buren St",
    "Camelback Rd",
    "Indian School Rd",
    "Thomas Rd",
    "McDowell Rd",
    "Roosevelt St",
    "Buckeye Rd",
    "Baseline Rd",
    "Southern Ave",
    "Broadway Rd",
    "Bell Rd",
    "Greenway Pkwy",
    "Thunderbird Rd",
    "Cactus Rd",
    "Peoria Ave",
    "Dunlap Ave",
    "Northern Ave",
    "Glendale Ave",
    "Bethany Home Rd",
    "Central Ave",
    "7th St",
    "16th St",
    "24th St",
    "32nd St",
    "40th St",
    "44th St",
    "7th Ave",
    "19th Ave",
    "35th Ave",
    "43rd Ave",
    "51st Ave",
    "67th Ave",
    "75th Ave",
    "83rd Ave",
    "Cave Creek Rd",
    "Tatum Blvd",
    "Pima Rd",
]
DIRECTIONS = ("N", "S", "E", "W")
UNITS = ("", "", "", "", " Apt 101", " Unit 2B", " #214", " Ste 300", " Lot 17")
ZIPS = [
    "85003",
    "85004",
    "85006",
    "85007",
    "85008",
    "85009",
    "85012",
    "85013",
    "85014",
    "85015",
    "85016",
    "85017",
    "85018",
    "85019",
    "85020",
    "85021",
    "85022",
    "85023",
    "85024",
    "85027",
    "85028",
    "85029",
    "85031",
    "85032",
    "85033",
    "85034",
    "85035",
    "85037",
    "85040",
    "85041",
    "85042",
    "85043",
    "85044",
    "85045",
    "85048",
    "85050",
    "85051",
    "85053",
    "85054",
    "85083",
    "85085",
    "85086",
]
EMAIL_DOMAINS = (
    "gmail.com",
    "yahoo.com",
    "outlook.com",
    "hotmail.com",
    "cox.net",
    "icloud.com",
    "asu.edu",
)
COLUMNS = (
    "account_number",
    "pin",
    "first_name",
    "last_name",
    "service_address",
    "ebill_email",
    "balance",
    "due_date",
)


def generate_csv(path: Path, rows: int, seed: int) -> tuple[int, int]:
    """N synthetic extract rows: unique 10-digit numbers, 4-digit PINs, 30% with an e-bill email.

    Returns (rows with an e-bill email, distinct e-bill emails): some customers hold several
    accounts under one address, and the import pre-creates one web user per address.
    """
    rng = random.Random(seed)
    numbers = rng.sample(range(1_000_000_000, 10_000_000_000), rows)
    first_due = date(2026, 12, 1)
    emails: list[str] = []
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for index, number in enumerate(numbers):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            address = (
                f"{rng.randint(100, 29999)} {rng.choice(DIRECTIONS)} {rng.choice(STREETS)}"
                f"{rng.choice(UNITS)}, Phoenix, AZ {rng.choice(ZIPS)}"
            )
            email = ""
            if rng.random() < EBILL_SHARE:
                if emails and rng.random() < SHARED_EMAIL_SHARE:
                    email = rng.choice(emails)  # one customer, several accounts
                else:
                    local = re.sub(r"[^a-z0-9.]", "", f"{first}.{last}".lower())
                    email = f"{local}{index % 1000}@{rng.choice(EMAIL_DOMAINS)}"
                emails.append(email)
            cents = rng.randint(-5_000, 60_000) if rng.random() < 0.9 else 0  # some credits
            due = first_due + timedelta(days=rng.randint(0, 45)) if cents else None
            writer.writerow(
                [
                    f"{number:010d}",
                    f"{rng.randint(0, 9999):04d}",
                    first,
                    last,
                    address,
                    email,
                    f"{cents / 100:.2f}",
                    due.isoformat() if due else "",
                ]
            )
    return len(emails), len(set(emails))


def psql(url: str, *args: str, capture: bool = True) -> str:
    result = subprocess.run(
        ["psql", url, "-X", "-q", "-v", "ON_ERROR_STOP=1", *args],
        check=True,
        capture_output=capture,
        text=True,
    )
    return result.stdout if capture else ""


def ensure_database(url: str) -> None:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"phxpay_bench[A-Za-z0-9_]*", name):
        # It empties the accounts and users tables: only a database named as a bench one.
        sys.exit(f"refusing to use database {name!r}: bench databases are named phxpay_bench*")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    exists = psql(maintenance, "-At", "-c", f"SELECT 1 FROM pg_database WHERE datname = '{name}'")
    if exists.strip() != "1":
        print(f"creating database {name}", file=sys.stderr)
        psql(maintenance, "-c", f'CREATE DATABASE "{name}"')


def manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def timed(function):
    start = time.perf_counter()
    value = function()
    return time.perf_counter() - start, value


def stop_other_sessions(url: str) -> None:
    """A killed client leaves its statement running in the server: end every other session."""
    psql(
        url,
        "-c",
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )


def timed_import(path: Path, env: dict, expect: str, url: str, give_up: float) -> float:
    """Seconds taken by `manage.py import_accounts FILE`; math.inf when stopped after give_up s."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "import_accounts", str(path)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=give_up)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        stop_other_sessions(url)
        print(f"  still running after {give_up:.0f} s: stopped", file=sys.stderr)
        return math.inf
    seconds = time.perf_counter() - start
    if process.returncode != 0 or expect not in stdout:
        sys.stderr.write(stdout + stderr)
        sys.exit(f"import_accounts did not report {expect!r} (exit {process.returncode})")
    print(f"  {stdout.strip()}  [{seconds:.2f} s]", file=sys.stderr)
    return seconds


def check_enrollments(url: str, expected: int) -> None:
    """Every imported account with an e-bill email has its pre-created holder enrolled."""
    found = int(psql(url, "-At", "-c", "SELECT count(*) FROM enrollment_enrollment").strip())
    if found != expected:
        sys.exit(f"expected {expected} enrollments of pre-created users, found {found}")
    print(f"  {found} enrollments of pre-created e-bill users", file=sys.stderr)


def seconds_text(seconds: float, give_up: float) -> str:
    return f"> {give_up:.0f}" if math.isinf(seconds) else f"{seconds:.2f}"


def ratio_text(seconds: float, give_up: float, copy: float) -> str:
    return f"> {give_up / copy:.0f}×" if math.isinf(seconds) else f"{seconds / copy:.1f}×"


def timed_plain_copy(url: str, path: Path) -> float:
    psql(
        url,
        "-c",
        f"DROP TABLE IF EXISTS {PLAIN_TABLE}; CREATE TABLE {PLAIN_TABLE} ("
        "account_number text, pin text, first_name text, last_name text, service_address text, "
        "ebill_email text, balance numeric(12, 2), due_date date)",
    )
    psql(url, "-c", f"TRUNCATE {PLAIN_TABLE}")
    quoted = str(path).replace("'", "''")
    seconds, _ = timed(lambda: psql(url, "-c", f"\\copy {PLAIN_TABLE} FROM '{quoted}' CSV HEADER"))
    print(f"  \\copy into {PLAIN_TABLE}  [{seconds:.2f} s]", file=sys.stderr)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--rows", type=int, default=500_000, help="synthetic rows to generate (default 500000)"
    )
    parser.add_argument("--seed", type=int, default=2026, help="random seed for the synthetic data")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="measure N times and report the fastest of each (for a busy machine; default 1)",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the generated CSV file and print its path"
    )
    benchlib.json_option(parser)
    options = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL database used only for benchmarking.")
    if not shutil.which("psql"):
        sys.exit("psql is needed (apt-get install postgresql-client).")
    env = {**os.environ, "DEBUG": os.environ.get("DEBUG", "true")}

    ensure_database(url)
    migrated = manage("migrate", "--noinput", env=env)
    if migrated.returncode != 0:
        sys.exit(migrated.stdout + migrated.stderr)

    workdir = Path(tempfile.mkdtemp(prefix="phxpay-bench-"))
    path = workdir / f"cis_extract_{options.rows}.csv"
    try:
        print(f"generating {options.rows} rows into {path}", file=sys.stderr)
        ebill_rows, ebill_users = generate_csv(path, options.rows, options.seed)
        size_mb = path.stat().st_size / 1_000_000
        print(
            f"  {size_mb:.1f} MB; {ebill_rows} rows ({100 * ebill_rows / options.rows:.1f}%) "
            f"with an e-bill email, {ebill_users} distinct addresses",
            file=sys.stderr,
        )

        firsts, seconds, copies = [], [], []
        for attempt in range(1, options.repeat + 1):
            if options.repeat > 1:
                print(f"attempt {attempt}/{options.repeat}", file=sys.stderr)
            print("plain \\copy:", file=sys.stderr)
            copies.append(timed_plain_copy(url, path))
            give_up = max(GIVE_UP_FLOOR, GIVE_UP_RATIO * copies[-1])
            # The pre-created users of the previous attempt (or run) must go too, or the first run
            # would create none; CASCADE empties enrollments, invitations, sessions, audit events.
            psql(url, "-c", "TRUNCATE enrollment_billingaccount, accounts_user CASCADE")
            print("import_accounts, empty tables:", file=sys.stderr)
            first = timed_import(
                path,
                env,
                f"{options.rows} created, 0 updated, 0 unchanged, 0 rejected; "
                f"{ebill_users} e-bill web users pre-created",
                url,
                give_up,
            )
            firsts.append(first)
            if math.isinf(first):
                seconds.append(math.inf)
                continue
            check_enrollments(url, ebill_rows)
            print("import_accounts, same file again:", file=sys.stderr)
            seconds.append(
                timed_import(
                    path,
                    env,
                    f"0 created, 0 updated, {options.rows} unchanged, 0 rejected; "
                    "0 e-bill web users pre-created",
                    url,
                    give_up,
                )
            )
        psql(url, "-c", f"DROP TABLE {PLAIN_TABLE}")
    finally:
        if options.keep:
            print(f"kept {path}", file=sys.stderr)
        else:
            shutil.rmtree(workdir)

    first, second, copy = min(firsts), min(seconds), min(copies)
    give_up = max(GIVE_UP_FLOOR, GIVE_UP_RATIO * copy)
    worst = max(first, second)
    passed = worst / copy <= TARGET_RATIO
    verdict = "PASS" if passed else "FAIL"
    ebill = f"{ebill_rows:,} ({100 * ebill_rows / options.rows:.0f}%) / {ebill_users:,}"
    print()
    print(
        "| rows | e-bill rows / users | \\copy s | import s (first run) | ratio "
        "| second run s | ratio | target ≤ 3× |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|:---:|")
    print(
        f"| {options.rows:,} | {ebill} | {copy:.2f} | {seconds_text(first, give_up)} | "
        f"{ratio_text(first, give_up, copy)} | {seconds_text(second, give_up)} | "
        f"{ratio_text(second, give_up, copy)} | {verdict} |"
    )
    benchlib.write_json(
        options.json,
        [
            benchlib.Summary(
                benchmark=f"1. CIS import, {options.rows:,} rows (30% e-bill), slower of 2 runs",
                measured=f"{seconds_text(worst, give_up)} s (first {seconds_text(first, give_up)}"
                f" s, second {seconds_text(second, give_up)} s)",
                limit=f"psql \\copy {copy:.2f} s",
                ratio=ratio_text(worst, give_up, copy),
                target="≤ 3×",
                passed=passed,
                notes=f"{ebill_users:,} web users pre-created and enrolled",
            )
        ],
    )


if __name__ == "__main__":
    main()
