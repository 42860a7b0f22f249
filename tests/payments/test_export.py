"""`manage.py export_payments`: the file the CIS posts; each payment exactly once."""

import csv
import io
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from payments.models import ExportBatch, Payment, Status
from payments.services import EXPORT_COLUMNS, payments_export
from phxpay.models import AuditEvent
from tests.factories import BillingAccountFactory, UserFactory, paid

pytestmark = pytest.mark.django_db


def rows(content: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content)))


def test_the_file_has_one_row_per_account_paid_and_marks_the_payments(tmp_path, capsys):
    account = BillingAccountFactory(account_number="4012345678")
    payment = paid(account, amount="84.17")
    paid(BillingAccountFactory(), status="declined")
    output = tmp_path / "out.csv"
    call_command("export_payments", "--date", timezone.localdate().isoformat(), "--output", output)
    table = rows(output.read_text())
    assert table[0] == list(EXPORT_COLUMNS)
    assert table[1][:3] == [payment.confirmation_number, "4012345678", "84.17"]
    assert table[1][4] == payment.processor_reference
    assert table[1][3].endswith("-07:00")  # Phoenix time, no daylight saving
    assert len(table) == 2
    payment.refresh_from_db()
    assert payment.export_batch.file_name == f"phxpay-payments-{timezone.localdate()}.csv"
    assert "1 payment lines, exported" in capsys.readouterr().err
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.PAYMENTS_EXPORTED).exists()


def test_each_payment_is_exported_once_and_a_day_again_is_the_same_file():
    first = paid(BillingAccountFactory(), amount="10.00")
    today = timezone.localdate()
    one = payments_export(day=today)
    later = paid(BillingAccountFactory(), amount="20.00")
    again = payments_export(day=today)
    assert again.content == one.content and not again.new
    assert first.confirmation_number in one.content
    assert later.confirmation_number not in again.content
    tomorrow = payments_export(day=today + timezone.timedelta(days=1))
    assert later.confirmation_number in tomorrow.content
    assert first.confirmation_number not in tomorrow.content


def test_a_bad_date_is_one_clear_line():
    with pytest.raises(CommandError, match="not a date in YYYY-MM-DD form"):
        call_command("export_payments", "--date", "yesterday")


@pytest.mark.django_db(transaction=True)
def test_a_callback_during_the_export_lands_in_exactly_one_file():
    """The export locks the approved payments; an approval racing it is in this file or the next."""
    from payments.processors import ProcessorEvent as Event
    from payments.services import payment_event_apply

    waiting = [
        paid(BillingAccountFactory(), user=UserFactory(), status="pending") for _ in range(6)
    ]
    done = [paid(BillingAccountFactory(), user=UserFactory()) for _ in range(3)]
    today = timezone.localdate()
    barrier = threading.Barrier(2)

    def approve_all():
        barrier.wait()
        for payment in waiting:
            payment_event_apply(
                event=Event(
                    reference=payment.processor_reference,
                    status="approved",
                    event_id="e",
                    source="callback",
                )
            )
        connection.close()

    def export():
        barrier.wait()
        payments_export(day=today)
        connection.close()

    threads = [threading.Thread(target=approve_all), threading.Thread(target=export)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    payments_export(day=today + timezone.timedelta(days=1))
    exported = {}
    for batch in ExportBatch.objects.all():
        for payment in batch.payments.all():
            assert payment.pk not in exported
            exported[payment.pk] = batch.pk
    approved = set(Payment.objects.filter(status=Status.APPROVED).values_list("pk", flat=True))
    assert approved == {p.pk for p in waiting + done} == set(exported)
