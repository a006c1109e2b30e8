"""Field trips of evaluation teams: which stations, in what order, where to sleep.

A :class:`TripRequest` names the stations, the start and end (default: the provincial
capital), the working days, the visit cap and duration, the working window and where the
team may sleep: back at base every night, or in any overnight town (by default the county
seats of the stations' counties), optionally after an evening transfer.  :func:`plan_trip`
builds the travel matrix (straight line x circuity / speed, a user matrix, or an OSRM
``/table`` service), solves it (:mod:`coverage.trip_solver`) and returns a :class:`TripPlan`:
day by day, leg by leg, with the objective, the best bound and the gap.  When not every
station fits, the plan says so precisely and prices the ways out (drop a visit, allow an
evening transfer, add days, lengthen the days).  :func:`evaluate_itinerary` measures a
given itinerary with the same model, so a plan's saving can be shown side by side.

Times are minutes from midnight inside; the plan carries datetimes.

Examples
--------
>>> stations = pd.DataFrame({"code": ["a", "b"], "name": ["A", "B"], "lon": [113.1, 113.2], "lat": [23.0, 23.0]})
>>> base = Place("base", "base", 113.0, 23.0)
>>> req = TripRequest(stations, start=base, end=base, dates=working_days("2024-11-04", 1), overnight="base")
>>> plan = plan_trip(req)
>>> [d["visits"] for d in plan.to_json()["days"]], round(plan.travel_min, 1)
([['a', 'b']], 80.0)
"""

from __future__ import annotations

import datetime as dt
import math
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from coverage import checks, settings
from coverage._errors import InputError
from coverage.analysis.travel import Place, StraightLine, Travel, places_of
from coverage.codes import units_of
from coverage.field.trip_solver import (
    Progress,
    TripProblem,
    TripSolution,
    best_nights,
    day_times,
    plan_solution,
    solve,
)


# --------------------------------------------------------------------------- places
def _minutes_of(text: str | int | float) -> int:
    """Minutes from midnight of ``"08:30"`` (or a number of minutes); see :func:`coverage.checks.clock_minutes`."""
    return checks.clock_minutes(text)


def resolve_place(text: str, province: str = settings.DEFAULT_PROVINCE) -> Place:
    """A start/end/overnight place from text: ``lon,lat``, a city or county (its seat), or a township.

    >>> resolve_place("广州市", "44").kind, resolve_place("德庆县", "44").code
    ('city seat', '441226')
    """
    from coverage.data.names import matcher_for
    from coverage.data.register import load_register

    raw = str(text).strip()
    m = re.fullmatch(r"\s*(-?\d+(?:\.\d+)?)\s*[,，\s]\s*(-?\d+(?:\.\d+)?)\s*", raw)
    if m:
        lon, lat = float(m.group(1)), float(m.group(2))
        if lat > lon:
            lon, lat = lat, lon
        lon_min, lat_min, lon_max, lat_max = settings.CHINA_BBOX
        if not (lon_min <= lon <= lon_max and lat_min <= lat <= lat_max):
            msg = f"start/end {raw!r} lies outside China; give lon,lat in degrees (WGS 84), e.g. 108.32,22.81"
            raise InputError(msg)
        return Place(f"{lon:.4f},{lat:.4f}", f"{lon:.4f},{lat:.4f}", lon, lat, "coordinates")
    reg = load_register()
    code = reg.province_code(province)
    seats = reg.seats
    for table, kind in ((reg.cities, "city seat"), (reg.counties, "county seat")):
        rows = table[table["code"].str.startswith(code)]
        hit = rows[(rows["code"] == raw) | (rows["name"] == raw)]
        if hit.empty and len(raw) >= 2:
            hit = rows[rows["name"].str.startswith(raw)]
        if len(hit) == 1 and hit["code"].iloc[0] in seats.index:
            return _seat_place(seats, str(hit["code"].iloc[0]), str(hit["name"].iloc[0]), kind)
    match = matcher_for(code).match(raw)
    if match.code:
        return township_places([match.code], code)[0]
    province_name = str(reg.provinces.loc[code, "name"])
    msg = f"start/end {raw!r} is neither coordinates (lon,lat) nor a city, county or township of {province_name}: {match.message}"
    raise InputError(msg)


def township_places(codes: list[str], province: str) -> list[Place]:
    """Places of townships: the representative point of each (approximate) township cell."""
    from coverage.data.names import matcher_for
    from coverage.data.provinces import load_province

    towns = load_province(province).townships.set_index("code")
    missing = [c for c in codes if c not in towns.index]
    if missing:
        msg = f"townships {', '.join(missing)} are not in the province's layer; check the codes"
        raise InputError(msg)
    label = matcher_for(province).label
    return [
        Place(label(c).split(" (")[0], c, float(towns.loc[c, "lon"]), float(towns.loc[c, "lat"]), "township")
        for c in codes
    ]


def capital(province: str) -> Place:
    """The provincial capital (its city seat): 南宁市 for Guangxi, 广州市 for Guangdong."""
    from coverage.data.register import load_register

    code = load_register().province_code(province)
    return resolve_place(settings.PROVINCIAL_CAPITALS.get(code, f"{code}01"), code)


