from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts import services
from phxpay.audit import record_command


class Command(BaseCommand):
    help = (
        "Delete registrations that were never confirmed and whose latest confirmation link was sent "
        "more than N days ago, so their User Names and Email Addresses can be registered again. "
        "Confirmed users and staff are never touched."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=settings.PURGE_UNCONFIRMED_DAYS,
            help="Age in days of the latest link before a pending registration is removed "
            "(default: %(default)s).",
        )

    def handle(self, *args, days, **options):
        if days < 1:
            raise CommandError("--days must be at least 1.")
        count = services.unconfirmed_purge(older_than_days=days)
        record_command("purge_unconfirmed", deleted=count, days=days)
        self.stdout.write(
            self.style.SUCCESS(
                f"Removed {count} unconfirmed registration(s) older than {days} days."
            )
        )
