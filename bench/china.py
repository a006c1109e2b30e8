"""All of China: status + gaps for 41,352 townships, ~30,000 synthetic stations, ~9.6 M 1-km cells.

Target (issue 3): <= 60 s and <= 8 GB peak memory on 2 cores.  Needs every province built
(`python -m coverage data build --all`, about a minute; done here first if missing, not timed).
Loading the GeoPackages is timed separately from the analysis.

Baseline (``--baseline``, slow): the straightforward geopandas gaps of bench/status_gaps.py
(buffer + union + overlay + sjoin) on the same stations and grid, province by province.

    .venv/bin/python bench/china.py [--radius-km 10] [--baseline]
"""

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from coverage.analysis.admin import status  # noqa: E402
from coverage.analysis.gaps import gap_analysis  # noqa: E402
from coverage.data.provinces import load_province, province_files  # noqa: E402
from coverage.data.register import load_register  # noqa: E402

STATIONS = 30_000
SEED = 3


def synthetic_stations(provinces, n=STATIONS, seed=SEED) -> dict[str, pd.DataFrame]:
    """``n`` stations spread over the counted townships of China, at their township points."""
    rng = np.random.default_rng(seed)
    counted = pd.concat([p.townships[p.townships["counted"]][["code", "lon", "lat"]] for p in provinces.values()])
    pick = counted.iloc[rng.choice(len(counted), size=min(n, len(counted)), replace=False)]
    days = rng.integers(0, 4 * 365, size=len(pick))
    frame = pd.DataFrame(
        {
            "township_code": pick["code"].to_numpy(),
            "lon": pick["lon"].to_numpy(),
            "lat": pick["lat"].to_numpy(),
            "opened": (pd.Timestamp("2020-01-01") + pd.to_timedelta(days, unit="D")).date,
            "closed": None,
        }
    )
    return {code: frame[frame["township_code"].str[:2] == code] for code in provinces}


def peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--radius-km", type=float, default=10.0)
    parser.add_argument("--baseline", action="store_true")
    args = parser.parse_args()
    codes = list(load_register().provinces.index)
    if set(codes) - set(province_files()):
        print("building all provinces first (not timed) ...", flush=True)
        subprocess.run(
            [sys.executable, "-m", "coverage", "data", "build", "--all"], cwd=ROOT, check=True, capture_output=True
        )

    start = time.perf_counter()
    provinces = {code: load_province(code) for code in codes}
    load_s = time.perf_counter() - start
    stations = synthetic_stations(provinces)
    n_towns = sum(len(p.townships) for p in provinces.values())
    print(
        f"loaded {len(provinces)} provinces, {n_towns:,} townships in {load_s:.1f} s; {sum(map(len, stations.values())):,} stations"
    )

    import geopandas as gpd

    start = time.perf_counter()
    status_s = gaps_s = 0.0
    cells = covered = counted = 0
    area = area_within = 0.0
    for code, prov in provinces.items():
        st = stations[code]
        t0 = time.perf_counter()
        s = status(prov, st, "2023-12-31")
        t1 = time.perf_counter()
        points = gpd.GeoDataFrame(st, geometry=gpd.points_from_xy(st["lon"], st["lat"]), crs="EPSG:4326")
        g = gap_analysis(prov.townships, points, radius_m=args.radius_km * 1000)
        t2 = time.perf_counter()
        status_s += t1 - t0
        gaps_s += t2 - t1
        cells += len(g.demand)
        covered += s.summary["covered"]
        counted += s.summary["counted"]
        total = g.units.iloc[0]
        area += total["area_km2"]
        area_within += total["area_within_km2"]
        print(
            f"  {code} {prov.name}: {len(prov.townships):,} townships, {len(g.demand):,} cells, "
            f"status {t1 - t0:.2f} s, gaps {t2 - t1:.2f} s",
            flush=True,
        )
        del g
    total_s = time.perf_counter() - start
    print(
        f"all of China: {n_towns:,} townships, {cells:,} 1-km cells; covered {covered:,} of {counted:,} counted "
        f"townships; area within {args.radius_km:g} km {area_within / area:.1%}"
    )
    print(
        f"status {status_s:.1f} s + gaps {gaps_s:.1f} s = {total_s:.1f} s (target <= 60 s); "
        f"peak memory {peak_gb():.2f} GB (target <= 8 GB)"
    )

    if args.baseline:
        from status_gaps import baseline_gaps

        from coverage.analysis.demand import grid_demand
        from coverage.coords import projected_crs_for

        start = time.perf_counter()
        for code, prov in provinces.items():
            st = stations[code]
            points = gpd.GeoDataFrame(st, geometry=gpd.points_from_xy(st["lon"], st["lat"]), crs="EPSG:4326")
            d = grid_demand(prov.townships.to_crs(projected_crs_for(prov.townships)), 1000)
            baseline_gaps(prov.townships, points, args.radius_km * 1000, np.column_stack([d.x, d.y]))
        base_s = time.perf_counter() - start
        print(
            f"baseline geopandas gaps for all of China: {base_s:.1f} s; ratio {base_s / gaps_s:.1f}x against our gaps"
        )
