"""Capacity, need and budgets on the Plan page in a real headless Chromium (issue 15).

What a planner does: tick "count capacity", type a budget and new workers per year, run the rollout,
read the cost and staff per year, and look at the map's need layer, its legend and the over-loaded
stations; or upload a need table and see it replace the proxy.  Uses the fixtures and helpers of
``tests/test_browser.py`` (skipped, like it, without Debian's chromium).
"""

from __future__ import annotations

from typing import Any

import pytest
from test_browser import browser, feature_properties, grid, map_frame, open_page, page, records, server, settle, shot

from tests.conftest import csv_bytes

pytestmark = pytest.mark.browser
__all__ = ["browser", "page", "server"]  # fixtures used here


def legend_text(frame: Any) -> str:
    return frame.locator(".coverage-legend").inner_text()


def test_a_budgeted_rollout_in_the_browser(page: Any) -> None:
    open_page(page, "plan")
    assert page.get_by_text("需求为代理指标：村（社区）数（未上传需求表）").count() == 1
    page.get_by_text("考虑服务容量、预算和社工人数").click()
    page.get_by_role("textbox", name="每年预算（年份:金额，留空 = 不限）").fill("2022:1.2亿,2023:2.2亿")
    page.get_by_role("textbox", name="每年新增持证社工（年份:人数，留空 = 不限）").fill("2022:1200,2023:1500")
    page.get_by_role("button", name="运行").click()
    page.get_by_text("经费与人员（按年度）").first.wait_for(timeout=240_000)
    settle(page, 1500)
    shot(page, "15_plan_budget.png")
    cost = records(grid(page, "当年支出（万元）"))
    assert [r["年度"] for r in cost] == ["2022", "2023"] and [r["新建站数"] for r in cost] == ["377", "501"]
    for r in cost:
        assert float(r["当年支出（万元）"].replace(",", "")) <= float(r["预算（万元）"].replace(",", ""))
    assert [r["累计新增社工（人）"] for r in cost] == ["1200", "2700"]
    frame = map_frame(page, 0)
    shot(page, "15a_plan_budget_map.png")
    drawn = feature_properties(frame)
    over = [p for p in drawn if "load" in p]
    assert over and all(p["load"] >= p["capacity"] for p in over)  # only over-loaded ones (loads shown to 0.1)
    need = [p for p in drawn if "need" in p]
    assert len(need) == 1284  # every township of the province, coloured by its need
    legend = legend_text(frame)
    assert "需求（代理指标：村（社区）数）" in legend and "超负荷站点（需求超过服务容量）" in legend


def test_a_budget_too_small_in_the_browser(page: Any) -> None:
    open_page(page, "plan")
    page.get_by_text("考虑服务容量、预算和社工人数").click()
    page.get_by_role("textbox", name="每年预算（年份:金额，留空 = 不限）").fill("2022:1亿,2023:2亿")
    page.get_by_role("button", name="运行").click()
    page.get_by_text("按目前的预算和社工，目标无法完成").first.wait_for(timeout=240_000)
    settle(page)
    shot(page, "15b_plan_shortfall.png")
    assert page.get_by_text("增加经费：2022 年 179万（社工不变）").count() == 1


def test_a_need_table_uploaded_in_the_browser(page: Any, tmp_path: Any) -> None:
    rows = [("乡镇代码", "低保对象", "特困人员"), ("450102001", "100", "10"), ("450102002", "abc", "5")]
    path = tmp_path / "需求表.csv"
    path.write_bytes(csv_bytes(rows, "gbk"))
    open_page(page, "plan")
    page.get_by_text("服务容量、需求与预算").click()
    page.locator("[data-testid=stFileUploaderDropzoneInput]").first.set_input_files(str(path))
    page.get_by_text("需求 = 需求表加权和：低保对象 × 1 + 特困人员 × 2").wait_for(timeout=60_000)
    settle(page)
    shot(page, "15c_plan_need_table.png")
    report = records(grid(page, "说明"))
    assert [r["说明"] for r in report] == ["低保对象：“abc”不是数字；未计入"]
