"""Paying one or several accounts: the payment page, the processor's answer, the receipt."""

import uuid
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from payments import messages
from payments.models import DummyCharge, Payment, PaymentLine, Status
from phxpay.models import AuditEvent
from tests.factories import BillingAccountFactory, EnrollmentFactory, UserFactory, paid

pytestmark = pytest.mark.django_db


@pytest.fixture
def payer():
    user = UserFactory(email="payer@example.com")
    first = EnrollmentFactory(user=user, account=BillingAccountFactory(balance="84.17"))
    second = EnrollmentFactory(
        user=user, role="view", account=BillingAccountFactory(balance="126.40")
    )
    client = Client()
    client.force_login(user)
    return client, user, first.account, second.account


def post_pay(client, accounts, amounts, key=None):
    data = {"account": [a.pk for a in accounts], "key": str(key or uuid.uuid4())}
    data.update({f"amount_{a.pk}": amount for a, amount in zip(accounts, amounts, strict=True)})
    return client.post(reverse("payments:pay"), data)


def approve(client, payment, mailing=None):
    return client.post(
        reverse("payments:dummy_checkout", args=[payment.processor_reference]),
        {"decision": "approve", "card_number": "4111111111111111"},
    )


def test_the_payment_page_prefills_each_amount_due_and_writes_nothing(payer):
    client, _user, first, second = payer
    response = client.get(reverse("payments:pay"), {"account": [first.pk, second.pk]})
    assert response.status_code == 200
    values = [row["value"] for row in response.context["rows"]]
    assert values == ["84.17", "126.40"]
    assert response.context["total"] == Decimal("210.57")
    assert not Payment.objects.exists()


def test_paying_two_accounts_makes_one_payment_with_a_line_each(payer, mailoutbox, mailing):
    client, user, first, second = payer
    response = post_pay(client, [first, second], ["84.17", "100.00"])
    assert response.status_code == 302
    payment = Payment.objects.get()
    assert payment.status == Status.PENDING and payment.total == Decimal("184.17")
    assert sorted(payment.lines.values_list("amount", flat=True)) == [
        Decimal("84.17"),
        Decimal("100.00"),
    ]
    assert response["Location"] == reverse(
        "payments:dummy_checkout", args=[payment.processor_reference]
    )
    with mailing():
        receipt = approve(client, payment)
    assert receipt["Location"] == reverse("payments:receipt", args=[payment.confirmation_number])
    page = client.get(receipt["Location"]).content.decode()
    assert str(messages.APPROVED) in page and payment.confirmation_number in page
    assert first.last4 in page and "$184.17" in page
    payment.refresh_from_db()
    assert payment.status == Status.APPROVED and payment.approved_at is not None
    assert [m.to for m in mailoutbox] == [["payer@example.com"]]
    assert payment.confirmation_number in mailoutbox[0].subject
    kinds = set(AuditEvent.objects.values_list("kind", flat=True))
    assert {AuditEvent.Kind.PAYMENT_CREATED, AuditEvent.Kind.PAYMENT_APPROVED} <= kinds


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0.99", messages.AMOUNT_TOO_SMALL),
        ("10000.01", None),
        ("84.171", messages.AMOUNT_CENTS),
        ("abc", messages.AMOUNT_INVALID),
        ("", messages.AMOUNT_INVALID),
        ("NaN", messages.AMOUNT_INVALID),
        ("-5", messages.AMOUNT_TOO_SMALL),
        ("1e9", None),
    ],
)
def test_a_bad_amount_is_refused_with_a_clear_error_and_nothing_is_written(payer, amount, message):
    client, _user, first, _second = payer
    response = post_pay(client, [first], [amount])
    assert response.status_code == 400
    errors = [str(error) for _field, error in response.context["errors"]]
    assert len(errors) == 1
    if message is not None:
        assert errors == [str(message)]
    else:
        assert "at most $10,000.00" in errors[0]
    assert not Payment.objects.exists()


def test_an_account_that_is_not_the_payers_is_refused(payer):
    client, _user, first, _second = payer
    stranger = BillingAccountFactory()
    response = post_pay(client, [first, stranger], ["10.00", "10.00"])
    assert response.status_code == 302 and response["Location"] == reverse("enrollment:accounts")
    assert not Payment.objects.exists()
    assert client.get(reverse("payments:pay"), {"account": stranger.pk}).status_code == 302


def test_junk_account_ids_are_refused_without_a_500(payer):
    client, *_ = payer
    for junk in ("x", "99999999999999999999", ""):
        response = client.post(reverse("payments:pay"), {"account": junk, "key": str(uuid.uuid4())})
        assert response.status_code == 302
    assert not Payment.objects.exists()


def test_a_missing_or_tampered_form_key_creates_nothing(payer):
    client, _user, first, _second = payer
    response = client.post(
        reverse("payments:pay"), {"account": first.pk, f"amount_{first.pk}": "5.00", "key": "x"}
    )
    assert response.status_code == 200
    assert not Payment.objects.exists()


def test_the_same_form_submitted_twice_makes_one_payment(payer):
    client, _user, first, _second = payer
    key = uuid.uuid4()
    first_try = post_pay(client, [first], ["84.17"], key=key)
    second_try = post_pay(client, [first], ["84.17"], key=key)
    assert Payment.objects.count() == 1
    payment = Payment.objects.get()
    assert first_try["Location"].endswith(f"{payment.processor_reference}/")
    assert second_try["Location"] == reverse("payments:receipt", args=[payment.confirmation_number])


def test_the_database_refuses_a_second_payment_with_the_same_key(payer):
    from django.db import IntegrityError, transaction

    _client, user, first, _second = payer
    payment = paid(first, user=user, status="pending")
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(
            idempotency_key=payment.idempotency_key,
            receipt_email="x@example.com",
            language="en",
            total=Decimal("1.00"),
            processor="dummy",
        )


