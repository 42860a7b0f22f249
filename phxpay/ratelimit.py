"""Rate limits on every action that checks a credential or sends an email.

Fixed-window counters in the default cache: Redis in production (CACHE_URL), so every app process
shares them; the in-process cache otherwise. Each action has a generous per-IP limit (a household, a
library or an office shares one address) and a tight per-target limit (a User Name, an email address,
an account, a link).
"""

import hashlib
import ipaddress
import logging
import math
import time
import unicodedata
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> "Rate":
        """'30/60' means 30 per 60 seconds."""
        count, seconds = text.split("/")
        return cls(int(count), int(seconds))


def _address(value: str) -> str | None:
    """An IP address from a proxy header entry ("1.2.3.4", "1.2.3.4:5678", "[::1]:80"), else None."""
    value = value.strip()
    if value.startswith("["):
        value = value[1:].split("]", 1)[0]
    elif value.count(":") == 1:
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request) -> str:
    """The client address: from the configured trusted proxy header only, else the socket peer."""
    header = settings.CLIENT_IP_HEADER
    if header:
        forwarded = request.META.get(header, "")
        # With N trusted proxies appending to X-Forwarded-For, the client is N entries from the end.
        hops = [part for part in forwarded.split(",") if part.strip()]
        if len(hops) >= settings.TRUSTED_PROXY_COUNT:
            address = _address(hops[-settings.TRUSTED_PROXY_COUNT])
            if address:
                return address
    return request.META.get("REMOTE_ADDR", "")


def normalized_identifier(value: str) -> str:
    """One spelling of a User Name or email for every count and lookup that must not be dodged.

    "EBILL5@…", " ebill5@…" and fullwidth "ｅbill5@…" are one target for the sign-in pause, the rate
    limits and the pre-created users' PIN sign-in.
    """
    return unicodedata.normalize("NFKC", str(value or "")).strip().lower()


def axes_username(request, credentials=None) -> str:
    """The User Name django-axes records, cut to its column (a longer one is simply wrong)."""
    value = (credentials or {}).get("username") if credentials else request.POST.get("username")
    return normalized_identifier(value)[:255]


def _hit(key: str, rate: Rate) -> bool:
    """Count one event; False once the window's count is over the limit."""
    window = int(time.time() // rate.seconds)
    full_key = f"rl:{key}:{window}"
    try:
        cache.add(full_key, 0, rate.seconds + 5)
        try:
            count = cache.incr(full_key)
        except ValueError:  # expired between add and incr
            cache.set(full_key, 1, rate.seconds + 5)
            count = 1
    except Exception:  # noqa: BLE001
        # A cache outage must not take sign-in and registration down with it; the per-user lockouts
        # (django-axes, the PIN counters) live in the database and keep protecting.
        logger.exception("rate-limit cache unavailable; allowing the request")
        return True
    return count <= rate.count


def refused_for(request, *, action: str, target: str = "") -> int:
    """Count this request against the action's per-IP and per-target limits: 0 when allowed,
    else the seconds until the longest refusing window has passed (what the 429 page says)."""
    limits = settings.RATE_LIMITS.get(action)
    if not settings.RATE_LIMITS_ENABLED or not limits:
        return 0
    wait = 0
    rate = Rate.parse(limits["ip"])
    if not _hit(f"{action}:ip:{client_ip(request)}", rate):
        wait = rate.seconds
    if target and "target" in limits:
        # Hashed so email addresses and tokens never sit in the cache in clear.
        digest = hashlib.sha256(normalized_identifier(target).encode()).hexdigest()[:32]
        rate = Rate.parse(limits["target"])
        if not _hit(f"{action}:t:{digest}", rate):
            wait = max(wait, rate.seconds)
    return wait


def too_many_requests(request, *, seconds: int):
    minutes = max(1, math.ceil(seconds / 60))
    response = render(request, "429.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(seconds)
    return response


def rate_limited(action: str, target=None):
    """Limit POSTs of a view; `target(request)` names what is being tried (user name, email…)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method == "POST":
                name = target(request, *args, **kwargs) if target else ""
                wait = refused_for(request, action=action, target=name)
                if wait:
                    return too_many_requests(request, seconds=wait)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
