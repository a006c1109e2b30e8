"""The app, page by page, with Streamlit's AppTest (no browser).

Expected numbers are computed from the library on the same data (or are the
published counts: Guangxi 1,253 counted townships, 375 stations by 2021).
The app reads the station registry: the session's own seeded SQLite file
(tests/conftest.py), or, for a test that changes it, a fresh file of its own
(``fresh_registry``).
"""

import base64
import datetime as dt
import json
import re

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from app_pages import maps
from app_pages.common import NOTE_ICON, WHAT_IF_ICON
from coverage import settings
from coverage.analysis.admin import covered_codes
from tests.app_session import APP, goto, new_session

PAGES = ["overview", "map", "gaps", "plan", "trips", "data", "exports"]


@pytest.fixture
def app():
    return new_session()


def notes(at):
    """The data notes of the page (the ⚠ box: synthetic or partial list, approximate townships)."""
    return [w.value for w in at.warning if w.icon == NOTE_ICON]


def warnings(at):
    """The page's warnings other than its data notes."""
    return [w.value for w in at.warning if w.icon != NOTE_ICON]


def metrics(at):
    return {m.label: m.value for m in at.metric}


def frame(at, column):
    """The (first) table on the page with this column."""
    for df in at.dataframe:
        value = df.value
        if column in value.columns:
            return value
    raise AssertionError(f"no table with column {column!r}")


def banner(at):
    """The what-if banner (a session-only station file stands in for the registry), or None."""
    shown = [w.value for w in at.warning if w.icon == WHAT_IF_ICON]
    return shown[0] if shown else None


def section(at, name):
    """Open a section of the Data page (registry, ledger, whatif, boundaries)."""
    at.radio(key="data_section").set_value(name).run()
    assert not at.exception, at.exception
    return at


def frame_columns(at, column):
    """The tables on the page with this column."""
    return [df for df in at.dataframe if column in df.value.columns]


def open_box(at, key):
    """Open a folded box whose content is drawn only while open (what a click does: a rerun)."""
    at.session_state[key] = True
    at.run()
    assert not at.exception, at.exception


def map_args(at, index=0):
    """The map's component arguments, its layers served as files put back into the script (as the frame
    runs it: the files are loaded before the script)."""
    components = at.get("component_instance")
    args = json.loads(components[index].proto.json_args)
    for link in args["js_links"]:
        if link.startswith(maps.LAYER_URL + "/"):
            name = link.rsplit("/", 1)[1]
            data = maps.read_layer_file(maps.LAYER_DIR / name)
            args["script"] = args["script"].replace(f"window.{maps.LAYER_GLOBAL}[{json.dumps(name)}]", data)
    return args


def chart_svg(at) -> str:
    """The Overview's rate chart (an SVG picture)."""
    (image,) = at.get("image")
    (url,) = image.value
    assert url.startswith("data:image/svg+xml;base64,")
    return base64.b64decode(url.split(",", 1)[1]).decode("utf-8")


def follow_config(layers: str) -> dict:
    """The settings of the script that keeps the map's circles on the radius slider's thumb (in the layers)."""
    start = layers.index("window.__radiusFollow = ") + len("window.__radiusFollow = ")
    return json.JSONDecoder().raw_decode(layers[start:])[0]


def status_count(script: str, status: str) -> int:
    """Features with this status in the map's inline GeoJSON (non-ASCII is escaped there)."""
    return script.count('"status": ' + json.dumps(status))


# --------------------------------------------------------------------------- overview and sidebar
def test_opens_on_the_overview_of_guangxi(app):
    assert app.selectbox(key="province").value == "45"
    m = metrics(app)
    assert m["计入目标的乡镇（街道）"] == "1,253"
    assert m["有社工站的乡镇（街道）"] == "375"
    assert m["覆盖率"] == "29.9%"
    # every target date has passed today: how the final target ended, and what is still short of it
    assert m["2023-12-31 目标 100%"] == "实际 29.9%" and "下一目标" not in m
    assert m["还需建站"] == "878"
    # within seconds a new user can tell the list is a synthetic demo and the borders approximate
    assert notes(app) == [
        "社工站名单为合成演示数据，不是真实站点（45_guangxi_demo.csv (registry)，数据截至 2021-11-30）  \n"
        "乡镇边界为近似划分；覆盖率只取决于站点所在的乡镇，不受边界影响"
    ]
    assert any(c.value == "社工站名单最近更新于 2021-11-30，晚于该日期的变化未计入" for c in app.caption)
    # the rate over time against the target steps: a picture, not a Vega chart (issue 17)
    svg = chart_svg(app)
    (steps,) = re.findall(r'<path d="([^"]+)"', svg)
    assert "<polyline" in svg and steps.count("V") == 3  # three target steps: 30 %, 60 %, 100 %
    assert "2022年01月" in svg and not app.get("vega_lite_chart")


