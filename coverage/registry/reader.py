"""Reading the registry for commands that only read: the embedded SQLite file without SQLAlchemy.

:func:`open_reader` gives what ``status``, ``gaps`` and the other analyses read of the registry
(:meth:`~StationReads.station_table`, :meth:`~StationReads.current`).  For an SQLite file
already at the newest schema revision (:data:`coverage.registry.migrate.HEAD`, read from its
``alembic_version`` table) it is a :class:`SQLiteReader`, which asks the same queries through
the standard library's ``sqlite3``: importing SQLAlchemy and its SQLite dialect costs a command
0.15-0.25 s of start-up.  Anything else - a PostgreSQL server, a file not made yet (created and
seeded), an older revision (upgraded), a URL with options - is opened by
:func:`~coverage.registry.store.open_registry` as before.  Both give the same frames: the same
rows in the same order, the same columns and the same Python types (dates as ``datetime.date``,
times as ``datetime.datetime``, counts as ``int``), as a test checks on seeded random histories.

Importing this module loads no SQLAlchemy.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import pandas as pd

from coverage import settings
from coverage.checks import as_date
from coverage.registry.periods import (
    IDS_PER_QUERY,
    PERIOD_COLUMNS,
    end_of_day_utc,
    open_periods,
    period_bounds,
    whole_numbers,
)

if TYPE_CHECKING:
    from coverage.registry.store import Registry

#: How long a registry operation waits for another process's write on SQLite (seconds).
SQLITE_WAIT_S = 30
#: How SQLAlchemy stores a ``DateTime`` in SQLite (text that sorts as the time does); bound values
#: compared with stored ones must be written the same way.
SQLITE_DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"
#: Declared column type -> the Python value SQLAlchemy makes of the stored text.
_CONVERTERS: dict[str, Callable[[str], Any]] = {"DATE": dt.date.fromisoformat, "DATETIME": dt.datetime.fromisoformat}


class StationReads(Protocol):
    """What an analysis reads of the registry (:class:`~coverage.registry.store.Registry` or :class:`SQLiteReader`)."""

    def station_table(self, province: str, known_on: dt.date | str | None = None) -> pd.DataFrame: ...

    def current(
        self, province: str, as_of: dt.date | str | None = None, known_on: dt.date | str | None = None
    ) -> pd.DataFrame: ...


def registry_url(url: str | None = None) -> str:
    """The database URL: ``url``, else the ``COVERAGE_DB`` environment variable, else the embedded SQLite file."""
    chosen = url or os.environ.get(settings.REGISTRY_URL_ENV)
    if chosen:
        return chosen
    path = Path(settings.REGISTRY_SQLITE)
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def sqlite_file(url: str) -> Path | None:
    """The file of a plain ``sqlite:///FILE`` URL; None for anything else (a server, an in-memory
    database, a driver named, options, escaped characters), which SQLAlchemy reads.

    >>> sqlite_file("sqlite:////srv/registry.sqlite"), sqlite_file("sqlite:///var/r.sqlite")
    (PosixPath('/srv/registry.sqlite'), PosixPath('var/r.sqlite'))
    >>> sqlite_file("sqlite://"), sqlite_file("sqlite:///r.sqlite?mode=ro"), sqlite_file("postgresql://h/db")
    (None, None, None)
    """
    prefix = "sqlite:///"
    if not url.startswith(prefix):
        return None
    rest = url.removeprefix(prefix)
    if not rest or rest == ":memory:" or any(c in rest for c in "?#%"):
        return None
    return Path(rest)


def open_reader(url: str | None = None) -> SQLiteReader | Registry:
    """The registry at ``url`` (default :func:`registry_url`) for reading.

    An existing SQLite file at the newest schema revision is read with ``sqlite3``
    (:class:`SQLiteReader`); anything else is opened by :func:`~coverage.registry.store.open_registry`,
    which creates, seeds or upgrades it and says what is wrong with one it cannot open.
    """
    from coverage.registry.migrate import HEAD

    chosen = registry_url(url)
    path = sqlite_file(chosen)
    if path is not None and path.is_file():
        reader = SQLiteReader(path)
        try:
            if reader.revision() == HEAD:
                return reader
        except sqlite3.Error:  # not a database, or unreadable: open_registry's message says so
            pass
    from coverage.registry.store import open_registry

    return open_registry(chosen)


def _known(
    province: str, known_on: dt.date | str | None = None, as_of: dt.date | str | None = None
) -> tuple[list[str], list[Any]]:
    """The conditions on ``versions`` of :func:`coverage.registry.store._known`, as SQL and values."""
    where, values = ["versions.province_code = ?"], [str(province)]
    if known_on is not None:
        where.append("versions.recorded_at < ?")
        values.append(end_of_day_utc(as_date(known_on)).strftime(SQLITE_DATETIME_FORMAT))
    if as_of is not None:
        where.append("versions.valid_from <= ?")
        values.append(as_date(as_of).isoformat())
    return where, values


class SQLiteReader:
    """The registry's reads of :class:`~coverage.registry.store.Registry` on an SQLite file, through
    ``sqlite3``: the same queries, the same frames.  It never writes."""

    backend = "sqlite"

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    @property
    def url(self) -> str:
        return f"sqlite:///{self.path}"

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        """A connection whose reads see one snapshot (a deferred transaction: it never waits for a writer)."""
        with closing(sqlite3.connect(self.path, timeout=SQLITE_WAIT_S, isolation_level=None)) as conn:
            conn.execute(f"PRAGMA busy_timeout={SQLITE_WAIT_S * 1000}")
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                conn.execute("ROLLBACK")

    def revision(self) -> str | None:
        """The schema revision of the file (None: no ``alembic_version``, i.e. not a registry yet)."""
        with self._reading() as conn:
            has = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'")
            if has.fetchone() is None:
                return None
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        return None if row is None else str(row[0])

    def station_table(self, province: str, known_on: dt.date | str | None = None) -> pd.DataFrame:
        """As :meth:`coverage.registry.store.Registry.station_table`."""
        where, values = _known(province, known_on)
        keys = (
            "SELECT versions.version_id, versions.station_id, CAST(versions.valid_from AS VARCHAR), "
            f"versions.status, versions.township_code FROM versions WHERE {' AND '.join(where)} "
            "ORDER BY versions.station_id, versions.valid_from, versions.recorded_at, versions.version_id"
        )
        wide = (
            f"SELECT {', '.join('versions.' + c for c in PERIOD_COLUMNS)} FROM versions WHERE versions.version_id IN "
        )
        with self._reading() as conn:  # one snapshot: the ids read are the rows read
            types = _declared_types(conn)
            ids = period_bounds(*zip(*conn.execute(keys, values).fetchall(), strict=True))
            rows = []
            for k in range(0, len(ids), IDS_PER_QUERY):
                part = ids[k : k + IDS_PER_QUERY]
                rows += conn.execute(wide + f"({', '.join('?' * len(part))})", part).fetchall()
        frame = pd.DataFrame(_converted(rows, PERIOD_COLUMNS, types), columns=list(PERIOD_COLUMNS))
        frame = frame.sort_values(["station_id", "valid_from"], kind="stable").reset_index(drop=True)
        return open_periods(whole_numbers(frame, _integers(types)))

    def current(
        self, province: str, as_of: dt.date | str | None = None, known_on: dt.date | str | None = None
    ) -> pd.DataFrame:
        """As :meth:`coverage.registry.store.Registry.current`."""
        where, values = _known(province, known_on, as_of or dt.date.today())
        with self._reading() as conn:
            types = _declared_types(conn)
            columns = list(types)
            query = (
                f"SELECT {', '.join('chosen.' + c for c in columns)} FROM stations JOIN versions AS chosen "
                "ON chosen.version_id = (SELECT versions.version_id FROM versions "
                f"WHERE {' AND '.join(where)} AND versions.station_id = stations.station_id "
                "ORDER BY versions.valid_from DESC, versions.recorded_at DESC, versions.version_id DESC LIMIT 1) "
                "WHERE stations.province_code = ? ORDER BY stations.station_id"
            )
            rows = conn.execute(query, [*values, str(province)]).fetchall()
        return whole_numbers(pd.DataFrame(_converted(rows, columns, types), columns=columns), _integers(types))


def _declared_types(conn: sqlite3.Connection) -> dict[str, str]:
    """The ``versions`` table's columns, in order, and their declared types (``DATE``, ``VARCHAR(200)``...)."""
    return {str(row[1]): str(row[2]).upper() for row in conn.execute("PRAGMA table_info(versions)")}


def _integers(types: dict[str, str]) -> list[str]:
    """The columns declared ``INTEGER``: the whole numbers of the schema (ids and counts)."""
    return [name for name, kind in types.items() if kind == "INTEGER"]


def _converted(rows: list[tuple], columns: tuple[str, ...] | list[str], types: dict[str, str]) -> list[tuple]:
    """``rows`` with dates and times as the Python values SQLAlchemy gives (``sqlite3`` gives their text)."""
    convert = [(i, _CONVERTERS[types[c]]) for i, c in enumerate(columns) if types.get(c) in _CONVERTERS]
    if not convert:
        return rows
    out = []
    for row in rows:
        values = list(row)
        for i, to_value in convert:
            if values[i] is not None:
                values[i] = to_value(values[i])
        out.append(tuple(values))
    return out
