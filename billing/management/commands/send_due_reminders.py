from django.core.management.base import BaseCommand

from billing.services import due_reminders_send


class Command(BaseCommand):
    help = (
        "Queue the due date reminders customers chose in Account Settings (3 or 7 days before): "
        "once per bill and address, only while the account owes money. Run it daily (cron); a "
        "missed day is caught up the next day, before the due date."
    )

    def handle(self, *args, **options):
        queued = due_reminders_send()
        self.stdout.write(self.style.SUCCESS(f"{queued} due date reminders queued."))
