from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import User
from enrollment.importer import accounts_import

DEMO_EXTRACT = Path(settings.BASE_DIR) / "demo" / "cis_extract_demo.csv"

DEMO_USER = {
    "username": "demoCustomer",
    "email": "demo.customer@example.com",
    "password": "Saguaro-Sunset-2026",
}
DEMO_STAFF = {
    "username": "cityStaff",
    "email": "city.staff@example.com",
    "password": "Camelback-Staff-2026",
}


class Command(BaseCommand):
    help = (
        "Load demo data for local development (make run): a confirmed customer, a staff user and the "
        "demo CIS extract (demo/cis_extract_demo.csv). "
        "Idempotent. Refuses to run when DEBUG is false."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo only runs with DEBUG=true: it creates known passwords.")
        self._user(DEMO_USER, first_name="Willa", last_name="Sample")
        self._user(DEMO_STAFF, first_name="Cita", last_name="Staff", staff=True)
        report = accounts_import(data=DEMO_EXTRACT.read_bytes())
        self.stdout.write(
            f"Demo billing accounts: {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged (account numbers and PINs are in README.md)."
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo customer: {DEMO_USER['username']} / {DEMO_USER['password']}   "
                f"Staff (admin at /en/staff-admin/): {DEMO_STAFF['username']} / {DEMO_STAFF['password']}"
            )
        )

    def _user(self, spec, *, first_name, last_name, staff=False):
        user, created = User.objects.get_or_create(
            username=spec["username"],
            defaults={
                "email": spec["email"],
                "first_name": first_name,
                "last_name": last_name,
                "confirmed_at": timezone.now(),
                "is_staff": staff,
                "is_superuser": staff,
            },
        )
        if created:
            user.set_password(spec["password"])
            user.save(update_fields=["password"])
