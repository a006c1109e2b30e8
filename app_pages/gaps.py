"""Gaps: what lies beyond the service radius of every open station; the map updates without a rebuild."""

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from app_pages import common
from app_pages.i18n import t
from coverage.analysis.admin import covered_codes
from coverage.present import webmap

view = common.current()
st.title(t("gaps_title", region=view.region_name, radius=view.radius_label))
common.data_notes(view, "stations", "places")
st.caption(t("gaps_slider_note"))

with common.friendly_errors():
    result = common.gaps(view)
    s = result.summary
    c = st.columns(4)
    c[0].metric(t("g_area_within"), f"{s['area_share_within']:.1%}")
    c[1].metric(t("g_demand_within"), f"{s['demand_share_within']:.1%}")
    c[2].metric(t("g_villages_within"), f"{s['village_share_within']:.1%}")
    c[3].metric(t("g_gap_area"), f"{s['gap_area_km2']:,.0f}")

    labels = view.labels
    towns, geoms = common.display(view, "townships")
    covered = covered_codes(view.stations, view.as_of) if len(view.stations) else set()
    # the base map does not depend on the radius: moving the slider only swaps the layers below
    m = webmap.new_map(towns.total_bounds)
    webmap.township_layer(towns, covered, labels, geometry=geoms).add_to(m)
    webmap.finish(m, webmap.legend(labels, approximate=view.province.approximate, gaps=True), control=False)
    dynamic = [webmap.localise(webmap.gap_layer(result.gaps, labels))]
    if len(view.open_stations):
        dynamic.append(webmap.localise(webmap.radius_layer(view.open_stations, view.radius_m, labels)))
        dynamic.append(webmap.localise(webmap.station_layer(view.open_stations, labels)))
    st_folium(
        m,
        feature_group_to_add=dynamic,
        height=600,
        use_container_width=True,
        returned_objects=[],
        key=f"gapmap-{view.key}-{view.region}",
    )

    st.subheader(t("gaps_table"))
    g = result.townships.sort_values(["share_beyond", "farthest_m"], ascending=False)
    table = pd.DataFrame(
        {
            t("col_name"): g["name"],
            t("col_code"): g["code"],
            t("col_county"): g["code"].map(dict(zip(towns["code"], towns["county_name"], strict=True))),
            t("col_share_beyond"): g["share_beyond"].astype(float),
            t("col_area"): g["area_km2"].round(1),
            t("col_area_within"): g["area_within_km2"].round(1),
            t("col_farthest"): (g["farthest_m"] / 1000).round(1),
            t("col_villages"): g["villages"].astype(int),
            t("col_villages_within"): g["villages_within"].astype(int),
        }
    )
    st.dataframe(
        table.style.format({t("col_share_beyond"): "{:.1%}"}), hide_index=True, width="stretch", key="gaps_table"
    )
    common.download_buttons(
        f"{t('gaps_table')}_{view.region_name}",
        table,
        key="gaps-table",
        data_notes=common.note_lines(view, "stations", "places"),
    )
