from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin

from accounts.tokens import token_digest
from accounts.validators import stored_username_validator


class PortalUserManager(UserManager):
    def get_by_natural_key(self, username):
        # Login and confirmation match the User Name exactly, case included (the seed: "sensible a
        # mayúsculas y minúsculas"); the database constraint stops two names differing only in case.
        return self.get(username=username)


class UserState(models.TextChoices):
    PENDING = "pending", _("Pending confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    STAFF = "staff", _("Staff")


class User(AbstractUser):
    """A PHX Pay Online web user.

    A registration creates the user at once in the *pending* state (no usable password) so that the
    User Name and Email Address are reserved; step 2 (the emailed link) sets the password and confirms it.
    """

    # Room for legacy e-bill users whose User Name is their e-mail address; the Register form limits
    # new names to 4–32 characters as the seed says.
    username = models.CharField(
        _("User Name"),
        max_length=254,
        unique=True,
        validators=[stored_username_validator],
        error_messages={"unique": _("A user with that User Name already exists.")},
    )
    email = models.EmailField(_("Email Address"), max_length=254, blank=True)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    # False until the person picks a language (registering, User Profile, the language switch, or
    # a pre-created user's first sign-in): until then their first sign-in's language is adopted.
    language_chosen = models.BooleanField(_("language chosen"), default=False)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    # Only a SHA-256 digest of the newest link's token is kept: the link itself is in the email only,
    # and writing a new digest is what makes every earlier link stop working.
    confirmation_token_hash = models.CharField(max_length=64, blank=True, editable=False)
    confirmation_sent_at = models.DateTimeField(
        _("latest confirmation link sent"), null=True, blank=True, editable=False
    )
    confirmation_mismatches = models.PositiveSmallIntegerField(default=0, editable=False)
    # Set from the email provider's tracking webhook (Anymail): the address bounced or complained.
    email_bounced_at = models.DateTimeField(_("email bounced"), null=True, blank=True)
    email_complained_at = models.DateTimeField(_("spam complaint"), null=True, blank=True)
    # Bumped by every registration (and resend): only the newest one's email gets a link made.
    confirmation_generation = models.PositiveIntegerField(default=0, editable=False)
    # Customers on e-bills before April 2017 get a web user pre-created by the CIS import: User Name and
    # email are the e-bill address, and the account PIN signs them in once, to set a real password.
    precreated = models.BooleanField(_("pre-created e-bill user"), default=False)
    must_change_password = models.BooleanField(_("must change password"), default=False)

    objects = PortalUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [
            ("support_user", _("Can run the support actions (resend, unlock, send links)")),
        ]
        constraints = [
            models.UniqueConstraint(Lower("username"), name="accounts_user_username_ci_unique"),
            models.UniqueConstraint(
                Lower("email"),
                condition=~models.Q(email=""),
                name="accounts_user_email_ci_unique",
            ),
            models.UniqueConstraint(
                fields=["confirmation_token_hash"],
                condition=~models.Q(confirmation_token_hash=""),
                name="accounts_user_confirmation_token_unique",
            ),
        ]

    def __str__(self):
        return self.username

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def state(self) -> str:
        if self.is_staff:
            return UserState.STAFF
        if self.is_confirmed:
            return UserState.CONFIRMED
        return UserState.PENDING

    def get_state_display(self) -> str:
        return UserState(self.state).label

    def confirmation_link_expired(self, now=None) -> bool:
        if self.confirmation_sent_at is None:
            return True
        now = now or timezone.now()
        return now - self.confirmation_sent_at > settings.CONFIRMATION_LINK_MAX_AGE

    @property
    def display_name(self) -> str:
        return self.first_name or self.username


class UserSession(models.Model):
    """Which sessions belong to which user, so a password change can end the others server-side."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("user session")
        verbose_name_plural = _("user sessions")

    def __str__(self):
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}"


class EmailChange(models.Model):
    """A requested new email address, waiting for its owner to click the link sent to it."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="email_change")
    new_email = models.EmailField(_("new email address"), max_length=254)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("email change")
        verbose_name_plural = _("email changes")

    def __str__(self):
        return f"{self.user} → {self.new_email}"

    def expired(self, now=None) -> bool:
        return (now or timezone.now()) - self.created_at > settings.CONFIRMATION_LINK_MAX_AGE


class EmailChangeUndo(models.Model):
    """The old address's way back after an email change: its link works for 7 days."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="email_change_undo")
    old_email = models.EmailField(_("previous email address"), max_length=254)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("email change undo link")
        verbose_name_plural = _("email change undo links")

    def __str__(self):
        return f"{self.user} ← {self.old_email}"


class RecoveryCodeDevice(ThrottlingMixin, Device):
    """A staff member's one-time recovery codes (django-otp's device interface).

    Unlike django-otp's own static device, the codes are kept only as SHA-256 digests: whoever
    reads the database cannot sign in with them.
    """

    class Meta:
        verbose_name = _("recovery codes")
        verbose_name_plural = _("recovery codes")

    def get_throttle_factor(self) -> int:
        return 1

    def verify_token(self, token) -> bool:
        allowed, _reason = self.verify_is_allowed()
        if not allowed:
            return False
        deleted, _rows = self.codes.filter(digest=recovery_code_digest(str(token))).delete()
        if deleted:
            self.throttle_reset()
            return True
        self.throttle_increment()
        return False


def recovery_code_digest(code: str) -> str:
    # Typed with or without the dash, in any case.
    return token_digest("".join(code.split()).replace("-", "").lower())


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")

    def __str__(self):
        return f"{self.device.user} ({_('used once')})"
