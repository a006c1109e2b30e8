"""``site``, ``need`` and ``plan``: where the next stations should go, and the yearly rollout."""

from __future__ import annotations

import argparse

from coverage import settings
from coverage._errors import InputError
from coverage.cli.common import (
    analysis_args,
    json_flag,
    print_json,
    province_and_stations,
    schedule_from_args,
)


def cmd_site(args: argparse.Namespace) -> int:
    import pandas as pd

    from coverage.optimise.siting import SitingProblem, solve_lscp, solve_mclp, solve_pcenter, solve_pmedian

    model = args.model
    extra: dict = {}
    if args.cost_matrix:
        from coverage.data.io import read_table

        table = read_table(args.cost_matrix).frame()
        ids = table.iloc[:, 0].astype(str)
        try:
            cost = table.iloc[:, 1:].apply(pd.to_numeric, errors="raise").set_axis(ids)
        except ValueError as exc:
            msg = f"{args.cost_matrix}: every cell after the first column must be a number ({exc})"
            raise InputError(msg) from exc
        weights = None
        if args.weights:
            wt = read_table(args.weights, known_headers=["id", "weight"]).frame()
            wmap = dict(zip(wt.iloc[:, 0].astype(str), pd.to_numeric(wt.iloc[:, 1], errors="coerce"), strict=True))
            missing = [i for i in ids if i not in wmap]
            if missing:
                msg = f"{len(missing)} demand ids of the cost matrix have no weight (e.g. {missing[:3]}); add them to {args.weights}"
                raise InputError(msg)
            weights = [float(wmap[i]) for i in ids]
        problem = SitingProblem.from_cost_matrix(cost, weights)
        radius = args.radius
    else:
        from coverage.data.stations import open_on
        from coverage.optimise.candidates import cost_inputs, covering_inputs

        prov, stations = province_and_stations(args)
        open_now = stations[open_on(stations, args.as_of)]
        radius = (args.radius_km or settings.DEFAULT_RADIUS_KM) * 1000.0
        candidates = _candidate_sites(args.candidates, prov.code) if args.candidates else None
        if model in ("mclp", "lscp"):
            problem = covering_inputs(
                prov.townships, open_now, radius, candidates=candidates, demand=args.demand, grid_m=args.grid_km * 1000
            ).problem
        else:
            problem = cost_inputs(prov.townships, open_now, candidates=candidates).problem
        extra = {"province": prov.code, "radius_km": radius / 1000.0}
    if model in ("mclp", "pmedian", "pcenter") and args.p is None:
        msg = f"--p (number of new stations) is required for {model}"
        raise InputError(msg)
    if model in ("mclp", "lscp") and radius is None:
        msg = f"{model} needs a radius: --radius (cost-matrix units) or --radius-km"
        raise InputError(msg)
    county_min = county_max = None
    if problem.groups is not None:
        if args.county_min:
            county_min = {g: args.county_min for g in sorted(set(problem.groups))}
        if args.county_max is not None:
            county_max = {g: args.county_max for g in sorted(set(problem.groups))}
    rules = {"group_min": county_min, "group_max": county_max}
    if model == "mclp":
        result = solve_mclp(problem, radius, args.p, **rules, method=args.method, time_limit=args.time_limit)
    elif model == "lscp":
        result = solve_lscp(problem, radius, args.share, **rules, time_limit=args.time_limit)
    elif model == "pmedian":
        result = solve_pmedian(problem, args.p, **rules, method=args.method, time_limit=args.time_limit)
    else:
        result = solve_pcenter(problem, args.p, **rules, time_limit=args.time_limit)
    document = {**result.to_json(), **extra}
    if args.json:
        print_json(document)
        return 0
    share = f"; demand within the radius {result.covered_share:.1%}" if result.covered_share is not None else ""
    print(f"{model}: objective {result.objective:,.2f} (bound {result.bound:,.2f}, gap {result.gap:.3%}){share}")
    print(
        f"  {len(result.selected)} sites: {', '.join(result.selected[: args.top])}{' ...' if len(result.selected) > args.top else ''}"
    )
    print(f"  solver: {result.solver}, {result.seconds:.2f} s")
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
    from coverage.data.io import read_table, write_table

    prov, stations = province_and_stations(args)
    extra = read_table(args.extra, known_headers=["code", "乡镇代码"]).frame() if args.extra else None
    if extra is not None and "code" not in extra.columns:
        extra = extra.rename(columns={extra.columns[0]: "code"})
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
    if args.json:
        print_json({"weights": table.attrs["weights"], "townships": table.to_dict(orient="records")})
        return 0
    print(f"{prov.name}: {len(table)} counted townships without a station; weights {table.attrs['weights']}")
    for r in table.head(args.top).itertuples(index=False):
        print(
            f"  {r.rank:>4}. {r.code} {r.county_name}{r.name}: score {r.score:.1f} "
            f"(villages {r.villages:.0f}, beyond {r.demand_beyond:.0f}, {r.distance:.1f} km, {r.area:.0f} km²)"
        )
    if args.out:
        print(f"table written to {args.out}")
    return 0


