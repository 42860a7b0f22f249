"""Landlords and HOAs: Account(s) with hundreds of accounts pages by 50, puts past-due accounts
first, searches, and keeps "Pay selected" choices from page to page; its queries do not grow."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from enrollment.models import Invitation
from enrollment.selectors import ACCOUNTS_PER_PAGE
from tests.factories import BillingAccountFactory, EnrollmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def landlord(count: int):
    user = UserFactory()
    for n in range(count):
        EnrollmentFactory(
            user=user,
            nickname=f"Unit {n}",
            account=BillingAccountFactory(service_address=f"{100 + n} N Central Ave"),
        )
    client = Client()
    client.force_login(user)
    return user, client


def test_fifty_accounts_a_page(django_assert_max_num_queries):
    _user, client = landlord(ACCOUNTS_PER_PAGE + 5)
    first = client.get(reverse("enrollment:accounts"))
    assert len(first.context["enrollments"]) == ACCOUNTS_PER_PAGE
    second = client.get(reverse("enrollment:accounts"), {"page": 2})
    assert len(second.context["enrollments"]) == 5
    assert client.get(reverse("enrollment:accounts"), {"page": "junk"}).status_code == 200


def test_past_due_accounts_come_first():
    user, client = landlord(3)
    late = EnrollmentFactory(
        user=user,
        account=BillingAccountFactory(
            balance="40.00", due_date=timezone.localdate() - timedelta(days=2)
        ),
    )
    listing = client.get(reverse("enrollment:accounts")).context["enrollments"]
    assert listing[0] == late


@pytest.mark.parametrize("query", ["Unit 7", "107 N Central", "central ave"])
def test_search_by_nickname_or_address(query):
    _user, client = landlord(12)
    found = client.get(reverse("enrollment:accounts"), {"q": query}).context["enrollments"]
    assert len(found) == (12 if query == "central ave" else 1)


def test_search_by_account_number_with_dashes():
    user, client = landlord(2)
    target = EnrollmentFactory(
        user=user, account=BillingAccountFactory(account_number="4055501234")
    )
    found = client.get(reverse("enrollment:accounts"), {"q": "405-550-1234"}).context["enrollments"]
    assert found == [target]


def test_choices_on_other_pages_travel_with_pay_selected():
    user, client = landlord(ACCOUNTS_PER_PAGE + 2)
    on_page_one = client.get(reverse("enrollment:accounts")).context["enrollments"][0].account_id
    page_two = client.get(reverse("enrollment:accounts"), {"page": 2, "account": on_page_one})
    html = page_two.content.decode()
    assert f'<input type="hidden" name="account" value="{on_page_one}">' in html
    assert "1 account selected on another page." in html
    back = client.get(reverse("enrollment:accounts"), {"page": 1, "account": on_page_one})
    assert f'id="pay_{on_page_one}" checked' in back.content.decode()


def test_queries_do_not_grow_with_accounts():
    counts = []
    for count in (1, 49, 51, 200, 1000):
        _user, client = landlord(count)
        client.get(reverse("enrollment:accounts"))
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("enrollment:accounts"))
        counts.append(len(queries))
    # A list that fits on one page needs no count; a longer one needs exactly one more query.
    assert counts[0] == counts[1]
    assert counts[2] == counts[3] == counts[4] == counts[0] + 1, counts


@pytest.mark.parametrize(
    ("asked", "shown"), [("3", 3), ("99", 3), ("0", 1), ("x", 1), ("9" * 40, 3), ("-2", 1)]
)
def test_a_page_past_the_end_shows_the_last_and_nonsense_the_first(asked, shown):
    _user, client = landlord(2 * ACCOUNTS_PER_PAGE + 1)
    response = client.get(reverse("enrollment:accounts"), {"page": asked})
    assert response.status_code == 200
    assert response.context["listing"].number == shown
    assert len(response.context["enrollments"]) == (1 if shown == 3 else ACCOUNTS_PER_PAGE)


def test_the_list_leaves_pin_and_password_hashes_in_the_database():
    user, client = landlord(1)
    inviter = UserFactory(first_name="Ana", last_name="Ruiz")
    enrollment = user.enrollments.get()
    enrollment.invitation = Invitation.objects.create(
        account=enrollment.account,
        invited_by=inviter,
        email=user.email,
        expires_at=timezone.now() + timedelta(days=1),
    )
    enrollment.save()
    listed = client.get(reverse("enrollment:accounts")).context["enrollments"][0]
    assert {"pin_hash"} <= listed.account.get_deferred_fields()
    assert {"password"} <= listed.invitation.invited_by.get_deferred_fields()
    assert "Shared by Ana Ruiz" in client.get(reverse("enrollment:accounts")).content.decode()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner")
def test_a_landlords_list_is_never_read_by_a_parallel_scan():
    """With statistics that know each of these users holds 1,000 accounts, and parallel plans
    made as cheap as they can be, the list still reads the user's enrollments by index (the
    other tables here are too small for their plans to mean anything)."""
    from enrollment.models import BillingAccount, Enrollment
    from enrollment.selectors import account_list

    accounts = BillingAccount.objects.bulk_create(
        BillingAccountFactory.build(pin_hash="not-a-pin") for _ in range(1000)
    )
    users = [UserFactory() for _ in range(20)]
    Enrollment.objects.bulk_create(
        Enrollment(user=user, account=account) for user in users for account in accounts
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE enrollment_enrollment")
        for setting in (
            "min_parallel_table_scan_size",
            "parallel_setup_cost",
            "parallel_tuple_cost",
        ):
            cursor.execute(f"SET LOCAL {setting} = 0")
        with CaptureQueriesContext(connection) as queries:
            account_list(user=users[0], page=2)
        plans = []
        for query in queries.captured_queries:
            cursor.execute(f"EXPLAIN {query['sql']}")
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
    assert len(plans) == 2  # the page and the count
    reads = [
        line.strip()
        for plan in plans
        for line in plan.splitlines()
        if " on enrollment_enrollment" in line
    ]
    assert len(reads) == 2, plans
    assert not [read for read in reads if "Parallel" in read or "Seq Scan" in read], plans
