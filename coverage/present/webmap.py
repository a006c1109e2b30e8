"""Folium maps of townships, stations, service radii, gaps and candidates, served without any public CDN.

Leaflet ships with the app (``static/vendor/leaflet``, BSD-2-Clause, from npm
``leaflet`` 1.9.4) and Streamlit serves it at ``/app/static/...``
(``server.enableStaticServing``); :func:`localise` points every folium element
at those files, so the map works on intranets that block public CDNs and
offline.  No basemap is drawn by default; OpenStreetMap (WGS 84) or a
Chinese basemap (Amap, GCJ-02) can be chosen, and then only its tiles come from
that tile server.  On the GCJ-02 basemap every vector layer is shifted from
WGS 84 to GCJ-02 (:func:`coverage.coords.from_wgs84`) so it lines up.

Every layer is a :class:`folium.FeatureGroup` built by its own function, so the
app can add the layers that change (radius circles, gaps) with
``st_folium(feature_group_to_add=...)`` without rebuilding the map.

Township polygons are simplified for display with
``shapely.coverage_simplify`` (shared borders stay shared) and rounded to
about a metre.
"""

from __future__ import annotations

import html as html_text
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from geopandas.array import GeometryArray
from numpy.typing import ArrayLike

from coverage import settings
from coverage.coords import from_wgs84
from coverage.present.i18n import labels

#: Where the vendored Leaflet files are served by ``streamlit run app.py``.
STATIC_URL = "/app/static/vendor/leaflet"
LOCAL_ASSETS = {
    "leaflet": f"{STATIC_URL}/leaflet.js",
    "leaflet_css": f"{STATIC_URL}/leaflet.css",
}
#: folium assets not needed by the layers used here (dropped rather than fetched).
UNUSED_ASSETS = {
    "jquery",
    "bootstrap",
    "awesome_markers",
    "bootstrap_css",
    "glyphicons_css",
    "awesome_markers_font_css",
    "awesome_markers_css",
    "awesome_rotate_css",
}
COVERED_COLOUR = "#2e7d32"
UNCOVERED_COLOUR = "#ef6c00"
OTHER_COLOUR = "#9e9e9e"
STATION_COLOUR = "#1565c0"
RADIUS_COLOUR = "#1565c0"
GAP_COLOUR = "#c62828"
ISOCHRONE_COLOUR = "#1565c0"
#: Gap polygons as drawn, and while the radius slider's thumb stands away from the radius they were cut for
#: (:func:`follow_slider_script`: they belong to the radius of the last release, so they fade).
GAP_STYLE = {"fillColor": GAP_COLOUR, "color": GAP_COLOUR, "weight": 0.8, "fillOpacity": 0.35, "opacity": 1.0}
ISOCHRONE_STYLE = {
    "fillColor": ISOCHRONE_COLOUR,
    "color": ISOCHRONE_COLOUR,
    "weight": 1.5,
    "fillOpacity": 0.12,
    "opacity": 1.0,
}
STALE_STYLE = {"fillOpacity": 0.08, "opacity": 0.25}
CANDIDATE_COLOUR = "#6a1b9a"
#: County choropleth: upper bounds of the rate classes and their colours (light to dark green).
RATE_BREAKS = (0.2, 0.4, 0.6, 0.8, 1.0)
RATE_COLOURS = ("#f7fcf5", "#c7e9c0", "#74c476", "#31a354", "#006d2c")


@dataclass(frozen=True)
class Basemap:
    """A tile layer and the datum its tiles are drawn in (``wgs84`` or ``gcj02``)."""

    tiles: str | None
    attribution: str
    datum: str = "wgs84"
    subdomains: str = "abc"


#: Basemap choices.  ``none`` needs nothing from the internet.
BASEMAPS = {
    "none": Basemap(None, ""),
    "osm": Basemap(
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "&copy; OpenStreetMap contributors (ODbL)",
    ),
    "amap": Basemap(
        "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",
        "&copy; 高德地图 AutoNavi (GCJ-02)",
        datum="gcj02",
        subdomains="1234",
    ),
}

