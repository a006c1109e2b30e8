"""Demand: weighted points in projected metres, each tied to the township it lies in.

* :func:`grid_demand` - centres of a regular grid (default 1 km) inside the
  townships, weighted by cell area (km²), or by a township column spread evenly
  over the township's cells (a township smaller than a cell keeps its weight at
  its representative point, so nothing is lost);
* :func:`township_point_demand` - one point per township weighted by its
  villages and communities;
* :func:`point_demand` - a user's point layer with a weight column;
* :func:`raster_demand` - a population raster (GeoTIFF ...), one point per pixel;
* :func:`village_demand` - each township's need split over its villages and communities,
  placed at approximate positions (the register counts them but does not locate them);
* :func:`need_demand` - a need measure (:class:`coverage.analysis.need.NeedMeasure`) on grid
  cells or on villages: the one entry the capacity models use.

The grid is anchored at multiples of the cell size, so the same cells come
out whatever subset of townships is passed.  A cell belongs to the township
containing its centre; the area it stands for is the full cell (error at
township edges below one cell).
"""

from __future__ import annotations

import hashlib
import io
import math
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from coverage import settings
from coverage._errors import CRSError, InputError
from coverage.checks import GRID_KM
from coverage.coords import to_crs

if TYPE_CHECKING:
    from coverage.analysis.need import NeedMeasure


@dataclass
class Demand:
    """Weighted demand points: ``x``, ``y`` (metres, projected), ``weight``, ``township`` (row index).

    ``kind`` says where the points sit (grid cells, villages ...), ``need`` what their weights
    count (a need table, or a proxy: :attr:`coverage.analysis.need.NeedMeasure.label`).
    """

    x: np.ndarray
    y: np.ndarray
    weight: np.ndarray
    township: np.ndarray
    kind: str = "grid"
    need: str = ""

    def __len__(self) -> int:
        return len(self.x)


def _require_projected(towns: gpd.GeoDataFrame) -> None:
    if towns.crs is None or towns.crs.is_geographic:
        msg = "demand is built in metres: project the townships first (coverage.coords.projected_crs_for)"
        raise CRSError(msg)


def check_grid_size(area_m2: float, cell_m: float, max_cells: int = settings.MAX_GRID_CELLS) -> int:
    """Estimated cells of a grid of ``cell_m`` over ``area_m2``; InputError if above ``max_cells``.

    The cell size itself must lie between :data:`settings.MIN_GRID_KM` and
    :data:`settings.MAX_GRID_KM` (see :data:`coverage.checks.GRID_KM`).

    >>> check_grid_size(237_000e6, 1000.0)   # Guangxi at 1 km
    237000
    """
    GRID_KM(float(cell_m) / 1000.0)
    cells = round(float(area_m2) / float(cell_m) ** 2)
    if cells > max_cells:
        finest_km = math.ceil(math.sqrt(float(area_m2) / max_cells) / 100.0) / 10.0
        msg = (
            f"a {cell_m / 1000.0:g}-km grid over {area_m2 / 1e6:,.0f} km² would have about {cells:,} cells, "
            f"more than {max_cells:,}; use cells of {finest_km:g} km or more, or a smaller area"
        )
        raise InputError(msg)
    return cells


