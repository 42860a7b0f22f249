"""The payment processor behind the portal, chosen by settings (PAYMENT_PROVIDER).

A processor hosts the page where the payer types card or bank details (the portal never sees them),
tells the portal the outcome in a signed callback, answers a server-side status check, and refunds.
A payment is confirmed only by one of those two answers, never by the payer's browser coming back.

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


PROVIDERS = {"dummy": "payments.processors.DummyProcessor"}


def processor(name: str | None = None) -> Processor:
    """The configured processor (or the one a payment was made with)."""
    return import_string(PROVIDERS[name or settings.PAYMENT_PROVIDER])()