#: Map legends and popups in Chinese (the default language); :func:`map_labels` gives either.
DEFAULT_LABELS = labels("map.", "zh")


def map_labels(lang: str = "zh") -> dict[str, str]:
    """Legend and popup texts of the maps in ``lang`` (from :mod:`coverage.present.i18n`)."""
    return labels("map.", lang)


#: A map or one of its elements (layers, markers ...).
ElementT = TypeVar("ElementT", bound=folium.Element)


class AssetError(RuntimeError):
    """A map element needs a script or style sheet that is not served locally."""


def _walk(element: folium.Element) -> Iterator[folium.Element]:
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


def localise(element: ElementT) -> ElementT:
    """Point every script and style sheet of ``element`` (a map or layer) at the locally served copies."""
    for item in _walk(element):
        for attr in ("default_js", "default_css"):
            assets = getattr(item, attr, None)
            if not assets:
                continue
            local = []
            for name, url in assets:
                if name in LOCAL_ASSETS:
                    local.append((name, LOCAL_ASSETS[name]))
                elif name in UNUSED_ASSETS:
                    continue
                else:
                    msg = f"map element {type(item).__name__} needs {name} from {url}, which is not served locally"
                    raise AssetError(msg)
            setattr(item, attr, local)
    return element


def display_geometry(gdf: gpd.GeoDataFrame, tolerance_m: float = settings.MAP_SIMPLIFY_M) -> np.ndarray:
    """Polygons simplified for display (shared borders kept shared), rounded to ~1 m."""
    tolerance_deg = tolerance_m / 111_000.0
    geoms = shapely.coverage_simplify(gdf.geometry.values, tolerance_deg)
    return shapely.set_precision(geoms, 1e-5)


def to_datum(geometry: np.ndarray, datum: str) -> np.ndarray:
    """WGS 84 geometry (array) moved to the basemap's datum (``wgs84``: unchanged; ``gcj02``: shifted)."""
    if datum == "wgs84":
        return geometry

    def convert(xy: np.ndarray) -> np.ndarray:
        lon, lat = from_wgs84(xy[:, 0], xy[:, 1], datum)
        return np.column_stack([lon, lat])

    return shapely.transform(geometry, convert)


def _frame(table: pd.DataFrame, geometry: ArrayLike, datum: str) -> str:
    """GeoJSON text of ``table`` with ``geometry`` (WGS 84) in ``datum``; numbers rounded for size.

    The same text as ``GeoDataFrame.to_json(drop_id=True)`` (missing values as ``null``), written by GEOS
    (``shapely.to_geojson``) instead of a Python walk over every coordinate: 10x faster for the gaps a
    slider move redraws.
    """
    table = table.copy()
    for col in table.columns:
        if pd.api.types.is_float_dtype(table[col]):
            table[col] = table[col].round(4)
    geoms = shapely.set_precision(to_datum(np.asarray(geometry), datum), 1e-5)
    texts = shapely.to_geojson(geoms)
    records = table.astype(object).where(table.notna(), None).to_dict("records")
    features = (
        f'{{"type": "Feature", "properties": {json.dumps(record, default=str)}, "geometry": {text or "null"}}}'
        for record, text in zip(records, texts, strict=True)
    )
    return '{"type": "FeatureCollection", "features": [' + ", ".join(features) + "]}"


def _points(frame: pd.DataFrame) -> GeometryArray:
    return gpd.points_from_xy(frame["lon"].astype(float).round(6), frame["lat"].astype(float).round(6))


def new_map(bounds: Sequence[float] | np.ndarray, basemap: str = "none") -> folium.Map:
    """An empty map fitted to ``bounds`` (xmin, ymin, xmax, ymax in WGS 84) with the chosen basemap."""
    spec = BASEMAPS[basemap]
    m = folium.Map(tiles=None, prefer_canvas=True, control_scale=True, zoom_snap=0.25)
    if spec.tiles:
        folium.TileLayer(
            spec.tiles, attr=spec.attribution, name=basemap, subdomains=spec.subdomains, max_zoom=18, control=False
        ).add_to(m)
    xmin, ymin, xmax, ymax = bounds
    (ymin, ymax), (xmin, xmax) = _bounds_in(spec.datum, xmin, ymin, xmax, ymax)
    m.fit_bounds([[ymin, xmin], [ymax, xmax]])
    return m


