"""Road travel offline: the user's OSM road file, read once, routed with pandana.

* :func:`build_roads` reads the drivable ways of an ``.osm.pbf`` / ``.osm`` file with
  pyosmium, converts GCJ-02 coordinates to WGS 84 when the file is declared so
  (:func:`coverage.coords.to_wgs84`), measures every segment in metres in the CGCS2000
  Gauss-Krüger zone of the network's centre, prices it in minutes by its ``highway`` class
  (:data:`settings.ROAD_SPEEDS_KMH`) and keeps the largest connected part.  It writes
  ``network.npz`` (compressed) and ``provenance.json`` (source file, sha256, size, date built,
  CRS, counts, speeds) to ``<roads dir>/<province>/``; building the same file again is skipped.
* :class:`RoadTravel` is the road :class:`~coverage.analysis.travel.Travel` model: places
  snap to the nearest road node (KD-tree in metres) and walk there at
  :data:`settings.ROAD_WALK_SPEED_KMH`; :meth:`RoadTravel.matrices` gives many-to-many shortest
  minutes and km (the network reduced around the places, :func:`reduce_network`, then scipy's
  Dijkstra from each place, priced in pandana's thousandths so the answers are pandana's own);
  :meth:`RoadTravel.minutes_to_nearest` asks pandana's ``nearest_pois`` for the road minutes from
  every demand point to its nearest station; :meth:`RoadTravel.within_minutes` asks its
  ``nodes_in_range`` which demand points are within T minutes of each site (siting coverage).

Decisions (docs/roads.md): every way is driven both ways (``oneway`` is counted, not
honoured); km are the shortest road km, minutes the fastest route's minutes (two separate
shortest-path searches); a place farther than :data:`settings.ROAD_MAX_SNAP_M` from every
node is reported (:meth:`RoadTravel.off_network`) and still gets its walking time - never
dropped, never infinite.

Examples
--------
>>> speed_minutes([10_000.0], ["primary"]).tolist()   # 10 km at 60 km/h
[10.0]
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import hashlib
import json
import os
import sys
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from coverage import settings
from coverage._errors import InputError
from coverage.analysis.travel import Place, Travel
from coverage.coords import gauss_kruger_crs, normalise_crs_name, to_wgs84

#: Environment variable naming another folder for built road networks (tests, shared servers).
ROADS_DIR_ENV = "COVERAGE_ROADS_DIR"
#: pandana answers this (``2**32 - 1`` thousandths) for a pair with no path between them.
_PANDANA_UNREACHABLE = 4_294_967.0


def roads_dir() -> Path:
    """The folder of built road networks: ``$COVERAGE_ROADS_DIR``, else :data:`settings.ROADS_DIR`."""
    given = os.environ.get(ROADS_DIR_ENV)
    return Path(given) if given else settings.ROADS_DIR


# --------------------------------------------------------------------------- the network
@dataclass(frozen=True)
class RoadNetwork:
    """A built road network: nodes in WGS 84 degrees, edges (node positions) with metres and minutes."""

    province: str
    lon: NDArray[np.float64]
    lat: NDArray[np.float64]
    edge_from: NDArray[np.int64]
    edge_to: NDArray[np.int64]
    length_m: NDArray[np.float64]
    minutes: NDArray[np.float64]
    provenance: dict

    @property
    def source(self) -> str:
        """The road file's name."""
        return str(self.provenance["source"]["name"])

    @property
    def crs(self) -> str:
        """The projected CRS (metres) lengths were measured in."""
        return str(self.provenance["projected_crs"])


