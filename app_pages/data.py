"""Data: the station registry (table, edit, add and move on the map, close), monthly ledgers (submit,
review, accept), a station file as a session-only what-if, and township boundaries."""

import datetime as dt
import functools
import tempfile
from pathlib import Path
from typing import Any

import folium
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from app_pages import common
from app_pages.i18n import lang, t, t_known
from coverage import settings
from coverage.analysis.admin import covered_codes
from coverage.analysis.scenario import township_at
from coverage.data.provinces import load_province
from coverage.data.replace import replace_townships
from coverage.data.schema import STATUSES
from coverage.data.stations import candidate_codes, read_station_list, resolve
from coverage.present import webmap
from coverage.present.i18n.messages import translate, translate_finding
from coverage.registry import forms, ledger, schema
from coverage.registry.store import ConflictError, Registry, records

view = common.current()
ss = st.session_state
st.title(t("data_title"))
common.data_notes(view, "stations")
reg = common.registry()
towns = view.province.townships.set_index(view.province.townships["code"].astype(str))

SECTIONS = ("registry", "ledger", "whatif", "boundaries")
section = st.radio(
    t("data_section"), SECTIONS, format_func=lambda s: t(f"data_section_{s}"), horizontal=True, key="data_section"
)
#: The range of dates a person may give.
EARLIEST, LATEST = dt.date.fromisoformat(settings.EARLIEST_DATE), dt.date.fromisoformat(settings.LATEST_DATE)
flash = ss.pop("data_flash", None)
if flash:
    st.success(flash)


def done(message: str) -> None:
    """Say ``message`` after the rerun that shows the registry's new state."""
    ss["data_flash"] = message
    st.rerun()


def conflict(exc: ConflictError) -> None:
    st.error(t("edit_conflict", error=translate(str(exc), lang())))


# --------------------------------------------------------------------------- cached reads of the registry
@st.cache_data(show_spinner=False, max_entries=16)
def _states(token: str, province: str, as_of: dt.date, known_on: dt.date | None) -> pd.DataFrame:
    return reg.current(province, as_of=as_of, known_on=known_on)


def states() -> pd.DataFrame:
    """Every station of the province in its state on the as-of date, as the registry knew it on the known-on day."""
    table = _states(view.registry_token, str(view.province.code), view.as_of, view.known_on)
    if view.region and len(table):
        codes = table["township_code"].astype(str)
        table = table[codes.str.startswith(view.region)]
    return table


def place_of(code: Any) -> tuple[str, str]:
    """(county name, township name) of a township code ('' for an unknown one)."""
    code = str(code or "")
    if code not in towns.index:
        return "", code
    return str(towns.at[code, "county_name"]), str(towns.at[code, "name"])


def station_label(row: dict[str, Any]) -> str:
    county, town = place_of(row.get("township_code"))
    return f"{row.get('name') or ''} · {county}{town} ({row['station_id']})"


def registry_table(table: pd.DataFrame) -> pd.DataFrame:
    """The registry's stations for reading: Chinese (or English) headers, names of places, statuses in words."""
    places = [place_of(c) for c in table["township_code"]]
    return pd.DataFrame(
        {
            t("reg_col_id"): table["station_id"],
            t("reg_col_name"): table["name"],
            t("col_county"): [p[0] for p in places],
            t("rep_township"): [p[1] for p in places],
            t("reg_col_status"): [t_known("sst_", s) for s in table["status"]],
            t("reg_col_opened"): day_text(table["opened"]),
            t("reg_col_closed"): day_text(table["closed"]),
            t("reg_col_workers"): whole(table["social_workers"]),
            t("reg_col_certified"): whole(table["certified_workers"]),
            t("reg_col_households"): whole(table["households_served"]),
            t("reg_col_people"): whole(table["people_served"]),
            t("reg_col_cases"): whole(table["case_files"]),
            t("reg_col_operator"): table["operator"].fillna(""),
            t("reg_col_contact"): table["contact"].fillna(""),
            t("reg_col_source"): table["source"],
            t("reg_col_recorded"): pd.to_datetime(table["recorded_at"]).dt.strftime("%Y-%m-%d %H:%M"),
            t("reg_col_by"): table["recorded_by"],
        }
    )


