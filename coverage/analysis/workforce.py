"""Workforce targets: a certified social worker (持证社工) in every township, and certified workers doubling.

Guangxi's plan asks that every township have a certified social worker by 2023 and that certified
workers double from 2020 to 2023 (about 25 % a year).  Both are read from the staff figures of the
registry's versions (``social_workers``, ``certified_workers`` of each station) and tracked like
station coverage, with the same machinery:

* **Townships with a certified worker.**  A township counts on day D when one of its stations is
  open on D with at least one certified worker in its state on D.  :func:`certified_periods` gives
  the periods in which each station is so (through :func:`coverage.registry.store.open_periods`, the
  one function that makes periods of versions), and :func:`coverage.analysis.admin.status` turns
  them into rates per province, city and county against a target schedule (default
  :data:`settings.WORKFORCE_TARGETS`: 100 % by 2023-12-31), with the townships still short,
  lagging units and the dates targets were reached, exactly as for stations.
* **Certified workers.**  The sum, over the stations open on D, of their certified workers on D,
  per unit, against the baseline (the count at :data:`settings.WORKFORCE_BASELINE_DATE`, or a
  number given) grown to ×:data:`settings.WORKFORCE_GROWTH_FACTOR` by
  :data:`settings.WORKFORCE_GROWTH_BY` in equal yearly steps (:func:`workers_required`).

A station whose state on D gives no staff figure counts as having no certified worker; how many open
stations give figures is reported beside every figure (``stations_reporting``), and a registry
without any staff figure says so (:attr:`WorkforceStatus.has_figures`).

Examples
--------
>>> import datetime as dt
>>> versions = pd.DataFrame({
...     "version_id": [1, 2, 3], "station_id": ["A", "A", "B"], "recorded_at": [dt.datetime(2024, 1, 1)] * 3,
...     "valid_from": [dt.date(2020, 6, 1), dt.date(2022, 3, 1), dt.date(2021, 1, 1)],
...     "status": ["open"] * 3, "township_code": ["450110100", "450110100", "450110113"],
...     "social_workers": [2, 3, 1], "certified_workers": [0, 1, None]})
>>> certified_periods(versions)[["station_id", "opened", "closed"]].values.tolist()
[['A', datetime.date(2022, 3, 1), None]]
>>> staff_on(versions, "2021-12-31")[["station_id", "social_workers"]].values.tolist()
[['A', 2], ['B', 1]]
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from coverage import settings
from coverage._errors import InputError
from coverage.analysis.admin import (
    STATUS_BEHIND,
    STATUS_MET,
    STATUS_ON_TRACK,
    Status,
    TargetSchedule,
    lagging_first,
    make_schedule,
    status,
)
from coverage.checks import as_date
from coverage.registry.store import PERIOD_COLUMNS, open_periods, records

if TYPE_CHECKING:
    from coverage.data.provinces import Province

#: Version columns the workforce figures read (the registry's ``versions`` rows hold them all).
VERSION_COLUMNS = ("station_id", "valid_from", "recorded_at", "status", "township_code", "certified_workers")
#: Growth status of a unit without a baseline (no staff figure on the baseline date, or a baseline of 0).
STATUS_UNKNOWN = "unknown"
#: The default schedule of the share of townships with a certified worker.
WORKFORCE_SCHEDULE = TargetSchedule(make_schedule(settings.WORKFORCE_TARGETS))


# --------------------------------------------------------------------------- staff on a date
def _ordered(versions: pd.DataFrame) -> pd.DataFrame:
    """Version rows ordered by station, valid date and recorded time (the order periods are made in)."""
    missing = [c for c in VERSION_COLUMNS if c not in versions.columns]
    if missing:
        msg = f"version rows lack the columns {missing}; give the registry's versions (Registry.versions())"
        raise InputError(msg)
    keys = ["station_id", "valid_from", "recorded_at"] + (["version_id"] if "version_id" in versions else [])
    return versions.sort_values(keys, kind="stable").reset_index(drop=True)


def staff_on(versions: pd.DataFrame, day: dt.date | str | None = None) -> pd.DataFrame:
    """The stations open on ``day`` (default today) in their state on it: of each station the version
    with the latest valid date up to ``day``, the latest recorded among equals."""
    v = _ordered(versions)
    v = v[pd.to_datetime(v["valid_from"]).to_numpy() <= np.datetime64(as_date(day))]
    last = v.drop_duplicates("station_id", keep="last")
    return last[last["status"] == "open"].reset_index(drop=True)


def certified_periods(versions: pd.DataFrame) -> pd.DataFrame:
    """The periods in which each station was open with at least one certified worker, in the station
    table every coverage function reads (``township_code``, ``opened``, ``closed`` ...)."""
    v = _ordered(versions)
    for column in PERIOD_COLUMNS:  # attributes a caller's rows may lack are carried as unknown
        if column not in v:
            v[column] = None
    certified = pd.to_numeric(v["certified_workers"], errors="coerce").fillna(0).to_numpy() >= 1
    v["status"] = np.where((v["status"] == "open").to_numpy() & certified, "open", "suspended")
    return open_periods(v)


# --------------------------------------------------------------------------- the doubling target
def workers_required(baseline: int, factor: float, step: int, steps: int) -> int:
    """Certified workers required after ``step`` of ``steps`` equal growth steps from ``baseline`` to
    ``baseline × factor``: ceil(baseline × factor^(step/steps)).

    The last step is exact (in fractions: 2 × 100 is 200); steps between are rounded to 9 decimals
    before rounding up, so a product that is a whole number in exact arithmetic stays it.

    >>> [workers_required(100, 2.0, k, 3) for k in range(4)]
    [100, 126, 159, 200]
    """
    if step >= steps:
        return math.ceil(Fraction(str(factor)) * baseline)
    return math.ceil(round(baseline * float(factor) ** (step / steps), 9))


def growth_dates(baseline_date: dt.date | str, by: dt.date | str) -> list[dt.date]:
    """The dates of the yearly growth steps: each anniversary of ``baseline_date`` before ``by``, then ``by``.

    >>> [d.isoformat() for d in growth_dates("2020-12-31", "2023-12-31")]
    ['2021-12-31', '2022-12-31', '2023-12-31']
    """
    start, end = as_date(baseline_date), as_date(by)
    if end <= start:
        msg = f"the growth target date {end} is not after the baseline date {start}; give a later date"
        raise InputError(msg)
    out = []
    year = start.year + 1
    while True:
        day = start.replace(year=year, day=min(start.day, 28)) if start.month == 2 else start.replace(year=year)
        if day >= end:
            break
        out.append(day)
        year += 1
    return [*out, end]


def growth_state(
    baseline: int | None, count: int, dates: list[dt.date], factor: float, as_of: dt.date
) -> dict[str, Any]:
    """Where a unit stands against the growth target: the requirement of the latest step already due and
    of the next one (the first dated on or after ``as_of``, else the last), and the status - *met* (the
    final requirement reached), *behind* (short of the latest due step), *on track*, or *unknown*
    without a baseline (None or 0: doubling nothing is no target)."""
    if not baseline:
        return {"required_due": None, "required_next": None, "next_date": None, "state": STATUS_UNKNOWN}
    required = [workers_required(baseline, factor, k + 1, len(dates)) for k in range(len(dates))]
    due = [r for d, r in zip(dates, required, strict=True) if d <= as_of]
    upcoming = [(d, r) for d, r in zip(dates, required, strict=True) if d >= as_of]
    next_date, required_next = upcoming[0] if upcoming else (dates[-1], required[-1])
    if count >= required[-1]:
        state = STATUS_MET
    elif due and count < due[-1]:
        state = STATUS_BEHIND
    else:
        state = STATUS_ON_TRACK
    return {
        "required_due": due[-1] if due else None,
        "required_next": required_next,
        "next_date": next_date.isoformat(),
        "state": state,
    }


# --------------------------------------------------------------------------- per unit
def worker_counts(province: Province, staff: pd.DataFrame) -> pd.DataFrame:
    """Per province, city and county code: open stations, those giving a certified-worker figure, social
    workers and certified workers (stations of ``staff``, e.g. :func:`staff_on`; unknown townships left out)."""
    towns = province.townships.set_index(province.townships["code"].astype(str))
    columns = ["stations_open", "stations_reporting", "social_workers", "certified_workers"]
    s = staff[staff["township_code"].astype(str).isin(towns.index)]
    where = towns.loc[s["township_code"].astype(str).to_numpy()]
    frame = pd.DataFrame(
        {
            "stations_open": 1,
            "stations_reporting": s["certified_workers"].notna().to_numpy().astype(int),
            "social_workers": pd.to_numeric(s["social_workers"], errors="coerce").fillna(0).to_numpy().astype(int),
            "certified_workers": pd.to_numeric(s["certified_workers"], errors="coerce")
            .fillna(0)
            .to_numpy()
            .astype(int),
        }
    )
    parts = [frame.groupby(np.full(len(frame), str(province.code)))[columns].sum()]
    for column in ("city_code", "county_code"):
        parts.append(frame.groupby(where[column].astype(str).to_numpy())[columns].sum())
    return pd.concat(parts) if len(frame) else pd.DataFrame(columns=columns)


@dataclass
class WorkforceStatus:
    """Certified social workers of a province on a date against both workforce targets.

    ``townships``: :class:`~coverage.analysis.admin.Status` of the townships with a certified worker
    (its ``covered`` is "with a certified worker").  ``units``: one row per province, city and county
    with that status's columns and the worker figures (``stations_open``, ``stations_reporting``,
    ``social_workers``, ``certified_workers``, ``baseline``, ``workers_required_due``,
    ``workers_required_next``, ``workers_next_date``, ``workers_status``).  ``steps``: the province's
    growth steps (date, required, the count on that date once passed, whether it was met then).
    """

    province: str
    name: str
    as_of: dt.date
    townships: Status
    units: pd.DataFrame
    steps: list[dict[str, Any]]
    baseline_date: dt.date
    baseline: int | None
    baseline_given: bool
    factor: float
    has_figures: bool

    @property
    def summary(self) -> dict[str, Any]:
        row = self.units.iloc[0]
        return {
            "stations_open": int(row["stations_open"]),
            "stations_reporting": int(row["stations_reporting"]),
            "social_workers": int(row["social_workers"]),
            "certified_workers": int(row["certified_workers"]),
            "counted": int(row["counted"]),
            "with_certified": int(row["covered"]),
            "rate": float(row["rate"]),
        }

    def lagging_first(self, level: str = "county", region: str = "") -> pd.DataFrame:
        """Units of ``level`` in ``region``, lagging first in townships with a certified worker
        (:func:`coverage.analysis.admin.lagging_first`), with their worker figures."""
        return lagging_first(self.units, level, region)

    def lagging(self, level: str = "county", region: str = "") -> pd.DataFrame:
        """Units behind on either target: townships with a certified worker, or certified workers."""
        rows = self.lagging_first(level, region)
        return rows[(rows["status"] == STATUS_BEHIND) | (rows["workers_status"] == STATUS_BEHIND)]

    def to_json(self) -> dict[str, Any]:
        """The document ``python -m coverage workforce --json`` prints."""
        s = self.summary
        province_row = self.units.iloc[0]
        return {
            "province": self.province,
            "name": self.name,
            "as_of": self.as_of.isoformat(),
            "has_staff_figures": self.has_figures,
            "stations_open": s["stations_open"],
            "stations_reporting": s["stations_reporting"],
            "social_workers": s["social_workers"],
            "townships": {
                "counted": s["counted"],
                "with_certified": s["with_certified"],
                "rate": round(s["rate"], 6),
                "targets": self.townships.to_json()["targets"],
                "status": str(province_row["status"]),
            },
            "certified_workers": {
                "count": s["certified_workers"],
                "baseline_date": self.baseline_date.isoformat(),
                "baseline": self.baseline,
                "baseline_given": self.baseline_given,
                "factor": self.factor,
                "steps": self.steps,
                "required_next": _int(province_row["workers_required_next"]),
                "status": str(province_row["workers_status"]),
            },
            "units": [_unit_json(r) for r in records(self.units[self.units["level"] != "province"])],
        }


def _int(value: Any) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def _unit_json(r: dict[str, Any]) -> dict[str, Any]:
    return {
        "level": r["level"],
        "code": r["code"],
        "name": r["name"],
        "counted": int(r["counted"]),
        "with_certified": int(r["covered"]),
        "rate": round(float(r["rate"]), 6),
        "needed_for_next_target": int(r["needed_for_next_target"]),
        "next_target_date": r["next_target_date"],
        "status": r["status"],
        "stations_open": int(r["stations_open"]),
        "stations_reporting": int(r["stations_reporting"]),
        "certified_workers": int(r["certified_workers"]),
        "baseline": _int(r["baseline"]),
        "workers_required_next": _int(r["workers_required_next"]),
        "workers_status": r["workers_status"],
    }


def workforce_status(
    province: Province,
    versions: pd.DataFrame,
    as_of: dt.date | str | None = None,
    schedule: TargetSchedule | None = None,
    baseline: int | None = None,
    baseline_date: dt.date | str = settings.WORKFORCE_BASELINE_DATE,
    factor: float = settings.WORKFORCE_GROWTH_FACTOR,
    by: dt.date | str = settings.WORKFORCE_GROWTH_BY,
) -> WorkforceStatus:
    """Both workforce targets of ``province`` on ``as_of`` (default today) from the registry's version
    rows (``Registry.versions(province, known_on=...)``; see the module docstring).

    ``schedule``: of the share of townships with a certified worker (default
    :data:`WORKFORCE_SCHEDULE`).  ``baseline``: the province's certified workers at ``baseline_date``
    when given (per city and county the registry's count is used); else the registry's count on
    that date (None when no open station then gives a figure).
    """
    as_of = as_date(as_of)
    base_day = as_date(baseline_date)
    if baseline is not None and (int(baseline) != baseline or baseline < 0):
        msg = f"the baseline of certified workers must be a whole number of 0 or more, not {baseline!r}"
        raise InputError(msg)
    v = _ordered(versions)
    townships = status(province, certified_periods(v), as_of, schedule or WORKFORCE_SCHEDULE)
    units = townships.units.copy()
    columns = ["stations_open", "stations_reporting", "social_workers", "certified_workers"]
    now = worker_counts(province, staff_on(v, as_of)).reindex(units["code"]).fillna(0).astype(int)
    for column in columns:
        units[column] = now[column].to_numpy()
    then = worker_counts(province, staff_on(v, base_day)).reindex(units["code"])
    base_known = bool(then["stations_reporting"].fillna(0).sum() > 0)
    bases: list[int | None] = [int(x) if base_known else None for x in then["certified_workers"].fillna(0).to_numpy()]
    if baseline is not None:
        bases[0] = int(baseline)
    units["baseline"] = pd.Series(bases, index=units.index, dtype=object)
    dates = growth_dates(base_day, by)
    states = [
        growth_state(b, int(c), dates, factor, as_of) for b, c in zip(bases, units["certified_workers"], strict=True)
    ]
    units["workers_required_due"] = [s["required_due"] for s in states]
    units["workers_required_next"] = [s["required_next"] for s in states]
    units["workers_next_date"] = [s["next_date"] for s in states]
    units["workers_status"] = [s["state"] for s in states]
    return WorkforceStatus(
        province=str(province.code),
        name=province.name,
        as_of=as_of,
        townships=townships,
        units=units,
        steps=_steps(province, v, bases[0], dates, factor, as_of),
        baseline_date=base_day,
        baseline=bases[0],
        baseline_given=baseline is not None,
        factor=float(factor),
        has_figures=bool(v["certified_workers"].notna().any()),
    )


def _steps(
    province: Province,
    versions: pd.DataFrame,
    baseline: int | None,
    dates: list[dt.date],
    factor: float,
    as_of: dt.date,
) -> list[dict[str, Any]]:
    """The province's growth steps: date, required, and once passed the count on that date and whether it was met."""
    out = []
    for k, day in enumerate(dates, start=1):
        required = workers_required(baseline, factor, k, len(dates)) if baseline else None
        count = None
        if day <= as_of:
            staff = staff_on(versions, day)
            count = int(worker_counts(province, staff)["certified_workers"].iloc[0]) if len(staff) else 0
        met = None if count is None or required is None else count >= required
        out.append({"date": day.isoformat(), "required": required, "count_on_date": count, "met": met})
    return out
