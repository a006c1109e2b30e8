"""A trip plan as a calendar (.ics, RFC 5545), a spreadsheet (.xlsx) and a printable HTML page.

Computation lives in :mod:`coverage.trips`; this module only formats.  The calendar is written
by hand: one VEVENT per visit and per drive, local times with ``TZID=Asia/Shanghai``.
"""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

import pandas as pd

from coverage.field.trips import TripPlan


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


def to_sheets(plan: TripPlan) -> dict[str, pd.DataFrame]:
    """Sheets for a workbook: days, legs, unvisited stations."""
    days = plan.days.assign(visits=plan.days["visits"].map(", ".join), names=plan.days["names"].map(", ".join))
    legs = plan.legs.assign(
        depart=plan.legs["depart"].dt.strftime("%Y-%m-%d %H:%M"),
        arrive=plan.legs["arrive"].dt.strftime("%Y-%m-%d %H:%M"),
    )
    return {"days": days, "legs": legs.drop(columns=["visit_end"]), "unvisited": plan.unvisited}


def to_html(plan: TripPlan, title: str = "实地评估行程 Field trip") -> str:
    """A printable page: the summary, then one table per day."""
    e = html.escape
    parts = [
        "<!DOCTYPE html><html lang='zh'><head><meta charset='utf-8'>",
        f"<title>{e(title)}</title><style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse;margin-bottom:1.5em}}"
        "td,th{border:1px solid #999;padding:4px 8px;text-align:left}@media print{h2{page-break-before:auto}}</style></head><body>",
        f"<h1>{e(title)}</h1>",
        f"<p>{e(plan.message)}</p>",
        f"<p>Driving {plan.travel_min:.0f} min, {plan.travel_km:.0f} km; solver: {e(plan.solver)}.</p>",
    ]
    for d in plan.days.to_dict("records"):
        parts.append(f"<h2>Day {d['day']} · {d['date'].isoformat()} · overnight {e(d['overnight'])}</h2>")
        parts.append("<table><tr><th>depart</th><th>from</th><th>to</th><th>arrive</th><th>min</th><th>km</th></tr>")
        for leg in plan.legs[plan.legs["day"] == d["day"]].to_dict("records"):
            parts.append(
                f"<tr><td>{leg['depart']:%H:%M}</td><td>{e(leg['from_name'])}</td><td>{e(leg['to_name'])}</td>"
                f"<td>{leg['arrive']:%H:%M}</td><td>{leg['minutes']:.0f}</td><td>{leg['km']:.0f}</td></tr>"
            )
        parts.append("</table>")
    if not plan.unvisited.empty:
        parts.append(
            "<h2>Not visited</h2><ul>" + "".join(f"<li>{e(str(n))}</li>" for n in plan.unvisited["name"]) + "</ul>"
        )
    parts.append("</body></html>")
    return "\n".join(parts)


def write_plan(plan: TripPlan, path: str | Path) -> Path:
    """Write ``.ics``, ``.html`` or ``.xlsx`` by the file's suffix."""
    from coverage._errors import InputError
    from coverage.data.io import atomic_write, write_sheets

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".ics":
        return atomic_write(path, to_ics(plan).encode("utf-8"))
    if suffix in (".html", ".htm"):
        return atomic_write(path, to_html(plan).encode("utf-8"))
    if suffix == ".xlsx":
        return write_sheets(to_sheets(plan), path)
    msg = f"--out {path.name}: write .ics (calendar), .html (printable) or .xlsx"
    raise InputError(msg)
