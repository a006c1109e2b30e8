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

from collections.abc import Callable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from . import settings
from .coords import projected_crs_for
from .demand import Demand, grid_demand, township_point_demand
from .travel import StraightLine


@dataclass
class GapResult:
    """What lies beyond ``radius_m`` of every station.

    ``townships``: per township ``code``, ``name``, ``county_code``,
    ``city_code``, ``area_km2``, ``area_within_km2``, ``share_beyond`` (of its
    area), ``farthest_m``, ``demand``, ``demand_within``, ``villages`` and
    ``villages_within`` (its villages/communities, all within or not by its
    representative point).  ``units``: the same sums and shares per county,
    city and province.  ``gaps``: dissolved gap polygons (WGS 84) with
    ``area_km2`` and ``demand``.  ``demand``: the demand points with
    ``distance_m`` to the nearest station and ``within``.
    """

    radius_m: float
    crs: str
    townships: pd.DataFrame
    units: pd.DataFrame
    gaps: gpd.GeoDataFrame
    demand: pd.DataFrame
    minutes: float | None = None

    @property
    def summary(self) -> dict:
        row = self.units[self.units["level"] == "province"]
        total = self.units.iloc[0] if row.empty else row.iloc[0]
        return {
            "radius_km": self.radius_m / 1000.0,
            "area_share_within": float(total["area_share_within"]),
            "demand_share_within": float(total["demand_share_within"]),
            "village_share_within": float(total["village_share_within"]),
            "gap_area_km2": float(self.gaps["area_km2"].sum()) if len(self.gaps) else 0.0,
        }

    def to_json(self) -> dict:
        """The document ``python -m coverage gaps --json`` prints."""
        doc = {k: round(v, 6) for k, v in self.summary.items()}
        if self.minutes is not None:
            doc["radius_min"] = self.minutes
        doc["crs"] = self.crs
        doc["townships"] = [
            {
                "code": r.code,
                "name": r.name,
                "share_beyond": round(float(r.share_beyond), 6),
                "farthest_km": None if not np.isfinite(r.farthest_m) else round(float(r.farthest_m) / 1000.0, 3),
            }
            for r in self.townships.itertuples(index=False)
        ]
        return doc


def _station_xy(stations, crs: str) -> np.ndarray:
    if stations is None:
        return np.empty((0, 2))
    if isinstance(stations, (gpd.GeoDataFrame, gpd.GeoSeries)):
        if stations.crs is None:
            msg = "the stations have no coordinate system; declare it (they are normally WGS 84)"
            from ._errors import CRSError

            raise CRSError(msg)
        pts = stations.geometry if isinstance(stations, gpd.GeoDataFrame) else stations
        pts = pts[~pts.is_empty & pts.notna()].to_crs(crs)
        xy = shapely.get_coordinates(pts.values)
    else:
        xy = np.asarray(stations, dtype=float).reshape(-1, 2)  # already projected metres
    xy = xy[np.isfinite(xy).all(axis=1)]
    return np.unique(xy, axis=0) if len(xy) else xy


def _area_within(towns: np.ndarray, discs: np.ndarray) -> np.ndarray:
    """Area (m²) of each township inside the union of the discs that touch it."""
    out = np.zeros(len(towns))
    if len(discs) == 0:
        return out
    t_idx, d_idx = shapely.STRtree(discs).query(towns, predicate="intersects")
    if len(t_idx) == 0:
        return out
    order = np.argsort(t_idx, kind="stable")
    t_idx, d_idx = t_idx[order], d_idx[order]
    splits = np.flatnonzero(np.diff(t_idx)) + 1
    for group_t, group_d in zip(np.split(t_idx, splits), np.split(d_idx, splits)):
        t = group_t[0]
        local = discs[group_d[0]] if len(group_d) == 1 else shapely.union_all(discs[group_d])
        out[t] = shapely.area(shapely.intersection(towns[t], local))
    return out


def farthest_from_stations(towns: np.ndarray, station_xy: np.ndarray) -> np.ndarray:
    """Exact largest straight-line distance (m) from any point of each township to its nearest station."""
    n = len(towns)
    if len(station_xy) == 0:
        return np.full(n, np.inf)
    if len(station_xy) == 1:
        coords, index = shapely.get_coordinates(towns, return_index=True)
        d = np.hypot(coords[:, 0] - station_xy[0, 0], coords[:, 1] - station_xy[0, 1])
        return pd.Series(d).groupby(index).max().reindex(range(n)).to_numpy()
    xmin, ymin, xmax, ymax = shapely.total_bounds(towns)
    sx, sy = station_xy[:, 0], station_xy[:, 1]
    pad = max(xmax - xmin, ymax - ymin, sx.max() - sx.min(), sy.max() - sy.min()) + 1.0
    frame = shapely.box(min(xmin, sx.min()) - pad, min(ymin, sy.min()) - pad, max(xmax, sx.max()) + pad, max(ymax, sy.max()) + pad)
    cells = np.asarray(shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(station_xy), extend_to=frame, ordered=True)))
    t_idx, c_idx = shapely.STRtree(cells).query(towns, predicate="intersects")
    pieces = shapely.intersection(towns[t_idx], cells[c_idx])
    coords, piece = shapely.get_coordinates(pieces, return_index=True)
    station = c_idx[piece]
    d = np.hypot(coords[:, 0] - sx[station], coords[:, 1] - sy[station])
    return pd.Series(d).groupby(t_idx[piece]).max().reindex(range(n)).to_numpy()


