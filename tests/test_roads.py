"""Road travel (coverage/analysis/roads.py): the OSM reader, pandana's answers on hand-checked
networks, road gaps, and the command line (``roads build``, ``--travel``)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from coverage import settings
from coverage._errors import InputError
from coverage.analysis.roads import (
    ROADS_DIR_ENV,
    RoadNetwork,
    RoadTravel,
    build_roads,
    load_roads,
    road_travel,
    speed_minutes,
)
from coverage.analysis.travel import Place, StraightLine
from coverage.cli import main
from tests.roads_fixture import (
    ORIGIN_XY,
    ZONE,
    lonlat,
    nanning_on_the_test_roads,
    straight_road,
    tiny_network,
    write_osm,
)

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
TINY = DATA / "roads_tiny.osm"
GUANGXI = DATA / "roads_guangxi.osm.pbf"
X0, Y0 = ORIGIN_XY


def place(name: str, x: float, y: float) -> Place:
    """A place at metres (x, y) of the fixtures' zone."""
    lon, lat = lonlat([x], [y])
    return Place(name, name, float(lon[0]), float(lat[0]))


def square() -> list[Place]:
    """The corners A (south-west), B, C, D of the tiny square."""
    return [
        place("A", X0, Y0),
        place("B", X0 + 10_000, Y0),
        place("C", X0 + 10_000, Y0 + 10_000),
        place("D", X0, Y0 + 10_000),
    ]


@pytest.fixture
def tiny(tmp_path: Path) -> RoadTravel:
    build_roads(TINY, "tiny", out_dir=tmp_path)
    return road_travel("tiny", tmp_path)


# --------------------------------------------------------------------------- the engine's answers
def test_tiny_square_fastest_minutes_and_shortest_km(tiny: RoadTravel) -> None:
    # A-B, B-C primary 10 min each; C-D tertiary 15 min; D-A track 40 min; the footway A-C is not driven
    minutes, km = tiny.matrices(square())
    expected_min = np.array([[0, 10, 20, 35], [10, 0, 10, 25], [20, 10, 0, 15], [35, 25, 15, 0]], dtype=float)
    # the shortest A-D is the 10 km track (40 min), the fastest the 30 km round by B and C (35 min)
    expected_km = np.array([[0, 10, 20, 10], [10, 0, 10, 20], [20, 10, 0, 10], [10, 20, 10, 0]], dtype=float)
    np.testing.assert_allclose(minutes, expected_min, atol=0.01)  # coordinates stored to 1e-7 degrees (1 cm)
    np.testing.assert_allclose(km, expected_km, atol=0.001)


def test_nearest_station_minutes_add_the_walks(tiny: RoadTravel) -> None:
    # station at C; from A 20 min, from D 15 min; from 1 km south of B: 12 min walking + 10 min driving
    points = [[X0, Y0], [X0, Y0 + 10_000], [X0 + 10_000, Y0 - 1_000]]
    minutes, index = tiny.minutes_to_nearest(points, [[X0 + 10_000, Y0 + 10_000]], ZONE, max_min=60)
    np.testing.assert_allclose(minutes, [20, 15, 22], atol=0.01)
    assert index.tolist() == [0, 0, 0]
    # beyond the search limit: infinite, no station
    minutes, index = tiny.minutes_to_nearest(points, [[X0 + 10_000, Y0 + 10_000]], ZONE, max_min=18)
    assert minutes[0] == np.inf and index[0] == -1
    assert minutes[1] == pytest.approx(15, abs=0.01)


def test_nearest_of_two_stations_counts_the_station_walk(tiny: RoadTravel) -> None:
    # from A: station 1 sits 2 km off node C (20 + 24 min), station 2 at D (35 min): station 2 wins
    stations = [[X0 + 12_000, Y0 + 10_000], [X0, Y0 + 10_000]]
    minutes, index = tiny.minutes_to_nearest([[X0, Y0]], stations, ZONE, max_min=120)
    assert minutes[0] == pytest.approx(35, abs=0.01)
    assert index.tolist() == [1]


