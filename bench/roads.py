"""Road travel (issue 18): build, a 1,253 x 1,253 township matrix <= 10 s, gaps in road minutes for
Guangxi's 1-km grid <= 30 s, the siting coverage in road minutes, on the synthetic test network and on a
province-sized generated one.

Baselines, measured in the same run on the same graph:
* today's model: :class:`StraightLine` (x 1.3, two speeds) for the matrix, ``gap_analysis`` with the
  radius turned into straight-line metres for the gaps;
* pandana pair by pair (``RoadTravel.pairwise_node_matrices``, the first road matrix of issue 18: one
  contraction-hierarchy query a pair), timed on the first ``--pairwise`` townships and scaled by pairs,
  its answers compared with ours on them;
* networkx Dijkstra: ``single_source_dijkstra_path_length`` from each township (timed on a sample of
  sources and scaled to all of them: the full run takes tens of minutes) for the matrix;
  ``multi_source_dijkstra_path_length`` from the stations' nodes with the radius as cutoff for the gaps
  (and its answers compared with pandana's).

The province-sized network (:func:`province_network`) is a lattice of secondary roads every 10 km over
Guangxi's extent (every third one trunk) with a node every km, and dead-end village roads off half of
the nodes, written to an .osm.pbf with pyosmium and built with ``build_roads`` like a user's file;
``--grid`` also times a plain jittered grid (the contraction hierarchies' worst case).

    .venv/bin/python bench/roads.py [--sources 5] [--pairwise 300] [--grid]
"""

import argparse
import functools
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import _timing  # noqa: E402
import numpy as np  # noqa: E402

from coverage.analysis.gaps import gap_analysis, road_gap_analysis  # noqa: E402
from coverage.analysis.roads import RoadTravel, build_roads, load_roads, to_metres  # noqa: E402
from coverage.analysis.travel import Place, StraightLine  # noqa: E402
from coverage.data.provinces import default_stations_path, load_province  # noqa: E402
from coverage.data.schema import open_on  # noqa: E402
from coverage.data.stations import read_stations  # noqa: E402
from coverage.optimise.candidates import covering_inputs  # noqa: E402
from tests.roads_fixture import write_osm  # noqa: E402

load = _timing.load
#: one run each unless told: the builds and searches here take seconds to minutes
timed = functools.partial(_timing.timed, repeat=1)

ROOT = Path(__file__).resolve().parent.parent
#: Guangxi's extent, degrees (west, south, east, north).
GUANGXI_BBOX = (104.45, 20.9, 112.05, 26.4)


def province_grid(path: Path, spacing_m: float, seed: int = 18) -> tuple[Path, int]:
    """A plain jittered grid of roads over a part of Guangxi (the contraction hierarchies' worst case)."""
    from pyproj import Transformer

    west, south, _, _ = GUANGXI_BBOX
    to_m = Transformer.from_crs("EPSG:4326", "EPSG:4545", always_xy=True)
    x0, y0 = to_m.transform(west, south)
    side = 120
    gx, gy = np.meshgrid(x0 + spacing_m * np.arange(side), y0 + spacing_m * np.arange(side))
    rng = np.random.default_rng(seed)
    jitter = rng.uniform(-300, 300, size=(2, *gx.shape))
    lon, lat = Transformer.from_crs("EPSG:4545", "EPSG:4326", always_xy=True).transform(
        (gx + jitter[0]).ravel(), (gy + jitter[1]).ravel()
    )
    ids = np.arange(1, side * side + 1).reshape(side, side)
    nodes = [(int(i), round(float(a), 7), round(float(b), 7)) for i, a, b in zip(ids.ravel(), lon, lat, strict=True)]
    ways = [(r + 1, [int(v) for v in ids[r]], {"highway": "unclassified"}) for r in range(side)]
    ways += [(side + c + 1, [int(v) for v in ids[:, c]], {"highway": "unclassified"}) for c in range(side)]
    write_osm(path, nodes, ways)
    return path, 2 * side * (side - 1)


