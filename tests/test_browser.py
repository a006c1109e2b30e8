"""The app in a real headless Chromium: what a user sees on each page, from local assets only.

Each test opens its page by URL in a fresh browser context (a new Streamlit session: no
state carried over from another test), so the tests pass in any order.  What the user
sees is read from the page: metrics, the accessible table behind each data grid, and the
Leaflet map of each ``st_folium`` frame (``window.map``: its layers and their features).

Needs Debian's ``chromium`` at /usr/bin/chromium.  Skipped when it is missing,
unless ``COVERAGE_REQUIRE_BROWSER=1`` (set by .ci/run), which makes it fail.
Screenshots (for a person to look at; no test reads them) go to ``tests/artifacts/``.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from streamlit_server import streamlit_server

from tests.registry_cases import NOVEMBER_QINGXIU, NOVEMBER_WUMING, ledger_csv

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"

pytestmark = pytest.mark.browser

if not CHROMIUM.exists():
    if os.environ.get("COVERAGE_REQUIRE_BROWSER") == "1":
        raise RuntimeError("COVERAGE_REQUIRE_BROWSER=1 but /usr/bin/chromium is missing: apt-get install chromium")
    pytest.skip("Debian chromium not installed (apt-get install chromium)", allow_module_level=True)

# Guangxi with the embedded (synthetic) station list: 1,253 counted townships, 375 with a station
# (all opened by November 2021, none closed), so 375 / 1,253 = 29.9 % on any date from 2022 on.
COUNTED, COVERED = 1253, 375
BAD_STATIONS = (
    "名称,乡镇,经度,纬度\nA站,城东街道,,\nB站,火星镇,,\nC站,,22.8,108.3\nD站,,151.2,-33.9\nE站,南宁市兴宁区朝阳街道,,\n"
)


# --------------------------------------------------------------------------- fixtures
@contextmanager
def app_server(log_name: str) -> Iterator[str]:
    """The app served (its URL), its log in ``tests/artifacts/<log_name>``; the test fails, naming the log,
    when the app does not start."""
    ARTIFACTS.mkdir(exist_ok=True)  # also when some tests run alone (-k)
    with open(ARTIFACTS / log_name, "w") as log:
        try:
            with streamlit_server("app.py", log) as url:
                yield url
        except RuntimeError as exc:
            pytest.fail(f"{exc}; see tests/artifacts/{log_name}")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with app_server("streamlit.log") as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield b
        b.close()


def new_page(browser: Any, server: str) -> Any:
    """A page in a fresh browser context (a new Streamlit session, as after closing the browser);
    ``page.outside`` collects requests that leave the app's own server."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    p = context.new_page()
    p.server = server
    p.outside = []
    p.on(
        "request",
        lambda r: p.outside.append(r.url) if not r.url.startswith((server, "data:", "blob:", "about:")) else None,
    )
    return p


@pytest.fixture
def page(server: str, browser: Any) -> Iterator[Any]:
    p = new_page(browser, server)
    yield p
    p.context.close()


# --------------------------------------------------------------------------- helpers
def settle(page: Any, ms: int = 800) -> None:
    """Wait until the script has finished running (the status widget is gone)."""
    page.wait_for_timeout(300)
    page.locator("[data-testid=stStatusWidget]").wait_for(state="detached", timeout=180_000)
    page.wait_for_timeout(ms)


def open_page(page: Any, path: str = "") -> None:
    """Open a page of the app by its URL (``""``: the overview) and wait until it has run."""
    page.goto(f"{page.server}/{path}")
    page.get_by_role("heading", level=1).first.wait_for(timeout=120_000)
    settle(page)


def go(page: Any, title: str) -> None:
    """Switch page from the sidebar (the session, e.g. an uploaded list, is kept) and wait until the new
    page has run: its address is shown and the script has finished (the old page's heading may still
    be on screen for a moment, so waiting for a heading alone is not enough)."""
    link = page.locator("[data-testid=stSidebarNav] a", has_text=title).first
    path = page.evaluate("h => new URL(h, location.href).pathname", link.get_attribute("href"))
    link.click()
    page.wait_for_function("p => location.pathname === p", arg=path, timeout=60_000)
    page.get_by_role("heading", level=1).first.wait_for(timeout=60_000)
    settle(page)


def shot(page: Any, name: str, at: Any = None) -> None:
    """A screenshot for a person to look at (the app scrolls inside the window: ``at`` is scrolled into view)."""
    if at is not None:
        at.scroll_into_view_if_needed()
        page.wait_for_timeout(300)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


_METRICS_JS = """() => Array.from(document.querySelectorAll('[data-testid=stMetric]')).map(m => [
    m.querySelector('[data-testid=stMetricLabel]').innerText.trim(),
    m.querySelector('[data-testid=stMetricValue]').innerText])"""


def metrics(page: Any) -> list[tuple[str, str]]:
    """(label, value) of every metric on the page, in page order (read at one moment, so a page that
    is still redrawing cannot change between two reads)."""
    return [(label, value) for label, value in page.evaluate(_METRICS_JS)]


_GRIDS_JS = """() => Array.from(document.querySelectorAll('[data-testid=stDataFrame] table[role=grid]')).map(t => ({
    n_rows: Number(t.getAttribute('aria-rowcount')) - 1,
    head: Array.from(t.querySelectorAll('thead th')).map(c => c.textContent),
    rows: Array.from(t.querySelectorAll('tbody tr')).map(r => Array.from(r.querySelectorAll('td')).map(c => c.textContent)),
}))"""


