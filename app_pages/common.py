"""The shared sidebar, the current view of the data, and cached calls into ``coverage``.

Every page starts with ``view = common.current()``: the province (embedded or
uploaded this session), its stations (the station registry as known on the
sidebar's "known on" date, or a file uploaded this session as a what-if), the
city/county filter, the as-of date, the service radius, the target schedule
and the language.  Computations are cached on hashable keys (dataset key,
station token, date, radius ...) so switching pages or moving a slider does
not recompute what is already known; the registry's stations are named in the
token by the registry's revision (:func:`coverage.registry.forms.revision`),
so every cached figure is recomputed once anyone changes the registry.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import hashlib
import traceback
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import NamedTuple

import geopandas as gpd
import pandas as pd
import shapely
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from app_pages.i18n import LANGUAGES, lang, t, t_known
from coverage import settings
from coverage._errors import CoverageError
from coverage.analysis.admin import TargetSchedule, make_schedule, status, trajectory
from coverage.analysis.demand import Demand, grid_demand
from coverage.analysis.gaps import GapResult, Pieces, gap_analysis, road_gap_analysis, station_points, voronoi_pieces
from coverage.analysis.need import need_scores
from coverage.analysis.roads import RoadTravel, roads_dir
from coverage.analysis.travel import StraightLine
from coverage.analysis.workforce import WorkforceStatus, workforce_status
from coverage.codes import contains, level_of
from coverage.coords import projected_crs_for
from coverage.data.lists import StationList, uploaded_list
from coverage.data.provinces import Province, load_province, province_files
from coverage.data.register import load_register
from coverage.data.schema import open_on
from coverage.data.stations import StationImport
from coverage.present import notes, webmap
from coverage.present.i18n.messages import report_in, translate
from coverage.registry import accounts, forms, ledger
from coverage.registry.accounts import AccessDenied, Actor, LoginFailed
from coverage.registry.analysis import registry_list, registry_stations
from coverage.registry.store import Registry, open_registry, registry_url

ALL = ""
#: The icon of the data notes (tests tell them from other warnings by it).
NOTE_ICON = "⚠️"
#: The icon of the banner saying the stations are a session-only what-if, not the registry.
WHAT_IF_ICON = "🧪"


# --------------------------------------------------------------------------- loaders
@st.cache_resource(show_spinner=False)
def embedded_province(code: str) -> Province:
    """An embedded or built province (cached for every session)."""
    return load_province(code)


@st.cache_resource(show_spinner=False)
def _registry(url: str) -> Registry:
    return open_registry(url)


def registry() -> Registry:
    """The station registry (``$COVERAGE_DB``, else the embedded SQLite file), opened - and on first use
    created and filled from the embedded lists - once per process and URL."""
    return _registry(registry_url())


def registry_token(reg: Registry, known_on: dt.date | None) -> str:
    """Names the registry's stations as known on ``known_on`` at its current revision (for cache keys):
    another registry, another revision or another day gives another token."""
    where = hashlib.sha1(reg.url.encode("utf-8")).hexdigest()[:10]
    revision = "-".join(str(x) for x in forms.revision(reg))
    return f"registry-{where}-{revision}-{known_on or 'now'}"


@st.cache_resource(show_spinner=False, max_entries=16)
def _registry_stations(
    token: str, key: str, known_on: dt.date | None, _reg: Registry, _province: Province
) -> tuple[gpd.GeoDataFrame, StationList]:
    code = str(_province.code)
    return registry_stations(_reg, _province, known_on), registry_list(_reg, code, known_on)


def datasets() -> dict[str, Province]:
    """Provinces to choose from: embedded ones, then boundaries uploaded this session."""
    out: dict[str, Province | None] = {code: None for code in sorted(province_files())}
    out.update(st.session_state.get("uploaded_provinces", {}))
    return out


def province_of(key: str) -> Province:
    uploaded = st.session_state.get("uploaded_provinces", {})
    return uploaded[key] if key in uploaded else embedded_province(key)


def stations_of(
    key: str, province: Province, known_on: dt.date | None, reg_token: str
) -> tuple[gpd.GeoDataFrame, str, StationList | None, bool]:
    """The stations in use for dataset ``key``, a token naming them (for cache keys), what the list is,
    and whether they are a what-if: a file uploaded this session, else the registry as known on ``known_on``
    (``reg_token``: :func:`registry_token`)."""
    uploads = st.session_state.get("station_uploads", {})
    if key in uploads:
        imported, token, described = uploads[key]
        return imported.stations, token, described, True
    stations, described = _registry_stations(reg_token, key, known_on, registry(), province)
    return stations, reg_token, described, False


def use_stations(key: str, imported: StationImport, data: bytes, filename: str) -> None:
    """Make an uploaded station file the what-if used for dataset ``key`` (this session only; the
    registry does not change)."""
    token = "upload-" + hashlib.sha1(data).hexdigest()[:12] + f"-{len(imported.stations)}"
    described = uploaded_list(filename, imported.stations)
    st.session_state.setdefault("station_uploads", {})[key] = (imported, token, described)


def back_to_registry(key: str) -> None:
    """Drop the what-if of dataset ``key``: the pages read the registry again."""
    st.session_state.get("station_uploads", {}).pop(key, None)


def add_province(key: str, province: Province) -> None:
    st.session_state.setdefault("uploaded_provinces", {})[key] = province


# --------------------------------------------------------------------------- the radius
class RadiusSlider(NamedTuple):
    """The sidebar's radius slider of one unit: its range, step and first value."""

    low: int
    high: int
    step: int
    default: int


