"""The registry's store on both backends: bitemporal reading, open periods, edits, locking, seeding, export.

Every test runs on SQLite and on PostgreSQL (the ``registry_url`` fixture); recorded times come from
a :class:`~tests.registry_cases.StepClock`, so "known on" can be checked to the minute.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import sqlalchemy as sa

from coverage._errors import InputError
from coverage.analysis.admin import status
from coverage.data.provinces import default_stations_path, load_province
from coverage.data.schema import open_on
from coverage.data.stations import read_stations
from coverage.registry import dump, schema
from coverage.registry.migrate import HEAD, current_revision, head_revision
from coverage.registry.store import ConflictError, Registry, display_url, end_of_day_utc, open_registry
from tests.registry_cases import CHENGXIANG, MATOU, SHUANGQIAO, WM1, StepClock, add_wuming, snapshot

D = dt.date.fromisoformat
T = dt.datetime.fromisoformat


@pytest.fixture
def clock() -> StepClock:
    return StepClock(T("2024-01-10 02:00"))


@pytest.fixture
def reg(registry_url: str, clock: StepClock) -> Registry:
    return open_registry(registry_url, seed=False, clock=clock)


def _station(reg: Registry, sid: str = "S1", town: str = CHENGXIANG, valid: str = "2021-01-01", **fields) -> int:
    base = {"name": f"{sid} 社工站", "township_code": town, "county_code": town[:6], "status": "open"}
    return reg.add(sid, "45", {**base, **fields}, valid, "张三").version_id


def _periods(reg: Registry, known_on: str | None = None) -> list[tuple]:
    table = reg.station_table("45", known_on=known_on)
    return list(table[["station_id", "township_code", "opened", "closed"]].itertuples(index=False, name=None))


# --------------------------------------------------------------------------- opening
def test_open_brings_the_schema_to_the_newest_revision_and_is_idempotent(registry_url: str) -> None:
    reg = open_registry(registry_url, seed=False)
    assert current_revision(reg.engine) == head_revision() == HEAD == "0004"
    assert reg.is_empty()
    again = open_registry(registry_url, seed=False)
    assert again.is_empty() and current_revision(again.engine) == "0004"
    assert reg.backend == registry_url.split(":")[0].split("+")[0]


def test_a_url_of_another_database_is_refused_with_what_to_give() -> None:
    with pytest.raises(InputError, match="neither SQLite nor PostgreSQL"):
        open_registry("mysql://u:pw@host/db", seed=False)
    with pytest.raises(InputError, match="database URL not understood"):
        open_registry("not a url", seed=False)


def test_display_url_hides_the_password() -> None:
    assert display_url("postgresql+psycopg://bureau:s3cret@db.example/registry") == (
        "postgresql+psycopg://bureau:***@db.example/registry"
    )
    assert display_url("sqlite:///var/registry.sqlite") == "sqlite:///var/registry.sqlite"


def test_an_unreachable_server_is_an_input_error_without_the_password() -> None:
    with pytest.raises(InputError) as info:
        open_registry("postgresql+psycopg://bureau:s3cret@127.0.0.1:1/registry", seed=False)
    text = str(info.value)
    assert "s3cret" not in text
    assert text.startswith("cannot open the registry at postgresql+psycopg://bureau:***@127.0.0.1:1/registry")


# --------------------------------------------------------------------------- as_of / known_on
def test_as_of_is_inclusive_of_the_valid_date(reg: Registry) -> None:
    _station(reg, valid="2021-03-01")
    assert reg.current("45", as_of="2021-02-28").empty
    assert reg.current("45", as_of="2021-03-01")["station_id"].tolist() == ["S1"]
    assert reg.current("44", as_of="2021-03-01").empty


def test_end_of_day_is_midnight_in_china() -> None:
    assert end_of_day_utc(D("2021-09-14")) == T("2021-09-14 16:00")


def test_a_late_correction_is_seen_with_known_on_after_it_was_recorded_not_before(
    reg: Registry, clock: StepClock
) -> None:
    clock.set(T("2021-01-05 02:00"))
    v1 = _station(reg, valid="2021-01-01", social_workers=2)
    # the closure on 2021-06-20 reaches the registry in September: 2021-09-15 00:30 in China
    clock.set(T("2021-09-14 16:30"))
    v2 = reg.change("S1", v1, {"status": "closed", "closed": "2021-06-20"}, "2021-06-20", "王五").version_id

    def state(as_of: str, known_on: str | None) -> tuple:
        row = reg.current("45", as_of=as_of, known_on=known_on).iloc[0]
        return int(row["version_id"]), row["status"]

    assert state("2021-07-01", "2021-09-14") == (v1, "open")  # as the registry knew it before
    assert state("2021-07-01", "2021-09-15") == (v2, "closed")  # known from the 15th (China)
    assert state("2021-07-01", None) == (v2, "closed")  # as known now
    assert state("2021-06-19", None) == (v1, "open")  # the day before the closure
    assert reg.current("45", as_of="2021-07-01", known_on="2021-01-04").empty  # nothing known yet
    assert _periods(reg, known_on="2021-09-14") == [("S1", CHENGXIANG, D("2021-01-01"), None)]
    assert _periods(reg, known_on="2021-09-15") == [("S1", CHENGXIANG, D("2021-01-01"), D("2021-06-20"))]
    assert _periods(reg) == _periods(reg, known_on="2021-09-15")


def test_versions_recorded_the_same_valid_day_the_later_counts(reg: Registry, clock: StepClock) -> None:
    v1 = _station(reg, valid="2021-01-01", social_workers=2)
    v2 = reg.change("S1", v1, {"social_workers": 4}, "2021-01-01", "李四").version_id
    row = reg.current("45", as_of="2021-01-01").iloc[0]
    assert (int(row["version_id"]), int(row["social_workers"])) == (v2, 4)
    first = reg.current("45", as_of="2021-01-01", known_on="2024-01-09")
    assert first.empty  # both recorded on 2024-01-10 (China)
    assert len(reg.versions("45")) == 2


# --------------------------------------------------------------------------- open periods
def test_open_suspended_open_gives_two_periods(reg: Registry) -> None:
    v = _station(reg, valid="2021-01-01")
    v = reg.change("S1", v, {"status": "suspended"}, "2021-05-01", "李四").version_id
    reg.change("S1", v, {"status": "open", "social_workers": 5}, "2021-08-01", "李四")
    assert _periods(reg) == [
        ("S1", CHENGXIANG, D("2021-01-01"), D("2021-05-01")),
        ("S1", CHENGXIANG, D("2021-08-01"), None),
    ]
    table = reg.station_table("45")
    assert open_on(table, "2021-04-30").tolist() == [True, False]
    assert open_on(table, "2021-05-01").tolist() == [False, False]
    assert open_on(table, "2021-08-01").tolist() == [False, True]
    assert table["social_workers"].tolist()[1] == 5


def test_monthly_updates_of_an_open_station_keep_one_period_open(reg: Registry) -> None:
    """Open, then staff figures reported while it stays open: one period, still open (a period's end
    was once taken from the update before the last)."""
    v = _station(reg, valid="2021-01-01")
    v = reg.change("S1", v, {"social_workers": 3}, "2021-02-28", "李四").version_id
    reg.change("S1", v, {"social_workers": 4}, "2021-03-31", "李四")
    assert _periods(reg) == [("S1", CHENGXIANG, D("2021-01-01"), None)]
    assert reg.station_table("45")["social_workers"].tolist() == [4]


def test_a_closed_station_has_one_period_ending_on_its_closing_day(reg: Registry) -> None:
    v = _station(reg, valid="2021-01-01")
    reg.close("S1", v, "2022-03-01", "李四", reason="merged into 城厢镇 station")
    assert _periods(reg) == [("S1", CHENGXIANG, D("2021-01-01"), D("2022-03-01"))]
    last = reg.current("45", as_of="2022-03-01").iloc[0]
    assert (last["status"], last["closed"], last["notes"], last["action"]) == (
        "closed",
        D("2022-03-01"),
        "merged into 城厢镇 station",
        "close",
    )


def test_a_station_moved_to_another_township_has_a_period_in_each(reg: Registry) -> None:
    v = _station(reg, valid="2021-01-01", social_workers=2)
    v = reg.change("S1", v, {"social_workers": 3}, "2021-06-30", "李四").version_id  # same period
    reg.change("S1", v, {"township_code": SHUANGQIAO, "lon": 108.3, "lat": 23.2}, "2022-01-01", "李四")
    table = reg.station_table("45")
    assert _periods(reg) == [
        ("S1", CHENGXIANG, D("2021-01-01"), D("2022-01-01")),
        ("S1", SHUANGQIAO, D("2022-01-01"), None),
    ]
    assert table["social_workers"].tolist() == [3, 3]  # the latest version of each period
    assert table["lon"].isna().tolist() == [True, False]


def test_unknown_opening_date_and_planned_stations(reg: Registry) -> None:
    _station(reg, "S1", valid="1900-01-01")  # settings.UNKNOWN_OPENING
    v = _station(reg, "S2", town=MATOU, valid="2021-02-01", status="planned")
    reg.change("S2", v, {"status": "open"}, "2021-09-01", "李四")
    assert _periods(reg) == [("S1", CHENGXIANG, None, None), ("S2", MATOU, D("2021-09-01"), None)]
    table = reg.station_table("45")
    assert open_on(table, "2000-01-01").tolist() == [True, False]  # unknown opening: open at every date


def test_an_empty_registry_has_an_empty_station_table(reg: Registry) -> None:
    table = reg.station_table("45")
    assert table.empty and list(table.columns[:7]) == [
        "station_id",
        "name",
        "township_code",
        "lon",
        "lat",
        "opened",
        "closed",
    ]


# --------------------------------------------------------------------------- writing
def test_a_change_keeps_what_it_does_not_name_and_inserts_only(reg: Registry) -> None:
    one, _ = add_wuming(reg)
    before = snapshot(reg)["versions"]
    w = reg.change("WM-1", one.version_id, {"social_workers": 4}, "2024-11-30", "李四", source="phone call")
    after = snapshot(reg)["versions"]
    assert after[:2] == before and len(after) == 3  # nothing rewritten
    new = reg.head("WM-1")
    assert new is not None and new["version_id"] == w.version_id
    assert {k: new[k] for k in ("social_workers", "certified_workers", "name", "recorded_by", "source", "action")} == {
        "social_workers": 4,
        "certified_workers": 1,
        "name": WM1["name"],
        "recorded_by": "李四",
        "source": "phone call",
        "action": "edit",
    }
    history = reg.history("WM-1")
    assert history["version_id"].tolist() == [one.version_id, w.version_id]
    assert history["recorded_at"].tolist() == [T("2024-01-10 02:00"), T("2024-01-10 02:02")]  # one time per write


def test_a_stale_edit_is_refused_naming_the_newer_change(reg: Registry, clock: StepClock) -> None:
    v1 = _station(reg, valid="2021-01-01")
    clock.set(T("2024-03-02 10:00"))
    v2 = reg.change("S1", v1, {"social_workers": 4}, "2024-03-01", "李四").version_id
    before = snapshot(reg)
    with pytest.raises(ConflictError) as info:
        reg.change("S1", v1, {"social_workers": 5}, "2024-03-01", "王五")
    assert str(info.value) == (
        f"station 'S1' was changed meanwhile by 李四 at 2024-03-02 10:00 UTC (edit, version {v2}, "
        "valid from 2024-03-01); reload it and edit again"
    )
    with pytest.raises(ConflictError, match="by 李四 at 2024-03-02 10:00 UTC"):
        reg.close("S1", v1, "2024-03-05", "王五")
    assert snapshot(reg) == before


def test_writes_to_unknown_or_existing_stations_are_refused(reg: Registry) -> None:
    v = _station(reg)
    with pytest.raises(InputError, match="already in the registry; edit it instead"):
        _station(reg)
    with pytest.raises(InputError, match="no station 'S9' in the registry; add it first"):
        reg.change("S9", v, {"social_workers": 1}, "2021-01-01", "李四")
    with pytest.raises(InputError, match="no station 'S9' in the registry"):
        reg.history("S9")
    assert reg.head("S9") is None


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"status": "closing"}, "station status 'closing' is not one of planned, open, suspended, closed"),
        ({"host": "县城"}, "host '县城' is not one of 镇街, 村居"),
        ({"social_workers": -1}, "social_workers must be a whole number of 0 or more, not -1"),
        ({"case_files": 2.5}, "case_files must be a whole number of 0 or more, not 2.5"),
        ({"social_workers": 2, "certified_workers": 3}, "3 certified social workers but only 2 social workers"),
        ({"lon": 108.2, "lat": None}, "give both lon and lat, or neither"),
        ({"phone": "123"}, r"unknown station fields \['phone'\]"),
        # PostgreSQL would refuse these with a DataError, SQLite would keep them: both refuse them first
        ({"name": "站" * 201}, "name has 201 characters, more than the 200 the registry keeps"),
        ({"township_code": "4501101001"}, "township_code has 10 characters, more than the 9"),
    ],
)
def test_bad_fields_are_refused_and_nothing_is_written(reg: Registry, fields: dict, message: str) -> None:
    v = _station(reg, social_workers=3, certified_workers=1)
    before = snapshot(reg)
    with pytest.raises(InputError, match=message):
        reg.change("S1", v, fields, "2021-02-01", "李四")
    with pytest.raises(InputError, match=message):
        reg.add("S2", "45", {"name": "x", "township_code": MATOU, **fields}, "2021-02-01", "李四")
    assert snapshot(reg) == before


@pytest.mark.parametrize(
    ("station_id", "province", "message"),
    [
        ("", "45", "a station id is text of 1 to 64 characters, not ''"),
        ("X" * 65, "45", "a station id is text of 1 to 64 characters"),
        ("S1", "450", "province '450' is not a 2-digit province code"),
        ("S1", 45, "province 45 is not a 2-digit province code"),
    ],
)
def test_station_ids_and_provinces_are_checked(reg: Registry, station_id: str, province: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        reg.add(station_id, province, {"name": "x", "township_code": MATOU}, "2021-01-01", "李四")
    assert reg.is_empty()


@pytest.mark.parametrize("by", ["", "  ", "张" * 101])
def test_who_recorded_it_must_be_a_name(reg: Registry, by: str) -> None:
    with pytest.raises(InputError, match="who did it must be a name of 1 to 100 characters"):
        reg.add("S1", "45", {"name": "x", "township_code": MATOU}, "2021-01-01", by)
    assert reg.is_empty()


def test_whole_numbers_given_as_floats_and_numpy_values_are_stored_as_integers(reg: Registry) -> None:
    import numpy as np

    v = _station(reg, social_workers=3.0, households_served=np.int64(40), funding_yuan=np.float64(150000.0))
    head = reg.head("S1")
    assert head is not None and head["version_id"] == v
    assert (head["social_workers"], head["households_served"], head["funding_yuan"]) == (3, 40, 150000.0)
    assert reg.add("S2", "45", {"name": "", "notes": float("nan")}, "2021-01-01", "李四")  # '' and NaN: empty
    assert reg.head("S2") is not None and reg.head("S2")["name"] is None  # type: ignore[index]


# --------------------------------------------------------------------------- the seeded registry
def test_the_seeded_registry_gives_the_same_status_as_the_station_file(registry_url: str) -> None:
    reg = open_registry(registry_url)
    province = load_province("45")
    from_file = read_stations(default_stations_path("45"), province="45").stations
    ours = status(province, reg.station_table("45"), as_of="2021-12-31")
    theirs = status(province, from_file, as_of="2021-12-31")
    assert ours.summary == theirs.summary
    assert (ours.summary["covered"], ours.summary["counted"]) == (375, 1253)
    pd.testing.assert_frame_equal(ours.units, theirs.units)
    assert ours.targets == theirs.targets
    # every embedded list, every station once; a second open does not seed again
    counts = {code: len(read_stations(default_stations_path(code), province=code).stations) for code in ("45", "44")}
    with reg.engine.connect() as conn:
        per_province = dict(
            conn.execute(
                sa.select(schema.stations.c.province_code, sa.func.count()).group_by(schema.stations.c.province_code)
            ).all()
        )
    assert per_province == counts
    assert len(snapshot(open_registry(registry_url))["stations"]) == sum(counts.values())


# --------------------------------------------------------------------------- export and restore
def _filled(reg: Registry, clock: StepClock) -> None:
    """A small registry using every table: stations, edits, a ledger submission, decisions."""
    from coverage.registry import ledger
    from tests.registry_cases import WM2, ledger_csv, ledger_row

    one, two = add_wuming(reg)
    reg.change("WM-1", one.version_id, {"notes": "换届\n新站长 “李”", "funding_yuan": 123456.789}, "2024-10-31", "李四")
    reg.close("WM-2", two.version_id, "2024-10-15", "王五", reason="搬迁")
    clock.set(T("2024-12-03 01:02:03.456789"))
    data = ledger_csv(
        [ledger_row("WM-1", WM1, social_workers=5), ledger_row("", WM2, name="马头镇新站", status="open")]
    )
    sub = ledger.submit(reg, data, "武鸣区11月.csv", "2024-11", "450110", "武鸣区民政局")
    ledger.accept(reg, sub.submission_id, "审核员", [int(sub.rows["id"].iloc[0])])
    ledger.reject(reg, sub.submission_id, "审核员")


@pytest.mark.parametrize("suffix", [".gpkg", ".xlsx"])
def test_export_and_restore_round_trip_every_table_exactly(
    registry_url: str, clock: StepClock, tmp_path, suffix: str
) -> None:
    reg = open_registry(registry_url, seed=False, clock=clock)
    _filled(reg, clock)
    original = snapshot(reg)
    assert {k: len(v) for k, v in original.items()} == {
        "stations": 2,
        "versions": 5,
        "submissions": 1,
        "submission_rows": 2,
        "decisions": 2,
        "accounts": 0,
        "audit": 8,  # 2 adds, an edit, a closing, a submission, the accepted change and its acceptance, a rejection
    }
    path = dump.export(reg, tmp_path / f"registry{suffix}")
    target = open_registry(f"sqlite:///{tmp_path / 'restored.sqlite'}", seed=False)
    counts = dump.restore(target, path)
    assert counts == {k: len(v) for k, v in original.items() if k != "accounts"}  # accounts stay home
    assert snapshot(target) == original
    # new rows number on from the restored ones
    head = target.head("WM-1")
    assert head is not None
    w = target.change("WM-1", head["version_id"], {"social_workers": 6}, "2024-12-31", "李四")
    assert w.version_id == max(r[0] for r in original["versions"]) + 1
    with pytest.raises(InputError, match="restore needs an empty registry"):
        dump.restore(target, path)


def test_restore_into_the_other_backend(registry_url: str, clock: StepClock, tmp_path) -> None:
    """Export from SQLite, restore into the parametrised backend (PostgreSQL: sequences continue)."""
    source = open_registry(f"sqlite:///{tmp_path / 'source.sqlite'}", seed=False, clock=clock)
    _filled(source, clock)
    path = dump.export(source, tmp_path / "registry.gpkg")
    target = open_registry(registry_url, seed=False, clock=clock)
    dump.restore(target, path)
    assert snapshot(target) == snapshot(source)
    w = target.add("S9", "45", {"name": "新站", "township_code": MATOU}, "2025-01-01", "李四")
    assert w.version_id == 6


def test_a_file_that_is_not_an_export_is_refused(reg: Registry, tmp_path) -> None:
    other = tmp_path / "other.xlsx"
    pd.DataFrame({"a": [1]}).to_excel(other, index=False)
    with pytest.raises(InputError, match="is not a registry export"):
        dump.restore(reg, other)
    with pytest.raises(InputError, match="export to .gpkg"):
        dump.export(reg, tmp_path / "registry.csv")


# --------------------------------------------------------------------------- PostGIS layer
def test_the_postgis_layer_has_one_point_per_station_in_wgs84(registry_url: str, clock: StepClock) -> None:
    if not registry_url.startswith("postgresql"):
        pytest.skip("the stations_layer view exists on PostgreSQL only")
    import geopandas as gpd

    reg = open_registry(registry_url, clock=clock)  # seeded
    one, _ = add_wuming(reg)
    reg.change("WM-1", one.version_id, {"lon": 108.28, "lat": 23.17}, "2022-01-01", "李四")
    reg.add("FUTURE", "45", {"name": "x", "township_code": MATOU, "lon": 107.9, "lat": 23.3}, "2999-01-01", "李四")
    layer = gpd.read_postgis("SELECT * FROM stations_layer", reg.engine, geom_col="geom")
    assert layer.crs.to_epsg() == 4326
    with reg.engine.connect() as conn:
        known = conn.execute(sa.select(sa.func.count()).select_from(schema.stations)).scalar_one()
    assert len(layer) == known - 1  # every station but the one valid only from 2999
    assert layer["station_id"].is_unique
    located = layer[layer.geometry.notna()]
    assert (located.geometry.geom_type == "Point").all()
    wm1 = layer.set_index("station_id").loc["WM-1"]
    assert (wm1.geom.x, wm1.geom.y) == (108.28, 23.17)
    current = reg.current("45")
    expected = int(current["lon"].notna().sum()) + int(reg.current("44")["lon"].notna().sum())
    assert len(located) == expected


# --------------------------------------------------------------------------- the fast reads agree with every version
def test_station_table_and_current_read_only_what_they_need_and_agree_with_all_versions(
    registry_url: str, clock: StepClock
) -> None:
    """Seeded random histories (back-dated and same-day versions, status and township changes, no
    township, unknown openings): the database-side reads equal pandas over every version."""
    import random

    from coverage.registry.store import open_periods

    rng = random.Random(7)
    reg = open_registry(registry_url, seed=False, clock=clock)
    towns = [CHENGXIANG, MATOU, SHUANGQIAO, None]
    days = [D("2020-01-01") + dt.timedelta(days=30 * k) for k in range(24)]
    with reg.engine.begin() as conn:
        for n in range(40):
            sid = f"R{n:02d}"
            first = rng.choice([D("1900-01-01"), *days[:6]])
            head = reg.add(
                sid,
                "45",
                {"name": sid, "township_code": rng.choice(towns[:3]), "status": "open"},
                first,
                "x",
                conn=conn,
            )
            for _ in range(rng.randint(0, 12)):
                changes = rng.choice(
                    [
                        {"status": rng.choice(["open", "open", "suspended", "closed", "planned", None])},
                        {"township_code": rng.choice(towns)},
                        {"social_workers": rng.randint(0, 5)},
                        {"name": f"{sid}-{rng.randint(0, 9)}"},
                    ]
                )
                head = reg.change(sid, head.version_id, changes, rng.choice([first, *days]), "x", conn=conn)
            clock.set(clock.now + dt.timedelta(days=rng.randint(0, 40)))
    for known_on in (None, "2024-01-20", "2024-03-01", "2024-06-30"):
        pd.testing.assert_frame_equal(
            reg.station_table("45", known_on=known_on), open_periods(reg.versions("45", known_on=known_on))
        )
        for as_of in ("2019-12-31", "2020-06-30", "2021-03-15", "2030-01-01"):
            every = reg.versions("45", known_on=known_on, as_of=as_of)
            expected = every.drop_duplicates("station_id", keep="last").reset_index(drop=True)
            pd.testing.assert_frame_equal(reg.current("45", as_of=as_of, known_on=known_on), expected)
    assert len(reg.station_table("45")) > 40  # periods split by suspensions, closures and moves
    # and independently of open_periods: a station is open on a day exactly when the version in force
    # that day (the latest valid date up to it, the latest recorded among equals) says "open"
    table = reg.station_table("45")
    for day in [D("1900-01-01"), *days, D("2030-01-01")]:
        in_force = reg.current("45", as_of=day)
        expected = sorted(in_force.loc[in_force["status"] == "open", "station_id"])
        assert sorted(table.loc[open_on(table, day), "station_id"]) == expected, day


def test_a_registry_of_an_older_revision_is_upgraded_on_open_with_its_data(registry_url: str, clock: StepClock) -> None:
    """A registry at revision 0002 (before the per-station layer, accounts and the audit trail) opens at
    the newest revision with the same stations and history, and the same layer (PostgreSQL)."""
    from alembic import command

    from coverage.registry.migrate import alembic_config

    old_tables = ("stations", "versions", "submissions", "submission_rows", "decisions")

    def rows(engine: sa.Engine) -> dict[str, list[tuple]]:
        with engine.connect() as conn:
            return {
                name: [tuple(r) for r in conn.execute(sa.select(t).order_by(*t.primary_key.columns)).all()]
                for name, t in schema.metadata.tables.items()
                if name in old_tables
            }

    made = open_registry(registry_url, seed=False, clock=clock)
    add_wuming(made)
    made.close("WM-2", 2, "2024-10-15", "王五")
    with made.engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0002")
    assert current_revision(made.engine) == "0002"
    layer = "SELECT * FROM stations_layer ORDER BY station_id"
    with made.engine.connect() as conn:
        before = conn.exec_driver_sql(layer).all() if made.backend == "postgresql" else []
    data = rows(made.engine)
    reg = open_registry(registry_url, seed=False)
    assert current_revision(reg.engine) == "0004"
    assert rows(reg.engine) == data and len(data["versions"]) == 3
    assert snapshot(reg)["accounts"] == [] and snapshot(reg)["audit"] == []
    if reg.backend == "postgresql":
        with reg.engine.connect() as conn:
            assert conn.exec_driver_sql(layer).all() == before and len(before) == 2
        with reg.engine.begin() as conn:
            command.downgrade(alembic_config(conn), "0002")
        with reg.engine.connect() as conn:
            assert conn.exec_driver_sql(layer).all() == before


def test_a_seeded_list_is_still_the_demo_but_dated_by_the_last_ledger_accepted(registry_url: str) -> None:
    """The Overview's "list last updated" moves to the day a ledger was accepted; the demo stays a demo."""
    from coverage.registry import ledger
    from coverage.registry.analysis import registry_list
    from tests.registry_cases import NOVEMBER_WUMING, ledger_csv

    clock = StepClock(dt.datetime(2024, 1, 10, 2))
    reg = open_registry(registry_url, clock=clock)
    before = registry_list(reg, "45")
    assert (before.nature, before.last_updated) == ("synthetic", dt.date(2021, 11, 30))
    clock.set(dt.datetime(2024, 12, 3, 1))
    submitted = ledger.submit(reg, ledger_csv(NOVEMBER_WUMING), "wm.csv", "2024-11", "450110", "武鸣区民政局")
    clock.set(dt.datetime(2024, 12, 4, 2))
    ledger.accept(reg, submitted.submission_id, "审核员")
    after = registry_list(reg, "45")
    assert (after.nature, after.last_updated) == ("synthetic", dt.date(2024, 12, 4))
    assert registry_list(reg, "45", known_on="2024-12-03").last_updated == dt.date(2021, 11, 30)


def test_only_a_new_registry_is_seeded_and_never_one_with_accounts(registry_url: str) -> None:
    from coverage.registry.accounts import add_user
    from coverage.registry.seed import seed_embedded

    empty = open_registry(registry_url, seed=False)  # as `registry init --empty` makes it
    assert open_registry(registry_url).is_empty()  # opened again by any command: still empty
    add_user(empty, "admin", "admin-secret-1", "admin", "45")
    assert seed_embedded(empty) == 0 and empty.is_empty()  # a bureau's registry gets no demo list
