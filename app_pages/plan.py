"""Plan: siting models and the year-by-year rollout; what-if scenarios side by side, saved to and loaded from files."""

import datetime as dt

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from app_pages import common
from app_pages.i18n import t
from coverage import checks, settings
from coverage._errors import CoverageError
from coverage.analysis.admin import covered_codes
from coverage.analysis.need import NeedMeasure, township_need
from coverage.analysis.scenario import Scenario, editable_table, evaluate, township_at
from coverage.analysis.travel import service_reach
from coverage.checks import yuan_text
from coverage.data.need_table import NeedTable, read_need_table
from coverage.data.schema import open_on
from coverage.optimise.candidates import COST_MODELS, ROAD_SITING_MODELS, capacity_inputs, site_province, with_positions
from coverage.optimise.capacity import Menu, solve_capacitated, station_loads
from coverage.optimise.rollout import PlanCapacity, default_plan_date, plan_rollout
from coverage.optimise.siting import MODELS as SITING_MODELS
from coverage.optimise.siting import county_limits
from coverage.present import webmap
from coverage.present.report import cost_staff_table, shortfall_lines

view = common.current()
ss = st.session_state
st.title(t("plan_title", region=view.region_name))
common.data_notes(view, "stations", "places")
if view.road is not None:  # roads chosen in the sidebar: by road with the radius in minutes, and say so
    if view.minutes is not None:
        st.caption(t("plan_road_minutes", minutes=view.minutes, source=view.road.network.source))
    else:
        st.caption(t("plan_road_km", km=view.radius_m / 1000))

MODELS = ("rollout", *SITING_MODELS)
YEAR_COLOURS = ("#6a1b9a", "#ad1457", "#00838f", "#4e342e", "#283593")


def run_model(
    model: str,
    plan_from: dt.date,
    p: int,
    county_min: int,
    time_limit: float,
    capacity: PlanCapacity | None,
    need: NeedMeasure | None = None,
    points: str = "grid",
) -> dict:
    """Run one model on the whole province (the filter only changes what is shown); ``capacity``: count
    it; ``need``/``points``: a need table's measure (None: the proxy) and where demand sits.  Within the
    sidebar's radius by the sidebar's travel model (:func:`plan_reach`), through the library calls of
    ``plan`` and ``site``."""
    prov, stations = view.province, view.stations
    reach = plan_reach(model, capacity)
    if model == "rollout":
        result = plan_rollout(
            prov, stations, plan_from, view.schedule, radius_m=reach["radius_m"], road=reach["road"],
            radius_min=reach["radius_min"], travel=reach["travel"], county_min=county_min, time_limit=time_limit,
            capacity=capacity, need=need, points=points,
        )  # fmt: skip
        return {
            "model": model,
            "key": (view.key, view.token),
            "result": result,
            "years": [(y.date, y.opened) for y in result.years],
            "travel": travel_of(reach, capacity, model, result.off_network),
        }
    open_now = stations[open_on(stations, plan_from)] if len(stations) else stations
    if model == "mclp" and capacity is not None:
        return run_capacitated_mclp(plan_from, open_now, p, county_min, time_limit, capacity) | {
            "travel": travel_of(reach, capacity, model, [])
        }
    if model in COST_MODELS:  # township points weighed by villages: no need table, no demand points
        need, points = None, "grid"
    inputs, sited = site_province(
        model, prov.townships, open_now, reach, p=p, county_min=county_min, time_limit=time_limit, need=need,
        points=points,
    )  # fmt: skip
    return {
        "model": model,
        "key": (view.key, view.token),
        "result": sited,
        "years": [(plan_from, sited.selected)],
        "travel": travel_of(reach, capacity, model, inputs.off_network),
    }


def plan_reach(model: str, capacity: PlanCapacity | None) -> dict:
    """The radius of a run and the model that measures it (:func:`~coverage.analysis.travel.service_reach`,
    as ``site``/``plan`` take it): by road when the sidebar chose roads - coverage and the rollout with the
    radius in minutes, p-median/p-center always (no radius) - except where a model is not done by road
    (capacity): the straight line."""
    by_road = capacity is None and (model == "rollout" or model in ROAD_SITING_MODELS)
    road = view.road if by_road else None
    if model in COST_MODELS:  # road minutes between places, whatever the radius's unit
        return service_reach(view.radius_m / 1000.0, view.minutes) | {"road": road}
    return service_reach(view.radius_m / 1000.0, view.minutes, road if view.minutes is not None else None)


