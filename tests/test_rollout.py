"""Rollout plans: nested years meeting every target exactly, county rules, reasons; need scores."""

import math
from fractions import Fraction

import pandas as pd
import pytest

from coverage.analysis.admin import TargetSchedule, parse_targets
from coverage.analysis.need import need_scores
from coverage.data.provinces import default_stations_path
from coverage.data.stations import read_stations
from coverage.optimise.rollout import plan_rollout


@pytest.fixture(scope="module")
def gx_stations():
    return read_stations(default_stations_path("45"), province="45").stations


@pytest.fixture(scope="module")
def plan(guangxi, gx_stations):
    return plan_rollout(guangxi, gx_stations, "2021-12-31")


def test_years_are_nested_and_meet_every_target_exactly(plan, guangxi):
    assert [y.date.isoformat() for y in plan.years] == ["2022-12-31", "2023-12-31"]
    counted = int(guangxi.townships["counted"].sum())
    opened_so_far = set()
    for y in plan.years:
        assert opened_so_far.isdisjoint(y.opened)  # each township opens once
        opened_so_far |= set(y.opened)
        required = math.ceil(Fraction(str(y.target_share)) * counted)
        assert 375 + len(opened_so_far) == required == y.required_total
        assert y.rate_after >= y.target_share
    assert len(plan.years[0].opened) == 377 and len(plan.years[1].opened) == 501
    assert plan.gap <= 1e-3
    assert plan.years[0].demand_share_within_after < plan.years[1].demand_share_within_after


def test_reasons_explain_each_opening(plan):
    reasons = plan.years[0].reasons
    assert reasons["code"].tolist() == plan.years[0].opened
    assert {"score", "villages", "demand_beyond", "distance", "demand_gained"} <= set(reasons.columns)
    gains = reasons["demand_gained"].to_numpy()
    assert (gains[:-1] >= gains[1:] - 1e-9).all()  # a greedy walk: gains never increase


def test_heuristic_plan_is_below_the_bound(guangxi, gx_stations, plan):
    heur = plan_rollout(guangxi, gx_stations, "2021-12-31", method="heuristic")
    assert heur.objective <= plan.bound + 1e-6
    assert heur.objective <= heur.bound + 1e-6
    assert [len(y.opened) for y in heur.years] == [377, 501]


def test_county_target_override_is_met(guangxi, gx_stations):
    schedule = TargetSchedule(parse_targets("2022-12-31:35"), {"451029": parse_targets("2022-12-31:80")})
    plan = plan_rollout(guangxi, gx_stations, "2021-12-31", schedule)
    opened = set(plan.years[0].opened)
    towns = guangxi.townships
    tianlin = towns[(towns["county_code"] == "451029") & towns["counted"]]
    covered_now = set(gx_stations["township_code"])
    have = len(set(tianlin["code"]) & (covered_now | opened))
    assert have >= math.ceil(0.8 * len(tianlin))
    assert plan.notes


def test_no_future_target_is_an_input_error(guangxi, gx_stations):
    with pytest.raises(ValueError, match="dated on or before"):
        plan_rollout(guangxi, gx_stations, "2024-06-30")


def test_need_scores_rank_and_explain(guangxi, gx_stations):
    extra = pd.DataFrame({"code": ["451002204", "450802201"], "低保人数": [10, 500]})
    table = need_scores(guangxi.townships, gx_stations, "2021-12-31", extra=extra)
    assert len(table) == 1253 - 375
    assert table["rank"].tolist() == list(range(1, len(table) + 1))
    assert table["score"].is_monotonic_decreasing
    assert {"villages_scaled", "distance_scaled", "低保人数", "低保人数_scaled"} <= set(table.columns)
    top = table.iloc[0]
    parts = [c for c in table.attrs["weights"]]
    expected = (
        100 * sum(table.attrs["weights"][c] * top[f"{c}_scaled"] for c in parts) / sum(table.attrs["weights"].values())
    )
    assert top["score"] == pytest.approx(expected, abs=0.01)
    assert table.loc[table["code"] == "450802201", "低保人数_scaled"].iloc[0] == 1.0


# --------------------------------------------------------------------------- money and staff (issue 15)
def test_count_plan_spends_build_and_running_each_year():
    from coverage.optimise.budget import count_plan
    from coverage.optimise.capacity import Menu

    menu = Menu.from_pairs([(2, 100_000), (4, 150_000)])  # running 170,000 and 290,000 a year
    plan = count_plan([10, 25], menu, budget_yuan=[2_700_000, 5_750_000], workers=[20, 30])
    # 10 small stations in year 1 (10 x 270,000); 15 more in year 2: 15 x 100,000 + 25 x 170,000
    assert plan.feasible and plan.opened == [[10, 0], [15, 0]]
    assert plan.spend_yuan == [2_700_000.0, 5_750_000.0] and plan.workers == [20.0, 50.0]
    assert not count_plan([10, 25], menu, budget_yuan=[2_699_999, 5_750_000]).feasible
    assert not count_plan([10, 25], menu, workers=[19, 100]).feasible


