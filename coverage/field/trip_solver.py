"""Solvers for multi-day trips with a chosen overnight town: arrays only, no geometry.

The problem (:class:`TripProblem`): visit stations over ``days`` working days, at most
``per_day`` a day, leaving ``start`` on the first morning and reaching ``end`` on the last
evening; every other night is spent in one of the ``towns``.  A day is a route
``town -> stations -> town``; its *work* (driving up to the last station plus the visits)
must fit in ``day_min`` minutes, and the whole day (work plus the drive to the overnight
town) in ``day_min + evening_min``.  The objective is the total driving time, in minutes.
When not all stations fit, the plan keeps the greatest total priority (``weights``) and,
among those, the least driving.

Three solvers, one answer type (:class:`TripSolution`, with objective, bound and gap):

* :func:`solve_dp` - exact dynamic program over (stations visited, overnight town), day by
  day; instant below ~12 stations.
* :func:`solve_blocks` - exact set-partitioning model over day blocks (from a town, up to
  ``per_day`` stations, to a town), strengthened by connectivity and odd-set cuts and solved
  with HiGHS; proves optimality for 20 stations / 10 days / a dozen overnight towns in about
  half a minute.
* :func:`solve_heuristic` - giant tour (OR-Tools routing), split into days by a dynamic
  program that picks the overnight towns, then alternating improvement of the day routes
  (OR-Tools routing with fixed overnight towns) and of the towns (a dynamic program); its
  bound is a Held-Karp 1-tree bound on the shortest path through the stations.

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
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import time
from collections.abc import Iterable, Sequence
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
#: Above this many day blocks (columns) ``method="auto"`` uses the heuristic alone.
BLOCKS_MAX_COLUMNS = 400_000

#: Day routes (station indices in order) and overnight places (``days + 1``, first = start).
Plan = tuple[list[list[int]], list[int]]


@dataclass(init=False)
class TripProblem:
    """A multi-day trip in arrays.  Places ``0 .. n_stations-1`` are the stations.

    Parameters
    ----------
    minutes : (P, P) travel minutes between places (rounded to whole seconds here).
    n_stations : number of stations (the first places).
    towns : places allowed as overnight towns between two days.
    start, end : place of the first morning and of the last evening.
    days : number of working days.
    per_day : at most this many visits a day.
    visit_min : minutes on site, one number or one per station.
    day_min : minutes of driving and visits a working day allows (window minus lunch).
    evening_min : the last drive of a day (to the overnight town) may end this many minutes late.
    weights : priority of each station (default 1 each); when not all fit, the highest total is kept.

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
        self.towns = tuple(int(t) for t in dict.fromkeys(towns))
        if days < 1 or per_day < 0:
            msg = f"need at least one day and a non-negative visit cap (got {days} days, {per_day} a day)"
            raise InputError(msg)
        if days > 1 and not self.towns:
            msg = "no overnight town given for a trip of several days; give towns or use overnight at base"
            raise InputError(msg)

    @property
    def n(self) -> int:
        return self.n_stations

    @property
    def places(self) -> list[int]:
        """Places that can be an overnight stop (towns, start and end), sorted."""
        return sorted(set(self.towns) | {self.start, self.end})

    def night_allowed(self, night: int) -> list[int]:
        """Places allowed at the end of day ``night`` (0 = the first morning)."""
        if night == 0:
            return [self.start]
        if night == self.days:
            return [self.end]
        return list(self.towns)


@dataclass
class TripSolution:
    """Day routes (station indices in order) and overnight places (``days + 1``, first = start)."""

    routes: list[list[int]]
    nights: list[int]
    travel_min: float
    bound_min: float
    solver: str
    status: str
    seconds: float = 0.0
    unvisited: list[int] = field(default_factory=list)

    @property
    def gap(self) -> float:
        """(objective - bound) / objective; 0 when proven optimal."""
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