def whole(column: pd.Series) -> pd.Series:
    """Counts with gaps as whole numbers (not 3.0); the gaps are shown as empty cells."""
    return pd.Series(pd.array(column.tolist(), dtype="Int64"), index=column.index)


def day_text(column: pd.Series) -> pd.Series:
    """Dates as YYYY-MM-DD, missing ones as empty cells."""
    return pd.Series([d.isoformat() if isinstance(d, dt.date) else "" for d in column], index=column.index)


# --------------------------------------------------------------------------- the registry
def field_inputs(prefix: str, values: dict[str, Any]) -> dict[str, Any]:
    """Inputs for the editable attributes of a station (keys ``<prefix>-<field>``), filled with ``values``."""
    out: dict[str, Any] = {}
    c1, c2 = st.columns(2)
    out["name"] = c1.text_input(t("reg_col_name"), value=values.get("name") or "", key=f"{prefix}-name", max_chars=200)
    statuses = list(schema.STATUSES)
    out["status"] = c2.selectbox(
        t("reg_col_status"),
        statuses,
        index=statuses.index(values.get("status") or "open"),
        format_func=lambda s: t(f"sst_{s}"),
        key=f"{prefix}-status",
    )
    out["opened"] = c1.date_input(
        t("reg_col_opened"), value=values.get("opened"), key=f"{prefix}-opened", min_value=EARLIEST, max_value=LATEST
    )
    hosts = ["", *schema.HOSTS]
    out["host"] = c2.selectbox(
        t("reg_col_host"),
        hosts,
        index=hosts.index(values.get("host") or ""),
        format_func=lambda h: t_known("host_", h) if h else "—",
        key=f"{prefix}-host",
    )
    out["operator"] = c1.text_input(
        t("reg_col_operator"), value=values.get("operator") or "", key=f"{prefix}-operator", max_chars=200
    )
    out["contact"] = c2.text_input(
        t("reg_col_contact"), value=values.get("contact") or "", key=f"{prefix}-contact", max_chars=200
    )
    counts = ("social_workers", "certified_workers", "households_served", "people_served", "case_files")
    cols = st.columns(len(counts) + 1)
    out["funding_yuan"] = cols[0].number_input(
        t("reg_col_funding"), min_value=0.0, value=values.get("funding_yuan"), step=1000.0, key=f"{prefix}-funding"
    )
    for col, name in zip(cols[1:], counts, strict=True):
        value = values.get(name)
        out[name] = col.number_input(
            t(f"reg_field_{name}"),
            min_value=0,
            value=None if value is None else int(value),
            step=1,
            key=f"{prefix}-{name}",
        )
    out["notes"] = st.text_area(t("reg_col_notes"), value=values.get("notes") or "", key=f"{prefix}-notes")
    return out


def loaded_version(sid: str) -> dict[str, Any] | None:
    """The version of ``sid`` the forms were loaded with (kept until saved or reloaded): a write is based
    on it, so a change someone else recorded meanwhile is refused, not overwritten."""
    loaded = ss.setdefault("edit_loaded", {})
    if sid not in loaded:
        loaded[sid] = reg.head(sid)
    return loaded[sid]


def edit_form(sid: str, base: dict[str, Any]) -> None:
    version = base["version_id"]
    with st.form(f"edit-{sid}-{version}"):
        st.caption(
            t("edit_loaded", version=version, by=base["recorded_by"], at=f"{base['recorded_at']:%Y-%m-%d %H:%M}")
        )
        values = field_inputs(f"ef-{sid}-{version}", base)
        valid = change_date(t("valid_from"), f"ef-{sid}-{version}-valid", help=t("valid_from_help"))
        saved = st.form_submit_button(t("edit_save"), type="primary", key="edit_save")
    if not saved:
        return
    changed = forms.changes(base, values)
    if not changed:
        st.info(t("edit_nothing"))
        return
    try:
        written = reg.change(sid, version, changed, valid, view.by)
    except ConflictError as exc:
        conflict(exc)
        return
    ss["edit_loaded"].pop(sid, None)
    names = "、".join(t(f"reg_field_{k}") for k in changed)
    done(t("edit_saved", name=base.get("name") or sid, fields=names, version=written.version_id))