def test_the_targets_editor_is_drawn_only_while_its_box_is_open(app):
    # a closed box draws no table grid (the browser would load and mount one on every page: issue 17)
    assert [e.label for e in app.sidebar.expander] == ["目标进度表"] and not app.sidebar.data_editor
    open_box(app, "targets_open")
    (editor,) = app.sidebar.data_editor
    assert list(editor.value["percent"]) == [30.0, 60.0, 100.0]


def test_before_the_final_target_the_overview_shows_the_next_one(app):
    app.date_input(key="as_of").set_value(dt.date(2022, 6, 30)).run()
    m = metrics(app)
    assert m["下一目标"] == "60%" and m["还需建站"] == f"{752 - 375:,}"  # ceil(0.6 x 1,253) = 752


def test_the_as_of_date_moves_the_figures(app, guangxi, guangxi_stations):
    app.date_input(key="as_of").set_value(dt.date(2019, 12, 31)).run()
    assert metrics(app)["有社工站的乡镇（街道）"] == "0"
    app.date_input(key="as_of").set_value(dt.date(2021, 6, 30)).run()
    expected = len(
        covered_codes(guangxi_stations, "2021-06-30") & set(guangxi.townships.loc[guangxi.townships["counted"], "code"])
    )
    assert 110 < expected < 375
    assert metrics(app)["有社工站的乡镇（街道）"] == f"{expected:,}"
    # 2021-06-30: the next target is 30 % of 1,253 by 2021-12-31, i.e. 376 stations
    assert metrics(app)["下一目标"] == "30%"
    assert metrics(app)["还需建站"] == f"{376 - expected:,}"


def test_city_filter_restricts_the_counts_and_the_table(app, guangxi):
    app.selectbox(key="city").set_value("4501").run()
    counted = guangxi.townships[guangxi.townships["counted"] & (guangxi.townships["city_code"] == "4501")]
    assert metrics(app)["计入目标的乡镇（街道）"] == f"{len(counted):,}"
    table = frame(app, "状态")
    assert set(table["代码"].str[:4]) == {"4501"}
    assert "南宁市" in app.title[0].value


def test_lagging_counties_come_first(app):
    app.date_input(key="as_of").set_value(dt.date(2022, 6, 30)).run()
    table = frame(app, "状态")
    statuses = list(table["状态"])
    assert "滞后" in statuses
    first_other = next(i for i, s in enumerate(statuses) if s != "滞后")
    assert all(s != "滞后" for s in statuses[first_other:])


def test_target_schedule_edit_changes_the_next_target(app):
    app.date_input(key="as_of").set_value(dt.date(2021, 6, 30)).run()
    app.session_state["targets_table"] = pd.DataFrame(
        {"date": [dt.date(2021, 12, 31), dt.date(2022, 12, 31)], "percent": [50.0, 100.0]}
    )
    app.run()
    assert metrics(app)["下一目标"] == "50%"


def test_switching_to_guangdong(app):
    app.selectbox(key="province").set_value("44").run()
    assert not app.exception
    assert metrics(app)["计入目标的乡镇（街道）"] == "1,610"
    assert metrics(app)["有社工站的乡镇（街道）"] == "23"
    # a partial list from the news, without opening dates: said, and no empty chart
    assert notes(app) == [
        "社工站名单摘自新闻报道，并不完整（44_guangdong_reported.csv (registry)，最近更新 不详）  \n"
        "名单没有开站日期：所有站点按一直开放计算  \n"
        "乡镇边界为近似划分；覆盖率只取决于站点所在的乡镇，不受边界影响"
    ]
    assert [i.value for i in app.info] == [
        "名单没有开站日期，无法画出覆盖率随时间的变化：所有站点按一直开放计算",
        # and the registry holds no staff figures: the workforce targets say so plainly
        "登记库中没有社工人数数据，无法跟踪持证社工目标。各县在月度台账中填报“社工人数”“持证社工人数”后即可显示。",
    ]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_in_english(page):
    app = AppTest.from_file(APP, default_timeout=300)
    app.session_state["lang"] = "en"
    app.run()
    goto(app, page)
    text = " ".join([*(m.label for m in app.metric), *(x.value for x in app.title), *(x.value for x in app.subheader)])
    assert app.title and not re.search(r"[\u4e00-\u9fff]", app.title[0].value.replace("广西壮族自治区", ""))
    assert not re.search(r"[\u4e00-\u9fff]", text.replace("广西壮族自治区", "")), text


# --------------------------------------------------------------------------- map
def test_the_map_holds_townships_stations_and_candidates_with_local_assets_only(app):
    goto(app, "map")
    args = map_args(app)
    script = args["script"]
    assert status_count(script, "有社工站") == 375
    assert status_count(script, "无社工站") == 1253 - 375
    assert script.count('"township_code": ') == 375  # one point feature per station
    assert script.count('"rank": ') == 20  # the 20 priority sites
    # Leaflet, then the townships and the stations as files the frame loads before the script (issue 17)
    assert args["js_links"][0] == "/app/static/vendor/leaflet/leaflet.js"
    assert len(args["js_links"]) == 3 and all(x.startswith("/app/static/layers/") for x in args["js_links"][1:])
    assert args["css_links"] == ["/app/static/vendor/leaflet/leaflet.css"]
    assert "https://" not in args["header"] + script
    assert "近似" in args["html"]  # the legend says the boundaries are approximate


