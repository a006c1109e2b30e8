"""Siting models: where to open new stations.  Solvers see weights and costs, never geometry.

Four classic models, each exact with HiGHS (``highspy``, under a time limit,
reporting the MIP gap) and, for large instances, a heuristic that reports its
objective against the best bound known:

* **MCLP** - open ``p`` stations to maximise the demand within the radius;
* **LSCP** - the fewest stations so that all (or a given share of) demand is within the radius;
* **p-median** - open ``p`` stations to minimise the total weighted cost to the nearest station;
* **p-center** - open ``p`` stations to minimise the largest cost to the nearest station
  (exact by bisection over the distinct costs, each step a covering problem).

Existing stations are fixed: demand they already serve is not counted again
(MCLP/LSCP) and they stay open (p-median/p-center).  Candidates may carry a
``group`` (a county: per-group minimum and maximum of new stations) and an
``exclusive`` label (a township: at most one new station each).

Demand points covered by exactly the same candidates are merged (their weights
summed) before MCLP and LSCP are built; the coverage matrix stays sparse.

Examples
--------
>>> import numpy as np
>>> cost = np.array([[1.0, 9.0], [9.0, 1.0], [2.0, 2.0]])
>>> problem = SitingProblem.from_cost_matrix(cost, weights=[10, 5, 1])
>>> r = solve_mclp(problem, radius=3, p=1)
>>> r.selected, r.objective, r.gap
(['0'], 11.0, 0.0)
"""

from __future__ import annotations

import heapq
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from coverage import settings
from coverage._errors import InputError
from coverage.checks import NEW_STATIONS, SHARE
from coverage.optimise.highs import (
    Columns,
    Mip,
    MipBuilder,
    ModelSize,
    ModelTooLarge,
    NoSolutionInTime,
    Solution,
    selection_row,
    solver_name,
)


# --------------------------------------------------------------------------- problem
@dataclass
class SitingProblem:
    """Demand weights, costs to candidates and to existing stations, and candidate rules.

    ``cost`` is dense (n demand x m candidates) or None when only ``coverage``
    (a sparse boolean matrix for one radius) is known.  ``existing_cost`` is each
    demand point's cost to its nearest existing station (inf without one).
    """

    demand_ids: np.ndarray
    weights: np.ndarray
    candidate_ids: np.ndarray
    cost: np.ndarray | None = None
    existing_cost: np.ndarray | None = None
    groups: np.ndarray | None = None
    exclusive: np.ndarray | None = None
    coverage: sp.csr_matrix | None = None
    coverage_radius: float | None = None

    @classmethod
    def from_cost_matrix(
        cls,
        cost: pd.DataFrame | ArrayLike,
        weights: ArrayLike | None = None,
        demand_ids: ArrayLike | None = None,
        candidate_ids: ArrayLike | None = None,
        existing_cost: ArrayLike | None = None,
        groups: ArrayLike | None = None,
        exclusive: ArrayLike | None = None,
    ) -> SitingProblem:
        """A problem from a dense cost matrix (rows demand, columns candidates).

        ``cost`` may be a DataFrame, whose index and columns become the ids.
        Missing costs (NaN) mean "cannot reach".
        """
        if isinstance(cost, pd.DataFrame):
            demand_ids = cost.index.astype(str).to_numpy() if demand_ids is None else demand_ids
            candidate_ids = cost.columns.astype(str).to_numpy() if candidate_ids is None else candidate_ids
            cost = cost.to_numpy(dtype=float)
        cost = np.asarray(cost, dtype=float)
        if cost.ndim != 2 or cost.size == 0:
            msg = f"the cost matrix must be 2-D and non-empty, not of shape {cost.shape}"
            raise InputError(msg)
        n, m = cost.shape
        cost = np.where(np.isnan(cost), np.inf, cost)
        weights = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
        if weights.shape != (n,):
            msg = f"{len(weights)} weights for {n} demand rows; give one weight per row"
            raise InputError(msg)
        if not np.isfinite(weights).all():
            msg = f"{int((~np.isfinite(weights)).sum())} demand weights are empty, not numbers or infinite; give a number for every row"
            raise InputError(msg)
        if (weights < 0).any():
            msg = "demand weights must not be negative"
            raise InputError(msg)
        return cls(
            demand_ids=np.asarray(demand_ids if demand_ids is not None else np.arange(n)).astype(str),
            weights=weights,
            candidate_ids=np.asarray(candidate_ids if candidate_ids is not None else np.arange(m)).astype(str),
            cost=cost,
            existing_cost=np.full(n, np.inf) if existing_cost is None else np.asarray(existing_cost, dtype=float),
            groups=None if groups is None else np.asarray(groups).astype(str),
            exclusive=None if exclusive is None else np.asarray(exclusive).astype(str),
        )

    @classmethod
    def from_coverage(
        cls,
        coverage: sp.spmatrix,
        weights: ArrayLike,
        radius: float,
        demand_ids: ArrayLike | None = None,
        candidate_ids: ArrayLike | None = None,
        covered_by_existing: ArrayLike | None = None,
        groups: ArrayLike | None = None,
        exclusive: ArrayLike | None = None,
    ) -> SitingProblem:
        """A covering-only problem (MCLP/LSCP) from a sparse n x m "within the radius" matrix."""
        coverage = sp.csr_matrix(coverage, dtype=bool)
        n, m = coverage.shape
        existing = np.full(n, np.inf)
        if covered_by_existing is not None:
            existing[np.asarray(covered_by_existing, dtype=bool)] = 0.0
        return cls(
            demand_ids=np.asarray(demand_ids if demand_ids is not None else np.arange(n)).astype(str),
            weights=np.asarray(weights, dtype=float),
            candidate_ids=np.asarray(candidate_ids if candidate_ids is not None else np.arange(m)).astype(str),
            existing_cost=existing,
            groups=None if groups is None else np.asarray(groups).astype(str),
            exclusive=None if exclusive is None else np.asarray(exclusive).astype(str),
            coverage=coverage,
            coverage_radius=float(radius),
        )

    @property
    def n_candidates(self) -> int:
        return len(self.candidate_ids)

    def existing_costs(self) -> np.ndarray:
        """Each demand point's cost to its nearest existing station: ``existing_cost``, or inf without it."""
        return self.existing_cost if self.existing_cost is not None else np.full(len(self.weights), np.inf)

    def covering(self, radius: float) -> tuple[sp.csr_matrix, np.ndarray]:
        """(within-radius matrix, demand already served by existing stations) for ``radius``."""
        if self.coverage is not None:
            if self.coverage_radius is not None and not math.isclose(radius, self.coverage_radius):
                msg = f"this problem was built for radius {self.coverage_radius:g}, not {radius:g}"
                raise InputError(msg)
            matrix = self.coverage
        elif self.cost is not None:
            matrix = sp.csr_matrix(self.cost <= radius)
        else:
            msg = "the problem has neither costs nor a coverage matrix; build it with SitingProblem.from_cost_matrix or from_coverage"
            raise InputError(msg)
        served = self.existing_costs() <= radius
        return matrix, served


