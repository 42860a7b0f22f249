from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import roles, second_factor
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
    "role": roles.SUPPORT,
}
DEMO_ADMIN = {
    "username": "cityAdmin",
    "email": "city.admin@example.com",
    "password": "Papago-Admin-2026",
    "role": roles.ADMINISTRATOR,
}
# A known authenticator-app key, so a newcomer can pass the admin's second factor: add it to any
# TOTP app (the printed key or URI). Demo only: seed_demo refuses to run without DEBUG.
DEMO_STAFF_TOTP_KEY = "3132333435363738393031323334353637383930"


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
        for spec, first_name in ((DEMO_STAFF, "Cita"), (DEMO_ADMIN, "Ada")):
            staff = self._user(spec, first_name=first_name, last_name="Staff", staff=True)
            staff.groups.set([Group.objects.get(name=spec["role"])])
            device, _created = TOTPDevice.objects.update_or_create(
                user=staff,
                name=second_factor.APP_DEVICE_NAME,
                defaults={"key": DEMO_STAFF_TOTP_KEY, "confirmed": True},
            )
        report = accounts_import(data=DEMO_EXTRACT.read_bytes())
        self.stdout.write(
            f"Demo billing accounts: {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged (account numbers and PINs are in README.md)."
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo customer: {DEMO_USER['username']} / {DEMO_USER['password']}   "
                f"Customer support (admin at /en/staff-admin/): {DEMO_STAFF['username']} / "
                f"{DEMO_STAFF['password']}   Administrator: {DEMO_ADMIN['username']} / "
                f"{DEMO_ADMIN['password']}"
            )
        )
        self.stdout.write(
            f"Staff second factor (both): add the key {second_factor.totp_secret(device.key)} to an "
            f"authenticator app ({second_factor.totp_uri(user=device.user, key=device.key)}), or run "
            f"`python manage.py addstatictoken {DEMO_STAFF['username']}` for a one-time code."
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
            },
        )
        if created:
            user.set_password(spec["password"])
            user.save(update_fields=["password"])
        return user
