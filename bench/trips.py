"""Field trips (issue 16): ours against named baselines on the same matrices, and against today's code.

* Day trips from base (every night at home): ours (a set partition of the stations into days,
  HiGHS) against **OR-Tools routing** (one vehicle a day, a time dimension, the visit cap, a
  penalty for each station left out; guided local search for ``--routing-seconds``).
* Overnight trips (tours from the provincial capital, home at the weekend): ours (every tour
  enumerated, one chosen per calendar slot, HiGHS) against a **CP-SAT model** (one day block a
  day, the overnight places linked day to day, each station at most once; 2 workers, up to
  ``--cpsat-seconds``), both on the same day blocks and matrices.
* The whole request as the app makes it (the plan and the ways to fit every station), and the
  "how many days?" question, against **today's code** (commit ``--before``, run from a
  ``git archive`` of that commit in a fresh interpreter; it has no calendar of tours and no
  day count, so it plans the same days without going home at the weekend).

Tests never assert on time.  The machine's load is printed first (``uptime``).

    .venv/bin/python bench/trips.py [--skip before,cpsat] [--before 60cc4e4]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from coverage.analysis.travel import StraightLine  # noqa: E402
from coverage.field.trip_solver import TripProblem, _blocks, solve  # noqa: E402
from coverage.field.trips import (  # noqa: E402
    TripRequest,
    _problem,
    capital,
    fewest_days,
    plan_trip,
    sample_stations,
    station_table,
    working_days,
)

FIRST = "2024-11-04"  # a Monday


def stations(province: str):
    from coverage.data.provinces import default_stations_path
    from coverage.data.stations import read_stations

    return station_table(read_stations(default_stations_path(province), province=province).stations)


def request(province: str, days: int, overnight: str = "towns") -> TripRequest:
    base = capital(province)
    chosen = sample_stations(stations(province), (2, "city"), seed=0)
    return TripRequest(chosen, base, base, working_days(FIRST, days), overnight=overnight)


# --------------------------------------------------------------------------- baselines
def routing_day_trips(p: TripProblem, seconds: float) -> tuple[int, float, float]:
    """OR-Tools routing: (stations visited, driving minutes, seconds) of day trips from the start."""
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    started = time.perf_counter()
    nodes = list(range(p.n)) + [p.start]
    sec = np.rint(p.minutes[np.ix_(nodes, nodes)] * 60).astype(np.int64).tolist()
    service = [int(round(v * 60)) for v in p.visit_min] + [0]
    depot = p.n
    manager = pywrapcp.RoutingIndexManager(len(nodes), p.days, depot)
    routing = pywrapcp.RoutingModel(manager)
    cost = routing.RegisterTransitCallback(lambda i, j: sec[manager.IndexToNode(i)][manager.IndexToNode(j)])
    routing.SetArcCostEvaluatorOfAllVehicles(cost)
    timed = routing.RegisterTransitCallback(
        lambda i, j: sec[manager.IndexToNode(i)][manager.IndexToNode(j)] + service[manager.IndexToNode(i)]
    )
    day, total = int(round(p.day_min * 60)), int(round((p.day_min + p.evening_min) * 60))
    routing.AddDimension(timed, 0, total, True, "time")
    dim = routing.GetDimensionOrDie("time")
    for node in range(p.n):
        dim.CumulVar(manager.NodeToIndex(node)).SetMax(day - service[node])
    count = routing.RegisterUnaryTransitCallback(lambda i: 1 if manager.IndexToNode(i) < p.n else 0)
    routing.AddDimensionWithVehicleCapacity(count, 0, [p.per_day] * p.days, True, "visits")
    penalty = int(max(max(r) for r in sec) * (len(nodes) + 2) + 1)
    for node in range(p.n):
        routing.AddDisjunction([manager.NodeToIndex(node)], penalty)
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    params.time_limit.FromMilliseconds(int(seconds * 1000))
    found = routing.SolveWithParameters(params)
    visited, driving = 0, 0.0
    for v in range(p.days):
        index = routing.Start(v)
        while not routing.IsEnd(index):
            nxt = found.Value(routing.NextVar(index))
            driving += sec[manager.IndexToNode(index)][manager.IndexToNode(nxt)] / 60
            visited += manager.IndexToNode(nxt) < p.n
            index = nxt
    return visited, driving, time.perf_counter() - started


def cpsat_overnight(p: TripProblem, seconds: float) -> tuple[int, float, float, float]:
    """A CP-SAT model: (stations visited, driving minutes, lower bound on the driving, seconds)."""
    from ortools.sat.python import cp_model

    started = time.perf_counter()
    q = np.array(p.places)
    pos = {int(v): i for i, v in enumerate(q)}
    blocks = _blocks(p, q) or []
    model = cp_model.CpModel()
    allowed = [{pos[v] for v in p.night_allowed(t)} for t in range(p.days + 1)]
    days: list[list[tuple[object, int, int, int, int]]] = []
    for t in range(1, p.days + 1):
        day = []
        for b in blocks:
            for a, c in zip(*np.nonzero(np.isfinite(b.cost)), strict=True):
                if a in allowed[t - 1] and c in allowed[t]:
                    day.append((model.NewBoolVar(""), int(a), int(c), b.mask, int(round(b.cost[a, c] * 60))))
        model.AddExactlyOne(x for x, *_ in day)
        days.append(day)
    for t in range(p.days - 1):
        for v in allowed[t + 1]:
            model.Add(
                sum(x for x, _, c, _, _ in days[t] if c == v) == sum(x for x, a, _, _, _ in days[t + 1] if a == v)
            )
    covered = []
    for i in range(p.n):
        uses = [x for day in days for x, _, _, mask, _ in day if (mask >> i) & 1]
        model.Add(sum(uses) <= 1)
        covered.append(sum(uses))
    big = int(round(p.penalty_min * 60))
    drive = sum(cost * x for day in days for x, _, _, _, cost in day)
    model.Minimize(drive + big * (p.n - sum(covered)))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = 2
    solver.Solve(model)
    kept = int(sum(solver.Value(c) for c in covered))
    value = solver.ObjectiveValue() - big * (p.n - kept)
    bound = solver.BestObjectiveBound() - big * (p.n - kept)
    return kept, value / 60, bound / 60, time.perf_counter() - started


# --------------------------------------------------------------------------- today's code
BEFORE_SCRIPT = r"""
import json, sys, time
sys.path.insert(0, ".")
from coverage.data.provinces import default_stations_path
from coverage.data.stations import read_stations
from coverage.field.trips import TripRequest, capital, plan_trip, sample_stations, station_table, working_days
from coverage.analysis.travel import StraightLine
province, days, overnight, options = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4] == "1"
s = station_table(read_stations(default_stations_path(province), province=province).stations)
chosen = sample_stations(s, "2-per-city", seed=0)
base = capital(province)
req = TripRequest(chosen, base, base, working_days("2024-11-04", days), overnight=overnight)
t = time.perf_counter()
plan = plan_trip(req, StraightLine.for_trips(), options=options)
print(json.dumps({"seconds": time.perf_counter() - t, "kept": len(chosen) - len(plan.unvisited),
                  "travel_min": plan.travel_min, "gap": plan.gap, "solver": plan.solver}))
