"""Demo bills extract for PHX Pay Online: two years of monthly bills for the demo billing accounts.

Reads demo/cis_extract_demo.csv (the demo accounts) and writes, next to this file:

- cis_bills_demo.csv: one row per account and bill_date (24 monthly bills per account, the latest
  in November 2026), and
- cis_bill_lines_demo.csv: the 4 to 6 charge lines of each bill, which sum to its new_charges.

Usage follows Phoenix's seasons (summer about twice winter); each bill is paid in full by the next
except a few scripted stories (a missed month with a late payment charge, a partial payment). The
latest bill of each account ends at the extract's balance and due_date. Money is Decimal throughout
and the random numbers come from fixed seeds, so the output is byte-identical on every run.

Re-run from the project root (stdlib only, Python 3.11):

    python demo/make_bills.py

It checks its own output (assertions) and prints a per-account summary.
"""

import calendar
import csv
import datetime as dt
import itertools
import random
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
EXTRACT = HERE / "cis_extract_demo.csv"
BILLS_OUT = HERE / "cis_bills_demo.csv"
LINES_OUT = HERE / "cis_bill_lines_demo.csv"

SEED = "phxpay-demo-bills-v1"
BILLS_PER_ACCOUNT = 24
LATEST_MONTH = (2026, 11)
CENT = Decimal("0.01")
UNIT = Decimal("1")

BILL_HEADER = [
    "account_number",
    "bill_date",
    "due_date",
    "previous_balance",
    "payments_received",
    "new_charges",
    "amount_due",
    "water_usage_units",
    "period_start",
    "period_end",
]
LINE_HEADER = ["account_number", "bill_date", "service", "description", "amount"]
SERVICES = ("water", "wastewater", "solid_waste", "environmental", "tax", "other")

# Usage relative to winter, by the month of the period's midpoint: Phoenix peaks Jun-Sep.
SEASON = {
    1: Decimal("1.00"),
    2: Decimal("0.98"),
    3: Decimal("1.12"),
    4: Decimal("1.35"),
    5: Decimal("1.65"),
    6: Decimal("1.95"),
    7: Decimal("2.05"),
    8: Decimal("2.00"),
    9: Decimal("1.90"),
    10: Decimal("1.55"),
    11: Decimal("1.25"),
    12: Decimal("1.02"),
}
SUMMER_MONTHS = (6, 7, 8, 9)
WINTER_MONTHS = (12, 1, 2)


@dataclass(frozen=True)
class Rates:
    water_service: dict  # monthly charge by meter size
    water_winter: Decimal  # per unit (748 gallons), bills dated Oct-May
    water_summer: Decimal  # per unit, bills dated Jun-Sep
    wastewater_service: Decimal
    wastewater_unit: Decimal  # per unit of the winter average


# Demo rates in the range of Phoenix's (about $0.0037-0.0050 a gallon); a rate change in March 2026
# makes "same period last year" compare cost as well as use.
RATES = [
    (
        dt.date(2024, 1, 1),
        Rates(
            water_service={"5/8": Decimal("9.15"), "3/4": Decimal("10.40"), "1": Decimal("14.35")},
            water_winter=Decimal("2.74"),
            water_summer=Decimal("3.58"),
            wastewater_service=Decimal("6.20"),
            wastewater_unit=Decimal("2.31"),
        ),
    ),
    (
        dt.date(2026, 3, 1),
        Rates(
            water_service={"5/8": Decimal("9.60"), "3/4": Decimal("10.90"), "1": Decimal("15.05")},
            water_winter=Decimal("2.88"),
            water_summer=Decimal("3.76"),
            wastewater_service=Decimal("6.50"),
            wastewater_unit=Decimal("2.43"),
        ),
    ),
]
SOLID_WASTE = Decimal("31.00")
ENVIRONMENTAL = Decimal("2.85")
TAX_RATE = Decimal("0.0255")  # of water + wastewater
LATE_CHARGE = Decimal("5.00")


@dataclass(frozen=True)
class Profile:
    winter_units: int  # typical Dec-Feb use; also the prior winter's average for wastewater
    meter: str
    year2: Decimal  # use on the Dec 2025-Nov 2026 bills relative to the 12 before
    due_days: int  # bill_date to due_date, 21-25
    solid_waste: bool = True  # city trash pickup; a multifamily unit's landlord may contract it
    missed: tuple = ()  # bill indexes (0 = Dec 2024) that show no payment received
    partial: tuple = ()  # bill indexes that show a partial payment
    note: str = ""


