"""The embedded data is rebuilt by one command, identically."""

import geopandas as gpd
import pandas as pd
import shapely

from coverage.data.build.boundaries import build_province
from coverage.data.demo import guangdong_reported, guangxi_demo
from coverage.data.provinces import default_stations_path


def test_guangxi_rebuilds_to_the_committed_geopackage(tmp_path, guangxi):
    result = build_province("45", out=tmp_path / "45.gpkg")
    assert result.counts == {"cities": 14, "counties": 111, "townships": 1284, "counted": 1253}
    assert not result.report["level"].isin(["county", "city", "township"]).any()
    assert sum(result.point_sources.values()) == 1284
    assert result.point_sources == guangxi.townships["point_source"].value_counts().to_dict()
    rebuilt = gpd.read_file(result.path, layer="townships").to_crs(4326)
    committed = guangxi.townships
    assert rebuilt["code"].tolist() == committed["code"].tolist()
    same = shapely.equals_exact(rebuilt.geometry.values, committed.geometry.values, tolerance=1e-9)
    assert same.all()
    for column in ("lon", "lat", "point_source", "point_ref"):
        assert rebuilt[column].tolist() == committed[column].tolist(), column


def test_default_station_files_are_what_the_command_writes():
    for frame, code in ((guangxi_demo(), "45"), (guangdong_reported(), "44")):
        committed = pd.read_csv(default_stations_path(code), dtype=str, keep_default_na=False)
        expected = frame.astype(str).replace({"nan": ""})
        pd.testing.assert_frame_equal(committed, expected.reset_index(drop=True), check_dtype=False)


def test_development_zones_without_a_polygon_are_placed_not_dropped(register):
    # Hebei has register "counties" that are development zones (e.g. 130171) with no polygon of their own
    from coverage.data.build.boundaries import build_township_cells

    towns, counties, report = build_township_cells("13")
    assert len(towns) == len(register.in_province("13"))
    assert towns.geometry.notna().all()
    zone = towns[towns["county_code"] == "130171"]
    assert len(zone) == 4 and (zone["host_county_code"] != "").all()
    assert "130171" in set(counties["code"])
    placed = [r for r in report if r["code"] == "130171"]
    assert placed and "host county" in placed[0]["action"]