#: The radius sliders by unit (their widget keys are ``radius_<unit>``).
RADIUS_SLIDERS = {
    "km": RadiusSlider(1, 50, 1, int(settings.DEFAULT_RADIUS_KM)),
    "min": RadiusSlider(5, 120, 5, int(settings.DEFAULT_RADIUS_MIN)),
}


def radius_metres(unit: str, value: float) -> float:
    """The straight-line radius (metres) of a slider value: km, or minutes by :class:`StraightLine`."""
    return StraightLine().metres_for_minutes(value) if unit == "min" else float(value) * 1000.0


def radius_steps(unit: str) -> dict[float, float]:
    """The straight-line radius (metres) of every value of the unit's slider (the map's circles follow it)."""
    low, high, step, _ = RADIUS_SLIDERS[unit]
    return {float(v): radius_metres(unit, v) for v in range(low, high + 1, step)}


# --------------------------------------------------------------------------- the view
@dataclass(frozen=True)
class View:
    """What every page shows: data, filters and parameters chosen in the sidebar."""

    key: str
    province: Province
    station_table: gpd.GeoDataFrame
    token: str
    station_list: StationList | None
    as_of: dt.date
    radius_m: float
    minutes: float | None
    schedule: TargetSchedule
    region: str
    lang: str
    known_on: dt.date | None = None
    what_if: bool = False
    by: str | Actor = ""
    registry_token: str = ""
    #: The travel model chosen in the sidebar: "road" (the province's built roads) or "line".
    travel: str = "line"

    @property
    def stations(self) -> gpd.GeoDataFrame:
        """The station table every page reads: the registry's open periods, or the what-if file's stations."""
        return self.station_table

    @property
    def labels(self) -> dict:
        return webmap.map_labels(self.lang)

    @property
    def region_name(self) -> str:
        if not self.region:
            return self.province.name
        return unit_names(self.key).get(self.region, self.region)

    @property
    def townships(self) -> gpd.GeoDataFrame:
        return region_townships(self.province, self.region)

    @property
    def open_stations(self) -> gpd.GeoDataFrame:
        s = self.stations
        return s[open_on(s, self.as_of)] if len(s) else s

    @property
    def targets_key(self) -> tuple:
        return tuple((x.date.isoformat(), x.share) for x in self.schedule.default)

    @property
    def road(self) -> RoadTravel | None:
        """The road model when the sidebar chose roads (:func:`road_model`), else None (the straight line)."""
        return road_model(str(self.province.code)) if self.travel == "road" else None

    @property
    def road_gaps(self) -> bool:
        """True when the gaps are road minutes (roads chosen and the radius in minutes; a km radius is straight)."""
        return self.minutes is not None and self.road is not None

    @property
    def radius_unit(self) -> str:
        """``min`` when the radius is given in minutes, else ``km`` (the slider in use: ``radius_<unit>``)."""
        return "km" if self.minutes is None else "min"

    @property
    def radius_value(self) -> float:
        """The radius as its slider shows it (km or minutes)."""
        return self.radius_m / 1000.0 if self.minutes is None else self.minutes

    @property
    def radius_label(self) -> str:
        if self.road_gaps:
            return t("radius_road_label", minutes=self.minutes)
        if self.minutes is not None:
            return t("radius_minutes_label", minutes=self.minutes, km=self.radius_m / 1000)
        return t("radius_km_label", km=self.radius_m / 1000)


def region_townships(province: Province, region: str) -> gpd.GeoDataFrame:
    towns = province.townships
    if not region:
        return towns
    col = "city_code" if level_of(region) == "city" else "county_code"
    return towns[towns[col].astype(str) == region]


def unit_names(key: str) -> dict[str, str]:
    from coverage.analysis.admin import unit_names as names

    return names(province_of(key))


