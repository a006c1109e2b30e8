"""The app in a real headless Chromium: the map draws, from local assets only.

Needs Debian's ``chromium`` at /usr/bin/chromium.  Skipped when it is missing,
unless ``COVERAGE_REQUIRE_BROWSER=1`` (set by .ci/run), which makes it fail.
Screenshots go to ``tests/artifacts/``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(__file__).parent / "artifacts"

pytestmark = pytest.mark.browser

if not CHROMIUM.exists():
    if os.environ.get("COVERAGE_REQUIRE_BROWSER") == "1":
        raise RuntimeError("COVERAGE_REQUIRE_BROWSER=1 but /usr/bin/chromium is missing: apt-get install chromium")
    pytest.skip("Debian chromium not installed (apt-get install chromium)", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    port = _free_port()
    log = open(ARTIFACTS.mkdir(exist_ok=True) or ARTIFACTS / "streamlit.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.headless", "true"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://localhost:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
            break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("streamlit did not start; see tests/artifacts/streamlit.log")
    yield url
    proc.terminate()
    proc.wait(timeout=20)
    log.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"],
        )
        yield b
        b.close()


def test_map_draws_from_local_assets_and_switches_province(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith((server, "data:", "blob:", "about:")) else None)
    page.goto(server)
    frame = page.frame_locator("iframe[title*='st_folium']").first
    frame.locator(".leaflet-overlay-pane canvas").first.wait_for(timeout=90_000)
    frame.locator(".leaflet-control-zoom-in").wait_for(timeout=10_000)
    page.wait_for_timeout(1500)
    page.screenshot(path=str(ARTIFACTS / "map_guangxi.png"), full_page=True)
    assert page.get_by_text("29.9%").is_visible()
    assert frame.get_by_text("有社工站").first.is_visible()  # the legend
    assert outside == []

    page.locator("[data-testid=stSelectbox]").first.click()
    page.keyboard.type("广东")
    page.get_by_role("option", name="广东省 (44)").click()
    page.get_by_text("1,610").wait_for(timeout=60_000)
    frame = page.frame_locator("iframe[title*='st_folium']").first
    frame.locator(".leaflet-overlay-pane canvas").first.wait_for(timeout=90_000)
    page.wait_for_timeout(1500)
    page.screenshot(path=str(ARTIFACTS / "map_guangdong.png"), full_page=True)
    assert outside == []