def grid(page: Any, column: str) -> dict:
    """The first data grid with this column: ``head``, the ``rows`` drawn (all of a short table) and
    ``n_rows`` (all rows), read from the accessible table the grid keeps inside its canvas."""
    for _ in range(40):
        for table in page.evaluate(_GRIDS_JS):
            if column in table["head"] and table["rows"]:
                return table
        page.wait_for_timeout(250)
    raise AssertionError(f"no table with column {column!r}")


def records(table: dict) -> list[dict[str, str]]:
    return [dict(zip(table["head"], row, strict=True)) for row in table["rows"]]


def map_frame(page: Any, index: int = 0) -> Any:
    """The Leaflet map in the ``index``-th st_folium frame (negative: from the end), once drawn."""
    iframe = page.locator("iframe[title*='st_folium']").nth(index)
    iframe.scroll_into_view_if_needed()
    inner = page.frame_locator("iframe[title*='st_folium']").nth(index)
    inner.locator(".leaflet-overlay-pane canvas").first.wait_for(timeout=90_000)
    inner.locator(".leaflet-control-zoom-in").wait_for(timeout=10_000)
    frame = iframe.element_handle().content_frame()
    frame.wait_for_function("() => window.map && Object.keys(window.map._layers).length > 0")
    return frame


def feature_properties(frame: Any) -> list[dict]:
    """The GeoJSON properties of every feature drawn on the map."""
    return frame.evaluate(
        "() => { const out = []; window.map.eachLayer(l => { if (l.feature) out.push(l.feature.properties); }); return out; }"
    )


def kinds(frame: Any) -> Counter:
    """Townships on the map by kind (covered / uncovered / other)."""
    return Counter(p["kind"] for p in feature_properties(frame) if "kind" in p)


def text_of(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html).strip()


def data_section(page: Any, label: str) -> None:
    """Open a section of the Data page by its label (社工站登记库, 月度台账, 试算名单（上传）, 乡镇边界)."""
    page.locator(".st-key-data_section label", has_text=label).first.click()
    settle(page)


def choose(page: Any, key: str, text: str) -> None:
    """Pick the option holding ``text`` in the select box of widget ``key`` (typed to filter a long list)."""
    page.locator(f".st-key-{key}").click()
    page.keyboard.type(text)
    page.locator("[role=option]", has_text=text).first.click()
    settle(page)


def set_date(page: Any, key: str, day: str) -> None:
    """Type a date (YYYY-MM-DD) into the date input of widget ``key``: its year, month and day fields in turn."""
    page.locator(f".st-key-{key} [data-type=year]").click()
    page.keyboard.type(day.replace("-", ""))
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")  # the calendar opened by typing
    settle(page)
    assert page.locator(f".st-key-{key} input[type=date]").input_value() == day


# --------------------------------------------------------------------------- overview and map
def test_overview_opens_on_guangxi(page: Any) -> None:
    open_page(page)
    shot(page, "01_overview.png")
    shown = dict(metrics(page))
    assert shown["计入目标的乡镇（街道）"] == "1,253"
    assert shown["有社工站的乡镇（街道）"] == "375"
    assert shown["覆盖率"] == "29.9%"
    assert shown["还需建站"] == f"{COUNTED - COVERED:,}"  # every target date has passed: 100 % is next
    assert "广西壮族自治区" in page.get_by_role("heading", level=1).first.inner_text()
    assert page.outside == []


def test_map_draws_townships_stations_and_sites_from_local_assets(page: Any) -> None:
    open_page(page, "map")
    frame = map_frame(page)
    shot(page, "02_map.png")
    assert kinds(frame) == {"covered": COVERED, "uncovered": COUNTED - COVERED, "other": 1284 - COUNTED}
    props = feature_properties(frame)
    assert sum("township_code" in p for p in props) == COVERED  # one dot per open station
    assert sorted(p["rank"] for p in props if "rank" in p) == list(range(1, 21))  # the 20 priority sites
    legend = frame.locator(".coverage-legend").inner_text()
    assert "有社工站" in legend and "无社工站" in legend and "优先选址" in legend
    assert page.outside == []


_CIRCLES_JS = "() => { const r = []; window.map.eachLayer(l => { if (l instanceof L.Circle) r.push(l.getRadius()); }); return r; }"


def test_gaps_radius_slider_redraws_the_circles_not_the_map(page: Any) -> None:
    open_page(page, "gaps")
    frame = map_frame(page)
    title = page.get_by_role("heading", level=1).first
    assert "10 公里" in title.inner_text()
    assert frame.evaluate(_CIRCLES_JS) == [10_000] * COVERED
    within_10 = float(dict(metrics(page))["半径内面积占比"].rstrip("%"))
    frame.evaluate("() => { window.__same_map = true; }")
    slider = page.locator("[data-testid=stSidebar] [data-testid=stSlider] input[type=range]").first
    slider.focus()
    for _ in range(10):
        page.keyboard.press("ArrowRight")
    page.get_by_text("半径 20 公里").first.wait_for(timeout=60_000)
    settle(page, 1500)
    frame.wait_for_function(
        "() => { const l = Object.values(window.map._layers); return l.some(x => x instanceof L.Circle && x.getRadius() === 20000); }"
    )
    shot(page, "03_gaps_20km.png")
    assert frame.evaluate(_CIRCLES_JS) == [20_000] * COVERED  # the 10 km circles are gone
    assert frame.evaluate("() => window.__same_map === true")  # the layers were swapped in the same map
    assert float(dict(metrics(page))["半径内面积占比"].rstrip("%")) > within_10
    assert page.outside == []


