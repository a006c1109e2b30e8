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
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import folium
import streamlit_folium as sf


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


def render(m: folium.Map) -> RenderedMap:
    """The browser parts of ``m`` (call once per map; ``m`` is renamed for the frontend on the way)."""
    m.render()
    html = sf._get_html(m)  # streamlit-folium 0.27.4's own steps (pinned)
    header = sf._get_header(m)
    script = sf._get_map_string(m)
    css, js = _links(m)
    # the frame draws a map once (a new map needs a new key): the html (legend) and header count too, so a
    # legend that changes alone - the Gaps map naming another travel model - is drawn
    digest = hashlib.sha256("\0".join((script, html, header)).encode("utf-8")).hexdigest()
    return RenderedMap(script, header, html, sf.get_full_id(m), css, js, digest)


def layers_script(groups: Sequence[folium.FeatureGroup], first: int = 0) -> str:
    """The script that adds ``groups`` to the map already drawn (st_folium's ``feature_group_to_add``).

    ``first``: the number of the first group among all the layers added (scripts of groups rendered
    apart - one that changes, one that does not - are joined in that order).
    """
    scratch = folium.Map(tiles=None)  # the groups' parent while rendering; named map_div in the script
    return "".join(sf._get_feature_group_string(group, map=scratch, idx=first + k) for k, group in enumerate(groups))


def show(rendered: RenderedMap, key: str, height: int, layers: str | None = None) -> None:
    """Draw ``rendered`` full width (and the changing ``layers``); the frame keeps its map while the
    map itself stays the same, so a new ``layers`` only swaps those layers."""
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
