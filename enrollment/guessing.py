"""Every bound on guessing billing-account PINs, in one module (SECURITY.md has the arithmetic).

A PIN has 10,000 values and people choose a few of them far more often than chance, so limits per
user or per account are not enough: an attacker goes *wide* (one PIN, many accounts, many throwaway
users). The bounds here count *wrong PINs* (not requests) over sliding windows, wherever a PIN is
typed (the Enroll form and a pre-created e-bill user's first sign-in):

- per client IP address and per network (IPv4 /24, IPv6 /64), over the last 24 hours;
- per web user over the last hour, and much less for a user confirmed in the last 24 hours;
- step-up: a PIN that people commonly choose, or any attempt after a wrong PIN from the same user or
  network in the last 24 hours, also needs the service address's ZIP code and house number;
- a site-wide circuit breaker: while wrong PINs across the whole portal run above the normal rate,
  every attempt steps up (this bounds attacks from more networks than any per-network budget sees).

The step-up is decided from what was *typed* and who typed it, never from the account: asking for
the address therefore says nothing about whether an account exists or how strong its PIN is, and an
account whose PIN is weak can only be matched by typing that weak PIN, which always steps up.
"""

import enum
import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection

from accounts.models import User
from enrollment.models import PinFailure

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)

# Above the account lockout (5), so a household that locks its own account by mistyping can still
# enroll its other accounts the same day.
WRONG_PINS_PER_IP_PER_DAY = 10
WRONG_PINS_PER_NETWORK_PER_DAY = 30
WRONG_PINS_PER_USER_PER_HOUR = 10
# Throwaway users are cheap (a catch-all mail domain confirms dozens a minute): a user confirmed less
# than NEW_USER_AGE ago gets this many wrong PINs in all until then.
NEW_USER_AGE = DAY
WRONG_PINS_PER_NEW_USER = 3
# Normal traffic (about 450,000 accounts) stays far below this; above it, everyone steps up.
SITE_WRONG_PINS_PER_HOUR = 100

# After an enrollment, the new enrollee waits this long before changing the billing email or
# inviting anyone: a takeover cannot silence the real customer's notices at once.
NEW_ENROLLMENT_COOLDOWN = DAY

# The PINs people choose most (from published studies of 4-digit PIN choice), besides the patterns
# is_common_pin() finds: two or fewer distinct digits, constant-step runs, years, dates (MMDD, DDMM).
_COMMON_PINS = frozenset(
    [
        "2580",
        "0852",
        "1379",
        "1397",
        "1470",
        "0741",
        "5683",
        "7410",
        "8520",
        "0258",
        "1590",
        "0159",
        "2583",
        "3852",
        "1478",
        "7412",
        "3698",
        "9632",
        "1236",
        "4560",
        "7896",
        "1593",
        "7539",
        "3571",
        "1738",
        "5970",
        "8426",
        "6248",
    ]
)


class Refusal(enum.Enum):
    USER_BLOCKED = "user_blocked"
    NETWORK_BLOCKED = "network_blocked"


@dataclass(frozen=True)
class Standing:
    """What the bounds allow for the next PIN from this user and address."""

    refusal: Refusal | None = None
    until: datetime | None = None
    step_up: bool = False


def network_of(ip: str) -> str:
    """The network a client address belongs to, as the budget counts it (IPv4 /24, IPv6 /64)."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return "unknown"
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    prefix = 24 if address.version == 4 else 64
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def is_common_pin(pin: str) -> bool:
    """True for a PIN an attacker would try first."""
    if pin in _COMMON_PINS or len(set(pin)) <= 2:
        return True
    # Runs with a constant step: 1234, 9876, 2468, 1357, 8642…
    if len({int(b) - int(a) for a, b in zip(pin, pin[1:], strict=False)}) == 1:
        return True
    if 1900 <= int(pin) <= 2039:
        return True
    first, second = int(pin[:2]), int(pin[2:])
    return (1 <= first <= 12 and 1 <= second <= 31) or (1 <= first <= 31 and 1 <= second <= 12)


def serialize(*, ip: str, user: User | None) -> None:
    """Hold the locks that make the counts exact under parallel requests (call in a transaction).

    Always network first, then the user row; the caller then locks account rows. One order, so
    no deadlock.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(%s, 7616))", [network_of(ip)]
            )
    # SQLite (make run) runs one writing transaction at a time already.
    if user is not None:
        User.objects.select_for_update().filter(pk=user.pk).first()


