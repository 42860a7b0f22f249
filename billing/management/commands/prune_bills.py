from django.core.management.base import BaseCommand, CommandError

from billing.services import MONTHS_KEPT, MONTHS_SHOWN, bills_prune


class Command(BaseCommand):
    help = (
        f"Delete bills older than the retention (default {MONTHS_KEPT} months; customers see "
        f"{MONTHS_SHOWN}) and their PDF files. Run it daily or monthly."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--months",
            type=int,
            default=MONTHS_KEPT,
            help=f"Months of bills to keep (at least {MONTHS_SHOWN}: customers see that many).",
        )

    def handle(self, *args, months, **options):
        if months < MONTHS_SHOWN:
            raise CommandError(
                f"--months must be at least {MONTHS_SHOWN}: customers are shown that many months."
            )
        bills, files = bills_prune(months=months)
        self.stdout.write(
            self.style.SUCCESS(f"{bills} bills older than {months} months deleted, {files} files.")
        )
