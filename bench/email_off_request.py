"""Registering does not wait for the email: the POST stays fast while SMTP takes 0.5 s a message.

    .venv/bin/python bench/email_off_request.py [--registrations 30] [--other-users 150000]

Starts a local SMTP server (in this process) that holds every message 500 ms before accepting it,
collects static files, recreates and migrates phxpay_bench_email, starts gunicorn (2 workers, as
pages_load.py, plus TASKS_BACKEND=django_tasks_db.DatabaseBackend and Django's SMTP EmailBackend
pointed at that server) and a `manage.py db_worker`, then:

1. sends one message straight to the SMTP server with smtplib: what an in-request send would cost;
2. POSTs the Register form N times with distinct users (each after a GET of the form for the CSRF
   cookie and token, with a matching Origin and Referer), timing each POST;
3. adds M pre-created web users to accounts_user in one statement (what importing a 500,000-row CIS
   extract with 30% e-bill addresses leaves there), ANALYZEs it, and POSTs N more registrations;
4. waits until the SMTP server has received the confirmation email of all 2 × N registrations,
   delivered by the worker (and checks that every OutboundEmail row is "sent").

Target: POST p50 ≤ 50 ms, in both rounds; every email delivered.
"""

import argparse
import http.client
import re
import smtplib
import socketserver
import sys
import threading
import time
from urllib.parse import urlencode

import benchlib

