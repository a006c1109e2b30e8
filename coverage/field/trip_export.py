"""A trip plan as a calendar (.ics, RFC 5545), a spreadsheet (.xlsx) and a printable HTML page.

Computation lives in :mod:`coverage.field.trips`; this module only formats, in the language
asked (``lang``: ``"zh"``, the default, or ``"en"``; every text from :mod:`coverage.present.i18n`).
The calendar is written by hand: one VEVENT per visit and per drive, local times with
``TZID=Asia/Shanghai``.  The printable page has, per day, the visits with their arrival, visit
and departure times, the drives between them, the night's stop and a small map of the day's
route drawn as inline SVG (nothing is fetched when it is opened or printed).

Examples
--------
>>> hours_minutes(285.0833), whole_km(12.6)
('4:45', '13')
"""

from __future__ import annotations

import datetime as dt
import html
import math
from pathlib import Path

import pandas as pd

from coverage.field.trips import TripPlan
from coverage.present.i18n import t

#: Colours of the days on the printed maps (the app's map uses its own palette).
DAY_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf")


def hours_minutes(minutes: float) -> str:
    """Minutes as ``h:mm`` (rounded to the minute)."""
    total = int(round(float(minutes)))
    return f"{total // 60}:{total % 60:02d}"


def whole_km(km: float) -> str:
    """Kilometres rounded to a whole number."""
    return f"{float(km):.0f}"


def _weekday(day: dt.date, lang: str) -> str:
    return t(f"print.weekday_{day.weekday()}", lang)


# --------------------------------------------------------------------------- tables
def day_table(plan: TripPlan, lang: str = "zh") -> pd.DataFrame:
    """The days as a person reads them: headers in ``lang``, driving as h:mm, km whole, no codes."""
    d = plan.days
    return pd.DataFrame(
        {
            t("trip_col_day", lang): d["day"].astype(int),
            t("trip_col_date", lang): [f"{x.isoformat()} {_weekday(x, lang)}" for x in d["date"]],
            t("trip_col_tour", lang): d["tour"].astype(int),
            t("trip_col_visits", lang): d["names"].map("、".join),
            t("trip_col_overnight", lang): d["overnight"],
            t("trip_col_travel", lang): d["travel_min"].map(hours_minutes),
            t("trip_col_travel_km", lang): d["travel_km"].map(whole_km),
            t("trip_col_start", lang): d["start"],
            t("trip_col_finish", lang): d["finish"],
            t("trip_col_over", lang): d["over_min"].map(lambda v: hours_minutes(v) if v > 0 else ""),
        }
    )


def visit_table(plan: TripPlan, lang: str = "zh") -> pd.DataFrame:
    """One row per visit: day, date, station, arrival, visit (h:mm on site) and departure."""
    rows = []
    legs = plan.legs.to_dict("records")
    for i, leg in enumerate(legs):
        if leg["to_kind"] != "station":
            continue
        leave = legs[i + 1]["depart"] if i + 1 < len(legs) else leg["visit_end"]
        rows.append(
            {
                t("trip_col_day", lang): int(leg["day"]),
                t("trip_col_date", lang): leg["date"].isoformat(),
                t("print.station", lang): leg["to_name"],
                t("print.code", lang): leg["to_code"],
                t("print.arrive", lang): f"{leg['arrive']:%H:%M}",
                t("print.visit", lang): f"{leg['arrive']:%H:%M}–{leg['visit_end']:%H:%M}",
                t("print.depart", lang): f"{leave:%H:%M}",
            }
        )
    columns = [t(k, lang) for k in ("trip_col_day", "trip_col_date", "print.station", "print.code")]
    columns += [t(k, lang) for k in ("print.arrive", "print.visit", "print.depart")]
    return pd.DataFrame(rows, columns=columns)


def leg_table(plan: TripPlan, lang: str = "zh") -> pd.DataFrame:
    """The drives: day, from, to, departure, arrival, h:mm, km."""
    g = plan.legs
    return pd.DataFrame(
        {
            t("trip_col_day", lang): g["day"].astype(int),
            t("print.from", lang): g["from_name"],
            t("print.to", lang): g["to_name"],
            t("print.depart", lang): g["depart"].map(lambda x: f"{x:%Y-%m-%d %H:%M}"),
            t("print.arrive", lang): g["arrive"].map(lambda x: f"{x:%Y-%m-%d %H:%M}"),
            t("trip_col_travel", lang): g["minutes"].map(hours_minutes),
            t("trip_col_travel_km", lang): g["km"].map(whole_km),
        }
    )