def county_seats(county_codes: Iterable[str] | None, province: str | None = None) -> list[Place]:
    """County seats of the given counties (or of every county of ``province`` when None)."""
    from coverage.data.register import load_register

    reg = load_register()
    if county_codes is None:
        if province is None:
            msg = "no counties given for the county seats; give county codes or a province"
            raise InputError(msg)
        pc = reg.province_code(province)
        county_codes = [c for c in reg.counties["code"] if c.startswith(pc)]
    out: list[Place] = []
    for c in dict.fromkeys(county_codes):
        if c in reg.seats.index:
            name = reg.counties["name"].get(c, c)
            out.append(_seat_place(reg.seats, c, f"{name}", "county seat"))
    return out


def _seat_place(seats: pd.DataFrame, code: str, name: str, kind: str) -> Place:
    """The seat of city or county ``code`` (a row of the register's ``seats``) as a place."""
    lon, lat = seats.loc[code, ["lon", "lat"]].to_numpy(dtype=float)
    return Place(name, code, float(lon), float(lat), kind)


# --------------------------------------------------------------------------- stations
def station_table(stations: pd.DataFrame) -> pd.DataFrame:
    """Stations as the planner uses them: ``code``, ``name``, ``lon``, ``lat`` (+ ``county_code``, ``city_code``, ``priority``).

    Accepts the importer's frame (``township_code``, ``county_name``, ``township_name`` ...).
    """
    s = pd.DataFrame(stations).copy()
    if "code" not in s.columns and "township_code" in s.columns:
        s["code"] = s["township_code"]
        if {"county_name", "township_name"} <= set(s.columns):
            s["name"] = s["county_name"].fillna("") + s["township_name"].fillna("")
    missing = {"code", "lon", "lat"} - set(s.columns)
    if missing:
        msg = f"stations need columns code, lon, lat; missing {sorted(missing)}"
        raise InputError(msg)
    if "name" not in s.columns:
        s["name"] = s["code"]
    if "county_code" not in s.columns:
        s["county_code"] = units_of(s["code"], "county")
    if "city_code" not in s.columns:
        s["city_code"] = units_of(s["code"], "city")
    if "priority" not in s.columns:
        s["priority"] = 1.0
    s["code"] = s["code"].astype(str)
    s = s[s["lon"].notna() & s["lat"].notna()]
    dup = s["code"].duplicated()
    if dup.any():
        s = s[~dup]  # two stations in one township are one visit
    return s.reset_index(drop=True)


def stations_by_name(names: list[str], province: str) -> pd.DataFrame:
    """Stations from typed names ("德庆县九市镇", codes ...), resolved with the township matcher.

    Raises InputError listing every name that does not resolve, with the matcher's reason.
    """
    from coverage.data.names import matcher_for
    from coverage.data.register import load_register

    matcher = matcher_for(load_register().province_code(province))
    codes, bad = [], []
    for text in names:
        r = matcher.match(text)
        if r.code and r.status in ("matched", "repaired"):
            codes.append(r.code)
        else:
            bad.append(r.message or f"'{text}': {r.status}")  # the matcher's message names the text
    if bad:
        msg = (
            f"{len(bad)} station names not recognised - "
            + "; ".join(bad)
            + " (give the county too, or the 9-digit code)"
        )
        raise InputError(msg)
    places = township_places(codes, province)
    return station_table(
        pd.DataFrame(
            {
                "code": codes,
                "name": [p.name for p in places],
                "lon": [p.lon for p in places],
                "lat": [p.lat for p in places],
            }
        )
    )


def parse_sample_rule(rule: str) -> tuple[int, str]:
    """``"2-per-city"`` -> ``(2, "city")``; also ``"1-per-county"``, ``"2 per city"``, ``"2_per_city"``.

    >>> parse_sample_rule("2 per County")
    (2, 'county')
    """
    m = re.fullmatch(r"\s*(\d+)\s*[-_ ]?\s*per\s*[-_ ]?\s*(city|county)\s*", str(rule).lower())
    if not m:
        msg = f"sample rule {rule!r} unreadable; write N-per-city or N-per-county, e.g. 2-per-city"
        raise InputError(msg)
    k, level = int(m.group(1)), m.group(2)
    if k < 1:
        msg = f"sample rule {rule!r} picks no station; N must be 1 or more, e.g. 2-per-{level}"
        raise InputError(msg)
    return k, level


def sample_stations(
    stations: pd.DataFrame, rule: str | tuple[int, str], seed: int = 0, strata: str | None = None
) -> pd.DataFrame:
    """A repeatable sample: ``(2, "city")`` or ``"2-per-city"``, ``(1, "county")`` or ``"1-per-county"``.

    With ``strata`` (a column such as a status or a need-score band) each group's picks are
    spread over its strata in turn, so a sample of two covers two strata when it can.

    >>> s = pd.DataFrame({"code": list("abcd"), "city_code": ["01", "01", "01", "02"], "lon": 1.0, "lat": 1.0})
    >>> sorted(sample_stations(s, (1, "city"), seed=1)["city_code"])
    ['01', '02']
    """
    k, level = parse_sample_rule(rule) if isinstance(rule, str) else sample_rule(*rule)
    s = station_table(stations)
    key = "city_code" if level == "city" else "county_code"
    if strata is not None and strata not in s.columns:
        msg = f"no column {strata!r} to stratify by; columns: {', '.join(map(str, s.columns))}"
        raise InputError(msg)
    rng = np.random.default_rng(checks.SEED(seed))
    picks = []
    for _, group in s.sort_values("code").groupby(key, sort=True):
        g = group.iloc[rng.permutation(len(group))]
        if strata is not None:
            g = (
                g.assign(_turn=g.groupby(strata, sort=False).cumcount())
                .sort_values("_turn", kind="stable")
                .drop(columns="_turn")
            )
        picks.append(g.head(k))
    return pd.concat(picks).reset_index(drop=True) if picks else s.head(0)


