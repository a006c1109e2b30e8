"""Map (planners): coverage, county rates, stations and radii, gaps and priority sites, on a chosen basemap."""

import streamlit as st
from streamlit_folium import st_folium

from app_pages import common
from app_pages.i18n import t
from coverage.analysis.admin import covered_codes
from coverage.present import webmap

view = common.current()
st.title(t("map_title", region=view.region_name))
common.data_notes(view, "stations", "places")

LAYERS = ("townships", "choropleth", "stations", "radius", "gaps", "candidates")
c1, c2 = st.columns([1, 2])
basemap = c1.selectbox(t("basemap"), list(webmap.BASEMAPS), format_func=lambda b: t(f"basemap_{b}"), key="basemap")
shown = c2.multiselect(
    t("layers"),
    LAYERS,
    default=["townships", "stations", "candidates"],
    format_func=lambda x: t(f"layer_{x}"),
    key="map_layers",
)
if basemap != "none":
    st.caption(t("basemap_note"))
if view.province.approximate:
    st.info(t("approximate_note"))


def build_map():
    labels = view.labels
    datum = webmap.BASEMAPS[basemap].datum
    towns, geoms = common.display(view, "townships")
    m = webmap.new_map(towns.total_bounds, basemap)
    open_now = view.open_stations
    covered = covered_codes(view.stations, view.as_of) if len(view.stations) else set()
    if "choropleth" in shown:
        counties, cgeoms = common.display(view, "counties")
        units = common.coverage_status(view).units
        rates = units[units["level"] == "county"].set_index("code")["rate"]
        webmap.county_layer(counties, rates, labels, datum, cgeoms, show=True).add_to(m)
    if "townships" in shown:
        webmap.township_layer(towns, covered, labels, datum, geoms).add_to(m)
    elif "choropleth" not in shown:
        counties, cgeoms = common.display(view, "counties")
        webmap.county_layer(counties, labels=labels, datum=datum, geometry=cgeoms).add_to(m)
    if "gaps" in shown:
        webmap.gap_layer(common.gaps(view).gaps, labels, datum).add_to(m)
    if "radius" in shown and len(open_now):
        webmap.radius_layer(open_now, view.radius_m, labels, datum).add_to(m)
    if "stations" in shown and len(open_now):
        webmap.station_layer(open_now, labels, datum).add_to(m)
    if "candidates" in shown:
        top = common.need(view).head(st.session_state.get("n_candidates", 20)).copy()
        top["rank"] = range(1, len(top) + 1)  # rank within the region shown
        top = top.merge(towns[["code", "lon", "lat"]], on="code", how="left")
        if len(top):
            webmap.candidate_layer(top, labels, datum).add_to(m)
    legend = webmap.legend(
        labels,
        approximate=view.province.approximate,
        choropleth="choropleth" in shown,
        gaps="gaps" in shown,
        candidates="candidates" in shown,
        stations="stations" in shown,
        estimated_stations="stations" in shown and bool(webmap.estimated_positions(open_now).any()),
    )
    return webmap.finish(m, legend), len(open_now)


with common.friendly_errors():
    if "candidates" in shown:
        st.slider(t("n_candidates"), 5, 100, 20, step=5, key="n_candidates")
    m, n_open = build_map()
    st.caption(t("map_caption", stations=n_open, as_of=view.as_of))
    st_folium(
        m, height=640, use_container_width=True, returned_objects=[], key=f"map-{view.key}-{basemap}-{view.region}"
    )
    st.session_state["last_map"] = m