def _bounds_in(
    datum: str, xmin: float, ymin: float, xmax: float, ymax: float
) -> tuple[tuple[float, float], tuple[float, float]]:
    """(south, north), (west, east) of WGS 84 bounds in the basemap's ``datum``."""
    if datum == "wgs84":
        return (ymin, ymax), (xmin, xmax)
    lon, lat = from_wgs84(np.array([xmin, xmax]), np.array([ymin, ymax]), datum)
    return (lat[0], lat[1]), (lon[0], lon[1])


def township_status(townships: pd.DataFrame, covered_codes: set[str]) -> pd.Series:
    """``covered`` / ``uncovered`` / ``other`` (not counted) per township."""
    counted = townships["counted"].astype(bool).to_numpy()
    has = townships["code"].astype(str).isin(covered_codes).to_numpy()
    return pd.Series(np.where(~counted, "other", np.where(has, "covered", "uncovered")), index=townships.index)


def township_layer(
    townships: gpd.GeoDataFrame,
    covered_codes: set[str],
    labels: dict = DEFAULT_LABELS,
    datum: str = "wgs84",
    geometry: np.ndarray | None = None,
    figures: pd.DataFrame | None = None,
) -> folium.FeatureGroup:
    """Townships coloured covered / uncovered / not counted, with a popup of name, code and figures.

    ``geometry``: display geometry (default: :func:`display_geometry`);
    ``figures``: extra columns per township, indexed like ``townships``, shown in the popup.
    """
    state = township_status(townships, covered_codes)
    shown = townships[["code", "name", "county_name"]].astype(str).copy()
    shown["status"] = state.map(labels).to_numpy()
    shown["kind"] = state.to_numpy()
    fields, aliases = (
        ["name", "code", "county_name", "status"],
        [labels["name"], labels["code"], labels["county"], labels["status"]],
    )
    if figures is not None:
        for col, alias in figures.attrs.get("labels", {col: col for col in figures.columns}).items():
            shown[col] = figures[col].to_numpy()
            fields.append(col)
            aliases.append(alias)
    geometry = display_geometry(townships) if geometry is None else geometry
    colour = {"covered": COVERED_COLOUR, "uncovered": UNCOVERED_COLOUR, "other": OTHER_COLOUR}
    group = folium.FeatureGroup(name=labels["townships"])
    folium.GeoJson(
        _frame(shown, geometry, datum),
        style_function=lambda f: {
            "fillColor": colour[f["properties"]["kind"]],
            "color": "#ffffff",
            "weight": 0.4,
            "fillOpacity": 0.6,
        },
        highlight_function=lambda f: {"weight": 2, "color": "#000000"},
        tooltip=folium.GeoJsonTooltip(fields=["name", "status"], aliases=[labels["name"], labels["status"]]),
        popup=folium.GeoJsonPopup(fields=fields, aliases=aliases),
        smooth_factor=1.0,
    ).add_to(group)
    return group


def rate_colour(rate: float) -> str:
    """Colour of a coverage rate (0-1) in the county choropleth."""
    for upper, colour in zip(RATE_BREAKS, RATE_COLOURS, strict=True):
        if rate < upper:
            return colour
    return RATE_COLOURS[-1]


