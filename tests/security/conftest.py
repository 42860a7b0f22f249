"""Fixtures of the security suite: many browsers (users, attackers), each a fresh test Client.

Every Client shares one handler (tests/conftest.py), so making many of them costs nothing.
"""

import os
import tempfile

import pytest
from django.test import Client

from tests.conftest import staff_signed_in
from tests.factories import BillingAccountFactory, EnrollmentFactory, UserFactory

# Hypothesis keeps its example database and constants cache outside the work tree.
os.environ.setdefault(
    "HYPOTHESIS_STORAGE_DIRECTORY", os.path.join(tempfile.gettempdir(), "phxpay-hypothesis")
)


def signed_in(user, **defaults) -> Client:
    client = Client(**defaults)
    client.force_login(user)
    return client


@pytest.fixture
def holding(user):
    """`user` holds one billing account (PIN 2468)."""
    account = BillingAccountFactory(account_number="4000000001", service_address="200 W Main St")
    return EnrollmentFactory(user=user, account=account)


@pytest.fixture
def staff_client(db):
    staff = UserFactory(username="cityStaff", is_staff=True, is_superuser=True)
    return staff_signed_in(Client(), staff)


def domain_state():
    """Everything a form could wrongly change: users, accounts, enrollments, invitations, email changes."""
    from accounts.models import EmailChange, User
    from enrollment.models import BillingAccount, Enrollment, Invitation

    return (
        list(
            User.objects.order_by("pk").values_list(
                "pk",
                "username",
                "first_name",
                "last_name",
                "email",
                "password",
                "preferred_language",
                "confirmed_at",
                "confirmation_token_hash",
                "must_change_password",
            )
        ),
        list(
            Enrollment.objects.order_by("pk").values_list(
                "pk", "user_id", "account_id", "role", "nickname"
            )
        ),
        list(
            BillingAccount.objects.order_by("pk").values_list(
                "pk", "paperless", "ebill_email", "pin_hash"
            )
        ),
        list(
            Invitation.objects.order_by("pk").values_list(
                "pk", "email", "role", "revoked_at", "sent_at"
            )
        ),
        list(EmailChange.objects.order_by("pk").values_list("pk", "new_email", "token_hash")),
    )
