"""Capacity: a station serves only as much demand as its workers can carry.

A station's **capacity** is its certified workers x the caseload of one worker
(:data:`settings.CASELOAD_PER_WORKER`, in the unit of the need in use: need units, villages and
communities, or km²).  Existing stations have their recorded workers (or
:data:`settings.STATION_WORKERS`); a new station's size is chosen from a :class:`Menu` (e.g. 2, 4
or 6 workers, each with its build cost and running costs), or given per site (a capacity file).

**Capacitated coverage** (:func:`solve_capacitated`): open ``p`` new stations (or as many as a
budget and a number of workers allow), each at one size, maximising the demand *served*.  Demand
within the radius of stations counts as served only up to their capacity: an assignment in
which demand point i sends ``x[i, s]`` to a station s within the radius, at most its weight in
all, and station s takes at most its capacity.  Existing stations serve with their own
capacity.  The objective is the demand served in total (existing stations included); the
demand existing stations serve alone (an LP) is reported beside it.

Exact: one MIP with HiGHS (:mod:`coverage.optimise.highs`):

* demand points reaching exactly the same stations (candidates and existing) are merged, their
  weights summed - exact, since such points can send their demand to the same places;
* a size is chosen by "at least size k" binaries (``u[j, k+1] <= u[j, k]``) with capacity
  increments, which branch better than one binary per size (the same LP);
* capacity above the demand a station can reach is useless and is cut to it;
* stopped at a relative gap of :data:`settings.CAPACITY_MIP_GAP` (1 %): the LP relaxation is weak
  (capacity spreads fractionally), HiGHS's cuts close most of it, the last 1 % costs far more.

* a MIP start: the ``p`` sites the LP relaxation opens most, their sizes chosen by the same MIP
  restricted to them (an easy MIP, solved to a tenth of the gap).  On Guangxi that start is
  within 0.05 % of the LP bound, so HiGHS stops at its root.

Heuristic (large instances, ``method="heuristic"``): that start alone, with the LP relaxation as
the bound.

With unbounded capacity the model is the MCLP: the demand served is the demand within the
radius (:mod:`coverage.optimise.siting`).

Examples
--------
Two demand points of 6 and 4, one candidate reaching both, one reaching only the second; each
station serves at most 5:

>>> import numpy as np
>>> from coverage.optimise.siting import SitingProblem
>>> cost = np.array([[1.0, 9.0], [1.0, 1.0]])
>>> cp = CapacityProblem.from_siting(SitingProblem.from_cost_matrix(cost, [6, 4]), 2.0, fixed_options([5.0, 5.0]))
>>> r = solve_capacitated(cp, p=1)
>>> r.selected, r.objective
(['0'], 5.0)
>>> solve_capacitated(cp, p=2).objective
9.0
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray
from scipy.spatial import cKDTree

from coverage import settings
from coverage._errors import InputError
from coverage.checks import CAPACITY, CASELOAD, STATION_WORKERS
from coverage.optimise.highs import Columns, Mip, MipBuilder, Solution, solver_name
from coverage.optimise.siting import SitingProblem, SitingResult, add_candidate_rules, check_rules, merge_rows


# --------------------------------------------------------------------------- sizes and costs
@dataclass(frozen=True)
class Menu:
    """The sizes a new station can have: certified workers and one-off build cost (yuan) of each,
    and the yearly running costs (per worker, and per station besides its workers).

    >>> m = Menu.default()
    >>> m.workers, m.running_yuan().tolist()
    ((2, 4, 6), [170000.0, 290000.0, 410000.0])
    """

    workers: tuple[int, ...]
    build_yuan: tuple[float, ...]
    running_per_worker_yuan: float = settings.RUNNING_COST_PER_WORKER_YUAN
    station_running_yuan: float = settings.STATION_RUNNING_COST_YUAN

    def __post_init__(self) -> None:
        if not self.workers or len(self.workers) != len(self.build_yuan):
            msg = "a capacity menu needs at least one size, each with its workers and build cost"
            raise InputError(msg)
        if len(self.workers) > settings.MAX_MENU_SIZES:
            msg = f"a capacity menu of {len(self.workers)} sizes; give at most {settings.MAX_MENU_SIZES}"
            raise InputError(msg)
        if len(set(self.workers)) != len(self.workers) or list(self.workers) != sorted(self.workers):
            msg = f"the menu's sizes {list(self.workers)} must be different numbers of workers, smallest first"
            raise InputError(msg)
        for w in self.workers:
            STATION_WORKERS(w)

    @classmethod
    def default(cls) -> Menu:
        """The menu of :data:`settings.CAPACITY_MENU` with the settings' running costs."""
        return cls.from_pairs(settings.CAPACITY_MENU)

    @classmethod
    def from_pairs(
        cls,
        pairs: tuple[tuple[int, float], ...] | list[tuple[int, float]],
        running_per_worker_yuan: float = settings.RUNNING_COST_PER_WORKER_YUAN,
        station_running_yuan: float = settings.STATION_RUNNING_COST_YUAN,
    ) -> Menu:
        """A menu from (workers, build cost) pairs (as :func:`coverage.checks.parse_menu` gives them)."""
        pairs = sorted((int(w), float(c)) for w, c in pairs)
        return cls(
            tuple(w for w, _ in pairs),
            tuple(c for _, c in pairs),
            float(running_per_worker_yuan),
            float(station_running_yuan),
        )

    def running_yuan(self) -> NDArray:
        """Yearly running cost of a station of each size, yuan."""
        return np.array([w * self.running_per_worker_yuan + self.station_running_yuan for w in self.workers])

    def capacities(self, caseload: float) -> NDArray:
        """Capacity of each size: workers x ``caseload``."""
        return np.array(self.workers, dtype=float) * CASELOAD(caseload)

    def to_json(self) -> dict:
        return {
            "sizes": [
                {"workers": w, "build_yuan": b, "running_yuan": float(r)}
                for w, b, r in zip(self.workers, self.build_yuan, self.running_yuan(), strict=True)
            ],
            "running_per_worker_yuan": self.running_per_worker_yuan,
            "station_running_yuan": self.station_running_yuan,
        }


