"""Field trips (evaluators) and supervision (supervisors with 5-8 stations each)."""

import datetime as dt
import time

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from app_pages import common
from app_pages.i18n import lang, t, t_known
from coverage import checks, settings
from coverage.analysis.travel import StraightLine
from coverage.data.io import sheets_bytes
from coverage.field.supervision import assign_supervisors, monthly_rounds
from coverage.field.trip_export import (
    day_table,
    hours_minutes,
    leg_table,
    rounds_html,
    to_html,
    to_ics,
    to_sheets,
    visit_table,
)
from coverage.field.trips import (
    TripRequest,
    capital,
    evaluate_itinerary,
    fewest_days,
    next_monday,
    parse_itinerary,
    plan_in_fewest_days,
    plan_trip,
    resolve_place,
    sample_stations,
    station_table,
    stations_by_name,
    visit_cap_days,
    working_days,
)
from coverage.present import exports, webmap
from coverage.present.i18n.messages import translate

view = common.current()
ss = st.session_state
st.title(t("trips_title", region=view.region_name))
common.data_notes(view, "stations", "places")
code = str(view.province.code)
stations = view.stations
if view.region and len(stations):
    col = "city_code" if len(view.region) == 4 else "county_code"
    stations = stations[stations[col].astype(str) == view.region]
stations = stations[common.open_on(stations, view.as_of)] if len(stations) else stations
if len(stations) == 0:
    st.warning(t("no_stations"))
    st.stop()

trip_tab, supervise_tab = st.tabs([t("trip_tab"), t("supervise_tab")])


def supervision_table(frame: pd.DataFrame) -> pd.DataFrame:
    """A supervision table with headers (and the "binds" values) in the session's language."""
    out = frame.copy()
    if "binds" in out:
        out["binds"] = out["binds"].map(lambda b: t_known("sup_binds_", b))
    return out.rename(columns=lambda c: t_known("sup_col_", c))


def show_map(legs: pd.DataFrame, group: str, fmt: str, key: str) -> None:
    towns, geoms = common.display(view, "counties")
    lon = pd.concat([legs["from_lon"], legs["to_lon"]]).astype(float)
    lat = pd.concat([legs["from_lat"], legs["to_lat"]]).astype(float)
    pad = 0.15  # degrees around the route, so its ends are not on the map's edge
    route = [lon.min() - pad, lat.min() - pad, lon.max() + pad, lat.max() + pad] if len(legs) else None
    m = webmap.new_map(route if route is not None else towns.total_bounds)
    webmap.county_layer(towns, labels=view.labels, geometry=geoms).add_to(m)
    for layer in webmap.route_layers(legs, view.labels, group_col=group, name_format=fmt):
        layer.add_to(m)
    st_folium(webmap.finish(m), height=480, use_container_width=True, returned_objects=[], key=key)


def strata_columns(table: pd.DataFrame) -> list[str]:
    """Columns a sample can be spread over: a handful of values (kind of township, status, a user's band)."""
    skip = {"code", "name", "lon", "lat", "geometry", "row", "notes", "source", "location_source"}
    return [
        c
        for c in table.columns
        if c not in skip and not c.endswith(("_code", "_name", "_id")) and 2 <= table[c].nunique() <= 12
    ]


def trip_travel_text(view: common.View, speed_kmh: float, long_kmh: float, request: TripRequest) -> str:
    """Names the travel model of a trip: the sidebar's roads (and the trip's places off them), else the line
    at the page's speeds."""
    road = view.road
    if road is not None:
        names = {*map(str, request.stations["name"]), request.start.name, request.end.name}
        off = [r for r in road.off_network() if r["name"] in names]
        if not off:
            return common.travel_text(view)
        far = t("off_sep").join(f"{r['name']} {r['snap_m'] / 1000:.1f} km" for r in off)
        return common.travel_text(view) + " " + t("off_places_note", n=len(off), places=far)
    return t("travel_line_used", circuity=settings.CIRCUITY_FACTOR, speed=speed_kmh, long=long_kmh or speed_kmh)


