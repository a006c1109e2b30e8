"""The app's travel model (issue 18): road minutes over a built network, or the straight line.

The roads are the committed synthetic network (tests/data/roads_guangxi.osm.pbf) built into a
folder of the test's own (``COVERAGE_ROADS_DIR``); expected figures come from the library's
:func:`coverage.analysis.gaps.road_gap_analysis` on the same townships, stations and network.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import geopandas as gpd
import pytest
from streamlit.testing.v1 import AppTest

from coverage import settings
from coverage.analysis.roads import ROADS_DIR_ENV, build_roads, road_travel
from tests.app_session import goto, new_session

ROOT = Path(__file__).resolve().parent.parent
PBF = ROOT / "tests" / "data" / "roads_guangxi.osm.pbf"
ROAD_LABEL = "道路（来自文件：roads_guangxi.osm.pbf）"
ROAD_MODEL = "车程：道路（pandana，roads_guangxi.osm.pbf）"


def start(roads_dir: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv(ROADS_DIR_ENV, str(roads_dir))
    return new_session()


def library_gaps(roads_dir: Path, minutes: float):
    """The library's road gaps of 南宁市 (4501) with the registry's stations open today."""
    from coverage.analysis.gaps import road_gap_analysis
    from coverage.data.provinces import load_province
    from coverage.data.schema import open_on
    from coverage.registry.analysis import registry_stations
    from coverage.registry.store import open_registry, registry_url

    prov = load_province("45")
    towns = prov.townships[prov.townships["city_code"].astype(str) == "4501"]
    stations = registry_stations(open_registry(registry_url()), prov, None)
    stations = stations[open_on(stations, dt.date.today())]
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(stations["lon"], stations["lat"]), crs=settings.WORK_CRS)
    return road_gap_analysis(towns, points, minutes, road_travel("45", roads_dir))


def test_without_roads_only_the_straight_line_and_how_to_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    at = start(tmp_path, monkeypatch)
    assert not [r for r in at.sidebar.radio if r.key == "travel"]
    assert any("python -m coverage roads build --province 45 --pbf" in c.value for c in at.sidebar.caption)
    goto(at, "gaps")
    captions = [c.value for c in at.main.caption]
    assert "距离：直线（服务半径以公里计）" in captions and ROAD_MODEL not in captions


def test_road_gaps_in_minutes_name_the_model_and_count_places_off_the_network(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    build_roads(PBF, "45", out_dir=tmp_path)
    at = start(tmp_path, monkeypatch)
    travel = at.radio(key="travel")
    assert travel.options == ["直线距离", ROAD_LABEL]
    assert travel.value == "road"  # built: road by default, as on the command line
    at.selectbox(key="city").set_value("4501").run()
    at.radio(key="radius_unit").set_value("min").run()
    at.slider(key="radius_min").set_value(30).run()
    goto(at, "gaps")

    expected = library_gaps(tmp_path, 30)
    s = expected.summary
    shown = {m.label: m.value for m in at.metric}
    assert shown["半径内面积占比"] == f"{s['area_share_within']:.1%}"
    assert shown["半径内需求占比（1 公里网格）"] == f"{s['demand_share_within']:.1%}"
    assert shown["半径内村（社区）占比"] == f"{s['village_share_within']:.1%}"
    table = next(df.value for df in at.dataframe if "半径外面积占比" in df.value.columns)
    by_code = dict(zip(table["代码"], table["半径外面积占比"], strict=True))
    want = dict(zip(expected.townships["code"], expected.townships["share_beyond"] * 100, strict=True))
    assert by_code == want  # the same shares, exactly
    assert "最远点车程（分钟，道路）" in table.columns

    assert ROAD_MODEL in [c.value for c in at.caption]
    # the map: the isochrone of 30 road minutes (the library's), no circles; the legend names the model
    args = json.loads(at.get("component_instance")[0].proto.json_args)
    layers = args["feature_group"]
    assert json.dumps("30 分钟道路车程范围（roads_guangxi.osm.pbf）") in layers
    assert f'"area_km2": {round(float(expected.reach_m["area_km2"].iloc[0]), 1)}' in layers
    assert "L.circle(" not in layers
    assert "道路车程范围（等时圈）" in args["html"] and ROAD_MODEL in args["html"]
    begin = layers.index("window.__radiusFollow = ") + len("window.__radiusFollow = ")
    follow = json.JSONDecoder().raw_decode(layers[begin:])[0]
    assert follow["metres"] == {} and follow["drawn"] == "30"  # by road no circle follows the thumb
    off = expected.off_network or []
    assert off  # the synthetic roads cover a few towns: most grid cells are off them
    note = " ".join(i.value for i in at.info)
    assert "不在路网上" in note
    cells = next(o for o in off if o["kind"] == "grid cells")
    assert f"网格单元 {cells['count']:,} 个" in note

    at.radio(key="lang").set_value("en").run()
    assert "Travel: road (pandana, roads_guangxi.osm.pbf)" in [c.value for c in at.main.caption]
    assert any(i.value.startswith("Off the road network") for i in at.info)
    assert at.radio(key="travel").options == ["Straight line", "Road (from file: roads_guangxi.osm.pbf)"]
    at.radio(key="lang").set_value("zh").run()

    # the straight line again: the model is named, no road note
    at.radio(key="travel").set_value("line").run()
    assert ROAD_MODEL not in [c.value for c in at.caption]
    assert any(c.value.startswith("车程：直线距离×1.3") for c in at.caption)
    assert not any("不在路网上" in i.value for i in at.info)
    args = json.loads(at.get("component_instance")[0].proto.json_args)
    assert "车程：直线距离×1.3，40/80 km/h" in args["html"] and ROAD_MODEL not in args["html"]  # the legend too

    # the area within the radius is a layer of the exports (its file names the model: test_gaps_isochrones)
    goto(at, "exports")
    at.selectbox(key="export_item").set_value("reach").run()
    assert not at.exception and at.selectbox(key="export_format").options == ["CSV", "XLSX", "GEOJSON", "GPKG"]


def test_trips_and_supervision_follow_the_sidebar_road_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    build_roads(PBF, "45", out_dir=tmp_path)
    at = start(tmp_path, monkeypatch)
    at.selectbox(key="city").set_value("4501").run()
    goto(at, "trips")
    at.radio(key="trip_sample_level").set_value("county").run()
    at.number_input(key="trip_sample_per").set_value(1).run()
    at.button(key="trip_run").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error] + [c.value for c in at.code]
    named = [c.value for c in at.main.caption if c.value.startswith(ROAD_MODEL)]
    assert named, [c.value for c in at.main.caption]
    assert "个地点不在路网上" in named[0] and "横州市云表镇" in named[0]  # 17 km from the synthetic roads: named
    at.button(key="sup_run").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert ROAD_MODEL in [c.value for c in at.main.caption]
    # the straight line: the trip names the line at the page's speeds
    at.radio(key="travel").set_value("line").run()
    at.button(key="trip_run").click().run()
    assert any(c.value.startswith("车程：直线距离×1.3，40/80 km/h") for c in at.main.caption)


def library_site(roads_dir: Path, model: str, minutes: float, p: int):
    """The library's siting of ``model`` on Guangxi within ``minutes`` road minutes (the ``site`` command's
    call), with the registry's stations open today; the page's defaults (grid demand, no county minimum)."""
    from coverage.analysis.travel import service_reach
    from coverage.data.provinces import load_province
    from coverage.data.schema import open_on
    from coverage.optimise.candidates import site_province
    from coverage.registry.analysis import registry_stations
    from coverage.registry.store import open_registry, registry_url

    prov = load_province("45")
    stations = registry_stations(open_registry(registry_url()), prov, None)
    stations = stations[open_on(stations, dt.date.today())]
    reach = service_reach(None, minutes, road_travel("45", roads_dir))
    return site_province(model, prov.townships, stations, reach, p=p, time_limit=settings.ROLLOUT_TIME_LIMIT_S)


def library_rollout(roads_dir: Path, minutes: float):
    """The library's rollout of Guangxi within ``minutes`` road minutes (the ``plan`` command's call) from the
    page's default date, with the registry's stations and the default targets."""
    from coverage.analysis.admin import TargetSchedule
    from coverage.analysis.travel import service_reach
    from coverage.data.provinces import load_province
    from coverage.optimise.rollout import default_plan_date, plan_rollout
    from coverage.registry.analysis import registry_stations
    from coverage.registry.store import open_registry, registry_url

    prov = load_province("45")
    stations = registry_stations(open_registry(registry_url()), prov, None)
    reach = service_reach(None, minutes, road_travel("45", roads_dir))
    return plan_rollout(
        prov, stations, default_plan_date(stations), TargetSchedule(), radius_m=reach["radius_m"], road=reach["road"],
        radius_min=reach["radius_min"], travel=reach["travel"], time_limit=settings.ROLLOUT_TIME_LIMIT_S,
    )  # fmt: skip


def run_plan(at: AppTest, model: str, p: int) -> AppTest:
    at.selectbox(key="plan_model").set_value(model)
    at.number_input(key="plan_p").set_value(p)
    next(b for b in at.button if b.label == "运行").click()
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    return at


def test_plan_sites_by_road_as_the_library_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    build_roads(PBF, "45", out_dir=tmp_path)
    at = start(tmp_path, monkeypatch)
    at.radio(key="radius_unit").set_value("min").run()
    at.slider(key="radius_min").set_value(30).run()
    goto(at, "plan")
    before = "选址与分期按道路车程计算：30 分钟以内（pandana，roads_guangxi.osm.pbf）；计入容量时仍按直线距离。"
    assert before in [c.value for c in at.main.caption]
    run_plan(at, "mclp", 3)

    inputs, expected = library_site(tmp_path, "mclp", 30.0, 3)
    assert expected.gap == 0.0  # solved to optimality: the page's answer is the same one
    done = at.success[0].value
    assert f"目标值 {expected.objective:,.1f}，界 {expected.bound:,.1f}" in done
    table = next(df.value for df in at.dataframe if "排名" in df.value.columns)
    assert table["代码"].tolist() == expected.selected
    captions = [c.value for c in at.main.caption]
    assert "结果按道路车程计算：30 分钟以内（pandana，roads_guangxi.osm.pbf）" in captions
    off = {o["kind"]: o["count"] for o in inputs.off_network}
    assert set(off) == {"demand points", "candidate sites", "stations"}  # the synthetic roads cover a few towns
    note = " ".join(i.value for i in at.info)
    assert f"需求点 {off['demand points']:,} 个" in note and f"候选点 {off['candidate sites']:,} 个" in note
    assert f"社工站 {off['stations']:,} 个" in note
    args = json.loads(at.get("component_instance")[0].proto.json_args)
    assert "结果按道路车程计算：30 分钟以内（pandana，roads_guangxi.osm.pbf）" in args["html"]  # the map's legend

    # the rollout by road: the plan command's call, the same years, sites and demand within 30 road minutes
    at.selectbox(key="plan_model").set_value("rollout")
    next(b for b in at.button if b.label == "运行").click()
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    plan = library_rollout(tmp_path, 30.0)
    assert plan.gap < 1e-9 and plan.travel == "road (pandana, roads_guangxi.osm.pbf)"
    assert f"目标值 {plan.objective:,.1f}，界 {plan.bound:,.1f}" in at.success[0].value
    lines = [m.value for m in at.markdown if "半径内需求" in m.value]
    assert lines == [
        f"{y.date}：目标 {y.target_share:.0%}，累计需 {y.required_total} 个；新建 {len(y.opened)} 个，"
        f"建成后覆盖率 {y.rate_after:.1%}，半径内需求 {y.demand_share_within_after:.1%}"
        for y in plan.years
    ]
    reasons = next(df.value for df in at.dataframe if "需求得分" in df.value.columns)
    assert reasons["代码"].astype(str).tolist() == [c for y in plan.years for c in y.reasons["code"].astype(str)]
    captions = [c.value for c in at.main.caption]
    assert "结果按道路车程计算：30 分钟以内（pandana，roads_guangxi.osm.pbf）" in captions
    assert "分期理由中的需求评分（距离、半径外需求）仍按直线半径 15.4 公里计算。" in captions
    off = {o["kind"]: o["count"] for o in plan.off_network}
    assert f"需求点 {off['demand points']:,} 个" in " ".join(i.value for i in at.info)

    # p-median by road: road minutes from township points to candidates, whatever the radius's unit
    run_plan(at, "pmedian", 3)
    inputs, expected = library_site(tmp_path, "pmedian", 30.0, 3)
    assert expected.gap < 1e-9  # proven optimal (the Lagrangian bound meets it): the page's answer is the same
    assert f"目标值 {expected.objective:,.1f}，界 {expected.bound:,.1f}" in at.success[0].value
    table = next(df.value for df in at.dataframe if "排名" in df.value.columns)
    assert table["代码"].tolist() == expected.selected
    assert "结果按道路车程（分钟）计算：乡镇点到候选点（pandana，roads_guangxi.osm.pbf）" in [
        c.value for c in at.main.caption
    ]
    off = {o["kind"]: o["count"] for o in inputs.off_network}
    assert f"乡镇点 {off['township points']:,} 个" in " ".join(i.value for i in at.info)

    # capacity is not done by road: said plainly, and the straight line of 30 minutes is used and named
    at.checkbox(key="plan_capacity").check()
    run_plan(at, "mclp", 3)
    captions = [c.value for c in at.main.caption]
    assert any(c.startswith("计入容量、经费和人员的选址与分期尚未按道路计算：本结果按直线距离") for c in captions)
    assert "结果按直线距离×1.3、40 km/h 计算：30 分钟（约直线 15.4 公里）" in captions
    assert not any("不在路网上" in i.value for i in at.info)


def test_plan_says_the_straight_line_when_the_radius_is_in_km(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    build_roads(PBF, "45", out_dir=tmp_path)
    at = start(tmp_path, monkeypatch)
    goto(at, "plan")
    assert any(
        c.value.startswith("服务半径以公里计：覆盖选址与分期按直线距离（10.0 公里），p-中位与 p-中心按道路车程")
        for c in at.main.caption
    )
    at.radio(key="travel").set_value("line").run()
    assert not any(c.value.startswith("服务半径以公里计") for c in at.main.caption)