def test_village_off_the_network_is_reported_not_dropped(tiny: RoadTravel) -> None:
    village = place("far village", X0 - 5_000, Y0)  # 5 km west of A: 60 min on foot
    near = place("near village", X0, Y0 - 100)
    minutes, km = tiny.matrices([village, near, *square()])
    assert minutes.shape == (6, 6)
    assert minutes[0, 3] == pytest.approx(60 + 10, abs=0.01)  # walk to A, drive to B
    assert km[0, 3] == pytest.approx(5 + 10, abs=0.001)
    off = tiny.off_network()
    assert [r["name"] for r in off] == ["far village"]
    assert off[0]["snap_m"] == pytest.approx(5_000, abs=0.5)


def test_straight_road_agrees_with_the_straight_line_model(tmp_path: Path) -> None:
    # a straight primary road (60 km/h): the line model with detour 1 at 60 km/h gives the same figures
    straight_road(tmp_path / "straight.osm", length_km=40)
    build_roads(tmp_path / "straight.osm", "line", out_dir=tmp_path)
    road = road_travel("line", tmp_path)
    places = [place("0 km", X0, Y0), place("15 km", X0 + 15_000, Y0), place("40 km", X0 + 40_000, Y0)]
    road_min, road_km = road.matrices(places)
    line_min, line_km = StraightLine(circuity=1.0, speed_kmh=60.0).matrices(places)
    np.testing.assert_allclose(road_min, line_min, atol=0.01)  # within 0.01 min (0.6 s)
    np.testing.assert_allclose(road_km, line_km, atol=0.001)  # within 1 m
    assert road_min[0, 2] == pytest.approx(40.0, abs=0.01)