def test_the_database_refuses_a_line_under_one_dollar(payer):
    from django.db import IntegrityError, transaction

    _client, user, first, _second = payer
    payment = paid(first, user=user, status="pending")
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentLine.objects.create(payment=payment, account=BillingAccountFactory(), amount="0.50")


def test_a_declined_payment_says_so_marks_nothing_paid_and_offers_to_try_again(payer):
    client, _user, first, _second = payer
    post_pay(client, [first], ["84.17"])
    payment = Payment.objects.get()
    receipt = client.post(
        reverse("payments:dummy_checkout", args=[payment.processor_reference]),
        {"decision": "decline"},
    )
    page = client.get(receipt["Location"])
    assert str(messages.DECLINED) in page.content.decode()
    assert page.context["try_again"]
    accounts = client.get(reverse("enrollment:accounts")).content.decode()
    assert "Payment pending" not in accounts
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.PAYMENT_DECLINED).exists()


def test_an_abandoned_payment_says_so(payer):
    client, _user, first, _second = payer
    post_pay(client, [first], ["84.17"])
    payment = Payment.objects.get()
    receipt = client.post(
        reverse("payments:dummy_checkout", args=[payment.processor_reference]),
        {"decision": "cancel"},
    )
    assert str(messages.ABANDONED) in client.get(receipt["Location"]).content.decode()
    assert Payment.objects.get().status == Status.ABANDONED


def test_coming_back_from_the_processor_confirms_nothing(payer):
    """Only the processor's callback or status check approves: the return URL is just a page."""
    client, _user, first, _second = payer
    post_pay(client, [first], ["84.17"])
    payment = Payment.objects.get()
    page = client.get(reverse("payments:receipt", args=[payment.confirmation_number]))
    assert str(messages.PENDING) in page.content.decode()
    assert Payment.objects.get().status == Status.PENDING


def test_a_pending_payment_shows_on_the_account_and_comes_off_the_amount_due(payer):
    client, user, first, _second = payer
    paid(first, user=user, amount="50.00")
    accounts = client.get(reverse("enrollment:accounts")).content.decode()
    assert "Payment pending: $50.00" in accounts
    form = client.get(reverse("payments:pay"), {"account": first.pk})
    assert form.context["rows"][0]["value"] == "34.17"
    details = client.get(reverse("enrollment:details", args=[first.pk])).content.decode()
    assert "Still to pay: $34.17." in details


def test_the_next_extract_after_the_export_clears_the_pending_payment(payer, tmp_path):
    from django.core.management import call_command
    from django.utils import timezone

    from payments.services import payments_export

    client, user, first, _second = payer
    paid(first, user=user, amount="84.17")
    payments_export(day=timezone.localdate())
    assert "Payment pending" in client.get(reverse("enrollment:accounts")).content.decode()
    extract = tmp_path / "accounts.csv"
    extract.write_text(
        "account_number,pin,first_name,last_name,service_address,ebill_email,balance,due_date\n"
        f"{first.account_number},5821,William,Sample,{first.service_address},,0.00,\n"
    )
    call_command("import_accounts", str(extract))
    assert "Payment pending" not in client.get(reverse("enrollment:accounts")).content.decode()


def test_other_peoples_receipts_are_404(payer):
    _client, user, first, _second = payer
    payment = paid(first, user=user)
    stranger = Client()
    stranger.force_login(UserFactory())
    url = reverse("payments:receipt", args=[payment.confirmation_number])
    assert stranger.get(url).status_code == 404
    assert Client().get(url).status_code == 302  # signed out: to the sign-in page


def test_the_processor_page_refuses_a_second_decision(payer):
    client, _user, first, _second = payer
    post_pay(client, [first], ["84.17"])
    payment = Payment.objects.get()
    url = reverse("payments:dummy_checkout", args=[payment.processor_reference])
    client.post(url, {"decision": "approve"})
    assert client.post(url, {"decision": "decline"}).status_code == 400
    assert client.post(url, {"decision": "junk"}).status_code == 400
    assert Payment.objects.get().status == Status.APPROVED
    assert DummyCharge.objects.get().status == Status.APPROVED


def test_the_test_processor_does_not_exist_with_another_provider(payer, settings):
    client, _user, first, _second = payer
    post_pay(client, [first], ["84.17"])
    payment = Payment.objects.get()
    settings.PAYMENT_PROVIDER = "elsewhere"
    url = reverse("payments:dummy_checkout", args=[payment.processor_reference])
    assert client.get(url).status_code == 404


def test_payment_history_lists_portal_and_cis_payments(payer):
    from tests.factories import BillFactory

    client, user, first, _second = payer
    payment = paid(first, user=user, amount="20.00")
    BillFactory(account=first, payments_received=Decimal("91.02"))
    page = client.get(reverse("enrollment:details", args=[first.pk])).content.decode()
    assert payment.confirmation_number in page and "$20.00" in page
    assert "$91.02" in page and "Received by the City (on your bill)" in page


def test_the_pages_run_the_same_queries_for_1_and_for_5_accounts():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for number in (1, 5):
        user = UserFactory()
        accounts = [EnrollmentFactory(user=user).account for _ in range(number)]
        for account in accounts:
            paid(account, user=user, amount="10.00")
        client = Client()
        client.force_login(user)
        client.get(reverse("enrollment:accounts"))
        with CaptureQueriesContext(connection) as listing:
            client.get(reverse("enrollment:accounts"))
        with CaptureQueriesContext(connection) as paying:
            client.get(reverse("payments:pay"), {"account": [a.pk for a in accounts]})
        counts.append((len(listing), len(paying)))
    assert counts[0] == counts[1], counts
