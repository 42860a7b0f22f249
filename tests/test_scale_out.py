"""The web tier is stateless: two gunicorn instances on two ports and two `db_worker` processes,
one PostgreSQL and one Redis, behave as one portal. Sign-in lockouts and rate limits are shared,
each queued email is sent exactly once, and a payment callback sent to both instances at once is
applied once. Real processes over real sockets, started from the project like a deployment."""

import hashlib
import hmac
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import connection

from payments.models import Payment, Status
from payments.processors import DummyProcessor
from phxpay.emails import queue_email
from phxpay.models import OutboundEmail
from tests.factories import DEFAULT_PASSWORD, BillingAccountFactory, UserFactory, paid

ROOT = Path(__file__).resolve().parent.parent
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# A Redis database of this test process's own (pytest-xdist runs several): the test empties it.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or "0"
SERVER_SECRET_KEY = "scale-out-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
REDIS_DB = f"redis://127.0.0.1:6379/{7 + int(_WORKER) % 8}"

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not (Path(settings.STATIC_ROOT) / "staticfiles.json").is_file(),
        reason="needs collected static files (make test collects them)",
    ),
]


def _server_env() -> dict[str, str]:
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DEBUG": "false",
        "SECRET_KEY": SERVER_SECRET_KEY,
        "PIN_PEPPER": os.environ.get("PIN_PEPPER", "scale-out-test-pin-pepper"),
        "DATABASE_URL": url,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "CACHE_URL": REDIS_DB,
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "EMAIL_BACKEND": "anymail.backends.console.EmailBackend",
        "WEB_CONCURRENCY": "1",
        "LOG_LEVEL": "WARNING",
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def request(port, method, path, headers=None, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(method, path, body, headers or {})
    response = conn.getresponse()
    content = response.read()
    conn.close()
    return response.status, response, content


@contextmanager
def gunicorn(env):
    port = _free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if request(port, "GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=40)


@pytest.fixture
def two_instances():
    import redis

    redis.Redis.from_url(REDIS_DB).flushdb()
    env = _server_env()
    with ExitStack() as stack:
        yield env, [stack.enter_context(gunicorn(env)) for _ in range(2)]


def post_form(port, path, fields):
    """GET the form on this instance, POST it with its CSRF cookie and token."""
    status, response, page = request(port, "GET", path)
    assert status == 200, (path, status)
    cookies = [c.split(";")[0] for c in response.msg.get_all("Set-Cookie") or []]
    token = CSRF_INPUT.search(page.decode()).group(1)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": "; ".join(cookies),
        "Origin": f"http://127.0.0.1:{port}",
    }
    body = urlencode({"csrfmiddlewaretoken": token, **fields})
    return request(port, "POST", path, headers, body)[0]


def test_sign_in_lockout_and_rate_limits_are_shared(two_instances):
    _env, ports = two_instances
    user = UserFactory(username="sharedLockout")
    # The sign-in pause counts failures on both instances together: the tenth, whichever
    # instance takes it, pauses the User Name (axes answers 429) on both.
    statuses = [
        post_form(ports[n % 2], "/en/login/", {"username": user.username, "password": "wrong"})
        for n in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    right = {"username": user.username, "password": DEFAULT_PASSWORD}
    assert post_form(ports[0], "/en/login/", right) == 429
    assert post_form(ports[1], "/en/login/", right) == 429
    # The guest-pay guessing limit per account number counts both instances too.
    account = BillingAccountFactory(account_number="4012345678", service_zip="85006")
    limit = int(settings.RATE_LIMITS["guest_pay"]["target"].split("/")[0])
    wrong_house = {"account_number": account.account_number, "service_zip": "85006"}
    for attempt in range(limit):
        fields = {**wrong_house, "house_number": str(9000 + attempt)}
        assert post_form(ports[attempt % 2], "/en/payments/guest/", fields) == 400
    assert post_form(ports[0], "/en/payments/guest/", {**wrong_house, "house_number": "1"}) == 429


def test_two_workers_send_each_queued_email_once(two_instances, settings):
    env, _ports = two_instances
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    users = [UserFactory(email=f"scale{n}@example.com") for n in range(12)]
    for user in users:
        queue_email("security_notice", user_id=user.pk, notice="password_changed")
    outputs = []

    def work():
        result = subprocess.run(
            [sys.executable, "manage.py", "db_worker", "--batch"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        outputs.append(result.stdout)

    workers = [threading.Thread(target=work) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    sent = "".join(outputs)
    for user in users:
        assert sent.count(f"To: {user.email}") == 1, user.email
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {"sent"}


def test_a_callback_sent_to_both_instances_at_once_is_applied_once(two_instances):
    _env, ports = two_instances
    payment = paid(BillingAccountFactory(), user=UserFactory(), status="pending")
    bodies = [
        json.dumps(
            {"id": f"evt_{n}", "reference": payment.processor_reference, "status": "approved"}
        ).encode()
        for n in range(6)
    ]
    barrier = threading.Barrier(len(bodies))
    statuses = []

    def send(n, body):
        barrier.wait()
        # Signed as the servers check it: their key derives from their SECRET_KEY.
        key = f"payment-callbacks:{SERVER_SECRET_KEY}".encode()
        signature = hmac.new(key, body, hashlib.sha256).hexdigest()
        headers = {"Content-Type": "application/json", DummyProcessor.SIGNATURE_HEADER: signature}
        statuses.append(request(ports[n % 2], "POST", "/payments/callback/", headers, body)[0])

    threads = [threading.Thread(target=send, args=(n, body)) for n, body in enumerate(bodies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * len(bodies)
    payment.refresh_from_db()
    assert payment.status == Status.APPROVED and payment.callbacks_received == len(bodies)
    assert OutboundEmail.objects.filter(kind="payment_receipt").count() == 1
    assert Payment.objects.filter(status=Status.APPROVED).count() == 1
