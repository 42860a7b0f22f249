"""Help: one entry per documented error and per situation, reachable by anchor from its contents."""

import re

import pytest
from django.utils import translation

from tests.conftest import url

pytestmark = pytest.mark.django_db

# The seed's "Errores en el Registro" (five), and the situations customers ask about.
ENTRIES = [
    "error-email-in-use",
    "error-username-in-use",
    "error-confirmation-id",
    "error-mismatch",
    "error-user-details",
    "first-sign-in",
    "pin-wrong",
    "pin-paused",
    "pin-unknown",
    "invitations",
    "reset-password",
    "forgot-username",
    "sign-in-paused",
]


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_entry_is_in_the_contents_and_every_contents_link_lands(client, language):
    html = client.get(url(language, "help")).content.decode()
    ids = set(re.findall(r'id="([a-z0-9-]+)"', html))
    contents = re.findall(r'<a href="#([a-z0-9-]+)"', html)
    assert set(ENTRIES) <= set(contents)
    assert set(contents) <= ids, set(contents) - ids


def test_the_user_details_entry_says_whom_to_contact(client):
    from phxpay import contact

    html = client.get(url("es", "help")).content.decode()
    entry = html[html.index('id="error-user-details"') :][:800]
    assert contact.EMAIL in entry and contact.PHONE in entry
    with translation.override("es"):
        assert translation.gettext("User Details not updated") in html


def test_help_quotes_the_limits_the_settings_decide(client, settings):
    settings.PIN_ACCOUNT_FAILURE_LIMIT = 7
    html = client.get(url("en", "help")).content.decode()
    entry = html[html.index('id="pin-wrong"') :][:600]
    assert "After 7 incorrect PINs" in entry
