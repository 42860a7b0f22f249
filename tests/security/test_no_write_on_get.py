"""An ordinary signed-in page view writes nothing to the database (performance, and no state change
on a GET): Account(s), Details with bills and payments, a bill, the payment page, a receipt."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import EnrollmentFactory, UserFactory, monthly_bills, paid

pytestmark = pytest.mark.django_db

WRITES = ("INSERT", "UPDATE", "DELETE")


def test_signed_in_pages_write_nothing_on_get():
    user = UserFactory()
    enrollment = EnrollmentFactory(user=user)
    bills = monthly_bills(enrollment.account, 3)
    payment = paid(enrollment.account, user=user, amount="10.00")
    client = Client()
    client.force_login(user)
    pages = [
        reverse("enrollment:accounts"),
        reverse("enrollment:details", args=[enrollment.account_id]),
        reverse("billing:bill", args=[enrollment.account_id, bills[-1].pk]),
        reverse("payments:pay") + f"?account={enrollment.account_id}",
        reverse("payments:receipt", args=[payment.confirmation_number]),
        reverse("accounts:profile"),
    ]
    client.get(pages[0])  # the first request after sign-in may renew the session
    for page in pages:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page).status_code == 200, page
        writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(WRITES)]
        assert writes == [], (page, writes)
