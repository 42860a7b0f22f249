"""Shared reads about enrollments, for the apps built on them (billing, payments)."""

import re
from dataclasses import dataclass
from math import ceil

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


@dataclass(frozen=True)
class AccountChoice:
    account_id: int
    account_number: str
    nickname: str


def account_choices(*, user: User) -> list[AccountChoice]:
    """The account picker of Details and Account Settings: three columns, not four models a row
    (a landlord's picker has every one of their accounts)."""
    rows = (
        Enrollment.objects.filter(user=user)
        .order_by("created_at", "pk")
        .values_list("account_id", "account__account_number", "nickname")
    )
    return [AccountChoice(*row) for row in rows]


ACCOUNTS_PER_PAGE = 50


@dataclass(frozen=True)
class AccountPage:
    enrollments: list[Enrollment]
    number: int
    pages: int
    total: int
    query: str


# What Account(s) shows, and nothing more: the inviter's password hash, the account's PIN hash and
# lockout counters stay in the database (and out of the row-building cost of a 1,000-account list).
ACCOUNT_LIST_FIELDS = (
    "user_id",
    "role",
    "nickname",
    "created_at",
    "account__account_number",
    "account__service_address",
    "account__balance",
    "account__due_date",
    "invitation__invited_by__first_name",
    "invitation__invited_by__last_name",
)


MAX_PAGE = 100_000  # beyond any list; keeps the OFFSET a number the database takes


def _page_number(page) -> int:
    try:
        return min(max(int(page), 1), MAX_PAGE)
    except (TypeError, ValueError):
        return 1


def account_list(*, user: User, query: str = "", page: int | str = 1) -> AccountPage:
    """A page of the user's Account(s): past-due accounts first, then by due date; searched by
    account number, nickname or service address. One query when everything fits on the first
    page, two otherwise (the count), whatever the number of accounts (a landlord or an HOA may
    have hundreds). A page number past the end shows the last page, anything else the first."""
    matching = Enrollment.objects.filter(user=user)
    query = query.strip()[:100]
    if query:
        digits = re.sub(r"[\s-]", "", query)
        matching = matching.filter(
            Q(account__account_number__contains=digits)
            | Q(nickname__icontains=query)
            | Q(account__service_address__icontains=query)
        )
    today = timezone.localdate()
    enrollments = (
        matching.select_related("account", "invitation__invited_by")
        .only(*ACCOUNT_LIST_FIELDS)
        .annotate(
            past_due=Case(
                When(account__balance__gt=0, account__due_date__lt=today, then=Value(0)),
                default=Value(1),
            )
        )
        .order_by("past_due", F("account__due_date").asc(nulls_last=True), "created_at", "pk")
    )
    number = _page_number(page)
    start = (number - 1) * ACCOUNTS_PER_PAGE
    # One row more than a page: whether the list goes on, without counting it.
    rows = list(enrollments[start : start + ACCOUNTS_PER_PAGE + 1])
    fits = number == 1 and len(rows) <= ACCOUNTS_PER_PAGE
    # Counted without the join and the sort: an index-only count of the user's enrollments.
    total = len(rows) if fits else matching.count()
    rows = rows[:ACCOUNTS_PER_PAGE]
    pages = max(ceil(total / ACCOUNTS_PER_PAGE), 1)
    if number > pages:
        number = pages
        start = (number - 1) * ACCOUNTS_PER_PAGE
        rows = list(enrollments[start : start + ACCOUNTS_PER_PAGE])
    return AccountPage(enrollments=rows, number=number, pages=pages, total=total, query=query)
