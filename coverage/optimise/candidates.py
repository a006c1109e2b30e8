"""Siting problems from layers: demand, candidate sites and existing stations, in metres.

This is the geometry side of :mod:`coverage.siting` (whose solvers see only
weights and costs).  Defaults follow the planner's question:

* **candidates**: the representative points of the counted townships without an
  open station (one candidate per township, so at most one new station each);
  user sites may be given instead, tagged with their township (at most one new
  station per township still holds);
* **demand**: the 1-km grid of :mod:`coverage.demand`, each township's villages
  and communities spread evenly over its cells (``demand="villages"``), or the
  cells' area (``demand="area"``);
* **costs**: straight-line metres in the province's Gauss-Krüger zone (or minutes
  through :class:`~coverage.travel.StraightLine`); a road-network matrix enters
  through :meth:`SitingProblem.from_cost_matrix` instead.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
import shapely
from scipy.spatial import cKDTree

from coverage import settings
from coverage._errors import InputError
from coverage.analysis.admin import covered_codes
from coverage.analysis.demand import Demand, grid_demand, township_point_demand
from coverage.coords import projected_crs_for
from coverage.optimise.siting import SitingProblem


def township_candidates(
    townships: gpd.GeoDataFrame, stations: pd.DataFrame | None, as_of: dt.date | str | None = None
) -> gpd.GeoDataFrame:
    """Counted townships without an open station on ``as_of``, as points (their representative points)."""
    covered = covered_codes(stations, as_of) if stations is not None else set()
    free = townships[townships["counted"].astype(bool) & ~townships["code"].astype(str).isin(covered)]
    out = gpd.GeoDataFrame(
        free[["code", "name", "county_code", "city_code"]].reset_index(drop=True),
        geometry=gpd.points_from_xy(free["lon"], free["lat"]),
        crs=settings.WORK_CRS,
    )
    out["township_code"] = out["code"]
    return out


def siting_demand(
    towns_m: gpd.GeoDataFrame, demand: str = "villages", grid_m: float = settings.DEFAULT_GRID_KM * 1000.0
) -> Demand:
    """Grid demand weighted by villages+communities spread over each township's cells, or by area."""
    if demand == "area":
        return grid_demand(towns_m, grid_m)
    if demand == "villages":
        weights = pd.Series(
            (towns_m["n_villages"].fillna(0) + towns_m["n_communities"].fillna(0)).clip(lower=1).to_numpy(dtype=float),
            index=towns_m["code"].astype(str).to_numpy(),
        )
        return grid_demand(towns_m, grid_m, weights=weights)
    msg = f"demand must be 'villages' or 'area', not {demand!r}"
    raise InputError(msg)


@dataclass
class SitingInputs:
    """A siting problem with the layers it came from (for maps and reports)."""

    problem: SitingProblem
    candidates: gpd.GeoDataFrame
    demand: Demand
    crs: str
    radius_m: float | None


def _xy(gdf: gpd.GeoDataFrame | None, crs: str) -> np.ndarray:
    if gdf is None or len(gdf) == 0:
        return np.empty((0, 2))
    return shapely.get_coordinates(gdf.to_crs(crs).geometry.values)


def _stations_gdf(stations: pd.DataFrame | None) -> gpd.GeoDataFrame | None:
    if stations is None or len(stations) == 0:
        return None
    if isinstance(stations, gpd.GeoDataFrame):
        return stations
    return gpd.GeoDataFrame(
        stations, geometry=gpd.points_from_xy(stations["lon"], stations["lat"]), crs=settings.WORK_CRS
    )


