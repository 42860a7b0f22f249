"""What the browser journeys share: the visible labels in each language, and steps that find fields and
buttons by those labels the way a person does.

Labels are written out here, not taken from gettext, so a missing translation shows. A string the
Spanish catalogue does not have yet is written `Untranslated("msgid")`: the journey still runs in
Spanish with whatever the page shows, and the test is reported as XFAIL naming the missing msgids
(pytest_runtest_makereport in conftest.py) until the catalogue has them; then it simply passes.
`text()` does the same for the message constants of accounts/ and enrollment/messages.py.

Every step that lands on a new page runs axe on it (`check_a11y`).
"""

from __future__ import annotations

import itertools
import re
import uuid
from dataclasses import dataclass

from django.utils import translation
from playwright.sync_api import Page, expect

from accounts import messages
from tests.conftest import confirmation_link
from tests.e2e.a11y import check_a11y

LANGS = ["en", "es"]
NEW_PASSWORD = "Sonoran-Monsoon-Saguaro-42"

# msgids a test met that the Spanish catalogue does not translate yet; reset for every test.
UNTRANSLATED: list[str] = []


@dataclass(frozen=True)
class Untranslated:
    """A label the Spanish catalogue lacks today: shown as gettext returns it, and reported."""

    msgid: str


UI = {
    "en": {
        "User Name": "User Name",
        "First Name": "First Name",
        "Last Name": "Last Name",
        "Email Address": "Email Address",
        "Confirm Email Address": "Confirm Email Address",
        "Password": "Password",
        "Confirm Password": "Confirm Password",
        "Current Password": "Current Password",
        "New Password": "New Password",
        "Confirm New Password": "Confirm New Password",
        "Account Number": "Account Number",
        "Security PIN": "Security PIN",
        "ZIP code of the service address": "ZIP code of the service address",
        "House number of the service address": "House number of the service address",
        "required": "required",
        "Main menu": "Main menu",
        "Menu": "Menu",
        "Skip to main content": "Skip to main content",
        "Home": "Home",
        "Login": "Login",
        "Register": "Register",
        "Register button": "Register",
        "Reset Password": "Reset Password",
        "Account(s)": "Account(s)",
        "Details": "Details",
        "Account Settings": "Account Settings",
        "User Profile": "User Profile",
        "Links": "Links",
        "Help": "Help",
        "Change Password": "Change Password",
        "Enroll": "Enroll",
        "Invite": "Invite",
        "Send Invitation": "Send Invitation",
        "View only": "View only: sees Details",
        "Manage": "Manage: also changes Account Settings (cannot invite or remove others)",
        "Submit": "Submit",
        "Sign In": "Sign In",
        "Logout": "Logout",
        "Send Reset Link": "Send Reset Link",
        "Save password and sign in": "Save password and sign in",
        "Show password": "Show password",
        "Hide password": "Hide password",
        "Please correct the following:": "Please correct the following:",
        "Welcome": "Welcome {name}",
        "accounts caption": "Your City Services billing accounts",
        "h1": {
            "Home": "Welcome to PHX Pay Online",
            "Login": "Login",
            "Register": "Register",
            "Reset Password": "Reset Password",
            "Account(s)": "Account(s)",
            "Enroll": "Enroll an account",
            "Details": "Details",
            "Account Settings": "Account Settings",
            "User Profile": "User Profile",
            "Links": "Links",
            "Help": "Help",
            "Change Password": "Change Password",
            "Invite": "Invite",
            # A pre-created e-bill user's first sign-in (no menu item): after the PIN, at the link.
            "First sign-in sent": "Check your e-bill email",
            "First sign-in password": "Choose your password",
        },
        "signed out menu": ["Home", "Login", "Register", "Reset Password"],
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
        # The session-timeout warning (static/js/session-timeout.js, markup in base.html).
        "Your session is about to end": "Your session is about to end",
        "Stay signed in": "Stay signed in",
    },
    "es": {
        "User Name": "Nombre de Usuario",
        "First Name": "Nombre",
        "Last Name": "Apellido",
        "Email Address": "Correo Electrónico",
        "Confirm Email Address": "Confirme Correo Electrónico",
        "Password": "Clave",
        "Confirm Password": "Confirme Clave",
        "Current Password": "Clave Actual",
        "New Password": "Nueva Clave",
        "Confirm New Password": "Confirme Nueva Clave",
        "Account Number": "Número de Cuenta",
        "Security PIN": "PIN de Seguridad",
        "ZIP code of the service address": "Código postal de la dirección del servicio",
        "House number of the service address": "Número de la casa en la dirección del servicio",
        "required": "obligatorio",
        "Main menu": "Menú principal",
        "Menu": "Menú",
        "Skip to main content": "Saltar al contenido principal",
        "Home": "Inicio",
        "Login": "Iniciar Sesión",
        # The seed: "Haga clic en Registrar del menú"; the form's button says the same.
        "Register": "Registrar",
        "Register button": "Registrar",
        "Reset Password": "Restablecer Clave",
        "Account(s)": "Cuenta(s)",
        "Details": "Detalles",
        "Account Settings": "Configuración de Cuenta",
        "User Profile": "Perfil de Usuario",
        "Links": "Enlaces",
        "Help": "Ayuda",
        "Change Password": "Cambiar Clave",
        # Enrolling an account reads "Registrar" too (the Account(s) link and the form's button).
        "Enroll": "Registrar",
        "Invite": "Invitar",
        "Send Invitation": "Enviar Invitación",
        "View only": "Solo ver: puede ver los Detalles",
        "Manage": (
            "Administrar: también puede cambiar la Configuración de Cuenta (no puede invitar ni "
            "quitar a otros)"
        ),
        "Submit": "Enviar",
        # Same words as the Login menu link: always looked up as a button, never as a link.
        "Sign In": "Iniciar Sesión",
        "Logout": "Cerrar Sesión",
        "Send Reset Link": "Enviar Enlace para Restablecer",
        "Save password and sign in": "Guardar clave e iniciar sesión",
        "Show password": "Mostrar clave",
        "Hide password": "Ocultar clave",
        "Please correct the following:": "Favor de corregir lo siguiente:",
        "Welcome": "Bienvenido(a) {name}",
        "accounts caption": "Sus cuentas de facturación de City Services",
        "h1": {
            "Home": "Bienvenidos a PHX Pay Online",
            "Login": "Iniciar Sesión",
            "Register": "Registrar",
            "Reset Password": "Restablecer Clave",
            "Account(s)": "Cuenta(s)",
            "Enroll": "Registrar una cuenta",
            "Details": "Detalles",
            "Account Settings": "Configuración de Cuenta",
            "User Profile": "Perfil de Usuario",
            "Links": "Enlaces",
            "Help": "Ayuda",
            "Change Password": "Cambiar Clave",
            "Invite": "Invitar",
            "First sign-in sent": "Revise su correo de facturación electrónica",
            "First sign-in password": "Elija su clave",
        },
        "signed out menu": ["Home", "Login", "Register", "Reset Password"],
        "signed in menu": [
            "Home",
            "Account(s)",
            "Details",
            "Account Settings",
            "User Profile",
            "Links",
            "Help",
        ],
        "subject": "¡ACCIÓN REQUERIDA! Confirme Su Registro en PHX Pay Online",
        "Your session is about to end": "Su sesión está por terminar",
        "Stay signed in": "Seguir conectado(a)",
    },
}

