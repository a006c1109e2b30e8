"""What-if scenarios: add stations to townships or remove them, and see the effect on coverage at once.

A scenario is the stations open on a date, plus townships given a new
station (placed at the township's representative point) and townships whose
stations are closed.  It is saved as a small JSON file and loads back
unchanged.

Examples
--------
>>> s = Scenario("45", "2021-12-31").toggle("450102001", has_station=False)
>>> s.added
('450102001',)
>>> Scenario.from_json(s.to_json()) == s
True
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

import geopandas as gpd
import numpy as np
import pandas as pd

from coverage import settings
from coverage._errors import InputError
from coverage.analysis.admin import covered_codes, stations_needed
from coverage.analysis.gaps import gap_analysis
from coverage.checks import as_date, parse_date
from coverage.data.schema import open_on

FORMAT = "coverage-scenario/1"


@dataclass(frozen=True, init=False)
class Scenario:
    """Townships ``added`` (new station) and ``removed`` (stations closed) relative to the stations open on ``as_of``.

    ``as_of`` may be given as text (``YYYY-MM-DD``); codes are kept as sorted, distinct text.
    """

    province: str
    as_of: dt.date
    added: tuple[str, ...]
    removed: tuple[str, ...]
    name: str

    def __init__(
        self,
        province: str,
        as_of: dt.date | str,
        added: Iterable[str] = (),
        removed: Iterable[str] = (),
        name: str = "",
    ) -> None:
        object.__setattr__(self, "province", province)
        object.__setattr__(self, "as_of", as_date(as_of))
        object.__setattr__(self, "added", tuple(sorted(set(map(str, added)))))
        object.__setattr__(self, "removed", tuple(sorted(set(map(str, removed)))))
        object.__setattr__(self, "name", name)

    def toggle(self, code: str, has_station: bool) -> Scenario:
        """Flip township ``code``, which ``has_station`` in this scenario now."""
        code = str(code)
        added, removed = set(self.added), set(self.removed)
        if has_station:
            if code in added:
                added.discard(code)
            else:
                removed.add(code)
        elif code in removed:
            removed.discard(code)
        else:
            added.add(code)
        return replace(self, added=tuple(added), removed=tuple(removed))

    def with_added(self, codes: Iterable[str]) -> Scenario:
        """Add stations to ``codes`` (e.g. the sites of a plan)."""
        codes = set(map(str, codes))
        return replace(
            self, added=tuple(set(self.added) | (codes - set(self.removed))), removed=tuple(set(self.removed) - codes)
        )

    def covered(self, stations: pd.DataFrame | None) -> set[str]:
        """Township codes with a station in this scenario."""
        base = covered_codes(stations, self.as_of) if stations is not None and len(stations) else set()
        return (base - set(self.removed)) | set(self.added)

    def to_json(self) -> str:
        doc = {
            "format": FORMAT,
            "name": self.name,
            "province": self.province,
            "as_of": self.as_of.isoformat(),
            "added": list(self.added),
            "removed": list(self.removed),
        }
        return json.dumps(doc, ensure_ascii=False, indent=2)

    @classmethod
    def from_json(cls, text: str | bytes) -> Scenario:
        """Read a scenario file written by :meth:`to_json`; a clear :class:`InputError` otherwise.

        The file is checked as data against :data:`FIELDS`: every wrong field is named with
        what it should hold.
        """
        try:
            doc = json.loads(text)
        except (ValueError, UnicodeDecodeError) as exc:
            msg = f"not a JSON scenario file ({exc})"
            raise InputError(msg) from exc
        fields = check_scenario_document(doc)
        return cls(
            fields["province"], fields["as_of"], tuple(fields["added"]), tuple(fields["removed"]), fields["name"]
        )


#: Fields of a scenario file and what each holds (the file's schema).
FIELDS = {
    "format": f'the text "{FORMAT}"',
    "name": "text (may be empty)",
    "province": 'the 2-digit code of a province, as text, e.g. "45"',
    "as_of": 'a date as text, YYYY-MM-DD, e.g. "2021-12-31"',
    "added": "a list of 9-digit township codes (text) of the province",
    "removed": "a list of 9-digit township codes (text) of the province",
}
_REQUIRED = ("province", "as_of", "added", "removed")
#: At most this many problems are listed in one message.
_MAX_PROBLEMS = 5


def _json_type(value: object) -> str:
    """The JSON name of a value's type, for messages."""
    if isinstance(value, bool):
        return "true/false"
    if value is None:
        return "null"
    names = {dict: "an object", list: "a list", str: "text", int: "a number", float: "a number"}
    return next((name for kind, name in names.items() if isinstance(value, kind)), type(value).__name__)


