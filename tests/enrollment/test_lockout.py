"""PIN lockout per account (doubling) and per user (guessing across accounts), atomic under load.

Every attempt here comes from its own address and gives the account's ZIP code and house number, so
that only the account and user bounds are at work (enrollment/guessing.py's address budgets and
step-up have tests of their own in test_guessing.py).
"""

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from enrollment import guessing, services
from enrollment.models import BillingAccount, PinFailure
from enrollment.services import EnrollmentOutcome
from tests.conftest import run_in_parallel, url
from tests.factories import DEFAULT_PIN, BillingAccountFactory, UserFactory

pytestmark = pytest.mark.django_db

WRONG = "5822"
_addresses = (f"198.{n // 250}.{n % 250}.9" for n in itertools.count())


def attempt(user, account, pin=WRONG, ip=None):
    return services.enrollment_create(
        user=user,
        account_number=account.account_number,
        pin=pin,
        ip=ip or next(_addresses),
        service_zip=account.service_zip,
        house_number=account.house_number,
    )


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
                {
                    "account_number": account.account_number,
                    "pin": WRONG,
                    "service_zip": account.service_zip,
                    "house_number": account.house_number,
                },
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
    for n in range(guessing.WRONG_PINS_PER_USER_PER_HOUR):
        services.enrollment_create(
            user=user,
            account_number=f"55555555{n:02d}",
            pin=WRONG,
            ip=next(_addresses),
            service_zip="85003",
            house_number="1",
        )
    assert attempt(user, BillingAccountFactory(), DEFAULT_PIN).outcome is (
        EnrollmentOutcome.USER_BLOCKED
    )


def test_the_user_window_slides_it_does_not_reset_at_a_boundary(user):
    """Nine wrong PINs late in one hour and one early in the next still block: 10 in 60 minutes."""
    now = timezone.now()
    for minutes_ago in range(50, 59):
        PinFailure.objects.create(
            at=now - timedelta(minutes=minutes_ago), user=user, network="203.0.113.0/24"
        )
    assert attempt(user, BillingAccountFactory()).outcome is EnrollmentOutcome.NO_MATCH
    blocked = attempt(user, BillingAccountFactory(), DEFAULT_PIN)
    assert blocked.outcome is EnrollmentOutcome.USER_BLOCKED
    # Free again when the oldest of the ten leaves the window, about 2 minutes from now.
    assert timedelta(minutes=1) < blocked.until - now <= timedelta(minutes=2)


def test_wrong_pins_older_than_an_hour_do_not_block(user):
    earlier = timezone.now() - timedelta(minutes=61)
    PinFailure.objects.bulk_create(
        PinFailure(at=earlier, user=user, network="203.0.113.0/24") for _ in range(10)
    )
    assert attempt(user, BillingAccountFactory(), DEFAULT_PIN).outcome is EnrollmentOutcome.ENROLLED


def test_blocked_user_page_message(signed_in_client, user):
    now = timezone.now()
    PinFailure.objects.bulk_create(
        PinFailure(at=now, user=user, network="203.0.113.0/24") for _ in range(10)
    )
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


@pytest.mark.django_db(transaction=True)
def test_parallel_wrong_pins_cannot_exceed_the_limit():
    """Twelve users guess at once: exactly five guesses are checked, the rest meet the lock."""
    account = BillingAccountFactory()
    users = [UserFactory() for _ in range(12)]
    outcomes = run_in_parallel(lambda user: attempt(user, account).outcome, users)
    assert outcomes.count(EnrollmentOutcome.NO_MATCH) == 4
    assert outcomes.count(EnrollmentOutcome.ACCOUNT_LOCKED) == 8
    account.refresh_from_db()
    assert account.lockouts == 1
    assert account.locked_until > timezone.now()


@pytest.mark.django_db(transaction=True)
def test_parallel_guesses_by_one_user_cannot_exceed_the_user_limit():
    user = UserFactory()
    accounts = [BillingAccountFactory() for _ in range(14)]
    outcomes = run_in_parallel(lambda account: attempt(user, account).outcome, accounts)
    assert outcomes.count(EnrollmentOutcome.NO_MATCH) == 10
    assert outcomes.count(EnrollmentOutcome.USER_BLOCKED) == 4


def test_each_wrong_pin_says_how_many_tries_are_left_before_the_pause(signed_in_client):
    from enrollment import messages

    account = BillingAccountFactory()
    pages = [
        signed_in_client.post(
            url("en", "enrollment:enroll"),
            # After a wrong PIN the form also asks for the service address (enrollment/guessing.py).
            {
                "account_number": account.account_number,
                "pin": WRONG,
                "service_zip": account.service_zip,
                "house_number": account.house_number,
            },
        ).content.decode()
        for _ in range(4)
    ]
    assert str(messages.PIN_TRIES_LEFT % {"tries": 4, "minutes": 30}) in pages[0]
    assert str(messages.PIN_TRIES_LEFT % {"tries": 1, "minutes": 30}) in pages[3]
    assert "1 try left: after one more incorrect PIN" in pages[3]
    assert f"{url('en', 'help')}#pin-wrong" in pages[3]


def test_the_tries_left_message_gives_the_next_pause_which_doubles(user):
    account = BillingAccountFactory(lockouts=1)
    result = attempt(user, account)
    assert result.outcome is EnrollmentOutcome.NO_MATCH
    assert (result.tries_left, result.pause) == (4, timedelta(minutes=60))