"""


def before(commit: str, province: str, days: int, overnight: str, options: bool) -> dict:
    """Today's code on the same request, in a fresh interpreter from a ``git archive`` of ``commit``."""
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "archive", commit], cwd=ROOT, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        done = subprocess.run(
            [sys.executable, "-c", BEFORE_SCRIPT, province, str(days), overnight, "1" if options else "0"],
            cwd=tmp,
            capture_output=True,
            text=True,
            check=True,
        )
    return json.loads(done.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- runs
def ours(req: TripRequest, options: bool = True) -> tuple[dict, float]:
    started = time.perf_counter()
    plan = plan_trip(req, options=options)
    seconds = time.perf_counter() - started
    return {
        "kept": len(req.stations) - len(plan.unvisited),
        "travel_min": plan.travel_min,
        "gap": plan.gap,
        "status": plan.status,
        "cut": plan.cut,
        "options": [o["choice"] + (f" {o.get('days')}" if o["choice"] == "fewest days" else "") for o in plan.options],
    }, seconds


def line(name: str, seconds: float, figures: dict, baseline: str, base_seconds: float, base_figures: str) -> None:
    print(
        f"{name}: ours {seconds:.2f} s ({figures}); {baseline}: {base_seconds:.2f} s ({base_figures}); ratio {base_seconds / seconds:.1f}x"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip", default="", help="comma list of parts to skip: day,overnight,request,days,before")
    parser.add_argument("--before", default="60cc4e4", help="the commit of today's code")
    parser.add_argument("--routing-seconds", type=float, default=2.0)
    parser.add_argument("--cpsat-seconds", type=float, default=60.0)
    args = parser.parse_args()
    skip = set(args.skip.split(","))
    print("load:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    travel = StraightLine.for_trips()
    if "day" not in skip:
        for province, days in (("44", 10), ("45", 10)):
            req = request(province, days, "base")
            p = _problem(req, travel)[0]
            t = time.perf_counter()
            sol = solve(p)
            s = time.perf_counter() - t
            kept, driving, rs = routing_day_trips(p, args.routing_seconds)
            line(
                f"day trips {province} 2 per city ({p.n}), {days} days at base",
                s,
                {"kept": p.n - len(sol.unvisited), "min": round(sol.travel_min, 1), "status": sol.status},
                "OR-Tools routing (GLS)",
                rs,
                f"kept {kept}, {driving:.1f} min",
            )
    if "overnight" not in skip:
        for province, days in (("44", 10), ("45", 5), ("45", 10)):
            req = request(province, days)
            p = _problem(req, travel)[0]
            t = time.perf_counter()
            sol = solve(p)
            s = time.perf_counter() - t
            kept, value, bound, cs = cpsat_overnight(p, args.cpsat_seconds)
            gap = "" if sol.gap != sol.gap else f", gap {sol.gap:.2%}"
            line(
                f"overnight {province} 2 per city ({p.n}), {days} days, tours {list(p.tours)}",
                s,
                {"kept": p.n - len(sol.unvisited), "min": round(sol.travel_min, 1), "status": sol.status + gap},
                "CP-SAT (time-indexed day blocks)",
                cs,
                f"kept {kept}, {value:.1f} min, bound {bound:.1f}",
            )
    if "request" not in skip:
        for province, days in (("44", 10),):
            figures, s = ours(request(province, days))
            print(f"whole request {province} 2 per city, {days} days (plan + options): ours {s:.2f} s {figures}")
            if "before" not in skip:
                b = before(args.before, province, days, "towns", True)
                print(
                    f"  today's code ({args.before}, no weekends at home): {b['seconds']:.2f} s {b}; ratio {b['seconds'] / s:.1f}x"
                )
    if "days" not in skip:
        for province in ("44", "45"):
            req = request(province, 1)
            t = time.perf_counter()
            count = fewest_days(req)
            s = time.perf_counter() - t
            plan = count.plan
            print(
                f"how many days, {province} 2 per city ({len(req.stations)}): {count.days} working days "
                f"({list(count.tours)}), proven {count.proven}, {s:.2f} s; plan {plan.travel_min if plan else float('nan'):.1f} min, "
                f"{plan.status if plan else '-'} {plan.cut if plan else ''}"
            )
            if "before" not in skip and count.days:
                b = before(args.before, province, count.days, "towns", True)
                print(f"  today's code on {count.days} days (plan + options): {b['seconds']:.2f} s {b}")