def option_text(option: dict) -> str:
    """One way to fit every station, in the session's language."""
    kind = {
        "drop the lowest-priority visits": "drop",
        "allow an evening transfer": "evening",
        "fewest days": "fewest",
        "lengthen days": "longer",
    }[option["choice"]]
    if kind == "fewest" and option["fits"]:
        return t("opt_fewest", **option) + " — " + t("opt_fits", h=option["total_travel_min"] / 60)
    if kind == "fewest" and not option["fits"]:  # not even in the most days the search tries
        return t("opt_fewest_none", days=option["days"])
    if kind == "drop":
        return t("opt_drop", n=len(option["dropped"]), h=option.get("total_travel_min", 0) / 60)
    if kind == "longer" and "extra_min" not in option:
        kind = "longer_any"
    text = t(f"opt_{kind}", **{k: v for k, v in option.items() if k not in ("choice", "fits", "reason")})
    if option["fits"]:
        text += " — " + t("opt_fits", h=option.get("total_travel_min", 0) / 60)
    else:
        text += " — " + t("opt_not_enough") + (t("opt_cap") if option.get("reason") == "visit cap" else "")
    return text


# --------------------------------------------------------------------------- trip planner
def default_days(codes: list[str], per_day: int) -> tuple[tuple[str, ...], int]:
    """Keep the days input on the figure the stations need until the user changes it: the visit cap's
    figure, or the fewest days that fit them all once a plan found it (a plan made while the days
    follow the stations is made in the fewest days: ``plan_in_fewest_days``).  Returns the key the
    days found are kept under."""
    found = ss.get("trip_days_found")
    key = (tuple(codes), per_day)
    need = found[1] if found is not None and found[0] == key else visit_cap_days(len(codes), per_day)
    need = min(need, settings.TRIP_MAX_DAYS)
    if ss.get("trip_days") in (None, ss.get("trip_days_auto")):
        ss["trip_days"] = need
    ss["trip_days_auto"] = need
    return key


def hours(minutes: float) -> str:
    """Minutes as h:mm, or "—" when not known."""
    return "—" if minutes != minutes else hours_minutes(minutes)


def step_text(step: str, info: dict) -> str | None:
    """The status line of a step of the planner (None: no change)."""
    if step == "matrix":
        return t("trip_step_matrix", n=info["places"])
    if step == "solve" and info.get("phase") == "blocks":
        return t("trip_step_solve_start")
    if step == "solve" and info.get("phase") == "plan" and info.get("travel_min") == info.get("travel_min"):
        return t("trip_step_solve", best=hours(info["travel_min"]), bound=hours(info.get("bound_min", float("nan"))))
    if step == "plan":
        return t("trip_step_options_start")
    if step == "days":
        return t("trip_step_options", days=info["days"])
    return None


def previous_itinerary(text: str, upload) -> list[list[str]]:
    """The last itinerary: the uploaded file (TXT/CSV, one line per day) or the text typed."""
    if upload is not None:
        from coverage.data.io import decode_text

        text, _ = decode_text(upload.getvalue())
    return parse_itinerary(text or "")