def speed_minutes(length_m: ArrayLike, classes: Sequence[str], speeds: Mapping[str, float] | None = None) -> NDArray:
    """Minutes to drive ``length_m`` metres of road of each ``highway`` class."""
    table = settings.ROAD_SPEEDS_KMH if speeds is None else speeds
    kmh = np.array([table[c] for c in classes], dtype=float)
    return np.asarray(length_m, dtype=float) / 1000.0 / kmh * 60.0


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _read_ways(path: Path, speeds: Mapping[str, float]) -> tuple[NDArray, NDArray, NDArray, list[str], dict]:
    """Drivable segments of an OSM file: (node refs from, to) with the file's degrees per ref.

    Returns refs (2 x segments), a table ref -> (lon, lat), the class of each segment and counts.
    """
    import osmium

    refs_from: list[int] = []
    refs_to: list[int] = []
    classes: list[str] = []
    where: dict[int, tuple[float, float]] = {}
    counts = {"ways": 0, "oneway_ways": 0, "segments_missing_nodes": 0}
    try:
        processor = (
            osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
            .with_locations()
            .with_filter(osmium.filter.KeyFilter("highway"))
        )
        for obj in processor:
            if not isinstance(obj, osmium.osm.Way):
                continue
            highway = obj.tags.get("highway") or ""
            if highway not in speeds:
                continue
            counts["ways"] += 1
            if obj.tags.get("oneway") in ("yes", "1", "-1", "true"):
                counts["oneway_ways"] += 1
            previous: int | None = None
            for node in obj.nodes:
                if not node.location.valid():
                    counts["segments_missing_nodes"] += 1
                    previous = None
                    continue
                where[node.ref] = (node.location.lon, node.location.lat)
                if previous is not None and previous != node.ref:
                    refs_from.append(previous)
                    refs_to.append(node.ref)
                    classes.append(highway)
                previous = node.ref
    except (RuntimeError, ValueError, OSError) as exc:
        msg = (
            f"the road file {path.name} could not be read as OpenStreetMap data ({exc}); give an .osm.pbf or .osm "
            "file (e.g. a Geofabrik extract, or one cut with `osmium extract`)"
        )
        raise InputError(msg) from exc
    if not refs_from:
        msg = (
            f"the road file {path.name} holds no drivable road (no way tagged highway={'/'.join(list(speeds)[:4])}/...); "
            "give an OpenStreetMap extract with roads"
        )
        raise InputError(msg)
    refs = np.array([refs_from, refs_to], dtype=np.int64)
    return refs, np.array(list(where.keys()), dtype=np.int64), np.array(list(where.values())), classes, counts


def _largest_part(n_nodes: int, a: NDArray, b: NDArray) -> NDArray[np.bool_]:
    """True for the nodes of the largest connected part of the (undirected) graph."""
    import scipy.sparse as sp
    from scipy.sparse.csgraph import connected_components

    graph = sp.coo_matrix((np.ones(len(a)), (a, b)), shape=(n_nodes, n_nodes))
    _, label = connected_components(graph, directed=False)
    return label == np.bincount(label).argmax()


def network_from_file(
    path: Path, province: str, crs: str = "wgs84", speeds: Mapping[str, float] | None = None
) -> RoadNetwork:
    """Read and measure a road file (no caching, no writing; :func:`build_roads` does both)."""
    speeds = dict(settings.ROAD_SPEEDS_KMH if speeds is None else speeds)
    crs_name = normalise_crs_name(crs)
    refs, ids, degrees, classes, counts = _read_ways(path, speeds)
    order = np.argsort(ids)
    ids, degrees = ids[order], degrees[order]
    a = np.searchsorted(ids, refs[0])
    b = np.searchsorted(ids, refs[1])
    keep = _largest_part(len(ids), a, b)
    kept_edges = keep[a]
    new_index = np.cumsum(keep) - 1
    a, b = new_index[a[kept_edges]], new_index[b[kept_edges]]
    classes = [c for c, k in zip(classes, kept_edges, strict=True) if k]
    lon, lat = to_wgs84(degrees[keep, 0], degrees[keep, 1], crs_name)
    projected = gauss_kruger_crs(float((lon.min() + lon.max()) / 2))
    x, y = to_metres(lon, lat, projected)
    length_m = np.hypot(x[a] - x[b], y[a] - y[b])
    counts |= {
        "nodes": int(keep.sum()),
        "edges": len(a),
        "nodes_not_connected": int((~keep).sum()),
        "edges_not_connected": int((~kept_edges).sum()),
    }
    provenance = {
        "province": province,
        "source": {"name": path.name, "sha256": _sha256(path), "bytes": path.stat().st_size},
        "built": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "crs_declared": crs_name,
        "converted": "GCJ-02 -> WGS 84 (coverage.coords.gcj02_to_wgs84)" if crs_name == "gcj02" else None,
        "stored_crs": settings.WORK_CRS,
        "projected_crs": projected,
        "counts": counts,
        "speeds_kmh": speeds,
        "oneway": "not honoured: every road is driven both ways",
        "engine": "pandana 0.8 (contraction hierarchies)",
        "reader": "pyosmium 4.3.2",
    }
    return RoadNetwork(
        province,
        lon,
        lat,
        a.astype(np.int64),
        b.astype(np.int64),
        length_m,
        speed_minutes(length_m, classes, speeds),
        provenance,
    )