def travel_of(reach: dict, capacity: PlanCapacity | None, model: str, off_network: list[dict]) -> dict:
    """What a result says about its travel model: by road or not, the radius, why the line was used although
    roads were chosen (``line_because``: capacity), the places off the network."""
    asked_road = view.road is not None and (view.minutes is not None or model in COST_MODELS)
    because = "capacity" if asked_road and reach["road"] is None else None  # the one model not done by road
    return {
        "road": reach["road"].network.source if reach["road"] is not None else None,
        "model": model,
        "travel": reach["travel"],
        "radius_min": reach["radius_min"],
        "radius_km": reach["radius_m"] / 1000.0,
        "line_because": because,
        "off_network": list(off_network or []),
    }


def travel_captions(travel: dict) -> list[str]:
    """The lines naming the model that made a result's figures (for the page, the map's legend and the
    downloads): first why the straight line was used although roads were chosen, if so."""
    if travel["road"] is not None and travel["model"] in COST_MODELS:
        return [t("plan_by_road_cost", source=travel["road"])]
    if travel["road"] is not None:
        lines = [t("plan_by_road", minutes=travel["radius_min"], source=travel["road"])]
        return [*lines, t("plan_line_reasons", km=travel["radius_km"])] if travel["model"] == "rollout" else lines
    if travel["model"] in COST_MODELS:
        line = t("plan_by_line_metres")
    elif travel["radius_min"] is not None:
        line = t(
            "plan_by_line_min", circuity=settings.CIRCUITY_FACTOR, speed=settings.AVERAGE_SPEED_KMH,
            minutes=travel["radius_min"], km=travel["radius_km"],
        )  # fmt: skip
    else:
        line = t("plan_by_line_km", km=travel["radius_km"])
    if travel["line_because"] == "capacity":
        return [t("plan_line_capacity", km=travel["radius_km"]), line]
    return [line]


def run_capacitated_mclp(
    plan_from: dt.date, open_now, p: int, county_min: int, time_limit: float, capacity: PlanCapacity
) -> dict:
    """MCLP with capacities: the first year's budget (build and a year's running) and workers limit it."""
    ci = capacity_inputs(
        view.province.townships, open_now, view.radius_m, need=capacity.need, points=capacity.points,
        menu=capacity.menu, caseload=capacity.caseload, station_workers=capacity.station_workers,
    )  # fmt: skip
    first = lambda values: None if not values else next(iter(values.values()))  # noqa: E731
    group_min, _ = county_limits(ci.problem.siting, county_min)
    result = solve_capacitated(
        ci.problem, p=p, workers_limit=first(capacity.workers), budget_yuan=first(capacity.budget_yuan),
        group_min=group_min, time_limit=time_limit,
    )  # fmt: skip
    loads = with_positions(ci, station_loads(ci.problem, result))
    return {
        "model": "mclp",
        "key": (view.key, view.token),
        "result": result,
        "years": [(plan_from, result.selected)],
        "loads": loads,
    }


# --------------------------------------------------------------------------- need (issue 15)
def need_table_of(key: str) -> NeedTable | None:
    return ss.get("need_tables", {}).get(key)


def current_need() -> NeedMeasure:
    """The view's need: the uploaded need table weighted by the weights edited here, else the proxy."""
    table = need_table_of(view.key)
    if table is None:
        return township_need(view.province.townships, proxy="villages")
    edited = ss.get("need_weight_values", {}).get(view.key) or table.default_weights()
    return township_need(view.province.townships, table.values, table.columns, edited)


def need_caption(need: NeedMeasure) -> str:
    if need.is_proxy:
        return t("need_label_proxy", what=t(f"need_unit_{need.source}"))
    return t("need_label_table", terms=" + ".join(f"{c} × {w:g}" for c, w in need.weights.items()))


