from datetime import timedelta

import factory
from django.utils import timezone

from accounts.models import User

DEFAULT_PASSWORD = "Correct-Horse-Battery-9"
DEFAULT_PIN = "2468"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"phxUser{n:03d}")
    first_name = "William"
    last_name = "Sample"
    email = factory.Sequence(lambda n: f"wstestphx{n}@example.com")
    preferred_language = "en"
    confirmed_at = factory.LazyFunction(timezone.now)

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
    """A billing account as CIS would load it; `pin` (default 2468) is hashed, never stored."""

    class Meta:
        model = "enrollment.BillingAccount"
        skip_postgeneration_save = True

    account_number = factory.Sequence(lambda n: f"{9000000000 + n:010d}")
    first_name = "William"
    last_name = "Sample"
    service_address = factory.Sequence(lambda n: f"{100 + n} W Washington St")
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

    user = factory.SubFactory(UserFactory)
    account = factory.SubFactory(BillingAccountFactory)
    role = "holder"
