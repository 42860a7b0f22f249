"""Billing-account PINs: keyed hashes only.

A 4-digit PIN has 10,000 values, so any unkeyed hash (however slow) falls to a loop. The HMAC key
(PIN_PEPPER) lives only in the environment: a copy of the database alone cannot test a single PIN.
"""

import functools
import hashlib
import hmac

from django.conf import settings


@functools.lru_cache(maxsize=4)
def _keyed(pepper: str) -> "hmac.HMAC":
    # The key schedule, done once per pepper rather than once per PIN: the import hashes 450,000.
    return hmac.new(pepper.encode(), digestmod=hashlib.sha256)


def pin_digest(*, account_number: str, pin: str) -> str:
    mac = _keyed(settings.PIN_PEPPER).copy()
    mac.update(f"{account_number}:{pin}".encode())
    return mac.hexdigest()


def pin_matches(*, account_number: str, pin: str, digest: str) -> bool:
    return hmac.compare_digest(pin_digest(account_number=account_number, pin=pin), digest)