def to_sheets(plan: TripPlan, lang: str = "zh") -> dict[str, pd.DataFrame]:
    """Sheets for a workbook: days, visits, drives, stations left out (headers in ``lang``)."""
    unvisited = plan.unvisited[[c for c in ("code", "name") if c in plan.unvisited.columns]]
    return {
        t("print.sheet_days", lang): day_table(plan, lang),
        t("print.sheet_visits", lang): visit_table(plan, lang),
        t("print.sheet_legs", lang): leg_table(plan, lang),
        t("print.sheet_unvisited", lang): unvisited.rename(
            columns={"code": t("print.code", lang), "name": t("print.station", lang)}
        ),
    }


# --------------------------------------------------------------------------- calendar
def _ics_text(text: str) -> str:
    return str(text).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> list[str]:
    """Lines of at most 75 octets, continued with a leading space (RFC 5545 3.1)."""
    out: list[str] = []
    current = ""
    for ch in line:
        if len((current + ch).encode("utf-8")) > (75 if not out else 74):
            out.append(current)
            current = ch
        else:
            current += ch
    out.append(current)
    return [out[0]] + [" " + s for s in out[1:]]


def _stamp(value: dt.datetime) -> str:
    return value.strftime("%Y%m%dT%H%M%S")


#: RFC 5545 requires a VTIMEZONE for every TZID used; China Standard Time, UTC+8, no daylight saving since 1991.
SHANGHAI_VTIMEZONE = [
    "BEGIN:VTIMEZONE",
    "TZID:Asia/Shanghai",
    "BEGIN:STANDARD",
    "DTSTART:19910915T000000",
    "TZOFFSETFROM:+0800",
    "TZOFFSETTO:+0800",
    "TZNAME:CST",
    "END:STANDARD",
    "END:VTIMEZONE",
]


def to_ics(plan: TripPlan, uid_prefix: str = "trip") -> str:
    """The plan as iCalendar text: each visit and each drive an event (times in Asia/Shanghai)."""
    now = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//coverage//social-work station trips//ZH",
        "CALSCALE:GREGORIAN",
        *SHANGHAI_VTIMEZONE,
    ]

    def event(uid: str, start: dt.datetime, end: dt.datetime, summary: str, where: str = "") -> None:
        lines.extend(
            [
                "BEGIN:VEVENT",
                f"UID:{uid}",
                f"DTSTAMP:{now}",
                f"DTSTART;TZID=Asia/Shanghai:{_stamp(start)}",
                f"DTEND;TZID=Asia/Shanghai:{_stamp(end)}",
                f"SUMMARY:{_ics_text(summary)}",
            ]
        )
        if where:
            lines.append(f"LOCATION:{_ics_text(where)}")
        lines.append("END:VEVENT")

    for k, leg in enumerate(plan.legs.to_dict("records")):
        event(
            f"{uid_prefix}-{k}-drive@coverage",
            leg["depart"],
            leg["arrive"],
            f"驾车 {leg['from_name']} → {leg['to_name']} ({leg['minutes']:.0f} min, {leg['km']:.0f} km)",
        )
        if leg["to_kind"] == "station":
            event(
                f"{uid_prefix}-{k}-visit@coverage",
                leg["arrive"],
                leg["visit_end"],
                f"督导/评估 {leg['to_name']} ({leg['to_code']})",
                f"{leg['to_name']} {leg['to_lat']:.5f},{leg['to_lon']:.5f}",
            )
    lines.append("END:VCALENDAR")
    return "\r\n".join(part for line in lines for part in _fold(line)) + "\r\n"


