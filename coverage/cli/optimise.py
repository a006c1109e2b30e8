"""``site``, ``need`` and ``plan``: where the next stations should go, and the yearly rollout."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from typing import TYPE_CHECKING

from coverage import checks, settings
from coverage._errors import InputError
from coverage.checks import yuan_text
from coverage.cli.common import (
    add_notes,
    analysis_args,
    arg_type,
    check_overrides,
    check_travel_radius,
    existing_file,
    grid_arg,
    json_flag,
    need_weights_type,
    output_path,
    print_json,
    print_notes,
    print_off_counts,
    province_and_stations,
    province_type,
    radius_minutes_arg,
    road_travel_of,
    rule_type,
    schedule_from_args,
    target_args,
    time_limit_arg,
    travel_radius,
)

if TYPE_CHECKING:
    import pandas as pd


def cmd_site(args: argparse.Namespace) -> int:
    from coverage.optimise.siting import SitingProblem, solve_model

    if args.model != "lscp" and args.p is None:
        msg = f"--p (number of new stations) is required for {args.model}"
        raise InputError(msg)
    extra: dict = {}
    solved = None  # the province's siting without capacity, solved by site_province
    if args.cost_matrix:
        from coverage.data.tables import read_matrix, read_weights

        cost = read_matrix(args.cost_matrix)
        weights = read_weights(args.weights, list(cost.index)) if args.weights else None
        problem = SitingProblem.from_cost_matrix(cost, weights)
        radius = args.radius
        prov = described = stations = None  # the user's own costs: nothing to say about townships or a list
    else:
        from coverage.data.schema import open_on

        prov, stations, described = province_and_stations(args)
        reach = travel_radius(args, str(prov.code), settings.DEFAULT_RADIUS_KM)
        if (
            args.model in settings.SITING_COST_MODELS
        ):  # no radius: road minutes when --travel road, or by default when built
            reach["road"] = road_travel_of(args, str(prov.code))
        road = reach["road"]
        radius = reach["radius_min"] if road is not None else reach["radius_m"]
        problem = None
        if road is not None and capacitated(args):
            msg = "coverage with capacity is straight-line only (road minutes are not done for it); add --travel line"
            raise InputError(msg)
        if not capacitated(args):
            from coverage.optimise.candidates import demand_labels, site_province

            open_now = stations[open_on(stations, args.as_of)]
            candidates = _candidate_sites(args.candidates, prov.code) if args.candidates else None
            need = _need_measure(args, prov)
            inputs, solved = site_province(
                args.model, prov.townships, open_now, reach, p=args.p, share=args.share, county_min=args.county_min,
                county_max=args.county_max, method=args.method, time_limit=args.time_limit, candidates=candidates,
                demand=args.demand, grid_m=args.grid_km * 1000, need=need, points=args.points,
            )  # fmt: skip
            problem = inputs.problem
            extra = {**demand_labels(args.model, need, args.demand, args.points, args.grid_km * 1000)}
            extra["travel"] = inputs.travel
            if road is not None:
                extra["off_network"] = inputs.off_network
        else:
            extra["travel"] = reach["travel"]
        extra |= {
            "province": prov.code,
            "radius_km": None if road is not None else reach["radius_m"] / 1000.0,
            "radius_min": reach["radius_min"],
        }
    if capacitated(args):
        return _site_with_capacity(args, radius, prov, described, extra, problem, stations)
    if solved is None:  # the user's cost matrix
        assert problem is not None
        solved = solve_model(
            args.model, problem, radius=radius, p=args.p, share=args.share, county_min=args.county_min,
            county_max=args.county_max, method=args.method, time_limit=args.time_limit,
        )  # fmt: skip
    result = solved
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
    if "travel" in document and args.model in settings.SITING_COST_MODELS:  # no radius: costs by the travel model
        unit = "road minutes" if document.get("off_network") is not None else "straight-line metres"
        print(f"  costs in {unit}; travel: {document['travel']}")
        print_off_counts(document.get("off_network"))
    elif "travel" in document:
        radius_text = (
            f"{document['radius_min']:g} min" if document.get("radius_min") is not None else f"{radius / 1000:g} km"
        )
        print(f"  radius {radius_text}; travel: {document['travel']}")
        print_off_counts(document.get("off_network"))
    print(f"  solver: {result.solver}, {result.seconds:.2f} s")
    print_notes(notes)
    return 0


# --------------------------------------------------------------------------- capacity (issue 15)
def capacitated(args: argparse.Namespace) -> bool:
    """Whether a ``site`` or ``plan`` counts capacity: any of the capacity options was given."""
    names = ("capacity", "menu", "workers", "budget")
    return any(getattr(args, name, None) is not None for name in names)


def _menu(args: argparse.Namespace):
    from coverage.optimise.capacity import Menu

    pairs = args.menu if args.menu is not None else settings.CAPACITY_MENU
    return Menu.from_pairs(pairs, running_per_worker_yuan=args.running_cost)


def _need_measure(args: argparse.Namespace, prov):
    """The need of ``--need`` (a need table, weighted by ``--need-weights``), else None (the proxy)."""
    if not args.need:
        return None
    from coverage.analysis.need import township_need
    from coverage.data.need_table import read_need_table

    table = read_need_table(str(args.need), province=prov.code)
    s = table.summary
    unused = s["total"] - s["matched"] - s["repaired"]
    if unused:
        print(
            f"note: {unused} of {s['total']} rows of {args.need} could not be placed and are left out "
            f"(see `python -m coverage need import {args.need}`)",
            file=sys.stderr,
        )
    return township_need(prov.townships, table.values, table.columns, _weights(args.need_weights))


def _weights(text: str | None) -> dict[str, float]:
    out = {}
    for item in (text or "").split(","):
        if item.strip():
            key, _, value = item.partition("=")
            out[key.strip()] = float(value)
    return out


def _site_with_capacity(args, radius: float, prov, described, extra: dict, problem, stations) -> int:
    """``site --model mclp`` with capacities: the demand actually served is the objective."""
    from coverage.optimise.capacity import (
        CapacityProblem,
        fixed_options,
        mixed_options,
        solve_capacitated,
        station_loads,
    )
    from coverage.optimise.siting import county_limits

    capacities = _capacities(args)
    menu = _menu(args)
    if prov is None:  # the user's cost matrix: its columns are the candidates, no existing stations
        ids = list(problem.candidate_ids)
        caseload = args.caseload
        fixed = _fixed_capacities(capacities, caseload, ids)
        missing = [i for i in ids if i not in fixed]
        if (missing and args.menu is None) or (args.menu is not None and caseload is None):
            msg = (
                f"{len(missing)} candidate columns have no capacity (e.g. {', '.join(missing[:3])}); give each one "
                "in --capacity, or --menu with --caseload (demand units one worker serves, in your weights' units)"
                if args.menu is None
                else "--menu with a cost matrix needs --caseload: the demand one worker serves, in your weights' units"
            )
            raise InputError(msg)
        position = {c: j for j, c in enumerate(ids)}
        if missing:
            options = mixed_options(len(ids), menu, caseload, {position[c]: v for c, v in fixed.items()})
        else:
            capacity = [fixed[c] for c in ids]
            options = fixed_options(capacity, [c / caseload for c in capacity] if caseload else None)
        cp = CapacityProblem.from_siting(problem, radius, options)
        need_label, points, notes_extra = "weights of the cost matrix's rows", "rows of the cost matrix", []
    else:
        from coverage.data.schema import open_on
        from coverage.optimise.candidates import capacity_inputs

        open_now = stations[open_on(stations, args.as_of)]
        need = _need_measure(args, prov)
        caseload = args.caseload if args.caseload is not None else None
        fixed = _fixed_capacities(capacities, caseload or _default_caseload(need, args), None)
        candidates = _candidate_sites(args.candidates, prov.code) if args.candidates else None
        ci = capacity_inputs(
            prov.townships, open_now, radius, need=need, demand=args.demand, points=args.points,
            grid_m=args.grid_km * 1000, candidates=candidates, menu=menu, caseload=caseload, fixed=fixed,
            station_workers=args.station_workers,
        )  # fmt: skip
        cp, need_label, points, notes_extra = ci.problem, ci.need.label, ci.inputs.demand.kind, ci.notes
        caseload = ci.caseload
    group_min, group_max = county_limits(cp.siting, args.county_min, args.county_max)
    result = solve_capacitated(
        cp, p=args.p, workers_limit=args.workers, budget_yuan=args.budget, group_min=group_min, group_max=group_max,
        method=args.method, time_limit=args.time_limit,
    )  # fmt: skip
    loads = station_loads(cp, result)
    over = loads[loads["overloaded"]]
    document = {
        **result.to_json(),
        **extra,
        "need": need_label,
        "demand_points": points,
        "caseload_per_worker": caseload,
        "sizes": {c: w for c, w in result.sizes.items() if w},
        "capacity": result.capacity_of,
        "served_share": round(result.covered_share or 0.0, 6),
        "overloaded": [
            {"id": str(i), "new": bool(n), "load": round(float(load), 6), "capacity": round(float(c), 6)}
            for i, n, load, c in zip(over["id"], over["new"], over["load"], over["capacity"], strict=True)
        ],
    }
    notes = add_notes(document, prov, described, "stations", "places") if prov is not None else []
    notes = notes_extra + notes
    if args.json:
        print_json(document)
        return 0
    print(
        f"mclp with capacity: served {result.objective:,.2f} of {result.total:,.2f} ({result.covered_share:.1%}; "
        f"bound {result.bound:,.2f}, gap {result.gap:.3%}); existing stations alone serve {result.served_before:,.2f}"
    )
    per_worker = f"; a worker serves {caseload:g}" if caseload else ""
    print(f"  need: {need_label}; demand on {points}{per_worker}")
    shown = [
        f"{c}({result.sizes[c]:g} workers)" if result.sizes.get(c) else f"{c}(capacity {result.capacity_of[c]:g})"
        for c in result.selected[: args.top]
    ]
    print(f"  {len(result.selected)} sites: {', '.join(shown)}{' ...' if len(result.selected) > args.top else ''}")
    if result.workers:
        print(f"  new workers {result.workers:g}, build and first year's running {yuan_text(result.cost_yuan)}")
    print(f"  over-loaded stations (need looking to them above their capacity): {len(over)} of {len(loads)}")
    if "travel" in document:
        print(f"  travel: {document['travel']}")
    print(f"  solver: {result.solver}, {result.seconds:.2f} s")
    print_notes(notes)
    return 0


def _default_caseload(need, args: argparse.Namespace) -> float:
    key = need.caseload_key if need is not None else args.demand
    return settings.CASELOAD_PER_WORKER[key]


def _capacities(args: argparse.Namespace):
    if not args.capacity:
        return None
    from coverage.data.tables import read_capacities

    return read_capacities(args.capacity)


def _fixed_capacities(table, caseload: float | None, ids: list[str] | None) -> dict[str, float]:
    """id -> capacity from a capacity file (workers x ``caseload`` where only workers are given)."""
    if table is None:
        return {}
    needs_caseload = table["capacity"].isna()
    if needs_caseload.any() and caseload is None:
        msg = "the capacity file gives workers, not capacities: add --caseload (demand units one worker serves)"
        raise InputError(msg)
    values = table["capacity"].where(~needs_caseload, table["workers"] * (caseload or 0.0))
    fixed = dict(zip(table["id"], values.astype(float), strict=True))
    if ids is not None:
        unknown = [i for i in fixed if i not in set(ids)]
        if unknown:
            msg = f"capacity ids {', '.join(unknown[:3])} are not columns of the cost matrix; use its column ids"
            raise InputError(msg)
    return fixed


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
    from coverage.optimise.rollout import PlanCapacity, plan_rollout

    prov, stations, described = province_and_stations(args)
    capacity = None
    if capacitated(args):
        capacity = PlanCapacity(
            budget_yuan=args.budget,
            workers=args.workers,
            menu=_menu(args),
            caseload=args.caseload,
            station_workers=args.station_workers,
            need=_need_measure(args, prov),
            points=args.points,
        )
    reach = travel_radius(args, str(prov.code), settings.DEFAULT_RADIUS_KM)
    result = plan_rollout(
        prov,
        stations,
        args.as_of,
        schedule_from_args(args),
        radius_m=reach["radius_m"],
        road=reach["road"],
        radius_min=reach["radius_min"],
        travel=reach["travel"],
        demand=args.demand,
        grid_m=args.grid_km * 1000.0,
        county_min=args.county_min,
        method=args.method,
        time_limit=args.time_limit,
        capacity=capacity,
        need=None if capacity is not None else _need_measure(args, prov),
        points=args.points,
    )
    document = result.to_json()
    if args.out:
        import pandas as pd

        from coverage.data.io import write_sheets
        from coverage.present.report import cost_staff_table

        sheets = {
            "years": pd.DataFrame(
                [
                    {k: v for k, v in y.items() if k not in ("opened", "sizes", "overloaded")}
                    | {"opened": len(y["opened"])}
                    for y in document["years"]
                ]
            ),
            "travel": plan_travel_table(document),
        }
        if result.capacitated:
            sheets["cost and staff"] = cost_staff_table(result)
            if result.equity is not None:
                sheets["equity"] = result.equity
        for y in result.years:
            sheets[f"opened {y.date.isoformat()}"] = y.reasons
        write_sheets(sheets, args.out)
        document["out"] = str(args.out)
    notes = add_notes(document, prov, described, "stations", "places")
    if args.json:
        print_json(document)
        return 0
    if result.capacitated:
        _print_budgeted(prov.name, result)
    else:
        radius = f"{result.radius_min:g} min" if result.radius_min is not None else f"{result.radius_m / 1000:g} km"
        print(
            f"{prov.name}: rollout from {result.as_of}, radius {radius} ({result.solver}, gap {result.gap:.3%}, {result.seconds:.1f} s)"
        )
        print(f"  travel: {result.travel}")
        print_off_counts(result.off_network)
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


def plan_travel_table(document: dict) -> pd.DataFrame:
    """The ``travel`` sheet of a plan's workbook: the model that decided "within", its radius, and
    the places off the road network (kind, count, farthest metres)."""
    import pandas as pd

    rows = [
        {"item": "travel", "value": document["travel"]},
        {"item": "radius_km", "value": document["radius_km"]},
        {"item": "radius_min", "value": document["radius_min"]},
    ]
    rows += [
        {"item": f"off the road network: {o['kind']}", "value": f"{o['count']} (farthest {o['farthest_m']:g} m)"}
        for o in document.get("off_network") or []
    ]
    return pd.DataFrame(rows)


def _print_budgeted(name: str, result) -> None:
    """The summary of a plan within money and staff (or of its shortfall)."""
    print(
        f"{name}: rollout within money and staff from {result.as_of}, radius {result.radius_m / 1000:g} km "
        f"({result.solver}, gap {result.gap:.3%}, {result.seconds:.1f} s)"
    )
    print(f"  need: {result.need}; demand on {result.demand_points}; a worker serves {result.caseload:g}")
    for note in result.notes:
        print(f"  note: {note}")
    if not result.feasible:
        short = result.shortfall
        print("  the targets do not fit the budget and workers; the least it takes:")
        for line in short.lines():
            print(f"    {line}")
        return
    for y in result.years:
        counts = Counter(int(y.sizes[c]) for c in y.opened)
        mix = ", ".join(f"{size} workers x {counts[size]}" for size in sorted(counts))
        budget = f" of {yuan_text(y.budget_yuan)}" if y.budget_yuan is not None else ""
        supply = f" of {y.workers_supply:,.0f}" if y.workers_supply is not None else ""
        print(
            f"  by {y.date}: target {y.target_share:.0%} -> open {len(y.opened)} new ({mix}); "
            f"spend {yuan_text(y.spend_yuan)}{budget}; workers {y.new_workers:,.0f}{supply}; "
            f"need served {y.served_share_after:.1%}; {len(y.overloaded)} stations over-loaded"
        )
    if result.gini_before is not None:
        print(
            f"  equity: share of each county's need served, Gini across counties {result.gini_before:.3f} "
            f"before -> {result.gini_after:.3f} after"
        )


def cmd_need_import(args: argparse.Namespace) -> int:
    from coverage.analysis.need import township_need
    from coverage.data.columns import ROLE_FLAGS
    from coverage.data.io import write_table
    from coverage.data.need_table import read_need_table
    from coverage.data.provinces import load_province

    overrides = {role: getattr(args, f"{role}_col") for role in ROLE_FLAGS if getattr(args, f"{role}_col", None)}
    columns = [c.strip() for c in args.columns.split(",") if c.strip()] if args.columns else None
    table = read_need_table(
        str(args.file), province=args.province, columns=overrides, need_columns=columns, sheet=args.sheet
    )
    prov = load_province(table.province)
    need = township_need(prov.townships, table.values, table.columns, _weights(args.weights))
    document = {**table.to_json(), "need": need.to_json()}
    if args.out:
        write_table(table.report, args.out)
        document["out"] = str(args.out)
    if args.json:
        print_json(document)
        return 0
    s = table.summary
    print(f"{args.file}: {s['total']} rows, {len(table.values)} townships of {prov.name}")
    print("  " + ", ".join(f"{k} {s[k]}" for k in ("matched", "repaired", "ambiguous", "unmatched", "rejected")))
    print("  need = " + " + ".join(f"{col} x {w:g}" for col, w in need.weights.items()) + " (need units per person)")
    print(f"  total need {need.values.sum():,.1f}; {len(need.missing)} counted townships have no row (need 0)")
    for note in table.notes:
        print(f"  note: {note}")
    for r in table.report.to_dict(orient="records"):
        if r["status"] != "matched" or r["message"]:
            where = f" -> {r['township']}" if r["township"] else ""
            print(f"  row {r['row']}: {r['status']}{where}; {r['message']}")
    if args.out:
        print(f"report written to {args.out}")
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
    if args.cost_matrix and (args.need or args.points != "grid"):
        msg = "--need and --points work on the province's townships, not with --cost-matrix; leave them out"
        raise InputError(msg)
    if args.cost_matrix:
        if model in ("mclp", "lscp") and args.radius is None:
            msg = f"{model} needs a radius: --radius (cost-matrix units)"
            raise InputError(msg)
        unused = [
            flag
            for flag, value in (
                ("--radius-km", args.radius_km),
                ("--radius-min", args.radius_min),
                ("--travel", args.travel),
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
    cost_model = model in settings.SITING_COST_MODELS
    if cost_model and (args.radius_min is not None or args.radius_km is not None):
        msg = (
            f"{model} has no service radius (it weighs road minutes, or straight-line metres with --travel line); "
            "leave out --radius-km/--radius-min"
        )
        raise InputError(msg)
    if not cost_model:  # p-median/p-center by road need no radius in minutes
        check_radius(args)
    check_capacity(args)
    if cost_model and (args.need or args.points != "grid"):
        msg = f"{model} weighs township points by their villages and communities; --need and --points go with mclp and lscp"
        raise InputError(msg)
    if capacitated(args) and model != "mclp":
        msg = f"--capacity, --menu, --workers and --budget go with --model mclp (capacitated coverage), not {model}"
        raise InputError(msg)
    if args.share is None:
        args.share = 1.0


def check_radius(args: argparse.Namespace) -> None:
    """At most one of ``--radius-km`` and ``--radius-min``; ``--travel road`` with minutes (site, plan)."""
    if args.radius_km is not None and args.radius_min is not None:
        msg = "give one of --radius-km (straight line) or --radius-min (travel minutes), not both"
        raise InputError(msg)
    if getattr(args, "cost_matrix", None) is None:
        check_travel_radius(args)


def check_capacity(args: argparse.Namespace) -> None:
    """Options that only mean something with capacity (``site`` and ``plan``)."""
    if args.need_weights and not args.need:
        msg = "--need-weights weighs the columns of --need; add --need FILE"
        raise InputError(msg)
    if capacitated(args):
        return
    given = [
        flag
        for flag, value in (
            ("--caseload", args.caseload),
            (
                "--running-cost",
                None if args.running_cost == settings.RUNNING_COST_PER_WORKER_YUAN else args.running_cost,
            ),
            ("--station-workers", None if args.station_workers == settings.STATION_WORKERS else args.station_workers),
        )
        if value is not None
    ]
    if given:
        flags = (
            "--capacity, --menu, --workers or --budget"
            if hasattr(args, "capacity")
            else "--budget, --workers or --menu"
        )
        msg = f"{', '.join(given)}: only used with capacity; add {flags}, or leave them out"
        raise InputError(msg)


def check_plan(args: argparse.Namespace) -> None:
    """Rules between the arguments of ``plan``."""
    check_overrides(args)
    check_radius(args)
    check_capacity(args)


# argparse types of the capacity options: the rules of coverage.checks
yuan_type = arg_type(checks.parse_yuan, "yuan")
menu_type = arg_type(checks.parse_menu, "menu")
yearly_budget_type = arg_type(
    lambda text: checks.parse_yearly(text, checks.parse_yuan, "--budget", "2024:3000万,2025:3000万"), "yearly_budget"
)
yearly_workers_type = arg_type(
    lambda text: checks.parse_yearly(text, checks.YEARLY_WORKERS, "--workers", "2024:120,2025:150"), "yearly_workers"
)


def capacity_args(p: argparse.ArgumentParser) -> None:
    """The options of capacity shared by ``site`` and ``plan``."""
    sizes = ",".join(f"{w}:{yuan_text(c)}" for w, c in settings.CAPACITY_MENU)
    p.add_argument(
        "--menu",
        type=menu_type,
        default=None,
        help=f"sizes of new stations WORKERS:BUILD_COST, at most {settings.MAX_MENU_SIZES} (default {sizes})",
    )
    p.add_argument(
        "--running-cost",
        type=yuan_type,
        default=settings.RUNNING_COST_PER_WORKER_YUAN,
        help=f"yearly cost of one worker, yuan, 万 or 亿 (default {yuan_text(settings.RUNNING_COST_PER_WORKER_YUAN)}; "
        f"each station also costs {yuan_text(settings.STATION_RUNNING_COST_YUAN)} a year)",
    )
    p.add_argument(
        "--caseload",
        type=rule_type(checks.CASELOAD),
        default=None,
        help="demand one worker serves, above 0, in the unit of the need (default: "
        + ", ".join(f"{k} {v:g}" for k, v in settings.CASELOAD_PER_WORKER.items())
        + ")",
    )
    p.add_argument(
        "--station-workers",
        type=rule_type(checks.STATION_WORKERS),
        default=settings.STATION_WORKERS,
        help=f"workers of an existing station whose record has none, 1-{settings.MAX_STATION_WORKERS} (default {settings.STATION_WORKERS})",
    )
    p.add_argument("--need", type=existing_file, default=None, help="need table (CSV/XLSX, see `need import`)")
    p.add_argument(
        "--need-weights",
        type=need_weights_type,
        default=None,
        help="weights of the need table's columns, need units per person, e.g. 低保=1,特困=2",
    )
    p.add_argument(
        "--points",
        choices=settings.DEMAND_POINTS,
        default="grid",
        help="where demand sits: grid cells, or villages at approximate positions (default grid)",
    )


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
        help=f"service radius, straight-line km, above 0 and at most {settings.MAX_RADIUS_KM:g} (province mode; default {settings.DEFAULT_RADIUS_KM:g})",
    )
    radius_minutes_arg(p, "mclp, lscp")
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
    p.add_argument(
        "--capacity",
        type=existing_file,
        default=None,
        help="CSV/XLSX id,capacity (or id,workers) of candidate sites (cost-matrix column ids or township codes) "
        "and existing stations; with it the objective is the demand actually served",
    )
    p.add_argument(
        "--workers",
        type=rule_type(checks.YEARLY_WORKERS),
        default=None,
        help="new certified workers available, at most (capacitated mclp)",
    )
    p.add_argument(
        "--budget",
        type=yuan_type,
        default=None,
        help="money for the new stations: build plus a year's running, yuan, 万 or 亿, e.g. 3000万",
    )
    capacity_args(p)
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
    need_sub = p.add_subparsers(dest="need_command", required=False, metavar="import")
    q = need_sub.add_parser("import", help="import a need table (people in need per township), report row by row")
    q.add_argument(
        "file", type=existing_file, help="need table (.csv or .xlsx): township code or name, counts of people"
    )
    q.add_argument(
        "--province", type=province_type, default=None, help="code or name (default: inferred from the rows)"
    )
    q.add_argument("--columns", default=None, help="the columns holding counts, separated by commas (default: found)")
    q.add_argument(
        "--weights",
        type=need_weights_type,
        default=None,
        help="need units per person of each column, e.g. 低保=1,特困=2 (defaults: settings.NEED_TABLE_WEIGHTS)",
    )
    q.add_argument("--sheet", default=None, help="XLSX sheet name (default: the first with a known header)")
    q.add_argument(
        "--out", type=output_path(".csv", ".xlsx", ".json"), default=None, help="write the report (.csv, .xlsx, .json)"
    )
    for role in ("township_code", "township", "county", "city", "name"):
        q.add_argument(
            f"--{role.replace('_', '-')}-col", dest=f"{role}_col", default=None, help=f"column holding {role}"
        )
    json_flag(q)
    q.set_defaults(func=cmd_need_import, check=None)

    p = sub.add_parser("plan", help="year-by-year rollout meeting the targets")
    analysis_args(p)
    target_args(p)
    p.add_argument(
        "--radius-km",
        type=rule_type(checks.RADIUS_KM),
        default=None,
        help=f"service radius, straight-line km, above 0 and at most {settings.MAX_RADIUS_KM:g} (default {settings.DEFAULT_RADIUS_KM:g})",
    )
    radius_minutes_arg(p, "without capacity")
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
        "--budget",
        type=yearly_budget_type,
        default=None,
        help="money for new stations each target year, YEAR:AMOUNT in yuan, 万 or 亿, e.g. 2022:1.2亿,2023:2.5亿 "
        "(build and running of the new stations; years after the last target are used to find later dates)",
    )
    p.add_argument(
        "--workers",
        type=yearly_workers_type,
        default=None,
        help="new certified workers each target year, YEAR:COUNT, e.g. 2022:400,2023:900 (they stay)",
    )
    capacity_args(p)
    p.add_argument(
        "--out",
        type=output_path(".xlsx"),
        default=None,
        help="write the plan (.xlsx: one sheet per year with reasons; with capacity a cost and staff sheet)",
    )
    json_flag(p)
    p.set_defaults(func=cmd_plan, check=check_plan)
