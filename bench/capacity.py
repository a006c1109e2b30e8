"""Capacity speed (issue 15): Guangxi capacitated MCLP and a budgeted three-year rollout.

1. Capacitated MCLP: the 1-km grid demand of today (villages + communities spread over each
   township's cells, merged as today), r = 10 km, the 375 stations of 2021-12-31 (3 workers
   each), 878 candidates, p = 377, the capacity menu of 3 (2 / 4 / 6 workers, 4 villages per
   worker) and 1,508 new workers (4 per new station on average, so the sizes are a choice).
   Target: exact or within 1 % of its bound in <= 10 s, and >= 5x faster than the named baseline
   at equal objective.  Baseline: a plain PuLP formulation of the same model - one binary per
   (site, size), one flow per merged (demand row, station) pair, the same merged rows - solved
   by PuLP's HiGHS interface (``pulp.HiGHS``, highspy) with the same 1 % gap, and stopped as soon
   as its incumbent reaches our objective (a HiGHS callback), so its time is the time to an equal
   objective (or to the same gap, whichever comes first).
2. Budgeted rollout, 2021-2023 from 2020-12-31 (231 stations open; the targets need 145, 521 and
   1,022 new ones), budgets 6000万, 1.6亿, 3亿 and 400, 1,000, 1,500 new workers.  Target: <= 20 s,
   gap <= 1 %.  Baseline: the same yearly MIP handed to HiGHS as it is (no LP rounding, no greedy
   sizes), for the same gap, stopped at --time-limit.

    .venv/bin/python bench/capacity.py [--skip-baseline] [--time-limit 120]
"""

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import numpy as np  # noqa: E402
from _timing import report  # noqa: E402

from coverage.data.provinces import default_stations_path, load_province  # noqa: E402
from coverage.data.schema import open_on  # noqa: E402
from coverage.data.stations import read_stations  # noqa: E402
from coverage.optimise.candidates import capacity_inputs  # noqa: E402
from coverage.optimise.capacity import CapacityProblem, MergedModel, solve_capacitated  # noqa: E402
from coverage.optimise.rollout import PlanCapacity, plan_rollout  # noqa: E402

P = 377
WORKERS = 4 * P
BUDGET = {2021: 6e7, 2022: 1.6e8, 2023: 3e8}
NEW_WORKERS = {2021: 400, 2022: 1000, 2023: 1500}