def grid_cells(towns: gpd.GeoDataFrame, cell_m: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Centres (x, y) of the grid cells whose centre lies in a township, and that township's row."""
    _require_projected(towns)
    geoms = towns.geometry.values
    check_grid_size(float(shapely.area(geoms).sum()), cell_m)
    xs, ys, owner = [], [], []
    shapely.prepare(geoms)
    bounds = shapely.bounds(geoms)
    for i, (geom, (xmin, ymin, xmax, ymax)) in enumerate(zip(geoms, bounds, strict=True)):
        if geom is None or shapely.is_empty(geom):
            continue
        i0, i1 = np.floor(xmin / cell_m), np.ceil(xmax / cell_m)
        j0, j1 = np.floor(ymin / cell_m), np.ceil(ymax / cell_m)
        gx = (np.arange(i0, i1) + 0.5) * cell_m
        gy = (np.arange(j0, j1) + 0.5) * cell_m
        if len(gx) * len(gy) == 0:
            continue
        grid_x, grid_y = np.meshgrid(gx, gy)
        mx, my = grid_x.ravel(), grid_y.ravel()
        inside = shapely.contains_xy(geom, mx, my)
        xs.append(mx[inside])
        ys.append(my[inside])
        owner.append(np.full(int(inside.sum()), i))
    if not xs:
        return np.empty(0), np.empty(0), np.empty(0, dtype=int)
    return np.concatenate(xs), np.concatenate(ys), np.concatenate(owner)


def _township_points(towns: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """A point inside each township (its stored lon/lat when present), in the frame's CRS."""
    if "lon" in towns and "lat" in towns and towns[["lon", "lat"]].notna().all().all():
        pts = to_crs(gpd.GeoSeries(gpd.points_from_xy(towns["lon"], towns["lat"]), crs="EPSG:4326"), towns.crs)
        xy = shapely.get_coordinates(pts.values)
    else:
        xy = shapely.get_coordinates(shapely.point_on_surface(towns.geometry.values))
    return xy[:, 0], xy[:, 1]


def grid_demand(
    towns: gpd.GeoDataFrame, cell_m: float = settings.DEFAULT_GRID_KM * 1000.0, weights: pd.Series | None = None
) -> Demand:
    """Grid-cell demand; ``weights`` (indexed by township code) are spread over each township's cells.

    Without ``weights`` every cell weighs its area in km².
    """
    x, y, owner = grid_cells(towns, cell_m)
    if weights is None:
        return Demand(x, y, np.full(len(x), (cell_m / 1000.0) ** 2), owner, kind="grid")
    codes = towns["code"].astype(str).to_numpy()
    values = pd.Series(weights).reindex(codes).fillna(0.0).to_numpy(dtype=float)
    per_cell = np.bincount(owner, minlength=len(towns))
    w = values[owner] / np.maximum(per_cell[owner], 1)
    empty = np.flatnonzero((per_cell == 0) & (values > 0))
    if len(empty):  # townships smaller than a cell: their weight at their point
        px, py = _township_points(towns)
        x = np.concatenate([x, px[empty]])
        y = np.concatenate([y, py[empty]])
        w = np.concatenate([w, values[empty]])
        owner = np.concatenate([owner, empty])
    return Demand(x, y, w, owner, kind="grid (township weights)")


def _grid_key(source: Path, crs: str, cell_m: float) -> str:
    """What a kept grid depends on: the GeoPackage's bytes, the code that reads its townships and lays the
    grid (this module and :mod:`coverage.data.provinces`), the CRS and the cell size."""
    from coverage.data import provinces

    digest = hashlib.sha256()
    for path in (Path(source), Path(__file__), Path(provinces.__file__)):
        digest.update(path.read_bytes())
    digest.update(f"{crs}|{float(cell_m)!r}".encode())
    return digest.hexdigest()[:32]


def stored_grid_demand(source: Path, townships: gpd.GeoDataFrame, crs: str, cell_m: float) -> Demand:
    """:func:`grid_demand` of ``townships`` (read from the GeoPackage ``source``) in ``crs``, kept on disk.

    Laying a 1-km grid over a province takes a tenth of a second or more; the grid depends only on
    the file, the CRS and the cell size (:func:`_grid_key`), so it is kept
    (:func:`coverage.data.io.keep`) and read back by the next command in a few milliseconds.  A
    missing, unreadable or mismatched one is built again.
    """
    from coverage.data.io import keep, read_kept

    name = f"grid_{_grid_key(source, crs, cell_m)}.npz"
    weight = (cell_m / 1000.0) ** 2
    data = read_kept(name)
    if data is not None:
        try:
            with np.load(io.BytesIO(data)) as kept:
                x, y, owner = kept["x"], kept["y"], kept["township"]
            if len(x) == len(y) == len(owner) and (len(owner) == 0 or int(owner.max()) < len(townships)):
                return Demand(x, y, np.full(len(x), weight), owner, kind="grid")
        except (OSError, KeyError, ValueError, zipfile.BadZipFile):
            pass
    demand = grid_demand(to_crs(townships, crs), cell_m)
    buffer = io.BytesIO()
    np.savez(buffer, x=demand.x, y=demand.y, township=demand.township)
    keep(name, buffer.getvalue())
    return demand


def township_point_demand(towns: gpd.GeoDataFrame) -> Demand:
    """One point per township weighing its villages + communities (at least 1)."""
    _require_projected(towns)
    x, y = _township_points(towns)
    if "n_villages" in towns and "n_communities" in towns:
        w = (towns["n_villages"].fillna(0) + towns["n_communities"].fillna(0)).to_numpy(dtype=float)
        w = np.maximum(w, 1.0)
    else:
        w = np.ones(len(towns))
    return Demand(x, y, w, np.arange(len(towns)), kind="township points")


def points_in_polygons(
    polygons: np.ndarray, x: np.ndarray, y: np.ndarray, subset: np.ndarray | None = None
) -> np.ndarray:
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


def _assign(towns: gpd.GeoDataFrame, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Township row containing each point, -1 for points outside every township."""
    return points_in_polygons(towns.geometry.values, np.asarray(x, float), np.asarray(y, float))


def point_demand(
    towns: gpd.GeoDataFrame, points: gpd.GeoDataFrame, weight_col: str | None = None
) -> tuple[Demand, int]:
    """Demand from a point layer (any CRS) with an optional weight column; returns (demand, points dropped outside)."""
    _require_projected(towns)
    if points.crs is None:
        msg = "the demand points have no coordinate system; declare it (e.g. EPSG:4326)"
        raise CRSError(msg)
    if weight_col is not None and weight_col not in points:
        msg = f"weight column {weight_col!r} not found; columns: {', '.join(map(str, points.columns))}"
        raise InputError(msg)
    xy = shapely.get_coordinates(points.to_crs(towns.crs).geometry.values)
    w = (
        np.ones(len(xy))
        if weight_col is None
        else pd.to_numeric(points[weight_col], errors="coerce").fillna(0).to_numpy()
    )
    owner = _assign(towns, xy[:, 0], xy[:, 1])
    keep = owner >= 0
    return Demand(xy[keep, 0], xy[keep, 1], w[keep], owner[keep], kind="points"), int((~keep).sum())


def raster_demand(towns: gpd.GeoDataFrame, path: str | Path, band: int = 1) -> tuple[Demand, float]:
    """Demand from a population raster: one point per pixel with data, weighing its value.

    Returns (demand, total value of pixels outside every township).
    """
    import rasterio
    from pyproj import Transformer

    _require_projected(towns)
    with rasterio.open(path) as src:
        if src.crs is None:
            msg = f"{Path(path).name} has no coordinate system; assign one (e.g. with gdal_edit.py -a_srs EPSG:4326)"
            raise CRSError(msg)
        data = src.read(band, masked=True)
        rows, cols = np.nonzero(~np.ma.getmaskarray(data) & (np.ma.filled(data, 0) > 0))
        values = np.asarray(data[rows, cols], dtype=float)
        px, py = rasterio.transform.xy(src.transform, rows, cols)
        transformer = Transformer.from_crs(src.crs, towns.crs, always_xy=True)
    x, y = transformer.transform(np.asarray(px, dtype=float), np.asarray(py, dtype=float))
    owner = _assign(towns, x, y)
    keep = owner >= 0
    return Demand(x[keep], y[keep], values[keep], owner[keep], kind="raster"), float(values[~keep].sum())


def weights_by_code(table: pd.DataFrame, code_col: str, weight_col: str) -> pd.Series:
    """Township weights (e.g. population) from a user's table: numbers indexed by township code."""
    if weight_col not in table.columns:
        msg = f"weight column {weight_col!r} not found; columns: {', '.join(map(str, table.columns))}"
        raise InputError(msg)
    values = pd.to_numeric(table[weight_col], errors="coerce").fillna(0).to_numpy()
    return pd.Series(values, index=table[code_col].astype(str))


def spread_points(x: np.ndarray, y: np.ndarray, k: int, start: int = 0) -> np.ndarray:
    """Indices of ``k`` of the points (x, y) spread out: farthest-point sampling from ``start``.

    Deterministic; with ``k`` at least the number of points every point is returned (each once,
    then repeated from the first).

    >>> spread_points(np.array([0.0, 1.0, 2.0, 10.0]), np.zeros(4), 2).tolist()
    [0, 3]
    """
    n = len(x)
    if k >= n:
        return np.resize(np.arange(n), k)
    chosen = [int(start)]
    dist = np.hypot(x - x[start], y - y[start])
    for _ in range(k - 1):
        j = int(np.argmax(dist))
        chosen.append(j)
        dist = np.minimum(dist, np.hypot(x - x[j], y - y[j]))
    return np.array(chosen)


def village_demand(
    towns: gpd.GeoDataFrame, weights: pd.Series, cell_m: float = settings.DEFAULT_GRID_KM * 1000.0
) -> Demand:
    """Each township's weight split evenly over its villages and communities (at least one point).

    The register counts a township's villages and communities (``n_villages``, ``n_communities``)
    but does not say where they are, so their positions are **approximate**: cell centres of the
    township's grid, spread out by farthest-point sampling from the cell nearest its
    representative point (the township seat, where its communities usually are).  A township
    smaller than a cell keeps its points at its representative point.
    """
    _require_projected(towns)
    x, y, owner = grid_cells(towns, cell_m)
    px, py = _township_points(towns)
    codes = towns["code"].astype(str).to_numpy()
    values = pd.Series(weights).reindex(codes).fillna(0.0).to_numpy(dtype=float)
    counts = (towns["n_villages"].fillna(0) + towns["n_communities"].fillna(0)).clip(lower=1).to_numpy(dtype=int)
    order = np.argsort(owner, kind="stable")
    starts = np.searchsorted(owner[order], np.arange(len(towns)))
    ends = np.searchsorted(owner[order], np.arange(len(towns)), side="right")
    xs, ys, ws, own = [], [], [], []
    for i in np.flatnonzero(values > 0):
        k = int(counts[i])
        cells = order[starts[i] : ends[i]]
        if len(cells) == 0:
            xs.append(np.full(k, px[i]))
            ys.append(np.full(k, py[i]))
        else:
            first = int(np.argmin(np.hypot(x[cells] - px[i], y[cells] - py[i])))
            pick = cells[spread_points(x[cells], y[cells], k, first)]
            xs.append(x[pick])
            ys.append(y[pick])
        ws.append(np.full(k, values[i] / k))
        own.append(np.full(k, i))
    if not xs:
        return Demand(
            np.empty(0), np.empty(0), np.empty(0), np.empty(0, dtype=int), kind="villages (approximate positions)"
        )
    return Demand(
        np.concatenate(xs),
        np.concatenate(ys),
        np.concatenate(ws),
        np.concatenate(own),
        kind="villages (approximate positions)",
    )


def need_demand(
    towns: gpd.GeoDataFrame,
    need: NeedMeasure,
    points: str = "grid",
    cell_m: float = settings.DEFAULT_GRID_KM * 1000.0,
) -> Demand:
    """Demand points carrying a township need measure: on grid cells (``points="grid"``) or villages.

    On the grid, the area proxy weighs every cell by its area (km²) and any other measure is
    spread evenly over each township's cells (:func:`grid_demand`); on villages it is split over
    the township's villages and communities (:func:`village_demand`).  The result's ``kind`` and
    ``need`` say which.
    """
    if points == "grid":
        d = grid_demand(towns, cell_m) if need.source == "area" else grid_demand(towns, cell_m, weights=need.values)
        kind = f"grid cells ({cell_m / 1000.0:g} km)"
    elif points == "villages":
        d = village_demand(towns, need.values, cell_m)
        kind = d.kind
    else:
        msg = f"demand points {points!r} unknown; choose one of {', '.join(settings.DEMAND_POINTS)}"
        raise InputError(msg)
    return Demand(d.x, d.y, d.weight, d.township, kind=kind, need=need.label)
