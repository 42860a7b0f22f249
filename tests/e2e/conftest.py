"""Browser journeys: headless Debian Chromium driven by Playwright against pytest-django's live server.

Every test here is marked `e2e`. Playwright's sync API runs an event loop in the main thread, so Django's
async-safety check has to be relaxed for the test code's own database access.

Every page a test loads is checked with axe-core (WCAG 2.1 A/AA, see a11y.py); a test passes only if
none has a violation. A journey that met Spanish labels the catalogue does not translate yet is
reported as XFAIL with the missing msgids (see helpers.Untranslated).
"""

import os
import re
import shutil
import time
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

E2E_DIR = Path(__file__).resolve().parent
ARTIFACTS_DIR = E2E_DIR.parent.parent / "artifacts" / "e2e"
TIMEOUT_MS = 10_000
EMAIL_WAIT_SECONDS = 5.0

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "screenshots: regenerate docs/screenshots (runs only with SCREENSHOTS=1)"
    )


def pytest_collection_modifyitems(config, items):
    # This hook sees the whole session's items: mark only the ones collected from this folder.
    for item in items:
        if E2E_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if (
        report.when == "call"
        and report.passed
        and E2E_DIR in Path(str(item.path)).resolve().parents
    ):
        from tests.e2e.helpers import UNTRANSLATED

        if UNTRANSLATED:
            # The journey works; only the Spanish catalogue is behind. Say so instead of passing.
            report.outcome = "skipped"
            report.wasxfail = "translation pending for " + ", ".join(UNTRANSLATED)
    # Kept on the item (rep_setup, rep_call, rep_teardown) so fixtures can see how the test went.
    setattr(item, f"rep_{report.when}", report)
    return report


def chromium_path() -> str:
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).is_file():
        pytest.fail(
            f"Chromium not found (looked on PATH and at {path}). The e2e journeys use the system "
            "Chromium and never download one: install it, e.g. `apt-get install chromium`.",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
    except Exception as error:
        playwright.stop()
        pytest.fail(f"Could not launch Chromium at {executable}: {error}", pytrace=False)
    yield browser
    browser.close()
    playwright.stop()


def _served_as_in_production(app):
    """The live server's static handler: none. WhiteNoise (in MIDDLEWARE) serves STATIC_ROOT's hashed
    files, as in production. Django's default StaticFilesHandler looks names up with the finders,
    which know no hashed names, so every stylesheet and script of the manifest storage would 404."""
    return app


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server (same name, so its transactional-db helper still applies), serving
    static files through WhiteNoise from the collected STATIC_ROOT."""
    from django.conf import settings
    from pytest_django.live_server_helper import LiveServer

    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if not manifest.is_file():
        pytest.fail(
            f"{manifest} is missing: run `SECRET_KEY=x python manage.py collectstatic --noinput` "
            "before the e2e journeys.",
            pytrace=False,
        )
    addr = (
        request.config.getvalue("liveserver")
        or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS")
        or "localhost"
    )
    server = LiveServer(addr, start=False)
    server.thread.static_handler = _served_as_in_production
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def axe():
    from tests.e2e.a11y import axe_source

    return axe_source()


@pytest.fixture(autouse=True)
def _untranslated_reset():
    from tests.e2e.helpers import UNTRANSLATED

    UNTRANSLATED.clear()
    yield
    UNTRANSLATED.clear()


@pytest.fixture
def site_url(settings, live_server):
    """The live server's base URL; email links point at it too."""
    settings.SITE_URL = live_server.url
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    return live_server.url


@pytest.fixture
def page(request, browser, axe, transactional_db, site_url):
    from playwright.sync_api import expect

    from tests.e2e.a11y import start_audit

    expect.set_options(timeout=TIMEOUT_MS)
    context = browser.new_context(base_url=site_url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    page = context.new_page()
    audit = start_audit(page, axe)
    yield page
    failed = any(
        getattr(getattr(request.node, f"rep_{when}", None), "failed", False)
        for when in ("setup", "call")
    )
    try:
        if failed:
            _save_screenshot(request, page)
        else:
            # The page the test ended on, unless a step already checked it.
            if audit.unchecked() and page.url.startswith("http"):
                audit.check(" (the page the test ended on)")
            unchecked = audit.unchecked()
            assert not unchecked, (
                "pages loaded but never checked with axe (navigate with the helpers in "
                f"tests/e2e/helpers.py, or call check_a11y): {unchecked}"
            )
    finally:
        context.close()


def _save_screenshot(request, page) -> None:
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.\-\[\]]+", "_", request.node.name)
    try:
        page.screenshot(path=str(ARTIFACTS_DIR / f"{name}.png"), full_page=True)
    except Exception as error:  # a screenshot must never hide the real failure
        print(f"e2e: could not save a screenshot for {request.node.nodeid}: {error}")


@pytest.fixture
def wait_for_email(mailoutbox):
    """Wait for the n-th email (1-based) of this test and return it.

    The live server thread sends emails on commit, after the browser already has its response.
    """

    def _wait(n: int = 1, timeout: float = EMAIL_WAIT_SECONDS):
        deadline = time.monotonic() + timeout
        while len(mailoutbox) < n:
            if time.monotonic() > deadline:
                subjects = [message.subject for message in mailoutbox]
                pytest.fail(f"expected email #{n} within {timeout}s; got {subjects}")
            time.sleep(0.05)
        return mailoutbox[n - 1]

    return _wait


@pytest.fixture
def email_to(mailoutbox):
    """Wait for the n-th email (1-based) sent to `address` in this test and return it.

    Journeys send other emails too (enrolment and security notices), so look for the one wanted.
    """

    def _wait(address: str, n: int = 1, timeout: float = EMAIL_WAIT_SECONDS):
        deadline = time.monotonic() + timeout
        while True:
            found = [message for message in mailoutbox if address in message.to]
            if len(found) >= n:
                return found[n - 1]
            if time.monotonic() > deadline:
                sent = [(message.to, message.subject) for message in mailoutbox]
                pytest.fail(f"expected email #{n} to {address} within {timeout}s; got {sent}")
            time.sleep(0.05)

    return _wait