@dataclass
class SitingResult:
    """Which candidates a model opens, its objective, and how far from optimal it may be.

    ``bound`` is the best bound known (an upper bound when maximising, a lower
    bound when minimising); ``gap`` is |bound - objective| / |objective| (0 for a
    proven optimum).  ``covered_share`` (MCLP/LSCP) is the share of all demand
    weight within the radius after opening, existing stations included.
    """

    model: str
    selected: list[str]
    objective: float
    bound: float
    solver: str
    seconds: float
    covered_share: float | None = None
    status: str = "optimal"
    details: dict = field(default_factory=dict)

    @property
    def gap(self) -> float:
        if self.objective == 0:
            return 0.0 if self.bound == 0 else float("inf")
        return abs(self.bound - self.objective) / abs(self.objective)

    def to_json(self) -> dict:
        out = {
            "model": self.model,
            "objective": round(self.objective, 6),
            "selected": self.selected,
            "covered_share": None if self.covered_share is None else round(self.covered_share, 6),
            "gap": round(self.gap, 8),
            "bound": round(self.bound, 6),
            "solver": self.solver,
            "status": self.status,
            "seconds": round(self.seconds, 3),
        }
        out.update(self.details)
        return out


# --------------------------------------------------------------------------- candidate rules
def county_limits(
    problem: SitingProblem, at_least: int = 0, at_most: int | None = None
) -> tuple[dict[str, int] | None, dict[str, int] | None]:
    """Per-county minimum and maximum of new stations as the models take them (None: no rule).

    The one place that turns "at least k / at most K new stations in every county" (the CLI's
    ``--county-min/--county-max``, the app's inputs) into the ``group_min``/``group_max`` maps.
    """
    if problem.groups is None:
        return None, None
    groups = sorted(set(problem.groups))
    low = {g: int(at_least) for g in groups} if at_least else None
    high = {g: int(at_most) for g in groups} if at_most is not None else None
    return low, high


def add_candidate_rules(
    b: MipBuilder, y: Columns, problem: SitingProblem, group_min: dict | None = None, group_max: dict | None = None
) -> None:
    """Rows for the per-group minimum/maximum of new stations and at most one per exclusive label."""
    m = problem.n_candidates
    if problem.groups is not None:
        for key in sorted(set(problem.groups)):
            members = np.flatnonzero(problem.groups == key)
            low = float((group_min or {}).get(key, 0))
            high = float((group_max or {}).get(key, m))
            if low > 0 or high < len(members):
                b.rows([low], [high], (y, selection_row(members, m)))
    if problem.exclusive is not None:  # at most one per label, only labels with several candidates
        for key in sorted(set(problem.exclusive)):
            members = np.flatnonzero(problem.exclusive == key)
            if len(members) > 1:
                b.rows([0.0], [1.0], (y, selection_row(members, m)))


def check_rules(problem: SitingProblem, p: int, group_min: dict | None = None, group_max: dict | None = None) -> None:
    NEW_STATIONS(p)
    if p > problem.n_candidates:
        msg = f"{p} new stations asked for but only {problem.n_candidates} candidate sites; add candidates or lower p"
        raise InputError(msg)
    if group_min and problem.groups is not None:
        need = sum(group_min.values())
        if need > p:
            msg = f"the per-county minimums need {need} new stations, more than p = {p}"
            raise InputError(msg)
        for key, low in group_min.items():
            have = int((problem.groups == key).sum())
            if low > have:
                msg = f"county {key} needs {low} new stations but has only {have} candidate sites"
                raise InputError(msg)


