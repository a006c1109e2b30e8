"""Administrative coverage: which townships have a station, rolled up county -> city -> province.

A township is *covered* on a date when at least one station placed in it is
open that day: opened on or before it (a station without an opening date
counts as always open) and not closed (a station closed on day d is no longer
open on d).  Only *counted* units enter the rates: streets, towns and
townships by default (:data:`settings.COUNTED_KINDS`).

Targets are a schedule of (date, share) pairs, for the province and
optionally overridden per city or county.  Reaching a share means
``covered >= ceil(share x counted)`` exactly: Guangxi's 375 of 1,253 is 29.93 %,
short of 30 % by one station (ceil(0.3 x 1,253) = 376).

Examples
--------
>>> import pandas as pd
>>> towns = pd.DataFrame({"code": ["1", "2", "3"], "counted": [True, True, False]})
>>> st = pd.DataFrame({"township_code": ["1", "3"], "opened": ["2020-01-01", "2020-01-01"], "closed": [None, None]})
>>> township_counts(towns, st, "2021-01-01")
{'counted': 2, 'covered': 1, 'rate': 0.5}
>>> stations_needed(0.30, 1253, 375)
1
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from coverage import settings
from coverage._errors import InputError
from coverage.checks import as_date, parse_date
from coverage.codes import in_region, level_of, unit_of, units_of
from coverage.data.schema import open_on

if TYPE_CHECKING:
    from coverage.data.provinces import Province

#: Smallest date, standing for "opened at an unknown date" (always open).
_ALWAYS = pd.Timestamp("1900-01-01")
STATUS_MET = "met"
STATUS_ON_TRACK = "on track"
STATUS_BEHIND = "behind"
#: Order of statuses wherever units are listed: lagging first.
STATUS_ORDER = {STATUS_BEHIND: 0, STATUS_ON_TRACK: 1, STATUS_MET: 2}


# --------------------------------------------------------------------------- targets
@dataclass(frozen=True, order=True)
class Target:
    """Reach ``share`` (0-1) of counted townships with a station by ``date``."""

    date: dt.date
    share: float


def make_schedule(pairs: Iterable[tuple[dt.date | str | None, float]]) -> tuple[Target, ...]:
    """A sorted schedule from (date, share) pairs; shares are fractions 0-1 that never fall over time."""
    out = []
    for date, share in pairs:
        share = float(share)
        if not 0.0 <= share <= 1.0:
            msg = f"target share {share} is not between 0 and 1 (give percent in --targets, e.g. 2021-12-31:30)"
            raise InputError(msg)
        out.append(Target(parse_date(date, "target date", year_means_end=True), share))
    if not out:
        msg = "the target schedule is empty; give at least one date:percent pair"
        raise InputError(msg)
    out.sort()
    for before, after in zip(out, out[1:], strict=False):
        if before.date == after.date:
            msg = f"two targets for {after.date.isoformat()}; give each date once"
            raise InputError(msg)
        if after.share < before.share:
            msg = (
                f"the target falls from {before.share:.0%} by {before.date.isoformat()} to {after.share:.0%} "
                f"by {after.date.isoformat()}; a later target must not be lower"
            )
            raise InputError(msg)
    return tuple(out)


def parse_targets(text: str) -> tuple[Target, ...]:
    """Parse ``"2021-12-31:30,2022-12-31:60,2023-12-31:100"`` (percent; a bare year means 31 December)."""
    pairs = []
    for part in str(text).replace("，", ",").split(","):
        part = part.strip()
        if not part:
            continue
        date, sep, percent = part.rpartition(":")
        if not sep:
            msg = f"target {part!r} should be date:percent, e.g. 2021-12-31:30"
            raise InputError(msg)
        try:
            value = float(percent.strip().rstrip("%"))
        except ValueError as exc:
            msg = f"target {part!r}: {percent!r} is not a percentage"
            raise InputError(msg) from exc
        pairs.append((date, value / 100.0))
    return make_schedule(pairs)


DEFAULT_SCHEDULE = make_schedule(settings.DEFAULT_TARGETS)


@dataclass(frozen=True)
class TargetSchedule:
    """The province's schedule and per-city or per-county overrides (keyed by 4- or 6-digit code)."""

    default: tuple[Target, ...] = DEFAULT_SCHEDULE
    overrides: dict[str, tuple[Target, ...]] = field(default_factory=dict)

    def for_unit(self, code: str) -> tuple[Target, ...]:
        """Schedule of a province, city or county: its own override, else its city's, else the default."""
        return self.overrides.get(self.override_key(code) or "", self.default)

    def override_key(self, code: str) -> str | None:
        """The override that applies to a unit (its own, else its city's), or None for the default."""
        if level_of(code) == "province":
            return None
        for key in (code, unit_of(code, "city")):
            if key in self.overrides:
                return key
        return None


