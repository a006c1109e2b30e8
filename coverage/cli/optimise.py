"""``site``, ``need`` and ``plan``: where the next stations should go, and the yearly rollout."""

from __future__ import annotations

import argparse

from coverage import checks, settings
from coverage._errors import InputError
from coverage.cli.common import (
    add_notes,
    analysis_args,
    check_overrides,
    existing_file,
    grid_arg,
    json_flag,
    need_weights_type,
    output_path,
    print_json,
    print_notes,
    province_and_stations,
    rule_type,
    schedule_from_args,
    target_args,
    time_limit_arg,
)


def cmd_site(args: argparse.Namespace) -> int:
    from coverage.optimise.siting import SitingProblem, solve_model

    if args.model != "lscp" and args.p is None:
        msg = f"--p (number of new stations) is required for {args.model}"
        raise InputError(msg)
    extra: dict = {}
    if args.cost_matrix:
        from coverage.data.tables import read_matrix, read_weights

        cost = read_matrix(args.cost_matrix)
        weights = read_weights(args.weights, list(cost.index)) if args.weights else None
        problem = SitingProblem.from_cost_matrix(cost, weights)
        radius = args.radius
        prov = described = None  # the user's own costs: nothing to say about townships or a list
    else:
        from coverage.data.schema import open_on
        from coverage.optimise.candidates import province_problem

        prov, stations, described = province_and_stations(args)
        open_now = stations[open_on(stations, args.as_of)]
        radius = (args.radius_km or settings.DEFAULT_RADIUS_KM) * 1000.0
        candidates = _candidate_sites(args.candidates, prov.code) if args.candidates else None
        problem = province_problem(
            args.model, prov.townships, open_now, radius, candidates, demand=args.demand, grid_m=args.grid_km * 1000
        )
        extra = {"province": prov.code, "radius_km": radius / 1000.0}
    result = solve_model(
        args.model,
        problem,
        radius=radius,
        p=args.p,
        share=args.share,
        county_min=args.county_min,
        county_max=args.county_max,
        method=args.method,
        time_limit=args.time_limit,
    )
    document = {**result.to_json(), **extra}
    notes = add_notes(document, prov, described, "stations", "places")
    if args.json:
        print_json(document)
        return 0
    share = f"; demand within the radius {result.covered_share:.1%}" if result.covered_share is not None else ""
    print(f"{args.model}: objective {result.objective:,.2f} (bound {result.bound:,.2f}, gap {result.gap:.3%}){share}")
    print(
        f"  {len(result.selected)} sites: {', '.join(result.selected[: args.top])}{' ...' if len(result.selected) > args.top else ''}"
    )
    print(f"  solver: {result.solver}, {result.seconds:.2f} s")
    print_notes(notes)
    return 0


def _candidate_sites(path, province: str):
    """User candidate sites: a station-like file (coordinates or township names), placed by the importer."""
    import geopandas as gpd

    from coverage.data.stations import read_station_list

    imported = read_station_list(str(path), province=province)
    sites = imported.stations
    if sites.empty:
        msg = f"none of the candidate sites in {path} could be placed; check it with `python -m coverage stations check {path}`"
        raise InputError(msg)
    out = gpd.GeoDataFrame(
        {
            "code": sites["station_id"].astype(str).to_numpy(),
            "name": sites["name"].to_numpy(),
            "county_code": sites["county_code"].to_numpy(),
            "city_code": sites["city_code"].to_numpy(),
            "township_code": sites["township_code"].to_numpy(),
        },
        geometry=sites.geometry.values,
        crs=sites.crs,
    )
    return out


def cmd_need(args: argparse.Namespace) -> int:
    from coverage.analysis.need import need_scores
    from coverage.data.io import write_table
    from coverage.data.tables import read_code_table

    prov, stations, described = province_and_stations(args)
    extra = read_code_table(args.extra) if args.extra else None
    weights = {}
    for item in (args.weights or "").split(","):
        if item.strip():
            key, _, value = item.partition("=")
            try:
                weights[key.strip()] = float(value)
            except ValueError as exc:
                msg = f"--weights {item!r}: use name=number, e.g. villages=1,distance=2"
                raise InputError(msg) from exc
    table = need_scores(prov.townships, stations, args.as_of, args.radius_km * 1000.0, extra=extra, weights=weights)
    if args.out:
        write_table(table, args.out, sheet="need")
    document = {"weights": table.attrs["weights"], "townships": table.to_dict(orient="records")}
    notes = add_notes(document, prov, described, "stations", "places")
    if args.json:
        print_json(document)
        return 0
    print(f"{prov.name}: {len(table)} counted townships without a station; weights {table.attrs['weights']}")
    for r in table.head(args.top).itertuples(index=False):
        print(
            f"  {r.rank:>4}. {r.code} {r.county_name}{r.name}: score {r.score:.1f} "
            f"(villages {r.villages:.0f}, beyond {r.demand_beyond:.0f}, {r.distance:.1f} km, {r.area:.0f} km²)"
        )
    if args.out:
        print(f"table written to {args.out}")
    print_notes(notes)
    return 0


