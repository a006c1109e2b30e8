"""Station import: encodings, columns, coordinate systems, names, and the row-by-row report."""

import hashlib

import numpy as np
import prcoords
import pytest

from coverage._errors import InputError
from coverage.data.schema import open_on
from coverage.data.stations import parse_date, parse_degrees, read_stations

HEADER = ("编号", "站点名称", "经度", "纬度")
# WGS 84 points inside known Guangxi townships' cells: the cells' representative points
NANNING = ("450102001", 108.3446, 22.8249)


def haversine_m(lon1, lat1, lon2, lat2):
    lon1, lat1, lon2, lat2 = map(np.radians, (lon1, lat1, lon2, lat2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6_371_008.8 * np.arcsin(np.sqrt(a))


@pytest.fixture(scope="module")
def gx_points(guangxi):
    t = guangxi.townships.set_index("code")
    return {
        code: (float(t.loc[code, "lon"]), float(t.loc[code, "lat"])) for code in ("450102001", "450181101", "451324203")
    }


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_encodings_give_the_same_stations(write_csv, encoding):
    path = write_csv([("站点名称", "所在乡镇"), ("九市镇社工站", "肇庆市德庆县九市镇")], encoding=encoding)
    result = read_stations(path, province="44")
    assert result.summary["matched"] == 1
    assert result.stations["township_code"].tolist() == ["441226114"]
    assert result.stations["location_source"].tolist() == ["township point (approximate)"]


def test_coordinates_place_stations_by_township_polygon(write_csv, gx_points):
    lon, lat = gx_points["450181101"]
    path = write_csv([HEADER, ("A", "百合站", lon, lat)])
    result = read_stations(path, province="45")
    row = result.report.iloc[0]
    assert (row["status"], row["township_code"], row["how"]) == ("matched", "450181101", "location")


@pytest.mark.parametrize("crs", ["gcj02", "bd09"])
def test_gcj02_and_bd09_are_converted_to_within_5_m(write_csv, gx_points, crs):
    lon, lat = gx_points["450181101"]
    shifted = prcoords.wgs_gcj((lat, lon)) if crs == "gcj02" else prcoords.wgs_bd((lat, lon))
    assert haversine_m(lon, lat, shifted.lon, shifted.lat) > 100  # the shift is real
    path = write_csv([HEADER, ("A", "百合站", f"{shifted.lon:.7f}", f"{shifted.lat:.7f}")])
    result = read_stations(path, province="45", crs=crs)
    got = result.stations.iloc[0]
    assert haversine_m(lon, lat, got["lon"], got["lat"]) < 5
    assert "converted from" in result.report.iloc[0]["message"]


def test_published_amap_pair_is_converted_to_within_5_m():
    from coverage.coords import gcj02_to_wgs84

    # Amap's coordinate-conversion documentation: GPS 116.481499,39.990475 -> 116.487585177952,39.991754014757
    lon, lat = gcj02_to_wgs84(116.487585177952, 39.991754014757)
    assert haversine_m(lon, lat, 116.481499, 39.990475) < 5


def test_crs_column_overrides_the_file_crs(write_csv, gx_points):
    lon, lat = gx_points["450181101"]
    b = prcoords.wgs_bd((lat, lon))
    path = write_csv([HEADER + ("坐标系",), ("A", "x", b.lon, b.lat, "百度"), ("B", "y", lon + 0.001, lat, "")])
    result = read_stations(path, province="45")
    assert haversine_m(lon, lat, *result.stations.iloc[0][["lon", "lat"]]) < 5


def test_swapped_latitude_and_longitude_are_repaired(write_csv, gx_points):
    lon, lat = gx_points["450102001"]
    path = write_csv([HEADER, ("A", "x", lat, lon)])
    result = read_stations(path, province="45")
    row = result.report.iloc[0]
    assert row["status"] == "repaired"
    assert "swapped" in row["message"]
    assert result.stations.iloc[0]["lon"] == pytest.approx(lon)
    rejected = read_stations(path, province="45", fix_swapped=False).report.iloc[0]
    assert rejected["status"] == "rejected" and "swapped" in rejected["message"]


def test_whole_columns_swapped_are_noted(write_csv, gx_points):
    rows = [HEADER] + [(f"S{i}", "x", lat, lon) for i, (lon, lat) in enumerate(gx_points.values())]
    result = read_stations(write_csv(rows), province="45")
    assert any("look swapped in 3 of 3 rows" in n for n in result.notes)


def test_points_outside_china_and_in_other_provinces_are_rejected(write_csv):
    path = write_csv([HEADER, ("A", "巴黎", 2.35, 48.85), ("B", "长沙", 112.98, 28.19), ("C", "米", 12060000, 2600000)])
    report = read_stations(path, province="45").report
    assert report["status"].tolist() == ["rejected"] * 3
    assert "outside China" in report.iloc[0]["message"]
    assert "湖南省" in report.iloc[1]["message"]
    assert "metres" in report.iloc[2]["message"]


def test_rejected_coordinates_fall_back_to_the_township_name(write_csv):
    path = write_csv([("站点名称", "所在乡镇", "经度", "纬度"), ("x", "德庆县九市镇", 2.35, 48.85)])
    row = read_stations(path, province="44").report.iloc[0]
    assert (row["status"], row["township_code"]) == ("repaired", "441226114")
    assert "outside China" in row["message"] and "placed by its township" in row["message"]


def test_duplicate_ids_and_locations_are_rejected(write_csv, gx_points):
    lon, lat = gx_points["450102001"]
    lon2, lat2 = gx_points["450181101"]
    path = write_csv([HEADER, ("A", "x", lon, lat), ("A", "y", lon2, lat2), ("B", "z", lon, lat)])
    report = read_stations(path, province="45").report
    assert report["status"].tolist() == ["matched", "rejected", "rejected"]
    assert "already used by row 2" in report.iloc[1]["message"]
    assert "same location as row 2" in report.iloc[2]["message"]


def test_name_and_location_disagreeing_is_reported(write_csv, gx_points):
    lon, lat = gx_points["450181101"]
    path = write_csv([("站点名称", "所在乡镇", "经度", "纬度"), ("x", "兴宁区民生街道", lon, lat)])
    row = read_stations(path, province="45").report.iloc[0]
    assert row["township_code"] == "450102001"
    assert "fall in" in row["message"] and "450181101" in row["message"]


def test_ambiguous_name_resolved_by_location(write_csv, guangdong):
    t = guangdong.townships.set_index("code")
    lon, lat = t.loc["441702006", ["lon", "lat"]]
    path = write_csv([("站点名称", "所在乡镇", "经度", "纬度"), ("x", "城东街道", lon, lat)])
    row = read_stations(path, province="44").report.iloc[0]
    assert (row["status"], row["township_code"], row["how"]) == ("matched", "441702006", "name and location")


def test_codes_old_codes_and_village_codes(write_csv):
    path = write_csv(
        [("站点名称", "乡镇代码"), ("a", "441226114"), ("b", "441226114001"), ("c", "440511011"), ("d", "123")]
    )
    report = read_stations(path, province="44").report
    assert report["township_code"].tolist()[:3] == ["441226114", "441226114", "440511018"]
    assert report["status"].tolist()[:3] == ["matched", "repaired", "repaired"]
    assert report.iloc[3]["status"] == "unmatched"  # neither the code nor the name "d" is a township
    assert "not a 9-digit code" in report.iloc[3]["message"]


def test_combined_coordinate_column_and_dms(write_csv, gx_points):
    lon, lat = gx_points["450102001"]
    path = write_csv([("站点名称", "经纬度"), ("x", f"{lon},{lat}")])
    assert read_stations(path, province="45").stations.iloc[0]["township_code"] == "450102001"
    assert parse_degrees("108°19'12\"") == pytest.approx(108.32)
    assert parse_degrees("东经108.5") == pytest.approx(108.5)
    assert parse_degrees("N22.8") == pytest.approx(22.8)
    assert parse_degrees("abc") is None


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2021-03-15", "2021-03-15"),
        ("2021/3/5", "2021-03-05"),
        ("2021年3月", "2021-03-01"),
        ("2021.3", "2021-03-01"),
        ("2021", "2021-01-01"),
        ("44270", "2021-03-15"),
        ("20210315", "2021-03-15"),
    ],
)
def test_dates(text, iso):
    assert parse_date(text)[0].isoformat() == iso