def covering_inputs(
    townships: gpd.GeoDataFrame,
    open_stations: pd.DataFrame | None,
    radius_m: float,
    candidates: gpd.GeoDataFrame | None = None,
    demand: str | Demand = "villages",
    grid_m: float = settings.DEFAULT_GRID_KM * 1000.0,
) -> SitingInputs:
    """An MCLP/LSCP problem: which demand cells each candidate brings within ``radius_m``."""
    crs = projected_crs_for(townships)
    towns_m = townships.to_crs(crs)
    cands = candidates if candidates is not None else township_candidates(townships, open_stations)
    d = demand if isinstance(demand, Demand) else siting_demand(towns_m, demand, grid_m)
    pts = np.column_stack([d.x, d.y])
    cand_xy = _xy(cands, crs)
    rows, cols = [], []
    if len(cand_xy):
        neighbours = cKDTree(pts).query_ball_point(cand_xy, r=radius_m, workers=-1)
        for j, idx in enumerate(neighbours):
            rows.append(np.asarray(idx, dtype=np.int64))
            cols.append(np.full(len(idx), j, dtype=np.int64))
    r_ = np.concatenate(rows) if rows else np.empty(0, dtype=np.int64)
    c_ = np.concatenate(cols) if cols else np.empty(0, dtype=np.int64)
    coverage = sp.csr_matrix((np.ones(len(r_), dtype=bool), (r_, c_)), shape=(len(pts), len(cand_xy)))
    existing_xy = _xy(_stations_gdf(open_stations), crs)
    served = np.zeros(len(pts), bool)
    if len(existing_xy):
        dist, _ = cKDTree(existing_xy).query(pts, distance_upper_bound=radius_m * (1 + 1e-12), workers=-1)
        served = np.isfinite(dist)
    problem = SitingProblem.from_coverage(
        coverage,
        d.weight,
        radius_m,
        candidate_ids=cands["code"].astype(str).to_numpy(),
        covered_by_existing=served,
        groups=cands["county_code"].astype(str).to_numpy(),
        exclusive=cands["township_code"].astype(str).to_numpy() if candidates is not None else None,
    )
    return SitingInputs(problem, cands, d, crs, radius_m)


def cost_inputs(
    townships: gpd.GeoDataFrame,
    open_stations: pd.DataFrame | None,
    candidates: gpd.GeoDataFrame | None = None,
) -> SitingInputs:
    """A p-median/p-center problem: township points (weighted by villages) x candidates, straight-line metres."""
    crs = projected_crs_for(townships)
    towns_m = townships.to_crs(crs)
    cands = candidates if candidates is not None else township_candidates(townships, open_stations)
    d = township_point_demand(towns_m)
    pts = np.column_stack([d.x, d.y])
    cand_xy = _xy(cands, crs)
    cost = np.hypot(pts[:, None, 0] - cand_xy[None, :, 0], pts[:, None, 1] - cand_xy[None, :, 1])
    existing_xy = _xy(_stations_gdf(open_stations), crs)
    existing = cKDTree(existing_xy).query(pts, workers=-1)[0] if len(existing_xy) else np.full(len(pts), np.inf)
    problem = SitingProblem.from_cost_matrix(
        cost,
        d.weight,
        demand_ids=towns_m["code"].astype(str).to_numpy(),
        candidate_ids=cands["code"].astype(str).to_numpy(),
        existing_cost=existing,
        groups=cands["county_code"].astype(str).to_numpy(),
        exclusive=cands["township_code"].astype(str).to_numpy() if candidates is not None else None,
    )
    return SitingInputs(problem, cands, d, crs, None)


def province_problem(
    model: str,
    townships: gpd.GeoDataFrame,
    open_stations: pd.DataFrame | None,
    radius_m: float,
    candidates: gpd.GeoDataFrame | None = None,
    demand: str = "villages",
    grid_m: float = settings.DEFAULT_GRID_KM * 1000.0,
) -> SitingProblem:
    """The siting problem of ``model`` on a province's layers: coverage for MCLP/LSCP, costs otherwise."""
    if model in ("mclp", "lscp"):
        return covering_inputs(
            townships, open_stations, radius_m, candidates=candidates, demand=demand, grid_m=grid_m
        ).problem
    return cost_inputs(townships, open_stations, candidates=candidates).problem