def need_section() -> NeedMeasure:
    """Upload a need table (row-by-row report), edit its weights; the need in use, named as proxy or table."""
    upload = st.file_uploader(t("need_upload"), type=["csv", "txt", "xlsx"], key="need_upload")
    if upload is not None and ss.get("need_loaded") != (upload.file_id, view.key):
        with common.friendly_errors():
            table = read_need_table(upload.getvalue(), filename=upload.name, province=view.province.code)
            ss.setdefault("need_tables", {})[view.key] = table
            ss.setdefault("need_weight_values", {}).pop(view.key, None)
        ss["need_loaded"] = (upload.file_id, view.key)
    table = need_table_of(view.key)
    if table is not None:
        s = table.summary
        st.caption(
            t(
                "need_summary",
                file=table.filename,
                total=s["total"],
                townships=len(table.values),
                problems=s["total"] - s["matched"],
            )
        )
        weights = pd.DataFrame(
            {
                t("col_column"): list(table.columns),
                t("col_weight"): [
                    ss.get("need_weight_values", {}).get(view.key, table.default_weights())[c] for c in table.columns
                ],
            }
        )
        edited = st.data_editor(weights, disabled=[t("col_column")], hide_index=True, key="need_weights_editor")
        with common.friendly_errors():
            values = dict(zip(edited[t("col_column")], edited[t("col_weight")].astype(float), strict=True))
            township_need(view.province.townships, table.values, table.columns, values)  # checks the weights
            ss.setdefault("need_weight_values", {})[view.key] = values
        problems = table.report[table.report["status"] != "matched"]
        if len(problems):
            st.markdown(f"**{t('need_report')}**")
            st.dataframe(common.report_table(problems), hide_index=True, width="stretch", key="need_report")
        if st.button(t("need_clear"), key="need_clear"):
            ss["need_tables"].pop(view.key, None)
            st.rerun()
    need = current_need()
    st.caption(need_caption(need))
    return need


def plan_years(plan_from: dt.date) -> list[int]:
    """The years of the targets after ``plan_from`` (the rows a budget needs)."""
    return [x.date.year for x in view.schedule.for_unit(str(view.province.code)) if x.date > plan_from]


def plan_capacity(menu: str, budget: str, workers: str, running_wan: float, caseload: float,
                  station_workers: int, points: str, need: NeedMeasure) -> PlanCapacity:  # fmt: skip
    """The capacity settings of the form as the library takes them, read by the command line's rules
    (:func:`coverage.checks.parse_menu`, :func:`~coverage.checks.parse_yearly`)."""
    money = checks.parse_yearly(budget, checks.parse_yuan, t("cap_budget"), "2022:1.2亿") if budget.strip() else None
    staff = (
        checks.parse_yearly(workers, checks.YEARLY_WORKERS, t("cap_workers"), "2022:400") if workers.strip() else None
    )
    return PlanCapacity(
        budget_yuan=money,
        workers=staff,
        menu=Menu.from_pairs(checks.parse_menu(menu, t("cap_menu")), running_per_worker_yuan=running_wan * 1e4),
        caseload=caseload,
        station_workers=int(station_workers),
        need=None if need.is_proxy else need,
        points=points,
    )


# --------------------------------------------------------------------------- capacity results
def need_layer_title(need: NeedMeasure) -> str:
    return t("need_layer_proxy", what=t(f"need_unit_{need.source}")) if need.is_proxy else t("need_layer_table")


def region_station_ids(loads: pd.DataFrame) -> set[str]:
    """The stations of ``loads`` inside the region the sidebar shows (by their position's township)."""
    if not view.region:
        return set(loads["id"])
    inside = township_at_many(loads)
    return set(loads.loc[inside, "id"])


def township_at_many(loads: pd.DataFrame) -> pd.Series:
    import geopandas as gpd

    points = gpd.GeoDataFrame(loads, geometry=gpd.points_from_xy(loads["lon"], loads["lat"]), crs=settings.WORK_CRS)
    region = view.townships.union_all()
    return points.within(region)


