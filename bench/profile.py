"""Where a signed-in page's time goes, beside the anonymous Home (bench/README.md, "Profiles").

    .venv/bin/python bench/profile.py [--accounts 1] [--requests 300] [--output FILE]

Serves the pages in this process through Django's test client with the production settings
bench/run.py gives gunicorn (DEBUG off, Redis cache and sessions, PostgreSQL), on its own
throw-away database phxpay_bench_profile. Prints the CPU time per request of the anonymous Home
and of Account(s) for a user with --accounts accounts (each the best of 5 batches), then
pyinstrument's call tree of the Account(s) requests.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import run  # noqa: E402  (bench/run.py: the servers' settings, its database helper)

DATABASE = "phxpay_bench_profile"  # dropped and recreated


def cpu_ms(client, path: str, requests: int) -> float:
    """CPU milliseconds per request, the best of 5 batches (the least disturbed by the machine)."""
    batches = []
    for _ in range(5):
        start = time.process_time()
        for _ in range(requests // 5):
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
        batches.append((time.process_time() - start) / (requests // 5) * 1000)
    return min(batches)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--accounts", type=int, default=1, help="the user's accounts (1)")
    parser.add_argument("--requests", type=int, default=300, help="requests of each page (300)")
    parser.add_argument("--output", help="also write the report to this file")
    options = parser.parse_args()

    run.DATABASE = DATABASE
    url = run.fresh_database()
    os.environ.update(run.SERVER_ENV | {"DATABASE_URL": url, "ALLOWED_HOSTS": "testserver"})
    os.environ["DJANGO_SETTINGS_MODULE"] = "phxpay.settings"
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse
    from django.utils import translation
    from pyinstrument import Profiler

    from tests.factories import EnrollmentFactory, UserFactory, monthly_bills

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    cache.clear()
    user = UserFactory()
    for _ in range(options.accounts):
        monthly_bills(EnrollmentFactory(user=user).account, 1)
    signed_in, anonymous = Client(), Client()
    signed_in.force_login(user)
    with translation.override("en"):
        home, accounts = reverse("home"), reverse("enrollment:accounts")
    for _ in range(20):  # warm: templates compiled, the rows kept, connections open
        signed_in.get(accounts)
        anonymous.get(home)
    figures = {
        "home": cpu_ms(anonymous, home, options.requests),
        "accounts": cpu_ms(signed_in, accounts, options.requests),
    }
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(options.requests):
        signed_in.get(accounts)
    profiler.stop()
    lines = [
        f"CPU per request, best of 5 batches of {options.requests // 5}: anonymous Home "
        f"{figures['home']:.2f} ms; Account(s) with {options.accounts} account(s) "
        f"{figures['accounts']:.2f} ms ({figures['accounts'] / figures['home']:.1f}×).",
        "",
        profiler.output_text(unicode=False, color=False),
    ]
    report = "\n".join(lines)
    print(report)
    if options.output:
        Path(options.output).write_text(report)


if __name__ == "__main__":
    main()
