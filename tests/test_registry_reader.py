"""Reading the registry without SQLAlchemy (issue 17): :func:`coverage.registry.reader.open_reader`.

An SQLite file at the newest revision is read through ``sqlite3`` and gives the very frames the
SQLAlchemy store gives (rows, order, columns, Python types); anything else - PostgreSQL, a file not
made yet, an older revision, a URL with options - is opened by ``open_registry`` as before.
"""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from coverage.registry.migrate import HEAD, alembic_config, current_revision
from coverage.registry.reader import SQLiteReader, open_reader, sqlite_file
from coverage.registry.seed import seed_embedded
from coverage.registry.store import Registry, open_registry
from tests.registry_cases import CHENGXIANG, MATOU, SHUANGQIAO, StepClock

D = dt.date.fromisoformat
T = dt.datetime.fromisoformat


@pytest.fixture
def clock() -> StepClock:
    return StepClock(T("2024-01-10 02:00"))


def random_history(reg: Registry, clock: StepClock, seed: int) -> None:
    """Seeded histories: back-dated and same-day versions, status and township changes, no township,
    unknown openings, counts and coordinates given or not, opening and closing dates, two provinces."""
    rng = random.Random(seed)
    towns = [CHENGXIANG, MATOU, SHUANGQIAO, None]
    days = [D("2020-01-01") + dt.timedelta(days=30 * k) for k in range(24)]
    with reg.engine.begin() as conn:
        for n in range(30):
            sid, province = f"R{n:02d}", "45" if n % 5 else "44"
            first = rng.choice([D("1900-01-01"), *days[:6]])
            fields = {"name": sid, "township_code": rng.choice(towns[:3]), "status": "open"}
            if rng.random() < 0.5:
                fields |= {"lon": 108.0 + rng.random(), "lat": 23.0 + rng.random(), "opened": first}
            head = reg.add(sid, province, fields, first, "x", conn=conn)
            for _ in range(rng.randint(0, 10)):
                changes = rng.choice(
                    [
                        {"status": rng.choice(["open", "open", "suspended", "closed", "planned", None])},
                        {"township_code": rng.choice(towns)},
                        {"social_workers": rng.choice([None, 0, 3]), "certified_workers": rng.choice([None, 0])},
                        {"case_files": rng.randint(0, 50), "notes": rng.choice([None, "备注"])},
                        {"closed": rng.choice(days), "funding_yuan": rng.choice([None, 1.5e5])},
                    ]
                )
                head = reg.change(sid, head.version_id, changes, rng.choice([first, *days]), "x", conn=conn)
            clock.set(clock.now + dt.timedelta(days=rng.randint(0, 40), seconds=rng.randint(0, 86_399)))


@pytest.mark.parametrize("seed", [3, 11])
def test_reads_give_the_stores_frames_for_every_known_on_and_as_of(
    registry_url: str, clock: StepClock, seed: int
) -> None:
    reg = open_registry(registry_url, seed=False, clock=clock)
    random_history(reg, clock, seed)
    reader = open_reader(registry_url)
    expected_kind = SQLiteReader if registry_url.startswith("sqlite") else Registry
    assert type(reader) is expected_kind  # PostgreSQL keeps SQLAlchemy
    # the end of a day in China is 16:00 UTC: some versions were recorded just before, some just after
    for known_on in (None, "2024-01-10", "2024-01-20", "2024-03-01", "2024-06-30", D("2025-01-01")):
        for province in ("45", "44", "46"):
            pd.testing.assert_frame_equal(
                reader.station_table(province, known_on=known_on), reg.station_table(province, known_on=known_on)
            )
            for as_of in (None, "2019-12-31", "2020-06-30", D("2021-03-15"), "2030-01-01"):
                got = reader.current(province, as_of=as_of, known_on=known_on)
                pd.testing.assert_frame_equal(got, reg.current(province, as_of=as_of, known_on=known_on))
    table = reader.station_table("45")
    assert len(table) > 20
    # the same Python values, not only equal ones: dates are dates, counts are ints or None
    stored = reg.station_table("45")
    for column in table.columns:
        assert [type(v) for v in table[column]] == [type(v) for v in stored[column]], column
    assert {type(v) for v in table["opened"].dropna()} == {dt.date}
    current, stored = reader.current("45", known_on="2024-06-30"), reg.current("45", known_on="2024-06-30")
    for column in current.columns:
        assert [type(v) for v in current[column]] == [type(v) for v in stored[column]], column
    assert current["recorded_at"].dtype.kind == "M" and {type(v) for v in current["opened"].dropna()} == {dt.date}


def test_the_seeded_embedded_lists_read_the_same_both_ways(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'registry.sqlite'}"
    reg = open_registry(url, seed=False)
    seed_embedded(reg)
    reader = open_reader(url)
    assert isinstance(reader, SQLiteReader)
    for province in ("45", "44"):
        pd.testing.assert_frame_equal(reader.station_table(province), reg.station_table(province))
        pd.testing.assert_frame_equal(reader.current(province), reg.current(province))
    assert len(reader.station_table("45")) == 375


def test_a_file_not_made_yet_is_created_and_seeded_as_before(tmp_path: Path) -> None:
    path = tmp_path / "new" / "registry.sqlite"
    path.parent.mkdir()
    reader = open_reader(f"sqlite:///{path}")
    assert isinstance(reader, Registry)
    assert current_revision(reader.engine) == HEAD and not reader.is_empty()
    assert isinstance(open_reader(f"sqlite:///{path}"), SQLiteReader)  # the next command reads it directly


def test_an_older_revision_is_upgraded_first(tmp_path: Path, clock: StepClock) -> None:
    from alembic import command

    url = f"sqlite:///{tmp_path / 'registry.sqlite'}"
    reg = open_registry(url, seed=False, clock=clock)
    random_history(reg, clock, 5)
    before = reg.station_table("45")
    with reg.engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0002")
    assert SQLiteReader(tmp_path / "registry.sqlite").revision() == "0002"
    opened = open_reader(url)
    assert isinstance(opened, Registry)  # SQLAlchemy and Alembic brought it to the newest revision
    assert SQLiteReader(tmp_path / "registry.sqlite").revision() == HEAD
    pd.testing.assert_frame_equal(open_reader(url).station_table("45"), before)


def test_a_file_that_is_not_a_registry_gets_the_stores_message(tmp_path: Path) -> None:
    from coverage._errors import InputError

    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(InputError, match="cannot open the registry"):
        open_reader(f"sqlite:///{junk}")
    empty = tmp_path / "empty.sqlite"
    sqlite3.connect(empty).close()  # a database without alembic_version: made a registry (and seeded)
    made = open_reader(f"sqlite:///{empty}")
    assert isinstance(made, Registry) and current_revision(made.engine) == HEAD


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("sqlite:////srv/reg.sqlite", Path("/srv/reg.sqlite")),
        ("sqlite:///var/reg.sqlite", Path("var/reg.sqlite")),
        ("sqlite://", None),
        ("sqlite:///:memory:", None),
        ("sqlite:///reg.sqlite?mode=ro", None),
        ("sqlite:///reg%20x.sqlite", None),
        ("sqlite+pysqlite:///reg.sqlite", None),
        ("postgresql+psycopg://coverage@127.0.0.1/db", None),
    ],
)
def test_only_plain_sqlite_file_urls_are_read_directly(url: str, path: Path | None) -> None:
    assert sqlite_file(url) == path
