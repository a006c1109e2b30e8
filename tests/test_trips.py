"""Trip planner: exact solvers against brute force, hours and caps, infeasibility, Guangdong trips."""

import datetime as dt
import itertools
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from coverage._errors import InputError
from coverage.analysis.travel import MatrixTravel, Place, StraightLine
from coverage.field.trip_export import to_html, to_ics, to_sheets
from coverage.field.trip_solver import (
    TripProblem,
    day_ok,
    fewest_tours,
    held_karp_bound,
    home_tours_bound,
    reduced_cost_bounds,
    solve,
    solve_blocks,
    solve_dp,
    solve_heuristic,
    solve_tours,
    trip_travel,
)
from coverage.field.trips import (
    TripRequest,
    capital,
    evaluate_itinerary,
    fewest_days,
    plan_trip,
    resolve_place,
    sample_stations,
    station_table,
    working_days,
)


def brute(p: TripProblem):
    """(kept priority, driving) of the best plan by enumerating subsets, orders, day cuts and towns."""
    best = None
    for r in range(p.n, -1, -1):
        for subset in itertools.combinations(range(p.n), r):
            for perm in itertools.permutations(subset):
                for cuts in itertools.combinations_with_replacement(range(len(perm) + 1), p.days - 1):
                    bounds = [0, *cuts, len(perm)]
                    routes = [list(perm[bounds[i] : bounds[i + 1]]) for i in range(p.days)]
                    for mids in itertools.product(p.places, repeat=p.days - 1):
                        nights = [p.start, *mids, p.end]
                        if any(nights[t] not in p.night_allowed(t) for t in range(1, p.days)):
                            continue
                        if all(day_ok(p, nights[t], routes[t], nights[t + 1]) for t in range(p.days)):
                            key = (-sum(p.weights[i] for i in subset), trip_travel(p, routes, nights))
                            best = key if best is None or key < best else best
    return best


def random_problem(seed, n=5, towns=3, days=3, per_day=2, tours=None):
    rng = np.random.default_rng(seed)
    pts = rng.uniform(0, 100, (n + towns + 1, 2))
    minutes = np.hypot(*(pts[:, None] - pts[None]).transpose(2, 0, 1))
    return TripProblem(
        minutes,
        n,
        tuple(range(n, n + towns)),
        n + towns,
        n + towns,
        days,
        per_day,
        rng.uniform(30, 120, n),
        float(rng.uniform(200, 400)),
        float(rng.choice([0, 30])),
        rng.integers(1, 3, n),
        tours,
    )


def key(p, s):
    return (-sum(p.weights[i] for r in s.routes for i in r), round(s.travel_min, 6))


@pytest.mark.parametrize(("seed", "tours"), [(seed, tours) for seed in range(6) for tours in (None, (1, 2), (2, 1))])
def test_exact_solvers_match_brute_force(seed, tours):
    """Every exact solver finds the brute-force optimum, with and without a night at home between tours."""
    p = random_problem(seed, tours=tours)
    expected = brute(p)
    dp, blocks, enumerated = solve_dp(p), solve_blocks(p, 30), solve_tours(p)
    for s in (dp, blocks, enumerated):
        assert key(p, s) == pytest.approx(expected)
        assert all(s.nights[t] == p.start for t in p.home_nights)
    assert dp.gap == 0 and dp.status == "optimal"
    assert enumerated.status == "optimal" and enumerated.gap == 0 and enumerated.cut == ""
    heur = solve_heuristic(p, 2)
    assert key(p, heur)[0] >= expected[0]  # never keeps more (weight) than optimal
    assert heur.travel_min >= heur.bound_min - 1e-9
    assert heur.bound_min <= expected[1] + 1e-6 or key(p, heur)[0] != expected[0]


@pytest.mark.parametrize(
    ("seed", "n", "days", "tours"),
    [(seed, *case) for seed in range(6) for case in ((6, 3, None), (5, 3, (2, 1)), (4, 2, (1, 1)), (6, 3, (1, 2)))],
)
def test_fit_in_a_full_calendar_matches_the_dynamic_program(seed, n, days, tours):
    """A calendar with room for no visit (or one) beyond the stations, 2 a day: only the tours that fill
    (nearly) every day are enumerated for "do all fit?", and the answer is the dynamic program's: the
    least driving when they all fit, else not fitting, proven."""
    p = random_problem(seed, n=n, days=days, per_day=2, tours=tours)
    exact, fit = solve_dp(p), solve_tours(p, objective="fit")
    if exact.unvisited:
        assert fit.status == "infeasible" and fit.coverage_proven and fit.cut == ""
    else:
        assert fit.status == "optimal" and not fit.unvisited and fit.travel_min == pytest.approx(exact.travel_min)


