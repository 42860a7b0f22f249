"""Users can be deleted (support, `purge_unconfirmed`) while the audit log stays append-only.

The defect: the append-only trigger refused the SET NULL that deleting a user makes on their audit
events, so every deletion of a user with an audit event failed on PostgreSQL.
"""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import DatabaseError, transaction
from django.utils import timezone

from accounts.models import User
from phxpay.models import AuditEvent
from tests.conftest import url
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_purge_unconfirmed_deletes_a_user_who_registered_through_the_real_flow(register):
    assert register().status_code == 302
    user = User.objects.get(username="testWilliamSample")
    assert AuditEvent.objects.filter(user=user, kind=AuditEvent.Kind.REGISTERED).exists()
    User.objects.filter(pk=user.pk).update(confirmation_sent_at=timezone.now() - timedelta(days=31))
    call_command("purge_unconfirmed")
    assert not User.objects.filter(pk=user.pk).exists()
    (event,) = AuditEvent.objects.filter(kind=AuditEvent.Kind.REGISTERED)
    assert event.user_id is None and event.username == "testWilliamSample"


def test_a_user_who_signed_in_can_be_deleted_and_their_history_stays(client):
    user = UserFactory(username="signedInUser")
    client.post(
        url("en", "accounts:login"), {"username": "signedInUser", "password": DEFAULT_PASSWORD}
    )
    client.post(url("en", "accounts:logout"))
    kinds = set(AuditEvent.objects.filter(user=user).values_list("kind", flat=True))
    assert {AuditEvent.Kind.LOGIN_SUCCEEDED, AuditEvent.Kind.LOGGED_OUT} <= kinds
    before = list(
        AuditEvent.objects.order_by("pk").values_list("pk", "kind", "username", "ip", "at")
    )
    user.delete()
    after = list(
        AuditEvent.objects.order_by("pk").values_list("pk", "kind", "username", "ip", "at")
    )
    assert after == before
    assert not AuditEvent.objects.filter(user_id__isnull=False).exists()


def test_detaching_cannot_be_combined_with_another_change():
    user = UserFactory()
    from phxpay.audit import Kind, record

    record(Kind.PASSWORD_CHANGED, user=user)
    event = AuditEvent.objects.get(user=user)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(user=None, username="someone-else")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(user=UserFactory())