_RADII_JS = "() => { const r = new Set(); window.map.eachLayer(l => { if (l instanceof L.Circle) r.add(l.getRadius()); }); return [...r]; }"
#: Fill opacities of the features of a kind drawn on the map (``gap_id`` for gaps, ``isochrone`` for isochrones).
_FILLS_JS = """(prop) => { const o = new Set(); window.map.eachLayer(l => {
    if (l.feature && l.feature.properties[prop] !== undefined) o.add(l.options.fillOpacity); }); return [...o]; }"""
_NOTE_JS = "() => { const n = document.getElementById('radius-follow-note'); return n && n.style.display !== 'none' ? n.textContent : ''; }"


def thumb_of(page: Any, key: str) -> tuple[float, float]:
    """The centre (x, y) of the thumb of slider ``key`` (scrolled into view), to drag it with the mouse."""
    thumb = page.locator(f".st-key-{key} [data-testid=stSliderThumbValue]").locator("xpath=..")
    thumb.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    box = thumb.bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def slider_value(page: Any, key: str) -> str:
    return page.locator(f".st-key-{key} input[type=range]").input_value()


def test_gaps_circles_follow_the_thumb_while_it_is_dragged(page: Any) -> None:
    open_page(page, "gaps")
    frame = map_frame(page)
    frame.wait_for_function("() => window.__radiusFollow !== undefined")
    frame.evaluate("() => { window.__same_map = true; }")
    x, y = thumb_of(page, "radius_km")
    page.mouse.move(x, y)
    page.mouse.down()
    seen = []
    for step in range(1, 7):  # ~5 px a step on the 1-50 km track: about 1-2 km a step
        page.mouse.move(x + 5 * step, y)
        km = int(slider_value(page, "radius_km"))
        # every circle takes the radius under the thumb while the button is still down (nothing sent yet)
        frame.wait_for_function(
            "(m) => { let all = true, any = false; window.map.eachLayer(l => { if (l instanceof L.Circle) {"
            " any = true; all = all && l.getRadius() === m; } }); return any && all; }",
            arg=km * 1000,
            polling="raf",
        )
        seen.append(km)
    assert seen[-1] > 10 and seen == sorted(seen)
    shot(page, "03a_gaps_dragging.png")
    assert frame.evaluate(_RADII_JS) == [seen[-1] * 1000]
    assert f"半径 {seen[-1]} 公里" in frame.evaluate(_NOTE_JS)  # the map says the gaps wait for the release
    assert frame.evaluate(_FILLS_JS, "gap_id") == [0.08]  # the 10 km gaps fade: they are not the thumb's
    assert "10 公里" in page.get_by_role("heading", level=1).first.inner_text()  # the figures: on release
    page.mouse.up()
    page.get_by_role("heading", level=1).filter(has_text=f"半径 {seen[-1]} 公里").wait_for(timeout=60_000)
    settle(page, 1500)
    shot(page, "03b_gaps_released.png")
    assert frame.evaluate(_RADII_JS) == [seen[-1] * 1000]
    assert frame.evaluate(_NOTE_JS) == ""
    assert frame.evaluate(_FILLS_JS, "gap_id") == [0.35]  # the gaps of the new radius, drawn in full
    assert frame.evaluate("() => window.__same_map === true")  # all in the map first drawn
    assert page.outside == []


@pytest.fixture
def roads_server(monkeypatch: Any, tmp_path: Path) -> Iterator[str]:
    """The app with the synthetic Guangxi roads built (tests/data/roads_guangxi.osm.pbf) in a folder of its own."""
    from coverage.analysis.roads import ROADS_DIR_ENV, build_roads

    build_roads(Path(__file__).parent / "data" / "roads_guangxi.osm.pbf", "45", out_dir=tmp_path)
    monkeypatch.setenv(ROADS_DIR_ENV, str(tmp_path))
    with app_server("streamlit_roads.log") as url:
        yield url


def test_gaps_by_road_draw_the_isochrone_and_the_legend_names_the_model(roads_server: str, browser: Any) -> None:
    page = new_page(browser, roads_server)
    try:
        open_page(page, "gaps")
        choose(page, "city", "南宁市")
        page.locator(".st-key-radius_unit label", has_text="分钟车程").click()
        page.get_by_role("heading", level=1).filter(has_text="30 分钟道路车程").wait_for(timeout=120_000)
        settle(page)
        # another legend is another map: the frame is replaced (the old one may still be there a moment)
        legend = page.frame_locator("iframe[title*='st_folium']").first.locator(".coverage-legend")
        legend.filter(has_text="等时圈").wait_for(timeout=60_000)
        frame = map_frame(page)
        frame.wait_for_function("() => window.__radiusFollow && window.__radiusFollow.drawn === '30'")
        names = frame.evaluate(
            "() => { const n = new Set(); window.map.eachLayer(l => { if (l.feature && l.feature.properties.isochrone)"
            " n.add(l.feature.properties.isochrone); }); return [...n]; }"
        )
        assert names == ["30 分钟道路车程范围（roads_guangxi.osm.pbf）"]
        assert frame.evaluate(_RADII_JS) == []  # by road, no circles
        legend = frame.locator(".coverage-legend").inner_text()
        assert "道路车程范围（等时圈）" in legend and "车程：道路（pandana，roads_guangxi.osm.pbf）" in legend
        shot(page, "03c_gaps_road_30min.png")
        # dragging: no circle to follow, the isochrone of 30 min fades until the release
        x, y = thumb_of(page, "radius_min")
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x + 40, y)
        minutes = int(slider_value(page, "radius_min"))
        assert minutes > 30
        frame.wait_for_function(f"() => ({_FILLS_JS})('isochrone').join() === '0.08'", polling="raf")
        assert frame.evaluate(_FILLS_JS, "isochrone") == [0.08]
        page.mouse.up()
        page.get_by_role("heading", level=1).filter(has_text=f"{minutes} 分钟道路车程").wait_for(timeout=120_000)
        settle(page, 1500)
        names = frame.evaluate(
            "() => { const n = new Set(); window.map.eachLayer(l => { if (l.feature && l.feature.properties.isochrone)"
            " n.add(l.feature.properties.isochrone); }); return [...n]; }"
        )
        assert names == [f"{minutes} 分钟道路车程范围（roads_guangxi.osm.pbf）"]
        assert frame.evaluate(_FILLS_JS, "isochrone") == [0.12]
        shot(page, f"03d_gaps_road_{minutes}min.png")
        assert page.outside == []
    finally:
        page.context.close()