def current() -> View:
    """The view chosen in the sidebar (call :func:`sidebar` first, in ``app.py``)."""
    ss = st.session_state
    key = ss.get("province", settings.DEFAULT_PROVINCE)
    prov = province_of(key)
    known_on = ss.get("known_on")
    try:
        reg_token = registry_token(registry(), known_on)
        stations, token, described, what_if = stations_of(key, prov, known_on, reg_token)
    except CoverageError as exc:  # the registry cannot be opened (a wrong URL, a server that is down)
        st.error(t("registry_unavailable", error=translate(str(exc), lang())))
        st.stop()
    region = ss.get("county") or ss.get("city") or ALL
    minutes = None
    if ss.get("radius_unit", "km") == "min":
        minutes = float(ss.get("radius_min", RADIUS_SLIDERS["min"].default))
        radius_m = radius_metres("min", minutes)
    else:
        radius_m = radius_metres("km", float(ss.get("radius_km", RADIUS_SLIDERS["km"].default)))
    return View(
        key,
        prov,
        stations,
        token,
        described,
        ss.get("as_of", dt.date.today()),
        radius_m,
        minutes,
        schedule_from_state(),
        region,
        lang(),
        known_on=known_on,
        what_if=what_if,
        by=acting_person(),
        registry_token=reg_token,
        travel=str(ss.get("travel") or "line") if road_model(str(prov.code)) is not None else "line",
    )


def acting_person() -> str | Actor:
    """Who makes a change: the logged-in :class:`Actor` (the registry checks its role and scope), else - in
    single-user mode - the sidebar's name, else the OS user."""
    who = actor()
    if who is not None:
        return who
    return str(st.session_state.get("by") or "").strip() or forms.default_person()


# --------------------------------------------------------------------------- accounts and the session
def accounts_on() -> bool:
    """True when the registry has accounts (then a login comes first and every write names an Actor); asked
    of the registry once per run, by :func:`session_ok`."""
    ss = st.session_state
    if "accounts_on" not in ss:
        ss["accounts_on"] = accounts.has_accounts(registry())
    return bool(ss["accounts_on"])


def actor() -> Actor | None:
    """The account logged in in this session (None: nobody, or single-user mode)."""
    return st.session_state.get("actor")


def may(what: str, code: str = "") -> bool:
    """Whether this session may ``what`` (edit, submit, review, admin) for the place ``code`` (empty: anywhere
    in its scope): always in single-user mode; with accounts, as the logged-in actor's role and scope say.
    This only decides what the app shows - the registry checks every write itself."""
    who = actor()
    if who is None:
        return not accounts_on()
    return who.may(what, code)


def may_audit() -> bool:
    """The audit page is for reviewers and admins (and for the one user of single-user mode)."""
    who = actor()
    return not accounts_on() if who is None else who.role in ("admin", "reviewer")


def in_scope(code: str) -> bool:
    """True when ``code`` lies in the logged-in actor's scope (always without accounts)."""
    who = actor()
    return who is None or contains(who.scope, code)


def now() -> dt.datetime:
    """The clock of session expiry (UTC); tests move ``last_active`` back instead of waiting."""
    return dt.datetime.now(dt.UTC)


def scope_text(code: str) -> str:
    """A scope as people say it: ``横州市（450181）``."""
    try:
        _code, name, _note = load_register().unit(code)
    except CoverageError:
        name = code
    return f"{name}（{code}）" if lang() == "zh" else f"{name} ({code})"


def role_text(role: str) -> str:
    return str(t_known("role_", role))


def log_out(message: str = "") -> None:
    """End the session's login: everything of the session goes but the language (a new session, as it were)."""
    ss = st.session_state
    keep = ss.get("lang", "zh")
    for key in list(ss.keys()):
        del ss[key]
    ss["lang"] = keep
    ss["login_flash"] = message or t("logged_out")


def session_ok() -> bool:
    """Call first on every run: log out a session idle for longer than :data:`settings.SESSION_IDLE_MIN`
    minutes, note this run as activity, and say whether the app may be used (single-user mode, or logged in)."""
    ss = st.session_state
    moment = now()
    last = ss.get("last_active")
    idle = dt.timedelta(minutes=settings.SESSION_IDLE_MIN)
    if actor() is not None and last is not None and moment - last > idle:
        log_out(t("login_expired", minutes=settings.SESSION_IDLE_MIN))
    _refresh_actor()
    ss["last_active"] = moment
    ss["accounts_on"] = accounts.has_accounts(registry())  # an account created meanwhile: log in from now on
    return actor() is not None or not ss["accounts_on"]