def county_layer(
    counties: gpd.GeoDataFrame,
    rates: pd.Series | None = None,
    labels: dict = DEFAULT_LABELS,
    datum: str = "wgs84",
    geometry: np.ndarray | None = None,
    show: bool = True,
) -> folium.FeatureGroup:
    """County borders; with ``rates`` (code -> 0-1) a choropleth of the coverage rate with popups."""
    geometry = display_geometry(counties) if geometry is None else geometry
    shown = counties[["code", "name"]].astype(str).copy()
    if rates is None:
        group = folium.FeatureGroup(name=labels["counties"], show=show)
        folium.GeoJson(
            _frame(shown, geometry, datum),
            style_function=lambda f: {"fill": False, "color": "#37474f", "weight": 1.2},
            interactive=False,
        ).add_to(group)
        return group
    rate = shown["code"].map(rates).astype(float).fillna(0.0)
    shown["rate"] = (rate * 100).round(1).astype(str) + "%"
    shown["fill"] = [rate_colour(r) for r in rate]
    group = folium.FeatureGroup(name=labels["choropleth"], show=show)
    folium.GeoJson(
        _frame(shown, geometry, datum),
        style_function=lambda f: {
            "fillColor": f["properties"]["fill"],
            "color": "#37474f",
            "weight": 1.0,
            "fillOpacity": 0.75,
        },
        tooltip=folium.GeoJsonTooltip(fields=["name", "rate"], aliases=[labels["county"], labels["rate"]]),
        popup=folium.GeoJsonPopup(
            fields=["name", "code", "rate"], aliases=[labels["county"], labels["code"], labels["rate"]]
        ),
    ).add_to(group)
    return group


def _placed(stations: pd.DataFrame) -> pd.DataFrame:
    return stations[stations["lon"].notna() & stations["lat"].notna()]


def estimated_positions(stations: pd.DataFrame) -> pd.Series:
    """True for stations whose position is their township's point, not coordinates the list gave."""
    source = stations.get("location_source", pd.Series("input", index=stations.index))
    return source.astype(str).str.startswith("township point")


def station_layer(stations: pd.DataFrame, labels: dict = DEFAULT_LABELS, datum: str = "wgs84") -> folium.FeatureGroup:
    """Stations as dots, with a popup of name, township code and opening date.

    A station placed at its township's point (the list gave no coordinates of its own) is drawn as a
    ring, not a dot: its position is only that of the township (see :func:`estimated_positions`).
    """
    placed = _placed(stations)
    cols = [c for c in ("station_id", "name", "township_code", "opened") if c in placed.columns]
    table = placed[cols].astype(str).replace({"NaT": "", "None": "", "nan": ""})
    table["approx"] = estimated_positions(placed).astype(int)
    group = folium.FeatureGroup(name=labels["stations"])
    fields = [c for c in ("name", "township_code", "opened") if c in cols]
    alias = {"name": labels["stations"], "township_code": labels["code"], "opened": labels["opened"]}
    folium.GeoJson(
        _frame(table, _points(placed), datum),
        marker=folium.CircleMarker(radius=3, color=STATION_COLOUR, fill=True, fill_opacity=0.9, weight=1),
        style_function=lambda f: {"fillOpacity": 0.1 if f["properties"]["approx"] else 0.9},
        tooltip=folium.GeoJsonTooltip(fields=["name"], aliases=[labels["stations"]]),
        popup=folium.GeoJsonPopup(fields=fields, aliases=[alias[f] for f in fields]),
    ).add_to(group)
    return group


def radius_layer(
    stations: pd.DataFrame, radius_m: float, labels: dict = DEFAULT_LABELS, datum: str = "wgs84"
) -> folium.FeatureGroup:
    """A circle of ``radius_m`` (metres on the ground) around every station."""
    placed = _placed(stations)
    group = folium.FeatureGroup(name=f"{labels['radius']} {radius_m / 1000:g} km")
    folium.GeoJson(
        _frame(pd.DataFrame({"r": np.full(len(placed), float(radius_m))}), _points(placed), datum),
        marker=folium.Circle(radius=float(radius_m), color=RADIUS_COLOUR, weight=1, fill=True, fill_opacity=0.06),
        interactive=False,
    ).add_to(group)
    return group


