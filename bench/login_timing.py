"""What a sign-in costs: the Login POST beside one raw Argon2 hash with the configured parameters.

    .venv/bin/python bench/login_timing.py [--attempts 20]

Reads time_cost, memory_cost and parallelism of django.contrib.auth.hashers.Argon2PasswordHasher
(the first of PASSWORD_HASHERS) and compares them with OWASP's minimum for Argon2id (19 MiB, 2
iterations, 1 lane). Times one argon2 hash of a password with exactly those parameters (median of
N), then, in this process with the server's settings (DEBUG off, PostgreSQL phxpay_bench_login,
Axes and rate limits off), N sign-in POSTs of each kind with django.test.Client, a fresh client
each time:

- a registered user with the right password (the sign-in people wait for);
- the same user with a wrong password, and an unknown User Name (should cost the same);
- a pre-created e-bill user signing in with an account PIN (enrollment.backends).

Target: parameters at least OWASP's minimum; every kind of sign-in p50 ≤ 1.5 × the raw hash (one
Argon2 computation plus the request's own work; a second hash shows as about 2×, and also tells an
attacker which User Names are pre-created e-bill addresses).
"""

import argparse
import secrets
import sys
import time

import benchlib

DATABASE = "phxpay_bench_login"
TARGET_RATIO = 1.5
OWASP = {"memory_cost": 19 * 1024, "time_cost": 2, "parallelism": 1}  # KiB, iterations, lanes
PIN = "4321"


def raw_hash(hasher) -> float:
    """Seconds for one argon2 hash with the hasher's parameters (as Django's encode() calls it)."""
    from argon2.low_level import Type, hash_secret

    salt = secrets.token_bytes(16)
    start = time.perf_counter()
    hash_secret(
        b"Bench-Correct-Horse-9",
        salt,
        time_cost=hasher.time_cost,
        memory_cost=hasher.memory_cost,
        parallelism=hasher.parallelism,
        hash_len=32,
        type=Type.ID,
    )
    return time.perf_counter() - start


def sign_in(client, username: str, password: str, expect_redirect: bool) -> float:
    """Seconds for one sign-in POST from a client without cookies (no session yet)."""
    from http.cookies import SimpleCookie

    # One client throughout: a new Client builds a new handler, whose WhiteNoise middleware scans
    # every static file (seconds) on its first request, which gunicorn does once per worker.
    client.cookies = SimpleCookie()
    start = time.perf_counter()
    response = client.post("/en/login/", {"username": username, "password": password})
    seconds = time.perf_counter() - start
    if (response.status_code == 302) != expect_redirect:
        sys.exit(f"sign-in as {username!r} answered {response.status_code}")
    return seconds


def precreated_user():
    """A pre-created e-bill user (as the CIS import leaves it) holding one account with PIN."""
    from django.utils import timezone

    from accounts.models import User
    from enrollment.models import BillingAccount, Enrollment, Role
    from enrollment.pins import pin_digest

    email = "precreated.bench@example.net"
    benchlib.delete_users([email])
    number = "9300000001"
    account, _ = BillingAccount.objects.update_or_create(
        account_number=number,
        defaults={
            "service_address": "1 W Washington St, Phoenix, AZ 85003",
            "ebill_email": email,
            "pin_hash": pin_digest(account_number=number, pin=PIN),
            "failed_pin_attempts": 0,
            "lockouts": 0,
            "locked_until": None,
        },
    )
    user = User(
        username=email,
        email=email,
        confirmed_at=timezone.now(),
        precreated=True,
        must_change_password=True,
    )
    user.set_unusable_password()
    user.save()
    Enrollment.objects.create(user=user, account=account, role=Role.HOLDER)
    return user


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--attempts", type=int, default=20, help="timings per kind (20)")
    benchlib.json_option(parser)
    options = parser.parse_args()

    env = benchlib.prepare_database(DATABASE)
    benchlib.django_setup(env)
    from django.contrib.auth.hashers import Argon2PasswordHasher, get_hasher

    hasher = Argon2PasswordHasher()
    if not isinstance(get_hasher("default"), Argon2PasswordHasher):
        sys.exit(f"the default hasher is {get_hasher('default').algorithm}, not Argon2")
    params = {key: getattr(hasher, key) for key in OWASP}
    owasp_ok = all(params[key] >= minimum for key, minimum in OWASP.items())
    stated = (
        f"m={params['memory_cost'] / 1024:g} MiB, t={params['time_cost']}, "
        f"p={params['parallelism']}"
    )
    benchlib.log(f"Argon2id parameters: {stated}")

    regular = benchlib.make_user("benchlogin", own=0, first_number=0)
    precreated = precreated_user()
    kinds = [
        ("registered user, right password", regular.username, benchlib.BENCH_PASSWORD, True),
        ("registered user, wrong password", regular.username, "Wrong-Password-123", False),
        ("unknown User Name", "nobody-at-all", benchlib.BENCH_PASSWORD, False),
        ("pre-created e-bill user, right PIN", precreated.username, PIN, True),
    ]
    from django.test import Client

    client = Client()
    for _label, username, password, succeeds in kinds:  # warm-up: templates, connection
        sign_in(client, username, password, succeeds)
    benchlib.log(f"{options.attempts} rounds of: one raw hash, one sign-in of each kind")
    raw_seconds: list[float] = []
    seconds: dict[str, list[float]] = {label: [] for label, *_ in kinds}
    # Taking turns, so that the machine's load drifts over every kind alike.
    for _ in range(options.attempts):
        raw_seconds.append(raw_hash(hasher))
        for label, username, password, succeeds in kinds:
            seconds[label].append(sign_in(client, username, password, succeeds))
    raw = benchlib.median(raw_seconds)
    results = [(label, benchlib.median(values)) for label, values in seconds.items()]

    print()
    print(
        f"Argon2id {stated} (OWASP minimum m=19 MiB, t=2, p=1: "
        f"{'met' if owasp_ok else 'NOT met'}); in-process django.test.Client, DEBUG off; "
        f"medians of {options.attempts}; load average {benchlib.load_average()}"
    )
    print()
    print("| what | p50 | × raw hash | target ≤ 1.5× |")
    print("|---|---:|---:|:---:|")
    print(f"| raw argon2 hash ({stated}) | {benchlib.ms(raw)} | 1.00 | |")
    summaries = [
        benchlib.Summary(
            benchmark="5. Argon2id parameters (Argon2PasswordHasher)",
            measured=stated,
            limit="OWASP minimum m=19 MiB, t=2, p=1",
            ratio=f"{params['memory_cost'] / OWASP['memory_cost']:.1f}× the memory",
            target="≥ minimum",
            passed=owasp_ok,
        )
    ]
    for label, p50 in results:
        passed = p50 / raw <= TARGET_RATIO
        print(
            f"| sign-in POST, {label} | {benchlib.ms(p50)} | {p50 / raw:.2f} | "
            f"{'PASS' if passed else 'FAIL'} |"
        )
        if label.startswith(("registered user, right", "pre-created")):
            summaries.append(
                benchlib.Summary(
                    benchmark=f"5. Sign-in POST p50, {label}",
                    measured=benchlib.ms(p50),
                    limit=f"raw argon2 hash {benchlib.ms(raw)}",
                    ratio=f"{p50 / raw:.2f}×",
                    target="≤ 1.5×",
                    passed=passed,
                )
            )
    benchlib.write_json(options.json, summaries)


if __name__ == "__main__":
    main()