@dataclass(frozen=True)
class SiteOptions:
    """The sizes each candidate site may open at: one row per (site, size), smallest size of a site first.

    ``site`` is the candidate's position, ``capacity`` in demand units, ``workers`` certified
    workers, ``build_yuan`` one-off cost, ``running_yuan`` yearly cost.
    """

    site: NDArray
    capacity: NDArray
    workers: NDArray
    build_yuan: NDArray
    running_yuan: NDArray

    def __post_init__(self) -> None:
        order = np.lexsort((self.capacity, self.site))
        if not (order == np.arange(len(order))).all():
            msg = "site options must be sorted by site, then capacity"
            raise ValueError(msg)

    @property
    def first(self) -> NDArray:
        """Whether each row is its site's smallest size (opening the site)."""
        return np.r_[True, self.site[1:] != self.site[:-1]] if len(self.site) else np.zeros(0, bool)

    def sites(self, m: int) -> NDArray:
        """Whether each of ``m`` candidates has at least one option."""
        return np.bincount(self.site, minlength=m) > 0


def menu_options(m: int, menu: Menu, caseload: float) -> SiteOptions:
    """Every one of ``m`` candidates may open at every size of ``menu`` (capacity = workers x ``caseload``)."""
    k = len(menu.workers)
    return SiteOptions(
        np.repeat(np.arange(m), k),
        np.tile(menu.capacities(caseload), m),
        np.tile(np.array(menu.workers, dtype=float), m),
        np.tile(np.array(menu.build_yuan, dtype=float), m),
        np.tile(menu.running_yuan(), m),
    )


def fixed_options(capacity: ArrayLike, workers: ArrayLike | None = None) -> SiteOptions:
    """One size per candidate: its ``capacity`` (demand units; inf for unbounded), no cost.

    ``workers`` (optional) per candidate, for the staff a plan uses.
    """
    cap = np.asarray(capacity, dtype=float)
    if cap.ndim != 1 or (cap < 0).any() or np.isnan(cap).any():
        msg = "site capacities must be one number of 0 or more per candidate site"
        raise InputError(msg)
    w = np.zeros(len(cap)) if workers is None else np.asarray(workers, dtype=float)
    return SiteOptions(np.arange(len(cap)), cap, w, np.zeros(len(cap)), np.zeros(len(cap)))


def mixed_options(m: int, menu: Menu, caseload: float, fixed: dict[int, float]) -> SiteOptions:
    """The menu for every candidate, except those of ``fixed`` (position -> capacity), which have one size."""
    full = menu_options(m, menu, caseload)
    keep = ~np.isin(full.site, list(fixed))
    sites = np.array(sorted(fixed), dtype=int)
    cap = np.array([fixed[j] for j in sites], dtype=float)
    workers = np.round(cap / caseload) if caseload > 0 else np.zeros(len(cap))
    site = np.concatenate([full.site[keep], sites])
    order = np.lexsort((np.concatenate([full.capacity[keep], cap]), site))
    running = workers * menu.running_per_worker_yuan + menu.station_running_yuan

    def joined(a: NDArray, b: NDArray) -> NDArray:
        return np.concatenate([a[keep], b])[order]

    return SiteOptions(
        site[order],
        joined(full.capacity, cap),
        joined(full.workers, workers),
        joined(full.build_yuan, np.zeros(len(cap))),
        joined(full.running_yuan, running),
    )


def station_capacity(
    stations: pd.DataFrame,
    caseload: float,
    default_workers: int = settings.STATION_WORKERS,
    overrides: dict[str, float] | None = None,
) -> tuple[NDArray, int]:
    """Capacity of each existing station and how many took the default staff.

    In order: ``overrides`` (station id or township code -> capacity), a ``capacity`` column,
    a ``workers`` column x ``caseload``, else ``default_workers`` x ``caseload``.

    >>> caps, defaulted = station_capacity(pd.DataFrame({"station_id": ["a", "b"], "township_code": ["1", "2"],
    ...     "workers": [5, None]}), 4.0, overrides={"2": 10.0})
    >>> caps.tolist(), defaulted
    ([20.0, 10.0], 0)
    """
    CASELOAD(caseload)
    STATION_WORKERS(default_workers)
    n = len(stations)
    cap = np.full(n, np.nan)
    if "capacity" in stations:
        cap = pd.to_numeric(stations["capacity"], errors="coerce").to_numpy(dtype=float)
    if "workers" in stations:
        workers = pd.to_numeric(stations["workers"], errors="coerce").to_numpy(dtype=float)
        cap = np.where(np.isnan(cap), workers * caseload, cap)
    for key in ("station_id", "township_code"):
        if overrides and key in stations:
            given = stations[key].astype(str).map(overrides).to_numpy(dtype=float)
            cap = np.where(np.isnan(given), cap, given)
    defaulted = int(np.isnan(cap).sum())
    cap = np.where(np.isnan(cap), default_workers * caseload, cap)
    if (cap < 0).any():
        msg = "a station's capacity or workers is negative; give 0 or more"
        raise InputError(msg)
    return cap, defaulted