# --------------------------------------------------------------------------- MCLP / LSCP
def merge_rows(matrix: sp.csr_matrix, weights: np.ndarray) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
    """Merge demand rows covered by exactly the same candidates; return (matrix, weights, row of each input)."""
    matrix = sp.csr_matrix(matrix, dtype=bool)
    matrix.sort_indices()
    keys = [matrix.indices[matrix.indptr[i] : matrix.indptr[i + 1]].tobytes() for i in range(matrix.shape[0])]
    codes, uniques = pd.factorize(pd.Series(keys, dtype=object))
    merged_w = np.bincount(codes, weights=weights, minlength=len(uniques))
    first = pd.Series(np.arange(len(codes))).groupby(codes).first().to_numpy()
    return matrix[first], merged_w, codes


def _covering_setup(problem: SitingProblem, radius: float) -> tuple[sp.csr_matrix, np.ndarray, float, float, float]:
    """Merged coverage rows not yet served, their weights, and total / already served / unreachable demand."""
    matrix, served = problem.covering(radius)
    total = float(problem.weights.sum())
    already = float(problem.weights[served].sum())
    open_rows = ~served & (np.asarray(matrix.sum(axis=1)).ravel() > 0)
    unreachable = float(problem.weights[~served & ~open_rows].sum())
    merged, w, _ = merge_rows(matrix[open_rows], problem.weights[open_rows])
    return merged, w, total, already, unreachable


def solve_mclp(
    problem: SitingProblem,
    radius: float,
    p: int,
    group_min: dict | None = None,
    group_max: dict | None = None,
    method: str = "auto",
    time_limit: float = settings.SITING_TIME_LIMIT_S,
    mip_gap: float = settings.MIP_GAP,
    exact_max_rows: int = settings.MCLP_EXACT_MAX_ROWS,
) -> SitingResult:
    """Open ``p`` new stations maximising the demand newly within ``radius`` (objective: that demand).

    ``method``: ``"exact"`` (HiGHS), ``"heuristic"`` (greedy + swaps, bound from
    the LP relaxation) or ``"auto"`` (exact unless the merged model has more
    than ``exact_max_rows`` rows or is over the budgets of :class:`ModelSize`).
    ``"exact"`` refuses a model over those budgets (:class:`ModelTooLarge`, with the
    estimate).  An exact solve stopped by ``time_limit`` is compared with the heuristic
    (given its own ``time_limit``) and the better selection is returned, with the best bound proved.
    """
    start = time.perf_counter()
    check_rules(problem, p, group_min, group_max)
    A, w, total, already, unreachable = _covering_setup(problem, radius)
    n, m = A.shape
    size = mclp_size(A)
    if method == "exact":
        size.check("MCLP", "use --method heuristic (or auto), a coarser demand grid or fewer candidates")
    use_exact = method == "exact" or (method == "auto" and n <= exact_max_rows and size.fits())
    details: dict[str, float | str | None] = {
        "demand_rows": int(len(problem.weights)),
        "merged_rows": int(n),
        "candidates": int(m),
    }

    def served(chosen: NDArray) -> float:  # recount exactly from the selection
        return float(w[np.asarray(A[:, chosen].sum(axis=1)).ravel() > 0].sum())

    def heuristic() -> NDArray:
        return greedy_swap_mclp(A, w, p, problem, group_min, group_max, time_budget=time_limit)

    def lp_bound() -> float:
        """The LP relaxation's optimum, or, when the LP did not finish, all demand still to serve."""
        try:
            lp = _mclp_mip(A, w, p, problem, group_min, group_max).solve(time_limit, mip_gap, relax=True)
        except InputError:
            return float(w.sum())
        return lp.objective if lp.optimal else float(w.sum())  # a stopped LP's value bounds nothing

    if use_exact:
        sol = _solve_or_none(_mclp_mip(A, w, p, problem, group_min, group_max), time_limit, mip_gap)
        if sol.solution is not None and sol.solution.optimal:
            chosen = np.flatnonzero(sol.solution.values[:m] > 0.5)
            objective, bound, solver, status = served(chosen), sol.bound, solver_name(), "optimal"
        else:  # stopped at the limit: the better of its incumbent and the heuristic, the best bound proved
            incumbent = None if sol.solution is None else np.flatnonzero(sol.solution.values[:m] > 0.5)
            found = heuristic()
            chosen, kept = _better(incumbent, found, served, maximise=True)
            details |= _compared(incumbent, found, served)
            objective = served(chosen)
            bound = min(
                b for b in (_proven(sol.bound, objective, True), lp_bound(), float(w.sum())) if math.isfinite(b)
            )
            solver, status = f"{solver_name()} + greedy + swap, the better kept ({kept})", sol.status
            details["kept"] = kept
    else:
        chosen = heuristic()
        objective = served(chosen)
        bound = lp_bound()
        solver = "greedy + swap (bound: HiGHS LP relaxation)"
        status = "heuristic"
    covered = (already + objective) / total if total else 0.0
    details["unreachable_share"] = round(unreachable / total, 6) if total else 0.0
    details["already_within_share"] = round(already / total, 6) if total else 0.0
    return SitingResult(
        "mclp",
        [str(problem.candidate_ids[j]) for j in chosen],
        objective,
        bound,
        solver,
        time.perf_counter() - start,
        covered,
        status,
        details,
    )