def test_map_layers_radius_gaps_and_choropleth(app):
    goto(app, "map")
    app.multiselect(key="map_layers").set_value(["choropleth", "radius", "gaps"]).run()
    script = map_args(app)["script"]
    # one circle layer: a circle of 10 km on the ground (L.circle, in metres) around each of the 375 open stations
    assert script.count("return new L.circle(latlng, opts)") == 1
    assert '"radius": 10000.0' in script
    assert script.count('"r": 10000.0') == 375
    assert '"gap_id": 1' in script
    assert script.count('"rate": ') == 111  # one county polygon per county of Guangxi
    assert '"status": ' not in script  # townships layer off


def test_gcj02_basemap_shifts_every_layer(app, guangxi_stations):
    goto(app, "map")
    wgs = map_args(app)["script"]
    app.selectbox(key="basemap").set_value("amap").run()
    gcj = map_args(app)["script"]
    assert "autonavi.com" in gcj and "autonavi.com" not in wgs
    s = guangxi_stations.iloc[0]
    from coverage.coords import wgs84_to_gcj02

    lon, lat = wgs84_to_gcj02(s["lon"], s["lat"])
    assert f"[{round(s['lon'], 5)}, {round(s['lat'], 5)}]" in wgs  # GeoJSON points are rounded to ~1 m
    assert f"[{round(float(lon), 5)}, {round(float(lat), 5)}]" in gcj
    assert f"[{round(s['lon'], 5)}, {round(s['lat'], 5)}]" not in gcj


# --------------------------------------------------------------------------- gaps
def test_gaps_radius_changes_only_the_added_layers(app):
    goto(app, "gaps")
    before = metrics(app)["半径内面积占比"]
    base_before = map_args(app)
    app.slider(key="radius_km").set_value(20).run()
    after = metrics(app)["半径内面积占比"]
    base_after = map_args(app)
    assert float(after.rstrip("%")) > float(before.rstrip("%"))
    assert base_before["script"] == base_after["script"]  # the map itself is not rebuilt
    assert base_before["feature_group"] != base_after["feature_group"]
    assert base_after["feature_group"].count('"r": 20000.0') == 375  # a 20 km circle around each open station
    assert base_before["feature_group"].count('"r": 10000.0') == 375
    # the circles follow the sidebar slider's thumb: every value of it has its radius; the gaps were cut for 20
    follow = follow_config(base_after["feature_group"])
    assert follow["selector"] == ".st-key-radius_km input[type=range]"
    assert follow["drawn"] == "20"
    assert follow["metres"] == {str(km): km * 1000.0 for km in range(1, 51)}
    assert "距离：直线（服务半径以公里计）" in base_after["html"]  # the legend names the model
    table = frame(app, "半径外面积占比")
    shares = list(table["半径外面积占比"])
    assert shares == sorted(shares, reverse=True)


def test_radius_in_minutes(app):
    goto(app, "gaps")
    app.radio(key="radius_unit").set_value("min").run()
    app.slider(key="radius_min").set_value(30).run()
    # 30 min at 40 km/h with circuity 1.3 is 15.4 km straight
    assert "15.4" in app.title[0].value
    args = map_args(app)
    follow = follow_config(args["feature_group"])
    assert follow["selector"] == ".st-key-radius_min input[type=range]" and follow["drawn"] == "30"
    assert follow["metres"]["30"] == pytest.approx(30 / 60 * 40 / 1.3 * 1000)  # the circles' radius at 30 min
    assert f'"radius": {follow["metres"]["30"]}' in args["feature_group"]
    assert "车程：直线距离×1.3，40/80 km/h" in args["html"]  # the legend names the model and its speeds


# --------------------------------------------------------------------------- plan
def test_plan_rollout_and_scenarios(app):
    goto(app, "plan")
    assert app.info[0].value.startswith("尚未运行规划")
    next(b for b in app.button if b.label == "运行").click()
    app.run()
    assert not app.exception and not app.error
    assert "HiGHS" in app.success[0].value
    table = frame(app, "需求得分")
    assert set(table["年度"]) == {2022, 2023}
    assert len(table) == 1253 - 375  # the rollout reaches 100 % by 2023
    rates = [m.value for m in app.metric if m.label == "覆盖率"]
    assert rates == ["29.9%", "29.9%"]  # both scenarios start from the stations open on the plan date
    app.button(key="scenario_from_plan").click().run()
    rates = [m.value for m in app.metric if m.label == "覆盖率"]
    assert rates == ["100.0%", "29.9%"]  # scenario A has the plan, B not
    compare = frame(app, "方案 A")
    assert int(compare.loc["新增站", "方案 A"]) == 1253 - 375