# --------------------------------------------------------------------------- the problem
@dataclass
class CapacityProblem:
    """A siting problem with capacities: candidates (with their size options) and existing stations.

    ``siting`` holds the demand weights, the candidates, their coverage for one radius and the
    candidate rules (counties, one per township); ``existing_cover`` (n x e, bool) says which
    existing stations reach each demand point, ``existing_capacity`` what they can serve.
    ``demand_xy``/``site_xy`` (metres; candidates then existing stations), when known, give each
    station's catchment for :attr:`CapacityResult.loads`.
    """

    siting: SitingProblem
    radius: float
    options: SiteOptions
    existing_cover: sp.csr_matrix
    existing_capacity: NDArray
    existing_ids: NDArray
    demand_xy: NDArray | None = None
    site_xy: NDArray | None = None

    @classmethod
    def from_siting(
        cls,
        problem: SitingProblem,
        radius: float,
        options: SiteOptions,
        existing_cover: sp.spmatrix | None = None,
        existing_capacity: ArrayLike | None = None,
        existing_ids: ArrayLike | None = None,
        demand_xy: NDArray | None = None,
        site_xy: NDArray | None = None,
    ) -> CapacityProblem:
        """Capacities for ``problem`` at ``radius``: the candidates' ``options``, the existing stations'
        coverage (n x e) and capacity.  Without existing stations' coverage, the problem's own
        "already served" demand is taken as served by one existing station of unbounded capacity.
        """
        cover, served = problem.covering(radius)
        n, m = cover.shape
        if len(options.site) and (options.site.max() >= m or options.site.min() < 0):
            msg = f"site options name candidate {int(options.site.max())}, but there are {m} candidates"
            raise InputError(msg)
        if existing_cover is None:
            ecover = sp.csr_matrix(served.reshape(-1, 1)) if served.any() else sp.csr_matrix((n, 0), dtype=bool)
            ecap = np.full(ecover.shape[1], np.inf)
            eids = np.array(["existing"] if served.any() else [], dtype=str)
        else:
            ecover = sp.csr_matrix(existing_cover, dtype=bool)
            ecap = np.asarray(existing_capacity, dtype=float)
            eids = np.asarray(existing_ids if existing_ids is not None else np.arange(ecover.shape[1])).astype(str)
        if ecover.shape[0] != n or len(ecap) != ecover.shape[1] or len(eids) != ecover.shape[1]:
            msg = (
                f"existing stations: coverage of shape {ecover.shape}, {len(ecap)} capacities and {len(eids)} ids "
                f"for {n} demand points; give one column, capacity and id per station"
            )
            raise InputError(msg)
        for c in ecap[np.isfinite(ecap)]:
            CAPACITY(c)
        return cls(problem, float(radius), options, ecover, ecap, eids, demand_xy, site_xy)

    @property
    def n_sites(self) -> int:
        """Candidates plus existing stations."""
        return self.siting.n_candidates + self.existing_cover.shape[1]


@dataclass
class CapacityResult(SitingResult):
    """A capacitated siting: which candidates open at which size, and what every station serves.

    ``objective`` is the demand served in total (existing stations included); ``served_before``
    what the existing stations serve alone; ``sizes`` the workers of each selected site.
    ``site_served``/``site_capacity`` are per site (candidates then existing stations; 0 capacity
    for candidates not opened); ``point_served`` per demand point of the problem.
    """

    sizes: dict[str, float] = field(default_factory=dict)
    capacity_of: dict[str, float] = field(default_factory=dict)
    served_before: float = 0.0
    total: float = 0.0
    site_served: NDArray = field(default_factory=lambda: np.zeros(0))
    site_capacity: NDArray = field(default_factory=lambda: np.zeros(0))
    point_served: NDArray = field(default_factory=lambda: np.zeros(0))
    cost_yuan: float = 0.0
    workers: float = 0.0


def solve_capacitated(
    cp: CapacityProblem,
    p: int | None = None,
    workers_limit: float | None = None,
    budget_yuan: float | None = None,
    group_min: dict | None = None,
    group_max: dict | None = None,
    method: str = "auto",
    time_limit: float = settings.SITING_TIME_LIMIT_S,
    mip_gap: float = settings.CAPACITY_MIP_GAP,
    exact_max_pairs: int = settings.CAPACITY_EXACT_MAX_PAIRS,
) -> CapacityResult:
    """Open ``p`` new stations (any number when None) maximising the demand served (see the module docstring).

    ``workers_limit``: new certified workers available at most; ``budget_yuan``: build cost plus
    one year's running cost of the new stations at most.  ``method``: ``"exact"``,
    ``"heuristic"`` or ``"auto"`` (exact up to ``exact_max_pairs`` merged demand-site pairs).
    """
    start = time.perf_counter()
    if method not in ("auto", "exact", "heuristic"):
        msg = f"method {method!r} unknown; choose auto, exact or heuristic"
        raise InputError(msg)
    if p is not None:
        check_rules(cp.siting, p, group_min, group_max)
        _check_limits(cp.options, p, workers_limit, budget_yuan)
    elif workers_limit is None and budget_yuan is None:
        msg = "give the number of new stations p, the workers available or a budget: one of them limits the plan"
        raise InputError(msg)
    model = MergedModel.build(cp)
    b, cols = model.mip(p, workers_limit, budget_yuan, group_min, group_max)
    mip = b.build()
    exact = method == "exact" or (method == "auto" and model.pairs <= exact_max_pairs)
    relaxed = mip.solve(time_limit, mip_gap, relax=True)
    keep = _rounded(model, cols.open_.values(relaxed.values), p, group_min, group_max)
    remaining = max(0.1, time_limit - (time.perf_counter() - start))
    b_round, cols_round = model.mip(None, workers_limit, budget_yuan, None, None, fixed_open=keep)
    # the sizes of fixed sites are an easy MIP: solve it ten times tighter, a start close to the bound
    rounded = b_round.build().solve(remaining, mip_gap / 10)
    within = relaxed.objective - rounded.objective <= mip_gap * abs(rounded.objective)
    if exact and within:  # the LP bound proves the rounded plan within the gap: nothing left to search
        sol, cols = rounded, cols_round
        solver, status, bound = (
            solver_name(f"LP rounding within {mip_gap:.2%} of the LP bound"),
            "optimal",
            relaxed.objective,
        )
    elif exact:  # HiGHS starts from the rounded plan
        remaining = max(0.1, time_limit - (time.perf_counter() - start))
        sol = mip.solve(remaining, mip_gap, start=_lift(rounded.values, cols_round, cols, len(mip.cost)))
        solver, status, bound = solver_name(f"MIP, gap {mip_gap:.2%}, started from LP rounding"), sol.state, sol.bound
    else:
        sol, cols = rounded, cols_round
        solver, status, bound = "LP rounding, sizes by MIP (bound: HiGHS LP relaxation)", "heuristic", relaxed.objective
    return model.result(sol, cols, bound, solver, status, time.perf_counter() - start, time_limit)


