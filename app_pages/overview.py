"""Overview (officials): headline figures, rate over time against the targets, cities and counties,
the month's ledgers (which counties have not reported), and the workforce targets (持证社工)."""

import datetime as dt

import pandas as pd
import streamlit as st

from app_pages import common
from app_pages.i18n import STATUS_COLOURS, t, t_known
from coverage import settings
from coverage.analysis.admin import STATUS_BEHIND
from coverage.analysis.workforce import STATUS_UNKNOWN
from coverage.present import charts
from coverage.registry.forms import last_complete_month
from coverage.registry.store import records

view = common.current()
st.title(t("overview_title", region=view.region_name))
common.data_notes(view, "stations", "rates")
if len(view.stations) == 0:
    st.warning(t("no_stations"))

with common.friendly_errors():
    state = common.coverage_status(view)
    units = state.units
    code = view.region or str(view.province.code)
    row = units[units["code"] == code].iloc[0]
    c = st.columns(5)
    c[0].metric(t("m_counted"), f"{int(row['counted']):,}")
    c[1].metric(t("m_covered"), f"{int(row['covered']):,}")
    c[2].metric(t("m_rate"), f"{row['rate']:.1%}")
    plan = view.schedule.for_unit(code)
    final = plan[-1]
    if final.date < view.as_of:  # every target date has passed: how did the final one end?
        c[3].metric(
            t("m_final_target", date=final.date.isoformat(), share=final.share),
            t("m_final_target_value", rate=row[f"rate_{final.date.isoformat()}"]),
            help=t("m_final_target_help", date=final.date.isoformat(), share=final.share),
        )
    else:
        c[3].metric(
            t("m_next_target"),
            f"{row['next_target_share']:.0%}",
            help=t("m_next_target_help", date=row["next_target_date"]),
        )
    c[4].metric(
        t("m_needed"), f"{int(row['needed_for_next_target']):,}", help=t("m_needed_help", date=row["next_target_date"])
    )
    line = "status_line_final" if final.date < view.as_of else "status_line"
    st.caption(t(line, status=t(f"status_{row['status']}"), as_of=view.as_of, date=row["next_target_date"]))
    described = view.station_list
    if described is not None and described.last_updated is not None and described.last_updated < view.as_of:
        st.caption(t("list_last_updated", date=described.last_updated.isoformat()))

    # rate over time against the target steps
    st.subheader(t("rate_over_time"))
    dated = pd.to_datetime(view.stations["opened"], errors="coerce").notna().any() if len(view.stations) else False
    if not dated:
        st.info(t("no_rate_line"))
    else:
        history = common.rate_over_time(view)
        # SVG, not a Vega chart: Streamlit loads Vega (~1 MB) and builds a view on every page show
        chart = charts.RateChart(
            dates=[d.date() for d in pd.to_datetime(history["date"])],
            rates=[float(r) for r in history["rate"]],
            steps=[(pd.Timestamp(history["date"].min()).date(), 0.0)] + [(x.date, x.share) for x in plan],
            today=view.as_of,
            rate_label=t("series_rate"),
            target_label=t("series_target"),
            month_format=t("chart_month_format"),
        )
        st.image(charts.rate_chart_svg(chart), width="stretch")

    # cities and counties, lagging first
    st.subheader(t("units_table"))
    level = st.radio(
        t("level"), ["county", "city"], format_func=lambda x: t(f"level_{x}"), horizontal=True, key="overview_level"
    )
    table = state.lagging_first(level, view.region)
    shown = pd.DataFrame(
        {
            t("col_name"): table["name"],
            t("col_code"): table["code"],
            t("col_counted"): table["counted"].astype(int),
            t("col_covered"): table["covered"].astype(int),
            t("col_rate"): table["rate"].astype(float),
            t("col_status"): [t(f"status_{s}") for s in table["status"]],
            t("col_needed_due"): table["needed_for_due_target"].astype(int),
            t("col_needed_next"): table["needed_for_next_target"].astype(int),
            t("col_next_date"): table["next_target_date"],
        }
    )
    colours = {t(f"status_{s}"): c for s, c in STATUS_COLOURS.items()}
    styled = shown.style.format({t("col_rate"): "{:.1%}"}).map(
        lambda v: f"background-color: {colours.get(v, '')}", subset=[t("col_status")]
    )
    behind = int((table["status"] == STATUS_BEHIND).sum())
    st.caption(t("lagging_count", n=behind, total=len(table), level=t(f"level_{level}")))
    st.dataframe(styled, hide_index=True, width="stretch", key="units_table")
    common.download_buttons(
        t("units_table") + f"_{view.region_name}_{view.as_of}",
        shown,
        key="overview-units",
        data_notes=common.note_lines(view, "stations", "rates"),
    )


# --------------------------------------------------------------------------- the month's ledgers
#: Months offered for the ledger status, counted back from the latest complete one.
LEDGER_MONTHS = 36
#: Counties named in the line of those not reported (the table lists every one).
MISSING_NAMED = 20
#: Order of the ledger table after the pending reviews: reported (on time or late), not reported, not due.
STATE_ORDER = {"submitted": 1, "late": 1, "missing": 2, "not due": 3}


