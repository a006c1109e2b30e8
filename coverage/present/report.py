"""The report for officials: one XLSX with headline figures, a map, tables and charts.

:func:`officials_report` turns the current filters (province, stations, as-of
date, targets, an optional city or county, an optional rollout plan) into a
workbook with five sheets - summary with the coverage rate over time against
the targets, a map picture, per city and county with status colours (lagging
first), lagging counties with the stations they still need, and the
year-by-year plan - in Chinese (``lang="zh"``) or English (``"en"``).  A plan
within money and staff (issue 15) adds a sixth, "cost and staff": spending
against the budget, workers against their supply, station sizes, need served
and over-loaded stations per year, the equity across counties, or - when the
targets do not fit - the shortfall and the ways out.

Rates are written as fractions 0-1 formatted as percent; counts are
townships (乡镇（街道）) or stations; dates are real Excel dates.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import unicodedata
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.drawing.image import Image
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from coverage import settings
from coverage._errors import InputError
from coverage.analysis.admin import (
    STATUS_BEHIND,
    STATUS_MET,
    STATUS_ON_TRACK,
    TargetSchedule,
    lagging_first,
    stations_required,
    status,
    trajectory,
)
from coverage.checks import as_date, yuan_text
from coverage.codes import in_region, level_of, unit_of
from coverage.data.lists import StationList
from coverage.data.schema import open_on
from coverage.present.fonts import cjk_font
from coverage.present.i18n import LANGUAGES, labels
from coverage.present.i18n import t as text
from coverage.present.i18n.messages import translate
from coverage.present.notes import data_notes
from coverage.present.webmap import COVERED_COLOUR, OTHER_COLOUR, STATION_COLOUR, UNCOVERED_COLOUR

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

    from coverage.analysis.admin import Status, Target
    from coverage.data.provinces import Province
    from coverage.optimise.budget import Shortfall
    from coverage.optimise.rollout import Rollout

#: An openpyxl worksheet (openpyxl has no type information).
Sheet = Any

#: Resolution of the map picture, dots per inch, and its size in inches.
MAP_DPI = 150
MAP_SIZE_IN = (8.0, 7.0)
#: Width the map picture is shown at in the sheet, pixels.
MAP_DISPLAY_WIDTH_PX = 760
#: Cell fills of the statuses (light green, amber, light red).
STATUS_FILLS = {STATUS_MET: "C8E6C9", STATUS_ON_TRACK: "FFE082", STATUS_BEHIND: "FFCDD2"}
PERCENT = "0.0%"
INTEGER = "#,##0"
DATE = "yyyy-mm-dd"


# --------------------------------------------------------------------------- entry point
def officials_report(
    province: Province,
    stations: pd.DataFrame | None,
    as_of: dt.date | str | None,
    schedule: TargetSchedule | None = None,
    region: str | None = None,
    rollout: Rollout | None = None,
    lang: str = "zh",
    station_list: StationList | None = None,
) -> bytes:
    """The XLSX report for officials, as bytes.

    Parameters
    ----------
    province : a :class:`coverage.data.Province`.
    stations : the imported stations (``township_code``, ``opened``, ``closed``; ``lon``/``lat``
        or point geometry for the map).
    as_of : the date the figures are counted on.
    schedule : targets (default: :data:`settings.DEFAULT_TARGETS`, with no overrides).
    region : a city (4 digits) or county (6 digits) code, or its exact name, to restrict the
        report to; ``None`` for the whole province.
    rollout : a :class:`coverage.rollout.Rollout` of the same province, or ``None``.
    lang : ``"zh"`` or ``"en"``.
    station_list : what the station list is (:mod:`coverage.data.lists`); a synthetic or partial
        list, and approximate townships, are said on the summary sheet in ``lang``.
    """
    if lang not in LANGUAGES:
        msg = f"report language {lang!r} not available; use one of {', '.join(LANGUAGES)}"
        raise InputError(msg)
    if rollout is not None and str(rollout.province) != str(province.code):
        msg = f"the rollout plan is for province {rollout.province}, the report for {province.code}; compute the plan again"
        raise InputError(msg)
    as_of = as_date(as_of)
    schedule = schedule or TargetSchedule()
    result = status(province, stations, as_of, schedule)
    code = resolve_region(result.units, region, province)
    t = labels("report.", lang)
    names = {k.removeprefix("sheet_"): v for k, v in t.items() if k.startswith("sheet_")}
    book = Workbook()
    notes = data_notes(province, station_list, ["stations", "rates", "places"], lang)
    _summary(book.active, t, province, stations, result, code, schedule, notes)
    book.active.title = names["summary"]
    _map_sheet(book.create_sheet(names["map"]), t, province, stations, as_of, code, result)
    _units_sheet(book.create_sheet(names["units"]), t, result.units, code)
    _lagging_sheet(book.create_sheet(names["lagging"]), t, result, code)
    _rollout_sheet(book.create_sheet(names["rollout"]), t, rollout, province, code, result)
    if rollout is not None and rollout.capacitated:
        _cost_staff_sheet(book.create_sheet(names["cost_staff"]), t, rollout, lang)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def resolve_region(units: pd.DataFrame, region: str | None, province: Province) -> str:
    """The unit code the report covers: the province's, or the city/county ``region`` (code or exact name)."""
    if region is None or str(region).strip() in ("", str(province.code)):
        return str(province.code)
    text = str(region).strip()
    rows = units[(units["level"] != "province") & ((units["code"] == text) | (units["name"] == text))]
    if len(rows) != 1:
        examples = ", ".join(_code_names(units[units["level"] == "city"].head(3)))
        if len(rows) > 1:
            found = ", ".join(_code_names(rows))
            msg = f"region {text!r} names several units of {province.name} ({found}); give the code"
        else:
            msg = f"region {text!r} is not a city or county code of {province.name}; give a 4-digit city or 6-digit county code, e.g. {examples}"
        raise InputError(msg)
    return str(rows["code"].iloc[0])