def _lift(values: NDArray, restricted: _Cols, full: _Cols, n_cols: int, out: NDArray | None = None) -> NDArray:
    """A restricted model's solution as values of the full model's columns (the same open and flow
    blocks); ``out``: add to these values (another year's blocks)."""
    out = np.zeros(n_cols) if out is None else out
    out[full.open_.index] = restricted.open_.values(values)
    out[full.flow.index] = restricted.flow.values(values)
    position = np.full(len(full.extra_rows) and int(full.extra_rows.max()) + 1, -1)
    position[full.extra_rows] = full.extra.index
    out[position[restricted.extra_rows]] = restricted.extra.values(values)
    return out


def lift_years(values: NDArray, restricted: list[_Cols], full: list[_Cols], n_cols: int) -> NDArray:
    """A restricted yearly plan's solution as a start of the full yearly model (:meth:`MergedModel.yearly_mip`)."""
    out = np.zeros(n_cols)
    for r, f in zip(restricted, full, strict=True):
        _lift(values, r, f, n_cols, out)
    return out


def rounded_years(
    model: MergedModel, levels: list[NDArray], counts: list[int], group_min: list[dict[str, int]]
) -> list[NDArray]:
    """Nested candidate sets from a yearly LP relaxation: the last year's ``counts[-1]`` sites it opens
    most, then each earlier year the ``counts[t]`` of the next year's set it opens most that year,
    counties' minimums first; ties broken by the demand the sites reach."""
    m = model.cp.siting.n_candidates
    groups = model.cp.siting.groups
    allowed = np.arange(m)
    out: list[NDArray] = [np.zeros(0, dtype=int)] * len(counts)
    for t in range(len(counts) - 1, -1, -1):
        order = allowed[np.lexsort((-model.reach[allowed], -levels[t][allowed]))]
        chosen: list[int] = []
        for county, low in sorted(group_min[t].items()):
            members = [int(j) for j in order if groups is not None and groups[j] == county]
            chosen += members[:low]
        taken = set(chosen)
        chosen += [int(j) for j in order if j not in taken][: max(0, counts[t] - len(chosen))]
        out[t] = np.sort(np.array(chosen, dtype=int))
        allowed = out[t]
    return out


def greedy_sizes(
    model: MergedModel,
    sets: list[NDArray],
    full: list[_Cols],
    lp_values: NDArray,
    restricted: list[_Cols],
    n_cols: int,
    budget_yuan: list[float] | None,
    workers: list[int] | None,
) -> NDArray | None:
    """Sizes for a yearly plan whose openings are fixed (``sets[t]``: the candidates open in year t;
    ``restricted``: the columns of :meth:`MergedModel.yearly_mip` with those ``fixed_open``): every
    station at its smallest size, then the upgrades the LP relaxation (``lp_values`` of the ``full``
    model) makes most, year by year, each kept only when every year from then on stays within its
    money and the workers supplied so far.  Returns values of the restricted model's open and size
    columns (flows 0), or None when even the smallest sizes do not fit.
    """
    opts = model.cp.options
    first = opts.first
    T = len(sets)
    inc_build = size_increments(opts.build_yuan, first)
    inc_running = size_increments(opts.running_yuan, first)
    inc_workers = size_increments(opts.workers, first)
    money = np.asarray(budget_yuan, dtype=float) if budget_yuan is not None else np.full(T, np.inf)
    supply = np.cumsum(workers).astype(float) if workers is not None else np.full(T, np.inf)
    spend, staff = np.zeros(T), np.zeros(T)
    first_of = np.full(model.cp.siting.n_candidates, -1)
    first_of[opts.site[first]] = np.flatnonzero(first)
    size = np.full(model.cp.siting.n_candidates, -1)  # the option row of each site's size
    by_year: list[NDArray] = []
    for t, sites in enumerate(sets):  # every station at its smallest size from the year it opens
        new = np.asarray(sites, dtype=int)[size[sites] < 0]
        size[new] = first_of[new]
        spend[t] += inc_build[first_of[new]].sum()
        spend[t:] += inc_running[first_of[new]].sum()
        staff[t:] += inc_workers[first_of[new]].sum()
        by_year.append(size.copy())
    if (spend > money + 1e-6).any() or (staff > supply + 1e-9).any():
        return None
    for t, c in enumerate(full):  # upgrades, the LP's most wanted first
        level = np.zeros(len(opts.site))
        level[c.extra_rows] = c.extra.values(lp_values)
        for row in np.argsort(-level, kind="stable"):
            if level[row] <= 1e-6:
                break
            j = opts.site[row]
            if by_year[t][j] < 0 or row != by_year[t][j] + 1:
                continue  # not open this year, or not the next size up
            more_spend = np.r_[np.zeros(t), inc_build[row] + inc_running[row], np.full(T - t - 1, inc_running[row])]
            more_staff = np.r_[np.zeros(t), np.full(T - t, inc_workers[row])]
            if (spend + more_spend > money + 1e-6).any() or (staff + more_staff > supply + 1e-9).any():
                continue
            spend, staff = spend + more_spend, staff + more_staff
            for k in range(t, T):
                by_year[k][j] = max(by_year[k][j], row)
    out = np.zeros(n_cols)
    for rows, c in zip(by_year, restricted, strict=True):
        out[c.open_.index] = (rows >= 0).astype(float)
        taken = np.zeros(len(opts.site), bool)
        for j in np.flatnonzero(rows >= 0):
            taken[first_of[j] : rows[j] + 1] = True
        out[c.extra.index] = taken[c.extra_rows].astype(float)
    return out


