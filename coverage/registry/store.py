"""The station registry: one shared, persistent record of stations over time.

:func:`open_registry` connects to the embedded SQLite file (created and filled from
``data/stations`` on first use) or to a bureau's PostgreSQL + PostGIS server, brings its
schema up to date with Alembic, and returns a :class:`Registry`.

Reading, two ways in time:

* :meth:`Registry.current` - every station as it stood on ``as_of`` (a date on the ground) as
  the registry knew it on ``known_on`` (default: now);
* :meth:`Registry.station_table` - the stations' open periods as known on ``known_on``, in the
  station table every analysis reads (``opened``/``closed`` per open period), so coverage at
  any date and the monthly trajectory come out of the same functions as for a file.

Writing only ever inserts versions; each write names the version it is based on and is
refused with :class:`ConflictError` when someone else recorded a newer one meanwhile.

Examples
--------
>>> import datetime as dt
>>> reg = open_registry("sqlite://", seed=False)
>>> v = reg.add("S1", "45", {"name": "城厢镇社工站", "township_code": "450122100", "status": "open"},
...             valid_from=dt.date(2021, 3, 1), by="张三")
>>> reg.current("45", as_of="2021-02-28").empty, reg.current("45", as_of="2021-03-01")["name"].tolist()
(True, ['城厢镇社工站'])
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from coverage._errors import CoverageError, InputError
from coverage.checks import as_date
from coverage.registry import audit, schema
from coverage.registry.periods import (  # noqa: F401 - also read from here
    IDS_PER_QUERY,
    PERIOD_COLUMNS,
    end_of_day_utc,
    open_periods,
    period_bounds,
    utc_now,
    whole_numbers,
)
from coverage.registry.reader import SQLITE_WAIT_S, registry_url

#: Columns of a version row besides the station's attributes.
VERSION_META = (
    "version_id",
    "station_id",
    "province_code",
    "valid_from",
    "recorded_at",
    "recorded_by",
    "source",
    "action",
)
FIELDS = tuple(schema.STATION_FIELDS)
#: Characters of a person's or office's name (``recorded_by``, ``submitted_by``, ``decided_by``).
PERSON_CHARS = schema.versions.c.recorded_by.type.length  # type: ignore[attr-defined]


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of a frame as dicts keyed by column name."""
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict(orient="records")]


def inserted_id(result: sa.CursorResult[Any]) -> int:
    """The primary key of the row an INSERT created."""
    key = result.inserted_primary_key
    if key is None:  # pragma: no cover - every table here has an integer key
        msg = "the database returned no key for the new row"
        raise RuntimeError(msg)
    return int(key[0])


class Checked(str):
    """A name whose right to write has been checked (:func:`coverage.registry.accounts.require`),
    with the role it wrote in (None in single-user mode).  Writes inside a larger one that was
    checked as a whole (accepting a ledger) pass it on instead of being checked again."""

    role: str | None

    def __new__(cls, name: str, role: str | None = None) -> Checked:
        obj = super().__new__(cls, name)
        obj.role = role
        return obj


class ConflictError(CoverageError):
    """A write was based on a version that is no longer the newest (someone else changed the station)."""