# --------------------------------------------------------------------------- printable page
def route_svg(legs: pd.DataFrame, colour: str = DAY_COLOURS[0], width: int = 300, height: int = 200) -> str:
    """A small map of a route (one row per drive, with ``from_``/``to_`` ``lon``/``lat``/``name``) as
    inline SVG: the drives as lines, the stops numbered, a scale bar; north is up."""
    if legs.empty:
        return ""
    lon = pd.concat([legs["from_lon"], legs["to_lon"]]).astype(float)
    lat = pd.concat([legs["from_lat"], legs["to_lat"]]).astype(float)
    k = math.cos(math.radians(float(lat.mean())))
    x0, x1, y0, y1 = lon.min() * k, lon.max() * k, lat.min(), lat.max()
    span = max(x1 - x0, y1 - y0, 0.02)
    pad = 24
    scale = min((width - 2 * pad) / span, (height - 2 * pad) / span)

    def xy(lo: float, la: float) -> tuple[float, float]:
        return (
            pad + (lo * k - x0) * scale + (width - 2 * pad - (x1 - x0) * scale) / 2,
            height - pad - (la - y0) * scale - (height - 2 * pad - (y1 - y0) * scale) / 2,
        )

    e = html.escape
    parts = [
        f"<svg class='route' xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' viewBox='0 0 {width} {height}'>",
        f"<rect width='{width}' height='{height}' fill='#fafafa' stroke='#bbb'/>",
    ]
    for leg in legs.to_dict("records"):
        (ax, ay), (bx, by) = xy(leg["from_lon"], leg["from_lat"]), xy(leg["to_lon"], leg["to_lat"])
        parts.append(
            f"<line x1='{ax:.1f}' y1='{ay:.1f}' x2='{bx:.1f}' y2='{by:.1f}' stroke='{colour}' stroke-width='2'/>"
        )
    stops = [(legs.iloc[0]["from_name"], legs.iloc[0]["from_lon"], legs.iloc[0]["from_lat"], "start")]
    stops += [(r["to_name"], r["to_lon"], r["to_lat"], r["to_kind"]) for r in legs.to_dict("records")]
    number = 0
    for name, lo, la, kind in stops:
        x, y = xy(lo, la)
        if kind == "station":
            number += 1
            parts.append(f"<circle cx='{x:.1f}' cy='{y:.1f}' r='8' fill='{colour}'/>")
            parts.append(
                f"<text x='{x:.1f}' y='{y + 4:.1f}' font-size='10' text-anchor='middle' fill='#fff'>{number}</text>"
            )
        else:
            parts.append(f"<rect x='{x - 5:.1f}' y='{y - 5:.1f}' width='10' height='10' fill='#333'/>")
        parts.append(f"<text x='{x + 10:.1f}' y='{y - 6:.1f}' font-size='10' fill='#222'>{e(str(name))}</text>")
    bar_km = _nice_km((width - 2 * pad) / scale * 111.32 / 3)  # about a third of the width
    bar_px = bar_km / 111.32 * scale
    parts.append(
        f"<line x1='{pad}' y1='{height - 8}' x2='{pad + bar_px:.1f}' y2='{height - 8}' stroke='#333' stroke-width='2'/>"
        f"<text x='{pad + bar_px + 4:.1f}' y='{height - 4}' font-size='9'>{bar_km:g} km</text>"
    )
    parts.append("</svg>")
    return "".join(parts)


def _nice_km(km: float) -> float:
    """A round length (1, 2 or 5 x 10^k km) not above ``km``."""
    if km <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(km))
    return max(v * power for v in (1, 2, 5) if v * power <= km)


