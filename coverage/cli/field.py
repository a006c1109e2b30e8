"""``trip`` and ``supervise``: evaluation trips and supervisors' rounds."""

from __future__ import annotations

import argparse

from coverage import settings
from coverage.cli.common import (
    json_flag,
    print_json,
    read_itinerary,
    station_table_from_args,
    travel_args,
    travel_from_args,
)


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
    itinerary = read_itinerary(args.evaluate) if args.evaluate else None
    if itinerary is not None and not args.stations:
        stations = stations_by_name(list(dict.fromkeys(t for day in itinerary for t in day)), code)
        itinerary = [stations_by_name(day, code)["code"].tolist() if day else [] for day in itinerary]
    else:
        stations = station_table_from_args(args, code)
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
    travel = travel_from_args(args)
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
        print_json(document)
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
    stations = station_table_from_args(args, code)
    bases = None
    if args.bases:
        from coverage.data.tables import read_supervisor_bases
        from coverage.field.supervision import place_bases

        bases = place_bases(read_supervisor_bases(args.bases), code)
    result = assign_supervisors(
        stations,
        bases=bases,
        n_supervisors=args.supervisors,
        min_load=args.min,
        max_load=args.max,
        travel=travel_from_args(args),
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
        print_json(document)
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


# --------------------------------------------------------------------------- parser
def add_parsers(sub) -> None:
    """Add this group's commands to the ``python -m coverage`` sub-parsers."""
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
    p.set_defaults(time_limit=settings.SUPERVISION_TIME_LIMIT_S)
    json_flag(p)
    p.set_defaults(func=cmd_supervise)
