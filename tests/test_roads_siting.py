"""Siting and rollout within T road minutes (issue 18): coverage by road on hand-checked networks,
places off the network counted, and the ``site`` / ``plan`` options ``--radius-min`` / ``--travel``."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from coverage.analysis.demand import Demand
from coverage.analysis.roads import ROADS_DIR_ENV, RoadTravel, build_roads, road_travel
from coverage.analysis.travel import StraightLine
from coverage.cli import main
from coverage.optimise.candidates import cost_inputs, covering_inputs
from coverage.optimise.siting import solve_mclp, solve_model
from tests.roads_fixture import ORIGIN_XY, ZONE

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
X0, Y0 = ORIGIN_XY


@pytest.fixture
def tiny(tmp_path: Path) -> RoadTravel:
    build_roads(DATA / "roads_tiny.osm", "tiny", out_dir=tmp_path)
    return road_travel("tiny", tmp_path)


def square_layers() -> tuple[gpd.GeoDataFrame, Demand, gpd.GeoDataFrame]:
    """One township over the tiny square (metres of its zone); demand at A (weight 1), C (2), B (4) and a
    village 5 km west of A, off the network (8); candidate sites at D and at B."""
    town = gpd.GeoDataFrame(
        {"code": ["1"], "name": ["square"], "county_code": ["c"], "city_code": ["t"], "counted": [True]},
        geometry=[shapely.box(X0 - 6_000, Y0 - 1_000, X0 + 11_000, Y0 + 11_000)],
        crs=ZONE,
    )
    demand = Demand(
        x=np.array([X0, X0 + 10_000, X0 + 10_000, X0 - 5_000]),
        y=np.array([Y0, Y0 + 10_000, Y0, Y0]),
        weight=np.array([1.0, 2.0, 4.0, 8.0]),
        township=np.zeros(4, dtype=np.int64),
        kind="points",
    )
    sites = gpd.GeoDataFrame(
        {"code": ["D", "B"], "name": ["D", "B"], "county_code": ["c", "c"], "township_code": ["1", "1"]},
        geometry=shapely.points([X0, X0 + 10_000], [Y0 + 10_000, Y0]),
        crs=ZONE,
    )
    return town, demand, sites


def test_road_coverage_differs_from_the_straight_line_where_the_roads_wind(tiny: RoadTravel) -> None:
    # by road in 30 min: from D, A is 35 min (round by B and C; the track is 40), C 15, B 25, the village
    # 60 min on foot + 35; from B, A 10, C 10, B 0, the village 60 + 10.  The straight line (x 1.3,
    # 40 km/h: 15.38 km in 30 min) reaches all four from both (A-D 10 km, village-D 11.2 km, village-B 15 km).
    town, demand, sites = square_layers()
    road = covering_inputs(town, None, None, sites, demand=demand, road=tiny, radius_min=30.0)
    line_m = StraightLine().metres_for_minutes(30.0)
    line = covering_inputs(town, None, line_m, sites, demand=demand, travel=StraightLine().describe())
    assert road.problem.coverage.toarray().tolist() == [[False, True], [True, True], [True, True], [False, False]]
    assert line.problem.coverage.toarray().all()
    assert road.travel == "road (pandana, roads_tiny.osm)" and road.radius_min == 30.0 and road.radius_m is None
    assert line.travel == "straight line x 1.3, 40 km/h" and line.radius_min is None
    # one station: by road D brings C and B (2 + 4 of 15), B brings A, C and B (7); by line all 15
    at_d = solve_mclp(road.problem, 30.0, 1)
    assert at_d.selected == ["B"] and at_d.objective == pytest.approx(7.0)
    assert solve_mclp(line.problem, line_m, 1).objective == pytest.approx(15.0)
    # the village is off the network: counted (5 km from node A), not dropped - it stays a demand row
    assert road.off_network == [{"kind": "demand points", "count": 1, "farthest_m": pytest.approx(5_000, abs=0.5)}]
    assert len(road.problem.weights) == 4


def test_demand_already_within_road_minutes_of_a_station(tiny: RoadTravel) -> None:
    # a station at C: A 20 min, C 0, B 10 are served within 30 road minutes; the village (60 + 20) is not
    town, demand, sites = square_layers()
    station = pd.DataFrame({"lon": [0.0], "lat": [0.0]})
    station = gpd.GeoDataFrame(station, geometry=shapely.points([X0 + 10_000], [Y0 + 10_000]), crs=ZONE)
    inputs = covering_inputs(town, station, None, sites, demand=demand, road=tiny, radius_min=30.0)
    _, served = inputs.problem.covering(30.0)
    assert served.tolist() == [True, True, True, False]
    # 20 minutes: A (20) still within, B (10) too
    _, served = covering_inputs(town, station, None, sites, demand=demand, road=tiny, radius_min=20.5).problem.covering(
        20.5
    )
    assert served.tolist() == [True, True, True, False]
    _, served = covering_inputs(town, station, None, sites, demand=demand, road=tiny, radius_min=19.5).problem.covering(
        19.5
    )
    assert served.tolist() == [False, True, True, False]


def test_within_minutes_counts_both_walks(tiny: RoadTravel) -> None:
    # from 1 km south of B (12 min walking) to a site 1 km east of C (12 min): 12 + 10 + 12 = 34 min
    point, site = [[X0 + 10_000, Y0 - 1_000]], [[X0 + 11_000, Y0 + 10_000]]
    assert tiny.within_minutes(point, site, 34.5, ZONE).toarray().tolist() == [[True]]
    assert tiny.within_minutes(point, site, 33.5, ZONE).toarray().tolist() == [[False]]
    assert tiny.within_minutes(point, np.empty((0, 2)), 30, ZONE).shape == (1, 0)


def corner_towns() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Four township points (tiny boxes around A, C, D and the village 5 km west of A; villages 1, 1, 10,
    1) and candidate sites at D and at B."""
    xy = [(X0, Y0), (X0 + 10_000, Y0 + 10_000), (X0, Y0 + 10_000), (X0 - 5_000, Y0)]
    towns = gpd.GeoDataFrame(
        {
            "code": ["A", "C", "D", "V"],
            "name": ["A", "C", "D", "V"],
            "county_code": ["c"] * 4,
            "city_code": ["t"] * 4,
            "counted": [True] * 4,
            "n_villages": [1, 1, 10, 1],
            "n_communities": [0, 0, 0, 0],
        },
        geometry=[shapely.box(x - 10, y - 10, x + 10, y + 10) for x, y in xy],
        crs=ZONE,
    )
    sites = gpd.GeoDataFrame(
        {"code": ["D", "B"], "name": ["D", "B"], "county_code": ["c", "c"], "township_code": ["D", "B"]},
        geometry=shapely.points([X0, X0 + 10_000], [Y0 + 10_000, Y0]),
        crs=ZONE,
    )
    return towns, sites


