"""Supervisors: who looks after which stations, and a monthly visiting round.

Guangxi's rule: one supervisor looks after 5-8 stations and visits each at least once a
month, each supervision lasting at least 16 hours.  :func:`assign_supervisors` gives every
station to exactly one supervisor, each with a load within bounds, minimising the total
travel minutes from the supervisors' bases (a transportation problem when the bases are
given; a capacitated p-median choosing the bases among the station townships when only their
number is).  It is exact, with HiGHS, and reports which bounds bind.  :func:`monthly_rounds`
lays the visits out over the month's working days, commuting from the base.

Solvers take a cost matrix (minutes, bases x stations) and never see geometry.

Examples
--------
>>> cost = np.array([[0.0, 10, 50, 60], [50, 60, 0, 10]])
>>> a = assign_from_matrix(cost, min_load=1, max_load=3)
>>> a.assignment.tolist(), a.objective
([0, 0, 1, 1], 20.0)
"""

from __future__ import annotations

import datetime as dt
import math
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from coverage import settings
from coverage._errors import InputError
from coverage.analysis.travel import Travel
from coverage.checks import DAY_HOURS, LOAD, SUPERVISION_HOURS, SUPERVISORS, TIME_LIMIT_S, parse_month
from coverage.optimise.highs import MipBuilder, cost_gap


@dataclass
class Assignment:
    """Station j goes to base ``assignment[j]`` (a row of the cost matrix)."""

    assignment: np.ndarray
    bases: np.ndarray  # rows of the cost matrix that are used (all given bases, or the chosen ones)
    objective: float
    bound: float
    status: str
    seconds: float
    loads: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def gap(self) -> float:
        return cost_gap(self.objective, self.bound)


def check_load_bounds(min_load: int, max_load: int) -> tuple[int, int]:
    """Stations per supervisor at least and at most: whole numbers of 1 or more, the first not above the second."""
    min_load, max_load = LOAD(min_load), LOAD(max_load)
    if min_load > max_load:
        msg = f"--min {min_load} is above --max {max_load}; swap them"
        raise InputError(msg)
    return min_load, max_load


def _check_loads(n_stations: int, n_bases: int, min_load: int, max_load: int) -> None:
    check_load_bounds(min_load, max_load)
    if n_stations < min_load:
        msg = f"there are {n_stations} stations, fewer than the {min_load} a supervisor looks after at least; lower --min to {max(n_stations, 1)} or give more stations"
        raise InputError(msg)
    if n_bases * max_load < n_stations:
        msg = (
            f"{n_bases} supervisors of at most {max_load} stations cannot cover {n_stations} stations; "
            f"use at least {math.ceil(n_stations / max_load)} supervisors or raise --max"
        )
        raise InputError(msg)
    if n_bases * min_load > n_stations:
        msg = (
            f"{n_bases} supervisors of at least {min_load} stations need {n_bases * min_load} stations, "
            f"there are {n_stations}; use at most {n_stations // max(min_load, 1)} supervisors or lower --min"
        )
        raise InputError(msg)