def _day_rows(plan: TripPlan, day: int, lang: str) -> list[str]:
    """Table rows of one day: each drive, each visit (arrival, on site, departure), lunch, the night."""
    e = html.escape
    legs = plan.legs[plan.legs["day"] == day].to_dict("records")
    rows: list[str] = []
    for i, leg in enumerate(legs):
        rows.append(
            f"<tr class='drive'><td>{leg['depart']:%H:%M}–{leg['arrive']:%H:%M}</td><td>{e(t('print.drive', lang))}</td>"
            f"<td>{e(leg['from_name'])} → {e(leg['to_name'])}</td>"
            f"<td>{hours_minutes(leg['minutes'])}, {whole_km(leg['km'])} km</td></tr>"
        )
        if leg["to_kind"] == "station":
            leave = legs[i + 1]["depart"] if i + 1 < len(legs) else leg["visit_end"]
            rows.append(
                f"<tr class='visit'><td>{leg['arrive']:%H:%M}–{leg['visit_end']:%H:%M}</td><td>{e(t('print.visit_row', lang))}</td>"
                f"<td><b>{e(leg['to_name'])}</b> ({e(leg['to_code'])})</td>"
                f"<td>{e(t('print.arrive', lang))} {leg['arrive']:%H:%M} · {e(t('print.depart', lang))} {leave:%H:%M}</td></tr>"
            )
            if leave > leg["visit_end"]:
                rows.append(
                    f"<tr class='lunch'><td>{leg['visit_end']:%H:%M}–{leave:%H:%M}</td><td>{e(t('print.lunch', lang))}</td><td></td><td></td></tr>"
                )
    return rows


def to_html(plan: TripPlan, lang: str = "zh", title: str | None = None) -> str:
    """A printable page in ``lang``: the summary, then per day its visits with arrival, visit and
    departure times, the drives, the night's stop and a small map of the day's route."""
    e = html.escape
    title = title or t("print.trip_title", lang)
    request = plan.request
    dates = request.dates
    n = len(request.stations)
    parts = [
        f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'><title>{e(title)}</title>",
        "<style>body{font-family:'Noto Sans CJK SC','Microsoft YaHei',sans-serif;margin:1.5em;color:#222}"
        "table{border-collapse:collapse;margin:0.4em 0 1em;width:100%}td,th{border:1px solid #bbb;padding:3px 6px;"
        "text-align:left;vertical-align:top;font-size:13px}tr.visit td{background:#eef5ff}tr.lunch td{color:#777}"
        ".day{display:flex;gap:1em;align-items:flex-start;page-break-inside:avoid}.day table{flex:1}"
        "h2{margin:1.2em 0 0.2em;font-size:17px}h3{margin:0.8em 0 0.2em;font-size:15px}"
        "@media print{body{margin:0.5cm}.tour{page-break-before:auto}}</style></head><body>",
        f"<h1>{e(title)}</h1>",
        "<p>"
        + e(
            t(
                "print.trip_summary",
                lang,
                first=dates[0].isoformat(),
                last=dates[-1].isoformat(),
                days=len(dates),
                tours=len(request.tours or (len(dates),)),
                base=request.start.name,
                kept=n - len(plan.unvisited),
                total=n,
                hours=hours_minutes(plan.travel_min),
                km=whole_km(plan.travel_km),
            )
        )
        + "</p>",
    ]
    if not math.isnan(plan.gap):
        parts.append(f"<p>{e(t('print.trip_bound', lang, bound=hours_minutes(plan.bound_min), gap=plan.gap))}</p>")
    days = plan.days.to_dict("records")
    tour = 0
    for d in days:
        if d["tour"] != tour:
            tour = int(d["tour"])
            in_tour = [x for x in days if x["tour"] == tour]
            parts.append(
                f"<h2 class='tour'>{e(t('print.tour_heading', lang, tour=tour, first=in_tour[0]['date'].isoformat(), last=in_tour[-1]['date'].isoformat(), base=request.start.name))}</h2>"
            )
        heading = t(
            "print.day_heading",
            lang,
            day=int(d["day"]),
            date=d["date"].isoformat(),
            weekday=_weekday(d["date"], lang),
            night=d["overnight"],
        )
        parts.append(f"<h3>{e(heading)}</h3><div class='day'><table>")
        parts.append(
            "<tr>"
            + "".join(f"<th>{e(t(k, lang))}</th>" for k in ("print.time", "print.what", "print.where", "print.note"))
            + "</tr>"
        )
        parts += _day_rows(plan, int(d["day"]), lang)
        parts.append(
            f"<tr><td>{e(d['finish'])}</td><td>{e(t('print.night', lang))}</td><td><b>{e(d['overnight'])}</b></td>"
            f"<td>{e(t('print.day_total', lang, hours=hours_minutes(d['travel_min']), km=whole_km(d['travel_km'])))}</td></tr></table>"
        )
        legs = plan.legs[plan.legs["day"] == d["day"]]
        parts.append(route_svg(legs, DAY_COLOURS[(int(d["day"]) - 1) % len(DAY_COLOURS)]) + "</div>")
    if not plan.unvisited.empty:
        parts.append(
            f"<h2>{e(t('print.unvisited', lang))}</h2><ul>"
            + "".join(f"<li>{e(str(x))}</li>" for x in plan.unvisited["name"])
            + "</ul>"
        )
    parts.append("</body></html>")
    return "\n".join(parts)