def cmd_plan(args: argparse.Namespace) -> int:
    from coverage.optimise.rollout import plan_rollout

    prov, stations = province_and_stations(args)
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
    return 0


# --------------------------------------------------------------------------- parser
def add_parsers(sub) -> None:
    """Add this group's commands to the ``python -m coverage`` sub-parsers."""
    p = sub.add_parser("site", help="where to open new stations: MCLP, LSCP, p-median, p-center")
    analysis_args(p)
    p.add_argument("--model", choices=["mclp", "lscp", "pmedian", "pcenter"], required=True)
    p.add_argument("--p", type=int, default=None, help="number of new stations (mclp, pmedian, pcenter)")
    p.add_argument("--radius-km", type=float, default=None, help="service radius, km (province mode)")
    p.add_argument("--grid-km", type=float, default=settings.DEFAULT_GRID_KM)
    p.add_argument(
        "--demand", choices=["villages", "area"], default="villages", help="grid demand weights (province mode)"
    )
    p.add_argument("--cost-matrix", default=None, help="CSV: first column demand ids, header row candidate ids")
    p.add_argument("--weights", default=None, help="CSV id,weight for the cost matrix's demand ids")
    p.add_argument("--radius", type=float, default=None, help="service radius in the cost matrix's units")
    p.add_argument("--share", type=float, default=1.0, help="LSCP: share of demand to bring within the radius (0-1)")
    p.add_argument("--county-min", type=int, default=0, help="at least this many new stations per county")
    p.add_argument("--county-max", type=int, default=None, help="at most this many new stations per county")
    p.add_argument("--candidates", default=None, help="candidate sites file (like a station list) instead of townships")
    p.add_argument("--method", choices=["auto", "exact", "heuristic"], default="auto")
    p.add_argument("--time-limit", type=float, default=60.0, help="seconds for HiGHS")
    json_flag(p)
    p.set_defaults(func=cmd_site)

    p = sub.add_parser("need", help="need scores of the townships without a station, ranked")
    analysis_args(p)
    p.add_argument("--radius-km", type=float, default=settings.DEFAULT_RADIUS_KM)
    p.add_argument("--extra", default=None, help="CSV/XLSX: township code, then numeric columns to add as components")
    p.add_argument(
        "--weights", default=None, help="component weights, e.g. villages=1,demand_beyond=1,distance=2,area=0"
    )
    p.add_argument("--out", default=None, help="write the ranked table (.csv, .xlsx, .json)")
    json_flag(p)
    p.set_defaults(func=cmd_need)

    p = sub.add_parser("plan", help="year-by-year rollout meeting the targets")
    analysis_args(p)
    p.add_argument(
        "--targets", default=None, help="date:percent list (default 2021-12-31:30,2022-12-31:60,2023-12-31:100)"
    )
    p.add_argument("--override", action="append", help="CODE=SCHEDULE for a city or county, repeatable")
    p.add_argument("--radius-km", type=float, default=settings.DEFAULT_RADIUS_KM)
    p.add_argument("--grid-km", type=float, default=settings.DEFAULT_GRID_KM)
    p.add_argument("--demand", choices=["villages", "area"], default="villages")
    p.add_argument("--county-min", type=int, default=0, help="every county at least this many stations")
    p.add_argument("--method", choices=["auto", "exact", "heuristic"], default="auto")
    p.add_argument("--time-limit", type=float, default=60.0)
    p.add_argument("--out", default=None, help="write the plan (.xlsx: one sheet per year with reasons)")
    json_flag(p)
    p.set_defaults(func=cmd_plan)