def _mclp_mip(
    A: sp.csr_matrix, w: NDArray, p: int, problem: SitingProblem, group_min: dict | None, group_max: dict | None
) -> Mip:
    """max sum w_i z_i: z_i <= sum of the candidates covering i, p candidates, candidate rules."""
    n, m = A.shape
    b = MipBuilder(maximise=True)
    y = b.columns(m, integer=True)
    z = b.columns(n, cost=w)
    b.rows(-np.inf, 0.0, (y, -A.astype(float)), (z, sp.identity(n)))
    b.rows([p], [p], (y, np.ones((1, m))))
    add_candidate_rules(b, y, problem, group_min, group_max)
    return b.build()


def mclp_size(A: sp.csr_matrix) -> ModelSize:
    """The size of :func:`_mclp_mip` on the merged coverage rows ``A`` (candidate rules left out)."""
    n, m = A.shape
    return ModelSize(variables=n + m, rows=n + 1, nonzeros=int(A.nnz) + n + m)


@dataclass
class _Stopped:
    """An exact solve's incumbent (None: none found in time), its status and the bound HiGHS proved."""

    solution: Solution | None
    bound: float
    status: str


def _solve_or_none(mip: Mip, time_limit: float, mip_gap: float) -> _Stopped:
    """Solve ``mip``; when HiGHS stops at its limit with no incumbent, say so instead of raising."""
    try:
        sol = mip.solve(time_limit, mip_gap)
    except NoSolutionInTime as exc:
        return _Stopped(None, exc.bound, "time limit reached")
    return _Stopped(sol, sol.bound, sol.state)


def _compared(
    incumbent: NDArray | None, heuristic: NDArray, objective: Callable[[NDArray], float]
) -> dict[str, float | None]:
    """Both objectives of a stopped exact run, for the result's details (None: HiGHS had no incumbent)."""
    return {
        "exact_incumbent_objective": None if incumbent is None else round(objective(incumbent), 6),
        "heuristic_objective": round(objective(heuristic), 6),
    }


def _proven(bound: float, objective: float, maximise: bool) -> float:
    """HiGHS's bound of a stopped solve, or inf when it is not a bound (on the wrong side of a known objective)."""
    tolerance = 1e-9 * max(1.0, abs(objective))
    wrong_side = bound < objective - tolerance if maximise else bound > objective + tolerance
    return math.inf if wrong_side or math.isnan(bound) else bound


def _better(
    incumbent: NDArray | None, heuristic: NDArray, objective: Callable[[NDArray], float], maximise: bool
) -> tuple[NDArray, str]:
    """The better selection of an exact solve's incumbent (or None) and the heuristic's, and which it is."""
    if incumbent is None:
        return heuristic, "heuristic"
    exact_value, heuristic_value = objective(incumbent), objective(heuristic)
    exact_better = exact_value >= heuristic_value if maximise else exact_value <= heuristic_value
    return (incumbent, "exact incumbent") if exact_better else (heuristic, "heuristic")


def greedy_swap_mclp(
    A: sp.csr_matrix,
    w: np.ndarray,
    p: int,
    problem: SitingProblem | None = None,
    group_min: dict | None = None,
    group_max: dict | None = None,
    time_budget: float = 10.0,
) -> np.ndarray:
    """Greedy (lazy, with per-group minimums first) then best-improvement swaps until no gain or time runs out."""
    start = time.perf_counter()
    A = sp.csr_matrix(A, dtype=float)
    At = A.T.tocsr()
    m = A.shape[1]
    groups = problem.groups if problem is not None and problem.groups is not None else None
    exclusive = problem.exclusive if problem is not None and problem.exclusive is not None else None
    group_max = group_max or {}
    group_min = group_min or {}
    count = np.zeros(A.shape[0])
    selected: list[int] = []
    allowed = np.ones(m, bool)

    def can_add(j: int) -> bool:
        if not allowed[j]:
            return False
        return not (
            groups is not None
            and groups[j] in group_max
            and sum(groups[k] == groups[j] for k in selected) >= group_max[groups[j]]
        )

    def add(j: int) -> None:
        selected.append(j)
        count[At.indices[At.indptr[j] : At.indptr[j + 1]]] += 1
        allowed[j] = False
        if exclusive is not None:
            allowed[exclusive == exclusive[j]] = False

    def gain(j: int) -> float:
        rows = At.indices[At.indptr[j] : At.indptr[j + 1]]
        return float(w[rows][count[rows] == 0].sum())

    # per-group minimums first, best candidates of each group (as in the exact model, group rules
    # only apply when the candidates have groups)
    if groups is not None:
        for key, low in sorted(group_min.items()):
            for _ in range(int(low) - sum(groups[k] == key for k in selected)):
                members = [int(j) for j in np.flatnonzero(groups == key) if can_add(int(j))]
                add(max(members, key=gain))
    heap = [(-gain(j), j) for j in range(m) if can_add(j)]
    heapq.heapify(heap)
    while len(selected) < p and heap:
        neg, j = heapq.heappop(heap)
        if not can_add(j):
            continue
        g = gain(j)
        if heap and g < -heap[0][0] - 1e-12:
            heapq.heappush(heap, (-g, j))
            continue
        add(j)
    # swaps: drop one, add the best other; keep while it improves
    improved = True
    while improved and time.perf_counter() - start < time_budget:
        improved = False
        for out in list(selected):
            rows_out = At.indices[At.indptr[out] : At.indptr[out + 1]]
            loss = float(w[rows_out][count[rows_out] == 1].sum())
            w_eff = np.where(count == 0, w, 0.0)
            only = rows_out[count[rows_out] == 1]
            w_eff[only] = w[only]
            gains = At @ w_eff
            gains[selected] = -np.inf
            mask = np.ones(m, bool)
            if exclusive is not None:
                taken = set(exclusive[[k for k in selected if k != out]])
                mask &= ~np.isin(exclusive, list(taken))
            if groups is not None:
                g_out = groups[out]
                if g_out in group_min and sum(groups[k] == g_out for k in selected) <= group_min[g_out]:
                    mask &= groups == g_out
                for key, high in group_max.items():
                    if key != g_out and sum(groups[k] == key for k in selected) >= high:
                        mask &= groups != key
            gains[~mask] = -np.inf
            best = int(np.argmax(gains))
            if gains[best] > loss + 1e-9:
                count[rows_out] -= 1
                selected.remove(out)
                selected.append(best)
                count[At.indices[At.indptr[best] : At.indptr[best + 1]]] += 1
                improved = True
            if time.perf_counter() - start > time_budget:
                break
    return np.array(sorted(selected), dtype=int)


