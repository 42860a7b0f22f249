"""Shared reads about enrollments, for the apps built on them (billing, payments)."""

from django.shortcuts import get_object_or_404

from accounts.models import User
from enrollment.models import Enrollment


def enrollment_of(*, user: User, account_id: int) -> Enrollment:
    """The user's enrollment on that account, or 404: someone else's account id is simply not
    found, and everyone enrolled (holder, manage, view) may read the account."""
    return get_object_or_404(
        Enrollment.objects.select_related("account", "invitation__invited_by"),
        user=user,
        account_id=account_id,
    )
