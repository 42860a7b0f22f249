"""Requirement 3: per-target and per-IP rate limits on every action that checks a secret or mails.

Each action's per-target limit (a User Name, an email address, a link, an account) answers with the
translated 429 page once exceeded, while the same IP can still act on another target. Per-IP limits
are generous: a library or an office shares one address.
"""

import time

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.utils import timezone, translation

from accounts.tokens import new_token
from phxpay import ratelimit
from phxpay.ratelimit import Rate
from tests.conftest import url
from tests.factories import (
    DEFAULT_PASSWORD,
    DEFAULT_PIN,
    BillingAccountFactory,
    EnrollmentFactory,
    PendingUserFactory,
    UserFactory,
)
from tests.security.conftest import signed_in


@pytest.fixture(autouse=True)
def _frozen_rate_limit_clock(monkeypatch):
    """Fixed windows start every N seconds: a boundary passing mid-test would reset the counts."""
    from types import SimpleNamespace

    frozen = time.time()
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: frozen))


pytestmark = pytest.mark.django_db

ACTIONS = ["login", "register", "confirm", "password_reset", "enroll", "invite", "email_change"]


class Scenario:
    """How to try `action` against one target (A or B) from one IP, in a language."""

    def __init__(self, action, settings):
        self.action = action
        self.settings = settings
        getattr(self, f"setup_{action}")()

    # login: the target is the User Name (Axes' own lockout is raised out of the way here).
    def setup_login(self):
        self.settings.AXES_FAILURE_LIMIT = 1000
        UserFactory(username="rateUserA")
        UserFactory(username="rateUserB")
        self.client = Client()

    def try_login(self, target, lang):
        return self.client.post(
            url(lang, "accounts:login"),
            {"username": f"rateUser{target}", "password": "not-the-password"},
        )

    # register: the target is the email address (re-registering resends the link).
    def setup_register(self):
        self.client = Client()

    def try_register(self, target, lang):
        email = f"rate{target}@example.com"
        return self.client.post(
            url(lang, "accounts:register"),
            {
                "username": f"rateName{target}",
                "first_name": "Rate",
                "last_name": "Limit",
                "email": email,
                "confirm_email": email,
            },
        )

    # confirm: the target is the link (its token, kept in the session).
    def setup_confirm(self):
        self.clients = {}
        for target in "AB":
            token, digest = new_token()
            PendingUserFactory(
                username=f"pending{target}",
                confirmation_token_hash=digest,
                confirmation_sent_at=timezone.now(),
            )
            client = Client()
            client.get(url("en", "accounts:confirm_link", token=token))
            self.clients[target] = client

    def try_confirm(self, target, lang):
        return self.clients[target].post(
            url(lang, "accounts:confirm"),
            {
                "username": f"pending{target}",
                "email": "x@example.com",
                "password1": "one-long-password",
                "password2": "another-long-password",
            },
        )

    # password_reset: the target is the email address.
    def setup_password_reset(self):
        UserFactory(email="resetA@example.com")
        self.client = Client()

    def try_password_reset(self, target, lang):
        return self.client.post(
            url(lang, "accounts:password_reset"), {"email": f"reset{target}@example.com"}
        )

    # enroll: the target is the account number, however it is typed.
    def setup_enroll(self):
        self.client = signed_in(UserFactory())
        self.numbers = {"A": "4000000001", "B": "4000000002"}
        for number in self.numbers.values():
            BillingAccountFactory(account_number=number)
        self.typed = 0

    def try_enroll(self, target, lang):
        number = self.numbers[target]
        self.typed += 1
        if target == "A" and self.typed % 2:
            number = (
                f"{number[:4]} {number[4:7]}-{number[7:]}"  # the same account, typed differently
            )
        pin = "abcd" if target == "A" else DEFAULT_PIN  # A: refused before any PIN check
        return self.client.post(
            url(lang, "enrollment:enroll"), {"account_number": number, "pin": pin}
        )

    # invite: the target is the invited email address.
    def setup_invite(self):
        holder = EnrollmentFactory(account=BillingAccountFactory(account_number="4000000003"))
        self.account_id = holder.account_id
        self.client = signed_in(holder.user)

    def try_invite(self, target, lang):
        return self.client.post(
            url(lang, "enrollment:invite", account_id=self.account_id),
            {"email": f"guest{target}@example.com", "role": "view"},
        )

    # email_change: the target is the new address.
    def setup_email_change(self):
        self.client = signed_in(UserFactory())

    def try_email_change(self, target, lang):
        return self.client.post(
            url(lang, "accounts:email_change"),
            {"new_email": f"new{target}@example.com", "current_password": DEFAULT_PASSWORD},
        )

    def attempt(self, target, lang="en"):
        return getattr(self, f"try_{self.action}")(target, lang)


