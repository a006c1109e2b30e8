"""The plain geopandas way of answering ``gaps --province 45 --radius-km 10``'s area question.

Loads the embedded township boundaries and station list as anyone would (``geopandas.read_file``,
``pandas.read_csv``), keeps the stations open today, buffers them by the radius in the CGCS2000
3-degree Gauss-Krüger zone of the province (256-vertex discs), unions the discs and the townships,
intersects, and prints the share of the province's area within the radius as JSON.  It imports
nothing from this repository: it is the baseline of ``bench/startup.py``.

    .venv/bin/python bench/baseline_gaps.py [--province 45] [--radius-km 10]
"""

import argparse
import datetime as dt
import json
from pathlib import Path

import geopandas as gpd
import pandas as pd

DATA = Path(__file__).resolve().parent.parent / "data"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--province", default="45")
    parser.add_argument("--radius-km", type=float, default=10.0)
    args = parser.parse_args()
    towns = gpd.read_file(next((DATA / "boundaries").glob(f"{args.province}_*.gpkg")), layer="townships")
    stations = pd.read_csv(next((DATA / "stations").glob(f"{args.province}_*.csv")), dtype=str)
    today = dt.date.today().isoformat()
    open_now = stations[(stations["opened"] <= today) & (stations["closed"].isna() | (stations["closed"] > today))]
    xmin, _, xmax, _ = towns.to_crs(4326).total_bounds
    central = round((xmin + xmax) / 2 / 3) * 3
    crs = f"EPSG:{4534 + (central - 75) // 3}"  # CGCS2000 3-degree Gauss-Krüger zone
    area = towns.to_crs(crs).union_all()
    points = gpd.GeoSeries(
        gpd.points_from_xy(open_now["lon"].astype(float), open_now["lat"].astype(float)), crs=4326
    ).to_crs(crs)
    within = points.buffer(args.radius_km * 1000.0, quad_segs=64).union_all().intersection(area)
    print(json.dumps({"radius_km": args.radius_km, "area_share_within": round(within.area / area.area, 6), "crs": crs}))


if __name__ == "__main__":
    main()
