"""Solvers for multi-day trips with a chosen overnight town: arrays only, no geometry.

The problem (:class:`TripProblem`): visit stations over ``days`` working days, at most
``per_day`` a day, leaving ``start`` on the first morning and reaching ``end`` on the last
evening.  The days form *tours* (``tours``: their lengths in days): between two tours the team
sleeps at home (the start), e.g. at the weekend; every other night is spent in one of the
``towns``.  A day is a route ``town -> stations -> town``; its *work* (driving up to the last
station plus the visits) must fit in ``day_min`` minutes, and the whole day (work plus the drive
to the overnight town) in ``day_min + evening_min``.  The objective is the total driving time, in
minutes, returns home included.  When not all stations fit, the plan keeps the greatest total
priority (``weights``) and, among those, the least driving.

Three solvers, one answer type (:class:`TripSolution`, with objective, bound and gap):

* :func:`solve_dp` - exact dynamic program over (stations visited, overnight town), day by
  day; instant below ~12 stations.
* :func:`solve_blocks` - exact set-partitioning model over day blocks (from a town, up to
  ``per_day`` stations, to a town), one copy per tour, strengthened by connectivity and odd-set
  cuts and solved with HiGHS.  Days back at base every night (``towns`` only the start) need no
  towns at all: the same model without the flows, a set partition of the stations into days.
* :func:`solve_heuristic` - giant tour (OR-Tools routing), split into days by a dynamic
  program that picks the overnight towns, then alternating improvement of the day routes
  (OR-Tools routing with fixed overnight towns) and of the towns (a dynamic program); its
  bound is a Held-Karp 1-tree bound on the shortest path through the stations.

Every solver is deterministic: the same problem gives the same plan on any machine and under
any load.  Searches stop at limits of work (HiGHS nodes, OR-Tools solutions), not of time; the
wall-clock limit is a safety net, and a result it cut says so (``TripSolution.cut``).

Travel minutes are rounded to whole seconds when the problem is built, so every solver
optimises exactly the same numbers (visits and day lengths too).

Examples
--------
Three stations on a line, 10 minutes apart, start and end at the town in the middle:

>>> import numpy as np
>>> x = np.array([0.0, 10.0, 20.0, 10.0])      # stations 0, 1, 2 and the town (place 3)
>>> p = TripProblem(np.abs(x[:, None] - x[None, :]), n_stations=3, towns=(3,), start=3, end=3,
...                 days=2, per_day=2, visit_min=60, day_min=480)
>>> s = solve(p)
>>> s.travel_min, s.gap, s.status
(40.0, 0.0, 'optimal')

Two one-day tours (home in between) cannot share an overnight town: each day is a round trip.

>>> s = solve(TripProblem(p.minutes, 3, (3,), 3, 3, days=2, per_day=2, visit_min=60, day_min=480, tours=(1, 1)))
>>> s.travel_min, s.nights
(40.0, [3, 3, 3])
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple, overload

import numpy as np
from numpy.typing import ArrayLike, NDArray

from coverage import settings
from coverage._errors import InputError
from coverage.optimise.highs import MipBuilder, add_rows, cost_gap, new_highs

INF = float("inf")
#: Above this many elementary operations the dynamic program gives way to the day-block MIP.
DP_MAX_WORK = 2.5e8

#: Day routes (station indices in order) and overnight places (``days + 1``, first = start).
Plan = tuple[list[list[int]], list[int]]

#: A progress callback: ``progress(step, info)``; returning False asks the solver to stop and
#: return the best plan found so far.  Steps: ``"blocks"`` (``columns``), ``"bound"``
#: (``bound_min``), ``"plan"`` (``travel_min``, ``kept``, ``bound_min``).
Progress = Callable[[str, dict[str, Any]], bool | None]


class _Reporter:
    """Passes progress on and remembers whether the caller asked to stop."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress
        self.stop = False

    def __call__(self, step: str, **info: Any) -> None:
        if self.progress is not None and not self.stop and self.progress(step, info) is False:
            self.stop = True


@dataclass(init=False)
class TripProblem:
    """A multi-day trip in arrays.  Places ``0 .. n_stations-1`` are the stations.

    Parameters
    ----------
    minutes : (P, P) travel minutes between places (rounded to whole seconds here).
    n_stations : number of stations (the first places).
    towns : places allowed as overnight towns inside a tour.
    start, end : place of the first morning and of the last evening; the start is also home,
        where the team sleeps between two tours.
    days : number of working days.
    per_day : at most this many visits a day.
    visit_min : minutes on site, one number or one per station.
    day_min : minutes of driving and visits a working day allows (window minus lunch).
    evening_min : the last drive of a day (to the overnight town) may end this many minutes late.
    weights : priority of each station (default 1 each); when not all fit, the highest total is kept.
    tours : lengths (days) of the tours, in order, adding up to ``days`` (default: one tour).

    The array-like inputs are stored as float arrays: ``minutes`` (P, P), ``visit_min`` and
    ``weights`` one value per station.
    """

    minutes: NDArray[np.float64]
    n_stations: int
    towns: tuple[int, ...]
    start: int
    end: int
    days: int
    per_day: int
    visit_min: NDArray[np.float64]
    day_min: float
    evening_min: float
    weights: NDArray[np.float64]
    tours: tuple[int, ...]

    def __init__(
        self,
        minutes: ArrayLike,
        n_stations: int,
        towns: Iterable[int],
        start: int,
        end: int,
        days: int,
        per_day: int,
        visit_min: ArrayLike,
        day_min: float,
        evening_min: float = 0.0,
        weights: ArrayLike | None = None,
        tours: Sequence[int] | None = None,
    ) -> None:
        self.n_stations, self.start, self.end, self.days, self.per_day = n_stations, start, end, days, per_day
        m = np.asarray(minutes, dtype=float)
        if m.ndim != 2 or m.shape[0] != m.shape[1] or m.shape[0] < n_stations:
            msg = f"the travel matrix must be square with at least {n_stations} places; got shape {m.shape}"
            raise InputError(msg)
        if not np.isfinite(m).all() or (m < 0).any():
            msg = "the travel matrix has missing or negative minutes; give a complete matrix"
            raise InputError(msg)
        self.minutes = np.round(m * 60.0) / 60.0
        visit = np.broadcast_to(np.asarray(visit_min, dtype=float), (n_stations,))
        self.visit_min = np.round(visit * 60.0) / 60.0
        self.day_min = round(float(day_min) * 60.0) / 60.0
        self.evening_min = round(float(evening_min) * 60.0) / 60.0
        w = np.ones(n_stations) if weights is None else np.asarray(weights, dtype=float)
        self.weights = np.broadcast_to(w, (n_stations,)).copy()
        if n_stations and not (np.isfinite(self.weights).all() and (self.weights > 0).all()):
            msg = "station priorities must be positive numbers; give 1 for an ordinary station"
            raise InputError(msg)
        self.towns = tuple(int(t) for t in dict.fromkeys(towns))
        if days < 1 or per_day < 0:
            msg = f"need at least one day and a non-negative visit cap (got {days} days, {per_day} a day)"
            raise InputError(msg)
        self.tours = (days,) if tours is None else tuple(int(k) for k in tours)
        if sum(self.tours) != days or min(self.tours) < 1:
            msg = f"tours of {list(self.tours)} days do not make the {days} days of the trip; give lengths of 1 or more adding up to {days}"
            raise InputError(msg)
        if any(k > 1 for k in self.tours) and not self.towns:
            msg = "no overnight town given for a trip of several days; give towns or use overnight at base"
            raise InputError(msg)

    @property
    def n(self) -> int:
        return self.n_stations

    @property
    def places(self) -> list[int]:
        """Places that can be an overnight stop (towns, start and end), sorted."""
        return sorted(set(self.towns) | {self.start, self.end})

    @property
    def home_nights(self) -> frozenset[int]:
        """Nights (1 = after the first day) the team spends at home between two tours."""
        return frozenset(itertools.accumulate(self.tours[:-1]))

    @property
    def penalty_min(self) -> float:
        """Minutes that outweigh any driving: a plan drives less than this, whatever it does."""
        return self.days * (self.day_min + self.evening_min) + 1.0

    def night_allowed(self, night: int) -> list[int]:
        """Places allowed at the end of day ``night`` (0 = the first morning)."""
        if night == 0:
            return [self.start]
        if night == self.days:
            return [self.end]
        if night in self.home_nights:
            return [self.start]
        return list(self.towns)


@dataclass
class TripSolution:
    """Day routes (station indices in order) and overnight places (``days + 1``, first = start).

    ``bound_min`` is a lower bound on the driving of any plan keeping as much priority;
    ``coverage_proven`` says whether no plan keeps more (else the bound is NaN).  ``cut`` is
    ``""`` when the solver finished, else why it stopped early: ``"work limit"``, ``"time
    limit"`` (the result may differ between runs) or ``"stopped"`` (asked by the caller).
    """

    routes: list[list[int]]
    nights: list[int]
    travel_min: float
    bound_min: float
    solver: str
    status: str
    seconds: float = 0.0
    unvisited: list[int] = field(default_factory=list)
    coverage_proven: bool = True
    cut: str = ""

    @property
    def gap(self) -> float:
        """(objective - bound) / objective; 0 when proven optimal, NaN without a bound."""
        if math.isnan(self.bound_min):
            return float("nan")
        return cost_gap(self.travel_min, self.bound_min)


# --------------------------------------------------------------------------- days
def day_times(p: TripProblem, a: int, route: list[int], b: int) -> tuple[float, float, float]:
    """(driving, work, total) minutes of one day ``a -> route -> b``.

    work = driving up to the last station + the visits; total = work + the drive to ``b``.
    """
    m = p.minutes
    if not route:
        return float(m[a, b]), 0.0, float(m[a, b])
    legs = [a, *route]
    drive_in = float(sum(m[legs[i], legs[i + 1]] for i in range(len(route))))
    work = drive_in + float(p.visit_min[route].sum())
    out = float(m[route[-1], b])
    return drive_in + out, work, work + out


def day_ok(p: TripProblem, a: int, route: list[int], b: int, tol: float = 1e-6) -> bool:
    """Whether a day fits its hours and visit cap."""
    _, work, total = day_times(p, a, route, b)
    return len(route) <= p.per_day and work <= p.day_min + tol and total <= p.day_min + p.evening_min + tol


def trip_travel(p: TripProblem, routes: list[list[int]], nights: list[int]) -> float:
    """Total driving minutes of a plan."""
    return float(sum(day_times(p, nights[t], r, nights[t + 1])[0] for t, r in enumerate(routes)))


@overload
def best_nights(p: TripProblem, routes: list[list[int]], strict: Literal[False]) -> list[int]: ...
@overload
def best_nights(p: TripProblem, routes: list[list[int]], strict: bool = True) -> list[int] | None: ...
def best_nights(p: TripProblem, routes: list[list[int]], strict: bool = True) -> list[int] | None:
    """Cheapest overnight places for fixed day routes, one per day (a dynamic program over the days).

    With ``strict`` every day must fit its hours (None when impossible); otherwise the cheapest
    towns are chosen whatever the hours (used to evaluate a given itinerary), which is always
    possible: the travel matrix is complete.
    """
    q = np.array(p.places)
    pos = {int(v): i for i, v in enumerate(q)}
    m = p.minutes
    value = np.full(len(q), INF)
    value[pos[p.start]] = 0.0
    back: list[NDArray[np.intp]] = []
    for t, route in enumerate(routes):
        allowed = np.zeros(len(q), dtype=bool)
        allowed[[pos[v] for v in p.night_allowed(t + 1)]] = True
        if route:
            din = m[q, route[0]]
            inner = sum(m[route[i], route[i + 1]] for i in range(len(route) - 1))
            work = din + inner + float(p.visit_min[route].sum())
            dout = m[route[-1], q]
            travel = din[:, None] + inner + dout[None, :]
            total = work[:, None] + dout[None, :]
            ok = (work[:, None] <= p.day_min + 1e-6) & (total <= p.day_min + p.evening_min + 1e-6)
        else:
            travel = m[np.ix_(q, q)]
            ok = travel <= p.day_min + p.evening_min + 1e-6
        if strict:
            travel = np.where(ok, travel, INF)
        cand = value[:, None] + travel
        cand[:, ~allowed] = INF
        back.append(cand.argmin(axis=0))
        value = cand.min(axis=0)
    j = pos[p.end]
    if not np.isfinite(value[j]):
        return None
    nights = [int(q[j])]
    for t in range(len(routes) - 1, -1, -1):
        j = int(back[t][j])
        nights.append(int(q[j]))
    return nights[::-1]


