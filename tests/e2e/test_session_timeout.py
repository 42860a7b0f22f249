"""The idle-session warning (WCAG 2.2.1 Timing Adjustable), on a fake browser clock: no test waits.

static/js/session-timeout.js opens an alertdialog shortly before the server ends an idle session
(2 minutes before, or 10% of the timeout when that is shorter). "Stay signed in" renews the session;
"Logout" ends it (the same words as the header's button, WCAG 3.2.4); doing nothing takes the browser
to the Login page once the session has ended. The live server runs in this process, so the `settings`
fixture sets its timeout.

Playwright's clock replaces the page's timers before any script runs, and is held still from just
before Sign In is pressed: the signed-in page's timers start at a known moment and fire only when a
test moves the clock on, so the warning is checked closed 1 ms before its moment and open at it. As
no test waits, the timeouts are minutes long (30 minutes as in production: warned 2 minutes before;
10 minutes: warned 10% before). The server's idle expiry runs on real time, so moving on
(`Idle.until`) first makes the session's `expire_date` that much earlier, as that much idleness would
have: a page the script then opens finds the session as a real wait would have left it. axe
(check_a11y) waits on the page's own timers, so the clock runs while it checks
(`check_a11y_on_running_clock`) and while later pages load; that never reaches a timer minutes away.
"""

import re
from datetime import UTC, datetime, timedelta

from django.conf import settings as site_settings
from django.contrib.sessions.models import Session
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts import messages
from tests.e2e.a11y import check_a11y
from tests.e2e.helpers import (
    button,
    expect_notice,
    expect_signed_in,
    expect_signed_out_menu,
    field,
    post_with,
    text,
    ui,
    visit,
)
from tests.factories import DEFAULT_PASSWORD, EnrollmentFactory, UserFactory

# The browser's clock (the script reads no dates, only timers): it starts at CLOCK_START, running,
# and is held at SIGNED_IN_AT (well ahead of it, so never in its past) when Sign In is pressed.
CLOCK_START = datetime(2025, 1, 6, 8, 0, tzinfo=UTC)
SIGNED_IN_AT = CLOCK_START + timedelta(hours=1)
# The script leaves for the Login page this long after the session ended (its EXPIRY_SLACK_MS).
EXPIRY_SLACK_MS = 1000


def warning_opens_after_ms(seconds: int) -> int:
    """2 minutes before the end of the timeout, or 10% of it before when that is shorter."""
    return round((seconds - min(120, seconds * 0.1)) * 1000)


def hold_clock_at(page: Page, moment: datetime) -> None:
    """Move the browser's clock to `moment` (firing the timers due by then) and hold it there."""
    page.clock.pause_at(moment.isoformat(timespec="milliseconds"))


def check_a11y_on_running_clock(page: Page, where: str = "") -> None:
    page.clock.resume()
    check_a11y(page, where)


def session_key(page: Page) -> str:
    (key,) = [
        cookie["value"]
        for cookie in page.context.cookies()
        if cookie["name"] == site_settings.SESSION_COOKIE_NAME
    ]
    return key


class Idle:
    """Time with nothing done since the page's last request, the same on both clocks."""

    def __init__(self, page: Page, since: datetime):
        self.page = page
        self.since = since  # the last request, on the browser's clock
        self.key = session_key(page)
        self.session_ends = Session.objects.get(session_key=self.key).expire_date

    def until(self, ms: int) -> None:
        """`ms` after the last request: the session is that much closer to its end on the server,
        then the browser's clock moves to that moment and is held there."""
        aged = Session.objects.filter(session_key=self.key).update(
            expire_date=self.session_ends - timedelta(milliseconds=ms)
        )
        assert aged == 1, "the browser's session is not in the database"
        hold_clock_at(self.page, self.since + timedelta(milliseconds=ms))


