"""What a user feels, each figure a ratio to a baseline measured in the same run (bench/README.md).

    .venv/bin/python bench/run.py [--rows 50000] [--seconds 10] [--attempts 20] [--output FILE]

1. import: enrollment.importer.accounts_import on an N-row CIS extract, fresh and re-run
   unchanged, against a bare `psql \\copy` of the same file into a plain table;
2. pages under load: signed-in pages under wrk against the anonymous /healthz, on gunicorn
   started with the project's gunicorn.conf.py;
3. email off the request path: password-reset POST for a registered address (an email is queued)
   against an unknown one (none is), while the SMTP server takes SMTP_DELAY a message;
4. sign-in cost: the sign-in POST against the GET of the sign-in page, and a wrong password
   against an unknown User Name.

Everything runs on the throw-away database phxpay_bench_portal (dropped and recreated) on
BENCH_POSTGRES_URL, with Redis db 5 as cache. Progress goes to stderr, the report to stdout.
"""

import argparse
import csv
import datetime
import http.client
import json
import os
import random
import re
import shutil
import socket
import socketserver
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
DATABASE = "phxpay_bench_portal"  # dropped and recreated: never a name of a real database
SMTP_DELAY = 0.5  # a slow email provider: what a request would wait for if it sent the email
EBILL_SHARE = 0.30  # rows with an e-bill address, each a web user for the import to pre-create
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# Production settings, except what plain HTTP on 127.0.0.1 from one client machine needs.
SERVER_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "PIN_PEPPER": "bench-only-pin-pepper-0123456789",
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_SSL_REDIRECT": "false",
    "CACHE_URL": os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/5"),
    "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    # Every attempt comes from one address, and the wrong passwords target one User Name.
    "RATE_LIMITS_ENABLED": "false",
    "LOG_LEVEL": "WARNING",
}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def fresh_database() -> str:
    import psycopg

    server = urlsplit(POSTGRES)
    with psycopg.connect(urlunsplit(server._replace(path="/postgres")), autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        db.execute(f'CREATE DATABASE "{DATABASE}"')
    return urlunsplit(server._replace(path=f"/{DATABASE}"))


def django_setup(env: dict[str, str]) -> None:
    """This process gets the servers' settings, so what it creates is what they read."""
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "phxpay.settings"
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    log(f"migrating {DATABASE}, collecting static files (DEBUG off serves the manifest's names)")
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)


# 1. Import ----------------------------------------------------------------------------------------


def write_extract(path: Path, rows: int) -> int:
    """The demo extract's rows, repeated with new numbers, PINs and e-bill addresses.

    Returns the number of distinct e-bill addresses: the web users the import must pre-create.
    """
    from enrollment.importer import COLUMNS, OPTIONAL_COLUMNS
    from enrollment.management.commands.seed_demo import DEMO_EXTRACT

    with DEMO_EXTRACT.open(newline="") as handle:
        templates = list(csv.DictReader(handle))
    rng = random.Random(2026)
    emails: list[str] = []
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, COLUMNS + OPTIONAL_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for index, number in enumerate(rng.sample(range(10**9, 10**10), rows)):
            email = ""
            if rng.random() < EBILL_SHARE:
                # One in ten e-bill customers has several accounts under one address.
                reuse = emails and rng.random() < 0.1
                email = rng.choice(emails) if reuse else f"customer{index}@example.net"
                emails.append(email)
            row = templates[index % len(templates)]
            pin = f"{rng.randrange(10_000):04d}"
            writer.writerow({**row, "account_number": number, "pin": pin, "ebill_email": email})
    return len(set(emails))


