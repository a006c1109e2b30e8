"""Overview (officials): headline figures, rate over time against the targets, cities and counties."""

import altair as alt
import pandas as pd
import streamlit as st

from app_pages import common
from app_pages.i18n import STATUS_COLOURS, t
from coverage.analysis.admin import STATUS_BEHIND

#: Colours of the rate line and of the target steps.
SERIES_COLOURS = ["#1565c0", "#c62828"]

view = common.current()
st.title(t("overview_title", region=view.region_name))
common.data_notes(view, "stations", "rates")
if view.imported is None:
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
        series = [t("series_rate"), t("series_target")]
        line = pd.DataFrame({"date": pd.to_datetime(history["date"]), "rate": history["rate"], "series": series[0]})
        steps = [(history["date"].min(), 0.0)] + [(x.date, x.share) for x in plan]
        target = pd.DataFrame(
            {"date": pd.to_datetime([d for d, _ in steps]), "rate": [s for _, s in steps], "series": series[1]}
        )
        chart_data = pd.concat([line, target], ignore_index=True)
        # the same colour for the same series in every language: the domain is given, not sorted
        colour = alt.Color("series:N", title=None, scale=alt.Scale(domain=series, range=SERIES_COLOURS))
        base = alt.Chart(chart_data).encode(
            x=alt.X("date:T", title=t("date"), axis=alt.Axis(format=t("chart_month_format"))),
            y=alt.Y("rate:Q", title=None, axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
            color=colour,
        )
        chart = base.transform_filter(alt.datum.series == series[0]).mark_line() + base.transform_filter(
            alt.datum.series == series[1]
        ).mark_line(interpolate="step-after", strokeDash=[6, 3])
        today = alt.Chart(pd.DataFrame({"date": [pd.Timestamp(view.as_of)]})).mark_rule(color="#555").encode(x="date:T")
        st.altair_chart(chart + today, width="stretch")

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