def _code_names(units: pd.DataFrame) -> list[str]:
    """``"code name"`` of each row, for messages."""
    return [f"{code} {name}" for code, name in zip(units["code"], units["name"], strict=True)]


# --------------------------------------------------------------------------- formatting helpers
def _text_width(value: object) -> int:
    """Display width of a cell in Excel's character units (CJK characters count double)."""
    if value is None:
        return 0
    if isinstance(value, float):
        return 8
    if isinstance(value, (dt.date, dt.datetime)):
        return 10
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in str(value))


def _fit_columns(ws: Sheet, minimum: int = 6, maximum: int = 48, skip_rows: int = 0) -> None:
    widths: dict[int, int] = {}
    for row in ws.iter_rows(min_row=skip_rows + 1):
        for cell in row:
            if cell.value is not None:
                widths[cell.column] = max(widths.get(cell.column, 0), _text_width(cell.value))
    for column, width in widths.items():
        ws.column_dimensions[get_column_letter(column)].width = min(maximum, max(minimum, width + 2))


def _write_table(
    ws: Sheet, row: int, headers: list[str], rows: list[list[Any]], formats: dict[int, str] | None = None
) -> int:
    """Write a header row (bold) and data rows from ``row``; return the row after the table."""
    for j, header in enumerate(headers, start=1):
        cell = ws.cell(row=row, column=j, value=header)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="ECEFF1")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for i, values in enumerate(rows, start=row + 1):
        for j, value in enumerate(values, start=1):
            cell = ws.cell(row=i, column=j, value=_cell(value))
            if formats and j in formats:
                cell.number_format = formats[j]
    return row + len(rows) + 1


def _cell(value: object) -> object:
    if value is None:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value


def _date_or_none(text: object) -> dt.date | None:
    if text is None or (isinstance(text, float) and np.isnan(text)) or text == "":
        return None
    return as_date(text)


def _place(province: Province, units: pd.DataFrame, code: str) -> str:
    if code == str(province.code):
        return province.name
    row = units[units["code"] == code].iloc[0]
    if row["level"] == "county":
        city = units[units["code"] == unit_of(code, "city")]
        return f"{city['name'].iloc[0]}{row['name']}" if len(city) else str(row["name"])
    return str(row["name"])


