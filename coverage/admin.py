"""Administrative coverage: which townships have an open station.

A township is covered on a date when at least one station placed in it is
open that day (opened on or before it, not closed).  Only counted units
(streets, towns, townships by default; see :data:`settings.COUNTED_KINDS`)
enter the rate.

Examples
--------
>>> import pandas as pd
>>> towns = pd.DataFrame({"code": ["1", "2", "3"], "counted": [True, True, False]})
>>> st = pd.DataFrame({"township_code": ["1", "3"], "opened": ["2020-01-01", "2020-01-01"], "closed": [None, None]})
>>> township_counts(towns, st, "2021-01-01")
{'counted': 2, 'covered': 1, 'rate': 0.5}
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from .stations import open_on


def covered_codes(stations: pd.DataFrame, as_of: dt.date | str | None = None) -> set[str]:
    """Township codes with at least one station open on ``as_of`` (default: today)."""
    if stations is None or stations.empty:
        return set()
    return set(stations.loc[open_on(stations, as_of), "township_code"].astype(str))


def township_counts(townships: pd.DataFrame, stations: pd.DataFrame, as_of: dt.date | str | None = None) -> dict:
    """Counted townships, covered ones among them and the rate (0-1) on ``as_of``."""
    counted = townships[townships["counted"].astype(bool)]
    covered = int(counted["code"].astype(str).isin(covered_codes(stations, as_of)).sum())
    n = len(counted)
    return {"counted": n, "covered": covered, "rate": covered / n if n else 0.0}