@pytest.mark.parametrize("seed", range(4))
def test_lp_checks_of_many_calendars_agree_with_the_exact_answer_in_any_order(seed, monkeypatch):
    """ "May all fit?" asked of one enumeration for calendar after calendar (one LP, warm-started): the
    answer of the full question's own LP, "may" whenever the dynamic program fits them all, and the
    same answers whatever the order the calendars are asked in."""
    from coverage.field import trip_solver

    calendars = [(1,), (2,), (1, 1), (3,), (2, 1), (1, 2), (2, 2), (3, 1), (4,)]
    answers = []
    for order in (calendars, calendars[::-1]):
        monkeypatch.setattr(trip_solver, "_ENUMERATIONS", {})
        seen = {}
        for tours in order:
            p = random_problem(seed, n=5, days=sum(tours), tours=tours)
            seen[tours] = solve_tours(p, objective="fit-lp").status
            full = solve_tours(p, objective="fit")  # its own LP first: "infeasible" by the LP when it says no
            lp_says_no = full.status == "infeasible" and full.solver.endswith("(LP)")
            assert (seen[tours] == "infeasible") == lp_says_no
            if not solve_dp(p).unvisited:
                assert seen[tours] == "relaxed" and not full.unvisited
        answers.append(seen)
    assert answers[0] == answers[1]
    assert set(answers[0].values()) == {"relaxed", "infeasible"}


def test_fit_lp_without_any_tour_says_no():
    """Two stations whose visits do not fit in one day, one day of two visits: no tour fills the day, so
    none is enumerated, and the relaxation says they do not fit, proven (HiGHS calls an LP without
    columns "empty", not infeasible: it once read as "may fit")."""
    x = np.array([0.0, 10.0, 5.0])
    p = TripProblem(np.abs(x[:, None] - x[None, :]), 2, (2,), 2, 2, days=1, per_day=2, visit_min=200, day_min=300)
    for objective in ("fit-lp", "fit"):
        sol = solve_tours(p, objective=objective)
        assert sol.status == "infeasible" and sol.coverage_proven and sol.cut == "" and len(sol.unvisited) == 2


@pytest.mark.parametrize("seed", range(10))
def test_tours_cut_at_the_work_limit_keep_a_true_bound(seed):
    """With the partial tours cut to a few a day the plan is not proven, and its bound stays below the optimum."""
    p = random_problem(seed, n=6, days=4, tours=(2, 2))
    best = solve_dp(p)
    cut = solve_tours(p, max_labels=2)
    assert key(p, cut)[0] <= key(p, best)[0] + 1e-9  # never keeps more priority than possible
    if key(p, cut)[0] == key(p, best)[0] and cut.coverage_proven and not np.isnan(cut.bound_min):
        assert cut.bound_min <= best.travel_min + 1e-6
    if cut.status != "optimal":
        assert cut.cut == "work limit"


@pytest.mark.parametrize(
    ("seed", "tours", "objective", "columns"),
    [
        (seed, tours, objective, columns)
        for seed in range(8)
        for tours, objective, columns in (
            ((1, 2), "travel", 1),
            ((2, 1), "fit", 1),
            (None, "travel", 3),
            ((1, 1, 1), "fit", 2),
        )
    ],
)
def test_property_restricted_master_bound_never_above_brute_force(seed, tours, objective, columns, monkeypatch):
    """Every tour enumerated but the choice made among only ``columns`` tours of least reduced cost:
    the plan never beats brute force, its bound never exceeds the brute-force optimum, and a plan
    proven optimal (by the reduced costs of the tours left out) is the brute-force optimum."""
    from coverage import settings

    monkeypatch.setattr(settings, "TRIP_FULL_MASTER_COLUMNS", 0)
    monkeypatch.setattr(settings, "TRIP_PARTIAL_COLUMNS", columns)
    p = random_problem(seed, n=5, days=3, tours=tours)
    expected = brute(p)
    sol = solve_tours(p, objective=objective)
    if objective == "fit" and expected[0] != -p.weights.sum():  # not all fit: no plan, proven
        assert sol.status == "infeasible" and sol.coverage_proven
        return
    kept, driving = key(p, sol)
    assert kept > expected[0] + 1e-9 or (kept == pytest.approx(expected[0]) and driving >= expected[1] - 1e-6)
    if key(p, sol)[0] == pytest.approx(expected[0]) and not np.isnan(sol.bound_min):
        assert sol.bound_min <= expected[1] + 1e-6
    if sol.status == "optimal":
        assert key(p, sol) == pytest.approx(expected) and sol.cut == ""
    else:
        assert sol.cut == "work limit" and "least reduced costs" in sol.solver


def test_reduced_cost_bounds_by_hand():
    """Two stations, tours {0} 10 min, {1} 10 min, {0, 1} 30 min, two tours of one kind; prices 10 a
    station: reduced costs 0, 0, 10, so every plan costs at least 20 and one using {0, 1} at least 30.
    A station may be left out at 5 (reduced cost -5): every plan at least 10.  A tour left out whose
    reduced cost is negative adds nothing."""
    import scipy.sparse as sp

    cover = sp.csr_matrix(np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]]))
    rows = (cover, np.zeros(3, dtype=np.int64))
    price, count, cost = np.array([10.0, 10.0, 0.0]), np.array([2.0]), np.array([10.0, 10.0, 30.0])
    assert reduced_cost_bounds(
        price, (cost, np.full(2, 99.0)), (np.ones(3), np.zeros(2)), rows, count, np.arange(2)
    ) == (
        20.0,
        30.0,
    )
    assert reduced_cost_bounds(price, (cost, np.full(2, 5.0)), (np.ones(3), np.ones(2)), rows, count, np.arange(3)) == (
        10.0,
        float("inf"),
    )
    cheap = np.array([10.0, 10.0, 15.0])  # reduced cost -5 for {0, 1}, left out of the master
    assert reduced_cost_bounds(
        price, (cheap, np.full(2, 99.0)), (np.ones(3), np.zeros(2)), rows, count, np.arange(2)
    ) == (
        15.0,
        15.0,
    )


