"""What the command groups share: JSON output, progress, and reading the common arguments."""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from coverage import checks, settings
from coverage._errors import InputError

if TYPE_CHECKING:
    import pandas as pd

    from coverage.analysis.travel import Travel
    from coverage.data.lists import StationList
    from coverage.registry.accounts import Actor
    from coverage.registry.store import Registry
T = TypeVar("T")


def print_json(document: dict) -> None:
    print(json.dumps(document, ensure_ascii=False, indent=2, default=str))


def json_value(value: Any) -> Any:
    """A table cell as JSON shows it: missing values as null, dates and times as ISO text, numpy
    numbers as plain ones."""
    import pandas as pd

    if value is None or value is pd.NaT or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return value


def json_records(frame: pd.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
    """The rows of ``frame``'s ``columns`` as JSON objects (:func:`json_value` for each cell)."""
    return [
        {c: json_value(v) for c, v in zip(columns, row, strict=True)} for row in frame[columns].itertuples(index=False)
    ]


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


# --------------------------------------------------------------------------- argument types
# Each type turns the text of one argument into a value or refuses it: argparse then prints the
# usage and the message and exits with code 2.  The rules are the library's (coverage.checks and
# the functions that own a format), so the app says the same.


def arg_type(rule: Callable[[str], T], name: str) -> Callable[[str], T]:
    """An argparse type from ``rule``, a function raising :class:`InputError` on a bad value."""

    def convert(text: str) -> T:
        try:
            return rule(text)
        except InputError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    convert.__name__ = name
    return convert


non_negative_int = arg_type(checks.Count("", at_least=0), "non_negative_int")
#: A day YYYY-MM-DD; ``as_of_date`` also takes a bare year (its 31 December), as the targets do.
iso_date = arg_type(checks.parse_date, "iso_date")
as_of_date = arg_type(lambda text: checks.parse_date(text, year_means_end=True), "as_of_date")
#: A month YYYY-MM (kept as that text).
year_month = arg_type(lambda text: checks.parse_month(text).strftime("%Y-%m"), "year_month")
#: A time of day HH:MM (kept as that text, zero-padded).
clock_time = arg_type(checks.clock_text, "clock_time")


def rule_type(rule: checks.Number) -> Callable[[str], float]:
    """An argparse type from a quantity rule of :mod:`coverage.checks` (``RADIUS_KM``, ``PER_DAY`` ...)."""
    return arg_type(rule, rule.what.replace(" ", "_"))


def long_speed_type(text: str) -> float:
    """``--long-kmh``: 0 turns the long-distance speed off, else a speed (0.0 is returned for off)."""
    return arg_type(checks.long_speed, "long_speed")(text) or 0.0


def jobs_type(text: str) -> int:
    """``--jobs``: 0 (one worker per core), 1 (no pool) up to the number of cores."""
    cores = os.cpu_count() or 1
    return arg_type(checks.Count("", at_least=0, at_most=cores, example="1"), "jobs")(text)


def path_arg(convert: Callable[[str], T]) -> Callable[[str], T]:
    """An argparse type for a path that the system refuses to look at (too long, a NUL byte) says so."""

    def checked(text: str) -> T:
        try:
            return convert(text)
        except (OSError, ValueError) as exc:
            shown = text if len(text) <= 80 else text[:77] + "..."
            msg = f"{shown!r} cannot be used as a path ({getattr(exc, 'strerror', None) or exc}); check it"
            raise argparse.ArgumentTypeError(msg) from None

    checked.__name__ = convert.__name__
    return checked


def _file_problem(path: Path) -> str | None:
    """Why ``path`` cannot be read as an input file, or None."""
    if not path.exists():
        return f"file not found: {path}; check the path"
    if path.is_dir():
        return f"{path} is a folder, not a file; give the file inside it"
    if path.stat().st_size == 0:
        return f"{path} is empty (0 bytes); give a file with data"
    if not os.access(path, os.R_OK):
        return f"{path} cannot be read (permission denied); check its permissions"
    return None


@path_arg
def existing_file(text: str) -> Path:
    """An input file: it must exist, be a file (not a folder) and not be empty."""
    problem = _file_problem(Path(text))
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return Path(text)


def file_or_names(text: str) -> str:
    """``--stations`` of trip and supervise: a file (checked as :func:`existing_file`) or names."""
    from coverage.field.trips import parse_itinerary

    path = Path(text)
    try:
        is_path = path.exists()
    except (OSError, ValueError):  # too long for a file name (a long list of names), or a NUL byte
        is_path = False
    if is_path:
        problem = _file_problem(path)
        if problem:
            raise argparse.ArgumentTypeError(problem)
    elif not any(parse_itinerary(text)):
        msg = "no station given; give a station file or names separated by commas"
        raise argparse.ArgumentTypeError(msg)
    return text


#: Files read as a layer (boundaries, demand points).
LAYER_SUFFIXES = (".gpkg", ".geojson", ".json", ".shp", ".zip", ".parquet", ".geoparquet")


@path_arg
def layer_file(text: str) -> Path:
    """An input layer: an existing file (as :func:`existing_file`) of one of :data:`LAYER_SUFFIXES`."""
    path = existing_file(text)
    if path.suffix.lower() not in LAYER_SUFFIXES:
        msg = f"{text} is not a layer file; give a GeoPackage, GeoJSON, Shapefile (.shp, or all its files zipped) or GeoParquet ({', '.join(LAYER_SUFFIXES)})"
        raise argparse.ArgumentTypeError(msg)
    return path


def output_path(*suffixes: str) -> Callable[[str], Path]:
    """An output file ending in one of ``suffixes``, not a folder, in a folder that can be made."""

    @path_arg
    def convert(text: str) -> Path:
        path = Path(text)
        if path.is_dir():
            msg = f"{text} is a folder; give a file name, e.g. {path / ('result' + suffixes[0])}"
            raise argparse.ArgumentTypeError(msg)
        if path.suffix.lower() not in suffixes:
            msg = f"{text}: write {', '.join(suffixes[:-1]) + ' or ' if len(suffixes) > 1 else ''}{suffixes[-1]} (the format follows the file name)"
            raise argparse.ArgumentTypeError(msg)
        parent = next((p for p in path.absolute().parents if p.exists()), None)
        if parent is not None and not parent.is_dir():
            msg = f"{text}: {parent} is a file, not a folder; give another place for the output"
            raise argparse.ArgumentTypeError(msg)
        return path

    convert.__name__ = "output_path"
    return convert


@path_arg
def folder_path(text: str) -> Path:
    """An output folder: made if missing, but not an existing file."""
    path = Path(text)
    if path.exists() and not path.is_dir():
        msg = f"{text} is a file, not a folder; give a folder"
        raise argparse.ArgumentTypeError(msg)
    parent = next((p for p in path.absolute().parents if p.exists()), None)
    if parent is not None and not parent.is_dir():
        msg = f"{text}: {parent} is a file, not a folder; give another place"
        raise argparse.ArgumentTypeError(msg)
    return path


def province_type(text: str) -> str:
    """A province: 2-digit code or name, as the register knows it; the 2-digit code is returned."""
    from coverage.data.register import province_code

    return arg_type(province_code, "province")(text)


def station_crs_type(text: str) -> str:
    """Coordinate system of a station file: wgs84, cgcs2000, gcj02 (Amap/Tencent) or bd09 (Baidu)."""
    from coverage.coords import normalise_crs_name

    return arg_type(normalise_crs_name, "crs")(text)


def layer_crs_type(text: str) -> str:
    """Coordinate system of a layer: a station CRS name (wgs84, cgcs2000, gcj02, bd09) or what pyproj reads (EPSG:4490)."""
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    from coverage.coords import normalise_crs_name

    try:
        return normalise_crs_name(text)
    except InputError:
        pass
    try:
        CRS.from_user_input(text.strip())
    except CRSError:
        msg = f"unknown coordinate system {text!r}; give an EPSG code (e.g. EPSG:4490) or one of {', '.join(settings.STATION_CRS_CHOICES)}"
        raise argparse.ArgumentTypeError(msg) from None
    return text.strip()


def targets_type(text: str) -> str:
    """``--targets``: date:percent pairs, checked as the library reads them (the text is kept)."""
    from coverage.analysis.admin import parse_targets

    arg_type(parse_targets, "targets")(text)
    return text


def override_type(text: str) -> tuple[str, str]:
    """``--override CODE=SCHEDULE``: (code, schedule text); whether the code is of the province is checked later."""
    from coverage.analysis.admin import parse_targets

    code, sep, schedule = text.partition("=")
    if not sep or not re.fullmatch(r"\d{4}|\d{6}", code.strip()):
        msg = f"--override {text!r}: use CODE=SCHEDULE with a 4-digit city or 6-digit county code, e.g. 4501=2021-12-31:40"
        raise argparse.ArgumentTypeError(msg)
    arg_type(parse_targets, "targets")(schedule)
    return code.strip(), schedule


def kinds_type(text: str) -> str:
    """``--kinds``: township kinds separated by commas (street, town, township, other)."""
    from coverage.analysis.admin import check_kinds

    return ",".join(arg_type(check_kinds, "kinds")(text))


def sample_type(text: str) -> str:
    """``--sample``: N-per-city or N-per-county."""
    from coverage.field.trips import parse_sample_rule

    arg_type(parse_sample_rule, "sample")(text)
    return text


def need_weights_type(text: str) -> str:
    """``--weights`` of need: name=number pairs separated by commas, each number 0 or more (the text is kept)."""
    weights = {}
    for item in text.split(","):
        if not item.strip():
            continue
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            msg = f"--weights {item!r}: use name=number, e.g. villages=1,distance=2"
            raise argparse.ArgumentTypeError(msg)
        rule = checks.Number(f"weight of {key.strip()}", at_least=0, example="1")
        weights[key.strip()] = arg_type(rule, "weight")(value)
    if not weights:
        msg = "--weights is empty; use name=number, e.g. villages=1,distance=2"
        raise argparse.ArgumentTypeError(msg)
    return text


def url_type(text: str) -> str:
    """``--osrm``: the URL of a server, http:// or https:// and a host."""
    if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", text.strip()):
        msg = f"{text!r} is not a server URL; give http://host:port, e.g. http://localhost:5000"
        raise argparse.ArgumentTypeError(msg)
    return text.strip()


def check_exclusive(args: argparse.Namespace, *names: str) -> None:
    """At most one of the options ``names`` (attribute names) may be given."""
    given = [n for n in names if getattr(args, n, None) not in (None, False)]
    if len(given) > 1:
        flags = " and ".join("--" + n.replace("_", "-") for n in given)
        msg = f"{flags} cannot be used together; give one of them"
        raise InputError(msg)


def check_needs(args: argparse.Namespace, name: str, *needed: str) -> None:
    """Option ``name``, when given, only makes sense with one of the options ``needed``."""
    if getattr(args, name, None) in (None, False):
        return
    if not any(getattr(args, n, None) not in (None, False) for n in needed):
        flag = "--" + name.replace("_", "-")
        others = " or ".join("--" + n.replace("_", "-") for n in needed)
        msg = f"{flag} is only used with {others}; add it or leave {flag} out"
        raise InputError(msg)


def json_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print one JSON document instead of a summary")


def db_url(text: str) -> str:
    """``--db``: an SQLAlchemy URL of SQLite or PostgreSQL."""
    from coverage.registry.store import check_url

    return arg_type(check_url, "db_url")(text.strip())


def db_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--db",
        type=db_url,
        default=None,
        help=f"database URL, sqlite:///FILE or postgresql+psycopg://USER@HOST/DB (default: ${settings.REGISTRY_URL_ENV}, "
        "else the embedded SQLite file)",
    )


