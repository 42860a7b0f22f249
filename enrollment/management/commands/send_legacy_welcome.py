from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from enrollment import precreated
from phxpay.audit import record_command


class Command(BaseCommand):
    help = (
        "Email pre-created e-bill users (customers on electronic bills before April 2017) how to sign "
        "in for the first time: User Name = their e-bill email address, password = the 4-digit PIN of "
        "an account they hold, then choose a new password. The email is in English and Spanish. "
        "Give one email address, or --all for every pre-created user who has never signed in."
    )

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("email", nargs="?", help="The pre-created user's email address.")
        target.add_argument(
            "--all", action="store_true", help="Every pre-created user who has never signed in."
        )

    def handle(self, *args, email=None, all=False, **options):
        users = User.objects.filter(precreated=True, must_change_password=True, is_active=True)
        if all:
            users = users.filter(last_login__isnull=True)
        else:
            users = users.filter(email__lower=email.strip().lower())
            if not users.exists():
                raise CommandError(
                    f"No pre-created user still waiting for a first sign-in has the email {email!r}."
                )
        sent = 0
        for user in users.iterator():
            precreated.first_signin_instructions_send(user=user)
            record_command("send_legacy_welcome", user=user)
            sent += 1
        self.stdout.write(self.style.SUCCESS(f"Sent the sign-in welcome email to {sent} user(s)."))