def test_the_same_problem_gives_the_same_plan():
    p = random_problem(4, n=7, days=4, tours=(2, 2))
    runs = [solve_tours(p, max_labels=3) for _ in range(2)] + [solve_heuristic(p, 5) for _ in range(2)]
    assert (runs[0].routes, runs[0].nights) == (runs[1].routes, runs[1].nights)
    assert (runs[2].routes, runs[2].nights) == (runs[3].routes, runs[3].nights)


def test_hand_checkable_line():
    x = np.array([0.0, 10.0, 20.0, 10.0])  # stations at 0, 10, 20; the town at 10
    p = TripProblem(np.abs(x[:, None] - x[None, :]), 3, (3,), 3, 3, days=2, per_day=2, visit_min=60, day_min=480)
    s = solve(p)
    assert s.travel_min == 40.0 and s.unvisited == []
    assert sorted(len(r) for r in s.routes) == [1, 2]
    # one day and a cap of 2: the farthest-apart station is left out, priorities decide which
    p1 = TripProblem(
        np.abs(x[:, None] - x[None, :]), 3, (3,), 3, 3, days=1, per_day=2, visit_min=60, day_min=480, weights=[1, 1, 5]
    )
    s1 = solve(p1)
    assert s1.unvisited == [0] and s1.travel_min == 20.0


def test_every_day_within_hours_and_cap():
    p = random_problem(3, n=9, towns=4, days=4, per_day=3)
    for s in (solve(p), solve_heuristic(p, 2)):
        for t, r in enumerate(s.routes):
            assert len(r) <= 3
            assert day_ok(p, s.nights[t], r, s.nights[t + 1])
        assert s.nights[0] == p.start and s.nights[-1] == p.end
        assert all(v in p.towns for v in s.nights[1:-1])


@hsettings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 3), st.integers(1, 2))
def test_property_dp_never_worse_than_heuristic_and_bound_valid(seed, days, per_day):
    p = random_problem(seed, n=4, towns=2, days=days, per_day=per_day)
    exact, heur = solve_dp(p), solve_heuristic(p, 1)
    assert key(p, exact) <= key(p, heur)
    visited = [i for r in exact.routes for i in r]
    assert held_karp_bound(p, visited, exact.travel_min) <= exact.travel_min + 1e-6


def _least_home_tours(d: np.ndarray, tours: range, cap: int) -> float:
    """Brute force: the least driving of k closed tours from node 0 (k in ``tours``) visiting every
    other node once, each tour of at most ``cap`` stations."""
    stations = list(range(1, len(d)))
    best = np.inf
    for perm in itertools.permutations(stations):
        for k in tours:
            for cuts in itertools.combinations(range(1, len(perm)), k - 1):
                parts = [perm[a:b] for a, b in zip((0, *cuts), (*cuts, len(perm)), strict=True)]
                if any(len(part) > cap for part in parts):
                    continue
                cost = sum(d[0, q[0]] + sum(d[q[i], q[i + 1]] for i in range(len(q) - 1)) + d[q[-1], 0] for q in parts)
                best = min(best, cost)
    return best


@hsettings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 3), st.integers(2, 3))
def test_property_home_tours_bound_never_above_the_best_tours(seed, tours, per_day):
    rng = np.random.default_rng(seed)
    pts = rng.uniform(0, 100, (6, 2))
    d = np.hypot(*(pts[:, None] - pts[None]).transpose(2, 0, 1))
    p = TripProblem(d, 5, (5,), 5, 5, days=2 * tours, per_day=per_day, visit_min=60, day_min=2000, tours=(2,) * tours)
    k_min = fewest_tours(p, 5)
    best = _least_home_tours(d, range(k_min, tours + 1), cap=2 * per_day)
    assert np.isfinite(best) or (tours == 1 and per_day == 2)  # 5 stations, 4 visits: no plan
    bound = held_karp_bound(p, [0, 1, 2, 3, 4], best if np.isfinite(best) else 1e9)
    assert bound <= best + 1e-6