def with_flows(mip: Mip, sizes: NDArray, integer: NDArray, time_limit: float) -> Solution:
    """The best flows for fixed sizes: the LP of ``mip`` with its integer columns fixed at ``sizes``."""
    fixed = Mip(
        mip.cost,
        np.where(integer, sizes, mip.lower),
        np.where(integer, sizes, mip.upper),
        np.zeros(len(mip.cost), bool),
        mip.matrix,
        mip.row_lower,
        mip.row_upper,
        mip.maximise,
        dict(mip.options),
    )
    return fixed.solve(time_limit, relax=True)


def _check_limits(options: SiteOptions, p: int, workers_limit: float | None, budget_yuan: float | None) -> None:
    """``p`` stations at their smallest sizes fit the workers and the budget, or InputError saying by how much."""
    first = options.first
    for limit, values, what, more in (
        (workers_limit, options.workers, "workers", "give more workers"),
        (
            budget_yuan,
            options.build_yuan + options.running_yuan,
            "yuan (build and a year's running)",
            "give more money",
        ),
    ):
        if limit is None:
            continue
        least = float(np.sort(values[first])[:p].sum())
        if least > limit + 1e-9:
            msg = f"{p} new stations need at least {least:,.0f} {what} even at their smallest size, {limit:,.0f} given; {more} or lower p"
            raise InputError(msg)


def served_by_existing(cp: CapacityProblem, time_limit: float = settings.SITING_TIME_LIMIT_S) -> float:
    """The demand the existing stations serve alone (their capacities, an LP)."""
    model = MergedModel.build(cp)
    return model.existing_only(time_limit)


# --------------------------------------------------------------------------- the model
@dataclass
class _Cols:
    """Column blocks of the capacity MIP."""

    open_: Columns  # one per candidate: its smallest size (opens it)
    extra: Columns  # the larger sizes allowed ("at least size k"), of the option rows ``extra_rows``
    extra_rows: NDArray
    flow: Columns  # one per merged (demand row, site) pair

    def size_rows(self, x: NDArray, options: SiteOptions) -> NDArray:
        """The option row of each candidate's size in solution ``x`` (-1: not opened)."""
        m = self.open_.size
        rows = np.full(m, -1)
        first = np.flatnonzero(options.first)
        opened = self.open_.values(x) > 0.5
        rows[options.site[first]] = np.where(opened[options.site[first]], first, -1)
        on_extra = self.extra_rows[self.extra.values(x) > 0.5]
        rows[options.site[on_extra]] = np.maximum(rows[options.site[on_extra]], on_extra)  # sorted: largest on
        return rows

    def on(self, x: NDArray, options: SiteOptions) -> NDArray:
        """Whether each option row is taken in solution ``x`` (an opened site's sizes up to its own)."""
        out = np.zeros(len(options.site), bool)
        first = np.flatnonzero(options.first)
        out[first] = self.open_.values(x)[options.site[first]] > 0.5
        out[self.extra_rows] = self.extra.values(x) > 0.5
        return out


def size_increments(values: NDArray, first: NDArray) -> NDArray:
    """Per option row, its value minus the value of the size below it (the smallest size: its value).

    >>> size_increments(np.array([2.0, 4.0, 6.0, 3.0]), np.array([True, False, False, True])).tolist()
    [2.0, 2.0, 2.0, 3.0]
    """
    before = np.r_[0.0, values[:-1]]
    before[first] = 0.0
    return values - before


