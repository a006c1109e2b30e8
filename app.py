"""Streamlit entry point: ``streamlit run app.py``.

Only widgets, layout and cached calls into the ``coverage`` package live in
the app; the shared sidebar is defined here once, the pages in ``app_pages/``.
"""

import streamlit as st

from app_pages import common

st.set_page_config(page_title="社工站覆盖规划", page_icon="🏘️", layout="wide")

common.sidebar()
page = st.navigation([st.Page("app_pages/map.py", title="地图", icon="🗺️", default=True)])
page.run()