def test_the_home_tours_bound_counts_the_returns_home():
    # home at 0; two stations 100 min out on opposite sides: 400 min however many tours
    d = np.array([[0.0, 100, 100], [100, 0, 200], [100, 200, 0]])
    assert home_tours_bound(d, 2, 400.0) == 400.0
    # a cluster of three stations 100 min from home, 1 min apart: one tour 202, two tours 401
    d = np.full((4, 4), 1.0)
    d[0, 1:] = d[1:, 0] = 100.0
    np.fill_diagonal(d, 0.0)
    assert home_tours_bound(d, 1, 202.0) == pytest.approx(202.0)
    assert home_tours_bound(d, 2, 401.0) == pytest.approx(401.0)
    # the same as a trip: stations 0-2, home 3, two one-day tours of at most 2 visits
    home_last = d[np.ix_([1, 2, 3, 0], [1, 2, 3, 0])]
    p = TripProblem(home_last, 3, (3,), 3, 3, days=2, per_day=2, visit_min=60, day_min=2000, tours=(1, 1))
    assert fewest_tours(p, 3) == 2  # three stations need both tours
    assert held_karp_bound(p, [0, 1, 2], 500.0) == pytest.approx(401.0)


def test_heuristic_and_bound_on_a_larger_instance():
    rng = np.random.default_rng(7)
    pts = rng.uniform(0, 60, (61, 2))
    minutes = np.hypot(*(pts[:, None] - pts[None]).transpose(2, 0, 1))
    p = TripProblem(minutes, 50, tuple(range(50, 60)), 60, 60, days=12, per_day=5, visit_min=45, day_min=480)
    s = solve(p, "heuristic", time_limit=4)
    assert not s.unvisited
    assert 0 < s.bound_min <= s.travel_min and s.gap < 0.5
    assert all(day_ok(p, s.nights[t], r, s.nights[t + 1]) for t, r in enumerate(s.routes))


def test_bad_problems_raise():
    with pytest.raises(InputError, match="square"):
        TripProblem(np.zeros((2, 3)), 1, (), 0, 0, 1, 1, 60, 480)
    with pytest.raises(InputError, match="method"):
        solve(random_problem(0), "magic")


# --------------------------------------------------------------------------- model layer
BASE = Place("base", "base", 113.0, 23.0)


def line_stations(k, step=0.1):
    return pd.DataFrame(
        {
            "code": [f"s{i}" for i in range(k)],
            "name": [f"S{i}" for i in range(k)],
            "lon": [113.0 + step * (i + 1) for i in range(k)],
            "lat": 23.0,
        }
    )


def test_plan_legs_times_and_json():
    req = TripRequest(line_stations(2), BASE, BASE, working_days("2024-11-04", 1), overnight="base")
    plan = plan_trip(req)
    doc = plan.to_json()
    assert [d["visits"] for d in doc["days"]] == [["s0", "s1"]]
    assert doc["unvisited"] == [] and doc["gap"] == 0
    legs = plan.legs
    assert list(legs["to_code"]) == ["s0", "s1", "base"]
    assert legs["depart"].iloc[0] == dt.datetime(2024, 11, 4, 8, 30)
    # 3 h at the first station (08:50-11:50) and lunch there: the drive to the next would pass 12:00
    assert legs["arrive"].iloc[0] == dt.datetime(2024, 11, 4, 8, 50)
    assert legs["depart"].iloc[1] == legs["arrive"].iloc[0] + dt.timedelta(hours=3 + 1)
    assert legs["arrive"].iloc[1] > dt.datetime(2024, 11, 4, 12, 0) > legs["depart"].iloc[1] - dt.timedelta(hours=1)
    assert legs["depart"].iloc[2] == legs["arrive"].iloc[1] + dt.timedelta(hours=3)
    assert plan.travel_min == pytest.approx(legs["minutes"].sum(), abs=0.05)
    assert {"from_lon", "from_lat", "to_lon", "to_lat", "km"} <= set(legs.columns)


def test_not_all_fit_message_and_options():
    req = TripRequest(line_stations(3), BASE, BASE, working_days("2024-11-04", 1), per_day=3, overnight="base")
    plan = plan_trip(req, longer_days=True)
    assert "2 of 3 stations fit in 1 days of 9 h 30 min" in plan.message
    assert plan.message.endswith("all 3 fit in 2 working days")
    choices = {o["choice"]: o for o in plan.options}
    assert choices["fewest days"]["fits"] and choices["fewest days"]["days"] == 2 and choices["fewest days"]["proven"]
    longer = choices["lengthen days"]
    assert longer["fits"] and longer["extra_min"] % 15 == 0 and longer["extra_min"] > 0
    # the lengthening found is the shortest: 15 minutes less does not fit
    end = 18 * 60 + longer["extra_min"] - 15
    shorter = TripRequest(
        line_stations(3), BASE, BASE, req.dates, per_day=3, overnight="base", day_end=f"{end // 60:02d}:{end % 60:02d}"
    )
    assert not plan_trip(shorter, options=False).unvisited.empty
    assert "lengthen days" not in {o["choice"] for o in plan_trip(req).options}  # only when asked


