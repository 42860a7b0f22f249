"""The Spanish portal speaks the City's guide: its words (Clave, Registrar, Ingrese…), including in
Django's own messages and the admin's third-party apps (phxpay/translations.py)."""

import re

import pytest
from django.apps import apps
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, ngettext

from accounts import messages
from accounts.models import User
from phxpay import translations
from tests.conftest import (
    confirmation_form_url,
    confirmation_link,
    link_path,
    open_link,
    staff_signed_in,
)
from tests.factories import DEFAULT_PASSWORD, EnrollmentFactory, UserFactory

pytestmark = pytest.mark.django_db

SEED_MISMATCH = "Información provisto en el formulario no coincide con nuestros registros."


def es(name: str, **kwargs) -> str:
    with translation.override("es"):
        return reverse(name, kwargs=kwargs or None)


def spanish(text) -> str:
    with translation.override("es"):
        return str(text)


# --- the wording fixes of issue 11, message by message -------------------------------------------


@pytest.mark.parametrize(
    "msgid,expected",
    [
        ("Enter a valid email address.", "Ingrese un correo electrónico válido."),
        ("View only: sees Details", "Solo ver: puede ver los Detalles"),
        ("Show PIN", "Mostrar PIN"),
        ("Hide PIN", "Ocultar PIN"),
        ("Show password", "Mostrar clave"),
        ("Your password has been changed.", "Se cambió su clave."),
        # The menu item reads as the guide's "Haga clic en Registrar del menú", like the button.
        ("Register", "Registrar"),
        ("The two password fields didn’t match.", "Las dos claves no coinciden."),
    ],
)
def test_spanish_wording(msgid, expected):
    with translation.override("es"):
        assert gettext(msgid) == expected


def test_the_seeds_mismatch_error_keeps_the_seeds_words():
    # The guide quotes it as the error of step 2 (confirming the registration), and Help names it.
    assert spanish(messages.CONFIRMATION_MISMATCH) == SEED_MISMATCH
    with translation.override("es"):
        heading = gettext("Information provided in the form does not match our records")
    assert heading == SEED_MISMATCH.removesuffix(".")


def test_password_reset_done_says_se_cambio_su_clave():
    text = spanish(messages.PASSWORD_RESET_DONE)
    assert text.startswith("Se cambió su clave.")
    assert "ha sido cambiada" not in text


def test_email_in_use_tells_new_customers_to_register(register, user):
    """The seed's "NEW CUSTOMERS: 1.Register" reads "CLIENTES NUEVOS: 1. Regístrese"."""
    with translation.override("es"):
        step = gettext(
            '<a href="%(register_url)s">Register</a> (with the User Name and Email Address exactly '
            "as before, if you registered this address yourself and did not confirm it)."
        )
    assert step.startswith('<a href="%(register_url)s">Regístrese</a> (')

    response = register(lang="es", username="otherName", email=user.email)
    html = response.content.decode()
    assert f"Correo electrónico {user.email} ya está en uso con otra cuenta." in html
    new_customers = html.split("CLIENTES NUEVOS", 1)[1]
    first_step = re.search(r"<li>\s*<a href=\"[^\"]+\">([^<]+)</a>", new_customers)
    assert first_step and first_step.group(1) == "Regístrese"
    assert "Registrarse</a> (" not in html


def test_invalid_email_in_spanish(register):
    response = register(lang="es", email="not-an-email", confirm_email="not-an-email")
    html = response.content.decode()
    assert "Ingrese un correo electrónico válido." in html
    assert "Introduzca" not in html


def test_menu_register_item_reads_registrar(client):
    html = client.get(es("home")).content.decode()
    link = re.search(rf'href="{es("accounts:register")}"[^>]*><span>([^<]+)</span>', html)
    assert link and link.group(1) == "Registrar"
    assert "Registrarse</span>" not in html


def test_pin_field_toggle_says_pin_and_password_fields_say_clave(client, user):
    login = client.get(es("accounts:login")).content.decode()
    assert 'data-show-text="Mostrar clave" data-hide-text="Ocultar clave">Mostrar clave<' in login

    client.force_login(user)
    enroll = client.get(es("enrollment:enroll")).content.decode()
    pin_toggle = re.search(r'<button[^>]*aria-controls="id_pin"[^>]*>([^<]+)</button>', enroll)
    assert pin_toggle, enroll
    assert pin_toggle.group(1) == "Mostrar PIN"
    assert 'data-hide-text="Ocultar PIN"' in pin_toggle.group(0)
    assert "Mostrar clave" not in enroll


def test_invite_access_level_reads_puede_ver(client):
    holder = EnrollmentFactory()
    client.force_login(holder.user)
    html = client.get(es("enrollment:invite", account_id=holder.account_id)).content.decode()
    assert "Solo ver: puede ver los Detalles" in html
    assert "ve los Detalles" not in html.replace("puede ver los Detalles", "")


def test_seeds_mismatch_error_on_the_confirmation_page(client, register, mailoutbox):
    register(lang="es")
    link = link_path(confirmation_link(mailoutbox[-1]))
    open_link(client, link)
    response = client.post(
        confirmation_form_url(link),
        {
            "username": "testwilliamsample",
            "email": "wstestphx10@gmail.com",
            "password1": DEFAULT_PASSWORD,
            "password2": DEFAULT_PASSWORD,
        },
    )
    assert SEED_MISMATCH in response.content.decode()


# --- Django's password validators and auth messages: "clave", never "contraseña" -----------------