def test_unreadable_dates_are_reported_not_fatal(write_csv):
    path = write_csv([("站点名称", "所在乡镇", "建站时间"), ("x", "德庆县九市镇", "去年")])
    result = read_stations(path, province="44")
    assert result.report.iloc[0]["status"] == "repaired"
    assert "unreadable" in result.report.iloc[0]["message"]
    assert result.stations.iloc[0]["opened"] is None


def test_missing_columns_say_what_was_found(write_csv):
    path = write_csv([("站点", "东经X", "北纬X"), ("a", "1", "2")])
    # 站点 is a name column, so that works; a file with nothing usable:
    bad = write_csv([("甲", "乙"), ("1", "2")], name="bad.csv")
    with pytest.raises(InputError, match="found: 甲, 乙"):
        read_stations(bad, province="45")
    only_lon = write_csv([("经度", "备注"), ("108", "")], name="lon.csv")
    with pytest.raises(InputError, match="no lat column"):
        read_stations(only_lon, province="45")
    assert read_stations(path, province="45", columns={"lon": "东经X", "lat": "北纬X"}).columns["lon"] == "东经X"
    with pytest.raises(InputError, match="not in the file"):
        read_stations(path, province="45", columns={"lon": "经度"})


def test_header_without_rows(write_csv):
    with pytest.raises(InputError, match="no data rows"):
        read_stations(write_csv([HEADER]), province="45")