def sample_rule(per: int, level: str) -> tuple[int, str]:
    """A sampling rule from its parts: how many (1 or more) per ``"city"`` or ``"county"``."""
    if level not in ("city", "county"):
        msg = f"sample per {level!r}: use city or county"
        raise InputError(msg)
    return int(checks.SAMPLE_PER(per)), level


def working_days(
    first: str | dt.date,
    days: int | None = None,
    last: str | dt.date | None = None,
    weekends: bool = False,
    holidays: Iterable[str | dt.date] = (),
) -> list[dt.date]:
    """``days`` working days from ``first`` (or every one up to ``last``): weekends (unless asked) and
    ``holidays`` skipped.

    >>> [d.isoformat() for d in working_days("2024-11-08", 2)]
    ['2024-11-08', '2024-11-11']
    >>> [d.isoformat() for d in working_days("2024-09-30", 2, holidays=["2024-10-01", "2024-10-02"])]
    ['2024-09-30', '2024-10-03']
    """
    day = checks.parse_date(first, "first day")
    end = None if last is None else checks.parse_date(last, "last day")
    off = {checks.parse_date(h, "holiday") for h in holidays}
    if days is None and end is None:
        msg = "give a number of days or a last date"
        raise InputError(msg)
    if days is not None:
        days = checks.Count("working days", at_least=1, example="5")(days)
    if end is not None and end < day:
        msg = f"the last day {end.isoformat()} is before the first day {day.isoformat()}; give a last day on or after the first"
        raise InputError(msg)
    out: list[dt.date] = []
    limit = day + dt.timedelta(days=7 * settings.TRIP_MAX_DAYS + len(off))
    while (days is None or len(out) < days) and (end is None or day <= end) and day <= limit:
        if (weekends or day.weekday() < 5) and day not in off:
            out.append(day)
        day += dt.timedelta(days=1)
    if not out:
        msg = f"no working day between {first} and {last}; widen the range or allow weekends"
        raise InputError(msg)
    return out


def next_monday(today: dt.date | None = None) -> dt.date:
    """The default first day of a trip: next Monday."""
    today = today or dt.date.today()
    return today + dt.timedelta(days=7 - today.weekday())


# --------------------------------------------------------------------------- request and travel
def day_minutes(day_start: str, day_end: str, lunch_min: float, visit_min: float | None = None) -> float:
    """Minutes of driving and visits a working day allows: the window minus lunch.

    The day must end after it starts and leave time after lunch, and a visit of ``visit_min``
    must fit in it; :class:`InputError` says which rule fails.

    >>> day_minutes("08:30", "18:00", 60)
    510.0
    """
    start, end = _minutes_of(day_start), _minutes_of(day_end)
    if end <= start:
        msg = f"the working day ends at {day_end}, not after it starts at {day_start}; give an end later than the start"
        raise InputError(msg)
    lunch_min = checks.LUNCH_MIN(lunch_min)
    window = end - start
    if window - lunch_min <= 0:
        msg = f"the working window {day_start}-{day_end} leaves no time after a {lunch_min:g}-minute lunch"
        raise InputError(msg)
    day_min = float(window - lunch_min)
    if visit_min is not None and checks.VISIT_HOURS(float(visit_min) / 60.0) * 60.0 > day_min:
        msg = (
            f"a visit of {_fmt_hours(visit_min)} does not fit in a working day of {_fmt_hours(day_min)} "
            f"({day_start}-{day_end} less a {lunch_min:g}-minute lunch); shorten the visits or lengthen the day"
        )
        raise InputError(msg)
    return day_min


