"""The importer's report in Chinese: every message part the importer writes has a Chinese template."""

import json

import pytest

from coverage._errors import InputError
from coverage.analysis.scenario import FORMAT as SCENARIO_FORMAT
from coverage.data.stations import read_stations, resolve
from coverage.present.i18n.messages import HOW_ZH, report_in, translate, untranslated_parts

# one row per kind of trouble the importer reports (Guangxi, 2023 register)
BAD_ROWS = """编号,名称,乡镇,县,乡镇代码,经度,纬度,建站时间,撤站时间
1,A站,城东街道,,,,,2021-03-01,
2,B站,火星镇,,,,,2021-03,
3,C站,,,,22.8163,108.3669,44000,
4,D站,,,,151.2,-33.9,2021-02-30,
5,E站,南宁市兴宁区朝阳街道,,,,,20210301,2020-01-01
6,F站,,,45010200,,,,
7,G站,,,450109202,,,,
8,H站,,,440103001,,,,
9,I站,,,999999999,,,,
10,J站,,,,abc,xyz,,
11,K站,,,,,,,
12,L站,九曲湾农场,兴宁区,,,,,
13,M站,潭中街道办事处,,,,,,
14,N站,仙葫经济开发区管理委员会,,,,,,
15,O站,南宁市兴宁区,,,,,,
16,P站,兴宁区星星镇,,,,,,
1,Q站,,,,108.3669,22.8163,,
17,R站,,,,108.3669,22.8163,,
18,S站,,,,-108.3669,22.8163,,
19,T站,,,,105.0,30.0,,
20,U站,,,,500000,2500000,,
21,V站,民生街道,,450102002,,,,
"""


@pytest.fixture(scope="module")
def imported():
    return read_stations(BAD_ROWS.encode("gbk"), filename="bad.csv", province="45")


@pytest.fixture(scope="module")
def report(imported):
    return imported.report


def test_every_message_part_has_a_chinese_template(imported, report):
    resolved = resolve(imported, {2: "451102002"}).report  # row 2 (城东街道) placed by the user
    guessed = read_stations(BAD_ROWS.encode("gbk"), filename="bad.csv")  # province inferred from the names
    messages = [m for m in report["message"] if m] + imported.notes + guessed.notes + list(resolved["message"])
    assert any("resolved by the user" in m for m in messages) and any("inferred" in m for m in messages)
    assert len(messages) >= 18  # the rows above do make the importer talk
    missed = {part for m in messages for part in untranslated_parts(m)}
    assert missed == set()


def test_every_how_has_a_chinese_name(report):
    assert set(report["how"].dropna()) - {""} <= set(HOW_ZH)


def test_chinese_report_keeps_names_codes_and_numbers(report):
    zh = report_in(report, "zh")
    assert list(zh.columns) == list(report.columns)
    assert (zh["row"] == report["row"]).all() and (zh["status"] == report["status"]).all()
    swapped = zh.loc[report["message"].str.startswith("latitude and longitude were swapped"), "message"].iloc[0]
    assert swapped.startswith("经纬度写反了（22.8163, 108.3669）；已按经度 108.3669、纬度 22.8163 读取")
    assert report_in(report, "en") is report


def test_message_parts_and_fields():
    assert translate(
        "'城东街道' fits 2 townships; give the county (e.g. '贺州市八步区城东街道') or the 9-digit code"
    ) == ("“城东街道”对应 2 个乡镇；请写明所在县（如“贺州市八步区城东街道”）或填写 9 位乡镇代码")
    # a field holding a message is translated too; names pass through
    assert translate("township column: '火星镇' is not a township name of the register") == (
        "乡镇列：“火星镇”不是区划代码表中的乡镇名称"
    )
    # an unknown part stays in English rather than being lost
    assert translate("something new; ignored") == "something new；已忽略"
    assert untranslated_parts("something new; ignored") == ["something new"]
    assert translate("no name given", "en") == "no name given"


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (b"", "empty.csv"),
        ("名称,经度,纬度\n".encode("gbk"), "header_only.csv"),
        ("名称,经度\nA站,108.3\n".encode("gbk"), "no_lat.csv"),
        ("备注,其他\n甲,乙\n".encode(), "no_columns.csv"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.xls"),
        (b"a,b\x00c\n", "binary.csv"),
        (b"\n,\n", "blank.csv"),
    ],
)
def test_whole_file_problems_have_chinese_messages(data, filename):
    from coverage._errors import InputError

    with pytest.raises(InputError) as err:
        read_stations(data, filename=filename, province="45")
    assert untranslated_parts(str(err.value)) == [], str(err.value)


def _error_of(call):
    from coverage._errors import InputError

    with pytest.raises(InputError) as err:
        call()
    return str(err.value)


