"""Errors a customer can act on: all at once, each linked to its Help entry, with what is left."""

import pytest
from django.utils import translation

from accounts import messages
from accounts.models import User
from phxpay.help import HELP_FOR_ERROR
from tests.accounts.test_confirmation import submit
from tests.conftest import url
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_registration_reports_every_problem_at_once(register, mailoutbox):
    UserFactory(username="testWilliamSample", email="someone@example.com")
    UserFactory(username="someoneElse", email="wstestphx10@gmail.com")
    response = register(confirm_email="typo@gmail.com")
    form = response.context["form"]
    assert set(form.errors) == {"username", "email", "confirm_email"}
    assert [e.code for e in form.errors.as_data()["username"]] == ["username_in_use"]
    assert [e.code for e in form.errors.as_data()["email"]] == ["email_in_use"]
    assert mailoutbox == [] and User.objects.count() == 2


def test_each_registration_error_links_to_its_own_help_entry(register):
    UserFactory(username="testWilliamSample", email="someone@example.com")
    UserFactory(username="someoneElse", email="wstestphx10@gmail.com")
    html = register().content.decode()
    help_url = url("en", "help")
    assert f'href="{help_url}#error-username-in-use"' in html
    assert f'href="{help_url}#error-email-in-use"' in html


def test_the_email_in_use_guidance_is_in_spanish_on_the_spanish_page(register):
    UserFactory(username="someoneElse", email="wstestphx10@gmail.com")
    html = register(lang="es").content.decode()
    with translation.override("es"):
        expected = translation.gettext("NEW CUSTOMERS")
        assert expected != "NEW CUSTOMERS"
    assert expected in html and html.count(expected) == 1


def test_check_your_email_names_the_address_and_says_old_links_stop(register, client):
    register()
    html = client.get(url("en", "accounts:register_done")).content.decode()
    assert str(messages.REGISTRATION_SENT_TO % {"email": "wstestphx10@gmail.com"}) in html
    assert "earlier links stop working" in html


def test_a_step_2_mismatch_says_how_many_tries_the_link_has_left(client, register, mailoutbox):
    from tests.conftest import confirmation_link

    register()
    link = confirmation_link(mailoutbox[0])
    first = submit(client, link, username="wrongName").content.decode()
    assert str(messages.CONFIRMATION_TRIES_LEFT % {"tries": 4}) in first
    for _ in range(2):
        submit(client, link, username="wrongName")
    last = submit(client, link, username="wrongName").content.decode()
    assert str(messages.CONFIRMATION_TRIES_LEFT % {"tries": 1}) in last
    assert "1 more time with this link" in last
    assert f"{url('en', 'help')}#error-mismatch" in last


def test_every_error_code_points_at_an_entry_the_help_page_has(client):
    html = client.get(url("en", "help")).content.decode()
    for code, anchor in HELP_FOR_ERROR.items():
        assert f'id="{anchor}"' in html, code
