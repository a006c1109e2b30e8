"""The one adapter to HiGHS (``highspy``): every MIP and LP of the package is built and solved here.

A model is built column block by column block and row block by row block with
:class:`MipBuilder` (sparse matrices, no per-coefficient Python loops), giving a
:class:`Mip` in arrays; :meth:`Mip.solve` runs HiGHS under a time limit and
returns the values, the objective, the best bound and HiGHS's status.  Models
that add rows while solving (cutting planes) take a live solver from
:func:`new_highs` and add rows with :func:`add_rows`.

Examples
--------
Choose one of two items of value 3 and 2 with weight 2 each, capacity 3:

>>> import numpy as np, scipy.sparse as sp
>>> b = MipBuilder(maximise=True)
>>> x = b.columns(2, cost=[3.0, 2.0], integer=True)
>>> b.rows([-np.inf], [3.0], (x, sp.csr_matrix([[2.0, 2.0]])))
>>> sol = b.build().solve(time_limit=5)
>>> (sol.values > 0.5).tolist(), sol.objective, sol.optimal
([True, False], 3.0, True)
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from coverage import settings
from coverage._errors import InputError


class NoSolutionInTime(InputError):
    """HiGHS stopped at its time limit before finding any feasible solution.

    ``bound`` is HiGHS's best bound at that moment (infinite when it proved none).
    """

    bound: float = float("nan")


class ModelTooLarge(InputError):
    """An exact model would exceed the size or memory budget of :mod:`coverage.settings`; it is not built."""


def _mb_text(mb: float) -> str:
    return f"{mb:,.0f} MB" if mb >= 10 else f"{mb:.2g} MB"


@dataclass(frozen=True)
class ModelSize:
    """The size of a MIP before it is built: columns (variables), rows and non-zeros, and the memory
    HiGHS is expected to take for it (:data:`settings.EXACT_BYTES_PER_NONZERO` per non-zero and
    :data:`settings.EXACT_BYTES_PER_LINE` per row or column: presolve, LP copies, cuts, search).

    Examples
    --------
    >>> ModelSize(variables=1_000, rows=500, nonzeros=3_000).memory_mb() < 100
    True
    """

    variables: int
    rows: int
    nonzeros: int

    def memory_text(self) -> str:
        """The expected memory as a text: ``"8,100 MB"``, ``"0.05 MB"``."""
        return _mb_text(self.memory_mb())

    def memory_mb(self) -> float:
        """Expected peak memory of HiGHS solving this model, MB."""
        lines = self.variables + self.rows
        return (self.nonzeros * settings.EXACT_BYTES_PER_NONZERO + lines * settings.EXACT_BYTES_PER_LINE) / 1e6

    def over_budget(self) -> list[str]:
        """Which budgets of :mod:`coverage.settings` this model exceeds (empty: it fits)."""
        out = []
        if self.variables > settings.EXACT_MAX_VARIABLES:
            out.append(
                f"{self.variables:,} variables > {settings.EXACT_MAX_VARIABLES:,} (settings.EXACT_MAX_VARIABLES)"
            )
        if self.nonzeros > settings.EXACT_MAX_NONZEROS:
            out.append(f"{self.nonzeros:,} non-zeros > {settings.EXACT_MAX_NONZEROS:,} (settings.EXACT_MAX_NONZEROS)")
        if self.memory_mb() > settings.EXACT_MAX_MEMORY_MB:
            budget = _mb_text(settings.EXACT_MAX_MEMORY_MB)
            out.append(f"about {self.memory_text()} of memory > {budget} (settings.EXACT_MAX_MEMORY_MB)")
        return out

    def fits(self) -> bool:
        """True when the model is within every budget."""
        return not self.over_budget()

    def describe(self) -> str:
        """``"1,650,000 variables, 1,650,001 rows, 4,950,000 non-zeros, about 12,000 MB"``."""
        return (
            f"{self.variables:,} variables, {self.rows:,} rows, {self.nonzeros:,} non-zeros, about {self.memory_text()}"
        )

    def check(self, what: str, advice: str) -> None:
        """Raise :class:`ModelTooLarge` naming ``what`` (the model), the estimate, the budgets exceeded and ``advice``."""
        over = self.over_budget()
        if over:
            msg = (
                f"the exact {what} would be a MIP of {self.describe()} of memory: over the budget "
                f"({'; '.join(over)}), so it is not built; {advice}"
            )
            raise ModelTooLarge(msg)


#: HiGHS statuses after which the incumbent (if any) is usable.
USABLE_STATUSES = ("Optimal", "Time limit reached", "Solution limit reached", "Interrupted by user")


@contextlib.contextmanager
def quiet_stdout() -> Iterator[None]:
    """Silence C-level standard output (HiGHS prints a banner when first created)."""
    try:
        fd = os.dup(1)
    except OSError:
        yield
        return
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            yield
    finally:
        os.dup2(fd, 1)
        os.close(fd)


def highs_version() -> str:
    """The HiGHS version, e.g. ``"1.16.0"`` (for the solver names in results)."""
    import highspy

    return f"{highspy.HIGHS_VERSION_MAJOR}.{highspy.HIGHS_VERSION_MINOR}.{highspy.HIGHS_VERSION_PATCH}"


def solver_name(kind: str = "MIP") -> str:
    """How results name the solver: ``"HiGHS 1.16.0 (MIP)"``."""
    return f"HiGHS {highs_version()} ({kind})"


def new_highs(time_limit: float, mip_gap: float = settings.MIP_GAP, **options: Any) -> Any:
    """A silent ``highspy.Highs`` with a time limit (seconds), a relative MIP gap and any other options."""
    import highspy

    with quiet_stdout():
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("mip_rel_gap", float(mip_gap))
    h.setOptionValue("threads", max(1, os.cpu_count() or 1))
    for name, value in options.items():
        h.setOptionValue(name, value)
    return h


def add_rows(h: Any, matrix: sp.spmatrix, lower: ArrayLike, upper: ArrayLike) -> None:
    """Add the rows ``lower <= matrix @ x <= upper`` to a live solver (e.g. cutting planes)."""
    block = sp.csr_matrix(matrix, dtype=float)
    h.addRows(
        block.shape[0],
        np.asarray(lower, dtype=float),
        np.asarray(upper, dtype=float),
        block.nnz,
        block.indptr[:-1].astype(np.int32),
        block.indices.astype(np.int32),
        block.data.astype(float),
    )


def cost_gap(cost: float, bound: float) -> float:
    """Relative gap of a minimised cost above its lower bound, ``(cost - bound) / cost``; 0 for a cost of 0."""
    return 0.0 if cost <= 0 else max(0.0, (cost - bound) / cost)


class Solution(NamedTuple):
    """What :meth:`Mip.solve` found: column values, objective, best bound, HiGHS's status text."""

    values: NDArray
    objective: float
    bound: float
    status: str

    @property
    def optimal(self) -> bool:
        """True when HiGHS proved the optimum (within its MIP gap)."""
        return self.status == "Optimal"

    @property
    def state(self) -> str:
        """The status as results report it: ``"optimal"`` or HiGHS's reason in lower case."""
        return "optimal" if self.optimal else self.status.lower()


