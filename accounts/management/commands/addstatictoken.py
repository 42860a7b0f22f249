from django.core.management.base import BaseCommand, CommandError

from accounts import second_factor
from accounts.models import User
from phxpay.audit import record_command


class Command(BaseCommand):
    help = (
        "Issue a one-time recovery code for a staff member's second factor and print it (django-otp's "
        "command name and interface). The admin sign-in accepts it once. Stored only as a digest."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="The staff member's User Name.")
        parser.add_argument(
            "-t", "--token", default="", help="The code to issue (default: a random one)."
        )

    def handle(self, *args, username, token, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user with the User Name {username!r}.")
        if not user.is_staff:
            raise CommandError(f"{username} is not staff: only staff sign in with a second factor.")
        token = token.strip()
        if token and not 6 <= len(token) <= 32:
            raise CommandError("The code must be 6 to 32 characters.")
        (code,) = second_factor.recovery_codes_issue(user=user, count=1, code=token)
        record_command("addstatictoken", user=user)
        self.stdout.write(code)
