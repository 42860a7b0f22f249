"""User Profile: names, preferred language, password change; and the language switcher."""

import pytest
from django.test import Client

from accounts import messages
from tests.conftest import url
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

NEW = "Papago-Buttes-Trail-31"


def test_profile_updates_names_and_language(signed_in_client, user):
    response = signed_in_client.post(
        url("en", "accounts:profile"),
        {"first_name": "Guillermo", "last_name": "Muestra", "preferred_language": "es"},
    )
    assert response.status_code == 302
    assert response["Location"] == url("es", "accounts:profile")
    user.refresh_from_db()
    assert (user.first_name, user.last_name, user.preferred_language) == (
        "Guillermo",
        "Muestra",
        "es",
    )


def test_profile_rejects_an_unknown_language(signed_in_client, user):
    response = signed_in_client.post(
        url("en", "accounts:profile"),
        {"first_name": "A", "last_name": "B", "preferred_language": "fr"},
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.preferred_language == "en"


def test_password_change_needs_the_current_password(signed_in_client, user):
    response = signed_in_client.post(
        url("en", "accounts:password_change"),
        {"old_password": "wrong", "new_password1": NEW, "new_password2": NEW},
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)


def test_password_change_keeps_this_session_and_ends_the_others(signed_in_client, user):
    other = Client()
    other.force_login(user)
    response = signed_in_client.post(
        url("en", "accounts:password_change"),
        {"old_password": DEFAULT_PASSWORD, "new_password1": NEW, "new_password2": NEW},
    )
    assert response.status_code == 302
    page = signed_in_client.get(response["Location"])
    assert page.status_code == 200
    assert str(messages.PASSWORD_CHANGED) in page.content.decode()
    assert other.get(url("en", "accounts:profile")).status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW)


def test_language_switch_keeps_the_page_and_saves_the_preference(signed_in_client, user):
    response = signed_in_client.post(
        "/i18n/setlang/", {"language": "es", "next": url("en", "accounts:profile")}
    )
    assert response.status_code == 302
    assert response["Location"] == url("es", "accounts:profile")
    user.refresh_from_db()
    assert user.preferred_language == "es"


def test_language_switch_signed_out_changes_only_the_page(client):
    response = client.post(
        "/i18n/setlang/", {"language": "es", "next": url("en", "accounts:register")}
    )
    assert response["Location"] == url("es", "accounts:register")


def test_language_switch_is_post_only(client):
    assert client.get("/i18n/setlang/?language=es").status_code == 405


def test_every_page_has_the_switcher_and_right_lang(client):
    for lang in ("en", "es"):
        html = client.get(url(lang, "accounts:register")).content.decode()
        assert f'<html lang="{lang}">' in html
        assert 'lang="en"' in html and 'lang="es"' in html
        assert ">English</button>" in html and ">Español</button>" in html
        assert 'hreflang="es"' in html and 'hreflang="en"' in html