def change_date(label: str, key: str, help: str | None = None) -> dt.date:
    """The date a change takes effect: today by default, within the registry's dates."""
    return st.date_input(label, value=dt.date.today(), key=key, help=help, min_value=EARLIEST, max_value=LATEST)


def close_form(sid: str, base: dict[str, Any]) -> None:
    version = base["version_id"]
    with st.form(f"close-{sid}-{version}"):
        day = change_date(t("close_date"), f"close-{sid}-{version}-date")
        reason = st.text_input(t("close_reason"), key=f"close-{sid}-{version}-reason", max_chars=200)
        closing = st.form_submit_button(t("close_save"), type="primary", key="close_save")
    if closing:
        try:
            reg.close(sid, version, day, view.by, reason=reason.strip())
        except ConflictError as exc:
            conflict(exc)
            return
        ss["edit_loaded"].pop(sid, None)
        done(t("closed_done", name=base.get("name") or sid, date=day))


def history_table(sid: str) -> None:
    rows = reg.history(sid)
    shown = pd.DataFrame(
        {
            t("hist_valid_from"): rows["valid_from"],
            t("reg_col_recorded"): pd.to_datetime(rows["recorded_at"]).dt.strftime("%Y-%m-%d %H:%M"),
            t("reg_col_by"): rows["recorded_by"],
            t("hist_action"): [t_known("action_", a) for a in rows["action"]],
            t("reg_col_source"): rows["source"],
            t("reg_col_status"): [t_known("sst_", s) for s in rows["status"]],
            t("reg_col_name"): rows["name"],
            t("rep_township_code"): rows["township_code"],
            t("reg_col_workers"): rows["social_workers"],
            t("reg_col_certified"): rows["certified_workers"],
        }
    )
    st.dataframe(shown, hide_index=True, width="stretch", key="station_history")


def pick_map(table: pd.DataFrame, selected: dict[str, Any] | None) -> None:
    """The region's townships and stations; a click is kept as ``map_pick`` (lon, lat) for the forms below."""
    region = view.townships
    geoms = common.display(view, "townships")
    m = webmap.new_map(region.total_bounds)
    covered = covered_codes(view.stations, view.as_of) if len(view.stations) else set()
    webmap.township_layer(geoms[0], covered, view.labels, geometry=geoms[1]).add_to(m)
    open_now = view.open_stations
    if len(open_now):
        webmap.station_layer(open_now, view.labels).add_to(m)
    pick = ss.get("map_pick")
    if pick:
        folium.CircleMarker([pick["lat"], pick["lon"]], radius=9, color="#d81b60", weight=3, fill=False).add_to(m)
    if selected is not None and selected.get("lon") is not None:
        folium.CircleMarker(
            [selected["lat"], selected["lon"]], radius=11, color="#ff6f00", weight=3, fill=False
        ).add_to(m)
    clicked = st_folium(
        webmap.finish(m, webmap.legend(view.labels, approximate=view.province.approximate), control=False),
        height=460,
        use_container_width=True,
        returned_objects=["last_object_clicked", "last_clicked"],
        key=f"registry-map-{view.key}-{view.region}",
    )
    # a click on a township (every place of the province is one) is an object click; elsewhere a map click
    for kind in ("last_object_clicked", "last_clicked"):
        click = (clicked or {}).get(kind)
        if click and click != ss.get(f"registry_{kind}"):
            ss[f"registry_{kind}"] = click
            ss["map_pick"] = {"lon": round(float(click["lng"]), 6), "lat": round(float(click["lat"]), 6)}


