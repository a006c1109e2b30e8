"""Downloads: tables, layers and maps as bytes that open elsewhere as they were."""

import io
import json
import re

import folium
import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely
from folium.plugins import Fullscreen

from coverage._errors import CRSError, InputError
from coverage.present.exports import (
    FORMATS,
    LEAFLET_DIR,
    export_name,
    layer_export,
    layer_table,
    safe_filename,
    standalone_map_html,
    table_export,
)
from coverage.present.webmap import AssetError

BOM = b"\xef\xbb\xbf"


@pytest.fixture
def table():
    return pd.DataFrame({"县": ["德庆县", "陆川县"], "站数": [3, 0], "覆盖率": [0.25, 0.0]})


@pytest.fixture
def points():
    """Two stations in Guangxi, WGS 84, with more decimals than a download keeps."""
    return gpd.GeoDataFrame(
        {"name": ["福建园街道社工站", "宾州镇社工站"], "opened": ["2020-01-02", "2021-03-15"]},
        geometry=gpd.points_from_xy([108.27565912345, 108.81063], [22.79337198765, 23.18252]),
        crs="EPSG:4326",
    )


@pytest.fixture
def townships(guangxi):
    return guangxi.townships[guangxi.townships["county_code"] == "450922"].reset_index(drop=True)


def test_formats_name_extension_and_mime_type():
    assert set(FORMATS) == {"csv", "xlsx", "geojson", "gpkg", "html"}
    assert FORMATS["csv"] == ("csv", "text/csv")
    assert FORMATS["xlsx"][1] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert export_name("广西/2021 覆盖率", "gpkg") == "广西_2021_覆盖率.gpkg"


def test_csv_has_a_bom_and_reads_back(table):
    data = table_export(table, "csv", "名单")
    assert data.startswith(BOM)
    assert_frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    pd.testing.assert_frame_equal(assert_frame, table)


def test_xlsx_table_sheet_named_and_reads_back(table):
    data = table_export(table, "xlsx", "滞后县: 2021/12")
    back = pd.read_excel(io.BytesIO(data), sheet_name=None)
    assert list(back) == ["滞后县_ 2021_12"]
    pd.testing.assert_frame_equal(back["滞后县_ 2021_12"], table)


@pytest.mark.parametrize("fmt", ["pdf", "geojson", "json"])
def test_unknown_table_format_lists_the_formats(table, fmt):
    with pytest.raises(InputError, match=r"formats: csv, xlsx"):
        table_export(table, fmt, "x")


def test_unknown_layer_format_lists_the_formats(points):
    with pytest.raises(InputError, match=r"formats: geojson, gpkg, csv, xlsx"):
        layer_export(points, "shp", "x")


def test_geojson_is_rfc7946_wgs84_with_six_decimals(townships):
    projected = townships.to_crs("EPSG:4545")  # CGCS2000 GK zone 36: metres
    data = layer_export(projected, "geojson", "陆川县乡镇")
    doc = json.loads(data)
    assert "crs" not in doc  # RFC 7946: WGS 84 implied, no crs member
    numbers = re.findall(r"-?\d+\.\d+", json.dumps(doc["features"][0]["geometry"]))
    assert numbers and max(len(n.split(".")[1]) for n in numbers) <= 6
    back = gpd.read_file(io.BytesIO(data))
    assert back.crs.to_epsg() == 4326
    assert len(back) == len(townships)
    assert back["code"].tolist() == townships["code"].tolist()
    # 6 decimals = 0.11 m at most; area of the county within 1e-5 relative
    area = shapely.area(townships.to_crs("EPSG:4545").geometry.values).sum()
    assert shapely.area(back.to_crs("EPSG:4545").geometry.values).sum() == pytest.approx(area, rel=1e-5)


def test_geojson_rounds_point_coordinates(points):
    doc = json.loads(layer_export(points, "geojson", "stations"))
    assert doc["features"][0]["geometry"]["coordinates"] == [108.275659, 22.793372]
    assert doc["features"][0]["properties"]["name"] == "福建园街道社工站"


