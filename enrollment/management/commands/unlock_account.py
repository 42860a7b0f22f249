from django.core.management.base import BaseCommand, CommandError

from enrollment import services
from enrollment.models import BillingAccount
from phxpay.audit import record_command


class Command(BaseCommand):
    help = (
        "Clear the PIN lockout of a billing account so its holder can enroll it again, and reset its "
        "wrong-PIN counters (the next lockout starts again at the shortest time)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "account_number", help="The 10-digit account number (spaces/dashes ok)."
        )

    def handle(self, *args, account_number, **options):
        number = services.normalize_account_number(account_number)
        account = BillingAccount.objects.filter(account_number=number).first()
        if account is None:
            raise CommandError(f"No billing account {number}.")
        was_locked = account.is_locked()
        services.account_unlock(account=account)
        record_command("unlock_account", account=f"****{account.last4}", account_id=account.pk)
        state = "was locked; now unlocked" if was_locked else "was not locked; counters reset"
        self.stdout.write(self.style.SUCCESS(f"Account {number} {state}."))
