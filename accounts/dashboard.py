"""The numbers a manager asks about, for the staff dashboard (accounts.admin_site): per day over the
last 30 days from the audit log, plus the email queue and the pending-registration funnel.

All counts are a handful of aggregate queries, whatever the size of the tables.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from phxpay.models import AuditEvent, OutboundEmail

DAYS = 30

# (title, the audit event kinds it counts): one chart and one table each.
SERIES = (
    (_("Registrations started"), AuditEvent.Kind.REGISTERED),
    (_("Registrations confirmed"), AuditEvent.Kind.REGISTRATION_CONFIRMED),
    (_("Accounts enrolled"), AuditEvent.Kind.ENROLLED),
    (_("PIN lockouts"), AuditEvent.Kind.PIN_LOCKOUT),
    (_("Sign-in pauses"), AuditEvent.Kind.LOGIN_LOCKED_OUT),
)


@dataclass
class Series:
    title: str
    days: list[tuple[date, int]]
    total: int
    peak: int

    @property
    def bars(self) -> list[tuple[int, int, int]]:
        """(x, y, height) of the chart's SVG bars, in percent of the busiest day (SVG attributes,
        not inline styles, which the Content-Security-Policy refuses)."""
        bars = []
        for x, (_day, n) in enumerate(self.days):
            height = round(100 * n / self.peak)
            bars.append((x, 100 - height, height))
        return bars


def dashboard_numbers(*, today: date | None = None) -> dict:
    today = today or timezone.localdate()
    start = today - timedelta(days=DAYS - 1)
    # One grouped query for every chart.
    counts = {
        (kind, day): n
        for kind, day, n in AuditEvent.objects.filter(
            kind__in=[kind for _title, kind in SERIES], at__date__gte=start, at__date__lte=today
        )
        .annotate(day=TruncDate("at"))
        .values("kind", "day")
        .annotate(n=Count("pk"))
        .values_list("kind", "day", "n")
    }
    dates = [start + timedelta(days=i) for i in range(DAYS)]
    series = []
    for title, kind in SERIES:
        days = [(day, counts.get((kind, day), 0)) for day in dates]
        values = [n for _day, n in days]
        series.append(Series(str(title), days, sum(values), max(values) or 1))
    queue = dict(
        OutboundEmail.objects.values("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    pending = User.objects.filter(confirmed_at__isnull=True, is_staff=False, precreated=False)
    # How many links a pending registration has had: generation 1 is the first email.
    resends = dict(
        pending.values("confirmation_generation")
        .annotate(n=Count("pk"))
        .values_list("confirmation_generation", "n")
    )
    return {
        "series": series,
        "queue": [
            (str(label), queue.get(value, 0)) for value, label in OutboundEmail.Status.choices
        ],
        "bounced_confirmations": pending.filter(email_bounced_at__isnull=False).count(),
        "funnel": sorted(resends.items()),
        "pending_total": sum(resends.values()),
    }
