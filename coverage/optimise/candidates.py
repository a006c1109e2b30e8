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
  through :meth:`SitingProblem.from_cost_matrix` instead;
* **coverage by road** (MCLP/LSCP, issue 18): with a :class:`~coverage.analysis.roads.RoadTravel`
  and a radius in minutes, a demand point is within when walk + drive + walk to the candidate
  (or to an open station) is at most the minutes (:meth:`RoadTravel.within_minutes`); points
  off the network are counted in ``off_network``, never dropped.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
import shapely
from scipy.spatial import cKDTree

from coverage import settings
from coverage._errors import InputError
from coverage.analysis.admin import covered_codes
from coverage.analysis.demand import Demand, need_demand, township_point_demand
from coverage.analysis.need import NEED_UNITS, NeedMeasure, township_need
from coverage.analysis.travel import StraightLine
from coverage.coords import projected_crs_for
from coverage.optimise.capacity import CapacityProblem, Menu, SiteOptions, menu_options, mixed_options, station_capacity
from coverage.optimise.siting import SitingProblem, SitingResult, solve_model

if TYPE_CHECKING:
    from coverage.analysis.roads import RoadTravel

#: How :func:`covering_inputs` names the straight-line model of a radius given in metres.
LINE_RADIUS = StraightLine.name
#: The siting models done by road (:func:`province_inputs`): coverage within road minutes (MCLP, LSCP) and
#: road minutes between township points and candidates (p-median, p-center).
ROAD_SITING_MODELS = ("mclp", "lscp", "pmedian", "pcenter")
#: The siting models that weigh a cost (metres, or road minutes) rather than a service radius.
COST_MODELS = settings.SITING_COST_MODELS
#: How :func:`cost_inputs` names the straight-line costs.
LINE_METRES = "straight line (metres)"


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
    towns_m: gpd.GeoDataFrame,
    demand: str = "villages",
    grid_m: float = settings.DEFAULT_GRID_KM * 1000.0,
    need: NeedMeasure | None = None,
    points: str = "grid",
) -> Demand:
    """Demand for siting: ``need`` (a need table's measure), else the proxy ``demand`` (villages +
    communities, or area), on grid cells spread evenly over each township or on its villages."""
    if need is None:
        if demand not in settings.NEED_PROXIES:
            msg = f"demand must be 'villages' or 'area', not {demand!r}"
            raise InputError(msg)
        need = township_need(towns_m, proxy=demand)
    return need_demand(towns_m, need, points, grid_m)


@dataclass
class SitingInputs:
    """A siting problem with the layers it came from (for maps and reports)."""

    problem: SitingProblem
    candidates: gpd.GeoDataFrame
    demand: Demand
    crs: str
    radius_m: float | None
    #: the travel model that decided "within" (its ``describe()``)
    travel: str = LINE_RADIUS
    #: by road: the radius in road minutes (``radius_m`` is then None)
    radius_min: float | None = None
    #: by road: demand points, candidate sites and stations off the network, count per kind
    off_network: list[dict] = field(default_factory=list)


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
    radius_m: float | None,
    candidates: gpd.GeoDataFrame | None = None,
    demand: str | Demand = "villages",
    grid_m: float = settings.DEFAULT_GRID_KM * 1000.0,
    need: NeedMeasure | None = None,
    points: str = "grid",
    road: RoadTravel | None = None,
    radius_min: float | None = None,
    travel: str = LINE_RADIUS,
) -> SitingInputs:
    """An MCLP/LSCP problem: which demand points each candidate brings within the radius.

    The radius is ``radius_m`` straight-line metres, or with ``road`` ``radius_min`` road
    minutes (:meth:`RoadTravel.within_minutes`; the problem's radius is then in minutes).
    ``demand``: a proxy name or the demand points themselves; ``need``/``points``: a need measure
    and where it sits (:func:`siting_demand`); ``travel``: the name of the straight-line model
    the metres came from (e.g. minutes turned into metres at a speed).
    """
    crs = projected_crs_for(townships)
    towns_m = townships.to_crs(crs)
    cands = candidates if candidates is not None else township_candidates(townships, open_stations)
    d = demand if isinstance(demand, Demand) else siting_demand(towns_m, demand, grid_m, need, points)
    pts = np.column_stack([d.x, d.y])
    cand_xy = _xy(cands, crs)
    existing_xy = _xy(_stations_gdf(open_stations), crs)
    off: list[dict] = []
    if road is not None:
        if radius_min is None:
            msg = "coverage by road needs a radius in minutes (radius_min, --radius-min)"
            raise InputError(msg)
        radius = float(radius_min)
        coverage = road.within_minutes(pts, cand_xy, radius, crs)
        served = np.asarray(road.within_minutes(pts, existing_xy, radius, crs).sum(axis=1)).ravel() > 0
        off = road.off_network_counts({"demand points": pts, "candidate sites": cand_xy, "stations": existing_xy}, crs)
        travel = road.describe()
    else:
        if radius_m is None:
            msg = "a straight-line coverage needs a radius in metres (radius_m, --radius-km)"
            raise InputError(msg)
        radius = float(radius_m)
        coverage = _within(pts, cand_xy, radius)
        served = np.zeros(len(pts), bool)
        if len(existing_xy):
            dist, _ = cKDTree(existing_xy).query(pts, distance_upper_bound=radius * (1 + 1e-12), workers=-1)
            served = np.isfinite(dist)
    problem = SitingProblem.from_coverage(
        coverage,
        d.weight,
        radius,
        candidate_ids=cands["code"].astype(str).to_numpy(),
        covered_by_existing=served,
        groups=cands["county_code"].astype(str).to_numpy(),
        exclusive=cands["township_code"].astype(str).to_numpy() if candidates is not None else None,
    )
    if road is not None:
        return SitingInputs(problem, cands, d, crs, None, travel, radius, off)
    return SitingInputs(problem, cands, d, crs, radius, travel)