# --------------------------------------------------------------------------- who is acting
def user_arg(p: argparse.ArgumentParser) -> None:
    """``--user``: the account a write is made as, when the registry has accounts."""
    p.add_argument(
        "--user",
        default=None,
        help=f"log in as this account (a registry with accounts); the password from ${settings.PASSWORD_ENV}, "
        "else asked in a terminal",
    )


def read_password(env: str, prompt: str, twice: bool = False) -> str:
    """A password from the environment variable ``env``, else typed in a terminal (``twice`` for a new one).

    Never echoed, printed or logged.  Without either (a script, a pipe) :class:`InputError` says what to do.
    """
    if env in os.environ:
        return os.environ[env]
    if not sys.stdin.isatty():
        msg = f"no password: set the environment variable {env}, or run the command in a terminal to type it"
        raise InputError(msg)
    import getpass

    password = getpass.getpass(prompt)
    if twice and getpass.getpass("the same again: ") != password:
        msg = "the two passwords differ; run the command again and type the same password twice"
        raise InputError(msg)
    return password


def acting(args: argparse.Namespace, registry: Registry) -> str | Actor:
    """Who makes a write on the command line: the one rule every registry-writing command follows.

    A registry without accounts (single-user mode) records the name of ``--by`` (default: the
    operating-system user).  A registry with accounts needs ``--user NAME``: the password comes from
    :data:`settings.PASSWORD_ENV` or a terminal prompt, and the logged-in :class:`Actor` is returned
    (a wrong password, a disabled or locked account raise :class:`LoginFailed`, recorded by the library;
    what the actor's role and scope do not allow is refused by the library when it writes).
    """
    from coverage.registry.accounts import has_accounts, login
    from coverage.registry.forms import default_person

    user = getattr(args, "user", None)
    if not has_accounts(registry):
        if user:
            msg = (
                f"--user {user}: this registry has no accounts (single-user mode); leave --user out and give "
                "--by NAME, or create the first admin with `python -m coverage users add NAME --role admin --scope 45`"
            )
            raise InputError(msg)
        return getattr(args, "by", None) or default_person()
    if not user:
        msg = (
            "this registry has accounts: log in with --user NAME "
            f"(the password from ${settings.PASSWORD_ENV}, or typed in a terminal)"
        )
        raise InputError(msg)
    return login(registry, user, read_password(settings.PASSWORD_ENV, f"password of {user}: "))