def test_fewest_days_checked_by_brute_force():
    """Stations 10 km apart on a line east of the base, 2 a day, home at the weekend: the fewest
    working days from a Thursday is the first count whose calendar fits them all, by brute force."""
    stations = line_stations(5, step=0.25)
    first = "2024-11-07"  # a Thursday: the first tour has two days, then the weekend at home
    count = fewest_days(TripRequest(stations, BASE, BASE, working_days(first, 1)))

    def fits_by_brute_force(days):
        req = TripRequest(stations, BASE, BASE, working_days(first, days))
        from coverage.field.trips import _problem

        p = _problem(req, StraightLine.for_trips())[0]
        return brute(p)[0] == -p.n

    expected = next(d for d in range(1, 10) if fits_by_brute_force(d))
    assert count.days == expected and count.proven
    assert count.plan is not None and count.plan.unvisited.empty
    assert count.tours == tuple(len(x) for x in [count.dates[:2], count.dates[2:]] if x)[: len(count.tours)]
    assert count.dates[0] == dt.date(2024, 11, 7) and count.dates[2] == dt.date(2024, 11, 11)


def test_fewest_days_asks_the_relaxation_first_and_not_the_plans_own_calendar(monkeypatch):
    """With the tour model (the dynamic program switched off), the dynamic program's answer (checked
    by brute force above): the LP relaxation says 3 days do not do and 5 may; the full question
    then says 4 do not and 5 do.  Given the plan of the request's own 3 days, 3 is not asked again."""
    from coverage.field import trip_solver

    stations = line_stations(5, step=0.25)
    req = TripRequest(stations, BASE, BASE, working_days("2024-11-07", 3))  # Thu, Fri, Mon: tours of 2 and 1
    expected = fewest_days(req)
    monkeypatch.setattr(trip_solver, "DP_MAX_WORK", 0.0)
    plan = plan_trip(req, options=False)
    assert plan.solver.startswith("tours enumerated") and len(plan.unvisited) == 2 and plan.coverage_proven
    steps: list[tuple[int, bool | None]] = []

    def asked(step, info):
        if step == "days":
            steps.append((info["days"], info["fits"]))  # fits None: the relaxation lets them fit, no plan yet

    for tried, questions in (
        (None, [(3, False), (5, None), (4, False), (5, True)]),
        (plan, [(5, None), (4, False), (5, True)]),
    ):
        steps.clear()
        count = fewest_days(req, tried=tried, progress=asked)
        assert steps == questions
        assert (count.days, count.tours, count.proven) == (expected.days, expected.tours, True) == (5, (2, 3), True)
        assert count.plan is not None and count.plan.travel_min == pytest.approx(expected.plan.travel_min)


def test_plan_in_fewest_days_plans_the_days_the_stations_need(monkeypatch):
    """Days that follow the stations: 5 stations, 2 a day from a Thursday, asked with the visit cap's 3
    days, are planned in the fewest that fit them all (5, as fewest_days says); above the size the days
    are worked out for, the days given are planned, with their ways out."""
    from coverage import settings
    from coverage.field.trips import plan_in_fewest_days, visit_cap_days

    stations = line_stations(5, step=0.25)
    req = TripRequest(stations, BASE, BASE, working_days("2024-11-07", visit_cap_days(5, 2)))
    plan, count = plan_in_fewest_days(req)
    assert len(req.dates) == 3 and count is not None and count.days == 5 and count.tours == (2, 3)
    assert plan.unvisited.empty and len(plan.request.dates) == 5 and plan is count.plan
    monkeypatch.setattr(settings, "TRIP_AUTO_DAYS_MAX_STATIONS", 4)
    plan, count = plan_in_fewest_days(req)
    assert count is None and len(plan.request.dates) == 3 and len(plan.unvisited) == 2
    assert [o["choice"] for o in plan.options][:2] == ["drop the lowest-priority visits", "fewest days"]


def test_the_same_request_gives_byte_identical_json():
    import json

    req = TripRequest(line_stations(5, step=0.4), BASE, BASE, working_days("2024-11-04", 2), per_day=2)
    first, second = (json.dumps(plan_trip(req).to_json(), ensure_ascii=False) for _ in range(2))
    assert first == second
    assert "seconds" not in first


def test_stop_keeps_the_best_plan_so_far():
    req = TripRequest(line_stations(4), BASE, BASE, working_days("2024-11-04", 1), per_day=2, overnight="base")
    steps = []

    def stop_after_the_plan(step, info):
        steps.append(step)
        return step != "plan"

    plan = plan_trip(req, progress=stop_after_the_plan)
    assert plan.cut == "stopped" and plan.options == [] and len(plan.unvisited) == 2
    assert steps[0] == "matrix" and steps[-1] == "plan"


def test_calendar_weekends_and_holidays_at_home():
    from coverage.field.trips import tours_of

    days = working_days("2024-09-26", 6, holidays=["2024-10-01", "2024-10-02", "2024-10-03"])
    assert [d.isoformat() for d in days] == [
        "2024-09-26",
        "2024-09-27",
        "2024-09-30",
        "2024-10-04",
        "2024-10-07",
        "2024-10-08",
    ]
    assert tours_of(days) == (2, 1, 1, 2)
    req = TripRequest(line_stations(2), BASE, BASE, days)
    assert req.tours == (2, 1, 1, 2)
    with pytest.raises(InputError, match="tours of 2\\+2 days do not make the 6 working days"):
        TripRequest(line_stations(2), BASE, BASE, days, tours=(2, 2))


