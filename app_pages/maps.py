"""Folium maps shown through streamlit-folium's own frontend, each rendered once per process.

``st_folium`` renders the whole folium figure, then the map again, walks every coordinate for
the bounds and hashes the whole script - on every script run, even when only a slider moved.
Here a map is turned into its browser parts once (:func:`render`: one ``Map.render`` and the
script) and those parts are kept in the pages' ``st.cache_resource`` caches, keyed by what the
map shows; :func:`show` then hands them to the same component (same arguments, same frontend,
``window.map`` in its frame) with nothing left to compute.  Layers that change with a slider
travel on their own (:func:`layers_script`, st_folium's ``feature_group_to_add``): the frontend
swaps them in the map already drawn.

The bounds st_folium would compute only feed its return value, and the pages ask for no value
back (``returned_objects=[]``), so they are not computed at all.

A large layer (the townships of a province: ~0.9 MB of GeoJSON) does not travel inside the script:
:func:`render` writes its data once to a file named by its content in ``static/layers/``, which
Streamlit serves at ``/app/static/layers/`` (``server.enableStaticServing``), and lists the file
among the map's scripts (``js_links``).  The frontend loads those scripts before it runs the map's
script, so the map is drawn as before, layer order included; but the browser fetches each file
once and keeps it in its HTTP cache, and a page switch no longer sends, parses and copies the
layer from the page to the map's frame.  Nothing is downloaded from the internet: the files are
written from the data the app already holds.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import folium
import streamlit_folium as sf

from coverage import settings

#: Where :func:`render` writes layer files, and where Streamlit serves them (``./static`` next to app.py).
LAYER_DIR = settings.ROOT / "static" / "layers"
LAYER_URL = "/app/static/layers"
#: The global object of the map's frame that holds the layers loaded from files, by file name.
LAYER_GLOBAL = "coverageLayers"
#: The files' modification time (2020-01-01 UTC): a file never changes (its name is its content's hash),
#: and an old Last-Modified lets the browser keep it without asking again (Streamlit sends no
#: Cache-Control for app static files, so browsers judge freshness by the file's age).
LAYER_MTIME_S = 1_577_836_800


@dataclass(frozen=True)
class RenderedMap:
    """What the st_folium frontend needs to draw a map, as st_folium would send it."""

    script: str
    header: str
    html: str
    map_id: str
    css_links: tuple[str, ...]
    js_links: tuple[str, ...]
    digest: str
    #: (directory, file name, data) of each layer served as a file: :func:`show` writes a file again
    #: if it went (pruned, or the directory cleaned) while the map was kept.
    layer_files: tuple[tuple[Path, str, str], ...] = ()


def _links(m: folium.Map) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(css, js) links of every element of ``m``, first occurrence first (as st_folium collects them)."""
    css: list[str] = []
    js: list[str] = []

    def walk(element: folium.Element) -> None:
        css.extend(href for _, href in getattr(element, "default_css", []))
        js.extend(src for _, src in getattr(element, "default_js", []))
        for child in getattr(element, "_children", {}).values():
            walk(child)

    walk(m)
    return tuple(dict.fromkeys(css)), tuple(dict.fromkeys(js))


def render(m: folium.Map, layer_dir: Path | None = None) -> RenderedMap:
    """The browser parts of ``m`` (call once per map; ``m`` is renamed for the frontend on the way).

    Layers larger than ``settings.MAP_LAYER_FILE_MIN_KB`` are written to ``layer_dir`` (default
    :data:`LAYER_DIR`) and loaded by the frame from there (see the module's docstring).
    """
    m.render()
    html = sf._get_html(m)  # streamlit-folium 0.27.4's own steps (pinned)
    header = sf._get_header(m)
    script = sf._get_map_string(m)
    css, js = _links(m)
    script, files = _layers_to_files(script, _geojson_names(m), LAYER_DIR if layer_dir is None else layer_dir)
    # the frame draws a map once (a new map needs a new key): the html (legend) and header count too, so a
    # legend that changes alone - the Gaps map naming another travel model - is drawn
    digest = hashlib.sha256("\0".join((script, html, header)).encode("utf-8")).hexdigest()
    urls = tuple(f"{LAYER_URL}/{name}" for _, name, _ in files)
    return RenderedMap(script, header, html, sf.get_full_id(m), css, js + urls, digest, files)


def _geojson_names(m: folium.Map) -> list[str]:
    """Names of the GeoJSON layers of ``m`` whose data is written into the script."""
    out: list[str] = []

    def walk(element: folium.Element) -> None:
        if isinstance(element, folium.GeoJson) and element.embed:
            out.append(element.get_name())
        for child in getattr(element, "_children", {}).values():
            walk(child)

    walk(m)
    return out


