"""Benchmark `manage.py import_accounts` against a plain `psql \\copy` of the same CSV file.

    DEBUG=true DATABASE_URL=postgres://postgres@127.0.0.1:5432/phxpay_bench \\
        .venv/bin/python bench/import_benchmark.py --rows 500000

Creates the database if it is missing and migrates it, writes N synthetic CIS rows to a CSV file,
empties enrollment_billingaccount, then times (each in its own process, as an operator runs them):

1. `manage.py import_accounts FILE` on the empty table (every row created);
2. the same command again (every row unchanged);
3. `psql -c "\\copy bench_plain_copy FROM FILE CSV HEADER"` into a plain table with the same eight
   columns, no indexes or constraints, emptied first: the floor for loading this file.

and prints a Markdown table with the ratios against the target of at most 3 × the plain \\copy.
Never point it at a database holding real accounts: it empties the accounts table.
"""

import argparse
import csv
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

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 3.0
PLAIN_TABLE = "bench_plain_copy"

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


def generate_csv(path: Path, rows: int, seed: int) -> None:
    """N synthetic extract rows: unique 10-digit numbers, 4-digit PINs, 30% with an e-bill email."""
    rng = random.Random(seed)
    numbers = rng.sample(range(1_000_000_000, 10_000_000_000), rows)
    first_due = date(2026, 12, 1)
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
            if rng.random() < 0.30:
                local = re.sub(r"[^a-z0-9.]", "", f"{first}.{last}".lower())
                email = f"{local}{index % 1000}@{rng.choice(EMAIL_DOMAINS)}"
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
    if not re.fullmatch(r"[A-Za-z0-9_]+", name):
        sys.exit(f"refusing to handle database name {name!r}")
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


def timed_import(path: Path, env: dict, expect: str) -> float:
    seconds, result = timed(lambda: manage("import_accounts", str(path), env=env))
    if result.returncode != 0 or expect not in result.stdout:
        sys.stderr.write(result.stdout + result.stderr)
        sys.exit(f"import_accounts did not report {expect!r} (exit {result.returncode})")
    print(f"  {result.stdout.strip()}  [{seconds:.2f} s]", file=sys.stderr)
    return seconds


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
        generate_csv(path, options.rows, options.seed)
        size_mb = path.stat().st_size / 1_000_000
        print(f"  {size_mb:.1f} MB", file=sys.stderr)

        firsts, seconds, copies = [], [], []
        for attempt in range(1, options.repeat + 1):
            if options.repeat > 1:
                print(f"attempt {attempt}/{options.repeat}", file=sys.stderr)
            psql(url, "-c", "TRUNCATE enrollment_billingaccount CASCADE")
            print("import_accounts, empty table:", file=sys.stderr)
            firsts.append(
                timed_import(
                    path, env, f"{options.rows} created, 0 updated, 0 unchanged, 0 rejected"
                )
            )
            print("import_accounts, same file again:", file=sys.stderr)
            seconds.append(
                timed_import(
                    path, env, f"0 created, 0 updated, {options.rows} unchanged, 0 rejected"
                )
            )
            print("plain \\copy:", file=sys.stderr)
            copies.append(timed_plain_copy(url, path))
        psql(url, "-c", f"DROP TABLE {PLAIN_TABLE}")
    finally:
        if options.keep:
            print(f"kept {path}", file=sys.stderr)
        else:
            shutil.rmtree(workdir)

    first, second, copy = min(firsts), min(seconds), min(copies)
    ratio_first, ratio_second = first / copy, second / copy
    verdict = "pass" if max(ratio_first, ratio_second) <= TARGET_RATIO else "FAIL"
    print()
    print("| rows | \\copy s | import s (first run) | ratio | second run s | ratio | target ≤ 3× |")
    print("|---:|---:|---:|---:|---:|---:|:---:|")
    print(
        f"| {options.rows:,} | {copy:.2f} | {first:.2f} | {ratio_first:.1f}× | {second:.2f} | "
        f"{ratio_second:.1f}× | {verdict} |"
    )


if __name__ == "__main__":
    main()
