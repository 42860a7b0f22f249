"""Registration, confirmation, sign-in/out, language switch and password reset, through the browser.

Every journey runs in English and in Spanish and finds fields and buttons by their visible labels in
that language (hard-coded here, not taken from gettext, so a missing translation fails the test).
"""

import itertools
import re
import uuid

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from accounts import messages
from tests.conftest import confirmation_link
from tests.factories import DEFAULT_PASSWORD, UserFactory

LANGS = ["en", "es"]
NEW_PASSWORD = "Sonoran-Monsoon-Saguaro-42"

UI = {
    "en": {
        "User Name": "User Name",
        "First Name": "First Name",
        "Last Name": "Last Name",
        "Email Address": "Email Address",
        "Confirm Email Address": "Confirm Email Address",
        "Password": "Password",
        "Confirm Password": "Confirm Password",
        "New Password": "New Password",
        "Confirm New Password": "Confirm New Password",
        "required": "required",
        "Main menu": "Main menu",
        "Home": "Home",
        "Login": "Login",
        "Register": "Register",
        "Register button": "Register",
        "Reset Password": "Reset Password",
        "Submit": "Submit",
        "Sign In": "Sign In",
        "Logout": "Logout",
        "Send Reset Link": "Send Reset Link",
        "Change Password": "Change Password",
        "Please correct the following:": "Please correct the following:",
        "Welcome": "Welcome {name}",
        "signed in menu": [
            "Home",
            "Account(s)",
            "Details",
            "Account Settings",
            "User Profile",
            "Links",
            "Help",
        ],
        "subject": "ACTION REQUIRED! Confirm Your PHX Pay Online Registration",
    },
    "es": {
        "User Name": "Nombre de Usuario",
        "First Name": "Nombre",
        "Last Name": "Apellido",
        "Email Address": "Correo Electrónico",
        "Confirm Email Address": "Confirme Correo Electrónico",
        "Password": "Clave",
        "Confirm Password": "Confirme Clave",
        "New Password": "Nueva Clave",
        "Confirm New Password": "Confirme Nueva Clave",
        "required": "obligatorio",
        "Main menu": "Menú principal",
        "Home": "Inicio",
        "Login": "Iniciar Sesión",
        "Register": "Registrarse",
        # The form's button is the verb (msgctxt "button"); the menu link reads "Registrarse".
        "Register button": "Registrar",
        "Reset Password": "Restablecer Clave",
        "Submit": "Enviar",
        # Same words as the Login menu link: always looked up as a button, never as a link.
        "Sign In": "Iniciar Sesión",
        "Logout": "Cerrar Sesión",
        "Send Reset Link": "Enviar Enlace para Restablecer",
        "Change Password": "Cambiar Clave",
        "Please correct the following:": "Favor de corregir lo siguiente:",
        "Welcome": "Bienvenido(a) {name}",
        "signed in menu": [
            "Inicio",
            "Cuenta(s)",
            "Detalles",
            "Configuración de Cuenta",
            "Perfil de Usuario",
            "Enlaces",
            "Ayuda",
        ],
        "subject": "¡ACCIÓN REQUERIDA! Confirme Su Registro en PHX Pay Online",
    },
}

_serial = itertools.count(1)


# --- small helpers --------------------------------------------------------------------------------


def text(lang: str, message) -> str:
    """A message constant as shown in `lang`; Spanish must really be translated."""
    with translation.override(lang):
        shown = str(message)
    if lang != "en":
        with translation.override("en"):
            assert shown != str(message), f"not translated to {lang}: {shown!r}"
    return shown


def new_person(lang: str, tag: str) -> dict:
    """Unique registration details (User Name is mixed-case on purpose: it is case-sensitive)."""
    suffix = f"{next(_serial)}{uuid.uuid4().hex[:6]}"
    username = f"William{tag.capitalize()}{lang.upper()}{suffix}"
    return {
        "username": username,
        "first_name": "William",
        "last_name": "Sample",
        "email": f"wstest.{tag}.{lang}.{suffix}@example.com",
    }


def field(page: Page, lang: str, label: str):
    """The input whose <label> reads exactly `label` (with the required marker around it, if any)."""
    shown, required = re.escape(UI[lang][label]), re.escape(UI[lang]["required"])
    return page.get_by_role("main").get_by_label(
        re.compile(rf"^(\*\s*)?{shown}(\s*\({required}\))?$")
    )


def button(page: Page, lang: str, name: str):
    return page.get_by_role("main").get_by_role("button", name=UI[lang][name], exact=True)


def post_with(page: Page, submit_button) -> None:
    """Click a form's submit button; a refused POST fails here, saying why, not 10 s later."""
    with page.expect_response(
        lambda r: r.request.method == "POST" and r.request.resource_type == "document"
    ) as posted:
        submit_button.click()
    response = posted.value
    assert response.status != 403, (
        f"POST {response.url} was refused with 403 (CSRF?); the browser sent "
        f"Origin: {response.request.header_value('origin')!r}, "
        f"Referer: {response.request.header_value('referer')!r}"
    )


