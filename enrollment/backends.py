"""First sign-in of a pre-created e-bill user: User Name = e-bill address, password = an account PIN."""

import re

from django.contrib.auth.backends import BaseBackend
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from enrollment.models import Enrollment, Role
from enrollment.pins import pin_matches
from enrollment.services import register_pin_failure

PIN_RE = re.compile(r"\d{4}")


class PrecreatedPinBackend(BaseBackend):
    """Accepts the PIN of any account the user holds, until the user sets a real password."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or not password:
            return None
        user = User.objects.filter(
            username=username.strip().lower(),
            precreated=True,
            must_change_password=True,
            is_active=True,
        ).first()
        if user is None:
            return None
        # No dummy hash here: ModelBackend, which runs first, already spent exactly one on this
        # user's unusable password (or on the unknown name), like for every other failed sign-in.
        if not PIN_RE.fullmatch(password):
            return None
        held = list(
            Enrollment.objects.filter(user=user, role=Role.HOLDER).select_related("account")
        )
        now = timezone.now()
        for enrollment in held:
            account = enrollment.account
            if not account.is_locked(now) and pin_matches(
                account_number=account.account_number, pin=password, digest=account.pin_hash
            ):
                return user
        # A wrong PIN here is a PIN guess against each account the user holds.
        with transaction.atomic():
            for enrollment in held:
                register_pin_failure(account_id=enrollment.account_id, now=now, user=user)
        return None

    def get_user(self, user_id):
        return User.objects.filter(pk=user_id, is_active=True).first()