def _refresh_actor() -> None:
    """The logged-in account as the registry has it now: disabled meanwhile - logged out; another role or
    scope given meanwhile - the new one."""
    ss = st.session_state
    who = actor()
    if who is None:
        return
    table = accounts.users(registry())
    row = table[table["username"] == who.username]
    if row.empty or not bool(row["active"].iloc[0]):
        log_out(t("login_disabled"))
        return
    role, scope = str(row["role"].iloc[0]), str(row["scope"].iloc[0])
    if (role, scope) != (who.role, who.scope):
        ss["actor"] = Actor(who.username, who.display_name, role, scope)


def _login_problem(username: str) -> str:
    """Why a login failed, in words a person can act on: disabled, locked (until when), or a wrong name or password
    (an unknown name gets the same message as a wrong password)."""
    reg = registry()
    table = accounts.users(reg)
    row = table[table["username"] == username.strip()]
    if len(row) and not bool(row["active"].iloc[0]):
        return t("login_disabled")
    until = row["locked_until"].iloc[0] if len(row) else None
    if until is not None and not pd.isna(until) and pd.Timestamp(until) > pd.Timestamp(reg.clock()):
        local = pd.Timestamp(until).tz_localize("UTC").tz_convert(settings.LOCAL_TZ)
        return t("login_locked", until=f"{local:%Y-%m-%d %H:%M}")
    return t("login_wrong", n=settings.LOGIN_MAX_FAILURES, minutes=settings.LOGIN_LOCK_MIN)


def login_page() -> None:
    """The page a session sees first when the registry has accounts: user name and password."""
    ss = st.session_state
    with st.sidebar:
        st.radio("语言 / Language", list(LANGUAGES), format_func=LANGUAGES.get, key="lang", horizontal=True)
    st.title(t("login_title"))
    flash = ss.pop("login_flash", None)
    if flash:
        st.info(flash)
    st.caption(t("login_help"))
    with st.form("login", width=420):
        username = st.text_input(t("login_user"), key="login_user", max_chars=64)
        password = st.text_input(t("login_password"), type="password", key="login_password", max_chars=200)
        submitted = st.form_submit_button(t("login_button"), type="primary", key="login_submit")
    if not submitted:
        return
    try:
        who = accounts.login(registry(), username, password)
    except LoginFailed:
        st.error(_login_problem(username))
        return
    ss["actor"] = who
    ss["last_active"] = now()
    del ss["login_password"]  # not kept in the session once used
    st.rerun()


def person_input() -> None:
    """Single-user mode: the name recorded with each change, and a line saying the mode."""
    ss = st.session_state
    if "by" not in ss:
        ss["by"] = forms.default_person()
    st.text_input(t("acting_person"), key="by", help=t("acting_person_help"), max_chars=100)
    st.caption(t("single_user_mode"))


def account_box(who: Actor) -> None:
    """The sidebar's account: who is logged in, the role and scope, and a log-out."""
    with st.container(key="account", border=True):
        st.markdown(t("logged_in_as", name=who.display_name, username=who.username))
        st.caption(t("logged_in_role", role=role_text(who.role), scope=scope_text(who.scope)))
        if st.button(t("logout"), key="logout"):
            log_out()
            st.rerun()


# --------------------------------------------------------------------------- sidebar
def default_targets() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "date": [dt.date.fromisoformat(d) for d, _ in settings.DEFAULT_TARGETS],
            "percent": [round(s * 100, 1) for _, s in settings.DEFAULT_TARGETS],
        }
    )


def schedule_from_state() -> TargetSchedule:
    """The target schedule edited in the sidebar (the default when the edit is not valid)."""
    table = st.session_state.get("targets_table")
    if table is None:
        return TargetSchedule()
    try:
        rows = table.dropna()
        return TargetSchedule(make_schedule(zip(rows["date"], rows["percent"].astype(float) / 100.0, strict=True)))
    except (CoverageError, ValueError, TypeError):
        return TargetSchedule()


def _dataset_label(key: str) -> str:
    """``广西壮族自治区 (45)``, or for uploaded boundaries (key ``45-upload-…``) the province and a note.

    Worked out from the key alone (no session state), so it is the same wherever Streamlit calls it.
    """
    reg = load_register()
    code = key.split("-upload-")[0]
    name = reg.provinces.loc[code, "name"] if code in reg.provinces.index else code
    return t("uploaded_dataset", name=name) if "-upload-" in key else f"{name} ({key})"


