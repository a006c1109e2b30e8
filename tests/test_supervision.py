"""Supervision: assignments against brute force, load bounds, monthly rounds, Guangxi."""

import dataclasses
import itertools
import types

import numpy as np
import pandas as pd
import pytest

from coverage._errors import InputError
from coverage.field import supervision
from coverage.field.supervision import assign_from_matrix, assign_supervisors, monthly_rounds
from coverage.optimise.highs import NoSolutionInTime


def brute_assign(cost, lo, hi):
    nb, ns = cost.shape
    best = None
    for combo in itertools.product(range(nb), repeat=ns):
        loads = np.bincount(combo, minlength=nb)
        if (loads >= lo).all() and (loads <= hi).all():
            total = cost[list(combo), range(ns)].sum()
            best = total if best is None else min(best, total)
    return best


def brute_choose(cost, p, lo, hi):
    best = None
    for rows in itertools.combinations(range(cost.shape[0]), p):
        try:
            value = brute_assign(cost[list(rows)], lo, hi)
        except ValueError:
            value = None
        if value is not None:
            best = value if best is None else min(best, value)
    return best


@pytest.mark.parametrize("seed", range(5))
def test_given_bases_match_brute_force(seed):
    rng = np.random.default_rng(seed)
    cost = rng.uniform(0, 100, (3, 7)).round(1)
    a = assign_from_matrix(cost, min_load=2, max_load=3)
    assert a.objective == pytest.approx(brute_assign(cost, 2, 3))
    assert set(np.bincount(a.assignment, minlength=3)) <= {2, 3} and a.gap == 0


@pytest.mark.parametrize("seed", range(4))
def test_chosen_bases_match_brute_force(seed):
    rng = np.random.default_rng(seed)
    pts = rng.uniform(0, 50, (7, 2))
    cost = np.hypot(*(pts[:, None] - pts[None]).transpose(2, 0, 1))
    a = assign_from_matrix(cost, min_load=2, max_load=4, p=2, candidates_per_station=None)
    assert a.objective == pytest.approx(brute_choose(cost, 2, 2, 4), abs=1e-6)
    assert len(a.bases) == 2 and all(2 <= n <= 4 for n in a.loads)


def test_impossible_loads_say_what_to_do():
    with pytest.raises(InputError, match="use at least 3 supervisors"):
        assign_from_matrix(np.zeros((2, 17)), min_load=5, max_load=8)
    with pytest.raises(InputError, match="lower --min"):
        assign_from_matrix(np.zeros((4, 17)), min_load=5, max_load=8)


def test_locate_allocate_answers_when_the_exact_model_used_up_the_time(monkeypatch):
    # HiGHS can overrun its limit: when the exact model stops with a plan and no time is left, one
    # allocation round still runs and the better plan comes back (AttributeError on None before)
    rng = np.random.default_rng(3)
    pts = rng.uniform(0, 50, (7, 2))
    cost = np.hypot(*(pts[:, None] - pts[None]).transpose(2, 0, 1))
    clock = types.SimpleNamespace(now=0.0)
    real = supervision.assign_from_matrix

    def exact_until_the_limit(*args, **kwargs):
        result = real(*args, **kwargs)
        if kwargs.get("p") is not None and not kwargs.get("relax"):
            clock.now += 1e6
            result = dataclasses.replace(result, status="time limit reached")
        return result

    monkeypatch.setattr(supervision, "time", types.SimpleNamespace(perf_counter=lambda: clock.now))
    monkeypatch.setattr(supervision, "assign_from_matrix", exact_until_the_limit)
    a = supervision.locate_allocate(cost, 2, 2, 4, time_limit=10)
    assert a.status == "heuristic"
    assert a.objective == pytest.approx(brute_choose(cost, 2, 2, 4), abs=1e-6)
    assert len(a.bases) == 2 and all(2 <= n <= 4 for n in a.loads)


def test_locate_allocate_without_time_says_allow_more_time():
    cost = np.random.default_rng(0).uniform(1, 100, (12, 12))
    with pytest.raises(NoSolutionInTime, match="allow more time"):
        supervision.locate_allocate(cost, 3, 2, 6, time_limit=0.0)


def stations_grid(n):
    rng = np.random.default_rng(1)
    return pd.DataFrame(
        {
            "code": [f"4501{i:05d}" for i in range(n)],
            "name": [f"S{i}" for i in range(n)],
            "lon": 108 + rng.uniform(0, 1, n),
            "lat": 23 + rng.uniform(0, 1, n),
        }
    )


def test_bases_file_loads_and_binding_constraints():
    bases = pd.DataFrame({"name": ["A", "B"], "lon": [108.0, 109.0], "lat": [23.0, 24.0]})
    result = assign_supervisors(stations_grid(13), bases=bases, min_load=5, max_load=8)
    loads = result.supervisors["load"].tolist()
    assert sum(loads) == 13 and all(5 <= n <= 8 for n in loads)
    assert result.stations["supervisor"].notna().all()
    binds = set(result.supervisors["binds"])
    assert binds & {"at minimum load", "at maximum load"}
    doc = result.to_json()
    assert {"base", "stations", "travel_min"} <= set(doc["supervisors"][0])
    assert doc["total_travel_min"] == pytest.approx(sum(s["travel_min"] for s in doc["supervisors"]), abs=0.2)


def test_monthly_round_two_days_per_station():
    result = assign_supervisors(stations_grid(12), n_supervisors=2, min_load=5, max_load=8)
    calendar, totals = monthly_rounds(result, "2024-11")
    assert (totals["days_used"] == totals["stations"] * 2).all()
    assert (totals["working_days"] == 21).all() and totals["fits"].all()
    assert calendar.groupby("code")["hours"].sum().eq(16).all()
    assert calendar["date"].map(lambda d: d.weekday() < 5).all()
    per_day = calendar.groupby(["supervisor", "date"]).size()
    assert (per_day == 1).all()


def test_guangxi_all_stations():
    from coverage.data.provinces import default_stations_path
    from coverage.data.stations import read_stations

    stations = read_stations(default_stations_path("45"), province="45").stations
    result = assign_supervisors(stations)
    loads = result.supervisors["load"]
    assert len(result.stations) >= 375 and loads.sum() == len(result.stations)
    assert loads.between(5, 8).all() and len(loads) == int(np.ceil(len(result.stations) / 8))
    assert 0 < result.bound_min <= result.total_travel_min and result.gap < 0.15
