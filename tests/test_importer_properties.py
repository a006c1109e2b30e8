"""Property tests of the station importer: any bytes give a report or a clear error; names round-trip."""

import io

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coverage._errors import InputError
from coverage.data.register import load_register
from coverage.data.schema import STATUSES
from coverage.data.stations import read_stations
from tests.conftest import csv_bytes

FUZZ = settings(
    max_examples=int(__import__("os").environ.get("FUZZ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def _check(data: bytes, filename: str) -> None:
    try:
        result = read_stations(data, filename=filename, province="45")
    except InputError as exc:
        assert str(exc)  # a message a person can act on
        return
    # one report row per data row, every status known, stations only from placed rows
    assert len(result.report) == len(result.table.rows)
    assert set(result.report["status"]) <= set(STATUSES)
    placed = result.report["status"].isin(["matched", "repaired"]).sum()
    assert len(result.stations) == placed


@FUZZ
@given(st.binary(max_size=2_000))
def test_any_bytes_give_a_report_or_an_input_error(data):
    _check(data, "fuzz.csv")


CELL = st.one_of(
    st.text(max_size=12),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["", "108.3", "22.8", "九市镇", "城东街道", "2021-03", "gcj02", "百度", "441226114", "E108°20'"]),
)
HEADERS = st.lists(
    st.sampled_from(
        ["经度", "纬度", "站点名称", "乡镇", "县", "乡镇代码", "建站时间", "坐标系", "编号", "备注", "x", "y", "随便"]
    ),
    min_size=1,
    max_size=6,
)


@FUZZ
@given(
    HEADERS,
    st.lists(st.lists(CELL, min_size=0, max_size=7), max_size=8),
    st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]),
)
def test_any_table_gives_a_report_or_an_input_error(header, rows, encoding):
    table = [tuple(header)] + [tuple(r) for r in rows]
    try:
        data = csv_bytes(table, encoding)
    except UnicodeEncodeError:
        return
    _check(data, "table.csv")


@FUZZ
@given(st.binary(max_size=400))
def test_corrupt_xlsx_gives_an_input_error(tail):
    _check(b"PK\x03\x04" + tail, "broken.xlsx")


@pytest.fixture(scope="module")
def sample():
    reg = load_register()
    towns = reg.counted("45")
    # names unique within the province, so the name alone must resolve
    unique = towns[~towns["name"].duplicated(keep=False)]
    return unique.sample(60, random_state=7), reg


@settings(max_examples=30, deadline=None)
@given(st.data())
def test_names_in_any_common_form_resolve_to_their_code(sample, data):
    towns, reg = sample
    rows = [("站点名称",)]
    expected = []
    for _, t in towns.sample(10, random_state=data.draw(st.integers(0, 10_000))).iterrows():
        county = reg.counties.loc[t["county_code"], "name"]
        city = reg.cities.loc[t["city_code"], "name"]
        form = data.draw(st.sampled_from(["full", "county", "bare", "station", "spaced"]))
        text = {
            "full": f"{city}{county}{t['name']}",
            "county": f"{county}{t['name']}",
            "bare": t["name"],
            "station": f"{county}{t['name']}社工站",
            "spaced": f" {city} {county} {t['name']} 社会工作服务站 ",
        }[form]
        rows.append((text,))
        expected.append(t["code"])
    result = read_stations(csv_bytes(rows), filename="names.csv", province="45")
    assert result.report["township_code"].tolist() == expected
    assert set(result.report["status"]) <= {"matched", "repaired"}


def test_xlsx_and_csv_give_the_same_report(tmp_path):
    rows = [("编号", "站点名称", "建站时间"), ("A", "德庆县九市镇社工站", "2021-03-15"), ("B", "城东街道", "")]
    book = openpyxl.Workbook()
    for r in rows:
        book.active.append(list(r))
    buffer = io.BytesIO()
    book.save(buffer)
    from_xlsx = read_stations(buffer.getvalue(), filename="s.xlsx", province="44").report
    from_csv = read_stations(csv_bytes(rows), filename="s.csv", province="44").report
    pd.testing.assert_frame_equal(from_xlsx, from_csv)