def sidebar() -> None:
    """Language, data, filters and parameters; stored in ``st.session_state`` under their keys."""
    ss = st.session_state
    with st.sidebar:
        st.radio("语言 / Language", list(LANGUAGES), format_func=LANGUAGES.get, key="lang", horizontal=True)
        who = actor()
        if who is not None:  # who is logged in comes first
            account_box(who)
        keys = list(datasets())
        if ss.get("province") not in keys:
            ss["province"] = settings.DEFAULT_PROVINCE if settings.DEFAULT_PROVINCE in keys else keys[0]
        st.selectbox(t("province"), keys, format_func=_dataset_label, key="province")
        prov = province_of(ss["province"])
        cities = prov.cities.sort_values("code")
        city_names = dict(zip(cities["code"].astype(str), cities["name"], strict=True))
        if ss.get("city") not in (ALL, *city_names):
            ss["city"] = ALL
        st.selectbox(t("city"), [ALL, *city_names], format_func=lambda c: city_names.get(c, t("all")), key="city")
        counties = prov.counties.sort_values("code")
        if ss.get("city"):
            counties = counties[counties["city_code"].astype(str) == ss["city"]]
        county_names = dict(zip(counties["code"].astype(str), counties["name"], strict=True))
        if ss.get("county") not in (ALL, *county_names):
            ss["county"] = ALL
        st.selectbox(
            t("county"), [ALL, *county_names], format_func=lambda c: county_names.get(c, t("all")), key="county"
        )
        st.date_input(t("as_of"), value=dt.date.today(), key="as_of")
        st.date_input(
            t("known_on"),
            value=None,
            key="known_on",
            help=t("known_on_help"),
            min_value=dt.date.fromisoformat(settings.EARLIEST_DATE),
            max_value=dt.date.fromisoformat(settings.LATEST_DATE),
        )
        if who is None:
            person_input()
        st.radio(
            t("radius_unit"), ["km", "min"], format_func=lambda u: t(f"unit_{u}"), key="radius_unit", horizontal=True
        )
        travel_choice(str(prov.code))
        if ss.get("radius_unit", "km") == "min":
            low, high, step, default = RADIUS_SLIDERS["min"]
            st.slider(
                t("radius_min"),
                low,
                high,
                default,
                step=step,
                key="radius_min",
                help=t("radius_min_help", circuity=settings.CIRCUITY_FACTOR, speed=settings.AVERAGE_SPEED_KMH),
            )
        else:
            low, high, step, default = RADIUS_SLIDERS["km"]
            st.slider(t("radius_km"), low, high, default, step=step, key="radius_km")
        if "targets_table" not in ss:
            ss["targets_table"] = default_targets()
        # the editor is drawn only while the box is open (a rerun opens it): a table grid on every page
        # made the browser load and mount the grid before the first map (issue 17); the edits live in
        # targets_table meanwhile
        box = st.expander(t("targets"), key="targets_open", on_change="rerun")
        if box.open:
            targets_editor(box)


def targets_editor(box: DeltaGenerator) -> None:
    """The target schedule's editor in the sidebar's open ``box``; the edited table goes to ``targets_table``."""
    ss = st.session_state
    with box:
        edited = st.data_editor(
            ss["targets_table"],
            num_rows="dynamic",
            hide_index=True,
            key="targets_editor",
            column_config={
                "date": st.column_config.DateColumn(t("target_date"), format="YYYY-MM-DD", required=True),
                "percent": st.column_config.NumberColumn(
                    t("target_percent"), min_value=0.0, max_value=100.0, step=1.0, required=True
                ),
            },
        )
        ss["targets_table"] = edited
        try:
            rows = edited.dropna()
            make_schedule(zip(rows["date"], rows["percent"].astype(float) / 100.0, strict=True))
        except (CoverageError, ValueError, TypeError) as exc:
            st.error(t("targets_invalid", error=exc))


def _roads_stamp(code: str) -> str:
    """Names the road network built for ``code`` (folder and build time): a rebuild is a new cache key."""
    path = roads_dir() / code / "network.npz"
    return f"{path}:{path.stat().st_mtime_ns}" if path.is_file() else ""


@st.cache_resource(show_spinner=False, max_entries=8)
def _road_model(code: str, stamp: str) -> RoadTravel | None:
    from coverage.cli.common import road_travel_of

    # the command line's rule, not a second one: without --travel, road when built for the province, else None
    return road_travel_of(argparse.Namespace(travel=None), code)


def road_model(code: str) -> RoadTravel | None:
    """The model ``--travel`` chooses by default for province ``code`` on the command line: its road model
    when roads are built, else None (the straight line).  One object per build (cached): the sidebar offers
    it, and the pages use it when the sidebar chose "road"."""
    stamp = _roads_stamp(code)
    if not stamp:  # nothing built: no need to ask (the rule would say the straight line)
        return None
    return _road_model(code, stamp)