def test_evaluate_itinerary_flags_overruns_and_measures_the_same():
    req = TripRequest(line_stations(2), BASE, BASE, working_days("2024-11-04", 1), overnight="base")
    best = plan_trip(req)
    worse = evaluate_itinerary(req, [["s1", "s0"]])
    assert worse.travel_min == pytest.approx(best.travel_min)  # symmetric straight line: same length
    tight = TripRequest(line_stations(2), BASE, BASE, working_days("2024-11-04", 1), overnight="base", day_end="15:00")
    over = evaluate_itinerary(tight, [["s0", "s1"]])
    assert "over its hours" in over.message and over.days["over_min"].iloc[0] > 0
    with pytest.raises(InputError, match="not in the station list"):
        evaluate_itinerary(req, [["nowhere"]])


def test_user_matrix_travel():
    ids = ["s0", "s1", "base"]
    minutes = pd.DataFrame([[0, 30, 10], [30, 0, 20], [10, 20, 0]], index=ids, columns=ids)
    req = TripRequest(line_stations(2), BASE, BASE, working_days("2024-11-04", 1), overnight="base")
    plan = plan_trip(req, MatrixTravel(minutes))
    assert plan.travel_min == 60.0
    with pytest.raises(InputError, match="lacks 1 places"):
        plan_trip(req, MatrixTravel(minutes.drop(index="s1", columns="s1")))


def test_places_and_capital():
    assert capital("45").name == "南宁市" and capital("44").name == "广州市"
    assert resolve_place("113.5, 23.1", "44").lon == 113.5
    assert resolve_place("九市镇", "44").code == "441226114"
    with pytest.raises(InputError, match="neither coordinates"):
        resolve_place("巴黎", "44")


def test_sampling_is_seeded_and_per_group():
    s = pd.DataFrame(
        {
            "code": [f"45{i:07d}" for i in range(12)],
            "lon": 108.0,
            "lat": 23.0,
            "city_code": ["4501"] * 6 + ["4502"] * 6,
            "status": ["a", "b"] * 6,
        }
    )
    one = sample_stations(s, "2-per-city", seed=3)
    assert one["city_code"].value_counts().to_dict() == {"4501": 2, "4502": 2}
    assert one["code"].tolist() == sample_stations(s, "2 per city", seed=3)["code"].tolist()
    spread = sample_stations(s, "2-per-city", seed=5, strata="status")
    assert (spread.groupby("city_code")["status"].nunique() == 2).all()
    with pytest.raises(InputError, match="N-per-city"):
        sample_stations(s, "two per town")


def test_working_days_skip_weekends():
    days = working_days("2024-11-08", 3)
    assert [d.isoformat() for d in days] == ["2024-11-08", "2024-11-11", "2024-11-12"]
    assert len(working_days("2024-11-04", last="2024-11-10", weekends=True)) == 7


@pytest.fixture(scope="module")
def guangdong_stations():
    from coverage.data.provinces import default_stations_path
    from coverage.data.stations import read_stations

    return station_table(read_stations(default_stations_path("44"), province="44").stations)


def test_guangdong_2020_pattern_two_tours_of_ten(guangdong_stations):
    """The evaluation pattern: 20 stations in two working weeks from 广州市, two a day, home at the
    weekend: two tours of 5 days, 10 stations each, the Friday night in 广州市 (expressways at 80 km/h,
    days to 19:00 and a 2-hour evening transfer, as a team does on the road)."""
    hard = ["445122102", "445122104", "441427104"]  # 饶平县上饶镇, 饶平县新丰镇, 蕉岭县新铺镇: the far east
    stations = guangdong_stations[~guangdong_stations["code"].isin(hard)]
    assert len(stations) == 20
    gz = capital("44")
    req = TripRequest(stations, gz, gz, working_days("2024-11-04", 10), evening_min=120, day_end="19:00")
    plan = plan_trip(req, StraightLine(speed_kmh=80), options=False)
    assert req.tours == (5, 5) and plan.unvisited.empty
    days = plan.days
    assert days["tour"].tolist() == [1] * 5 + [2] * 5
    assert days.groupby("tour")["visits"].apply(lambda v: sum(map(len, v))).tolist() == [10, 10]
    assert days["visits"].map(len).le(2).all() and (days["over_min"] == 0).all()
    assert days["overnight"].iloc[4] == days["overnight"].iloc[9] == "广州市"  # home on Friday, and at the end
    mondays = plan.legs[plan.legs["day"].isin([1, 6])].groupby("day").head(1)
    assert mondays["from_name"].tolist() == ["广州市", "广州市"]  # each tour leaves from 广州市
    doc = plan.to_json()
    assert doc["tours"] == [
        {"tour": 1, "days": 5, "first": "2024-11-04", "last": "2024-11-08"},
        {"tour": 2, "days": 5, "first": "2024-11-11", "last": "2024-11-15"},
    ]
    assert doc["bound_min"] is None or doc["bound_min"] <= doc["total_travel_min"]