def ledger_section() -> None:
    st.subheader(t("ledger_status_title"))
    latest = min(view.as_of, view.known_on or dt.date.today())
    first = dt.date.fromisoformat(last_complete_month(latest) + "-01")
    months = [(pd.Timestamp(first) - pd.DateOffset(months=k)).strftime("%Y-%m") for k in range(LEDGER_MONTHS)]
    if st.session_state.get("overview_month") not in months:
        st.session_state["overview_month"] = months[0]
    month = st.selectbox(t("ledger_month"), months, key="overview_month")
    table = common.ledger_status(view, month)
    # what needs a reviewer first (pending), then the others that reported, then who has not
    order = table["review"].map({"pending": 0}).fillna(1) + table["state"].map(STATE_ORDER).fillna(0)
    table = table.assign(_order=order).sort_values(["_order", "county_code"], kind="stable")
    states = table["state"].value_counts()
    c = st.columns(5)
    for col, state in zip(c, ("submitted", "late", "missing", "not due"), strict=False):
        col.metric(t(f"ledger_state_{state.replace(' ', '_')}"), f"{int(states.get(state, 0)):,}")
    c[4].metric(t("ledger_pending_review"), f"{int((table['review'] == 'pending').sum()):,}")
    missing = table[table["state"] == "missing"]
    if len(missing):
        names = "、".join(missing["county_name"].head(MISSING_NAMED))
        more = t("wf_and_more", n=len(missing)) if len(missing) > MISSING_NAMED else ""
        st.caption(t("ledger_missing_list", n=len(missing), names=names + more))
    elif (table["state"] == "not due").all():
        st.caption(t("ledger_not_due", month=month))
    shown = pd.DataFrame(
        {
            t("col_name"): table["county_name"],
            t("col_code"): table["county_code"],
            t("ledger_col_state"): [t(f"ledger_state_{s.replace(' ', '_')}") for s in table["state"]],
            t("ledger_col_decision"): [t(f"review_{r}") if isinstance(r, str) else "—" for r in table["review"]],
            t("ledger_col_submitted"): [
                f"{pd.Timestamp(x):%Y-%m-%d %H:%M}" if x is not None and pd.notna(x) else "—"
                for x in table["submitted_at"]
            ],
        }
    )
    # a table grid only while its box is open (opening reruns the page): two grids mounted, folded away,
    # on every show of the Overview cost the browser more than the rest of the page (issue 17)
    box = st.expander(t("ledger_status_table", month=month, n=len(table)), key="ledger_table_open", on_change="rerun")
    if box.open:
        box.dataframe(shown, hide_index=True, width="stretch", key="ledger_status")


# --------------------------------------------------------------------------- workforce targets
def workforce_section() -> None:
    st.subheader(t("workforce_title"))
    with st.expander(t("workforce_settings")):
        baseline = st.number_input(
            t("workforce_baseline_input"), min_value=0, value=None, step=1, key="workforce_baseline"
        )
    result = common.workforce(view, None if baseline is None else int(baseline))
    if view.what_if:
        st.caption(t("workforce_from_registry"))
    if not result.has_figures:
        st.info(t("workforce_no_figures"))
        return
    code = view.region or str(view.province.code)
    row = records(result.units[result.units["code"] == code])[0]
    c = st.columns(4)
    c[0].metric(
        t("wf_townships"),
        f"{row['rate']:.1%}",
        help=t("wf_townships_help", covered=int(row["covered"]), counted=int(row["counted"])),
    )
    c[1].metric(t("wf_certified"), f"{int(row['certified_workers']):,}")
    base = row["baseline"]
    c[2].metric(t("wf_baseline", date=result.baseline_date.isoformat()), "—" if base is None else f"{int(base):,}")
    required = row["workers_required_next"]
    c[3].metric(
        t("wf_required", date=row["workers_next_date"] or settings.WORKFORCE_GROWTH_BY),
        "—" if required is None or pd.isna(required) else f"{int(required):,}",
        help=t("wf_required_help", factor=result.factor),
    )
    st.caption(
        t(
            "wf_status_line",
            towns=t(f"status_{row['status']}"),
            workers=t_known("wf_status_", row["workers_status"]),
            reporting=int(row["stations_reporting"]),
            open=int(row["stations_open"]),
            short=int(row["needed_for_next_target"]),
        )
    )
    if row["workers_status"] == STATUS_UNKNOWN:
        st.caption(t("wf_no_baseline", date=result.baseline_date.isoformat()))
    lagging = result.lagging("county", view.region)
    if len(lagging):
        names = "、".join(lagging["name"].head(10))
        more = t("wf_and_more", n=len(lagging)) if len(lagging) > 10 else ""
        st.caption(t("wf_lagging", names=names, more=more))
    table = result.lagging_first("county", view.region)
    shown = pd.DataFrame(
        {
            t("col_name"): table["name"],
            t("col_code"): table["code"],
            t("wf_col_townships"): [
                f"{int(a)}/{int(b)}" for a, b in zip(table["covered"], table["counted"], strict=True)
            ],
            t("col_rate"): table["rate"].astype(float),
            t("col_status"): [t(f"status_{s}") for s in table["status"]],
            t("wf_col_certified"): table["certified_workers"].astype(int),
            t("wf_col_baseline"): [None if b is None else int(b) for b in table["baseline"]],
            t("wf_col_workers_status"): [t_known("wf_status_", s) for s in table["workers_status"]],
            t("wf_col_reporting"): [
                f"{int(a)}/{int(b)}" for a, b in zip(table["stations_reporting"], table["stations_open"], strict=True)
            ],
        }
    )
    box = st.expander(t("wf_table"), key="workforce_table_open", on_change="rerun")
    if box.open:  # as the ledger table: a grid only while open
        box.dataframe(
            shown.style.format({t("col_rate"): "{:.1%}"}), hide_index=True, width="stretch", key="workforce_table"
        )


with common.friendly_errors():
    ledger_section()
with common.friendly_errors():
    workforce_section()
