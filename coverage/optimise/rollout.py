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
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.sparse as sp

from coverage import settings
from coverage._errors import InputError
from coverage.analysis.admin import Target, TargetSchedule, covered_codes, stations_needed, stations_required
from coverage.analysis.need import need_scores
from coverage.checks import COUNTY_MIN, GRID_KM, RADIUS_KM, as_date
from coverage.data.schema import open_on
from coverage.optimise.candidates import covering_inputs
from coverage.optimise.highs import Mip, MipBuilder, selection_row, solver_name
from coverage.optimise.siting import merge_rows

if TYPE_CHECKING:
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

    @property
    def gap(self) -> float:
        return abs(self.bound - self.objective) / abs(self.objective) if self.objective else 0.0

    def to_json(self) -> dict:
        return {
            "province": self.province,
            "as_of": self.as_of.isoformat(),
            "radius_km": self.radius_m / 1000.0,
            "objective": round(self.objective, 6),
            "bound": round(self.bound, 6),
            "gap": round(self.gap, 8),
            "solver": self.solver,
            "seconds": round(self.seconds, 3),
            "notes": self.notes,
            "years": [
                {
                    "date": y.date.isoformat(),
                    "target_share": y.target_share,
                    "required_total": y.required_total,
                    "opened": y.opened,
                    "rate_after": round(y.rate_after, 6),
                    "demand_share_within_after": round(y.demand_share_within_after, 6),
                }
                for y in self.years
            ],
        }


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
) -> Rollout:
    """Plan which townships open a station in each target year after ``as_of`` (see the module docstring)."""
    start = time.perf_counter()
    RADIUS_KM(radius_m / 1000.0)
    GRID_KM(grid_m / 1000.0)
    county_min = COUNTY_MIN(county_min)
    schedule = schedule or TargetSchedule()
    as_of = as_date(as_of) if as_of is not None else default_plan_date(stations)
    years, totals, county_req, covered, n_counted = _requirements(province, stations, as_of, schedule, county_min)
    open_now = stations[open_on(stations, as_of)] if stations is not None and len(stations) else stations
    inputs = covering_inputs(province.townships, open_now, radius_m, demand=demand, grid_m=grid_m)
    prob = inputs.problem
    A_full, served = prob.covering(radius_m)
    m = prob.n_candidates
    notes = []
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

    need = need_scores(province.townships, stations, as_of, radius_m).set_index("code")
    out_years = []
    previous: list[int] = []
    for k, t in enumerate(years):
        chosen = chosen_by_year[k]
        new = [int(j) for j in chosen if j not in set(previous)]
        order, gains = _greedy_order(A, w, previous, new)
        codes = [str(prob.candidate_ids[j]) for j in order]
        reasons = need.reindex(codes)[
            ["name", "county_name", "score", "villages", "demand_beyond", "distance", "area"]
        ].copy()
        reasons.insert(0, "code", codes)
        reasons["demand_gained"] = gains
        reasons["demand_gained_share"] = np.asarray(gains) / total_w if total_w else 0.0
        within = already + float(w[np.asarray(A[:, chosen].sum(axis=1)).ravel() > 0].sum())
        out_years.append(
            RolloutYear(
                date=t.date,
                target_share=t.share,
                required_total=stations_required(t.share, n_counted),
                opened=codes,
                rate_after=(len(covered) + len(chosen)) / n_counted,
                demand_share_within_after=within / total_w if total_w else 0.0,
                reasons=reasons.reset_index(drop=True),
            )
        )
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
    )


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
