"""Published township positions: name keys, matching within a county, sources, county seats."""

import numpy as np
import pandas as pd
import pytest
import shapely

from coverage import settings
from coverage.data.build.points import (
    chinese_cores,
    combine_sources,
    latin_keys,
    match_group,
    pinyin_keys,
    place_in_groups,
)
from coverage.data.build.register import _former_seat_code


@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("Luojing", {"luojing"}),
        ("Luojing Zhen", {"luojing"}),
        ("Zhucun Jiedao", {"zhucun"}),
        ("Xing’an", {"xingan"}),
        ("Lüjiang", {"lujiang"}),
        ("Shuikou Xiang", {"shuikou"}),
        ("Xiangshui", {"xiangshui"}),  # a kind word inside a name stays
    ],
)
def test_latin_keys(name, keys):
    assert latin_keys(name) == keys


def test_pinyin_keys_cover_every_reading():
    assert pinyin_keys("罗镜") == {"luojing"}
    assert "lujiang" in pinyin_keys("绿江")  # ü written u, as GeoNames does
    assert pinyin_keys("长坡") == {"changpo", "zhangpo"}  # 长 is read chang or zhang
    assert pinyin_keys("六排") == {"liupai", "liubai", "lupai", "lubai"}  # GeoNames has Liupai


def test_chinese_cores_drop_suffixes_and_the_county_name():
    assert chinese_cores(["罗镜镇", "罗镜", "Lokeng"]) == {"罗镜"}
    assert chinese_cores(["忻城城关镇"], county_short="忻城") == {"忻城城关", "城关"}
    assert chinese_cores(["朱村街道"]) == {"朱村"}


def places(rows):
    return pd.DataFrame(
        [
            {"ref": ref, "name": ref, "lon": 0.0, "lat": 0.0, "names_zh": tuple(zh), "names_latin": tuple(latin)}
            for ref, zh, latin in rows
        ]
    )


TOWNS = pd.DataFrame(
    {
        "code": ["441581100", "441581101", "441581102", "441581103", "441581104"],
        "name": ["甲子镇", "碣石镇", "南塘镇", "龙潭镇", "龙潭乡"],
        "county_code": ["441581"] * 5,
    }
)


def test_match_group_takes_unique_chinese_matches():
    found = match_group(
        TOWNS,
        places(
            [
                ("p0", ["甲子镇", "甲子"], ["Jiazi"]),
                ("p1", ["碣石"], ["Jieshi"]),
                ("p2", ["碣石镇"], ["Jieshi Zhen"]),  # a second place for 碣石: neither is used
                ("p3", ["龙潭"], ["Longtan"]),  # two towns have the core 龙潭: ambiguous
                ("p4", ["南塘村"], ["Nantang"]),  # a village: its core 南塘村 is no town's
            ]
        ),
        {"441581": "陆丰"},
    )
    assert found.to_dict(orient="records") == [{"code": "441581100", "place": 0, "match": "zh"}]


def test_match_group_falls_back_to_pinyin_only_without_chinese_names():
    found = match_group(
        TOWNS,
        places([("p0", [], ["Nantang"]), ("p1", ["甲子村"], ["Jiazi"])]),  # p1 has a Chinese name that is no town's
        {},
    )
    assert found.to_dict(orient="records") == [{"code": "441581102", "place": 0, "match": "pinyin"}]


def test_place_in_groups_uses_containment_then_the_tolerance():
    square = shapely.box(108.0, 22.5, 108.5, 23.0)
    frame = pd.DataFrame({"lon": [108.2, 108.51, 108.6], "lat": [22.7, 22.7, 22.7]})
    out = place_in_groups(frame, {"450101": square}, tolerance_m=2_000)
    assert out["group"].tolist() == ["450101", "450101", ""]
    assert out["outside_m"].iloc[0] == 0
    # 0.01 degrees of longitude at 22.7 N is about 1.03 km
    assert 1_000 < out["outside_m"].iloc[1] < 1_060
    assert np.isnan(out["outside_m"].iloc[2])


def test_combine_sources_prefers_the_first_and_reports_disagreement():
    newer = pd.DataFrame(
        {
            "code": ["1", "2"],
            "lon": [108.0, 109.0],
            "lat": [22.0, 23.0],
            "ref": ["a", "b"],
            "match": ["zh", "zh"],
            "outside_m": [0.0, 0.0],
        }
    )
    older = pd.DataFrame(
        {
            "code": ["2", "3"],
            "lon": [109.1, 110.0],
            "lat": [23.0, 24.0],
            "ref": ["c", "d"],
            "match": ["pinyin"] * 2,
            "outside_m": [0.0, 0.0],
        }
    )
    out, report = combine_sources({"geonames-cities500": newer, "geonames-cities1000-2015": older}, agreement_km=5.0)
    assert out["code"].tolist() == ["1", "2", "3"]
    assert out["source"].tolist() == ["geonames-cities500", "geonames-cities500", "geonames-cities1000-2015"]
    # 0.1 degrees of longitude at 23 N: 10.25 km
    assert out["other_km"].iloc[1] == pytest.approx(10.25, abs=0.01)
    assert np.isnan(out["other_km"].iloc[0])
    assert [r["code"] for r in report] == ["2"]


def test_a_renamed_county_keeps_its_seat_under_the_former_code():
    former = pd.DataFrame(
        {
            "old_code": ["450127", "140202", "140203", "140211"],
            "old_name": ["横县", "城区", "矿区", "南郊区"],
            "new_code": ["450181", "140214", "140214", "140214"],
            "share": ["1.0", "0.2", "1.0", "0.6"],
        }
    )
    assert _former_seat_code("450181", former) == "450127"
    assert _former_seat_code("140214", former) == ""  # two former counties merged: whose seat is unknown
    assert _former_seat_code("440309", former) == ""


def test_the_register_has_published_positions_with_their_source(register):
    points = register.points
    assert points["code"].is_unique and points["code"].isin(register.townships.index).all()
    assert set(points["source"]) == {"geonames-cities500", "geonames-cities1000-2015"}
    assert (points["outside_m"].astype(float) <= settings.PUBLISHED_POINT_TOLERANCE_M).all()
    jiazi = points.loc["441581101"]  # 陆丰市甲子镇
    assert jiazi["ref"] == "geonames:1805935"
    assert (float(jiazi["lon"]), float(jiazi["lat"])) == (116.07318, 22.87932)


def test_register_seats_are_complete_for_guangdong_and_guangxi(register):
    counties = register.counties[register.counties["code"].str[:2].isin(["44", "45"])]
    seats = register.seats.loc[counties["code"]]
    assert seats["match"].isin(["code", "name", "former code", "estimated"]).all()
    assert seats.loc["450181", "match"] == "former code"
    assert seats.loc[["440309", "440310", "440311"], "match"].eq("estimated").all()
    assert seats.loc["440309", "note"].startswith(
        "no source has this county's seat; estimated: published position of 龙华街道"
    )
