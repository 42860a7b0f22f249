"""Signing in keeps the language of the page; a user who never chose one adopts it."""

import pytest
from django.utils import translation

from accounts import messages
from accounts.models import User
from tests.conftest import url
from tests.factories import DEFAULT_PASSWORD, PrecreatedUserFactory, UserFactory

pytestmark = pytest.mark.django_db


def sign_in(client, language, user):
    return client.post(
        url(language, "accounts:login"), {"username": user.username, "password": DEFAULT_PASSWORD}
    )


def test_signing_in_on_a_spanish_page_stays_in_spanish(client):
    user = UserFactory(preferred_language="en")
    response = sign_in(client, "es", user)
    assert response.status_code == 302
    assert response["Location"] == url("es", "enrollment:accounts")
    page = client.get(response["Location"])
    assert '<html lang="es">' in page.content.decode()
    # Their choice of English for emails stands.
    assert User.objects.get(pk=user.pk).preferred_language == "en"


def test_a_user_who_never_chose_a_language_adopts_the_sign_in_language(client):
    user = PrecreatedUserFactory()
    user.set_password(DEFAULT_PASSWORD)
    user.must_change_password = False
    user.save()
    assert (user.preferred_language, user.language_chosen) == ("en", False)
    sign_in(client, "es", user)
    user.refresh_from_db()
    assert (user.preferred_language, user.language_chosen) == ("es", True)
    # Chosen once: a later sign-in in English does not change it.
    client.post(url("es", "accounts:logout"))
    sign_in(client, "en", user)
    user.refresh_from_db()
    assert user.preferred_language == "es"


def test_choosing_a_language_in_user_profile_shows_the_page_and_its_message_in_it(
    signed_in_client, user
):
    response = signed_in_client.post(
        url("es", "accounts:profile"),
        {"first_name": "Rosa", "last_name": "Valdez", "preferred_language": "en"},
        follow=True,
    )
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == url("en", "accounts:profile")
    assert '<html lang="en">' in html
    assert str(messages.PROFILE_UPDATED) in html  # English, as the page
    with translation.override("es"):
        assert str(messages.PROFILE_UPDATED) not in html
    user.refresh_from_db()
    assert (user.preferred_language, user.language_chosen, user.first_name) == ("en", True, "Rosa")