def travel_choice(code: str) -> None:
    """The travel model radio: the straight line, and the road (from its file) when roads are built for
    province ``code`` - then the default, as on the command line; without roads, how to build them."""
    ss = st.session_state
    default = road_model(code)
    if default is None:
        ss["travel"] = "line"
        st.caption(t("travel_no_roads", code=code))
        return
    options = ["line", "road"]
    if ss.get("travel") not in options or ss.get("travel_province") != code:
        ss["travel"] = "road"
    ss["travel_province"] = code
    labels = {"line": t("travel_line"), "road": t("travel_road", source=default.network.source)}
    st.radio(t("travel_model"), options, format_func=labels.get, key="travel", help=t("travel_help"))


def travel_text(view: View) -> str:
    """Names the travel model of the view's minutes, for captions, legends and exports."""
    road = view.road
    if road is not None:
        return t("travel_road_used", source=road.network.source)
    return t(
        "travel_line_used",
        circuity=settings.CIRCUITY_FACTOR,
        speed=settings.AVERAGE_SPEED_KMH,
        long=settings.LONG_SPEED_KMH,
    )


def off_network_text(off: list[dict] | None) -> str:
    """How many places lie off the road network, counted per kind (``off_network`` of a road gap analysis, a
    siting or a plan); empty when none, or no roads."""
    if not off:
        return ""
    parts = t("off_sep").join(t("off_kind", kind=t_known("off_", r["kind"]), n=r["count"]) for r in off)
    farthest = max(r["farthest_m"] for r in off) / 1000.0
    return t("off_network_note", parts=parts, km=farthest, walk=settings.ROAD_WALK_SPEED_KMH)


def travel_lines(view: View) -> list[str]:
    """The lines naming the travel model of the view's gap figures (and the places off the road network), for
    captions and exports."""
    if not view.road_gaps:
        return [t("travel_line_radius")] if view.minutes is None else [travel_text(view)]
    lines = [travel_text(view)]
    off = off_network_text(gaps(view).off_network)
    return [*lines, off] if off else lines


def what_if_banner() -> None:
    """On every page while a file uploaded this session stands in for the registry: say so, and offer the way back."""
    ss = st.session_state
    key = ss.get("province", settings.DEFAULT_PROVINCE)
    upload = ss.get("station_uploads", {}).get(key)
    if upload is None:
        return
    imported, _, described = upload
    with st.container(key="what_if_banner"):
        c1, c2 = st.columns([4, 1], vertical_alignment="center")
        c1.warning(t("what_if_banner", name=described.name, n=len(imported.stations)), icon=WHAT_IF_ICON)
        if c2.button(t("back_to_registry"), key="back_to_registry", width="stretch"):
            back_to_registry(key)
            st.rerun()


def note_lines(view: View, *uses: str) -> list[str]:
    """What figures of the view that use ``uses`` rest on, in the view's language (see coverage.present.notes)."""
    return notes.data_notes(view.province, view.station_list, uses, view.lang)


def data_notes(view: View, *uses: str) -> None:
    """A compact note of what the page's figures rest on (a synthetic or partial list, approximate
    townships); nothing when the list is official or the user's own and the boundaries are official."""
    lines = note_lines(view, *uses)
    if lines:
        st.warning("  \n".join(lines), icon=NOTE_ICON)


# --------------------------------------------------------------------------- cached computations
@st.cache_resource(show_spinner=False, max_entries=64)
def _status(key: str, token: str, as_of: dt.date, targets: tuple, _view: View):
    return status(_view.province, _view.stations, as_of, _view.schedule)


def coverage_status(view: View):
    """:func:`coverage.admin.status` of the view's province and stations (cached)."""
    return _status(view.key, view.token, view.as_of, view.targets_key, view)


@st.cache_resource(show_spinner=False, max_entries=32)
def _trajectory(key: str, token: str, level: str, end: dt.date, _view: View) -> pd.DataFrame:
    return trajectory(_view.province, _view.stations, end=end, level=level)


def rate_over_time(view: View) -> pd.DataFrame:
    """Month-end rates of the view's region (province, city or county) up to the last target."""
    level = "province" if not view.region else ("city" if len(view.region) == 4 else "county")
    end = max(view.as_of, view.schedule.default[-1].date)
    table = _trajectory(view.key, view.token, level, end, view)
    code = view.region or str(view.province.code)
    return table[table["code"] == code]


@st.cache_resource(show_spinner=False, max_entries=16)
def _workforce(
    reg_token: str, key: str, as_of: dt.date, known_on: dt.date | None, baseline: int | None, _view: View
) -> WorkforceStatus:
    versions = registry().versions(str(_view.province.code), known_on=known_on)
    return workforce_status(_view.province, versions, as_of, baseline=baseline)


