"""Account(s) keeps its rendered rows under a key of everything they show: unchanged rows are not
rendered again, and no change (an amount, a due date, a payment on its way, a tick, the language,
the day) can ever show an old copy."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from enrollment.models import BillingAccount
from payments.models import Status
from tests.conftest import url
from tests.factories import BillingAccountFactory, EnrollmentFactory, paid

pytestmark = pytest.mark.django_db

ROWS = "enrollment/_account_rows.html"


@pytest.fixture
def account(user):
    account = BillingAccountFactory(balance=Decimal("84.17"), due_date=timezone.localdate())
    EnrollmentFactory(user=user, account=account)
    return account


def rendered(response) -> set[str]:
    return {template.name for template in response.templates}


def test_unchanged_rows_are_not_rendered_again(signed_in_client, account):
    assert ROWS in rendered(signed_in_client.get(url("en", "enrollment:accounts")))
    again = signed_in_client.get(url("en", "enrollment:accounts"))
    assert ROWS not in rendered(again)
    assert "$84.17" in again.content.decode()


def test_a_new_balance_is_shown_at_once(signed_in_client, account):
    signed_in_client.get(url("en", "enrollment:accounts"))
    BillingAccount.objects.filter(pk=account.pk).update(balance=Decimal("12.50"))
    page = signed_in_client.get(url("en", "enrollment:accounts")).content.decode()
    assert "$12.50" in page and "$84.17" not in page


def test_a_due_date_passing_shows_past_due(signed_in_client, account, monkeypatch):
    page = signed_in_client.get(url("en", "enrollment:accounts")).content.decode()
    assert "Past due" not in page
    tomorrow = timezone.localdate() + timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    assert "Past due" in signed_in_client.get(url("en", "enrollment:accounts")).content.decode()


def test_a_payment_on_its_way_is_shown_at_once(signed_in_client, account, user):
    signed_in_client.get(url("en", "enrollment:accounts"))
    paid(account, amount="84.17", user=user, status=Status.PENDING)
    page = signed_in_client.get(url("en", "enrollment:accounts")).content.decode()
    assert "Payment pending: $84.17" in page


def test_a_tick_and_the_language_are_part_of_the_key(signed_in_client, account):
    signed_in_client.get(url("en", "enrollment:accounts"))
    ticked = signed_in_client.get(url("en", "enrollment:accounts"), {"account": account.pk})
    assert f'id="pay_{account.pk}" checked' in ticked.content.decode()
    spanish = signed_in_client.get(url("es", "enrollment:accounts")).content.decode()
    assert "Detalles" in spanish and f'id="pay_{account.pk}" checked' not in spanish