def solve_lscp(
    problem: SitingProblem,
    radius: float,
    share: float = 1.0,
    group_min: dict | None = None,
    group_max: dict | None = None,
    time_limit: float = settings.SITING_TIME_LIMIT_S,
    mip_gap: float = settings.MIP_GAP,
) -> SitingResult:
    """The fewest new stations bringing ``share`` of all demand within ``radius`` (objective: their number).

    Demand no candidate can reach is reported (``details["unreachable_share"]``)
    and left out; if ``share`` cannot be reached even with every candidate,
    :class:`InputError` says by how much.
    """
    start = time.perf_counter()
    SHARE(share)
    A, w, total, already, unreachable = _covering_setup(problem, radius)
    n, m = A.shape
    required = max(0.0, share * total - already)
    if required > w.sum() + 1e-9:
        msg = (
            f"even every candidate brings only {(already + w.sum()) / total:.1%} of demand within {radius:g}; "
            f"{share:.1%} is out of reach (add candidates or a larger radius)"
        )
        raise InputError(msg)
    rows_z = 0 if share >= 1.0 else n
    size = ModelSize(variables=m + rows_z, rows=n + (1 if rows_z else 0), nonzeros=int(A.nnz) + 2 * rows_z)
    size.check("LSCP", "LSCP has no heuristic: use a coarser demand grid, fewer candidates or a smaller radius")
    b = MipBuilder()
    y = b.columns(m, cost=1.0, integer=True)
    if share >= 1.0:  # every coverable demand row: sum of its candidates >= 1
        b.rows(1.0, np.inf, (y, A.astype(float)))
    else:  # z_i <= sum of its candidates; sum w_i z_i >= required
        z = b.columns(n)
        b.rows(-np.inf, 0.0, (y, -A.astype(float)), (z, sp.identity(n)))
        b.rows([required], [np.inf], (z, w[None, :]))
    add_candidate_rules(b, y, problem, group_min, group_max)
    sol = b.build().solve(time_limit, mip_gap)
    chosen = np.flatnonzero(sol.values[:m] > 0.5)
    within = float(w[np.asarray(A[:, chosen].sum(axis=1)).ravel() > 0].sum())
    return SitingResult(
        "lscp",
        [str(problem.candidate_ids[j]) for j in chosen],
        float(len(chosen)),
        math.ceil(sol.bound - 1e-6),
        solver_name(),
        time.perf_counter() - start,
        (already + within) / total if total else 0.0,
        sol.state,
        {
            "unreachable_share": round(unreachable / total, 6) if total else 0.0,
            "merged_rows": int(n),
            "candidates": int(m),
        },
    )