def test_pmedian_and_pcenter_by_road_weigh_road_minutes(tiny: RoadTravel) -> None:
    # road minutes from A, C, D, the village to D: 35 (round by B and C; the track is 40), 15, 0 (the same
    # place), 60 on foot + 35; to B: 10, 10, 25, 60 + 10.  Straight line to D: 10, 10, 0, 11.18 km; to B:
    # 10, 14.14, 14.14, 15 km.
    towns, sites = corner_towns()
    road = cost_inputs(towns, None, sites, road=tiny)
    # (to a thousandth of a minute: the tiny network's nodes sit within centimetres of the corners)
    np.testing.assert_allclose(road.problem.cost, [[35, 10], [15, 10], [0, 25], [95, 70]], atol=1e-3)
    assert road.travel == "road (pandana, roads_tiny.osm)" and road.radius_m is None and road.radius_min is None
    assert road.off_network == [
        {"kind": "township points", "count": 1, "farthest_m": pytest.approx(5_000, abs=0.5), "codes": ["V"]}
    ]
    # p-median (villages x minutes): D 35 + 15 + 0 + 95 = 145, B 10 + 10 + 250 + 70 = 340
    median = solve_model("pmedian", road.problem, p=1)
    assert median.selected == ["D"] and median.objective == pytest.approx(145.0, abs=1e-2)
    # p-center (the largest minutes, unweighted): D 95, B 70 - by road B; by straight line D (11.18 < 15 km)
    center = solve_model("pcenter", road.problem, p=1)
    assert center.selected == ["B"] and center.objective == pytest.approx(70.0, abs=1e-3)
    line = cost_inputs(towns, None, sites)
    assert line.travel == "straight line (metres)" and line.off_network == []
    line_center = solve_model("pcenter", line.problem, p=1)
    assert line_center.selected == ["D"] and line_center.objective == pytest.approx(np.hypot(5_000, 10_000), abs=0.01)


def test_minutes_between_counts_both_walks_and_a_place_with_itself_is_zero(tiny: RoadTravel) -> None:
    village, b = [X0 - 5_000, Y0], [X0 + 10_000, Y0]
    minutes = tiny.minutes_between([village, b], [village, b, [X0 - 5_000, Y0 + 0.5]])
    # the village to B: 60 on foot + 10; to itself 0, not 60 + 60; to a point 0.5 m away: the same place
    np.testing.assert_allclose(minutes, [[0, 70, 0], [70, 0, 70]], atol=1e-3)


# --------------------------------------------------------------------------- command line
@pytest.fixture
def built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(ROADS_DIR_ENV, str(tmp_path))
    build_roads(DATA / "roads_guangxi.osm.pbf", "45", out_dir=tmp_path)
    return tmp_path


SITE = ["site", "--model", "mclp", "--p", "3", "--grid-km", "10", "--method", "heuristic", "--json"]