def display_url(url: str) -> str:
    """The URL with any password hidden, for messages and logs."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - an unparsable URL is shown as nothing rather than leaked
        return "<database URL>"


def check_url(url: str) -> str:
    """``url`` if it is an SQLAlchemy URL of SQLite or PostgreSQL, else :class:`InputError` saying what to give."""
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError:
        msg = f"database URL not understood ({display_url(url)}); give sqlite:///path.sqlite or postgresql+psycopg://user@host/db"
        raise InputError(msg) from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        msg = f"database {display_url(url)} is neither SQLite nor PostgreSQL; the registry supports those two"
        raise InputError(msg)
    return url


def check_person(by: str) -> str:
    """Who records, submits or decides: a name of 1 to :data:`PERSON_CHARS` characters (kept with every row)."""
    text = str(by).strip()
    if not text or len(text) > PERSON_CHARS:
        msg = f"who did it must be a name of 1 to {PERSON_CHARS} characters, not {shown_text(str(by))!r}; give a person or office"
        raise InputError(msg)
    return text


def shown_text(text: str, limit: int = 40) -> str:
    """``text`` cut to ``limit`` characters for a message."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _write_ahead_log(cursor: Any) -> None:
    """Put an SQLite file in WAL mode (readers never wait for the writer).  Switching a new file
    takes an exclusive lock and SQLite answers "locked" at once rather than waiting when another
    process is switching it too, so wait here (up to :data:`SQLITE_WAIT_S`) for that one to finish."""
    import sqlite3
    import time

    deadline = time.monotonic() + SQLITE_WAIT_S
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _engine(url: str) -> sa.Engine:
    parsed = sa.engine.make_url(check_url(url))
    if parsed.get_backend_name() == "sqlite":
        engine = sa.create_engine(url, connect_args={"timeout": SQLITE_WAIT_S})

        @sa.event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # transactions are begun below, IMMEDIATE: one writer at a time
            cursor = dbapi_conn.cursor()
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_WAIT_S * 1000}")
            cursor.execute("PRAGMA foreign_keys=ON")
            if parsed.database not in (None, "", ":memory:"):
                _write_ahead_log(cursor)
            cursor.close()

        @sa.event.listens_for(engine, "begin")
        def _sqlite_begin(conn: sa.Connection) -> None:
            # a write takes the lock at once (two writers that both read first would otherwise
            # deadlock); a read (see :func:`reading`) reads a snapshot and never waits for a writer
            read_only = conn.get_execution_options().get(READ_ONLY, False)
            conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

        return engine
    return sa.create_engine(url, pool_pre_ping=True)


READ_ONLY = "registry_read_only"


def reading(engine: sa.Engine) -> sa.Connection:
    """A connection for reading: on SQLite its transaction starts as a reader (``BEGIN``), so it reads
    the last committed state while a writer holds the lock, instead of waiting for it."""
    return engine.connect().execution_options(**{READ_ONLY: True})


