"""Builders of the bill emails, run by the delivery task (see phxpay.emails)."""

from django.urls import reverse
from django.utils import translation

from billing.models import BillNotice, NoticeKind
from enrollment.emails import language_of
from phxpay.emails import EmailSpec, absolute_url


def _notice_spec(notice_id: int, kind: str, name: str) -> EmailSpec | None:
    notice = (
        BillNotice.objects.filter(pk=notice_id, kind=kind)
        .select_related("bill__account", "user")
        .first()
    )
    if notice is None:
        return None
    user = notice.user
    language = (user.preferred_language if user else None) or language_of(notice.email)
    with translation.override(language or "en"):
        sign_in = absolute_url(reverse("accounts:login"))
    return EmailSpec(
        name=name,
        to=[notice.email],
        language=language,
        context={
            "bill": notice.bill,
            "account": notice.bill.account,
            "sign_in_url": sign_in,
            "to_user": user,
        },
    )


def bill_ready(*, notice_id: int) -> EmailSpec | None:
    """A new bill: the amount and due date, a link to sign in; no PDF, the last 4 digits only."""
    return _notice_spec(notice_id, NoticeKind.READY, "bill_ready")


def due_reminder(*, notice_id: int) -> EmailSpec | None:
    """The reminder a user chose in Account Settings; nothing if the bill was paid meanwhile."""
    spec = _notice_spec(notice_id, NoticeKind.REMINDER, "due_reminder")
    if spec is None or spec.context["account"].balance <= 0:
        return None
    return spec