# --------------------------------------------------------------------------- summary
def _summary(
    ws: Sheet,
    t: dict[str, str],
    province: Province,
    stations: pd.DataFrame | None,
    result: Status,
    code: str,
    schedule: TargetSchedule,
    data_notes: list[str],
) -> None:
    units = result.units
    row = units[units["code"] == code].iloc[0]
    place = _place(province, units, code)
    ws["A1"] = t["title"].format(place=place)
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = t["as_of"].format(date=result.as_of.isoformat())
    headline = [
        (t["counted"], int(row["counted"]), INTEGER),
        (t["covered"], int(row["covered"]), INTEGER),
        (t["rate"], float(row["rate"]), PERCENT),
        (t["next_target"], float(row["next_target_share"]), PERCENT),
        (t["next_target_date"], as_date(row["next_target_date"]), DATE),
        (t["needed"], int(row["needed_for_next_target"]), INTEGER),
        (t["status"], t[f"status_{row['status']}"], None),
    ]
    r = 4
    for label, value, fmt in headline:
        ws.cell(row=r, column=1, value=label).font = Font(bold=True)
        cell = ws.cell(row=r, column=2, value=value)
        if fmt:
            cell.number_format = fmt
        r += 1
    ws.cell(row=r - 1, column=2).fill = PatternFill("solid", fgColor=STATUS_FILLS[row["status"]])

    r += 1
    ws.cell(row=r, column=1, value=t["targets"]).font = Font(bold=True)
    plan = schedule.for_unit(code)
    target_rows = []
    for target in plan:
        key = target.date.isoformat()
        met = row.get(f"met_{key}")
        met_text = None if met is None or (isinstance(met, float) and np.isnan(met)) else t["yes" if met else "no"]
        required = stations_required(target.share, int(row["counted"]))
        target_rows.append([target.date, target.share, required, met_text, _date_or_none(row.get(f"reached_{key}"))])
    r = _write_table(
        ws,
        r + 1,
        [t["target_date"], t["target_share"], t["required"], t["met_on_time"], t["reached"]],
        target_rows,
        {1: DATE, 2: PERCENT, 3: INTEGER, 5: DATE},
    )

    r += 1
    notes = list(data_notes)
    notes.append(t["source"].format(text=_provenance(province)))
    if stations is not None and len(stations):
        notes.append(t["stations_count"].format(n=len(stations)))
    for note in notes:
        ws.cell(row=r, column=1, value=note).alignment = Alignment(wrap_text=False)
        r += 1

    _fit_columns(ws, skip_rows=3, maximum=30)
    ws.column_dimensions["A"].width = max(ws.column_dimensions["A"].width, 28)
    ws.freeze_panes = "A3"
    _trajectory_chart(ws, t, province, stations, result, code, plan, anchor_row=r + 1)


def _provenance(province: Province) -> str:
    prov = province.provenance
    if prov is None or prov.empty or "source" not in prov:
        return str(province.path.name)
    parts = []
    for rec in prov.to_dict("records"):
        licence = rec.get("licence", "")
        parts.append(f"{rec['layer']}: {rec['source']}" + (f" ({licence})" if licence else ""))
    return "; ".join(parts)


