"""``python -m coverage data ...``: build, inspect and replace the embedded data."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from coverage import settings
from coverage._errors import InputError
from coverage.cli.common import (
    folder_path,
    jobs_type,
    json_flag,
    layer_crs_type,
    layer_file,
    output_path,
    print_json,
    progress,
    province_type,
)


def cmd_data_register(args: argparse.Namespace) -> int:
    from coverage.data.build import register as build_register

    start = time.perf_counter()
    counts = build_register.rebuild(cache=args.cache, out_dir=args.out)
    document = {"out": str(args.out), "rows": counts, "seconds": round(time.perf_counter() - start, 1)}
    if args.json:
        print_json(document)
    else:
        print(f"register tables written to {args.out} in {document['seconds']} s:")
        for name, n in counts.items():
            print(f"  {name:28} {n:>7,} rows")
    return 0


def cmd_data_build(args: argparse.Namespace) -> int:
    from coverage.data.build.boundaries import build_province, province_path, worker_pool
    from coverage.data.register import load_register

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
            result = build_province(code, out=out, progress=progress(label), pool=pool)
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
                "point_sources": r.point_sources,
                "seconds": round(r.seconds, 1),
                "report": r.report.to_dict(orient="records"),
            }
            for r in results
        ],
        "townships": sum(r.counts["townships"] for r in results),
        "seconds": round(seconds, 1),
    }
    if args.json:
        print_json(document)
        return 0
    for r in results:
        print(
            f"{r.province} {reg.provinces.loc[r.province, 'name']!s}: {r.counts['townships']:,} townships "
            f"({r.counts['counted']:,} counted) in {r.counts['counties']} counties -> {r.path} ({r.seconds:.1f} s)"
        )
        total = max(r.counts["townships"], 1)
        print("    points: " + ", ".join(f"{k} {n:,} ({n / total:.1%})" for k, n in r.point_sources.items()))
        for row in r.report.itertuples(index=False):
            print(f"    {row.level} {row.code} {row.name}: {row.issue} -> {row.action}")
    print(f"{document['townships']:,} townships in {len(results)} provinces, {seconds:.1f} s")
    return 0


def cmd_data_stations(args: argparse.Namespace) -> int:
    from coverage.data import demo

    written = demo.write_default_stations()
    document = {"files": [{"path": str(p), "rows": n} for p, n in written]}
    if args.json:
        print_json(document)
    else:
        for p, n in written:
            print(f"{p}: {n} stations")
    return 0


def cmd_data_info(args: argparse.Namespace) -> int:
    from coverage.data.provinces import load_province, province_files

    codes = [args.province] if args.province else sorted(province_files())
    document: dict[str, list[dict]] = {"provinces": []}
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
                "point_sources": _point_sources(t),
                "estimated_seats": _estimated_seats(prov.counties),
                "provenance": prov.provenance.to_dict(orient="records"),
                "build_report": prov.build_report.to_dict(orient="records"),
            }
        )
    if args.json:
        print_json(document)
        return 0
    for p in document["provinces"]:
        kinds = ", ".join(f"{settings.KIND_LABELS_ZH[k]} {n}" for k, n in p["kinds"].items())
        print(f"{p['province']} {p['name']} ({p['path']})")
        print(f"  {p['cities']} cities, {p['counties']} counties, {p['townships']:,} township-level units: {kinds}")
        print(
            f"  counted in coverage targets: {p['counted']:,} (kinds {', '.join(settings.COUNTED_KINDS)}); "
            f"approximate boundaries: {p['approximate_boundaries']:,}"
        )
        shares = ", ".join(f"{k} {v['n']:,} ({v['share']:.1%})" for k, v in p["point_sources"].items())
        by_source = p["point_sources"]["published"].get("by_source", {})
        if by_source:
            shares += "; published from " + ", ".join(f"{k} {n:,}" for k, n in by_source.items())
        print(f"  township points: {shares}")
        if p["estimated_seats"]:
            print(f"  estimated county seats: {', '.join(p['estimated_seats'])}")
        if args.province:
            for row in p["provenance"]:
                print(f"  {row['layer']}: {row['source']} [{row['licence']}; {row['datum']}]")
                print(f"      approximate: {row['approximate']}")
    return 0


def _point_sources(townships) -> dict[str, dict]:
    """Townships by where their point came from: count and share (older files: every point estimated)."""
    column = townships.get("point_source", None)
    total = max(len(townships), 1)
    out: dict[str, dict] = {}
    for source in settings.POINT_SOURCES:
        n = int((column == source).sum()) if column is not None else (len(townships) if source == "estimated" else 0)
        out[source] = {"n": n, "share": round(n / total, 4)}
    if column is not None:
        refs = townships.loc[column == "published", "point_ref"].str.split(" ").str[0]
        out["published"]["by_source"] = {k: int(v) for k, v in refs.value_counts().sort_index().items()}
    return out


def _estimated_seats(counties) -> list[str]:
    """Counties whose seat is an estimate (code and name)."""
    if "seat_source" not in counties:
        return []
    rows = counties[counties["seat_source"] == "estimated"]
    return [f"{c} {n}" for c, n in zip(rows["code"], rows["name"], strict=True)]


def cmd_data_replace(args: argparse.Namespace) -> int:
    from coverage.data.replace import replace_townships

    result = replace_townships(
        args.province,
        args.file,
        code_col=args.code_col,
        name_col=args.name_col,
        county_col=args.county_col,
        layer=args.layer,
        crs=args.crs,
        out=args.out,
    )
    document = result.to_json()
    if args.json:
        print_json(document)
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


# --------------------------------------------------------------------------- parser
def check_data_build(args: argparse.Namespace) -> None:
    if args.all and args.province:
        msg = "--all builds every province; leave out --province, or leave out --all"
        raise InputError(msg)


def add_parsers(sub) -> None:
    """Add this group's commands to the ``python -m coverage`` sub-parsers."""
    data = sub.add_parser("data", help="embedded data: build, inspect, replace boundaries")
    data_sub = data.add_subparsers(dest="data_command", required=True)

    p = data_sub.add_parser("register", help="rebuild data/register from npm china-division and PyPI cpca")
    p.add_argument(
        "--cache", type=folder_path, default=None, help="folder for the downloaded packages (default build/sources)"
    )
    p.add_argument("--out", type=folder_path, default=settings.REGISTER_DIR, help="folder for the register tables")
    json_flag(p)
    p.set_defaults(func=cmd_data_register)

    p = data_sub.add_parser("build", help="build province GeoPackages (townships as approximate cells)")
    p.add_argument(
        "--province",
        type=province_type,
        action="append",
        help="2-digit code or name; repeat for several (default 45)",
    )
    p.add_argument("--all", action="store_true", help="every province of the register")
    p.add_argument(
        "--out",
        type=folder_path,
        default=None,
        help="output folder (default data/boundaries for 44/45, else data/build)",
    )
    p.add_argument(
        "--jobs",
        type=jobs_type,
        default=0,
        help="worker processes, at most one per core (default 0: one per core; 1 = no pool)",
    )
    json_flag(p)
    p.set_defaults(func=cmd_data_build, check=check_data_build)

    p = data_sub.add_parser("stations", help="rebuild the default station lists in data/stations")
    json_flag(p)
    p.set_defaults(func=cmd_data_stations)

    p = data_sub.add_parser("info", help="what the embedded data holds, and where it came from")
    p.add_argument("--province", type=province_type, default=None, help="code or name (default: every built one)")
    json_flag(p)
    p.set_defaults(func=cmd_data_info)

    p = data_sub.add_parser("replace-townships", help="replace approximate township cells by official polygons")
    p.add_argument("--province", type=province_type, default=settings.DEFAULT_PROVINCE, help="code or name")
    p.add_argument(
        "--file", type=layer_file, required=True, help="GeoPackage, GeoJSON, Shapefile (or .zip), GeoParquet"
    )
    p.add_argument("--code-col", default=None, help="column with 9-digit township codes (guessed if omitted)")
    p.add_argument("--name-col", default=None, help="column with township names (used where codes are missing)")
    p.add_argument("--county-col", default=None, help="column with county names or codes (to tell names apart)")
    p.add_argument("--layer", default=None)
    p.add_argument(
        "--crs",
        type=layer_crs_type,
        default=None,
        help="CRS when the file has none: EPSG code, cgcs2000, wgs84, gcj02, bd09",
    )
    p.add_argument(
        "--out", type=output_path(".gpkg"), default=None, help="output GeoPackage (default: the province's file)"
    )
    json_flag(p)
    p.set_defaults(func=cmd_data_replace)