def plan_solution(
    p: TripProblem,
    routes: Iterable[Iterable[int]],
    nights: Sequence[int],
    bound: float,
    solver: str,
    status: str,
    started: float,
) -> TripSolution:
    """A :class:`TripSolution` for given day routes and nights: driving, stations left out, seconds since ``started``."""
    int_routes = [list(map(int, r)) for r in routes]
    visited = {i for r in int_routes for i in r}
    travel = trip_travel(p, int_routes, list(nights))
    return TripSolution(
        routes=int_routes,
        nights=[int(v) for v in nights],
        travel_min=round(travel, 6),
        bound_min=bound if math.isnan(bound) else round(min(bound, travel), 6),
        solver=solver,
        status=status,
        seconds=time.perf_counter() - started,
        unvisited=[i for i in range(p.n) if i not in visited],
    )


def _unreachable(p: TripProblem) -> list[int]:
    """Stations no single day can include (too far from every overnight place)."""
    q = p.places
    m = p.minutes
    out: list[int] = []
    for i in range(p.n):
        din = m[q, i][:, None]
        dout = m[i, q][None, :]
        work = din + p.visit_min[i]
        if p.per_day < 1 or not ((work <= p.day_min) & (work + dout <= p.day_min + p.evening_min)).any():
            out.append(i)
    return out


# --------------------------------------------------------------------------- day blocks
class _Block(NamedTuple):
    """A set of stations done in one day: for each (from, to) overnight pair its best cost and order.

    ``perms`` lists the orders of the stations tried (one per row), ``order[a, b]`` the row of the
    cheapest from ``a`` to ``b``; the empty set has one order, the empty one.
    """

    mask: int  # bit i set when station i is in the set
    cost: NDArray[np.float64]  # (Q, Q), inf where no order fits the day
    order: NDArray[np.intp]  # (Q, Q) rows of perms
    perms: NDArray[np.int_]  # (orders, |B|)


def _block_of(p: TripProblem, q: NDArray[np.int_], combo: tuple[int, ...]) -> _Block | None:
    """The best order of ``combo`` from each overnight place to each (None when no day can hold it)."""
    m = p.minutes
    perms = np.array(list(itertools.permutations(combo)))
    inner = np.zeros(len(perms))
    for r in range(len(combo) - 1):
        inner += m[perms[:, r], perms[:, r + 1]]
    visits = float(p.visit_min[list(combo)].sum())
    din = m[q][:, perms[:, 0]]  # (Q, perms)
    dout = m[perms[:, -1]][:, q]  # (perms, Q)
    work = din + inner + visits
    total = work[:, :, None] + dout[None, :, :]
    ok = (work[:, :, None] <= p.day_min + 1e-6) & (total <= p.day_min + p.evening_min + 1e-6)
    cost = np.where(ok, total - visits, INF)
    best = cost.argmin(axis=1)
    value = np.take_along_axis(cost, best[:, None, :], axis=1)[:, 0, :]
    if not np.isfinite(value).any():
        return None
    return _Block(sum(1 << i for i in combo), value, best, perms)


def _blocks(p: TripProblem, q: NDArray[np.int_], limit: float = INF) -> list[_Block] | None:
    """Every station set a day can hold (|B| <= per_day), with its best cost and order per (from, to).

    Sets grow one station at a time from sets a day can hold: with travel times that obey the
    triangle inequality (straight lines, road networks) a day that holds a set holds each of its
    subsets.  None when the (from, to, set) columns would exceed ``limit``.
    """
    m = p.minutes
    empty = m[np.ix_(q, q)]
    no_station = np.zeros((1, 0), dtype=np.int_)
    blocks = [
        _Block(
            0,
            np.where(empty <= p.day_min + p.evening_min + 1e-6, empty, INF),
            np.zeros(empty.shape, np.intp),
            no_station,
        )
    ]
    columns = float(np.isfinite(blocks[0].cost).sum())
    level: set[tuple[int, ...]] = {()}
    for size in range(1, min(p.per_day, p.n) + 1):
        grown: set[tuple[int, ...]] = set()
        for combo in sorted(level):
            for i in range((combo[-1] + 1) if combo else 0, p.n):
                new = (*combo, i)
                if size > 2 and any(new[:k] + new[k + 1 :] not in level for k in range(size - 1)):
                    continue
                block = _block_of(p, q, new)
                if block is None:
                    continue
                grown.add(new)
                blocks.append(block)
                columns += float(np.isfinite(block.cost).sum())
                if columns > limit:
                    return None
        level = grown
        if not level:
            break
    return blocks


# --------------------------------------------------------------------------- dynamic program
def _dp_work(p: TripProblem) -> float:
    k = min(p.per_day, p.n)
    q = len(p.places)
    rows = sum(math.comb(p.n, s) * 2 ** (p.n - s) * math.factorial(s) for s in range(k + 1))
    return float(p.days) * rows * q * q


def solve_dp(p: TripProblem) -> TripSolution:
    """Exact: dynamic program over (set of stations visited, overnight place) for each day."""
    started = time.perf_counter()
    if p.n > 20:
        msg = f"the dynamic program handles at most 20 stations (got {p.n}); use method='blocks' or 'heuristic'"
        raise InputError(msg)
    q = np.array(p.places)
    pos = {int(v): i for i, v in enumerate(q)}
    blocks = _blocks(p, q) or []
    full = 1 << p.n
    masks = np.arange(full)
    disjoint = {b.mask: masks[(masks & b.mask) == 0] for b in blocks}
    value = np.full((full, len(q)), INF)
    value[0, pos[p.start]] = 0.0
    backs: list[tuple[NDArray[np.int32], NDArray[np.int16]]] = []
    for t in range(1, p.days + 1):
        allowed = np.zeros(len(q), dtype=bool)
        allowed[[pos[v] for v in p.night_allowed(t)]] = True
        new = np.full_like(value, INF)
        arg_block = np.full(value.shape, -1, dtype=np.int32)
        arg_from = np.zeros(value.shape, dtype=np.int16)
        live = np.isfinite(value).any(axis=1)
        for bi, (mask, cost, _, _) in enumerate(blocks):
            rest = disjoint[mask]
            rest = rest[live[rest]]
            if len(rest) == 0:
                continue
            cand = value[rest][:, :, None] + cost[None, :, :]
            src = cand.argmin(axis=1)
            best = np.take_along_axis(cand, src[:, None, :], axis=1)[:, 0, :]
            target = rest | mask
            better = best < new[target]
            new[target] = np.where(better, best, new[target])
            arg_block[target] = np.where(better, bi, arg_block[target])
            arg_from[target] = np.where(better, src, arg_from[target])
        new[:, ~allowed] = INF
        value = new
        backs.append((arg_block, arg_from))
    final = value[:, pos[p.end]]
    reachable = np.isfinite(final)
    if not reachable.any():
        msg = "the start and end are too far apart for the days given; add a day or allow an evening transfer"
        raise InputError(msg)
    weight = np.zeros(full)
    for i in range(p.n):
        weight += p.weights[i] * ((masks >> i) & 1)
    top = weight[reachable].max()
    choice = reachable & (weight >= top - 1e-9)
    state = int(np.flatnonzero(choice)[final[choice].argmin()])
    j = pos[p.end]
    routes: list[list[int]] = []
    nights = [p.end]
    for t in range(p.days, 0, -1):
        arg_block, arg_from = backs[t - 1]
        bi, a = int(arg_block[state, j]), int(arg_from[state, j])
        mask, _, order, perms = blocks[bi]
        routes.append([int(v) for v in perms[order[a, j]]])
        state ^= mask
        j = a
        nights.append(int(q[j]))
    routes, nights = routes[::-1], nights[::-1]
    objective = trip_travel(p, routes, nights)
    return plan_solution(p, routes, nights, objective, "dynamic program", "optimal", started)


# --------------------------------------------------------------------------- day blocks (HiGHS)
def _components(edges: list[tuple[int, int]]) -> dict[int, int]:
    """Undirected connected components: node -> representative."""
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for u, v in edges:
        parent[find(u)] = find(v)
    return {x: find(x) for x in parent}


def _euler_trail(edges: list[tuple[int, int, int]], start: int) -> list[int]:
    """Hierholzer: order of the edge ids ``(id, from, to)`` on a trail from ``start`` using each once."""
    out: dict[int, list[tuple[int, int]]] = {}
    for e, u, v in edges:
        out.setdefault(u, []).append((e, v))
    for lst in out.values():
        lst.sort(reverse=True)
    stack: list[tuple[int, int | None]] = [(start, None)]
    trail: list[int] = []
    while stack:
        node, via = stack[-1]
        if out.get(node):
            e, nxt = out[node].pop()
            stack.append((nxt, e))
        else:
            stack.pop()
            if via is not None:
                trail.append(via)
    return trail[::-1]


