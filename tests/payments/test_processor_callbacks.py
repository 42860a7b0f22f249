"""The processor's word is the only one that approves: callbacks verified, applied once, replay-safe;
lost callbacks found by reconcile_payments; races leave exactly one approval."""

import json
import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from payments.models import DummyCharge, Payment, ProcessorEvent, Status
from payments.processors import DummyProcessor, sign
from payments.services import payments_reconcile
from phxpay.models import AuditEvent, OutboundEmail
from tests.factories import BillingAccountFactory, UserFactory, paid

pytestmark = pytest.mark.django_db


def callback(body: bytes, signature: str | None = None):
    return Client().post(
        reverse("payment_callback"),
        body,
        content_type="application/json",
        headers={"X-Phx-Signature": sign(body) if signature is None else signature},
    )


@pytest.fixture
def waiting():
    return paid(BillingAccountFactory(), user=UserFactory(), status="pending")


def event(payment, status="approved", event_id="evt_1") -> bytes:
    return json.dumps(
        {"id": event_id, "reference": payment.processor_reference, "status": status}
    ).encode()


def test_a_signed_callback_approves_the_payment(waiting, mailing):
    with mailing():
        response = callback(event(waiting))
    assert response.status_code == 200
    waiting.refresh_from_db()
    assert waiting.status == Status.APPROVED and waiting.callbacks_received == 1


@pytest.mark.parametrize(
    "body_signature",
    [
        (b'{"id": "e", "reference": "r", "status": "approved"}', "0" * 64),
        (b"not json", None),
        (b'{"id": 1, "reference": [], "status": "approved"}', None),
        (b'{"reference": "x"}', None),
        (b'{"id": "e", "reference": "x", "status": "paid-in-full"}', None),
    ],
)
def test_a_callback_that_does_not_verify_is_a_400_and_changes_nothing(waiting, body_signature):
    body, signature = body_signature
    if b'"r"' in body:
        body = event(waiting)
    response = callback(body, signature)
    assert response.status_code == 400
    waiting.refresh_from_db()
    assert waiting.status == Status.PENDING and waiting.callbacks_received == 0


def test_a_callback_for_an_unknown_reference_is_refused():
    body = json.dumps({"id": "e", "reference": "dummy_nope", "status": "approved"}).encode()
    assert callback(body).status_code == 422


def test_the_callback_takes_only_posts():
    assert Client().get(reverse("payment_callback")).status_code == 405


def test_a_replayed_or_repeated_callback_sends_one_receipt(waiting, mailoutbox, mailing):
    with mailing():
        callback(event(waiting, event_id="evt_1"))
        callback(event(waiting, event_id="evt_1"))  # replayed
        callback(event(waiting, event_id="evt_2"))  # the processor's retry, a new id
    waiting.refresh_from_db()
    assert waiting.status == Status.APPROVED and waiting.callbacks_received == 3
    assert len(mailoutbox) == 1
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.PAYMENT_APPROVED).count() == 1
    assert ProcessorEvent.objects.filter(payment=waiting).count() == 2


def test_a_late_decline_does_not_undo_an_approval(waiting, mailing):
    with mailing():
        callback(event(waiting, "approved", "evt_1"))
        callback(event(waiting, "declined", "evt_2"))
    waiting.refresh_from_db()
    assert waiting.status == Status.APPROVED


@pytest.mark.django_db(transaction=True)
def test_two_callbacks_at_once_leave_one_approval_and_one_receipt():
    payment = paid(BillingAccountFactory(), user=UserFactory(), status="pending")
    bodies = [event(payment, event_id=f"evt_{n}") for n in range(4)]
    barrier = threading.Barrier(len(bodies))
    statuses = []

    def send(body):
        barrier.wait()
        statuses.append(callback(body).status_code)
        connection.close()

    threads = [threading.Thread(target=send, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 4
    payment.refresh_from_db()
    assert payment.status == Status.APPROVED and payment.callbacks_received == 4
    assert OutboundEmail.objects.filter(kind="payment_receipt").count() == 1
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.PAYMENT_APPROVED).count() == 1


def test_reconcile_finds_a_payment_whose_callback_was_lost(mailoutbox, mailing):
    user = UserFactory()
    account = BillingAccountFactory()
    payment = paid(account, user=user, status="pending")
    DummyCharge.objects.filter(reference=payment.processor_reference).update(status=Status.APPROVED)
    # Too recent: the callback may still come.
    assert payments_reconcile()["checked"] == 0
    later = timezone.now() + timedelta(minutes=11)
    with mailing():
        counts = payments_reconcile(now=later)
    assert counts == {"checked": 1, "changed": 1, "abandoned": 0}
    payment.refresh_from_db()
    assert payment.status == Status.APPROVED and len(mailoutbox) == 1
    with mailing():
        assert payments_reconcile(now=later)["checked"] == 0
    assert len(mailoutbox) == 1


def test_reconcile_abandons_payments_never_sent_to_the_processor(capsys):
    import uuid
    from decimal import Decimal

    from payments.services import payment_start

    account = BillingAccountFactory()
    payment, _ = payment_start(
        user=None,
        accounts=[account],
        amounts={account.pk: Decimal("5.00")},
        receipt_email="a@example.com",
        language="en",
        idempotency_key=uuid.uuid4(),
    )
    Payment.objects.filter(pk=payment.pk).update(created_at=timezone.now() - timedelta(hours=3))
    call_command("reconcile_payments")
    assert "1 unsent payments marked not completed" in capsys.readouterr().out
    assert Payment.objects.get(pk=payment.pk).status == Status.ABANDONED


def test_the_dummy_processors_callbacks_are_signed_like_a_real_ones():
    body = DummyProcessor.callback_body(reference="dummy_x", status="approved")
    assert set(json.loads(body)) == {"id", "reference", "status"}
    assert len(sign(body)) == 64