# --------------------------------------------------------------------------- plan
def test_plan_page_runs_the_rollout(page: Any) -> None:
    """From 375 stations at the end of 2021: 60 % of 1,253 needs 752 by 2022 (377 new), 100 % by 2023 (501 more)."""
    open_page(page, "plan")
    page.get_by_role("button", name="运行").click()
    page.get_by_text("HiGHS").first.wait_for(timeout=180_000)
    settle(page, 1500)
    shot(page, "04_plan.png")
    years = [p.inner_text() for p in page.locator("[data-testid=stMarkdownContainer] p").all()]
    years = [y for y in years if re.match(r"\d{4}-\d\d-\d\d：目标", y)]
    assert [y.split("，建成后")[0] for y in years] == [
        "2022-12-31：目标 60%，累计需 752 个；新建 377 个",
        "2023-12-31：目标 100%，累计需 1253 个；新建 501 个",
    ]
    assert "建成后覆盖率 100.0%" in years[1]
    table = grid(page, "需求得分")
    assert table["n_rows"] == COUNTED - COVERED  # every township without a station, once
    assert {r["年度"] for r in records(table)} <= {"2022", "2023"}
    # the plan's map: one layer of sites per year
    sites = [p for p in feature_properties(map_frame(page, 0)) if "rank" in p]
    shot(page, "04a_plan_map.png")
    assert Counter(p["year"] for p in sites) == {2022: 377, 2023: 501}
    assert len({p["code"] for p in sites}) == COUNTED - COVERED
    assert page.outside == []


#: A township without a station near the middle of the map, and a point well inside it (5.4 km from
#: its border): 林圩镇, 马山县.  Checked against the data by the test before it is clicked.
LINXU = ("450124102", "林圩镇", 108.32752, 23.78940)

#: The township's feature on the map, the point's position in the map (pixels, at run time) and whether
#: Leaflet's own canvas hit test (``_containsPoint``) puts the point inside the drawn polygon.
_FEATURE_JS = """([code, lon, lat]) => {
    const m = window.map; let hit = null;
    m.eachLayer(l => { if (l.feature && l.feature.properties.code === code) hit = l; });
    if (hit === null) return null;
    const at = L.latLng(lat, lon), p = m.latLngToContainerPoint(at), size = m.getSize();
    return {kind: hit.feature.properties.kind, x: p.x, y: p.y, w: size.x, h: size.y,
            inside: hit._containsPoint(m.latLngToLayerPoint(at))};
}"""


def test_click_a_township_on_the_what_if_map_to_toggle_it(page: Any, guangxi: Any, guangxi_stations: Any) -> None:
    """Clicking 林圩镇 (no station) adds it to scenario A: 376 of 1,253 = 30.0 %; scenario B stays at 375."""
    import shapely

    from coverage.analysis.admin import covered_codes

    code, name, lon, lat = LINXU
    town = guangxi.townships.set_index("code").loc[code]
    assert town["name"] == name and bool(town["counted"]) and town.geometry.contains(shapely.Point(lon, lat))
    assert code not in covered_codes(guangxi_stations, "2021-12-31")  # the what-if starts from the plan date
    open_page(page, "plan")
    frame = map_frame(page, -1)  # the what-if map (the only one before a plan is run)
    before = frame.evaluate(_FEATURE_JS, [code, lon, lat])
    assert before is not None and before["kind"] == "uncovered" and before["inside"]
    assert 0 < before["x"] < before["w"] and 0 < before["y"] < before["h"]
    frame.locator(".leaflet-container").click(position={"x": before["x"], "y": before["y"]})
    page.get_by_text(f"已切换：{name}").first.wait_for(timeout=60_000)
    settle(page, 1500)
    shot(page, "04b_plan_whatif_click.png", at=page.get_by_text("两个方案对比"))
    rates = [v for k, v in metrics(page) if k == "覆盖率"]
    assert rates == [f"{(COVERED + 1) / COUNTED:.1%}", f"{COVERED / COUNTED:.1%}"] == ["30.0%", "29.9%"]
    compare = {r[""]: (r["方案 A"], r["方案 B"]) for r in records(grid(page, "方案 A"))}
    assert compare["新增站"] == ("1", "0") and compare["撤销站"] == ("0", "0")
    assert compare["有站乡镇"] == ("376", "375")
    after = map_frame(page, -1)
    assert after.evaluate(_FEATURE_JS, [code, lon, lat])["kind"] == "covered"
    assert kinds(after) == {"covered": COVERED + 1, "uncovered": COUNTED - COVERED - 1, "other": 1284 - COUNTED}
    assert page.outside == []