def acting_label(by: str | Actor) -> str:
    """How a summary names who acted: the name, or ``display name (username)`` of a logged-in actor."""
    return by if isinstance(by, str) else by.label


def known_on_arg(p: argparse.ArgumentParser) -> None:
    """``--known-on``: read the registry as it stood at the end of that day (default: now)."""
    p.add_argument(
        "--known-on",
        type=as_of_date,
        default=None,
        help="the registry as it was known at the end of this day, YYYY-MM-DD (default: now)",
    )


def analysis_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--province", type=province_type, default=settings.DEFAULT_PROVINCE, help="code or name (default 45)"
    )
    p.add_argument(
        "--stations", type=existing_file, default=None, help="station file (default: the registry, see --db)"
    )
    db_arg(p)
    known_on_arg(p)
    p.add_argument(
        "--crs",
        type=station_crs_type,
        default=None,
        help="coordinate system of the station file (wgs84, cgcs2000, gcj02, bd09)",
    )
    p.add_argument(
        "--as-of",
        type=as_of_date,
        default=None,
        help=f"date YYYY-MM-DD from {settings.EARLIEST_DATE} to {settings.LATEST_DATE}, or a year (default today)",
    )
    p.add_argument("--top", type=non_negative_int, default=10, help="rows listed in the summary (0 or more)")


