"""Approximate township polygons: split a county into one cell per township.

Township boundaries are not published in China, so the embedded data carries
*approximate* cells, clearly marked ``boundary_quality="approximate"``.  Where
a town's real position is published (GeoNames, see
:mod:`coverage.data.build.points`), its cell is built around it.  The rule,
deterministic for a given county polygon, register and set of positions:

1. Work in the county's CGCS2000 Gauss-Krüger zone (metres).
2. *Fixed generators*: every unit with a published position gets its cell's
   generator there (a position up to
   :data:`settings.PUBLISHED_POINT_TOLERANCE_M` outside the generalised county
   polygon is first moved to the nearest point inside).  Two units whose
   positions are closer than :data:`settings.SHARED_POINT_M` share one place:
   neither position is used (reported).  The county's *seat unit* (the most
   urban unit, see 7.) without a published position gets the county seat
   as its generator, unless another unit's published position lies within
   :data:`settings.SEAT_CLEARANCE_M` of the seat.
3. Sample points on a regular grid inside the county
   (:data:`settings.CELL_SAMPLES_PER_UNIT` per expected rural-sized cell).
4. Weight the samples so that urban units without a fixed generator get
   small cells: an *urban* unit is a street (街道) or a town whose communities
   (居委会) outnumber its villages (村委会).  Those urban units share a disc
   around the county seat whose area is their share of the county when each
   urban unit gets :data:`settings.URBAN_AREA_RATIO` (1/8) of a rural unit's
   area.  Samples in the disc weigh ``(1 / URBAN_AREA_RATIO)**2`` = 64: a
   centroidal Voronoi tessellation places generators with density
   proportional to the square root of the sample density (in two
   dimensions), so cells there come out about eight times smaller.
5. Weighted Lloyd iterations (k-means with k-means++ seeding, fixed seed)
   move the free generators to the weighted centroids of their samples while
   the fixed generators stay where they are.  Their Voronoi polygons, clipped
   to the county polygon in geographic coordinates, are the cells (so the
   cells tile the county exactly and the county's outline is untouched).  A
   fixed generator lies in its own Voronoi polygon by construction.
6. Detached slivers of a cell (a Voronoi region crossing a bay) are given to
   the neighbouring cell they share most border with; the part holding the
   cell's generator always stays.
7. Fixed generators keep their units.  The other cells are handed out by
   distance of their generator from the county seat: urban units first
   (streets, then the most urban towns), then the rest in code order.  Which
   unmatched rural town gets which of the remaining cells is therefore
   arbitrary; only the county, the number of units, the urban/rural sizes and
   the published positions are real.

Every unit's representative point (``lon``, ``lat``) is its generator: the
published position (``point_source="published"``), the county seat
(``"county_seat"``) or the free generator, else a point inside the cell
(``"estimated"``).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyproj
import shapely
import shapely.ops
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
        mesh_x, mesh_y = np.meshgrid(xs, ys)
        gx, gy = mesh_x.ravel(), mesh_y.ravel()
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


def unit_order(units: pd.DataFrame, urban: np.ndarray) -> np.ndarray:
    """Unit positions from most to least urban: streets, urban towns, then by communities, "other" last.

    The first is the county's *seat unit*.
    """
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


@dataclass(frozen=True)
class _Generators:
    """Fixed generators of a county (metres), the unit each belongs to and its point (degrees)."""

    xy_m: np.ndarray
    units: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    source: list[str]
    notes: dict[int, str]


def _inside(point_m: shapely.Point, county_m: BaseGeometry, nudge_m: float = 10.0) -> shapely.Point:
    """``point_m`` if it lies in the county, else a point inside the county near the nearest border point."""
    if county_m.contains(point_m):
        return point_m
    nearest = shapely.ops.nearest_points(county_m, point_m)[0]
    for radius in (nudge_m, 10 * nudge_m, 100 * nudge_m):
        patch = shapely.intersection(county_m, nearest.buffer(radius, 8))
        if not patch.is_empty and patch.area > 0:
            return shapely.point_on_surface(patch)
    return shapely.point_on_surface(county_m)


def _fixed_generators(
    units: pd.DataFrame,
    county_m: BaseGeometry,
    fwd: pyproj.Transformer,
    inv: pyproj.Transformer,
    seat_unit: int,
    seat: tuple[float, float] | None,
    shared_m: float,
    clearance_m: float,
) -> _Generators:
    """Fixed generators: published positions (moved inside the county if needed), then the seat."""
    has = (
        units["lon"].notna().to_numpy() & units["lat"].notna().to_numpy()
        if "lon" in units
        else np.zeros(len(units), bool)
    )
    idx = np.flatnonzero(has)
    notes: dict[int, str] = {}
    lon = units["lon"].to_numpy(dtype=float)[idx] if len(idx) else np.empty(0)
    lat = units["lat"].to_numpy(dtype=float)[idx] if len(idx) else np.empty(0)
    xy = np.column_stack(fwd.transform(lon, lat)) if len(idx) else np.empty((0, 2))
    gap_m = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    keep = np.ones(len(idx), bool)
    for a, b in np.argwhere(np.triu(gap_m < shared_m, 1)):
        keep[a] = keep[b] = False
        for i, j in ((a, b), (b, a)):
            notes[int(idx[i])] = f"published position shared with {units['code'].iloc[idx[j]]}; not used"
    idx, lon, lat, xy = idx[keep], lon[keep], lat[keep], xy[keep]
    for k in range(len(idx)):
        point = _inside(shapely.Point(xy[k]), county_m)
        if point.x != xy[k][0] or point.y != xy[k][1]:
            xy[k] = (point.x, point.y)
            lon[k], lat[k] = inv.transform(point.x, point.y)
    sources = ["published"] * len(idx)
    if seat is not None and seat_unit not in set(idx.tolist()):
        seat_m = np.array(fwd.transform(*seat))
        if not len(xy) or np.hypot(*(xy - seat_m).T).min() >= clearance_m:
            point = _inside(shapely.Point(seat_m), county_m)
            idx = np.append(idx, seat_unit)
            xy = np.vstack([xy, [point.x, point.y]])
            seat_lon, seat_lat = seat if point.equals(shapely.Point(seat_m)) else inv.transform(point.x, point.y)
            lon, lat = np.append(lon, seat_lon), np.append(lat, seat_lat)
            sources.append("county_seat")
    return _Generators(xy.reshape(-1, 2), idx, lon, lat, sources, notes)


def _kmeans_pp(
    points: np.ndarray, weights: np.ndarray, fixed: np.ndarray, k: int, rng: np.random.Generator
) -> np.ndarray:
    """Greedy weighted k-means++ seeding of ``k`` centres, the ``fixed`` ones first."""
    centres = [c for c in fixed]
    d2 = np.full(len(points), np.inf)
    for c in centres:
        d2 = np.minimum(d2, ((points - c) ** 2).sum(axis=1))
    trials = 2 + int(np.log(max(k, 2)))
    while len(centres) < k:
        if not centres:
            pick = rng.choice(len(points), p=weights / weights.sum())
        else:
            potential = weights * d2
            if potential.sum() <= 0:  # every sample is a centre already
                pick = int(rng.integers(len(points)))
            else:
                candidates = rng.choice(len(points), size=trials, p=potential / potential.sum())
                costs = [(weights * np.minimum(d2, ((points - points[c]) ** 2).sum(axis=1))).sum() for c in candidates]
                pick = int(candidates[int(np.argmin(costs))])
        centres.append(points[pick])
        d2 = np.minimum(d2, ((points - points[pick]) ** 2).sum(axis=1))
    return np.array(centres, dtype=float).reshape(-1, 2)


def weighted_lloyd(
    points: np.ndarray,
    weights: np.ndarray,
    k: int,
    fixed: np.ndarray | None = None,
    seed: int = 0,
    max_iter: int = 100,
    tol_m: float = 1.0,
) -> np.ndarray:
    """Weighted k-means of ``points`` (metres) into ``k`` clusters whose first centres are ``fixed``.

    The fixed centres never move; the others are seeded by greedy weighted
    k-means++ and moved to the weighted centroid of their samples until no
    centre moves more than ``tol_m``.  Returns the ``k`` centres, fixed first.

    Examples
    --------
    >>> pts = np.array([[0.0, 0], [1, 0], [10, 0], [11, 0]])
    >>> weighted_lloyd(pts, np.ones(4), 2, fixed=np.array([[0.0, 0]])).tolist()
    [[0.0, 0.0], [10.5, 0.0]]
    """
    from scipy.spatial import cKDTree

    fixed = np.empty((0, 2)) if fixed is None else np.asarray(fixed, dtype=float).reshape(-1, 2)
    rng = np.random.default_rng(seed)
    centres = _kmeans_pp(points, weights, fixed, k, rng)
    n_fixed = len(fixed)
    if n_fixed == k:
        return centres
    wx, wy = weights * points[:, 0], weights * points[:, 1]
    for _ in range(max_iter):
        _, label = cKDTree(centres).query(points)
        mass = np.bincount(label, weights=weights, minlength=k)
        sx = np.bincount(label, weights=wx, minlength=k)
        sy = np.bincount(label, weights=wy, minlength=k)
        moved = centres.copy()
        free = np.arange(k) >= n_fixed
        update = free & (mass > 0)
        moved[update, 0] = sx[update] / mass[update]
        moved[update, 1] = sy[update] / mass[update]
        shift = np.hypot(*(moved - centres).T).max()
        centres = moved
        if shift <= tol_m:
            break
    return _separate(centres, n_fixed)


def _separate(centres: np.ndarray, n_fixed: int, step_m: float = 1.0) -> np.ndarray:
    """Move free centres that coincide with another centre by ``step_m`` (Voronoi needs distinct generators)."""
    seen = {tuple(c) for c in centres[:n_fixed]}
    for i in range(n_fixed, len(centres)):
        while tuple(centres[i]) in seen:
            centres[i] = centres[i] + step_m
        seen.add(tuple(centres[i]))
    return centres


def split_county(
    county: BaseGeometry,
    units: pd.DataFrame,
    seat: tuple[float, float] | None = None,
    seed: int | None = None,
    samples_per_unit: int = settings.CELL_SAMPLES_PER_UNIT,
    urban_area_ratio: float = settings.URBAN_AREA_RATIO,
    pin_seat: bool = True,
    shared_m: float = settings.SHARED_POINT_M,
    seat_clearance_m: float = settings.SEAT_CLEARANCE_M,
) -> pd.DataFrame:
    """Split a county polygon (EPSG:4490 degrees) into one cell per unit.

    Parameters
    ----------
    county : the county polygon or multipolygon, in CGCS2000/WGS 84 degrees.
    units : rows with ``code``, ``kind``, ``n_villages``, ``n_communities`` and
        optionally ``lon``, ``lat``: a published position (NaN where none).
    seat : the county seat (lon, lat) in degrees; default: a point inside the county.
    seed : k-means seed; default derived from the first unit's code.
    pin_seat : give the seat unit the seat as its generator (rule 2 of the
        module docstring); False where the seat is itself only an estimate.

    Returns
    -------
    DataFrame with ``code``, ``geometry`` (cell, degrees), ``lon``, ``lat`` (the
    representative point, inside the cell), ``urban`` (bool), ``point_source``
    (one of :data:`settings.POINT_SOURCES`) and ``point_note`` (why a
    published position was not used, else ""), in the order of ``units``.
    """
    units = units.reset_index(drop=True)
    n = len(units)
    urban = is_urban(units["kind"], units["n_villages"], units["n_communities"]).to_numpy()
    columns = ["code", "geometry", "lon", "lat", "urban", "point_source", "point_note"]
    if n == 0:
        return pd.DataFrame(columns=columns)
    fwd, inv = _transformers(county)
    county_m = _apply(fwd, county)
    seat_m = None
    if seat is not None:
        seat_m = shapely.Point(fwd.transform(*seat))
        if not county_m.contains(seat_m):
            seat_m = None
    if seat_m is None:
        seat_m = shapely.point_on_surface(county_m)
        seat = None
    if seed is None:
        seed = zlib.crc32(str(units["code"].iloc[0]).encode()) & 0x7FFFFFFF
    order_units = unit_order(units, urban)
    gens = _fixed_generators(
        units, county_m, fwd, inv, int(order_units[0]), seat if pin_seat else None, shared_m, seat_clearance_m
    )
    if n == 1:
        return _whole_county(county, units, urban, gens, columns)

    is_fixed = np.zeros(n, bool)
    is_fixed[gens.units] = True
    free_urban = urban & ~is_fixed
    n_urban = int(free_urban.sum())
    n_rural = int((~urban & ~is_fixed).sum())
    n_free = n - len(gens.units)
    mixed = 0 < n_urban < n_free
    # grid spacing giving samples_per_unit points per rural-sized cell
    n_all_urban = int(urban.sum())
    spacing = np.sqrt(county_m.area / (samples_per_unit * (n - n_all_urban + n_all_urban * urban_area_ratio)))
    if mixed:
        core_share = n_urban * urban_area_ratio / (n - n_all_urban + n_all_urban * urban_area_ratio)
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

    # weighted Lloyd with the fixed generators held; for counties with both urban
    # and rural free units, adjust the core's weight until urban cells come out
    # near urban_area_ratio of rural ones
    n_fixed = len(gens.units)
    core_weight = 1.0 / urban_area_ratio
    best: tuple[float, np.ndarray, np.ndarray] | None = None
    tol_m = max(spacing * 1e-3, 0.01)
    for _ in range(5 if mixed else 1):
        weights = np.where(in_core, core_weight, 1.0)
        centers = weighted_lloyd(points, weights, n, fixed=gens.xy_m, seed=seed, tol_m=tol_m)
        free_cells = n_fixed + np.argsort(
            np.hypot(centers[n_fixed:, 0] - seat_m.x, centers[n_fixed:, 1] - seat_m.y), kind="stable"
        )
        if not mixed:
            best = (0.0, centers, free_cells)
            break
        areas = shapely.area(shapely.intersection(_voronoi_regions(centers, county_m), county_m))
        ratio = areas[free_cells[:n_urban]].mean() / max(areas[free_cells[n_urban:]].mean(), 1.0)
        miss = abs(np.log(max(ratio, 1e-9) / urban_area_ratio))
        if best is None or miss < best[0]:
            best = (miss, centers, free_cells)
        if miss < np.log(1.25):
            break
        core_weight *= float(np.clip((ratio / urban_area_ratio) ** 2, 1 / 16, 16))
    assert best is not None  # the loop runs at least once
    _, centers, free_cells = best

    # Voronoi regions in metres, back to degrees, clipped to the county in degrees.
    regions = shapely.segmentize(_voronoi_regions(centers, county_m), 2_000.0)
    regions_deg = np.array([_apply(inv, r) for r in regions])
    anchor_lon, anchor_lat = inv.transform(centers[:, 0], centers[:, 1])
    anchor_lon[:n_fixed], anchor_lat[:n_fixed] = gens.lon, gens.lat
    anchors = shapely.points(anchor_lon, anchor_lat)
    cells = _absorb_slivers(shapely.intersection(regions_deg, county), anchors)

    # hand cells to units: fixed generators keep theirs; of the rest, the most
    # urban unit gets the cell nearest the seat
    cell_of = np.empty(n, dtype=int)
    cell_of[gens.units] = np.arange(n_fixed)
    free_units = [u for u in order_units if not is_fixed[u]]
    cell_of[free_units] = free_cells
    source = np.full(n, "estimated", dtype=object)
    source[gens.units] = gens.source
    notes = np.full(n, "", dtype=object)
    for unit_i, note in gens.notes.items():
        notes[unit_i] = note
    lon = np.empty(n)
    lat = np.empty(n)
    geometry = np.empty(n, dtype=object)
    for unit_i in range(n):
        cell_i = cell_of[unit_i]
        cell = cells[cell_i]
        geometry[unit_i] = cell
        point = anchors[cell_i]
        if not cell.intersects(point):
            if source[unit_i] != "estimated":
                notes[unit_i] = f"{source[unit_i]} point fell outside its cell after clipping; estimated"
                source[unit_i] = "estimated"
            point = shapely.point_on_surface(cell)
        lon[unit_i], lat[unit_i] = point.x, point.y
    return pd.DataFrame(
        {
            "code": units["code"],
            "geometry": list(geometry),
            "lon": lon,
            "lat": lat,
            "urban": urban,
            "point_source": source,
            "point_note": notes,
        }
    )


def _whole_county(
    county: BaseGeometry, units: pd.DataFrame, urban: np.ndarray, gens: _Generators, columns: list[str]
) -> pd.DataFrame:
    """The one unit of a county gets the whole county; its point: fixed generator, else a point inside."""
    if len(gens.units):
        lon, lat, source = float(gens.lon[0]), float(gens.lat[0]), gens.source[0]
    else:
        point = shapely.point_on_surface(county)
        lon, lat, source = point.x, point.y, "estimated"
    note = gens.notes.get(0, "")
    return pd.DataFrame([[units["code"].iloc[0], county, lon, lat, bool(urban[0]), source, note]], columns=columns)


def _absorb_slivers(cells: np.ndarray, anchors: np.ndarray | None = None) -> np.ndarray:
    """Give detached parts of a cell to the neighbour they share most border with.

    The part holding the cell's anchor (its generator) stays, else the
    largest part; a smaller part touching no other cell (an island) stays too.
    """
    cells = np.array(cells, dtype=object)
    tree = shapely.STRtree(cells)
    for i in range(len(cells)):
        geom = cells[i]
        if geom.geom_type != "MultiPolygon":
            continue
        parts = list(shapely.get_parts(geom))
        parts.sort(key=lambda p: p.area, reverse=True)
        if anchors is not None:
            holding = [k for k, p in enumerate(parts) if p.intersects(anchors[i])]
            if holding:
                parts.insert(0, parts.pop(holding[0]))
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