def pulp_baseline(cp: CapacityProblem, target: float, time_limit: float) -> tuple[float, float, float, str]:
    """The plain PuLP + HiGHS formulation; (seconds, objective, bound, how it stopped)."""
    import highspy
    import pulp

    start = time.perf_counter()
    model = MergedModel.build(cp)  # the same merged rows and pairs as ours (a favour to the baseline)
    opts = cp.options
    m = cp.siting.n_candidates
    prob = pulp.LpProblem("cmclp", pulp.LpMaximize)
    y = {r: pulp.LpVariable(f"y_{r}", cat="Binary") for r in range(len(opts.site))}
    x = [pulp.LpVariable(f"x_{k}", lowBound=0) for k in range(model.pairs)]
    prob += pulp.lpSum(x)
    for j in range(m):
        prob += pulp.lpSum(y[r] for r in np.flatnonzero(opts.site == j)) <= 1
    prob += pulp.lpSum(y.values()) == P
    prob += pulp.lpSum(float(opts.workers[r]) * y[r] for r in y) <= WORKERS
    by_row: dict[int, list] = {}
    by_site: dict[int, list] = {}
    for k, (i, s) in enumerate(zip(model.pair_row, model.pair_site, strict=True)):
        by_row.setdefault(int(i), []).append(x[k])
        by_site.setdefault(int(s), []).append(x[k])
    for i, flows in by_row.items():
        prob += pulp.lpSum(flows) <= float(model.w[i])
    for s, flows in by_site.items():
        if s < m:
            prob += pulp.lpSum(flows) <= pulp.lpSum(
                float(opts.capacity[r]) * y[r] for r in np.flatnonzero(opts.site == s)
            )
        else:
            prob += pulp.lpSum(flows) <= float(cp.existing_capacity[s - m])
    state = {"stopped": "gap 1 %"}

    def stop_at_target(kind, message, data_out, data_in, user_data):  # noqa: ANN001
        if abs(data_out.objective_function_value) >= target - 1e-6:  # PuLP minimises the negated objective
            state["stopped"] = "reached our objective"
            data_in.user_interrupt = True

    solver = pulp.HiGHS(
        msg=False,
        gapRel=0.01,
        timeLimit=time_limit,
        callbackTuple=(stop_at_target, None),
        callbacksToActivate=[highspy.cb.HighsCallbackType.kCallbackMipImprovingSolution],
    )
    prob.solve(solver)
    seconds = time.perf_counter() - start
    objective = float(pulp.value(prob.objective))
    info = prob.solverModel.getInfo()
    return seconds, objective, float(info.mip_dual_bound), state["stopped"]


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--time-limit", type=float, default=120.0)
    args = parser.parse_args()
    gx = load_province("45")
    stations = read_stations(default_stations_path("45"), province="45").stations
    start = time.perf_counter()
    inputs = capacity_inputs(gx.townships, stations[open_on(stations, "2021-12-31")], 10_000)
    build_s = time.perf_counter() - start
    cp = inputs.problem
    print(
        f"capacitated MCLP: {len(cp.siting.weights):,} demand cells, {cp.siting.n_candidates} candidates x "
        f"{len(cp.options.site) // cp.siting.n_candidates} sizes, {cp.existing_cover.shape[1]} stations, p = {P}, "
        f"{WORKERS} workers; inputs built in {build_s:.2f} s"
    )
    ours = solve_capacitated(cp, p=P, workers_limit=WORKERS, time_limit=args.time_limit)
    print(
        f"  ours: served {ours.objective:,.3f} (bound {ours.bound:,.3f}, gap {ours.gap:.3%}), "
        f"{ours.details['merged_rows']:,} merged rows, {ours.details['pairs']:,} pairs, {ours.seconds:.2f} s - {ours.solver}"
    )
    if not args.skip_baseline:
        base_s, base_obj, base_bound, how = pulp_baseline(cp, ours.objective, args.time_limit)
        print(f"  baseline: served {base_obj:,.3f} (bound {base_bound:,.3f}), {base_s:.2f} s, stopped: {how}")
        report("Guangxi capacitated MCLP", ours.seconds, "PuLP + HiGHS, plain formulation", base_s, 10.0)
        print(
            f"objective ours {'>=' if ours.objective >= base_obj - 1e-6 else '<'} baseline "
            f"({ours.objective:,.3f} vs {base_obj:,.3f}); speed-up {base_s / ours.seconds:.1f}x "
            f"({'target >= 5x met' if base_s / ours.seconds >= 5 else 'TARGET 5x MISSED'})"
        )

    start = time.perf_counter()
    plan = plan_rollout(
        gx, stations, "2020-12-31", capacity=PlanCapacity(budget_yuan=BUDGET, workers=NEW_WORKERS),
        time_limit=args.time_limit,
    )  # fmt: skip
    plan_s = time.perf_counter() - start
    print(
        f"budgeted rollout 2021-2023: served (summed over years) {plan.objective:,.3f}, bound {plan.bound:,.3f}, "
        f"gap {plan.gap:.3%}, {plan_s:.2f} s - {plan.solver}"
    )
    for y in plan.years:
        print(
            f"  {y.date}: {len(y.opened)} new, spend {y.spend_yuan / 1e4:,.0f}万 of {y.budget_yuan / 1e4:,.0f}万, "
            f"workers {y.new_workers:,.0f} of {y.workers_supply:,.0f}"
        )
    if not args.skip_baseline:
        from coverage.data.schema import open_on as open_at
        from coverage.optimise.budget import Resources

        start = time.perf_counter()
        ci = capacity_inputs(gx.townships, stations[open_at(stations, "2020-12-31")], 10_000)
        model = MergedModel.build(ci.problem)
        res, _ = Resources.for_years(list(BUDGET), BUDGET, NEW_WORKERS)
        b, _ = model.yearly_mip([145, 521, 1022], res.budget_yuan, res.workers, [{}, {}, {}])
        sol = b.build().solve(args.time_limit, 0.01)
        base_s = time.perf_counter() - start
        base_gap = (sol.bound - sol.objective) / sol.objective
        print(
            f"  baseline: HiGHS on the same MIP: {sol.objective:,.3f}, gap {base_gap:.3%}, {base_s:.2f} s ({sol.status})"
        )
        report("Guangxi budgeted rollout", plan_s, "HiGHS on the same yearly MIP, no start", base_s, 20.0)
