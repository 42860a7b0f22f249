from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.models import User

DEFAULT_PASSWORD = "Correct-Horse-Battery-9"
DEFAULT_PIN = "5821"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"phxUser{n:03d}")
    first_name = "William"
    last_name = "Sample"
    email = factory.Sequence(lambda n: f"wstestphx{n}@example.com")
    preferred_language = "en"
    language_chosen = True  # as registration does
    # Confirmed a month ago: an established user. New users (confirmed in the last day) get a
    # smaller wrong-PIN budget, which tests ask for explicitly with confirmed_at=timezone.now().
    confirmed_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=30))

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or DEFAULT_PASSWORD)
        if create:
            self.save(update_fields=["password"])


class PendingUserFactory(UserFactory):
    confirmed_at = None

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_unusable_password()
        if create:
            self.save(update_fields=["password"])


class BillingAccountFactory(factory.django.DjangoModelFactory):
    """A billing account as CIS would load it; `pin` (default 5821) is hashed, never stored."""

    class Meta:
        model = "enrollment.BillingAccount"
        skip_postgeneration_save = True

    account_number = factory.Sequence(lambda n: f"{9000000000 + n:010d}")
    first_name = "William"
    last_name = "Sample"
    service_address = factory.Sequence(lambda n: f"{100 + n} W Washington St")
    service_zip = "85003"
    ebill_email = ""
    balance = "84.17"
    due_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=20))

    @factory.post_generation
    def pin(self, create, extracted, **kwargs):
        from enrollment.pins import pin_digest

        self.pin_hash = pin_digest(account_number=self.account_number, pin=extracted or DEFAULT_PIN)
        if create:
            self.save(update_fields=["pin_hash"])


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "enrollment.Enrollment"
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    account = factory.SubFactory(BillingAccountFactory)
    role = "holder"

    @factory.post_generation
    def enrolled_days_ago(self, create, extracted, **kwargs):
        """Enrolled a month ago (auto_now_add cannot be passed in): past the new-enrollee wait.
        `enrolled_days_ago=0` makes a brand-new enrollment."""
        if create and extracted != 0:
            self.created_at = timezone.now() - timedelta(days=extracted or 30)
            type(self).objects.filter(pk=self.pk).update(created_at=self.created_at)


class PrecreatedUserFactory(UserFactory):
    """A pre-created e-bill user as the import makes one: User Name and email = the e-bill address."""

    username = factory.Sequence(lambda n: f"ebill{n}@example.com")
    email = factory.SelfAttribute("username")
    precreated = True
    must_change_password = True
    language_chosen = False

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_unusable_password()
        self.must_change_password = True
        if create:
            self.save(update_fields=["password", "must_change_password"])


class BillFactory(factory.django.DjangoModelFactory):
    """A bill as import_bills loads it: its amounts add up (previous - payments + new = due)."""

    class Meta:
        model = "billing.Bill"

    account = factory.SubFactory(BillingAccountFactory)
    bill_date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=5))
    period_end = factory.LazyAttribute(lambda bill: bill.bill_date - timedelta(days=3))
    period_start = factory.LazyAttribute(lambda bill: bill.period_end - timedelta(days=29))
    due_date = factory.LazyAttribute(lambda bill: bill.bill_date + timedelta(days=21))
    previous_balance = Decimal("91.02")
    payments_received = Decimal("91.02")
    new_charges = Decimal("84.17")
    amount_due = factory.LazyAttribute(
        lambda bill: bill.previous_balance - bill.payments_received + bill.new_charges
    )
    water_usage_units = Decimal("10")
    imported_at = factory.LazyFunction(timezone.now)


class BillLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "billing.BillLine"

    bill = factory.SubFactory(BillFactory)
    service = "water"
    description = "Water: service charge $9.60 + 10 units at $2.88"
    amount = Decimal("38.40")


def monthly_bills(account, count: int, *, units=None) -> list:
    """`count` monthly bills of `account`, the newest five days ago, oldest first."""
    newest = timezone.localdate() - timedelta(days=5)
    bills = []
    for back in range(count - 1, -1, -1):
        year, month = divmod(newest.year * 12 + newest.month - 1 - back, 12)
        bill_date = newest.replace(year=year, month=month + 1, day=min(newest.day, 28))
        usage = units[len(bills)] if units else Decimal(8 + (len(bills) % 12))
        bills.append(BillFactory(account=account, bill_date=bill_date, water_usage_units=usage))
    return bills


def paid(account, *, amount="84.17", user=None, status="approved"):
    """A portal payment for `account` as the processor left it (approved by default)."""
    import uuid

    from payments import services
    from payments.processors import DummyProcessor, sign

    payment, _created = services.payment_start(
        user=user,
        accounts=[account],
        amounts={account.pk: Decimal(amount)},
        receipt_email=user.email if user else "payer@example.com",
        language="en",
        idempotency_key=uuid.uuid4(),
    )
    services.payment_checkout(payment=payment, return_url="/")
    payment.refresh_from_db()
    if status != "pending":
        body = DummyProcessor.callback_body(reference=payment.processor_reference, status=status)
        services.payment_callback_receive(
            body=body, headers={DummyProcessor.SIGNATURE_HEADER: sign(body)}
        )
        payment.refresh_from_db()
    return payment