def cost_inputs(
    townships: gpd.GeoDataFrame,
    open_stations: pd.DataFrame | None,
    candidates: gpd.GeoDataFrame | None = None,
    road: RoadTravel | None = None,
) -> SitingInputs:
    """A p-median/p-center problem: township points (weighted by villages) x candidates.

    The costs are straight-line metres, or with ``road`` road minutes
    (:meth:`RoadTravel.minutes_between`: walk, the fastest drive, walk; a township point and its own
    candidate 0).  The demand is the township points, not the 1-km grid: 1,284 x ~880 pairs on
    Guangxi, one search from each on the reduced network.  By road, township points, candidate
    sites and stations off the network are counted (township points named by code), never dropped.
    """
    crs = projected_crs_for(townships)
    towns_m = townships.to_crs(crs)
    cands = candidates if candidates is not None else township_candidates(townships, open_stations)
    d = township_point_demand(towns_m)
    pts = np.column_stack([d.x, d.y])
    cand_xy = _xy(cands, crs)
    existing_xy = _xy(_stations_gdf(open_stations), crs)
    off: list[dict] = []
    if road is not None:
        both = road.minutes_between(pts, np.vstack([cand_xy, existing_xy]), crs)
        cost, to_existing = both[:, : len(cand_xy)], both[:, len(cand_xy) :]
        existing = to_existing.min(axis=1) if len(existing_xy) else np.full(len(pts), np.inf)
        off = road.off_network_counts(
            {"township points": pts, "candidate sites": cand_xy, "stations": existing_xy},
            crs,
            codes={"township points": towns_m["code"].astype(str).to_numpy()},
        )
    else:
        cost = np.hypot(pts[:, None, 0] - cand_xy[None, :, 0], pts[:, None, 1] - cand_xy[None, :, 1])
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
    travel = road.describe() if road is not None else LINE_METRES
    return SitingInputs(problem, cands, d, crs, None, travel, None, off)


def province_inputs(
    model: str,
    townships: gpd.GeoDataFrame,
    open_stations: pd.DataFrame | None,
    radius_m: float | None,
    candidates: gpd.GeoDataFrame | None = None,
    demand: str = "villages",
    grid_m: float = settings.DEFAULT_GRID_KM * 1000.0,
    need: NeedMeasure | None = None,
    points: str = "grid",
    road: RoadTravel | None = None,
    radius_min: float | None = None,
    travel: str = LINE_RADIUS,
) -> SitingInputs:
    """The siting inputs of ``model`` on a province's layers: coverage for MCLP/LSCP (by road when
    ``road`` is given, see :func:`covering_inputs`), costs for p-median/p-center (road minutes when ``road``
    is given, see :func:`cost_inputs`; no radius)."""
    if model in ("mclp", "lscp"):
        return covering_inputs(
            townships, open_stations, radius_m, candidates, demand=demand, grid_m=grid_m, need=need, points=points,
            road=road, radius_min=radius_min, travel=travel,
        )  # fmt: skip
    if need is not None or points != "grid":
        msg = f"{model} weighs township points by their villages and communities; a need table and demand points go with mclp and lscp"
        raise InputError(msg)
    return cost_inputs(townships, open_stations, candidates=candidates, road=road)