def submit(page: Page, lang: str, name: str) -> None:
    post_with(page, button(page, lang, name))


def menu(page: Page, lang: str):
    return page.get_by_role("navigation", name=UI[lang]["Main menu"])


def open_menu_item(page: Page, lang: str, name: str) -> None:
    menu(page, lang).get_by_role("link", name=UI[lang][name], exact=True).click()


def expect_notice(page: Page, shown: str, role: str = "status") -> None:
    """A flash message or notice, announced to screen readers with `role`."""
    expect(page.get_by_role(role).filter(has_text=shown)).to_be_visible()


def expect_signed_out_menu(page: Page, lang: str) -> None:
    expect(menu(page, lang).get_by_role("link")).to_have_text(
        [UI[lang][name] for name in ("Home", "Login", "Register", "Reset Password")]
    )
    logout = page.get_by_role("banner").get_by_role("button", name=UI[lang]["Logout"])
    expect(logout).to_have_count(0)


def expect_signed_in(page: Page, lang: str, first_name: str) -> None:
    header = page.get_by_role("banner")
    expect(header).to_contain_text(UI[lang]["Welcome"].format(name=first_name))
    expect(menu(page, lang).get_by_role("link")).to_have_text(UI[lang]["signed in menu"])


def error_summary(page: Page, lang: str):
    heading = page.get_by_role("heading", name=UI[lang]["Please correct the following:"])
    return page.locator(".phx-error-summary").filter(has=heading)


def fill_registration(page: Page, lang: str, person: dict) -> None:
    field(page, lang, "User Name").fill(person["username"])
    field(page, lang, "First Name").fill(person["first_name"])
    field(page, lang, "Last Name").fill(person["last_name"])
    field(page, lang, "Email Address").fill(person["email"])
    field(page, lang, "Confirm Email Address").fill(person["email"])


def register(page: Page, lang: str, person: dict) -> None:
    """From the Home page: Register menu link, the form, and the ALMOST DONE notice."""
    page.goto(f"/{lang}/")
    open_menu_item(page, lang, "Register")
    expect(page).to_have_url(re.compile(rf"/{lang}/register/$"))
    fill_registration(page, lang, person)
    submit(page, lang, "Register button")
    expect(page).to_have_url(re.compile(rf"/{lang}/register/sent/$"))
    expect_notice(page, text(lang, messages.REGISTRATION_ALMOST_DONE))


def check_confirmation_email(message, lang: str, person: dict, site_url: str) -> str:
    """The email is in the registration's language and links to the live site in that language."""
    assert message.to == [person["email"]]
    assert message.subject == UI[lang]["subject"] == text(lang, messages.CONFIRMATION_SUBJECT)
    link = confirmation_link(message)
    assert link.startswith(f"{site_url}/{lang}/register/confirm/"), link
    return link


def fill_confirmation(page: Page, lang: str, *, username: str, email: str, password: str) -> None:
    field(page, lang, "User Name").fill(username)
    field(page, lang, "Email Address").fill(email)
    field(page, lang, "Password").fill(password)
    field(page, lang, "Confirm Password").fill(password)
    submit(page, lang, "Submit")


def confirm(page: Page, lang: str, link: str, person: dict, password: str) -> None:
    """Step 2 at the emailed link; lands on the Login page with Get Started!!"""
    page.goto(link)
    fill_confirmation(
        page, lang, username=person["username"], email=person["email"], password=password
    )
    expect(page).to_have_url(re.compile(rf"/{lang}/login/$"))
    expect_notice(page, text(lang, messages.CONFIRMED_GET_STARTED))


def sign_in(page: Page, lang: str, username: str, password: str) -> None:
    field(page, lang, "User Name").fill(username)
    field(page, lang, "Password").fill(password)
    submit(page, lang, "Sign In")


def sign_out(page: Page, lang: str) -> None:
    post_with(page, page.get_by_role("banner").get_by_role("button", name=UI[lang]["Logout"]))
    expect_notice(page, text(lang, messages.LOGGED_OUT))
    expect_signed_out_menu(page, lang)


# --- journeys -------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_register_confirm_sign_in_and_out(page: Page, wait_for_email, site_url, lang):
    person = new_person(lang, "journey")
    password = NEW_PASSWORD

    register(page, lang, person)
    message = wait_for_email(1)
    link = check_confirmation_email(message, lang, person, site_url)

    confirm(page, lang, link, person, password)
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect_signed_out_menu(page, lang)

    sign_in(page, lang, person["username"], password)
    expect(page).to_have_url(re.compile(rf"/{lang}/accounts/$"))
    expect_signed_in(page, lang, person["first_name"])

    sign_out(page, lang)
    expect(page).to_have_url(re.compile(rf"/{lang}/$"))


