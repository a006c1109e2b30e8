"""app_pages/maps.py: one render of a folium map gives the browser what st_folium's two renders give."""

from __future__ import annotations

import json
import re

import folium
import geopandas as gpd
import pandas as pd
import shapely
import streamlit_folium as sf

from app_pages import maps
from coverage.present import webmap

#: folium names every element with a random 32-hex id; two maps built alike differ only there.
_IDS = re.compile(r"[0-9a-f]{32}")


def _same(text: str) -> str:
    return _IDS.sub("ID", text)


def _towns() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "code": ["450101001", "450101002"],
            "name": ["甲镇", "乙镇"],
            "county_name": ["某县", "某县"],
            "counted": [True, True],
        },
        geometry=[shapely.box(108.0, 22.0, 108.1, 22.1), shapely.box(108.1, 22.0, 108.2, 22.1)],
        crs="EPSG:4326",
    )


def _map() -> folium.Map:
    towns = _towns()
    m = webmap.new_map(towns.total_bounds)
    webmap.township_layer(towns, {"450101001"}).add_to(m)
    return webmap.finish(m, webmap.legend(gaps=True), control=False)


def _stations() -> pd.DataFrame:
    return pd.DataFrame({"station_id": ["s1"], "name": ["甲站"], "lon": [108.05], "lat": [22.05]})


def test_one_render_gives_what_st_folium_sends() -> None:
    ours = maps.render(_map())
    theirs = _map()
    theirs.get_root().render()  # st_folium: the whole figure, then the map again
    theirs.render()
    html, header = sf._get_html(theirs), sf._get_header(theirs)
    script = sf._get_map_string(theirs)
    assert _same(ours.script) == _same(script)
    assert json.dumps("甲镇") in ours.script and '"kind": "covered"' in ours.script  # the townships (escaped)
    assert _same(ours.header) == _same(header)
    assert _same(ours.html) == _same(html) and "coverage-legend" in ours.html
    assert ours.map_id == sf.get_full_id(theirs) == "map_div"
    assert ours.js_links == (f"{webmap.STATIC_URL}/leaflet.js",)
    assert ours.css_links == (f"{webmap.STATIC_URL}/leaflet.css",)


def test_layers_numbered_from_first_join_as_one_script() -> None:
    circles = webmap.localise(webmap.radius_layer(_stations(), 12_000.0))
    dots = webmap.localise(webmap.station_layer(_stations()))
    joined = maps.layers_script([circles]) + maps.layers_script([dots], first=1)
    m = _map()
    m.render()
    once = sf._get_feature_group_string(
        webmap.localise(webmap.radius_layer(_stations(), 12_000.0)), map=m, idx=0
    ) + sf._get_feature_group_string(webmap.localise(webmap.station_layer(_stations())), map=m, idx=1)
    assert _same(joined) == _same(once)
    assert joined.count("map_div.addLayer(feature_group_feature_group_") == 2
    assert '"radius": 12000.0' in joined