def gap_layer(gaps: gpd.GeoDataFrame, labels: dict = DEFAULT_LABELS, datum: str = "wgs84") -> folium.FeatureGroup:
    """Gap polygons (WGS 84, from :attr:`coverage.gaps.GapResult.gaps`) with their area."""
    table = pd.DataFrame(
        {"gap_id": gaps["gap_id"].astype(int).to_numpy(), "area_km2": gaps["area_km2"].round(1).to_numpy()}
    )
    geoms = shapely.simplify(gaps.geometry.values, settings.MAP_SIMPLIFY_M / 111_000.0)
    group = folium.FeatureGroup(name=labels["gaps"])
    folium.GeoJson(
        _frame(table, geoms, datum),
        style_function=lambda f: GAP_STYLE,
        tooltip=folium.GeoJsonTooltip(fields=["area_km2"], aliases=[labels["area_km2"]]),
    ).add_to(group)
    return group


def isochrone_layer(
    reach: gpd.GeoDataFrame, name: str, labels: dict = DEFAULT_LABELS, datum: str = "wgs84"
) -> folium.FeatureGroup:
    """The area within the minutes of a station (``reach``: WGS 84 polygons with ``minutes`` and ``area_km2``,
    e.g. :attr:`coverage.analysis.gaps.GapResult.reach` or :func:`coverage.analysis.gaps.isochrones`),
    outlined; ``name`` says the minutes and the model that made it (layer name and tooltip)."""
    reach = reach[~reach.geometry.is_empty]
    table = pd.DataFrame(
        {
            "isochrone": [name] * len(reach),
            "minutes": reach["minutes"].astype(float).to_numpy(),
            "area_km2": reach["area_km2"].round(1).to_numpy(),
        }
    )
    geoms = shapely.simplify(reach.geometry.values, settings.MAP_SIMPLIFY_M / 111_000.0)
    group = folium.FeatureGroup(name=name)
    folium.GeoJson(
        _frame(table, geoms, datum),
        style_function=lambda f: ISOCHRONE_STYLE,
        tooltip=folium.GeoJsonTooltip(fields=["isochrone", "area_km2"], aliases=["", labels["area_km2"]]),
    ).add_to(group)
    return group


_FOLLOW_JS = """(function () {
  window.__radiusFollow = %(config)s;
  function shown() {
    var cfg = window.__radiusFollow;
    try {
      var input = window.parent.document.querySelector(cfg.selector);
      return input ? String(input.value) : null;
    } catch (e) { return null; }  // not framed by the app's page: the map keeps the radius it was drawn with
  }
  function follow() {
    var cfg = window.__radiusFollow, value = shown(), map = window.map;
    if (value === null || !map) return;
    var metres = cfg.metres[value], stale = value !== cfg.drawn;
    map.eachLayer(function (l) {
      if (metres !== undefined && l instanceof L.Circle && l.getRadius() !== metres) l.setRadius(metres);
      if (l.feature && l.feature.properties && (l.feature.properties.gap_id !== undefined
          || l.feature.properties.isochrone !== undefined) && l.setStyle) {
        l.setStyle(stale ? cfg.stale : (l.feature.properties.gap_id !== undefined ? cfg.gap : cfg.isochrone));
      }
    });
    var note = document.getElementById("radius-follow-note");
    if (!note) {
      note = L.DomUtil.create("div", "radius-follow-note", map.getContainer());
      note.id = "radius-follow-note";
      note.style.cssText = "position:absolute;top:8px;left:50%%;transform:translateX(-50%%);z-index:1000;"
        + "background:#fff8e1;border:1px solid #f9a825;padding:2px 8px;font:12px sans-serif;display:none";
    }
    note.textContent = stale ? cfg.note.replace("{value}", value) : "";
    note.style.display = stale ? "block" : "none";
    window.__radiusShown = {value: value, metres: metres === undefined ? null : metres};
  }
  if (!window.__radiusFollowOn) {
    window.__radiusFollowOn = true;
    var queued = false;
    try {
      var watch = new MutationObserver(function () {
        var own = window.frameElement;
        if (!own || !own.isConnected) { watch.disconnect(); return; }  // this map's frame is gone
        if (queued) return;
        queued = true;
        requestAnimationFrame(function () { queued = false; follow(); });
      });
      watch.observe(window.parent.document.body, {attributes: true, subtree: true, attributeFilter: ["aria-valuetext"]});
    } catch (e) {}
  }
  follow();
})();
"""