@dataclass
class MergedModel:
    """A :class:`CapacityProblem` with its demand rows merged: the arrays every build of its MIP shares
    (public so benchmarks can give a baseline the very same rows and pairs)."""

    cp: CapacityProblem
    rows: sp.csr_matrix  # merged demand rows x sites (candidates, then existing)
    w: NDArray  # merged weights
    codes: NDArray  # merged row of each demand point (-1: reaches no site)
    pair_row: NDArray
    pair_site: NDArray
    reach: NDArray  # demand each site can reach

    @classmethod
    def build(cls, cp: CapacityProblem) -> MergedModel:
        cover, _ = cp.siting.covering(cp.radius)
        full = sp.hstack([sp.csr_matrix(cover, dtype=bool), cp.existing_cover]).tocsr()
        weights = cp.siting.weights
        keep = (np.asarray(full.sum(axis=1)).ravel() > 0) & (weights > 0)
        merged, w, sub_codes = merge_rows(full[keep], weights[keep])
        codes = np.full(len(weights), -1)
        codes[keep] = sub_codes
        coo = merged.tocoo()
        order = np.lexsort((coo.col, coo.row))
        reach = np.asarray(merged.T.astype(float) @ w).ravel()
        return cls(cp, merged, w, codes, coo.row[order], coo.col[order], reach)

    @property
    def pairs(self) -> int:
        return len(self.pair_row)

    def _pair_matrix(self, by: NDArray, size: int, keep: NDArray | None = None) -> sp.csr_matrix:
        """(size x kept pairs) 0/1 matrix putting each kept pair in row ``by[pair]``."""
        by = by if keep is None else by[keep]
        return sp.csr_matrix((np.ones(len(by)), (by, np.arange(len(by)))), shape=(size, len(by)))

    def block(
        self, b: MipBuilder, fixed_open: NDArray | None = None
    ) -> tuple[_Cols, dict[str, tuple[NDArray, NDArray]]]:
        """Add one plan's columns and rows to ``b``: sizes by "at least size k" binaries (each needs the
        size below it), flows on merged pairs within each row's weight and each site's capacity.

        ``fixed_open``: only these candidates, all opened (their sizes still chosen).  Returns the
        column blocks and, for ``workers``, ``build`` and ``running``, the (open, extra) row vectors
        summing that quantity over the plan's stations.
        """
        cp, opts = self.cp, self.cp.options
        m = cp.siting.n_candidates
        n, S = self.rows.shape
        P = self.pairs
        first = opts.first
        allowed = np.ones(len(opts.site), bool) if fixed_open is None else np.isin(opts.site, fixed_open)
        has = (np.bincount(opts.site[allowed & first], minlength=m) > 0).astype(float)
        open_rows = np.full(m, -1)
        open_rows[opts.site[first]] = np.flatnonzero(first)
        extra_rows = np.flatnonzero(~first & allowed)
        e = len(extra_rows)
        open_ = b.columns(m, integer=True, upper=has, lower=0.0 if fixed_open is None else has)
        extra = b.columns(e, integer=True)
        flow = b.columns(P, cost=1.0, upper=self.w[self.pair_row])
        if e:  # an extra size needs the size below it: u[k] - u[k-1] <= 0
            below = extra_rows - 1
            below_open = first[below]
            pos = np.full(len(opts.site), -1)
            pos[extra_rows] = np.arange(e)
            idx = np.arange(e)
            chain = sp.identity(e, format="csr") - sp.csr_matrix(
                (np.ones(int((~below_open).sum())), (idx[~below_open], pos[below[~below_open]])), shape=(e, e)
            )
            to_open = sp.csr_matrix(
                (-np.ones(int(below_open.sum())), (idx[below_open], opts.site[below[below_open]])), shape=(e, m)
            )
            b.rows(-np.inf, 0.0, (extra, chain), (open_, to_open))

        def per_candidate(values: NDArray) -> NDArray:
            """Each candidate's value of its smallest size (0 without options)."""
            return np.where(open_rows >= 0, values[np.maximum(open_rows, 0)], 0.0)

        b.rows(-np.inf, self.w, (flow, self._pair_matrix(self.pair_row, n)))
        if m:  # capacity increments, cut to the demand each site can reach
            inc_cap = size_increments(np.minimum(opts.capacity, self.reach[opts.site]), first)
            to_candidate = np.flatnonzero(self.pair_site < m)
            at_site = sp.csr_matrix(
                (np.ones(len(to_candidate)), (self.pair_site[to_candidate], to_candidate)), shape=(m, P)
            )
            cap_extra = sp.csr_matrix((inc_cap[extra_rows], (opts.site[extra_rows], np.arange(e))), shape=(m, e))
            b.rows(
                -np.inf,
                0.0,
                (flow, at_site),
                (open_, -sp.diags(per_candidate(inc_cap), format="csr")),
                (extra, -cap_extra),
            )
        if m < S:
            to_existing = np.flatnonzero(self.pair_site >= m)
            at_existing = sp.csr_matrix(
                (np.ones(len(to_existing)), (self.pair_site[to_existing] - m, to_existing)), shape=(S - m, P)
            )
            b.rows(-np.inf, np.minimum(cp.existing_capacity, self.reach[m:]), (flow, at_existing))
        sums = {
            name: (per_candidate(inc)[None, :], inc[extra_rows][None, :])
            for name, inc in (
                ("workers", size_increments(opts.workers, first)),
                ("build", size_increments(opts.build_yuan, first)),
                ("running", size_increments(opts.running_yuan, first)),
            )
        }
        return _Cols(open_, extra, extra_rows, flow), sums

    def mip(
        self,
        p: int | None,
        workers_limit: float | None,
        budget_yuan: float | None,
        group_min: dict | None,
        group_max: dict | None,
        fixed_open: NDArray | None = None,
    ) -> tuple[MipBuilder, _Cols]:
        """max served by one plan: ``p`` new stations, at most ``workers_limit`` new workers and
        ``budget_yuan`` of build plus a year's running cost, the candidate rules (:meth:`block`)."""
        b = MipBuilder(maximise=True)
        cols, sums = self.block(b, fixed_open)
        m = self.cp.siting.n_candidates
        if p is not None:
            b.rows([p], [p], (cols.open_, np.ones((1, m))))
        if workers_limit is not None:
            wo, wx = sums["workers"]
            b.rows([-np.inf], [float(workers_limit)], (cols.open_, wo), (cols.extra, wx))
        if budget_yuan is not None:
            (bo, bx), (ro, rx) = sums["build"], sums["running"]
            b.rows([-np.inf], [float(budget_yuan)], (cols.open_, bo + ro), (cols.extra, bx + rx))
        if fixed_open is None:
            add_candidate_rules(b, cols.open_, self.cp.siting, group_min, group_max)
        return b, cols

    def yearly_mip(
        self,
        needed: list[int],
        budget_yuan: list[float] | None,
        workers: list[int] | None,
        group_min: list[dict[str, int]],
        fixed_open: list[NDArray] | None = None,
    ) -> tuple[MipBuilder, list[_Cols]]:
        """max demand served summed over the years of a nested plan (one :meth:`block` per year).

        Year t opens at least ``needed[t]`` new stations in all; stations and their sizes never
        shrink (``u[t] <= u[t+1]``; a station may grow, paying the difference of build costs then);
        year t spends the build cost of what it opens or grows plus the running cost of all its
        stations within ``budget_yuan[t]``; the workers of all new stations stay within the
        workers supplied up to year t; ``group_min[t]``: new stations per county by year t, at
        least.  ``fixed_open[t]``: the candidates open in year t, fixed (nested; sizes still chosen).
        """
        b = MipBuilder(maximise=True)
        m = self.cp.siting.n_candidates
        years = [self.block(b, None if fixed_open is None else fixed_open[t]) for t in range(len(needed))]
        supply = np.cumsum(workers) if workers is not None else None
        for t, (cols, sums) in enumerate(years):
            b.rows([needed[t]], [m], (cols.open_, np.ones((1, m))))
            if supply is not None:
                wo, wx = sums["workers"]
                b.rows([-np.inf], [float(supply[t])], (cols.open_, wo), (cols.extra, wx))
            if budget_yuan is not None:
                (bo, bx), (ro, rx) = sums["build"], sums["running"]
                parts = [(cols.open_, bo + ro), (cols.extra, bx + rx)]
                if t:  # what was built before is not built again
                    before, before_sums = years[t - 1]
                    pbo, pbx = before_sums["build"]
                    parts += [(before.open_, -pbo), (before.extra, -pbx)]
                b.rows([-np.inf], [float(budget_yuan[t])], *parts)
            if t:  # nested: u[t-1] - u[t] <= 0, the extra sizes matched by option row
                before = years[t - 1][0]
                b.rows(
                    -np.inf,
                    0.0,
                    (before.open_, sp.identity(m, format="csr")),
                    (cols.open_, -sp.identity(m, format="csr")),
                )
                if before.extra.size:
                    where = np.searchsorted(cols.extra_rows, before.extra_rows)
                    k = before.extra.size
                    b.rows(
                        -np.inf,
                        0.0,
                        (before.extra, sp.identity(k, format="csr")),
                        (cols.extra, -sp.csr_matrix((np.ones(k), (np.arange(k), where)), shape=(k, cols.extra.size))),
                    )
            if fixed_open is None:
                add_candidate_rules(b, cols.open_, self.cp.siting, group_min[t] or None, None)
        return b, [cols for cols, _ in years]

    def existing_flows(self, time_limit: float = settings.SITING_TIME_LIMIT_S) -> NDArray:
        """What each merged demand row gets from the existing stations alone (max flow, an LP)."""
        m = self.cp.siting.n_candidates
        n, S = self.rows.shape
        keep = self.pair_site >= m
        if m == S or not keep.any():
            return np.zeros(n)
        b = MipBuilder(maximise=True)
        flow = b.columns(int(keep.sum()), cost=1.0, upper=self.w[self.pair_row[keep]])
        b.rows(-np.inf, self.w, (flow, self._pair_matrix(self.pair_row, n, keep)))
        b.rows(
            -np.inf,
            np.minimum(self.cp.existing_capacity, self.reach[m:]),
            (flow, self._pair_matrix(self.pair_site - m, S - m, keep)),
        )
        x = b.build().solve(time_limit).values
        return np.bincount(self.pair_row[keep], weights=flow.values(x), minlength=n)

    def existing_only(self, time_limit: float = settings.SITING_TIME_LIMIT_S) -> float:
        """The demand existing stations serve with no new one."""
        return float(self.existing_flows(time_limit).sum())

    def result(
        self,
        sol: Solution,
        cols: _Cols,
        bound: float,
        solver: str,
        status: str,
        seconds: float,
        time_limit: float,
    ) -> CapacityResult:
        cp, opts = self.cp, self.cp.options
        m = cp.siting.n_candidates
        opened = cols.open_.values(sol.values) > 0.5
        chosen = np.flatnonzero(opened)
        rows = cols.size_rows(sol.values, opts)[chosen]
        ids = cp.siting.candidate_ids
        flows = cols.flow.values(sol.values)
        S = self.rows.shape[1]
        site_served = np.bincount(self.pair_site, weights=flows, minlength=S)
        row_served = np.bincount(self.pair_row, weights=flows, minlength=len(self.w))
        fraction = np.divide(row_served, self.w, out=np.zeros_like(self.w), where=self.w > 0)
        point_served = np.where(self.codes >= 0, fraction[np.maximum(self.codes, 0)], 0.0) * cp.siting.weights
        site_capacity = np.concatenate([np.zeros(m), cp.existing_capacity])
        site_capacity[chosen] = opts.capacity[rows]
        served = float(flows.sum())
        total_w = float(cp.siting.weights.sum())
        before = self.existing_only(time_limit)
        return CapacityResult(
            "mclp",
            [str(ids[j]) for j in chosen],
            served,
            max(float(bound), served),
            solver,
            seconds,
            served / total_w if total_w else 0.0,
            status,
            {
                "capacitated": True,
                "served_before": round(before, 6),
                "served_gain": round(served - before, 6),
                "served_before_share": round(before / total_w, 6) if total_w else 0.0,
                "merged_rows": int(len(self.w)),
                "pairs": int(self.pairs),
                "candidates": int(m),
                "existing_stations": int(S - m),
                "new_workers": float(opts.workers[rows].sum()),
                "cost_yuan": float((opts.build_yuan[rows] + opts.running_yuan[rows]).sum()),
            },
            sizes={str(ids[j]): float(opts.workers[r]) for j, r in zip(chosen, rows, strict=True)},
            capacity_of={str(ids[j]): float(opts.capacity[r]) for j, r in zip(chosen, rows, strict=True)},
            served_before=before,
            total=total_w,
            site_served=site_served,
            site_capacity=site_capacity,
            point_served=point_served,
            cost_yuan=float((opts.build_yuan[rows] + opts.running_yuan[rows]).sum()),
            workers=float(opts.workers[rows].sum()),
        )


