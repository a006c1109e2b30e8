"""Any table, layer or map as downloadable bytes: one place for the app's download buttons.

Tables go out as CSV (UTF-8 with a BOM, so Excel in China shows Chinese) or
XLSX through :func:`coverage.io.table_bytes`; layers as GeoJSON (RFC 7946:
WGS 84 longitude/latitude degrees, 6 decimals, about 0.1 m), GeoPackage
(CRS kept), or a table with the geometry as WKT; folium maps as one HTML file
with Leaflet inlined, which opens offline and can be sent by e-mail.

Examples
--------
>>> import pandas as pd
>>> table_export(pd.DataFrame({"县": ["德庆县"]}), "csv", "名单")[:3]
b'\\xef\\xbb\\xbf'
>>> safe_filename("广西/南宁市: 覆盖率*报告")
'广西_南宁市_覆盖率_报告'
>>> export_name("2021年 覆盖率", "xlsx")
'2021年_覆盖率.xlsx'
"""

from __future__ import annotations

import base64
import re
import tempfile
import unicodedata
import warnings
from collections.abc import Sequence
from pathlib import Path

import folium
import geopandas as gpd
import pandas as pd
import shapely

from coverage import settings
from coverage._errors import CRSError, InputError
from coverage.data.io import sheets_bytes, table_bytes
from coverage.present.webmap import LOCAL_ASSETS, STATIC_URL, localise

#: Format key -> (file extension, MIME type).
FORMATS: dict[str, tuple[str, str]] = {
    "csv": ("csv", "text/csv"),
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "geojson": ("geojson", "application/geo+json"),
    "gpkg": ("gpkg", "application/geopackage+sqlite3"),
    "html": ("html", "text/html"),
}
TABLE_FORMATS = ("csv", "xlsx")
LAYER_FORMATS = ("geojson", "gpkg", "csv", "xlsx")
#: Decimals of GeoJSON coordinates (degrees): 1e-6 degree is about 0.1 m.
GEOJSON_DECIMALS = 6
#: Longest text Excel keeps in one cell.
EXCEL_CELL_MAX_CHARS = 32_767
#: Folder of the vendored Leaflet files on disk, which the app serves at ``webmap.STATIC_URL``.
LEAFLET_DIR = settings.ROOT / STATIC_URL.removeprefix("/app/")
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
_REMOTE_ASSET = re.compile(r"<(?:script|link|img)\b[^>]*\b(?:src|href)\s*=\s*[\"']?(?:https?:)?//", re.IGNORECASE)


def _check_format(fmt: str, allowed: tuple[str, ...], what: str) -> str:
    key = str(fmt).lower().lstrip(".")
    if key not in allowed:
        msg = f"cannot export {what} as {fmt!r}; formats: {', '.join(allowed)}"
        raise InputError(msg)
    return key


def safe_filename(text: object, default: str = "export", max_chars: int = 100) -> str:
    """``text`` as a file name valid on Windows, macOS and Linux; Chinese characters kept.

    Path separators, characters Windows forbids (``<>:"/\\|?*``), control
    characters and runs of spaces become one ``_``; leading and trailing dots,
    spaces and underscores go; an empty result or a reserved Windows name
    (``CON``, ``NUL`` ...) gives ``default`` / an ``_`` suffix.
    """
    name = unicodedata.normalize("NFC", str(text if text is not None else ""))
    name = _UNSAFE.sub("_", name)
    name = re.sub(r"[\s_]+", "_", name).strip(" ._")
    name = name[:max_chars].rstrip(" ._")
    if not name:
        return default
    if name.split(".")[0].upper() in _WINDOWS_RESERVED:
        name = f"{name}_"
    return name


def export_name(name: str, fmt: str) -> str:
    """File name for a download: ``safe_filename(name)`` plus the format's extension."""
    key = _check_format(fmt, tuple(FORMATS), "a file")
    return f"{safe_filename(name)}.{FORMATS[key][0]}"


def _sheet_name(name: str) -> str:
    """An Excel sheet name: no ``[]:*?/\\``, at most 31 characters."""
    return re.sub(r"[\[\]:*?/\\]", "_", str(name))[:31] or "Sheet1"


#: Where an export keeps its data notes (the column, sheet, member or table of that name).
NOTES_NAME = "data_note"


def table_export(frame: pd.DataFrame, fmt: str, name: str, notes: Sequence[str] = ()) -> bytes:
    """``frame`` as ``csv`` (UTF-8 with BOM) or ``xlsx`` (one sheet called ``name``).

    ``notes`` (what the figures rest on, :mod:`coverage.present.notes`) travel with the data: a
    ``data_note`` column in CSV, a ``data_note`` sheet in XLSX.
    """
    key = _check_format(fmt, TABLE_FORMATS, "a table")
    if notes and key == "csv":
        frame = frame.assign(**{NOTES_NAME: " / ".join(notes)})
    if notes and key == "xlsx":
        return sheets_bytes({_sheet_name(name): frame, NOTES_NAME: pd.DataFrame({NOTES_NAME: list(notes)})})
    return table_bytes(frame, key, sheet=_sheet_name(name))


def layer_table(gdf: gpd.GeoDataFrame) -> pd.DataFrame:
    """Attributes of ``gdf`` with the geometry as WKT in WGS 84 (6 decimals).

    Point and multipoint rows also get ``lon``/``lat`` (degrees, WGS 84) of
    their representative point, replacing columns of those names.
    """
    gdf = _in_wgs84(gdf)
    geoms = gdf.geometry.values
    table = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    table["wkt"] = shapely.to_wkt(geoms, rounding_precision=GEOJSON_DECIMALS)
    is_point = shapely.get_type_id(geoms) == shapely.GeometryType.POINT
    is_point |= shapely.get_type_id(geoms) == shapely.GeometryType.MULTIPOINT
    if is_point.any():
        rep = shapely.point_on_surface(geoms)
        table["lon"] = pd.Series(shapely.get_x(rep), index=table.index).where(is_point).round(GEOJSON_DECIMALS)
        table["lat"] = pd.Series(shapely.get_y(rep), index=table.index).where(is_point).round(GEOJSON_DECIMALS)
    return table