def picked_township() -> tuple[dict[str, float], str] | None:
    """The point clicked on the map and the township it lies in; None (with a message) when there is none."""
    pick = ss.get("map_pick")
    if not pick:
        st.caption(t("map_pick_hint"))
        return None
    code = township_at(view.province.townships, pick["lon"], pick["lat"])
    if code is None:
        st.warning(t("map_pick_outside", lon=pick["lon"], lat=pick["lat"]))
        return None
    who = common.actor()
    if who is not None and not common.may("edit", code):
        county, town = place_of(code)
        st.warning(t("pick_outside_scope", place=f"{county}{town}", scope=common.scope_text(who.scope)))
        return None
    return pick, code


def add_form(pick: dict[str, float], code: str) -> None:
    county, town = place_of(code)
    st.markdown(t("add_at", county=county, town=town, code=code, lon=pick["lon"], lat=pick["lat"]))
    key = f"add-{code}-{pick['lon']}-{pick['lat']}"
    with st.form(key):
        sid = st.text_input(t("reg_col_id"), value=forms.suggest_station_id(reg, code), key=f"{key}-id", max_chars=64)
        values = field_inputs(key, {"name": f"{county}{town}社工站", "status": "open", "opened": dt.date.today()})
        added = st.form_submit_button(t("add_save"), type="primary", key="add_save")
    if not added:
        return
    fields = forms.changes({}, values) | {
        "township_code": code,
        "county_code": str(towns.at[code, "county_code"]),
        "lon": pick["lon"],
        "lat": pick["lat"],
        "lon_given": str(pick["lon"]),
        "lat_given": str(pick["lat"]),
        "crs_given": "wgs84",
    }
    valid = values["opened"] or dt.date.today()
    reg.add(sid.strip(), str(view.province.code), fields, valid, view.by)
    ss.pop("map_pick", None)
    done(t("added_done", name=values["name"], sid=sid.strip(), town=town))


def move_form(sid: str, base: dict[str, Any], pick: dict[str, float], code: str) -> None:
    county, town = place_of(code)
    version = base["version_id"]
    st.markdown(t("move_to", name=base.get("name") or sid, county=county, town=town, lon=pick["lon"], lat=pick["lat"]))
    with st.form(f"move-{sid}-{version}"):
        valid = change_date(t("valid_from"), f"move-{sid}-{version}-valid")
        moving = st.form_submit_button(t("move_save"), type="primary", key="move_save")
    if not moving:
        return
    changes = {
        "township_code": code,
        "county_code": str(towns.at[code, "county_code"]),
        "lon": pick["lon"],
        "lat": pick["lat"],
        "lon_given": str(pick["lon"]),
        "lat_given": str(pick["lat"]),
        "crs_given": "wgs84",
    }
    try:
        reg.change(sid, version, changes, valid, view.by, action="move")
    except ConflictError as exc:
        conflict(exc)
        return
    ss["edit_loaded"].pop(sid, None)
    ss.pop("map_pick", None)
    done(t("moved_done", name=base.get("name") or sid, town=town))