def workforce(view: View, baseline: int | None = None) -> WorkforceStatus:
    """:func:`coverage.analysis.workforce.workforce_status` of the registry's staff figures (as known on the
    view's known-on day), whatever list the pages read (a what-if file gives no staff figures); cached."""
    return _workforce(view.registry_token, view.key, view.as_of, view.known_on, baseline, view)


@st.cache_data(show_spinner=False, max_entries=32)
def _ledger_status(reg_token: str, province: str, month: str, today: dt.date) -> pd.DataFrame:
    return ledger.status_by_county(registry(), province, month, today=today)


def ledger_status(view: View, month: str) -> pd.DataFrame:
    """Each county's ledger for ``month`` (submitted / late / missing / not due, and its review), in the
    view's region; "today" is the view's known-on day (default today)."""
    today = view.known_on or dt.date.today()
    table = _ledger_status(view.registry_token, str(view.province.code), month, today)
    if view.region:
        table = table[table["county_code"].astype(str).str.startswith(view.region)]
    return table


@dataclass(frozen=True)
class GapGround:
    """What a gap analysis of one region needs that no station or radius changes: the working CRS, the
    townships in it, the demand grid and the region's outline (see :func:`coverage.analysis.gaps.gap_analysis`)."""

    crs: str
    townships: gpd.GeoDataFrame
    demand: Demand
    region: shapely.Geometry


@st.cache_resource(show_spinner=False, max_entries=8)
def _gap_ground(key: str, region: str, _view: View) -> GapGround:
    towns = _view.townships
    crs = projected_crs_for(towns)
    projected = towns.to_crs(crs)
    grid = grid_demand(projected.reset_index(drop=True), settings.DEFAULT_GRID_KM * 1000.0)
    return GapGround(crs, projected, grid, shapely.union_all(projected.geometry.values))


#: One long-lived thread for the gap analyses.  pyproj builds its coordinate transformers once per thread
#: (~0.1 s each), and every script run is a new thread: here they are built once per process.
_GEO_WORKER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="coverage-gaps")


def _points(stations: pd.DataFrame) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        stations, geometry=gpd.points_from_xy(stations["lon"], stations["lat"]), crs=settings.WORK_CRS
    )


def _gap_result(ground: GapGround, stations: gpd.GeoDataFrame, radius_m: float, pieces: Pieces | None):
    points = _points(stations)
    result = gap_analysis(
        ground.townships,
        points if len(points) else None,
        radius_m=radius_m,
        demand=ground.demand,
        crs=ground.crs,
        region=ground.region,
        pieces=pieces,
    )
    result.gaps  # noqa: B018 - the gap polygons in WGS 84 (every page that asks for gaps draws or exports them)
    return result


def _pieces(ground: GapGround, stations: pd.DataFrame) -> Pieces | None:
    xy = station_points(_points(stations), ground.crs)
    return voronoi_pieces(ground.townships.geometry.to_numpy(), xy) if len(xy) else None


@st.cache_resource(show_spinner=False, max_entries=8)
def _gap_pieces(key: str, token: str, as_of: dt.date, region: str, _view: View) -> Pieces | None:
    """The region's townships split by the open stations' Voronoi cells: no radius changes them (about a third
    of a gap analysis, see :func:`coverage.analysis.gaps.voronoi_pieces`)."""
    return _GEO_WORKER.submit(_pieces, _gap_ground(key, region, _view), _view.open_stations).result()


@st.cache_resource(show_spinner=False, max_entries=32)
def _gaps(key: str, token: str, as_of: dt.date, radius_m: float, region: str, _view: View):
    ground = _gap_ground(key, region, _view)  # once per process and region: a slider move only buffers and cuts
    pieces = _gap_pieces(key, token, as_of, region, _view)
    return _GEO_WORKER.submit(_gap_result, ground, _view.open_stations, radius_m, pieces).result()


def _road_gap_result(ground: GapGround, stations: gpd.GeoDataFrame, minutes: float, road: RoadTravel) -> GapResult:
    points = _points(stations)
    result = road_gap_analysis(
        ground.townships,
        points if len(points) else None,
        minutes,
        road,
        demand=ground.demand,
        crs=ground.crs,
        region=ground.region,
    )
    result.gaps  # noqa: B018 - as in _gap_result
    return result