with trip_tab, common.friendly_errors():
    table = station_table(stations)
    mode = st.radio(
        t("trip_choose"),
        ["sample", "pick", "names"],
        format_func=lambda m: t(f"trip_mode_{m}"),
        horizontal=True,
        key="trip_mode",
    )
    if mode == "sample":
        c1, c2, c3, c4 = st.columns(4)
        level = c1.radio(
            t("trip_sample_level"),
            ["city", "county"],
            format_func=lambda v: t(f"trip_sample_level_{v}"),
            horizontal=True,
            key="trip_sample_level",
        )
        per = c2.number_input(t("trip_sample_per"), 1, 20, 2, key="trip_sample_per")
        seed = c3.number_input(t("trip_seed"), 0, 10_000, 0, key="trip_seed")
        strata = c4.selectbox(
            t("trip_strata"),
            [None, *strata_columns(table)],
            key="trip_strata",
            format_func=lambda c: t("trip_strata_none") if c is None else t_known("col_", c),
            help=t("trip_strata_help"),
        )
        chosen = sample_stations(table, (int(per), level), seed=int(seed), strata=strata)
    elif mode == "pick":
        labels = dict(zip(table["code"], table["name"], strict=True))
        picked = st.multiselect(t("trip_pick"), list(labels), format_func=labels.get, key="trip_pick")
        chosen = table[table["code"].isin(picked)]
    else:
        text = st.text_area(t("trip_names"), key="trip_names", help=t("trip_names_help"))
        names = [n for day in parse_itinerary(text) for n in day]
        chosen = stations_by_name(names, code) if names else table.head(0)
    st.caption(t("trip_chosen", n=len(chosen)))

    c = st.columns(4)
    start_text = c[0].text_input(
        t("trip_start"), settings.PROVINCIAL_CAPITALS.get(code, ""), key="trip_start", help=t("trip_start_help")
    )
    first = c[1].date_input(t("trip_first_day"), next_monday(), key="trip_first")
    per_day = c[2].number_input(
        t("trip_per_day"), 1, settings.TRIP_MAX_PER_DAY, settings.TRIP_PER_DAY, key="trip_per_day"
    )
    days_mode = c[3].radio(
        t("trip_days_mode"),
        ["given", "fewest"],
        format_func=lambda m: t(f"trip_days_{m}"),
        key="trip_days_mode",
    )
    days_key = default_days(chosen["code"].astype(str).tolist(), int(per_day))
    c = st.columns(4)
    n_days = c[0].number_input(
        t("trip_days"),
        1,
        settings.TRIP_MAX_DAYS,
        key="trip_days",
        disabled=days_mode == "fewest",
        help=t("trip_days_help"),
    )
    holidays_text = c[1].text_input(t("trip_holidays"), "", key="trip_holidays")
    weekends = c[2].checkbox(t("trip_weekends"), False, key="trip_weekends")
    longer = c[3].checkbox(t("trip_longer"), False, key="trip_longer")
    c = st.columns(4)
    visit_h = c[0].number_input(t("trip_visit_hours"), 0.5, 8.0, settings.TRIP_VISIT_HOURS, step=0.5, key="trip_visit")
    day_start = c[1].time_input(
        t("trip_day_start"), dt.time.fromisoformat(settings.TRIP_DAY_START), key="trip_day_start"
    )
    day_end = c[2].time_input(t("trip_day_end"), dt.time.fromisoformat(settings.TRIP_DAY_END), key="trip_day_end")
    lunch = c[3].number_input(t("trip_lunch"), 0, 120, settings.TRIP_LUNCH_MIN, step=15, key="trip_lunch")
    c = st.columns(4)
    overnight = c[0].radio(
        t("trip_overnight"), ["towns", "base"], format_func=lambda o: t(f"trip_overnight_{o}"), key="trip_overnight"
    )
    evening = c[1].number_input(t("trip_evening"), 0, 240, 0, step=15, key="trip_evening")
    speed = c[2].number_input(
        t("trip_speed"),
        10.0,
        120.0,
        settings.AVERAGE_SPEED_KMH,
        step=5.0,
        format="%.0f",
        key="trip_speed",
        help=t("trip_speed_help", km=settings.LOCAL_ROAD_KM),
    )
    long_speed = c[3].number_input(
        t("trip_long_speed"),
        0.0,
        120.0,
        settings.LONG_SPEED_KMH,
        step=5.0,
        format="%.0f",
        key="trip_long_speed",
        help=t("trip_long_speed_help", km=settings.LOCAL_ROAD_KM),
    )
    c = st.columns(2)
    previous = c[0].text_area(t("trip_previous"), key="trip_previous", help=t("trip_previous_help"))
    previous_file = c[1].file_uploader(t("trip_previous_file"), type=["txt", "csv"], key="trip_previous_file")
    if days_mode == "given" and len(chosen) > int(n_days) * int(per_day):
        st.warning(
            t("trip_over_cap", n=len(chosen), days=int(n_days), per_day=int(per_day), cap=int(n_days) * int(per_day))
        )

    c = st.columns([1, 1, 2])
    follows = days_mode == "given" and int(n_days) == ss.get("trip_days_auto")  # the days follow the stations
    run = c[0].button(t("trip_run"), type="primary", key="trip_run", width="stretch")
    c[1].button(t("trip_stop"), key="trip_stop", width="stretch")  # a click reruns the page: the solve stops
    if run:
        if len(chosen) == 0:
            st.error(t("trip_none_chosen"))
        else:
            base = (
                capital(code)
                if start_text.strip() in ("", settings.PROVINCIAL_CAPITALS.get(code))
                else resolve_place(start_text, code)
            )
            holidays = tuple(
                checks.parse_date(x.strip(), "holiday")
                for x in holidays_text.replace("，", ",").split(",")
                if x.strip()
            )
            request = TripRequest(
                chosen,
                start=base,
                end=base,
                dates=working_days(first, int(n_days), weekends=weekends, holidays=holidays),
                per_day=int(per_day),
                visit_min=visit_h * 60,
                day_start=day_start.strftime("%H:%M"),
                day_end=day_end.strftime("%H:%M"),
                lunch_min=float(lunch),
                overnight=overnight,
                evening_min=float(evening),
                weekends=weekends,
                holidays=holidays,
            )
            # the sidebar's travel model: the province's roads (the same model as `trip --travel road`), else the line
            travel = view.road or StraightLine(speed_kmh=float(speed), long_kmh=float(long_speed) or None)
            ss["trip_travel"] = trip_travel_text(view, float(speed), float(long_speed), request)
            started = time.perf_counter()
            stop_request: list[BaseException] = []
            with st.status(t("trip_solving"), expanded=True) as box:
                line = st.empty()

                def on_progress(step: str, info: dict) -> bool:
                    """Show the step; keep the plan so far; a click elsewhere (the stop button) stops the solve."""
                    if step == "plan":
                        ss["trip"] = (view.key, info["plan"], None, None)
                    text = step_text(step, info)
                    if text is None:
                        return True
                    try:
                        line.markdown(text)
                    except Exception:
                        raise
                    except BaseException as exc:  # Streamlit's rerun or stop: keep the best plan so far
                        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                            raise
                        stop_request.append(exc)
                        return False
                    return True

                count = None
                if days_mode == "fewest":
                    count = fewest_days(request, travel, progress=on_progress)
                    plan = count.plan
                    if plan is None:
                        st.error(t("trip_fewest_none", max=settings.TRIP_MAX_DAYS))
                elif follows:
                    plan, count = plan_in_fewest_days(request, travel, progress=on_progress, longer_days=longer)
                else:
                    plan = plan_trip(request, travel, progress=on_progress, longer_days=longer)
                given = None
                itinerary = previous_itinerary(previous, previous_file)
                if plan is not None and any(itinerary) and not stop_request:
                    days = [stations_by_name(day, code)["code"].tolist() if day else [] for day in itinerary]
                    given = evaluate_itinerary(plan.request, days, travel)
                label = t("trip_step_done", seconds=time.perf_counter() - started)
                if not stop_request:
                    box.update(label=label, state="complete", expanded=False)
            if plan is not None:
                ss["trip"] = (view.key, plan, given, count)
                ss["trip_travel"] = trip_travel_text(view, float(speed), float(long_speed), request)
            if stop_request:
                raise stop_request[0]
            if follows and count is not None and count.days is not None and count.days != int(n_days):
                ss["trip_days_found"] = (days_key, count.days)
                st.rerun()  # the days input shows the days found

    saved = ss.get("trip")
    if saved and saved[0] == view.key:
        _, plan, given, count = saved
        n_all = len(plan.request.stations)
        hours_a_day = (plan.request.day_min + plan.request.lunch_min) / 60
        if plan.cut == "stopped":
            st.info(t("trip_stopped"))
        if count is not None and count.days is not None:
            note = "" if count.proven else t("trip_fewest_unproven", days=count.days, fewer=count.days - 1)
            st.success(
                t(
                    "trip_fewest_result",
                    n=n_all,
                    days=count.days,
                    tours=len(count.tours),
                    last=count.dates[-1].isoformat(),
                )
                + note
            )
        elif len(plan.unvisited):
            st.warning(
                t(
                    "trip_some_fit",
                    fit=n_all - len(plan.unvisited),
                    total=n_all,
                    days=len(plan.request.dates),
                    hours=hours_a_day,
                    left="、".join(plan.unvisited["name"].astype(str)),
                )
            )
            for option in plan.options:
                st.caption("• " + option_text(option))
        else:
            st.success(t("trip_all_fit", total=n_all, days=len(plan.request.dates), hours=hours_a_day))
        c = st.columns(4)
        c[0].metric(t("trip_travel_min"), hours_minutes(plan.travel_min))
        c[1].metric(t("trip_travel_km"), f"{plan.travel_km:,.0f}")
        c[2].metric(
            t("trip_bound"), hours(plan.bound_min) if plan.bound_min == plan.bound_min else t("trip_gap_unknown")
        )
        c[3].metric(t("trip_gap"), f"{plan.gap:.1%}" if plan.gap == plan.gap else t("trip_gap_unknown"))
        cut = t(f"trip_cut_{plan.cut}") if plan.cut else ""
        st.caption(t("trip_solver", solver=plan.solver, seconds=plan.seconds) + cut)
        if ss.get("trip_travel"):
            st.caption(ss["trip_travel"])
        if given is not None:
            st.info(
                t(
                    "trip_compare",
                    given=given.travel_min / 60,
                    plan=plan.travel_min / 60,
                    saving=(given.travel_min - plan.travel_min) / 60,
                )
            )
        st.dataframe(day_table(plan, lang()), hide_index=True, width="stretch", key="trip_days_table")
        with st.expander(t("print.sheet_visits")):
            st.dataframe(visit_table(plan, lang()), hide_index=True, width="stretch", key="trip_visits_table")
        with st.expander(t("trip_legs")):
            st.dataframe(leg_table(plan, lang()), hide_index=True, width="stretch", key="trip_legs_table")
        show_map(plan.legs, "day", t("trip_day_n"), key=f"tripmap-{view.key}")
        c = st.columns(3)
        c[0].download_button(
            "XLSX",
            lambda: sheets_bytes(to_sheets(plan, lang())),
            file_name="trip.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            on_click="ignore",
            key="trip_xlsx",
            width="stretch",
        )
        c[1].download_button(
            "iCalendar (.ics)",
            lambda: to_ics(plan).encode("utf-8"),
            file_name="trip.ics",
            mime="text/calendar",
            on_click="ignore",
            key="trip_ics",
            width="stretch",
        )
        c[2].download_button(
            t("trip_print"),
            lambda: to_html(plan, lang()).encode("utf-8"),
            file_name="trip.html",
            mime="text/html",
            on_click="ignore",
            key="trip_html",
            width="stretch",
        )

