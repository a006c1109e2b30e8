"""Year-by-year rollout: which townships open a station in each target year.

Given the open stations on ``as_of`` and the target schedule, each target dated
after ``as_of`` fixes how many new stations must be open by its date:
``ceil(share x counted) - covered now`` (never fewer than the year before).
The plan chooses *nested* sets - every township opened in a year stays in the
plan of the following years - to maximise the demand within the radius summed
over the years, honouring per-county rules:

* a county's own target (a schedule override for the county or its city) must be
  met in every year;
* optionally every county must have at least ``county_min`` stations.

Exact: one MIP with HiGHS (``y[j, t]`` township j open by year t, nested
``y[j, t] <= y[j, t+1]``; ``z[i, t]`` demand row i within the radius in year t);
heuristic: greedy year after year (naturally nested), bound from the LP
relaxation.  Demand rows with the same candidates are merged first.

Output per year: the townships to open with their reasons (need-score
components, demand gained, in the order a greedy walk adds them), the
administrative rate and the demand share within the radius after that year.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from coverage import settings
from coverage._errors import InputError
from coverage.analysis.admin import Target, TargetSchedule, covered_codes, stations_needed, stations_required
from coverage.analysis.need import NeedMeasure, need_scores
from coverage.analysis.travel import StraightLine
from coverage.checks import COUNTY_MIN, GRID_KM, RADIUS_KM, as_date
from coverage.data.schema import open_on
from coverage.optimise.budget import Resources, Shortfall, count_plan, shortfall
from coverage.optimise.candidates import CapacityInputs, capacity_inputs, covering_inputs, with_positions
from coverage.optimise.capacity import (
    Menu,
    MergedModel,
    county_reach,
    gini,
    greedy_sizes,
    lift_years,
    rounded_years,
    site_loads,
    size_increments,
    with_flows,
)
from coverage.optimise.highs import Mip, MipBuilder, selection_row, solver_name
from coverage.optimise.siting import merge_rows

if TYPE_CHECKING:
    from coverage.analysis.roads import RoadTravel
    from coverage.data.provinces import Province


@dataclass
class RolloutYear:
    """One target year of the plan."""

    date: dt.date
    target_share: float
    required_total: int
    opened: list[str]
    rate_after: float
    demand_share_within_after: float
    reasons: pd.DataFrame
    #: capacitated plans: workers of each township opened or grown (all new stations, by code)
    sizes: dict[str, float] = field(default_factory=dict)
    spend_yuan: float | None = None
    budget_yuan: float | None = None
    new_workers: float | None = None  # workers of all new stations open this year
    workers_supply: float | None = None  # workers supplied up to this year
    served_share_after: float | None = None  # share of need served (capacity counted)
    overloaded: list[str] = field(default_factory=list)  # stations (ids) over-loaded this year
    #: every station open this year: id, name, lon, lat, new, workers, capacity, served, load, overloaded
    loads: pd.DataFrame | None = None

    @classmethod
    def of(
        cls,
        target: Target,
        n_counted: int,
        n_open: int,
        opened: list[str],
        demand_within: tuple[float, float],
        reasons: pd.DataFrame,
        **capacity: Any,
    ) -> RolloutYear:
        """The year of ``target`` with ``n_open`` of ``n_counted`` townships covered after it.

        ``demand_within`` is (demand within the radius, all demand): its share is 0 without demand;
        ``capacity`` holds the fields of capacitated plans.
        """
        return cls(
            date=target.date,
            target_share=target.share,
            required_total=stations_required(target.share, n_counted),
            opened=opened,
            rate_after=n_open / n_counted,
            demand_share_within_after=demand_within[0] / demand_within[1] if demand_within[1] else 0.0,
            reasons=reasons.reset_index(drop=True),
            **capacity,
        )


@dataclass
class Rollout:
    """The plan, its objective (demand within the radius summed over the years) and its bound."""

    province: str
    as_of: dt.date
    radius_m: float
    years: list[RolloutYear]
    objective: float
    bound: float
    solver: str
    seconds: float
    notes: list[str] = field(default_factory=list)
    #: capacitated plans (issue 15): objective = need served summed over the years
    capacitated: bool = False
    feasible: bool = True
    shortfall: Shortfall | None = None
    need: str = ""
    demand_points: str = ""
    caseload: float | None = None
    menu: Menu | None = None
    resources: Resources | None = None
    #: per county: need, served before/after, reach before/after; and the Gini of reach across counties
    equity: pd.DataFrame | None = None
    gini_before: float | None = None
    gini_after: float | None = None
    #: the travel model that decided "within" (issue 18), and by road the radius in minutes
    travel: str = StraightLine.name
    radius_min: float | None = None
    #: by road: demand points, candidate sites and stations off the network, count per kind
    off_network: list[dict] = field(default_factory=list)
    #: whether "within" was decided by road (the radius is then ``radius_min`` road minutes)
    by_road: bool = False

    @property
    def gap(self) -> float:
        return abs(self.bound - self.objective) / abs(self.objective) if self.objective else 0.0

    def to_json(self) -> dict:
        return {
            "province": self.province,
            "as_of": self.as_of.isoformat(),
            "radius_km": None if self.by_road else self.radius_m / 1000.0,
            "radius_min": self.radius_min,
            "travel": self.travel,
            **({"off_network": self.off_network} if self.by_road else {}),
            "objective": round(self.objective, 6),
            "bound": round(self.bound, 6),
            "gap": round(self.gap, 8),
            "solver": self.solver,
            "seconds": round(self.seconds, 3),
            "notes": self.notes,
            "need": self.need,
            "demand_points": self.demand_points,
            "years": [self._year_json(y) for y in self.years],
            **(self._capacity_json() if self.capacitated else {}),
        }

    def _year_json(self, y: RolloutYear) -> dict:
        out = {
            "date": y.date.isoformat(),
            "target_share": y.target_share,
            "required_total": y.required_total,
            "opened": y.opened,
            "rate_after": round(y.rate_after, 6),
            "demand_share_within_after": round(y.demand_share_within_after, 6),
        }
        if self.capacitated:
            out |= {
                "sizes": {code: y.sizes[code] for code in y.opened if code in y.sizes},
                "spend_yuan": y.spend_yuan,
                "budget_yuan": y.budget_yuan,
                "new_workers": y.new_workers,
                "workers_supply": y.workers_supply,
                "served_share_after": None if y.served_share_after is None else round(y.served_share_after, 6),
                "overloaded": y.overloaded,
            }
        return out

    def _capacity_json(self) -> dict:
        equity = None
        if self.equity is not None:
            equity = {
                "gini_before": None if self.gini_before is None else round(self.gini_before, 6),
                "gini_after": None if self.gini_after is None else round(self.gini_after, 6),
                "counties": self.equity.round(6).to_dict(orient="records"),
            }
        return {
            "capacitated": True,
            "feasible": self.feasible,
            "caseload_per_worker": self.caseload,
            "menu": self.menu.to_json() if self.menu else None,
            "resources": self.resources.to_json() if self.resources else None,
            "shortfall": self.shortfall.to_json() if self.shortfall else None,
            "equity": equity,
        }


@dataclass(frozen=True)
class PlanCapacity:
    """What a capacitated, budgeted plan takes besides the targets (issue 15).

    ``budget_yuan``/``workers``: year -> money for new stations / new certified workers that year
    (see :mod:`coverage.optimise.budget`); ``menu``: the sizes new stations choose from;
    ``caseload``: demand one worker serves (default: :data:`settings.CASELOAD_PER_WORKER` for the
    need's unit); ``station_workers``: workers of an existing station whose record has none;
    ``need``: a need measure (default: the plan's ``demand`` proxy); ``points``: ``grid`` or
    ``villages``.
    """

    budget_yuan: dict[int, float] | None = None
    workers: dict[int, int] | None = None
    menu: Menu = field(default_factory=Menu.default)
    caseload: float | None = None
    station_workers: int = settings.STATION_WORKERS
    need: NeedMeasure | None = None
    points: str = "grid"


def default_plan_date(stations: pd.DataFrame | None) -> dt.date:
    """31 December of the year of the latest station opening (today without dated stations)."""
    if stations is None or not len(stations):
        return dt.date.today()
    opened = pd.to_datetime(stations["opened"], errors="coerce").dropna()
    if len(opened) == 0:
        return dt.date.today()
    return dt.date(int(opened.max().year), 12, 31)


def _requirements(
    province: Province, stations: pd.DataFrame | None, as_of: dt.date, schedule: TargetSchedule, county_min: int
) -> tuple[list[Target], list[int], dict[str, list[int]], set[str], int]:
    """New stations needed by each future target year, per province and per county."""
    towns = province.townships
    counted = towns[towns["counted"].astype(bool)]
    covered = covered_codes(stations, as_of) & set(counted["code"].astype(str))
    n = len(counted)
    years = [t for t in schedule.for_unit(str(province.code)) if t.date > as_of]
    if not years:
        msg = (
            f"every target of the schedule is dated on or before {as_of}; give --as-of before the targets "
            "or --targets with later dates"
        )
        raise InputError(msg)
    counties = counted.groupby("county_code")["code"].agg(list)
    county_req = {}
    for county, codes in counties.items():
        have = len(set(codes) & covered)
        own = schedule.override_key(county) is not None
        plan = schedule.for_unit(county)
        req = []
        for t in years:
            need = 0
            if own:
                due = [x for x in plan if x.date <= t.date]
                need = stations_needed(due[-1].share, len(codes), have) if due else 0
            if county_min:
                need = max(need, county_min - have)
            req.append(min(max(0, need), len(codes) - have))
        county_req[county] = req
    totals: list[int] = []
    for k, t in enumerate(years):
        p = stations_needed(t.share, n, len(covered))
        totals.append(max(p, sum(r[k] for r in county_req.values()), totals[-1] if totals else 0))
    return years, totals, county_req, covered, n


def plan_rollout(
    province: Province,
    stations: pd.DataFrame | None,
    as_of: dt.date | str | None = None,
    schedule: TargetSchedule | None = None,
    radius_m: float = settings.DEFAULT_RADIUS_KM * 1000.0,
    demand: str = "villages",
    grid_m: float = settings.DEFAULT_GRID_KM * 1000.0,
    county_min: int = 0,
    method: str = "auto",
    time_limit: float = settings.ROLLOUT_TIME_LIMIT_S,
    mip_gap: float = settings.MIP_GAP,
    exact_max_cells: int = settings.ROLLOUT_EXACT_MAX_CELLS,
    capacity: PlanCapacity | None = None,
    need: NeedMeasure | None = None,
    points: str = "grid",
    road: RoadTravel | None = None,
    radius_min: float | None = None,
    travel: str = StraightLine.name,
) -> Rollout:
    """Plan which townships open a station in each target year after ``as_of`` (see the module docstring).

    ``need``/``points``: a need measure instead of the ``demand`` proxy, on grid cells or villages.
    With ``capacity`` the plan counts capacity, money and staff (:func:`plan_within_budget`; the
    need and points are then the capacity's).  With ``road``, demand is within when it is within
    ``radius_min`` road minutes of a station (:func:`covering_inputs`); ``radius_m`` then only
    sets the straight-line radius of the reasons' need scores (say so in the notes).
    ``travel`` names the straight-line model when ``radius_m`` came from minutes.
    """
    start = time.perf_counter()
    RADIUS_KM(radius_m / 1000.0)
    if road is not None and capacity is not None:
        msg = "a plan with capacity, money and staff is straight-line only; use --travel line (or leave out capacity)"
        raise InputError(msg)
    GRID_KM(grid_m / 1000.0)
    county_min = COUNTY_MIN(county_min)
    schedule = schedule or TargetSchedule()
    as_of = as_date(as_of) if as_of is not None else default_plan_date(stations)
    if capacity is not None:
        budgeted = plan_within_budget(
            province, stations, as_of, schedule, capacity, radius_m, demand, grid_m, county_min, method, time_limit
        )
        budgeted.travel, budgeted.radius_min = travel, radius_min  # straight line (road refused above)
        return budgeted
    years, totals, county_req, covered, n_counted = _requirements(province, stations, as_of, schedule, county_min)
    open_now = stations[open_on(stations, as_of)] if stations is not None and len(stations) else stations
    inputs = covering_inputs(
        province.townships, open_now, radius_m, demand=demand, grid_m=grid_m, need=need, points=points,
        road=road, radius_min=radius_min, travel=travel,
    )  # fmt: skip
    prob = inputs.problem
    A_full, served = prob.covering(radius_m if road is None or radius_min is None else radius_min)
    m = prob.n_candidates
    notes = []
    if road is not None:
        notes.append(
            f"within = {radius_min:g} road minutes; the reasons' need scores (distance, demand beyond) use a "
            f"{radius_m / 1000:g} km straight-line radius"
        )
    if totals[-1] > m:
        msg = f"the targets need {totals[-1]} new stations but only {m} counted townships have none"
        raise InputError(msg)
    rows = ~served & (np.asarray(A_full.sum(axis=1)).ravel() > 0)
    A, w, _ = merge_rows(A_full[rows], prob.weights[rows])
    total_w = float(prob.weights.sum())
    already = float(prob.weights[served].sum())
    # the candidates' counties (covering_inputs always gives them; without, no county rule can be met)
    groups = prob.groups if prob.groups is not None else np.full(m, "", dtype=object)
    T = len(years)
    mins = {(c, k): r[k] for c, r in county_req.items() for k in range(T) if r[k] > 0}
    if any(v > 0 for v in mins.values()):
        notes.append(f"county rules require new stations in {len({c for c, _ in mins})} counties")
    exact = method == "exact" or (method == "auto" and A.shape[0] * T <= exact_max_cells)
    if exact:
        sol = _rollout_mip(A, w, totals, groups, mins).solve(time_limit, mip_gap)
        y = sol.values[: m * T].reshape(T, m) > 0.5
        chosen_by_year = [np.flatnonzero(y[k]) for k in range(T)]
        bound, solver = sol.bound, solver_name(f"MIP, {sol.status.lower()}")
    else:
        chosen_by_year = _greedy_years(A, w, totals, groups, mins)
        bound = _rollout_mip(A, w, totals, groups, mins).solve(time_limit, mip_gap, relax=True).objective
        solver = "greedy year by year (bound: HiGHS LP relaxation)"
    objective = sum(float(w[np.asarray(A[:, c].sum(axis=1)).ravel() > 0].sum()) for c in chosen_by_year)

    scores = need_scores(province.townships, stations, as_of, radius_m).set_index("code")
    out_years = []
    previous: list[int] = []
    for k, t in enumerate(years):
        chosen = chosen_by_year[k]
        new = [int(j) for j in chosen if j not in set(previous)]
        codes, reasons = _reasons(scores, prob.candidate_ids, A, w, previous, new, total_w)
        within = already + float(w[np.asarray(A[:, chosen].sum(axis=1)).ravel() > 0].sum())
        out_years.append(RolloutYear.of(t, n_counted, len(covered) + len(chosen), codes, (within, total_w), reasons))
        previous = list(chosen)
    return Rollout(
        str(province.code),
        as_of,
        float(radius_m),
        out_years,
        objective,
        float(bound),
        solver,
        time.perf_counter() - start,
        notes,
        need=inputs.demand.need,
        demand_points=inputs.demand.kind,
        travel=inputs.travel,
        radius_min=inputs.radius_min if road is not None else radius_min,
        off_network=inputs.off_network,
        by_road=road is not None,
    )


def _reasons(
    need: pd.DataFrame,
    ids: np.ndarray,
    A: sp.csr_matrix,
    w: np.ndarray,
    previous: list[int],
    new: list[int],
    total_w: float,
) -> tuple[list[str], pd.DataFrame]:
    """The year's new townships in greedy order, with their need-score components and demand gained."""
    order, gains = _greedy_order(A, w, previous, new)
    codes = [str(ids[j]) for j in order]
    reasons = need.reindex(codes)[
        ["name", "county_name", "score", "villages", "demand_beyond", "distance", "area"]
    ].copy()
    reasons.insert(0, "code", codes)
    reasons["demand_gained"] = gains
    reasons["demand_gained_share"] = np.asarray(gains) / total_w if total_w else 0.0
    return codes, reasons


# --------------------------------------------------------------------------- within money and staff (issue 15)
def plan_within_budget(
    province: Province,
    stations: pd.DataFrame | None,
    as_of: dt.date,
    schedule: TargetSchedule,
    capacity: PlanCapacity,
    radius_m: float = settings.DEFAULT_RADIUS_KM * 1000.0,
    demand: str = "villages",
    grid_m: float = settings.DEFAULT_GRID_KM * 1000.0,
    county_min: int = 0,
    method: str = "auto",
    time_limit: float = settings.ROLLOUT_TIME_LIMIT_S,
    mip_gap: float = settings.CAPACITY_MIP_GAP,
    exact_max_cells: int = settings.BUDGET_EXACT_MAX_CELLS,
) -> Rollout:
    """A nested yearly plan meeting the targets within each year's money and workers, maximising the
    need served (capacity counted) summed over the years; or, when the targets do not fit, the
    shortfall and the ways out (:mod:`coverage.optimise.budget`).

    Each target year opens at least the stations its target needs (more when the money and
    workers allow: they serve sooner).  Exact: one MIP (:meth:`MergedModel.yearly_mip`), stopped at
    ``mip_gap``; above ``exact_max_cells`` (merged pairs x years) ``method="auto"`` plans year by
    year (each year the capacitated MCLP with the previous years' stations kept) and bounds the
    whole by the LP relaxation.
    """
    start = time.perf_counter()
    years, totals, county_req, covered, n_counted = _requirements(province, stations, as_of, schedule, county_min)
    calendar = [t.date.year for t in years]
    if len(set(calendar)) != len(calendar):
        msg = f"two targets fall in one year ({', '.join(t.date.isoformat() for t in years)}); a budgeted plan has one target a year"
        raise InputError(msg)
    plan_res, extended = Resources.for_years(calendar, capacity.budget_yuan, capacity.workers)
    open_now = stations[open_on(stations, as_of)] if stations is not None and len(stations) else None
    ci = capacity_inputs(
        province.townships,
        open_now,
        radius_m,
        need=capacity.need,
        demand=demand,
        points=capacity.points,
        grid_m=grid_m,
        menu=capacity.menu,
        caseload=capacity.caseload,
        station_workers=capacity.station_workers,
    )
    cp = ci.problem
    m = cp.siting.n_candidates
    if totals[-1] > m:
        msg = f"the targets need {totals[-1]} new stations but only {m} counted townships have none"
        raise InputError(msg)
    common: dict[str, Any] = {
        "capacitated": True,
        "need": ci.need.label,
        "demand_points": ci.inputs.demand.kind,
        "caseload": ci.caseload,
        "menu": capacity.menu,
        "resources": plan_res,
    }
    short = shortfall(
        totals, [t.date for t in years], [t.share for t in years], capacity.menu, plan_res, extended, most=m
    )
    if short is not None:
        return Rollout(
            str(province.code), as_of, float(radius_m), [], 0.0, 0.0, "count MIP (HiGHS)",
            time.perf_counter() - start, ci.notes, feasible=False, shortfall=short, **common,
        )  # fmt: skip
    T = len(years)
    model = MergedModel.build(cp)
    group_min = [{c: r[k] for c, r in county_req.items() if r[k] > 0} for k in range(T)]
    b, cols = model.yearly_mip(totals, plan_res.budget_yuan, plan_res.workers, group_min)
    mip = b.build()
    # bound: the LP relaxation by interior point (the simplex is three times slower on it) with
    # crossover (a vertex: the rounding below needs its clear-cut openings), proven by its duals
    relaxed, duals = mip.relaxation(time_limit, solver="ipm")
    # start: nested sets rounded from the LP, as many stations as the cheapest count plan opens (so
    # the money and workers fit); sizes upgraded greedily where the LP upgrades most, flows by an LP;
    # when that is not within the gap of the bound, the MIP restricted to those sets improves it
    counts = count_plan(totals, capacity.menu, plan_res.budget_yuan, plan_res.workers, most=m)
    opened_by = np.maximum(np.cumsum([sum(row) for row in counts.opened]), totals).astype(int).tolist()
    sets = rounded_years(model, [c.open_.values(relaxed.values) for c in cols], opened_by, group_min)
    b_round, cols_round = model.yearly_mip(totals, plan_res.budget_yuan, plan_res.workers, group_min, fixed_open=sets)
    restricted = b_round.build()
    sizes = greedy_sizes(model, sets, cols, relaxed.values, cols_round, len(restricted.cost),
                         plan_res.budget_yuan, plan_res.workers)  # fmt: skip
    remaining = lambda: max(0.1, time_limit - (time.perf_counter() - start))  # noqa: E731
    rounded = with_flows(restricted, sizes, restricted.integer, remaining()) if sizes is not None else None
    bound = mip.dual_bound(duals)
    if rounded is None or bound - rounded.objective > mip_gap * abs(rounded.objective):
        rounded = restricted.solve(remaining(), mip_gap / 2, start=None if rounded is None else rounded.values)
    within = bound - rounded.objective <= mip_gap * abs(rounded.objective)
    exact = method == "exact" or (method == "auto" and model.pairs * T <= exact_max_cells)
    if exact and not within:  # HiGHS from the rounded plan, for the time left
        sol = mip.solve(remaining(), mip_gap, start=lift_years(rounded.values, cols_round, cols, len(mip.cost)))
        values, bound = sol.values, min(bound, sol.bound)
        solver = solver_name(f"MIP from LP rounding, gap {mip_gap:.2%}, {sol.status.lower()}")
    else:
        values, cols = rounded.values, cols_round
        what = f"within {mip_gap:.2%} of the LP bound" if within else "heuristic"
        solver = solver_name(f"LP rounding, greedy sizes, {what}")
    return _budget_result(province, stations, as_of, years, totals, covered, n_counted, ci, model, cols, values,
                          float(bound), solver, start, radius_m, common)  # fmt: skip


def _budget_result(
    province: Province,
    stations: pd.DataFrame | None,
    as_of: dt.date,
    years: list[Target],
    totals: list[int],
    covered: set[str],
    n_counted: int,
    ci: CapacityInputs,
    model: MergedModel,
    cols: list,
    values: np.ndarray,
    bound: float,
    solver: str,
    start: float,
    radius_m: float,
    common: dict[str, Any],
) -> Rollout:
    """The plan's years, costs, staff, over-loaded stations and equity from the MIP's values."""
    cp = ci.problem
    opts = cp.options
    m = cp.siting.n_candidates
    ids = cp.siting.candidate_ids
    total_w = float(cp.siting.weights.sum())
    A = sp.csr_matrix(model.rows[:, :m])
    scores = need_scores(province.townships, stations, as_of, radius_m).set_index("code")
    out_years: list[RolloutYear] = []
    previous: list[int] = []
    objective = 0.0
    res = common["resources"]
    inc_build = size_increments(opts.build_yuan, opts.first)
    on_before = np.zeros(len(opts.site), bool)
    for k, t in enumerate(years):
        c = cols[k]
        on = c.on(values, opts)
        chosen = [int(j) for j in np.flatnonzero(c.open_.values(values) > 0.5)]
        rows = c.size_rows(values, opts)[chosen]
        spend = float(inc_build[on & ~on_before].sum() + opts.running_yuan[rows].sum())
        on_before = on
        flows = c.flow.values(values)
        served = float(flows.sum())
        objective += served
        site_cap = np.concatenate([np.zeros(m), cp.existing_capacity])
        site_cap[chosen] = opts.capacity[rows]
        is_open = np.r_[c.open_.values(values) > 0.5, np.ones(len(cp.existing_capacity), bool)]
        workers_of = {str(ids[j]): float(opts.workers[r]) for j, r in zip(chosen, rows, strict=True)}
        site_served = np.bincount(model.pair_site, weights=flows, minlength=len(site_cap))
        loads = with_positions(ci, site_loads(cp, is_open, site_cap, site_served, workers_of))
        new = [int(j) for j in chosen if j not in set(previous)]
        codes, reasons = _reasons(scores, ids, A, model.w, previous, new, total_w)
        reasons["workers"] = [workers_of[code] for code in codes]
        within = float(cp.siting.weights[np.asarray(
            sp.hstack([cp.siting.covering(cp.radius)[0][:, chosen], cp.existing_cover]).sum(axis=1)).ravel() > 0].sum())  # fmt: skip
        out_years.append(
            RolloutYear.of(
                t,
                n_counted,
                len(covered) + len(chosen),
                codes,
                (within, total_w),
                reasons,
                sizes=workers_of,
                spend_yuan=round(spend, 2),
                budget_yuan=None if res.budget_yuan is None else res.budget_yuan[k],
                new_workers=float(opts.workers[rows].sum()),
                workers_supply=None if res.workers is None else float(np.cumsum(res.workers)[k]),
                served_share_after=served / total_w if total_w else 0.0,
                overloaded=loads.loc[loads["overloaded"], "id"].tolist(),
                loads=loads,
            )
        )
        previous = list(chosen)
    equity, g_before, g_after = _equity(province, ci, model, cols[-1].flow.values(values))
    return Rollout(
        str(province.code), as_of, float(radius_m), out_years, objective, max(bound, objective), solver,
        time.perf_counter() - start, ci.notes, equity=equity, gini_before=g_before, gini_after=g_after, **common,
    )  # fmt: skip


def _equity(
    province: Province, ci: object, model: MergedModel, flows_after: np.ndarray
) -> tuple[pd.DataFrame, float, float]:
    """Per county: need, need served by the existing stations alone and after the plan, the share
    served ("service reach"); and the Gini of that share across counties, before and after."""
    from coverage.optimise.candidates import CapacityInputs

    assert isinstance(ci, CapacityInputs)
    cp = ci.problem
    d = ci.inputs.demand
    towns = province.townships
    codes = towns["code"].astype(str).to_numpy()
    township_of = codes[d.township]
    weights = cp.siting.weights

    def served_by_township(row_served: np.ndarray) -> pd.Series:
        fraction = np.divide(row_served, model.w, out=np.zeros_like(model.w), where=model.w > 0)
        point = np.where(model.codes >= 0, fraction[np.maximum(model.codes, 0)], 0.0) * weights
        return pd.Series(point).groupby(township_of).sum()

    need = pd.Series(weights).groupby(township_of).sum()
    county = pd.Series(towns["county_code"].astype(str).to_numpy(), index=codes).reindex(need.index)
    after = served_by_township(np.bincount(model.pair_row, weights=flows_after, minlength=len(model.w)))
    before = served_by_township(model.existing_flows())
    table = county_reach(need, before, county).rename(columns={"served": "served_before", "reach": "reach_before"})
    table_after = county_reach(need, after, county)
    table["served_after"] = table_after["served"].to_numpy()
    table["reach_after"] = table_after["reach"].to_numpy()
    names = towns.drop_duplicates("county_code").set_index(
        towns.drop_duplicates("county_code")["county_code"].astype(str)
    )
    table.insert(1, "county_name", table["county_code"].map(names["county_name"]) if "county_name" in names else "")
    return table, gini(table["reach_before"].dropna()), gini(table["reach_after"].dropna())


def _rollout_mip(
    A: sp.csr_matrix, w: np.ndarray, totals: list[int], groups: np.ndarray, mins: dict[tuple[str, int], int]
) -> Mip:
    """Nested yearly MCLP: y[k] open by year k (y[k] <= y[k+1]), totals[k] in year k, demand within summed over years."""
    n, m = A.shape
    b = MipBuilder(maximise=True)
    ys = [b.columns(m, integer=True) for _ in totals]  # first, so the solution starts with y by year
    zs = [b.columns(n, cost=w) for _ in totals]
    for k, (y, z) in enumerate(zip(ys, zs, strict=True)):
        b.rows(-np.inf, 0.0, (y, -A.astype(float)), (z, sp.identity(n)))  # z[i,k] <= sum of y covering i
        b.rows([totals[k]], [totals[k]], (y, np.ones((1, m))))
        if k + 1 < len(ys):  # nested: y[j,k] - y[j,k+1] <= 0
            b.rows(-np.inf, 0.0, (y, sp.identity(m)), (ys[k + 1], -sp.identity(m)))
    for (county, k), low in mins.items():
        b.rows([low], [np.inf], (ys[k], selection_row(np.flatnonzero(groups == county), m)))
    return b.build()


def _greedy_years(
    A: sp.csr_matrix, w: np.ndarray, totals: list[int], groups: np.ndarray, mins: dict[tuple[str, int], int]
) -> list[np.ndarray]:
    At = sp.csr_matrix(A, dtype=float).T.tocsr()
    m = A.shape[1]
    count = np.zeros(A.shape[0])
    chosen: list[int] = []
    taken = np.zeros(m, bool)
    out = []

    def add(j: int) -> None:
        chosen.append(j)
        taken[j] = True
        count[At.indices[At.indptr[j] : At.indptr[j + 1]]] += 1

    for k, p in enumerate(totals):
        for (county, kk), low in sorted(mins.items()):
            if kk != k:
                continue
            members = np.flatnonzero((groups == county) & ~taken)
            while sum(groups[j] == county for j in chosen) < low and len(members):
                gains = At[members] @ np.where(count == 0, w, 0.0)
                j = int(members[int(np.argmax(gains))])
                add(j)
                members = members[members != j]
        while len(chosen) < p:
            gains = At @ np.where(count == 0, w, 0.0)
            gains[taken] = -np.inf
            add(int(np.argmax(gains)))
        out.append(np.array(sorted(chosen)))
    return out


def _greedy_order(
    A: sp.csr_matrix, w: np.ndarray, previous: list[int], new: list[int]
) -> tuple[list[int], list[float]]:
    """Order the year's new townships by a greedy walk; each one's demand gained when added."""
    At = sp.csr_matrix(A, dtype=float).T.tocsr()
    count = np.asarray(A[:, previous].sum(axis=1)).ravel() if previous else np.zeros(A.shape[0])
    left = list(new)
    order, gains = [], []
    while left:
        g = At[left] @ np.where(count == 0, w, 0.0)
        i = int(np.argmax(g))
        j = left.pop(i)
        order.append(j)
        gains.append(float(g[i]))
        count[At.indices[At.indptr[j] : At.indptr[j + 1]]] += 1
    return order, gains
