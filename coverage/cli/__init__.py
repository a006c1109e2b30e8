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

from coverage import settings
from coverage._errors import CoverageError, InputError


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
    from coverage.data.build import register as build_register

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
    from coverage.data import demo

    written = demo.write_default_stations()
    document = {"files": [{"path": str(p), "rows": n} for p, n in written]}
    if args.json:
        _print_json(document)
    else:
        for p, n in written:
            print(f"{p}: {n} stations")
    return 0


def cmd_data_info(args: argparse.Namespace) -> int:
    from coverage.data.provinces import load_province, province_files

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


# --------------------------------------------------------------------------- analysis
def _province_and_stations(args: argparse.Namespace):
    """The province and its stations: ``--stations FILE`` imported, else the committed list."""
    from coverage.data.provinces import default_stations_path, load_province
    from coverage.data.register import load_register
    from coverage.data.stations import read_stations

    code = load_register().province_code(args.province)
    prov = load_province(code)
    path = args.stations or default_stations_path(code)
    if path is None:
        msg = f"no station list for {prov.name}; pass --stations FILE"
        raise InputError(msg)
    imported = read_stations(path, province=code, crs=getattr(args, "crs", None))
    s = imported.summary
    unused = s["total"] - s["matched"] - s["repaired"]
    if unused:
        print(
            f"note: {unused} of {s['total']} rows of {Path(path).name} could not be placed and are left out "
            f"(see `python -m coverage stations check {path}`)",
            file=sys.stderr,
        )
    return prov, imported.stations


def _schedule(args: argparse.Namespace):
    from coverage.analysis.admin import DEFAULT_SCHEDULE, TargetSchedule, parse_targets

    default = parse_targets(args.targets) if args.targets else DEFAULT_SCHEDULE
    overrides = {}
    for item in args.override or []:
        code, sep, text = item.partition("=")
        if not sep or not code.strip().isdigit() or len(code.strip()) not in (4, 6):
            msg = f"--override {item!r}: use CODE=SCHEDULE with a 4-digit city or 6-digit county code, e.g. 4501=2021-12-31:40"
            raise InputError(msg)
        overrides[code.strip()] = parse_targets(text)
    return TargetSchedule(default, overrides)


def cmd_status(args: argparse.Namespace) -> int:
    import pandas as pd

    from coverage.analysis.admin import status, trajectory
    from coverage.data.io import write_sheets, write_table

    prov, stations = _province_and_stations(args)
    kinds = tuple(k.strip() for k in args.kinds.split(",")) if args.kinds else None
    result = status(prov, stations, args.as_of, _schedule(args), kinds=kinds)
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
    if args.json:
        _print_json(document)
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
    return 0