@pytest.mark.parametrize(
    "password,expected",
    [
        ("Sag", "Esta clave es demasiado corta. Debe contener al menos 8 caracteres."),
        ("password123", "Esta clave es demasiado común."),
        ("phxSaguaro77", "La clave se parece demasiado a su Nombre de Usuario."),
        ("x" * 129, "Esta clave es demasiado larga. Debe contener como máximo 128 caracteres."),
    ],
)
def test_password_validators_speak_of_clave(password, expected):
    user = User(username="phxSaguaro77", first_name="William", last_name="Sample")
    with translation.override("es"), pytest.raises(ValidationError) as raised:
        password_validation.validate_password(password, user)
    assert expected in raised.value.messages
    assert not any("contraseña" in message for message in raised.value.messages)


def test_password_validator_messages_and_help_texts_in_spanish():
    with translation.override("es"):
        texts = [
            gettext("This password is too common."),
            gettext("This password is entirely numeric."),
            gettext("The password is too similar to the %(verbose_name)s."),
            gettext("Your password can’t be entirely numeric."),
            ngettext(
                "This password is too short. It must contain at least %d character.",
                "This password is too short. It must contain at least %d characters.",
                8,
            ),
            *password_validation.password_validators_help_texts(),
        ]
    assert texts[:4] == [
        "Esta clave es demasiado común.",
        "Esta clave contiene solo números.",
        "La clave se parece demasiado a su %(verbose_name)s.",
        "Su clave no puede contener solo números.",
    ]
    for text in texts:
        assert "clave" in text.lower()
        assert "contraseña" not in text.lower()


def test_change_password_page_in_spanish(client, user):
    client.force_login(user)
    page = es("accounts:password_change")
    common = {"old_password": DEFAULT_PASSWORD, "new_password1": "password123"}
    refused = client.post(page, {**common, "new_password2": "password123"}).content.decode()
    assert "Esta clave es demasiado común." in refused
    assert "contraseña" not in refused

    changed = client.post(
        page,
        {
            "old_password": DEFAULT_PASSWORD,
            "new_password1": "Monsoon-Ocotillo-Dusk-58",
            "new_password2": "Monsoon-Ocotillo-Dusk-58",
        },
        follow=True,
    )
    assert "Se cambió su clave." in changed.content.decode()


# --- the Spanish admin: third-party apps too -----------------------------------------------------


@pytest.fixture
def superuser_client(client):
    staff_signed_in(client, UserFactory(is_staff=True, is_superuser=True))
    return client


ADMIN_ENGLISH = [
    ">Axes<",
    "Access attempt",
    "Access failure",
    "Access log",
    "Tasks Database Backend",
    "Task Result",
    "contraseña",
]


def test_admin_index_names_third_party_apps_in_spanish(superuser_client):
    html = superuser_client.get(es("admin:index")).content.decode()
    for spanish_name in [
        "Intentos de inicio de sesión",
        "Intentos de acceso",
        "Accesos fallidos",
        "Bitácoras de acceso",
        "Tareas en segundo plano",
        "Resultados de tareas",
    ]:
        assert spanish_name in html
    for english in ADMIN_ENGLISH:
        assert english.lower() not in html.lower(), english


def test_admin_axes_and_tasks_lists_in_spanish(superuser_client):
    from axes.models import AccessAttempt

    AccessAttempt.objects.create(
        username="phxUser",
        ip_address="192.0.2.7",
        user_agent="Firefox",
        get_data="",
        post_data="",
        failures_since_start=3,
        http_accept="*/*",
        path_info="/es/login/",
    )
    attempts = superuser_client.get(es("admin:axes_accessattempt_changelist")).content.decode()
    for label in [
        "Fecha y hora del intento",
        "Dirección IP",
        "Agente de usuario",
        "Ruta",
        "Inicios de sesión fallidos",
        "intento(s) restante(s)",
        "Eliminar los intentos vencidos",
    ]:
        assert label in attempts
    for english in ["Attempt Time", "User Agent", "Failed Logins", "Attempt Remaining"]:
        assert english not in attempts

    tasks = superuser_client.get(
        es("admin:django_tasks_database_dbtaskresult_changelist")
    ).content.decode()
    for label in [
        "Lista",
        "En ejecución",
        "Fallida",
        "Completada",
        "prioridad",
        "nombre de la cola",
    ]:
        assert label in tasks
    for english in [">Ready<", ">Running<", ">Successful<", "queue name"]:
        assert english not in tasks


def test_admin_password_pages_say_clave(superuser_client):
    own = superuser_client.get(es("admin:password_change")).content.decode()
    assert "Cambio de clave" in own and "Clave anterior" in own
    user = UserFactory()
    other = superuser_client.get(es("admin:auth_user_password_change", id=user.pk)).content.decode()
    assert "Ingrese una nueva clave para el usuario" in other
    change = superuser_client.get(es("admin:accounts_user_change", object_id=user.pk))
    assert "Restablecer clave" in change.content.decode()
    for html in (own, other, change.content.decode()):
        assert "contraseña" not in html.lower()


def test_every_listed_msgid_has_spanish():
    listed = [
        *translations.DJANGO_FORMS,
        *translations.DJANGO_PASSWORD_VALIDATORS,
        *translations.DJANGO_AUTH,
        *translations.AXES,
        *translations.DJANGO_TASKS,
    ]
    plain = [msgid for msgid in listed if isinstance(msgid, str)]
    with translation.override("es"):
        untranslated = [msgid for msgid in plain if gettext(msgid) == msgid]
        assert not untranslated
        assert apps.get_app_config("axes").verbose_name == "Intentos de inicio de sesión"
        assert apps.get_app_config("django_tasks_database").verbose_name == (
            "Tareas en segundo plano"
        )
