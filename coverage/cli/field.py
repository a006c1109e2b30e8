"""``trip`` and ``supervise``: evaluation trips and supervisors' rounds."""

from __future__ import annotations

import argparse
from pathlib import Path

from coverage import checks, settings
from coverage._errors import InputError
from coverage.cli.common import (
    add_notes,
    add_travel,
    arg_type,
    check_exclusive,
    check_needs,
    check_travel_args,
    clock_time,
    db_arg,
    existing_file,
    file_or_names,
    iso_date,
    json_flag,
    known_on_arg,
    output_path,
    print_json,
    print_notes,
    print_travel,
    province_type,
    read_itinerary,
    rule_type,
    sample_type,
    station_table_from_args,
    travel_args,
    travel_from_args,
    year_month,
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
        visit_cap_days,
        working_days,
    )

    code = load_register().province_code(args.province)
    itinerary = read_itinerary(args.evaluate) if args.evaluate else None
    if itinerary is not None and not args.stations:
        stations = stations_by_name(list(dict.fromkeys(t for day in itinerary for t in day)), code)
        itinerary = [stations_by_name(day, code)["code"].tolist() if day else [] for day in itinerary]
        from coverage.data.lists import uploaded_list

        described = uploaded_list(Path(args.evaluate).name, stations)
    else:
        stations, described = station_table_from_args(args, code)
        if itinerary is not None:
            itinerary = [stations_by_name(day, code)["code"].tolist() if day else [] for day in itinerary]
    if args.sample:
        stations = sample_stations(stations, args.sample, seed=args.seed, strata=args.strata)
    start = resolve_place(args.start, code) if args.start else capital(code)
    end = resolve_place(args.end, code) if args.end else start
    first = args.from_date or next_monday().isoformat()
    holidays = tuple(args.holidays or ())
    tours = tuple(args.tours) if args.tours else None
    default_days = len(itinerary) if itinerary else visit_cap_days(len(stations), args.per_day)
    days = sum(tours) if tours else (args.days if args.days or args.to_date else default_days)
    dates = working_days(first, days, args.to_date, weekends=args.weekends, holidays=holidays)
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
        tours=tours,
        weekends=args.weekends,
        holidays=tuple(dates_of(holidays)),
    )
    travel = travel_from_args(args, code)
    if args.fewest_days:
        from coverage.field.trips import fewest_days

        count = fewest_days(request, travel, args.method, args.time_limit)
        if count.plan is None or count.days is None:
            msg = (
                f"not every station can be visited within {settings.TRIP_MAX_DAYS} working days "
                "(or not within the work limits); check the far stations, lengthen the days or allow an evening transfer"
            )
            raise InputError(msg)
        request, plan = count.plan.request, count.plan
        dates = request.dates
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
    elif not args.fewest_days:
        plan = plan_trip(request, travel, args.method, args.time_limit, longer_days=args.longer_days)
        document = plan.to_json()
    if args.fewest_days:
        document = plan.to_json()
        document["fewest_days"] = {
            "days": count.days,
            "tours": list(count.tours),
            "last_date": count.dates[-1].isoformat(),
            "proven": count.proven,
            "at_least": count.lower,
        }
    if args.out:
        from coverage.field.trip_export import write_plan

        write_plan(plan, args.out, args.lang)
        document["out"] = str(args.out)
    from coverage.data.provinces import load_province

    add_travel(document, travel)
    notes = add_notes(document, load_province(code), described, "stations", "places")
    if args.json:
        print_json(document)
        return 0
    if args.fewest_days:
        proof = "" if count.proven else f" (found; {(count.days or 1) - 1} days not ruled out)"
        print(
            f"fewest working days for all {len(stations)} stations: {count.days}{proof}, {len(count.tours)} tours, to {count.dates[-1]}"
        )
    print(f"{len(stations)} stations from {start.name} to {end.name}, {len(dates)} days: {plan.message}")
    print_travel(document)
    for d in plan.days.to_dict(orient="records"):
        print(
            f"  {d['date']} (tour {d['tour']}) {' -> '.join(d['names']) or '(no visit)'}; overnight {d['overnight']}; "
            f"{d['travel_min']:.0f} min, {d['travel_km']:.0f} km, finish {d['finish']}"
            + (f", {d['over_min']:.0f} min over" if d["over_min"] > 0 else "")
        )
    if itinerary is not None:
        p = document["planned"]
        left = f", leaving out {len(p['unvisited'])} stations" if p["unvisited"] else ""
        print(
            f"  given itinerary {plan.travel_min:.0f} min of driving; the plan {p['total_travel_min']:.0f} min (saving {p['saving_min']:.0f} min{left})"
        )
    else:
        bound = (
            "bound not proven"
            if plan.bound_min != plan.bound_min
            else f"bound {plan.bound_min:.0f} min, gap {plan.gap:.2%}"
        )
        cut = f" (cut at the {plan.cut})" if plan.cut else ""
        print(
            f"  driving {plan.travel_min:.0f} min ({plan.travel_km:.0f} km); {bound}; {plan.solver}{cut}; {plan.seconds:.1f} s"
        )
    for o in plan.options:
        print(
            f"  option: {o['choice']}: "
            + ("fits" if o["fits"] else "does not fit")
            + "".join(f", {k} {v}" for k, v in o.items() if k not in ("choice", "fits"))
        )
    if args.out:
        print(f"written to {args.out}")
    print_notes(notes)
    return 0


