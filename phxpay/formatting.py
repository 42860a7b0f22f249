"""Money, dates and times as a Phoenix customer reads them, in the active language.

The City writes U.S. Spanish: "$1,234.56" and "8:13 p.m.", not the European "$1 234,56" and "20:13"
of Django's `es` formats. Babel carries CLDR's `en_US` and `es_US`, so nothing here is hand-made.
"""

from datetime import date, datetime
from decimal import Decimal

from babel import Locale
from babel.dates import format_date, format_time
from babel.numbers import format_currency, format_decimal
from django.utils import timezone, translation

LOCALES = {"en": "en_US", "es": "es_US"}


# Parsed once: Babel parses a locale name on every call given a string, a real cost on a page of
# 24 bills (hundreds of dates and amounts).
_PARSED = {code: Locale.parse(name) for code, name in LOCALES.items()}


def babel_locale(language: str | None) -> Locale:
    return _PARSED.get((language or translation.get_language() or "en")[:2], _PARSED["en"])


def money(amount: Decimal | int | None, *, language: str | None = None) -> str:
    """Dollars: "$1,234.56", "-$84.17" (credit balances are negative)."""
    return format_currency(Decimal(amount or 0), "USD", locale=babel_locale(language))


def number(value: Decimal | int | None, *, language: str | None = None) -> str:
    """A quantity: "12,716" / "12,716" (U.S. Spanish groups thousands with commas too)."""
    return format_decimal(Decimal(value or 0), locale=babel_locale(language))


def day(value: date | None, *, language: str | None = None) -> str:
    """A long date: "December 1, 2026" / "1 de diciembre de 2026"."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    return format_date(value, "long", locale=babel_locale(language))


def moment(value: datetime | None, *, language: str | None = None) -> str:
    """A date and a time in Phoenix: "December 1, 2026, 8:13 PM" / "1 de diciembre de 2026, 8:13 p.m."."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    locale = babel_locale(language)
    # CLDR puts a narrow no-break space before "PM"; a plain no-break space renders in every font.
    time = format_time(local, "short", locale=locale).replace("\u202f", "\u00a0")
    return f"{format_date(local.date(), 'long', locale=locale)}, {time}"