def province_problem(
    model: str,
    townships: gpd.GeoDataFrame,
    open_stations: pd.DataFrame | None,
    radius_m: float,
    candidates: gpd.GeoDataFrame | None = None,
    demand: str = "villages",
    grid_m: float = settings.DEFAULT_GRID_KM * 1000.0,
    need: NeedMeasure | None = None,
    points: str = "grid",
) -> SitingProblem:
    """The siting problem of ``model`` on a province's layers, straight line (:func:`province_inputs`)."""
    return province_inputs(
        model, townships, open_stations, radius_m, candidates, demand=demand, grid_m=grid_m, need=need, points=points
    ).problem


def site_province(
    model: str,
    townships: gpd.GeoDataFrame,
    open_stations: pd.DataFrame | None,
    reach: dict[str, Any],
    *,
    p: int | None = None,
    share: float = 1.0,
    county_min: int = 0,
    county_max: int | None = None,
    method: str = "auto",
    time_limit: float = settings.SITING_TIME_LIMIT_S,
    candidates: gpd.GeoDataFrame | None = None,
    demand: str = "villages",
    grid_m: float = settings.DEFAULT_GRID_KM * 1000.0,
    need: NeedMeasure | None = None,
    points: str = "grid",
) -> tuple[SitingInputs, SitingResult]:
    """Site ``model`` on a province's layers within ``reach`` (:func:`coverage.analysis.travel.service_reach`):
    the inputs (:func:`province_inputs`, by road when ``reach["road"]`` is set) and the solved result
    (:func:`~coverage.optimise.siting.solve_model`, its radius in road minutes by road, else metres).
    The one path of ``site`` (without capacity) and of the app's Plan page."""
    road = reach["road"]
    inputs = province_inputs(
        model, townships, open_stations, reach["radius_m"], candidates, demand=demand, grid_m=grid_m, need=need,
        points=points, road=road, radius_min=reach["radius_min"], travel=reach["travel"],
    )  # fmt: skip
    radius = reach["radius_min"] if road is not None else reach["radius_m"]
    result = solve_model(
        model, inputs.problem, radius=radius, p=p, share=share, county_min=county_min, county_max=county_max,
        method=method, time_limit=time_limit,
    )  # fmt: skip
    return inputs, result


def demand_labels(
    model: str,
    need: NeedMeasure | None = None,
    demand: str = "villages",
    points: str = "grid",
    grid_m: float = settings.DEFAULT_GRID_KM * 1000.0,
) -> dict[str, str]:
    """What a siting model's demand counts (``need``: a table, or a proxy named as one) and where it
    sits (``demand_points``), in the words of :class:`~coverage.analysis.need.NeedMeasure` and
    :class:`~coverage.analysis.demand.Demand`."""
    if model in COST_MODELS:
        return {"need": "proxy: villages and communities", "demand_points": "township points"}
    label = need.label if need is not None else f"proxy: {NEED_UNITS[demand]}"
    where = f"grid cells ({grid_m / 1000.0:g} km)" if points == "grid" else "villages (approximate positions)"
    return {"need": label, "demand_points": where}


# --------------------------------------------------------------------------- capacity (issue 15)
@dataclass
class CapacityInputs:
    """A capacitated siting problem with its layers, the need it counts and the caseload used."""

    problem: CapacityProblem
    inputs: SitingInputs
    need: NeedMeasure
    caseload: float
    stations: pd.DataFrame
    notes: list[str]


def _within(points: np.ndarray, sites: np.ndarray, radius_m: float) -> sp.csr_matrix:
    """(points x sites) boolean matrix: site within ``radius_m`` of the point."""
    if len(sites) == 0 or len(points) == 0:
        return sp.csr_matrix((len(points), len(sites)), dtype=bool)
    neighbours = cKDTree(points).query_ball_point(sites, r=radius_m, workers=-1)
    rows = np.concatenate([np.asarray(idx, dtype=np.int64) for idx in neighbours])
    cols = np.repeat(np.arange(len(sites)), [len(idx) for idx in neighbours])
    return sp.csr_matrix((np.ones(len(rows), dtype=bool), (rows, cols)), shape=(len(points), len(sites)))


