"""Every email goes through a durable queue: retried through outages, sent once, no secrets stored."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from phxpay.emails import queue_email
from phxpay.models import OutboundEmail
from phxpay.tasks import deliver_email
from tests.conftest import confirmation_link
from tests.factories import UserFactory
from tests.flaky_email import OutageBackend

pytestmark = pytest.mark.django_db

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def outage(settings, mailoutbox):
    settings.EMAIL_BACKEND = "tests.flaky_email.OutageBackend"

    def _outage(failures):
        OutageBackend.failures_left = failures

    yield _outage
    OutageBackend.failures_left = 0


def test_registration_email_is_queued_with_ids_not_tokens(register, mailoutbox):
    register()
    outbound = OutboundEmail.objects.get(kind="registration_confirmation")
    assert outbound.status == OutboundEmail.Status.SENT and outbound.attempts == 1
    token = confirmation_link(mailoutbox[0]).rstrip("/").rsplit("/", 1)[1]
    assert token not in str(outbound.params) and set(outbound.params) == {"user_id", "generation"}
    assert outbound.to == "wstestphx10@gmail.com"


def test_a_rolled_back_change_mails_nothing(db, mailoutbox, django_capture_on_commit_callbacks):
    from django.db import transaction

    user = UserFactory()
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        queue_email("security_notice", user_id=user.pk, notice="password_changed")
        raise RuntimeError
    assert mailoutbox == [] and not OutboundEmail.objects.exists()


def test_outage_without_a_worker_records_the_failure_and_the_page_still_works(
    register, outage, client
):
    outage(1)
    response = register()
    assert response.status_code == 302  # no 500 for the customer
    outbound = OutboundEmail.objects.get()
    assert outbound.status == OutboundEmail.Status.FAILED
    assert "ESP unavailable" in outbound.last_error


def test_outage_with_the_database_queue_retries_with_backoff_then_delivers_once(
    settings, outage, mailoutbox, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DB_TASKS
    user = UserFactory()
    outage(2)
    with django_capture_on_commit_callbacks(execute=True):
        queue_email("security_notice", user_id=user.pk, notice="password_changed")
    outbound = OutboundEmail.objects.get()
    # The worker's first run fails: a retry is queued a minute later.
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver_email.call(outbound.pk) == "retry"
    outbound.refresh_from_db()
    assert outbound.status == OutboundEmail.Status.QUEUED and outbound.attempts == 1
    retry = DBTaskResult.objects.order_by("-enqueued_at").first()
    assert retry.run_after is not None and retry.run_after > timezone.now() + timedelta(seconds=50)
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver_email.call(outbound.pk) == "retry"
    outbound.refresh_from_db()
    assert outbound.next_attempt_at - timezone.now() > timedelta(minutes=1, seconds=50)
    assert deliver_email.call(outbound.pk) == "sent"
    # A duplicate run (e.g. a task delivered twice) sends nothing more.
    assert deliver_email.call(outbound.pk) == "nothing to do"
    assert len(mailoutbox) == 1
    outbound.refresh_from_db()
    assert outbound.status == OutboundEmail.Status.SENT and outbound.attempts == 3


def test_after_24_hours_of_failures_the_email_is_recorded_as_failed(settings, outage):
    settings.TASKS = DB_TASKS
    user = UserFactory()
    outage(1)
    queue_email("security_notice", user_id=user.pk, notice="password_changed")
    outbound = OutboundEmail.objects.get()
    OutboundEmail.objects.filter(pk=outbound.pk).update(
        created_at=timezone.now() - timedelta(hours=24)
    )
    assert deliver_email.call(outbound.pk) == "retry"
    outbound.refresh_from_db()
    assert outbound.status == OutboundEmail.Status.FAILED


def test_a_superseded_confirmation_email_is_skipped_not_sent(
    settings, register, mailoutbox, django_capture_on_commit_callbacks
):
    settings.TASKS = DB_TASKS  # emails wait for a worker, as in production
    register()
    register()
    first, second = OutboundEmail.objects.order_by("pk")
    # The worker runs them late, the older one last: it must not mail a link that kills the newer.
    assert deliver_email.call(second.pk) == "sent"
    assert deliver_email.call(first.pk) == "skipped"
    assert len(mailoutbox) == 1
    user = User.objects.get()
    assert user.confirmation_token_hash  # the link that was mailed still works
    from django.test import Client

    from tests.conftest import open_link

    assert open_link(Client(), confirmation_link(mailoutbox[0])).status_code == 200


def test_db_worker_delivers_queued_email(settings, mailoutbox, transactional_db):
    settings.TASKS = DB_TASKS
    user = UserFactory()
    queue_email("security_notice", user_id=user.pk, notice="password_changed")
    assert mailoutbox == []
    call_command("db_worker", "--batch", "--interval", "0")
    assert len(mailoutbox) == 1
    assert OutboundEmail.objects.get().status == OutboundEmail.Status.SENT


def test_requeue_command_picks_up_emails_stuck_as_queued(
    settings, mailoutbox, capsys, django_capture_on_commit_callbacks
):
    user = UserFactory()
    outbound = OutboundEmail.objects.create(
        kind="security_notice", params={"user_id": user.pk, "event": "password_changed"}
    )
    OutboundEmail.objects.filter(pk=outbound.pk).update(
        created_at=timezone.now() - timedelta(hours=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        call_command("requeue_emails")
    assert "Enqueued 1" in capsys.readouterr().out
    assert len(mailoutbox) == 1


def test_a_cache_outage_does_not_break_sign_in(settings, client, user):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    from tests.conftest import url
    from tests.factories import DEFAULT_PASSWORD

    response = client.post(
        url("en", "accounts:login"), {"username": user.username, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302


def test_every_email_kind_has_a_builder_and_its_three_templates():
    from pathlib import Path

    from django.utils.module_loading import import_string

    from phxpay.emails import BUILDERS

    templates = Path(__file__).resolve().parent.parent / "templates" / "emails"
    names = {path.name for path in templates.iterdir()}
    from accounts.notices import Notice

    # A security notice renders the templates of its Notice kind.
    template_names = [kind for kind in BUILDERS if kind != "security_notice"]
    template_names += [f"notice_{notice}" for notice in Notice]
    for dotted in BUILDERS.values():
        assert callable(import_string(dotted)), dotted
    for name in template_names:
        for part in ("subject.txt", "message.txt", "message.html"):
            assert f"{name}_{part}" in names, (name, part)


def test_an_unknown_kind_cannot_be_queued(db):
    with pytest.raises(KeyError):
        queue_email("no_such_email", user_id=1)