def write_plan(plan: TripPlan, path: str | Path, lang: str = "zh") -> Path:
    """Write ``.ics``, ``.html`` or ``.xlsx`` by the file's suffix."""
    from coverage._errors import InputError
    from coverage.data.io import atomic_write, write_sheets

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".ics":
        return atomic_write(path, to_ics(plan).encode("utf-8"))
    if suffix in (".html", ".htm"):
        return atomic_write(path, to_html(plan, lang).encode("utf-8"))
    if suffix == ".xlsx":
        return write_sheets(to_sheets(plan, lang), path)
    msg = f"--out {path.name}: write .ics (calendar), .html (printable) or .xlsx"
    raise InputError(msg)


# --------------------------------------------------------------------------- supervision rounds
def rounds_html(
    calendar: pd.DataFrame,
    totals: pd.DataFrame,
    month: str | dt.date,
    hours: float,
    day_hours: float,
    lang: str = "zh",
) -> str:
    """The month's supervision rounds (:func:`coverage.field.supervision.monthly_rounds`) as a printable
    page in ``lang``: per supervisor, each working day with the station, the hours on site and the
    drive there and back."""
    from coverage.checks import parse_month

    e = html.escape
    first = parse_month(month)
    title = t("print.rounds_title", lang, month=first.strftime("%Y-%m"))
    parts = [
        f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'><title>{e(title)}</title>",
        "<style>body{font-family:'Noto Sans CJK SC','Microsoft YaHei',sans-serif;margin:1.5em;color:#222}"
        "table{border-collapse:collapse;margin:0.4em 0 1.2em;width:100%}td,th{border:1px solid #bbb;padding:3px 6px;"
        "text-align:left;font-size:13px}h2{font-size:16px;margin:1em 0 0.2em}.late{color:#b00}"
        "@media print{section{page-break-inside:avoid}}</style></head><body>",
        f"<h1>{e(title)}</h1>",
        "<p>"
        + e(
            t(
                "print.rounds_summary",
                lang,
                supervisors=len(totals),
                stations=int(totals["stations"].sum()) if len(totals) else 0,
                hours=hours,
                day_hours=day_hours,
            )
        )
        + "</p>",
    ]
    for row in totals.to_dict("records"):
        heading = t(
            "print.rounds_supervisor",
            lang,
            supervisor=row["supervisor"],
            base=row["base"],
            stations=int(row["stations"]),
            days=int(row["days_used"]),
            hours=hours_minutes(row["travel_min"]),
        )
        parts.append(f"<section><h2>{e(heading)}</h2>")
        if not row["fits"]:
            parts.append(f"<p class='late'>{e(t('print.rounds_not_fit', lang))}</p>")
        parts.append(
            "<table><tr>"
            + "".join(
                f"<th>{e(t(k, lang))}</th>"
                for k in ("trip_col_date", "print.station", "print.code", "print.hours_on_site", "print.round_trip")
            )
            + "</tr>"
        )
        mine = calendar[calendar["supervisor"] == row["supervisor"]]
        for visit in mine.to_dict("records"):
            day = visit["date"]
            when = (
                f"{day.isoformat()}（{_weekday(day, lang)}）"
                if lang == "zh" and day
                else (f"{day.isoformat()} ({_weekday(day, lang)})" if day else t("print.rounds_not_fit", lang))
            )
            parts.append(
                f"<tr><td>{e(when)}</td><td>{e(str(visit['station']))}</td><td>{e(str(visit['code']))}</td>"
                f"<td>{visit['hours']:g} h</td><td>{hours_minutes(visit['travel_min'])}, {whole_km(visit['travel_km'])} km</td></tr>"
            )
        parts.append("</table></section>")
    parts.append("</body></html>")
    return "\n".join(parts)
