"""The registry's stations as every analysis reads them, and what the registry's list is.

:func:`registry_stations` gives the station table the importer gives for a file (township,
county and city codes and names, a position, ``location_source``), one row per open period, so
coverage at any date, trajectories, gaps, plans and trips read the registry exactly as they read a
file.  A station without coordinates of its own stands at its township's point, said in
``location_source`` as for a file.

:func:`registry_list` says what the list is: the registry's stations are the bureau's own record
(``official``), except those still carried from an embedded demo or news list, whose nature the
whole list takes (a registry seeded with the synthetic Guangxi demo is a demo until ledgers
replace it).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import geopandas as gpd
import pandas as pd

from coverage import settings
from coverage.checks import as_date
from coverage.data.lists import NATURES, StationList, describe_file
from coverage.registry.periods import utc_now
from coverage.registry.reader import StationReads

#: The source of the versions a new registry is seeded with (``seed.py``): "embedded list <file>".
EMBEDDED_SOURCE = "embedded list "


def registry_stations(registry: StationReads, province: Any, known_on: dt.date | str | None = None) -> gpd.GeoDataFrame:
    """The open periods of ``province``'s stations (a :class:`~coverage.data.provinces.Province`) as known
    on ``known_on`` (default: now), in the importer's station table with a position for every row."""
    periods = registry.station_table(str(province.code), known_on=known_on)
    towns = province.townships.set_index(province.townships["code"].astype(str))
    codes = periods["township_code"].astype(str)
    known = codes.isin(towns.index)
    out = periods[known].copy()
    codes = codes[known]
    town = towns.loc[codes.to_numpy()]
    given = out["lon"].notna() & out["lat"].notna()
    out["lon"] = out["lon"].where(given, town["lon"].to_numpy()).astype(float)
    out["lat"] = out["lat"].where(given, town["lat"].to_numpy()).astype(float)
    out["location_source"] = given.map({True: "input", False: "township point (approximate)"})
    for column in ("county_code", "county_name", "city_code", "city_name", "kind"):
        out[column] = town[column].to_numpy()
    out["township_name"] = town["name"].to_numpy()
    out = out.reset_index(drop=True)
    return gpd.GeoDataFrame(out, geometry=gpd.points_from_xy(out["lon"], out["lat"]), crs=settings.WORK_CRS)


def registry_list(registry: StationReads, province: str, known_on: dt.date | str | None = None) -> StationList:
    """What the registry's list of ``province`` is, as of its latest recorded change (see the module docstring)."""
    current = registry.current(str(province), known_on=known_on)
    natures = {"official"}
    lists = []
    for source in current.get("source", pd.Series(dtype=str)).dropna().astype(str).unique():
        if source.startswith(EMBEDDED_SOURCE):
            described = describe_file(source.removeprefix(EMBEDDED_SOURCE))
            if described is not None:
                natures.add(described.nature)
                lists.append(described)
    nature = max(natures, key=NATURES.index)  # the least trustworthy nature present
    last = current["recorded_at"].max() if len(current) else None
    day = as_date(last) if last is not None and not pd.isna(last) else as_date(utc_now())
    embedded = next((d for d in lists if d.nature == nature), None)
    if embedded is not None:  # still the embedded list: its dates, updated by what was recorded since
        sources = current.get("source", pd.Series("", index=current.index)).fillna("").astype(str)
        since = current.loc[~sources.str.startswith(EMBEDDED_SOURCE), "recorded_at"]
        dates = [embedded.last_updated, *([as_date(since.max())] if len(since) else [])]
        updated = max((d for d in dates if d is not None), default=None)
        return StationList(
            name=f"{embedded.name} (registry)",
            nature=nature,
            partial=embedded.partial,
            last_updated=updated,
            opening_dates_known=embedded.opening_dates_known,
            source=embedded.source,
        )
    return StationList(name="registry", nature="official", last_updated=day)
