"""Command line: ``python -m coverage <command>``.

Every command prints a short human summary, or with ``--json`` one JSON
document on standard output.  Exit code 0 on success, 2 on bad input (the
reason on standard error).  Progress of long runs goes to standard error.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from . import settings
from ._errors import CoverageError


def _print_json(document: dict) -> None:
    print(json.dumps(document, ensure_ascii=False, indent=2, default=str))


def _progress(label: str) -> Callable[[int, int], None]:
    """A progress printer for standard error (a bar on a terminal, a line every 10 % otherwise)."""
    tty = sys.stderr.isatty()
    state = {"last": -1}

    def report(done: int, total: int) -> None:
        share = done / max(total, 1)
        if tty:
            bar = "#" * int(share * 30)
            print(f"\r{label} [{bar:<30}] {done}/{total}", end="" if done < total else "\n", file=sys.stderr)
        elif int(share * 10) > state["last"]:
            state["last"] = int(share * 10)
            print(f"{label}: {done}/{total}", file=sys.stderr)

    return report


# --------------------------------------------------------------------------- data
def cmd_data_register(args: argparse.Namespace) -> int:
    from . import build_register

    start = time.perf_counter()
    counts = build_register.rebuild(cache=args.cache, out_dir=args.out)
    document = {"out": str(args.out), "rows": counts, "seconds": round(time.perf_counter() - start, 1)}
    if args.json:
        _print_json(document)
    else:
        print(f"register tables written to {args.out} in {document['seconds']} s:")
        for name, n in counts.items():
            print(f"  {name:28} {n:>7,} rows")
    return 0


def cmd_data_build(args: argparse.Namespace) -> int:
    from .build_boundaries import build_province, province_path, worker_pool
    from .register import load_register

    reg = load_register()
    if args.all:
        codes = list(reg.provinces.index)
    elif args.province:
        codes = [reg.province_code(p) for p in args.province]
    else:
        codes = [settings.DEFAULT_PROVINCE]
    start = time.perf_counter()
    results = []
    pool = worker_pool(args.jobs) if args.jobs != 1 else None
    try:
        for i, code in enumerate(codes, start=1):
            out = province_path(code, Path(args.out)) if args.out else None
            label = f"[{i}/{len(codes)}] {code} {reg.provinces.loc[code, 'name']}"
            result = build_province(code, out=out, progress=_progress(label), pool=pool)
            results.append(result)
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    seconds = time.perf_counter() - start
    document = {
        "provinces": [
            {
                "province": r.province,
                "path": str(r.path),
                **r.counts,
                "seconds": round(r.seconds, 1),
                "report": r.report.to_dict(orient="records"),
            }
            for r in results
        ],
        "townships": sum(r.counts["townships"] for r in results),
        "seconds": round(seconds, 1),
    }
    if args.json:
        _print_json(document)
        return 0
    for r in results:
        print(
            f"{r.province} {reg.provinces.loc[r.province, 'name']}: {r.counts['townships']:,} townships "
            f"({r.counts['counted']:,} counted) in {r.counts['counties']} counties -> {r.path} ({r.seconds:.1f} s)"
        )
        for row in r.report.itertuples(index=False):
            print(f"    {row.level} {row.code} {row.name}: {row.issue} -> {row.action}")
    print(f"{document['townships']:,} townships in {len(results)} provinces, {seconds:.1f} s")
    return 0


def cmd_data_stations(args: argparse.Namespace) -> int:
    from . import demo

    written = demo.write_default_stations()
    document = {"files": [{"path": str(p), "rows": n} for p, n in written]}
    if args.json:
        _print_json(document)
    else:
        for p, n in written:
            print(f"{p}: {n} stations")
    return 0


def cmd_data_info(args: argparse.Namespace) -> int:
    from .data import load_province, province_files

    codes = [args.province] if args.province else sorted(province_files())
    document = {"provinces": []}
    for code in codes:
        prov = load_province(code)
        t = prov.townships
        kinds = t.groupby("kind").size().reindex(list(settings.KINDS), fill_value=0)
        document["provinces"].append(
            {
                "province": prov.code,
                "name": prov.name,
                "path": str(prov.path),
                "cities": len(prov.cities),
                "counties": len(prov.counties),
                "townships": len(t),
                "counted": int(t["counted"].sum()),
                "kinds": {k: int(v) for k, v in kinds.items()},
                "approximate_boundaries": int((t["boundary_quality"] == "approximate").sum()),
                "provenance": prov.provenance.to_dict(orient="records"),
                "build_report": prov.build_report.to_dict(orient="records"),
            }
        )
    if args.json:
        _print_json(document)
        return 0
    for p in document["provinces"]:
        kinds = ", ".join(f"{settings.KIND_LABELS_ZH[k]} {n}" for k, n in p["kinds"].items())
        print(f"{p['province']} {p['name']} ({p['path']})")
        print(f"  {p['cities']} cities, {p['counties']} counties, {p['townships']:,} township-level units: {kinds}")
        print(
            f"  counted in coverage targets: {p['counted']:,} (kinds {', '.join(settings.COUNTED_KINDS)}); "
            f"approximate boundaries: {p['approximate_boundaries']:,}"
        )
        if args.province:
            for row in p["provenance"]:
                print(f"  {row['layer']}: {row['source']} [{row['licence']}; {row['datum']}]")
                print(f"      approximate: {row['approximate']}")
    return 0


def cmd_data_replace(args: argparse.Namespace) -> int:
    from .replace import replace_townships

    result = replace_townships(
        args.province, args.file, code_col=args.code_col, name_col=args.name_col, county_col=args.county_col,
        layer=args.layer, crs=args.crs, out=args.out,
    )
    document = result.to_json()
    if args.json:
        _print_json(document)
    else:
        s = document["summary"]
        print(
            f"{document['path']}: {s['replaced']} township polygons replaced by {Path(args.file).name}, "
            f"{s['kept_approximate']} kept approximate, {s['unmatched_features']} features of the file not matched"
        )
        for row in document["rows"]:
            if row["status"] != "matched":
                print(f"  feature {row['row']}: {row['status']} - {row['message']}")
    return 0


# --------------------------------------------------------------------------- stations
def cmd_stations_check(args: argparse.Namespace) -> int:
    from .io import write_table
    from .stations import ROLE_FLAGS, read_stations

    overrides = {role: getattr(args, f"{role}_col") for role in ROLE_FLAGS if getattr(args, f"{role}_col", None)}
    result = read_stations(
        args.file, province=args.province, crs=args.crs, columns=overrides, sheet=args.sheet,
        fix_swapped=not args.no_fix_swapped,
    )
    document = {"file": str(args.file), **result.to_json()}
    if args.out:
        write_table(result.report, args.out)
        document["out"] = str(args.out)
    if args.json:
        _print_json(document)
        return 0
    s = result.summary
    print(f"{args.file}: {s['total']} rows ({result.table.encoding or 'xlsx'}, header on row {result.table.header_row})")
    print("  " + ", ".join(f"{k} {s[k]}" for k in ("matched", "repaired", "ambiguous", "unmatched", "rejected")))
    for note in result.notes:
        print(f"  note: {note}")
    for r in result.report.itertuples(index=False):
        if r.status != "matched" or r.message:
            where = f" -> {r.township}" if r.township else ""
            print(f"  row {r.row}: {r.status}{where}; {r.message}")
    if args.out:
        print(f"report written to {args.out}")
    return 0


# --------------------------------------------------------------------------- parser
def build_parser() -> argparse.ArgumentParser:
    from .stations import ROLE_FLAGS

    parser = argparse.ArgumentParser(
        prog="python -m coverage",
        description="Coverage planning for township social-work stations (社工站).",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def json_flag(p: argparse.ArgumentParser) -> None:
        p.add_argument("--json", action="store_true", help="print one JSON document instead of a summary")

    data = sub.add_parser("data", help="embedded data: build, inspect, replace boundaries")
    data_sub = data.add_subparsers(dest="data_command", required=True)

    p = data_sub.add_parser("register", help="rebuild data/register from npm china-division and PyPI cpca")
    p.add_argument("--cache", type=Path, default=None, help="folder for the downloaded packages (default build/sources)")
    p.add_argument("--out", type=Path, default=settings.REGISTER_DIR)
    json_flag(p)
    p.set_defaults(func=cmd_data_register)

    p = data_sub.add_parser("build", help="build province GeoPackages (townships as approximate cells)")
    p.add_argument("--province", action="append", help="2-digit code or name; repeat for several (default 45)")
    p.add_argument("--all", action="store_true", help="every province of the register")
    p.add_argument("--out", default=None, help="output folder (default data/boundaries for 44/45, else data/build)")
    p.add_argument("--jobs", type=int, default=0, help="worker processes (default: one per core; 1 = no pool)")
    json_flag(p)
    p.set_defaults(func=cmd_data_build)

    p = data_sub.add_parser("stations", help="rebuild the default station lists in data/stations")
    json_flag(p)
    p.set_defaults(func=cmd_data_stations)

    p = data_sub.add_parser("info", help="what the embedded data holds, and where it came from")
    p.add_argument("--province", default=None)
    json_flag(p)
    p.set_defaults(func=cmd_data_info)

    p = data_sub.add_parser("replace-townships", help="replace approximate township cells by official polygons")
    p.add_argument("--province", default=settings.DEFAULT_PROVINCE)
    p.add_argument("--file", required=True, help="GeoPackage, GeoJSON, Shapefile (or .zip), GeoParquet")
    p.add_argument("--code-col", default=None, help="column with 9-digit township codes (guessed if omitted)")
    p.add_argument("--name-col", default=None, help="column with township names (used where codes are missing)")
    p.add_argument("--county-col", default=None, help="column with county names or codes (to tell names apart)")
    p.add_argument("--layer", default=None)
    p.add_argument("--crs", default=None, help="CRS when the file has none: EPSG code, cgcs2000, wgs84, gcj02, bd09")
    p.add_argument("--out", type=Path, default=None, help="output GeoPackage (default: the province's file)")
    json_flag(p)
    p.set_defaults(func=cmd_data_replace)

    stations = sub.add_parser("stations", help="station lists")
    st_sub = stations.add_subparsers(dest="stations_command", required=True)
    p = st_sub.add_parser("check", help="import a station file and report row by row")
    p.add_argument("file", type=Path)
    p.add_argument("--province", default=None, help="code or name (default: inferred from the rows)")
    p.add_argument("--crs", default=None, help="wgs84 (default), cgcs2000, gcj02 (Amap/Tencent), bd09 (Baidu)")
    p.add_argument("--sheet", default=None, help="XLSX sheet name (default: the first)")
    p.add_argument("--no-fix-swapped", action="store_true", help="reject rows with swapped lat/lon instead of fixing")
    p.add_argument("--out", type=Path, default=None, help="write the report (.csv, .xlsx or .json)")
    for role, flag in ROLE_FLAGS.items():
        p.add_argument(flag, dest=f"{role}_col", default=None, help=argparse.SUPPRESS if role in ("crs", "source", "notes", "address", "lonlat") else f"column holding {role}")
    json_flag(p)
    p.set_defaults(func=cmd_stations_check)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except CoverageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except FileNotFoundError as exc:
        print(f"error: file not found: {exc.filename}", file=sys.stderr)
        return 2
