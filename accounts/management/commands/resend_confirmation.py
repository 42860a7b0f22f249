from django.core.management.base import BaseCommand, CommandError

from accounts import services
from phxpay.audit import record_command


class Command(BaseCommand):
    help = (
        "Email a pending registration a new confirmation link (the PHXwelcome 'ACTION REQUIRED!' "
        "email). Every earlier link stops working. Exits non-zero when there is nothing to resend: "
        "no such user, or the registration is already confirmed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "identifier",
            help="The exact User Name (case-sensitive), or the Email Address (any case).",
        )

    def handle(self, *args, identifier, **options):
        user = services.find_pending_user(identifier=identifier)
        if user is None:
            raise CommandError(f"No user has the User Name or Email Address {identifier!r}.")
        try:
            services.confirmation_resend(user=user)
        except services.NothingToResend:
            raise CommandError(
                f"{user.username!r} is already confirmed (or has no email address): nothing to "
                "resend. If they forgot their password, they can use Reset Password."
            ) from None
        record_command("resend_confirmation", user=user)
        self.stdout.write(
            self.style.SUCCESS(
                f"Sent a new confirmation link to {user.email} for User Name {user.username!r}; "
                "earlier links no longer work."
            )
        )