def chains_and_dead_ends(seed: int) -> RoadNetwork:
    """A network shaped like rural roads: a 4 x 4 lattice of junctions joined by chains of 0-4 nodes
    (some pairs by two chains), a loop chain, and branching dead-end trees off chain nodes."""
    rng = np.random.default_rng(seed)
    edges: list[tuple[int, int]] = []
    count = 16  # the junctions are nodes 0-15

    def chain(u: int, v: int, inner: int) -> list[int]:
        nonlocal count
        path = [u, *range(count, count + inner), v]
        count += inner
        edges.extend(zip(path[:-1], path[1:], strict=True))
        return path[1:-1]

    on_chains: list[int] = []
    for r in range(4):
        for c in range(4):
            j = 4 * r + c
            for k in ([j + 1] if c < 3 else []) + ([j + 4] if r < 3 else []):
                on_chains += chain(j, k, int(rng.integers(0, 5)))
                if rng.random() < 0.3:  # a second road between the same junctions
                    on_chains += chain(j, k, int(rng.integers(1, 4)))
    on_chains += chain(5, 5, 3)  # a loop from junction 5 back to itself
    for root in rng.choice(on_chains + list(range(16)), size=12, replace=False):
        tree = [int(root)]
        for _ in range(int(rng.integers(1, 6))):  # a small tree: each node hangs off an earlier one
            edges.append((int(rng.choice(tree)), count))
            tree.append(count)
            count += 1
    a, b = np.array(edges).T
    length_m = rng.uniform(50, 3_000, len(a))
    lon, lat = lonlat(X0 + rng.uniform(0, 20_000, count), Y0 + rng.uniform(0, 20_000, count))
    provenance = {"source": {"name": "generated"}, "projected_crs": ZONE}
    minutes = speed_minutes(length_m, list(rng.choice(["primary", "tertiary", "track"], len(a))))
    return RoadNetwork("gen", lon, lat, a, b, length_m, minutes, provenance)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_fast_matrices_equal_pandana_pair_by_pair_on_chains_and_dead_ends(seed: int) -> None:
    # the network reduced around the asked nodes and searched with scipy gives pandana's own answers
    road = RoadTravel(chains_and_dead_ends(seed))
    n = len(road.x)
    rng = np.random.default_rng(seed)
    for size in (2, 12, n // 3):
        nodes = rng.choice(n, size=size, replace=False)
        nodes = np.concatenate([nodes, nodes[:1]])  # a node asked twice
        minutes, km = road.node_matrices(nodes)
        expected_min, expected_km = road.pairwise_node_matrices(nodes)
        np.testing.assert_array_equal(minutes, expected_min)
        np.testing.assert_array_equal(km, expected_km)
        assert minutes[0, -1] == 0.0 and minutes.max() > 0


def test_matrices_searched_in_small_batches_are_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    road = RoadTravel(chains_and_dead_ends(4))
    nodes = np.random.default_rng(4).choice(len(road.x), size=30, replace=False)
    whole = road.node_matrices(nodes)
    monkeypatch.setattr(settings, "ROAD_MATRIX_BATCH_CELLS", 100)  # a few sources per search
    batched = road.node_matrices(nodes)
    np.testing.assert_array_equal(whole[0], batched[0])
    np.testing.assert_array_equal(whole[1], batched[1])
    assert np.isfinite(whole[0]).all() and whole[0].max() > 0


def test_fast_matrices_equal_pandana_pair_by_pair_on_the_test_network(tmp_path: Path) -> None:
    build_roads(GUANGXI, "45", out_dir=tmp_path)
    road = road_travel("45", tmp_path)
    nodes = np.random.default_rng(18).choice(len(road.x), size=150, replace=False)
    minutes, km = road.node_matrices(nodes)
    expected_min, expected_km = road.pairwise_node_matrices(nodes)
    np.testing.assert_array_equal(minutes, expected_min)
    np.testing.assert_array_equal(km, expected_km)


def test_reduced_network_keeps_the_asked_nodes_and_drops_chains_and_dead_ends() -> None:
    from coverage.analysis.roads import pandana_thousandths, reduce_network

    network = chains_and_dead_ends(1)
    weights = np.vstack([pandana_thousandths(network.minutes * 60), pandana_thousandths(network.length_m)])
    keep = np.zeros(len(network.lon), dtype=bool)
    a, b, w, kept = reduce_network(
        len(keep), network.edge_from, network.edge_to, weights, keep | (np.arange(len(keep)) < 16)
    )
    # nothing asked beyond the junctions: the lattice of 16 junctions, 24 edges (parallel roads merged)
    assert kept.tolist() == list(range(16)) and len(a) == 24
    assert w.shape == (2, 24) and (w > 0).all()
    assert pandana_thousandths([1.0009, 0.0004]).tolist() == [1000, 0]


def test_speeds_come_from_settings() -> None:
    assert speed_minutes([10_000.0, 10_000.0], ["track", "motorway"]).tolist() == [40.0, 6.0]
    assert settings.ROAD_SPEEDS_KMH["track"] == 15.0


# --------------------------------------------------------------------------- building
def test_build_writes_provenance_and_reuses_the_same_file(tmp_path: Path) -> None:
    first = build_roads(TINY, "tiny", out_dir=tmp_path)
    assert not first.reused
    p = json.loads((tmp_path / "tiny" / "provenance.json").read_text("utf-8"))
    assert p["source"] == {
        "name": "roads_tiny.osm",
        "sha256": hashlib.sha256(TINY.read_bytes()).hexdigest(),
        "bytes": TINY.stat().st_size,
    }
    assert p["counts"]["ways"] == 4 and p["counts"]["nodes"] == 4 and p["counts"]["edges"] == 4
    assert p["crs_declared"] == "wgs84" and p["projected_crs"] == "EPSG:4545"
    assert p["speeds_kmh"] == settings.ROAD_SPEEDS_KMH
    assert build_roads(TINY, "tiny", out_dir=tmp_path).reused
    assert not build_roads(TINY, "tiny", crs="gcj02", out_dir=tmp_path).reused  # another declared CRS: rebuilt


def test_detached_roads_are_left_out_and_counted(tmp_path: Path) -> None:
    built = build_roads(GUANGXI, "45", out_dir=tmp_path)
    counts = built.provenance["counts"]
    assert counts["nodes_not_connected"] == 3 and counts["edges_not_connected"] == 2
    assert counts["ways"] >= 200
    network = load_roads("45", tmp_path)
    assert len(network.lon) == counts["nodes"] and len(network.edge_from) == counts["edges"]


def test_gcj02_file_lands_at_wgs84_positions(tmp_path: Path) -> None:
    tiny_network(tmp_path / "gcj.osm", crs="gcj02")
    build_roads(tmp_path / "gcj.osm", "gcj", crs="gcj02", out_dir=tmp_path)
    build_roads(tmp_path / "gcj.osm", "raw", out_dir=tmp_path)
    lon, lat = lonlat([X0, X0 + 10_000, X0 + 10_000, X0], [Y0, Y0, Y0 + 10_000, Y0 + 10_000])
    converted, raw = load_roads("gcj", tmp_path), load_roads("raw", tmp_path)
    assert load_roads("gcj", tmp_path).provenance["crs_declared"] == "gcj02"
    order = np.lexsort((converted.lat, converted.lon))
    expected = np.lexsort((lat, lon))
    np.testing.assert_allclose(converted.lon[order], lon[expected], atol=2e-7)
    np.testing.assert_allclose(converted.lat[order], lat[expected], atol=2e-7)
    # undeclared, the same file sits hundreds of metres off
    assert np.abs(raw.lon[order] - lon[expected]).max() > 0.002


def test_load_without_a_build_says_what_to_run(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="roads build --province 45"):
        load_roads("45", tmp_path)


# --------------------------------------------------------------------------- road gaps
def test_road_gap_area_and_demand_grow_with_minutes(tmp_path: Path) -> None:
    from coverage.analysis.gaps import road_gap_analysis

    road, towns, stations = nanning_on_the_test_roads(tmp_path)
    areas, demands, villages = [], [], []
    for minutes in (5, 10, 20, 40, 80, 160):
        r = road_gap_analysis(towns, stations, minutes, road)
        areas.append(r.summary["area_share_within"])
        demands.append(float(r.townships["demand_within"].sum()))
        villages.append(r.summary["village_share_within"])
        assert r.to_json()["travel"] == "road (pandana, roads_guangxi.osm.pbf)"
    assert areas == sorted(areas) and demands == sorted(demands) and villages == sorted(villages)
    assert areas[-1] > areas[0] > 0
    kinds = {o["kind"] for o in r.off_network or []}
    assert "grid cells" in kinds  # the synthetic roads cover a few towns: most cells are off them, and counted


# --------------------------------------------------------------------------- command line
def run(*args: str, roads_dir: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, ROADS_DIR_ENV: str(roads_dir)}
    return subprocess.run(
        [sys.executable, "-m", "coverage", *args], cwd=ROOT, capture_output=True, text=True, env=env, check=False
    )


def test_cli_build_and_road_gaps_print_clean_json(tmp_path: Path) -> None:
    built = run("roads", "build", "--province", "45", "--pbf", str(GUANGXI), "--json", roads_dir=tmp_path)
    assert built.returncode == 0, built.stderr
    assert json.loads(built.stdout)["counts"]["edges"] == 1179
    # pandana's C++ progress ("Generating contraction hierarchies ...") must not reach stdout
    gaps = run("gaps", "--province", "45", "--radius-min", "30", "--json", roads_dir=tmp_path)
    assert gaps.returncode == 0, gaps.stderr
    document = json.loads(gaps.stdout)
    assert document["travel"] == "road (pandana, roads_guangxi.osm.pbf)"  # built: road by default
    assert document["radius_min"] == 30
    line = run("gaps", "--province", "45", "--radius-min", "30", "--travel", "line", "--json", roads_dir=tmp_path)
    assert json.loads(line.stdout)["travel"] == "straight line x 1.3, 40 km/h"


def test_cli_trip_names_the_road_model_and_off_network_places(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv(ROADS_DIR_ENV, str(tmp_path))
    build_roads(GUANGXI, "45", out_dir=tmp_path)
    stations = "南宁市武鸣区城厢镇,南宁市宾阳县宾州镇,南宁市西乡塘区衡阳街道"
    assert main(["supervise", "--stations", stations, "--supervisors", "1", "--min", "1", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["travel"] == "road (pandana, roads_guangxi.osm.pbf)"
    assert [r["code"] for r in document["off_network"]] == ["450107001"]  # 3 km from the synthetic streets
    assert main(["supervise", "--stations", stations, "--supervisors", "1", "--min", "1", "--travel", "line"]) == 0
    assert "travel: straight line x 1.3" in capsys.readouterr().out


def test_cli_travel_road_without_a_build_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv(ROADS_DIR_ENV, str(tmp_path))
    assert main(["gaps", "--radius-min", "30", "--travel", "road"]) == 2
    assert "no road network is built for province 45" in capsys.readouterr().err
    assert main(["gaps", "--radius-km", "10", "--travel", "road"]) == 2
    assert "give --radius-min" in capsys.readouterr().err


@pytest.mark.parametrize("kind", ["garbage", "truncated", "no roads", "missing"])
def test_cli_build_refuses_bad_files_with_exit_2(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ROADS_DIR_ENV, str(tmp_path / "roads"))
    bad = tmp_path / "bad.osm.pbf"
    if kind == "garbage":
        bad.write_bytes(b"not an OpenStreetMap file\n" * 10)
    elif kind == "truncated":
        bad.write_bytes(GUANGXI.read_bytes()[: GUANGXI.stat().st_size // 2])
    elif kind == "no roads":
        bad = write_osm(
            tmp_path / "paths.osm", [(1, 108.0, 22.8), (2, 108.01, 22.8)], [(1, [1, 2], {"highway": "footway"})]
        )
    code = main(["roads", "build", "--pbf", str(bad)])
    err = capsys.readouterr().err
    assert code == 2
    assert "Traceback" not in err
    expected = {
        "garbage": "could not be read as OpenStreetMap data",
        "truncated": "could not be read as OpenStreetMap data",
        "no roads": "holds no drivable road",
        "missing": "file not found",
    }[kind]
    assert expected in err
    assert not (tmp_path / "roads" / "45" / "network.npz").exists()


def test_nearest_station_agrees_with_the_full_matrix(tmp_path: Path) -> None:
    # nearest_pois (gaps) and shortest_path_lengths (matrices) give the same least minutes, seeded sample
    build_roads(GUANGXI, "45", out_dir=tmp_path)
    road = road_travel("45", tmp_path)
    rng = np.random.default_rng(18)
    nodes = rng.choice(len(road.x), size=60, replace=False)
    xy = np.column_stack([road.x[nodes], road.y[nodes]]) + rng.normal(0, 300, size=(60, 2))
    demand, stations = xy[:50], xy[50:]
    minutes, index = road.minutes_to_nearest(demand, stations, max_min=2_000)
    d_node, d_m = road.snap_xy(demand)
    s_node, s_m = road.snap_xy(stations)
    matrix, _ = road.node_matrices(np.concatenate([d_node, s_node]))
    full = road.walk_minutes(d_m)[:, None] + matrix[:50, 50:] + road.walk_minutes(s_m)[None, :]
    np.testing.assert_allclose(minutes, full.min(axis=1), atol=0.01)
    assert (full[np.arange(50), index] <= full.min(axis=1) + 0.01).all()


def test_cli_default_is_the_line_when_no_roads_are_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv(ROADS_DIR_ENV, str(tmp_path))
    assert main(["gaps", "--radius-min", "30", "--grid-km", "5", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["travel"] == "straight line x 1.3, 40 km/h"
    assert "off_network" not in document
