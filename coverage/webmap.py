"""Folium maps of townships and stations, served without any public CDN.

Leaflet ships with the app (``static/vendor/leaflet``, BSD-2-Clause, from npm
``leaflet`` 1.9.4) and Streamlit serves it at ``/app/static/...``
(``server.enableStaticServing``); :func:`localise` points every folium element
at those files, so the map works on intranets that block public CDNs and
offline.  No basemap is drawn by default (tiles would come from the internet).

Township polygons are simplified for display with
``shapely.coverage_simplify`` (shared borders stay shared) and rounded to
about a metre.
"""

from __future__ import annotations

import folium
import geopandas as gpd
import numpy as np
import shapely

from . import settings

#: Where the vendored Leaflet files are served by ``streamlit run app.py``.
STATIC_URL = "/app/static/vendor/leaflet"
LOCAL_ASSETS = {
    "leaflet": f"{STATIC_URL}/leaflet.js",
    "leaflet_css": f"{STATIC_URL}/leaflet.css",
}
#: folium assets not needed by the layers used here (dropped rather than fetched).
UNUSED_ASSETS = {
    "jquery", "bootstrap", "awesome_markers", "bootstrap_css", "glyphicons_css",
    "awesome_markers_font_css", "awesome_markers_css", "awesome_rotate_css",
}
COVERED_COLOUR = "#2e7d32"
UNCOVERED_COLOUR = "#ef6c00"
OTHER_COLOUR = "#9e9e9e"
STATION_COLOUR = "#1565c0"


class AssetError(RuntimeError):
    """A map element needs a script or style sheet that is not served locally."""


def localise(m: folium.Map) -> folium.Map:
    """Point every element's scripts and style sheets at the locally served copies."""

    def walk(element):
        yield element
        for child in getattr(element, "_children", {}).values():
            yield from walk(child)

    for element in walk(m):
        for attr in ("default_js", "default_css"):
            assets = getattr(element, attr, None)
            if not assets:
                continue
            local = []
            for name, url in assets:
                if name in LOCAL_ASSETS:
                    local.append((name, LOCAL_ASSETS[name]))
                elif name in UNUSED_ASSETS:
                    continue
                else:
                    msg = f"map element {type(element).__name__} needs {name} from {url}, which is not served locally"
                    raise AssetError(msg)
            setattr(element, attr, local)
    return m


def display_geometry(gdf: gpd.GeoDataFrame, tolerance_m: float = settings.MAP_SIMPLIFY_M) -> np.ndarray:
    """Polygons simplified for display (shared borders kept shared), rounded to ~1 m."""
    tolerance_deg = tolerance_m / 111_000.0
    geoms = shapely.coverage_simplify(gdf.geometry.values, tolerance_deg)
    return shapely.set_precision(geoms, 1e-5)


def township_map(
    townships: gpd.GeoDataFrame,
    stations: gpd.GeoDataFrame | None = None,
    covered_codes: set[str] | None = None,
    counties: gpd.GeoDataFrame | None = None,
    labels: dict[str, str] | None = None,
) -> folium.Map:
    """A map of townships coloured by whether they have a station, with the stations.

    ``covered_codes`` are the township codes with an open station; ``labels``
    translates the legend and tooltips (keys: covered, uncovered, other,
    stations, townships, counties, approximate).
    """
    labels = {**DEFAULT_LABELS, **(labels or {})}
    covered_codes = covered_codes or set()
    xmin, ymin, xmax, ymax = townships.total_bounds
    m = folium.Map(tiles=None, prefer_canvas=True, control_scale=True, zoom_snap=0.25)
    m.fit_bounds([[ymin, xmin], [ymax, xmax]])

    shown = townships[["code", "name", "kind", "counted", "county_name", "boundary_quality"]].copy()
    shown["status"] = np.where(
        ~townships["counted"], labels["other"],
        np.where(townships["code"].isin(covered_codes), labels["covered"], labels["uncovered"]),
    )
    shown = gpd.GeoDataFrame(shown, geometry=display_geometry(townships), crs=townships.crs)
    colour = {labels["covered"]: COVERED_COLOUR, labels["uncovered"]: UNCOVERED_COLOUR, labels["other"]: OTHER_COLOUR}
    folium.GeoJson(
        shown.to_json(),
        name=labels["townships"],
        style_function=lambda f: {
            "fillColor": colour[f["properties"]["status"]],
            "color": "#ffffff",
            "weight": 0.4,
            "fillOpacity": 0.6,
        },
        highlight_function=lambda f: {"weight": 2, "color": "#000000"},
        tooltip=folium.GeoJsonTooltip(
            fields=["name", "code", "county_name", "status"],
            aliases=[labels["name"], labels["code"], labels["county"], labels["status"]],
        ),
        smooth_factor=1.0,
    ).add_to(m)
    if counties is not None and not counties.empty:
        lines = gpd.GeoDataFrame(
            counties[["code", "name"]], geometry=display_geometry(counties), crs=counties.crs
        )
        folium.GeoJson(
            lines.to_json(),
            name=labels["counties"],
            style_function=lambda f: {"fill": False, "color": "#37474f", "weight": 1.2},
            interactive=False,
        ).add_to(m)
    if stations is not None and not stations.empty:
        placed = stations[stations["lon"].notna() & stations["lat"].notna()]
        points = gpd.GeoDataFrame(
            placed[["station_id", "name", "township_code"]].astype(str),
            geometry=gpd.points_from_xy(placed["lon"].round(6), placed["lat"].round(6)),
            crs=settings.WORK_CRS,
        )
        folium.GeoJson(
            points.to_json(),
            name=labels["stations"],
            marker=folium.CircleMarker(radius=3, color=STATION_COLOUR, fill=True, fill_opacity=0.9, weight=1),
            tooltip=folium.GeoJsonTooltip(fields=["name", "township_code"], aliases=[labels["stations"], labels["code"]]),
        ).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    legend = (
        "<div style='position:absolute;bottom:12px;left:12px;z-index:1000;background:white;"
        "padding:6px 8px;border:1px solid #999;font-size:12px;line-height:1.5'>"
        f"<span style='color:{COVERED_COLOUR}'>&#9632;</span> {labels['covered']}<br>"
        f"<span style='color:{UNCOVERED_COLOUR}'>&#9632;</span> {labels['uncovered']}<br>"
        f"<span style='color:{OTHER_COLOUR}'>&#9632;</span> {labels['other']}<br>"
        f"<span style='color:{STATION_COLOUR}'>&#9679;</span> {labels['stations']}"
    )
    if (townships["boundary_quality"] == "approximate").any():
        legend += f"<br><i>{labels['approximate']}</i>"
    legend += "</div>"
    m.get_root().html.add_child(folium.Element(legend))
    return localise(m)


DEFAULT_LABELS = {
    "covered": "有社工站",
    "uncovered": "无社工站",
    "other": "不计入目标（农场、林场、开发区等）",
    "stations": "社工站",
    "townships": "乡镇（街道）",
    "counties": "县界",
    "name": "名称",
    "code": "代码",
    "county": "县（市、区）",
    "status": "状态",
    "approximate": "乡镇边界为近似划分，仅供示意",
}
