"""No traps in the exact siting models (issue 17): ours against what the exact model did before.

1. ``site --province 45 --model pmedian --method exact`` (Guangxi: 1,284 townships x 878 candidates):
   refused before the MIP is built, exit code 2, the estimate in the message.  Baseline: the same
   request before issue 17 built the MIP and ran 188 s, 8.2 GB, returning an objective 55 % worse
   than the heuristic's with bound 0 (figures of the issue, not re-run: 8 GB of a shared machine).
2. The same with ``--method auto``: the heuristic, with its Lagrangian bound.
3. A p-median within the budgets whose exact run stops at its time limit (seeded random points,
   n x n, p = n / 10): what we return (the better of HiGHS's incumbent and the heuristic, the best
   bound proved) against HiGHS's incumbent alone (the baseline) and the heuristic alone.

    .venv/bin/python bench/exact_budget.py [--n 500] [--time-limit 5]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coverage.optimise.siting import SitingProblem, pmedian_size, solve_pmedian  # noqa: E402


def cli(*args: str) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "coverage", *args], cwd=ROOT, capture_output=True, text=True)
    return time.perf_counter() - start, done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--time-limit", type=float, default=5.0)
    args = parser.parse_args()
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} ({os.cpu_count()} cores)")

    seconds, done = cli("site", "--province", "45", "--model", "pmedian", "--p", "10", "--method", "exact")
    print(f"1. Guangxi p-median --method exact: exit {done.returncode} in {seconds:.2f} s (whole process)")
    print(f"   {done.stderr.strip()}")
    print("   baseline (before issue 17): 188 s, 8.2 GB, objective 55 % worse than the heuristic's, bound 0")

    seconds, done = cli("site", "--province", "45", "--model", "pmedian", "--p", "10", "--json")
    doc = json.loads(done.stdout)
    print(
        f"2. same, --method auto: exit {done.returncode} in {seconds:.2f} s; objective {doc['objective']:,.1f}, "
        f"bound {doc['bound']:,.1f}, gap {doc['gap']:.2%}, {doc['solver']}"
    )

    rng = np.random.default_rng(17)
    xy = rng.uniform(0, 100, (args.n, 2))
    cost = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    problem = SitingProblem.from_cost_matrix(cost)
    p = max(2, args.n // 10)
    size = pmedian_size(np.isfinite(np.column_stack([cost, np.full(args.n, np.inf)])))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    exact = solve_pmedian(problem, p, method="exact", time_limit=args.time_limit)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    heuristic = solve_pmedian(problem, p, method="heuristic", time_limit=args.time_limit)
    print(
        f"3. random {args.n} x {args.n} p-median, p = {p}, exact with a {args.time_limit:g}-s limit: {size.describe()}"
    )
    print(
        f"   ours: {exact.status}, objective {exact.objective:,.2f} ({exact.details.get('kept', 'exact')} kept), "
        f"bound {exact.bound:,.2f}, gap {exact.gap:.2%}, {exact.seconds:.1f} s, peak memory {peak:,.0f} MB "
        f"(+{peak - before:,.0f} MB)"
    )
    incumbent = exact.details.get("exact_incumbent_objective")
    print(f"   baseline, HiGHS's incumbent alone: {'none' if incumbent is None else f'{incumbent:,.2f}'}")
    print(
        f"   heuristic alone: objective {heuristic.objective:,.2f}, bound {heuristic.bound:,.2f}, "
        f"gap {heuristic.gap:.2%}, {heuristic.seconds:.1f} s"
    )


if __name__ == "__main__":
    main()
