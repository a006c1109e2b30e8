"""Siting models: spopt's published San Francisco optima, hand-solvable cases, rules, heuristics."""

from importlib.resources import files

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from coverage._errors import InputError
from coverage.optimise.siting import (
    SitingProblem,
    greedy_swap_mclp,
    merge_rows,
    solve_lscp,
    solve_mclp,
    solve_pcenter,
    solve_pmedian,
)


@pytest.fixture(scope="module")
def san_francisco():
    """spopt's instance: 205 census tracts x 16 candidate stores, network metres, POP2000 weights."""
    data = files("spopt") / "tests" / "test_locate" / "data"
    dist = pd.read_csv(data / "SF_network_distance_candidateStore_16_censusTract_205_new.csv")
    tracts = pd.read_csv(data / "SF_demand_205_centroid_uniform_weight.csv")
    cost = dist.pivot_table(index="DestinationName", columns="name", values="distance")
    weights = tracts.set_index("NAME")["POP2000"].reindex(cost.index)
    assert cost.shape == (205, 16) and weights.notna().all()
    return SitingProblem.from_cost_matrix(cost, weights.to_numpy())


@pytest.mark.parametrize("method", ["exact", "heuristic"])
def test_sf_mclp(san_francisco, method):
    r = solve_mclp(san_francisco, radius=5000, p=4, method=method)
    assert r.objective == 875_247
    assert r.bound >= r.objective - 1e-6


def test_sf_lscp(san_francisco):
    r = solve_lscp(san_francisco, radius=5000)
    assert r.objective == 8 and r.gap == 0 and r.covered_share == 1.0


@pytest.mark.parametrize("method", ["exact", "heuristic"])
def test_sf_pmedian(san_francisco, method):
    r = solve_pmedian(san_francisco, p=4, method=method)
    assert r.objective == pytest.approx(2_848_268_129.71, abs=0.01)
    assert r.bound <= r.objective + 1e-3


def test_sf_pcenter(san_francisco):
    r = solve_pcenter(san_francisco, p=4)
    assert r.objective == pytest.approx(7_403.06, abs=0.005)


def test_hand_solvable_mclp_and_existing_stations():
    # demand a, b, c; candidates X covers a and c, Y covers b; an existing station already covers c
    cost = np.array([[1.0, 9.0], [9.0, 1.0], [1.0, 9.0]])
    prob = SitingProblem.from_cost_matrix(cost, weights=[3, 5, 4], candidate_ids=["X", "Y"], existing_cost=[9, 9, 0])
    r = solve_mclp(prob, radius=2, p=1)
    assert r.selected == ["Y"] and r.objective == 5  # X would add only a (3): c is served already
    assert r.covered_share == pytest.approx((4 + 5) / 12)


def test_identical_rows_are_merged():
    A = sp.csr_matrix(np.array([[1, 0, 1], [1, 0, 1], [0, 1, 0], [1, 0, 1]], dtype=bool))
    merged, w, codes = merge_rows(A, np.array([1.0, 2.0, 3.0, 4.0]))
    assert merged.shape == (2, 3)
    assert sorted(w.tolist()) == [3.0, 7.0]
    assert codes[0] == codes[1] == codes[3] != codes[2]


def test_county_minimum_and_maximum():
    # four candidates, two per county; all demand sits near county A's candidates
    cost = np.array([[0.0, 0.0, 9.0, 9.0], [0.0, 9.0, 9.0, 9.0], [9.0, 0.0, 9.0, 9.0], [9.0, 9.0, 0.0, 9.0]])
    prob = SitingProblem.from_cost_matrix(
        cost, weights=[10, 10, 10, 1], candidate_ids=["a1", "a2", "b1", "b2"], groups=["A", "A", "B", "B"]
    )
    free = solve_mclp(prob, radius=1, p=2)
    assert free.selected == ["a1", "a2"]
    ruled = solve_mclp(prob, radius=1, p=2, group_min={"B": 1})
    assert sum(s.startswith("b") for s in ruled.selected) >= 1
    capped = solve_mclp(prob, radius=1, p=2, group_max={"A": 1})
    assert sum(s.startswith("a") for s in capped.selected) <= 1
    heuristic = solve_mclp(prob, radius=1, p=2, group_min={"B": 1}, method="heuristic")
    assert sum(s.startswith("b") for s in heuristic.selected) >= 1 and heuristic.objective <= ruled.bound + 1e-9