def test_guangdong_two_per_city_in_two_weeks_is_exact(guangdong_stations):
    """2 per city (20) in 10 working days at the default speeds: 13 fit; proven optimal (every tour
    enumerated); all 20 need 17 working days, and 16 are proven too few."""
    chosen = sample_stations(guangdong_stations, (2, "city"), seed=0)
    gz = capital("44")
    plan = plan_trip(TripRequest(chosen, gz, gz, working_days("2024-11-04", 10)))
    assert len(plan.unvisited) == 7 and plan.status == "optimal" and plan.gap == 0 and plan.cut == ""
    fewest = next(o for o in plan.options if o["choice"] == "fewest days")
    assert (fewest["days"], fewest["tours"], fewest["proven"]) == (17, 4, True)
    evening = next(o for o in plan.options if o["choice"] == "allow an evening transfer")
    assert not evening["fits"]  # 20 visits in 10 days: every day full, and no day from 广州市 holds two


def test_exports(guangdong_stations):
    from coverage.field.trip_export import day_table, visit_table

    part = guangdong_stations[guangdong_stations["city_code"] == "4412"]
    plan = plan_trip(
        TripRequest(part, capital("44"), capital("44"), working_days("2024-11-04", 2)), StraightLine(speed_kmh=80)
    )
    ics = to_ics(plan)
    assert ics.startswith("BEGIN:VCALENDAR\r\n") and ics.endswith("END:VCALENDAR\r\n")
    assert ics.count("BEGIN:VEVENT") == len(plan.legs) + len(part)
    assert all(len(line.encode("utf-8")) <= 75 for line in ics.split("\r\n"))
    # an independent reader sees the same events, in China time (UTC+8)
    import icalendar

    cal = icalendar.Calendar.from_ical(ics)
    events = [e for e in cal.walk("VEVENT")]
    assert len(events) == len(plan.legs) + len(part)
    first = events[0]["DTSTART"].dt
    assert first.utcoffset() == dt.timedelta(hours=8)
    assert first.replace(tzinfo=None) == plan.legs["depart"].iloc[0].to_pydatetime().replace(tzinfo=None)
    assert [c.name for c in cal.subcomponents][0] == "VTIMEZONE"
    assert set(to_sheets(plan)) == {"每日行程", "走访时间", "逐段车程", "未安排"}
    assert set(to_sheets(plan, "en")) == {"days", "visits", "drives", "not visited"}
    table = day_table(plan)
    assert list(table.columns)[:4] == ["天", "日期", "第几趟", "走访"] and "overnight_code" not in table.columns
    assert all(re.fullmatch(r"\d+:\d\d", v) for v in table["车程（时:分）"])
    assert all(re.fullmatch(r"\d+", v) for v in table["里程（km）"])
    assert visit_table(plan)["到达"].tolist() == [
        f"{a:%H:%M}" for a in plan.legs[plan.legs["to_kind"] == "station"]["arrive"]
    ]


def test_chinese_printout_has_every_visit_with_its_times(guangdong_stations):
    part = guangdong_stations[guangdong_stations["city_code"].isin(["4412", "4418"])]
    plan = plan_trip(TripRequest(part, capital("44"), capital("44"), working_days("2024-11-04", 3)), options=False)
    page = to_html(plan)
    assert "<html lang='zh'>" in page and "实地评估行程" in page and "Day" not in page
    text = re.sub(r"<[^>]+>", " ", page)
    for leg in plan.legs[plan.legs["to_kind"] == "station"].to_dict("records"):
        leave = plan.legs[(plan.legs["day"] == leg["day"]) & (plan.legs["depart"] >= leg["visit_end"])]["depart"].min()
        visit = f"{leg['arrive']:%H:%M}–{leg['visit_end']:%H:%M} 走访"
        assert visit in " ".join(text.split()), visit
        assert f"到达 {leg['arrive']:%H:%M} · 离开 {leave:%H:%M}" in text
    for d in plan.days.to_dict("records"):
        assert f"第 {d['day']} 天 · {d['date'].isoformat()}" in text and f"住宿：{d['overnight']}" in text
    assert page.count("<svg class='route'") == len(plan.days)  # a small map of each day's route
    english = to_html(plan, "en")
    assert "<html lang='en'>" in english and "Day 1 · 2024-11-04 (Mon)" in english and "走访" not in english


def _cut_loop(p, rounds=30):
    """Run the day-block model's LP cutting-plane loop; return the model, the cuts and the LP values."""
    from coverage.field.trip_solver import _add_cuts, _blocks, _DayBlocks
    from coverage.optimise.highs import new_highs

    model = _DayBlocks(p, _blocks(p, np.array(p.places)))
    h = new_highs(30, 1e-6)
    h.passModel(model.relaxation())
    cuts, values = [], []
    for _ in range(rounds):
        h.run()
        x = np.asarray(h.getSolution().col_value)
        values.append(h.getInfo().objective_function_value)
        new = [(row, 0.0) for row in model.connectivity_cuts(x)] + model.odd_set_cuts(x)
        if not new:
            break
        _add_cuts(h, new)
        cuts += new
    return model, cuts, values


