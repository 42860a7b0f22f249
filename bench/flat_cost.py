"""Account(s) and Details cost the same whether the user has 1 or 100 enrolled accounts.

    .venv/bin/python bench/flat_cost.py [--requests 200]

Creates and migrates phxpay_bench_flat, then, in this process with the server's settings (DEBUG
off, PostgreSQL, Redis cache db 5), creates four confirmed users:

- "own": 1 account vs 100 accounts, all enrolled as holder (the Enroll form's result);
- "shared": 1 account vs 100 accounts of which 50 (alternating) came from another holder's accepted
  invitation, shown as "Shared by …".

For each page (Account(s); Details of the first account, resp. of the first shared one) it signs the
users in with django.test.Client.force_login, counts the queries of one request with
CaptureQueriesContext (target: the same for 1 and 100 accounts), then times N requests of each
user, alternating the two so that the machine's load drifts over both alike, and compares the
medians (target: p50 with 100 accounts ≤ 1.3 × p50 with 1).
"""

import argparse
import re
import sys
import time
from collections import Counter

import benchlib

DATABASE = "phxpay_bench_flat"
TARGET_RATIO = 1.3
MANY = 100
WARM_UP = 10


def query_count(client, path: str) -> tuple[int, list[str]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    if response.status_code != 200:
        sys.exit(f"{path} answered {response.status_code}, not 200")
    return len(queries), [query["sql"] for query in queries.captured_queries]


def extra_queries(sql_one: list[str], sql_many: list[str]) -> str:
    """The statements (numbers and quoted values blanked) the bigger page runs more often."""
    shape = re.compile(r"'[^']*'|\b\d+\b")
    one = Counter(shape.sub("?", sql) for sql in sql_one)
    many = Counter(shape.sub("?", sql) for sql in sql_many)
    lines = [
        f"  {count - one[sql]} more × {sql[:160]}…"
        for sql, count in many.most_common()
        if count > one[sql]
    ]
    return "\n".join(["  extra queries with more accounts:", *lines])


def timings(pairs: list[tuple[object, str]], requests: int) -> list[list[float]]:
    """Seconds per request for each (client, path), the pairs taking turns."""
    for client, path in pairs:
        for _ in range(WARM_UP):
            client.get(path)
    seconds: list[list[float]] = [[] for _ in pairs]
    for _ in range(requests):
        for index, (client, path) in enumerate(pairs):
            start = time.perf_counter()
            response = client.get(path)
            seconds[index].append(time.perf_counter() - start)
            if response.status_code != 200:
                sys.exit(f"{path} answered {response.status_code}, not 200")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--requests", type=int, default=200, help="timed requests per user and page (200)"
    )
    benchlib.json_option(parser)
    options = parser.parse_args()

    env = benchlib.prepare_database(DATABASE)
    benchlib.django_setup(env)
    from django.test import Client
    from django.urls import reverse

    from enrollment.models import Enrollment

    users = {
        ("own", 1): benchlib.make_user("flatown1", own=1, first_number=9_200_000_000),
        ("own", MANY): benchlib.make_user("flatown100", own=MANY, first_number=9_200_001_000),
        ("shared", 1): benchlib.make_user(
            "flatshared1", own=0, shared=1, first_number=9_200_002_000
        ),
        ("shared", MANY): benchlib.make_user(
            "flatshared100", own=MANY // 2, shared=MANY // 2, first_number=9_200_003_000
        ),
    }
    clients = {}
    for key, user in users.items():
        clients[key] = Client()
        clients[key].force_login(user)

    def details_path(user, kind: str) -> str:
        enrollments = Enrollment.objects.filter(user=user).order_by("created_at", "pk")
        if kind == "shared":
            enrollments = enrollments.filter(invitation__isnull=False)
        return reverse("enrollment:details", args=[enrollments.first().account_id])

    accounts_path = "/en/accounts/"
    rows, summaries = [], []
    for page in ("Account(s)", "Details"):
        for kind in ("own", "shared"):
            one, many = users[(kind, 1)], users[(kind, MANY)]
            if page == "Account(s)":
                path_one = path_many = accounts_path
            else:
                path_one, path_many = details_path(one, kind), details_path(many, kind)
            label = f"{page}, {kind}"
            benchlib.log(f"{label}: {options.requests} requests each for 1 and {MANY} accounts")
            count_one, sql_one = query_count(clients[(kind, 1)], path_one)
            count_many, sql_many = query_count(clients[(kind, MANY)], path_many)
            if count_one != count_many:
                benchlib.log(extra_queries(sql_one, sql_many))
            seconds_one, seconds_many = timings(
                [(clients[(kind, 1)], path_one), (clients[(kind, MANY)], path_many)],
                options.requests,
            )
            p50_one, p50_many = benchlib.median(seconds_one), benchlib.median(seconds_many)
            ratio = p50_many / p50_one
            passed = count_one == count_many and ratio <= TARGET_RATIO
            rows.append(
                f"| {label} | {count_one} | {count_many} | {benchlib.ms(p50_one)} | "
                f"{benchlib.ms(p50_many)} | {ratio:.2f} | {'PASS' if passed else 'FAIL'} |"
            )
            what = (
                "all enrolled as holder"
                if kind == "own"
                else f"{MANY // 2} of {MANY} shared by invitation"
            )
            summaries.append(
                benchlib.Summary(
                    benchmark=f"3. {page} page, {MANY} vs 1 accounts ({what})",
                    measured=f"{count_many} queries, p50 {benchlib.ms(p50_many)}",
                    limit=f"1 account: {count_one} queries, p50 {benchlib.ms(p50_one)}",
                    ratio=f"{ratio:.2f}×"
                    + ("" if count_one == count_many else f", +{count_many - count_one} queries"),
                    target="same queries, ≤ 1.3×",
                    passed=passed,
                )
            )

    print()
    print(
        f"In-process django.test.Client, DEBUG off, PostgreSQL; p50 of {options.requests} requests "
        f"per user; load average {benchlib.load_average()}"
    )
    print()
    print(
        f"| page, enrollments | queries, 1 account | queries, {MANY} | p50, 1 account | "
        f"p50, {MANY} | ratio | same queries, ≤ 1.3× |"
    )
    print("|---|---:|---:|---:|---:|---:|:---:|")
    print("\n".join(rows))
    benchlib.write_json(options.json, summaries)


if __name__ == "__main__":
    main()
