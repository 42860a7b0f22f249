"""PIN lockout per account (doubling) and per user (guessing across accounts), atomic under load."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from enrollment import services
from enrollment.models import BillingAccount, PinGuard
from enrollment.services import EnrollmentOutcome
from tests.conftest import url
from tests.factories import DEFAULT_PIN, BillingAccountFactory, UserFactory

pytestmark = pytest.mark.django_db

WRONG = "0000"


def attempt(user, account, pin=WRONG):
    return services.enrollment_create(user=user, account_number=account.account_number, pin=pin)


def test_five_wrong_pins_lock_the_account_for_30_minutes_for_everyone(user):
    account = BillingAccountFactory()
    for _ in range(4):
        assert attempt(user, account).outcome is EnrollmentOutcome.NO_MATCH
    fifth = attempt(user, account)
    assert fifth.outcome is EnrollmentOutcome.ACCOUNT_LOCKED
    account.refresh_from_db()
    assert timedelta(minutes=29) < account.locked_until - timezone.now() <= timedelta(minutes=30)
    # Locked for every user, even with the right PIN.
    other = UserFactory()
    assert attempt(other, account, DEFAULT_PIN).outcome is EnrollmentOutcome.ACCOUNT_LOCKED
    assert not other.enrollments.exists()


def test_each_further_lockout_doubles_without_a_cap(user):
    account = BillingAccountFactory()
    durations = []
    for _ in range(5):
        for _ in range(5):
            attempt(UserFactory(), account)
        account.refresh_from_db()
        durations.append(round((account.locked_until - timezone.now()).total_seconds() / 60))
        BillingAccount.objects.filter(pk=account.pk).update(
            locked_until=timezone.now() - timedelta(seconds=1)
        )
    assert durations == [30, 60, 120, 240, 480]


def test_a_correct_pin_resets_the_counters(user):
    account = BillingAccountFactory()
    for _ in range(4):
        attempt(user, account)
    assert attempt(user, account, DEFAULT_PIN).outcome is EnrollmentOutcome.ENROLLED
    account.refresh_from_db()
    assert (account.failed_pin_attempts, account.lockouts, account.locked_until) == (0, 0, None)


def test_lockout_message_and_email_to_the_ebill_address(
    signed_in_client, mailoutbox, django_capture_on_commit_callbacks
):
    account = BillingAccountFactory(ebill_email="holder@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            response = signed_in_client.post(
                url("en", "enrollment:enroll"),
                {"account_number": account.account_number, "pin": WRONG},
            )
    html = response.content.decode()
    assert "is locked after too many incorrect PINs" in html
    assert "cityservicesbill@phoenix.gov" in html and "602-262-6251" in html
    (notice,) = mailoutbox
    assert notice.to == ["holder@example.com"]
    assert account.last4 in notice.subject


def test_ten_wrong_pins_across_accounts_block_the_user_for_an_hour(user):
    accounts = [BillingAccountFactory() for _ in range(5)]
    for account in accounts:
        attempt(user, account)
        attempt(user, account)
    blocked = attempt(user, BillingAccountFactory(), DEFAULT_PIN)
    assert blocked.outcome is EnrollmentOutcome.USER_BLOCKED
    assert timedelta(minutes=59) < blocked.until - timezone.now() <= timedelta(hours=1)
    # Another user is not affected.
    assert attempt(UserFactory(), accounts[0], DEFAULT_PIN).outcome is EnrollmentOutcome.ENROLLED


def test_unknown_account_numbers_count_toward_the_user_block(user):
    for n in range(10):
        services.enrollment_create(user=user, account_number=f"55555555{n:02d}", pin=WRONG)
    assert PinGuard.objects.get(user=user).blocked_until > timezone.now()


def test_user_window_resets_after_an_hour(user):
    for account in [BillingAccountFactory() for _ in range(3)]:
        for _ in range(3):
            attempt(user, account)
    PinGuard.objects.filter(user=user).update(
        window_started_at=timezone.now() - timedelta(minutes=61)
    )
    attempt(user, BillingAccountFactory())
    assert PinGuard.objects.get(user=user).failures == 1


def test_blocked_user_page_message(signed_in_client, user):
    PinGuard.objects.create(user=user, blocked_until=timezone.now() + timedelta(minutes=30))
    account = BillingAccountFactory()
    response = signed_in_client.post(
        url("en", "enrollment:enroll"),
        {"account_number": account.account_number, "pin": DEFAULT_PIN},
    )
    assert "enrolling accounts is paused for your User Name" in response.content.decode()
    assert not user.enrollments.exists()


def test_unlock_command_clears_the_lock(capsys):
    from django.core.management import call_command

    account = BillingAccountFactory(account_number="1234567890")
    BillingAccount.objects.filter(pk=account.pk).update(
        locked_until=timezone.now() + timedelta(hours=1), lockouts=3, failed_pin_attempts=2
    )
    call_command("unlock_account", "123-456-7890")
    account.refresh_from_db()
    assert (account.locked_until, account.lockouts, account.failed_pin_attempts) == (None, 0, 0)
    assert "now unlocked" in capsys.readouterr().out


def test_unlock_command_unknown_account():
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="No billing account"):
        call_command("unlock_account", "0000000001")


def all_at_once(function, arguments) -> list:
    """Run function(argument) for every argument in its own thread, released together; results."""
    barrier = threading.Barrier(len(arguments))
    results = []

    def run(argument):
        try:
            barrier.wait(timeout=10)
            results.append(function(argument))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(argument,)) for argument in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.django_db(transaction=True)
def test_parallel_wrong_pins_cannot_exceed_the_limit():
    """Twelve users guess at once: exactly five guesses are checked, the rest meet the lock."""
    account = BillingAccountFactory()
    users = [UserFactory() for _ in range(12)]
    outcomes = all_at_once(lambda user: attempt(user, account).outcome, users)
    assert outcomes.count(EnrollmentOutcome.NO_MATCH) == 4
    assert outcomes.count(EnrollmentOutcome.ACCOUNT_LOCKED) == 8
    account.refresh_from_db()
    assert account.lockouts == 1
    assert account.locked_until > timezone.now()


@pytest.mark.django_db(transaction=True)
def test_parallel_guesses_by_one_user_cannot_exceed_the_user_limit():
    user = UserFactory()
    accounts = [BillingAccountFactory() for _ in range(14)]
    outcomes = all_at_once(lambda account: attempt(user, account).outcome, accounts)
    assert outcomes.count(EnrollmentOutcome.NO_MATCH) == 10
    assert outcomes.count(EnrollmentOutcome.USER_BLOCKED) == 4