@dataclass
class TripRequest:
    """What a trip must do.  Minutes are minutes of the clock or durations, as named.

    ``overnight`` is ``"towns"`` (sleep in any of ``towns``; default: the county seats of the
    stations' counties, plus start and end) or ``"base"`` (back at the start every night).
    ``evening_min`` lets the last drive of a day end that long after ``day_end``.
    ``tours`` are the lengths (working days) of the tours: the team sleeps at the start (home)
    between two tours; by default a tour ends before every day off (weekends and holidays at
    home), so ten working days from a Monday are two tours of five.  ``weekends`` and
    ``holidays`` say how the calendar goes on when more days are asked (:func:`fewest_days`).
    """

    stations: pd.DataFrame
    start: Place
    end: Place
    dates: list[dt.date]
    per_day: int = settings.TRIP_PER_DAY
    visit_min: float = settings.TRIP_VISIT_HOURS * 60
    day_start: str = settings.TRIP_DAY_START
    day_end: str = settings.TRIP_DAY_END
    lunch_start: str = settings.TRIP_LUNCH_START
    lunch_min: float = settings.TRIP_LUNCH_MIN
    overnight: str = "towns"
    towns: list[Place] | None = None
    evening_min: float = 0.0
    tours: tuple[int, ...] | None = None
    weekends: bool = False
    holidays: tuple[dt.date, ...] = ()

    def __post_init__(self) -> None:
        self.stations = station_table(self.stations)
        if self.overnight == "base":
            self.tours = (1,) * len(self.dates)
        elif self.tours is None:
            self.tours = tours_of(self.dates)
        else:
            self.tours = check_tours(self.tours, len(self.dates))
        if self.overnight not in ("towns", "base"):
            msg = f"overnight {self.overnight!r}: use 'towns' or 'base'"
            raise InputError(msg)
        if not self.dates:
            msg = "the trip has no working day; give days or a date range"
            raise InputError(msg)
        checks.TRIP_DAYS(len(self.dates))
        self.per_day = checks.PER_DAY(self.per_day)
        checks.EVENING_MIN(self.evening_min)
        _minutes_of(self.lunch_start)
        day_minutes(self.day_start, self.day_end, self.lunch_min, self.visit_min)

    @property
    def day_min(self) -> float:
        """Minutes of driving and visits a day allows: the window minus lunch."""
        return day_minutes(self.day_start, self.day_end, self.lunch_min)

    def overnight_places(self) -> list[Place]:
        if self.overnight == "base":
            return [self.start]
        if self.towns is not None:
            return list(self.towns)
        return county_seats(self.stations["county_code"].tolist())


# --------------------------------------------------------------------------- plan
@dataclass
class TripPlan:
    """A trip day by day.

    Attributes
    ----------
    legs : one row per drive: ``day``, ``date``, ``from_name``, ``from_code``, ``from_lon``,
        ``from_lat``, ``to_name``, ``to_code``, ``to_lon``, ``to_lat``, ``depart``, ``arrive``
        (datetimes), ``minutes``, ``km``, ``to_kind`` (station / overnight), ``visit_end``.
    days : one row per day: ``day``, ``date``, ``tour``, ``visits`` (codes), ``names``, ``overnight``,
        ``overnight_code``, ``travel_min``, ``travel_km``, ``start``, ``finish``, ``over_min``
        (minutes beyond the day's hours).
    travel_min, travel_km : totals.  bound_min, gap : the best lower bound and (objective - bound) / objective
    (NaN when no plan keeping as many stations is proven best).
    unvisited : stations left out.  message : the fit in one sentence.  options : ways to fit them all.
    cut : ``""``, or why the search stopped early (``work limit``, ``time limit``, ``stopped``).
    """

    request: TripRequest
    legs: pd.DataFrame
    days: pd.DataFrame
    travel_min: float
    travel_km: float
    bound_min: float
    gap: float
    solver: str
    status: str
    seconds: float
    unvisited: pd.DataFrame
    message: str = ""
    options: list[dict] = field(default_factory=list)
    coverage_proven: bool = True
    cut: str = ""

    def to_json(self) -> dict:
        """The document ``python -m coverage trip --json`` prints: the same request, the same bytes
        (no timings in it)."""
        tours = []
        first = 0
        for k, length in enumerate(self.request.tours or (len(self.request.dates),)):
            dates = self.request.dates[first : first + length]
            tours.append({"tour": k + 1, "days": length, "first": dates[0].isoformat(), "last": dates[-1].isoformat()})
            first += length
        return {
            "days": [
                {
                    "date": r["date"].isoformat(),
                    "tour": int(r["tour"]),
                    "visits": list(r["visits"]),
                    "names": list(r["names"]),
                    "overnight": r["overnight"],
                    "travel_min": round(float(r["travel_min"]), 1),
                    "travel_km": round(float(r["travel_km"]), 1),
                    "start": r["start"],
                    "finish": r["finish"],
                    "over_min": round(float(r["over_min"]), 1),
                }
                for r in self.days.to_dict("records")
            ],
            "tours": tours,
            "total_travel_min": round(self.travel_min, 1),
            "total_travel_km": round(self.travel_km, 1),
            "bound_min": None if np.isnan(self.bound_min) else round(self.bound_min, 1),
            "gap": None if np.isnan(self.gap) else round(self.gap, 6),
            "unvisited": self.unvisited["code"].tolist(),
            "solver": self.solver,
            "status": self.status,
            "cut": self.cut,
            "message": self.message,
            "options": self.options,
        }


def _problem(request: TripRequest, travel: Travel) -> tuple[TripProblem, list[Place], NDArray[np.float64]]:
    """The request in arrays: stations first, then the start, the end (when another place) and the
    overnight towns (each place once)."""
    s = request.stations
    stations = places_of(s, "station")
    ends = list(dict.fromkeys([request.start, request.end]))
    towns = [t for t in dict.fromkeys(request.overnight_places()) if t not in ends]
    places = stations + ends + towns
    minutes, km = travel.matrices(places)
    n = len(stations)
    start, end = n, n + len(ends) - 1
    town_idx = (start,) if request.overnight == "base" else (*range(n + len(ends), len(places)), start, end)
    problem = TripProblem(
        minutes,
        n_stations=n,
        towns=town_idx,
        start=start,
        end=end,
        days=len(request.dates),
        per_day=request.per_day,
        visit_min=request.visit_min,
        day_min=request.day_min,
        evening_min=request.evening_min,
        weights=s["priority"].astype(float).to_numpy(),
        tours=request.tours,
    )
    return problem, places, km


