"""Reading the CIS's CSV extracts (accounts, bills, bill lines): one contract for every import.

UTF-8 (a BOM is fine), a header row naming at least the required columns (others are ignored), every
row validated before anything is written, and each bad row reported with its line number. The
per-row rules belong to each importer (`row` below); what a usable file is, is decided here.
"""

import csv
import functools
import gc
import io
import operator
import re
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import connection

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


@functools.lru_cache(maxsize=65_536)
def _money(text: str) -> Decimal | str:
    """The amount in `text`, or what is wrong with it. Cached: an extract repeats its amounts (the
    same charges, the same balances), and Decimal's checks were a tenth of the parse."""
    try:
        value = Decimal(text) if text else None
    except InvalidOperation:
        value = None
    if value is None:
        return "is not a decimal number"
    if not value.is_finite() or abs(value) > MAX_MONEY:
        return "is out of range"
    if value != value.quantize(CENT):
        return "has fractions of a cent"
    return value.quantize(CENT)


def money(raw: str, name: str, *, default: str | None = None) -> Decimal:
    """Dollars with cents ("-12.5" is a credit of $12.50), or ValueError naming the column."""
    value = _money(raw or default or "")
    if isinstance(value, str):
        raise ValueError(f"{name} {raw!r} {value}")
    return value


@functools.lru_cache(maxsize=16_384)
def _day(raw: str) -> date | None:
    # Cached: a bills extract carries a few dozen distinct dates in millions of cells.
    if not DATE_RE.fullmatch(raw):
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


def day(raw: str, name: str) -> date:
    value = _day(raw)
    if value is None:
        raise ValueError(f"{name} {raw!r} is not a date in YYYY-MM-DD form")
    return value


@contextmanager
def cyclic_gc_paused():
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
    with cyclic_gc_paused():
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
                    values = list(map(str.strip, pick(record)))
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


BATCH = 5000


def stage(cursor, table: str, columns: Sequence[tuple[str, str]], rows: Sequence[tuple]) -> None:
    """A temporary `table` of `columns` ((name, SQL type)) holding `rows`, for set-based statements.

    Only the loading differs by database: PostgreSQL takes COPY (the 450,000-account extract must
    load in a small multiple of a plain `\\copy`); SQLite (`make run`) takes batched INSERTs.
    """
    cursor.execute(f"DROP TABLE IF EXISTS {table}")
    cursor.execute(f"CREATE TEMP TABLE {table} ({', '.join(f'{n} {t}' for n, t in columns)})")
    if connection.vendor == "postgresql":
        with cursor.copy(f"COPY {table} FROM STDIN") as copy:
            # Declared types spare psycopg a dumper lookup per value: a fifth of the copy.
            copy.set_types([kind.split("(")[0] for _name, kind in columns])
            for row in rows:
                copy.write_row(row)
        return
    insert = f"INSERT INTO {table} VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
    for start in range(0, len(rows), BATCH):
        cursor.executemany(insert, rows[start : start + BATCH])


def bulk_statements(cursor) -> None:
    """Settings for an import's set-based statements, for the rest of the transaction.

    PostgreSQL's JIT compiler: the statements over freshly staged tables are estimated expensive
    enough to be compiled, and compiling cost 0.2 s an import, more than it ever saved (EXPLAIN
    ANALYZE of a 100,000-account import).
    """
    if connection.vendor == "postgresql":
        cursor.execute("SET LOCAL jit = off")
