"""Need tables imported row by row, need measures (a weighted sum or a named proxy), demand on villages."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from coverage._errors import InputError
from coverage.analysis.demand import need_demand, spread_points, village_demand
from coverage.analysis.need import need_weights, township_need
from coverage.coords import projected_crs_for
from coverage.data.need_table import need_category, parse_count, read_need_table
from coverage.present.i18n.messages import untranslated_parts
from tests.conftest import csv_bytes


def test_headers_name_categories():
    assert need_category("低保对象（人）") == "dibao"
    assert need_category("特困供养人员") == "tekun"
    assert need_category("孤儿和事实无人抚养儿童") == "children"
    assert need_category("留守老人") == "left_behind"
    assert need_category("持证残疾人数") == "disabled"
    assert need_category("60岁及以上老年人口") == "elderly"
    assert need_category("人口") is None


@pytest.mark.parametrize(
    ("cell", "value", "problem"),
    [("1,234", 1234.0, ""), ("56人", 56.0, ""), ("", 0.0, ""), ("１２", 12.0, ""), ("-3", None, "'-3' is negative")],
)
def test_counts_are_read_as_people(cell, value, problem):
    assert parse_count(cell) == (value, problem)


def test_an_xlsx_keyed_by_county_and_name_with_chosen_columns():
    frame = pd.DataFrame(
        {
            "县": ["兴宁区", "兴宁区"],
            "乡镇": ["民生街道", "朝阳街道"],
            "低保": [10, 20],
            "人口": [5000, 6000],
            "年份": [2023, 2023],
        }
    )
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False)
    found = read_need_table(buffer.getvalue(), "need.xlsx", province="45")
    # 人口 is numeric and names no place: a need column of its own ("other"); 年份 is a year, not need
    assert found.columns == {"低保": "dibao", "人口": "other"}
    chosen = read_need_table(buffer.getvalue(), "need.xlsx", province="45", need_columns=["低保"])
    assert chosen.columns == {"低保": "dibao"}
    assert chosen.values.to_dict(orient="list") == {"code": ["450102001", "450102002"], "低保": [10.0, 20.0]}
    assert chosen.summary["matched"] == 2


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([("人数", "低保"), ("1", "2")], "no township code or name column found; found: 人数, 低保"),
        ([("乡镇代码", "备注"), ("450102001", "好")], "no column of counts found; found: 乡镇代码, 备注"),
    ],
)
def test_whole_table_problems_say_what_to_do(rows, message):
    with pytest.raises(InputError, match=message) as err:
        read_need_table(csv_bytes(rows), "need.csv", province="45")
    assert untranslated_parts(str(err.value)) == []


def test_every_row_message_has_a_chinese_template():
    rows = [("乡镇代码", "低保"), ("450102001", "x"), ("450102001", "1"), ("450102002", "")]
    table = read_need_table(csv_bytes(rows), "need.csv", province="45")
    messages = [m for m in table.report["message"] if m] + table.notes
    assert len(messages) == 3
    assert {p for m in messages for p in untranslated_parts(m)} == set()


def test_need_is_the_weighted_sum_and_missing_townships_are_listed(guangxi):
    table = pd.DataFrame({"code": ["450102001", "450102002"], "低保": [10.0, 0.0], "特困": [1.0, 3.0]})
    need = township_need(guangxi.townships, table, {"低保": "dibao", "特困": "tekun"}, {"特困": 5})
    assert need.values["450102001"] == 10 * 1 + 1 * 5 and need.values["450102002"] == 15
    assert need.label == "need table: 低保 x 1 + 特困 x 5" and not need.is_proxy
    assert len(need.missing) == 1253 - 2 and need.caseload_key == "need"
    proxy = township_need(guangxi.townships)
    assert proxy.is_proxy and proxy.label == "proxy: villages and communities" and proxy.caseload_key == "villages"
    with pytest.raises(InputError, match="need weights for unknown columns 留守"):
        need_weights({"低保": "dibao"}, {"留守": 1})


def test_spread_points_take_the_farthest_each_time():
    x = np.array([0.0, 10.0, 20.0, 30.0, 40.0])
    assert spread_points(x, np.zeros(5), 3, start=2).tolist() == [2, 0, 4]


def test_village_demand_keeps_each_townships_need(guangxi):
    county = guangxi.townships[guangxi.townships["county_code"] == "450126"]
    towns_m = county.to_crs(projected_crs_for(county))
    need = township_need(towns_m)
    villages = village_demand(towns_m, need.values)
    per_town = pd.Series(villages.weight).groupby(villages.township).sum()
    expected = need.values.reindex(towns_m["code"].astype(str)).to_numpy()
    assert per_town.to_numpy() == pytest.approx(expected)
    counts = np.bincount(villages.township, minlength=len(towns_m))
    villages_and_communities = (towns_m["n_villages"].fillna(0) + towns_m["n_communities"].fillna(0)).clip(lower=1)
    assert counts.tolist() == villages_and_communities.astype(int).tolist()
    demand = need_demand(towns_m, need, "villages")
    assert demand.kind == "villages (approximate positions)" and demand.need == "proxy: villages and communities"