def to_metres(lon: ArrayLike, lat: ArrayLike, crs: str) -> tuple[NDArray, NDArray]:
    """WGS 84 degrees to metres in the projected ``crs``."""
    from pyproj import Transformer

    x, y = Transformer.from_crs(settings.WORK_CRS, crs, always_xy=True).transform(
        np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    )
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


@dataclass(frozen=True)
class BuildResult:
    """What :func:`build_roads` did: the folder, the provenance, and whether an earlier build was reused."""

    folder: Path
    provenance: dict
    reused: bool


def build_roads(
    pbf: str | Path,
    province: str,
    crs: str = "wgs84",
    out_dir: str | Path | None = None,
    speeds: Mapping[str, float] | None = None,
) -> BuildResult:
    """Build the road network of ``province`` from an OSM file into ``out_dir/<province>/``.

    Cached: when the folder already holds a build of a file with the same sha256, declared CRS
    and speeds, nothing is read again (``reused`` True).
    """
    path = Path(pbf)
    if not path.is_file():
        msg = f"road file {path} not found; give the path of an .osm.pbf or .osm file"
        raise InputError(msg)
    speeds = dict(settings.ROAD_SPEEDS_KMH if speeds is None else speeds)
    folder = Path(out_dir or roads_dir()) / str(province)
    old = _read_provenance(folder)
    if (
        old is not None
        and (folder / "network.npz").is_file()
        and old["source"]["sha256"] == _sha256(path)
        and old["crs_declared"] == normalise_crs_name(crs)
        and old["speeds_kmh"] == speeds
    ):
        return BuildResult(folder, old, reused=True)
    network = network_from_file(path, str(province), crs, speeds)
    folder.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        folder / "network.npz",
        lon=network.lon,
        lat=network.lat,
        edge_from=network.edge_from.astype(np.int32),
        edge_to=network.edge_to.astype(np.int32),
        length_m=network.length_m,
        minutes=network.minutes,
    )
    (folder / "provenance.json").write_text(json.dumps(network.provenance, ensure_ascii=False, indent=2), "utf-8")
    return BuildResult(folder, network.provenance, reused=False)


