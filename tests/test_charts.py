"""coverage/present/charts.py: the Overview's rate chart as SVG, checked on hand-computed positions."""

import datetime as dt
import re

from coverage.present import charts

D = dt.date


def _chart(**changes) -> charts.RateChart:
    base = dict(
        dates=[D(2021, 1, 1), D(2022, 1, 1)],
        rates=[0.0, 0.5],
        steps=[(D(2021, 1, 1), 0.0), (D(2022, 1, 1), 0.3), (D(2023, 1, 1), 1.0)],
        today=D(2022, 7, 2),
        rate_label="覆盖率",
        target_label="目标 <100%>",
        month_format="%Y年%m月",
    )
    return charts.RateChart(**{**base, **changes})


def test_lines_sit_where_their_dates_and_shares_say() -> None:
    # time from 2021-01-01 to 2023-01-01 (730 days) over 840 px from x = 46; shares 1 -> 0 over y = 30 -> 230
    svg = charts.rate_chart_svg(_chart())
    (points,) = re.findall(r'<polyline points="([^"]+)"', svg)
    assert points == "46.0,230.0 466.0,130.0"  # 2022-01-01 is day 365 of 730: half way; 50 % half way up
    (path,) = re.findall(r'<path d="([^"]+)"', svg)
    assert path == "M46.0,230.0 H466.0 V170.0 H886.0 V30.0"  # each target holds until the next date
    # today (2022-07-02, day 547): the grey rule
    assert '<line x1="675.4" x2="675.4" y1="30" y2="230" stroke="#555555"/>' in svg
    labels = re.findall(r">([^<>]+)</text>", svg)
    assert labels == [
        "0%",
        "25%",
        "50%",
        "75%",
        "100%",
        "2021年01月",
        "2022年01月",
        "2023年01月",
        "覆盖率",
        "目标 &lt;100%&gt;",
    ]


def test_time_ticks_are_years_or_quarters() -> None:
    assert charts.time_ticks(D(2020, 6, 1), D(2023, 2, 1)) == [D(2021, 1, 1), D(2022, 1, 1), D(2023, 1, 1)]
    assert charts.time_ticks(D(2021, 2, 1), D(2021, 12, 31)) == [D(2021, 4, 1), D(2021, 7, 1), D(2021, 10, 1)]


def test_no_rate_line_without_dates_and_shares_clipped_to_the_axis() -> None:
    svg = charts.rate_chart_svg(_chart(dates=[], rates=[], steps=[(D(2021, 1, 1), 1.2)], today=D(2022, 1, 1)))
    assert "<polyline" not in svg
    assert re.findall(r'<path d="([^"]+)"', svg) == ["M46.0,30.0"]  # 120 % drawn at 100 %
