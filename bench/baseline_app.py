"""Baseline for bench/app_browser.py: the straightforward Streamlit + folium way.

One page; township polygons as read (no simplification, SVG rendering),
every station circle a separate folium object, and the whole map rebuilt
whenever the radius slider moves.  Province and stations are cached as in
the app, and Leaflet is served locally as in the app, so only the map
building and drawing differ.
"""

import folium
import streamlit as st
from streamlit_folium import st_folium

from coverage.data.provinces import default_stations_path, load_province
from coverage.data.stations import read_stations
from coverage.present.webmap import localise


@st.cache_resource
def data():
    prov = load_province("45")
    return prov, read_stations(default_stations_path("45"), province="45").stations


prov, stations = data()
st.title("baseline")
radius = st.slider("radius km", 1, 50, 10, key="radius_km")
st.write(f"radius {radius} km")
xmin, ymin, xmax, ymax = prov.townships.total_bounds
m = folium.Map(tiles=None)
m.fit_bounds([[ymin, xmin], [ymax, xmax]])
folium.GeoJson(
    prov.townships[["code", "name", "geometry"]].to_json(),
    name="townships",
    tooltip=folium.GeoJsonTooltip(fields=["name"]),
).add_to(m)
for s in stations.itertuples():
    folium.Circle([s.lat, s.lon], radius=radius * 1000, weight=1).add_to(m)
    folium.CircleMarker([s.lat, s.lon], radius=3).add_to(m)
st_folium(localise(m), height=600, use_container_width=True, returned_objects=[], key="map")