def capacity_results(plan: dict) -> pd.DataFrame | None:
    """Show what capacity adds to a plan (cost and staff, equity; served and over-loaded stations);
    return the stations with their loads for the map (None without capacity)."""
    r = plan["result"]
    if plan["model"] == "rollout" and getattr(r, "capacitated", False):
        st.subheader(t("cost_staff"))
        table = cost_staff_table(r)
        shown = pd.DataFrame(
            {
                t("col_year"): [d.year for d in table["date"]],
                t("col_new_stations"): table["new_stations"],
                t("col_spend_wan"): (table["spend_yuan"] / 1e4).round(1),
                t("col_budget_wan"): (table["budget_yuan"].astype(float) / 1e4).round(1),
                t("col_new_workers_total"): table["new_workers"],
                t("col_supply"): table["workers_supply"],
                t("col_served"): table["served_share_after"].map(lambda v: f"{v:.1%}"),
                t("col_overloaded"): table["overloaded"],
                **{
                    t("col_size", workers=c.removeprefix("size_")): table[c]
                    for c in table.columns
                    if c.startswith("size_")
                },
            }
        )
        st.dataframe(shown, hide_index=True, width="stretch", key="plan_cost_staff")
        st.caption(t("cap_equity", before=r.gini_before, after=r.gini_after))
        with st.expander(t("cap_equity_table")):
            equity = r.equity
            st.dataframe(
                pd.DataFrame(
                    {
                        t("col_county"): equity["county_name"],
                        t("col_need"): equity["need"].round(1),
                        t("col_reach_before"): equity["reach_before"].round(3),
                        t("col_reach_after"): equity["reach_after"].round(3),
                    }
                ),
                hide_index=True,
                width="stretch",
                key="plan_equity",
            )
        return r.years[-1].loads if r.years else None
    if "loads" in plan:
        loads = plan["loads"]
        st.caption(
            t(
                "cap_site_line",
                served=r.objective,
                total=r.total,
                share=r.covered_share,
                before=r.served_before,
                workers=r.workers,
                overloaded=int(loads["overloaded"].sum()),
            )
        )
        return loads
    return None


# --------------------------------------------------------------------------- models
if "plan_from_pending" in ss:  # a loaded scenario sets the plan date before the widget is drawn
    ss["plan_from"] = ss.pop("plan_from_pending")
with st.expander(t("cap_section"), expanded=bool(ss.get("plan_capacity"))):
    need = need_section()
with st.form("plan_form"):
    c1, c2, c3, c4, c5 = st.columns([3, 1, 1, 1, 2])
    model = c1.selectbox(t("plan_model"), MODELS, format_func=lambda m: t(f"model_{m}"), key="plan_model")
    p = c2.number_input(t("plan_p"), 1, 2000, 50, key="plan_p")
    county_min = c3.number_input(t("plan_county_min"), 0, 20, 0, key="plan_county_min")
    time_limit = c4.number_input(
        t("plan_time_limit"), 5, 600, int(settings.ROLLOUT_TIME_LIMIT_S), key="plan_time_limit"
    )
    plan_from = c5.date_input(t("plan_as_of"), value=default_plan_date(view.stations), key="plan_from")
    with_capacity = st.checkbox(t("cap_on"), key="plan_capacity", help=t("cap_on_help"))
    c1, c2, c3 = st.columns(3)
    menu = c1.text_input(
        t("cap_menu"), ",".join(f"{w}:{yuan_text(c)}" for w, c in settings.CAPACITY_MENU), key="plan_menu",
        help=t("cap_menu_help"),
    )  # fmt: skip
    years = plan_years(ss.get("plan_from", default_plan_date(view.stations)))
    budget = c2.text_input(
        t("cap_budget"),
        "",
        key="plan_budget",
        placeholder=",".join(f"{y}:1.2亿" for y in years),
        help=t("cap_budget_help"),
    )
    workers = c3.text_input(
        t("cap_workers"),
        "",
        key="plan_workers",
        placeholder=",".join(f"{y}:400" for y in years),
        help=t("cap_workers_help"),
    )
    c1, c2, c3, c4 = st.columns(4)
    running_wan = c1.number_input(
        t("cap_running"), 0.0, 1000.0, settings.RUNNING_COST_PER_WORKER_YUAN / 1e4, key="plan_running"
    )
    caseload = c2.number_input(
        t("cap_caseload", unit=t(f"need_unit_{need.source}")), 0.01, 1e6,
        float(settings.CASELOAD_PER_WORKER[need.caseload_key]), key=f"plan_caseload_{need.caseload_key}",
    )  # fmt: skip
    station_workers = c3.number_input(
        t("cap_station_workers"), 1, settings.MAX_STATION_WORKERS, settings.STATION_WORKERS, key="plan_station_workers"
    )
    points = c4.radio(
        t("cap_points"), settings.DEMAND_POINTS, format_func=lambda x: t(f"points_{x}"), key="plan_points"
    )
    run = st.form_submit_button(t("plan_run"), type="primary")

