"""Approximate township polygons: split a county into one cell per township.

Township boundaries are not published in China, so the embedded data carries
*approximate* cells, clearly marked ``boundary_quality="approximate"``.  The
rule, deterministic for a given county polygon and register:

1. Work in the county's CGCS2000 Gauss-Krüger zone (metres).
2. Sample points on a regular grid inside the county
   (:data:`settings.CELL_SAMPLES_PER_UNIT` per expected rural-sized cell).
3. Weight the samples so that urban units get small cells: an *urban* unit is
   a street (街道) or a town whose communities (居委会) outnumber its villages
   (村委会).  The urban units of a county share a disc around the county seat
   whose area is their share of the county when each urban unit gets
   :data:`settings.URBAN_AREA_RATIO` (1/8) of a rural unit's area.  Samples in
   the disc weigh ``(1 / URBAN_AREA_RATIO)**2`` = 64: a centroidal Voronoi
   tessellation places generators with density proportional to the square
   root of the sample density (in two dimensions), so cells there come out
   about eight times smaller.
4. Weighted k-means (scikit-learn, fixed seed) with one cluster per township
   gives the generators; their Voronoi polygons, clipped to the county polygon
   in geographic coordinates, are the cells (so the cells tile the county
   exactly and the county's outline is untouched).
5. Detached slivers of a cell (a Voronoi region crossing a bay) are given to
   the neighbouring cell they share most border with.
6. Cells are handed out by distance of their generator from the county seat:
   urban units first (streets, then the most urban towns), then the rest in
   code order.  Which rural town gets which rural cell is therefore arbitrary;
   only the county, the number of units and the urban/rural sizes are real.
"""

from __future__ import annotations

import zlib

import numpy as np
import pandas as pd
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

from coverage import settings
from coverage.coords import gauss_kruger_crs


def is_urban(kind: pd.Series, n_villages: pd.Series, n_communities: pd.Series) -> pd.Series:
    """True for streets and for towns/townships whose communities outnumber their villages."""
    return (kind == "street") | ((kind != "other") & (n_communities > n_villages))


def _transformers(geom: BaseGeometry) -> tuple[pyproj.Transformer, pyproj.Transformer]:
    lon = shapely.centroid(geom).x
    crs = gauss_kruger_crs(lon)
    fwd = pyproj.Transformer.from_crs(settings.STORAGE_CRS, crs, always_xy=True)
    inv = pyproj.Transformer.from_crs(crs, settings.STORAGE_CRS, always_xy=True)
    return fwd, inv


def _apply(transformer: pyproj.Transformer, geom):
    return shapely.transform(geom, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))


def _grid_points(poly_m: BaseGeometry, spacing_m: float, min_points: int = 1) -> np.ndarray:
    """Regular grid of points at ``spacing_m`` inside ``poly_m`` (x, y in metres).

    The grid is refined until at least ``min_points`` fall inside (thin or
    fragmented counties); as a last resort the boundary vertices are used.
    """
    xmin, ymin, xmax, ymax = poly_m.bounds
    for _ in range(6):
        xs = np.arange(xmin + spacing_m / 2, xmax, spacing_m)
        ys = np.arange(ymin + spacing_m / 2, ymax, spacing_m)
        gx, gy = np.meshgrid(xs, ys)
        gx, gy = gx.ravel(), gy.ravel()
        inside = shapely.contains_xy(poly_m, gx, gy)
        if inside.sum() >= min_points:
            return np.column_stack([gx[inside], gy[inside]])
        spacing_m /= 2
    return shapely.get_coordinates(shapely.segmentize(poly_m.boundary, max(spacing_m, 1.0)))


def _core_around(county_m: BaseGeometry, seat_m: shapely.Point, target_m2: float) -> BaseGeometry:
    """The part of the county within the radius of the seat that encloses ``target_m2``.

    The radius grows beyond sqrt(target / pi) where the county's edge cuts the disc.
    """
    low, high = np.sqrt(target_m2 / np.pi), np.sqrt(target_m2 / np.pi)
    while shapely.intersection(county_m, seat_m.buffer(high, 32)).area < target_m2 and high < 1e7:
        low, high = high, high * 1.5
    for _ in range(12):
        mid = (low + high) / 2
        if shapely.intersection(county_m, seat_m.buffer(mid, 32)).area < target_m2:
            low = mid
        else:
            high = mid
    return shapely.intersection(county_m, seat_m.buffer(high, 32))


