"""``status`` and ``gaps``: coverage against targets, and places beyond a service radius."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from coverage import checks, settings
from coverage._errors import InputError
from coverage.cli.common import (
    add_notes,
    analysis_args,
    check_exclusive,
    check_needs,
    check_overrides,
    existing_file,
    grid_arg,
    json_flag,
    kinds_type,
    layer_file,
    output_path,
    print_json,
    print_notes,
    progress,
    province_and_stations,
    rule_type,
    schedule_from_args,
    target_args,
)


def cmd_status(args: argparse.Namespace) -> int:
    import pandas as pd

    from coverage.analysis.admin import status, trajectory
    from coverage.data.io import write_sheets, write_table

    prov, stations, described = province_and_stations(args)
    kinds = tuple(k.strip() for k in args.kinds.split(",")) if args.kinds else None
    result = status(prov, stations, args.as_of, schedule_from_args(args), kinds=kinds)
    document = result.to_json()
    if args.out:
        out = Path(args.out)
        if out.suffix.lower() == ".xlsx":
            write_sheets(
                {
                    "targets": pd.DataFrame(result.targets),
                    "units": result.units,
                    "trajectory": trajectory(prov, stations, end=result.as_of, level="city", kinds=kinds),
                },
                out,
            )
        else:
            write_table(result.units, out)
        document["out"] = str(out)
    notes = add_notes(document, prov, described, "stations", "rates")
    if args.json:
        print_json(document)
        return 0
    print(
        f"{result.name} on {result.as_of}: {document['covered']:,} of {document['counted']:,} counted townships "
        f"have a station ({document['rate']:.1%})"
    )
    for t in result.targets:
        state = {True: "met", False: "NOT met", None: "due later"}[t["met"]]
        extra = f", reached {t['reached']}" if t["reached"] else ""
        print(f"  target {t['share']:.0%} by {t['date']}: {state}{extra}; stations still needed: {t['needed']:,}")
    lagging = result.lagging("county")
    if len(lagging):
        print(f"  {len(lagging)} counties behind their latest target (most stations short first):")
        for r in lagging.head(args.top).itertuples(index=False):
            print(f"    {r.code} {r.name}: {r.covered}/{r.counted} ({r.rate:.0%}), {r.needed_for_due_target} short")
    else:
        print("  no county is behind its latest due target")
    if args.out:
        print(f"table written to {args.out}")
    print_notes(notes)
    return 0


def cmd_gaps(args: argparse.Namespace) -> int:
    from coverage.analysis.demand import grid_demand, point_demand, raster_demand, weights_by_code
    from coverage.analysis.gaps import gap_analysis
    from coverage.analysis.travel import StraightLine
    from coverage.data.io import read_layer, write_layers, write_sheets
    from coverage.data.schema import open_on

    prov, stations, described = province_and_stations(args)
    open_now = stations[open_on(stations, args.as_of)]
    travel = StraightLine()
    radius_m = args.radius_km * 1000.0 if args.radius_km is not None else travel.metres_for_minutes(args.radius_min)
    demand = None
    if args.demand_raster or args.demand_points or args.township_weights:
        from coverage.coords import projected_crs_for

        towns_m = prov.townships.to_crs(projected_crs_for(prov.townships))
        if args.demand_raster:
            demand, outside = raster_demand(towns_m, args.demand_raster)
            if outside:
                print(f"note: raster value {outside:,.0f} lies outside every township and is left out", file=sys.stderr)
        elif args.demand_points:
            points = read_layer(args.demand_points).frame
            demand, dropped = point_demand(towns_m, points, args.weight_col)
            if dropped:
                print(f"note: {dropped} demand points lie outside every township and are left out", file=sys.stderr)
        else:
            from coverage.data.tables import read_code_table

            table = read_code_table(args.township_weights)
            weights = weights_by_code(table, "code", args.weight_col or table.columns[1])
            demand = grid_demand(towns_m, args.grid_km * 1000.0, weights=weights)
    result = gap_analysis(
        prov.townships,
        open_now,
        radius_m=radius_m,
        grid_m=args.grid_km * 1000.0,
        demand=demand,
        travel=travel,
        progress=progress("gaps"),
    )
    if args.radius_min is not None:
        result.minutes = args.radius_min
    document = result.to_json()
    if args.out:
        out = Path(args.out)
        towns = prov.townships[["code", "geometry"]].merge(result.townships, on="code")
        if out.suffix.lower() == ".gpkg":
            write_layers({"gaps": result.gaps, "townships": towns, "units": result.units}, out)
        else:
            write_sheets(
                {"townships": result.townships, "units": result.units, "gaps": result.gaps.drop(columns="geometry")},
                out,
            )
        document["out"] = str(out)
    notes = add_notes(document, prov, described, "stations", "places")
    if args.json:
        print_json(document)
        return 0
    s = result.summary
    radius = (
        f"{args.radius_min:g} min ({radius_m / 1000:.1f} km straight)" if args.radius_min else f"{s['radius_km']:g} km"
    )
    print(f"{prov.name}, {len(open_now)} open stations, radius {radius}:")
    print(
        f"  area within: {s['area_share_within']:.1%}; demand within: {s['demand_share_within']:.1%}; "
        f"villages/communities within: {s['village_share_within']:.1%}"
    )
    print(f"  gap area: {s['gap_area_km2']:,.0f} km² in {len(result.gaps)} polygons")
    worst = result.townships.sort_values(["share_beyond", "farthest_m"], ascending=False).head(args.top)
    print("  townships farthest from a station:")
    for r in worst.to_dict(orient="records"):
        print(
            f"    {r['code']} {r['name']}: {r['share_beyond']:.0%} of its area beyond, "
            f"farthest point {r['farthest_m'] / 1000:.1f} km"
        )
    if args.out:
        print(f"written to {args.out}")
    print_notes(notes)
    return 0


# --------------------------------------------------------------------------- parser
def check_gaps(args: argparse.Namespace) -> None:
    if (args.radius_km is None) == (args.radius_min is None):
        msg = "give exactly one of --radius-km or --radius-min"
        raise InputError(msg)
    check_exclusive(args, "demand_raster", "demand_points", "township_weights")
    check_needs(args, "weight_col", "demand_points", "township_weights")


def add_parsers(sub) -> None:
    """Add this group's commands to the ``python -m coverage`` sub-parsers."""
    p = sub.add_parser("status", help="township coverage against the target schedule, per city and county")
    analysis_args(p)
    target_args(p)
    p.add_argument(
        "--kinds",
        type=kinds_type,
        default=None,
        help=f"kinds counted, some of {','.join(settings.KINDS)} (default {','.join(settings.COUNTED_KINDS)})",
    )
    p.add_argument(
        "--out",
        type=output_path(".csv", ".xlsx", ".json"),
        default=None,
        help="write the table (.csv, .json, or .xlsx with targets, units and trajectory)",
    )
    json_flag(p)
    p.set_defaults(func=cmd_status, check=check_overrides)

    p = sub.add_parser("gaps", help="places and demand beyond a service radius of every open station")
    analysis_args(p)
    p.add_argument(
        "--radius-km",
        type=rule_type(checks.RADIUS_KM),
        default=None,
        help=f"service radius, straight-line km, above 0 and at most {settings.MAX_RADIUS_KM:g}",
    )
    p.add_argument(
        "--radius-min",
        type=rule_type(checks.RADIUS_MIN),
        default=None,
        help=f"service radius in travel minutes, above 0 and at most {settings.MAX_RADIUS_MIN:g} "
        f"(circuity {settings.CIRCUITY_FACTOR}, {settings.AVERAGE_SPEED_KMH:g} km/h)",
    )
    grid_arg(p)
    p.add_argument("--demand-raster", type=existing_file, default=None, help="population raster (GeoTIFF) as demand")
    p.add_argument(
        "--demand-points",
        type=layer_file,
        default=None,
        help="point layer as demand: .gpkg, .geojson, .shp, .zip or .parquet (with --weight-col)",
    )
    p.add_argument(
        "--township-weights",
        type=existing_file,
        default=None,
        help="CSV/XLSX: township code, weight (spread over its grid cells)",
    )
    p.add_argument("--weight-col", default=None, help="weight column of --demand-points or --township-weights")
    p.add_argument(
        "--out",
        type=output_path(".gpkg", ".xlsx"),
        default=None,
        help="write results (.gpkg with gap polygons, or .xlsx)",
    )
    json_flag(p)
    p.set_defaults(func=cmd_gaps, check=check_gaps)
