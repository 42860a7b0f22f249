"""What the benchmark scripts share: bench databases, the server environment, gunicorn, results.

Not a benchmark itself. Run as `.venv/bin/python bench/<name>.py`, a script has its own directory
first on `sys.path`, so a plain `import benchlib` finds this file.
"""

import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
# The server a bench database lives on; each script picks its own phxpay_bench_* database on it.
POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
CACHE_URL = os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/5")
# Throw-away keys, the same in the server and in the script (sessions are signed with SECRET_KEY).
SECRET_KEY = "bench-only-secret-key-not-for-production-0123456789abcdefghijklmnop"
PIN_PEPPER = "bench-only-pin-pepper-0123456789"


def database_url(name: str) -> str:
    if not re.fullmatch(r"phxpay_bench_[a-z0-9_]+", name):
        sys.exit(f"refusing to use database {name!r}: bench databases are named phxpay_bench_*")
    parts = urlsplit(POSTGRES)
    return urlunsplit(parts._replace(path=f"/{name}"))


def ensure_database(name: str, *, fresh: bool = False) -> str:
    """Create the phxpay_bench_* database if missing (dropped first when fresh); its URL."""
    import psycopg

    url = database_url(name)
    maintenance = urlunsplit(urlsplit(POSTGRES)._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        if fresh:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            log(f"creating database {name}")
            connection.execute(f'CREATE DATABASE "{name}"')
    return url


def server_env(db_url: str, **extra: str) -> dict[str, str]:
    """The production-like environment of the brief: DEBUG off, plain HTTP on 127.0.0.1."""
    env = {
        key: value
        for key, value in os.environ.items()
        # Nothing from a developer's shell may change what is measured.
        if not key.startswith(("DJANGO_", "ANYMAIL_", "EMAIL_", "TASKS_", "RATE_LIMIT"))
    }
    env.update(
        DEBUG="false",
        SECRET_KEY=SECRET_KEY,
        PIN_PEPPER=PIN_PEPPER,
        ALLOWED_HOSTS="127.0.0.1,testserver",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        DATABASE_URL=db_url,
        CACHE_URL=CACHE_URL,
        RATE_LIMITS_ENABLED="false",
        AXES_ENABLED="false",
        LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return env


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def manage(*args: str, env: dict[str, str]) -> None:
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")


def collectstatic() -> None:
    """What `make test` runs: the manifest storage of DEBUG=false needs staticfiles.json."""
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "x",
        "PIN_PEPPER": "collectstatic-only-pepper",
    }
    manage("collectstatic", "--noinput", "-v0", env=env)


def prepare_database(name: str, *, fresh: bool = False) -> dict[str, str]:
    """Create and migrate a bench database; the server environment that points at it."""
    env = server_env(ensure_database(name, fresh=fresh))
    log(f"migrating {name}")
    manage("migrate", "--noinput", "-v0", env=env)
    return env


def django_setup(env: dict[str, str]) -> None:
    """Configure Django in this process with the same environment as the server."""
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "phxpay.settings")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


class Process:
    """A child process (gunicorn, db_worker) with its output in a log file, stopped on exit."""

    def __init__(self, name: str, args: list[str], env: dict[str, str]):
        self.name = name
        self.log_path = Path(tempfile.mkstemp(prefix=f"phxpay-bench-{name}-", suffix=".log")[1])
        self._log = self.log_path.open("wb")
        self.popen = subprocess.Popen(args, cwd=ROOT, env=env, stdout=self._log, stderr=self._log)

    def tail(self, lines: int = 30) -> str:
        text = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=35)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        self._log.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        if exc[0] is None:
            self.log_path.unlink(missing_ok=True)
        else:
            log(f"{self.name} log kept: {self.log_path}")


def gunicorn(env: dict[str, str], port: int, workers: int = 2) -> Process:
    """`gunicorn phxpay.wsgi:application --workers 2 --bind 127.0.0.1:PORT`, ready to answer.

    Started in the project directory, so gunicorn also reads gunicorn.conf.py (timeouts, access log
    format) as in production; the command line's workers and bind win.
    """
    args = [
        str(Path(PYTHON).parent / "gunicorn"),
        "phxpay.wsgi:application",
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
    ]
    server = Process("gunicorn", args, env)
    deadline = time.monotonic() + 60
    while True:
        if server.popen.poll() is not None:
            server.stop()
            sys.exit(f"gunicorn exited at start-up:\n{server.tail()}")
        try:
            if get(port, "/healthz")[0] == 200:
                return server
        except OSError:
            pass
        if time.monotonic() > deadline:
            server.stop()
            sys.exit(f"gunicorn did not answer /healthz within 60 s:\n{server.tail()}")
        time.sleep(0.2)


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (pct in 0–100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, round(pct / 100 * len(ordered) + 0.4999))
    return ordered[min(rank, len(ordered)) - 1]


