"""Build the embedded data: one province <= 60 s, all of China <= 5 min (issue 2).

Baseline, run side by side: the same build in one process (no worker pool).

    .venv/bin/python bench/build_data.py            # Guangxi, pooled vs serial
    .venv/bin/python bench/build_data.py --all      # all 31 provinces, pooled (and serial with --baseline)
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import report  # noqa: E402

from coverage.data.build.boundaries import build_province, worker_pool
from coverage.data.national import source_polygons
from coverage.data.register import load_register  # noqa: E402


def build(codes, out: Path, pooled: bool) -> tuple[float, int]:
    start = time.perf_counter()
    n = 0
    pool = worker_pool() if pooled else None
    try:
        for code in codes:
            n += build_province(code, out=out / f"{code}.gpkg", pool=pool).counts["townships"]
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    return time.perf_counter() - start, n


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--all", action="store_true")
    parser.add_argument("--baseline", action="store_true", help="with --all: also build serially")
    args = parser.parse_args()
    source_polygons()  # read the source polygons once, outside the timings
    codes = list(load_register().provinces.index) if args.all else ["45"]
    with tempfile.TemporaryDirectory() as tmp:
        ours, n = build(codes, Path(tmp), pooled=True)
        print(f"  pooled: {n:,} townships in {ours:.1f} s")
        if args.all and not args.baseline:
            print(f"all of China: {ours:.1f} s (target <= 300 s){'  target met' if ours <= 300 else '  TARGET MISSED'}")
            sys.exit(0)
        base, _ = build(codes, Path(tmp), pooled=False)
        print(f"  serial: {n:,} townships in {base:.1f} s")
    target = 300.0 if args.all else 60.0
    report("all of China" if args.all else "Guangxi", ours, "serial build, one process", base, target)
