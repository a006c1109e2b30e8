"""The Plan page with capacity, need and budgets (issue 15), with Streamlit's AppTest (no browser)."""

import json

import pytest

from tests.app_session import goto, new_session
from tests.conftest import csv_bytes


@pytest.fixture
def plan_page():
    return goto(new_session(), "plan")


def run(at):
    next(b for b in at.button if b.label == "运行").click()
    at.run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    return at


def map_script(at) -> str:
    return json.loads(at.get("component_instance")[0].proto.json_args)["script"]


def escaped(text: str) -> str:
    """How a text appears in the map's inline script (non-ASCII escaped)."""
    return json.dumps(text)[1:-1]


def table(at, column):
    return next(df.value for df in at.dataframe if column in df.value.columns)


def test_without_a_need_table_the_need_is_named_a_proxy(plan_page):
    captions = [c.value for c in plan_page.caption]
    assert "需求为代理指标：村（社区）数（未上传需求表）" in captions


def test_a_budget_too_small_says_by_how_much(plan_page):
    at = plan_page
    at.checkbox(key="plan_capacity").check()
    at.text_input(key="plan_budget").set_value("2022:1亿,2023:2亿")
    at.text_input(key="plan_workers").set_value("2022:5000,2023:5000")
    run(at)
    # 377 stations of 2 workers in 2022 cost 377 x (10万 + 17万) = 10,179万: 179万 short
    shortfall = next(w.value for w in at.warning if w.value.startswith("按目前的预算和社工"))
    assert [line.rstrip() for line in shortfall.splitlines()[1:]] == [
        "- 增加经费：2022 年 179万（社工不变）",
        "- 只增加社工不够：经费不足",
        "- 推迟：60%（新建 377 个）可在 2023-12-31 达到，原定 2022-12-31",
        "- 推迟：100%（新建 878 个）可在 2024-12-31 达到，原定 2023-12-31",
    ]


def test_a_plan_within_budget_shows_cost_staff_equity_need_and_overloads(plan_page):
    at = plan_page
    at.checkbox(key="plan_capacity").check()
    at.text_input(key="plan_budget").set_value("2022:1.2亿,2023:2.2亿")
    at.text_input(key="plan_workers").set_value("2022:1200,2023:1500")
    run(at)
    assert "HiGHS" in at.success[0].value
    cost = table(at, "当年支出（万元）")
    assert cost["年度"].tolist() == [2022, 2023] and cost["新建站数"].tolist() == [377, 501]
    assert (cost["当年支出（万元）"] <= cost["预算（万元）"]).all()
    assert (cost["新站社工合计（人）"] <= cost["累计新增社工（人）"]).all()
    assert cost["累计新增社工（人）"].tolist() == [1200, 2700]
    assert any(c.value.startswith("公平性：各县需求满足率的基尼系数") for c in at.caption)
    script = map_script(at)
    assert escaped("需求（代理指标：村（社区）数）") in script  # the need layer and its legend
    assert escaped("超负荷站点（需求超过服务容量）") in script  # over-loaded stations drawn, with a legend row


def test_a_need_table_replaces_the_proxy(plan_page):
    at = plan_page
    rows = [
        ("乡镇代码", "低保对象", "特困人员"),
        ("450102001", "100", "10"),
        ("450102002", "abc", "5"),
        ("450102001", "1", "1"),
    ]
    at.file_uploader(key="need_upload").upload("need.csv", csv_bytes(rows, "gbk"), "text/csv").run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    captions = [c.value for c in at.caption]
    assert "需求 = 需求表加权和：低保对象 × 1 + 特困人员 × 2" in captions
    report = table(at, "状态")
    assert len(report) == 2  # the repaired and the rejected row; the matched one is not listed
    messages = report["说明"].tolist()
    assert messages == [
        "低保对象：“abc”不是数字；未计入",
        "乡镇 450102001 已在第 2 行给出；每个乡镇只写一行（请把数字相加）",
    ]


def test_the_capacity_settings_in_english_refuse_a_bad_budget(plan_page):
    at = plan_page
    at.radio(key="lang").set_value("en").run()
    assert at.checkbox(key="plan_capacity").label == "Count capacity, budgets and workers"
    assert "Need is a proxy: villages and communities (no need table)" in [c.value for c in at.caption]
    at.checkbox(key="plan_capacity").check()
    at.text_input(key="plan_budget").set_value("2022:abc")
    next(b for b in at.button if b.label == "Run").click()
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "Problem with the input: Budget per year (YEAR:AMOUNT, empty = no limit), 2022: amount 'abc' not "
        "understood; write yuan, 万 or 亿, e.g. 3000万 or 1.1亿"
    ]