def follow_slider_script(selector: str, metres: Mapping[float, float], drawn: float, note: str) -> str:
    """A script for the map's frame: while the thumb of the range input ``selector`` (in the page framing the
    map) moves, every service circle takes the radius of the value under the thumb, at once.

    ``metres``: the radius (metres) of each value of the input (values with none - e.g. road minutes - move
    no circle).  ``drawn``: the value the map's other layers (gaps, isochrones) were made for; while the
    thumb stands elsewhere they fade (:data:`STALE_STYLE`) and ``note`` (``{value}``: the thumb's value) says
    they wait for the release.  The script may run again with new layers: it watches the input once.
    """
    config = {
        "selector": selector,
        "metres": {_value_text(v): float(m) for v, m in metres.items()},
        "drawn": _value_text(drawn),
        "note": note,
        "gap": GAP_STYLE,
        "isochrone": ISOCHRONE_STYLE,
        "stale": STALE_STYLE,
    }
    return _FOLLOW_JS % {"config": json.dumps(config, ensure_ascii=False)}


def _value_text(value: float) -> str:
    """A slider value as the range input shows it (``10``, not ``10.0``)."""
    return f"{float(value):g}"


def candidate_layer(
    candidates: pd.DataFrame, labels: dict = DEFAULT_LABELS, datum: str = "wgs84", name: str | None = None
) -> folium.FeatureGroup:
    """Priority sites: rows with ``lon``, ``lat``, ``name``, ``code`` and optionally ``rank``, ``score``."""
    cols = [c for c in ("rank", "name", "code", "county_name", "score", "year") if c in candidates.columns]
    table = candidates[cols].copy()
    group = folium.FeatureGroup(name=name or labels["candidates"])
    folium.GeoJson(
        _frame(table, _points(candidates), datum),
        marker=folium.CircleMarker(
            radius=6, color=CANDIDATE_COLOUR, fill=True, fill_color="#ffffff", fill_opacity=1.0, weight=3
        ),
        tooltip=folium.GeoJsonTooltip(fields=["name"], aliases=[labels["candidates"]]),
        popup=folium.GeoJsonPopup(
            fields=cols, aliases=[labels.get(c, c) if c != "county_name" else labels["county"] for c in cols]
        ),
    ).add_to(group)
    return group


def legend(
    labels: dict = DEFAULT_LABELS,
    approximate: bool = False,
    choropleth: bool = False,
    gaps: bool = False,
    candidates: bool = False,
    stations: bool = True,
    estimated_stations: bool = False,
    overloaded: bool = False,
    need: NeedScale | None = None,
    isochrone: str | None = None,
    model: str | None = None,
) -> folium.Element:
    """The map's legend (bottom left, above the scale bar), in the labels' language.

    Each flag adds the row of a layer the map draws (``stations``: station dots;
    ``estimated_stations``: rings for stations placed at their township's point; ``overloaded``:
    over-loaded stations; ``need``: the classes of the need layer, :func:`need_layer`; ``isochrone``: the row
    of :func:`isochrone_layer`, its text; ``model``: the travel model that made the map's figures, named
    last).
    """

    def row(colour: str, text: str, mark: str = "&#9632;") -> str:
        return f"<span style='color:{colour}'>{mark}</span> {text}<br>"

    html = (
        "<div class='coverage-legend' style='position:absolute;bottom:52px;left:12px;z-index:1000;background:white;"
        "padding:6px 8px;border:1px solid #999;font-size:12px;line-height:1.5'>"
        + row(COVERED_COLOUR, labels["covered"])
        + row(UNCOVERED_COLOUR, labels["uncovered"])
        + row(OTHER_COLOUR, labels["other"])
    )
    if stations:
        html += row(STATION_COLOUR, labels["stations"], "&#9679;")
        if estimated_stations:
            html += row(STATION_COLOUR, labels["stations_estimated"], "&#9675;")
    if isochrone:
        html += row(ISOCHRONE_COLOUR, isochrone, "&#9633;")
    if gaps:
        html += row(GAP_COLOUR, labels["gaps"])
    if candidates:
        html += row(CANDIDATE_COLOUR, labels["candidates"], "&#9711;")
    if overloaded:
        html += row(OVERLOAD_COLOUR, labels["overloaded"], "&#9711;")
    if need is not None:
        html += f"<b>{need.title}</b><br>"
        for colour, text in need.rows():
            html += row(colour, text)
    if choropleth:
        lower = 0.0
        for upper, colour in zip(RATE_BREAKS, RATE_COLOURS, strict=True):
            html += row(colour, f"{labels['rate']} {lower:.0%}–{upper:.0%}")
            lower = upper
    if approximate:
        html += f"<i>{labels['approximate']}</i>"
    if model:
        html += f"<div class='coverage-legend-model' style='color:#455a64'>{html_text.escape(model)}</div>"
    return folium.Element(html + "</div>")


