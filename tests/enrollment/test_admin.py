"""Staff view of billing accounts and enrollments in the admin."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from enrollment.models import BillingAccount
from enrollment.pins import pin_matches
from tests.conftest import staff_signed_in
from tests.factories import BillingAccountFactory, EnrollmentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    staff_signed_in(client, UserFactory(username="cityStaff", is_staff=True, is_superuser=True))
    return client


def admin_url(name, *args, lang="en"):
    with translation.override(lang):
        return reverse(f"admin:enrollment_{name}", args=args)


@pytest.mark.parametrize("query", ["1234567890", "Valdez", "Camelback", "rosa@example.com"])
def test_accounts_are_searchable(staff_client, query):
    BillingAccountFactory(
        account_number="1234567890",
        last_name="Valdez",
        service_address="1 E Camelback Rd",
        ebill_email="rosa@example.com",
    )
    BillingAccountFactory(
        account_number="5555555555", last_name="Other", service_address="9 N 1st St"
    )
    html = staff_client.get(admin_url("billingaccount_changelist"), {"q": query}).content.decode()
    assert "1234567890" in html and "5555555555" not in html


def test_change_page_never_shows_the_pin_hash(staff_client):
    account = BillingAccountFactory()
    EnrollmentFactory(account=account, user=UserFactory(username="enrolledUser"))
    html = staff_client.get(admin_url("billingaccount_change", account.pk)).content.decode()
    assert account.pin_hash not in html
    assert "enrolledUser" in html


def test_staff_can_set_a_new_pin_which_is_hashed(staff_client):
    account = BillingAccountFactory(account_number="1234567890")
    response = staff_client.post(
        admin_url("billingaccount_change", account.pk),
        {
            "account_number": "1234567890",
            "first_name": "William",
            "last_name": "Sample",
            "service_address": account.service_address,
            "ebill_email": "",
            "balance": "10.00",
            "due_date": "2026-12-01",
            "new_pin": "9753",
            "enrollments-TOTAL_FORMS": "0",
            "enrollments-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    account.refresh_from_db()
    assert pin_matches(account_number="1234567890", pin="9753", digest=account.pin_hash)
    assert "9753" not in account.pin_hash


def test_unlock_action_with_translated_message(staff_client):
    account = BillingAccountFactory()
    BillingAccount.objects.filter(pk=account.pk).update(
        locked_until=timezone.now() + timedelta(hours=1), failed_pin_attempts=3, lockouts=2
    )
    response = staff_client.post(
        admin_url("billingaccount_changelist", lang="es"),
        {"action": "unlock", "_selected_action": [account.pk]},
        follow=True,
    )
    with translation.override("es"):
        expected = translation.ngettext(
            "%(count)d account was unlocked.", "%(count)d accounts were unlocked.", 1
        ) % {"count": 1}
    assert expected in response.content.decode()
    account.refresh_from_db()
    assert account.locked_until is None and account.lockouts == 0


def test_lock_state_and_failed_attempts_are_listed(staff_client):
    BillingAccountFactory(account_number="1234567890")
    BillingAccount.objects.update(
        locked_until=timezone.now() + timedelta(hours=1), failed_pin_attempts=2
    )
    html = staff_client.get(admin_url("billingaccount_changelist")).content.decode()
    assert "Locked until" in html


@pytest.mark.parametrize("query", ["enrolledUser", "1234567890"])
def test_enrollments_searchable_by_user_and_account(staff_client, query):
    EnrollmentFactory(
        user=UserFactory(username="enrolledUser"),
        account=BillingAccountFactory(account_number="1234567890"),
    )
    EnrollmentFactory(
        user=UserFactory(username="someoneElse"),
        account=BillingAccountFactory(account_number="5555555555"),
    )
    html = staff_client.get(admin_url("enrollment_changelist"), {"q": query}).content.decode()
    assert "1234567890" in html and "5555555555" not in html