def test_at_most_one_new_station_per_township():
    cost = np.array([[0.0, 0.0, 9.0], [0.0, 0.0, 9.0], [9.0, 9.0, 0.0]])
    prob = SitingProblem.from_cost_matrix(
        cost, weights=[5, 5, 1], candidate_ids=["s1", "s2", "s3"], exclusive=["T1", "T1", "T2"]
    )
    r = solve_mclp(prob, radius=1, p=2)
    assert sorted(r.selected) in (["s1", "s3"], ["s2", "s3"])


def test_lscp_partial_share_and_unreachable():
    cost = np.array([[0.0, 9.0], [9.0, 0.0], [9.0, 9.0]])
    prob = SitingProblem.from_cost_matrix(cost, weights=[6, 3, 1])
    assert solve_lscp(prob, radius=1, share=0.5).objective == 1
    with pytest.raises(InputError, match="out of reach"):
        solve_lscp(prob, radius=1, share=1.0)


def test_bad_requests_say_what_to_do():
    prob = SitingProblem.from_cost_matrix(np.ones((2, 2)), weights=[1, 1])
    with pytest.raises(InputError, match="only 2 candidate sites"):
        solve_mclp(prob, radius=1, p=3)
    with pytest.raises(InputError, match="one weight per row"):
        SitingProblem.from_cost_matrix(np.ones((2, 2)), weights=[1])


def test_problem_built_directly_has_no_existing_stations_by_default():
    # existing_cost left at None means "no existing station" (covering() raised TypeError on it before)
    coverage = sp.csr_matrix(np.array([[1, 0], [0, 1], [1, 0]], dtype=bool))
    prob = SitingProblem(
        np.array(["a", "b", "c"]), np.array([3.0, 5.0, 4.0]), np.array(["X", "Y"]), coverage=coverage, coverage_radius=1
    )
    r = solve_mclp(prob, radius=1, p=1)
    assert r.selected == ["X"] and r.objective == 7 and r.covered_share == pytest.approx(7 / 12)
    with pytest.raises(InputError, match="neither costs nor a coverage matrix"):
        SitingProblem(np.array(["a"]), np.array([1.0]), np.array(["X"])).covering(1.0)


@pytest.mark.parametrize("method", ["exact", "heuristic"])
def test_county_rules_apply_only_to_candidates_with_counties(method):
    # the exact model skips a county minimum when the candidates have no counties; the greedy
    # heuristic crashed on it ("max() arg is an empty sequence") before
    prob = SitingProblem.from_cost_matrix(np.array([[1.0, 9.0], [9.0, 1.0], [2.0, 2.0]]), weights=[10, 5, 1])
    r = solve_mclp(prob, radius=3, p=1, group_min={"A": 1}, method=method)
    assert r.selected == ["0"] and r.objective == 11