def cmd_plan(args: argparse.Namespace) -> int:
    from coverage.optimise.rollout import plan_rollout

    prov, stations, described = province_and_stations(args)
    result = plan_rollout(
        prov,
        stations,
        args.as_of,
        schedule_from_args(args),
        radius_m=args.radius_km * 1000.0,
        demand=args.demand,
        grid_m=args.grid_km * 1000.0,
        county_min=args.county_min,
        method=args.method,
        time_limit=args.time_limit,
    )
    document = result.to_json()
    if args.out:
        import pandas as pd

        from coverage.data.io import write_sheets

        sheets = {
            "years": pd.DataFrame(
                [
                    {k: v for k, v in y.items() if k != "opened"} | {"opened": len(y["opened"])}
                    for y in document["years"]
                ]
            )
        }
        for y in result.years:
            sheets[f"opened {y.date.isoformat()}"] = y.reasons
        write_sheets(sheets, args.out)
        document["out"] = str(args.out)
    notes = add_notes(document, prov, described, "stations", "places")
    if args.json:
        print_json(document)
        return 0
    print(
        f"{prov.name}: rollout from {result.as_of}, radius {result.radius_m / 1000:g} km ({result.solver}, gap {result.gap:.3%}, {result.seconds:.1f} s)"
    )
    for note in result.notes:
        print(f"  note: {note}")
    for y in result.years:
        top = ", ".join(f"{r.name}({r.code})" for r in y.reasons.head(5).itertuples(index=False))
        print(
            f"  by {y.date}: target {y.target_share:.0%} -> open {len(y.opened)} new; rate {y.rate_after:.1%}, "
            f"demand within {y.demand_share_within_after:.1%}; first: {top}"
        )
    if args.out:
        print(f"plan written to {args.out}")
    print_notes(notes)
    return 0


# --------------------------------------------------------------------------- parser
def check_site(args: argparse.Namespace) -> None:
    """Rules between the arguments of ``site``."""
    model = args.model
    if model in ("mclp", "pmedian", "pcenter") and args.p is None:
        msg = f"--p (number of new stations) is required for {model}"
        raise InputError(msg)
    if model == "lscp" and args.p is not None:
        msg = "lscp finds the fewest new stations itself; leave out --p (or use --model mclp)"
        raise InputError(msg)
    if model != "lscp" and args.share is not None:
        msg = f"--share is the share of demand LSCP must bring within the radius; {model} does not use it, leave it out"
        raise InputError(msg)
    if args.cost_matrix:
        if model in ("mclp", "lscp") and args.radius is None:
            msg = f"{model} needs a radius: --radius (cost-matrix units)"
            raise InputError(msg)
        unused = [
            flag
            for flag, value in (
                ("--radius-km", args.radius_km),
                ("--candidates", args.candidates),
                ("--stations", args.stations),
                ("--county-min", args.county_min or None),
                ("--county-max", args.county_max),
            )
            if value is not None
        ]
        if unused:
            msg = f"{', '.join(unused)} work on the province's townships, not with --cost-matrix; leave them out"
            raise InputError(msg)
    else:
        for flag, value in (("--radius", args.radius), ("--weights", args.weights)):
            if value is not None:
                msg = f"{flag} goes with --cost-matrix; on the province's townships use --radius-km and --demand"
                raise InputError(msg)
    if args.county_max is not None and args.county_min > args.county_max:
        msg = f"--county-min {args.county_min} is above --county-max {args.county_max}; swap them"
        raise InputError(msg)
    if args.share is None:
        args.share = 1.0