def _in_wgs84(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if gdf.crs is None:
        msg = "the layer has no coordinate system; set it (gdf.set_crs(...)) before exporting"
        raise CRSError(msg)
    return gdf.to_crs(settings.WORK_CRS)


def layer_export(gdf: gpd.GeoDataFrame, fmt: str, name: str, notes: Sequence[str] = ()) -> bytes:
    """``gdf`` as ``geojson`` (RFC 7946, WGS 84, 6 decimals), ``gpkg`` (layer ``name``, CRS kept),
    or ``csv``/``xlsx`` (see :func:`layer_table`).  ``notes`` travel with the data: a ``data_note``
    member of the GeoJSON, a ``data_note`` table in the GeoPackage (as :func:`table_export` otherwise)."""
    key = _check_format(fmt, LAYER_FORMATS, "a layer")
    if key in TABLE_FORMATS:
        table = layer_table(gdf)
        if key == "xlsx":
            too_long = table["wkt"].str.len() > EXCEL_CELL_MAX_CHARS
            if too_long.any():
                table.loc[too_long, "wkt"] = ""
                warnings.warn(
                    f"{int(too_long.sum())} geometries are too long for an Excel cell and were left out; "
                    "export GeoJSON or GeoPackage to keep them",
                    stacklevel=2,
                )
        return table_export(table, key, name, notes)
    if gdf.crs is None:
        _in_wgs84(gdf)  # raises
    return _vector_bytes(gdf, key, name, notes)


def _vector_bytes(gdf: gpd.GeoDataFrame, key: str, name: str, notes: Sequence[str] = ()) -> bytes:
    import json

    import pyogrio

    layer = _sheet_name(name) if key == "gpkg" else name
    frame = _in_wgs84(gdf) if key == "geojson" else gdf
    options = {"RFC7946": "YES", "COORDINATE_PRECISION": GEOJSON_DECIMALS} if key == "geojson" else {}
    driver = {"geojson": "GeoJSON", "gpkg": "GPKG"}[key]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"layer.{key}"
        pyogrio.write_dataframe(frame, path, driver=driver, layer=layer, layer_options=options)
        if notes and key == "gpkg":
            pyogrio.write_dataframe(pd.DataFrame({NOTES_NAME: list(notes)}), path, driver="GPKG", layer=NOTES_NAME)
        data = path.read_bytes()
    if notes and key == "geojson":  # a foreign member, which RFC 7946 (section 6.1) allows
        document = json.loads(data)
        document[NOTES_NAME] = list(notes)
        data = json.dumps(document, ensure_ascii=False).encode("utf-8")
    return data


# --------------------------------------------------------------------------- maps
def _data_uri(path: Path, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def _leaflet_css() -> str:
    """Leaflet's style sheet with its images (layer-control icons, markers) inlined as data URIs."""
    css = (LEAFLET_DIR / "leaflet.css").read_text(encoding="utf-8")

    def inline(match: re.Match) -> str:
        image = LEAFLET_DIR / match.group(1)
        return f"url({_data_uri(image, 'image/png')})" if image.exists() else match.group(0)

    return re.sub(r"url\(['\"]?(images/[\w.-]+\.png)['\"]?\)", inline, css)


def standalone_map_html(m: folium.Map, notes: Sequence[str] = ()) -> str:
    """The folium map ``m`` as one self-contained HTML page: Leaflet's script and styles inlined.

    The page needs nothing from the app or a CDN (only basemap tiles, if the map
    has any, come from their tile server).  Raises :class:`coverage.webmap.AssetError`
    when an element needs a script that is not vendored.
    """
    localise(m)
    if notes:  # what the map rests on, in a box above the map (escaped: the notes are plain text)
        import html as html_text

        box = "<br>".join(html_text.escape(n) for n in notes)
        root = m.get_root()
        assert isinstance(root, folium.Figure)  # branca types get_root() as a plain element; a map's root is its page
        root.html.add_child(
            folium.Element(
                f'<div id="data-note" style="position:absolute;top:8px;left:50px;z-index:1000;max-width:60%;'
                f'background:#fff8e1;border:1px solid #f9a825;padding:4px 8px;font:12px sans-serif;">{box}</div>'
            )
        )
    html = m.get_root().render()
    js = (LEAFLET_DIR / "leaflet.js").read_text(encoding="utf-8").replace("</script", "<\\/script")
    css = _leaflet_css()
    js_tag = re.compile(r"<script[^>]*src=[\"']" + re.escape(LOCAL_ASSETS["leaflet"]) + r"[\"'][^>]*>\s*</script>")
    css_tag = re.compile(r"<link[^>]*href=[\"']" + re.escape(LOCAL_ASSETS["leaflet_css"]) + r"[\"'][^>]*/?>")
    html, n_js = js_tag.subn(lambda _: f"<script>{js}</script>", html, count=1)
    html, n_css = css_tag.subn(lambda _: f"<style>{css}</style>", html, count=1)
    if not n_js or not n_css:
        msg = "the map's HTML does not load Leaflet from the app's static folder; build it with coverage.webmap"
        raise InputError(msg)
    leftover = _REMOTE_ASSET.search(html)
    if leftover:
        msg = f"the map still loads an asset from the internet: {leftover.group(0)}...; it would not open offline"
        raise InputError(msg)
    return html