def capacity_inputs(
    townships: gpd.GeoDataFrame,
    open_stations: pd.DataFrame | None,
    radius_m: float,
    need: NeedMeasure | None = None,
    demand: str = "villages",
    points: str = "grid",
    grid_m: float = settings.DEFAULT_GRID_KM * 1000.0,
    candidates: gpd.GeoDataFrame | None = None,
    menu: Menu | None = None,
    caseload: float | None = None,
    fixed: dict[str, float] | None = None,
    station_workers: int = settings.STATION_WORKERS,
    station_overrides: dict[str, float] | None = None,
) -> CapacityInputs:
    """A capacitated MCLP on a province's layers: demand points, candidates with the ``menu``'s sizes
    (or a ``fixed`` capacity per candidate id), existing stations with their capacity.

    ``need``: a need measure (default: the ``demand`` proxy); ``caseload``: demand units one worker
    serves (default :data:`settings.CASELOAD_PER_WORKER` for the need's unit); ``fixed``: candidate
    id (township code) -> capacity; ``station_overrides``: station id or township code -> capacity
    of an existing station (else its ``capacity``/``workers`` column, else ``station_workers``).
    """
    crs = projected_crs_for(townships)
    towns_m = townships.to_crs(crs)
    need = need if need is not None else township_need(towns_m, proxy=demand)
    caseload = float(caseload if caseload is not None else settings.CASELOAD_PER_WORKER[need.caseload_key])
    menu = menu or Menu.default()
    d = siting_demand(towns_m, grid_m=grid_m, need=need, points=points)
    inputs = covering_inputs(townships, open_stations, radius_m, candidates=candidates, demand=d, grid_m=grid_m)
    ids = inputs.problem.candidate_ids
    notes = []
    fixed = fixed or {}
    position = {c: j for j, c in enumerate(ids)}
    unknown = [c for c in fixed if c not in position]
    stations = _stations_gdf(open_stations)
    station_keys = set()
    if stations is not None:
        for key in ("station_id", "township_code"):
            if key in stations:
                station_keys |= set(stations[key].astype(str))
    overrides = {**(station_overrides or {}), **{c: v for c, v in fixed.items() if c in station_keys}}
    unknown = [c for c in unknown if c not in station_keys]
    if unknown:
        msg = (
            f"{len(unknown)} capacity ids are neither candidate sites nor open stations (e.g. {', '.join(unknown[:3])}); "
            "use the candidates' township codes or the stations' ids"
        )
        raise InputError(msg)
    in_fixed = {position[c]: float(v) for c, v in fixed.items() if c in position}
    options: SiteOptions = (
        mixed_options(len(ids), menu, caseload, in_fixed) if in_fixed else menu_options(len(ids), menu, caseload)
    )
    if in_fixed and len(in_fixed) < len(ids):
        notes.append(f"{len(ids) - len(in_fixed)} candidate sites without a given capacity choose a size of the menu")
    pts = np.column_stack([d.x, d.y])
    existing_xy = _xy(stations, crs)
    if stations is not None and len(stations):
        ecap, defaulted = station_capacity(stations, caseload, station_workers, overrides)
        if defaulted:
            notes.append(f"{defaulted} stations have no recorded workers: {station_workers} each assumed")
        eids = (stations["station_id"] if "station_id" in stations else stations["township_code"]).astype(str)
    else:
        ecap, eids = np.zeros(0), pd.Series([], dtype=str)
    problem = CapacityProblem.from_siting(
        inputs.problem,
        radius_m,
        options,
        existing_cover=_within(pts, existing_xy, radius_m),
        existing_capacity=ecap,
        existing_ids=eids.to_numpy(),
        demand_xy=pts,
        site_xy=np.vstack([_xy(inputs.candidates, crs), existing_xy])
        if len(existing_xy)
        else _xy(inputs.candidates, crs),
    )
    frame = stations if stations is not None else pd.DataFrame()
    return CapacityInputs(problem, inputs, need, caseload, frame, notes)


def with_positions(ci: CapacityInputs, loads: pd.DataFrame) -> pd.DataFrame:
    """Site loads (:func:`coverage.optimise.capacity.site_loads`) with each station's ``name``, ``lon``
    and ``lat`` (new ones at their candidate's point, existing ones where the list puts them)."""
    cands = ci.inputs.candidates
    where = pd.DataFrame(
        {
            "id": cands["code"].astype(str).to_numpy(),
            "name": cands["name"].astype(str).to_numpy(),
            "lon": cands.geometry.x.to_numpy(),
            "lat": cands.geometry.y.to_numpy(),
        }
    )
    stations = ci.stations
    if len(stations):
        key = stations["station_id"] if "station_id" in stations else stations["township_code"]
        where = pd.concat(
            [
                where,
                pd.DataFrame(
                    {
                        "id": key.astype(str).to_numpy(),
                        "name": stations["name"].astype(str).to_numpy() if "name" in stations else key.astype(str),
                        "lon": stations["lon"].to_numpy(dtype=float),
                        "lat": stations["lat"].to_numpy(dtype=float),
                    }
                ),
            ],
            ignore_index=True,
        ).drop_duplicates("id")
    return loads.merge(where, on="id", how="left")