def _trip_errors():
    import datetime as dt

    import pandas as pd

    from coverage.analysis.scenario import Scenario
    from coverage.analysis.travel import StraightLine
    from coverage.field.supervision import _check_loads
    from coverage.field.trips import (
        TripRequest,
        _minutes_of,
        capital,
        evaluate_itinerary,
        plan_trip,
        resolve_place,
        sample_stations,
        station_table,
        stations_by_name,
        working_days,
    )

    one = station_table(pd.DataFrame({"code": ["450102001"], "name": ["甲"], "lon": [108.3], "lat": [22.8]}))
    far = TripRequest(one, capital("45"), resolve_place("109.0,25.5", "45"), [dt.date(2026, 11, 30)], overnight="base")
    return {
        "time": lambda: _minutes_of("8点半"),
        "start/end": lambda: resolve_place("火星市", "45"),
        "station names": lambda: stations_by_name(["火星镇", "民生街道"], "45"),
        "sample rule": lambda: sample_stations(one, "two per city"),
        "strata": lambda: sample_stations(one, "1-per-city", strata="等级"),
        "days": lambda: working_days("2026-11-30"),
        "no working day": lambda: working_days("2026-11-28", last="2026-11-29"),
        "window": lambda: (
            TripRequest(
                one, capital("45"), capital("45"), [dt.date(2026, 11, 30)], day_start="12:00", day_end="12:30"
            ).day_min
        ),
        "itinerary": lambda: evaluate_itinerary(far, [["乙站"]]),
        "too far": lambda: plan_trip(
            TripRequest(
                one.head(0), capital("45"), resolve_place("109.0,25.5", "45"), [dt.date(2026, 11, 30)], overnight="base"
            ),
            StraightLine(),
        ),
        "min above max": lambda: _check_loads(10, 2, 8, 5),
        "cannot cover": lambda: _check_loads(30, 2, 5, 8),
        "need more": lambda: _check_loads(10, 3, 5, 8),
        "not json": lambda: Scenario.from_json("{oops"),
        "not a scenario": lambda: Scenario.from_json('{"a": 1}'),
        "scenario lacks": lambda: Scenario.from_json(json.dumps({"format": SCENARIO_FORMAT})),
    }


@pytest.mark.parametrize("name", list(_trip_errors()))
def test_trip_supervision_and_scenario_errors_have_chinese_messages(name):
    text = _error_of(_trip_errors()[name])
    assert untranslated_parts(text) == [], text
    assert translate(text) != text


def test_boundary_layer_errors_have_chinese_messages(tmp_path):
    from coverage.data.io import read_layer

    bad = tmp_path / "x.geojson"
    bad.write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, '
        '"geometry": {"type": "Point", "coordinates": [500000, 2500000]}}]}'
    )
    garbage = tmp_path / "y.gpkg"
    garbage.write_bytes(b"not a geopackage")
    for call in (lambda: read_layer(garbage), lambda: read_layer(bad, crs="EPSG:4326")):
        text = _error_of(call)
        assert untranslated_parts(text) == [], text


def _check_and_scenario_errors():
    """Every message of coverage.checks and of the scenario file check, as the app can meet them."""
    from coverage import checks
    from coverage.analysis.scenario import FORMAT, check_scenario_document

    numbers = [v for v in vars(checks).values() if isinstance(v, checks.Number)]
    calls = {}
    for rule in numbers:
        bad_values = ["abc", "nan", "-1e9"]
        bad_values += ["1e12"] if rule.at_most is not None else []
        bad_values += ["2.5"] if isinstance(rule, checks.Count) else []
        for bad in bad_values:
            calls[f"{rule.what} {bad}"] = lambda rule=rule, bad=bad: rule(bad)
    calls.update(
        {
            "date text": lambda: checks.parse_date("30/2/2021"),
            "date year": lambda: checks.parse_date("twenty", "target date", year_means_end=True),
            "date calendar": lambda: checks.parse_date("2021-02-30"),
            "date range": lambda: checks.parse_date("1999-12-31"),
            "month text": lambda: checks.parse_month("Nov 2024"),
            "month calendar": lambda: checks.parse_month("2024-13"),
            "month range": lambda: checks.parse_month("2101-01"),
            "clock": lambda: checks.clock_minutes("25:99"),
            "scenario list": lambda: check_scenario_document([1, 2]),
            "scenario fields": lambda: check_scenario_document(
                {
                    "format": FORMAT,
                    "name": 3,
                    "province": "../../etc/passwd",
                    "as_of": "2021-13-45",
                    "added": ["450102001", "x", "440104001"],
                    "removed": {"a": 1},
                    "colour": "red",
                }
            ),
            "scenario province": lambda: check_scenario_document(
                {"format": FORMAT, "province": "99", "as_of": None, "added": [], "removed": []}
            ),
            "scenario both": lambda: check_scenario_document(
                {"format": FORMAT, "province": "45", "as_of": "2021-12-31", "added": ["450102001"],
                 "removed": ["450102001", 450102002]}
            ),
        }
    )  # fmt: skip
    return calls


@pytest.mark.parametrize("name", list(_check_and_scenario_errors()))
def test_checks_and_scenario_errors_have_chinese_messages(name):
    with pytest.raises(InputError) as err:
        _check_and_scenario_errors()[name]()
    text = str(err.value)
    assert untranslated_parts(text) == [], text
    assert translate(text) != text