def check_scenario_document(doc: object) -> dict:
    """The fields of a parsed scenario file, checked; :class:`InputError` naming every wrong field.

    >>> check_scenario_document({"format": FORMAT, "province": "45", "as_of": "2021-12-31",
    ...                          "added": ["450102001"], "removed": []})["added"]
    ['450102001']
    """
    if not isinstance(doc, dict):
        msg = f"the scenario file holds {_json_type(doc)}, not an object with the fields {', '.join(FIELDS)}"
        raise InputError(msg)
    if doc.get("format") != FORMAT:
        msg = f'not a scenario file of this tool (expected "format": "{FORMAT}")'
        raise InputError(msg)
    missing = [k for k in _REQUIRED if k not in doc]
    if missing:
        msg = f"the scenario file lacks {', '.join(missing)}"
        raise InputError(msg)
    problems = []
    unknown = [str(k) for k in doc if k not in FIELDS]
    if unknown:
        problems.append(f"unknown fields {', '.join(unknown)} (the fields are {', '.join(FIELDS)})")
    name = doc.get("name", "")
    if not isinstance(name, str):
        problems.append(f"field name holds {_json_type(name)}; it should hold {FIELDS['name']}")
    province = doc["province"]
    if not (isinstance(province, str) and re.fullmatch(r"\d{2}", province)):
        shown = repr(province) if isinstance(province, str) else _json_type(province)
        problems.append(f"field province holds {shown}; it should hold {FIELDS['province']}")
        province = None
    else:
        from coverage.data.register import load_register

        known = load_register().provinces.index
        if province not in known:
            problems.append(f"field province: {province} is not a province code; known codes: {', '.join(known)}")
            province = None
    as_of = doc["as_of"]
    if isinstance(as_of, str):
        try:
            as_of = parse_date(as_of, "field as_of: date")
        except InputError as exc:
            problems.append(str(exc))
    else:
        problems.append(f"field as_of holds {_json_type(as_of)}; it should hold {FIELDS['as_of']}")
    lists = {key: _township_codes(doc[key], key, province, problems) for key in ("added", "removed")}
    both = sorted(set(lists["added"]) & set(lists["removed"]))
    if both:
        problems.append(f"townships {', '.join(both[:5])} are both added and removed; keep each in one list")
    if problems:
        more = f"; and {len(problems) - _MAX_PROBLEMS} more problems" if len(problems) > _MAX_PROBLEMS else ""
        msg = "the scenario file is not valid: " + "; ".join(problems[:_MAX_PROBLEMS]) + more
        raise InputError(msg)
    return {"name": name, "province": province, "as_of": as_of, **lists}


def _township_codes(value: object, key: str, province: str | None, problems: list[str]) -> list[str]:
    """The codes of list field ``key``; problems with it are appended to ``problems``."""
    if not isinstance(value, list):
        problems.append(f"field {key} holds {_json_type(value)}; it should hold {FIELDS[key]}")
        return []
    codes = []
    for i, item in enumerate(value, start=1):
        if not (isinstance(item, str) and re.fullmatch(r"\d{9}", item)):
            shown = repr(item) if isinstance(item, str) else _json_type(item)
            problems.append(f"field {key}, item {i}: {shown} is not a 9-digit township code (as text)")
        elif province is not None and not item.startswith(province):
            problems.append(f"field {key}, item {i}: township {item} is not in province {province}")
        else:
            codes.append(item)
    return codes


def scenario_stations(
    townships: gpd.GeoDataFrame, stations: pd.DataFrame | None, scenario: Scenario
) -> gpd.GeoDataFrame:
    """Open stations of the scenario (WGS 84 points): the open ones not removed, plus one per added township."""
    parts = []
    if stations is not None and len(stations):
        open_now = stations[open_on(stations, scenario.as_of)]
        kept = open_now[~open_now["township_code"].astype(str).isin(scenario.removed)]
        parts.append(
            pd.DataFrame({"township_code": kept["township_code"].astype(str), "lon": kept["lon"], "lat": kept["lat"]})
        )
    towns = townships.set_index(townships["code"].astype(str))
    added = [c for c in scenario.added if c in towns.index]
    parts.append(
        pd.DataFrame(
            {
                "township_code": added,
                "lon": towns.loc[added, "lon"].to_numpy(),
                "lat": towns.loc[added, "lat"].to_numpy(),
            }
        )
    )
    table = pd.concat(parts, ignore_index=True).dropna(subset=["lon", "lat"])
    return gpd.GeoDataFrame(table, geometry=gpd.points_from_xy(table["lon"], table["lat"]), crs=settings.WORK_CRS)


def evaluate(
    townships: gpd.GeoDataFrame,
    stations: pd.DataFrame | None,
    scenario: Scenario,
    radius_m: float,
    final_share: float = 1.0,
) -> dict:
    """Coverage of the scenario over ``townships`` (a province, city or county).

    Returns counted and covered townships, the rate, the share of demand (1-km
    grid) and of villages within ``radius_m`` (metres) of a station, and how
    many stations are still short of ``final_share``.
    """
    counted = townships[townships["counted"].astype(bool)]
    covered = scenario.covered(stations) & set(counted["code"].astype(str))
    n = len(counted)
    points = scenario_stations(townships, stations, scenario)
    gaps = gap_analysis(townships, points if len(points) else None, radius_m=radius_m)
    s = gaps.summary
    return {
        "added": len(scenario.added),
        "removed": len(scenario.removed),
        "counted": n,
        "covered": len(covered),
        "rate": len(covered) / n if n else 0.0,
        "demand_share_within": s["demand_share_within"],
        "village_share_within": s["village_share_within"],
        "short_of_final": stations_needed(final_share, n, len(covered)),
    }


def township_at(townships: gpd.GeoDataFrame, lon: float, lat: float) -> str | None:
    """Code of the township containing (lon, lat) in WGS 84, or None."""
    import shapely

    point = shapely.Point(lon, lat)
    hits = townships.sindex.query(point, predicate="intersects")
    return str(townships.iloc[int(hits[0])]["code"]) if len(hits) else None


def editable_table(townships: pd.DataFrame, covered: set[str]) -> pd.DataFrame:
    """Counted townships with a ``has_station`` flag, for editing."""
    counted = townships[townships["counted"].astype(bool)]
    return pd.DataFrame(
        {
            "code": counted["code"].astype(str).to_numpy(),
            "name": counted["name"].to_numpy(),
            "county_name": counted["county_name"].to_numpy(),
            "has_station": np.isin(counted["code"].astype(str).to_numpy(), list(covered)),
        }
    )