def test_a_budget_too_small_is_reported_exactly():
    """377 then 878 new stations (Guangxi from 2021-12-31) at the smallest size (2 workers: build
    100,000, run 170,000 a year): 2022 needs 377 x 270,000 = 101,790,000, 1亿 is 1,790,000 short;
    2023 needs 501 x 100,000 + 878 x 170,000 = 199,360,000, within 2亿.  With 1亿 in 2022 at most
    370 stations open; 2亿 a year then runs at most 877 by 2023 (27万 x N <= 2亿 + 370 x 10万)."""
    import datetime as dt

    from coverage.optimise.budget import Resources, shortfall
    from coverage.optimise.capacity import Menu

    plan, extended = Resources.for_years([2022, 2023], {2022: 1e8, 2023: 2e8}, {2022: 10_000, 2023: 10_000})
    dates = [dt.date(2022, 12, 31), dt.date(2023, 12, 31)]
    short = shortfall([377, 878], dates, [0.6, 1.0], Menu.default(), plan, extended, most=878)
    assert short.money_only_yuan == [1_790_000.0, 0.0]
    assert short.workers_only is None  # more workers cannot pay for the 2022 stations
    assert [(x.share, x.reachable) for x in short.later] == [(0.6, dt.date(2023, 12, 31)), (1.0, dt.date(2024, 12, 31))]
    assert short.lines()[0] == "more money: 2022: 179万 more (with the workers given)"
    assert Resources.for_years([2022, 2023], {2022: 1e8, 2023: 3e8}, None)[0].budget_yuan == [1e8, 3e8]


def test_resources_need_every_target_year():
    from coverage._errors import InputError
    from coverage.optimise.budget import Resources

    with pytest.raises(InputError, match="--budget has no value for 2023; give one for every target year"):
        Resources.for_years([2022, 2023], {2022: 1e8}, None)
    with pytest.raises(InputError, match="--workers for 2021, which is not a target year"):
        Resources.for_years([2022, 2023], None, {2021: 5, 2022: 5, 2023: 5})


def test_plan_within_a_small_budget_reports_the_shortfall(guangxi, gx_stations):
    from coverage.optimise.rollout import PlanCapacity

    capacity = PlanCapacity(budget_yuan={2022: 1e8, 2023: 2e8}, workers={2022: 10_000, 2023: 10_000})
    plan = plan_rollout(guangxi, gx_stations, "2021-12-31", capacity=capacity)
    assert not plan.feasible and plan.years == []
    assert plan.shortfall.money_only_yuan == [1_790_000.0, 0.0]
    assert plan.to_json()["shortfall"]["ways_out"][0] == "more money: 2022: 179万 more (with the workers given)"
    assert plan.need == "proxy: villages and communities"  # no need table: the proxy is named as one


@pytest.fixture(scope="module")
def nanning():
    """南宁市 alone, as a small province for budgeted plans."""
    from dataclasses import replace

    from coverage.data.provinces import load_province

    gx = load_province("45")
    towns = gx.townships[gx.townships["city_code"] == "4501"].reset_index(drop=True)
    return replace(gx, townships=towns)


def test_budgeted_plan_meets_targets_within_money_and_staff(nanning, gx_stations):
    from coverage.optimise.rollout import PlanCapacity

    stations = gx_stations[gx_stations["city_code"] == "4501"]
    budget = {2022: 2.5e7, 2023: 4.5e7}
    workers = {2022: 80, 2023: 100}
    plan = plan_rollout(nanning, stations, "2021-12-31", capacity=PlanCapacity(budget_yuan=budget, workers=workers))
    assert plan.feasible and plan.capacitated and plan.gap <= 0.01
    counted = int(nanning.townships["counted"].sum())
    have = len(set(stations["township_code"]) & set(nanning.townships["code"]))
    opened: set[str] = set()
    supply = 0
    for y in plan.years:
        assert opened.isdisjoint(y.opened)
        opened |= set(y.opened)
        assert have + len(opened) >= math.ceil(Fraction(str(y.target_share)) * counted)
        assert y.spend_yuan <= budget[y.date.year] + 1e-6 and y.budget_yuan == budget[y.date.year]
        supply += workers[y.date.year]
        assert y.new_workers <= supply and y.workers_supply == supply
        assert set(y.sizes.values()) <= {2.0, 4.0, 6.0} and set(y.opened) <= set(y.sizes)
    assert plan.years[0].served_share_after <= plan.years[1].served_share_after
    assert {"county_code", "need", "reach_before", "reach_after"} <= set(plan.equity.columns)
    assert plan.gini_before >= 0 and plan.gini_after >= 0
    document = plan.to_json()
    assert document["need"].startswith("proxy:") and document["demand_points"] == "grid cells (1 km)"
