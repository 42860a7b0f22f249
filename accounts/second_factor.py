"""Staff's second factor: an authenticator app (TOTP, django-otp) and one-time recovery codes.

Every admin page needs a session verified by one of them (accounts.admin_site). The first staff
sign-in enrols the app; confirming it issues ten recovery codes, shown once and stored only as
digests (accounts.models.RecoveryCodeDevice). An administrator can reset a staff member's factor;
an operator can issue one recovery code from the shell (`manage.py addstatictoken`).
"""

import secrets
from base64 import b32encode
from urllib.parse import quote

from django.db import transaction
from django_otp import devices_for_user, match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import RecoveryCode, RecoveryCodeDevice, User, recovery_code_digest
from phxpay.audit import Kind, record

RECOVERY_CODES = 10
ISSUER = "PHX Pay Online"
APP_DEVICE_NAME = "authenticator app"
RECOVERY_DEVICE_NAME = "recovery codes"


def has_second_factor(*, user: User) -> bool:
    return any(True for _device in devices_for_user(user, confirmed=True))


def totp_pending(*, user: User) -> TOTPDevice:
    """The authenticator-app device being enrolled (unconfirmed until a code from it matches)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)


def totp_secret(device: TOTPDevice) -> str:
    """The key as authenticator apps take it when typed in: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_uri(device: TOTPDevice) -> str:
    secret = b32encode(device.bin_key).decode().rstrip("=")
    label = quote(f"{ISSUER}:{device.user.get_username()}")
    return f"otpauth://totp/{label}?secret={secret}&issuer={quote(ISSUER)}&digits={device.digits}"


def _new_code() -> str:
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"  # nothing to misread: no 0/o, 1/l/i
    raw = "".join(secrets.choice(alphabet) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def recovery_codes_issue(*, user: User, count: int = RECOVERY_CODES, code: str = "") -> list[str]:
    """New recovery codes, added to any unused ones; returned once, stored as digests only."""
    with transaction.atomic():
        device, _created = RecoveryCodeDevice.objects.get_or_create(
            user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
        )
        codes = [code] if code else [_new_code() for _ in range(count)]
        RecoveryCode.objects.bulk_create(
            [RecoveryCode(device=device, digest=recovery_code_digest(c)) for c in codes]
        )
    return codes


def totp_enrol_confirm(*, user: User, token: str) -> tuple[TOTPDevice, list[str]] | None:
    """The first code from the app confirms it and issues the recovery codes; None if it is wrong."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
        if device is None or not device.verify_token(token.strip().replace(" ", "")):
            record(Kind.SECOND_FACTOR_FAILED, user=user, step="enrol")
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        RecoveryCode.objects.filter(device__user=user).delete()
        codes = recovery_codes_issue(user=user)
    record(Kind.SECOND_FACTOR_ENROLLED, user=user)
    return device, codes


def second_factor_verify(*, user: User, token: str):
    """The device whose code this is (an app code, or a recovery code, which is then used up)."""
    device = match_token(user, token.strip().replace(" ", ""))
    if device is None:
        record(Kind.SECOND_FACTOR_FAILED, user=user, step="verify")
        return None
    record(Kind.SECOND_FACTOR_VERIFIED, user=user, device=type(device).__name__)
    return device


def second_factor_reset(*, user: User, by: User | None, operator: str = "") -> None:
    """An administrator's reset: the next sign-in enrols a new authenticator app."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        RecoveryCodeDevice.objects.filter(user=user).delete()
    record(
        Kind.SECOND_FACTOR_RESET,
        user=user,
        by=by.get_username() if by else "",
        operator=operator,
    )