def registry_section() -> None:
    known = t("registry_known_on", date=view.known_on) if view.known_on else t("registry_known_now")
    st.caption(t("registry_source", url=reg.url, as_of=view.as_of, known=known))
    if view.what_if:
        st.info(t("registry_while_what_if"))
    table = states()
    c1, c2 = st.columns([2, 3])
    chosen = c1.multiselect(
        t("reg_status_filter"),
        list(schema.STATUSES),
        default=list(schema.STATUSES),
        format_func=lambda s: t(f"sst_{s}"),
        key="reg_status_filter",
    )
    search = c2.text_input(t("reg_search"), key="reg_search", placeholder=t("reg_search_hint")).strip().lower()
    if len(table):
        table = table[table["status"].isin(chosen)]
    if search and len(table):
        places = ["".join(place_of(c)) for c in table["township_code"]]
        text = (
            table["station_id"].astype(str)
            + " "
            + table["name"].fillna("").astype(str)
            + " "
            + pd.Series(places, index=table.index)
            + " "
            + table["operator"].fillna("").astype(str)
            + " "
            + table["contact"].fillna("").astype(str)
        ).str.lower()
        table = table[text.str.contains(search, regex=False)]
    where = view.region_name if view.region else view.province.name
    st.caption(t("reg_count", n=len(table), region=where))
    shown = registry_table(table) if len(table) else pd.DataFrame()
    # missing counts as empty cells, not "None"
    st.dataframe(shown.style.format(na_rep=""), hide_index=True, width="stretch", height=320, key="registry_table")
    if len(table):
        common.download_buttons(f"{t('data_section_registry')}_{where}_{view.as_of}", shown, key="registry")

    st.subheader(t("station_edit"))
    editor = common.may("edit")
    who = common.actor()
    if who is not None and not editor:
        st.info(t("read_only_role", role=common.role_text(who.role), scope=common.scope_text(who.scope)))
    elif who is not None:
        st.caption(t("edit_scope_note", scope=common.scope_text(who.scope)))
    rows = records(table) if len(table) else []
    if editor:  # an editor picks only stations in her scope (a viewer picks any, to read its history)
        rows = [r for r in rows if common.may("edit", str(r["township_code"]))]
    labels = {r["station_id"]: station_label(r) for r in rows}
    options = ["", *labels]
    if ss.get("edit_station") not in options:
        ss["edit_station"] = ""
    sid = st.selectbox(
        t("station_pick"), options, format_func=lambda s: labels.get(s, t("station_pick_none")), key="edit_station"
    )
    base = loaded_version(sid) if sid else None
    if editor:
        action = st.radio(
            t("station_action"),
            ("edit", "close", "history", "add", "move"),
            format_func=lambda a: t(f"station_action_{a}"),
            horizontal=True,
            key="station_action",
        )
    else:
        action = "history"
    if view.known_on:
        st.caption(t("edits_use_newest"))
    if action in ("add", "move"):
        pick_map(table, base)
        found = picked_township()
        if found is None:
            return
        if action == "add":
            add_form(*found)
        elif base is None:
            st.info(t("station_pick_first"))
        else:
            move_form(sid, base, *found)
        return
    if base is None:
        st.info(t("station_pick_first"))
        return
    if action == "history":
        history_table(sid)
        return
    if st.button(t("edit_reload"), key="edit_reload"):
        ss["edit_loaded"].pop(sid, None)
        st.rerun()
    if action == "edit":
        edit_form(sid, base)
    else:
        close_form(sid, base)


# --------------------------------------------------------------------------- monthly ledgers
KINDS_SHOWN = ("new", "closed", "moved", "renamed", "staff", "caseload", "status", "missing", "rejected", "unchanged")


def row_text(row: Any) -> str:
    """A finding's row number in the file, or a dash for a station the ledger does not list."""
    return "—" if row is None or pd.isna(row) else str(int(row))


def kinds_text(kind: str) -> str:
    return "、".join(t(f"kind_{k}") for k in str(kind).split("+"))


def county_options() -> dict[str, str]:
    counties = view.province.counties.sort_values("code")
    if view.region:
        counties = counties[counties["code"].astype(str).str.startswith(view.region[:4])]
    return dict(zip(counties["code"].astype(str), counties["name"], strict=True))


def submit_ledger() -> None:
    counties = {c: n for c, n in county_options().items() if common.may("submit", c)}
    if not counties:  # a viewer or a reviewer, or no county of the region in the editor's scope
        return
    st.subheader(t("ledger_submit_title"))
    st.caption(t("ledger_submit_help"))
    c1, c2, c3, c4 = st.columns([3, 1, 2, 2])
    upload = c1.file_uploader(
        t("ledger_file"),
        type=["csv", "xlsx", "txt"],
        key="ledger_file",
        max_upload_size=settings.MAX_STATION_FILE_MB,
        help=t("upload_limit", mb=settings.MAX_STATION_FILE_MB),
    )
    month = c2.text_input(t("ledger_month"), value=forms.last_complete_month(), key="ledger_month_in")
    default = view.region if view.region in counties else next(iter(counties))
    unit = c3.selectbox(
        t("ledger_unit"),
        list(counties),
        index=list(counties).index(default),
        format_func=lambda c: f"{counties[c]} ({c})",
        key="ledger_unit",
    )
    crs = c4.selectbox(
        t("file_crs"), settings.STATION_CRS_CHOICES, format_func=lambda c: t(f"crs_{c}"), key="ledger_crs"
    )
    clicked = st.button(t("ledger_submit"), type="primary", key="ledger_submit", disabled=upload is None)
    if upload is not None and not common.upload_fits(upload, settings.MAX_STATION_FILE_MB):
        return
    if clicked and upload is not None:
        sub = ledger.submit(reg, upload.getvalue(), upload.name, month, unit, view.by, crs=crs)
        ss["review_month"] = sub.month
        ss["review_submission"] = sub.submission_id
        done(t("ledger_submitted", id=sub.submission_id, county=counties[unit], month=sub.month, n=len(sub.rows)))