# --------------------------------------------------------------------------- trips
TRIP = ["兴宁区朝阳街道", "武鸣区城厢镇", "宾阳县宾州镇"]


def test_trip_of_three_stations_in_two_days(page: Any) -> None:
    """From 南宁 with two visits a day: 朝阳街道 (in the city) and 城厢镇 (40 km north) on day 1,
    a night in 宾阳县 (the county of day 2's station), 宾州镇 on day 2 and back to 南宁."""
    from coverage.field.trips import capital, stations_by_name

    stations = stations_by_name(TRIP, "45")
    open_page(page, "trips")
    page.locator(".st-key-trip_mode label", has_text="输入名称").click()
    names = page.locator(".st-key-trip_names textarea")
    names.wait_for(timeout=60_000)
    names.fill("，".join(TRIP))
    names.press("Tab")
    page.get_by_text("已选 3 个社工站。").first.wait_for(timeout=60_000)
    days = page.locator(".st-key-trip_days input")
    days.fill("2")
    days.press("Tab")
    settle(page)
    page.locator(".st-key-trip_run button").click()
    # 2 days is also the visit cap's figure (3 stations, 2 a day), so the page plans the fewest that
    # fit and says so: 2
    answer = page.get_by_text("全部 3 个站最少需要 2 个工作日").first
    answer.wait_for(timeout=120_000)
    settle(page, 1500)
    shot(page, "05_trips.png", at=answer)

    table = records(grid(page, "住宿"))
    assert [(r["天"], r["走访"], r["住宿"]) for r in table] == [
        ("1", "南宁市兴宁区朝阳街道、南宁市武鸣区城厢镇", "宾阳县"),
        ("2", "南宁市宾阳县宾州镇", "南宁市"),
    ]
    assert [r["日期"][-2:] for r in table] == ["周一", "周二"] and "overnight_code" not in table[0]

    def minutes(hmm: str) -> int:
        h, m = hmm.split(":")
        return 60 * int(h) + int(m)

    total = minutes(dict(metrics(page))["总车程"])
    assert abs(sum(minutes(r["车程（时:分）"]) for r in table) - total) <= 1  # h:mm, rounded per day
    assert all(re.fullmatch(r"\d+", r["里程（km）"]) for r in table)

    # the route on the map: one line per leg, each day in its own colour, a dot at each stop
    trip_map = map_frame(page, 0)
    shot(page, "05b_trips_map.png")
    route = trip_map.evaluate("""() => { const lines = [], stops = [];
        window.map.eachLayer(l => {
            if (l.feature || l instanceof L.Polygon) return;  // county borders
            if (l instanceof L.Polyline) lines.push({colour: l.options.color, at: l.getLatLngs().map(p => [p.lng, p.lat])});
            else if (l instanceof L.CircleMarker) stops.push({colour: l.options.color, label: l.getTooltip().getContent(), at: [l.getLatLng().lng, l.getLatLng().lat]});
        });
        return {lines, stops}; }""")
    stops = sorted(route["stops"], key=lambda s: text_of(s["label"]))
    assert [text_of(s["label"]) for s in stops] == [
        "第 1 天: 南宁市兴宁区朝阳街道",
        "第 1 天: 南宁市武鸣区城厢镇",
        "第 1 天: 宾阳县",
        "第 2 天: 南宁市",
        "第 2 天: 南宁市宾阳县宾州镇",
    ]
    dots = {text_of(s["label"]).split(": ")[1]: s["at"] for s in stops}
    for name, lon, lat in stations[["name", "lon", "lat"]].itertuples(index=False):
        assert dots[name] == pytest.approx([lon, lat], abs=1e-5)  # each station's dot where the station is
    lines = route["lines"]
    assert len(lines) == 5
    base = capital("45")
    starts = [tuple(line["at"][0]) for line in lines]
    ends = [tuple(line["at"][1]) for line in lines]
    assert (base.lon, base.lat) == pytest.approx(starts[0], abs=1e-5)  # leaves 南宁 …
    assert (base.lon, base.lat) == pytest.approx(ends[-1], abs=1e-5)  # … and comes back
    assert all(a == pytest.approx(b) for a, b in zip(ends[:-1], starts[1:], strict=True))  # one unbroken route
    assert {s["at"][0] for s in stops} == {e[0] for e in ends}  # a dot where every leg ends
    colours = [line["colour"] for line in lines]
    assert colours[:3] == [colours[0]] * 3 and colours[3:] == [colours[3]] * 2 and colours[0] != colours[3]
    assert page.outside == []


# --------------------------------------------------------------------------- data
def upload_bad_list(page: Any, tmp_path: Path) -> None:
    """Upload a GBK station list of five rows, one of each status, as a what-if."""
    bad = tmp_path / "坏名单.csv"
    bad.write_bytes(BAD_STATIONS.encode("gbk"))
    open_page(page, "data")
    data_section(page, "试算名单（上传）")
    page.locator("[data-testid=stFileUploaderDropzoneInput]").first.set_input_files(str(bad))
    page.get_by_text("逐行导入报告").first.wait_for(timeout=60_000)
    settle(page, 1500)