# --------------------------------------------------------------------------- trips
def test_trip_and_supervision_in_one_city(app):
    app.selectbox(key="city").set_value("4501").run()
    goto(app, "trips")
    # the sample rule as controls: one station per county of 南宁市 (12); the days follow the sample
    app.radio(key="trip_sample_level").set_value("county").run()
    app.number_input(key="trip_sample_per").set_value(1).run()
    assert app.caption[0].value == "已选 12 个社工站。"
    assert app.number_input(key="trip_days").value == 6 and not warnings(app)  # 12 visits, 2 a day: no warning
    app.number_input(key="trip_days").set_value(5).run()
    assert warnings(app)[0].startswith("已选 12 个站，超过 5 天 × 每天 2 个 = 10 次走访的上限")
    app.button(key="trip_run").click().run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    # the cap leaves two stations out (the farthest); the fewest working days for all is the first option
    assert warnings(app)[1].startswith(
        "12 个站中只有 10 个能在 5 天（每天 9.5 小时）内走访；未安排：隆安县那桐镇、横州市云表镇"
    )
    options = [c.value for c in app.caption if c.value.startswith("•")]
    assert len(options) == 3 and options[1].startswith("• 最少需要 7 个工作日（2 趟，至 ")
    assert metrics(app)["与最优的差距"] == "0.0%"
    # "how many days?" answered directly: 7 working days, two tours, the Friday night at home
    app.radio(key="trip_days_mode").set_value("fewest").run()
    app.button(key="trip_run").click().run()
    assert not app.exception and not app.error
    assert [s.value for s in app.success][0].startswith("全部 12 个站最少需要 7 个工作日（2 趟，至 ")
    days = frame(app, "住宿")
    assert len(days) == 7 and days["第几趟"].tolist() == [1] * 5 + [2] * 2
    assert days["住宿"].iloc[4] == days["住宿"].iloc[6] == "南宁市"
    assert days["日期"].iloc[0].endswith("周一") and days["日期"].iloc[5].endswith("周一")
    assert days["车程（时:分）"].str.fullmatch(r"\d+:\d\d").all() and days["里程（km）"].str.fullmatch(r"\d+").all()
    assert "overnight_code" not in days.columns
    visits = days["走访"].map(lambda v: len(v.split("、")) if v else 0)
    assert visits.le(2).all() and visits.sum() == 12
    assert frame(app, "走访时段")["社工站"].nunique() == 12  # each visit with its arrival, time on site, departure
    assert [b.label for b in app.get("download_button")] == ["XLSX", "iCalendar (.ics)", "打印版（HTML）"]
    app.button(key="sup_run").click().run()
    sup = frame(app, "站数")
    assert sup["站数"].between(5, 8).all()
    assert sup["负责站点"].str.split("、").map(len).eq(sup["站数"]).all()
    # the note is in Chinese: the fewest supervisors for the city's stations at most 8 each
    assert any(c.value.endswith("所需的最少人数") for c in app.caption)
    assert "月度走访安排（打印版 HTML）" in [b.label for b in app.get("download_button")]


def test_trip_stopped_shows_the_best_plan_so_far(app):
    """A click on the stop button while solving reruns the page; the plan kept by then is shown, marked."""
    from coverage.field.trips import TripRequest, capital, plan_trip, stations_by_name, working_days

    goto(app, "trips")
    stations = stations_by_name(["兴宁区朝阳街道", "武鸣区城厢镇", "宾阳县宾州镇"], "45")
    request = TripRequest(stations, capital("45"), capital("45"), working_days("2024-11-04", 1))
    stopped = plan_trip(request, progress=lambda step, info: step != "plan")
    app.session_state["trip"] = ("45", stopped, None, None)  # as the page keeps it while solving
    app.run()
    assert any(i.value.startswith("已按要求停止") for i in app.info)
    assert frame(app, "住宿")["天"].tolist() == [1]


# --------------------------------------------------------------------------- data
BAD_STATIONS = (
    "名称,乡镇,经度,纬度\nA站,城东街道,,\nB站,火星镇,,\nC站,,22.8,108.3\nD站,,151.2,-33.9\nE站,南宁市兴宁区朝阳街道,,\n"
)