@dataclass
class Mip:
    """A MIP in arrays: columns with cost/bounds/integrality, rows as a CSC matrix."""

    cost: NDArray
    lower: NDArray
    upper: NDArray
    integer: NDArray
    matrix: sp.csc_matrix
    row_lower: NDArray
    row_upper: NDArray
    maximise: bool = False
    #: extra HiGHS options, e.g. ``{"mip_allow_restart": False}``
    options: dict[str, Any] = field(default_factory=dict)

    def lp(self, relax: bool = False) -> Any:
        """The model as a ``highspy.HighsLp`` (integrality dropped with ``relax``)."""
        import highspy

        lp = highspy.HighsLp()
        lp.num_col_ = len(self.cost)
        lp.num_row_ = self.matrix.shape[0]
        lp.col_cost_ = self.cost.astype(float)
        lp.col_lower_ = self.lower.astype(float)
        lp.col_upper_ = self.upper.astype(float)
        lp.row_lower_ = self.row_lower.astype(float)
        lp.row_upper_ = self.row_upper.astype(float)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = self.matrix.indptr.astype(np.int32)
        lp.a_matrix_.index_ = self.matrix.indices.astype(np.int32)
        lp.a_matrix_.value_ = self.matrix.data.astype(float)
        lp.a_matrix_.num_col_ = lp.num_col_
        lp.a_matrix_.num_row_ = lp.num_row_
        lp.sense_ = highspy.ObjSense.kMaximize if self.maximise else highspy.ObjSense.kMinimize
        if not relax:
            lp.integrality_ = [
                highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous for i in self.integer
            ]
        return lp

    def solve(
        self,
        time_limit: float,
        mip_gap: float = settings.MIP_GAP,
        relax: bool = False,
        start: ArrayLike | None = None,
        **options: Any,
    ) -> Solution:
        """Solve (the LP relaxation with ``relax``) within ``time_limit`` seconds.

        ``start``: a feasible solution (a value per column) HiGHS starts from (a MIP start), so
        the search begins with that incumbent; the columns left free by it are completed by HiGHS.
        ``options``: HiGHS options for this solve only, e.g. ``solver="ipm"`` for a large LP.

        Raises :class:`InputError` when HiGHS finds the model infeasible or has no solution in time.
        """
        return self._run(time_limit, mip_gap, relax, start, options)[0]

    def relaxation(self, time_limit: float, **options: Any) -> tuple[Solution, NDArray]:
        """The LP relaxation and its row duals (for :meth:`dual_bound`); ``options`` as :meth:`solve`."""
        sol, h = self._run(time_limit, settings.MIP_GAP, True, None, options)
        return sol, np.asarray(h.getSolution().row_dual)

    def _run(
        self, time_limit: float, mip_gap: float, relax: bool, start: ArrayLike | None, options: dict[str, Any]
    ) -> tuple[Solution, Any]:
        h = new_highs(time_limit, mip_gap, **{**self.options, **options})
        h.passModel(self.lp(relax))
        if start is not None and not relax:
            values = np.asarray(start, dtype=float)
            if values.shape != self.cost.shape:
                msg = f"a MIP start of {values.shape[0]} values for {len(self.cost)} columns; give one per column"
                raise ValueError(msg)
            h.setSolution(len(values), np.arange(len(values), dtype=np.int32), values)
        h.run()
        status = h.modelStatusToString(h.getModelStatus())
        info = h.getInfo()
        values = np.asarray(h.getSolution().col_value)
        objective = float(info.objective_function_value)
        bound = objective if relax or not self.integer.any() else float(info.mip_dual_bound)
        if status not in USABLE_STATUSES:
            msg = f"HiGHS could not solve the model: {status}"
            raise InputError(msg)
        if len(values) != len(self.cost) or (not relax and self.integer.any() and not info.primal_solution_status):
            msg = f"HiGHS found no feasible solution within {time_limit:g} s ({status}); allow more time"
            error = NoSolutionInTime(msg)
            error.bound = float(info.mip_dual_bound)
            raise error
        return Solution(values, objective, bound, status), h

    def dual_bound(self, row_dual: ArrayLike) -> float:
        """A bound on the LP (and MIP) optimum valid for *any* row multipliers: an upper bound when
        maximising, a lower bound when minimising.  With the duals of an interior-point solve
        stopped before crossover it is as tight as the solve, and proven (no crossover needed).

        For maximising ``c x`` subject to ``L <= A x <= U`` and ``l <= x <= u``, every ``y`` gives
        ``c x <= sum_i max(y_i L_i, y_i U_i) + sum_j max((c - A'y)_j l_j, (c - A'y)_j u_j)``; a
        multiplier whose side is infinite is set to 0.  Both signs of ``row_dual`` are tried
        (solvers differ in their sign convention) and the tighter bound is returned.
        """
        sense = 1.0 if self.maximise else -1.0
        c = sense * self.cost.astype(float)
        best = np.inf
        for sign in (1.0, -1.0):
            y = sign * np.asarray(row_dual, dtype=float)
            y = np.where((y > 0) & ~np.isfinite(self.row_upper), 0.0, y)
            y = np.where((y < 0) & ~np.isfinite(self.row_lower), 0.0, y)
            rows = np.where(y > 0, y * np.where(y > 0, self.row_upper, 0.0), y * np.where(y < 0, self.row_lower, 0.0))
            reduced = c - self.matrix.T @ y
            cols = np.where(reduced > 0, reduced * self.upper, reduced * self.lower)
            cols = np.where(reduced == 0, 0.0, cols)
            value = float(rows.sum() + cols.sum())
            if np.isfinite(value):
                best = min(best, value)
        return sense * best