def target_args(p: argparse.ArgumentParser) -> None:
    """``--targets`` and ``--override`` (status and plan)."""
    p.add_argument(
        "--targets",
        type=targets_type,
        default=None,
        help="date:percent list, percent 0-100 and not falling (default 2021-12-31:30,2022-12-31:60,2023-12-31:100)",
    )
    p.add_argument(
        "--override",
        type=override_type,
        action="append",
        help="CODE=SCHEDULE for a city (4 digits) or county (6) of the province, repeatable",
    )


def grid_arg(p: argparse.ArgumentParser) -> None:
    """``--grid-km`` (gaps, site and plan)."""
    p.add_argument(
        "--grid-km",
        type=rule_type(checks.GRID_KM),
        default=settings.DEFAULT_GRID_KM,
        help=f"demand grid cell size, km, {settings.MIN_GRID_KM:g}-{settings.MAX_GRID_KM:g} "
        f"(default {settings.DEFAULT_GRID_KM:g}; at most {settings.MAX_GRID_CELLS:,} cells)",
    )


def time_limit_arg(p: argparse.ArgumentParser, default: float) -> None:
    p.add_argument(
        "--time-limit",
        type=rule_type(checks.TIME_LIMIT_S),
        default=default,
        help=f"seconds for the solver, above 0 and at most {settings.MAX_TIME_LIMIT_S:g} (default {default:g})",
    )


