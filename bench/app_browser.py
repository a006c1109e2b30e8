"""Speed of the app in a real browser (Debian Chromium, headless), against a baseline app.

Targets (issue 5, on the embedded default Guangxi, warm cache: the app's caches and the
browser's HTTP cache both warm):
first interactive map <= 3 s after the page is requested; radius slider ->
updated map <= 1 s; switching pages <= 1 s.

Baseline: ``bench/baseline_app.py`` - the same data drawn the straightforward
way (unsimplified polygons, SVG, one folium object per circle, the whole map
rebuilt on every slider move).  Page switching has no baseline page; it is
compared with the target only.

Run: ``.venv/bin/python bench/app_browser.py`` (prints one line per measure).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from _timing import ROOT, report

sys.path.insert(0, str(ROOT / "tests"))
from streamlit_server import streamlit_server  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
REPEAT = 3


def serve(script: str):
    return streamlit_server(script, wait_s=120)  # two servers start side by side on 2 cores


def idle(page) -> None:
    """The script run is over (Streamlit's running indicator is gone)."""
    page.wait_for_timeout(100)
    page.locator("[data-testid=stStatusWidget]").wait_for(state="detached", timeout=300_000)


def map_drawn(page) -> None:
    frame = page.frame_locator("iframe[title*='st_folium']").first
    frame.locator(".leaflet-overlay-pane canvas, .leaflet-overlay-pane svg path").first.wait_for(timeout=300_000)


def first_map(context, url: str) -> float:
    page = context.new_page()
    start = time.perf_counter()
    page.goto(url)
    map_drawn(page)
    seconds = time.perf_counter() - start
    page.close()
    return seconds


def slider_move(context, url: str, label: str) -> list[float]:
    """Seconds from a radius key press to the map showing the new radius (text and map redrawn)."""
    page = context.new_page()
    page.goto(url)
    map_drawn(page)
    idle(page)
    out = []
    slider = page.locator("[data-testid=stSlider] input[type=range]").first
    for km in range(11, 11 + REPEAT):
        slider.focus()
        start = time.perf_counter()
        page.keyboard.press("ArrowRight")
        page.get_by_text(label.format(km)).first.wait_for(timeout=300_000)
        idle(page)
        map_drawn(page)
        out.append(time.perf_counter() - start)
    page.close()
    return out


def page_switch(context, url: str) -> list[float]:
    page = context.new_page()
    page.goto(url)
    map_drawn(page)
    idle(page)
    out = []
    for target, heading in [("总览", "覆盖进度"), ("地图", "社工站地图"), ("总览", "覆盖进度"), ("地图", "社工站地图")]:
        start = time.perf_counter()
        page.locator("[data-testid=stSidebarNav] a", has_text=target).first.click()
        page.get_by_role("heading", level=1).filter(has_text=heading).first.wait_for(timeout=300_000)
        idle(page)
        out.append(time.perf_counter() - start)
    page.close()
    return out


def main() -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p, serve("app.py") as app, serve(str(Path("bench") / "baseline_app.py")) as base:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        # one browser context: its HTTP cache is warm after the first visit, as for a planner
        # who opened the app before (Streamlit's own JS bundle is ~2 MB)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        for url in (f"{app}/map", f"{app}/gaps", base):  # warm the caches
            first_map(context, url)
        ours = statistics.median(first_map(context, f"{app}/map") for _ in range(REPEAT))
        theirs = statistics.median(first_map(context, base) for _ in range(REPEAT))
        report("first interactive map (Map page, warm)", ours, "baseline_app.py", theirs, target=3.0)
        ours = statistics.median(slider_move(context, f"{app}/gaps", "半径 {} 公里"))
        theirs = statistics.median(slider_move(context, base, "radius {} km"))
        report("radius slider -> updated map (Gaps page)", ours, "baseline_app.py full rebuild", theirs, target=1.0)
        switches = page_switch(context, f"{app}/map")
        print(
            f"page switch Overview <-> Map: median {statistics.median(switches):.2f} s, max {max(switches):.2f} s "
            f"(target <= 1 s){'  target met' if statistics.median(switches) <= 1.0 else '  TARGET MISSED'}"
        )
        browser.close()


if __name__ == "__main__":
    main()
