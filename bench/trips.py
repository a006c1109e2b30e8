"""Field trips (issue 16): ours against named baselines on the same matrices, and against today's code.

* Day trips from base (every night at home): ours (a set partition of the stations into days,
  HiGHS) against **OR-Tools routing** (one vehicle a day, a time dimension, the visit cap, a
  penalty for each station left out; guided local search for ``--routing-seconds``).
* Overnight trips (tours from the provincial capital, home at the weekend): ours (every tour
  enumerated, one chosen per calendar slot, HiGHS) against a **CP-SAT model** (one day block a
  day, the overnight places linked day to day, each station at most once; 2 workers, up to
  ``--cpsat-seconds``), both on the same day blocks and matrices.
* The whole request as the app makes it (the plan and the ways to fit every station) for the
  app's default requests (Guangdong 2 per city / 10 working days; Guangxi 2 per city / 14 days,
  and the 21 it needs), run as the CLI runs it (``python -m coverage trip ... --json``, a fresh
  interpreter each time) by **the named baseline** (``--before``, default ``main``: a ``git
  archive`` of it unpacked in a temporary directory) and by ours, interleaved ``--repeat`` times
  with the load before each run; wall time, peak memory, and whether the JSON is byte-identical
  (else both plans' figures: left out, driving, gap, the options' answers).
* The "how many days?" question (ours).

Tests never assert on time.  The machine's load is printed first (``uptime``).

    .venv/bin/python bench/trips.py [--skip day,overnight,request,days] [--before main] [--repeat 2]
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


# --------------------------------------------------------------------------- the whole request, side by side
#: The app's default requests as the CLI makes them: (name, province, working days).
REQUESTS = (
    ("Guangdong 2 per city (20), 10 working days from 广州市", "44", 10),
    ("Guangxi 2 per city (28), 14 working days from 南宁市", "45", 14),
    ("Guangxi 2 per city (28), 21 working days (the fewest that fit all)", "45", 21),
)


def baseline_tree(commit: str, where: Path) -> Path:
    """A ``git archive`` of ``commit`` unpacked in ``where`` (the named baseline, run as it is)."""
    archive = subprocess.run(["git", "archive", commit], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(where)], input=archive, check=True)
    return where


def cli_run(tree: Path, province: str, days: int) -> tuple[float, float, bytes]:
    """(wall seconds, peak memory GB, JSON bytes) of ``python -m coverage trip ... --json`` run in ``tree``."""
    import os

    args = ["--province", province, "--sample", "2-per-city", "--days", str(days), "--from-date", FIRST, "--json"]
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        child = subprocess.Popen([sys.executable, "-m", "coverage", "trip", *args], cwd=tree, stdout=out)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        document = out.read()
    if child.returncode != 0:
        msg = f"trip {' '.join(args)} in {tree} exited {child.returncode}"
        raise RuntimeError(msg)
    return seconds, usage.ru_maxrss / 1e6, document


def summary(document: bytes) -> str:
    """The figures of a plan that say how good it is: kept, driving, gap, the options' answers."""
    d = json.loads(document)
    options = "; ".join(
        f"{o['choice']}: {o.get('days', '')}{' ' if 'days' in o else ''}{'fits' if o['fits'] else 'no'}"
        f"{' ' + str(o['total_travel_min']) + ' min' if 'total_travel_min' in o else ''}"
        for o in d["options"]
    )
    gap = "-" if d["gap"] is None else f"{d['gap']:.2%}"
    return f"{len(d['unvisited'])} left out, {d['total_travel_min']} min, gap {gap}; {options or 'no options'}"


def side_by_side(baseline: str, repeat: int) -> None:
    """Each request run by the baseline and by ours in turn (interleaved), the load before each run."""
    import os

    with tempfile.TemporaryDirectory() as tmp:
        base = baseline_tree(baseline, Path(tmp))
        for name, province, days in REQUESTS:
            print(f"whole request (plan + options), {name}:")
            outputs: dict[str, bytes] = {}
            walls: dict[str, list[float]] = {baseline: [], "ours": []}
            for _ in range(repeat):
                for side, tree in ((baseline, base), ("ours", ROOT)):
                    load = os.getloadavg()[0]
                    seconds, peak_gb, document = cli_run(tree, province, days)
                    print(f"  {side}: {seconds:.1f} s, peak {peak_gb:.2f} GB (load {load:.1f})")
                    outputs[side] = document
                    walls[side].append(seconds)
            same = outputs[baseline] == outputs["ours"]
            ratio = min(walls[baseline]) / min(walls["ours"])
            print(
                f"  fastest: {baseline} {min(walls[baseline]):.1f} s, ours {min(walls['ours']):.1f} s, ratio {ratio:.1f}x"
            )
            print(f"  JSON: {'byte-identical' if same else 'differs'}")
            for side in (baseline, "ours") if not same else ("ours",):
                print(f"  {side}: {summary(outputs[side])}")


def line(name: str, seconds: float, figures: dict, baseline: str, base_seconds: float, base_figures: str) -> None:
    print(
        f"{name}: ours {seconds:.2f} s ({figures}); {baseline}: {base_seconds:.2f} s ({base_figures}); ratio {base_seconds / seconds:.1f}x"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip", default="", help="comma list of parts to skip: day,overnight,request,days")
    parser.add_argument("--before", default="main", help="the named baseline: a commit or branch (default main)")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each side of a whole request (interleaved)")
    parser.add_argument("--routing-seconds", type=float, default=2.0)
    parser.add_argument("--cpsat-seconds", type=float, default=60.0)
    args = parser.parse_args()
    skip = set(args.skip.split(","))
    print("load:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    travel = StraightLine.for_trips()
    if "request" not in skip:
        side_by_side(args.before, args.repeat)
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
        for province, days in (("44", 10), ("45", 5), ("45", 10), ("45", 21)):
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
