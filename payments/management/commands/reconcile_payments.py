from django.core.management.base import BaseCommand

from payments.services import RECONCILE_AFTER, payments_reconcile


class Command(BaseCommand):
    help = (
        "Ask the payment processor about every payment still waiting for its answer after "
        f"{int(RECONCILE_AFTER.total_seconds() // 60)} minutes (a lost callback), and apply what it "
        "says; mark payments never sent on to the processor as not completed. Run it every few "
        "minutes (cron or the worker)."
    )

    def handle(self, *args, **options):
        counts = payments_reconcile()
        self.stdout.write(
            self.style.SUCCESS(
                f"{counts['checked']} waiting payments checked, {counts['changed']} changed; "
                f"{counts['abandoned']} unsent payments marked not completed."
            )
        )