PROFILES = {
    "1234567890": Profile(8, "5/8", Decimal("0.95"), 24, note="single-family home, pays on time"),
    "2345678901": Profile(
        13, "1", Decimal("1.05"), 25, missed=(9,), note="large lot; missed Aug 2025's payment"
    ),
    "3456789012": Profile(
        5,
        "5/8",
        Decimal("1.06"),
        23,
        solid_waste=False,
        missed=(14,),
        note="apartment, landlord's account; missed Jan 2026's payment",
    ),
    "4567890123": Profile(
        6, "5/8", Decimal("0.95"), 21, partial=(16,), note="desert landscaping; one partial payment"
    ),
}


@dataclass
class Bill:
    account_number: str
    bill_date: dt.date
    due_date: dt.date
    period_start: dt.date
    period_end: dt.date
    units: Decimal
    lines: list = field(default_factory=list)  # (service, description, amount)
    previous_balance: Decimal = Decimal("0.00")
    payments_received: Decimal = Decimal("0.00")

    @property
    def new_charges(self):
        return sum((amount for _service, _text, amount in self.lines), Decimal("0.00"))

    @property
    def amount_due(self):
        return self.previous_balance - self.payments_received + self.new_charges


def money(value):
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def rates_on(day):
    return [rates for start, rates in RATES if start <= day][-1]


def month_back(year, month, count=1):
    index = year * 12 + (month - 1) - count
    return index // 12, index % 12 + 1


def same_day(year, month, day):
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def weekday_after(start, preferred, allowed):
    """start + the allowed offset nearest preferred that is a weekday (bills print on business days)."""
    for days in sorted(allowed, key=lambda d: (abs(d - preferred), d)):
        if (start + dt.timedelta(days=days)).weekday() < 5:
            return start + dt.timedelta(days=days)
    return start + dt.timedelta(days=preferred)


def latest_bill_date(due, profile):
    # The extract's due date is fixed, so pick the bill date (21-25 days before) from it.
    for days in sorted(range(21, 26), key=lambda d: (abs(d - profile.due_days), d)):
        bill_date = due - dt.timedelta(days=days)
        if bill_date.weekday() < 5 and (bill_date.year, bill_date.month) == LATEST_MONTH:
            return bill_date
    raise ValueError(f"due_date {due} is not 21-25 days after a November 2026 weekday")


def fallback_profile(rng):
    # Accounts added to the extract later still get plausible bills.
    return Profile(
        winter_units=rng.randint(8, 12),
        meter=rng.choice(["5/8", "3/4"]),
        year2=Decimal(rng.choice(["0.94", "0.96", "1.04", "1.06"])),
        due_days=rng.randint(22, 24),
        note="generated profile",
    )


def schedule(rng, latest_bill):
    """Bill dates and periods, oldest first, plus the hidden bill before the first one."""
    latest_end = latest_bill - dt.timedelta(days=3)
    ends = [latest_end]
    for back in range(1, BILLS_PER_ACCOUNT + 1):
        target = same_day(*month_back(latest_end.year, latest_end.month, back), latest_end.day)
        length = (ends[-1] - target).days + rng.choice([-1, 0, 0, 1])
        ends.append(ends[-1] - dt.timedelta(days=max(29, min(32, length))))
    ends.reverse()  # ends[0] closes the hidden bill's period
    rows = []
    hidden_start = ends[0] - dt.timedelta(days=29)
    rows.append((weekday_after(ends[0], 3, (2, 3, 4)), hidden_start, ends[0]))
    for previous_end, end in itertools.pairwise(ends):
        bill_date = latest_bill if end == latest_end else weekday_after(end, 3, (2, 3, 4))
        rows.append((bill_date, previous_end + dt.timedelta(days=1), end))
    return rows


def usage(rng, profile, period_start, period_end, year2):
    middle = period_start + (period_end - period_start) / 2
    factor = SEASON[middle.month] * (profile.year2 if year2 else Decimal(1))
    noise = Decimal(rng.randint(97, 103)) / 100
    units = (profile.winter_units * factor * noise).quantize(UNIT, rounding=ROUND_HALF_UP)
    return max(units, Decimal(1))


