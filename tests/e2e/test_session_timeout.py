"""The idle-session warning (WCAG 2.2.1 Timing Adjustable), with the idle timeout cut to seconds.

static/js/session-timeout.js opens an alertdialog shortly before the server ends an idle session
(2 minutes before, or 10% of the timeout when that is shorter). "Stay signed in" renews the session;
"Logout" ends it (the same words as the header's button, WCAG 3.2.4); doing nothing takes the browser
to the Login page once the session has ended. The live server runs in this process, so the
`settings` fixture changes its timeout too.
"""

import re
import time

from playwright.sync_api import Page, expect

from accounts import messages
from tests.e2e.a11y import check_a11y
from tests.e2e.helpers import (
    expect_notice,
    expect_signed_in,
    expect_signed_out_menu,
    post_with,
    sign_in_from_login_page,
    text,
    ui,
    visit,
)
from tests.factories import DEFAULT_PASSWORD, EnrollmentFactory, UserFactory


def signed_in_with_timeout(page: Page, settings, lang: str, seconds: int):
    settings.SESSION_COOKIE_AGE = seconds
    user = UserFactory(preferred_language=lang, first_name="Ines")
    EnrollmentFactory(user=user)
    sign_in_from_login_page(page, lang, user.username, DEFAULT_PASSWORD)
    expect(page).to_have_url(re.compile(rf"/{lang}/accounts/$"))
    # The last request renewed the session: it ends `seconds` from about now.
    return user, time.monotonic() + seconds


def warning(page: Page, lang: str):
    return page.get_by_role("alertdialog", name=ui(lang, "Your session is about to end"))


def expect_warning(page: Page, lang: str, seconds: int):
    """The warning opens at 90% of the timeout (10% of it is less than 2 minutes), focused."""
    dialog = warning(page, lang)
    expect(page.locator("body")).to_have_attribute("data-session-seconds", str(seconds))
    expect(dialog).to_be_hidden()
    expect(dialog).to_be_visible(timeout=seconds * 1000)
    stay = dialog.get_by_role("button", name=ui(lang, "Stay signed in"), exact=True)
    expect(stay).to_be_focused()
    return dialog, stay


def test_stay_signed_in_renews_the_session(page: Page, settings):
    # 10% of 24 s: the click must come within 2.4 s of the warning, before the session ends.
    lang, seconds = "en", 24
    user, ends = signed_in_with_timeout(page, settings, lang, seconds)
    dialog, stay = expect_warning(page, lang, seconds)

    with page.expect_response(re.compile(r"/session/extend/$")) as extended:
        stay.click()
    assert extended.value.status == 200
    assert extended.value.json() == {"signed_in": True, "idle_seconds": seconds}
    expect(dialog).to_be_hidden()

    # Past the moment the session would have ended without the click, it is still open.
    remaining = ends - time.monotonic() + 1.5
    page.wait_for_function(
        "deadline => performance.now() > deadline",
        arg=page.evaluate("() => performance.now()") + remaining * 1000,
        timeout=(remaining + 5) * 1000,
    )
    visit(page, f"/{lang}/accounts/")
    expect(page).to_have_url(re.compile(rf"/{lang}/accounts/$"))
    expect_signed_in(page, lang, user.first_name)


def test_sign_out_from_the_warning(page: Page, settings):
    lang, seconds = "es", 16
    signed_in_with_timeout(page, settings, lang, seconds)
    dialog, _stay = expect_warning(page, lang, seconds)
    logout = dialog.get_by_role("button", name=ui(lang, "Logout"), exact=True)
    expect(logout).to_be_visible()
    check_a11y(page, " with the session warning open")
    post_with(page, logout)
    expect_notice(page, text(lang, messages.LOGGED_OUT))
    expect_signed_out_menu(page, lang)


def test_doing_nothing_leaves_for_the_login_page_once_the_session_ended(page: Page, settings):
    lang, seconds = "en", 6
    signed_in_with_timeout(page, settings, lang, seconds)
    expect(warning(page, lang)).to_be_visible(timeout=seconds * 1000)
    page.wait_for_url(
        re.compile(rf"/{lang}/login/\?next=/{lang}/accounts/$"), timeout=(seconds + 5) * 1000
    )
    check_a11y(page)
    expect_signed_out_menu(page, lang)
