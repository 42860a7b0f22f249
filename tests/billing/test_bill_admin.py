"""Bills in the staff admin: support agents find them by account number and change nothing."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from accounts import roles
from billing.models import Bill
from tests.conftest import staff_signed_in
from tests.factories import BillFactory, BillingAccountFactory, BillLineFactory, UserFactory

pytestmark = pytest.mark.django_db


def staff_in(role: str) -> Client:
    user = UserFactory(is_staff=True)
    user.groups.set([Group.objects.get(name=role)])
    return staff_signed_in(Client(), user)


def test_support_finds_a_bill_by_account_number_and_sees_its_lines():
    bill = BillFactory(account=BillingAccountFactory(account_number="4055555555"))
    BillLineFactory(bill=bill, description="Water charge", amount="84.17")
    BillFactory()
    client = staff_in(roles.SUPPORT)
    found = client.get(reverse("admin:billing_bill_changelist"), {"q": "4055555555"})
    assert list(found.context["cl"].result_list) == [bill]
    page = client.get(reverse("admin:billing_bill_change", args=[bill.pk])).content.decode()
    assert "Water charge" in page and "84.17" in page


@pytest.mark.parametrize("role", [roles.SUPPORT, roles.ADMINISTRATOR])
def test_nobody_edits_or_deletes_a_bill_in_the_admin(role):
    bill = BillFactory()
    client = staff_in(role)
    change = reverse("admin:billing_bill_change", args=[bill.pk])
    client.post(change, {"amount_due": "0.00"})
    assert Bill.objects.get(pk=bill.pk).amount_due == bill.amount_due
    assert client.get(reverse("admin:billing_bill_add")).status_code == 403
    assert client.post(reverse("admin:billing_bill_delete", args=[bill.pk])).status_code == 403
    assert Bill.objects.filter(pk=bill.pk).exists()