def charge_lines(bill, profile, winter_average, late):
    rates = rates_on(bill.bill_date)
    summer = bill.bill_date.month in SUMMER_MONTHS
    unit_rate = rates.water_summer if summer else rates.water_winter
    service = rates.water_service[profile.meter]
    water = money(service + bill.units * unit_rate)
    wastewater = money(rates.wastewater_service + winter_average * rates.wastewater_unit)
    lines = [
        ("water", f"Water: service charge ${service} + {bill.units} units at ${unit_rate}", water),
        (
            "wastewater",
            f"Wastewater: service charge ${rates.wastewater_service} + winter average "
            f"{winter_average} units at ${rates.wastewater_unit}",
            wastewater,
        ),
    ]
    if profile.solid_waste:
        lines.append(("solid_waste", "Solid waste service", SOLID_WASTE))
    lines.append(("environmental", "Environmental fee", ENVIRONMENTAL))
    lines.append(("tax", "City and state taxes", money((water + wastewater) * TAX_RATE)))
    if late:
        lines.append(("other", "Late payment charge", LATE_CHARGE))
    return lines


def winter_average(bill_date, winters, initial):
    """Wastewater volume: the average use billed Dec-Feb, applied from the April bill on."""
    season = bill_date.year if bill_date.month >= 4 else bill_date.year - 1
    units = winters.get(season, [])
    if len(units) != len(WINTER_MONTHS):
        return Decimal(initial)
    return (sum(units) / len(units)).quantize(UNIT, rounding=ROUND_HALF_UP)


def account_bills(account):
    number = account["account_number"]
    rng = random.Random(f"{SEED}-{number}")
    profile = PROFILES.get(number) or fallback_profile(rng)
    balance = money(account["balance"] or "0")
    extract_due = dt.date.fromisoformat(account["due_date"]) if account["due_date"] else None
    if extract_due:
        latest = latest_bill_date(extract_due, profile)
    else:
        latest = weekday_after(dt.date(*LATEST_MONTH, 20), 0, range(0, 5))

    winters = {}
    bills = []
    previous_due = None
    for index, (bill_date, start, end) in enumerate(schedule(rng, latest), start=-1):
        is_latest = index == BILLS_PER_ACCOUNT - 1
        if is_latest and extract_due:
            due = extract_due
        else:
            due = weekday_after(bill_date, profile.due_days, range(21, 26))
        units = usage(rng, profile, start, end, year2=index >= 12)
        bill = Bill(number, bill_date, due, start, end, units)
        if bill_date.month in WINTER_MONTHS:
            winters.setdefault(bill_date.year + (bill_date.month == 12), []).append(units)
        average = winter_average(bill_date, winters, profile.winter_units)
        bill.lines = charge_lines(bill, profile, average, late=index in profile.missed)

        if previous_due is None:
            # The first bill shows the bill before it paid in full.
            bill.previous_balance = bill.payments_received = bill.new_charges
        else:
            bill.previous_balance = previous_due
            if index in profile.missed:
                bill.payments_received = Decimal("0.00")
            elif index in profile.partial:
                # A round amount, as people pay when short.
                tens = (previous_due * Decimal("0.6") / 10).quantize(UNIT, rounding=ROUND_HALF_UP)
                bill.payments_received = money(tens * 10)
            else:
                bill.payments_received = max(previous_due, Decimal("0.00"))
            if is_latest:
                # End at the extract's balance: the last payment covers the difference.
                bill.payments_received = previous_due + bill.new_charges - balance
        previous_due = bill.amount_due
        if index >= 0:
            bills.append(bill)
    return profile, balance, extract_due, bills