def test_gpkg_keeps_rows_crs_and_layer_name(townships):
    projected = townships.to_crs("EPSG:4545")
    data = layer_export(projected, "gpkg", "陆川县乡镇")
    assert data[:16] == b"SQLite format 3\x00"
    with pyogrio_file(data) as path:
        assert [name for name, _ in pyogrio.list_layers(path)] == ["陆川县乡镇"]
        back = gpd.read_file(path, layer="陆川县乡镇")
    assert back.crs.to_epsg() == 4545
    assert back["code"].tolist() == projected["code"].tolist()
    assert shapely.equals_exact(back.geometry.values, projected.geometry.values, tolerance=1e-6).all()


class pyogrio_file:
    """Bytes written to a temporary .gpkg, for readers that want a path."""

    def __init__(self, data: bytes):
        import tempfile

        self._dir = tempfile.TemporaryDirectory()
        self.path = f"{self._dir.name}/layer.gpkg"
        with open(self.path, "wb") as f:
            f.write(data)

    def __enter__(self):
        return self.path

    def __exit__(self, *exc):
        self._dir.cleanup()


def test_layer_as_csv_has_wkt_and_point_lon_lat(points):
    data = layer_export(points.to_crs("EPSG:4545"), "csv", "stations")
    assert data.startswith(BOM)
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert list(back.columns) == ["name", "opened", "wkt", "lon", "lat"]
    assert back["lon"].tolist() == pytest.approx([108.275659, 108.81063], abs=2e-6)
    assert back["lat"].tolist() == pytest.approx([22.793372, 23.18252], abs=2e-6)
    assert back["wkt"].str.startswith("POINT (108.").all()


def test_polygon_layer_as_xlsx_has_wkt_but_no_invented_lon_lat(townships):
    frame = townships.drop(columns=["lon", "lat"])
    back = pd.read_excel(io.BytesIO(layer_export(frame, "xlsx", "乡镇")), dtype={"code": str})
    assert len(back) == len(frame)
    assert "lon" not in back and "lat" not in back
    assert shapely.from_wkt(back["wkt"]).tolist()[0].geom_type in ("Polygon", "MultiPolygon")
    assert back["code"].tolist() == frame["code"].tolist()


def test_layer_table_replaces_point_lon_lat(points):
    frame = points.assign(lon=0.0, lat=0.0)
    assert layer_table(frame)["lon"].tolist() == pytest.approx([108.275659, 108.81063])


def test_layer_without_crs_is_refused(points):
    with pytest.raises(CRSError, match="no coordinate system"):
        layer_export(points.set_crs(None, allow_override=True), "gpkg", "x")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("广西壮族自治区 覆盖率报告", "广西壮族自治区_覆盖率报告"),
        ("../../etc/passwd", "etc_passwd"),
        ('南宁市\\青秀区:<2021>?"*|', "南宁市_青秀区_2021"),
        ("  .. ", "export"),
        ("", "export"),
        ("CON", "CON_"),
        ("report\n2021\t年", "report_2021_年"),
    ],
)
def test_safe_filename(text, expected):
    assert safe_filename(text) == expected


def test_safe_filename_is_capped():
    assert len(safe_filename("乡" * 300)) == 100


def _small_map():
    m = folium.Map(tiles=None, location=[22.8, 108.3], zoom_start=9)
    folium.GeoJson(
        {
            "type": "Feature",
            "properties": {"name": "陆川县"},
            "geometry": shapely.geometry.mapping(shapely.box(108, 22, 108.5, 22.5)),
        },
        name="县界",
    ).add_to(m)
    folium.CircleMarker([22.79, 108.27], radius=4, tooltip="福建园街道社工站").add_to(m)
    folium.LayerControl().add_to(m)
    return m


def test_standalone_map_inlines_leaflet_and_loads_nothing_remote():
    html = standalone_map_html(_small_map())
    tags = re.findall(r"<(?:script|link|img)\b[^>]*>", html, flags=re.IGNORECASE)
    assert not [t for t in tags if re.search(r"(?:src|href)\s*=", t)]  # nothing loaded from anywhere
    assert "/app/static" not in html
    assert "Leaflet 1.9.4" in html  # the vendored script itself
    assert (LEAFLET_DIR / "leaflet.js").read_text(encoding="utf-8")[-2000:] in html
    assert ".leaflet-container" in html  # the style sheet
    assert "url(data:image/png;base64," in html and "url(images/" not in html  # layer-control icons
    assert "福建园街道社工站" in html


def test_standalone_map_refuses_a_plugin_from_a_cdn():
    m = _small_map()
    Fullscreen().add_to(m)
    with pytest.raises(AssetError, match="not served locally"):
        standalone_map_html(m)