def median(values: list[float]) -> float:
    return statistics.median(values)


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f} (1/5/15 min) on {os.cpu_count()} CPUs"


@dataclass
class Summary:
    """One line of run_all.py's results table."""

    benchmark: str
    measured: str
    limit: str
    ratio: str
    target: str
    passed: bool
    notes: str = ""

    @property
    def verdict(self) -> str:
        return "PASS" if self.passed else "FAIL"


def json_option(parser) -> None:
    parser.add_argument(
        "--json",
        metavar="FILE",
        help="also write the summary line(s) as JSON to FILE (used by run_all.py)",
    )


def write_json(path: str | None, summaries: list[Summary]) -> None:
    if path:
        Path(path).write_text(
            json.dumps([{**asdict(s), "verdict": s.verdict} for s in summaries], indent=1)
        )


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


BENCH_PASSWORD = "Bench-Correct-Horse-9"


def delete_users(usernames: list[str]) -> None:
    """Remove earlier runs' users; their audit events first (a trigger forbids the SET NULL)."""
    from accounts.models import User
    from phxpay.models import AuditEvent

    AuditEvent.objects.filter(user__username__in=usernames).delete()
    User.objects.filter(username__in=usernames).delete()


def make_user(username: str, *, own: int, shared: int = 0, first_number: int):
    """A confirmed user (password BENCH_PASSWORD) enrolled in own + shared billing accounts.

    `own` accounts are enrolled as holder (the Enroll form's result); `shared` ones came from an
    accepted invitation of another holder, as the Account(s) page shows them ("Shared by …"). The
    two kinds alternate. Any earlier user of that name (and its helper holder) is deleted first.
    Needs django_setup().
    """
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import User
    from enrollment.models import BillingAccount, Enrollment, Invitation, Role
    from enrollment.pins import pin_digest

    holder_name = f"{username}-holder"
    delete_users([username, holder_name])
    now = timezone.now()
    user = User(
        username=username,
        email=f"{username}@bench.example.com",
        first_name="Bench",
        last_name="Customer",
        confirmed_at=now,
    )
    user.set_password(BENCH_PASSWORD)
    user.save()
    holder = None
    if shared:
        holder = User(
            username=holder_name,
            email=f"{holder_name}@bench.example.com",
            first_name="Holly",
            last_name="Holder",
            confirmed_at=now,
        )
        holder.set_unusable_password()
        holder.save()
    kinds = []  # own and shared alternate as long as both remain
    for index in range(max(own, shared)):
        kinds += ["own"] * (index < own) + ["shared"] * (index < shared)
    for index, kind in enumerate(kinds):
        number = f"{first_number + index:010d}"
        account, _ = BillingAccount.objects.update_or_create(
            account_number=number,
            defaults={
                "first_name": "Bench",
                "last_name": "Customer",
                "service_address": f"{200 + index} W Washington St, Phoenix, AZ 85003",
                "balance": "84.17",
                "due_date": timezone.localdate() + timedelta(days=20),
                "ebill_email": "",
                "pin_hash": pin_digest(account_number=number, pin="2468"),
            },
        )
        if kind == "own":
            Enrollment.objects.create(user=user, account=account, role=Role.HOLDER)
            continue
        Enrollment.objects.create(user=holder, account=account, role=Role.HOLDER)
        invitation = Invitation.objects.create(
            account=account,
            invited_by=holder,
            email=user.email,
            role=Role.VIEW,
            expires_at=now + timedelta(days=14),
            accepted_at=now,
            accepted_by=user,
        )
        Enrollment.objects.create(user=user, account=account, role=Role.VIEW, invitation=invitation)
    return user


def session_cookie(user) -> str:
    """A signed-in session for `user`, made as django.contrib.auth.login makes one; its cookie."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from accounts.services import session_started

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    # The portal ends sessions without a recent sign-in time (AbsoluteSessionLimitMiddleware).
    store["auth_at"] = int(time.time())
    store.create()
    session_started(user=user, session_key=store.session_key)
    if settings.SESSION_COOKIE_NAME != "sessionid":
        sys.exit(f"unexpected session cookie name {settings.SESSION_COOKIE_NAME!r}")
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"