def province_network(path: Path, core_km: int = 10, seed: int = 18) -> tuple[Path, int]:
    """A province-sized road network over Guangxi's extent, shaped like rural roads, as .osm.pbf.

    A lattice of roads every ``core_km`` km (secondary; every third one trunk) with a node every km
    (moved up to 150 m), and dead-end village roads (unclassified, a node every 500 m, 1-4 km long)
    branching off half of the road nodes.  Returns the path and the number of segments.
    """
    from pyproj import Transformer

    west, south, east, north = GUANGXI_BBOX
    to_m = Transformer.from_crs("EPSG:4326", "EPSG:4545", always_xy=True)
    (x0, x1), (y0, y1) = to_m.transform([west, east], [south, north])
    cols, rows = int((x1 - x0) // 1000) // core_km * core_km + 1, int((y1 - y0) // 1000) // core_km * core_km + 1
    rng = np.random.default_rng(seed)
    on_line = np.zeros((rows, cols), dtype=bool)
    on_line[::core_km, :] = True
    on_line[:, ::core_km] = True
    ids = np.zeros((rows, cols), dtype=np.int64)
    ids[on_line] = np.arange(1, on_line.sum() + 1)
    r_idx, c_idx = np.nonzero(on_line)
    x = x0 + 1000.0 * c_idx + rng.uniform(-150, 150, len(c_idx))
    y = y0 + 1000.0 * r_idx + rng.uniform(-150, 150, len(r_idx))
    xs, ys, way_list = [x], [y], []
    next_id = int(on_line.sum()) + 1
    segments = 0
    for r in range(0, rows, core_km):
        way_list.append(([int(v) for v in ids[r]], "trunk" if r % (3 * core_km) == 0 else "secondary"))
        segments += cols - 1
    for c in range(0, cols, core_km):
        way_list.append(([int(v) for v in ids[:, c]], "trunk" if c % (3 * core_km) == 0 else "secondary"))
        segments += rows - 1
    # village roads: from half of the nodes that are not crossings, perpendicular dead ends
    crossing = (r_idx % core_km == 0) & (c_idx % core_km == 0)
    starts = np.flatnonzero(~crossing & (rng.random(len(r_idx)) < 0.5))
    lengths = rng.integers(2, 9, len(starts))  # 2-8 steps of 500 m
    for s, n in zip(starts, lengths, strict=True):
        horizontal_line = r_idx[s] % core_km == 0
        side = 1 if rng.random() < 0.5 else -1
        dx, dy = (0.0, 500.0 * side) if horizontal_line else (500.0 * side, 0.0)
        steps = np.arange(1, n + 1)
        xs.append(x[s] + dx * steps + rng.uniform(-60, 60, n))
        ys.append(y[s] + dy * steps + rng.uniform(-60, 60, n))
        refs = [int(ids[r_idx[s], c_idx[s]]), *range(next_id, next_id + n)]
        next_id += n
        way_list.append((refs, "unclassified"))
        segments += n
    lon, lat = Transformer.from_crs("EPSG:4545", "EPSG:4326", always_xy=True).transform(
        np.concatenate(xs), np.concatenate(ys)
    )
    nodes = [(i + 1, round(float(a), 7), round(float(b), 7)) for i, (a, b) in enumerate(zip(lon, lat, strict=True))]
    ways = [(i + 1, refs, {"highway": kind}) for i, (refs, kind) in enumerate(way_list)]
    write_osm(path, nodes, ways)
    return path, segments


def township_places(prov) -> list[Place]:
    t = prov.townships
    return [
        Place(str(n), str(c), float(x), float(y))
        for n, c, x, y in zip(t["name"], t["code"], t["lon"], t["lat"], strict=True)
    ]


def nx_graph(network):
    import networkx as nx

    g = nx.Graph()
    g.add_weighted_edges_from(
        zip(network.edge_from.tolist(), network.edge_to.tolist(), network.minutes.tolist(), strict=True),
        weight="minutes",
    )
    return g


def bench_network(
    label: str, pbf: Path, out_dir: Path, prov, sources: int, radius_min: float, pairwise: int = 300
) -> None:
    print(f"\n== {label}: {pbf.name} ({pbf.stat().st_size / 1e6:.1f} MB)")
    build_s, built = timed(lambda: build_roads(pbf, "45", out_dir=out_dir))
    counts = built.provenance["counts"]
    network = load_roads("45", out_dir)
    road = RoadTravel(network)
    ch_s, _ = timed(lambda: road.net)
    print(
        f"build (read with pyosmium, measure, largest part, write): {build_s:.2f} s for {counts['ways']:,} ways, "
        f"{counts['edges']:,} segments, {counts['nodes']:,} nodes; contraction hierarchies: {ch_s:.2f} s"
    )
    reuse_s, again = timed(lambda: build_roads(pbf, "45", out_dir=out_dir))
    print(f"build again (same file, cached): {reuse_s:.2f} s, reused={again.reused}")

    places = township_places(prov)
    n = len(places)
    matrix_s, (minutes, _) = timed(lambda: road.matrices(places))
    line_s, _ = timed(lambda: StraightLine.for_trips().matrices(places), repeat=3)
    print(
        f"{n:,} x {n:,} township matrix by road: {matrix_s:.2f} s (target <= 10 s)  "
        "[network reduced around the townships' nodes, scipy Dijkstra from each; minutes and km: 2 searches]"
    )
    print(f"  baseline 'straight line (today's model)': {line_s:.3f} s; road / line = {matrix_s / line_s:.0f}x slower")
    px, py = to_metres([p.lon for p in places], [p.lat for p in places], road.crs)
    nodes, _ = road.snap_xy(np.column_stack([px, py]))
    k = min(n, pairwise)
    pairs_all, pairs_k = n * (n - 1) / 2, k * (k - 1) / 2
    fast_k_s, (fast_min, fast_km) = timed(lambda: road.node_matrices(nodes[:k]))
    pair_k_s, (pair_min, pair_km) = timed(lambda: road.pairwise_node_matrices(nodes[:k]))
    same = np.array_equal(fast_min, pair_min) and np.array_equal(fast_km, pair_km)
    pair_s = pair_k_s * pairs_all / pairs_k
    print(
        f"  baseline 'pandana pair by pair' (the issue's first matrix; {k:,} townships timed, {pair_k_s:.2f} s, "
        f"scaled by pairs to {n:,}): {pair_s:.1f} s; ratio {pair_s / matrix_s:.1f}x; "
        f"same {k:,} x {k:,} matrices to the digit: {same} (ours on them: {fast_k_s:.2f} s)"
    )
    g = nx_graph(network)
    import networkx as nx

    sample = nodes[:sources]
    start = time.perf_counter()
    for s in sample:
        nx.single_source_dijkstra_path_length(g, int(s), weight="minutes")
    nx_s = (time.perf_counter() - start) / len(sample) * n
    print(
        f"  baseline 'networkx Dijkstra' (one search per township; {len(sample)} timed, scaled to {n:,}): "
        f"{nx_s:.1f} s; ratio {nx_s / matrix_s:.0f}x"
    )

    stations = read_stations(default_stations_path("45"), province="45").stations
    stations = stations[open_on(stations, None)]
    st_lon, st_lat = stations["lon"].to_numpy(float), stations["lat"].to_numpy(float)
    sx, sy = to_metres(st_lon, st_lat, road.crs)
    s_nodes, _ = road.snap_xy(np.column_stack([sx, sy]))
    station_xy = np.column_stack([road.x[s_nodes], road.y[s_nodes]])  # on their nodes: walks 0 for the check
    import geopandas as gpd
    import shapely
    from pyproj import Transformer

    slon, slat = Transformer.from_crs(road.crs, "EPSG:4326", always_xy=True).transform(
        station_xy[:, 0], station_xy[:, 1]
    )
    station_pts = gpd.GeoSeries(shapely.points(slon, slat), crs="EPSG:4326")
    gaps_s, result = timed(lambda: road_gap_analysis(prov.townships, station_pts, radius_min, road))
    cells = len(result.demand)
    print(
        f"gaps in {radius_min:g} road minutes, {cells:,} cells of 1 km, {len(station_pts)} stations: {gaps_s:.2f} s "
        f"(target <= 30 s); area within {result.summary['area_share_within']:.1%}"
    )
    line_travel = StraightLine()
    line_s, _ = timed(
        lambda: gap_analysis(
            prov.townships, station_pts, radius_m=line_travel.metres_for_minutes(radius_min), travel=line_travel
        )
    )
    print(f"  baseline 'straight line (today's model)': {line_s:.2f} s; road / line = {gaps_s / line_s:.1f}x")
    cov_s, by_road = timed(lambda: covering_inputs(prov.townships, stations, None, road=road, radius_min=radius_min))
    line_cov_s, by_line = timed(
        lambda: covering_inputs(prov.townships, stations, line_travel.metres_for_minutes(radius_min))
    )
    off = ", ".join(f"{o['count']:,} {o['kind']}" for o in by_road.off_network) or "none"
    print(
        f"siting coverage (MCLP/LSCP input) in {radius_min:g} road minutes, {len(by_road.demand):,} cells x "
        f"{by_road.problem.n_candidates:,} candidates (pandana range queries): {cov_s:.2f} s, "
        f"{by_road.problem.coverage.nnz:,} pairs within; off the network: {off}"
    )
    print(
        f"  baseline 'straight line (today's model)': {line_cov_s:.2f} s, {by_line.problem.coverage.nnz:,} pairs within; "
        f"road / line = {cov_s / line_cov_s:.1f}x"
    )
    start = time.perf_counter()
    reach = nx.multi_source_dijkstra_path_length(g, {int(s) for s in s_nodes}, cutoff=radius_min, weight="minutes")
    cell_nodes, cell_m = road.snap_xy(np.column_stack([result.demand["x"], result.demand["y"]]), result.crs)
    nx_min = np.array([reach.get(int(v), np.inf) for v in cell_nodes]) + road.walk_minutes(cell_m)
    nx_gap_s = time.perf_counter() - start
    ours = result.demand["minutes"].to_numpy()
    both = np.isfinite(ours) & np.isfinite(nx_min) & (nx_min <= radius_min)
    agree = np.abs(ours[both] - nx_min[both]).max() if both.any() else float("nan")
    same_within = int(((ours <= radius_min) == (nx_min <= radius_min)).sum())
    print(
        f"  baseline 'networkx multi-source Dijkstra' (cutoff {radius_min:g} min, same snapping): {nx_gap_s:.2f} s; "
        f"ratio {nx_gap_s / gaps_s:.1f}x; cells within agree {same_within:,}/{cells:,}, max difference {agree:.4f} min"
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--core-km", type=int, default=10, help="spacing of the main roads of the province network")
    parser.add_argument("--grid", action="store_true", help="also time a plain 120 x 120 jittered grid")
    parser.add_argument("--spacing-m", type=float, default=1500.0, help="spacing of the plain grid")
    parser.add_argument("--sources", type=int, default=20)
    parser.add_argument("--radius-min", type=float, default=30.0)
    parser.add_argument("--pairwise", type=int, default=300, help="townships timed for pandana pair by pair")
    args = parser.parse_args()
    print(f"load at start: {load()}")
    prov = load_province("45")
    print(f"Guangxi: {len(prov.townships):,} townships")
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        bench_network(
            "synthetic test network",
            ROOT / "tests" / "data" / "roads_guangxi.osm.pbf",
            tmp_path / "small",
            prov,
            args.sources,
            args.radius_min,
            args.pairwise,
        )
        gen_s, (pbf, segments) = timed(lambda: province_network(tmp_path / "province.osm.pbf", args.core_km))
        print(f"\n(generated a province-sized network: {segments:,} segments in {gen_s:.1f} s)")
        bench_network(
            "province-sized network", pbf, tmp_path / "big", prov, args.sources, args.radius_min, args.pairwise
        )
        if args.grid:
            gen_s, (pbf, segments) = timed(lambda: province_grid(tmp_path / "grid.osm.pbf", args.spacing_m))
            print(f"\n(generated a plain jittered grid: {segments:,} segments in {gen_s:.1f} s)")
            bench_network(
                "plain jittered grid (worst case)", pbf, tmp_path / "grid", prov, args.sources, args.radius_min
            )
    print(f"\nload at end: {load()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