def _layers_to_files(
    script: str, names: Sequence[str], layer_dir: Path
) -> tuple[str, tuple[tuple[Path, str, str], ...]]:
    """``script`` with the data of each large layer among ``names`` replaced by a reference to its file,
    and (directory, file name, data) of the files, in the order of the layers.  A layer whose file cannot
    be written stays inline."""
    decoder = json.JSONDecoder()
    files: list[tuple[Path, str, str]] = []
    for name in names:
        call = f"{name}_add("
        start = script.find(call)
        if start < 0:
            continue
        begin = start + len(call)
        _, end = decoder.raw_decode(script, begin)  # folium writes the data as JSON (``tojson``)
        data = script[begin:end]
        if len(data.encode("utf-8")) < settings.MAP_LAYER_FILE_MIN_KB * 1000:
            continue
        try:
            file_name = _write_layer(data, layer_dir)
        except OSError:
            continue
        script = f"{script[:begin]}window.{LAYER_GLOBAL}[{json.dumps(file_name)}]{script[end:]}"
        files.append((layer_dir, file_name, data))
    return script, tuple(files)


def layer_file_text(data: str, file_name: str) -> str:
    """The script of a layer file: keeps ``data`` (JSON text) under ``file_name`` in the frame's
    :data:`LAYER_GLOBAL`, parsed by ``JSON.parse`` (faster than a literal of that size)."""
    literal = json.dumps(data, ensure_ascii=True)
    return (
        f"window.{LAYER_GLOBAL} = window.{LAYER_GLOBAL} || {{}};\n"
        f"window.{LAYER_GLOBAL}[{json.dumps(file_name)}] = JSON.parse({literal});\n"
    )


def read_layer_file(path: Path) -> str:
    """The JSON text a layer file holds (the inverse of :func:`layer_file_text`)."""
    text = path.read_text(encoding="utf-8")
    literal = text[text.index("JSON.parse(") + len("JSON.parse(") : text.rindex(");")]
    return str(json.loads(literal))


def _write_layer(data: str, layer_dir: Path) -> str:
    """Write the layer file of ``data`` (once: the name is the content's hash); its name."""
    file_name = hashlib.sha256(data.encode("utf-8")).hexdigest()[:32] + ".js"
    path = layer_dir / file_name
    if path.exists():
        return file_name
    layer_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=layer_dir, prefix=".", suffix=".part")  # not *.js: never pruned
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(layer_file_text(data, file_name))
        os.chmod(tmp, 0o644)  # mkstemp makes it private; the server (or a proxy in front) serves it
        os.utime(tmp, (LAYER_MTIME_S, LAYER_MTIME_S))
        os.replace(tmp, path)  # atomic: a frame never reads half a file, two servers may write the same one
    except OSError:
        Path(tmp).unlink(missing_ok=True)
        raise
    _prune(layer_dir, keep=path)
    return file_name


def _prune(layer_dir: Path, keep: Path) -> None:
    """Remove the oldest written layer files beyond ``settings.MAP_LAYER_FILES_KEPT`` (never ``keep``);
    another server may be pruning the same directory, so a file that went meanwhile is skipped."""
    written: list[tuple[float, Path]] = []
    for path in layer_dir.glob("*.js"):
        try:
            written.append((path.stat().st_ctime, path))  # ctime: when written (the mtime is fixed)
        except OSError:
            continue
    written.sort()
    for _, old in written[: max(0, len(written) - settings.MAP_LAYER_FILES_KEPT)]:
        if old != keep:
            old.unlink(missing_ok=True)


def layers_script(groups: Sequence[folium.FeatureGroup], first: int = 0) -> str:
    """The script that adds ``groups`` to the map already drawn (st_folium's ``feature_group_to_add``).

    ``first``: the number of the first group among all the layers added (scripts of groups rendered
    apart - one that changes, one that does not - are joined in that order).
    """
    scratch = folium.Map(tiles=None)  # the groups' parent while rendering; named map_div in the script
    return "".join(sf._get_feature_group_string(group, map=scratch, idx=first + k) for k, group in enumerate(groups))


def restore_layer_files(rendered: RenderedMap) -> None:
    """Write again the layer files of ``rendered`` that went (pruned, or the folder cleaned) while it was kept."""
    for layer_dir, name, data in rendered.layer_files:
        if not (layer_dir / name).exists():
            _write_layer(data, layer_dir)


def show(rendered: RenderedMap, key: str, height: int, layers: str | None = None) -> None:
    """Draw ``rendered`` full width (and the changing ``layers``); the frame keeps its map while the
    map itself stays the same, so a new ``layers`` only swaps those layers."""
    restore_layer_files(rendered)
    sf._component_func(
        script=rendered.script,
        header=rendered.header,
        html=rendered.html,
        id=rendered.map_id,
        key=hashlib.sha256(f"{rendered.digest}-{key}".encode()).hexdigest(),
        height=height,
        width=None,
        returned_objects=[],
        default={},
        zoom=None,
        center=None,
        feature_group=layers,
        return_on_hover=False,
        layer_control=None,
        pixelated=False,
        css_links=list(rendered.css_links),
        js_links=list(rendered.js_links),
        wrap_longitude=False,
    )