@dataclass(frozen=True)
class Columns:
    """A block of consecutive columns of a model (``start`` .. ``start + size - 1``)."""

    start: int
    size: int

    @property
    def index(self) -> NDArray:
        """The model's column numbers of this block."""
        return np.arange(self.start, self.start + self.size)

    def values(self, x: NDArray) -> NDArray:
        """This block's part of a solution vector."""
        return x[self.start : self.start + self.size]


class MipBuilder:
    """Builds a :class:`Mip` from blocks of columns and blocks of rows (sparse)."""

    def __init__(self, maximise: bool = False, **options: Any) -> None:
        self.maximise = maximise
        self.options = options
        self._cols: list[tuple[NDArray, NDArray, NDArray, NDArray]] = []
        self._n_cols = 0
        self._rows: list[tuple[NDArray, NDArray, NDArray]] = []
        self._lower: list[NDArray] = []
        self._upper: list[NDArray] = []
        self._n_rows = 0

    def columns(
        self,
        size: int,
        cost: ArrayLike = 0.0,
        lower: ArrayLike = 0.0,
        upper: ArrayLike = 1.0,
        integer: bool = False,
    ) -> Columns:
        """Add ``size`` columns (scalars broadcast) and return their block."""
        block = Columns(self._n_cols, int(size))

        def full(value: ArrayLike) -> NDArray:
            return np.broadcast_to(np.asarray(value, dtype=float), (block.size,)).copy()

        self._cols.append((full(cost), full(lower), full(upper), np.full(block.size, bool(integer))))
        self._n_cols += block.size
        return block

    def rows(self, lower: ArrayLike, upper: ArrayLike, *parts: tuple[Columns, sp.spmatrix | NDArray]) -> None:
        """Add rows ``lower <= sum(part_matrix @ x[part_columns]) <= upper``.

        Each part pairs a column block with a matrix of shape (rows, block size); every part
        of a call has the same number of rows.  ``lower``/``upper`` are arrays or scalars.
        """
        n_rows = None
        for cols, matrix in parts:
            coo = sp.coo_matrix(matrix, dtype=float)
            if coo.shape[1] != cols.size or (n_rows is not None and coo.shape[0] != n_rows):
                msg = f"row block of shape {coo.shape} does not fit columns of size {cols.size}"
                raise ValueError(msg)
            n_rows = coo.shape[0]
            self._rows.append((self._n_rows + coo.row, cols.start + coo.col, coo.data))
        if n_rows is None or n_rows == 0:
            return
        self._lower.append(np.broadcast_to(np.asarray(lower, dtype=float), (n_rows,)).copy())
        self._upper.append(np.broadcast_to(np.asarray(upper, dtype=float), (n_rows,)).copy())
        self._n_rows += n_rows

    def build(self) -> Mip:
        """The model in arrays."""
        cost, lower, upper, integer = (np.concatenate(parts) for parts in zip(*self._cols, strict=True))
        if self._rows:
            r, c, v = (np.concatenate(parts) for parts in zip(*self._rows, strict=True))
        else:
            r, c, v = np.zeros(0, int), np.zeros(0, int), np.zeros(0)
        matrix = sp.csc_matrix((v, (r, c)), shape=(self._n_rows, self._n_cols))
        row_lower = np.concatenate(self._lower) if self._lower else np.zeros(0)
        row_upper = np.concatenate(self._upper) if self._upper else np.zeros(0)
        return Mip(
            cost, lower, upper, integer.astype(bool), matrix, row_lower, row_upper, self.maximise, dict(self.options)
        )


def selection_row(members: ArrayLike, size: int) -> sp.csr_matrix:
    """One row with a 1 at each of ``members`` (positions within a block of ``size`` columns)."""
    members = np.asarray(members, dtype=int)
    return sp.csr_matrix((np.ones(len(members)), (np.zeros(len(members), dtype=int), members)), shape=(1, size))