_serial = itertools.count(1)


# --- languages ------------------------------------------------------------------------------------


def _note_untranslated(lang: str, msgid: str) -> None:
    entry = f"{lang}: {msgid!r}"
    if entry not in UNTRANSLATED:
        UNTRANSLATED.append(entry)


def _shown(lang: str, value) -> str:
    if isinstance(value, Untranslated):
        with translation.override(lang):
            shown = translation.gettext(value.msgid)
        if shown == value.msgid:
            _note_untranslated(lang, value.msgid)
        return shown
    return value


def ui(lang: str, key: str) -> str:
    """A label as the page shows it in `lang`."""
    return _shown(lang, UI[lang][key])


def heading(lang: str, page_name: str) -> str:
    """The <h1> of a page, by the English name of its menu item."""
    return _shown(lang, UI[lang]["h1"][page_name])


def text(lang: str, message) -> str:
    """A message constant as shown in `lang`; a Spanish one the catalogue lacks is reported."""
    with translation.override(lang):
        shown = str(message)
    if lang != "en":
        with translation.override("en"):
            english = str(message)
        if shown == english:
            _note_untranslated(lang, english)
    return shown


def message_prefix(lang: str, message) -> str:
    """The words of a %-formatted message before its first placeholder (they do not vary)."""
    return re.split(r"%\(\w+\)", text(lang, message), maxsplit=1)[0].strip()


# --- people -----------------------------------------------------------------------------------------


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


# --- finding things ---------------------------------------------------------------------------------


def field(page: Page, lang: str, label: str):
    """The input whose <label> reads exactly `label` (with the required marker around it, if any)."""
    shown, required = re.escape(ui(lang, label)), re.escape(ui(lang, "required"))
    return page.get_by_role("main").get_by_label(
        re.compile(rf"^(\*\s*)?{shown}(\s*\({required}\))?$")
    )


