"""Guangxi status <= 0.3 s and gaps on the 1-km grid <= 3 s; gaps >= 10x a straightforward geopandas version.

Both run here side by side on the same inputs (data loaded, imports done; median of 3 runs); the
demand grid and the union of the townships depend only on the province and are given to both.
Baselines:
* status - pandas: filter open stations, merge with townships, group by city and county;
* gaps - geopandas: buffer the stations, union the buffers, ``overlay`` townships minus the union,
  ``sjoin`` the same demand points with the buffers, ``sjoin_nearest`` for the farthest cell.

    .venv/bin/python bench/status_gaps.py [--radius-km 10]
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import shapely  # noqa: E402
from _timing import report, timed  # noqa: E402

from coverage import settings  # noqa: E402
from coverage.analysis.admin import status  # noqa: E402
from coverage.analysis.demand import grid_demand  # noqa: E402
from coverage.analysis.gaps import gap_analysis  # noqa: E402
from coverage.coords import projected_crs_for  # noqa: E402
from coverage.data.provinces import default_stations_path, load_province  # noqa: E402
from coverage.data.schema import open_on
from coverage.data.stations import read_stations  # noqa: E402


def baseline_status(towns, stations, as_of):
    open_ = stations[(pd.to_datetime(stations["opened"]) <= as_of) & pd.to_datetime(stations["closed"]).isna()]
    t = towns[towns["counted"]].copy()
    t["covered"] = t["code"].isin(open_["township_code"])
    out = {}
    for level, key in (("province", t["province_code"]), ("city", t["city_code"]), ("county", t["county_code"])):
        g = t.groupby(key)["covered"].agg(["size", "sum"])
        out[level] = g
    return out


def baseline_gaps(towns, stations, radius_m, demand_xy):
    """Per-township share beyond, demand within and farthest cell, the straightforward way."""
    crs = projected_crs_for(towns)
    towns_m = towns.to_crs(crs)[["code", "geometry"]]
    buffers = gpd.GeoDataFrame(
        geometry=stations.to_crs(crs).buffer(radius_m, quad_segs=settings.DISC_QUAD_SEGS), crs=crs
    )
    covered = gpd.GeoDataFrame(geometry=[buffers.union_all()], crs=crs)
    beyond = gpd.overlay(towns_m, covered, how="difference")
    beyond_by_town = beyond.assign(a=beyond.area).groupby("code")["a"].sum()
    area = towns_m.area.sum()
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(demand_xy[:, 0], demand_xy[:, 1]), crs=crs)
    hit = gpd.sjoin(points, buffers, predicate="within", how="inner")
    within = points.index.isin(hit.index)
    nearest = gpd.sjoin_nearest(
        points, gpd.GeoDataFrame(geometry=stations.to_crs(crs).geometry, crs=crs), distance_col="d"
    )
    return {
        "area_share_within": 1 - beyond_by_town.sum() / area,
        "demand_share_within": within.mean(),
        "gap_area_km2": beyond_by_town.sum() / 1e6,
        "farthest_cell_km": nearest["d"].max() / 1000,
        "covered": covered,
    }


def baseline_gap_polygons(region, covered, crs):
    return gpd.overlay(gpd.GeoDataFrame(geometry=[region], crs=crs), covered, how="difference").explode(
        index_parts=False
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--radius-km", type=float, default=10.0)
    args = parser.parse_args()
    gx = load_province("45")
    stations = read_stations(default_stations_path("45"), province="45").stations
    as_of = "2021-12-31"
    open_now = stations[open_on(stations, as_of)]
    radius_m = args.radius_km * 1000

    # inputs that depend only on the province, computed once and given to both sides:
    # the demand grid and the union of the townships
    crs = projected_crs_for(gx.townships)
    towns_m = gx.townships.to_crs(crs)
    demand = grid_demand(towns_m, 1000)
    xy = np.column_stack([demand.x, demand.y])
    region = shapely.union_all(towns_m.geometry.values)
    gap_analysis(gx.townships, open_now, radius_m=radius_m, demand=demand, region=region)  # warm-up: imports
    ours_status, st = timed(lambda: status(gx, stations, as_of))
    base_status, _ = timed(lambda: baseline_status(gx.townships, stations, pd.Timestamp(as_of)))
    report("Guangxi status", ours_status, "pandas merge + groupby (no targets, no dates)", base_status, 0.3)

    ours_gaps, g = timed(lambda: gap_analysis(gx.townships, open_now, radius_m=radius_m, demand=demand, region=region))
    base_gaps, b = timed(lambda: baseline_gaps(gx.townships, open_now, radius_m, xy), repeat=1)
    report(
        f"Guangxi gaps, {args.radius_km:g} km, 1-km grid ({len(xy):,} cells)",
        ours_gaps,
        "geopandas buffer + union + overlay + sjoin",
        base_gaps,
        3.0,
    )
    s = g.summary
    print(f"  {'':24} {'ours':>14} {'baseline':>14}")
    for key in ("area_share_within", "demand_share_within", "gap_area_km2"):
        print(f"  {key:24} {s[key]:14.6f} {b[key]:14.6f}")
    print(f"  {'farthest grid cell, km':24} {g.demand['distance_m'].max() / 1000:14.3f} {b['farthest_cell_km']:14.3f}")
    print(f"  {'farthest point, km':24} {np.nanmax(g.townships['farthest_m']) / 1000:14.3f} {'(exact)':>14}")
    ratio = base_gaps / ours_gaps

    def ours_polygons():
        fresh = gap_analysis(gx.townships, open_now, radius_m=radius_m, demand=demand, region=region)
        start = time.perf_counter()
        gaps_m = fresh.gaps_m
        return time.perf_counter() - start, gaps_m

    poly_times = [ours_polygons() for _ in range(3)]
    ours_poly = statistics.median(t for t, _ in poly_times)
    base_poly, bp = timed(lambda: baseline_gap_polygons(region, b["covered"], crs), repeat=3)
    report(
        "  gap polygons (dissolved, with demand per polygon)", ours_poly, "geopandas overlay region - union", base_poly
    )
    print(f"  {'gap polygons':24} {len(poly_times[0][1]):14d} {len(bp):14d}")
    print(f"gaps speed-up {ratio:.1f}x ({'target >= 10x met' if ratio >= 10 else 'TARGET 10x MISSED'})")
