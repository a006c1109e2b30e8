"""Small charts as SVG text: drawn by the browser like any picture, with no charting library to load.

The Overview's rate-over-time chart was a Vega-Lite chart; Streamlit loads Vega (~1 MB of
script) the first time a page shows one and builds a Vega view on every page show, which was
most of the Overview's time in the browser (issue 17).  The same chart as SVG costs the browser
next to nothing.  Text is left as SVG text, so the page's fonts draw the Chinese labels.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

#: Size of the drawing (the picture scales to the width of the page; this fixes its proportions).
WIDTH_PX = 900
HEIGHT_PX = 260
#: Room for the axis labels (left, bottom) and the legend (top).
MARGIN_LEFT_PX = 46
MARGIN_RIGHT_PX = 14
MARGIN_TOP_PX = 30
MARGIN_BOTTOM_PX = 30
#: Gridlines of the rate axis (shares).
RATE_TICKS = (0.0, 0.25, 0.5, 0.75, 1.0)
AXIS_COLOUR = "#888888"
GRID_COLOUR = "#e6e6e6"
TODAY_COLOUR = "#555555"
TEXT_STYLE = "font-family:sans-serif;font-size:12px;fill:#555555"


@dataclass(frozen=True)
class RateChart:
    """What the rate-over-time chart shows: the rate by date, the target steps and today."""

    dates: Sequence[dt.date]
    rates: Sequence[float]
    #: (date, share) from which each target holds (drawn as steps: a share holds until the next date).
    steps: Sequence[tuple[dt.date, float]]
    today: dt.date
    rate_label: str
    target_label: str
    #: strftime format of the month labels on the time axis (``%Y年%m月``, ``%b %Y``).
    month_format: str
    colours: tuple[str, str] = ("#1565c0", "#c62828")


def _day(d: dt.date) -> int:
    return d.toordinal()


def time_ticks(first: dt.date, last: dt.date) -> list[dt.date]:
    """Dates labelled on the time axis: every 1 January between ``first`` and ``last``, or every quarter's
    first day when that gives fewer than three."""
    years = [dt.date(y, 1, 1) for y in range(first.year, last.year + 1) if first <= dt.date(y, 1, 1) <= last]
    if len(years) >= 3:
        return years
    quarters = [dt.date(y, m, 1) for y in range(first.year, last.year + 1) for m in (1, 4, 7, 10)]
    return [d for d in quarters if first <= d <= last]


def rate_chart_svg(chart: RateChart) -> str:
    """The chart as an SVG document: the rate as a solid line, the targets as dashed steps, today as a
    grey rule, rate gridlines at 0-100 %, the time axis labelled by :func:`time_ticks`."""
    all_dates = [*chart.dates, *(d for d, _ in chart.steps), chart.today]
    first, last = min(all_dates), max(all_dates)
    span = max(_day(last) - _day(first), 1)
    inner_w = WIDTH_PX - MARGIN_LEFT_PX - MARGIN_RIGHT_PX
    inner_h = HEIGHT_PX - MARGIN_TOP_PX - MARGIN_BOTTOM_PX
    bottom = MARGIN_TOP_PX + inner_h

    def x(d: dt.date) -> float:
        return round(MARGIN_LEFT_PX + (_day(d) - _day(first)) / span * inner_w, 1)

    def y(share: float) -> float:
        return round(MARGIN_TOP_PX + (1.0 - min(max(share, 0.0), 1.0)) * inner_h, 1)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH_PX} {HEIGHT_PX}" '
        f'width="{WIDTH_PX}" height="{HEIGHT_PX}" role="img" '
        f'aria-label="{escape(chart.rate_label)} / {escape(chart.target_label)}">'
    ]
    for share in RATE_TICKS:
        parts.append(
            f'<line x1="{MARGIN_LEFT_PX}" x2="{WIDTH_PX - MARGIN_RIGHT_PX}" y1="{y(share)}" y2="{y(share)}" '
            f'stroke="{GRID_COLOUR}"/>'
            f'<text x="{MARGIN_LEFT_PX - 6}" y="{y(share) + 4}" text-anchor="end" style="{TEXT_STYLE}">'
            f"{share:.0%}</text>"
        )
    parts.append(
        f'<line x1="{MARGIN_LEFT_PX}" x2="{WIDTH_PX - MARGIN_RIGHT_PX}" y1="{bottom}" y2="{bottom}" '
        f'stroke="{AXIS_COLOUR}"/>'
    )
    for tick in time_ticks(first, last):
        parts.append(
            f'<line x1="{x(tick)}" x2="{x(tick)}" y1="{bottom}" y2="{bottom + 5}" stroke="{AXIS_COLOUR}"/>'
            f'<text x="{x(tick)}" y="{bottom + 18}" text-anchor="middle" style="{TEXT_STYLE}">'
            f"{escape(tick.strftime(chart.month_format))}</text>"
        )
    rate_colour, target_colour = chart.colours
    if chart.steps:
        (d0, s0), *rest = chart.steps
        path = f"M{x(d0)},{y(s0)}" + "".join(f" H{x(d)} V{y(s)}" for d, s in rest)  # a target holds until the next
        parts.append(f'<path d="{path}" fill="none" stroke="{target_colour}" stroke-width="2" stroke-dasharray="6,3"/>')
    if len(chart.dates):
        points = " ".join(f"{x(d)},{y(r)}" for d, r in zip(chart.dates, chart.rates, strict=True))
        parts.append(f'<polyline points="{points}" fill="none" stroke="{rate_colour}" stroke-width="2"/>')
    parts.append(
        f'<line x1="{x(chart.today)}" x2="{x(chart.today)}" y1="{MARGIN_TOP_PX}" y2="{bottom}" '
        f'stroke="{TODAY_COLOUR}"/>'
    )
    for k, (label, colour, dash) in enumerate(
        [(chart.rate_label, rate_colour, ""), (chart.target_label, target_colour, ' stroke-dasharray="6,3"')]
    ):
        left = MARGIN_LEFT_PX + k * 160
        parts.append(
            f'<line x1="{left}" x2="{left + 24}" y1="12" y2="12" stroke="{colour}" stroke-width="2"{dash}/>'
            f'<text x="{left + 30}" y="16" style="{TEXT_STYLE}">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
