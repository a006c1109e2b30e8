"""Exports: every table and layer in CSV/XLSX/GeoJSON/GeoPackage, the map as HTML, the report for officials."""

import geopandas as gpd
import pandas as pd
import streamlit as st

from app_pages import common
from app_pages.i18n import t
from coverage.analysis.admin import covered_codes
from coverage.present import exports, webmap
from coverage.present.report import officials_report

view = common.current()
ss = st.session_state
st.title(t("exports_title", region=f"{view.region_name} · {view.as_of}"))
common.data_notes(view, "stations", "rates", "places")


def townships_layer() -> gpd.GeoDataFrame:
    towns = view.townships
    state = webmap.township_status(towns, covered_codes(view.stations, view.as_of) if len(view.stations) else set())
    cols = [
        "code",
        "name",
        "kind",
        "counted",
        "county_code",
        "county_name",
        "city_code",
        "city_name",
        "boundary_quality",
    ]
    out = towns[cols + ["geometry"]].copy()
    out["status"] = state.to_numpy()
    return out


def stations_layer() -> gpd.GeoDataFrame:
    s = view.stations.copy()
    if view.region and len(s):
        col = "city_code" if len(view.region) == 4 else "county_code"
        s = s[s[col].astype(str) == view.region]
    return s


def units_table() -> pd.DataFrame:
    units = common.coverage_status(view).units
    if view.region:
        units = units[units["code"].astype(str).str.startswith(view.region)]
    return units


def counties_layer() -> gpd.GeoDataFrame:
    counties = view.province.counties
    if view.region:
        counties = counties[counties["code"].astype(str).str.startswith(view.region)]
    units = common.coverage_status(view).units.set_index("code")
    out = counties[["code", "name", "city_code", "city_name", "geometry"]].copy()
    for col in ("counted", "covered", "rate", "status", "needed_for_next_target"):
        out[col] = out["code"].map(units[col])
    return out


def gaps_layer() -> gpd.GeoDataFrame:
    return common.gaps(view).gaps


def reach_layer() -> gpd.GeoDataFrame:
    return common.gaps(view).reach


def gap_towns() -> pd.DataFrame:
    return common.gaps(view).townships


def need_table() -> pd.DataFrame:
    return common.need(view)


def trajectory_table() -> pd.DataFrame:
    return common.rate_over_time(view)


ITEMS = {
    "townships": (townships_layer, True),
    "stations": (stations_layer, True),
    "counties": (counties_layer, True),
    "units": (units_table, False),
    "gaps": (gaps_layer, True),
    "gap_towns": (gap_towns, False),
    "reach": (reach_layer, True),
    "need": (need_table, False),
    "trajectory": (trajectory_table, False),
}

with common.friendly_errors():
    st.subheader(t("exports_tables"))
    c1, c2 = st.columns([2, 1])
    item = c1.selectbox(t("export_item"), list(ITEMS), format_func=lambda x: t(f"ex_{x}"), key="export_item")
    make, geo = ITEMS[item]
    formats = ["csv", "xlsx", "geojson", "gpkg"] if geo else ["csv", "xlsx"]
    fmt = c2.selectbox(t("export_format"), formats, format_func=str.upper, key="export_format")
    name = f"{t(f'ex_{item}')}_{view.region_name}_{view.as_of}"
    ext, mime = exports.FORMATS[fmt]

    def export_item() -> bytes:
        frame = make()
        lines = common.note_lines(view, "stations", "rates", "places")
        if item in ("gaps", "gap_towns", "reach"):
            lines = [*common.travel_lines(view), *lines]
        return exports.layer_export(frame, fmt, name, lines) if geo else exports.table_export(frame, fmt, name, lines)

    st.download_button(
        f"{t('download')} {exports.export_name(name, fmt)}",
        export_item,
        file_name=exports.export_name(name, fmt),
        mime=mime,
        on_click="ignore",
        key="export_download",
    )

    st.subheader(t("export_map"))

    def map_html() -> bytes:
        m = webmap.township_map(
            view.townships,
            view.open_stations,
            covered_codes(view.stations, view.as_of) if len(view.stations) else set(),
            view.province.counties if not view.region else None,
            labels=view.labels,
        )
        return exports.standalone_map_html(m, common.note_lines(view, "stations", "places")).encode("utf-8")

    map_name = f"{t('page_map')}_{view.region_name}_{view.as_of}"
    st.download_button(
        f"{t('download')} {exports.export_name(map_name, 'html')}",
        map_html,
        file_name=exports.export_name(map_name, "html"),
        mime="text/html",
        on_click="ignore",
        key="export_map",
    )

    st.subheader(t("export_report"))
    st.caption(t("export_report_help"))
    plan = ss.get("plan")
    rollout = plan["result"] if plan and plan["model"] == "rollout" and plan["key"] == (view.key, view.token) else None
    st.caption(t("export_with_plan") if rollout is not None else t("export_without_plan"))

    def report() -> bytes:
        return officials_report(
            view.province,
            view.stations,
            view.as_of,
            view.schedule,
            region=view.region or None,
            rollout=rollout,
            lang=view.lang,
            station_list=view.station_list,
        )

    report_name = f"{t('export_report').split('（')[0].split(' (')[0]}_{view.region_name}_{view.as_of}"
    st.download_button(
        f"{t('download')} {exports.export_name(report_name, 'xlsx')}",
        report,
        file_name=exports.export_name(report_name, "xlsx"),
        mime=exports.FORMATS["xlsx"][1],
        on_click="ignore",
        type="primary",
        key="export_report",
    )
