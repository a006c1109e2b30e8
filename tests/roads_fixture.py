"""Synthetic OSM road files for the road tests, written with pyosmium's writer.

Run ``python tests/roads_fixture.py`` from the repository root to regenerate the committed files:

* ``tests/data/roads_guangxi.osm.pbf``: around 20 real Guangxi county seats (the register's seats),
  each a 5 x 5 grid of streets 500 m apart through the seat (the outer ones tertiary), joined in a chain by
  trunk roads (a node every 2 km), plus a detached road of three nodes (not connected: dropped).
* ``tests/data/roads_tiny.osm``: the hand-checked square of :func:`tiny_network`.

Coordinates are laid out in metres in the CGCS2000 Gauss-Krüger zone EPSG:4545 (central
meridian 108°E) and turned into degrees, so every length is known exactly.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
#: The zone the fixtures are laid out in, and the south-west corner of the tiny square (metres).
ZONE = "EPSG:4545"
ORIGIN_XY = (500_000.0, 2_520_000.0)

Node = tuple[int, float, float]
Way = tuple[int, list[int], dict[str, str]]


def lonlat(x: Sequence[float], y: Sequence[float], crs: str = "wgs84") -> tuple[np.ndarray, np.ndarray]:
    """Degrees (WGS 84, or GCJ-02 when ``crs`` says so) of points in metres of :data:`ZONE`."""
    from pyproj import Transformer

    from coverage.coords import from_wgs84

    lon, lat = Transformer.from_crs(ZONE, "EPSG:4326", always_xy=True).transform(np.asarray(x), np.asarray(y))
    return from_wgs84(lon, lat, crs)


def xy_of(lon: Sequence[float], lat: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    """Metres in :data:`ZONE` of WGS 84 degrees."""
    from pyproj import Transformer

    x, y = Transformer.from_crs("EPSG:4326", ZONE, always_xy=True).transform(np.asarray(lon), np.asarray(lat))
    return np.asarray(x), np.asarray(y)


def write_osm(path: Path, nodes: list[Node], ways: list[Way]) -> Path:
    """Write nodes (id, lon, lat) and ways (id, node ids, tags) as .osm or .osm.pbf (by the suffix)."""
    import osmium

    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    writer = osmium.SimpleWriter(str(path))
    try:
        for node_id, lon, lat in nodes:
            writer.add_node(osmium.osm.mutable.Node(id=node_id, version=1, location=(lon, lat)))
        for way_id, refs, tags in ways:
            writer.add_way(osmium.osm.mutable.Way(id=way_id, version=1, nodes=refs, tags=tags))
    finally:
        writer.close()
    return path


def _points(xy: list[tuple[float, float]], crs: str, first_id: int = 1) -> list[Node]:
    lon, lat = lonlat([p[0] for p in xy], [p[1] for p in xy], crs)
    return [
        (first_id + i, round(float(a), 7), round(float(b), 7)) for i, (a, b) in enumerate(zip(lon, lat, strict=True))
    ]


def tiny_network(path: Path, crs: str = "wgs84") -> Path:
    """A 10 km square A-B-C-D (A south-west, B south-east, C north-east, D north-west).

    A-B and B-C primary (60 km/h: 10 min each), C-D tertiary (40 km/h: 15 min), D-A track
    (15 km/h: 40 min).  Fastest A->C 20 min (via B); fastest A->D 35 min (via B and C) but the
    shortest A->D is 10 km (the track).  ``crs="gcj02"`` writes the same roads in GCJ-02 degrees.
    """
    x0, y0 = ORIGIN_XY
    corners = [(x0, y0), (x0 + 10_000, y0), (x0 + 10_000, y0 + 10_000), (x0, y0 + 10_000)]
    nodes = _points(corners, crs)
    ways: list[Way] = [
        (1, [1, 2], {"highway": "primary"}),
        (2, [2, 3], {"highway": "primary"}),
        (3, [3, 4], {"highway": "tertiary"}),
        (4, [4, 1], {"highway": "track"}),
        (5, [1, 3], {"highway": "footway"}),  # not driven
    ]
    return write_osm(path, nodes, ways)


def straight_road(path: Path, length_km: int = 40, highway: str = "primary") -> Path:
    """One straight road due east from :data:`ORIGIN_XY`, a node every km."""
    x0, y0 = ORIGIN_XY
    nodes = _points([(x0 + 1000.0 * i, y0) for i in range(length_km + 1)], "wgs84")
    return write_osm(path, nodes, [(1, [n[0] for n in nodes], {"highway": highway})])


def guangxi_seats(count: int = 20) -> list[tuple[str, str, float, float]]:
    """The first ``count`` Guangxi county seats (code, name, lon, lat), south to north."""
    from coverage.field.trips import county_seats

    seats = sorted(county_seats(None, "45"), key=lambda p: p.code)[:count]
    return sorted([(p.code, p.name, p.lon, p.lat) for p in seats], key=lambda s: s[3])


def guangxi_network(path: Path, count: int = 20) -> Path:
    """Street grids around ``count`` real county seats, joined by trunk roads (see the module)."""
    nodes: list[Node] = []
    ways: list[Way] = []
    next_node, next_way = 1, 1

    def add_line(xy: list[tuple[float, float]], tags: dict[str, str], shared: dict | None = None) -> list[int]:
        nonlocal next_node, next_way
        refs = []
        for p in xy:
            key = (round(p[0], 1), round(p[1], 1))
            if shared is not None and key in shared:
                refs.append(shared[key])
                continue
            lon, lat = lonlat([p[0]], [p[1]])
            nodes.append((next_node, round(float(lon[0]), 7), round(float(lat[0]), 7)))
            if shared is not None:
                shared[key] = next_node
            refs.append(next_node)
            next_node += 1
        ways.append((next_way, refs, tags))
        next_way += 1
        return refs

    shared: dict = {}
    centres = []
    for _code, _name, lon, lat in guangxi_seats(count):
        cx, cy = (float(v[0]) for v in xy_of([lon], [lat]))
        cx, cy = round(cx, -1), round(cy, -1)
        centres.append((cx, cy))
        steps = [-1000.0 + 500.0 * i for i in range(5)]
        for s in steps:  # 5 east-west and 5 north-south streets through the seat, the outer ones tertiary
            kind = {"highway": "tertiary" if abs(s) == 1000.0 else "residential"}
            add_line([(cx + t, cy + s) for t in steps], kind, shared)
            add_line([(cx + s, cy + t) for t in steps], kind, shared)
    for (ax, ay), (bx, by) in zip(centres[:-1], centres[1:], strict=True):
        n = max(1, int(np.hypot(bx - ax, by - ay) // 2000))
        add_line([(ax + (bx - ax) * i / n, ay + (by - ay) * i / n) for i in range(n + 1)], {"highway": "trunk"}, shared)
    cx, cy = centres[0]
    add_line([(cx + 30_000, cy), (cx + 31_000, cy), (cx + 32_000, cy)], {"highway": "primary"})  # detached
    return write_osm(path, nodes, ways)


def nanning_on_the_test_roads(out_dir: Path) -> tuple[Any, Any, Any]:
    """The committed Guangxi test network built into ``out_dir``: its road travel model, 南宁市's
    townships and two stations on its road nodes 0 and 400 (WGS 84)."""
    import geopandas as gpd
    import shapely

    from coverage.analysis.roads import build_roads, road_travel
    from coverage.data.provinces import load_province

    build_roads(DATA / "roads_guangxi.osm.pbf", "45", out_dir=out_dir)
    road = road_travel("45", out_dir)
    towns = load_province("45").townships
    towns = towns[towns["code"].astype(str).str.startswith("4501")]
    network = road.network
    stations = gpd.GeoSeries(shapely.points(network.lon[[0, 400]], network.lat[[0, 400]]), crs="EPSG:4326")
    return road, towns, stations


def main(argv: Sequence[str] | None = None) -> int:
    """Regenerate the committed fixtures."""
    sys.path.insert(0, str(ROOT))
    guangxi_network(DATA / "roads_guangxi.osm.pbf")
    tiny_network(DATA / "roads_tiny.osm")
    for name in ("roads_guangxi.osm.pbf", "roads_tiny.osm"):
        print(f"{DATA / name}: {(DATA / name).stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
