"""Reading the CIS's CSV extracts (accounts, bills, bill lines): one contract for every import.

UTF-8 (a BOM is fine), a header row naming at least the required columns (others are ignored), every
row validated before anything is written, and each bad row reported with its line number. The
per-row rules belong to each importer (`row` below); what a usable file is, is decided here.
"""

import csv
import gc
import io
import operator
import re
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from datetime import date
from decimal import Decimal, InvalidOperation

MAX_MONEY = Decimal("9999999999.99")
CENT = Decimal("0.01")
# [0-9], not \d: \d also matches other scripts' digits ("١٢٣٤"), which the tables' check constraints
# (and the forms) refuse.
ACCOUNT_RE = re.compile(r"[0-9]{10}")
DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

Progress = Callable[[str, int, int], None]
Row = Callable[[list[str], int], tuple]


class UnusableFile(Exception):
    """The file as a whole cannot be imported: nothing is written."""


def money(raw: str, name: str, *, default: str | None = None) -> Decimal:
    """Dollars with cents ("-12.5" is a credit of $12.50), or ValueError naming the column."""
    try:
        value = Decimal(raw or default) if (raw or default) else None
    except InvalidOperation:
        value = None
    if value is None:
        raise ValueError(f"{name} {raw!r} is not a decimal number")
    if not value.is_finite() or abs(value) > MAX_MONEY:
        raise ValueError(f"{name} {raw!r} is out of range")
    if value != value.quantize(CENT):
        raise ValueError(f"{name} {raw!r} has fractions of a cent")
    return value.quantize(CENT)


def day(raw: str, name: str) -> date:
    try:
        if not DATE_RE.fullmatch(raw):
            raise ValueError
        return date.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"{name} {raw!r} is not a date in YYYY-MM-DD form") from None


@contextmanager
def _cyclic_gc_paused():
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def parse_rows(
    data: bytes,
    *,
    columns: Sequence[str],
    optional: Sequence[str] = (),
    row: Row,
    progress: Progress | None = None,
) -> tuple[list[tuple], list[tuple[int, str]], set[str]]:
    """Every row through `row(values, line)` (values stripped, in columns + optional order; an absent
    optional column reads ""), which returns the staged tuple or raises ValueError with the reason:
    (rows, rejected lines, the optional columns the file has). Raises UnusableFile."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnusableFile(f"the file is not UTF-8 text (byte {error.start})") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise UnusableFile(f"not a readable CSV file: {error}") from None
    if not header:
        raise UnusableFile("the file is empty: it needs a header row")
    names = [name.strip() for name in header]
    missing = [name for name in columns if name not in names]
    if missing:
        raise UnusableFile(f"missing columns: {', '.join(missing)} (expected {','.join(columns)})")
    repeated = [name for name in (*columns, *optional) if names.count(name) > 1]
    if repeated:
        raise UnusableFile(f"columns named more than once: {', '.join(repeated)}")
    width = len(names)
    pick = operator.itemgetter(
        *(names.index(name) for name in columns),
        *(names.index(name) if name in names else width for name in optional),
    )
    pad = any(name not in names for name in optional)
    # A NUL character cannot be stored in a PostgreSQL text column; look for it row by row only
    # when the file has one at all.
    has_nul = "\x00" in text
    rows, rejected = [], []
    total_lines = text.count("\n")
    # Half a million row tuples trigger repeated full garbage collections (about a fifth of the
    # parse time) that can find nothing: the rows hold only strings, decimals and dates.
    with _cyclic_gc_paused():
        try:
            for record in reader:
                line = reader.line_num
                if not record:
                    continue  # a blank line
                try:
                    if len(record) < width:
                        raise ValueError(
                            "missing values: the row has fewer columns than the header"
                        )
                    if pad:
                        record = record[:width] + [""]
                    values = [value.strip() for value in pick(record)]
                    if has_nul and any("\x00" in value for value in values):
                        raise ValueError("the row contains a NUL character")
                    rows.append(row(values, line))
                except ValueError as reason:
                    rejected.append((line, str(reason)))
                if progress and line % 50_000 == 0:
                    progress("validated", line, total_lines)
        except csv.Error as error:
            raise UnusableFile(
                f"not a readable CSV file at line {reader.line_num}: {error}"
            ) from None
    return rows, rejected, {name for name in optional if name in names}
