"""What a customer sees of their bills: Details, the bill page, its PDF, the CSV; and who may."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from billing.models import Bill
from enrollment.services import invitation_revoke
from tests.factories import (
    BillFactory,
    BillingAccountFactory,
    BillLineFactory,
    EnrollmentFactory,
    UserFactory,
    monthly_bills,
)

pytestmark = pytest.mark.django_db


def url(name, *args, lang="en"):
    with translation.override(lang):
        return reverse(name, args=args)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def holder():
    return EnrollmentFactory(role="holder")


def pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


# --- who may see bills -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["holder", "manage", "view"])
def test_everyone_enrolled_sees_the_bills(role):
    enrollment = EnrollmentFactory(role=role)
    bill = BillFactory(account=enrollment.account)
    client = signed_in(enrollment.user)
    assert client.get(url("billing:bill", enrollment.account_id, bill.pk)).status_code == 200
    assert client.get(url("billing:bill_pdf", enrollment.account_id, bill.pk)).status_code == 200
    assert client.get(url("billing:bills_csv", enrollment.account_id)).status_code == 200


def test_a_stranger_gets_404_for_every_bill_url(holder):
    bill = BillFactory(account=holder.account)
    stranger = signed_in(UserFactory())
    for name, args in (
        ("billing:bill", (holder.account_id, bill.pk)),
        ("billing:bill_pdf", (holder.account_id, bill.pk)),
        ("billing:bills_csv", (holder.account_id,)),
    ):
        assert stranger.get(url(name, *args)).status_code == 404, name


def test_another_accounts_bill_id_under_ones_own_account_is_404(holder):
    other = BillFactory()
    client = signed_in(holder.user)
    assert client.get(url("billing:bill", holder.account_id, other.pk)).status_code == 404
    assert client.get(url("billing:bill_pdf", holder.account_id, other.pk)).status_code == 404


def test_a_revoked_invitee_loses_the_bills():
    from enrollment.services import invitation_create, invitations_accept_for

    holder = EnrollmentFactory(role="holder")
    guest = UserFactory(email="guest@example.com")
    _outcome, invitation = invitation_create(holder=holder, email=guest.email, role="view")
    invitations_accept_for(user=guest)
    bill = BillFactory(account=holder.account)
    client = signed_in(guest)
    assert client.get(url("billing:bill", holder.account_id, bill.pk)).status_code == 200
    invitation_revoke(invitation=invitation, by=holder.user)
    assert client.get(url("billing:bill", holder.account_id, bill.pk)).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(holder):
    bill = BillFactory(account=holder.account)
    response = Client().get(url("billing:bill_pdf", holder.account_id, bill.pk))
    assert response.status_code == 302
    assert response["Location"].startswith(url("accounts:login"))


def test_a_bill_older_than_the_24_shown_is_404(holder):
    bills = monthly_bills(holder.account, 25)
    client = signed_in(holder.user)
    assert client.get(url("billing:bill", holder.account_id, bills[0].pk)).status_code == 404
    assert client.get(url("billing:bill", holder.account_id, bills[1].pk)).status_code == 200


@pytest.mark.parametrize(
    "path", ["/en/accounts/1/bills/x/", "/en/accounts/1/bills/99999999999999999999/pdf/"]
)
def test_junk_bill_urls_are_404(holder, path):
    assert signed_in(holder.user).get(path).status_code == 404


def test_bill_urls_refuse_posts(holder):
    bill = BillFactory(account=holder.account)
    client = signed_in(holder.user)
    assert client.post(url("billing:bill", holder.account_id, bill.pk)).status_code == 405
    assert client.post(url("billing:bills_csv", holder.account_id)).status_code == 405


# --- Details -----------------------------------------------------------------------------------


def test_details_shows_amount_due_the_latest_bill_and_24_bills_of_history(holder):
    bills = monthly_bills(holder.account, 30)
    holder.account.balance, holder.account.due_date = bills[-1].amount_due, bills[-1].due_date
    holder.account.save()
    response = signed_in(holder.user).get(url("enrollment:details", holder.account_id))
    page = response.content.decode()
    history = response.context["bills"].history
    assert len(history) == 24 and history[0] == bills[-1] and history[-1] == bills[6]
    for bill in bills[6:]:
        assert url("billing:bill", holder.account_id, bill.pk) in page
    assert url("billing:bill", holder.account_id, bills[5].pk) not in page
    assert url("billing:bills_csv", holder.account_id) in page
    assert "$84.17" in page


def test_details_says_past_due_when_the_due_date_has_passed_with_a_balance():
    enrollment = EnrollmentFactory(
        account=BillingAccountFactory(
            balance="50.00", due_date=timezone.localdate() - timedelta(days=1)
        )
    )
    page = signed_in(enrollment.user).get(
        url("enrollment:details", enrollment.account_id, lang="es")
    )
    assert "Vencida" in page.content.decode()
    enrollment.account.balance = Decimal("0")
    enrollment.account.save()
    page = signed_in(enrollment.user).get(url("enrollment:details", enrollment.account_id))
    assert "Past due" not in page.content.decode()


def test_accounts_marks_past_due_accounts():
    enrollment = EnrollmentFactory(
        account=BillingAccountFactory(
            balance="50.00", due_date=timezone.localdate() - timedelta(days=3)
        )
    )
    EnrollmentFactory(user=enrollment.user)
    page = signed_in(enrollment.user).get(url("enrollment:accounts")).content.decode()
    assert page.count("Past due") == 1


def test_the_usage_chart_has_a_data_table_and_a_summary(holder):
    units = [Decimal(20)] * 12 + [Decimal(18)] * 12
    monthly_bills(holder.account, 24, units=units)
    response = signed_in(holder.user).get(url("enrollment:details", holder.account_id))
    page = response.content.decode()
    assert "<svg" in page and 'role="img"' in page
    assert "You used 10% less water than in the same period last year." in page
    usage = response.context["bills"].usage
    assert len(usage) == 24
    # The table's rows: every period with this year's and a year earlier's use.
    assert page.count('<tr><th scope="row">') >= 24
    assert [point.last_year_units for point in usage[12:]] == [Decimal(20)] * 12


def test_details_runs_the_same_queries_for_1_and_for_24_bills(django_assert_num_queries):
    counts = []
    for number in (1, 24):
        enrollment = EnrollmentFactory()
        monthly_bills(enrollment.account, number)
        client = signed_in(enrollment.user)
        client.get(url("enrollment:details", enrollment.account_id))  # the session, warmed
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(url("enrollment:details", enrollment.account_id)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_the_bill_page_runs_the_same_queries_for_2_and_for_12_lines():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for lines in (2, 12):
        enrollment = EnrollmentFactory()
        bill = BillFactory(
            account=enrollment.account,
            new_charges=Decimal(lines),
            amount_due=Decimal(lines),
            payments_received=Decimal("91.02"),
        )
        for _ in range(lines):
            BillLineFactory(bill=bill, amount=Decimal("1.00"))
        client = signed_in(enrollment.user)
        client.get(url("billing:bill", enrollment.account_id, bill.pk))
        with CaptureQueriesContext(connection) as queries:
            client.get(url("billing:bill", enrollment.account_id, bill.pk))
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_no_bills_yet_says_so(holder):
    page = signed_in(holder.user).get(url("enrollment:details", holder.account_id)).content.decode()
    assert "No bills yet" in page


# --- the bill, its PDF and the CSV -------------------------------------------------------------


@pytest.fixture
def statement(holder):
    this_year = BillFactory(
        account=holder.account,
        previous_balance=Decimal("105.74"),
        payments_received=Decimal("121.40"),
        new_charges=Decimal("99.83"),
        water_usage_units=Decimal("12"),
    )
    BillLineFactory(
        bill=this_year, service="water", description="Water charge", amount=Decimal("60.00")
    )
    BillLineFactory(
        bill=this_year, service="tax", description="City and state taxes", amount=Decimal("39.83")
    )
    BillFactory(
        account=holder.account,
        bill_date=this_year.bill_date - timedelta(days=365),
        water_usage_units=Decimal("15"),
    )
    return this_year


def test_the_bill_page_shows_the_whole_statement(holder, statement):
    page = (
        signed_in(holder.user)
        .get(url("billing:bill", holder.account_id, statement.pk))
        .content.decode()
    )
    for text in (
        "$105.74",
        "$121.40",
        "$99.83",
        "$84.17",
        "$60.00",
        "$39.83",
        "Water charge",
        holder.account.service_address,
        holder.account.account_number,
        "8,976",
    ):
        assert text in page, text
    assert "You used 20% less water than in the same period last year." in page
    assert "data-phx-print" in page


def test_the_pdf_is_the_statement_in_the_customers_language_as_an_attachment(holder, statement):
    for lang, words in (
        ("en", ["Amount due", "Previous balance"]),
        ("es", ["Cantidad a pagar", "Saldo anterior"]),
    ):
        response = signed_in(holder.user).get(
            url("billing:bill_pdf", holder.account_id, statement.pk, lang=lang)
        )
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert f"phx-bill-{holder.account.last4}-" in response["Content-Disposition"]
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
        text = pdf_text(b"".join(response.streaming_content))
        for expected in ["$84.17", "$105.74", "$121.40", "$99.83", "$60.00", "$39.83", *words]:
            assert expected in text, (lang, expected)


def test_the_portals_pdf_is_tagged_for_screen_readers(holder, statement):
    response = signed_in(holder.user).get(url("billing:bill_pdf", holder.account_id, statement.pk))
    catalog = PdfReader(io.BytesIO(b"".join(response.streaming_content))).trailer["/Root"]
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in catalog
    assert catalog["/Lang"] == "en"


def test_the_vendors_pdf_is_served_when_the_bill_has_one(holder, bill_storage):
    (bill_storage / "vendor").mkdir(parents=True)
    (bill_storage / "vendor" / "b1.pdf").write_bytes(b"%PDF-1.7 the print vendor's file")
    bill = BillFactory(account=holder.account, vendor_pdf="vendor/b1.pdf")
    response = signed_in(holder.user).get(url("billing:bill_pdf", holder.account_id, bill.pk))
    assert b"".join(response.streaming_content) == b"%PDF-1.7 the print vendor's file"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]


def test_a_missing_vendor_file_falls_back_to_the_portals_pdf(holder):
    bill = BillFactory(account=holder.account, vendor_pdf="vendor/missing.pdf")
    response = signed_in(holder.user).get(url("billing:bill_pdf", holder.account_id, bill.pk))
    assert response.status_code == 200
    assert "$84.17" in pdf_text(b"".join(response.streaming_content))


def test_the_csv_has_the_history_with_headers_in_the_customers_language(holder):
    monthly_bills(holder.account, 3)
    response = signed_in(holder.user).get(url("billing:bills_csv", holder.account_id, lang="es"))
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="phx-bills-{holder.account.last4}.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Fecha de la factura" and rows[0][4] == "Cantidad a pagar"
    assert len(rows) == 4
    newest = Bill.objects.filter(account=holder.account).first()
    assert rows[1][0] == newest.bill_date.isoformat() and rows[1][4] == "84.17"


def test_the_portals_pdf_is_rendered_once_per_bill_and_language_then_streamed(
    holder, statement, bill_storage
):
    client = signed_in(holder.user)
    first = client.get(url("billing:bill_pdf", holder.account_id, statement.pk))
    content = b"".join(first.streaming_content)
    kept = list((bill_storage / "rendered" / str(statement.pk)).iterdir())
    assert len(kept) == 1 and kept[0].read_bytes() == content
    stamp = kept[0].stat().st_mtime_ns
    again = client.get(url("billing:bill_pdf", holder.account_id, statement.pk))
    assert b"".join(again.streaming_content) == content
    assert kept[0].stat().st_mtime_ns == stamp
    # Another language is another file; a corrected bill (a re-import) is rendered afresh.
    client.get(url("billing:bill_pdf", holder.account_id, statement.pk, lang="es"))
    Bill.objects.filter(pk=statement.pk).update(due_date=statement.due_date + timedelta(days=1))
    fresh = client.get(url("billing:bill_pdf", holder.account_id, statement.pk))
    assert b"".join(fresh.streaming_content) != content
    assert len(list((bill_storage / "rendered" / str(statement.pk)).iterdir())) == 3


def test_the_kept_bills_part_of_details_never_shows_old_money(holder):
    bills = monthly_bills(holder.account, 3)
    client = signed_in(holder.user)
    details = url("enrollment:details", holder.account_id)
    assert "$84.17" in client.get(details).content.decode()
    # A corrected bill (what a re-import does) changes the kept part's key.
    Bill.objects.filter(pk=bills[-1].pk).update(new_charges="90.00", amount_due="90.00")
    page = client.get(details).content.decode()
    assert "$90.00" in page
    # And the other language has its own copy.
    assert (
        "Cantidad a pagar"
        in client.get(url("enrollment:details", holder.account_id, lang="es")).content.decode()
    )
