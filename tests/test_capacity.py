"""Capacity: hand-solved capacitated instances, the uncapacitated limit, menus, loads, equity."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from coverage._errors import InputError
from coverage.optimise.capacity import (
    CapacityProblem,
    Menu,
    catchment_loads,
    county_reach,
    fixed_options,
    gini,
    menu_options,
    mixed_options,
    overloaded,
    served_by_existing,
    solve_capacitated,
    station_capacity,
)
from coverage.optimise.siting import SitingProblem, solve_mclp

EXACT = 1e-9  # solve these small instances to optimality, not to the 1 % of large ones


def three_by_three(capacity=(5.0, 7.0, 5.0)):
    """Demand a = 6, b = 4, c = 5; X reaches a and b, Y b and c, Z c (radius 2)."""
    cost = np.array([[1.0, 9.0, 9.0], [1.0, 1.0, 9.0], [9.0, 1.0, 1.0]])
    problem = SitingProblem.from_cost_matrix(cost, [6, 4, 5], candidate_ids=["X", "Y", "Z"])
    return CapacityProblem.from_siting(problem, 2.0, fixed_options(capacity))


@pytest.mark.parametrize("method", ["exact", "heuristic"])
def test_3x3_one_station_capacity_changes_the_choice(method):
    # uncapacitated, X reaches the most demand (6 + 4); with capacities 5 / 7 / 5 Y serves the most (7)
    cp = three_by_three()
    assert solve_mclp(cp.siting, 2.0, p=1).selected == ["X"]
    r = solve_capacitated(cp, p=1, method=method, mip_gap=EXACT)
    assert r.selected == ["Y"] and r.objective == 7.0 and r.capacity_of == {"Y": 7.0}
    assert r.bound >= r.objective


def test_3x3_two_stations_fill_both_capacities():
    # {X, Y}: X takes 5 of a, Y takes b (4) and 3 of c: 12, every unit of capacity used;
    # {Y, Z}: only b + c = 9 is reachable; {X, Z}: 5 + 5 = 10
    r = solve_capacitated(three_by_three(), p=2, mip_gap=EXACT)
    assert sorted(r.selected) == ["X", "Y"] and r.objective == 12.0 and r.gap == 0
    assert r.covered_share == pytest.approx(12 / 15)
    assert r.site_served[:2].tolist() == [5.0, 7.0]
    # each point's served amount adds up to the total, and never exceeds its weight
    assert r.point_served.sum() == pytest.approx(12.0)
    assert (r.point_served <= np.array([6, 4, 5]) + 1e-9).all()


def five_by_four():
    """Five demand points, four candidates, one existing station E (capacity 2, reaching d2).

    d1 = 2, d2 = 4, d3 = 1, d4 = 1, d5 = 5; A reaches d1, d2; B d2; C d3, d4; D d4, d5.
    Sizes: 1 worker (capacity 3, build 10,000) or 2 workers (capacity 6, build 15,000).
    """
    reach = np.array(
        [
            [1, 0, 0, 0],
            [1, 1, 0, 0],
            [0, 0, 1, 0],
            [0, 0, 1, 1],
            [0, 0, 0, 1],
        ]
    )
    cost = np.where(reach == 1, 1.0, 9.0)
    problem = SitingProblem.from_cost_matrix(cost, [2, 4, 1, 1, 5], candidate_ids=list("ABCD"))
    menu = Menu.from_pairs([(1, 10_000), (2, 15_000)], running_per_worker_yuan=1_000, station_running_yuan=500)
    existing = sp.csr_matrix(np.array([[0], [1], [0], [0], [0]], dtype=bool))
    return CapacityProblem.from_siting(
        problem, 2.0, menu_options(4, menu, caseload=3.0), existing, existing_capacity=[2.0], existing_ids=["E"]
    )


def test_5x4_menu_workers_and_an_existing_station():
    # three workers for two stations: one of 2 (capacity 6), one of 1 (capacity 3).  D at 2 workers takes
    # d4 + d5 = 6, A at 1 worker takes d1 (2) and 1 of d2, E keeps 2 of d2: 11.  D6 + B3 gives 10 (B and
    # E share d2 = 4), A6 + D3 gives 9 (A and E share d1 + d2 = 6), C6 + D3 gives 9 (only 7 reachable).
    cp = five_by_four()
    r = solve_capacitated(cp, p=2, workers_limit=3, method="exact", mip_gap=EXACT)
    assert sorted(r.selected) == ["A", "D"] and r.sizes == {"A": 1.0, "D": 2.0}
    assert r.objective == 11.0 and r.served_before == 2.0 and r.details["served_gain"] == 9.0
    assert r.workers == 3.0
    assert r.cost_yuan == (10_000 + 1_500) + (15_000 + 2_500)  # build + a year's running, both stations
    assert served_by_existing(cp) == 2.0


def test_5x4_heuristic_is_feasible_and_below_its_bound():
    r = solve_capacitated(five_by_four(), p=2, workers_limit=3, method="heuristic", mip_gap=EXACT)
    assert len(r.selected) == 2 and r.workers <= 3
    assert r.objective <= 11.0 <= r.bound + 1e-9
    assert r.status == "heuristic" and r.gap == pytest.approx((r.bound - r.objective) / r.objective)


def test_5x4_a_budget_for_two_small_stations_only():
    # 23,000 yuan pays two stations of 1 worker (11,500 each with a year's running) but not a larger one;
    # then D3 + A3 serve 3 + 3 and E 2: 8
    r = solve_capacitated(five_by_four(), p=2, budget_yuan=23_000, mip_gap=EXACT)
    assert r.sizes == {"A": 1.0, "D": 1.0} and r.objective == 8.0 and r.cost_yuan == 23_000


def test_too_few_workers_for_p_stations_is_refused_with_the_least_needed():
    with pytest.raises(InputError, match="2 new stations need at least 2 workers even at their smallest size, 1 given"):
        solve_capacitated(five_by_four(), p=2, workers_limit=1)


def test_uncapacitated_gives_the_mclp_optimum(guangxi, guangxi_stations):
    """With unbounded capacity the demand served is the demand within the radius: the same optimum as MCLP."""
    from coverage.data.schema import open_on
    from coverage.optimise.candidates import covering_inputs

    towns = guangxi.townships
    county = towns[towns["county_code"] == "450126"]  # 宾阳县
    stations = guangxi_stations[open_on(guangxi_stations, "2021-12-31")]
    stations = stations[stations["county_code"] == "450126"]
    inputs = covering_inputs(county, stations, 10_000)
    mclp = solve_mclp(inputs.problem, 10_000, p=3, method="exact")
    unbounded = fixed_options(np.full(inputs.problem.n_candidates, np.inf))
    cp = CapacityProblem.from_siting(inputs.problem, 10_000, unbounded)  # existing stations: unbounded too
    r = solve_capacitated(cp, p=3, mip_gap=EXACT)
    already = float(inputs.problem.weights[inputs.problem.existing_costs() <= 10_000].sum())
    assert r.objective - already == pytest.approx(mclp.objective, rel=1e-9)
    assert r.served_before == pytest.approx(already)


def test_mixed_options_keep_the_menu_elsewhere():
    menu = Menu.from_pairs([(2, 100.0), (4, 150.0)])
    opts = mixed_options(3, menu, 10.0, {1: 25.0})
    assert opts.site.tolist() == [0, 0, 1, 2, 2]
    assert opts.capacity.tolist() == [20.0, 40.0, 25.0, 20.0, 40.0]
    assert opts.build_yuan.tolist() == [100.0, 150.0, 0.0, 100.0, 150.0]


def test_menu_checks_its_sizes():
    with pytest.raises(InputError, match="smallest first"):
        Menu((4, 2), (1.0, 2.0))
    with pytest.raises(InputError, match="workers per station: 0 is too small"):
        Menu((0,), (1.0,))


def test_station_capacity_from_columns_overrides_and_defaults():
    stations = pd.DataFrame(
        {"station_id": ["s1", "s2", "s3"], "township_code": ["1", "2", "3"], "workers": [5, None, None]}
    )
    caps, defaulted = station_capacity(stations, 4.0, default_workers=3, overrides={"s3": 7.5})
    assert caps.tolist() == [20.0, 12.0, 7.5] and defaulted == 1


def test_catchment_loads_and_overload():
    # points at 0, 1, 2, 10 km; sites at 0 and 2 km, radius 3 km: nearest site takes each point
    demand = np.array([[0.0, 0.0], [1000.0, 0.0], [2500.0, 0.0], [10_000.0, 0.0]])
    sites = np.array([[0.0, 0.0], [2000.0, 0.0]])
    load = catchment_loads(demand, np.array([1.0, 2.0, 3.0, 4.0]), sites, np.array([True, True]), 3000.0)
    assert load.tolist() == [3.0, 3.0]  # the point at 10 km reaches no site
    assert overloaded(load, np.array([2.0, 3.0])).tolist() == [True, False]


def test_gini_and_county_reach():
    assert gini([0.5, 0.5, 0.5]) == 0.0
    assert gini([0.0, 1.0]) == pytest.approx(0.5)
    need = pd.Series([10.0, 30.0, 20.0], index=["t1", "t2", "t3"])
    served = pd.Series([5.0, 30.0], index=["t1", "t2"])
    table = county_reach(need, served, pd.Series(["c1", "c1", "c2"], index=["t1", "t2", "t3"]))
    assert table.to_dict(orient="list") == {
        "county_code": ["c1", "c2"],
        "need": [40.0, 20.0],
        "served": [35.0, 0.0],
        "reach": [0.875, 0.0],
    }