def points_in_polygons(polygons: np.ndarray, x: np.ndarray, y: np.ndarray, subset: np.ndarray | None = None) -> np.ndarray:
    """Index of the polygon containing each point (-1 if none); polygons must not overlap.

    Bounding boxes first (STRtree), then prepared point-in-polygon tests on the
    candidate pairs only: fast even for a few huge polygons with many holes.
    """
    out = np.full(len(x), -1)
    candidates = np.arange(len(x)) if subset is None else np.flatnonzero(subset)
    if len(candidates) == 0 or len(polygons) == 0:
        return out
    shapely.prepare(polygons)
    pts, polys = shapely.STRtree(polygons).query(shapely.points(x[candidates], y[candidates]))
    inside = shapely.contains_xy(polygons[polys], x[candidates[pts]], y[candidates[pts]])
    out[candidates[pts[inside]]] = polys[inside]
    return out


def gap_analysis(
    townships: gpd.GeoDataFrame,
    stations,
    radius_m: float = settings.DEFAULT_RADIUS_KM * 1000.0,
    grid_m: float = settings.DEFAULT_GRID_KM * 1000.0,
    demand: Demand | None = None,
    travel: StraightLine | None = None,
    quad_segs: int = settings.DISC_QUAD_SEGS,
    crs: str | None = None,
    progress: Callable[[int, int], None] | None = None,
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
    """
    steps = 6
    tick = progress or (lambda done, total: None)
    crs = crs or projected_crs_for(townships)
    towns = townships.to_crs(crs).reset_index(drop=True)
    geoms = towns.geometry.values
    xy = _station_xy(stations, crs)
    travel = travel or StraightLine()
    tick(1, steps)

    discs = shapely.buffer(shapely.points(xy), radius_m, quad_segs=quad_segs) if len(xy) else np.empty(0, dtype=object)
    area = shapely.area(geoms)
    within_area = _area_within(geoms, discs)
    tick(2, steps)
    farthest = farthest_from_stations(geoms, xy)
    tick(3, steps)

    if demand is None:
        demand = grid_demand(towns, grid_m)
    dist, _ = travel.nearest(np.column_stack([demand.x, demand.y]), xy)
    demand_frame = pd.DataFrame(
        {"x": demand.x, "y": demand.y, "weight": demand.weight, "township": demand.township, "distance_m": dist}
    )
    demand_frame["within"] = demand_frame["distance_m"] <= radius_m
    per_town = demand_frame.assign(w_in=demand_frame["weight"] * demand_frame["within"]).groupby("township")[["weight", "w_in"]].sum()
    villages = township_point_demand(towns)
    v_dist, _ = travel.nearest(np.column_stack([villages.x, villages.y]), xy)
    tick(4, steps)

    table = pd.DataFrame(
        {
            "code": towns["code"].astype(str),
            "name": towns["name"] if "name" in towns else "",
            "county_code": towns["county_code"].astype(str) if "county_code" in towns else towns["code"].astype(str).str[:6],
            "city_code": towns["city_code"].astype(str) if "city_code" in towns else towns["code"].astype(str).str[:4],
            "area_km2": area / 1e6,
            "area_within_km2": within_area / 1e6,
            "farthest_m": farthest,
            "demand": per_town["weight"].reindex(range(len(towns)), fill_value=0.0).to_numpy(),
            "demand_within": per_town["w_in"].reindex(range(len(towns)), fill_value=0.0).to_numpy(),
            "villages": villages.weight,
            "villages_within": np.where(v_dist <= radius_m, villages.weight, 0.0),
            "point_distance_m": v_dist,
        }
    )
    table["share_beyond"] = np.where(area > 0, 1.0 - within_area / np.where(area > 0, area, 1.0), 0.0).clip(0.0, 1.0)
    units = _roll_up(table)
    tick(5, steps)

    region = shapely.union_all(geoms)
    covered = shapely.union_all(discs) if len(discs) else shapely.Polygon()
    parts = shapely.get_parts(shapely.difference(region, covered))
    parts = parts[shapely.area(parts) > 1.0]  # drop slivers below 1 m² from floating point
    gaps = gpd.GeoDataFrame({"area_km2": shapely.area(parts) / 1e6}, geometry=list(parts), crs=crs)
    if len(gaps):
        gap_of = points_in_polygons(parts, demand.x, demand.y, subset=~demand_frame["within"].to_numpy())
        hit = gap_of >= 0
        gap_demand = pd.Series(demand.weight[hit]).groupby(gap_of[hit]).sum()
        gaps["demand"] = gap_demand.reindex(range(len(gaps)), fill_value=0.0).to_numpy()
    else:
        gaps["demand"] = []
    gaps = gaps.sort_values("area_km2", ascending=False).reset_index(drop=True)
    gaps.insert(0, "gap_id", range(1, len(gaps) + 1))
    tick(6, steps)
    return GapResult(
        radius_m=float(radius_m),
        crs=crs,
        townships=table,
        units=units,
        gaps=gaps.to_crs(settings.WORK_CRS),
        demand=demand_frame,
    )


def _roll_up(table: pd.DataFrame) -> pd.DataFrame:
    sums = ["area_km2", "area_within_km2", "demand", "demand_within", "villages", "villages_within"]
    frames = []
    for level, key in (
        ("province", table["code"].str[:2]),
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

    def share(a, b):
        return np.where(out[b] > 0, out[a] / out[b].where(out[b] > 0, 1.0), np.nan)

    out["area_share_within"] = share("area_within_km2", "area_km2")
    out["demand_share_within"] = share("demand_within", "demand")
    out["village_share_within"] = share("villages_within", "villages")
    return out[["level", "code", *sums, "area_share_within", "demand_share_within", "village_share_within", "farthest_m"]]