def stations_required(share: float, counted: int) -> int:
    """Covered townships that reach ``share`` of ``counted``: ceil(share x counted).

    Computed in exact fractions, so 30 % of 1,253 is 375.9 -> 376, not a float 375.9000001.
    """
    return math.ceil(_exact_share(share) * counted)


@functools.lru_cache(maxsize=256)
def _exact_share(share: float) -> Fraction:
    """``share`` as the exact fraction its decimal text says (0.3 -> 3/10), parsed once per share."""
    return Fraction(str(share))


def stations_needed(share: float, counted: int, covered: int) -> int:
    """Stations still needed to reach ``share``: :func:`stations_required` - covered, never below 0."""
    return max(0, stations_required(share, counted) - covered)


# --------------------------------------------------------------------------- township coverage
def covered_codes(stations: pd.DataFrame | None, as_of: dt.date | str | None = None) -> set[str]:
    """Township codes with at least one station open on ``as_of`` (default: today)."""
    if stations is None or stations.empty:
        return set()
    return set(stations.loc[open_on(stations, as_of), "township_code"].astype(str))


def township_counts(townships: pd.DataFrame, stations: pd.DataFrame | None, as_of: dt.date | str | None = None) -> dict:
    """Counted townships, covered ones among them and the rate (0-1) on ``as_of``."""
    counted = townships[townships["counted"].astype(bool)]
    covered = int(counted["code"].astype(str).isin(covered_codes(stations, as_of)).sum())
    n = len(counted)
    return {"counted": n, "covered": covered, "rate": covered / n if n else 0.0}


def check_kinds(kinds: str | Iterable[str]) -> tuple[str, ...]:
    """Township kinds to count, each one of :data:`settings.KINDS` (at least one).

    >>> check_kinds(["street", "town"])
    ('street', 'town')
    """
    items = str(kinds).replace("，", ",").split(",") if isinstance(kinds, str) else kinds
    chosen = tuple(dict.fromkeys(str(k).strip() for k in items if str(k).strip()))
    unknown = [k for k in chosen if k not in settings.KINDS]
    if not chosen:
        msg = f"no township kind given; use some of {', '.join(settings.KINDS)}, separated by commas"
        raise InputError(msg)
    if unknown:
        msg = (
            f"unknown township kinds {', '.join(unknown)}; use some of {', '.join(settings.KINDS)}, separated by commas"
        )
        raise InputError(msg)
    return chosen


def counted_mask(townships: pd.DataFrame, kinds: Iterable[str] | None = None) -> pd.Series:
    """Which townships enter the rates: the stored ``counted`` flag, or membership of ``kinds``."""
    if kinds is None:
        return townships["counted"].astype(bool)
    return townships["kind"].isin(list(check_kinds(kinds)))


def coverage_events(stations: pd.DataFrame | None) -> pd.DataFrame:
    """When each township becomes covered (+1) and uncovered (-1).

    Station intervals [opened, closed) of one township are merged first, so
    two overlapping stations count once.  Returns ``township_code``, ``date``
    (Timestamp; 1900-01-01 for unknown opening dates), ``delta``.
    """
    if stations is None or stations.empty:
        return pd.DataFrame(
            {
                "township_code": pd.Series(dtype=str),
                "date": pd.Series(dtype="datetime64[ns]"),
                "delta": pd.Series(dtype=int),
            }
        )
    frame = pd.DataFrame(
        {
            "township_code": stations["township_code"].astype(str).to_numpy(),
            "start": pd.to_datetime(stations["opened"], errors="coerce").fillna(_ALWAYS).astype("datetime64[ns]"),
            "end": pd.to_datetime(stations["closed"], errors="coerce").astype("datetime64[ns]"),
        }
    )
    frame = frame[frame["end"].isna() | (frame["end"] > frame["start"])]  # closed before it opened: never open
    frame = frame.sort_values(["township_code", "start"], kind="stable")
    codes = frame["township_code"].to_numpy()
    start = frame["start"].to_numpy().view(np.int64)
    never = np.iinfo(np.int64).max  # an open end (NaT): later than any date
    end = np.where(frame["end"].isna().to_numpy(), never, frame["end"].to_numpy().view(np.int64))
    # intervals of a township merge while they overlap or touch: the latest end so far bounds the run
    reach = pd.Series(end).groupby(codes, sort=False).cummax().to_numpy()
    first = np.ones(len(codes), bool)
    first[1:] = (codes[1:] != codes[:-1]) | (start[1:] > reach[:-1])
    last = np.append(first[1:], True)
    run_code, run_start, run_end = codes[first], start[first], reach[last]
    closes = run_end != never
    rows = pd.DataFrame(
        {
            "township_code": np.concatenate([run_code, run_code[closes]]),
            "date": np.concatenate([run_start, run_end[closes]]).view("datetime64[ns]"),
            "delta": np.concatenate([np.ones(len(run_code), int), -np.ones(int(closes.sum()), int)]),
            "order": np.concatenate([2 * np.arange(len(run_code)), 2 * np.flatnonzero(closes) + 1]),
        }
    )
    return rows.sort_values("order", kind="stable").drop(columns="order").reset_index(drop=True)