def check(accounts, results):
    numbers = [a["account_number"] for a in accounts]
    assert len(set(numbers)) == len(numbers), "duplicate account in the extract"
    yearly = {}
    for account, (_profile, balance, extract_due, bills) in zip(accounts, results, strict=True):
        number = account["account_number"]
        assert len(bills) == BILLS_PER_ACCOUNT
        assert len({b.bill_date for b in bills}) == BILLS_PER_ACCOUNT
        months = [(b.bill_date.year, b.bill_date.month) for b in bills]
        expected = [month_back(*LATEST_MONTH, n) for n in range(BILLS_PER_ACCOUNT - 1, -1, -1)]
        assert months == expected, (number, months)
        for previous, bill in zip([None, *bills], bills, strict=False):
            assert bill.period_start <= bill.period_end < bill.bill_date
            assert 2 <= (bill.bill_date - bill.period_end).days <= 5
            assert 21 <= (bill.due_date - bill.bill_date).days <= 25
            assert 29 <= (bill.period_end - bill.period_start).days + 1 <= 32
            if previous:
                assert bill.period_start == previous.period_end + dt.timedelta(days=1)
                assert bill.previous_balance == previous.amount_due
            assert bill.amount_due == (
                bill.previous_balance - bill.payments_received + bill.new_charges
            )
            assert bill.payments_received >= 0
            assert 4 <= len(bill.lines) <= 6
            services = [service for service, _text, _amount in bill.lines]
            assert len(set(services)) == len(services) and set(services) <= set(SERVICES)
            assert all(amount > 0 or s == "other" for s, _t, amount in bill.lines)
            assert bill.new_charges == sum(amount for _s, _t, amount in bill.lines)
            amounts = dict((s, a) for s, _t, a in bill.lines)
            taxed = amounts["water"] + amounts["wastewater"]
            assert Decimal("0.023") <= amounts["tax"] / taxed <= Decimal("0.028")
            assert bill.units == bill.units.to_integral_value() and bill.units > 0
        latest = bills[-1]
        assert latest.amount_due == balance, (number, latest.amount_due, balance)
        if extract_due:
            assert latest.due_date == extract_due, (number, latest.due_date, extract_due)
        for year_bills in (bills[:12], bills[12:]):
            summer = [b.units for b in year_bills if b.bill_date.month in SUMMER_MONTHS]
            winter = [b.units for b in year_bills if b.bill_date.month in WINTER_MONTHS]
            ratio = (sum(summer) / len(summer)) / (sum(winter) / len(winter))
            assert Decimal("1.7") <= ratio <= Decimal("2.3"), (number, ratio)
        yearly[number] = sum(b.units for b in bills[12:]) / sum(b.units for b in bills[:12])
        assert Decimal("0.01") <= abs(yearly[number] - 1) <= Decimal("0.12"), (number, yearly)
    if len(yearly) > 1:
        assert min(yearly.values()) < 1 < max(yearly.values()), "want some accounts up, some down"


def write(results):
    with BILLS_OUT.open("w", encoding="utf-8", newline="") as bills_file:
        writer = csv.writer(bills_file, lineterminator="\n")
        writer.writerow(BILL_HEADER)
        for _profile, _balance, _due, bills in results:
            for b in bills:
                writer.writerow(
                    [
                        b.account_number,
                        b.bill_date.isoformat(),
                        b.due_date.isoformat(),
                        money(b.previous_balance),
                        money(b.payments_received),
                        money(b.new_charges),
                        money(b.amount_due),
                        b.units,
                        b.period_start.isoformat(),
                        b.period_end.isoformat(),
                    ]
                )
    with LINES_OUT.open("w", encoding="utf-8", newline="") as lines_file:
        writer = csv.writer(lines_file, lineterminator="\n")
        writer.writerow(LINE_HEADER)
        for _profile, _balance, _due, bills in results:
            for b in bills:
                for service, description, amount in b.lines:
                    row = [b.account_number, b.bill_date.isoformat(), service, description]
                    writer.writerow([*row, money(amount)])


def summary(accounts, results):
    for account, (profile, balance, extract_due, bills) in zip(accounts, results, strict=True):
        units = [b.units for b in bills]
        latest = bills[-1]
        yoy = sum(units[12:]) / sum(units[:12]) - 1
        print(
            f"{account['account_number']}: {len(bills)} bills "
            f"{bills[0].bill_date}..{latest.bill_date}, units {min(units)}-{max(units)} "
            f"(2026 vs 2025 {yoy:+.1%}); latest amount_due {money(latest.amount_due)} "
            f"due {latest.due_date} (extract {balance} due {extract_due or 'blank'}) = "
            f"{money(latest.previous_balance)} - {money(latest.payments_received)} paid + "
            f"{money(latest.new_charges)}; {profile.note}"
        )


def main():
    with EXTRACT.open(encoding="utf-8-sig", newline="") as extract:
        accounts = sorted(csv.DictReader(extract), key=lambda row: row["account_number"])
    results = [account_bills(account) for account in accounts]
    check(accounts, results)
    write(results)
    summary(accounts, results)
    print(f"Wrote {BILLS_OUT.name} and {LINES_OUT.name}.")


if __name__ == "__main__":
    main()
