"""Enrolling a billing account with its 10-digit number and the holder's 4-digit PIN."""

import pytest

from enrollment import messages
from enrollment.models import Enrollment
from tests.conftest import url
from tests.factories import DEFAULT_PIN, BillingAccountFactory, EnrollmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def enroll(client, number, pin=DEFAULT_PIN, lang="en", capture=None):
    return client.post(url(lang, "enrollment:enroll"), {"account_number": number, "pin": pin})


def test_enroll_form_has_the_seed_labels(signed_in_client):
    html = signed_in_client.get(url("en", "enrollment:enroll")).content.decode()
    assert "Account Number" in html and "Security PIN" in html
    assert ">Enroll</button>" in html


def test_accounts_page_offers_enroll(signed_in_client):
    html = signed_in_client.get(url("en", "enrollment:accounts")).content.decode()
    assert f'href="{url("en", "enrollment:enroll")}"' in html


def test_right_pin_enrolls_and_the_account_shows_at_once(signed_in_client, user):
    account = BillingAccountFactory(
        account_number="1234567890", service_address="200 W Washington St"
    )
    response = enroll(signed_in_client, "1234567890")
    assert response.status_code == 302
    assert response["Location"] == url("en", "enrollment:accounts")
    page = signed_in_client.get(response["Location"]).content.decode()
    assert (messages.ENROLLED % {"account": "1234567890"}) in page
    assert "200 W Washington St" in page and "Account holder" in page
    assert Enrollment.objects.filter(user=user, account=account, role="holder").exists()


@pytest.mark.parametrize("typed", ["123-456-7890", "123 456 7890", " 1234567890 ", "12-3456-78 90"])
def test_spaces_and_dashes_in_the_number_are_ignored(signed_in_client, user, typed):
    BillingAccountFactory(account_number="1234567890")
    assert enroll(signed_in_client, typed).status_code == 302
    assert user.enrollments.count() == 1


@pytest.mark.parametrize("typed", ["123456789", "12345678901", "12345abcde", ""])
def test_account_number_must_be_10_digits(signed_in_client, user, typed):
    response = enroll(signed_in_client, typed)
    assert response.status_code == 200
    html = response.content.decode()
    assert str(messages.ACCOUNT_NUMBER_FORMAT) in html
    assert 'id="id_account_number_error"' in html
    assert not user.enrollments.exists()


@pytest.mark.parametrize("pin", ["123", "12345", "12a4", ""])
def test_pin_must_be_4_digits(signed_in_client, user, pin):
    BillingAccountFactory(account_number="1234567890")
    response = enroll(signed_in_client, "1234567890", pin=pin)
    assert response.status_code == 200
    assert str(messages.PIN_FORMAT) in response.content.decode()
    assert not user.enrollments.exists()


def test_wrong_pin_and_unknown_number_get_the_same_message(signed_in_client):
    from enrollment.models import PinFailure

    BillingAccountFactory(account_number="1234567890")
    wrong_pin = enroll(signed_in_client, "1234567890", pin="5822")
    PinFailure.objects.all().delete()  # else the second try asks for the service address too
    unknown = enroll(signed_in_client, "9999999999")
    assert wrong_pin.status_code == unknown.status_code == 200
    assert str(messages.NO_MATCH) in wrong_pin.content.decode()
    assert str(messages.NO_MATCH) in unknown.content.decode()


def test_spanish_errors(signed_in_client):
    from django.utils import translation

    response = enroll(signed_in_client, "9999999999", lang="es")
    with translation.override("es"):
        expected = str(messages.NO_MATCH)
    assert expected != "The account number and PIN do not match our records."
    assert expected in response.content.decode()


def test_enrolling_an_account_already_in_the_list_says_so(signed_in_client, user):
    account = BillingAccountFactory(account_number="1234567890")
    EnrollmentFactory(user=user, account=account)
    response = enroll(signed_in_client, "1234567890")
    page = signed_in_client.get(response["Location"]).content.decode()
    assert (messages.ALREADY_ENROLLED % {"account": "1234567890"}) in page
    assert Enrollment.objects.filter(user=user, account=account).count() == 1


def test_the_database_refuses_a_duplicate_enrollment(user):
    from django.db import IntegrityError

    account = BillingAccountFactory()
    EnrollmentFactory(user=user, account=account)
    with pytest.raises(IntegrityError):
        Enrollment.objects.create(user=user, account=account)


def test_several_users_may_enroll_one_account(client):
    account = BillingAccountFactory(account_number="1234567890")
    for name in ("firstUser", "secondUser"):
        client.force_login(UserFactory(username=name))
        assert enroll(client, "1234567890").status_code == 302
    assert account.enrollments.count() == 2


def test_enrolled_notice_goes_to_the_ebill_email_in_its_users_language(
    signed_in_client, mailoutbox, django_capture_on_commit_callbacks
):
    UserFactory(username="holderLady", email="holder@example.com", preferred_language="es")
    BillingAccountFactory(account_number="1234567890", ebill_email="holder@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        enroll(signed_in_client, "1234567890")
    (message,) = [m for m in mailoutbox if m.to == ["holder@example.com"]]
    assert message.from_email == "PHX Pay Online <PHXwelcome@phoenix.gov>"
    assert "7890" in message.subject and "PHX Pay Online" in message.subject
    assert "1234567890" not in message.body  # only the last 4 digits
    assert message.extra_headers["Content-Language"] == "es"


def test_enrolled_notice_is_bilingual_when_the_language_is_unknown(
    signed_in_client, mailoutbox, django_capture_on_commit_callbacks, user
):
    BillingAccountFactory(account_number="1234567890", ebill_email="unknown.holder@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        enroll(signed_in_client, "1234567890")
    (message,) = [m for m in mailoutbox if m.to == ["unknown.holder@example.com"]]
    assert " / " in message.subject
    assert user.username in message.body
    assert message.extra_headers["Content-Language"] == "en, es"
    html = message.alternatives[0][0]
    assert 'lang="en"' in html and 'lang="es"' in html


def test_no_holder_notice_without_an_ebill_email_but_the_user_is_told(
    signed_in_client, mailoutbox, django_capture_on_commit_callbacks, user
):
    BillingAccountFactory(account_number="1234567890", ebill_email="")
    with django_capture_on_commit_callbacks(execute=True):
        enroll(signed_in_client, "1234567890")
    (message,) = mailoutbox
    assert message.to == [user.email]
    assert "7890" in message.subject and "added to your list" in message.subject


def test_enroll_requires_login(client):
    response = client.get(url("en", "enrollment:enroll"))
    assert response.status_code == 302
