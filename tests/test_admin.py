"""Administrative coverage: rates, dates, targets - exact numbers on hand-checkable cases."""

import datetime as dt
from types import SimpleNamespace

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from coverage._errors import InputError
from coverage.analysis.admin import (
    STATUS_BEHIND,
    STATUS_MET,
    STATUS_ON_TRACK,
    TargetSchedule,
    coverage_events,
    make_schedule,
    parse_targets,
    rates,
    stations_needed,
    status,
    township_counts,
    trajectory,
)
from coverage.data.provinces import default_stations_path
from coverage.data.stations import read_stations


def small_province():
    """Two counties of one city: county 990101 has townships A, B, C; county 990102 has D and farm F (not counted)."""
    towns = gpd.GeoDataFrame(
        {
            "code": ["990101001", "990101002", "990101003", "990102101", "990102400"],
            "name": ["A街道", "B街道", "C镇", "D镇", "F农场"],
            "kind": ["street", "street", "town", "town", "other"],
            "counted": [True, True, True, True, False],
            "county_code": ["990101", "990101", "990101", "990102", "990102"],
            "city_code": ["9901"] * 5,
        },
        geometry=[shapely.box(i, 0, i + 1, 1) for i in range(5)],
        crs=4326,
    )
    return SimpleNamespace(
        code="99",
        name="测试省",
        townships=towns,
        cities=pd.DataFrame({"code": ["9901"], "name": ["测试市"]}),
        counties=pd.DataFrame({"code": ["990101", "990102"], "name": ["甲县", "乙县"]}),
    )


def stations(rows):
    return pd.DataFrame(rows, columns=["township_code", "opened", "closed"])


ST = stations(
    [
        ("990101001", "2021-03-01", None),
        ("990101001", "2021-05-01", None),  # second station in A: still one township
        ("990101002", "2021-06-01", "2022-06-01"),  # B closes mid-2022
        ("990102400", "2020-01-01", None),  # the farm is not counted
        ("990102101", None, None),  # D: opening date unknown = always open
    ]
)


def test_rates_per_level_on_a_date():
    prov = small_province()
    table = rates(
        prov.townships, ST, "2021-12-31", names={"99": "测试省", "9901": "测试市", "990101": "甲县", "990102": "乙县"}
    )
    got = table.set_index("code")[["level", "counted", "covered"]].to_dict("index")
    assert got == {
        "99": {"level": "province", "counted": 4, "covered": 3},
        "9901": {"level": "city", "counted": 4, "covered": 3},
        "990101": {"level": "county", "counted": 3, "covered": 2},
        "990102": {"level": "county", "counted": 1, "covered": 1},
    }
    assert table.set_index("code").loc["990101", "name"] == "甲县"


@pytest.mark.parametrize(
    ("date", "covered"),
    [("2020-12-31", 1), ("2021-03-01", 2), ("2021-05-31", 2), ("2021-06-01", 3), ("2022-05-31", 3), ("2022-06-01", 2)],
)
def test_rates_follow_opening_and_closing_dates(date, covered):
    prov = small_province()
    assert township_counts(prov.townships, ST, date)["covered"] == covered


def test_counting_other_kinds_is_a_choice():
    prov = small_province()
    table = rates(prov.townships, ST, "2021-12-31", kinds=("street", "town", "township", "other"))
    assert table.iloc[0][["counted", "covered"]].tolist() == [5, 4]


def test_events_merge_overlapping_stations_of_a_township():
    ev = coverage_events(
        stations([("1", "2021-01-01", "2021-06-01"), ("1", "2021-03-01", "2021-09-01"), ("1", "2022-01-01", None)])
    )
    assert ev.values.tolist() == [
        ["1", pd.Timestamp("2021-01-01"), 1],
        ["1", pd.Timestamp("2021-09-01"), -1],
        ["1", pd.Timestamp("2022-01-01"), 1],
    ]


def test_targets_parse_and_need_exact_ceilings():
    schedule = parse_targets("2021-12-31:30, 2022:60,2023-12-31:100%")
    assert [(t.date.isoformat(), t.share) for t in schedule] == [
        ("2021-12-31", 0.3),
        ("2022-12-31", 0.6),
        ("2023-12-31", 1.0),
    ]
    assert stations_needed(0.30, 1253, 375) == 1  # 375.9 -> 376
    assert stations_needed(0.30, 1000, 300) == 0  # exactly 30 % is met
    assert stations_needed(0.60, 10, 9) == 0
    with pytest.raises(InputError, match="date:percent"):
        parse_targets("2021-12-31")
    with pytest.raises(InputError, match="between 0 and 1"):
        make_schedule([("2021-12-31", 1.5)])


