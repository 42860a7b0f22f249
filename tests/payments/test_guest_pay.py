"""Pay without signing in: the account number, ZIP code and house number; nothing more shown."""

import uuid

import pytest
from django.test import Client
from django.urls import reverse

from payments import messages
from payments.models import Payment, Status
from tests.factories import BillingAccountFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def account():
    return BillingAccountFactory(
        account_number="4012345678",
        service_address="1423 E Roosevelt St",
        service_zip="85006",
        first_name="Guadalupe",
        last_name="Montoya",
        balance="84.17",
    )


def look_up(client, number="4012345678", zip_code="85006", house="1423"):
    return client.post(
        reverse("payments:guest_start"),
        {"account_number": number, "service_zip": zip_code, "house_number": house},
    )


def test_a_match_shows_only_the_amount_due_and_the_last_four_digits(account):
    client = Client()
    response = look_up(client, number="401-234-5678")
    assert response["Location"] == reverse("payments:guest_pay")
    page = client.get(reverse("payments:guest_pay")).content.decode()
    assert "Account ending 5678" in page and "$84.17" in page
    for secret in ("4012345678", "Roosevelt", "1423", "Guadalupe", "Montoya"):
        assert secret not in page, secret


@pytest.mark.parametrize(
    ("number", "zip_code", "house"),
    [
        ("4012345679", "85006", "1423"),
        ("4012345678", "85007", "1423"),
        ("4012345678", "85006", "1424"),
    ],
)
def test_every_non_match_gets_the_same_answer(account, number, zip_code, house):
    response = look_up(Client(), number, zip_code, house)
    assert response.status_code == 400
    assert str(messages.GUEST_NO_MATCH) in response.content.decode()
    assert "guest_pay_account" not in response.wsgi_request.session


def test_guessing_is_rate_limited_per_account_number(account, settings):
    client = Client()
    limit = int(settings.RATE_LIMITS["guest_pay"]["target"].split("/")[0])
    for house in range(limit):
        look_up(client, house=str(2000 + house), zip_code="85006")
    response = look_up(Client(REMOTE_ADDR="10.9.9.9"), house="1423")
    assert response.status_code == 429


def test_a_guest_pays_and_sees_the_receipt_in_this_browser_only(account, mailoutbox, mailing):
    client = Client()
    look_up(client)
    response = client.post(
        reverse("payments:guest_pay"),
        {"amount": "84.17", "email": "payer@example.com", "key": str(uuid.uuid4())},
    )
    payment = Payment.objects.get()
    assert payment.user is None and payment.receipt_email == "payer@example.com"
    with mailing():
        done = client.post(response["Location"], {"decision": "approve"})
    assert client.get(done["Location"]).status_code == 200
    assert Payment.objects.get().status == Status.APPROVED
    assert [m.to for m in mailoutbox] == [["payer@example.com"]]
    # Another browser with the confirmation number gets the sign-in page, not the receipt.
    assert Client().get(done["Location"]).status_code == 302


def test_the_payment_step_needs_a_match_first():
    response = Client().get(reverse("payments:guest_pay"))
    assert response["Location"] == reverse("payments:guest_start")


@pytest.mark.parametrize("amount", ["0", "abc", "100000"])
def test_a_guests_bad_amount_is_refused(account, amount):
    client = Client()
    look_up(client)
    response = client.post(
        reverse("payments:guest_pay"),
        {"amount": amount, "email": "payer@example.com", "key": str(uuid.uuid4())},
    )
    assert response.status_code == 400 and not Payment.objects.exists()
