"""The payment processor behind the portal, chosen by settings (PAYMENT_PROVIDER).

A processor hosts the page where the payer types card or bank details (the portal never sees them),
tells the portal the outcome in a signed callback, answers a server-side status check, and refunds.
A payment is confirmed only by one of those two answers, never by the payer's browser coming back.

- `stripe` (production): Stripe Checkout, a page on Stripe's site for card and U.S. bank payments,
  with signed webhooks (STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET).
- `dummy` (make run, tests): the portal's own stand-in at /payments/test-processor/…, clearly
  labelled, where the tester approves, declines or abandons; its callbacks are signed like a real
  processor's, and its charges are kept (DummyCharge) so that status checks and refunds work.

Why not django-payments: its Python package is named `payments`, the name this project's
payments app must have, so the two cannot be installed together; and its payment model stores the
payer's name and address, which the portal has no reason to keep. The processor boundary here is
the part of it the portal needs: four methods.
"""

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.urls import reverse
from django.utils.module_loading import import_string

from payments.models import DummyCharge, Payment, Status


class InvalidCallback(Exception):
    """A callback whose signature or content does not check out: refused, nothing changes."""


class IgnoredCallback(Exception):
    """A genuine callback about something the portal does not track (acknowledged, not applied)."""


@dataclass(frozen=True)
class ProcessorEvent:
    """What the processor says about a payment, from a verified callback or a status check."""

    reference: str
    status: str  # one of Status: approved, declined, abandoned, pending, refunded
    event_id: str
    source: str  # "callback" or "status check"


class Processor:
    name = ""

    def checkout_url(self, *, payment: Payment, return_url: str) -> str:
        """Register the payment with the processor (sets payment.processor_reference); where to
        send the payer."""
        raise NotImplementedError

    def parse_callback(self, *, body: bytes, headers) -> ProcessorEvent:
        raise NotImplementedError

    def status_of(self, *, payment: Payment) -> ProcessorEvent:
        raise NotImplementedError

    def refund(self, *, payment: Payment, amount: Decimal) -> None:
        raise NotImplementedError


def callback_secret() -> bytes:
    return settings.PAYMENT_CALLBACK_SECRET.encode()


def sign(body: bytes) -> str:
    return hmac.new(callback_secret(), body, hashlib.sha256).hexdigest()


class DummyProcessor(Processor):
    """The stand-in processor: its hosted page is payments.views.dummy_checkout."""

    name = "dummy"
    SIGNATURE_HEADER = "X-Phx-Signature"

    def checkout_url(self, *, payment: Payment, return_url: str) -> str:
        if not payment.processor_reference:
            payment.processor_reference = f"dummy_{secrets.token_hex(12)}"
            payment.save(update_fields=["processor_reference", "updated_at"])
            DummyCharge.objects.create(reference=payment.processor_reference, amount=payment.total)
        return reverse("payments:dummy_checkout", args=[payment.processor_reference])

    @staticmethod
    def callback_body(*, reference: str, status: str) -> bytes:
        event = {"id": f"evt_{secrets.token_hex(8)}", "reference": reference, "status": status}
        return json.dumps(event, sort_keys=True).encode()

    def parse_callback(self, *, body: bytes, headers) -> ProcessorEvent:
        signature = headers.get(self.SIGNATURE_HEADER, "")
        if not hmac.compare_digest(sign(body), signature):
            raise InvalidCallback("bad signature")
        try:
            event = json.loads(body)
            reference, status, event_id = event["reference"], event["status"], event["id"]
        except (ValueError, KeyError, TypeError):
            raise InvalidCallback("malformed event") from None
        if not all(isinstance(value, str) for value in (reference, status, event_id)):
            raise InvalidCallback("malformed event")
        if status not in Status.values or status == Status.STARTED:
            raise InvalidCallback("unknown status")
        return ProcessorEvent(
            reference=reference, status=status, event_id=event_id, source="callback"
        )

    def status_of(self, *, payment: Payment) -> ProcessorEvent:
        charge = DummyCharge.objects.get(reference=payment.processor_reference)
        return ProcessorEvent(
            reference=charge.reference,
            status=charge.status,
            event_id=f"status-{charge.status}",
            source="status check",
        )

    def refund(self, *, payment: Payment, amount: Decimal) -> None:
        charge = DummyCharge.objects.select_for_update().get(reference=payment.processor_reference)
        charge.refunded += amount
        charge.status = Status.REFUNDED
        charge.save(update_fields=["refunded", "status"])


def cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_exact())


class StripeCheckout(Processor):
    """Stripe Checkout: the payer is sent to a Stripe-hosted page; Stripe's signed webhooks and a
    status check of the Checkout Session say how it ended."""

    name = "stripe"
    # Checkout Session events → the portal's statuses. "completed" is paid only if payment_status
    # says so: a U.S. bank debit completes first and succeeds (or fails) days later.
    EVENTS = {
        "checkout.session.async_payment_succeeded": Status.APPROVED,
        "checkout.session.async_payment_failed": Status.DECLINED,
        "checkout.session.expired": Status.ABANDONED,
    }

    def _client(self):
        import stripe

        base = {"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else None
        return stripe.StripeClient(
            settings.STRIPE_SECRET_KEY, base_addresses=base, max_network_retries=2
        )

    def checkout_url(self, *, payment: Payment, return_url: str) -> str:
        items = [
            {
                "price_data": {
                    "currency": "usd",
                    "unit_amount": cents(line.amount),
                    "product_data": {
                        "name": f"City of Phoenix account ending {line.account.last4}"
                    },
                },
                "quantity": 1,
            }
            for line in payment.lines.select_related("account")
        ]
        back = settings.SITE_URL + return_url
        session = self._client().v1.checkout.sessions.create(
            params={
                "mode": "payment",
                "line_items": items,
                "success_url": back,
                "cancel_url": back,
                "client_reference_id": payment.confirmation_number,
                "customer_email": payment.receipt_email,
                "locale": "es" if payment.language == "es" else "en",
                "metadata": {"confirmation_number": payment.confirmation_number},
            },
            # The same payment asks once, however often the payer presses Continue.
            options={"idempotency_key": str(payment.idempotency_key)},
        )
        if payment.processor_reference != session.id:
            payment.processor_reference = session.id
            payment.save(update_fields=["processor_reference", "updated_at"])
        return session.url

    @classmethod
    def _status(cls, session) -> str:
        if session.get("status") == "expired":
            return Status.ABANDONED
        if session.get("status") == "complete" and session.get("payment_status") in (
            "paid",
            "no_payment_required",
        ):
            return Status.APPROVED
        return Status.PENDING

    def parse_callback(self, *, body: bytes, headers) -> ProcessorEvent:
        import stripe

        try:
            event = stripe.Webhook.construct_event(
                body, headers.get("Stripe-Signature", ""), settings.STRIPE_WEBHOOK_SECRET
            )
        except (ValueError, stripe.SignatureVerificationError):
            raise InvalidCallback("bad signature") from None
        event = event.to_dict()
        try:
            session, kind, event_id = event["data"]["object"], event["type"], event["id"]
            reference = session["id"]
        except (KeyError, TypeError):
            raise InvalidCallback("malformed event") from None
        if kind == "checkout.session.completed":
            status = self._status(session)
        elif kind in self.EVENTS:
            status = self.EVENTS[kind]
        else:
            raise IgnoredCallback(kind)
        return ProcessorEvent(
            reference=reference, status=status, event_id=event_id, source="callback"
        )

    def status_of(self, *, payment: Payment) -> ProcessorEvent:
        session = self._client().v1.checkout.sessions.retrieve(payment.processor_reference)
        status = self._status(session.to_dict())
        return ProcessorEvent(
            reference=session.id, status=status, event_id=f"status-{status}", source="status check"
        )

    def refund(self, *, payment: Payment, amount: Decimal) -> None:
        client = self._client()
        session = client.v1.checkout.sessions.retrieve(payment.processor_reference)
        client.v1.refunds.create(
            params={"payment_intent": session.payment_intent, "amount": cents(amount)},
            options={"idempotency_key": f"refund-{payment.idempotency_key}"},
        )


PROVIDERS = {
    "dummy": "payments.processors.DummyProcessor",
    "stripe": "payments.processors.StripeCheckout",
}


def processor(name: str | None = None) -> Processor:
    """The configured processor (or the one a payment was made with)."""
    return import_string(PROVIDERS[name or settings.PAYMENT_PROVIDER])()
