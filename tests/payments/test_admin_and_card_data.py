"""Payments in the admin (find, view, refund by administrators only), and no card number anywhere."""

import logging
import uuid

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from accounts import roles
from payments.models import DummyCharge, Payment, Status
from phxpay.models import AuditEvent
from tests.conftest import staff_signed_in
from tests.factories import BillingAccountFactory, EnrollmentFactory, UserFactory, paid

pytestmark = pytest.mark.django_db

CARD = "4111111111111111"


def staff_in(role: str) -> Client:
    user = UserFactory(is_staff=True)
    user.groups.set([Group.objects.get(name=role)])
    return staff_signed_in(Client(), user)


@pytest.fixture
def payment():
    return paid(BillingAccountFactory(account_number="4012345678"), user=UserFactory())


@pytest.mark.parametrize("how", ["confirmation", "account", "reference"])
def test_support_finds_a_payment_three_ways(payment, how):
    paid(BillingAccountFactory())
    term = {
        "confirmation": payment.confirmation_number,
        "account": "4012345678",
        "reference": payment.processor_reference,
    }[how]
    found = staff_in(roles.SUPPORT).get(reverse("admin:payments_payment_changelist"), {"q": term})
    assert list(found.context["cl"].result_list) == [payment]


def test_support_views_but_cannot_refund(payment):
    client = staff_in(roles.SUPPORT)
    page = client.get(reverse("admin:payments_payment_change", args=[payment.pk]))
    assert page.status_code == 200 and payment.confirmation_number in page.content.decode()
    client.post(
        reverse("admin:payments_payment_changelist"),
        {"action": "refund", "_selected_action": [payment.pk]},
    )
    assert Payment.objects.get(pk=payment.pk).status == Status.APPROVED


def test_an_administrator_refunds_through_the_processor_and_it_is_audited(payment):
    client = staff_in(roles.ADMINISTRATOR)
    client.post(
        reverse("admin:payments_payment_changelist"),
        {"action": "refund", "_selected_action": [payment.pk]},
    )
    payment.refresh_from_db()
    assert payment.status == Status.REFUNDED and payment.refunded_amount == payment.total
    charge = DummyCharge.objects.get(reference=payment.processor_reference)
    assert charge.refunded == payment.total
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.PAYMENT_REFUNDED).exists()


def test_nobody_edits_a_payment_in_the_admin(payment):
    client = staff_in(roles.ADMINISTRATOR)
    client.post(reverse("admin:payments_payment_change", args=[payment.pk]), {"total": "1.00"})
    assert Payment.objects.get(pk=payment.pk).total == payment.total
    assert client.get(reverse("admin:payments_payment_add")).status_code == 403


def test_no_card_number_is_kept_in_the_database_logs_or_emails(caplog, mailoutbox, mailing):
    caplog.set_level(logging.DEBUG)
    enrollment = EnrollmentFactory(user=UserFactory(email="payer@example.com"))
    client = Client()
    client.force_login(enrollment.user)
    account = enrollment.account
    started = client.post(
        reverse("payments:pay"),
        {"account": account.pk, f"amount_{account.pk}": "84.17", "key": str(uuid.uuid4())},
    )
    with mailing():
        client.post(started["Location"], {"decision": "approve", "card_number": CARD})
    assert Payment.objects.get().status == Status.APPROVED
    stored = "".join(
        str(list(model.objects.values())) for model in apps.get_models() if model._meta.managed
    )
    assert CARD not in stored
    assert CARD not in caplog.text
    assert mailoutbox and all(
        CARD not in m.body and CARD not in str(m.alternatives) for m in mailoutbox
    )
    receipt = client.get(
        reverse("payments:receipt", args=[Payment.objects.get().confirmation_number])
    )
    assert CARD not in receipt.content.decode()