def cmd_gaps(args: argparse.Namespace) -> int:
    from coverage.analysis.demand import grid_demand, point_demand, raster_demand, weights_by_code
    from coverage.analysis.gaps import gap_analysis
    from coverage.analysis.travel import StraightLine
    from coverage.data.io import read_layer, write_layers, write_sheets
    from coverage.data.stations import open_on

    if (args.radius_km is None) == (args.radius_min is None):
        msg = "give exactly one of --radius-km or --radius-min"
        raise InputError(msg)
    prov, stations = _province_and_stations(args)
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
            from coverage.data.io import read_table

            table = read_table(args.township_weights, known_headers=["code", "township_code", "乡镇代码"]).frame()
            weights = weights_by_code(table, table.columns[0], args.weight_col or table.columns[1])
            demand = grid_demand(towns_m, args.grid_km * 1000.0, weights=weights)
    result = gap_analysis(
        prov.townships,
        open_now,
        radius_m=radius_m,
        grid_m=args.grid_km * 1000.0,
        demand=demand,
        travel=travel,
        progress=_progress("gaps"),
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
    if args.json:
        _print_json(document)
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
    for r in worst.itertuples(index=False):
        print(
            f"    {r.code} {r.name}: {r.share_beyond:.0%} of its area beyond, farthest point {r.farthest_m / 1000:.1f} km"
        )
    if args.out:
        print(f"written to {args.out}")
    return 0


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

        prov, stations = _province_and_stations(args)
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
        _print_json(document)
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

    from coverage.data.stations import read_stations

    imported = read_stations(path, province=province)
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

    prov, stations = _province_and_stations(args)
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
        _print_json({"weights": table.attrs["weights"], "townships": table.to_dict(orient="records")})
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

    prov, stations = _province_and_stations(args)
    result = plan_rollout(
        prov,
        stations,
        args.as_of,
        _schedule(args),
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
        _print_json(document)
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


# --------------------------------------------------------------------------- trips and supervision
def _travel(args: argparse.Namespace):
    from coverage.field.trips import Travel, read_matrix

    if args.osrm:
        return Travel("osrm", url=args.osrm)
    if args.matrix:
        km = read_matrix(args.matrix_km) if args.matrix_km else None
        return Travel("matrix", minutes=read_matrix(args.matrix), km=km, speed_kmh=args.speed_kmh)
    return Travel(
        circuity=args.circuity, speed_kmh=args.speed_kmh, long_kmh=args.long_kmh or None, local_km=args.local_km
    )


def _trip_stations(args: argparse.Namespace, code: str):
    """Stations from --stations (a file, or names separated by commas), else the province's list."""
    import re

    from coverage.data.provinces import default_stations_path
    from coverage.data.stations import read_stations
    from coverage.field.trips import station_table, stations_by_name

    given = args.stations
    if given and not Path(given).exists() and not re.search(r"\.(csv|xlsx|txt)$", given, re.I):
        return stations_by_name([t for t in re.split(r"[,，、;；]", given) if t.strip()], code)
    path = given or default_stations_path(code)
    if path is None:
        msg = "no station list for this province; pass --stations FILE or names"
        raise InputError(msg)
    imported = read_stations(path, province=code)
    if imported.stations.empty:
        msg = (
            f"no station of {Path(path).name} could be placed; check it with `python -m coverage stations check {path}`"
        )
        raise InputError(msg)
    return station_table(imported.stations)


def _read_itinerary(path: str) -> list[list[str]]:
    from coverage.field.trips import parse_itinerary

    return parse_itinerary(Path(path).read_text(encoding="utf-8-sig"))


def cmd_trip(args: argparse.Namespace) -> int:
    from coverage.data.register import load_register
    from coverage.field.trips import (
        TripRequest,
        capital,
        evaluate_itinerary,
        next_monday,
        plan_trip,
        resolve_place,
        sample_stations,
        stations_by_name,
        working_days,
    )

    code = load_register().province_code(args.province)
    itinerary = _read_itinerary(args.evaluate) if args.evaluate else None
    if itinerary is not None and not args.stations:
        stations = stations_by_name(list(dict.fromkeys(t for day in itinerary for t in day)), code)
        itinerary = [stations_by_name(day, code)["code"].tolist() if day else [] for day in itinerary]
    else:
        stations = _trip_stations(args, code)
        if itinerary is not None:
            itinerary = [stations_by_name(day, code)["code"].tolist() if day else [] for day in itinerary]
    if args.sample:
        stations = sample_stations(stations, args.sample, seed=args.seed, strata=args.strata)
    start = resolve_place(args.start, code) if args.start else capital(code)
    end = resolve_place(args.end, code) if args.end else start
    first = args.from_date or next_monday().isoformat()
    days = args.days if args.days or args.to_date else (len(itinerary) if itinerary else 5)
    dates = working_days(first, days, args.to_date, weekends=args.weekends)
    towns = None
    if args.overnight == "province":
        from coverage.field.trips import county_seats

        towns = county_seats(None, code)
    request = TripRequest(
        stations,
        start,
        end,
        dates,
        per_day=args.per_day,
        visit_min=args.visit_hours * 60,
        day_start=args.day_start,
        day_end=args.day_end,
        lunch_min=args.lunch_min,
        overnight="base" if args.overnight == "base" else "towns",
        towns=towns,
        evening_min=args.evening_min,
    )
    travel = _travel(args)
    if itinerary is not None:
        plan = evaluate_itinerary(request, itinerary, travel)
        best = plan_trip(request, travel, args.method, args.time_limit, options=False)
        document = plan.to_json()
        document["planned"] = {
            "total_travel_min": round(best.travel_min, 1),
            "saving_min": round(plan.travel_min - best.travel_min, 1),
            "unvisited": best.unvisited["code"].tolist(),
            "gap": round(best.gap, 6),
        }
    else:
        plan = plan_trip(request, travel, args.method, args.time_limit)
        document = plan.to_json()
    if args.out:
        from coverage.field.trip_export import write_plan

        write_plan(plan, args.out)
        document["out"] = str(args.out)
    if args.json:
        _print_json(document)
        return 0
    print(f"{len(stations)} stations from {start.name} to {end.name}, {len(dates)} days: {plan.message}")
    for d in plan.days.itertuples(index=False):
        print(
            f"  {d.date} {' -> '.join(d.names) or '(no visit)'}; overnight {d.overnight}; "
            f"{d.travel_min:.0f} min, {d.travel_km:.0f} km, finish {d.finish}"
            + (f", {d.over_min:.0f} min over" if d.over_min > 0 else "")
        )
    if itinerary is not None:
        p = document["planned"]
        left = f", leaving out {len(p['unvisited'])} stations" if p["unvisited"] else ""
        print(
            f"  given itinerary {plan.travel_min:.0f} min of driving; the plan {p['total_travel_min']:.0f} min (saving {p['saving_min']:.0f} min{left})"
        )
    else:
        print(
            f"  driving {plan.travel_min:.0f} min ({plan.travel_km:.0f} km); bound {plan.bound_min:.0f} min, gap {plan.gap:.2%}; {plan.solver}"
        )
    for o in plan.options:
        print(
            f"  option: {o['choice']}: "
            + ("fits" if o["fits"] else "does not fit")
            + "".join(f", {k} {v}" for k, v in o.items() if k not in ("choice", "fits"))
        )
    if args.out:
        print(f"written to {args.out}")
    return 0


def cmd_supervise(args: argparse.Namespace) -> int:
    import pandas as pd

    from coverage.data.register import load_register
    from coverage.field.supervision import assign_supervisors, monthly_rounds

    code = load_register().province_code(args.province)
    stations = _trip_stations(args, code)
    bases = None
    if args.bases:
        from coverage.data.io import read_table
        from coverage.field.trips import resolve_place

        table = read_table(args.bases, known_headers=["name", "lon", "lat", "姓名", "驻地", "base"]).frame()
        table.columns = [str(c).strip().lower() for c in table.columns]
        name_col = next((c for c in ("name", "姓名", "supervisor") if c in table.columns), table.columns[0])
        if {"lon", "lat"} <= set(table.columns):
            bases = pd.DataFrame(
                {
                    "name": table[name_col],
                    "lon": pd.to_numeric(table["lon"], errors="coerce"),
                    "lat": pd.to_numeric(table["lat"], errors="coerce"),
                }
            )
            if bases[["lon", "lat"]].isna().any().any():
                msg = f"{args.bases}: some lon/lat cells are not numbers; fix them"
                raise InputError(msg)
        else:
            where = next((c for c in ("base", "驻地", "place") if c in table.columns), None)
            if where is None:
                msg = f"{args.bases}: give lon and lat columns, or a base column naming a township/county; found {', '.join(table.columns)}"
                raise InputError(msg)
            places = [resolve_place(t, code) for t in table[where]]
            bases = pd.DataFrame(
                {"name": table[name_col], "lon": [p.lon for p in places], "lat": [p.lat for p in places]}
            )
    result = assign_supervisors(
        stations,
        bases=bases,
        n_supervisors=args.supervisors,
        min_load=args.min,
        max_load=args.max,
        travel=_travel(args),
        time_limit=args.time_limit,
    )
    document = result.to_json()
    calendar, totals = monthly_rounds(result, args.month or pd.Timestamp.today().strftime("%Y-%m"), hours=args.hours)
    by_sup = totals.set_index("supervisor")
    for row in document["supervisors"]:
        t = by_sup.loc[row["supervisor"]]
        row["month"] = {
            "days_used": int(t["days_used"]),
            "working_days": int(t["working_days"]),
            "travel_min": round(float(t["travel_min"]), 1),
            "travel_km": round(float(t["travel_km"]), 1),
            "fits": bool(t["fits"]),
        }
    if args.out:
        from coverage.data.io import write_sheets

        sup = result.supervisors.assign(
            stations=result.supervisors["stations"].map(", ".join), names=result.supervisors["names"].map(", ".join)
        )
        write_sheets(
            {"supervisors": sup, "stations": result.stations, "month": calendar, "month totals": totals}, args.out
        )
        document["out"] = str(args.out)
    if args.json:
        _print_json(document)
        return 0
    print(
        f"{len(result.stations)} stations, {len(result.supervisors)} supervisors ({args.min}-{args.max} stations each): "
        f"{result.total_travel_min:.0f} min from base in all; bound {result.bound_min:.0f}, gap {result.gap:.2%} ({result.status})"
    )
    for note in result.notes:
        print(f"  note: {note}")
    for r in result.supervisors.itertuples(index=False):
        t = by_sup.loc[r.supervisor]
        print(
            f"  {r.supervisor} at {r.base}: {r.load} stations, {r.travel_min:.0f} min one way in all"
            + (f" [{r.binds}]" if r.binds else "")
            + f"; month: {int(t['days_used'])} of {int(t['working_days'])} days"
        )
    if args.out:
        print(f"written to {args.out}")
    return 0


# --------------------------------------------------------------------------- stations
def cmd_stations_check(args: argparse.Namespace) -> int:
    from coverage.data.io import write_table
    from coverage.data.stations import ROLE_FLAGS, read_stations

    overrides = {role: getattr(args, f"{role}_col") for role in ROLE_FLAGS if getattr(args, f"{role}_col", None)}
    result = read_stations(
        args.file,
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
        _print_json(document)
        return 0
    s = result.summary
    print(
        f"{args.file}: {s['total']} rows ({result.table.encoding or 'xlsx'}, header on row {result.table.header_row})"
    )
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
    from coverage.data.stations import ROLE_FLAGS

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
    p.add_argument(
        "--cache", type=Path, default=None, help="folder for the downloaded packages (default build/sources)"
    )
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

    def analysis_args(p: argparse.ArgumentParser) -> None:
        p.add_argument("--province", default=settings.DEFAULT_PROVINCE, help="code or name (default 45)")
        p.add_argument("--stations", type=Path, default=None, help="station file (default: the committed list)")
        p.add_argument("--crs", default=None, help="coordinate system of the station file (wgs84, gcj02, bd09 ...)")
        p.add_argument("--as-of", default=None, help="date YYYY-MM-DD (default today)")
        p.add_argument("--top", type=int, default=10, help="rows listed in the summary")

    p = sub.add_parser("status", help="township coverage against the target schedule, per city and county")
    analysis_args(p)
    p.add_argument(
        "--targets", default=None, help="date:percent list (default 2021-12-31:30,2022-12-31:60,2023-12-31:100)"
    )
    p.add_argument("--override", action="append", help="CODE=SCHEDULE for a city (4 digits) or county (6), repeatable")
    p.add_argument(
        "--kinds", default=None, help="kinds counted, e.g. street,town,township (default) or street,town,township,other"
    )
    p.add_argument("--out", default=None, help="write the table (.csv, or .xlsx with targets, units and trajectory)")
    json_flag(p)
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("gaps", help="places and demand beyond a service radius of every open station")
    analysis_args(p)
    p.add_argument("--radius-km", type=float, default=None, help="service radius, straight-line km")
    p.add_argument(
        "--radius-min",
        type=float,
        default=None,
        help=f"service radius in travel minutes (circuity {settings.CIRCUITY_FACTOR}, {settings.AVERAGE_SPEED_KMH:g} km/h)",
    )
    p.add_argument(
        "--grid-km", type=float, default=settings.DEFAULT_GRID_KM, help="demand grid cell size, km (default 1)"
    )
    p.add_argument("--demand-raster", default=None, help="population raster (GeoTIFF) as demand")
    p.add_argument("--demand-points", default=None, help="point layer as demand (with --weight-col)")
    p.add_argument(
        "--township-weights", default=None, help="CSV/XLSX: township code, weight (spread over its grid cells)"
    )
    p.add_argument("--weight-col", default=None, help="weight column of --demand-points or --township-weights")
    p.add_argument("--out", default=None, help="write results (.gpkg with gap polygons, or .xlsx)")
    json_flag(p)
    p.set_defaults(func=cmd_gaps)

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

    def travel_args(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--speed-kmh",
            type=float,
            default=settings.AVERAGE_SPEED_KMH,
            help=f"average speed on county and township roads, km/h (default {settings.AVERAGE_SPEED_KMH:g})",
        )
        p.add_argument(
            "--long-kmh",
            type=float,
            default=settings.LONG_SPEED_KMH,
            help=f"speed beyond the first --local-km road km of a leg, km/h; 0 = one speed (default {settings.LONG_SPEED_KMH:g})",
        )
        p.add_argument(
            "--local-km",
            type=float,
            default=settings.LOCAL_ROAD_KM,
            help=f"road km of each leg driven at --speed-kmh (default {settings.LOCAL_ROAD_KM:g})",
        )
        p.add_argument(
            "--circuity",
            type=float,
            default=settings.CIRCUITY_FACTOR,
            help=f"road km per straight km (default {settings.CIRCUITY_FACTOR:g})",
        )
        p.add_argument(
            "--matrix",
            default=None,
            help="CSV/XLSX of travel minutes: first column and header row = township codes or names",
        )
        p.add_argument("--matrix-km", default=None, help="CSV/XLSX of road km, same layout (with --matrix)")
        p.add_argument("--osrm", default=None, help="URL of an OSRM-compatible server (its /table service is asked)")
        p.add_argument("--time-limit", type=float, default=settings.TRIP_TIME_LIMIT_S, help="seconds for the solver")

    p = sub.add_parser("trip", help="field trip of an evaluation team: stations in order, day by day, overnight towns")
    p.add_argument("--province", default=settings.DEFAULT_PROVINCE, help="code or name (default 45)")
    p.add_argument(
        "--stations", default=None, help="station file, or names separated by commas (default: the committed list)"
    )
    p.add_argument("--sample", default=None, help="sampling rule, e.g. 2-per-city or 1-per-county")
    p.add_argument("--seed", type=int, default=0, help="seed of the sample (same seed, same sample)")
    p.add_argument("--strata", default=None, help="column to spread the sample over (e.g. a status)")
    p.add_argument("--start", default=None, help="city, county, township or lon,lat (default: the provincial capital)")
    p.add_argument("--end", default=None, help="as --start (default: the start)")
    p.add_argument("--days", type=int, default=None, help="working days (default 5)")
    p.add_argument("--from-date", default=None, help="first day YYYY-MM-DD (default next Monday)")
    p.add_argument("--to-date", default=None, help="last day YYYY-MM-DD (instead of --days)")
    p.add_argument("--weekends", action="store_true", help="work on Saturdays and Sundays too")
    p.add_argument("--per-day", type=int, default=settings.TRIP_PER_DAY, help="visits a day at most (default 2)")
    p.add_argument("--visit-hours", type=float, default=settings.TRIP_VISIT_HOURS, help="hours per visit (default 3)")
    p.add_argument("--day-start", default=settings.TRIP_DAY_START)
    p.add_argument("--day-end", default=settings.TRIP_DAY_END)
    p.add_argument("--lunch-min", type=float, default=settings.TRIP_LUNCH_MIN, help="lunch break, minutes (default 60)")
    p.add_argument(
        "--overnight",
        choices=["towns", "base", "province"],
        default="towns",
        help="towns: county seats of the stations' counties (default); province: every county seat; base: back at the start each night",
    )
    p.add_argument(
        "--evening-min", type=float, default=0.0, help="allow the drive to the overnight town to end this late"
    )
    p.add_argument("--method", choices=["auto", "exact", "heuristic"], default="auto")
    p.add_argument(
        "--evaluate",
        default=None,
        help="text file: one line per day, station names in order; measured with the same model",
    )
    p.add_argument("--out", default=None, help="write the plan: .ics (calendar), .html (printable) or .xlsx")
    travel_args(p)
    json_flag(p)
    p.set_defaults(func=cmd_trip)

    p = sub.add_parser("supervise", help="assign stations to supervisors (5-8 each) and plan a monthly round")
    p.add_argument("--province", default=settings.DEFAULT_PROVINCE, help="code or name (default 45)")
    p.add_argument("--stations", default=None, help="station file or names (default: the committed list)")
    p.add_argument(
        "--supervisors",
        type=int,
        default=None,
        help="number of supervisors (bases chosen among the stations' townships)",
    )
    p.add_argument(
        "--bases", default=None, help="CSV/XLSX of supervisors: name, lon, lat (or name, base = a township/county)"
    )
    p.add_argument(
        "--min", type=int, default=settings.SUPERVISOR_MIN_STATIONS, help="stations per supervisor at least (default 5)"
    )
    p.add_argument(
        "--max", type=int, default=settings.SUPERVISOR_MAX_STATIONS, help="stations per supervisor at most (default 8)"
    )
    p.add_argument("--month", default=None, help="month of the round, YYYY-MM (default this month)")
    p.add_argument(
        "--hours", type=float, default=settings.SUPERVISION_HOURS, help="hours per station per month (default 16)"
    )
    p.add_argument("--out", default=None, help="write assignments and the month's calendar (.xlsx)")
    travel_args(p)
    p.set_defaults(time_limit=8.0)
    json_flag(p)
    p.set_defaults(func=cmd_supervise)

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
    except BrokenPipeError:  # output piped into `head` and closed early
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