def _unit_codes(townships: pd.DataFrame, level: str) -> pd.Series:
    if level == "province":
        return units_of(townships["code"], "province")
    if level == "city":
        return townships["city_code"].astype(str)
    if level == "county":
        return townships["county_code"].astype(str)
    msg = f"level must be province, city or county, not {level!r}"
    raise InputError(msg)


class CoverageSteps:
    """Covered counted townships per unit of a level, as a step function of time.

    Built once from :func:`coverage_events`; answers "how many on these dates"
    and "when did each unit first reach k" without looping over stations.
    """

    def __init__(
        self, townships: pd.DataFrame, events: pd.DataFrame, level: str = "province", kinds: Iterable[str] | None = None
    ) -> None:
        counted = townships[counted_mask(townships, kinds)]
        units = _unit_codes(counted, level)
        self.units = sorted(set(units))
        unit_of = dict(zip(counted["code"].astype(str), units, strict=True))
        ev = events[events["township_code"].isin(unit_of)]
        daily = (
            pd.DataFrame({"unit": ev["township_code"].map(unit_of), "date": ev["date"], "delta": ev["delta"]})
            .groupby(["unit", "date"], sort=True)["delta"]
            .sum()
            .reset_index()
        )
        daily["covered"] = daily.groupby("unit")["delta"].cumsum()
        self.daily = daily[["unit", "date", "covered"]]

    def at(self, dates: Iterable[dt.date]) -> pd.DataFrame:
        """Covered counts, one row per unit, one column per date (Timestamp)."""
        stamps = pd.DatetimeIndex(pd.to_datetime(list(dates)))
        values = np.zeros((len(self.units), len(stamps)), dtype=int)
        row = {unit: i for i, unit in enumerate(self.units)}
        for unit, group in self.daily.groupby("unit", sort=False):
            positions = np.searchsorted(group["date"].to_numpy(), stamps.to_numpy(), side="right")
            cumulative = group["covered"].to_numpy()
            values[row[unit]] = np.where(positions > 0, cumulative[np.maximum(positions - 1, 0)], 0)
        return pd.DataFrame(values, index=self.units, columns=stamps)

    def first_reaching(self, required: dict[str, int]) -> dict[str, dt.date | None]:
        """First date each unit had at least ``required[unit]`` covered townships (None if never)."""
        need = pd.Series(required, dtype=int)
        frame = self.daily[self.daily["unit"].isin(need.index)]
        hits = frame[frame["covered"].to_numpy() >= need.reindex(frame["unit"]).to_numpy()]
        first = hits.groupby("unit")["date"].min()
        out = {unit: (first[unit].date() if unit in first.index else None) for unit in required}
        for unit, k in required.items():
            if k <= 0:
                out[unit] = _ALWAYS.date()
        return out