@st.cache_data(show_spinner=False, max_entries=16)
def _submissions(token: str, province: str, month: str) -> pd.DataFrame:
    return ledger.submissions(reg, province, month)


def review_ledgers() -> None:
    if not (common.may("review") or common.may("submit")):
        return
    st.subheader(t("ledger_review_title"))
    if not common.may("review"):
        st.caption(t("ledger_review_by_reviewer"))
    if "review_month" not in ss:
        ss["review_month"] = forms.last_complete_month()
    month = st.text_input(t("ledger_month"), key="review_month")
    subs = _submissions(view.registry_token, str(view.province.code), month)
    if view.region and len(subs):
        subs = subs[[u.startswith(view.region[:4]) or view.region.startswith(u) for u in subs["unit_code"]]]
    if len(subs):  # with accounts: the submissions in the actor's scope
        subs = subs[[common.in_scope(str(u)) for u in subs["unit_code"]]]
    if subs.empty:
        st.info(t("ledger_none", month=month))
        return
    names = common.unit_names(view.key)
    labels = {
        int(r["submission_id"]): t(
            "ledger_label",
            id=int(r["submission_id"]),
            unit=names.get(r["unit_code"], r["unit_code"]),
            file=r["filename"],
            by=r["submitted_by"],
            at=f"{pd.Timestamp(r['submitted_at']):%Y-%m-%d %H:%M}",
            pending=int(r["pending"]),
        )
        for r in records(subs)
    }
    ids = sorted(labels, reverse=True)
    if ss.get("review_submission") not in ids:
        ss["review_submission"] = ids[0]
    sid = st.selectbox(t("ledger_pick"), ids, format_func=lambda i: labels[i], key="review_submission")
    unit = str(subs.set_index("submission_id").at[sid, "unit_code"])
    review_submission(reg, int(sid), may_decide=common.may("review", unit))