def _trajectory_chart(
    ws: Sheet,
    t: dict[str, str],
    province: Province,
    stations: pd.DataFrame | None,
    result: Status,
    code: str,
    plan: tuple[Target, ...],
    anchor_row: int,
) -> None:
    """Monthly rate up to the as-of date and the target in force, as a data block and a line chart."""
    level = {2: "province", 4: "city", 6: "county"}[len(code)]
    end = max(result.as_of, plan[-1].date)
    if stations is None or stations.empty:
        return
    traj = trajectory(province, stations, end=end, level=level)
    traj = traj[traj["code"] == code]
    if traj.empty:
        return
    col = 10  # column J: the chart's data, right of the summary and of the chart below it
    ws.cell(row=1, column=col, value=t["trajectory"]).font = Font(bold=True)
    rows = []
    for date, month_rate in zip(traj["date"], traj["rate"].astype(float), strict=True):
        due = [x.share for x in plan if x.date <= date]
        rate = month_rate if date <= result.as_of else None
        rows.append([date, rate, due[-1] if due else None])
    start = 3
    headers = [t["month"], t["rate"], t["target"]]
    for j, header in enumerate(headers):
        ws.cell(row=start, column=col + j, value=header).font = Font(bold=True)
    for i, values in enumerate(rows, start=start + 1):
        for j, (value, fmt) in enumerate(zip(values, ("yyyy-mm", PERCENT, PERCENT), strict=True)):
            ws.cell(row=i, column=col + j, value=value).number_format = fmt
    last = start + len(rows)
    for j in range(3):
        ws.column_dimensions[get_column_letter(col + j)].width = 12

    chart = LineChart()
    chart.title = t["trajectory"]
    chart.y_axis.title = t["rate"]
    chart.y_axis.number_format = "0%"
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 1
    chart.x_axis.number_format = "yyyy-mm"
    chart.x_axis.title = t["month"]
    chart.height, chart.width = 8, 18
    chart.display_blanks = "gap"
    chart.x_axis.delete = chart.y_axis.delete = False  # openpyxl 3.1 hides axes otherwise
    chart.add_data(Reference(ws, min_col=col + 1, max_col=col + 2, min_row=start, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=col, min_row=start + 1, max_row=last))
    actual, target = chart.series
    actual.graphicalProperties.line.solidFill = COVERED_COLOUR.lstrip("#")
    actual.graphicalProperties.line.width = 28000
    target.graphicalProperties.line.solidFill = "C62828"
    target.graphicalProperties.line.dashStyle = "dash"
    ws.add_chart(chart, f"A{anchor_row}")


# --------------------------------------------------------------------------- map
def map_png(
    province: Province,
    stations: pd.DataFrame | None,
    as_of: dt.date | str | None,
    region: str,
    labels: dict[str, str],
    title: str = "",
) -> bytes:
    """PNG (``MAP_DPI`` dpi) of the region's townships coloured covered / uncovered / not counted,
    with county borders and the stations open on ``as_of``."""
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from coverage.analysis.admin import covered_codes

    towns = province.townships[in_region(province.townships["code"], region)]
    counties = province.counties[in_region(province.counties["code"], region)]
    covered = covered_codes(stations, as_of)
    counted = towns["counted"].astype(bool).to_numpy()
    has = towns["code"].astype(str).isin(covered).to_numpy()
    colours = np.where(~counted, OTHER_COLOUR, np.where(has, COVERED_COLOUR, UNCOVERED_COLOUR))
    rc: dict[RcKeyType, Any] = {
        "font.family": [cjk_font(), "DejaVu Sans"],
        "axes.unicode_minus": False,
    }
    # a bare Figure (no pyplot): no global backend is chosen or changed, PNG is drawn by Agg
    with matplotlib.rc_context(rc):
        fig = Figure(figsize=MAP_SIZE_IN, dpi=MAP_DPI)
        ax = fig.subplots()
        towns.plot(ax=ax, color=colours, edgecolor="white", linewidth=0.15)
        counties.boundary.plot(ax=ax, color="#37474f", linewidth=0.6)
        if stations is not None and len(stations):
            here = stations[open_on(stations, as_of) & in_region(stations["township_code"], region)]
            xy = _station_xy(here)
            if len(xy):
                ax.scatter(xy[:, 0], xy[:, 1], s=6, color=STATION_COLOUR, zorder=3, linewidths=0)
        ax.set_axis_off()
        if title:
            ax.set_title(title, fontsize=12)
        handles = [
            Patch(color=COVERED_COLOUR, label=labels["covered_legend"]),
            Patch(color=UNCOVERED_COLOUR, label=labels["uncovered_legend"]),
            Patch(color=OTHER_COLOUR, label=labels["other_legend"]),
            Line2D([], [], color="#37474f", linewidth=0.8, label=labels["counties_legend"]),
            Line2D(
                [], [], marker="o", linestyle="", markersize=3, color=STATION_COLOUR, label=labels["stations_legend"]
            ),
        ]
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=MAP_DPI, bbox_inches="tight")
    return buffer.getvalue()