def cmd_supervise(args: argparse.Namespace) -> int:
    import pandas as pd

    from coverage.data.register import load_register
    from coverage.field.supervision import assign_supervisors, monthly_rounds

    code = load_register().province_code(args.province)
    stations, described = station_table_from_args(args, code)
    bases = None
    if args.bases:
        from coverage.data.tables import read_supervisor_bases
        from coverage.field.supervision import place_bases

        bases = place_bases(read_supervisor_bases(args.bases), code)
    travel = travel_from_args(args, code)
    result = assign_supervisors(
        stations,
        bases=bases,
        n_supervisors=args.supervisors,
        min_load=args.min,
        max_load=args.max,
        travel=travel,
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
    if args.out and args.out.suffix.lower() in (".html", ".htm"):
        from coverage.data.io import atomic_write
        from coverage.field.trip_export import rounds_html

        page = rounds_html(
            calendar,
            totals,
            args.month or pd.Timestamp.today().strftime("%Y-%m"),
            args.hours,
            settings.SUPERVISION_DAY_HOURS,
            args.lang,
        )
        atomic_write(args.out, page.encode("utf-8"))
        document["out"] = str(args.out)
    elif args.out:
        from coverage.data.io import write_sheets

        sup = result.supervisors.assign(
            stations=result.supervisors["stations"].map(", ".join), names=result.supervisors["names"].map(", ".join)
        )
        write_sheets(
            {"supervisors": sup, "stations": result.stations, "month": calendar, "month totals": totals}, args.out
        )
        document["out"] = str(args.out)
    from coverage.data.provinces import load_province

    add_travel(document, travel)
    notes = add_notes(document, load_province(code), described, "stations", "places")
    if args.json:
        print_json(document)
        return 0
    print(
        f"{len(result.stations)} stations, {len(result.supervisors)} supervisors ({args.min}-{args.max} stations each): "
        f"{result.total_travel_min:.0f} min from base in all; bound {result.bound_min:.0f}, gap {result.gap:.2%} ({result.status})"
    )
    print_travel(document)
    for note in result.notes:
        print(f"  note: {note}")
    for r in result.supervisors.to_dict(orient="records"):
        t = by_sup.loc[r["supervisor"]]
        print(
            f"  {r['supervisor']} at {r['base']}: {r['load']} stations, {r['travel_min']:.0f} min one way in all"
            + (f" [{r['binds']}]" if r["binds"] else "")
            + f"; month: {int(t['days_used'])} of {int(t['working_days'])} days"
        )
    if args.out:
        print(f"written to {args.out}")
    print_notes(notes)
    return 0


# --------------------------------------------------------------------------- parser
def _date_list(text: str) -> list[str]:
    """Dates YYYY-MM-DD separated by commas (each a day of the calendar), kept as text."""
    out = [part.strip() for part in text.split(",") if part.strip()]
    return [checks.parse_date(part, "holiday").isoformat() for part in out]


def dates_of(texts: tuple[str, ...]) -> list:
    """The holidays as dates."""
    return [checks.parse_date(x, "holiday") for x in texts]


def _tour_list(text: str) -> list[int]:
    """Working days of each tour, whole numbers of 1 or more separated by commas, e.g. 5,5."""
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if not parts:
        msg = f"tours {text!r} give no length; write the days of each tour separated by commas, e.g. 5,5"
        raise InputError(msg)
    return [int(checks.TRIP_DAYS(part)) for part in parts]


#: ``--holidays`` and ``--tours`` as argparse types.
date_list = arg_type(_date_list, "date_list")
tour_list = arg_type(_tour_list, "tour_list")


def check_trip(args: argparse.Namespace) -> None:
    """Rules between the arguments of ``trip`` (the library's own rules, asked before any work)."""
    from coverage.field.trips import day_minutes, next_monday, working_days

    check_travel_args(args)
    check_exclusive(args, "days", "to_date", "tours", "fewest_days")
    check_needs(args, "strata", "sample")
    if args.to_date is not None:
        first = args.from_date or next_monday()
        dates = working_days(first, last=args.to_date, weekends=args.weekends)
        try:
            checks.TRIP_DAYS(len(dates))
        except InputError as exc:
            msg = f"{first} to {args.to_date} holds {len(dates)} working days ({exc}); give a shorter range"
            raise InputError(msg) from exc
    day_minutes(args.day_start, args.day_end, args.lunch_min, args.visit_hours * 60)


def check_supervise(args: argparse.Namespace) -> None:
    """Rules between the arguments of ``supervise``."""
    from coverage.field.supervision import check_load_bounds

    check_travel_args(args)
    check_exclusive(args, "supervisors", "bases")
    check_load_bounds(args.min, args.max)


def add_parsers(sub) -> None:
    """Add this group's commands to the ``python -m coverage`` sub-parsers."""
    p = sub.add_parser("trip", help="field trip of an evaluation team: stations in order, day by day, overnight towns")
    p.add_argument(
        "--province", type=province_type, default=settings.DEFAULT_PROVINCE, help="code or name (default 45)"
    )
    p.add_argument(
        "--stations",
        type=file_or_names,
        default=None,
        help="station file, or names separated by commas (default: the registry's stations open today)",
    )
    db_arg(p)
    known_on_arg(p)
    p.add_argument(
        "--sample",
        type=sample_type,
        default=None,
        help="sampling rule N-per-city or N-per-county (N 1 or more), e.g. 2-per-city or 1-per-county",
    )
    p.add_argument(
        "--seed", type=rule_type(checks.SEED), default=0, help="seed of the sample, 0 or more (same seed, same sample)"
    )
    p.add_argument("--strata", default=None, help="column to spread the sample over (e.g. a status; with --sample)")
    p.add_argument("--start", default=None, help="city, county, township or lon,lat (default: the provincial capital)")
    p.add_argument("--end", default=None, help="as --start (default: the start)")
    p.add_argument(
        "--days",
        type=rule_type(checks.TRIP_DAYS),
        default=None,
        help=f"working days, 1-{settings.TRIP_MAX_DAYS} (default 5, or one a line of --evaluate)",
    )
    p.add_argument(
        "--from-date",
        type=iso_date,
        default=None,
        help=f"first day YYYY-MM-DD, {settings.EARLIEST_DATE} to {settings.LATEST_DATE} (default next Monday)",
    )
    p.add_argument("--to-date", type=iso_date, default=None, help="last day YYYY-MM-DD (instead of --days)")
    p.add_argument(
        "--weekends", action="store_true", help="work on Saturdays and Sundays too (else the team is home at weekends)"
    )
    p.add_argument(
        "--holidays",
        type=date_list,
        default=None,
        help="days off, YYYY-MM-DD separated by commas: no travel, the team is home (a tour ends before them)",
    )
    p.add_argument(
        "--tours",
        type=tour_list,
        default=None,
        help="lengths of the tours in working days, e.g. 3,4 (home between them; instead of --days)",
    )
    p.add_argument(
        "--fewest-days",
        action="store_true",
        help="answer how many working days visit every station (from --from-date, home at weekends) and plan them",
    )
    p.add_argument(
        "--longer-days",
        action="store_true",
        help="when not all fit, also price the shortest lengthening of the days (a new model per length: slower)",
    )
    p.add_argument(
        "--per-day",
        type=rule_type(checks.PER_DAY),
        default=settings.TRIP_PER_DAY,
        help=f"visits a day at most, 1-{settings.TRIP_MAX_PER_DAY} (default {settings.TRIP_PER_DAY})",
    )
    p.add_argument(
        "--visit-hours",
        type=rule_type(checks.VISIT_HOURS),
        default=settings.TRIP_VISIT_HOURS,
        help=f"hours per visit, above 0, fitting in the working day (default {settings.TRIP_VISIT_HOURS:g})",
    )
    p.add_argument(
        "--day-start",
        type=clock_time,
        default=settings.TRIP_DAY_START,
        help=f"start of the working day, HH:MM (default {settings.TRIP_DAY_START})",
    )
    p.add_argument(
        "--day-end",
        type=clock_time,
        default=settings.TRIP_DAY_END,
        help=f"end of the working day, HH:MM up to 24:00, after --day-start (default {settings.TRIP_DAY_END})",
    )
    p.add_argument(
        "--lunch-min",
        type=rule_type(checks.LUNCH_MIN),
        default=settings.TRIP_LUNCH_MIN,
        help=f"lunch break, minutes, 0 or more, shorter than the day (default {settings.TRIP_LUNCH_MIN})",
    )
    p.add_argument(
        "--overnight",
        choices=["towns", "base", "province"],
        default="towns",
        help="towns: county seats of the stations' counties (default); province: every county seat; base: back at the start each night",
    )
    p.add_argument(
        "--evening-min",
        type=rule_type(checks.EVENING_MIN),
        default=0.0,
        help=f"allow the drive to the overnight town to end this late, minutes, 0-{settings.TRIP_MAX_EVENING_MIN:g}",
    )
    p.add_argument("--method", choices=["auto", "exact", "heuristic"], default="auto")
    p.add_argument(
        "--evaluate",
        type=existing_file,
        default=None,
        help="text file: one line per day, station names in order; measured with the same model",
    )
    p.add_argument(
        "--out",
        type=output_path(".ics", ".html", ".htm", ".xlsx"),
        default=None,
        help="write the plan: .ics (calendar), .html (printable) or .xlsx",
    )
    p.add_argument("--lang", choices=["zh", "en"], default="zh", help="language of the .html and .xlsx (default zh)")
    travel_args(p)
    json_flag(p)
    p.set_defaults(func=cmd_trip, check=check_trip)

    p = sub.add_parser("supervise", help="assign stations to supervisors (5-8 each) and plan a monthly round")
    p.add_argument(
        "--province", type=province_type, default=settings.DEFAULT_PROVINCE, help="code or name (default 45)"
    )
    p.add_argument(
        "--stations",
        type=file_or_names,
        default=None,
        help="station file or names (default: the registry's stations open today)",
    )
    db_arg(p)
    known_on_arg(p)
    p.add_argument(
        "--supervisors",
        type=rule_type(checks.SUPERVISORS),
        default=None,
        help="number of supervisors, 1 or more (bases chosen among the stations' townships)",
    )
    p.add_argument(
        "--bases",
        type=existing_file,
        default=None,
        help="CSV/XLSX of supervisors: name, lon, lat (or name, base = a township/county)",
    )
    p.add_argument(
        "--min",
        type=rule_type(checks.LOAD),
        default=settings.SUPERVISOR_MIN_STATIONS,
        help=f"stations per supervisor at least, 1 or more (default {settings.SUPERVISOR_MIN_STATIONS})",
    )
    p.add_argument(
        "--max",
        type=rule_type(checks.LOAD),
        default=settings.SUPERVISOR_MAX_STATIONS,
        help=f"stations per supervisor at most, not below --min (default {settings.SUPERVISOR_MAX_STATIONS})",
    )
    p.add_argument(
        "--month",
        type=year_month,
        default=None,
        help="month of the round, YYYY-MM (default this month)",
    )
    p.add_argument(
        "--hours",
        type=rule_type(checks.SUPERVISION_HOURS),
        default=settings.SUPERVISION_HOURS,
        help=f"hours per station per month, above 0 and at most {settings.SUPERVISION_MAX_HOURS:g} (default {settings.SUPERVISION_HOURS:g})",
    )
    p.add_argument(
        "--out",
        type=output_path(".xlsx", ".html", ".htm"),
        default=None,
        help="write assignments and the month's calendar (.xlsx), or the month's rounds to print (.html)",
    )
    p.add_argument("--lang", choices=["zh", "en"], default="zh", help="language of the .html (default zh)")
    travel_args(p, settings.SUPERVISION_TIME_LIMIT_S)
    json_flag(p)
    p.set_defaults(func=cmd_supervise, check=check_supervise)