@pytest.mark.parametrize("seed", range(6))
def test_day_block_cuts_keep_the_optimum(seed):
    """Every connectivity and odd-set cut is valid: the optimal plan (dynamic program) satisfies it,
    and the strengthened LP stays below the optimum while rising with each round."""
    p = random_problem(seed, n=8, towns=4, days=4, per_day=2)
    p.weights[:] = 1.0
    best = solve_dp(p)
    model, cuts, values = _cut_loop(p)
    x = model.columns_of(best)
    assert x is not None and model.cost[: model.nb] @ x[: model.nb] == pytest.approx(best.travel_min)
    assert all(row @ x >= lo - 1e-9 for row, lo in cuts)
    assert values == sorted(values)
    assert values[-1] <= model.cost @ x + 1e-6


def test_connectivity_cut_for_a_day_out_of_reach():
    """Start 0 km; station 0 next to it, station 1 next to a far town: a plan that covers station 1
    by a day at the far town without ever going there is cut off, and the cut says 'enter the town'."""
    from coverage.field.trip_solver import _blocks, _DayBlocks

    x = np.array([1.0, 100.0, 100.0, 0.0])  # stations 0 and 1, far town (2), start/end town (3)
    p = TripProblem(np.abs(x[:, None] - x[None, :]), 2, (2, 3), 3, 3, days=3, per_day=1, visit_min=60, day_min=480)
    model = _DayBlocks(p, _blocks(p, np.array(p.places)))
    far = p.places.index(2)
    home = p.places.index(3)
    s, e = int(model.source[0]), int(model.sink[0])
    v = np.zeros(len(model.cost))
    v[model.index[(0, s, home, 1 << 0)]] = 1  # start -> station 0 -> home
    v[model.index[(0, home, e, 0)]] = 1  # home -> end
    v[model.index[(0, far, far, 1 << 1)]] = 1  # a day from the far town, never reached
    (row,) = model.connectivity_cuts(v)
    assert row @ v == -1.0
    assert row[model.index[(0, far, far, 1 << 1)]] == -1.0  # the stray day ...
    assert row[model.index[(0, home, far, 0)]] == 1.0  # ... needs a day that enters the far town
    assert solve_blocks(p).travel_min == solve_dp(p).travel_min == solve_tours(p).travel_min == 200


def test_day_blocks_prove_the_optimum_of_a_mid_size_trip():
    p = random_problem(11, n=12, towns=5, days=6, per_day=2)
    p.weights[:] = 1.0
    dp, blocks = solve_dp(p), solve_blocks(p, 60)
    assert blocks.status == "optimal" and blocks.gap == 0
    assert key(p, blocks) == pytest.approx(key(p, dp))


@hsettings(max_examples=60, deadline=None)
@given(st.floats(0, 800), st.floats(0, 800), st.floats(10, 60), st.floats(0, 60), st.floats(0, 100))
def test_two_speed_minutes_is_a_metric_between_the_two_speeds(a, b, local_kmh, extra_kmh, local_km):
    from coverage.analysis.travel import two_speed_minutes

    long_kmh = local_kmh + extra_kmh

    def f(km):
        return float(two_speed_minutes(km, local_kmh, long_kmh, local_km))

    assert f(a + b) <= f(a) + f(b) + 1e-9  # a stop on the way never saves time
    assert (a <= b) == (f(a) <= f(b)) or a == b or f(a) == f(b)
    assert a * 60 / long_kmh - 1e-9 <= f(a) <= a * 60 / local_kmh + 1e-9


def test_default_trip_travel_is_local_then_intercity():
    """南宁 (capital) to a township 2 km away and to one ~350 km away (桂林 area): the short leg at 40 km/h,
    the long one at 40 km/h for 30 road km, then 80 km/h."""
    places = [Place("a", "南宁", 108.32, 22.82), Place("b", "近", 108.34, 22.82), Place("c", "桂林", 110.29, 25.27)]
    minutes, km = StraightLine.for_trips().matrices(places)
    one_speed, _ = StraightLine().matrices(places)
    assert minutes[0, 1] == pytest.approx(one_speed[0, 1])  # 2.6 road km: local speed only
    assert minutes[0, 2] == pytest.approx(30 * 60 / 40 + (km[0, 2] - 30) * 60 / 80)
    assert 5.5 * 60 < minutes[0, 2] < 6.5 * 60 and 420 < km[0, 2] < 440
    assert StraightLine().matrices(places)[0][0, 2] == pytest.approx(one_speed[0, 2])


def test_day_blocks_leave_the_callers_warm_start_unchanged():
    """solve_blocks used to append to the warm plan's solver text and set its bound in place."""
    import copy

    p = random_problem(3)
    warm = solve_dp(p)
    warm.bound_min, warm.solver = 0.0, "given"  # as a heuristic plan would come, without a bound
    before = copy.deepcopy(warm)
    result = solve_blocks(p, 0.01, warm=warm)  # no time to solve: the warm plan comes back, with a bound
    assert warm == before
    assert result is not warm and result.routes == warm.routes and result.solver.startswith("given; ")
    result.routes[0].append(99)
    assert warm == before