# --------------------------------------------------------------------------- p-median / p-center
def solve_pmedian(
    problem: SitingProblem,
    p: int,
    group_min: dict | None = None,
    group_max: dict | None = None,
    method: str = "auto",
    time_limit: float = settings.SITING_TIME_LIMIT_S,
    mip_gap: float = settings.MIP_GAP,
) -> SitingResult:
    """Open ``p`` new stations minimising sum(weight x cost to the nearest open station), existing ones included.

    ``method``: ``"exact"`` (a MIP of one assignment variable per reachable (demand, site) pair),
    ``"heuristic"`` (greedy + vertex substitution, bound from a Lagrangian relaxation) or
    ``"auto"`` (exact only when the pairs are at most ``settings.PMEDIAN_EXACT_MAX_PAIRS`` and the
    MIP is within the budgets of :class:`ModelSize`).  ``"exact"`` refuses a MIP over those
    budgets (:class:`ModelTooLarge`, with the estimate).  An exact solve stopped by ``time_limit``
    is compared with the heuristic and the cheaper selection is returned; its bound is the best
    lower bound proved (HiGHS's or the Lagrangian one).
    """
    start = time.perf_counter()
    if problem.cost is None:
        msg = "p-median needs costs, not only a coverage matrix; build the problem from a cost matrix"
        raise InputError(msg)
    check_rules(problem, p, group_min, group_max)
    C = _with_existing(problem.cost, problem)
    n, m1 = C.shape
    m = m1 - 1
    finite = np.isfinite(C)
    unreachable = ~finite.any(axis=1)
    if unreachable.any():
        msg = f"{int(unreachable.sum())} demand points reach no candidate nor existing station; give them a cost"
        raise InputError(msg)
    size = pmedian_size(finite)
    if method == "exact":
        size.check(
            f"p-median ({n:,} demand points x {m:,} candidates)",
            "use --method heuristic (or auto: greedy + vertex substitution with a Lagrangian bound), "
            "fewer demand points or fewer candidates",
        )
    pairs = int(finite.sum())
    exact = method == "exact" or (method == "auto" and pairs <= settings.PMEDIAN_EXACT_MAX_PAIRS and size.fits())
    details: dict[str, float | str | None] = {"candidates": int(m)}

    def cost(chosen: NDArray) -> float:
        return _pmedian_cost(C, problem.weights, chosen)

    if exact:
        sol = _solve_or_none(_pmedian_mip(C, finite, problem, p, group_min, group_max), time_limit, mip_gap)
        if sol.solution is not None and sol.solution.optimal:
            chosen = np.flatnonzero(sol.solution.values[:m] > 0.5)
            bound, solver, status = sol.bound, solver_name(), "optimal"
        else:  # stopped at the limit: the cheaper of its incumbent and the heuristic, the best bound proved
            incumbent = None if sol.solution is None else np.flatnonzero(sol.solution.values[:m] > 0.5)
            heuristic = _swap_pmedian(C, problem.weights, p, time_limit)
            chosen, kept = _better(incumbent, heuristic, cost, maximise=False)
            details |= _compared(incumbent, heuristic, cost)
            lagrangian = _lagrangian_bound(C, problem.weights, p, cost(chosen))
            bound = max(b for b in (_proven(sol.bound, cost(chosen), False), lagrangian, 0.0) if math.isfinite(b))
            solver = f"{solver_name()} + greedy + vertex substitution, the better kept ({kept})"
            status = sol.status
            details["kept"] = kept
    else:
        chosen = _swap_pmedian(C, problem.weights, p, time_limit)
        bound = _lagrangian_bound(C, problem.weights, p, cost(chosen))
        solver, status = "greedy + vertex substitution (bound: Lagrangian relaxation)", "heuristic"
    return SitingResult(
        "pmedian",
        [str(problem.candidate_ids[j]) for j in chosen],
        cost(chosen),
        bound,
        solver,
        time.perf_counter() - start,
        None,
        status,
        details,
    )


def pmedian_size(finite: NDArray) -> ModelSize:
    """The size of :func:`_pmedian_mip` from the reachable (demand, site) pairs (last column: existing stations)."""
    n, m1 = finite.shape
    pairs = int(finite.sum())
    real = int(finite[:, : m1 - 1].sum())  # pairs with a candidate: one x <= y row each
    return ModelSize(variables=(m1 - 1) + pairs, rows=n + real + 1, nonzeros=pairs + 2 * real + (m1 - 1))


def _pmedian_mip(
    C: NDArray, finite: NDArray, problem: SitingProblem, p: int, group_min: dict | None, group_max: dict | None
) -> Mip:
    """min sum w_i c_ij x_ij: each demand point assigned once, x_ij <= y_j, p candidates, candidate rules."""
    n, m1 = C.shape
    m = m1 - 1
    rows_i, cols_j = np.nonzero(finite)
    k = len(rows_i)
    real = np.flatnonzero(cols_j < m)  # pairs with a candidate (column m = existing, always open)
    b = MipBuilder()
    y = b.columns(m, integer=True)
    x = b.columns(k, cost=problem.weights[rows_i] * C[rows_i, cols_j])
    b.rows(1.0, 1.0, (x, sp.csr_matrix((np.ones(k), (rows_i, np.arange(k))), shape=(n, k))))
    pair = sp.csr_matrix((np.ones(len(real)), (np.arange(len(real)), real)), shape=(len(real), k))
    site = sp.csr_matrix((np.ones(len(real)), (np.arange(len(real)), cols_j[real])), shape=(len(real), m))
    b.rows(-np.inf, 0.0, (x, pair), (y, -site))  # x_ij <= y_j
    b.rows([p], [p], (y, np.ones((1, m))))
    add_candidate_rules(b, y, problem, group_min, group_max)
    return b.build()


def _with_existing(cost: np.ndarray, problem: SitingProblem) -> np.ndarray:
    """``cost`` (the problem's, checked by the caller) with the cost to the existing stations as a last column."""
    return np.column_stack([cost, problem.existing_costs()])