def _fmt_hours(minutes: float) -> str:
    h, m = divmod(int(round(minutes)), 60)
    return f"{h} h" if m == 0 else (f"{m} min" if h == 0 else f"{h} h {m:02d} min")


def _build_plan(
    request: TripRequest, problem: TripProblem, places: list[Place], km: NDArray[np.float64], sol: TripSolution
) -> TripPlan:
    m = problem.minutes
    day0 = _minutes_of(request.day_start)
    lunch_at = _minutes_of(request.lunch_start)
    leg_rows: list[dict[str, Any]] = []
    day_rows: list[dict[str, Any]] = []
    tour_of = [k + 1 for k, length in enumerate(problem.tours) for _ in range(length)]
    for t, route in enumerate(sol.routes):
        date = request.dates[t]
        midnight = dt.datetime.combine(date, dt.time())
        a, b = sol.nights[t], sol.nights[t + 1]
        stops = [a, *route, b]
        clock, lunched = float(day0), False
        travel_min = travel_km = 0.0
        for i in range(len(stops) - 1):
            u, v = stops[i], stops[i + 1]
            depart, arrive = clock, clock + m[u, v]
            last_leg = i == len(stops) - 2
            leg_rows.append(
                {
                    "day": t + 1,
                    "date": date,
                    "from_name": places[u].name,
                    "from_code": places[u].code,
                    "from_lon": places[u].lon,
                    "from_lat": places[u].lat,
                    "to_name": places[v].name,
                    "to_code": places[v].code,
                    "to_lon": places[v].lon,
                    "to_lat": places[v].lat,
                    "depart": midnight + dt.timedelta(minutes=depart),
                    "arrive": midnight + dt.timedelta(minutes=arrive),
                    "minutes": round(float(m[u, v]), 2),
                    "km": round(float(km[u, v]), 2),
                    "to_kind": "overnight" if last_leg else "station",
                    "visit_end": None if last_leg else midnight + dt.timedelta(minutes=arrive + problem.visit_min[v]),
                }
            )
            travel_min += m[u, v]
            travel_km += km[u, v]
            clock = arrive
            if not last_leg:
                clock += problem.visit_min[v]
                # lunch at the last stop before noon passes: not at 4 p.m. after driving through it
                driving_through = clock + m[v, stops[i + 2]] > lunch_at
                if not lunched and (clock >= lunch_at or driving_through or i == len(stops) - 3):
                    clock += request.lunch_min
                    lunched = True
        if not lunched and route:
            clock += request.lunch_min
        _, work, total = day_times(problem, a, route, b)
        over = max(0.0, work - problem.day_min, total - problem.day_min - problem.evening_min)
        day_rows.append(
            {
                "day": t + 1,
                "date": date,
                "tour": tour_of[t],
                "visits": [places[i].code for i in route],
                "names": [places[i].name for i in route],
                "overnight": places[b].name,
                "overnight_code": places[b].code,
                "travel_min": travel_min,
                "travel_km": travel_km,
                "start": request.day_start,
                "finish": f"{int(clock) // 60:02d}:{int(clock) % 60:02d}",
                "over_min": over,
            }
        )
    legs = pd.DataFrame(
        leg_rows,
        columns=[
            "day",
            "date",
            "from_name",
            "from_code",
            "from_lon",
            "from_lat",
            "to_name",
            "to_code",
            "to_lon",
            "to_lat",
            "depart",
            "arrive",
            "minutes",
            "km",
            "to_kind",
            "visit_end",
        ],
    )
    days = pd.DataFrame(day_rows)
    unvisited = request.stations.iloc[sol.unvisited].reset_index(drop=True)
    return TripPlan(
        request=request,
        legs=legs,
        days=days,
        travel_min=float(sol.travel_min),
        travel_km=float(days["travel_km"].sum()),
        bound_min=float(sol.bound_min),
        gap=float(sol.gap),
        solver=sol.solver,
        status=sol.status,
        seconds=sol.seconds,
        unvisited=unvisited,
        coverage_proven=sol.coverage_proven,
        cut=sol.cut,
    )


class _Steps:
    """The caller's progress callback (``progress(step, info)``; returning False stops), remembered stop."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress, self.stopped = progress, False

    def __call__(self, step: str, **info: Any) -> bool:
        if self.progress is not None and not self.stopped and self.progress(step, info) is False:
            self.stopped = True
        return not self.stopped

    def solver(self) -> Progress:
        """A solver's progress callback, passed on as step ``"solve"``."""
        return lambda step, info: self("solve", phase=step, **info)


