"""Shared reads about enrollments, for the apps built on them (billing, payments)."""

import re
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Case, F, Q, Value, When
from django.shortcuts import get_object_or_404
from django.utils import timezone

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


ACCOUNTS_PER_PAGE = 50


@dataclass(frozen=True)
class AccountPage:
    enrollments: list[Enrollment]
    number: int
    pages: int
    total: int
    query: str


def account_list(*, user: User, query: str = "", page: int = 1) -> AccountPage:
    """A page of the user's Account(s): past-due accounts first, then by due date; searched by
    account number, nickname or service address. Two queries whatever the number of accounts
    (a landlord or an HOA may have hundreds)."""
    enrollments = Enrollment.objects.filter(user=user).select_related(
        "account", "invitation__invited_by"
    )
    query = query.strip()[:100]
    if query:
        digits = re.sub(r"[\s-]", "", query)
        enrollments = enrollments.filter(
            Q(account__account_number__contains=digits)
            | Q(nickname__icontains=query)
            | Q(account__service_address__icontains=query)
        )
    today = timezone.localdate()
    enrollments = enrollments.annotate(
        past_due=Case(
            When(account__balance__gt=0, account__due_date__lt=today, then=Value(0)),
            default=Value(1),
        )
    ).order_by("past_due", F("account__due_date").asc(nulls_last=True), "created_at", "pk")
    paginator = Paginator(enrollments, ACCOUNTS_PER_PAGE)
    current = paginator.get_page(page)
    return AccountPage(
        enrollments=list(current.object_list),
        number=current.number,
        pages=paginator.num_pages,
        total=paginator.count,
        query=query,
    )
