"""The second factor: an authenticator app (TOTP, django-otp) and one-time recovery codes.

Staff must have one: every admin page needs a session verified by it (accounts.admin_site).
Customers may turn it on from User Profile; then signing in asks for a code after the password
(accounts.views.LoginView, login_code). The first staff
sign-in enrols the app; confirming it issues ten recovery codes, shown once and stored only as
digests (accounts.models.RecoveryCodeDevice). An administrator can reset a staff member's factor;
an operator can issue one recovery code from the shell (`manage.py addstatictoken`).
"""

import secrets
from base64 import b32encode
from binascii import unhexlify
from urllib.parse import quote

import segno
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user, match_token
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key
from django_otp_webauthn.models import WebAuthnCredential

from accounts.models import RecoveryCode, RecoveryCodeDevice, User, recovery_code_digest
from phxpay.audit import Kind, record

RECOVERY_CODES = 10
ISSUER = "PHX Pay Online"
APP_DEVICE_NAME = "authenticator app"
RECOVERY_DEVICE_NAME = "recovery codes"


def has_second_factor(*, user: User) -> bool:
    return any(True for _device in devices_for_user(user, confirmed=True))


def totp_new_key() -> str:
    """A new authenticator-app key (hex), kept by the caller until a code from it confirms it.

    It stays out of the database until then: showing the enrolment page writes nothing.
    """
    return default_key()


def totp_secret(key: str) -> str:
    """The key as authenticator apps take it when typed in: base32, in groups of four."""
    secret = b32encode(unhexlify(key)).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


TOTP_CANDIDATE_SESSION_KEY = "_totp_candidate"


def totp_candidate(*, session, user: User) -> dict:
    """The enrolment page's key, typed and as a QR code. It waits in the session, never in the
    database, until a code from the app confirms it (`totp_enrol_confirm`)."""
    key = session.setdefault(TOTP_CANDIDATE_SESSION_KEY, totp_new_key())
    qr = segno.make(totp_uri(user=user, key=key))
    return {
        "key": key,
        "secret": totp_secret(key),
        "qr_svg": qr.svg_inline(scale=4, title=_("QR code of the key for your authenticator app")),
    }


def totp_uri(*, user: User, key: str) -> str:
    secret = b32encode(unhexlify(key)).decode().rstrip("=")
    label = quote(f"{ISSUER}:{user.get_username()}")
    return f"otpauth://totp/{label}?secret={secret}&issuer={quote(ISSUER)}&digits=6"


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


def totp_enrol_confirm(*, user: User, key: str, token: str) -> tuple[TOTPDevice, list[str]] | None:
    """The first code from the app confirms its key and issues the recovery codes; None if wrong."""
    token = token.strip().replace(" ", "")
    totp = TOTP(unhexlify(key))
    if not (token.isdigit() and totp.verify(int(token), tolerance=1)):
        record(Kind.SECOND_FACTOR_FAILED, user=user, step="enrol")
        return None
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(
            user=user, name=APP_DEVICE_NAME, key=key, confirmed=True, last_t=totp.t()
        )
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


def _devices_delete(*, user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    RecoveryCodeDevice.objects.filter(user=user).delete()
    WebAuthnCredential.objects.filter(user=user).delete()


def second_factor_reset(*, user: User, by: User | None, operator: str = "") -> None:
    """An administrator's reset: the app, the recovery codes and the passkeys go; the next sign-in
    enrols a new authenticator app."""
    with transaction.atomic():
        _devices_delete(user=user)
    record(
        Kind.SECOND_FACTOR_RESET,
        user=user,
        by=by.get_username() if by else "",
        operator=operator,
    )


def second_factor_disable(*, user: User) -> None:
    """A customer turns two-step verification off (their password was checked by the caller)."""
    with transaction.atomic():
        _devices_delete(user=user)
    record(Kind.SECOND_FACTOR_RESET, user=user, by=user.get_username())
