"""``status``, ``gaps`` and ``workforce``: coverage against targets, places beyond a service radius,
and certified social workers against the workforce targets."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from coverage import checks, settings
from coverage._errors import InputError
from coverage.cli.common import (
    add_notes,
    analysis_args,
    as_of_date,
    check_exclusive,
    check_needs,
    check_overrides,
    check_travel_radius,
    db_arg,
    existing_file,
    grid_arg,
    json_flag,
    kinds_type,
    known_on_arg,
    layer_file,
    non_negative_int,
    output_path,
    print_json,
    print_notes,
    print_off_counts,
    progress,
    province_and_stations,
    province_type,
    road_travel_of,
    rule_type,
    schedule_from_args,
    target_args,
    targets_type,
    travel_choice_arg,
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
    road = road_travel_of(args, str(prov.code)) if args.radius_min is not None else None
    if road is not None:
        from coverage.analysis.gaps import road_gap_analysis

        result = road_gap_analysis(
            prov.townships, open_now, args.radius_min, road, grid_m=args.grid_km * 1000.0, demand=demand
        )
    else:
        from coverage.analysis.demand import stored_grid_demand
        from coverage.analysis.gaps import station_points, stored_voronoi_pieces
        from coverage.coords import projected_crs_for, to_crs

        # what does not depend on the radius is kept on disk between commands: the default grid, and
        # the townships split by the stations' Voronoi cells (made again when the stations change)
        crs = projected_crs_for(prov.townships)
        towns_m = to_crs(prov.townships, crs)
        if demand is None:
            demand = stored_grid_demand(prov.path, prov.townships, crs, args.grid_km * 1000.0)
        xy = station_points(open_now, crs)
        pieces = stored_voronoi_pieces(prov.path, towns_m.geometry.to_numpy(), xy, crs) if len(xy) > 1 else None
        result = gap_analysis(
            towns_m,
            open_now,
            radius_m=radius_m,
            grid_m=args.grid_km * 1000.0,
            demand=demand,
            travel=travel,
            crs=crs,
            progress=progress("gaps"),
            pieces=pieces,
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
    if road is not None:
        radius = f"{args.radius_min:g} min by road"
    elif args.radius_min:
        radius = f"{args.radius_min:g} min ({radius_m / 1000:.1f} km straight)"
    else:
        radius = f"{s['radius_km']:g} km"
    print(f"{prov.name}, {len(open_now)} open stations, radius {radius}:")
    print(f"  travel: {result.travel}")
    print_off_counts(result.off_network)
    print(
        f"  area within: {s['area_share_within']:.1%}; demand within: {s['demand_share_within']:.1%}; "
        f"villages/communities within: {s['village_share_within']:.1%}"
    )
    print(f"  gap area: {s['gap_area_km2']:,.0f} km² in {len(result.gaps)} polygons")
    farthest_col = "farthest_min" if road is not None else "farthest_m"
    worst = result.townships.sort_values(["share_beyond", farthest_col], ascending=False).head(args.top)
    print("  townships farthest from a station:")
    for r in worst.to_dict(orient="records"):
        farthest = f"{r['farthest_min']:.0f} min by road" if "farthest_min" in r else f"{r['farthest_m'] / 1000:.1f} km"
        print(f"    {r['code']} {r['name']}: {r['share_beyond']:.0%} of its area beyond, farthest point {farthest}")
    if args.out:
        print(f"written to {args.out}")
    print_notes(notes)
    return 0


def cmd_workforce(args: argparse.Namespace) -> int:
    from coverage.analysis.admin import TargetSchedule, parse_targets
    from coverage.analysis.workforce import WORKFORCE_SCHEDULE, workforce_status
    from coverage.data.provinces import load_province
    from coverage.registry.analysis import registry_list
    from coverage.registry.store import open_registry

    prov = load_province(args.province)
    registry = open_registry(args.db)
    versions = registry.versions(str(prov.code), known_on=args.known_on)
    schedule = TargetSchedule(parse_targets(args.targets)) if args.targets else WORKFORCE_SCHEDULE
    result = workforce_status(
        prov, versions, args.as_of, schedule, baseline=args.baseline, baseline_date=args.baseline_date
    )
    document = result.to_json()
    document["known_on"] = args.known_on.isoformat() if args.known_on else None
    described = registry_list(registry, str(prov.code), args.known_on)
    notes = add_notes(document, prov, described, "stations", "rates")
    if args.json:
        print_json(document)
        return 0
    print_workforce(result, document, args.top)
    print_notes(notes)
    return 0


def print_workforce(result, document: dict, top: int) -> None:
    """The text summary of ``workforce``."""
    known = f" (the registry as known on {document['known_on']})" if document["known_on"] else ""
    print(f"{result.name} on {result.as_of}{known}: certified social workers (持证社工)")
    if not result.has_figures:
        print(
            "  the registry holds no staff figures for this province: the workforce targets cannot be tracked; "
            "counties give them in their monthly ledgers (columns 社工人数, 持证社工人数)"
        )
        return
    s, towns, workers = result.summary, document["townships"], document["certified_workers"]
    print(
        f"  townships with a certified worker: {s['with_certified']:,} of {s['counted']:,} counted ({s['rate']:.1%}); "
        f"{s['stations_reporting']:,} of {s['stations_open']:,} open stations give staff figures"
    )
    for t in towns["targets"]:
        state = {True: "met", False: "NOT met", None: "due later"}[t["met"]]
        print(f"  target {t['share']:.0%} by {t['date']}: {state}; townships still short: {t['needed']:,}")
    base = workers["baseline"]
    given = "given" if workers["baseline_given"] else f"on {workers['baseline_date']}"
    print(
        f"  certified workers: {workers['count']:,}; baseline ({given}): {'unknown' if base is None else f'{base:,}'}"
    )
    for step in workers["steps"]:
        if step["required"] is None:
            continue
        then = "" if step["count_on_date"] is None else f", {step['count_on_date']:,} on that date"
        state = {True: "met", False: "NOT met", None: "due later"}[step["met"]]
        print(f"  x{workers['factor']:g} path: {step['required']:,} by {step['date']}: {state}{then}")
    lagging = result.lagging("county")
    if len(lagging):
        print(f"  {len(lagging)} counties behind (townships without a certified worker, or too few certified workers):")
        for r in lagging.head(top).itertuples(index=False):
            base_text = "unknown" if r.baseline is None else f"{r.baseline}"
            print(
                f"    {r.code} {r.name}: {r.covered}/{r.counted} townships ({r.rate:.0%}), "
                f"{r.certified_workers} certified (baseline {base_text})"
            )
    else:
        print("  no county is behind")


# --------------------------------------------------------------------------- parser
def check_gaps(args: argparse.Namespace) -> None:
    if (args.radius_km is None) == (args.radius_min is None):
        msg = "give exactly one of --radius-km or --radius-min"
        raise InputError(msg)
    check_travel_radius(args)
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
    travel_choice_arg(p)
    p.add_argument(
        "--out",
        type=output_path(".gpkg", ".xlsx"),
        default=None,
        help="write results (.gpkg with gap polygons, or .xlsx)",
    )
    json_flag(p)
    p.set_defaults(func=cmd_gaps, check=check_gaps)

    p = sub.add_parser(
        "workforce",
        help="certified social workers (持证社工) from the registry: townships with one, and the 2020-2023 doubling",
    )
    p.add_argument(
        "--province", type=province_type, default=settings.DEFAULT_PROVINCE, help="code or name (default 45)"
    )
    db_arg(p)
    known_on_arg(p)
    p.add_argument(
        "--as-of",
        type=as_of_date,
        default=None,
        help=f"date YYYY-MM-DD from {settings.EARLIEST_DATE} to {settings.LATEST_DATE}, or a year (default today)",
    )
    default_targets = ",".join(f"{d}:{s * 100:g}" for d, s in settings.WORKFORCE_TARGETS)
    p.add_argument(
        "--targets",
        type=targets_type,
        default=None,
        help=f"share of townships with a certified worker, date:percent list (default {default_targets})",
    )
    p.add_argument(
        "--baseline",
        type=non_negative_int,
        default=None,
        help="certified workers of the province at the baseline date (default: the registry's count then)",
    )
    p.add_argument(
        "--baseline-date",
        type=as_of_date,
        default=settings.WORKFORCE_BASELINE_DATE,
        help=f"the date the doubling counts from (default {settings.WORKFORCE_BASELINE_DATE}; "
        f"x{settings.WORKFORCE_GROWTH_FACTOR:g} by {settings.WORKFORCE_GROWTH_BY})",
    )
    p.add_argument("--top", type=non_negative_int, default=10, help="counties listed in the summary (0 or more)")
    json_flag(p)
    p.set_defaults(func=cmd_workforce)
