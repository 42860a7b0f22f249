import sys
from datetime import date, timedelta
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from payments.services import EXPORT_COLUMNS, payments_export
from phxpay.audit import record_command


class Command(BaseCommand):
    help = (
        "Write the day's approved portal payments as the CSV file the CIS posts: "
        f"{','.join(EXPORT_COLUMNS)} (one row per account paid; amount in dollars and cents; paid_at "
        "in ISO 8601 with the Phoenix offset). Every approved payment up to the end of the day that "
        "is in no file yet goes into this one, exactly once; asking again for a day already "
        "exported writes the same file again. Default day: yesterday (Phoenix time)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", dest="day", help="The day, YYYY-MM-DD (default: yesterday).")
        parser.add_argument("--output", help="The file to write (default: standard output).")

    def handle(self, *args, day: str | None = None, output: str | None = None, **options):
        day = self._day(day)
        export = payments_export(day=day)
        if output:
            try:
                Path(output).write_text(export.content, encoding="utf-8")
            except OSError as error:
                raise CommandError(f"cannot write {output}: {error.strerror}") from None
        else:
            sys.stdout.write(export.content)
        rows = export.content.count("\n") - 1
        record_command("export_payments", file=export.batch.file_name, rows=rows, new=export.new)
        state = "exported" if export.new else "already exported; the same file again"
        self.stderr.write(f"{export.batch.file_name}: {rows} payment lines, {state}.")

    @staticmethod
    def _day(raw: str | None):
        if raw is None:
            return timezone.localdate() - timedelta(days=1)
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise CommandError(f"--date {raw!r} is not a date in YYYY-MM-DD form") from None