def test_status_next_target_needed_and_dates_met():
    prov = small_province()
    schedule = TargetSchedule(parse_targets("2021-06-30:50,2021-12-31:75,2022-12-31:100"))
    result = status(prov, ST, "2022-07-01", schedule)
    p = result.units.iloc[0]
    # on 2022-07-01: A and D covered (B closed on 2022-06-01) -> 2 of 4
    assert (p["covered"], p["counted"]) == (2, 4)
    assert result.targets[0] == {
        "date": "2021-06-30",
        "share": 0.5,
        "met": True,
        "rate_on_date": 0.75,
        "needed": 0,
        "reached": "2021-03-01",
    }
    assert result.targets[1] == {
        "date": "2021-12-31",
        "share": 0.75,
        "met": True,
        "rate_on_date": 0.75,
        "needed": 1,
        "reached": "2021-06-01",
    }
    assert result.targets[2]["met"] is None and result.targets[2]["needed"] == 2
    assert p["next_target_date"] == "2022-12-31" and p["needed_for_next_target"] == 2
    assert p["status"] == STATUS_BEHIND  # short of the 75 % already due
    county = result.units.set_index("code")
    assert county.loc["990102", "status"] == STATUS_MET  # D is its only counted township
    assert county.loc["990101", "needed_for_next_target"] == 2


def test_overrides_per_county():
    prov = small_province()
    schedule = TargetSchedule(parse_targets("2021-12-31:30"), {"990101": parse_targets("2021-12-31:100")})
    result = status(prov, ST, "2021-12-31", schedule).units.set_index("code")
    assert result.loc["990101", "needed_for_next_target"] == 1
    assert result.loc["990101", "status"] == STATUS_BEHIND
    assert result.loc["9901", "status"] == STATUS_MET  # 3 of 4 beats its only target, 30 %


def test_guangxi_demo_at_the_end_of_2021(guangxi):
    st_ = read_stations(default_stations_path("45"), province="45").stations
    result = status(guangxi, st_, "2021-12-31")
    assert (result.summary["counted"], result.summary["covered"]) == (1253, 375)
    assert result.targets[0] == {
        "date": "2021-12-31",
        "share": 0.3,
        "met": False,
        "rate_on_date": 375 / 1253,
        "needed": 1,
        "reached": None,
    }
    doc = result.to_json()
    assert {u["level"] for u in doc["units"]} == {"city", "county"}
    assert len(doc["units"]) == 14 + 111
    assert all(
        set(u) >= {"level", "code", "name", "counted", "covered", "rate", "needed_for_next_target"}
        for u in doc["units"]
    )


def test_trajectory_is_monthly_and_ends_at_375(guangxi):
    st_ = read_stations(default_stations_path("45"), province="45").stations
    t = trajectory(guangxi, st_, end="2021-12-31")
    assert t["date"].iloc[0] == dt.date(2020, 1, 31)
    assert t.set_index("date").loc[dt.date(2020, 1, 31), "covered"] == 110  # the pilot
    assert t["covered"].iloc[-1] == 375
    assert t["covered"].is_monotonic_increasing  # no station closes in the demo


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["990101001", "990101002", "990101003", "990102101"]),
            st.dates(dt.date(2020, 1, 1), dt.date(2023, 1, 1)),
        ),
        max_size=8,
    ),
    st.sampled_from(["990101001", "990101002", "990101003", "990102101"]),
    st.dates(dt.date(2020, 1, 1), dt.date(2023, 1, 1)),
)
def test_adding_a_station_never_decreases_coverage(existing, code, day):
    prov = small_province()
    before = stations([(c, d.isoformat(), None) for c, d in existing])
    after = pd.concat([before, stations([(code, day.isoformat(), None)])], ignore_index=True)
    for as_of in ("2020-06-30", "2021-12-31", "2023-06-30"):
        assert (
            township_counts(prov.townships, after, as_of)["covered"]
            >= township_counts(prov.townships, before, as_of)["covered"]
        )


def test_before_any_target_is_due_units_are_on_track():
    prov = small_province()
    result = status(prov, ST, "2021-01-01").units.set_index("code")["status"]
    # only D (always open) is covered: none of the targets is due yet
    assert result.to_dict() == {
        "99": STATUS_ON_TRACK,
        "9901": STATUS_ON_TRACK,
        "990101": STATUS_ON_TRACK,
        "990102": STATUS_MET,
    }
