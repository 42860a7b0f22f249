"""Account(s), Details and Account Settings: only your own accounts, constant queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from enrollment import messages
from enrollment.models import BillingAccount, Enrollment
from enrollment.selectors import ACCOUNTS_PER_PAGE
from tests.conftest import url
from tests.factories import BillingAccountFactory, EnrollmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_accounts_list_shows_number_address_balance_due_date_and_role(signed_in_client, user):
    account = BillingAccountFactory(
        account_number="1234567890", service_address="200 W Washington St", balance="1234.50"
    )
    EnrollmentFactory(user=user, account=account, nickname="Home")
    html = signed_in_client.get(url("en", "enrollment:accounts")).content.decode()
    assert "1234567890" in html and "200 W Washington St" in html and "Home" in html
    assert "$1,234.50" in html
    assert "Account holder" in html


def test_details_shows_holder_address_balance_due_and_ebill(signed_in_client, user):
    account = BillingAccountFactory(
        first_name="Rosa", last_name="Valdez", ebill_email="r@example.com", paperless=True
    )
    EnrollmentFactory(user=user, account=account)
    html = signed_in_client.get(
        url("en", "enrollment:details", account_id=account.pk)
    ).content.decode()
    assert "Rosa Valdez" in html and account.service_address in html
    assert "bills are emailed to r@example.com" in html


def test_details_menu_goes_to_the_first_account_or_to_the_list(signed_in_client, user):
    response = signed_in_client.get(url("en", "enrollment:details_first"))
    assert response["Location"] == url("en", "enrollment:accounts")
    account = BillingAccountFactory()
    EnrollmentFactory(user=user, account=account)
    response = signed_in_client.get(url("en", "enrollment:details_first"))
    assert response["Location"] == url("en", "enrollment:details", account_id=account.pk)


def test_selector_lists_every_account_when_there_are_several(signed_in_client, user):
    first, second = BillingAccountFactory(), BillingAccountFactory()
    EnrollmentFactory(user=user, account=first)
    EnrollmentFactory(user=user, account=second)
    html = signed_in_client.get(
        url("en", "enrollment:details", account_id=first.pk)
    ).content.decode()
    assert url("en", "enrollment:details", account_id=second.pk) in html
    assert "Choose an account" in html


@pytest.mark.parametrize("name", ["enrollment:details", "enrollment:settings", "enrollment:remove"])
def test_someone_elses_account_is_not_found(signed_in_client, name):
    theirs = EnrollmentFactory(user=UserFactory()).account
    assert signed_in_client.get(url("en", name, account_id=theirs.pk)).status_code == 404
    assert (
        signed_in_client.post(url("en", name, account_id=theirs.pk), {"nickname": "x"}).status_code
        == 404
    )


def test_settings_save_nickname_paperless_and_billing_email(signed_in_client, user):
    account = BillingAccountFactory()
    EnrollmentFactory(user=user, account=account)
    response = signed_in_client.post(
        url("en", "enrollment:settings", account_id=account.pk),
        {"nickname": "Rental", "paperless": "on", "ebill_email": "bills@example.com"},
    )
    assert response.status_code == 302
    page = signed_in_client.get(response["Location"]).content.decode()
    assert str(messages.SETTINGS_SAVED) in page
    account.refresh_from_db()
    assert account.paperless and account.ebill_email == "bills@example.com"
    assert Enrollment.objects.get(user=user, account=account).nickname == "Rental"


def test_paperless_needs_an_email_and_bad_email_changes_nothing(signed_in_client, user):
    account = BillingAccountFactory(ebill_email="")
    EnrollmentFactory(user=user, account=account)
    for data in ({"paperless": "on", "ebill_email": ""}, {"ebill_email": "not-an-email"}):
        response = signed_in_client.post(
            url("en", "enrollment:settings", account_id=account.pk), data
        )
        assert response.status_code == 200
        assert 'id="error-summary"' in response.content.decode()
    account.refresh_from_db()
    assert not account.paperless and account.ebill_email == ""


def test_view_only_users_cannot_change_account_level_settings(signed_in_client, user):
    account = BillingAccountFactory(ebill_email="holder@example.com")
    EnrollmentFactory(user=user, account=account, role="view")
    page = signed_in_client.get(url("en", "enrollment:settings", account_id=account.pk))
    assert str(messages.VIEW_ONLY) in page.content.decode()
    signed_in_client.post(
        url("en", "enrollment:settings", account_id=account.pk),
        {"nickname": "Mine", "paperless": "on", "ebill_email": "attacker@example.com"},
    )
    account.refresh_from_db()
    assert account.ebill_email == "holder@example.com" and not account.paperless


def test_remove_asks_for_confirmation_then_removes_only_the_link(signed_in_client, user):
    account = BillingAccountFactory(account_number="1234567890")
    EnrollmentFactory(user=user, account=account)
    confirm = signed_in_client.get(url("en", "enrollment:remove", account_id=account.pk))
    assert confirm.status_code == 200 and user.enrollments.exists()
    response = signed_in_client.post(url("en", "enrollment:remove", account_id=account.pk))
    page = signed_in_client.get(response["Location"]).content.decode()
    assert (messages.REMOVED % {"account": "1234567890"}) in page
    assert not user.enrollments.exists()
    assert BillingAccount.objects.filter(pk=account.pk).exists()


def _enroll_many(user, count):
    for account in BillingAccountFactory.create_batch(count):
        EnrollmentFactory(user=user, account=account)


@pytest.mark.parametrize(
    "name", ["enrollment:accounts", "enrollment:details", "enrollment:settings"]
)
def test_pages_run_the_same_number_of_queries_for_1_and_a_full_page_of_accounts(client, name):
    # A longer list than one page costs Account(s) one count more (tests/enrollment/test_many_accounts.py).
    counts = []
    for count in (1, ACCOUNTS_PER_PAGE - 1):
        user = UserFactory()
        _enroll_many(user, count)
        client.force_login(user)
        first = user.enrollments.first().account_id
        kwargs = {} if name == "enrollment:accounts" else {"account_id": first}
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url("en", name, **kwargs)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


@pytest.mark.parametrize(
    "name", ["enrollment:accounts", "enrollment:details", "enrollment:settings"]
)
def test_account_pages_stay_within_a_small_query_budget(
    client, name, django_assert_max_num_queries
):
    user = UserFactory()
    _enroll_many(user, 50)
    client.force_login(user)
    kwargs = (
        {} if name == "enrollment:accounts" else {"account_id": user.enrollments.first().account_id}
    )
    # session + user + this page's queries + the session save (in a savepoint). Details also has
    # its bills (one query), payments on their way, portal payments and CIS-posted payments
    # (payments.views.payments_section): a fixed number, whatever the number of bills or accounts.
    budget = {"enrollment:accounts": 8, "enrollment:details": 11, "enrollment:settings": 8}[name]
    with django_assert_max_num_queries(budget):
        assert client.get(url("en", name, **kwargs)).status_code == 200
