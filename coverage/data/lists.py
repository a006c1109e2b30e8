"""What a station list is: official, reported in the news (partial), synthetic, or the user's own file.

Every figure built on a list says what the list is (:mod:`coverage.present.notes` words it in the
user's language): a synthetic demo must never be read as the truth, a list taken from news
reports is partial, and a list's last update tells how current the figures can be.  The embedded
lists are described in ``data/stations/lists.csv``; an uploaded file is the user's own.

Examples
--------
>>> gx = embedded_list("45")
>>> gx.nature, gx.partial, gx.last_updated, gx.opening_dates_known
('synthetic', False, datetime.date(2021, 11, 30), True)
>>> embedded_list("44").nature, embedded_list("44").opening_dates_known
('reported', False)
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

import pandas as pd

from coverage import settings

#: Kinds of station list, from the most to the least trustworthy.
NATURES = ("official", "uploaded", "reported", "synthetic")
LISTS_FILE = "lists.csv"


@dataclass(frozen=True)
class StationList:
    """A station list's nature, whether it is partial, when it was last updated and whether it dates openings."""

    name: str
    nature: str
    partial: bool = False
    last_updated: dt.date | None = None
    opening_dates_known: bool = True
    source: str = ""

    @property
    def trustworthy(self) -> bool:
        """True for an official list or the user's own file: nothing to warn about."""
        return self.nature in ("official", "uploaded")


@functools.cache
def _table() -> pd.DataFrame:
    path = settings.STATIONS_DIR / LISTS_FILE
    if not path.exists():
        return pd.DataFrame(columns=["file", "nature", "partial", "opening_dates", "last_updated", "source"])
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def describe_file(name: str) -> StationList | None:
    """The description of an embedded list file (None for a file ``lists.csv`` does not know)."""
    rows = _table()[_table()["file"] == name]
    if rows.empty:
        return None
    row = rows.iloc[0]
    return StationList(
        name=name,
        nature=str(row["nature"]),
        partial=str(row["partial"]).lower() == "true",
        last_updated=dt.date.fromisoformat(str(row["last_updated"])) if row["last_updated"] else None,
        opening_dates_known=str(row["opening_dates"]) != "unknown",
        source=str(row["source"]),
    )


def embedded_list(province: str) -> StationList | None:
    """The embedded list of a province (by 2-digit code), described; None when there is none."""
    from coverage.data.provinces import default_stations_path

    path = default_stations_path(province)
    return describe_file(path.name) if path is not None else None


def uploaded_list(name: str, stations: pd.DataFrame) -> StationList:
    """The user's own file: its last update is its latest opening or closing date (None when it dates nothing)."""
    dates = pd.concat(
        [pd.to_datetime(stations.get(c, pd.Series(dtype=object)), errors="coerce") for c in ("opened", "closed")]
    ).dropna()
    return StationList(
        name=name,
        nature="uploaded",
        last_updated=dates.max().date() if len(dates) else None,
        opening_dates_known=bool(len(dates)),
    )
