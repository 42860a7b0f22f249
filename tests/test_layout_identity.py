"""The layout that makes the site look official, on every page in both languages: the USWDS
"official website" banner, the wordmark and favicon, the footer with the city's contact details, the
header's "Welcome <User Name>" and language switch; and forms that neither explain an asterisk they
do not show nor autofocus a field below the page's heading."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.forms import ChangePasswordForm, ProfileForm
from enrollment.forms import AccountSettingsForm
from phxpay import contact
from tests.conftest import url
from tests.factories import EnrollmentFactory, UserFactory

pytestmark = pytest.mark.django_db

LANGS = ["en", "es"]
SIGNED_OUT = [
    "home",
    "help",
    "links",
    "accounts:login",
    "accounts:register",
    "accounts:password_reset",
]
SIGNED_IN = [
    "home",
    "enrollment:accounts",
    "enrollment:enroll",
    "enrollment:details",
    "enrollment:settings",
    "enrollment:invite",
    "accounts:profile",
    "accounts:email_change",
    "help",
    "links",
]
PER_ACCOUNT = {"enrollment:details", "enrollment:settings", "enrollment:invite"}
BANNER = "An official website of the City of Phoenix"
# What the city asked for; the catalogue may not have it yet (then Spanish pages show the English).
BANNER_ES = "Un sitio web oficial de la Ciudad de Phoenix"
REQUIRED_NOTE = "Fields marked with an asterisk (*) are required."


def tr(lang: str, msgid: str) -> str:
    with translation.override(lang):
        return translation.gettext(msgid)


def between(html: str, start: str, end: str) -> str:
    """The markup from the first `start` to the first `end` after it."""
    begin = html.index(start)
    return html[begin : html.index(end, begin)]


def site_header(html: str) -> str:
    return between(html, '<header class="usa-header', "</header>")


def main_menu(header: str) -> str:
    """The menu (the phone's slide-in panel) inside the site header's markup."""
    return between(header, "<nav ", "</nav>")


@pytest.fixture
def holder(db):
    user = UserFactory(username="wstestphx", first_name="William", last_name="Sample")
    account = EnrollmentFactory(user=user).account
    return user, account


def signed_out_pages(client: Client):
    for lang in LANGS:
        for name in SIGNED_OUT:
            path = url(lang, name)
            yield lang, path, client.get(path)
        path = f"/{lang}/no-such-page/"
        yield lang, path, client.get(path)


def signed_in_pages(client: Client, holder):
    user, account = holder
    client.force_login(user)
    for lang in LANGS:
        for name in SIGNED_IN:
            kwargs = {"account_id": account.pk} if name in PER_ACCOUNT else {}
            path = url(lang, name, **kwargs)
            yield lang, path, client.get(path)


def every_page(client: Client, holder):
    yield from signed_out_pages(client)
    yield from signed_in_pages(Client(), holder)


def test_every_page_starts_with_the_official_banner(client, holder):
    for lang, path, response in every_page(client, holder):
        assert response.status_code in (200, 404), path
        html = response.content.decode()
        text = tr(lang, BANNER)
        assert text == BANNER if lang == "en" else text in (BANNER, BANNER_ES)
        banner = between(html, '<section class="usa-banner"', "</section>")
        assert f'aria-label="{text}"' in banner, path
        assert f'<p class="usa-banner__header-text">{text}</p>' in banner, path
        # USWDS's disclosure: a real button controlling the explanation, closed until pressed.
        assert re.search(
            r'<button type="button" class="usa-accordion__button usa-banner__button" '
            r'aria-expanded="false" aria-controls="gov-banner">',
            banner,
        ), path
        assert 'id="gov-banner"' in banner
        assert tr(lang, "Official websites use .gov") in banner
        assert "phoenix.gov" in banner
        assert tr(lang, "Secure .gov websites use HTTPS") in banner
        # The skip link stays the first thing; the banner comes before the site's header.
        assert html.index('class="usa-skipnav"') < html.index('class="usa-banner"')
        assert html.index('class="usa-banner"') < html.index('<header class="usa-header')
        # uswds.js opens and closes the banner; without it the explanation just stays open.
        assert "uswds/js/uswds.min" in html


def test_header_has_the_wordmark_linking_home(client, holder):
    for lang, path, response in every_page(client, holder):
        header = site_header(response.content.decode())
        logo = between(header, '<div class="usa-logo">', "</div>")
        assert f'<a class="phx-logo" href="{url(lang, "home")}">' in logo, path
        assert 'role="img" aria-labelledby="phx-wordmark-title"' in logo
        assert '<title id="phx-wordmark-title">PHX Pay Online</title>' in logo
        # Drawn, not copied from anywhere: no image file in the wordmark.
        assert "<img" not in logo


def test_favicon_ico_answers_with_the_icon(client):
    # Browsers fetch it by themselves, without a language prefix.
    assert reverse("favicon") == "/favicon.ico"
    response = client.get(reverse("favicon"))
    assert response.status_code == 302
    icon = client.get(response["Location"])
    assert icon.status_code == 200
    assert b"".join(icon.streaming_content)[:4] == b"\x00\x00\x01\x00"
    assert client.head("/favicon.ico").status_code == 302
    assert client.post("/favicon.ico").status_code == 405


@pytest.mark.parametrize("lang", LANGS)
def test_pages_link_an_svg_and_an_ico_icon_that_exist(client, lang):
    html = client.get(url(lang, "home")).content.decode()
    icons = re.findall(r'<link rel="icon" href="([^"]+)"[^>]*>', html)
    assert len(icons) == 2
    assert 'type="image/svg+xml"' in html
    for href in icons:
        response = client.get(href)
        assert response.status_code == 200, href
        body = b"".join(response.streaming_content)
        assert (
            body.startswith(b"<svg") if href.endswith(".svg") else body[:4] == b"\x00\x00\x01\x00"
        )


def test_every_page_has_the_footer_with_the_city_contact(client, holder):
    for lang, path, response in every_page(client, holder):
        footer = between(response.content.decode(), "<footer", "</footer>")
        assert f'<a href="mailto:{contact.EMAIL}">{contact.EMAIL}</a>' in footer, path
        assert f'<a href="tel:{contact.PHONE_TEL}">{contact.PHONE}</a>' in footer, path
        assert f'<a href="{contact.CONTACT_URL}">' in footer, path
        assert tr(lang, "Water Services contact form") in footer
        assert f'href="{url(lang, "help")}"' in footer and f'href="{url(lang, "links")}"' in footer
        assert f'aria-label="{tr(lang, "Footer menu")}"' in footer


@pytest.mark.parametrize("lang", LANGS)
def test_header_welcomes_the_user_name_not_the_first_name(client, holder, lang):
    user, _account = holder
    client.force_login(user)
    header = site_header(client.get(url(lang, "enrollment:accounts")).content.decode())
    with translation.override(lang):
        welcome = translation.gettext("Welcome %(name)s") % {"name": "wstestphx"}
        wrong = translation.gettext("Welcome %(name)s") % {"name": "William"}
    assert welcome in header
    assert wrong not in header
    # Welcome and Logout stay in the header bar, not in the phone's menu panel.
    menu = main_menu(header)
    assert 'class="phx-header__account"' in header and "phx-header__account" not in menu
    assert f'action="{url(lang, "accounts:logout")}"' in header
    assert "accounts:logout" not in menu and url(lang, "accounts:logout") not in menu


@pytest.mark.parametrize("lang", LANGS)
def test_language_switch_is_in_the_header_bar_outside_the_menu_panel(client, lang):
    header = site_header(client.get(url(lang, "accounts:register")).content.decode())
    navbar = between(
        header, '<div class="usa-navbar">', '<button type="button" class="usa-menu-btn">'
    )
    assert 'class="phx-language" role="group"' in navbar
    assert 'lang="en"' in navbar and 'lang="es"' in navbar
    assert ">English</button>" in navbar and ">Español</button>" in navbar
    assert 'aria-current="true">' + ("English" if lang == "en" else "Español") in navbar
    assert "phx-language" not in main_menu(header)


def switch_target(html: str, code: str) -> str:
    """The `next` address of the language switch's button for `code`."""
    match = re.search(
        r'name="next" value="([^"]*)">\s*<button type="submit" name="language" value="'
        + code
        + '"',
        html,
    )
    assert match, f"no switch button for {code}"
    return match.group(1)


@pytest.mark.parametrize("browser_language", ["en-US,en;q=0.9", "es-MX,es;q=0.9"])
@pytest.mark.parametrize("lang", LANGS)
def test_language_switch_lands_on_the_same_page_in_the_other_language(
    client, holder, lang, browser_language
):
    """Whatever language the browser asks for (setlang has no prefix and runs in it)."""
    target = "es" if lang == "en" else "en"
    user, account = holder
    client.force_login(user)
    for page in (
        url(lang, "enrollment:settings", account_id=account.pk),
        url(lang, "help") + "?from=footer",
        f"/{lang}/no-such-page/",
    ):
        html = client.get(page, HTTP_ACCEPT_LANGUAGE=browser_language).content.decode()
        response = client.post(
            "/i18n/setlang/",
            {"language": target, "next": switch_target(html, target)},
            HTTP_ACCEPT_LANGUAGE=browser_language,
        )
        assert response.status_code == 302
        assert response["Location"] == page.replace(f"/{lang}/", f"/{target}/", 1), page
        # The button for the page's own language stays where it is.
        assert switch_target(html, lang) == page


def test_no_required_note_on_a_form_without_required_fields(client, holder):
    user, account = holder
    client.force_login(user)
    for lang in LANGS:
        settings_page = client.get(url(lang, "enrollment:settings", account_id=account.pk))
        assert settings_page.status_code == 200
        assert tr(lang, REQUIRED_NOTE) not in settings_page.content.decode()
        # Where the form does mark fields as required, the note is there to explain the asterisk.
        profile = client.get(url(lang, "accounts:profile")).content.decode()
        assert tr(lang, REQUIRED_NOTE) in profile


def test_forms_know_whether_they_show_an_asterisk(holder):
    user, _account = holder
    assert not AccountSettingsForm(
        can_change_account=True, can_change_email=True
    ).has_required_fields
    assert not AccountSettingsForm(
        can_change_account=False, can_change_email=False
    ).has_required_fields
    assert ProfileForm(instance=user).has_required_fields
    assert ChangePasswordForm(user).has_required_fields


def test_profile_page_autofocuses_nothing(client, holder):
    user, _account = holder
    client.force_login(user)
    for lang in LANGS:
        assert "autofocus" not in client.get(url(lang, "accounts:profile")).content.decode()
        # The page again after a refused password change: still nothing pulls the page down.
        response = client.post(
            url(lang, "accounts:password_change"),
            {"old_password": "wrong", "new_password1": "x", "new_password2": "y"},
        )
        assert response.status_code == 200
        assert "autofocus" not in response.content.decode()


def test_only_the_login_form_autofocuses_its_first_field(client, holder):
    login_paths = {url(lang, "accounts:login") for lang in LANGS}
    for _lang, path, response in every_page(client, holder):
        html = response.content.decode()
        if path in login_paths:
            # Its User Name is the first thing under the heading and a one-line note, in view on a
            # phone (tests/e2e/test_identity.py checks that in the browser).
            assert len(re.findall(r"\bautofocus\b", html)) == 1
            assert re.search(r'<input type="text" name="username" autofocus', html)
        else:
            assert "autofocus" not in html, path
