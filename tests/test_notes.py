"""What figures rest on is said wherever they appear, and says nothing once the data is official."""

import dataclasses
import datetime as dt

import pandas as pd
import pytest

from coverage.data.lists import StationList, embedded_list, uploaded_list
from coverage.present.notes import data_note_json, data_notes


def test_the_guangxi_demo_says_it_is_synthetic_and_approximate(guangxi):
    assert data_notes(guangxi, embedded_list("45"), ["stations", "rates", "places"], "zh") == [
        "社工站名单为合成演示数据，不是真实站点（45_guangxi_demo.csv，数据截至 2021-11-30）",
        f"乡镇边界为近似划分，{guangxi.estimated_points_share:.0%} 的乡镇位置为估计值：距离、服务空白、选址与行程仅供参考",
        "乡镇边界为近似划分；覆盖率只取决于站点所在的乡镇，不受边界影响",
    ]
    # rates do not depend on the cells, distances do: each figure says only what concerns it
    assert len(data_notes(guangxi, embedded_list("45"), ["rates"], "en")) == 1


def test_the_guangdong_list_is_partial_and_undated(guangdong):
    lines = data_notes(guangdong, embedded_list("44"), ["stations"], "en")
    assert lines == [
        "The station list is taken from news reports and is partial (44_guangdong_reported.csv, last updated unknown)",
        "The list gives no opening dates: every station counts as open at every date",
    ]


def test_official_boundaries_and_the_users_own_list_need_no_note(guangxi):
    towns = guangxi.townships.assign(boundary_quality="official", point_source="official polygon")
    official = dataclasses.replace(guangxi, townships=towns)
    own = uploaded_list("县级台账.xlsx", pd.DataFrame({"opened": ["2022-03-01", None], "closed": [None, "2024-01-31"]}))
    assert own.last_updated == dt.date(2024, 1, 31) and own.trustworthy
    assert data_notes(official, own, ["stations", "rates", "places"], "zh") == []
    assert data_notes(official, None, ["stations", "rates", "places"], "zh") == []


def test_the_json_note_gives_the_facts(guangxi):
    doc = data_note_json(guangxi, embedded_list("45"), ["stations", "places"])
    assert doc["stations"] == {
        "list": "45_guangxi_demo.csv",
        "nature": "synthetic",
        "partial": False,
        "last_updated": "2021-11-30",
        "opening_dates_known": True,
    }
    assert doc["townships"]["boundaries"] == "approximate"
    assert 0.5 < doc["townships"]["estimated_points_share"] < 1 and len(doc["notes"]) == 2


def test_unknown_uses_are_refused(guangxi):
    with pytest.raises(ValueError, match="unknown uses"):
        data_notes(guangxi, StationList("x", "official"), ["colours"])
