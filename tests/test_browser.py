"""The app in a real headless Chromium: the map draws, from local assets only.

Needs Debian's ``chromium`` at /usr/bin/chromium.  Skipped when it is missing,
unless ``COVERAGE_REQUIRE_BROWSER=1`` (set by .ci/run), which makes it fail.
Screenshots go to ``tests/artifacts/``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from streamlit_server import streamlit_server

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"

pytestmark = pytest.mark.browser

if not CHROMIUM.exists():
    if os.environ.get("COVERAGE_REQUIRE_BROWSER") == "1":
        raise RuntimeError("COVERAGE_REQUIRE_BROWSER=1 but /usr/bin/chromium is missing: apt-get install chromium")
    pytest.skip("Debian chromium not installed (apt-get install chromium)", allow_module_level=True)


@pytest.fixture(scope="module")
def server():
    ARTIFACTS.mkdir(exist_ok=True)
    with open(ARTIFACTS / "streamlit.log", "w") as log:
        try:
            with streamlit_server("app.py", log) as url:
                yield url
        except RuntimeError as exc:
            pytest.fail(f"{exc}; see tests/artifacts/streamlit.log")


@pytest.fixture(scope="module")
def browser():
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


def local_only(page, server):
    """Collect every request that leaves the app's own server."""
    outside = []
    page.on(
        "request",
        lambda r: outside.append(r.url) if not r.url.startswith((server, "data:", "blob:", "about:")) else None,
    )
    return outside


def wait_for_map(page, index=0):
    frame = page.frame_locator("iframe[title*='st_folium']").nth(index)
    frame.locator(".leaflet-overlay-pane canvas").first.wait_for(timeout=90_000)
    frame.locator(".leaflet-control-zoom-in").wait_for(timeout=10_000)
    return frame


def go(page, title):
    page.locator("[data-testid=stSidebarNav] a", has_text=title).first.click()
    page.get_by_role("heading", level=1).first.wait_for(timeout=60_000)


def settle(page, ms=800):
    """Wait until the script has finished running (the status widget is gone)."""
    page.wait_for_timeout(300)
    page.locator("[data-testid=stStatusWidget]").wait_for(state="detached", timeout=180_000)
    page.wait_for_timeout(ms)


@pytest.fixture(scope="module")
def page(server, browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    p = context.new_page()
    p.outside = local_only(p, server)
    p.goto(server)
    p.get_by_text("29.9%").first.wait_for(timeout=120_000)
    yield p
    context.close()


def test_overview_opens_on_guangxi(page):
    settle(page)
    page.screenshot(path=str(ARTIFACTS / "01_overview.png"), full_page=True)
    assert page.get_by_text("1,253").first.is_visible()
    assert page.outside == []


def test_map_draws_from_local_assets(page):
    go(page, "地图")
    frame = wait_for_map(page)
    settle(page, 1500)
    page.screenshot(path=str(ARTIFACTS / "02_map.png"), full_page=True)
    assert frame.get_by_text("有社工站").first.is_visible()  # the legend
    assert page.outside == []


def test_gaps_radius_slider_updates_the_map(page):
    go(page, "服务空白")
    wait_for_map(page)
    settle(page)
    before = page.get_by_role("heading", level=1).first.inner_text()
    slider = page.locator("[data-testid=stSidebar] [data-testid=stSlider] input[type=range]").first
    slider.focus()
    for _ in range(10):
        page.keyboard.press("ArrowRight")
    page.get_by_text("半径 20 公里").first.wait_for(timeout=60_000)
    settle(page, 1500)
    page.screenshot(path=str(ARTIFACTS / "03_gaps_20km.png"), full_page=True)
    assert "10 公里" in before
    assert page.outside == []


def test_plan_page_runs_the_rollout(page):
    go(page, "规划")
    page.get_by_role("button", name="运行").click()
    page.get_by_text("HiGHS").first.wait_for(timeout=120_000)
    settle(page, 1500)
    page.screenshot(path=str(ARTIFACTS / "04_plan.png"), full_page=True)


def test_click_the_what_if_map_to_toggle_a_township(page):
    """Scenario A starts at 29.9 %; a click on a township adds or removes one station."""
    go(page, "规划")
    settle(page)
    maps = page.locator("iframe[title*='st_folium']")
    last = maps.count() - 1  # the what-if map comes after the plan's map (if a plan was run)
    iframe = maps.nth(last)
    iframe.scroll_into_view_if_needed()
    frame = wait_for_map(page, last)
    settle(page)
    box = iframe.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.55, box["y"] + box["height"] * 0.5)
    page.get_by_text("已切换").first.wait_for(timeout=60_000)
    settle(page, 1500)
    rates = [m.inner_text() for m in page.locator("[data-testid=stMetricValue]").all()]
    page.screenshot(path=str(ARTIFACTS / "04b_plan_whatif_click.png"), full_page=True)
    assert frame.locator(".leaflet-control-zoom-in").is_visible()
    assert rates[0] in ("30.0%", "29.8%") and rates[3] == "29.9%", rates  # A changed by one township, B did not