def _solution(
    p: TripProblem,
    routes: Iterable[Iterable[int]],
    nights: Sequence[int],
    bound: float,
    solver: str,
    status: str,
    started: float,
) -> TripSolution:
    int_routes = [list(map(int, r)) for r in routes]
    visited = {i for r in int_routes for i in r}
    travel = trip_travel(p, int_routes, list(nights))
    return TripSolution(
        routes=int_routes,
        nights=[int(v) for v in nights],
        travel_min=round(travel, 6),
        bound_min=round(min(bound, travel), 6),
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


# --------------------------------------------------------------------------- dynamic program
def _block_columns(p: TripProblem) -> float:
    """Upper estimate of the day blocks of :func:`solve_blocks`."""
    k = min(p.per_day, p.n)
    return sum(math.comb(p.n, s) for s in range(k + 1)) * len(p.places) ** 2


def _dp_work(p: TripProblem) -> float:
    k = min(p.per_day, p.n)
    q = len(p.places)
    rows = sum(math.comb(p.n, s) * 2 ** (p.n - s) * math.factorial(s) for s in range(k + 1))
    return float(p.days) * rows * q * q


class _Block(NamedTuple):
    """A set of stations done in one day: for each (from, to) overnight pair its best cost and order.

    ``perms`` lists the orders of the stations tried (one per row), ``order[a, b]`` the row of the
    cheapest from ``a`` to ``b``; the empty set has one order, the empty one.
    """

    mask: int  # bit i set when station i is in the set
    cost: NDArray[np.float64]  # (Q, Q), inf where no order fits the day
    order: NDArray[np.intp]  # (Q, Q) rows of perms
    perms: NDArray[np.int_]  # (orders, |B|)


def _blocks(p: TripProblem, q: NDArray[np.int_]) -> list[_Block]:
    """For every station set B (|B| <= per_day): best cost (Q x Q) and its order, per (from, to)."""
    m = p.minutes
    limit_work, limit_total = p.day_min + 1e-6, p.day_min + p.evening_min + 1e-6
    empty = m[np.ix_(q, q)]
    no_station = np.zeros((1, 0), dtype=np.int_)
    blocks = [_Block(0, np.where(empty <= limit_total, empty, INF), np.zeros(empty.shape, dtype=np.intp), no_station)]
    for size in range(1, min(p.per_day, p.n) + 1):
        for combo in itertools.combinations(range(p.n), size):
            perms = np.array(list(itertools.permutations(combo)))
            inner = np.zeros(len(perms))
            for r in range(size - 1):
                inner += m[perms[:, r], perms[:, r + 1]]
            visits = float(p.visit_min[list(combo)].sum())
            din = m[q][:, perms[:, 0]]  # (Q, perms)
            dout = m[perms[:, -1]][:, q]  # (perms, Q)
            work = din + inner + visits
            total = work[:, :, None] + dout[None, :, :]
            ok = (work[:, :, None] <= limit_work) & (total <= limit_total)
            cost = np.where(ok, total - visits, INF)
            best = cost.argmin(axis=1)
            value = np.take_along_axis(cost, best[:, None, :], axis=1)[:, 0, :]
            if np.isfinite(value).any():
                mask = sum(1 << i for i in combo)
                blocks.append(_Block(mask, value, best, perms))
    return blocks


def solve_dp(p: TripProblem) -> TripSolution:
    """Exact: dynamic program over (set of stations visited, overnight place) for each day."""
    started = time.perf_counter()
    if p.n > 20:
        msg = f"the dynamic program handles at most 20 stations (got {p.n}); use method='blocks' or 'heuristic'"
        raise InputError(msg)
    q = np.array(p.places)
    pos = {int(v): i for i, v in enumerate(q)}
    blocks = _blocks(p, q)
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
    return _solution(p, routes, nights, objective, "dynamic program", "optimal", started)


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

    Nodes: the towns (``0 .. nt-1``), then the start (``nt``) and the end (``nt+1``) as nodes of
    their own.  Column ``j < nb`` is a block (one possible day) from node ``tail[j]`` to node
    ``head[j]`` covering the stations of ``cover[:, j]``; column ``nb + i`` leaves station ``i``
    out at a penalty above any saving.
    """

    def __init__(self, p: TripProblem):
        import scipy.sparse as sp

        self.p = p
        self.q = np.array([*p.towns, p.start, p.end])
        nt = self.nt = len(p.towns)
        nq = len(self.q)
        can_leave = np.arange(nq) != nt + 1
        can_reach = np.arange(nq) != nt
        tail: list[int] = []
        head: list[int] = []
        routes: list[list[int]] = []
        cost: list[float] = []
        masks: list[int] = []
        for mask, value, best, perms in _blocks(p, self.q):
            ok = np.isfinite(value) & can_leave[:, None] & can_reach[None, :]
            for a, b in zip(*np.nonzero(ok), strict=True):
                routes.append([int(v) for v in perms[best[a, b]]])
                tail.append(int(a))
                head.append(int(b))
                cost.append(float(value[a, b]))
                masks.append(mask)
        self.tail, self.head = np.array(tail, dtype=int), np.array(head, dtype=int)
        self.routes = routes
        nb = self.nb = len(routes)
        n = p.n
        self.big = float(p.minutes.max() * (n + 2 * p.days + 2) + 1)
        self.cost = np.concatenate([cost, self.big * p.weights / max(p.weights.max(), 1e-9)])  # + arc flows below
        r = [i for route in routes for i in route]
        c = [j for j, route in enumerate(routes) for _ in route]
        self.cover = sp.csr_matrix((np.ones(len(r)), (r, c)), shape=(n, nb))
        self.empty = np.array([not route for route in routes])
        self.upper = np.concatenate([np.where(self.empty, float(p.days), 1.0), np.ones(n)])
        # rows: each station once (or left out); flow at every node; ``days`` blocks in all
        moves = self.tail != self.head
        j = np.arange(nb)
        flow = sp.csr_matrix(
            (
                np.r_[np.ones(moves.sum()), -np.ones(moves.sum())],
                (np.r_[self.tail[moves], self.head[moves]], np.r_[j[moves], j[moves]]),
            ),
            shape=(nq, nb),
        )
        # connectivity as a flow of one unit from the start: every node sends on 1/days per day
        # that leaves it, along the arcs the days use (f_ab <= days a -> b), so an integer plan is
        # one trail; the max-flow cuts below strengthen the (weak) relaxation of this.
        arcs = sorted(set(zip(self.tail[moves].tolist(), self.head[moves].tolist(), strict=True)))
        na = len(arcs)
        arc_of = {a: k for k, a in enumerate(arcs)}
        a_tail, a_head = np.array([a for a, _ in arcs], dtype=int), np.array([b for _, b in arcs], dtype=int)
        others = [v for v in range(nq) if v != nt]
        row_of = {v: k for k, v in enumerate(others)}
        ka = np.arange(na)
        send = sp.csr_matrix(
            (np.full(nb, -1.0 / p.days), ([row_of.get(int(v), len(others)) for v in self.tail], j)),
            shape=(len(others) + 1, nb),
        )[:-1]
        keep = a_head != nt
        into = sp.csr_matrix(
            (np.ones(keep.sum()), ([row_of[int(v)] for v in a_head[keep]], ka[keep])), shape=(len(others), na)
        )
        keep = a_tail != nt
        out = sp.csr_matrix(
            (-np.ones(keep.sum()), ([row_of[int(v)] for v in a_tail[keep]], ka[keep])), shape=(len(others), na)
        )
        use = sp.csr_matrix(
            (
                -np.ones(moves.sum()),
                ([arc_of[(int(a), int(b))] for a, b in zip(self.tail[moves], self.head[moves], strict=True)], j[moves]),
            ),
            shape=(na, nb),
        )
        balance = np.zeros(nq)
        balance[nt] += 1
        balance[nt + 1] -= 1
        b = MipBuilder()
        x = b.columns(nb, cost=self.cost[:nb], upper=self.upper[:nb], integer=True)  # blocks
        z = b.columns(n, cost=self.cost[nb:], integer=True)  # stations left out
        f = b.columns(na)  # unit flow along the arcs the days use
        b.rows(1.0, 1.0, (x, self.cover), (z, sp.identity(n)))  # each station once, or left out
        b.rows(balance, balance, (x, flow))
        b.rows([p.days], [p.days], (x, np.ones((1, nb))))
        b.rows(0.0, 0.0, (x, send), (f, into + out))
        b.rows(-np.inf, 0.0, (x, use), (f, sp.identity(na)))
        self.mip = b.build()
        self.cost, self.upper = self.mip.cost, self.mip.upper
        self.n_int = nb + n
        self.index = {
            (int(a), int(b), m): k for k, (a, b, m) in enumerate(zip(self.tail, self.head, masks, strict=True))
        }

    def relaxation(self) -> Any:
        """The LP relaxation as a ``highspy.HighsLp`` (blocks and left-out stations are integer in the MIP)."""
        return self.mip.lp(relax=True)

    def node(self, night: int, place: int) -> int:
        """Node of ``place`` as the overnight stop after day ``night`` (0 = the first morning)."""
        if night == 0:
            return self.nt
        if night == self.p.days:
            return self.nt + 1
        return self.p.towns.index(place)

    def columns_of(self, sol: TripSolution) -> NDArray[np.float64] | None:
        """Column values of a plan (None when a day is not a block of the model)."""
        x = np.zeros(len(self.cost))
        for t, route in enumerate(sol.routes):
            key = (self.node(t, sol.nights[t]), self.node(t + 1, sol.nights[t + 1]), sum(1 << i for i in route))
            if key not in self.index:
                return None
            x[self.index[key]] += 1
        x[self.nb + np.array(sol.unvisited, dtype=int)] = 1
        return x

    def connectivity_cuts(self, x: NDArray[np.float64], eps: float = 1e-6) -> list[NDArray[np.float64]]:
        """Dense rows ``a >= 0`` violated by ``x``: a set S of nodes without the start that holds a
        day (a block leaving S) must be entered: blocks into S >= blocks out of S covering station i
        (for each i), and >= 1/days of the station-free blocks leaving S.  Separated exactly by a
        maximum flow from the start for each station."""
        import scipy.sparse as sp
        from scipy.sparse.csgraph import breadth_first_order, maximum_flow

        p, nb = self.p, self.nb
        nq = len(self.q)
        xb = x[:nb]
        scale = 1e6
        moves = (xb > eps) & (self.tail != self.head)
        cap = np.zeros((nq + 1, nq + 1))
        np.add.at(cap, (self.tail[moves], self.head[moves]), xb[moves])
        demands = [(self.cover[i].toarray()[0], 1.0) for i in range(p.n)]
        demands.append((self.empty.astype(float), 1.0 / p.days))
        cuts: list[NDArray[np.float64]] = []
        seen: set[tuple[tuple[int, ...], float, tuple[int, ...]]] = set()
        for weight, factor in demands:
            w = np.zeros(nq)
            np.add.at(w, self.tail, weight * xb * factor)
            if w.sum() <= eps:
                continue
            c = cap.copy()
            c[:nq, nq] = w
            c[self.nt, nq] = 0.0
            graph = sp.csr_matrix(np.rint(c * scale).astype(np.int64))
            result = maximum_flow(graph, self.nt, nq)
            if result.flow_value / scale >= w.sum() - eps:
                continue
            residual = sp.csr_matrix(graph.toarray() - result.flow.toarray() > 0)
            inside = np.ones(nq + 1, dtype=bool)  # the nodes the start cannot reach in the residual graph
            inside[breadth_first_order(residual, self.nt, return_predecessors=False)] = False
            inside = inside[:nq]
            key = (tuple(np.flatnonzero(inside).tolist()), factor, tuple(np.flatnonzero(weight)[:3].tolist()))
            if key in seen:
                continue
            seen.add(key)
            row = np.zeros(len(self.cost))
            row[:nb] = (~inside[self.tail] & inside[self.head]) - factor * weight * inside[self.tail]
            if row @ x < -eps:
                cuts.append(row)
        return cuts

    def odd_set_cuts(self, x: NDArray[np.float64], eps: float = 1e-6) -> list[tuple[NDArray[np.float64], float]]:
        """Dense rows ``a >= -floor(|S|/2)`` (each with its right-hand side): for an odd set S of stations joined by fractional
        blocks, the blocks hold at most floor(|S|/2) pairs of S (a zero-half cut of the cover rows)."""
        nb = self.nb
        frac = np.flatnonzero((x[:nb] > eps) & (x[:nb] < 1 - eps))
        edges = [(r[0], v) for j in frac for r in [self.routes[j]] if len(r) >= 2 for v in r[1:]]
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


def _copy(sol: TripSolution) -> TripSolution:
    """A copy of a solution whose fields can be changed without touching the caller's."""
    return dataclasses.replace(
        sol, routes=[list(r) for r in sol.routes], nights=list(sol.nights), unvisited=list(sol.unvisited)
    )


def _add_cuts(h: Any, rows: list[tuple[NDArray[np.float64], float]]) -> None:
    """Add dense cut rows ``row @ x >= lower`` to a live solver."""
    import scipy.sparse as sp

    add_rows(h, sp.csr_matrix(np.array([r for r, _ in rows])), [lo for _, lo in rows], np.full(len(rows), np.inf))


def solve_blocks(
    p: TripProblem,
    time_limit: float = settings.TRIP_TIME_LIMIT_S,
    mip_gap: float = 1e-6,
    warm: TripSolution | None = None,
) -> TripSolution:
    """Exact day-block model, solved with HiGHS after rounds of cutting planes.

    A *block* is one possible day: from an overnight place, a set of at most ``per_day``
    stations in their cheapest feasible order, to an overnight place.  Days are alike, so the
    model picks how many times each block is used: every station covered once (or left out at a
    penalty above any saving), ``days`` blocks in all, flow conservation at the overnight places
    (out of the start one more than in, into the end one more than out), and a unit flow from
    the start that makes the chosen blocks hang together, so the plan is an Euler trail through
    them.  Connectivity cuts (separated exactly by maximum flow) and odd-set cuts are added to
    the LP relaxation until none is violated (within 30 % of the time), then HiGHS solves the
    MIP with the warm start's cost as a cut-off.  When the time runs out first, the better of
    the MIP's plan and the warm start is returned with the model's bound.
    """
    started = time.perf_counter()
    model = _DayBlocks(p)
    nb, ncols = model.nb, len(model.cost)
    # No restarts: HiGHS 1.16 looped past its time limit after a root restart on a 14-station
    # Guangxi day-block model (ERGO-Code/HiGHS#885, #2226 report the same class of hang).
    h = new_highs(time_limit, mip_gap, mip_allow_restart=False)
    h.passModel(model.relaxation())
    lp_value = 0.0
    history: list[float] = []
    while time.perf_counter() - started < 0.3 * time_limit:  # cutting planes on the LP relaxation
        h.run()
        lp_x = np.asarray(h.getSolution().col_value, dtype=float)
        lp_value = h.getInfo().objective_function_value
        history.append(lp_value)
        lp_cuts = [(row, 0.0) for row in model.connectivity_cuts(lp_x)] + model.odd_set_cuts(lp_x)
        if not lp_cuts or (len(history) > 4 and history[-1] - history[-5] <= 1e-5 * abs(history[-1])):
            break
        _add_cuts(h, lp_cuts)
    h.changeColsIntegrality(model.n_int, np.arange(model.n_int, dtype=np.int32), np.ones(model.n_int, dtype=np.uint8))
    # The dense cuts make presolve's probing slow (25 s of 53 s on the 20-visit benchmark); the
    # warm start is given as a cut-off, not a start: HiGHS 1.16 reported a wrong optimum after
    # setSolution on this model.
    h.setOptionValue("presolve", "off")
    start_x = model.columns_of(warm) if warm is not None else None
    if start_x is not None:
        h.setOptionValue("objective_bound", float(model.cost @ start_x) + 1e-3)
    # the gap is on the driving, not on the penalties of stations left out
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", max(1e-3, mip_gap * (warm.travel_min if warm is not None else 0.0)))
    bound, status, connected = lp_value, "Time limit reached", False
    x: NDArray[np.float64] | None = None
    while (remaining := time_limit - (time.perf_counter() - started)) > 0.5:
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
            x = None
            break
        cuts = model.connectivity_cuts(np.round(x), eps=0.5)
        connected = not cuts
        if connected or status != "Optimal":
            break
        _add_cuts(h, [(row, 0.0) for row in cuts])  # the plan falls apart: cut it off, solve again
        status = "Cut off"  # not proven until the next solve says so
    sol: TripSolution | None = None
    if x is not None and connected:
        edges: list[tuple[int, int, int]] = []
        block_of: dict[int, int] = {}
        for j in np.flatnonzero(np.round(x[:nb]) > 0):
            for _ in range(int(round(x[j]))):
                block_of[len(edges)] = int(j)
                edges.append((len(edges), int(model.tail[j]), int(model.head[j])))
        trail = _euler_trail(edges, model.nt)
        if len(trail) == p.days:
            routes = [model.routes[block_of[e]] for e in trail]
            nights = [p.start] + [int(model.q[model.head[block_of[e]]]) for e in trail]
            sol = _solution(p, routes, nights, 0.0, "day blocks, HiGHS (MIP)", "feasible", started)
    if sol is None:  # no connected plan in time: keep (a copy of) the warm start, with our bound
        sol = _copy(warm) if warm is not None else solve_heuristic(p, max(1.0, time_limit / 4), bound=False)
        sol.solver += "; bound from day blocks (HiGHS)"
    elif warm is not None and _better(p, (warm.routes, warm.nights), (sol.routes, sol.nights)):
        sol = _copy(warm)
        sol.solver += "; bound from day blocks (HiGHS)"
    dropped_weight = sum(p.weights[i] for i in sol.unvisited)
    penalty = model.big * dropped_weight / max(p.weights.max(), 1e-9)
    sol.bound_min = min(sol.travel_min, max(sol.bound_min, bound - penalty))
    if status == "Optimal":  # proven within mip_abs_gap (a thousandth of a minute by default)
        sol.bound_min = sol.travel_min
    sol.status = "optimal" if sol.gap == 0 else "feasible"
    sol.seconds = time.perf_counter() - started
    return sol


# --------------------------------------------------------------------------- heuristic
def _seconds(minutes: float) -> int:
    return int(round(float(minutes) * 60.0))


def _routing_params(seconds: float) -> Any:
    """OR-Tools routing search parameters (a ``RoutingSearchParameters`` message) for ``seconds``."""
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
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
    found = routing.SolveWithParameters(_routing_params(seconds))
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

    Overnight candidates after a day are the ``nearest`` towns to its last station (and the
    end).  Stations that do not fit in the days are left out, from the end of the order.
    """
    m, n, k = p.minutes, len(order), p.per_day
    order_a = np.asarray(order, dtype=int)
    towns = np.array(p.towns if p.towns else [p.end])
    c = min(nearest, len(towns))
    cols = c + 1
    hotel = np.empty((n + 1, cols), dtype=int)
    hotel[0, :] = p.start
    hotel[0, c] = p.end
    if n:
        near = np.argsort(m[order_a][:, towns], axis=1, kind="stable")[:, :c]
        hotel[1:, :c] = towns[near]
        hotel[1:, c] = p.end
    town_set = set(p.towns)
    legs = m[order_a[:-1], order_a[1:]] if n > 1 else np.zeros(0)
    cum_leg = np.concatenate([[0.0], np.cumsum(legs)])
    cum_vis = np.concatenate([[0.0], np.cumsum(p.visit_min[order_a])]) if n else np.zeros(1)
    value = np.full((n + 1, cols), INF)
    value[0, :] = 0.0
    value[0, 1:] = INF
    backs: list[tuple[NDArray[np.int64], NDArray[np.int64]]] = []
    lim_w, lim_t = p.day_min + 1e-6, p.day_min + p.evening_min + 1e-6
    for t in range(1, p.days + 1):
        last = t == p.days
        ok_hotel = (
            np.vectorize(lambda h, last=last: (h == p.end) if last else (h in town_set))(hotel) if hotel.size else hotel
        )
        new = np.full_like(value, INF)
        bp = np.full((n + 1, cols), -1, dtype=np.int64)  # previous position
        bj = np.zeros((n + 1, cols), dtype=np.int64)  # previous column
        # an empty day: stay, or (last day) drive to the end
        stay = m[hotel, p.end] if last else np.zeros_like(value)
        stay = np.where(stay <= lim_t, stay, INF)
        if last:
            cand = value + stay
            best_col = cand.argmin(axis=1)
            new[:, c] = cand[np.arange(n + 1), best_col]
            bp[:, c] = np.arange(n + 1)
            bj[:, c] = best_col
        else:
            new = np.where(ok_hotel, value, INF)
            bp[:] = np.arange(n + 1)[:, None]
            bj[:] = np.arange(cols)[None, :]
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
        return [[] for _ in range(p.days)], [p.start] + [p.towns[0] if p.towns else p.end] * (p.days - 1) + [p.end]
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
    p: TripProblem, routes: list[list[int]], nights: list[int], seconds: float, stations: list[int]
) -> list[list[int]]:
    """Re-route the days with the overnight places fixed (OR-Tools routing, one vehicle a day).

    Day hours are a time dimension (visits end by ``day_min``, the day by ``day_min + evening_min``),
    the visit cap a count dimension; a station may be left out at a penalty above any saving.
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
    params = _routing_params(seconds)
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
    p: TripProblem, time_limit: float = settings.TRIP_HEURISTIC_TIME_LIMIT_S, bound: bool = True, patience: int = 2
) -> TripSolution:
    """Giant tour + split into days, then alternate routing the days and re-choosing the towns.

    Stops after ``patience`` rounds without improvement (each one given twice the search time of
    the one before) or at ``time_limit`` seconds, whichever comes first.
    """
    started = time.perf_counter()
    deadline = started + time_limit
    out_of_reach = set(_unreachable(p))
    stations = [i for i in range(p.n) if i not in out_of_reach]
    order = giant_tour(p, stations, min(2.0 + 0.01 * len(stations), 0.25 * time_limit))
    routes, nights = split_tour(p, order)
    best: Plan = (routes, nights)
    slice_s = max(0.5, min(0.3 * time_limit, 0.02 * len(stations) + 1.0))
    stale = 0
    while time.perf_counter() < deadline - 0.2 and stations and stale < patience:
        remaining = deadline - time.perf_counter()
        routes = improve_routes(p, best[0], best[1], min(slice_s, remaining), stations)
        nights = best_nights(p, routes) or best[1]
        if not _feasible(p, routes, nights):
            routes, nights = best
        if _better(p, (routes, nights), best):
            best, stale = (routes, nights), 0
        else:
            stale, slice_s = stale + 1, 2 * slice_s
    routes, nights = best
    travel = trip_travel(p, routes, nights)
    lb = held_karp_bound(p, [i for r in routes for i in r], travel) if bound else 0.0
    return _solution(p, routes, nights, lb, "giant tour + split + OR-Tools routing (heuristic)", "heuristic", started)