def _station_xy(stations: pd.DataFrame) -> np.ndarray:
    if "lon" in stations and "lat" in stations:
        xy = stations[["lon", "lat"]].apply(pd.to_numeric, errors="coerce").to_numpy(float)
    elif hasattr(stations, "geometry"):
        xy = np.column_stack([stations.geometry.x, stations.geometry.y])
    else:
        return np.empty((0, 2))
    return xy[np.isfinite(xy).all(axis=1)]


def _map_sheet(
    ws: Sheet,
    t: dict[str, str],
    province: Province,
    stations: pd.DataFrame | None,
    as_of: dt.date,
    code: str,
    result: Status,
) -> None:
    place = _place(province, result.units, code)
    ws["A1"] = t["map_title"].format(place=place, date=as_of.isoformat())
    ws["A1"].font = Font(bold=True, size=14)
    row = 2
    if province.approximate:
        ws["A2"] = t["approximate"]
        row = 3
    png = map_png(province, stations, as_of, code, t, title="")
    image = Image(io.BytesIO(png))
    scale = MAP_DISPLAY_WIDTH_PX / image.width
    image.width, image.height = MAP_DISPLAY_WIDTH_PX, round(image.height * scale)
    ws.add_image(image, f"A{row + 1}")


# --------------------------------------------------------------------------- units
def unit_table(units: pd.DataFrame, region: str) -> pd.DataFrame:
    """City and county rows inside ``region``, cities first, lagging units first within each level."""
    parts = [units[units["code"] == region]] if level_of(region) in ("city", "county") else []
    parts += [lagging_first(units, level, region) for level in ("city", "county")]
    return pd.concat(parts).reset_index(drop=True)


def _units_sheet(ws: Sheet, t: dict[str, str], units: pd.DataFrame, region: str) -> None:
    rows = unit_table(units, region)
    names = dict(zip(units["code"], units["name"], strict=True))
    headers = [
        t["level"],
        t["code"],
        t["name"],
        t["parent"],
        t["counted"],
        t["covered"],
        t["rate"],
        t["next_target_date"],
        t["next_target"],
        t["needed_due"],
        t["needed_next"],
        t["status"],
    ]
    data = [
        [
            t[f"level_{r['level']}"],
            r["code"],
            r["name"],
            names.get(unit_of(r["code"], "city"), "") if r["level"] == "county" else "",
            int(r["counted"]),
            int(r["covered"]),
            float(r["rate"]),
            _date_or_none(r["next_target_date"]),
            float(r["next_target_share"]),
            int(r["needed_for_due_target"]),
            int(r["needed_for_next_target"]),
            t[f"status_{r['status']}"],
        ]
        for r in rows.to_dict("records")
    ]
    formats = {5: INTEGER, 6: INTEGER, 7: PERCENT, 8: DATE, 9: PERCENT, 10: INTEGER, 11: INTEGER}
    end = _write_table(ws, 1, headers, data, formats)
    for i, state in enumerate(rows["status"], start=2):
        fill = PatternFill("solid", fgColor=STATUS_FILLS[state])
        ws.cell(row=i, column=7).fill = fill
        ws.cell(row=i, column=12).fill = fill
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(end - 1, 1)}"
    _fit_columns(ws)

    # bar chart of the rates of the level below the region, from a data block right of the table
    level = "city" if level_of(region) == "province" else "county"
    chart_rows = rows[rows["level"] == level].sort_values("code")
    if chart_rows.empty:
        return
    col = len(headers) + 2
    ws.cell(row=1, column=col, value=t["name"]).font = Font(bold=True)
    ws.cell(row=1, column=col + 1, value=t["rate"]).font = Font(bold=True)
    for i, (name, rate) in enumerate(zip(chart_rows["name"], chart_rows["rate"].astype(float), strict=True), start=2):
        ws.cell(row=i, column=col, value=name)
        ws.cell(row=i, column=col + 1, value=rate).number_format = PERCENT
    last = len(chart_rows) + 1
    chart = BarChart()
    chart.type = "col"
    chart.title = t["chart_rates"].format(level=t[f"level_{level}"])
    chart.y_axis.number_format = "0%"
    chart.y_axis.scaling.min = 0
    chart.legend = None
    chart.x_axis.delete = chart.y_axis.delete = False
    chart.height, chart.width = 9, max(16, 1.0 * len(chart_rows))
    chart.add_data(Reference(ws, min_col=col + 1, min_row=1, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=col, min_row=2, max_row=last))
    chart.series[0].graphicalProperties.solidFill = COVERED_COLOUR.lstrip("#")
    ws.add_chart(chart, f"{get_column_letter(col + 3)}2")