def plan_trip(
    request: TripRequest,
    travel: Travel | None = None,
    method: str = "auto",
    time_limit: float = settings.TRIP_TIME_LIMIT_S,
    options: bool = True,
    progress: Progress | None = None,
    longer_days: bool = False,
) -> TripPlan:
    """The shortest trip visiting every station (or the most important ones when not all fit).

    ``method``: ``auto`` (exact when the size allows, else heuristic), ``exact``, ``heuristic``.
    With ``options`` and stations left out, the ways to fit them all are worked out: the fewest
    working days, an evening transfer and (with ``longer_days``, which takes a new model per
    length tried) the shortest lengthening of every day.  ``progress(step, info)`` hears the steps
    (``matrix``, ``solve``, ``plan`` with the plan so far, ``options``) and may return False to
    stop: the best plan so far comes back, marked ``cut="stopped"``.
    """
    travel = travel or StraightLine.for_trips()
    checks.TIME_LIMIT_S(time_limit)
    steps = _Steps(progress)
    steps("matrix", places=len(request.stations))
    problem, places, km = _problem(request, travel)
    sol = solve(problem, method, time_limit, progress=steps.solver())
    plan = _build_plan(request, problem, places, km, sol)
    plan.message = _fit_message(plan)
    if steps.stopped:
        plan.cut = "stopped"
        return plan
    if not steps("plan", plan=plan):
        plan.cut = "stopped"
        return plan
    if sol.unvisited and options:
        plan.options = _options(request, travel, method, time_limit, plan, steps, longer_days)
        if steps.stopped:
            plan.cut = plan.cut or "stopped"
        fewest = next((o for o in plan.options if o["choice"] == "fewest days" and o["fits"]), None)
        if fewest:
            plan.message += f"; all {len(request.stations)} fit in {fewest['days']} working days"
    return plan


def _fit_message(plan: TripPlan) -> str:
    request = plan.request
    n, kept = len(request.stations), len(request.stations) - len(plan.unvisited)
    window = f"{len(request.dates)} days of {_fmt_hours(request.day_min + request.lunch_min)}"
    tours = request.tours or ()
    if len(tours) > 1:
        window += f" ({len(tours)} tours from {request.start.name})"
    if plan.unvisited.empty:
        gap = "gap not known" if np.isnan(plan.gap) else f"gap {plan.gap:.2%}"
        return (
            f"all {n} stations fit in {window}; {plan.travel_min:.0f} min of driving ({plan.travel_km:.0f} km), {gap}"
        )
    names = ", ".join(plan.unvisited["name"].astype(str))
    return f"{kept} of {n} stations fit in {window}; left out: {names}"


@dataclass
class DayCount:
    """The fewest working days that visit every station: ``days`` (None when even the longest trip
    allowed does not), their dates and tours, the plan for them, and ``proven``: whether one day
    fewer is shown not to do (else ``lower`` is the fewest the visit cap allows)."""

    days: int | None
    dates: list[dt.date]
    tours: tuple[int, ...]
    plan: TripPlan | None
    proven: bool
    lower: int


def fewest_days(
    request: TripRequest,
    travel: Travel | None = None,
    method: str = "auto",
    time_limit: float = settings.TRIP_TIME_LIMIT_S,
    progress: Progress | None = None,
    tried: TripPlan | None = None,
) -> DayCount:
    """The fewest working days from the request's first day (its weekends and holidays at home) that
    visit every station within the day's hours and visit cap, and the plan for them.

    Doubling from the fewest the visit cap allows, then halving, first asking only the LP
    relaxation of "do all fit?" (cheap: no plan), then the full question from the fewest days the
    relaxation allows on (the tours of up to five days are enumerated once).  ``tried`` is a plan
    :func:`plan_trip` made for this very request (same travel and method): when it left stations
    out, its calendar is known not to fit and is not asked again.
    """
    travel = travel or StraightLine.for_trips()
    steps = _Steps(progress)
    lower = visit_cap_days(len(request.stations), request.per_day)
    problem_of: dict[int, TripRequest] = {}

    def request_for(days: int) -> TripRequest:
        if days not in problem_of:
            dates = working_days(request.dates[0], days, weekends=request.weekends, holidays=request.holidays)
            problem_of[days] = replace(request, dates=dates, tours=None)
        return problem_of[days]

    plans: dict[int, TripPlan] = {}
    answers: dict[int, tuple[bool, bool]] = {}  # the full answers so far
    if tried is not None and tried.request is request and len(tried.unvisited):
        mine = request_for(len(request.dates))
        if mine.dates == request.dates and mine.tours == request.tours:  # the plan's own calendar
            answers[len(request.dates)] = (False, tried.coverage_proven and not tried.cut)

    def fits(days: int, relaxed: bool = False) -> tuple[bool, bool]:
        """(all may fit, proven either way); the plan when they do.  ``relaxed`` asks only the LP
        relaxation: "may fit" is then all that is known."""
        if days in answers:
            return answers[days]
        req = request_for(days)
        problem, places, km = _problem(req, travel)
        sol = solve(problem, method, time_limit, progress=steps.solver(), objective="fit-lp" if relaxed else "fit")
        if sol.status == "relaxed":
            steps("days", days=days, fits=None)
            return True, False
        steps("days", days=days, fits=not sol.unvisited)
        if not sol.unvisited:
            plans[days] = _build_plan(req, problem, places, km, sol)
            plans[days].message = _fit_message(plans[days])
        answers[days] = (not sol.unvisited, not sol.unvisited or (sol.coverage_proven and not sol.cut))
        return answers[days]

    def search(low: int, high: int, relaxed: bool) -> tuple[int, int | None, bool]:
        """(most days known not to fit, fewest found to fit or None, whether every "not" is proven)
        by doubling from ``high`` on, then halving."""
        first, proven_low = high, True
        while True:
            ok, proven = fits(high, relaxed)
            if steps.stopped:
                return low, None, False
            if ok:
                break
            low, proven_low = high, proven_low and proven
            if high >= settings.TRIP_MAX_DAYS:
                return low, None, proven_low
            high = min(settings.TRIP_MAX_DAYS, first + 2 * (high - first + 1))
        while high - low > 1 and not steps.stopped:
            mid = (low + high) // 2
            ok, proven = fits(mid, relaxed)
            if ok:
                high = mid
            else:
                low, proven_low = mid, proven_low and proven
        return low, high, proven_low

    if lower > settings.TRIP_MAX_DAYS:
        return DayCount(None, [], (), None, True, lower)
    low, high, proven_low = search(lower - 1, lower, relaxed=True)  # low: the most days known not to do (0: none)
    if high is not None and not steps.stopped:
        low, high, proven_full = search(low, high, relaxed=False)
        proven_low = proven_low and proven_full
    if high is None or steps.stopped:
        return DayCount(None, [], (), None, proven_low and not steps.stopped, lower)
    best = request_for(high)
    return DayCount(high, best.dates, best.tours or (), plans[high], proven_low or high == lower, lower)