def test_bad_station_file_gets_a_report(page: Any, tmp_path: Path) -> None:
    upload_bad_list(page, tmp_path)
    shot(page, "06_data_report.png")
    assert (
        page.get_by_text("共 5 行").first.inner_text().startswith("共 5 行：匹配 1，修正 1，待定 1，未匹配 1，拒绝 1")
    )
    report = grid(page, "说明")
    assert report["n_rows"] == 5
    by_row = {r["行号"]: r for r in records(report)}
    assert [by_row[str(n)]["状态"] for n in range(2, 7)] == ["待定", "未匹配", "已修正", "拒绝", "匹配"]
    assert by_row["5"]["说明"].startswith("不在中国境内（经度 151.2，纬度 -33.9）")
    assert by_row["6"]["乡镇代码"] == "450102002"  # 南宁市兴宁区朝阳街道
    assert page.get_by_text("处理待定行").first.is_visible()
    assert page.outside == []


def test_resolve_the_ambiguous_row_and_use_the_list(page: Any, tmp_path: Path) -> None:
    """Row 2 (城东街道: one in 贺州市, one in 崇左市) resolved in the UI; the list of 3 then counts on every page."""
    upload_bad_list(page, tmp_path)
    page.locator("[data-testid=stSelectbox]", has_text="第 2 行").first.click()
    page.locator("[role=option]").nth(1).click()  # the first candidate (option 0 is "skip")
    page.get_by_role("button", name="应用选择").click()
    page.get_by_text("待定 0").first.wait_for(timeout=60_000)
    assert (
        page.get_by_text("共 5 行").first.inner_text().startswith("共 5 行：匹配 1，修正 2，待定 0，未匹配 1，拒绝 1")
    )
    page.get_by_role("button", name="作为试算名单在所有页面使用（仅本次会话）").click()
    page.get_by_text("本次上传的名单（3 个站）").first.wait_for(timeout=60_000)
    settle(page)
    shot(page, "06b_data_resolved.png")
    go(page, "总览")
    shot(page, "06c_overview_uploaded.png")
    shown = dict(metrics(page))
    assert (shown["有社工站的乡镇（街道）"], shown["覆盖率"]) == ("3", f"{3 / COUNTED:.1%}")  # 0.2%
    # a what-if, said above the page; the way back to the registry is beside it
    assert page.get_by_text("试算模式：各页面正在使用本次上传的名单“坏名单.csv”（3 个站）").first.is_visible()
    page.get_by_role("button", name="回到登记库").click()
    page.get_by_text("试算模式").first.wait_for(state="detached", timeout=60_000)
    settle(page)
    assert dict(metrics(page))["有社工站的乡镇（街道）"] == "375"
    go(page, "数据")
    data_section(page, "试算名单（上传）")
    assert page.get_by_text("当前使用：登记库（375 个开站时段）").first.is_visible()
    assert page.outside == []


# --------------------------------------------------------------------------- exports and language
def test_download_the_report_for_officials(page: Any) -> None:
    from openpyxl import load_workbook

    open_page(page, "exports")
    with page.expect_download(timeout=180_000) as download:
        page.locator(".st-key-export_report button").click()
    path = ARTIFACTS / download.value.suggested_filename
    download.value.save_as(path)
    shot(page, "07_exports.png")
    assert path.suffix == ".xlsx" and "广西壮族自治区" in path.name
    book = load_workbook(path)
    assert book.sheetnames == ["概况", "地图", "各市县", "滞后县", "推进计划"]
    summary = {row[0]: row[1] for row in book["概况"].iter_rows(min_row=4, max_row=12, max_col=2, values_only=True)}
    assert (summary["纳入统计的乡镇（街道）数"], summary["已建社工站的乡镇（街道）数"]) == (COUNTED, COVERED)
    assert page.outside == []


def test_switch_to_english(page: Any) -> None:
    open_page(page)
    page.locator("[data-testid=stSidebar] label", has_text="English").first.click()
    page.get_by_text("Townships counted").first.wait_for(timeout=60_000)
    settle(page)
    shot(page, "08_overview_en.png")
    shown = dict(metrics(page))
    assert (shown["Townships counted"], shown["Coverage rate"]) == ("1,253", "29.9%")
    assert [a.inner_text() for a in page.locator("[data-testid=stSidebarNav] a").all()][:2] == ["Overview", "Map"]
    go(page, "Map")
    frame = map_frame(page)
    shot(page, "09_map_en.png")
    legend = frame.locator(".coverage-legend").inner_text()
    assert "Has a station" in legend and "No station" in legend
    assert not re.search(r"[\u4e00-\u9fff]", legend)
    assert page.outside == []