def _rounded(
    model: MergedModel, level: NDArray, p: int | None, group_min: dict | None, group_max: dict | None
) -> NDArray:
    """The candidates an LP relaxation opens most: ``p`` of them within the candidate rules, or (no ``p``)
    every one it opens at all; ties broken by the demand they reach."""
    m = model.cp.siting.n_candidates
    order = np.lexsort((-model.reach[:m], -level))
    if p is None:
        return np.sort(order[level[order] > 1e-6])
    return np.sort(_first_allowed(order, p, model.cp.siting, group_min, group_max))


def _first_allowed(
    order: NDArray, p: int, problem: SitingProblem, group_min: dict | None, group_max: dict | None
) -> NDArray:
    """The first ``p`` candidates of ``order`` within the county rules and one per township."""
    groups, exclusive = problem.groups, problem.exclusive
    chosen: list[int] = []
    count: dict[str, int] = {}
    taken: set[str] = set()

    def ok(j: int) -> bool:
        if exclusive is not None and exclusive[j] in taken:
            return False
        return not (groups is not None and count.get(groups[j], 0) >= (group_max or {}).get(groups[j], math.inf))

    def add(j: int) -> None:
        chosen.append(j)
        if groups is not None:
            count[groups[j]] = count.get(groups[j], 0) + 1
        if exclusive is not None:
            taken.add(exclusive[j])

    for key, low in sorted((group_min or {}).items()):
        for j in order:
            if groups is not None and groups[j] == key and count.get(key, 0) < low and j not in chosen and ok(int(j)):
                add(int(j))
    for j in order:
        if len(chosen) >= p:
            break
        if int(j) not in chosen and ok(int(j)):
            add(int(j))
    return np.array(chosen, dtype=int)


