"""Water use per bill period as a server-drawn SVG bar chart, its data points, and a one-line summary.

The chart needs no JavaScript and no inline styles: the site's Content-Security-Policy is
`style-src 'self'`, so every colour here is an SVG presentation attribute, which CSP does not govern.
Each element also carries a class so static/css/site.css can restyle it (a class rule beats a
presentation attribute):

    phx-usage-chart      the <svg> (give it `height: auto` so it keeps the viewBox's proportions)
    phx-usage-grid       horizontal gridlines
    phx-usage-axis       the baseline
    phx-usage-label      every text: axis numbers, months, years, legend
    phx-usage-this       a bar: the period's water use
    phx-usage-last       a marker: the period ending in the same month a year earlier
    phx-usage-last-halo  the white outline under each marker, so it shows on a bar as on the background
    phx-usage-legend     the legend's group

This year is a filled blue bar, a year earlier a short dark line across it: the two differ in shape,
not colour alone, and both have over 3:1 contrast with white (#005ea2 7:1, #565c65 6.9:1). The page
renders the same numbers as a data table; the SVG is a labelled picture (role="img").

Pure functions over plain values: nothing here touches the database or billing.models.
Every gettext call sits outside f-strings, where makemessages (xgettext) would not find it.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from babel.dates import format_date
from babel.numbers import format_decimal
from django.utils.html import escape
from django.utils.translation import gettext

from phxpay.formatting import babel_locale

PERIODS = 24

# The drawing's own coordinate system; the browser scales it to the column's width.
# Narrow enough that text stays legible at 390 px, where the drawing is scaled to about 0.8.
WIDTH = 480
HEIGHT = 300
LEFT = 58  # room for y axis numbers up to "10,000"
RIGHT = 16  # half of the newest month's name, centred on the last bar
TOP = 56  # the legend and the units caption
BOTTOM = 44  # month and year under the bars
FONT_SIZE = 14

THIS_YEAR_COLOUR = "#005ea2"  # USWDS primary
LAST_YEAR_COLOUR = "#565c65"  # USWDS base-dark
INK = "#1b1b1b"  # USWDS ink, the site's text colour
GRID_COLOUR = "#71767a"  # USWDS base: 4.8:1, dashed so it recedes behind the bars


@dataclass(frozen=True)
class UsagePoint:
    period_end: date
    units: Decimal
    last_year_units: Decimal | None


def usage_points(*, bills: Sequence) -> list[UsagePoint]:
    """The newest 24 bill periods, oldest first, each with the period ending in the same month a year earlier.

    `bills` may come in any order. A year-earlier bill is looked for among all of `bills`, also those
    older than the 24 kept. Should two bills end in one month (a corrected bill), the later one counts.
    """
    ordered = sorted(bills, key=lambda bill: bill.period_end)
    by_month = {(bill.period_end.year, bill.period_end.month): bill for bill in ordered}
    points = []
    for bill in ordered[-PERIODS:]:
        earlier = by_month.get((bill.period_end.year - 1, bill.period_end.month))
        points.append(
            UsagePoint(
                period_end=bill.period_end,
                units=Decimal(bill.water_usage_units),
                last_year_units=None if earlier is None else Decimal(earlier.water_usage_units),
            )
        )
    return points


def usage_summary(*, points: Sequence[UsagePoint]) -> str:
    """One sentence comparing the latest period with the same period a year earlier."""
    no_comparison = gettext("There is no bill from the same period last year to compare with.")
    if not points:
        return no_comparison
    latest = max(points, key=lambda point: point.period_end)
    if not latest.last_year_units:  # None, or 0: no percentage of nothing
        return no_comparison
    change = (latest.units - latest.last_year_units) / latest.last_year_units * 100
    percent = abs(change).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    # Decided on the rounded figure, so the sentence never says "1% more".
    if percent <= 1:
        return gettext("You used about the same amount of water as in the same period last year.")
    if change < 0:
        sentence = gettext("You used %(percent)s%% less water than in the same period last year.")
    else:
        sentence = gettext("You used %(percent)s%% more water than in the same period last year.")
    return sentence % {"percent": format_decimal(percent, locale=babel_locale(None))}


def usage_chart_svg(
    *, points: Sequence[UsagePoint], title: str, description: str, id_prefix: str = "usage"
) -> str:
    """An <svg> bar chart of `points` (oldest first), labelled by `title` and `description`.

    Returns "" for no points. The result is escaped markup; the caller marks it safe.
    `id_prefix` keeps the <title> and <desc> ids unique when one page shows two charts.
    """
    if not points:
        return ""
    locale = babel_locale(None)
    title_id = f"{id_prefix}-title"
    desc_id = f"{id_prefix}-desc"
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    baseline = TOP + plot_height

    largest = max(max(p.units, p.last_year_units or 0) for p in points)
    top, step = _scale(largest)

    def y(value: Decimal) -> float:
        return baseline - float(value / top) * plot_height

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="phx-usage-chart" width="100%" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{escape(title_id)} {escape(desc_id)}" '
        f'font-size="{FONT_SIZE}">',
        f'<title id="{escape(title_id)}">{escape(title)}</title>',
        f'<desc id="{escape(desc_id)}">{escape(description)}</desc>',
    ]

    # Gridlines and their numbers, from 0 up to the top of the scale.
    tick = Decimal(0)
    while tick <= top:
        at = _n(y(tick))
        if tick:
            parts.append(
                f'<line class="phx-usage-grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{at}" y2="{at}" '
                f'stroke="{GRID_COLOUR}" stroke-width="1" stroke-dasharray="2 4"/>'
            )
        parts.append(
            f'<text class="phx-usage-label" x="{LEFT - 6}" y="{at}" dy="0.35em" '
            f'text-anchor="end" fill="{INK}">{escape(format_decimal(tick, locale=locale))}</text>'
        )
        tick += step
    # Translators: the caption over the chart's vertical axis; one unit is 748 gallons of water.
    units_caption = gettext("Units")
    parts.append(
        f'<text class="phx-usage-label" x="{LEFT - 6}" y="{TOP - 12}" text-anchor="end" '
        f'fill="{INK}">{escape(units_caption)}</text>'
    )

    slot = plot_width / len(points)
    # One bar alone would fill the whole width: keep bars bar-shaped.
    bar_width = min(slot * 0.6, 40)
    marker_width = min(slot * 0.9, 56)
    # Every month's name would overlap at 24 bars; every third, counted back from the newest.
    label_every = 3 if len(points) > 12 else 1
    shown_year = None
    for index, point in enumerate(points):
        centre = LEFT + slot * (index + 0.5)
        top_y = y(point.units)
        parts.append(
            f'<rect class="phx-usage-this" x="{_n(centre - bar_width / 2)}" y="{_n(top_y)}" '
            f'width="{_n(bar_width)}" height="{_n(baseline - top_y)}" fill="{THIS_YEAR_COLOUR}"/>'
        )
        if point.last_year_units is not None:
            parts.extend(_marker(centre, y(point.last_year_units), marker_width))
        if (len(points) - 1 - index) % label_every == 0:
            month = format_date(point.period_end, "LLL", locale=locale)
            parts.append(
                f'<text class="phx-usage-label" x="{_n(centre)}" y="{baseline + 18}" '
                f'text-anchor="middle" fill="{INK}">{escape(month)}</text>'
            )
            # The year under the first labelled month and wherever it changes.
            if point.period_end.year != shown_year:
                shown_year = point.period_end.year
                parts.append(
                    f'<text class="phx-usage-label" x="{_n(centre)}" y="{baseline + 36}" '
                    f'text-anchor="middle" fill="{INK}">{shown_year}</text>'
                )
    parts.append(
        f'<line class="phx-usage-axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{baseline}" '
        f'y2="{baseline}" stroke="{LAST_YEAR_COLOUR}" stroke-width="1.5"/>'
    )
    parts.extend(_legend())
    parts.append("</svg>")
    return "".join(parts)


def _legend() -> list[str]:
    this_year = gettext("This year")
    # Translators: the chart's second series, the same bill period one year before.
    last_year = gettext("A year earlier")
    y = 20
    x = LEFT
    parts = [
        '<g class="phx-usage-legend">',
        f'<rect class="phx-usage-this" x="{x}" y="{y - 12}" width="14" height="14" '
        f'fill="{THIS_YEAR_COLOUR}"/>',
        f'<text class="phx-usage-label" x="{x + 20}" y="{y}" fill="{INK}">{escape(this_year)}</text>',
    ]
    # SVG cannot flow text; a generous average glyph width keeps the second item clear of the first.
    x += 20 + int(len(this_year) * FONT_SIZE * 0.62) + 24
    parts.extend(_marker(x + 10, y - 5, 20))
    parts.append(
        f'<text class="phx-usage-label" x="{x + 26}" y="{y}" fill="{INK}">{escape(last_year)}</text>'
    )
    parts.append("</g>")
    return parts


def _marker(centre: float, y: float, width: float) -> list[str]:
    x1, x2, at = _n(centre - width / 2), _n(centre + width / 2), _n(y)
    return [
        f'<line class="phx-usage-last-halo" x1="{x1}" x2="{x2}" y1="{at}" y2="{at}" '
        f'stroke="#ffffff" stroke-width="6"/>',
        f'<line class="phx-usage-last" x1="{x1}" x2="{x2}" y1="{at}" y2="{at}" '
        f'stroke="{LAST_YEAR_COLOUR}" stroke-width="3"/>',
    ]


def _scale(largest: Decimal) -> tuple[Decimal, Decimal]:
    """The top of the y axis, the smallest 1, 2 or 5 × 10ⁿ at or above `largest`, and its gridline step.

    The steps give 4 or 5 gridlines above 0 with round numbers: 1 by fifths, 2 by quarters, 5 by fifths.
    """
    largest = max(Decimal(largest), Decimal(1))  # all-zero use still gets a scale of 0 to 1
    exponent = largest.adjusted()
    while True:
        for digit, parts in ((1, 5), (2, 4), (5, 5)):
            top = Decimal(digit).scaleb(exponent)
            if top >= largest:
                return top, top / parts
        exponent += 1


def _n(value: float) -> str:
    """A coordinate with at most one decimal: short markup, no visible difference."""
    return f"{value:.1f}".removesuffix(".0")
