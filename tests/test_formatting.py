"""Money, dates and times follow U.S. conventions in both languages, as the City of Phoenix writes them."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import formats, translation

from enrollment.models import BillingAccount
from phxpay.formatting import day, moment, money
from tests.conftest import url
from tests.factories import BillingAccountFactory, EnrollmentFactory

EVENING = datetime(2026, 12, 1, 20, 13, tzinfo=ZoneInfo("America/Phoenix"))


@pytest.mark.parametrize("language", ["en", "es"])
def test_amounts_use_the_us_separators_in_both_languages(language):
    assert money(Decimal("84.17"), language=language) == "$84.17"
    assert money(Decimal("1234.56"), language=language) == "$1,234.56"
    assert money(Decimal("-12.5"), language=language) == "-$12.50"


def test_spanish_times_are_twelve_hour_with_p_m():
    assert moment(EVENING, language="es") == "1 de diciembre de 2026, 8:13\u00a0p.m."
    assert moment(EVENING, language="en") == "December 1, 2026, 8:13\u00a0PM"
    assert day(date(2026, 12, 1), language="es") == "1 de diciembre de 2026"


def test_times_are_phoenix_time_whatever_zone_they_come_in():
    utc = EVENING.astimezone(ZoneInfo("UTC"))
    assert moment(utc, language="en") == "December 1, 2026, 8:13\u00a0PM"


def test_djangos_own_spanish_formats_are_us_spanish_in_the_admin_and_forms():
    with translation.override("es"):
        assert (
            formats.date_format(EVENING, "DATETIME_FORMAT") == "1 de diciembre de 2026, 8:13 p.m."
        )
        assert formats.number_format(Decimal("1234.56"), 2, force_grouping=True) == "1,234.56"
        assert formats.date_format(EVENING, "SHORT_DATE_FORMAT") == "12/01/2026"


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "es"])
def test_the_accounts_and_details_pages_show_us_amounts(signed_in_client, user, language):
    account = BillingAccountFactory(balance=Decimal("1234.56"), due_date=date(2026, 12, 21))
    EnrollmentFactory(user=user, account=account)
    for page in (
        url(language, "enrollment:accounts"),
        url(language, "enrollment:details", account_id=account.pk),
    ):
        html = signed_in_client.get(page).content.decode()
        assert "$1,234.56" in html, page
        assert "1.234,56" not in html and "1234,56" not in html
    assert ("21 de diciembre de 2026" if language == "es" else "December 21, 2026") in html


@pytest.mark.django_db
def test_the_spanish_lockout_message_gives_a_twelve_hour_time(signed_in_client):
    account = BillingAccountFactory()
    with translation.override("es"):
        for _ in range(5):
            response = signed_in_client.post(
                url("es", "enrollment:enroll"),
                {"account_number": account.account_number, "pin": "5822"},
            )
    html = response.content.decode()
    account = BillingAccount.objects.get(pk=account.pk)
    assert moment(account.locked_until, language="es") in html
    assert " a las " not in html