# --------------------------------------------------------------------------- rates and status
def rates(
    townships: pd.DataFrame,
    stations: pd.DataFrame | None,
    as_of: dt.date | str | None = None,
    kinds: Iterable[str] | None = None,
    names: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Counted, covered and rate per province, city and county on ``as_of``.

    Returns rows with ``level``, ``code``, ``name``, ``parent_code``, ``counted``,
    ``covered``, ``rate`` (0-1), province first, then cities, then counties.
    """
    as_of = as_date(as_of)
    counted = townships[counted_mask(townships, kinds)].copy()
    counted["is_covered"] = counted["code"].astype(str).isin(covered_codes(stations, as_of))
    names = names or {}
    frames = []
    for level, parent_len in (("province", 0), ("city", 2), ("county", 4)):
        units = _unit_codes(counted, level)
        g = counted.groupby(units)["is_covered"].agg(["size", "sum"])
        frame = pd.DataFrame(
            {
                "level": level,
                "code": g.index.astype(str),
                "counted": g["size"].astype(int).to_numpy(),
                "covered": g["sum"].astype(int).to_numpy(),
            }
        )
        frame["parent_code"] = frame["code"].str[:parent_len] if parent_len else ""
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    out["rate"] = np.where(out["counted"] > 0, out["covered"] / out["counted"].clip(lower=1), 0.0)
    out["name"] = [names.get(c, "") for c in out["code"]]
    return out[["level", "code", "name", "parent_code", "counted", "covered", "rate"]]


def unit_names(province: Province) -> dict[str, str]:
    """Code -> name of the province, its cities and counties (from a :class:`~coverage.data.Province`)."""
    out = {str(province.code): province.name}
    out.update(dict(zip(province.cities["code"].astype(str), province.cities["name"], strict=True)))
    out.update(dict(zip(province.counties["code"].astype(str), province.counties["name"], strict=True)))
    return out


@dataclass
class Status:
    """Coverage of a province on a date against its target schedule.

    ``units`` holds one row per province, city and county: counts, rate, the
    next target, stations needed for it, status (met / on track / behind),
    and per target whether it was met on its date (``met_<date>``), the rate on
    that date (``rate_<date>``) and when it was first reached (``reached_<date>``).
    """

    province: str
    name: str
    as_of: dt.date
    units: pd.DataFrame
    targets: list[dict]
    schedule: TargetSchedule

    @property
    def summary(self) -> dict:
        row = self.units.iloc[0]
        return {"counted": int(row["counted"]), "covered": int(row["covered"]), "rate": float(row["rate"])}

    def lagging_first(self, level: str = "county", region: str = "") -> pd.DataFrame:
        """Units of ``level`` inside ``region`` (a code; '' for all), lagging first: see :func:`lagging_first`."""
        return lagging_first(self.units, level, region)

    def lagging(self, level: str = "county", region: str = "") -> pd.DataFrame:
        """Units of ``level`` inside ``region`` behind their latest due target, most stations short first."""
        rows = self.lagging_first(level, region)
        return rows[rows["status"] == STATUS_BEHIND]

    def to_json(self) -> dict:
        """The document ``python -m coverage status --json`` prints."""
        units = []
        for r in self.units[self.units["level"] != "province"].to_dict("records"):
            units.append(
                {
                    "level": r["level"],
                    "code": r["code"],
                    "name": r["name"],
                    "counted": int(r["counted"]),
                    "covered": int(r["covered"]),
                    "rate": round(float(r["rate"]), 6),
                    "needed_for_next_target": int(r["needed_for_next_target"]),
                    "next_target_date": r["next_target_date"],
                    "next_target_share": r["next_target_share"],
                    "status": r["status"],
                }
            )
        return {
            "province": self.province,
            "name": self.name,
            "as_of": self.as_of.isoformat(),
            **{k: (round(v, 6) if isinstance(v, float) else v) for k, v in self.summary.items()},
            "targets": [
                {k: (round(v, 6) if k == "rate_on_date" and v is not None else v) for k, v in target.items()}
                for target in self.targets
            ],
            "units": units,
        }


def lagging_first(units: pd.DataFrame, level: str, region: str = "") -> pd.DataFrame:
    """Rows of ``level`` inside ``region`` (not the region itself): behind, then on track, then met;
    within a status most stations short of the due target first, then of the next target, lowest rate."""
    rows = units[(units["level"] == level) & in_region(units["code"], region) & (units["code"] != region)]
    order = rows["status"].map(STATUS_ORDER)
    keys = pd.DataFrame(
        {
            "status": order,
            "due": -rows["needed_for_due_target"],
            "next": -rows["needed_for_next_target"],
            "rate": rows["rate"],
            "code": rows["code"],
        }
    )
    return rows.loc[keys.sort_values(["status", "due", "next", "rate", "code"], kind="stable").index]


def status(
    province: Province,
    stations: pd.DataFrame | None,
    as_of: dt.date | str | None = None,
    schedule: TargetSchedule | None = None,
    kinds: Iterable[str] | None = None,
) -> Status:
    """Coverage of ``province`` (a :class:`~coverage.data.Province`) on ``as_of`` against ``schedule``.

    Per unit: the next target (the first dated on or after ``as_of``, else the
    last), stations needed for it, the status - *met* (final target reached),
    *behind* (short of the latest target already due) or *on track* - and for
    every target whether it was met on its date and when it was first reached
    (up to ``as_of``).
    """
    as_of = as_date(as_of)
    schedule = schedule or TargetSchedule()
    towns = province.townships
    table = rates(towns, stations, as_of, kinds=kinds, names=unit_names(province))
    events = coverage_events(stations)

    extra: list[dict] = []
    for level in ("province", "city", "county"):
        rows = table[table["level"] == level]
        plans = {code: schedule.for_unit(code) for code in rows["code"]}
        dates = sorted({t.date for plan in plans.values() for t in plan})
        steps = CoverageSteps(towns, events, level, kinds)
        on_dates = steps.at(dates)
        covered_on = {pd.Timestamp(stamp).date(): on_dates[stamp].to_dict() for stamp in on_dates.columns}
        reached: dict[tuple[str, dt.date], dt.date | None] = {}
        for i in range(max(len(p) for p in plans.values())):
            required = {
                code: stations_required(plan[i].share, n)
                for code, plan, n in zip(rows["code"], plans.values(), rows["counted"], strict=True)
                if i < len(plan)
            }
            for code, date in steps.first_reaching(required).items():
                reached[(code, plans[code][i].date)] = date if date is not None and date <= as_of else None
        counts = zip(rows["code"].astype(str), rows["counted"].astype(int), rows["covered"].astype(int), strict=True)
        for code, counted, covered in counts:
            plan = plans[code]
            upcoming = [t for t in plan if t.date >= as_of]
            nxt = upcoming[0] if upcoming else plan[-1]
            due = [t for t in plan if t.date <= as_of]
            needed_due = stations_needed(due[-1].share, counted, covered) if due else 0
            if stations_needed(plan[-1].share, counted, covered) == 0:
                state = STATUS_MET
            elif needed_due > 0:
                state = STATUS_BEHIND
            else:
                state = STATUS_ON_TRACK
            values = {
                "next_target_date": nxt.date.isoformat(),
                "next_target_share": nxt.share,
                "needed_for_next_target": stations_needed(nxt.share, counted, covered),
                "needed_for_due_target": needed_due,
                "status": state,
            }
            for t in plan:
                key = t.date.isoformat()
                covered_then = int(covered_on[t.date].get(code, 0))
                values[f"met_{key}"] = (
                    (stations_needed(t.share, counted, covered_then) == 0) if t.date <= as_of else None
                )
                values[f"rate_{key}"] = covered_then / counted if t.date <= as_of and counted else None
                first = reached[(code, t.date)]
                values[f"reached_{key}"] = first.isoformat() if first else None
            extra.append(values)
    table = pd.concat([table, pd.DataFrame(extra, index=table.index)], axis=1)

    prov_row = table.iloc[0]
    targets = [
        {
            "date": t.date.isoformat(),
            "share": t.share,
            "met": _json_value(prov_row[f"met_{t.date.isoformat()}"]),
            "rate_on_date": _json_value(prov_row[f"rate_{t.date.isoformat()}"]),
            "needed": stations_needed(t.share, int(prov_row["counted"]), int(prov_row["covered"])),
            "reached": _json_value(prov_row[f"reached_{t.date.isoformat()}"]),
        }
        for t in schedule.for_unit(str(prov_row["code"]))
    ]
    return Status(
        province=str(province.code), name=province.name, as_of=as_of, units=table, targets=targets, schedule=schedule
    )


def _json_value(value: object) -> object:
    """numpy booleans to bool, missing values to None."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def trajectory(
    province: Province,
    stations: pd.DataFrame | None,
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
    level: str = "province",
    kinds: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Month-end covered counts and rates per unit of ``level`` from ``start`` to ``end``.

    Defaults: from the month of the first dated station opening to the end of
    the last target year, or today if later.  Rows: ``date``, ``code``, ``name``,
    ``counted``, ``covered``, ``rate``.
    """
    towns = province.townships
    events = coverage_events(stations)
    dated = events[events["date"] > _ALWAYS]["date"]
    if start is None:
        start = dated.min().date() if len(dated) else dt.date.today()
    end = end or max(dt.date.today(), DEFAULT_SCHEDULE[-1].date)
    dates = pd.date_range(pd.Timestamp(as_date(start)).to_period("M").to_timestamp(), as_date(end), freq="ME")
    counts = CoverageSteps(towns, events, level, kinds).at(dates)
    mask = counted_mask(towns, kinds)
    totals = towns[mask].groupby(_unit_codes(towns[mask], level)).size()
    names = unit_names(province)
    long = counts.stack().reset_index()  # one row per (unit, month end)
    long.columns = ["code", "date", "covered"]
    long["counted"] = long["code"].map(totals).astype(int)
    long["rate"] = long["covered"] / long["counted"].clip(lower=1)
    long["name"] = [names.get(c, "") for c in long["code"]]
    long["date"] = long["date"].dt.date
    return (
        long[["date", "code", "name", "counted", "covered", "rate"]]
        .sort_values(["code", "date"])
        .reset_index(drop=True)
    )