# --------------------------------------------------------------------------- the station registry (issue 13)
@pytest.fixture
def registry_server(monkeypatch: Any, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """The app on a registry of its own (a fresh SQLite file, created and seeded on first use): (URL, database)."""
    database = f"sqlite:///{tmp_path / 'registry.sqlite'}"
    monkeypatch.setenv("COVERAGE_DB", database)
    with app_server("streamlit_registry.log") as url:
        yield url, database


def status_json(database: str, *argv: str) -> dict:
    """``python -m coverage status --db <database> --as-of 2024-11-30 --json`` as a user runs it."""
    import json
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-m", "coverage", "status", "--db", database, "--as-of", "2024-11-30", "--json", *argv],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def submit_ledger(page: Any, path: Path, county: str) -> None:
    """Submit a November ledger on the Data page's ledger section."""
    page.locator(".st-key-ledger_file [data-testid=stFileUploaderDropzoneInput]").set_input_files(str(path))
    settle(page)
    month = page.locator(".st-key-ledger_month_in input")
    month.fill("2024-11")
    month.press("Enter")
    settle(page)
    choose(page, "ledger_unit", county)
    page.locator(".st-key-ledger_submit button").click()
    page.get_by_text(f"已收到{county} 2024-11 的台账").first.wait_for(timeout=60_000)
    settle(page)


def test_an_edit_outlives_the_browser_and_an_accepted_ledger_moves_the_rate(
    registry_server: tuple[str, str], browser: Any, tmp_path: Path
) -> None:
    """Issue 13, done when: a planner edits a station, closes the browser, opens it again and sees the edit;
    two counties submit November ledgers, one is accepted: the Overview shows the other as pending and the
    rate moves by exactly the accepted stations; the command line gives the same figures."""
    server, database = registry_server
    page = new_page(browser, server)
    open_page(page, "data")
    choose(page, "edit_station", "GX-DEMO-0115")
    form = "[class*='st-key-ef-GX-DEMO-0115-'][class*='-{}'] input"
    page.locator(form.format("social_workers")).fill("4")
    page.locator(form.format("certified_workers")).fill("1")
    page.locator(form.format("contact")).fill("李四 0771-1234567")
    page.locator(".st-key-edit_save button").click()
    page.get_by_text("已保存 武鸣区城厢镇社工站：社工人数、持证社工人数、联系人").first.wait_for(timeout=60_000)
    settle(page)
    shot(page, "10_registry_edit.png", at=page.locator(".st-key-edit_save"))
    assert page.outside == []
    page.context.close()  # the browser is closed ...

    page = new_page(browser, server)  # ... and opened again: a new session
    open_page(page, "data")
    search = page.locator(".st-key-reg_search input")
    search.fill("GX-DEMO-0115")
    search.press("Enter")
    settle(page)
    shot(page, "10b_registry_reopened.png")
    (row,) = records(grid(page, "站点编号"))  # the columns in view: the staff figures
    assert (row["站点编号"], row["社工"], row["持证社工"]) == ("GX-DEMO-0115", "4", "1")
    choose(page, "edit_station", "GX-DEMO-0115")  # and the form loads the edit
    assert page.locator(form.format("contact")).input_value() == "李四 0771-1234567"
    assert page.locator(form.format("social_workers")).input_value() == "4"

    # two counties submit their November ledgers; the reviewer accepts 武鸣区's
    go(page, "总览")
    set_date(page, "as_of", "2024-11-30")
    assert dict(metrics(page))["有社工站的乡镇（街道）"] == "375"
    go(page, "数据")
    data_section(page, "月度台账")
    for name, rows, county in (
        ("武鸣区2024年11月台账.csv", NOVEMBER_WUMING, "武鸣区"),
        ("青秀区2024年11月台账.csv", NOVEMBER_QINGXIU, "青秀区"),
    ):
        path = tmp_path / name
        path.write_bytes(ledger_csv(rows))
        submit_ledger(page, path, county)
    choose(page, "review_submission", "#1 武鸣区")
    findings = records(grid(page, "条目"))
    assert [f["类型"] for f in findings] == ["人员变动、服务量变动", "人员变动、服务量变动", "新增", "新增"]
    # compared with the registry on 30 November 2024: today's edit (valid from today) is not the state then
    assert (
        findings[0]["说明"] == "社工人数 — → 3，持证社工人数 — → 1；服务户数 — → 120，服务人数 — → 300，个案数 — → 10"
    )
    page.locator(".st-key-accept_all button").click()
    page.get_by_text("已采纳 4 条，退回 0 条。").first.wait_for(timeout=60_000)
    settle(page)
    shot(page, "11_ledger_accepted.png", at=page.get_by_text("比对结果").first)

    go(page, "总览")
    page.locator("[data-testid=stMetricLabel]", has_text="待审核").first.wait_for(timeout=120_000)
    settle(page)
    shown = dict(metrics(page))
    assert (shown["有社工站的乡镇（街道）"], shown["覆盖率"]) == ("377", f"{377 / COUNTED:.1%}")  # + the 2 accepted
    shot(page, "11b_overview_after_accept.png")
    assert shown["待审核"] == "1", shown
    page.get_by_text("各县报送情况（2024-11，111 个县）").first.click()
    settle(page)
    table = grid(page, "报送情况")
    shot(page, "12_overview_ledgers.png", at=page.get_by_text("月度台账报送情况").first)
    first = [(r["名称"], r["报送情况"], r["审核"]) for r in records(table)[:3]]
    # the pending review first, then the accepted one, then the counties that have not reported
    assert first == [("青秀区", "逾期报送", "待审核"), ("武鸣区", "逾期报送", "已采纳"), ("兴宁区", "未报送", "—")]

    # the command line reads the same registry: the same figures
    now = status_json(database)
    assert (f"{now['counted']:,}", f"{now['covered']:,}", f"{now['rate']:.1%}") == (
        shown["计入目标的乡镇（街道）"],
        shown["有社工站的乡镇（街道）"],
        shown["覆盖率"],
    )
    # as known on 5 December 2024: this registry was created today, so it knew of no station then
    then = status_json(database, "--known-on", "2024-12-05")
    set_date(page, "known_on", "2024-12-05")
    shot(page, "12b_overview_known_on.png")
    assert dict(metrics(page))["有社工站的乡镇（街道）"] == f"{then['covered']:,}" == "0"
    assert page.outside == []
    page.context.close()


def test_add_a_station_by_clicking_the_map(registry_server: tuple[str, str], browser: Any) -> None:
    """A click inside 林圩镇 (马山县, no station) prefills the add form; the station counts at once."""
    server, _ = registry_server
    code, name, lon, lat = LINXU
    page = new_page(browser, server)
    open_page(page, "data")
    page.locator(".st-key-station_action label", has_text="在地图上新增站点").first.click()
    settle(page)
    frame = map_frame(page, -1)
    at = frame.evaluate(_FEATURE_JS, [code, lon, lat])
    assert at is not None and at["kind"] == "uncovered" and at["inside"]
    frame.locator(".leaflet-container").click(position={"x": at["x"], "y": at["y"]})
    page.get_by_text("新站点位于").first.wait_for(timeout=60_000)
    settle(page)
    assert f"新站点位于 马山县{name}（{code}）" in page.get_by_text("新站点位于").first.inner_text()
    assert page.locator(".st-key-add_save button").is_visible()
    page.locator(".st-key-add_save button").click()
    page.get_by_text(f"已新增 马山县{name}社工站（{code}-1，{name}）。").first.wait_for(timeout=60_000)
    settle(page)
    shot(page, "13_registry_added.png")
    go(page, "总览")
    page.locator("[data-testid=stMetricLabel]", has_text="有社工站的乡镇（街道）").first.wait_for(timeout=120_000)
    assert dict(metrics(page))["有社工站的乡镇（街道）"] == f"{COVERED + 1}"
    assert page.outside == []
    page.context.close()


# --------------------------------------------------------------------------- accounts (issue 14)
def log_in(page: Any, username: str, password: str) -> None:
    """Fill the login page and wait for the app behind it."""
    page.locator(".st-key-login_user input").fill(username)
    page.locator(".st-key-login_password input").fill(password)
    page.locator(".st-key-login_submit button").click()
    page.locator(".st-key-logout").wait_for(timeout=60_000)
    settle(page)


def test_log_in_edit_log_out_and_the_edit_controls_are_gone(registry_server: tuple[str, str], browser: Any) -> None:
    """Issue 14: the 横州市 editor (scope given as 450127, 横县's former code) logs in, edits one of her
    stations, logs out; the Data page's edit controls are then out of reach - the login page comes instead."""
    from coverage.registry import accounts
    from coverage.registry.store import open_registry

    server, database = registry_server
    reg = open_registry(database)
    admin = accounts.add_user(reg, "admin", "correct-horse-1", "admin", "45", display_name="自治区民政厅")
    accounts.add_user(reg, "hz", "correct-horse-1", "editor", "450127", display_name="横州市民政局", by=admin)

    page = new_page(browser, server)
    open_page(page, "data")
    assert page.get_by_role("heading", level=1).first.inner_text() == "登录"
    assert page.locator(".st-key-edit_station").count() == 0
    log_in(page, "hz", "correct-horse-1")
    account = page.locator(".st-key-account").inner_text()
    assert "横州市民政局" in account and "角色：编辑 · 范围：横州市（450181）" in account
    go(page, "数据")
    choose(page, "edit_station", "GX-DEMO-0119")
    form = "[class*='st-key-ef-GX-DEMO-0119-'][class*='-{}'] input"
    page.locator(form.format("social_workers")).fill("3")
    page.locator(".st-key-edit_save button").click()
    page.get_by_text("已保存 横州市横州镇社工站：社工人数").first.wait_for(timeout=60_000)
    settle(page)
    shot(page, "14_logged_in_edit.png", at=page.get_by_text("已保存 横州市横州镇社工站").first)
    head = reg.head("GX-DEMO-0119")
    assert (head["social_workers"], head["recorded_by"]) == (3, "横州市民政局 (hz)")

    page.locator(".st-key-logout button").click()
    page.get_by_text("已退出登录。").first.wait_for(timeout=60_000)
    settle(page)
    assert page.get_by_role("heading", level=1).first.inner_text() == "登录"
    assert page.locator(".st-key-edit_station, .st-key-edit_save, .st-key-logout").count() == 0
    open_page(page, "data")  # the Data page by its address: the login page again
    assert page.get_by_role("heading", level=1).first.inner_text() == "登录"
    assert page.locator(".st-key-edit_station, .st-key-edit_save, [data-testid=stSidebarNav]").count() == 0
    shot(page, "14b_logged_out.png")

    log_in(page, "admin", "correct-horse-1")  # the province's admin reads who did what on the audit page
    go(page, "审计记录")
    steps = [(r["操作人"], r["操作"], r["结果"], r["站点编号"]) for r in records(grid(page, "操作人"))]
    assert steps[:3] == [  # the newest first
        ("自治区民政厅 (admin)", "登录", "成功", ""),
        ("横州市民政局 (hz)", "编辑站点", "成功", "GX-DEMO-0119"),
        ("横州市民政局 (hz)", "登录", "成功", ""),
    ]
    # Guangxi's 375 seeded stations, 2 accounts, 2 logins and the edit; not the Guangdong rows (not his scope)
    assert page.get_by_text("共 380 条记录").count() == 1
    shot(page, "14c_audit.png")
    assert page.outside == []
    page.context.close()
