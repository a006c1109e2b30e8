"""Service-radius gaps on hand-checkable geometry, and their properties."""

import math

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from coverage.analysis.demand import grid_demand, point_demand, raster_demand, township_point_demand
from coverage.analysis.gaps import farthest_from_stations, gap_analysis
from coverage.analysis.travel import MatrixTravel, StraightLine

KM = 1000.0
CRS = "EPSG:4545"  # CGCS2000 / 3-degree Gauss-Kruger CM 108E, metres


def three_squares():
    """Townships A, B, C: 10 x 10 km squares side by side."""
    return gpd.GeoDataFrame(
        {
            "code": ["990101001", "990101002", "990101003"],
            "name": ["A", "B", "C"],
            "n_villages": [4, 6, 10],
            "n_communities": [0, 0, 0],
        },
        geometry=[shapely.box(i * 10 * KM, 0, (i + 1) * 10 * KM, 10 * KM) for i in range(3)],
        crs=CRS,
    )


TWO_STATIONS = np.array([[5 * KM, 5 * KM], [15 * KM, 5 * KM]])  # centres of A and B


def cells_within(cx, cy, r, x0, x1):
    """Brute force: 1-km cell centres of [x0, x1] x [0, 10] km within r km of (cx, cy)."""
    return sum(1 for i in range(x0, x1) for j in range(10) if math.hypot(i + 0.5 - cx, j + 0.5 - cy) <= r)


def test_three_squares_two_stations():
    towns = three_squares()
    r = gap_analysis(towns, TWO_STATIONS, radius_m=5 * KM, grid_m=1 * KM, crs=CRS)
    t = r.townships.set_index("name")
    disc = math.pi * 25  # km², the disc of radius 5 km fits inside A and inside B
    assert t.loc["A", "area_within_km2"] == pytest.approx(disc, rel=2e-4)
    assert t.loc["A", "share_beyond"] == pytest.approx(1 - disc / 100, rel=1e-3)
    assert t.loc["C", "share_beyond"] == 1.0
    # farthest points: A's and B's corners at 5*sqrt(2) km; C's far corners (30, 0), (30, 10) from B's station
    assert t.loc["A", "farthest_m"] == pytest.approx(5 * math.sqrt(2) * KM)
    assert t.loc["B", "farthest_m"] == pytest.approx(5 * math.sqrt(2) * KM)
    assert t.loc["C", "farthest_m"] == pytest.approx(math.hypot(15, 5) * KM)
    assert r.summary["gap_area_km2"] == pytest.approx(300 - 2 * disc, rel=2e-4)
    n_in = cells_within(5, 5, 5, 0, 10)
    assert r.summary["demand_share_within"] == pytest.approx(2 * n_in / 300)
    # villages: A (4) and B (6) have their point within 5 km of a station, C (10) not
    assert r.summary["village_share_within"] == pytest.approx(10 / 20)
    # the discs touch the squares' edges, cutting the gap into 5 pieces: A's two outer corners,
    # the A|B corners above and below (2 corners each), and C with B's two outer corners
    corner = 25 * (1 - math.pi / 4)
    assert r.gaps["area_km2"].tolist() == pytest.approx(
        [100 + 2 * corner, 2 * corner, 2 * corner, corner, corner], rel=1e-3
    )
    assert r.gaps.crs.to_epsg() == 4326


def test_disc_inside_a_square_covers_pi_r2_over_area():
    square = gpd.GeoDataFrame({"code": ["1"], "name": ["S"]}, geometry=[shapely.box(0, 0, 100 * KM, 100 * KM)], crs=CRS)
    r = gap_analysis(square, np.array([[50 * KM, 50 * KM]]), radius_m=20 * KM, grid_m=1 * KM, crs=CRS)
    assert r.summary["area_share_within"] == pytest.approx(math.pi * 400 / 10_000, rel=2e-4)
    assert r.summary["demand_share_within"] == pytest.approx(math.pi * 400 / 10_000, rel=2e-2)
    assert r.townships.loc[0, "farthest_m"] == pytest.approx(50 * math.sqrt(2) * KM)


def test_no_station_means_everything_is_a_gap():
    r = gap_analysis(three_squares(), np.empty((0, 2)), radius_m=5 * KM, crs=CRS)
    assert r.summary["area_share_within"] == 0.0
    assert r.summary["gap_area_km2"] == pytest.approx(300)
    assert np.isinf(r.townships["farthest_m"]).all()
    assert r.to_json()["townships"][0]["farthest_km"] is None


def test_farthest_is_exact_against_a_dense_sample():
    rng = np.random.default_rng(3)
    poly = shapely.Polygon([(0, 0), (30_000, 2_000), (26_000, 25_000), (5_000, 18_000)])
    stations = rng.uniform(0, 30_000, size=(6, 2))
    exact = farthest_from_stations(np.array([poly]), stations)[0]
    xs, ys = np.meshgrid(np.linspace(0, 30_000, 301), np.linspace(0, 25_000, 251))
    inside = shapely.contains_xy(poly, xs.ravel(), ys.ravel())
    pts = np.column_stack([xs.ravel()[inside], ys.ravel()[inside]])
    sampled = np.min(
        np.hypot(pts[:, None, 0] - stations[None, :, 0], pts[:, None, 1] - stations[None, :, 1]), axis=1
    ).max()
    assert sampled <= exact + 1e-6
    assert exact - sampled < 150  # the sample spacing is 100 m


def test_minutes_are_converted_through_circuity_and_speed():
    model = StraightLine(circuity=1.25, speed_kmh=60)
    assert model.metres_for_minutes(30) == pytest.approx(30 / 60 * 60_000 / 1.25)
    assert float(model.minutes(24_000)) == pytest.approx(30)


