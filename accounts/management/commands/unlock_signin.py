import getpass

from django.core.management.base import BaseCommand, CommandError

from accounts import services


class Command(BaseCommand):
    help = (
        "End the sign-in pause of a User Name (after too many failed sign-ins), for every spelling "
        "of it. Exits non-zero when that User Name is not paused. Audited with your OS user name."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="The User Name (or e-bill email) that was paused.")

    def handle(self, *args, username, **options):
        cleared = services.signin_unlock(username=username, operator=getpass.getuser())
        if not cleared:
            raise CommandError(f"Signing in as {username!r} is not paused: nothing to unlock.")
        self.stdout.write(
            self.style.SUCCESS(f"{username!r} can sign in again ({cleared} failures cleared).")
        )