def assert_too_many(response, lang):
    assert response.status_code == 429
    assert response["Retry-After"]
    html = response.content.decode()
    assert f'<html lang="{lang}">' in html
    with translation.override(lang):
        assert translation.gettext("Too many attempts") in html


@pytest.mark.parametrize("action", ACTIONS)
def test_every_action_has_a_tight_per_target_and_a_generous_per_ip_limit(action):
    limits = settings.RATE_LIMITS[action]
    target, ip = Rate.parse(limits["target"]), Rate.parse(limits["ip"])
    assert target.count <= 20
    assert ip.count * 60 / ip.seconds >= 20  # at least 20 a minute from one address
    assert settings.RATE_LIMITS_ENABLED is True


@pytest.mark.parametrize("action", ACTIONS)
def test_per_target_limit_gives_a_translated_429_and_other_targets_still_work(action, settings):
    scenario = Scenario(action, settings)
    limit = Rate.parse(settings.RATE_LIMITS[action]["target"]).count
    for attempt in range(limit):
        response = scenario.attempt("A")
        assert response.status_code in (200, 302), (attempt, response.status_code)
    refused = scenario.attempt("A")
    assert_too_many(refused, "en")
    # The page says the real wait, the window of the limit that refused.
    seconds = Rate.parse(settings.RATE_LIMITS[action]["target"]).seconds
    assert refused["Retry-After"] == str(seconds)
    minutes = max(1, -(-seconds // 60))
    assert f"Please wait {minutes} minute" in refused.content.decode()
    assert_too_many(scenario.attempt("A", lang="es"), "es")
    # The same address, another target: not limited.
    assert scenario.attempt("B").status_code in (200, 302)


def test_the_rate_limit_page_is_not_the_real_answer(settings, client):
    """Over the limit, even the right password gets the 429: the limit is not an oracle."""
    settings.AXES_FAILURE_LIMIT = 1000
    UserFactory(username="limitedUser")
    limit = Rate.parse(settings.RATE_LIMITS["login"]["target"]).count
    for _ in range(limit):
        client.post(url("en", "accounts:login"), {"username": "limitedUser", "password": "nope"})
    response = client.post(
        url("en", "accounts:login"), {"username": "limitedUser", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("action", ["register", "password_reset", "enroll", "invite", "confirm"])
def test_per_ip_limit_lets_20_people_behind_one_address_act(action, settings):
    """20 different targets from one IP within a minute: none is refused.

    Each target is used once, so even a per-target limit of 1 refuses nothing: only the per-IP
    limit could, and it must not."""
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        action: {**settings.RATE_LIMITS[action], "target": "1/3600"},
    }
    responses = []
    for n in range(20):
        if action == "register":
            email = f"person{n}@example.com"
            data = {"username": f"person{n:02d}", "first_name": "A", "last_name": "B"}
            data |= {"email": email, "confirm_email": email}
            responses.append(Client().post(url("en", "accounts:register"), data))
        elif action == "password_reset":
            responses.append(
                Client().post(
                    url("en", "accounts:password_reset"), {"email": f"person{n}@example.com"}
                )
            )
        elif action == "enroll":
            account = BillingAccountFactory()
            responses.append(
                signed_in(UserFactory()).post(
                    url("en", "enrollment:enroll"),
                    {"account_number": account.account_number, "pin": DEFAULT_PIN},
                )
            )
        elif action == "invite":
            holder = EnrollmentFactory()
            responses.append(
                signed_in(holder.user).post(
                    url("en", "enrollment:invite", account_id=holder.account_id),
                    {"email": f"person{n}@example.com", "role": "view"},
                )
            )
        else:
            token, digest = new_token()
            PendingUserFactory(confirmation_token_hash=digest, confirmation_sent_at=timezone.now())
            browser = Client()
            browser.get(url("en", "accounts:confirm_link", token=token))
            responses.append(
                browser.post(url("en", "accounts:confirm"), {"username": "x", "password1": "y"})
            )
    assert [r.status_code for r in responses if r.status_code == 429] == []


def test_20_people_behind_one_address_can_sign_in(settings):
    responses = []
    for _ in range(20):
        user = UserFactory()
        responses.append(
            Client().post(
                url("en", "accounts:login"),
                {"username": user.username, "password": DEFAULT_PASSWORD},
            )
        )
    assert [r.status_code for r in responses] == [302] * 20


def test_failed_sign_ins_by_others_behind_one_address_do_not_lock_a_customer_out(settings):
    """A library, an office or a mobile carrier's NAT: others' failures must not lock me out."""
    for _ in range(settings.AXES_FAILURE_LIMIT):
        stranger = UserFactory()
        Client().post(
            url("en", "accounts:login"), {"username": stranger.username, "password": "typo"}
        )
    customer = UserFactory()
    response = Client().post(
        url("en", "accounts:login"), {"username": customer.username, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302


def reset_requests(n, **headers):
    return [
        Client()
        .post(url("en", "accounts:password_reset"), {"email": f"ip{i}@example.com"}, **headers)
        .status_code
        for i in range(n)
    ]


@pytest.fixture
def tight_ip_limit(settings):
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "password_reset": {"ip": "3/60", "target": "100/3600"},
    }


def test_spoofed_forwarded_for_is_ignored_by_default(settings, tight_ip_limit):
    assert settings.CLIENT_IP_HEADER == ""
    statuses = [
        Client()
        .post(
            url("en", "accounts:password_reset"),
            {"email": f"ip{i}@example.com"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{i}",
        )
        .status_code
        for i in range(5)
    ]
    assert statuses == [302, 302, 302, 429, 429]


def test_forwarded_for_is_honoured_behind_the_configured_proxies(settings, tight_ip_limit):
    settings.CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    settings.TRUSTED_PROXY_COUNT = 1
    # Different clients behind the load balancer (its own address is REMOTE_ADDR) are counted apart…
    statuses = [
        Client(REMOTE_ADDR="10.0.0.5")
        .post(
            url("en", "accounts:password_reset"),
            {"email": f"ip{i}@example.com"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{i}",
        )
        .status_code
        for i in range(5)
    ]
    assert statuses == [302] * 5
    # …and what a client writes into the header itself (left of the proxy's entry) changes nothing.
    statuses = [
        Client(REMOTE_ADDR="10.0.0.5")
        .post(
            url("en", "accounts:password_reset"),
            {"email": f"ip{i}@example.com"},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{i}, 192.0.2.77",
        )
        .status_code
        for i in range(5)
    ]
    assert statuses == [302, 302, 302, 429, 429]


def test_two_trusted_proxies_take_the_second_entry_from_the_right(settings, tight_ip_limit):
    settings.CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    settings.TRUSTED_PROXY_COUNT = 2
    statuses = [
        Client(REMOTE_ADDR="10.0.0.5")
        .post(
            url("en", "accounts:password_reset"),
            {"email": f"ip{i}@example.com"},
            HTTP_X_FORWARDED_FOR=f"spoof{i}, 192.0.2.77, 10.0.0.9",
        )
        .status_code
        for i in range(5)
    ]
    assert statuses == [302, 302, 302, 429, 429]


def test_counters_live_in_the_shared_cache_hashed(client, tight_ip_limit):
    assert reset_requests(4) == [302, 302, 302, 429]
    window = int(ratelimit.time.time() // 60)
    assert cache.get(f"rl:password_reset:ip:127.0.0.1:{window}") == 4
    # No address or token sits in the cache in clear.
    keys = " ".join(str(key) for key in getattr(cache, "_cache", {}))
    assert "ip0@example.com" not in keys and "rl:password_reset:t:" in keys
    # Another process sharing the cache sees the same count; clearing it (as the suite does
    # between tests) starts over.
    cache.clear()
    assert reset_requests(1) == [302]


def test_production_cache_url_gives_a_shared_redis_cache():
    """The value docker-compose and docs/deploying.md give CACHE_URL, as phxpay/settings.py reads it."""
    import environ

    config = environ.Env.cache_url_config("redis://127.0.0.1:6379/1")
    assert config["BACKEND"] == "django.core.cache.backends.redis.RedisCache"


def test_a_cache_outage_fails_open_while_database_lockouts_keep_protecting(settings, client):
    """Redis down: sign-in keeps working, and Axes (in the database) still locks a guessed name."""
    from unittest import mock

    UserFactory(username="outageUser")
    with mock.patch("phxpay.ratelimit.cache") as broken:
        broken.add.side_effect = ConnectionError("cache unavailable")
        statuses = [
            client.post(
                url("en", "accounts:login"), {"username": "outageUser", "password": "guess"}
            ).status_code
            for _ in range(settings.AXES_FAILURE_LIMIT + 2)
        ]
    limit = settings.AXES_FAILURE_LIMIT
    assert statuses == [200] * (limit - 1) + [429] * 3
    locked = client.post(
        url("en", "accounts:login"), {"username": "outageUser", "password": DEFAULT_PASSWORD}
    )
    assert locked.status_code == 429
    assert "Sign-in paused" in locked.content.decode()