def assign_from_matrix(
    cost: np.ndarray,
    min_load: int = settings.SUPERVISOR_MIN_STATIONS,
    max_load: int = settings.SUPERVISOR_MAX_STATIONS,
    p: int | None = None,
    time_limit: float = settings.SUPERVISION_TIME_LIMIT_S,
    candidates_per_station: int | None = 40,
    relax: bool = False,
) -> Assignment:
    """Assign stations (columns) to bases (rows), each base within [min_load, max_load].

    With ``p`` None every row is a supervisor's base; with ``p`` the model also chooses which
    ``p`` rows (candidate bases) open.  ``candidates_per_station`` keeps only that many nearest
    bases per station in the choosing model (None: all), which makes Guangxi-sized problems fast.
    """
    started = time.perf_counter()
    cost = np.asarray(cost, dtype=float)
    nb, ns = cost.shape
    _check_loads(ns, nb if p is None else p, min_load, max_load)
    if p is None:
        pairs_b, pairs_s = np.nonzero(np.ones_like(cost, dtype=bool))
    else:
        k = nb if candidates_per_station is None else min(nb, candidates_per_station)
        near = np.argsort(cost, axis=0, kind="stable")[:k]  # (k, ns)
        pairs_b, pairs_s = near.ravel(), np.tile(np.arange(ns), k)
    nx = len(pairs_b)
    b = MipBuilder()
    x = b.columns(nx, cost=cost[pairs_b, pairs_s], integer=True)
    b.rows(1.0, 1.0, (x, sp.csr_matrix((np.ones(nx), (pairs_s, np.arange(nx))), shape=(ns, nx))))  # each station once
    load = sp.csr_matrix((np.ones(nx), (pairs_b, np.arange(nx))), shape=(nb, nx))
    if p is None:  # every row is a base: min <= load <= max
        b.rows(float(min_load), float(max_load), (x, load))
    else:  # min*y <= load <= max*y, x <= y (strengthens the relaxation), exactly p bases
        y = b.columns(nb, integer=True)
        b.rows(0.0, np.inf, (x, load), (y, -float(min_load) * sp.identity(nb)))
        b.rows(-np.inf, 0.0, (x, load), (y, -float(max_load) * sp.identity(nb)))
        pick = sp.csr_matrix((np.ones(nx), (np.arange(nx), pairs_b)), shape=(nx, nb))
        b.rows(-np.inf, 0.0, (x, sp.identity(nx)), (y, -pick))
        b.rows([p], [p], (y, np.ones((1, nb))))
    values, objective, bound, status = b.build().solve(time_limit, 1e-6, relax=relax)
    if relax and p is not None:
        return Assignment(
            np.zeros(0, dtype=int),
            np.zeros(0, dtype=int),
            objective,
            bound,
            "relaxation",
            time.perf_counter() - started,
        )
    chosen = values[:nx] > 0.5
    assignment = np.full(ns, -1)
    assignment[pairs_s[chosen]] = pairs_b[chosen]
    if (assignment < 0).any():
        msg = "the supervision model found no assignment; widen --min/--max or give more supervisors"
        raise InputError(msg)
    bases = np.arange(nb) if p is None else np.flatnonzero(values[nx:] > 0.5)
    loads = np.bincount(assignment, minlength=nb)[bases]
    objective = float(cost[assignment, np.arange(ns)].sum())
    return Assignment(
        assignment,
        bases,
        objective,
        min(bound, objective),
        "optimal" if status == "Optimal" else status.lower(),
        time.perf_counter() - started,
        loads,
    )


def locate_allocate(
    cost: np.ndarray,
    p: int,
    min_load: int,
    max_load: int,
    time_limit: float = settings.SUPERVISION_TIME_LIMIT_S,
    candidates_per_station: int | None = 40,
) -> Assignment:
    """Choose ``p`` bases among the rows: exact MIP when it proves optimality fast, else
    locate-allocate (allocate by a transportation LP, move each base to the best row of its
    stations, repeat) with the MIP's LP relaxation as the bound.
    """
    started = time.perf_counter()
    try:
        exact = assign_from_matrix(
            cost, min_load, max_load, p=p, time_limit=0.6 * time_limit, candidates_per_station=candidates_per_station
        )
    except InputError:
        exact = None
    if exact is not None and exact.status == "optimal":
        return exact
    ns = cost.shape[1]
    # start: greedy p-median (add the row that lowers the total nearest cost most)
    chosen: list[int] = []
    nearest = np.full(ns, np.inf)
    for _ in range(p):
        gain = np.minimum(cost, nearest[None, :]).sum(axis=1)
        gain[chosen] = np.inf
        j = int(gain.argmin())
        chosen.append(j)
        nearest = np.minimum(nearest, cost[j])
    best: Assignment | None = None
    # at least one round, even when the exact attempt used up the time: it gives the plan
    while best is None or time.perf_counter() - started < time_limit:
        a = assign_from_matrix(cost[chosen], min_load, max_load, time_limit=time_limit)
        a.assignment = np.asarray(chosen)[a.assignment]
        if best is not None and a.objective >= best.objective - 1e-9:
            break
        best = a
        moved = []
        for j in chosen:
            mine = np.flatnonzero(a.assignment == j)
            moved.append(int(cost[:, mine].sum(axis=1).argmin()))
        if len(set(moved)) < p or sorted(moved) == sorted(chosen):
            break
        chosen = moved
    relaxed = assign_from_matrix(
        cost, min_load, max_load, p=p, time_limit=time_limit, relax=True, candidates_per_station=candidates_per_station
    )
    bound = relaxed.objective if exact is None else max(relaxed.objective, exact.bound)
    if exact is not None and exact.objective < best.objective:
        best = exact
    bases = np.unique(best.assignment)
    return Assignment(
        best.assignment,
        bases,
        best.objective,
        min(bound, best.objective),
        "heuristic",
        time.perf_counter() - started,
        np.bincount(best.assignment, minlength=len(cost))[bases],
    )