# --------------------------------------------------------------------------- supervision
with supervise_tab, common.friendly_errors():
    c = st.columns(4)
    n_sup = c[0].number_input(t("sup_n"), 0, 500, 0, key="sup_n", help=t("sup_n_help"))
    lo = c[1].number_input(t("sup_min"), 1, 50, settings.SUPERVISOR_MIN_STATIONS, key="sup_min")
    hi = c[2].number_input(t("sup_max"), 1, 50, settings.SUPERVISOR_MAX_STATIONS, key="sup_max")
    month = c[3].date_input(t("sup_month"), view.as_of.replace(day=1), key="sup_month")
    if st.button(t("sup_run"), type="primary", key="sup_run"):
        with st.status(t("trip_solving"), expanded=False) as box:
            result = assign_supervisors(
                stations, n_supervisors=int(n_sup) or None, min_load=int(lo), max_load=int(hi), travel=view.road
            )
            ss["sup_travel"] = common.travel_text(view) if view.road is not None else t("travel_line_default")
            box.update(label=t("trip_solving") + " ✓", state="complete")
        ss["supervision"] = (view.key, view.region, result)
    saved = ss.get("supervision")
    if saved and saved[:2] == (view.key, view.region):
        result = saved[2]
        c = st.columns(4)
        c[0].metric(t("sup_count"), f"{len(result.supervisors)}")
        c[1].metric(t("sup_total"), f"{result.total_travel_min / 60:,.1f} h")
        c[2].metric(t("trip_bound"), f"{result.bound_min / 60:,.1f} h")
        c[3].metric(t("trip_gap"), f"{result.gap:.1%}")
        for note in result.notes:
            st.caption(translate(note, lang()))
        if ss.get("sup_travel"):
            st.caption(ss["sup_travel"])
        sup = result.supervisors.assign(stations=result.supervisors["names"].map("、".join)).drop(columns=["names"])
        st.dataframe(
            supervision_table(sup.drop(columns=["lon", "lat"], errors="ignore")),
            hide_index=True,
            width="stretch",
            key="sup_table",
        )
        s = result.stations
        lines = pd.DataFrame(
            {
                "supervisor": s["supervisor"],
                "from_lon": s["supervisor"].map(result.supervisors.set_index("supervisor")["lon"]),
                "from_lat": s["supervisor"].map(result.supervisors.set_index("supervisor")["lat"]),
                "to_lon": s["lon"],
                "to_lat": s["lat"],
                "to_name": s["name"],
            }
        )
        show_map(lines, "supervisor", "{}", key=f"supmap-{view.key}-{view.region}")
        calendar, totals = monthly_rounds(result, month)
        st.subheader(t("sup_rounds", month=month.strftime("%Y-%m")))
        st.dataframe(supervision_table(totals), hide_index=True, width="stretch", key="sup_totals")
        c = st.columns(2)
        c[1].download_button(
            t("sup_print"),
            lambda: rounds_html(
                calendar, totals, month, settings.SUPERVISION_HOURS, settings.SUPERVISION_DAY_HOURS, lang()
            ).encode("utf-8"),
            file_name="supervision_rounds.html",
            mime="text/html",
            on_click="ignore",
            key="sup_html",
            width="stretch",
        )
        c[0].download_button(
            "XLSX",
            lambda: sheets_bytes(
                {
                    t("sup_col_supervisor"): supervision_table(sup),
                    t("sup_col_stations"): supervision_table(s.drop(columns="geometry", errors="ignore")),
                    t("sup_col_date"): supervision_table(calendar),
                    t("sup_rounds", month=month.strftime("%Y-%m")): supervision_table(totals),
                }
            ),
            file_name="supervision.xlsx",
            mime=exports.FORMATS["xlsx"][1],
            on_click="ignore",
            key="sup_xlsx",
        )