def _pmedian_cost(C: np.ndarray, w: np.ndarray, chosen: np.ndarray) -> float:
    cols = np.concatenate([chosen, [C.shape[1] - 1]])
    return float((w * C[:, cols].min(axis=1)).sum())


def _lagrangian_bound(C: np.ndarray, w: np.ndarray, p: int, upper: float, iterations: int = 300) -> float:
    """Lower bound of the p-median by Lagrangian relaxation of "each demand assigned once" (subgradient).

    L(lambda) = sum lambda_i + rho_existing + sum of the p most negative rho_j,
    rho_j = sum_i min(0, w_i c_ij - lambda_i); the existing stations (last column) are always open.
    """
    wc = np.where(np.isfinite(C), w[:, None] * C, 1e300)
    m = C.shape[1] - 1
    lam = wc.min(axis=1).copy()
    best = -np.inf
    step = 2.0
    for _ in range(iterations):
        reduced = np.minimum(0.0, wc - lam[:, None])
        rho = reduced.sum(axis=0)
        open_ = np.argsort(rho[:m])[:p]
        value = lam.sum() + rho[m] + rho[open_].sum()
        best = max(best, value)
        is_open = np.zeros(m + 1, bool)
        is_open[open_] = True
        is_open[m] = True
        assigned = ((wc - lam[:, None] < 0) & is_open[None, :]).sum(axis=1)
        sub = 1.0 - assigned
        norm = float((sub * sub).sum())
        if norm == 0:
            break
        lam = lam + step * (upper - value) / norm * sub
        step *= 0.98
    return float(best)


def _swap_pmedian(C: np.ndarray, w: np.ndarray, p: int, time_budget: float) -> np.ndarray:
    start = time.perf_counter()
    m = C.shape[1] - 1
    best = C[:, m].copy()
    chosen: list[int] = []
    for _ in range(p):
        totals = (w[:, None] * np.minimum(C[:, :m], best[:, None])).sum(axis=0)
        totals[chosen] = np.inf
        j = int(np.argmin(totals))
        chosen.append(j)
        best = np.minimum(best, C[:, j])
    improved = True
    while improved and time.perf_counter() - start < time_budget:
        improved = False
        current = _pmedian_cost(C, w, np.array(chosen))
        for i, out in enumerate(list(chosen)):
            rest = [c for c in chosen if c != out]
            base = C[:, rest + [m]].min(axis=1)
            totals = (w[:, None] * np.minimum(C[:, :m], base[:, None])).sum(axis=0)
            totals[rest] = np.inf
            j = int(np.argmin(totals))
            if totals[j] < current * (1 - 1e-12) - 1e-9:  # relative: costs can be large
                chosen[i] = j
                current = totals[j]
                improved = True
    return np.array(sorted(chosen), dtype=int)


def solve_pcenter(
    problem: SitingProblem,
    p: int,
    group_min: dict | None = None,
    group_max: dict | None = None,
    time_limit: float = settings.SITING_TIME_LIMIT_S,
) -> SitingResult:
    """Open ``p`` new stations minimising the largest cost from any demand point to its nearest open station.

    Exact: bisection over the sorted distinct costs; at each value d, the fewest
    new stations covering every demand point within d (a covering MIP) is
    compared with ``p``.  Weights do not enter (as in the classic model).  The
    bisection shares ``time_limit`` (seconds); when a covering MIP stops at the
    limit without settling whether d is reachable, the result is not reported as
    optimal and its bound is the smallest value not proven out of reach.
    """
    start = time.perf_counter()
    if problem.cost is None:
        msg = "p-center needs costs, not only a coverage matrix; build the problem from a cost matrix"
        raise InputError(msg)
    check_rules(problem, p, group_min, group_max)
    C = _with_existing(problem.cost, problem)
    m = C.shape[1] - 1
    values = np.unique(C[np.isfinite(C)])
    # the answer is at least the largest "cost to the nearest site" of any demand point
    values = values[values >= C.min(axis=1).max()]
    index = {c: i for i, c in enumerate(problem.candidate_ids)}

    def within(d: float) -> tuple[list[int] | None, bool]:
        """A selection of p stations reaching every demand point within d (or None), and whether that is proven."""
        cover = C[:, :m] <= d
        served = C[:, m] <= d
        if (~served & ~cover.any(axis=1)).any():
            return None, True
        if served.all():
            return _fill(problem, [], p, group_min, group_max), True
        sub = SitingProblem(
            problem.demand_ids[~served],
            np.ones(int((~served).sum())),
            problem.candidate_ids,
            existing_cost=np.full(int((~served).sum()), np.inf),
            groups=problem.groups,
            exclusive=problem.exclusive,
            coverage=sp.csr_matrix(cover[~served]),
            coverage_radius=d,
        )
        remaining = max(0.1, time_limit - (time.perf_counter() - start))
        try:
            r = solve_lscp(sub, d, 1.0, group_min, group_max, time_limit=remaining)
        except NoSolutionInTime:
            return None, False
        except ModelTooLarge as exc:  # not "out of reach": the covering step was not even built
            msg = f"p-center's covering step at cost {d:g}: {exc}"
            raise ModelTooLarge(msg) from exc
        except InputError:  # out of reach, or infeasible under the county rules
            return None, True
        if len(r.selected) <= p:
            return _fill(problem, [index[c] for c in r.selected], p, group_min, group_max), True
        return None, r.status == "optimal" or r.bound > p

    lo, hi = 0, len(values) - 1  # the optimum is values[k] for some k in [lo, hi]
    best: list[int] | None = None
    proven_out = -1  # values[: proven_out + 1] are proven out of reach
    while lo <= hi:
        mid = (lo + hi) // 2
        selection, proven = within(values[mid])
        if selection is not None:
            best, hi = selection, mid - 1
        else:
            if proven:
                proven_out = max(proven_out, mid)
            lo = mid + 1
    if best is None:
        msg = f"p-center found no selection of {p} stations within {time_limit:g} s; allow more time"
        raise NoSolutionInTime(msg)
    chosen = np.array(sorted(best), dtype=int)
    objective = float(C[:, np.concatenate([chosen, [m]])].min(axis=1).max())
    bound = float(values[proven_out + 1])
    return SitingResult(
        "pcenter",
        [str(problem.candidate_ids[j]) for j in chosen],
        objective,
        bound,
        solver_name("covering MIPs, bisection"),
        time.perf_counter() - start,
        None,
        "optimal" if bound >= objective else "time limit reached",
        {"candidates": int(m)},
    )


