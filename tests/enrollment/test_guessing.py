"""The bounds on guessing PINs *across* accounts (enrollment/guessing.py): red team finding 1.

24 throwaway users from 3 addresses tried PIN 1234 on many accounts and enrolled every account whose
PIN was 1234. Each test here reproduces a piece of that attack and shows it no longer gets in.
"""

import itertools
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from enrollment import guessing, messages, services
from enrollment.models import BillingAccount, Enrollment, PinFailure
from enrollment.services import EnrollmentOutcome
from tests.conftest import run_in_parallel, url
from tests.factories import (
    DEFAULT_PIN,
    BillingAccountFactory,
    EnrollmentFactory,
    PrecreatedUserFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

WRONG = "5822"  # not a common PIN: checked without the second identifier on a first try
COMMON_PINS = ["1234", "1111", "0000", "1212", "7777", "2000", "1987", "2580", "6969", "4321"]
_networks = (f"10.{n // 250}.{n % 250}.7" for n in itertools.count())


def attempt(user, account, pin, ip, *, address=True):
    return services.enrollment_create(
        user=user,
        account_number=account.account_number,
        pin=pin,
        ip=ip,
        service_zip=account.service_zip if address else "",
        house_number=account.house_number if address else "",
    )


@pytest.mark.parametrize("pin", COMMON_PINS + ["2468", "1357", "0412", "1231", "2024"])
def test_common_pins_are_recognised(pin):
    assert guessing.is_common_pin(pin)


@pytest.mark.parametrize("pin", ["5821", "7394", "6183", "4729", "5822", "8035"])
def test_other_pins_are_not(pin):
    assert not guessing.is_common_pin(pin)


def test_networks_group_ipv4_by_24_and_ipv6_by_64():
    assert guessing.network_of("203.0.113.7") == guessing.network_of("203.0.113.250")
    assert guessing.network_of("203.0.113.7") != guessing.network_of("203.0.114.7")
    assert guessing.network_of("2001:db8:1:2::1") == guessing.network_of("2001:db8:1:2:ffff::9")
    assert guessing.network_of("2001:db8:1:2::1") != guessing.network_of("2001:db8:1:3::1")
    assert guessing.network_of("::ffff:203.0.113.7") == guessing.network_of("203.0.113.9")


def test_a_common_pin_asks_for_the_service_address_before_anything_is_checked(user):
    account = BillingAccountFactory(pin="1234")
    result = attempt(user, account, "1234", "203.0.113.7", address=False)
    assert result.outcome is EnrollmentOutcome.STEP_UP_REQUIRED
    assert not PinFailure.objects.exists()
    account.refresh_from_db()
    assert account.failed_pin_attempts == 0
    # The holder has the bill: with its ZIP code and house number the same PIN enrolls.
    assert attempt(user, account, "1234", "203.0.113.7").outcome is EnrollmentOutcome.ENROLLED


def test_the_step_up_answer_is_the_same_for_an_unknown_account(signed_in_client):
    """Asking for the address depends on what was typed, never on the account: no oracle."""
    real = BillingAccountFactory(pin="1234")
    pages = []
    for number in (real.account_number, "5999999999"):
        response = signed_in_client.post(
            url("en", "enrollment:enroll"), {"account_number": number, "pin": "1234"}
        )
        html = response.content.decode()
        assert str(messages.STEP_UP_REQUIRED) in html
        assert 'name="service_zip"' in html and 'name="house_number"' in html
        pages.append(re.sub(r'(nonce|value)="[^"]*"', "", html.replace(number, "NUMBER")))
    assert pages[0] == pages[1]


def test_after_a_wrong_pin_every_attempt_from_that_network_needs_the_address(user):
    account = BillingAccountFactory()
    assert attempt(user, account, WRONG, "203.0.113.7", address=False).outcome is (
        EnrollmentOutcome.NO_MATCH
    )
    stranger = UserFactory()
    neighbour = "203.0.113.99"  # same /24
    assert attempt(stranger, account, DEFAULT_PIN, neighbour, address=False).outcome is (
        EnrollmentOutcome.STEP_UP_REQUIRED
    )
    # …and for that user, from anywhere.
    assert attempt(user, account, DEFAULT_PIN, "198.51.100.1", address=False).outcome is (
        EnrollmentOutcome.STEP_UP_REQUIRED
    )
    # Elsewhere, a first PIN that is not a common one is checked as before.
    assert attempt(UserFactory(), account, DEFAULT_PIN, "198.51.100.2", address=False).outcome is (
        EnrollmentOutcome.ENROLLED
    )


def test_a_wrong_address_with_the_right_pin_is_a_wrong_pin(user):
    account = BillingAccountFactory(pin="1234")
    result = services.enrollment_create(
        user=user,
        account_number=account.account_number,
        pin="1234",
        ip="203.0.113.7",
        service_zip="85001",
        house_number=account.house_number,
    )
    assert result.outcome is EnrollmentOutcome.NO_MATCH
    assert PinFailure.objects.filter(user=user).count() == 1
    account.refresh_from_db()
    assert account.failed_pin_attempts == 1 and not user.enrollments.exists()


def test_an_account_without_a_zip_on_file_cannot_be_enrolled_with_a_common_pin(user):
    account = BillingAccountFactory(pin="1234", service_zip="")
    result = services.enrollment_create(
        user=user,
        account_number=account.account_number,
        pin="1234",
        ip="203.0.113.7",
        service_zip="85003",
        house_number=account.house_number,
    )
    assert result.outcome is EnrollmentOutcome.NO_MATCH


def test_wrong_pins_from_one_address_pause_it_for_a_day_whoever_types_them():
    ip = "203.0.113.7"
    for _ in range(guessing.WRONG_PINS_PER_IP_PER_DAY):
        assert attempt(UserFactory(), BillingAccountFactory(), WRONG, ip).outcome is (
            EnrollmentOutcome.NO_MATCH
        )
    account = BillingAccountFactory()
    refused = attempt(UserFactory(), account, DEFAULT_PIN, ip)
    assert refused.outcome is EnrollmentOutcome.NETWORK_BLOCKED
    assert timedelta(hours=23, minutes=59) < refused.until - timezone.now() <= timedelta(days=1)
    assert not Enrollment.objects.filter(account=account).exists()
    # Another address of the same /24 still has the rest of the network's budget.
    assert attempt(UserFactory(), account, DEFAULT_PIN, "203.0.113.8").outcome is (
        EnrollmentOutcome.ENROLLED
    )


def test_a_network_has_a_budget_across_its_addresses():
    for n in range(guessing.WRONG_PINS_PER_NETWORK_PER_DAY):
        attempt(UserFactory(), BillingAccountFactory(), WRONG, f"203.0.113.{n}")
    refused = attempt(UserFactory(), BillingAccountFactory(), DEFAULT_PIN, "203.0.113.200")
    assert refused.outcome is EnrollmentOutcome.NETWORK_BLOCKED
    assert attempt(UserFactory(), BillingAccountFactory(), DEFAULT_PIN, "203.0.114.1").outcome is (
        EnrollmentOutcome.ENROLLED
    )


def test_the_address_budget_slides_over_24_hours():
    now = timezone.now()
    network = guessing.network_of("203.0.113.7")
    minutes_ago = [23 * 60 + 58] + list(range(10, 10 * guessing.WRONG_PINS_PER_IP_PER_DAY - 10, 10))
    for minutes in minutes_ago:
        PinFailure.objects.create(
            at=now - timedelta(minutes=minutes), ip="203.0.113.7", network=network
        )
    # One short of the budget in the last day: one more may still be checked, then the address is
    # paused until the oldest (23 h 58 min ago) is a day old.
    attempt(UserFactory(), BillingAccountFactory(), WRONG, "203.0.113.7")
    refused = attempt(UserFactory(), BillingAccountFactory(), DEFAULT_PIN, "203.0.113.7")
    assert refused.outcome is EnrollmentOutcome.NETWORK_BLOCKED
    assert refused.until - now <= timedelta(minutes=2)
    PinFailure.objects.filter(at__lt=now - timedelta(hours=23)).update(at=now - timedelta(days=2))
    assert attempt(UserFactory(), BillingAccountFactory(), DEFAULT_PIN, "203.0.113.7").outcome is (
        EnrollmentOutcome.ENROLLED
    )


def test_a_user_confirmed_today_gets_three_wrong_pins_until_a_day_after_confirming():
    newcomer = UserFactory(confirmed_at=timezone.now() - timedelta(hours=2))
    for _ in range(guessing.WRONG_PINS_PER_NEW_USER):
        assert attempt(newcomer, BillingAccountFactory(), WRONG, next(_networks)).outcome is (
            EnrollmentOutcome.NO_MATCH
        )
    refused = attempt(newcomer, BillingAccountFactory(), DEFAULT_PIN, next(_networks))
    assert refused.outcome is EnrollmentOutcome.USER_BLOCKED
    assert refused.until == newcomer.confirmed_at + guessing.NEW_USER_AGE


def test_the_network_pause_page_says_until_when(signed_in_client):
    network = guessing.network_of("127.0.0.1")
    PinFailure.objects.bulk_create(
        PinFailure(at=timezone.now(), ip="127.0.0.1", network=network)
        for _ in range(guessing.WRONG_PINS_PER_IP_PER_DAY)
    )
    account = BillingAccountFactory()
    response = signed_in_client.post(
        url("en", "enrollment:enroll"),
        {
            "account_number": account.account_number,
            "pin": DEFAULT_PIN,
            "service_zip": account.service_zip,
            "house_number": account.house_number,
        },
    )
    assert "enrolling accounts from it is paused until" in response.content.decode()
    assert not Enrollment.objects.filter(account=account).exists()


def test_sybil_attack_with_common_pins_enrolls_nothing(client):
    """The red team's attack, through the Enroll page: fresh users (four per address), 3 addresses,
    the most common PINs against 40 accounts that all have one of the ten most common. Not one
    account is enrolled."""
    accounts = [BillingAccountFactory(pin=COMMON_PINS[n % 10]) for n in range(40)]
    attackers = [UserFactory(confirmed_at=timezone.now()) for _ in range(12)]
    addresses = ["192.0.2.10", "198.51.100.10", "203.0.113.10"]
    answers = []
    for n, attacker in enumerate(attackers):
        client.force_login(attacker)
        for account in accounts[(n * 5) % 40 :][:6]:
            for pin in COMMON_PINS[:3]:
                response = client.post(
                    url("en", "enrollment:enroll"),
                    {"account_number": account.account_number, "pin": pin},
                    REMOTE_ADDR=addresses[n % 3],
                )
                answers.append(response.status_code)
    assert 500 not in answers
    assert not Enrollment.objects.exists()
    assert BillingAccount.objects.filter(locked_until__isnull=False).count() == 0


def test_random_pin_guessing_from_many_networks_is_bounded_by_the_arithmetic():
    """Addresses in 20 networks, each with a throwaway user, guessing uncommon PINs: each network
    has at most one PIN checked without the service address (none once the site-wide breaker trips,
    which takes about ten networks), then at most WRONG_PINS_PER_IP_PER_DAY in all with a guessed
    address. SECURITY.md turns these numbers into expected takeovers a day."""
    networks = 20
    accounts = iter(
        BillingAccount.objects.bulk_create(
            BillingAccountFactory.build_batch(networks * (guessing.WRONG_PINS_PER_IP_PER_DAY + 5))
        )
    )
    checked_without_address = 0
    for n in range(networks):
        ip, attacker = f"10.{n}.0.1", UserFactory()
        without_address = [
            attempt(attacker, next(accounts), f"{5830 + guess}", ip, address=False).outcome
            for guess in range(3)
        ]
        checked = without_address.count(EnrollmentOutcome.NO_MATCH)
        assert checked <= 1
        assert without_address[checked:] == [EnrollmentOutcome.STEP_UP_REQUIRED] * (3 - checked)
        checked_without_address += checked
        with_guessed_address = []
        for guess in range(guessing.WRONG_PINS_PER_IP_PER_DAY + 2):
            result = services.enrollment_create(
                user=attacker,
                account_number=next(accounts).account_number,
                pin=f"{5840 + guess}",
                ip=ip,
                service_zip="85001",
                house_number="100",
            )
            with_guessed_address.append(result.outcome)
        assert with_guessed_address.count(EnrollmentOutcome.NO_MATCH) + checked == (
            guessing.WRONG_PINS_PER_IP_PER_DAY
        )
        # Then refused: by the address budget, or the throwaway user's own (as large).
        assert set(with_guessed_address[guessing.WRONG_PINS_PER_IP_PER_DAY - checked :]) <= {
            EnrollmentOutcome.NETWORK_BLOCKED,
            EnrollmentOutcome.USER_BLOCKED,
        }
    # The breaker tripped once the portal-wide hour held SITE_WRONG_PINS_PER_HOUR wrong PINs.
    assert checked_without_address <= (
        guessing.SITE_WRONG_PINS_PER_HOUR // guessing.WRONG_PINS_PER_IP_PER_DAY + 1
    )
    assert checked_without_address < networks
    assert PinFailure.objects.count() == networks * guessing.WRONG_PINS_PER_IP_PER_DAY
    assert not Enrollment.objects.exists()


def test_pre_created_sign_in_spends_the_same_address_budget(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    budget = guessing.WRONG_PINS_PER_IP_PER_DAY
    users = [PrecreatedUserFactory() for _ in range(budget + 1)]
    for user in users:
        EnrollmentFactory(user=user, account=BillingAccountFactory(ebill_email=user.email))
    with django_capture_on_commit_callbacks(execute=True):
        for user in users[:budget]:
            client.post(url("en", "accounts:login"), {"username": user.email, "password": WRONG})
        # The last has the right PIN, but this address has spent its budget: no link.
        response = client.post(
            url("en", "accounts:login"), {"username": users[budget].email, "password": DEFAULT_PIN}
        )
    assert response.status_code == 200
    assert not [m for m in mailoutbox if "first_signin_link" in m.tags]
    assert PinFailure.objects.count() == budget


@pytest.mark.django_db(transaction=True)
def test_parallel_wrong_pins_from_one_address_cannot_exceed_its_budget():
    pairs = [(UserFactory(), BillingAccountFactory()) for _ in range(16)]
    outcomes = run_in_parallel(
        lambda pair: attempt(pair[0], pair[1], WRONG, "203.0.113.7").outcome, pairs
    )
    assert outcomes.count(EnrollmentOutcome.NO_MATCH) == guessing.WRONG_PINS_PER_IP_PER_DAY
    assert (
        outcomes.count(EnrollmentOutcome.NETWORK_BLOCKED) == 16 - guessing.WRONG_PINS_PER_IP_PER_DAY
    )
    assert PinFailure.objects.count() == guessing.WRONG_PINS_PER_IP_PER_DAY


def test_everyone_who_has_the_account_is_told_of_a_new_enrollment(
    user, mailoutbox, django_capture_on_commit_callbacks
):
    account = BillingAccountFactory(ebill_email="bills@example.com")
    holder = EnrollmentFactory(account=account, user=UserFactory(preferred_language="es"))
    guest = EnrollmentFactory(account=account, role="view")
    with django_capture_on_commit_callbacks(execute=True):
        assert attempt(user, account, DEFAULT_PIN, "203.0.113.7").outcome is (
            EnrollmentOutcome.ENROLLED
        )
    told = {m.to[0]: m for m in mailoutbox if "account_enrolled" in m.tags}
    assert set(told) == {"bills@example.com", holder.user.email, guest.user.email}
    assert told[holder.user.email].extra_headers["Content-Language"] == "es"
    assert user.username in told[guest.user.email].body


def test_a_new_enrollee_waits_a_day_to_change_the_billing_email_or_invite(user, signed_in_client):
    account = BillingAccountFactory(ebill_email="bills@example.com")
    assert attempt(user, account, DEFAULT_PIN, "203.0.113.7").outcome is EnrollmentOutcome.ENROLLED
    response = signed_in_client.post(
        url("en", "enrollment:settings", account_id=account.pk),
        {"nickname": "", "paperless": "on", "ebill_email": "attacker@example.com"},
    )
    assert "billing email of a newly added account can be changed after" in (
        response.content.decode()
    )
    account.refresh_from_db()
    assert account.ebill_email == "bills@example.com"
    response = signed_in_client.post(
        url("en", "enrollment:invite", account_id=account.pk),
        {"email": "accomplice@example.com", "role": "manage"},
    )
    assert "you can invite others to a newly added account after" in response.content.decode()
    assert not account.invitations.exists()
    # A day later both work.
    Enrollment.objects.filter(user=user).update(
        created_at=timezone.now() - timedelta(days=1, minutes=1)
    )
    signed_in_client.post(
        url("en", "enrollment:settings", account_id=account.pk),
        {"nickname": "", "paperless": "on", "ebill_email": "new.bills@example.com"},
    )
    account.refresh_from_db()
    assert account.ebill_email == "new.bills@example.com"


def test_above_the_normal_site_wide_rate_every_attempt_asks_for_the_address(user):
    """The circuit breaker: a botnet spread over more networks than the budgets can see."""
    now = timezone.now()
    PinFailure.objects.bulk_create(
        PinFailure(at=now - timedelta(minutes=n % 50), ip=f"10.{n}.1.1", network=f"10.{n}.1.0/24")
        for n in range(guessing.SITE_WRONG_PINS_PER_HOUR)
    )
    account = BillingAccountFactory()
    fresh = attempt(user, account, DEFAULT_PIN, "198.51.100.1", address=False)
    assert fresh.outcome is EnrollmentOutcome.STEP_UP_REQUIRED
    # An hour later the rate is back to normal.
    PinFailure.objects.update(at=now - timedelta(minutes=61))
    assert attempt(user, account, DEFAULT_PIN, "198.51.100.1", address=False).outcome is (
        EnrollmentOutcome.ENROLLED
    )


def test_wrong_pins_older_than_a_day_are_forgotten():
    old = PinFailure.objects.create(
        at=timezone.now() - timedelta(days=1, minutes=1), network="10.9.9.0/24"
    )
    attempt(UserFactory(), BillingAccountFactory(), WRONG, "203.0.113.7")
    assert not PinFailure.objects.filter(pk=old.pk).exists()
    assert PinFailure.objects.count() == 1
