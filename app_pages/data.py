"""Data: upload station lists and township boundaries; the importer's row-by-row report; resolve ambiguous rows."""

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from app_pages import common
from app_pages.i18n import lang, t
from coverage import settings
from coverage.data.provinces import load_province
from coverage.data.replace import replace_townships
from coverage.data.schema import STATUSES
from coverage.data.stations import candidate_codes, read_station_list, resolve
from coverage.present.i18n.messages import translate

view = common.current()
ss = st.session_state
st.title(t("data_title"))
common.data_notes(view, "stations")

nature = view.station_list.nature if view.station_list is not None else "embedded"
source = t(f"source_{nature}", n=len(view.stations))
st.info(t("using_stations", source=source))
if view.token != "embedded" and st.button(t("use_embedded"), key="use_embedded"):
    ss.get("station_uploads", {}).pop(view.key, None)
    st.rerun()

# --------------------------------------------------------------------------- stations
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
crs = c2.selectbox(t("file_crs"), settings.STATION_CRS_CHOICES, format_func=lambda c: t(f"crs_{c}"), key="station_crs")


@st.cache_resource(show_spinner=False, max_entries=16)
def _import(data: bytes, filename: str, province: str, crs: str, key: str):
    return read_station_list(
        data, filename=filename, province=province, crs=crs, townships=common.province_of(key).townships
    )


if upload is not None:
    with common.friendly_errors():
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
                picks = {}
                for _, r in open_rows.iterrows():
                    options = [""] + [code for code, _ in candidate_codes(r)]
                    labels = dict(candidate_codes(r))
                    given = " · ".join(
                        str(r[c])
                        for c in r.index
                        if str(c).startswith("input: ") and pd.notna(r[c]) and str(r[c]).strip()
                    )
                    picks[int(r["row"])] = st.selectbox(
                        t("resolve_row", row=int(r["row"]), text=given),
                        options,
                        format_func=lambda c, labels=labels: (
                            (translate(labels[c], lang()) + f" ({c})") if c else t("resolve_skip")
                        ),
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
st.divider()
st.subheader(t("upload_boundaries"))
st.caption(t("boundaries_help"))
c1, c2 = st.columns([3, 1])
boundaries = c1.file_uploader(
    t("upload_boundaries"), type=["gpkg", "geojson", "json", "zip"], key="boundary_file", label_visibility="collapsed"
)
bcrs = c2.selectbox(
    t("boundaries_crs"),
    ["", *settings.STATION_CRS_CHOICES],
    format_func=lambda c: t(f"crs_{c}") if c else "—",
    key="boundary_crs",
)
if boundaries is not None and ss.get("boundaries_done") != boundaries.file_id:
    with common.friendly_errors(), st.status(t("upload_boundaries"), expanded=False):
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
    if ss.get("boundaries_done") == boundaries.file_id:
        st.rerun()  # the sidebar, drawn before this page, must list the new dataset
if ss.get("boundaries_result"):
    replaced, name, report = ss["boundaries_result"]
    st.success(t("boundaries_done", replaced=replaced, name=t("uploaded_dataset", name=name)))
    st.caption(t("boundaries_report"))
    shown = common.report_table(report)
    st.dataframe(shown, hide_index=True, width="stretch", key="boundary_report")
    common.download_buttons(t("boundaries_report"), shown, key="boundary-report")
