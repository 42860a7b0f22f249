"""PAYMENT_PROVIDER=stripe against a local stand-in of Stripe's API (no network here): what the
portal sends to create the Checkout Session, how it reads Stripe-signed webhooks, status checks and
refunds. The webhook signatures follow Stripe's documented scheme (t=…,v1=HMAC-SHA256)."""

import hashlib
import hmac
import json
import threading
import time
import uuid
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from payments.models import Payment, Status
from payments.services import payment_refund, payments_reconcile
from tests.factories import BillingAccountFactory, EnrollmentFactory, UserFactory

pytestmark = pytest.mark.django_db

WEBHOOK_SECRET = "whsec_test_secret"


class FakeStripe(BaseHTTPRequestHandler):
    requests: list = []
    session = {"status": "open", "payment_status": "unpaid"}

    def _reply(self, body: dict):
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _session(self):
        return {
            "id": "cs_test_1",
            "object": "checkout.session",
            "url": "https://checkout.stripe.com/c/pay/cs_test_1",
            "payment_intent": "pi_test_1",
            **FakeStripe.session,
        }

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        form = parse_qs(self.rfile.read(length).decode())
        FakeStripe.requests.append((self.path, form, self.headers.get("Idempotency-Key")))
        if self.path == "/v1/refunds":
            self._reply({"id": "re_1", "object": "refund", "status": "succeeded"})
        else:
            self._reply(self._session())

    def do_GET(self):
        FakeStripe.requests.append((self.path, {}, None))
        self._reply(self._session())

    def log_message(self, *args):
        pass


@pytest.fixture
def stripe(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeStripe)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    FakeStripe.requests = []
    FakeStripe.session = {"status": "open", "payment_status": "unpaid"}
    settings.PAYMENT_PROVIDER = "stripe"
    settings.STRIPE_SECRET_KEY = "sk_test_x"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{server.server_port}"
    yield FakeStripe
    server.shutdown()


def signed(event: dict, *, secret=WEBHOOK_SECRET, at=None) -> tuple[bytes, str]:
    body = json.dumps(event).encode()
    stamp = int(at or time.time())
    mac = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return body, f"t={stamp},v1={mac}"


def webhook(kind: str, *, payment_status="paid", event_id="evt_1", **options):
    event = {
        "id": event_id,
        "object": "event",
        "type": kind,
        "data": {
            "object": {"id": "cs_test_1", "status": "complete", "payment_status": payment_status}
        },
    }
    body, header = signed(event, **options)
    return Client().post(
        reverse("payment_callback"),
        body,
        content_type="application/json",
        headers={"Stripe-Signature": header},
    )


@pytest.fixture
def started(stripe):
    user = UserFactory(email="payer@example.com", preferred_language="es")
    first = EnrollmentFactory(user=user, account=BillingAccountFactory(balance="84.17")).account
    second = EnrollmentFactory(user=user, account=BillingAccountFactory(balance="10.00")).account
    client = Client()
    client.force_login(user)
    key = uuid.uuid4()
    response = client.post(
        reverse(
            "payments:pay",
        ),
        {
            "account": [first.pk, second.pk],
            "key": str(key),
            f"amount_{first.pk}": "84.17",
            f"amount_{second.pk}": "10.00",
        },
    )
    return response, key, first, second


def test_continue_creates_a_checkout_session_and_sends_the_payer_there(started, stripe):
    response, key, first, second = started
    assert response["Location"] == "https://checkout.stripe.com/c/pay/cs_test_1"
    path, form, idempotency = stripe.requests[0]
    assert path == "/v1/checkout/sessions"
    assert idempotency == str(key)
    assert form["mode"] == ["payment"]
    assert sorted(form[f"line_items[{n}][price_data][unit_amount]"][0] for n in (0, 1)) == [
        "1000",
        "8417",
    ]
    assert form["line_items[0][price_data][currency]"] == ["usd"]
    payment = Payment.objects.get()
    assert form["client_reference_id"] == [payment.confirmation_number]
    assert form["customer_email"] == ["payer@example.com"]
    assert form["success_url"][0].endswith(
        reverse("payments:receipt", args=[payment.confirmation_number])
    )
    assert payment.processor_reference == "cs_test_1" and payment.status == Status.PENDING
    # Nothing about cards goes to or comes from the portal: only amounts and the reference.
    assert not any("card" in name for name in form)


def test_a_signed_completed_webhook_approves_once(started, mailoutbox, mailing):
    with mailing():
        assert webhook("checkout.session.completed").status_code == 200
        assert webhook("checkout.session.completed").status_code == 200  # Stripe retries
    payment = Payment.objects.get()
    assert payment.status == Status.APPROVED and payment.callbacks_received == 2
    assert len(mailoutbox) == 1


def test_a_bank_debit_waits_then_fails(started):
    webhook("checkout.session.completed", payment_status="unpaid")
    assert Payment.objects.get().status == Status.PENDING
    webhook("checkout.session.async_payment_failed", event_id="evt_2")
    assert Payment.objects.get().status == Status.DECLINED


@pytest.mark.parametrize("options", [{"secret": "whsec_someone_else"}, {"at": time.time() - 3600}])
def test_a_webhook_with_a_wrong_or_stale_signature_is_refused(started, options):
    assert webhook("checkout.session.completed", **options).status_code == 400
    assert Payment.objects.get().status == Status.PENDING


def test_events_the_portal_does_not_track_are_acknowledged_and_ignored(started):
    assert webhook("customer.created").status_code == 200
    assert Payment.objects.get().status == Status.PENDING


def test_reconcile_asks_stripe_about_a_session_whose_webhook_never_came(started, stripe, mailing):
    stripe.session = {"status": "complete", "payment_status": "paid"}
    with mailing():
        counts = payments_reconcile(now=timezone.now() + timedelta(minutes=11))
    assert counts["changed"] == 1
    assert Payment.objects.get().status == Status.APPROVED
    assert ("/v1/checkout/sessions/cs_test_1", {}, None) in stripe.requests


def test_a_refund_goes_to_stripe_for_the_whole_payment(started, stripe):
    webhook("checkout.session.completed")
    admin = UserFactory(is_staff=True)
    payment = payment_refund(payment=Payment.objects.get(), by=admin)
    assert payment.status == Status.REFUNDED
    path, form, idempotency = stripe.requests[-1]
    assert path == "/v1/refunds"
    assert form == {"payment_intent": ["pi_test_1"], "amount": ["9417"]}
    assert idempotency == f"refund-{payment.idempotency_key}"


def test_the_deployment_checks_ask_for_a_real_processor_and_its_keys(settings):
    from payments.checks import no_test_processor_in_production, processor_configured

    settings.PAYMENT_PROVIDER = "dummy"
    assert [w.id for w in no_test_processor_in_production()] == ["payments.W001"]
    settings.PAYMENT_PROVIDER = "stripe"
    settings.STRIPE_SECRET_KEY = ""
    assert [e.id for e in processor_configured()] == ["payments.E002"]
    settings.STRIPE_SECRET_KEY, settings.STRIPE_WEBHOOK_SECRET = "sk_live_x", "whsec_x"
    assert processor_configured() == [] and no_test_processor_in_production() == []
    settings.PAYMENT_PROVIDER = "paypal"
    assert [e.id for e in processor_configured()] == ["payments.E001"]