def test_station_upload_report_resolve_and_use(app):
    goto(app, "data")
    section(app, "whatif")
    assert app.info[0].value == "当前使用：登记库（375 个开站时段）"
    app.file_uploader(key="station_file").upload("坏名单.csv", BAD_STATIONS.encode("gbk"), "text/csv").run()
    assert not app.exception and not app.error
    assert any(m.value.startswith("共 5 行：匹配 1，修正 1，待定 1，未匹配 1，拒绝 1") for m in app.markdown)
    report = frame(app, "行号")
    assert list(report.columns[:6]) == ["行号", "状态", "乡镇代码", "乡镇", "定位依据", "说明"]
    assert set(report["状态"]) == {"匹配", "已修正", "待定", "未匹配", "拒绝"}
    by_row = report.set_index("行号")["说明"]
    assert by_row[5].startswith("不在中国境内（经度 151.2，纬度 -33.9）")
    assert by_row[4].startswith("经纬度写反了")
    assert "原文：名称" in report.columns  # nothing the user gave is lost
    # resolve row 2 (城东街道, two in Guangxi) by picking 贺州市八步区城东街道
    box = app.selectbox(
        key=next(s.key for s in app.selectbox if str(s.key).startswith("resolve-") and s.key.endswith("-2"))
    )
    box.set_value("451102002").run()
    app.button(key="resolve_apply").click().run()
    assert any(m.value.startswith("共 5 行：匹配 1，修正 2，待定 0") for m in app.markdown)
    assert frame(app, "行号").set_index("行号").loc[2, "说明"].endswith("由用户选定：贺州市八步区城东街道 (451102002)")
    app.button(key="use_stations").click().run()
    assert app.info[0].value == "当前使用：本次上传的名单（3 个站）"
    goto(app, "overview")
    assert metrics(app)["有社工站的乡镇（街道）"] == "3"
    # the user's own list: no word of a demo; the borders are still the approximate cells
    assert notes(app) == ["乡镇边界为近似划分；覆盖率只取决于站点所在的乡镇，不受边界影响"]
    # a what-if, said above every page, with the way back to the registry
    assert (
        banner(app)
        == "试算模式：各页面正在使用本次上传的名单“坏名单.csv”（3 个站），仅在本次会话有效，登记库没有改变。"
    )
    goto(app, "map")
    assert banner(app) is not None
    app.button(key="back_to_registry").click().run()
    assert banner(app) is None
    goto(app, "overview")
    assert metrics(app)["有社工站的乡镇（街道）"] == "375"


def test_a_file_that_is_not_a_station_list_gets_a_chinese_message(app):
    goto(app, "data")
    section(app, "whatif")
    app.file_uploader(key="station_file").upload("notes.csv", "备注,其他\n甲,乙\n".encode(), "text/csv").run()
    assert not app.exception
    assert app.error[0].value.startswith("输入有问题：notes.csv：没有找到坐标列，也没有站名、乡镇名称或代码列")


def test_boundary_upload_replaces_cells_and_adds_a_dataset(app, guangxi, tmp_path):
    import geopandas as gpd

    t = guangxi.townships[guangxi.townships["county_code"] == "450102"]
    gdf = gpd.GeoDataFrame(
        {"XZQDM": t["code"].values, "XZQMC": t["name"].values}, geometry=t.geometry.values, crs=t.crs
    )
    path = tmp_path / "兴宁区.geojson"
    gdf.to_file(path)
    goto(app, "data")
    section(app, "boundaries")
    app.file_uploader(key="boundary_file").upload(path.name, path.read_bytes(), "application/geo+json").run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    assert app.success[0].value.startswith(f"已替换 {len(t)} 个乡镇边界")
    box = app.selectbox(key="province")
    labels = [str(o) for o in box.options]
    assert any("本次上传的边界" in o for o in labels), labels
    # (AppTest calls format_func outside the session, so choose the dataset by its key)
    (key,) = app.session_state["uploaded_provinces"].keys()
    app.session_state["province"] = key
    app.run()
    assert not app.exception and not app.error
    goto(app, "overview")
    m = metrics(app)
    assert (
        m["计入目标的乡镇（街道）"] == "1,253" and m["有社工站的乡镇（街道）"] == "375"
    )  # the same townships and stations


def test_a_saved_scenario_loads_back_unchanged(app, guangxi, guangxi_stations):
    from coverage.analysis.scenario import Scenario

    goto(app, "plan")
    covered = covered_codes(guangxi_stations, dt.date(2021, 12, 31))
    counted = guangxi.townships[guangxi.townships["counted"].astype(bool)]["code"].astype(str)
    uncovered = sorted(set(counted) - covered)
    saved = Scenario("45", dt.date(2021, 12, 31), added=tuple(uncovered[:3]), removed=(sorted(covered)[0],), name="A")
    app.file_uploader(key="scenario_upload").upload(
        "scenario_45_A.json", saved.to_json().encode("utf-8"), "application/json"
    ).run()
    app.run()  # the page reruns once to draw the loaded scenario
    assert not app.exception and not app.error, [e.value for e in app.error]
    assert app.session_state["scenario_A"].to_json() == saved.to_json()
    rates = [m.value for m in app.metric if m.label == "覆盖率"]
    assert rates[0] == f"{(375 + 3 - 1) / 1253:.1%}"
    # a file for another province is refused with a message
    other = Scenario("44", dt.date(2021, 12, 31), added=("440103001",), name="A")
    app.file_uploader(key="scenario_upload").set_value(
        ("s44.json", other.to_json().encode("utf-8"), "application/json")
    ).run()
    assert [e.value for e in app.error] == ["该方案文件属于省份 44，当前是 45；请先切换省份。"]
    assert app.session_state["scenario_A"].to_json() == saved.to_json()  # the loaded scenario is kept


def test_trip_sample_spread_over_township_kinds(app):
    """The sample can be spread over the township kinds (街道/镇/乡): offered, and one per city still gives 14."""
    goto(app, "trips")
    app.number_input(key="trip_sample_per").set_value(1).run()
    assert app.selectbox(key="trip_strata").options == ["不分层", "乡镇类别"]
    app.selectbox(key="trip_strata").set_value("kind").run()
    assert not app.exception and not app.error
    assert app.caption[0].value.startswith("已选 14 个社工站")
    assert app.number_input(key="trip_days").value == 7