def test_trips_page(page):
    go(page, "督导行程")
    settle(page)
    page.screenshot(path=str(ARTIFACTS / "05_trips.png"), full_page=True)


def test_bad_station_file_gets_a_report(page, tmp_path):
    bad = tmp_path / "坏名单.csv"
    rows = "名称,乡镇,经度,纬度\nA站,城东街道,,\nB站,火星镇,,\nC站,,22.8,108.3\nD站,,151.2,-33.9\nE站,南宁市兴宁区朝阳街道,,\n"
    bad.write_bytes(rows.encode("gbk"))
    go(page, "数据")
    page.locator("[data-testid=stFileUploaderDropzoneInput]").first.set_input_files(str(bad))
    page.get_by_text("逐行导入报告").first.wait_for(timeout=60_000)
    settle(page, 1500)
    page.screenshot(path=str(ARTIFACTS / "06_data_report.png"), full_page=True)
    summary = page.get_by_text("共 5 行").first.inner_text()
    assert "待定 1" in summary and "拒绝 1" in summary and "未匹配 1" in summary
    assert page.get_by_text("处理待定行").first.is_visible()


def test_resolve_the_ambiguous_row_and_use_the_list(page):
    # row 2 ("城东街道") has several candidates: pick the first one in the UI
    page.locator("[data-testid=stSelectbox]", has_text="第 2 行").first.click()
    page.locator("[role=option]").nth(1).click()
    page.get_by_role("button", name="应用选择").click()
    page.get_by_text("待定 0").first.wait_for(timeout=60_000)
    summary = page.get_by_text("共 5 行").first.inner_text()
    assert "未匹配 1" in summary and "拒绝 1" in summary  # the rest stays as it was
    page.get_by_role("button", name="在所有页面使用这份名单").click()
    page.get_by_text("本次上传的名单（3 个站）").first.wait_for(timeout=60_000)
    settle(page, 800)
    page.screenshot(path=str(ARTIFACTS / "06b_data_resolved.png"), full_page=True)
    go(page, "总览")
    settle(page)
    page.screenshot(path=str(ARTIFACTS / "06c_overview_uploaded.png"), full_page=True)
    assert page.get_by_text("0.2%").first.is_visible()  # 3 of 1,253 townships
    go(page, "数据")
    page.get_by_role("button", name="改回内置名单").click()
    page.get_by_text("内置").first.wait_for(timeout=60_000)
    settle(page)


def test_download_the_report_for_officials(page):
    from openpyxl import load_workbook

    go(page, "导出")
    settle(page)
    with page.expect_download(timeout=180_000) as download:
        page.locator("button", has_text=".xlsx").last.click()  # the report for officials
    path = ARTIFACTS / download.value.suggested_filename
    download.value.save_as(path)
    page.screenshot(path=str(ARTIFACTS / "07_exports.png"), full_page=True)
    book = load_workbook(path)
    assert book.sheetnames[0] == "概况"
    assert page.outside == []


def test_switch_to_english(page):
    page.locator("[data-testid=stSidebar] label", has_text="English").first.click()
    page.locator("[data-testid=stSidebarNav] a", has_text="Overview").first.wait_for(timeout=60_000)
    go(page, "Overview")
    page.get_by_text("Townships counted").first.wait_for(timeout=60_000)
    settle(page)
    page.screenshot(path=str(ARTIFACTS / "08_overview_en.png"), full_page=True)
    go(page, "Map")
    wait_for_map(page)
    settle(page, 1500)
    page.screenshot(path=str(ARTIFACTS / "09_map_en.png"), full_page=True)
    assert page.outside == []
