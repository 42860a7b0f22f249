"""The water-use chart: its points, its one-line summary, and an SVG that passes the site's CSP and reads as an image."""

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

# billing.charts, not billing: the chart module stands alone, whatever the app's state in settings.
from billing.charts import UsagePoint, usage_chart_svg, usage_points, usage_summary

SVG = "{http://www.w3.org/2000/svg}"


@dataclass
class FakeBill:
    period_end: date
    water_usage_units: Decimal


def monthly_bills(months: int, *, first: date = date(2023, 1, 20)) -> list[FakeBill]:
    """One bill a month from `first`, using 10, 11, 12… units."""
    bills = []
    for n in range(months):
        year, month = divmod(first.month - 1 + n, 12)
        bills.append(FakeBill(date(first.year + year, month + 1, 20), Decimal(10 + n)))
    return bills


def point(units, last_year, *, period_end=date(2025, 6, 30)) -> UsagePoint:
    return UsagePoint(
        period_end=period_end,
        units=Decimal(units),
        last_year_units=None if last_year is None else Decimal(last_year),
    )


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def chart(points, **kwargs) -> str:
    kwargs.setdefault("title", "Water use")
    kwargs.setdefault("description", "Units per bill period")
    return usage_chart_svg(points=points, **kwargs)


# usage_points


def test_only_the_24_newest_periods_are_kept_oldest_first():
    bills = monthly_bills(30)
    points = usage_points(bills=list(reversed(bills)))  # newest first, as the bills page sorts them
    assert len(points) == 24
    assert [p.period_end for p in points] == [b.period_end for b in bills[-24:]]
    assert points[0].period_end == date(2023, 7, 20)
    assert points[-1].period_end == date(2025, 6, 20)


def test_each_period_is_paired_with_the_same_month_a_year_earlier():
    bills = monthly_bills(30)
    points = usage_points(bills=bills)
    by_end = {b.period_end: b.water_usage_units for b in bills}
    for p in points:
        assert p.last_year_units == by_end.get(p.period_end.replace(year=p.period_end.year - 1))
        assert p.units == by_end[p.period_end]


def test_a_year_earlier_is_looked_for_beyond_the_24_kept_periods():
    points = usage_points(bills=monthly_bills(30))
    # July 2023, the oldest kept, has no July 2022 bill; January 2024 has January 2023, though it is not kept.
    assert points[0].last_year_units is None
    assert next(p for p in points if p.period_end == date(2024, 1, 20)).last_year_units == 10


def test_periods_are_matched_by_month_not_by_day():
    bills = [
        FakeBill(date(2024, 3, 2), Decimal("8.50")),
        FakeBill(date(2025, 3, 29), Decimal("9.25")),
    ]
    points = usage_points(bills=bills)
    assert points[-1] == UsagePoint(
        period_end=date(2025, 3, 29), units=Decimal("9.25"), last_year_units=Decimal("8.50")
    )


def test_without_a_bill_a_year_earlier_there_is_no_last_year_value():
    points = usage_points(bills=monthly_bills(12))
    assert all(p.last_year_units is None for p in points)


def test_no_bills_give_no_points():
    assert usage_points(bills=[]) == []


# usage_summary


def test_less_water_than_last_year_is_said_in_percent():
    assert (
        usage_summary(points=[point(88, 100)])
        == "You used 12% less water than in the same period last year."
    )


def test_more_water_than_last_year_is_said_in_percent():
    assert (
        usage_summary(points=[point("112.4", 100)])
        == "You used 12% more water than in the same period last year."
    )


@pytest.mark.parametrize("units", ["99", "100", "101", "101.4", "98.6"])
def test_within_one_percent_is_about_the_same(units):
    assert (
        usage_summary(points=[point(units, 100)])
        == "You used about the same amount of water as in the same period last year."
    )


def test_the_percentage_is_rounded_to_a_whole_number():
    assert usage_summary(points=[point("101.5", 100)]).startswith("You used 2% more water")
    assert usage_summary(points=[point(2, 3)]).startswith("You used 33% less water")