# --------------------------------------------------------------------------- the registry
@pytest.fixture
def fresh_registry(monkeypatch, tmp_path):
    """A registry of the test's own (the app creates and seeds it on first use), for tests that change it."""
    url = f"sqlite:///{tmp_path / 'registry.sqlite'}"
    monkeypatch.setenv(settings.REGISTRY_URL_ENV, url)
    return url


def form_prefix(at):
    """The key prefix of the station form on the page (``ef-<station>-<version it was loaded from>``)."""
    return next(n.key for n in at.number_input if n.key.endswith("-social_workers")).removesuffix("-social_workers")


def pick_station(at, sid):
    at.selectbox(key="edit_station").set_value(sid).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    return form_prefix(at)


def test_a_station_edited_in_one_session_is_there_in_the_next(fresh_registry):
    from coverage.registry.store import open_registry

    at = new_session()
    at.text_input(key="by").set_value("张三").run()
    goto(at, "data")
    assert len(frame(at, "站点编号")) == 375  # the registry section opens first: every station of Guangxi
    at.text_input(key="reg_search").set_value("武鸣区").run()
    assert sorted(frame(at, "站点编号")["站点编号"]) == ["GX-DEMO-0115", "GX-DEMO-0288"]
    form = pick_station(at, "GX-DEMO-0115")
    at.number_input(key=f"{form}-social_workers").set_value(4)
    at.number_input(key=f"{form}-certified_workers").set_value(1)
    at.text_input(key=f"{form}-contact").set_value("李四 0771-1234567")
    at.button(key="edit_save").click().run()
    assert not at.error, [e.value for e in at.error]
    head = open_registry(fresh_registry).head("GX-DEMO-0115")
    assert (
        at.success[0].value
        == f"已保存 武鸣区城厢镇社工站：社工人数、持证社工人数、联系人（第 {head['version_id']} 版）。"
    )
    assert (head["social_workers"], head["certified_workers"], head["contact"]) == (4, 1, "李四 0771-1234567")
    assert (head["recorded_by"], head["action"], head["valid_from"]) == ("张三", "edit", dt.date.today())
    assert (head["name"], head["township_code"], head["lon"]) == ("武鸣区城厢镇社工站", "450110100", 108.27296)

    again = new_session()  # the browser closed and opened again: the edit comes from the registry
    goto(again, "data")
    again.text_input(key="reg_search").set_value("gx-demo-0115").run()
    row = frame(again, "站点编号").iloc[0]
    assert (row["社工"], row["持证社工"], row["联系人及电话"], row["记录人"]) == (4, 1, "李四 0771-1234567", "张三")
    pick_station(again, "GX-DEMO-0115")
    again.radio(key="station_action").set_value("history").run()
    history = frame(again, "操作")
    assert list(history["操作"]) == ["新增", "编辑"] and list(history["记录人"]) == ["system", "张三"]


def test_a_form_loaded_before_someone_elses_change_is_refused_in_chinese(fresh_registry):
    from coverage.registry.store import open_registry

    at = new_session()
    goto(at, "data")
    form = pick_station(at, "GX-DEMO-0288")
    loaded = int(form.rsplit("-", 1)[1])
    reg = open_registry(fresh_registry)
    other = reg.change("GX-DEMO-0288", loaded, {"case_files": 9}, "2024-11-30", "王五")  # meanwhile, elsewhere
    at.number_input(key=f"{form}-social_workers").set_value(5)
    at.button(key="edit_save").click().run()
    when = reg.head("GX-DEMO-0288")["recorded_at"]
    assert [e.value for e in at.error] == [
        f"保存失败：站点 'GX-DEMO-0288' 在此期间已被 王五 修改（{when:%Y-%m-%d %H:%M} UTC，编辑，"
        f"版本 {other.version_id}，自 2024-11-30 起生效）；请重新载入最新记录后再修改"
    ]
    assert reg.head("GX-DEMO-0288")["version_id"] == other.version_id  # the stale form wrote nothing
    at.button(key="edit_reload").click().run()
    form = form_prefix(at)
    assert form == f"ef-GX-DEMO-0288-{other.version_id}"
    at.number_input(key=f"{form}-social_workers").set_value(5)
    at.button(key="edit_save").click().run()
    head = reg.head("GX-DEMO-0288")
    assert (head["social_workers"], head["case_files"]) == (5, 9)  # both changes kept


#: A township without a station and a point inside it (as in tests/test_browser.py): 林圩镇, 马山县.
LINXU = ("450124102", "林圩镇", 108.32752, 23.78940)


