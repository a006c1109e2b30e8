"""Money and staff of a yearly plan: what the targets cost, and by how much a budget falls short.

A plan's year *t* spends, on new stations only (existing stations are funded already):

* the build cost of the stations it opens (a size of the :class:`~coverage.optimise.capacity.Menu`),
  and of the upgrades it makes (a station may grow to a larger size later: it pays the
  difference of the build costs then);
* the running cost of every new station open in year *t* (its workers x the yearly cost per
  worker, plus the station's own running cost) - a full year, also in the year it opens.

That must stay within year *t*'s budget (money is not carried over).  The certified workers of the
new stations open by year *t* must stay within the workers supplied up to year *t* (workers stay).

Whether the targets fit does not depend on where the stations go, only on how many open each
year and at which sizes, so it is settled first by a tiny MIP over counts (:func:`count_plan`):
the stations needed by each target year (at least), each year within its money and workers.
When they do not fit, :func:`shortfall` says by how much each year falls short and prices the
three ways out, each the least it can be: more money (each year, with the workers given), more
workers (each year, with the money given), or later dates (with the money and workers given,
the last year's repeated for up to :data:`settings.LATER_DATE_MAX_YEARS` years).

Examples
--------
Two years, 10 then 20 new stations, one size of 2 workers costing 100,000 to build and 170,000
a year to run: year 1 spends 10 x 270,000, year 2 10 x 100,000 + 20 x 170,000.

>>> from coverage.optimise.capacity import Menu
>>> menu = Menu.from_pairs([(2, 100_000)])
>>> plan = count_plan([10, 20], menu, budget_yuan=[2_700_000, 4_400_000], workers=[20, 20])
>>> plan.feasible, plan.spend_yuan, plan.workers
(True, [2700000.0, 4400000.0], [20.0, 40.0])
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from coverage import settings
from coverage._errors import InputError
from coverage.checks import yuan_text
from coverage.optimise.capacity import Menu
from coverage.optimise.highs import MipBuilder

#: Seconds each count MIP may take (they have a few dozen integer columns).
COUNT_TIME_LIMIT_S = 10.0


@dataclass(frozen=True)
class Resources:
    """Money and certified workers for each year of a plan (None: that resource does not limit it).

    ``budget_yuan[t]`` is year t's money for new stations; ``workers[t]`` the new certified
    workers year t brings (they stay in the following years).
    """

    years: list[int]
    budget_yuan: list[float] | None
    workers: list[int] | None

    @classmethod
    def for_years(
        cls, years: list[int], budget: dict[int, float] | None, workers: dict[int, int] | None
    ) -> tuple[Resources, Resources]:
        """The plan's years (``years``, one per target) and the years after them that the user gave,
        for the later-date search: ``(plan, extended)``.

        Every plan year needs a value of each resource given; a year before the last target that
        is not a target year is refused (the plan has no such year).
        """
        last = max(years)
        extra: set[int] = set()
        for what, values in (("budget", budget), ("workers", workers)):
            if values is None:
                continue
            missing = [y for y in years if y not in values]
            if missing:
                msg = (
                    f"--{what} has no value for {', '.join(map(str, missing))}; give one for every target year "
                    f"({', '.join(map(str, years))})"
                )
                raise InputError(msg)
            stray = [y for y in values if y not in years and y < last]
            if stray:
                msg = (
                    f"--{what} for {', '.join(map(str, stray))}, which is not a target year; the plan's years are "
                    f"{', '.join(map(str, years))} (later years are used to find later dates)"
                )
                raise InputError(msg)
            extra |= {y for y in values if y > last}
        horizon = list(years) + sorted(set(range(last + 1, last + 1 + settings.LATER_DATE_MAX_YEARS)) | extra)

        def values_for(given: dict[int, float] | dict[int, int] | None, span: list[int]) -> list | None:
            if given is None:
                return None
            out, previous = [], None
            for y in span:
                previous = given.get(y, previous)
                out.append(previous)
            return out

        plan = cls(list(years), values_for(budget, years), values_for(workers, years))
        return plan, cls(horizon, values_for(budget, horizon), values_for(workers, horizon))

    def to_json(self) -> dict:
        return {
            "years": self.years,
            "budget_yuan": self.budget_yuan,
            "workers": self.workers,
        }


@dataclass
class CountPlan:
    """How many stations of each size open each year, and what that spends (a tiny MIP's answer)."""

    feasible: bool
    opened: list[list[int]]  # [year][size]
    spend_yuan: list[float]
    workers: list[float]  # cumulative workers of the new stations
    money_short_yuan: list[float] = field(default_factory=list)
    workers_short: list[float] = field(default_factory=list)


def count_plan(
    needed: list[int],
    menu: Menu,
    budget_yuan: list[float] | None = None,
    workers: list[int] | None = None,
    most: int | None = None,
    money_slack: bool = False,
    worker_slack: bool = False,
) -> CountPlan:
    """The cheapest counts meeting ``needed`` (new stations open by each year, at least), within the
    yearly budget and the workers supplied up to each year; ``most``: stations at most (candidates).

    With ``money_slack``/``worker_slack`` the money and worker limits may be exceeded: the least
    excess (each year) is returned in ``money_short_yuan``/``workers_short`` (lexicographically:
    workers first, then money).  Without slack an impossible plan comes back ``feasible=False``.
    """
    T, K = len(needed), len(menu.workers)
    build = np.array(menu.build_yuan, dtype=float)
    running = menu.running_yuan()
    size_workers = np.array(menu.workers, dtype=float)
    b = MipBuilder()
    n = b.columns(T * K, integer=True, upper=np.inf)  # n[t, k] opened in year t at size k
    s = b.columns(T, upper=np.inf if money_slack else 0.0)  # extra money in year t
    e = b.columns(T, upper=np.inf if worker_slack else 0.0)  # extra workers in year t
    cumulative = sp.csr_matrix(np.kron(np.tril(np.ones((T, T))), np.ones((1, K))))  # stations open by t
    b.rows(np.asarray(needed, dtype=float), np.inf if most is None else float(most), (n, cumulative))
    if budget_yuan is not None:
        spend = np.kron(np.eye(T), build[None, :]) + np.kron(np.tril(np.ones((T, T))), running[None, :])
        b.rows(-np.inf, np.asarray(budget_yuan, dtype=float), (n, sp.csr_matrix(spend)), (s, -sp.identity(T)))
    if workers is not None:
        staff = np.kron(np.tril(np.ones((T, T))), size_workers[None, :])
        b.rows(
            -np.inf,
            np.cumsum(np.asarray(workers, dtype=float)),
            (n, sp.csr_matrix(staff)),
            (e, -sp.csr_matrix(np.tril(np.ones((T, T))))),
        )
    mip = b.build()
    # lexicographic: the fewest extra workers (weighted far above money), then the least extra money,
    # then the cheapest plan
    scale = float(running.max() + build.max())
    mip.cost[e.index] = 1e6 * scale
    mip.cost[s.index] = 1.0
    years_open = np.repeat(np.arange(T, 0, -1), K)  # a station opened in year t runs T - t years of the plan
    mip.cost[n.index] = 1e-6 * (np.tile(build, T) + np.tile(running, T) * years_open)
    try:
        sol = mip.solve(COUNT_TIME_LIMIT_S, mip_gap=1e-9)
    except InputError:
        return CountPlan(False, [], [], [])
    counts = np.round(n.values(sol.values)).reshape(T, K)
    opened_by = np.cumsum(counts, axis=0)
    spend = (counts @ build + opened_by @ running).tolist()
    staff = (opened_by @ size_workers).tolist()
    money_short = np.round(s.values(sol.values), 2).tolist()
    workers_short = np.round(e.values(sol.values), 6).tolist()
    return CountPlan(True, counts.astype(int).tolist(), spend, staff, money_short, workers_short)


@dataclass
class LaterDate:
    """When a target can be met with the money and workers given (None: not within the horizon)."""

    target_date: dt.date
    share: float
    needed: int
    reachable: dt.date | None


@dataclass
class Shortfall:
    """By how much each year falls short, and the least it takes to close the gap each way."""

    years: list[int]
    needed: list[int]
    money_only_yuan: list[float] | None  # extra money per year with the workers given (None: money alone cannot)
    workers_only: list[float] | None  # extra workers per year with the money given (None: workers alone cannot)
    both_money_yuan: list[float]  # extra money per year once the fewest extra workers are added
    both_workers: list[float]
    later: list[LaterDate]

    def lines(self) -> list[str]:
        """The shortfall in words, one line per way out (the first says what falls short)."""
        out = []
        if self.money_only_yuan is not None and any(self.money_only_yuan):
            per_year = ", ".join(
                f"{y}: {yuan_text(v)}" for y, v in zip(self.years, self.money_only_yuan, strict=True) if v
            )
            out.append(f"more money: {per_year} more (with the workers given)")
        elif self.money_only_yuan is None:
            out.append("more money alone cannot close it: the workers are short")
        if self.workers_only is not None and any(self.workers_only):
            per_year = ", ".join(
                f"{y}: {math.ceil(v - 1e-9)}" for y, v in zip(self.years, self.workers_only, strict=True) if v
            )
            out.append(f"more workers: {per_year} more certified workers (with the money given)")
        elif self.workers_only is None:
            out.append("more workers alone cannot close it: the money is short")
        if self.money_only_yuan is None and self.workers_only is None:
            money = ", ".join(
                f"{y}: {yuan_text(v)}" for y, v in zip(self.years, self.both_money_yuan, strict=True) if v
            )
            staff = ", ".join(
                f"{y}: {math.ceil(v - 1e-9)}" for y, v in zip(self.years, self.both_workers, strict=True) if v
            )
            out.append(f"more money and workers: {money or 'no money'} more and {staff or 'no'} more workers")
        for later in self.later:
            when = (
                later.reachable.isoformat() if later.reachable else f"not within {settings.LATER_DATE_MAX_YEARS} years"
            )
            out.append(
                f"later date: {later.share:.0%} ({later.needed} new stations) by {when} instead of {later.target_date}"
            )
        return out

    def to_json(self) -> dict:
        return {
            "years": self.years,
            "needed": self.needed,
            "money_only_yuan": self.money_only_yuan,
            "workers_only": self.workers_only,
            "both": {"money_yuan": self.both_money_yuan, "workers": self.both_workers},
            "later": [
                {
                    "target_date": x.target_date.isoformat(),
                    "share": x.share,
                    "needed": x.needed,
                    "reachable": x.reachable.isoformat() if x.reachable else None,
                }
                for x in self.later
            ],
            "ways_out": self.lines(),
        }


def shortfall(
    needed: list[int],
    dates: list[dt.date],
    shares: list[float],
    menu: Menu,
    plan: Resources,
    extended: Resources,
    most: int | None = None,
) -> Shortfall | None:
    """None when the targets fit the money and workers; else by how much they fall short (module docstring)."""
    if count_plan(needed, menu, plan.budget_yuan, plan.workers, most).feasible:
        return None
    money = count_plan(needed, menu, plan.budget_yuan, plan.workers, most, money_slack=True)
    staff = count_plan(needed, menu, plan.budget_yuan, plan.workers, most, worker_slack=True)
    both = count_plan(needed, menu, plan.budget_yuan, plan.workers, most, money_slack=True, worker_slack=True)
    return Shortfall(
        plan.years,
        list(needed),
        money.money_short_yuan if money.feasible else None,
        staff.workers_short if staff.feasible else None,
        both.money_short_yuan,
        both.workers_short,
        later_dates(needed, dates, shares, menu, extended, most),
    )


def later_dates(
    needed: list[int], dates: list[dt.date], shares: list[float], menu: Menu, extended: Resources, most: int | None
) -> list[LaterDate]:
    """The earliest year-end each target can be met with the money and workers given (in order, each no
    earlier than the one before), over ``extended``'s years."""
    years = extended.years
    out: list[LaterDate] = []
    due = [0] * len(years)  # stations needed by each year of the horizon
    earliest = 0
    for need, date, share in zip(needed, dates, shares, strict=True):
        found = None
        start = max(earliest, years.index(date.year) if date.year in years else 0)
        for k in range(start, len(years)):
            trial = [max(d, need) if i >= k else d for i, d in enumerate(due)]
            if count_plan(trial, menu, extended.budget_yuan, extended.workers, most).feasible:
                found, due, earliest = k, trial, k
                break
        reachable = None
        if found is not None:
            year = years[found]
            reachable = date if year == date.year else dt.date(year, 12, 31)
        out.append(LaterDate(date, share, need, reachable))
        if found is None:
            break
    return out