def review_submission(reg: Registry, submission_id: int, may_decide: bool = True) -> None:
    rows = ledger.rows(reg, submission_id)
    counts: dict[str, int] = {}
    for kind in rows["kind"]:
        for part in str(kind).split("+"):
            counts[part] = counts.get(part, 0) + 1
    st.markdown(
        t("ledger_findings", parts="，".join(f"{t(f'kind_{k}')} {counts[k]}" for k in KINDS_SHOWN if counts.get(k)))
    )
    shown = pd.DataFrame(
        {
            t("ledger_col_id"): rows["id"],
            t("rep_row"): rows["row"],
            t("ledger_col_kind"): [kinds_text(k) for k in rows["kind"]],
            t("reg_col_id"): rows["station_id"],
            t("valid_from"): rows["valid_from"],
            t("rep_message"): [translate_finding(m, lang()) for m in rows["message"]],
            t("ledger_col_decision"): [t(f"decision_{d}") for d in rows["decision"]],
        }
    )
    st.dataframe(shown, hide_index=True, width="stretch", key="ledger_findings")
    report = ledger.submission_report(reg, submission_id)
    with st.expander(t("ledger_report")):
        for note in report.get("notes", []):
            st.caption(translate(note, lang()))
        st.dataframe(
            common.report_table(pd.DataFrame(report["report"])), hide_index=True, width="stretch", key="ledger_report"
        )
    name, data = ledger.submission_file(reg, submission_id)
    st.download_button(t("ledger_download", file=name), data, file_name=name, on_click="ignore", key="ledger_download")

    pending = rows[rows["decision"] == "pending"]
    if not may_decide:  # findings only: the decision buttons are a reviewer's (in scope)
        return
    if pending.empty:
        st.caption(t("ledger_all_decided"))
        return
    choices = {
        int(r["id"]): t(
            "ledger_row_label",
            id=int(r["id"]),
            row=row_text(r["row"]),
            kind=kinds_text(r["kind"]),
            station=r["station_id"] or "",
        )
        for r in records(pending)
    }
    picked = st.multiselect(
        t("ledger_rows"), list(choices), format_func=lambda i: choices[i], key=f"review_rows-{submission_id}"
    )
    c1, c2, c3, c4 = st.columns(4)
    decisions = {
        "accept_rows": (c1, ledger.accept, picked or None, not picked),
        "reject_rows": (c2, ledger.reject, picked or None, not picked),
        "accept_all": (c3, ledger.accept, None, False),
        "reject_all": (c4, ledger.reject, None, False),
    }
    for key, (col, decide, row_ids, disabled) in decisions.items():
        if col.button(t(f"ledger_{key}"), key=key, disabled=disabled, width="stretch"):
            try:
                after = decide(reg, submission_id, view.by, row_ids)
            except ConflictError as exc:
                conflict(exc)
                return
            decided = after[after["id"].isin(row_ids or pending["id"].tolist())]
            n = {d: int((decided["decision"] == d).sum()) for d in ("accepted", "rejected")}
            done(t("ledger_decided", accepted=n["accepted"], rejected=n["rejected"]))


# --------------------------------------------------------------------------- a what-if station file
@st.cache_resource(show_spinner=False, max_entries=16)
def _import(data: bytes, filename: str, province: str, crs: str, key: str):
    return read_station_list(
        data, filename=filename, province=province, crs=crs, townships=common.province_of(key).townships
    )


def candidate_label(labels: dict[str, str], code: str) -> str:
    """A candidate township of an ambiguous row, in the session's language ("" means: leave it)."""
    return (translate(labels[code], lang()) + f" ({code})") if code else t("resolve_skip")


def what_if_section() -> None:
    st.caption(t("what_if_help"))
    nature = view.station_list.nature if view.station_list is not None else "official"
    source = t(f"source_{nature}", n=len(view.stations)) if view.what_if else t("source_registry", n=len(view.stations))
    st.info(t("using_stations", source=source))  # the banner above the page offers the way back
    st.subheader(t("upload_stations"))
    c1, c2 = st.columns([3, 1])
    upload = c1.file_uploader(
        t("upload_stations"),
        type=["csv", "xlsx", "txt"],
        help=t("upload_stations_help"),
        key="station_file",
        label_visibility="collapsed",
        max_upload_size=settings.MAX_STATION_FILE_MB,
    )
    st.caption(t("upload_limit", mb=settings.MAX_STATION_FILE_MB))
    crs = c2.selectbox(
        t("file_crs"), settings.STATION_CRS_CHOICES, format_func=lambda c: t(f"crs_{c}"), key="station_crs"
    )
    if upload is None or not common.upload_fits(upload, settings.MAX_STATION_FILE_MB):
        return
    data = upload.getvalue()
    imported = _import(data, upload.name, view.province.code, crs, view.key)
    choices = ss.setdefault("resolved", {}).setdefault(upload.file_id, {})
    if choices:
        imported = resolve(imported, choices, view.province.townships)
    s = imported.summary
    st.write(t("import_summary", **s))
    for note in imported.notes:
        st.caption(translate(note, lang()))
    if len(imported.stations) == 0:
        st.error(t("import_empty"))

    # resolve ambiguous and unmatched rows
    open_rows = imported.report[imported.report["status"].isin(["ambiguous", "unmatched"])]
    open_rows = open_rows[[bool(candidate_codes(r)) for _, r in open_rows.iterrows()]]
    if len(open_rows):
        with st.expander(t("resolve") + f" ({len(open_rows)})", expanded=True):
            picks: dict[int, str | None] = {}
            for _, r in open_rows.iterrows():
                options: list[str] = ["", *(code for code, _ in candidate_codes(r))]
                given = " · ".join(
                    str(r[c]) for c in r.index if str(c).startswith("input: ") and pd.notna(r[c]) and str(r[c]).strip()
                )
                picks[int(r["row"])] = st.selectbox(
                    t("resolve_row", row=int(r["row"]), text=given),
                    options,
                    format_func=functools.partial(candidate_label, dict(candidate_codes(r))),
                    key=f"resolve-{upload.file_id}-{int(r['row'])}",
                )
            if st.button(t("resolve_apply"), key="resolve_apply"):
                chosen = {row: code for row, code in picks.items() if code}
                choices.update(chosen)
                st.success(t("resolved", n=len(chosen)))
                st.rerun()

    # the report, filtered
    st.subheader(t("report"))
    present = [x for x in STATUSES if s[x]]
    keep = st.multiselect(
        t("report_filter"), STATUSES, default=present, format_func=lambda x: t(f"st_{x}"), key="report_filter"
    )
    report = imported.report[imported.report["status"].isin(keep)]
    st.dataframe(common.report_table(report), hide_index=True, width="stretch", key="report_table")
    common.download_buttons(
        f"{t('report')}_{Path(upload.name).stem}", common.report_table(imported.report), key="report"
    )
    if len(imported.stations) and st.button(t("use_stations"), type="primary", key="use_stations"):
        common.use_stations(view.key, imported, data + repr(sorted(choices.items())).encode(), upload.name)
        st.rerun()