def finish(m: folium.Map, legend_element: folium.Element | None = None, control: bool = True) -> folium.Map:
    """Add the layer control and legend, and serve every asset locally."""
    if control:
        folium.LayerControl(collapsed=True).add_to(m)
    if legend_element is not None:
        root = m.get_root()
        # branca annotates get_root() as returning an Element; a map's root is its Figure, which has the html part
        assert isinstance(root, folium.Figure)
        root.html.add_child(legend_element)
    return localise(m)


def township_map(
    townships: gpd.GeoDataFrame,
    stations: gpd.GeoDataFrame | None = None,
    covered_codes: set[str] | None = None,
    counties: gpd.GeoDataFrame | None = None,
    labels: dict[str, str] | None = None,
    basemap: str = "none",
) -> folium.Map:
    """A map of townships coloured by whether they have a station, with county borders and stations."""
    labels = {**DEFAULT_LABELS, **(labels or {})}
    datum = BASEMAPS[basemap].datum
    m = new_map(townships.total_bounds, basemap)
    township_layer(townships, covered_codes or set(), labels, datum).add_to(m)
    if counties is not None and not counties.empty:
        county_layer(counties, labels=labels, datum=datum).add_to(m)
    if stations is not None and not stations.empty:
        station_layer(stations, labels, datum).add_to(m)
    approximate = (
        bool((townships["boundary_quality"] == "approximate").any()) if "boundary_quality" in townships else False
    )
    estimated = stations is not None and bool(estimated_positions(_placed(stations)).any())
    return finish(m, legend(labels, approximate=approximate, estimated_stations=estimated))


#: One colour per day of a trip (cycled).
DAY_COLOURS = (
    "#e41a1c",
    "#377eb8",
    "#4daf4a",
    "#984ea3",
    "#ff7f00",
    "#a65628",
    "#f781bf",
    "#17becf",
    "#bcbd22",
    "#666666",
)


def route_layers(
    legs: pd.DataFrame,
    labels: dict = DEFAULT_LABELS,
    datum: str = "wgs84",
    group_col: str = "day",
    name_format: str = "{}",
) -> list[folium.FeatureGroup]:
    """One layer per day (or per ``group_col``): its legs as straight lines and its stops as numbered dots.

    ``legs`` has ``from_lon``, ``from_lat``, ``to_lon``, ``to_lat``, ``to_name`` and ``group_col``.
    """
    groups = []
    for k, (key, day) in enumerate(legs.groupby(group_col, sort=True)):
        colour = DAY_COLOURS[k % len(DAY_COLOURS)]
        group = folium.FeatureGroup(name=name_format.format(key))
        for leg in day.itertuples(index=False):
            a = to_datum(shapely.points([leg.from_lon, leg.to_lon], [leg.from_lat, leg.to_lat]), datum)
            line = [[a[0].y, a[0].x], [a[1].y, a[1].x]]
            folium.PolyLine(line, color=colour, weight=3, opacity=0.85).add_to(group)
            folium.CircleMarker(
                [a[1].y, a[1].x],
                radius=5,
                color=colour,
                fill=True,
                fill_opacity=1.0,
                tooltip=f"{name_format.format(key)}: {leg.to_name}",
            ).add_to(group)
        groups.append(group)
    return groups


