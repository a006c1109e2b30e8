"""The station table: its columns, the importer's row statuses, and which stations are open on a date.

Every station list (embedded files, imports, the registry) produces these columns; analyses
read them through :func:`open_on` and never import the importer.

Examples
--------
>>> import pandas as pd
>>> st = pd.DataFrame({"opened": ["2020-01-01", None, "2022-01-01"], "closed": ["2021-06-30", None, None]})
>>> open_on(st, "2021-06-30").tolist()
[False, True, False]
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from coverage.checks import as_date

#: Station table schema (the embedded files and every import produce these columns).
SCHEMA = ("station_id", "name", "township_code", "lon", "lat", "opened", "closed", "source", "notes")
#: What the importer says of each input row.
STATUSES = ("matched", "repaired", "ambiguous", "unmatched", "rejected")


def open_on(stations: pd.DataFrame, as_of: dt.date | str | None = None) -> pd.Series:
    """True for stations open on ``as_of`` (default: today): opened on or before it, not closed.

    A station without an opening date counts as open at every date; a station closed on day d
    is no longer open on d.
    """
    day = pd.Timestamp(as_date(as_of))
    opened = pd.to_datetime(stations["opened"], errors="coerce")
    closed = pd.to_datetime(stations["closed"], errors="coerce")
    is_open = opened.isna() | (opened <= day)
    not_closed = closed.isna() | (closed > day)
    return (is_open & not_closed).astype(bool)
