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
