import re
import threading
from dataclasses import dataclass

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import translation

from tests.factories import DEFAULT_PASSWORD, PendingUserFactory, UserFactory

LINK_RE = re.compile(r"https?://[^\s\"<>]+/register/confirm/[A-Za-z0-9_\-]+/")


@pytest.fixture(autouse=True, scope="session")
def _shared_client_handler():
    """Every test Client shares one handler (per CSRF mode).

    A new handler makes WhiteNoise index every static file on its first request, over a second each;
    the middleware chain keeps no state between requests, exactly as in a production worker.
    """
    from django.test import client as test_client

    original = test_client.Client.__init__
    handlers = {}

    def init(self, enforce_csrf_checks=False, *args, **kwargs):
        original(self, enforce_csrf_checks, *args, **kwargs)
        self.handler = handlers.setdefault(enforce_csrf_checks, self.handler)

    test_client.Client.__init__ = init
    yield
    test_client.Client.__init__ = original


@pytest.fixture(autouse=True)
def _test_settings(settings):
    settings.SITE_URL = "http://testserver"
    settings.PASSWORD_HASHERS = ["tests.hashers.FastArgon2PasswordHasher"]
    # A request to /es/ leaves Spanish active in this thread (LocaleMiddleware does not reset it):
    # every test starts in English, whatever the previous one visited.
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def bill_storage(settings, tmp_path):
    """Bill PDFs go to a directory of the test's own (the "bills" storage)."""
    location = tmp_path / "bills"
    settings.STORAGES = {
        **settings.STORAGES,
        "bills": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": location},
        },
    }
    return location


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache: every test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def password():
    return DEFAULT_PASSWORD


@pytest.fixture
def pending_user(db):
    return PendingUserFactory()


@pytest.fixture
def signed_in_client(client, user):
    client.force_login(user)
    return client


def url(lang: str, name: str, **kwargs) -> str:
    with translation.override(lang):
        return reverse(name, kwargs=kwargs or None)


def confirmation_link(message) -> str:
    """The confirmation link in an email's text part (asserting the HTML part carries the same)."""
    match = LINK_RE.search(message.body)
    assert match, message.body
    link = match.group(0)
    html = message.alternatives[0][0]
    assert link in html
    return link


def link_path(link: str) -> str:
    return link.removeprefix("http://testserver")


def open_link(client, link: str):
    """Follow an emailed confirmation link as a browser does (it redirects to the form page)."""
    return client.get(link_path(link), follow=True)


def confirmation_form_url(link: str) -> str:
    """Where the confirmation form posts: the link's language, without the token."""
    return url(link_path(link).split("/")[1], "accounts:confirm")


@pytest.fixture
def mailing(django_capture_on_commit_callbacks):
    """`with mailing():` runs what requests queued for after their commit (the emails), as
    production does."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def register(client, django_capture_on_commit_callbacks):
    """POST the Register form (English unless lang given), running on-commit email sends."""

    def _register(*, lang="en", **overrides):
        data = {
            "username": "testWilliamSample",
            "first_name": "William",
            "last_name": "Sample",
            "email": "wstestphx10@gmail.com",
            "confirm_email": "wstestphx10@gmail.com",
        }
        data.update(overrides)
        if "email" in overrides and "confirm_email" not in overrides:
            data["confirm_email"] = overrides["email"]
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url(lang, "accounts:register"), data)

    return _register


def run_in_parallel(function, arguments) -> list:
    """function(argument) for every argument, each in its own thread and database connection,
    released together; the results in completion order."""
    barrier = threading.Barrier(len(arguments))
    results = []

    def run(argument):
        try:
            barrier.wait(timeout=10)
            results.append(function(argument))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(argument,)) for argument in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def staff_signed_in(client, user):
    """A staff browser past both admin sign-in steps: the password and the second factor."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device = device or TOTPDevice.objects.create(user=user, name="tests", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@dataclass
class CommandResult:
    code: int
    out: str
    err: str


def run_command(capsys, name: str, *args) -> CommandResult:
    """A management command as an operator runs it: its exit status (0 unless it calls
    sys.exit()) and what it printed."""
    from django.core.management import call_command

    capsys.readouterr()
    try:
        call_command(name, *map(str, args))
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    captured = capsys.readouterr()
    return CommandResult(code, captured.out, captured.err)
