"""Reading boundary layers in every supported format, with repairs and CRS checks."""

import zipfile

import geopandas as gpd
import numpy as np
import pytest
import shapely

from coverage._errors import CRSError, InputError
from coverage.coords import wgs84_to_gcj02
from coverage.data.io import read_layer

BOW_TIE = shapely.Polygon([(108.0, 22.0), (108.1, 22.1), (108.1, 22.0), (108.0, 22.1)])  # self-intersecting
SQUARE = shapely.box(108.2, 22.0, 108.3, 22.1)


@pytest.fixture
def layer():
    return gpd.GeoDataFrame({"XZQDM": ["450102001", "450102002"]}, geometry=[SQUARE, BOW_TIE], crs=4490)


@pytest.mark.parametrize("suffix", [".gpkg", ".geojson", ".parquet"])
def test_formats_read_back_in_wgs84(layer, tmp_path, suffix):
    path = tmp_path / f"t{suffix}"
    layer.to_parquet(path) if suffix == ".parquet" else layer.to_file(path)
    with pytest.warns(UserWarning, match="1 invalid geometries"):
        read = read_layer(path)
    assert read.frame.crs.to_epsg() == 4326
    assert read.report["status"].tolist() == ["accepted", "repaired"]
    assert "Self-intersection" in read.report["message"].iloc[1]
    assert shapely.is_valid(read.frame.geometry.values).all()
    assert read.frame.geometry.iloc[1].area == pytest.approx(0.005)  # both triangles of the bow tie kept


def test_zipped_shapefile(layer, tmp_path):
    layer.iloc[:1].to_file(tmp_path / "x.shp")
    archive = tmp_path / "x.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in tmp_path.glob("x.*"):
            if part != archive:
                zf.write(part, part.name)
    read = read_layer(archive)
    assert read.frame["XZQDM"].tolist() == ["450102001"]
    assert read.frame.geometry.iloc[0].equals(SQUARE)


def test_uploaded_bytes(layer, tmp_path):
    path = tmp_path / "u.geojson"
    layer.iloc[:1].to_file(path)
    read = read_layer(path.read_bytes(), filename="u.geojson")
    assert read.frame["XZQDM"].tolist() == ["450102001"]
    assert read.frame.geometry.iloc[0].equals(SQUARE)


def test_missing_crs_says_how_to_declare_it(tmp_path):
    gpd.GeoDataFrame({"a": [1]}, geometry=[SQUARE]).to_file(tmp_path / "n.shp")
    with pytest.raises(CRSError, match=r"declare crs='EPSG:4490'.*--crs"):
        read_layer(tmp_path / "n.shp")
    assert read_layer(tmp_path / "n.shp", crs="EPSG:4490").frame.crs.to_epsg() == 4326


def test_gcj02_polygons_are_shifted_to_wgs84(tmp_path):
    gx, gy = wgs84_to_gcj02(np.array([108.2, 108.3]), np.array([22.0, 22.1]))
    shifted = shapely.box(gx[0], gy[0], gx[1], gy[1])
    gpd.GeoDataFrame({"a": [1]}, geometry=[shifted], crs=4326).to_file(tmp_path / "amap.geojson")
    read = read_layer(tmp_path / "amap.geojson", crs="gcj02")
    assert read.source_crs == "gcj02"
    assert shapely.get_coordinates(read.frame.geometry.iloc[0]).min(axis=0) == pytest.approx(
        [108.2, 22.0], abs=1e-5
    )  # ~1 m


def test_projected_values_claiming_degrees_are_refused(tmp_path):
    gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.box(500000, 2500000, 501000, 2501000)], crs=4326).to_file(
        tmp_path / "m.geojson"
    )
    with pytest.raises(CRSError, match="says it is in degrees"):
        read_layer(tmp_path / "m.geojson")


def test_not_a_layer(tmp_path):
    bad = tmp_path / "bad.gpkg"
    bad.write_bytes(b"not a geopackage")
    with pytest.raises(InputError, match="cannot read bad.gpkg"):
        read_layer(bad)
