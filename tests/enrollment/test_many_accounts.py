"""Landlords and HOAs: Account(s) with hundreds of accounts pages by 50, puts past-due accounts
first, searches, and keeps "Pay selected" choices from page to page; its queries do not grow."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

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


def test_queries_are_the_same_for_1_50_and_200_accounts():
    counts = []
    for count in (1, 50, 200):
        _user, client = landlord(count)
        client.get(reverse("enrollment:accounts"))
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("enrollment:accounts"))
        counts.append(len(queries))
    assert len(set(counts)) == 1, counts