@pytest.mark.parametrize(
    "points",
    [[], [point(20, None)], [point(20, 0)]],
    ids=["no points", "no bill a year earlier", "nothing used a year earlier"],
)
def test_without_a_year_earlier_to_compare_the_summary_says_so(points):
    assert (
        usage_summary(points=points)
        == "There is no bill from the same period last year to compare with."
    )


def test_the_summary_compares_the_latest_period():
    points = [
        point(50, 100, period_end=date(2025, 5, 31)),
        point(150, 100, period_end=date(2025, 6, 30)),
    ]
    assert usage_summary(points=points).startswith("You used 50% more water")


# The Spanish catalog does not have these sentences yet, so they come back in English: only the
# percentage, formatted for es_US, is certain until a translator fills them in.
@pytest.mark.parametrize(
    ("units", "percent"), [(88, "12"), (112, "12"), (1950, "1,850")], ids=["less", "more", "large"]
)
def test_the_spanish_summary_gives_the_percentage(units, percent):
    with translation.override("es"):
        summary = usage_summary(points=[point(units, 100)])
    assert f"{percent}%" in summary


@pytest.mark.parametrize("points", [[point(100, 100)], [point(20, None)]], ids=["same", "none"])
def test_the_spanish_summary_without_a_percentage_is_one_sentence(points):
    with translation.override("es"):
        summary = usage_summary(points=points)
    assert summary.endswith(".")
    assert "%" not in summary


# usage_chart_svg


def test_no_points_draw_no_chart():
    assert chart([]) == ""


def test_the_chart_is_an_image_labelled_by_its_title_and_description():
    svg = parse(chart(usage_points(bills=monthly_bills(24))))
    assert svg.tag == f"{SVG}svg"
    assert svg.get("role") == "img"
    ids = svg.get("aria-labelledby").split()
    assert len(ids) == 2
    title = svg.find(f"{SVG}title")
    desc = svg.find(f"{SVG}desc")
    assert [title.get("id"), desc.get("id")] == ids
    assert title.text == "Water use"
    assert desc.text == "Units per bill period"
    # <title> first, so every assistive technology finds the name where SVG puts it.
    assert svg[0] is title


def test_two_charts_on_one_page_have_their_own_ids():
    points = [point(10, 8)]
    first = parse(chart(points))
    second = parse(chart(points, id_prefix="usage-sewer"))
    first_ids = {e.get("id") for e in first.iter() if e.get("id")}
    second_ids = {e.get("id") for e in second.iter() if e.get("id")}
    assert first_ids and second_ids
    assert not first_ids & second_ids
    assert second.get("aria-labelledby") == "usage-sewer-title usage-sewer-desc"


def test_there_is_one_bar_per_point_and_a_marker_per_year_earlier_value():
    points = usage_points(bills=monthly_bills(30))
    svg = parse(chart(points))
    plot = [e for e in svg if e.tag != f"{SVG}g"]  # the legend's sample bar and marker aside
    bars = [e for e in plot if e.get("class") == "phx-usage-this"]
    markers = [e for e in plot if e.get("class") == "phx-usage-last"]
    assert len(bars) == 24
    assert len(markers) == sum(p.last_year_units is not None for p in points) == 18


def test_taller_use_draws_a_taller_bar():
    svg = parse(chart([point(5, None), point(20, None), point(0, None)]))
    heights = [float(e.get("height")) for e in svg if e.get("class") == "phx-usage-this"]
    assert heights[1] > heights[0] > heights[2] == 0


def test_the_chart_obeys_the_style_src_policy_and_runs_no_script():
    markup = chart(usage_points(bills=monthly_bills(24)))
    svg = parse(markup)
    assert "style=" not in markup
    assert not [e for e in svg.iter() if e.get("style") is not None]
    assert not svg.findall(f".//{SVG}style")
    assert not svg.findall(f".//{SVG}script")
    assert "<script" not in markup.lower()
    assert not [name for e in svg.iter() for name in e.attrib if name.lower().startswith("on")]