DATABASE = "phxpay_bench_email"
SMTP_DELAY = 0.5
TARGET_P50 = 0.050
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class SlowSMTPServer(socketserver.ThreadingTCPServer):
    """Just enough SMTP for smtplib: every message is held SMTP_DELAY seconds, then accepted."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), SlowSMTPHandler)
        self.lock = threading.Lock()
        self.recipients: list[str] = []  # one entry per recipient of each accepted message
        self.messages = 0

    def delivered_to(self, addresses: set[str]) -> int:
        with self.lock:
            return sum(1 for address in self.recipients if address in addresses)


class SlowSMTPHandler(socketserver.StreamRequestHandler):
    def reply(self, text: str) -> None:
        self.wfile.write(text.encode() + b"\r\n")

    def handle(self) -> None:
        self.reply("220 bench.smtp.local ESMTP")
        recipients: list[str] = []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                self.reply("250 bench.smtp.local")
            elif verb == b"MAIL":
                recipients = []
                self.reply("250 OK")
            elif verb == b"RCPT":
                address = line.decode(errors="replace").partition(":")[2].strip().strip("<>")
                recipients.append(address.lower())
                self.reply("250 OK")
            elif verb == b"DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                while self.rfile.readline() not in (b".\r\n", b""):
                    pass
                time.sleep(SMTP_DELAY)
                with self.server.lock:
                    self.server.messages += 1
                    self.server.recipients.extend(recipients)
                self.reply("250 OK queued")
            elif verb == b"QUIT":
                self.reply("221 Bye")
                return
            else:  # RSET, NOOP and anything else
                self.reply("250 OK")


def register(port: int, username: str, email: str) -> float:
    """GET the form, then POST it; seconds the POST took (it must redirect to the "sent" page)."""
    origin = f"http://127.0.0.1:{port}"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/en/register/")
    response = connection.getresponse()
    page = response.read().decode()
    cookies = [
        header.split(";", 1)[0]
        for header in response.msg.get_all("Set-Cookie") or []
        if header.startswith("csrftoken=")
    ]
    token = CSRF_INPUT.search(page)
    connection.close()
    if response.status != 200 or not cookies or not token:
        sys.exit(f"GET /en/register/ answered {response.status} without a CSRF cookie and token")
    body = urlencode(
        {
            "csrfmiddlewaretoken": token.group(1),
            "username": username,
            "first_name": "Bench",
            "last_name": "Registrant",
            "email": email,
            "confirm_email": email,
        }
    )
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": cookies[0],
        "Origin": origin,
        "Referer": f"{origin}/en/register/",
    }
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    start = time.perf_counter()
    connection.request("POST", "/en/register/", body=body, headers=headers)
    response = connection.getresponse()
    response.read()
    seconds = time.perf_counter() - start
    connection.close()
    location = response.getheader("Location", "")
    if response.status != 302 or not location.endswith("/register/sent/"):
        sys.exit(f"POST /en/register/ for {username} answered {response.status} {location!r}")
    return seconds


def direct_send(port: int) -> float:
    start = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        smtp.sendmail(
            "bench@example.com", ["probe@example.com"], b"Subject: probe\r\n\r\nprobe\r\n"
        )
    return time.perf_counter() - start


def add_users(url: str, count: int) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(
            """
            INSERT INTO accounts_user (
                username, email, password, first_name, last_name, is_superuser, is_staff,
                is_active, date_joined, preferred_language, confirmed_at, confirmation_token_hash,
                confirmation_mismatches, confirmation_generation, precreated, must_change_password
            )
            SELECT 'customer' || g || '@example.net', 'customer' || g || '@example.net',
                   '!' || md5(g::text), 'Pre', 'Created', false, false, true, now(), 'en', now(),
                   '', 0, 0, true, true
            FROM generate_series(1, %s) AS g
            """,
            [count],
        )
        connection.execute("ANALYZE accounts_user")


def outbound_statuses(url: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(url) as connection:
        rows = connection.execute(
            "SELECT status, count(*) FROM phxpay_outboundemail GROUP BY status"
        ).fetchall()
    return dict(rows)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--registrations", type=int, default=30, help="registrations per round (30)"
    )
    parser.add_argument(
        "--other-users",
        type=int,
        default=150_000,
        help="pre-created users added before the second round (150000; 0 skips that round)",
    )
    benchlib.json_option(parser)
    options = parser.parse_args()

    smtp = SlowSMTPServer()
    smtp_port = smtp.server_address[1]
    threading.Thread(target=smtp.serve_forever, daemon=True).start()

    benchlib.log("collecting static files")
    benchlib.collectstatic()
    url = benchlib.ensure_database(DATABASE, fresh=True)
    port = benchlib.free_port()
    env = benchlib.server_env(
        url,
        TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
        SITE_URL=f"http://127.0.0.1:{port}",
    )
    benchlib.log(f"migrating {DATABASE}")
    benchlib.manage("migrate", "--noinput", "-v0", env=env)

    probe = direct_send(smtp_port)
    benchlib.log(f"one message straight to the SMTP server: {benchlib.ms(probe)}")
    rounds = [("empty accounts_user", 0)]
    if options.other_users:
        rounds.append((f"{options.other_users:,} other users", options.other_users))
    addresses: set[str] = set()
    posts: dict[str, list[float]] = {}
    worker_args = [benchlib.PYTHON, "manage.py", "db_worker", "--interval", "0.2"]
    with (
        benchlib.Process("db_worker", worker_args, env) as worker,
        benchlib.gunicorn(env, port),
    ):
        for number, (label, extra_users) in enumerate(rounds, start=1):
            if extra_users:
                benchlib.log(f"adding {extra_users} pre-created users")
                add_users(url, extra_users)
            benchlib.log(f"round {number} ({label}): {options.registrations} registrations")
            posts[label] = []
            for index in range(options.registrations):
                username = f"benchreg{number}x{index:03d}"
                email = f"{username}@example.com"
                addresses.add(email)
                posts[label].append(register(port, username, email))
            last_post = time.monotonic()
        expected = len(addresses)
        benchlib.log(f"waiting for {expected} emails (the worker sends one per 0.5 s at best)")
        deadline = time.monotonic() + expected * SMTP_DELAY * 4 + 60
        while smtp.delivered_to(addresses) < expected and time.monotonic() < deadline:
            if worker.popen.poll() is not None:
                sys.exit(f"db_worker exited:\n{worker.tail()}")
            time.sleep(0.2)
        delivered = smtp.delivered_to(addresses)
        drained = time.monotonic() - last_post
    statuses = outbound_statuses(url)
    smtp.shutdown()
    all_delivered = delivered == expected and statuses == {"sent": expected}

    print()
    print(
        f"gunicorn 2 sync workers, django_tasks_db queue, 1 db_worker; SMTP server holding each "
        f"message {SMTP_DELAY * 1000:.0f} ms (a direct smtplib send took {benchlib.ms(probe)}); "
        f"load average {benchlib.load_average()}"
    )
    print()
    print("| registrations | POST p50 | POST p90 | POST max | target p50 ≤ 50 ms |")
    print("|---|---:|---:|---:|:---:|")
    summaries = []
    for label, seconds in posts.items():
        p50 = benchlib.median(seconds)
        passed = p50 <= TARGET_P50
        print(
            f"| {len(seconds)}, {label} | {benchlib.ms(p50)} | "
            f"{benchlib.ms(benchlib.percentile(seconds, 90))} | {benchlib.ms(max(seconds))} | "
            f"{'PASS' if passed else 'FAIL'} |"
        )
        summaries.append(
            benchlib.Summary(
                benchmark=f"4. Register POST p50, {len(seconds)} users, {label}",
                measured=benchlib.ms(p50),
                limit=f"SMTP send {benchlib.ms(probe)}",
                ratio=f"{p50 / probe:.2f}×",
                target="≤ 50 ms",
                passed=passed,
            )
        )
    print(
        f"| emails delivered by the worker | {delivered} of {expected} received by the SMTP "
        f"server, {drained:.1f} s after the last POST; OutboundEmail {statuses} | | | "
        f"{'PASS' if all_delivered else 'FAIL'} |"
    )
    summaries.append(
        benchlib.Summary(
            benchmark="4. Confirmation emails delivered by db_worker",
            measured=f"{delivered} of {expected}, all in {drained:.1f} s after the last POST",
            limit=f"{expected} × {SMTP_DELAY:.1f} s SMTP = {expected * SMTP_DELAY:.0f} s",
            ratio="—",
            target="all delivered",
            passed=all_delivered,
        )
    )
    benchlib.write_json(options.json, summaries)


if __name__ == "__main__":
    main()
