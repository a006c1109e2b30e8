"""Service-radius gaps: which places lie beyond a radius of every open station, and how much demand.

All geometry is done in metres, in the CGCS2000 Gauss-Krüger zone of the area
(:func:`coverage.coords.projected_crs_for`); never in degrees.

* **Area** within the radius is exact up to the polygonal service discs
  (:data:`settings.DISC_QUAD_SEGS` segments per quarter circle, area within
  0.01 % of a circle): per township, area of the township outside the union
  of discs.  Gap polygons are the province minus that union, dissolved.
* **Demand** is a set of weighted points: by default the centres of a regular
  grid (default 1 km) inside the townships, each weighing its cell's area in
  km², or weights spread from a township column, a point layer or a raster
  (:mod:`coverage.demand`).  A point is served when its nearest open station
  is within the radius (straight line, or minutes through
  :class:`~coverage.travel.StraightLine`).
* **Villages**: one point per township (its representative point) weighing its
  number of villages and communities.
* **Farthest point** of a township from every station is exact for straight
  lines: inside a station's Voronoi cell the distance to that station is
  convex, so the maximum over (township ∩ cell) is at one of its vertices.

Examples
--------
>>> import geopandas as gpd, shapely
>>> towns = gpd.GeoDataFrame({"code": ["a"], "name": ["A"]},
...     geometry=[shapely.box(0, 0, 4000, 1000)], crs="EPSG:4545")
>>> r = gap_analysis(towns, [(0.0, 500.0)], radius_m=2000, grid_m=1000)
>>> round(r.townships.loc[0, "farthest_m"])   # the far corner (4000, 0) or (4000, 1000)
4031
>>> r.summary["demand_share_within"]           # cells centred at 500 and 1500 m of 4
0.5
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import zipfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import ArrayLike

from coverage import settings
from coverage._errors import InputError
from coverage.analysis.demand import Demand, grid_demand, points_in_polygons, township_point_demand
from coverage.analysis.travel import StraightLine
from coverage.checks import GRID_KM, RADIUS_KM, RADIUS_MIN
from coverage.codes import units_of
from coverage.coords import projected_crs_for, to_crs

if TYPE_CHECKING:
    from coverage.analysis.roads import RoadTravel

#: Open stations as gap analysis takes them: points (any CRS), (x, y) metres in the working CRS, or none.
Stations: TypeAlias = gpd.GeoDataFrame | gpd.GeoSeries | ArrayLike | None
#: Townships split by the stations' Voronoi cells (:func:`voronoi_pieces`): township index, station index, piece.
Pieces: TypeAlias = tuple[np.ndarray, np.ndarray, np.ndarray]


@dataclass
class GapResult:
    """What lies beyond ``radius_m`` of every station.

    ``townships``: per township ``code``, ``name``, ``county_code``,
    ``city_code``, ``area_km2``, ``area_within_km2``, ``share_beyond`` (of its
    area), ``farthest_m``, ``demand``, ``demand_within``, ``villages`` and
    ``villages_within`` (its villages/communities, all within or not by its
    representative point).  ``units``: the same sums and shares per county,
    city and province.  ``gaps`` / ``gaps_m``: dissolved gap polygons (WGS 84
    / metres) with ``area_km2`` and ``demand``, built on first use.
    ``demand``: the demand points with ``distance_m`` to the nearest station
    and ``within``.
    """

    radius_m: float
    crs: str
    townships: pd.DataFrame
    demand: pd.DataFrame
    minutes: float | None = None
    #: The travel model that made the figures (its ``describe()``).
    travel: str = StraightLine.name
    #: Road travel: demand points, stations and township points farther from every road node
    #: than the snapping limit (:meth:`RoadTravel.off_network`); None for the straight line.
    off_network: list[dict] | None = None
    _geoms: np.ndarray | None = field(default=None, repr=False)
    _discs: np.ndarray | None = field(default=None, repr=False)
    _region: object = field(default=None, repr=False)
    _demand: Demand | None = field(default=None, repr=False)

    @functools.cached_property
    def units(self) -> pd.DataFrame:
        """The sums and shares of :attr:`townships` per province, city, county and township, made on
        first use (``gaps --json`` prints none of them)."""
        return _roll_up(self.townships)

    @functools.cached_property
    def gaps_m(self) -> gpd.GeoDataFrame:
        """Dissolved gap polygons in the working CRS (metres), computed on first use.

        The province (union of the townships) minus the union of the service
        discs; each with ``gap_id`` (largest first), ``area_km2`` and ``demand``.
        """
        geoms, demand = self._geoms, self._demand
        if geoms is None or demand is None:
            msg = "this gap result carries no geometry (it was not made by gap_analysis); run gap_analysis for gap polygons"
            raise InputError(msg)
        region, covered = self._region_and_covered
        parts = shapely.get_parts(shapely.difference(region, covered))
        parts = parts[shapely.area(parts) > 1.0]  # drop slivers below 1 m² from floating point
        gaps = gpd.GeoDataFrame({"area_km2": shapely.area(parts) / 1e6}, geometry=list(parts), crs=self.crs)
        gap_of = _gap_of_points(parts, geoms, demand, ~self.demand["within"].to_numpy())
        hit = gap_of >= 0
        gap_demand = pd.Series(demand.weight[hit]).groupby(gap_of[hit]).sum()
        gaps["demand"] = gap_demand.reindex(range(len(gaps)), fill_value=0.0).to_numpy()
        gaps = gaps.sort_values("area_km2", ascending=False).reset_index(drop=True)
        gaps.insert(0, "gap_id", range(1, len(gaps) + 1))
        return gaps

    @functools.cached_property
    def gaps(self) -> gpd.GeoDataFrame:
        """Gap polygons in WGS 84 (see :attr:`gaps_m`)."""
        return self.gaps_m.to_crs(settings.WORK_CRS)

    @functools.cached_property
    def _region_and_covered(self) -> tuple[shapely.Geometry, shapely.Geometry]:
        """The region (union of the townships) and the union of the service discs - by road, of the squares of
        the grid cells within the minutes - in the working CRS: one union for :attr:`gaps_m` and :attr:`reach_m`."""
        geoms, discs = self._geoms, self._discs
        if geoms is None or discs is None:
            msg = "this gap result carries no geometry (it was not made by gap_analysis); run gap_analysis for its polygons"
            raise InputError(msg)
        region = shapely.union_all(geoms) if self._region is None else self._region
        return region, union_threaded(discs) if len(discs) else shapely.Polygon()

    @functools.cached_property
    def reach_m(self) -> gpd.GeoDataFrame:
        """The area within the radius, in the working CRS (metres): one row (``minutes`` or ``radius_km``, the
        ``travel`` model that made it, ``area_km2``), computed on first use.

        The region minus :attr:`gaps_m` (before its slivers are dropped): the region's part of the union of the
        service discs; by road (:func:`road_gap_analysis`) the isochrone of ``minutes``, the union of the squares
        of the grid cells within them (see :func:`reach_polygons`).
        """
        region, covered = self._region_and_covered
        reach = shapely.intersection(region, covered)
        radius_km = self.radius_m / 1000.0 if np.isfinite(self.radius_m) else None
        table = {
            "minutes": [self.minutes],
            "radius_km": [radius_km],
            "travel": [self.travel],
            "area_km2": [float(shapely.area(reach)) / 1e6],
        }
        return gpd.GeoDataFrame(table, geometry=[reach], crs=self.crs)

    @functools.cached_property
    def reach(self) -> gpd.GeoDataFrame:
        """The area within the radius (by road: the isochrone) in WGS 84 (see :attr:`reach_m`)."""
        return self.reach_m.to_crs(settings.WORK_CRS)

    @property
    def summary(self) -> dict:
        """Shares within the radius over every township analysed (whatever provinces they are in)."""
        t = self.townships

        def share(a: str, b: str) -> float:
            total = float(t[b].sum())
            return float(t[a].sum()) / total if total > 0 else float("nan")

        return {
            "radius_km": self.radius_m / 1000.0 if np.isfinite(self.radius_m) else None,
            "area_share_within": share("area_within_km2", "area_km2"),
            "demand_share_within": share("demand_within", "demand"),
            "village_share_within": share("villages_within", "villages"),
            # the same as the gap polygons' area, without building them
            "gap_area_km2": float(t["area_km2"].sum() - t["area_within_km2"].sum()),
        }

    def to_json(self) -> dict:
        """The document ``python -m coverage gaps --json`` prints."""
        doc = {k: None if v is None else round(v, 6) for k, v in self.summary.items()}
        if self.minutes is not None:
            doc["radius_min"] = self.minutes
        doc["travel"] = self.travel
        doc["crs"] = self.crs
        off = self.off_network
        if off is not None:
            doc["off_network"] = off
        doc["townships"] = [
            {
                "code": r["code"],
                "name": r["name"],
                "share_beyond": round(float(r["share_beyond"]), 6),
                "farthest_km": None if not np.isfinite(r["farthest_m"]) else round(float(r["farthest_m"]) / 1000.0, 3),
            }
            | (
                {"farthest_min": None if not np.isfinite(r["farthest_min"]) else round(float(r["farthest_min"]), 2)}
                if "farthest_min" in r
                else {}
            )
            for r in self.townships.to_dict("records")
        ]
        return doc


@functools.lru_cache(maxsize=1)
def _threads() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=os.cpu_count() or 1, thread_name_prefix="gaps")


def threaded(func: Callable[..., np.ndarray], *arrays: np.ndarray, min_chunk: int = 256) -> np.ndarray:
    """Apply a vectorised shapely function on chunks in threads (GEOS releases the GIL)."""
    n = len(arrays[0])
    workers = os.cpu_count() or 1
    if workers == 1 or n < 2 * min_chunk:
        return func(*arrays)
    bounds = np.linspace(0, n, workers + 1).astype(int)
    parts = _threads().map(
        lambda ab: func(*[a[ab[0] : ab[1]] for a in arrays]), zip(bounds[:-1], bounds[1:], strict=True)
    )
    return np.concatenate(list(parts))


def union_threaded(geoms: np.ndarray) -> object:
    """Union of many geometries: halves unioned in threads, then joined."""
    if len(geoms) < 512:
        return shapely.union_all(geoms)
    bounds = np.linspace(0, len(geoms), (os.cpu_count() or 1) + 1).astype(int)
    halves = list(
        _threads().map(lambda ab: shapely.union_all(geoms[ab[0] : ab[1]]), zip(bounds[:-1], bounds[1:], strict=True))
    )
    return shapely.union_all(np.array(halves, dtype=object))


def station_points(stations: Stations, crs: str) -> np.ndarray:
    """The stations' distinct positions (x, y) in ``crs`` metres, as every analysis here takes them: points
    projected (or an array already in metres), missing and non-finite ones left out, and positions equal
    to the millimetre counted once."""
    if stations is None:
        return np.empty((0, 2))
    if isinstance(stations, (gpd.GeoDataFrame, gpd.GeoSeries)):
        if stations.crs is None:
            msg = "the stations have no coordinate system; declare it (they are normally WGS 84)"
            from coverage._errors import CRSError

            raise CRSError(msg)
        pts = stations.geometry if isinstance(stations, gpd.GeoDataFrame) else stations
        pts = to_crs(pts[~pts.is_empty & pts.notna()], crs)
        xy = shapely.get_coordinates(pts.values)
    else:
        xy = np.asarray(stations, dtype=float).reshape(-1, 2)  # already projected metres
    xy = xy[np.isfinite(xy).all(axis=1)]
    # stations at the same spot (to the millimetre) count once; nearly coincident
    # generators would make the Voronoi diagram degenerate
    return np.unique(np.round(xy, 3), axis=0) if len(xy) else xy


def voronoi_pieces(towns: np.ndarray, station_xy: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split townships by the stations' Voronoi cells.

    Returns (township index, station index, piece) for every non-empty
    intersection: inside a piece, the nearest station is that station.
    """
    if len(station_xy) == 1:
        return np.arange(len(towns)), np.zeros(len(towns), dtype=int), np.asarray(towns)
    xmin, ymin, xmax, ymax = shapely.total_bounds(towns)
    sx, sy = station_xy[:, 0], station_xy[:, 1]
    pad = max(xmax - xmin, ymax - ymin, sx.max() - sx.min(), sy.max() - sy.min()) + 1.0
    frame = shapely.box(
        min(xmin, sx.min()) - pad, min(ymin, sy.min()) - pad, max(xmax, sx.max()) + pad, max(ymax, sy.max()) + pad
    )
    cells = np.asarray(
        shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(station_xy), extend_to=frame, ordered=True))
    )
    tree = shapely.STRtree(towns)
    c_idx, t_idx = tree.query(cells, predicate="intersects")
    # a township wholly inside one cell is its own piece: no intersection needed
    whole = np.zeros(len(c_idx), dtype=bool)
    c_in, t_in = tree.query(cells, predicate="contains_properly")
    if len(c_in):
        pair = c_idx.astype(np.int64) * len(towns) + t_idx
        whole = np.isin(pair, c_in.astype(np.int64) * len(towns) + t_in)
    pieces = np.empty(len(c_idx), dtype=object)
    pieces[whole] = towns[t_idx[whole]]
    pieces[~whole] = threaded(shapely.intersection, towns[t_idx[~whole]], cells[c_idx[~whole]])
    keep = ~shapely.is_empty(pieces)
    return t_idx[keep], c_idx[keep], pieces[keep]


