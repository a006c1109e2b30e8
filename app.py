"""Streamlit entry point: ``streamlit run app.py``.

Only widgets, layout and cached calls into the ``coverage`` package live in
the app; the shared sidebar is defined once in ``app_pages/common.py``, each
page in its own file in ``app_pages/``.  The stations every page reads come
from the station registry; while a file uploaded this session stands in for
it, a banner above every page says so.  When the registry has accounts, a login page
comes first (and comes back after ``settings.SESSION_IDLE_MIN`` idle minutes); the pages and
their controls then follow the account's role and scope.
"""

import streamlit as st

from app_pages import common
from app_pages.i18n import t

st.set_page_config(page_title="社工站覆盖规划", layout="wide")

# No page icons: Streamlit would fetch Material icons from fonts.gstatic.com for the favicon.
PAGES = [
    ("app_pages/overview.py", "page_overview", "overview"),
    ("app_pages/map.py", "page_map", "map"),
    ("app_pages/gaps.py", "page_gaps", "gaps"),
    ("app_pages/plan.py", "page_plan", "plan"),
    ("app_pages/trips.py", "page_trips", "trips"),
    ("app_pages/data.py", "page_data", "data"),
    ("app_pages/exports.py", "page_exports", "exports"),
]
AUDIT = ("app_pages/audit.py", "page_audit", "audit")
if not common.session_ok():
    # accounts, and nobody logged in: the address of every page shows the login page (no "page not
    # found"), and after logging in comes the page asked for
    login = [
        st.Page(common.login_page, title=t("login_title"), url_path=url, default=(url == "overview"))
        for _, _, url in [*PAGES, AUDIT]
    ]
    st.navigation(login, position="hidden").run()
    st.stop()

common.sidebar()
if common.may_audit():
    PAGES.append(AUDIT)
page = st.navigation(
    [st.Page(path, title=t(title), url_path=url, default=(url == "overview")) for path, title, url in PAGES]
)
common.what_if_banner()
page.run()
