"""Billing-account PINs: keyed hashes only.

A 4-digit PIN has 10,000 values, so any unkeyed hash (however slow) falls to a loop. The HMAC key
(PIN_PEPPER) lives only in the environment: a copy of the database alone cannot test a single PIN.
"""

import hashlib
import hmac

from django.conf import settings


def pin_digest(*, account_number: str, pin: str) -> str:
    message = f"{account_number}:{pin}".encode()
    return hmac.new(settings.PIN_PEPPER.encode(), message, hashlib.sha256).hexdigest()


def pin_matches(*, account_number: str, pin: str, digest: str) -> bool:
    return hmac.compare_digest(pin_digest(account_number=account_number, pin=pin), digest)