def exclusive(conn: sa.Connection) -> None:
    """Make ``conn``'s transaction the only one doing registry-wide work (creating the schema, seeding)
    until it ends: SQLite's write transactions are exclusive already; PostgreSQL takes an advisory lock."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SELECT pg_advisory_xact_lock(hashtext('coverage station registry'))")


def open_registry(url: str | None = None, seed: bool = True, clock: Callable[[], dt.datetime] = utc_now) -> Registry:
    """Connect, bring the schema up to date (Alembic) and, for a new registry, load the embedded lists.

    ``url``: an SQLAlchemy URL (``sqlite:///file``, ``postgresql+psycopg://user@host/db``); default
    :func:`registry_url`.  ``seed``: fill a new registry (created by this call) from ``data/stations``.
    ``clock``: where recorded times come from (tests and benchmarks give their own).
    """
    from coverage.registry.migrate import upgrade

    chosen = registry_url(url)
    engine = _engine(chosen)
    try:
        new = upgrade(engine) is None
    except sa.exc.DatabaseError as exc:  # cannot connect, or not a database at all
        msg = f"cannot open the registry at {display_url(chosen)}: {exc.orig}; check the URL and that the server runs"
        raise InputError(msg) from None
    registry = Registry(engine, clock)
    if seed and new and registry.is_empty():  # a registry made empty on purpose (`init --empty`) stays so
        from coverage.registry.seed import seed_embedded

        seed_embedded(registry)
    return registry


@dataclass(frozen=True)
class Written:
    """What a write created: the new version and the station it belongs to."""

    station_id: str
    version_id: int


class Registry:
    """Reads and writes the registry's tables; every write is one transaction."""

    def __init__(self, engine: sa.Engine, clock: Callable[[], dt.datetime] = utc_now) -> None:
        self.engine = engine
        self.clock = clock

    @property
    def url(self) -> str:
        """The database URL without its password."""
        return display_url(self.engine.url.render_as_string(hide_password=False))

    @property
    def backend(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    def is_empty(self) -> bool:
        with reading(self.engine) as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(schema.stations)).scalar_one() == 0

    # ------------------------------------------------------------------ reading
    def versions(
        self,
        province: str | None = None,
        known_on: dt.date | str | None = None,
        as_of: dt.date | str | None = None,
        station_ids: Iterable[str] | None = None,
    ) -> pd.DataFrame:
        """Version rows (all columns), optionally of one province, recorded by the end of ``known_on``
        and valid from ``as_of`` or earlier; ordered by station, valid date and recorded time."""
        v = schema.versions
        query = _known(sa.select(v), province, known_on, as_of, station_ids)
        return self._read(query.order_by(v.c.station_id, v.c.valid_from, v.c.recorded_at, v.c.version_id))

    def current(
        self, province: str, as_of: dt.date | str | None = None, known_on: dt.date | str | None = None
    ) -> pd.DataFrame:
        """Each station's state on ``as_of`` (default today) as known on ``known_on`` (default now):
        the version with the latest valid date up to ``as_of``, the latest recorded among equals.

        The database finds that version for each station of the province (one short backward walk
        of the ``ix_versions_lookup`` index per station), so only one row per station is read.
        """
        v, s = schema.versions, schema.stations
        top = _known(sa.select(v.c.version_id), province, known_on, as_of or dt.date.today())
        top = top.where(v.c.station_id == s.c.station_id)
        top = top.order_by(v.c.valid_from.desc(), v.c.recorded_at.desc(), v.c.version_id.desc()).limit(1)
        chosen = v.alias("chosen")
        query = (
            sa.select(chosen)
            .select_from(s.join(chosen, chosen.c.version_id == top.correlate(s).scalar_subquery()))
            .where(s.c.province_code == str(province))
            .order_by(s.c.station_id)
        )
        return self._read(query)

    def station_table(self, province: str, known_on: dt.date | str | None = None) -> pd.DataFrame:
        """The stations' open periods as known on ``known_on``, as the station table analyses read.

        One row per period in which a station was open in one township: ``station_id``, ``name``,
        ``township_code``, ``lon``, ``lat``, ``opened`` (None when unknown), ``closed`` (None while
        open), ``source``, ``notes`` and the staff and caseload of its latest version in the period.

        Only the versions that bound a period are read in full (:func:`period_bounds`): the
        monthly staff figures in between make no period.  The result is :func:`open_periods` of
        every version known on ``known_on``.
        """
        v = schema.versions
        keys = _known(
            sa.select(
                v.c.version_id, v.c.station_id, sa.cast(v.c.valid_from, sa.String), v.c.status, v.c.township_code
            ),
            province,
            known_on,
        ).order_by(v.c.station_id, v.c.valid_from, v.c.recorded_at, v.c.version_id)
        wide = sa.select(*(v.c[name] for name in PERIOD_COLUMNS)).where(_one_of(v.c.version_id, self.backend))
        with reading(self.engine) as conn:  # one connection: the ids read are the rows read
            ids = period_bounds(*zip(*conn.execute(keys).all(), strict=True))
            parts = [
                conn.execute(wide, {"ids": ids[k : k + IDS_PER_QUERY]}).all() for k in range(0, len(ids), IDS_PER_QUERY)
            ]
        frame = pd.DataFrame([tuple(r) for part in parts for r in part], columns=list(PERIOD_COLUMNS))
        frame = frame.sort_values(["station_id", "valid_from"], kind="stable").reset_index(drop=True)
        return open_periods(_whole_numbers(frame))

    def _read(self, query: sa.Select) -> pd.DataFrame:
        with reading(self.engine) as conn:
            result = conn.execute(query)
            columns = list(result.keys())
            rows = [tuple(r) for r in result]  # plain tuples: pandas probes a Row's attributes, slowly
        return _whole_numbers(pd.DataFrame(rows, columns=columns))

    def history(self, station_id: str) -> pd.DataFrame:
        """Every version of a station, in the order the registry recorded them."""
        rows = self.versions(station_ids=[station_id])
        if rows.empty:
            msg = f"no station {station_id!r} in the registry; list them with `python -m coverage registry export`"
            raise InputError(msg)
        return rows.sort_values(["recorded_at", "version_id"]).reset_index(drop=True)

    def head(self, station_id: str) -> dict[str, Any] | None:
        """The newest version recorded for a station (any valid date), or None for an unknown station."""
        v, s = schema.versions, schema.stations
        with reading(self.engine) as conn:
            row = conn.execute(
                sa.select(v).join(s, s.c.head_version_id == v.c.version_id).where(s.c.station_id == station_id)
            ).first()
        return dict(row._mapping) if row is not None else None

    def heads(self, province: str | None = None) -> dict[str, int | None]:
        """Station id -> its newest version's id, for every station (of ``province``): one query where a
        ledger of a thousand rows would otherwise ask a thousand times."""
        s = schema.stations
        query = sa.select(s.c.station_id, s.c.head_version_id)
        if province is not None:
            query = query.where(s.c.province_code == str(province))
        with reading(self.engine) as conn:
            return {str(sid): head for sid, head in conn.execute(query)}

    # ------------------------------------------------------------------ writing
    def add(
        self,
        station_id: str,
        province: str,
        fields: Mapping[str, Any],
        valid_from: dt.date | str,
        by: str | Any,
        source: str = "edit",
        submission_id: int | None = None,
        conn: sa.Connection | None = None,
    ) -> Written:
        """Register a new station with its first version; refused if the id exists (also when another
        writer adds the same id at the same moment: the second is refused).

        ``by``: who (a name; once the registry has accounts, a logged-in
        :class:`~coverage.registry.accounts.Actor` allowed to edit stations where this one is).
        """
        _check_station(station_id, province)
        place = str(fields.get("township_code") or fields.get("county_code") or province)
        who = self._who(by, place, "add station", station_id)
        taken = f"station {station_id!r} is already in the registry; edit it instead, or give a new id"
        with self._transaction(conn) as c:
            exists = c.execute(
                sa.select(schema.stations.c.station_id).where(schema.stations.c.station_id == station_id)
            ).first()
            if exists is not None:
                raise InputError(taken)
            now = self.clock()  # the station is created when its first version is recorded
            try:
                c.execute(
                    schema.stations.insert().values(
                        station_id=station_id, province_code=str(province), created_at=now, head_version_id=None
                    )
                )
            except sa.exc.IntegrityError:  # added by another writer since the check (PostgreSQL)
                raise InputError(taken) from None
            clean = _clean(fields)
            version_id = self._insert(
                c, station_id, str(province), clean, valid_from, who, source, "add", submission_id, now
            )
            self._move_head(c, station_id, None, version_id)
            audit.record(
                c, now, who, who.role, "add station", "ok", target=station_id, station_id=station_id, scope=place,
                after={**clean, "valid_from": as_date(valid_from), "source": source},
            )  # fmt: skip
        return Written(station_id, version_id)

    def change(
        self,
        station_id: str,
        base_version_id: int,
        changes: Mapping[str, Any],
        valid_from: dt.date | str,
        by: str | Any,
        source: str = "edit",
        action: str = "edit",
        submission_id: int | None = None,
        conn: sa.Connection | None = None,
    ) -> Written:
        """Record ``changes`` to a station taking effect on ``valid_from``.

        ``base_version_id`` is the newest version the writer saw (``head(station_id)``); when
        another version was recorded since, :class:`ConflictError` names it and nothing changes.
        The new version holds the station's state on ``valid_from`` (as known now) with ``changes``.
        ``by`` as for :meth:`add`: with accounts, the actor must be allowed to edit stations both
        where the station is and where ``changes`` would move it.
        """
        who = by if isinstance(by, Checked) else None
        if who is None:
            current = self.head(station_id)
            place = str((current or {}).get("township_code") or (current or {}).get("province_code") or "")
            who = self._who(by, place, action, station_id)
            moved_to = changes.get("township_code")
            if moved_to and str(moved_to) != place:
                who = self._who(by, str(moved_to), action, station_id)
        with self._transaction(conn) as c:
            head = c.execute(
                sa.select(schema.stations.c.head_version_id, schema.stations.c.province_code).where(
                    schema.stations.c.station_id == station_id
                )
            ).first()
            if head is None:
                msg = f"no station {station_id!r} in the registry; add it first"
                raise InputError(msg)
            if head.head_version_id != base_version_id:
                raise self._conflict(c, station_id, head.head_version_id)
            day = as_date(valid_from)
            state = self._state_on(c, station_id, day)
            fields = {**state, **_clean(changes)}
            now = self.clock()  # one time for the version and its audit row
            version_id = self._insert(
                c, station_id, head.province_code, fields, day, who, source, action, submission_id, now
            )
            self._move_head(c, station_id, base_version_id, version_id)
            audit.record(
                c, now, who, who.role, action, "ok", target=station_id, station_id=station_id,
                scope=str(fields.get("township_code") or head.province_code),
                before=state, after={**_clean(changes), "valid_from": day, "source": source},
            )  # fmt: skip
        return Written(station_id, version_id)

    def close(
        self,
        station_id: str,
        base_version_id: int,
        closed: dt.date | str,
        by: str | Any,
        reason: str = "",
        source: str = "edit",
    ) -> Written:
        """Close a station on ``closed`` (it no longer counts from that day)."""
        day = as_date(closed)
        changes: dict[str, Any] = {"status": "closed", "closed": day}
        if reason:
            changes["notes"] = reason
        return self.change(station_id, base_version_id, changes, day, by, source, action="close")

    # ------------------------------------------------------------------ internals
    def _who(self, by: str | Any, place: str, action: str, station_id: str) -> Checked:
        """The checked name a write of a station at ``place`` is recorded under (see :meth:`add`)."""
        if isinstance(by, Checked):
            return by
        from coverage.registry.accounts import require

        return require(self, by, "edit", place, action=action, target=station_id, station_id=station_id)

    def _transaction(self, conn: sa.Connection | None) -> Any:
        """A new transaction, or the caller's (writes inside a larger one, e.g. accepting a ledger)."""
        if conn is not None:
            from contextlib import nullcontext

            return nullcontext(conn)
        return self.engine.begin()

    def _insert(
        self,
        conn: sa.Connection,
        station_id: str,
        province: str,
        fields: Mapping[str, Any],
        valid_from: dt.date | str,
        by: str,
        source: str,
        action: str,
        submission_id: int | None,
        recorded_at: dt.datetime | None = None,
    ) -> int:
        _check_fields(fields)
        by = check_person(by)
        values = {name: fields.get(name) for name in FIELDS}
        result = conn.execute(
            schema.versions.insert().values(
                station_id=station_id,
                province_code=province,
                valid_from=as_date(valid_from),
                recorded_at=recorded_at or self.clock(),
                recorded_by=by,
                source=source,
                submission_id=submission_id,
                action=action,
                **values,
            )
        )
        return inserted_id(result)

    def _move_head(self, conn: sa.Connection, station_id: str, base: int | None, new: int) -> None:
        s = schema.stations
        condition = s.c.head_version_id.is_(None) if base is None else s.c.head_version_id == base
        moved = conn.execute(
            s.update().where(s.c.station_id == station_id, condition).values(head_version_id=new)
        ).rowcount
        if moved != 1:
            current = conn.execute(sa.select(s.c.head_version_id).where(s.c.station_id == station_id)).scalar_one()
            raise self._conflict(conn, station_id, current)

    def _conflict(self, conn: sa.Connection, station_id: str, newer: int | None) -> ConflictError:
        row = conn.execute(sa.select(schema.versions).where(schema.versions.c.version_id == newer)).first()
        if row is None:
            return ConflictError(f"station {station_id!r} was changed meanwhile; reload it and edit again")
        return ConflictError(
            f"station {station_id!r} was changed meanwhile by {row.recorded_by} at {row.recorded_at:%Y-%m-%d %H:%M} UTC "
            f"({row.action}, version {row.version_id}, valid from {row.valid_from}); reload it and edit again"
        )

    def _state_on(self, conn: sa.Connection, station_id: str, day: dt.date) -> dict[str, Any]:
        v = schema.versions
        row = conn.execute(
            sa.select(v)
            .where(v.c.station_id == station_id, v.c.valid_from <= day)
            .order_by(v.c.valid_from.desc(), v.c.recorded_at.desc(), v.c.version_id.desc())
            .limit(1)
        ).first()
        if row is None:  # a change dated before the station existed: start from its first version
            row = conn.execute(
                sa.select(v).where(v.c.station_id == station_id).order_by(v.c.valid_from, v.c.version_id).limit(1)
            ).first()
        return {name: getattr(row, name) for name in FIELDS} if row is not None else {}


# --------------------------------------------------------------------------- queries
def _known(
    query: sa.Select,
    province: str | None,
    known_on: dt.date | str | None = None,
    as_of: dt.date | str | None = None,
    station_ids: Iterable[str] | None = None,
) -> sa.Select:
    """``query`` of versions limited to a province, to what was recorded by the end of ``known_on``
    (China) and to what was valid on ``as_of`` or earlier."""
    v = schema.versions
    if province is not None:
        query = query.where(v.c.province_code == str(province))
    if known_on is not None:
        query = query.where(v.c.recorded_at < end_of_day_utc(as_date(known_on)))
    if as_of is not None:
        query = query.where(v.c.valid_from <= as_date(as_of))
    if station_ids is not None:
        query = query.where(v.c.station_id.in_(list(station_ids)))
    return query


def _one_of(column: sa.Column, backend: str) -> sa.ColumnElement[bool]:
    """``column`` is one of the ids bound as ``ids``: one array parameter on PostgreSQL (a list of
    thousands of placeholders costs the driver more than the query), an expanded IN on SQLite."""
    if backend == "postgresql":
        from sqlalchemy.dialects.postgresql import ARRAY

        return column == sa.any_(sa.bindparam("ids", type_=ARRAY(sa.Integer)))
    return column.in_(sa.bindparam("ids", expanding=True))


# --------------------------------------------------------------------------- values
def _clean(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Attribute values as the tables store them (NaN and '' become None; dates become dates)."""
    unknown = set(fields) - set(FIELDS)
    if unknown:
        msg = f"unknown station fields {sorted(unknown)}; the registry keeps {', '.join(FIELDS)}"
        raise InputError(msg)
    out: dict[str, Any] = {}
    for name, value in fields.items():
        if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT or value == "":
            out[name] = None
        elif name in ("opened", "closed"):
            out[name] = as_date(value)
        elif isinstance(value, np.generic):
            out[name] = value.item()
        else:
            out[name] = value
    return out


def _check_station(station_id: str, province: str) -> None:
    length = schema.stations.c.station_id.type.length  # type: ignore[attr-defined]
    if not isinstance(station_id, str) or not station_id.strip() or len(station_id) > length:
        msg = f"a station id is text of 1 to {length} characters, not {shown_text(str(station_id))!r}; give another id"
        raise InputError(msg)
    if not (isinstance(province, str) and len(province) == 2 and province.isdigit()):
        msg = f"province {province!r} is not a 2-digit province code; give e.g. 45"
        raise InputError(msg)


def _check_fields(fields: Mapping[str, Any]) -> None:
    status = fields.get("status")
    if status is not None and status not in schema.STATUSES:
        msg = f"station status {status!r} is not one of {', '.join(schema.STATUSES)}"
        raise InputError(msg)
    host = fields.get("host")
    if host is not None and host not in schema.HOSTS:
        msg = f"host {host!r} is not one of {', '.join(schema.HOSTS)} (township seat or a village/community)"
        raise InputError(msg)
    for name in ("social_workers", "certified_workers", "households_served", "people_served", "case_files"):
        value = fields.get(name)
        if value is not None and (int(value) != value or value < 0):
            msg = f"{name} must be a whole number of 0 or more, not {value!r}"
            raise InputError(msg)
    workers, certified = fields.get("social_workers"), fields.get("certified_workers")
    if workers is not None and certified is not None and certified > workers:
        msg = f"{certified} certified social workers but only {workers} social workers; certified ones are among them"
        raise InputError(msg)
    lon, lat = fields.get("lon"), fields.get("lat")
    if (lon is None) != (lat is None):
        msg = "give both lon and lat, or neither"
        raise InputError(msg)
    for name, (kind, _) in schema.STATION_FIELDS.items():
        value, length = fields.get(name), getattr(kind, "length", None)
        if isinstance(value, str) and length is not None and len(value) > length:
            msg = f"{name} has {len(value)} characters, more than the {length} the registry keeps: {shown_text(value)!r}; shorten it"
            raise InputError(msg)


#: Attributes held as whole numbers (counts of people, households, files).
WHOLE_FIELDS = tuple(name for name, (kind, _) in schema.STATION_FIELDS.items() if isinstance(kind, sa.Integer))


def _whole_numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """The registry's whole-number columns of ``frame`` as Python ints and None (:func:`whole_numbers`)."""
    return whole_numbers(frame, ("version_id", "submission_id", *WHOLE_FIELDS))


def _json_value(value: Any) -> Any:
    if value is None or value is pd.NaT or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, np.generic):
        return value.item()
    return value


def fields_json(fields: Mapping[str, Any]) -> str:
    """Attributes as JSON text (dates as ISO strings, missing values as null), for submission rows."""
    return json.dumps({k: _json_value(v) for k, v in fields.items()}, ensure_ascii=False)