# --------------------------------------------------------------------------- loads, reach and equity
def catchment_loads(
    demand_xy: NDArray, weights: NDArray, site_xy: NDArray, open_sites: NDArray, radius: float
) -> NDArray:
    """Demand looking to each open site: the weight of the points for which it is the nearest
    open site within ``radius`` (metres).  Returns one load per row of ``site_xy`` (0 when closed)."""
    load = np.zeros(len(site_xy))
    idx = np.flatnonzero(open_sites)
    if len(idx) == 0 or len(demand_xy) == 0:
        return load
    dist, nearest = cKDTree(site_xy[idx]).query(demand_xy, distance_upper_bound=radius * (1 + 1e-12), workers=-1)
    within = np.isfinite(dist)
    np.add.at(load, idx[nearest[within]], weights[within])
    return load


def overloaded(load: NDArray, capacity: NDArray, ratio: float = settings.OVERLOAD_RATIO) -> NDArray:
    """Whether each station's load is above ``ratio`` x its capacity (closed sites never are)."""
    return (capacity > 0) & (load > ratio * capacity + 1e-9)


def gini(values: ArrayLike) -> float:
    """Gini coefficient of non-negative values (0: all equal; towards 1: all in one).

    >>> gini([1, 1, 1, 1]), round(gini([0, 0, 0, 1]), 3)
    (0.0, 0.75)
    """
    x = np.sort(np.asarray(values, dtype=float))
    n = len(x)
    if n == 0 or x.sum() <= 0:
        return 0.0
    ranks = np.arange(1, n + 1)
    return float((2 * (ranks * x).sum() / (n * x.sum())) - (n + 1) / n)


def county_reach(need: pd.Series, served: pd.Series, county: pd.Series) -> pd.DataFrame:
    """Per county: need, need served and the share served ("service reach"), from per-township values.

    ``need``, ``served`` and ``county`` are indexed by township code.
    """
    table = pd.DataFrame({"county_code": county, "need": need, "served": served.reindex(need.index).fillna(0.0)})
    out = table.groupby("county_code")[["need", "served"]].sum()
    out["reach"] = np.where(out["need"] > 0, out["served"] / out["need"].where(out["need"] > 0, 1.0), np.nan)
    return out.reset_index()


def site_loads(
    cp: CapacityProblem, is_open: NDArray, capacity: NDArray, served: NDArray, workers: dict[str, float]
) -> pd.DataFrame:
    """Every open site (candidates, then existing stations; ``is_open``, ``capacity`` and ``served``
    per site): id, whether new, workers (new ones), capacity, demand served, the need looking to it
    (its catchment, :func:`catchment_loads`; by cost when the problem has a cost matrix) and whether
    it is over-loaded (:func:`overloaded`)."""
    m = cp.siting.n_candidates
    ids = np.r_[cp.siting.candidate_ids, cp.existing_ids].astype(str)
    if cp.demand_xy is not None and cp.site_xy is not None:
        load = catchment_loads(cp.demand_xy, cp.siting.weights, cp.site_xy, is_open, cp.radius)
    elif cp.siting.cost is not None:  # the nearest open candidate within the radius, by cost
        cost = np.where(is_open[None, :m], cp.siting.cost, np.inf)
        nearest = cost.argmin(axis=1)
        within = cost[np.arange(len(nearest)), nearest] <= cp.radius
        load = np.bincount(nearest[within], weights=cp.siting.weights[within], minlength=len(ids))
    else:
        load = np.zeros(len(ids))
    table = pd.DataFrame(
        {
            "id": ids,
            "new": np.r_[np.ones(m, bool), np.zeros(len(cp.existing_ids), bool)],
            "workers": [workers.get(i, np.nan) for i in ids],
            "capacity": capacity,
            "served": served,
            "load": load,
        }
    )[np.asarray(is_open, dtype=bool)]
    table["overloaded"] = overloaded(table["load"].to_numpy(), table["capacity"].to_numpy())
    return table.reset_index(drop=True)


def station_loads(cp: CapacityProblem, result: CapacityResult) -> pd.DataFrame:
    """:func:`site_loads` of the stations open in ``result``: its new ones and the existing ones."""
    is_open = np.r_[np.isin(cp.siting.candidate_ids, result.selected), np.ones(len(cp.existing_ids), bool)]
    return site_loads(cp, is_open, result.site_capacity, result.site_served, result.sizes)
