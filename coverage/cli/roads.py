"""``roads build``: the user's OSM road file, built once into ``data/build/roads/<province>/``."""

from __future__ import annotations

import argparse

from coverage import settings
from coverage.cli.common import existing_file, json_flag, print_json, province_type, station_crs_type


def cmd_roads_build(args: argparse.Namespace) -> int:
    from coverage.analysis.roads import build_roads
    from coverage.data.register import load_register

    code = load_register().province_code(args.province)
    result = build_roads(args.pbf, code, crs=args.crs or "wgs84", out_dir=args.out_dir)
    document = {"province": code, "folder": str(result.folder), "reused": result.reused, **result.provenance}
    if args.json:
        print_json(document)
        return 0
    counts = result.provenance["counts"]
    done = "already built from this file (same sha256): kept" if result.reused else "built"
    print(f"roads of province {code} {done}: {result.folder}")
    print(
        f"  {result.provenance['source']['name']} ({result.provenance['crs_declared']}): {counts['ways']:,} drivable ways, "
        f"{counts['nodes']:,} nodes, {counts['edges']:,} road segments in the largest connected part"
    )
    if counts["edges_not_connected"]:
        print(f"  left out: {counts['edges_not_connected']:,} segments not connected to it")
    if counts["oneway_ways"]:
        print(f"  note: {counts['oneway_ways']:,} one-way ways are driven both ways")
    print("  gaps, trip and supervise now use these roads by default (--travel line for straight lines)")
    return 0


def add_parsers(sub) -> None:
    """Add this group's commands to the ``python -m coverage`` sub-parsers."""
    roads = sub.add_parser("roads", help="road network for travel times by road (from the user's OSM file, offline)")
    roads_sub = roads.add_subparsers(dest="roads_command", required=True)
    p = roads_sub.add_parser("build", help="build the road network of a province from an .osm.pbf/.osm file (cached)")
    p.add_argument(
        "--province", type=province_type, default=settings.DEFAULT_PROVINCE, help="code or name (default 45)"
    )
    p.add_argument("--pbf", type=existing_file, required=True, help="OpenStreetMap road file, .osm.pbf or .osm")
    p.add_argument(
        "--crs",
        type=station_crs_type,
        default=None,
        help="coordinate system of the file: wgs84 (default; OpenStreetMap) or gcj02 (road data from Chinese map services)",
    )
    p.add_argument(
        "--out-dir",
        default=None,
        help=f"folder of built networks (default ${{COVERAGE_ROADS_DIR}} or {settings.ROADS_DIR.relative_to(settings.ROOT)})",
    )
    json_flag(p)
    p.set_defaults(func=cmd_roads_build)
