"""What-if scenarios: toggling, saving and loading, and their effect on coverage."""

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st

from coverage._errors import InputError
from coverage.analysis.scenario import Scenario, editable_table, evaluate, scenario_stations, township_at


def towns():
    """Three 0.1 x 0.1 degree townships in a row (about 10 x 11 km each, at 23 N), counted; one village each."""
    boxes = [shapely.box(108 + i / 10, 23.0, 108 + (i + 1) / 10, 23.1) for i in range(3)]
    return gpd.GeoDataFrame(
        {
            "code": ["a", "b", "c"],
            "name": ["A", "B", "C"],
            "county_name": "X",
            "counted": True,
            "n_villages": 1,
            "n_communities": 0,
            "lon": [108.05, 108.15, 108.25],
            "lat": 23.05,
        },
        geometry=boxes,
        crs="EPSG:4326",
    )


def station_table():
    return pd.DataFrame(
        {"township_code": ["a"], "lon": [108.05], "lat": [23.05], "opened": ["2021-01-01"], "closed": [None]}
    )


def test_toggle_adds_and_removes_and_undoes():
    s = Scenario("45", "2021-12-31")
    s = s.toggle("b", has_station=False)
    assert s.added == ("b",)
    s = s.toggle("a", has_station=True)
    assert s.removed == ("a",)
    s = s.toggle("b", has_station=True)  # undo the addition
    assert s.added == () and s.removed == ("a",)
    assert s.covered(station_table()) == set()


def test_with_added_takes_a_plan_and_cancels_removals():
    s = Scenario("45", "2021-12-31", removed=("a",)).with_added(["a", "c"])
    assert s.added == ("c",) and s.removed == ()


@given(
    codes=st.lists(st.text("0123456789", min_size=7, max_size=7).map("44".__add__), unique=True, max_size=40),
    split=st.integers(0, 40),
    name=st.text(max_size=20),
)
def test_saved_scenario_loads_back_unchanged(codes, split, name):
    added, removed = codes[:split], codes[split:]  # a township is added or removed, not both
    s = Scenario("44", "2022-06-30", tuple(added), tuple(removed), name)
    assert Scenario.from_json(s.to_json()) == s
    assert Scenario.from_json(s.to_json().encode("utf-8")) == s


@pytest.mark.parametrize("text", ["", "{}", "[1, 2]", '{"format": "coverage-scenario/1", "province": "45"}', "\xff"])
def test_bad_scenario_files_say_what_is_wrong(text):
    with pytest.raises(InputError, match="scenario|JSON"):
        Scenario.from_json(text)


def test_effect_of_adding_a_station_by_hand():
    # station at A's centre, radius 6 km: A's village is within, B's (10.2 km east) and C's are not
    t = towns()
    base = evaluate(t, station_table(), Scenario("45", "2021-12-31"), radius_m=6_000)
    assert (base["covered"], base["counted"]) == (1, 3)
    assert base["short_of_final"] == 2
    assert base["village_share_within"] == pytest.approx(1 / 3)
    plus_c = evaluate(t, station_table(), Scenario("45", "2021-12-31", added=("c",)), radius_m=6_000)
    assert plus_c["covered"] == 2 and plus_c["rate"] == pytest.approx(2 / 3)
    assert plus_c["village_share_within"] == pytest.approx(2 / 3)
    assert plus_c["demand_share_within"] > base["demand_share_within"]
    gone = evaluate(t, station_table(), Scenario("45", "2021-12-31", removed=("a",)), radius_m=6_000)
    assert gone["covered"] == 0 and gone["demand_share_within"] == 0


def test_scenario_stations_and_table():
    t = towns()
    s = Scenario("45", "2021-12-31", added=("b",), removed=("a",))
    pts = scenario_stations(t, station_table(), s)
    assert list(pts["township_code"]) == ["b"] and list(pts["lon"]) == [108.15]
    table = editable_table(t, s.covered(station_table()))
    assert list(table["has_station"]) == [False, True, False]


def test_township_at_a_clicked_point(guangxi):
    row = guangxi.townships.iloc[10]
    p = row.geometry.representative_point()
    assert township_at(guangxi.townships, p.x, p.y) == row["code"]
    assert township_at(guangxi.townships, 0.0, 0.0) is None


def _doc(**fields):
    import json

    doc = {
        "format": "coverage-scenario/1",
        "name": "",
        "province": "45",
        "as_of": "2021-12-31",
        "added": [],
        "removed": [],
    }
    doc.update(fields)
    return json.dumps(doc)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[1, 2]", "the scenario file holds a list, not an object with the fields format, name, province"),
        ('"45"', "the scenario file holds text, not an object"),
        (
            _doc(province="../../../etc/passwd"),
            "field province holds '../../../etc/passwd'; it should hold the 2-digit code",
        ),
        (_doc(province=45), "field province holds a number; it should hold the 2-digit code of a province, as text"),
        (_doc(province="99"), "field province: 99 is not a province code; known codes: 11, 12"),
        (_doc(as_of=20211231), "field as_of holds a number; it should hold a date as text, YYYY-MM-DD"),
        (_doc(as_of="2021-02-30"), "field as_of: date '2021-02-30' is not a day of the calendar"),
        (_doc(as_of="1900-01-01"), "give a date from 2000-01-01 to 2100-12-31"),
        (_doc(added="450102001"), "field added holds text; it should hold a list of 9-digit township codes"),
        (_doc(added=[450102001]), "field added, item 1: a number is not a 9-digit township code (as text)"),
        (_doc(removed=["4501"]), "field removed, item 1: '4501' is not a 9-digit township code"),
        (_doc(added=["440102001"]), "field added, item 1: township 440102001 is not in province 45"),
        (_doc(added=["450102001"], removed=["450102001"]), "townships 450102001 are both added and removed"),
        (_doc(name=["x"]), "field name holds a list; it should hold text"),
        (_doc(note="hi"), "unknown fields note (the fields are format, name, province, as_of, added, removed)"),
    ],
)
def test_scenario_files_are_checked_field_by_field(text, message):
    with pytest.raises(InputError) as err:
        Scenario.from_json(text)
    assert message in str(err.value)


def test_every_wrong_field_is_named_at_once():
    with pytest.raises(InputError) as err:
        Scenario.from_json(_doc(province=45, as_of=None, added={}, removed=[1]))
    text = str(err.value)
    assert text.startswith("the scenario file is not valid: ")
    assert all(f"field {k}" in text for k in ("province", "as_of", "added", "removed"))