def within_and_farthest(
    towns: np.ndarray,
    station_xy: np.ndarray,
    radius_m: float,
    quad_segs: int = settings.DISC_QUAD_SEGS,
    discs: np.ndarray | None = None,
    pieces: Pieces | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Per township: area (m²) within ``radius_m`` of a station, and the exact farthest distance (m).

    ``pieces``: :func:`voronoi_pieces` of ``towns`` and ``station_xy`` when already made (they do not
    depend on the radius; :func:`stored_voronoi_pieces`).

    Inside the Voronoi cell of station s, a point is within the radius of some
    station exactly when it is within the radius of s, and its distance to the
    nearest station is its (convex) distance to s.  So per (township ∩ cell)
    piece: the farthest point is one of its vertices, and the area within is
    piece ∩ disc(s) - the whole piece when all its vertices are within the
    radius (the disc is convex), nothing when the piece stays outside it.
    """
    n = len(towns)
    if len(station_xy) == 0:
        return np.zeros(n), np.full(n, np.inf)
    t_idx, s_idx, parts = voronoi_pieces(towns, station_xy) if pieces is None else pieces
    coords, owner = shapely.get_coordinates(parts, return_index=True)
    d = np.hypot(coords[:, 0] - station_xy[s_idx[owner], 0], coords[:, 1] - station_xy[s_idx[owner], 1])
    far_piece = np.full(len(parts), -np.inf)
    np.maximum.at(far_piece, owner, d)
    farthest = np.full(n, -np.inf)
    np.maximum.at(farthest, t_idx, far_piece)

    area = np.zeros(len(parts))
    inside = far_piece <= radius_m
    area[inside] = shapely.area(parts[inside])
    centres = shapely.points(station_xy[s_idx])
    near = ~inside & (shapely.distance(parts, centres) < radius_m)
    if near.any():
        if discs is None:
            near_discs = shapely.buffer(centres[near], radius_m, quad_segs=quad_segs)
        else:  # the discs of station_xy, in its order
            near_discs = discs[s_idx[near]]
        area[near] = shapely.area(threaded(shapely.intersection, parts[near], near_discs))
    within = np.bincount(t_idx, weights=area, minlength=n)
    return within, farthest


def farthest_from_stations(towns: np.ndarray, station_xy: np.ndarray) -> np.ndarray:
    """Exact largest straight-line distance (m) from any point of each township to its nearest station."""
    return within_and_farthest(np.asarray(towns), np.asarray(station_xy, dtype=float).reshape(-1, 2), 0.0)[1]


def stored_voronoi_pieces(source: Path, towns: np.ndarray, station_xy: np.ndarray, crs: str) -> Pieces:
    """:func:`voronoi_pieces` of ``towns`` (in ``crs``, read from the GeoPackage ``source``) and
    ``station_xy``, kept on disk for the next command with the same stations.

    Splitting a province's townships by the Voronoi cells of its stations is about a third of a gap
    analysis, and does not depend on the radius: ``gaps`` asked again (another radius, or the same
    registry) reads it back.  One file per GeoPackage and CRS (:func:`coverage.data.io.keep`), holding
    the key it was made for - the GeoPackage's bytes, this module, the CRS and the station positions
    - so other stations make it again and replace it.  The pieces are kept as WKB, which holds every
    coordinate exactly.
    """
    from coverage.data.io import keep, read_kept

    place = hashlib.sha256(Path(source).read_bytes() + crs.encode()).hexdigest()
    digest = hashlib.sha256(place.encode())
    digest.update(Path(__file__).read_bytes())
    digest.update(np.ascontiguousarray(station_xy, dtype=np.float64).tobytes())
    key = digest.hexdigest()
    name = f"pieces_{place[:32]}.npz"
    data = read_kept(name)
    if data is not None:
        try:
            with np.load(io.BytesIO(data)) as kept:
                if str(kept["key"]) == key and int(kept["towns"]) == len(towns):
                    blob, ends = kept["wkb"].tobytes(), kept["wkb_ends"]
                    wkb = np.array([blob[a:b] for a, b in zip(np.r_[0, ends[:-1]], ends, strict=True)], dtype=object)
                    return kept["township"], kept["station"], shapely.from_wkb(wkb)
        except (OSError, KeyError, ValueError, zipfile.BadZipFile, shapely.errors.GEOSException):
            pass
    made = voronoi_pieces(towns, station_xy)
    blobs = [bytes(w) for w in shapely.to_wkb(made[2])]
    buffer = io.BytesIO()
    np.savez(
        buffer, key=key, towns=len(towns), township=made[0], station=made[1],
        wkb=np.frombuffer(b"".join(blobs), dtype=np.uint8), wkb_ends=np.cumsum([len(b) for b in blobs], dtype=np.int64),
    )  # fmt: skip
    keep(name, buffer.getvalue())
    return made


def _gap_of_points(parts: np.ndarray, towns: np.ndarray, demand: Demand, beyond: np.ndarray) -> np.ndarray:
    """Gap polygon of each demand point beyond the radius (-1 for the others).

    A point beyond the radius lies in a gap polygon meeting its own township;
    most townships meet just one, so only points of the others need a
    point-in-polygon test.
    """
    out = np.full(len(demand), -1)
    if len(parts) == 0 or not beyond.any():
        return out
    # query with the (few, large) parts as input: GEOS prepares each input geometry once
    p_idx, t_idx = shapely.STRtree(towns).query(parts, predicate="intersects")
    n_parts = np.bincount(t_idx, minlength=len(towns))
    only = np.full(len(towns), -1)
    only[t_idx[n_parts[t_idx] == 1]] = p_idx[n_parts[t_idx] == 1]
    simple = beyond & (n_parts[demand.township] == 1)
    out[simple] = only[demand.township[simple]]
    rest = beyond & (n_parts[demand.township] > 1)
    if rest.any():
        found = points_in_polygons(parts, demand.x, demand.y, subset=rest)
        out[rest] = found[rest]
    return out


def _township_columns(towns: gpd.GeoDataFrame) -> dict[str, Any]:
    """The columns naming each township in a gaps table: code, name, county and city codes."""
    code = towns["code"]
    return {
        "code": code.astype(str),
        "name": towns.get("name", ""),
        "county_code": towns["county_code"].astype(str) if "county_code" in towns else units_of(code, "county"),
        "city_code": towns["city_code"].astype(str) if "city_code" in towns else units_of(code, "city"),
    }


def gap_analysis(
    townships: gpd.GeoDataFrame,
    stations: Stations,
    radius_m: float = settings.DEFAULT_RADIUS_KM * 1000.0,
    grid_m: float = settings.DEFAULT_GRID_KM * 1000.0,
    demand: Demand | None = None,
    travel: StraightLine | None = None,
    quad_segs: int = settings.DISC_QUAD_SEGS,
    crs: str | None = None,
    region: shapely.Geometry | None = None,
    progress: Callable[[int, int], None] | None = None,
    pieces: Pieces | None = None,
) -> GapResult:
    """Gaps beyond ``radius_m`` (straight-line metres) of every station.

    Parameters
    ----------
    townships : polygons with ``code`` (and optionally ``name``, ``county_code``,
        ``city_code``, ``n_villages``, ``n_communities``, ``lon``, ``lat``), any CRS.
    stations : open stations - a GeoDataFrame/GeoSeries of points, or an
        array of (x, y) already in ``crs`` metres.
    radius_m : service radius in straight-line metres (for minutes use
        :meth:`StraightLine.metres_for_minutes`).
    grid_m : cell size of the default demand grid, metres.
    demand : demand points in ``crs`` (default: the grid, weighted by area).
    crs : projected CRS to work in; default chosen for the area.
    region : the union of the townships in ``crs`` (default: computed; pass it
        when analysing one province many times, it does not depend on stations).
    pieces : :func:`voronoi_pieces` of the townships in ``crs`` and
        :func:`station_points` (default: made here; they do not depend on the radius).
    """
    RADIUS_KM(float(radius_m) / 1000.0)
    GRID_KM(float(grid_m) / 1000.0)
    steps = 5
    tick = progress or (lambda done, total: None)
    crs = crs or projected_crs_for(townships)
    towns = to_crs(townships, crs).reset_index(drop=True)
    geoms = np.asarray(towns.geometry.values)
    xy = station_points(stations, crs)
    travel = travel or StraightLine()
    tick(1, steps)

    discs = shapely.buffer(shapely.points(xy), radius_m, quad_segs=quad_segs) if len(xy) else np.empty(0, dtype=object)
    area = shapely.area(geoms)
    tick(2, steps)
    within_area, farthest = within_and_farthest(geoms, xy, radius_m, quad_segs, discs, pieces)
    tick(3, steps)

    if demand is None:
        demand = grid_demand(towns, grid_m)
    dist, _ = travel.nearest(np.column_stack([demand.x, demand.y]), xy)
    within = dist <= radius_m
    demand_frame = pd.DataFrame(
        {
            "x": demand.x,
            "y": demand.y,
            "weight": demand.weight,
            "township": demand.township,
            "distance_m": dist,
            "within": within,
        }
    )
    demand_total = np.bincount(demand.township, weights=demand.weight, minlength=len(towns))
    demand_within = np.bincount(demand.township, weights=np.where(within, demand.weight, 0.0), minlength=len(towns))
    villages = township_point_demand(towns)
    v_dist, _ = travel.nearest(np.column_stack([villages.x, villages.y]), xy)
    tick(4, steps)

    table = pd.DataFrame(
        {
            **_township_columns(towns),
            "area_km2": area / 1e6,
            "area_within_km2": within_area / 1e6,
            "farthest_m": farthest,
            "demand": demand_total,
            "demand_within": demand_within,
            "villages": villages.weight,
            "villages_within": np.where(v_dist <= radius_m, villages.weight, 0.0),
            "point_distance_m": v_dist,
        }
    )
    table["share_beyond"] = np.where(area > 0, 1.0 - within_area / np.where(area > 0, area, 1.0), 0.0).clip(0.0, 1.0)
    tick(5, steps)
    return GapResult(
        radius_m=float(radius_m),
        crs=crs,
        townships=table,
        demand=demand_frame,
        travel=travel.describe(),
        _geoms=geoms,
        _discs=discs,
        _region=region,
        _demand=demand,
    )


def road_gap_analysis(
    townships: gpd.GeoDataFrame,
    stations: Stations,
    radius_min: float,
    road: RoadTravel,
    grid_m: float = settings.DEFAULT_GRID_KM * 1000.0,
    demand: Demand | None = None,
    crs: str | None = None,
    region: shapely.Geometry | None = None,
) -> GapResult:
    """Gaps beyond ``radius_min`` road minutes of every station (:class:`RoadTravel`).

    Every cell of a ``grid_m`` grid (and every demand point, and every township's point) gets
    the road minutes to its nearest station (walk to the road, drive, walk to the station:
    :meth:`RoadTravel.minutes_to_nearest`); it is within when they are at most ``radius_min``.
    ``area_within_km2`` is the township's area times the share of its cells within; the gap
    polygons are the province minus the squares of the cells within; ``farthest_min`` is the
    most road minutes of any of its cells (``inf`` beyond the search, ``farthest_m`` is NaN:
    a road result measures no straight line).  Places off the network are counted in
    ``off_network``, never dropped.
    """
    RADIUS_MIN(float(radius_min))
    GRID_KM(float(grid_m) / 1000.0)
    crs = crs or projected_crs_for(townships)
    towns = townships.to_crs(crs).reset_index(drop=True)
    geoms = np.asarray(towns.geometry.values)
    xy = station_points(stations, crs)
    cells = grid_demand(towns, grid_m)
    demand = cells if demand is None else demand

    villages = township_point_demand(towns)
    sets = [cells, villages] if demand is cells else [cells, villages, demand]
    # one search for every point set: pandana answers for every node at once
    all_min = road.minutes_to_nearest(
        np.concatenate([np.column_stack([d.x, d.y]) for d in sets]), xy, crs, max_min=radius_min
    )[0]
    cell_min, village_min, demand_min = np.split(all_min, np.cumsum([len(d.x) for d in sets]))[:3]
    demand_min = cell_min if demand is cells else demand_min
    within = demand_min <= radius_min
    cell_within = cell_min <= radius_min
    n = len(towns)
    area = shapely.area(geoms)
    cell_count = np.bincount(cells.township, minlength=n)
    cell_in = np.bincount(cells.township, weights=cell_within.astype(float), minlength=n)
    within_area = np.where(cell_count > 0, area * cell_in / np.maximum(cell_count, 1), 0.0)
    farthest_min = np.full(n, -np.inf)
    np.maximum.at(farthest_min, cells.township, cell_min)
    farthest_min = np.where(cell_count > 0, farthest_min, village_min)
    demand_frame = pd.DataFrame(
        {
            "x": demand.x,
            "y": demand.y,
            "weight": demand.weight,
            "township": demand.township,
            "minutes": demand_min,
            "within": within,
        }
    )
    table = pd.DataFrame(
        {
            **_township_columns(towns),
            "area_km2": area / 1e6,
            "area_within_km2": within_area / 1e6,
            "farthest_m": np.full(n, np.nan),
            "farthest_min": farthest_min,
            "demand": np.bincount(demand.township, weights=demand.weight, minlength=n),
            "demand_within": np.bincount(demand.township, weights=np.where(within, demand.weight, 0.0), minlength=n),
            "villages": villages.weight,
            "villages_within": np.where(village_min <= radius_min, villages.weight, 0.0),
            "point_minutes": village_min,
        }
    )
    table["share_beyond"] = np.where(area > 0, 1.0 - within_area / np.where(area > 0, area, 1.0), 0.0).clip(0.0, 1.0)
    squares = cell_squares(cells.x[cell_within], cells.y[cell_within], grid_m)
    given = {} if demand is cells else {"demand points": np.column_stack([demand.x, demand.y])}
    off = road.off_network_counts(
        {
            "grid cells": np.column_stack([cells.x, cells.y]),
            **given,
            "township points": np.column_stack([villages.x, villages.y]),
            "stations": xy,
        },
        crs,
        {"township points": table["code"].to_numpy()},
    )
    return GapResult(
        radius_m=float("nan"),
        crs=crs,
        townships=table,
        demand=demand_frame,
        minutes=float(radius_min),
        travel=road.describe(),
        off_network=off,
        _geoms=geoms,
        _discs=np.asarray(squares),
        _region=region,
        _demand=demand,
    )


def cell_squares(x: ArrayLike, y: ArrayLike, grid_m: float) -> np.ndarray:
    """The squares of the grid cells centred at (``x``, ``y``), ``grid_m`` metres a side (as
    :func:`coverage.analysis.demand.grid_cells` lays them out)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    half = grid_m / 2.0
    return np.asarray(shapely.box(x - half, y - half, x + half, y + half))


def reach_polygons(region: shapely.Geometry, squares: np.ndarray) -> shapely.Geometry:
    """The part of ``region`` covered by ``squares`` (grid cells within some minutes), dissolved."""
    if len(squares) == 0:
        return shapely.Polygon()
    return shapely.intersection(region, union_threaded(np.asarray(squares)))


def isochrones(
    townships: gpd.GeoDataFrame,
    stations: Stations,
    minutes: Sequence[float],
    road: RoadTravel,
    grid_m: float = settings.DEFAULT_GRID_KM * 1000.0,
    crs: str | None = None,
    region: shapely.Geometry | None = None,
) -> gpd.GeoDataFrame:
    """The area within each of ``minutes`` road minutes of any station (the isochrones), in WGS 84.

    The same rule as :func:`road_gap_analysis`: every cell of a ``grid_m`` grid in the townships gets the
    road minutes from its centre to the nearest station (walk, drive, walk:
    :meth:`RoadTravel.minutes_to_nearest`, searched once up to the largest of ``minutes``); the isochrone of
    T minutes is the union of the squares of the cells within T, cut to the townships.  So it is the
    complement of the road gap polygons, and its area grows with T.

    Returns one row per value of ``minutes`` (in the order given): ``minutes``, ``area_km2`` (measured in
    ``crs``, metres) and the (multi)polygon.
    """
    times = [float(m) for m in minutes]
    for m in times:
        RADIUS_MIN(m)
    GRID_KM(float(grid_m) / 1000.0)
    crs = crs or projected_crs_for(townships)
    towns = townships.to_crs(crs).reset_index(drop=True)
    region = shapely.union_all(np.asarray(towns.geometry.values)) if region is None else region
    xy = station_points(stations, crs)
    cells = grid_demand(towns, grid_m)
    cell_min = (
        road.minutes_to_nearest(np.column_stack([cells.x, cells.y]), xy, crs, max_min=max(times))[0]
        if times
        else np.empty(0)
    )
    squares = cell_squares(cells.x, cells.y, grid_m)
    reach = [reach_polygons(region, squares[cell_min <= m]) for m in times]
    frame = gpd.GeoDataFrame({"minutes": times, "area_km2": shapely.area(reach) / 1e6}, geometry=reach, crs=crs)
    return frame.to_crs(settings.WORK_CRS)


def _roll_up(table: pd.DataFrame) -> pd.DataFrame:
    sums = ["area_km2", "area_within_km2", "demand", "demand_within", "villages", "villages_within"]
    frames = []
    for level, key in (
        ("province", units_of(table["code"], "province")),
        ("city", table["city_code"]),
        ("county", table["county_code"]),
        ("township", table["code"]),
    ):
        g = table.groupby(key)[sums].sum()
        g = g.assign(level=level, code=g.index.astype(str)).reset_index(drop=True)
        if level == "township":
            g["farthest_m"] = table["farthest_m"].to_numpy()
        else:
            g["farthest_m"] = table.groupby(key)["farthest_m"].max().to_numpy()
        frames.append(g)
    out = pd.concat(frames, ignore_index=True)

    def share(a: str, b: str) -> np.ndarray:
        return np.where(out[b] > 0, out[a] / out[b].where(out[b] > 0, 1.0), np.nan)

    out["area_share_within"] = share("area_within_km2", "area_km2")
    out["demand_share_within"] = share("demand_within", "demand")
    out["village_share_within"] = share("villages_within", "villages")
    return out[
        ["level", "code", *sums, "area_share_within", "demand_share_within", "village_share_within", "farthest_m"]
    ]