# --------------------------------------------------------------------------- stations and bases
@dataclass
class Supervision:
    """Supervisors (one row each: ``supervisor``, ``base``, ``base_code``, ``lon``, ``lat``, ``stations``
    (codes), ``names``, ``load``, ``travel_min``, ``travel_km``, ``binds``) and the station table with
    its ``supervisor``."""

    supervisors: pd.DataFrame
    stations: pd.DataFrame
    total_travel_min: float
    bound_min: float
    status: str
    seconds: float
    min_load: int
    max_load: int
    notes: list[str] = field(default_factory=list)

    @property
    def gap(self) -> float:
        return cost_gap(self.total_travel_min, self.bound_min)

    def to_json(self) -> dict:
        """The document ``python -m coverage supervise --json`` prints."""
        return {
            "supervisors": [
                {
                    "supervisor": r["supervisor"],
                    "base": r["base"],
                    "base_code": r["base_code"],
                    "stations": list(r["stations"]),
                    "load": int(r["load"]),
                    "travel_min": round(float(r["travel_min"]), 1),
                    "travel_km": round(float(r["travel_km"]), 1),
                    "binds": r["binds"],
                }
                for r in self.supervisors.to_dict("records")
            ],
            "total_travel_min": round(self.total_travel_min, 1),
            "bound_min": round(self.bound_min, 1),
            "gap": round(self.gap, 6),
            "status": self.status,
            "seconds": round(self.seconds, 2),
            "min_load": self.min_load,
            "max_load": self.max_load,
            "notes": self.notes,
        }


def place_bases(bases: pd.DataFrame, province: str) -> pd.DataFrame:
    """Supervisors' bases with coordinates: rows given by ``place`` (a township or county name) are
    looked up in ``province``; returns ``name``, ``lon``, ``lat`` (WGS 84)."""
    from coverage.field.trips import resolve_place

    out = bases[["name", "lon", "lat"]].copy()
    unplaced = out["lon"].isna() | out["lat"].isna()
    for i, place, no_xy in zip(bases.index, bases["place"], unplaced, strict=True):
        if isinstance(place, str) and place and no_xy:
            found = resolve_place(place, province)
            out.at[i, "lon"], out.at[i, "lat"] = found.lon, found.lat
    return out.reset_index(drop=True)