if run:
    with common.friendly_errors(), st.status(t("plan_running"), expanded=False) as box:
        capacity = None
        if with_capacity:
            capacity = plan_capacity(menu, budget, workers, running_wan, caseload, int(station_workers), points, need)
            if model not in ("rollout", "mclp"):
                st.caption(t("cap_only_models", model=t(f"model_{model}")))
                capacity = None
        table_need = None if need.is_proxy else need
        ss["plan"] = run_model(
            model, plan_from, int(p), int(county_min), float(time_limit), capacity, table_need, points
        )
        box.update(label=t("plan_running") + " ✓", state="complete")

plan = ss.get("plan")
if plan is not None and plan["key"] != (view.key, view.token):
    plan = None  # computed for another dataset
if plan is None:
    st.info(t("plan_none"))
elif getattr(plan["result"], "capacitated", False) and not plan["result"].feasible:
    r = plan["result"]
    lines = [f"- {line}" for line in shortfall_lines(r.shortfall, view.lang)]
    st.warning("  \n".join([t("short_title"), *lines]), icon="💰")
else:
    r = plan["result"]
    st.success(t("plan_done", solver=r.solver, seconds=r.seconds, objective=r.objective, bound=r.bound, gap=r.gap))
    travel_notes = travel_captions(plan["travel"])
    for line in travel_notes:
        st.caption(line)
    off_note = common.off_network_text(plan["travel"]["off_network"])
    if off_note:
        st.info(off_note)
        travel_notes = [*travel_notes, off_note]
    loads = capacity_results(plan)
    towns = view.townships
    in_region = set(towns["code"].astype(str))
    info = view.province.townships.set_index(view.province.townships["code"].astype(str))
    rows = []
    for k, (date, codes) in enumerate(plan["years"]):
        for rank, code in enumerate(codes, start=1):
            if code in in_region:
                rows.append(
                    {
                        "year": date.year,
                        "rank": rank,
                        "code": code,
                        "name": info.loc[code, "name"],
                        "county_name": info.loc[code, "county_name"],
                        "lon": info.loc[code, "lon"],
                        "lat": info.loc[code, "lat"],
                        "k": k,
                    }
                )
    sites = pd.DataFrame(rows, columns=["year", "rank", "code", "name", "county_name", "lon", "lat", "k"])
    if plan["model"] == "rollout":
        st.subheader(t("plan_years_table"))
        for y in r.years:
            st.write(
                t(
                    "plan_year_line",
                    date=y.date,
                    share=y.target_share,
                    required=y.required_total,
                    opened=len(y.opened),
                    rate=y.rate_after,
                    demand=y.demand_share_within_after,
                )
            )
        reasons = pd.concat([y.reasons.assign(year=y.date.year) for y in r.years], ignore_index=True)
        reasons = reasons[reasons["code"].astype(str).isin(in_region)]
        table = pd.DataFrame(
            {
                t("col_year"): reasons["year"],
                t("col_name"): reasons["name"],
                t("col_code"): reasons["code"],
                t("col_county"): reasons["county_name"],
                t("col_score"): reasons["score"],
                t("col_villages"): reasons["villages"],
                t("col_gain"): reasons["demand_gained_share"],
            }
        )
    else:
        table = pd.DataFrame(
            {
                t("col_rank"): sites["rank"],
                t("col_name"): sites["name"],
                t("col_code"): sites["code"],
                t("col_county"): sites["county_name"],
            }
        )
    st.subheader(t("plan_sites_table"))
    st.dataframe(table, hide_index=True, width="stretch", key="plan_table")
    common.download_buttons(
        f"{t('plan_sites_table')}_{view.region_name}",
        table,
        key="plan-sites",
        data_notes=[*travel_notes, *common.note_lines(view, "stations", "places")],
    )

    # the plan's map: one layer per year; the need layer; over-loaded stations
    m = webmap.new_map(towns.total_bounds)
    tgeoms = common.display(view, "townships")
    webmap.township_layer(
        tgeoms[0], covered_codes(view.stations, plan["years"][0][0]), view.labels, geometry=tgeoms[1]
    ).add_to(m)
    scale = webmap.need_scale(need.values.reindex(tgeoms[0]["code"].astype(str)), need_layer_title(need))
    webmap.need_layer(tgeoms[0], need.values, scale, view.labels, geometry=tgeoms[1], show=loads is not None).add_to(m)
    for k, (date, _) in enumerate(plan["years"]):
        year_sites = sites[sites["k"] == k]
        if len(year_sites):
            webmap.candidate_layer(year_sites, view.labels, name=f"{view.labels['candidates']} {date.year}").add_to(m)
    over = None if loads is None else loads[loads["overloaded"] & loads["id"].isin(region_station_ids(loads))]
    if over is not None and len(over):
        webmap.load_layer(over, view.labels).add_to(m)
    st_folium(
        webmap.finish(
            m,
            webmap.legend(
                view.labels,
                approximate=view.province.approximate,
                candidates=True,
                stations=False,
                overloaded=over is not None and len(over) > 0,
                need=scale,
                model=travel_notes[0] if plan["travel"]["line_because"] is None else travel_notes[1],
            ),  # fmt: skip
        ),
        height=520,
        use_container_width=True,
        returned_objects=[],
        key=f"planmap-{view.key}",
    )