def test_add_move_and_close_a_station_on_the_map(fresh_registry, guangxi):
    from coverage.registry.store import open_registry

    code, name, lon, lat = LINXU
    towns = guangxi.townships
    mashan = towns[(towns["county_code"] == "450124") & towns["counted"] & (towns["code"] != code)]
    target = mashan[~mashan["code"].isin(covered_codes(open_registry(fresh_registry).station_table("45")))].iloc[0]
    point = target.geometry.representative_point()

    at = new_session()
    goto(at, "data")
    at.radio(key="station_action").set_value("add").run()
    assert any(c.value.startswith("在地图上点击站点所在位置") for c in at.caption)
    at.session_state["map_pick"] = {"lon": lon, "lat": lat}  # what a click on the map leaves
    at.run()
    assert any(m.value.startswith(f"新站点位于 **马山县{name}**（{code}）") for m in at.markdown)
    prefix = f"add-{code}-{lon}-{lat}"
    assert at.text_input(key=f"{prefix}-id").value == f"{code}-1"
    assert at.text_input(key=f"{prefix}-name").value == f"马山县{name}社工站"
    at.number_input(key=f"{prefix}-social_workers").set_value(2)
    at.button(key="add_save").click().run()
    assert at.success[0].value == f"已新增 马山县{name}社工站（{code}-1，{name}）。"
    reg = open_registry(fresh_registry)
    head = reg.head(f"{code}-1")
    assert (head["township_code"], head["county_code"], head["lon"], head["lat"]) == (code, "450124", lon, lat)
    assert (head["status"], head["opened"], head["social_workers"], head["crs_given"]) == (
        "open",
        dt.date.today(),
        2,
        "wgs84",
    )
    goto(at, "overview")
    assert metrics(at)["有社工站的乡镇（街道）"] == "376"

    goto(at, "data")
    pick_station(at, f"{code}-1")
    at.radio(key="station_action").set_value("move").run()
    at.session_state["map_pick"] = {"lon": round(point.x, 6), "lat": round(point.y, 6)}
    at.run()
    assert any(m.value.startswith(f"把 马山县{name}社工站 迁到 **马山县{target['name']}**") for m in at.markdown)
    at.button(key="move_save").click().run()
    assert at.success[0].value == f"马山县{name}社工站 已迁至 {target['name']}。"
    moved = reg.head(f"{code}-1")
    assert (moved["township_code"], moved["action"], moved["lon"]) == (target["code"], "move", round(point.x, 6))
    goto(at, "overview")
    assert metrics(at)["有社工站的乡镇（街道）"] == "376"  # another township, still one more than 375

    goto(at, "data")
    pick_station(at, f"{code}-1")
    at.radio(key="station_action").set_value("close").run()
    close_key = next(d.key for d in at.date_input if str(d.key).startswith("close-"))
    at.text_input(key=close_key.replace("-date", "-reason")).set_value("合并到镇社工站")
    at.button(key="close_save").click().run()
    assert at.success[0].value == f"马山县{name}社工站 已于 {dt.date.today()} 撤站。"
    closed = reg.head(f"{code}-1")
    assert (closed["status"], closed["closed"], closed["notes"]) == ("closed", dt.date.today(), "合并到镇社工站")
    goto(at, "overview")
    assert metrics(at)["有社工站的乡镇（街道）"] == "375"  # closed today: not open today


def submit_ledger(at, filename, rows, unit, month="2024-11"):
    """Submit a ledger on the Data page's ledger section."""
    from tests.registry_cases import ledger_csv

    at.file_uploader(key="ledger_file").upload(filename, ledger_csv(rows), "text/csv").run()
    at.text_input(key="ledger_month_in").set_value(month)
    at.selectbox(key="ledger_unit").set_value(unit)
    at.button(key="ledger_submit").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]