@pytest.mark.parametrize("lang", LANGS)
def test_registering_again_only_the_newest_link_works(page: Page, wait_for_email, site_url, lang):
    person = new_person(lang, "again")

    register(page, lang, person)
    first_link = check_confirmation_email(wait_for_email(1), lang, person, site_url)
    register(page, lang, person)
    second_link = check_confirmation_email(wait_for_email(2), lang, person, site_url)
    assert first_link != second_link

    page.goto(first_link)
    expect_notice(page, text(lang, messages.CONFIRMATION_NOT_FOUND), role="alert")
    expect(field(page, lang, "User Name")).to_have_count(0)

    confirm(page, lang, second_link, person, NEW_PASSWORD)
    sign_in(page, lang, person["username"], NEW_PASSWORD)
    expect_signed_in(page, lang, person["first_name"])


@pytest.mark.parametrize("lang", LANGS)
def test_wrong_case_user_name_is_refused_then_exact_case_confirms(
    page: Page, wait_for_email, site_url, lang
):
    person = new_person(lang, "case")
    register(page, lang, person)
    link = check_confirmation_email(wait_for_email(1), lang, person, site_url)

    page.goto(link)
    fill_confirmation(
        page,
        lang,
        username=person["username"].lower(),
        email=person["email"],
        password=NEW_PASSWORD,
    )
    summary = error_summary(page, lang)
    expect(summary).to_be_visible()
    expect(summary).to_contain_text(text(lang, messages.CONFIRMATION_MISMATCH))
    # Still on the confirmation page (the token left the address bar for the session), which
    # keeps what was typed except the passwords.
    expect(page).to_have_url(re.compile(rf"/{lang}/register/confirm/$"))
    expect(field(page, lang, "User Name")).to_have_value(person["username"].lower())
    expect(field(page, lang, "Password")).to_have_value("")

    fill_confirmation(
        page, lang, username=person["username"], email=person["email"], password=NEW_PASSWORD
    )
    expect(page).to_have_url(re.compile(rf"/{lang}/login/$"))
    expect_notice(page, text(lang, messages.CONFIRMED_GET_STARTED))
    sign_in(page, lang, person["username"], NEW_PASSWORD)
    expect_signed_in(page, lang, person["first_name"])


def test_language_switch_keeps_the_page(page: Page):
    page.goto("/en/register/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(field(page, "en", "User Name")).to_be_visible()

    post_with(page, page.get_by_role("button", name="Español", exact=True))
    expect(page).to_have_url(re.compile(r"/es/register/$"))
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(field(page, "es", "User Name")).to_be_visible()
    expect(button(page, "es", "Register button")).to_be_visible()

    post_with(page, page.get_by_role("button", name="English", exact=True))
    expect(page).to_have_url(re.compile(r"/en/register/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(field(page, "en", "User Name")).to_be_visible()


@pytest.mark.parametrize("lang", LANGS)
def test_reset_password_then_sign_in_with_the_new_one(page: Page, wait_for_email, site_url, lang):
    person = new_person(lang, "reset")
    UserFactory(
        username=person["username"],
        first_name=person["first_name"],
        email=person["email"],
        preferred_language=lang,
    )

    page.goto(f"/{lang}/")
    open_menu_item(page, lang, "Reset Password")
    expect(page).to_have_url(re.compile(rf"/{lang}/password-reset/$"))
    field(page, lang, "Email Address").fill(person["email"])
    submit(page, lang, "Send Reset Link")
    expect_notice(page, text(lang, messages.PASSWORD_RESET_SENT))

    message = wait_for_email(1)
    assert message.to == [person["email"]]
    with translation.override(lang):
        assert message.subject == translation.gettext("Reset your PHX Pay Online password")
    match = re.search(rf"{re.escape(site_url)}/{lang}/password-reset/\S+/\S+/", message.body)
    assert match, message.body

    page.goto(match.group(0))
    field(page, lang, "New Password").fill(NEW_PASSWORD)
    field(page, lang, "Confirm New Password").fill(NEW_PASSWORD)
    submit(page, lang, "Change Password")
    expect(page).to_have_url(re.compile(rf"/{lang}/login/$"))
    expect_notice(page, text(lang, messages.PASSWORD_RESET_DONE))

    # The old password no longer works; the new one does.
    sign_in(page, lang, person["username"], DEFAULT_PASSWORD)
    expect(error_summary(page, lang)).to_contain_text(text(lang, messages.LOGIN_FAILED))
    sign_in(page, lang, person["username"], NEW_PASSWORD)
    expect_signed_in(page, lang, person["first_name"])