def visit_cap_days(n_stations: int, per_day: int) -> int:
    """The fewest working days the visit cap allows: stations / visits a day, rounded up (at least 1).

    The first count :func:`fewest_days` tries, and the days a request follows until it is planned
    (:func:`plan_in_fewest_days`).

    >>> visit_cap_days(28, 2), visit_cap_days(27, 2), visit_cap_days(0, 2)
    (14, 14, 1)
    """
    return max(1, math.ceil(n_stations / max(per_day, 1)))


def plan_in_fewest_days(
    request: TripRequest,
    travel: Travel | None = None,
    method: str = "auto",
    time_limit: float = settings.TRIP_TIME_LIMIT_S,
    progress: Progress | None = None,
    longer_days: bool = False,
) -> tuple[TripPlan, DayCount | None]:
    """The plan of a request whose days follow its stations: the fewest working days from its first
    day that visit every station (:func:`fewest_days`; the request's own count is only where the
    search starts), their plan, and the day count.

    With more than ``settings.TRIP_AUTO_DAYS_MAX_STATIONS`` stations (beyond the exact model, each
    count would be a heuristic's long search), or when no count up to ``settings.TRIP_MAX_DAYS``
    fits them all: the plan of the request's own days, with its ways out (:func:`plan_trip`), and None.
    """
    travel = travel or StraightLine.for_trips()
    if len(request.stations) <= settings.TRIP_AUTO_DAYS_MAX_STATIONS:
        count = fewest_days(request, travel, method, time_limit, progress)
        if count.plan is not None:
            return count.plan, count
    return plan_trip(request, travel, method, time_limit, progress=progress, longer_days=longer_days), None


def _fit(request: TripRequest, travel: Travel, method: str, time_limit: float, steps: _Steps) -> TripPlan | None:
    """The plan visiting every station with the least driving, or None when they do not all fit."""
    problem, places, km = _problem(request, travel)
    sol = solve(problem, method, time_limit, progress=steps.solver(), objective="fit")
    if sol.unvisited:
        return None
    plan = _build_plan(request, problem, places, km, sol)
    plan.message = _fit_message(plan)
    return plan


def _options(
    request: TripRequest,
    travel: Travel,
    method: str,
    time_limit: float,
    plan: TripPlan,
    steps: _Steps,
    longer_days: bool = False,
) -> list[dict]:
    """What it takes to fit every station: each choice tried with the same model."""
    out: list[dict] = [
        {
            "choice": "drop the lowest-priority visits",
            "fits": True,
            "dropped": plan.unvisited["code"].tolist(),
            "total_travel_min": round(plan.travel_min, 1),
        }
    ]
    count = fewest_days(request, travel, method, time_limit, progress=steps.progress, tried=plan)
    if count.days is None:
        out.append({"choice": "fewest days", "fits": False, "reason": "day limit", "days": settings.TRIP_MAX_DAYS})
    else:
        assert count.plan is not None
        out.append(
            {
                "choice": "fewest days",
                "fits": True,
                "days": count.days,
                "tours": len(count.tours),
                "last_date": count.dates[-1].isoformat(),
                "proven": count.proven,
                "total_travel_min": round(count.plan.travel_min, 1),
            }
        )
    if steps.stopped:
        return out
    n, per_day = len(request.stations), max(request.per_day, 1)
    over_cap = n > len(request.dates) * per_day  # more visits than the days allow, however long they are

    evening = max(request.evening_min, settings.TRIP_EVENING_OPTION_MIN)
    if request.overnight == "towns" and over_cap:
        out.append(
            {"choice": "allow an evening transfer", "evening_min": evening, "fits": False, "reason": "visit cap"}
        )
    elif request.overnight == "towns":
        later = _fit(replace(request, evening_min=evening), travel, method, time_limit, steps)
        entry = {"choice": "allow an evening transfer", "evening_min": evening, "fits": later is not None}
        out.append(entry | ({"total_travel_min": round(later.travel_min, 1)} if later is not None else {}))
    if over_cap and longer_days:
        out.append({"choice": "lengthen days", "fits": False, "reason": "visit cap"})
        return out
    if longer_days and not steps.stopped:
        out.append(_longer_days(request, travel, method, time_limit, steps))
    return out