def signed_in_with_timeout(page: Page, settings, lang: str, seconds: int):
    settings.SESSION_COOKIE_AGE = seconds
    user = UserFactory(preferred_language=lang, first_name="Ines")
    EnrollmentFactory(user=user)
    page.clock.install(time=CLOCK_START)
    visit(page, f"/{lang}/login/")
    field(page, lang, "User Name").fill(user.username)
    field(page, lang, "Password").fill(DEFAULT_PASSWORD)
    hold_clock_at(page, SIGNED_IN_AT)
    with page.expect_event("load"):
        button(page, lang, "Sign In").click()
    expect(page).to_have_url(re.compile(rf"/{lang}/accounts/$"))
    # The last request renewed the session: it ends `seconds` after SIGNED_IN_AT, on both clocks.
    expect(page.locator("body")).to_have_attribute("data-session-seconds", str(seconds))
    idle = Idle(page, since=SIGNED_IN_AT)
    check_a11y_on_running_clock(page)
    return user, idle


def warning(page: Page, lang: str):
    return page.get_by_role("alertdialog", name=ui(lang, "Your session is about to end"))


def expect_warning_at(idle: Idle, lang: str, ms: int):
    """The warning is closed 1 ms before `ms` after the last request, and open at `ms`, focused."""
    dialog = warning(idle.page, lang)
    idle.until(ms - 1)
    expect(dialog).to_be_hidden()
    idle.until(ms)
    expect(dialog).to_be_visible()
    stay = dialog.get_by_role("button", name=ui(lang, "Stay signed in"), exact=True)
    expect(stay).to_be_focused()
    return dialog, stay


def test_stay_signed_in_renews_the_session(page: Page, settings):
    # The production timeout: the warning opens 2 minutes before the end.
    lang, seconds = "en", 30 * 60
    opens_ms = warning_opens_after_ms(seconds)
    user, idle = signed_in_with_timeout(page, settings, lang, seconds)
    dialog, stay = expect_warning_at(idle, lang, opens_ms)

    clicked = timezone.now()
    with page.expect_response(re.compile(r"/session/extend/$")) as extended:
        stay.click()
    assert extended.value.status == 200
    assert extended.value.json() == {"signed_in": True, "idle_seconds": seconds}
    expect(dialog).to_be_hidden()
    # The server renewed the session: it ends a whole timeout after the click, not 2 minutes after.
    renewed = Idle(page, since=idle.since + timedelta(milliseconds=opens_ms))
    assert renewed.session_ends >= clicked + timedelta(seconds=seconds)

    # Past the moment the page would have left without the click, it stays, and the warning's
    # timer started again from the click.
    past_old_end_ms = seconds * 1000 + EXPIRY_SLACK_MS - opens_ms + 500
    renewed.until(past_old_end_ms)
    expect(page).to_have_url(re.compile(rf"/{lang}/accounts/$"))
    expect(dialog).to_be_hidden()
    expect_warning_at(renewed, lang, opens_ms)

    # The server agrees: after all that idleness, 28 minutes since the click, the session is open.
    page.clock.resume()
    visit(page, f"/{lang}/accounts/")
    expect(page).to_have_url(re.compile(rf"/{lang}/accounts/$"))
    expect_signed_in(page, lang, user.username)


def test_sign_out_from_the_warning(page: Page, settings):
    # 10% of 10 minutes is less than 2 minutes: the warning opens 1 minute before the end.
    lang, seconds = "es", 10 * 60
    _user, idle = signed_in_with_timeout(page, settings, lang, seconds)
    dialog, _stay = expect_warning_at(idle, lang, warning_opens_after_ms(seconds))
    logout = dialog.get_by_role("button", name=ui(lang, "Logout"), exact=True)
    expect(logout).to_be_visible()
    check_a11y_on_running_clock(page, " with the session warning open")
    post_with(page, logout)
    expect_notice(page, text(lang, messages.LOGGED_OUT))
    expect_signed_out_menu(page, lang)
    assert not Session.objects.filter(session_key=idle.key).exists()


def test_doing_nothing_leaves_for_the_login_page_once_the_session_ended(page: Page, settings):
    lang, seconds = "en", 30 * 60
    _user, idle = signed_in_with_timeout(page, settings, lang, seconds)
    expect_warning_at(idle, lang, warning_opens_after_ms(seconds))
    # The end of the timeout and the script's slack: the server has ended the session, and the page
    # leaves for the Login page, which finds nobody signed in (or it would go on to Account(s)).
    idle.until(seconds * 1000 + EXPIRY_SLACK_MS)
    page.wait_for_url(re.compile(rf"/{lang}/login/\?next=/{lang}/accounts/$"))
    check_a11y_on_running_clock(page)
    expect_signed_out_menu(page, lang)