def test_the_input_file_is_never_modified(write_csv, gx_points):
    lon, lat = gx_points["450102001"]
    path = write_csv([HEADER, ("A", "x", lat, lon), ("B", "", "", "")])
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    read_stations(path, province="45")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_report_keeps_every_input_column_of_every_row(write_csv):
    rows = [HEADER + ("负责人",), ("A", "九市", "", "", "张三"), ("B", "", "", "", "李四")]
    report = read_stations(write_csv(rows), province="44").report
    assert len(report) == 2
    assert report["input: 负责人"].tolist() == ["张三", "李四"]
    assert report["row"].tolist() == [2, 3]


def test_province_is_inferred_from_names(write_csv):
    result = read_stations(write_csv([("站点名称",), ("肇庆市德庆县九市镇社工站",)]))
    assert result.province == "44"
    assert any("inferred" in n for n in result.notes)


def test_open_on_follows_opening_and_closing_dates():
    import pandas as pd

    st = pd.DataFrame({"opened": ["2020-01-01", "2021-06-01", None], "closed": ["2021-01-01", None, None]})
    assert open_on(st, "2020-06-30").tolist() == [True, False, True]
    assert open_on(st, "2021-01-01").tolist() == [False, False, True]
    assert open_on(st, "2021-12-31").tolist() == [False, True, True]


def test_resolve_ambiguous_row_keeps_the_input_and_says_so(write_csv, guangxi):
    from coverage.data.stations import candidate_codes, resolve

    path = write_csv([("名称", "乡镇", "开设时间"), ("A站", "城东街道", "2021-03-01"), ("B站", "火星镇", "2021-01-01")])
    imported = read_stations(path, province="45")
    row = imported.report.iloc[0]
    assert row["status"] == "ambiguous"
    codes = [c for c, _ in candidate_codes(row)]
    assert codes == ["451102002", "451302001"]
    fixed = resolve(imported, {int(row["row"]): codes[1]}, guangxi.townships)
    assert fixed.summary["repaired"] == 1 and fixed.summary["ambiguous"] == 0 and fixed.summary["unmatched"] == 1
    station = fixed.stations.iloc[0]
    assert (station["name"], station["township_code"], str(station["opened"])) == ("A站", "451302001", "2021-03-01")
    assert "resolved by the user" in fixed.report.iloc[0]["message"]
    assert fixed.report.iloc[0]["input: 乡镇"] == "城东街道"  # the user's text is kept
    assert len(imported.stations) == 0  # the original import is unchanged
    with pytest.raises(InputError):
        resolve(imported, {99: "451302001"})


def test_candidate_codes_keep_the_share_of_a_successor():
    from coverage.data.stations import candidate_codes

    row = {
        "candidates": "桂林市雁山区大埠乡 (450311200) (60% of its villages/communities); "
        "桂林市临桂区会仙镇 (450312102) (40% of its villages/communities)"
    }
    assert candidate_codes(row) == [
        ("450311200", "桂林市雁山区大埠乡 (60% of its villages/communities)"),
        ("450312102", "桂林市临桂区会仙镇 (40% of its villages/communities)"),
    ]
    assert candidate_codes({"candidates": "贺州市八步区城东街道 (451102002); 崇左市江州区城东街道 (451302001)"}) == [
        ("451102002", "贺州市八步区城东街道"),
        ("451302001", "崇左市江州区城东街道"),
    ]
    assert candidate_codes({"candidates": ""}) == []
