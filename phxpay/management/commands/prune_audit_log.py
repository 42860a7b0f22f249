from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from phxpay.models import AuditEvent


class Command(BaseCommand):
    help = (
        "Delete audit events older than the retention period (AUDIT_RETENTION_DAYS, default "
        f"{settings.AUDIT_RETENTION_DAYS} days). The only way audit events are ever removed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=settings.AUDIT_RETENTION_DAYS,
            help="Keep this many days of events (default: %(default)s).",
        )

    def handle(self, *args, days, **options):
        if days < 30:
            raise CommandError(
                "--days must be at least 30: security reviews need the recent record."
            )
        cutoff = timezone.now() - timedelta(days=days)
        deleted, _ = AuditEvent.objects.filter(at__lt=cutoff).delete()
        self.stdout.write(
            self.style.SUCCESS(f"Deleted {deleted} audit event(s) older than {days} days.")
        )