def psql(url: str, command: str) -> float:
    start = time.perf_counter()
    subprocess.run(["psql", url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", command], check=True)
    return time.perf_counter() - start


def measure_import(url: str, rows: int) -> list[list[str]]:
    from enrollment.importer import COLUMNS, OPTIONAL_COLUMNS, accounts_import

    path = Path(tempfile.mkdtemp(prefix="phxpay-bench-")) / "cis_extract.csv"
    users = write_extract(path, rows)
    columns = ", ".join(f"{name} text" for name in COLUMNS + OPTIONAL_COLUMNS)
    psql(url, f"CREATE TABLE bench_plain_copy ({columns})")
    quoted = str(path).replace("'", "''")

    def plain_copy() -> float:
        psql(url, "TRUNCATE bench_plain_copy")
        return psql(url, f"\\copy bench_plain_copy FROM '{quoted}' CSV HEADER")

    def timed_import(label: str, expect: dict) -> float:
        start = time.perf_counter()
        report = accounts_import(data=path.read_bytes())
        seconds = time.perf_counter() - start
        found = {key: getattr(report, key) for key in expect}
        if found != expect or report.rejected:
            sys.exit(f"import {label}: expected {expect}, got {found}, {report.rejected[:3]}")
        log(f"  import {label}: {seconds:.2f} s {found}")
        return seconds

    log(f"import: {rows:,} rows, {users:,} e-bill addresses; \\copy before, between and after")
    # The copies surround the imports so that a change in the machine's load touches both.
    copies = [plain_copy()]
    first = timed_import("into empty tables", {"created": rows, "users_created": users})
    copies.append(plain_copy())
    again = timed_import("unchanged", {"unchanged": rows, "users_created": 0})
    copies.append(plain_copy())
    psql(url, "DROP TABLE bench_plain_copy")
    shutil.rmtree(path.parent)
    copy = statistics.median(copies)
    baseline = f"psql \\copy {copy:.2f} s (median of 3)"
    return [
        [f"Import {rows:,} rows, fresh ({users:,} web users pre-created)", f"{first:.2f} s"]
        + [baseline, f"{first / copy:.1f}×", "≤ 3×", yes(first / copy <= 3)],
        [f"Import {rows:,} rows again, unchanged", f"{again:.2f} s", baseline]
        + [f"{again / copy:.1f}×", "≤ 3×", yes(again / copy <= 3)],
    ]


# 2. Pages under load ------------------------------------------------------------------------------


@contextmanager
def gunicorn(env: dict[str, str]):
    """gunicorn as deployed: started in the project directory, so gunicorn.conf.py applies."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with tempfile.NamedTemporaryFile(prefix="phxpay-bench-gunicorn-", suffix=".log") as logfile:
        # Only --bind differs from production: loopback, not every interface.
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "--bind", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=logfile,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while not ready(port):
                if server.poll() is not None or time.monotonic() > deadline:
                    sys.exit(f"gunicorn did not start:\n{Path(logfile.name).read_text()[-3000:]}")
                time.sleep(0.3)
            yield port, Path(logfile.name).read_text().count("Booting worker")
        finally:
            server.terminate()
            server.wait(timeout=40)


def ready(port: int) -> bool:
    try:
        return request(port, "GET", "/healthz")[0] == 200
    except OSError:
        return False


def wrk(port: int, path: str, marker: str, cookie: str, seconds: int, connections: int) -> dict:
    lua = Path(__file__).with_name("wrk_check.lua")
    # A browser waits far longer than wrk's default 2 s before giving up on a page.
    args = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(lua)]
    args += ["-H", f"Cookie: {cookie}"] if cookie else []
    result = subprocess.run(
        [*args, f"http://127.0.0.1:{port}{path}", "--", marker], capture_output=True, text=True
    )
    line = [text for text in result.stdout.splitlines() if text.startswith("BENCH ")]
    if result.returncode != 0 or not line:
        sys.exit(f"wrk {path} failed:\n{result.stdout}{result.stderr}")
    figures = json.loads(line[-1].removeprefix("BENCH "))
    figures["rps"] = figures["requests"] / figures["seconds"]
    return figures


def signed_in_cookie(user) -> str:
    """force_login goes through django.contrib.auth.login, so the portal's sign-in signal runs."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def measure_pages(port: int, workers: int, user, options) -> list[list[str]]:
    from django.urls import reverse
    from django.utils import translation

    account = user.enrollments.order_by("pk").first().account
    cookie = signed_in_cookie(user)
    number, pk = account.account_number, account.pk
    with translation.override("en"):
        logout = reverse("accounts:logout")  # in every signed-in page, in none signed out
        # label, path, what a good response contains, cookie, target share of /healthz's rate
        pages = [
            ("/healthz", "/healthz", '"ok"', "", None),
            ("Home page (anonymous)", reverse("home"), reverse("accounts:login"), "", None),
            ("Account(s) page", reverse("enrollment:accounts"), number, cookie, 0.4),
            ("Details page", reverse("enrollment:details", args=[pk]), number, cookie, None),
            ("User Profile page", reverse("accounts:profile"), logout, cookie, None),
        ]
    c, s = options.connections, options.seconds
    log(f"pages: gunicorn {workers} workers; wrk -t2 -c{c} -d{s}s per page after a 2 s warm-up")
    rows, health = [], None
    for label, path, marker, page_cookie, target in pages:
        wrk(port, path, marker, page_cookie, 2, c)  # every worker's first request scans static
        figures = wrk(port, path, marker, page_cookie, s, c)
        log(f"  {label}: {figures}")
        health = health or figures["rps"]
        if path == "/healthz":
            continue
        share, failures = figures["rps"] / health, figures["bad"] + figures["socket_errors"]
        rows.append(
            [
                f"{label}, under wrk",
                f"{figures['rps']:.1f} req/s, p99 {figures['p99_ms']:.0f} ms, "
                f"{failures} of {figures['requests']} not a 200 with the page",
                f"/healthz {health:.1f} req/s ({workers} gunicorn workers, {c} connections)",
                f"{100 * share:.0f}%",
                (f"≥ {100 * target:.0f}%, " if target else "") + "no failures",
                yes(failures == 0 and share >= (target or 0)),
            ]
        )
    return rows


# 3 and 4. Email off the request path, sign-in cost -------------------------------------------------


class SlowSMTP(socketserver.ThreadingTCPServer):
    """Just enough SMTP for Django's backend; every message takes SMTP_DELAY to be accepted."""

    daemon_threads = True
    messages = 0

    class Handler(socketserver.StreamRequestHandler):
        def handle(self) -> None:
            self.wfile.write(b"220 bench\r\n")
            for line in self.rfile:
                if line[:4].upper() == b"QUIT":
                    self.wfile.write(b"221 bye\r\n")
                    return
                if line[:4].upper() == b"DATA":
                    self.wfile.write(b"354 go on\r\n")
                    while self.rfile.readline() not in (b".\r\n", b""):
                        pass
                    time.sleep(SMTP_DELAY)
                    self.server.messages += 1
                self.wfile.write(b"250 ok\r\n")

    def __init__(self):
        super().__init__(("127.0.0.1", 0), self.Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()


def request(port: int, method: str, path: str, headers=None, body=None):
    """(status, response, body, seconds) of one request on its own connection, as a browser's."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    start = time.perf_counter()
    connection.request(method, path, body, headers or {})
    response = connection.getresponse()
    content = response.read()
    seconds = time.perf_counter() - start
    connection.close()
    return response.status, response, content, seconds


def post_form(port: int, path: str, fields: dict[str, str]) -> tuple[float, int, float]:
    """GET the form, POST it with its CSRF cookie and token: (GET s, POST status, POST s)."""
    from django.conf import settings

    status, response, page, get_seconds = request(port, "GET", path)
    cookies = [c.split(";")[0] for c in response.msg.get_all("Set-Cookie") or []]
    cookie = [c for c in cookies if c.startswith(settings.CSRF_COOKIE_NAME + "=")]
    token = CSRF_INPUT.search(page.decode())
    if status != 200 or not cookie or not token:
        sys.exit(f"GET {path} answered {status} without a CSRF cookie and token")
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": cookie[0],
        "Origin": f"http://127.0.0.1:{port}",
    }
    body = urlencode({"csrfmiddlewaretoken": token.group(1), **fields})
    status, _response, _body, post_seconds = request(port, "POST", path, headers, body)
    return get_seconds, status, post_seconds


def alternate(attempts: int, kinds: dict, send) -> dict[str, float]:
    """Median seconds of each kind, the kinds taking turns so that load drifts over all alike."""
    seconds: dict[str, list[float]] = {kind: [] for kind in kinds}
    for _ in range(attempts):
        for kind, arguments in kinds.items():
            seconds[kind].append(send(*arguments))
    return {kind: statistics.median(values) for kind, values in seconds.items()}


def measure_email(port: int, env: dict, smtp: SlowSMTP, user, attempts: int) -> list[list[str]]:
    import smtplib

    from django.urls import reverse
    from django.utils import translation

    from phxpay.models import OutboundEmail

    with translation.override("en"):
        path = reverse("accounts:password_reset")

    def reset(email: str) -> float:
        _get, status, seconds = post_form(port, path, {"email": email})
        if status != 302:
            sys.exit(f"password reset for {email} answered {status}")
        return seconds

    log(f"email: {attempts} password-reset POSTs of each kind, no worker running")
    kinds = {"known": (user.email,), "unknown": ("nobody.here@example.org",)}
    p50 = alternate(attempts, kinds, reset)
    start = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", smtp.server_address[1]) as direct:
        direct.sendmail("bench@example.com", ["probe@example.com"], b"Subject: probe\r\n\r\n.")
    send = time.perf_counter() - start
    before = smtp.messages
    log("  db_worker --batch: delivering what the requests queued")
    start = time.perf_counter()
    worker = [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay"]
    subprocess.run(worker, cwd=ROOT, env=env, check=True, capture_output=True)
    drained, delivered = time.perf_counter() - start, smtp.messages - before
    statuses = Counter(
        OutboundEmail.objects.filter(kind="password_reset").values_list("status", flat=True)
    )
    log(f"  {delivered} messages delivered; OutboundEmail statuses {dict(statuses)}")
    for error in OutboundEmail.objects.exclude(last_error="").values_list("last_error")[:1]:
        log(f"  a delivery failed: {error[0]}")
    ratio = p50["known"] / p50["unknown"]
    return [
        [
            "Password-reset POST p50, registered address (email queued)",
            ms(p50["known"]),
            f"unknown address {ms(p50['unknown'])}; an SMTP send {ms(send)}",
            f"{ratio:.2f}×",
            "≈ 1×: no wait for the send",
            yes(ratio <= 1.5 and p50["known"] < send),
        ],
        [
            "Those emails, delivered afterwards by `db_worker`",
            f"{delivered} of {attempts} in {drained:.1f} s (unknown: {statuses['skipped']} skipped)",
            f"{attempts} × {SMTP_DELAY} s SMTP = {attempts * SMTP_DELAY:.0f} s",
            f"{drained / (attempts * SMTP_DELAY):.2f}×",
            "all delivered",
            yes(delivered == attempts == statuses["sent"] == statuses["skipped"]),
        ],
    ]


def measure_sign_in(port: int, user, attempts: int) -> list[list[str]]:
    from django.contrib.auth.hashers import get_hasher
    from django.urls import reverse
    from django.utils import translation

    from tests.factories import DEFAULT_PASSWORD

    with translation.override("en"):
        path = reverse("accounts:login")
    page: list[float] = []

    def sign_in(username: str, password: str, expect: int) -> float:
        get_seconds, status, seconds = post_form(
            port, path, {"username": username, "password": password}
        )
        if status != expect:
            sys.exit(f"sign-in as {username!r} answered {status}, not {expect}")
        page.append(get_seconds)
        return seconds

    log(f"sign-in: {attempts} POSTs of each kind, each after a GET of the page")
    kinds = {
        "right password": (user.username, DEFAULT_PASSWORD, 302),
        "wrong password": (user.username, DEFAULT_PASSWORD + "x", 200),
        "unknown User Name": ("nobody-here", DEFAULT_PASSWORD, 200),
    }
    p50 = alternate(attempts, kinds, sign_in)
    get_p50 = statistics.median(page)
    hasher = get_hasher()
    argon2 = f"m={hasher.memory_cost // 1024} MiB, t={hasher.time_cost}, p={hasher.parallelism}"
    rows = [
        [
            f"Sign-in POST p50, {kind}" + (f" ({hasher.algorithm} {argon2})" if i == 0 else ""),
            ms(p50[kind]),
            f"GET of the sign-in page {ms(get_p50)}",
            f"{p50[kind] / get_p50:.1f}×",
            "—",
            "—",
        ]
        for i, kind in enumerate(["right password", "wrong password"])
    ]
    ratio = p50["unknown User Name"] / p50["wrong password"]
    rows.append(
        [
            "Sign-in POST p50, unknown User Name vs wrong password",
            ms(p50["unknown User Name"]),
            f"wrong password {ms(p50['wrong password'])}",
            f"{ratio:.2f}×",
            "≈ 1× (0.8–1.25): timing tells no User Name",
            yes(0.8 <= ratio <= 1.25),
        ]
    )
    return rows


# Report -------------------------------------------------------------------------------------------


def yes(met: bool) -> str:
    return "yes" if met else "**no**"


def revision() -> str:
    # GIT_OPTIONAL_LOCKS=0: reading the revision must not rewrite the index others use.
    git_env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}
    result = subprocess.run(
        ["git", "describe", "--always", "--dirty=+uncommitted"],
        cwd=ROOT,
        env=git_env,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip() or "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=50_000, help="CIS extract rows (50000)")
    parser.add_argument("--seconds", type=int, default=10, help="wrk seconds per page (10)")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (8)")
    parser.add_argument("--attempts", type=int, default=20, help="POSTs of each kind (20)")
    parser.add_argument("--output", help="also write the report to this file")
    options = parser.parse_args()
    missing = [tool for tool in ("wrk", "psql") if not shutil.which(tool)]
    if missing:
        sys.exit(f"needs {' and '.join(missing)} (Debian: wrk, postgresql-client)")

    started = datetime.datetime.now(datetime.UTC)
    load_before = os.getloadavg()
    smtp = SlowSMTP()
    # Nothing from the developer's shell may change what is measured.
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "EMAIL_", "TASKS_", "ANYMAIL_", "WEB_CONCURRENCY"))
    }
    url = fresh_database()
    env |= SERVER_ENV | {
        "DATABASE_URL": url,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp.server_address[1]}",
    }
    django_setup(env)
    from enrollment.models import BillingAccount
    from tests.factories import EnrollmentFactory, UserFactory

    rows = measure_import(url, options.rows)
    user = UserFactory()
    for account in BillingAccount.objects.filter(ebill_email="").order_by("pk")[:5]:
        EnrollmentFactory(user=user, account=account)
    with gunicorn(env) as (port, workers):
        rows += measure_pages(port, workers, user, options)
        rows += measure_email(port, env, smtp, user, options.attempts)
        rows += measure_sign_in(port, user, options.attempts)

    minutes = (datetime.datetime.now(datetime.UTC) - started).total_seconds() / 60
    loads = " → ".join(f"{load[0]:.1f}" for load in (load_before, os.getloadavg()))
    lines = [
        f"Run {started:%Y-%m-%d %H:%M} UTC, {minutes:.0f} min, at {revision()}, on "
        f"{os.cpu_count()} CPUs (1-minute load average {loads}).",
        "",
        "| measure | measured | baseline (same run) | ratio | target | met |",
        "|---|---|---|---:|---|:---:|",
        *("| " + " | ".join(row) + " |" for row in rows),
    ]
    report = "\n".join(lines) + "\n"
    print(report)
    if options.output:
        Path(options.output).write_text(report)


if __name__ == "__main__":
    main()