# --------------------------------------------------------------------------- what-if scenarios
st.divider()
st.subheader(t("whatif"))
st.caption(t("whatif_help"))
as_of = ss.get("plan_from", view.as_of)
for name in ("A", "B"):
    current = ss.get(f"scenario_{name}")
    if current is None or current.province != view.key or current.as_of != as_of:
        ss[f"scenario_{name}"] = Scenario(view.key, as_of, name=name)

c1, c2, c3 = st.columns([1, 2, 2])
editing = c1.radio(
    t("scenario_editing"), ["A", "B"], format_func=lambda n: t(f"scenario_{n.lower()}"), key="scenario_editing"
)
skey = f"scenario_{editing}"
if plan is not None and c2.button(
    t("scenario_from_plan", name=t(f"scenario_{editing.lower()}")), key="scenario_from_plan"
):
    ss[skey] = ss[skey].with_added(code for _, codes in plan["years"] for code in codes)
if c3.button(t("scenario_reset", name=t(f"scenario_{editing.lower()}")), key="scenario_reset"):
    ss[skey] = Scenario(view.key, as_of, name=editing)


@st.cache_data(show_spinner=False, max_entries=64)
def _effect(key: str, token: str, region: str, scenario_json: str, radius_m: float, final_share: float) -> dict:
    return evaluate(view.townships, view.stations, Scenario.from_json(scenario_json), radius_m, final_share)


def effect(scenario: Scenario) -> dict:
    return _effect(
        view.key, view.token, view.region, scenario.to_json(), round(view.radius_m, 3), view.schedule.default[-1].share
    )


