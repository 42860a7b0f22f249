"""The staff dashboard: the last 30 days' numbers, each chart with its data table."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import roles
from accounts.dashboard import dashboard_numbers
from phxpay.models import AuditEvent, OutboundEmail
from tests.conftest import staff_signed_in
from tests.factories import PendingUserFactory, UserFactory

pytestmark = pytest.mark.django_db


def event(kind):
    # The audit log is append-only (a trigger refuses UPDATE): events are made now, and the
    # dashboard is asked about a later "today" instead.
    AuditEvent.objects.create(kind=kind, username="x")


def test_the_numbers_count_per_day_and_leave_out_older_days():
    today = timezone.localdate()
    event(AuditEvent.Kind.REGISTERED)
    event(AuditEvent.Kind.REGISTERED)
    event(AuditEvent.Kind.PIN_LOCKOUT)
    OutboundEmail.objects.create(kind="x", status=OutboundEmail.Status.FAILED)
    PendingUserFactory(confirmation_generation=3, email_bounced_at=timezone.now())
    numbers = dashboard_numbers(today=today)
    started = numbers["series"][0]
    assert len(started.days) == 30 and started.total == 2
    assert started.days[-1] == (today, 2) and started.days[-2][1] == 0
    assert numbers["series"][3].total == 1
    assert dict(numbers["queue"])["Failed"] == 1
    assert numbers["bounced_confirmations"] == 1
    assert (3, 1) in numbers["funnel"]
    three_days_later = dashboard_numbers(today=today + timedelta(days=3))["series"][0]
    assert three_days_later.days[-4] == (today, 2)
    assert dashboard_numbers(today=today + timedelta(days=30))["series"][0].total == 0


def test_the_dashboard_page_has_a_table_for_every_chart_and_needs_the_audit_permission():
    event(AuditEvent.Kind.ENROLLED)
    agent = UserFactory(is_staff=True)
    agent.groups.set([Group.objects.get(name=roles.SUPPORT)])
    html = staff_signed_in(Client(), agent).get(reverse("admin:dashboard")).content.decode()
    assert html.count('<svg class="phx-bars"') == html.count("<details>") == 5
    assert "Accounts enrolled: 1" in html
    nobody = staff_signed_in(Client(), UserFactory(is_staff=True))
    assert nobody.get(reverse("admin:dashboard")).status_code == 403
