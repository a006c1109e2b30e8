"""The officials' report's "cost and staff" sheet (issue 15): a plan within money and staff, or its shortfall."""

from __future__ import annotations

import io
from dataclasses import replace

import openpyxl
import pytest

from coverage.optimise.rollout import PlanCapacity, plan_rollout
from coverage.present.report import cost_staff_table, officials_report

BUDGET = {2022: 2.5e7, 2023: 4.5e7}
WORKERS = {2022: 80, 2023: 100}


@pytest.fixture(scope="module")
def nanning(guangxi):
    towns = guangxi.townships[guangxi.townships["city_code"] == "4501"].reset_index(drop=True)
    return replace(guangxi, townships=towns)


@pytest.fixture(scope="module")
def nanning_stations(guangxi_stations):
    return guangxi_stations[guangxi_stations["city_code"] == "4501"]


@pytest.fixture(scope="module")
def plan(nanning, nanning_stations):
    capacity = PlanCapacity(budget_yuan=BUDGET, workers=WORKERS)
    return plan_rollout(nanning, nanning_stations, "2021-12-31", capacity=capacity)


def book(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def test_cost_and_staff_sheet_holds_the_plans_years(nanning, nanning_stations, plan):
    wb = book(officials_report(nanning, nanning_stations, "2021-12-31", rollout=plan, lang="zh"))
    assert wb.sheetnames == ["概况", "地图", "各市县", "滞后县", "推进计划", "经费与人员"]
    ws = wb["经费与人员"]
    assert ws["A2"].value == "需求：代理指标：村（社区）数；需求落点：1 公里网格；每名社工服务量 4"
    header = [c.value for c in ws[5]]
    assert header[:8] == [
        "日期", "当年新建站数", "当年支出（元）", "当年预算（元）", "新站社工合计（人）", "累计新增社工（人）",
        "需求满足率（计容量）", "超负荷站点数",
    ]  # fmt: skip
    table = cost_staff_table(plan)
    rows = [[c.value for c in ws[r]][:8] for r in (6, 7)]
    assert [r[1] for r in rows] == table["new_stations"].tolist()
    assert [r[2] for r in rows] == pytest.approx(table["spend_yuan"].tolist())
    assert [r[3] for r in rows] == [BUDGET[2022], BUDGET[2023]]
    assert [r[5] for r in rows] == [80, 180]
    assert all(r[2] <= r[3] and r[4] <= r[5] for r in rows)
    assert ws["A9"].value.startswith("各县需求满足率的基尼系数：规划前")


def test_without_capacity_there_is_no_cost_sheet(nanning, nanning_stations):
    wb = book(
        officials_report(
            nanning, nanning_stations, "2021-12-31", rollout=plan_rollout(nanning, nanning_stations, "2021-12-31")
        )
    )
    assert "经费与人员" not in wb.sheetnames


def test_a_plan_that_does_not_fit_reports_its_shortfall(nanning, nanning_stations):
    short = plan_rollout(
        nanning, nanning_stations, "2021-12-31", capacity=PlanCapacity(budget_yuan={2022: 1e6, 2023: 1e6})
    )
    wb = book(officials_report(nanning, nanning_stations, "2021-12-31", rollout=short, lang="en"))
    assert wb["Rollout"]["A1"].value.startswith("The targets do not fit the budget and workers")
    ws = wb["Cost and staff"]
    assert ws["A5"].value == "The targets do not fit the budget and workers. The least it takes (any one of):"
    assert ws["A6"].value.startswith("More money: 2022: ")
    assert ws["A7"].value == "More workers alone cannot close it: the money is short"
