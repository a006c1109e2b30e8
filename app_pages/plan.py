"""Plan: siting models and the year-by-year rollout; what-if scenarios side by side, saved to and loaded from files."""

import datetime as dt

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from app_pages import common
from app_pages.i18n import t
from coverage import settings
from coverage._errors import CoverageError
from coverage.analysis.admin import covered_codes
from coverage.analysis.scenario import Scenario, editable_table, evaluate, township_at
from coverage.data.schema import open_on
from coverage.optimise.candidates import province_problem
from coverage.optimise.rollout import default_plan_date, plan_rollout
from coverage.optimise.siting import MODELS as SITING_MODELS
from coverage.optimise.siting import solve_model
from coverage.present import webmap

view = common.current()
ss = st.session_state
st.title(t("plan_title", region=view.region_name))
common.data_notes(view, "stations", "places")

MODELS = ("rollout", *SITING_MODELS)
YEAR_COLOURS = ("#6a1b9a", "#ad1457", "#00838f", "#4e342e", "#283593")


def run_model(model: str, plan_from: dt.date, p: int, county_min: int, time_limit: float) -> dict:
    """Run one model on the whole province (the filter only changes what is shown)."""
    prov, stations = view.province, view.stations
    if model == "rollout":
        result = plan_rollout(
            prov,
            stations,
            plan_from,
            view.schedule,
            radius_m=view.radius_m,
            county_min=county_min,
            time_limit=time_limit,
        )
        return {
            "model": model,
            "key": (view.key, view.token),
            "result": result,
            "years": [(y.date, y.opened) for y in result.years],
        }
    open_now = stations[open_on(stations, plan_from)] if len(stations) else stations
    problem = province_problem(model, prov.townships, open_now, view.radius_m)
    result = solve_model(model, problem, radius=view.radius_m, p=p, county_min=county_min, time_limit=time_limit)
    return {"model": model, "key": (view.key, view.token), "result": result, "years": [(plan_from, result.selected)]}


# --------------------------------------------------------------------------- models
if "plan_from_pending" in ss:  # a loaded scenario sets the plan date before the widget is drawn
    ss["plan_from"] = ss.pop("plan_from_pending")
with st.form("plan_form"):
    c1, c2, c3, c4, c5 = st.columns([3, 1, 1, 1, 2])
    model = c1.selectbox(t("plan_model"), MODELS, format_func=lambda m: t(f"model_{m}"), key="plan_model")
    p = c2.number_input(t("plan_p"), 1, 2000, 50, key="plan_p")
    county_min = c3.number_input(t("plan_county_min"), 0, 20, 0, key="plan_county_min")
    time_limit = c4.number_input(
        t("plan_time_limit"), 5, 600, int(settings.ROLLOUT_TIME_LIMIT_S), key="plan_time_limit"
    )
    plan_from = c5.date_input(t("plan_as_of"), value=default_plan_date(view.stations), key="plan_from")
    run = st.form_submit_button(t("plan_run"), type="primary")

if run:
    with common.friendly_errors(), st.status(t("plan_running"), expanded=False) as box:
        ss["plan"] = run_model(model, plan_from, int(p), int(county_min), float(time_limit))
        box.update(label=t("plan_running") + " ✓", state="complete")

plan = ss.get("plan")
if plan is not None and plan["key"] != (view.key, view.token):
    plan = None  # computed for another dataset
if plan is None:
    st.info(t("plan_none"))
else:
    r = plan["result"]
    st.success(t("plan_done", solver=r.solver, seconds=r.seconds, objective=r.objective, bound=r.bound, gap=r.gap))
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
        data_notes=common.note_lines(view, "stations", "places"),
    )

    # the plan's map: one layer per year
    m = webmap.new_map(towns.total_bounds)
    tgeoms = common.display(view, "townships")
    webmap.township_layer(
        tgeoms[0], covered_codes(view.stations, plan["years"][0][0]), view.labels, geometry=tgeoms[1]
    ).add_to(m)
    for k, (date, _) in enumerate(plan["years"]):
        year_sites = sites[sites["k"] == k]
        if len(year_sites):
            webmap.candidate_layer(year_sites, view.labels, name=f"{view.labels['candidates']} {date.year}").add_to(m)
    st_folium(
        webmap.finish(
            m, webmap.legend(view.labels, approximate=view.province.approximate, candidates=True, stations=False)
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