# --------------------------------------------------------------------------- lagging counties
def _lagging_sheet(ws: Sheet, t: dict[str, str], result: Status, region: str) -> None:
    lag = result.lagging("county")
    lag = lag[in_region(lag["code"], region)]
    names = dict(zip(result.units["code"], result.units["name"], strict=True))
    headers = [
        t["code"],
        t["name"],
        t["parent"],
        t["counted"],
        t["covered"],
        t["rate"],
        t["needed_due"],
        t["next_target_date"],
        t["next_target"],
        t["needed_next"],
    ]
    data = [
        [
            r["code"],
            r["name"],
            names.get(unit_of(r["code"], "city"), ""),
            int(r["counted"]),
            int(r["covered"]),
            float(r["rate"]),
            int(r["needed_for_due_target"]),
            _date_or_none(r["next_target_date"]),
            float(r["next_target_share"]),
            int(r["needed_for_next_target"]),
        ]
        for r in lag.to_dict("records")
    ]
    end = _write_table(
        ws, 1, headers, data, {4: INTEGER, 5: INTEGER, 6: PERCENT, 7: INTEGER, 8: DATE, 9: PERCENT, 10: INTEGER}
    )
    if not data:
        ws.cell(row=end + 1, column=1, value=t["no_lagging"])
    else:
        fill = PatternFill("solid", fgColor=STATUS_FILLS[STATUS_BEHIND])
        for i in range(2, end):
            ws.cell(row=i, column=7).fill = fill
    ws.freeze_panes = "A2"
    _fit_columns(ws)


# --------------------------------------------------------------------------- rollout
def rollout_table(rollout: Rollout, region: str | None = None) -> pd.DataFrame:
    """One row per year of ``rollout``: ``date``, ``target_share``, ``required_total``, ``new_stations``,
    ``cumulative``, ``rate_after`` (0-1), ``demand_share_within_after`` (0-1), and ``in_region``
    (new stations inside ``region``, when given)."""
    rows: list[dict[str, Any]] = []
    total = 0
    for year in rollout.years:
        total += len(year.opened)
        row = {
            "date": year.date,
            "target_share": year.target_share,
            "required_total": year.required_total,
            "new_stations": len(year.opened),
            "cumulative": total,
            "rate_after": year.rate_after,
            "demand_share_within_after": year.demand_share_within_after,
        }
        if region:
            row["in_region"] = sum(str(c).startswith(region) for c in year.opened)
        rows.append(row)
    return pd.DataFrame(rows)


def cost_staff_table(rollout: Rollout) -> pd.DataFrame:
    """One row per year of a plan within money and staff: ``date``, ``new_stations``, ``stations_new_total``,
    ``spend_yuan``, ``budget_yuan``, ``new_workers`` (all new stations), ``workers_supply`` (up to the year),
    ``served_share_after`` (0-1), ``overloaded`` (stations), and the new stations of each size
    (``size_<workers>``); empty without capacity."""
    rows: list[dict[str, Any]] = []
    sizes = sorted({int(w) for y in rollout.years for w in y.sizes.values()})
    total = 0
    for y in rollout.years:
        total += len(y.opened)
        row: dict[str, Any] = {
            "date": y.date,
            "new_stations": len(y.opened),
            "stations_new_total": total,
            "spend_yuan": y.spend_yuan,
            "budget_yuan": y.budget_yuan,
            "new_workers": y.new_workers,
            "workers_supply": y.workers_supply,
            "served_share_after": y.served_share_after,
            "overloaded": len(y.overloaded),
        }
        for size in sizes:
            row[f"size_{size}"] = sum(1 for w in y.sizes.values() if int(w) == size)
        rows.append(row)
    return pd.DataFrame(rows)


