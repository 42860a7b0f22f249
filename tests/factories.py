import factory
from django.utils import timezone

from accounts.models import User

DEFAULT_PASSWORD = "Correct-Horse-Battery-9"


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