def travel_args(p: argparse.ArgumentParser, time_limit_s: float = settings.TRIP_TIME_LIMIT_S) -> None:
    speeds = f"{settings.MIN_SPEED_KMH:g}-{settings.MAX_SPEED_KMH:g}"
    p.add_argument(
        "--speed-kmh",
        type=rule_type(checks.SPEED_KMH),
        default=settings.AVERAGE_SPEED_KMH,
        help=f"average speed on county and township roads, km/h, {speeds} (default {settings.AVERAGE_SPEED_KMH:g})",
    )
    p.add_argument(
        "--long-kmh",
        type=long_speed_type,
        default=settings.LONG_SPEED_KMH,
        help=f"speed beyond the first --local-km road km of a leg, km/h, {speeds}; 0 = one speed (default {settings.LONG_SPEED_KMH:g})",
    )
    p.add_argument(
        "--local-km",
        type=rule_type(checks.LOCAL_KM),
        default=settings.LOCAL_ROAD_KM,
        help=f"road km of each leg driven at --speed-kmh, 0 or more (default {settings.LOCAL_ROAD_KM:g})",
    )
    p.add_argument(
        "--circuity",
        type=rule_type(checks.CIRCUITY),
        default=settings.CIRCUITY_FACTOR,
        help=f"road km per straight km, 1-{settings.MAX_CIRCUITY:g} (default {settings.CIRCUITY_FACTOR:g})",
    )
    p.add_argument(
        "--matrix",
        type=existing_file,
        default=None,
        help="CSV/XLSX of travel minutes: first column and header row = township codes or names",
    )
    p.add_argument(
        "--matrix-km", type=existing_file, default=None, help="CSV/XLSX of road km, same layout (with --matrix)"
    )
    p.add_argument(
        "--osrm", type=url_type, default=None, help="URL of an OSRM-compatible server (its /table service is asked)"
    )
    travel_choice_arg(p)
    time_limit_arg(p, time_limit_s)


def check_travel_args(args: argparse.Namespace) -> None:
    """Travel options that contradict each other."""
    check_exclusive(args, "osrm", "matrix")
    check_needs(args, "matrix_km", "matrix")
    if getattr(args, "travel", None) and (args.osrm or args.matrix):
        msg = "--travel chooses between the built roads and straight lines; leave it out with --osrm or --matrix"
        raise InputError(msg)


def travel_choice_arg(p: argparse.ArgumentParser) -> None:
    """``--travel road|line``."""
    p.add_argument(
        "--travel",
        choices=["road", "line"],
        default=None,
        help="road: the network built with `roads build`; line: straight line x circuity "
        "(default: road when built for the province, else line)",
    )


def road_travel_of(args: argparse.Namespace, code: str) -> Any:
    """The road model (:class:`~coverage.analysis.roads.RoadTravel`) when ``--travel road``, or by
    default when roads are built for province ``code``; None for the straight line."""
    from coverage.analysis.roads import road_travel, roads_built

    choice = getattr(args, "travel", None)
    if choice == "line" or (choice is None and not roads_built(code)):
        return None
    return road_travel(code)


def check_travel_radius(args: argparse.Namespace) -> None:
    """A radius in km is a straight line: ``--travel road`` goes with ``--radius-min`` (gaps, site, plan)."""
    if getattr(args, "travel", None) == "road" and args.radius_min is None:
        msg = "a radius in km is a straight line; with --travel road give --radius-min (road minutes)"
        raise InputError(msg)


def radius_minutes_arg(p: argparse.ArgumentParser, what: str) -> None:
    """``--radius-min`` with ``--travel`` (site, plan): a service radius in travel minutes."""
    p.add_argument(
        "--radius-min",
        type=rule_type(checks.RADIUS_MIN),
        default=None,
        help=f"service radius in travel minutes, above 0 and at most {settings.MAX_RADIUS_MIN:g} ({what}): by road "
        f"when roads are built (walk to and from the road included), else straight line x {settings.CIRCUITY_FACTOR} "
        f"at {settings.AVERAGE_SPEED_KMH:g} km/h; instead of --radius-km",
    )
    travel_choice_arg(p)


def travel_radius(args: argparse.Namespace, code: str, default_km: float) -> dict[str, Any]:
    """The radius of ``--radius-km`` / ``--radius-min`` and the model that measures it (site, plan).

    A km radius is a straight line; a radius in minutes is by road when ``--travel road``, or by
    default when roads are built for province ``code`` (:func:`road_travel_of`), else straight
    line at the settings' speed.  Returns ``road`` (the road model or None), ``radius_m``
    (straight-line metres; by road the line equivalent of the minutes), ``radius_min`` and
    ``travel`` (the model's name for outputs).
    """
    from coverage.analysis.travel import service_reach

    road = road_travel_of(args, code) if args.radius_min is not None else None
    return service_reach(args.radius_km if args.radius_km is not None else default_km, args.radius_min, road)