def _rollout_sheet(
    ws: Sheet, t: dict[str, str], rollout: Rollout | None, province: Province, region: str, result: Status
) -> None:
    if rollout is not None and not rollout.years:  # a plan that does not fit its money and staff
        ws["A1"] = t["no_fit"]
        ws.column_dimensions["A"].width = 100
        return
    if rollout is None:
        ws["A1"] = t["no_plan"]
        ws.column_dimensions["A"].width = 100
        return
    sub = region if region != str(province.code) else None
    table = rollout_table(rollout, sub)
    headers = [
        t["date"],
        t["target_share"],
        t["required_total"],
        t["new_stations"],
        t["cumulative"],
        t["rate_after"],
        t["demand_after"],
    ]
    if sub:
        headers.append(t["in_region"].format(place=_place(province, result.units, region)))
    data = [list(r.values()) for r in table.to_dict("records")]
    end = _write_table(
        ws,
        1,
        headers,
        data,
        {1: DATE, 2: PERCENT, 3: INTEGER, 4: INTEGER, 5: INTEGER, 6: PERCENT, 7: PERCENT, 8: INTEGER},
    )
    ws.freeze_panes = "A2"
    ws.cell(
        row=end + 1, column=1, value=t["plan_title"].format(radius=rollout.radius_m / 1000.0, solver=rollout.solver)
    )

    chart = BarChart()
    chart.type = "col"
    chart.title = t["chart_plan"]
    chart.legend = None
    chart.x_axis.delete = chart.y_axis.delete = False
    chart.height, chart.width = 7, 12
    column = 8 if sub else 4  # stations in the region when restricted, else in the province
    chart.add_data(Reference(ws, min_col=column, min_row=1, max_row=end - 1), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=end - 1))
    chart.series[0].graphicalProperties.solidFill = STATION_COLOUR.lstrip("#")
    ws.add_chart(chart, f"{get_column_letter(len(headers) + 2)}1")

    # the townships of each year, inside the region
    r = end + 3
    ws.cell(row=r, column=1, value=t["plan_list"]).font = Font(bold=True)
    listed = []
    for year in rollout.years:
        reasons = year.reasons
        for rec in reasons.to_dict("records"):
            if sub and not str(rec["code"]).startswith(sub):
                continue
            listed.append(
                [
                    year.date.year,
                    rec["code"],
                    rec["name"],
                    rec["county_name"],
                    float(rec["score"]),
                    float(rec["demand_gained_share"]),
                ]
            )
    _write_table(
        ws,
        r + 1,
        [t["year"], t["code"], t["name"], t["county"], t["score"], t["demand_gained"]],
        listed,
        {5: "0.000", 6: "0.00%"},
    )
    _fit_columns(ws, maximum=24)


# --------------------------------------------------------------------------- cost and staff (issue 15)
def shortfall_lines(short: Shortfall, lang: str = "zh") -> list[str]:
    """The shortfall of a plan and the least each way out takes, one line each, in ``lang``."""

    def money(values: list[float]) -> str:
        parts = [
            text("short_item_money", lang, year=y, amount=yuan_text(v))
            for y, v in zip(short.years, values, strict=True)
            if v
        ]
        return "、".join(parts) if lang == "zh" else ", ".join(parts)

    def staff(values: list[float]) -> str:
        parts = [
            text("short_item_workers", lang, year=y, n=math.ceil(v - 1e-9))
            for y, v in zip(short.years, values, strict=True)
            if v
        ]
        return "、".join(parts) if lang == "zh" else ", ".join(parts)

    out = [
        text("short_money", lang, items=money(short.money_only_yuan))
        if short.money_only_yuan is not None
        else text("short_money_no", lang),
        text("short_workers", lang, items=staff(short.workers_only))
        if short.workers_only is not None
        else text("short_workers_no", lang),
    ]
    if short.money_only_yuan is None and short.workers_only is None:
        out.append(text("short_both", lang, money=money(short.both_money_yuan), workers=staff(short.both_workers)))
    for later in short.later:
        if later.reachable:
            out.append(
                text(
                    "short_later",
                    lang,
                    share=later.share,
                    needed=later.needed,
                    date=later.reachable,
                    target=later.target_date,
                )
            )
        else:
            out.append(
                text("short_never", lang, share=later.share, needed=later.needed, years=settings.LATER_DATE_MAX_YEARS)
            )
    return out


