from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from phxpay.models import OutboundEmail
from phxpay.tasks import deliver_email


class Command(BaseCommand):
    help = (
        "Enqueue delivery again for emails still 'queued' after N minutes with no retry planned "
        "(e.g. a process died between commit and enqueue). Safe to run from cron: delivery is "
        "idempotent, a sent email is never sent twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than", type=int, default=10, help="Minutes (default: %(default)s)."
        )

    def handle(self, *args, older_than, **options):
        cutoff = timezone.now() - timedelta(minutes=older_than)
        stuck = list(
            OutboundEmail.objects.filter(status=OutboundEmail.Status.QUEUED, created_at__lt=cutoff)
            .exclude(next_attempt_at__gt=timezone.now())
            .values_list("pk", flat=True)
        )
        for pk in stuck:
            transaction.on_commit(lambda pk=pk: deliver_email.enqueue(pk))
        self.stdout.write(self.style.SUCCESS(f"Enqueued {len(stuck)} stuck email(s) again."))
