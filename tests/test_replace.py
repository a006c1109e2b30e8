"""Replacing approximate cells by official township polygons is one step."""

import geopandas as gpd
import pytest
import shapely

from coverage._errors import CRSError
from coverage.data.provinces import load_province
from coverage.data.replace import replace_townships


@pytest.fixture
def official(guangxi, tmp_path):
    """'Official' polygons for 兴宁区: its cells moved 1 km east, codes in XZQDM, names in XZQMC."""
    t = guangxi.townships[guangxi.townships["county_code"] == "450102"]
    shifted = shapely.transform(t.geometry.values, lambda xy: xy + [0.01, 0.0])
    gdf = gpd.GeoDataFrame({"XZQDM": t["code"].values, "XZQMC": t["name"].values}, geometry=shifted, crs=4490)
    gdf.loc[gdf.index[0], "XZQDM"] = None  # this one must be found by its name
    path = tmp_path / "official.geojson"
    gdf.to_file(path)
    return path, t


def test_replace_marks_official_and_trims_the_rest(official, tmp_path):
    path, t = official
    out = tmp_path / "45.gpkg"
    result = replace_townships("45", path, out=out)
    assert result.replaced == len(t) == 6
    assert result.kept_approximate == 1284 - 6
    assert result.report["status"].tolist() == ["matched"] * 6
    assert result.report["how"].tolist()[0] == "name"
    new = load_province("45", path=out).townships
    assert (new["boundary_quality"] == "official").sum() == 6
    official_union = shapely.union_all(new[new["boundary_quality"] == "official"].geometry.values)
    others = new[new["boundary_quality"] == "approximate"].geometry.values
    overlap = shapely.area(shapely.intersection(others, official_union)).sum()
    assert overlap < 1e-9
    assert (
        "official polygons"
        in load_province("45", path=out).provenance.set_index("layer").loc["townships", "approximate"]
    )


def test_a_file_without_crs_must_be_declared(guangxi, tmp_path):
    t = guangxi.townships.head(3)
    path = tmp_path / "noprj.shp"
    gpd.GeoDataFrame({"XZQDM": t["code"].values}, geometry=list(t.geometry)).to_file(path)
    assert not path.with_suffix(".prj").exists()
    with pytest.raises(CRSError, match="crs='EPSG:4490'"):
        replace_townships("45", path, out=tmp_path / "x.gpkg")
    result = replace_townships("45", path, crs="cgcs2000", out=tmp_path / "x.gpkg")
    assert result.replaced == 3
