"""``stations check``: import a station file and report every row."""

from __future__ import annotations

import argparse

from coverage.cli.common import (
    existing_file,
    json_flag,
    output_path,
    print_json,
    province_type,
    station_crs_type,
)


def cmd_stations_check(args: argparse.Namespace) -> int:
    from coverage.data.columns import ROLE_FLAGS
    from coverage.data.io import write_table
    from coverage.data.stations import read_station_list

    overrides = {role: getattr(args, f"{role}_col") for role in ROLE_FLAGS if getattr(args, f"{role}_col", None)}
    result = read_station_list(
        str(args.file),
        province=args.province,
        crs=args.crs,
        columns=overrides,
        sheet=args.sheet,
        fix_swapped=not args.no_fix_swapped,
    )
    document = {"file": str(args.file), **result.to_json()}
    if args.out:
        write_table(result.report, args.out)
        document["out"] = str(args.out)
    if args.json:
        print_json(document)
        return 0
    s = result.summary
    table = result.table
    kind = table.encoding or ("xlsx" if table.sheet else "names given inline")
    header = "no header row" if table.headerless else f"header on row {table.header_row}"
    print(f"{args.file}: {s['total']} rows ({kind}, {header})")
    print("  " + ", ".join(f"{k} {s[k]}" for k in ("matched", "repaired", "ambiguous", "unmatched", "rejected")))
    for note in result.notes:
        print(f"  note: {note}")
    for r in result.report.to_dict(orient="records"):
        if r["status"] != "matched" or r["message"]:
            where = f" -> {r['township']}" if r["township"] else ""
            print(f"  row {r['row']}: {r['status']}{where}; {r['message']}")
    if args.out:
        print(f"report written to {args.out}")
    return 0


# --------------------------------------------------------------------------- parser
def add_parsers(sub) -> None:
    """Add this group's commands to the ``python -m coverage`` sub-parsers."""
    from coverage.data.columns import ROLE_FLAGS

    stations = sub.add_parser("stations", help="station lists")
    st_sub = stations.add_subparsers(dest="stations_command", required=True)
    p = st_sub.add_parser("check", help="import a station file and report row by row")
    p.add_argument("file", type=existing_file, help="station list (.csv, .txt or .xlsx)")
    p.add_argument(
        "--province", type=province_type, default=None, help="code or name (default: inferred from the rows)"
    )
    p.add_argument(
        "--crs",
        type=station_crs_type,
        default=None,
        help="wgs84 (default), cgcs2000, gcj02 (Amap/Tencent), bd09 (Baidu)",
    )
    p.add_argument("--sheet", default=None, help="XLSX sheet name (default: the first)")
    p.add_argument("--no-fix-swapped", action="store_true", help="reject rows with swapped lat/lon instead of fixing")
    p.add_argument(
        "--out",
        type=output_path(".csv", ".xlsx", ".json"),
        default=None,
        help="write the report (.csv, .xlsx or .json)",
    )
    for role, flag in ROLE_FLAGS.items():
        p.add_argument(
            flag,
            dest=f"{role}_col",
            default=None,
            help=argparse.SUPPRESS
            if role in ("crs", "source", "notes", "address", "lonlat")
            else f"column holding {role}",
        )
    json_flag(p)
    p.set_defaults(func=cmd_stations_check)
