import sys

from django.core.management.base import BaseCommand

from enrollment.importer import COLUMNS, accounts_import
from phxpay.extracts import UnusableFile


class Command(BaseCommand):
    help = (
        "Load or update billing accounts from a CIS extract (CSV, UTF-8, a BOM is fine). "
        f"Header row with at least these columns (others are ignored): {','.join(COLUMNS)}. "
        "account_number: exactly 10 digits; pin: exactly 4 digits (stored only as a keyed hash); "
        "ebill_email: empty or an address; balance: a decimal like 123.45; due_date: YYYY-MM-DD or "
        "empty. Optional: service_zip (5 digits); paperless (true/false; blank or absent: on "
        "e-bills when there is an e-bill address, and an existing account keeps its setting). Rows are matched by account_number: new ones are created, changed ones updated, the "
        "rest left alone, so running it twice changes nothing the second time. A bad row (wrong digit "
        "count, bad date, bad email, duplicate account number in the file) is reported with its line "
        "number and skipped. Each ebill_email no web user has yet gets a pre-created web user (User "
        "Name and email = that address, first sign-in with an account PIN) who holds every account "
        "with that address; addresses of registered users are only counted. Exit status: 0 every "
        "row taken; 1 some rows rejected; 2 the file is unusable (missing columns, not UTF-8 CSV) "
        "and nothing was written."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the CSV extract ('-' reads standard input).")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Validate and report what would change, writing nothing.",
        )

    def handle(self, *args, file, dry_run, **options):
        try:
            if file == "-":
                data = sys.stdin.buffer.read()
            else:
                with open(file, "rb") as handle:
                    data = handle.read()
        except OSError as error:
            self.stderr.write(f"import_accounts: cannot read {file}: {error.strerror}")
            sys.exit(2)
        try:
            report = accounts_import(data=data, dry_run=dry_run, progress=self._progress)
        except UnusableFile as error:
            self.stderr.write(f"import_accounts: unusable file, nothing written: {error}")
            sys.exit(2)
        for line, reason in report.rejected:
            self.stderr.write(f"line {line}: rejected: {reason}")
        prefix = "DRY RUN (nothing written): " if dry_run else ""
        summary = (
            f"{prefix}{report.rows} rows: {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged, {len(report.rejected)} rejected; "
            f"{report.users_created} e-bill web users pre-created, "
            f"{report.emails_of_registered_users} e-bill addresses already belong to registered users"
        )
        self.stdout.write(
            self.style.WARNING(summary) if report.rejected else self.style.SUCCESS(summary)
        )
        if report.rejected:
            sys.exit(1)

    def _progress(self, stage: str, done: int, total: int) -> None:
        if total < 50_000:
            return
        if stage == "writing":
            self.stderr.write(f"writing {total} valid rows…")
        else:
            self.stderr.write(f"{stage} {done}/{total} lines ({100 * done // max(total, 1)}%)")