def add_parsers(sub) -> None:
    """Add this group's commands to the ``python -m coverage`` sub-parsers."""
    p = sub.add_parser("site", help="where to open new stations: MCLP, LSCP, p-median, p-center")
    analysis_args(p)
    p.add_argument("--model", choices=settings.SITING_MODELS, required=True)
    p.add_argument(
        "--p",
        type=rule_type(checks.NEW_STATIONS),
        default=None,
        help="number of new stations, 1 or more, at most the candidates (mclp, pmedian, pcenter)",
    )
    p.add_argument(
        "--radius-km",
        type=rule_type(checks.RADIUS_KM),
        default=None,
        help=f"service radius, km, above 0 and at most {settings.MAX_RADIUS_KM:g} (province mode; default {settings.DEFAULT_RADIUS_KM:g})",
    )
    grid_arg(p)
    p.add_argument(
        "--demand", choices=["villages", "area"], default="villages", help="grid demand weights (province mode)"
    )
    p.add_argument(
        "--cost-matrix",
        type=existing_file,
        default=None,
        help="CSV: first column demand ids, header row candidate ids",
    )
    p.add_argument("--weights", type=existing_file, default=None, help="CSV id,weight for the cost matrix's demand ids")
    p.add_argument(
        "--radius",
        type=rule_type(checks.COST_RADIUS),
        default=None,
        help="service radius in the cost matrix's units, above 0",
    )
    p.add_argument(
        "--share",
        type=rule_type(checks.SHARE),
        default=None,
        help="LSCP: share of demand to bring within the radius, above 0 and at most 1 (default 1)",
    )
    p.add_argument(
        "--county-min",
        type=rule_type(checks.COUNTY_MIN),
        default=0,
        help="at least this many new stations per county (0 or more)",
    )
    p.add_argument(
        "--county-max",
        type=rule_type(checks.COUNTY_MAX),
        default=None,
        help="at most this many new stations per county (1 or more)",
    )
    p.add_argument(
        "--candidates",
        type=existing_file,
        default=None,
        help="candidate sites file (like a station list) instead of townships",
    )
    p.add_argument("--method", choices=["auto", "exact", "heuristic"], default="auto")
    time_limit_arg(p, settings.SITING_TIME_LIMIT_S)
    json_flag(p)
    p.set_defaults(func=cmd_site, check=check_site)

    p = sub.add_parser("need", help="need scores of the townships without a station, ranked")
    analysis_args(p)
    p.add_argument(
        "--radius-km",
        type=rule_type(checks.RADIUS_KM),
        default=settings.DEFAULT_RADIUS_KM,
        help=f"service radius, km, above 0 and at most {settings.MAX_RADIUS_KM:g} (default {settings.DEFAULT_RADIUS_KM:g})",
    )
    p.add_argument(
        "--extra",
        type=existing_file,
        default=None,
        help="CSV/XLSX: township code, then numeric columns to add as components",
    )
    p.add_argument(
        "--weights",
        type=need_weights_type,
        default=None,
        help="component weights, 0 or more, e.g. villages=1,demand_beyond=1,distance=2,area=0",
    )
    p.add_argument(
        "--out",
        type=output_path(".csv", ".xlsx", ".json"),
        default=None,
        help="write the ranked table (.csv, .xlsx, .json)",
    )
    json_flag(p)
    p.set_defaults(func=cmd_need)

    p = sub.add_parser("plan", help="year-by-year rollout meeting the targets")
    analysis_args(p)
    target_args(p)
    p.add_argument(
        "--radius-km",
        type=rule_type(checks.RADIUS_KM),
        default=settings.DEFAULT_RADIUS_KM,
        help=f"service radius, km, above 0 and at most {settings.MAX_RADIUS_KM:g} (default {settings.DEFAULT_RADIUS_KM:g})",
    )
    grid_arg(p)
    p.add_argument("--demand", choices=["villages", "area"], default="villages")
    p.add_argument(
        "--county-min",
        type=rule_type(checks.COUNTY_MIN),
        default=0,
        help="every county at least this many stations (0 or more)",
    )
    p.add_argument("--method", choices=["auto", "exact", "heuristic"], default="auto")
    time_limit_arg(p, settings.SITING_TIME_LIMIT_S)
    p.add_argument(
        "--out", type=output_path(".xlsx"), default=None, help="write the plan (.xlsx: one sheet per year with reasons)"
    )
    json_flag(p)
    p.set_defaults(func=cmd_plan, check=check_overrides)
