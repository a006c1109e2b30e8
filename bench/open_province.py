"""Open the default province and build its map layer: target <= 2 s (issue 2).

Measured in fresh processes (imports included, nothing cached), median of 3.
Baseline, run side by side: the straightforward way - ``geopandas.read_file``
without Arrow, and a folium map of the unsimplified township polygons with
folium's default (CDN) assets.

    .venv/bin/python bench/open_province.py
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import median, report, run_fresh  # noqa: E402

OURS = """
import json, time
t0 = time.perf_counter()
from coverage.data.provinces import load_province, default_stations_path
from coverage.data.stations import read_stations
from coverage.analysis.admin import covered_codes
from coverage.present.webmap import township_map
t1 = time.perf_counter()
prov = load_province("45")
stations = read_stations(default_stations_path("45"), province="45").stations
t2 = time.perf_counter()
m = township_map(prov.townships, stations, covered_codes(stations), prov.counties)
html = m.get_root().render()
t3 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "load": t2 - t1, "map": t3 - t2, "total": t3 - t0, "html_mb": len(html) / 1e6}))
"""

BASELINE = """
import json, time
t0 = time.perf_counter()
import geopandas as gpd, folium, pandas as pd
t1 = time.perf_counter()
path = "data/boundaries/45_guangxi.gpkg"
towns = gpd.read_file(path, layer="townships", engine="pyogrio", use_arrow=False).to_crs(4326)
counties = gpd.read_file(path, layer="counties", engine="pyogrio", use_arrow=False).to_crs(4326)
st = pd.read_csv("data/stations/45_guangxi_demo.csv", dtype=str)
t2 = time.perf_counter()
m = folium.Map(location=[23.8, 108.8], zoom_start=7)
folium.GeoJson(towns.to_json()).add_to(m)
folium.GeoJson(counties.to_json()).add_to(m)
for r in st.itertuples():
    folium.CircleMarker([float(r.lat), float(r.lon)], radius=3).add_to(m)
html = m.get_root().render()
t3 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "load": t2 - t1, "map": t3 - t2, "total": t3 - t0, "html_mb": len(html) / 1e6}))
"""

if __name__ == "__main__":
    ours = run_fresh(OURS)
    base = run_fresh(BASELINE)
    for label, rows in (("ours", ours), ("baseline", base)):
        parts = ", ".join(f"{k} {median(rows, k):.2f}" for k in ("import", "load", "map"))
        print(f"  {label:8}: {parts} s; map HTML {median(rows, 'html_mb'):.1f} MB")
    report(
        "open Guangxi + build map layer",
        median(ours, "total"),
        "read_file + unsimplified folium",
        median(base, "total"),
        2.0,
    )