@pytest.mark.parametrize("seed", range(8))
def test_heuristic_never_beats_the_exact_bound(seed):
    rng = np.random.default_rng(seed)
    cost = rng.uniform(0, 10, size=(60, 12))
    prob = SitingProblem.from_cost_matrix(cost, weights=rng.integers(1, 20, 60))
    exact = solve_mclp(prob, radius=3, p=3, method="exact")
    heur = solve_mclp(prob, radius=3, p=3, method="heuristic")
    assert exact.gap == 0
    assert heur.objective <= exact.objective + 1e-9
    assert heur.objective <= heur.bound + 1e-9
    A, _ = prob.covering(3)
    chosen = greedy_swap_mclp(A, prob.weights, 3)
    assert len(chosen) == 3
    pm_exact = solve_pmedian(prob, p=3, method="exact")
    pm_heur = solve_pmedian(prob, p=3, method="heuristic")
    assert pm_heur.objective >= pm_exact.objective - 1e-6
    assert pm_heur.bound <= pm_exact.objective + 1e-6  # the Lagrangian bound is a valid lower bound


def test_pcenter_top_up_keeps_the_county_rules():
    """One demand point; candidate 2 alone reaches it at cost 1.  p = 2 asks for a second station,
    which must not go to county A (maximum 0): the top-up used to take candidate 0 regardless."""
    problem = SitingProblem.from_cost_matrix([[5.0, 5.0, 1.0, 9.0]], groups=["A", "A", "B", "B"])
    r = solve_pcenter(problem, 2, group_max={"A": 0, "B": 2})
    assert sorted(r.selected) == ["2", "3"] and r.objective == 1.0 and r.status == "optimal"
    # every demand point already served by an existing station: the minimums still decide
    served = SitingProblem.from_cost_matrix([[5.0, 5.0, 1.0, 9.0]], groups=["A", "A", "B", "B"], existing_cost=[0.0])
    r = solve_pcenter(served, 2, group_min={"B": 2})
    assert sorted(r.selected) == ["2", "3"] and r.objective == 0.0


def test_pcenter_is_not_optimal_when_a_covering_model_stopped_at_its_time_limit(monkeypatch):
    """A covering MIP cut off by its time limit with a poor incumbent (more stations than p) does
    not prove a radius out of reach, so p-center must not call its answer optimal."""
    from coverage.optimise import siting

    exact = siting.solve_lscp

    def cut_off(sub, d, *args, **kwargs):
        r = exact(sub, d, *args, **kwargs)
        if d < 3:  # pretend HiGHS stopped early with every candidate open and a weak bound
            r.selected, r.status, r.bound = list(sub.candidate_ids), "time limit reached", 1.0
        return r

    cost = [[1.0, 2.0, 4.0], [2.0, 1.0, 4.0], [4.0, 4.0, 2.0]]  # optimum: candidate 2 and one of 0, 1
    honest = solve_pcenter(SitingProblem.from_cost_matrix(cost), 2)
    assert honest.objective == 2.0 and honest.status == "optimal"
    monkeypatch.setattr(siting, "solve_lscp", cut_off)
    r = solve_pcenter(SitingProblem.from_cost_matrix(cost), 2)
    assert r.status != "optimal" and r.bound <= 2.0 <= r.objective


def test_siting_demand_through_the_need_measure_is_unchanged(guangxi):
    """Demand "villages" is still each township's villages + communities (at least 1) spread over its cells."""
    from coverage.analysis.demand import grid_demand
    from coverage.coords import projected_crs_for
    from coverage.optimise.candidates import siting_demand

    county = guangxi.townships[guangxi.townships["county_code"] == "450126"]
    towns_m = county.to_crs(projected_crs_for(county))
    old = pd.Series(
        (towns_m["n_villages"].fillna(0) + towns_m["n_communities"].fillna(0)).clip(lower=1).to_numpy(dtype=float),
        index=towns_m["code"].astype(str).to_numpy(),
    )
    before = grid_demand(towns_m, 1000.0, weights=old)
    after = siting_demand(towns_m, "villages", 1000.0)
    assert np.array_equal(after.weight, before.weight) and np.array_equal(after.x, before.x)
    assert after.kind == "grid cells (1 km)" and after.need == "proxy: villages and communities"
    area = siting_demand(towns_m, "area", 1000.0)
    assert np.array_equal(area.weight, grid_demand(towns_m, 1000.0).weight)