@st.cache_resource(show_spinner=False, max_entries=32)
def _road_gaps(key: str, token: str, as_of: dt.date, minutes: float, region: str, stamp: str, _view: View):
    ground = _gap_ground(key, region, _view)
    road = _view.road
    assert road is not None  # noqa: S101 - only called when roads are chosen
    return _GEO_WORKER.submit(_road_gap_result, ground, _view.open_stations, minutes, road).result()


def gaps(view: View) -> GapResult:
    """:func:`coverage.gaps.gap_analysis` of the region's townships and all open stations (cached); with roads
    chosen and the radius in minutes, :func:`coverage.analysis.gaps.road_gap_analysis` (road minutes)."""
    if view.road_gaps:
        stamp = _roads_stamp(str(view.province.code))
        return _road_gaps(view.key, view.token, view.as_of, float(view.minutes or 0), view.region, stamp, view)
    return _gaps(view.key, view.token, view.as_of, round(view.radius_m, 3), view.region, view)


@st.cache_resource(show_spinner=False, max_entries=32)
def _need(key: str, token: str, as_of: dt.date, radius_m: float, _view: View) -> pd.DataFrame:
    return need_scores(_view.province.townships, _view.stations, as_of, radius_m)


def need(view: View) -> pd.DataFrame:
    """Need scores of townships without a station, province-wide, filtered to the region (cached)."""
    table = _need(view.key, view.token, view.as_of, round(view.radius_m, 3), view)
    if view.region:
        codes = set(view.townships["code"].astype(str))
        table = table[table["code"].astype(str).isin(codes)]
    return table


@st.cache_resource(show_spinner=False, max_entries=8)
def _display(key: str, level: str, region: str, _view: View):
    frame = _view.townships if level == "townships" else _view.province.counties
    if level == "counties" and region:
        frame = frame[frame["code"].astype(str).str.startswith(region)]
    return frame, webmap.display_geometry(frame)


def display(view: View, level: str):
    """(frame, simplified display geometry) of the region's townships or counties (cached)."""
    return _display(view.key, level, view.region, view)


# --------------------------------------------------------------------------- messages
@contextmanager
def friendly_errors():
    """Show input problems as a message saying what to do; anything else as a short error with details folded away."""
    try:
        yield
    except AccessDenied:  # the registry refused (and recorded) a write the role or scope does not allow
        who = actor()
        role, scope = (role_text(who.role), scope_text(who.scope)) if who else ("—", "—")
        st.error(t("access_denied", role=role, scope=scope))
    except CoverageError as exc:
        st.error(t("input_problem", error=translate(str(exc), lang())))
    except Exception as exc:  # noqa: BLE001 - the app must never show a bare traceback
        st.error(t("unexpected_error", error=f"{type(exc).__name__}: {exc}"))
        with st.expander(t("details")):
            st.code(traceback.format_exc())


def report_table(report: pd.DataFrame) -> pd.DataFrame:
    """An importer's row-by-row report in the session's language: headers, statuses, how and messages."""
    out = report_in(report, lang())
    if "status" in out:
        out["status"] = out["status"].map(lambda s: t_known("st_", s))
    return out.rename(
        columns=lambda c: (
            t("rep_input", column=c[len("input: ") :]) if str(c).startswith("input: ") else t_known("rep_", c)
        )
    )


def download_buttons(
    name: str, frame: pd.DataFrame, key: str, geo: bool = False, data_notes: list[str] | None = None
) -> None:
    """Download buttons for a table (CSV, XLSX) or a layer (also GeoJSON, GeoPackage); ``data_notes``
    travel with the files (see :func:`coverage.present.exports.table_export`)."""
    from coverage.present import exports

    formats = ["csv", "xlsx", "geojson", "gpkg"] if geo else ["csv", "xlsx"]
    cols = st.columns(len(formats))
    for col, fmt in zip(cols, formats, strict=True):
        ext, mime = exports.FORMATS[fmt]
        make = exports.layer_export if geo else exports.table_export
        col.download_button(
            f"{fmt.upper()}",
            functools.partial(make, frame, fmt, name, data_notes or ()),
            file_name=f"{exports.safe_filename(name)}.{ext}",
            mime=mime,
            on_click="ignore",
            key=f"dl-{key}-{fmt}",
            width="stretch",
        )


def upload_fits(upload: object, limit_mb: float) -> bool:
    """False (with a message saying the limit and what to do) when an uploaded file is larger than ``limit_mb``.

    The uploader's own ``max_upload_size`` stops larger files in the browser with Streamlit's English words;
    this says it in the session's language, and holds for files that reach the app another way."""
    size_mb = float(getattr(upload, "size", 0)) / 2**20
    if size_mb <= limit_mb:
        return True
    st.error(t("upload_too_big", name=getattr(upload, "name", ""), size=size_mb, mb=limit_mb))
    return False
