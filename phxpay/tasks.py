"""Email delivery as a background task (django-tasks; `manage.py db_worker` runs them in production).

A failed send is retried with exponential backoff for EMAIL_RETRY_HOURS, then recorded as failed
(staff see it in the admin). A delivered email is marked sent under a row lock, so a duplicate task
never sends it twice.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import default_task_backend, task

from phxpay.emails import build, render_email
from phxpay.models import OutboundEmail

logger = logging.getLogger(__name__)


def _backoff(attempts: int) -> timedelta:
    # 1, 2, 4 … minutes, at most an hour between tries.
    return timedelta(minutes=min(2 ** (attempts - 1), 60))


@task()
def deliver_email(outbound_id: int) -> str:
    with transaction.atomic():
        outbound = OutboundEmail.objects.select_for_update().filter(pk=outbound_id).first()
        if outbound is None or outbound.status != OutboundEmail.Status.QUEUED:
            return "nothing to do"
        # The builder may write (a fresh link token) in this same transaction: if sending fails,
        # that write is rolled back with the attempt.
        spec = build(outbound.kind, outbound.params)
        if spec is None:
            outbound.status = OutboundEmail.Status.SKIPPED
            outbound.save(update_fields=["status"])
            return "skipped"
        outbound.attempts += 1
        outbound.to = ", ".join(spec.to)[:600]
        try:
            message = render_email(spec)
            message.send()
        except Exception as error:  # noqa: BLE001 - any provider failure is retried, then recorded
            failed_attempt = (type(error).__name__ + ": " + str(error))[:500]
            transaction.set_rollback(True)
        else:
            status = getattr(message, "anymail_status", None)
            outbound.esp_message_id = (getattr(status, "message_id", None) or "")[:200]
            outbound.status = OutboundEmail.Status.SENT
            outbound.sent_at = timezone.now()
            outbound.last_error = ""
            outbound.save()
            return "sent"
    _record_failure(outbound_id, failed_attempt)
    return "retry"


def _record_failure(outbound_id: int, error: str) -> None:
    now = timezone.now()
    with transaction.atomic():
        outbound = OutboundEmail.objects.select_for_update().get(pk=outbound_id)
        outbound.attempts += 1
        outbound.last_error = error
        give_up = now - outbound.created_at >= timedelta(hours=settings.EMAIL_RETRY_HOURS)
        if give_up or not default_task_backend.supports_defer:
            # Without a deferring backend (make run, tests) there is no later: record it for staff.
            outbound.status = OutboundEmail.Status.FAILED
            outbound.next_attempt_at = None
            outbound.save()
            logger.error("email %s (%s) failed for good: %s", outbound.pk, outbound.kind, error)
            return
        outbound.next_attempt_at = now + _backoff(outbound.attempts)
        outbound.save()
        retry_at = outbound.next_attempt_at
        transaction.on_commit(lambda: deliver_email.using(run_after=retry_at).enqueue(outbound_id))
    logger.warning(
        "email %s failed (attempt %s), retrying at %s: %s",
        outbound_id,
        outbound.attempts,
        retry_at,
        error,
    )