def _read_provenance(folder: Path) -> dict | None:
    try:
        return json.loads((folder / "provenance.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None


def roads_built(province: str, out_dir: str | Path | None = None) -> bool:
    """True when a road network is built for ``province``."""
    folder = Path(out_dir or roads_dir()) / str(province)
    return (folder / "network.npz").is_file() and _read_provenance(folder) is not None


def load_roads(province: str, out_dir: str | Path | None = None) -> RoadNetwork:
    """The road network built for ``province`` (see :func:`build_roads`)."""
    folder = Path(out_dir or roads_dir()) / str(province)
    provenance = _read_provenance(folder)
    if provenance is None or not (folder / "network.npz").is_file():
        msg = (
            f"no road network is built for province {province} (looked in {folder}); run "
            f"`python -m coverage roads build --province {province} --pbf FILE.osm.pbf`, or use --travel line"
        )
        raise InputError(msg)
    with np.load(folder / "network.npz") as data:
        return RoadNetwork(
            str(province),
            data["lon"],
            data["lat"],
            data["edge_from"].astype(np.int64),
            data["edge_to"].astype(np.int64),
            data["length_m"],
            data["minutes"],
            provenance,
        )


# --------------------------------------------------------------------------- pandana
@contextlib.contextmanager
def quiet_stdout() -> Iterator[None]:
    """Send what C++ code prints to standard output to /dev/null (file-descriptor level).

    pandana prints its progress ("Generating contraction hierarchies ...") with C stdio;
    ``--json`` output must stay one JSON document.  C's buffer is flushed before the
    descriptor is restored so nothing leaks out later.
    """
    try:  # the C library of this process (POSIX); elsewhere nothing to flush by hand
        c_flush: Any = ctypes.CDLL(None).fflush
    except (OSError, TypeError, AttributeError):
        c_flush = None
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # pandana's per-pair "unconnected" warnings
            yield
    finally:
        if c_flush is not None:
            c_flush(None)
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


def pandana_network(x: NDArray, y: NDArray, network: RoadNetwork) -> Any:
    """A pandana network (node ids = positions, coordinates in metres) with ``seconds`` and ``metres``.

    pandana keeps impedances as whole thousandths: seconds and metres keep every edge exact to
    the millisecond and the millimetre (minutes and km would lose up to 0.06 s and 1 m an edge).
    """
    import pandana

    edges = pd.DataFrame({"seconds": network.minutes * 60.0, "metres": network.length_m})
    with quiet_stdout():
        return pandana.Network(
            pd.Series(x), pd.Series(y), pd.Series(network.edge_from), pd.Series(network.edge_to), edges, twoway=True
        )


# --------------------------------------------------------------------------- many-to-many
def pandana_thousandths(values: ArrayLike) -> NDArray[np.int64]:
    """Edge impedances as pandana keeps them: whole thousandths, the rest cut off.

    pandana 0.8 multiplies every edge weight by 1000 and stores it as an unsigned integer
    (``DISTANCEMULTFACT`` in its ``graphalg.h``), so a route's length is a sum of these
    integers divided by 1000.  Summing the same integers gives the same answers to the digit.
    """
    return np.floor(np.asarray(values, dtype=float) * 1000.0).astype(np.int64)


def _simple_edges(a: NDArray, b: NDArray, w: NDArray) -> tuple[NDArray, NDArray, NDArray]:
    """Edges (undirected) without loops, one per pair of nodes, each impedance its least."""
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    proper = lo != hi  # a loop is never on a shortest route
    lo, hi, w = lo[proper], hi[proper], w[:, proper]
    if len(lo) == 0:
        return lo, hi, w
    order = np.lexsort((hi, lo))
    lo, hi, w = lo[order], hi[order], w[:, order]
    first = np.flatnonzero(np.r_[True, (lo[1:] != lo[:-1]) | (hi[1:] != hi[:-1])])
    # parallel edges: the least of each impedance (each impedance is searched on its own)
    return lo[first], hi[first], np.minimum.reduceat(w, first, axis=1)


def _prune_dead_ends(
    n: int, a: NDArray, b: NDArray, w: NDArray, keep: NDArray[np.bool_]
) -> tuple[NDArray, NDArray, NDArray]:
    """Drop, round after round, the edges to a node of degree 1 that is not kept.

    A route between two kept nodes never enters a dead-end tree that holds none of them.
    """
    alive = np.ones(len(a), dtype=bool)
    while True:
        degree = np.bincount(a[alive], minlength=n) + np.bincount(b[alive], minlength=n)
        leaf = (degree == 1) & ~keep
        if not leaf.any():
            return a[alive], b[alive], w[:, alive]
        alive &= ~(leaf[a] | leaf[b])


def _join_chains(
    n: int, a: NDArray, b: NDArray, w: NDArray, keep: NDArray[np.bool_]
) -> tuple[NDArray, NDArray, NDArray]:
    """Replace every chain of degree-2 nodes that are not kept by one edge between its two ends.

    The new edge carries the chain's summed impedances: the only way through a chain is along it.
    """
    from scipy.sparse.csgraph import connected_components

    degree = np.bincount(a, minlength=n) + np.bincount(b, minlength=n)
    inner = (degree == 2) & ~keep
    if not inner.any():
        return a, b, w
    in_a, in_b = inner[a], inner[b]
    both = in_a & in_b
    links = sp.coo_matrix((np.ones(int(both.sum())), (a[both], b[both])), shape=(n, n))
    _, label = connected_components(links, directed=False)
    on_chain = in_a | in_b
    chain = np.where(in_a, label[a], label[b])[on_chain]
    sums = np.vstack([np.bincount(chain, weights=row[on_chain], minlength=n) for row in w]).round().astype(np.int64)
    end_edges = in_a ^ in_b
    end_label = np.where(in_a, label[a], label[b])[end_edges]
    end_node = np.where(in_a, b, a)[end_edges]
    order = np.argsort(end_label, kind="stable")
    end_label, end_node = end_label[order], end_node[order]
    # a chain has exactly two ends (a closed ring of inner nodes touches nothing kept: dropped)
    first = np.flatnonzero(np.r_[True, end_label[1:] != end_label[:-1]])
    paired = first[np.bincount(end_label, minlength=n)[end_label[first]] == 2]
    chains = end_label[paired]
    neither = ~on_chain
    return (
        np.concatenate([a[neither], end_node[paired]]),
        np.concatenate([b[neither], end_node[paired + 1]]),
        np.hstack([w[:, neither], sums[:, chains]]),
    )


def reduce_network(
    n: int, a: NDArray, b: NDArray, weights: NDArray, keep: NDArray[np.bool_]
) -> tuple[NDArray, NDArray, NDArray, NDArray]:
    """The smallest graph with the same shortest routes between the ``keep`` nodes.

    Dead-end trees without a kept node are pruned and chains of degree-2 nodes (not kept) are
    joined into one edge (:func:`_prune_dead_ends`, :func:`_join_chains`), round after round
    until nothing changes; loops are dropped and of parallel edges each impedance keeps its
    least.  ``weights`` is (impedances x edges), integers, so the sums are exact.

    Returns the edges (positions in ``kept``), their weights and ``kept``: the original
    positions of the nodes left, sorted; every ``keep`` node is among them.

    Examples
    --------
    >>> # a chain 0-1-2-3 with a dead end 1-4: between 0 and 3 one edge of 1 + 2 + 3 is left
    >>> a, b = np.array([0, 1, 2, 1]), np.array([1, 2, 3, 4])
    >>> keep = np.array([True, False, False, True, False])
    >>> ea, eb, w, kept = reduce_network(5, a, b, np.array([[1, 2, 3, 9]]), keep)
    >>> kept.tolist(), ea.tolist(), eb.tolist(), w.tolist()
    ([0, 3], [0], [1], [[6]])
    """
    a, b, w = _simple_edges(np.asarray(a, np.int64), np.asarray(b, np.int64), np.asarray(weights, np.int64))
    while True:
        before = len(a)
        a, b, w = _prune_dead_ends(n, a, b, w, keep)
        a, b, w = _simple_edges(*_join_chains(n, a, b, w, keep))
        if len(a) == before:
            break
    kept = np.union1d(np.flatnonzero(keep), np.concatenate([a, b]))
    return np.searchsorted(kept, a), np.searchsorted(kept, b), w, kept


def many_to_many(n: int, a: NDArray, b: NDArray, weight: NDArray, sources: NDArray) -> NDArray:
    """Least summed ``weight`` between every two ``sources`` over the undirected graph (n nodes).

    One Dijkstra search from each source (``scipy.sparse.csgraph.dijkstra``), in batches so
    that no more than :data:`settings.ROAD_MATRIX_BATCH_CELLS` distances are held at once;
    ``inf`` where there is no route.
    """
    from scipy.sparse.csgraph import dijkstra

    graph = sp.csr_matrix((weight.astype(float), (a, b)), shape=(n, n))
    out = np.empty((len(sources), len(sources)))
    step = max(1, settings.ROAD_MATRIX_BATCH_CELLS // max(n, 1))
    for start in range(0, len(sources), step):
        rows = dijkstra(graph, directed=False, indices=sources[start : start + step])
        out[start : start + step] = rows[:, sources]
    return out


# --------------------------------------------------------------------------- the travel model
class RoadTravel(Travel):
    """Travel by road over a built :class:`RoadNetwork`, routed with pandana.

    Each place walks (straight line, :data:`settings.ROAD_WALK_SPEED_KMH`) to its nearest road
    node; places farther than ``max_snap_m`` are remembered in :meth:`off_network` (with their
    distance) and keep their walking time.
    """

    name = "road"

    def __init__(
        self,
        network: RoadNetwork,
        walk_kmh: float = settings.ROAD_WALK_SPEED_KMH,
        max_snap_m: float = settings.ROAD_MAX_SNAP_M,
        nearest_stations: int = settings.ROAD_NEAREST_STATIONS,
    ) -> None:
        from scipy.spatial import cKDTree

        self.network = network
        self.walk_kmh = float(walk_kmh)
        self.max_snap_m = float(max_snap_m)
        self.nearest_stations = int(nearest_stations)
        self.crs = network.crs
        self.x, self.y = to_metres(network.lon, network.lat, self.crs)
        self._tree = cKDTree(np.column_stack([self.x, self.y]))
        self._net: Any = None
        self._off: dict[tuple[str, str], dict] = {}

    def describe(self) -> str:
        return f"road (pandana, {self.network.source})"

    @property
    def net(self) -> Any:
        """The pandana network, built on first use (contraction hierarchies take a while)."""
        if self._net is None:
            self._net = pandana_network(self.x, self.y, self.network)
        return self._net

    # ---------------------------------------------------------------- snapping
    def snap_xy(self, xy: ArrayLike, crs: str | None = None) -> tuple[NDArray, NDArray]:
        """Nearest node (position) of each point (metres in ``crs``, default the network's) and the distance (m)."""
        xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        if crs is not None and crs != self.crs:
            from pyproj import Transformer

            lon, lat = Transformer.from_crs(crs, settings.WORK_CRS, always_xy=True).transform(xy[:, 0], xy[:, 1])
            xy = np.column_stack(to_metres(lon, lat, self.crs))
        if len(xy) == 0:
            return np.empty(0, dtype=np.int64), np.empty(0)
        dist, node = self._tree.query(xy, k=1)
        return np.asarray(node, dtype=np.int64), np.asarray(dist, dtype=float)

    def walk_minutes(self, distance_m: ArrayLike) -> NDArray:
        """Minutes walking ``distance_m`` metres to or from the road."""
        return np.asarray(distance_m, dtype=float) / 1000.0 / self.walk_kmh * 60.0

    def _note_off(self, places: Sequence[Place], dist_m: NDArray) -> None:
        for place, d in zip(places, dist_m, strict=True):
            if d > self.max_snap_m:
                self._off[(place.code, place.name)] = {
                    "code": place.code,
                    "name": place.name,
                    "lon": round(place.lon, 6),
                    "lat": round(place.lat, 6),
                    "snap_m": round(float(d), 1),
                }

    def off_network(self) -> list[dict]:
        """Places met so far farther than ``max_snap_m`` from every road node, farthest first."""
        return sorted(self._off.values(), key=lambda r: -r["snap_m"])

    # ---------------------------------------------------------------- routing
    def node_matrices(self, nodes: NDArray) -> tuple[NDArray, NDArray]:
        """Road minutes and km between road nodes (positions), rows from, columns to.

        The network is first reduced to what routes between these nodes can use
        (:func:`reduce_network`: dead-end trees without one of them pruned, chains of degree-2
        nodes joined into one edge), then scipy's Dijkstra searches from each node at once
        over the reduced graph.  Edges are priced as pandana prices them (whole thousandths of
        a second and of a metre, :func:`pandana_thousandths`), so the answers are those of
        :meth:`pairwise_node_matrices` (pandana, one query a pair) to the last digit.
        """
        unique, inverse = np.unique(np.asarray(nodes, dtype=np.int64), return_inverse=True)
        k = len(unique)
        if k < 2:
            return np.zeros((len(inverse), len(inverse))), np.zeros((len(inverse), len(inverse)))
        net = self.network
        weights = np.vstack([pandana_thousandths(net.minutes * 60.0), pandana_thousandths(net.length_m)])
        keep = np.zeros(len(net.lon), dtype=bool)
        keep[unique] = True
        a, b, w, kept = reduce_network(len(net.lon), net.edge_from, net.edge_to, weights, keep)
        sources = np.searchsorted(kept, unique)  # every asked node is kept
        seconds, metres = (many_to_many(len(kept), a, b, w[i], sources) for i in range(2))
        minutes = seconds / 1000.0 / 60.0
        km = metres / 1000.0 / 1000.0
        pick = np.ix_(inverse, inverse)
        return minutes[pick], km[pick]

    def pairwise_node_matrices(self, nodes: NDArray) -> tuple[NDArray, NDArray]:
        """:meth:`node_matrices` asked of pandana pair by pair (one contraction-hierarchy query a pair).

        The reference the fast matrices are tested against, and the benchmark's baseline: about
        40 microseconds a query on a province-sized network.
        """
        unique, inverse = np.unique(np.asarray(nodes, dtype=np.int64), return_inverse=True)
        k = len(unique)
        # every road is two-way, so the matrices are symmetric: ask for each pair once
        upper_i, upper_j = np.triu_indices(k, 1)
        origins, destinations = unique[upper_i], unique[upper_j]
        net = self.net
        minutes, km = np.zeros((k, k)), np.zeros((k, k))
        if len(origins):
            with quiet_stdout():
                seconds = np.asarray(net.shortest_path_lengths(origins, destinations, imp_name="seconds"), dtype=float)
                metres = np.asarray(net.shortest_path_lengths(origins, destinations, imp_name="metres"), dtype=float)
            minutes[upper_i, upper_j] = np.where(seconds >= _PANDANA_UNREACHABLE, np.inf, seconds / 60.0)
            km[upper_i, upper_j] = np.where(metres >= _PANDANA_UNREACHABLE, np.inf, metres / 1000.0)
            minutes += minutes.T
            km += km.T
        pick = np.ix_(inverse, inverse)
        return minutes[pick], km[pick]

    def matrices(self, places: Sequence[Place]) -> tuple[NDArray, NDArray]:
        """Minutes and km between places: walk to the road, drive, walk from the road.

        The minutes are those of the fastest route, the km those of the shortest one.
        """
        if len(places) == 0:
            return np.zeros((0, 0)), np.zeros((0, 0))
        x, y = to_metres([p.lon for p in places], [p.lat for p in places], self.crs)
        nodes, dist_m = self.snap_xy(np.column_stack([x, y]))
        self._note_off(places, dist_m)
        road_min, road_km = self.node_matrices(nodes)
        walk_min, walk_km = self.walk_minutes(dist_m), dist_m / 1000.0
        minutes = walk_min[:, None] + road_min + walk_min[None, :]
        km = walk_km[:, None] + road_km + walk_km[None, :]
        np.fill_diagonal(minutes, 0.0)
        np.fill_diagonal(km, 0.0)
        return minutes, km

    def minutes_between(self, from_xy: ArrayLike, to_xy: ArrayLike, crs: str | None = None) -> NDArray:
        """(from x to) road minutes between points (metres in ``crs``, default the network's).

        Walk from the point to its road node, drive the fastest route (:meth:`node_matrices`: one
        Dijkstra from each node on the reduced network, pandana's numbers), walk from the road node
        to the other point.  Two points closer than :data:`settings.ROAD_SAME_PLACE_M` are the same
        place: 0 minutes (as :meth:`matrices` gives a place with itself).  Points off the network keep
        their walk (count them with :meth:`off_network_counts`).
        """
        from_xy = np.asarray(from_xy, dtype=float).reshape(-1, 2)
        to_xy = np.asarray(to_xy, dtype=float).reshape(-1, 2)
        from_nodes, from_m = self.snap_xy(from_xy, crs)
        to_nodes, to_m = self.snap_xy(to_xy, crs)
        n = len(from_nodes)
        if n == 0 or len(to_nodes) == 0:
            return np.zeros((n, len(to_nodes)))
        road_min, _ = self.node_matrices(np.concatenate([from_nodes, to_nodes]))
        minutes = self.walk_minutes(from_m)[:, None] + road_min[:n, n:] + self.walk_minutes(to_m)[None, :]
        apart_m = np.hypot(from_xy[:, None, 0] - to_xy[None, :, 0], from_xy[:, None, 1] - to_xy[None, :, 1])
        minutes[apart_m < settings.ROAD_SAME_PLACE_M] = 0.0
        return minutes

    def minutes_to_nearest(
        self, from_xy: ArrayLike, to_xy: ArrayLike, crs: str | None = None, max_min: float | None = None
    ) -> tuple[NDArray, NDArray]:
        """Road minutes from each ``from_xy`` point to its nearest ``to_xy`` point, and that point's index.

        Points are metres in ``crs`` (default the network's).  Both ends walk to the road.
        Nearest stations farther than ``max_min`` road minutes (default
        :data:`settings.ROAD_MAX_SEARCH_MIN`) are not searched: those points get ``inf`` and -1.
        """
        limit = float(settings.ROAD_MAX_SEARCH_MIN if max_min is None else max_min)
        from_nodes, from_m = self.snap_xy(from_xy, crs)
        to_nodes, to_m = self.snap_xy(to_xy, crs)
        n = len(from_nodes)
        if len(to_nodes) == 0 or n == 0:
            return np.full(n, np.inf), np.full(n, -1)
        # pandana 0.8 answers every station twice on a two-way network (each is met from both
        # directions of its edges; seen on the test networks): ask for twice as many, duplicates
        # do not change the least
        k = 2 * min(self.nearest_stations, len(to_nodes))
        net = self.net
        with quiet_stdout():
            net.set_pois("stations", limit * 60.0, k, pd.Series(self.x[to_nodes]), pd.Series(self.y[to_nodes]))
            found = net.nearest_pois(limit * 60.0, "stations", num_pois=k, imp_name="seconds", include_poi_ids=True)
        found = found.reindex(from_nodes)
        road = found[list(range(1, k + 1))].to_numpy(dtype=float) / 60.0
        poi = found[[f"poi{i}" for i in range(1, k + 1)]].to_numpy(dtype=float)
        missing = ~np.isfinite(poi) | (road >= limit)
        poi_index = np.where(missing, 0, poi).astype(np.int64)
        total = np.where(missing, np.inf, road + self.walk_minutes(to_m)[poi_index])
        best = np.argmin(total, axis=1)
        minutes = total[np.arange(n), best] + self.walk_minutes(from_m)
        index = np.where(np.isfinite(minutes), poi_index[np.arange(n), best], -1)
        return minutes, index

    def within_minutes(self, from_xy: ArrayLike, to_xy: ArrayLike, radius_min: float, crs: str | None = None) -> Any:
        """Sparse (from x to) matrix, True where a ``to`` point is within ``radius_min`` road minutes.

        Points are metres in ``crs`` (default the network's).  Within means: walk from the point
        to its road node, drive, walk from the road node to the other point, at most
        ``radius_min`` in all (the walks as in :meth:`minutes_to_nearest`).  The drive is
        pandana's range query (``Network.nodes_in_range``, contraction hierarchies) from each
        ``to`` point's node, bounded by ``radius_min``.
        """
        from_nodes, from_m = self.snap_xy(from_xy, crs)
        to_nodes, to_m = self.snap_xy(to_xy, crs)
        shape = (len(from_nodes), len(to_nodes))
        if 0 in shape:
            return sp.csr_matrix(shape, dtype=bool)
        net = self.net
        with quiet_stdout():
            reach = net.nodes_in_range(np.unique(to_nodes), float(radius_min) * 60.0, imp_name="seconds")
        reach_to = reach["source"].to_numpy(np.int64)
        reach_from = reach["destination"].to_numpy(np.int64)
        road_min = reach["seconds"].to_numpy(float) / 60.0
        # every reach row (to node, from node, road minutes) with each "to" point at its to node
        to_order = np.argsort(to_nodes, kind="stable")
        lo = np.searchsorted(to_nodes[to_order], reach_to, "left")
        hi = np.searchsorted(to_nodes[to_order], reach_to, "right")
        row, offset = _ragged(hi - lo)
        col = to_order[lo[row] + offset]
        budget = radius_min - road_min[row] - self.walk_minutes(to_m)[col]  # minutes left for the "from" walk
        # then with each "from" point at its from node walking at most the budget: the points of a node
        # sorted by their walk (exact integer keys: node, rank of the walk), counted by binary search
        from_walk = self.walk_minutes(from_m)
        walks = np.unique(from_walk)
        width = len(walks) + 1
        key = from_nodes * width + np.searchsorted(walks, from_walk)
        from_order = np.argsort(key, kind="stable")
        key = key[from_order]
        first = np.searchsorted(key, reach_from[row] * width, "left")
        last = np.searchsorted(key, reach_from[row] * width + np.searchsorted(walks, budget, "right"), "left")
        pair, offset = _ragged(last - first)
        rows, cols = from_order[first[pair] + offset], col[pair]
        return sp.csr_matrix((np.ones(len(rows), dtype=bool), (rows, cols)), shape=shape)

    def off_network_counts(
        self, points: Mapping[str, ArrayLike], crs: str | None = None, codes: Mapping[str, ArrayLike] | None = None
    ) -> list[dict]:
        """Points (metres in ``crs``) beyond the snapping limit: count and farthest per kind.

        ``codes``: for a kind whose points are named (township points), the codes of those off
        the network are listed too (a village far from any road is named).
        """
        out = []
        for kind, xy in points.items():
            xy = np.asarray(xy, dtype=float).reshape(-1, 2)
            if len(xy) == 0:
                continue
            _, dist = self.snap_xy(xy, crs)
            far = dist > self.max_snap_m
            if far.any():
                entry: dict = {"kind": kind, "count": int(far.sum()), "farthest_m": round(float(dist.max()), 1)}
                if codes is not None and kind in codes:
                    entry["codes"] = [str(c) for c in np.asarray(codes[kind])[far]]
                out.append(entry)
        return out


def _ragged(counts: NDArray) -> tuple[NDArray, NDArray]:
    """For runs of ``counts`` items: each item's run and its place in the run.

    >>> [a.tolist() for a in _ragged(np.array([2, 0, 3]))]
    [[0, 0, 2, 2, 2], [0, 1, 0, 1, 2]]
    """
    counts = np.asarray(counts, dtype=np.int64)
    run = np.repeat(np.arange(len(counts)), counts)
    return run, np.arange(len(run)) - np.repeat(np.cumsum(counts) - counts, counts)


def road_travel(province: str, out_dir: str | Path | None = None) -> RoadTravel:
    """The road travel model of ``province`` (its built network, see :func:`load_roads`)."""
    return RoadTravel(load_roads(province, out_dir))