def test_the_chart_scales_with_its_column():
    svg = parse(chart([point(10, 8)]))
    assert svg.get("width") == "100%"
    assert svg.get("height") is None
    assert len(svg.get("viewBox").split()) == 4


def test_text_in_the_chart_is_escaped():
    markup = chart([point(10, 8)], title='Bills <&> "2025"', description="<script>x</script>")
    svg = parse(markup)
    assert svg.find(f"{SVG}title").text == 'Bills <&> "2025"'
    assert svg.find(f"{SVG}desc").text == "<script>x</script>"
    assert not svg.findall(f".//{SVG}script")


def test_the_legend_names_both_series():
    svg = parse(chart([point(10, 8)]))
    legend = svg.find(f"{SVG}g[@class='phx-usage-legend']")
    assert [t.text for t in legend.iter(f"{SVG}text")] == ["This year", "A year earlier"]


def test_the_y_axis_runs_from_zero_to_a_round_number_above_the_largest_use():
    svg = parse(chart([point(33, 12), point("41.50", None)]))
    numbers = [t.text for t in svg.iter(f"{SVG}text") if t.get("text-anchor") == "end"]
    assert numbers == ["0", "10", "20", "30", "40", "50", "Units"]


@pytest.mark.parametrize(
    ("largest", "ticks"),
    [
        ("7", ["0", "2", "4", "6", "8", "10"]),
        ("18", ["0", "5", "10", "15", "20"]),
        ("100", ["0", "20", "40", "60", "80", "100"]),
        ("1234", ["0", "500", "1,000", "1,500", "2,000"]),
        ("0.3", ["0", "0.2", "0.4", "0.6", "0.8", "1"]),
    ],
)
def test_the_y_axis_has_three_to_five_gridlines_at_round_numbers(largest, ticks):
    svg = parse(chart([point(largest, None)]))
    numbers = [t.text for t in svg.iter(f"{SVG}text") if t.get("text-anchor") == "end"]
    assert numbers[:-1] == ticks
    gridlines = [e for e in svg if e.get("class") == "phx-usage-grid"]
    assert 3 <= len(gridlines) <= 5


def test_a_year_earlier_above_this_year_still_fits_the_scale():
    svg = parse(chart([point(5, 60)]))
    numbers = [t.text for t in svg.iter(f"{SVG}text") if t.get("text-anchor") == "end"]
    assert numbers[-2] == "100"


def test_all_zero_use_still_draws_a_chart():
    svg = parse(chart([point(0, 0), point(0, None)]))
    bars = [e for e in svg if e.get("class") == "phx-usage-this"]
    assert [float(b.get("height")) for b in bars] == [0, 0]
    assert "nan" not in ET.tostring(svg, encoding="unicode").lower()


def test_a_single_point_draws_one_bar_of_sensible_width():
    svg = parse(chart([point("12.75", "11.00")]))
    (bar,) = [e for e in svg if e.get("class") == "phx-usage-this"]
    width = float(svg.get("viewBox").split()[2])
    assert float(bar.get("width")) < width / 4


def test_month_names_are_shown_every_third_bar_ending_with_the_newest():
    points = usage_points(bills=monthly_bills(24, first=date(2024, 1, 20)))
    svg = parse(chart(points))
    labels = [t.text for t in svg.iter(f"{SVG}text") if t.get("text-anchor") == "middle"]
    months = [text for text in labels if not text.isdigit()]
    assert months == ["Mar", "Jun", "Sep", "Dec"] * 2
    assert [text for text in labels if text.isdigit()] == ["2024", "2025"]


def test_month_names_follow_the_language():
    points = usage_points(bills=monthly_bills(3, first=date(2025, 1, 20)))
    with translation.override("es"):
        svg = parse(chart(points))
    labels = [t.text for t in svg.iter(f"{SVG}text") if t.get("text-anchor") == "middle"]
    assert labels == ["ene", "2025", "feb", "mar"]