class _DayBlocks:
    """The day-block model in arrays, with its two families of cutting planes.

    Nodes: the overnight places (``0 .. nq-1``, positions in ``q``), then for each tour ``k`` a
    source ``nq + 2k`` (the tour's first morning) and a sink ``nq + 2k + 1`` (its last evening).
    Column ``j < nb`` is a block (one possible day) of tour ``tour[j]`` from node ``tail[j]`` to
    node ``head[j]`` covering the stations of ``cover[:, j]``; column ``nb + i`` leaves station
    ``i`` out at a penalty above any saving.  With every night at the start (``day_trips``) a
    column is a station set done as a round trip and there are no nodes, flows or tours.

    ``objective="coverage"`` prices the blocks at 0: the model then only asks how much priority
    fits (the question of :func:`solve` with ``objective="coverage"``).
    """

    def __init__(self, p: TripProblem, blocks: list[_Block], objective: str = "travel") -> None:
        import scipy.sparse as sp

        self.p = p
        q = self.q = np.array(p.places)
        nq = self.nq = len(q)
        pos = {int(v): i for i, v in enumerate(q)}
        self.day_trips = set(p.towns) <= {p.start} and p.start == p.end
        K = len(p.tours)
        self.source = np.array([nq + 2 * k for k in range(K)], dtype=int)
        self.sink = self.source + 1
        tail: list[NDArray[np.int_]] = []
        head: list[NDArray[np.int_]] = []
        tour: list[NDArray[np.int_]] = []
        which: list[NDArray[np.int_]] = []  # block of each column
        at: list[NDArray[np.int_]] = []  # (from, to) positions in q of each column
        inner = np.zeros(nq, dtype=bool)
        inner[[pos[t] for t in p.towns]] = True
        home = pos[p.start]
        for bi, block in enumerate(blocks):
            finite = np.isfinite(block.cost)
            variants: list[tuple[NDArray[np.int_], NDArray[np.int_], NDArray[np.int_], NDArray[np.int_], int]] = []
            if self.day_trips:
                if finite[home, home]:
                    one = np.array([home])
                    variants.append((one, one, one, one, 0))
            else:
                for k, length in enumerate(p.tours):
                    dst = pos[p.end] if k == K - 1 else home
                    s, e = int(self.source[k]), int(self.sink[k])
                    if length == 1:
                        if finite[home, dst]:
                            variants.append((np.array([home]), np.array([dst]), np.array([s]), np.array([e]), k))
                        continue
                    to = np.flatnonzero(finite[home] & inner)
                    variants.append((np.full(len(to), home), to, np.full(len(to), s), to, k))
                    fro = np.flatnonzero(finite[:, dst] & inner)
                    variants.append((fro, np.full(len(fro), dst), fro, np.full(len(fro), e), k))
                    if length >= 3:
                        a, b = np.nonzero(finite & inner[:, None] & inner[None, :])
                        variants.append((a, b, a, b, k))
            for a, b, t, h, k in variants:
                if len(a):
                    tail.append(t)
                    head.append(h)
                    tour.append(np.full(len(a), k))
                    which.append(np.full(len(a), bi))
                    at.append(np.column_stack([a, b]))
        self.tail = np.concatenate(tail) if tail else np.zeros(0, dtype=int)
        self.head = np.concatenate(head) if head else np.zeros(0, dtype=int)
        self.tour = np.concatenate(tour) if tour else np.zeros(0, dtype=int)
        self.block = np.concatenate(which) if which else np.zeros(0, dtype=int)
        self.at = np.concatenate(at) if at else np.zeros((0, 2), dtype=int)
        self.blocks = blocks
        nb = self.nb = len(self.tail)
        n = p.n
        drive = np.array([blocks[b].cost[a, c] for b, (a, c) in zip(self.block, self.at, strict=True)])
        self.drive = drive.reshape(nb)
        w_min = float(p.weights.min()) if n else 1.0
        if objective == "coverage":
            block_cost, self.penalty = np.zeros(nb), p.weights / w_min
        else:
            block_cost, self.penalty = self.drive, p.penalty_min * p.weights / w_min
        masks = np.array([blocks[b].mask for b in self.block], dtype=object)
        rows = [i for j, mk in enumerate(masks) for i in range(n) if (mk >> i) & 1]
        cols = [j for j, mk in enumerate(masks) for i in range(n) if (mk >> i) & 1]
        self.cover = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, nb))
        self.empty = np.asarray(self.cover.sum(axis=0)).ravel() == 0
        lengths = np.array(p.tours, dtype=float)
        self.upper = np.where(self.empty, float(p.days) if self.day_trips else lengths[self.tour], 1.0)
        builder = MipBuilder()
        x = builder.columns(nb, cost=block_cost, upper=self.upper, integer=True)  # blocks
        z = builder.columns(n, cost=self.penalty, integer=True)  # stations left out
        builder.rows(1.0, 1.0, (x, self.cover), (z, sp.identity(n)))  # each station once, or left out
        if self.day_trips:
            builder.rows([p.days], [p.days], (x, np.ones((1, nb))))
        else:
            self._tour_rows(builder, x)
        self.mip = builder.build()
        self.cost = self.mip.cost
        self.n_int = nb + n
        self.index = {
            (int(k), int(t), int(h), int(blocks[bi].mask)): j
            for j, (k, t, h, bi) in enumerate(zip(self.tour, self.tail, self.head, self.block, strict=True))
        }

    def _tour_rows(self, b: MipBuilder, x: Any) -> None:
        """Flow conservation, the days of each tour and a unit flow from each tour's source.

        Connectivity: every node sends on 1/days of its tour per day that leaves it, along the
        arcs the tour's days use (f_ab <= days a -> b), so an integer plan is one trail per tour;
        the max-flow cuts strengthen the (weak) relaxation of this.
        """
        import scipy.sparse as sp

        p, nb = self.p, self.nb
        n_nodes = self.nq + 2 * len(p.tours)
        j = np.arange(nb)
        moves = self.tail != self.head
        node_row = self.tour * n_nodes  # rows of (tour, node) pairs, compressed below
        out_rows, in_rows = node_row + self.tail, node_row + self.head
        used = np.unique(np.r_[out_rows[moves], in_rows[moves]])
        compress = {int(r): i for i, r in enumerate(used)}
        flow = sp.csr_matrix(
            (
                np.r_[np.ones(moves.sum()), -np.ones(moves.sum())],
                (
                    [compress[int(r)] for r in out_rows[moves]] + [compress[int(r)] for r in in_rows[moves]],
                    np.r_[j[moves], j[moves]],
                ),
            ),
            shape=(len(used), nb),
        )
        balance = np.zeros(len(used))
        for k in range(len(p.tours)):
            s, e = k * n_nodes + int(self.source[k]), k * n_nodes + int(self.sink[k])
            if s in compress:
                balance[compress[s]] += 1
            if e in compress:
                balance[compress[e]] -= 1
        b.rows(balance, balance, (x, flow))
        length = np.array(p.tours, dtype=float)
        b.rows(length, length, (x, sp.csr_matrix((np.ones(nb), (self.tour, j)), shape=(len(p.tours), nb))))
        # unit flow: arcs into a sink carry none, so they are left out
        is_sink = np.isin(self.head, self.sink)
        arc_cols = moves & ~is_sink
        arcs = sorted(
            set(
                zip(
                    self.tour[arc_cols].tolist(),
                    self.tail[arc_cols].tolist(),
                    self.head[arc_cols].tolist(),
                    strict=True,
                )
            )
        )
        if not arcs:
            return
        na = len(arcs)
        arc_of = {a: i for i, a in enumerate(arcs)}
        a_tour = np.array([a[0] for a in arcs])
        a_tail, a_head = np.array([a[1] for a in arcs]), np.array([a[2] for a in arcs])
        # rows: every (tour, node) other than the tour's source and sink that some day leaves or enters
        keys = sorted(
            {(int(k), int(v)) for k, v in zip(self.tour, self.tail, strict=True) if v < self.nq}
            | {(int(k), int(v)) for k, v in zip(a_tour, a_head, strict=True)}
        )
        row_of = {kv: i for i, kv in enumerate(keys)}
        send_r = [row_of[(int(k), int(v))] for k, v in zip(self.tour, self.tail, strict=True) if v < self.nq]
        send_c = [jj for jj, v in enumerate(self.tail) if v < self.nq]
        send = sp.csr_matrix((-1.0 / length[self.tour[send_c]], (send_r, send_c)), shape=(len(keys), nb))
        ka = np.arange(na)
        into = sp.csr_matrix(
            (np.ones(na), ([row_of[(int(k), int(v))] for k, v in zip(a_tour, a_head, strict=True)], ka)),
            shape=(len(keys), na),
        )
        from_inner = a_tail < self.nq
        out = sp.csr_matrix(
            (
                -np.ones(from_inner.sum()),
                (
                    [row_of[(int(k), int(v))] for k, v in zip(a_tour[from_inner], a_tail[from_inner], strict=True)],
                    ka[from_inner],
                ),
            ),
            shape=(len(keys), na),
        )
        use = sp.csr_matrix(
            (
                -np.ones(arc_cols.sum()),
                (
                    [
                        arc_of[(int(k), int(t), int(h))]
                        for k, t, h in zip(self.tour[arc_cols], self.tail[arc_cols], self.head[arc_cols], strict=True)
                    ],
                    j[arc_cols],
                ),
            ),
            shape=(na, nb),
        )
        f = b.columns(na)
        b.rows(0.0, 0.0, (x, send), (f, into + out))
        b.rows(-np.inf, 0.0, (x, use), (f, sp.identity(na)))

    def relaxation(self) -> Any:
        """The LP relaxation as a ``highspy.HighsLp`` (blocks and left-out stations are integer in the MIP)."""
        return self.mip.lp(relax=True)

    def node(self, night: int, place: int) -> int:
        """Node of ``place`` as the overnight stop after day ``night`` (0 = the first morning), seen from the day after it."""
        p = self.p
        if night == 0 or night in p.home_nights:
            return int(self.source[self.tour_of(night)])
        return int(np.flatnonzero(self.q == place)[0])

    def tour_of(self, day: int) -> int:
        """Tour of day ``day`` (0-based)."""
        return int(np.searchsorted(np.cumsum(self.p.tours), day, side="right"))

    def columns_of(self, sol: TripSolution) -> NDArray[np.float64] | None:
        """Column values of a plan (None when a day is not a block of the model)."""
        p = self.p
        x = np.zeros(len(self.cost))
        ends = set(itertools.accumulate(p.tours))
        for t, route in enumerate(sol.routes):
            mask = sum(1 << i for i in route)
            if self.day_trips:
                key = (0, *(int(np.flatnonzero(self.q == p.start)[0]),) * 2, mask)
            else:
                k = self.tour_of(t)
                tail = self.node(t, sol.nights[t])
                head = int(self.sink[k]) if (t + 1) in ends else int(np.flatnonzero(self.q == sol.nights[t + 1])[0])
                key = (k, tail, head, mask)
            if key not in self.index:
                return None
            x[self.index[key]] += 1
        x[self.nb + np.array(sol.unvisited, dtype=int)] = 1
        return x

    def connectivity_cuts(self, x: NDArray[np.float64], eps: float = 1e-6) -> list[NDArray[np.float64]]:
        """Dense rows ``a >= 0`` violated by ``x``: a set S of nodes without a tour's source that holds
        one of its days (a block leaving S) must be entered by that tour: its blocks into S >= its
        blocks out of S covering station i (for each i), and >= 1/days of its station-free blocks
        leaving S.  Separated exactly by a maximum flow from the source, per tour and station."""
        import scipy.sparse as sp
        from scipy.sparse.csgraph import breadth_first_order, maximum_flow

        if self.day_trips:
            return []
        p, nb = self.p, self.nb
        n_nodes = self.nq + 2 * len(p.tours)
        xb = x[:nb]
        scale = 1e6
        cuts: list[NDArray[np.float64]] = []
        seen: set[tuple[int, tuple[int, ...], float, tuple[int, ...]]] = set()
        cover = self.cover.tocsr()
        for k, length in enumerate(p.tours):
            ours = self.tour == k
            mine = ours & (xb > eps)
            if length == 1 or not mine.any():
                continue
            moves = mine & (self.tail != self.head)
            cap = np.zeros((n_nodes + 1, n_nodes + 1))
            np.add.at(cap, (self.tail[moves], self.head[moves]), xb[moves])
            source = int(self.source[k])
            # (columns of the demand, factor): each station's blocks; the station-free blocks at 1/days
            demands = [(np.asarray(cover[i].todense()).ravel() > 0, 1.0) for i in range(p.n)]
            demands.append((self.empty, 1.0 / length))
            for columns, factor in demands:
                w = np.zeros(n_nodes)
                np.add.at(w, self.tail, columns * mine * xb * factor)
                w[source] = 0.0
                if w.sum() <= eps:
                    continue
                c = cap.copy()
                c[:n_nodes, n_nodes] = w
                graph = sp.csr_matrix(np.rint(c * scale).astype(np.int64))
                result = maximum_flow(graph, source, n_nodes)
                if result.flow_value / scale >= w.sum() - eps:
                    continue
                residual = sp.csr_matrix(graph.toarray() - result.flow.toarray() > 0)
                inside = np.ones(n_nodes + 1, dtype=bool)  # the nodes the source cannot reach in the residual graph
                inside[breadth_first_order(residual, source, return_predecessors=False)] = False
                inside = inside[:n_nodes]
                key = (k, tuple(np.flatnonzero(inside).tolist()), factor, tuple(np.flatnonzero(columns)[:3].tolist()))
                if key in seen:
                    continue
                seen.add(key)
                row = np.zeros(len(self.cost))
                row[:nb] = ours * ((~inside[self.tail] & inside[self.head]) - factor * columns * inside[self.tail])
                if row @ x < -eps:
                    cuts.append(row)
        return cuts

    def odd_set_cuts(self, x: NDArray[np.float64], eps: float = 1e-6) -> list[tuple[NDArray[np.float64], float]]:
        """Dense rows ``a >= -floor(|S|/2)`` (each with its right-hand side): for an odd set S of stations joined by fractional
        blocks, the blocks hold at most floor(|S|/2) pairs of S (a zero-half cut of the cover rows)."""
        nb = self.nb
        frac = np.flatnonzero((x[:nb] > eps) & (x[:nb] < 1 - eps))
        edges: list[tuple[int, int]] = []
        for j in frac:
            members = self.cover[:, j].indices
            edges += [(int(members[0]), int(v)) for v in members[1:]]
        groups: dict[int, list[int]] = {}
        for v, rep in _components(edges).items():
            groups.setdefault(rep, []).append(v)
        cuts: list[tuple[NDArray[np.float64], float]] = []
        for members in groups.values():
            if len(members) % 2 == 0:
                continue
            row = np.zeros(len(self.cost))
            row[:nb] = -np.floor(np.asarray(self.cover[members].sum(axis=0))[0] / 2)
            if row @ x < -(len(members) // 2) - eps:
                cuts.append((row, -float(len(members) // 2)))
        return cuts

    def plan_of(self, x: NDArray[np.float64]) -> Plan | None:
        """Day routes and nights of an integer solution (None when a tour is not one trail)."""
        p = self.p
        chosen = [int(j) for j in np.flatnonzero(np.round(x[: self.nb]) > 0) for _ in range(int(round(x[j])))]
        if self.day_trips:
            days = [self._route(j) for j in chosen if not self.empty[j]]
            days += [[] for _ in range(p.days - len(days))]
            return days, [p.start] * (p.days + 1)
        routes: list[list[int]] = []
        nights = [p.start]
        for k, length in enumerate(p.tours):
            edges = [(e, int(self.tail[j]), int(self.head[j])) for e, j in enumerate(chosen) if self.tour[j] == k]
            trail = _euler_trail(edges, int(self.source[k]))
            if len(trail) != length:
                return None
            for e in trail:
                j = chosen[e]
                routes.append(self._route(j))
                nights.append(int(self.q[self.at[j, 1]]))
        return routes, nights

    def _route(self, j: int) -> list[int]:
        block = self.blocks[int(self.block[j])]
        a, b = self.at[j]
        return [int(v) for v in block.perms[block.order[a, b]]]


def _copy(sol: TripSolution) -> TripSolution:
    """A copy of a solution whose fields can be changed without touching the caller's."""
    return dataclasses.replace(
        sol, routes=[list(r) for r in sol.routes], nights=list(sol.nights), unvisited=list(sol.unvisited)
    )


def _add_cuts(h: Any, rows: list[tuple[NDArray[np.float64], float]]) -> None:
    """Add dense cut rows ``row @ x >= lower`` to a live solver."""
    import scipy.sparse as sp

    add_rows(h, sp.csr_matrix(np.array([r for r, _ in rows])), [lo for _, lo in rows], np.full(len(rows), np.inf))


class _Watch:
    """HiGHS callbacks: report improving plans and bounds, stop when the caller asks."""

    def __init__(self, h: Any, report: _Reporter, penalty: float) -> None:
        import highspy

        self.report, self.penalty = report, penalty
        self.types = highspy.cb.HighsCallbackType
        h.setCallback(self, None)
        h.startCallback(self.types.kCallbackMipImprovingSolution)
        h.startCallback(self.types.kCallbackMipInterrupt)

    def __call__(self, kind: Any, message: str, out: Any, data_in: Any, user: Any) -> None:
        if kind == self.types.kCallbackMipImprovingSolution:
            objective, bound = float(out.objective_function_value), float(out.mip_dual_bound)
            left_out = math.floor((objective + 1e-6) / self.penalty)  # stations of priority 1 left out
            self.report(
                "plan",
                objective=objective,
                bound=bound,
                left_out=left_out,
                travel_min=objective - left_out * self.penalty,
                bound_min=bound - left_out * self.penalty if math.isfinite(bound) else float("nan"),
            )
        elif kind == self.types.kCallbackMipInterrupt and self.report.stop:
            data_in.user_interrupt = True


def solve_blocks(
    p: TripProblem,
    time_limit: float = settings.TRIP_TIME_LIMIT_S,
    mip_gap: float = 1e-6,
    warm: TripSolution | None = None,
    max_nodes: int = settings.TRIP_MAX_NODES,
    objective: str = "travel",
    progress: Progress | None = None,
    blocks: list[_Block] | None = None,
) -> TripSolution:
    """Exact day-block model, solved with HiGHS after rounds of cutting planes.

    A *block* is one possible day: from an overnight place, a set of at most ``per_day``
    stations in their cheapest feasible order, to an overnight place.  The days of a tour are
    alike, so the model picks how many times each tour uses each block: every station covered
    once (or left out at a penalty above any saving), each tour its number of days, flow
    conservation at the overnight places (out of the tour's first morning one more than in,
    into its last evening one more than out), and a unit flow from the first morning that
    makes the tour's blocks hang together, so each tour is an Euler trail through them.
    Connectivity cuts (separated exactly by maximum flow) and odd-set cuts are added to the LP
    relaxation for at most ``settings.TRIP_CUT_ROUNDS`` rounds, then HiGHS solves the MIP, at
    most ``max_nodes`` branch-and-bound nodes (a limit of work: the same answer on any machine)
    and ``time_limit`` seconds (a safety net: a plan cut by it says so).

    ``objective="coverage"`` only asks how much priority fits (driving is not minimised).
    """
    started = time.perf_counter()
    report = _Reporter(progress)
    q = np.array(p.places)
    blocks = blocks if blocks is not None else _blocks(p, q)
    if blocks is None:  # pragma: no cover - the caller checks the size first
        msg = "too many day blocks for the exact model; use method='heuristic'"
        raise InputError(msg)
    model = _DayBlocks(p, blocks, objective)
    nb, ncols = model.nb, len(model.cost)
    report("blocks", columns=nb)
    # No restarts: HiGHS 1.16 looped past its time limit after a root restart on a 14-station
    # Guangxi day-block model (ERGO-Code/HiGHS#885, #2226 report the same class of hang).
    h = new_highs(time_limit, mip_gap, mip_allow_restart=False)
    h.passModel(model.relaxation())
    lp_value = 0.0
    history: list[float] = []
    for _ in range(settings.TRIP_CUT_ROUNDS):  # cutting planes on the LP relaxation
        h.run()
        lp_x = np.asarray(h.getSolution().col_value, dtype=float)
        lp_value = h.getInfo().objective_function_value
        history.append(lp_value)
        lp_cuts = [(row, 0.0) for row in model.connectivity_cuts(lp_x)] + model.odd_set_cuts(lp_x)
        if not lp_cuts or (len(history) > 4 and history[-1] - history[-5] <= 1e-5 * abs(history[-1])):
            break
        _add_cuts(h, lp_cuts)
    report("bound", bound=lp_value)
    h.changeColsIntegrality(model.n_int, np.arange(model.n_int, dtype=np.int32), np.ones(model.n_int, dtype=np.uint8))
    # The dense cuts make presolve's probing slow (25 s of 53 s on the 20-visit benchmark); the
    # warm start is given as a cut-off, not a start: HiGHS 1.16 reported a wrong optimum after
    # setSolution on this model.
    h.setOptionValue("presolve", "off")
    h.setOptionValue("mip_max_nodes", int(max_nodes))
    start_x = model.columns_of(warm) if warm is not None else None
    if start_x is not None:
        h.setOptionValue("objective_bound", float(model.cost @ start_x) + 1e-3)
    # the gap is on the driving, not on the penalties of stations left out
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue(
        "mip_abs_gap", 0.5 if objective == "coverage" else max(1e-3, mip_gap * (warm.travel_min if warm else 0.0))
    )
    _Watch(h, report, p.penalty_min)
    bound, status, plan = lp_value, "Time limit reached", None
    while (remaining := time_limit - (time.perf_counter() - started)) > 0.05:
        h.setOptionValue("time_limit", float(remaining))
        h.run()
        status = h.modelStatusToString(h.getModelStatus())
        info = h.getInfo()
        if status == "Infeasible" and start_x is not None:  # nothing beats the warm start
            bound, status = float(model.cost @ start_x), "Optimal"
            break
        if np.isfinite(info.mip_dual_bound):
            bound = max(bound, info.mip_dual_bound)
        x = np.asarray(h.getSolution().col_value, dtype=float) if info.primal_solution_status else None
        if x is None or len(x) != ncols:
            break
        cuts = model.connectivity_cuts(np.round(x), eps=0.5)
        if not cuts:
            plan = model.plan_of(x)
            break
        _add_cuts(h, [(row, 0.0) for row in cuts])  # the plan falls apart: cut it off, solve again
        status = "Cut off"  # not proven until the next solve says so
    cut = {"Time limit reached": "time limit", "Interrupted by user": "stopped"}.get(status, "")
    if status in ("Node limit reached", "Cut off") or (status == "Optimal" and plan is None and start_x is None):
        cut = cut or "work limit"
    sol: TripSolution | None = None
    if plan is not None:
        sol = plan_solution(p, *plan, 0.0, "day blocks, HiGHS (MIP)", "feasible", started)
    if sol is None or (warm is not None and _better(p, (warm.routes, warm.nights), (sol.routes, sol.nights))):
        sol = solve_heuristic(p, max(1.0, time_limit / 4), bound=False) if warm is None else _copy(warm)
        sol.solver += "; bound from day blocks (HiGHS)"
    if objective == "coverage":
        sol.bound_min = float("nan")
        dropped = float(model.penalty[sol.unvisited].sum())
        sol.coverage_proven = status == "Optimal" or bound >= dropped - 1e-6
    else:
        penalty = float(model.penalty[sol.unvisited].sum())
        sol.coverage_proven = bound >= penalty - 1e-6 * p.penalty_min
        sol.bound_min = min(sol.travel_min, max(0.0, bound - penalty)) if sol.coverage_proven else float("nan")
        if status == "Optimal" and plan is not None:  # proven within mip_abs_gap (a thousandth of a minute)
            sol.bound_min = sol.travel_min
    sol.status = "optimal" if sol.gap == 0 and sol.coverage_proven else "feasible"
    sol.cut = cut if sol.status != "optimal" else ""
    sol.seconds = time.perf_counter() - started
    return sol


# --------------------------------------------------------------------------- tours (HiGHS)
class _Labels(NamedTuple):
    """Partial tours after a number of days: station set, overnight place (position in ``q``), driving,
    and how they came about (label of the day before, block, from-position) to rebuild the routes."""

    mask: NDArray[np.int64]
    town: NDArray[np.int64]
    cost: NDArray[np.float64]
    parent: NDArray[np.int64]
    block: NDArray[np.int64]
    came_from: NDArray[np.int64]


class _TourSet(NamedTuple):
    """Every tour found of each kind (days, last place): station set, driving, and its rebuild data."""

    kind: NDArray[np.int64]
    mask: NDArray[np.int64]
    cost: NDArray[np.float64]
    parent: NDArray[np.int64]  # label of the day before the last
    block: NDArray[np.int64]
    came_from: NDArray[np.int64]
    complete: bool  # every tour was kept (False: labels were cut at the work limit)


def _slots(p: TripProblem) -> list[tuple[int, int]]:
    """The tours of the calendar as kinds: (days, last place), in calendar order."""
    last = len(p.tours) - 1
    return [(length, p.end if k == last else p.start) for k, length in enumerate(p.tours)]


def _enumeration_key(p: TripProblem, longest: int) -> str:
    """What an enumeration of tours depends on (not the calendar: tours up to ``longest`` days)."""
    import hashlib

    digest = hashlib.sha1()
    for array in (p.minutes, p.visit_min, p.weights):
        digest.update(np.ascontiguousarray(array).tobytes())
    digest.update(repr((p.n, p.towns, p.start, p.end, p.per_day, p.day_min, p.evening_min, longest)).encode())
    return digest.hexdigest()


#: Enumerations of recent problems (the questions about one trip - how many days, longer days -
#: share them); at most ``settings.TRIP_ENUMERATIONS_KEPT``.
_ENUMERATIONS: dict[str, _Enumeration] = {}


def _enumeration(
    p: TripProblem, blocks: list[_Block], max_labels: int, deadline: float, slack: int | None = None
) -> _Enumeration:
    longest = max(max(p.tours), settings.TRIP_TOUR_DAYS)
    key = _enumeration_key(p, longest) + f"/{max_labels}/{slack}"
    if key not in _ENUMERATIONS:
        while len(_ENUMERATIONS) >= settings.TRIP_ENUMERATIONS_KEPT:
            _ENUMERATIONS.pop(next(iter(_ENUMERATIONS)))
        _ENUMERATIONS[key] = _Enumeration(p, blocks, longest, max_labels, deadline, slack)
    return _ENUMERATIONS[key]


class _Enumeration:
    """Tours from home by a label DP over (day, overnight place, stations visited), cheapest per set.

    A tour of ``L`` days is the labels of day ``L - 1`` closed by a day that ends at the tour's
    last place; labels of intermediate days sleep in a town from which that place can still be
    reached.  Labels beyond ``max_labels`` a day are cut to the best of each town (most priority
    visited, then least driving): the tours are then not all there (``complete`` False).  The
    labels of the last day grown (``longest - 1``) are only closed into tours, never grown again:
    when no day before was cut, up to ``settings.TRIP_LAST_DAY_LABELS_FACTOR`` times as many are
    kept (all the tours are then there); beyond, or after a cut, ``max_labels`` as on other days.

    With ``slack`` only the tours and labels at most that many visits short of ``per_day`` a day
    are made (the only ones a plan visiting every station can use when its calendar leaves room for
    ``slack`` visits more); ``complete`` then says every such tour is there.
    """

    def __init__(
        self,
        p: TripProblem,
        blocks: list[_Block],
        longest: int,
        max_labels: int,
        deadline: float,
        slack: int | None = None,
    ) -> None:
        self.p, self.blocks, self.slack = p, blocks, slack
        self._fit_lp: Any = None  # the live LP of :meth:`may_fit`
        self._lock = threading.Lock()
        q = self.q = np.array(p.places)
        nq = len(q)
        self.pos = {int(v): i for i, v in enumerate(q)}
        inner = np.zeros(nq, dtype=bool)
        inner[[self.pos[t] for t in p.towns]] = True
        self.bmask = np.array([b.mask for b in blocks], dtype=np.int64)
        self.cost = np.stack([b.cost for b in blocks])  # (blocks, Q, Q)
        self.weight = np.array([sum(p.weights[i] for i in range(p.n) if (b.mask >> i) & 1) for b in blocks])
        self.kinds = kinds = [(t, e) for t in range(1, longest + 1) for e in dict.fromkeys([p.start, p.end])]
        reach: NDArray[np.bool_] = np.asarray(np.isfinite(self.cost).any(axis=0))
        ends = sorted({self.pos[e] for _, e in kinds})
        days_to = np.full(nq, longest + 1)  # days needed to reach one of the tours' last places
        days_to[ends] = 0
        for d in range(1, longest + 1):
            days_to[(days_to > d) & inner & reach[:, days_to <= d - 1].any(axis=1)] = d
        home = self.pos[p.start]
        none = np.array([-1])
        labels = _Labels(np.array([0]), np.array([home]), np.zeros(1), none, none, none)
        self.days: list[_Labels] = [labels]
        self.complete, self.cut = True, ""
        parts: list[tuple[int, _Labels]] = []
        for t in range(1, longest + 1):
            for k, (length, last) in enumerate(kinds):
                if length == t:
                    parts.append((k, self._close(labels, self.pos[last], t)))
            if t == longest:
                break
            if time.perf_counter() > deadline:
                self.complete, self.cut = False, "time limit"
                break
            # only closed into tours after the last day: if all are still there, more may be kept
            room = max_labels * (settings.TRIP_LAST_DAY_LABELS_FACTOR if t == longest - 1 and self.complete else 1)
            labels = self._grow(labels, inner & (days_to <= longest - t), max_labels, t, room)
            self.days.append(labels)

        def joined(name: str) -> NDArray[Any]:
            return np.concatenate([getattr(lab, name) for _, lab in parts])

        self.tours = _TourSet(
            np.concatenate([np.full(len(lab.mask), k) for k, lab in parts]),
            joined("mask"),
            joined("cost"),
            joined("parent"),
            joined("block"),
            joined("came_from"),
            self.complete,
        )

    def may_fit(self, count: dict[tuple[int, int], int]) -> bool:
        """Whether the LP relaxation of "every station in a calendar of ``count`` tours of each kind"
        is feasible over these tours: one LP over every tour, kept and warm-started from the last
        calendar asked (each calendar sets its kinds' counts, 0 for the others, and the bounds of its
        station-free tours), which :func:`fewest_days` asks for many calendars in turn."""
        import highspy
        import scipy.sparse as sp

        t = self.tours
        if len(t.mask) == 0:  # no tour at all (HiGHS calls a model without columns "empty", not infeasible)
            return self.p.n == 0 and not any(count.values())
        kinds = np.array([count.get(kind, 0) for kind in self.kinds], dtype=float)
        empty = np.flatnonzero(t.mask == 0)
        with self._lock:
            if self._fit_lp is None:
                n, nt = self.p.n, len(t.mask)
                bits = (t.mask[:, None] >> np.arange(n)[None, :]) & 1
                cols, rows = np.nonzero(bits)
                b = MipBuilder()
                y = b.columns(nt, cost=0.0, upper=1.0)
                cover = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, nt))
                kind_rows = sp.csr_matrix((np.ones(nt), (t.kind, np.arange(nt))), shape=(len(self.kinds), nt))
                b.rows(1.0, 1.0, (y, cover))
                b.rows(kinds, kinds, (y, kind_rows))
                h = new_highs(settings.TRIP_TIME_LIMIT_S, 0.0, presolve="off")
                h.passModel(b.build().lp(relax=True))
                self._fit_lp = h
            h = self._fit_lp
            n_rows = h.getNumRow()
            kind_index = np.arange(n_rows - len(self.kinds), n_rows, dtype=np.int32)
            h.changeRowsBounds(len(kind_index), kind_index, kinds, kinds)
            h.changeColsBounds(len(empty), empty.astype(np.int32), np.zeros(len(empty)), kinds[t.kind[empty]])
            h.run()
            return h.getModelStatus() != highspy.HighsModelStatus.kInfeasible

    def _close(self, labels: _Labels, last: int, day: int) -> _Labels:
        """Tours ending at ``last`` after one more day (their ``day``-th), the cheapest per station set."""
        mask, town, cost, parent, block, came, _ = self._extend(labels, np.array([last]), day)
        return _Labels(mask, town, cost, parent, block, came)

    def _extend(self, labels: _Labels, targets: NDArray[np.int_], nth: int) -> tuple[NDArray[Any], ...]:
        """The cheapest extension of ``labels`` by one day (their ``nth``) to each (station set, town of ``targets``).

        Returns mask, town, cost, parent label, block, town it came from and the extension's
        place in the order they are made (block by block, label by label, town by town), in
        (set, town) order; of equally cheap extensions the first made is kept.  Extensions of a
        label by a block are pairs of a label and a block (one row of costs over the towns): the
        pairs are sorted by their new station set and each set's rows reduced to their least per
        town, ``settings.TRIP_GROW_CHUNK`` extensions at a time (memory, not the answer).
        """
        nt, nq = len(targets), len(self.q)
        day = self.cost[:, :, targets].reshape(-1, nt)  # row block * Q + from: the day's cost to each target
        reach = np.isfinite(day).any(axis=1).reshape(len(self.blocks), nq)  # a day to some target
        pair_block, pair_label = np.nonzero(((labels.mask[None, :] & self.bmask[:, None]) == 0) & reach[:, labels.town])
        new = labels.mask[pair_label] | self.bmask[pair_block]
        if self.slack is not None:  # only sets at most ``slack`` visits short of a full day every day
            full = np.bitwise_count(new) >= self.p.per_day * nth - self.slack
            pair_block, pair_label, new = pair_block[full], pair_label[full], new[full]
        order = np.argsort(new, kind="stable")  # by new set; within one, in the order they are made
        sorted_new = new[order]
        starts = np.flatnonzero(np.r_[True, sorted_new[1:] != sorted_new[:-1]]) if len(new) else np.zeros(0, int)
        step = max(1, settings.TRIP_GROW_CHUNK // max(nt, 1))
        parts: list[tuple[NDArray[Any], ...]] = []
        s = 0
        while s < len(starts):
            lo = int(starts[s])
            end = lo + step
            e = len(starts) if end >= len(order) else max(s + 1, int(np.searchsorted(starts, end, side="right")) - 1)
            hi = int(starts[e]) if e < len(starts) else len(order)
            rows = order[lo:hi]
            label = pair_label[rows]
            cost = labels.cost[label][:, None] + day[pair_block[rows] * nq + labels.town[label]]
            local = starts[s:e] - lo
            least = np.minimum.reduceat(cost, local, axis=0)  # (sets, targets)
            size = np.diff(np.r_[local, hi - lo])
            hit = (cost == np.repeat(least, size, axis=0)) & np.isfinite(cost)
            first = np.minimum.reduceat(np.where(hit, np.arange(hi - lo)[:, None], hi - lo), local, axis=0)
            seg, col = np.nonzero(np.isfinite(least))
            pair = rows[first[seg, col]]
            parts.append(
                (
                    sorted_new[lo + local[seg]],
                    targets[col],
                    least[seg, col],
                    pair_label[pair],
                    pair_block[pair],
                    labels.town[pair_label[pair]],
                    pair * nt + col,
                )
            )
            s = e
        if not parts:
            empty_int = np.zeros(0, dtype=np.int64)
            return (empty_int, empty_int, np.zeros(0), empty_int, empty_int, empty_int, empty_int)
        return tuple(np.concatenate(z) for z in zip(*parts, strict=True))

    def _grow(
        self, labels: _Labels, towns: NDArray[np.bool_], max_labels: int, day: int, room: int | None = None
    ) -> _Labels:
        """Labels after one more day (their ``day``-th) sleeping in one of ``towns``, the cheapest per (set, town);
        beyond ``room`` (default ``max_labels``) of them, the best ``max_labels``."""
        targets = np.flatnonzero(towns)
        mask, town, cost, parent, block, came, position = self._extend(labels, targets, day)
        if len(mask) > (
            max_labels if room is None else room
        ):  # the best labels of each town: most priority, then least driving
            self.complete = False
            self.cut = self.cut or "work limit"
            weight = self._weights(mask)
            order = np.lexsort((cost, -weight, town))
            rank = np.arange(len(order)) - np.searchsorted(town[order], town[order])
            chosen = order[rank < max(1, max_labels // len(targets))]
            keep = chosen[np.argsort(position[chosen])]  # in the order they were made
            return _Labels(mask[keep], town[keep], cost[keep], parent[keep], block[keep], came[keep])
        return _Labels(mask, town, cost, parent, block, came)

    def _weights(self, masks: NDArray[np.int64]) -> NDArray[np.float64]:
        out = np.zeros(len(masks))
        for i in range(self.p.n):
            out += self.p.weights[i] * ((masks >> i) & 1)
        return out

    def routes(self, tour: int) -> tuple[list[list[int]], list[int]]:
        """Day routes and the overnight places (after each day) of tour ``tour`` of :attr:`tours`."""
        t = self.tours
        kind = self.kinds[int(t.kind[tour])]
        routes: list[list[int]] = []
        nights: list[int] = []
        label, block, came, at = int(t.parent[tour]), int(t.block[tour]), int(t.came_from[tour]), self.pos[kind[1]]
        for day in range(kind[0] - 1, -1, -1):
            b = self.blocks[block]
            routes.append([int(v) for v in b.perms[b.order[came, at]]])
            nights.append(int(self.q[at]))
            if day == 0:
                break
            lab = self.days[day]
            at = int(lab.town[label])
            label, block, came = int(lab.parent[label]), int(lab.block[label]), int(lab.came_from[label])
        return routes[::-1], nights[::-1]


def _relaxed_tour_min(
    p: TripProblem, e: _Enumeration, price: NDArray[np.float64], kind: tuple[int, int], free: bool = False
) -> float:
    """Least driving (none with ``free``) minus ``price`` of the stations visited, over tours of ``kind``
    that may visit a station more than once (a relaxation: a lower bound on every real tour's value)."""
    length, last = kind
    inner = np.zeros(len(e.q), dtype=bool)
    inner[[e.pos[t] for t in p.towns]] = True
    gain = np.array([sum(price[i] for i in range(p.n) if (b.mask >> i) & 1) for b in e.blocks])
    day = np.where(np.isfinite(e.cost), 0.0, INF) if free else e.cost
    day = day - gain[:, None, None]  # (blocks, Q, Q)
    step = day.min(axis=0)  # best day between each pair of places
    value = np.full(len(e.q), INF)
    value[e.pos[p.start]] = 0.0
    for t in range(1, length + 1):
        value = (value[:, None] + step).min(axis=0)
        allowed = np.zeros(len(e.q), dtype=bool)
        if t == length:
            allowed[e.pos[last]] = True
        else:
            allowed |= inner
        value = np.where(allowed, value, INF)
    return float(value[e.pos[last]])


def solve_tours(
    p: TripProblem,
    time_limit: float = settings.TRIP_TIME_LIMIT_S,
    objective: str = "travel",
    progress: Progress | None = None,
    blocks: list[_Block] | None = None,
    max_labels: int = settings.TRIP_MAX_LABELS,
    max_nodes: int = settings.TRIP_MAX_NODES,
) -> TripSolution:
    """Exact over every tour: enumerate the tours, then choose one per calendar slot (HiGHS).

    The tours between two nights at home are independent, so the trip is a set partition of the
    stations into tours of the calendar's lengths: each station in one tour or left out (at a
    penalty above any driving), each slot of the calendar one tour of its kind (days, last
    place).  With every tour enumerated (labels within ``max_labels`` a day) and HiGHS done
    within ``max_nodes`` nodes, the plan is optimal.  With every tour but more than
    ``settings.TRIP_FULL_MASTER_COLUMNS``, the tours are chosen among those of least LP reduced
    cost, and the bound is the least of that choice's MIP bound and :func:`reduced_cost_bounds`'
    bound on the plans using another tour (optimal when the plan is within it).  Otherwise (tours
    cut) the bound is Lagrangian: the master LP's prices of the stations and a relaxed tour DP that
    may visit a station twice.

    ``objective="coverage"`` only asks how much priority fits (driving is not minimised);
    ``"fit"`` only the plan that fits everything with the least driving, ``"fit-lp"`` only whether
    the LP relaxation of that says they may fit (see :func:`solve`).  When the calendar leaves room
    for fewer than ``per_day`` visits beyond the stations, only the tours at most that many visits
    short of full days can be part of such a plan: only those are enumerated (far fewer, often all).
    """
    import scipy.sparse as sp

    started = time.perf_counter()
    report = _Reporter(progress)
    q = np.array(p.places)
    blocks = blocks if blocks is not None else (_blocks(p, q) or [])
    slack = p.per_day * p.days - p.n  # visits the calendar could make beyond the stations
    tight = objective in ("fit", "fit-lp") and 0 <= slack < p.per_day  # every tour nearly full: only those
    e = _enumeration(p, blocks, max_labels, started + 0.5 * time_limit, slack if tight else None)
    slots = _slots(p)
    kinds = list(dict.fromkeys(slots))
    count = np.array([slots.count(kind) for kind in kinds], dtype=float)
    wanted = np.array([kinds.index(k) if k in kinds else -1 for k in e.kinds])
    pick = np.flatnonzero(wanted[e.tours.kind] >= 0)
    mask, tour_cost, tour_kind = e.tours.mask[pick], e.tours.cost[pick], wanted[e.tours.kind[pick]]
    complete = e.tours.complete
    if objective == "fit-lp":  # the relaxation only: they may fit (only the MIP tells), or they do not
        out = plan_solution(p, [[] for _ in range(p.days)], [p.start] * p.days + [p.end], float("nan"), "", "", started)
        out.solver, out.bound_min = "tours enumerated, HiGHS (LP)", float("nan")
        if e.may_fit({kind: slots.count(kind) for kind in kinds}):
            out.status, out.coverage_proven, out.cut = "relaxed", False, ""
        else:
            out.status, out.coverage_proven, out.cut = "infeasible", complete, "" if complete else e.cut
        return out
    report("blocks", columns=len(pick))
    n, nt = p.n, len(pick)
    w_min = float(p.weights.min()) if n else 1.0
    question = objective == "coverage"
    penalty = (p.weights / w_min) if question else p.penalty_min * p.weights / w_min
    cost = np.zeros(nt) if question else tour_cost
    fit = objective in ("fit", "fit-lp")  # every station, the least driving: nothing may be left out
    bits = (mask[:, None] >> np.arange(n)[None, :]) & 1
    cols, rows = np.nonzero(bits)
    cover = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, nt))
    empty = mask == 0
    b = MipBuilder()
    y = b.columns(nt, cost=cost, upper=np.where(empty, count[tour_kind], 1.0), integer=True)
    z = b.columns(n, cost=penalty, upper=0.0 if fit else 1.0, integer=True)
    b.rows(1.0, 1.0, (y, cover), (z, sp.identity(n)))
    b.rows(count, count, (y, sp.csr_matrix((np.ones(nt), (tour_kind, np.arange(nt))), shape=(len(kinds), nt))))
    mip = b.build()
    h = new_highs(max(0.1, time_limit - (time.perf_counter() - started)), 0.0)
    h.setOptionValue("mip_max_nodes", int(max_nodes))
    h.setOptionValue("mip_abs_gap", 0.5 if question else 1e-3)
    h.passModel(mip.lp(relax=True))
    h.run()
    if (
        fit and h.modelStatusToString(h.getModelStatus()) == "Infeasible"
    ):  # not even the relaxation: they do not all fit
        out = plan_solution(p, [[] for _ in range(p.days)], [p.start] * p.days + [p.end], float("nan"), "", "", started)
        out.solver, out.status, out.bound_min = "tours enumerated, HiGHS (LP)", "infeasible", float("nan")
        out.coverage_proven, out.cut = complete, "" if complete else e.cut
        return out
    lp_value = float(h.getInfo().objective_function_value)
    price = np.asarray(h.getSolution().row_dual, dtype=float)[:n]
    bound = lp_value
    if not complete:  # Lagrangian bound: relaxed tours priced at the master's station prices
        relaxed = sum(c * _relaxed_tour_min(p, e, price, k, question) for c, k in zip(count, kinds, strict=True))
        bound = float(price.sum() + np.minimum(0.0, penalty - price).sum() + relaxed)
    report("bound", bound=bound)
    keep = np.arange(nt)
    full_master = complete and nt <= settings.TRIP_FULL_MASTER_COLUMNS
    outside = INF  # with every tour there: a bound on the plans using a tour left out of the master
    if not full_master:  # a restricted master: the tours of least reduced cost and the LP's own
        lp_x = np.asarray(h.getSolution().col_value, dtype=float)[:nt]
        reduced = np.asarray(h.getSolution().col_dual, dtype=float)[:nt]
        best = np.lexsort((np.arange(nt), reduced))[: settings.TRIP_PARTIAL_COLUMNS]
        keep = np.union1d(best, np.flatnonzero(lp_x > 1e-9))
        keep = np.union1d(keep, np.flatnonzero(empty))
        if complete:
            upper = np.where(empty, count[tour_kind], 1.0)
            lagrange, outside = reduced_cost_bounds(
                np.asarray(h.getSolution().row_dual, dtype=float),
                (cost, penalty),
                (upper, np.full(n, 0.0 if fit else 1.0)),
                (cover, tour_kind),
                count,
                keep,
            )
            bound = max(bound, lagrange) if math.isfinite(lagrange) else bound
    sub = MipBuilder()
    y = sub.columns(len(keep), cost=cost[keep], upper=np.where(empty[keep], count[tour_kind[keep]], 1.0), integer=True)
    z = sub.columns(n, cost=penalty, upper=0.0 if fit else 1.0, integer=True)
    sub.rows(1.0, 1.0, (y, cover[:, keep]), (z, sp.identity(n)))
    kind_rows = sp.csr_matrix(
        (np.ones(len(keep)), (tour_kind[keep], np.arange(len(keep)))), shape=(len(kinds), len(keep))
    )
    sub.rows(count, count, (y, kind_rows))
    master = sub.build()
    h.passModel(master.lp())
    # HiGHS 1.16's MIP presolve spent 21 of 24 s probing the 37,000 tours of a Guangdong trip
    # whose LP is within 0.04 % of the optimum; without it the root solves it.
    h.setOptionValue("presolve", "off" if complete else "on")
    _Watch(h, report, p.penalty_min)
    h.run()
    status = h.modelStatusToString(h.getModelStatus())
    info = h.getInfo()
    x = np.asarray(h.getSolution().col_value, dtype=float)
    if fit and (not info.primal_solution_status or len(x) != len(master.cost)):  # no plan keeps them all
        out = plan_solution(p, [[] for _ in range(p.days)], [p.start] * p.days + [p.end], float("nan"), "", "", started)
        out.solver, out.status, out.bound_min = "tours enumerated, HiGHS (MIP)", "infeasible", float("nan")
        out.coverage_proven = complete and status == "Infeasible"
        out.cut = "" if out.coverage_proven else (cut_of(status) or e.cut)
        return out
    if not info.primal_solution_status or len(x) != len(master.cost):
        if complete and status == "Infeasible":
            msg = "the start and end are too far apart for the days given; add a day or allow an evening transfer"
            raise InputError(msg)
        # no plan within the limits: the heuristic's, with the bound found here
        sol = solve_heuristic(p, time_limit, bound=False, progress=progress)
        sol.bound_min = float("nan")
        sol.coverage_proven = not sol.unvisited
        sol.cut = sol.cut or cut_of(status) or "work limit"
        return sol
    x = np.r_[np.bincount(keep, weights=x[: len(keep)], minlength=nt), x[len(keep) :]]
    restricted = float(info.mip_dual_bound) if np.isfinite(info.mip_dual_bound) else -INF
    if full_master:
        bound = max(bound, restricted)
    elif complete:  # a better plan is in the restricted master (above its bound) or uses a tour left out
        bound = max(bound, min(restricted, outside))
    chosen = [int(j) for j in np.flatnonzero(np.round(x[:nt]) > 0) for _ in range(int(round(x[j])))]
    plan = _assign(p, e, [int(pick[j]) for j in chosen], slots)
    name = (
        "tours enumerated, HiGHS (set partitioning)"
        if full_master
        else "tours enumerated, HiGHS (set partitioning over the least reduced costs)"
        if complete
        else "best tours of each day, HiGHS (set partitioning)"
    )
    sol = plan_solution(p, *plan, float("nan"), name, "feasible", started)
    dropped = float(penalty[sol.unvisited].sum())
    objective_value = float(info.objective_function_value)
    proven = complete and status == "Optimal" and (full_master or outside >= objective_value - 1e-3)
    sol.coverage_proven = proven or bound >= dropped - 1e-6 * max(1.0, dropped)
    if question:
        sol.bound_min = float("nan")
    elif proven:
        sol.bound_min = sol.travel_min
    elif sol.coverage_proven:
        sol.bound_min = min(sol.travel_min, max(0.0, bound - dropped))
        if not sol.unvisited:  # every station: the tours from home bound them too (often far closer)
            sol.bound_min = max(sol.bound_min, held_karp_bound(p, list(range(n)), sol.travel_min))
    sol.status = "optimal" if proven or (sol.coverage_proven and sol.gap == 0) else "feasible"
    sol.cut = "" if sol.status == "optimal" else (cut_of(status) or e.cut or "work limit")
    sol.seconds = time.perf_counter() - started
    return sol


def reduced_cost_bounds(
    row_price: NDArray[np.float64],
    costs: tuple[NDArray[np.float64], NDArray[np.float64]],
    uppers: tuple[NDArray[np.float64], NDArray[np.float64]],
    rows: tuple[Any, NDArray[np.int64]],
    count: NDArray[np.float64],
    keep: NDArray[np.int64],
) -> tuple[float, float]:
    """Lagrangian bounds of the tour model ``min c.y + penalty.z : cover y + z = 1, tours of each kind
    = count, 0 <= y, z <= upper`` for any row prices (the master LP's): (every plan, every plan using a
    tour not in ``keep``).

    With the rows priced, a plan costs ``prices.b + sum of reduced costs d`` of its columns, and no
    column gives less than ``min(0, d) * upper``: the first bound, true whatever the prices (for the
    LP's optimal prices it is the LP value).  A plan using tour ``j`` pays ``d_j`` (at least 0) more:
    the least over the tours not kept is the second bound (infinite when every tour is kept).  So the
    best plan among the kept tours, if it costs no more than the second bound, is optimal.

    ``rows`` is the (stations, tours) cover matrix and each tour's kind; ``costs`` and ``uppers``
    those of the tours and of leaving each station out.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> cover = sp.csr_matrix(np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]]))  # tours {0}, {1}, {0, 1}
    >>> price = np.array([10.0, 10.0, 0.0])  # two stations, one kind of tour
    >>> reduced_cost_bounds(price, (np.array([10.0, 10.0, 30.0]), np.full(2, 99.0)), (np.ones(3), np.zeros(2)),
    ...                     (cover, np.zeros(3, dtype=np.int64)), np.array([2.0]), np.array([0, 1]))
    (20.0, 30.0)
    """
    cover, kind = rows
    n = cover.shape[0]
    station_price, kind_price = row_price[:n], row_price[n:]
    d_tour = costs[0] - cover.T @ station_price - kind_price[kind]
    d_out = costs[1] - station_price
    every = float(
        station_price.sum()
        + kind_price @ count
        + (np.minimum(0.0, d_tour) * uppers[0]).sum()
        + (np.minimum(0.0, d_out) * uppers[1]).sum()
    )
    left = np.ones(len(d_tour), dtype=bool)
    left[keep] = False
    outside = every + float(np.maximum(0.0, d_tour[left]).min()) if left.any() else INF
    return every, outside


def cut_of(status: str) -> str:
    """Why HiGHS stopped early, in the words of :attr:`TripSolution.cut` (``""`` when it finished)."""
    return {
        "Time limit reached": "time limit",
        "Interrupted by user": "stopped",
        "Node limit reached": "work limit",
    }.get(status, "")


def _assign(p: TripProblem, e: _Enumeration, chosen: list[int], slots: list[tuple[int, int]]) -> Plan:
    """The chosen tours in calendar order: each kind's tours in the order of their first station."""
    by_kind: dict[tuple[int, int], list[tuple[list[list[int]], list[int]]]] = {}
    for j in chosen:
        by_kind.setdefault(e.kinds[int(e.tours.kind[j])], []).append(e.routes(j))
    for tours in by_kind.values():
        tours.sort(key=lambda tour: min((i for r in tour[0] for i in r), default=p.n))
    routes: list[list[int]] = []
    nights = [p.start]
    for slot in slots:
        day_routes, day_nights = by_kind[slot].pop(0)
        routes += day_routes
        nights += day_nights
    return routes, nights


# --------------------------------------------------------------------------- heuristic
def _seconds(minutes: float) -> int:
    return int(round(float(minutes) * 60.0))


def _routing_params(solutions: int, seconds: float) -> Any:
    """OR-Tools routing search parameters: guided local search for ``solutions`` solutions (a limit of
    work, so the same answer every time), with ``seconds`` as a safety net."""
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    params.solution_limit = max(10, int(solutions))
    params.time_limit.FromMilliseconds(max(100, int(seconds * 1000)))
    return params


def giant_tour(p: TripProblem, stations: list[int], seconds: float) -> list[int]:
    """Order of ``stations`` on the shortest path start -> stations -> end (OR-Tools routing)."""
    from ortools.constraint_solver import pywrapcp

    if len(stations) <= 1:
        return list(stations)
    nodes = list(stations) + [p.start] + ([p.end] if p.end != p.start else [])
    sec = np.rint(p.minutes[np.ix_(nodes, nodes)] * 60.0).astype(np.int64).tolist()
    s_node, e_node = len(stations), len(nodes) - 1
    manager = pywrapcp.RoutingIndexManager(len(nodes), 1, [s_node], [e_node])
    routing = pywrapcp.RoutingModel(manager)
    cb = routing.RegisterTransitCallback(lambda i, j: sec[manager.IndexToNode(i)][manager.IndexToNode(j)])
    routing.SetArcCostEvaluatorOfAllVehicles(cb)
    found = routing.SolveWithParameters(_routing_params(settings.TRIP_ROUTING_SOLUTIONS * len(nodes), seconds))
    order: list[int] = []
    index = routing.Start(0)
    while not routing.IsEnd(index):
        node = manager.IndexToNode(index)
        if node < len(stations):
            order.append(stations[node])
        index = found.Value(routing.NextVar(index))
    return order


def split_tour(p: TripProblem, order: list[int], nearest: int = 5) -> tuple[list[list[int]], list[int]]:
    """Cut a station order into days and choose overnight towns (dynamic program).

    Overnight candidates after a day are the ``nearest`` towns to its last station, the start
    (home) and the end.  Stations that do not fit in the days are left out, from the end of the order.
    """
    m, n, k = p.minutes, len(order), p.per_day
    order_a = np.asarray(order, dtype=int)
    towns = np.array(p.towns if p.towns else [p.end])
    c = min(nearest, len(towns))
    cols = c + 2
    hotel = np.empty((n + 1, cols), dtype=int)
    hotel[0, :] = p.start
    if n:
        near = np.argsort(m[order_a][:, towns], axis=1, kind="stable")[:, :c]
        hotel[1:, :c] = towns[near]
    hotel[:, c] = p.end
    hotel[:, c + 1] = p.start
    legs = m[order_a[:-1], order_a[1:]] if n > 1 else np.zeros(0)
    cum_leg = np.concatenate([[0.0], np.cumsum(legs)])
    cum_vis = np.concatenate([[0.0], np.cumsum(p.visit_min[order_a])]) if n else np.zeros(1)
    value = np.full((n + 1, cols), INF)
    value[0, c + 1] = 0.0  # the first morning at the start
    backs: list[tuple[NDArray[np.int64], NDArray[np.int64]]] = []
    lim_w, lim_t = p.day_min + 1e-6, p.day_min + p.evening_min + 1e-6
    for t in range(1, p.days + 1):
        ok_hotel = np.isin(hotel, p.night_allowed(t))
        new = np.full_like(value, INF)
        bp = np.full((n + 1, cols), -1, dtype=np.int64)  # previous position
        bj = np.zeros((n + 1, cols), dtype=np.int64)  # previous column
        # an empty day: drive (or stay) from any place to any allowed place at the same position
        stay = m[hotel[:, :, None], hotel[:, None, :]]  # (n+1, cols, cols)
        cand = np.where(stay <= lim_t, value[:, :, None] + stay, INF)
        arg = cand.argmin(axis=1)
        best = np.take_along_axis(cand, arg[:, None, :], axis=1)[:, 0, :]
        best = np.where(ok_hotel, best, INF)
        new, bp[:], bj = best, np.arange(n + 1)[:, None], arg
        for size in range(1, min(k, n) + 1):
            pos = np.arange(0, n - size + 1)
            first, lastst = order_a[pos], order_a[pos + size - 1]
            inner = cum_leg[pos + size - 1] - cum_leg[pos]
            vis = cum_vis[pos + size] - cum_vis[pos]
            ha, hb = hotel[pos], hotel[pos + size]
            din = m[ha, first[:, None]]
            work = din + (inner + vis)[:, None]
            dout = m[lastst[:, None], hb]
            total = work[:, :, None] + dout[:, None, :]
            feas = (work[:, :, None] <= lim_w) & (total <= lim_t) & ok_hotel[pos + size][:, None, :]
            cost = value[pos][:, :, None] + din[:, :, None] + inner[:, None, None] + dout[:, None, :]
            cost = np.where(feas, cost, INF)
            arg = cost.argmin(axis=1)
            best = np.take_along_axis(cost, arg[:, None, :], axis=1)[:, 0, :]
            target = pos + size
            better = best < new[target]
            new[target] = np.where(better, best, new[target])
            bp[target] = np.where(better, pos[:, None], bp[target])
            bj[target] = np.where(better, arg, bj[target])
        value = new
        backs.append((bp, bj))
    final = np.where(hotel == p.end, value, INF)
    reach = np.flatnonzero(np.isfinite(final).any(axis=1))
    if len(reach) == 0:
        empty: list[list[int]] = [[] for _ in range(p.days)]
        return empty, best_nights(p, empty, strict=False)
    pos_ = int(reach.max())
    j = int(final[pos_].argmin())
    routes: list[list[int]] = []
    nights = [int(hotel[pos_, j])]
    for t in range(p.days, 0, -1):
        bp, bj = backs[t - 1]
        prev, pj = int(bp[pos_, j]), int(bj[pos_, j])
        routes.append([int(v) for v in order_a[prev:pos_]])
        pos_, j = prev, pj
        nights.append(int(hotel[pos_, j]))
    return routes[::-1], nights[::-1]


def improve_routes(
    p: TripProblem, routes: list[list[int]], nights: list[int], solutions: int, stations: list[int]
) -> list[list[int]]:
    """Re-route the days with the overnight places fixed (OR-Tools routing, one vehicle a day).

    Day hours are a time dimension (visits end by ``day_min``, the day by ``day_min + evening_min``),
    the visit cap a count dimension; a station may be left out at a penalty above any saving.
    The search stops after ``solutions`` solutions (deterministic).
    """
    from ortools.constraint_solver import pywrapcp

    D = p.days
    depots = sorted(set(nights))
    nodes = list(stations) + depots
    index_of = {v: i for i, v in enumerate(nodes)}
    ns = len(stations)
    sec = np.rint(p.minutes[np.ix_(nodes, nodes)] * 60.0).astype(np.int64)
    visit = np.zeros(len(nodes), dtype=np.int64)
    visit[:ns] = np.rint(p.visit_min[stations] * 60.0)
    sec_l, service = sec.tolist(), visit.tolist()
    starts = [index_of[nights[t]] for t in range(D)]
    ends = [index_of[nights[t + 1]] for t in range(D)]
    manager = pywrapcp.RoutingIndexManager(len(nodes), D, starts, ends)
    routing = pywrapcp.RoutingModel(manager)

    def travel(i: int, j: int) -> int:
        return sec_l[manager.IndexToNode(i)][manager.IndexToNode(j)]

    def timed(i: int, j: int) -> int:
        a = manager.IndexToNode(i)
        return sec_l[a][manager.IndexToNode(j)] + service[a]

    cost_cb = routing.RegisterTransitCallback(travel)
    routing.SetArcCostEvaluatorOfAllVehicles(cost_cb)
    time_cb = routing.RegisterTransitCallback(timed)
    work_cap, total_cap = _seconds(p.day_min), _seconds(p.day_min + p.evening_min)
    routing.AddDimension(time_cb, 0, total_cap, True, "time")
    dim = routing.GetDimensionOrDie("time")
    for node in range(ns):
        dim.CumulVar(manager.NodeToIndex(node)).SetMax(max(0, work_cap - service[node]))
    count_cb = routing.RegisterUnaryTransitCallback(lambda i: 1 if manager.IndexToNode(i) < ns else 0)
    routing.AddDimensionWithVehicleCapacity(count_cb, 0, [p.per_day] * D, True, "visits")
    penalty = int(sec.max() * (len(nodes) + 2) + 1)
    w = p.weights[stations]
    for node in range(ns):
        routing.AddDisjunction([manager.NodeToIndex(node)], int(penalty * max(w[node], 1e-3) / max(w.max(), 1e-3)) + 1)
    initial = [[index_of[i] for i in r if i in index_of] for r in routes]
    params = _routing_params(solutions, settings.TRIP_TIME_LIMIT_S)
    routing.CloseModelWithParameters(params)
    assignment = routing.ReadAssignmentFromRoutes(initial, True)
    found = (
        routing.SolveFromAssignmentWithParameters(assignment, params)
        if assignment
        else routing.SolveWithParameters(params)
    )
    if found is None:
        return routes
    out: list[list[int]] = []
    for v in range(D):
        index = found.Value(routing.NextVar(routing.Start(v)))
        day: list[int] = []
        while not routing.IsEnd(index):
            day.append(stations[manager.IndexToNode(index)])
            index = found.Value(routing.NextVar(index))
        out.append(day)
    return out


def _feasible(p: TripProblem, routes: list[list[int]], nights: list[int]) -> bool:
    return all(day_ok(p, nights[t], r, nights[t + 1]) for t, r in enumerate(routes))


def _better(p: TripProblem, a: Plan, b: Plan) -> bool:
    """Whether plan ``a`` = (routes, nights) beats ``b``: more priority kept, then less driving."""
    kept_a = sum(p.weights[i] for r in a[0] for i in r)
    kept_b = sum(p.weights[i] for r in b[0] for i in r)
    if abs(kept_a - kept_b) > 1e-9:
        return kept_a > kept_b
    return trip_travel(p, *a) < trip_travel(p, *b) - 1e-6


def solve_heuristic(
    p: TripProblem,
    time_limit: float = settings.TRIP_HEURISTIC_TIME_LIMIT_S,
    bound: bool = True,
    patience: int = 2,
    progress: Progress | None = None,
) -> TripSolution:
    """Giant tour + split into days, then alternate routing the days and re-choosing the towns.

    Stops after ``patience`` rounds without improvement (each one given twice the routing
    solutions of the one before); ``time_limit`` seconds is a safety net (a plan cut by it says so).
    """
    started = time.perf_counter()
    report = _Reporter(progress)
    deadline = started + time_limit
    out_of_reach = set(_unreachable(p))
    stations = [i for i in range(p.n) if i not in out_of_reach]
    order = giant_tour(p, stations, 0.5 * time_limit)
    routes, nights = split_tour(p, order)
    best: Plan = (routes, nights)
    solutions = settings.TRIP_ROUTING_SOLUTIONS * (len(stations) + p.days)
    stale, cut = 0, ""
    while stations and stale < patience and not report.stop:
        if time.perf_counter() > deadline:
            cut = "time limit"
            break
        routes = improve_routes(p, best[0], best[1], solutions, stations)
        nights = best_nights(p, routes) or best[1]
        if not _feasible(p, routes, nights):
            routes, nights = best
        if _better(p, (routes, nights), best):
            best, stale = (routes, nights), 0
            report("plan", objective=trip_travel(p, *best), bound=float("nan"))
        else:
            stale, solutions = stale + 1, 2 * solutions
    routes, nights = best
    travel = trip_travel(p, routes, nights)
    lb = held_karp_bound(p, [i for r in routes for i in r], travel) if bound else float("nan")
    sol = plan_solution(
        p, routes, nights, lb, "giant tour + split + OR-Tools routing (heuristic)", "heuristic", started
    )
    sol.coverage_proven = not sol.unvisited
    sol.cut = "stopped" if report.stop else cut
    return sol


# --------------------------------------------------------------------------- bound
def held_karp_bound(p: TripProblem, stations: list[int], upper: float, iterations: int = 300) -> float:
    """Held-Karp 1-tree lower bound (minutes) on any path start -> ``stations`` -> end.

    Any plan visiting these stations drives at least this much: overnight stops only add
    driving once the matrix is replaced by its shortest-path closure (done here).  A calendar of
    several tours from and back to home (``p.tours``, start = end) also counts the returns home:
    the bound is then the least of :func:`home_tours_bound` over the numbers of tours that can
    hold the stations (:func:`fewest_tours`) up to the calendar's.
    """
    from scipy.sparse.csgraph import shortest_path

    nodes = list(dict.fromkeys([p.start, *stations, p.end]))
    if len(nodes) <= 2:
        return float(p.minutes[p.start, p.end]) if p.start != p.end else 0.0
    closure = shortest_path(p.minutes, method="D" if len(p.minutes) > 200 else "FW")
    d = closure[np.ix_(nodes, nodes)]
    if p.start == p.end and len(p.tours) > 1:
        d = np.minimum(d, d.T)
        most = min(len(p.tours), len(nodes) - 1)
        return min(home_tours_bound(d, k, upper, iterations) for k in range(fewest_tours(p, len(nodes) - 1), most + 1))
    d = np.minimum(d, d.T)  # a bound on the symmetric version is a bound on both directions
    big = 1e6 * (d.max() + 1)
    if p.start != p.end:  # path s -> e = cycle through a dummy node joined to s and e only
        size = len(nodes) + 1
        full = np.full((size, size), big)
        full[:-1, :-1] = d
        s, e = 0, len(nodes) - 1
        full[-1, s] = full[s, -1] = full[-1, e] = full[e, -1] = 0.0
        d = full
    np.fill_diagonal(d, big)
    n = len(d)
    pi = np.zeros(n)
    best = 0.0
    step = 2.0
    for _ in range(iterations):
        w = d + pi[:, None] + pi[None, :]
        degree, length = _one_tree(w)
        value = length - 2 * pi.sum()
        best = max(best, value)
        g = degree - 2
        if not g.any():
            break
        step_len = step * (upper - value) / float((g * g).sum())
        pi += step_len * g
        step *= 0.97
    return float(min(best, upper))


def fewest_tours(p: TripProblem, stations: int) -> int:
    """The fewest of the calendar's tours that can visit ``stations`` stations at ``p.per_day`` a day.

    >>> x = np.arange(4.0)
    >>> p = TripProblem(np.abs(x[:, None] - x[None, :]), 3, (3,), 3, 3, days=3, per_day=1, visit_min=60,
    ...                 day_min=480, tours=(2, 1))
    >>> fewest_tours(p, 3), fewest_tours(p, 2), fewest_tours(p, 1)
    (2, 1, 1)
    """
    room = np.cumsum(sorted((p.per_day * length for length in p.tours), reverse=True))
    return min(int(np.searchsorted(room, stations)) + 1, len(p.tours))


def home_tours_bound(d: NDArray[np.float64], tours: int, upper: float, iterations: int = 300) -> float:
    """Lagrangian lower bound (minutes) on ``tours`` closed tours from home (node 0) visiting every other node once.

    Without home, the tours are ``tours`` paths covering the stations: a spanning forest of that
    many trees, so at least the minimum spanning tree less its ``tours - 1`` longest edges; each
    path's two ends join home: at least the ``2 * tours`` cheapest home edges, each station at most
    twice (a tour of one station).  Held and Karp's node prices (each station's degree is 2 in
    every plan) tighten it by subgradient steps towards ``upper``.  ``d`` is symmetric and metric.

    Examples
    --------
    >>> # home in the middle of a line, one station 10 min each side: two tours of 20 min each
    >>> d = np.array([[0.0, 10, 10], [10, 0, 20], [10, 20, 0]])
    >>> home_tours_bound(d, 2, 40.0), home_tours_bound(d, 1, 40.0)
    (40.0, 40.0)
    """
    from scipy.sparse.csgraph import minimum_spanning_tree

    n = len(d)
    pi = np.zeros(n)
    best, step = 0.0, 2.0
    for _ in range(iterations if math.isfinite(upper) else 1):  # the steps aim at ``upper``
        w = d + pi[:, None] + pi[None, :]
        inner = w[1:, 1:]
        # the tree does not change when every edge costs the same more: keep them all positive
        shifted = inner - inner.min() + 1.0
        np.fill_diagonal(shifted, 0.0)  # no edge
        tree = minimum_spanning_tree(shifted).tocoo()
        edges = np.argsort(inner[tree.row, tree.col], kind="stable")[: max(0, n - 1 - tours)]
        rows, cols = tree.row[edges], tree.col[edges]
        home = np.repeat(np.argsort(w[0, 1:], kind="stable"), 2)[: 2 * tours]  # each station up to twice
        home = np.sort(home)
        degree = np.zeros(n)
        np.add.at(degree, rows + 1, 1.0)
        np.add.at(degree, cols + 1, 1.0)
        np.add.at(degree, home + 1, 1.0)
        length = float(inner[rows, cols].sum() + w[0, 1 + home].sum())
        value = length - 2 * pi[1:].sum()
        best = max(best, value)
        g = degree - 2
        g[0] = 0.0  # home has 2 * tours edges in every plan and here
        if not g.any():
            break
        pi += step * (upper - value) / float((g * g).sum()) * g
        step *= 0.97
    return float(min(best, upper))


def _one_tree(w: NDArray[np.float64]) -> tuple[NDArray[np.float64], float]:
    """Degrees and length of a minimum 1-tree (node 0 special) by Prim's algorithm."""
    n = len(w)
    in_tree = np.zeros(n, dtype=bool)
    in_tree[0] = True
    degree = np.zeros(n)
    if n == 2:
        return np.array([2.0, 2.0]), float(2 * w[0, 1])
    in_tree[1] = True
    dist = w[1].copy()
    parent = np.full(n, 1)
    length = 0.0
    for _ in range(n - 2):
        dist_masked = np.where(in_tree, INF, dist)
        j = int(dist_masked.argmin())
        length += dist_masked[j]
        degree[j] += 1
        degree[parent[j]] += 1
        in_tree[j] = True
        closer = w[j] < dist
        dist = np.where(closer, w[j], dist)
        parent = np.where(closer, j, parent)
    two = np.argsort(w[0, 1:])[:2] + 1
    length += w[0, two].sum()
    degree[0] += 2
    degree[two] += 1
    return degree, float(length)


# --------------------------------------------------------------------------- entry point
def solve(
    p: TripProblem,
    method: str = "auto",
    time_limit: float = settings.TRIP_TIME_LIMIT_S,
    progress: Progress | None = None,
    objective: str = "travel",
) -> TripSolution:
    """Best plan by ``method``: ``auto`` (exact when it can be, else heuristic), ``exact``, ``heuristic``, ``dp``, ``blocks``.

    ``objective="coverage"`` asks only how much priority fits (the plan's driving is not
    minimised), ``"fit"`` only whether everything fits (no plan when the LP already says no),
    ``"fit-lp"`` only the cheap half of that: with the tour model, a solution of status
    ``"relaxed"`` (no plan, every station unvisited) when its LP relaxation lets them all fit,
    else the answer of ``"fit"`` (that they do not; other models answer ``"fit"`` in full);
    ``progress`` receives the steps (see :data:`Progress`) and may stop the search.
    """
    if method not in ("auto", "exact", "heuristic", "dp", "blocks"):
        msg = f"unknown method {method!r}; use auto, exact, heuristic, dp or blocks"
        raise InputError(msg)
    if objective not in ("travel", "coverage", "fit", "fit-lp"):
        msg = f"unknown objective {objective!r}; use travel, coverage, fit or fit-lp"
        raise InputError(msg)
    started = time.perf_counter()
    if p.n == 0:
        nights = best_nights(p, [[] for _ in range(p.days)])
        if nights is None:
            msg = "the start and end are too far apart for the days given; add a day or allow an evening transfer"
            raise InputError(msg)
        return plan_solution(p, [[] for _ in range(p.days)], nights, 0.0, "trivial", "optimal", started)
    small = _dp_work(p) <= DP_MAX_WORK and p.n <= 20
    if method == "dp" or (method in ("auto", "exact") and small):
        return solve_dp(p)
    if method == "heuristic":
        return solve_heuristic(p, time_limit, progress=progress)
    limit = INF if method in ("blocks", "exact") else settings.TRIP_BLOCKS_MAX_COLUMNS
    blocks = _blocks(p, np.array(p.places), limit)
    if blocks is None or p.n > 62:
        return solve_heuristic(p, time_limit, progress=progress)
    if method == "blocks":
        return solve_blocks(
            p, time_limit, objective="travel" if objective == "travel" else "coverage", progress=progress, blocks=blocks
        )
    return solve_tours(p, time_limit, objective=objective, progress=progress, blocks=blocks)