def test_cli_site_in_road_minutes_names_the_road_and_counts_off_network(
    built: Path, capsys: pytest.CaptureFixture
) -> None:
    assert main([*SITE, "--radius-min", "30"]) == 0
    road = json.loads(capsys.readouterr().out)
    assert road["travel"] == "road (pandana, roads_guangxi.osm.pbf)"  # built: road by default
    assert road["radius_min"] == 30 and road["radius_km"] is None
    kinds = {o["kind"]: o["count"] for o in road["off_network"]}
    assert kinds["demand points"] > 0 and kinds["candidate sites"] > 0  # the synthetic roads cover a few towns
    assert main([*SITE, "--radius-min", "30", "--travel", "line"]) == 0
    line = json.loads(capsys.readouterr().out)
    assert line["travel"] == "straight line x 1.3, 40 km/h" and "off_network" not in line
    assert line["radius_km"] == pytest.approx(StraightLine().metres_for_minutes(30) / 1000)
    # most demand is far from the synthetic roads: by road much less is brought within 30 min
    assert road["covered_share"] < line["covered_share"]
    assert main([*SITE[:-1], "--radius-min", "30"]) == 0
    text = capsys.readouterr().out
    assert "radius 30 min; travel: road (pandana, roads_guangxi.osm.pbf)" in text
    assert "off the road network (walking counted):" in text


def test_cli_site_default_is_a_straight_line_km_radius(built: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(SITE) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["travel"] == "straight line" and document["radius_km"] == 10.0
    assert document["radius_min"] is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--radius-km", "10", "--travel", "road"], "with --travel road give --radius-min"),
        (["--radius-km", "10", "--radius-min", "30"], "not both"),
        (["--radius-min", "30", "--capacity", str(DATA / "roads_tiny.osm")], "add --travel line"),
    ],
)
def test_cli_site_refuses_road_without_minutes(
    args: list[str], message: str, built: Path, capsys: pytest.CaptureFixture
) -> None:
    assert main([*SITE, *args]) == 2
    assert message in capsys.readouterr().err


def test_cli_site_pmedian_refuses_a_radius_in_minutes(built: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["site", "--model", "pmedian", "--p", "2", "--radius-min", "30"]) == 2
    assert "pmedian has no service radius" in capsys.readouterr().err


def test_cli_site_pmedian_by_road(built: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["site", "--model", "pmedian", "--p", "3", "--json"]) == 0
    road = json.loads(capsys.readouterr().out)
    assert road["travel"] == "road (pandana, roads_guangxi.osm.pbf)"  # built: road by default
    assert road["demand_points"] == "township points" and road["radius_km"] is None
    kinds = {o["kind"]: o for o in road["off_network"]}
    assert set(kinds) == {"township points", "candidate sites", "stations"}
    assert len(kinds["township points"]["codes"]) == kinds["township points"]["count"]  # named, not dropped
    assert main(["site", "--model", "pcenter", "--p", "3", "--travel", "line", "--json"]) == 0
    line = json.loads(capsys.readouterr().out)
    assert line["travel"] == "straight line (metres)" and "off_network" not in line
    assert main(["site", "--model", "pcenter", "--p", "3", "--travel", "road"]) == 0
    assert "costs in road minutes; travel: road (pandana, roads_guangxi.osm.pbf)" in capsys.readouterr().out


def test_cli_plan_in_road_minutes(built: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "plan.xlsx"
    plan = ["plan", "--grid-km", "10", "--method", "heuristic", "--radius-min", "30"]
    assert main([*plan, "--json", "--out", str(out)]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["travel"] == "road (pandana, roads_guangxi.osm.pbf)"
    assert document["radius_min"] == 30 and document["radius_km"] is None
    assert {o["kind"] for o in document["off_network"]} >= {"demand points", "candidate sites"}
    sheet = pd.read_excel(out, sheet_name="travel")
    assert sheet.set_index("item").loc["travel", "value"] == "road (pandana, roads_guangxi.osm.pbf)"
    assert main([*plan, "--travel", "line"]) == 0
    text = capsys.readouterr().out
    assert "radius 30 min" in text and "travel: straight line x 1.3, 40 km/h" in text
    assert main(["plan", "--radius-km", "10", "--travel", "road"]) == 2


def test_within_minutes_agrees_with_the_full_matrix(tmp_path: Path) -> None:
    # pandana's range queries (siting) and the matrices (trips) decide "within" alike, seeded sample
    build_roads(DATA / "roads_guangxi.osm.pbf", "45", out_dir=tmp_path)
    road = road_travel("45", tmp_path)
    rng = np.random.default_rng(18)
    nodes = rng.choice(len(road.x), size=90, replace=False)
    xy = np.column_stack([road.x[nodes], road.y[nodes]]) + rng.normal(0, 300, size=(90, 2))
    points, sites = xy[:70], xy[70:]
    p_node, p_m = road.snap_xy(points)
    s_node, s_m = road.snap_xy(sites)
    matrix, _ = road.node_matrices(np.concatenate([p_node, s_node]))
    full = road.walk_minutes(p_m)[:, None] + matrix[:70, 70:] + road.walk_minutes(s_m)[None, :]
    for radius_min in (20.0, 45.0, 90.0):
        within = road.within_minutes(points, sites, radius_min).toarray()
        np.testing.assert_array_equal(within, full <= radius_min)
        assert 0 < within.sum() < within.size  # some pairs in, some out: the test can fail
