"""Trip planning and supervision speed (issue 6), each against a named baseline in the same run.

* 10 visits / 5 days (Guangdong west week, 广州市, 80 km/h): exact, target <= 2 s.
* 20 visits / 10 days with overnight choice (synthetic, 11 towns): optimal or within 1 % in <= 60 s.
* 200 visits / 40 days (synthetic, 5 a day, 1-h visits): within 3 % of a long "best" run in <= 30 s.
  The reference is our heuristic searching for --reference-seconds without stopping early (default
  600 = the issue's 10-minute run; each round without improvement doubles the routing search time;
  pass e.g. 120 to shorten it, and say so when quoting the figure).
* supervision of all Guangxi stations (375): <= 10 s.

Baseline: "naive greedy" - nearest unvisited station next while the day's hours allow, the night
in the nearest overnight town - the order a planner would draw by hand.

    .venv/bin/python bench/trips.py [--reference-seconds 600]
"""

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import numpy as np  # noqa: E402
from _timing import report  # noqa: E402

from coverage.field.trip_solver import TripProblem, day_ok, solve, solve_heuristic, trip_travel  # noqa: E402


def greedy(p: TripProblem):
    """Nearest station next while the day allows it; the night in the nearest town (or the end)."""
    start = time.perf_counter()
    left = set(range(p.n))
    routes, nights = [], [p.start]
    for t in range(p.days):
        here, route = nights[-1], []
        last = t == p.days - 1
        while left and len(route) < p.per_day:
            ok = []
            for i in sorted(left, key=lambda i: p.minutes[here, i]):
                towns = [p.end] if last else sorted(p.towns, key=lambda h: p.minutes[i, h])[:1]
                if day_ok(p, nights[-1], [*route, i], towns[0]):
                    ok = [i]
                    break
            if not ok:
                break
            route.append(ok[0])
            left.discard(ok[0])
            here = ok[0]
        night = p.end if last else min(p.towns, key=lambda h: p.minutes[here, h])
        routes.append(route)
        nights.append(night)
    return routes, nights, p.n - len(left), time.perf_counter() - start


def synthetic(n, towns, days, per_day, visit_min, spread_km, seed=0, speed_kmh=40.0):
    rng = np.random.default_rng(seed)
    pts = rng.uniform(0, spread_km, (n + towns + 1, 2))
    pts[-1] = spread_km / 2  # the base in the middle
    minutes = np.hypot(*(pts[:, None] - pts[None]).transpose(2, 0, 1)) * 1.3 / speed_kmh * 60
    return TripProblem(
        minutes, n, tuple(range(n, n + towns)) + (n + towns,), n + towns, n + towns, days, per_day, visit_min, 510
    )


def guangdong_west():
    from coverage.analysis.travel import StraightLine
    from coverage.data.provinces import default_stations_path
    from coverage.data.stations import read_stations
    from coverage.field.trips import TripRequest, _problem, capital, station_table, working_days

    s = station_table(read_stations(default_stations_path("44"), province="44").stations)
    west = s[s["city_code"].isin(["4402", "4412", "4413", "4416", "4418"])]
    gz = capital("44")
    req = TripRequest(west, gz, gz, working_days("2024-11-04", 5), evening_min=90)
    return _problem(req, StraightLine(speed_kmh=80))[0]


def line(name, sol, p, seconds, target, g):
    routes, nights, kept, g_s = g
    g_travel = trip_travel(p, routes, nights)
    print(
        f"  {name}: {len(sol.routes)} days, {p.n - len(sol.unvisited)}/{p.n} visited, {sol.travel_min:.1f} min, "
        f"bound {sol.bound_min:.1f}, gap {sol.gap:.3%}, {sol.solver}, {sol.status}"
    )
    print(f"  baseline greedy: {kept}/{p.n} visited, {g_travel:.1f} min ({g_travel / sol.travel_min - 1:+.1%} driving)")
    report(name, seconds, "naive greedy", g_s, target)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--reference-seconds", type=float, default=600.0)
    parser.add_argument("--skip", default="", help="comma list of parts to skip: 10,20,200,supervise")
    args = parser.parse_args()
    skip = set(args.skip.split(","))
    if "10" not in skip:
        p = guangdong_west()
        t = time.perf_counter()
        sol = solve(p)
        line("10 visits / 5 days (Guangdong west week)", sol, p, time.perf_counter() - t, 2.0, greedy(p))
    if "20" not in skip:
        p = synthetic(20, 11, 10, 2, 150, 70, seed=1)
        t = time.perf_counter()
        sol = solve(p, time_limit=60)
        line("20 visits / 10 days / 12 overnight places", sol, p, time.perf_counter() - t, 60.0, greedy(p))
    if "200" not in skip:
        p = synthetic(200, 60, 40, 5, 60, 300, seed=2, speed_kmh=60)
        t = time.perf_counter()
        sol = solve(p, "heuristic", time_limit=25)
        s = time.perf_counter() - t
        line("200 visits / 40 days / 61 overnight places", sol, p, s, 30.0, greedy(p))
        ref = solve_heuristic(p, time_limit=args.reference_seconds, patience=10**6)
        print(
            f"  reference run ({args.reference_seconds:g} s): {ref.travel_min:.1f} min, {p.n - len(ref.unvisited)} visited; "
            f"ours is {sol.travel_min / ref.travel_min - 1:+.2%} from it (target within 3 %)"
        )
    if "supervise" not in skip:
        from coverage.data.provinces import default_stations_path
        from coverage.data.stations import read_stations
        from coverage.field.supervision import assign_supervisors

        stations = read_stations(default_stations_path("45"), province="45").stations
        t = time.perf_counter()
        result = assign_supervisors(stations)
        ours = time.perf_counter() - t
        print(
            f"  supervision: {len(result.supervisors)} supervisors for {len(result.stations)} stations, {result.total_travel_min:.0f} min "
            f"from base, bound {result.bound_min:.0f}, gap {result.gap:.2%} ({result.status}); loads {sorted(set(result.supervisors['load']))}"
        )
        from coverage.analysis.travel import Place, StraightLine
        from coverage.field.trips import station_table

        t = time.perf_counter()
        s = station_table(stations)
        places = [Place(str(r.name), str(r.code), float(r.lon), float(r.lat)) for r in s.itertuples(index=False)]
        minutes, _ = StraightLine.for_trips().matrices(places)  # the travel assign_supervisors uses by default
        chosen = np.argsort(minutes.sum(axis=1))[: len(result.supervisors)]
        base_cost = minutes[chosen].min(axis=0).sum()
        baseline_s = time.perf_counter() - t
        print(f"  baseline 'central townships, nearest base, no load bounds': {base_cost:.0f} min")
        report("supervision, all Guangxi stations", ours, "central townships + nearest base", baseline_s, 10.0)
