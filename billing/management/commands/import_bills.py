import sys

from django.core.management.base import BaseCommand

from billing.importer import BILL_COLUMNS, LINE_COLUMNS
from billing.services import bills_import_and_notify
from phxpay.extracts import UnusableFile


class Command(BaseCommand):
    help = (
        "Load or update bills from the CIS bills extract (CSV, UTF-8, a BOM is fine), and their "
        "charge lines from --lines. Bills header (others ignored): "
        f"{','.join(BILL_COLUMNS)}, optional pdf_path (the print vendor's PDF, a path inside the "
        "bill storage). Amounts in dollars with cents (negative for credits), amount_due = "
        "previous_balance - payments_received + new_charges; dates YYYY-MM-DD; usage in units of "
        f"748 gallons. Lines header: {','.join(LINE_COLUMNS)} (service: water, wastewater, "
        "solid_waste, environmental, tax or other); a bill's lines must add up to its new_charges. "
        "One bill per account and bill date: new ones are created, changed ones updated, so running "
        "it twice changes nothing the second time. A bad row, or a bill for an unknown account, is "
        "reported with its line number and skipped. The latest bill sets the account's amount due "
        'and due date. New latest bills of paperless accounts email "Your City of Phoenix bill is '
        'ready" (once per bill and address) unless --no-notices. Exit status: 0 every row taken; '
        "1 some rows rejected; 2 a file is unusable and nothing was written."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the bills CSV ('-' reads standard input).")
        parser.add_argument("--lines", help="Path of the bill lines CSV.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Validate and report, writing nothing."
        )
        parser.add_argument(
            "--no-notices",
            action="store_true",
            help='Send no "bill is ready" emails (loading history, a demo).',
        )

    def _read(self, path: str) -> bytes:
        try:
            if path == "-":
                return sys.stdin.buffer.read()
            with open(path, "rb") as handle:
                return handle.read()
        except OSError as error:
            self.stderr.write(f"import_bills: cannot read {path}: {error.strerror}")
            sys.exit(2)

    def handle(self, *args, file, lines, dry_run, no_notices, **options):
        bills = self._read(file)
        line_data = self._read(lines) if lines else None
        try:
            report, notices = bills_import_and_notify(
                bills=bills,
                lines=line_data,
                dry_run=dry_run,
                notify=not no_notices,
                progress=self._progress,
            )
        except UnusableFile as error:
            self.stderr.write(f"import_bills: unusable file, nothing written: {error}")
            sys.exit(2)
        for source, line, reason in report.rejected:
            self.stderr.write(f"{source} line {line}: rejected: {reason}")
        prefix = "DRY RUN (nothing written): " if dry_run else ""
        summary = (
            f"{prefix}{report.rows} bills: {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged, "
            f"{sum(1 for r in report.rejected if r[0] == 'bills')} rejected; "
            f"{report.lines} charge lines written; {report.accounts_updated} accounts' amount due "
            f'updated; {notices} "bill is ready" emails queued'
        )
        self.stdout.write(
            self.style.WARNING(summary) if report.rejected else self.style.SUCCESS(summary)
        )
        if report.rejected:
            sys.exit(1)

    def _progress(self, stage: str, done: int, total: int) -> None:
        if total < 50_000 or not self.stderr.isatty():
            return
        if stage == "writing":
            self.stderr.write(f"writing {total} valid rows…")
        else:
            self.stderr.write(f"{stage} {done}/{total} lines ({100 * done // max(total, 1)}%)")