def _voronoi_regions(centers: np.ndarray, county_m: BaseGeometry) -> np.ndarray:
    """Voronoi region of every generator (in generator order), metres, covering the county."""
    xmin, ymin, xmax, ymax = county_m.bounds
    pad = max(xmax - xmin, ymax - ymin)
    frame = shapely.box(xmin - pad, ymin - pad, xmax + pad, ymax + pad)
    regions = shapely.voronoi_polygons(shapely.multipoints(centers), extend_to=frame, ordered=True)
    return np.asarray(shapely.get_parts(regions))


def _unit_order(units: pd.DataFrame, urban: np.ndarray) -> np.ndarray:
    """Units from most to least urban: streets, urban towns, then by communities, "other" last."""
    kind_rank = units["kind"].map({"street": 0, "town": 1, "township": 2, "other": 3})
    rank = pd.DataFrame(
        {
            "urban": (~urban).astype(int),
            "kind": kind_rank,
            "communities": -units["n_communities"],
            "code": units["code"],
        }
    )
    return rank.sort_values(["urban", "kind", "communities", "code"], kind="stable").index.to_numpy()


def split_county(
    county: BaseGeometry,
    units: pd.DataFrame,
    seat: tuple[float, float] | None = None,
    seed: int | None = None,
    samples_per_unit: int = settings.CELL_SAMPLES_PER_UNIT,
    urban_area_ratio: float = settings.URBAN_AREA_RATIO,
) -> pd.DataFrame:
    """Split a county polygon (EPSG:4490 degrees) into one cell per unit.

    Parameters
    ----------
    county : the county polygon or multipolygon, in CGCS2000/WGS 84 degrees.
    units : rows with ``code``, ``kind``, ``n_villages``, ``n_communities``.
    seat : the county seat (lon, lat) in degrees; default: a point inside the county.
    seed : k-means seed; default derived from the first unit's code.

    Returns
    -------
    DataFrame with ``code``, ``geometry`` (cell, degrees), ``lon``, ``lat`` (a
    point inside the cell: the generator when it falls inside, degrees) and
    ``urban`` (bool), in the order of ``units``.
    """
    from sklearn.cluster import KMeans
    from threadpoolctl import threadpool_limits

    units = units.reset_index(drop=True)
    n = len(units)
    urban = is_urban(units["kind"], units["n_villages"], units["n_communities"]).to_numpy()
    if n == 0:
        return pd.DataFrame(columns=["code", "geometry", "lon", "lat", "urban"])
    if n == 1:
        point = shapely.point_on_surface(county)
        return pd.DataFrame(
            {"code": units["code"], "geometry": [county], "lon": [point.x], "lat": [point.y], "urban": urban}
        )
    fwd, inv = _transformers(county)
    county_m = _apply(fwd, county)
    seat_m = None
    if seat is not None:
        seat_m = shapely.Point(fwd.transform(*seat))
        if not county_m.contains(seat_m):
            seat_m = None
    if seat_m is None:
        seat_m = shapely.point_on_surface(county_m)
    if seed is None:
        seed = zlib.crc32(str(units["code"].iloc[0]).encode()) & 0x7FFFFFFF

    n_urban = int(urban.sum())
    n_rural = n - n_urban
    mixed = 0 < n_urban < n
    # grid spacing giving samples_per_unit points per rural-sized cell
    spacing = np.sqrt(county_m.area / (samples_per_unit * (n_rural + n_urban * urban_area_ratio)))
    if mixed:
        core_share = n_urban * urban_area_ratio / (n_rural + n_urban * urban_area_ratio)
        core = _core_around(county_m, seat_m, core_share * county_m.area)
        rest = shapely.difference(county_m, core)
        # the core is sampled 1/ratio times denser, each sample weighing 1/ratio:
        # sample density (1/ratio)**2, so k-means cells there come out 1/ratio times smaller
        fine = _grid_points(core, spacing * np.sqrt(urban_area_ratio), min_points=n_urban)
        coarse = _grid_points(rest, spacing, min_points=n_rural) if not rest.is_empty else np.empty((0, 2))
        points = np.vstack([fine, coarse])
        in_core = np.concatenate([np.ones(len(fine), bool), np.zeros(len(coarse), bool)])
    else:
        points = _grid_points(county_m, spacing, min_points=n)
        in_core = np.zeros(len(points), bool)
    if len(np.unique(points, axis=0)) < n:
        # too few samples (tiny islands): add boundary vertices
        extra = shapely.get_coordinates(shapely.segmentize(county_m.boundary, 10.0))
        points = np.vstack([points, extra])
        in_core = np.concatenate([in_core, np.zeros(len(extra), bool)])

    # k-means; for counties with both urban and rural units, adjust the core's
    # weight until urban cells come out near urban_area_ratio of rural ones
    core_weight = 1.0 / urban_area_ratio
    best = None
    for _ in range(5 if mixed else 1):
        weights = np.where(in_core, core_weight, 1.0)
        km = KMeans(n_clusters=n, n_init=1, random_state=seed, max_iter=100, tol=1e-6)
        with threadpool_limits(1):  # one thread: the same cells on any machine
            centers = km.fit(points, sample_weight=weights).cluster_centers_
        order_cells = np.argsort(np.hypot(centers[:, 0] - seat_m.x, centers[:, 1] - seat_m.y), kind="stable")
        if not mixed:
            best = (0.0, centers, order_cells)
            break
        areas = shapely.area(shapely.intersection(_voronoi_regions(centers, county_m), county_m))
        ratio = areas[order_cells[:n_urban]].mean() / max(areas[order_cells[n_urban:]].mean(), 1.0)
        miss = abs(np.log(max(ratio, 1e-9) / urban_area_ratio))
        if best is None or miss < best[0]:
            best = (miss, centers, order_cells)
        if miss < np.log(1.25):
            break
        core_weight *= float(np.clip((ratio / urban_area_ratio) ** 2, 1 / 16, 16))
    _, centers, order_cells = best

    # Voronoi regions in metres, back to degrees, clipped to the county in degrees.
    regions = shapely.segmentize(_voronoi_regions(centers, county_m), 2_000.0)
    regions_deg = np.array([_apply(inv, r) for r in regions])
    cells = _absorb_slivers(shapely.intersection(regions_deg, county))

    # hand cells to units: the most urban unit gets the cell nearest the seat
    order_units = _unit_order(units, urban)
    assigned = np.empty(n, dtype=object)
    lon = np.empty(n)
    lat = np.empty(n)
    for unit_i, cell_i in zip(order_units, order_cells):
        cell = cells[cell_i]
        assigned[unit_i] = cell
        point = shapely.Point(inv.transform(*centers[cell_i]))
        if not cell.contains(point):
            point = shapely.point_on_surface(cell)
        lon[unit_i], lat[unit_i] = point.x, point.y
    return pd.DataFrame({"code": units["code"], "geometry": list(assigned), "lon": lon, "lat": lat, "urban": urban})


