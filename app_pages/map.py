"""Map (planners): coverage, county rates, stations and radii, gaps and priority sites, on a chosen basemap."""

import datetime as dt

import folium
import streamlit as st

from app_pages import common, maps
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


@st.cache_resource(show_spinner=False, max_entries=16)
def rendered_map(
    key: str,
    token: str,
    as_of: dt.date,
    region: str,
    radius_m: float,
    lang: str,
    basemap: str,
    shown: tuple[str, ...],
    n_candidates: int,
    targets: tuple,
    _view: common.View,
) -> tuple[maps.RenderedMap, int]:
    """The map of these choices, rendered once per process (a page switch back draws it from here)."""
    m, n_open = build_map(_view, basemap, shown, n_candidates)
    return maps.render(m), n_open


def build_map(view: common.View, basemap: str, shown: tuple[str, ...], n_candidates: int) -> tuple[folium.Map, int]:
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
        top = common.need(view).head(n_candidates).copy()
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
    n_candidates = int(st.session_state.get("n_candidates", 20)) if "candidates" in shown else 0
    choice = (basemap, tuple(sorted(shown)), n_candidates)
    rendered, n_open = rendered_map(
        view.key,
        view.token,
        view.as_of,
        view.region,
        round(view.radius_m, 3),
        view.lang,
        *choice,
        view.targets_key,
        view,
    )
    st.caption(t("map_caption", stations=n_open, as_of=view.as_of))
    maps.show(rendered, key=f"map-{view.key}-{basemap}-{view.region}", height=640)