def _fill(
    problem: SitingProblem, chosen: list[int], p: int, group_min: dict | None, group_max: dict | None
) -> list[int]:
    """Top up a selection to exactly ``p`` stations within the candidate rules.

    Counties below their minimum are served first, then any candidate whose county is below
    its maximum and whose exclusive label is free (in candidate order).  Extra stations never
    make a p-center objective worse.
    """
    chosen = list(chosen)
    groups, exclusive = problem.groups, problem.exclusive
    count: dict[str, int] = {}
    if groups is not None:
        for j in chosen:
            count[groups[j]] = count.get(groups[j], 0) + 1
    taken = set(exclusive[chosen]) if exclusive is not None else set()

    def add_if_allowed(j: int) -> None:
        if j in chosen or (exclusive is not None and exclusive[j] in taken):
            return
        if groups is not None:
            g = groups[j]
            if count.get(g, 0) >= (group_max or {}).get(g, problem.n_candidates):
                return
            count[g] = count.get(g, 0) + 1
        chosen.append(j)
        if exclusive is not None:
            taken.add(exclusive[j])

    for g, low in sorted((group_min or {}).items()):
        for member in np.flatnonzero(groups == g) if groups is not None else []:
            if count.get(g, 0) >= low or len(chosen) >= p:
                break
            add_if_allowed(int(member))
    for j in range(problem.n_candidates):
        if len(chosen) >= p:
            break
        add_if_allowed(j)
    if len(chosen) < p:
        msg = (
            f"only {len(chosen)} of {p} new stations can be placed under the county maximums and the "
            "one-per-township rule; lower p or relax the rules"
        )
        raise InputError(msg)
    return chosen


# --------------------------------------------------------------------------- one entry for every model
#: The siting models, by the names the command line and the app use.
MODELS = settings.SITING_MODELS


def solve_model(
    model: str,
    problem: SitingProblem,
    *,
    radius: float | None = None,
    p: int | None = None,
    share: float = 1.0,
    county_min: int = 0,
    county_max: int | None = None,
    method: str = "auto",
    time_limit: float = settings.SITING_TIME_LIMIT_S,
) -> SitingResult:
    """Solve ``model`` (one of :data:`MODELS`) on ``problem``: the one dispatch the CLI and the app share.

    ``radius`` (in the problem's cost units) is needed by MCLP and LSCP, ``p`` (new stations)
    by MCLP, p-median and p-center, ``share`` (0-1) by LSCP; ``county_min``/``county_max`` new
    stations per county apply where the candidates carry counties (:func:`county_limits`).
    """
    if model not in MODELS:
        msg = f"unknown siting model {model!r}; choose one of {', '.join(MODELS)}"
        raise InputError(msg)
    if model != "lscp" and (p is None or p < 1):
        msg = f"{model} needs the number of new stations p (at least 1), not {p!r}"
        raise InputError(msg)
    if model in ("mclp", "lscp") and (radius is None or not math.isfinite(radius) or radius <= 0):
        msg = f"{model} needs a positive, finite service radius (--radius in the cost matrix's units, or --radius-km), not {radius!r}"
        raise InputError(msg)
    if not 0.0 < share <= 1.0:
        msg = f"the share of demand to bring within the radius must be in (0, 1], not {share!r}"
        raise InputError(msg)
    group_min, group_max = county_limits(problem, county_min, county_max)
    if model == "mclp":
        assert radius is not None and p is not None
        return solve_mclp(problem, radius, p, group_min, group_max, method=method, time_limit=time_limit)
    if model == "lscp":
        assert radius is not None
        return solve_lscp(problem, radius, share, group_min, group_max, time_limit=time_limit)
    assert p is not None
    if model == "pmedian":
        return solve_pmedian(problem, p, group_min, group_max, method=method, time_limit=time_limit)
    return solve_pcenter(problem, p, group_min, group_max, time_limit=time_limit)