def button(page: Page, lang: str, name: str):
    return page.get_by_role("main").get_by_role("button", name=ui(lang, name), exact=True)


def menu(page: Page, lang: str):
    return page.get_by_role("navigation", name=ui(lang, "Main menu"))


def menu_link(page: Page, lang: str, name: str):
    return menu(page, lang).get_by_role("link", name=ui(lang, name), exact=True)


def error_summary(page: Page, lang: str):
    summary_heading = page.get_by_role("heading", name=ui(lang, "Please correct the following:"))
    return page.locator(".phx-error-summary").filter(has=summary_heading)


def expect_heading(page: Page, lang: str, page_name: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(heading(lang, page_name))


def expect_notice(page: Page, shown: str, role: str = "status") -> None:
    """A flash message or notice, announced to screen readers with `role`."""
    expect(page.get_by_role(role).filter(has_text=shown)).to_be_visible()


# --- moving between pages (each new page is checked with axe) -------------------------------------


def visit(page: Page, path: str) -> None:
    page.goto(path)
    check_a11y(page)


def navigate(page: Page, action) -> None:
    """Do `action` (a click, a key press) that opens another page; wait for it and check it."""
    with page.expect_event("load"):
        action()
    check_a11y(page)


def follow(page: Page, locator) -> None:
    navigate(page, locator.click)


def post_with(page: Page, submit_button) -> None:
    """Click a form's submit button; a refused POST fails here, saying why, not 10 s later."""
    with (
        page.expect_event("load"),
        page.expect_response(
            lambda r: r.request.method == "POST" and r.request.resource_type == "document"
        ) as posted,
    ):
        submit_button.click()
    response = posted.value
    assert response.status != 403, (
        f"POST {response.url} was refused with 403 (CSRF?); the browser sent "
        f"Origin: {response.request.header_value('origin')!r}, "
        f"Referer: {response.request.header_value('referer')!r}"
    )
    check_a11y(page)


def submit(page: Page, lang: str, name: str) -> None:
    post_with(page, button(page, lang, name))


def open_menu_item(page: Page, lang: str, name: str) -> None:
    follow(page, menu_link(page, lang, name))


# --- the signed-in / signed-out header ---------------------------------------------------------------


def expect_signed_out_menu(page: Page, lang: str) -> None:
    expect(menu(page, lang).get_by_role("link")).to_have_text(
        [ui(lang, name) for name in UI[lang]["signed out menu"]]
    )
    logout = page.get_by_role("banner").get_by_role("button", name=ui(lang, "Logout"))
    expect(logout).to_have_count(0)


def expect_signed_in(page: Page, lang: str, username: str) -> None:
    """The header greets the User Name (the guide's "Welcome wstestphx | Logout"), outside the menu."""
    header = page.get_by_role("banner")
    expect(header).to_contain_text(ui(lang, "Welcome").format(name=username))
    expect(menu(page, lang)).not_to_contain_text(username)
    expect(menu(page, lang).get_by_role("link")).to_have_text(
        [ui(lang, name) for name in UI[lang]["signed in menu"]]
    )


# --- registration and signing in ----------------------------------------------------------------------


def fill_registration(page: Page, lang: str, person: dict) -> None:
    field(page, lang, "User Name").fill(person["username"])
    field(page, lang, "First Name").fill(person["first_name"])
    field(page, lang, "Last Name").fill(person["last_name"])
    field(page, lang, "Email Address").fill(person["email"])
    field(page, lang, "Confirm Email Address").fill(person["email"])


def register(page: Page, lang: str, person: dict) -> None:
    """From the Home page: Register menu link, the form, and the ALMOST DONE notice."""
    visit(page, f"/{lang}/")
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
    visit(page, link)
    fill_confirmation(
        page, lang, username=person["username"], email=person["email"], password=password
    )
    expect(page).to_have_url(re.compile(rf"/{lang}/login/$"))
    expect_notice(page, text(lang, messages.CONFIRMED_GET_STARTED))


def sign_in(page: Page, lang: str, username: str, password: str) -> None:
    field(page, lang, "User Name").fill(username)
    field(page, lang, "Password").fill(password)
    submit(page, lang, "Sign In")


def sign_in_from_login_page(page: Page, lang: str, username: str, password: str) -> None:
    visit(page, f"/{lang}/login/")
    sign_in(page, lang, username, password)


def sign_out(page: Page, lang: str) -> None:
    post_with(page, page.get_by_role("banner").get_by_role("button", name=ui(lang, "Logout")))
    expect_notice(page, text(lang, messages.LOGGED_OUT))
    expect_signed_out_menu(page, lang)