def print_off_counts(entries: list[dict] | None) -> None:
    """The text lines of places off the road network counted per kind (gaps, site, plan)."""
    for off in entries or []:
        print(
            f"  off the road network (walking counted): {off['count']:,} {off['kind']}, farthest {off['farthest_m'] / 1000:.1f} km"
        )


def add_travel(document: dict, travel: Travel) -> None:
    """Name the travel model in an output; with roads, list the places off the network."""
    document["travel"] = travel.describe()
    off = getattr(travel, "off_network", None)
    if callable(off):
        document["off_network"] = off()


def print_travel(document: dict) -> None:
    """The text lines of :func:`add_travel`."""
    print(f"  travel: {document['travel']}")
    off = document.get("off_network") or []
    if off:
        far = ", ".join(f"{r['name']} {r['snap_m'] / 1000:.1f} km" for r in off[:5])
        print(f"  {len(off)} places off the road network (walking counted): {far}" + (" ..." if len(off) > 5 else ""))


def province_and_stations(args: argparse.Namespace) -> tuple[Any, Any, StationList | None]:
    """The province, its stations and what that list is (:mod:`coverage.data.lists`).

    ``--stations`` (a file, or names separated by commas) is imported; without it the stations come
    from the registry (``--db``, default ``$COVERAGE_DB`` or the embedded SQLite file), as known at the
    end of ``--known-on`` (default: now).
    """
    from coverage.data.provinces import load_province
    from coverage.data.register import province_code

    code = province_code(args.province)
    prov = load_province(code)
    if not getattr(args, "stations", None):
        stations, described = registry_stations_of(args, prov)
        return prov, stations, described
    check_exclusive(args, "stations", "db")
    check_exclusive(args, "stations", "known_on")
    imported = import_stations(args, code)
    return prov, imported.stations, station_list_of(str(args.stations), code, imported.stations)


def import_stations(args: argparse.Namespace, code: str) -> Any:
    """``--stations`` imported for province ``code``; rows left out are counted on standard error."""
    from coverage.data.stations import is_station_file, read_station_list

    given = str(args.stations)
    imported = read_station_list(given, province=code, crs=getattr(args, "crs", None))
    s = imported.summary
    unused = s["total"] - s["matched"] - s["repaired"]
    if unused:
        what = Path(given).name if is_station_file(given) else "the names given"
        print(
            f"note: {unused} of {s['total']} rows of {what} could not be placed and are left out "
            f"(see `python -m coverage stations check {shlex.quote(given)}`)",
            file=sys.stderr,
        )
    return imported


def registry_stations_of(args: argparse.Namespace, province: Any) -> tuple[Any, StationList]:
    """The registry's stations of ``province`` (``--db``, ``--known-on``) and what the registry's list is.

    Only read: the embedded SQLite file is read without SQLAlchemy (:func:`~coverage.registry.reader.open_reader`).
    """
    from coverage.registry.analysis import registry_list, registry_stations
    from coverage.registry.reader import open_reader

    registry = open_reader(getattr(args, "db", None))
    known_on = getattr(args, "known_on", None)
    stations = registry_stations(registry, province, known_on)
    return stations, registry_list(registry, str(province.code), known_on)


def station_list_of(given: str, code: str, stations: Any) -> StationList:
    """What the stations of ``--stations`` are: the user's own file, or names the user typed."""
    from coverage.data.lists import uploaded_list
    from coverage.data.stations import is_station_file

    return uploaded_list(Path(given).name if is_station_file(given) else "names given", stations)


def add_notes(document: dict, province: Any, described: StationList | None, *uses: str) -> list[str]:
    """Put the ``data_note`` in a command's JSON document; return the notes for its text output."""
    from coverage.present.notes import data_note_json

    document["data_note"] = data_note_json(province, described, uses)
    return list(document["data_note"]["notes"])


def print_notes(lines: list[str]) -> None:
    """The notes at the end of a command's text output."""
    for line in lines:
        print(f"note: {line}")


