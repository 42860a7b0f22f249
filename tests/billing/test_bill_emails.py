""" "Your bill is ready", due date reminders, and bill retention."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from billing.models import Bill, BillNotice
from billing.services import bill_ready_notices_queue, due_reminders_send
from tests.factories import BillFactory, BillingAccountFactory, EnrollmentFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADER = (
    "account_number,bill_date,due_date,previous_balance,payments_received,new_charges,"
    "amount_due,water_usage_units,period_start,period_end"
)


@pytest.fixture
def paperless():
    return BillingAccountFactory(
        account_number="4000000001", paperless=True, ebill_email="ebill.owner@example.com"
    )


def extract(tmp_path, *, number="4000000001", bill_date=None, amount="84.17"):
    bill_date = bill_date or timezone.localdate() - timedelta(days=2)
    due = bill_date + timedelta(days=21)
    start, end = bill_date - timedelta(days=33), bill_date - timedelta(days=3)
    path = tmp_path / f"bills-{bill_date}-{amount}.csv"
    path.write_text(
        f"{HEADER}\n{number},{bill_date},{due},0.00,0.00,{amount},{amount},10,{start},{end}\n"
    )
    return str(path)


def import_bills(path, mailing, *args):
    with mailing():
        call_command("import_bills", path, *args)


def test_a_new_bill_mails_the_ebill_address_and_opted_in_users_once(
    paperless, tmp_path, mailoutbox, mailing
):
    opted = EnrollmentFactory(
        account=paperless,
        user=UserFactory(email="opted@example.com", preferred_language="es"),
        bill_ready_email=True,
    )
    EnrollmentFactory(account=paperless, user=UserFactory(email="quiet@example.com"))
    path = extract(tmp_path)
    import_bills(path, mailing)
    assert sorted(message.to[0] for message in mailoutbox) == [
        "ebill.owner@example.com",
        "opted@example.com",
    ]
    spanish = next(m for m in mailoutbox if m.to == [opted.user.email])
    assert spanish.subject == "Su factura de la Ciudad de Phoenix está lista"
    assert "$84.17" in spanish.body and "7890" not in spanish.body
    english = next(m for m in mailoutbox if m.to == ["ebill.owner@example.com"])
    # An e-bill address no web user has: its language is unknown, so the email has both.
    assert english.subject == (
        "Your City of Phoenix bill is ready / Su factura de la Ciudad de Phoenix está lista"
    )
    # The last four digits only, a sign-in link, no attachment.
    assert "ending 0001" in english.body and "4000000001" not in english.body
    assert reverse("accounts:login") in english.body
    assert english.attachments == [] and spanish.attachments == []
    # Importing the same file again, or the same bills again, mails nobody.
    import_bills(path, mailing)
    bill_ready_notices_queue(bill_ids=list(Bill.objects.values_list("pk", flat=True)))
    assert len(mailoutbox) == 2
    assert BillNotice.objects.count() == 2


def test_a_bill_on_a_paper_account_mails_nobody(tmp_path, mailoutbox, mailing):
    account = BillingAccountFactory(
        account_number="4000000001", paperless=False, ebill_email="notices@example.com"
    )
    EnrollmentFactory(account=account, bill_ready_email=True)
    import_bills(extract(tmp_path), mailing)
    assert mailoutbox == []


def test_loading_old_bills_and_no_notices_mail_nobody(paperless, tmp_path, mailoutbox, mailing):
    import_bills(extract(tmp_path, bill_date=timezone.localdate() - timedelta(days=90)), mailing)
    assert mailoutbox == []
    import_bills(extract(tmp_path), mailing, "--no-notices")
    assert mailoutbox == []


def test_only_the_accounts_latest_bill_is_news(paperless, tmp_path, mailoutbox, mailing):
    BillFactory(account=paperless, bill_date=timezone.localdate())
    import_bills(extract(tmp_path, bill_date=timezone.localdate() - timedelta(days=3)), mailing)
    assert mailoutbox == []


def test_a_dry_run_mails_nobody(paperless, tmp_path, mailoutbox, mailing):
    import_bills(extract(tmp_path), mailing, "--dry-run")
    assert mailoutbox == [] and not BillNotice.objects.exists()


# --- due date reminders ------------------------------------------------------------------------


@pytest.fixture
def reminded():
    enrollment = EnrollmentFactory(
        due_reminder_days=3,
        user=UserFactory(email="remind.me@example.com"),
        account=BillingAccountFactory(balance="84.17"),
    )
    BillFactory(
        account=enrollment.account,
        bill_date=timezone.localdate() - timedelta(days=18),
        due_date=timezone.localdate() + timedelta(days=3),
    )
    return enrollment


def run_reminders(mailing, today=None):
    with mailing():
        return due_reminders_send(today=today)


def test_the_reminder_goes_once_per_bill_from_the_chosen_day(reminded, mailoutbox, mailing):
    today = timezone.localdate()
    assert run_reminders(mailing, today - timedelta(days=1)) == 0
    assert run_reminders(mailing, today) == 1
    assert run_reminders(mailing, today + timedelta(days=1)) == 0
    assert [message.to for message in mailoutbox] == [["remind.me@example.com"]]
    assert "Reminder: your City of Phoenix bill is due" in mailoutbox[0].subject
    assert "$84.17" in mailoutbox[0].body


def test_a_missed_day_is_caught_up_before_the_due_date_not_after(reminded, mailing):
    today = timezone.localdate()
    assert run_reminders(mailing, today + timedelta(days=4)) == 0
    assert run_reminders(mailing, today + timedelta(days=2)) == 1


@pytest.mark.parametrize("balance", ["0.00", "-12.50"])
def test_no_reminder_for_a_zero_or_credit_balance(reminded, mailoutbox, mailing, balance):
    reminded.account.balance = Decimal(balance)
    reminded.account.save()
    assert run_reminders(mailing) == 0
    assert mailoutbox == []


def test_no_reminder_unless_chosen(reminded, mailing):
    reminded.due_reminder_days = 0
    reminded.save()
    assert run_reminders(mailing) == 0


def test_a_reminder_queued_but_paid_before_delivery_is_not_sent(reminded, mailoutbox, mailing):
    from billing.emails import due_reminder

    run_reminders(mailing)
    notice = BillNotice.objects.get()
    reminded.account.balance = Decimal("0")
    reminded.account.save()
    assert due_reminder(notice_id=notice.pk) is None


def test_the_command_reports_what_it_queued(reminded, capsys, mailing):
    with mailing():
        call_command("send_due_reminders")
    assert "1 due date reminders queued." in capsys.readouterr().out


def test_account_settings_save_the_bill_emails_for_that_user_only(reminded):
    client = Client()
    client.force_login(reminded.user)
    response = client.post(
        reverse("enrollment:settings", args=[reminded.account_id]),
        {"nickname": "Home", "bill_ready_email": "on", "due_reminder_days": "7"},
    )
    assert response.status_code == 302
    reminded.refresh_from_db()
    assert reminded.bill_ready_email and reminded.due_reminder_days == 7
    refused = client.post(
        reverse("enrollment:settings", args=[reminded.account_id]),
        {"nickname": "Home", "due_reminder_days": "5"},
    )
    assert refused.status_code == 200 and "due_reminder_days" in refused.context["form"].errors
    reminded.refresh_from_db()
    assert reminded.due_reminder_days == 7


def test_a_view_only_user_may_choose_their_own_bill_emails():
    enrollment = EnrollmentFactory(role="view")
    client = Client()
    client.force_login(enrollment.user)
    client.post(
        reverse("enrollment:settings", args=[enrollment.account_id]),
        {"nickname": "", "bill_ready_email": "on", "due_reminder_days": "3"},
    )
    enrollment.refresh_from_db()
    assert enrollment.bill_ready_email and enrollment.due_reminder_days == 3


# --- retention ---------------------------------------------------------------------------------


def test_prune_removes_bills_past_the_retention_and_their_files(bill_storage, capsys):
    account = BillingAccountFactory()
    today = timezone.localdate()
    old = BillFactory(
        account=account, bill_date=today - timedelta(days=37 * 31), vendor_pdf="v/old.pdf"
    )
    kept = BillFactory(account=account, bill_date=today - timedelta(days=30 * 30))
    (bill_storage / "v").mkdir(parents=True)
    (bill_storage / "v" / "old.pdf").write_bytes(b"%PDF")
    (bill_storage / "rendered" / str(old.pk)).mkdir(parents=True)
    (bill_storage / "rendered" / str(old.pk) / "en-0123.pdf").write_bytes(b"%PDF")
    call_command("prune_bills")
    assert list(Bill.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not (bill_storage / "v" / "old.pdf").exists()
    assert not (bill_storage / "rendered" / str(old.pk) / "en-0123.pdf").exists()
    assert "1 bills older than 36 months deleted, 2 files." in capsys.readouterr().out
    assert not Bill.objects.filter(pk=old.pk).exists()


def test_prune_refuses_to_keep_fewer_months_than_customers_see():
    with pytest.raises(CommandError, match="at least 24"):
        call_command("prune_bills", "--months", "12")