def assign_supervisors(
    stations: pd.DataFrame,
    bases: pd.DataFrame | None = None,
    n_supervisors: int | None = None,
    min_load: int = settings.SUPERVISOR_MIN_STATIONS,
    max_load: int = settings.SUPERVISOR_MAX_STATIONS,
    travel: Travel | None = None,
    time_limit: float = settings.SUPERVISION_TIME_LIMIT_S,
) -> Supervision:
    """Give every station to one supervisor, loads within [min_load, max_load], least travel from base.

    ``bases``: a frame with ``name``, ``lon``, ``lat`` (one row per supervisor).  Else
    ``n_supervisors`` bases are chosen among the stations' townships; with neither, the fewest
    supervisors that can carry the load: ceil(stations / max_load).  Travel is one-way minutes
    from base to station (``travel``: a :class:`~coverage.analysis.travel.Travel`, default the trips' straight line).
    """
    from coverage.analysis.travel import StraightLine, places_of
    from coverage.field.trips import station_table

    min_load, max_load = check_load_bounds(min_load, max_load)
    if n_supervisors is not None:
        n_supervisors = SUPERVISORS(n_supervisors)
    TIME_LIMIT_S(time_limit)
    s = station_table(stations)
    travel = travel or StraightLine.for_trips()
    notes = []
    if bases is not None:
        b = pd.DataFrame(bases).reset_index(drop=True)
        if not {"lon", "lat"} <= set(b.columns):
            msg = (
                f"the bases file needs lon and lat columns (or names of places); found {', '.join(map(str, b.columns))}"
            )
            raise InputError(msg)
        if "name" not in b.columns:
            b["name"] = [f"supervisor {i + 1}" for i in range(len(b))]
        if "code" not in b.columns:
            b["code"] = b["name"]
        cand = places_of(b, "base")
        p = None
    else:
        cand = places_of(s, "township")
        if n_supervisors is None:
            n_supervisors = max(1, math.ceil(len(s) / max_load))
            notes.append(
                f"{n_supervisors} supervisors: the fewest that can look after {len(s)} stations at most {max_load} each"
            )
        p = int(n_supervisors)
    places = cand + places_of(s, "station")
    minutes, km = travel.matrices(places)
    nc = len(cand)
    cost, dist = minutes[:nc, nc:], km[:nc, nc:]
    if p is None:
        a = assign_from_matrix(cost, min_load, max_load, time_limit=time_limit)
    else:
        a = locate_allocate(cost, p, min_load, max_load, time_limit=time_limit)
    rows = []
    for k, base in enumerate(a.bases):
        mine = np.flatnonzero(a.assignment == base)
        load = len(mine)
        binds = "at minimum load" if load == min_load else ("at maximum load" if load == max_load else "")
        rows.append(
            {
                "supervisor": f"S{k + 1:02d}",
                "base": cand[base].name,
                "base_code": cand[base].code,
                "lon": cand[base].lon,
                "lat": cand[base].lat,
                "stations": s["code"].iloc[mine].tolist(),
                "names": s["name"].iloc[mine].tolist(),
                "load": load,
                "travel_min": float(cost[base, mine].sum()),
                "travel_km": float(dist[base, mine].sum()),
                "binds": binds,
            }
        )
    sup = pd.DataFrame(rows)
    label = dict(zip(a.bases, sup["supervisor"], strict=True))
    cols = np.arange(len(s))
    s = s.assign(
        supervisor=[label[v] for v in a.assignment],
        travel_min=cost[a.assignment, cols],
        travel_km=dist[a.assignment, cols],
    )
    bound = a.bound
    return Supervision(sup, s, a.objective, bound, a.status, a.seconds, min_load, max_load, notes)


def monthly_rounds(
    supervision: Supervision,
    month: str | dt.date,
    hours: float = settings.SUPERVISION_HOURS,
    day_hours: float = settings.SUPERVISION_DAY_HOURS,
    weekends: bool = False,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A month's visits: each station ``hours`` on site, in days of ``day_hours``, commuting from base.

    Returns (calendar: ``supervisor``, ``date``, ``station``, ``code``, ``hours``, ``travel_min``,
    ``travel_km``; totals per supervisor: ``days_used``, ``working_days``, ``travel_min``,
    ``travel_km``, ``fits``).  Stations are visited nearest first; each day on site is a round
    trip from the base.
    """
    from coverage.field.trips import working_days

    first = parse_month(month)
    SUPERVISION_HOURS(hours)
    DAY_HOURS(day_hours)
    last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    days = working_days(first, last=last, weekends=weekends)
    per_station = math.ceil(hours / day_hours)
    cal, totals = [], []
    st = supervision.stations
    for r in supervision.supervisors.to_dict("records"):
        mine = st[st["supervisor"] == r["supervisor"]].sort_values("travel_min")
        slot = 0
        trips_min = trips_km = 0.0
        for row in mine.to_dict("records"):
            one_way_min, one_way_km = float(row["travel_min"]), float(row["travel_km"])
            left = hours
            for _ in range(per_station):
                on_site = min(day_hours, left)
                left -= on_site
                date = days[slot] if slot < len(days) else None
                cal.append(
                    {
                        "supervisor": r["supervisor"],
                        "base": r["base"],
                        "date": date,
                        "station": row["name"],
                        "code": row["code"],
                        "hours": on_site,
                        "travel_min": 2 * one_way_min,
                        "travel_km": 2 * one_way_km,
                    }
                )
                trips_min += 2 * one_way_min
                trips_km += 2 * one_way_km
                slot += 1
        totals.append(
            {
                "supervisor": r["supervisor"],
                "base": r["base"],
                "stations": len(mine),
                "days_used": slot,
                "working_days": len(days),
                "travel_min": trips_min,
                "travel_km": trips_km,
                "fits": slot <= len(days),
            }
        )
    return pd.DataFrame(cal), pd.DataFrame(totals)
