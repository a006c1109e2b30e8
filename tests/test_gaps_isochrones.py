"""Road isochrones (coverage.analysis.gaps.isochrones, GapResult.reach): exact on a hand-made road whose
nodes sit on the grid's cell centres, monotone in minutes on the synthetic Guangxi network."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from coverage.analysis.gaps import gap_analysis, isochrones, road_gap_analysis
from coverage.analysis.roads import RoadTravel, build_roads, road_travel
from tests.roads_fixture import ORIGIN_XY, ZONE, lonlat, nanning_on_the_test_roads, write_osm

X0, Y0 = ORIGIN_XY
KM = 1000.0


@pytest.fixture
def cell_road(tmp_path: Path) -> RoadTravel:
    """A straight primary road (60 km/h: 1 min a km) through the centres of a row of 1-km grid cells.

    The grid's cells are centred at (k + 0.5) km, so the nodes at (X0 + 0.5 km + i km, Y0 + 0.5 km) are the
    centres of the cells of the 20 x 1 km township below: cell i is i road minutes from node 0, no walk.
    """
    lon, lat = lonlat([X0 + 500.0 + KM * i for i in range(21)], [Y0 + 500.0] * 21)
    nodes = [(i + 1, round(float(a), 7), round(float(b), 7)) for i, (a, b) in enumerate(zip(lon, lat, strict=True))]
    write_osm(tmp_path / "row.osm", nodes, [(1, [n[0] for n in nodes], {"highway": "primary"})])
    build_roads(tmp_path / "row.osm", "row", out_dir=tmp_path)
    return road_travel("row", tmp_path)


def row_township() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"code": ["990101001"], "name": ["A"]}, geometry=[shapely.box(X0, Y0, X0 + 20 * KM, Y0 + KM)], crs=ZONE
    )


STATION = np.array([[X0 + 500.0, Y0 + 500.0]])  # on node 0, the centre of the first cell


def test_isochrone_is_the_cells_within_the_minutes_exactly(cell_road: RoadTravel) -> None:
    # cells 0..4 are 0..4 min away: within 4.5 min, the 5 km x 1 km strip from the township's west end
    iso = isochrones(row_township(), STATION, [0.5, 4.5, 12.5, 60], cell_road, crs=ZONE)
    assert iso["minutes"].tolist() == [0.5, 4.5, 12.5, 60.0]
    np.testing.assert_allclose(iso["area_km2"], [1.0, 5.0, 13.0, 20.0], atol=1e-6)
    strip = iso.to_crs(ZONE).geometry.iloc[1]
    assert shapely.area(shapely.symmetric_difference(strip, shapely.box(X0, Y0, X0 + 5 * KM, Y0 + KM))) < 0.01


def test_gap_result_reach_is_the_isochrone_and_the_complement_of_the_gaps(cell_road: RoadTravel) -> None:
    result = road_gap_analysis(row_township(), STATION, 4.5, cell_road, crs=ZONE)
    reach = result.reach_m
    assert reach["minutes"].tolist() == [4.5] and reach["radius_km"].isna().all()
    assert reach["travel"].tolist() == ["road (pandana, row.osm)"]  # the file names the model that made it
    assert reach["area_km2"].iloc[0] == pytest.approx(5.0)
    assert result.townships["area_within_km2"].iloc[0] == pytest.approx(5.0)  # 5 of 20 cells of 20 km²
    assert result.gaps_m["area_km2"].sum() == pytest.approx(15.0)
    assert shapely.area(shapely.intersection(reach.geometry.iloc[0], result.gaps_m.union_all())) < 1.0
    assert result.reach.crs.to_epsg() == 4326


def test_no_station_no_isochrone(cell_road: RoadTravel) -> None:
    iso = isochrones(row_township(), None, [30], cell_road, crs=ZONE)
    assert iso["area_km2"].tolist() == [0.0]


def test_straight_line_reach_is_the_discs_in_the_region() -> None:
    towns = row_township()
    result = gap_analysis(towns, STATION, radius_m=2 * KM, crs=ZONE)
    # a 2 km disc at 0.5 km from the west end and the south and north edges: the township's part of it
    disc = shapely.buffer(shapely.Point(STATION[0]), 2 * KM, quad_segs=64)
    expected = shapely.area(shapely.intersection(disc, towns.geometry.iloc[0])) / 1e6
    assert result.reach_m["area_km2"].iloc[0] == pytest.approx(expected, rel=1e-3)
    assert result.reach_m["minutes"].isna().all() and result.reach_m["radius_km"].tolist() == [2.0]
    assert result.reach_m["travel"].tolist() == [result.travel]


def test_isochrone_area_grows_with_minutes_on_the_guangxi_network(tmp_path: Path) -> None:
    road, towns, stations = nanning_on_the_test_roads(tmp_path)
    minutes = [5, 10, 20, 40, 80, 160]
    iso = isochrones(towns, stations, minutes, road)
    areas = iso["area_km2"].tolist()
    assert areas == sorted(areas) and areas[-1] > areas[0] > 0
    shapes = iso.to_crs(iso.estimate_utm_crs()).geometry.to_numpy()
    for smaller, larger in zip(shapes[:-1], shapes[1:], strict=True):
        assert shapely.area(shapely.difference(smaller, larger)) < 1.0  # nested, to rounding
    # the same figure as the road gap analysis of one of the minutes
    result = road_gap_analysis(towns, stations, 20, road)
    assert result.reach_m["area_km2"].iloc[0] == pytest.approx(areas[2], rel=1e-9)


def test_the_isochrone_file_names_the_model_that_made_it(cell_road: RoadTravel) -> None:
    from coverage.present.exports import layer_export

    result = road_gap_analysis(row_township(), STATION, 4.5, cell_road, crs=ZONE)
    text = layer_export(result.reach, "csv", "isochrone", ["车程：道路（pandana，row.osm）"]).decode("utf-8-sig")
    header, row = text.splitlines()[:2]
    assert header.split(",")[:4] == ["minutes", "radius_km", "travel", "area_km2"]
    assert row.startswith('4.5,,"road (pandana, row.osm)",5.0,') and row.endswith("车程：道路（pandana，row.osm）")
