"""Peak memory of importing a station file, against plain ``pandas.read_csv`` of the same file.

A realistic station file is generated (station id, "city county township 社工站" of a real Guangxi
township, WGS 84 coordinates inside the province, an opening date: about 70 bytes a row, so
200,000 rows are about 14 MB).  Each measurement runs in a fresh interpreter (imports and the
province's data loaded first, so only the import itself is measured) and reports the growth of
the peak resident set size (``ru_maxrss``) over the loaded state.

Baseline: ``pandas.read_csv(path, dtype=str)`` of the same file - the least any reader that keeps
every cell as text needs.

    .venv/bin/python bench/import_memory.py [--rows 50000] [--refused-rows 200000]

``--rows`` defaults to :data:`coverage.settings.MAX_STATION_ROWS` (the largest file accepted);
``--refused-rows`` measures a file above the limit, which must be refused cheaply.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PRELUDE = """
import json, resource, sys
sys.path.insert(0, {root!r})
from coverage.data.provinces import load_province
from coverage.data.names import matcher_for
import pandas as pd
prov = load_province("45")
matcher_for("45")
try:
    from coverage.data.names import national_index
    national_index()
except ImportError:
    pass
before_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
"""
OURS = """
from coverage._errors import InputError
from coverage.data.stations import read_stations
try:
    result = read_stations({path!r}, province="45", townships=prov.townships)
    outcome = f"{{len(result.report)}} report rows, {{len(result.stations)}} stations"
except InputError as exc:
    outcome = "refused: " + str(exc)[:160]
"""
BASELINE = """
frame = pd.read_csv({path!r}, dtype=str)
outcome = f"{{len(frame)}} rows"
"""
EPILOGUE = """
peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"mb": (peak_kb - before_kb) / 1024, "outcome": outcome}))
"""


def write_file(path: Path, rows: int, seed: int = 0) -> int:
    """A station CSV of ``rows`` rows (UTF-8 with BOM); returns its size in bytes."""
    import numpy as np

    from coverage.data.register import load_register

    reg = load_register()
    towns = reg.counted("45").reset_index(drop=True)
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, len(towns), rows)
    lon = rng.uniform(104.5, 111.9, rows)
    lat = rng.uniform(21.5, 26.3, rows)
    cities = towns["city_code"].map(reg.cities["name"]).to_numpy()
    counties = towns["county_code"].map(reg.counties["name"]).to_numpy()
    names = towns["name"].to_numpy()
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        out.write("编号,站点名称,经度,纬度,建站时间\n")
        for i in range(rows):
            t = pick[i]
            out.write(
                f"S{i:06d},{cities[t]}{counties[t]}{names[t]}社工站,{lon[i]:.6f},{lat[i]:.6f},2021-{1 + i % 12:02d}-15\n"
            )
    return path.stat().st_size


def measure(body: str, path: Path) -> dict:
    code = PRELUDE.format(root=str(ROOT)) + body.format(path=str(path)) + EPILOGUE
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def compare(rows: int, folder: Path) -> None:
    path = folder / f"stations_{rows}.csv"
    size_mb = write_file(path, rows) / 1e6
    ours = measure(OURS, path)
    base = measure(BASELINE, path)
    ratio = ours["mb"] / base["mb"] if base["mb"] > 0 else float("nan")
    print(
        f"{rows:,} rows ({size_mb:.1f} MB): ours +{ours['mb']:.0f} MB ({ours['outcome']}); "
        f"baseline 'pandas.read_csv(dtype=str)' +{base['mb']:.0f} MB; ratio {ratio:.1f}x"
    )


def main() -> None:
    from coverage import settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=getattr(settings, "MAX_STATION_ROWS", 50_000))
    parser.add_argument("--refused-rows", type=int, default=200_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for rows in dict.fromkeys((args.rows, args.refused_rows)):
            if rows:
                compare(rows, Path(tmp))


if __name__ == "__main__":
    main()