def _absorb_slivers(cells: np.ndarray) -> np.ndarray:
    """Give detached parts of a cell to the neighbour they share most border with.

    The largest part of every cell stays; a smaller part touching no other cell
    (an island) stays too.
    """
    cells = np.array(cells, dtype=object)
    tree = shapely.STRtree(cells)
    for i in range(len(cells)):
        geom = cells[i]
        if geom.geom_type != "MultiPolygon":
            continue
        parts = list(shapely.get_parts(geom))
        parts.sort(key=lambda p: p.area, reverse=True)
        keep = [parts[0]]
        for part in parts[1:]:
            best, best_len = None, 0.0
            for j in tree.query(part, predicate="intersects"):
                if j == i:
                    continue
                shared = shapely.length(shapely.intersection(part.boundary, cells[j].boundary))
                if shared > best_len:
                    best, best_len = j, shared
            if best is None:
                keep.append(part)
            else:
                cells[best] = shapely.union(cells[best], part)
        cells[i] = shapely.union_all(keep) if len(keep) > 1 else keep[0]
    return cells


def tiling_error(county: BaseGeometry, cells) -> tuple[float, float]:
    """How well ``cells`` tile ``county``: (relative area difference of their union, overlap share).

    Both are fractions of the county's area, computed on the coordinates as
    given (degrees): a tiling is exact or not whatever the projection, and
    projecting would bend the county's long straight edges differently from
    the cells' short ones.  A perfect tiling gives (0, 0).
    """
    cells = [c for c in cells if c is not None]
    union_area = shapely.union_all(cells).area
    total = sum(c.area for c in cells)
    return abs(union_area - county.area) / county.area, (total - union_area) / county.area