with common.friendly_errors():
    scenario = ss[skey]
    covered = scenario.covered(view.stations)
    towns = view.townships

    # click a township on the map to toggle it
    m = webmap.new_map(towns.total_bounds)
    tgeoms = common.display(view, "townships")
    webmap.township_layer(tgeoms[0], covered, view.labels, geometry=tgeoms[1]).add_to(m)
    clicked = st_folium(
        webmap.finish(m, webmap.legend(view.labels, stations=False), control=False),
        height=420,
        use_container_width=True,
        returned_objects=["last_object_clicked"],
        key=f"whatif-map-{view.key}-{editing}",
    )
    click = (clicked or {}).get("last_object_clicked")
    if click and click != ss.get("last_click"):
        ss["last_click"] = click
        code = township_at(towns, click["lng"], click["lat"])
        counted = set(towns.loc[towns["counted"].astype(bool), "code"].astype(str))
        if code in counted:
            ss[skey] = scenario.toggle(code, code in covered)
            st.toast(t("clicked", name=towns.set_index("code").loc[code, "name"]))
            st.rerun()

    # or edit the table
    table = editable_table(towns, covered)
    editor_key = f"whatif_editor-{editing}-{abs(hash(scenario.to_json()))}"

    def apply_edits():
        edits = ss.get(editor_key, {}).get("edited_rows", {})
        s = ss[skey]
        for i, change in edits.items():
            if "has_station" in change:
                code = table.iloc[int(i)]["code"]
                if bool(change["has_station"]) != bool(table.iloc[int(i)]["has_station"]):
                    s = s.toggle(code, bool(table.iloc[int(i)]["has_station"]))
        ss[skey] = s

    st.data_editor(
        table.rename(
            columns={
                "code": t("col_code"),
                "name": t("col_name"),
                "county_name": t("col_county"),
                "has_station": t("col_has_station"),
            }
        ),
        disabled=[t("col_code"), t("col_name"), t("col_county")],
        hide_index=True,
        width="stretch",
        height=300,
        key=editor_key,
        on_change=apply_edits,
    )

    # the two scenarios side by side
    st.subheader(t("scenario_compare"))
    cols = st.columns(2)
    results = {}
    for col, name in zip(cols, ("A", "B"), strict=True):
        e = effect(ss[f"scenario_{name}"])
        results[name] = e
        with col:
            st.markdown(f"**{t(f'scenario_{name.lower()}')}**")
            a, b, c = st.columns(3)
            a.metric(t("s_rate"), f"{e['rate']:.1%}", help=f"{t('s_covered')}: {e['covered']:,}/{e['counted']:,}")
            b.metric(t("s_demand"), f"{e['demand_share_within']:.1%}")
            c.metric(t("s_target"), f"{e['short_of_final']:,}")
            st.caption(f"{t('s_added')}: {e['added']} · {t('s_removed')}: {e['removed']}")
    compare = pd.DataFrame(
        {
            t("scenario_a"): [
                results["A"][k]
                for k in ("added", "removed", "covered", "rate", "demand_share_within", "short_of_final")
            ],
            t("scenario_b"): [
                results["B"][k]
                for k in ("added", "removed", "covered", "rate", "demand_share_within", "short_of_final")
            ],
        },
        index=[t("s_added"), t("s_removed"), t("s_covered"), t("s_rate"), t("s_demand"), t("s_target")],
    )
    st.dataframe(compare, width="stretch", key="scenario_compare")

    # save and load
    c1, c2 = st.columns(2)
    c1.download_button(
        t("scenario_save"),
        ss[skey].to_json().encode("utf-8"),
        file_name=f"scenario_{view.key}_{editing}.json",
        mime="application/json",
        on_click="ignore",
        key="scenario_download",
    )
    upload = c2.file_uploader(t("scenario_load"), type=["json"], key="scenario_upload")
    if upload is not None and ss.get("scenario_loaded") != (upload.file_id, editing):
        try:
            loaded = Scenario.from_json(upload.getvalue())
        except CoverageError as exc:
            st.error(t("scenario_bad_file", error=exc))
        else:
            if loaded.province != view.key:
                st.error(t("scenario_wrong_province", file=loaded.province, current=view.key))
            else:
                ss["plan_from_pending"] = loaded.as_of
                ss[skey] = loaded
                ss["scenario_loaded"] = (upload.file_id, editing)
                st.success(t("scenario_loaded", added=len(loaded.added), removed=len(loaded.removed)))
                st.rerun()
