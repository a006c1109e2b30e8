"""app_pages/maps.py: one render of a folium map gives the browser what st_folium's two renders give."""

from __future__ import annotations

import hashlib
import json
import re
import time

import folium
import geopandas as gpd
import pandas as pd
import shapely
import streamlit_folium as sf

from app_pages import maps
from coverage import settings
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


# --------------------------------------------------------------------------- layers served as files
def _inline_data(rendered: maps.RenderedMap, name: str) -> str:
    """The JSON text given to ``<name>_add(`` in a script that keeps its layers inline."""
    begin = rendered.script.index(f"{name}_add(") + len(f"{name}_add(")
    _, end = json.JSONDecoder().raw_decode(rendered.script, begin)
    return rendered.script[begin:end]


def test_small_layers_stay_in_the_script(tmp_path) -> None:
    ours = maps.render(_map(), layer_dir=tmp_path)  # two townships: far below MAP_LAYER_FILE_MIN_KB
    assert json.dumps("甲镇") in ours.script
    assert ours.js_links == (f"{webmap.STATIC_URL}/leaflet.js",) and ours.layer_files == ()
    assert list(tmp_path.iterdir()) == []


def test_a_large_layer_is_served_as_a_file_the_frame_loads_first(tmp_path, monkeypatch) -> None:
    inline = maps.render(_map(), layer_dir=tmp_path)
    (name,) = re.findall(r"(geo_json_\w+)_add\(\{", inline.script)  # the townships, the one GeoJSON layer
    monkeypatch.setattr(settings, "MAP_LAYER_FILE_MIN_KB", 0.1)  # the two townships' ~0.5 kB count as large
    ours = maps.render(_map(), layer_dir=tmp_path)
    data = _inline_data(inline, name)
    file_name = hashlib.sha256(data.encode("utf-8")).hexdigest()[:32] + ".js"
    # the script asks the frame's global for the layer; the file comes after Leaflet among the scripts
    assert f'{name}_add(window.coverageLayers["{file_name}"]);' in ours.script
    assert json.dumps("甲镇") not in ours.script
    assert ours.js_links == (f"{webmap.STATIC_URL}/leaflet.js", f"/app/static/layers/{file_name}")
    path = tmp_path / file_name
    assert maps.read_layer_file(path) == data  # the very JSON the script held
    assert json.loads(data)["features"][0]["properties"]["name"] == "甲镇"
    assert path.read_text(encoding="utf-8").startswith("window.coverageLayers = window.coverageLayers || {};")
    assert path.stat().st_mtime == maps.LAYER_MTIME_S  # an old Last-Modified: the browser keeps it
    again = maps.render(_map(), layer_dir=tmp_path)  # the same layer: the same file, written once
    assert again.js_links == ours.js_links and [p.name for p in tmp_path.iterdir()] == [file_name]


def test_layer_files_beyond_the_kept_number_go_oldest_first_and_come_back_when_shown(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(settings, "MAP_LAYER_FILE_MIN_KB", 0.1)
    monkeypatch.setattr(settings, "MAP_LAYER_FILES_KEPT", 2)
    rendered = []
    for k in range(3):  # three maps whose townships differ by name: three files
        towns = _towns().assign(name=[f"甲{k}", f"乙{k}"])
        m = webmap.new_map(towns.total_bounds)
        webmap.township_layer(towns, set()).add_to(m)
        rendered.append(maps.render(webmap.finish(m, control=False), layer_dir=tmp_path))
        time.sleep(0.01)  # distinct write times
    names = [r.layer_files[0][1] for r in rendered]
    assert sorted(p.name for p in tmp_path.glob("*.js")) == sorted(names[1:])  # the first written went
    maps.restore_layer_files(rendered[0])  # that map is shown again: its file is written again
    assert (tmp_path / names[0]).exists()


def test_layer_geojson_is_what_geopandas_writes_with_missing_values_as_null() -> None:
    table = pd.DataFrame(
        {
            "name": ["甲镇", None, "丙镇"],
            "area_km2": [1.234567, float("nan"), 3.0],
            "n": [1, 2, 3],
            "ok": [True, False, True],
        }
    )
    geoms = [
        shapely.Polygon([(108.0, 22.0), (108.123456789, 22.0), (108.1, 22.1)]),
        shapely.MultiPolygon([shapely.box(108.2, 22.0, 108.3, 22.1), shapely.box(108.4, 22.0, 108.5, 22.1)]),
        shapely.Point(108.05, 22.05),
    ]
    ours = json.loads(webmap._frame(table, geoms, "wgs84"))
    plain = gpd.GeoDataFrame(
        table.assign(area_km2=table["area_km2"].round(4)), geometry=shapely.set_precision(geoms, 1e-5), crs=4326
    )
    assert ours == json.loads(plain.to_json(drop_id=True))
    assert ours["features"][0]["properties"]["area_km2"] == 1.2346  # rounded for size
    assert ours["features"][1]["properties"] == {"name": None, "area_km2": None, "n": 2, "ok": False}
    assert [round(x, 5) for x, _ in ours["features"][0]["geometry"]["coordinates"][0]] == [
        x for x, _ in ours["features"][0]["geometry"]["coordinates"][0]
    ]  # about a metre