def schedule_from_args(args: argparse.Namespace):
    from coverage.analysis.admin import DEFAULT_SCHEDULE, TargetSchedule, parse_targets

    default = parse_targets(args.targets) if args.targets else DEFAULT_SCHEDULE
    overrides = {}
    for code, text in args.override or []:
        overrides[code] = parse_targets(text)
    return TargetSchedule(default, overrides)


def check_overrides(args: argparse.Namespace) -> None:
    """Each ``--override`` names a city or county of ``--province``, once."""
    if not args.override:  # nothing to check: the register is not read
        return
    from coverage.data.register import load_register

    reg = load_register()
    province = reg.province_code(args.province)
    known = set(reg.cities["code"]) | set(reg.counties["code"])
    seen: set[str] = set()
    for code, _ in args.override or []:
        if code in seen:
            msg = f"--override {code} is given twice; give each city or county once"
            raise InputError(msg)
        seen.add(code)
        if not code.startswith(province) or code not in known:
            level = "city" if len(code) == 4 else "county"
            msg = (
                f"--override {code}: no {level} {code} in {str(reg.provinces.loc[province, 'name'])} ({province}); "
                f"give a code starting with {province} from the register"
            )
            raise InputError(msg)


def travel_from_args(args: argparse.Namespace, code: str | None = None) -> Travel:
    """The travel model of ``trip`` and ``supervise``: --osrm, --matrix, the roads of province
    ``code`` (:func:`road_travel_of`), else the straight line."""
    from coverage.analysis.travel import MatrixTravel, OsrmTravel, StraightLine
    from coverage.data.tables import read_matrix

    if args.osrm:
        return OsrmTravel(args.osrm)
    if args.matrix:
        km = read_matrix(args.matrix_km) if args.matrix_km else None
        return MatrixTravel(read_matrix(args.matrix), km, speed_kmh=args.speed_kmh)
    road = road_travel_of(args, code) if code is not None else None
    if road is not None:
        return road
    return StraightLine(
        circuity=args.circuity, speed_kmh=args.speed_kmh, long_kmh=args.long_kmh or None, local_km=args.local_km
    )


def station_table_from_args(args: argparse.Namespace, code: str) -> tuple[Any, StationList]:
    """The stations to visit and what their list is: ``--stations`` (a file, or names separated by
    commas), else the registry's stations open today (``--db``, ``--known-on``).

    Names given inline must all be recognised (a trip to a typo is no trip):
    the ones that are not are listed in the :class:`InputError`.
    """
    from coverage.data.schema import open_on
    from coverage.data.stations import is_station_file
    from coverage.field.trips import station_table

    if not getattr(args, "stations", None):
        from coverage.data.provinces import load_province

        stations, described = registry_stations_of(args, load_province(code))
        stations = stations[open_on(stations)].drop_duplicates("station_id", keep="last")
        if stations.empty:
            msg = "the registry has no station open today in this province; pass --stations FILE or names"
            raise InputError(msg)
        return station_table(stations), described
    check_exclusive(args, "stations", "db")
    check_exclusive(args, "stations", "known_on")
    given = str(args.stations)
    imported = import_stations(args, code) if is_station_file(given) else None
    if imported is None:
        from coverage.data.stations import read_station_list

        imported = read_station_list(given, province=code)
        bad = imported.report[~imported.report["status"].isin(["matched", "repaired"])]
        if len(bad):
            reasons = "; ".join(bad["message"].where(bad["message"] != "", bad["status"]))
            msg = f"{len(bad)} station names not recognised - {reasons} (give the county too, or the 9-digit code)"
            raise InputError(msg)
    if imported.stations.empty:
        msg = f"no station of {Path(given).name} could be placed; check it with `python -m coverage stations check {given}`"
        raise InputError(msg)
    return station_table(imported.stations), station_list_of(given, code, imported.stations)


def read_itinerary(path: str) -> list[list[str]]:
    from coverage.data.io import decode_text
    from coverage.field.trips import parse_itinerary

    try:
        text, _ = decode_text(Path(path).read_bytes())
    except InputError as exc:
        msg = f"{path}: {exc}"
        raise InputError(msg) from exc
    days = parse_itinerary(text)
    if not any(days):
        msg = f"{path} names no station; write one line per day, station names separated by commas"
        raise InputError(msg)
    return days