# --------------------------------------------------------------------------- bound
def held_karp_bound(p: TripProblem, stations: list[int], upper: float, iterations: int = 300) -> float:
    """Held-Karp 1-tree lower bound (minutes) on any path start -> ``stations`` -> end.

    Any plan visiting these stations drives at least this much: overnight stops only add
    driving once the matrix is replaced by its shortest-path closure (done here).
    """
    from scipy.sparse.csgraph import shortest_path

    nodes = list(dict.fromkeys([p.start, *stations, p.end]))
    if len(nodes) <= 2:
        return float(p.minutes[p.start, p.end]) if p.start != p.end else 0.0
    closure = shortest_path(p.minutes, method="D" if len(p.minutes) > 200 else "FW")
    d = closure[np.ix_(nodes, nodes)]
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
def solve(p: TripProblem, method: str = "auto", time_limit: float = settings.TRIP_TIME_LIMIT_S) -> TripSolution:
    """Best plan by ``method``: ``auto`` (exact when it can be, else heuristic), ``exact``, ``heuristic``, ``dp``, ``blocks``."""
    if method not in ("auto", "exact", "heuristic", "dp", "blocks"):
        msg = f"unknown method {method!r}; use auto, exact, heuristic, dp or blocks"
        raise InputError(msg)
    if p.n == 0:
        nights = best_nights(p, [[] for _ in range(p.days)])
        if nights is None:
            msg = "the start and end are too far apart for the days given; add a day or allow an evening transfer"
            raise InputError(msg)
        return _solution(p, [[] for _ in range(p.days)], nights, 0.0, "trivial", "optimal", time.perf_counter())
    small = _dp_work(p) <= DP_MAX_WORK and p.n <= 20
    if method == "blocks":
        return solve_blocks(p, time_limit)
    if method == "dp" or (method in ("auto", "exact") and small):
        return solve_dp(p)
    if method == "heuristic":
        return solve_heuristic(p, time_limit)
    if method == "auto" and _block_columns(p) > BLOCKS_MAX_COLUMNS:
        return solve_heuristic(p, time_limit)
    started = time.perf_counter()
    warm = solve_heuristic(p, min(10.0, 0.2 * time_limit), bound=False)
    exact = solve_blocks(p, max(1.0, time_limit - (time.perf_counter() - started)), warm=warm)
    exact.seconds = time.perf_counter() - started
    if exact.status != "optimal":
        lb = held_karp_bound(p, [i for r in exact.routes for i in r], exact.travel_min)
        exact.bound_min = max(exact.bound_min, lb)
    return exact