def test_two_november_ledgers_one_accepted(fresh_registry):
    """Two counties submit; one is accepted: the rate moves by its two new stations, the other is pending."""
    from tests.registry_cases import NOVEMBER_QINGXIU, NOVEMBER_WUMING

    at = new_session()
    at.date_input(key="as_of").set_value(dt.date(2024, 11, 30)).run()
    assert metrics(at)["有社工站的乡镇（街道）"] == "375"
    goto(at, "data")
    section(at, "ledger")
    submit_ledger(at, "武鸣区2024年11月台账.csv", NOVEMBER_WUMING, "450110")
    assert at.success[0].value == "已收到武鸣区 2024-11 的台账（提交编号 1，4 条比对结果），请在下方审核。"
    findings = frame(at, "条目")
    assert list(findings["类型"]) == ["人员变动、服务量变动", "人员变动、服务量变动", "新增", "新增"]
    assert (
        findings["说明"][0] == "社工人数 — → 3，持证社工人数 — → 1；服务户数 — → 120，服务人数 — → 300，个案数 — → 10"
    )
    assert list(findings["审核"]) == ["待审核"] * 4
    assert any(m.value == "比对结果：新增 2，人员变动 2，服务量变动 2" for m in at.markdown)
    labels = [b.proto.label for b in at.get("download_button")]
    assert "下载提交的文件：武鸣区2024年11月台账.csv" in labels
    submit_ledger(at, "青秀区2024年11月台账.csv", NOVEMBER_QINGXIU, "450103")
    refused = frame(at, "条目").set_index("行号").loc[4]
    assert (refused["类型"], refused["说明"]) == ("拒收", "乡镇 450110102 不在 450103 内；各县只报送本县的站点")

    at.selectbox(key="review_submission").set_value(1).run()
    at.button(key="accept_all").click().run()
    assert at.success[0].value == "已采纳 4 条，退回 0 条。"
    assert list(frame(at, "条目")["审核"]) == ["已采纳"] * 4

    goto(at, "overview")
    m = metrics(at)
    assert (m["有社工站的乡镇（街道）"], m["覆盖率"]) == ("377", f"{377 / 1253:.1%}")  # 375 + the 2 accepted
    assert m["待审核"] == "1"
    assert not frame_columns(at, "报送情况")  # the table is drawn only once its box is open
    open_box(at, "ledger_table_open")
    status = frame(at, "报送情况").set_index("名称")
    # submitted now, long after 5 December 2024: late; every other county has not reported
    assert status.loc["武鸣区", ["报送情况", "审核"]].tolist() == ["逾期报送", "已采纳"]
    assert status.loc["青秀区", ["报送情况", "审核"]].tolist() == ["逾期报送", "待审核"]
    assert (status["报送情况"] == "未报送").sum() == 109 and m["未报送"] == "109"
    # the staff figures of the accepted ledger: certified workers in 城厢镇 (1) and 太平镇 (1)
    assert (m["持证社工人数"], m["有持证社工的乡镇占比"]) == ("2", f"{2 / 1253:.1%}")


def test_the_app_and_the_command_line_give_the_same_figures(monkeypatch, registry_url, capsys):
    """The registry as known on 5 December 2024: 武鸣区's ledger accepted on the 4th counts, 青秀区's
    accepted on the 6th does not - on the Overview and in `status` / `workforce` alike, on SQLite and
    on the PostgreSQL server."""
    from coverage.cli import main
    from coverage.registry import ledger
    from coverage.registry.store import open_registry
    from tests.registry_cases import NOVEMBER_QINGXIU, NOVEMBER_WUMING, StepClock, ledger_csv

    url = registry_url
    clock = StepClock(dt.datetime(2024, 1, 10, 2))
    reg = open_registry(url, clock=clock)  # seeded in January 2024
    clock.set(dt.datetime(2024, 12, 3, 1))
    wm = ledger.submit(reg, ledger_csv(NOVEMBER_WUMING), "wm.csv", "2024-11", "450110", "武鸣区民政局")
    qx = ledger.submit(reg, ledger_csv(NOVEMBER_QINGXIU), "qx.csv", "2024-11", "450103", "青秀区民政局")
    clock.set(dt.datetime(2024, 12, 4, 2))
    ledger.accept(reg, wm.submission_id, "审核员")
    clock.set(dt.datetime(2024, 12, 6, 2))
    ledger.accept(reg, qx.submission_id, "审核员")

    def cli(*argv):
        assert main([*argv, "--db", url, "--as-of", "2024-11-30", "--json"]) == 0
        return json.loads(capsys.readouterr().out)

    status, workforce = cli("status", "--known-on", "2024-12-05"), cli("workforce", "--known-on", "2024-12-05")
    assert (status["covered"], cli("status")["covered"]) == (377, 378)  # 新竹街道 was learned on the 6th

    monkeypatch.setenv(settings.REGISTRY_URL_ENV, url)
    at = new_session()
    at.date_input(key="as_of").set_value(dt.date(2024, 11, 30))
    at.date_input(key="known_on").set_value(dt.date(2024, 12, 5)).run()
    m = metrics(at)
    assert m["计入目标的乡镇（街道）"] == f"{status['counted']:,}"
    assert m["有社工站的乡镇（街道）"] == f"{status['covered']:,}" == "377"
    assert m["覆盖率"] == f"{status['rate']:.1%}"
    table = frame(at, "下一目标还差")  # the counties, lagging first
    counties = {u["code"]: u for u in status["units"] if u["level"] == "county"}
    assert len(table) == len(counties) == 111
    for r in table.to_dict("records"):
        u = counties[r["代码"]]
        assert (r["计入乡镇数"], r["有站乡镇数"], r["下一目标还差"]) == (
            u["counted"],
            u["covered"],
            u["needed_for_next_target"],
        )
        assert r["覆盖率"] == pytest.approx(u["rate"], abs=1e-6)
    assert metrics(at)["持证社工人数"] == f"{workforce['certified_workers']['count']:,}" == "2"
    assert m["有持证社工的乡镇占比"] == f"{workforce['townships']['rate']:.1%}"
    # the ledgers of November as known on the 5th: both on time (by the 5th, China time)
    open_box(at, "ledger_table_open")
    ledgers = frame(at, "报送情况").set_index("代码")
    assert ledgers.loc[["450110", "450103"], "报送情况"].tolist() == ["按时报送", "按时报送"]
    assert (ledgers["报送情况"] == "未到截止日").sum() == 109  # the 5th is the due day itself