def test_a_cost_matrix_can_replace_straight_lines():
    import pandas as pd

    costs = pd.DataFrame([[5, 30], [40, 12]], index=["d1", "d2"], columns=["s1", "s2"])
    cost, which = MatrixTravel(costs).nearest_by_id(["d1", "d2"], ["s2"])
    assert cost.tolist() == [30, 12] and which.tolist() == [0, 0]
    with pytest.raises(ValueError, match="lacks"):
        MatrixTravel(costs).nearest_by_id(["d3"], ["s1"])


def test_township_column_weights_are_spread_over_cells():
    towns = three_squares()
    weights = {"990101001": 1000.0, "990101002": 0.0, "990101003": 500.0}
    d = grid_demand(towns, 1 * KM, weights=weights)
    assert len(d) == 300
    assert d.weight.sum() == pytest.approx(1500)
    assert d.weight[d.township == 0] == pytest.approx(np.full(100, 10.0))


def test_tiny_township_keeps_its_weight_at_its_point():
    towns = gpd.GeoDataFrame({"code": ["t"], "name": ["tiny"]}, geometry=[shapely.box(100, 100, 400, 400)], crs=CRS)
    d = grid_demand(towns, 1 * KM, weights={"t": 7.0})
    assert d.weight.tolist() == [7.0]


def test_point_and_raster_demand(tmp_path):
    import rasterio
    from rasterio.transform import from_origin

    towns = three_squares()
    pts = gpd.GeoDataFrame(
        {"pop": [10, 20, 99]}, geometry=gpd.points_from_xy([1000, 25_000, 99_000], [1000, 5000, 5000]), crs=CRS
    )
    d, dropped = point_demand(towns, pts, "pop")
    assert d.weight.tolist() == [10, 20] and dropped == 1
    path = tmp_path / "pop.tif"
    data = np.array([[1, 2, 3], [4, 0, 6]], dtype="float32")
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=3,
        height=2,
        count=1,
        dtype="float32",
        crs=CRS,
        transform=from_origin(0, 10_000, 10_000, 5_000),
        nodata=-1,
    ) as dst:
        dst.write(data, 1)
    d, outside = raster_demand(towns, path)
    assert sorted(d.weight.tolist()) == [1, 2, 3, 4, 6] and outside == 0
    assert np.bincount(d.township, weights=d.weight).tolist() == [5, 2, 9]
    r = gap_analysis(towns, TWO_STATIONS, radius_m=5 * KM, demand=d, crs=CRS)
    # pixel centres (5, 7.5), (15, 7.5) and (5, 2.5) km lie 2.5 km from a station; (25, *) over 10 km
    assert r.summary["demand_share_within"] == pytest.approx((1 + 2 + 4) / 16)


def test_township_points_weigh_villages():
    d = township_point_demand(three_squares())
    assert d.weight.tolist() == [4, 6, 10]


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.tuples(st.floats(0, 30_000), st.floats(0, 10_000)), min_size=1, max_size=5),
    st.tuples(st.floats(0, 30_000), st.floats(0, 10_000)),
    st.floats(1_000, 8_000),
    st.floats(0, 5_000),
)
def test_more_stations_or_a_larger_radius_never_cover_less(points, extra, radius, more):
    towns = three_squares()
    base = gap_analysis(towns, np.array(points), radius_m=radius, grid_m=2 * KM, crs=CRS).summary
    plus_station = gap_analysis(towns, np.array(points + [extra]), radius_m=radius, grid_m=2 * KM, crs=CRS).summary
    plus_radius = gap_analysis(towns, np.array(points), radius_m=radius + more, grid_m=2 * KM, crs=CRS).summary
    for key in ("area_share_within", "demand_share_within", "village_share_within"):
        assert plus_station[key] >= base[key] - 1e-9
        assert plus_radius[key] >= base[key] - 1e-9


def test_guangxi_demo_gaps(guangxi):
    from coverage.data.provinces import default_stations_path
    from coverage.data.stations import read_stations

    st_ = read_stations(default_stations_path("45"), province="45").stations
    r = gap_analysis(guangxi.townships, st_, radius_m=10 * KM)
    s = r.summary
    assert r.crs == "EPSG:4545"
    assert 0 < s["area_share_within"] < 1
    assert abs(s["area_share_within"] - s["demand_share_within"]) < 0.01  # area-weighted 1-km grid ~ area
    total = guangxi.townships.to_crs(r.crs).area.sum() / 1e6
    assert s["gap_area_km2"] == pytest.approx(total * (1 - s["area_share_within"]), rel=1e-6)
    doc = r.to_json()
    assert set(doc) >= {"radius_km", "area_share_within", "demand_share_within", "gap_area_km2", "townships"}
    assert len(doc["townships"]) == 1284
    # a township's farthest point is within the radius exactly when none of its area lies beyond it
    within = r.townships["farthest_m"] <= 10 * KM
    assert 0 < within.sum() < len(r.townships)
    assert (r.townships.loc[within, "share_beyond"] < 1e-9).all()
    assert (r.townships.loc[~within, "share_beyond"] > 1e-9).all()


def test_nearly_coincident_stations_count_once():
    # found by hypothesis: two stations 1e-171 m apart made the Voronoi diagram degenerate
    r = gap_analysis(three_squares(), np.array([[0.0, 1.3e-171], [0.0, 0.0]]), radius_m=1000, grid_m=2 * KM, crs=CRS)
    assert r.townships.loc[0, "area_within_km2"] == pytest.approx(math.pi / 4, rel=1e-3)  # a quarter disc
