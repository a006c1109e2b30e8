"""Map page: townships with and without a station."""

import streamlit as st
from streamlit_folium import st_folium

from app_pages import common
from coverage.admin import covered_codes, township_counts
from coverage.webmap import township_map

code = st.session_state["province"]
as_of = st.session_state["as_of"]
prov = common.province(code)
imported = common.default_stations(code)
stations = imported.stations if imported is not None else None

st.title(f"{prov.name}社工站分布")
counts = township_counts(prov.townships, stations, as_of) if stations is not None else None
c1, c2, c3 = st.columns(3)
c1.metric("计入目标的乡镇（街道）", f"{len(prov.townships[prov.townships['counted']]):,}")
c2.metric("有社工站的乡镇（街道）", f"{counts['covered']:,}" if counts else "—")
c3.metric("覆盖率", f"{counts['rate']:.1%}" if counts else "—")
if imported is not None:
    st.caption(
        f"社工站名单：{len(imported.report)} 行，"
        f"其中 {len(stations)} 个已定位到乡镇；来源见 data/stations/README.md。"
    )
if prov.approximate:
    st.info("乡镇（街道）边界为按县域自动划分的近似单元，仅用于示意和统计，不代表官方界线。")

m = township_map(
    prov.townships,
    stations=stations,
    covered_codes=covered_codes(stations, as_of) if stations is not None else set(),
    counties=prov.counties,
)
st_folium(m, height=620, use_container_width=True, returned_objects=[], key=f"map-{code}")
