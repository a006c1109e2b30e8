"""The registry's time rules and open periods, without the database layer.

What both ways of reading the registry share: :class:`~coverage.registry.store.Registry`
(SQLAlchemy, SQLite or PostgreSQL) and :mod:`coverage.registry.reader` (the embedded SQLite file
read with the standard library's ``sqlite3``, for commands that only read).  Importing this module
loads no SQLAlchemy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from coverage import settings

_UNKNOWN = dt.date.fromisoformat(settings.UNKNOWN_OPENING)


def utc_now() -> dt.datetime:
    """Now, UTC, without a time zone (how the registry stores times)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def end_of_day_utc(day: dt.date) -> dt.datetime:
    """The end of ``day`` in China (Asia/Shanghai) as a UTC time: "known on ``day``" means recorded before it."""
    local = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=ZoneInfo(settings.LOCAL_TZ))
    return local.astimezone(dt.UTC).replace(tzinfo=None)


#: Version columns :func:`open_periods` reads.
PERIOD_COLUMNS = (
    "station_id", "valid_from", "name", "township_code", "lon", "lat", "source", "notes", "status",
    "social_workers", "certified_workers", "households_served", "people_served", "case_files",
)  # fmt: skip
#: Ids bound in one query (SQLite allows 32,766 parameters, PostgreSQL 65,535).
IDS_PER_QUERY = 20_000


def period_bounds(
    version_ids: Iterable[int] = (),
    station_ids: Iterable[str] = (),
    valid_from: Iterable[Any] = (),
    statuses: Iterable[str | None] = (),
    townships: Iterable[str | None] = (),
) -> list[int]:
    """Of versions ordered by station, valid date and recorded time, the ids :func:`open_periods` needs.

    Of each station and valid date the last recorded counts; of those, a version is kept when it is a
    station's first or last, or its status or township differs from the one before or after it.
    Dropped versions lie inside a run of one status in one township, which no period starts or ends.

    >>> period_bounds([1, 2, 3, 4, 5], ["A"] * 5, ["d1", "d2", "d2", "d3", "d4"],
    ...               ["open", "open", "open", "open", "closed"], ["T"] * 5)
    [1, 4, 5]
    """
    ids = np.asarray(list(version_ids), dtype=np.int64)
    if ids.size == 0:
        return []
    station = np.asarray(list(station_ids), dtype=object)
    valid = np.asarray([str(d) for d in valid_from], dtype=object)
    last_of_day = np.r_[(station[1:] != station[:-1]) | (valid[1:] != valid[:-1]), True]
    station = station[last_of_day]
    state = np.asarray([s or "" for s in statuses], dtype=object)[last_of_day]
    town = np.asarray([t or "" for t in townships], dtype=object)[last_of_day]
    change = np.r_[True, (station[1:] != station[:-1]) | (state[1:] != state[:-1]) | (town[1:] != town[:-1])]
    keep = change | np.r_[change[1:], True]
    return [int(i) for i in ids[last_of_day][keep]]


def open_periods(versions: pd.DataFrame) -> pd.DataFrame:
    """Open periods from version rows (ordered by station, valid date, recorded time).

    For each station and valid date the latest recorded version counts; a period starts where the
    station becomes open (or opens in another township) and ends at the next version that is not
    open there.  A period starting on :data:`settings.UNKNOWN_OPENING` has an unknown opening date.
    """
    columns = [
        "station_id", "name", "township_code", "lon", "lat", "opened", "closed", "source", "notes",
        "status", "social_workers", "certified_workers", "households_served", "people_served", "case_files",
    ]  # fmt: skip
    if versions.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    v = versions.drop_duplicates(["station_id", "valid_from"], keep="last").reset_index(drop=True)
    is_open = (v["status"] == "open").to_numpy()
    same_station = (v["station_id"] == v["station_id"].shift()).to_numpy()
    town = v["township_code"].fillna("")  # no township twice is the same (no) township
    same_town = (town == town.shift()).to_numpy()
    prev_open = np.r_[False, is_open[:-1]] & same_station
    starts = is_open & ~(prev_open & same_town)
    run = np.cumsum(starts | ~is_open)  # a new run at every start and every non-open row
    v["run"] = run
    open_rows = v[is_open]
    first = open_rows.groupby("run").head(1)
    last = open_rows.groupby("run").tail(1)
    # the period ends at the valid date of the row after its last open row, when that row is the same
    # station (picked by position: groupby's last() would skip the None of a period still open)
    nxt = v["valid_from"].shift(-1)
    nxt_same = v["station_id"].shift(-1) == v["station_id"]
    end = nxt.where(nxt_same, None)
    out = last.copy()
    out["opened"] = [None if d == _UNKNOWN else d for d in first["valid_from"]]
    out["closed"] = [end.loc[i] for i in last.index]
    return out[columns].reset_index(drop=True)


def whole_numbers(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """Whole-number ``columns`` of ``frame`` as Python ints and None (pandas would make floats of a column
    with a gap: a count of 3 would read, and be reported, as 3.0)."""
    for name in columns:
        if name in frame and frame[name].dtype.kind == "f":
            frame[name] = pd.Series([None if v != v else int(v) for v in frame[name]], index=frame.index, dtype=object)
    return frame