# --------------------------------------------------------------------------- boundaries
def boundaries_section() -> None:
    st.subheader(t("upload_boundaries"))
    st.caption(t("boundaries_help"))
    c1, c2 = st.columns([3, 1])
    boundaries = c1.file_uploader(
        t("upload_boundaries"),
        type=["gpkg", "geojson", "json", "zip"],
        key="boundary_file",
        label_visibility="collapsed",
        max_upload_size=settings.MAX_UPLOAD_MB,
        help=t("upload_limit", mb=settings.MAX_UPLOAD_MB),
    )
    bcrs = c2.selectbox(
        t("boundaries_crs"),
        ["", *settings.STATION_CRS_CHOICES],
        format_func=lambda c: t(f"crs_{c}") if c else "—",
        key="boundary_crs",
    )
    if boundaries is not None and not common.upload_fits(boundaries, settings.MAX_UPLOAD_MB):
        return
    if boundaries is not None and ss.get("boundaries_done") != boundaries.file_id:
        with st.status(t("upload_boundaries"), expanded=False):
            folder = Path(ss.setdefault("upload_dir", tempfile.mkdtemp(prefix="coverage-upload-")))
            out = folder / f"{view.province.code}_{boundaries.file_id}.gpkg"
            result = replace_townships(
                view.province.code, boundaries.getvalue(), filename=boundaries.name, crs=bcrs or None, out=out
            )
            prov = load_province(path=out)
            key = f"{view.province.code}-upload-{boundaries.file_id[:8]}"
            common.add_province(key, prov)
            ss["boundaries_done"] = boundaries.file_id
            ss["boundaries_result"] = (result.replaced, prov.name, result.report)
        st.rerun()  # the sidebar, drawn before this page, must list the new dataset
    if ss.get("boundaries_result"):
        replaced, name, report = ss["boundaries_result"]
        st.success(t("boundaries_done", replaced=replaced, name=t("uploaded_dataset", name=name)))
        st.caption(t("boundaries_report"))
        shown = common.report_table(report)
        st.dataframe(shown, hide_index=True, width="stretch", key="boundary_report")
        common.download_buttons(t("boundaries_report"), shown, key="boundary-report")


with common.friendly_errors():
    if section == "registry":
        registry_section()
    elif section == "ledger":
        submit_ledger()
        st.divider()
        review_ledgers()
    elif section == "whatif":
        what_if_section()
    else:
        boundaries_section()
