"""Gaps: what lies beyond the service radius of every open station; the map updates without a rebuild.

While the sidebar's radius slider is dragged, the map's circles follow its thumb (a script in the map's
frame watches the slider, :func:`coverage.present.webmap.follow_slider_script`); Streamlit sends the value
when the thumb is let go, and then the gaps, the figures and the table are computed for it.  One value:
the map shows the slider's, it has no radius control of its own.
"""

import datetime as dt

import pandas as pd
import streamlit as st

from app_pages import common, maps
from app_pages.i18n import t
from coverage.analysis.admin import covered_codes
from coverage.present import webmap


@st.cache_resource(show_spinner=False, max_entries=16)
def base_map(
    key: str, token: str, as_of: dt.date, region: str, lang: str, model: str, road: bool, _view: common.View
) -> maps.RenderedMap:
    """The townships (covered or not) and the legend: everything of the map that no radius changes.

    The legend names the travel model that made the figures (``model``, :func:`common.travel_lines`); by
    road (``road``) it has the isochrone's row.
    """
    labels = _view.labels
    towns, geoms = common.display(_view, "townships")
    covered = covered_codes(_view.stations, _view.as_of) if len(_view.stations) else set()
    m = webmap.new_map(towns.total_bounds)
    webmap.township_layer(towns, covered, labels, geometry=geoms).add_to(m)
    legend = webmap.legend(
        labels,
        approximate=_view.province.approximate,
        gaps=True,
        isochrone=labels["isochrone"] if road else None,
        model=model,
    )
    webmap.finish(m, legend, control=False)
    return maps.render(m)


@st.cache_resource(show_spinner=False, max_entries=32)
def radius_layers(
    key: str, token: str, as_of: dt.date, radius_m: float, region: str, lang: str, travel: str, _view: common.View
) -> str:
    """The gaps and the service circles, as layers added to the drawn map (the stations go over them); by road
    (``travel``: the road model's name) the isochrone of the minutes instead of circles.  With them, the
    script that keeps the circles on the radius under the slider's thumb while it is dragged."""
    labels = _view.labels
    result = common.gaps(_view)
    dynamic = [webmap.localise(webmap.gap_layer(result.gaps, labels))]
    if _view.road_gaps:
        road = _view.road
        source = road.network.source if road is not None else travel
        name = t("isochrone_name", minutes=_view.minutes, source=source)
        dynamic.append(webmap.localise(webmap.isochrone_layer(result.reach, name, labels)))
    elif len(_view.open_stations):
        dynamic.append(webmap.localise(webmap.radius_layer(_view.open_stations, _view.radius_m, labels)))
    unit = _view.radius_unit
    follow = webmap.follow_slider_script(
        f".st-key-radius_{unit} input[type=range]",
        {} if _view.road_gaps else common.radius_steps(unit),  # by road a radius is no circle
        _view.radius_value,
        labels["follow_note"].replace("{value}", "{value} " + t(f"unit_{unit}")),
    )
    return maps.layers_script(dynamic) + follow


@st.cache_resource(show_spinner=False, max_entries=16)
def station_layer(key: str, token: str, as_of: dt.date, lang: str, _view: common.View) -> str:
    """The stations, added last (over the circles); no radius changes them."""
    if not len(_view.open_stations):
        return ""
    return maps.layers_script([webmap.localise(webmap.station_layer(_view.open_stations, _view.labels))], first=2)


view = common.current()
st.title(t("gaps_title", region=view.region_name, radius=view.radius_label))
common.data_notes(view, "stations", "places")
st.caption(t("gaps_slider_note"))

with common.friendly_errors():
    result = common.gaps(view)
    travel_lines = common.travel_lines(view)
    st.caption(travel_lines[0])
    if len(travel_lines) > 1:
        st.info(travel_lines[1])
    s = result.summary
    c = st.columns(4)
    c[0].metric(t("g_area_within"), f"{s['area_share_within']:.1%}")
    c[1].metric(t("g_demand_within"), f"{s['demand_share_within']:.1%}")
    c[2].metric(t("g_villages_within"), f"{s['village_share_within']:.1%}")
    c[3].metric(t("g_gap_area"), f"{s['gap_area_km2']:,.0f}")

    towns, _ = common.display(view, "townships")
    # the map is rendered once per process and view; a radius move only swaps the layers that depend on it
    base = base_map(view.key, view.token, view.as_of, view.region, view.lang, travel_lines[0], view.road_gaps, view)
    travel = result.travel if view.road_gaps else "line"
    layers = radius_layers(
        view.key, view.token, view.as_of, round(view.radius_m, 3), view.region, view.lang, travel, view
    )
    layers += station_layer(view.key, view.token, view.as_of, view.lang, view)
    maps.show(base, key=f"gapmap-{view.key}-{view.region}", height=600, layers=layers)

    st.subheader(t("gaps_table"))
    farthest = "farthest_min" if view.road_gaps else "farthest_m"
    g = result.townships.sort_values(["share_beyond", farthest], ascending=False)
    table = pd.DataFrame(
        {
            t("col_name"): g["name"],
            t("col_code"): g["code"],
            t("col_county"): g["code"].map(dict(zip(towns["code"], towns["county_name"], strict=True))),
            t("col_share_beyond"): g["share_beyond"].astype(float),
            t("col_area"): g["area_km2"].round(1),
            t("col_area_within"): g["area_within_km2"].round(1),
            **(
                {t("col_farthest_min"): g["farthest_min"].round(1)}
                if view.road_gaps
                else {t("col_farthest"): (g["farthest_m"] / 1000).round(1)}
            ),
            t("col_villages"): g["villages"].astype(int),
            t("col_villages_within"): g["villages_within"].astype(int),
        }
    )
    # the share as a percentage by the grid itself: a pandas Styler of 1,284 rows took ~0.3 s a run
    shown = table.assign(**{t("col_share_beyond"): table[t("col_share_beyond")] * 100})
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        key="gaps_table",
        column_config={t("col_share_beyond"): st.column_config.NumberColumn(format="%.1f%%")},
    )
    common.download_buttons(
        f"{t('gaps_table')}_{view.region_name}",
        table,
        key="gaps-table",
        data_notes=[*travel_lines, *common.note_lines(view, "stations", "places")],
    )
