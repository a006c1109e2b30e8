"""Shared sidebar and cached loaders of the app."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from coverage import settings
from coverage.data import default_stations_path, load_province, province_files
from coverage.register import load_register
from coverage.stations import read_stations


@st.cache_resource(show_spinner="读取省级数据…")
def province(code: str):
    """The province's layers (cached for every session)."""
    return load_province(code)


@st.cache_resource(show_spinner="导入社工站名单…")
def default_stations(code: str):
    """The committed station list of a province, imported (None if there is none)."""
    path = default_stations_path(code)
    return read_stations(path, province=code) if path else None


def province_choices() -> dict[str, str]:
    reg = load_register()
    return {code: reg.provinces.loc[code, "name"] for code in sorted(province_files())}


def sidebar() -> None:
    """Province and as-of date, stored in ``st.session_state``."""
    choices = province_choices()
    codes = list(choices)
    default = codes.index(settings.DEFAULT_PROVINCE) if settings.DEFAULT_PROVINCE in codes else 0
    with st.sidebar:
        st.selectbox("省份", codes, index=default, format_func=lambda c: f"{choices[c]} ({c})", key="province")
        st.date_input("统计日期", value=dt.date.today(), key="as_of")