# --------------------------------------------------------------------------- need and loads (issue 15)
#: Need layer: five classes (quantiles of the townships' need), light to dark purple.
NEED_COLOURS = ("#f2f0f7", "#cbc9e2", "#9e9ac8", "#756bb1", "#54278f")
#: Over-loaded stations: red rings.
OVERLOAD_COLOUR = "#d32f2f"


@dataclass(frozen=True)
class NeedScale:
    """The classes of a need layer: upper bounds (``breaks``) and the legend's title (says proxy or table)."""

    title: str
    breaks: tuple[float, ...]

    def rows(self) -> list[tuple[str, str]]:
        """(colour, "lower-upper") of each class, for the legend."""
        out, lower = [], 0.0
        for upper, colour in zip(self.breaks, NEED_COLOURS, strict=False):
            out.append((colour, f"{lower:,.4g}–{upper:,.4g}"))
            lower = upper
        return out

    def colour(self, value: float) -> str:
        for upper, colour in zip(self.breaks, NEED_COLOURS, strict=False):
            if value <= upper:
                return colour
        return NEED_COLOURS[len(self.breaks) - 1]


def need_scale(values: pd.Series, title: str) -> NeedScale:
    """Five quantile classes of the townships' need (fewer when values repeat)."""
    finite = values[np.isfinite(values)]
    if finite.empty:
        return NeedScale(title, (0.0,))
    breaks = tuple(float(b) for b in np.unique(np.quantile(finite, np.linspace(0.2, 1.0, len(NEED_COLOURS)))))
    return NeedScale(title, breaks)


def need_layer(
    townships: gpd.GeoDataFrame,
    need: pd.Series,
    scale: NeedScale,
    labels: dict = DEFAULT_LABELS,
    datum: str = "wgs84",
    geometry: np.ndarray | None = None,
    show: bool = True,
) -> folium.FeatureGroup:
    """Townships coloured by their need (``need``: code -> value) in the classes of ``scale``."""
    geometry = display_geometry(townships) if geometry is None else geometry
    shown = townships[["code", "name"]].astype(str).copy()
    value = shown["code"].map(need).astype(float).fillna(0.0)
    shown["need"] = value.round(2).to_numpy()
    shown["fill"] = [scale.colour(v) for v in value]
    group = folium.FeatureGroup(name=scale.title, show=show)
    folium.GeoJson(
        _frame(shown, geometry, datum),
        style_function=lambda f: {
            "fillColor": f["properties"]["fill"],
            "color": "#ffffff",
            "weight": 0.3,
            "fillOpacity": 0.75,
        },
        tooltip=folium.GeoJsonTooltip(fields=["name", "need"], aliases=[labels["name"], scale.title]),
    ).add_to(group)
    return group


def load_layer(stations: pd.DataFrame, labels: dict = DEFAULT_LABELS, datum: str = "wgs84") -> folium.FeatureGroup:
    """Over-loaded stations (rows with ``lon``, ``lat``, ``name``, ``load``, ``capacity``) as red rings."""
    placed = _placed(stations)
    table = placed[["name"]].astype(str).copy()
    table["load"] = placed["load"].round(1).to_numpy()
    table["capacity"] = placed["capacity"].round(1).to_numpy()
    group = folium.FeatureGroup(name=labels["overloaded"])
    folium.GeoJson(
        _frame(table, _points(placed), datum),
        marker=folium.CircleMarker(radius=8, color=OVERLOAD_COLOUR, fill=False, weight=2.5),
        tooltip=folium.GeoJsonTooltip(
            fields=["name", "load", "capacity"], aliases=[labels["overloaded"], labels["load"], labels["capacity"]]
        ),
    ).add_to(group)
    return group
