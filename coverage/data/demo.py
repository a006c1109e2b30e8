"""The default station lists in ``data/stations/`` and how they are made.

* ``45_guangxi_demo.csv`` - **synthetic**: a deterministic demo reproducing
  the reported rollout in Guangxi (a pilot of 110 townships in 21 counties
  from January 2020; 375 township stations by November 2021, every county
  with at least one).  Every row says ``source="synthetic demo"``; locations
  are the representative points of the approximate township cells.
* ``44_guangdong_reported.csv`` - the 23 stations named in public reports on
  Guangdong's monitoring visits, **as written** in the reports (city + county +
  township, no code, no coordinates, no dates).  The importer resolves them;
  names that changed since are reported as such.

``python -m coverage data stations`` rewrites both files.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from coverage import settings
from coverage.codes import units_of
from coverage.data.io import atomic_write
from coverage.data.provinces import load_province
from coverage.data.schema import SCHEMA

GUANGXI_FILE = "45_guangxi_demo.csv"
GUANGDONG_FILE = "44_guangdong_reported.csv"

#: Reported Guangxi figures the demo reproduces.
GX_PILOT_TOWNSHIPS = 110
GX_PILOT_COUNTIES = 21
GX_STATIONS_NOV_2021 = 375
GX_SEED = 20200101

#: Stations named in public reports on Guangdong's field monitoring, as written.
GUANGDONG_REPORTED = (
    "肇庆市德庆县九市镇",
    "肇庆市德庆县德城街道",
    "清远市连州市大路边镇",
    "清远市连山县福堂镇",
    "韶关市始兴县马市镇",
    "韶关市乐昌市云岩镇",
    "河源市和平县大坝镇",
    "河源市连平县元善镇",
    "惠州市龙门县龙江镇",
    "惠州市龙门县平陵街道",
    "梅州市蕉岭县新铺镇",
    "梅州市蕉岭县蕉城镇",
    "潮州市饶平县上饶镇",
    "潮州市饶平县新丰镇",
    "汕头市金平区大华街道",
    "汕头市金平区新福街道",
    "揭阳市惠来县靖海镇",
    "揭阳市惠来县神泉镇",
    "汕尾市陆丰市甲子镇",
    "汕尾市陆丰市碣石镇",
    "汕尾市城区东洲街道",
    "汕尾市海丰县海城镇",
    "汕尾市陆丰市东海镇",
)


def _days(rng: np.random.Generator, start: dt.date, end: dt.date, n: int) -> list[dt.date]:
    span = (end - start).days
    return sorted(start + dt.timedelta(days=int(d)) for d in rng.integers(0, span + 1, size=n))


def guangxi_demo(seed: int = GX_SEED) -> pd.DataFrame:
    """The synthetic Guangxi rollout (375 stations), deterministic for a seed.

    * pilot: 21 counties (one per city, the rest drawn with probability
      proportional to their counted townships), 110 of their townships,
      opened in January 2020;
    * then the most urban counted township of each remaining county (so every
      county has a station), opened June 2020 - March 2021;
    * then random counted townships up to 375, opened September 2020 - November 2021.
    """
    rng = np.random.default_rng(seed)
    gx = load_province("45")
    towns = gx.townships[gx.townships["counted"]].copy()
    towns = towns.sort_values("code").reset_index(drop=True)
    per_county = towns.groupby("county_code").size()
    counties = per_county.index.to_numpy()
    cities = units_of(pd.Series(counties, index=counties), "city")

    # pilot counties: one per city, then weighted draws
    pilot: list[str] = []
    for city in sorted(cities.unique()):
        members = counties[cities.to_numpy() == city]
        pilot.append(str(rng.choice(members)))
    rest = np.array([c for c in counties if c not in pilot])
    weights = per_county.loc[rest].to_numpy(dtype=float)
    pilot += [
        str(c) for c in rng.choice(rest, size=GX_PILOT_COUNTIES - len(pilot), replace=False, p=weights / weights.sum())
    ]
    pilot_pool = towns[towns["county_code"].isin(pilot)]
    # every pilot county gets one, the rest of the 110 drawn among their townships
    first = pilot_pool.groupby("county_code").head(1).index.tolist()
    others = pilot_pool.index.difference(first).to_numpy()
    chosen_pilot = first + [int(i) for i in rng.choice(others, size=GX_PILOT_TOWNSHIPS - len(first), replace=False)]

    # one station in every other county: its most urban counted township
    remaining = towns.drop(index=chosen_pilot)
    order = remaining.assign(
        urban_rank=(~remaining["urban"]).astype(int),
        kind_rank=remaining["kind"].map({"street": 0, "town": 1, "township": 2}),
    ).sort_values(["county_code", "urban_rank", "kind_rank", "n_communities"], ascending=[True, True, True, False])
    county_first = order[~order["county_code"].isin(pilot)].groupby("county_code").head(1).index.tolist()

    # the rest at random
    left = towns.index.difference(chosen_pilot + county_first).to_numpy()
    n_rest = GX_STATIONS_NOV_2021 - len(chosen_pilot) - len(county_first)
    chosen_rest = [int(i) for i in rng.choice(left, size=n_rest, replace=False)]

    phases = (
        (chosen_pilot, dt.date(2020, 1, 2), dt.date(2020, 1, 31), "pilot (January 2020)"),
        (county_first, dt.date(2020, 6, 1), dt.date(2021, 3, 31), "first station of its county"),
        (chosen_rest, dt.date(2020, 9, 1), dt.date(2021, 11, 30), "expansion 2020-2021"),
    )
    rows = []
    for idx, start, end, phase in phases:
        dates = _days(rng, start, end, len(idx))
        for i, opened in zip(idx, dates, strict=True):
            t = towns.loc[i]
            rows.append(
                {
                    "name": f"{t['county_name']}{t['name']}社工站",
                    "township_code": t["code"],
                    "lon": round(float(t["lon"]), 6),
                    "lat": round(float(t["lat"]), 6),
                    "opened": opened.isoformat(),
                    "closed": "",
                    "source": "synthetic demo",
                    "notes": f"{phase}; location = representative point of the approximate township cell",
                }
            )
    out = pd.DataFrame(rows).sort_values(["opened", "township_code"]).reset_index(drop=True)
    out.insert(0, "station_id", [f"GX-DEMO-{i:04d}" for i in range(1, len(out) + 1)])
    return out[list(SCHEMA)]


def guangdong_reported() -> pd.DataFrame:
    """The 23 reported Guangdong stations as written (no code, coordinates or dates given)."""
    rows = [
        {
            "station_id": f"GD-RPT-{i:02d}",
            "name": name,
            "township_code": "",
            "lon": "",
            "lat": "",
            "opened": "",
            "closed": "",
            "source": "public reports on Guangdong's monitoring visits (see data/stations/README.md)",
            "notes": "named as in the report; opening date not reported",
        }
        for i, name in enumerate(GUANGDONG_REPORTED, start=1)
    ]
    return pd.DataFrame(rows)[list(SCHEMA)]


def write_default_stations(folder: Path = settings.STATIONS_DIR) -> list[tuple[Path, int]]:
    """Write both default station files; return (path, rows) for each."""
    out = []
    for frame, name in ((guangxi_demo(), GUANGXI_FILE), (guangdong_reported(), GUANGDONG_FILE)):
        path = Path(folder) / name
        data = frame.to_csv(index=False, lineterminator="\n").encode("utf-8")
        atomic_write(path, data)
        out.append((path, len(frame)))
    return out
