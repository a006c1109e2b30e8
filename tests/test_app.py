"""The app, page by page, with Streamlit's AppTest (no browser)."""

import datetime as dt
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest


@pytest.fixture
def app():
    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=180)
    at.run()
    assert not at.exception
    return at


def metrics(at):
    return {m.label: m.value for m in at.metric}


def map_args(at):
    components = at.get("component_instance")
    assert len(components) == 1
    return json.loads(components[0].proto.json_args)


def status_count(script: str, status: str) -> int:
    """Features with this status in the map's inline GeoJSON (non-ASCII is escaped there)."""
    return script.count('"status": ' + json.dumps(status))


def test_opens_on_guangxi_with_the_count_of_townships_with_a_station(app):
    assert app.selectbox(key="province").value == "45"
    assert metrics(app) == {"计入目标的乡镇（街道）": "1,253", "有社工站的乡镇（街道）": "375", "覆盖率": "29.9%"}
    assert any("近似" in i.value for i in app.info)


def test_the_map_holds_townships_and_stations_and_only_local_assets(app):
    args = map_args(app)
    script = args["script"]
    assert status_count(script, "有社工站") == 375
    assert status_count(script, "无社工站") == 1253 - 375
    assert script.count("\"station_id\": ") == 375  # one point feature per station
    assert "new L.CircleMarker(latlng" in script
    assert args["js_links"] == ["/app/static/vendor/leaflet/leaflet.js"]
    assert args["css_links"] == ["/app/static/vendor/leaflet/leaflet.css"]
    assert "https://" not in args["header"]
    assert "近似" in args["html"]  # the legend says the boundaries are approximate


def test_switching_to_guangdong(app):
    app.selectbox(key="province").set_value("44").run()
    assert not app.exception
    assert metrics(app)["计入目标的乡镇（街道）"] == "1,610"
    assert metrics(app)["有社工站的乡镇（街道）"] == "23"
    assert status_count(map_args(app)["script"], "有社工站") == 23


def test_as_of_date_before_the_pilot_shows_no_station_open(app):
    app.date_input(key="as_of").set_value(dt.date(2019, 12, 31)).run()
    assert metrics(app)["有社工站的乡镇（街道）"] == "0"
    app.date_input(key="as_of").set_value(dt.date(2021, 12, 31)).run()
    assert metrics(app)["有社工站的乡镇（街道）"] == "375"
