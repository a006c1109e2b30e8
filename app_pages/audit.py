"""Audit trail: every write and refusal of the registry (who, when, what, before and after), read-only.

Open to reviewers and admins (and in single-user mode); a reviewer sees the rows of places in
their scope.  Filters by user, first day and station; CSV/XLSX downloads of what is shown.
"""

import pandas as pd
import streamlit as st

from app_pages import common
from app_pages.i18n import t, t_known
from coverage import settings
from coverage.registry import audit

st.title(t("audit_title"))
if not common.may_audit():
    st.warning(t("audit_not_allowed"))
    st.stop()
st.caption(t("audit_help"))
reg = common.registry()


def visible(table: pd.DataFrame) -> pd.DataFrame:
    """The rows the session may read: all in single-user mode; with accounts, those of places in the
    actor's scope, and for an admin also those of no place (logins)."""
    who = common.actor()
    if who is None or table.empty:
        return table
    keep = [common.in_scope(str(s)) if pd.notna(s) and s else who.role == "admin" for s in table["scope"]]
    return table[keep]


def china_time(column: pd.Series) -> pd.Series:
    """UTC times (as the registry stores them) as China time, to the second."""
    times = pd.to_datetime(column).dt.tz_localize("UTC").dt.tz_convert(settings.LOCAL_TZ)
    return times.dt.strftime("%Y-%m-%d %H:%M:%S")


def shown(table: pd.DataFrame) -> pd.DataFrame:
    """The trail for reading: Chinese (or English) headers, actions, roles and outcomes in words."""
    return pd.DataFrame(
        {
            t("audit_col_at"): china_time(table["at"]),
            t("audit_col_actor"): table["actor"],
            t("audit_col_role"): [common.role_text(r) if pd.notna(r) and r else "" for r in table["role"]],
            t("audit_col_action"): [t_known("audit_action_", a) for a in table["action"]],
            t("audit_col_outcome"): [t_known("audit_outcome_", o) for o in table["outcome"]],
            t("audit_col_target"): table["target"].fillna(""),
            t("audit_col_station"): table["station_id"].fillna(""),
            t("audit_col_scope"): table["scope"].fillna(""),
            t("audit_col_before"): table["before"].fillna(""),
            t("audit_col_after"): table["after"].fillna(""),
            t("audit_col_detail"): table["detail"].fillna(""),
        }
    )


with common.friendly_errors():
    everyone = visible(audit.trail(reg))
    c1, c2, c3 = st.columns(3)
    users = ["", *sorted(set(everyone["actor"].astype(str)))]
    user = c1.selectbox(t("audit_user"), users, format_func=lambda u: u or t("all"), key="audit_user")
    since = c2.date_input(t("audit_since"), value=None, key="audit_since")
    station = c3.text_input(t("audit_station"), key="audit_station", max_chars=64).strip()
    table = visible(audit.trail(reg, user=user or None, since=since, station=station or None))
    st.caption(t("audit_count", n=len(table)))
    out = shown(table.iloc[::-1])  # the newest first
    st.dataframe(out, hide_index=True, width="stretch", key="audit_table")
    if len(out):
        common.download_buttons(f"{t('audit_title')}_{since or t('all')}", out, key="audit")