def _longer_days(request: TripRequest, travel: Travel, method: str, time_limit: float, steps: _Steps) -> dict:
    """The shortest lengthening of every day (steps of ``settings.TRIP_LONGER_STEP_MIN``) that fits them all."""
    end = _minutes_of(request.day_end)
    step = settings.TRIP_LONGER_STEP_MIN
    top = min(settings.TRIP_LONGER_MAX_MIN, 24 * 60 - 1 - end) // step

    def fits(k: int) -> TripPlan | None:
        finish = end + step * k
        return _fit(
            replace(request, day_end=f"{finish // 60:02d}:{finish % 60:02d}"), travel, method, time_limit, steps
        )

    found = fits(top) if top >= 1 else None
    if found is None:
        return {"choice": "lengthen days", "fits": False, "extra_min": step * max(top, 0)}
    lo, hi = 0, top
    while hi - lo > 1 and not steps.stopped:
        mid = (lo + hi) // 2
        plan = fits(mid)
        if plan is not None:
            hi, found = mid, plan
        else:
            lo = mid
    return {
        "choice": "lengthen days",
        "fits": True,
        "extra_min": step * hi,
        "day_end": found.request.day_end,
        "total_travel_min": round(found.travel_min, 1),
    }


def parse_itinerary(text: str) -> list[list[str]]:
    """An itinerary typed or read from a file: one line per day, station names separated by commas or 、；.

    >>> parse_itinerary("九市镇，悦城镇\\n\\n东海街道")
    [['九市镇', '悦城镇'], [], ['东海街道']]
    """
    return [[t.strip() for t in re.split(r"[,，、;；\t]", line) if t.strip()] for line in text.splitlines()]


def evaluate_itinerary(request: TripRequest, itinerary: list[list[str]], travel: Travel | None = None) -> TripPlan:
    """Measure a given itinerary (station codes or names per day, in order) with the same model.

    The overnight towns are the cheapest for that order; days that overrun their hours are
    kept and flagged (``over_min`` in ``days``).  Stations of the request not in the itinerary
    are reported as unvisited.
    """
    travel = travel or StraightLine.for_trips()
    if len(itinerary) > len(request.dates):
        request = replace(request, dates=working_days(request.dates[0], len(itinerary)))
    problem, places, km = _problem(request, travel)
    index: dict[str, int] = {}
    for i, (code, name) in enumerate(zip(request.stations["code"], request.stations["name"], strict=True)):
        index.setdefault(str(code), i)
        index.setdefault(str(name), i)
    routes: list[list[int]] = []
    unknown: list[str] = []
    for day in itinerary:
        route: list[int] = []
        for item in day:
            if str(item) in index:
                route.append(index[str(item)])
            else:
                unknown.append(str(item))
        routes.append(route)
    if unknown:
        msg = f"itinerary names stations that are not in the station list: {', '.join(unknown)}"
        raise InputError(msg)
    routes += [[] for _ in range(len(request.dates) - len(routes))]
    nights = best_nights(problem, routes, strict=True) or best_nights(problem, routes, strict=False)
    sol = plan_solution(problem, routes, nights, 0.0, "given itinerary", "evaluated", time.perf_counter())
    plan = _build_plan(request, problem, places, km, sol)
    over = plan.days[plan.days["over_min"] > 0]
    caps = plan.days[plan.days["visits"].map(len) > request.per_day]
    parts = [f"day {r['day']} runs {r['over_min']:.0f} min over its hours" for r in over.to_dict("records")]
    parts += [f"day {r['day']} has {len(r['visits'])} visits (cap {request.per_day})" for r in caps.to_dict("records")]
    plan.message = "; ".join(parts) or "every day fits its hours and visit cap"
    plan.bound_min, plan.gap = float("nan"), float("nan")
    return plan


def tours_of(dates: list[dt.date]) -> tuple[int, ...]:
    """Tours of consecutive dates: a new tour after every day off (a weekend or a holiday at home).

    >>> tours_of(working_days("2024-11-04", 10))
    (5, 5)
    """
    out: list[int] = []
    for i, day in enumerate(dates):
        if i and (day - dates[i - 1]).days == 1:
            out[-1] += 1
        else:
            out.append(1)
    return tuple(out)


def check_tours(tours: Iterable[int], days: int) -> tuple[int, ...]:
    """Tour lengths (days) that make the trip's days: whole numbers of 1 or more adding up to ``days``."""
    lengths = tuple(checks.TRIP_DAYS(t) for t in tours)
    if sum(lengths) != days:
        msg = f"tours of {'+'.join(map(str, lengths))} days do not make the {days} working days; give lengths adding up to {days}"
        raise InputError(msg)
    return lengths
