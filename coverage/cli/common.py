"""What the command groups share: JSON output, progress, and reading the common arguments."""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from collections.abc import Callable
from pathlib import Path

from coverage import settings
from coverage._errors import InputError


def print_json(document: dict) -> None:
    print(json.dumps(document, ensure_ascii=False, indent=2, default=str))


def progress(label: str) -> Callable[[int, int], None]:
    """A progress printer for standard error (a bar on a terminal, a line every 10 % otherwise)."""
    tty = sys.stderr.isatty()
    state = {"last": -1}

    def report(done: int, total: int) -> None:
        share = done / max(total, 1)
        if tty:
            bar = "#" * int(share * 30)
            print(f"\r{label} [{bar:<30}] {done}/{total}", end="" if done < total else "\n", file=sys.stderr)
        elif int(share * 10) > state["last"]:
            state["last"] = int(share * 10)
            print(f"{label}: {done}/{total}", file=sys.stderr)

    return report


def json_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print one JSON document instead of a summary")


def analysis_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--province", default=settings.DEFAULT_PROVINCE, help="code or name (default 45)")
    p.add_argument("--stations", type=Path, default=None, help="station file (default: the committed list)")
    p.add_argument("--crs", default=None, help="coordinate system of the station file (wgs84, gcj02, bd09 ...)")
    p.add_argument("--as-of", default=None, help="date YYYY-MM-DD (default today)")
    p.add_argument("--top", type=int, default=10, help="rows listed in the summary")


def travel_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--speed-kmh",
        type=float,
        default=settings.AVERAGE_SPEED_KMH,
        help=f"average speed on county and township roads, km/h (default {settings.AVERAGE_SPEED_KMH:g})",
    )
    p.add_argument(
        "--long-kmh",
        type=float,
        default=settings.LONG_SPEED_KMH,
        help=f"speed beyond the first --local-km road km of a leg, km/h; 0 = one speed (default {settings.LONG_SPEED_KMH:g})",
    )
    p.add_argument(
        "--local-km",
        type=float,
        default=settings.LOCAL_ROAD_KM,
        help=f"road km of each leg driven at --speed-kmh (default {settings.LOCAL_ROAD_KM:g})",
    )
    p.add_argument(
        "--circuity",
        type=float,
        default=settings.CIRCUITY_FACTOR,
        help=f"road km per straight km (default {settings.CIRCUITY_FACTOR:g})",
    )
    p.add_argument(
        "--matrix",
        default=None,
        help="CSV/XLSX of travel minutes: first column and header row = township codes or names",
    )
    p.add_argument("--matrix-km", default=None, help="CSV/XLSX of road km, same layout (with --matrix)")
    p.add_argument("--osrm", default=None, help="URL of an OSRM-compatible server (its /table service is asked)")
    p.add_argument("--time-limit", type=float, default=settings.TRIP_TIME_LIMIT_S, help="seconds for the solver")


def province_and_stations(args: argparse.Namespace):
    """The province and its stations: ``--stations`` (a file, or names separated by commas) imported, else the committed list."""
    from coverage.data.provinces import default_stations_path, load_province
    from coverage.data.register import load_register
    from coverage.data.stations import is_station_file, read_station_list

    code = load_register().province_code(args.province)
    prov = load_province(code)
    given = str(args.stations) if args.stations else None
    path = given or default_stations_path(code)
    if path is None:
        msg = f"no station list for {prov.name}; pass --stations FILE"
        raise InputError(msg)
    imported = read_station_list(str(path), province=code, crs=getattr(args, "crs", None))
    s = imported.summary
    unused = s["total"] - s["matched"] - s["repaired"]
    if unused:
        what = Path(path).name if is_station_file(str(path)) else "the names given"
        print(
            f"note: {unused} of {s['total']} rows of {what} could not be placed and are left out "
            f"(see `python -m coverage stations check {shlex.quote(str(path))}`)",
            file=sys.stderr,
        )
    return prov, imported.stations


def schedule_from_args(args: argparse.Namespace):
    from coverage.analysis.admin import DEFAULT_SCHEDULE, TargetSchedule, parse_targets

    default = parse_targets(args.targets) if args.targets else DEFAULT_SCHEDULE
    overrides = {}
    for item in args.override or []:
        code, sep, text = item.partition("=")
        if not sep or not code.strip().isdigit() or len(code.strip()) not in (4, 6):
            msg = f"--override {item!r}: use CODE=SCHEDULE with a 4-digit city or 6-digit county code, e.g. 4501=2021-12-31:40"
            raise InputError(msg)
        overrides[code.strip()] = parse_targets(text)
    return TargetSchedule(default, overrides)


def travel_from_args(args: argparse.Namespace):
    from coverage.field.trips import Travel, read_matrix

    if args.osrm:
        return Travel("osrm", url=args.osrm)
    if args.matrix:
        km = read_matrix(args.matrix_km) if args.matrix_km else None
        return Travel("matrix", minutes=read_matrix(args.matrix), km=km, speed_kmh=args.speed_kmh)
    return Travel(
        circuity=args.circuity, speed_kmh=args.speed_kmh, long_kmh=args.long_kmh or None, local_km=args.local_km
    )


def station_table_from_args(args: argparse.Namespace, code: str):
    """Stations from --stations (a file, or names separated by commas), else the province's list.

    Names given inline must all be recognised (a trip to a typo is no trip):
    the ones that are not are listed in the :class:`InputError`.
    """
    from coverage.data.provinces import default_stations_path
    from coverage.data.stations import is_station_file, read_station_list
    from coverage.field.trips import station_table

    given = str(args.stations) if args.stations else None
    path = given or default_stations_path(code)
    if path is None:
        msg = "no station list for this province; pass --stations FILE or names"
        raise InputError(msg)
    imported = read_station_list(str(path), province=code)
    if given and not is_station_file(given):
        bad = imported.report[~imported.report["status"].isin(["matched", "repaired"])]
        if len(bad):
            reasons = "; ".join(bad["message"].where(bad["message"] != "", bad["status"]))
            msg = f"{len(bad)} station names not recognised - {reasons} (give the county too, or the 9-digit code)"
            raise InputError(msg)
    if imported.stations.empty:
        msg = (
            f"no station of {Path(path).name} could be placed; check it with `python -m coverage stations check {path}`"
        )
        raise InputError(msg)
    return station_table(imported.stations)


def read_itinerary(path: str) -> list[list[str]]:
    from coverage.field.trips import parse_itinerary

    return parse_itinerary(Path(path).read_text(encoding="utf-8-sig"))