def _cost_staff_sheet(ws: Sheet, t: dict[str, str], rollout: Rollout, lang: str) -> None:
    """Spending, workers, sizes, need served and over-loaded stations per year; equity; or the shortfall."""
    ws["A1"] = t["cost_title"]
    ws["A1"].font = Font(bold=True, size=13)
    ws["A2"] = t["cost_need"].format(
        need=translate(rollout.need, lang), points=translate(rollout.demand_points, lang), caseload=rollout.caseload
    )
    if rollout.menu is not None:
        sizes = ", ".join(
            f"{w}:{yuan_text(b)}" for w, b in zip(rollout.menu.workers, rollout.menu.build_yuan, strict=True)
        )
        ws["A3"] = t["cost_menu"].format(
            sizes=sizes,
            worker=yuan_text(rollout.menu.running_per_worker_yuan),
            station=yuan_text(rollout.menu.station_running_yuan),
        )
    if not rollout.feasible and rollout.shortfall is not None:
        ws["A5"] = text("short_title", lang)
        ws["A5"].font = Font(bold=True)
        for i, line in enumerate(shortfall_lines(rollout.shortfall, lang), start=6):
            ws.cell(row=i, column=1, value=line)
        ws.column_dimensions["A"].width = 100
        return
    table = cost_staff_table(rollout)
    size_cols = [c for c in table.columns if c.startswith("size_")]
    headers = [
        t["date"],
        t["new_stations"],
        t["spend"],
        t["budget"],
        t["staff"],
        t["supply"],
        t["served"],
        t["overloaded"],
    ]
    headers += [t["size"].format(workers=c.removeprefix("size_")) for c in size_cols]
    rows = [
        [r["date"], r["new_stations"], r["spend_yuan"], r["budget_yuan"], r["new_workers"], r["workers_supply"],
         r["served_share_after"], r["overloaded"], *[r[c] for c in size_cols]]
        for r in table.to_dict("records")
    ]  # fmt: skip
    end = _write_table(
        ws,
        5,
        headers,
        rows,
        {1: DATE, 2: INTEGER, 3: INTEGER, 4: INTEGER, 5: INTEGER, 6: INTEGER, 7: PERCENT, 8: INTEGER},
    )
    chart = BarChart()
    chart.type = "col"
    chart.title = t["chart_cost"]
    chart.x_axis.delete = chart.y_axis.delete = False
    chart.height, chart.width = 7, 14
    chart.add_data(Reference(ws, min_col=3, max_col=4, min_row=5, max_row=end - 1), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=6, max_row=end - 1))
    ws.add_chart(chart, f"{get_column_letter(len(headers) + 2)}5")
    r = end + 1
    if rollout.equity is not None and rollout.gini_before is not None and rollout.gini_after is not None:
        ws.cell(
            row=r, column=1, value=t["equity"].format(before=rollout.gini_before, after=rollout.gini_after)
        ).font = Font(bold=True)
        equity = rollout.equity.sort_values("reach_after")
        _write_table(
            ws,
            r + 1,
            [t["county"], t["code"], t["need"], t["reach_before"], t["reach_after"]],
            [
                [e["county_name"], e["county_code"], e["need"], e["reach_before"], e["reach_after"]]
                for e in equity.to_dict("records")
            ],
            {3: "#,##0.0", 4: PERCENT, 5: PERCENT},
        )
    ws.freeze_panes = "A6"
    _fit_columns(ws, maximum=24, skip_rows=4)
