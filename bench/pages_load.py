"""Throughput of the signed-in Account(s) page against /healthz, under wrk, on gunicorn.

    .venv/bin/python bench/pages_load.py [--duration 20] [--connections 32]

Collects static files, creates and migrates phxpay_bench_pages, creates a confirmed user enrolled
in 5 billing accounts and a signed-in session for it (made in this process the way
django.contrib.auth.login makes one, with the recent "auth_at" the portal requires), starts
`gunicorn phxpay.wsgi:application --workers 2` on a free port (DEBUG off, Redis cache db 5, rate
limits and Axes off), checks that /en/accounts/ answers 200 with the 5 accounts for that cookie, then
runs `wrk -t2 -c32 -d20s --latency` against /healthz and against /en/accounts/ and prints a Markdown
table: requests/s of both, the ratio (target ≥ 40% of /healthz), responses that were not a 200 with
the expected content or socket errors (target 0), p50 and p99 latency.
"""

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

import benchlib

DATABASE = "phxpay_bench_pages"
TARGET_SHARE = 0.40
ACCOUNTS = 5
FIRST_NUMBER = 9_100_000_001
LUA = Path(__file__).resolve().parent / "wrk_report.lua"


def wrk(url: str, marker: str, *, duration: int, connections: int, cookie: str = "") -> dict:
    args = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "-s", str(LUA)]
    if cookie:
        args += ["-H", f"Cookie: {cookie}"]
    args += [url, "--", marker]
    result = subprocess.run(args, capture_output=True, text=True, check=False)
    lines = [line for line in result.stdout.splitlines() if line.startswith("BENCH-JSON ")]
    if result.returncode != 0 or not lines:
        sys.exit(f"wrk failed:\n{result.stdout}{result.stderr}")
    figures = json.loads(lines[-1].removeprefix("BENCH-JSON "))
    figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
    figures["socket_errors"] = sum(figures[key] for key in ("connect", "read", "write", "timeout"))
    benchlib.log(
        f"  {url}: {figures['rps']:.1f} requests/s, p99 {figures['p99_us'] / 1000:.1f} ms, "
        f"{figures['bad']} not 200 with content, {figures['socket_errors']} socket errors"
    )
    return figures


def check_page(port: int, cookie: str, numbers: list[str]) -> None:
    status, headers, body = benchlib.get(port, "/en/accounts/", {"Cookie": cookie})
    text = body.decode(errors="replace")
    missing = [number for number in numbers if number not in text]
    if status != 200 or missing:
        sys.exit(
            f"/en/accounts/ answered {status} (Location: {headers.get('Location', '-')}) "
            f"without accounts {missing}: the session cookie does not sign in"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=20, help="seconds per wrk run (20)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (32)")
    benchlib.json_option(parser)
    options = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed (apt-get install -y wrk).")

    benchlib.log("collecting static files")
    benchlib.collectstatic()
    env = benchlib.prepare_database(DATABASE)
    benchlib.django_setup(env)
    user = benchlib.make_user("benchpages", own=ACCOUNTS, first_number=FIRST_NUMBER)
    numbers = [f"{FIRST_NUMBER + index:010d}" for index in range(ACCOUNTS)]
    cookie = benchlib.session_cookie(user)
    from django.db import connections

    connections.close_all()  # nothing of this process stays in the measured database

    port = benchlib.free_port()
    base = f"http://127.0.0.1:{port}"
    runs = {}
    with benchlib.gunicorn(env, port):
        check_page(port, cookie, numbers)
        benchlib.log("warming up")
        wrk(f"{base}/healthz", '"ok"', duration=2, connections=options.connections)
        wrk(f"{base}/en/accounts/", numbers[-1], duration=2, connections=4, cookie=cookie)
        benchlib.log(f"wrk -t2 -c{options.connections} -d{options.duration}s:")
        runs["healthz"] = wrk(
            f"{base}/healthz", '"ok"', duration=options.duration, connections=options.connections
        )
        runs["accounts"] = wrk(
            f"{base}/en/accounts/",
            numbers[-1],
            duration=options.duration,
            connections=options.connections,
            cookie=cookie,
        )
        # Still signed in after the run (a session ended half-way would show as bad responses).
        check_page(port, cookie, numbers)

    health, page = runs["healthz"], runs["accounts"]
    share = page["rps"] / health["rps"]
    errors = sum(run["bad"] + run["socket_errors"] for run in runs.values())
    share_ok = share >= TARGET_SHARE
    print()
    print(
        f"gunicorn 2 sync workers; wrk -t2 -c{options.connections} -d{options.duration}s; "
        f"Account(s) for a user with {ACCOUNTS} accounts; load average {benchlib.load_average()}"
    )
    print()
    print(
        "| URL | requests | requests/s | p50 | p99 | not 200 with content | socket errors "
        "(connect/read/write/timeout) | no errors |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|:---:|")
    for label, run in (("/healthz", health), ("/en/accounts/", page)):
        kinds = "/".join(str(run[key]) for key in ("connect", "read", "write", "timeout"))
        print(
            f"| {label} | {run['requests']} | {run['rps']:.1f} | {run['p50_us'] / 1000:.1f} ms | "
            f"{run['p99_us'] / 1000:.1f} ms | {run['bad']} | {run['socket_errors']} ({kinds}) | "
            f"{'PASS' if run['bad'] + run['socket_errors'] == 0 else 'FAIL'} |"
        )
    print(
        f"| Account(s) / healthz | | {100 * share:.0f}% | | | | | "
        f"{'PASS' if share_ok else 'FAIL'} (target ≥ {100 * TARGET_SHARE:.0f}%) |"
    )
    benchlib.write_json(
        options.json,
        [
            benchlib.Summary(
                benchmark=f"2a. Account(s) page ({ACCOUNTS} accounts) requests/s under wrk",
                measured=f"{page['rps']:.1f} req/s, p99 {page['p99_us'] / 1000:.0f} ms",
                limit=f"/healthz {health['rps']:.1f} req/s, p99 {health['p99_us'] / 1000:.0f} ms",
                ratio=f"{100 * share:.0f}%",
                target="≥ 40%",
                passed=share_ok,
            ),
            benchlib.Summary(
                benchmark="2b. Responses not 200 with the accounts, socket errors",
                measured=f"{page['bad']} + {page['socket_errors']} of {page['requests']}"
                f" (timeouts: {page['timeout']})",
                limit=f"/healthz {health['bad']} + {health['socket_errors']}",
                ratio="—",
                target="0",
                passed=errors == 0,
            ),
        ],
    )


if __name__ == "__main__":
    main()