def _release_time(moments: list[datetime], limit: int, window: timedelta) -> datetime:
    """When a sliding window holding `moments` (newest first) drops below `limit` again."""
    return moments[limit - 1] + window


def standing(*, user: User | None, ip: str, now: datetime) -> Standing:
    """The refusal (if any) and whether the next PIN needs the second identifier."""
    network = network_of(ip)
    recent = PinFailure.objects.filter(at__gt=now - DAY)
    from_network = list(
        recent.filter(network=network)
        .order_by("-at")
        .values_list("at", "ip")[:WRONG_PINS_PER_NETWORK_PER_DAY]
    )
    if len(from_network) >= WRONG_PINS_PER_NETWORK_PER_DAY:
        until = _release_time([at for at, _ip in from_network], WRONG_PINS_PER_NETWORK_PER_DAY, DAY)
        return Standing(refusal=Refusal.NETWORK_BLOCKED, until=until)
    from_ip = [at for at, address in from_network if address == ip]
    if len(from_ip) >= WRONG_PINS_PER_IP_PER_DAY:
        return Standing(
            refusal=Refusal.NETWORK_BLOCKED,
            until=_release_time(from_ip, WRONG_PINS_PER_IP_PER_DAY, DAY),
        )
    by_user: list[datetime] = []
    if user is not None:
        by_user = list(
            recent.filter(user=user)
            .order_by("-at")
            .values_list("at", flat=True)[:WRONG_PINS_PER_USER_PER_HOUR]
        )
        new_until = user.confirmed_at + NEW_USER_AGE if user.confirmed_at else None
        if new_until and new_until > now and len(by_user) >= WRONG_PINS_PER_NEW_USER:
            return Standing(refusal=Refusal.USER_BLOCKED, until=new_until)
        last_hour = [at for at in by_user if at > now - HOUR]
        if len(last_hour) >= WRONG_PINS_PER_USER_PER_HOUR:
            return Standing(
                refusal=Refusal.USER_BLOCKED,
                until=_release_time(last_hour, WRONG_PINS_PER_USER_PER_HOUR, HOUR),
            )
    breaker = (
        PinFailure.objects.filter(at__gt=now - HOUR)[:SITE_WRONG_PINS_PER_HOUR].count()
        >= SITE_WRONG_PINS_PER_HOUR
    )
    return Standing(step_up=bool(from_network or by_user or breaker))


def needs_step_up(*, standing: Standing, pin: str) -> bool:
    return standing.step_up or is_common_pin(pin)


def failure_record(
    *,
    user: User | None,
    ip: str,
    account_id: int | None,
    now: datetime,
    account_number: str = "",
) -> None:
    """Count one wrong PIN (or wrong second identifier) against this user and address."""
    # Rows older than the longest window count for nothing: the table holds one day at most.
    PinFailure.objects.filter(at__lte=now - DAY).delete()
    PinFailure.objects.create(
        at=now,
        user=user,
        ip=ip or None,
        network=network_of(ip),
        account_id=account_id,
        account_number=account_number[:10],
    )


def misses_on_unknown_number(
    *, user: User | None, ip: str, account_number: str, now: datetime
) -> int:
    """Wrong PINs this user (or, signed out, this address) typed for a number no account has, today."""
    misses = PinFailure.objects.filter(account_number=account_number, at__gt=now - DAY)
    return (misses.filter(user=user) if user else misses.filter(ip=ip or None)).count()


def cooldown_until(*, enrolled_at: datetime) -> datetime:
    return enrolled_at + NEW_ENROLLMENT_COOLDOWN
